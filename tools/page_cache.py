"""A short-lived, bounded store of provider pages."""

from __future__ import annotations

import time
from collections import OrderedDict

from inbox_mcp.providers.model import Page


class PageCache:
    """Provider pages kept for a short while, so that the next page of a listing re-reads the
    page it stopped in without asking the provider again. Only an optimisation: a miss reads."""

    def __init__(self, ttl: float = 60.0, size: int = 256) -> None:
        self._ttl = ttl
        self._size = size
        self._pages: OrderedDict[tuple[str, ...], tuple[float, Page]] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> Page | None:
        hit = self._pages.get(key)
        if hit is None or time.monotonic() - hit[0] > self._ttl:
            self._pages.pop(key, None)
            return None
        self._pages.move_to_end(key)
        return hit[1]

    def put(self, key: tuple[str, ...], page: Page) -> None:
        self._pages[key] = (time.monotonic(), page)
        self._pages.move_to_end(key)
        while len(self._pages) > self._size:
            self._pages.popitem(last=False)
