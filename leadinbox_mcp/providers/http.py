"""The one HTTP client every provider uses: timeouts, bounded bodies, retries, error mapping.

Providers describe a call (`Call`) and get parsed JSON back, or a `ProviderError` whose
sentence names the account, what went wrong and what to check. Credentials travel only in the
headers the provider passes in; every message built here is scrubbed of them as well.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import math
import random
import urllib.parse
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

import anyio
import anyio.to_thread
import httpx2
import pydantic_core

from leadinbox_mcp.providers.errors import (
    AuthError,
    BadRequestError,
    NotFoundError,
    ProviderError,
    RateLimitedError,
    UpstreamError,
)
from leadinbox_mcp.providers.redaction import forms_of, holds_secret, redact, scrub_body
from leadinbox_mcp.providers.wire_base import gc_paused

log = logging.getLogger(__name__)

_deadline: ContextVar[float | None] = ContextVar("leadinbox_mcp_call_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    """Every provider request made inside (tasks started inside included) ends by then."""
    token = _deadline.set(anyio.current_time() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds until this call's deadline, None when there is none. A client that walks several
    pages checks it to stop early with what it has, rather than lose it all to the deadline."""
    end = _deadline.get()
    return None if end is None else end - anyio.current_time()


_remaining = time_left

MAX_BODY_BYTES = 16 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""For a repeatable call (a GET, or a write with an idempotency key) a failure on the provider's
side is worth another try; InboxBase documents "retry 5xx with exponential backoff", and 500s of
the others are mostly transient too. A write that is not repeatable is retried only where it
surely was not acted on: a 429, or a connection that never opened."""
REPEATABLE_METHODS = frozenset({"GET", "PUT", "DELETE"})
MAX_RETRY_WAIT = 10.0
"""Longest Retry-After we wait out inside one call; longer ones become an error that says when."""


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float

    @classmethod
    def per_second(cls, rate: float) -> RateLimit:
        """`rate` requests per second, below 1 included: 0.5 is one request every 2 seconds, 2.5
        is 2 every 0.8 seconds (a whole number of requests per window, never rounded up)."""
        if not rate > 0:
            raise ValueError(f"a request rate must be above 0, not {rate!r}")
        requests = max(1, math.floor(rate))
        return cls(requests, requests / rate)


class Limiter(Protocol):
    async def acquire(self) -> None:
        """Return when one more request may be sent."""


class _Window:
    """A sliding window of request times: a burst queues here instead of meeting a 429."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()
        self.lock = anyio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = anyio.current_time()
                while self.sent and now - self.sent[0] >= self.limit.per_seconds:
                    self.sent.popleft()
                if len(self.sent) < self.limit.requests:
                    self.sent.append(now)
                    return
                await anyio.sleep(self.sent[0] + self.limit.per_seconds - now)


