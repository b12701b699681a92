"""Spreadsheets as compact tables: XLSX through openpyxl (read-only, cached values), and CSV.

A sheet becomes pipe-separated rows, the header first, as it was laid out: empty rows and
columns at the end dropped, runs of empty rows inside folded to one blank line, a `|` inside a
cell written `/`, line breaks in a cell as spaces. Numbers read as Excel shows them: the cell's
number format gives the decimals, thousands separators, percent, currency and literal text
(`"$"#,##0.00` shows $21,600.00, `0%` shows 15%); dates are written ISO 8601 (2026-06-30), which
no reader misreads. Formulas show their value as last calculated (what Excel would display).

XLSX: the zip's central directory is bounded first (bounds.py), then openpyxl reads row by row in
read-only mode, at most max_sheets sheets, max_rows rows with content and max_columns columns
each. Hidden sheets (hidden or very hidden in Excel) are not read, and counted in a note.
openpyxl's read-only mode does not report hidden rows or columns: their cells are shown.
CSV: decoded as text.py decodes plain text, its delimiter sniffed (comma, semicolon, tab, pipe).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import statistics
from collections.abc import Iterable, Iterator
from typing import Any

from leadinbox_mcp.tools.attachments.bounds import open_zip
from leadinbox_mcp.tools.attachments.extract import Clock, Draft, Limits, Section, Unreadable
from leadinbox_mcp.tools.attachments.text import decode

_EXCEL_MAX_ROWS = 1_048_576
_BLANK = "\0blank"  # a run of empty rows inside a table (one blank line)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def _cell_text(value: str) -> str:
    if "|" in value or "\n" in value or "\r" in value:
        value = value.replace("|", "/").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return value.strip()


def table(rows: Iterable[list[str]]) -> str:
    """Pipe-separated lines; trailing empty cells and rows dropped, inner runs of empty rows
    folded to one blank line, columns empty in every row dropped at the right."""
    lines: list[list[str]] = []
    pending_blank = False
    for row in rows:
        cells = [_cell_text(c) for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            pending_blank = bool(lines)
            continue
        if pending_blank:
            lines.append([_BLANK])
            pending_blank = False
        lines.append(cells)
    return "\n".join("" if line == [_BLANK] else " | ".join(line) for line in lines)


# ---------------------------------------------------------------------------------------------
# Numbers as Excel shows them
# ---------------------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')
_LOCALE = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]")
_BRACKETS = re.compile(r"\[[^\]]*\]")  # colours, conditions
_ESCAPED = re.compile(r"\\(.)")


def format_number(value: float | int, number_format: str | None) -> str:
    """`value` as a cell with `number_format` shows it (the common formats; others as General)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    code = (number_format or "General").strip()
    if code in ("General", "@", ""):
        return _general(value)
    sections = _split_sections(code)
    section = sections[0]
    negative = value < 0
    if negative and len(sections) > 1:
        section, value, negative = sections[1], -value, False
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    try:
        shown = _apply(section, abs(value))
    except (ValueError, OverflowError):
        return _general(value)
    if shown is None:
        return _general(value if not negative else -value)
    return f"-{shown}" if negative else shown


