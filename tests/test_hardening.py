"""Bounded and frugal (issue 13): connections that cannot be held open, a token that cannot be
guessed, a request rate below one per second, keys that never come back in any form, `since`
with an offset said in UTC, and time in our own rate limiter said as such.

HTTP through the real `leadinbox-mcp serve --transport http` subprocess and raw sockets; the rest
through an MCP client, in memory or over stdio, as agents talk to the server."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import select
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import httpx2
import pydantic
import pytest
import uvicorn
from helpers import KEY, NOW, Stamped, text_of
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from processes import COMMAND, HttpServer, env_for, free_port, run_cli, serve_http
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.providers.http import RateLimit
from leadinbox_mcp.providers.redaction import forms_of, scrub, scrub_body
from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.sandbox import sendkit as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.server.http import ReadDeadlineH11
from leadinbox_mcp.server.settings import ServerSettings

pytestmark = pytest.mark.anyio

READ_TIMEOUT = 3
KEEP_ALIVE = 1


@pytest.fixture(scope="module")
def quick() -> Iterator[HttpServer]:
    """The server with short limits, so that the tests wait seconds, not tens of seconds."""
    with serve_http(INBOX_MCP_HTTP_READ_TIMEOUT=str(READ_TIMEOUT), INBOX_MCP_HTTP_KEEP_ALIVE=str(KEEP_ALIVE)) as served:
        yield served


def connect(served: HttpServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", served.port), timeout=5)


def closed_within(socks: list[socket.socket], limit: float, trickle: bytes = b"") -> list[tuple[float, bytes]]:
    """For each socket: seconds until the server closed it, and what it sent before. `trickle`:
    one more byte of it every 0.25 s on the first socket meanwhile, as a slowloris client does."""
    started = time.monotonic()
    found: dict[int, tuple[float, bytes]] = {}
    received = {i: b"" for i in range(len(socks))}
    next_byte = 0
    while len(found) < len(socks):
        elapsed = time.monotonic() - started
        assert elapsed < limit, f"still open after {limit} s: {[i for i in range(len(socks)) if i not in found]}"
        if trickle and 0 not in found and elapsed >= next_byte * 0.25:
            try:
                socks[0].send(trickle[next_byte % len(trickle) : next_byte % len(trickle) + 1])
            except OSError:
                found[0] = (elapsed, received[0])
            next_byte += 1
        open_socks = [s for i, s in enumerate(socks) if i not in found]
        ready, _, _ = select.select(open_socks, [], [], 0.05)
        for s in ready:
            i = socks.index(s)
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if chunk:
                received[i] += chunk
            else:
                found[i] = (time.monotonic() - started, received[i])
    return [found[i] for i in range(len(socks))]


def test_a_request_cut_off_in_its_headers_is_answered_408_and_closed_at_the_read_timeout(quick):
    with connect(quick) as s:
        s.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\nContent-Type: application/json\r\n".encode())
        [(seconds, said)] = closed_within([s], READ_TIMEOUT + 3)
    assert READ_TIMEOUT - 0.5 <= seconds <= READ_TIMEOUT + 2
    assert said.startswith(b"HTTP/1.1 408 ")


def test_sending_a_byte_at_a_time_does_not_extend_the_deadline(quick):
    """Slowloris: headers that never end, one byte every 0.25 s; the connection stays busy
    but is still closed when the time to send a whole request is up."""
    with connect(quick) as s:
        s.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\nX-Slow: ".encode())
        [(seconds, _)] = closed_within([s], READ_TIMEOUT + 3, trickle=b"abcdefgh")
    assert READ_TIMEOUT - 0.5 <= seconds <= READ_TIMEOUT + 2


def test_a_body_cut_off_is_answered_408_and_closed_at_the_read_timeout(quick):
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\nContent-Length: 200\r\n\r\n"
    )
    with connect(quick) as s:
        s.sendall(head.encode() + b'{"jsonrpc": "2.0", "id": 1,')
        [(seconds, said)] = closed_within([s], READ_TIMEOUT + 3)
    assert READ_TIMEOUT - 0.5 <= seconds <= READ_TIMEOUT + 2
    assert said.startswith(b"HTTP/1.1 408 ")


def test_a_silent_connection_and_an_idle_one_are_closed(quick):
    """Nothing sent: closed at the read timeout. One request answered, then nothing: closed at
    the keep-alive timeout, which is shorter."""
    with connect(quick) as silent, connect(quick) as idle:
        idle.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\n\r\n".encode())
        (silent_after, _), (idle_after, answer) = closed_within([silent, idle], READ_TIMEOUT + 3)
    assert READ_TIMEOUT - 0.5 <= silent_after <= READ_TIMEOUT + 2
    assert answer.startswith(b"HTTP/1.1 200 ") and b'{"status":"ok"}' in answer
    assert KEEP_ALIVE - 0.2 <= idle_after <= KEEP_ALIVE + 1.5 < READ_TIMEOUT


def test_a_slow_but_whole_request_and_the_next_on_the_same_connection_are_served(quick):
    """The deadline is for the whole request, not for each byte: a request sent in pieces within
    it is answered, and a second request on the kept-alive connection gets a deadline of its own."""
    with connect(quick) as s:
        for _ in range(2):
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            time.sleep(READ_TIMEOUT * 0.4)
            s.sendall(f"Host: 127.0.0.1:{quick.port}\r\n\r\n".encode())
            s.settimeout(5)
            answer = b""
            while b'{"status":"ok"}' not in answer:
                chunk = s.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 "), answer


def test_the_default_limits_close_a_half_sent_request_and_an_idle_connection_quietly():
    """Without settings: 10 s to send a request, 5 s of keep-alive. A body cut off never reaches
    the MCP handler, which would log a traceback for each such client."""
    with serve_http() as served, connect(served) as half, connect(served) as body, connect(served) as idle:
        half.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n".encode())
        body.sendall(
            f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nContent-Type: application/json\r\n"
            "Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{".encode()
        )
        idle.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode())
        (half_after, said), (body_after, body_said), (idle_after, _) = closed_within([half, body, idle], 15)
    assert 9.5 <= half_after <= 12 and said.startswith(b"HTTP/1.1 408 ")
    assert 9.5 <= body_after <= 12 and body_said.startswith(b"HTTP/1.1 408 ")
    assert 4.5 <= idle_after <= 7
    assert "Traceback" not in served.output and "ERROR" not in served.output, served.output


def test_no_deadline_runs_while_the_server_works_on_a_whole_request():
    """A tool call that takes longer than the read timeout is not cut: the deadline is for
    receiving the request, and it stops once the request is in."""

    class Quick(ReadDeadlineH11):
        read_timeout = 0.5

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await anyio.sleep(1.5)
        await PlainTextResponse("done")(scope, receive, send)

    with _in_thread(slow, Quick) as url:
        started = time.monotonic()
        answer = httpx2.post(url, content=b"x" * 10, timeout=10)
        took = time.monotonic() - started
    assert answer.status_code == 200 and answer.text == "done" and took >= 1.4


@contextmanager
def _in_thread(app: ASGIApp, protocol: type) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=protocol, ws="none", lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


# ------------------------------------------------------------------------------ the token

GOOD_TOKEN = "tok_" + "7c1e9a4b2d8f6035" * 2  # 36 characters


@pytest.mark.parametrize(
    "token", ["", "   ", "tok_9f8e7d6c5b4a39281706f5e4d3c"], ids=["blank", "spaces", "31 characters"]
)
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_blank_or_short_token_refuses_to_start_with_one_sentence(token, host):
    done = run_cli(
        "serve",
        "--sandbox",
        "--transport",
        "http",
        "--host",
        host,
        "--port",
        str(free_port()),
        env=env_for(None, INBOX_MCP_TOKEN=token),
        timeout=30,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("leadinbox-mcp: INBOX_MCP_TOKEN is ") and "32" in lines[0] and lines[0].endswith(".")
    assert "Traceback" not in done.stderr and (not token.strip() or token not in done.stderr)


@pytest.mark.parametrize("token", [GOOD_TOKEN + " ", "\t" + GOOD_TOKEN, "a" + " " * 31])
def test_a_token_with_white_space_at_an_end_refuses_to_start(token):
    """HTTP drops it from the header: such a token could never be sent, nor a padded one count."""
    done = run_cli(
        "serve",
        "--sandbox",
        "--transport",
        "http",
        "--port",
        str(free_port()),
        env=env_for(None, INBOX_MCP_TOKEN=token),
    )
    assert done.returncode == 2 and done.stderr.strip() == (
        "leadinbox-mcp: INBOX_MCP_TOKEN begins or ends with white space, which HTTP drops from the Authorization "
        "header, so no client could send it: remove it."
    ), done.stderr


def test_a_body_larger_than_the_sdk_takes_is_refused_before_it_is_read(quick):
    """Declared too large: refused at once, nothing of the body read. Not declared (chunked): refused
    once 4 MiB have come, not after the whole body is held in memory."""
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{quick.port}\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\n"
    )
    with connect(quick) as declared:
        declared.sendall((head + f"Content-Length: {2**30}\r\n\r\n").encode())
        [(_, said)] = closed_within([declared], READ_TIMEOUT + 3)
    assert said.startswith(b"HTTP/1.1 413 ") and b"at most 4 MiB" in said, said[:200]
    with connect(quick) as chunked:
        chunked.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
        chunk = b"x" * 2**20
        answer = b""
        for _ in range(64):  # 64 MiB offered; the answer comes after 4
            try:
                chunked.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break
            if select.select([chunked], [], [], 0)[0]:
                answer = chunked.recv(65536)
                break
        answer = answer or chunked.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


async def test_a_token_of_32_characters_or_more_starts_and_is_required():
    with serve_http("--host", "127.0.0.1", INBOX_MCP_TOKEN=GOOD_TOKEN) as served:
        body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
        refused = httpx2.post(
            served.base + "/mcp", json=body, headers={**headers, "Authorization": "Bearer " + GOOD_TOKEN[:-1]}
        )
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {GOOD_TOKEN}"}) as http:
            async with Client(streamable_http_client(served.base + "/mcp", http_client=http)) as client:
                result = await client.call_tool("list_accounts", {})
    assert refused.status_code == 401 and not result.is_error
    assert GOOD_TOKEN not in served.output


# ------------------------------------------------------------------- requests per second


async def test_a_rate_below_one_request_per_second_is_honoured_over_stdio():
    """INBOX_MCP_REQUESTS_PER_SECOND=0.5: one request every 2 s to SendKit (which documents no
    limit), not one a second as rounding up to a whole request per second gave."""
    stamped = Stamped(emulator.create_app(api_key=KEY, now=NOW))
    with LoopbackServer(stamped) as sendkit:
        params = StdioServerParameters(
            command=COMMAND, args=["serve"], env=env_for(sendkit.url, INBOX_MCP_REQUESTS_PER_SECOND="0.5")
        )
        async with Client(params) as client:
            for _ in range(3):
                result = await client.call_tool("list_conversations", {"limit": 1})
                assert not result.is_error, text_of(result)
    gaps = [b - a for a, b in zip(stamped.times, stamped.times[1:], strict=False)]
    assert len(stamped.times) == 3 and all(gap >= 1.9 for gap in gaps), gaps


# ------------------------------------------------------------------ keys in every form

ODD_KEY = "sk_live_Q7x+b/Z9=kT4mW2pLr8vN3"
"""A key with characters that URL encoding and base64 change."""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


FORMS = {
    "whole": ODD_KEY,
    "first 8": ODD_KEY[:8],
    "first 12, cut": ODD_KEY[:12] + "...",
    "upper case": ODD_KEY.upper(),
    "lower case": ODD_KEY.lower(),
    "swapped case": ODD_KEY.swapcase(),
    "url-encoded": urllib.parse.quote(ODD_KEY, safe=""),
    "url-encoded, lower-case escapes": urllib.parse.quote(ODD_KEY, safe="").lower(),
    "form-encoded": urllib.parse.quote_plus(ODD_KEY),
    "base64": _b64(ODD_KEY),
    "base64url, unpadded": base64.urlsafe_b64encode(ODD_KEY.encode()).decode().rstrip("="),
    "base64 of user:key": _b64("api:" + ODD_KEY),
    "base64 of key:": _b64(ODD_KEY + ":"),
    "base64 of user2:key": _b64("admin:" + ODD_KEY),
}
NOT_THE_KEY = {"base64 of user:key": len("api:") * 8 // 6, "base64 of user2:key": len("admin:") * 8 // 6}
"""Leading characters of a form that encode what precedes the key, not the key."""


def _echoing(form: str) -> ASGIApp:
    """A provider that refuses the key and quotes it back in one form."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response: Response = JSONResponse(
            {"error": "Unauthorized", "message": f"Invalid API key {form} for this workspace"}, 401
        )
        if scope["type"] == "http":
            await response(scope, receive, send)

    return app


