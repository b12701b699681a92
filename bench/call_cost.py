"""Server CPU per call, side by side in one run: a 20-row listing of this server against the
same SDK's minimal tool call (one async tool that returns a short text, as our tools are async;
the same tool as a plain function is measured too: the SDK runs it on a worker thread).

`python -m bench.call_cost` prints a table. Each server runs as its own process over stdio, as
a client starts it, and its CPU time (user + system, from /proc) is read before and after a round
of calls: the whole server side of a call (transport, JSON-RPC, the tool), and nothing of the
client's (which validates results against the output schema) or of the provider emulator's
(served from this process). All the servers are open at once and take their rounds in turn, so
that a shared machine's drift touches each alike; each one's figure is its median round. Issue
13's target: a listing at most 2.5x the minimal call.

Three more rows say what that listing is made of. The minimal server answering with a listing's
own answer, saved from one (text and structured content): what the SDK costs for an answer of
that size. A fresh listing asks its provider for a page, so
the minimal server is measured once more making that same request (one GET of the same page
through the transport leadinbox-mcp sends with, its body read): that is the part of a fresh
listing that no code of ours can remove. And a listing without the round trip: the next page by
cursor of a listing that stopped inside its provider page, which the page cache keeps (only such
a page is kept). A 20-row listing uses its page up, so this one is stopped by a token budget
(INBOX_MCP_LIST_TOKENS) inside a page of 40 rows, and every call passes the same cursor; its rows
are about 20 and printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path

from mcp import Client, StdioServerParameters

from bench.common import verdict
from leadinbox_mcp.sandbox import sendkit as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer

CALLS = 300
"""Calls per round: /proc counts CPU in ticks of 10 ms, so a round's figure is exact to 0.03 ms."""
ROUNDS = 9
MINIMAL = '''
from mcp.server import MCPServer
server = MCPServer("minimal")

@server.tool()
async def ping(text: str) -> str:
    """Echo the text."""
    return text

server.run()
'''
MINIMAL_SYNC = MINIMAL.replace("async def", "def")
"""The same tool written as a plain function, which the SDK runs on a worker thread: that hop
costs 0.03-0.2 ms a call in our runs, so the baseline is the async tool, called the way every tool
of ours is."""
MINIMAL_WITH_GET = '''
import os
from contextlib import asynccontextmanager

from mcp.server import MCPServer

from leadinbox_mcp.providers.transport import AiohttpTransport

transport = AiohttpTransport()

@asynccontextmanager
async def closing(_):
    try:
        yield None
    finally:
        await transport.aclose()  # as leadinbox-mcp closes it: no "unclosed session" at exit

server = MCPServer("minimal", lifespan=closing)

@server.tool()
async def ping(text: str) -> str:
    """One GET of the provider page a 20-row listing reads, sent as leadinbox-mcp sends it."""
    url = os.environ["SENDKIT_BASE_URL"] + "/v1/inbox?limit=20"
    headers = {"X-Api-Key": os.environ["SENDKIT_API_KEY"]}
    timeout = {"connect": 5.0, "read": 15.0}  # HttpClient's timeouts: aiohttp keeps a timer for the read
    status, _, body = await transport.exchange("GET", url, headers, None, timeout, 2**24)
    return str(len(body))

server.run()
'''


CANNED_ANSWER = '''
import json
import os

from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent

server = MCPServer("minimal")
with open(os.environ["CANNED_ANSWER"]) as saved:
    answer = json.load(saved)

@server.tool()
async def ping(text: str) -> CallToolResult:
    """The answer of a 20-row listing, made already."""
    return CallToolResult(content=[TextContent(type="text", text=answer["text"])], structured_content=answer["structured"])

server.run()
'''
"""What the SDK costs to answer with the listing's own answer (text and structured content): the
rest of a listing's cost is the provider's GET and this server's code."""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """One server process over stdio, as a client starts it, with the call it is measured on."""

    def __init__(self, command: list[str], env: dict[str, str], tool: str, arguments: dict, next_page: bool) -> None:
        self.command, self.env, self.tool, self.arguments, self.next_page = command, env, tool, arguments, next_page
        self.rounds: list[float] = []
        self.rows: int | None = None

    async def start(self, stack: AsyncExitStack, folder: Path) -> None:
        """Started, its pid known, and warmed up (imports on first use, connections). `next_page`:
        every call passes the cursor that a first call with these arguments answered."""
        pidfile = folder / f"pid{id(self)}"
        script = f'echo $$ > {pidfile}; exec "$@"'
        params = StdioServerParameters(
            command="sh", args=["-c", script, "sh", *self.command], env={**os.environ, **self.env}
        )
        self.client = await stack.enter_async_context(Client(params))
        self.pid = int(pidfile.read_text())
        if self.next_page:
            first = await self.client.call_tool(self.tool, self.arguments)
            self.arguments = {**self.arguments, "cursor": (first.structured_content or {})["next_cursor"]}
        for _ in range(10):
            await self.client.call_tool(self.tool, self.arguments)

    async def round(self) -> None:
        """CALLS calls; the server process's CPU milliseconds per call."""
        start = cpu_seconds(self.pid)
        for _ in range(CALLS):
            answer = await self.client.call_tool(self.tool, self.arguments)
        self.rounds.append((cpu_seconds(self.pid) - start) * 1000 / CALLS)
        rows = (answer.structured_content or {}).get("conversations")
        self.rows = None if rows is None else len(rows)


