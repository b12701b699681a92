"""InboxBase's documented JSON (seed 004, PROVIDERS.md) parses and maps to the expected domain values;
configuration, account naming and page tokens."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import httpx2
import pytest
from helpers import mock_http
from pydantic import ValidationError
from seed_json import json_examples, seed_text

from leadinbox_mcp.providers.inboxbase import wire
from leadinbox_mcp.providers.inboxbase.client import (
    InboxBaseClient,
    InboxBaseSettings,
    PageToken,
    account_names,
    accounts,
)
from leadinbox_mcp.providers.model import Message, Query

LIST = json_examples("004")[0]
MS_123 = datetime(1970, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
ISO = datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)

# The conversation shape of GET /v1/identities/{handle}/conversations/{convId}, as PROVIDERS.md and
# the InboxBase concepts page describe it: a projection plus `events[]`, discriminated by `type`.
THREAD = {
    "identity": "alice.acme@inboxbase.ai",
    "conversation": {
        "id": "conv_dd6e7130674645d3",
        "with": "morgan@northwindrobotics.com",
        "subject": "Quick intro — fleet rotation",
        "messageCount": 2,
        "archived": False,
        "labels": ["hot-lead"],
        "lastEventAt": 1777278929000,
        "noReplyAt": None,
        "lastNoReplyAt": None,
        "events": [
            {
                "id": "evt_01HF6YJZ4N0K3W2X9CPM7B8DG1",
                "type": "message",
                "ts": 1777000000000,
                "tsIso": "2026-04-24T03:06:40.000Z",
                "message": {
                    "id": "<a@mail>",
                    "direction": "outbound",
                    "from": "Alice <alice@acme-mail.com>",
                    "to": ["morgan@northwindrobotics.com"],
                    "subject": "Quick intro — fleet rotation",
                    "text": "Hi Morgan",
                    "html": "<p>Hi Morgan</p>",
                    "snippet": "Hi Morgan",
                },
            },
            {"id": "evt_2", "type": "no_reply_expired", "ts": 1777086400000, "waitedMs": 86400000},
            {
                "id": "evt_3",
                "type": "message",
                "ts": 1777200000000,
                "message": {
                    "direction": "inbound",
                    "from": "Morgan Lee <morgan@northwindrobotics.com>",
                    "to": "alice@acme-mail.com",
                    "subject": "Re: Quick intro — fleet rotation",
                    "text": "Sounds good\n\nOn Fri, Alice wrote:\n> Hi Morgan",
                    "attachments": [{"filename": "fleet.pdf", "contentType": "application/pdf", "size": 1200}],
                },
            },
            {"id": "evt_4", "type": "label_added", "ts": 1777200100000, "label": "hot-lead"},
            {"id": "evt_5", "type": "label_removed", "tsIso": "2026-04-26T12:00:00Z", "label": "cold"},
            {"id": "evt_6", "type": "archived", "ts": 1777278000000},
            {"id": "evt_7", "type": "unarchived", "ts": 1777278929000},
            {"id": "evt_8", "type": "reaction_added", "ts": 1777278929000, "emoji": "+1"},
        ],
    },
}


def client() -> InboxBaseClient:
    settings = InboxBaseSettings(api_key="sk_x", identity="alice.acme@inboxbase.ai")
    return InboxBaseClient("inboxbase", "alice.acme@inboxbase.ai", settings, http=None)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- seed 004


def test_the_seed_documents_the_parameters_this_client_uses():
    text = seed_text("004")
    for name in ("archived", "with", "withDomain", "since", "until", "cursor", "limit"):
        assert f"\n{name}\n" in text, name
    assert "lastEventAt <= until" in text and "lastEventAt >= since" in text
    assert "1 <= x <= 200" in text
    assert "We don’t track read state" in text


def test_list_seed_parses_every_documented_field():
    listing = wire.ConversationList.model_validate(LIST)
    assert listing.identity == "<string>" and listing.next_cursor == 123
    (row,) = listing.conversations
    assert (row.id, row.with_, row.subject, row.snippet) == ("<string>", "jsmith@example.com", "<string>", "<string>")
    assert (row.message_count, row.archived) == (123, True)
    assert (row.last_event_at, row.created_at) == (123, 123)
    assert row.last_event_at_iso == ISO and row.created_at_iso == ISO
    assert row.last_event == MS_123, "the milliseconds win over the ISO string"
    assert row.last_event_ms == 123


def test_list_seed_maps_to_the_domain_model():
    c = client()._conversation(wire.ConversationList.model_validate(LIST).conversations[0])
    assert c.id == "<string>" and c.provider == "inboxbase"
    assert c.correspondent.email == "jsmith@example.com" and c.correspondent.name is None
    assert c.subject == "<string>" and c.snippet == "<string>" and c.message_count == 123
    assert c.last_activity_at == MS_123
    assert c.unread is None, "InboxBase has no read state: unknown, never False"
    assert c.status == "archived" and c.tags == ()


def test_iso_timestamps_are_the_fallback():
    data = copy.deepcopy(LIST)
    row = data["conversations"][0]
    del row["lastEventAt"]
    parsed = wire.ConversationList.model_validate(data).conversations[0]
    assert parsed.last_event == ISO
    assert parsed.last_event_ms == 1699335116000
    row["lastEventAt"] = None
    row["lastEventAtIso"] = "2026-11-19T21:42:58.226Z"
    parsed = wire.ConversationList.model_validate(data).conversations[0]
    assert parsed.last_event == datetime(2026, 11, 19, 21, 42, 58, 226000, tzinfo=UTC)
    assert client()._conversation(parsed).last_activity_at.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1777278929000, 1777278929000),
        ("1777278929000", 1777278929000),
        (1777278929000.0, 1777278929000),
        ("2026-04-27T08:35:29Z", 1777278929000),
        ("2026-04-27T08:35:29", 1777278929000),
        ("soon", None),
        (True, None),
        ([], None),
    ],
)
def test_milliseconds_are_read_tolerantly(value, expected):
    assert wire.to_millis(value) == expected


def test_unknown_fields_nulls_and_missing_optionals_are_tolerated():
    data = copy.deepcopy(LIST)
    row = data["conversations"][0]
    row["brandNewField"] = {"nested": [1, 2]}
    row["labels"] = ["vip", None]
    for key in ("subject", "snippet", "messageCount", "archived"):
        row[key] = None
    for key in ("createdAt", "createdAtIso", "lastEventAtIso"):
        del row[key]
    data["nextCursor"] = None
    data["extra"] = True
    listing = wire.ConversationList.model_validate(data)
    assert listing.next_cursor is None
    c = client()._conversation(listing.conversations[0])
    assert (c.subject, c.snippet, c.message_count, c.status) == (None, None, None, None)
    assert c.tags == ("vip",) and c.unread is None

    bare = wire.ConversationList.model_validate({"conversations": [{"id": "conv_1"}]})
    c = client()._conversation(bare.conversations[0])
    assert c.correspondent.email is None and c.last_activity_at is None
    assert wire.ConversationList.model_validate({}).conversations == []
    with pytest.raises(ValidationError):
        wire.ConversationList.model_validate({"conversations": [{"with": "no-id@example.com"}, {"with": "b@x.com"}]})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("rows", "note"),
    [
        ([], "InboxBase answered an empty page while giving a cursor to more, so its listing ends here"),
        ([{**LIST["conversations"][0], "id": "not an id/"}], "InboxBase listed conversations without a usable id"),
    ],
)
async def test_what_a_page_leaves_out_is_said(rows, note):
    """The seed's page (nextCursor 123) without rows, or with one whose id cannot be opened."""
    body = {**LIST, "conversations": rows}
    async with mock_http(lambda request: httpx2.Response(200, json=body)) as http:
        settings = InboxBaseSettings(api_key="sk_x", identity="alice.acme@inboxbase.ai")
        page = await InboxBaseClient("inboxbase", "alice.acme@inboxbase.ai", settings, http).list_page(
            Query(), None, 20
        )
    assert page.conversations == () and (page.next_token is None) == (rows == [])  # a row left out still counts
    assert [n for n in page.notes if n.startswith(f"inboxbase: {note}")], page.notes


