"""SendPilot's LinkedIn inbox API mapped to the domain model.

A SendPilot conversation belongs to one sender (LinkedIn) account, and the messages endpoint
needs that `accountId` next to the conversation id. The native id this client hands out, and
takes back in `get_thread`, therefore carries both: ``<accountId>:<conversationId>``.

LinkedIn conversations have no email addresses and no subject: a correspondent is a name and a
profile URL, and domain search does not apply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import quote

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from inbox_mcp.providers.errors import NotFoundError
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
    Thread,
)
from inbox_mcp.providers.sendpilot import wire
from inbox_mcp.providers.settings import ProviderSettings
from inbox_mcp.providers.wire_base import WireT, parse

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.sendpilot.ai"
MAX_PAGE_SIZE = 100
MESSAGE_PAGE_SIZE = 50
"""The documented default of the messages endpoint."""
MAX_MESSAGE_PAGES = 50
"""get_thread stops following the message pagination after this many pages."""

_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_=-]{1,100}$")
_FAR = datetime.max.replace(tzinfo=UTC)

_INBOUND = frozenset({"received", "inbound", "incoming", "in"})
_OUTBOUND = frozenset({"sent", "outbound", "outgoing", "out"})


class SendPilotSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="SENDPILOT_", extra="ignore")

    base_url: str = DEFAULT_BASE_URL
    account_id: str | None = None
    """Optional: only this sender (LinkedIn) account's conversations are listed."""

    @field_validator("account_id")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _ACCOUNT_ID.fullmatch(value.strip()):
            raise ValueError("SENDPILOT_ACCOUNT_ID must be a SendPilot sender account id such as sender_abc123")
        return value.strip()


class SendPilotClient:
    provider: ClassVar[str] = "sendpilot"
    label: ClassVar[str] = "SendPilot"
    capabilities: ClassVar[Capabilities] = Capabilities(
        unread=False, tag=False, campaign=False, text=False, domain="not_applicable", max_page_size=MAX_PAGE_SIZE
    )

    def __init__(self, account: str, settings: SendPilotSettings, http: HttpClient, key_hint: str) -> None:
        if settings.api_key is None:
            raise ValueError("SendPilot needs an API key")
        self.account = account
        self._key = settings.api_key
        self._base = settings.base_url.rstrip("/")
        self._account_id = settings.account_id
        self._http = http
        self._key_hint = key_hint

    def valid_id(self, conversation_id: str) -> bool:
        account_id, sep, native = conversation_id.partition(":")
        return bool(sep and _ACCOUNT_ID.fullmatch(account_id) and _CONVERSATION_ID.fullmatch(native))

    def _call(
        self,
        path: str,
        params: dict[str, str | int],
        not_found: str | None = None,
        forbidden_hint: str | None = None,
    ) -> Call:
        key = self._key.get_secret_value()
        return Call(
            url=self._base + path,
            account=self.account,
            provider_label=self.label,
            key_hint=self._key_hint,
            params=params,
            headers={"X-API-Key": key},
            secrets=(key,),
            bucket=bucket_for(self.provider, key),
            not_found=not_found,
            forbidden_hint=forbidden_hint
            or f"{self._key_hint} (a key of another workspace cannot read these LinkedIn sender accounts)",
        )

    async def _get(self, call: Call, model: type[WireT]) -> WireT:
        return parse(model, await self._http.get_json(call), self.account, self.label)

    async def list_page(self, query: Query, token: str | None, page_size: int) -> Page:
        """One page, newest first. Nothing in `query` can be pushed down (see `capabilities`)."""
        size, kind, position = _parse_token(token, page_size)
        params: dict[str, str | int] = {"limit": size}
        if self._account_id:
            params["accountId"] = self._account_id
        if kind == "t":
            params["continuationToken"] = position
        elif int(position) > 1:
            params["page"] = int(position)
        listing = await self._get(self._call("/v1/inbox/conversations", params), wire.ConversationList)
        rows = tuple(
            self._conversation(row) for row in listing.conversations if self._openable(f"{row.account_id}:{row.id}")
        )
        page = int(position) if kind == "p" else None
        return Page(conversations=rows, next_token=_next_token(listing.pagination, size, page, len(rows)))

    def _openable(self, conversation_id: str) -> bool:
        """A listed id that get_thread would refuse is left out (and logged), not handed out."""
        if self.valid_id(conversation_id):
            return True
        log.warning("%s: SendPilot listed a conversation id that is not one (%.80r); skipped", self.account, conversation_id)
        return False

    async def get_thread(self, conversation_id: str) -> Thread:
        """Every message, following the messages endpoint's pagination, sorted oldest first."""
        missing = (
            f"{self.account}: SendPilot has no conversation {conversation_id!r}; "
            "list conversations to get a valid id."
        )
        if not self.valid_id(conversation_id):
            raise NotFoundError(missing)
        account_id, _, native = conversation_id.partition(":")
        path = f"/v1/inbox/conversations/{quote(native, safe='')}/messages"
        forbidden = (
            f"{self._key_hint} and the conversation id (sender account {account_id!r} is not in this key's "
            "workspace; list conversations to get a valid id)"
        )
        received: list[wire.Message] = []
        seen_ids: set[str] = set()
        seen_tokens: set[str] = set()
        token: str | None = None
        for _ in range(MAX_MESSAGE_PAGES):
            params: dict[str, str | int] = {"accountId": account_id, "limit": MESSAGE_PAGE_SIZE}
            if token:
                params["continuationToken"] = token
            page = await self._get(self._call(path, params, missing, forbidden), wire.MessageList)
            for m in page.messages:
                if m.id not in seen_ids:
                    seen_ids.add(m.id)
                    received.append(m)
            token = page.pagination.continuation_token
            if page.pagination.has_more is False or not token or token in seen_tokens or not page.messages:
                break
            seen_tokens.add(token)
        else:
            log.warning(
                "%s: SendPilot conversation %s has more than %d pages of messages; showing the first %d",
                self.account, conversation_id, MAX_MESSAGE_PAGES, len(received),
            )
        return _thread(conversation_id, self.provider, _oldest_first(received))

    async def check(self) -> None:
        params: dict[str, str | int] = {"limit": 1}
        if self._account_id:
            params["accountId"] = self._account_id
        await self._get(self._call("/v1/inbox/conversations", params), wire.ConversationList)

    def _conversation(self, row: wire.ConversationRow) -> Conversation:
        last = row.last_message
        return Conversation(
            id=f"{row.account_id}:{row.id}",
            provider=self.provider,
            correspondent=_lead(row.participants, row.account_id),
            last_activity_at=row.last_activity_at or (last.sent_at if last else None) or row.updated_at,
            subject=None,
            snippet=(last.content or None) if last else None,
            unread=row.unread_count > 0 if row.unread_count is not None else None,
        )


