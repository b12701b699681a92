"""A listing over one or more accounts, merged newest first, stopped at the row limit or the
token budget, with one cursor for all of them.

The merge is lazy: each account is a `Stream`, and an account is read only when its next row
may be the newest one left. On the first call every account is read once, concurrently; on
later calls the cursor's bounds say which accounts can wait. An account whose scan runs out of
its page budget stops the merge at the last row it looked at, so that rows of other accounts
never overtake rows it has not read yet.

A `RowCheck` (last_from.py), when the listing has one, judges each account's next row before it
is shown: shown (who wrote last filled in), dropped (the walk passes it, as it passes a row its
`keep` filter rejects), or `later`: that account stops here for this call, its cursor position
still before that row, while the other accounts go on.
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import anyio

from leadinbox_mcp.providers.errors import ProviderError
from leadinbox_mcp.providers.model import Conversation, Query
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.tools.listing.cursors import Cursors, Position, fingerprint, positions_of, positions_payload
from leadinbox_mcp.tools.listing.last_from import AHEAD, RowCheck
from leadinbox_mcp.tools.listing.streams import Key, Stream
from leadinbox_mcp.tools.render.rows import row_line, snippet_of
from leadinbox_mcp.tools.results.structured import conversation_json
from leadinbox_mcp.tools.shared.inbox import Inbox, ToolInputError, full_id

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
    arguments: dict[str, object]
    """Everything that shapes the result, for the cursor's fingerprint."""
    keep: dict[str, Keep] = field(default_factory=dict)
    """Per account: a filter the tool applies itself (such accounts get a page budget)."""
    since: datetime | None = None
    """Applied by the tool to accounts that cannot filter by time: their stream ends there."""
    on_page: Callable[[int], Awaitable[None]] | None = None
    """Told the running count of provider pages read, for progress notifications."""
    check: RowCheck | None = None
    """Judges each row before it is shown (who wrote last; awaiting_reply)."""

    @classmethod
    def of(
        cls,
        tool: str,
        accounts: list[Provider],
        query: Query,
        arguments: dict[str, object],
        *,
        since: str | None,
        limit: int,
        response_format: str,
        keep: dict[str, Keep] | None = None,
        on_page: Callable[[int], Awaitable[None]] | None = None,
        check: RowCheck | None = None,
    ) -> Listing:
        """A tool's listing: the arguments every listing tool takes (`since` as the agent wrote it,
        `limit`, `response_format`) with `arguments`, the tool's own, in the cursor's fingerprint."""
        return cls(
            tool=tool,
            accounts=accounts,
            query=query,
            limit=limit,
            detailed=response_format == "detailed",
            arguments=arguments | {"since": since, "format": response_format, "limit": limit},
            keep=keep or {},
            since=query.since,
            on_page=on_page,
            check=check,
        )


@dataclass
class Result:
    rows: list[str]
    conversations: list[dict[str, Any]]
    """Each row's structured content (`conversation_json`)."""
    next_cursor: str | None
    failures: list[str]
    scanned: dict[str, int]
    pages: dict[str, int]
    cut_by_budget: bool
    scan_stopped: bool
    """A page budget ran out before the row limit: more may match further on."""
    notes: list[str] = field(default_factory=list)
    """What the providers' pages said that the answer must carry."""
    budget_spent: bool = False
    """An account's page budget (a filter the tool applies) ran out before its rows did."""


