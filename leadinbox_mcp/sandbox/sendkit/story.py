"""The SendKit sandbox's data: a fictional vendor, Pipewise, running four outreach campaigns.

The cast (mailboxes, campaigns, companies, people) and the stories (one per conversation) are in
`sandbox/data/sendkit.toml`; this module turns them into conversation documents in the wire shape
of GET /v1/inbox/{id}. The data set exercises the client and the renderer: several mail clients'
quoting styles in four languages, auto-replies, attachments, unread threads, scheduled replies,
manual messages, leads with missing fields, look-alike domains and sub-domains, equal timestamps,
and a few replies that carry hostile content (marked `SAFETY FIXTURE` in the data file).

Everything is derived from `random.Random(seed)` and one `now`: the same seed and `now` give the
same bytes on the wire, and ids do not depend on `now` at all (see `Ids`).
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, Literal

from leadinbox_mcp.sandbox import mail
from leadinbox_mcp.sandbox.kernel import iso, sandbox_now

DATA_FILE = Path(__file__).parent.parent / "data" / "sendkit.toml"

# --------------------------------------------------------------------------------------------
# The cast and the stories, as read from the data file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mailbox:
    name: str
    email: str  # the campaign's sending address; lead replies go here
    main_email: str  # the rep's own address (a lead who writes there gets logged by hand)
    style: str  # mail client used when the rep answers from the SendKit inbox
    utc_offset: int
    signature: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One email of a campaign sequence. `text` may use {first} {company} {sender} and [[link]]."""

    subject: str
    text: str
    link_text: str
    link_url: str


@dataclass(frozen=True)
class Campaign:
    key: str
    name: str
    mailbox: str
    utm_campaign: str
    age_days: int
    footer: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Company:
    name: str | None  # None: the lead has no company on file (companyName null)
    utc_offset: int
    disclaimer: str | None = None


@dataclass(frozen=True)
class Person:
    email: str
    first: str | None
    last: str | None
    title: str | None
    style: str  # "<client>-<locale>", see leadinbox_mcp.sandbox.mail
    company: Company
    signature: str = "auto"  # "auto" (from the client), "none", or a literal one-line signature
    bare: bool = False  # the lead record holds nothing but the e-mail address

    @property
    def display(self) -> str:
        return " ".join(p for p in (self.first, self.last) if p) or self.email


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    downloadable: bool = True  # False: no provider attachment id, so no downloadUrl


@dataclass(frozen=True)
class Sent:
    """`count` more emails of the campaign sequence."""

    count: int = 1


@dataclass(frozen=True)
class Lead:
    """A reply written by the lead. Placeholders: {first} {company} {sender}."""

    text: str
    unread: bool = False
    attachments: tuple[Attachment, ...] = ()
    hidden_html: str = ""  # SAFETY FIXTURE only: markup added to the HTML part, not the text


@dataclass(frozen=True)
class AutoReply:
    """An out-of-office answer from the lead's mail server. Placeholder: {return_date}."""

    text: str
    unread: bool = False


@dataclass(frozen=True)
class Us:
    """The rep answering from the SendKit inbox (a `reply` with isFromLead false)."""

    text: str


@dataclass(frozen=True)
class Manual:
    """A message sent by hand (outbound) or logged by hand (inbound)."""

    text: str
    direction: Literal["outbound", "inbound"] = "outbound"
    attachments: tuple[Attachment, ...] = ()


FlowStep = Sent | Lead | AutoReply | Us | Manual


@dataclass(frozen=True)
class Scheduled:
    status: Literal["pending", "sending", "failed"]
    message: str
    hours_ahead: float = 24.0  # scheduledFor relative to now (pending only)


@dataclass(frozen=True)
class Story:
    lead: str
    campaign: str
    ai_tag: str | None
    flow: tuple[FlowStep, ...]
    status: str | None = None  # default from the AI tag
    tags: tuple[str, ...] = ()
    scheduled: tuple[Scheduled, ...] = ()
    same_time_as: str | None = None  # another story's lead: identical last activity (a tie)
    stream: str | None = None
    """A story added after the first data set draws from a random stream of its own, named here,
    so that adding it leaves every other conversation (and its id) as it was."""

    @property
    def unread(self) -> bool:
        return any(getattr(step, "unread", False) for step in self.flow)


