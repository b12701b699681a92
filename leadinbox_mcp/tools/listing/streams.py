"""The per-account streams that cursors resume (the cursors themselves: cursors.py).

A stream reads one account's conversations a page at a time from a `Position`: the provider
page to read next, whether the stream has ended, and how far the walk has come (the merge time
reached and what was returned at it). That is all a later call needs: any server process can
continue, and an account whose next row is older than what the page shows is not asked again.
Pages read again are checked against that bound rather than trusted, so that no conversation
comes twice even when the provider's pages shift between calls; the count of rows already
handed out of a page (`skip`) is only a fallback for long runs of equal times.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from leadinbox_mcp.providers.model import Conversation, Page, Query
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.providers.wire_base import with_parse_notes
from leadinbox_mcp.tools.listing.caches import PageCache
from leadinbox_mcp.tools.listing.cursors import _RESTART, Position
from leadinbox_mcp.tools.shared.inbox import ToolInputError

log = logging.getLogger(__name__)
_NO_TIME = -(2**62)
_UNDATED = -_NO_TIME
"""The merge time of a row without a time (before `Stream._undated_in_place` places it)."""

Key = tuple[int, str]
"""Merge order: (-milliseconds, "account:id"), ascending = newest first, ties by id."""


def sort_key(account: str, c: Conversation) -> Key:
    ms = int(c.last_activity_at.timestamp() * 1000) if c.last_activity_at else _NO_TIME
    return (-ms, f"{account}:{c.id}")


MAX_TIES = 32
"""Rows returned at the exact time where an account's walk stands that a cursor names (by a
digest of their id); past that, the cursor falls back on the page position for them."""
EMPTY_PAGES = 5
"""Empty pages in a row, each with a next page, after which an account's listing ends."""
STALE_PAGES = 20
"""Pages in a row that bring nothing but rows already read in this call, after which an account's
listing ends (a provider going round the same rows)."""
NEWER_PAGES = 200
"""Pages in a row that bring nothing new to the walk, after which an account's listing ends, when
they hold rows not read before in the call: rows newer than the walk (new replies arriving while
it goes) shift numbered pages, and with one row a page, 19 new replies made 19 such pages in a
row before the walk's next row (which STALE_PAGES then lost)."""
_DIGEST = re.compile(r"^[A-Za-z0-9_-]{8}$")
_PARTIAL = "*"
"""The cursor's tie field when it could not name every row returned at its time."""
_TIES = "~"


@lru_cache(maxsize=4096)
def digest(conversation_id: str) -> str:
    """8 URL-safe characters (48 bits) standing for an id inside a cursor."""
    return base64.urlsafe_b64encode(hashlib.sha256(conversation_id.encode()).digest()[:6]).decode()


@dataclass
class Reach:
    """How far an account's walk has returned rows: the merge time `at` (a key's first part) of
    the last row returned and, of the rows at that time, the digests of those returned. A row
    newer than `at` was returned, or it is new since the walk passed there (a reply that came
    after); either way a walk does not return it again. `complete` is False when the digests may
    be missing some (more than MAX_TIES): the page position decides for rows at `at` then."""

    at: int
    returned: set[str] = field(default_factory=set)
    complete: bool = True

    @classmethod
    def of(cls, account: str, bound: Key | None) -> Reach | None:
        """The reach a cursor's bound carries (see `Stream.position`)."""
        if bound is None:
            return None
        text = bound[1].removeprefix(account + ":") if bound[1] else ""
        if not text:
            return cls(bound[0])
        names = text[1:].split(".") if text.startswith(_TIES) else []
        if names and all(_DIGEST.match(name) for name in names):
            return cls(bound[0], set(names))
        return cls(bound[0], complete=False)  # "*", or anything else: the page position decides

    def tie_field(self, at: int) -> str:
        """What a cursor whose bound has time `at` says about the rows returned at that time."""
        if at != self.at or (self.complete and not self.returned):
            return ""
        if not self.complete or len(self.returned) > MAX_TIES:
            return _PARTIAL
        return _TIES + ".".join(sorted(self.returned))


