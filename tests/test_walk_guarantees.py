"""What a walk (list_conversations, following next_cursor) guarantees whatever the providers do:
no conversation twice, newest first, nothing lost that could be returned, and every way a
provider can fail to move on ends that account's listing with a sentence instead of looping.

The providers here are small Starlette apps on loopback, speaking SendKit's and SendPilot's list
shapes through the real clients, whose pages change between calls (conversations that get a new
reply move to the top; new conversations arrive), come out of order, repeat ids, cycle, stay
empty, carry unreadable rows, invalid UTF-8 or an error in a 200; and the four emulators with a
row spoiled in flight. Everything goes through `mcp.Client` in memory.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any, TypeVar
from unittest import mock

import anyio
import pytest
from helpers import FAST, KEY, Swappable, swappable_slots, text_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.providers.sendpilot.client import SendPilotClient, SendPilotSettings
from leadinbox_mcp.providers.wire_base import MAX_LIST_ROWS
from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.listing.streams import EMPTY_PAGES, STALE_PAGES

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TIMES = [T0 - timedelta(minutes=13 * i) for i in range(8)]  # few distinct times: ties across pages
LATER = T0 + timedelta(days=1)
"""New replies arrive after the walk started: after every time the data starts with."""


def iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------------------ a SendKit feed


@dataclass
class Feed:
    """One SendKit account's inbox, served as SendKit's list endpoint with page numbers
    (`page`: offsets, so a row moving to the top shifts every page after it) or cursors
    (`cursor`: after the last row's time and id), and hostile options."""

    times: dict[str, datetime]
    mode: str = "page"
    shuffle: Random | None = None
    """Serve the rows of each page in a random order (a new one each time)."""
    duplicate: bool = False
    """Serve each page with one of its rows twice."""
    raw: bytes | None = None
    """Answer every request with these bytes (a 200 of application/json)."""
    spoiled: set[str] = field(default_factory=set)
    """Rows served with a time that cannot be read."""
    undated: set[str] = field(default_factory=set)
    """Rows served without a time (still in their place in the order)."""
    requests: int = 0
    next_minute: int = 0

    def __post_init__(self) -> None:
        self.app = Starlette(routes=[Route("/v1/inbox", self.list)])

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)

    def ordered(self) -> list[str]:
        return sorted(self.times, key=lambda i: (-self.times[i].timestamp(), i))

    def touch(self, conversation_id: str) -> None:
        """A new reply (or a new conversation): its last activity is now, after everything else."""
        self.next_minute += 1
        self.times[conversation_id] = LATER + timedelta(minutes=self.next_minute)

    def row(self, conversation_id: str) -> dict:
        row = {"id": conversation_id, "lead": {"email": f"{conversation_id}@acme.com"}}
        if conversation_id not in self.undated:
            row["repliedAt"] = "not a time" if conversation_id in self.spoiled else iso(self.times[conversation_id])
        return row

    async def list(self, request: Request) -> Response:
        self.requests += 1
        if self.raw is not None:
            return Response(self.raw, media_type="application/json")
        limit = int(request.query_params.get("limit", "20"))
        order = self.ordered()
        if self.mode == "page":
            page = int(request.query_params.get("page", "1"))
            ids = order[(page - 1) * limit : page * limit]
            pagination: dict[str, Any] = {
                "page": page,
                "limit": limit,
                "pages": max(1, math.ceil(len(order) / limit)),
                "total": len(order),
            }
        else:
            start = 0
            if cursor := request.query_params.get("cursor"):
                at, last = cursor.split("_", 1)
                after = (-float(at), last)
                start = next((n for n, i in enumerate(order) if (-self.times[i].timestamp(), i) > after), len(order))
            ids = order[start : start + limit]
            more = start + limit < len(order)
            following = f"{self.times[ids[-1]].timestamp()}_{ids[-1]}" if more else None
            pagination = {"limit": limit, "hasMore": more, "nextCursor": following}
        rows = [self.row(i) for i in ids]
        if self.shuffle is not None:
            self.shuffle.shuffle(rows)
        if self.duplicate and rows:
            rows.insert(len(rows) // 2, rows[0])
        return JSONResponse({"success": True, "data": rows, "pagination": pagination})


@dataclass
class CircleFeed:
    """SendKit pages by cursor whose cursors go round: first page -> A -> B -> A -> ...
    (never the same cursor twice in a row), three rows a page."""

    requests: int = 0
    pages = {None: (0, "A"), "A": (3, "B"), "B": (6, "A")}

    def __post_init__(self) -> None:
        self.app = Starlette(routes=[Route("/v1/inbox", self.list)])

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)

    async def list(self, request: Request) -> Response:
        self.requests += 1
        start, following = self.pages[request.query_params.get("cursor")]
        rows = [{"id": f"k{i:02d}", "repliedAt": iso(T0 - timedelta(minutes=i))} for i in range(start, start + 3)]
        return JSONResponse({"success": True, "data": rows, "pagination": {"hasMore": True, "nextCursor": following}})


