"""SendKit's inbox API mapped to the domain model."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import quote

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from leadinbox_mcp.providers import model
from leadinbox_mcp.providers.client_base import ApiClient, side_of
from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.provider import one_account
from leadinbox_mcp.providers.sendkit import wire
from leadinbox_mcp.providers.settings import Origin, ProviderSettings
from leadinbox_mcp.providers.wire_base import is_unreadable, keep_newest, parse

DEFAULT_BASE_URL = "https://api.sendkit.ai"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NUMBER = re.compile(r"[0-9]{1,18}")
"""A page size or page number in our tokens: ASCII digits, small enough for any API."""
EMPTY_PAGES = 3
"""Empty pages in a row (`data: []` while the pagination says more follow: observed, PROVIDERS.md)
that one list_page call reads before it ends the account's listing with a note."""
PLATFORM_KEY_PREFIX = "sk_user_"
"""A platform key reads the workspace that X-Workspace-Id names."""
MAX_THREAD_MESSAGES = 2500
"""A thread's newest messages read (older ones are counted and said to be left out)."""


class SendKitSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="SENDKIT_", extra="ignore")

    workspace_id: str | None = None
    base_url: str = DEFAULT_BASE_URL

    @field_validator("workspace_id")
    @classmethod
    def _sendable_workspace(cls, value: str | None) -> str | None:
        """Sent as X-Workspace-Id with a platform key."""
        return None if value is None else cls.header_value(value, "WORKSPACE_ID", "a workspace id") or None


class SendKitClient(ApiClient):
    provider: ClassVar[str] = "sendkit"
    label: ClassVar[str] = "SendKit"
    api_path: ClassVar[str] = "/v1"
    capabilities: ClassVar[model.Capabilities] = model.Capabilities(
        unread=True, tag=True, campaign=True, text=True, domain="narrows", max_page_size=100
    )
    shows_scheduled_replies: ClassVar[bool] = True
    """Threads carry `scheduledReplies[]`: whether a reply is already on its way is known only
    from the thread (the list row does not say), so awaiting_reply reads it."""

    def __init__(self, account: str, settings: SendKitSettings, http: HttpClient, key_hint: str | Origin) -> None:
        super().__init__(account, settings, http, key_hint)
        self._workspace = settings.workspace_id

    def valid_id(self, conversation_id: str) -> bool:
        return bool(_ID.fullmatch(conversation_id))

    def _auth(self, key: str) -> tuple[dict[str, str], tuple[str, ...]]:
        headers = {"X-Api-Key": key}
        if key.startswith(PLATFORM_KEY_PREFIX) and self._workspace:
            headers["X-Workspace-Id"] = self._workspace
        return headers, (key,)

    def _forbidden_hint(self, key: str) -> str | None:
        if not key.startswith(PLATFORM_KEY_PREFIX):
            return None
        return (
            f"{self._key_hint} and {self._origin.of('workspace_id')} (a platform key needs the workspace it may read)"
        )

    async def list_page(self, query: model.Query, token: str | None, page_size: int) -> model.Page:
        """One page of conversations. Empty pages that say more follow are read past, at most
        EMPTY_PAGES in a row (then the account's listing ends, and a note says why)."""
        filters = _filters(query)
        for _ in range(EMPTY_PAGES):
            size, kind, position = _parse_token(token, page_size)
            params: dict[str, str | int] = {"limit": size, **filters}
            # The first page goes without `page` or `cursor`: the newer API takes no `page`.
            if kind == "cursor":
                params["cursor"] = position
            elif kind == "page":
                params["page"] = int(position)
            listing = await self._get(self._call("/v1/inbox", params, self._no_inbox()), wire.InboxList, rows="data")
            following, note = _following(listing.pagination, size, kind, position, len(listing.data))
            if following is not None and following == token:
                following, note = None, "SendKit answered with the same page position again"
            elif following is not None and (unusable := self._unusable_cursor(following)):
                following, note = None, f"SendKit's next-page cursor {unusable}"
            if listing.data or following is None:
                return self._page(listing.data, following, note)
            token = following
        return self._page([], None, f"SendKit answered {EMPTY_PAGES} empty pages in a row while saying more follow")

    def _page(self, rows: list[wire.ConversationRow], following: str | None, stopped: str | None) -> model.Page:
        conversations = tuple(self._conversation(row.id, row) for row in rows if row.id and self._openable(row.id))
        notes = []
        if len(conversations) < len([row for row in rows if not is_unreadable(row.id)]):
            notes.append(f"{self.account}: SendKit listed conversations without a usable id; they are left out.")
        if stopped:
            notes.append(f"{self.account}: {stopped}, so its listing ends here and older conversations may be missing.")
        return model.Page(conversations=conversations, next_token=following, notes=tuple(notes))

    async def get_thread(self, conversation_id: str) -> model.Thread:
        path = "/v1/inbox/" + quote(conversation_id, safe="")
        missing = (
            f"{self.account}: SendKit has no conversation {conversation_id!r}; list conversations to get a valid id."
        )
        raw = await self._http.get_json(self._call(path, not_found=missing))
        total = keep_newest(raw, "data", "messages", MAX_THREAD_MESSAGES)
        detail = parse(wire.ThreadEnvelope, raw, self.account, self.label).data
        lead = _person(detail.lead)
        directions = [_direction(m, lead) for m in detail.messages]
        messages = tuple(_message(m, lead, d or "unknown") for m, d in zip(detail.messages, directions))
        last = next((m for m in reversed(messages) if m.at), None)
        subject = next((m.subject for m in messages if m.subject), None)
        unread = _unread(detail.is_read, detail.unread_count, None)
        conversation = model.Conversation(
            id=detail.id or conversation_id,
            provider=self.provider,
            correspondent=lead,
            last_activity_at=last.at if last else None,
            subject=subject,
            snippet=last.text if last else None,
            unread=unread if unread is not None else _unread_from_messages(detail.messages),
            status=detail.status,
            tags=_tags(detail.ai_tag, detail.tags),
            campaign=detail.campaign.name if detail.campaign else None,
            campaign_id=detail.campaign.id if detail.campaign else None,
            message_count=len(messages),
            last_from=side_of(directions[-1]) if directions else None,  # the thread is chronological (documented)
        )
        scheduled = tuple(
            model.ScheduledReply(
                id=s.id,
                text=s.message or "",
                scheduled_for=s.scheduled_for,
                # pending | sending | failed, as documented; any case, so that "Failed" still reads as failed.
                status=s.status.strip().lower() if s.status else None,
            )
            for s in detail.scheduled_replies
        )
        left_out = f"Only the newest {MAX_THREAD_MESSAGES:,} of {total:,} messages are read; older ones were left out."
        notes = (left_out,) if total > MAX_THREAD_MESSAGES else ()
        return model.Thread(conversation=conversation, messages=messages, scheduled=scheduled, notes=notes)

    async def check(self) -> None:
        await self._get(self._call("/v1/inbox", {"limit": 1}, self._no_inbox()), wire.InboxList, rows="data")

    def _conversation(self, conversation_id: str, row: wire.ConversationRow) -> model.Conversation:
        last = row.last_message
        return model.Conversation(
            id=conversation_id,
            provider=self.provider,
            correspondent=_person(row.lead),
            last_activity_at=(last.received_at if last else None) or row.replied_at,
            snippet=last.content if last else None,
            unread=_unread(row.is_read, row.unread_count, last),
            status=row.status,
            tags=_tags(row.ai_tag, row.tags),
            campaign=row.campaign.name if row.campaign else None,
            campaign_id=row.campaign.id if row.campaign else None,
            message_count=row.message_count,
            last_from=_last_from(last),
        )


