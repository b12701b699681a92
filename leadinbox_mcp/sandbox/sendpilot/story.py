"""The SendPilot sandbox's data set: the cast and stories of `data/sendpilot.toml` made into
conversations in the wire shape, and the observed variants of that shape.

The data set (`build_conversations`) is the LinkedIn side of Pipewise, the fictional vendor of the
SendKit sandbox: three reps' sender accounts, 31 conversations (connection notes, follow-ups,
replies, a few in French, German and Spanish), images and files, unread replies, two long
threads (112 and 64 messages), a member who shows no name, two conversations without any reply,
and equal `lastActivityAt` values.

Everything is derived from `random.Random(seed)` and one `now`: the same seed and `now` give the
same bytes on the wire. Ids do not depend on `now`: a sandbox started on another day serves the
same ids, only the times move.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any, TypedDict, Unpack

from leadinbox_mcp.sandbox.kernel import iso, preview, sandbox_now

PREVIEW_CHARS = 100  # documented

DATA = Path(__file__).parent.parent / "data" / "sendpilot.toml"


# --------------------------------------------------------------------------------------------
# The cast and the stories, as read from the data file
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
        return {"id": self.public_id, "name": self.name, "profileUrl": f"https://www.linkedin.com/in/{self.public_id}"}


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


def _say(item: dict[str, Any], notes: dict[str, str]) -> _Say:
    """A message of the data file: `us`, `them` or `note` (ours), and an optional `file`."""
    file = item.get("file")
    attached = _File(file.get("name"), file["type"], file["size"]) if file is not None else None
    if "note" in item:
        return _Say(True, notes[item["note"]], attached)
    if "us" in item:
        return _Say(True, item["us"], attached)
    return _Say(False, item["them"], attached)


def _load(path: Path) -> tuple[dict[str, _Sender], dict[str, _Member], tuple[_Story, ...]]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    senders = {key: _Sender(s["account_id"], s["name"], s["public_id"]) for key, s in data["senders"].items()}
    members = {
        key: _Member(m["public_id"], m.get("name"), m["company"], m.get("picture", True))
        for key, m in data["members"].items()
    }
    notes = data["notes"]
    pools = {}
    for name, lines in data["lines"].items():
        says = [_say(line, notes) for line in lines]
        pools[name] = (tuple(s for s in says if s.ours), tuple(s for s in says if not s.ours))
    stories = tuple(
        _Story(
            story["member"],
            story["sender"],
            tuple(
                _Filler(part["count"], *pools[part["filler"]]) if "filler" in part else _say(part, notes)
                for part in story["script"]
            ),
            story.get("unread", 0),
            story.get("same_time_as"),
        )
        for story in data["stories"]
    )
    return senders, members, stories


_SENDERS, _MEMBERS, _STORIES = _load(DATA)

SENDER_ACCOUNTS: dict[str, str] = {s.account_id: s.name for s in _SENDERS.values()}
"""The workspace's sender accounts: accountId -> the rep's name."""


# --------------------------------------------------------------------------------------------
# Building the documents
# --------------------------------------------------------------------------------------------


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
    doc.update(
        {
            "type": file.mime,
            "size": file.size,
            "url": f"https://media.licdn.com/dms/{folder}/v2/{_b64id(rng, 9)}/messaging-attachment/0/",
        }
    )
    return doc


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
            answered = any(not s.ours for s in says[i + 1 :])
            statuses.append("read" if answered else "unknown")
    statuses.reverse()

    us_contact, them_contact = sender.contact, member.contact()
    messages: list[dict[str, Any]] = []
    for say, at, status in zip(says, times, statuses):
        text = say.text.format(first=member.first or "there", me=sender.first)
        kind = "TEXT"
        if say.file is not None:
            kind = "IMAGE" if say.file.mime.startswith("image/") else "FILE"
        messages.append(
            {
                "id": "2-" + _b64id(rng, 24),
                "content": text,
                "sender": us_contact if say.ours else them_contact,
                "recipient": them_contact if say.ours else us_contact,
                "direction": "sent" if say.ours else "received",
                "sentAt": iso(at),
                "readStatus": status,
                "contentType": kind,
                "attachments": [_attachment(rng, say.file)] if say.file else [],
            }
        )

    participant: dict[str, Any] = {"id": member.public_id}
    if member.name:
        participant["name"] = member.name
    participant["profileUrl"] = member.profile_url
    participant["profilePicture"] = (
        f"https://media.licdn.com/dms/image/v2/{_b64id(rng, 9)}/profile-displayphoto-shrink_100_100/0/"
        if member.picture
        else None
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
        "lastMessage": {
            "content": preview(last["content"], PREVIEW_CHARS),
            "sentAt": last["sentAt"],
            "direction": last["direction"],
        },
        "lastActivityAt": last["sentAt"],
        "unreadCount": unread,
        "createdAt": messages[0]["sentAt"],
        "updatedAt": iso(updated),
        "messages": messages,
    }


def build_conversations(
    *, seed: int = 7, now: datetime | None = None, **variants: Unpack[Variants]
) -> list[dict[str, Any]]:
    """Deterministic, realistic data set: one document per conversation, in the exact wire shape
    of a GET /v1/inbox/conversations row (id, accountId, participants, lastMessage,
    lastActivityAt, unreadCount, createdAt, updatedAt) plus `messages`, the full message objects of
    the messages endpoint, oldest first. All times lie before `now` (default: the start of the
    current UTC day). `variants` turn on observed variants (see `Variants`); without them the
    data is the same, byte for byte, as it always was."""
    now = sandbox_now(now)
    rng = Random(seed)
    ends: dict[str, datetime] = {}
    for story in _STORIES:
        ends[story.member] = _last_activity(rng, now, story.unread > 0)
    for story in _STORIES:
        if story.same_time_as:
            ends[story.member] = ends[story.same_time_as]
    built = [_build(story, rng, now, ends[story.member]) for story in _STORIES]
    return vary(built, **variants)


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


class Variants(TypedDict, total=False):
    """The observed variants of the data, each off unless given:

    - `member_ids`: every member (leads and our senders) has a LinkedIn member id `ACoAA...`
      and a profile URL made of it;
    - `own_sender_listed`: the sender account's own LinkedIn member is listed among the
      participants, before the lead in some rows and after it in others;
    - `trailing_whitespace`: every message's content (and the row's preview of the last one)
      ends with spaces or newlines;
    - `images_without_attachments`: IMAGE messages come with `attachments: []`;
    - `direction_names`: (ours, theirs) replace `sent` and `received`, in messages and rows.
    """

    member_ids: bool
    own_sender_listed: bool
    trailing_whitespace: bool
    images_without_attachments: bool
    direction_names: tuple[str, str] | None


def vary(conversations: list[dict[str, Any]], **variants: Unpack[Variants]) -> list[dict[str, Any]]:
    """`conversations` (as `build_conversations` makes them) with the observed `variants` on, on a
    copy; with none on, `conversations` themselves."""
    unknown = variants.keys() - Variants.__annotations__.keys()
    if unknown:
        raise TypeError(f"unknown variants: {', '.join(sorted(unknown))}")
    if not any(variants.values()):
        return conversations
    member_ids = variants.get("member_ids", False)
    own_sender_listed = variants.get("own_sender_listed", False)
    trailing_whitespace = variants.get("trailing_whitespace", False)
    images_without_attachments = variants.get("images_without_attachments", False)
    direction_names = variants.get("direction_names")
    docs = copy.deepcopy(conversations)
    for c in docs:
        rng = Random(f"vary:{c['id']}")
        sender = _SENDER_BY_ACCOUNT.get(c["accountId"])
        if own_sender_listed and sender is not None:
            us = {
                **sender.contact,
                "profilePicture": f"https://media.licdn.com/dms/image/v2/{_b64id(rng, 9)}/"
                "profile-displayphoto-shrink_100_100/0/",
            }
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
            last["content"] += c["messages"][-1]["content"][len(c["messages"][-1]["content"].rstrip()) :]
        if direction_names:
            last["direction"] = direction_names[0] if last["direction"] == "sent" else direction_names[1]
    return docs