@lru_cache(maxsize=64)
def bucket_for(provider: str, key: str) -> str:
    """A rate-limit bucket per provider and key, named without the key itself."""
    return f"{provider}:{hashlib.sha256(key.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Call:
    """One request to a provider (a GET unless `method` says otherwise), with what error
    messages need to be helpful."""

    url: str
    account: str
    provider_label: str
    key_hint: str
    """Where the credentials come from, e.g. "SENDKIT_API_KEY"."""
    params: Mapping[str, str | int] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    """Values to scrub from any text that leaves this module: the forms a provider may echo
    them in are added here, once (see `redaction.secret_forms`)."""
    not_found: str | None = None
    """The sentence for a 404, when the caller knows what was missing."""
    base_url_hint: str = "the account's base URL"
    """Where the base URL comes from, e.g. "SENDKIT_BASE_URL"."""
    forbidden_hint: str | None = None
    rate_limit: RateLimit | None = None
    """The provider's documented limit; None: the client's default for undocumented ones."""
    bucket: str = ""
    """Calls with the same bucket share one limit (see `bucket_for`); empty: no limit."""
    method: str = "GET"
    body: Any = None
    """JSON to send (a write)."""
    repeatable: bool | None = None
    """Whether a failure on the provider's side may be retried: None means by method (GET,
    PUT and DELETE are; POST and PATCH are not, as the provider may have acted before failing,
    unless the call carries an idempotency key and says so)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "secrets", forms_of(tuple(self.secrets)))


class HttpClient:
    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        retries: int = 2,
        default_rate_limit: RateLimit = RateLimit(10, 1.0),
        transport: httpx2.AsyncBaseTransport | Exchange | None = None,
        windows: Callable[[str, RateLimit], Limiter] | None = None,
    ) -> None:
        """`transport`: aiohttp's connections (`transport.AiohttpTransport`) when None, made on
        the first request; an httpx2 transport is wrapped (`Httpx2Exchange`). `windows(bucket,
        limit)` makes the rate-limit window of a bucket where every other client (worker,
        machine) shares it (the server's Redis); None: in this process."""
        self._timeout = httpx2.Timeout(read_timeout, connect=connect_timeout).as_dict()
        self._transport = Httpx2Exchange(transport) if isinstance(transport, httpx2.AsyncBaseTransport) else transport
        self._retries = retries
        self._default_limit = default_rate_limit
        self._shared_window = windows
        self._windows: dict[str, Limiter] = {}
        self._making = anyio.Lock()

    async def _connections(self) -> Exchange:
        """The connections, made on the first request: aiohttp's import and the TLS context
        would cost a start-up (spawn to the first tools/list) that has no request to make yet.
        They are made in a worker thread: on the event loop they held every other call (and
        /healthz) for 0.2-0.7 s."""
        if self._transport is None:
            async with self._making:  # one thread makes them; requests that come meanwhile wait for it
                if self._transport is None:
                    self._transport = await anyio.to_thread.run_sync(_new_transport)
        return self._transport

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()

    async def get_json(self, call: Call) -> Any:
        """The parsed JSON of a GET (or of a write: a 2xx without a body is None)."""
        status, headers, body = await self._exchange(call, MAX_BODY_BYTES)
        return _decode(call, status, headers, body)

    async def get_bytes(self, call: Call, max_bytes: int) -> Download:
        """The bytes of a download of at most `max_bytes` (refused from its Content-Length when
        declared, and while reading otherwise); an error status raises as `get_json` does."""
        status, headers, body = await self._exchange(call, max_bytes)
        if not 200 <= status < 300:
            _decode(call, status, headers, body)  # raises the sentence of that status
        return Download(body, headers.get("content-type"), call.secrets)

    async def _exchange(self, call: Call, max_bytes: int) -> tuple[int, Mapping[str, str], bytes]:
        repeatable = call.repeatable if call.repeatable is not None else call.method in REPEATABLE_METHODS
        attempt = 0
        while True:
            try:
                status, headers, body = await self._attempt(call, max_bytes)
            except (httpx2.RequestError, httpx2.InvalidURL, BodyTooLarge) as exc:
                # RequestError: transport failures, and also a body that its Content-Encoding
                # does not fit (DecodingError); InvalidURL: a request that cannot be made, e.g. a
                # provider page cursor of a megabyte sent back as a query parameter.
                pause = _backoff(attempt + 1)
                transient = _TRANSIENT if repeatable else _NOT_SENT
                if attempt < self._retries and isinstance(exc, transient) and self._can_wait(pause):
                    attempt += 1
                    await anyio.sleep(pause)
                    continue
                raise _transport_error(call, exc, max_bytes) from None
            if status in RETRY_STATUSES and attempt < self._retries and (repeatable or status == 429):
                wait = _wait_from(headers)
                pause = wait if wait is not None else _backoff(attempt + 1)
                if pause <= MAX_RETRY_WAIT and self._can_wait(pause):
                    attempt += 1
                    await anyio.sleep(pause)
                    continue
            return status, headers, body

    async def _attempt(self, call: Call, max_bytes: int) -> tuple[int, Mapping[str, str], bytes]:
        """One request within the call's deadline (one cancel scope for the wait in our own rate
        limiter and the exchange), or the sentence of whichever of the two ran out of time."""
        end = _deadline.get()
        if end is not None and anyio.current_time() >= end:
            raise _out_of_time(call)
        limited = bool(call.bucket)
        transport = await self._connections()  # made before the window stamps the request, not between stamp and send
        with anyio.CancelScope(deadline=math.inf if end is None else end):
            if call.bucket:
                await self._window(call).acquire()
                # Time was left before the limiter and none after it: the limiter took the rest.
                limited = end is not None and anyio.current_time() >= end
            if not limited:
                return await self._send(transport, call, max_bytes)
        raise self._held_by_our_limit(call) if limited else _out_of_time(call)

    def _held_by_our_limit(self, call: Call) -> UpstreamError:
        """The call's time ran out while this server's own rate limiter held the request: the
        provider was never asked, so the sentence must not blame it."""
        limit = call.rate_limit or self._default_limit
        rate = f"{limit.requests} request{'s' if limit.requests != 1 else ''} per {limit.per_seconds:g} s"
        if call.rate_limit is None:
            why = f"this server's own rate limit for that key ({rate}, INBOX_MCP_REQUESTS_PER_SECOND)"
            fix = f"raise INBOX_MCP_REQUESTS_PER_SECOND if {call.provider_label} allows more, or ask for fewer pages"
        else:
            why = f"this server's own rate limit for that key ({rate}, {call.provider_label}'s documented limit)"
            fix = "ask for fewer pages (one account, a smaller limit)"
        return UpstreamError(
            f"{call.account}: {why} held the request until this call's time limit ran out, so "
            f"{call.provider_label} was not asked; try again in a few seconds, or {fix}."
        )

    def _window(self, call: Call) -> Limiter:
        window = self._windows.get(call.bucket)
        if window is None:
            limit = call.rate_limit or self._default_limit
            window = self._shared_window(call.bucket, limit) if self._shared_window else _Window(limit)
            self._windows[call.bucket] = window
        return window

    @staticmethod
    def _can_wait(seconds: float) -> bool:
        """A retry only when it can still finish within the call's deadline."""
        left = _remaining()
        return left is None or seconds < left - 0.5

    async def _send(self, transport: Exchange, call: Call, max_bytes: int) -> tuple[int, Mapping[str, str], bytes]:
        headers = {**_HEADERS, **call.headers}
        url = wire_url(call.url, call.params)
        return await transport.exchange(call.method, url, headers, call.body, self._timeout, max_bytes)


class Exchange(Protocol):
    """Connections that send a request and read its answer (see `transport.AiohttpTransport`)."""

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Any,
        timeout: Mapping[str, float | None],
        max_bytes: int,
    ) -> tuple[int, Mapping[str, str], bytes]: ...

    async def aclose(self) -> None: ...


