"""A local emulator of the SendPilot LinkedIn inbox API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 002) served by
a small Starlette app, so that the sandbox, the tests and the benchmarks run without the real
service.

    GET /v1/inbox/conversations                               conversations, newest first
    GET /v1/inbox/conversations/{conversationId}/messages     one conversation's messages

(Both are also served under the older `/api` prefix.) Authentication is the `X-API-Key` header.
Errors have the documented shape `{"statusCode": 401, "message": "Invalid API key", "error":
"Unauthorized"}`: 400 (bad parameters, `accountId` missing on the messages endpoint), 401, 403 (a
sender account outside this workspace), 404, 500 (`outage=True`). The message texts other than
"Invalid API key" are invented: the documentation shows only "Validation failed".

Every shape the documentation or other integrators show can be served (PROVIDERS.md, "Second
reading"): the page-number envelope with or without `hasMore` (`pagination`), messages oldest
first (`message_order="asc"`, as the documented example), a 500 for large pages
(`error_above_limit=50`, observed), a 429 with Retry-After (`rate_limited`, observed), and these
data variants (`build_conversations` and `create_app` take the same flags): `member_ids`
(ACoAA member ids, id-encoded profile URLs), `own_sender_listed` (our sender among the
participants), `trailing_whitespace`, `images_without_attachments`, `direction_names` (renamed
direction values). All observed, none documented; the exact values are invented.

The data set (`build_conversations`) is the LinkedIn side of Pipewise, the fictional vendor of the
SendKit emulator: three reps' sender accounts, 31 conversations (connection notes, follow-ups,
replies, a few in French, German and Spanish), images and files, unread replies, two long
threads (112 and 64 messages), a member who shows no name, two conversations without any reply,
and equal `lastActivityAt` values.

Everything is derived from `random.Random(seed)` and one `now`: the same seed and `now` give the
same bytes on the wire.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["SANDBOX_API_KEY", "SENDER_ACCOUNTS", "build_conversations", "create_app", "vary"]

SANDBOX_API_KEY = "sp_sandbox_pipewise_7c41e9a2b3"
"""The API key the sandbox emulator accepts."""

DEFAULT_LIMIT = 20
DEFAULT_MESSAGE_LIMIT = 50
MAX_LIMIT = 100
PREVIEW_CHARS = 100
# The four numbers above are documented. What the emulator does beyond the documentation is
# marked "invented" or "observed" where it does it.


# --------------------------------------------------------------------------------------------
# The cast: Pipewise's sender accounts and the LinkedIn members they talk to
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sender:
    account_id: str
    name: str
    public_id: str

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def contact(self) -> dict[str, Any]:
        return {"id": self.public_id, "name": self.name,
                "profileUrl": f"https://www.linkedin.com/in/{self.public_id}"}


_SENDERS: dict[str, _Sender] = {
    "sam": _Sender("sender_q7Lm2Xp9", "Sam Lee", "sam-lee-pipewise"),
    "priya": _Sender("sender_Vb84nTe1", "Priya Nair", "priya-nair-7b21a4"),
    "lukas": _Sender("sender_Tz3kR8wD", "Lukas Brandt", "lukas-brandt-berlin"),
}

SENDER_ACCOUNTS: dict[str, str] = {s.account_id: s.name for s in _SENDERS.values()}
"""The workspace's sender accounts: accountId -> the rep's name."""


@dataclass(frozen=True)
class _Member:
    public_id: str
    name: str | None  # None: LinkedIn shows no name for this member (identify by profile URL)
    company: str
    picture: bool = True

    @property
    def first(self) -> str:
        return self.name.split()[0] if self.name else ""

    @property
    def profile_url(self) -> str:
        return f"https://www.linkedin.com/in/{self.public_id}"

    def contact(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.public_id}
        if self.name:
            doc["name"] = self.name
        doc["profileUrl"] = self.profile_url
        return doc


_MEMBERS: dict[str, _Member] = {
    "dana-whitfield": _Member("dana-whitfield-4a91b2", "Dana Whitfield", "Acme"),
    "marcus-chen": _Member("marcus-chen-0c77e1", "Marcus Chen", "Acme", picture=False),
    "rachel-okafor": _Member("rachel-okafor-9f3d20", "Rachel Okafor", "Acme"),
    "tom-becker": _Member("tom-becker-5e12aa", "Tom Becker", "Acme"),
    "hank-scorpio": _Member("hank-scorpio-1d0b9c", "Hank Scorpio", "Globex"),
    "maya-lindqvist": _Member("maya-lindqvist-77a3f0", "Maya Lindqvist", "Globex"),
    "linkedin-member": _Member("ACoAAC7bX1kB0pQx9sYtL3mVwE", None, "unknown"),
    "devon-price": _Member("devon-price-3b8e41", "Devon Price", "Globex"),
    "chris-doyle": _Member("chris-doyle-6a0f5d", "Chris Doyle", "Globex"),
    "bill-lumbergh": _Member("bill-lumbergh-2c4b8e", "Bill Lumbergh", "Initech"),
    "ben-carter": _Member("ben-carter-8d21c7", "Ben Carter", "NotAcme"),
    "liam-obrien": _Member("liam-obrien-41fe06", "Liam O'Brien", "Acme Australia"),
    "peter-gibbons": _Member("peter-gibbons-0a9c3e", "Peter Gibbons", "Initech"),
    "priyanka-r": _Member("priyanka-r-5c60d2", "Priyanka", "NotAcme"),
    "gavin-belson": _Member("gavin-belson-e4a2b1", "Gavin Belson", "Hooli"),
    "richard-hendricks-pp": _Member("richard-hendricks-pp-7b01", "Richard Hendricks", "Pied Piper"),
    "eleanor-tyrell": _Member("eleanor-tyrell-2f9a6c", "Eleanor Tyrell", "Tyrell Corporation"),
    "art-vandelay": _Member("art-vandelay-b7c311", "Art Vandelay", "Vandelay Industries"),
    "nina-sharp": _Member("nina-sharp-c0de42", "Nina Sharp", "Massive Dynamic"),
    "harry-osborn": _Member("harry-osborn-93e7d4", "Harry Osborn", "Oscorp"),
    "cave-johnson-aperture": _Member("cave-johnson-aperture-1", "Cave Johnson", "Aperture Science"),
    "erlich-bachman-aviato": _Member("erlich-bachman-aviato-8", "Erlich Bachman", "Aviato"),
    "laura-kim-lumenpay": _Member("laura-kim-lumenpay-55", "Laura Kim", "LumenPay"),
    "katrin-vogel": _Member("katrin-vogel-0b5a17", "Katrin Vogel", "Acme Europe GmbH"),
    "jonas-weber": _Member("jonas-weber-e1c9a8", "Jonas Weber", "Acme Europe GmbH"),
    "amelie-durand": _Member("amelie-durand-4d2f70", "Amélie Durand", "Soylent SAS"),
    "javier-morales": _Member("javier-morales-a81b3c", "Javier Morales", "Cyberdyne Systems Iberia"),
    "greta-hoffmann": _Member("greta-hoffmann-6c3e95", "Greta Hoffmann", "Umbrella Corp GmbH"),
    "sophie-martin-quill": _Member("sophie-martin-quill-2", "Sophie Martin", "Quillworks"),
    "claire-dubois": _Member("claire-dubois-f7e210", "Claire Dubois", "Soylent SAS"),
    "luis-navarro": _Member("luis-navarro-3a6d0e", "Luis Navarro", "Cyberdyne Systems Iberia"),
}


# --------------------------------------------------------------------------------------------
# The stories
# --------------------------------------------------------------------------------------------

_PDF = "application/pdf"
_PNG = "image/png"
_JPEG = "image/jpeg"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class _File:
    name: str | None  # None: the attachment comes without a file name
    mime: str
    size: int


@dataclass(frozen=True)
class _Say:
    """One message. `text` may use {first} (the member's first name) and {me} (the rep's)."""

    ours: bool
    text: str
    file: _File | None = None


def _us(text: str, file: _File | None = None) -> _Say:
    return _Say(True, text, file)


def _them(text: str, file: _File | None = None) -> _Say:
    return _Say(False, text, file)


@dataclass(frozen=True)
class _Filler:
    """A long middle part: `count` messages drawn in turn from two pools of lines."""

    count: int
    ours: tuple[_Say, ...]
    theirs: tuple[_Say, ...]


@dataclass(frozen=True)
class _Story:
    member: str
    sender: str
    script: tuple[_Say | _Filler, ...]
    unread: int = 0  # the last `unread` messages from the member are unread
    same_time_as: str | None = None  # the last message has exactly this story's time


_NOTE_US = ("Hi {first}, I saw your post about forecast calls eating Monday mornings. I'm at Pipewise:"
            " we help RevOps teams roll the forecast up without the spreadsheet. Would be great to"
            " connect.")
_NOTE_FOUNDER = ("Hi {first}, congrats on the Series B! I work with founders on their first board"
                 " forecast at Pipewise. Would love to connect.")
_NOTE_EU = ("Hi {first}, I'm reaching out to a few sales leaders running multi-country teams: Pipewise"
            " just opened its EU region (hosted in Frankfurt). Happy to connect.")
_NOTE_DE = ("Hallo {first}, ich bin bei Pipewise und spreche gerade mit Vertriebsleitern, die Teams in"
            " mehreren Ländern führen. Ich würde mich freuen, uns zu vernetzen.")

_RACHEL_OURS = (
    _us("Pilot update: the Salesforce sync finished overnight, 1,240 open opportunities imported."),
    _us("Quick one: should closed-lost deals from last quarter be in the pilot workspace too?"),
    _us("Here's the weekly roll-up from the pilot, straight out of Pipewise.",
        _File("acme-pilot-week-rollup.pdf", _PDF, 412_907)),
    _us("Makes sense. I'll ask our solutions team to set that up today."),
    _us("Your analysts should now see the slipped-deal flags on the board view."),
    _us("Sorry for the slow answer, I was on a plane. Yes, that's expected: the weighting only kicks in"
        " after two weeks of history."),
    _us("Good catch. That was a currency rounding issue on AUD deals, fixed in this morning's release."),
    _us("Do you want me to join your Monday forecast call as an observer this week?"),
    _us("Here is the security questionnaire your IT team asked for, filled in.",
        _File("Pipewise-security-questionnaire-Acme.xlsx", _XLSX, 96_410)),
    _us("Ha, fair. I'll keep it to 15 minutes."),
    _us("Sending the draft order form so procurement can start reading. Nothing to sign yet.",
        _File("Pipewise-order-form-DRAFT-Acme.pdf", _PDF, 188_344)),
    _us("Totally understand. What would you need to see by end of month to feel confident?"),
    _us("I can get you a reference call with Brightline's CRO. Tuesday or Wednesday?"),
    _us("Thanks Rachel, that's really helpful feedback."),
    _us("The export to your board deck template is live, try the Export button top right."),
    _us("Noted, I'll loop in Dana on the next one."),
    _us("Yes, SSO works with Okta. Your admin can turn it on under Settings > Security."),
    _us("How did the Monday call go with the new view?"),
    _us("Perfect. I'll send a summary of the pilot numbers to you and Dana on Friday."),
    _us("Of course, take the time you need."),
)
_RACHEL_THEIRS = (
    _them("Great, thanks Sam."),
    _them("Yes, include them. Half our slippage story is in closed-lost."),
    _them("Looks good. Can we split it by region?"),
    _them("Dana says the numbers in EMEA look off vs our sheet. Can someone check?"),
    _them("Here's what she's seeing.", _File("emea-diff.png", _PNG, 231_560)),
    _them("Ok that explains it."),
    _them("Team likes the slipped-deal view. That's the first time I've heard them like a tool."),
    _them("Sure, join. Keep camera off, it's a tense one this week 😅"),
    _them("The call went well. We found two deals that should've been pushed weeks ago."),
    _them("IT is asking whether you support SSO with Okta."),
    _them("Procurement will want three references. Can you do that?"),
    _them("Honestly the budget question is the hard part, not the product."),
    _them("My CFO wants to see forecast accuracy over at least 6 weeks before committing."),
    _them("Tuesday works for the reference call."),
    _them("Quick screenshot of something weird on the board view.", _File("board-view-bug.png", _PNG, 158_302)),
    _them("Thanks, that fixed it."),
    _them("Can you add Dana as an admin?"),
    _them("I'm out Thursday and Friday, back Monday."),
    _them("Sorry, crazy week. Will get back to you tomorrow."),
    _them("👍"),
)
_BEN_OURS = (
    _us("How many of your clients run their forecast in a spreadsheet today?"),
    _us("Our partner program pays 20% of first-year revenue on referred deals."),
    _us("Here's the partner one-pager.", _File("Pipewise-partner-program.pdf", _PDF, 274_118)),
    _us("Yes, you'd get a sandbox workspace to demo from."),
    _us("Happy to do a joint webinar in January if that helps."),
    _us("Good question, let me check with our partnerships lead."),
    _us("She says co-branded is fine as long as we review the deck."),
    _us("Sure, what time zone are most of them in?"),
    _us("Let me know if the sandbox login works for you."),
    _us("Thanks Ben!"),
    _us("Any news from the two agencies you mentioned?"),
    _us("No rush at all."),
)
_BEN_THEIRS = (
    _them("Honestly? Most of them. Especially the sub-50 person ones."),
    _them("Interesting. Is that recurring or one-off?"),
    _them("Got it, will read tonight."),
    _them("Can I demo it to clients myself?"),
    _them("Could we co-brand the webinar?"),
    _them("Mostly US East, a couple in London."),
    _them("Login works 👌"),
    _them("Showed it to one client today, they liked the slipped-deal view."),
    _them("One of them asked about HubSpot support."),
    _them("Still waiting to hear back, holidays slow everything down."),
    _them("Will ping you as soon as I have something."),
    _them("Cool"),
)

_STORIES: tuple[_Story, ...] = (
    # ---- Sam Lee: RevOps in the US
    _Story("dana-whitfield", "sam", (
        _us(_NOTE_US),
        _them("Hi Sam, thanks for connecting."),
        _us("Thanks for accepting, Dana! Curious: is the weekly forecast still built in a spreadsheet"
            " at Acme, or is it all in Salesforce by now?"),
        _us("Brightline had the same setup and cut their prep from two days to two hours. Happy to"
            " share how, if useful."),
        _them("Still a spreadsheet, sadly. Two of my analysts spend most of Monday on it. What would a"
              " trial look like on our side, and how much of their time would it take?"),
    ), unread=1),
    _Story("marcus-chen", "sam", (
        _us(_NOTE_US),
        _us("Marcus, quick one: how are you handling slipped deals in the Q4 forecast?"),
        _them("Hey Sam, not the right time, we're deep in planning. Ping me again in January?"),
        _us("Will do. Good luck with planning!"),
    )),
    _Story("rachel-okafor", "sam", (
        _us("Hi Rachel, Dana mentioned you're the one who signs off on the forecast at Acme. Would be"
            " great to connect."),
        _them("Hi Sam. Dana's told me about the pilot idea. Let's do it, 30 days, my team only."),
        _us("Fantastic. I'll send the pilot plan today and get your workspace set up."),
        _us("Pilot plan attached: goals, who's involved, and what we measure.",
            _File("Acme-Pipewise-pilot-plan.pdf", _PDF, 356_021)),
        _them("Thanks, reading now."),
        _Filler(101, _RACHEL_OURS, _RACHEL_THEIRS),
        _us("Pilot summary for you and Dana: forecast accuracy went from 71% to 88% over six weeks.",
            _File("Acme-pilot-summary.pdf", _PDF, 520_774)),
        _us("Happy to walk your CFO through it whenever suits."),
        _them("These numbers are great. I'm presenting them to the CFO on Thursday."),
        _them("Can you send me a version without the per-rep breakdown? That part is sensitive."),
        _them("And one with the board deck template, if that's easy."),
        _them("Also: what would pricing look like for 140 seats, annual?"),
    ), unread=2),
    _Story("tom-becker", "sam", (
        _us(_NOTE_US),
        _them("Sure, happy to connect."),
        _us("Thanks Tom! How are you building the forecast at Acme US today?"),
        _them("Here's what our forecast sheet looks like. Don't judge 😅",
              _File("forecast-sheet.png", _PNG, 284_513)),
        _them("", _File(None, _PNG, 197_004)),
    ), unread=2),
    _Story("hank-scorpio", "sam", (
        _us(_NOTE_US),
        _them("Sure. Send me something short, I don't read decks."),
        _us("Here's the 3-minute tour: pipewise.io/tour. No deck, promise."),
        _them("Watched it. Forwarding to Maya, she runs RevOps."),
    )),
    _Story("maya-lindqvist", "sam", (
        _us("Hi Maya, Hank mentioned you run RevOps at Globex. Would be good to connect."),
        _them("Hi Sam! Yes, he forwarded the video. Do you have time Thursday at 10 ET?"),
        _us("Thursday 10 ET works. Invite sent to your work email."),
        _them("Got it, see you then."),
        _us("Here's the agenda and a one-pager so your team can skim beforehand.",
            _File("Pipewise-one-pager.pdf", _PDF, 482_133)),
    )),
    _Story("linkedin-member", "sam", (
        _us("Hi there, thanks for connecting! I work with sales leaders on forecasting at Pipewise."
            " What does your forecast process look like today?"),
        _them("Who gave you my name? I don't work in sales."),
    ), unread=1),
    _Story("devon-price", "sam", (
        _us("Hi Devon, Maya mentioned you're running the vendor review at Globex. Happy to help with"
            " anything you need."),
        _them("Hi Sam, thanks. Can you send pricing and your security documentation?"),
        _us("Of course. Pricing first.", _File("Pipewise-pricing-2026.pdf", _PDF, 311_872)),
        _us("And the SOC 2 summary.", _File("Pipewise-SOC2-Type-II-summary.pdf", _PDF, 1_204_455)),
        _them("Thanks, received. I'll come back to you after legal review."),
    )),
    _Story("chris-doyle", "sam", (
        _us(_NOTE_US),
        _them("Thanks Sam, but I'm not the right person. Maya Lindqvist owns forecasting here."),
        _us("Appreciate it Chris, I'll reach out to her."),
    )),
    _Story("bill-lumbergh", "sam", (
        _us(_NOTE_US),
        _us("Bill, any thoughts on the above? Happy to send a short video instead."),
        _them("Yeah, I'm going to need you to go ahead and take me off your list. Thanks."),
        _us("Understood, Bill. I won't message again."),
    )),
    _Story("ben-carter", "sam", (
        _us("Hi Ben, saw you advise a lot of seed-stage sales teams. Would love to compare notes."),
        _them("Sure thing, always happy to talk shop."),
        _Filler(60, _BEN_OURS, _BEN_THEIRS),
        _them("Alright, one agency is in. Intro coming tomorrow."),
        _us("Amazing, thank you Ben!"),
    )),
    _Story("liam-obrien", "sam", (
        _us(_NOTE_US),
        _us("Liam, in case it's useful: our forecast benchmark for ANZ teams is out. Happy to send it."),
    )),
    _Story("peter-gibbons", "sam", (
        _us(_NOTE_US),
        _them("Honestly I don't even know what I do here anymore. Good luck though."),
    )),
    # ---- Priya Nair: founders after a Series B
    _Story("priyanka-r", "priya", (
        _us(_NOTE_FOUNDER),
        _them("Thank you! It's been a wild month."),
        _us("I bet! The first board meeting after a B is usually where the forecast gets real"
            " scrutiny. We wrote a short guide from 30 founders at your stage, want it?"),
        _them("Yes please, send it over."),
    ), unread=1),
    _Story("gavin-belson", "priya", (
        _us(_NOTE_FOUNDER),
        _them("We build our own forecasting tools at Hooli. Thanks."),
    ), same_time_as="marcus-chen"),
    _Story("richard-hendricks-pp", "priya", (
        _us(_NOTE_FOUNDER),
        _them("Hi Priya, thanks! Forecasting is... a sore topic here."),
        _us("Ha, that's usually where the good conversations start. What's hurting most?"),
        _them("We have four pipeline definitions and nobody agrees which one is real."),
        _them("This is our whiteboard from Monday, for context.", _File("whiteboard.jpg", _JPEG, 2_304_118)),
        _us("That whiteboard is very familiar. Pipewise lets you keep one definition and show the"
            " others as views, so nobody loses their number."),
        _them("Ok that would actually help. Can Jared join a call?"),
        _us("Of course. Does Wednesday at 3pm PT work for both of you?"),
        _them("Wednesday works."),
        _us("Great, sent. Looking forward to it!"),
    )),
    _Story("eleanor-tyrell", "priya", (
        _us(_NOTE_FOUNDER),
        _them("Hi Priya, we're running a small RFP for forecasting tools. Requirements attached,"
              " responses are due on the 15th.", _File("Tyrell-Forecasting-RFP-2026.pdf", _PDF, 905_221)),
    ), unread=1),
    _Story("art-vandelay", "priya", (
        _us(_NOTE_FOUNDER),
        _them("What does it cost for a team of 12 reps?"),
        _us("For 12 reps you'd be on Growth: $45 per seat per month, billed annually. Happy to send the"
            " full breakdown."),
        _them("ok, thanks. Let me think about it."),
    )),
    _Story("nina-sharp", "priya", (
        _us(_NOTE_FOUNDER),
        _them("Hi Priya, good timing actually. Our board asked for a better forecast last week."),
        _us("Then let's talk! 20 minutes this week?"),
        _them("Let's do it. Tuesday 2pm PT?"),
        _us("Booked! The calendar invite is on its way."),
    )),
    _Story("harry-osborn", "priya", (
        _us(_NOTE_FOUNDER),
        _us("Harry, following up in case this got buried."),
        _them("Not interested, thanks."),
    )),
    _Story("cave-johnson-aperture", "priya", (
        _us(_NOTE_FOUNDER),
        _them("Forecasting? We're throwing science at the wall here and seeing what sticks."),
        _them("This is our current forecast model.", _File("lemons.jpg", _JPEG, 845_220)),
        _them("Send me something. Make it combustible."),
    ), unread=3),
    _Story("erlich-bachman-aviato", "priya", (
        _us(_NOTE_FOUNDER),
        _us("Erlich, sharing our founder guide to the first board forecast in case it's useful:"
            " pipewise.io/guides/first-board-forecast"),
    )),
    _Story("laura-kim-lumenpay", "priya", (
        _us(_NOTE_FOUNDER),
        _them("Thanks Priya! We're still on spreadsheets. Do you integrate with HubSpot?"),
        _us("We do, native two-way sync. Setup usually takes an afternoon."),
        _them("Nice. Can you send a short video I can share with my cofounder?"),
    ), unread=1, same_time_as="dana-whitfield"),
    # ---- Lukas Brandt: Europe
    _Story("katrin-vogel", "lukas", (
        _us(_NOTE_DE),
        _them("Hallo Herr Brandt, danke für die Nachricht. Aktuell machen wir das noch in Excel, pro"
              " Land eine Datei."),
        _us("Das höre ich oft. Wir hosten in Frankfurt, DPA und SCCs liegen bereit. Hätten Sie nächste"
            " Woche 20 Minuten?"),
        _them("Gerne, Dienstag um 14 Uhr passt. Viele Grüße, Katrin Vogel"),
        _us("Perfekt, die Einladung ist raus. Bis Dienstag!"),
    )),
    _Story("jonas-weber", "lukas", (
        _us(_NOTE_EU),
        _them("Hi Lukas, happy to connect. I'm in partnerships rather than sales, but I'll pass it on."),
    )),
    _Story("amelie-durand", "lukas", (
        _us("Bonjour Amélie, merci pour la connexion ! Je travaille chez Pipewise, on aide les équipes"
            " commerciales à fiabiliser leurs prévisions."),
        _them("Bonjour Lukas, merci. Nous regardons justement des outils pour le T1."),
        _us("Super ! Je peux vous envoyer une courte démo vidéo (3 min) ?"),
        _them("Oui, avec plaisir. Est-ce que vos données sont hébergées en Europe ?"),
    ), unread=1),
    _Story("javier-morales", "lukas", (
        _us("Hola Javier, gracias por conectar. Trabajo en Pipewise: ayudamos a equipos de ventas en"
            " varios países a consolidar su forecast."),
        _them("Hola Lukas, gracias por escribir. Ahora mismo no es prioridad, pero escríbeme en marzo."),
        _us("¡Perfecto! Te escribo en marzo. Un saludo."),
    )),
    _Story("greta-hoffmann", "lukas", (
        _us(_NOTE_DE),
        _them("Hallo Herr Brandt, bevor wir weitersprechen: bitte füllen Sie unseren"
              " Datenschutz-Fragebogen aus.",
              _File("Datenschutz-Fragebogen-Lieferanten.docx", _DOCX, 88_211)),
        _us("Gerne, ich schicke ihn bis Freitag ausgefüllt zurück."),
        _us("Anbei der ausgefüllte Fragebogen.",
            _File("Datenschutz-Fragebogen-Pipewise-ausgefuellt.docx", _DOCX, 102_546)),
        _them("Danke, ist angekommen. Ich melde mich nächste Woche."),
    )),
    _Story("sophie-martin-quill", "lukas", (
        _us(_NOTE_EU),
        _them("Hi Lukas, could you send over a case study from a UK company?"),
        _us("Here you go: how Initech's UK team runs its forecast.",
            _File("Pipewise-case-study-Initech.pdf", _PDF, 640_310)),
        _them("Brilliant, thanks."),
    )),
    _Story("claire-dubois", "lukas", (
        _us("Bonjour Claire, merci pour la connexion ! Les prévisions commerciales, c'est un sujet"
            " chez Soylent en ce moment ?"),
        _them("Merci Lukas, mais pas pour le moment. Bonne journée !"),
    )),
    _Story("luis-navarro", "lukas", (
        _us("Hola Luis, gracias por conectar. ¿Cómo preparáis el forecast en Cyberdyne?"),
        _them("Mira, así es nuestro forecast ahora mismo 🙈", _File("forecast-q3.jpg", _JPEG, 1_118_402)),
        _us("¡Gracias por compartirlo! Se ve mucho trabajo manual. ¿Hablamos el jueves?"),
        _them("Vale, el jueves a las 11 me va bien."),
    ), unread=1),
)


# --------------------------------------------------------------------------------------------
# Building the documents
# --------------------------------------------------------------------------------------------


def _iso(t: datetime) -> str:
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _normalise_now(now: datetime | None) -> datetime:
    """Default: the start of the current UTC day, so that a sandbox started twice that day serves
    the same data."""
    if now is None:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _b64id(rng: Random, nbytes: int) -> str:
    raw = rng.getrandbits(8 * nbytes).to_bytes(nbytes, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _conversation_id(rng: Random) -> str:
    """Shaped like the seed's "2-OVp-y-UNyFXBYvx0FqmQ": 22 characters of base64url."""
    return "2-" + _b64id(rng, 15)


