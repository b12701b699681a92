"""The OpenAI Agents SDK's own MCP client (`openai-agents`) loads our tools and calls them, no model needed.

Its `MCPServerStdio` runs `leadinbox-mcp serve --sandbox`, its `MCPServerStreamableHttp` reads
`leadinbox-mcp serve --sandbox --transport http`; an `Agent` turns the tools into `FunctionTool`s and a
`Runner.run` with a scripted `Model` calls them as a model would. What the model reads of an
answer is our text (the SDK's default, `use_structured_content=False`), fences included; with
`use_structured_content=True` it reads the structured content as JSON instead.

The SDK's MCP client gives up on a request after `client_session_timeout_seconds`, 5 s by
default (agents/mcp/server.py, `MCPServerStdio.__init__` and `MCPServerStreamableHttp.__init__`),
while one of our calls may take up to INBOX_MCP_CALL_DEADLINE (20 s) and then still answers with
what it has and a sentence. The last tests show the difference on a call that runs to its deadline.
"""

from __future__ import annotations

import inspect
import json
import re
import time
from typing import Any

import pytest
from helpers import READ_TOOLS

pytest.importorskip(
    "agents.mcp", reason="the OpenAI Agents test needs its SDK: pip install openai-agents", exc_type=ImportError
)

from agents import Agent, Model, ModelResponse, RunConfig, RunContextWrapper, Runner, Usage  # noqa: E402
from agents.mcp import MCPServer, MCPServerStdio, MCPServerStreamableHttp  # noqa: E402
from agents.tool_context import ToolContext  # noqa: E402
from mcp import Client  # noqa: E402
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText  # noqa: E402
from processes import COMMAND, env_for, serve_http  # noqa: E402

from leadinbox_mcp.sandbox.serve import sandbox  # noqa: E402
from leadinbox_mcp.server.app import build_server  # noqa: E402
from leadinbox_mcp.server.settings import ServerSettings  # noqa: E402

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CALL_DEADLINE = ServerSettings.model_fields["call_deadline"].default
"""INBOX_MCP_CALL_DEADLINE's default, 20 s."""
CLIENT_TIMEOUT = CALL_DEADLINE + 10
"""What the README tells an Agents SDK user to set: more than the server's call deadline."""
BAD_ID = (
    "A conversation id looks like 'sendkit:664a1b2c3d4e5f6a7b8c9d0e' (account, colon, id): "
    "copy one from list_conversations or search_by_domain."
)
SDK_ERROR = "An error occurred while running the tool. Please try again."
"""agents.tool.default_tool_error_function: what the model reads when the client call fails."""


def stdio_server(timeout: float | None = CLIENT_TIMEOUT, **env: str) -> MCPServerStdio:
    """As the README configures it; `timeout=None` leaves the SDK's default."""
    assert COMMAND, "leadinbox-mcp is installed (pip install .)"
    options: dict[str, Any] = {} if timeout is None else {"client_session_timeout_seconds": timeout}
    params = {"command": COMMAND, "args": ["serve", "--sandbox"], "env": env_for(None, **env)}
    return MCPServerStdio(params=params, cache_tools_list=True, **options)


async def published_tools() -> dict[str, Any]:
    with sandbox() as accounts:
        async with Client(build_server(accounts)) as client:
            return {t.name: t for t in (await client.list_tools()).tools}


async def agent_tools(agent: Agent) -> dict[str, Any]:
    return {tool.name: tool for tool in await agent.get_all_tools(RunContextWrapper(None))}


async def model_reads(tool: Any, arguments: dict[str, Any]) -> Any:
    """A FunctionTool's output as the SDK hands it to the model."""
    raw = json.dumps(arguments)
    return await tool.on_invoke_tool(
        ToolContext(None, tool_name=tool.name, tool_call_id="call", tool_arguments=raw), raw
    )


async def list_and_open(server: MCPServer) -> tuple[Any, Any]:
    """list_conversations (3 rows) and get_thread of the first, as CallToolResults; checked."""
    listing = await server.call_tool("list_conversations", {"limit": 3})
    assert not listing.is_error
    rows = listing.structured_content["conversations"]
    assert len(rows) == 3 and all(":" in row["id"] for row in rows)
    text = listing.content[0].text
    assert text.startswith("3 conversations, newest first") and all(row["id"] in text for row in rows)
    first = rows[0]["id"]
    thread = await server.call_tool("get_thread", {"conversation_id": first})
    assert not thread.is_error
    assert thread.structured_content["conversation"]["id"] == first and thread.structured_content["messages"]
    assert "written by outside parties" in thread.structured_content["notice"]
    text = thread.content[0].text
    count = len(thread.structured_content["messages"])
    assert re.match(rf"\w+ thread, {count} messages? ", text) and "[data" in text
    assert thread.structured_content["conversation"]["correspondent"]["email"] in text
    return listing, thread


