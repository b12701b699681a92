"""Cursors: what a later call needs to continue a listing or a thread, and how an agent carries it.

What a cursor holds is `[VERSION, fingerprint, payload]`: the fingerprint of the call's
arguments (a cursor is only valid for the call it came from) and, for a listing, a `Position`
per account (the provider page to read next, how many of its rows were already handed out or
rejected, whether the stream has ended, and the sort key of its next row or a bound on it); for
a thread, how far the older messages were read. That is all a later call needs.

An agent carries one of two forms:

- a handle: 16 url-safe characters (96 random bits) naming that content in a `HandleStore`,
  in this process (`LocalHandles`) or in Redis shared by every worker (`RedisHandles`, server/shared_state.py), for
  `HANDLE_TTL`. Used wherever the server keeps state for all the calls that may come back
  (stdio, one HTTP process, Redis): about a dozen tokens instead of two hundred.
- a signed cursor: the content itself, compressed and authenticated with HMAC-SHA256 under the
  cursor key (INBOX_MCP_CURSOR_KEY, else one generated per process), for several workers that
  share no store (they share the key instead). A modified or forged cursor is refused.

A server's `Cursors` issues either form (`issue`) and opens both (`open`); a listing's payload
is its accounts' positions (`positions_payload` / `positions_of`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from leadinbox_mcp.tools.shared.inbox import ToolInputError

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context


VERSION = 3
"""The layout of the content; the authentication around it changed without changing it."""
MAX_CURSOR_CHARS = 4096
TAG_BYTES = 6
"""HMAC-SHA256 truncated to 48 bits: a forger can only guess online, one tool call per guess
(2^47 calls on average), and every character of a cursor costs the agent context."""
HANDLE_BYTES = 12
HANDLE_CHARS = 16
"""base64url of HANDLE_BYTES random bytes."""
HANDLE_TTL = 24 * 3600.0
"""Seconds a handle stays valid after it was handed out."""
LOCAL_HANDLES = 10_000
"""Handles one process keeps at most (the least recently issued or used go first)."""
LOCAL_HANDLE_BYTES = 8 * 1024 * 1024
"""...and the bytes their contents may hold together."""
_RESTART = "start again without a cursor"
_HANDLE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_PROCESS_KEY = secrets.token_bytes(32)
"""The key when none is configured: cursors signed with it only work in this process."""


class Position(NamedTuple):
    """Where one account's stream resumes: what a listing cursor records per account. (Immutable;
    a named tuple rather than a frozen dataclass, which costs twice as much to make: a stream
    makes one per row it reads.)"""

    token: str | None = None
    """The provider's token for the page to read; None is its first page."""
    skip: int = 0
    """Rows of that page already returned or rejected."""
    done: bool = False
    bound: tuple[int, str] | None = None
    """How far the walk has come: (the merge time reached, what was returned at it), where the
    text is "" (nothing yet), "~" and the dot-joined 8-character hashes of the conversations
    returned at exactly that time, or "*" (too many to list: `skip` decides); None: unknown
    (read before merging). Re-read pages are checked against it (streams.py)."""


# ------------------------------------------------------------------------- signed cursors


def _tag(key: bytes, blob: bytes) -> bytes:
    return hmac.new(key, blob, hashlib.sha256).digest()[:TAG_BYTES]


def _seal(raw: bytes, key: bytes) -> str:
    blob = zlib.compress(raw, 9)[2:-4]  # raw deflate: the tag covers what is sent
    text = base64.urlsafe_b64encode(_tag(key, blob) + blob).decode().rstrip("=")
    if len(text) > MAX_CURSOR_CHARS:
        raise ToolInputError(
            "The listing position is too large to hand back as a cursor; narrow the request (account, filters)."
        )
    return text


def _unseal(text: str, key: bytes) -> bytes:
    """The content of a cursor `_seal` made with `key`. Any other text is refused, down to one
    character: the tag covers the compressed bytes as sent, the text must be their one
    canonical encoding (base64 ignores stray characters and spare bits), and nothing may follow
    the compressed stream."""
    text = text.strip()
    if len(text) > MAX_CURSOR_CHARS:
        raise ToolInputError(f"That cursor is too long to be one of ours; {_RESTART}.")
    try:
        blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        tag, body = blob[:TAG_BYTES], blob[TAG_BYTES:]
        canonical = base64.urlsafe_b64encode(blob).decode().rstrip("=") == text
        if not canonical or not body or not hmac.compare_digest(_tag(key, body), tag):
            raise ValueError("tag")
        inflater = zlib.decompressobj(-15)
        raw = inflater.decompress(body, 64 * 1024)
        if inflater.unconsumed_tail or inflater.unused_data or not inflater.eof:
            raise ValueError("length")
    except (ValueError, TypeError, zlib.error):
        raise ToolInputError(
            f"That cursor is malformed, was cut short or was not made by this server; {_RESTART}."
        ) from None
    return raw


def _content(fingerprint: str, payload: Any) -> bytes:
    return json.dumps([VERSION, fingerprint, payload], separators=(",", ":")).encode()


def _read(raw: bytes, fingerprint: str) -> Any:
    """The payload of cursor content made for a call with the same fingerprint."""
    try:
        version, made_for, payload = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, TypeError, RecursionError):
        raise ToolInputError(f"That cursor is malformed; {_RESTART}.") from None
    if version != VERSION:
        raise ToolInputError(f"That cursor comes from another version of this server; {_RESTART}.")
    if made_for != fingerprint:
        raise ToolInputError(
            f"That cursor belongs to a call with other arguments; repeat the same arguments with it, or {_RESTART}."
        )
    return payload


