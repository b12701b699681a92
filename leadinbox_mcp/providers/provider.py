"""What every provider client offers the tool layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Protocol

from leadinbox_mcp.providers.model import Capabilities, Page, Query, Thread

if TYPE_CHECKING:
    from leadinbox_mcp.providers.http import HttpClient
    from leadinbox_mcp.providers.settings import Origin, ProviderSettings


class Provider(Protocol):
    provider: ClassVar[str]
    """Short name: "sendkit"."""
    label: ClassVar[str]
    """Display name: "SendKit"."""
    capabilities: ClassVar[Capabilities]
    account: str
    """The configured account's name, the prefix of its conversation ids."""

    async def list_page(self, query: Query, token: str | None, page_size: int) -> Page:
        """One page of conversations, newest first. `token` is a previous `Page.next_token`."""
        ...

    async def get_thread(self, conversation_id: str) -> Thread:
        """The whole conversation; raises NotFoundError for an unknown id."""
        ...

    async def check(self) -> None:
        """One cheap request that proves the credentials work; raises ProviderError otherwise."""
        ...

    def valid_id(self, conversation_id: str) -> bool:
        """Whether the id has the shape this provider uses (checked before any request)."""
        ...


def one_account(
    client: Callable[..., Provider], default_name: str, default_key_hint: str
) -> Callable[..., Callable[[HttpClient], list[Provider]]]:
    """`accounts(settings, name, key_hint)` for a provider whose settings describe one account:
    that account, named `name` (none without a key), built later on the server's HTTP client.
    `key_hint` says where the key comes from, in error sentences (an `Origin`: where every
    setting of the account comes from)."""

    def accounts(
        settings: ProviderSettings, name: str = default_name, key_hint: str | Origin = default_key_hint
    ) -> Callable[[HttpClient], list[Provider]]:
        if not settings.has_key():
            return lambda http: []
        return lambda http: [client(name, settings, http, key_hint=key_hint)]

    return accounts
