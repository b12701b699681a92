"""State shared by every worker and machine through Redis (REDIS_URL): rate-limit windows and a
short-lived cache.

- `SharedState.window(bucket, limit)`: a sliding window of request times per bucket, a sorted
  set `leadinbox-mcp:rate:<bucket>` checked and appended to by one Lua script (atomic in Redis), on
  Redis's clock, so that all replicas together send at most `limit` requests per window. Same
  semantics as `http._Window.acquire()`; when Redis fails mid-way, the call falls back to an
  in-process window (and the provider's 429s are still waited out by the HttpClient).
- `SharedState.get` / `set`: bytes with a TTL under `leadinbox-mcp:`; a Redis failure is a miss.

Bucket names are already hashed (`http.bucket_for`) and cache keys are hashed by their users:
no key in Redis contains an API key. Needs the optional extra: pip install 'leadinbox-mcp[redis]'.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from typing import Generic, cast

import anyio
from pydantic import ValidationError

from leadinbox_mcp.providers.errors import ConfigError
from leadinbox_mcp.providers.http import RateLimit, _Window
from leadinbox_mcp.providers.model import Page, Thread
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.tools.listing.caches import MAX_ENTRY_BYTES, PAGE_TTL, THREAD_TTL, CacheKey, M, to_json
from leadinbox_mcp.tools.listing.cursors import HANDLE_TTL
from leadinbox_mcp.tools.shared.inbox import Budgets, Inbox, cache_scope

try:
    from redis import asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import AuthenticationError, RedisError, ResponseError
    from redis.exceptions import TimeoutError as RedisTimeout

    REDIS_INSTALLED = True
except ImportError:  # the optional extra is missing: connect() says so
    REDIS_INSTALLED = False

    class RedisError(Exception):  # type: ignore[no-redef]
        """Stand-in: nothing raises it, since nothing connects without the package."""


log = logging.getLogger(__name__)

PREFIX = "leadinbox-mcp:"
TIMEOUT = 2.0
"""Seconds to connect to Redis or wait for one answer."""

# KEYS[1]: the bucket's sorted set of grant times (microseconds on Redis's clock).
# ARGV: requests allowed per window, window length in microseconds, a unique member.
# Returns 0 when the request may go now, else the microseconds until the oldest grant expires.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""


class SharedStateUnavailable(ConfigError):
    """REDIS_URL is set but unusable at start-up; the message is the one sentence to show."""


class SharedState:
    """One connection pool to the Redis at REDIS_URL; create with `await SharedState.connect(url)`."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        self._acquire = client.register_script(_SLIDING_WINDOW)

    @classmethod
    async def connect(cls, url: str) -> SharedState:
        """Connect and ping, or raise SharedStateUnavailable with one sentence (never the URL's
        password: only host and port are named)."""
        if not REDIS_INSTALLED:
            raise SharedStateUnavailable(
                "REDIS_URL is set but the redis package is not installed: "
                "pip install 'leadinbox-mcp[redis]', or unset REDIS_URL."
            )
        try:
            client = aioredis.from_url(
                url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT, retry=Retry(NoBackoff(), 1)
            )
        except ValueError:
            raise SharedStateUnavailable(
                "REDIS_URL must look like redis://host:6379/0 (or rediss://, unix://)."
            ) from None
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            await client.aclose()
            raise SharedStateUnavailable(f"REDIS_URL: Redis at {_where(client)} {_why(exc)}.") from None
        return cls(client)

    async def aclose(self) -> None:
        await self.redis.aclose()

    def window(self, bucket: str, limit: RateLimit) -> SharedWindow:
        return SharedWindow(self, bucket, limit)

    def inbox(self, accounts: Sequence[Provider], budgets: Budgets) -> Inbox:
        """An inbox whose page and thread caches live here, shared by every replica."""
        scope = cache_scope(accounts)
        return Inbox(
            accounts=accounts,
            budgets=budgets,
            page_cache=RedisCache(self, "page", Page, PAGE_TTL, scope),
            thread_cache=RedisCache(self, "thread", Thread, THREAD_TTL, scope),
        )

    def handles(self) -> RedisHandles:
        """Cursor handles that every worker and machine sharing this Redis can continue."""
        return RedisHandles(self)

    async def get(self, key: str) -> bytes | None:
        try:
            # A client without decode_responses answers bytes; redis types GET for both modes.
            return cast("bytes | None", await self.redis.get(PREFIX + key))
        except RedisError as exc:
            log.warning("shared cache: Redis read failed (%s); reading the provider", type(exc).__name__)
            return None

    async def set(self, key: str, value: bytes | str, ttl: float) -> bool:
        """Whether it was stored: a Redis failure is logged (no value, no key) and said."""
        try:
            await self.redis.set(PREFIX + key, value, px=max(1, int(ttl * 1000)))
        except RedisError as exc:
            log.warning("shared state: Redis write failed (%s); not stored", type(exc).__name__)
            return False
        return True