@pytest.fixture(scope="module")
def slots() -> Iterator[list[tuple[Swappable, str]]]:
    yield from swappable_slots(2)


def sendkit_accounts(urls: dict[str, str]):
    return lambda http: [
        SendKitClient(name, SendKitSettings(api_key=KEY, base_url=url), http, "SENDKIT_API_KEY")
        for name, url in urls.items()
    ]


def serve(slots, feeds: dict[str, Any]) -> dict[str, str]:
    urls = {}
    for (swap, url), (name, app) in zip(slots, feeds.items(), strict=False):
        swap.app = app
        urls[name] = url
    return urls


@dataclass
class Walk:
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calls: int = 0


async def walk(client, arguments: dict, between: Callable[[int], None] = lambda _: None, most: int = 300) -> Walk:
    """Follow next_cursor to the end; `between(n)` runs after the n-th call (the providers change)."""
    out = Walk()
    cursor = None
    for n in range(most):
        result = await client.call_tool("list_conversations", {**arguments, **({"cursor": cursor} if cursor else {})})
        assert not result.is_error, text_of(result)
        out.calls += 1
        out.rows += result.structured_content["conversations"]
        out.notes += result.structured_content["notes"]
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return out
        between(n)
    raise AssertionError("the walk did not end")


def when(row: dict) -> datetime:
    return datetime.fromisoformat(row["last_activity_at"].replace("Z", "+00:00"))


def no_cache():
    """Pages expire at once: every resumed page is read again from the provider (changed)."""
    return mock.patch("leadinbox_mcp.tools.shared.inbox.PAGE_TTL", 0.0)


# --------------------------------------------------------------------- the property: moving pages


@st.composite
def feeds(draw, count: int) -> dict[str, Feed]:
    out = {}
    for a in range(count):
        n = draw(st.integers(0, 24))
        times = {f"c{a}x{i:03d}": draw(st.sampled_from(TIMES)) for i in range(n)}
        shuffle = Random(draw(st.integers(0, 2**16))) if draw(st.booleans()) else None
        out[f"sk{a}"] = Feed(
            times, mode=draw(st.sampled_from(["page", "cursor"])), shuffle=shuffle, duplicate=draw(st.booleans())
        )
    return out


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    accounts=st.integers(1, 2).flatmap(feeds),
    limit=st.integers(1, 9),
    cached=st.booleans(),
    changes=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2**16)), max_size=40),
)
def test_a_walk_over_pages_that_change_returns_each_conversation_once_newest_first(
    slots, accounts, limit, cached, changes
):
    """Between calls, conversations of every account get new replies (they move to the top:
    every page after their old place shifts by one) and new ones arrive. Whatever the page
    sizes, ties, order within pages, repeated ids and the page cache, the walk returns:
    no id twice; newest first; every conversation that did not change exactly once; a changed
    one at most once, and only as it was when the walk started; no new one (a fresh listing
    shows those, at the top)."""
    urls = serve(slots, accounts)
    at_start = {name: dict(feed.times) for name, feed in accounts.items()}
    changed: dict[str, set[str]] = {name: set() for name in accounts}

    def between(n: int) -> None:
        moves, adds, seed = changes[n % len(changes)] if changes else (0, 0, 0)
        rng = Random(seed)
        for name, feed in accounts.items():
            for _ in range(moves):
                if feed.times:
                    touched = rng.choice(sorted(feed.times))
                    feed.touch(touched)
                    changed[name].add(touched)
            for k in range(adds):
                new = f"n{n:03d}x{k}x{name}"
                feed.touch(new)
                changed[name].add(new)

    async def run() -> tuple[Walk, list[dict]]:
        async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
            done = await walk(client, {"limit": limit}, between)
            fresh = await client.call_tool("list_conversations", {"limit": 100})
        return done, fresh.structured_content["conversations"]

    with nullcontext() if cached else no_cache():
        done, fresh = anyio.run(run)

    ids = [r["id"] for r in done.rows]
    assert len(ids) == len(set(ids)), "no conversation twice"
    stamps = [r["last_activity_at"] for r in done.rows]
    assert stamps == sorted(stamps, reverse=True), "newest first"
    for name in accounts:
        mine = {r["id"].split(":", 1)[1]: r for r in done.rows if r["account"] == name}
        unchanged = {i for i in at_start[name] if i not in changed[name]}
        assert unchanged <= set(mine), f"{name}: lost {sorted(unchanged - set(mine))[:5]}"
        for i, row in mine.items():
            assert i in at_start[name], f"{name}: {i} arrived after the walk started, yet it was returned mid-walk"
            assert when(row) == at_start[name][i], f"{name}: {i} was returned as it is now, not as it was at the start"
    # A fresh listing shows what changed during the walk first: it is newer than everything else.
    everything_changed = {f"{name}:{i}" for name, ids_ in changed.items() for i in ids_}
    first = [r["id"] in everything_changed for r in fresh]
    assert first == sorted(first, reverse=True) and sum(first) == min(len(fresh), len(everything_changed))


