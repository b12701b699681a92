"""The lemlist sandbox's data set: the cast and stories of `sandbox/data/lemlist.toml` (a fictional
vendor, Pipewise, whose three reps run four campaigns), turned into the documents the emulator
serves.

Each story becomes one inbox row and its activities: sequence steps sent by email or LinkedIn,
replies and hand-written answers, and activities that are not messages (opens, clicks, profile
visits, invitations). The data exercises the client and the renderer: mail-client quoting (Gmail,
Outlook on the web and iOS Mail, as `sandbox/mail.py` writes them), replies in French and German, LinkedIn messages in plain text, unread conversations (some
user of the team has read: false), contacts without fullName (as in the seed) and one without an
email address, a row without any users, sub-domains and look-alike domains (us.acme.com,
notacme.com). Everything derives from `random.Random(seed)` and one `now`: the same seed and `now`
give the same bytes on the wire, and ids depend on the seed only (the same every day).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from random import Random
from typing import Any

from leadinbox_mcp.sandbox import mail
from leadinbox_mcp.sandbox.kernel import iso, sandbox_now

DATA = Path(__file__).parent.parent / "data" / "lemlist.toml"
"""The cast and stories."""

_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"

# --------------------------------------------------------------------------------------------
# The cast and the stories, as read from the data file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rep:
    name: str
    email: str


@dataclass(frozen=True)
class _Campaign:
    name: str
    owner: str
    channel: str  # "email" or "linkedin": the channel of its sequence steps
    steps: tuple[tuple[str | None, str], ...]  # (subject, text); {first} {company} {sender}


@dataclass(frozen=True)
class _Person:
    email: str | None  # None: a LinkedIn-only contact
    full_name: str | None  # None: the contact record has no fullName (as in the seed)
    company: str
    utc_offset: int  # hours
    style: str = "gmail-us"  # the mail client and locale the contact replies from, as sandbox/mail.py names them

    @property
    def first(self) -> str:
        if self.full_name:
            return self.full_name.split()[0]
        local = (self.email or "there").partition("@")[0]
        return local.split(".")[0].capitalize()

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset))


@dataclass(frozen=True)
class _Send:
    """The next `count` steps of the campaign's sequence."""

    count: int = 1


@dataclass(frozen=True)
class _Reply:
    """The contact writes back (an email reply, or a LinkedIn reply in LinkedIn campaigns).
    Placeholder: {sender}, the rep's first name."""

    text: str
    unread: bool = False
    channel: str | None = None  # default: the campaign's channel


@dataclass(frozen=True)
class _Answer:
    """The rep answers by hand from the lemlist inbox (no sequence step)."""

    text: str
    channel: str | None = None


@dataclass(frozen=True)
class _Activity:
    """An activity that is not a message: emailsOpened, linkedinVisitDone, ... `note` is the
    text some of them carry (a LinkedIn invitation's note)."""

    type: str
    note: str | None = None


_Step = _Send | _Reply | _Answer | _Activity


@dataclass(frozen=True)
class _Story:
    contact: _Person
    campaign: str
    flow: tuple[_Step, ...]
    no_users: bool = False  # the row comes without users: read state unknown

    @property
    def unread(self) -> bool:
        return any(isinstance(step, _Reply) and step.unread for step in self.flow)


@dataclass(frozen=True)
class _Cast:
    manager: str  # every conversation is shared with the manager ...
    deputy: str  # ... or with the deputy when the manager owns it
    default_subject: str
    reps: dict[str, _Rep]
    campaigns: dict[str, _Campaign]
    stories: tuple[_Story, ...]
    long: dict[str, Any]


_CHANNELS = ("email", "linkedin")
_CLIENTS = ("gmail", "thunderbird", "apple", "ios", "outlook", "owa", "plain")  # those of sandbox/mail.py


def _step(raw: dict[str, Any], where: str) -> _Step:
    kinds = [key for key in ("send", "activity", "reply", "answer") if key in raw]
    if len(kinds) != 1 or raw.get("channel", "email") not in _CHANNELS:
        raise ValueError(
            f"{DATA.name}: {where} needs one of send, activity, reply, answer (and channel email|linkedin)"
        )
    if "send" in raw:
        return _Send(raw["send"])
    if "activity" in raw:
        return _Activity(raw["activity"], raw.get("note"))
    if "reply" in raw:
        return _Reply(raw["reply"], raw.get("unread", False), raw.get("channel"))
    return _Answer(raw["answer"], raw.get("channel"))