@dataclass(frozen=True)
class Cast:
    mailboxes: dict[str, Mailbox]
    campaigns: dict[str, Campaign]
    people: dict[str, Person]
    stories: tuple[Story, ...]
    variants: dict[str, dict[str, Any]]


def _fields(
    table: dict[str, Any], where: str, required: AbstractSet[str], optional: AbstractSet[str] = frozenset()
) -> None:
    """Refuses a table of the data file with a missing or an unknown key (a typo)."""
    missing, unknown = required - table.keys(), table.keys() - required - optional
    if missing or unknown:
        raise ValueError(f"{DATA_FILE.name}, {where}: missing {sorted(missing)}, unknown {sorted(unknown)}")


def _attachments(rows: list[dict[str, Any]], where: str) -> tuple[Attachment, ...]:
    for row in rows:
        _fields(row, where, {"filename", "content_type", "size"}, {"downloadable"})
    return tuple(Attachment(**row) for row in rows)


def _flow_step(row: dict[str, Any], where: str) -> FlowStep:
    if "sent" in row:
        _fields(row, where, {"sent"})
        return Sent(row["sent"])
    if "lead" in row:
        _fields(row, where, {"lead"}, {"unread", "attachments", "hidden_html"})
        return Lead(
            row["lead"],
            unread=row.get("unread", False),
            attachments=_attachments(row.get("attachments", []), where),
            hidden_html=row.get("hidden_html", ""),
        )
    if "auto_reply" in row:
        _fields(row, where, {"auto_reply"}, {"unread"})
        return AutoReply(row["auto_reply"], unread=row.get("unread", False))
    if "us" in row:
        _fields(row, where, {"us"})
        return Us(row["us"])
    if "manual" in row:
        _fields(row, where, {"manual"}, {"direction", "attachments"})
        return Manual(
            row["manual"],
            direction=row.get("direction", "outbound"),
            attachments=_attachments(row.get("attachments", []), where),
        )
    raise ValueError(f"{DATA_FILE.name}, {where}: a flow step is one of sent, lead, auto_reply, us, manual")


def _story(row: dict[str, Any]) -> Story:
    where = f"story of {row.get('lead')}"
    _fields(
        row, where, {"lead", "campaign", "flow"}, {"ai_tag", "status", "tags", "same_time_as", "scheduled", "stream"}
    )
    scheduled = []
    for item in row.get("scheduled", []):
        _fields(item, where, {"status", "message"}, {"hours_ahead"})
        scheduled.append(Scheduled(item["status"], item["message"], float(item.get("hours_ahead", 24.0))))
    return Story(
        lead=row["lead"],
        campaign=row["campaign"],
        ai_tag=row.get("ai_tag"),
        flow=tuple(_flow_step(step, where) for step in row["flow"]),
        status=row.get("status"),
        tags=tuple(row.get("tags", ())),
        scheduled=tuple(scheduled),
        same_time_as=row.get("same_time_as"),
        stream=row.get("stream"),
    )


@cache
def load_cast(path: Path = DATA_FILE) -> Cast:
    """The data file as typed records (read once)."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    mailboxes = {
        key: Mailbox(
            row["name"], row["email"], row["main_email"], row["style"], row["utc_offset"], tuple(row["signature"])
        )
        for key, row in data["mailboxes"].items()
    }
    campaigns = {
        key: Campaign(
            key=key,
            name=row["name"],
            mailbox=row["mailbox"],
            utm_campaign=row["utm_campaign"],
            age_days=row["age_days"],
            footer=data["footers"][row["footer"]],
            steps=tuple(Step(**step) for step in row["steps"]),
        )
        for key, row in data["campaigns"].items()
    }
    companies = {
        domain: Company(
            row.get("name"),
            row["utc_offset"],
            data["disclaimers"][row["disclaimer"]] if "disclaimer" in row else None,
        )
        for domain, row in data["companies"].items()
    }
    people = {}
    for email, row in data["people"].items():
        _fields(row, f"person {email}", {"style"}, {"first", "last", "title", "signature", "bare"})
        people[email] = Person(
            email=email,
            first=row.get("first"),
            last=row.get("last"),
            title=row.get("title"),
            style=row["style"],
            company=companies[email.rpartition("@")[2]],
            signature=row.get("signature", "auto"),
            bare=row.get("bare", False),
        )
    stories = tuple(_story(row) for row in data["stories"])
    return Cast(mailboxes, campaigns, people, stories, data["variants"])


# --------------------------------------------------------------------------------------------
# Ids and times
# --------------------------------------------------------------------------------------------

DEFAULT_STATUS = {
    "interested": "active",
    "out_of_office": "active",
    None: "active",
    "meeting_booked": "completed",
    "not_interested": "completed",
    "wrong_person": "completed",
}


ID_EPOCH = datetime(2026, 11, 30, tzinfo=UTC)
"""The `now` that ids count back from, whatever the real one: the day the README's examples were
recorded, so that the ids they show are the sandbox's on any day."""