def _filters(query: model.Query) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    if query.unread_only:
        params["status"] = "unread"
    if query.tag:
        params["tag"] = query.tag
    if query.campaign_id:
        params["campaign_id"] = query.campaign_id
    search = query.domain or query.text
    if search:
        params["search"] = search
    return params


def _parse_token(token: str | None, page_size: int) -> tuple[int, str, str]:
    """Tokens carry the page size they were made with, so page numbers keep meaning the same rows.
    No token is the first page: kind "first", sent with neither `page` nor `cursor`."""
    if token is None:
        return page_size, "first", ""
    size, kind, position = (token.split(":", 2) + ["", ""])[:3]
    if (
        kind not in ("page", "cursor")
        or not _NUMBER.fullmatch(size)
        or not 1 <= int(size) <= SendKitClient.capabilities.max_page_size
        or (kind == "page" and not (_NUMBER.fullmatch(position) and int(position) >= 1))
        or (kind == "cursor" and not position)
    ):
        raise ValueError(f"not a SendKit page token: {token!r}")
    return int(size), kind, position


def _following(p: wire.Pagination, size: int, kind: str, position: str, rows: int) -> tuple[str | None, str | None]:
    """The token of the page after this one; or None, with the reason when SendKit said more
    follow but gave no way there. Either documented shape: `nextCursor` is followed; page
    numbers only where the answer is page-shaped. Once a listing walks by cursor it never falls
    back to page numbers: the newer API ignores `page` (PROVIDERS.md, second reading)."""
    if p.next_cursor and p.has_more is not False:
        return f"{size}:cursor:{p.next_cursor}", None
    page = int(position) if kind == "page" else 1
    if p.page is not None and 1 <= p.page < 10**17:  # the page it says it served, if it can be one
        page = p.page
    if kind == "cursor":  # after a cursor, `total` tells nothing of where we are: only words count
        more = bool(p.has_more) or (p.page is not None and p.pages is not None and p.page < p.pages)
    elif p.has_more is not None:
        more = p.has_more
    elif p.pages is not None:
        more = page < p.pages
    elif p.total is not None:
        more = page * (p.limit if p.limit and p.limit > 0 else size) < p.total
    else:
        more = rows >= size  # nothing said: a full page may have a next one
    if not more:
        return None, None
    if kind == "cursor" or (p.page is None and p.pages is None and p.has_more is not None):
        return None, "SendKit said more conversations follow but sent no cursor to reach them"
    return f"{size}:page:{page + 1}", None


