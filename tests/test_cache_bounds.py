"""The page and thread caches are bounded in bytes whatever the providers send: large values
push out the least recently used ones, values over the per-entry cap are not kept (in this
process or in Redis), expired entries go without anyone reading them, and the memory the
process holds follows."""

from __future__ import annotations

import gc
import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import anyio
import pytest
from helpers import FAST, KEY, text_of
from mcp import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from leadinbox_mcp.providers.model import Conversation, Message, Page, Person, Thread
from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.server.shared_state import RedisCache
from leadinbox_mcp.tools.listing.caches import (
    MAX_CACHE_BYTES,
    MAX_ENTRY_BYTES,
    PROCESS_BUDGET,
    ByteBudget,
    LocalCache,
    to_json,
)
from leadinbox_mcp.tools.shared.inbox import Inbox

pytestmark = pytest.mark.anyio
MiB = 2**20
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def page(n: int, size: int) -> Page:
    """A provider page whose JSON is about `size` bytes (one long snippet)."""
    row = Conversation(
        id=f"c{n}",
        provider="sendkit",
        correspondent=Person(email="a@acme.com"),
        last_activity_at=T0,
        snippet="x" * size,
    )
    return Page(conversations=(row,), next_token=f"t{n}")


def thread(n: int, size: int) -> Thread:
    conversation = Conversation(
        id=f"t{n}", provider="sendkit", correspondent=Person(email="a@acme.com"), last_activity_at=T0
    )
    return Thread(conversation=conversation, messages=(Message(direction="inbound", at=T0, text="y" * size),))


async def test_a_cache_holds_at_most_its_bytes_and_keeps_the_most_recently_used():
    budget = ByteBudget(limit=1 * MiB, entry_limit=256 * 1024)
    cache = LocalCache[Page](60, size=1000, budget=budget)
    for n in range(100):
        await cache.put(("k", str(n)), page(n, 100_000))
        assert budget.used <= 1 * MiB
        if n == 50:
            assert await cache.get(("k", "45")) is not None  # read: now the most recently used
    assert budget.used == cache.nbytes > 800_000, "full, not emptied"
    assert cache.entries == 10
    assert (await cache.get(("k", "99"))).conversations[0].id == "c99"
    assert await cache.get(("k", "0")) is None
    assert await cache.get(("k", "45")) is None, "read once, then pushed out by 49 newer puts"


async def test_a_value_over_the_entry_cap_is_not_kept():
    budget = ByteBudget(limit=1 * MiB, entry_limit=256 * 1024)
    cache = LocalCache[Page](60, budget=budget)
    await cache.put(("small",), page(0, 1000))
    await cache.put(("big",), page(1, 300_000))
    assert await cache.get(("big",)) is None
    assert await cache.get(("small",)) is not None and budget.used < 2000
    await cache.put(("small",), page(2, 300_000))  # a key whose new value is too big: the old one goes too
    assert await cache.get(("small",)) is None and budget.used == 0


async def test_pages_and_threads_share_the_process_bound_and_memory_follows():
    """The caches a server makes (Inbox's defaults) share MAX_CACHE_BYTES: filled with 2 MiB
    pages and threads, twice over, they hold at most that, and so does the process."""
    inbox = Inbox(accounts=[])
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(64):
            if n % 2:
                await inbox.thread_cache.put((f"thread{n}",), thread(n, 2 * MiB))
            else:
                await inbox.page_cache.put(("acct", "q", "20", f"tok{n}"), page(n, 2 * MiB))
            assert PROCESS_BUDGET.used <= MAX_CACHE_BYTES
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert inbox.page_cache.nbytes > 10 * MiB and inbox.thread_cache.nbytes > 10 * MiB, "both kinds are kept"
    assert inbox.page_cache.nbytes + inbox.thread_cache.nbytes <= MAX_CACHE_BYTES
    assert held < MAX_CACHE_BYTES + 8 * MiB, f"the process holds {held / MiB:.0f} MiB after 128 MiB went through"
    assert await inbox.page_cache.get(("acct", "q", "20", "tok62")) == page(62, 2 * MiB), "a hit is the value put"


