"""Word documents and PowerPoint decks: their XML read directly, with the standard library.

DOCX: the body in document order (paragraphs, tables as `cell | cell` rows, content controls,
text boxes once each, tracked insertions kept and deletions dropped, field codes dropped, list
items marked `- `), then the headers, footers, footnotes and comments as sections of their own.
A run is hidden, counted and left out when its effective formatting (document defaults <
paragraph style chain < character style chain < direct formatting) has Word's hidden format
(`w:vanish`), a size under 2 pt, or a colour that cannot be told from its background (the run's
shading or highlight, else the paragraph's, else the table cell's, else the page colour; white
on a dark fill is visible).

PPTX: slides in the deck's order, the text of every shape (groups, tables, placeholders filled
on the slide) and the speaker notes. Slides hidden from the show are left out (and counted),
and so is text under 2 pt and shapes placed wholly off the slide. Colours are not judged on
slides: backgrounds come from themes and masters, and white text on a dark slide is common.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar
from xml.etree.ElementTree import Element

from leadinbox_mcp.tools.attachments import hidden as words
from leadinbox_mcp.tools.attachments.bounds import MAX_XML_PART, open_zip, parse_xml, read_member
from leadinbox_mcp.tools.attachments.extract import Clock, Draft, Limits, Section, Unreadable
from leadinbox_mcp.tools.attachments.hidden import Hidden

T = TypeVar("T")
_W_NAMESPACES = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}",
    "{http://purl.oclc.org/ooxml/wordprocessingml/main}",
)
_W = _W_NAMESPACES[0]
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R_NAMESPACES = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}",
)
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FALSE = ("0", "false", "off")
# Word's sixteen highlight colours, by name.
_HIGHLIGHTS = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF", "red": "FF0000",
    "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
    "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080", "lightGray": "C0C0C0",
}  # fmt: skip
_THEME_COLOURS = {"background1": "FFFFFF", "light1": "FFFFFF", "text1": "000000", "dark1": "000000"}
_MAX_DEPTH = 200
"""Elements nested deeper than this (tables in tables in text boxes ...) are not walked."""


def _local(element: Element) -> str:
    """A WordprocessingML element's name without its namespace ("" for other namespaces, "mc:"
    names for markup compatibility)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    for ns in _W_NAMESPACES:
        if tag.startswith(ns):
            return tag[len(ns) :]
    if tag.startswith(_MC):
        return "mc:" + tag[len(_MC) :]
    return ""


def _in_namespaces(look: Callable[[str], T | None], name: str, namespaces: tuple[str, ...] = _W_NAMESPACES) -> T | None:
    """What `look` finds first for `name` in one of `namespaces` (OOXML's transitional and strict
    spellings of the same namespace)."""
    for ns in namespaces:
        found = look(ns + name)
        if found is not None:
            return found
    return None


def _attr(element: Element | None, name: str) -> str | None:
    return None if element is None else _in_namespaces(element.get, name)


def _child(element: Element | None, name: str) -> Element | None:
    return None if element is None else _in_namespaces(element.find, name)


def _hex(value: str | None) -> tuple[int, int, int] | None:
    if not value or len(value) != 6:
        return None
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Package structure
# ---------------------------------------------------------------------------------------------


class _Package:
    """An Office zip: parts by name, relationships resolved to part names."""

    def __init__(self, data: bytes, kind: str, limits: Limits) -> None:
        self.kind = kind
        self.archive: zipfile.ZipFile = open_zip(data, kind, limits)

    def xml(self, name: str) -> Element | None:
        raw = read_member(self.archive, name, self.kind, MAX_XML_PART)
        return None if raw is None else parse_xml(raw, name, self.kind)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type's last word, target part name) of `part` ("" for the package)."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", f"{base}.rels"))
        found: dict[str, tuple[str, str]] = {}
        if root is None:
            return found
        for rel in root.iter(_PKG_REL + "Relationship"):
            target, ident = rel.get("Target") or "", rel.get("Id") or ""
            if rel.get("TargetMode") == "External" or not target:
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[ident] = ((rel.get("Type") or "").rsplit("/", 1)[-1], name)
        return found

    def main(self, default: str, is_main: Callable[[Element], bool]) -> tuple[Element, dict[str, tuple[str, str]]]:
        """The main part's root and relationships (`default`: its name when the package does not
        say), when `is_main` finds the root this kind of file has."""
        name = next((target for kind, target in self.rels("").values() if kind == "officeDocument"), default)
        root = self.xml(name)
        if root is None or not is_main(root):
            raise Unreadable(f"This file is named like a {self.kind} but holds none.")
        return root, self.rels(name)