class Httpx2Exchange:
    """An httpx2 transport (httpx2's own, a mock, an ASGI app) as the connections of an HttpClient."""

    def __init__(self, transport: httpx2.AsyncBaseTransport) -> None:
        self.transport = transport

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Any,
        timeout: Mapping[str, float | None],
        max_bytes: int,
    ) -> tuple[int, Mapping[str, str], bytes]:
        request = httpx2.Request(method, url, headers=headers, json=body, extensions={"timeout": timeout})
        r = await self.transport.handle_async_request(request)
        try:
            return r.status_code, r.headers, await read_within(r.aiter_bytes(), r.headers, max_bytes)
        finally:
            await r.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()


class BodyTooLarge(Exception):
    """An answer longer than the exchange may read."""


async def read_within(chunks: AsyncIterator[bytes], headers: Mapping[str, str], max_bytes: int) -> bytes:
    """An answer's body of at most `max_bytes`, or BodyTooLarge: from its Content-Length when it
    declares one, and while reading otherwise."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge()
    read: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge()
        read.append(chunk)
    return b"".join(read)


def _new_transport() -> Exchange:
    from leadinbox_mcp.providers.transport import AiohttpTransport

    return AiohttpTransport()


_HEADERS = {"User-Agent": "leadinbox-mcp", "Accept": "application/json", "Accept-Encoding": "gzip, deflate"}


def wire_url(url: str, params: Mapping[str, str | int]) -> str:
    """The URL a request is sent to, as httpx2 sends it: `url` normalized and encoded as httpx2.URL
    does it (remembered when it has no query: a provider's paths repeat), and `params` encoded as
    httpx2 encodes them (urlencode, and true/false for booleans). A URL that has a query already
    is left to httpx2 (whose `params` replace that query)."""
    if "?" in url:  # e.g. a provider's next-page link
        return str(httpx2.URL(url, params=dict(params)) if params else httpx2.URL(url))
    if not params:
        return _normalized(url)
    pairs = [(key, "true" if value is True else "false" if value is False else value) for key, value in params.items()]
    return f"{_normalized(url)}?{urllib.parse.urlencode(pairs)}"


@lru_cache(maxsize=1024)
def _normalized(url: str) -> str:
    return str(httpx2.URL(url))


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str | None
    secrets: tuple[str, ...] = ()
    """The account's key in its forms: to `scrub` from the text read out of the file."""


# Worth another try: the connection failed or the answer was cut off mid-way.
_TRANSIENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.RemoteProtocolError, httpx2.ReadError)
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout)
"""Failures before the request reached the provider: the only ones a write that is not
repeatable may be retried after."""


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n / 1024:g} KB"