@dataclass
class Stream:
    """One account's conversations from a cursor position on, read a page at a time on demand.

    `next` is the position of the next row not yet returned; `ahead` holds the accepted rows
    already read past it, each with the position right after it and its merge key.

    What a walk guarantees, across calls (the cursor is all the state there is): no conversation
    is returned twice (save one the provider lists as two rows, at two times, on pages read in
    different calls: the cursor does not carry every id returned), and each account's rows come
    newest first. The cursor's bound for an account is the time of its next row (or of the last
    row it looked at) and the digests of the rows it returned at exactly that time (`Reach`); a
    re-read page is filtered by it rather than trusted: a row newer than that time was returned
    already or is new since the walk passed there (a new reply moved it to the top), so it is
    not returned mid-walk. The page position (`skip`) only decides where the digests cannot
    (more than MAX_TIES rows at one time).

    Each page is put in newest-first order whatever order the provider sent, an id repeated in
    the pages of one call counts once, and a provider that does not move on ends the account's
    listing with a note: a next-page token already read in this call (a cycle), EMPTY_PAGES
    empty pages in a row, STALE_PAGES pages in a row of rows already read, or NEWER_PAGES pages in a
    row with nothing new."""

    provider: Provider
    query: Query
    start: Position
    page_size: int
    cache: PageCache
    resuming: bool = False
    """Only a call that resumes a cursor reads pages from the cache: a fresh listing is fresh."""
    keep: Callable[[Conversation], bool] = lambda _: True
    since: datetime | None = None
    max_pages: int | None = None
    on_page: Callable[[], Awaitable[None]] | None = None
    pages: int = 0
    scanned: int = 0
    ahead: list[tuple[Conversation, Position, Key]] = field(default_factory=list)
    scan_end: Position = field(init=False)
    """Where the next page read starts: the cursor's position, then past each page read."""
    notes: list[str] = field(default_factory=list)
    """What the provider's pages said that the answer must carry, each once."""

    def __post_init__(self) -> None:
        self.next = self.start
        self.scan_end = self.start
        self.reach = Reach.of(self.account, self.start.bound)
        """Rows returned so far (by earlier calls, then by this one)."""
        self.looked_at: int | None = self.reach.at if self.reach else None
        """The time of the last row this stream looked at (returned, rejected or ahead)."""
        self._trust_skip = self.reach is None or not self.reach.complete
        self._tokens: set[str | None] = set()
        self._ids: set[str] = set()
        """The ids of the rows read in this call, in any page."""
        self._idle = 0
        self._repeated = 0
        """Pages in a row with nothing new that held only rows already read in this call."""
        self._empty = 0
        self._last_read: tuple[str | None, tuple[str, ...], Page] | None = None
        """The last page read from the provider in this call: its token, cache key and page."""

    @property
    def account(self) -> str:
        return self.provider.account

    @property
    def ended(self) -> bool:
        return not self.ahead and self.next.done

    @property
    def out_of_budget(self) -> bool:
        return self.max_pages is not None and self.pages >= self.max_pages

    def head_key(self) -> Key | None:
        """The key of the next row when it is known; None when a read is needed to know it."""
        return self.ahead[0][2] if self.ahead else None

    async def fill(self) -> None:
        """Read until a row is ahead, the stream ends, or the page budget is spent. A read that
        fails keeps the pages read before it: the stream resumes at the page that failed."""
        try:
            while not self.ahead and not self.scan_end.done and not self.out_of_budget:
                await self._read_page()
        finally:
            if not self.ahead:
                self.next = self.scan_end

    def pop(self) -> Conversation:
        row, after, (at, _) = self.ahead.pop(0)
        self.next = after if self.ahead else self.scan_end
        if self.reach is None or at > self.reach.at:
            self.reach = Reach(at, {digest(row.id)})
        elif at == self.reach.at:  # (rows come out in order: never newer than the reach)
            self.reach.returned.add(digest(row.id))
        return row

    def bound(self) -> Key | None:
        """The next row's key when it was read, else a key no newer than it (or None)."""
        if self.ahead:
            return self.head_key()
        # Only the time is a safe bound: providers order equal times their own way.
        return (self.looked_at, "") if self.looked_at is not None else self.next.bound

    def position(self) -> Position:
        """Where a cursor resumes this stream: the page position, and as its bound the time of
        the next row (or of the last row looked at) with the rows returned at that time."""
        if self.next.done:
            return Position(self.next.token, self.next.skip, True, None)
        at = self.ahead[0][2][0] if self.ahead else self.looked_at
        if at is None:
            return self.next
        ties = self.reach.tie_field(at) if self.reach else ""
        return Position(self.next.token, self.next.skip, False, (at, f"{self.account}:{ties}" if ties else ""))

    async def keep_page(self) -> None:
        """Put the page this stream stops inside in the page cache, when this call read it
        from the provider: the next call resumes there. A page used up is not kept: no cursor
        brings a walk back to it, and a fresh listing always reads the provider."""
        if self._last_read is not None:
            token, key, page = self._last_read
            if not self.next.done and self.next.token == token:
                await self.cache.put(key, page)

    async def _page(self, token: str | None) -> Page:
        key = (self.account, self.query.model_dump_json(), str(self.page_size), token or "")
        page = await self.cache.get(key) if self.resuming else None
        if page is None:
            try:  # rows the client could not read are left out: said on the page
                page = await with_parse_notes(self.provider.list_page(self.query, token, self.page_size))
            except ValueError:
                raise ToolInputError(f"That cursor does not fit account {self.account!r}; {_RESTART}.") from None
            self._last_read = (token, key, page)
            self.pages += 1
            if self.on_page:
                await self.on_page()
        return page

    def _in_order(self, rows: tuple[Conversation, ...]) -> list[tuple[Key, Conversation]]:
        """The page newest first, whatever order the provider sent (a stable sort: rows with
        equal times keep the provider's order, which the page position counts in), each row
        with its merge key."""
        keyed = self._undated_in_place([(sort_key(self.account, row), row) for row in rows])
        if all(a[0][0] <= b[0][0] for a, b in itertools.pairwise(keyed)):
            return keyed
        self._note(
            f"{self.account}: {self.provider.label} sent a page of conversations out of newest-first order; it is "
            "listed in order, but rows it sends later that are newer than rows already listed are left out of this "
            "walk (a fresh listing shows them)."
        )
        return sorted(keyed, key=lambda pair: pair[0][0])

    def _undated_in_place(self, keyed: list[tuple[Key, Conversation]]) -> list[tuple[Key, Conversation]]:
        """A row without a time keeps the place the provider gave it: it takes the time of the
        row sent before it (first on its page: of the first one after it; on a page of undated
        rows only: the time the walk has reached). As the oldest possible row, it would put the
        walk past every row still to come, and they would be taken for rows already passed."""
        dated = [key[0] for key, _ in keyed if key[0] != _UNDATED]
        previous = dated[0] if dated else self.looked_at
        if previous is None or len(dated) == len(keyed):
            return keyed
        placed = []
        for (time, name), row in keyed:
            if time == _UNDATED:
                time = previous
            previous = time
            placed.append(((time, name), row))
        return placed

    def _note(self, sentence: str) -> None:
        if sentence not in self.notes:
            log.warning("%s", sentence)
            self.notes.append(sentence)

    async def _read_page(self) -> None:
        at = self.scan_end
        page = await self._page(at.token)
        for note in page.notes:
            if note not in self.notes:
                self.notes.append(note)
        self._tokens.add(at.token)
        label = self.provider.label
        following = page.next_token
        if following is not None and following in self._tokens:
            # A token already read in this call: the provider's pages go round in a circle.
            self._note(
                f"{self.account}: {label} pointed back to a page already read (its next-page cursor goes round in a "
                "circle), so its listing ends here; older conversations may be missing."
            )
            following = None
        after_page = Position(following, 0, following is None)
        rows = self._in_order(page.conversations)
        first = at.skip if self._trust_skip else 0
        self._trust_skip = False  # only the page the cursor stopped in is counted by position
        # Rows newer than this time, or at it and returned, were returned already or are new.
        floor = self.looked_at
        returned = self.reach.returned if self.reach and self.reach.at == floor else set()
        fresh = unseen = 0
        for index, (key, row) in enumerate(rows):
            if row.id in self._ids:
                continue  # the same conversation twice in the pages of this call
            self._ids.add(row.id)
            unseen += 1
            time = key[0]
            if index < first or (
                floor is not None and (time < floor or (time == floor and digest(row.id) in returned))
            ):
                continue
            fresh += 1
            self.scanned += 1
            self.looked_at = time
            if self.since and row.last_activity_at and row.last_activity_at < self.since:
                self.scan_end = Position(None, 0, True)  # newest first: everything after is older
                return
            if self.keep(row):
                self.ahead.append((row, Position(at.token, index + 1) if index + 1 < len(rows) else after_page, key))
        if fresh:
            self._idle = self._repeated = self._empty = 0
        elif following is not None:  # nothing ahead refers to after_page: it can still end here
            self._idle += 1
            self._repeated += not unseen
            self._empty += not rows
            if self._empty >= EMPTY_PAGES:
                self._note(
                    f"{self.account}: {label} answered {EMPTY_PAGES} empty pages in a row while saying more follow, "
                    "so its listing ends here; older conversations may be missing."
                )
                after_page = Position(None, 0, True)
            elif self._repeated >= STALE_PAGES or self._idle >= NEWER_PAGES:
                pages = STALE_PAGES if self._repeated >= STALE_PAGES else NEWER_PAGES
                self._note(
                    f"{self.account}: {label} answered {pages} pages in a row holding only conversations "
                    "already listed (or newer than this walk), so its listing ends here; older conversations may be "
                    "missing."
                )
                after_page = Position(None, 0, True)
        self.scan_end = after_page
