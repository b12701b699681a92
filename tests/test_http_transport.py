"""`leadinbox-mcp serve --transport http` as a subprocess: stateless MCP at /mcp across workers,
/healthz, the bearer token, DNS-rebinding protection, and refusing an open bind without a token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from helpers import READ_TOOLS, text_of
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from processes import env_for, free_port, run_cli, serve_http

pytestmark = pytest.mark.anyio
TOKEN = "tok_2f9d8c7b6a5e4d3c0b1a29384756abcd"


@pytest.fixture(scope="module")
def two_workers() -> Iterator[str]:
    with serve_http("--workers", "2") as served:
        yield served.base


async def test_stateless_across_workers_cursors_included(two_workers):
    async with Client(two_workers + "/mcp") as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        ids: list[str] = []
        cursor = None
        for _ in range(100):
            result = await client.call_tool(
                "list_conversations", {"limit": 9, **({"cursor": cursor} if cursor else {})}
            )
            assert not result.is_error, text_of(result)
            ids += [r["id"] for r in result.structured_content["conversations"]]
            cursor = result.structured_content["next_cursor"]
            if not cursor:
                break
        thread = await client.call_tool("get_thread", {"conversation_id": ids[0]})
    assert tools == READ_TOOLS
    assert len(ids) == len(set(ids)) > 100
    assert not thread.is_error
    assert httpx2.get(two_workers + "/healthz").json() == {"status": "ok"}


def test_dns_rebinding_is_refused(two_workers):
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    forged_host = httpx2.post(two_workers + "/mcp", json=body, headers={**headers, "Host": "evil.example"})
    forged_origin = httpx2.post(two_workers + "/mcp", json=body, headers={**headers, "Origin": "http://evil.example"})
    assert forged_host.status_code == 421 and forged_origin.status_code == 403


async def test_the_token_is_required_when_set():
    with serve_http(INBOX_MCP_TOKEN=TOKEN) as served:
        base = served.base
        body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
        missing = httpx2.post(base + "/mcp", json=body, headers=headers)
        wrong = httpx2.post(base + "/mcp", json=body, headers={**headers, "Authorization": "Bearer nope"})
        health = httpx2.get(base + "/healthz")
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            async with Client(streamable_http_client(base + "/mcp", http_client=http)) as client:
                result = await client.call_tool("list_accounts", {})
    assert missing.status_code == wrong.status_code == 401 and "INBOX_MCP_TOKEN" in missing.text
    assert TOKEN not in missing.text + wrong.text
    assert health.status_code == 200 and not result.is_error


def test_an_open_bind_without_a_token_refuses_to_start():
    done = run_cli(
        "serve", "--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", str(free_port()), env=env_for(None)
    )
    assert done.returncode == 2 and "INBOX_MCP_TOKEN" in done.stderr and "Traceback" not in done.stderr
