"""The person's confirmation of a send.

Where the client can show a form (MCP elicitation), the person sees the recipient and the text
and says yes or no; nothing else counts. Where it cannot, the first call only previews, with a
confirmation code; the send is a second call that repeats the code, which the host shows the
person for approval (send_reply is annotated destructive). The code is an HMAC, under the
server's key, of the account, conversation, text and send_at: it confirms exactly that reply,
for CODE_MINUTES to 2 x CODE_MINUTES, on any worker that shares the key, and a changed text
needs a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

CODE_MINUTES = 10


class SendConfirmation(BaseModel):
    send: bool = Field(default=False, title="Send it", description="Tick to send this reply as shown.")


def can_ask(ctx: Context) -> bool:
    """Whether the client declared form elicitation (a bare `elicitation: {}` counts, as before
    modes existed)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def code_for(key: bytes, parts: tuple[str, ...], window: int | None = None) -> str:
    window = int(time.time() // (CODE_MINUTES * 60)) if window is None else window
    message = "\x1f".join(("send-confirmation", str(window), *parts)).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    letters = base64.b32encode(digest[:5]).decode()
    return f"{letters[:4]}-{letters[4:8]}"


def code_matches(key: bytes, parts: tuple[str, ...], given: str) -> bool:
    now = int(time.time() // (CODE_MINUTES * 60))
    given = given.strip().upper()
    return any(hmac.compare_digest(code_for(key, parts, w), given) for w in (now, now - 1))


def idempotency_key(parts: tuple[str, ...]) -> str:
    """The same for the same reply: a retry of it is recognised by a provider that takes a key."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
