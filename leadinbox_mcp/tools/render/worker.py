"""Rendering off the event loop, within the call's deadline (get_thread, the draft_reply prompt,
and get_attachment's extraction)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Required, TypedDict, TypeVar, Unpack

import anyio
import anyio.from_thread
import anyio.to_thread

from leadinbox_mcp.providers.http import time_left
from leadinbox_mcp.providers.model import Thread

if TYPE_CHECKING:
    from leadinbox_mcp.tools.render.thread import Rendered

T = TypeVar("T")
RENDER_THREADS = 2
"""Threads that render at once per server (one CapacityLimiter, see `rendering_limited_by`):
rendering is CPU work, so more would only take time from the event loop that answers calls."""
_render_limiter: ContextVar[anyio.CapacityLimiter | None] = ContextVar("leadinbox_mcp_render_limiter", default=None)


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


class Layout(TypedDict, total=False):
    """`render_thread`'s keyword arguments that `render_in_worker` passes on (mypy holds them to
    its signature)."""

    detailed: Required[bool]
    budget: Required[int]
    older_than: int | None
    reply_ids: bool


async def render_in_worker(label: str, thread: Thread, **layout: Unpack[Layout]) -> Rendered:
    """`render_thread` in a worker thread, so that the event loop keeps answering other calls
    (and /healthz) meanwhile, and within the call's deadline: when it comes, the render stops
    before its next message (the worker checks between messages) and the call gets one sentence.
    The wait for a free worker counts against the deadline too."""
    # Imported on first use: the HTML and CSS stack costs start-up time that a server which has
    # not rendered a thread yet need not pay.
    from leadinbox_mcp.tools.render.thread import render_thread

    work = partial(render_thread, label, thread, checkpoint=anyio.from_thread.check_cancelled, **layout)
    return await in_worker(
        work,
        f"This {label} thread ({len(thread.messages):,} messages) could not be rendered within this "
        "call's time limit; try again in a moment.",
    )


async def in_worker(work: Callable[[], T], out_of_time: str) -> T:
    """`work` (CPU-bound) in one of the server's worker threads, within the call's deadline;
    OutOfTime with the sentence `out_of_time` when the deadline comes first. `work` itself must
    stop soon after (it checks the deadline, or anyio's cancellation, as it goes)."""
    try:
        with anyio.fail_after(time_left()):  # None: no deadline
            # abandon_on_cancel=False: work never outlives its call unseen, so no more than the
            # limiter's threads ever run at once; it stops at its next checkpoint instead.
            return await anyio.to_thread.run_sync(work, limiter=_render_limiter.get())
    except TimeoutError:
        raise OutOfTime(out_of_time) from None