def test_new_replies_that_shift_pages_of_one_row_do_not_end_the_walk(slots):
    """Found by the property above: one row a page (limit=1), and a new reply in each account
    after every call. sk0's next row waits while sk1's 19 tied rows go; by then 19 new replies
    have shifted sk0's pages, and the walk read 19 pages of rows newer than it before its own:
    counted as a provider going round in a circle, they ended the account without c0x001."""
    accounts = {
        "sk0": Feed({"c0x000": T0, "c0x001": T0 - timedelta(minutes=13)}),
        "sk1": Feed({f"c1x{i:03d}": T0 for i in range(19)}),
    }
    test_a_walk_over_pages_that_change_returns_each_conversation_once_newest_first.hypothesis.inner_test(  # type: ignore[attr-defined]
        slots, accounts, 1, False, [(0, 1, 0)]
    )


async def test_rows_that_move_to_the_top_between_pages_are_not_repeated(slots):
    """The issue's case, pinned: page numbers, 3 rows a page; after the first page, two rows not
    yet listed and one already listed get new replies. Every later page is shifted; nothing
    comes twice, the moved rows come at most once as they were, and nothing unchanged is lost."""
    feed = Feed({f"r{i:02d}": T0 - timedelta(minutes=i) for i in range(12)})
    urls = serve(slots, {"sk": feed})
    with no_cache():
        async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
            first = await client.call_tool("list_conversations", {"limit": 3})
            assert [r["id"] for r in first.structured_content["conversations"]] == ["sk:r00", "sk:r01", "sk:r02"]
            for moved in ("r01", "r05", "r09"):
                feed.touch(moved)
            rest = await walk(client, {"limit": 3, "cursor": first.structured_content["next_cursor"]})
            fresh = await client.call_tool("list_conversations", {"limit": 3})
    ids = [r["id"] for r in first.structured_content["conversations"] + rest.rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == {f"sk:r{i:02d}" for i in range(12) if i not in (5, 9)}  # r01 came before it moved
    assert [r["id"] for r in fresh.structured_content["conversations"]] == ["sk:r09", "sk:r05", "sk:r01"]


# ------------------------------------------------------------------- providers that do not move on


@pytest.mark.parametrize("limit", [1, 2, 20])
async def test_a_cursor_that_goes_round_in_a_circle_ends_that_account_with_a_note(slots, limit):
    """Cursors A -> B -> A: not the same token twice in a row, a cycle. The account's rows come
    once, its listing ends with a sentence, and the other account is walked to its end."""
    circling = CircleFeed()
    steady = Feed({f"s{i:02d}": T0 - timedelta(minutes=i, seconds=30) for i in range(9)})
    urls = serve(slots, {"circling": circling, "steady": steady})
    with anyio.fail_after(30):
        async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST, deadline=10.0)) as client:
            done = await walk(client, {"limit": limit})
    ids = [r["id"] for r in done.rows]
    assert len(ids) == len(set(ids)), "no conversation twice"
    assert {i for i in ids if i.startswith("circling:")} == {f"circling:k{i:02d}" for i in range(9)}
    assert {i for i in ids if i.startswith("steady:")} == {f"steady:s{i:02d}" for i in range(9)}
    circle = [n for n in done.notes if "goes round in a circle" in n]
    assert circle and circle[0].startswith("circling: SendKit pointed back to a page already read")
    assert circling.requests <= 3 * done.calls, "it stopped asking"