class SharedWindow:
    """`_Window` with its request times in Redis. In each process one waiter at a time asks
    Redis (the others queue on the lock, in order); across processes the script decides."""

    def __init__(self, shared: SharedState, bucket: str, limit: RateLimit) -> None:
        self.shared = shared
        self.key = f"{PREFIX}rate:{bucket}"
        self.limit = limit
        self.lock = anyio.Lock()
        self.fallback = _Window(limit)

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                try:
                    wait = await self.shared._acquire(
                        keys=[self.key],
                        args=[repr(self.limit.requests), int(self.limit.per_seconds * 1_000_000), os.urandom(8).hex()],
                    )
                except RedisError as exc:
                    log.warning(
                        "shared rate limit: Redis failed (%s); limiting in this process only", type(exc).__name__
                    )
                    await self.fallback.acquire()
                    return
                if not wait:
                    return
                await anyio.sleep(int(wait) / 1_000_000)


async def check_redis(url: str) -> None:
    """Raise SharedStateUnavailable unless Redis at `url` answers (for a check at start-up)."""
    shared = await SharedState.connect(url)
    await shared.aclose()


def _where(client: aioredis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return str(kwargs["path"])
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def _why(exc: BaseException) -> str:
    if isinstance(exc, (AuthenticationError, ResponseError)):
        return "refused the connection: check the user and password in REDIS_URL"
    if isinstance(exc, (RedisTimeout, TimeoutError)):
        return f"did not answer within {TIMEOUT:g} seconds: check that it runs and is reachable, or unset REDIS_URL"
    return "cannot be reached: start it or fix REDIS_URL, or unset REDIS_URL to keep state in each process"


# ------------------------------------------------------------------------------------------------
# What the lower layers ask of shared state, kept in Redis: the caches' and cursor handles' stores
# ------------------------------------------------------------------------------------------------


class RedisCache(Generic[M]):
    """In Redis, shared by every replica: `leadinbox-mcp:<kind>:<sha256 of scope and key>`, the
    model's JSON, expiring after `ttl` seconds. `scope` separates deployments that share one
    Redis (see `inbox.cache_scope`); the key is hashed, so nothing in it reaches Redis as text.
    A value over `max_bytes` is not stored."""

    def __init__(
        self,
        shared: SharedState,
        kind: str,
        model: type[M],
        ttl: float,
        scope: str = "",
        max_bytes: int = MAX_ENTRY_BYTES,
    ) -> None:
        self._shared = shared
        self._kind = kind
        self._model = model
        self._ttl = ttl
        self._scope = scope
        self._max_bytes = max_bytes

    def _name(self, key: CacheKey) -> str:
        digest = hashlib.sha256(json.dumps([self._scope, *key]).encode()).hexdigest()
        return f"{self._kind}:{digest}"

    async def get(self, key: CacheKey) -> M | None:
        raw = await self._shared.get(self._name(key))
        if raw is None or len(raw) > self._max_bytes:
            return None
        try:
            return self._model.model_validate_json(raw)
        except ValidationError:  # written by another version of the model: a miss
            return None

    async def put(self, key: CacheKey, value: M) -> None:
        raw = to_json(value)
        if len(raw) > self._max_bytes:
            log.debug("shared cache: a value of %d bytes is over the %d-byte cap; not kept", len(raw), self._max_bytes)
            return
        await self._shared.set(self._name(key), raw, self._ttl)


class RedisHandles:
    """In Redis, shared by every worker and machine: `leadinbox-mcp:cursor:<sha256 of the handle>`,
    expiring after `ttl` seconds. Redis is trusted storage: the content is kept unsigned, and any
    replica signs it with its own key when it continues, so replicas need not share a key (nor
    their accounts' configuration: sandbox workers each run their own emulators). A handle is 96
    random bits; one from another deployment on the same Redis can only resume that
    deployment's call with these accounts, whose fingerprint it must match."""

    def __init__(self, shared: SharedState, ttl: float = HANDLE_TTL) -> None:
        self._shared = shared
        self._ttl = ttl

    @staticmethod
    def _name(handle: str) -> str:
        return "cursor:" + hashlib.sha256(handle.encode()).hexdigest()

    async def get(self, handle: str) -> bytes | None:
        return await self._shared.get(self._name(handle))  # a Redis failure is a miss

    async def put(self, handle: str, content: bytes) -> bool:
        """False when Redis failed: the caller hands out a signed cursor instead."""
        return await self._shared.set(self._name(handle), content, self._ttl)