@pytest.mark.parametrize("name", list(FORMS))
async def test_a_key_is_never_echoed_in_any_form(name):
    form = FORMS[name]
    with LoopbackServer(_echoing(form)) as provider:
        settings = SendKitSettings(api_key=ODD_KEY, base_url=provider.url)
        server = build_server(
            lambda http: [SendKitClient("sendkit", settings, http, "SENDKIT_API_KEY")], requests_per_second=1000.0
        )
        async with Client(server) as client:
            listing = await client.call_tool("list_conversations", {"limit": 1})
            thread = await client.call_tool("get_thread", {"conversation_id": "sendkit:664a1b2c3d4e5f6a7b8c9d0e"})
    for result in (listing, thread):
        text = text_of(result)
        assert (
            result.is_error and "Invalid API key " in text and "[redacted]" in text and "for this workspace" in text
        ), text
        # No run of 8 characters of the echoed form that encodes any of the key survives, in any case.
        windows = {form[i : i + 8].lower() for i in range(max(0, NOT_THE_KEY.get(name, 0) - 7), len(form) - 7)}
        assert not [w for w in windows if w in text.lower()], text


PARTS = {
    "masked, last 12": "*" * 16 + ODD_KEY[-12:],
    "without its prefix": ODD_KEY[8:],
    "a middle run of 9": ODD_KEY[10:19],
}
"""Runs of the key that do not start it: each is redacted where it stands."""


