"""The event loop's longest stall while the server reads a hostile answer: `python -m bench.stall`.

Each answer is 12-15 MB of what a broken or hostile provider could send, inside the 16 MiB a
response may have: millions of tiny JSON values where a page has a few dozen. The server
(`mcp.Client` in memory, the provider a raw ASGI app on loopback serving the bytes ready-made)
makes one call that reads it, while a task on the server's loop wakes every 5 ms: the longest gap
between two wake-ups is how long every other call, and an HTTP server's /healthz, would have
waited. Each shape is read in a process of its own, on a fresh server (no cache) after a warm-up
call of the same tool on a small answer (imports), a few times; the table gives the median and
the worst, and how far the process's peak memory rose above what it held with the answer's
bytes ready (the parsed JSON while it is read: reading is synchronous on the loop, so a process
reads one answer at a time).

Target (issue 13): no upstream stalls the server; while one call reads, others answer within a
second. For scale, a normal 20-row answer is in the first row.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import Client

from bench.common import aligned, text_of, verdict
from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server

KEY = "sk_live_bench_8d1f0c2b9a7e4f31"
TICK = 0.005
RUNS = 3
IDENTITY = "alice@inboxbase.bench"
ROW = {"id": "664a1b2c3d4e5f6a7b8c9d0e", "lead": {"email": "ana@acme.com"}, "repliedAt": "2026-11-01T12:00:00Z"}


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _sendkit_page(rows: list[dict], **beside: Any) -> bytes:
    return _json({"success": True, "data": rows, "pagination": {}, **beside})


def _lemlist_activities(count: int, cc: int) -> bytes:
    activity = {"type": "emailsReplied", "message": "hi", "createdAt": "2026-11-01T12:00:00Z", "cc": [{}] * cc}
    return _json({"data": [{**activity, "_id": f"act{i}"} for i in range(count)], "pagination": {"totalItems": count}})


def _inboxbase_page(labels: int) -> bytes:
    row = {"id": "conv_1", "with": "ana@acme.com", "lastEventAt": 1793534400000, "labels": [{}] * labels}
    return _json({"conversations": [row]})


@dataclass
class Shape:
    name: str
    provider: str
    path: str
    hostile: Callable[[], bytes]
    small: bytes
    tool: str
    arguments: dict[str, Any]


LISTING = ("list_conversations", {"limit": 5})
SHAPES = [
    Shape(
        "a normal page: 20 rows",
        "sendkit",
        "/v1/inbox",
        lambda: _sendkit_page([{**ROW, "id": f"664a1b2c3d4e5f6a7b8c9d{i:02d}"} for i in range(20)]),
        _sendkit_page([ROW]),
        *LISTING,
    ),
    Shape(
        "a row with 3.5 million tags",
        "sendkit",
        "/v1/inbox",
        lambda: _sendkit_page([{**ROW, "tags": ["x"] * 3_500_000}]),
        _sendkit_page([ROW]),
        *LISTING,
    ),
    Shape(
        "5 million empty lists and one byte not UTF-8",
        "sendkit",
        "/v1/inbox",
        lambda: _sendkit_page([ROW], pad=[[]] * 5_000_000)[:-1] + b',"x":"\xff"}',
        _sendkit_page([ROW]),
        *LISTING,
    ),
    Shape(
        "5 million empty strings and the account's key",
        "sendkit",
        "/v1/inbox",
        lambda: _sendkit_page([{**ROW, "status": KEY}], pad=[""] * 5_000_000),
        _sendkit_page([ROW]),
        *LISTING,
    ),
    Shape(
        "a thread of 1,000 activities with 4,000 cc each",
        "lemlist",
        "/api/inbox/ctc_1",
        lambda: _lemlist_activities(1_000, 4_000),
        _lemlist_activities(1, 1),
        "get_thread",
        {"conversation_id": "lemlist:ctc_1"},
    ),
    Shape(
        "a row with 4 million labels",
        "inboxbase",
        f"/v1/identities/{IDENTITY}/conversations",
        lambda: _inboxbase_page(4_000_000),
        _inboxbase_page(1),
        *LISTING,
    ),
]


class Canned:
    """A provider that answers one path with the bytes it is given (404 elsewhere)."""

    def __init__(self, path: str) -> None:
        self.path, self.body = path, b"{}"

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        found = scope["path"] == self.path
        body = self.body if found else b'{"error":"not found"}'
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200 if found else 404, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _accounts(provider: str, url: str) -> Callable[[HttpClient], list[Provider]]:
    if provider == "sendkit":
        from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings

        sendkit = SendKitSettings(api_key=KEY, base_url=url)
        return lambda http: [SendKitClient("sendkit", sendkit, http, "SENDKIT_API_KEY")]
    if provider == "lemlist":
        from leadinbox_mcp.providers.lemlist.client import LemlistClient, LemlistSettings

        lemlist = LemlistSettings(api_key=KEY, base_url=url)
        return lambda http: [LemlistClient("lemlist", lemlist, http, "LEMLIST_API_KEY")]
    from leadinbox_mcp.providers.inboxbase.client import InboxBaseSettings, accounts

    return accounts(InboxBaseSettings(api_key=KEY, base_url=url, identity=IDENTITY))


async def _longest_stall(shape: Shape, hostile: bytes) -> tuple[float, float, str]:
    """The longest gap between two wake-ups of a 5 ms ticker on the server's loop during the call,
    the call's seconds, and the first words of its answer."""
    app = Canned(shape.path)
    with LoopbackServer(app) as provider:
        server = build_server(_accounts(shape.provider, provider.url), requests_per_second=1000.0)
        async with Client(server) as client:
            app.body = shape.small
            await client.call_tool(shape.tool, shape.arguments)
            app.body = hostile
            longest = 0.0
            done = anyio.Event()

            async def ticker() -> None:
                nonlocal longest
                last = time.perf_counter()
                while not done.is_set():
                    await anyio.sleep(TICK)
                    now = time.perf_counter()
                    longest, last = max(longest, now - last - TICK), now

            async with anyio.create_task_group() as group:
                group.start_soon(ticker)
                await anyio.sleep(0.05)
                longest, started = 0.0, time.perf_counter()
                result = await client.call_tool(shape.tool, shape.arguments)
                took = time.perf_counter() - started
                done.set()
    words = " ".join(text_of(result).split())
    return longest, took, ("error: " if result.is_error else "") + (words[:100] + "…" if len(words) > 100 else words)