async def run(listing: Listing, inbox: Inbox, cursor: str | None, cursors: Cursors | None = None) -> Result:
    """The listing from `cursor` (a handle or signed cursor that `cursors`, by default signed
    cursors under this process's key, issued for the same arguments; None: the start) on, and
    the next cursor issued the same way."""
    cursors = cursors or Cursors()
    names = [a.account for a in listing.accounts]
    fp = fingerprint(listing.tool, accounts=sorted(names), **listing.arguments)
    positions = positions_of(await cursors.open(cursor, fp), names) if cursor else {n: Position() for n in names}
    pages_read = 0

    async def counted() -> None:
        nonlocal pages_read
        pages_read += 1
        if listing.on_page:
            await listing.on_page(pages_read)

    streams = {
        p.account: Stream(
            provider=p,
            query=listing.query,
            start=positions[p.account],
            # A plain listing needs at most `limit` rows of any account; a scan reads big pages.
            page_size=p.capabilities.max_page_size
            if p.account in listing.keep
            else min(listing.limit, p.capabilities.max_page_size),
            cache=inbox.page_cache,
            resuming=cursor is not None,
            keep=listing.keep.get(p.account, lambda _: True),
            since=listing.since if not p.capabilities.since else None,
            max_pages=inbox.budgets.scan_pages if p.account in listing.keep else None,
            on_page=counted,
        )
        for p in listing.accounts
    }
    failures: dict[str, str] = {}
    refused: list[ToolInputError] = []

    async def fill(stream: Stream) -> None:
        try:
            await stream.fill()
        except ProviderError as exc:
            failures[stream.account] = str(exc)
        except ToolInputError as exc:
            refused.append(exc)

    # First read, concurrently: every account whose next row is unknown (one needs no task).
    first = [s for s in streams.values() if not s.next.done and s.next.bound is None]
    if len(first) == 1:
        await fill(first[0])
    elif first:
        async with anyio.create_task_group() as group:
            for stream in first:
                group.start_soon(fill, stream)
    if refused:
        raise refused[0]

    heap: list[tuple[Key, str]] = []
    for name, stream in streams.items():
        key = stream.bound()
        if name not in failures and not stream.ended and key is not None:
            heap.append((key, name))
    heapq.heapify(heap)

    by_account = {a.account: a for a in listing.accounts}
    show_provider = any(a.account != a.provider for a in listing.accounts)
    budget = inbox.budgets.list_tokens
    lines: list[str] = []
    out = []
    used = FRAME_TOKENS
    # The last `pending` rows were taken without counting their tokens; `uncounted` bounds them:
    # a token is at least one byte of UTF-8, so a line's bytes (+1 for its newline) are more.
    uncounted = pending = 0
    cut_by_budget = False
    while heap and len(lines) < listing.limit:
        key, name = heap[0]
        stream = streams[name]
        if stream.head_key() is None:
            if stream.out_of_budget:
                break  # its unread rows may be newer than anything else left
            await fill(stream)
            if refused:
                raise refused[0]
            heapq.heappop(heap)
            if name not in failures and not stream.ended:
                heapq.heappush(heap, (stream.bound() or key, name))
            continue
        row = stream.ahead[0][0]
        provider = by_account[name]
        if listing.check is not None:
            judged = listing.check.judged(provider, row)
            if judged is None:
                # The next rows of this account, judged together (threads read concurrently): its
                # share of the rows still wanted, as the accounts' rows interleave.
                ahead = max(1, min(AHEAD, -(-(listing.limit - len(lines)) // len(heap))))
                await listing.check.prepare(provider, [r for r, _, _ in stream.ahead[:ahead]])
                judged = listing.check.judged(provider, row)
            verdict, row = judged if judged is not None else ("later", row)
            if verdict == "later":  # this account waits for the next call, right before this row
                heapq.heappop(heap)
                continue
            if verdict == "drop":
                stream.pop()
                heapq.heappop(heap)
                if not stream.ended:
                    heapq.heappush(heap, (stream.bound() or key, name))
                continue
        snippet = snippet_of(row, detailed=listing.detailed)
        line = row_line(
            full_id(provider.account, row.id),
            provider.label,
            row,
            detailed=listing.detailed,
            provider_shown=show_provider,
            snippet=snippet,
        )
        size = (len(line) if line.isascii() else len(line.encode())) + 1
        if used + uncounted + size > budget:
            # The budget may be reached: count exactly, the rows taken so far unread included.
            used += sum(_row_tokens(taken) for taken in lines[len(lines) - pending :]) if pending else 0
            uncounted = pending = 0
            cost = _row_tokens(line)
            if lines and used + cost > budget:
                cut_by_budget = True
                break
            used += cost
        else:  # far from the budget: a row's characters bound its tokens, no need to count them
            uncounted += size
            pending += 1
        stream.pop()
        lines.append(line)
        out.append(conversation_json(name, row, snippet or None))
        heapq.heappop(heap)
        if not stream.ended:
            heapq.heappush(heap, (stream.bound() or key, name))

    # A failed read keeps what its stream had read, so even a failed account resumes right after
    # the rows it handed out in this call, or the pages it looked through.
    final = {name: stream.position() for name, stream in streams.items()}
    if not lines and len(failures) == len([s for s in streams.values() if not s.start.done]) > 0:
        if all(final[name] == stream.start for name, stream in streams.items()):
            # Every account still open failed where it stood: no rows and the same cursor would
            # send the agent round in a circle.
            raise ProviderError(" ".join(failures.values()))
    for stream in streams.values():
        await stream.keep_page()
    more = not all(p.done for p in final.values())
    next_cursor = await cursors.issue(fp, positions_payload(final)) if more else None
    return Result(
        rows=lines,
        conversations=out,
        next_cursor=next_cursor,
        failures=list(failures.values()),
        scanned={name: s.scanned for name, s in streams.items()},
        pages={name: s.pages for name, s in streams.items()},
        cut_by_budget=cut_by_budget,
        scan_stopped=len(lines) < listing.limit and more and not cut_by_budget,
        notes=[note for stream in streams.values() for note in stream.notes],
        budget_spent=any(s.out_of_budget and not s.ended for s in streams.values()),
    )


@lru_cache(maxsize=4096)
def _row_tokens(line: str) -> int:
    """A row's tokens with its newline; remembered, since listings show the same rows again."""
    from leadinbox_mcp.tools.render.tokens import count_tokens  # the tokenizer, on first need

    return count_tokens(line) + 1


def empty() -> Result:
    """The answer when no selected account can take part (e.g. unread_only on InboxBase alone)."""
    return Result([], [], None, [], {}, {}, False, False)


def text_search(text: str) -> Keep:
    """The tool's own version of a provider's text search: name, email or company contains it."""
    needle = text.casefold()

    def keep(c: Conversation) -> bool:
        p = c.correspondent
        return any(needle in (v or "").casefold() for v in (p.name, p.email, p.company))

    return keep
