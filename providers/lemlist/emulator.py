"""A local emulator of lemlist's inbox API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 003 and
lemlist's "Get Contact Messages" page) served by a small Starlette app, so that the sandbox, the
tests and the benchmarks run without the real service.

    GET /api/inbox                 the team's conversations, newest first by lastActivityAt;
                                   query page (from 1), limit (1..100, default 10), userId
    GET /api/inbox/{contactId}     the activities with one contact, newest first (or oldest
                                   first: `thread_order`); query limit (1..100, default 100),
                                   skip, userId, markAsRead; `{data, pagination}` as the list

Auth is HTTP Basic with the API key as the password (lemlist ignores the user name; the docs say
to leave it empty); any other credentials get the documented 401, `text/plain` "The
authentication you supplied is incorrect". The documented rate limit is enforced per key:
`rate_limit` requests per window (default 20 per 2 seconds), with `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (a human-readable date, as documented) on every
authenticated answer, and `429` with `Retry-After` (seconds) past the limit (or without it:
`retry_after=False`, then only the reset date says when). Other error bodies are plain text,
except 400 and 403 which are JSON `{"error", "message"}` (the docs say a body may be either).

What no document states and this emulator chooses: the texts of 400, 403, 404 and 429, the
maximum `limit` (100) of both endpoints, the thread's default page size (100) and order (newest
first), what `userId` does to a thread (nothing but being checked), which users `markAsRead`
marks (the `userId` given, else every user of the conversation).

Modes for the documented variants (keywords of `create_app`): `thread_order` "newest" |
"oldest"; `message_shape` "activity" (the documented example) | "inbox_message" (the documented
"Inbox Message" object: `_id, conversationId, sender, recipient, body, sentAt`, messages only);
`row_shape` "current" | "legacy" (rows without `contact`, `opportunities` as objects, null
`lastRepliedAt`, and one row with no contact id at all); `thread_pagination` False (the first
reading's `{data}`: every activity at once, `limit` and `skip` ignored); `retry_after`;
`thread_delay` (a slow upstream). `long_conversation` builds a thread longer than a client
reads at once.

The data set (`build_conversations`) is a fictional vendor, Pipewise, whose three reps run four
campaigns (three by email, one on LinkedIn). It is written to exercise the client and the
renderer: Gmail, Outlook and Apple Mail quoting, replies in French and German, LinkedIn messages
in plain text, unread conversations (some user of the team has read: false), contacts without
fullName (as in the seed) and one without an email address, a row without any users, activity
types that are not messages (opens, clicks, profile visits, invitations), sub-domains and
look-alike domains (us.acme.com, notacme.com). Everything derives from `random.Random(seed)` and
one `now`: the same seed and `now` give the same bytes on the wire.
"""

from __future__ import annotations

import base64
import binascii
import html
import math
import re
import time
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from random import Random
from typing import Any, Literal

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_THREAD_LIMIT",
    "MAX_LIMIT",
    "RATE_LIMIT",
    "SANDBOX_API_KEY",
    "UNAUTHORIZED",
    "build_conversations",
    "create_app",
    "long_conversation",
]

SANDBOX_API_KEY = "lemlist_sandbox_pipewise_8e3b51c07d"
"""The API key the sandbox emulator accepts."""

DEFAULT_LIMIT = 10  # the seed's perPage when no limit is sent
MAX_LIMIT = 100  # the docs give no maximum; 100 is our choice, matching the client
DEFAULT_THREAD_LIMIT = 100  # assumed: no document states it; every thread of the data set fits one page
UNAUTHORIZED = "The authentication you supplied is incorrect"  # documented, text/plain
RATE_LIMIT = (20, 2.0)  # documented: 20 requests per 2 seconds per API key, all routes

_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"


# --------------------------------------------------------------------------------------------
# The cast: our team (Pipewise), its campaigns, the companies and the contacts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rep:
    name: str
    email: str


_REPS: dict[str, _Rep] = {
    "sam": _Rep("Sam Lee", "sam@pipewise.io"),
    "priya": _Rep("Priya Nair", "priya@pipewise.io"),
    "lukas": _Rep("Lukas Brandt", "lukas@pipewise.eu"),
}
_MANAGER = "priya"  # every conversation is shared with her (or with Sam when she owns it)


@dataclass(frozen=True)
class _Campaign:
    name: str
    owner: str
    channel: str  # "email" or "linkedin": the channel of its sequence steps
    steps: tuple[tuple[str | None, str], ...]  # (subject, text); {first} {company} {sender}


