"""What a file is: its bytes first (magic numbers, the parts inside a zip), then the content type
its sender gave, then its name's extension; and, for files without text, the one line that says
what they are ("PNG image, 160×90, 296 bytes: no text extracted.").

A name or a content type can lie (a .pdf that is a PNG, a DOCX sent as application/octet-stream):
the bytes decide wherever they can. Formats without magic (CSV, plain text, HTML, email) are
decided by the content type, then the extension, then a look at the first bytes.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import PurePosixPath

from leadinbox_mcp.tools.attachments.bounds import human_size, zip_names

KINDS = {
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "pptx": "PowerPoint deck",
    "csv": "CSV",
    "text": "text",
    "html": "HTML",
    "eml": "email",
}

_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-word.document.macroenabled.12": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.ms-powerpoint.presentation.macroenabled.12": "pptx",
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/csv": "csv",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "message/rfc822": "eml",
    "text/plain": "text",
    "text/markdown": "text",
    "application/json": "text",
    "text/calendar": "text",
    "text/vcard": "text",
    "text/x-vcard": "text",
}
_EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "docm": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "pptx": "pptx",
    "pptm": "pptx",
    "csv": "csv",
    "tsv": "csv",
    "htm": "html",
    "html": "html",
    "xhtml": "html",
    "eml": "eml",
    **dict.fromkeys("txt text md markdown log json ics vcf yaml yml ini cfg".split(), "text"),
}
# Office's own names for the old binary formats and the Office types it encrypts.
_LEGACY = {"doc": "Word 97-2003 document", "xls": "Excel 97-2003 workbook", "ppt": "PowerPoint 97-2003 deck"}
_LEGACY_TYPES = {"application/msword": "doc", "application/vnd.ms-excel": "xls", "application/vnd.ms-powerpoint": "ppt"}
_OFFICE_BY_EXTENSION = {
    **dict.fromkeys(("docx", "docm", "doc"), "Word document"),
    **dict.fromkeys(("xlsx", "xlsm", "xls"), "Excel workbook"),
    **dict.fromkeys(("pptx", "pptm", "ppt"), "PowerPoint deck"),
}
_CFB = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_EMAIL_HEADER = re.compile(
    rb"^(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+):[ \t]", re.I | re.M
)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.I)


@dataclass(frozen=True)
class Found:
    format: str
    """pdf, docx, xlsx, pptx, csv, text, html, eml; encrypted-office; or none (no text)."""
    kind: str
    """The name an agent reads: "PDF", "Word document", "PNG image", "file"..."""
    detail: str = ""
    """For files without text: what can be said of them (an image's dimensions, the old format)."""

    def describe(self, size: int) -> str:
        detail = f", {self.detail}" if self.detail else ""
        return f"{self.kind}{detail}, {human_size(size)}: no text extracted."


def detect(data: bytes, filename: str | None, content_type: str | None) -> Found:
    extension = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower().lstrip(".")
    mime = (content_type or "").split(";")[0].strip().lower()
    by_magic = _by_magic(data, extension, mime)
    if by_magic is not None:
        return by_magic
    declared = _CONTENT_TYPES.get(mime)
    by_name = _EXTENSIONS.get(extension)
    # Text formats have no magic: the content type decides, then the name (text/plain is
    # generic, so a .csv or .html sent as text/plain is read as what its name says), then a look.
    looks = _by_look(data)
    for candidate in (declared if declared != "text" else None, by_name, declared, looks):
        if candidate not in ("csv", "text", "html", "eml"):
            continue
        if looks is None:  # binary content under a text name or type
            return Found("none", _unknown_kind(mime, extension))
        if candidate == "text" and looks in ("html", "eml"):
            candidate = looks  # an HTML page or a mail saved as .txt: read as what it is (hidden text stays hidden)
        return Found(candidate, KINDS[candidate])
    claimed = declared or by_name
    if claimed in ("pdf", "docx", "xlsx", "pptx"):
        # A "report.pdf" without %PDF is no PDF: formats with magic are not taken on a name's word.
        return Found("none", f"file sent as a {KINDS[claimed]}", "but its content is not one")
    if mime.startswith("image/") or extension in ("svg", "heic", "heif", "avif"):
        return Found("none", f"{(extension or mime.split('/')[1]).upper()} image")
    return Found("none", _unknown_kind(mime, extension))


def _unknown_kind(mime: str, extension: str) -> str:
    if extension:
        return f".{extension} file"
    if mime and mime not in ("application/octet-stream", "binary/octet-stream"):
        return f"{mime} file"
    return "file of unknown type"


def _by_magic(data: bytes, extension: str, mime: str) -> Found | None:
    head = data[:16]
    if b"%PDF-" in data[:1024]:
        return Found("pdf", "PDF")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = zip_names(data)
        if names is None:
            office = _OFFICE_BY_EXTENSION.get(extension)
            # A damaged zip named like an Office file: its reader will say what is wrong.
            return Found({"Word document": "docx", "Excel workbook": "xlsx", "PowerPoint deck": "pptx"}[office], office) if office else Found("none", "ZIP archive")  # fmt: skip
        if "word/document.xml" in names or any(n.startswith("word/") for n in names):
            return Found("docx", KINDS["docx"])
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            return Found("xlsx", KINDS["xlsx"])
        if "ppt/presentation.xml" in names or any(n.startswith("ppt/") for n in names):
            return Found("pptx", KINDS["pptx"])
        return Found("none", "ZIP archive", f"{len(names):,} file{'s' if len(names) != 1 else ''} inside, not opened")
    if head.startswith(_CFB):
        office = _OFFICE_BY_EXTENSION.get(extension) or _OFFICE_BY_EXTENSION.get(_LEGACY_TYPES.get(mime, ""))
        if _ENCRYPTED_PACKAGE in data:
            return Found("encrypted-office", office or "Office document")
        legacy = _LEGACY.get(extension) or _LEGACY.get(_LEGACY_TYPES.get(mime, ""))
        if extension == "msg" or mime == "application/vnd.ms-outlook":
            return Found("none", "Outlook message (.msg)", "a format not read; ask for the email as .eml or forwarded")
        return Found(
            "none", legacy or "Office 97-2003 file", "an old binary format not read; ask for a DOCX, XLSX, PPTX or PDF"
        )
    image = _image(data)
    if image is not None:
        return image
    return None


def _image(data: bytes) -> Found | None:
    """An image by its magic, with its dimensions where the header gives them cheaply."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return Found("none", "PNG image", f"{width}×{height}")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return Found("none", "GIF image", f"{width}×{height}")
    if data.startswith(b"\xff\xd8\xff"):
        size = _jpeg_size(data)
        return Found("none", "JPEG image", f"{size[0]}×{size[1]}" if size else "")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Found("none", "WebP image")
    if data[:4] in (b"II*\0", b"MM\0*"):
        return Found("none", "TIFF image")
    if data[:2] == b"BM" and len(data) >= 26 and struct.unpack("<I", data[2:6])[0] == len(data):
        width, height = struct.unpack("<ii", data[18:26])
        return Found("none", "BMP image", f"{width}×{abs(height)}")
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"avif"):
        return Found("none", "AVIF image" if data[8:12] == b"avif" else "HEIC image")
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at, end = 2, min(len(data), 1 << 20)
    while at + 9 < end:
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def _by_look(data: bytes) -> str | None:
    """Text formats without magic, by their first bytes: HTML, an email's headers, or text."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _html_start(head):
        return "html"
    first = head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    if len(_EMAIL_HEADER.findall(first)) >= 3 and _EMAIL_HEADER.match(head):
        return "eml"
    return None if _binary(data) else "text"


def _html_start(head: bytes) -> bool:
    """Whether `head` starts, after whitespace and comments, with a doctype, html, head or body tag."""
    text = head.lstrip()
    while text.startswith(b"<!--"):
        end = text.find(b"-->", 4)
        if end < 0:
            return False
        text = text[end + 3 :].lstrip()
    return _HTML_START.match(text) is not None


def _binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB (UTF-16 with its BOM is text)."""
    head = data[:8192]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    if b"\0" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) // 20