class Ids:
    """MongoDB-style ObjectIds (time, random, counter), drawn from the seeded generator. The time
    part says how long before `now` a thing happened, counted back from ID_EPOCH: ids look like
    real ones and are the same whatever `now`, while the documents' times move with it."""

    def __init__(self, rng: Random, now: datetime) -> None:
        self._rng = rng
        self._now = now
        self._counter = rng.getrandbits(24)

    def new(self, when: datetime) -> str:
        self._counter = (self._counter + 1) % (1 << 24)
        stamp = int((ID_EPOCH + (when - self._now)).timestamp()) & 0xFFFFFFFF
        return f"{stamp:08x}{self._rng.getrandbits(40):010x}{self._counter:06x}"


def _gap(rng: Random, previous: str, kind: str) -> timedelta:
    """Time between two consecutive messages of a thread."""
    if kind == "sent":  # next step of the sequence
        minutes = rng.randint(2 * 24 * 60, 4 * 24 * 60)
    elif kind == "auto":  # an out-of-office answers within seconds
        return timedelta(seconds=rng.randint(20, 150), milliseconds=rng.randint(0, 999))
    elif kind == "lead":
        minutes = rng.randint(4, 45) if previous == "lead" else rng.randint(35, 2 * 24 * 60)
    elif kind == "us":
        minutes = rng.randint(12, 6 * 60)
    else:  # manual
        minutes = rng.randint(30, 26 * 60)
    return timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


def _last_activity(rng: Random, now: datetime, unread: bool) -> datetime:
    """When a thread's last message came: unread threads are recent, the rest up to 5 weeks old."""
    minutes = rng.randint(9, 70 * 60) if unread else rng.randint(3 * 60, 36 * 24 * 60)
    return now - timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


# --------------------------------------------------------------------------------------------
# One story, one conversation
# --------------------------------------------------------------------------------------------

_KINDS = {Sent: "sent", Lead: "lead", AutoReply: "auto", Us: "us", Manual: "manual"}


def _lead_doc(person: Person, lead_id: str) -> dict[str, Any]:
    """The `lead` object. Missing data shows three ways: absent keys, null, or e-mail only."""
    doc: dict[str, Any] = {"_id": lead_id, "email": person.email}
    if person.bare:
        return doc
    if person.first is not None:
        doc["firstName"] = person.first
    if person.last is not None:
        doc["lastName"] = person.last
    doc["companyName"] = person.company.name
    if person.title is not None:
        doc["jobTitle"] = person.title
    return doc


def _sent_email(campaign: Campaign, index: int, ctx: dict[str, str], token: str) -> tuple[str, str, str]:
    """(subject, HTML body, plain text) of sequence step `index` (1-based)."""
    step = campaign.steps[index - 1]
    subject = step.subject.format(**ctx)
    text = step.text.format(**ctx)
    url = (
        f"{step.link_url}?utm_source=sendkit&utm_medium=email&utm_campaign="
        f"{campaign.utm_campaign}&utm_content=step{index}"
    )
    anchor = f'<a href="{html.escape(url)}">{html.escape(step.link_text)}</a>'
    body = mail.paragraphs(text, "<p>", "</p>", "").replace("[[link]]", anchor)
    unsubscribe = f"https://t.sendkit-mail.com/u/{token}"
    html_body = (
        '<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;'
        f'color:#222222">{body}<p style="font-size:11px;color:#888888">'
        f'{html.escape(campaign.footer)}<br>Not the right person? <a href="{unsubscribe}">'
        f'Unsubscribe</a></p></div><img src="https://t.sendkit-mail.com/o/{token}.gif" width="1"'
        ' height="1" alt="" border="0">'
    )
    plain = (
        text.replace("[[link]]", f"{step.link_text} <{url}>")
        + f"\n\n{campaign.footer}\nNot the right person? Unsubscribe <{unsubscribe}>"
    )
    return subject, html_body, plain


