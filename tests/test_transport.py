"""The transport provider calls are sent with (aiohttp carrying httpx2's requests), held against
httpx2's own transport, which it replaced: the same bytes on the wire, the same answers read, and
the same sentence and the same retries for every way a connection can go wrong. The server is a
raw socket on loopback, so each answer's bytes are exactly the ones written here."""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import anyio
import httpx2
import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st

from leadinbox_mcp.providers.errors import UpstreamError
from leadinbox_mcp.providers.http import Call, HttpClient, RateLimit

BODY = json.dumps({"data": [{"id": "c1", "subject": "Re: pricing"}], "next": None}).encode()


def answer(body: bytes = BODY, *headers: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def chunked(body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    parts = [body[i : i + 7] for i in range(0, len(body), 7)]
    return head + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


GZIPPED = gzip.compress(BODY)
WHOLE: dict[str, bytes] = {
    "/plain": answer(),
    "/chunked": chunked(BODY),
    "/gzip": answer(GZIPPED, "Content-Encoding: gzip"),
    "/gzip-twice": answer(gzip.compress(GZIPPED), "Content-Encoding: gzip, gzip"),
    "/unasked-coding": answer(BODY, "Content-Encoding: br"),  # not asked for, and not decoded: read as it came
    "/long-header": answer(BODY, "Link: <https://api.example.com/v1/inbox?cursor=" + "c" * 60_000 + '>; rel="next"'),
    "/cookie": answer(BODY, "Set-Cookie: session=abc123; Path=/"),
    "/empty": answer(b"", status="204 No Content"),
}
"""Answers both transports must read alike."""

BROKEN: dict[str, bytes | None] = {
    "/close": None,  # the connection closed with no answer
    "/garbage": b"HELLO THERE\r\n\r\n",
    "/short": answer(BODY)[:-20],  # Content-Length promises more than arrives
    "/bad-chunk": chunked(BODY)[:-12] + b"zz\r\n",
    "/not-gzip": answer(BODY, "Content-Encoding: gzip"),
    "/gzip-bomb": answer(gzip.compress(b" " * 40 * 2**20), "Content-Encoding: gzip"),  # 40 KiB, 40 MiB decoded
    "/too-long-header": answer(BODY, "X-Pad: " + "p" * 200_000),
    "/slow": b"",  # headers never come: a read timeout
}
"""Answers that fail: the sentence and the number of tries must be the same on both."""


class Wire(socketserver.ThreadingTCPServer):
    """Answers each request by its path with the bytes above, and keeps every request's bytes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Exchange)
        self.seen: list[bytes] = []
        self.tls = tls
        self.url = f"{'https://localhost' if tls else 'http://127.0.0.1'}:{self.server_address[1]}"


class _Exchange(socketserver.BaseRequestHandler):
    server: Wire

    def handle(self) -> None:
        if self.server.tls:
            try:
                self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):  # the client refused the certificate
                return
        buffered = b""
        while True:
            while b"\r\n\r\n" not in buffered:
                data = self.request.recv(65536)
                if not data:
                    return
                buffered += data
            head, _, buffered = buffered.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(buffered) < length:
                buffered += self.request.recv(65536)
            body, buffered = buffered[:length], buffered[length:]
            self.server.seen.append(head + b"\r\n\r\n" + body)
            target = head.split(b" ")[1].decode()
            if "://" in target:  # a proxy is asked for the absolute URL
                target = "/" + target.split("://", 1)[1].partition("/")[2]
            path = target.split("?")[0]
            if path in WHOLE:
                self.request.sendall(WHOLE[path])
                continue
            if path == "/slow":
                time.sleep(1.5)
                return
            reply = BROKEN.get(path) or b""
            self.request.sendall(reply)
            return


def serving(server: Wire) -> Iterator[Wire]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def wire() -> Iterator[Wire]:
    yield from serving(Wire())


AUTHORITY = trustme.CA()


@pytest.fixture(scope="module")
def tls_wire() -> Iterator[Wire]:
    """HTTPS, with a certificate for localhost from a test authority that no system trusts."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    AUTHORITY.issue_cert("localhost").configure_cert(context)
    yield from serving(Wire(tls=context))


def call(url: str, **extra) -> Call:
    return Call(
        url=url,
        account="acct",
        provider_label="Prov",
        key_hint="PROV_API_KEY",
        **{"headers": {"X-Api-Key": "k"}, **extra},
    )


def clients() -> dict[str, Callable[[], HttpClient]]:
    options = {"read_timeout": 0.5, "default_rate_limit": RateLimit(1000, 1.0)}
    return {
        "aiohttp": lambda: HttpClient(**options),
        "httpx2": lambda: HttpClient(transport=httpx2.AsyncHTTPTransport(), **options),
    }


async def outcome(make: Callable[[], HttpClient], the_call: Call) -> object:
    http = make()
    try:
        return await http.get_json(the_call)
    except UpstreamError as exc:
        return f"error: {exc}"
    finally:
        await http.aclose()


pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("path", list(WHOLE))
async def test_an_answer_is_read_as_httpx2s_own_transport_reads_it(wire, path):
    method = "DELETE" if path == "/empty" else "GET"  # a write answered 204
    read = {name: await outcome(make, call(wire.url + path, method=method)) for name, make in clients().items()}
    assert read["aiohttp"] == read["httpx2"] == (None if path == "/empty" else json.loads(BODY))


@pytest.mark.parametrize("path", list(BROKEN))
async def test_a_broken_answer_is_the_same_sentence_after_the_same_tries(wire, path):
    said, tries = {}, {}
    for name, make in clients().items():
        before = len(wire.seen)
        said[name] = await outcome(make, call(wire.url + path))
        tries[name] = len(wire.seen) - before
    assert said["aiohttp"] == said["httpx2"] and str(said["aiohttp"]).startswith("error: acct: Prov ")
    assert tries["aiohttp"] == tries["httpx2"]


async def test_a_refused_connection_is_the_same_sentence():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    said = {name: await outcome(make, call(f"http://127.0.0.1:{port}/x")) for name, make in clients().items()}
    assert (
        said["aiohttp"]
        == said["httpx2"]
        == "error: acct: Prov could not be reached at 127.0.0.1; check the network and the account's base URL."
    )


async def test_a_header_that_cannot_be_sent_is_the_same_sentence(wire):
    """A line break in a header value (a key pasted with one) is refused before anything is sent."""
    broken = call(wire.url + "/plain", headers={"X-Api-Key": "k\r\nX-Injected: 1"})
    before = len(wire.seen)
    said = {name: await outcome(make, broken) for name, make in clients().items()}
    assert said["aiohttp"] == said["httpx2"] and said["aiohttp"].startswith("error: acct: Prov could not be reached")
    assert len(wire.seen) == before


async def test_a_providers_cookie_is_not_sent_back(wire):
    """Accounts on one host share the connections: a cookie one account's answer sets must not
    ride along with the next request, whichever account makes it."""
    http = HttpClient()
    try:
        named = wire.url.replace("127.0.0.1", "localhost")  # a jar keeps no cookie of an IP address
        await http.get_json(call(named + "/cookie"))
        await http.get_json(call(named + "/plain"))
    finally:
        await http.aclose()
    assert b"cookie:" not in wire.seen[-1].lower()


def _request_on_the_wire(seen: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    head, _, body = seen.partition(b"\r\n\r\n")
    line, *fields = head.split(b"\r\n")
    headers = sorted((name.strip().lower(), value.strip()) for name, _, value in (f.partition(b":") for f in fields))
    return line, headers, body


QUERY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | QUERY_TEXT, lambda inner: st.lists(inner, max_size=3), max_leaves=6
)


@settings(max_examples=60, deadline=None, database=None)
@given(
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE"]),
    params=st.dictionaries(QUERY_TEXT, st.one_of(QUERY_TEXT, st.integers(), st.booleans()), max_size=3),
    body=st.none() | st.dictionaries(QUERY_TEXT, JSON, max_size=3),
)
def test_a_request_is_the_same_bytes_as_httpx2s_own_transport_sends(wire, method, params, body):
    """Request line, headers (names' case and order aside) and body, byte for byte."""
    sent = {}
    for name, make in clients().items():
        before = len(wire.seen)
        anyio.run(outcome, make, call(wire.url + "/plain", method=method, params=params, body=body))
        sent[name] = _request_on_the_wire(wire.seen[before])
    assert sent["aiohttp"] == sent["httpx2"]


async def test_a_proxy_in_the_environment_carries_the_requests(wire, monkeypatch):
    """HTTP_PROXY and NO_PROXY are honoured, as httpx2's client honoured them: the provider's
    name is never looked up here, the proxy is asked for its absolute URL."""
    monkeypatch.setenv("HTTP_PROXY", wire.url)
    monkeypatch.setenv("NO_PROXY", "bypassed.invalid")
    proxied = await outcome(HttpClient, call("http://provider.invalid/plain?limit=2"))
    assert proxied == json.loads(BODY)
    assert wire.seen[-1].startswith(b"GET http://provider.invalid/plain?limit=2 HTTP/1.1\r\n")
    before = len(wire.seen)
    bypassed = await outcome(HttpClient, call("http://bypassed.invalid/plain"))
    assert (
        bypassed
        == "error: acct: Prov could not be reached at bypassed.invalid; check the network and the account's base URL."
    )
    assert len(wire.seen) == before


async def test_https_is_verified_against_the_authorities_httpx2_trusts(tls_wire, monkeypatch, tmp_path):
    """The certificate is checked, as httpx2's own transport checks it: refused while its
    authority is unknown, accepted once SSL_CERT_FILE names it."""
    unknown = {name: await outcome(make, call(tls_wire.url + "/plain")) for name, make in clients().items()}
    assert unknown["aiohttp"] == unknown["httpx2"]
    assert unknown["aiohttp"] == (
        "error: acct: Prov could not be reached at localhost; check the network and the account's base URL."
    )
    authority = tmp_path / "authority.pem"
    AUTHORITY.cert_pem.write_to_path(str(authority))
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))
    known = {name: await outcome(make, call(tls_wire.url + "/plain")) for name, make in clients().items()}
    assert known["aiohttp"] == known["httpx2"] == json.loads(BODY)


def test_starting_the_server_does_not_load_aiohttp():
    """Spawn to the first tools/list stays free of it (cold start): it loads with the first
    provider request."""
    script = """
import asyncio, sys
from mcp import Client
from leadinbox_mcp.sandbox import sendkit
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.providers.sendkit.client import SendKitClient
from leadinbox_mcp.server.app import build_server

async def main():
    with LoopbackServer(sendkit.create_app()) as served:
        accounts = lambda http: [SendKitClient("sendkit", sendkit.settings(served.url), http, sendkit.SANDBOX_API_KEY)]
        async with Client(build_server(accounts)) as client:
            await client.list_tools()
            print("aiohttp" in sys.modules)
            assert not (await client.call_tool("list_conversations", {"limit": 1})).is_error
            print("aiohttp" in sys.modules)

asyncio.run(main())
"""
    printed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert printed.stdout.split() == ["False", "True"]
