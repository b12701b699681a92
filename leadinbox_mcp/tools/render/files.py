"""An attachment in one line, as get_thread and get_attachment show it."""

from __future__ import annotations

import re

from leadinbox_mcp.providers.model import Attachment
from leadinbox_mcp.tools.render.safety import quoted

_KNOWN_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "text/calendar": "calendar invite",
}


_MIME_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]{0,60}/[A-Za-z0-9][\w.+-]{0,100}")


def describe(attachment: Attachment, number: int | None = None) -> str:
    """`"rfp.pdf" (PDF, 86 KB)`: the sender chose the file name and type, so both are quoted
    unless the type has the shape of a MIME type. `number` is shown where the name is not
    enough to ask get_attachment for it (a name used twice, or none)."""
    name, content_type, size = attachment.filename, (attachment.content_type or "").strip(), attachment.size
    kind = _KNOWN_TYPES.get(content_type.lower()) or (
        content_type if _MIME_TYPE.fullmatch(content_type) else quoted(content_type, 60)
    )
    details = [d for d in (kind, _size(size)) if d]
    shown = quoted(name, 120) or '"(no name)"'
    if number is not None:
        details.insert(0, f"number {number}")
    return f"{shown} ({', '.join(details)})" if details else shown


def _size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
