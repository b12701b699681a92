"""One compact line per conversation, for list_conversations and search_by_domain."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from leadinbox_mcp.providers.model import Conversation, Person
from leadinbox_mcp.tools.render.safety import clean, one_line, quoted

CONCISE_SNIPPET = 90
DETAILED_SNIPPET = 240
SNIPPET_READ = 4000


def when(at: datetime | None) -> str:
    """`2026-11-20 12:00`, as `strftime("%Y-%m-%d %H:%M")` writes it (the year unpadded, as
    glibc's %Y), without its cost: a listing writes one per row. (%-formatting: one C call,
    where an f-string's `:02d` calls `format` once per field, twice as slow in all.)"""
    if not at:
        return "time unknown"
    return "%d-%02d-%02d %02d:%02d" % (at.year, at.month, at.day, at.hour, at.minute)  # noqa: UP031


def who(p: Person, *, detailed: bool) -> str:
    """`"Name" address, "Title at Company"`: every part an outside party set is quoted (an
    address or profile URL only when it lacks the usual shape), so that none can pose as the
    server's own words, and a long name never hides the address."""
    return _who(p.name, p.email, p.company, p.title if detailed else None, p.profile_url, detailed)


@lru_cache(maxsize=4096)
def _who(
    name: str | None, email: str | None, company: str | None, title: str | None, profile_url: str | None, detailed: bool
) -> str:
    """Remembered per person's fields (a tuple of strings: hashed and compared without the
    model's Python-level `__hash__` and `__eq__`): the same people come back listing after listing."""
    shown_name = quoted(name, 60)
    shown_email = address(email)
    profile = url(profile_url)
    text = (
        f"{shown_name} {shown_email}"
        if shown_name and shown_email
        else shown_name or shown_email or profile or "unknown"
    )
    role = " at ".join(one_line(v, 60) for v in (title, company) if v)
    if role:
        text = f"{text}, {quoted(role, 130)}"
    if detailed and profile and name:
        text += f" {profile}"  # on LinkedIn the profile is the identity
    return text


_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:|]{1,200}@[A-Za-z0-9.-]{1,200}\.[A-Za-z0-9-]{2,63}")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'|]{1,300}")


def address(email: str | None, limit: int = 80) -> str:
    """`jane@acme.com`; a long local part is cut in its middle, never the domain; anything that
    is not shaped like an address is quoted."""
    value = (email or "").strip()
    if not value:
        return ""
    if not _ADDRESS.fullmatch(value):
        return quoted(value, limit)
    local, _, domain = value.rpartition("@")
    if len(value) > limit:
        keep = max(8, limit - len(domain) - 2)
        local = local[: keep // 2] + "…" + local[-(keep // 2) :]
    return f"{local}@{domain}"


def url(value: str | None) -> str:
    """`(https://...)` for a URL of the usual shape, quoted otherwise."""
    value = (value or "").strip()
    if not value:
        return ""
    return f"({value})" if _URL.fullmatch(value) else quoted(value, 100)


def unread_mark(unread: bool | None) -> str | None:
    if unread is None:
        return "read state unknown"
    return "unread" if unread else None


LAST_FROM_MARKS = {"lead": "lead wrote last", "us": "we wrote last"}
"""Who wrote the latest message (`Conversation.last_from`); nothing where it is not known."""


def row_line(
    conversation_id: str,
    label: str,
    c: Conversation,
    *,
    detailed: bool,
    provider_shown: bool,
    snippet: str | None = None,
) -> str:
    """`snippet`: `snippet_of(c, detailed=detailed)` when the caller has it already."""
    parts = [conversation_id]
    if provider_shown:
        parts.append(label)
    parts.append(who(c.correspondent, detailed=detailed))
    if c.tags:
        parts.append(_tags(c.tags[:4]))
    mark = unread_mark(c.unread)
    if mark:
        parts.append(mark)
    if c.last_from:
        parts.append(LAST_FROM_MARKS[c.last_from])
    parts.append(when(c.last_activity_at))
    if detailed:
        if c.status:
            parts.append(f"status {_flat(c.status, 20)}")
        if c.campaign:
            parts.append(f"campaign {_flat(c.campaign, 60)!r}")
        if c.message_count is not None:
            parts.append(f"{c.message_count} messages")
        if c.subject:
            parts.append(f"subject {_flat(c.subject, 100)!r}")
    line = "- " + " | ".join(parts)
    if snippet is None:
        snippet = snippet_of(c, detailed=detailed)
    return f'{line} | "{snippet}"' if snippet else line


@lru_cache(maxsize=4096)
def _flat(text: str, limit: int) -> str:
    """`one_line`, remembered: statuses and campaigns repeat from row to row, and rows from
    listing to listing."""
    return one_line(text, limit)


@lru_cache(maxsize=1024)
def _tags(tags: tuple[str, ...]) -> str:
    return ", ".join(one_line(t, 30) for t in tags)


def snippet_of(c: Conversation, *, detailed: bool) -> str:
    """The last message's first words, without quoted history or signature where those show."""
    # A preview is short; a provider that sends a whole body as one is read only so far.
    return _snippet(c.snippet[:SNIPPET_READ], detailed) if c.snippet else ""


@lru_cache(maxsize=1024)
def _snippet(preview: str, detailed: bool) -> str:
    """Remembered per preview text: listings show the same conversations again and again."""
    from leadinbox_mcp.tools.render.quotes import trim  # its patterns take a start-up no listing has made yet

    text = trim(clean(preview)).text
    # Providers flatten previews to one line, so a "-- " signature delimiter shows up inline.
    before, sep, _ = text.partition(" -- ")
    if sep and before.strip():
        text = before
    return quoted(text, DETAILED_SNIPPET if detailed else CONCISE_SNIPPET)[1:-1]
