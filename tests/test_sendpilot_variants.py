"""Every documented (and observed) SendPilot shape of PROVIDERS.md's second reading, end to end:
the tools through a real MCP client (in memory) against the SendPilot emulator on loopback, in
the emulator mode that serves it. Nothing lost, nothing repeated, nothing invented."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from helpers import FAST, NOW, text_of, walk
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.providers.sendpilot import client as sendpilot_client
from leadinbox_mcp.providers.sendpilot.client import SendPilotClient, SendPilotSettings
from leadinbox_mcp.sandbox import sendpilot as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server

pytestmark = pytest.mark.anyio

KEY = "sp_test_variants_51c0a7"
LIST = "/v1/inbox/conversations"
REPS = set(emulator.SENDER_ACCOUNTS.values())


class Served:
    def __init__(self, app, url: str) -> None:
        self.app = app
        self.url = url

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        return self.app.state.requests

    def listing_limits(self) -> list[int]:
        return [int(q["limit"]) for _, path, q in self.requests if path.endswith(LIST)]

    def message_requests(self) -> list[dict[str, str]]:
        return [q for _, path, q in self.requests if path.endswith("/messages")]


@contextmanager
def served(app: ASGIApp | None = None, **options: Any) -> Iterator[Served]:
    real = emulator.create_app(api_key=KEY, now=NOW, **options)
    with LoopbackServer(app(real) if app else real) as server:
        yield Served(real, server.url)


def server(url: str, **settings: Any) -> InboxServer:
    config = SendPilotSettings(api_key=KEY, base_url=url, **settings)
    factory = lambda http: [SendPilotClient("sendpilot", config, http, "SENDPILOT_API_KEY")]  # noqa: E731
    return build_server(factory, requests_per_second=FAST)


def tool_id(c: dict[str, Any]) -> str:
    return f"sendpilot:{c['accountId']}:{c['id']}"


def newest_first(data: list[dict[str, Any]]) -> list[str]:
    """The emulator's order: lastActivityAt, then id, both descending."""
    return [tool_id(c) for c in sorted(data, key=lambda c: (c["lastActivityAt"], c["id"]), reverse=True)]


def bigger() -> list[dict[str, Any]]:
    """124 conversations (four seeds of the data set): a scan needs three pages of 50."""
    data = [c for seed in (7, 8, 9, 10) for c in emulator.build_conversations(seed=seed, now=NOW)]
    assert len({c["id"] for c in data}) == len(data) == 124
    return data


def lead_of(c: dict[str, Any]) -> dict[str, Any]:
    """The participant who is not our sender (the emulator's reps are known by name)."""
    ours = {m["sender"]["id"] for m in c["messages"] if m["sender"].get("name") in REPS}
    (lead,) = [p for p in c["participants"] if p["id"] not in ours]
    return lead


def one_sentence(result) -> str:
    text = text_of(result)
    assert result.is_error and "\n" not in text and "Traceback" not in text and KEY not in text, text
    return text


# ------------------------------------------------------------------------------------ page sizes


async def list_bigger(pagination: str, error_above_limit: int, limit: int) -> tuple[list[int], list[str]]:
    """List `bigger()` data from an emulator that answers 500 to a page size above
    `error_above_limit`: its unread conversations 7 a page, each exactly once, then all of them
    `limit` a page, in the emulator's order (none lost or repeated). Returns the page sizes the
    emulator was asked for and the texts of the unread pages."""
    data = bigger()
    with served(conversations=data, pagination=pagination, error_above_limit=error_above_limit) as sp:
        async with Client(server(sp.url)) as client:
            unread, texts = await walk(client, "list_conversations", {"unread_only": True, "limit": 7})
            everything, _ = await walk(client, "list_conversations", {"limit": limit})
    ids = [r["id"] for r in unread]
    assert len(ids) == len(set(ids)) and set(ids) == {tool_id(c) for c in data if c["unreadCount"] > 0}
    assert [r["id"] for r in everything] == newest_first(data)
    return sp.listing_limits(), texts


@pytest.mark.parametrize("pagination", ["token", "pages_has_more"])
async def test_a_scan_never_asks_for_more_than_50_and_lists_each_conversation_once(pagination):
    limits, texts = await list_bigger(pagination, error_above_limit=50, limit=100)
    assert max(limits) == 50 and limits.count(50) >= 3  # the scan read big pages, none above 50
    assert not any("HTTP 500" in t for t in texts)


@pytest.mark.parametrize("pagination", ["token", "pages", "pages_has_more"])
async def test_a_page_size_that_answers_500_is_asked_again_smaller_for_the_same_rows(pagination):
    limits, _ = await list_bigger(pagination, error_above_limit=25, limit=30)  # pages of 30 asked 25 at a time
    tried = next(i for i, limit in enumerate(limits) if limit != 50)  # the first ask and the HTTP client's retries
    assert tried >= 1 and max(limits[tried:]) == 25  # then 25 at a time, for good


