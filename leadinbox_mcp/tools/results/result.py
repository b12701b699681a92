"""What a tool returns: text for the model plus the same facts as structured content."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from leadinbox_mcp.tools.shared.inbox import Inbox


def inbox_of(ctx: Context) -> Inbox:
    inbox = ctx.request_context.lifespan_context
    assert isinstance(inbox, Inbox), "the server's lifespan provides the Inbox"
    return inbox


def result(text: str, structured: BaseModel | dict[str, Any]) -> CallToolResult:
    """`structured`: a model of results.structured, or the JSON it dumps to (see `conversation_json`)."""
    if isinstance(structured, BaseModel):
        structured = structured.model_dump(mode="json", by_alias=True)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
