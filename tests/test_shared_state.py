"""Shared state through a real Redis (REDIS_URL): replicas share lemlist's rate limit, provider
pages and threads. The module starts its own `redis-server` on loopback (a free port, no
persistence) and stops it at the end; CI installs it with `apt-get install -y redis-server`."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import anyio
import pytest
from helpers import NOW, Stamped
from mcp import Client
from processes import refused_port

from leadinbox_mcp.providers.errors import ConfigError, ProviderError
from leadinbox_mcp.providers.http import HttpClient, RateLimit
from leadinbox_mcp.providers.lemlist.client import LemlistClient, LemlistSettings
from leadinbox_mcp.providers.model import Page
from leadinbox_mcp.sandbox import lemlist as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server
from leadinbox_mcp.server.cli import main
from leadinbox_mcp.server.settings import ServerSettings
from leadinbox_mcp.server.shared_state import RedisCache, SharedState, SharedStateUnavailable
from leadinbox_mcp.tools.shared.inbox import Budgets

redis = pytest.importorskip("redis", reason="the redis package (extra `redis` or `test`) is not installed")

pytestmark = pytest.mark.anyio

KEY = "lemlist_test_shared_5e1c9a"
LONG_THREAD = "lemlist:ctc_8HZgwnJsQo8fstcnS"  # 7 messages: with a small budget, get_thread pages
SMALL = Budgets(thread_tokens=250)


@pytest.fixture
def fresh_redis(redis_url: str) -> Iterator[str]:
    with redis.Redis.from_url(redis_url) as r:
        r.flushall()
    yield redis_url
    with redis.Redis.from_url(redis_url) as r:  # nothing stored may name the API key
        keys = [k.decode() for k in r.keys("*")]
    basic = base64.b64encode(f":{KEY}".encode()).decode()
    assert all(k.startswith("leadinbox-mcp:") and KEY not in k and basic not in k for k in keys), keys


class Lemlist:
    def __init__(self) -> None:
        self.app = emulator.create_app(api_key=KEY, now=NOW)  # 20 requests per 2 s, per key
        self.stamped = Stamped(self.app)
        self.server = LoopbackServer(self.stamped).start()
        self.url = self.server.url

    @property
    def requests(self) -> int:
        return len(self.app.state.requests)

    @property
    def rate_limited(self) -> int:
        return self.app.state.rate_limited

    def busiest(self, seconds: float = 2.0) -> int:
        """The most requests that arrived within any `seconds`-long window."""
        times = sorted(self.stamped.times)
        best = start = 0
        for end, t in enumerate(times):
            while times[start] <= t - seconds:
                start += 1
            best = max(best, end - start + 1)
        return best


@pytest.fixture
def lemlist() -> Iterator[Lemlist]:
    em = Lemlist()
    yield em
    em.server.stop()


def client_of(http: HttpClient, url: str) -> LemlistClient:
    return LemlistClient("lemlist", LemlistSettings(api_key=KEY, base_url=url), http, "LEMLIST_API_KEY")


def replica(url: str, redis_url: str | None, budgets: Budgets | None = None) -> InboxServer:
    """One server process of a deployment, as `serve --workers N` runs several."""
    settings = LemlistSettings(api_key=KEY, base_url=url)
    factory = lambda http: [LemlistClient("lemlist", settings, http, "LEMLIST_API_KEY")]  # noqa: E731
    return build_server(factory, budgets, redis_url=redis_url)


async def burst(url: str, shared: list[SharedState | None], each: int = 30) -> int:
    """Every replica fires `each` concurrent requests at once; returns how many failed."""
    https = [HttpClient(windows=s.window if s else None) for s in shared]
    failed = 0

    async def one(client: LemlistClient) -> None:
        nonlocal failed
        try:
            await client.check()
        except ProviderError:
            failed += 1

    try:
        async with anyio.create_task_group() as group:
            for http in https:
                client = client_of(http, url)
                for _ in range(each):
                    group.start_soon(one, client)
    finally:
        for http in https:
            await http.aclose()
    return failed


# -- (1) the distributed limiter ------------------------------------------------------------


async def test_two_replicas_sharing_redis_stay_within_lemlists_limit(lemlist: Lemlist, fresh_redis: str) -> None:
    a, b = await SharedState.connect(fresh_redis), await SharedState.connect(fresh_redis)
    try:
        started = time.monotonic()
        failed = await burst(lemlist.url, [a, b])
        took = time.monotonic() - started
    finally:
        await a.aclose()
        await b.aclose()
    print(
        f"\nwith Redis: 60 requests in {took:.1f} s, at most {lemlist.busiest()} in any 2 s, "
        f"{lemlist.rate_limited} refused (429)"
    )
    assert failed == 0
    assert lemlist.requests == 60  # no retries were needed
    assert lemlist.rate_limited == 0
    assert lemlist.busiest() <= 20


async def test_control_two_replicas_without_redis_exceed_it(lemlist: Lemlist) -> None:
    """Proves the test above can fail: two in-process limiters send 40 at once."""
    failed = await burst(lemlist.url, [None, None])
    print(
        f"\nwithout Redis: at most {lemlist.busiest()} requests in any 2 s, {lemlist.rate_limited} refused (429), "
        f"{failed} failed"
    )
    assert lemlist.busiest() > 20
    assert lemlist.rate_limited > 0


async def test_shared_window_waits_like_the_in_process_one(fresh_redis: str) -> None:
    shared = await SharedState.connect(fresh_redis)
    try:
        window = shared.window("test:0123456789abcdef", RateLimit(3, 0.5))
        started = anyio.current_time()
        for _ in range(3):
            await window.acquire()
        assert anyio.current_time() - started < 0.25  # within the limit: no wait
        await window.acquire()
        assert 0.4 <= anyio.current_time() - started < 1.0  # the 4th waits for the 1st to leave
        ttl = await shared.redis.pttl("leadinbox-mcp:rate:test:0123456789abcdef")
        assert 0 < ttl <= 500  # an idle bucket disappears
    finally:
        await shared.aclose()


# -- (2) provider pages across replicas -----------------------------------------------------


async def test_a_cursor_from_one_replica_resumes_on_another_from_redis(lemlist: Lemlist, fresh_redis: str) -> None:
    # unread_only is applied by the tool for lemlist: the listing reads one big page and stops
    # in its middle, so the cursor's next call starts in a page already read.
    arguments = {"unread_only": True, "limit": 2}
    async with Client(replica(lemlist.url, fresh_redis)) as a:
        first = await a.call_tool("list_conversations", arguments)
    cursor = first.structured_content["next_cursor"]
    assert cursor and lemlist.requests == 1

    async with Client(replica(lemlist.url, fresh_redis)) as b:
        second = await b.call_tool("list_conversations", {**arguments, "cursor": cursor})
    assert not second.is_error
    assert lemlist.requests == 1  # replica B read the page from Redis

    async with Client(replica(lemlist.url, None)) as alone:  # control: no shared cache
        control = await alone.call_tool("list_conversations", {**arguments, "cursor": cursor})
    assert lemlist.requests == 2
    assert second.structured_content == control.structured_content
    seen = {c["id"] for c in first.structured_content["conversations"]}
    assert seen.isdisjoint(c["id"] for c in second.structured_content["conversations"])


async def test_a_fresh_listing_never_reads_the_cache(lemlist: Lemlist, fresh_redis: str) -> None:
    async with Client(replica(lemlist.url, fresh_redis)) as a, Client(replica(lemlist.url, fresh_redis)) as b:
        await a.call_tool("list_conversations", {"limit": 3})
        await b.call_tool("list_conversations", {"limit": 3})
    assert lemlist.requests == 2


# -- (3) threads across replicas ------------------------------------------------------------


async def test_get_thread_cursor_reads_the_thread_from_redis_on_another_replica(
    lemlist: Lemlist, fresh_redis: str
) -> None:
    async with Client(replica(lemlist.url, fresh_redis, SMALL)) as a:
        first = await a.call_tool("get_thread", {"conversation_id": LONG_THREAD})
    cursor = first.structured_content["next_cursor"]
    assert cursor and lemlist.requests == 1

    async with Client(replica(lemlist.url, fresh_redis, SMALL)) as b:
        older = await b.call_tool("get_thread", {"conversation_id": LONG_THREAD, "cursor": cursor})
        assert not older.is_error and lemlist.requests == 1  # from Redis
        again = await b.call_tool("get_thread", {"conversation_id": LONG_THREAD})
        assert lemlist.requests == 2  # a first call always reads the provider
    assert again.structured_content == first.structured_content

    async with Client(replica(lemlist.url, None, SMALL)) as alone:  # control: reads lemlist again
        control = await alone.call_tool("get_thread", {"conversation_id": LONG_THREAD, "cursor": cursor})
    assert lemlist.requests == 3
    assert older.structured_content == control.structured_content


# -- (4) without REDIS_URL: the rest of the suite; here only the in-process thread cache -----


async def test_without_redis_a_get_thread_cursor_uses_the_in_process_cache(lemlist: Lemlist) -> None:
    async with Client(replica(lemlist.url, None, SMALL)) as a:
        first = await a.call_tool("get_thread", {"conversation_id": LONG_THREAD})
        await a.call_tool(
            "get_thread", {"conversation_id": LONG_THREAD, "cursor": first.structured_content["next_cursor"]}
        )
        assert lemlist.requests == 1
        await a.call_tool("get_thread", {"conversation_id": LONG_THREAD})
        assert lemlist.requests == 2


def test_settings_read_plain_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOX_MCP_REDIS_URL", "redis://ignored:6379/0")
    assert ServerSettings().server_options()["redis_url"] is None
    monkeypatch.setenv("REDIS_URL", "redis://:pw@cache.internal:6379/2")
    settings = ServerSettings()
    assert settings.server_options()["redis_url"] == "redis://:pw@cache.internal:6379/2"
    assert "pw@" not in repr(settings)
    monkeypatch.setenv("REDIS_URL", " ")
    assert ServerSettings().redis_url is None


# -- (5) an unusable REDIS_URL --------------------------------------------------------------


async def test_an_unreachable_redis_is_one_sentence_without_the_password(lemlist: Lemlist) -> None:
    with refused_port() as port, pytest.raises(SharedStateUnavailable) as caught:
        async with Client(replica(lemlist.url, f"redis://:s3cret-pass@127.0.0.1:{port}/0")):
            pass
    message = str(caught.value)
    assert isinstance(caught.value, ConfigError)  # the CLI prints it and exits 2
    assert message == (
        f"REDIS_URL: Redis at 127.0.0.1:{port} cannot be reached: start it or fix REDIS_URL, "
        "or unset REDIS_URL to keep state in each process."
    )
    assert "s3cret" not in message
    assert lemlist.requests == 0


async def test_a_malformed_redis_url_is_one_sentence() -> None:
    with pytest.raises(SharedStateUnavailable, match=r"^REDIS_URL must look like redis://host:6379/0 .*\.$"):
        await SharedState.connect("http://127.0.0.1:6379")


def test_cli_exits_2_with_the_sentence(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with refused_port() as port:
        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
        assert main(["call", "--sandbox", "list_accounts"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"leadinbox-mcp: REDIS_URL: Redis at 127.0.0.1:{port} cannot be reached")
    assert "\n" not in err and "Traceback" not in err


async def test_redis_failing_mid_way_falls_back_to_reading_and_limiting_in_process(lemlist: Lemlist) -> None:
    # As after a successful start, Redis stops answering (here: nothing listens on its port).
    with refused_port() as port:
        shared = SharedState(redis.asyncio.from_url(f"redis://127.0.0.1:{port}/0"))
        try:
            cache = RedisCache(shared, "page", Page, 60)
            await cache.put(("a",), Page(conversations=(), next_token=None))
            assert await cache.get(("a",)) is None  # a miss, not an error
            http = HttpClient(windows=shared.window)
            try:
                await client_of(http, lemlist.url).check()  # limited in-process, still answered
            finally:
                await http.aclose()
            assert lemlist.requests == 1
        finally:
            await shared.aclose()
