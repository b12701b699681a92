"""Which account may write what, and the arguments every write tool checks before any request."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mcp.server.mcpserver import Context

from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.providers.registry import spec_of
from leadinbox_mcp.providers.writes import WRITE_LEVELS, NoWrites, WriteLevel, log, write_level
from leadinbox_mcp.tools.results.result import inbox_of
from leadinbox_mcp.tools.shared.inbox import Inbox, ToolInputError, full_id, shown

WRITE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
"""A draft's or a scheduled reply's id, as the providers make them; checked before it goes into a path."""
MAX_TEXT = 20_000
"""Characters of one reply or draft: far above any reply worth sending, well under lemlist's 30 KB."""


@dataclass(frozen=True)
class Writing:
    """The server's write settings (INBOX_MCP_SEND_DELAY)."""

    send_delay: float = 300.0
    """Seconds ahead a scheduled reply goes out when send_at is not given: time to cancel it."""


def writing_of(ctx: Context) -> Writing:
    found = getattr(ctx.mcp_server, "writing", None)
    return found if isinstance(found, Writing) else Writing()


def writable(inbox: Inbox, conversation_id: str, needed: WriteLevel) -> tuple[Provider, str, NoWrites]:
    """The conversation's account, its provider id and its writes, when the account allows
    `needed`; a sentence that says how to allow it otherwise."""
    provider, native = inbox.resolve(conversation_id)
    level = write_level(provider)
    if WRITE_LEVELS.index(level) < WRITE_LEVELS.index(needed):
        allows = "no writes" if level == "none" else "drafts only"
        what = "save drafts" if needed == "drafts" else "send replies"
        raise ToolInputError(
            f'Account {provider.account} allows {allows} (write = "{level}"): to {what}, set write = "{needed}" '
            f"in its [accounts.{provider.account}] table of the config file (INBOX_MCP_WRITE={needed} for an account "
            "from the environment) and restart the server."
        )
    return provider, native, spec_of(provider.provider).writes().Writes(provider)


def checked_text(text: str) -> str:
    if not text.strip():
        raise ToolInputError("text is empty: give the reply's text.")
    if len(text) > MAX_TEXT:
        raise ToolInputError(f"text has {len(text):,} characters; a reply has at most {MAX_TEXT:,}.")
    return text.strip()


def checked_id(value: str, what: str, listed_by: str) -> str:
    value = value.strip()
    if not WRITE_ID.fullmatch(value):
        raise ToolInputError(f"{shown(value)} is not a {what} id: copy one from {listed_by}.")
    return value


async def write_by_id(
    ctx: Context,
    conversation_id: str,
    needed: WriteLevel,
    item_id: str,
    words: tuple[str, str, str],
    method: Callable[[NoWrites], Callable[[str, str], Awaitable[None]]],
) -> tuple[Provider, str, str]:
    """One write to an item of a conversation named by its id (delete a draft, cancel a scheduled
    reply): checks that the account allows `needed` and the id (`words`: what the item is, which
    tool lists it, what was done to it), calls the write `method` picks from the account's writes
    with the conversation's provider id and the item's id, and logs it. Returns the account, the
    conversation's full id and the checked id."""
    provider, native, writes = writable(inbox_of(ctx), conversation_id, needed)
    what, listed_by, done = words
    item_id = checked_id(item_id, what, listed_by)
    await method(writes)(native, item_id)
    log.info("%s: %s %s %s in conversation %s", provider.account, what, item_id, done, native)
    return provider, full_id(provider.account, native), item_id
