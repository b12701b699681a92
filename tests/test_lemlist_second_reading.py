"""The shapes of lemlist's second, wider reading (PROVIDERS.md, "Second reading", lemlist) parse
and map to what a person would see: the paginated thread, the "Inbox Message" object,
`campaignName`, `cc[]`, `attachments[]`, a fractional `sequenceStep`, every documented activity
type, legacy inbox rows. The JSON below is written from those documented shapes (field names as
documented; the values are ours, since the pages give field lists, not examples)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadinbox_mcp.providers.lemlist import wire
from leadinbox_mcp.providers.lemlist.client import (
    LemlistClient,
    LemlistSettings,
    direction_of,
    thread_from_activities,
)
from leadinbox_mcp.providers.model import Attachment, Conversation, Person

CONTACT = "ctc_wfKeM8EmiTikud7QE"

# GET /api/inbox/{contactId}: `{data[], pagination{totalItems, currentPage, nextPage,
# previousPage, perPage, totalPages}}` (lemlist OpenAPI).
PAGINATED_THREAD = {
    "data": [
        {
            "_id": "act_reply",
            "type": "emailsReplied",
            "createdAt": "2026-11-19T10:00:00.000Z",
            "message": "<div>Thursday works.</div>",
            "leadEmail": "dana@acme.com",
            "sendUserEmail": "sam@pipewise.io",
            "contactId": CONTACT,
        },
        {
            "_id": "act_sent",
            "type": "emailsSent",
            "createdAt": "2026-11-18T09:00:00.000Z",
            "message": "<p>Hi Dana</p>",
            "subject": "Forecasting",
            "sequenceStep": 0,
            "sendUserName": "Sam Lee",
            "sendUserEmail": "sam@pipewise.io",
            "leadEmail": "dana@acme.com",
            "contactId": CONTACT,
        },
    ],
    "pagination": {
        "totalItems": 12,
        "currentPage": 1,
        "nextPage": 2,
        "previousPage": None,
        "perPage": 2,
        "totalPages": 6,
    },
}

# The "Inbox Message" object: {_id, conversationId, sender, recipient, body, sentAt}, all
# strings, sentAt a date-time.
INBOX_MESSAGES = [
    {
        "_id": "msg_1",
        "conversationId": "ibx_gpcNQfmQx6CAjgXqA",
        "sender": "sam@pipewise.io",
        "recipient": "dana@acme.com",
        "body": "<p>Hi Dana, 20 minutes next week?</p>",
        "sentAt": "2026-11-18T09:00:00.000Z",
    },
    {
        "_id": "msg_2",
        "conversationId": "ibx_gpcNQfmQx6CAjgXqA",
        "sender": "dana@acme.com",
        "recipient": "sam@pipewise.io",
        "body": "Thursday 2pm works.",
        "sentAt": "2026-11-19T10:00:00.000Z",
    },
]

# Legacy list rows: no `contact`; `opportunities` as objects `{id, type, done}`; a null
# `lastRepliedAt`. The second row has no contact id at all (not documented: the extreme).
LEGACY_LIST = {
    "data": [
        {
            "_id": "ibx_legacyRow0000001",
            "contactId": "ctc_legacyContact01",
            "lastActivityAt": "2026-11-19T10:00:00.000Z",
            "lastRepliedAt": None,
            "haveReplies": True,
            "users": [{"userId": "usr_t2KCwPen66NrrqGtQ", "sender": True, "read": False}],
            "opportunities": [
                {"id": "opp_1", "type": "deal", "done": False},
                {"id": "opp_2", "type": "meeting", "done": True},
            ],
        },
        {
            "_id": "ibx_legacyRow0000002",
            "lastActivityAt": "2026-11-18T10:00:00.000Z",
            "lastRepliedAt": None,
            "opportunities": [],
        },
    ],
    "pagination": {
        "totalItems": 2,
        "currentPage": 1,
        "nextPage": None,
        "previousPage": None,
        "perPage": 10,
        "totalPages": 1,
    },
}


def activities(data: list[dict]) -> list[wire.Activity]:
    return wire.ContactMessages.model_validate({"data": data}).data


def listed(email: str | None = None, name: str | None = None) -> Conversation:
    """The contact as an earlier listing knew it."""
    return Conversation(
        id=CONTACT, provider="lemlist", correspondent=Person(name=name, email=email), last_activity_at=None, unread=True
    )


# ------------------------------------------------------------------------------- the paginated thread


def test_the_paginated_thread_parses_with_its_pagination():
    parsed = wire.ContactMessages.model_validate(PAGINATED_THREAD)
    p = parsed.pagination
    assert (p.total_items, p.current_page, p.next_page, p.previous_page, p.per_page, p.total_pages) == (
        12,
        1,
        2,
        None,
        2,
        6,
    )
    assert [a.id for a in parsed.data] == ["act_reply", "act_sent"]  # as sent: this one newest first
    thread = thread_from_activities(CONTACT, "lemlist", parsed.data)
    assert [m.direction for m in thread.messages] == ["outbound", "inbound"]  # oldest first
    assert thread.notes == ()  # thread_from_activities maps; what was not read is get_thread's to say


def test_a_count_that_is_not_a_whole_number_is_unknown_not_a_failure():
    parsed = wire.ContactMessages.model_validate(
        {
            **PAGINATED_THREAD,
            "pagination": {"totalItems": 12.5, "currentPage": "1", "nextPage": True, "perPage": 2.0, "totalPages": [6]},
        }
    )
    p = parsed.pagination
    assert (p.total_items, p.current_page, p.next_page, p.per_page, p.total_pages) == (None, 1, None, 2, None)
    assert len(parsed.data) == 2


# ------------------------------------------------------------------------------- the "Inbox Message" object


def test_the_inbox_message_object_parses():
    (a, b) = activities(INBOX_MESSAGES)
    assert (a.id, a.conversation_id, a.sender, a.recipient) == (
        "msg_1",
        "ibx_gpcNQfmQx6CAjgXqA",
        "sam@pipewise.io",
        "dana@acme.com",
    )
    assert a.text == "<p>Hi Dana, 20 minutes next week?</p>" and a.type is None
    assert a.at == datetime(2026, 11, 18, 9, tzinfo=UTC) and b.at == datetime(2026, 11, 19, 10, tzinfo=UTC)


def test_inbox_messages_render_as_messages_when_the_lead_is_known():
    thread = thread_from_activities(
        CONTACT, "lemlist", activities(INBOX_MESSAGES), listed("dana@acme.com", "Dana Whitfield")
    )
    ours, theirs = thread.messages
    assert (
        ours.direction == "outbound"
        and ours.sender == Person(email="sam@pipewise.io")
        and ours.recipient == "dana@acme.com"
    )
    assert ours.html == "<p>Hi Dana, 20 minutes next week?</p>" and ours.text is None
    assert theirs.direction == "inbound" and theirs.sender == thread.conversation.correspondent
    assert theirs.text == "Thursday 2pm works." and theirs.at == datetime(2026, 11, 19, 10, tzinfo=UTC)
    assert thread.events == () and thread.notes == ()
    assert thread.conversation.message_count == 2 and thread.conversation.last_activity_at == theirs.at


def test_the_lead_known_by_name_only_places_a_linkedin_exchange():
    data = [
        {
            "_id": "m1",
            "sender": "sam@pipewise.io",
            "recipient": "Nina Sharp",
            "body": "Hi Nina",
            "sentAt": "2026-11-18T09:00:00Z",
        },
        {
            "_id": "m2",
            "sender": "Nina Sharp",
            "recipient": "sam@pipewise.io",
            "body": "Thanks",
            "sentAt": "2026-11-18T10:00:00Z",
        },
    ]
    thread = thread_from_activities(CONTACT, "lemlist", activities(data), listed(name="Nina Sharp"))
    assert [m.direction for m in thread.messages] == ["outbound", "inbound"]
    assert thread.messages[1].sender == Person(name="Nina Sharp")


def test_an_inbox_message_nobody_can_place_has_an_unknown_direction_and_the_thread_says_so():
    """Opened cold, nothing tells whether sam@pipewise.io is us or the lead: a guess could put
    the lead's words in our mouth, so each message keeps its parties and an unknown direction."""
    thread = thread_from_activities(CONTACT, "lemlist", activities(INBOX_MESSAGES), account="lemlist-eu")
    assert thread.events == ()
    assert [(m.direction, m.sender.email, m.recipient) for m in thread.messages] == [
        ("unknown", "sam@pipewise.io", "dana@acme.com"),
        ("unknown", "dana@acme.com", "sam@pipewise.io"),
    ]
    assert "20 minutes next week?" in (thread.messages[0].text or thread.messages[0].html)
    (note,) = thread.notes
    assert note.startswith("lemlist-eu: 2 messages of this thread") and "direction unknown" in note
    # Control: the same messages with the team's address known from elsewhere are placed.
    known = thread_from_activities(CONTACT, "lemlist", activities(INBOX_MESSAGES), team={"sam@pipewise.io"})
    assert [m.direction for m in known.messages] == ["outbound", "inbound"] and known.notes == ()
    assert known.conversation.correspondent.email == "dana@acme.com"  # our message went to her, and only her


