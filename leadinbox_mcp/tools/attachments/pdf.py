"""A PDF's text, page by page, without the text a reader of the page would not see: pypdfium2.

PDFium (Chrome's PDF engine, fuzzed continuously) parses the file, repairs what it can, and
orders each page's characters into lines. pypdfium2 also exposes what hidden-text detection
needs, per page object: the render mode, the fill and stroke colour with their alpha, the font
size and the object's matrix, its bounds; and, per character, the text object it belongs to
and its box. A text object is hidden when:

- its render mode paints nothing (3, or 7: clip only), unless it lies over an image: that is
  the OCR layer of a scanned page, whose text the reader does see in the image;
- its colour cannot be told from the background under it: the last filled path drawn before it
  under its centre, or the white page (white text on a dark banner is visible; over an image
  the background is unknown and the text counts as visible);
- its fill alpha is under 10% (transparent), or its size after scaling is under 2 pt either way
  (tiny, or squashed by horizontal scaling);
- it lies outside the page's crop box (characters of an object that straddles the edge are
  judged one by one).

Filled-in form fields and comments live in annotations, not in the page's text: each page ends
with them ("Form fields: Seats: 40; ...", "Comments: ..."), those flagged hidden or no-view left
out and counted.

Not seen: text covered by a shape drawn after it, text clipped away by a clipping path, and
optional content (layers) switched off.

PDFium is not thread-safe: one lock serialises every use of it in the process.
"""

from __future__ import annotations

import ctypes
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from leadinbox_mcp.tools.attachments import hidden as words
from leadinbox_mcp.tools.attachments.extract import Clock, Draft, Limits, Section, Unreadable
from leadinbox_mcp.tools.attachments.hidden import Hidden

PDFIUM_LOCK = threading.Lock()
"""PDFium keeps global state and must not be entered from two threads at once."""

_TEXT, _PATH, _IMAGE, _FORM = (
    pdfium_c.FPDF_PAGEOBJ_TEXT,
    pdfium_c.FPDF_PAGEOBJ_PATH,
    pdfium_c.FPDF_PAGEOBJ_IMAGE,
    pdfium_c.FPDF_PAGEOBJ_FORM,
)
_INVISIBLE_MODES = (3, 7)  # FPDF_TEXTRENDERMODE_INVISIBLE, _CLIP
_STROKE_ONLY_MODES = (1, 5)
_MAX_FORM_DEPTH = 8
_MAX_OBJECTS = 200_000
"""Page objects looked at per page; past that the page's text is shown as PDFium orders it, with
only the objects seen so far judged."""

_MAX_ANNOTATIONS = 500
"""Annotations read per page (fields and comments)."""
_MAX_ANNOTATION_BYTES = 64 * 1024
_HIDDEN_ANNOTATION = pdfium_c.FPDF_ANNOT_FLAG_HIDDEN | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # left, bottom, right, top
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def read_pdf(data: bytes, limits: Limits, clock: Clock) -> Draft:
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
                raise Unreadable(
                    "This PDF is password-protected, so its text cannot be read; ask the sender for an unprotected copy."
                ) from None
            if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
                raise Unreadable("This PDF uses an encryption scheme that cannot be read.") from None
            raise Unreadable("This PDF is damaged or not really a PDF, so its text cannot be read.") from None
        try:
            return _read(document, limits, clock)
        finally:
            document.close()


def _read(document: pdfium.PdfDocument, limits: Limits, clock: Clock) -> Draft:
    total = len(document)
    draft = Draft(kind="PDF", unit="page", total=total)
    if total == 0:
        raise Unreadable("This PDF has no pages, so it has no text to read.")
    hidden = Hidden()
    empty: list[int] = []
    scanned: list[int] = []
    used = 0
    read = 0
    for number in range(1, min(total, limits.max_pages) + 1):
        if clock.out():
            draft.notes.append(f"Reading stopped at page {number} of {total:,}: the time allowed ran out.")
            break
        if used > limits.max_text_chars:
            break  # extract() says where the text was cut
        page = document[number - 1]
        try:
            text, ocr = _page_text(page, hidden)
            text = "\n".join(t for t in (text, *_annotations(page, hidden)) if t.strip())
        finally:
            page.close()
        read = number
        if ocr:
            scanned.append(number)
        if not text.strip():
            empty.append(number)
            continue
        used += len(text)
        draft.sections.append(Section(f"page {number}", text))
    if read < total and read == limits.max_pages:
        draft.notes.append(f"Only the first {read:,} of {total:,} pages were read.")
    note = hidden.note()
    if note:
        draft.notes.append(note)
    if scanned:
        draft.notes.append(
            f"The text of {_pages(scanned)} comes from an OCR layer over a scanned image and may hold recognition errors."
        )
    if empty and not draft.sections:
        draft.has_text = False
        draft.notes.append("This PDF has no text layer (probably a scan or images only): no text extracted.")
    elif empty:
        draft.notes.append(
            f"{_pages(empty).capitalize()} {'has' if len(empty) == 1 else 'have'} no text (scanned or images only)."
        )
    return draft


