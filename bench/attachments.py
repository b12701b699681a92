"""`python -m bench.attachments`: attachment text extraction (leadinbox_mcp/tools/attachments), measured.

- corpus: every document of the sandbox (leadinbox_mcp/sandbox/documents) and every hostile
  sample (tests/attachments) through extract(): file size, median time of RUNS runs (HTML runs
  cold: the render caches are cleared before each), sections, characters and cl100k tokens out
  (tools/render/tokens.py), and the notes or the refusal.
- long: a 120-page PDF (the RFP's pages over and over), the 2,600-row sheet, a 20,000-row CSV, a
  60-slide deck: throughput and what the caps leave.
- pdf libraries: the candidates for PDF on the RFP (2 pages) and the 120-page PDF: median ms and
  text quality against the text the generator drew (word F1: words found, bag of words; order:
  difflib ratio of the word sequences in reading order), and how many of the hidden-text sample's
  hidden lines each one's plain extraction leaks. Candidates not installed are skipped
  (`pip install pypdf pdfminer.six pdfplumber`).
- office libraries: our direct XML reading against python-docx and python-pptx (if installed) on
  the order form and the deck: ms, characters, hidden lines leaked.
"""

from __future__ import annotations

import collections
import difflib
import importlib.util
import io
import re
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import cold_times
from leadinbox_mcp.sandbox.documents import NAMES, load
from leadinbox_mcp.tools.attachments import Unreadable, extract
from leadinbox_mcp.tools.render import html as html_module
from leadinbox_mcp.tools.render.tokens import count_tokens

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "attachments"
RUNS = 15

_spec = importlib.util.spec_from_file_location("make_documents", ROOT / "scripts" / "make_documents.py")
assert _spec is not None and _spec.loader is not None
make_documents = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_documents)


def _cold() -> None:
    html_module._converted.cache_clear()
    html_module._parse_sheet.cache_clear()
    html_module._style_cached.cache_clear()


def median_ms(fn: Callable[[], Any], runs: int = RUNS) -> float:
    return statistics.median(cold_times(fn, _cold, runs))


def _size(n: int) -> str:
    return f"{n / 1024:,.1f} KB" if n >= 1024 else f"{n} B"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                str(c).rjust(w) if str(c)[:1].isdigit() or str(c).endswith("ms") else str(c).ljust(w)
                for c, w in zip(row, widths)
            )
        )
    return "\n".join(lines)


def _row(name: str, data: bytes, filename: str | None = None) -> list[str]:
    def run() -> Any:
        try:
            return extract(data, filename or name, None)
        except Unreadable as exc:
            return exc

    out = run()
    ms = median_ms(run, RUNS if len(data) < 200_000 else 5)
    if isinstance(out, Unreadable):
        return [name, "refused", _size(len(data)), f"{ms:.2f} ms", "-", "-", "-", str(out)[:70]]
    text = out.text
    notes = " ".join(out.notes)
    return [
        name,
        out.kind,
        _size(len(data)),
        f"{ms:.2f} ms",
        f"{len(out.sections)}/{out.total}",
        f"{len(text):,}",
        f"{count_tokens(text):,}",
        (notes[:70] + "…") if len(notes) > 70 else notes,
    ]


HEADER = ["file", "kind", "size", "median", "sections", "chars", "tokens", "notes / refusal"]


def corpus() -> str:
    rows = [_row(name, load(name) or b"") for name in NAMES]
    rows += [_row(path.name, path.read_bytes()) for path in sorted(HOSTILE.iterdir())]
    return _table(HEADER, rows)


# ---------------------------------------------------------------------------------------------
# Long documents
# ---------------------------------------------------------------------------------------------