def test_one_known_party_places_the_exchange_and_a_colleague_is_shown_as_himself():
    data = [
        {
            "_id": "m1",
            "sender": "Sam Lee <sam@pipewise.io>",
            "recipient": "dana@acme.com",
            "body": "Hi",
            "sentAt": "2026-11-18T09:00:00Z",
        },
        {
            "_id": "m2",
            "sender": "dana@acme.com",
            "recipient": "sam@pipewise.io",
            "body": "Adding Marcus",
            "sentAt": "2026-11-18T10:00:00Z",
        },
        {
            "_id": "m3",
            "sender": "Marcus Chen <marcus@acme.com>",
            "recipient": "Sam@Pipewise.io",
            "body": "Hello",
            "sentAt": "2026-11-18T11:00:00Z",
        },
        {
            "_id": "m4",
            "sender": "someone@else.org",
            "recipient": "other@else.org",
            "body": "?",
            "sentAt": "2026-11-18T12:00:00Z",
        },
    ]
    # A typed activity of the same thread says who "we" are.
    typed = {
        "_id": "a0",
        "type": "emailsOpened",
        "createdAt": "2026-11-18T09:30:00Z",
        "sendUserEmail": "sam@pipewise.io",
    }
    thread = thread_from_activities(CONTACT, "lemlist", activities([*data, typed]))
    assert [m.direction for m in thread.messages] == ["outbound", "inbound", "inbound", "unknown"]
    assert thread.messages[0].sender == Person(name="Sam Lee", email="sam@pipewise.io")
    assert thread.conversation.correspondent.email == "dana@acme.com"
    assert thread.messages[1].sender == thread.conversation.correspondent  # the lead herself
    assert thread.messages[2].sender == Person(name="Marcus Chen", email="marcus@acme.com")  # not the lead
    assert [e.kind for e in thread.events] == ["emailsOpened"]
    assert len(thread.notes) == 1 and "1 message of this thread" in thread.notes[0]