async def test_expired_entries_are_gone_without_being_read():
    budget = ByteBudget(limit=4 * MiB)
    pages = LocalCache[Page](0.05, budget=budget)
    threads = LocalCache[Thread](0.05, budget=budget)
    await pages.put(("a",), page(0, 100_000))
    await threads.put(("b",), thread(0, 100_000))
    assert budget.used > 200_000
    await anyio.sleep(0.3)  # nobody touches either cache meanwhile
    assert budget.used == 0, "the event loop's timer dropped them"


def test_expired_entries_go_on_any_write_of_any_cache_even_when_no_timer_fires():
    """Each put runs in an event loop that closes right after it, so no timer ever fires."""
    budget = ByteBudget(limit=4 * MiB)
    short = LocalCache[Page](0.0, budget=budget)
    other = LocalCache[Page](60, budget=budget)
    anyio.run(short.put, ("a",), page(0, 100_000))
    anyio.run(other.put, ("b",), page(1, 10))
    assert budget.used == len(to_json(page(1, 10))), "writing to another cache dropped the expired entry"


def test_a_collected_cache_gives_its_bytes_back():
    budget = ByteBudget(limit=4 * MiB)
    cache = LocalCache[Page](60, budget=budget)
    anyio.run(cache.put, ("a",), page(0, 100_000))
    del cache
    gc.collect()
    budget.sweep()
    assert budget.used == 0


class FakeShared:
    """SharedState's get / set, recording what was set."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    async def get(self, key: str) -> bytes | None:
        return self.values.get(key)

    async def set(self, key: str, value: bytes | str, ttl: float) -> None:
        self.values[key] = value.encode() if isinstance(value, str) else value


async def test_redis_keeps_no_value_over_the_cap():
    shared = FakeShared()
    cache = RedisCache(shared, "page", Page, 60)  # type: ignore[arg-type]
    await cache.put(("small",), page(0, 1000))
    await cache.put(("big",), page(1, MAX_ENTRY_BYTES))
    assert len(shared.values) == 1
    assert await cache.get(("small",)) == page(0, 1000) and await cache.get(("big",)) is None


async def test_a_walk_over_huge_pages_keeps_the_process_bound():
    """Pages of 6 MiB each, read through the server and kept in its page cache (each call stops
    inside a page, 15 rows of 20, which is what the next call resumes from there): however many,
    the process's caches stay within MAX_CACHE_BYTES."""
    title = "z" * (6 * MiB // 20)  # kept in the page (Person.title), cheap to render

    async def inbox(request: Request) -> Response:
        number = int(request.query_params.get("page", "1"))
        rows = [
            {
                "id": f"p{number:03d}r{i:02d}",
                "lead": {"email": "a@acme.com", "jobTitle": title},
                "repliedAt": (T0 - timedelta(hours=number, minutes=i)).isoformat(),
            }
            for i in range(20)
        ]
        body = {"success": True, "data": rows, "pagination": {"page": number, "pages": 14, "limit": 20, "total": 280}}
        return Response(json.dumps(body), media_type="application/json")

    with LoopbackServer(Starlette(routes=[Route("/v1/inbox", inbox)])) as server:
        accounts = lambda http: [SendKitClient("big", SendKitSettings(api_key=KEY, base_url=server.url), http, "K")]  # noqa: E731
        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            cursor, pages = None, 0
            while pages < 14:
                result = await client.call_tool(
                    "list_conversations", {"limit": 15, **({"cursor": cursor} if cursor else {})}
                )
                assert not result.is_error, text_of(result)
                cursor = result.structured_content["next_cursor"]
                pages += 1
                assert PROCESS_BUDGET.used <= MAX_CACHE_BYTES
    assert PROCESS_BUDGET.used > 30 * MiB, "the pages were cached: the bound is what kept them in check"