async def test_a_page_size_that_still_fails_is_one_sentence():
    with served(error_above_limit=10) as sp:
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("list_conversations", {"unread_only": True})
    assert "SendPilot failed (HTTP 500" in one_sentence(result)
    limits = sp.listing_limits()
    assert limits == sorted(limits, reverse=True) and set(limits) == {50, 25}  # once smaller, then no more


# ------------------------------------------------------------------------------------ who is us


async def test_our_own_sender_listed_among_participants_is_never_the_correspondent():
    data = emulator.build_conversations(now=NOW, own_sender_listed=True, member_ids=True)
    with served(own_sender_listed=True, member_ids=True) as sp:
        async with Client(server(sp.url)) as client:
            rows, texts = await walk(client, "list_conversations", {"limit": 100})
            probes = sp.message_requests()
            threads = {tool_id(c): await client.call_tool("get_thread", {"conversation_id": tool_id(c)}) for c in data}
    # One page of messages per sender account taught the client who it is there.
    assert len(probes) == len(emulator.SENDER_ACCOUNTS)
    assert {q["accountId"] for q in probes} == set(emulator.SENDER_ACCOUNTS) and all(
        int(q["limit"]) <= 50 for q in probes
    )
    by_id = {tool_id(c): c for c in data}
    assert sorted(r["id"] for r in rows) == sorted(by_id)
    for row in rows:
        lead = lead_of(by_id[row["id"]])
        assert row["correspondent"] == {
            "name": lead.get("name"),
            "email": None,
            "company": None,
            "title": None,
            "profile_url": lead["profileUrl"],
        }
    assert not any("or B" in t or "without saying which is our own sender" in t for t in texts)
    for conversation_id, result in threads.items():
        assert not result.is_error, text_of(result)
        c = by_id[conversation_id]
        data_out = result.structured_content
        assert data_out["conversation"]["correspondent"]["profile_url"] == lead_of(c)["profileUrl"]
        assert data_out["conversation"]["correspondent"]["name"] not in REPS
        expected = ["outbound" if m["direction"] == "sent" else "inbound" for m in c["messages"]]
        assert [m["direction"] for m in data_out["messages"]] == expected
        with_line = next(line for line in text_of(result).splitlines() if line.startswith("With: "))
        assert not any(rep in with_line for rep in REPS)


async def test_what_a_thread_taught_is_used_by_later_listings():
    data = emulator.build_conversations(now=NOW, own_sender_listed=True)
    first = data[0]
    with served(own_sender_listed=True) as sp:
        async with Client(server(sp.url)) as client:
            await client.call_tool("get_thread", {"conversation_id": tool_id(first)})
            before = len(sp.message_requests())
            rows, _ = await walk(client, "list_conversations", {"limit": 100})
    probes = sp.message_requests()[before:]
    assert {q["accountId"] for q in probes} == set(emulator.SENDER_ACCOUNTS) - {first["accountId"]}
    assert all(r["correspondent"]["name"] not in REPS for r in rows)


async def test_when_nothing_says_who_we_are_the_row_names_both_and_the_thread_guesses_nothing():
    data = emulator.build_conversations(
        now=NOW, own_sender_listed=True, member_ids=True, direction_names=("type_a", "type_b")
    )
    with served(own_sender_listed=True, member_ids=True, direction_names=("type_a", "type_b")) as sp:
        async with Client(server(sp.url)) as client:
            rows, texts = await walk(client, "list_conversations", {"limit": 100})
            dana = next(c for c in data if lead_of(c).get("name") == "Dana Whitfield")
            thread = await client.call_tool("get_thread", {"conversation_id": tool_id(dana)})
    by_id = {tool_id(c): c for c in data}
    for row in rows:
        c = by_id[row["id"]]
        names = [p.get("name", "a member without a name") for p in c["participants"]]
        assert row["correspondent"]["name"] == " or ".join(names)  # both, honestly; never the rep alone
        assert row["correspondent"]["profile_url"] is None
    assert "without saying which is our own sender; get_thread on it tells who the lead is" in texts[0]
    assert not thread.is_error, text_of(thread)
    out = thread.structured_content
    assert [m["text"].split()[:3] for m in out["messages"]] == [m["content"].split()[:3] for m in dana["messages"]]
    text = text_of(thread)
    assert "| us" not in text and "| lead" not in text  # neither side is claimed
    assert out["conversation"]["correspondent"]["name"] is None
    assert {m["direction"] for m in out["messages"]} == {"unknown"} and out["notes"] == []
    assert text.count("direction unknown") == len(out["messages"])


