"""An attachment's text, compact, safe and bounded: extract() and what it returns.

The type comes from the bytes first (magic numbers, the parts inside a zip), then the content
type the provider sent, then the file name's extension (detect.py). Each format has its reader:
pdf.py (pypdfium2), office.py (DOCX and PPTX, their XML read directly), sheets.py (XLSX through
openpyxl in read-only mode, CSV), text.py (plain text, HTML through the message-body pipeline of
tools/render, EML through the standard library's email package); images and anything else get
one honest line and no text.

Bounds, in the order they apply: the file's size (Limits.max_bytes) before anything is parsed;
for the zip containers of Office files, the member count, the total uncompressed size and every
member's compression ratio, read from the central directory before a byte is inflated
(bounds.py); pages, slides, sheets, rows and columns read; the text produced in all. Whatever is
left out is said in `notes`, in sentences. Text a reader of the document would not see (white or
tiny text, text outside the page, Word's hidden format, CSS-hidden HTML) is never returned as if
it were visible: it is dropped and counted in a note.

extract() is synchronous and CPU-bound: the caller runs it in a worker thread under its deadline
(pass `deadline`, a time.monotonic() value, and long documents stop at the page or row where it
runs out, with a note). Bad input of any kind raises Unreadable, whose text is one sentence for
the agent; no other exception escapes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from leadinbox_mcp.tools.render.safety import clean, one_line


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 2**20
    """The file itself."""
    max_pages: int = 200
    """PDF pages and PowerPoint slides read."""
    max_sheets: int = 20
    max_rows: int = 2000
    """Rows read per sheet (rows with something in them; the CSV's too)."""
    max_text_chars: int = 2_000_000
    """Extracted text, all sections together."""
    max_unzipped_bytes: int = 100 * 2**20
    """Office zips: the sum of the members' uncompressed sizes."""
    max_zip_ratio: float = 100.0
    """Office zips: any member's uncompressed / compressed size (members over 1 MB)."""
    max_zip_members: int = 2000
    max_columns: int = 100
    """Columns read per sheet row."""
    max_email_parts: int = 500
    """MIME parts of an email walked (attachments listed, attached messages read)."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Section:
    label: str
    """"page 3", "sheet 'Pricing'", "slide 2", "" for a file of one part."""
    text: str


@dataclass(frozen=True)
class Extracted:
    kind: str
    """"PDF", "Word document", "Excel workbook", "CSV", "PowerPoint deck", "text", "HTML",
    "email", or what the file is when it has no text ("PNG image", ...)."""
    unit: str
    """What a section is: "page", "sheet", "slide", "part"."""
    sections: tuple[Section, ...]
    total: int
    """Sections in the file (the PDF's pages even when fewer were read)."""
    notes: tuple[str, ...]
    """Sentences about what was left out or hidden."""
    has_text: bool
    """False for images and unknown types: `notes` then holds the one line that describes the file."""
    size: int = 0
    """The file's size in bytes."""

    @property
    def text(self) -> str:
        """The sections one after the other, each under its label when there are several."""
        if len(self.sections) == 1 and not self.sections[0].label:
            return self.sections[0].text
        return "\n\n".join(f"[{s.label}]\n{s.text}" if s.label else s.text for s in self.sections)


class Unreadable(Exception):
    """The file cannot be read; str(exc) is one sentence for the agent (encrypted, damaged, too
    large, a zip bomb, ...)."""


@dataclass
class Draft:
    """What a format's reader hands back: sections before the shared cleaning and bounding."""

    kind: str
    unit: str
    sections: list[Section] = field(default_factory=list)
    total: int = 0
    notes: list[str] = field(default_factory=list)
    has_text: bool = True


class Clock:
    """The caller's deadline, checked between pages and rows."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    def out(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


def extract(
    data: bytes,
    filename: str | None,
    content_type: str | None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    deadline: float | None = None,
) -> Extracted:
    """The text of an attachment; raises Unreadable (one sentence) for a file that cannot be read."""
    from leadinbox_mcp.tools.attachments.bounds import human_size

    if len(data) > limits.max_bytes:
        raise Unreadable(
            f"This file is {human_size(len(data))}, more than the {human_size(limits.max_bytes)} that can be read."
        )
    try:
        draft = _read(data, filename, content_type, limits, Clock(deadline))
    except Unreadable:
        raise
    except MemoryError:
        raise Unreadable(
            "This file needs more memory to read than is allowed, so its text was not extracted."
        ) from None
    except RecursionError:
        raise Unreadable("This file is nested too deeply to read safely, so its text was not extracted.") from None
    except Exception:  # a library's error on a file it could not parse: one sentence, never a traceback
        raise Unreadable(
            "This file could not be read: it is damaged or uses features this reader does not support."
        ) from None
    return _finished(draft, limits, len(data))


def _read(data: bytes, filename: str | None, content_type: str | None, limits: Limits, clock: Clock) -> Draft:
    from leadinbox_mcp.tools.attachments import detect

    found = detect.detect(data, filename, content_type)
    if found.format == "pdf":
        from leadinbox_mcp.tools.attachments.pdf import read_pdf

        return read_pdf(data, limits, clock)
    if found.format in ("docx", "pptx"):
        from leadinbox_mcp.tools.attachments.office import read_docx, read_pptx

        return (read_docx if found.format == "docx" else read_pptx)(data, limits, clock)
    if found.format == "xlsx":
        from leadinbox_mcp.tools.attachments.sheets import read_xlsx

        return read_xlsx(data, limits, clock)
    if found.format == "csv":
        from leadinbox_mcp.tools.attachments.sheets import read_csv

        return read_csv(data, limits, clock)
    if found.format in ("text", "html", "eml"):
        from leadinbox_mcp.tools.attachments import text

        return {"text": text.read_text, "html": text.read_html, "eml": text.read_eml}[found.format](data, limits, clock)
    if found.format == "encrypted-office":
        raise Unreadable(
            f"This {found.kind} is password-protected, so its text cannot be read; ask the sender for an unprotected copy."
        )
    return Draft(kind=found.kind, unit="part", notes=[found.describe(len(data))], has_text=False)


LABEL_CHARS = 80
NOTE_CHARS = 300
MAX_NOTES = 10
"""A file's section labels (a sheet's title) and notes are the file's words: cut, and counted,
as a file of twenty sheets with 30,000-character titles made 315,454 tokens of a 6,000-token page."""


def _finished(draft: Draft, limits: Limits, size: int) -> Extracted:
    """Clean text (no invisible or control characters, spaces folded), empty sections dropped,
    and the text in all cut at max_text_chars."""
    sections: list[Section] = []
    notes = list(draft.notes)
    budget = limits.max_text_chars
    for section in draft.sections:
        section = Section(one_line(section.label, LABEL_CHARS), section.text)
        text = clean(section.text)
        if not text:
            continue
        if len(text) > budget:
            cut = text[:budget]
            at = cut.rfind("\n")
            text = cut[:at] if at > budget * 0.9 else cut
            if text.strip():
                sections.append(Section(section.label, text.rstrip()))
            where = f" in {section.label}" if section.label else ""
            notes.append(f"The text was cut at {limits.max_text_chars:,} characters{where}; the rest was not read.")
            break
        budget -= len(text)
        sections.append(Section(section.label, text))
    has_text = draft.has_text and bool(sections)
    if draft.has_text and not sections and not any("no text" in n for n in notes):
        notes.append(f"This {draft.kind} has no text to show.")
    notes = list(dict.fromkeys(one_line(note, NOTE_CHARS) for note in notes))
    if len(notes) > MAX_NOTES:
        notes = notes[: MAX_NOTES - 1] + [f"{len(notes) - MAX_NOTES + 1:,} more notes like these."]
    return Extracted(
        kind=draft.kind,
        unit=draft.unit,
        sections=tuple(sections),
        total=draft.total or len(draft.sections),
        notes=tuple(notes),
        has_text=has_text,
        size=size,
    )