# ------------------------------------------------------------------------------- the thread


@pytest.mark.anyio
async def test_a_thread_of_very_many_events_is_cut_to_its_newest_before_it_is_read():
    from leadinbox_mcp.providers.inboxbase.client import MAX_THREAD_EVENTS

    count = MAX_THREAD_EVENTS + 7_500
    events = [
        {"type": "message", "ts": 1_700_000_000_000 + i, "message": {"from": "Ana <ana@x.com>", "text": f"m{i}"}}
        for i in range(count)
    ]
    body = {"identity": "alice.acme@inboxbase.ai", "conversation": {"id": "c1", "with": "ana@x.com", "events": events}}
    async with mock_http(lambda request: httpx2.Response(200, json=body)) as http:
        settings = InboxBaseSettings(api_key="sk_x", identity="alice.acme@inboxbase.ai")
        thread = await InboxBaseClient("inboxbase", "alice.acme@inboxbase.ai", settings, http).get_thread("c1")
    assert len(thread.messages) == MAX_THREAD_EVENTS and thread.messages[-1].text == f"m{count - 1}"
    assert (
        thread.notes[0]
        == f"Only the newest {MAX_THREAD_EVENTS:,} of {count:,} events are read; older ones were left out."
    )


def test_thread_maps_messages_and_events():
    detail = wire.ThreadEnvelope.model_validate(THREAD).conversation
    thread = client()._thread(detail)
    c = thread.conversation
    assert c.id == "conv_dd6e7130674645d3" and c.tags == ("hot-lead",) and c.unread is None
    assert c.correspondent.email == "morgan@northwindrobotics.com"
    assert c.correspondent.name == "Morgan Lee", "the name comes from the correspondent's own message"
    assert c.last_activity_at == datetime(2026, 4, 27, 8, 35, 29, tzinfo=UTC)
    assert c.message_count == 2 and c.status == "active"
    assert c.subject == "Quick intro — fleet rotation"

    first, second = thread.messages
    assert first.direction == "outbound" and first.sender.email == "alice@acme-mail.com"
    assert first.text == "Hi Morgan" and first.html == "<p>Hi Morgan</p>" and first.kind == "message"
    assert first.at == datetime(2026, 4, 24, 3, 6, 40, tzinfo=UTC)
    assert second.direction == "inbound" and second.sender.name == "Morgan Lee"
    assert second.recipient == "alice@acme-mail.com" and second.html is None
    assert second.attachments[0].filename == "fleet.pdf" and second.attachments[0].size == 1200
    assert first.at < second.at

    kinds = [(e.kind, e.detail) for e in thread.events]
    assert kinds == [
        ("no_reply_expired", "no reply after 1 day"),
        ("label_added", "hot-lead"),
        ("label_removed", "cold"),
        ("archived", None),
        ("unarchived", None),
        ("reaction_added", None),
    ]
    assert thread.events[2].at == datetime(2026, 4, 26, 12, tzinfo=UTC), "ISO when there are no milliseconds"
    assert all(e.at.tzinfo is not None for e in thread.events)


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("inbound", "inbound"),
        ("INBOUND", "inbound"),
        ("received", "inbound"),
        ("incoming", "inbound"),
        ("in", "inbound"),
        ("outbound", "outbound"),
        ("sent", "outbound"),
        ("outgoing", "outbound"),
        ("out", "outbound"),
    ],
)
def test_directions_are_read_tolerantly(spelled, expected):
    data = copy.deepcopy(THREAD)
    data["conversation"]["events"] = [{"type": "message", "ts": 1, "message": {"direction": spelled, "text": "x"}}]
    (m,) = client()._thread(wire.ThreadEnvelope.model_validate(data).conversation).messages
    assert m.direction == expected


