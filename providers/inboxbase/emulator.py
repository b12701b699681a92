"""A local emulator of the InboxBase conversations API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 004) served by
a small Starlette app, so that the sandbox and the tests run without the real service.

    GET /v1/identities/{handle}/conversations           summary rows, newest first by lastEventAt
    GET /v1/identities/{handle}/conversations/{convId}  one conversation and its whole timeline

The handle is URL-encoded in the path (`alice.pipewise%40inboxbase.ai`); an unencoded `@` is
accepted as well. Listing filters, AND-combined: `archived` (true | false), `with` (exact address,
case-blind), `withDomain` (suffix match at a label boundary: `acme.com` matches `bob@us.acme.com`,
never `ann@notacme.com`), `since` / `until` (inclusive bounds on lastEventAt, Unix ms), `cursor`
(strictly older than that lastEventAt) and `limit` (1..200, default 50). Rows with equal
lastEventAt come in id order. `nextCursor` is the lastEventAt of the page's last row when more
rows follow, else null: exactly the documented cursor, with its documented flaw (rows that share
that timestamp but did not fit on the page are skipped by the next page).

The data set (`build_conversations`) is a fictional vendor, Pipewise, whose two AI sales agents
(the identities alice.pipewise@ and bob.pipewise@inboxbase.ai) email prospects: about 20
conversations each, with replies quoted the way Gmail (`div.gmail_quote`), Outlook
(`divRplyFwdMsg`), Apple Mail (`blockquote type="cite"`) and plain-text clients (`>` lines) quote,
HTML-only and text-only messages, attachments, a bounce from mailer-daemon, label churn, archived
and unarchived threads, no-reply timers, companies with sub-domains (us.acme.com, eu.acme.com) and
look-alikes (notacme.com, acme.com.au), and many conversations whose last event happened in the
same millisecond (groups of 2 to 5: bulk archives, bulk labels, batch sends), placed so that they
straddle page boundaries for page sizes 2, 3, 5 and 7.

Everything is derived from `random.Random(seed)` and one `now`: the same seed and `now` give the
same bytes on the wire.

Variants, each behind an option of `create_app` (the defaults serve the seed's shapes, unchanged):

- `event_shape="documented"`: conversations as docs.12m.ai documents them (PROVIDERS.md, second
  reading): message events without `direction`, `from` as "Name <address>" (the identity sends
  as its handle), `to` / `cc` as strings (our reply to a cc'd message goes to several, "Name <a>,
  b@c": our choice of data), only the documented message fields (no attachments, no Message-ID
  header), and `lastEventAtIso`, `noReplyAt(Iso)` (a pending timer; its policy is assumed) and
  `lastNoReplyAt(Iso)` on the conversation.
- `with_form="name"`: `with` as "Name <address>" in rows and conversations; the `with` and
  `withDomain` filters match the address only (assumed: the docs call `with` an email).
- `auth_texts="documented"`: the documented 401 texts (`missing api key`, `invalid api key
  format`, `invalid api key`) instead of the seed-era ones.
- `transient_failures=N`: the first N authenticated requests answer 500 (the docs ask clients to
  retry 5xx with backoff); `failures` makes every request on a handle fail.

The 404 for an identity outside the org is the documented one in every mode:
`{"error": "identity not found in org", "details": {"handle": "..."}}`.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import formataddr
from random import Random
from typing import Any, Literal
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

__all__ = ["SANDBOX_API_KEY", "SANDBOX_IDENTITIES", "build_conversations", "create_app", "rows_of"]

SANDBOX_API_KEY = "sk_sandbox_pipewise_b81d4e6a2c"
"""The key (``sk_...``) the sandbox emulator accepts."""
SANDBOX_IDENTITIES = ("alice.pipewise@inboxbase.ai", "bob.pipewise@inboxbase.ai")
"""The sandbox organisation's identities: Pipewise's two AI sales agents."""

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
SNIPPET_CHARS = 140
_HOUR = 3_600_000
_MINUTE = 60_000


# --------------------------------------------------------------------------------------------
# The cast: our agents and the prospects they write to
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Agent:
    name: str
    mailbox: str  # assumed: a backing mailbox the identity sends from (seed shape); the documented shape uses the handle
    title: str
    intro_subject: str
    intro: str
    sign_off: str


_AGENTS = (
    _Agent(
        "Alice Martin", "alice@pipewise-mail.com", "Account Executive, Pipewise",
        "Pipeline reviews at {company}",
        "Hi {first},\n\nI noticed {company} is hiring SDRs in three regions, which is usually the"
        " moment pipeline reviews start eating Monday mornings. Pipewise rolls the forecast up"
        " from the CRM on its own and flags slipping deals before the call, not after.\n\nWorth 20"
        " minutes next week to see whether it fits how {company} runs pipeline?",
        "Best,\nAlice",
    ),
    _Agent(
        "Bob Keller", "bob@pipewise-mail.eu", "Senior Account Executive EMEA, Pipewise",
        "Forecasting across EMEA at {company}",
        "Hi {first},\n\nWe have just opened our EU region (hosted in Frankfurt, DPA and SCCs"
        " ready), and I am writing to a few sales leaders who run multi-country teams. Pipewise"
        " rolls up forecasts per country and currency without the Friday spreadsheet.\n\nWould a"
        " short call in the next two weeks make sense for {company}?",
        "Best regards,\nBob",
    ),
)


@dataclass(frozen=True)
class _Prospect:
    email: str
    first: str
    last: str
    company: str
    story: str
    style: str  # how their mail client quotes: gmail, outlook, apple, plain, html-only


# Groups of equal lastEventAt, newest first, for each identity (20 conversations each). With
# these sizes, ties straddle the page boundaries of page sizes 1, 2, 3, 5 and 7.
_TIE_GROUPS = ((2, 3, 1, 4, 2, 1, 5, 2), (3, 1, 2, 5, 1, 2, 4, 2))

_PROSPECTS: tuple[tuple[_Prospect, ...], ...] = (
    (  # Alice: North America
        _Prospect("dana.whitfield@acme.com", "Dana", "Whitfield", "Acme", "interested", "outlook"),
        _Prospect("tom.becker@us.acme.com", "Tom", "Becker", "Acme US", "meeting", "outlook"),
        _Prospect("alicia.ramos@us.acme.com", "Alicia", "Ramos", "Acme US", "attachment", "gmail"),
        _Prospect("priyanka@notacme.com", "Priyanka", "Rao", "NotAcme", "interested", "gmail"),
        _Prospect("ben@notacme.com", "Ben", "Carter", "NotAcme", "no_reply", "gmail"),
        _Prospect("hank@globex.io", "Hank", "Scorpio", "Globex", "not_now", "apple"),
        _Prospect("maya.lindqvist@globex.io", "Maya", "Lindqvist", "Globex", "meeting", "gmail"),
        _Prospect("devon.price@globex.io", "Devon", "Price", "Globex", "attachment", "html-only"),
        _Prospect("gavin@hooli.com", "Gavin", "Belson", "Hooli", "unsubscribe", "plain"),
        _Prospect("richard@piedpiper.com", "Richard", "Hendricks", "Pied Piper", "revived", "gmail"),
        _Prospect("pepper@starkindustries.com", "Pepper", "Potts", "Stark Industries", "ooo", "outlook"),
        _Prospect("lucius.fox@wayne-ent.com", "Lucius", "Fox", "Wayne Enterprises", "referral", "outlook"),
        _Prospect("art@vandelay.com", "Art", "Vandelay", "Vandelay Industries", "no_reply_archived", "gmail"),
        _Prospect("nina.sharp@massivedynamic.com", "Nina", "Sharp", "Massive Dynamic", "label_churn", "gmail"),
        _Prospect("norman@oscorp.com", "Norman", "Osborn", "Oscorp", "bounce", "plain"),
        _Prospect("cave@aperture-science.com", "Cave", "Johnson", "Aperture Science", "interested", "plain"),
        _Prospect("ana@lumenpay.com", "Ana", "Lima", "LumenPay", "not_now", "outlook"),
        _Prospect("rachel@acme.com", "Rachel", "Okafor", "Acme", "no_reply", "apple"),
        _Prospect("kofi@ledgerbase.io", "Kofi", "Mensah", "Ledgerbase", "meeting", "apple"),
        _Prospect("omar@kestrelhq.com", "Omar", "Haddad", "Kestrel", "referral", "gmail"),
    ),
    (  # Bob: Europe
        _Prospect("katrin.vogel@eu.acme.com", "Katrin", "Vogel", "Acme Europe", "interested", "outlook"),
        _Prospect("j.weber@eu.acme.com", "Jonas", "Weber", "Acme Europe", "meeting", "outlook"),
        _Prospect("marcus.chen@acme.com", "Marcus", "Chen", "Acme", "no_reply", "gmail"),
        _Prospect("liam.obrien@acme.com.au", "Liam", "O'Brien", "Acme Australia", "interested", "gmail"),
        _Prospect("lena@notacme.com", "Lena", "Fischer", "NotAcme", "unsubscribe", "plain"),
        _Prospect("bill.lumbergh@initech.co.uk", "Bill", "Lumbergh", "Initech", "attachment", "outlook"),
        _Prospect("peter@initech.co.uk", "Peter", "Gibbons", "Initech", "no_reply_archived", "gmail"),
        _Prospect("albert.wesker@umbrella-corp.de", "Albert", "Wesker", "Umbrella Corp", "not_now", "outlook"),
        _Prospect("claire@umbrella-corp.de", "Claire", "Redfield", "Umbrella Corp", "meeting", "gmail"),
        _Prospect("sophie.martin@soylent.fr", "Sophie", "Martin", "Soylent", "interested", "apple"),
        _Prospect("lucas@soylent.fr", "Lucas", "Bernard", "Soylent", "ooo", "outlook"),
        _Prospect("elena@cyberdyne.es", "Elena", "Ruiz", "Cyberdyne Iberia", "referral", "gmail"),
        _Prospect("miles@cyberdyne.es", "Miles", "Dyson", "Cyberdyne Iberia", "label_churn", "html-only"),
        _Prospect("olivia@quillworks.com", "Olivia", "Rossi", "Quillworks", "revived", "gmail"),
        _Prospect("yara@relaymint.com", "Yara", "Haddad", "Relaymint", "bounce", "plain"),
        _Prospect("ivo@fernhollow.ai", "Ivo", "Novak", "Fernhollow AI", "meeting", "plain"),
        _Prospect("greta@orbitfold.com", "Greta", "Lund", "Orbitfold", "no_reply", "apple"),
        _Prospect("erlich@aviato.com", "Erlich", "Bachman", "Aviato", "not_now", "gmail"),
        _Prospect("noor@tyrell.ai", "Noor", "Saleh", "Tyrell", "attachment", "apple"),
        _Prospect("frank@us.acme.com", "Frank", "Moreno", "Acme US", "interested", "gmail"),
    ),
)

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------------------------
# Bodies: text and HTML, with quoted history the way real clients write it
# --------------------------------------------------------------------------------------------

_WHEN = re.compile(r"\u27e6(gmail|outlook|apple):(\d+)\u27e7")
"""A placeholder for the date of message n, filled in once the timeline has its real times."""


def _paragraphs_html(text: str) -> str:
    return "".join(
        f"<p>{html_lib.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip()
    )


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat[:SNIPPET_CHARS]
    return cut[: cut.rfind(" ")].rstrip(" ,.;:-") + "..."


def _format_when(style: str, at: datetime) -> str:
    hour = at.strftime("%I:%M %p").lstrip("0")
    if style == "outlook":
        return f"{at.strftime('%A, %B')} {at.day}, {at.year} {hour}"
    if style == "apple":
        return f"{at.strftime('%b')} {at.day}, {at.year}, at {at.strftime('%H:%M')}"
    return f"{at.strftime('%a, %b')} {at.day}, {at.year} at {hour}"


@dataclass
class _Quoted:
    number: int
    name: str
    email: str
    to: str
    subject: str
    text: str
    html: str | None


def _reply_bodies(style: str, text: str, quoted: _Quoted | None) -> tuple[str | None, str | None]:
    """(text, html) of a reply written in `style`, quoting `quoted` below the new text."""
    body_html = _paragraphs_html(text)
    if quoted is None:
        return (None if style == "html-only" else text), (None if style == "plain" else f'<div dir="ltr">{body_html}</div>')
    when_ = f"\u27e6{'outlook' if style == 'outlook' else 'apple' if style == 'apple' else 'gmail'}:{quoted.number}\u27e7"
    inner_html = quoted.html or _paragraphs_html(quoted.text)
    sender = f"{quoted.name} &lt;{quoted.email}&gt;"
    arrowed = "\n".join("> " + line if line else ">" for line in quoted.text.splitlines())
    if style == "outlook":
        text_out = (
            f"{text}\n\n________________________________\nFrom: {quoted.name} <{quoted.email}>\n"
            f"Sent: {when_}\nTo: {quoted.to}\nSubject: {quoted.subject}\n\n{quoted.text}"
        )
        html_out = (
            f'<div style="font-family:Calibri,Arial,Helvetica,sans-serif;font-size:11pt">{body_html}</div>'
            '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt"'
            f' color="#000000"><b>From:</b> {sender}<br><b>Sent:</b> {when_}<br><b>To:</b>'
            f" {html_lib.escape(quoted.to)}<br><b>Subject:</b> {html_lib.escape(quoted.subject)}</font>"
            f"<div>&nbsp;</div></div><div>{inner_html}</div>"
        )
        return text_out, html_out
    if style == "apple":
        text_out = f"{text}\n\n> On {when_}, {quoted.name} <{quoted.email}> wrote:\n>\n{arrowed}"
        html_out = (
            f"<html><body>{body_html}<div><br><blockquote type=\"cite\"><div>On {when_},"
            f" {sender} wrote:</div><br class=\"Apple-interchange-newline\"><div>{inner_html}</div>"
            "</blockquote></div></body></html>"
        )
        return text_out, html_out
    text_out = f"{text}\n\nOn {when_}, {quoted.name} <{quoted.email}> wrote:\n\n{arrowed}"
    html_out = (
        f'<div dir="ltr">{body_html}</div><br><div class="gmail_quote"><div dir="ltr"'
        f' class="gmail_attr">On {when_}, {sender} wrote:<br></div><blockquote class="gmail_quote"'
        ' style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        f"{inner_html}</blockquote></div>"
    )
    if style == "plain":
        return text_out, None
    if style == "html-only":
        return None, html_out
    return text_out, html_out


# --------------------------------------------------------------------------------------------
# One conversation's timeline
# --------------------------------------------------------------------------------------------


class _Timeline:
    """Events at offsets (ms) from the conversation's first event; `finish` moves the last one
    to the conversation's lastEventAt and fills in ids and the dates quoted in bodies."""

    def __init__(self, rng: Random, agent: _Agent, prospect: _Prospect) -> None:
        self.rng = rng
        self.agent = agent
        self.p = prospect
        self.t = 0
        self.events: list[dict[str, Any]] = []
        self.quotable: _Quoted | None = None  # the last message, as the next reply would quote it
        self.subject = agent.intro_subject.format(company=prospect.company)
        self.messages = 0

    def wait(self, low_hours: float, high_hours: float) -> None:
        self.t += int(self.rng.uniform(low_hours, high_hours) * _HOUR) + self.rng.randrange(1000)

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "_t": self.t, **fields}
        self.events.append(event)
        return event

    def _message(self, direction: str, sender: str, to: list[str], subject: str, text: str | None,
                 html: str | None, snippet_text: str, **extra: Any) -> None:
        self.messages += 1
        domain = sender.rpartition("@")[2].rstrip(">")
        message = {
            "id": f"msg_{self.rng.getrandbits(64):016x}",
            "messageIdHeader": f"<{self.rng.getrandbits(80):020x}@{domain}>",
            "direction": direction,
            "from": sender,
            "to": to,
            "cc": extra.pop("cc", []),
            "subject": subject,
            "text": text,
            "html": html,
            "snippet": _snippet(snippet_text),
            **extra,
        }
        self._event("message", message=message)

    def out(self, text: str, *, reply: bool = True) -> None:
        """Our agent writes (sent through the InboxBase API: no quoted history)."""
        a, p = self.agent, self.p
        body = text.format(first=p.first, company=p.company) + "\n\n" + a.sign_off
        subject = self.subject if not reply or self.messages == 0 else f"Re: {self.subject}"
        signature = f"-- \n{a.name}\n{a.title}\nhttps://pipewise.io"
        html = (
            f'<div dir="ltr">{_paragraphs_html(body)}<div style="color:#888888;font-size:12px">'
            f"{html_lib.escape(a.name)} · {html_lib.escape(a.title)}<br>"
            '<a href="https://pipewise.io?utm_source=inboxbase">pipewise.io</a></div></div>'
        )
        self._message("outbound", f"{a.name} <{a.mailbox}>", [self.p.email], subject,
                      f"{body}\n\n{signature}", html, body)
        self.quotable = _Quoted(self.messages, a.name, a.mailbox, f"{p.first} {p.last} <{p.email}>",
                                subject, f"{body}\n\n{signature}", html)

    def inbound(self, text: str, *, style: str | None = None, sender: str | None = None,
                subject: str | None = None, quote: bool = True, **extra: Any) -> None:
        p = self.p
        body = text.format(first=p.first, agent=self.agent.name.split()[0], company=p.company)
        style = style or p.style
        bodies = _reply_bodies(style, body, self.quotable if quote else None)
        subject = subject or f"Re: {self.subject}"
        self._message("inbound", sender or f"{p.first} {p.last} <{p.email}>", [self.agent.mailbox],
                      subject, bodies[0], bodies[1], body, **extra)
        self.quotable = _Quoted(self.messages, f"{p.first} {p.last}", p.email, self.agent.mailbox,
                                subject, bodies[0] or body, bodies[1])

    def label(self, name: str, added: bool = True) -> None:
        self._event("label_added" if added else "label_removed", label=name)

    def archive(self, archived: bool = True) -> None:
        self._event("archived" if archived else "unarchived")

    def no_reply(self, hours: float) -> None:
        self.t += int(hours * _HOUR)
        self._event("no_reply_expired", waitedMs=int(hours * _HOUR))

    def finish(self, conversation_id: str, end: int) -> dict[str, Any]:
        shift = end - self.t
        stamps: dict[int, datetime] = {}
        number = 0
        for event in self.events:
            event["ts"] = shift + event.pop("_t")
            if event["type"] == "message":
                number += 1
                stamps[number] = _from_ms(event["ts"])
        events = []
        for event in self.events:
            ts = event["ts"]
            full = {"id": "evt_" + _ulid(ts, self.rng), "type": event["type"], "ts": ts, "tsIso": _iso(ts)}
            full.update({k: v for k, v in event.items() if k not in ("type", "ts")})
            if "message" in full:
                message = dict(full["message"])
                for key in ("text", "html"):
                    if message.get(key):
                        message[key] = _WHEN.sub(lambda m: _format_when(m.group(1), stamps[int(m.group(2))]), message[key])
                message["ts"], message["tsIso"] = ts, _iso(ts)
                full["message"] = message
            events.append(full)
        archived = False
        labels: list[str] = []
        last_no_reply = None
        for e in events:
            if e["type"] in ("archived", "unarchived"):
                archived = e["type"] == "archived"
            elif e["type"] == "label_added" and e["label"] not in labels:
                labels.append(e["label"])
            elif e["type"] == "label_removed" and e["label"] in labels:
                labels.remove(e["label"])
            elif e["type"] == "no_reply_expired":
                last_no_reply = e["ts"]
        messages = [e["message"] for e in events if e["type"] == "message"]
        return {
            "id": conversation_id,
            "with": self.p.email,
            "subject": messages[-1]["subject"] if messages else self.subject,
            "messageCount": len(messages),
            "archived": archived,
            "labels": labels,
            "lastEventAt": events[-1]["ts"],
            "noReplyAt": None,
            "lastNoReplyAt": last_no_reply,
            "events": events,
        }