async def _measure_one(index: int) -> dict[str, Any]:
    """One shape, RUNS times, in this process (a child of `main`): its stalls, times, first
    words, and how much this process's peak memory grew while it read them."""
    shape = SHAPES[index]
    hostile = shape.hostile()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    runs = [await _longest_stall(shape, hostile) for _ in range(RUNS)]
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    return {
        "MB": len(hostile) / 1e6,
        "stalls": [stall for stall, _, _ in runs],
        "took": [took for _, took, _ in runs],
        "said": runs[-1][2],
        "grown MiB": grown / 1024,
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--shape"]:
        print(json.dumps(anyio.run(_measure_one, int(argv[1]))))
        return 0
    rows, said = [], {}
    for index, shape in enumerate(SHAPES):  # each in a process of its own: its own peak memory
        child = subprocess.run(
            [sys.executable, "-m", "bench.stall", "--shape", str(index)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout.splitlines()[-1])
        said[shape.name] = figures["said"]
        rows.append(
            {
                "answer": shape.name,
                "provider": shape.provider,
                "MB": f"{figures['MB']:.1f}",
                "longest stall ms (median)": f"{statistics.median(figures['stalls']) * 1000:.0f}",
                "worst": f"{max(figures['stalls']) * 1000:.0f}",
                "call s": f"{statistics.median(figures['took']):.2f}",
                "peak memory +MiB": f"{figures['grown MiB']:.0f}",
            }
        )
    print(aligned(rows, left=2))
    for name, words in said.items():
        print(f"{name}: {words}")
    worst = max(float(row["worst"]) for row in rows)
    print(
        f"target (issue 13): the loop never waits a second for a hostile answer: worst {worst:.0f} ms, "
        f"{verdict(worst < 1000)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
