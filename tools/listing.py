"""A listing over one or more accounts: read each account's stream concurrently, merge newest
first, stop at the row limit or the token budget, and hand back one cursor for all of them."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio

from inbox_mcp.providers.errors import ProviderError
from inbox_mcp.providers.model import Conversation, Query
from inbox_mcp.providers.provider import Provider
from inbox_mcp.tools.inbox import ToolInputError, conversation_id
from inbox_mcp.tools.output import ConversationList, conversation_out
from inbox_mcp.tools.paging import Collected, Position, collect, decode_positions, encode_positions, fingerprint
from inbox_mcp.tools.render.rows import row_line, snippet_of
from inbox_mcp.tools.render.tokens import count_tokens

Keep = Callable[[Conversation], bool]
FRAME_TOKENS = 150
"""Reserved for the words around the rows: the count, notes, the cursor and how to use it."""


@dataclass
class Listing:
    tool: str
    accounts: list[Provider]
    query: Query
    limit: int
    detailed: bool
    budget: int
    arguments: dict[str, object]
    """Everything that shapes the result, for the cursor's fingerprint."""
    keep: dict[str, Keep] = field(default_factory=dict)
    """Per account: a filter the tool applies itself."""
    scan_pages: int | None = None
    """Per account and call: provider pages a tool-side filter may read."""


@dataclass
class Result:
    rows: list[str]
    structured: ConversationList
    failures: list[str]
    scanned: dict[str, int]
    pages: dict[str, int]
    cut_by_budget: bool


def _order(account: str, c: Conversation) -> tuple[float, str]:
    """Newest first; equal times by id so that every run gives the same order."""
    stamp = c.last_activity_at.timestamp() if c.last_activity_at else float("-inf")
    return (-stamp, f"{account}:{c.id}")


async def run(listing: Listing, cursor: str | None) -> Result:
    names = [a.account for a in listing.accounts]
    fp = fingerprint(listing.tool, accounts=sorted(names), **listing.arguments)
    positions = decode_positions(cursor, fp, names) if cursor else {name: Position() for name in names}

    collected: dict[str, Collected] = {}
    failures: dict[str, str] = {}
    refused: list[ToolInputError] = []

    async def read(provider: Provider) -> None:
        start = positions[provider.account]
        if start.done:
            return
        try:
            collected[provider.account] = await collect(
                provider,
                listing.query,
                start,
                want=listing.limit,
                page_size=min(listing.limit, provider.capabilities.max_page_size),
                keep=listing.keep.get(provider.account, lambda _: True),
                max_pages=listing.scan_pages if provider.account in listing.keep else None,
            )
        except ProviderError as exc:
            failures[provider.account] = str(exc)
        except ToolInputError as exc:
            refused.append(exc)

    async with anyio.create_task_group() as group:
        for provider in listing.accounts:
            group.start_soon(read, provider)
    if refused:
        raise refused[0]
    if failures and not collected:
        raise ProviderError(" ".join(failures.values()))

    # An account whose scan stopped on its page budget has unseen rows older than its last
    # row looked at; rows of other accounts older than that must wait for the next call.
    horizon: tuple[float, str] | None = None
    for name, got in collected.items():
        if not got.end.done and len(got.rows) < listing.limit and got.last_seen is not None:
            mark = _order(name, got.last_seen)
            horizon = mark if horizon is None or mark > horizon else horizon

    by_account = {a.account: a for a in listing.accounts}
    streams = [[(_order(name, row), name, row) for row, _ in got.rows] for name, got in collected.items()]
    taken: dict[str, int] = {name: 0 for name in collected}
    lines: list[str] = []
    out = []
    used = FRAME_TOKENS
    cut_by_budget = False
    labels_differ = any(a.account != a.provider for a in listing.accounts)
    for key, name, row in heapq.merge(*streams, key=lambda item: item[0]):
        if len(lines) >= listing.limit or (horizon is not None and key > horizon):
            break
        provider = by_account[name]
        full_id = conversation_id(provider, row.id)
        line = row_line(full_id, provider.label, row, detailed=listing.detailed, provider_shown=labels_differ)
        cost = count_tokens(line) + 1
        if lines and used + cost > listing.budget:
            cut_by_budget = True
            break
        used += cost
        lines.append(line)
        out.append(conversation_out(name, row, snippet_of(row, detailed=listing.detailed) or None))
        taken[name] += 1

    for name, got in collected.items():
        count = taken[name]
        positions[name] = got.end if count == len(got.rows) else (got.rows[count - 1][1] if count else positions[name])
    more = not all(p.done for p in positions.values())
    next_cursor = encode_positions(fp, positions) if more else None
    return Result(
        rows=lines,
        structured=ConversationList(conversations=out, next_cursor=next_cursor),
        failures=list(failures.values()),
        scanned={name: got.scanned for name, got in collected.items()},
        pages={name: got.pages for name, got in collected.items()},
        cut_by_budget=cut_by_budget,
    )


def text_search(text: str) -> Keep:
    """The tool's own version of a provider's text search: name, email or company contains it."""
    needle = text.casefold()

    def keep(c: Conversation) -> bool:
        p = c.correspondent
        return any(needle in (v or "").casefold() for v in (p.name, p.email, p.company))

    return keep