def _story(tl: _Timeline, kind: str) -> None:
    """The events of one conversation, by the kind of story it tells."""
    p = tl.p
    tl.out(tl.agent.intro, reply=False)
    if kind in ("no_reply", "no_reply_archived"):
        tl.no_reply(72)
        tl.wait(0.5, 3)
        tl.out("Hi {first},\n\nFloating this back up in case it got buried. Here is a three-minute"
               " walkthrough, no call needed: https://pipewise.io/tour")
        tl.no_reply(96)
        if kind == "no_reply_archived":
            tl.wait(2, 30)
            tl.archive()
        return
    if kind == "bounce":
        tl.wait(0.01, 0.05)
        tl.inbound(
            "Address not found\n\nYour message wasn't delivered to {0} because the address couldn't"
            " be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550"
            " 5.1.1 The email account that you tried to reach does not exist.".replace("{0}", p.email),
            style="plain", sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            subject="Delivery Status Notification (Failure)", quote=False,
        )
        tl.wait(1, 12)
        tl.label("bounced")
        tl.archive()
        return
    if kind == "ooo":
        tl.wait(0.01, 0.2)
        tl.inbound(
            "Thank you for your message. I am out of the office with limited access to email and will"
            " return on Monday. For urgent matters please contact sales@{0}.".replace(
                "{0}", p.email.rpartition("@")[2]),
            style="plain", subject=f"Automatic reply: {tl.subject}", quote=False,
        )
        tl.wait(24 * 4, 24 * 6)
        tl.out("Hi {first},\n\nI hope the time away went well. Picking this back up: would a short"
               " call next week be useful?")
        return
    tl.wait(4, 40)
    if kind == "interested":
        tl.inbound("Hi {agent},\n\nTiming is actually good: we are rebuilding our forecast process"
                   " this quarter. Could you send pricing for about 40 reps and a couple of times next"
                   " week?\n\nThanks,\n{first}")
        tl.wait(0.05, 0.3)
        tl.label("interested")
        tl.wait(0.5, 4)
        tl.out("Hi {first},\n\nGreat to hear. Pricing for 40 reps is on the attached page of our"
               " site (https://pipewise.io/pricing). Tuesday 10:00 or Wednesday 15:00 your time both"
               " work on my side.")
    elif kind == "meeting":
        tl.inbound("Thanks {agent}. Happy to take a look. Does Thursday afternoon work?\n\n{first}")
        tl.wait(0.5, 3)
        tl.out("Hi {first},\n\nThursday at 2pm works. The invite is on its way; I will bring the"
               " pipeline-health demo.")
        tl.wait(2, 20)
        tl.inbound("Accepted. Please also add our RevOps lead to the invite.\n\n{first}")
        tl.wait(0.05, 0.5)
        tl.label("meeting-booked")
    elif kind == "not_now":
        tl.inbound("Hi {agent},\n\nNot a priority for us this half: we just renewed with our current"
                   " vendor. Feel free to check back in Q3.\n\n{first}")
        tl.wait(0.2, 2)
        tl.label("nurture")
        tl.wait(0.01, 0.1)
        tl.archive()
    elif kind == "unsubscribe":
        tl.inbound("Please remove me from your list.\n\n{first}", style="plain")
        tl.wait(0.01, 0.3)
        tl.label("do-not-contact")
        tl.archive()
    elif kind == "referral":
        tl.inbound("Hi {agent},\n\nI am not the right person for this: our RevOps lead owns"
                   " forecasting tools now. I have copied her here.\n\n{first}",
                   cc=[f"revops@{p.email.rpartition('@')[2]}"])
        tl.wait(0.5, 5)
        tl.out("Thanks {first}, much appreciated. Happy to send a short overview to your RevOps"
               " lead whenever useful.")
    elif kind == "revived":
        tl.inbound("Hi {agent},\n\nNot now, sorry. We are heads-down on a launch until the end of"
                   " the quarter.\n\n{first}")
        tl.wait(0.5, 3)
        tl.label("nurture")
        tl.archive()
        tl.wait(24 * 9, 24 * 16)
        tl.inbound("Hi {agent},\n\nCircling back: the launch is out and forecasting is on the list"
                   " after all. Are you still around for a call next week?\n\n{first}")
        tl.wait(0.01, 0.1)
        tl.archive(False)
        tl.label("nurture", added=False)
        tl.label("interested")
    elif kind == "attachment":
        tl.inbound("Hi {agent},\n\nBefore we go further, procurement needs the attached security"
                   " questionnaire filled in. Could you turn it around by Friday?\n\nRegards,\n{first}",
                   attachments=[{"filename": "Vendor-Security-Questionnaire-2026.xlsx",
                                 "contentType": _XLSX, "size": 48213 + tl.rng.randrange(9000)}])
        tl.wait(1, 6)
        tl.out("Hi {first},\n\nGot it. Our security team will send it back by Thursday, together with"
               " our SOC 2 Type II report.")
    elif kind == "label_churn":
        tl.inbound("Send me a one-pager and I will share it with the team.\n\n{first}")
        tl.wait(0.05, 0.5)
        tl.label("hot-lead")
        tl.wait(1, 5)
        tl.out("Hi {first},\n\nHere it is: https://pipewise.io/one-pager.pdf. Happy to walk the team"
               " through it.")
        tl.no_reply(72)
        tl.wait(1, 10)
        tl.label("hot-lead", added=False)
        tl.wait(0.001, 0.01)
        tl.label("nurture")
    else:  # pragma: no cover - a story kind without events is a bug in the table above
        raise ValueError(f"unknown story {kind!r}")


