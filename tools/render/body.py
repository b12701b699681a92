"""A message's body as clean, safe text: HTML to text, quoted history and footers trimmed."""

from __future__ import annotations

from inbox_mcp.providers.model import Message
from inbox_mcp.tools.render.html import html_to_text
from inbox_mcp.tools.render.quotes import Trimmed, trim
from inbox_mcp.tools.render.safety import clean


def body(message: Message, *, links: bool) -> Trimmed:
    """HTML is preferred where both forms exist: its quote containers are the surest cut."""
    if message.html and message.html.strip():
        trimmed = trim(clean(html_to_text(message.html, links=links)))
        if trimmed.text:
            return trimmed
        # Everything sat inside a quote container: keep the message rather than lose it.
        fallback = trim(clean(html_to_text(message.html, links=links, drop_quotes=False)))
        if fallback.text:
            return fallback
    return trim(clean(message.text or ""))
