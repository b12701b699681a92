"""lemlist's inbox API mapped to the domain model.

Conversations are keyed by the contact id (`ctc_...`), not the inbox row id (`ibx_...`): the
thread endpoint, GET /api/inbox/{contactId}, takes the contact id. That endpoint is paginated
(`limit`, `skip`); its default page size and its order are not documented, so the client asks
for its own page size, tells the order from the times on the first page, and reads the newest
activities first whichever order lemlist uses (see `LemlistClient.get_thread`). It never sends
`markAsRead` (true would mark the conversation read: a read must change nothing).

Which activity `type` becomes what (lemlist's activity types, from its activity and webhook
references):

- inbound messages, written by the contact: `emailsReplied`, `linkedinReplied`;
- outbound messages, sent by a user of the team: `emailsSent`, `linkedinSent`,
  `linkedinVoiceNoteDone`, and `linkedinInviteDone` when the invitation carries a note;
- a type this list does not name but that carries a message is still a message when its name
  says which way it went: `...Replied` is inbound, `...Sent` outbound (a future channel such as
  WhatsApp or SMS);
- everything else (`emailsOpened`, `emailsClicked`, `emailsBounced`, `linkedinVisitDone`,
  `linkedinInviteAccepted`, `linkedinInterested`, `paused`, an invite without a note, ...) is
  kept as an `Event` with the type as its kind and a short detail where the activity has one;
- an entry without a type, in the documented "Inbox Message" shape (`sender`, `recipient`,
  `body`, `sentAt`), is ours when its sender is one of the team's users or its recipient the
  contact, the contact's in the reverse case; one that neither tells is kept as an event with
  its first words, and the thread says so (see `_directions`). Nothing is dropped.

Every request goes through the shared HttpClient with lemlist's documented rate limit (20
requests per 2 seconds per API key, all routes) applied on our side, per key, with a small
margin (see RATE_LIMIT); a 429 that still comes is waited out by the HttpClient (Retry-After,
or X-RateLimit-Reset as a date).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import ClassVar
from urllib.parse import quote, urlsplit

import anyio
from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from leadinbox_mcp.providers import model
from leadinbox_mcp.providers.client_base import ApiClient, last_from
from leadinbox_mcp.providers.errors import ProviderError
from leadinbox_mcp.providers.http import Call, HttpClient, RateLimit, time_left
from leadinbox_mcp.providers.lemlist import wire
from leadinbox_mcp.providers.provider import one_account
from leadinbox_mcp.providers.settings import Origin, ProviderSettings
from leadinbox_mcp.providers.wire_base import cut_page, is_unreadable, mailbox, parse, people

DEFAULT_BASE_URL = "https://api.lemlist.com"
DOCUMENTED_RATE_LIMIT = RateLimit(20, 2.0)
"""Documented: 20 requests per 2 seconds, per API key, on all routes."""
RATE_LIMIT = RateLimit(20, 2.2)
"""What the client applies: the documented limit with a 10% margin in time. Our clock stamps a
request when it leaves, lemlist's when it arrives; with the exact 2.0 s a burst meets a 429 now
and then, because the first request of a window can arrive later than the 21st (a fresh
connection against a warm one). 0.2 s covers that jitter at a cost of at most 10% throughput."""
MAX_PAGE_SIZE = 100
"""The docs give no maximum for `limit`; 100 is our choice (and the emulator's)."""
THREAD_PAGE_SIZE = 100
"""`limit` of each page of a thread: no maximum or default is documented; 100 as for the list."""
MAX_THREAD_ACTIVITIES = 1000
"""The most activities get_thread reads of one contact (10 pages): always the newest ones."""
THREAD_RESERVE = 1.5
"""Seconds of the call's deadline kept for rendering: no further thread page starts with less
left, and a page still on its way then is given up (the newer pages already read are kept)."""

INBOUND_TYPES = frozenset({"emailsReplied", "linkedinReplied"})
OUTBOUND_TYPES = frozenset({"emailsSent", "linkedinSent", "linkedinVoiceNoteDone"})
NOTE_TYPES = frozenset({"linkedinInviteDone"})
"""Outbound messages only when they carry a note; otherwise events."""
DETAIL_CHARS = 120
REMEMBERED_CONTACTS = 5000
"""How many listed contacts a client remembers for get_thread (see `LemlistClient`)."""
REMEMBERED_TEAM = 500
"""How many addresses and ids of the team's users a client remembers (see `_directions`)."""

_CONTACT_ID = re.compile(r"^ctc_[A-Za-z0-9]{1,64}$")
_INBOX_ID = re.compile(r"^ibx_[A-Za-z0-9]{1,64}$")
_USER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# [^<>] rather than [^>]: with [^>]*, each "<" of a body like "<a<a<a..." without any ">" scans to
# the end of it, which makes one search quadratic (minutes for a 1 MB body); [^<>]* stops at the
# next "<", so every character is looked at a bounded number of times.
_TAG = re.compile(r"<[^<>]*>")
_LOOKS_HTML = re.compile(r"<\s*(?:/\s*)?[a-zA-Z][^<>]*>")


class LemlistSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="LEMLIST_", extra="ignore")

    user_id: str | None = None
    """Only conversations of this team member (`usr_...`), pushed down as `userId`."""
    base_url: str = DEFAULT_BASE_URL

    @field_validator("user_id")
    @classmethod
    def _user_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not _USER_ID.fullmatch(value):
            raise ValueError("LEMLIST_USER_ID must be a lemlist user id such as usr_t2KCwPen66NrrqGtQ")
        return value