def _split_sections(code: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _apply(section: str, value: float | int) -> str | None:
    """One section of a format applied to a non-negative value; None: show it as General."""
    literals: list[str] = []

    def protect(text: str) -> str:
        literals.append(text)
        return chr(0xE000 + len(literals) - 1)  # one private-use character per literal

    def restore(text: str) -> str:
        return "".join(literals[ord(ch) - 0xE000] if 0xE000 <= ord(ch) < 0xE000 + len(literals) else ch for ch in text)

    code = _LOCALE.sub(lambda m: protect(m.group(1)), section)
    code = _BRACKETS.sub("", code)
    code = _QUOTED.sub(lambda m: protect(m.group(1)), code)
    code = _ESCAPED.sub(lambda m: protect(m.group(1)), code)
    code = re.sub(r"_.", " ", code)
    code = re.sub(r"\*.", "", code)
    bare = "".join(ch for ch in code if not 0xE000 <= ord(ch) < 0xF900)
    if re.search(r"[dmyhs]", bare, re.I) or "/" in bare:
        return None  # a date, time or fraction format on a plain number
    digits = [i for i, ch in enumerate(code) if ch in "0#?"]
    if not digits:
        return restore(code).strip()  # a format of literal text only
    core = code[digits[0] : digits[-1] + 1]
    prefix, suffix = code[: digits[0]], code[digits[-1] + 1 :]
    scale = len(suffix) - len(suffix.lstrip(","))  # each trailing comma divides by 1,000
    suffix = suffix[scale:]
    number = value * 100 if "%" in prefix + suffix else value
    number = number / 1000**scale
    mantissa, exponent, _ = core.upper().partition("E")
    integer, _, fraction = mantissa.partition(".")
    decimals = sum(1 for ch in fraction if ch in "0#?")
    if number == 0 and "0" not in core:
        rendered = ""  # `#` and `?` show nothing for zero (the accounting format's dash stays)
    elif exponent:
        rendered = f"{number:.{decimals}E}"
    else:
        rendered = f"{number:{',' if ',' in integer else ''}.{decimals}f}"
        if decimals and set(fraction) <= {"#"}:
            rendered = rendered.rstrip("0").rstrip(".")
    return (restore(prefix) + rendered + restore(suffix)).strip()


def _general(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    return text


def _shown(value: Any, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return format_number(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and not re.search(r"[hs]", (number_format or "").lower()):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def read_xlsx(data: bytes, limits: Limits, clock: Clock) -> Draft:
    kind = "Excel workbook"
    open_zip(data, kind, limits).close()  # the bounds, before openpyxl inflates anything
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        AttributeError,
        EOFError,
        OSError,
        SyntaxError,
    ):
        raise Unreadable("This Excel workbook is damaged or not a workbook openpyxl can read.") from None
    try:
        return _read_workbook(workbook, limits, clock)
    finally:
        workbook.close()


def _read_workbook(workbook: Any, limits: Limits, clock: Clock) -> Draft:
    sheets = list(workbook.worksheets)
    visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
    draft = Draft(kind="Excel workbook", unit="sheet", total=len(visible))
    hidden = len(sheets) - len(visible)
    for ws in visible[: limits.max_sheets]:
        if clock.out():
            draft.notes.append(f"Reading stopped at sheet '{ws.title}': the time allowed ran out.")
            break
        rows, more = _sheet_rows(ws, limits, clock)
        label = f"sheet '{ws.title}'"
        draft.sections.append(Section(label, table(rows)))
        if more:
            declared = ws.max_row if isinstance(ws.max_row, int) else None
            of = f" of {declared:,}" if declared and declared > limits.max_rows else ""
            draft.notes.append(f"Sheet '{ws.title}': only the first {limits.max_rows:,}{of} rows were read.")
        declared_columns = ws.max_column if isinstance(ws.max_column, int) else 0
        if declared_columns > limits.max_columns:
            draft.notes.append(
                f"Sheet '{ws.title}': only the first {limits.max_columns:,} of {declared_columns:,} columns were read."
            )
    if len(visible) > limits.max_sheets:
        draft.notes.append(f"Only the first {limits.max_sheets:,} of {len(visible):,} sheets were read.")
    if hidden:
        draft.notes.append(
            f"{hidden} hidden sheet{'s' if hidden > 1 else ''} not shown (hidden in Excel, so not what a reader sees)."
        )
    return draft


def _sheet_rows(ws: Any, limits: Limits, clock: Clock) -> tuple[list[list[str]], bool]:
    """At most max_rows rows with content (empty ones between them kept), and whether there were more."""
    rows: list[list[str]] = []
    filled = 0
    seen = 0
    for row in ws.iter_rows(max_col=limits.max_columns):
        seen += 1
        if seen > _EXCEL_MAX_ROWS or (seen % 256 == 0 and clock.out()):
            return rows, True
        cells = [_shown(cell.value, getattr(cell, "number_format", None)) for cell in row]
        if any(cells):
            if filled == limits.max_rows:
                return rows, True
            filled += 1
            rows.append(cells)
        elif rows:
            rows.append([])
    return rows, False


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def read_csv(data: bytes, limits: Limits, clock: Clock) -> Draft:
    text = decode(data)
    draft = Draft(kind="CSV", unit="part", total=1)
    delimiter = _delimiter(text[:16_384])
    rows: list[list[str]] = []
    filled = total = 0
    wide = False
    try:
        reader: Iterator[list[str]] = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            if not any(c.strip() for c in row):
                if rows:
                    rows.append([])
                continue
            total += 1
            if filled < limits.max_rows:
                filled += 1
                wide = wide or len(row) > limits.max_columns
                rows.append(row[: limits.max_columns])
            elif total % 1024 == 0 and clock.out():
                break
    except csv.Error:
        raise Unreadable("This CSV is malformed (a field longer than the CSV reader allows, or a stray NUL), so it cannot be read.") from None  # fmt: skip
    draft.sections.append(Section("", table(rows)))
    if total > filled:
        draft.notes.append(f"Only the first {filled:,} of {total:,} rows were read.")
    if wide:
        draft.notes.append(f"Only the first {limits.max_columns:,} columns were read.")
    return draft


def _delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same number of fields, the most fields
    winning (csv.Sniffer is not used: its regular expressions take seconds on hostile samples)."""
    lines = sample.splitlines()[:20]
    if len(lines) > 1 and len(sample) == 16_384:
        lines = lines[:-1]  # the last one may be cut
    best, best_score = ",", (False, 0)
    for candidate in ",;\t|":
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=candidate) if row]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        score = (len(set(counts)) == 1, statistics.mode(counts))
        if score > best_score:
            best, best_score = candidate, score
    return best
