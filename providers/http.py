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
import random
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import anyio
import httpx2

from inbox_mcp.providers.errors import (
    AuthError,
    BadRequestError,
    NotFoundError,
    ProviderError,
    RateLimitedError,
    UpstreamError,
)

if TYPE_CHECKING:
    from inbox_mcp.providers.shared import SharedState

log = logging.getLogger(__name__)

_deadline: ContextVar[float | None] = ContextVar("inbox_mcp_call_deadline", default=None)


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
"""Every call here is an idempotent GET, so a failure on the provider's side is worth another
try; InboxBase documents "retry 5xx with exponential backoff", and 500s of the others are mostly
transient too."""
MAX_RETRY_WAIT = 10.0
"""Longest Retry-After we wait out inside one call; longer ones become an error that says when."""


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float


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


def bucket_for(provider: str, key: str) -> str:
    """A rate-limit bucket per provider and key, named without the key itself."""
    return f"{provider}:{hashlib.sha256(key.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Call:
    """One GET against a provider, with what error messages need to be helpful."""

    url: str
    account: str
    provider_label: str
    key_hint: str
    """Where the credentials come from, e.g. "SENDKIT_API_KEY"."""
    params: Mapping[str, str | int] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    """Values to scrub from any text that leaves this module."""
    not_found: str | None = None
    """The sentence for a 404, when the caller knows what was missing."""
    forbidden_hint: str | None = None
    rate_limit: RateLimit | None = None
    """The provider's documented limit; None: the client's default for undocumented ones."""
    bucket: str = ""
    """Calls with the same bucket share one limit (see `bucket_for`); empty: no limit."""


class HttpClient:
    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        retries: int = 2,
        default_rate_limit: RateLimit = RateLimit(10, 1.0),
        transport: httpx2.AsyncBaseTransport | None = None,
        shared: SharedState | None = None,
    ) -> None:
        """`shared`: keep the rate-limit windows in Redis, shared with every other client
        (worker, machine) using the same Redis; None: in this process."""
        self._client = httpx2.AsyncClient(
            timeout=httpx2.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": "inbox-mcp", "Accept": "application/json"},
            follow_redirects=False,
            transport=transport,
        )
        self._retries = retries
        self._default_limit = default_rate_limit
        self._shared = shared
        self._windows: dict[str, Limiter] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get_json(self, call: Call) -> Any:
        attempt = 0
        while True:
            if call.bucket:
                window = self._window(call)
                with anyio.move_on_after(_remaining()) as waited:  # None: no deadline
                    await window.acquire()
                if waited.cancelled_caught:
                    raise _out_of_time(call)
            left = _remaining()
            if left is not None and left <= 0:
                raise _out_of_time(call)
            try:
                with anyio.fail_after(left):
                    status, headers, body = await self._send(call)
            except TimeoutError:
                raise _out_of_time(call) from None
            except (httpx2.RequestError, httpx2.InvalidURL, _BodyTooLarge) as exc:
                # RequestError: transport failures, and also a body that its Content-Encoding
                # does not fit (DecodingError); InvalidURL: a request that cannot be made, e.g. a
                # provider page cursor of a megabyte sent back as a query parameter.
                pause = _backoff(attempt + 1)
                if attempt < self._retries and isinstance(exc, _TRANSIENT) and self._can_wait(pause):
                    attempt += 1
                    await anyio.sleep(pause)
                    continue
                raise _transport_error(call, exc) from None
            if status in RETRY_STATUSES and attempt < self._retries:
                wait = _wait_from(headers)
                pause = wait if wait is not None else _backoff(attempt + 1)
                if pause <= MAX_RETRY_WAIT and self._can_wait(pause):
                    attempt += 1
                    await anyio.sleep(pause)
                    continue
            return _decode(call, status, headers, body)

    def _window(self, call: Call) -> Limiter:
        window = self._windows.get(call.bucket)
        if window is None:
            limit = call.rate_limit or self._default_limit
            window = self._shared.window(call.bucket, limit) if self._shared else _Window(limit)
            self._windows[call.bucket] = window
        return window

    @staticmethod
    def _can_wait(seconds: float) -> bool:
        """A retry only when it can still finish within the call's deadline."""
        left = _remaining()
        return left is None or seconds < left - 0.5

    async def _send(self, call: Call) -> tuple[int, httpx2.Headers, bytes]:
        async with self._client.stream("GET", call.url, params=dict(call.params), headers=dict(call.headers)) as r:
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise _BodyTooLarge()
            chunks: list[bytes] = []
            size = 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _BodyTooLarge()
                chunks.append(chunk)
            return r.status_code, r.headers, b"".join(chunks)


class _BodyTooLarge(Exception):
    pass


# Worth another try: the connection failed or the answer was cut off mid-way.
_TRANSIENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.RemoteProtocolError, httpx2.ReadError)


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


def _wait_from(headers: httpx2.Headers) -> float | None:
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


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


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
    text = " ".join(text.split()).rstrip(".")
    if len(text) > 160:
        text = text[:157] + "..."
    return redact(text, secrets).translate(_QUOTES)


_QUOTES = str.maketrans({'"': "'", "\u201c": "'", "\u201d": "'", "\u201e": "'", "\uff02": "'"})


def _decode(call: Call, status: int, headers: httpx2.Headers, body: bytes) -> Any:
    who = f"{call.account}: {call.provider_label}"
    if 200 <= status < 300:
        content_type = headers.get("content-type", "")
        if "json" not in content_type:
            raise UpstreamError(
                f"{who} answered with {content_type or 'no content type'} instead of JSON; "
                "check the base URL of this account."
            )
        try:
            return json.loads(body)
        except ValueError:
            raise UpstreamError(f"{who} answered with malformed or truncated JSON; try again shortly.") from None
        except RecursionError:  # json gives up on deep nesting with RecursionError, not ValueError
            raise UpstreamError(f"{who} answered with JSON nested too deeply to read; the API may have changed.") from None
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


def _transport_error(call: Call, exc: Exception) -> UpstreamError:
    who = f"{call.account}: {call.provider_label}"
    if isinstance(exc, _BodyTooLarge):
        return UpstreamError(f"{who} sent a response larger than {MAX_BODY_BYTES // 2**20} MiB; refused.")
    if isinstance(exc, httpx2.TimeoutException):
        return UpstreamError(f"{who} did not answer in time; try again shortly.")
    if isinstance(exc, httpx2.DecodingError):
        return UpstreamError(f"{who} sent a body its Content-Encoding does not fit; try again shortly.")
    if isinstance(exc, httpx2.InvalidURL):
        return UpstreamError(f"{who} cannot be asked: the request address is invalid or too long; start again without a cursor.")
    if isinstance(exc, (httpx2.RemoteProtocolError, httpx2.ReadError)):
        return UpstreamError(f"{who} broke off its answer mid-way; try again shortly.")
    host = httpx2.URL(call.url).host
    return UpstreamError(f"{who} could not be reached at {host}; check the network and the account's base URL.")
