"""Every provider's documented error answers, through the tools: one sentence that says what to do,
naming the variable to check, and never the key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import text_of
from mcp import Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from leadinbox_mcp.providers.inboxbase import client as inboxbase
from leadinbox_mcp.providers.lemlist import client as lemlist
from leadinbox_mcp.providers.sendkit import client as sendkit
from leadinbox_mcp.providers.sendpilot import client as sendpilot
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server

pytestmark = pytest.mark.anyio
KEY = "sk_secret_never_shown_77"
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def documented_body(provider: str, status: int) -> Response:
    """Each provider's own error body shape (PROVIDERS.md)."""
    reason = REASONS[status]
    headers = {"Retry-After": "30"} if status == 429 else {}
    if provider == "sendkit":
        return JSONResponse({"error": reason, "message": f"{reason} for key {KEY}", "code": status}, status, headers)
    if provider == "sendpilot":
        return JSONResponse({"statusCode": status, "message": reason, "error": reason}, status, headers)
    if provider == "lemlist":
        return PlainTextResponse(reason, status, headers)
    return JSONResponse({"error": reason.lower().replace(" ", "_"), "details": {"key": KEY}}, status, headers)


PROVIDERS: dict[str, tuple[Callable[[str], object], str, str]] = {
    "sendkit": (
        lambda url: sendkit.accounts(sendkit.SendKitSettings(api_key=KEY, base_url=url)),
        "SENDKIT_API_KEY",
        "sendkit:664a1b2c3d4e5f6a7b8c9d0e",
    ),
    "sendpilot": (
        lambda url: sendpilot.accounts(sendpilot.SendPilotSettings(api_key=KEY, base_url=url)),
        "SENDPILOT_API_KEY",
        "sendpilot:sender_abc:2-OVp-y-UNyFXBYvx0FqmQ",
    ),
    "lemlist": (
        lambda url: lemlist.accounts(lemlist.LemlistSettings(api_key=KEY, base_url=url)),
        "LEMLIST_API_KEY",
        "lemlist:ctc_wfKeM8EmiTikud7QE",
    ),
    "inboxbase": (
        lambda url: inboxbase.accounts(
            inboxbase.InboxBaseSettings(api_key=KEY, identity="a@inboxbase.ai", base_url=url)
        ),
        "INBOXBASE_API_KEY",
        "inboxbase:conv_0123456789abcdef",
    ),
}


@pytest.fixture(scope="module")
def failing():
    state = {"provider": "sendkit", "status": 500}

    async def answer(request: Request) -> Response:
        return documented_body(state["provider"], state["status"])

    app = Starlette(routes=[Route("/{path:path}", answer)])
    with LoopbackServer(app) as server:
        yield server.url, state


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "rejected the credentials"),
        (403, "refused access"),
        (429, "try again in 30 seconds"),
        (500, "try again shortly"),
        (404, ""),
    ],
)
async def test_documented_errors_become_one_sentence(failing, provider, status, expected):
    url, state = failing
    state.update(provider=provider, status=status)
    factory, variable, thread_id = PROVIDERS[provider]
    async with Client(build_server(factory(url))) as client:
        listing = await client.call_tool("list_conversations", {})
        thread = await client.call_tool("get_thread", {"conversation_id": thread_id})
    for result in (listing, thread):
        text = text_of(result)
        assert result.is_error and "\n" not in text and "Traceback" not in text
        assert KEY not in text and "<html" not in text
        assert expected in text
        if status in (401, 403):
            assert variable in text or "INBOXBASE_IDENTITY" in text
    if status == 404:
        # A missing thread says to list conversations first; where every address answers 404,
        # InboxBase's identity itself is unknown, and the sentence names the setting instead.
        said = text_of(thread)
        assert "list" in said.lower() or "INBOXBASE_IDENTITY" in said, "a missing thread says what to do"