async def test_renamed_direction_values_that_still_say_the_direction():
    data = emulator.build_conversations(now=NOW, direction_names=("OUTGOING", "INCOMING"))
    conversation = max(data, key=lambda c: len(c["messages"]) if len(c["messages"]) < 20 else 0)
    with served(direction_names=("OUTGOING", "INCOMING")) as sp:
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(conversation)})
    assert not result.is_error, text_of(result)
    expected = ["outbound" if m["direction"] == "OUTGOING" else "inbound" for m in conversation["messages"]]
    assert [m["direction"] for m in result.structured_content["messages"]] == expected
    assert result.structured_content["notes"] == []


# ------------------------------------------------------------------------------------ content


async def test_trailing_whitespace_is_dropped_and_nothing_else():
    data = emulator.build_conversations(now=NOW, trailing_whitespace=True)
    tom = next(c for c in data if c["participants"][0].get("name") == "Tom Becker")
    with served(trailing_whitespace=True) as sp:
        async with Client(server(sp.url)) as client:
            rows, texts = await walk(client, "list_conversations", {"limit": 100})
            thread = await client.call_tool("get_thread", {"conversation_id": tool_id(tom)})
    for row in rows:
        assert row["snippet"] is None or row["snippet"] == row["snippet"].strip()
    assert next(r for r in rows if r["id"] == tool_id(tom))["snippet"] is None  # its last message is an image alone
    messages = thread.structured_content["messages"]
    assert len(messages) == len(tom["messages"])
    for shown, sent in zip(messages, tom["messages"]):
        assert shown["text"] == sent["content"].strip()
    assert messages[-1]["text"] == "" and messages[-1]["attachments"]


async def test_an_image_message_without_attachments_is_still_shown_as_an_image():
    data = emulator.build_conversations(now=NOW, images_without_attachments=True)
    tom = next(c for c in data if c["participants"][0].get("name") == "Tom Becker")
    with served(images_without_attachments=True, message_order="asc") as sp:
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(tom)})
    assert not result.is_error, text_of(result)
    messages = result.structured_content["messages"]
    assert len(messages) == len(tom["messages"])
    assert messages[-2]["text"].startswith("Here's what our forecast sheet looks like")
    for m in messages[-2:]:
        assert [a["filename"] for a in m["attachments"]] == ["(image; SendPilot gave no file details)"]
        assert m["attachments"][0]["content_type"] is None and m["attachments"][0]["size"] is None
    last = [line for line in text_of(result).splitlines() if line.startswith("#")][-1]
    assert "| lead | image" in last


# ------------------------------------------------------------------------------------ paging


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_the_page_number_variant_with_has_more_walks_every_row_once(limit):
    data = emulator.build_conversations(now=NOW)
    with served(pagination="pages_has_more") as sp:
        async with Client(server(sp.url)) as client:
            rows, texts = await walk(client, "list_conversations", {"limit": limit})
    assert [r["id"] for r in rows] == newest_first(data)
    asked = [q for _, path, q in sp.requests if path == LIST]
    assert not any("continuationToken" in q for q in asked)
    if limit < len(rows):
        assert any("page" in q for q in asked)
    assert "That is all" in texts[-1]


async def test_messages_oldest_first_over_several_pages_come_back_whole():
    data = emulator.build_conversations(now=NOW)
    longest = max(data, key=lambda c: len(c["messages"]))
    with served(message_order="asc") as sp:
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(longest)})
    assert len(sp.message_requests()) == 3 and all(
        q["accountId"] == longest["accountId"] for q in sp.message_requests()
    )
    out = result.structured_content
    assert out["conversation"]["message_count"] == len(longest["messages"]) and out["notes"] == []
    newest = out["messages"][-1]
    assert newest["number"] == len(longest["messages"]) and newest["text"] == longest["messages"][-1]["content"]


async def test_a_thread_cut_by_the_bound_keeps_the_newest_and_says_so(monkeypatch):
    monkeypatch.setattr(sendpilot_client, "MAX_MESSAGES", 60)
    data = emulator.build_conversations(now=NOW)
    longest = max(data, key=lambda c: len(c["messages"]))
    with served() as sp:  # newest first
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(longest)})
    out = result.structured_content
    assert len(sp.message_requests()) == 2  # the third page holds only older messages
    assert out["conversation"]["message_count"] == 60
    assert out["messages"][-1]["text"] == longest["messages"][-1]["content"]  # the lead's latest reply
    assert out["notes"] == [
        "Only the newest 100 messages of this conversation were read; older ones were not fetched.",
        "Only the newest 60 of 100 messages read are shown; older ones were left out.",
    ]
    assert all(note in text_of(result) for note in out["notes"])


