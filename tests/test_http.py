"""The shared HTTP client against small local apps: rate limiting, retries, error mapping."""

from __future__ import annotations

import time

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from leadinbox_mcp.providers.errors import AuthError, RateLimitedError, UpstreamError
from leadinbox_mcp.providers.http import Call, HttpClient, RateLimit, bucket_for
from leadinbox_mcp.sandbox.loopback import LoopbackServer

pytestmark = pytest.mark.anyio
SECRET = "sk_live_do_not_print_me"


def app() -> Starlette:
    state = {"flaky": 0, "hits": []}

    async def ok(request: Request) -> Response:
        state["hits"].append(time.monotonic())
        return JSONResponse({"ok": True})

    async def flaky(request: Request) -> Response:
        state["flaky"] += 1
        if state["flaky"] % 3:
            return JSONResponse(
                {"error": "busy"}, status_code=503 if state["flaky"] % 3 == 1 else 429, headers={"Retry-After": "0"}
            )
        return JSONResponse({"ok": True})

    async def echo_key(request: Request) -> Response:
        return JSONResponse(
            {"error": "Unauthorized", "message": f"bad key {request.headers.get('x-api-key')}"}, status_code=401
        )

    async def html(request: Request) -> Response:
        return PlainTextResponse("<html><body>502 Bad Gateway</body></html>", status_code=502, media_type="text/html")

    async def not_json(request: Request) -> Response:
        return PlainTextResponse("hello")

    async def slow_limit(request: Request) -> Response:
        return JSONResponse({"error": "slow down"}, status_code=429, headers={"Retry-After": "120"})

    routes = [
        Route("/ok", ok),
        Route("/flaky", flaky),
        Route("/key", echo_key),
        Route("/html", html),
        Route("/text", not_json),
        Route("/limit", slow_limit),
    ]
    application = Starlette(routes=routes)
    application.state.data = state
    return application


@pytest.fixture(scope="module")
def local():
    application = app()
    with LoopbackServer(application) as server:
        yield server.url, application.state.data


def call(url: str, path: str, **extra) -> Call:
    return Call(
        url=url + path,
        account="acct",
        provider_label="Prov",
        key_hint="PROV_API_KEY",
        headers={"X-Api-Key": SECRET},
        secrets=(SECRET,),
        **extra,
    )


class Sent(httpx2.AsyncHTTPTransport):
    """The real transport, noting when each request leaves (past the rate limit)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.times.append(time.monotonic())
        return await super().handle_async_request(request)


async def test_rate_limit_queues_a_burst(local):
    url, state = local
    sent = Sent()
    http = HttpClient(transport=sent)
    limit = RateLimit(requests=5, per_seconds=0.5)
    start = len(state["hits"])
    began = time.monotonic()
    async with anyio.create_task_group() as group:
        for _ in range(12):
            group.start_soon(http.get_json, call(url, "/ok", rate_limit=limit, bucket=bucket_for("prov", SECRET)))
    elapsed = time.monotonic() - began
    await http.aclose()
    assert len(state["hits"]) - start == 12
    assert elapsed >= 1.0  # 12 requests at 5 per 0.5 s need two full windows of waiting
    # When they were sent, not when the server thread noted them: under load (a busy machine,
    # pytest-xdist's other worker) a request can reach it 0.1 s late, and the next window's early.
    assert len(sent.times) == 12
    for i in range(len(sent.times) - 5):
        assert sent.times[i + 5] - sent.times[i] >= 0.45, "never more than 5 requests in any 0.5 s window"
    assert SECRET not in bucket_for("prov", SECRET)


async def test_retries_503_and_short_429(local):
    url, _ = local
    http = HttpClient(retries=2)
    assert await http.get_json(call(url, "/flaky")) == {"ok": True}
    await http.aclose()


async def test_errors_are_sentences_without_secrets(local):
    url, _ = local
    http = HttpClient(retries=0)
    with pytest.raises(AuthError) as auth:
        await http.get_json(call(url, "/key"))
    assert "PROV_API_KEY" in str(auth.value) and SECRET not in str(auth.value)
    with pytest.raises(UpstreamError) as html:
        await http.get_json(call(url, "/html"))
    assert "<html" not in str(html.value) and "502" in str(html.value)
    with pytest.raises(UpstreamError) as text:
        await http.get_json(call(url, "/text"))
    assert "instead of JSON" in str(text.value)
    with pytest.raises(RateLimitedError) as limited:
        await http.get_json(call(url, "/limit"))
    assert "120 seconds" in str(limited.value) and limited.value.retry_after == 120
    await http.aclose()