@pytest.mark.parametrize("name", list(PARTS))
async def test_any_run_of_8_characters_of_the_key_is_redacted_wherever_it_starts(name):
    part = PARTS[name]
    with LoopbackServer(_echoing(part)) as provider:
        result = await _listing_against(provider.url)
    text = text_of(result)
    assert result.is_error and "Invalid API key " in text and "for this workspace" in text, text
    assert "[redacted]" in text and not _runs_of_the_key(text), text


def _plain(status: int, body: str, content_type: str = "text/plain") -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await Response(body.encode(), status, media_type=content_type)(scope, receive, send)

    return app


SPELLED = {
    "with zero-width spaces": "\u200b".join(ODD_KEY[i : i + 4] for i in range(0, len(ODD_KEY), 4)),
    "in groups of four": " ".join(ODD_KEY[i : i + 4] for i in range(0, len(ODD_KEY), 4)),
    "every character %-escaped": "".join(f"%{byte:02X}" for byte in ODD_KEY.encode()),
    "as HTML entities": "".join(f"&#{ord(char)};" for char in ODD_KEY),
    "as \\u escapes in JSON that does not parse": '{"message": "bad key '
    + "".join(f"\\u{ord(char):04x}" for char in ODD_KEY),
    "base64 of user:key, wrapped": "\n".join(_b64("api:" + ODD_KEY)[i : i + 10] for i in range(0, 44, 10)),
}