def _no_constants(name: str) -> None:
    """NaN and Infinity are JSON to Python's parser, but never in a cursor of ours."""
    raise ValueError(name)


def pack(fingerprint: str, payload: Any, key: bytes) -> str:
    """A signed, self-contained cursor: the content compressed and authenticated with `key`."""
    return _seal(_content(fingerprint, payload), key)


def positions_payload(positions: dict[str, Position]) -> list[list[Any]]:
    """What a listing cursor holds: accounts in name order (their names are in the fingerprint);
    a bound's id without the account prefix, which `positions_of` puts back."""
    rows = []
    for name in sorted(positions):
        p = positions[name]
        bound = [p.bound[0], p.bound[1].removeprefix(name + ":")] if p.bound else None
        rows.append([p.token, p.skip, int(p.done), bound])
    return rows


def positions_of(payload: Any, accounts: list[str]) -> dict[str, Position]:
    """The positions a listing cursor's payload holds for these accounts."""
    names = sorted(accounts)
    try:
        if len(payload) != len(names):
            raise ValueError("accounts")
        positions = {}
        for name, (token, skip, done, bound) in zip(names, payload, strict=True):
            key = (int(bound[0]), f"{name}:{bound[1]}" if bound[1] else "") if bound is not None else None
            positions[name] = Position(None if token is None else str(token), int(skip), bool(done), key)
    except (ValueError, TypeError, AttributeError, IndexError, OverflowError):
        raise ToolInputError(f"That cursor does not fit the configured accounts; {_RESTART}.") from None
    if any(p.skip < 0 for p in positions.values()):
        raise ToolInputError(f"That cursor is malformed; {_RESTART}.")
    return positions


def fingerprint(tool: str, **arguments: object) -> str:
    raw = json.dumps([tool, arguments], sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


# ------------------------------------------------------------------------------- handles


class HandleStore(Protocol):
    async def get(self, handle: str) -> bytes | None:
        """The content stored under `handle`, None when unknown or expired."""

    async def put(self, handle: str, content: bytes) -> bool:
        """Keep `content` under `handle` for HANDLE_TTL; False when it could not be stored."""


class LocalHandles:
    """In this process: the `size` handles most recently issued or used, holding at most
    `max_bytes` together, each for `ttl` seconds from its issue."""

    def __init__(self, ttl: float = HANDLE_TTL, size: int = LOCAL_HANDLES, max_bytes: int = LOCAL_HANDLE_BYTES) -> None:
        self._ttl = ttl
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    async def get(self, handle: str) -> bytes | None:
        """Its content, and the handle is kept as if just issued: an agent's handle in use
        outlives the newer ones nobody came back with (its 24 hours still count from issue)."""
        hit = self._entries.get(handle)
        if hit is None:
            return None
        if time.monotonic() - hit[0] > self._ttl:
            self._bytes -= len(self._entries.pop(handle)[1])
            return None
        self._entries.move_to_end(handle)
        return hit[1]

    async def put(self, handle: str, content: bytes) -> bool:
        old = self._entries.pop(handle, None)
        self._bytes += len(content) - (len(old[1]) if old else 0)
        self._entries[handle] = (time.monotonic(), content)
        while len(self._entries) > self._size or self._bytes > self._max_bytes:
            self._bytes -= len(self._entries.popitem(last=False)[1][1])
        return True


def is_handle(text: str) -> bool:
    text = text.strip()
    return len(text) == HANDLE_CHARS and set(text) <= _HANDLE_ALPHABET


# ------------------------------------------------------------------------ per server


@dataclass(frozen=True)
class Cursors:
    """A server's cursors: its key, and where it keeps handles (None: it hands out signed cursors)."""

    key: bytes = field(default=_PROCESS_KEY, repr=False)
    handles: HandleStore | None = field(default=None, compare=False)

    @classmethod
    def make(cls, key: str | bytes | None = None, handles: HandleStore | None = None) -> Cursors:
        if isinstance(key, str):
            key = key.encode()
        return cls(key or _PROCESS_KEY, handles)

    async def issue(self, fingerprint: str, payload: Any) -> str:
        """The cursor to hand out for this content: a handle where one can be kept."""
        content = _content(fingerprint, payload)
        return await self._handle_for(content) or _seal(content, self.key)

    async def open(self, text: str, fingerprint: str) -> Any:
        """The payload of a handle or signed cursor this server issued for this call."""
        return _read(await self._content_of(text), fingerprint)

    async def _handle_for(self, content: bytes) -> str | None:
        if self.handles is None:
            return None
        handle = secrets.token_urlsafe(HANDLE_BYTES)
        return handle if await self.handles.put(handle, content) else None

    async def _content_of(self, text: str) -> bytes:
        if not is_handle(text):
            return _unseal(text, self.key)
        content = await self.handles.get(text.strip()) if self.handles is not None else None
        if content is None:
            raise ToolInputError(f"That cursor has expired or is not known to this server; {_RESTART}.")
        return content


_DEFAULT = Cursors()
"""Signed cursors under this process's key: for a server that has no cursors of its own."""


def cursors_of(ctx: Context) -> Cursors:
    """The cursors of the server answering this call (see `InboxServer.cursors`)."""
    found = getattr(ctx.mcp_server, "cursors", None)
    return found if isinstance(found, Cursors) else _DEFAULT