def _person_signature(person: Person) -> mail.Signature | None:
    return mail.client_signature(person.style, person.display, person.title, person.company.name, person.signature)


class _ThreadBuilder:
    """Turns one story into one conversation document, message by message."""

    def __init__(
        self,
        story: Story,
        cast: Cast,
        *,
        rng: Random,
        ids: Ids,
        now: datetime,
        end: datetime,
        campaign_doc: dict[str, str],
        mailbox_id: str,
    ) -> None:
        self.story = story
        self.rng = rng
        self.ids = ids
        self.now = now
        self.end = end
        self.campaign_doc = campaign_doc
        self.mailbox_id = mailbox_id
        self.person = cast.people[story.lead]
        self.campaign = cast.campaigns[story.campaign]
        self.mailbox = cast.mailboxes[self.campaign.mailbox]
        self.lead_tz = timezone(timedelta(hours=self.person.company.utc_offset))
        self.rep_tz = timezone(timedelta(hours=self.mailbox.utc_offset))
        company = None if self.person.bare else self.person.company.name
        self.ctx = {
            "first": self.person.first or "there",
            "company": company or "your team",
            "sender": self.mailbox.name.split()[0],
        }
        self.history: list[mail.Quoted] = []
        self.attachment_count = 0
        self.conv_id = ""

    def build(self) -> dict[str, Any]:
        events: list[FlowStep] = []
        for step in self.story.flow:
            events.extend([Sent()] * step.count if isinstance(step, Sent) else [step])
        kinds = [_KINDS[type(e)] for e in events]
        gaps = [timedelta(0)] + [_gap(self.rng, a, b) for a, b in zip(kinds, kinds[1:])]
        start = self.end - sum(gaps, timedelta(0))
        times, t = [], start
        for gap in gaps:
            t += gap
            times.append(t)

        self.conv_id = self.ids.new(start)
        lead = _lead_doc(self.person, self.ids.new(start - timedelta(days=self.rng.randint(1, 20))))
        messages: list[dict[str, Any]] = []
        sequence_step = 0
        for i, (event, when) in enumerate(zip(events, times)):
            if isinstance(event, Sent):
                sequence_step += 1
                replied = i + 1 < len(kinds) and kinds[i + 1] == "lead"
                messages.append(self._sent(sequence_step, when, replied))
            elif isinstance(event, Lead | AutoReply):
                messages.append(self._lead_reply(event, when))
            elif isinstance(event, Us):
                messages.append(self._our_reply(event, when))
            else:
                messages.append(self._manual(event, when))

        lead_replies = [m for m in messages if m["type"] == "reply" and m["isFromLead"]]
        unread = sum(1 for m in lead_replies if not m["read"])
        return {
            "id": self.conv_id,
            "lead": lead,
            "campaign": dict(self.campaign_doc),
            "status": self.story.status or DEFAULT_STATUS[self.story.ai_tag],
            "aiTag": self.story.ai_tag,
            "tags": list(self.story.tags),
            "isRead": unread == 0,
            "unreadCount": unread,
            "messages": messages,
            "scheduledReplies": [self._scheduled(s) for s in self.story.scheduled],
        }

    # -- one message of each kind ------------------------------------------------------------

    def _sent(self, index: int, when: datetime, replied: bool) -> dict[str, Any]:
        token = f"{self.rng.getrandbits(64):016x}"
        subject, body, plain = _sent_email(self.campaign, index, self.ctx, token)
        opened = replied or self.rng.random() < 0.6
        clicked = opened and self.rng.random() < 0.3
        self._remember(self.mailbox.name, self.mailbox.email, self._lead_display(), subject, when, plain, body)
        return {
            "type": "sent",
            "subject": subject,
            "body": body,
            "sentAt": iso(when),
            "sequenceStep": index,
            "opened": opened,
            "clicked": clicked,
        }

    def _lead_reply(self, event: Lead | AutoReply, when: datetime) -> dict[str, Any]:
        person, previous = self.person, self.history[-1]
        lang = mail.LANG[mail.split_style(person.style)[1]]
        auto = isinstance(event, AutoReply)
        if isinstance(event, AutoReply):
            back = when + timedelta(days=self.rng.randint(5, 12))
            while back.astimezone(self.lead_tz).weekday() >= 5:  # people come back on a weekday
                back += timedelta(days=1)
            body = event.text.format(return_date=mail.long_date(back.astimezone(self.lead_tz), lang))
            subject = mail.AUTO_REPLY_SUBJECT[lang] + previous.subject
            html_part, text = mail.render_email(
                person.style, body, signature=_person_signature(person), disclaimer=None, quote=None, tz=self.lead_tz
            )
            attachments: tuple[Attachment, ...] = ()
        else:
            body = event.text.format(**self.ctx)
            subject = mail.reply_subject(previous.subject, mail.reply_prefix(person.style))
            html_part, text = mail.render_email(
                person.style,
                body,
                signature=_person_signature(person),
                disclaimer=person.company.disclaimer,
                quote=previous,
                tz=self.lead_tz,
                hidden_html=event.hidden_html,
            )
            attachments = event.attachments
        self._remember(person.display, person.email, self._rep_display(), subject, when, text, html_part)
        return {
            "type": "reply",
            "from": person.email,
            "to": self.mailbox.email,
            "subject": subject,
            "content": text,
            "htmlContent": html_part,
            "receivedAt": iso(when),
            "isFromLead": True,
            "isAutoReply": auto,
            "read": not event.unread,
            "attachments": self._attachments(attachments),
        }

    def _our_reply(self, event: Us, when: datetime) -> dict[str, Any]:
        previous = self.history[-1]
        subject = mail.reply_subject(previous.subject)
        signature = mail.Signature(self.mailbox.signature, dashed=True)
        html_part, text = mail.render_email(
            self.mailbox.style,
            event.text.format(**self.ctx),
            signature=signature,
            disclaimer=None,
            quote=previous,
            tz=self.rep_tz,
        )
        self._remember(self.mailbox.name, self.mailbox.email, self._lead_display(), subject, when, text, html_part)
        return {
            "type": "reply",
            "from": self.mailbox.email,
            "to": self.person.email,
            "subject": subject,
            "content": text,
            "htmlContent": html_part,
            "receivedAt": iso(when),
            "isFromLead": False,
            "isAutoReply": False,
            "read": True,
            "attachments": [],
        }

    def _manual(self, event: Manual, when: datetime) -> dict[str, Any]:
        subject = mail.reply_subject(self.history[-1].subject)
        text = event.text.format(**self.ctx)
        html_part = "<div>" + mail.paragraphs(text, "<p>", "</p>", "") + "</div>"
        if event.direction == "outbound":
            sender, recipient = self.mailbox.email, self.person.email
            self._remember(self.mailbox.name, sender, self._lead_display(), subject, when, text, html_part)
        else:
            sender, recipient = self.person.email, self.mailbox.main_email
            self._remember(self.person.display, sender, self._rep_display(), subject, when, text, html_part)
        return {
            "type": "manual",
            "from": sender,
            "to": recipient,
            "subject": subject,
            "content": text,
            "htmlContent": html_part,
            "direction": event.direction,
            "sentAt": iso(when),
            "attachments": self._attachments(event.attachments),
        }

    def _scheduled(self, item: Scheduled) -> dict[str, Any]:
        created = self.end + (self.now - self.end) * self.rng.uniform(0.1, 0.6)
        created = created.replace(microsecond=created.microsecond // 1000 * 1000)
        if item.status == "pending":
            scheduled_for = self.now + timedelta(hours=item.hours_ahead)
        elif item.status == "sending":
            scheduled_for = self.now
        else:  # failed: its time came and went
            scheduled_for = created + (self.now - created) / 2
        return {
            "_id": self.ids.new(created),
            "message": item.message,
            "scheduledFor": iso(scheduled_for),
            "status": item.status,
            "mailboxId": self.mailbox_id,
            "createdAt": iso(created),
        }

    # -- helpers ---------------------------------------------------------------------------

    def _attachments(self, items: tuple[Attachment, ...]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            doc: dict[str, Any] = {"filename": item.filename, "contentType": item.content_type, "size": item.size}
            if item.downloadable:
                doc["downloadUrl"] = f"/v1/inbox/{self.conv_id}/attachments/{self.attachment_count}"
            self.attachment_count += 1
            out.append(doc)
        return out

    def _remember(
        self, name: str, email: str, to: str, subject: str, when: datetime, text: str, html_part: str | None
    ) -> None:
        self.history.append(mail.Quoted(name, email, to, subject, when, text, html_part))

    def _lead_display(self) -> str:
        return mail.address(self.person.display, self.person.email)

    def _rep_display(self) -> str:
        return f"{self.mailbox.name} <{self.mailbox.email}>"


# --------------------------------------------------------------------------------------------
# The data sets
# --------------------------------------------------------------------------------------------


def build_conversations(*, seed: int = 7, now: datetime | None = None) -> list[dict[str, Any]]:
    """Deterministic realistic dataset: a list of full conversation documents in the exact wire
    shape of GET /v1/inbox/{id} `data` (id, lead{_id,email,firstName,lastName,companyName,jobTitle},
    campaign{_id,name}, status, aiTag, tags, isRead, unreadCount, messages[], scheduledReplies[]).

    Timestamps lie before `now` (default: the start of the current UTC day), except the
    `scheduledFor` of pending replies; ids are the same whatever `now`. Two conversations have no
    lead reply: they are served by GET /v1/inbox/{id} but left out of GET /v1/inbox.
    """
    cast = load_cast()
    now = sandbox_now(now)
    rng = Random(seed)
    ids = Ids(rng, now)
    campaign_docs = {
        key: {"_id": ids.new(now - timedelta(days=c.age_days)), "name": c.name} for key, c in cast.campaigns.items()
    }
    mailbox_ids = {key: ids.new(now - timedelta(days=400)) for key in cast.mailboxes}
    streams: dict[str | None, Random] = {None: rng}
    streams |= {story.stream: Random(f"{seed}:{story.stream}") for story in cast.stories if story.stream}
    stream_ids = {name: ids if name is None else Ids(r, now) for name, r in streams.items()}
    ends: dict[str, datetime] = {}
    for story in cast.stories:
        ends[story.lead] = _last_activity(streams[story.stream], now, story.unread)
    for story in cast.stories:
        if story.same_time_as:
            ends[story.lead] = ends[story.same_time_as]
    return [
        _ThreadBuilder(
            story,
            cast,
            rng=streams[story.stream],
            ids=stream_ids[story.stream],
            now=now,
            end=ends[story.lead],
            campaign_doc=campaign_docs[story.campaign],
            mailbox_id=mailbox_ids[cast.campaigns[story.campaign].mailbox],
        ).build()
        for story in cast.stories
    ]


def build_variant_conversations(*, seed: int = 7, now: datetime | None = None) -> list[dict[str, Any]]:
    """Two conversations in shapes that SendKit's pages allow but `build_conversations` never
    sends (PROVIDERS.md, "Second reading"). Serve them beside the default data set:
    `create_app(conversations=build_conversations(now=now) + build_variant_conversations(now=now))`.

    - "nulls" (pat@nullwise.io): every optional field is null (lead names, company and title,
      campaign, status, aiTag, tags, isRead, unreadCount, a sent email's step and tracking, a
      reply's recipient, subject, HTML and auto-reply flag, an attachment's every field,
      scheduledReplies). Its one lead reply is unread.
    - "manual" (morgan.hale@handlogged.com): a reply whose attachment has no downloadUrl, then
      three `manual` messages: one without any timestamp (direction "outbound"), one without a
      direction (its sender is the lead), and one whose direction is a word SendKit does not
      document with no sender or recipient, so that nothing tells who wrote it. Its only
      scheduled reply has failed.

    ASSUMED: SendKit documents that manual messages have a direction, not its values; the
    words "outbound" and "logged" here are this emulator's, as are all texts and addresses.
    """
    cast = load_cast()
    now = sandbox_now(now)
    ids = Ids(Random(seed * 1000 + 11), now)
    day = timedelta(days=1)
    v, w = cast.variants["nulls"], cast.variants["manual"]
    nulls_id, manual_id = ids.new(now - 4 * day), ids.new(now - 7 * day)
    nulls = {
        "id": nulls_id,
        "lead": {
            "_id": ids.new(now - 9 * day),
            "email": v["lead"],
            "firstName": None,
            "lastName": None,
            "companyName": None,
            "jobTitle": None,
        },
        "campaign": None,
        "status": None,
        "aiTag": None,
        "tags": None,
        "isRead": None,
        "unreadCount": None,
        "messages": [
            {
                "type": "sent",
                "subject": v["sent_subject"],
                "body": v["sent_body"],
                "sentAt": iso(now - 3 * day),
                "sequenceStep": None,
                "opened": None,
                "clicked": None,
            },
            {
                "type": "reply",
                "from": v["lead"],
                "to": None,
                "subject": None,
                "content": v["reply"],
                "htmlContent": None,
                "receivedAt": iso(now - day),
                "isFromLead": True,
                "isAutoReply": None,
                "read": False,
                "attachments": [{"filename": None, "contentType": None, "size": None, "downloadUrl": None}],
            },
        ],
        "scheduledReplies": None,
    }
    mailbox = cast.mailboxes[w["mailbox"]]
    lead_email, subject = w["lead"], "Re: " + w["sent_subject"]
    attachment = w["attachment"]
    manual = {
        "id": manual_id,
        "lead": {
            "_id": ids.new(now - 10 * day),
            "email": lead_email,
            "firstName": w["first"],
            "lastName": w["last"],
            "companyName": w["company"],
            "jobTitle": w["title"],
        },
        "campaign": {"_id": ids.new(now - 30 * day), "name": w["campaign"]},
        "status": "active",
        "aiTag": "interested",
        "tags": [],
        "isRead": True,
        "unreadCount": 0,
        "messages": [
            {
                "type": "sent",
                "subject": w["sent_subject"],
                "body": w["sent_body"],
                "sentAt": iso(now - 6 * day),
                "sequenceStep": 1,
                "opened": True,
                "clicked": False,
            },
            {
                "type": "reply",
                "from": lead_email,
                "to": mailbox.email,
                "subject": subject,
                "content": w["reply"],
                "htmlContent": f"<p>{w['reply']}</p>",
                "receivedAt": iso(now - 5 * day),
                "isFromLead": True,
                "isAutoReply": False,
                "read": True,
                # No provider attachment id, so no downloadUrl (as the thread page documents).
                "attachments": [
                    {
                        "filename": attachment["filename"],
                        "contentType": attachment["content_type"],
                        "size": attachment["size"],
                    }
                ],
            },
            {
                "type": "manual",
                "from": mailbox.email,
                "to": lead_email,
                "subject": subject,
                "content": w["outbound"],
                "htmlContent": None,
                "direction": "outbound",
                "attachments": [],
            },
            {
                "type": "manual",
                "from": lead_email,
                "to": mailbox.main_email,
                "subject": subject,
                "content": w["inbound"],
                "htmlContent": None,
                "sentAt": iso(now - 2 * day),
                "attachments": [],
            },
            {
                "type": "manual",
                "from": None,
                "to": None,
                "subject": None,
                "content": w["logged"],
                "htmlContent": None,
                "direction": "logged",
                "sentAt": iso(now - day),
                "attachments": [],
            },
        ],
        "scheduledReplies": [
            {
                "_id": ids.new(now - day),
                "message": w["scheduled"],
                "scheduledFor": iso(now - day / 2),
                "status": "failed",
                "mailboxId": ids.new(now - 400 * day),
                "createdAt": iso(now - day),
            },
        ],
    }
    return [nulls, manual]