def test_message_variants_are_tolerated():
    data = copy.deepcopy(THREAD)
    data["conversation"]["events"] = [
        # flattened onto the event, body as an object, no direction: from the correspondent
        {
            "type": "message",
            "ts": 1000,
            "from": {"name": "Morgan", "email": "MORGAN@northwindrobotics.com"},
            "body": {"text": "plain", "html": "<b>rich</b>"},
        },
        # body as an HTML string, a sender that is neither side: direction unknown, never a guess
        {
            "type": "message",
            "tsIso": "2026-01-01T00:00:00Z",
            "message": {"from": "bot@acme-mail.com", "body": "<p>hi</p>"},
        },
        # only a snippet, a timestamp on the message, in a `data` payload
        {"type": "message", "data": {"message": {"direction": "inbound", "snippet": "just a snippet", "ts": 5000}}},
        # null message: taken as a message event without fields
        {"type": "message", "ts": 6000, "message": None, "direction": "inbound", "text": "flat"},
        {"type": "message", "ts": None, "message": {"direction": "outbound", "text": "undated", "attachments": None}},
    ]
    thread = client()._thread(wire.ThreadEnvelope.model_validate(data).conversation)
    messages = thread.messages
    assert [m.text for m in messages] == ["plain", "just a snippet", "flat", None, "undated"]
    assert messages[0].direction == "inbound" and messages[0].html == "<b>rich</b>"
    assert messages[0].sender.name == "Morgan"
    assert messages[3].html == "<p>hi</p>" and messages[3].sender.email == "bot@acme-mail.com"
    assert messages[3].direction == "unknown" and thread.notes == ()
    assert messages[1].at == datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC)
    assert messages[-1].at is None, "undated entries keep their place at the end"
    assert all(isinstance(m, Message) for m in messages)


