"""What every provider client shares: its account, key and HTTP client, how it asks its API
and reads the answer (each client says only how its key travels and what a 403 may mean), and
who wrote last."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from leadinbox_mcp.providers.http import Call, HttpClient, RateLimit, bucket_for
from leadinbox_mcp.providers.model import Direction, Message, Side
from leadinbox_mcp.providers.redaction import REDACTED, forms_of, redact
from leadinbox_mcp.providers.settings import Origin, ProviderSettings
from leadinbox_mcp.providers.wire_base import WireT, cut_rows, is_unreadable, parse

log = logging.getLogger(__name__)
MAX_PAGE_CURSOR_CHARS = 2048
"""A provider's next-page cursor longer than this is not followed (no real one is): reading it for
the key would take seconds, and a URL carrying it would be refused anyway."""


class ApiClient(ABC):
    """The common part of a `Provider` that reads an HTTP API with one API key."""

    provider: ClassVar[str]
    label: ClassVar[str]
    rate_limit: ClassVar[RateLimit | None] = None
    """The provider's documented limit, applied on our side; None: the HttpClient's default."""
    api_path: ClassVar[str]
    """Where every documented path starts (/v1, /api): a base URL given with it (as API pages
    often write the base, https://api.sendkit.ai/v1) loses it, rather than doubling it into
    addresses that all answer 404."""

    def __init__(self, account: str, settings: ProviderSettings, http: HttpClient, key_hint: str | Origin) -> None:
        """`key_hint`: where the account's settings come from (`Origin`), or only what names its
        key, for an account of the environment's variables."""
        if settings.api_key is None or not settings.has_key():
            raise ValueError(f"{self.label} needs an API key")
        self.account = account
        self._key = settings.api_key
        self._base = settings.base_url.rstrip("/").removesuffix(self.api_path)
        self._http = http
        self._origin = Origin.named(key_hint, settings)

    @property
    def _key_hint(self) -> str:
        """Where the key comes from, as a sentence names it."""
        return self._origin.key

    @abstractmethod
    def valid_id(self, conversation_id: str) -> bool: ...

    @abstractmethod
    def _auth(self, key: str) -> tuple[dict[str, str], tuple[str, ...]]:
        """The headers that carry `key`, and the secrets in them (scrubbed from any error text)."""

    def _forbidden_hint(self, key: str) -> str | None:
        """What to check after a 403 besides the key, where the account's settings say more."""
        return None

    def _default_not_found(self) -> str | None:
        """The sentence for a 404 that the caller has none for; None: the HttpClient's own."""
        return None

    def _no_inbox(self, *fields: str) -> str:
        """The sentence for a 404 where the API always answers (its list of conversations): the
        account's base URL points elsewhere (or one of the settings `fields` the request names)."""
        check = " and ".join(self._origin.of(field) for field in ("base_url", *fields))
        return f"{self.account}: {self.label} has no inbox at this address (HTTP 404); check {check}."

    def _call(
        self,
        path: str,
        params: dict[str, str | int] | None = None,
        not_found: str | None = None,
        forbidden_hint: str | None = None,
    ) -> Call:
        key = self._key.get_secret_value()
        headers, secrets = self._auth(key)
        return Call(
            url=self._base + path,
            account=self.account,
            provider_label=self.label,
            key_hint=self._key_hint,
            params=params or {},
            headers=headers,
            secrets=secrets,
            bucket=bucket_for(self.provider, key),
            not_found=not_found or self._default_not_found(),
            base_url_hint=self._origin.of("base_url"),
            forbidden_hint=forbidden_hint or self._forbidden_hint(key),
            rate_limit=self.rate_limit,
        )

    async def _get(self, call: Call, model: type[WireT], rows: str | None = None) -> WireT:
        """The answer to `call` as `model`; `rows`: the key of a listing page's rows, which are
        cut to MAX_LIST_ROWS before they are read (see `cut_rows`)."""
        raw = await self._http.get_json(call)
        if rows is not None:
            raw = cut_rows(raw, rows, self.account, self.label)
        return parse(model, raw, self.account, self.label)

    def _openable(self, conversation_id: str) -> bool:
        """A listed id that get_thread would refuse is left out (and logged), not handed out."""
        if self.valid_id(conversation_id):
            return True
        if is_unreadable(conversation_id):  # a row that could not be read: parse has said it
            return False
        log.warning(
            "%s: %s listed a conversation id that is not one (%.80r); skipped",
            self.account,
            self.label,
            self._redacted(conversation_id[:200]),
        )
        return False

    def _unusable_cursor(self, cursor: str) -> str | None:
        """Why a provider's next-page cursor is not followed, if it is not: it goes back in a URL,
        and to the agent inside a signed cursor."""
        if len(cursor) > MAX_PAGE_CURSOR_CHARS:
            return "is too long to follow"
        if REDACTED in cursor or self._redacted(cursor) != cursor:  # REDACTED: `scrub_body` found the key
            return "carries this account's API key"
        return None

    def _redacted(self, text: str) -> str:
        """`text` without this account's key in any form a provider may send it back in."""
        return redact(text, forms_of(self._auth(self._key.get_secret_value())[1]))


def side_of(direction: Direction | None) -> Side | None:
    """Who wrote a message of this direction; None when the direction is unknown."""
    return "lead" if direction == "inbound" else "us" if direction == "outbound" else None


def last_from(messages: Sequence[Message]) -> Side | None:
    """Who wrote the newest message (oldest first, undated ones last): None when its direction
    is unknown, or when it is undated among dated ones (then which is newest is not known)."""
    if not messages or (messages[-1].at is None and len(messages) > 1):
        return None
    return side_of(messages[-1].direction)
