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
        assert client.server_info.version == version("inbox-mcp") != ""
        for call in (
            lambda: client.call_tool("send_email", {}),
            lambda: client.get_prompt("nope", {}),
            lambda: client.get_prompt("draft_reply", {}),
        ):
            with pytest.raises(MCPError) as failure:
                await call()
            assert failure.value.error.code == INVALID_PARAMS
            assert "Traceback" not in str(failure.value)