def _pages(numbers: list[int]) -> str:
    """page 3; pages 2, 5-7 and 9."""
    runs: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    if len(numbers) == 1:
        return f"page {runs[0]}"
    listed = ", ".join(runs[:-1]) + f" and {runs[-1]}" if len(runs) > 1 else runs[0]
    return f"pages {listed}"


@dataclass
class _Judged:
    reasons: set[str]
    straddles: bool  # partly outside the page: its characters are judged one by one


def _page_text(page: pdfium.PdfPage, hidden: Hidden) -> tuple[str, bool]:
    """The page's visible text, and whether some of it is an OCR layer over a scan."""
    box = _page_box(page)
    judged, ocr = _judge_objects(page, box)
    textpage = page.get_textpage()
    try:
        if not any(j.reasons or j.straddles for j in judged.values()):
            return _lines(textpage.get_text_range()), ocr
        return _lines(_visible_chars(textpage, judged, box, hidden)), ocr
    finally:
        textpage.close()


def _annotations(page: pdfium.PdfPage, hidden: Hidden) -> list[str]:
    """Filled-in form fields ("Form fields: Seats: 40; ...") and comments ("Comments: ...") of the
    page: they live in annotations, not in the page's text. Hidden annotations are counted."""
    fields: list[str] = []
    comments: list[str] = []
    for index in range(min(pdfium_c.FPDFPage_GetAnnotCount(page.raw), _MAX_ANNOTATIONS)):
        annotation = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        if not annotation:
            continue
        try:
            subtype = pdfium_c.FPDFAnnot_GetSubtype(annotation)
            if subtype in (pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_POPUP):
                continue
            widget = subtype == pdfium_c.FPDF_ANNOT_WIDGET
            value = _annotation_string(annotation, "V" if widget else "Contents")
            if not value.strip():
                continue
            if pdfium_c.FPDFAnnot_GetFlags(annotation) & _HIDDEN_ANNOTATION:
                hidden.add(words.HIDDEN_ANNOTATION)
                continue
            if widget:
                name = _annotation_string(annotation, "T")
                fields.append(f"{name}: {value}" if name else value)
            else:
                comments.append(value)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
    lines = []
    if fields:
        lines.append("Form fields: " + "; ".join(" ".join(f.split()) for f in fields))
    if comments:
        lines.append("Comments: " + " / ".join(" ".join(c.split()) for c in comments))
    return lines


def _annotation_string(annotation: Any, key: str) -> str:
    size = pdfium_c.FPDFAnnot_GetStringValue(annotation, key.encode(), None, 0)
    if size <= 2 or size > _MAX_ANNOTATION_BYTES:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAnnot_GetStringValue(
        annotation, key.encode(), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size
    )
    return buffer.raw[: size - 2].decode("utf-16-le", "replace")


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-")


def _visible_chars(textpage: pdfium.PdfTextPage, judged: dict[int, _Judged], box: Box, hidden: Hidden) -> str:
    raw = textpage.raw
    out: list[int] = []
    in_passage = False
    reasons: set[str] = set()
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        verdict = judged.get(_address(obj)) if obj else None
        if verdict is not None:
            why = verdict.reasons
            if not why and verdict.straddles:
                pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
                x, y = (left.value + right.value) / 2, (bottom.value + top.value) / 2
                if not (box[0] <= x <= box[2] and box[1] <= y <= box[3]):
                    why = {words.OFF_PAGE}
            if why:
                if not in_passage:
                    in_passage = True
                    hidden.passages += 1
                reasons |= why
                continue
            if not chr(code).isspace():
                in_passage = False
        elif code in (10, 13):
            in_passage = False  # a passage ends with its line
        out.append(code)
    hidden.add(reasons, passages=0)
    text = "".join(map(chr, out))
    if any(0xD800 <= c <= 0xDFFF for c in out):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _address(handle: Any) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _page_box(page: pdfium.PdfPage) -> Box:
    rect = pdfium_c.FS_RECTF()
    if pdfium_c.FPDF_GetPageBoundingBox(page.raw, rect):
        return (
            min(rect.left, rect.right),
            min(rect.bottom, rect.top),
            max(rect.left, rect.right),
            max(rect.bottom, rect.top),
        )
    width, height = page.get_size()
    return (0.0, 0.0, width, height)


@dataclass
class _Background:
    box: Box
    colour: tuple[int, int, int] | None  # None: an image, whose colours are not known


