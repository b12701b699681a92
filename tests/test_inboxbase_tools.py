"""The InboxBase client against its emulator on loopback (paging through ties, filters, errors,
threads), and the tools through a real MCP client (in memory) with two identity accounts."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import Served, serving, text_of, wrong_key_texts
from helpers import walk as walk_tool
from mcp import Client
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from leadinbox_mcp.providers.errors import AuthError, BadRequestError, NotFoundError, RateLimitedError, UpstreamError
from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.inboxbase.client import InboxBaseClient, InboxBaseSettings, accounts
from leadinbox_mcp.providers.model import Query
from leadinbox_mcp.sandbox import inboxbase as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 20, tzinfo=UTC)
KEY = "sk_test_inboxbase_5e1f9a3c"
ALICE, BOB = emulator.SANDBOX_IDENTITIES
ALICE_ACCOUNT, BOB_ACCOUNT = "inboxbase-alice.pipewise", "inboxbase-bob.pipewise"
SIZES = [1, 2, 3, 5, 7, 50]


@pytest.fixture(scope="module")
def inboxbase() -> Iterator[Served]:
    """The InboxBase emulator on loopback: the sandbox data set on a fixed clock."""
    yield from serving(emulator.create_app(api_key=KEY, now=NOW))


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict[str, Any]]]:
    return emulator.build_conversations(now=NOW)


def settings(url: str, key: str = KEY, identity: str = ",".join(emulator.SANDBOX_IDENTITIES)) -> InboxBaseSettings:
    return InboxBaseSettings(api_key=key, identity=identity, base_url=url)


def server(url: str, key: str = KEY) -> InboxServer:
    return build_server(accounts(settings(url, key)))


@asynccontextmanager
async def clients(
    url: str, key: str = KEY, identity: str = ",".join(emulator.SANDBOX_IDENTITIES)
) -> AsyncIterator[list[InboxBaseClient]]:
    http = HttpClient()
    try:
        yield accounts(settings(url, key, identity))(http)
    finally:
        await http.aclose()


async def walk(account: InboxBaseClient, size: int, query: Query = Query(), **filters: Any) -> list[list[Any]]:
    """Every page of a listing, following the client's own tokens."""
    pages = []
    token = None
    for _ in range(500):
        page = await account.list_page(query, token, size, **filters)
        pages.append(list(page.conversations))
        token = page.next_token
        if token is None:
            return pages
    raise AssertionError("the token never ended")


def expected_ids(data, handle: str, keep=lambda row: True) -> list[str]:
    return [r["id"] for r in emulator.rows_of(data[handle]) if keep(r)]


def listed_requests(served: Served, since: int) -> list[dict[str, str]]:
    return [q for method, path, q in served.requests[since:] if path.endswith("/conversations")]


# ------------------------------------------------------------------------------- client: paging


@pytest.mark.parametrize("size", SIZES)
async def test_every_page_size_returns_every_row_exactly_once_in_order(inboxbase, data, size):
    before = len(inboxbase.requests)
    async with clients(inboxbase.url) as (alice, bob):
        for account in (alice, bob):
            pages = await walk(account, size)
            ids = [c.id for page in pages for c in page]
            assert ids == expected_ids(data, account.handle)
            assert all(len(page) == size for page in pages[:-1]) and 0 < len(pages[-1]) <= size
            stamps = [c.last_activity_at for page in pages for c in page]
            assert stamps == sorted(stamps, reverse=True)
            straddling = [
                i for i in range(1, len(pages)) if pages[i - 1][-1].last_activity_at == pages[i][0].last_activity_at
            ]
            if size in (1, 2, 3, 5, 7):
                assert straddling, "the data set puts ties across this page size's boundaries"
    sent = listed_requests(inboxbase, before)
    assert not any("cursor" in q for q in sent), "the lossy documented cursor is never used"
    assert all(int(q["limit"]) <= 200 for q in sent)


