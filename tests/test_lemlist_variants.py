"""Each documented lemlist variant end to end: the tools through a real MCP client (in memory)
against the lemlist emulator in that mode on loopback. Nothing lost, nothing repeated, nothing
invented; what cannot be read is said."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from helpers import NOW, Served, serving, text_of, walk
from mcp import Client
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.lemlist.client import (
    MAX_THREAD_ACTIVITIES,
    THREAD_PAGE_SIZE,
    LemlistClient,
    LemlistSettings,
)
from leadinbox_mcp.sandbox import lemlist as emulator
from leadinbox_mcp.server.app import InboxServer, build_server

pytestmark = pytest.mark.anyio

KEY = "lemlist_test_5c8e2a7d1f"
DATASET = emulator.build_conversations(now=NOW)
LONG = emulator.long_conversation(1240, now=NOW)
LONG_ID = LONG["inbox"]["contactId"]
WITH_LONG = [*DATASET, LONG]


def serve(wrap: Any = None, **options: Any) -> Iterator[Served]:
    app = emulator.create_app(api_key=KEY, now=NOW, **options)
    yield from serving(app, wrap(app) if wrap else None)


def server(url: str, key: str = KEY, deadline: float = 20.0, user_id: str | None = None) -> InboxServer:
    settings = LemlistSettings(api_key=key, base_url=url, user_id=user_id)
    return build_server(lambda http: [LemlistClient("lemlist", settings, http, "LEMLIST_API_KEY")], deadline=deadline)


async def domain_thread(url: str, contact_id: str):
    """The Thread the client returns, for assertions on every message (the tool shows only what
    fits its budget)."""
    http = HttpClient()
    try:
        return await LemlistClient(
            "lemlist", LemlistSettings(api_key=KEY, base_url=url), http, "LEMLIST_API_KEY"
        ).get_thread(contact_id)
    finally:
        await http.aclose()


def numbers(thread) -> list[int]:
    """Which of the long conversation's messages ("... message N of 1240.") the thread holds."""
    return [int(re.search(r"message (\d+) of", m.text).group(1)) for m in thread.messages]


def conversation(email: str) -> dict[str, Any]:
    return next(c for c in DATASET if c["inbox"]["contact"].get("email") == email)


# ------------------------------------------------------------------------------- thread pages


