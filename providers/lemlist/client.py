"""lemlist's inbox API mapped to the domain model.

Conversations are keyed by the contact id (`ctc_...`), not the inbox row id (`ibx_...`): the
thread endpoint, GET /api/inbox/{contactId}, takes the contact id.

Which activity `type` becomes what (lemlist's activity types, from its activity and webhook
references):

- inbound messages, written by the contact: `emailsReplied`, `linkedinReplied`;
- outbound messages, sent by a user of the team: `emailsSent`, `linkedinSent`,
  `linkedinVoiceNoteDone`, and `linkedinInviteDone` when the invitation carries a note;
- a type this list does not name but that carries a message is still a message when its name
  says which way it went: `...Replied` is inbound, `...Sent` outbound (a future channel such as
  WhatsApp or SMS);
- everything else (`emailsOpened`, `emailsClicked`, `emailsBounced`, `linkedinVisitDone`,
  `linkedinInviteAccepted`, `paused`, an invite without a note, ...) is kept as an `Event` with
  the type as its kind and a short detail where the activity has one. Nothing is dropped.

Every request goes through the shared HttpClient with lemlist's documented rate limit (20
requests per 2 seconds per API key, all routes) applied on our side, per key, with a small
margin (see RATE_LIMIT); a 429 that still comes is waited out by the HttpClient (Retry-After).
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar
from urllib.parse import quote

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from inbox_mcp.providers.http import Call, HttpClient, RateLimit, bucket_for
from inbox_mcp.providers.lemlist import wire
from inbox_mcp.providers.model import (
    Capabilities,
    Conversation,
    Direction,
    Event,
    Message,
    Page,
    Person,
    Query,
    Thread,
)
from inbox_mcp.providers.settings import ProviderSettings
from inbox_mcp.providers.wire_base import WireT, parse

log = logging.getLogger(__name__)

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

INBOUND_TYPES = frozenset({"emailsReplied", "linkedinReplied"})
OUTBOUND_TYPES = frozenset({"emailsSent", "linkedinSent", "linkedinVoiceNoteDone"})
NOTE_TYPES = frozenset({"linkedinInviteDone"})
"""Outbound messages only when they carry a note; otherwise events."""
DETAIL_CHARS = 120
REMEMBERED_CONTACTS = 5000
"""How many listed contacts a client remembers for get_thread (see `LemlistClient`)."""

_CONTACT_ID = re.compile(r"^ctc_[A-Za-z0-9]{1,64}$")
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


class LemlistClient:
    """One lemlist team (one API key).

    GET /api/inbox/{contactId} says nothing about the contact but its email (`leadEmail`), and
    nothing about read state. So the client remembers, per contact id, the person and read state
    of the rows it has listed (the last `REMEMBERED_CONTACTS`), and get_thread uses them: a thread
    opened from a listing shows the contact's name and whether it is unread; one opened cold shows
    the email only and "read state unknown".
    """

    provider: ClassVar[str] = "lemlist"
    label: ClassVar[str] = "lemlist"
    capabilities: ClassVar[Capabilities] = Capabilities(
        unread=False, tag=False, campaign=False, text=False, domain="none", max_page_size=MAX_PAGE_SIZE
    )

    def __init__(self, account: str, settings: LemlistSettings, http: HttpClient, key_hint: str) -> None:
        if not settings.has_key():
            raise ValueError("lemlist needs an API key")
        self.account = account
        self._key = settings.api_key
        self._user_id = settings.user_id
        self._base = settings.base_url.rstrip("/")
        self._http = http
        self._key_hint = key_hint
        self._listed: dict[str, Conversation] = {}

    def valid_id(self, conversation_id: str) -> bool:
        return bool(_CONTACT_ID.fullmatch(conversation_id))

    def _call(self, path: str, params: dict[str, str | int] | None = None, not_found: str | None = None) -> Call:
        key = self._key.get_secret_value()
        token = base64.b64encode(f":{key}".encode()).decode("ascii")
        return Call(
            url=self._base + path,
            account=self.account,
            provider_label=self.label,
            key_hint=self._key_hint,
            params=params or {},
            headers={"Authorization": f"Basic {token}"},
            secrets=(key, token),
            not_found=not_found,
            forbidden_hint=(
                f"{self._key_hint} and LEMLIST_USER_ID (the user must belong to the key's team)"
                if self._user_id
                else None
            ),
            rate_limit=RATE_LIMIT,
            bucket=bucket_for("lemlist", key),
        )

    async def _get(self, call: Call, model: type[WireT]) -> WireT:
        return parse(model, await self._http.get_json(call), self.account, self.label)

    async def list_page(self, query: Query, token: str | None, page_size: int) -> Page:
        """One page of GET /api/inbox. lemlist filters by nothing in `query` (see capabilities):
        the tool applies those filters; only the configured user id is pushed down."""
        size, page = _parse_token(token, page_size)
        params: dict[str, str | int] = {"page": page, "limit": size}
        if self._user_id:
            params["userId"] = self._user_id
        listing = await self._get(self._call("/api/inbox", params), wire.InboxList)
        rows = []
        for row in listing.data:
            conversation = self._conversation(row)
            if conversation is None or not self.valid_id(conversation.id):
                log.warning("%s: lemlist inbox row %.80r has no usable contact id and cannot be opened; skipped", self.account, row.id)
                continue
            rows.append(conversation)
            self._remember(conversation)
        return Page(conversations=tuple(rows), next_token=_next_token(listing.pagination, size, page, len(listing.data)))

    async def get_thread(self, conversation_id: str) -> Thread:
        path = "/api/inbox/" + quote(conversation_id, safe="")
        missing = (
            f"{self.account}: lemlist has no conversation with contact {conversation_id!r}; "
            "list conversations first to get a valid id."
        )
        activities = (await self._get(self._call(path, not_found=missing), wire.ContactMessages)).data
        return thread_from_activities(conversation_id, self.provider, activities, self._listed.get(conversation_id))

    async def check(self) -> None:
        await self._get(self._call("/api/inbox", {"page": 1, "limit": 1}), wire.InboxList)

    def _remember(self, conversation: Conversation) -> None:
        self._listed.pop(conversation.id, None)
        self._listed[conversation.id] = conversation
        while len(self._listed) > REMEMBERED_CONTACTS:
            self._listed.pop(next(iter(self._listed)))

    def _conversation(self, row: wire.InboxRow) -> Conversation | None:
        contact_id = row.contact_id or row.contact.id
        if not contact_id:
            return None
        return Conversation(
            id=contact_id,
            provider=self.provider,
            correspondent=Person(name=_blank(row.contact.full_name), email=_blank(row.contact.email)),
            last_activity_at=row.last_activity_at or row.last_replied_at or row.created_at,
            unread=_unread(row.users),
        )


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


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


def _next_token(p: wire.Pagination, size: int, page: int, rows: int) -> str | None:
    if rows == 0:
        return None
    current = p.current_page or page
    if p.next_page is not None:
        return f"{size}:{p.next_page}" if p.next_page > current else None
    if p.total_pages is not None:
        return f"{size}:{current + 1}" if current < p.total_pages else None
    if p.total_items is not None:
        return f"{size}:{current + 1}" if current * (p.per_page or size) < p.total_items else None
    return f"{size}:{current + 1}" if rows >= (p.per_page or size) else None


# --------------------------------------------------------------------------------------------
# Activities -> messages and events
# --------------------------------------------------------------------------------------------


def direction_of(activity: wire.Activity) -> Direction | None:
    """inbound / outbound for the activity types that are messages, None for the others."""
    kind = activity.type or ""
    has_text = bool((activity.message or "").strip())
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


def _contact(activities: list[wire.Activity]) -> Person:
    email = next((a.lead_email.strip() for a in activities if a.lead_email and a.lead_email.strip()), None)
    first = next((a.lead_first_name for a in activities if a.lead_first_name), None)
    last = next((a.lead_last_name for a in activities if a.lead_last_name), None)
    company = next((a.lead_company_name for a in activities if a.lead_company_name), None)
    name = " ".join(part.strip() for part in (first, last) if part and part.strip()) or None
    return Person(name=name, email=email, company=_blank(company))


def message_from(activity: wire.Activity, contact: Person, direction: Direction) -> Message:
    body = activity.message if activity.message and activity.message.strip() else None
    is_html = bool(body and _LOOKS_HTML.search(body))
    if direction == "inbound":
        sender: Person | None = contact
        recipient = activity.send_user_email
    else:
        name, email = _blank(activity.send_user_name), _blank(activity.send_user_email)
        sender = Person(name=name, email=email) if name or email else None
        recipient = activity.lead_email
    step = activity.sequence_step
    return Message(
        direction=direction,
        at=activity.created_at,
        sender=sender,
        recipient=recipient,
        subject=_blank(activity.subject),
        html=body if is_html else None,
        text=None if is_html else body,
        kind=activity.type,
        sequence_step=step + 1 if step is not None and step >= 0 and direction == "outbound" else None,
    )


def event_from(activity: wire.Activity) -> Event:
    detail = activity.error_message or _short(activity.message) or activity.subject
    return Event(at=activity.created_at, kind=activity.type or "unknown", detail=_blank(detail))


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
    contact_id: str, provider: str, activities: list[wire.Activity], listed: Conversation | None = None
) -> Thread:
    """The thread of one contact. `listed` is the contact's row from an earlier listing, if any:
    it gives the name and read state that the activities do not carry."""
    activities = sorted(activities, key=lambda a: _oldest_first(a.created_at))
    contact = _contact(activities)
    if listed is not None:
        known = listed.correspondent
        contact = Person(
            name=contact.name or known.name,
            email=contact.email or known.email,
            company=contact.company or known.company,
        )
    messages: list[Message] = []
    events: list[Event] = []
    for activity in activities:
        direction = direction_of(activity)
        if direction is None:
            events.append(event_from(activity))
        else:
            messages.append(message_from(activity, contact, direction))
    stamps = [x.at for x in (*messages, *events) if x.at is not None]
    campaign_id = next((a.campaign_id for a in reversed(activities) if a.campaign_id), None)
    campaign = next((a.campaign_name for a in reversed(activities) if a.campaign_name), None)
    conversation = Conversation(
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
    )
    return Thread(conversation=conversation, messages=tuple(messages), events=tuple(events))


def accounts(settings: LemlistSettings) -> Callable[[HttpClient], list[LemlistClient]]:
    """The `lemlist` account these settings describe (none without a key), built later on the
    server's HTTP client."""
    if not settings.has_key():
        return lambda http: []
    return lambda http: [LemlistClient("lemlist", settings, http, key_hint="LEMLIST_API_KEY")]


def accounts_from_env() -> Callable[[HttpClient], list[LemlistClient]]:
    """Read LEMLIST_* now, raising on malformed values."""
    return accounts(LemlistSettings())