def _story(raw: dict[str, Any], number: int, companies: dict[str, Any], campaigns: dict[str, _Campaign]) -> _Story:
    contact, where = raw["contact"], f"story {number}"
    if raw["campaign"] not in campaigns or contact["domain"] not in companies:
        raise ValueError(f"{DATA.name}: {where} names an unknown campaign or company domain")
    company = companies[contact["domain"]]
    person = _Person(
        contact.get("email"),
        contact.get("name"),
        company["name"],
        company["utc_offset"],
        contact.get("mail", "gmail-us"),
    )
    client, locale = mail.split_style(person.style)
    if client not in _CLIENTS or locale not in mail.LANG:
        raise ValueError(
            f"{DATA.name}: {where}: mail is <client>-<locale>, client in {_CLIENTS}, locale in {tuple(mail.LANG)}"
        )
    flow = tuple(_step(step, f"{where}, step {i + 1}") for i, step in enumerate(raw["flow"]))
    return _Story(person, raw["campaign"], flow, raw.get("no_users", False))


@cache
def _cast() -> _Cast:
    with DATA.open("rb") as file:
        data = tomllib.load(file)
    reps = {key: _Rep(rep["name"], rep["email"]) for key, rep in data["reps"].items()}
    campaigns = {
        key: _Campaign(c["name"], c["owner"], c["channel"], tuple((s.get("subject"), s["text"]) for s in c["steps"]))
        for key, c in data["campaigns"].items()
    }
    team = data["team"]
    return _Cast(
        manager=team["manager"],
        deputy=team["deputy"],
        default_subject=team["default_subject"],
        reps=reps,
        campaigns=campaigns,
        stories=tuple(_story(s, n, data["companies"], campaigns) for n, s in enumerate(data["stories"], 1)),
        long=data["long_conversation"],
    )


# --------------------------------------------------------------------------------------------
# Assembling the conversations
# --------------------------------------------------------------------------------------------

_PIXEL = re.compile(r"<img[^>]*>")


def _our_email_html(text: str, pixel_id: str) -> str:
    """What lemlist sends: a bare HTML document with a 1x1 open-tracking pixel."""
    body = "<br><br>".join("<br>".join(mail.linkify(line) for line in p.split("\n")) for p in text.split("\n\n"))
    return (
        '<html><div style="min-width: 360px"></div><div dir="ltr">\n    <div>' + body + "</div>\n    </div>\n"
        f'<img alt="logo" src="https://zr0.lemlst.com/o/{pixel_id}.png" width="1" height="1"'
        ' style="display:block;border:0"></html>'
    )


def _fill(text: str, person: _Person, rep: _Rep) -> str:
    return text.format(first=person.first, company=person.company, sender=rep.name.split()[0])