_CAMPAIGNS: dict[str, _Campaign] = {
    "revops": _Campaign("Q4 Outbound — RevOps", "sam", "email", (
        ("{company}'s Monday forecast prep",
         "Hi {first},\n\nMost RevOps leaders I talk to lose Monday morning to reconciling the CRM with"
         " the spreadsheet the board actually sees. Brightline moved that roll-up into Pipewise and"
         " cut forecast prep from two days to two hours.\n\nWorth 20 minutes to compare notes on how"
         " {company} runs the weekly forecast?\n\nBest,\n{sender}"),
        ("Re: {company}'s Monday forecast prep",
         "Hi {first},\n\nFloating this back up. Pipewise connects to Salesforce or HubSpot in an"
         " afternoon and flags slipping deals before the forecast call, not after.\n\nOpen to a quick"
         " look next week?\n\n{sender}"),
        ("Re: {company}'s Monday forecast prep",
         "Hi {first},\n\nI'll stop here. If forecasting isn't on your plate, could you point me to"
         " whoever owns it at {company}?\n\nThanks,\n{sender}"),
    )),
    "founders": _Campaign("Series B founders", "priya", "email", (
        ("Congrats on the Series B, {first}",
         "Hi {first},\n\nCongrats on the round. The first board meeting after a Series B is usually"
         " where the forecast gets real scrutiny, and it is often still a spreadsheet.\n\nWould 15"
         " minutes to compare notes be useful?\n\n{sender}"),
        ("Re: Congrats on the Series B, {first}",
         "Hi {first},\n\nQuick follow-up: here is the board forecast template three of our customers"
         " used for their first post-B board meeting: https://pipewise.io/templates/board-forecast"
         "\n\n{sender}"),
    )),
    "eu": _Campaign("EU expansion", "lukas", "email", (
        ("Forecasting across EMEA at {company}",
         "Hi {first},\n\nWe have just opened our EU region (data hosted in Frankfurt, DPA ready), and"
         " I'm reaching out to a handful of sales leaders running multi-country teams. Pipewise rolls"
         " up forecasts per country and currency without the Friday spreadsheet.\n\nWould a short"
         " call in the next two weeks make sense?\n\nBest regards,\n{sender}"),
        ("Re: Forecasting across EMEA at {company}",
         "Hi {first},\n\nJust bumping this up. Our hosting and GDPR overview for your legal team is"
         " here: https://pipewise.eu/en/trust\n\nBest regards,\n{sender}"),
        ("Re: Forecasting across EMEA at {company}",
         "Hi {first},\n\nLast one from me. Should I be speaking with someone else at {company} about"
         " forecasting?\n\nThanks,\n{sender}"),
    )),
    "linkedin": _Campaign("LinkedIn — RevOps leaders", "sam", "linkedin", (
        (None, "Thanks for connecting, {first}! I work with RevOps teams on forecast accuracy."
               " Curious: how does {company} run the weekly forecast today, CRM or spreadsheet?"),
        (None, "Hi {first}, sharing our 2026 forecast accuracy benchmark in case it's useful:"
               " https://pipewise.io/benchmark-2026 Happy to walk you through where {company} would sit."),
    )),
}

_COMPANIES: dict[str, tuple[str, int]] = {  # domain: (company name, UTC offset of its people)
    "acme.com": ("Acme Inc", -5),
    "us.acme.com": ("Acme Inc", -6),
    "notacme.com": ("NotAcme", -8),
    "globex.io": ("Globex Corporation", -5),
    "initech.co.uk": ("Initech", 0),
    "soylent.fr": ("Soylent SAS", 1),
    "umbrella-corp.de": ("Umbrella Corp GmbH", 1),
    "hooli.com": ("Hooli", -8),
    "piedpiper.com": ("Pied Piper", -8),
    "lumenpay.com": ("LumenPay", -5),
    "tyrell.ai": ("Tyrell Corporation", -8),
    "wayne-ent.com": ("Wayne Enterprises", -5),
    "gmail.com": ("your team", -5),
    "ledgerbase.io": ("Ledgerbase", -8),
    "aviato.com": ("Aviato", -8),
    "massivedynamic.com": ("Massive Dynamic", -5),
    "aperture-science.com": ("Aperture Science", -7),
    "quillworks.com": ("Quillworks", 0),
    "orbitfold.com": ("Orbitfold", -8),
}


@dataclass(frozen=True)
class _Person:
    email: str | None  # None: a LinkedIn-only contact
    full_name: str | None  # None: the contact record has no fullName (as in the seed)
    domain: str
    lang: str = "en"  # en, fr, de
    client: str = "gmail"  # the mail client the contact replies from: gmail, outlook, apple

    @property
    def first(self) -> str:
        if self.full_name:
            return self.full_name.split()[0]
        local = (self.email or "there").partition("@")[0]
        return local.split(".")[0].capitalize()

    @property
    def company(self) -> str:
        return _COMPANIES[self.domain][0]

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=_COMPANIES[self.domain][1]))


# --------------------------------------------------------------------------------------------
# The stories: what happened with each contact, oldest first
# --------------------------------------------------------------------------------------------


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


_OPENED, _CLICKED = _Activity("emailsOpened"), _Activity("emailsClicked")
_VISIT, _ACCEPTED = _Activity("linkedinVisitDone"), _Activity("linkedinInviteAccepted")
_INVITE = _Activity("linkedinInviteDone")


def _linkedin_intro(*extra: _Step, note: str | None = None) -> tuple[_Step, ...]:
    """Visit, invite (with or without a note), accepted, first message, then `extra`."""
    invite = _Activity("linkedinInviteDone", note) if note else _INVITE
    return (_VISIT, invite, _ACCEPTED, _Send(1), *extra)


