"""InboxBase's conversations API mapped to the domain model: one account per identity handle.

Listing walks `GET /v1/identities/{handle}/conversations` newest first. The API's own cursor
("older than the last row's lastEventAt") skips rows that share that timestamp across a page
boundary, so this client never sends it: see `PageToken`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar
from urllib.parse import quote

from pydantic_settings import SettingsConfigDict

from leadinbox_mcp.providers import model
from leadinbox_mcp.providers.client_base import ApiClient, last_from
from leadinbox_mcp.providers.errors import NotFoundError, ProviderError
from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.inboxbase import wire
from leadinbox_mcp.providers.settings import Origin, ProviderSettings
from leadinbox_mcp.providers.wire_base import is_unreadable, keep_newest, parse

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.inboxbase.ai"
KEY_HINT = "INBOXBASE_API_KEY"
MAX_LIMIT = 200
"""The documented largest `limit`."""
MAX_THREAD_EVENTS = 2500
"""A thread's newest events read (older ones are counted and said to be left out)."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_INBOUND = frozenset({"inbound", "in", "incoming", "received", "receive", "reply", "replied"})
_OUTBOUND = frozenset({"outbound", "out", "outgoing", "sent", "send"})


class InboxBaseSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="INBOXBASE_", extra="ignore")

    identity: str | None = None
    """One or more identity handles, comma-separated: alice.acme@inboxbase.ai,bob.acme@inboxbase.ai."""
    base_url: str = DEFAULT_BASE_URL

    def handles(self) -> list[str]:
        """The identity handles, trimmed, without blanks or repeats (compared case-blind)."""
        seen: dict[str, str] = {}
        for part in (self.identity or "").split(","):
            handle = part.strip()
            if handle and handle.casefold() not in seen:
                seen[handle.casefold()] = handle
        return list(seen.values())


# --------------------------------------------------------------------------------------------
# Page tokens
# --------------------------------------------------------------------------------------------


def _digest(conversation_id: str) -> str:
    """8 URL-safe characters (48 bits) standing for an id inside a token."""
    return base64.urlsafe_b64encode(hashlib.sha256(conversation_id.encode()).digest()[:6]).decode()


_DIGEST = re.compile(r"^[A-Za-z0-9_-]{8}$")


@dataclass(frozen=True)
class PageToken:
    """Where a listing resumes: `ib1:<size>:<until>:<digests>`.

    The API's `cursor` means "lastEventAt strictly older than the last row's", so rows that share
    that timestamp but did not fit on the page are never seen. Instead the next page asks for
    `until=<last timestamp>` (documented as inclusive: lastEventAt <= until) and drops the rows it
    has already returned at that timestamp, which the token names by a short digest of their id
    (`seen`). It asks for `size + len(seen)` rows so that a full page remains after dropping them,
    whatever order the API gives rows with equal timestamps. A page whose rows all share one
    timestamp carries them on, so a run of ties longer than a page is walked page by page with
    larger and larger requests.

    Beyond the documented maximum `limit` of 200 this cannot go on: when 200 rows with one
    identical lastEventAt have been returned, the walk continues strictly older than that
    timestamp, so rows beyond the 200th with that same millisecond are skipped (and a warning
    is logged). Nothing is ever repeated.

    The token carries its page size, so the same token always asks for the same rows (the tool
    layer re-reads a page to resume inside it).
    """

    size: int
    until: int | None = None
    seen: tuple[str, ...] = ()

    def encode(self) -> str:
        until = "-" if self.until is None else str(self.until)
        return f"ib1:{self.size}:{until}:{'.'.join(self.seen)}"

    @classmethod
    def decode(cls, token: str) -> PageToken:
        parts = token.split(":")
        if len(parts) != 4 or parts[0] != "ib1":
            raise ValueError("not an InboxBase page token")
        _, size, until, seen = parts
        digests = tuple(seen.split(".")) if seen else ()
        if (
            not size.isdigit()
            or not 1 <= int(size) <= MAX_LIMIT
            or not (until == "-" or re.fullmatch(r"-?[0-9]{1,19}", until))
            or not all(_DIGEST.fullmatch(d) for d in digests)
            or len(digests) >= MAX_LIMIT
            or (digests and until == "-")
        ):
            raise ValueError("not an InboxBase page token")
        return cls(int(size), None if until == "-" else int(until), digests)