def _out_of_time(call: Call) -> UpstreamError:
    return UpstreamError(
        f"{call.account}: {call.provider_label} did not answer within this call's time limit; try again shortly."
    )


def _backoff(attempt: int) -> float:
    return min(4.0, 0.25 * 2 ** (attempt - 1)) * (0.5 + random.random())


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _wait_from(headers: Mapping[str, str]) -> float | None:
    """How long the provider asks us to wait: Retry-After, else X-RateLimit-Reset when it is a
    date (lemlist documents it as a date string, not an epoch; a bare number is ambiguous
    between seconds and an epoch, so it is not read)."""
    wait = _retry_after(headers.get("retry-after"))
    if wait is None:
        reset = (headers.get("x-ratelimit-reset") or "").strip()
        if reset and not reset.replace(".", "", 1).isdigit():
            wait = _retry_after(reset) if "," in reset else _date_wait(reset)
    return wait


def _date_wait(value: str) -> float | None:
    """Seconds until a date written as JavaScript's Date.toString() or ISO 8601 writes it,
    e.g. "Thu Nov 20 2026 12:00:02 GMT+0000 (Coordinated Universal Time)"."""
    text = value.split(" (")[0].strip()
    for parse in (
        lambda t: datetime.strptime(t, "%a %b %d %Y %H:%M:%S GMT%z"),
        lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")),
    ):
        try:
            when = parse(text)
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None


def _detail(body: bytes, secrets: Iterable[str]) -> str:
    """The provider's own explanation from an error body, short, on one line, scrubbed."""
    text = ""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for json
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "details"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                text = value
                break
    elif body[:200].lstrip().startswith(b"<"):
        text = ""  # an HTML error page says nothing an agent can use
    else:
        text = body[:300].decode("utf-8", "replace")
    text = redact(" ".join(text.split()), secrets).rstrip(".")  # before cutting: a cut key is harder to spot
    if len(text) > 160:
        text = text[:157] + "..."
    return text.translate(_QUOTES)


_QUOTES = str.maketrans({'"': "'", "\u201c": "'", "\u201d": "'", "\u201e": "'", "\uff02": "'"})


def _json_of(call: Call, body: bytes) -> Any:
    """The JSON of a body. Bytes that are not UTF-8 are replaced by U+FFFD rather than failing
    the whole answer (one bad byte in one lead's name must not hide the page).

    Read by pydantic's parser (jiter), which takes about half the time of `json` on a page;
    what it refuses (a BOM, a lone surrogate, nesting past 200, malformed JSON) is read by
    `json` as before, so both the answers and the errors stay those of `json`. Only keys are
    kept in its string cache: no provider value outlives the answer there. Bytes that are not
    UTF-8 are checked for first (a hundredth of a parse), rather than left to jiter, which
    reads up to a bad byte before refusing it: 0.45 s of the event loop for one at the end of
    15 MB, before `json` read it all again."""
    text: bytes | str = body
    with gc_paused():
        if not body.isascii() and not _is_utf8(body):
            try:
                return json.loads(body)  # UTF-16 or -32, or surrogates encoded in UTF-8, as json reads them
            except UnicodeDecodeError:  # raised before json parses anything
                log.warning(
                    "%s: %s sent a body that is not valid UTF-8; bad bytes replaced", call.account, call.provider_label
                )
                text = body.decode("utf-8-sig", "replace")
        try:
            return pydantic_core.from_json(text, cache_strings="keys")
        except ValueError:
            return json.loads(text)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


_ERROR_FIELDS = frozenset(
    {
        "error",
        "errors",
        "message",
        "msg",
        "detail",
        "details",
        "code",
        "status",
        "statusCode",
        "status_code",
        "success",
        "ok",
        "requestId",
        "request_id",
        "type",
        "title",
        "timestamp",
        "path",
    }
)
"""What an error body holds, beside which a 200 that says an error carries no data."""