_STORIES: tuple[_Story, ...] = (
    # ------------------------------------------------------------ Q4 Outbound — RevOps (Sam)
    _Story(_Person("dana.whitfield@acme.com", "Dana Whitfield", "acme.com", client="outlook"), "revops", (
        _Send(2), _OPENED,
        _Reply("Hi {sender},\n\nGood timing, actually. We're rebuilding our forecast process before"
               " FY27 planning and the Monday reconciliation is exactly our pain. Could you do Thursday"
               " or Friday afternoon next week?\n\nDana"),
        _Answer("Hi Dana,\n\nGreat to hear. Thursday 2pm ET or Friday 11am ET both work on my side."
                " Tell me which you prefer and I'll send the invite.\n\nSam"),
        _Reply("Thursday 2pm ET works. Please include Marcus Chen (VP Sales) as well.\n\nDana", unread=True),
    )),
    _Story(_Person("rachel@acme.com", None, "acme.com", client="apple"), "revops", (
        _Send(3),
        _Reply("Not a priority for us this year. Dana Whitfield owns RevOps tooling if anything changes."),
    )),
    _Story(_Person("marcus.chen@acme.com", "Marcus Chen", "acme.com", client="outlook"), "revops", (
        _Send(1), _OPENED, _CLICKED,
        _Reply("Thanks {sender}. Dana looped me in, see you Thursday. Could you bring numbers on how"
               " long the Salesforce sync takes for ~2M opportunities?\n\nMarcus"),
        _Answer("Hi Marcus,\n\nWill do: a full sync of 2M opportunities takes about 40 minutes the first"
                " time, then it is incremental. See you Thursday.\n\nSam"),
    )),
    _Story(_Person("tom.becker@us.acme.com", "Tom Becker", "us.acme.com", client="outlook"), "revops", (
        _Send(1), _OPENED, _CLICKED,
        _Reply("{sender},\n\nIs this the same thing Acme corporate is looking at? We're the US field org"
               " and run our own Salesforce instance. If you support a separate instance with a roll-up"
               " to corporate, I'm interested.\n\nTom", unread=True),
    )),
    _Story(_Person("hank@globex.io", "Hank Scorpio", "globex.io", client="apple"), "revops", (
        _Send(2), _Reply("Sure. Grab time with my EA, she'll sort it.\n\nH"),
        _Answer("Thanks Hank, Thursday 9am ET is confirmed with your EA. Talk then.\n\nSam"),
    )),
    _Story(_Person("gavin@hooli.com", "Gavin Belson", "hooli.com", client="apple"), "revops", (
        _Send(1), _Reply("Hooli doesn't buy software. Hooli builds software."),
    )),
    _Story(_Person("lucius.fox@wayne-ent.com", "Lucius Fox", "wayne-ent.com", client="outlook"), "revops", (
        _Send(1),
        _Reply("Mr. Lee,\n\nI run Applied Sciences; forecasting is handled by our sales operations group."
               " Tiffany Chen leads it, and I have forwarded your note to her.\n\nLucius Fox"),
    )),
    _Story(_Person("tiffany.chen@wayne-ent.com", None, "wayne-ent.com", client="outlook"), "revops", (
        _Send(2), _OPENED, _CLICKED,
        _Reply("Hi {sender},\n\nLucius passed this along. We're evaluating tools for FY27. Could you send"
               " a case study from a company with several business units?\n\nThanks,\nTiffany", unread=True),
    )),
    _Story(_Person("cave@aperture-science.com", "Cave Johnson", "aperture-science.com", client="outlook"), "revops", (
        _Send(1),
        _Reply("{sender},\n\nWe don't forecast. We do science. That said, the board apparently wants"
               " numbers. Send me something a busy man can read in two minutes.\n\nCave"),
        _Answer("Cave,\n\nThe two-minute version: Pipewise reads your CRM, scores every open deal on how"
                " likely it is to slip, and gives the board one number with a range.\n\nSam"),
    )),
    # ------------------------------------------------------------ Series B founders (Priya)
    _Story(_Person("priyanka@notacme.com", "Priyanka Shah", "notacme.com"), "founders", (
        _Send(1),
        _Reply("Hi {sender},\n\nFunny timing: our board asked for a proper forecast model last week."
               " 15 minutes works. How's Monday 11am ET?\n\nPriyanka"),
        _Answer("Monday 11am ET is perfect, invite on its way.\n\nPriya"),
        _Reply("Accepted. FYI we're NotAcme, not Acme: the invite pulled the logo from the wrong site :)"
               "\n\nP.", unread=True),
    )),
    _Story(_Person("ben@notacme.com", None, "notacme.com", client="apple"), "founders", (
        _Send(2), _OPENED, _Reply("Please take me off your list. Thanks."),
    )),
    _Story(_Person("richard@piedpiper.com", "Richard Hendricks", "piedpiper.com"), "founders", (
        _Send(1),
        _Reply("Hi {sender},\n\nYes. God, yes. Our board meeting is in three weeks and our forecast is a"
               " Google Sheet that Gilfoyle keeps threatening to delete. Can we talk this week?\n\nRichard"),
        _Answer("Hi Richard,\n\nAbsolutely. Thursday 3pm PT? I'll bring the board template.\n\nPriya"),
        _Reply("Thursday works. Jared will join too.\n\nRichard", unread=True),
    )),
    _Story(_Person("monica@piedpiper.com", "Monica Hall", "piedpiper.com"), "founders", (
        _Send(2), _OPENED, _Reply("Hi {sender}, booked Thursday via your Calendly. Richard may join.\n\nMonica"),
    )),
    _Story(_Person("ana@lumenpay.com", "Ana Lima", "lumenpay.com"), "founders", (
        _Send(2),
        _Reply("Hi {sender}, yes, we'd like to see it before our next board meeting. Adding our Head of"
               " Finance.\n\nAna"),
        _Answer("Thanks Ana, does Tuesday 10am ET work for you both?\n\nPriya"),
    )),
    _Story(_Person("rachael@tyrell.ai", "Rachael Rosen", "tyrell.ai", client="apple"), "founders", (
        _Send(2),
        _Reply("{sender},\n\nWe closed our B in September and the board already wants a cleaner forecast."
               " Is there a version for teams under ten reps?\n\nRachael"),
    )),
    _Story(_Person("jordan.ellis.sales@gmail.com", "Jordan Ellis", "gmail.com"), "founders", (
        _Send(2),
        _Reply("Hi {sender},\n\nI left the company I was at when you found this address. I'm doing"
               " independent RevOps consulting now. Happy to talk about referring clients if you have a"
               " partner program.\n\nJordan"),
    ), no_users=True),
    _Story(_Person("kofi@ledgerbase.io", "Kofi Mensah", "ledgerbase.io"), "founders", (
        _Send(1), _OPENED,  # no reply yet: haveReplies false
    )),
    _Story(_Person("sofia@quillworks.com", "Sofia Rossi", "quillworks.com"), "founders", (
        _Send(2),
        _Reply("Hi {sender},\n\nThanks, but we built our own forecast model in Hex and the team is happy"
               " with it.\n\nBest,\nSofia"),
    )),
    _Story(_Person("yuki@orbitfold.com", "Yuki Tanaka", "orbitfold.com"), "founders", (
        _Send(1),
        _Reply("Hi {sender}, yes, interested. Could you do early morning PT? I'm in Tokyo until the 20th."
               "\n\nYuki", unread=True),
        _Reply("Also: does Pipewise handle JPY and USD in the same forecast?\n\nYuki", unread=True),
    )),
    # ------------------------------------------------------------ EU expansion (Lukas)
    _Story(_Person("joanna.clarke@initech.co.uk", "Joanna Clarke", "initech.co.uk", client="outlook"), "eu", (
        _Send(2),
        _Reply("Hi {sender},\n\nSamir forwarded your note. We're consolidating UK and Ireland forecasting"
               " and the spreadsheet is creaking. What does pricing look like for about 40 users?\n\nJoanna"),
        _Answer("Hi Joanna,\n\nFor 40 users you'd be on the Growth plan at €55 per user per month, billed"
                " annually. Data is hosted in Frankfurt. Happy to walk through it live.\n\nLukas"),
        _Reply("Thanks {sender}. Frankfurt should be fine. Can we get a demo for me and our CRO, Peter"
               " Gibbons? He's free Tuesday or Wednesday afternoon.\n\nJoanna"),
        _Answer("Wednesday 2pm UK time works. Invite sent to you and Peter.\n\nLukas"),
        _Reply("The demo was great, thank you. Does the pilot support SSO via Azure AD? IT is asking."
               "\n\nJoanna", unread=True),
    )),
    _Story(_Person("bill.lumbergh@initech.co.uk", "Bill Lumbergh", "initech.co.uk", client="outlook"), "eu", (
        _Send(3),
        _Reply("Hi {sender},\n\nYeah, if you could go ahead and send over some pricing, that'd be great."
               " We'll probably circle back after the TPS report migration.\n\nBill"),
    )),
    _Story(_Person("camille.durand@soylent.fr", "Camille Durand", "soylent.fr", "fr"), "eu", (
        _Send(2), _OPENED,
        _Reply("Bonjour {sender},\n\nMerci pour votre message. Le sujet nous intéresse : nous revoyons"
               " justement notre processus de prévision pour 2027. Pourriez-vous m'envoyer une courte"
               " présentation et une grille tarifaire ?\n\nBien cordialement,\nCamille Durand", unread=True),
    )),
    _Story(_Person("helene.moreau@soylent.fr", None, "soylent.fr", "fr", "apple"), "eu", (
        _Send(1),
        _Reply("Bonjour,\n\nDe retour de congés. Oui, cela m'intéresse : Camille et moi aimerions une"
               " démonstration commune. Seriez-vous disponible jeudi à 15 h ?\n\nHélène"),
    )),
    _Story(_Person("katrin.vogel@umbrella-corp.de", "Katrin Vogel", "umbrella-corp.de", "de", "outlook"), "eu", (
        _Send(2),
        _Reply("Hallo Herr Brandt,\n\nvielen Dank für Ihre Nachricht. Das Thema ist für uns tatsächlich"
               " relevant – wir konsolidieren gerade die Forecasts für DACH und Benelux. Können Sie mir"
               " vorab Unterlagen zu Preisen schicken?\n\nViele Grüße\nKatrin Vogel"),
        _Answer("Hallo Frau Vogel,\n\ngern! Unsere Preisübersicht finden Sie hier:"
                " https://pipewise.eu/de/preise. Hätten Sie nächste Woche 30 Minuten für eine kurze"
                " Demo?\n\nBeste Grüße\nLukas Brandt"),
        _Reply("Hallo Herr Brandt,\n\nDienstag um 10:00 Uhr passt für die Demo.\n\nViele Grüße\nKatrin"
               " Vogel", unread=True),
    )),
    _Story(_Person("a.wesker@umbrella-corp.de", "Albert Wesker", "umbrella-corp.de", "de", "outlook"), "eu", (
        _Send(2),
        _Reply("Sehr geehrter Herr Brandt,\n\nkein Interesse. Bitte entfernen Sie mich aus Ihrem"
               " Verteiler.\n\nMit freundlichen Grüßen\nAlbert Wesker"),
    )),
    # ------------------------------------------------------------ LinkedIn — RevOps leaders (Sam)
    _Story(_Person("alicia.ramos@us.acme.com", None, "us.acme.com"), "linkedin", _linkedin_intro(
        _Reply("Hi {sender}, spreadsheet, sadly. Our regional numbers get rolled up by hand every Friday."
               " Happy to chat next week."),
    )),
    _Story(_Person("maya.lindqvist@globex.io", "Maya Lindqvist", "globex.io"), "linkedin", _linkedin_intro(
        _Reply("Thanks {sender}! We run four Salesforce instances and the roll-up is manual. Could you"
               " email me a short overview? maya.lindqvist@globex.io"),
        _Answer("Done, it's in your inbox. Happy to walk through it whenever suits.\n\nSam", channel="email"),
        _Reply("Got it, thanks. Let's do Wednesday 10am ET.\n\nMaya", channel="email"),
        note="Hi Maya, I saw your talk on multi-instance Salesforce at Dreamforce. Would love to connect.",
    )),
    _Story(_Person("sabine.krueger@umbrella-corp.de", "Sabine Krüger", "umbrella-corp.de", "de"), "linkedin",
           _linkedin_intro(
               _Reply("Hallo Sam, danke für die Nachricht. Wir nutzen aktuell Excel und ein selbstgebautes"
                      " Power-BI-Dashboard für den Forecast.\nEine kurze Demo wäre interessant – ginge"
                      " Donnerstag um 14 Uhr?", unread=True),
           )),
    _Story(_Person("denpok@hooli.com", None, "hooli.com"), "linkedin", _linkedin_intro(
        _Send(1),
        _Reply("{sender}, the benchmark resonated with the team. Let's find time; my calendar is open on"
               " Wednesday."),
        _Answer("Wednesday 1pm PT it is. Invite sent to your work email, with a short agenda."),
    )),
    _Story(_Person(None, "Nina Sharp", "massivedynamic.com"), "linkedin", _linkedin_intro(
        _Reply("Thanks {sender}. Forecasting is owned by our CFO's team; I'll pass this along.\n\nNina"),
        note="Hi Nina, fellow RevOps nerd here. Would love to connect.",
    )),
    _Story(_Person("erlich@aviato.com", "Erlich Bachman", "aviato.com"), "linkedin", _linkedin_intro(
        # invited, accepted, messaged, no reply yet: haveReplies false
    )),
)


