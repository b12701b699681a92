"""lemlist's inbox JSON as documented (seed 003 and the "Get Contact Messages" page), tolerant of
extra and missing fields.

    GET /api/inbox              {data: [InboxRow], pagination: Pagination}
    GET /api/inbox/{contactId}  {data: [Activity]}

Only `_id` of an inbox row is required; everything else may be missing or null. Activity
objects are loosely documented: the fields below are those of the documented example plus the
common activity fields of lemlist's activity reference (leadFirstName, errorMessage, ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from inbox_mcp.providers.wire_base import Wire


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
    id: str = Field(alias="_id")
    """The `ibx_...` id. Not what GET /api/inbox/{contactId} takes: that is `contact_id`."""
    contact_id: str | None = Field(default=None, alias="contactId")
    contact: Contact = Field(default_factory=Contact)
    channels: list[str] = Field(default_factory=list)
    users: list[InboxUser] = Field(default_factory=list)
    last_activity_at: datetime | None = Field(default=None, alias="lastActivityAt")
    last_replied_at: datetime | None = Field(default=None, alias="lastRepliedAt")
    last_replied_channel: str | None = Field(default=None, alias="lastRepliedChannel")
    have_replies: bool | None = Field(default=None, alias="haveReplies")
    created_at: datetime | None = Field(default=None, alias="createdAt")
    created_by: str | None = Field(default=None, alias="createdBy")
    opportunities: list[Any] = Field(default_factory=list)
    team_id: str | None = Field(default=None, alias="teamId")


class Pagination(Wire):
    total_items: int | None = Field(default=None, alias="totalItems")
    current_page: int | None = Field(default=None, alias="currentPage")
    next_page: int | None = Field(default=None, alias="nextPage")
    previous_page: int | None = Field(default=None, alias="previousPage")
    per_page: int | None = Field(default=None, alias="perPage")
    total_pages: int | None = Field(default=None, alias="totalPages")


class InboxList(Wire):
    data: list[InboxRow] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)


class Activity(Wire):
    """One entry of GET /api/inbox/{contactId}: an email, a LinkedIn message, or another
    activity (an open, a profile visit, ...). `type` says which; see the client for the mapping."""

    id: str | None = Field(default=None, alias="_id")
    type: str | None = None
    created_at: datetime | None = Field(default=None, alias="createdAt")
    subject: str | None = None
    message: str | None = None
    """HTML for emails; LinkedIn messages may be plain text."""
    message_id: str | None = Field(default=None, alias="messageId")
    team_id: str | None = Field(default=None, alias="teamId")
    lead_id: str | None = Field(default=None, alias="leadId")
    contact_id: str | None = Field(default=None, alias="contactId")
    campaign_id: str | None = Field(default=None, alias="campaignId")
    campaign_name: str | None = Field(default=None, alias="name")
    """lemlist's activity reference calls the campaign name `name`."""
    sequence_id: str | None = Field(default=None, alias="sequenceId")
    sequence_step: int | None = Field(default=None, alias="sequenceStep")
    """0-based position in the sequence."""
    send_user_id: str | None = Field(default=None, alias="sendUserId")
    send_user_name: str | None = Field(default=None, alias="sendUserName")
    send_user_email: str | None = Field(default=None, alias="sendUserEmail")
    send_user_mailbox_id: str | None = Field(default=None, alias="sendUserMailboxId")
    lead_email: str | None = Field(default=None, alias="leadEmail")
    lead_first_name: str | None = Field(default=None, alias="leadFirstName")
    lead_last_name: str | None = Field(default=None, alias="leadLastName")
    lead_company_name: str | None = Field(default=None, alias="leadCompanyName")
    error_message: str | None = Field(default=None, alias="errorMessage")


class ContactMessages(Wire):
    data: list[Activity] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        """Tolerate a bare JSON array of activities (no `data` envelope)."""
        return {"data": data} if isinstance(data, list) else data
