"""The configured accounts as the tools see them: selection by name and conversation ids."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from leadinbox_mcp.providers.model import Page, Thread
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.providers.wire_base import with_parse_notes
from leadinbox_mcp.tools.listing.caches import PAGE_TTL, THREAD_TTL, LocalCache, PageCache, ThreadCache
from leadinbox_mcp.tools.render.safety import strip_invisible

NO_ACCOUNTS = (
    "No inbox account is configured: set SENDKIT_API_KEY (see the README for every provider's "
    "variables), or start the server with `leadinbox-mcp serve --sandbox` to try it on built-in demo data."
)
MAX_ID_LENGTH = 200


class ToolInputError(Exception):
    """An argument the agent can fix; the message is the one sentence to show."""


def shown(argument: str, limit: int = 60) -> str:
    """An argument quoted in an error: invisible characters gone, at most `limit` characters
    however many escapes repr() needs for what is left."""
    text = repr(strip_invisible(argument.strip()))
    return text if len(text) <= limit else text[: limit - 2] + "…'"


@dataclass(frozen=True)
class Budgets:
    list_tokens: int = 4000
    thread_tokens: int = 8000
    scan_pages: int = 5
    """How many provider pages one search call may read when the tool has to filter itself."""
    attachment_tokens: int = 6000
    """Token budget of one get_attachment text; a cursor reads the rest."""


@dataclass(frozen=True)
class Inbox:
    accounts: Sequence[Provider]
    budgets: Budgets = Budgets()
    page_cache: PageCache = field(default_factory=lambda: LocalCache[Page](PAGE_TTL, size=256))
    thread_cache: ThreadCache = field(default_factory=lambda: LocalCache[Thread](THREAD_TTL, size=256))
    """Threads read moments ago: by get_thread for its cursor, and by awaiting_reply, whose next
    page (or a plain listing after it) reads who wrote last from them; bounded in bytes too."""

    async def recent_thread(self, provider: Provider, native: str) -> Thread:
        """The thread as read in the last THREAD_TTL seconds, else read now and kept: for a tool
        that needs what a thread says (its attachments, its correspondent), not its newest state."""
        key = (full_id(provider.account, native),)
        thread = await self.thread_cache.get(key)
        if thread is None:
            thread = await with_parse_notes(provider.get_thread(native))
            await self.thread_cache.put(key, thread)
        return thread

    def select(self, account: str | None) -> list[Provider]:
        if not self.accounts:
            raise ToolInputError(NO_ACCOUNTS)
        if account is None or not account.strip():
            return list(self.accounts)
        for candidate in self.accounts:
            if candidate.account == account.strip():
                return [candidate]
        names = ", ".join(a.account for a in self.accounts)
        raise ToolInputError(f"There is no account {shown(account)}; the configured accounts are: {names}.")

    def resolve(self, conversation_id: str) -> tuple[Provider, str]:
        """Split `<account>:<provider id>` and check both halves before any request is made."""
        if not self.accounts:
            raise ToolInputError(NO_ACCOUNTS)
        conversation_id = conversation_id.strip()
        account, sep, native = conversation_id.partition(":")
        if not sep or not native or len(conversation_id) > MAX_ID_LENGTH:
            raise ToolInputError(
                "A conversation id looks like 'sendkit:664a1b2c3d4e5f6a7b8c9d0e' (account, colon, id): "
                "copy one from list_conversations or search_by_domain."
            )
        provider = self.select(account)[0]
        if not provider.valid_id(native):
            raise ToolInputError(
                f"{shown(native)} is not a {provider.label} conversation id: copy one from list_conversations."
            )
        return provider, native


def cache_scope(accounts: Sequence[Provider]) -> str:
    """A hash of every account's configuration (name, provider, and its string and secret
    settings: key, base URL, user or workspace id), so that two deployments sharing one Redis
    never read each other's cached pages, while replicas of one deployment share them."""
    parts = []
    for provider in accounts:
        settings = sorted(
            (name, value.get_secret_value() if isinstance(value, SecretStr) else value)
            for name, value in getattr(provider, "__dict__", {}).items()
            if isinstance(value, (str, SecretStr))
        )
        parts.append(repr((type(provider).__qualname__, provider.account, settings)))
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def full_id(account: str, native: str) -> str:
    """The id the tools show and take: `<account>:<provider id>`, as `Inbox.resolve` splits it."""
    return f"{account}:{native}"