@pytest.mark.parametrize("size", [2, 3, 7])
async def test_filtered_walks_are_exact_too(inboxbase, data, size):
    async with clients(inboxbase.url) as (alice, bob):
        for account in (alice, bob):
            active = [c.id for page in await walk(account, size, archived=False) for c in page]
            assert active == expected_ids(data, account.handle, lambda r: not r["archived"])
            acme = [c.id for page in await walk(account, size, Query(domain="acme.com")) for c in page]
            assert acme == expected_ids(data, account.handle, lambda r: re.search(r"@(.+\.)?acme\.com$", r["with"]))


async def test_the_same_token_gives_the_same_page(inboxbase):
    async with clients(inboxbase.url) as (alice, _):
        first = await alice.list_page(Query(), None, 3)
        again = await alice.list_page(Query(), first.next_token, 50)  # the size travels with the token
        once_more = await alice.list_page(Query(), first.next_token, 3)
    assert again == once_more and len(again.conversations) == 3
    assert not {c.id for c in first.conversations} & {c.id for c in again.conversations}


def tied_dataset(handle: str, tied: int, newer: int = 2, older: tuple[int, ...] = (1, 1, 5)) -> list[dict[str, Any]]:
    t = 1_790_000_000_000
    stamps = [t + 1000 * (newer - i) for i in range(newer)] + [t] * tied + [t - d for d in older]
    return [
        {
            "id": f"conv_{i:016x}",
            "with": f"p{i}@example.com",
            "subject": f"s{i}",
            "messageCount": 0,
            "archived": False,
            "labels": [],
            "lastEventAt": ts,
            "events": [],
        }
        for i, ts in enumerate(stamps)
    ]


@pytest.mark.parametrize(("tied", "size"), [(30, 7), (30, 1), (199, 50), (200, 7)])
async def test_runs_of_ties_longer_than_a_page(tied, size):
    handle = "ties@inboxbase.ai"
    conversations = tied_dataset(handle, tied)
    app = emulator.create_app(api_key=KEY, identities=(handle,), conversations={handle: conversations})
    with LoopbackServer(app) as served:
        async with clients(served.url, identity=handle) as (account,):
            ids = [c.id for page in await walk(account, size) for c in page]
    assert ids == [r["id"] for r in emulator.rows_of(conversations)]
    limits = [int(q["limit"]) for _, _, q in app.state.requests]
    assert max(limits) > size and max(limits) <= 200, "the request grows to get past the ties"


async def test_beyond_200_ties_the_rest_of_that_millisecond_is_skipped_never_repeated(caplog):
    handle = "ties@inboxbase.ai"
    conversations = tied_dataset(handle, 230)
    rows = emulator.rows_of(conversations)
    app = emulator.create_app(api_key=KEY, identities=(handle,), conversations={handle: conversations})
    with caplog.at_level(logging.WARNING), LoopbackServer(app) as served:
        async with clients(served.url, identity=handle) as (account,):
            ids = [c.id for page in await walk(account, 50) for c in page]
    assert len(ids) == len(set(ids)) == len(rows) - 30
    assert ids[:2] == [r["id"] for r in rows[:2]] and ids[-3:] == [r["id"] for r in rows[-3:]]
    assert "share lastEventAt" in caplog.text and KEY not in caplog.text


# ------------------------------------------------------------------------------- client: filters