# --------------------------------------------------------------------------------------------
# Dates in the words of each mail client
# --------------------------------------------------------------------------------------------

_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "de": ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
}
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."),
}
_OUTLOOK_LABELS = {
    "en": ("From:", "Sent:", "To:", "Subject:"),
    "fr": ("De :", "Envoyé :", "À :", "Objet :"),
    "de": ("Von:", "Gesendet:", "An:", "Betreff:"),
}


def _attribution(client: str, lang: str, t: datetime, who: str) -> str:
    """The "On ... wrote:" line above a quote, as Gmail or Apple Mail writes it."""
    wd, mon, d, y, hm = _WEEKDAYS[lang][t.weekday()], _MONTHS[lang][t.month - 1], t.day, t.year, f"{t:%H:%M}"
    if lang == "fr":
        return f"Le {wd} {d} {mon} {y} à {hm}, {who} a écrit :" if client == "gmail" else \
            f"Le {d} {mon} {y} à {hm}, {who} a écrit :"
    if lang == "de":
        return f"Am {wd}, {d}. {mon} {y} um {hm} Uhr schrieb {who}:" if client == "gmail" else \
            f"Am {t:%d.%m.%Y} um {hm} schrieb {who}:"
    clock = f"{t.hour % 12 or 12}:{t.minute:02d}\u202f{'AM' if t.hour < 12 else 'PM'}"
    if client == "gmail":
        return f"On {wd}, {mon} {d}, {y} at {clock} {who} wrote:"
    return f"On {mon} {d}, {y}, at {clock.replace(chr(0x202F), ' ')}, {who} wrote:"