def _page_size(page_size: int) -> int:
    return max(1, min(MAX_LIMIT, page_size))


def _millis(value: datetime | int) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("since / until must be timezone-aware")
        return (value - wire.EPOCH) // timedelta(milliseconds=1)
    return int(value)


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class InboxBaseClient(ApiClient):
    """One InboxBase identity (`handle`) read with one API key, as one account."""

    provider: ClassVar[str] = "inboxbase"
    label: ClassVar[str] = "InboxBase"
    api_path: ClassVar[str] = "/v1"
    capabilities: ClassVar[model.Capabilities] = model.Capabilities(
        unread=False,
        tag=False,
        campaign=False,
        text=False,
        since=True,
        read_state=False,
        domain="exact",
        max_page_size=MAX_LIMIT,
    )
    shows_scheduled_replies: ClassVar[bool] = False
    """Sends are immediate (documented): no reply waits scheduled. Who wrote last is not on the
    list row: only the thread tells (`Conversation.last_from`)."""

    def __init__(
        self,
        account: str,
        handle: str,
        settings: InboxBaseSettings,
        http: HttpClient,
        key_hint: str | Origin = KEY_HINT,
    ) -> None:
        super().__init__(account, settings, http, key_hint)
        if ":" in account:
            raise ValueError("an account name cannot contain ':'")
        self.handle = handle
        self._conversations = f"/v1/identities/{quote(handle, safe='')}/conversations"

    def valid_id(self, conversation_id: str) -> bool:
        """Ids look like conv_<16 hex>; documented as opaque, so any short URL-safe id passes."""
        return bool(_ID.fullmatch(conversation_id))

    def _auth(self, key: str) -> tuple[dict[str, str], tuple[str, ...]]:
        return {"Authorization": f"Bearer {key}"}, (key,)

    def _forbidden_hint(self, key: str) -> str:
        return f"{self._key_hint} and {self._origin.of('identity')}"

    def _unknown_identity(self) -> str:
        return (
            f"{self.account}: InboxBase has no identity {self.handle!r} in the organisation of this API key "
            f"(HTTP 404); check {self._origin.of('identity')}, that {self._key_hint} belongs to the same organisation, "
            f"and {self._origin.of('base_url')}."
        )

    async def list_page(
        self,
        query: model.Query,
        token: str | None,
        page_size: int,
        *,
        correspondent: str | None = None,
        since: datetime | int | None = None,
        until: datetime | int | None = None,
        archived: bool | None = None,
    ) -> model.Page:
        """One page of this identity's conversations, newest first (by lastEventAt).

        Pushed down: `query.domain` as `withDomain` (a suffix match at a label boundary),
        `query.since` (or `since`) and `until` (inclusive bounds on the last event, datetimes or
        Unix milliseconds), `correspondent` as `with` (one exact address) and `archived` (True:
        archived only, False: active only, None: both).
        """
        state = PageToken.decode(token) if token is not None else PageToken(_page_size(page_size))
        limit = min(MAX_LIMIT, state.size + len(state.seen))
        params: dict[str, str | int] = {"limit": limit}
        if query.domain:
            params["withDomain"] = query.domain
        if correspondent:
            params["with"] = correspondent
        since = since if since is not None else query.since
        if since is not None:
            params["since"] = _millis(since)
        bounds = [b for b in (_millis(until) if until is not None else None, state.until) if b is not None]
        if bounds:
            params["until"] = min(bounds)
        if archived is not None:
            params["archived"] = "true" if archived else "false"

        listing = await self._get(
            self._call(self._conversations, params, not_found=self._unknown_identity()),
            wire.ConversationList,
            rows="conversations",
        )
        seen = set(state.seen)
        fresh: list[wire.ConversationRow] = []
        ids: set[str] = set()
        for row in listing.conversations:
            if row.id in ids or _digest(row.id) in seen:
                continue
            ids.add(row.id)
            fresh.append(row)
        rows = fresh[: state.size]
        more = len(fresh) > state.size or listing.next_cursor is not None
        next_token = self._next(state, rows, listing.next_cursor) if rows and more else None
        # A row left out as not openable still counts in the page token: paging is unchanged.
        openable = tuple(self._conversation(r) for r in rows if self._openable(r.id))
        notes = []
        if len(openable) < len([r for r in rows if not is_unreadable(r.id)]):
            notes.append(f"{self.account}: InboxBase listed conversations without a usable id; they are left out.")
        if not listing.conversations and listing.next_cursor is not None:
            notes.append(
                f"{self.account}: InboxBase answered an empty page while giving a cursor to more, so its listing "
                "ends here; older conversations may be missing."
            )
        return model.Page(conversations=openable, next_token=next_token, notes=tuple(notes))

    def _next(self, state: PageToken, rows: list[wire.ConversationRow], next_cursor: int | str | None) -> str | None:
        last = rows[-1].last_event_ms
        if last is None:
            # No timestamp to resume from: the API's own cursor is all there is.
            cursor = wire.to_millis(next_cursor)
            return PageToken(state.size, cursor - 1).encode() if cursor is not None else None
        tied = tuple(_digest(r.id) for r in rows if r.last_event_ms == last)
        carried = (state.seen if state.until == last else ()) + tied
        if len(carried) >= MAX_LIMIT:
            log.warning(
                "%s: more than %d InboxBase conversations share lastEventAt %d; the rest of them are skipped",
                self.account,
                MAX_LIMIT,
                last,
            )
            return PageToken(state.size, last - 1).encode()
        return PageToken(state.size, last, carried).encode()

    async def get_thread(self, conversation_id: str) -> model.Thread:
        path = f"{self._conversations}/{quote(conversation_id, safe='')}"
        missing = (
            f"{self.account}: InboxBase has no conversation {conversation_id!r} for identity {self.handle!r} "
            f"(HTTP 404); it may belong to another identity: list conversations on this account to get a valid "
            f"id, and check {self._origin.of('identity')}."
        )
        try:
            raw = await self._http.get_json(self._call(path, not_found=missing))
        except NotFoundError:
            if await self._identity_missing():
                raise NotFoundError(self._unknown_identity(), 404) from None
            raise
        total = keep_newest(raw, "conversation", "events", MAX_THREAD_EVENTS)  # the API appends events
        thread = self._thread(parse(wire.ThreadEnvelope, raw, self.account, self.label).conversation)
        if total <= MAX_THREAD_EVENTS:
            return thread
        left_out = f"Only the newest {MAX_THREAD_EVENTS:,} of {total:,} events are read; older ones were left out."
        return thread.model_copy(update={"notes": (left_out, *thread.notes)})

    async def _identity_missing(self) -> bool:
        """Whether a 404 came from the identity rather than the conversation: the API answers
        both with 404, so one listing request tells them apart (only after a 404)."""
        try:
            await self.check()
        except NotFoundError:
            return True
        except ProviderError:
            return False
        return False

    async def check(self) -> None:
        await self._get(
            self._call(self._conversations, {"limit": 1}, not_found=self._unknown_identity()),
            wire.ConversationList,
            rows="conversations",
        )

    def _conversation(self, row: wire.ConversationRow) -> model.Conversation:
        return model.Conversation(
            id=row.id,
            provider=self.provider,
            correspondent=_correspondent(row.with_),
            last_activity_at=row.last_event,
            subject=row.subject,
            snippet=row.snippet,
            unread=None,  # InboxBase keeps no read state, by design
            status=_status(row.archived),
            tags=tuple(dict.fromkeys(row.labels)),
            message_count=row.message_count,
        )

    def _thread(self, detail: wire.ConversationDetail) -> model.Thread:
        lead_name, correspondent = wire.mailbox(detail.with_)
        sides = _Sides(self.handle, correspondent)
        found: list[tuple[int, model.Message]] = []
        events: list[tuple[int, model.Event]] = []
        for index, e in enumerate(detail.events):
            if e.type == "message" and e.message is not None:
                found.append((index, _message(e, e.message, sides)))
            else:
                events.append((index, model.Event(at=e.at, kind=e.type or "unknown", detail=_detail(e))))
        found.sort(key=lambda f: _chronological(f[1].at, f[0]))
        ordered = tuple(m for _, m in found)
        timeline = [ev for _, ev in sorted(events, key=lambda p: _chronological(p[1].at, p[0]))]
        expired = {ev.at for ev in timeline if ev.kind == "no_reply_expired"}
        if detail.last_no_reply is not None and detail.last_no_reply not in expired:
            # lastNoReplyAt names an expiry the events do not show: kept as one.
            timeline.append(model.Event(at=detail.last_no_reply, kind="no_reply_expired"))
            timeline.sort(key=lambda ev: _chronological(ev.at, 0))
        lead = model.Person(name=lead_name or _lead_name(ordered, correspondent), email=correspondent)
        last_event = detail.events[-1] if detail.events else None
        last_snippet = None
        for e in reversed(detail.events):
            if e.message is not None:
                last_snippet = e.message.snippet or e.message.body_text
                break
        conversation = model.Conversation(
            id=detail.id,
            provider=self.provider,
            correspondent=lead,
            last_activity_at=detail.last_event or _latest(ordered, timeline) or (last_event.at if last_event else None),
            subject=detail.subject or next((m.subject for m in reversed(ordered) if m.subject), None),
            snippet=last_snippet,
            unread=None,
            status=_status(detail.archived),
            tags=tuple(dict.fromkeys(detail.labels)),
            message_count=detail.message_count if detail.message_count is not None else len(ordered),
            last_from=last_from(ordered),
        )
        notes = []
        if detail.no_reply is not None and detail.no_reply not in expired:
            notes.append(
                f"InboxBase's no-reply timer for this conversation is set for {detail.no_reply:%Y-%m-%d %H:%M} UTC."
            )
        return model.Thread(conversation=conversation, messages=ordered, events=tuple(timeline), notes=tuple(notes))