async def test_filters_are_pushed_down(inboxbase, data):
    rows = emulator.rows_of(data[ALICE])
    t = next(r["lastEventAt"] for r in rows if sum(x["lastEventAt"] == r["lastEventAt"] for x in rows) >= 3)
    at = datetime.fromtimestamp(t / 1000, UTC)
    async with clients(inboxbase.url) as (alice, _):

        async def ids_and_requests(size: int, query: Query = Query(), **filters: Any):
            before = len(inboxbase.requests)
            ids = [c.id for page in await walk(alice, size, query, **filters) for c in page]
            return ids, listed_requests(inboxbase, before)

        since, since_sent = await ids_and_requests(2, since=at)
        since_q, since_q_sent = await ids_and_requests(2, Query(since=at))
        since_ms, _ = await ids_and_requests(2, since=t)
        until, until_sent = await ids_and_requests(2, until=t)
        archived, archived_sent = await ids_and_requests(50, archived=True)
        active, active_sent = await ids_and_requests(50, archived=False)
        person, person_sent = await ids_and_requests(50, correspondent=rows[4]["with"].upper())
    assert since == since_q == since_ms == [r["id"] for r in rows if r["lastEventAt"] >= t]
    assert all(q["since"] == str(t) for q in since_sent + since_q_sent)
    assert until == [r["id"] for r in rows if r["lastEventAt"] <= t]
    assert until_sent[0]["until"] == str(t) and all(int(q["until"]) <= t for q in until_sent)
    assert archived == [r["id"] for r in rows if r["archived"]] and archived
    assert active == [r["id"] for r in rows if not r["archived"]] and active
    assert [q["archived"] for q in archived_sent + active_sent] == ["true", "false"]
    assert person == [rows[4]["id"]] and person_sent[0]["with"] == rows[4]["with"].upper()


# ------------------------------------------------------------------------------- client: threads


async def test_threads_map_messages_and_events(inboxbase, data):
    async with clients(inboxbase.url) as (alice, _):
        threads = [await alice.get_thread(c["id"]) for c in data[ALICE]]
        await alice.check()
    kinds: set[str] = set()
    for raw, thread in zip(data[ALICE], threads, strict=True):
        c = thread.conversation
        assert c.id == raw["id"] and c.unread is None and c.tags == tuple(raw["labels"])
        assert c.status == ("archived" if raw["archived"] else "active")
        assert c.correspondent.email == raw["with"] and c.message_count == raw["messageCount"] == len(thread.messages)
        assert c.last_activity_at == datetime.fromtimestamp(raw["lastEventAt"] / 1000, UTC)
        stamps = [m.at for m in thread.messages]
        assert stamps == sorted(stamps), "messages oldest first"
        assert [e.at for e in thread.events] == sorted(e.at for e in thread.events)
        assert len(thread.events) == sum(e["type"] != "message" for e in raw["events"])
        assert thread.messages[0].direction == "outbound"
        kinds |= {e.kind for e in thread.events}
        for e in thread.events:
            if e.kind.startswith("label_"):
                assert e.detail
            if e.kind == "no_reply_expired":
                assert e.detail.startswith("no reply after ")
    assert kinds == {"label_added", "label_removed", "archived", "unarchived", "no_reply_expired"}
    messages = [m for t in threads for m in t.messages]
    assert any(m.attachments and m.attachments[0].filename.endswith(".xlsx") for m in messages)
    assert any(m.sender and (m.sender.email or "").startswith("mailer-daemon@") for m in messages)
    assert any(m.html is None for m in messages) and any(m.text is None for m in messages)
    assert any(t.conversation.correspondent.name for t in threads)


# ------------------------------------------------------------------------------- client: errors


async def test_errors_are_sentences_that_name_what_to_check(inboxbase, data):
    wrong = "sk_live_wrong_4c1d"
    async with clients(inboxbase.url, key=wrong) as (alice, _):
        with pytest.raises(AuthError) as raised:
            await alice.list_page(Query(), None, 5)
    assert "INBOXBASE_API_KEY" in str(raised.value) and "401" in str(raised.value) and wrong not in str(raised.value)

    async with clients(inboxbase.url, identity="mallory@inboxbase.ai") as (mallory,):
        with pytest.raises(NotFoundError) as raised:
            await mallory.list_page(Query(), None, 5)
    assert "INBOXBASE_IDENTITY" in str(raised.value) and "mallory@inboxbase.ai" in str(raised.value)

    async with clients(inboxbase.url) as (alice, _):
        with pytest.raises(NotFoundError) as raised:
            await alice.get_thread(data[BOB][0]["id"])
        assert "another identity" in str(raised.value) and "list conversations" in str(raised.value)
        with pytest.raises(ValueError):
            await alice.list_page(Query(), "20:page:2", 5)

    for status, error in ((409, BadRequestError), (429, RateLimitedError), (500, UpstreamError)):
        app = emulator.create_app(api_key=KEY, now=NOW, failures={ALICE: status})
        with LoopbackServer(app) as served:
            async with clients(served.url) as (alice, bob):
                with pytest.raises(error) as raised:
                    await alice.list_page(Query(), None, 5)
                assert (await bob.list_page(Query(), None, 1)).conversations
        sentence = str(raised.value)
        assert sentence.startswith(f"{ALICE_ACCOUNT}: InboxBase") and KEY not in sentence
        assert ("try again in 3600 seconds" if status == 429 else f"HTTP {status}") in sentence