@dataclass
class PilotFeed:
    """SendPilot's list endpoint with continuation tokens, handing out a fresh token forever:
    after the first page, pages are empty (`empty`) or repeat the first page's rows (not)."""

    empty: bool
    requests: int = 0

    async def __call__(self, scope, receive, send) -> None:
        await Starlette(routes=[Route("/v1/inbox/conversations", self.list)])(scope, receive, send)

    async def list(self, request: Request) -> Response:
        self.requests += 1
        token = request.query_params.get("continuationToken")
        rows = [
            {
                "id": f"2-row{i}",
                "accountId": "sender_a",
                "participants": [{"id": f"m{i}", "name": f"Lead {i}"}],
                "lastActivityAt": iso(T0 - timedelta(minutes=i)),
            }
            for i in range(2)
        ]
        if token is not None and self.empty:
            rows = []
        return JSONResponse(
            {
                "conversations": rows,
                "pagination": {"continuationToken": f"t{self.requests}", "hasMore": True, "limit": 20},
            }
        )


@pytest.mark.parametrize(
    ("empty", "bound", "sentence"),
    [
        (True, EMPTY_PAGES, f"SendPilot answered {EMPTY_PAGES} empty pages in a row while saying more follow"),
        (
            False,
            STALE_PAGES,
            f"SendPilot answered {STALE_PAGES} pages in a row holding only conversations already listed",
        ),
    ],
)
async def test_pages_that_bring_nothing_new_under_fresh_cursors_end_after_a_bound(slots, empty, bound, sentence):
    feed = PilotFeed(empty=empty)
    urls = serve(slots, {"pilot": feed})

    def accounts(http):
        return [
            SendPilotClient("pilot", SendPilotSettings(api_key=KEY, base_url=urls["pilot"]), http, "SENDPILOT_API_KEY")
        ]  # noqa: E731

    with anyio.fail_after(30):  # a provider that never ends would otherwise hold the walk for ever
        async with Client(build_server(accounts, requests_per_second=FAST, deadline=10.0)) as client:
            done = await walk(client, {"limit": 5})
    assert [r["id"] for r in done.rows] == ["pilot:sender_a:2-row0", "pilot:sender_a:2-row1"]
    assert done.calls == 1, "one call, which ends the account"
    assert feed.requests == 1 + bound, "the first page, then exactly the bound"
    assert any(
        n.startswith(f"pilot: {sentence}") and n.endswith("older conversations may be missing.") for n in done.notes
    )


@dataclass
class EndlessPilot:
    """SendPilot's list endpoint: page after page of new, older conversations, none named Nobody."""

    tokens: list[str | None] = field(default_factory=list)

    async def __call__(self, scope, receive, send) -> None:
        await Starlette(routes=[Route("/v1/inbox/conversations", self.list)])(scope, receive, send)

    async def list(self, request: Request) -> Response:
        token = request.query_params.get("continuationToken")
        self.tokens.append(token)
        n = int(token[1:]) if token else 0
        rows = [
            {
                "id": f"2-row{n}-{i}",
                "accountId": "sender_a",
                "participants": [{"id": f"m{n}-{i}", "name": f"Lead {n}-{i}"}],
                "lastActivityAt": iso(T0 - timedelta(minutes=2 * n + i)),
            }
            for i in range(2)
        ]
        return JSONResponse({"conversations": rows, "pagination": {"continuationToken": f"t{n + 1}", "hasMore": True}})


async def test_a_scan_held_up_by_the_rate_limit_hands_on_the_pages_it_looked_through(slots):
    """At a low rate a search the tool applies itself reads few pages a call; the call's time
    ends in the rate limiter. What it looked through is kept: the cursor goes on from there, and
    the sentence says what held it."""
    feed = EndlessPilot()
    urls = serve(slots, {"pilot": feed})

    def accounts(http):
        return [
            SendPilotClient("pilot", SendPilotSettings(api_key=KEY, base_url=urls["pilot"]), http, "SENDPILOT_API_KEY")
        ]

    async with Client(build_server(accounts, requests_per_second=4.0, deadline=1.0)) as client:
        first = await client.call_tool("list_conversations", {"query": "Nobody"})
        read = len(feed.tokens)
        cursor = first.structured_content["next_cursor"]
        second = await client.call_tool("list_conversations", {"query": "Nobody", "cursor": cursor})
    assert not first.is_error and first.structured_content["conversations"] == [] and cursor, text_of(first)
    assert any("this server's own rate limit" in note for note in first.structured_content["notes"])
    assert read >= 2 and feed.tokens[read] == f"t{read}", "the second call goes on where the first stopped"
    assert not second.is_error, text_of(second)


