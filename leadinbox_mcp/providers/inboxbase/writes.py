"""InboxBase's documented send, as a reply in the conversation:

    POST /v1/identities/{handle}/send   {"convId": "conv_...", "text": "..."}   Idempotency-Key: ...

InboxBase addresses the reply to the conversation's correspondent; no `to` or `cc` is sent. The
idempotency key is the same for the same text in the same conversation, so that a retry (ours,
or the agent's) never sends twice. InboxBase has no drafts and sends at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from leadinbox_mcp.providers.inboxbase.client import InboxBaseClient
from leadinbox_mcp.providers.writes import NoWrites, Sent, WriteUnsupported


class Writes(NoWrites):
    client: InboxBaseClient
    sends: ClassVar[Literal["scheduled", "immediate"] | None] = "immediate"

    async def send_reply(self, conversation_id: str, text: str, send_at: datetime | None, key: str) -> Sent:
        if send_at is not None:
            raise WriteUnsupported(
                f"{self.client.account}: InboxBase sends at once and cannot schedule: leave send_at out."
            )
        call = self.client._call(
            f"/v1/identities/{quote(self.client.handle, safe='')}/send",
            not_found=f"{self.client.account}: InboxBase has no conversation {conversation_id!r} for this identity.",
        )
        call = replace(
            call,
            method="POST",
            body={"convId": conversation_id, "text": text},
            headers={**call.headers, "Idempotency-Key": key},
            repeatable=True,  # the key makes a second try harmless
        )
        return sent_from(await self.client._http.get_json(call))


def sent_from(data: Any) -> Sent:
    """The answer's message id and rejected recipients (their shapes are not documented)."""
    data = data if isinstance(data, dict) else {}
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    ident = data.get("id") or data.get("messageId") or message.get("id")
    rejected = []
    for item in data.get("rejected") or []:
        if isinstance(item, dict):
            who = item.get("address") or item.get("email") or item.get("to") or "a recipient"
            rejected.append(f"{who}: {item.get('reason') or 'rejected'}")
        elif isinstance(item, str):
            rejected.append(item)
    return Sent(id=str(ident) if ident else None, status=str(data.get("status") or "sent"), rejected=tuple(rejected))
