"""MCP over streamable HTTP: stateless at /mcp (any worker answers any request, cursors
included), /healthz, an optional bearer token, DNS-rebinding protection, and connections that
cannot be held open: idle ones close after the keep-alive timeout, and a request still being
sent after the read timeout (slowloris) is answered 408 and closed (`ReadDeadlineH11`)."""

from __future__ import annotations

import asyncio
import functools
import hmac
import ipaddress
import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import h11
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from leadinbox_mcp.providers.errors import ConfigError
from leadinbox_mcp.providers.registry import allowing
from leadinbox_mcp.server.accounts import configured_accounts
from leadinbox_mcp.server.app import InboxServer, build_server
from leadinbox_mcp.server.settings import MIN_SECRET_CHARS, ServerSettings

SANDBOX_ENV = "INBOX_MCP_SANDBOX"
"""Set by `serve --sandbox --transport http` so that every worker process serves the sandbox."""
WORKERS_ENV = "INBOX_MCP_HTTP_WORKERS"
"""Set by `serve --transport http`: how many worker processes share the port (1: cursor handles
can live in this process)."""
CURSOR_KEY_ENV = "INBOX_MCP_CURSOR_KEY"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class RefusedToStart(ConfigError):
    """A configuration the HTTP server will not run with; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, settings: ServerSettings) -> None:
    check_token(settings)
    if not is_loopback(host) and settings.token is None:
        raise RefusedToStart(
            f"Refusing to serve on {host} without a token: anyone who can reach it could read the inboxes. "
            "Set INBOX_MCP_TOKEN, or bind to 127.0.0.1."
        )


def check_token(settings: ServerSettings) -> None:
    """A token that is set must be one a client cannot guess: blank or short refuses to start."""
    if settings.token is None:
        return
    token = settings.token.get_secret_value()
    if not token.strip():
        raise RefusedToStart(
            "INBOX_MCP_TOKEN is set but blank: set it to at least 32 random characters "
            "(e.g. from `openssl rand -hex 32`), or unset it to serve on 127.0.0.1 without a token."
        )
    if token != token.strip():
        raise RefusedToStart(
            "INBOX_MCP_TOKEN begins or ends with white space, which HTTP drops from the Authorization header, "
            "so no client could send it: remove it."
        )
    if len(token) < MIN_SECRET_CHARS:
        raise RefusedToStart(
            f"INBOX_MCP_TOKEN is shorter than {MIN_SECRET_CHARS} characters, short enough to guess: "
            "use at least 32 random characters (e.g. from `openssl rand -hex 32`)."
        )


def transport_security(host: str, settings: ServerSettings) -> TransportSecuritySettings:
    """Host and Origin checks against DNS rebinding: loopback names, the bound host, and the
    INBOX_MCP_ALLOWED_HOSTS / INBOX_MCP_ALLOWED_ORIGINS a deployment adds."""
    hosts = [*_LOOPBACK_NAMES]
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        hosts.append(host)
    allowed_hosts = [f"{h}:*" for h in hosts] + settings.allowed_host_list()
    allowed_origins = [f"http://{h}:*" for h in _LOOPBACK_NAMES] + settings.allowed_origin_list()
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts, allowed_origins=allowed_origins
    )


class BearerToken:
    """Every request but /healthz needs `Authorization: Bearer <token>` (compared in constant time)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # /healthz is public; /.well-known/ must answer 404, not 401, or OAuth-capable clients
        # start a login this server does not offer.
        if scope["type"] == "http" and scope["path"] != "/healthz" and not scope["path"].startswith("/.well-known/"):
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = JSONResponse(
                    {"error": "unauthorized", "message": "Send Authorization: Bearer <INBOX_MCP_TOKEN>."},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="leadinbox-mcp"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def http_app(server: InboxServer, host: str, settings: ServerSettings) -> ASGIApp:
    check_binding(host, settings)

    @server.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app: ASGIApp = server.streamable_http_app(
        stateless_http=True, json_response=True, transport_security=transport_security(host, settings), host=host
    )
    app = WholeBody(app)
    if settings.token is not None:
        app = BearerToken(app, settings.token.get_secret_value())
    return app


class WholeBody:
    """The request body read in full before the app sees the request, so that a client that goes
    away mid-body, or is cut off by the read deadline (`ReadDeadlineH11`), never reaches the MCP
    handler (which logs a traceback for each: a slowloris client would fill the log). A body
    larger than the SDK takes (DEFAULT_MAX_REQUEST_BODY_SIZE) is refused as soon as it says so
    or grows past it, rather than held in memory first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > DEFAULT_MAX_REQUEST_BODY_SIZE:
            await _TOO_LARGE(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > DEFAULT_MAX_REQUEST_BODY_SIZE:
                await _TOO_LARGE(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        whole: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal whole
            if whole is None:
                return await receive()  # after the body: the disconnect, when it comes
            message, whole = whole, None
            return message

        await self.app(scope, replay, send)


_TOO_LARGE = JSONResponse(
    {"error": "too_large", "message": f"A request body may be at most {DEFAULT_MAX_REQUEST_BODY_SIZE // 2**20} MiB."},
    status_code=413,
    headers={"Connection": "close"},
)


_sandbox_stack = ExitStack()


def worker_app() -> ASGIApp:
    """The app of one worker process (uvicorn factory): settings and accounts from the
    environment, or the sandbox when the parent asked for it."""
    settings = ServerSettings()
    host = os.environ.get("INBOX_MCP_HTTP_HOST", "127.0.0.1")
    if os.environ.get(SANDBOX_ENV) == "1":
        from leadinbox_mcp.sandbox.serve import sandbox

        accounts = allowing(settings.write, _sandbox_stack.enter_context(sandbox()))
    else:
        accounts = configured_accounts(settings.config, settings.write)
    # Handles where every worker can read them: in Redis, or in the only process there is.
    # Several workers without Redis hand out signed cursors, under the key they all share.
    handles = settings.redis_url is not None or os.environ.get(WORKERS_ENV, "1") == "1"
    server = build_server(accounts, **settings.server_options(), cursor_handles=handles)
    return http_app(server, host, settings)


def environment_for_workers(
    host: str, sandbox: bool, workers: int, settings: ServerSettings
) -> Iterator[tuple[str, str]]:
    """What the parent passes its workers through the environment. Without INBOX_MCP_CURSOR_KEY,
    a key generated here, once, so that every worker signs and checks cursors alike (it is
    never printed or logged; a restart makes a new one)."""
    yield "INBOX_MCP_HTTP_HOST", host
    yield WORKERS_ENV, str(workers)
    if sandbox:
        yield SANDBOX_ENV, "1"
    if settings.cursor_key is None:
        yield CURSOR_KEY_ENV, secrets.token_urlsafe(32)


def uvicorn_options(settings: ServerSettings) -> dict[str, Any]:
    """Connection limits: idle connections close after INBOX_MCP_HTTP_KEEP_ALIVE seconds, and a
    request must arrive whole within INBOX_MCP_HTTP_READ_TIMEOUT seconds (uvicorn has no such
    limit of its own: a client that sends half a request holds the connection forever)."""
    return {
        "http": ReadDeadlineH11,
        "ws": "none",
        "timeout_keep_alive": settings.http_keep_alive,
    }


class ReadDeadlineH11(H11Protocol):
    """uvicorn's h11 protocol with a read deadline: from a connection's start, and from the first
    byte of each later request on it, the client has INBOX_MCP_HTTP_READ_TIMEOUT seconds to send
    the whole request (headers and body). Sending slowly, a byte at a time, does not extend it.
    A connection that misses it is answered 408 (unless a response has begun) and closed.
    Between requests the keep-alive timeout applies, as in uvicorn; while the server works on a
    request that arrived whole, no deadline runs: a slow tool call is not cut."""

    read_timeout: float | None = None
    """Seconds; None: INBOX_MCP_HTTP_READ_TIMEOUT."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_seconds: float = self.read_timeout or _read_timeout()
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_reading()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _watch_reading(self) -> None:
        """Run the deadline while a request is still to come in whole; stop it once it has."""
        if self.transport.is_closing() or self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._stop_deadline()
        elif self._read_deadline is None:
            self._read_deadline = self.loop.call_later(self._read_seconds, self._read_timed_out)

    def _stop_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if self.transport.is_closing() or self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            return
        if self.cycle is None or not self.cycle.response_started or self.cycle.response_complete:
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"connection: close\r\ncontent-length: 35\r\n\r\nThe request did not arrive in time."
            )
        self.transport.close()


@functools.cache
def _read_timeout() -> float:
    """INBOX_MCP_HTTP_READ_TIMEOUT, read once per process (each worker reads its environment)."""
    return ServerSettings().http_read_timeout