# ------------------------------------------------------------------------------- hostile pages


async def test_a_page_out_of_order_with_repeated_ids_is_listed_in_order_once(slots):
    feed = Feed({f"o{i:02d}": T0 - timedelta(minutes=i) for i in range(10)}, shuffle=Random(3), duplicate=True)
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        done = await walk(client, {"limit": 4})
    assert [r["id"] for r in done.rows] == [f"sk:o{i:02d}" for i in range(10)]
    assert any(n.startswith("sk: SendKit sent a page of conversations out of newest-first order") for n in done.notes)


async def test_invalid_utf8_in_a_body_is_replaced_not_fatal(slots):
    feed = Feed({})
    good = (
        b'{"id": "u1", "lead": {"email": "u1@acme.com", "firstName": "Ren\xe9e"}, "repliedAt": "2026-11-01T12:00:00Z"}'
    )
    feed.raw = b'{"success": true, "data": [' + good + b'], "pagination": {"page": 1, "pages": 1}}'
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {})
    assert not result.is_error, text_of(result)
    (row,) = result.structured_content["conversations"]
    assert row["id"] == "sk:u1" and row["correspondent"]["name"] == "Ren\ufffde"


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "error": "Workspace suspended", "message": "Workspace suspended"},
        {"success": False, "data": [], "message": "Workspace suspended"},
        {"error": "Workspace suspended", "code": 403},
        {"error": "Workspace suspended", "data": None},
        # The shapes of other APIs' errors, sent with a 200:
        {"statusCode": 500, "message": "Workspace suspended"},
        {"statusCode": 403, "message": "Workspace suspended", "data": []},
        {"ok": False, "message": "Workspace suspended"},
        {"status": "error", "message": "Workspace suspended"},
        {"message": "Workspace suspended"},
        {"identity": "sales@acme.test", "error": "Workspace suspended"},
    ],
)
async def test_a_200_carrying_an_error_is_an_error_not_an_empty_inbox(slots, body):
    failing = Feed({})
    failing.raw = json.dumps(body).encode()
    healthy = Feed({"h1": T0})
    urls = serve(slots, {"failing": failing, "healthy": healthy})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        alone = await client.call_tool("list_conversations", {"account": "failing"})
        both = await client.call_tool("list_conversations", {})
    assert alone.is_error and "\n" not in text_of(alone)
    assert text_of(alone).startswith(
        'failing: SendKit answered with an error instead of data (HTTP 200: "Workspace suspended")'
    )
    assert [r["id"] for r in both.structured_content["conversations"]] == ["healthy:h1"]
    assert any(
        n.startswith("failing: SendKit answered with an error instead of data")
        for n in both.structured_content["notes"]
    )


async def test_an_error_field_beside_data_is_not_an_error(slots):
    feed = Feed({})
    feed.raw = json.dumps(
        {"error": None, "data": [{"id": "d1", "repliedAt": "2026-11-01T12:00:00Z"}], "pagination": {}}
    ).encode()
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {})
    assert [r["id"] for r in result.structured_content["conversations"]] == ["sk:d1"]


async def test_an_account_failing_past_its_first_page_is_an_error_not_an_empty_page(slots):
    """A walk whose every open account fails on a later page answers an error: an answer of no
    rows with the same cursor would send the agent round in a circle."""
    feed = Feed({f"c{i}": TIMES[i] for i in range(4)})
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        first = await client.call_tool("list_conversations", {"limit": 2})
        feed.raw = json.dumps({"success": False, "message": "Workspace suspended"}).encode()
        cursor = first.structured_content["next_cursor"]
        again = await client.call_tool("list_conversations", {"limit": 2, "cursor": cursor})
    assert [r["id"] for r in first.structured_content["conversations"]] == ["sk:c0", "sk:c1"]
    assert again.is_error and text_of(again).startswith("sk: SendKit answered with an error instead of data"), text_of(
        again
    )