def _relationship_id(element: Element) -> str | None:
    return _in_namespaces(element.get, "id", _R_NAMESPACES)


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """Formatting that decides visibility; None: not set at this level."""

    vanish: bool | None = None
    colour: str | None = None  # RRGGBB or "auto"
    size: int | None = None  # half-points
    fill: str | None = None  # shading or highlight behind the run

    def over(self, base: _Run) -> _Run:
        return _Run(
            self.vanish if self.vanish is not None else base.vanish,
            self.colour if self.colour is not None else base.colour,
            self.size if self.size is not None else base.size,
            self.fill if self.fill is not None else base.fill,
        )


def _run_props(rpr: Element | None) -> _Run:
    props = _Run()
    if rpr is None:
        return props
    vanish = _child(rpr, "vanish")
    if vanish is not None:
        props.vanish = (_attr(vanish, "val") or "true").lower() not in _FALSE
    colour = _child(rpr, "color")
    if colour is not None:
        theme = _attr(colour, "themeColor")
        props.colour = _THEME_COLOURS.get(theme or "") or _attr(colour, "val")
    size = _attr(_child(rpr, "sz"), "val")
    if size and size.isdigit():
        props.size = int(size)
    shading = _attr(_child(rpr, "shd"), "fill")
    if shading:
        props.fill = shading
    highlight = _attr(_child(rpr, "highlight"), "val")
    if highlight and highlight != "none":
        props.fill = _HIGHLIGHTS.get(highlight, "808080")
    return props


class _Styles:
    def __init__(self, root: Element | None) -> None:
        self.defaults = _Run()
        self.styles: dict[str, tuple[str | None, _Run, bool]] = {}  # id -> (basedOn, run props, numbered)
        self.default_paragraph: str | None = None
        self._resolved: dict[str, tuple[_Run, bool]] = {}
        if root is None:
            return
        defaults = _child(_child(_child(root, "docDefaults"), "rPrDefault"), "rPr")
        self.defaults = _run_props(defaults)
        for style in root:
            if _local(style) != "style":
                continue
            ident = _attr(style, "styleId")
            if not ident:
                continue
            numbered = _child(_child(style, "pPr"), "numPr") is not None
            self.styles[ident] = (_attr(_child(style, "basedOn"), "val"), _run_props(_child(style, "rPr")), numbered)
            if _attr(style, "type") == "paragraph" and (_attr(style, "default") or "").lower() in ("1", "true", "on"):
                self.default_paragraph = ident

    def resolve(self, ident: str | None) -> tuple[_Run, bool]:
        """A style's run properties with its bases', and whether it numbers its paragraphs."""
        if not ident or ident not in self.styles:
            return _Run(), False
        if ident in self._resolved:
            return self._resolved[ident]
        chain: list[tuple[str | None, _Run, bool]] = []
        seen: set[str] = set()
        current: str | None = ident
        while current and current in self.styles and current not in seen and len(chain) < 32:
            seen.add(current)
            chain.append(self.styles[current])
            current = chain[-1][0]
        props, numbered = _Run(), False
        for _, own, own_numbered in reversed(chain):
            props = own.over(props)
            numbered = numbered or own_numbered
        self._resolved[ident] = (props, numbered)
        return props, numbered


@dataclass
class _Paragraph:
    parts: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)  # text boxes anchored in the paragraph
    in_passage: bool = False