def _person(lead: wire.Lead) -> model.Person:
    name = " ".join(part for part in (lead.first_name, lead.last_name) if part) or None
    return model.Person(name=name, email=lead.email, company=lead.company_name, title=lead.job_title)


def _tags(ai_tag: str | None, tags: list[str]) -> tuple[str, ...]:
    ordered = ([ai_tag] if ai_tag else []) + tags
    return tuple(dict.fromkeys(ordered))


def _unread(is_read: bool | None, unread_count: int | None, last: wire.LastMessage | None) -> bool | None:
    """Whether a lead reply waits to be read, or None when nothing says.

    `isRead` ("whether all lead replies have been read") and `unreadCount` ("number of unread
    lead replies") describe the whole conversation; `lastMessage.read` of the older list page
    describes only the newest message, which may be ours with a lead reply unread before it. So
    the conversation's fields win whenever present. They say the same thing; should they ever
    disagree, unread wins: a missed reply costs more than a second look."""
    if is_read is not None or unread_count is not None:
        return is_read is False or (unread_count or 0) > 0
    if last is not None and last.is_from_lead and last.read is not None:
        return not last.read
    return None


def _last_from(last: wire.LastMessage | None) -> model.Side | None:
    """Who wrote the newest message, as the list row's `lastMessage.isFromLead` says; None when
    it does not say."""
    if last is None or last.is_from_lead is None:
        return None
    return "lead" if last.is_from_lead else "us"


def _unread_from_messages(messages: list[wire.ThreadMessage]) -> bool | None:
    """The older thread page has no `isRead`/`unreadCount`: its lead replies' `read` say it (the
    page holds the whole thread, so a thread without lead replies has none unread)."""
    reads = [m.read for m in messages if m.type == "reply" and m.is_from_lead]
    if any(read is False for read in reads):
        return True
    return False if all(read is True for read in reads) else None


_INBOUND = {"inbound", "incoming", "in", "received", "from_lead"}
_OUTBOUND = {"outbound", "outgoing", "out", "sent", "to_lead"}
"""Direction words read with confidence. SendKit documents that manual messages have a direction,
not its values: any other word is not guessed at."""


_ANGLE_ADDRESS = re.compile(r"<([^<>\s]{1,320})>\s*$")


def _address(value: str | None) -> str:
    """`jane@x.com` of `Jane <JANE@x.com>` or of `jane@x.com`, lower case. (Not email.utils:
    its parser recurses on nested parentheses, and a provider's field may hold anything.)"""
    text = (value or "").strip()
    match = _ANGLE_ADDRESS.search(text[-400:])
    return (match.group(1) if match else text).lower()


def _direction(m: wire.ThreadMessage, lead: model.Person) -> model.Direction | None:
    """Who wrote the message, from what it says: its type, a direction word, isFromLead, or the
    lead's address as sender or recipient. None when nothing tells."""
    if m.type == "sent":
        return "outbound"
    word = (m.direction or "").strip().lower().replace("-", "_")
    if word in _INBOUND:
        return "inbound"
    if word in _OUTBOUND:
        return "outbound"
    if m.is_from_lead is not None:
        return "inbound" if m.is_from_lead else "outbound"
    lead_address = _address(lead.email)
    if lead_address and _address(m.from_) == lead_address:
        return "inbound"
    if lead_address and _address(m.to) == lead_address:
        return "outbound"
    return None


def _message(m: wire.ThreadMessage, lead: model.Person, direction: model.Direction) -> model.Message:
    sender: model.Person | None = None
    if direction == "inbound":
        sender = lead if not m.from_ or _address(m.from_) == _address(lead.email) else model.Person(email=m.from_)
    elif m.from_:
        sender = model.Person(email=m.from_)
    return model.Message(
        direction=direction,
        at=m.received_at or m.sent_at or m.created_at,
        sender=sender,
        recipient=m.to,
        subject=m.subject,
        text=m.content,
        html=m.html_content or m.body,
        kind=m.type,
        attachments=tuple(
            model.Attachment(
                filename=a.filename or "(unnamed)", content_type=a.content_type, size=a.size, download=a.download_url
            )
            for a in m.attachments
        ),
        auto_reply=bool(m.is_auto_reply),
        opened=m.opened,
        clicked=m.clicked,
        read=m.read,
        sequence_step=m.sequence_step,
    )


accounts = one_account(SendKitClient, "sendkit", "SENDKIT_API_KEY")

Settings = SendKitSettings
"""The registry's name for this provider's settings (a config file's accounts are made of them)."""
