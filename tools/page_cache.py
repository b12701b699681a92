"""Short-lived, bounded stores of provider pages and threads: in this process, or in Redis.

Only an optimisation: a miss (or a Redis failure) reads the provider.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from inbox_mcp.providers.model import Page, Thread

if TYPE_CHECKING:
    from inbox_mcp.providers.shared import SharedState

M = TypeVar("M", bound=BaseModel)
CacheKey = tuple[str, ...]

PAGE_TTL = 60.0
THREAD_TTL = 30.0


class Cache(Protocol[M]):
    async def get(self, key: CacheKey) -> M | None: ...

    async def put(self, key: CacheKey, value: M) -> None: ...


PageCache = Cache[Page]
"""Provider pages kept for a short while, so that the next page of a listing re-reads the page
it stopped in without asking the provider again."""
ThreadCache = Cache[Thread]
"""Threads kept for a short while, so that get_thread with a cursor does not read it again."""


class LocalCache(Generic[M]):
    """In this process: the newest `size` entries, each for `ttl` seconds."""

    def __init__(self, ttl: float = PAGE_TTL, size: int = 256) -> None:
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[CacheKey, tuple[float, M]] = OrderedDict()

    async def get(self, key: CacheKey) -> M | None:
        hit = self._entries.get(key)
        if hit is None or time.monotonic() - hit[0] > self._ttl:
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return hit[1]

    async def put(self, key: CacheKey, value: M) -> None:
        self._entries[key] = (time.monotonic(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


class RedisCache(Generic[M]):
    """In Redis, shared by every replica: `inbox-mcp:<kind>:<sha256 of scope and key>`, the
    model's JSON, expiring after `ttl` seconds. `scope` separates deployments that share one
    Redis (see `inbox.cache_scope`); the key is hashed, so nothing in it reaches Redis as text."""

    def __init__(self, shared: SharedState, kind: str, model: type[M], ttl: float, scope: str = "") -> None:
        self._shared = shared
        self._kind = kind
        self._model = model
        self._ttl = ttl
        self._scope = scope

    def _name(self, key: CacheKey) -> str:
        digest = hashlib.sha256(json.dumps([self._scope, *key]).encode()).hexdigest()
        return f"{self._kind}:{digest}"

    async def get(self, key: CacheKey) -> M | None:
        raw = await self._shared.get(self._name(key))
        if raw is None:
            return None
        try:
            return self._model.model_validate_json(raw)
        except ValidationError:  # written by another version of the model: a miss
            return None

    async def put(self, key: CacheKey, value: M) -> None:
        await self._shared.set(self._name(key), value.model_dump_json(), self._ttl)
