"""A message's body as the smallest clean text that still holds everything needed to answer it.

HTML is preferred where both forms exist: it is what the recipient saw, its hidden elements can
be recognised (the text part of a multipart mail can say anything), and its quote containers are
the surest cut. The HTML goes to text (html.py), the text loses quoted history, signature and
footers (quotes.py), and everything is made safe to print (safety.py). Links: in concise output
their text only, in detailed `text <url>`; URLs anywhere lose their tracking parameters and
click-tracking wrappers. A body that would become empty keeps its text.

Input is bounded before any parsing: at most MAX_HTML_BYTES of HTML (inline data: URIs, which
carry no text, go first) and MAX_TEXT_BYTES of plain text are read, and a body cut there says
so. The <style> elements of the HTML left unread still apply to what is read, as they would in
a mail client: without them a stylesheet placed past the cut could no longer hide what it hides.
"""

from __future__ import annotations

import re
import unicodedata

from leadinbox_mcp.providers.model import Message
from leadinbox_mcp.tools.render.html import convert
from leadinbox_mcp.tools.render.links import clean_url
from leadinbox_mcp.tools.render.quotes import Trimmed, has_content, trim
from leadinbox_mcp.tools.render.safety import clean, strip_invisible

MAX_CHARS = 20_000
"""A body longer than this is cut (with a note): no single message may flood a context window."""
MAX_HTML_BYTES = 512 * 1024
"""HTML read per body (UTF-8 bytes), cut before parsing: conversion costs about 0.25 s a megabyte,
and no more than MAX_CHARS of text is shown anyway."""
MAX_TEXT_BYTES = 256 * 1024
"""Plain text read per body (UTF-8 bytes), cut before quoted history and signature are looked for."""
MAX_MOVED_STYLES = 128 * 1024
"""At most this much <style> markup from unread HTML is kept; a message with more is not shown
at all (only a note says so), rather than without rules that may hide part of it."""

# "link text <https://...>", the plain-text form of a link (the text part of HTML mail).
_ANGLE_URL = re.compile(r"(?<=[\w)\]\"'.!?])[ \t]?<(https?://[^\s<>]+)>")
_URL = re.compile(r"https?://[^\s<>\"'\[\]{}|\\^`]+", re.I)
_URL_TAIL = ".,;:!?)'\""
# Invisible characters that carry or disguise text (not the odd zero-width space): Unicode tag
# characters, bidi overrides and isolates, runs of variation selectors. Worth saying in detailed.
_SMUGGLED = re.compile("[\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069]|[\ufe00-\ufe0f\U000e0100-\U000e01ef]{4,}")
_SMUGGLING_CHARS = re.compile("[\U000e0000-\U000e007f\u202a-\u202e\u2066-\u2069\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def body(message: Message, *, links: bool) -> Trimmed:
    """The message's text for a thread (`links`: detailed output, with link targets) and what was
    trimmed from it, in the words detailed output shows."""
    result = None
    unread: _Unread | None = None
    html, html_unread = _read_html(message.html or "")
    if html is None:
        # Too large to read safely; the text part is no stand-in (it can say anything).
        result = Trimmed("", [])
        unread = html_unread
    elif html.strip():
        result = _from_html(html, links=links)
        if result is None and "hidden text" in convert(html, links=links, drop_quotes=False).removed:
            # All the HTML shows is nothing: the text part must not bring back what it hides.
            result = Trimmed("", ["hidden text"])
        unread = html_unread if result is not None else None
    if result is None:
        text, text_unread = _read_text(message.text or "")
        trimmed = trim(_prepare(text))
        removed = trimmed.removed + (["invisible characters"] if _smuggled(text) else [])
        result = Trimmed(_text_links(clean(trimmed.text), links), removed)
        unread = text_unread or (html_unread if not result.text else None)
    result = _bounded(Trimmed(_clean_urls(result.text), result.removed))
    if unread is None:
        return result
    text = f"{result.text}\n{unread.note}" if result.text else unread.note
    return Trimmed(text, [*result.removed, unread.removed])


class _Unread:
    """What was left unread of a body: the note in its text, and the words for `detailed`."""

    def __init__(self, note: str, removed: str) -> None:
        self.note = note
        self.removed = removed


_DATA_URI = re.compile(r"""(?i)(\s(?:src|href|background)\s*=\s*)(["'])data:.*?\2""", re.S)
_STYLE_ELEMENT = re.compile(r"<style\b.*?(?:</style\s*>|$)", re.I | re.S)
_DOCTYPE = re.compile(r"\s*<!doctype\b[^>]*>", re.I)
_CUT_SLACK = 4096
"""A cut moves back to the last tag start (HTML) or line break (text) this close to the limit."""


def _utf8(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _head(value: str, limit: int, boundary: str) -> tuple[str, int]:
    """At most `limit` UTF-8 bytes of `value`, ending before `boundary` where one is near the
    limit, and how many bytes were left out (0: `value` whole)."""
    if len(value) * 4 <= limit:  # no character takes more than 4 bytes
        return value, 0
    raw = _utf8(value)
    if len(raw) <= limit:
        return value, 0
    kept = raw[:limit].decode("utf-8", "ignore")
    at = kept.rfind(boundary, len(kept) - _CUT_SLACK)
    if at > 0:
        kept = kept[:at]
    return kept, len(raw) - len(_utf8(kept))


def _read_html(html: str) -> tuple[str | None, _Unread | None]:
    """The HTML to parse: all of it, or its first MAX_HTML_BYTES (data: URIs removed first)
    with the unread part's stylesheets put back in front, and what was left unread. None: too
    much stylesheet was left unread to know what it hides, so none of it may be shown."""
    if len(html) * 4 <= MAX_HTML_BYTES or len(_utf8(html)) <= MAX_HTML_BYTES:
        return html, None
    if "data:" in html:
        html = _DATA_URI.sub(r'\1""', html)
    kept, left = _head(html, MAX_HTML_BYTES, "<")
    if not left:  # it fits without its inline images: nothing with text was left out
        return html, None
    styles = list(dict.fromkeys(_STYLE_ELEMENT.findall(html, len(kept))))
    if sum(map(len, styles)) > MAX_MOVED_STYLES:
        return None, _Unread(
            f"[not read: this message's HTML ({len(_utf8(html)):,} bytes) is too large to read safely]",
            "HTML too large to read safely",
        )
    if styles:
        # In front of the markup (after a doctype), where no open tag, comment or raw text can swallow them.
        doctype = _DOCTYPE.match(kept)
        at = doctype.end() if doctype else 0
        kept = kept[:at] + "".join(styles) + kept[at:]
    return kept, _Unread(
        f"[not read: the last {left:,} bytes of this message's HTML]", f"HTML past {MAX_HTML_BYTES:,} bytes (not read)"
    )


def _read_text(text: str) -> tuple[str, _Unread | None]:
    kept, left = _head(text, MAX_TEXT_BYTES, "\n")
    if not left:
        return text, None
    return kept, _Unread(
        f"[not read: the last {left:,} bytes of this message's text]", f"text past {MAX_TEXT_BYTES:,} bytes (not read)"
    )


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
            if _smuggled(converted.text):
                removed.append("invisible characters")
            return Trimmed(text, list(dict.fromkeys(removed)))
    return None


def _smuggled(text: str) -> bool:
    # A look for any of the characters first: one pass, and none at all for ASCII.
    return not text.isascii() and bool(_SMUGGLING_CHARS.search(text)) and bool(_SMUGGLED.search(text))


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
