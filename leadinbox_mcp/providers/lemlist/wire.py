"""lemlist's inbox JSON as documented (seed 003, the "Get Contact Messages" page and the wider
reading of PROVIDERS.md), tolerant of extra and missing fields.

    GET /api/inbox              {data: [InboxRow], pagination: Pagination}
    GET /api/inbox/{contactId}  {data: [Activity], pagination: Pagination}

Nothing of an inbox row is required; everything may be missing or null. The thread endpoint is
documented twice over: its example returns activity objects (`type, message, createdAt, ...`),
its object reference an "Inbox Message" (`_id, conversationId, sender, recipient, body,
sentAt`). `Activity` reads both, and any mix of them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, field_validator, model_validator

from leadinbox_mcp.providers.wire_base import Nested, SkippableRows, UtcTime, Wire, unreadable_id


class Contact(Wire):
    """`contact` of an inbox row; `fullName` is often absent (then only the email is known)."""

    id: str | None = Field(default=None, alias="_id")
    full_name: str | None = Field(default=None, alias="fullName")
    email: str | None = None


class InboxUser(Wire):
    """A member of the team who sees the conversation, and whether they have read it."""

    user_id: str | None = Field(default=None, alias="userId")
    sender: bool | None = None
    read: bool | None = None


class InboxRow(Wire):
    id: str | None = Field(default=None, alias="_id")
    """The `ibx_...` id. Not what GET /api/inbox/{contactId} takes: that is `contact_id`. Unused
    by the client, so a row without it is still listed."""
    contact_id: str | None = Field(default=None, alias="contactId")
    contact: Contact = Field(default_factory=Contact)
    """Legacy rows have none: then only `contactId` identifies the conversation."""
    channels: Annotated[list[str], Nested] = Field(default_factory=list)
    users: Annotated[list[InboxUser], Nested] = Field(default_factory=list)
    last_activity_at: UtcTime = Field(default=None, alias="lastActivityAt")
    last_replied_at: UtcTime = Field(default=None, alias="lastRepliedAt")
    last_replied_channel: str | None = Field(default=None, alias="lastRepliedChannel")
    have_replies: bool | None = Field(default=None, alias="haveReplies")
    created_at: UtcTime = Field(default=None, alias="createdAt")
    created_by: str | None = Field(default=None, alias="createdBy")
    opportunities: Annotated[list[Any], Nested] = Field(default_factory=list)
    """Documented as objects `{id, type, done}`; the seed shows only `[]`. Not used."""
    team_id: str | None = Field(default=None, alias="teamId")


class Pagination(Wire):
    total_items: int | None = Field(default=None, alias="totalItems")
    current_page: int | None = Field(default=None, alias="currentPage")
    next_page: int | None = Field(default=None, alias="nextPage")
    previous_page: int | None = Field(default=None, alias="previousPage")
    per_page: int | None = Field(default=None, alias="perPage")
    total_pages: int | None = Field(default=None, alias="totalPages")

    @field_validator("*", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> int | None:
        """A count that is not a whole number counts as unknown rather than failing the page."""
        if isinstance(value, bool):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return value if isinstance(value, int) else None


class InboxList(Wire):
    data: Annotated[list[InboxRow], SkippableRows(lambda i: {"contactId": unreadable_id(i)})] = Field(
        default_factory=list
    )
    """A row that cannot be read comes as one without a contact id, which the client leaves out."""
    pagination: Pagination = Field(default_factory=Pagination)


def _parties(value: Any) -> list[str]:
    """A list of addresses (or of objects), or one string that may hold several."""
    items = value if isinstance(value, list) else [value]
    return [p for p in (_party(item) for item in items) if p and p.strip()]


def _party(value: Any) -> str | None:
    """A sender, recipient or cc entry as one string: documented as a string; an object (a
    shape seen elsewhere in lemlist's API) gives `Name <email>`, its email, its name or its id."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return None
    strings = {k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    name = strings.get("name") or strings.get("fullName")
    email = strings.get("email") or strings.get("address")
    if name and email:
        return f"{name} <{email}>"
    return email or name or strings.get("userId") or strings.get("_id") or strings.get("id")


class WireAttachment(Wire):
    """An attachment of an activity: the shape is not documented for activities; the drafts
    endpoint documents `{name, url, size, type}`, other lemlist pages use `filename` or
    `contentType`. Every field is optional."""

    name: str | None = Field(default=None, validation_alias=AliasChoices("name", "filename", "fileName"))
    url: str | None = None
    type: str | None = Field(default=None, validation_alias=AliasChoices("type", "contentType", "mimeType", "mimetype"))
    size: int | None = None

    @field_validator("name", "url", "type", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return value if isinstance(value, str) else None

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int | None:
        """Bytes, from a number or a numeric string; anything else (negative, fractional text,
        infinite) counts as unknown rather than failing the thread."""
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, float) and math.isfinite(value):
            value = int(value)
        return value if isinstance(value, int) and 0 <= value < 2**53 else None


class Activity(Wire):
    """One entry of GET /api/inbox/{contactId}: an email, a LinkedIn message, or another
    activity (an open, a profile visit, ...) whose `type` says which (see the client for the
    mapping); or an "Inbox Message" without a type, whose `sender` and `recipient` say who
    wrote it."""

    id: str | None = Field(default=None, alias="_id")
    type: str | None = None
    created_at: UtcTime = Field(default=None, alias="createdAt")
    subject: str | None = None
    message: str | None = None
    """HTML for emails; LinkedIn messages may be plain text."""
    message_id: str | None = Field(default=None, alias="messageId")
    team_id: str | None = Field(default=None, alias="teamId")
    lead_id: str | None = Field(default=None, alias="leadId")
    contact_id: str | None = Field(default=None, alias="contactId")
    campaign_id: str | None = Field(default=None, alias="campaignId")
    campaign_name: str | None = Field(default=None, validation_alias=AliasChoices("campaignName", "name"))
    """The activity reference calls the campaign name `name`, newer pages `campaignName`."""
    sequence_id: str | None = Field(default=None, alias="sequenceId")
    sequence_step: float | None = Field(default=None, alias="sequenceStep")
    """0-based position in the sequence, typed as a number (not necessarily whole)."""
    send_user_id: str | None = Field(default=None, alias="sendUserId")
    send_user_name: str | None = Field(default=None, alias="sendUserName")
    send_user_email: str | None = Field(default=None, alias="sendUserEmail")
    send_user_mailbox_id: str | None = Field(default=None, alias="sendUserMailboxId")
    lead_email: str | None = Field(default=None, alias="leadEmail")
    lead_first_name: str | None = Field(default=None, alias="leadFirstName")
    lead_last_name: str | None = Field(default=None, alias="leadLastName")
    lead_company_name: str | None = Field(default=None, alias="leadCompanyName")
    error_message: str | None = Field(default=None, alias="errorMessage")
    cc: Annotated[list[str], BeforeValidator(_parties), Nested] = Field(default_factory=list)
    attachments: Annotated[list[WireAttachment], Nested] = Field(default_factory=list)
    # The "Inbox Message" object
    conversation_id: str | None = Field(default=None, alias="conversationId")
    sender: str | None = None
    recipient: str | None = None
    body: str | None = None
    sent_at: UtcTime = Field(default=None, alias="sentAt")

    @field_validator("sender", "recipient", mode="before")
    @classmethod
    def _one_party(cls, value: Any) -> str | None:
        return _party(value)

    @field_validator("attachments", mode="before")
    @classmethod
    def _files(cls, value: Any) -> list[Any]:
        """Objects as they come; a bare string is a file name or URL; anything else is skipped."""
        items = value if isinstance(value, list) else [value]
        return [{"name": item} if isinstance(item, str) else item for item in items if isinstance(item, (str, dict))]

    @property
    def at(self) -> datetime | None:
        return self.created_at or self.sent_at

    @property
    def text(self) -> str | None:
        """The message body, whichever shape carried it."""
        return self.message if self.message is not None else self.body


class ContactMessages(Wire):
    data: list[Activity] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        """Tolerate a bare JSON array of activities (no `data` envelope)."""
        return {"data": data} if isinstance(data, list) else data