async def measure() -> dict[str, tuple[float, int | None]]:
    """Each server's median round (they take their rounds in turn: A B C A B C ...)."""
    ours = [str(Path(sys.executable).with_name("leadinbox-mcp")), "serve"]
    with LoopbackServer(emulator.create_app()) as sendkit:
        env = {
            "SENDKIT_API_KEY": emulator.SANDBOX_API_KEY,
            "SENDKIT_BASE_URL": sendkit.url,
            "INBOX_MCP_REQUESTS_PER_SECOND": "1000",
        }
        stopped_by_budget = {**env, "INBOX_MCP_LIST_TOKENS": "1800"}
        servers = {
            MINIMAL_CALL: Server([sys.executable, "-c", MINIMAL], env, "ping", {"text": "hi"}, False),
            MINIMAL_SYNC_CALL: Server([sys.executable, "-c", MINIMAL_SYNC], env, "ping", {"text": "hi"}, False),
            WITH_GET: Server([sys.executable, "-c", MINIMAL_WITH_GET], env, "ping", {"text": "hi"}, False),
            LISTING: Server(ours, env, "list_conversations", {"limit": 20}, False),
            DETAILED: Server(ours, env, "list_conversations", {"limit": 20, "response_format": "detailed"}, False),
            NEXT_PAGE: Server(ours, stopped_by_budget, "list_conversations", {"limit": 40}, True),
        }
        with tempfile.TemporaryDirectory() as folder:
            async with AsyncExitStack() as stack:
                for server in servers.values():
                    await server.start(stack, Path(folder))
                # The answer a 20-row listing gives, saved for the minimal server to return.
                answer = await servers[LISTING].client.call_tool("list_conversations", {"limit": 20})
                saved = Path(folder) / "answer.json"
                text = answer.content[0].text  # type: ignore[union-attr]
                saved.write_text(json.dumps({"text": text, "structured": answer.structured_content}))
                canned = Server(
                    [sys.executable, "-c", CANNED_ANSWER], {"CANNED_ANSWER": str(saved)}, "ping", {"text": "hi"}, False
                )
                servers[CANNED] = canned
                await canned.start(stack, Path(folder))
                for _ in range(ROUNDS):
                    for server in servers.values():
                        await server.round()
    return {name: (statistics.median(s.rounds), s.rows) for name, s in servers.items()}


MINIMAL_CALL = "minimal tool call (async def)"
MINIMAL_SYNC_CALL = "minimal tool call (def: worker thread)"
WITH_GET = "minimal tool call + one provider GET"
CANNED = "minimal tool answering a listing's answer"
LISTING = "list_conversations"
DETAILED = "list_conversations, detailed"
NEXT_PAGE = "list_conversations, next page, page cached"


def main(argv: list[str]) -> int:
    figures = asyncio.run(measure())
    best = {name: ms for name, (ms, _) in figures.items()}
    base = best[MINIMAL_CALL]
    print(f"{'call (server process CPU)':<42} {'rows':>5} {'ms/call':>8} {'x minimal':>10}")
    for name, (ms, rows) in figures.items():
        print(f"{name:<42} {'' if rows is None else rows:>5} {ms:>8.2f} {ms / base:>10.2f}")
    ratio = best[LISTING] / base
    print(
        f"target (issue 13): a listing's server CPU at most 2.5x a minimal call: {ratio:.2f}x, {verdict(ratio <= 2.5)} "
        f"({best[LISTING] / best[MINIMAL_SYNC_CALL]:.2f}x the plain-function one)"
    )
    get = best[WITH_GET] - base
    print(
        f"what a listing's {best[LISTING]:.2f} ms are: the SDK answering with the same answer {best[CANNED]:.2f}, "
        f"the provider GET {get:.2f}, this server's own code {best[LISTING] - best[CANNED] - get:.2f}; "
        f"the listing with its page cached: {best[NEXT_PAGE] / base:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