def _status(archived: bool | None) -> str | None:
    return None if archived is None else ("archived" if archived else "active")


def _chronological(at: datetime | None, index: int) -> tuple[int, float, int]:
    """Oldest first; undated entries keep their place at the end."""
    return (0, at.timestamp(), index) if at is not None else (1, 0.0, index)


def _latest(messages: Sequence[model.Message], events: Sequence[model.Event]) -> datetime | None:
    times = [m.at for m in messages if m.at] + [e.at for e in events if e.at]
    return max(times) if times else None


def _correspondent(value: str | None) -> model.Person:
    name, address = wire.mailbox(value)
    return model.Person(name=name, email=address)


def _person(address: str | None) -> model.Person | None:
    name, email = wire.mailbox(address)
    return model.Person(name=name, email=email) if name or email else None


@dataclass(frozen=True)
class _Sides:
    """Our identity and the correspondent, as addresses compared case-blind."""

    us: str
    them: str | None

    def side(self, address: str | None) -> model.Direction | None:
        """outbound: the address is the identity's; inbound: the correspondent's; else None."""
        folded = (address or "").casefold()
        if folded and folded == self.us.casefold():
            return "outbound"
        if folded and folded == (self.them or "").casefold():
            return "inbound"
        return None


def _direction(m: wire.Message, sides: _Sides) -> model.Direction | None:
    """The documented message has no direction: it is whoever sent it, the identity (outbound)
    or the correspondent (inbound); else a message addressed to the identity is inbound, and
    one addressed to the correspondent outbound. None when nothing tells."""
    spelled = (m.direction or "").strip().lower()
    if spelled in _INBOUND:
        return "inbound"
    if spelled in _OUTBOUND:
        return "outbound"
    sender = sides.side(wire.mailbox(m.from_)[1])
    if sender is not None:
        return sender
    recipients = {sides.side(address) for _, address in wire.mailboxes(m.to + m.cc)}
    if "outbound" in recipients:  # written to the identity
        return "inbound"
    if "inbound" in recipients:
        return "outbound"
    return None


