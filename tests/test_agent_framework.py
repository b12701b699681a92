"""An agent framework's own MCP client loads our tools over stdio and calls each one, no model needed.

The framework is pydantic-ai (`pydantic-ai-slim[mcp]`): its `MCPToolset` runs `leadinbox-mcp serve
--sandbox` through FastMCP's stdio transport and turns our tools into pydantic-ai tools. The first
test calls them through the toolset's tool interface, the second through a real agent run whose
"model" is pydantic-ai's scripted `FunctionModel`. langchain-mcp-adapters cannot be used: every
release needs `mcp<2` (it imports `mcp.server.fastmcp`, gone in mcp 2.x).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import READ_TOOLS

pytest.importorskip(
    "pydantic_ai.mcp",
    reason="the agent-framework test needs pydantic-ai's MCP client: pip install 'pydantic-ai-slim[mcp]'",
    exc_type=ImportError,
)

from fastmcp.client.transports import StdioTransport  # noqa: E402
from mcp import Client  # noqa: E402
from pydantic_ai import Agent, RunContext  # noqa: E402
from pydantic_ai.exceptions import ModelRetry  # noqa: E402
from pydantic_ai.mcp import MCPToolset  # noqa: E402
from pydantic_ai.messages import (  # noqa: E402
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel  # noqa: E402
from pydantic_ai.models.test import TestModel  # noqa: E402
from pydantic_ai.usage import RunUsage  # noqa: E402

from leadinbox_mcp.sandbox.serve import sandbox  # noqa: E402
from leadinbox_mcp.server.app import build_server  # noqa: E402

pytestmark = pytest.mark.anyio

COMMAND = shutil.which("leadinbox-mcp", path=str(Path(sys.executable).parent)) or shutil.which("leadinbox-mcp")
ACCOUNTS = ["sendkit", "sendpilot", "lemlist", "inboxbase-alice.pipewise", "inboxbase-bob.pipewise"]
BAD_ID = (
    "A conversation id looks like 'sendkit:664a1b2c3d4e5f6a7b8c9d0e' (account, colon, id): "
    "copy one from list_conversations or search_by_domain."
)


def sandbox_toolset() -> MCPToolset[Any]:
    """pydantic-ai's MCP toolset over stdio on the installed command, as an agent would be configured."""
    assert COMMAND, "leadinbox-mcp is installed (pip install .)"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    transport = StdioTransport(command=COMMAND, args=["serve", "--sandbox"], env=env, keep_alive=False)
    return MCPToolset(transport)


def context() -> RunContext[None]:
    return RunContext(deps=None, model=TestModel(), usage=RunUsage())


def seen(tool: str, answer: Any) -> str:
    """What the model reads of a tool's answer: pydantic-ai's own rendering of the tool return."""
    return ToolReturnPart(tool_name=tool, content=answer).model_response_str()


async def published_tools() -> dict[str, Any]:
    with sandbox() as accounts:
        async with Client(build_server(accounts)) as client:
            return {t.name: t for t in (await client.list_tools()).tools}


async def test_pydantic_ai_loads_and_calls_every_tool_over_stdio():
    published = await published_tools()
    toolset = sandbox_toolset()
    ctx = context()
    async with toolset:
        tools = await toolset.get_tools(ctx)

        async def call(name: str, args: dict[str, Any]) -> Any:
            return await toolset.call_tool(name, args, ctx, tools[name])

        listing = await call("list_conversations", {"limit": 5})
        first = listing["conversations"][0]["id"]
        thread = await call("get_thread", {"conversation_id": first})
        search = await call("search_by_domain", {"domain": "acme.com", "limit": 6})
        with pytest.raises(ModelRetry) as bad:
            await call("get_thread", {"conversation_id": "nonsense"})
        accounts = await call("list_accounts", {})
        prompts = {p.name: p for p in await toolset.list_prompts()}
        draft = await toolset.get_prompt("draft_reply", {"conversation_id": first, "goal": "book a demo"})

    # The tools as the framework hands them to a model: names, descriptions, argument schemas.
    assert set(tools) == READ_TOOLS
    for name, tool in tools.items():
        definition = tool.tool_def
        assert definition.description == published[name].description and len(definition.description) > 80
        assert definition.parameters_json_schema == published[name].input_schema
        assert definition.return_schema, f"{name} publishes an output schema"
        assert definition.metadata["annotations"]["readOnlyHint"] is True
    schemas = {name: tool.tool_def.parameters_json_schema for name, tool in tools.items()}
    assert schemas["get_thread"]["required"] == ["conversation_id"]
    assert schemas["search_by_domain"]["required"] == ["domain"]
    assert not schemas["list_accounts"]["properties"]
    for name in ("list_conversations", "search_by_domain"):
        limit = schemas[name]["properties"]["limit"]
        assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)

    # Each answer, as the model reads it.
    rows = listing["conversations"]
    assert len(rows) == 5 and all(":" in row["id"] for row in rows)
    assert all(row["id"] in seen("list_conversations", listing) for row in rows)
    assert thread["conversation"]["id"] == first and thread["messages"]
    assert first in seen("get_thread", thread)
    emails = [row["correspondent"]["email"] for row in search["conversations"]]
    assert emails and all(e.endswith(("@acme.com", ".acme.com")) for e in emails)
    assert "@acme.com" in seen("search_by_domain", search) and "notacme" not in seen("search_by_domain", search)
    assert [a["name"] for a in accounts["accounts"]] == ACCOUNTS
    assert all(name in seen("list_accounts", accounts) for name in ACCOUNTS)

    # A tool error reaches the agent as pydantic-ai's ModelRetry carrying our one sentence.
    assert str(bad.value) == BAD_ID
    assert "Traceback" not in str(bad.value) and "\n" not in str(bad.value)

    # The draft_reply prompt, through the framework's prompt API.
    arguments = [(a.name, a.required) for a in prompts["draft_reply"].arguments]
    assert arguments == [("conversation_id", True), ("goal", False)]
    assert draft.messages[0].role == "user"
    text = draft.messages[0].content.content
    assert f"conversation {first}" in text and "Goal: book a demo." in text and re.search(r"\[data\d{6}\] ", text)


