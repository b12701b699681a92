"""SendKit's JSON exactly as documented (seeds 000 and 001), tolerant of extra and missing fields."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from inbox_mcp.providers.wire_base import Wire


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
    content: str | None = None
    from_: str | None = Field(default=None, alias="from")
    received_at: datetime | None = Field(default=None, alias="receivedAt")
    is_from_lead: bool | None = Field(default=None, alias="isFromLead")
    read: bool | None = None


class ConversationRow(Wire):
    id: str
    lead: Lead = Field(default_factory=Lead)
    campaign: Campaign | None = None
    status: str | None = None
    ai_tag: str | None = Field(default=None, alias="aiTag")
    tags: list[str] = Field(default_factory=list)
    replied_at: datetime | None = Field(default=None, alias="repliedAt")
    last_message: LastMessage | None = Field(default=None, alias="lastMessage")
    message_count: int | None = Field(default=None, alias="messageCount")
    is_read: bool | None = Field(default=None, alias="isRead")
    unread_count: int | None = Field(default=None, alias="unreadCount")


class Pagination(Wire):
    """Either documented shape: page numbers ({total, page, limit, pages}) or a cursor
    ({limit, total, hasMore, nextCursor})."""

    total: int | None = None
    page: int | None = None
    limit: int | None = None
    pages: int | None = None
    has_more: bool | None = Field(default=None, alias="hasMore")
    next_cursor: str | None = Field(default=None, alias="nextCursor")


class InboxList(Wire):
    success: bool | None = None
    data: list[ConversationRow] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)


class Attachment(Wire):
    filename: str | None = None
    content_type: str | None = Field(default=None, alias="contentType")
    size: int | None = None
    download_url: str | None = Field(default=None, alias="downloadUrl")


class ThreadMessage(Wire):
    """One entry of `messages`: type sent, reply or manual (others are kept as they come)."""

    type: str | None = None
    subject: str | None = None
    body: str | None = None
    sent_at: datetime | None = Field(default=None, alias="sentAt")
    sequence_step: int | None = Field(default=None, alias="sequenceStep")
    opened: bool | None = None
    clicked: bool | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    content: str | None = None
    html_content: str | None = Field(default=None, alias="htmlContent")
    received_at: datetime | None = Field(default=None, alias="receivedAt")
    created_at: datetime | None = Field(default=None, alias="createdAt")
    is_from_lead: bool | None = Field(default=None, alias="isFromLead")
    is_auto_reply: bool | None = Field(default=None, alias="isAutoReply")
    read: bool | None = None
    direction: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class ScheduledReply(Wire):
    id: str | None = Field(default=None, alias="_id")
    message: str | None = None
    scheduled_for: datetime | None = Field(default=None, alias="scheduledFor")
    status: str | None = None
    mailbox_id: str | None = Field(default=None, alias="mailboxId")
    created_at: datetime | None = Field(default=None, alias="createdAt")


class ConversationDetail(Wire):
    id: str
    lead: Lead = Field(default_factory=Lead)
    campaign: Campaign | None = None
    status: str | None = None
    ai_tag: str | None = Field(default=None, alias="aiTag")
    tags: list[str] = Field(default_factory=list)
    is_read: bool | None = Field(default=None, alias="isRead")
    unread_count: int | None = Field(default=None, alias="unreadCount")
    messages: list[ThreadMessage] = Field(default_factory=list)
    scheduled_replies: list[ScheduledReply] = Field(default_factory=list, alias="scheduledReplies")


class ThreadEnvelope(Wire):
    success: bool | None = None
    data: ConversationDetail
