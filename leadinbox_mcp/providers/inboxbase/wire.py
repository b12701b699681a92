"""InboxBase's JSON exactly as documented (seed 004 and PROVIDERS.md), tolerant of extra and
missing fields.

Every timestamp comes twice: Unix milliseconds (`lastEventAt`, `createdAt`, `ts`, `noReplyAt`)
and an ISO 8601 string (`lastEventAtIso`, `createdAtIso`, `tsIso`, `noReplyAtIso`). `when` prefers
the milliseconds and falls back to the ISO string. A conversation's `events[]` is a discriminated
union on `type`; a `message` event carries its message under `message` (a flattened message is
accepted too). The second reading of the docs (docs.12m.ai) has no `direction` on messages,
`from` as "Name <address>" and `to` / `cc` as strings; the seed's shape (a direction, lists)
parses as well. `mailbox` and `mailboxes` read such address strings.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from leadinbox_mcp.providers.wire_base import Nested, SkippableRows, UtcTime, Wire, mailbox, mailboxes, unreadable_id  # noqa: F401 (mailboxes: used by the client)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INTEGER = re.compile(r"^-?[0-9]{1,19}$")


def _iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_millis(value: Any) -> int | None:
    """Unix milliseconds from what the API sends: an integer (or an integer-valued string or
    float), or, tolerated, an ISO string. Anything else counts as absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.match(text):
            return int(text)
        parsed = _iso(text)
        if parsed is not None:
            return (parsed - EPOCH) // timedelta(milliseconds=1)
    return None


def to_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return _iso(value)
    return None


def from_millis(ms: int | None) -> datetime | None:
    if ms is None:
        return None
    try:
        return EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        return None


def when(ms: int | None, iso: datetime | None) -> datetime | None:
    """The milliseconds value when it is usable, else the ISO one (both UTC)."""
    return from_millis(ms) or iso


def _strings(value: Any) -> Any:
    """A list of strings from a string, a list, or objects that carry a name or an address."""
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if isinstance(value, list):
        return [s for s in (_address(v) if isinstance(v, dict) else v for v in value) if s is not None]
    return value


def _address(value: Any) -> Any:
    """`{"name": ..., "email": ...}` (or address / label) as one string "Name <email>"; a list
    stands for its first element. Only strings are read from the object: anything else there
    (a number, a deeply nested list) counts as absent rather than being turned into text."""
    while isinstance(value, list):  # a loop, not recursion: the list may be nested 10,000 deep
        if not value:
            return None
        value = value[0]
    if isinstance(value, dict):
        email = _text(value.get("email")) or _text(value.get("address"))
        name = _text(value.get("name"))
        if email:
            return f"{name} <{email}>" if name else email
        return _text(value.get("label")) or name
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


Millis = Annotated[int | None, BeforeValidator(to_millis)]
IsoTime = Annotated[UtcTime, BeforeValidator(to_datetime)]
"""An ISO string read by `to_datetime`, then in UTC as every wire time (`UtcTime`)."""
Strings = Annotated[list[str], BeforeValidator(_strings), Nested]
Address = Annotated[str | None, BeforeValidator(_address)]


class _Conversation(Wire):
    """What a listing's row and a conversation's own page both say of it."""

    id: str
    with_: Address = Field(default=None, alias="with")
    subject: str | None = None
    message_count: int | None = Field(default=None, alias="messageCount")
    archived: bool | None = None
    labels: Strings = Field(default_factory=list)
    """Documented on the conversation, not on rows; read on rows when present."""
    last_event_at: Millis = Field(default=None, alias="lastEventAt")
    last_event_at_iso: IsoTime = Field(default=None, alias="lastEventAtIso")

    @property
    def last_event(self) -> datetime | None:
        return when(self.last_event_at, self.last_event_at_iso)


class ConversationRow(_Conversation):
    """One row of GET /v1/identities/{handle}/conversations."""

    snippet: str | None = None
    created_at: Millis = Field(default=None, alias="createdAt")
    created_at_iso: IsoTime = Field(default=None, alias="createdAtIso")

    @property
    def last_event_ms(self) -> int | None:
        """The row's position in the listing's order, in the unit of `since` / `until`."""
        if from_millis(self.last_event_at) is not None:
            return self.last_event_at
        return to_millis(self.last_event_at_iso.isoformat()) if self.last_event_at_iso else None


def _unreadable_row(index: int) -> dict[str, Any]:
    """In place of a row that cannot be read: an id the client refuses, so it is left out."""
    return {"id": unreadable_id(index)}


class ConversationList(Wire):
    identity: str | None = None
    conversations: Annotated[list[ConversationRow], SkippableRows(_unreadable_row)] = Field(default_factory=list)
    next_cursor: int | str | None = Field(default=None, alias="nextCursor")
    """Documented as int64 or null (the lastEventAt of the page's last row)."""