def test_a_message_both_sides_would_claim_stays_undecided():
    data = [
        {
            "_id": "m1",
            "sender": "sam@pipewise.io",
            "recipient": "priya@pipewise.io",
            "body": "internal",
            "sentAt": "2026-11-18T09:00:00Z",
        }
    ]
    thread = thread_from_activities(CONTACT, "lemlist", activities(data), team={"sam@pipewise.io", "priya@pipewise.io"})
    assert [m.direction for m in thread.messages] == ["unknown"] and thread.events == ()


def test_both_shapes_in_one_thread_keep_their_order():
    data = [PAGINATED_THREAD["data"][1], *INBOX_MESSAGES, PAGINATED_THREAD["data"][0]]
    thread = thread_from_activities(CONTACT, "lemlist", activities(data))
    assert [m.kind for m in thread.messages] == [
        "emailsSent",
        None,
        None,
        "emailsReplied",
    ]  # 18 Nov 9:00 twice, then 19 Nov
    assert [m.direction for m in thread.messages] == ["outbound", "outbound", "inbound", "inbound"]


# ------------------------------------------------------------------------------- activity fields


def test_campaign_name_cc_attachments_and_numeric_steps():
    data = [
        {
            "_id": "a1",
            "type": "emailsSent",
            "createdAt": "2026-11-18T09:00:00Z",
            "message": "Hi",
            "campaignName": "Q4 Outbound",
            "sequenceStep": 1.0,
            "sendUserEmail": "sam@pipewise.io",
            "cc": ["Marcus Chen <marcus@acme.com>", "ops@acme.com"],
            "attachments": [
                {"name": "pricing.pdf", "type": "application/pdf", "size": 86000},
                {"filename": "logo.png", "contentType": "image/png", "size": "1200"},
                "https://files.lemlist.com/t/deck.pptx",
                {"url": "https://x.io/a/b/brief.docx", "size": -3},
                7,
            ],
        },
        {
            "_id": "a2",
            "type": "emailsSent",
            "createdAt": "2026-11-19T09:00:00Z",
            "message": "Again",
            "sequenceStep": 1.5,
        },
        {
            "_id": "a3",
            "type": "emailsSent",
            "createdAt": "2026-11-20T09:00:00Z",
            "message": "Last",
            "sequenceStep": 2,
            "name": "older name field",
            "cc": "Ana <ana@acme.com>, bo@acme.com",
        },
    ]
    one, half, two = thread_from_activities(CONTACT, "lemlist", activities(data)).messages
    assert (one.sequence_step, half.sequence_step, two.sequence_step) == (2, None, 3)  # 0-based on the wire
    assert one.cc == (Person(name="Marcus Chen", email="marcus@acme.com"), Person(email="ops@acme.com"))
    assert two.cc == (Person(name="Ana", email="ana@acme.com"), Person(email="bo@acme.com"))
    assert one.attachments == (
        Attachment(filename="pricing.pdf", content_type="application/pdf", size=86000),
        Attachment(filename="logo.png", content_type="image/png", size=1200),
        Attachment(filename="deck.pptx"),
        Attachment(filename="brief.docx"),  # a negative size is no size
    )
    (a1, _, a3) = activities(data)
    assert a1.campaign_name == "Q4 Outbound" and a3.campaign_name == "older name field"
    assert thread_from_activities(CONTACT, "lemlist", activities(data[:1])).conversation.campaign == "Q4 Outbound"


