"""SendPilot's LinkedIn inbox API mapped to the domain model.

A SendPilot conversation belongs to one sender (LinkedIn) account, and the messages endpoint
needs that `accountId` next to the conversation id. The native id this client hands out, and
takes back in `get_thread`, therefore carries both: ``<accountId>:<conversationId>``.

LinkedIn conversations have no email addresses and no subject: a correspondent is a name and a
profile URL, and domain search does not apply.

Who is "us": participants and message senders are LinkedIn members (ids like ``ACoAA...``), and
our own sender can be listed among a conversation's participants. Our identity is learned from
what the API says, never from the shape of an id: the sender of a message marked `sent` (and the
recipient of one marked `received`) is the sender account's LinkedIn identity, and a member
whose id is the `accountId` is ours too. What the threads read so far taught is kept for the
process, per sender account.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import ClassVar, NamedTuple
from urllib.parse import quote

import anyio
from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from leadinbox_mcp.providers import model
from leadinbox_mcp.providers.client_base import ApiClient, last_from, side_of
from leadinbox_mcp.providers.errors import BadRequestError, NotFoundError, ProviderError, UpstreamError
from leadinbox_mcp.providers.http import Call, HttpClient, time_left
from leadinbox_mcp.providers.provider import one_account
from leadinbox_mcp.providers.sendpilot import wire
from leadinbox_mcp.providers.settings import Origin, ProviderSettings
from leadinbox_mcp.providers.wire_base import cut_page, is_unreadable, parse

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.sendpilot.ai"
API_MAX_LIMIT = 100
"""The documented maximum of `limit` on both endpoints."""
MAX_PAGE_SIZE = 50
"""The most conversations one request asks for: `limit=100` has been seen to answer 500 where
50 works (observed, PROVIDERS.md)."""
DEFAULT_LIMIT = 20
"""The documented default page size: a 500 at this size or below is not about the size."""
MESSAGE_PAGE_SIZE = 50
"""The documented default of the messages endpoint."""
MAX_MESSAGES = 2500
"""get_thread keeps at most this many messages of one conversation: the newest."""
MAX_MESSAGE_PAGES = 200
"""get_thread reads at most this many pages of messages (the call's deadline may stop it sooner)."""
THREAD_MARGIN = 1.0
"""get_thread asks for no more pages when the call's deadline leaves less than this many seconds,
or three times its slowest page so far: it shows what it read rather than lose it all."""
MAX_PROBES = 3
"""Sender accounts whose LinkedIn identity one listing page may look up (see `_probe`)."""
_MAX_KNOWN = 256

_CONVERSATIONS = "/v1/inbox/conversations"
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_=-]{1,100}$")
_FAR = datetime.max.replace(tzinfo=UTC)

# Direction values, by word: SendPilot documents sent | received and has renamed them at least
# once (observed), so any value made of these words is read; any other is not guessed.
_INBOUND = frozenset({"received", "receive", "inbound", "incoming", "in", "inbox"})
_OUTBOUND = frozenset({"sent", "send", "outbound", "outgoing", "out", "outbox"})
_NO_WAY = "SendPilot said more conversations follow but gave no way to ask for them; the listing ends here."
_NO_ID = "SendPilot listed conversations without a usable id; they are left out."
_CIRCLE = (
    "SendPilot pointed back to a page already read (its continuationToken goes round in a circle), so its listing "
    "ends here; older conversations may be missing."
)
_UNCERTAIN = (
    "A correspondent shown as 'A or B' is a conversation whose LinkedIn members SendPilot listed without "
    "saying which is our own sender; get_thread on it tells who the lead is."
)


class SendPilotSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="SENDPILOT_", extra="ignore")

    base_url: str = DEFAULT_BASE_URL
    account_id: str | None = None
    """Optional: only this sender (LinkedIn) account's conversations are listed."""

    @field_validator("account_id")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _ACCOUNT_ID.fullmatch(value.strip()):
            raise ValueError("SENDPILOT_ACCOUNT_ID must be a SendPilot sender account id such as sender_abc123")
        return value.strip()


