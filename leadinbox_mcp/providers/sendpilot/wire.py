"""SendPilot's JSON exactly as documented (seed 002, PROVIDERS.md), tolerant of extra and missing fields.

Two endpoints: GET /v1/inbox/conversations (`ConversationList`) and
GET /v1/inbox/conversations/{conversationId}/messages (`MessageList`). Ids are required; every
other field is optional, and a field sent as null counts as absent.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from leadinbox_mcp.providers.wire_base import Nested, PageCursor, SkippableRows, UtcTime, Wire, unreadable_id


class Participant(Wire):
    """A LinkedIn member in a conversation: the lead, and sometimes our own sender too
    (observed); ids are member ids (`ACoAA...`, observed). No email address, ever."""

    id: str | None = None
    name: str | None = None
    profile_url: str | None = Field(default=None, alias="profileUrl")
    profile_picture: str | None = Field(default=None, alias="profilePicture")


def _scalar_text(value: Any) -> Any:
    """A direction sent as a number or a flag (values have been renamed before: observed) is
    kept as its text, for the client to judge, rather than failing the whole page."""
    return str(value) if isinstance(value, (int, float, bool)) else value


class LastMessage(Wire):
    content: str | None = None
    """Documented as cut at 100 characters; may end with whitespace (observed)."""
    sent_at: UtcTime = Field(default=None, alias="sentAt")
    direction: str | None = None
    """sent | received (documented); renamed at least once (observed)."""

    _direction = field_validator("direction", mode="before")(_scalar_text)


class ConversationRow(Wire):
    id: str
    account_id: str = Field(alias="accountId")
    """The sender (LinkedIn) account the conversation belongs to; the messages endpoint needs it."""
    participants: Annotated[list[Participant], Nested] = Field(default_factory=list)
    last_message: LastMessage | None = Field(default=None, alias="lastMessage")
    last_activity_at: UtcTime = Field(default=None, alias="lastActivityAt")
    unread_count: int | None = Field(default=None, alias="unreadCount")
    created_at: UtcTime = Field(default=None, alias="createdAt")
    updated_at: UtcTime = Field(default=None, alias="updatedAt")


class Pagination(Wire):
    """Either documented shape: a continuation token ({continuationToken, limit, hasMore}) or
    page numbers ({page, limit, total, totalPages, hasMore})."""

    continuation_token: PageCursor = Field(default=None, alias="continuationToken")
    limit: int | None = None
    has_more: bool | None = Field(default=None, alias="hasMore")
    page: int | None = None
    total_pages: int | None = Field(default=None, alias="totalPages")
    total: int | None = None


def _unreadable_row(index: int) -> dict[str, Any]:
    """In place of a row that cannot be read: ids the client refuses, so it is left out."""
    return {"id": unreadable_id(index), "accountId": "!"}


class ConversationList(Wire):
    conversations: Annotated[list[ConversationRow], SkippableRows(_unreadable_row)] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)


class Contact(Wire):
    """`sender` / `recipient` of a message."""

    id: str | None = None
    name: str | None = None
    profile_url: str | None = Field(default=None, alias="profileUrl")


class MessageAttachment(Wire):
    """The docs list `attachments[]` without its fields: the likely spellings are all read."""

    id: str | None = None
    name: str | None = None
    filename: str | None = None
    file_name: str | None = Field(default=None, alias="fileName")
    type: str | None = None
    mime_type: str | None = Field(default=None, alias="mimeType")
    content_type: str | None = Field(default=None, alias="contentType")
    size: int | None = None
    url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_url(cls, data: Any) -> Any:
        """An attachment given as a bare URL string."""
        return {"url": data} if isinstance(data, str) else data

    @field_validator("size", mode="before")
    @classmethod
    def _size_or_nothing(cls, value: Any) -> Any:
        """Undocumented, so a size that is not a whole number of bytes ("1.2 MB") is dropped."""
        try:
            return int(value) if float(value) == int(float(value)) and int(float(value)) >= 0 else None
        except (TypeError, ValueError, OverflowError):
            return None


class Message(Wire):
    id: str
    """`msg_...` in the documented example."""
    content: str | None = None
    """May end with whitespace (observed)."""
    sender: Contact | None = None
    """For a `sent` message: our LinkedIn identity, not the `accountId` (documented)."""
    recipient: Contact | None = None
    direction: str | None = None
    """sent | received (documented); renamed at least once (observed)."""
    sent_at: UtcTime = Field(default=None, alias="sentAt")
    read_status: str | None = Field(default=None, alias="readStatus")
    """read | unread | unknown"""
    content_type: str | None = Field(default=None, alias="contentType")
    """TEXT | IMAGE | FILE | ..."""
    attachments: Annotated[list[MessageAttachment], Nested] = Field(default_factory=list)
    """Can be empty on an IMAGE message."""

    _direction = field_validator("direction", mode="before")(_scalar_text)


class MessagePagination(Wire):
    has_more: bool | None = Field(default=None, alias="hasMore")
    continuation_token: PageCursor = Field(default=None, alias="continuationToken")
    limit: int | None = None


class MessageList(Wire):
    conversation_id: str | None = Field(default=None, alias="conversationId")
    messages: list[Message] = Field(default_factory=list)
    pagination: MessagePagination = Field(default_factory=MessagePagination)
