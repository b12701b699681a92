"""SendPilot's documented send: a LinkedIn message, sent at once.

    POST /v1/inbox/send   {senderId, recipientLinkedinUrl, message (at most 8,000 characters)}

The sender is the conversation's own sender account (the first half of its id) and the
recipient the conversation's correspondent, as the thread shows them: the agent names neither.
SendPilot has no drafts and no scheduling.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from leadinbox_mcp.providers.errors import ProviderError
from leadinbox_mcp.providers.sendpilot.client import SendPilotClient
from leadinbox_mcp.providers.wire_base import Wire, parse
from leadinbox_mcp.providers.writes import NoWrites, Sent, WriteUnsupported

MAX_MESSAGE = 8000


class _SendAnswer(Wire):
    message_id: str | None = Field(default=None, alias="messageId")
    status: str | None = None


class Writes(NoWrites):
    client: SendPilotClient
    sends: ClassVar[Literal["scheduled", "immediate"] | None] = "immediate"

    async def send_reply(self, conversation_id: str, text: str, send_at: datetime | None, key: str) -> Sent:
        who = self.client.account
        if send_at is not None:
            raise WriteUnsupported(f"{who}: SendPilot sends at once and cannot schedule: leave send_at out.")
        if len(text) > MAX_MESSAGE:
            raise WriteUnsupported(
                f"{who}: a LinkedIn message through SendPilot has at most {MAX_MESSAGE} characters; shorten it."
            )
        thread = await self.client.get_thread(conversation_id)
        recipient = thread.conversation.correspondent.profile_url
        if not recipient:
            raise ProviderError(
                f"{who}: SendPilot does not say this conversation's LinkedIn profile, so the message has no recipient; "
                "nothing was sent."
            )
        sender = conversation_id.partition(":")[0]
        call = self.client._call("/v1/inbox/send", {})
        body = {"senderId": sender, "recipientLinkedinUrl": recipient, "message": text}
        answer = parse(
            _SendAnswer, await self.client._http.get_json(replace(call, method="POST", body=body)), who, "SendPilot"
        )
        return Sent(id=answer.message_id, status=answer.status or "sent")