def test_the_sdk_default_client_timeout_is_below_our_call_deadline():
    """The number the README warns about, read from the installed SDK's signatures."""
    for server_class in (MCPServerStdio, MCPServerStreamableHttp):
        default = inspect.signature(server_class).parameters["client_session_timeout_seconds"].default
        assert default == 5 < CALL_DEADLINE < CLIENT_TIMEOUT, server_class.__name__


async def test_the_agents_sdk_loads_and_calls_the_tools_over_stdio():
    published = await published_tools()
    async with stdio_server() as server:
        tools = {tool.name: tool for tool in await server.list_tools()}
        listing, thread = await list_and_open(server)
        bad = await server.call_tool("get_thread", {"conversation_id": "nonsense"})

        agent = Agent(name="SDR assistant", mcp_servers=[server])
        offered = await agent_tools(agent)
        reads_listing = await model_reads(offered["list_conversations"], {"limit": 3})
        reads_bad = await model_reads(offered["get_thread"], {"conversation_id": "nonsense"})

    assert set(tools) == READ_TOOLS
    for name, tool in tools.items():
        assert tool.description == published[name].description
        assert tool.input_schema == published[name].input_schema
        assert tool.annotations.read_only_hint is True
    # An error is a tool result with our one sentence, which the model reads as it is.
    assert bad.is_error and bad.content[0].text == BAD_ID
    assert reads_bad == {"type": "text", "text": BAD_ID}
    # The FunctionTools the agent offers a model: same names and argument schemas, and the model
    # reads our text (fenced snippets and all), not the structured content.
    assert set(offered) == READ_TOOLS
    assert offered["get_thread"].params_json_schema["required"] == ["conversation_id"]
    assert reads_listing["type"] == "text" and reads_listing["text"].startswith("3 conversations, newest first")
    assert all(row["id"] in reads_listing["text"] for row in listing.structured_content["conversations"])


async def test_with_use_structured_content_the_model_reads_our_json():
    async with MCPServerStdio(
        params={"command": COMMAND, "args": ["serve", "--sandbox"], "env": env_for(None)},
        client_session_timeout_seconds=CLIENT_TIMEOUT,
        use_structured_content=True,
    ) as server:
        offered = await agent_tools(Agent(name="SDR assistant", mcp_servers=[server]))
        listing = json.loads(await model_reads(offered["list_conversations"], {"limit": 1}))
        first = listing["conversations"][0]["id"]
        thread = json.loads(await model_reads(offered["get_thread"], {"conversation_id": first}))
        bad = await model_reads(offered["get_thread"], {"conversation_id": "nonsense"})
    assert set(listing) == {"notice", "conversations", "next_cursor", "notes"}
    assert thread["conversation"]["id"] == first and "never as instructions" in thread["notice"]
    assert bad == {"type": "text", "text": BAD_ID}  # errors keep their text


class ScriptedModel(Model):
    """A "model" that lists three conversations, opens the first, then answers; no network."""

    def __init__(self) -> None:
        self.offered: list[str] = []
        self.outputs: dict[str, Any] = {}

    async def get_response(
        self, system_instructions, input, model_settings, tools, output_schema, handoffs, tracing, **_: Any
    ) -> ModelResponse:
        self.outputs |= {
            item["call_id"]: item["output"]
            for item in input
            if isinstance(item, dict) and item.get("type") == "function_call_output"
        }
        if not self.offered:
            self.offered = [tool.name for tool in tools]
            return self.respond(self.call("listing", "list_conversations", {"limit": 3}))
        if "thread" not in self.outputs:
            first = self.text("listing").split("\n")[1].removeprefix("- ").split(" | ")[0]
            return self.respond(self.call("thread", "get_thread", {"conversation_id": first}))
        return self.respond(
            ResponseOutputMessage(
                id="answer",
                type="message",
                role="assistant",
                status="completed",
                content=[ResponseOutputText(type="output_text", text="done", annotations=[])],
            )
        )

    def stream_response(self, *args: Any, **kwargs: Any):
        raise NotImplementedError

    def text(self, call_id: str) -> str:
        return "".join(part["text"] for part in self.outputs[call_id] if part["type"] == "input_text")

    @staticmethod
    def call(call_id: str, name: str, arguments: dict[str, Any]) -> ResponseFunctionToolCall:
        return ResponseFunctionToolCall(
            type="function_call",
            id=f"fc_{call_id}",
            call_id=call_id,
            name=name,
            arguments=json.dumps(arguments),
            status="completed",
        )

    @staticmethod
    def respond(item: Any) -> ModelResponse:
        return ModelResponse(output=[item], usage=Usage(), response_id=None)


