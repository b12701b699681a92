"""Each documented SendKit variant (PROVIDERS.md, "Second reading") end to end: a real MCP client
(in memory), the server, the SendKit client over HTTP on loopback, and the emulator serving that
variant. Nothing lost, nothing repeated, nothing invented."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from documented import LIST_V2, THREAD_OLD
from helpers import KEY, NOW, sendkit_server, text_of, walk
from mcp import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from leadinbox_mcp.sandbox import sendkit as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer

pytestmark = pytest.mark.anyio


def _time(message: dict) -> datetime | None:
    raw = message.get("receivedAt") or message.get("sentAt")
    return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None


def _is_lead_reply(message: dict) -> bool:
    return message.get("type") == "reply" and bool(message.get("isFromLead"))


def expected_ids(conversations: list[dict]) -> list[str]:
    """What SendKit lists, in its order: conversations with a lead reply, newest first, ties by id."""
    listed = [c for c in conversations if any(_is_lead_reply(m) for m in c["messages"])]
    listed.sort(key=lambda c: (max(t for m in c["messages"] if (t := _time(m))), c["id"]), reverse=True)
    return [f"sendkit:{c['id']}" for c in listed]


def list_requests(requests: list, since: int = 0) -> list[dict[str, str]]:
    return [query for _, path, query in requests[since:] if path == "/v1/inbox"]


@contextmanager
def serving(**options) -> Iterator[tuple[str, list]]:
    """An emulator of its own with these options: its URL and its request log."""
    app = emulator.create_app(api_key=KEY, now=NOW, **options)
    with LoopbackServer(app) as server:
        yield server.url, app.state.requests


# ------------------------------------------------------------------------------------ listing


@pytest.mark.parametrize("limit", [1, 7, 20, 100])
async def test_newer_list_api_walks_every_conversation_once_without_page(sendkit_v2, dataset, limit):
    before = len(sendkit_v2.requests)
    async with Client(sendkit_server(sendkit_v2.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": limit})
    sent = list_requests(sendkit_v2.requests, before)
    assert [r["id"] for r in rows] == expected_ids(dataset)  # each once, in order, none invented
    assert not any("page" in q for q in sent), "the newer API takes no page"
    assert "cursor" not in sent[0] and all("cursor" in q for q in sent[1:])
    assert len(sent) == math.ceil(len(expected_ids(dataset)) / limit)  # one request a page: no page read twice
    unread = {f"sendkit:{c['id']}": c["unreadCount"] > 0 for c in dataset}
    assert all(r["unread"] is unread[r["id"]] for r in rows), "isRead/unreadCount give the read state"
    assert sum(r["unread"] for r in rows) == 10
    assert "That is all" in texts[-1]


async def test_page_numbers_still_walk_from_a_first_page_asked_without_page(sendkit, dataset):
    before = len(sendkit.requests)
    async with Client(sendkit_server(sendkit.url)) as client:
        rows, _ = await walk(client, "list_conversations", {"limit": 7})
    sent = list_requests(sendkit.requests, before)
    assert [r["id"] for r in rows] == expected_ids(dataset)
    assert [q.get("page") for q in sent] == [None, *map(str, range(2, math.ceil(len(rows) / 7) + 1))]


async def test_older_rows_take_the_read_state_from_the_last_message(sendkit_old, dataset):
    async with Client(sendkit_server(sendkit_old.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": 100})
    by_id = {f"sendkit:{c['id']}": c for c in dataset}
    assert [r["id"] for r in rows] == expected_ids(dataset)
    states = []
    for row in rows:
        last = by_id[row["id"]]["messages"][-1]
        # Only a lead's message says whether the lead's replies were read; after ours: unknown.
        # (The emulator's row calls a manual message from the lead read: it has no `read`.)
        from_lead = _is_lead_reply(last) or (last["type"] == "manual" and last["direction"] == "inbound")
        expected = (not last.get("read", True)) if from_lead else None
        assert row["unread"] is expected, row["id"]
        states.append(expected)
    assert {True, False, None} <= set(states)
    assert "read state unknown" in texts[0]


@pytest.mark.parametrize("mode", ["pages", "cursor", "cursor_v2"])
async def test_empty_pages_in_the_middle_are_read_past(dataset, mode):
    with serving(pagination=mode, empty_pages={10: 2, 30: 1}) as (url, requests):
        async with Client(sendkit_server(url)) as client:
            rows, texts = await walk(client, "list_conversations", {"limit": 10})
    assert [r["id"] for r in rows] == expected_ids(dataset)
    assert len(list_requests(requests)) == 5 + 3  # five pages with rows, three empty ones
    assert all("empty" not in text for text in texts)


@pytest.mark.parametrize("mode", ["pages", "cursor_v2"])
async def test_too_many_empty_pages_in_a_row_end_the_listing_with_a_note(dataset, mode):
    """Two empty pages in a row are read past (above); a third ends the listing: bounded."""
    with serving(pagination=mode, empty_pages={10: 3}) as (url, requests):
        async with Client(sendkit_server(url)) as client:
            first = await client.call_tool("list_conversations", {"limit": 10})
            second = await client.call_tool(
                "list_conversations", {"limit": 10, "cursor": first.structured_content["next_cursor"]}
            )
    assert [r["id"] for r in first.structured_content["conversations"]] == expected_ids(dataset)[:10]
    assert not second.is_error and second.structured_content["conversations"] == []
    assert second.structured_content["next_cursor"] is None
    note = "sendkit: SendKit answered 3 empty pages in a row while saying more follow"
    assert any(n.startswith(note) for n in second.structured_content["notes"])
    assert note in text_of(second) and "may be missing" in text_of(second)
    assert len(list_requests(requests)) == 1 + 3


@pytest.mark.parametrize("mode", ["cursor", "cursor_v2"])
async def test_more_without_a_cursor_stops_with_a_note_never_a_page_number(dataset, mode):
    with serving(pagination=mode, missing_cursor=True) as (url, requests):
        async with Client(sendkit_server(url)) as client:
            result = await client.call_tool("list_conversations", {"limit": 10})
    data = result.structured_content
    assert [r["id"] for r in data["conversations"]] == expected_ids(dataset)[:10]
    assert data["next_cursor"] is None
    note = "sendkit: SendKit said more conversations follow but sent no cursor to reach them"
    assert any(n.startswith(note) for n in data["notes"]) and note in text_of(result)
    assert list_requests(requests) == [{"limit": "10"}]  # no second request by page number


async def test_variant_conversations_are_listed_like_the_others(sendkit_variants, dataset, variants):
    nulls, manual = variants
    async with Client(sendkit_server(sendkit_variants.url)) as client:
        rows, _ = await walk(client, "list_conversations", {"limit": 20})
    assert [r["id"] for r in rows] == expected_ids(dataset + variants)
    by_id = {r["id"]: r for r in rows}
    row = by_id[f"sendkit:{nulls['id']}"]
    assert row["correspondent"]["email"] == "pat@nullwise.io" and row["correspondent"]["name"] is None
    assert row["unread"] is True and row["campaign"] is None and row["tags"] == []
    row = by_id[f"sendkit:{manual['id']}"]
    assert row["last_activity_at"].startswith(manual["messages"][-1]["sentAt"][:19])


# ------------------------------------------------------------------------------------ threads


async def test_a_thread_of_nulls_renders(sendkit_variants, variants):
    nulls = variants[0]
    async with Client(sendkit_server(sendkit_variants.url)) as client:
        for response_format in ("concise", "detailed"):
            result = await client.call_tool(
                "get_thread", {"conversation_id": f"sendkit:{nulls['id']}", "response_format": response_format}
            )
            assert not result.is_error, text_of(result)
            data, text = result.structured_content, text_of(result)
            assert data["conversation"]["unread"] is True  # no isRead/unreadCount: the reply's read false says it
            assert (data["conversation"]["campaign"], data["conversation"]["tags"], data["conversation"]["status"]) == (
                None,
                [],
                None,
            )
            assert [m["direction"] for m in data["messages"]] == ["outbound", "inbound"]
            assert data["messages"][1]["from"]["email"] == "pat@nullwise.io"
            assert data["messages"][1]["attachments"] == [
                {"number": 1, "filename": "(unnamed)", "content_type": None, "size": None}
            ]
            assert data["scheduled_replies"] == [] and data["notes"] == []
            assert "Send me the details" in text and "unread" in text and "(unnamed)" in text


async def test_manual_messages_without_a_time_or_a_known_direction(sendkit_variants, variants):
    manual = variants[1]
    async with Client(sendkit_server(sendkit_variants.url)) as client:
        result = await client.call_tool(
            "get_thread", {"conversation_id": f"sendkit:{manual['id']}", "response_format": "detailed"}
        )
    assert not result.is_error, text_of(result)
    data, text = result.structured_content, text_of(result)
    messages = data["messages"]
    assert len(messages) == len(manual["messages"])
    assert messages[2]["at"] is None and messages[2]["direction"] == "outbound"  # "outbound", no time
    assert "#3 time unknown | us" in text
    assert messages[3]["direction"] == "inbound"  # no direction: its sender is the lead
    assert messages[3]["from"]["email"] == "morgan.hale@handlogged.com"
    # "logged" and no addresses: nothing tells, and the message says so rather than guess
    assert messages[4]["direction"] == "unknown" and data["notes"] == []
    assert "#5 " in text and "direction unknown" in next(line for line in text.splitlines() if line.startswith("#5 "))
    # an attachment without downloadUrl is still shown
    assert messages[1]["attachments"][0]["filename"] == "pipeline-review.pdf" and "pipeline-review.pdf" in text
    # the failed scheduled reply is shown as failed, not among those waiting to be sent
    assert [s["status"] for s in data["scheduled_replies"]] == ["failed"]
    assert "| failed, will not be sent |" in text and "not sent yet" not in text


async def test_default_data_failed_reply_and_attachment_without_download_url(sendkit, dataset):
    failed = next(c for c in dataset if any(s["status"] == "failed" for s in c["scheduledReplies"]))
    no_url = next(
        c for c in dataset for m in c["messages"] for a in m.get("attachments") or [] if "downloadUrl" not in a
    )
    async with Client(sendkit_server(sendkit.url)) as client:
        first = await client.call_tool("get_thread", {"conversation_id": f"sendkit:{failed['id']}"})
        second = await client.call_tool(
            "get_thread", {"conversation_id": f"sendkit:{no_url['id']}", "response_format": "detailed"}
        )
    assert [s["status"] for s in first.structured_content["scheduled_replies"]] == ["failed"]
    assert "failed, will not be sent" in text_of(first) and "pending" not in text_of(first)
    names = [a["filename"] for m in second.structured_content["messages"] for a in m["attachments"]]
    expected = [a["filename"] for m in no_url["messages"] for a in m.get("attachments") or []]
    assert names == expected and all(name in text_of(second) for name in names)


async def test_older_thread_pages_give_the_read_state_from_the_replies(sendkit_old, dataset):
    async with Client(sendkit_server(sendkit_old.url)) as client:
        for conversation in dataset:
            result = await client.call_tool("get_thread", {"conversation_id": f"sendkit:{conversation['id']}"})
            assert not result.is_error, text_of(result)
            data = result.structured_content
            assert data["conversation"]["unread"] is (conversation["unreadCount"] > 0), conversation["id"]
            assert all(m["attachments"] == [] for m in data["messages"])
            assert len(data["messages"]) == len(conversation["messages"])


async def test_the_documented_older_thread_page_end_to_end():
    document = copy.deepcopy(THREAD_OLD["data"])
    with serving(conversations=[document]) as (url, _):
        async with Client(sendkit_server(url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"sendkit:{document['id']}"})
    assert not result.is_error, text_of(result)
    data, text = result.structured_content, text_of(result)
    assert data["conversation"]["unread"] is True  # the reply's read false
    assert [m["direction"] for m in data["messages"]] == ["outbound", "inbound"]
    assert [s["status"] for s in data["scheduled_replies"]] == ["failed"]
    assert "failed, will not be sent" in text and "not sent yet" not in text


async def test_a_provider_that_answers_the_same_cursor_again_is_not_followed():
    """Not a documented shape: a fault that must end the listing, with a note, not loop."""
    row = copy.deepcopy(LIST_V2["data"][0])
    seen: list[dict] = []

    async def inbox(request: Request) -> JSONResponse:
        seen.append(dict(request.query_params))
        data = [] if "cursor" in request.query_params else [row]
        return JSONResponse(
            {
                "success": True,
                "data": data,
                "pagination": {"limit": 20, "total": 2, "hasMore": True, "nextCursor": "664a1b2c3d4e5f6a7b8c9d0f"},
            }
        )

    with LoopbackServer(Starlette(routes=[Route("/v1/inbox", inbox)])) as server:
        async with Client(sendkit_server(server.url)) as client:
            rows, texts = await walk(client, "list_conversations", {})
    assert [r["id"] for r in rows] == [f"sendkit:{row['id']}"]
    assert "SendKit answered with the same page position again" in texts[-1]
    assert [q.get("cursor") for q in seen] == [None, "664a1b2c3d4e5f6a7b8c9d0f"]


async def test_listed_rows_without_a_usable_id_are_left_out_with_a_note(dataset):
    broken = copy.deepcopy(dataset[:3])
    broken[0]["id"] = "../../etc/passwd"
    with serving(conversations=broken) as (url, _):
        async with Client(sendkit_server(url)) as client:
            rows, texts = await walk(client, "list_conversations", {})
    assert {r["id"] for r in rows} == {f"sendkit:{c['id']}" for c in broken[1:]}
    assert "sendkit: SendKit listed conversations without a usable id; they are left out." in texts[-1]
