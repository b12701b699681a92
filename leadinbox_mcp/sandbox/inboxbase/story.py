"""The InboxBase sandbox's data set: Pipewise's two AI sales agents and their conversations.

The cast and the stories are in `data/inboxbase.toml`; this module turns each story into dated
events with ids, and each message into the bodies its sender's mail client writes. Everything is
derived from `random.Random(seed)` and one `now`: the same seed and `now` give the same bytes.

`build_conversations` makes the conversations in the wire shape of GET
/v1/identities/{handle}/conversations/{convId}, in the seed's shape or, with
`event_shape="documented"`, in the shape docs.12m.ai documents (see the app's docstring).
"""

from __future__ import annotations

import html as html_lib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import formataddr
from pathlib import Path
from random import Random
from typing import Any, Literal

from leadinbox_mcp.sandbox import mail
from leadinbox_mcp.sandbox.kernel import iso, parse_time, sandbox_now

DATA = Path(__file__).parent.parent / "data" / "inboxbase.toml"

SNIPPET_CHARS = 140
HOUR = 3_600_000
"""One hour in milliseconds."""

EventShape = Literal["seed", "documented"]
WithForm = Literal["address", "name"]


# --------------------------------------------------------------------------------------------
# Unix milliseconds
# --------------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def to_ms(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(milliseconds=1)


def iso_ms(ms: int) -> str:
    return iso(from_ms(ms))


def ms_of(obj: Mapping[str, Any], key: str) -> int | None:
    """`obj[key]` in Unix ms, or its `<key>Iso` twin when the milliseconds are missing."""
    if obj.get(key) is not None:
        return int(obj[key])
    text = obj.get(key + "Iso")
    return to_ms(parse_time(text)) if text else None


# --------------------------------------------------------------------------------------------
# The cast and the stories, from the data file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prospect:
    email: str
    first: str
    last: str
    company: str
    story: str
    style: str  # their mail client, a style of `sandbox/mail.py`: gmail, owa, apple, plain
    html_only: bool = False  # their client sends no text part


@dataclass(frozen=True)
class Agent:
    handle: str
    name: str
    mailbox: (
        str  # assumed: a backing mailbox the identity sends from (seed shape); the documented shape uses the handle
    )
    title: str
    intro_subject: str
    intro: str
    sign_off: str
    tie_groups: tuple[int, ...]
    prospects: tuple[Prospect, ...]


@dataclass(frozen=True)
class Cast:
    vendor: str
    site: str
    mailbox_domain: str
    agents: tuple[Agent, ...]
    stories: Mapping[str, tuple[Mapping[str, Any], ...]]


_ACTIONS = ("intro", "out", "inbound", "wait", "no_reply", "label", "unlabel", "archive")


def load_cast(path: Path = DATA) -> Cast:
    with path.open("rb") as file:
        data = tomllib.load(file)
    stories = {name: tuple(steps) for name, steps in data["stories"].items()}
    for name, steps in stories.items():
        for step in steps:
            if sum(key in _ACTIONS for key in step) != 1:
                raise ValueError(f"{path.name}: a step of story {name!r} does not have one action: {step}")
    agents = []
    for agent in data["agents"]:
        prospects = tuple(Prospect(**p) for p in agent.pop("prospects"))
        unknown = {p.story for p in prospects} - set(stories)
        groups = tuple(agent.pop("tie_groups"))
        if unknown or sum(groups) != len(prospects):
            raise ValueError(
                f"{path.name}: {agent['handle']}: unknown stories {unknown} or tie groups that do not add up"
            )
        agents.append(Agent(**agent, tie_groups=groups, prospects=prospects))
    vendor = data["vendor"]
    return Cast(vendor["name"], vendor["site"], vendor["mailbox_domain"], tuple(agents), stories)


CAST = load_cast()
SANDBOX_IDENTITIES = tuple(agent.handle for agent in CAST.agents)
"""The sandbox organisation's identities: Pipewise's two AI sales agents."""


# --------------------------------------------------------------------------------------------
# Bodies: our agents' (sent through the InboxBase API) and the prospects' (their mail clients')
# --------------------------------------------------------------------------------------------


