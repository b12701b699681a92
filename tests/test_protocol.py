"""Protocol-level answers a third-party client relies on."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from helpers import no_account_server
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

pytestmark = pytest.mark.anyio


async def test_unknown_tool_and_prompt_are_invalid_params():
    async with Client(no_account_server(), mode="legacy") as client:
        assert client.server_info.version == version("leadinbox-mcp") != ""
        for call in (
            lambda: client.call_tool("send_email", {}),
            lambda: client.get_prompt("nope", {}),
            lambda: client.get_prompt("draft_reply", {}),
        ):
            with pytest.raises(MCPError) as failure:
                await call()
            assert failure.value.error.code == INVALID_PARAMS
            assert "Traceback" not in str(failure.value)


async def test_the_server_its_tools_and_its_prompt_carry_titles_and_an_icon():
    """What a client shows a person: a title for each tool and the prompt, and one icon (an SVG
    data URI that parses as SVG) on the server, every tool and the prompt."""
    import base64
    import xml.dom.minidom

    async with Client(no_account_server()) as client:
        tools = (await client.list_tools()).tools
        prompts = (await client.list_prompts()).prompts
        server_icons = client.server_info.icons
    items = [*tools, *prompts]
    assert all(item.title and item.title != item.name for item in items)
    assert len({item.title for item in items}) == len(items)
    for icons in [server_icons, *(item.icons for item in items)]:
        [icon] = icons
        assert icon.mime_type == "image/svg+xml" and icon.src.startswith("data:image/svg+xml;base64,")
        svg = xml.dom.minidom.parseString(base64.b64decode(icon.src.split(",", 1)[1]))
        assert svg.documentElement.tagName == "svg"
