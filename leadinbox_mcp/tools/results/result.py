"""What a tool returns: text for the model plus the same facts as structured content."""

from __future__ import annotations

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from leadinbox_mcp.tools.shared.inbox import Inbox


def inbox_of(ctx: Context) -> Inbox:
    inbox = ctx.request_context.lifespan_context
    assert isinstance(inbox, Inbox), "the server's lifespan provides the Inbox"
    return inbox


def result(text: str, structured: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=structured.model_dump(mode="json", by_alias=True),
    )