def _paragraphs_html(text: str) -> str:
    """Our agents' HTML: a paragraph per blank-line-separated block, lines joined with <br>."""
    return "".join(f"<p>{html_lib.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip())


def snippet_of(text: str) -> str:
    """A message's snippet: on one line, cut at a word before SNIPPET_CHARS characters, with "..."
    (ASSUMED: the docs give no length)."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat[:SNIPPET_CHARS]
    return cut[: cut.rfind(" ")].rstrip(" ,.;:-") + "..." if " " in cut else cut + "..."


def _client_bodies(style: str, html_only: bool, body: str, quote: mail.Quoted | None) -> tuple[str | None, str | None]:
    """(text, html) of a message written with the mail client of `style` (see `sandbox/mail.py`),
    quoting `quote` below the new text; dates in UTC. `html_only`: the client sends no text part."""
    html, text = mail.render_email(style, body, signature=None, disclaimer=None, quote=quote, tz=UTC)
    return (None if html_only else text), html


# --------------------------------------------------------------------------------------------
# One conversation's timeline
# --------------------------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_CLOCK = to_ms(datetime(2026, 1, 1, tzinfo=UTC))
"""The `now` event ids are stamped as of: an event's id embeds this minus the event's age, so
that ids stay the same on any day (the README's examples name them) and sort in time order,
while the events' times move with `now`."""


def _ulid(ms: int, rng: Random) -> str:
    """A ULID-like id: 48 bits of milliseconds, 80 random bits, in Crockford's base 32."""
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


@dataclass
class _Written:
    """A message and its writer, as a later reply quotes it. A prospect's message is a draft until
    `finish` knows the times: then its client writes it (`style`), quoting `quote`."""

    event: dict[str, Any]
    name: str
    email: str
    to: str
    body: str  # what a reply quotes when the message has no text part
    style: str | None = None
    html_only: bool = False
    quote: _Written | None = None

    def quoted(self) -> mail.Quoted:
        m = self.event["message"]
        return mail.Quoted(
            self.name, self.email, self.to, m["subject"], from_ms(self.event["ts"]), m["text"] or self.body, m["html"]
        )


class _Timeline:
    """Events at offsets (ms) from the conversation's first event; `finish` moves the last one
    to the conversation's lastEventAt, fills in ids and has the prospects' clients write their
    messages (their quotes show dates)."""

    def __init__(self, rng: Random, agent: Agent, prospect: Prospect) -> None:
        self.rng = rng
        self.agent = agent
        self.p = prospect
        self.t = 0
        self.events: list[dict[str, Any]] = []
        self.written: list[_Written] = []  # the messages, oldest first
        self.subject = agent.intro_subject.format(company=prospect.company)
        self.messages = 0

    def wait(self, low_hours: float, high_hours: float) -> None:
        self.t += int(self.rng.uniform(low_hours, high_hours) * HOUR) + self.rng.randrange(1000)

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "_t": self.t, **fields}
        self.events.append(event)
        return event

    def _message(
        self,
        direction: str,
        sender: str,
        to: list[str],
        subject: str,
        text: str | None,
        html: str | None,
        snippet_text: str,
        **extra: Any,
    ) -> dict[str, Any]:
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
            "snippet": snippet_of(snippet_text),
            **extra,
        }
        return self._event("message", message=message)

    def out(self, text: str, *, reply: bool = True) -> None:
        """Our agent writes (sent through the InboxBase API: no quoted history)."""
        a, p = self.agent, self.p
        body = text + "\n\n" + a.sign_off
        subject = self.subject if not reply or self.messages == 0 else f"Re: {self.subject}"
        signature = f"-- \n{a.name}\n{a.title}\nhttps://{CAST.site}"
        html = (
            f'<div dir="ltr">{_paragraphs_html(body)}<div style="color:#888888;font-size:12px">'
            f"{html_lib.escape(a.name)} · {html_lib.escape(a.title)}<br>"
            f'<a href="https://{CAST.site}?utm_source=inboxbase">{CAST.site}</a></div></div>'
        )
        text = f"{body}\n\n{signature}"
        event = self._message("outbound", f"{a.name} <{a.mailbox}>", [p.email], subject, text, html, body)
        self.written.append(_Written(event, a.name, a.mailbox, f"{p.first} {p.last} <{p.email}>", text))

    def inbound(
        self,
        body: str,
        *,
        style: str,
        html_only: bool,
        sender: str | None,
        subject: str | None,
        quote: bool,
        **extra: Any,
    ) -> None:
        """The prospect (or `sender`) writes with the mail client of `style`, quoting the last
        message unless `quote` is false."""
        p = self.p
        person = f"{p.first} {p.last}"
        subject = subject or f"Re: {self.subject}"
        event = self._message(
            "inbound", sender or f"{person} <{p.email}>", [self.agent.mailbox], subject, None, None, body, **extra
        )
        last = self.written[-1] if quote and self.written else None
        self.written.append(_Written(event, person, p.email, self.agent.mailbox, body, style, html_only, last))

    def label(self, name: str, added: bool = True) -> None:
        self._event("label_added" if added else "label_removed", label=name)

    def archive(self, archived: bool = True) -> None:
        self._event("archived" if archived else "unarchived")

    def no_reply(self, hours: float) -> None:
        self.t += int(hours * HOUR)
        self._event("no_reply_expired", waitedMs=int(hours * HOUR))

    def tell(self, steps: Sequence[Mapping[str, Any]]) -> None:
        """The events of a story (see the data file for its steps)."""
        a, p = self.agent, self.p
        fields = {
            "first": p.first,
            "company": p.company,
            "email": p.email,
            "domain": p.email.rpartition("@")[2],
            "subject": self.subject,
        }
        for step in steps:
            if "intro" in step:
                self.out(a.intro.format(**fields), reply=False)
            elif "out" in step:
                self.out(step["out"].format(**fields))
            elif "inbound" in step:
                said = {**fields, "agent": a.name.split()[0]}
                extra: dict[str, Any] = {}
                if "attachment" in step:
                    file = step["attachment"]
                    low, high = file["size"]
                    size = low + self.rng.randrange(high - low)
                    extra["attachments"] = [
                        {"filename": file["filename"], "contentType": file["content_type"], "size": size}
                    ]
                if "cc" in step:
                    extra["cc"] = [address.format(**said) for address in step["cc"]]
                self.inbound(
                    step["inbound"].format(**said),
                    style=step.get("style", p.style),
                    html_only=p.html_only and "style" not in step,
                    sender=step["sender"].format(**said) if "sender" in step else None,
                    subject=step["subject"].format(**said) if "subject" in step else None,
                    quote=step.get("quote", True),
                    **extra,
                )
            elif "wait" in step:
                self.wait(*step["wait"])
            elif "no_reply" in step:
                self.no_reply(step["no_reply"])
            elif "label" in step:
                self.label(step["label"])
            elif "unlabel" in step:
                self.label(step["unlabel"], added=False)
            else:
                self.archive(step["archive"])

    def finish(self, conversation_id: str, end: int, now_ms: int) -> dict[str, Any]:
        shift = end - self.t
        for event in self.events:
            event["ts"] = shift + event.pop("_t")
        for written in self.written:
            if written.style is not None:
                quote = written.quote.quoted() if written.quote else None
                message = written.event["message"]
                message["text"], message["html"] = _client_bodies(written.style, written.html_only, written.body, quote)
        events = []
        for event in self.events:
            ts = event["ts"]
            event_id = "evt_" + _ulid(_ID_CLOCK - (now_ms - ts), self.rng)
            full = {"id": event_id, "type": event["type"], "ts": ts, "tsIso": iso_ms(ts)}
            full.update({k: v for k, v in event.items() if k not in ("type", "ts")})
            if "message" in full:
                message = dict(full["message"])
                message["ts"], message["tsIso"] = ts, iso_ms(ts)
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


