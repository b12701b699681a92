"""SendKit's inbox API mapped to the domain model."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import ClassVar
from urllib.parse import quote

from pydantic_settings import SettingsConfigDict

from inbox_mcp.providers.http import Call, HttpClient, bucket_for
from inbox_mcp.providers.model import (
    Attachment,
    Capabilities,
    Conversation,
    Direction,
    Message,
    Page,
    Person,
    Query,
    ScheduledReply,
    Thread,
)
from inbox_mcp.providers.sendkit import wire
from inbox_mcp.providers.settings import ProviderSettings
from inbox_mcp.providers.wire_base import WireT, parse

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.sendkit.ai"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NUMBER = re.compile(r"[0-9]{1,18}")
"""A page size or page number in our tokens: ASCII digits, small enough for any API."""
class SendKitSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="SENDKIT_", extra="ignore")

    workspace_id: str | None = None
    base_url: str = DEFAULT_BASE_URL


class SendKitClient:
    provider: ClassVar[str] = "sendkit"
    label: ClassVar[str] = "SendKit"
    capabilities: ClassVar[Capabilities] = Capabilities(
        unread=True, tag=True, campaign=True, text=True, domain="narrows", max_page_size=100
    )

    def __init__(self, account: str, settings: SendKitSettings, http: HttpClient, key_hint: str) -> None:
        if settings.api_key is None:
            raise ValueError("SendKit needs an API key")
        self.account = account
        self._key = settings.api_key
        self._workspace = settings.workspace_id
        self._base = settings.base_url.rstrip("/")
        self._http = http
        self._key_hint = key_hint

    def valid_id(self, conversation_id: str) -> bool:
        return bool(_ID.fullmatch(conversation_id))

    def _call(self, path: str, params: dict[str, str | int] | None = None, not_found: str | None = None) -> Call:
        key = self._key.get_secret_value()
        headers = {"X-Api-Key": key}
        platform_key = key.startswith("sk_user_")
        if platform_key and self._workspace:
            headers["X-Workspace-Id"] = self._workspace
        return Call(
            url=self._base + path,
            account=self.account,
            provider_label=self.label,
            key_hint=self._key_hint,
            params=params or {},
            headers=headers,
            secrets=(key,),
            bucket=bucket_for(self.provider, key),
            not_found=not_found,
            forbidden_hint=(
                f"{self._key_hint} and SENDKIT_WORKSPACE_ID (a platform key needs the workspace it may read)"
                if platform_key
                else None
            ),
        )

    async def _get(self, call: Call, model: type[WireT]) -> WireT:
        return parse(model, await self._http.get_json(call), self.account, self.label)

    async def list_page(self, query: Query, token: str | None, page_size: int) -> Page:
        size, kind, position = _parse_token(token, page_size)
        params: dict[str, str | int] = {"limit": size}
        if kind == "cursor":
            params["cursor"] = position
        else:
            params["page"] = int(position)
        if query.unread_only:
            params["status"] = "unread"
        if query.tag:
            params["tag"] = query.tag
        if query.campaign_id:
            params["campaign_id"] = query.campaign_id
        search = query.domain or query.text
        if search:
            params["search"] = search
        listing = await self._get(self._call("/v1/inbox", params), wire.InboxList)
        rows = tuple(self._conversation(row) for row in listing.data if self._openable(row.id))
        return Page(conversations=rows, next_token=_next_token(listing.pagination, size, params, len(rows)))

    def _openable(self, conversation_id: str) -> bool:
        """A listed id that get_thread would refuse is left out (and logged), not handed out."""
        if self.valid_id(conversation_id):
            return True
        log.warning("%s: SendKit listed a conversation id that is not one (%.80r); skipped", self.account, conversation_id)
        return False

    async def get_thread(self, conversation_id: str) -> Thread:
        path = "/v1/inbox/" + quote(conversation_id, safe="")
        missing = f"{self.account}: SendKit has no conversation {conversation_id!r}; list conversations to get a valid id."
        detail = (await self._get(self._call(path, not_found=missing), wire.ThreadEnvelope)).data
        lead = _person(detail.lead)
        messages = tuple(_message(m, lead) for m in detail.messages)
        last = next((m for m in reversed(messages) if m.at), None)
        subject = next((m.subject for m in messages if m.subject), None)
        conversation = Conversation(
            id=detail.id,
            provider=self.provider,
            correspondent=lead,
            last_activity_at=last.at if last else None,
            subject=subject,
            snippet=last.text if last else None,
            unread=_unread(detail.is_read, detail.unread_count, None),
            status=detail.status,
            tags=_tags(detail.ai_tag, detail.tags),
            campaign=detail.campaign.name if detail.campaign else None,
            campaign_id=detail.campaign.id if detail.campaign else None,
            message_count=len(messages),
        )
        scheduled = tuple(
            ScheduledReply(id=s.id, text=s.message or "", scheduled_for=s.scheduled_for, status=s.status)
            for s in detail.scheduled_replies
        )
        return Thread(conversation=conversation, messages=messages, scheduled=scheduled)

    async def check(self) -> None:
        await self._get(self._call("/v1/inbox", {"limit": 1}), wire.InboxList)

    def _conversation(self, row: wire.ConversationRow) -> Conversation:
        last = row.last_message
        return Conversation(
            id=row.id,
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
        )


def _parse_token(token: str | None, page_size: int) -> tuple[int, str, str]:
    """Tokens carry the page size they were made with, so page numbers keep meaning the same rows."""
    if token is None:
        return page_size, "page", "1"
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


def _next_token(p: wire.Pagination, size: int, params: dict[str, str | int], rows: int) -> str | None:
    if p.next_cursor:
        return f"{size}:cursor:{p.next_cursor}" if p.has_more is not False else None
    if p.has_more is False or rows == 0:
        return None
    page = p.page or int(params.get("page", 1))
    if p.pages is not None:
        return f"{size}:page:{page + 1}" if page < p.pages else None
    if p.total is not None:
        return f"{size}:page:{page + 1}" if page * size < p.total else None
    return f"{size}:page:{page + 1}" if rows >= size else None


def _person(lead: wire.Lead) -> Person:
    name = " ".join(part for part in (lead.first_name, lead.last_name) if part) or None
    return Person(name=name, email=lead.email, company=lead.company_name, title=lead.job_title)


def _tags(ai_tag: str | None, tags: list[str]) -> tuple[str, ...]:
    ordered = ([ai_tag] if ai_tag else []) + tags
    return tuple(dict.fromkeys(ordered))


def _unread(is_read: bool | None, unread_count: int | None, last: wire.LastMessage | None) -> bool | None:
    if unread_count is not None:
        return unread_count > 0
    if is_read is not None:
        return not is_read
    if last is not None and last.is_from_lead and last.read is not None:
        return not last.read
    return None


def _direction(m: wire.ThreadMessage, lead: Person) -> Direction:
    if m.type == "sent":
        return "outbound"
    if m.direction:
        return "inbound" if m.direction.lower() in {"inbound", "in", "received", "incoming"} else "outbound"
    if m.is_from_lead is not None:
        return "inbound" if m.is_from_lead else "outbound"
    sender = (m.from_ or "").lower()
    return "inbound" if lead.email and sender == lead.email.lower() else "outbound"


def _message(m: wire.ThreadMessage, lead: Person) -> Message:
    direction = _direction(m, lead)
    sender: Person | None = None
    if direction == "inbound":
        sender = lead if not m.from_ or m.from_.lower() == (lead.email or "").lower() else Person(email=m.from_)
    elif m.from_:
        sender = Person(email=m.from_)
    return Message(
        direction=direction,
        at=m.received_at or m.sent_at or m.created_at,
        sender=sender,
        recipient=m.to,
        subject=m.subject,
        text=m.content,
        html=m.html_content or m.body,
        kind=m.type,
        attachments=tuple(
            Attachment(filename=a.filename or "(unnamed)", content_type=a.content_type, size=a.size)
            for a in m.attachments
        ),
        auto_reply=bool(m.is_auto_reply),
        opened=m.opened,
        clicked=m.clicked,
        read=m.read,
        sequence_step=m.sequence_step,
    )



def accounts(settings: SendKitSettings) -> Callable[[HttpClient], list[SendKitClient]]:
    """The `sendkit` account these settings describe (none without a key), built later on the
    server's HTTP client."""
    if not settings.has_key():
        return lambda http: []
    return lambda http: [SendKitClient("sendkit", settings, http, key_hint="SENDKIT_API_KEY")]


def accounts_from_env() -> Callable[[HttpClient], list[SendKitClient]]:
    """Read SENDKIT_* now, raising on malformed values."""
    return accounts(SendKitSettings())
