"""lemlist's documented drafts: a reply saved in lemlist's inbox, where the person sends it.

    POST   /api/inbox/{contactId}/drafts?draftOwner=           {channel, content, subject?}
    GET    /api/inbox/{contactId}/drafts
    PATCH  /api/inbox/{contactId}/drafts/{draftId}?draftOwner= {content, subject?}
    DELETE /api/inbox/{contactId}/drafts/{draftId}?draftOwner=

Nothing is sent. A draft goes on the conversation's own channel (email, LinkedIn, ...) and is
owned by the account's user (LEMLIST_USER_ID / user_id), else by the team member who wrote to
the lead last. No cc is ever set. At most 10 drafts a conversation (lemlist's limit).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, ClassVar
from urllib.parse import quote

from pydantic import Field

from leadinbox_mcp.providers.errors import BadRequestError, ProviderError
from leadinbox_mcp.providers.lemlist.client import LemlistClient
from leadinbox_mcp.providers.model import Thread
from leadinbox_mcp.providers.wire_base import Nested, UtcTime, Wire, parse
from leadinbox_mcp.providers.writes import Draft, NoWrites, html_of

MAX_DRAFTS = 10
CHANNELS = ("linkedin", "whatsapp", "sms")
"""Channels an activity type starts with (linkedinReplied, ...); anything else is email."""


class _Draft(Wire):
    id: str = Field(validation_alias="_id")
    channel: str | None = None
    subject: str | None = None
    content_preview: str | None = Field(default=None, alias="contentPreview")
    created_at: UtcTime = Field(default=None, alias="createdAt")
    updated_at: UtcTime = Field(default=None, alias="updatedAt")


class _Drafts(Wire):
    drafts: Annotated[list[_Draft], Nested] = []


class _Created(Wire):
    draft_id: str = Field(alias="draftId")


class Writes(NoWrites):
    client: LemlistClient
    drafts: ClassVar[bool] = True
    instead_of_sending: ClassVar[str] = (
        "save_draft puts the reply in lemlist's inbox as a draft, where the person reviews and sends it"
    )

    def _path(self, conversation_id: str, draft_id: str | None = None) -> str:
        path = f"/api/inbox/{quote(conversation_id, safe='')}/drafts"
        return path + (f"/{quote(draft_id, safe='')}" if draft_id else "")

    async def _send(
        self, method: str, path: str, owner: str | None, body: Any = None, not_found: str | None = None
    ) -> Any:
        call = self.client._call(path, {"draftOwner": owner} if owner else None, not_found=not_found)
        return await self.client._http.get_json(replace(call, method=method, body=body))

    async def save_draft(self, conversation_id: str, text: str, subject: str | None, draft_id: str | None) -> Draft:
        body: dict[str, Any] = {"content": html_of(text)}
        if subject:
            body["subject"] = subject
        if draft_id:
            owner = await self._owner(conversation_id)
            data = await self._send(
                "PATCH", self._path(conversation_id, draft_id), owner, body, not_found=self._no_draft(draft_id)
            )
            saved = parse(
                _Draft, (data or {}).get("draft") if isinstance(data, dict) else None, self.client.account, "lemlist"
            )
            return _draft(saved)
        existing = await self.list_drafts(conversation_id)
        if len(existing) >= MAX_DRAFTS:
            raise BadRequestError(
                f"{self.client.account}: this conversation already has {len(existing)} drafts, lemlist's limit: "
                "delete one (list_drafts, delete_draft) or update one with its draft_id."
            )
        thread = await self.client.get_thread(conversation_id)  # a new draft goes on the conversation's channel
        body["channel"] = _channel(thread)
        owner = await self._owner(conversation_id, thread)
        created = parse(
            _Created, await self._send("POST", self._path(conversation_id), owner, body), self.client.account, "lemlist"
        )
        return Draft(id=created.draft_id, subject=subject, channel=body["channel"])

    async def list_drafts(self, conversation_id: str) -> list[Draft]:
        data = await self._send("GET", self._path(conversation_id), None)
        return [_draft(d) for d in parse(_Drafts, data, self.client.account, "lemlist").drafts]

    async def delete_draft(self, conversation_id: str, draft_id: str) -> None:
        owner = await self._owner(conversation_id)
        await self._send("DELETE", self._path(conversation_id, draft_id), owner, not_found=self._no_draft(draft_id))

    def _no_draft(self, draft_id: str) -> str:
        return (
            f"{self.client.account}: lemlist has no draft {draft_id!r} in that conversation (list_drafts lists them)."
        )

    async def _owner(self, conversation_id: str, thread: Thread | None = None) -> str:
        """Who owns the draft: the configured user, else our last sender's address (the thread is
        read only then, unless the caller has it already)."""
        if self.client._user_id:
            return self.client._user_id
        thread = thread or await self.client.get_thread(conversation_id)
        ours = [m.sender.email for m in thread.messages if m.direction == "outbound" and m.sender and m.sender.email]
        if ours:
            return ours[-1]
        raise ProviderError(
            f"{self.client.account}: lemlist needs a draft owner and no team member has written in this conversation: "
            "set LEMLIST_USER_ID (or user_id in the account's table of the config file)."
        )


def _channel(thread: Thread) -> str:
    """The conversation's channel: that of the lead's latest message, else of ours, else email."""
    for direction in ("inbound", "outbound"):
        for message in reversed(thread.messages):
            if message.direction == direction and message.kind:
                return next((c for c in CHANNELS if message.kind.lower().startswith(c)), "email")
    return "email"


def _draft(d: _Draft) -> Draft:
    return Draft(
        id=d.id,
        channel=d.channel,
        subject=d.subject,
        preview=d.content_preview,
        created_at=d.created_at,
        updated_at=d.updated_at,
    )