async def test_unreadable_answers_are_upstream_errors():
    app = Starlette(
        routes=[
            Route("/v1/identities/{handle}/conversations", lambda r: JSONResponse({"conversations": "nope"})),
            Route("/v1/identities/{handle}/conversations/{conv}", lambda r: JSONResponse({"identity": "x"})),
        ]
    )
    with LoopbackServer(app) as served:
        async with clients(served.url, identity=ALICE) as (alice,):
            with pytest.raises(UpstreamError, match="cannot read"):
                await alice.list_page(Query(), None, 5)
            with pytest.raises(UpstreamError, match="at conversation"):
                await alice.get_thread("conv_1")


# ------------------------------------------------------------------------------- tools


async def test_two_identities_are_two_accounts(inboxbase):
    async with Client(server(inboxbase.url)) as client:
        result = await client.call_tool("list_accounts", {})
    names = [a["name"] for a in result.structured_content["accounts"]]
    assert names == [ALICE_ACCOUNT, BOB_ACCOUNT]
    assert all(a["provider"] == "inboxbase" for a in result.structured_content["accounts"])
    assert "by the provider" in text_of(result)


@pytest.mark.parametrize("limit", [1, 3, 7, 20])
async def test_list_conversations_over_one_account_pages_to_the_end_exactly_once(inboxbase, data, limit):
    async with Client(server(inboxbase.url)) as client:
        rows, texts = await walk_tool(client, "list_conversations", {"account": ALICE_ACCOUNT, "limit": limit})
    assert [r["id"] for r in rows] == [f"{ALICE_ACCOUNT}:{i}" for i in expected_ids(data, ALICE)]
    assert "That is all" in texts[-1]