class Attachment(Wire):
    filename: str | None = Field(default=None, validation_alias=AliasChoices("filename", "name", "fileName"))
    content_type: str | None = Field(
        default=None, validation_alias=AliasChoices("contentType", "mimeType", "content_type", "type")
    )
    size: int | None = Field(default=None, validation_alias=AliasChoices("size", "sizeBytes", "bytes"))


class MessageBody(Wire):
    text: str | None = None
    html: str | None = None


class Message(Wire):
    """The `message` of a `message` event. Documented (docs.12m.ai): id, from ("Name <address>"),
    to and cc (strings), subject, text, html, snippet, ts; the seed's direction, lists of
    recipients and attachments are read when present."""

    id: str | None = None
    direction: str | None = None
    from_: Address = Field(default=None, alias="from")
    to: Strings = Field(default_factory=list)
    cc: Strings = Field(default_factory=list)
    subject: str | None = None
    text: str | None = Field(default=None, validation_alias=AliasChoices("text", "bodyText", "textBody", "plain"))
    html: str | None = Field(default=None, validation_alias=AliasChoices("html", "bodyHtml", "htmlBody"))
    body: MessageBody | None = None
    snippet: str | None = None
    ts: Millis = Field(default=None, validation_alias=AliasChoices("ts", "sentAt", "receivedAt", "createdAt", "at"))
    ts_iso: IsoTime = Field(
        default=None, validation_alias=AliasChoices("tsIso", "sentAtIso", "receivedAtIso", "createdAtIso", "atIso")
    )
    attachments: Annotated[list[Attachment], Nested] = Field(default_factory=list)
    auto_reply: bool | None = Field(default=None, validation_alias=AliasChoices("autoReply", "isAutoReply"))

    @model_validator(mode="before")
    @classmethod
    def _body(cls, data: Any) -> Any:
        """`body` as a string counts as text, or as html when it looks like markup."""
        if isinstance(data, dict) and isinstance(data.get("body"), str):
            data = dict(data)
            raw = data.pop("body")
            key = "html" if re.search(r"<[a-zA-Z][^<>]*>", raw) else "text"  # [^<>]: linear on "<a<a<a..."
            data.setdefault(key, raw)
        return data

    @property
    def body_text(self) -> str | None:
        return self.text or (self.body.text if self.body else None)

    @property
    def body_html(self) -> str | None:
        return self.html or (self.body.html if self.body else None)


class Event(Wire):
    """One entry of a conversation's `events[]`: `message`, `label_added`, `label_removed`,
    `archived`, `unarchived`, `no_reply_expired`, or a type this client does not know yet."""

    id: str | None = None
    type: str | None = None
    ts: Millis = Field(default=None, validation_alias=AliasChoices("ts", "at", "createdAt", "occurredAt"))
    ts_iso: IsoTime = Field(
        default=None, validation_alias=AliasChoices("tsIso", "atIso", "createdAtIso", "occurredAtIso")
    )
    label: Address = Field(default=None, validation_alias=AliasChoices("label", "labelName", "name"))
    labels: Strings = Field(default_factory=list)
    waited_ms: int | None = Field(default=None, alias="waitedMs")
    message: Message | None = None

    @model_validator(mode="before")
    @classmethod
    def _payload(cls, data: Any) -> Any:
        """Accept the payload in a `data` object (as on the events stream), and a message event
        whose message fields sit on the event itself."""
        if not isinstance(data, dict):
            return data
        if isinstance(data.get("data"), dict):
            data = {**data["data"], **{k: v for k, v in data.items() if k != "data"}}
        if data.get("type") == "message" and not isinstance(data.get("message"), dict):
            data = {**data, "message": {k: v for k, v in data.items() if k not in ("type", "message")}}
        return data

    @property
    def at(self) -> datetime | None:
        found = when(self.ts, self.ts_iso)
        if found is None and self.message is not None:
            found = when(self.message.ts, self.message.ts_iso)
        return found


class ConversationDetail(_Conversation):
    no_reply_at: Millis = Field(default=None, alias="noReplyAt")
    """When the conversation's no-reply timer is due (documented field; read as a pending timer)."""
    no_reply_at_iso: IsoTime = Field(default=None, alias="noReplyAtIso")
    last_no_reply_at: Millis = Field(default=None, alias="lastNoReplyAt")
    """When a no-reply timer last expired (the time of the last `no_reply_expired`)."""
    last_no_reply_at_iso: IsoTime = Field(default=None, alias="lastNoReplyAtIso")
    events: list[Event] = Field(default_factory=list)

    @property
    def no_reply(self) -> datetime | None:
        return when(self.no_reply_at, self.no_reply_at_iso)

    @property
    def last_no_reply(self) -> datetime | None:
        return when(self.last_no_reply_at, self.last_no_reply_at_iso)


class ThreadEnvelope(Wire):
    identity: str | None = None
    conversation: ConversationDetail