class _Ids:
    """lemlist-shaped ids: a prefix and 17 characters of Meteor's unmistakable alphabet."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng

    def new(self, prefix: str) -> str:
        return prefix + "".join(self._rng.choice(_ID_ALPHABET) for _ in range(17))


def _gap(rng: Random, step: _Step, previous: _Step | None) -> timedelta:
    """Time between an activity and the one before it."""
    if previous is None:
        return timedelta(0)
    if isinstance(step, _Send):
        minutes = rng.randint(2 * 24 * 60, 4 * 24 * 60)
    elif isinstance(step, _Activity):
        # Every bound is drawn, whichever applies: the draws, hence the ids, stay as they were.
        bounds = {
            "emailsOpened": rng.randint(5, 6 * 60),
            "emailsClicked": rng.randint(1, 20),
            "linkedinInviteDone": rng.randint(60, 24 * 60),
        }
        minutes = bounds.get(step.type, rng.randint(2 * 60, 3 * 24 * 60))
    elif isinstance(step, _Reply):
        minutes = rng.randint(4, 50) if isinstance(previous, _Reply) else rng.randint(35, 2 * 24 * 60)
    else:
        minutes = rng.randint(12, 6 * 60)
    return timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


@dataclass
class _Builder:
    """Turns one story into its inbox row and its activities, oldest first."""

    cast: _Cast
    story: _Story
    rng: Random
    ids: _Ids
    team_id: str
    user_ids: dict[str, str]
    campaign_ids: dict[str, str]
    sequence_ids: dict[str, str]
    activities: list[dict[str, Any]] = field(default_factory=list)
    quote: mail.Quoted | None = None
    thread_subject: str | None = None
    step_index: int = 0

    @property
    def campaign(self) -> _Campaign:
        return self.cast.campaigns[self.story.campaign]

    @property
    def rep(self) -> _Rep:
        return self.cast.reps[self.campaign.owner]

    def build(self, end: datetime) -> dict[str, Any]:
        person = self.story.contact
        self.contact_id, self.lead_id = self.ids.new("ctc_"), self.ids.new("lea_")
        steps: list[_Step] = []
        for step in self.story.flow:
            steps.extend([_Send(1)] * step.count if isinstance(step, _Send) else [step])
        gaps = [_gap(self.rng, step, steps[i - 1] if i else None) for i, step in enumerate(steps)]
        at = end - sum(gaps, timedelta(0))
        for step, gap in zip(steps, gaps):
            at += gap
            self._add(step, at)
        return {"inbox": self._row(person), "messages": self.activities}

    # -- one activity per step ---------------------------------------------------------------

    def _base(self, kind: str, at: datetime) -> dict[str, Any]:
        return {
            "_id": self.ids.new("act_"),
            "type": kind,
            "createdAt": iso(at),
            "teamId": self.team_id,
            "leadId": self.lead_id,
            "campaignId": self.campaign_ids[self.story.campaign],
            "sequenceId": self.sequence_ids[self.story.campaign],
        }

    def _sender(self, doc: dict[str, Any]) -> None:
        doc.update(
            {
                "sendUserId": self.user_ids[self.campaign.owner],
                "sendUserName": self.rep.name,
                "sendUserEmail": self.rep.email,
            }
        )
        if self.story.contact.email:
            doc["leadEmail"] = self.story.contact.email
        doc["contactId"] = self.contact_id

    def _add(self, step: _Step, at: datetime) -> None:
        person = self.story.contact
        if isinstance(step, _Send):
            subject, text = self.campaign.steps[min(self.step_index, len(self.campaign.steps) - 1)]
            doc = self._message(
                self.campaign.channel,
                "Sent",
                at,
                _fill(text, person, self.rep),
                subject and _fill(subject, person, self.rep),
            )
            doc["sequenceStep"] = self.step_index
            self.step_index += 1
        elif isinstance(step, _Answer):
            subject = self.thread_subject and mail.reply_subject(self.thread_subject)
            doc = self._message(step.channel or self.campaign.channel, "Sent", at, step.text, subject)
        elif isinstance(step, _Reply):
            subject = self.thread_subject and mail.reply_subject(self.thread_subject)
            doc = self._message(
                step.channel or self.campaign.channel, "Replied", at, _fill(step.text, person, self.rep), subject
            )
        else:
            doc = self._base(step.type, at)
            self._sender(doc)
            if step.note:
                doc["message"] = step.note
            if step.type.startswith("emails") and self.thread_subject:
                doc["sequenceStep"] = max(self.step_index - 1, 0)
        self.activities.append(doc)

    def _message(self, channel: str, verb: str, at: datetime, text: str, subject: str | None) -> dict[str, Any]:
        kind = ("emails" if channel == "email" else "linkedin") + verb
        doc = self._base(kind, at)
        self._sender(doc)
        if channel != "email":
            doc["message"] = text  # LinkedIn messages are plain text
            return doc
        person = self.story.contact
        subject = subject or self.thread_subject or self.cast.default_subject.format(company=person.company)
        self.thread_subject = self.thread_subject or subject
        doc["messageId"] = f"<{self.ids.new('')}.{self.rng.randint(10**6, 10**7 - 1)}@mail.gmail.com>"
        doc["subject"] = subject
        if verb == "Sent":
            doc["sendUserMailboxId"] = self.ids.new("usm_")
            doc["message"] = _our_email_html(text, doc["_id"])
            # What the contact's reply quotes: our email without its tracking pixel.
            quoted = _PIXEL.sub("", doc["message"])
            self.quote = mail.Quoted(self.rep.name, self.rep.email, person.email or "", subject, at, text, quoted)
        else:
            html, plain = mail.render_email(
                person.style, text, signature=None, disclaimer=None, quote=self.quote, tz=person.tz
            )
            doc["message"] = html if html is not None else plain
        return doc

    # -- the inbox row -----------------------------------------------------------------------

    def _row(self, person: _Person) -> dict[str, Any]:
        acts = self.activities
        replies = [a for a in acts if a["type"].endswith("Replied")]
        owner, manager = self.campaign.owner, self.cast.manager
        second = manager if owner != manager else self.cast.deputy
        users = [
            {"userId": self.user_ids[owner], "sender": True, "read": True},
            {"userId": self.user_ids[second], "sender": owner == manager, "read": True},
        ]
        if self.story.unread:
            users[self.rng.choice((0, 0, 1))]["read"] = False
        contact: dict[str, Any] = {"_id": self.contact_id}
        if person.full_name:
            contact["fullName"] = person.full_name
        if person.email:
            contact["email"] = person.email
        messages = ("emailsSent", "emailsReplied", "linkedinSent", "linkedinReplied", "linkedinInviteDone")
        channels = list(
            dict.fromkeys(
                "email" if a["type"].startswith("emails") else "linkedin" for a in acts if a["type"] in messages
            )
        )
        last_reply = replies[-1] if replies else None
        return {
            "_id": self.ids.new("ibx_"),
            "opportunities": [],
            "lastActivityAt": acts[-1]["createdAt"],
            "createdBy": acts[0]["_id"],
            "channels": channels,
            "teamId": self.team_id,
            "contactId": self.contact_id,
            "users": [] if self.story.no_users else users,
            "createdAt": acts[0]["createdAt"],
            "haveReplies": bool(replies),
            "lastRepliedAt": last_reply["createdAt"] if last_reply else None,
            "lastRepliedChannel": (
                ("email" if last_reply["type"].startswith("emails") else "linkedin") if last_reply else None
            ),
            "contact": contact,
        }


def _last_activity(rng: Random, now: datetime, unread: bool) -> datetime:
    """Unread conversations moved in the last two days; the others up to five weeks ago."""
    minutes = rng.randint(9, 40 * 60) if unread else rng.randint(3 * 60, 36 * 24 * 60)
    return now - timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


def build_conversations(*, seed: int = 7, now: datetime | None = None) -> list[dict[str, Any]]:
    """The data set: one document per contact, `{"inbox": <row of GET /api/inbox>, "messages":
    <data of GET /api/inbox/{contactId}, oldest first>}`, in story order. Every time lies before
    `now` (default: the start of the current UTC day)."""
    now = sandbox_now(now)
    cast = _cast()
    rng = Random(seed)
    ids = _Ids(rng)
    team_id = ids.new("tea_")
    user_ids = {key: ids.new("usr_") for key in cast.reps}
    campaign_ids = {key: ids.new("cam_") for key in cast.campaigns}
    sequence_ids = {key: ids.new("seq_") for key in cast.campaigns}
    return [
        _Builder(cast, story, rng, ids, team_id, user_ids, campaign_ids, sequence_ids).build(
            _last_activity(rng, now, story.unread)
        )
        for story in cast.stories
    ]


def long_conversation(count: int = 1240, *, seed: int = 11, now: datetime | None = None) -> dict[str, Any]:
    """One contact, Olivia Park, with `count` LinkedIn messages ten minutes apart, alternately
    Sam's and hers, the last one hers; each says its number ("message 7 of 1240"), so that a
    test sees exactly which ones a client read. A document like those of `build_conversations`."""
    if count < 1:
        raise ValueError("a conversation has at least one message")
    now = sandbox_now(now)
    cast = _cast()
    ids = _Ids(Random(seed))
    team_id, user_id, contact_id, lead_id = ids.new("tea_"), ids.new("usr_"), ids.new("ctc_"), ids.new("lea_")
    rep, contact = cast.reps[cast.long["rep"]], cast.long["contact"]
    email, speakers = contact["email"], (rep.name.split()[0], contact["name"].split()[0])
    activities = []
    for n in range(1, count + 1):
        ours = (count - n) % 2 == 1
        at = now - timedelta(minutes=10 * (count - n) + 5)
        activities.append(
            {
                "_id": ids.new("act_"),
                "type": "linkedinSent" if ours else "linkedinReplied",
                "createdAt": iso(at),
                "teamId": team_id,
                "leadId": lead_id,
                "contactId": contact_id,
                "sendUserId": user_id,
                "sendUserName": rep.name,
                "sendUserEmail": rep.email,
                "leadEmail": email,
                "message": cast.long["message"].format(speaker=speakers[0 if ours else 1], n=n, count=count),
            }
        )
    replies = [a for a in activities if a["type"] == "linkedinReplied"]
    row = {
        "_id": ids.new("ibx_"),
        "opportunities": [],
        "lastActivityAt": activities[-1]["createdAt"],
        "createdBy": activities[0]["_id"],
        "channels": ["linkedin"],
        "teamId": team_id,
        "contactId": contact_id,
        "users": [{"userId": user_id, "sender": True, "read": False}],
        "createdAt": activities[0]["createdAt"],
        "haveReplies": bool(replies),
        "lastRepliedAt": replies[-1]["createdAt"] if replies else None,
        "lastRepliedChannel": "linkedin" if replies else None,
        "contact": {"_id": contact_id, "fullName": contact["name"], "email": email},
    }
    return {"inbox": row, "messages": activities}
