"""A message's body as the smallest clean text that still holds everything needed to answer it.

HTML is preferred where both forms exist: it is what the recipient saw, its hidden elements can
be recognised (the text part of a multipart mail can say anything), and its quote containers are
the surest cut. The HTML goes to text (html.py), the text loses quoted history, signature and
footers (quotes.py), and everything is made safe to print (safety.py). Links: in concise output
their text only, in detailed `text <url>`; URLs anywhere lose their tracking parameters and
click-tracking wrappers. A body that would become empty keeps its text.
"""

from __future__ import annotations

import re
import unicodedata

from inbox_mcp.providers.model import Message
from inbox_mcp.tools.render.html import clean_url, convert
from inbox_mcp.tools.render.quotes import Trimmed, has_content, trim
from inbox_mcp.tools.render.safety import clean, strip_invisible

MAX_CHARS = 20_000
"""A body longer than this is cut (with a note): no single message may flood a context window."""

# "link text <https://...>", the plain-text form of a link (the text part of HTML mail).
_ANGLE_URL = re.compile(r"(?<=[\w)\]\"'.!?])[ \t]?<(https?://[^\s<>]+)>")
_URL = re.compile(r"https?://[^\s<>\"'\[\]{}|\\^`]+", re.I)
_URL_TAIL = ".,;:!?)'\""
# Invisible characters that carry or disguise text (not the odd zero-width space): Unicode tag
# characters, bidi overrides and isolates, runs of variation selectors. Worth saying in detailed.
_SMUGGLED = re.compile("[\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069]|[\ufe00-\ufe0f\U000e0100-\U000e01ef]{4,}")


def body(message: Message, *, links: bool) -> Trimmed:
    """The message's text for a thread (`links`: detailed output, with link targets) and what was
    trimmed from it, in the words detailed output shows."""
    result = None
    if message.html and message.html.strip():
        result = _from_html(message.html, links=links)
    if result is None:
        text = message.text or ""
        trimmed = trim(_prepare(text))
        removed = trimmed.removed + (["invisible characters"] if _SMUGGLED.search(text) else [])
        result = Trimmed(_text_links(clean(trimmed.text), links), removed)
    return _bounded(Trimmed(_clean_urls(result.text), result.removed))


def _from_html(html: str, *, links: bool) -> Trimmed | None:
    for drop_quotes in (True, False):
        # Without drop_quotes: everything sat inside quotes, signatures or boilerplate; keep
        # the message rather than lose it.
        converted = convert(html, links=links, drop_quotes=drop_quotes)
        trimmed = trim(_prepare(converted.text))
        text = clean(trimmed.text)
        if has_content(text):
            removed = [r for r in converted.removed if r != "hidden text"] if drop_quotes else []
            removed += trimmed.removed
            if "hidden text" in converted.removed:
                removed.append("hidden text")
            if _SMUGGLED.search(converted.text):
                removed.append("invisible characters")
            return Trimmed(text, list(dict.fromkeys(removed)))
    return None


def _prepare(text: str) -> str:
    """Safe characters, but whitespace as it was: the signature delimiter is "-- " with its space."""
    return strip_invisible(unicodedata.normalize("NFC", text))


def _text_links(text: str, links: bool) -> str:
    """Plain-text bodies write links as `text <url>`: concise keeps the text only."""
    return text if links else _ANGLE_URL.sub("", text)


def _clean_urls(text: str) -> str:
    if "://" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        url = m.group(0)
        tail = ""
        while url and url[-1] in _URL_TAIL:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            tail = url[-1] + tail
            url = url[:-1]
        cleaned = clean_url(url) if ("?" in url or "#" in url or "__" in url) else url
        return (cleaned or url) + tail

    return _URL.sub(fix, text)


def _bounded(trimmed: Trimmed) -> Trimmed:
    text = trimmed.text
    if len(text) <= MAX_CHARS:
        return trimmed
    cut = text[:MAX_CHARS]
    at = max(cut.rfind("\n"), cut.rfind(" "))
    if at > MAX_CHARS * 0.9:
        cut = cut[:at]
    note = f"[cut here: the message goes on for {len(text) - len(cut):,} more characters]"
    return Trimmed(f"{cut.rstrip()}\n{note}", [*trimmed.removed, f"text beyond {MAX_CHARS:,} characters"])