def _expand(script: tuple[_Say | _Filler, ...], rng: Random) -> list[_Say]:
    out: list[_Say] = []
    for part in script:
        if isinstance(part, _Say):
            out.append(part)
            continue
        turns = {True: 0, False: 0}
        ours = not out[-1].ours if out else True
        made = 0
        while made < part.count:
            pool = part.ours if ours else part.theirs
            for _ in range(min(rng.choice((1, 1, 1, 2, 2, 3)), part.count - made)):
                out.append(pool[turns[ours] % len(pool)])
                turns[ours] += 1
                made += 1
            ours = not ours
    return out


def _gap(rng: Random, says: list[_Say], i: int, long: bool) -> timedelta:
    """Time between message i-1 and message i of a conversation."""
    previous, current = says[i - 1], says[i]
    silent = all(s.ours for s in says[:i])  # nothing from the member yet
    if i == 1 or (silent and current.ours):
        minutes = rng.randint(24 * 60, 4 * 24 * 60)  # the note is accepted, or a follow-up days later
    elif previous.ours == current.ours:
        minutes = rng.randint(1, 20)
    elif long:
        minutes = rng.randint(20, 26 * 60)
    elif current.ours:
        minutes = rng.randint(10, 6 * 60)
    else:
        minutes = rng.randint(30, 2 * 24 * 60)
    return timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


