"""SendKit's documented writes: a reply, scheduled so that it can be cancelled while pending.

    POST   /v1/inbox/{conversationId}/reply                {body, scheduledFor?}
    DELETE /v1/inbox/{conversationId}/scheduled/{replyId}  cancels a pending one

The reply goes to the conversation's lead from its own mailbox: no cc or bcc is ever sent.
SendKit has no drafts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Literal
from urllib.parse import quote

from pydantic import Field

from leadinbox_mcp.providers.sendkit.client import SendKitClient
from leadinbox_mcp.providers.wire_base import UtcTime, Wire, parse
from leadinbox_mcp.providers.writes import NoWrites, Sent, html_of, iso


class _Reply(Wire):
    id: str | None = None
    underscore_id: str | None = Field(default=None, alias="_id")
    status: str | None = None
    scheduled_for: UtcTime = Field(default=None, alias="scheduledFor")


class _ReplyAnswer(Wire):
    data: _Reply


class Writes(NoWrites):
    client: SendKitClient
    sends: ClassVar[Literal["scheduled", "immediate"] | None] = "scheduled"
    instead_of_drafts: ClassVar[str] = (
        'with write = "send", send_reply schedules the reply a few minutes ahead, and '
        "cancel_scheduled_reply calls it back until it goes"
    )

    def _path(self, conversation_id: str) -> str:
        return f"/v1/inbox/{quote(conversation_id, safe='')}"

    async def send_reply(self, conversation_id: str, text: str, send_at: datetime | None, key: str) -> Sent:
        body: dict[str, str] = {"body": html_of(text)}
        if send_at is not None:
            body["scheduledFor"] = iso(send_at)
        call = self.client._call(
            self._path(conversation_id) + "/reply",
            not_found=f"{self.client.account}: no conversation {conversation_id!r}.",
        )
        data = await self.client._http.get_json(replace(call, method="POST", body=body))
        reply = parse(_ReplyAnswer, data, self.client.account, self.client.label).data
        return Sent(
            id=reply.id or reply.underscore_id,
            scheduled_for=reply.scheduled_for or send_at,
            status=reply.status,
        )

    async def cancel_scheduled_reply(self, conversation_id: str, reply_id: str) -> None:
        call = self.client._call(
            f"{self._path(conversation_id)}/scheduled/{quote(reply_id, safe='')}",
            not_found=(
                f"{self.client.account}: SendKit has no scheduled reply {reply_id!r} in that conversation "
                "(get_thread lists the scheduled ones)."
            ),
        )
        await self.client._http.get_json(replace(call, method="DELETE"))