async def test_a_long_thread_sent_oldest_first_keeps_its_newest_while_it_is_read(monkeypatch):
    """Pages oldest first hold only the newest messages as they come (200 pages of 2,500 had
    500,000 held, and a loop stall of 0.9 s): what is shown and said is the same."""
    monkeypatch.setattr(sendpilot_client, "MAX_MESSAGES", 20)
    data = emulator.build_conversations(now=NOW)
    longest = max(data, key=lambda c: len(c["messages"]))
    total = len(longest["messages"])
    assert total > 2 * 20 + 50  # trimmed while it is read, before the last page
    with served(message_order="asc") as sp:
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(longest)})
    out = result.structured_content
    assert len(sp.message_requests()) == 3
    assert [m["text"] for m in out["messages"]] == [m["content"] for m in longest["messages"][-20:]]
    assert out["notes"] == [f"Only the newest 20 of {total} messages read are shown; older ones were left out."]


async def test_a_thread_sent_oldest_first_and_cut_says_the_newest_are_missing(monkeypatch):
    monkeypatch.setattr(sendpilot_client, "MAX_MESSAGE_PAGES", 2)
    data = emulator.build_conversations(now=NOW)
    longest = max(data, key=lambda c: len(c["messages"]))
    with served(message_order="asc") as sp:
        async with Client(server(sp.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": tool_id(longest)})
    out = result.structured_content
    assert out["conversation"]["message_count"] == 100
    (note,) = out["notes"]
    last_read = longest["messages"][99]["sentAt"].replace("T", " ")[:16]
    assert note == (
        "Only the oldest 100 messages of this conversation could be read (SendPilot sends them oldest first): "
        f"newer ones, after {last_read} UTC, are missing."
    )
    assert note in text_of(result)


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/api", "/api/v1", "/api/v1/"])
async def test_both_base_paths_with_or_without_the_version(suffix):
    data = emulator.build_conversations(now=NOW)
    with served() as sp:
        async with Client(server(sp.url + suffix)) as client:
            listing = await client.call_tool("list_conversations", {"limit": 3})
            thread = await client.call_tool("get_thread", {"conversation_id": tool_id(data[0])})
    assert not listing.is_error and not thread.is_error, text_of(listing) + text_of(thread)
    prefix = "/api" if suffix.startswith("/api") else ""
    assert {path for _, path, _ in sp.requests} == {prefix + LIST, f"{prefix}{LIST}/{data[0]['id']}/messages"}


# ------------------------------------------------------------------------------------ errors


class _Refuses400:
    """Answers the documented 400 body to any request that resumes a listing; the rest goes to
    the emulator. (The emulator's own 400s carry invented texts.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"continuationToken" in scope.get("query_string", b""):
            body = json.dumps({"statusCode": 400, "message": "Validation failed", "error": "Bad Request"}).encode()
            await send(
                {"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


async def test_each_error_is_one_sentence_that_says_what_to_do():
    data = emulator.build_conversations(now=NOW)
    with served(rate_limited=30) as sp:
        async with Client(server(sp.url)) as client:
            limited = await client.call_tool("list_conversations", {})
    assert "SendPilot is rate limiting requests: try again in 30 seconds." in one_sentence(limited)

    with served(_Refuses400) as sp:
        async with Client(server(sp.url)) as client:
            first = await client.call_tool("list_conversations", {"limit": 3})
            refused = await client.call_tool(
                "list_conversations", {"limit": 3, "cursor": first.structured_content["next_cursor"]}
            )
    # A resumed listing whose only account fails answers the failure, in one sentence (no rows
    # and the same cursor would send the agent round in a circle).
    failure = one_sentence(refused)
    assert refused.is_error and failure.startswith("sendpilot: SendPilot refused the request (HTTP 400: ")
    assert "Validation failed" in failure and failure.endswith("; start again without a cursor.")

    with served() as sp:
        async with Client(server(sp.url, account_id="sender_elsewhere")) as client:
            forbidden = await client.call_tool("list_conversations", {})
        async with Client(server(sp.url + "/nowhere")) as client:
            missing = await client.call_tool("list_conversations", {})
        async with Client(server(sp.url)) as client:
            other_user = await client.call_tool(
                "get_thread", {"conversation_id": f"sendpilot:sender_elsewhere:{data[0]['id']}"}
            )
    text = one_sentence(forbidden)
    assert "HTTP 403" in text and "SENDPILOT_API_KEY and SENDPILOT_ACCOUNT_ID" in text and "'sender_elsewhere'" in text
    assert (
        one_sentence(missing)
        == "sendpilot: SendPilot has no inbox at this address (HTTP 404); check SENDPILOT_BASE_URL."
    )
    text = one_sentence(other_user)
    assert "HTTP 403" in text and "another user" in text and "list conversations" in text