def _last_activity(rng: Random, now: datetime, unread: bool) -> datetime:
    """Unread conversations are recent; the rest up to four weeks old."""
    minutes = rng.randint(9, 60 * 60) if unread else rng.randint(3 * 60, 28 * 24 * 60)
    return now - timedelta(minutes=minutes, seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))


def _attachment(rng: Random, file: _File) -> dict[str, Any]:
    folder = "image" if file.mime.startswith("image/") else "document"
    doc: dict[str, Any] = {"id": _b64id(rng, 12)}
    if file.name is not None:
        doc["name"] = file.name
    doc.update({
        "type": file.mime,
        "size": file.size,
        "url": f"https://media.licdn.com/dms/{folder}/v2/{_b64id(rng, 9)}/messaging-attachment/0/",
    })
    return doc


def _preview(text: str) -> str:
    """lastMessage.content: cut at PREVIEW_CHARS characters, as documented."""
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 3].rstrip() + "..."


def _build(story: _Story, rng: Random, now: datetime, end: datetime) -> dict[str, Any]:
    sender = _SENDERS[story.sender]
    member = _MEMBERS[story.member]
    says = _expand(story.script, rng)
    long = len(says) > 40
    times = [end]
    for i in range(len(says) - 1, 0, -1):
        times.append(times[-1] - _gap(rng, says, i, long))
    times.reverse()

    unread_left = story.unread
    statuses: list[str] = []
    for i in range(len(says) - 1, -1, -1):
        if not says[i].ours:
            statuses.append("unread" if unread_left > 0 else "read")
            unread_left -= 1
        else:
            answered = any(not s.ours for s in says[i + 1:])
            statuses.append("read" if answered else "unknown")
    statuses.reverse()

    us_contact, them_contact = sender.contact, member.contact()
    messages = []
    for say, at, status in zip(says, times, statuses):
        text = say.text.format(first=member.first or "there", me=sender.first)
        kind = "TEXT"
        if say.file is not None:
            kind = "IMAGE" if say.file.mime.startswith("image/") else "FILE"
        messages.append({
            "id": "2-" + _b64id(rng, 24),
            "content": text,
            "sender": us_contact if say.ours else them_contact,
            "recipient": them_contact if say.ours else us_contact,
            "direction": "sent" if say.ours else "received",
            "sentAt": _iso(at),
            "readStatus": status,
            "contentType": kind,
            "attachments": [_attachment(rng, say.file)] if say.file else [],
        })

    participant: dict[str, Any] = {"id": member.public_id}
    if member.name:
        participant["name"] = member.name
    participant["profileUrl"] = member.profile_url
    participant["profilePicture"] = (
        f"https://media.licdn.com/dms/image/v2/{_b64id(rng, 9)}/profile-displayphoto-shrink_100_100/0/"
        if member.picture else None
    )
    last = messages[-1]
    unread = sum(1 for m in messages if m["readStatus"] == "unread")
    updated = end
    if not last["direction"] == "sent" and unread == 0:
        updated = min(now, end + timedelta(minutes=rng.randint(2, 300)))  # read later by the rep
    return {
        "id": _conversation_id(rng),
        "accountId": sender.account_id,
        "participants": [participant],
        "lastMessage": {"content": _preview(last["content"]), "sentAt": last["sentAt"],
                        "direction": last["direction"]},
        "lastActivityAt": last["sentAt"],
        "unreadCount": unread,
        "createdAt": messages[0]["sentAt"],
        "updatedAt": _iso(updated),
        "messages": messages,
    }