class LemlistClient(ApiClient):
    """One lemlist team (one API key).

    GET /api/inbox/{contactId} says nothing about the contact but its email (`leadEmail`), and
    nothing about read state. So the client remembers, per contact id, the person and read state
    of the rows it has listed (the last `REMEMBERED_CONTACTS`), and get_thread uses them: a thread
    opened from a listing shows the contact's name and whether it is unread; one opened cold shows
    the email only and "read state unknown". It also remembers the addresses and ids of the
    team's users it has seen, which tell who wrote a message of the "Inbox Message" shape.
    """

    provider: ClassVar[str] = "lemlist"
    label: ClassVar[str] = "lemlist"
    api_path: ClassVar[str] = "/api"
    rate_limit: ClassVar[RateLimit | None] = RATE_LIMIT
    capabilities: ClassVar[model.Capabilities] = model.Capabilities(
        unread=False, tag=False, campaign=False, text=False, domain="none", max_page_size=MAX_PAGE_SIZE
    )
    shows_scheduled_replies: ClassVar[bool] = False
    """The inbox API shows no scheduled replies (drafts are not sends; sends are immediate). Who
    wrote last is not on the list row either: only the thread tells (`Conversation.last_from`)."""

    def __init__(self, account: str, settings: LemlistSettings, http: HttpClient, key_hint: str | Origin) -> None:
        super().__init__(account, settings, http, key_hint)
        self._user_id = settings.user_id
        self._listed: dict[str, model.Conversation] = {}
        self._team: dict[str, None] = {}

    def valid_id(self, conversation_id: str) -> bool:
        return bool(_CONTACT_ID.fullmatch(conversation_id))

    def _auth(self, key: str) -> tuple[dict[str, str], tuple[str, ...]]:
        token = base64.b64encode(f":{key}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}, (key, token)

    def _forbidden_hint(self, key: str) -> str | None:
        if not self._user_id:
            return None
        return f"{self._key_hint} and {self._origin.of('user_id')} (the user must belong to the key's team)"

    def _inbox_not_found(self) -> str:
        return self._no_inbox("user_id") if self._user_id else self._no_inbox()

    async def list_page(self, query: model.Query, token: str | None, page_size: int) -> model.Page:
        """One page of GET /api/inbox. lemlist filters by nothing in `query` (see capabilities):
        the tool applies those filters; only the configured user id is pushed down. A row
        without a usable contact id cannot be opened: it is left out, and the page says so."""
        size, page = _parse_token(token, page_size)
        params: dict[str, str | int] = {"page": page, "limit": size}
        if self._user_id:
            params["userId"] = self._user_id
        listing = await self._get(
            self._call("/api/inbox", params, self._inbox_not_found()), wire.InboxList, rows="data"
        )
        rows = []
        skipped: list[str | None] = []
        for row in listing.data:
            if is_unreadable(row.contact_id):
                continue  # a row that could not be read: parse has said it
            conversation = self._conversation(row)
            if conversation is None or not self.valid_id(conversation.id):
                skipped.append(row.id)
                continue
            rows.append(conversation)
            self._remember(conversation)
            self._learn(u.user_id for u in row.users)
        following, stopped = _next_token(listing.pagination, size, page, len(listing.data))
        notes = [_skipped_note(self.account, page, skipped)] if skipped else []
        if stopped:
            notes.append(f"{self.account}: {stopped}, so its listing ends here; older conversations may be missing.")
        return model.Page(conversations=tuple(rows), next_token=following, notes=tuple(notes))

    async def get_thread(self, conversation_id: str) -> model.Thread:
        """The contact's newest activities (at most MAX_THREAD_ACTIVITIES), read newest first
        whichever order lemlist serves them in, so that a thread cut by that bound, by the
        call's deadline or by a failing page loses its oldest part only; the thread says so."""
        path = "/api/inbox/" + quote(conversation_id, safe="")
        missing = (
            f"{self.account}: lemlist has no conversation with contact {conversation_id!r}; "
            "list conversations first to get a valid id."
        )
        base: dict[str, str | int] = {"userId": self._user_id} if self._user_id else {}

        def page(skip: int, limit: int) -> Call:
            return self._call(path, {"limit": limit, "skip": skip, **base}, not_found=missing)

        first, came = await self._activities(page(0, THREAD_PAGE_SIZE), MAX_THREAD_ACTIVITIES)
        oldest_first = _served_oldest_first(first.data)
        total = first.pagination.total_items
        if came > MAX_THREAD_ACTIVITIES:  # the whole thread at once, whatever the limit: its newest end was kept
            total, kept, stopped = max(total or 0, came), first.data, None
        elif total is not None and total >= 0:
            total = max(total, len(first.data))
            kept, stopped = await self._newest(first.data, total, oldest_first, page)
        else:
            total = None
            kept, stopped = await self._following(first, page)
        kept = _unique(kept)
        if len(kept) > MAX_THREAD_ACTIVITIES:  # more than asked for came at once: keep the newest
            total = max(total or 0, len(kept))
            kept = sorted(kept, key=lambda a: _oldest_first(a.at))[-MAX_THREAD_ACTIVITIES:]
        notes = _cut_note(self.account, total, len(kept), stopped, oldest_first)
        # Read newest first, a thread cut short keeps its newest part, except one served oldest
        # first without a count: then the newest activities may be the ones missing.
        newest_read = not (oldest_first and total is None and stopped is not None)
        thread = thread_from_activities(
            conversation_id,
            self.provider,
            kept,
            self._listed.get(conversation_id),
            team=self._team.keys(),
            account=self.account,
            notes=notes,
            newest_read=newest_read,
        )
        self._learn(_team_keys(kept, thread))
        return thread

    async def _newest(
        self, first: list[wire.Activity], total: int, oldest_first: bool, page: Callable[[int, int], Call]
    ) -> tuple[list[wire.Activity], str | None]:
        """The newest activities of a thread of `total`, the last pages first when lemlist lists
        it oldest first, and why the read stopped short (see `_further`), if it did."""
        size = len(first)  # lemlist's page size, when the thread is longer than one page
        have = dict(enumerate(first))
        # The newest MAX_THREAD_ACTIVITIES are positions [low, high) of lemlist's order.
        if oldest_first:
            low, high = max(0, total - MAX_THREAD_ACTIVITIES), total
        else:
            low, high = 0, min(total, MAX_THREAD_ACTIVITIES)
        stopped = None
        for start, end in _chunks(max(low, size), high, size, backwards=oldest_first):
            answer, stopped = await self._further(page(start, end - start))
            if answer is None:
                break
            have.update((start + i, a) for i, a in enumerate(answer.data[: end - start]))
            if len(answer.data) < end - start:
                break  # lemlist has fewer than it counted
        # Only an unbroken run from the newest end is kept: never a hole in the middle.
        if oldest_first:
            cut = high
            while cut > low and cut - 1 in have:
                cut -= 1
            return [have[i] for i in range(cut, high)], stopped
        cut = 0
        while cut < high and cut in have:
            cut += 1
        return [have[i] for i in range(cut)], stopped

    async def _following(
        self, first: wire.ContactMessages, page: Callable[[int, int], Call]
    ) -> tuple[list[wire.Activity], str | None]:
        """A thread without a count (as the first reading documents it, `{data}` only): full
        pages are followed up to the bound. Whether they come oldest or newest first, what was
        read is kept."""
        have = list(first.data)
        last, asked = first, THREAD_PAGE_SIZE
        stopped = None
        while len(last.data) <= asked and _more(last.pagination, len(last.data), asked):
            if len(have) >= MAX_THREAD_ACTIVITIES:
                return have, "cap"
            asked = min(THREAD_PAGE_SIZE, MAX_THREAD_ACTIVITIES - len(have))
            answer, stopped = await self._further(page(len(have), asked))
            if answer is None:
                break
            known = {a.id for a in have if a.id}
            if answer.data and all(a.id in known for a in answer.data):
                break  # the same activities again: lemlist does not page this thread
            have += answer.data[:asked]
            last = answer
        return have, stopped

    async def _further(self, call: Call) -> tuple[wire.ContactMessages | None, str | None]:
        """A page after the first, or None and why not: the call's time is nearly up ("time"),
        or lemlist failed on it (its status). The pages already read are kept either way."""
        left = time_left()
        if left is not None and left <= THREAD_RESERVE:
            return None, "time"
        try:
            with anyio.move_on_after(None if left is None else left - THREAD_RESERVE):
                return (await self._activities(call, int(call.params["limit"]), newest=False))[0], None
        except ProviderError as exc:
            return None, f"HTTP {exc.status}" if exc.status else "no usable answer"
        return None, "time"

    async def _activities(self, call: Call, most: int, newest: bool = True) -> tuple[wire.ContactMessages, int]:
        """A page of a thread, cut before it is read to `most` activities, its newest end (or
        its first `most`, which a later page's position counts), and how many came: lemlist may
        answer a whole thread of any length whatever `limit` asks, and reading a hundred thousand
        would hold the server for seconds."""
        raw, came = cut_page(await self._http.get_json(call), "data", most, ("createdAt", "sentAt"), newest)
        return parse(wire.ContactMessages, raw, self.account, self.label), came

    async def check(self) -> None:
        call = self._call("/api/inbox", {"page": 1, "limit": 1}, self._inbox_not_found())
        await self._get(call, wire.InboxList, rows="data")

    def _remember(self, conversation: model.Conversation) -> None:
        self._listed.pop(conversation.id, None)
        self._listed[conversation.id] = conversation
        while len(self._listed) > REMEMBERED_CONTACTS:
            self._listed.pop(next(iter(self._listed)))

    def _learn(self, team: Iterable[str | None]) -> None:
        """Remember addresses and ids of the team's users (the last REMEMBERED_TEAM)."""
        for value in team:
            key = _key(value)
            if key:
                self._team.pop(key, None)
                self._team[key] = None
        while len(self._team) > REMEMBERED_TEAM:
            self._team.pop(next(iter(self._team)))

    def _conversation(self, row: wire.InboxRow) -> model.Conversation | None:
        contact_id = row.contact_id or row.contact.id
        if not contact_id:
            return None
        return model.Conversation(
            id=contact_id,
            provider=self.provider,
            correspondent=model.Person(name=_blank(row.contact.full_name), email=_blank(row.contact.email)),
            last_activity_at=row.last_activity_at or row.last_replied_at or row.created_at,
            unread=_unread(row.users),
        )


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _skipped_note(account: str, page: int, ids: list[str | None]) -> str:
    named = [i for i in ids if i and _INBOX_ID.fullmatch(i)][:3]
    more = ", ..." if len(ids) > len(named) else ""
    which = f" (inbox {'row' if len(named) == 1 and not more else 'rows'} {', '.join(named)}{more})" if named else ""
    return (
        f"{account}: {_plural(len(ids), 'conversation', 'conversations')} on page {page} of lemlist's inbox "
        f"came without a usable contact id and cannot be opened, so {'it is' if len(ids) == 1 else 'they are'} "
        f"not listed{which}."
    )


def _unread(users: list[wire.InboxUser]) -> bool | None:
    """Unread when some user of the team has not read it; None when no user says either way."""
    states = [u.read for u in users if u.read is not None]
    if not states:
        return None
    return any(read is False for read in states)


def _parse_token(token: str | None, page_size: int) -> tuple[int, int]:
    """Tokens are "<limit>:<page>": the page size travels with the page number, so that a page
    number keeps meaning the same rows."""
    if token is None:
        return min(max(page_size, 1), MAX_PAGE_SIZE), 1
    size, sep, page = token.partition(":")
    if not sep or not size.isdigit() or not page.isdigit() or not 1 <= int(size) <= MAX_PAGE_SIZE or int(page) < 1:
        raise ValueError(f"not a lemlist page token: {token!r}")
    return int(size), int(page)


def _next_token(p: wire.Pagination, size: int, page: int, rows: int) -> tuple[str | None, str | None]:
    """The token of the next page, or None with why when lemlist said more follow but the way
    there goes back. An empty page that says more follow is read past (the listing bounds how
    many in a row)."""
    current = p.current_page or page
    if p.next_page is not None:
        if p.next_page > current:
            return f"{size}:{p.next_page}", None
        return None, f"lemlist's next page ({p.next_page}) pointed back to a page already read"
    if p.total_pages is not None:
        return (f"{size}:{current + 1}" if current < p.total_pages else None), None
    if p.total_items is not None:
        return (f"{size}:{current + 1}" if current * (p.per_page or size) < p.total_items else None), None
    return (f"{size}:{current + 1}" if rows and rows >= (p.per_page or size) else None), None


# --------------------------------------------------------------------------------------------
# The pages of a thread
# --------------------------------------------------------------------------------------------


def _served_oldest_first(page: list[wire.Activity]) -> bool:
    """Whether lemlist lists this page oldest first (undocumented; the emulator serves newest
    first by default). A page without two different times counts as newest first."""
    times = [a.at for a in page if a.at is not None]
    return len(times) >= 2 and times[0] < times[-1]


def _chunks(start: int, end: int, size: int, *, backwards: bool) -> list[tuple[int, int]]:
    """Positions [start, end) as pages of at most `size`, the last page first when `backwards`."""
    if size <= 0 or start >= end:
        return []
    if backwards:
        return [(max(start, high - size), high) for high in range(end, start, -size)]
    return [(low, min(end, low + size)) for low in range(start, end, size)]


def _more(p: wire.Pagination, got: int, asked: int) -> bool:
    """Whether a page without a total count has a next one."""
    if got == 0:
        return False
    if p.next_page is not None:
        return p.current_page is None or p.next_page > p.current_page
    if p.total_pages is not None and p.current_page is not None:
        return p.current_page < p.total_pages
    return got >= asked


def _cut_note(account: str, total: int | None, shown: int, stopped: str | None, oldest_first: bool) -> tuple[str, ...]:
    """What the thread must say when lemlist has more activities of it than were read."""
    bound = f"{MAX_THREAD_ACTIVITIES:,}"
    if total is not None:
        if shown >= total:
            return ()
        missing = total - shown
        counts = f"the newest {shown:,} of its {total:,} activities were read, the {missing:,} oldest were not"
        if stopped == "time":
            return (
                f"{account}: this call's time ran out while reading this long thread: {counts}; open it again to retry.",
            )
        if stopped:
            return (f"{account}: lemlist failed on an older part of this thread ({stopped}): {counts}.",)
        if total > MAX_THREAD_ACTIVITIES and shown == MAX_THREAD_ACTIVITIES:
            return (
                f"{account}: the {missing:,} oldest activities of this thread were not read "
                f"(it has {total:,}; this server reads the newest {bound}).",
            )
        return (
            f"{account}: lemlist counts {total:,} activities in this thread but sent {shown:,}; "
            "any missing are the oldest.",
        )
    if stopped is None:
        return ()
    if oldest_first:
        return (
            f"{account}: lemlist sends this thread oldest first without saying how long it is, and this server "
            f"stopped after {shown:,} activities: the newest may be missing.",
        )
    why = {"time": "this call's time ran out", "cap": f"this server reads the newest {bound}"}.get(
        stopped, f"lemlist failed on an older page, {stopped}"
    )
    return (
        f"{account}: this thread has more than {shown:,} activities and lemlist did not say how many; "
        f"only the newest {shown:,} were read ({why}).",
    )


def _unique(activities: list[wire.Activity]) -> list[wire.Activity]:
    """Each activity once: pages read while new activities arrive overlap by as many."""
    seen: set[str] = set()
    out = []
    for a in activities:
        if a.id:
            if a.id in seen:
                continue
            seen.add(a.id)
        out.append(a)
    return out


def _team_keys(activities: list[wire.Activity], thread: model.Thread) -> list[str]:
    """Addresses and ids of the team's users this thread showed: typed activities' senders and
    the senders of the messages found to be ours."""
    keys = [v for a in activities if a.type for v in (a.send_user_email, a.send_user_id) if v]
    keys += [m.sender.email for m in thread.messages if m.direction == "outbound" and m.sender and m.sender.email]
    return keys


# --------------------------------------------------------------------------------------------
# Activities -> messages and events
# --------------------------------------------------------------------------------------------


def direction_of(activity: wire.Activity) -> model.Direction | None:
    """inbound / outbound for the activity types that are messages, None for the others (and
    for an entry without a type: see `_directions`)."""
    kind = activity.type or ""
    has_text = bool((activity.text or "").strip())
    if kind in INBOUND_TYPES:
        return "inbound"
    if kind in OUTBOUND_TYPES:
        return "outbound"
    if kind in NOTE_TYPES:
        return "outbound" if has_text else None
    if has_text and kind.endswith("Replied"):
        return "inbound"
    if has_text and kind.endswith("Sent"):
        return "outbound"
    return None


def _is_inbox_message(a: wire.Activity) -> bool:
    """An entry of the documented "Inbox Message" shape: no type, but a sender or recipient."""
    return not a.type and bool(a.sender or a.recipient)


_PARTY_CHARS = 500
"""Longer sender or recipient strings are cut before parsing: no address is that long."""


def _key(value: str | None) -> str:
    """What identifies a party: its address in lower case when it has one, else the text itself
    (a name or an id), case-folded."""
    if not value or not value.strip():
        return ""
    value = value[:_PARTY_CHARS]
    _, address = mailbox(value)
    if address and "@" in address:
        return address.lower()
    return " ".join(value.split()).casefold()


def _split(value: str | None) -> tuple[str | None, str | None]:
    """(name, address) of `Name <address>`, a bare address, or a name."""
    if not value or not value.strip():
        return None, None
    value = value[:_PARTY_CHARS]
    name, address = mailbox(value)
    if address and "@" in address:
        return _blank(name), address
    return " ".join(value.split()), None


def _directions(
    activities: list[wire.Activity], contact: model.Person, contact_id: str, team: Collection[str]
) -> dict[int, model.Direction]:
    """Which way each entry of the "Inbox Message" shape went, by position. Our side: the team's
    users (remembered, and the senders of typed activities); theirs: the contact (id, email,
    name, leadEmail). A message from our side or to theirs is outbound, from theirs or to ours
    inbound, and each one decided puts its other party on the other side (the lead's colleague
    who writes in is on theirs). One that neither or both sides would claim is left undecided:
    guessed, it could put the lead's words in our mouth."""
    ours = set(team)
    lead = _identity(contact, contact_id)
    for a in activities:
        if a.type:
            ours.update(_key(v) for v in (a.send_user_email, a.send_user_id, a.send_user_name))
            lead.update(_key(v) for v in (a.lead_email, a.lead_id, a.contact_id))
    both = ours & lead
    ours -= both | {""}
    lead -= both | {""}
    pending = {i: (_key(a.sender), _key(a.recipient)) for i, a in enumerate(activities) if _is_inbox_message(a)}
    decided: dict[int, model.Direction] = {}
    progress = True
    while pending and progress:
        progress = False
        for i, (sender, recipient) in list(pending.items()):
            outbound = sender in ours or recipient in lead
            if outbound == (sender in lead or recipient in ours):
                continue
            decided[i] = "outbound" if outbound else "inbound"
            mine, theirs = (ours, lead) if outbound else (lead, ours)
            if sender and sender not in theirs:
                mine.add(sender)
            if recipient and recipient not in mine:
                theirs.add(recipient)
            del pending[i]
            progress = True
    return decided


def _identity(contact: model.Person, contact_id: str) -> set[str]:
    """The keys (see `_key`) that name the contact itself."""
    return {k for k in (contact_id.casefold(), _key(contact.email), _key(contact.name)) if k}


def _learned_email(activities: list[wire.Activity], decided: dict[int, model.Direction]) -> str | None:
    """The contact's address when lemlist did not give it but our messages all went to one."""
    found = {_split(activities[i].recipient)[1] for i, d in decided.items() if d == "outbound"}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _contact(activities: list[wire.Activity]) -> model.Person:
    email = next((a.lead_email.strip() for a in activities if a.lead_email and a.lead_email.strip()), None)
    first = next((a.lead_first_name for a in activities if a.lead_first_name), None)
    last = next((a.lead_last_name for a in activities if a.lead_last_name), None)
    company = next((a.lead_company_name for a in activities if a.lead_company_name), None)
    name = " ".join(part.strip() for part in (first, last) if part and part.strip()) or None
    return model.Person(name=name, email=email, company=_blank(company))


def _attachments(files: list[wire.WireAttachment]) -> tuple[model.Attachment, ...]:
    """Attachments with what is known of them; a URL given as the name is shown by its file name."""
    out = []
    for f in files:
        name = (f.name or f.url or "").strip()
        if name.startswith(("http://", "https://")):
            try:
                name = urlsplit(name).path.rsplit("/", 1)[-1] or name
            except ValueError:
                pass
        if name or f.type or f.size is not None:
            out.append(model.Attachment(filename=name, content_type=_blank(f.type), size=f.size))
    return tuple(out)


def _step(value: float | None) -> int | None:
    """The 1-based step of lemlist's 0-based `sequenceStep`. A fractional one (its meaning is
    not documented) is left unnumbered rather than given a number it does not have."""
    if value is None or not math.isfinite(value) or not value.is_integer() or not 0 <= value < 10_000:
        return None
    return int(value) + 1


def message_from(
    activity: wire.Activity, contact: model.Person, direction: model.Direction, lead: Collection[str] = ()
) -> model.Message:
    """A message; `lead` holds the keys that name the contact (see `_identity`): an inbound
    inbox message from anyone else, a colleague of the lead, shows that person."""
    text = activity.text
    body = text if text and text.strip() else None
    is_html = bool(body and _LOOKS_HTML.search(body))
    name, address = _split(activity.sender)
    if direction == "inbound":
        sender: model.Person | None = contact
        if activity.sender and _key(activity.sender) not in lead and not activity.type:
            sender = model.Person(name=name, email=address)
        recipient = activity.send_user_email or _split(activity.recipient)[1] or _blank(activity.recipient)
    elif direction == "outbound":
        name, address = _blank(activity.send_user_name) or name, _blank(activity.send_user_email) or address
        sender = model.Person(name=name, email=address) if name or address else None
        recipient = activity.lead_email or _split(activity.recipient)[1] or _blank(activity.recipient)
    else:  # the parties as sent, neither taken for ours nor for the lead
        sender = model.Person(name=name, email=address) if name or address else None
        recipient = _split(activity.recipient)[1] or _blank(activity.recipient)
    return model.Message(
        direction=direction,
        at=activity.at,
        sender=sender,
        recipient=recipient[:_PARTY_CHARS] if recipient else None,
        cc=people(activity.cc[:50]),
        subject=_blank(activity.subject),
        html=body if is_html else None,
        text=None if is_html else body,
        kind=activity.type,
        attachments=_attachments(activity.attachments),
        sequence_step=_step(activity.sequence_step) if direction == "outbound" else None,
    )


def event_from(activity: wire.Activity) -> model.Event:
    detail = activity.error_message or _short(activity.text) or activity.subject
    return model.Event(at=activity.at, kind=activity.type or "unknown", detail=_blank(detail))


def _short(html_or_text: str | None) -> str | None:
    if not html_or_text:
        return None
    flat = " ".join(_TAG.sub(" ", html_or_text).split())
    if len(flat) > DETAIL_CHARS:
        flat = flat[: DETAIL_CHARS - 3].rstrip() + "..."
    return flat or None


def _oldest_first(at: datetime | None) -> tuple[bool, float]:
    return (at is None, at.timestamp() if at else 0.0)


def thread_from_activities(
    contact_id: str,
    provider: str,
    activities: list[wire.Activity],
    listed: model.Conversation | None = None,
    *,
    team: Collection[str] = (),
    account: str | None = None,
    notes: tuple[str, ...] = (),
    newest_read: bool = True,
) -> model.Thread:
    """The thread of one contact. `listed` is the contact's row from an earlier listing, if any:
    it gives the name and read state that the activities do not carry. `team`: keys (see
    `_key`) of the team's users known from elsewhere. `notes` are carried into the thread.
    `newest_read` False: its newest activities may be missing, so who wrote last is not told."""
    activities = sorted(activities, key=lambda a: _oldest_first(a.at))
    contact = _contact(activities)
    if listed is not None:
        known = listed.correspondent
        contact = model.Person(
            name=contact.name or known.name,
            email=contact.email or known.email,
            company=contact.company or known.company,
        )
    decided = _directions(activities, contact, contact_id, team)
    if contact.email is None and (learned := _learned_email(activities, decided)):
        contact = contact.model_copy(update={"email": learned})
    lead = _identity(contact, contact_id)
    messages: list[model.Message] = []
    events: list[model.Event] = []
    unclear = 0
    for i, activity in enumerate(activities):
        direction: model.Direction | None
        if _is_inbox_message(activity):
            direction = decided.get(i, "unknown")
            unclear += direction == "unknown"
        else:
            direction = direction_of(activity)
        if direction is not None:
            messages.append(message_from(activity, contact, direction, lead))
        else:
            events.append(event_from(activity))
    if unclear:
        notes = (
            *notes,
            (
                f"{account or provider}: {_plural(unclear, 'message', 'messages')} of this thread came with a sender and "
                "a recipient that this server cannot tell apart as ours or the lead's (shown with direction unknown); "
                "list conversations first to let it know the lead."
            ),
        )
    dated: list[model.Message | model.Event] = [*messages, *events]
    stamps = [x.at for x in dated if x.at is not None]
    campaign_id = next((a.campaign_id for a in reversed(activities) if a.campaign_id), None)
    campaign = next((a.campaign_name for a in reversed(activities) if a.campaign_name), None)
    conversation = model.Conversation(
        id=contact_id,
        provider=provider,
        correspondent=contact,
        last_activity_at=max(stamps) if stamps else None,
        subject=next((m.subject for m in messages if m.subject), None),
        snippet=messages[-1].text if messages else None,  # plain-text bodies only; HTML is the tool's to render
        unread=listed.unread if listed is not None else None,  # the thread endpoint has no read state
        campaign=campaign,
        campaign_id=campaign_id,
        message_count=len(messages),
        last_from=last_from(messages) if newest_read else None,
    )
    return model.Thread(conversation=conversation, messages=tuple(messages), events=tuple(events), notes=notes)


accounts = one_account(LemlistClient, "lemlist", "LEMLIST_API_KEY")

Settings = LemlistSettings
"""The registry's name for this provider's settings (a config file's accounts are made of them)."""
