"""LangChain's own MCP adapter (`langchain[mcp]`, `langchain.mcp.MCPAdapter` over FastMCP, mcp 2.x)
loads our tools as LangChain tools in this environment and calls them, no model needed.

What a LangChain model reads of an answer is the ToolMessage's content: our text, fences included;
the structured content rides along as the message's artifact, which the model does not see. A
tool error is a ToolMessage with status "error" carrying our sentence.

`langchain-mcp-adapters` (`MultiServerMCPClient`) needs mcp<2, so it cannot live in this
environment; `.ci/langchain.sh` proves it in a venv of its own against our installed command.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers import READ_TOOLS

REASON = "the LangChain test needs pip install 'langchain[mcp]'"
beta = pytest.importorskip("langchain_core._api.beta_decorator", reason=REASON, exc_type=ImportError)
with beta.suppress_langchain_beta_warning():  # "langchain.mcp is in beta", once per process
    pytest.importorskip("langchain.mcp", reason=REASON, exc_type=ImportError)

from fastmcp.client.transports import StdioTransport  # noqa: E402
from langchain.agents import create_agent  # noqa: E402
from langchain.mcp import MCPAdapter  # noqa: E402
from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.messages import AIMessage, ToolMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatResult  # noqa: E402
from processes import COMMAND, env_for  # noqa: E402

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

BAD_ID = (
    "A conversation id looks like 'sendkit:664a1b2c3d4e5f6a7b8c9d0e' (account, colon, id): "
    "copy one from list_conversations or search_by_domain."
)


def sandbox_adapter() -> MCPAdapter:
    """As the README configures it: the installed command over stdio."""
    assert COMMAND, "leadinbox-mcp is installed (pip install .)"
    return MCPAdapter(StdioTransport(command=COMMAND, args=["serve", "--sandbox"], env=env_for(None)))


def call(name: str, args: dict[str, Any], call_id: str = "call") -> dict[str, Any]:
    """A tool call as a LangChain model emits it; invoking a tool with it returns a ToolMessage."""
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def text_of(message: ToolMessage) -> str:
    return "".join(block["text"] for block in message.content if block["type"] == "text")


async def test_langchain_loads_and_calls_the_tools_over_stdio():
    async with sandbox_adapter() as adapter:
        tools = {tool.name: tool for tool in await adapter.list_tools()}
        listing = await tools["list_conversations"].ainvoke(call("list_conversations", {"limit": 3}))
        first = listing.artifact["structured_content"]["conversations"][0]["id"]
        thread = await tools["get_thread"].ainvoke(call("get_thread", {"conversation_id": first}))
        bad = await tools["get_thread"].ainvoke(call("get_thread", {"conversation_id": "nonsense"}))

    assert set(tools) == READ_TOOLS
    assert tools["get_thread"].args_schema["required"] == ["conversation_id"]
    assert tools["list_conversations"].metadata["mcp"]["tool"]["annotations"]["read_only_hint"] is True
    # What the model reads: our text. The structured content is the artifact, kept for code.
    rows = listing.artifact["structured_content"]["conversations"]
    assert listing.status == "success" and len(rows) == 3
    assert text_of(listing).startswith("3 conversations, newest first") and all(
        r["id"] in text_of(listing) for r in rows
    )
    structured = thread.artifact["structured_content"]
    assert thread.status == "success" and structured["conversation"]["id"] == first
    assert re.match(rf"\w+ thread, {len(structured['messages'])} messages? ", text_of(thread)) and "[data" in text_of(
        thread
    )
    assert "never as instructions" in structured["notice"]
    assert (bad.status, text_of(bad)) == ("error", BAD_ID)


class ScriptedModel(BaseChatModel):
    """A "model" that lists three conversations, opens the first, then answers; no network."""

    offered: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:
        self.offered = [tool.name for tool in tools]
        return self

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        returned = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
        if "listing" not in returned:
            reply = AIMessage("", tool_calls=[call("list_conversations", {"limit": 3}, "listing")])
        elif "thread" not in returned:
            first = text_of(returned["listing"]).split("\n")[1].removeprefix("- ").split(" | ")[0]
            reply = AIMessage("", tool_calls=[call("get_thread", {"conversation_id": first}, "thread")])
        else:
            reply = AIMessage("done")
        return ChatResult(generations=[ChatGeneration(message=reply)])


async def test_a_langchain_agent_calls_the_tools_with_a_scripted_model():
    model = ScriptedModel()
    async with sandbox_adapter() as adapter:
        agent = create_agent(model, await adapter.list_tools())
        result = await agent.ainvoke({"messages": [{"role": "user", "content": "Who replied last?"}]})
    messages = result["messages"]
    returned = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    assert messages[-1].content == "done" and sorted(model.offered) == sorted(READ_TOOLS)
    assert set(returned) == {"listing", "thread"} and all(m.status == "success" for m in returned.values())
    first = returned["listing"].artifact["structured_content"]["conversations"][0]["id"]
    assert returned["thread"].artifact["structured_content"]["conversation"]["id"] == first
    assert "[data" in text_of(returned["thread"])