# ------------------------------------------------------------------------------- second reading

# PROVIDERS.md, "Second reading", InboxBase (docs.12m.ai): the conversation detail's documented
# fields, and message events exactly as documented: no `direction`, `from` as "Name <address>",
# `to` / `cc` as strings. The field names and shapes are the documented ones; the values are ours.
DOCUMENTED = {
    "identity": "alice.acme@inboxbase.ai",
    "conversation": {
        "id": "conv_3f9a1c0d5e7b2a64",
        "with": "morgan@northwindrobotics.com",
        "subject": "Quick intro — fleet rotation",
        "messageCount": 3,
        "archived": False,
        "labels": ["hot-lead"],
        "lastEventAt": 1777290000000,
        "lastEventAtIso": "2026-04-27T11:40:00.000Z",
        "noReplyAt": 1777549200000,
        "noReplyAtIso": "2026-04-30T11:40:00.000Z",
        "lastNoReplyAt": 1777086400000,
        "lastNoReplyAtIso": "2026-04-25T03:06:40.000Z",
        "events": [
            {
                "id": "evt_01KQ3V6Q80A1B2C3D4E5F6G7H8",
                "type": "message",
                "ts": 1777000000000,
                "tsIso": "2026-04-24T03:06:40.000Z",
                "message": {
                    "id": "msg_01",
                    "from": "Alice Acme <alice.acme@inboxbase.ai>",
                    "to": "Morgan Lee <morgan@northwindrobotics.com>",
                    "cc": "",
                    "subject": "Quick intro — fleet rotation",
                    "text": "Hi Morgan",
                    "html": "<p>Hi Morgan</p>",
                    "snippet": "Hi Morgan",
                    "ts": 1777000000000,
                },
            },
            {
                "id": "evt_01KQ6DZ2R0A1B2C3D4E5F6G7H8",
                "type": "no_reply_expired",
                "ts": 1777086400000,
                "tsIso": "2026-04-25T03:06:40.000Z",
                "waitedMs": 86400000,
            },
            {
                "id": "evt_01KQ9XQZ00A1B2C3D4E5F6G7H8",
                "type": "message",
                "ts": 1777200000000,
                "tsIso": "2026-04-26T10:40:00.000Z",
                "message": {
                    "id": "msg_02",
                    "from": "Morgan Lee <Morgan@NorthwindRobotics.com>",
                    "to": "Alice Acme <alice.acme@inboxbase.ai>",
                    "cc": '"Park, Jo" <jo@northwindrobotics.com>, ops@northwindrobotics.com',
                    "subject": "Re: Quick intro — fleet rotation",
                    "text": "Sounds good",
                    "html": None,
                    "snippet": "Sounds good",
                    "ts": 1777200000000,
                },
            },
            {
                "id": "evt_01KQ9XT3M0A1B2C3D4E5F6G7H8",
                "type": "label_added",
                "ts": 1777200100000,
                "tsIso": "2026-04-26T10:41:40.000Z",
                "label": "hot-lead",
            },
            {
                "id": "evt_01KQCMR1G0A1B2C3D4E5F6G7H8",
                "type": "archived",
                "ts": 1777278000000,
                "tsIso": "2026-04-27T08:20:00.000Z",
            },
            {
                "id": "evt_01KQCNMDR8A1B2C3D4E5F6G7H8",
                "type": "unarchived",
                "ts": 1777278929000,
                "tsIso": "2026-04-27T08:35:29.000Z",
            },
            {
                "id": "evt_01KQCSM5G0A1B2C3D4E5F6G7H8",
                "type": "message",
                "ts": 1777290000000,
                "tsIso": "2026-04-27T11:40:00.000Z",
                "message": {
                    "id": "msg_03",
                    "from": "ALICE.ACME@InboxBase.ai",
                    "to": "Morgan Lee <morgan@northwindrobotics.com>, jo@northwindrobotics.com",
                    "cc": "",
                    "subject": "Re: Quick intro — fleet rotation",
                    "text": "Great, Thursday then.",
                    "html": "<p>Great, Thursday then.</p>",
                    "snippet": "Great, Thursday then.",
                    "ts": 1777290000000,
                },
            },
        ],
    },
}
MILLISECOND_FIELDS = ("lastEventAt", "noReplyAt", "lastNoReplyAt", "ts")


