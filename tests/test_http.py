"""The shared HTTP client against small local apps: rate limiting, retries, error mapping."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import anyio
import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from leadinbox_mcp.providers.errors import AuthError, RateLimitedError, UpstreamError
from leadinbox_mcp.providers.http import Call, HttpClient, RateLimit, _json_of, bucket_for, wire_url
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


def _as_json_reads(body: bytes) -> object:
    """What Python's json makes of a body (bad UTF-8 replaced): the reading `_json_of` must keep."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        return json.loads(body.decode("utf-8-sig", "replace"))


def _reading(read: Callable[[bytes], object], body: bytes) -> str:
    """The value as JSON text (which tells 1 from 1.0 and True, and keeps key order), or the error."""
    try:
        value = read(body)
    except RecursionError:
        return "RecursionError"
    except ValueError:
        return "ValueError"
    return json.dumps(value)


BODIES = [
    b'{"a": 1, "b": [true, false, null], "c": {"d": "\\u00e9\\u2014\\ud83d\\ude00"}}',
    b'{"a": 1, "a": 2}',  # the last one wins
    b"[9007199254740993, 123456789012345678901234567890, -0, -0.0, 1E2, 1e400, -1e400, 1e-400]",
    b"[0.30000000000000004, 4.9e-324, 1.7976931348623157e308, 2.2250738585072014e-308]",
    b"[NaN, Infinity, -Infinity]",
    b'"\\ud800"',  # a lone surrogate: json keeps it
    b'"\xed\xa0\x80"',  # a surrogate encoded in UTF-8: json reads it (surrogatepass)
    b'{"name": "Ana \xff"}',  # invalid UTF-8: replaced
    b'\xef\xbb\xbf{"a": 1}',  # a UTF-8 BOM
    '{"a": "é"}'.encode("utf-16"),  # json detects UTF-16 and UTF-32
    b"[" * 300 + b"]" * 300,  # deeper than jiter reads, not than json
    b"[" * 100_000 + b"]" * 100_000,
    b'"a\x01b"',
    b"{} x",
    b"",
    b"01",
    b"[1,]",
    b"1" * 5000,
    b" \t\r\n{}\n",
]


@pytest.mark.parametrize("body", BODIES, ids=lambda body: f"{body[:16]!r}..{len(body)}")
def test_json_is_read_as_pythons_json_reads_it(body):
    """Bodies are read by jiter first: every value and every refusal is still json's."""
    assert _reading(lambda b: _json_of(call("http://x", "/"), b), body) == _reading(_as_json_reads, body)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, database=None)
@given(value=JSON_VALUES, ascii_only=st.booleans(), cut=st.integers(min_value=0), junk=st.binary(max_size=2))
def test_any_json_is_read_as_pythons_json_reads_it(value, ascii_only, cut, junk):
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    for body in (text, text[: cut % (len(text) + 1)] + junk + text[cut % (len(text) + 1) :]):
        assert _reading(lambda b: _json_of(call("http://x", "/"), b), body) == _reading(_as_json_reads, body)


QUERY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None, database=None)
@given(
    base=st.sampled_from(["https://api.example.com", "HTTPS://API.Example.com:443", "http://127.0.0.1:8080"]),
    path=st.sampled_from(
        ["", "/v1/inbox", "/api/v1/inbox/conv%2F1", "/v1/inbox?page=2", "/x?limit=1&a=b", "/v1/a b/ü", "/a/../b"]
    ),
    params=st.dictionaries(QUERY_TEXT, st.one_of(QUERY_TEXT, st.integers(), st.booleans()), max_size=4),
)
def test_a_query_is_sent_as_httpx2_would_make_it(base, path, params):
    """The URL a request goes to is the one httpx2 makes of the same URL and params: any base,
    every key and value of any text, numbers and booleans, and a URL with a query of its own."""
    # params or None: given {} httpx2 drops the URL's own query, which this server no longer asks of it
    assert wire_url(base + path, params) == str(httpx2.Request("GET", base + path, params=params or None).url)
