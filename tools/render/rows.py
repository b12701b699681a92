"""One compact line per conversation, for list_conversations and search_by_domain."""

from __future__ import annotations

from datetime import datetime

from inbox_mcp.providers.model import Conversation, Person
from inbox_mcp.tools.render.quotes import trim
from inbox_mcp.tools.render.safety import clean, one_line

CONCISE_SNIPPET = 90
DETAILED_SNIPPET = 240


def when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "time unknown"


def who(p: Person, *, detailed: bool) -> str:
    name = one_line(p.name, 60)
    email = one_line(p.email, 80)
    text = f"{name} <{email}>" if name and email else name or email or one_line(p.profile_url, 100) or "unknown"
    extra = [one_line(p.title, 60)] if detailed and p.title else []
    if p.company:
        extra.append(one_line(p.company, 60))
    text = f"{text}, {' at '.join(extra)}" if extra else text
    if detailed and p.profile_url and p.name:
        text += f" ({one_line(p.profile_url, 100)})"  # on LinkedIn the profile is the identity
    return text


def unread_mark(unread: bool | None) -> str | None:
    if unread is None:
        return "read state unknown"
    return "unread" if unread else None


def row_line(conversation_id: str, label: str, c: Conversation, *, detailed: bool, provider_shown: bool) -> str:
    parts = [conversation_id]
    if provider_shown:
        parts.append(label)
    parts.append(who(c.correspondent, detailed=detailed))
    if c.tags:
        parts.append(", ".join(one_line(t, 30) for t in c.tags[:4]))
    mark = unread_mark(c.unread)
    if mark:
        parts.append(mark)
    parts.append(when(c.last_activity_at))
    if detailed:
        if c.status:
            parts.append(f"status {one_line(c.status, 20)}")
        if c.campaign:
            parts.append(f"campaign {one_line(c.campaign, 60)!r}")
        if c.message_count is not None:
            parts.append(f"{c.message_count} messages")
        if c.subject:
            parts.append(f"subject {one_line(c.subject, 100)!r}")
    line = "- " + " | ".join(parts)
    snippet = snippet_of(c, detailed=detailed)
    return f"{line} | \"{snippet}\"" if snippet else line


def snippet_of(c: Conversation, *, detailed: bool) -> str:
    """The last message's first words, without quoted history or signature where those show."""
    text = trim(clean(c.snippet)).text if c.snippet else ""
    # Providers flatten previews to one line, so a "-- " signature delimiter shows up inline.
    before, sep, _ = text.partition(" -- ")
    if sep and before.strip():
        text = before
    return one_line(text, DETAILED_SNIPPET if detailed else CONCISE_SNIPPET).replace('"', "'")