async def test_merged_listing_of_both_identities(inboxbase, data):
    async with Client(server(inboxbase.url)) as client:
        rows, _ = await walk_tool(client, "list_conversations", {"limit": 9})
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 40
    assert set(ids) == {f"{ALICE_ACCOUNT}:{i}" for i in expected_ids(data, ALICE)} | {
        f"{BOB_ACCOUNT}:{i}" for i in expected_ids(data, BOB)
    }
    stamps = [r["last_activity_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)


async def test_read_state_is_shown_as_unknown(inboxbase):
    async with Client(server(inboxbase.url)) as client:
        result = await client.call_tool("list_conversations", {"account": ALICE_ACCOUNT, "limit": 20})
        detailed = await client.call_tool(
            "list_conversations", {"account": ALICE_ACCOUNT, "limit": 20, "response_format": "detailed"}
        )
    rows = result.structured_content["conversations"]
    assert len(rows) == 20 and all(r["unread"] is None for r in rows)
    for text in (text_of(result), text_of(detailed)):
        lines = [line for line in text.splitlines() if line.startswith(f"- {ALICE_ACCOUNT}:")]
        assert len(lines) == 20 and all("read state unknown" in line for line in lines)
        assert "unread" not in text.lower() and "False" not in text


async def test_since_is_pushed_down(inboxbase, data):
    async with Client(server(inboxbase.url)) as client:
        before = len(inboxbase.requests)
        rows, _ = await walk_tool(client, "list_conversations", {"account": ALICE_ACCOUNT, "since": "2026-11-18"})
        sent = listed_requests(inboxbase, before)
    t = int(datetime(2026, 11, 18, tzinfo=UTC).timestamp() * 1000)
    assert sent and all(q.get("since") == str(t) for q in sent)
    assert [r["id"] for r in rows] == [
        f"{ALICE_ACCOUNT}:{i}" for i in expected_ids(data, ALICE, lambda r: r["lastEventAt"] >= t)
    ]


async def test_get_thread_reads_oldest_first(inboxbase, data):
    raw = next(c for c in data[ALICE] if c["messageCount"] >= 4)
    async with Client(server(inboxbase.url)) as client:
        result = await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{raw['id']}"})
    assert not result.is_error, text_of(result)
    text = text_of(result)
    messages = result.structured_content["messages"]
    assert [m["number"] for m in messages] == list(range(1, raw["messageCount"] + 1))
    stamps = [m["at"] for m in messages]
    assert stamps == sorted(stamps)
    assert messages[0]["direction"] == "outbound" and any(m["direction"] == "inbound" for m in messages)
    assert raw["with"] in text and "read state unknown" in text
    assert result.structured_content["conversation"]["unread"] is None
    assert not re.search(r"<(p|div|br|blockquote)\b", text, re.I)
    assert "gmail_quote" not in text and "divRplyFwdMsg" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith(">")]

    async with clients(inboxbase.url) as (alice, _):
        thread = await alice.get_thread(raw["id"])
    assert thread.events and [e.kind for e in thread.events] == [
        e["type"] for e in raw["events"] if e["type"] != "message"
    ]


async def test_search_by_domain_is_pushed_down_as_with_domain(inboxbase, data):
    async with Client(server(inboxbase.url)) as client:
        before = len(inboxbase.requests)
        rows, texts = await walk_tool(
            client, "search_by_domain", {"domain": "acme.com", "account": ALICE_ACCOUNT, "limit": 3}
        )
        sent = listed_requests(inboxbase, before)
    assert sent and all(q.get("withDomain") == "acme.com" for q in sent)
    assert all(
        path.startswith("/v1/identities/alice.pipewise%40inboxbase.ai/") for _, path, _ in inboxbase.requests[before:]
    )
    emails = [r["correspondent"]["email"] for r in rows]
    assert any(e.endswith("@us.acme.com") for e in emails)
    assert not any(e.endswith("notacme.com") for e in emails)
    assert any(c["with"].endswith("@notacme.com") for c in data[ALICE]), "the trap exists"
    assert [r["id"] for r in rows] == [
        f"{ALICE_ACCOUNT}:{i}" for i in expected_ids(data, ALICE, lambda r: re.search(r"@(.+\.)?acme\.com$", r["with"]))
    ]
    assert len(sent) <= 4, "the provider filters: no scan of the whole inbox"


async def test_wrong_key_is_a_clean_error_without_the_key(inboxbase):
    wrong = "sk_live_wrong_9f8e7d6c"
    conversation_id = f"{ALICE_ACCOUNT}:conv_0123456789abcdef"
    for text in await wrong_key_texts(server(inboxbase.url, key=wrong), "INBOXBASE_API_KEY", conversation_id):
        assert wrong not in text and "Traceback" not in text


async def test_a_conversation_of_the_other_identity_is_a_clean_error(inboxbase, data):
    bobs = data[BOB][0]["id"]
    async with Client(server(inboxbase.url)) as client:
        wrong = await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{bobs}"})
        right = await client.call_tool("get_thread", {"conversation_id": f"{BOB_ACCOUNT}:{bobs}"})
        bad = await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:../../etc/passwd"})
    text = text_of(wrong)
    assert wrong.is_error and "another identity" in text and "INBOXBASE_IDENTITY" in text
    assert "\n" not in text and "Traceback" not in text and len(text) < 400
    assert not right.is_error, text_of(right)
    assert bad.is_error and "conversation id" in text_of(bad) and "etc/passwd" in text_of(bad)