def _error_shaped(data: Any, method: str) -> bool:
    """A 2xx body that is an error: `{"success": false}`, `{"ok": false}`, `{"status": "error"}`;
    or one that says an error (`error`/`errors`, or a status code of 400 or more) and carries no
    data beside it (no list or object that is not empty); or, answering a read, a message with
    nothing but error fields."""
    if not isinstance(data, dict):
        return False
    if data.get("success") is False or data.get("ok") is False:
        return True
    status = data.get("status")
    if isinstance(status, str) and status.strip().lower() in _ERROR_STATUSES:
        return True
    codes = [data.get(key) for key in ("statusCode", "status_code", "status", "code")]
    if any(isinstance(code, int) and not isinstance(code, bool) and code >= 400 for code in codes):
        said = True
    elif data.get("error") or data.get("errors"):
        said = True
    else:  # a read answered with a message and nothing else at all
        said = method == "GET" and set(data) <= _ERROR_FIELDS and any(data.get(key) for key in ("message", "msg"))
    return said and not any(
        key not in _ERROR_FIELDS and isinstance(value, (list, dict)) and value for key, value in data.items()
    )


_ERROR_STATUSES = frozenset({"error", "fail", "failed", "failure"})


def _decode(call: Call, status: int, headers: Mapping[str, str], body: bytes) -> Any:
    who = f"{call.account}: {call.provider_label}"
    if 200 <= status < 300 and call.method != "GET" and not body.strip():
        return None  # a write answered 204, or 200 with nothing to say
    if 200 <= status < 300:
        content_type = headers.get("content-type", "")
        if "json" not in content_type:
            # The media type alone, scrubbed: the header is the provider's to fill.
            media = redact(" ".join(content_type.split(";")[0].split()), call.secrets)[:60]
            raise UpstreamError(
                f"{who} answered with {media or 'no content type'} instead of JSON; check {call.base_url_hint}."
            )
        if holds_secret(body, call.secrets):
            body = scrub_body(body, call.secrets)
        try:
            data = _json_of(call, body)
        except ValueError:
            raise UpstreamError(f"{who} answered with malformed or truncated JSON; try again shortly.") from None
        except RecursionError:  # json gives up on deep nesting with RecursionError, not ValueError
            raise UpstreamError(
                f"{who} answered with JSON nested too deeply to read; the API may have changed."
            ) from None
        if _error_shaped(data, call.method):
            detail = _detail(body, call.secrets)
            said = f'HTTP {status}: "{detail}"' if detail else f"HTTP {status}"
            raise UpstreamError(
                f"{who} answered with an error instead of data ({said}); try again shortly, "
                "and check this account's settings if it persists.",
                status,
            )
        return data
    detail = _detail(body, call.secrets)
    # The provider's words, quoted so that they cannot pose as ours (its own quotes made single).
    said = f'HTTP {status}: "{detail}"' if detail else f"HTTP {status}"
    if status == 401:
        raise AuthError(f"{who} rejected the credentials ({said}): check {call.key_hint}.", status)
    if status == 403:
        hint = call.forbidden_hint or call.key_hint
        raise AuthError(f"{who} refused access ({said}): check {hint}.", status)
    if status == 404:
        raise NotFoundError(call.not_found or f"{who} found nothing at that address ({said}).", status)
    if status == 429:
        wait = _wait_from(headers)
        when = f"in {max(1, round(wait))} seconds" if wait is not None else "in a minute"
        raise RateLimitedError(f"{who} is rate limiting requests: try again {when}.", wait)
    if status in (400, 405, 409, 422):
        raise BadRequestError(f"{who} refused the request ({said}).", status)
    if status >= 500:
        raise UpstreamError(f"{who} failed ({said}); try again shortly.", status)
    raise ProviderError(f"{who} answered {said}.", status)


def _transport_error(call: Call, exc: Exception, max_bytes: int) -> UpstreamError:
    who = f"{call.account}: {call.provider_label}"
    if isinstance(exc, BodyTooLarge):
        return UpstreamError(f"{who} sent a response larger than {_size(max_bytes)}; refused.")
    if isinstance(exc, httpx2.TimeoutException):
        return UpstreamError(f"{who} did not answer in time; try again shortly.")
    if isinstance(exc, httpx2.DecodingError):
        return UpstreamError(f"{who} sent a body its Content-Encoding does not fit; try again shortly.")
    if isinstance(exc, httpx2.InvalidURL):
        return UpstreamError(
            f"{who} cannot be asked: the request address is invalid or too long; start again without a cursor."
        )
    if isinstance(exc, (httpx2.RemoteProtocolError, httpx2.ReadError)):
        return UpstreamError(f"{who} broke off its answer mid-way; try again shortly.")
    host = httpx2.URL(call.url).host
    return UpstreamError(f"{who} could not be reached at {host}; check the network and {call.base_url_hint}.")
