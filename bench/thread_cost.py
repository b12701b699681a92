"""What get_thread's rendering costs as a thread grows: `python -m bench.thread_cost`.

Two synthetic HTML threads, 50 and 1,000 messages (Gmail and Outlook replies that quote the
history, signatures, disclaimers, a campaign footer: bench/render.py's messages), rendered the
way get_thread renders them (`render_thread`, the production budget of 8,000 tokens), concise
and detailed, side by side:

- first call: the first get_thread call on the thread (median of several runs).
- cursor pages: every page the `cursor` then reads (older_than), one after the other; the
  mean per page and the whole walk (first call included).
- at once: the whole thread in one call (a budget that fits everything), for comparison with
  the walk.
- bodies converted: calls of the body converter (`body()`) in the first call.

Times are CPU time (time.process_time) of one call, with every render cache cleared before each
call (a replica that never saw the thread: the worst case), so no call reuses another's work.
Target (issue 13): a 1,000-message thread costs at most 4x a 50-message one, on the first call
and on each cursor page.

Quoting: in bench/render.py every reply quotes the whole history, so message n carries n-1
messages; at 1,000 messages that is ~750 MB of HTML. Here each reply quotes the 10 messages
before it (nested as mail clients nest them), which keeps the 1,000-message thread at ~13 MB;
the quote cut makes deeper history nearly free to skip anyway.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import ModuleType

from bench.common import aligned, verdict
from bench.render import _LEAD, _REP, _TOPICS, _campaign, _gmail, _outlook
from leadinbox_mcp.providers.model import Conversation, Message, Thread
from leadinbox_mcp.tools.render import body as body_module
from leadinbox_mcp.tools.render import html as html_module
from leadinbox_mcp.tools.render import quotes as quotes_module
from leadinbox_mcp.tools.render import safety as safety_module
from leadinbox_mcp.tools.render import thread as thread_module
from leadinbox_mcp.tools.render.thread import render_thread

BUDGET = 8000
"""The production budget of one get_thread text (Budgets.thread_tokens)."""
AT_ONCE = 10_000_000
QUOTE_DEPTH = 10
RUNS = 5
SIZES = (50, 1000)
TARGET = 4.0
_CACHED_MODULES: tuple[ModuleType, ...] = (html_module, quotes_module, body_module, thread_module, safety_module)


def thread_of(count: int, depth: int = QUOTE_DEPTH) -> Thread:
    """`count` messages, alternating the lead's Outlook replies and our Gmail answers after a
    campaign opener; each reply quotes the `depth` messages before it."""
    start = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    written: list[tuple[str, str, datetime]] = []
    messages: list[Message] = []

    def html_of(index: int, levels: int) -> str:
        kind, text, when = written[index]
        if kind == "campaign":
            return _campaign(text)
        quote = html_of(index - 1, levels - 1) if index > 0 and levels > 0 else None
        return (_outlook if kind == "outlook" else _gmail)(text, quote, when - timedelta(hours=19))

    for i in range(count):
        when = start + timedelta(hours=19 * i)
        topic = _TOPICS[i % len(_TOPICS)]
        if i == 0:
            kind = "campaign"
            text = f"Hi Dana,\n\nMost RevOps leaders I talk to lose Monday morning to reconciling the CRM. Worth 20 minutes on {topic}?"
        elif i % 2:
            kind = "outlook"
            text = (
                f"Hi Sam,\n\nThanks. On {topic}: we discussed it internally and have two questions. "
                f"Can you confirm how it works for our setup (message {i + 1})? And what is the timeline?"
            )
        else:
            kind = "gmail"
            text = (
                f"Hi Dana,\n\nGood questions. On {topic}: yes, that works for a separate instance, and the "
                f"timeline is two weeks from signature (message {i + 1}). I'll send the details today."
            )
        written.append((kind, text, when))
        inbound = kind == "outlook"
        messages.append(
            Message(
                direction="inbound" if inbound else "outbound",
                at=when,
                sender=_LEAD if inbound else _REP,
                subject="Forecast pilot",
                html=html_of(i, depth),
                kind="reply" if i else "sent",
            )
        )
    conversation = Conversation(
        id=f"synthetic{count}",
        provider="sendkit",
        correspondent=_LEAD,
        last_activity_at=messages[-1].at,
        subject="Forecast pilot",
        message_count=count,
    )
    return Thread(conversation=conversation, messages=tuple(messages))


def cold() -> None:
    """Forget every cached rendering (whatever lru_caches the render modules keep)."""
    for module in _CACHED_MODULES:
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


@contextmanager
def counting_bodies() -> Iterator[list[int]]:
    """Counts calls of the body converter as render_thread makes them (instrumentation only)."""
    calls = [0]
    original = thread_module.body

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    thread_module.body = counted
    try:
        yield calls
    finally:
        thread_module.body = original


def cpu_ms(fn: Callable[[], object]) -> float:
    cold()
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


class Measured:
    def __init__(self, size: int, detailed: bool) -> None:
        self.size = size
        self.detailed = detailed
        self.first = 0.0
        self.pages: list[float] = []
        self.at_once = 0.0
        self.converted = 0
        self.shown = 0

    @property
    def format(self) -> str:
        return "detailed" if self.detailed else "concise"

    @property
    def page_mean(self) -> float:
        return statistics.fmean(self.pages) if self.pages else float("nan")

    @property
    def walk(self) -> float:
        return self.first + sum(self.pages)


def measure(thread: Thread, detailed: bool) -> Measured:
    m = Measured(len(thread.messages), detailed)

    def call(older_than: int | None = None, budget: int = BUDGET):
        return render_thread("SendKit", thread, detailed=detailed, budget=budget, older_than=older_than)

    m.first = statistics.median(cpu_ms(call) for _ in range(RUNS))
    cold()
    with counting_bodies() as calls:
        first = call()
    m.converted, m.shown = calls[0], len(first.messages)
    older_than = first.older_than
    while older_than is not None:
        box: list = []
        m.pages.append(cpu_ms(lambda: box.append(call(older_than))))
        older_than = box[0].older_than
    m.at_once = cpu_ms(lambda: call(budget=AT_ONCE))
    return m


def table(rows: list[Measured]) -> str:
    return aligned(
        [
            {
                "thread": f"{r.size:,} messages",
                "format": r.format,
                "first call ms": f"{r.first:.1f}",
                "bodies converted": f"{r.converted:,}",
                "messages shown": f"{r.shown:,}",
                "cursor pages": str(len(r.pages)),
                "ms/page": f"{r.page_mean:.1f}" if r.pages else "-",
                "walk ms": f"{r.walk:.1f}",
                "at once ms": f"{r.at_once:.1f}",
            }
            for r in rows
        ],
        left=2,
    )


def verdicts(rows: list[Measured]) -> list[str]:
    """A line per check of the long thread against the short one, then the target's verdict."""
    small, big = min(SIZES), max(SIZES)
    lines, met = [], True
    for detailed in (False, True):
        a = next(r for r in rows if r.size == small and r.detailed == detailed)
        b = next(r for r in rows if r.size == big and r.detailed == detailed)
        checks = [("first call", b.first / a.first)]
        if b.pages:
            # A cursor page of the long thread against one call on the short one: both show a budget's worth.
            checks.append(("cursor page (mean)", b.page_mean / a.first))
        for name, ratio in checks:
            ok = ratio <= TARGET
            met &= ok
            lines.append(
                f"{a.format:8} {name:18} {big:,}/{small}: {ratio:5.2f}x  {verdict(ok)} (target <= {TARGET:g}x)"
            )
        lines.append(
            f"{a.format:8} {'walk / at once':18} {big:,} messages: {b.walk / b.at_once:5.2f}x  "
            f"(every cursor page read, against the whole thread in one call)"
        )
    lines.append(
        f"target (issue 13): a {big:,}-message thread costs at most {TARGET:g}x a {small}-message one: {verdict(met)}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    render_thread("SendKit", thread_of(5), detailed=False, budget=BUDGET)  # load the tokenizer and parsers
    rows = []
    for size in SIZES:
        thread = thread_of(size)
        for detailed in (False, True):
            rows.append(measure(thread, detailed))
    html_mb = sum(len(m.html or "") for m in thread_of(max(SIZES)).messages) / 1e6
    print(table(rows))
    print(f"CPU ms per call, caches cleared before each; budget {BUDGET:,} tokens; first call: median of {RUNS} runs;")
    print(
        f"  the {max(SIZES):,}-message thread holds {html_mb:.1f} MB of HTML (each reply quotes {QUOTE_DEPTH} messages)."
    )
    print("\n".join(verdicts(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
