"""How small and how fast: tokens against raw provider JSON, parallel latency, server CPU per
call, upstream requests per call, and HTTP throughput. Prints one table.

The raw JSON is what a pass-through server would hand the model: the provider bodies our
client actually read for that tool call, recorded in front of each sandbox emulator.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.sandbox import sendkit as sendkit_emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.render.tokens import count_tokens

UPSTREAM_DELAY = 0.150
FAST = 1000.0
Row = tuple[str, str]


@dataclass
class Recorder:
    """In front of an emulator: every response body it sent, and an optional fixed delay."""

    delay: float = 0.0
    bodies: list[tuple[str, bytes]] = field(default_factory=list)

    def wrap(self, provider: str, app: ASGIApp) -> ASGIApp:
        async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if self.delay:
                await anyio.sleep(self.delay)
            chunks: list[bytes] = []

            async def keep(message: Message) -> None:
                if message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        # Recorded before the last chunk leaves: by the time the client has the
                        # whole answer (and the tool call returns), its body is counted for it.
                        self.bodies.append((provider, b"".join(chunks)))
                await send(message)

            await app(scope, receive, keep)

        return recorded

    def take(self) -> list[tuple[str, bytes]]:
        taken, self.bodies = self.bodies, []
        return taken


def text_of(result: Any) -> str:
    return "\n".join(b.text for b in result.content if b.type == "text")


def raw_tokens(bodies: list[tuple[str, bytes]]) -> int:
    """The bodies as the providers sent them (compact JSON), as a pass-through would forward them."""
    return sum(count_tokens(body.decode("utf-8", "replace")) for _, body in bodies if body)


async def tokens(client: Client, recorder: Recorder, accounts: list[str]) -> list[Row]:
    rows: list[Row] = []
    for account in accounts:
        figures: dict[str, list[float]] = {"raw": [], "concise": [], "detailed": []}
        for fmt in ("concise", "detailed"):
            recorder.take()
            result = await client.call_tool(
                "list_conversations", {"account": account, "limit": 20, "response_format": fmt}
            )
            count = len(result.structured_content["conversations"]) or 1
            figures[fmt].append(count_tokens(text_of(result)) / count)
            figures["raw"].append(raw_tokens(recorder.take()) / count)
        rows.append((f"tokens per list row, {account}: raw / detailed / concise", _per(figures)))
        listing = await client.call_tool("list_conversations", {"account": account, "limit": 8})
        thread = {"raw": [], "concise": [], "detailed": []}
        for conversation in listing.structured_content["conversations"]:
            for fmt in ("concise", "detailed"):
                recorder.take()
                result = await client.call_tool(
                    "get_thread", {"conversation_id": conversation["id"], "response_format": fmt}
                )
                thread[fmt].append(count_tokens(text_of(result)))
                raw = raw_tokens(recorder.take())
            thread["raw"].append(raw)
        rows.append((f"tokens per thread, {account}: raw / detailed / concise", _per(thread)))
    return rows


def _per(figures: dict[str, list[float]]) -> str:
    raw, detailed, concise = (statistics.mean(figures[k]) for k in ("raw", "detailed", "concise"))
    return f"{raw:.0f} / {detailed:.0f} / {concise:.0f}  ({raw / concise:.1f}x smaller)"


async def median_seconds(call: Callable[[], Awaitable[Any]], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def latency() -> list[Row]:
    recorder = Recorder(delay=UPSTREAM_DELAY)
    with sandbox(wrap=recorder.wrap) as accounts:
        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            everyone = await median_seconds(lambda: client.call_tool("list_conversations", {"limit": 20}), 7)
            one = await median_seconds(
                lambda: client.call_tool("list_conversations", {"limit": 20, "account": "sendkit"}), 7
            )
    return [
        (f"list, 5 accounts, upstream delay {UPSTREAM_DELAY * 1000:.0f} ms (median s)", f"{everyone:.3f}"),
        (f"list, 1 account, upstream delay {UPSTREAM_DELAY * 1000:.0f} ms (median s)", f"{one:.3f}"),
        ("5 accounts / 1 account (target <= 1.25)", f"{everyone / one:.2f}x"),
    ]


def fifty_message_thread() -> list[dict]:
    """A SendKit conversation of 50 HTML messages with quoted history, built from the sandbox's own."""
    documents = sendkit_emulator.build_conversations()
    longest = max(documents, key=lambda d: len(d["messages"]))
    messages = [m for d in documents for m in d["messages"] if m.get("htmlContent") or m.get("body")][:50]
    return [
        {
            **longest,
            "id": "b" * 24,
            "messages": sorted(messages, key=lambda m: m.get("receivedAt") or m.get("sentAt") or ""),
        }
    ]