def documented_thread(data=DOCUMENTED):
    return client()._thread(wire.ThreadEnvelope.model_validate(data).conversation)


def test_documented_thread_maps_every_message_and_event():
    thread = documented_thread()
    c = thread.conversation
    assert c.id == "conv_3f9a1c0d5e7b2a64" and c.message_count == 3 and c.tags == ("hot-lead",)
    assert (c.correspondent.name, c.correspondent.email) == ("Morgan Lee", "morgan@northwindrobotics.com")
    assert c.last_activity_at == datetime(2026, 4, 27, 11, 40, tzinfo=UTC)
    first, reply, last = thread.messages
    assert [m.direction for m in thread.messages] == ["outbound", "inbound", "outbound"], "from against the identity"
    assert (first.sender.name, first.sender.email) == ("Alice Acme", "alice.acme@inboxbase.ai")
    assert (reply.sender.name, reply.sender.email) == ("Morgan Lee", "Morgan@NorthwindRobotics.com")
    assert last.sender.email == "ALICE.ACME@InboxBase.ai" and last.sender.name is None
    assert [m.at for m in thread.messages] == [
        datetime(2026, 4, 24, 3, 6, 40, tzinfo=UTC),
        datetime(2026, 4, 26, 10, 40, tzinfo=UTC),
        datetime(2026, 4, 27, 11, 40, tzinfo=UTC),
    ]
    assert [(p.name, p.email) for p in reply.cc] == [
        ("Park, Jo", "jo@northwindrobotics.com"),
        (None, "ops@northwindrobotics.com"),
    ]
    assert first.cc == () and last.recipient == "Morgan Lee <morgan@northwindrobotics.com>, jo@northwindrobotics.com"
    assert (reply.text, reply.html, first.html) == ("Sounds good", None, "<p>Hi Morgan</p>")
    assert [(e.kind, e.detail) for e in thread.events] == [
        ("no_reply_expired", "no reply after 1 day"),
        ("label_added", "hot-lead"),
        ("archived", None),
        ("unarchived", None),
    ], "lastNoReplyAt is that expiry: not repeated"
    assert thread.notes == ("InboxBase's no-reply timer for this conversation is set for 2026-04-30 11:40 UTC.",)


def test_iso_fields_stand_in_for_missing_milliseconds():
    iso_only = copy.deepcopy(DOCUMENTED)
    conversation = iso_only["conversation"]
    for obj in [
        conversation,
        *conversation["events"],
        *(e["message"] for e in conversation["events"] if "message" in e),
    ]:
        for key in MILLISECOND_FIELDS:
            obj.pop(key, None)
    assert documented_thread(iso_only) == documented_thread()