@pytest.mark.parametrize("undated", [{"c2"}, {"c3"}, {"c2", "c3"}, {"c0"}, {"c5"}])
@pytest.mark.parametrize("mode", ["page", "cursor"])
async def test_a_row_without_a_time_keeps_its_place_and_loses_no_row_after_it(slots, undated, mode):
    """Placed last (as the oldest possible), it took the walk past every row still to come."""
    feed = Feed({f"c{i}": TIMES[i] for i in range(6)}, mode=mode, undated=undated)
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        done = await walk(client, {"limit": 2})
    assert [r["id"] for r in done.rows] == [f"sk:c{i}" for i in range(6)], done.notes
    assert all((r["last_activity_at"] is None) == (r["id"][3:] in undated) for r in done.rows)


async def test_a_conversation_listed_again_at_an_older_time_in_a_later_page_comes_once(slots):
    pages = [["a", "b"], ["c", "a"], ["d"]]  # "a" is listed twice: at TIMES[0] and at TIMES[3]

    async def inbox(request: Request) -> Response:
        n = int(request.query_params.get("page", "1"))
        offset = sum(len(p) for p in pages[: n - 1])
        rows = [{"id": i, "repliedAt": iso(TIMES[offset + k])} for k, i in enumerate(pages[n - 1])]
        return JSONResponse({"success": True, "data": rows, "pagination": {"page": n, "pages": len(pages)}})

    urls = serve(slots, {"sk": Starlette(routes=[Route("/v1/inbox", inbox)])})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {"limit": 10})
    assert [r["id"] for r in result.structured_content["conversations"]] == ["sk:a", "sk:b", "sk:c", "sk:d"]


async def test_a_page_of_one_unreadable_row_is_passed_with_a_note(slots):
    feed = Feed({f"c{i}": TIMES[i] for i in range(3)}, spoiled={"c1"})
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        done = await walk(client, {"limit": 1})
    assert [r["id"] for r in done.rows] == ["sk:c0", "sk:c2"]
    assert any("sent 1 conversation this server cannot read" in note for note in done.notes), done.notes


