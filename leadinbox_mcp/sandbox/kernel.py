"""What every emulator shares: the request log, the auth gate, refusals in the provider's own
envelope, integer query parameters, paging a list, failure switches and the sandbox clock.

An emulator is a Starlette app made by `emulator_app`: its routes, a `check` that authenticates a
request (and may add headers to every answer), and an `envelope` that writes a refusal the way
that provider writes errors. Handlers raise `Refused`; nothing else needs a try block.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Refused(Exception):
    """An answer other than success, written by the app's envelope."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


Envelope = Callable[[Refused], Response]
"""Writes a refusal as the provider does (JSON with its field names, or plain text)."""
Check = Callable[[Request], "dict[str, str] | None"]
"""Authenticates a request: raises Refused, or returns headers to add to the answer."""
RouteError = Callable[[Request, int], str]
"""The message of a 404 or 405 from the router, as the provider words it."""


class _Gate:
    """Logs every request (refused ones too), then lets `check` refuse it or add headers."""

    def __init__(self, app: ASGIApp, *, state: Any, check: Check, envelope: Envelope) -> None:
        self.app, self.state, self.check, self.envelope = app, state, check, envelope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        self.state.requests.append((request.method, scope["path"], dict(request.query_params)))
        try:
            headers = self.check(request)
            if self.state.fail is not None:  # a failure switch, which tests may flip while it runs
                raise Refused(self.state.fail, REASONS.get(self.state.fail, "Error"), headers)
        except Refused as refusal:
            await self.envelope(refusal)(scope, receive, send)
            return
        if not headers:
            await self.app(scope, receive, send)
            return
        extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def emulator_app(
    routes: Sequence[BaseRoute], *, check: Check, envelope: Envelope, route_error: RouteError
) -> Starlette:
    """The app. `app.state.requests` lists `(method, path, query)` of every request received;
    `app.state.fail`, when set to a status, makes every authenticated request answer it."""

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return envelope(exc)

    async def not_routed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return envelope(Refused(exc.status_code, route_error(request, exc.status_code), exc.headers))

    app = Starlette(routes=list(routes), exception_handlers={Refused: refused, HTTPException: not_routed})
    app.state.requests = []
    app.state.fail = None
    app.add_middleware(_Gate, state=app.state, check=check, envelope=envelope)
    return app


def int_param(
    request: Request,
    name: str,
    default: int,
    low: int,
    high: int | None,
    *,
    message: str = "{name} must be an integer {bound}",
    max_digits: int | None = None,
) -> int:
    """A whole-number query parameter within bounds; `default` when absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    digits = r"[0-9]+" if max_digits is None else rf"[0-9]{{1,{max_digits}}}"
    if not re.fullmatch(digits, raw.strip()) or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Refused(400, message.format(name=name, bound=bound))
    return int(raw)


def window(rows: Sequence[Any], start: int, limit: int) -> tuple[list[Any], bool]:
    """One page of `rows` from `start`, and whether more follow."""
    return list(rows[start : start + limit]), start + limit < len(rows)


def sandbox_now(now: datetime | None) -> datetime:
    """`now` in UTC, or the start of the current UTC day, so that a sandbox started twice that
    day serves the same data."""
    if now is None:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def iso(t: datetime) -> str:
    """A time as the providers write it: UTC, milliseconds, `Z`."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