class _Rows(NamedTuple):
    rows: list[wire.ConversationRow]
    next_token: str | None
    notes: tuple[str, ...] = ()


class SendPilotClient(ApiClient):
    provider: ClassVar[str] = "sendpilot"
    label: ClassVar[str] = "SendPilot"
    api_path: ClassVar[str] = "/v1"
    capabilities: ClassVar[model.Capabilities] = model.Capabilities(
        unread=False, tag=False, campaign=False, text=False, domain="not_applicable", max_page_size=MAX_PAGE_SIZE
    )
    shows_scheduled_replies: ClassVar[bool] = False
    """Sends are immediate (documented): no reply waits scheduled, so the list row's direction
    alone tells whether a conversation awaits our reply."""

    def __init__(self, account: str, settings: SendPilotSettings, http: HttpClient, key_hint: str | Origin) -> None:
        super().__init__(account, settings, http, key_hint)
        self._account_id = settings.account_id
        self._page_limit = MAX_PAGE_SIZE
        """Lowered for good when a page size answers 500 and a smaller one works."""
        self._us: dict[str, frozenset[str]] = {}
        """Per sender account: the keys (`_keys`) of its LinkedIn identity, as learned so far."""
        self._probed: set[str] = set()

    def valid_id(self, conversation_id: str) -> bool:
        account_id, sep, native = conversation_id.partition(":")
        return bool(sep and _ACCOUNT_ID.fullmatch(account_id) and _CONVERSATION_ID.fullmatch(native))

    def _auth(self, key: str) -> tuple[dict[str, str], tuple[str, ...]]:
        return {"X-API-Key": key}, (key,)

    def _forbidden_hint(self, key: str) -> str:
        if self._account_id:
            return (
                f"{self._key_hint} and {self._origin.of('account_id')} (sender account {self._account_id!r} must be in this "
                "key's workspace, and not another user's)"
            )
        return f"{self._key_hint} (a key of another workspace cannot read these LinkedIn sender accounts)"

    def _default_not_found(self) -> str:
        return self._no_inbox()

    # -------------------------------------------------------------------------------- listing

    async def list_page(self, query: model.Query, token: str | None, page_size: int) -> model.Page:
        """One page, newest first. Nothing in `query` can be pushed down (see `capabilities`).

        A page size that answers 500 is asked once more in smaller requests that together fetch
        the same rows, and later pages use the smaller size from the start: a page token always
        means the same rows, whatever size fetched them."""
        size, kind, position = _parse_token(token, page_size)
        chunk = min(size, self._page_limit)
        try:
            try:
                fetched = await self._fetch(size, kind, position, chunk)
            except UpstreamError as exc:
                smaller = max(DEFAULT_LIMIT, chunk // 2)
                if exc.status != 500 or smaller >= chunk:
                    raise
                log.warning("%s: SendPilot answered 500 to limit=%d; asking %d at a time", self.account, chunk, smaller)
                fetched = await self._fetch(size, kind, position, smaller)
                self._page_limit = smaller
        except BadRequestError as exc:
            if token is None:
                raise
            raise BadRequestError(f"{str(exc).rstrip('.')}; start again without a cursor.", exc.status) from None
        rows = [row for row in fetched.rows if self._openable(f"{row.account_id}:{row.id}")]
        await self._probe(rows)
        uncertain = any(_uncertain(row.participants, self._known_us(row.account_id)) for row in rows)
        readable = [row for row in fetched.rows if not is_unreadable(row.id)]
        notes = fetched.notes + ((_UNCERTAIN,) if uncertain else ()) + ((_NO_ID,) if len(rows) < len(readable) else ())
        return model.Page(
            conversations=tuple(self._conversation(row) for row in rows),
            next_token=fetched.next_token,
            notes=tuple(f"{self.account}: {note}" for note in notes),
        )

    async def _fetch(self, size: int, kind: str, position: str, chunk: int) -> _Rows:
        """The rows the token `size:kind:position` stands for, asked at most `chunk` at a time,
        and the token of the rows after them, in whichever documented shape the pages come."""
        rows: list[wire.ConversationRow] = []
        sent = position if kind == "t" else None  # the continuationToken to send
        start = (int(position) - 1) * size if kind == "p" else 0
        page, skip = start // chunk + 1, start % chunk
        seen: set[str] = set()
        for _ in range(size + 1):  # every request but the last brings at least one row
            asked = min(chunk, size - len(rows)) if sent else chunk
            params: dict[str, str | int] = {"limit": asked}
            if self._account_id:
                params["accountId"] = self._account_id
            if sent:
                params["continuationToken"] = sent
            elif page > 1:
                params["page"] = page
            listing = await self._get(self._call(_CONVERSATIONS, params), wire.ConversationList, rows="conversations")
            p, got = listing.pagination, listing.conversations
            if sent or (p.continuation_token and kind == "p" and start == 0 and not rows):
                # Continuation tokens: each request goes on from the token of the one before.
                rows += got
                after = p.continuation_token
                if p.has_more is False or not after:
                    return _Rows(rows, None, (_NO_WAY,) if p.has_more else ())
                if after in seen or after == sent:
                    return _Rows(rows, None, (_CIRCLE,))
                if unusable := self._unusable_cursor(after):
                    ending = f"SendPilot's continuationToken {unusable}, so its listing ends here; older conversations may be missing."
                    return _Rows(rows, None, (ending,))
                if len(rows) >= size or len(got) < asked:  # full, or the server's pages are shorter
                    return _Rows(rows, f"{size}:t:{after}", ())
                seen.add(after)
                sent = after
                continue
            if not _page_shaped(p):
                return _Rows(rows + got, None, (_NO_WAY,) if p.has_more else ())
            # Page numbers: page `page` of `chunk` rows holds rows (page - 1) * chunk onwards.
            take = got[skip : skip + size - len(rows)]
            beyond = len(got) > skip + len(take)
            rows += take
            skip = 0
            if not (beyond or _more_pages(p, page, chunk, len(got))):
                return _Rows(rows, None, ())
            if len(rows) >= size or len(got) < chunk:  # full, or pages are not `chunk` long
                return _Rows(rows, f"{size}:p:{int(position) + 1}", ())
            page += 1
        return _Rows(rows, None, (_NO_WAY,))  # not reached: each turn of the loop brings a row

    def _conversation(self, row: wire.ConversationRow) -> model.Conversation:
        last = row.last_message
        return model.Conversation(
            id=f"{row.account_id}:{row.id}",
            provider=self.provider,
            correspondent=_lead(row.participants, self._known_us(row.account_id)),
            last_activity_at=row.last_activity_at or (last.sent_at if last else None) or row.updated_at,
            subject=None,
            snippet=_text(last.content) if last else None,
            unread=row.unread_count > 0 if row.unread_count is not None else None,
            last_from=side_of(_said(last.direction)) if last else None,
        )

    # -------------------------------------------------------------------------------- who is us

    def _known_us(self, account_id: str) -> frozenset[str]:
        return self._us.get(account_id, frozenset()) | {f"id:{account_id}"}

    def _learn(self, account_id: str, keys: frozenset[str]) -> None:
        if not keys:
            return
        known = self._us.pop(account_id, frozenset())
        # One LinkedIn identity has an id and a profile URL or two; many more would be a muddle.
        self._us[account_id] = known | keys if len(known | keys) <= 16 else known
        while len(self._us) > _MAX_KNOWN:
            self._us.pop(next(iter(self._us)))

    async def _probe(self, rows: list[wire.ConversationRow]) -> None:
        """For sender accounts with rows whose participants cannot be told apart (several
        members, none known to be us), read one page of messages of one of their conversations,
        preferably one whose last message is ours, to learn our identity from who sent what.
        Once per sender account and process, at most MAX_PROBES a page; a failure only leaves
        those rows uncertain."""
        wanted: dict[str, wire.ConversationRow] = {}
        for row in rows:
            if row.account_id in self._probed or not _uncertain(row.participants, self._known_us(row.account_id)):
                continue
            if (
                row.account_id not in wanted
                or _said(row.last_message.direction if row.last_message else None) == "outbound"
            ):
                wanted[row.account_id] = row
        for account_id, row in list(wanted.items())[:MAX_PROBES]:
            if len(self._probed) >= _MAX_KNOWN:
                self._probed.clear()
            self._probed.add(account_id)
            params: dict[str, str | int] = {"accountId": account_id, "limit": MESSAGE_PAGE_SIZE}
            try:
                page, _ = await self._messages(self._call(_messages_path(row.id), params))
            except ProviderError as exc:
                log.info("%s: could not learn the LinkedIn identity of %s (%s)", self.account, account_id, exc)
                continue
            self._learn(account_id, _sides(page.messages)[0])

    # -------------------------------------------------------------------------------- threads

    async def get_thread(self, conversation_id: str) -> model.Thread:
        """Every message, following the messages endpoint's pagination, sorted oldest first.
        Bounded (MAX_MESSAGE_PAGES pages, the newest MAX_MESSAGES kept, the call's deadline);
        a thread not read whole says which part is missing in `Thread.notes`."""
        missing = (
            f"{self.account}: SendPilot has no conversation {conversation_id!r}; list conversations to get a valid id."
        )
        if not self.valid_id(conversation_id):
            raise NotFoundError(missing)
        account_id, _, native = conversation_id.partition(":")
        forbidden = (
            f"{self._key_hint} and the conversation id (sender account {account_id!r} is not in this key's "
            "workspace, or belongs to another user; list conversations to get a valid id)"
        )
        received: list[wire.Message] = []
        """The messages read, in the order they came; at most the newest 2 * MAX_MESSAGES are held."""
        arrival = _Arrival()
        read = 0
        seen_ids: set[str] = set()
        seen_tokens: set[str] = set()
        token: str | None = None
        more = False
        slowest = 0.0
        failure: str | None = None
        unread_part = 0
        """Messages that came in pages longer than MAX_MESSAGES, beyond the newest of each: not read."""
        for _ in range(MAX_MESSAGE_PAGES):
            params: dict[str, str | int] = {"accountId": account_id, "limit": MESSAGE_PAGE_SIZE}
            if token:
                params["continuationToken"] = token
                seen_tokens.add(token)
            started = anyio.current_time()
            try:
                page, came = await self._messages(self._call(_messages_path(native), params, missing, forbidden))
            except ProviderError as exc:
                if not read:
                    raise
                failure = str(exc)  # what was read is shown, and this says why the rest is not
                break
            slowest = max(slowest, anyio.current_time() - started)
            unread_part += came - len(page.messages)
            for m in page.messages:
                if m.id not in seen_ids:
                    seen_ids.add(m.id)
                    received.append(m)
                    arrival.add(m.sent_at)
                    read += 1
            if len(received) > 2 * MAX_MESSAGES:  # only the newest MAX_MESSAGES are shown
                oldest_first = received if arrival.order == "oldest first" else _oldest_first(received)
                received = oldest_first[-MAX_MESSAGES:]
            token = page.pagination.continuation_token
            more = page.pagination.has_more is not False and bool(token or page.pagination.has_more)
            if not more or not token or token in seen_tokens:
                break
            if arrival.order == "newest first" and read >= MAX_MESSAGES:
                break  # everything further is older than what will be kept
            left = time_left()
            if left is not None and left < max(THREAD_MARGIN, 3 * slowest):
                break
        notes = [_cut(read, arrival)] + ([failure] if failure else []) if more else []
        # A thread cut short has its newest message only when the pages came newest first.
        newest_read = not more or arrival.order == "newest first"
        messages = _oldest_first(received)
        if read + unread_part > MAX_MESSAGES:
            notes.append(
                f"Only the newest {MAX_MESSAGES} of {read + unread_part} messages read are shown; older ones "
                "were left out."
            )
            messages = messages[-MAX_MESSAGES:]
        learned = self._us.get(account_id, frozenset())
        self._learn(account_id, _sides(messages)[0])
        return _thread(conversation_id, self.provider, messages, learned, notes, newest_read=newest_read)

    async def _messages(self, call: Call) -> tuple[wire.MessageList, int]:
        """A page of a thread's messages, cut before it is read to the newest MAX_MESSAGES, and how
        many came: a page of any length may come whatever `limit` asks, and reading a hundred
        thousand would hold the server for seconds."""
        raw, came = cut_page(await self._http.get_json(call), "messages", MAX_MESSAGES, ("sentAt",))
        return parse(wire.MessageList, raw, self.account, self.label), came

    async def check(self) -> None:
        params: dict[str, str | int] = {"limit": 1}
        if self._account_id:
            params["accountId"] = self._account_id
        await self._get(self._call(_CONVERSATIONS, params), wire.ConversationList, rows="conversations")


def _messages_path(native: str) -> str:
    return f"{_CONVERSATIONS}/{quote(native, safe='')}/messages"


# ------------------------------------------------------------------------------------ paging


def _parse_token(token: str | None, page_size: int) -> tuple[int, str, str]:
    """Our page tokens: ``<size>:t:<continuationToken>`` or ``<size>:p:<page number>``. They carry
    the page size they were made with, so that fetching the same token again gives the same rows."""
    if token is None:
        return max(1, min(page_size, MAX_PAGE_SIZE)), "p", "1"
    size, kind, position = (token.split(":", 2) + ["", ""])[:3]
    if (
        not size.isdigit()
        or not 1 <= int(size) <= API_MAX_LIMIT
        or kind not in ("t", "p")
        or not position
        or (kind == "p" and not (position.isdigit() and int(position) >= 1))
    ):
        raise ValueError(f"not a SendPilot page token: {token!r}")
    return int(size), kind, position


def _page_shaped(p: wire.Pagination) -> bool:
    """Pagination by page numbers: only then may `page` be sent (a server that ignores it would
    hand the first page again)."""
    return p.page is not None or p.total_pages is not None or p.total is not None


def _more_pages(p: wire.Pagination, page: int, limit: int, got: int) -> bool:
    """Whether pages follow page `page` (asked `limit` rows, `got` came), by whichever fields the
    page-number shape carries; `hasMore` first, where it comes."""
    if p.has_more is not None:
        return p.has_more
    if p.total_pages is not None:
        return (p.page or page) < p.total_pages
    if p.total is not None:
        return (p.page or page) * (p.limit or limit) < p.total
    return got >= limit


# ------------------------------------------------------------------------------------ mapping


def _text(content: str | None) -> str | None:
    """Content without the whitespace LinkedIn messages can end with; blank is no text."""
    return (content or "").strip() or None


def _person(name: str | None, profile_url: str | None) -> model.Person:
    """A LinkedIn member: name and profile URL. No email address, and none is guessed."""
    return model.Person(name=(name or "").strip() or None, profile_url=(profile_url or "").strip() or None)


def _keys(member: wire.Participant | wire.Contact | None) -> frozenset[str]:
    """What identifies a LinkedIn member: its id and its profile URL (in one spelling)."""
    if member is None:
        return frozenset()
    keys = set()
    if member.id and member.id.strip():
        keys.add("id:" + member.id.strip())
    url = (member.profile_url or "").strip().split("#")[0].split("?")[0].rstrip("/").lower()
    url = re.sub(r"^https?://(www\.)?", "", url)
    if url:
        keys.add("url:" + url)
    return frozenset(keys)


def _members(participants: list[wire.Participant]) -> list[wire.Participant]:
    return [p for p in participants if (p.id or "").strip() or (p.name or "").strip() or (p.profile_url or "").strip()]


def _uncertain(participants: list[wire.Participant], us: frozenset[str]) -> bool:
    """Several members listed and none known to be us: the row alone cannot tell the lead."""
    members = _members(participants)
    return len(members) >= 2 and not any(_keys(p) & us for p in members)


def _lead(participants: list[wire.Participant], us: frozenset[str]) -> model.Person:
    """The person on the other side of a listed conversation, never our own sender.

    Members known to be us are left out; one left is the lead (the documented row lists only
    the lead). Several left beside us: a group, all named ("A, B"). Several left and none known
    to be us: the row cannot tell which is ours, so none is picked: the name lists them all as
    a doubt, "A or B", and the page carries `_UNCERTAIN` to say what that means.
    """
    members = _members(participants)
    others = [p for p in members if not (_keys(p) & us)]
    if len(others) == 1:
        return _person(others[0].name, others[0].profile_url)
    if not others:
        return model.Person()
    names = [(p.name or "").strip() or "a member without a name" for p in others]
    shown = names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
    return model.Person(name=(", " if len(others) < len(members) else " or ").join(shown))


@lru_cache(maxsize=256)
def _said(value: str | None) -> model.Direction | None:
    """The direction a message's `direction` value states (in its first 100 characters: no real
    value is longer), or None when its words do not say."""
    words = set(re.findall(r"[a-z]+", (value or "")[:100].lower()))
    inbound, outbound = bool(words & _INBOUND), bool(words & _OUTBOUND)
    return "inbound" if inbound and not outbound else "outbound" if outbound and not inbound else None


def _sides(messages: Iterable[wire.Message]) -> tuple[frozenset[str], frozenset[str]]:
    """(us, them) as the messages with a readable direction say: the sender of ours and the
    recipient of theirs is us. A key said to be on both sides is on neither."""
    us: set[str] = set()
    them: set[str] = set()
    for m in messages:
        said = _said(m.direction)
        if said == "outbound":
            us |= _keys(m.sender)
            them |= _keys(m.recipient)
        elif said == "inbound":
            us |= _keys(m.recipient)
            them |= _keys(m.sender)
    both = us & them
    return frozenset(us - both), frozenset(them - both)


def _directions(messages: list[wire.Message], learned: frozenset[str], account_id: str) -> list[model.Direction | None]:
    """Each message's direction: as SendPilot says it; else from who sent it (a sender or
    recipient known to be us or them, or a sender whose member id is not ours); else None."""
    ours, theirs = _sides(messages)
    known = (learned - theirs) | ours
    our_ids = {k for k in known if k.startswith("id:")}
    us = known | {f"id:{account_id}"}
    out: list[model.Direction | None] = []
    for m in messages:
        said = _said(m.direction)
        if said is None:
            sender, recipient = _keys(m.sender), _keys(m.recipient)
            outward = bool(sender & us or recipient & theirs)
            inward = bool(sender & theirs or recipient & us)
            sender_id = next((k for k in sender if k.startswith("id:")), None)
            if outward != inward:
                said = "outbound" if outward else "inbound"
            elif not outward and sender_id and our_ids and sender_id not in our_ids:
                said = "inbound"  # not sent by us, whoever it was
        out.append(said)
    return out


def _read(status: str | None) -> bool | None:
    value = (status or "").strip().lower()
    return True if value == "read" else False if value == "unread" else None


def _attachments(m: wire.Message) -> tuple[model.Attachment, ...]:
    items = tuple(
        model.Attachment(
            filename=a.name or a.filename or a.file_name or "(unnamed)",
            content_type=a.mime_type or a.content_type or a.type,
            size=a.size,
        )
        for a in m.attachments
    )
    kind = (m.content_type or "").strip().upper()
    if not items and kind and kind != "TEXT":
        # An image or file message that lists no attachment: say that something was sent.
        return (model.Attachment(filename=f"({kind.lower()}; SendPilot gave no file details)"),)
    return items


class _Arrival:
    """The order a thread's pages brought its messages in, told one message at a time: "newest
    first", "oldest first" or None (fewer than two dated, all at one time, or neither order)."""

    def __init__(self) -> None:
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.falling = self.rising = True

    def add(self, at: datetime | None) -> None:
        if at is None:
            return
        if self.last is not None:
            self.falling &= at <= self.last
            self.rising &= at >= self.last
        else:
            self.first = at
        self.last = at

    @property
    def order(self) -> str | None:
        if self.first is None or self.first == self.last:
            return None
        return "newest first" if self.falling else "oldest first" if self.rising else None


def _cut(read: int, arrival: _Arrival) -> str:
    """The note for a thread whose pages were not all read (`read` messages): which part is missing."""
    if arrival.order == "newest first":
        return f"Only the newest {read} messages of this conversation were read; older ones were not fetched."
    if arrival.order == "oldest first":
        return (
            f"Only the oldest {read} messages of this conversation could be read (SendPilot sends them "
            f"oldest first): newer ones, after {arrival.last:%Y-%m-%d %H:%M} UTC, are missing."
        )
    return f"Only {read} messages of this conversation were read; SendPilot has more, which are missing."


def _oldest_first(messages: list[wire.Message]) -> list[wire.Message]:
    """Sorted by sentAt whatever order the pages came in. A list that came newest first is turned
    round first, so that messages with equal times keep their real order; undated ones go last."""
    dated = [m.sent_at for m in messages if m.sent_at is not None]
    if len(dated) >= 2 and dated[0] > dated[-1]:
        messages = list(reversed(messages))
    return sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at or _FAR))


