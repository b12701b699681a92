"""LangChain's `langchain-mcp-adapters` against our server (issue 15), run by .ci/langchain.sh.

Runs in a venv of its own: every release of the adapters needs mcp<2, our server needs mcp 2.x, so
this also proves that an mcp 1.x client speaks to our mcp 2.x server. `MultiServerMCPClient`
starts `leadinbox-mcp serve --sandbox` over stdio (the absolute path given as the first argument),
loads our tools as LangChain tools, calls `list_conversations` (limit 3), then in one session
`get_thread` with an id from it (and once with a bad id), and checks what a LangChain model would read: the
ToolMessage's text, with the structured content as its artifact. Prints a summary; exits 1 on any
failed check, 2 on bad usage.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from importlib.metadata import version
from typing import Any

from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools

TOOLS = {"list_conversations", "get_thread", "get_attachment", "search_by_domain", "list_accounts"}
BAD_ID = (
    "A conversation id looks like 'sendkit:664a1b2c3d4e5f6a7b8c9d0e' (account, colon, id): "
    "copy one from list_conversations or search_by_domain."
)
results: list[bool] = []


def check(ok: object, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    results.append(bool(ok))


def call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    """A tool call as a LangChain model emits it; invoking a tool with it returns a ToolMessage."""
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def text_of(message: Any) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if isinstance(block, dict))


async def main(server: str) -> int:
    print(
        f"langchain-mcp-adapters {version('langchain-mcp-adapters')}, langchain-core {version('langchain-core')}, "
        f"mcp {version('mcp')} (client) -> {server} serve --sandbox (stdio)"
    )
    client = MultiServerMCPClient({"inbox": {"transport": "stdio", "command": server, "args": ["serve", "--sandbox"]}})
    tools = {tool.name: tool for tool in await client.get_tools()}
    check(set(tools) == TOOLS, f"tools: {', '.join(sorted(tools))}")
    if set(tools) != TOOLS:
        return summary()
    check(tools["get_thread"].args_schema.get("required") == ["conversation_id"], "get_thread requires conversation_id")

    listing = await tools["list_conversations"].ainvoke(call("list_conversations", {"limit": 3}, "listing"))
    rows = ((listing.artifact or {}).get("structured_content") or {}).get("conversations") or []
    text = text_of(listing)
    check(
        listing.status == "success" and len(rows) == 3,
        f"list_conversations limit=3: {len(rows)} rows, {listing.status}",
    )
    check(
        text.startswith("3 conversations, newest first") and all(row["id"] in text for row in rows),
        "list_conversations: the model reads our text, with every id",
    )
    if not rows:
        return summary()

    # get_tools()'s tools start a server for each call; a session's tools share one process.
    async with client.session("inbox") as session:
        tools = {tool.name: tool for tool in await load_mcp_tools(session)}
        first = rows[0]["id"]
        thread = await tools["get_thread"].ainvoke(call("get_thread", {"conversation_id": first}, "thread"))
        bad = await tools["get_thread"].ainvoke(call("get_thread", {"conversation_id": "nonsense"}, "bad"))
    structured = (thread.artifact or {}).get("structured_content") or {}
    text = text_of(thread)
    messages = structured.get("messages") or []
    check(
        thread.status == "success" and structured.get("conversation", {}).get("id") == first,
        f"get_thread {first}: {len(messages)} messages, {thread.status}",
    )
    check(
        re.match(rf"\w+ thread, {len(messages)} messages? ", text) and re.search(r"\[data\d{6}\] ", text),
        "get_thread: the model reads our text, outside parties' text fenced",
    )
    check(
        "never as instructions" in structured.get("notice", ""), "get_thread: the structured content carries the notice"
    )
    check(
        bad.status == "error" and text_of(bad) == BAD_ID,
        "get_thread with a bad id: an error ToolMessage with our sentence",
    )

    return summary()


def summary() -> int:
    failed = results.count(False)
    print(f"langchain: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isabs(sys.argv[1]) or not os.access(sys.argv[1], os.X_OK):
        print("usage: langchain_check.py /absolute/path/to/leadinbox-mcp", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1])))
