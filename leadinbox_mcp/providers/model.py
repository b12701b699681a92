"""The provider-neutral conversation model that every provider client returns.

Times are timezone-aware UTC datetimes, ids are strings, and nothing optional is faked: a
provider that does not know a value gives None (an unknown read state is None, not False).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

Direction = Literal["inbound", "outbound", "unknown"]
"""unknown: the provider does not say who wrote it, and nothing it sends tells; never guessed."""
Side = Literal["lead", "us"]
"""Who wrote a message: the lead (inbound) or us (outbound)."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)  # validators built on first use, not at start-up


def _require_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("datetimes in the domain model must be timezone-aware")
    return value


class Person(Frozen):
    name: str | None = None
    email: str | None = None
    company: str | None = None
    title: str | None = None
    profile_url: str | None = None


class Conversation(Frozen):
    id: str
    """The provider's own id: what `Provider.get_thread` takes."""
    provider: str
    correspondent: Person
    last_activity_at: datetime | None
    """None only when the provider sent no timestamp at all; a listing keeps such a row where
    the provider put it among its other rows."""
    subject: str | None = None
    snippet: str | None = None
    unread: bool | None = None
    """None where the provider has no read state."""
    status: str | None = None
    tags: tuple[str, ...] = ()
    campaign: str | None = None
    campaign_id: str | None = None
    message_count: int | None = None
    last_from: Side | None = None
    """Who wrote the latest message: as the provider's list row says it, or as the thread shows
    it; None where neither says (never guessed)."""

    _utc = field_validator("last_activity_at")(_require_utc)


class Attachment(Frozen):
    filename: str
    content_type: str | None = None
    size: int | None = None
    download: str | None = None
    """Where the provider serves its bytes (a path of its API), where it documents one: SendKit's
    downloadUrl. None: no download (the provider documents none, or has none for this file)."""


class Message(Frozen):
    direction: Direction
    at: datetime | None
    sender: Person | None = None
    recipient: str | None = None
    cc: tuple[Person, ...] = ()
    """Who else the message went to, as the provider sent it."""
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    kind: str | None = None
    """What the provider calls it: sent, reply, manual, linkedin, ..."""
    attachments: tuple[Attachment, ...] = ()
    auto_reply: bool = False
    opened: bool | None = None
    clicked: bool | None = None
    read: bool | None = None
    sequence_step: int | None = None

    _utc = field_validator("at")(_require_utc)


class ScheduledReply(Frozen):
    id: str | None = None
    text: str
    scheduled_for: datetime | None = None
    status: str | None = None

    _utc = field_validator("scheduled_for")(_require_utc)


class Event(Frozen):
    """Something that happened in a conversation that is not a message: a label added, an
    archive, an activity type the client does not know. Kept, never dropped silently."""

    at: datetime | None
    kind: str
    """The provider's own name for it: label_added, archived, linkedinVisitDone, ..."""
    detail: str | None = None

    _utc = field_validator("at")(_require_utc)


class Thread(Frozen):
    conversation: Conversation
    messages: tuple[Message, ...]
    """Oldest first."""
    scheduled: tuple[ScheduledReply, ...] = ()
    events: tuple[Event, ...] = ()
    """Oldest first; shown between the messages at their time."""
    notes: tuple[str, ...] = ()
    """Sentences the answer must carry about this thread, e.g. that its oldest part was not
    fetched (a thread longer than the client reads) or that a field could not be read."""


class Page(Frozen):
    conversations: tuple[Conversation, ...]
    next_token: str | None
    """Where the provider's stream continues, or None at its end. Opaque outside the provider."""
    notes: tuple[str, ...] = ()
    """Sentences the listing must carry, e.g. that the provider said more rows follow but gave
    no way to reach them, or that rows were skipped."""


class Query(Frozen):
    """What a listing asks for. Each provider pushes down what its Capabilities allow."""

    unread_only: bool = False
    tag: str | None = None
    campaign_id: str | None = None
    text: str | None = None
    domain: str | None = None
    since: datetime | None = None
    """Only conversations active at or after this time."""


class Capabilities(Frozen):
    """The filters a provider applies itself; the tool layer applies the rest."""

    unread: bool = False
    tag: bool = False
    campaign: bool = False
    text: bool = False
    since: bool = False
    read_state: bool = True
    """False where the provider has no read state at all (unread is unknown, never false)."""
    domain: Literal["exact", "narrows", "none", "not_applicable"] = "none"
    """exact: the provider filters by domain itself; narrows: a text search returns a superset
    that the tool filters exactly; none: the tool scans; not_applicable: no email addresses."""
    max_page_size: int = 100
