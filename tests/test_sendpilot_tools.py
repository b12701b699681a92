"""The tools through a real MCP client (in memory), against the SendPilot emulator on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest
from helpers import KEY as SENDKIT_KEY
from helpers import NOW, text_of, walk, wrong_key_texts
from mcp import Client

from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.providers.sendpilot.client import SendPilotClient, SendPilotSettings
from leadinbox_mcp.sandbox import sendpilot as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server

pytestmark = pytest.mark.anyio

KEY = "sp_test_3e8a1f6b2c9d"


class Served:
    def __init__(self, app, url: str) -> None:
        self.app = app
        self.url = url

    @property
    def requests(self) -> list:
        return self.app.state.requests


def _serve(**options) -> Iterator[Served]:
    app = emulator.create_app(api_key=KEY, now=NOW, **options)
    with LoopbackServer(app) as server:
        yield Served(app, server.url)


@pytest.fixture(scope="module")
def sendpilot() -> Iterator[Served]:
    """Continuation tokens; messages newest first (the emulator's default)."""
    yield from _serve()


@pytest.fixture(scope="module")
def sendpilot_pages() -> Iterator[Served]:
    yield from _serve(pagination="pages", message_order="asc")


@pytest.fixture(scope="module")
def sendpilot_shuffled() -> Iterator[Served]:
    yield from _serve(message_order="shuffled")


@pytest.fixture(scope="module")
def dataset() -> list[dict]:
    return emulator.build_conversations(now=NOW)


def server(url: str, key: str = KEY, **settings) -> InboxServer:
    config = SendPilotSettings(api_key=key, base_url=url, **settings)
    return build_server(lambda http: [SendPilotClient("sendpilot", config, http, "SENDPILOT_API_KEY")])


def raw_listing(url: str, **params) -> list[dict]:
    """Every row the emulator lists, newest first, fetched directly over HTTP (not through our client)."""
    rows: list[dict] = []
    token = None
    while True:
        query = {"limit": 100, **params, **({"continuationToken": token} if token else {})}
        body = httpx2.get(f"{url}/v1/inbox/conversations", params=query, headers={"X-API-Key": KEY}).json()
        rows += body["conversations"]
        token = body["pagination"]["continuationToken"]
        if not body["pagination"]["hasMore"]:
            return rows


def tool_id(row: dict) -> str:
    return f"sendpilot:{row['accountId']}:{row['id']}"


async def read_whole_thread(client: Client, conversation_id: str) -> tuple[dict, list[dict], list[str]]:
    """get_thread, then its cursor until every older message was shown: (first result, all
    messages by number, texts)."""
    first = None
    by_number: dict[int, dict] = {}
    texts: list[str] = []
    cursor = None
    for _ in range(50):
        result = await client.call_tool(
            "get_thread", {"conversation_id": conversation_id, **({"cursor": cursor} if cursor else {})}
        )
        assert not result.is_error, text_of(result)
        data = result.structured_content
        first = first or data
        texts.append(text_of(result))
        for m in data["messages"]:
            if not m["abridged"] or m["number"] not in by_number:
                by_number[m["number"]] = m
        cursor = data["next_cursor"]
        if cursor is None:
            return first, [by_number[n] for n in sorted(by_number)], texts
    raise AssertionError("the thread cursor never ended")


# ------------------------------------------------------------------------------------ listing


async def test_first_page_is_newest_first(sendpilot):
    async with Client(server(sendpilot.url)) as client:
        result = await client.call_tool("list_conversations", {})
    assert not result.is_error, text_of(result)
    rows = result.structured_content["conversations"]
    assert len(rows) == 20
    assert [r["id"] for r in rows] == [tool_id(r) for r in raw_listing(sendpilot.url)][:20]
    stamps = [r["last_activity_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert all(re.fullmatch(r"sendpilot:sender_[A-Za-z0-9]+:2-[A-Za-z0-9_-]{20}", r["id"]) for r in rows)
    assert all(
        r["provider"] == "sendpilot" and r["subject"] is None and r["correspondent"]["email"] is None for r in rows
    )
    text = text_of(result)
    lines = [line for line in text.splitlines() if line.startswith("- sendpilot:")]
    assert len(lines) == 20
    for row, line in zip(rows, lines):
        assert (row["correspondent"]["name"] or row["correspondent"]["profile_url"]) in line
    assert "None" not in text


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_paging_returns_every_conversation_once_in_order(sendpilot, dataset, limit):
    async with Client(server(sendpilot.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": limit})
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == len(dataset)
    assert ids == [tool_id(r) for r in raw_listing(sendpilot.url)]
    assert "That is all" in texts[-1]
    assert not any("None" in t for t in texts)


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_page_number_variant_walks_the_same_rows(sendpilot, sendpilot_pages, limit):
    before = len(sendpilot_pages.requests)
    async with Client(server(sendpilot_pages.url)) as client:
        rows, _ = await walk(client, "list_conversations", {"limit": limit})
    assert [r["id"] for r in rows] == [tool_id(r) for r in raw_listing(sendpilot.url)]
    asked = [q for _, path, q in sendpilot_pages.requests[before:] if path == "/v1/inbox/conversations"]
    if limit < len(rows):
        assert any("page" in q for q in asked)
    assert not any("continuationToken" in q for q in asked)


async def test_the_old_api_prefix_works_through_the_base_url(sendpilot):
    async with Client(server(sendpilot.url + "/api")) as client:
        result = await client.call_tool("list_conversations", {"limit": 3})
    assert not result.is_error, text_of(result)
    assert any(path == "/api/v1/inbox/conversations" for _, path, _ in sendpilot.requests)


async def test_unread_only_is_applied_by_the_tool(sendpilot, dataset):
    async with Client(server(sendpilot.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"unread_only": True, "limit": 4})
    assert rows and all(r["unread"] is True for r in rows)
    assert {r["id"] for r in rows} == {f"sendpilot:{c['accountId']}:{c['id']}" for c in dataset if c["unreadCount"] > 0}
    assert "unread_only applied by this tool, not by SendPilot" in texts[0]


async def test_the_account_setting_narrows_to_one_sender(sendpilot, dataset):
    account = "sender_Vb84nTe1"
    async with Client(server(sendpilot.url, account_id=account)) as client:
        rows, _ = await walk(client, "list_conversations", {"limit": 100})
    assert {r["id"] for r in rows} == {f"sendpilot:{account}:{c['id']}" for c in dataset if c["accountId"] == account}


async def test_query_matches_names_in_the_tool(sendpilot):
    async with Client(server(sendpilot.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"query": "acme", "limit": 50})
        named, _ = await walk(client, "list_conversations", {"query": "okafor", "limit": 50})
    assert rows == []  # LinkedIn rows carry no company: nothing is guessed from names
    assert [r["correspondent"]["name"] for r in named] == ["Rachel Okafor"]
    assert "query applied by this tool" in texts[0]


async def test_a_participant_without_a_name_is_shown_by_profile_url(sendpilot, dataset):
    nameless = next(c for c in dataset if "name" not in c["participants"][0])
    url = nameless["participants"][0]["profileUrl"]
    async with Client(server(sendpilot.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": 100})
        thread = await client.call_tool("get_thread", {"conversation_id": tool_id(nameless)})
    row = next(r for r in rows if r["id"] == tool_id(nameless))
    assert row["correspondent"] == {"name": None, "email": None, "company": None, "title": None, "profile_url": url}
    line = next(line for line in texts[0].splitlines() if line.startswith(f"- {tool_id(nameless)}"))
    assert url in line and "unknown" not in line
    text = text_of(thread)
    with_line = next(line for line in text.splitlines() if line.startswith("With: "))
    assert url in with_line and "unknown" not in with_line and "| lead" in text
    for shown in texts + [text]:
        assert "None" not in shown and "null" not in shown


async def test_list_accounts_says_domain_search_is_not_possible(sendpilot):
    async with Client(server(sendpilot.url)) as client:
        result = await client.call_tool("list_accounts", {})
    (account,) = result.structured_content["accounts"]
    assert account == {
        "name": "sendpilot",
        "provider": "sendpilot",
        "filters": [],
        "domain_search": "not possible (no email addresses)",
        "writes": "none",
    }


# ------------------------------------------------------------------------------------ threads


@pytest.mark.parametrize("variant", ["sendpilot", "sendpilot_shuffled", "sendpilot_pages"])
async def test_thread_is_oldest_first_whatever_order_the_api_uses(variant, dataset, request):
    served = request.getfixturevalue(variant)
    conversation = next(
        c for c in dataset if 4 <= len(c["messages"]) <= 10 and any(m["attachments"] for m in c["messages"])
    )
    async with Client(server(served.url)) as client:
        result = await client.call_tool("get_thread", {"conversation_id": tool_id(conversation)})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert [m["number"] for m in data["messages"]] == list(range(1, len(conversation["messages"]) + 1))
    assert [m["at"] for m in data["messages"]] == sorted(m["at"] for m in data["messages"])
    expected = [(m["content"] or "").split()[:3] for m in conversation["messages"]]
    assert [m["text"].split()[:3] for m in data["messages"]] == expected
    directions = ["outbound" if m["direction"] == "sent" else "inbound" for m in conversation["messages"]]
    assert [m["direction"] for m in data["messages"]] == directions
    text = text_of(result)
    attachment = next(a for m in conversation["messages"] for a in m["attachments"] if a.get("name"))
    assert attachment["name"] in text
    assert data["conversation"]["subject"] is None and "Subject:" not in text
    assert f"{len(conversation['messages'])} messages oldest first" in text
    assert "None" not in text


@pytest.mark.parametrize("variant", ["sendpilot", "sendpilot_shuffled", "sendpilot_pages"])
async def test_the_long_thread_comes_back_complete(variant, dataset, request):
    served = request.getfixturevalue(variant)
    longest = max(dataset, key=lambda c: len(c["messages"]))
    total = len(longest["messages"])
    before = len(served.requests)
    async with Client(server(served.url)) as client:
        first, messages, texts = await read_whole_thread(client, tool_id(longest))
    message_calls = [q for _, path, q in served.requests[before:] if path.endswith("/messages")]
    assert total > 100 and len(message_calls) >= 3
    assert all(q["accountId"] == longest["accountId"] and q["limit"] == "50" for q in message_calls)
    assert first["conversation"]["message_count"] == total
    assert f"{total} messages oldest first" in texts[0]
    assert [m["number"] for m in messages] == list(range(1, total + 1))
    assert [m["at"] for m in messages] == sorted(m["at"] for m in messages)
    assert messages[0]["direction"] == "outbound" and messages[-1]["direction"] == "inbound"
    assert first["conversation"]["unread"] is True


async def test_images_and_files_are_listed_as_attachments(sendpilot, dataset):
    with_files = [c for c in dataset if any(m["attachments"] for m in c["messages"]) and len(c["messages"]) < 20]
    async with Client(server(sendpilot.url)) as client:
        for conversation in with_files:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(conversation)})
            assert not result.is_error, text_of(result)
            shown = [a for m in result.structured_content["messages"] for a in m["attachments"]]
            sent = [a for m in conversation["messages"] for a in m["attachments"]]
            assert len(shown) == len(sent)
            for a, b in zip(shown, sent):
                assert (
                    a["filename"] == b.get("name", "(unnamed)")
                    and a["content_type"] == b["type"]
                    and a["size"] == b["size"]
                )
            assert "Attachments: " in text_of(result)


async def test_thread_errors_are_one_sentence(sendpilot, dataset):
    c = dataset[0]
    other = next(a for a in emulator.SENDER_ACCOUNTS if a != c["accountId"])
    async with Client(server(sendpilot.url)) as client:
        cases = {
            "no sender account": ({"conversation_id": f"sendpilot:{c['id']}"}, "not a SendPilot conversation id"),
            "bad characters": ({"conversation_id": "sendpilot:sender_x:../../etc"}, "not a SendPilot conversation id"),
            "unknown conversation": (
                {"conversation_id": f"sendpilot:{c['accountId']}:2-AAAAAAAAAAAAAAAAAAAA"},
                "list conversations",
            ),
            "other sender": ({"conversation_id": f"sendpilot:{other}:{c['id']}"}, "list conversations"),
            "sender of another workspace": (
                {"conversation_id": f"sendpilot:sender_elsewhere:{c['id']}"},
                "SENDPILOT_API_KEY",
            ),
        }
        for name, (arguments, expected) in cases.items():
            result = await client.call_tool("get_thread", arguments)
            text = text_of(result)
            assert result.is_error, name
            assert expected in text, (name, text)
            assert "Traceback" not in text and "\n" not in text and KEY not in text, (name, text)


# ------------------------------------------------------------------------------------ domain search and errors


async def test_search_by_domain_on_a_sendpilot_only_server_says_it_cannot(sendpilot):
    before = len(sendpilot.requests)
    async with Client(server(sendpilot.url)) as client:
        result = await client.call_tool("search_by_domain", {"domain": "acme.com"})
    assert result.is_error
    text = text_of(result)
    assert "SendPilot" in text and "no email addresses" in text and "\n" not in text
    assert len(sendpilot.requests) == before  # nothing was asked of SendPilot


async def test_search_by_domain_next_to_an_email_account_names_sendpilot(sendkit, sendpilot):
    sendkit_settings = SendKitSettings(api_key=SENDKIT_KEY, base_url=sendkit.url)
    sendpilot_settings = SendPilotSettings(api_key=KEY, base_url=sendpilot.url)
    mixed = build_server(
        lambda http: [
            SendKitClient("sendkit", sendkit_settings, http, "SENDKIT_API_KEY"),
            SendPilotClient("sendpilot", sendpilot_settings, http, "SENDPILOT_API_KEY"),
        ]
    )
    async with Client(mixed) as client:
        result = await client.call_tool("search_by_domain", {"domain": "acme.com", "limit": 5})
        listing = await client.call_tool("list_conversations", {"limit": 30})
    assert not result.is_error, text_of(result)
    assert any("SendPilot conversations have no email addresses" in n for n in result.structured_content["notes"])
    assert all(r["account"] == "sendkit" for r in result.structured_content["conversations"])
    accounts = {r["account"] for r in listing.structured_content["conversations"]}
    assert accounts == {"sendkit", "sendpilot"}
    stamps = [r["last_activity_at"] for r in listing.structured_content["conversations"]]
    assert stamps == sorted(stamps, reverse=True)


async def test_wrong_key_names_the_variable_and_never_shows_the_key(sendpilot, dataset):
    wrong = "sp_wrong_0f9e8d7c6b5a"
    for text in await wrong_key_texts(
        server(sendpilot.url, key=wrong), "SENDPILOT_API_KEY", tool_id(dataset[0]), domain=False
    ):
        assert "SendPilot" in text
        assert wrong not in text and KEY not in text


async def test_an_outage_is_one_sentence():
    app = emulator.create_app(api_key=KEY, now=NOW, outage=True)
    with LoopbackServer(app) as served:
        async with Client(server(served.url)) as client:
            result = await client.call_tool("list_conversations", {})
    assert result.is_error
    assert "SendPilot failed (HTTP 500" in text_of(result) and "try again" in text_of(result)