def build_conversations(
    *,
    seed: int = 7,
    now: datetime | None = None,
    member_ids: bool = False,
    own_sender_listed: bool = False,
    trailing_whitespace: bool = False,
    images_without_attachments: bool = False,
    direction_names: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Deterministic, realistic data set: one document per conversation, in the exact wire shape
    of a GET /v1/inbox/conversations row (id, accountId, participants, lastMessage,
    lastActivityAt, unreadCount, createdAt, updatedAt) plus `messages`, the full message objects of
    the messages endpoint, oldest first. All times lie before `now` (default: the start of the
    current UTC day). The flags turn on the observed variants (see `vary`); without them the
    data is the same, byte for byte, as it always was."""
    now = _normalise_now(now)
    rng = Random(seed)
    ends: dict[str, datetime] = {}
    for story in _STORIES:
        ends[story.member] = _last_activity(rng, now, story.unread > 0)
    for story in _STORIES:
        if story.same_time_as:
            ends[story.member] = ends[story.same_time_as]
    built = [_build(story, rng, now, ends[story.member]) for story in _STORIES]
    return vary(
        built,
        member_ids=member_ids,
        own_sender_listed=own_sender_listed,
        trailing_whitespace=trailing_whitespace,
        images_without_attachments=images_without_attachments,
        direction_names=direction_names,
    )


# --------------------------------------------------------------------------------------------
# Observed variants of the data (PROVIDERS.md, "Second reading"): none is documented, and the
# exact values below (id alphabet, whitespace, where our sender is listed) are invented.
# --------------------------------------------------------------------------------------------

_SENDER_BY_ACCOUNT = {s.account_id: s for s in _SENDERS.values()}
_TRAILING = (" ", "\n", "  \n\n", "\t", " \n")


def _member_id(public_id: str) -> str:
    """A LinkedIn member id (ACoAA...) for a public id, the same one every time."""
    if public_id.startswith("ACoAA"):
        return public_id
    digest = base64.b64encode(hashlib.sha256(public_id.encode()).digest()).decode()
    return "ACoAA" + "".join(ch for ch in digest if ch.isalnum())[:34]


def _as_member(contact: dict[str, Any]) -> None:
    """Id and profile URL of a participant, sender or recipient as member-id-encoded ones."""
    if "id" in contact:
        contact["id"] = _member_id(contact["id"])
        contact["profileUrl"] = f"https://www.linkedin.com/in/{contact['id']}"


def vary(
    conversations: list[dict[str, Any]],
    *,
    member_ids: bool = False,
    own_sender_listed: bool = False,
    trailing_whitespace: bool = False,
    images_without_attachments: bool = False,
    direction_names: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """`conversations` (as `build_conversations` makes them) with observed variants, on a copy:

    - `member_ids`: every member (leads and our senders) has a LinkedIn member id `ACoAA...`
      and a profile URL made of it;
    - `own_sender_listed`: the sender account's own LinkedIn member is listed among the
      participants, before the lead in some rows and after it in others;
    - `trailing_whitespace`: every message's content (and the row's preview of the last one)
      ends with spaces or newlines;
    - `images_without_attachments`: IMAGE messages come with `attachments: []`;
    - `direction_names`: (ours, theirs) replace `sent` and `received`, in messages and rows.
    """
    if not (member_ids or own_sender_listed or trailing_whitespace or images_without_attachments or direction_names):
        return conversations
    docs = copy.deepcopy(conversations)
    for c in docs:
        rng = Random(f"vary:{c['id']}")
        sender = _SENDER_BY_ACCOUNT.get(c["accountId"])
        if own_sender_listed and sender is not None:
            us = {**sender.contact, "profilePicture": f"https://media.licdn.com/dms/image/v2/{_b64id(rng, 9)}/"
                  "profile-displayphoto-shrink_100_100/0/"}
            c["participants"].insert(0 if rng.random() < 0.5 else len(c["participants"]), us)
        for m in c["messages"]:
            if trailing_whitespace:
                m["content"] += rng.choice(_TRAILING)
            if images_without_attachments and m["contentType"] == "IMAGE":
                m["attachments"] = []
            if direction_names:
                m["direction"] = direction_names[0] if m["direction"] == "sent" else direction_names[1]
            if member_ids:
                _as_member(m["sender"])
                _as_member(m["recipient"])
        if member_ids:
            for p in c["participants"]:
                _as_member(p)
        last = c["lastMessage"]
        if trailing_whitespace:
            last["content"] += c["messages"][-1]["content"][len(c["messages"][-1]["content"].rstrip()):]
        if direction_names:
            last["direction"] = direction_names[0] if last["direction"] == "sent" else direction_names[1]
    return docs


# --------------------------------------------------------------------------------------------
# The HTTP application
# --------------------------------------------------------------------------------------------

_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error"}


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"statusCode": code, "message": message, "error": _REASONS.get(code, "Error")},
                        status_code=code)


class _Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Gate:
    """Records every request, then checks the X-API-Key header (ASGI middleware)."""

    def __init__(self, app: ASGIApp, *, api_key: str, outage: bool, rate_limited: int | None,
                 log: list[tuple[str, str, dict[str, str]]]) -> None:
        self.app = app
        self.api_key = api_key
        self.outage = outage
        self.rate_limited = rate_limited
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        self.log.append((request.method, scope["path"], dict(request.query_params)))
        key = request.headers.get("x-api-key", "").strip()
        refusal = None
        if not key:
            refusal = _error(401, "Missing API key")
        elif key != self.api_key:
            refusal = _error(401, "Invalid API key")
        elif self.outage:
            refusal = _error(500, "Internal server error")
        elif self.rate_limited is not None:
            # Observed, not documented: a 429 with Retry-After. The body's text is invented.
            refusal = _error(429, "Too many requests")
            refusal.headers["Retry-After"] = str(self.rate_limited)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]+", raw.strip()) or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _Refused(400, f"{name} must be an integer {bound}")  # the 400 is documented; the text invented
    return int(raw)


def _encode_token(payload: dict[str, str]) -> str:
    """Base64 JSON like the seed's {"continuation": "<ms>"}; the other fields are invented."""
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError):
        raise _Refused(400, "Invalid continuationToken") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("continuation"), str):
        raise _Refused(400, "Invalid continuationToken")
    return payload