# --------------------------------------------------------------------------------------------
# The data set
# --------------------------------------------------------------------------------------------


def _agent_for(handle: str, index: int) -> Agent:
    """The agent behind the index-th identity: the cast's, then new ones named after the handle,
    with the prospects of the cast's agents in turn."""
    base = CAST.agents[index % len(CAST.agents)]
    if index < len(CAST.agents):
        return base
    local = handle.rpartition("@")[0] or handle
    first = re.split(r"[._+-]", local)[0].title() or "Agent"
    return replace(
        base,
        handle=handle,
        name=f"{first} {CAST.vendor}",
        mailbox=f"{local}@{CAST.mailbox_domain}",
        sign_off=base.sign_off.rsplit("\n", 1)[0] + f"\n{first}",
    )


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

    Every event lies before `now` (default: the start of the current UTC day); the ids do not
    depend on `now`, only on the seed and the identities. The last events
    come in groups that share one millisecond (the agents' `tie_groups`). `event_shape` and
    `with_form` choose the documented variants (see the app's docstring); the same seed gives the
    same conversations, ids and times in every variant.
    """
    if event_shape not in ("seed", "documented") or with_form not in ("address", "name"):
        raise ValueError("event_shape is 'seed' or 'documented'; with_form is 'address' or 'name'")
    now_ms = to_ms(sandbox_now(now))
    rng = Random(seed)
    data: dict[str, list[dict[str, Any]]] = {}
    for index, handle in enumerate(identities):
        agent = _agent_for(handle, index)
        if event_shape == "documented":
            agent = replace(agent, mailbox=handle)  # the identity sends as itself
        prospects = list(agent.prospects)
        ends: list[int] = []
        cursor = now_ms - int(rng.uniform(0.5, 6) * HOUR) - rng.randrange(60_000)
        for size in agent.tie_groups:
            ends.extend([cursor] * size)
            cursor -= int(rng.uniform(2, 30) * HOUR) + rng.randrange(60_000)
        rng.shuffle(prospects)
        conversations = []
        for prospect, end in zip(prospects, ends, strict=True):
            timeline = _Timeline(rng, agent, prospect)
            timeline.tell(CAST.stories[prospect.story])
            conversation = timeline.finish(f"conv_{rng.getrandbits(64):016x}", end, now_ms)
            person = f"{prospect.first} {prospect.last}"
            if event_shape == "documented":
                names = {handle.casefold(): agent.name, prospect.email.casefold(): person}
                conversation = _documented(conversation, names, now_ms)
            if with_form == "name":
                conversation["with"] = formataddr((person, prospect.email))
            conversations.append(conversation)
        data[handle] = conversations
    return data


_NO_REPLY_WAIT = 72 * HOUR
"""Assumed: how long after our last message the no-reply timer is due (the docs name the fields,
not the policy)."""


def _documented(conversation: dict[str, Any], names: Mapping[str, str], now_ms: int) -> dict[str, Any]:
    """A conversation of the seed's shape in the shape docs.12m.ai documents (see the app's
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
        message = {
            "id": m["id"],
            "from": m["from"],
            "to": joined(to),
            "cc": joined(m["cc"]),
            "subject": m["subject"],
            "text": m["text"],
            "html": m["html"],
            "snippet": m["snippet"],
            "ts": m["ts"],
        }
        events.append(
            {"id": event["id"], "type": "message", "ts": event["ts"], "tsIso": event["tsIso"], "message": message}
        )
    directions = [e["message"]["direction"] for e in conversation["events"] if e["type"] == "message"]
    last_message = max(e["ts"] for e in conversation["events"] if e["type"] == "message")
    expired_since = any(e["type"] == "no_reply_expired" and e["ts"] > last_message for e in events)
    due = last_message + _NO_REPLY_WAIT
    no_reply = due if directions[-1] == "outbound" and not expired_since and due > now_ms else None
    last_no_reply = conversation["lastNoReplyAt"]
    return {
        **{k: conversation[k] for k in ("id", "with", "subject", "messageCount", "archived", "labels", "lastEventAt")},
        "lastEventAtIso": iso_ms(conversation["lastEventAt"]),
        "noReplyAt": no_reply,
        "noReplyAtIso": iso_ms(no_reply) if no_reply is not None else None,
        "lastNoReplyAt": last_no_reply,
        "lastNoReplyAtIso": iso_ms(last_no_reply) if last_no_reply is not None else None,
        "events": events,
    }
