"""Shared by the tests: the fixed clock, a test key, servers wired to an emulator, emulators under
Starlette's test client, our HTTP client over a mock transport."""

from __future__ import annotations

import time
import tomllib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.providers.http import HttpClient, RateLimit
from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.providers.sendpilot.client import SendPilotClient, SendPilotSettings
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server
from leadinbox_mcp.tools.shared.inbox import Budgets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEY = "sk_test_8d1f0c2b9a7e4f31"
READ_TOOLS = frozenset({"list_conversations", "get_thread", "get_attachment", "search_by_domain", "list_accounts"})
"""The tools a server lists when no account may write."""
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


class Stamped:
    """ASGI middleware: the arrival time of every request to an emulator that runs in this
    process."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.times.append(time.monotonic())
        await self.app(scope, receive, send)


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


def keyed_client(create_app: Callable[..., Any], header: str, sandbox_key: str, **options: Any) -> TestClient:
    """`create_app(**options)` under Starlette's test client, sending its key in `header` on every
    request: `options["api_key"]` when given, else the sandbox's."""
    return TestClient(create_app(**options), headers={header: options.get("api_key", sandbox_key)})


def assert_json_error(response: Any, status: int, fields: dict[str, Any]) -> dict[str, Any]:
    """An emulator's JSON error: `status`, and a body of exactly `fields` plus a non-empty message."""
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {*fields, "message"}
    assert {name: body[name] for name in fields} == fields
    assert isinstance(body["message"], str) and body["message"]
    return body


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


async def wrong_key_texts(server: InboxServer, variable: str, conversation_id: str, domain: bool = True) -> list[str]:
    """list_conversations, get_thread of `conversation_id` and (with `domain`) search_by_domain on
    `server`, whose account has a wrong key: each is an error that names `variable` and the HTTP
    401. Their texts, for what else a test asserts of them (the key never shown)."""
    async with Client(server) as client:
        results = [
            await client.call_tool("list_conversations", {}),
            await client.call_tool("get_thread", {"conversation_id": conversation_id}),
        ]
        if domain:
            results.append(await client.call_tool("search_by_domain", {"domain": "acme.com"}))
    for result in results:
        text = text_of(result)
        assert result.is_error and variable in text and "401" in text, text
    return [text_of(result) for result in results]


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


@dataclass
class Row:
    """A generated conversation: what the merge tests need of one."""

    id: str
    at: datetime
    email: str


def sendkit_doc(row: Row) -> dict:
    """A SendKit conversation with one sent email and the lead's reply at `row.at`."""
    sent = (row.at - timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    replied = row.at.isoformat().replace("+00:00", "Z")
    return {
        "id": row.id,
        "lead": {"_id": "l" + row.id[1:], "email": row.email, "firstName": "Lead", "lastName": row.id[-4:]},
        "campaign": {"_id": "c1", "name": "Generated"},
        "status": "active",
        "aiTag": None,
        "tags": [],
        "isRead": True,
        "unreadCount": 0,
        "messages": [
            {"type": "sent", "subject": "Hello", "body": "<p>Hello</p>", "sentAt": sent, "sequenceStep": 1},
            {
                "type": "reply",
                "from": row.email,
                "to": "us@pipewise.io",
                "subject": "Re: Hello",
                "content": "Yes",
                "htmlContent": "<p>Yes</p>",
                "receivedAt": replied,
                "isFromLead": True,
                "isAutoReply": False,
                "read": True,
            },
        ],
        "scheduledReplies": [],
    }


CORPUS = Path(__file__).parent / "corpus"


def corpus_cases() -> list[dict]:
    """Every labelled message of tests/corpus/*.toml, each with the name of its file."""
    cases = []
    for path in sorted(CORPUS.glob("*.toml")):
        with path.open("rb") as f:
            for case in tomllib.load(f)["case"]:
                case["file"] = path.name
                cases.append(case)
    return cases


@asynccontextmanager
async def mock_http(handler) -> AsyncIterator[HttpClient]:
    """Our HTTP client over `handler` (request -> response) instead of a network, closed when the
    block ends: for wire tests on documented JSON that no emulator serves."""
    http = HttpClient(transport=httpx2.MockTransport(handler), retries=0, default_rate_limit=RateLimit(1000, 1.0))
    try:
        yield http
    finally:
        await http.aclose()


def sendpilot_client(key: str, http: HttpClient | None = None, **settings) -> SendPilotClient:
    return SendPilotClient("sendpilot", SendPilotSettings(api_key=key, **settings), http, "SENDPILOT_API_KEY")  # type: ignore[arg-type]


class EndlessMessages:
    """SendPilot's messages endpoint (a handler for `mock_http`) that always has one more page:
    page n holds `page(n)` and a new continuation token, `tok<n>`. Records every request's query."""

    def __init__(self, page: Callable[[int], list[dict]]) -> None:
        self.page = page
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        n = len(self.calls)
        self.calls.append(dict(request.url.params))
        pagination = {"hasMore": True, "continuationToken": f"tok{n}"}
        return httpx2.Response(200, json={"messages": self.page(n), "pagination": pagination})