def test_an_expiry_named_only_by_last_no_reply_at_is_kept_once():
    data = copy.deepcopy(DOCUMENTED)
    events = data["conversation"]["events"]
    events.remove(next(e for e in events if e["type"] == "no_reply_expired"))
    data["conversation"].pop("lastNoReplyAt")
    thread = documented_thread(data)
    assert [(e.kind, e.at) for e in thread.events if e.kind == "no_reply_expired"] == [
        ("no_reply_expired", datetime(2026, 4, 25, 3, 6, 40, tzinfo=UTC))
    ]
    assert [e.kind for e in thread.events][:2] == ["no_reply_expired", "label_added"], "in its place in time"


def test_no_timer_note_when_the_timer_already_expired_or_is_absent():
    data = copy.deepcopy(DOCUMENTED)
    data["conversation"]["noReplyAt"] = data["conversation"]["lastNoReplyAt"]
    assert documented_thread(data).notes == ()
    data["conversation"]["noReplyAt"] = data["conversation"]["noReplyAtIso"] = None
    assert documented_thread(data).notes == ()


IDENTITY, CORRESPONDENT = "alice.acme@inboxbase.ai", "morgan@northwindrobotics.com"


@pytest.mark.parametrize(
    ("message", "direction", "sender"),
    [
        ({"from": f"Alice <{IDENTITY}>"}, "outbound", IDENTITY),
        ({"from": "alice.ACME@INBOXBASE.AI"}, "outbound", "alice.ACME@INBOXBASE.AI"),
        ({"from": "Morgan <MORGAN@northwindrobotics.com>", "to": "x@y.com"}, "inbound", "MORGAN@northwindrobotics.com"),
        # a third party: bounce to the identity; a colleague copying the identity
        (
            {"from": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "to": IDENTITY},
            "inbound",
            "mailer-daemon@googlemail.com",
        ),
        (
            {"from": "jo@northwindrobotics.com", "to": CORRESPONDENT, "cc": f"Alice <{IDENTITY}>"},
            "inbound",
            "jo@northwindrobotics.com",
        ),
        # another of our mailboxes, writing to the correspondent
        (
            {"from": "Alice <alice@acme-mail.com>", "to": f"Morgan Lee <{CORRESPONDENT}>"},
            "outbound",
            "alice@acme-mail.com",
        ),
        # a hostile display name does not make the sender the identity
        ({"from": f'"{IDENTITY}" <mallory@evil.test>', "to": "someone@else.test"}, "unknown", "mallory@evil.test"),
        ({"to": "", "cc": ""}, "unknown", None),
        ({"direction": "outbound", "from": CORRESPONDENT}, "outbound", CORRESPONDENT),
    ],
)
def test_direction_is_told_by_the_addresses(message, direction, sender):
    data = copy.deepcopy(DOCUMENTED)
    data["conversation"]["events"] = [{"type": "message", "ts": 1, "message": {"text": "x", **message}}]
    thread = documented_thread(data)
    (m,) = thread.messages
    assert m.direction == direction and (m.sender.email if m.sender else None) == sender
    if direction == "unknown":
        assert m.sender is None or m.sender.email != CORRESPONDENT, "never passed off as the correspondent"
    assert not any("direction" in note for note in thread.notes)


