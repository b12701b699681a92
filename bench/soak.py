"""Soak: thousands of tool calls against all four emulators while 10% of provider requests fail.

Agents walk listings and domain searches to the end (retrying a failed page with the same
cursor, as an agent would) and open threads. Every row is checked against the ground truth
read without faults: a row missing at the end of a walk is lost, a row twice or with other
values is wrong; both must be 0. Prints one table. Run: python -m bench.soak [calls] [rate]
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp import Client

from bench.common import text_of
from leadinbox_mcp.sandbox.faults import FaultProfile
from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import build_server

CONCURRENT_AGENTS = 8
DEADLINE = 1.5
WALKS = [
    ("list_conversations", {"limit": 15}),
    ("list_conversations", {"limit": 7, "response_format": "detailed"}),
    ("list_conversations", {"limit": 20, "unread_only": True}),
    ("search_by_domain", {"domain": "acme.com", "limit": 5}),
]


@dataclass
class Tally:
    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    walks: int = 0
    lost_rows: int = 0
    wrong_rows: int = 0
    wrong_threads: int = 0
    unclean: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 2**20


def fingerprint(row: dict[str, Any]) -> tuple:
    return (row["id"], row["last_activity_at"], row["correspondent"]["email"], row["correspondent"]["name"])


async def ground_truth(client: Client) -> tuple[dict[str, list[tuple]], dict[str, int]]:
    walks = {}
    for tool, arguments in WALKS:
        rows, cursor = [], None
        while True:
            result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
            assert not result.is_error, result.content
            rows += [fingerprint(r) for r in result.structured_content["conversations"]]
            cursor = result.structured_content["next_cursor"]
            if not cursor:
                break
        walks[json.dumps([tool, arguments])] = rows
    threads = {}
    for row in walks[json.dumps(list(WALKS[0]))]:
        result = await client.call_tool("get_thread", {"conversation_id": row[0], "response_format": "detailed"})
        threads[row[0]] = len(result.structured_content["messages"])
    return walks, threads


async def call(client: Client, tally: Tally, tool: str, arguments: dict[str, Any]) -> Any:
    tally.calls += 1
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    if result.is_error:
        clean = "\n" not in text and "Traceback" not in text and "internal error" not in text
        tally.outcomes["failed cleanly" if clean else "failed UNCLEANLY"] += 1
        if not clean:
            tally.unclean.append(text[:300])
        return None
    notes = result.structured_content.get("notes", []) if result.structured_content else []
    partial = any("try again" in n or "time limit" in n or "could not be reached" in n for n in notes)
    tally.outcomes["succeeded partially" if partial else "succeeded fully"] += 1
    return result


async def agent(client: Client, tally: Tally, truth: tuple, budget: int, turn: int) -> None:
    walks, threads = truth
    while tally.calls < budget:
        tool, arguments = WALKS[turn % len(WALKS)]
        turn += 1
        expected = walks[json.dumps([tool, arguments])]
        seen: list[tuple] = []
        cursor = None
        for _ in range(200):
            result = await call(client, tally, tool, {**arguments, **({"cursor": cursor} if cursor else {})})
            if result is None:
                continue  # retry the same page, as an agent would
            seen += [fingerprint(r) for r in result.structured_content["conversations"]]
            cursor = result.structured_content["next_cursor"]
            if not cursor:
                break
        tally.walks += 1
        truth_ids = {row[0]: row for row in expected}
        got_ids = [row[0] for row in seen]
        tally.lost_rows += len(set(truth_ids) - set(got_ids))
        repeated = [i for i, n in Counter(got_ids).items() if n > 1]
        differing = [(row, truth_ids.get(row[0])) for row in seen if truth_ids.get(row[0]) != row]
        tally.wrong_rows += len(got_ids) - len(set(got_ids)) + len(differing)
        tally.details += [f"{tool} {arguments}: repeated {r}" for r in repeated] + [
            f"{tool} {arguments}: got {g} expected {e}" for g, e in differing
        ]
        for row in seen[:3]:
            thread = await call(client, tally, "get_thread", {"conversation_id": row[0], "response_format": "detailed"})
            if (
                thread is not None
                and row[0] in threads
                and len(thread.structured_content["messages"]) != threads[row[0]]
            ):
                tally.wrong_threads += 1


async def soak(calls: int, rate: float) -> tuple[Tally, dict[str, float]]:
    profile = FaultProfile.uniform(rate, slow_seconds=0.3, hang_seconds=DEADLINE + 3)
    facts: dict[str, float] = {}
    with sandbox() as clean_accounts:
        async with Client(build_server(clean_accounts, requests_per_second=1000)) as client:
            truth = await ground_truth(client)
    with sandbox(profile) as accounts:
        async with Client(build_server(accounts, deadline=DEADLINE, requests_per_second=1000)) as client:
            gc.collect()
            facts["memory before (MiB)"] = rss_mib()
            tally = Tally()
            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for n in range(CONCURRENT_AGENTS):
                    group.start_soon(agent, client, tally, truth, calls, n)
            facts["seconds"] = time.perf_counter() - started
            gc.collect()
            facts["memory after (MiB)"] = rss_mib()
    return tally, facts


def table(tally: Tally, facts: dict[str, float], rate: float) -> str:
    rows = [
        ("tool calls", tally.calls),
        ("fault rate of provider requests", f"{rate:.0%}"),
        *(
            (name, tally.outcomes[name])
            for name in ("succeeded fully", "succeeded partially", "failed cleanly", "failed UNCLEANLY")
        ),
        ("walks to the end (list + search)", tally.walks),
        ("lost rows", tally.lost_rows),
        ("wrong or repeated rows", tally.wrong_rows),
        ("threads with wrong message count", tally.wrong_threads),
        ("wall time (s)", f"{facts['seconds']:.1f}"),
        (
            "server memory before / after (MiB)",
            f"{facts['memory before (MiB)']:.1f} / {facts['memory after (MiB)']:.1f}",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str]) -> int:
    calls = int(argv[0]) if argv else 2000
    rate = float(argv[1]) if len(argv) > 1 else 0.10
    tally, facts = anyio.run(soak, calls, rate)
    print(table(tally, facts, rate))
    for text in tally.unclean[:5]:
        print("unclean:", text)
    for text in tally.details[:10]:
        print("wrong:", text)
    bad = tally.lost_rows or tally.wrong_rows or tally.wrong_threads or tally.outcomes["failed UNCLEANLY"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