@pytest.mark.parametrize("name", list(SPELLED))
async def test_a_key_spelled_out_is_redacted_as_a_reader_would_read_it(name):
    """A key with something between its characters, or escaped, is what an agent reads as the
    key: read that way (escapes undone, letters and digits alone), no run of 8 of the key's, or
    of its base64's, is left."""
    with LoopbackServer(_plain(401, f"Invalid API key {SPELLED[name]}")) as provider:
        result = await _listing_against(provider.url)
    text = text_of(result)
    assert result.is_error and "[redacted]" in text and "check SENDKIT_API_KEY" in text, text
    read = _as_read(text)
    forms = [_as_read(ODD_KEY), _as_read(_b64("api:" + ODD_KEY)[NOT_THE_KEY["base64 of user:key"] :])]
    assert not [f[i : i + 8] for f in forms for i in range(len(f) - 7) if f[i : i + 8] in read], text


def _as_read(text: str) -> str:
    unescaped = re.sub(
        r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), urllib.parse.unquote(html.unescape(text))
    )
    return "".join(char for char in unescaped.lower() if char.isalnum())


async def test_a_key_in_a_content_type_is_not_quoted():
    with LoopbackServer(_plain(200, "<p>hi</p>", f"text/html; charset=utf-8; x-key={ODD_KEY}")) as provider:
        result = await _listing_against(provider.url)
    text = text_of(result)
    assert result.is_error and "answered with text/html instead of JSON" in text, text
    assert not _runs_of_the_key(text) and "x-key" not in text, text