# --------------------------------------------------------------------------------------------
# The data set
# --------------------------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid(ms: int, rng: Random) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _from_ms(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def _to_ms(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _iso(ms: int) -> str:
    return _from_ms(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ms_of(obj: Mapping[str, Any], key: str) -> int | None:
    """`obj[key]` in Unix ms, or its `<key>Iso` twin when the milliseconds are missing."""
    if obj.get(key) is not None:
        return int(obj[key])
    iso = obj.get(key + "Iso")
    return _to_ms(datetime.fromisoformat(iso.replace("Z", "+00:00"))) if iso else None


def _normalise_now(now: datetime | None) -> datetime:
    """`now`, or the start of the current UTC day (so that the data stay the same all day)."""
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _agent_for(handle: str, index: int) -> _Agent:
    if index < len(_AGENTS):
        return _AGENTS[index]
    base = _AGENTS[index % len(_AGENTS)]
    local = handle.rpartition("@")[0] or handle
    first = re.split(r"[._+-]", local)[0].title() or "Agent"
    return _Agent(f"{first} Pipewise", f"{local}@pipewise-mail.com", base.title, base.intro_subject,
                  base.intro, base.sign_off.rsplit("\n", 1)[0] + f"\n{first}")


EventShape = Literal["seed", "documented"]
WithForm = Literal["address", "name"]


def build_conversations(
    *,
    seed: int = 7,
    now: datetime | None = None,
    identities: Sequence[str] = SANDBOX_IDENTITIES,
    event_shape: EventShape = "seed",
    with_form: WithForm = "address",
) -> dict[str, list[dict[str, Any]]]:
    """Deterministic data set: per identity handle, its conversations in the exact wire shape of
    `conversation` in GET /v1/identities/{handle}/conversations/{convId} (id, with, subject,
    messageCount, archived, labels, lastEventAt, noReplyAt, lastNoReplyAt, events[]).

    Every event lies before `now` (default: the start of the current UTC day). The last events
    come in groups that share one millisecond (see `_TIE_GROUPS`). `event_shape` and `with_form`
    choose the documented variants (see the module's docstring); the same seed gives the same
    conversations, ids and times in every variant.
    """
    if event_shape not in ("seed", "documented") or with_form not in ("address", "name"):
        raise ValueError("event_shape is 'seed' or 'documented'; with_form is 'address' or 'name'")
    now_ms = _to_ms(_normalise_now(now))
    rng = Random(seed)
    data: dict[str, list[dict[str, Any]]] = {}
    for index, handle in enumerate(identities):
        agent = _agent_for(handle, index)
        if event_shape == "documented":
            agent = replace(agent, mailbox=handle)  # the identity sends as itself
        prospects = list(_PROSPECTS[index % len(_PROSPECTS)])
        groups = _TIE_GROUPS[index % len(_TIE_GROUPS)]
        ends: list[int] = []
        cursor = now_ms - int(rng.uniform(0.5, 6) * _HOUR) - rng.randrange(60_000)
        for size in groups:
            ends.extend([cursor] * size)
            cursor -= int(rng.uniform(2, 30) * _HOUR) + rng.randrange(60_000)
        rng.shuffle(prospects)
        conversations = []
        for prospect, end in zip(prospects, ends, strict=True):
            timeline = _Timeline(rng, agent, prospect)
            _story(timeline, prospect.story)
            conversation = timeline.finish(f"conv_{rng.getrandbits(64):016x}", end)
            person = f"{prospect.first} {prospect.last}"
            if event_shape == "documented":
                names = {handle.casefold(): agent.name, prospect.email.casefold(): person}
                conversation = _documented(conversation, names, now_ms)
            if with_form == "name":
                conversation["with"] = formataddr((person, prospect.email))
            conversations.append(conversation)
        data[handle] = conversations
    return data


_NO_REPLY_WAIT = 72 * _HOUR
"""Assumed: how long after our last message the no-reply timer is due (the docs name the fields,
not the policy)."""


def _documented(conversation: dict[str, Any], names: Mapping[str, str], now_ms: int) -> dict[str, Any]:
    """A conversation of the seed's shape in the shape docs.12m.ai documents (see the module's
    docstring). `names`: display names by address (casefolded) for `to` / `cc`."""

    def joined(addresses: Sequence[str]) -> str:
        return ", ".join(formataddr((names[a.casefold()], a)) if a.casefold() in names else a for a in addresses)

    events = []
    cc: list[str] = []  # of the last inbound message: our reply goes to them too
    for event in conversation["events"]:
        if event["type"] != "message":
            events.append(event)
            continue
        m = event["message"]
        to = list(m["to"]) + (cc if m["direction"] == "outbound" else [])
        cc = list(m["cc"]) if m["direction"] == "inbound" else []
        message = {"id": m["id"], "from": m["from"], "to": joined(to), "cc": joined(m["cc"]), "subject": m["subject"],
                   "text": m["text"], "html": m["html"], "snippet": m["snippet"], "ts": m["ts"]}
        events.append({"id": event["id"], "type": "message", "ts": event["ts"], "tsIso": event["tsIso"], "message": message})
    directions = [e["message"]["direction"] for e in conversation["events"] if e["type"] == "message"]
    last_message = max(e["ts"] for e in conversation["events"] if e["type"] == "message")
    expired_since = any(e["type"] == "no_reply_expired" and e["ts"] > last_message for e in events)
    due = last_message + _NO_REPLY_WAIT
    no_reply = due if directions[-1] == "outbound" and not expired_since and due > now_ms else None
    last_no_reply = conversation["lastNoReplyAt"]
    return {
        **{k: conversation[k] for k in ("id", "with", "subject", "messageCount", "archived", "labels", "lastEventAt")},
        "lastEventAtIso": _iso(conversation["lastEventAt"]),
        "noReplyAt": no_reply,
        "noReplyAtIso": _iso(no_reply) if no_reply is not None else None,
        "lastNoReplyAt": last_no_reply,
        "lastNoReplyAtIso": _iso(last_no_reply) if last_no_reply is not None else None,
        "events": events,
    }


def rows_of(conversations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The list rows of conversations, in the API's order: newest lastEventAt first, equal ones by
    id. Documented fields only: id, with, subject, snippet, messageCount, archived, lastEventAt,
    lastEventAtIso, createdAt, createdAtIso."""
    rows = []
    for c in conversations:
        events = c.get("events") or []
        messages = [e["message"] for e in events if e.get("type") == "message" and e.get("message")]
        last = _ms_of(c, "lastEventAt")
        created = _ms_of(events[0], "ts") if events else None
        created = last if created is None else created
        rows.append({
            "id": c["id"],
            "with": c.get("with"),
            "subject": c.get("subject"),
            "snippet": messages[-1].get("snippet") if messages else None,
            "messageCount": c.get("messageCount", len(messages)),
            "archived": bool(c.get("archived", False)),
            "lastEventAt": last,
            "lastEventAtIso": _iso(last),
            "createdAt": created,
            "createdAtIso": _iso(created),
        })
    rows.sort(key=lambda r: r["id"])
    rows.sort(key=lambda r: r["lastEventAt"], reverse=True)
    return rows


# --------------------------------------------------------------------------------------------
# The HTTP application
# --------------------------------------------------------------------------------------------


def _error(status: int, error: str, details: dict[str, Any] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


# Assumed throughout: the texts and `details` of 400, 405, the route 404 ("not found") and the
# conversation 404 ("conversation not found"); only the shape {error, details} and the identity
# 404 ("identity not found in org", details {handle}) are documented.


class _BadRequest(Exception):
    def __init__(self, param: str, expected: str) -> None:
        super().__init__(param)
        self.response = _error(400, f"invalid query parameter '{param}'", {"param": param, "expected": expected})


def _integer(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"-?[0-9]{1,19}", raw.strip()):
        raise _BadRequest(name, "an integer (Unix milliseconds)" if name != "limit" else "an integer 1..200")
    return int(raw)


def _domain_of(email: str | None) -> str:
    return (email or "").rpartition("@")[2].strip().lower().rstrip(".")


def _address(with_: str | None) -> str:
    """The address of a `with` value: inside the closing angle brackets of "Name <address>"."""
    text = (with_ or "").strip()
    if text.endswith(">") and "<" in text:
        return text[text.rfind("<") + 1 : -1].strip()
    return text


class _Api:
    """Authentication, routing and the two endpoints, over a snapshot of the data."""

    def __init__(self, api_key: str, data: Mapping[str, Sequence[Mapping[str, Any]]],
                 failures: Mapping[str, int], log: list[tuple[str, str, dict[str, str]]],
                 auth_texts: str = "seed", transient_failures: int = 0) -> None:
        self.api_key = api_key
        self.auth_texts = auth_texts
        self.transient_failures = transient_failures
        self.by_handle = {h.casefold(): h for h in data}
        self.rows = {h: rows_of(cs) for h, cs in data.items()}
        self.conversations = {h: {c["id"]: c for c in cs} for h, cs in data.items()}
        self.failures = {h.casefold(): code for h, code in failures.items()}
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan is off on loopback
            return
        request = Request(scope, receive)
        raw = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1")
        self.log.append((request.method, path, dict(request.query_params)))
        response = self._respond(request, path)
        await response(scope, receive, send)

    def _respond(self, request: Request, path: str) -> JSONResponse:
        refusal = self._auth(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        if self.transient_failures > 0:
            self.transient_failures -= 1
            return _error(500, "internal error")  # the text is assumed; the docs say only "5xx: retry"
        parts = path.split("/")
        if len(parts) not in (5, 6) or parts[:3] != ["", "v1", "identities"] or parts[4] != "conversations":
            return _error(404, "not found", {"path": path})
        if request.method != "GET":
            return _error(405, "method not allowed", {"method": request.method})
        handle = self.by_handle.get(unquote(parts[3]).casefold())
        if handle is None:
            return _error(404, "identity not found in org", {"handle": unquote(parts[3])})
        failure = self.failures.get(handle.casefold())
        if failure is not None:
            return self._failure(failure, handle)
        if len(parts) == 5:
            try:
                return self._list(handle, request.query_params)
            except _BadRequest as exc:
                return exc.response
        conv_id = unquote(parts[5])
        conversation = self.conversations[handle].get(conv_id)
        if conversation is None:
            return _error(404, "conversation not found", {"handle": handle, "convId": conv_id})
        return JSONResponse({"identity": handle, "conversation": conversation})

    def _auth(self, header: str | None) -> JSONResponse | None:
        if self.auth_texts == "documented":
            return self._documented_auth(header)
        # The seed-era texts and details below are this emulator's own (no document states them).
        if not header or not header.strip():
            return _error(401, "missing API key", {"expected": "Authorization: Bearer sk_..."})
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith("sk_") or " " in token:
            return _error(401, "malformed API key", {"expected": "Authorization: Bearer sk_..."})
        if token != self.api_key:
            return _error(401, "invalid API key")
        return None

    def _documented_auth(self, header: str | None) -> JSONResponse | None:
        """The documented 401 texts. Which header mistakes count as "missing" (no header, no
        token) rather than "format" (another scheme, a key not starting sk_) is assumed."""
        scheme, _, token = (header or "").strip().partition(" ")
        token = token.strip()
        if not scheme or (scheme.lower() == "bearer" and not token):
            return _error(401, "missing api key")
        if scheme.lower() != "bearer" or not token.startswith("sk_") or " " in token:
            return _error(401, "invalid api key format")
        if token != self.api_key:
            return _error(401, "invalid api key")
        return None

    def _failure(self, status: int, handle: str) -> JSONResponse:
        # Statuses as documented (409, 429, 5xx); their texts, details and Retry-After are assumed.
        if status == 429:
            return _error(429, "daily cap exhausted", {"handle": handle}, headers={"Retry-After": "3600"})
        if status == 409:
            return _error(409, "idempotency key reused with a different body", {"handle": handle})
        return _error(status, "internal error", {"handle": handle})

    def _list(self, handle: str, query: Mapping[str, str]) -> JSONResponse:
        limit = _integer(query, "limit")
        if limit is None:
            limit = DEFAULT_LIMIT
        if not 1 <= limit <= MAX_LIMIT:
            raise _BadRequest("limit", "an integer 1..200")
        archived_raw = (query.get("archived") or "").strip().lower()
        if archived_raw not in ("", "true", "false"):
            raise _BadRequest("archived", "true or false")
        archived = None if not archived_raw else archived_raw == "true"
        with_ = (query.get("with") or "").strip().casefold()
        if with_ and "@" not in with_:
            raise _BadRequest("with", "an email address")
        domain = (query.get("withDomain") or "").strip().lower().lstrip("@").rstrip(".")
        since, until, cursor = _integer(query, "since"), _integer(query, "until"), _integer(query, "cursor")

        def keep(row: dict[str, Any]) -> bool:
            email = _address(row["with"]).casefold()
            found = _domain_of(email)
            ts = row["lastEventAt"]
            return (
                (archived is None or row["archived"] == archived)
                and (not with_ or email == with_)
                and (not domain or found == domain or found.endswith("." + domain))
                and (since is None or ts >= since)
                and (until is None or ts <= until)
                and (cursor is None or ts < cursor)
            )

        rows = [row for row in self.rows[handle] if keep(row)]
        page = rows[:limit]
        next_cursor = page[-1]["lastEventAt"] if len(rows) > limit else None
        return JSONResponse({"identity": handle, "conversations": page, "nextCursor": next_cursor})


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    identities: Sequence[str] = SANDBOX_IDENTITIES,
    now: datetime | None = None,
    conversations: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    seed: int = 7,
    failures: Mapping[str, int] | None = None,
    event_shape: EventShape = "seed",
    with_form: WithForm = "address",
    auth_texts: Literal["seed", "documented"] = "seed",
    transient_failures: int = 0,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts (``sk_...``, sent as ``Authorization: Bearer``).
    `identities` are the handles of the organisation; any other handle is a 404. `conversations`
    maps handles to their conversations and defaults to `build_conversations(seed=seed, now=now,
    identities=identities)`. `failures` makes every request on a handle answer with that status
    (409, 429 with Retry-After, 500, 503, ...), with the documented error body; its texts and the
    Retry-After of 3600 seconds are assumed. `event_shape`, `with_form` (for the generated data
    only: `conversations` are served as given), `auth_texts` and `transient_failures` choose the
    documented variants described in the module's docstring.
    `app.state.requests` lists `(method, raw path, query)` for every request received, refused
    ones included; the path is as sent, percent-encoding kept.
    """
    if not api_key.startswith("sk_"):
        raise ValueError("an InboxBase API key starts with 'sk_'")
    if auth_texts not in ("seed", "documented") or transient_failures < 0:
        raise ValueError("auth_texts is 'seed' or 'documented'; transient_failures is a count")
    data = dict(conversations) if conversations is not None else build_conversations(
        seed=seed, now=now, identities=identities, event_shape=event_shape, with_form=with_form)
    unknown = [h for h in data if h not in identities]
    if unknown:
        raise ValueError(f"conversations for handles that are not identities: {unknown}")
    data = {h: list(data.get(h, [])) for h in identities}
    log: list[tuple[str, str, dict[str, str]]] = []
    api = _Api(api_key, data, failures or {}, log, auth_texts, transient_failures)
    app = Starlette()
    app.mount("/", app=api)
    app.state.requests = log
    return app
