"""What GET /v1/inbox shows of a conversation: its list row, its place in the listing, and
whether a search finds it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leadinbox_mcp.sandbox.kernel import parse_time
from leadinbox_mcp.sandbox.mail import strip_tags

PREVIEW_CHARS = 100
ROW_LEAD_FIELDS = ("_id", "email", "firstName", "lastName", "companyName")


def message_time(message: dict[str, Any]) -> str | None:
    return message.get("receivedAt") or message.get("sentAt")


def is_lead_reply(message: dict[str, Any]) -> bool:
    return message.get("type") == "reply" and bool(message.get("isFromLead"))


def preview(text: str) -> str:
    """Plain text cut to about PREVIEW_CHARS characters on a word boundary, with "..."."""
    flat = " ".join(text.split())
    if len(flat) <= PREVIEW_CHARS:
        return flat
    cut = flat[:PREVIEW_CHARS]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-—") + "..."


def last_message(message: dict[str, Any]) -> dict[str, Any]:
    """The `lastMessage` of a list row, from the last message of the thread."""
    kind = message.get("type")
    if kind == "sent":
        text = strip_tags(message.get("body") or "")
        sender, from_lead, read = None, False, True
    else:
        text = message.get("content") or strip_tags(message.get("htmlContent") or "")
        sender = message.get("from")
        from_lead = bool(message.get("isFromLead")) if kind == "reply" else message.get("direction") == "inbound"
        read = bool(message.get("read", True))
    return {
        "content": preview(text),
        "from": sender,
        "receivedAt": message_time(message),
        "isFromLead": from_lead,
        "read": read,
    }


def list_row(conversation: dict[str, Any]) -> dict[str, Any]:
    """The GET /v1/inbox row of a conversation (seed 000), plus the newer isRead/unreadCount."""
    messages = conversation.get("messages") or []
    lead = conversation.get("lead") or {}
    lead_replies = [m for m in messages if is_lead_reply(m)]
    unread = sum(1 for m in lead_replies if not m.get("read", True))
    return {
        "id": conversation["id"],
        "lead": {k: lead[k] for k in ROW_LEAD_FIELDS if k in lead},
        "campaign": conversation.get("campaign"),
        "status": conversation.get("status"),
        "aiTag": conversation.get("aiTag"),
        "tags": list(conversation.get("tags") or []),
        "repliedAt": message_time(lead_replies[-1]) if lead_replies else None,
        "lastMessage": last_message(messages[-1]) if messages else None,
        "messageCount": len(messages),
        "isRead": unread == 0,
        "unreadCount": unread,
    }


def sort_key(conversation: dict[str, Any]) -> tuple[datetime, str]:
    """Newest first by the last message's time, ties by id (both descending)."""
    times = [t for t in (message_time(m) for m in conversation.get("messages") or []) if t]
    last = parse_time(times[-1]) if times else datetime.min.replace(tzinfo=UTC)
    return last, conversation["id"]


def matches_search(lead: dict[str, Any], needle: str) -> bool:
    """Whether a (casefolded) search finds the lead: a substring of its address or names."""
    first, last = lead.get("firstName") or "", lead.get("lastName") or ""
    haystacks = (lead.get("email") or "", first, last, f"{first} {last}".strip())
    return any(needle in h.casefold() for h in haystacks)
