"""What every provider client offers the tool layer."""

from __future__ import annotations

from typing import ClassVar, Protocol

from inbox_mcp.providers.model import Capabilities, Page, Query, Thread


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