async def test_a_key_in_a_listed_id_stays_out_of_the_log(caplog):
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        rows = [{"id": f"bad/{ODD_KEY}", "lead": {"email": "a@x.com"}}, {"id": "664a1b2c3d4e5f6a7b8c9d0e"}]
        if scope["type"] == "http":
            await JSONResponse({"success": True, "data": rows, "pagination": {}})(scope, receive, send)

    with LoopbackServer(app) as provider:
        result = await _listing_against(provider.url)
    assert not result.is_error and "664a1b2c3d4e5f6a7b8c9d0e" in text_of(result), text_of(result)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "listed a conversation id that is not one ('bad/[redacted]')" in logged, logged
    assert not _runs_of_the_key(logged), logged


@pytest.mark.parametrize(
    ("cursor", "why"),
    [
        # A signed cursor carries the provider's own page cursor, readable by whoever holds it.
        (f"after=664a;key={urllib.parse.quote(ODD_KEY)}", "carries this account's API key"),
        # A 15 MB nextCursor held the server for 5.2 s while it was read for the key.
        ("c" * 3_000, "is too long to follow"),
    ],
)
async def test_a_provider_cursor_that_cannot_be_followed_ends_the_listing(cursor, why):
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        rows = [{"id": "664a1b2c3d4e5f6a7b8c9d0e", "repliedAt": "2026-11-01T12:00:00Z"}]
        if scope["type"] == "http":
            answer = {"success": True, "data": rows, "pagination": {"hasMore": True, "nextCursor": cursor}}
            await JSONResponse(answer)(scope, receive, send)

    with LoopbackServer(app) as provider:
        result = await _listing_against(provider.url)
    assert not result.is_error and result.structured_content["next_cursor"] is None, text_of(result)
    assert (
        f"sendkit: SendKit's next-page cursor {why}, so its listing ends here and older conversations may be missing."
        in result.structured_content["notes"]
    )


IN_DATA = {name: FORMS[name] for name in ("whole", "upper case", "url-encoded", "base64", "base64 of user:key")}


