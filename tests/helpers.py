"""Shared by the tests: the fixed clock, a test key, servers wired to an emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp

from inbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from inbox_mcp.sandbox.loopback import LoopbackServer
from inbox_mcp.server.app import InboxServer, build_server
from inbox_mcp.tools.inbox import Budgets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEY = "sk_test_8d1f0c2b9a7e4f31"
FAST = 1000.0
"""Per-key request rate for test servers that read an emulator many times in a row."""


class Served:
    """An emulator app served on loopback: its address, and what it received and refused."""

    def __init__(self, app: Any, url: str) -> None:
        self.app = app
        self.url = url

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        return self.app.state.requests

    @property
    def rate_limited(self) -> int:
        return self.app.state.rate_limited

    def thread_requests(self, contact_id: str) -> list[dict[str, str]]:
        """lemlist: the query of every request for one contact's thread."""
        return [q for _, path, q in self.requests if path == f"/api/inbox/{contact_id}"]


def serving(app: Any, front: ASGIApp | None = None) -> Iterator[Served]:
    """`app` on loopback (behind `front`, e.g. a proxy that changes requests, when given)."""
    with LoopbackServer(front or app) as server:
        yield Served(app, server.url)


class Swappable:
    """An ASGI app whose inner app each test or example replaces: real HTTP on loopback, new data."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


def swappable_slots(count: int) -> Iterator[list[tuple[Swappable, str]]]:
    """`count` swappable apps on loopback, each with its URL, for a module-scoped fixture."""
    swaps = [Swappable() for _ in range(count)]
    servers = [LoopbackServer(s).start() for s in swaps]
    yield [(s, server.url) for s, server in zip(swaps, servers, strict=True)]
    for server in servers:
        server.stop()


def sendkit_server(
    url: str, key: str = KEY, workspace: str | None = None, budgets: Budgets | None = None
) -> InboxServer:
    settings = SendKitSettings(api_key=key, base_url=url, workspace_id=workspace)
    factory = lambda http: [SendKitClient("sendkit", settings, http, "SENDKIT_API_KEY")]  # noqa: E731
    return build_server(factory, budgets, requests_per_second=FAST)


def no_account_server() -> InboxServer:
    return build_server(lambda http: [])


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def walk(client, tool: str, arguments: dict) -> tuple[list[dict], list[str]]:
    """Every row of a listing, following next_cursor to the end, and each page's text."""
    rows: list[dict] = []
    texts: list[str] = []
    cursor = None
    for _ in range(200):
        result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
        assert not result.is_error, text_of(result)
        texts.append(text_of(result))
        rows += result.structured_content["conversations"]
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return rows, texts
    raise AssertionError("the cursor never ended")
