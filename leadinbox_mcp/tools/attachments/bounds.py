"""Guards for hostile files: sizes said in words, Office zips checked before anything inflates,
and XML parsed without document type declarations.

A DOCX, XLSX or PPTX is a zip. A zip bomb declares its sizes honestly in the central directory
(the zip module will not inflate a member past its declared size, and checks its CRC), so the
central directory is enough to refuse one before a byte is inflated: too many members, too much
uncompressed data in all, or a member that expands more than `max_zip_ratio` times. The member
count is read from the end-of-central-directory record first, so that a directory of a million
entries is refused without being parsed. Office never writes a DTD: XML that declares one
(entity expansion, external entities) is refused outright, and expat's own amplification limits
stand behind that.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from xml.etree import ElementTree

from leadinbox_mcp.tools.attachments.extract import Limits, Unreadable

RATIO_FLOOR = 2**20
"""Members smaller than this uncompressed are not held to max_zip_ratio: they cannot bomb, and
small repetitive XML legitimately compresses well."""
MAX_XML_PART = 32 * 2**20
"""A Word or PowerPoint XML part larger than this is not parsed (a tree in memory takes about ten
times its size); a 300-page document's body is a few megabytes."""
_EOCD = b"PK\x05\x06"


def human_size(size: int) -> str:
    """1 byte, 296 bytes, 86 KB, 1.2 MB, 20 MB."""
    if size < 1024:
        return f"{size:,} byte{'s' if size != 1 else ''}"
    if size < 1024 * 1024:
        return f"{round(size / 1024):,} KB"
    mb = size / 2**20
    return f"{mb:.1f} MB".replace(".0 MB", " MB") if mb < 10 else f"{round(mb):,} MB"


def _declared_members(data: bytes) -> int | None:
    """The member count the end-of-central-directory record declares (65,535: a ZIP64 count,
    more than any Office file has); None without such a record."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    return int(struct.unpack("<H", data[at + 10 : at + 12])[0])


def zip_names(data: bytes, max_members: int = 10_000) -> set[str] | None:
    """The member names of a zip, to tell DOCX from XLSX and PPTX; None for a zip that cannot be
    read (or with more members than anything worth reading has)."""
    declared = _declared_members(data)
    if declared is None or declared > max_members:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        return None


def open_zip(data: bytes, kind: str, limits: Limits) -> zipfile.ZipFile:
    """The Office file's zip, after its central directory passed every bound."""
    declared = _declared_members(data)
    if declared is not None and declared > limits.max_zip_members:
        raise _too_many(kind, declared, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise Unreadable(f"This {kind} is damaged: its zip container cannot be read.") from None
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise _too_many(kind, len(members), limits)
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise Unreadable(
            f"This {kind} was refused as a possible zip bomb: its parts would expand to "
            f"{human_size(total)}, more than the {human_size(limits.max_unzipped_bytes)} allowed."
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise Unreadable(
                f"This {kind} is password-protected, so its text cannot be read; ask the sender for an unprotected copy."
            )
        if member.file_size >= RATIO_FLOOR:
            ratio = member.file_size / max(1, member.compress_size)
            if ratio > limits.max_zip_ratio:
                raise Unreadable(
                    f"This {kind} was refused as a possible zip bomb: its part {member.filename[:80]} would expand "
                    f"{ratio:,.0f} times, more than the {limits.max_zip_ratio:,.0f} allowed."
                )
    return archive


def _too_many(kind: str, count: int, limits: Limits) -> Unreadable:
    return Unreadable(
        f"This {kind} was refused as a possible zip bomb: it holds {count:,} parts, "
        f"more than the {limits.max_zip_members:,} allowed."
    )


def read_member(archive: zipfile.ZipFile, name: str, kind: str, max_size: int | None = None) -> bytes | None:
    """A member's bytes (its declared size was bounded by open_zip, and by `max_size` if given);
    None if there is no such member."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if max_size is not None and info.file_size > max_size:
        raise Unreadable(
            f"This {kind} was refused: its part {name[:80]} holds {human_size(info.file_size)} of XML, "
            f"more than the {human_size(max_size)} that can be read safely."
        )
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise Unreadable(f"This {kind} is damaged: its part {name[:80]} cannot be unpacked.") from None


def parse_xml(data: bytes, name: str, kind: str) -> ElementTree.Element:
    """An Office XML part, refused if it declares a DTD or entities (Office never does)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or _utf16_declaration(data):
        raise Unreadable(
            f"This {kind} was refused: its part {name[:80]} declares a DTD or entities, which Office files never do."
        )
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise Unreadable(f"This {kind} is damaged: its part {name[:80]} is not well-formed XML.") from None


def _utf16_declaration(data: bytes) -> bool:
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and not (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        return False
    text = data.decode("utf-16", "ignore")
    return "<!DOCTYPE" in text or "<!ENTITY" in text
