"""SendKit's JSON as documented (seeds 000 and 001, and PROVIDERS.md's second reading: the newer
list page and the older thread page), tolerant of extra, missing and null fields."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from leadinbox_mcp.providers.wire_base import Nested, PageCursor, SkippableRows, UtcTime, Wire, unreadable_id


def _without_nulls(value: Any) -> Any:
    """A null inside a list carries nothing: dropped, so that it cannot fail the whole page."""
    return [item for item in value if item is not None] if isinstance(value, list) else value


NoNulls = BeforeValidator(_without_nulls)


class Lead(Wire):
    id: str | None = Field(default=None, alias="_id")
    email: str | None = None
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    company_name: str | None = Field(default=None, alias="companyName")
    job_title: str | None = Field(default=None, alias="jobTitle")


class Campaign(Wire):
    id: str | None = Field(default=None, alias="_id")
    name: str | None = None


class LastMessage(Wire):
    """`read` is in the older list page only; the newer one says `isRead`/`unreadCount` on the row."""

    content: str | None = None
    from_: str | None = Field(default=None, alias="from")
    received_at: UtcTime = Field(default=None, alias="receivedAt")
    is_from_lead: bool | None = Field(default=None, alias="isFromLead")
    read: bool | None = None


class _Conversation(Wire):
    """What a list row and a thread page both say of a conversation."""

    id: str | None = None
    """None when missing: such a row cannot be opened, and the client says it left it out (a
    thread keeps the id it was asked for)."""
    lead: Lead = Field(default_factory=Lead)
    campaign: Campaign | None = None
    status: str | None = None
    ai_tag: str | None = Field(default=None, alias="aiTag")
    tags: Annotated[list[str], NoNulls, Nested] = Field(default_factory=list)
    is_read: bool | None = Field(default=None, alias="isRead")
    unread_count: int | None = Field(default=None, alias="unreadCount")


class ConversationRow(_Conversation):
    replied_at: UtcTime = Field(default=None, alias="repliedAt")
    last_message: LastMessage | None = Field(default=None, alias="lastMessage")
    message_count: int | None = Field(default=None, alias="messageCount")


class Pagination(Wire):
    """Either documented shape: page numbers ({total, page, limit, pages}) or a cursor
    ({limit, total, hasMore, nextCursor})."""

    total: int | None = None
    page: int | None = None
    limit: int | None = None
    pages: int | None = None
    has_more: bool | None = Field(default=None, alias="hasMore")
    next_cursor: PageCursor = Field(default=None, alias="nextCursor")


class InboxList(Wire):
    success: bool | None = None
    data: Annotated[list[ConversationRow], SkippableRows(lambda i: {"id": unreadable_id(i)}), NoNulls] = Field(
        default_factory=list
    )
    """A row that cannot be read comes as one without an id, which the client leaves out."""
    pagination: Pagination = Field(default_factory=Pagination)


class Attachment(Wire):
    filename: str | None = None
    content_type: str | None = Field(default=None, alias="contentType")
    size: int | None = None
    download_url: str | None = Field(default=None, alias="downloadUrl")


class ThreadMessage(Wire):
    """One entry of `messages`: type sent, reply or manual (others are kept as they come). A
    manual message has a `direction` whose values are not documented."""

    type: str | None = None
    subject: str | None = None
    body: str | None = None
    sent_at: UtcTime = Field(default=None, alias="sentAt")
    sequence_step: int | None = Field(default=None, alias="sequenceStep")
    opened: bool | None = None
    clicked: bool | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    content: str | None = None
    html_content: str | None = Field(default=None, alias="htmlContent")
    received_at: UtcTime = Field(default=None, alias="receivedAt")
    created_at: UtcTime = Field(default=None, alias="createdAt")
    is_from_lead: bool | None = Field(default=None, alias="isFromLead")
    is_auto_reply: bool | None = Field(default=None, alias="isAutoReply")
    read: bool | None = None
    direction: str | None = None
    attachments: Annotated[list[Attachment], NoNulls, Nested] = Field(default_factory=list)


class ScheduledReply(Wire):
    id: str | None = Field(default=None, alias="_id")
    message: str | None = None
    scheduled_for: UtcTime = Field(default=None, alias="scheduledFor")
    status: str | None = None
    mailbox_id: str | None = Field(default=None, alias="mailboxId")
    created_at: UtcTime = Field(default=None, alias="createdAt")


class ConversationDetail(_Conversation):
    """The older page has no `isRead`, `unreadCount` or message `attachments`."""

    messages: Annotated[list[ThreadMessage], NoNulls] = Field(default_factory=list)
    scheduled_replies: Annotated[list[ScheduledReply], NoNulls, Nested] = Field(
        default_factory=list, alias="scheduledReplies"
    )


class ThreadEnvelope(Wire):
    success: bool | None = None
    data: ConversationDetail