@pytest.mark.parametrize(
    "body",
    [
        {"message": "No conversations yet", "data": [], "pagination": {}},
        {"success": True, "status": "ok", "code": 200, "data": [], "pagination": {}},
    ],
)
async def test_an_empty_page_with_a_message_is_an_empty_page(slots, body):
    feed = Feed({})
    feed.raw = json.dumps(body).encode()
    urls = serve(slots, {"sk": feed})
    async with Client(build_server(sendkit_accounts(urls), requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {})
    assert not result.is_error and result.structured_content["conversations"] == [], text_of(result)


# ------------------------------------------------------ one unreadable row, on every provider


LISTS = {
    # provider: (is this the list endpoint?, the rows' key, the listed id of a row, how to spoil a row)
    "sendkit": (lambda p: p == "/v1/inbox", "data", lambda r: r["id"], lambda r: r.update(repliedAt="not a time")),
    "sendpilot": (
        lambda p: p == "/v1/inbox/conversations",
        "conversations",
        lambda r: f"{r['accountId']}:{r['id']}",
        lambda r: r.update(lastActivityAt="not a time"),
    ),
    "lemlist": (
        lambda p: p == "/api/inbox",
        "data",
        lambda r: r.get("contactId"),
        lambda r: r.update(lastActivityAt="not a time"),
    ),
    "inboxbase": (
        lambda p: p.startswith("/v1/identities/") and p.endswith("/conversations"),
        "conversations",
        lambda r: r["id"],
        lambda r: r.update(messageCount="many"),
    ),
}


class ListRewriter:
    """In front of an emulator: its list answers pass through `rewrite(rows)` while `on`."""

    def __init__(self, provider: str, app) -> None:
        self.provider, self.app = provider, app
        self.on = False

    def rewrite(self, rows: list[dict]) -> list[dict]:
        raise NotImplementedError

    async def __call__(self, scope, receive, send) -> None:
        is_list, key, _, _ = LISTS[self.provider]
        if not self.on or scope["type"] != "http" or not is_list(scope["path"]):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def keep(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        body = json.loads(b"".join(chunks))
        body[key] = self.rewrite(body.get(key) or [])
        raw = json.dumps(body).encode()
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"] + [
            (b"content-length", str(len(raw)).encode())
        ]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": raw})


class SpoilOneRow(ListRewriter):
    """The second row of the first list answer (and that row wherever it comes again) gets a
    value its wire model refuses."""

    def __init__(self, provider: str, app) -> None:
        super().__init__(provider, app)
        self.spoiled: set[str] = set()

    def rewrite(self, rows: list[dict]) -> list[dict]:
        _, _, id_of, spoil = LISTS[self.provider]
        if not self.spoiled and len(rows) > 1:
            self.spoiled.add(id_of(rows[1]))
        for row in rows:
            if id_of(row) in self.spoiled:
                spoil(row)
        return rows


class FarMoreThanAsked(ListRewriter):
    """The next list answer comes with `total` rows whatever `limit` asked: its own, copies of
    its last row up to MAX_LIST_ROWS (one conversation, which a walk lists once), then rows its
    wire model refuses."""

    total = MAX_LIST_ROWS + 200

    def rewrite(self, rows: list[dict]) -> list[dict]:
        self.on = False
        spoil = LISTS[self.provider][3]
        past_the_bound = [copy.deepcopy(rows[-1]) for _ in range(self.total - MAX_LIST_ROWS)]
        for row in past_the_bound:
            spoil(row)
        return rows + [rows[-1]] * (MAX_LIST_ROWS - len(rows)) + past_the_bound


R = TypeVar("R", bound=ListRewriter)


@asynccontextmanager
async def rewritten(kind: type[R]) -> AsyncIterator[tuple[Client, dict[str, R], list[str]]]:
    """A client of the sandbox with `kind` in front of each emulator, the rewriters by provider,
    and the accounts' names."""
    rewriters: dict[str, R] = {}

    def wrap(provider: str, app):
        rewriters[provider] = kind(provider, app)
        return rewriters[provider]

    with sandbox(wrap=wrap) as accounts:
        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            listed = (await client.call_tool("list_accounts", {})).structured_content["accounts"]
            yield client, rewriters, [a["name"] for a in listed]


async def test_one_unreadable_row_is_left_out_with_a_note_and_the_rest_is_listed():
    async with rewritten(SpoilOneRow) as (client, spoilers, names):
        for name in names:
            provider = next(p for p in LISTS if name.startswith(p))
            spoilers[provider].on = False
            clean = await walk(client, {"account": name, "limit": 100})
            spoilers[provider].on = True
            spoiled = await walk(client, {"account": name, "limit": 100})
            spoilers[provider].on = False
            (bad,) = spoilers[provider].spoiled
            expected = [r["id"] for r in clean.rows if r["id"] != f"{name}:{bad}"]
            assert len(expected) == len(clean.rows) - 1, f"{name}: the spoiled row was listed when clean"
            assert [r["id"] for r in spoiled.rows] == expected, name
            assert any(n.startswith(f"{name}: ") and "cannot read" in n and "left out" in n for n in spoiled.notes), (
                spoiled.notes
            )
            # Said once: the row had an id, so no note says it came without one.
            assert not [n for n in spoiled.notes if "without a usable" in n], spoiled.notes
            spoilers[provider].spoiled.clear()


async def test_a_page_far_longer_than_asked_is_read_up_to_the_bound_with_a_note():
    """A provider answering 1,200 rows where 100 at most were asked: the first 1,000 are read (a
    quarter of a million would hold the server for seconds), the rest never are (unreadable here,
    they would each be noted), and the listing says so."""
    async with rewritten(FarMoreThanAsked) as (client, inflaters, names):
        for name in names:
            provider = next(p for p in LISTS if name.startswith(p))
            clean = await walk(client, {"account": name, "limit": 100})
            inflaters[provider].on = True
            inflated = await walk(client, {"account": name, "limit": 100})
            assert not inflaters[provider].on, f"{name}: the list was not asked"
            assert [r["id"] for r in inflated.rows] == [r["id"] for r in clean.rows], name
            label = {"sendkit": "SendKit", "sendpilot": "SendPilot", "lemlist": "lemlist", "inboxbase": "InboxBase"}
            # Said (by every call that lists rows of that page), and nothing else that the clean walk did not say.
            assert set(inflated.notes) == set(clean.notes) | {
                f"{name}: {label[provider]} sent 1,200 conversations in one page, far more than asked for; only the "
                "first 1,000 are read, so older conversations may be missing."
            }, inflated.notes