@pytest.mark.parametrize("name", list(IN_DATA))
async def test_a_key_in_the_providers_data_is_never_shown(name):
    """A lead who pasted the account's key into a reply, in one form or another: the listing and
    the thread show everything else of that text, and no form of the key, in text or structured
    content. (The body is only scanned: an answer without a key is not rewritten.)"""
    form = IN_DATA[name]
    said = f"Here it is: {form} for the trial."
    conversation = {
        "id": "664a1b2c3d4e5f6a7b8c9d0e",
        "lead": {"email": "ana@acme.com", "firstName": "Ana", "lastName": form},
        "repliedAt": "2026-11-01T12:00:00Z",
        "lastMessage": {"content": said, "receivedAt": "2026-11-01T12:00:00Z", "isFromLead": True},
    }

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/v1/inbox":
            answer = {"success": True, "data": [conversation], "pagination": {}}
        else:
            message = {"type": "reply", "content": said, "receivedAt": "2026-11-01T12:00:00Z", "isFromLead": True}
            answer = {"success": True, "data": {**conversation, "messages": [message]}}
        await JSONResponse(answer)(scope, receive, send)

    with LoopbackServer(app) as provider:
        settings = SendKitSettings(api_key=ODD_KEY, base_url=provider.url)
        server = build_server(
            lambda http: [SendKitClient("sendkit", settings, http, "SENDKIT_API_KEY")], requests_per_second=1000.0
        )
        async with Client(server) as client:
            listing = await client.call_tool("list_conversations", {"response_format": "detailed"})
            thread = await client.call_tool("get_thread", {"conversation_id": "sendkit:664a1b2c3d4e5f6a7b8c9d0e"})
    for result in (listing, thread):
        shown = text_of(result) + json.dumps(result.structured_content)
        assert not result.is_error and "Here it is: " in shown and "[redacted]" in shown, shown
        assert " for the trial." in shown and not _runs_of_the_key(shown), shown
        windows = {form[i : i + 8].lower() for i in range(max(0, NOT_THE_KEY.get(name, 0) - 7), len(form) - 7)}
        assert not [w for w in windows if w in shown.lower()], shown


PERIODIC_KEYS = ("abababababababab", "aaaaaaaaaaaaaaab")
"""Keys that overlap themselves, where one occurrence can start inside another."""


@settings(max_examples=400, deadline=None, database=None)
@given(
    key=st.sampled_from((ODD_KEY, *PERIODIC_KEYS)),
    pieces=st.lists(
        st.tuples(st.integers(0, 99), st.integers(0, 40), st.integers(0, 40), st.booleans())
        | st.text(st.sampled_from('ab"=:% \\Q7x'), max_size=4),
        max_size=10,
    ),
)
def test_a_key_in_an_answer_is_scrubbed_where_the_case_blind_regex_would_scrub_it(key, pieces):
    """`scrub_body` finds the forms with `bytes.find` rather than a case-blind regex (0.5 s for a
    15 MB answer): on any text made of whole, cut, overlapping and case-changed forms of a key,
    it replaces exactly what the regex (`scrub`, which attachments' text still goes through) does."""
    forms = forms_of((key,))
    text = ""
    for piece in pieces:
        if isinstance(piece, str):
            text += piece
        else:
            which, start, end, swap = piece
            form = forms[which % len(forms)]
            cut = form[start : len(form) - end] if start + end < len(form) else form
            text += cut.swapcase() if swap else cut
    assert scrub_body(text.encode(), forms) == scrub(text, forms).encode()


async def _listing_against(url: str):
    settings = SendKitSettings(api_key=ODD_KEY, base_url=url)
    server = build_server(
        lambda http: [SendKitClient("sendkit", settings, http, "SENDKIT_API_KEY")], requests_per_second=1000.0
    )
    async with Client(server) as client:
        return await client.call_tool("list_conversations", {"limit": 2})


