"""What the benchmarks share: the text of a tool result, timings kept with their median, a
share of cases that passed with the ids of those that did not, the verdict on a target and a
table of results."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def cold_times(fn: Callable[[], Any], cold: Callable[[], None], runs: int) -> list[float]:
    """Milliseconds of `runs` calls of `fn`, each after `cold()` has emptied the caches it would hit."""
    times = []
    for _ in range(runs):
        cold()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def verdict(ok: bool) -> str:
    """What a benchmark prints about a target: "met" or "NOT met"."""
    return "met" if ok else "NOT met"


def aligned(rows: list[dict[str, str]], left: int = 1) -> str:
    """Rows of {column: cell} (at least one, all with the same columns) as a table under its
    column names, between two rules, each column as wide as its widest cell: the first `left`
    columns aligned left, the others (numbers) right."""
    head = list(rows[0])
    cells = [head, *([row[name] for name in head] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(head))]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if i < left else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    rule = "-" * len(line(head))
    return "\n".join([line(head), rule, *map(line, cells[1:]), rule])


def text_of(result: Any) -> str:
    """The text blocks of an MCP tool result, one after the other."""
    return "\n".join(block.text for block in result.content if block.type == "text")


class Timings(list[float]):
    """Times of runs in milliseconds."""

    @property
    def median(self) -> float:
        """Their median; NaN while there are none."""
        return statistics.median(self) if self else float("nan")


@dataclass
class Share:
    """Of the cases counted, how many passed, and the ids of those that did not."""

    passed: int = 0
    counted: int = 0
    failed: list[str] = field(default_factory=list)

    def count(self, case_id: str, passed: bool) -> None:
        self.counted += 1
        self.passed += passed
        if not passed:
            self.failed.append(case_id)

    @property
    def percent(self) -> float:
        return 100 * self.passed / max(1, self.counted)

    def __str__(self) -> str:
        return f"{self.passed}/{self.counted} {self.percent:5.1f}%"
