from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Annotated, Literal

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from inbox_mcp.providers.http import time_left
from inbox_mcp.providers.model import Thread
from inbox_mcp.tools.listing.cursors import cursors_of, fingerprint
from inbox_mcp.tools.render.rows import CONCISE_SNIPPET, DETAILED_SNIPPET
from inbox_mcp.tools.render.safety import one_line
from inbox_mcp.tools.results.result import inbox_of, result
from inbox_mcp.tools.results.structured import ThreadOut, conversation_out
from inbox_mcp.tools.shared.inbox import ToolInputError, full_id

if TYPE_CHECKING:
    from inbox_mcp.tools.render.thread import Rendered


async def get_thread(
    ctx: Context,
    conversation_id: Annotated[str, Field(description="An id from list_conversations or search_by_domain, e.g. 'sendkit:664a1b2c3d4e5f6a7b8c9d0e'.", max_length=300)],
    cursor: Annotated[str | None, Field(description="next_cursor of the previous get_thread call on this conversation, to read older messages in full.")] = None,
    response_format: Literal["concise", "detailed"] = "concise",
) -> Annotated[CallToolResult, ThreadOut]:
    """Read one conversation before answering it: who the lead is (name, email, title, company),
    campaign, tags and read state, then every message oldest first as clean text (quoted history,
    HTML and tracking removed) with direction, date, attachments, and opened/clicked for our
    emails, then replies already scheduled but not sent (do not draft a second one on top).
    Auto-replies and our earlier campaign steps take one line each; long threads show the
    newest messages in full and older ones as one line, and `cursor` reads those. `detailed`
    keeps everything in full, with link targets and what was trimmed."""
    inbox = inbox_of(ctx)
    provider, native = inbox.resolve(conversation_id)
    thread_id = full_id(provider.account, native)
    fp = fingerprint("get_thread", id=thread_id, format=response_format)
    cursors = cursors_of(ctx)
    older_than = None
    if cursor:
        payload = await cursors.open(cursor, fp)
        if not isinstance(payload, dict) or not isinstance(payload.get("older_than"), int) or payload["older_than"] < 2:
            raise ToolInputError("That cursor is malformed; start again without a cursor.")
        older_than = payload["older_than"]
    # Only a cursor reads the cache (the same thread's older part, moments later, maybe on
    # another replica): a first call always reads the provider fresh.
    thread = await inbox.thread_cache.get((thread_id,)) if cursor else None
    cached = thread is not None
    if thread is None:
        thread = await provider.get_thread(native)
    detailed = response_format == "detailed"
    rendered = await render_in_worker(
        provider.label, thread, detailed=detailed, budget=inbox.budgets.thread_tokens, older_than=older_than
    )
    next_cursor = await cursors.issue(fp, {"older_than": rendered.older_than}) if rendered.older_than else None
    if next_cursor and not cached:
        await inbox.thread_cache.put((thread_id,), thread)  # kept only when a cursor may come back for it
    text = rendered.text
    if next_cursor:
        text += f'\nOlder messages: call get_thread with conversation_id="{thread_id}" and cursor="{next_cursor}".'
    structured = ThreadOut(
        conversation=conversation_out(provider.account, thread.conversation, _snippet(rendered, thread, detailed)),
        messages=rendered.messages,
        events=rendered.events,
        scheduled_replies=rendered.scheduled,
        next_cursor=next_cursor,
        notes=list(thread.notes),
    )
    return result(text, structured)


def _snippet(rendered: Rendered, thread: Thread, detailed: bool) -> str | None:
    """The newest message's first words as rendered (what its HTML shows, never a text part that
    says something else), when this call shows it."""
    newest = rendered.messages[-1] if rendered.messages else None
    if newest is None or newest.number != len(thread.messages) or not newest.text:
        return None
    return one_line(newest.text, DETAILED_SNIPPET if detailed else CONCISE_SNIPPET)


# ---------------------------------------------------------------------------------------------
# Rendering off the event loop, within the call's deadline (get_thread and the draft_reply prompt)
# ---------------------------------------------------------------------------------------------

RENDER_THREADS = 2
"""Threads that render at once per server (one CapacityLimiter, see `rendering_limited_by`):
rendering is CPU work, so more would only take time from the event loop that answers calls."""
_render_limiter: ContextVar[anyio.CapacityLimiter | None] = ContextVar("inbox_mcp_render_limiter", default=None)


class OutOfTime(Exception):
    """The call's deadline ran out in this server's own work (rendering), not at a provider; the
    message is the one sentence to show."""


@contextmanager
def rendering_limited_by(limiter: anyio.CapacityLimiter) -> Iterator[None]:
    """Renders started inside (by `render_in_worker`) share `limiter`'s worker threads."""
    token = _render_limiter.set(limiter)
    try:
        yield
    finally:
        _render_limiter.reset(token)


async def render_in_worker(
    label: str, thread: Thread, *, detailed: bool, budget: int, older_than: int | None = None
) -> Rendered:
    """`render_thread` in a worker thread, so that the event loop keeps answering other calls
    (and /healthz) meanwhile, and within the call's deadline: when it comes, the render stops
    before its next message (the worker checks between messages) and the call gets one sentence.
    The wait for a free worker counts against the deadline too."""
    # Imported on first use: the HTML and CSS stack costs start-up time that a server which has
    # not rendered a thread yet need not pay.
    from inbox_mcp.tools.render.thread import render_thread

    work = partial(
        render_thread, label, thread, detailed=detailed, budget=budget, older_than=older_than,
        checkpoint=anyio.from_thread.check_cancelled,
    )
    try:
        with anyio.fail_after(time_left()):  # None: no deadline
            # abandon_on_cancel=False: a render never outlives its call unseen, so no more than
            # the limiter's threads ever render at once; it stops at its next checkpoint instead.
            return await anyio.to_thread.run_sync(work, limiter=_render_limiter.get())
    except TimeoutError:
        raise OutOfTime(
            f"This {label} thread ({len(thread.messages):,} messages) could not be rendered within this "
            "call's time limit; try again in a moment."
        ) from None