# ------------------------------------------------------------------------------------ paging


def _parse_token(token: str | None, page_size: int) -> tuple[int, str, str]:
    """Our page tokens: ``<size>:t:<continuationToken>`` or ``<size>:p:<page number>``. They carry
    the page size they were made with, so that fetching the same token again gives the same rows."""
    if token is None:
        return max(1, min(page_size, MAX_PAGE_SIZE)), "p", "1"
    size, kind, position = (token.split(":", 2) + ["", ""])[:3]
    if (
        not size.isdigit()
        or not 1 <= int(size) <= MAX_PAGE_SIZE
        or kind not in ("t", "p")
        or not position
        or (kind == "p" and not (position.isdigit() and int(position) >= 1))
    ):
        raise ValueError(f"not a SendPilot page token: {token!r}")
    return int(size), kind, position


def _next_token(p: wire.Pagination, size: int, page: int | None, rows: int) -> str | None:
    """Where the stream continues after this response, in whichever documented shape it came."""
    if p.continuation_token:
        return f"{size}:t:{p.continuation_token}" if p.has_more is not False and rows else None
    if p.has_more is False or rows == 0:
        return None
    current = p.page or page or 1
    if p.total_pages is not None:
        return f"{size}:p:{current + 1}" if current < p.total_pages else None
    if p.total is not None:
        return f"{size}:p:{current + 1}" if current * size < p.total else None
    if p.page is not None and rows >= size:
        return f"{size}:p:{current + 1}"
    if p.has_more:
        log.warning("SendPilot said more conversations follow but sent no continuationToken; stopping here")
    return None


# ------------------------------------------------------------------------------------ mapping


def _person(name: str | None, profile_url: str | None) -> Person:
    """A LinkedIn member: name and profile URL. No email address, and none is guessed."""
    return Person(name=(name or "").strip() or None, profile_url=(profile_url or "").strip() or None)