def _message(e: wire.Event, m: wire.Message, sides: _Sides) -> model.Message:
    """The message; "unknown" direction when neither side sent or received it (never a guess)."""
    direction = _direction(m, sides)
    sender = _person(m.from_)
    if sender is None and direction == "inbound" and sides.them:
        sender = model.Person(email=sides.them)
    text = m.body_text
    html = m.body_html
    if text is None and html is None:
        text = m.snippet
    message = model.Message(
        direction=direction or "unknown",
        at=e.at,
        sender=sender,
        recipient=", ".join(t.strip() for t in m.to if t.strip()) or None,
        cc=tuple(model.Person(name=name, email=address) for name, address in wire.mailboxes(m.cc)),
        subject=m.subject,
        text=text,
        html=html,
        kind="message",
        attachments=tuple(
            model.Attachment(filename=a.filename or "(unnamed)", content_type=a.content_type, size=a.size)
            for a in m.attachments
        ),
        auto_reply=bool(m.auto_reply),
    )
    return message


def _lead_name(messages: Sequence[model.Message], correspondent: str | None) -> str | None:
    """The correspondent's display name, from the newest message they sent that carries one."""
    if not correspondent:
        return None
    for m in reversed(messages):
        if (
            m.direction == "inbound"
            and m.sender
            and m.sender.name
            and (m.sender.email or "").lower() == correspondent.lower()
        ):
            return m.sender.name
    return None