@pytest.mark.parametrize("step", [1.5, -1, 1e300, float("inf"), float("nan"), "2", True])
def test_an_odd_sequence_step_never_fails_the_thread(step):
    (m,) = thread_from_activities(
        CONTACT, "lemlist", activities([{"type": "emailsSent", "message": "Hi", "sequenceStep": step}])
    ).messages
    assert m.sequence_step in (None, 2, 3)


# ------------------------------------------------------------------------------- activity types


# lemlist's developer docs list these; each is a message (and which way) or an event, as a
# person looking at the conversation would see it. All carry a text here: the type decides.
DOCUMENTED_TYPES = {
    "emailsSent": "outbound",
    "emailsOpened": None,
    "emailsClicked": None,
    "emailsReplied": "inbound",
    "emailsBounced": None,
    "emailsFailed": None,
    "linkedinVisitDone": None,
    "linkedinInviteDone": "outbound",  # an invitation with a note (without one: an event, below)
    "linkedinInviteAccepted": None,
    "linkedinSent": "outbound",
    "linkedinOpened": None,
    "linkedinReplied": "inbound",
    "linkedinInterested": None,
    "linkedinNotInterested": None,
    "linkedinSendFailed": None,
    "manualDone": None,
    "paused": None,
    "resumed": None,
    "skipped": None,
}


@pytest.mark.parametrize(("kind", "expected"), DOCUMENTED_TYPES.items())
def test_every_documented_activity_type_is_a_message_or_an_event(kind, expected):
    (a,) = activities(
        [{"_id": "a", "type": kind, "createdAt": "2026-11-18T09:00:00Z", "message": "Would love to connect"}]
    )
    assert direction_of(a) == expected
    thread = thread_from_activities(CONTACT, "lemlist", [a])
    if expected is None:
        assert thread.messages == () and [e.kind for e in thread.events] == [kind]
        assert thread.events[0].detail == "Would love to connect"
    else:
        assert thread.events == () and thread.messages[0].direction == expected
        assert thread.messages[0].text == "Would love to connect"


def test_an_invitation_without_a_note_is_an_event():
    (a,) = activities([{"type": "linkedinInviteDone", "createdAt": "2026-11-18T09:00:00Z"}])
    assert direction_of(a) is None


# ------------------------------------------------------------------------------- legacy rows


def test_legacy_rows_parse_and_the_one_with_a_contact_id_maps():
    rows = wire.InboxList.model_validate(LEGACY_LIST).data
    assert rows[0].contact == wire.Contact() and rows[0].last_replied_at is None
    assert rows[0].opportunities == [
        {"id": "opp_1", "type": "deal", "done": False},
        {"id": "opp_2", "type": "meeting", "done": True},
    ]
    client = LemlistClient("lemlist", LemlistSettings(api_key="k_1"), http=None, key_hint="LEMLIST_API_KEY")  # type: ignore[arg-type]
    first = client._conversation(rows[0])
    assert first is not None and first.id == "ctc_legacyContact01" and first.unread is True
    assert first.correspondent == Person()  # unknown, not invented
    assert first.last_activity_at == datetime(2026, 11, 19, 10, tzinfo=UTC)
    assert client._conversation(rows[1]) is None  # nothing to open it with (get_thread takes the contact id)