def _lead(participants: list[wire.Participant], account_id: str) -> Person:
    """The person on the other side: the first participant that is not the sender account."""
    others = [p for p in participants if p.id != account_id and (p.name or p.profile_url)]
    if not others:
        return Person()
    return _person(others[0].name, others[0].profile_url)


def _direction(m: wire.Message, outbound_senders: set[str]) -> Direction:
    value = (m.direction or "").strip().lower()
    if value in _INBOUND:
        return "inbound"
    if value in _OUTBOUND:
        return "outbound"
    sender = _contact_key(m.sender)
    return "outbound" if sender and sender in outbound_senders else "inbound"


def _contact_key(c: wire.Contact | None) -> str | None:
    if c is None:
        return None
    return c.id or c.profile_url or c.name


def _read(status: str | None) -> bool | None:
    value = (status or "").strip().lower()
    return True if value == "read" else False if value == "unread" else None


def _attachments(m: wire.Message) -> tuple[Attachment, ...]:
    items = tuple(
        Attachment(
            filename=a.name or a.filename or a.file_name or "(unnamed)",
            content_type=a.mime_type or a.content_type or a.type,
            size=a.size,
        )
        for a in m.attachments
    )
    kind = (m.content_type or "").strip().upper()
    if not items and kind and kind != "TEXT":
        # An image or file message whose attachment list is empty: say that something was sent.
        return (Attachment(filename=f"({kind.lower()}, no file name given)"),)
    return items


def _oldest_first(messages: list[wire.Message]) -> list[wire.Message]:
    """Sorted by sentAt whatever order the pages came in. A list that came newest first is turned
    round first, so that messages with equal times keep their real order; undated ones go last."""
    dated = [m.sent_at for m in messages if m.sent_at is not None]
    if len(dated) >= 2 and dated[0] > dated[-1]:
        messages = list(reversed(messages))
    return sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at or _FAR))


def _thread(conversation_id: str, provider: str, received: list[wire.Message]) -> Thread:
    outbound_senders = {k for m in received if (m.direction or "").lower() in _OUTBOUND if (k := _contact_key(m.sender))}
    directions = [_direction(m, outbound_senders) for m in received]
    lead = next((m.sender for m, d in zip(received, directions) if d == "inbound" and m.sender), None)
    if lead is None:
        lead = next((m.recipient for m, d in zip(received, directions) if d == "outbound" and m.recipient), None)
    correspondent = _person(lead.name, lead.profile_url) if lead else Person()
    messages = tuple(_message(m, d) for m, d in zip(received, directions))
    inbound_reads = [m.read for m in messages if m.direction == "inbound" and m.read is not None]
    last = next((m for m in reversed(messages) if m.at), None)
    conversation = Conversation(
        id=conversation_id,
        provider=provider,
        correspondent=correspondent,
        last_activity_at=last.at if last else None,
        subject=None,
        snippet=(messages[-1].text or None) if messages else None,
        unread=(not all(inbound_reads)) if inbound_reads else None,
        message_count=len(messages),
    )
    return Thread(conversation=conversation, messages=messages)


def _message(m: wire.Message, direction: Direction) -> Message:
    recipient = None
    if m.recipient is not None:
        recipient = (m.recipient.name or "").strip() or m.recipient.profile_url or None
    kind = (m.content_type or "").strip().lower()
    return Message(
        direction=direction,
        at=m.sent_at,
        sender=_person(m.sender.name, m.sender.profile_url) if m.sender else None,
        recipient=recipient,
        subject=None,
        text=m.content or None,
        kind=kind if kind and kind != "text" else None,
        attachments=_attachments(m),
        read=_read(m.read_status),
    )


# ------------------------------------------------------------------------------------ accounts


def accounts(settings: SendPilotSettings) -> Callable[[HttpClient], list[SendPilotClient]]:
    """The `sendpilot` account these settings describe (none without a key), built later on the
    server's HTTP client."""
    if not settings.has_key():
        return lambda http: []
    return lambda http: [SendPilotClient("sendpilot", settings, http, key_hint="SENDPILOT_API_KEY")]


def accounts_from_env() -> Callable[[HttpClient], list[SendPilotClient]]:
    """Read SENDPILOT_* now, raising on malformed values."""
    return accounts(SendPilotSettings())