# --------------------------------------------------------------------------------------------
# Message bodies: our HTML emails, the contacts' replies with quoted history, LinkedIn text
# --------------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"]+")


def _inline(text: str) -> str:
    """One line of text as HTML, with its URLs as links."""
    out, pos = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:)")
        out.append(html.escape(text[pos:match.start()], quote=False))
        out.append(f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>')
        pos = match.start() + len(url)
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _paragraphs(text: str, tag: str = "div") -> str:
    return "".join(
        f"<{tag}>" + "<br>".join(_inline(line) for line in para.split("\n")) + f"</{tag}>"
        for para in text.split("\n\n") if para.strip()
    )


def _our_email_html(text: str, pixel_id: str) -> str:
    """What lemlist sends: a bare HTML document with a 1x1 open-tracking pixel."""
    body = "<br><br>".join("<br>".join(_inline(line) for line in p.split("\n")) for p in text.split("\n\n"))
    return (
        '<html><div style="min-width: 360px"></div><div dir="ltr">\n    <div>' + body + "</div>\n    </div>\n"
        f'<img alt="logo" src="https://zr0.lemlst.com/o/{pixel_id}.png" width="1" height="1"'
        ' style="display:block;border:0"></html>'
    )


@dataclass(frozen=True)
class _Quoted:
    """The message a reply quotes."""

    name: str
    email: str
    to: str
    subject: str
    at: datetime
    html: str


def _strip_document(fragment: str) -> str:
    return re.sub(r"</?html[^>]*>|<img[^>]*>", "", fragment)


def _reply_html(person: _Person, text: str, quote: _Quoted | None) -> str:
    """The contact's reply as their mail client writes it, quoting our last email."""
    lang, client = person.lang, person.client
    if quote is None:
        return f'<div dir="ltr">{_paragraphs(text)}</div>'
    t = quote.at.astimezone(person.tz)
    who = f"{html.escape(quote.name)} &lt;<a href=\"mailto:{quote.email}\">{quote.email}</a>&gt;"
    inner = _strip_document(quote.html)
    if client == "outlook":
        labels = _OUTLOOK_LABELS[lang]
        sent = f"{_WEEKDAYS[lang][t.weekday()]} {t.day} {_MONTHS[lang][t.month - 1]} {t.year} {t:%H:%M}"
        values = (f"{html.escape(quote.name)} &lt;{quote.email}&gt;", sent, html.escape(quote.to),
                  html.escape(quote.subject))
        header = "<br>".join(f"<b>{label}</b> {value}" for label, value in zip(labels, values))
        return (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
            f'<div style="font-family:Calibri,Arial,Helvetica,sans-serif;font-size:11pt">{_paragraphs(text)}</div>'
            '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt"'
            f' color="#000000">{header}</font><div>&nbsp;</div></div><div>{inner}</div></body></html>'
        )
    if client == "apple":
        line = _attribution("apple", lang, t, who)
        return (
            '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            f'<body dir="auto">{_paragraphs(text)}<div dir="ltr"><br><blockquote type="cite">{line}<br><br>'
            f'</blockquote></div><blockquote type="cite"><div dir="ltr">{inner}</div></blockquote></body></html>'
        )
    line = _attribution("gmail", lang, t, who)
    return (
        f'<div dir="ltr">{_paragraphs(text)}</div><br><div class="gmail_quote gmail_quote_container">'
        f'<div dir="ltr" class="gmail_attr">{line}<br></div><blockquote class="gmail_quote"'
        ' style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        f"{inner}</blockquote></div>"
    )


def _fill(text: str, person: _Person, rep: _Rep) -> str:
    return text.format(first=person.first, company=person.company, sender=rep.name.split()[0])


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


# --------------------------------------------------------------------------------------------
# Assembling the conversations
# --------------------------------------------------------------------------------------------


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _normalise_now(now: datetime | None) -> datetime:
    """Default: the start of the current UTC day, so that ids and times stay the same in every
    sandbox process started that day."""
    if now is None:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


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
        minutes = {"emailsOpened": rng.randint(5, 6 * 60), "emailsClicked": rng.randint(1, 20),
                   "linkedinInviteDone": rng.randint(60, 24 * 60)}.get(step.type, rng.randint(2 * 60, 3 * 24 * 60))
    elif isinstance(step, _Reply):
        minutes = rng.randint(4, 50) if isinstance(previous, _Reply) else rng.randint(35, 2 * 24 * 60)
    else:
        minutes = rng.randint(12, 6 * 60)
    return timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


@dataclass
class _Builder:
    """Turns one story into its inbox row and its activities, oldest first."""

    story: _Story
    rng: Random
    ids: _Ids
    team_id: str
    user_ids: dict[str, str]
    campaign_ids: dict[str, str]
    sequence_ids: dict[str, str]
    activities: list[dict[str, Any]] = field(default_factory=list)
    quote: _Quoted | None = None
    thread_subject: str | None = None
    step_index: int = 0

    @property
    def campaign(self) -> _Campaign:
        return _CAMPAIGNS[self.story.campaign]

    @property
    def rep(self) -> _Rep:
        return _REPS[self.campaign.owner]

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
        doc: dict[str, Any] = {"_id": self.ids.new("act_"), "type": kind, "createdAt": _iso(at),
                               "teamId": self.team_id, "leadId": self.lead_id,
                               "campaignId": self.campaign_ids[self.story.campaign],
                               "sequenceId": self.sequence_ids[self.story.campaign]}
        return doc

    def _sender(self, doc: dict[str, Any]) -> None:
        doc.update({"sendUserId": self.user_ids[self.campaign.owner], "sendUserName": self.rep.name,
                    "sendUserEmail": self.rep.email})
        if self.story.contact.email:
            doc["leadEmail"] = self.story.contact.email
        doc["contactId"] = self.contact_id

    def _add(self, step: _Step, at: datetime) -> None:
        if isinstance(step, _Send):
            subject, text = self.campaign.steps[min(self.step_index, len(self.campaign.steps) - 1)]
            doc = self._message(self.campaign.channel, "Sent", at, _fill(text, self.story.contact, self.rep),
                                subject and _fill(subject, self.story.contact, self.rep))
            doc["sequenceStep"] = self.step_index
            self.step_index += 1
        elif isinstance(step, _Answer):
            doc = self._message(step.channel or self.campaign.channel, "Sent", at, step.text,
                                self.thread_subject and _reply_subject(self.thread_subject))
        elif isinstance(step, _Reply):
            doc = self._message(step.channel or self.campaign.channel, "Replied", at,
                                _fill(step.text, self.story.contact, self.rep),
                                self.thread_subject and _reply_subject(self.thread_subject))
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
        subject = subject or self.thread_subject or f"Pipewise for {person.company}"
        self.thread_subject = self.thread_subject or subject
        doc["messageId"] = f"<{self.ids.new('')}.{self.rng.randint(10**6, 10**7 - 1)}@mail.gmail.com>"
        doc["subject"] = subject
        if verb == "Sent":
            doc["sendUserMailboxId"] = self.ids.new("usm_")
            body = _our_email_html(text, doc["_id"])
            self.quote = _Quoted(self.rep.name, self.rep.email, person.email or "", subject, at, body)
        else:
            body = _reply_html(person, text, self.quote)
        doc["message"] = body
        return doc

    # -- the inbox row -----------------------------------------------------------------------

    def _row(self, person: _Person) -> dict[str, Any]:
        acts = self.activities
        replies = [a for a in acts if a["type"].endswith("Replied")]
        owner = self.campaign.owner
        second = _MANAGER if owner != _MANAGER else "sam"
        users = [{"userId": self.user_ids[owner], "sender": True, "read": True},
                 {"userId": self.user_ids[second], "sender": owner == "priya", "read": True}]
        if self.story.unread:
            users[self.rng.choice((0, 0, 1))]["read"] = False
        contact: dict[str, Any] = {"_id": self.contact_id}
        if person.full_name:
            contact["fullName"] = person.full_name
        if person.email:
            contact["email"] = person.email
        channels = list(dict.fromkeys("email" if a["type"].startswith("emails") else "linkedin" for a in acts
                                      if a["type"] in ("emailsSent", "emailsReplied", "linkedinSent",
                                                       "linkedinReplied", "linkedinInviteDone")))
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
            "lastRepliedAt": replies[-1]["createdAt"] if replies else None,
            "lastRepliedChannel": ("email" if replies[-1]["type"].startswith("emails") else "linkedin")
            if replies else None,
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
    now = _normalise_now(now)
    rng = Random(seed)
    ids = _Ids(rng)
    team_id = ids.new("tea_")
    user_ids = {key: ids.new("usr_") for key in _REPS}
    campaign_ids = {key: ids.new("cam_") for key in _CAMPAIGNS}
    sequence_ids = {key: ids.new("seq_") for key in _CAMPAIGNS}
    return [
        _Builder(story, rng, ids, team_id, user_ids, campaign_ids, sequence_ids)
        .build(_last_activity(rng, now, story.unread))
        for story in _STORIES
    ]


def long_conversation(count: int = 1240, *, seed: int = 11, now: datetime | None = None) -> dict[str, Any]:
    """One contact, Olivia Park, with `count` LinkedIn messages ten minutes apart, alternately
    Sam's and hers, the last one hers; each says its number ("message 7 of 1240"), so that a
    test sees exactly which ones a client read. A document like those of `build_conversations`."""
    if count < 1:
        raise ValueError("a conversation has at least one message")
    now = _normalise_now(now)
    ids = _Ids(Random(seed))
    team_id, user_id, contact_id, lead_id = ids.new("tea_"), ids.new("usr_"), ids.new("ctc_"), ids.new("lea_")
    rep, email = _REPS["sam"], "olivia.park@freightly.io"
    activities = []
    for n in range(1, count + 1):
        ours = (count - n) % 2 == 1
        at = now - timedelta(minutes=10 * (count - n) + 5)
        activities.append({
            "_id": ids.new("act_"), "type": "linkedinSent" if ours else "linkedinReplied", "createdAt": _iso(at),
            "teamId": team_id, "leadId": lead_id, "contactId": contact_id, "sendUserId": user_id,
            "sendUserName": rep.name, "sendUserEmail": rep.email, "leadEmail": email,
            "message": f"{'Sam' if ours else 'Olivia'}: message {n} of {count}.",
        })
    replies = [a for a in activities if a["type"] == "linkedinReplied"]
    row = {
        "_id": ids.new("ibx_"), "opportunities": [], "lastActivityAt": activities[-1]["createdAt"],
        "createdBy": activities[0]["_id"], "channels": ["linkedin"], "teamId": team_id, "contactId": contact_id,
        "users": [{"userId": user_id, "sender": True, "read": False}], "createdAt": activities[0]["createdAt"],
        "haveReplies": bool(replies), "lastRepliedAt": replies[-1]["createdAt"] if replies else None,
        "lastRepliedChannel": "linkedin" if replies else None,
        "contact": {"_id": contact_id, "fullName": "Olivia Park", "email": email},
    }
    return {"inbox": row, "messages": activities}


# --------------------------------------------------------------------------------------------
# The documented variants
# --------------------------------------------------------------------------------------------


def _legacy(rows: list[dict[str, Any]]) -> None:
    """Rows as older accounts send them (documented: no `contact`, `opportunities` as objects
    `{id, type, done}`; null `lastRepliedAt`), in turn, and the last row with no contact id at
    all (not documented: the extreme a client must survive). Opportunity ids and types are
    invented."""
    for i, row in enumerate(rows):
        if i % 3 == 0:
            del row["contact"]
        elif i % 3 == 1:
            row["opportunities"] = [{"id": "opp_" + row["contactId"][4:], "type": "deal", "done": i % 2 == 0}]
        else:
            row["lastRepliedAt"] = None
    rows[-1].pop("contact", None)
    del rows[-1]["contactId"]


_MESSAGE_TYPES = ("Sent", "Replied")


def _inbox_message(activity: dict[str, Any], row: dict[str, Any], lead: str) -> dict[str, Any] | None:
    """An activity as the documented "Inbox Message" object, or None when it is no message (an
    open, a visit, an invitation without a note). `sender` and `recipient` are documented as
    strings only: here an address, or the contact's name when it has no address (assumed)."""
    kind, text = activity["type"], activity.get("message")
    if not text or not (kind.endswith(_MESSAGE_TYPES) or kind == "linkedinInviteDone"):
        return None
    ours, inbound = activity["sendUserEmail"], kind.endswith("Replied")
    return {
        "_id": activity["_id"],
        "conversationId": row["_id"],
        "sender": lead if inbound else ours,
        "recipient": ours if inbound else lead,
        "body": text,
        "sentAt": activity["createdAt"],
    }


# --------------------------------------------------------------------------------------------
# The HTTP application
# --------------------------------------------------------------------------------------------


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message, status_code=status, headers=headers)