def _runs_of_the_key(text: str) -> list[str]:
    return [ODD_KEY[i : i + 8] for i in range(len(ODD_KEY) - 7) if ODD_KEY[i : i + 8].lower() in text.lower()]


# ------------------------------------------------------------------ since with an offset


@pytest.mark.parametrize(
    ("since", "utc"),
    [("2026-11-18T10:00+02:00", "2026-11-18 08:00"), ("2026-11-17T21:30-05:00", "2026-11-18 02:30")],
)
async def test_a_since_with_an_offset_is_applied_and_said_in_utc(sendkit, since, utc):
    server = build_server(
        lambda http: [
            SendKitClient("sendkit", SendKitSettings(api_key=KEY, base_url=sendkit.url), http, "SENDKIT_API_KEY")
        ],
        requests_per_second=1000.0,
    )
    async with Client(server) as client:
        with_offset = await client.call_tool("list_conversations", {"since": since, "limit": 100})
        in_utc = await client.call_tool("list_conversations", {"since": utc.replace(" ", "T") + "Z", "limit": 100})
    first_line = text_of(with_offset).splitlines()[0]
    assert f"active since {utc}" in first_line and "(times UTC)" in first_line, first_line
    rows = with_offset.structured_content["conversations"]
    assert rows and rows == in_utc.structured_content["conversations"]
    assert all(r["last_activity_at"] >= utc.replace(" ", "T") for r in rows)


# ------------------------------------------------------------- our own rate limit, said


async def test_time_in_our_own_rate_limiter_is_not_blamed_on_the_provider(sendkit):
    """0.5 requests a second and a 1-second deadline: the second call's request waits for our
    limiter past its deadline. The answer says so, and SendKit was indeed not asked."""
    server = build_server(
        lambda http: [
            SendKitClient("sendkit", SendKitSettings(api_key=KEY, base_url=sendkit.url), http, "SENDKIT_API_KEY")
        ],
        requests_per_second=0.5,
        deadline=1.0,
    )
    async with Client(server) as client:
        first = await client.call_tool("list_conversations", {"limit": 1})
        asked = len(sendkit.requests)
        held = await client.call_tool("list_conversations", {"limit": 1})
    text = text_of(held)
    assert not first.is_error and held.is_error
    assert len(sendkit.requests) == asked, "the provider was not asked"
    assert "sendkit: this server's own rate limit for that key" in text and "INBOX_MCP_REQUESTS_PER_SECOND" in text
    assert "SendKit was not asked" in text and "try again in a few seconds" in text
    assert "did not answer" not in text and "\n" not in text


def test_requests_per_second_in_settings_reach_the_server(monkeypatch):
    """The setting accepts 0.5 and passes it on as it is (the server turns it into 1 per 2 s)."""
    monkeypatch.setenv("INBOX_MCP_REQUESTS_PER_SECOND", "0.5")
    assert ServerSettings().server_options()["requests_per_second"] == 0.5
    assert RateLimit.per_second(0.5) == RateLimit(1, 2.0) and RateLimit.per_second(10) == RateLimit(10, 1.0)
    assert RateLimit.per_second(2.5) == RateLimit(2, 0.8)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", ["INBOX_MCP_REQUESTS_PER_SECOND", "INBOX_MCP_CALL_DEADLINE"])
def test_a_number_that_is_not_finite_is_refused_as_such(monkeypatch, name, value):
    """Not 'should be less than or equal to 1000', which nan is not either."""
    monkeypatch.setenv(name, value)
    with pytest.raises(pydantic.ValidationError) as refused:
        ServerSettings()
    assert refused.value.errors()[0]["msg"] == "Input should be a finite number"


@pytest.fixture(autouse=True)
def _no_inherited_settings(monkeypatch):
    for name in list(os.environ):
        if name.startswith("INBOX_MCP_"):
            monkeypatch.delenv(name)