def _activity_ms(row: dict[str, Any]) -> int:
    stamp = row.get("lastActivityAt") or row.get("updatedAt") or row.get("createdAt")
    return int(_parse_time(stamp).timestamp() * 1000) if stamp else 0


class _Inbox:
    """The endpoints, over a snapshot of the conversations taken when the app is created."""

    def __init__(self, conversations: list[dict[str, Any]], pagination: str, message_order: str,
                 error_above_limit: int | None = None) -> None:
        self.pagination = pagination
        self.message_order = message_order
        self.error_above_limit = error_above_limit
        self.accounts = set(SENDER_ACCOUNTS) | {c["accountId"] for c in conversations}
        self.by_id = {c["id"]: c for c in conversations}
        keyed = [((_activity_ms(c), c["id"]), {k: v for k, v in c.items() if k != "messages"})
                 for c in conversations]
        keyed.sort(key=lambda item: item[0], reverse=True)  # newest first, ties by id
        self.rows = keyed

    def _account(self, request: Request, required: bool) -> str | None:
        account = (request.query_params.get("accountId") or "").strip() or None
        if account is None:
            if required:
                raise _Refused(400, "accountId is required")
            return None
        if account not in self.accounts:  # documented 403 (another workspace); the text is invented
            raise _Refused(403, "You do not have access to this LinkedIn account")
        return account

    async def list_conversations(self, request: Request) -> Response:
        try:
            return self._list(request)
        except _Refused as exc:
            return _error(exc.code, exc.message)

    def _list(self, request: Request) -> Response:
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        if self.error_above_limit is not None and limit > self.error_above_limit:
            # Observed by integrators: limit=100 answers 500 where 50 works. The text is invented.
            raise _Refused(500, "Internal server error")
        page = _int_param(request, "page", 1, 1, None)
        account = self._account(request, required=False)
        rows = [(key, row) for key, row in self.rows if account is None or row["accountId"] == account]
        token = request.query_params.get("continuationToken") or None
        if token is not None:
            payload = _decode_token(token)
            if not payload["continuation"].isdigit() or not isinstance(payload.get("id"), str):
                raise _Refused(400, "Invalid continuationToken")
            after = (int(payload["continuation"]), payload["id"])
            start = next((i for i, (key, _) in enumerate(rows) if key < after), len(rows))
        else:
            start = (page - 1) * limit
        chunk = rows[start:start + limit]
        has_more = start + limit < len(rows)
        if self.pagination == "token":
            last_key = chunk[-1][0] if chunk else None
            pagination: dict[str, Any] = {
                "continuationToken": _encode_token({"continuation": str(last_key[0]), "id": last_key[1]})
                if has_more and last_key else None,
                "limit": limit,
                "hasMore": has_more,
            }
        else:
            pagination = {"page": start // limit + 1, "limit": limit, "total": len(rows),
                          "totalPages": math.ceil(len(rows) / limit)}
            if self.pagination == "pages_has_more":  # the second reading's documented variant
                pagination["hasMore"] = has_more
        return JSONResponse({"conversations": [row for _, row in chunk], "pagination": pagination})

    async def list_messages(self, request: Request) -> Response:
        try:
            return self._messages(request)
        except _Refused as exc:
            return _error(exc.code, exc.message)

    def _messages(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        account = self._account(request, required=True)
        limit = _int_param(request, "limit", DEFAULT_MESSAGE_LIMIT, 1, MAX_LIMIT)
        conversation = self.by_id.get(conversation_id)
        if conversation is None or conversation["accountId"] != account:
            # Invented: another sender account's conversation is a 404 here (the API may say 403).
            raise _Refused(404, "Conversation not found")
        start = 0
        token = request.query_params.get("continuationToken") or None
        if token is not None:
            payload = _decode_token(token)
            if payload.get("conversationId") != conversation_id or not payload["continuation"].isdigit():
                raise _Refused(400, "Invalid continuationToken")
            start = int(payload["continuation"])
        ordered = self._ordered(conversation)
        chunk = ordered[start:start + limit]
        has_more = start + limit < len(ordered)
        return JSONResponse({
            "conversationId": conversation_id,
            "messages": chunk,
            "pagination": {
                "hasMore": has_more,
                "continuationToken": _encode_token(
                    {"continuation": str(start + limit), "conversationId": conversation_id}
                ) if has_more else None,
            },
        })

    def _ordered(self, conversation: dict[str, Any]) -> list[dict[str, Any]]:
        messages = list(conversation.get("messages") or [])
        if self.message_order == "desc":
            messages.reverse()
        elif self.message_order == "shuffled":
            Random(f"shuffle:{conversation['id']}").shuffle(messages)
        return messages


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Invented: the texts (NestJS's usual ones), and 405, which SendPilot does not document.
    message = {404: "Cannot GET " + request.url.path, 405: "Method not allowed"}.get(exc.status_code, exc.detail)
    return _error(exc.status_code, message)


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    now: datetime | None = None,
    conversations: list[dict[str, Any]] | None = None,
    pagination: Literal["token", "pages", "pages_has_more"] = "token",
    message_order: Literal["asc", "desc", "shuffled"] = "desc",
    outage: bool = False,
    error_above_limit: int | None = None,
    rate_limited: int | None = None,
    member_ids: bool = False,
    own_sender_listed: bool = False,
    trailing_whitespace: bool = False,
    images_without_attachments: bool = False,
    direction_names: tuple[str, str] | None = None,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts. `pagination` chooses the envelope of the conversation
    list: `token` ({continuationToken, limit, hasMore}), `pages` ({page, limit, total,
    totalPages}) or `pages_has_more` (the same with `hasMore`, as the second reading documents
    it); `continuationToken` and `page` are honoured either way. `message_order` is the order the
    messages endpoint pages through: newest first (`desc`, the default; an assumption, the order
    is not documented), oldest first (`asc`, as the documented example), or a fixed shuffle per
    conversation. `outage` answers every authenticated request with the documented 500;
    `error_above_limit` answers 500 to conversation requests with a larger `limit` (observed
    with 100); `rate_limited` answers every authenticated request 429 with that Retry-After
    (observed). `conversations` defaults to `build_conversations(now=now)`; the data flags
    (`member_ids` ... `direction_names`, see `vary`) apply to either.
    `app.state.requests` lists `(method, path, query)` for every request received, refused ones
    included.
    """
    if not api_key:
        raise ValueError("the emulator needs the API key it accepts")
    if pagination not in ("token", "pages", "pages_has_more"):
        raise ValueError("pagination must be 'token', 'pages' or 'pages_has_more'")
    if message_order not in ("asc", "desc", "shuffled"):
        raise ValueError("message_order must be 'asc', 'desc' or 'shuffled'")
    data = conversations if conversations is not None else build_conversations(now=now)
    data = vary(
        data,
        member_ids=member_ids,
        own_sender_listed=own_sender_listed,
        trailing_whitespace=trailing_whitespace,
        images_without_attachments=images_without_attachments,
        direction_names=direction_names,
    )
    inbox = _Inbox(data, pagination, message_order, error_above_limit)
    log: list[tuple[str, str, dict[str, str]]] = []
    routes = []
    for prefix in ("", "/api"):  # older documentation pages show an /api prefix
        routes += [
            Route(prefix + "/v1/inbox/conversations", inbox.list_conversations, methods=["GET"]),
            Route(prefix + "/v1/inbox/conversations/{conversation_id}/messages", inbox.list_messages,
                  methods=["GET"]),
        ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_Gate, api_key=api_key, outage=outage, rate_limited=rate_limited, log=log)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.requests = log
    return app