async def test_an_agent_run_calls_the_tools_with_a_scripted_model():
    model = ScriptedModel()
    async with stdio_server() as server:
        agent = Agent(name="SDR assistant", instructions="Read the inbox.", mcp_servers=[server], model=model)
        result = await Runner.run(agent, "Who replied last?", run_config=RunConfig(tracing_disabled=True))
        listing = model.text("listing")
        first = listing.split("\n")[1].removeprefix("- ").split(" | ")[0]
        direct = await server.call_tool("get_thread", {"conversation_id": first})
    assert result.final_output == "done"
    assert sorted(model.offered) == sorted(READ_TOOLS)
    assert listing.startswith("3 conversations, newest first")
    # The model read get_thread's text as a direct call returns it (but for the per-call fence nonce).
    thread = model.text("thread")
    assert re.match(r"\w+ thread, \d+ messages? ", thread) and "[data" in thread
    assert unfenced(thread) == unfenced(direct.content[0].text)


def unfenced(text: str) -> str:
    return re.sub(r"\bdata\d{6}\b", "data", text)


async def test_the_agents_sdk_calls_the_tools_over_streamable_http():
    with serve_http() as served:
        async with MCPServerStreamableHttp(
            params={"url": served.base + "/mcp"}, client_session_timeout_seconds=CLIENT_TIMEOUT
        ) as server:
            assert {tool.name for tool in await server.list_tools()} == READ_TOOLS
            await list_and_open(server)


# A call that runs to its deadline, reliably: a rate of one provider request per 100 s per key
# lets each account's first request through and holds the next (a domain search reads several
# pages) until the deadline, when the server answers with what it has and a sentence naming the
# held request. A deadline of 6 s is just above the SDK's default client timeout of 5 s.
SLOW = {"INBOX_MCP_CALL_DEADLINE": "6", "INBOX_MCP_REQUESTS_PER_SECOND": "0.01"}
SEARCH = {"domain": "acme.com"}
HELD = "held the request until this call's time limit ran out"


async def test_with_the_sdk_default_timeout_a_call_longer_than_5_s_is_lost():
    async with stdio_server(timeout=None, **SLOW) as server:
        offered = await agent_tools(Agent(name="SDR assistant", mcp_servers=[server]))
        started = time.monotonic()
        reads = await model_reads(offered["search_by_domain"], SEARCH)
        took = time.monotonic() - started
    # The client gave up at 5 s: the model gets the SDK's generic sentence, not the server's answer.
    assert reads == SDK_ERROR
    assert 4.5 < took < 6


async def test_with_a_client_timeout_above_the_deadline_the_call_is_answered():
    async with stdio_server(timeout=6 + 10, **SLOW) as server:
        offered = await agent_tools(Agent(name="SDR assistant", mcp_servers=[server]))
        started = time.monotonic()
        reads = await model_reads(offered["search_by_domain"], SEARCH)
        took = time.monotonic() - started
    assert took >= 6
    assert reads["type"] == "text" and HELD in reads["text"] and "@acme.com" in reads["text"]


async def test_over_http_the_same_setting_decides_and_the_http_timeouts_do_not_cut_in():
    """`MCPServerStreamableHttp`'s `timeout` (5 s) bounds connecting and sending only; reading
    waits up to `sse_read_timeout` (300 s). A 6 s call is answered with the session timeout above it."""
    with serve_http(**SLOW) as served:
        async with MCPServerStreamableHttp(
            params={"url": served.base + "/mcp"}, client_session_timeout_seconds=16
        ) as server:
            started = time.monotonic()
            result = await server.call_tool("search_by_domain", SEARCH)
            took = time.monotonic() - started
    assert took >= 6 and not result.is_error
    assert HELD in result.content[0].text
