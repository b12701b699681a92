"""MCP over streamable HTTP: stateless at /mcp (any worker answers any request, cursors
included), /healthz, an optional bearer token, and DNS-rebinding protection."""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator
from contextlib import ExitStack

from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from inbox_mcp.providers.registry import accounts_from_env
from inbox_mcp.server.app import InboxServer, build_server
from inbox_mcp.server.settings import ServerSettings

SANDBOX_ENV = "INBOX_MCP_SANDBOX"
"""Set by `serve --sandbox --transport http` so that every worker process serves the sandbox."""
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class RefusedToStart(Exception):
    """A configuration the HTTP server will not run with; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, settings: ServerSettings) -> None:
    if not is_loopback(host) and settings.token is None:
        raise RefusedToStart(
            f"Refusing to serve on {host} without a token: anyone who can reach it could read the inboxes. "
            "Set INBOX_MCP_TOKEN, or bind to 127.0.0.1."
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
                    headers={"WWW-Authenticate": 'Bearer realm="inbox-mcp"'},
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
    if settings.token is not None:
        app = BearerToken(app, settings.token.get_secret_value())
    return app


_sandbox_stack = ExitStack()


def worker_app() -> ASGIApp:
    """The app of one worker process (uvicorn factory): settings and accounts from the
    environment, or the sandbox when the parent asked for it."""
    settings = ServerSettings()
    host = os.environ.get("INBOX_MCP_HTTP_HOST", "127.0.0.1")
    if os.environ.get(SANDBOX_ENV) == "1":
        from inbox_mcp.server.sandbox import sandbox

        accounts = _sandbox_stack.enter_context(sandbox())
    else:
        accounts = accounts_from_env()
    return http_app(build_server(accounts, **settings.server_options()), host, settings)


def environment_for_workers(host: str, sandbox: bool) -> Iterator[tuple[str, str]]:
    yield "INBOX_MCP_HTTP_HOST", host
    if sandbox:
        yield SANDBOX_ENV, "1"
