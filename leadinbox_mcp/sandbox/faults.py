"""Fault injection for the emulators: any of them, wrapped, answers some requests badly.

`FaultProfile` gives the share of requests that meet each fault; `FaultInjector` is an ASGI
wrapper that applies it. Used by the fault tests, the soak benchmark and
`leadinbox-mcp serve --sandbox --faults RATE`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, fields
from random import Random
from typing import TypedDict, Unpack

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Timings(TypedDict, total=False):
    """The options of `FaultProfile.uniform`: its fields that are not shares."""

    retry_after: int
    slow_seconds: float
    hang_seconds: float


@dataclass(frozen=True)
class FaultProfile:
    rate_limited: float = 0.0
    """429 with Retry-After."""
    server_error: float = 0.0
    """500, 502, 503 or 504."""
    slow: float = 0.0
    """Answers after `slow_seconds`."""
    hang: float = 0.0
    """Never answers (until `hang_seconds`): the client's deadline must end it."""
    malformed: float = 0.0
    """200 with a body that is not JSON (cut in the middle, with a correct length)."""
    truncated: float = 0.0
    """200 whose connection closes before the declared Content-Length arrived."""
    retry_after: int = 1
    slow_seconds: float = 1.0
    hang_seconds: float = 60.0

    @classmethod
    def uniform(cls, rate: float, **options: Unpack[Timings]) -> FaultProfile:
        """`rate` of all requests fail, spread evenly over the six kinds of fault."""
        share = rate / 6
        return cls(share, share, share, share, share, share, **options)

    def kinds(self) -> list[tuple[str, float]]:
        names = ("rate_limited", "server_error", "slow", "hang", "malformed", "truncated")
        return [(f.name, getattr(self, f.name)) for f in fields(self) if f.name in names]


class FaultInjector:
    """An ASGI app that passes requests to `app`, except the share `profile` says to spoil."""

    def __init__(self, app: ASGIApp, profile: FaultProfile, seed: int = 0) -> None:
        self.app = app
        self.profile = profile
        self.random = Random(seed)
        self.injected: Counter[str] = Counter()

    def _draw(self) -> str | None:
        roll = self.random.random()
        for name, share in self.profile.kinds():
            if roll < share:
                return name
            roll -= share
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = self._draw()
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.injected[fault] += 1
        p = self.profile
        if fault == "rate_limited":
            await _json(send, 429, {"error": "Too Many Requests"}, [(b"retry-after", str(p.retry_after).encode())])
        elif fault == "server_error":
            status = self.random.choice([500, 502, 503, 504])
            await _json(send, status, {"error": "upstream failure"})
        elif fault == "slow":
            await anyio.sleep(p.slow_seconds)
            await self.app(scope, receive, send)
        elif fault == "hang":
            await anyio.sleep(p.hang_seconds)
        else:
            start, body = await _capture(self.app, scope, receive)
            if fault == "malformed":
                cut = body[: max(1, len(body) // 2)]
                await send({**start, "headers": _with_length(start["headers"], len(cut))})
                await send({"type": "http.response.body", "body": cut})
            else:  # truncated: promise the whole body, send half, and close
                await send({**start, "headers": _with_length(start["headers"], len(body))})
                await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
                raise _CutOff()


class _CutOff(Exception):
    """Ends the response early; the server closes the connection mid-body."""


class _QuietCutOffs(logging.Filter):
    """uvicorn logs every exception of an app; a deliberate cut-off is not one worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _CutOff))


logging.getLogger("uvicorn.error").addFilter(_QuietCutOffs())


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    start: Message = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return start, b"".join(chunks)


def _with_length(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]


async def _json(send: Send, status: int, body: dict, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    raw = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})