def _json_error(status: int, error: str, message: str) -> Response:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def _js_date(t: datetime) -> str:
    """A date the way lemlist documents X-RateLimit-Reset (JavaScript's Date.toString, in UTC)."""
    return t.astimezone(UTC).strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def _reset_date(seconds: float) -> str:
    """X-RateLimit-Reset for a window that ends in `seconds`: rounded up to the whole second
    (the format has no fractions), so that waiting until then is always long enough."""
    now = datetime.now(UTC)
    return _js_date(now.replace(microsecond=0) + timedelta(seconds=math.ceil(seconds + now.microsecond / 1e6)))


class _FixedWindow:
    """Per-key fixed windows: `requests` per `per_seconds`, counted from the window's first request."""

    def __init__(self, requests: int, per_seconds: float) -> None:
        self.requests = requests
        self.per_seconds = per_seconds
        self.windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the window resets)."""
        now = time.monotonic()
        start, count = self.windows.get(key, (now, 0))
        if now - start >= self.per_seconds:
            start, count = now, 0
        reset_in = start + self.per_seconds - now
        if count >= self.requests:
            return False, 0, reset_in
        self.windows[key] = (start, count + 1)
        return True, self.requests - count - 1, reset_in


def _basic_password(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, sep, password = decoded.partition(":")
    return password if sep else None


class _Gate:
    """Records every request, checks the API key, then the key's rate limit (ASGI middleware)."""

    def __init__(self, app: ASGIApp, *, api_key: str, limiter: _FixedWindow, state: Any, retry_after: bool) -> None:
        self.app = app
        self.api_key = api_key
        self.limiter = limiter
        self.state = state
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        self.state.requests.append((request.method, scope["path"], dict(request.query_params)))
        if _basic_password(request.headers.get("authorization", "")) != self.api_key:
            await _text(401, UNAUTHORIZED)(scope, receive, send)
            return
        allowed, remaining, reset_in = self.limiter.hit(self.api_key)
        headers = {
            "X-RateLimit-Limit": str(self.limiter.requests),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": _reset_date(reset_in),
        }
        if not allowed:
            self.state.rate_limited += 1
            wait = max(1, math.ceil(reset_in))
            if self.retry_after:
                headers["Retry-After"] = str(wait)
            await _text(429, f"Too many requests, please retry in {wait} seconds", headers)(scope, receive, send)
            return
        if self.state.fail is not None:
            reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            await _text(self.state.fail, reason.get(self.state.fail, "Error"), headers)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  *((k.lower().encode(), v.encode()) for k, v in headers.items())]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BadRequest(Exception):
    pass


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()) or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _BadRequest(f"{name} must be an integer {bound}")
    return int(raw)


