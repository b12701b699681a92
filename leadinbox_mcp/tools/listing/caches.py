"""Short-lived, bounded stores of provider pages and threads: in this process, or in Redis.

Only an optimisation: a miss (or a Redis failure) reads the provider.

Bounded in bytes whatever the providers send: every value is kept as its JSON, and a value
larger than MAX_ENTRY_BYTES is not kept at all (in this process or in Redis). In this process,
all the caches together (pages and threads, of every server in it) hold at most MAX_CACHE_BYTES
(`ByteBudget`): the least recently used entry goes first, whichever cache holds it. Expired
entries go on their own, not only when their key is read again: every read or write of any cache
drops what has expired, and a timer on the running event loop drops it in an idle process too.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from leadinbox_mcp.providers.model import Page, Thread

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
CacheKey = tuple[str, ...]

PAGE_TTL = 60.0
THREAD_TTL = 30.0
MAX_CACHE_BYTES = 64 * 2**20
"""What the caches of this process hold together at most, pages and threads, counted as JSON."""
MAX_ENTRY_BYTES = 8 * 2**20
"""A page or thread whose JSON is larger is not cached (here or in Redis): it would push out
everything else, and reading it again from the provider costs one request."""


class Cache(Protocol[M]):
    async def get(self, key: CacheKey) -> M | None: ...

    async def put(self, key: CacheKey, value: M) -> None: ...


PageCache = Cache[Page]
"""Provider pages kept for a short while, so that the next page of a listing re-reads the page
it stopped in without asking the provider again."""
ThreadCache = Cache[Thread]
"""Threads kept for a short while, so that get_thread with a cursor does not read it again."""


def to_json(value: BaseModel) -> bytes:
    return type(value).__pydantic_serializer__.to_json(value)


@dataclass
class _Entry:
    raw: bytes
    model: type[BaseModel]
    expires: float


class ByteBudget:
    """The entries of every `LocalCache` that shares it, at most `limit` bytes of JSON together.

    Entries are evicted least recently used first across all those caches, and dropped once
    expired on every operation of any of them and by a timer on the running event loop. A cache
    that is garbage-collected gives its bytes back at the next operation."""

    def __init__(self, limit: int = MAX_CACHE_BYTES, entry_limit: int = MAX_ENTRY_BYTES) -> None:
        self.limit = limit
        self.entry_limit = min(entry_limit, limit)
        self.used = 0
        self._entries: OrderedDict[tuple[int, CacheKey], _Entry] = OrderedDict()
        """Least recently used first."""
        self._written: dict[int, OrderedDict[CacheKey, None]] = {}
        """Per cache, its keys oldest written first: each cache has one TTL, so soonest expiring first."""
        self._dead: list[int] = []
        self._ids = itertools.count()
        self._lock = threading.RLock()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._timer_at = 0.0

    # -------------------------------------------------------------------- used by LocalCache

    def register(self, cache: object) -> int:
        with self._lock:
            cid = next(self._ids)
            self._written[cid] = OrderedDict()
        weakref.finalize(cache, self._dead.append, cid)  # list.append: safe from any GC point
        return cid

    def get(self, cid: int, key: CacheKey) -> _Entry | None:
        with self._lock:
            self._tidy(time.monotonic())
            entry = self._entries.get((cid, key))
            if entry is not None:
                self._entries.move_to_end((cid, key))
            return entry

    def put(self, cid: int, key: CacheKey, raw: bytes, model: type[BaseModel], ttl: float, size: int) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tidy(now)
            self._remove(cid, key)
            if len(raw) > self.entry_limit:
                return False
            while self._entries and self.used + len(raw) > self.limit:
                (old_cid, old_key), _ = next(iter(self._entries.items()))
                self._remove(old_cid, old_key)
            self._entries[(cid, key)] = _Entry(raw, model, now + ttl)
            self._written[cid][key] = None
            self.used += len(raw)
            written = self._written[cid]
            while len(written) > size:
                self._remove(cid, next(iter(written)))
        self._schedule()
        return True

    def nbytes(self, cid: int) -> int:
        with self._lock:
            self._tidy(time.monotonic())
            return sum(len(self._entries[(cid, key)].raw) for key in self._written.get(cid, ()))

    def count(self, cid: int) -> int:
        with self._lock:
            self._tidy(time.monotonic())
            return len(self._written.get(cid, ()))

    # ---------------------------------------------------------------------------- internals

    def sweep(self) -> None:
        """Drop every expired entry now."""
        with self._lock:
            self._tidy(time.monotonic())

    def _remove(self, cid: int, key: CacheKey) -> None:
        entry = self._entries.pop((cid, key), None)
        if entry is not None:
            self.used -= len(entry.raw)
            self._written[cid].pop(key, None)

    def _tidy(self, now: float) -> None:
        while self._dead:
            cid = self._dead.pop()
            for key in list(self._written.pop(cid, ())):
                entry = self._entries.pop((cid, key), None)
                if entry is not None:
                    self.used -= len(entry.raw)
        for cid, written in self._written.items():
            while written:
                key = next(iter(written))
                if self._entries[(cid, key)].expires > now:
                    break
                self._remove(cid, key)

    def _next_expiry(self) -> float | None:
        with self._lock:
            firsts = [self._entries[(cid, next(iter(w)))].expires for cid, w in self._written.items() if w]
            return min(firsts) if firsts else None

    def _schedule(self) -> None:
        """A timer on the running asyncio loop for the soonest expiry (none outside one: then
        the next operation of any cache drops what has expired)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        due = self._next_expiry()
        if due is None:
            return
        timer = self._timer
        if timer is not None and self._timer_loop is loop and not timer.cancelled():  # one pending
            if self._timer_at <= due:
                return
            timer.cancel()
        self._timer_loop, self._timer_at = loop, due
        self._timer = loop.call_later(max(0.0, due - time.monotonic()) + 0.01, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.sweep()
        self._schedule()


PROCESS_BUDGET = ByteBudget()
"""Shared by every LocalCache made without a budget of its own: the bound of this process."""


class LocalCache(Generic[M]):
    """In this process: the newest `size` entries, each for `ttl` seconds, kept as JSON within
    `budget` (by default the process's, shared with every other LocalCache)."""

    def __init__(self, ttl: float = PAGE_TTL, size: int = 256, budget: ByteBudget | None = None) -> None:
        self._ttl = ttl
        self._size = size
        self._budget = budget or PROCESS_BUDGET
        self._id = self._budget.register(self)

    @property
    def nbytes(self) -> int:
        """Bytes of JSON this cache holds now (expired entries are not counted: they are gone)."""
        return self._budget.nbytes(self._id)

    @property
    def entries(self) -> int:
        """How many entries it holds now (not `__len__`: an empty cache must not be falsy)."""
        return self._budget.count(self._id)

    async def get(self, key: CacheKey) -> M | None:
        entry = self._budget.get(self._id, key)
        if entry is None:
            return None
        try:
            return entry.model.model_validate_json(entry.raw)  # type: ignore[return-value]
        except ValidationError:  # cannot happen for JSON a model wrote, but a miss is always safe
            return None

    async def put(self, key: CacheKey, value: M) -> None:
        raw = to_json(value)
        if not self._budget.put(self._id, key, raw, type(value), self._ttl, self._size):
            log.debug(
                "cache: a value of %d bytes is over the %d-byte cap; not kept", len(raw), self._budget.entry_limit
            )