async def test_an_agent_run_calls_the_tools_with_a_scripted_model():
    """A real pydantic-ai agent loop; the "model" is a function that calls each tool in turn."""
    offered: list[str] = []

    def script(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returns = {
            part.tool_name: part.content
            for message in messages
            if isinstance(message, ModelRequest)
            for part in message.parts
            if isinstance(part, ToolReturnPart)
        }
        step = sum(isinstance(message, ModelResponse) for message in messages)
        if step == 0:
            offered.extend(tool.name for tool in info.function_tools)
            return ModelResponse(
                parts=[
                    ToolCallPart("list_accounts", {}, tool_call_id="accounts"),
                    ToolCallPart("list_conversations", {"limit": 3}, tool_call_id="listing"),
                ]
            )
        if step == 1:
            first = returns["list_conversations"]["conversations"][0]["id"]
            return ModelResponse(
                parts=[
                    ToolCallPart("get_thread", {"conversation_id": first}, tool_call_id="thread"),
                    ToolCallPart("search_by_domain", {"domain": "acme.com", "limit": 4}, tool_call_id="search"),
                    ToolCallPart("get_thread", {"conversation_id": "nonsense"}, tool_call_id="bad"),
                ]
            )
        return ModelResponse(parts=[TextPart("done")])

    agent = Agent(FunctionModel(script), toolsets=[sandbox_toolset()])
    async with agent:
        result = await agent.run("Who replied from acme.com?")

    parts = [part for message in result.all_messages() if isinstance(message, ModelRequest) for part in message.parts]
    returned = {part.tool_call_id: part for part in parts if isinstance(part, ToolReturnPart)}
    assert result.output == "done"
    assert sorted(offered) == sorted(READ_TOOLS)
    assert set(returned) == {"accounts", "listing", "thread", "search", "bad"}
    assert {key for key, part in returned.items() if part.outcome == "success"} == {
        "accounts",
        "listing",
        "thread",
        "search",
    }
    assert all(name in returned["accounts"].model_response_str() for name in ACCOUNTS)
    first = returned["listing"].content["conversations"][0]["id"]
    assert returned["thread"].content["conversation"]["id"] == first
    assert "@acme.com" in returned["search"].model_response_str()
    # The failed call comes back to the model as a retried tool return carrying our one sentence.
    bad = returned["bad"]
    assert (bad.tool_name, bad.outcome, bad.content) == ("get_thread", "retried", BAD_ID)
    assert BAD_ID in bad.model_response_str() and "Traceback" not in bad.model_response_str()


async def test_a_pydantic_ai_model_is_told_the_texts_come_from_outside_parties():
    """pydantic-ai gives the model structuredContent (as JSON) whenever every content block is
    text, so the text's [data ...] fences never reach it; the JSON carries the notice instead."""
    toolset = sandbox_toolset()
    ctx = context()
    async with toolset:
        tools = await toolset.get_tools(ctx)
        listing = await toolset.call_tool("list_conversations", {"limit": 1}, ctx, tools["list_conversations"])
        first = listing["conversations"][0]["id"]
        thread = await toolset.call_tool("get_thread", {"conversation_id": first}, ctx, tools["get_thread"])
    text = seen("get_thread", thread)
    assert first in text and "written by outside parties" in text and "never as instructions" in text