def _detail(e: wire.Event) -> str | None:
    if e.label:
        return e.label
    if e.labels:
        return ", ".join(e.labels)
    if e.waited_ms is not None and 0 <= e.waited_ms < MAX_WAITED_MS:
        return f"no reply after {_duration(e.waited_ms)}"
    return None


MAX_WAITED_MS = 100 * 365 * 24 * 3600 * 1000
"""A `waitedMs` beyond a century is nonsense (and beyond timedelta's range): no detail then."""


def _duration(ms: int) -> str:
    span = timedelta(milliseconds=ms)
    days, hours = span.days, span.seconds // 3600
    if days and hours:
        return f"{days} d {hours} h"
    if days:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{max(1, span.seconds // 60)} min"


# --------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------


def _sanitise(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]", "-", text.lower())


def account_names(handles: Sequence[str]) -> list[str]:
    """`inboxbase` for one handle; for several, `inboxbase-<local part>`, or the whole handle
    where local parts collide (then a number, should even those collide)."""
    if len(handles) == 1:
        return ["inboxbase"]
    locals_ = [_sanitise(h.rpartition("@")[0] or h) for h in handles]
    names = [
        "inboxbase-" + (local if local.strip("-") and locals_.count(local) == 1 else _sanitise(handle))
        for handle, local in zip(handles, locals_, strict=True)
    ]
    unique: list[str] = []
    for name in names:
        candidate, n = name, 2
        while candidate in unique:
            candidate, n = f"{name}-{n}", n + 1
        unique.append(candidate)
    return unique


def accounts(
    settings: InboxBaseSettings, name: str | None = None, key_hint: str | Origin = KEY_HINT
) -> Callable[[HttpClient], list[InboxBaseClient]]:
    """One account per identity handle of INBOXBASE_IDENTITY (none without a key), built later on
    the server's HTTP client; `name` names the one account of a single identity (a config file's
    account). A key without any identity raises ValueError now."""
    if not settings.has_key():
        return lambda http: []
    handles = settings.handles()
    if not handles:  # the environment's account (a config file's names its identity or stops before)
        origin = Origin.named(key_hint, settings)
        identity = origin.of("identity")
        raise ValueError(
            f"{origin.key} is set but {identity} is not: set {identity} to the identity handle(s) "
            "to read, comma-separated (e.g. alice.acme@inboxbase.ai)."
        )
    if name is not None and len(handles) != 1:
        raise ValueError("a named InboxBase account reads one identity: give each identity an account of its own")
    names = [name] if name is not None else account_names(handles)
    return lambda http: [
        InboxBaseClient(account, handle, settings, http, key_hint=key_hint)
        for account, handle in zip(names, handles, strict=True)
    ]


Settings = InboxBaseSettings
"""The registry's name for this provider's settings (a config file's accounts are made of them)."""