def pdfs(pages: int = 120) -> tuple[bytes, str, bytes]:
    """The RFP, the text its generator drew in reading order (top to bottom, left to right on
    each page), and the RFP's two pages repeated to `pages`."""
    pdf = make_documents.rfp_pdf()
    truth = " ".join(" ".join(t for _, _, t in sorted(p.drawn, key=lambda d: (-d[1], d[0]))) for p in pdf.pages)
    rfp = pdf.write()
    pdf.pages = pdf.pages * (pages // len(pdf.pages))
    return rfp, truth, pdf.write()


def long_documents(big_pdf: bytes) -> str:
    csv_rows = ["id,company,stage,amount"] + [f"{i},Company {i},open,{i * 10}" for i in range(20_000)]
    deck_slides = [
        (make_documents.p_text(2, "Title", (48, 36, 864, 72), [f"Slide {i}: pipeline review"], size=3600), f"Notes {i}")
        for i in range(60)
    ]
    deck = make_documents.pptx(deck_slides, title="Long deck", creator="bench")
    rows = [
        _row("RFP x 60 (120 pages)", big_pdf, "rfp.pdf"),
        _row("long_sheet.xlsx (2,600 rows)", (HOSTILE / "long_sheet.xlsx").read_bytes()),
        _row("CSV of 20,000 rows", "\n".join(csv_rows).encode(), "leads.csv"),
        _row("PPTX of 60 slides", deck, "deck.pptx"),
    ]
    return _table(HEADER, rows)


# ---------------------------------------------------------------------------------------------
# Candidate libraries
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def quality(truth: str, out: str) -> tuple[float, float]:
    """(word F1 over the bag of words, difflib ratio of the word sequences)."""
    tw, ow = _words(truth), _words(out)
    common = sum((collections.Counter(tw) & collections.Counter(ow)).values())
    precision, recall = common / max(1, len(ow)), common / max(1, len(tw))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, difflib.SequenceMatcher(None, tw, ow, autojunk=False).ratio()


def _pdf_candidates() -> dict[str, Callable[[bytes], str]]:
    found: dict[str, Callable[[bytes], str]] = {}
    found["pypdfium2 via extract() (ours)"] = lambda data: "\n".join(
        s.text for s in extract(data, "x.pdf", None).sections
    )
    import pypdfium2 as pdfium

    def pdfium_plain(data: bytes) -> str:
        document = pdfium.PdfDocument(data)
        try:
            return "\n".join(page.get_textpage().get_text_range() for page in document)
        finally:
            document.close()

    found["pypdfium2 get_text_range"] = pdfium_plain
    if importlib.util.find_spec("pypdf"):
        import pypdf

        found["pypdf"] = lambda data: "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    if importlib.util.find_spec("pdfminer"):
        from pdfminer.high_level import extract_text

        found["pdfminer.six"] = lambda data: extract_text(io.BytesIO(data))
    if importlib.util.find_spec("pdfplumber"):
        import pdfplumber

        def plumber(data: bytes) -> str:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                return "\n".join(page.extract_text() or "" for page in pdf.pages)

        found["pdfplumber"] = plumber
    return found


PDF_MARKERS = "WHITEWASH PALEGHOST TINYPRINT OFFPAGE NOINK CLEARGLASS"


def _leaked(text: str) -> int:
    return sum(1 for word in make_documents.HIDDEN_WORDS if word in text)


def pdf_libraries(rfp: bytes, truth: str, big: bytes) -> str:
    hidden = (HOSTILE / "hidden_text.pdf").read_bytes()
    rows = []
    for name, fn in _pdf_candidates().items():
        out = fn(rfp)
        f1, order = quality(truth, out)
        ms_small = median_ms(lambda: fn(rfp))
        ms_big = median_ms(lambda: fn(big), 3)
        rows.append(
            [name, f"{ms_small:.2f} ms", f"{ms_big:,.0f} ms", f"{f1:.3f}", f"{order:.3f}", str(_leaked(fn(hidden)))]
        )
    header = ["library", "RFP (2 p.)", "120 pages", "word F1", "order", f"hidden leaked (of {_leaked(PDF_MARKERS)})"]
    return _table(header, rows)


def office_libraries() -> str:
    rows = []
    order_form = load("PW-2026-0318_Order_Form_LumenPay_signed.docx") or b""
    deck = load("Pipewise_for_LumenPay.pptx") or b""
    hidden_docx = (HOSTILE / "hidden_text.docx").read_bytes()
    hidden_pptx = (HOSTILE / "hidden_text.pptx").read_bytes()
    candidates: list[tuple[str, bytes, bytes, Callable[[bytes], str]]] = [
        ("DOCX: direct XML (ours)", order_form, hidden_docx, lambda d: extract(d, "x.docx", None).text),
        ("PPTX: direct XML (ours)", deck, hidden_pptx, lambda d: extract(d, "x.pptx", None).text),
    ]
    if importlib.util.find_spec("docx"):
        import docx

        def python_docx(data: bytes) -> str:
            document = docx.Document(io.BytesIO(data))
            parts = [p.text for p in document.paragraphs]
            for table in document.tables:
                parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
            for section in document.sections:
                parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
            return "\n".join(parts)

        candidates.insert(1, ("DOCX: python-docx", order_form, hidden_docx, python_docx))
    if importlib.util.find_spec("pptx"):
        import pptx

        def python_pptx(data: bytes) -> str:
            deck = pptx.Presentation(io.BytesIO(data))
            parts = []
            for slide in deck.slides:
                for shape in slide.shapes:
                    if shape.has_text_frame:
                        parts.append(shape.text_frame.text)
                    if getattr(shape, "has_table", False):
                        parts += [" | ".join(c.text for c in row.cells) for row in shape.table.rows]
                if slide.has_notes_slide:
                    parts.append(slide.notes_slide.notes_text_frame.text)
            return "\n".join(parts)

        candidates.append(("PPTX: python-pptx", deck, hidden_pptx, python_pptx))
    for name, data, hidden, fn in candidates:
        ms = median_ms(lambda: fn(data))
        rows.append([name, f"{ms:.2f} ms", f"{len(fn(data)):,}", str(_leaked(fn(hidden)))])
    return _table(["reader", "median", "chars", "hidden leaked (DOCX of 6, PPTX of 3)"], rows)


def main(argv: list[str] | None = None) -> int:
    rfp, truth, big = pdfs()
    print("Attachment extraction: extract() on the sandbox's documents and the hostile samples")
    print(f"(median of {RUNS} runs, one core; tokens: cl100k_base)\n")
    print(corpus())
    print("\nLong documents (default Limits)\n")
    print(long_documents(big))
    print("\nPDF libraries: time, text quality against the text drawn, hidden text leaked by plain extraction\n")
    print(pdf_libraries(rfp, truth, big))
    print("\nDOCX and PPTX readers\n")
    print(office_libraries())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