async def cpu() -> list[Row]:
    with LoopbackServer(
        sendkit_emulator.create_app(conversations=fifty_message_thread() + sendkit_emulator.build_conversations())
    ) as emulator:
        settings = SendKitSettings(api_key=sendkit_emulator.SANDBOX_API_KEY, base_url=emulator.url)
        server = build_server(lambda http: [SendKitClient("sendkit", settings, http, "K")], requests_per_second=FAST)
        async with Client(server) as client:

            async def cpu_of(tool: str, arguments: dict) -> float:
                spent = []
                for _ in range(15):
                    started = time.thread_time()  # this thread runs the server; emulators run in others
                    await client.call_tool(tool, arguments)
                    spent.append(time.thread_time() - started)
                return statistics.median(spent) * 1000

            listing = await cpu_of("list_conversations", {"limit": 20})
            thread = await cpu_of("get_thread", {"conversation_id": "sendkit:" + "b" * 24})
    return [
        ("server CPU per call, 20-row list (ms)", f"{listing:.1f}"),
        ("server CPU per call, 50-message HTML thread (ms)", f"{thread:.1f}"),
    ]


async def upstream_requests() -> list[Row]:
    recorder = Recorder()
    with sandbox(wrap=recorder.wrap) as accounts:
        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            first = await client.call_tool("list_conversations", {"limit": 20})
            on_first = len(recorder.take())
            await client.call_tool(
                "list_conversations", {"limit": 20, "cursor": first.structured_content["next_cursor"]}
            )
            on_second = len(recorder.take())
            await client.call_tool("search_by_domain", {"domain": "acme.com", "limit": 20})
            on_search = len(recorder.take())
            names = [a["name"] for a in (await client.call_tool("list_accounts", {})).structured_content["accounts"]]
    return [
        (f"upstream requests, first page ({len(names)} accounts)", str(on_first)),
        ("upstream requests, second page", str(on_second)),
        ("upstream requests, domain search (first call)", str(on_search)),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def http_throughput(workers: int, clients: int = 20, calls: int = 600) -> Row:
    port = _free_port()
    command = str(Path(sys.executable).parent / "leadinbox-mcp")
    process = subprocess.Popen(
        [command, "serve", "--sandbox", "--transport", "http", "--port", str(port), "--workers", str(workers)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "INBOX_MCP_REQUESTS_PER_SECOND": str(FAST)},
    )
    url = f"http://127.0.0.1:{port}"
    # One account: a listing over all of them is paced by lemlist's 20 requests per 2 s, which
    # measures lemlist's budget, not this server.
    arguments = {"limit": 10, "account": "sendkit"}
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "list_conversations", "arguments": arguments},
    }
    headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    try:
        async with httpx2.AsyncClient(timeout=30) as http:
            for _ in range(150):
                try:
                    if (await http.get(url + "/healthz")).status_code == 200:
                        break
                except httpx2.TransportError:
                    await anyio.sleep(0.2)
            for _ in range(20):  # warm every worker
                await http.post(url + "/mcp", json=body, headers=headers)
            latencies: list[float] = []
            remaining = calls

            async def client_loop() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    started = time.perf_counter()
                    answer = await http.post(url + "/mcp", json=body, headers=headers)
                    assert answer.status_code == 200 and '"isError":false' in answer.text.replace(" ", "")
                    latencies.append(time.perf_counter() - started)

            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for _ in range(clients):
                    group.start_soon(client_loop)
            elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return (
        f"HTTP, {workers} worker(s), {clients} clients, 10-row list: calls/s, p50, p99",
        f"{len(latencies) / elapsed:.0f}/s, {p50:.0f} ms, {p99:.0f} ms",
    )


async def run() -> list[Row]:
    recorder = Recorder()
    with sandbox(wrap=recorder.wrap) as accounts:
        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            names = [a["name"] for a in (await client.call_tool("list_accounts", {})).structured_content["accounts"]]
            rows = await tokens(client, recorder, names)
    rows += await latency()
    rows += await cpu()
    rows += await upstream_requests()
    rows.append(await http_throughput(1))
    rows.append(await http_throughput(2))
    return rows


def table(rows: list[Row]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str]) -> int:
    print(table(anyio.run(run)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
