"""What every emulator shares: the request log, the auth gate, refusals in the provider's own
envelope, integer query parameters, paging a list, failure switches and the sandbox clock, and
for the write endpoints: JSON bodies and their fields, and the clock of what a write makes.

An emulator is a Starlette app made by `emulator_app`: its routes, a `check` that authenticates a
request (and may add headers to every answer), and an `envelope` that writes a refusal the way
that provider writes errors. Handlers raise `Refused`; nothing else needs a try block.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def reason(status: int) -> str:
    """The reason phrase of an HTTP status ("Error" for one the emulators do not answer)."""
    return _REASONS.get(status, "Error")


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
                raise Refused(self.state.fail, reason(self.state.fail), headers)
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


# --------------------------------------------------------------------------------------------
# Write endpoints: JSON bodies, their fields, the clock of what a write makes
# --------------------------------------------------------------------------------------------

MAX_BODY_BYTES = 1 << 20
"""ASSUMED: the largest request body an emulator reads (1 MiB); no provider documents one."""


class Invalid(Refused):
    """A 400 for a request body: not JSON, not an object, or one of its fields (`field`)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(400, message)
        self.field = field


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def json_object(request: Request, *, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request's body as a JSON object, read at most `max_bytes` far (413 past that). Not
    JSON (NaN and Infinity included), not UTF-8, empty, or not an object: `Invalid` (400). The
    Content-Type is not checked (ASSUMED: what the providers do with another one is undocumented)."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > max_bytes:
            raise Refused(413, f"The request body is larger than {max_bytes} bytes.")
    try:
        value = json.loads(bytes(raw).decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError):
        raise Invalid("The request body must be valid JSON.") from None
    if not isinstance(value, dict):
        raise Invalid("The request body must be a JSON object.")
    return value


def text_field(
    body: Mapping[str, Any], name: str, *, required: bool = False, max_chars: int | None = None
) -> str | None:
    """A string field: None when absent or null (refused when `required`); refused when not a
    string, blank though required, or longer than `max_chars` characters."""
    value = body.get(name)
    if value is None:
        if required:
            raise Invalid(f"'{name}' is required.", name)
        return None
    if not isinstance(value, str):
        raise Invalid(f"'{name}' must be a string.", name)
    if required and not value.strip():
        raise Invalid(f"'{name}' must not be empty.", name)
    if max_chars is not None and len(value) > max_chars:
        raise Invalid(f"'{name}' must be at most {max_chars} characters long.", name)
    return value


def string_list(body: Mapping[str, Any], name: str, *, max_items: int = 100) -> list[str]:
    """A list of strings: [] when absent or null; refused when anything else or longer than
    `max_items` (ASSUMED: no provider documents a maximum)."""
    return _list_of(body, name, str, "strings", max_items)


def object_list(body: Mapping[str, Any], name: str, *, max_items: int = 20) -> list[dict[str, Any]]:
    """A list of JSON objects (each copied): [] when absent or null; refused when anything else or
    longer than `max_items` (ASSUMED: no provider documents a maximum)."""
    return [dict(item) for item in _list_of(body, name, dict, "objects", max_items)]


def _list_of(body: Mapping[str, Any], name: str, kind: type, kind_plural: str, max_items: int) -> list[Any]:
    """What `string_list` and `object_list` check: a list of `kind` items, `max_items` at most."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, kind) for item in value):
        raise Invalid(f"'{name}' must be a list of {kind_plural}.", name)
    if len(value) > max_items:
        raise Invalid(f"'{name}' must have at most {max_items} items.", name)
    return list(value)


EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
"""An e-mail address, as loosely as the emulators check one."""


def is_email(value: str) -> bool:
    return EMAIL.fullmatch(value.strip()) is not None


def preview(text: str, max_chars: int) -> str:
    """`text` on one line (white space folded), cut to `max_chars` characters with "..." when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 3].rstrip() + "..."


_BREAKS = re.compile(r"(?i)<br\s*/?>|</p\s*>|</div\s*>")
_TAGS = re.compile(r"<[^>]*>")


def text_of_html(markup: str) -> str:
    """The plain text of an HTML fragment, as a write's text part: line breaks at <br> and at the
    ends of paragraphs and divisions, other tags dropped, entities decoded, blank runs trimmed."""
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", markup)))
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class Clock:
    """When a write happens. With the data's `now` given (tests, goldens): that instant plus the
    real time elapsed since the clock was made, so that what writes make comes after the data
    and moves on as the session goes. Without it: the real time (the data lies before the start
    of the current UTC day). In milliseconds, as the providers write times, and strictly
    increasing: two writes never share an instant."""

    def __init__(self, now: datetime | None) -> None:
        self._start = None if now is None else sandbox_now(now)
        self._origin = time.monotonic()
        self._last: datetime | None = None

    def __call__(self) -> datetime:
        if self._start is None:
            t = datetime.now(UTC)
        else:
            t = self._start + timedelta(seconds=time.monotonic() - self._origin)
        t = t.replace(microsecond=t.microsecond // 1000 * 1000)
        if self._last is not None and t <= self._last:
            t = self._last + timedelta(milliseconds=1)
        self._last = t
        return t