@pytest.mark.parametrize(
    ("value", "name", "address"),
    [
        ("Morgan Lee <morgan@example.com>", "Morgan Lee", "morgan@example.com"),
        ('"Lee, Morgan" <morgan@us.example.com>', "Lee, Morgan", "morgan@us.example.com"),
        ("morgan@example.com", None, "morgan@example.com"),
        ("<morgan@example.com>", None, "morgan@example.com"),
        ("morgan@example.com (Morgan Lee)", "Morgan Lee", "morgan@example.com"),
        ("Morgan Lee", "Morgan Lee", None),
        ('"ceo@acme.com" <mallory@evil.test>', "ceo@acme.com", "mallory@evil.test"),
        ('"Evil <ceo@acme.com>" <mallory@evil.test>', "Evil ceo@acme.com", "mallory@evil.test"),
        ("Bob <bob@acme.com> <mallory@evil.test>", "Bob bob@acme.com", "mallory@evil.test"),
        ("morgan@example.com <morgan@example.com>", None, "morgan@example.com"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_mailboxes_the_address_wins_over_the_display_name(value, name, address):
    assert wire.mailbox(value) == (name, address)


def test_mailbox_lists_split_outside_quotes_and_brackets():
    assert wire.mailboxes(['Ana <ana@x.com>, "Doe, Jo" <jo@y.com>', "", "bo@z.com"]) == [
        ("Ana", "ana@x.com"),
        ("Doe, Jo", "jo@y.com"),
        (None, "bo@z.com"),
    ]
    assert len(wire.mailboxes(['"a' * 50_000])) == 1, "an unterminated quote stays one mailbox"


def test_a_field_of_thousands_of_addresses_gives_its_first_hundred():
    """One 15 MB `to` of 3.7 million addresses held the server for 27.9 s."""
    many = ",".join(f"p{i}@x.com" for i in range(5_000))
    assert wire.mailboxes([many]) == [(None, f"p{i}@x.com") for i in range(100)]
    quoted = ", ".join(f'"P, {i}" <p{i}@x.com>' for i in range(5_000))
    assert wire.mailboxes([quoted, many]) == [(f"P, {i}", f"p{i}@x.com") for i in range(100)]


def test_with_in_name_form_gives_the_bare_address_and_the_name():
    data = copy.deepcopy(LIST)
    rows = data["conversations"]
    rows[0]["with"] = "Morgan Lee <morgan@us.example.com>"
    rows.append({"id": "conv_00000000000000a1", "with": '"morgan@us.example.com" <mallory@evil.test>'})
    named, hostile = (client()._conversation(r) for r in wire.ConversationList.model_validate(data).conversations)
    assert (named.correspondent.name, named.correspondent.email) == ("Morgan Lee", "morgan@us.example.com")
    assert hostile.correspondent.email == "mallory@evil.test"

    thread = copy.deepcopy(DOCUMENTED)
    thread["conversation"]["with"] = "M. Lee <morgan@northwindrobotics.com>"
    lead = documented_thread(thread).conversation.correspondent
    assert (lead.name, lead.email) == ("M. Lee", "morgan@northwindrobotics.com"), "the API's own name for the lead"
    assert [m.direction for m in documented_thread(thread).messages] == ["outbound", "inbound", "outbound"]


def test_documented_error_texts_are_read():
    from leadinbox_mcp.providers.http import _detail

    for text in ("missing api key", "invalid api key format", "invalid api key"):
        assert _detail(json.dumps({"error": text}).encode(), ()) == text
    body = json.dumps({"error": "identity not found in org", "details": {"handle": "alice.acme@inboxbase.ai"}}).encode()
    assert _detail(body, ()) == "identity not found in org"


def test_documented_key_and_id_formats_are_tolerated():
    made = accounts(InboxBaseSettings(api_key="sk_live_4f8c2a9e1b7d3c6a", identity="alice.acme@inboxbase.ai"))(None)  # type: ignore[arg-type]
    (account,) = made
    assert account.valid_id("conv_3f9a1c0d5e7b2a64")
    event = wire.Event.model_validate(DOCUMENTED["conversation"]["events"][0])
    assert event.id == "evt_01KQ3V6Q80A1B2C3D4E5F6G7H8" and event.at == datetime(2026, 4, 24, 3, 6, 40, tzinfo=UTC)


def test_thread_with_nulls_and_missing_fields():
    data = {"conversation": {"id": "conv_1", "with": None, "labels": None, "events": None, "archived": None}}
    thread = client()._thread(wire.ThreadEnvelope.model_validate(data).conversation)
    assert thread.messages == () and thread.events == ()
    assert thread.conversation.message_count == 0 and thread.conversation.last_activity_at is None
    with pytest.raises(ValidationError):
        wire.ThreadEnvelope.model_validate({"identity": "x"})


def test_error_body_shape_is_the_documented_one():
    from leadinbox_mcp.providers.http import _detail

    body = b'{"error": "identity not found in org", "details": {"handle": "alice.acme@inboxbase.ai"}}'
    assert _detail(body, ()) == "identity not found in org"


# ------------------------------------------------------------------------------- configuration


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("INBOXBASE_API_KEY", "sk_live_abc")
    monkeypatch.setenv(
        "INBOXBASE_IDENTITY", " alice.acme@inboxbase.ai , bob.acme@inboxbase.ai,,ALICE.acme@inboxbase.ai "
    )
    monkeypatch.delenv("INBOXBASE_BASE_URL", raising=False)
    settings = InboxBaseSettings()
    assert settings.base_url == "https://api.inboxbase.ai"
    assert settings.handles() == ["alice.acme@inboxbase.ai", "bob.acme@inboxbase.ai"]
    made = accounts(InboxBaseSettings())(None)  # type: ignore[arg-type]
    assert [(a.account, a.handle) for a in made] == [
        ("inboxbase-alice.acme", "alice.acme@inboxbase.ai"),
        ("inboxbase-bob.acme", "bob.acme@inboxbase.ai"),
    ]
    assert all(a.provider == "inboxbase" and a.label == "InboxBase" for a in made)
    monkeypatch.setenv("INBOXBASE_BASE_URL", "ftp://example.com")
    with pytest.raises(ValidationError, match="INBOXBASE_BASE_URL"):
        InboxBaseSettings()


def test_a_key_without_an_identity_is_a_configuration_error():
    with pytest.raises(ValueError, match="INBOXBASE_IDENTITY") as raised:
        accounts(InboxBaseSettings(api_key="sk_live_secret", identity=" , "))
    assert "sk_live_secret" not in str(raised.value)
    assert accounts(InboxBaseSettings(api_key=None, identity="a@inboxbase.ai"))(None) == []  # type: ignore[arg-type]
    assert accounts(InboxBaseSettings(api_key="  ", identity=None))(None) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("handles", "names"),
    [
        (["alice.acme@inboxbase.ai"], ["inboxbase"]),
        (["Alice.Acme@inboxbase.ai", "bob+sales@inboxbase.ai"], ["inboxbase-alice.acme", "inboxbase-bob-sales"]),
        (
            ["sam@inboxbase.ai", "sam@inboxbase.eu", "kim@inboxbase.ai"],
            ["inboxbase-sam-inboxbase.ai", "inboxbase-sam-inboxbase.eu", "inboxbase-kim"],
        ),
        (["a+b@x.ai", "a-b@x.ai"], ["inboxbase-a-b-x.ai", "inboxbase-a-b-x.ai-2"]),
        (["no-at-sign", "zoë@inboxbase.ai"], ["inboxbase-no-at-sign", "inboxbase-zo-"]),
    ],
)
def test_account_names(handles, names):
    assert account_names(handles) == names
    assert all(":" not in n for n in names)


def test_client_refuses_an_account_name_with_a_colon():
    settings = InboxBaseSettings(api_key="sk_x", identity="a@inboxbase.ai")
    with pytest.raises(ValueError):
        InboxBaseClient("inbox:base", "a@inboxbase.ai", settings, http=None)  # type: ignore[arg-type]


def test_capabilities_and_ids():
    caps = InboxBaseClient.capabilities
    assert caps.domain == "exact" and caps.max_page_size == 200 and caps.since is True
    assert caps.read_state is False, "no read state at all: unread is unknown, never False"
    assert not (caps.unread or caps.tag or caps.campaign or caps.text)
    c = client()
    assert c.valid_id("conv_dd6e7130674645d3")
    for bad in ("", "../etc/passwd", "conv 1", "conv/1", "x" * 200, "-leading"):
        assert not c.valid_id(bad), bad


# ------------------------------------------------------------------------------- page tokens


def test_page_tokens_round_trip():
    for token in (PageToken(20), PageToken(7, 1777278929000, ("AbCd-_12", "zzzzzzzz")), PageToken(1, 0)):
        assert PageToken.decode(token.encode()) == token
    assert PageToken(7, 5, ("AbCd-_12",)).encode() == "ib1:7:5:AbCd-_12"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "20",
        "20:page:2",
        "ib2:5:-:",
        "ib1:0:-:",
        "ib1:201:-:",
        "ib1:x:-:",
        "ib1:5:soon:",
        "ib1:5:-:AbCd-_12",
        "ib1:5:10:short",
        "ib1:5:10:AbCd-_12:extra",
        "ib1:5:10:" + ".".join(["AbCd-_12"] * 200),
    ],
)
def test_tokens_this_client_did_not_make_are_refused(bad):
    with pytest.raises(ValueError):
        PageToken.decode(bad)