class _Word:
    """The walk over one part of a Word document (body, header, footer, notes, comments)."""

    def __init__(self, styles: _Styles, page: str | None, hidden: Hidden) -> None:
        self.styles = styles
        self.page = _hex(page) or words.WHITE
        self.hidden = hidden
        self.deletions = 0
        """Tracked deletions met (their text is left out: the document reads as if accepted)."""

    def block(self, container: Element, fill: str | None = None, depth: int = 0) -> list[str]:
        """The lines of a container of paragraphs and tables (a body, a cell, a text box)."""
        lines: list[str] = []
        if depth > _MAX_DEPTH:
            return lines
        for child in container:
            name = _local(child)
            if name == "p":
                lines.extend(self.paragraph(child, fill, depth))
            elif name == "tbl":
                lines.extend(self.table(child, fill, depth))
            elif name in ("del", "moveFrom"):
                self.deletions += 1
            elif name in ("sectPr", "mc:Fallback", "rPr", "pPr", "tblPr", "sdtPr", "sdtEndPr"):
                continue
            elif name == "mc:AlternateContent":
                choice = next(iter(child), None)  # the first choice only: the fallback repeats it
                if choice is not None:
                    lines.extend(self.block(choice, fill, depth + 1))
            else:  # sdt, sdtContent, customXml, ins, moveTo, smartTag, and other wrappers
                lines.extend(self.block(child, fill, depth + 1))
        return lines

    def table(self, table: Element, fill: str | None, depth: int) -> list[str]:
        rows: list[str] = []
        for row in _wrapped(table, "tr"):
            cells = []
            for cell in _wrapped(row, "tc"):
                cell_fill = _attr(_child(_child(cell, "tcPr"), "shd"), "fill") or fill
                cells.append(" ".join(line for line in self.block(cell, cell_fill, depth + 1) if line.strip()))
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append(" | ".join(c.replace("|", "/") for c in cells))
        return rows

    def paragraph(self, paragraph: Element, fill: str | None, depth: int) -> list[str]:
        ppr = _child(paragraph, "pPr")
        style = _attr(_child(ppr, "pStyle"), "val") or self.styles.default_paragraph
        style_props, numbered = self.styles.resolve(style)
        base = style_props.over(self.styles.defaults)
        paragraph_fill = _attr(_child(ppr, "shd"), "fill") or fill
        state = _Paragraph()
        self._inline(paragraph, base, paragraph_fill, state, depth)
        text = "".join(state.parts).strip()
        if text and (numbered or _child(ppr, "numPr") is not None):
            text = "- " + text
        return ([text] if text else []) + state.boxes

    def _inline(self, element: Element, base: _Run, fill: str | None, state: _Paragraph, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        for child in element:
            name = _local(child)
            if name == "r":
                self._run(child, base, fill, state, depth)
            elif name in ("del", "moveFrom"):
                self.deletions += any((t.text or "").strip() for t in child.iter() if _local(t) in ("delText", "t"))
            elif name in ("pPr", "mc:Fallback", "rPr"):
                continue
            elif name == "mc:AlternateContent":
                choice = next(iter(child), None)
                if choice is not None:
                    self._inline(choice, base, fill, state, depth + 1)
            else:  # hyperlink, ins, moveTo, smartTag, fldSimple, sdt, sdtContent, customXml
                self._inline(child, base, fill, state, depth + 1)

    def _run(self, run: Element, base: _Run, fill: str | None, state: _Paragraph, depth: int) -> None:
        rpr = _child(run, "rPr")
        char_style, _ = self.styles.resolve(_attr(_child(rpr, "rStyle"), "val"))
        props = _run_props(rpr).over(char_style.over(base))
        text: list[str] = []
        for child in run:
            name = _local(child)
            if name == "t":
                text.append(child.text or "")
            elif name == "tab":
                text.append("\t")
            elif name in ("br", "cr"):
                text.append("\n")
            elif name == "noBreakHyphen":
                text.append("-")
            elif name in ("rPr", "delText", "instrText", "delInstrText", "fldChar"):
                continue
            else:  # drawing, pict, object, AlternateContent: text boxes inside
                for box in _text_boxes(child):
                    state.boxes.extend(self.block(box, None, depth + 1))
        content = "".join(text)
        if not content:
            return
        reasons = self._hidden(props, fill)
        if reasons and content.strip():
            if not state.in_passage:
                self.hidden.add(reasons)
                state.in_passage = True
            else:
                self.hidden.add(reasons, passages=0)
            return
        if content.strip():
            state.in_passage = False
        state.parts.append(content)

    def _hidden(self, props: _Run, fill: str | None) -> set[str]:
        reasons: set[str] = set()
        if props.vanish:
            reasons.add(words.WORD_HIDDEN)
        if props.size is not None and props.size < words.MIN_POINTS * 2:
            reasons.add(words.TINY)
        colour = _hex(props.colour)
        if colour is not None:
            background = _hex(props.fill) or _hex(fill) or self.page
            if words.indistinct(colour, background):
                reasons.add(words.WHITE_OR_FAINT if background == words.WHITE else "the colour of its background")
        return reasons


def _wrapped(element: Element, name: str) -> Iterator[Element]:
    """Children named `name`, also those inside content controls and custom XML wrappers (not
    those of nested tables)."""
    for child in element:
        local = _local(child)
        if local == name:
            yield child
        elif local in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            yield from _wrapped(child, name)


def _text_boxes(element: Element) -> Iterator[Element]:
    """The outermost w:txbxContent elements under `element` (DrawingML or VML), the first
    choice of each mc:AlternateContent only."""
    stack = [element]
    while stack:
        node = stack.pop()
        for child in reversed(list(node)):
            name = _local(child)
            if name == "txbxContent":
                yield child
            elif name == "mc:Fallback":
                continue
            elif name == "mc:AlternateContent":
                first = next(iter(child), None)
                if first is not None:
                    stack.append(first)
            else:
                stack.append(child)


def read_docx(data: bytes, limits: Limits, clock: Clock) -> Draft:
    package = _Package(data, "Word document", limits)
    document, rels = package.main("word/document.xml", lambda root: _local(root) == "document")
    by_type: dict[str, list[str]] = {}
    for rel_type, target in rels.values():
        by_type.setdefault(rel_type, []).append(target)
    styles = _Styles(package.xml(by_type["styles"][0]) if "styles" in by_type else None)
    page = _attr(_child(document, "background"), "color")
    hidden = Hidden()
    word = _Word(styles, page, hidden)
    draft = Draft(kind=package.kind, unit="part")
    body = _child(document, "body")
    parts = [("body", "\n".join(word.block(body)) if body is not None else "")]
    for label, rel_type in (
        ("header", "header"),
        ("footer", "footer"),
        ("footnotes", "footnotes"),
        ("endnotes", "endnotes"),
    ):
        texts: list[str] = []
        for target in sorted(set(by_type.get(rel_type, []))):
            root = package.xml(target)
            if root is None:
                continue
            if rel_type in ("footnotes", "endnotes"):
                for footnote in root:
                    if _attr(footnote, "type") in (None, "normal"):
                        texts.extend(word.block(footnote))
            else:
                texts.extend(word.block(root))
        unique = list(dict.fromkeys(t for t in texts if t.strip()))
        if unique:
            parts.append((label, "\n".join(unique)))
    for target in by_type.get("comments", [])[:1]:
        root = package.xml(target)
        if root is None:
            continue
        comments = []
        for comment in root:
            if _local(comment) == "comment":
                text = " ".join(word.block(comment))
                if text.strip():
                    comments.append(f"{(_attr(comment, 'author') or 'someone')[:80]}: {text}")
        if comments:
            parts.append(("comments", "\n".join(comments)))
    parts = [(label, text) for label, text in parts if text.strip()]
    if len(parts) == 1 and parts[0][0] == "body":
        parts = [("", parts[0][1])]
    draft.sections = [Section(label, text) for label, text in parts]
    draft.total = len(draft.sections)
    note = hidden.note()
    if note:
        draft.notes.append(note)
    if word.deletions:
        draft.notes.append(
            f"{word.deletions:,} tracked deletion{'s' if word.deletions > 1 else ''} not shown: "
            "the text reads as if every tracked change were accepted."
        )
    return draft


# ---------------------------------------------------------------------------------------------
# PPTX
# ---------------------------------------------------------------------------------------------

_EMU_PER_POINT = 12700


def read_pptx(data: bytes, limits: Limits, clock: Clock) -> Draft:
    package = _Package(data, "PowerPoint deck", limits)
    presentation, rels = package.main("ppt/presentation.xml", lambda root: root.tag == _P + "presentation")
    size = presentation.find(_P + "sldSz")
    slide_box = (
        int(size.get("cx", "0") or 0) if size is not None else 0,
        int(size.get("cy", "0") or 0) if size is not None else 0,
    )
    slides = []
    listed = presentation.find(_P + "sldIdLst")
    for entry in listed if listed is not None else []:
        rel = rels.get(_relationship_id(entry) or "")
        if rel is not None and rel[0] == "slide":
            slides.append(rel[1])
    draft = Draft(kind=package.kind, unit="slide", total=len(slides))
    hidden = Hidden()
    hidden_slides: list[int] = []
    for number, part in enumerate(slides[: limits.max_pages], 1):
        if clock.out():
            draft.notes.append(f"Reading stopped at slide {number} of {len(slides)}: the time allowed ran out.")
            break
        slide = package.xml(part)
        if slide is None:
            continue
        if (slide.get("show") or "1").lower() in _FALSE:
            hidden_slides.append(number)
            continue
        lines = _shapes(slide, slide_box, hidden)
        notes_part = next((t for k, t in package.rels(part).values() if k == "notesSlide"), None)
        notes = _notes(package.xml(notes_part), hidden) if notes_part else []
        if notes:
            lines.append("Notes: " + " ".join(notes))
        draft.sections.append(Section(f"slide {number}", "\n".join(lines)))
    if len(slides) > limits.max_pages:
        draft.notes.append(f"Only the first {limits.max_pages:,} of {len(slides):,} slides were read.")
    if hidden_slides:
        which = ", ".join(map(str, hidden_slides))
        draft.notes.append(
            f"{len(hidden_slides)} slide{'s' if len(hidden_slides) > 1 else ''} hidden from the show "
            f"(slide {which}) {'were' if len(hidden_slides) > 1 else 'was'} not read."
        )
    note = hidden.note()
    if note:
        draft.notes.append(note)
    return draft


def _shapes(root: Element, slide_box: tuple[int, int], hidden: Hidden) -> list[str]:
    tree = root.find(f"{_P}cSld/{_P}spTree")
    return _tree(tree, slide_box, hidden, 0) if tree is not None else []


def _off_slide(shape: Element, slide_box: tuple[int, int]) -> bool:
    xfrm = shape.find(f"{_P}spPr/{_A}xfrm")
    if xfrm is None:
        xfrm = shape.find(f"{_P}xfrm")
    if xfrm is None or not all(slide_box):
        return False
    off, ext = xfrm.find(_A + "off"), xfrm.find(_A + "ext")
    if off is None or ext is None:
        return False
    try:
        x, y = int(off.get("x", "0")), int(off.get("y", "0"))
        w, h = int(ext.get("cx", "0")), int(ext.get("cy", "0"))
    except ValueError:
        return False
    return x >= slide_box[0] or y >= slide_box[1] or x + w <= 0 or y + h <= 0


def _tree(tree: Element, slide_box: tuple[int, int], hidden: Hidden, depth: int) -> list[str]:
    lines: list[str] = []
    if depth > _MAX_DEPTH:
        return lines
    for shape in tree:
        tag = shape.tag
        if tag == _P + "grpSp":
            lines.extend(_tree(shape, slide_box, hidden, depth + 1))
            continue
        if tag == _MC + "AlternateContent":
            choice = next(iter(shape), None)
            if choice is not None:
                lines.extend(_tree(choice, slide_box, hidden, depth + 1))
            continue
        if tag not in (_P + "sp", _P + "graphicFrame"):
            continue
        found: list[str] = []
        if tag == _P + "sp":
            body = shape.find(_P + "txBody")
            if body is not None:
                found = _text_body(body, hidden)
        else:
            for table in shape.iter(_A + "tbl"):
                for row in table.iter(_A + "tr"):
                    cells = [" ".join(_text_body(cell.find(_A + "txBody"), hidden)) for cell in row.iter(_A + "tc")]
                    while cells and not cells[-1]:
                        cells.pop()
                    if cells:
                        found.append(" | ".join(c.replace("|", "/") for c in cells))
        if found and depth == 0 and _off_slide(shape, slide_box):
            hidden.add(words.OFF_SLIDE)
            continue
        lines.extend(found)
    return lines


def _text_body(body: Element | None, hidden: Hidden) -> list[str]:
    if body is None:
        return []
    lines = []
    for paragraph in body.iter(_A + "p"):
        parts: list[str] = []
        in_passage = False
        for child in paragraph:
            if child.tag == _A + "br":
                parts.append("\n")
                continue
            if child.tag not in (_A + "r", _A + "fld"):
                continue
            text = "".join(t.text or "" for t in child.iter(_A + "t"))
            rpr = child.find(_A + "rPr")
            size = rpr.get("sz") if rpr is not None else None
            if size and size.isdigit() and int(size) < words.MIN_POINTS * 100 and text.strip():
                hidden.add(words.TINY, passages=0 if in_passage else 1)
                in_passage = True
                continue
            if text.strip():
                in_passage = False
            parts.append(text)
        line = "".join(parts).strip()
        if line:
            level = paragraph.find(_A + "pPr")
            indent = int(level.get("lvl", "0") or 0) if level is not None and (level.get("lvl") or "0").isdigit() else 0
            lines.append("  " * min(indent, 8) + line)
    return lines


def _notes(root: Element | None, hidden: Hidden) -> list[str]:
    """The notes page's body placeholder (not the slide image, number, header or footer)."""
    if root is None:
        return []
    lines: list[str] = []
    tree = root.find(f"{_P}cSld/{_P}spTree")
    for shape in tree.iter(_P + "sp") if tree is not None else []:
        placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
        if placeholder is None or placeholder.get("type", "body") != "body":
            continue
        lines.extend(_text_body(shape.find(_P + "txBody"), hidden))
    return lines
