"""Opaque, stateless cursors and the per-account streams that they resume.

A cursor records, per account, the provider page to read next (the provider's own token), how
many rows of that page were already handed out or rejected, whether the stream has ended, and
the sort key of its next row (or a bound on it). That is all a later call needs: any server
process can continue, nothing is skipped or repeated, and an account whose next row is older
than what the page shows is not asked again. The cursor also carries a fingerprint of the call's
arguments and a checksum: a cursor is only valid for the call it came from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from inbox_mcp.providers.model import Conversation, Query
from inbox_mcp.providers.provider import Provider
from inbox_mcp.tools.inbox import ToolInputError
from inbox_mcp.tools.page_cache import PageCache

log = logging.getLogger(__name__)
VERSION = 3
MAX_CURSOR_CHARS = 4096
_RESTART = "start again without a cursor"
_NO_TIME = -(2**62)

Key = tuple[int, str]
"""Merge order: (-milliseconds, "account:id"), ascending = newest first, ties by id."""


def sort_key(account: str, c: Conversation) -> Key:
    ms = int(c.last_activity_at.timestamp() * 1000) if c.last_activity_at else _NO_TIME
    return (-ms, f"{account}:{c.id}")


@dataclass(frozen=True)
class Position:
    token: str | None = None
    """The provider's token for the page to read; None is its first page."""
    skip: int = 0
    """Rows of that page already returned or rejected."""
    done: bool = False
    bound: Key | None = None
    """The next row's key, or a key no newer than it; None: unknown (read before merging)."""


def pack(fingerprint: str, payload: Any) -> str:
    """An opaque cursor: version, the call's fingerprint and the payload, compressed and
    checksummed (an agent carries it in its context, so every character costs)."""
    raw = json.dumps([VERSION, fingerprint, payload], separators=(",", ":")).encode()
    blob = zlib.compress(raw, 9)[2:-4]  # raw deflate: the checksum below covers it
    text = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:6] + blob).decode().rstrip("=")
    if len(text) > MAX_CURSOR_CHARS:
        raise ToolInputError("The listing position is too large to hand back as a cursor; narrow the request (account, filters).")
    return text


def unpack(text: str, fingerprint: str) -> Any:
    """The payload of a cursor made by `pack` for a call with the same fingerprint."""
    text = text.strip()
    if len(text) > MAX_CURSOR_CHARS:
        raise ToolInputError(f"That cursor is too long to be one of ours; {_RESTART}.")
    try:
        blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj(-15)
        raw = inflater.decompress(blob[6:], 64 * 1024)
        if inflater.unconsumed_tail or hashlib.sha256(raw).digest()[:6] != blob[:6]:
            raise ValueError("checksum")
        version, made_for, payload = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, TypeError, RecursionError, zlib.error):
        raise ToolInputError(f"That cursor is malformed or was cut short; {_RESTART}.") from None
    if version != VERSION:
        raise ToolInputError(f"That cursor comes from another version of this server; {_RESTART}.")
    if made_for != fingerprint:
        raise ToolInputError(
            f"That cursor belongs to a call with other arguments; repeat the same arguments with it, or {_RESTART}."
        )
    return payload


def _no_constants(name: str) -> None:
    """NaN and Infinity are JSON to Python's parser, but never in a cursor of ours."""
    raise ValueError(name)


def encode_positions(fingerprint: str, positions: dict[str, Position]) -> str:
    """Accounts in name order (their names are in the fingerprint); a bound's id without the
    account prefix, which decoding puts back."""
    rows = []
    for name in sorted(positions):
        p = positions[name]
        bound = [p.bound[0], p.bound[1].removeprefix(name + ":")] if p.bound else None
        rows.append([p.token, p.skip, int(p.done), bound])
    return pack(fingerprint, rows)


def decode_positions(text: str, fingerprint: str, accounts: list[str]) -> dict[str, Position]:
    payload = unpack(text, fingerprint)
    names = sorted(accounts)
    try:
        if len(payload) != len(names):
            raise ValueError("accounts")
        positions = {}
        for name, (token, skip, done, bound) in zip(names, payload, strict=True):
            key = (int(bound[0]), f"{name}:{bound[1]}" if bound[1] else "") if bound is not None else None
            positions[name] = Position(None if token is None else str(token), int(skip), bool(done), key)
    except (ValueError, TypeError, AttributeError, IndexError, OverflowError):
        raise ToolInputError(f"That cursor does not fit the configured accounts; {_RESTART}.") from None
    if any(p.skip < 0 for p in positions.values()):
        raise ToolInputError(f"That cursor is malformed; {_RESTART}.")
    return positions


def fingerprint(tool: str, **arguments: object) -> str:
    raw = json.dumps([tool, arguments], sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass
class Stream:
    """One account's conversations from a cursor position on, read a page at a time on demand.

    `next` is the position of the next row not yet returned; `ahead` holds the accepted rows
    already read past it, each with the position right after it."""

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
    ahead: list[tuple[Conversation, Position]] = field(default_factory=list)
    scan_end: Position | None = None
    last_seen: Conversation | None = None
    notes: list[str] = field(default_factory=list)
    """What the provider's pages said that the answer must carry, each once."""

    def __post_init__(self) -> None:
        self.next = self.start
        self.scan_end = self.start

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
        return sort_key(self.account, self.ahead[0][0]) if self.ahead else None

    async def fill(self) -> None:
        """Read until a row is ahead, the stream ends, or the page budget is spent."""
        while not self.ahead and not self.scan_end.done and not self.out_of_budget:
            await self._read_page()
        if not self.ahead:
            self.next = self.scan_end

    def pop(self) -> Conversation:
        row, after = self.ahead.pop(0)
        self.next = after if self.ahead else self.scan_end
        return row

    def bound(self) -> Key | None:
        """The next row's key when it was read, else a key no newer than it (or None)."""
        if self.ahead:
            return self.head_key()
        # Only the time is a safe bound: providers order equal times their own way.
        return (sort_key(self.account, self.last_seen)[0], "") if self.last_seen else self.next.bound

    def position(self) -> Position:
        """Where a cursor resumes this stream, with the best known bound on its next row."""
        return Position(self.next.token, self.next.skip, self.next.done, self.bound())

    async def _read_page(self) -> None:
        at = self.scan_end
        key = (self.account, self.query.model_dump_json(), str(self.page_size), at.token or "")
        page = await self.cache.get(key) if self.resuming else None
        if page is None:
            try:
                page = await self.provider.list_page(self.query, at.token, self.page_size)
            except ValueError:
                raise ToolInputError(f"That cursor does not fit account {self.account!r}; {_RESTART}.") from None
            await self.cache.put(key, page)
            self.pages += 1
            if self.on_page:
                await self.on_page()
        self.notes += [note for note in page.notes if note not in self.notes]
        rows = page.conversations
        stuck = page.next_token is not None and page.next_token == at.token
        if stuck:  # a provider that hands back the token it was given would loop until the deadline
            log.warning("%s: the provider returned the same page token again; ending its listing there", self.account)
        after_page = Position(None if stuck else page.next_token, 0, page.next_token is None or stuck)
        index = at.skip
        while index < len(rows):
            row = rows[index]
            index += 1
            self.scanned += 1
            self.last_seen = row
            if self.since and row.last_activity_at and row.last_activity_at < self.since:
                self.scan_end = Position(None, 0, True)  # newest first: everything after is older
                return
            if self.keep(row):
                self.ahead.append((row, Position(at.token, index) if index < len(rows) else after_page))
        self.scan_end = after_page