def _pagination(total: int, page: int, limit: int, more: bool) -> dict[str, Any]:
    return {
        "totalItems": total,
        "currentPage": page,
        "nextPage": page + 1 if more else None,
        "previousPage": page - 1 if page > 1 else None,
        "perPage": limit,
        "totalPages": math.ceil(total / limit),
    }


class _Inbox:
    """The two endpoints, over a copy of the conversations taken when the app is created (a
    thread read with markAsRead=true changes the copy, as lemlist changes the conversation)."""

    def __init__(
        self,
        conversations: list[dict[str, Any]],
        *,
        thread_order: Literal["newest", "oldest"],
        message_shape: Literal["activity", "inbox_message"],
        row_shape: Literal["current", "legacy"],
        thread_pagination: bool,
        thread_delay: float,
    ) -> None:
        conversations = deepcopy(conversations)
        self.threads: dict[str, list[dict[str, Any]]] = {}
        self.by_contact: dict[str, dict[str, Any]] = {}
        for c in conversations:
            row = c["inbox"]
            contact = row.get("contact") or {}
            contact_id = row.get("contactId") or contact.get("_id")
            if not contact_id:
                continue
            messages = c["messages"]
            if message_shape == "inbox_message":
                lead = contact.get("email") or contact.get("fullName") or contact_id
                shaped = (_inbox_message(a, row, lead) for a in messages)
                messages = [m for m in shaped if m is not None]
            self.threads[contact_id] = messages if thread_order == "oldest" else list(reversed(messages))
            self.by_contact[contact_id] = row
        rows = [c["inbox"] for c in conversations]
        if row_shape == "legacy":
            _legacy(rows)
        self.rows = sorted(rows, key=lambda r: (r.get("lastActivityAt") or "", r["_id"]), reverse=True)
        self.users = {u["userId"] for r in rows for u in r.get("users") or []}
        self.thread_pagination = thread_pagination
        self.thread_delay = thread_delay

    def _user(self, request: Request) -> tuple[str | None, Response | None]:
        """The `userId` asked for, or the error it gets: malformed (400), not of the team (403)."""
        user_id = request.query_params.get("userId") or None
        if user_id is not None:
            if not re.fullmatch(r"usr_[A-Za-z0-9]{1,40}", user_id):
                return None, _json_error(400, "Bad Request", "userId must be a user id (usr_...)")
            if user_id not in self.users:
                return None, _json_error(403, "Forbidden", "This user is not a member of your team")
        return user_id, None

    async def list_conversations(self, request: Request) -> Response:
        try:
            limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
            page = _int_param(request, "page", 1, 1, None)
        except _BadRequest as exc:
            return _json_error(400, "Bad Request", str(exc))
        user_id, refused = self._user(request)
        if refused is not None:
            return refused
        rows = self.rows
        if user_id is not None:
            rows = [r for r in rows if any(u.get("userId") == user_id for u in r.get("users") or [])]
        chunk = rows[(page - 1) * limit: page * limit]
        return JSONResponse({"data": chunk, "pagination": _pagination(len(rows), page, limit, page * limit < len(rows))})

    async def contact_messages(self, request: Request) -> Response:
        contact_id = request.path_params["contact_id"]
        try:
            limit = _int_param(request, "limit", DEFAULT_THREAD_LIMIT, 1, MAX_LIMIT)
            skip = _int_param(request, "skip", 0, 0, None)
        except _BadRequest as exc:
            return _json_error(400, "Bad Request", str(exc))
        mark = request.query_params.get("markAsRead", "false")
        if mark not in ("true", "false"):
            return _json_error(400, "Bad Request", "markAsRead must be true or false")
        user_id, refused = self._user(request)
        if refused is not None:
            return refused
        thread = self.threads.get(contact_id)
        if thread is None:
            return _text(404, "Contact not found")
        if self.thread_delay:
            await anyio.sleep(self.thread_delay)
        if mark == "true":  # documented: marks the conversation read
            for user in self.by_contact[contact_id].get("users") or []:
                if user_id is None or user.get("userId") == user_id:
                    user["read"] = True
        if not self.thread_pagination:
            return JSONResponse({"data": thread})
        # currentPage of a skip that is not a multiple of limit: the page its first item is on.
        pagination = _pagination(len(thread), skip // limit + 1, limit, skip + limit < len(thread))
        return JSONResponse({"data": thread[skip: skip + limit], "pagination": pagination})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    text = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, str(exc.detail))
    return _text(exc.status_code, text, exc.headers)


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    now: datetime | None = None,
    conversations: list[dict[str, Any]] | None = None,
    rate_limit: tuple[int, float] = RATE_LIMIT,
    fail: int | None = None,
    retry_after: bool = True,
    thread_order: Literal["newest", "oldest"] = "newest",
    message_shape: Literal["activity", "inbox_message"] = "activity",
    row_shape: Literal["current", "legacy"] = "current",
    thread_pagination: bool = True,
    thread_delay: float = 0.0,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts (as the Basic auth password). `conversations` defaults to
    `build_conversations(now=now)`. `rate_limit` is (requests, seconds) per key; `retry_after`
    False leaves Retry-After out of a 429 (X-RateLimit-Reset still says when). `fail`, when set,
    makes every authenticated request answer that status (e.g. 500), as a broken upstream would.
    `thread_order`, `message_shape`, `row_shape` and `thread_pagination` pick a documented
    variant (see the module docstring); `thread_delay` is how long each thread page takes to answer.

    `app.state.requests` lists `(method, path, query)` for every request received, refused ones
    included; `app.state.rate_limited` counts the 429s sent. Both, and `app.state.fail`, may be
    changed while the app runs.
    """
    if not api_key:
        raise ValueError("the emulator needs an API key to accept")
    requests, per_seconds = rate_limit
    if requests < 1 or per_seconds <= 0:
        raise ValueError("rate_limit is (requests >= 1, seconds > 0)")
    if thread_order not in ("newest", "oldest") or message_shape not in ("activity", "inbox_message") \
            or row_shape not in ("current", "legacy"):
        raise ValueError("thread_order is newest|oldest, message_shape activity|inbox_message, row_shape current|legacy")
    inbox = _Inbox(
        conversations if conversations is not None else build_conversations(now=now),
        thread_order=thread_order, message_shape=message_shape, row_shape=row_shape,
        thread_pagination=thread_pagination, thread_delay=thread_delay,
    )
    app = Starlette(
        routes=[
            Route("/api/inbox", inbox.list_conversations, methods=["GET"]),
            Route("/api/inbox/{contact_id}", inbox.contact_messages, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.requests = []
    app.state.rate_limited = 0
    app.state.fail = fail
    app.add_middleware(_Gate, api_key=api_key, limiter=_FixedWindow(requests, per_seconds), state=app.state,
                       retry_after=retry_after)
    return app