def _judge_objects(page: pdfium.PdfPage, box: Box) -> tuple[dict[int, _Judged], bool]:
    """Every text object of the page (forms included), judged; and whether an invisible one lies
    over an image (an OCR layer). Backgrounds are gathered in painting order as the walk goes."""
    objects = [(obj, kind, matrix, bounds) for obj, kind, matrix in _objects(page) if (bounds := _bounds(obj, matrix))]
    # OCR tools draw the scan before or after its invisible text: every image counts for that.
    images = [bounds for _, kind, _, bounds in objects if kind == _IMAGE]
    backgrounds: list[_Background] = []
    judged: dict[int, _Judged] = {}
    ocr = False
    for obj, kind, matrix, bounds in objects:
        if kind == _IMAGE:
            backgrounds.append(_Background(bounds, None))
        elif kind == _PATH:
            colour = _filled_colour(obj)
            if colour is not None:
                backgrounds.append(_Background(bounds, colour))
        elif kind == _TEXT:
            verdict = _judge_text(obj, matrix, bounds, box, backgrounds, images)
            if verdict.reasons == {"ocr"}:
                ocr = True
                verdict.reasons = set()
            judged[_address(obj)] = verdict
    return judged, ocr


def _objects(page: pdfium.PdfPage) -> Iterator[tuple[Any, int, Matrix]]:
    """(object, type, matrix to page space) in painting order, form XObjects walked into."""
    # (parent, None for the page; next index; count; matrix; depth)
    stack: list[tuple[Any, int, int, Matrix, int]] = []
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    stack.append((None, 0, count, _IDENTITY, 0))
    seen = 0
    while stack and seen < _MAX_OBJECTS:
        parent, index, count, outer, depth = stack.pop()
        if index >= count:
            continue
        stack.append((parent, index + 1, count, outer, depth))
        obj = (
            pdfium_c.FPDFPage_GetObject(page.raw, index)
            if parent is None
            else pdfium_c.FPDFFormObj_GetObject(parent, index)
        )
        if not obj:
            continue
        seen += 1
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == _FORM:
            if depth < _MAX_FORM_DEPTH:
                own = _matrix(obj)
                stack.append((obj, 0, pdfium_c.FPDFFormObj_CountObjects(obj), _multiply(own, outer), depth + 1))
            continue
        yield obj, kind, outer


def _matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _multiply(first: Matrix, then: Matrix) -> Matrix:
    """`first` applied, then `then` (PDF's row-vector convention: first × then)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _bounds(obj: Any, outer: Matrix) -> Box | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    box = (left.value, bottom.value, right.value, top.value)
    if outer == _IDENTITY:
        return box
    a, b, c, d, e, f = outer
    corners = [(x * a + y * c + e, x * b + y * d + f) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def _colour(getter: Any, obj: Any) -> tuple[tuple[int, int, int], int] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return None
    return (r.value, g.value, b.value), a.value


def _filled_colour(path: Any) -> tuple[int, int, int] | None:
    """The colour a path paints its inside with, if it fills at all and is mostly opaque."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(path, fill_mode, stroke) or fill_mode.value == pdfium_c.FPDF_FILLMODE_NONE:
        return None
    found = _colour(pdfium_c.FPDFPageObj_GetFillColor, path)
    if found is None or found[1] < 128:
        return None
    return found[0]


def _judge_text(
    obj: Any, outer: Matrix, bounds: Box, box: Box, backgrounds: list[_Background], images: list[Box]
) -> _Judged:
    reasons: set[str] = set()
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
    centre = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    under = _background(centre, backgrounds)
    if mode in _INVISIBLE_MODES:
        if any(_inside(centre, image) for image in images):
            reasons.add("ocr")
        else:
            reasons.add(words.INVISIBLE)
    else:
        getter = (
            pdfium_c.FPDFPageObj_GetStrokeColor if mode in _STROKE_ONLY_MODES else pdfium_c.FPDFPageObj_GetFillColor
        )
        painted = _colour(getter, obj)
        if painted is not None:
            colour, alpha = painted
            if alpha < words.MIN_ALPHA:
                reasons.add(words.TRANSPARENT)
            elif under is not None and words.indistinct(colour, under):
                reasons.add(words.WHITE_OR_FAINT if under == words.WHITE else "the colour of its background")
    size = ctypes.c_float()
    if pdfium_c.FPDFTextObj_GetFontSize(obj, size):
        a, b, c, d, _, _ = _multiply(_matrix(obj), outer)
        if min(size.value * math.hypot(a, b), size.value * math.hypot(c, d)) < words.MIN_POINTS:
            reasons.add(words.TINY)
    straddles = False
    if bounds[2] < box[0] or bounds[0] > box[2] or bounds[3] < box[1] or bounds[1] > box[3]:
        reasons.add(words.OFF_PAGE)
    elif bounds[0] < box[0] or bounds[2] > box[2] or bounds[1] < box[1] or bounds[3] > box[3]:
        straddles = True
    return _Judged(reasons, straddles)


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _background(point: tuple[float, float], backgrounds: list[_Background]) -> tuple[int, int, int] | None:
    """The colour under `point`: the last fill drawn there so far, the page's white if none, None
    over an image."""
    for background in reversed(backgrounds):
        if _inside(point, background.box):
            return background.colour
    return words.WHITE