@pytest.mark.parametrize("order", ["newest", "oldest"])
async def test_a_long_thread_keeps_its_newest_activities_whatever_the_order(order):
    for em in serve(conversations=WITH_LONG, thread_order=order):
        thread = await domain_thread(em.url, LONG_ID)
        assert numbers(thread) == list(range(241, 1241))  # the newest 1,000, each once, oldest first
        assert thread.messages[-1].direction == "inbound"  # the lead's latest reply
        assert thread.notes == (
            "lemlist: the 240 oldest activities of this thread were not read "
            "(it has 1,240; this server reads the newest 1,000).",
        )
        skips = [int(q["skip"]) for q in em.thread_requests(LONG_ID)]
        # Newest first: the first ten pages. Oldest first: the first page tells the order, then the
        # last pages, newest first.
        assert skips == (list(range(0, 1000, 100)) if order == "newest" else [0, *range(1140, 239, -100)])
        assert all(q["limit"] == str(THREAD_PAGE_SIZE) for q in em.thread_requests(LONG_ID))

        async with Client(server(em.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{LONG_ID}"})
        assert not result.is_error, text_of(result)
        header = text_of(result).split("\n\n")[0]
        assert "1,000 messages" in header and thread.notes[0] in header
        assert result.structured_content["notes"] == list(thread.notes)
        assert result.structured_content["messages"][-1]["text"] == "Olivia: message 1240 of 1240."
        assert result.structured_content["conversation"]["message_count"] == MAX_THREAD_ACTIVITIES


@pytest.mark.parametrize("order", ["newest", "oldest"])
async def test_threads_that_fit_one_page_are_one_request_and_the_same_in_either_order(order):
    results = {}
    for em in serve(thread_order=order):
        async with Client(server(em.url)) as client:
            for c in DATASET:
                contact_id = c["inbox"]["contactId"]
                result = await client.call_tool(
                    "get_thread", {"conversation_id": f"lemlist:{contact_id}", "response_format": "detailed"}
                )
                assert not result.is_error and result.structured_content["notes"] == []
                results[contact_id] = result.structured_content["messages"]
                assert len(em.thread_requests(contact_id)) == 1
    for em in serve():  # control: the default order
        for c in DATASET[:6]:
            async with Client(server(em.url)) as client:
                result = await client.call_tool(
                    "get_thread",
                    {"conversation_id": f"lemlist:{c['inbox']['contactId']}", "response_format": "detailed"},
                )
            assert result.structured_content["messages"] == results[c["inbox"]["contactId"]]


async def test_the_configured_user_id_goes_with_every_thread_page():
    sam = LONG["inbox"]["users"][0]["userId"]
    for em in serve(conversations=WITH_LONG):
        async with Client(server(em.url, user_id=sam)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{LONG_ID}"})
        assert not result.is_error, text_of(result)
        pages = em.thread_requests(LONG_ID)
        assert len(pages) == 10 and all(q["userId"] == sam for q in pages)


async def test_the_first_readings_unpaged_thread_is_read_once_and_bounded():
    for em in serve(conversations=WITH_LONG, thread_pagination=False):
        thread = await domain_thread(em.url, LONG_ID)
        assert numbers(thread) == list(range(241, 1241))
        assert "the 240 oldest activities" in thread.notes[0]
        assert len(em.thread_requests(LONG_ID)) == 1
        dana = conversation("dana.whitfield@acme.com")["inbox"]["contactId"]
        assert len((await domain_thread(em.url, dana)).messages) == 5 and len(em.thread_requests(dana)) == 1


@pytest.mark.parametrize("order", ["newest", "oldest"])
async def test_a_thread_answered_whole_is_cut_to_its_newest_end_before_it_is_read(order):
    """lemlist answering a thread of 3,000 whole, whatever `limit` asked: only its newest 1,000 are
    read (validating a page of a hundred thousand would hold the server for seconds). The 2,000
    older ones are unreadable here: reading any of them would fail the page."""
    long = emulator.long_conversation(3000, now=NOW)
    for activity in long["messages"][:2000]:
        activity["subject"] = ["not", "a", "subject"]
    for em in serve(conversations=[long], thread_pagination=False, thread_order=order):
        async with Client(server(em.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{long['inbox']['contactId']}"})
        assert not result.is_error, text_of(result)
        out = result.structured_content
        assert out["notes"] == [
            "lemlist: the 2,000 oldest activities of this thread were not read "
            "(it has 3,000; this server reads the newest 1,000)."
        ]
        assert out["conversation"]["message_count"] == MAX_THREAD_ACTIVITIES
        assert out["messages"][-1]["text"] == "Olivia: message 3000 of 3000."
        assert len(em.thread_requests(long["inbox"]["contactId"])) == 1


async def test_a_slow_lemlist_stops_at_the_deadline_with_the_newest_part():
    for em in serve(conversations=[LONG], thread_delay=0.5):
        started = time.monotonic()
        async with Client(server(em.url, deadline=4.0)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{LONG_ID}"})
        assert time.monotonic() - started < 4.5
        assert not result.is_error, text_of(result)
        read = result.structured_content["conversation"]["message_count"]
        assert 100 <= read < 1000 and read % 100 == 0, read
        (note,) = result.structured_content["notes"]
        assert note == (
            f"lemlist: this call's time ran out while reading this long thread: the newest {read:,} of its "
            f"1,240 activities were read, the {1240 - read:,} oldest were not; open it again to retry."
        )
        assert result.structured_content["messages"][-1]["text"] == "Olivia: message 1240 of 1240."
        assert note in text_of(result)


def failing_from(skip: int):
    """A broken lemlist: thread pages from `skip` on answer 500, every time."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def broken(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and int(Request(scope).query_params.get("skip") or 0) >= skip:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
                return
            await app(scope, receive, send)

        return broken

    return wrap


async def test_a_failing_older_page_keeps_the_newer_ones():
    for em in serve(failing_from(300), conversations=[LONG]):
        thread = await domain_thread(em.url, LONG_ID)
        assert numbers(thread) == list(range(941, 1241))
        assert thread.notes == (
            "lemlist: lemlist failed on an older part of this thread (HTTP 500): the newest 300 "
            "of its 1,240 activities were read, the 940 oldest were not.",
        )


async def test_a_500_on_the_first_page_is_retried():
    calls = {"n": 0}

    def once(app: ASGIApp) -> ASGIApp:
        async def flaky(scope: Scope, receive: Receive, send: Send) -> None:
            calls["n"] += 1
            if calls["n"] == 1:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
                return
            await app(scope, receive, send)

        return flaky

    for em in serve(once):
        contact_id = DATASET[0]["inbox"]["contactId"]
        async with Client(server(em.url)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{contact_id}"})
        assert not result.is_error and calls["n"] == 2 and len(em.thread_requests(contact_id)) == 1


# ------------------------------------------------------------------------------- markAsRead


async def test_no_read_ever_marks_a_conversation_read():
    """markAsRead is never sent, not even as false: absent is the documented default, and a
    parameter never sent cannot be sent wrong. The emulator honours markAsRead=true (the control
    at the end), so a client that sent it would turn conversations read and fail here twice."""
    for em in serve(conversations=WITH_LONG):
        async with Client(server(em.url)) as client:
            before, _ = await walk(client, "list_conversations", {"limit": 100})
            await walk(client, "list_conversations", {"unread_only": True, "limit": 5})
            await walk(client, "search_by_domain", {"domain": "acme.com", "limit": 3})
            for i, row in enumerate(before):
                for fmt in ("concise", "detailed") if i < 4 else ("concise",):
                    result = await client.call_tool(
                        "get_thread", {"conversation_id": row["id"], "response_format": fmt}
                    )
                    assert not result.is_error, text_of(result)
            long = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{LONG_ID}"})
            older = await client.call_tool(
                "get_thread",
                {"conversation_id": f"lemlist:{LONG_ID}", "cursor": long.structured_content["next_cursor"]},
            )
            assert not older.is_error
            after, _ = await walk(client, "list_conversations", {"limit": 100})
        assert len(em.requests) > 40
        assert not [q for _, _, q in em.requests if "markAsRead" in q]
        assert [(r["id"], r["unread"]) for r in after] == [(r["id"], r["unread"]) for r in before]
        assert sum(1 for r in before if r["unread"]) == 11

        unread = next(r["id"].removeprefix("lemlist:") for r in before if r["unread"])
        token = base64.b64encode(f":{KEY}".encode()).decode()
        async with httpx2.AsyncClient(base_url=em.url, headers={"Authorization": f"Basic {token}"}) as raw:
            assert (await raw.get(f"/api/inbox/{unread}", params={"markAsRead": "true"})).status_code == 200
        async with Client(server(em.url)) as client:
            control, _ = await walk(client, "list_conversations", {"limit": 100})
        assert next(r["unread"] for r in control if r["id"] == f"lemlist:{unread}") is False


# ------------------------------------------------------------------------------- the Inbox Message shape


async def test_inbox_messages_render_as_the_activities_do_once_the_lead_is_known():
    def said(result) -> list[tuple[str, str, str]]:
        return [(m["direction"], m["at"], m["text"]) for m in result.structured_content["messages"]]

    expected = {}
    for em in serve():
        async with Client(server(em.url)) as client:
            await walk(client, "list_conversations", {"limit": 100})  # as below: names known, signatures trimmed alike
            for c in DATASET:
                result = await client.call_tool(
                    "get_thread",
                    {"conversation_id": f"lemlist:{c['inbox']['contactId']}", "response_format": "detailed"},
                )
                expected[c["inbox"]["contactId"]] = said(result)
    for em in serve(message_shape="inbox_message"):
        async with Client(server(em.url)) as client:
            await walk(client, "list_conversations", {"limit": 100})
            for c in DATASET:
                result = await client.call_tool(
                    "get_thread",
                    {"conversation_id": f"lemlist:{c['inbox']['contactId']}", "response_format": "detailed"},
                )
                assert not result.is_error and result.structured_content["notes"] == []
                assert said(result) == expected[c["inbox"]["contactId"]], c["inbox"]["contact"]
                assert all(e["kind"] != "message, author unknown" for e in result.structured_content["events"])
    assert sum(len(v) for v in expected.values()) > 90


async def test_inbox_messages_opened_cold_have_an_unknown_direction_until_the_lead_is_known():
    dana = conversation("dana.whitfield@acme.com")
    contact_id = dana["inbox"]["contactId"]
    for em in serve(message_shape="inbox_message"):
        async with Client(server(em.url)) as client:
            cold = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{contact_id}"})
            await client.call_tool("list_conversations", {"limit": 10})
            warm = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{contact_id}"})
            # Sam's address is now known as ours: another of his conversations, never listed, is placed.
            rachel = conversation("rachel@acme.com")["inbox"]["contactId"]
            learned = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{rachel}"})
    assert not cold.is_error and cold.structured_content["events"] == []
    messages = cold.structured_content["messages"]
    assert len(messages) == 5 and all(m["direction"] == "unknown" for m in messages)
    assert "Thursday 2pm ET works" in messages[-1]["text"]
    (note,) = cold.structured_content["notes"]
    assert "5 messages of this thread" in note and note in text_of(cold)
    assert [m["direction"] for m in warm.structured_content["messages"]] == [
        "outbound",
        "outbound",
        "inbound",
        "outbound",
        "inbound",
    ]
    assert warm.structured_content["notes"] == []
    assert [m["direction"] for m in learned.structured_content["messages"]] == ["outbound"] * 3 + ["inbound"]
    assert learned.structured_content["conversation"]["correspondent"]["email"] == "rachel@acme.com"


# ------------------------------------------------------------------------------- legacy rows


async def test_legacy_rows_are_listed_and_the_one_without_an_id_is_named():
    rows = sorted((c["inbox"] for c in DATASET), key=lambda r: (r["lastActivityAt"], r["_id"]), reverse=True)
    unopenable = DATASET[-1]["inbox"]  # the emulator's legacy mode leaves the last row without any contact id
    page = next(i // 7 + 1 for i, r in enumerate(rows) if r is unopenable)
    for em in serve(row_shape="legacy"):
        async with Client(server(em.url)) as client:
            listed, texts = await walk(client, "list_conversations", {"limit": 7, "response_format": "detailed"})
            thread = await client.call_tool(
                "get_thread", {"conversation_id": f"lemlist:{DATASET[0]['inbox']['contactId']}"}
            )
    assert [r["id"] for r in listed] == [f"lemlist:{r['contactId']}" for r in rows if r is not unopenable]
    assert len(listed) == len({r["id"] for r in listed}) == 30
    note = (
        f"lemlist: 1 conversation on page {page} of lemlist's inbox came without a usable contact id and "
        f"cannot be opened, so it is not listed (inbox row {unopenable['_id']})."
    )
    assert [t.count(note) for t in texts] == [1 if i + 1 == page else 0 for i in range(len(texts))]
    without_contact = {f"lemlist:{c['inbox']['contactId']}" for i, c in enumerate(DATASET) if i % 3 == 0} - {
        f"lemlist:{unopenable.get('contactId')}"
    }
    assert len(without_contact) == 10
    for row in listed:
        if row["id"] in without_contact:  # listed with what is known: no name or email is invented
            assert row["correspondent"]["name"] is None and row["correspondent"]["email"] is None
    unread = {
        f"lemlist:{r['contactId']}": any(u["read"] is False for u in r["users"]) if r["users"] else None for r in rows
    }
    assert all(row["unread"] == unread[row["id"]] for row in listed)
    # Opened, a row without `contact` gets the lead's address from the activities.
    assert not thread.is_error and DATASET[0]["inbox"]["contact"]["email"] in text_of(thread)


# ------------------------------------------------------------------------------- campaign steps


async def test_earlier_campaign_steps_take_one_line_in_concise_and_are_full_in_detailed():
    dana = conversation("dana.whitfield@acme.com")["inbox"]["contactId"]
    for em in serve():
        async with Client(server(em.url)) as client:
            concise = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{dana}"})
            detailed = await client.call_tool(
                "get_thread", {"conversation_id": f"lemlist:{dana}", "response_format": "detailed"}
            )
    template = "Most RevOps leaders I talk to"  # step 1's text
    follow_up = "Floating this back up"  # step 2's
    lines = text_of(concise).splitlines()
    step_lines = [line for line in lines if re.match(r"#[12] ", line)]
    assert len(step_lines) == 2 and "step 1" in step_lines[0] and "step 2" in step_lines[1]
    assert template not in text_of(concise) and follow_up not in text_of(concise)
    assert template in text_of(detailed) and follow_up in text_of(detailed)
    abridged = [m["abridged"] for m in concise.structured_content["messages"]]
    assert abridged == [True, True, False, False, False]
    assert not any(m["abridged"] for m in detailed.structured_content["messages"])


# ------------------------------------------------------------------------------- documented errors


async def test_the_documented_401_is_one_sentence_naming_the_variable():
    wrong = "lemlist_wrong_7a6b5c4d3e"
    for em in serve():
        async with Client(server(em.url, key=wrong)) as client:
            results = [
                await client.call_tool("list_conversations", {}),
                await client.call_tool("get_thread", {"conversation_id": f"lemlist:{LONG_ID}"}),
            ]
    for result in results:
        text = text_of(result)
        assert result.is_error and text.startswith("lemlist: lemlist rejected the credentials (HTTP 401: ")
        assert "The authentication you supplied is incorrect" in text and text.endswith("check LEMLIST_API_KEY.")
        assert wrong not in text and "\n" not in text


async def test_a_429_without_retry_after_is_waited_out_by_its_reset_date():
    for em in serve(rate_limit=(2, 1.0), retry_after=False):
        async with Client(server(em.url)) as client:
            results = [await client.call_tool("list_conversations", {"limit": 5}) for _ in range(5)]
        assert not any(r.is_error for r in results), [text_of(r) for r in results if r.is_error]
        assert em.app.state.rate_limited >= 1
        assert len(em.requests) == 5 + em.app.state.rate_limited  # each 429 waited out, then retried once


async def test_a_long_429_without_retry_after_says_when_from_the_reset_date():
    for em in serve(rate_limit=(1, 40.0), retry_after=False):
        async with Client(server(em.url)) as client:
            first = await client.call_tool("list_conversations", {"limit": 5})
            second = await client.call_tool("list_conversations", {"limit": 5})
        assert not first.is_error and second.is_error
        wait = re.fullmatch(
            r"lemlist: lemlist is rate limiting requests: try again in (\d+) seconds\.", text_of(second)
        )
        assert wait and 35 <= int(wait.group(1)) <= 41, text_of(second)
