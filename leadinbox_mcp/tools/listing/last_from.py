"""Who wrote last, where a provider's list row does not say it, and the awaiting_reply filter.

SendKit and SendPilot say on each list row who wrote the newest message (`isFromLead`,
`direction`): their clients fill `Conversation.last_from` from it. lemlist and InboxBase do not:
only the thread tells (each client fills `last_from` of the thread it reads).

- A plain listing never reads a thread for it: twenty lemlist rows would be twenty-one requests,
  a whole window of lemlist's documented 20 requests per 2 s, shared with every other tool on
  that key. It fills `last_from` from the thread cache where a thread was read moments ago
  (`FromCache`), and the answer names the accounts whose rows are left blank (`blank_note`).
- `awaiting_reply` (`AwaitingReply`) keeps the conversations whose newest message is the lead's
  and that have no reply scheduled (pending or sending). It reads the threads it needs, through
  the same cache, a few at a time and within the call's time budget: a row whose list says we
  wrote last needs none; a row whose list says the lead did needs one only where the provider
  shows scheduled replies (`shows_scheduled_replies` on its client: SendKit).

Both are a `RowCheck`, which the merge asks about each account's next row before it shows it
(merge.py): show it (with `last_from` filled in), drop it (the walk passes it: a cursor never
brings it back), or stop that account here for this call (`later`: its thread could not be read
in time or at all; the cursor resumes at that very row, so nothing is skipped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

import anyio

from leadinbox_mcp.providers.errors import NotFoundError, ProviderError
from leadinbox_mcp.providers.http import time_left
from leadinbox_mcp.providers.model import Conversation, Thread
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.tools.listing.caches import THREAD_TTL, ThreadCache
from leadinbox_mcp.tools.shared.inbox import full_id

Verdict = Literal["show", "drop", "later"]
Judged = tuple[Verdict, Conversation]
"""What the merge does with a row, and the row to show (its `last_from` filled in)."""

FETCHES_AT_ONCE = 4
"""Threads one call reads at the same time (each provider's rate limit still applies)."""
AHEAD = 8
"""Rows of one account judged together, the next one to show and those after it."""
RESERVE = 1.0
"""Seconds of the call's deadline kept for the answer: no thread read starts with less left,
and one still on its way then is given up (at most a quarter of the call's time)."""
SCHEDULED = frozenset({"pending", "sending"})
"""Statuses of a scheduled reply that is on its way (documented: pending | sending | failed)."""
UNCLEAR_IDS = 3
"""Ids an answer names of the conversations left out as undecided (then a count)."""


class RowCheck(Protocol):
    def judged(self, provider: Provider, row: Conversation) -> Judged | None:
        """The verdict on an account's next row, or None until `prepare` has seen it."""
        ...

    async def prepare(self, provider: Provider, rows: Sequence[Conversation]) -> None:
        """Make ready the verdicts on these rows of one account (its next row first)."""
        ...


async def _cached(cache: ThreadCache, provider: Provider, row: Conversation) -> Thread | None:
    """The thread read moments ago, when it is at least as new as the row (else it tells about
    an older state of the conversation)."""
    thread = await cache.get((full_id(provider.account, row.id),))
    if thread is None:
        return None
    listed, read = row.last_activity_at, thread.conversation.last_activity_at
    return thread if listed is not None and read is not None and read >= listed else None


class FromCache:
    """A plain listing: `last_from` from a thread cached in the last THREAD_TTL seconds where the
    list row does not say it. Reads no thread; every row is shown."""

    def __init__(self, cache: ThreadCache) -> None:
        self._cache = cache
        self._rows: dict[tuple[str, str], Conversation] = {}

    def judged(self, provider: Provider, row: Conversation) -> Judged | None:
        if row.last_from is not None:
            return "show", row
        found = self._rows.get((provider.account, row.id))
        return None if found is None else ("show", found)

    async def prepare(self, provider: Provider, rows: Sequence[Conversation]) -> None:
        for row in rows:
            key = (provider.account, row.id)
            if row.last_from is not None or key in self._rows:
                continue
            thread = await _cached(self._cache, provider, row)
            told = thread.conversation.last_from if thread is not None else None
            self._rows[key] = row.model_copy(update={"last_from": told}) if told else row


def blank_note(conversations: Sequence[Mapping[str, Any]], hint: str) -> str | None:
    """The sentence for a listing that shows rows without who wrote last, naming their accounts."""
    accounts = sorted({c["account"] for c in conversations if c["last_from"] is None})
    if not accounts:
        return None
    lists = "its list does" if len(accounts) == 1 else "their lists do"
    return (
        f"{', '.join(accounts)}: {lists} not say who wrote last; rows show it only where the thread was read in the "
        f"last {THREAD_TTL:g} s ({hint})."
    )


class AwaitingReply:
    """awaiting_reply: the conversations whose newest message is the lead's, with no reply
    scheduled. Made per call (it judges within that call's deadline); `notes()` says afterwards
    which accounts it could not decide for."""

    def __init__(self, cache: ThreadCache) -> None:
        self._cache = cache
        self._verdicts: dict[tuple[str, str], tuple[Literal["show", "drop", "unclear", "later"], Conversation]] = {}
        self._why: dict[tuple[str, str], str] = {}
        self._later: dict[str, str] = {}
        self._unclear: dict[str, list[str]] = {}
        self._fetches = anyio.CapacityLimiter(FETCHES_AT_ONCE)
        start = time_left()
        self._reserve = RESERVE if start is None else min(RESERVE, max(0.0, start) / 4)

    @staticmethod
    def keep(c: Conversation) -> bool:
        """What the list row alone rules out: a conversation where we wrote last (no thread read)."""
        return c.last_from != "us"

    @staticmethod
    def _needs_thread(provider: Provider, row: Conversation) -> bool:
        if row.last_from == "us":
            return False
        # Unknown providers are assumed to show scheduled replies: a thread read, never a guess.
        return row.last_from is None or getattr(provider, "shows_scheduled_replies", True)

    def judged(self, provider: Provider, row: Conversation) -> Judged | None:
        if not self._needs_thread(provider, row):
            return ("show", row) if row.last_from == "lead" else ("drop", row)
        key = (provider.account, row.id)
        found = self._verdicts.get(key)
        if found is None:
            return None
        verdict, shown = found
        if verdict == "later":
            self._later.setdefault(provider.account, self._why[key])
            return "later", shown
        if verdict == "unclear":
            self._unclear.setdefault(provider.account, []).append(full_id(provider.account, row.id))
            return "drop", shown
        return verdict, shown

    async def prepare(self, provider: Provider, rows: Sequence[Conversation]) -> None:
        todo = [r for r in rows if self._needs_thread(provider, r) and (provider.account, r.id) not in self._verdicts]
        if len(todo) == 1:
            await self._judge(provider, todo[0])
        elif todo:
            async with anyio.create_task_group() as group:
                for row in todo:
                    group.start_soon(self._judge, provider, row)

    async def _judge(self, provider: Provider, row: Conversation) -> None:
        key = (provider.account, row.id)
        thread = await _cached(self._cache, provider, row)
        if thread is None:
            try:
                thread = await self._read(provider, row)
            except NotFoundError:
                self._verdicts[key] = ("unclear", row)  # listed, but its thread is gone: named, not kept
                return
            except ProviderError as exc:
                reason = str(exc).removeprefix(f"{provider.account}: ").rstrip(".")
                self._why[key] = (
                    f"{provider.account}: could not tell which of its conversations await a reply from here on, "
                    f"a thread could not be read ({reason}); the cursor resumes there."
                )
                thread = None
            else:
                if thread is None:
                    self._why[key] = (
                        f"{provider.account}: this call's time ran out before the threads that tell whether its "
                        "conversations await a reply were read; the cursor resumes there."
                    )
            if thread is None:
                self._verdicts[key] = ("later", row)
                return
            await self._cache.put((full_id(provider.account, row.id),), thread)
        self._verdicts[key] = self._verdict(row, thread)

    async def _read(self, provider: Provider, row: Conversation) -> Thread | None:
        """The thread from the provider; None when the call's time left (less its reserve) is up
        before it comes."""
        async with self._fetches:
            left = time_left()
            if left is not None and left <= self._reserve:
                return None
            with anyio.move_on_after(None if left is None else left - self._reserve):
                return await provider.get_thread(row.id)
        return None

    @staticmethod
    def _verdict(row: Conversation, thread: Thread) -> tuple[Literal["show", "drop", "unclear", "later"], Conversation]:
        """The thread, read after the list, has the last word; the list row where it says nothing."""
        last = thread.conversation.last_from or row.last_from
        if last is None:
            return "unclear", row
        if last == "us":
            return "drop", row.model_copy(update={"last_from": "us"})
        if any((s.status or "") in SCHEDULED for s in thread.scheduled):
            return "drop", row.model_copy(update={"last_from": "lead"})
        return "show", row.model_copy(update={"last_from": "lead"})

    def notes(self) -> list[str]:
        """Which accounts could not be decided in this call, and what was left out as undecided."""
        notes = list(self._later.values())
        for account, ids in self._unclear.items():
            shown = ", ".join(ids[:UNCLEAR_IDS]) + (
                f" and {len(ids) - UNCLEAR_IDS} more" if len(ids) > UNCLEAR_IDS else ""
            )
            notes.append(
                f"{account}: left out as undecided, their threads do not tell who wrote last (get_thread shows "
                f"what they hold): {shown}."
            )
        return notes
