"""Upstream economy of merged listings, and progress notifications of scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import KEY, Row, sendkit_doc
from mcp import Client

from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.sandbox import sendkit as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.listing import cursors
from leadinbox_mcp.tools.results import structured
from leadinbox_mcp.tools.shared.inbox import Budgets

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def docs(prefix: str, start: datetime, count: int, domain: str = "acme.com") -> list[dict]:
    return [sendkit_doc(Row(f"{prefix}{n:022x}", start - timedelta(minutes=n), f"p{n}@{domain}")) for n in range(count)]


def listing_requests(app) -> list[dict]:
    return [q for _, path, q in app.state.requests if path == "/v1/inbox"]


async def test_first_page_costs_one_request_per_account_and_later_pages_only_what_they_need():
    recent = emulator.create_app(api_key=KEY, conversations=docs("aa", T0, 30))
    old = emulator.create_app(api_key=KEY, conversations=docs("bb", T0 - timedelta(days=30), 30))
    with LoopbackServer(recent) as a, LoopbackServer(old) as b:
        server = build_server(
            lambda http: [
                SendKitClient("recent", SendKitSettings(api_key=KEY, base_url=a.url), http, "K"),
                SendKitClient("old", SendKitSettings(api_key=KEY, base_url=b.url), http, "K"),
            ]
        )
        async with Client(server) as client:
            first = await client.call_tool("list_conversations", {"limit": 10})
            assert (len(listing_requests(recent)), len(listing_requests(old))) == (1, 1)
            assert all(q["limit"] == "10" for q in listing_requests(recent) + listing_requests(old))
            second = await client.call_tool(
                "list_conversations", {"limit": 10, "cursor": first.structured_content["next_cursor"]}
            )
            # The old account's next row is known to be older than the recent account's rows.
            assert (len(listing_requests(recent)), len(listing_requests(old))) == (2, 1)
            third = await client.call_tool(
                "list_conversations", {"limit": 5, "cursor": second.structured_content["next_cursor"]}
            )
    assert third.is_error  # a cursor is only valid with the same arguments
    ids = [r["id"] for r in first.structured_content["conversations"] + second.structured_content["conversations"]]
    assert ids == [f"recent:aa{n:022x}" for n in range(20)]


async def test_resuming_mid_page_reads_the_page_from_the_cache():
    app = emulator.create_app(api_key=KEY, conversations=docs("cc", T0, 30))
    with LoopbackServer(app) as server:
        mcp_server = build_server(
            lambda http: [SendKitClient("sk", SendKitSettings(api_key=KEY, base_url=server.url), http, "K")],
            Budgets(list_tokens=600),
        )
        async with Client(mcp_server) as client:
            first = await client.call_tool("list_conversations", {"limit": 30, "response_format": "detailed"})
            shown = len(first.structured_content["conversations"])
            assert 0 < shown < 30, "the budget cut the page"
            second = await client.call_tool(
                "list_conversations",
                {"limit": 30, "response_format": "detailed", "cursor": first.structured_content["next_cursor"]},
            )
            assert len(listing_requests(app)) == 1, "the rest of the page came from the cache"
            fresh = await client.call_tool("list_conversations", {"limit": 30, "response_format": "detailed"})
            assert len(listing_requests(app)) == 2, "a listing without a cursor always asks the provider"
    assert second.structured_content["conversations"][0]["id"] == f"sk:cc{shown:022x}"
    assert fresh.structured_content["conversations"][0]["id"] == first.structured_content["conversations"][0]["id"]


async def test_a_page_a_call_used_up_is_not_kept():
    """Only the page a walk stops inside goes to the page cache (the test above): a page used up
    to its last row is never resumed by a cursor, so each call with the same cursor asks again."""
    app = emulator.create_app(api_key=KEY, conversations=docs("dd", T0, 30))
    with LoopbackServer(app) as server:
        mcp_server = build_server(
            lambda http: [SendKitClient("sk", SendKitSettings(api_key=KEY, base_url=server.url), http, "K")]
        )
        async with Client(mcp_server) as client:
            first = await client.call_tool("list_conversations", {"limit": 10})
            cursor = first.structured_content["next_cursor"]
            for _ in range(2):
                again = await client.call_tool("list_conversations", {"limit": 10, "cursor": cursor})
                assert [r["id"] for r in again.structured_content["conversations"]] == [
                    f"sk:dd{n:022x}" for n in range(10, 20)
                ]
    assert len(listing_requests(app)) == 3


async def test_scans_report_progress_and_say_how_far_they_got():
    # 300 conversations, one in ten at acme.com: the provider's search narrows, the tool filters.
    conversations = docs("dd", T0, 300, domain="notacme.com")
    for n in range(0, 300, 10):
        conversations[n]["lead"]["email"] = f"p{n}@us.acme.com"
    app = emulator.create_app(api_key=KEY, conversations=conversations)
    updates: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total))

    with LoopbackServer(app) as server:
        mcp_server = build_server(
            lambda http: [SendKitClient("sk", SendKitSettings(api_key=KEY, base_url=server.url), http, "K")],
            Budgets(scan_pages=1),
        )
        async with Client(mcp_server) as client:
            result = await client.call_tool(
                "search_by_domain", {"domain": "acme.com", "limit": 50}, progress_callback=on_progress
            )
    data = result.structured_content
    assert len(data["conversations"]) == 10  # the first page of 100 candidates holds 10 matches
    assert data["next_cursor"] and any("more remain" in note for note in data["notes"])
    assert updates and all(total is None or progress <= total for progress, total in updates)


def _strings(value: object) -> int:
    if isinstance(value, str):
        return 1
    if isinstance(value, dict):
        return sum(_strings(v) for v in value.values())
    if isinstance(value, list):
        return sum(_strings(v) for v in value)
    return 0


async def test_a_listing_makes_its_structured_content_safe_once(monkeypatch):
    """Each string of the structured content goes through the safety pass once per call: it is
    built as JSON, not validated by its model (the schema is still published), and a cursor is
    issued as a handle directly, not signed and then opened again."""
    app = emulator.create_app(api_key=KEY, conversations=docs("ee", T0, 30))
    with LoopbackServer(app) as server:
        mcp_server = build_server(
            lambda http: [SendKitClient("sk", SendKitSettings(api_key=KEY, base_url=server.url), http, "K")],
            cursor_handles=True,
        )
        async with Client(mcp_server) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            made_safe: list[str] = []
            real = structured._safe_text
            monkeypatch.setattr(structured, "_safe_text", lambda text: made_safe.append(text) or real(text))
            first = await client.call_tool("list_conversations", {"limit": 10})
            second = await client.call_tool(
                "list_conversations", {"limit": 10, "cursor": first.structured_content["next_cursor"]}
            )
    assert all(tool.output_schema for tool in tools.values())
    data = [first.structured_content, second.structured_content]
    assert [len(d["conversations"]) for d in data] == [10, 10]
    assert all(len(d["next_cursor"]) == cursors.HANDLE_CHARS for d in data)
    # Every string but the server's own: a row's time and who wrote last, and the notice.
    own = sum(1 for d in data for c in d["conversations"] for key in ("last_activity_at", "last_from") if c[key])
    assert len(made_safe) == _strings([d["conversations"] for d in data]) - own + 2  # and the two cursors