def _thread(
    conversation_id: str,
    provider: str,
    received: list[wire.Message],
    learned: frozenset[str] = frozenset(),
    notes: Iterable[str] = (),
    *,
    newest_read: bool = True,
) -> model.Thread:
    """`received` (oldest first) as a thread; `learned`: our identity's keys as known before. A
    message whose direction cannot be told keeps its sender, with the direction "unknown".
    `newest_read` False: the newest messages may be missing, so who wrote last is not told."""
    directions = _directions(received, learned, conversation_id.partition(":")[0])
    lead = next((m.sender for m, d in zip(received, directions) if d == "inbound" and m.sender), None)
    if lead is None:
        lead = next((m.recipient for m, d in zip(received, directions) if d == "outbound" and m.recipient), None)
    correspondent = _person(lead.name, lead.profile_url) if lead else model.Person()
    messages = tuple(_message(m, d) for m, d in zip(received, directions))
    inbound_reads = [m.read for m, d in zip(messages, directions) if d == "inbound" and m.read is not None]
    last = next((m for m in reversed(messages) if m.at), None)
    conversation = model.Conversation(
        id=conversation_id,
        provider=provider,
        correspondent=correspondent,
        last_activity_at=last.at if last else None,
        subject=None,
        snippet=(messages[-1].text or None) if messages else None,
        unread=(not all(inbound_reads)) if inbound_reads else None,
        message_count=len(messages),
        last_from=last_from(messages) if newest_read else None,
    )
    return model.Thread(conversation=conversation, messages=messages, notes=tuple(notes))


def _message(m: wire.Message, direction: model.Direction | None) -> model.Message:
    recipient = None
    if m.recipient is not None:
        recipient = (m.recipient.name or "").strip() or m.recipient.profile_url or None
    sender = _person(m.sender.name, m.sender.profile_url) if m.sender else None
    kind = (m.content_type or "").strip().lower()
    return model.Message(
        direction=direction or "unknown",
        at=m.sent_at,
        sender=sender,
        recipient=recipient,
        subject=None,
        text=_text(m.content),
        kind=kind if kind and kind != "text" else None,
        attachments=_attachments(m),
        read=_read(m.read_status),
    )


# ------------------------------------------------------------------------------------ accounts


accounts = one_account(SendPilotClient, "sendpilot", "SENDPILOT_API_KEY")

Settings = SendPilotSettings
"""The registry's name for this provider's settings (a config file's accounts are made of them)."""
