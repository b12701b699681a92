"""Opaque, stateless cursors and the walk through a provider's pages that they resume.

A cursor records, per account, the provider page to fetch next (its own token) and how many
rows of that page were already handed out, so that a call which stops in the middle of a page
(row limit, token budget, a filter applied in the tool) loses and repeats nothing. It also
records a fingerprint of the call's arguments: a cursor is only valid for the call it came from.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inbox_mcp.providers.model import Conversation, Query
from inbox_mcp.providers.provider import Provider
from inbox_mcp.tools.inbox import ToolInputError

VERSION = 1
MAX_CURSOR_CHARS = 4096
_RESTART = "start again without a cursor"


@dataclass(frozen=True)
class Position:
    token: str | None = None
    """The provider's token for the page to read; None is its first page."""
    skip: int = 0
    """Rows of that page already returned (or already looked at, for a scan)."""
    done: bool = False


def pack(fingerprint: str, payload: dict[str, Any]) -> str:
    """An opaque cursor: version, the call's fingerprint and the payload, checksummed."""
    raw = json.dumps({"v": VERSION, "f": fingerprint, "p": payload}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:6] + raw).decode().rstrip("=")


def unpack(text: str, fingerprint: str) -> Any:
    """The payload of a cursor made by `pack` for a call with the same fingerprint."""
    text = text.strip()
    if len(text) > MAX_CURSOR_CHARS:
        raise ToolInputError(f"That cursor is too long to be one of ours; {_RESTART}.")
    try:
        blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if hashlib.sha256(blob[6:]).digest()[:6] != blob[:6]:
            raise ValueError("checksum")
        body = json.loads(blob[6:])
        version, made_for, payload = body["v"], body["f"], body["p"]
    except (ValueError, KeyError, TypeError):
        raise ToolInputError(f"That cursor is malformed or was cut short; {_RESTART}.") from None
    if version != VERSION:
        raise ToolInputError(f"That cursor comes from another version of this server; {_RESTART}.")
    if made_for != fingerprint:
        raise ToolInputError(
            f"That cursor belongs to a call with other arguments; repeat the same arguments with it, or {_RESTART}."
        )
    return payload


def encode_positions(fingerprint: str, positions: dict[str, Position]) -> str:
    return pack(fingerprint, {name: [p.token, p.skip, int(p.done)] for name, p in positions.items()})


def decode_positions(text: str, fingerprint: str, accounts: list[str]) -> dict[str, Position]:
    payload = unpack(text, fingerprint)
    try:
        positions = {
            str(name): Position(token=None if tok is None else str(tok), skip=int(skip), done=bool(done))
            for name, (tok, skip, done) in payload.items()
        }
    except (ValueError, TypeError, AttributeError):
        raise ToolInputError(f"That cursor is malformed; {_RESTART}.") from None
    if sorted(positions) != sorted(accounts) or any(p.skip < 0 for p in positions.values()):
        raise ToolInputError(f"That cursor does not fit the configured accounts; {_RESTART}.")
    return positions


def fingerprint(tool: str, **arguments: object) -> str:
    raw = json.dumps([tool, arguments], sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


async def collect(
    provider: Provider,
    query: Query,
    start: Position,
    *,
    want: int,
    page_size: int,
    keep: Callable[[Conversation], bool] = lambda _: True,
    max_pages: int | None = None,
) -> Collected:
    """Up to `want` rows that `keep` accepts, read from `start` on, each with the position just
    after it. Stops early after `max_pages` provider pages (the scan budget of a search)."""
    out = Collected(rows=[], end=start)
    position = start
    while not position.done and len(out.rows) < want:
        if max_pages is not None and out.pages >= max_pages:
            break
        try:
            page = await provider.list_page(query, position.token, page_size)
        except ValueError:
            raise ToolInputError(f"That cursor does not fit account {provider.account!r}; {_RESTART}.") from None
        out.pages += 1
        rows = page.conversations
        after_page = Position(page.next_token, 0, done=page.next_token is None)
        index = position.skip
        while index < len(rows) and len(out.rows) < want:
            row = rows[index]
            index += 1
            out.scanned += 1
            out.last_seen = row
            if keep(row):
                out.rows.append((row, Position(position.token, index) if index < len(rows) else after_page))
        position = Position(position.token, index) if index < len(rows) else after_page
    out.end = position
    return out


@dataclass
class Collected:
    rows: list[tuple[Conversation, Position]]
    """Accepted rows, each with the position that resumes right after it."""
    end: Position
    """Where the walk stopped: after the last row looked at, accepted or not."""
    pages: int = 0
    scanned: int = 0
    last_seen: Conversation | None = None
    """The last row looked at, accepted or not."""
