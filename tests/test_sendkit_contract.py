"""SendKit's documented JSON (seeds 000 and 001, and the shapes of PROVIDERS.md's second reading)
parses exactly and maps to the expected domain values."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime

import pytest
from documented import LIST_V2, THREAD_OLD
from seed_json import SEEDS, json_examples

from leadinbox_mcp.providers.sendkit import wire
from leadinbox_mcp.providers.sendkit.client import (
    SendKitClient,
    SendKitSettings,
    _direction,
    _following,
    _message,
    _parse_token,
    _person,
    _unread,
)

LIST = json_examples("000")[0]
THREAD = next(e for e in json_examples("001") if "data" in e)
ERROR = next(e for e in json_examples("001") if "error" in e)


def test_seed_copies_are_the_verbatim_pages():
    """tests/seeds/SHA256SUMS was written when the copies were checked byte for byte against the
    doc pages they copy: a copy edited since (to make a test pass, say) fails here."""
    sums = dict(line.split()[::-1] for line in (SEEDS / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(p.name for p in SEEDS.glob("*.txt"))
    for copy_ in SEEDS.glob("*.txt"):
        assert hashlib.sha256(copy_.read_bytes()).hexdigest() == sums[copy_.name], copy_.name


def test_list_seed_parses_every_documented_field():
    listing = wire.InboxList.model_validate(LIST)
    row = listing.data[0]
    assert row.id == "664a1b2c3d4e5f6a7b8c9d0e"
    assert (row.lead.id, row.lead.email, row.lead.first_name, row.lead.last_name, row.lead.company_name) == (
        "664a1b2c3d4e5f6a7b8c9d01",
        "jane@example.com",
        "Jane",
        "Doe",
        "Acme Inc",
    )
    assert (row.campaign.id, row.campaign.name) == ("664a1b2c3d4e5f6a7b8c9d02", "Q1 Outreach")
    assert (row.status, row.ai_tag, row.tags, row.message_count) == ("active", "interested", ["vip"], 4)
    assert row.replied_at == datetime(2024, 6, 1, 14, 30, tzinfo=UTC)
    assert row.last_message.is_from_lead is True and row.last_message.read is False
    assert row.last_message.from_ == "jane@example.com"
    assert (listing.pagination.total, listing.pagination.page, listing.pagination.limit, listing.pagination.pages) == (
        25,
        1,
        20,
        2,
    )


def test_list_seed_maps_to_the_domain_model():
    client = SendKitClient("sendkit", SendKitSettings(api_key="sk_x"), http=None, key_hint="SENDKIT_API_KEY")  # type: ignore[arg-type]
    row = wire.InboxList.model_validate(LIST).data[0]
    c = client._conversation(row.id, row)
    assert c.id == "664a1b2c3d4e5f6a7b8c9d0e" and c.provider == "sendkit"
    assert c.correspondent.name == "Jane Doe" and c.correspondent.email == "jane@example.com"
    assert c.correspondent.company == "Acme Inc"
    assert c.tags == ("interested", "vip")
    assert c.unread is True  # lastMessage from the lead, read false
    assert c.last_activity_at == datetime(2024, 6, 1, 14, 30, tzinfo=UTC)
    assert c.campaign == "Q1 Outreach" and c.message_count == 4
    assert c.snippet.startswith("Thanks for reaching out!")


def test_thread_seed_parses_and_maps():
    envelope = wire.ThreadEnvelope.model_validate(THREAD)
    d = envelope.data
    assert d.lead.job_title == "VP of Sales" and d.is_read is True and d.unread_count == 0
    sent, reply = d.messages
    assert (sent.type, sent.sequence_step, sent.opened, sent.clicked) == ("sent", 1, True, False)
    assert reply.attachments[0].filename == "proposal.pdf" and reply.attachments[0].size == 245000
    assert d.scheduled_replies[0].status == "pending"
    assert d.scheduled_replies[0].scheduled_for == datetime(2024, 6, 2, 9, tzinfo=UTC)

    lead = _person(d.lead)
    first, second = (_message(m, lead, _direction(m, lead)) for m in d.messages)
    assert first.direction == "outbound" and first.html == "<p>Hi Jane, I noticed Acme recently...</p>"
    assert second.direction == "inbound" and second.sender == lead
    assert second.html.startswith("<p>Thanks") and second.text.startswith("Thanks")
    assert second.attachments[0].content_type == "application/pdf"


def test_error_seed_shape():
    assert ERROR == {"error": "Not Found", "message": "The requested resource was not found", "code": 404}


def test_unknown_fields_and_missing_optionals_are_tolerated():
    data = copy.deepcopy(LIST)
    row = data["data"][0]
    row["brandNewField"] = {"nested": [1, 2]}
    row["lead"]["linkedinUrl"] = "https://example.com"
    for key in ("campaign", "aiTag", "tags", "repliedAt", "messageCount", "status"):
        row.pop(key)
    row["lead"] = {"email": "x@y.com"}
    row["lastMessage"] = None
    data["pagination"] = {"limit": 20, "hasMore": False, "nextCursor": None, "total": 1, "extra": True}
    listing = wire.InboxList.model_validate(data)
    client = SendKitClient("sendkit", SendKitSettings(api_key="sk_x"), http=None, key_hint="K")  # type: ignore[arg-type]
    c = client._conversation("x1", listing.data[0])
    assert c.correspondent.name is None and c.correspondent.email == "x@y.com"
    assert c.tags == () and c.unread is None and c.last_activity_at is None and c.snippet is None

    thread = copy.deepcopy(THREAD)
    thread["data"]["messages"].append({"type": "note", "content": "internal note", "createdAt": "2024-06-03T00:00:00Z"})
    thread["data"]["scheduledReplies"] = None
    thread["data"]["messages"][1]["attachments"] = None
    parsed = wire.ThreadEnvelope.model_validate(thread)
    assert parsed.data.scheduled_replies == [] and parsed.data.messages[1].attachments == []


# ------------------------------------------------------------------ the second reading's shapes


def client() -> SendKitClient:
    return SendKitClient("sendkit", SendKitSettings(api_key="sk_x"), http=None, key_hint="SENDKIT_API_KEY")  # type: ignore[arg-type]


def test_newer_list_page_parses_and_maps():
    listing = wire.InboxList.model_validate(LIST_V2)
    row = listing.data[0]
    assert (row.is_read, row.unread_count, row.last_message.read) == (False, 1, None)
    c = client()._conversation(row.id, row)
    assert c.unread is True and c.tags == ("interested", "vip") and c.message_count == 4
    p = listing.pagination
    assert (p.limit, p.total, p.has_more, p.next_cursor) == (20, 25, True, "664a1b2c3d4e5f6a7b8c9d0e")
    assert _following(p, 20, "first", "", 1) == ("20:cursor:664a1b2c3d4e5f6a7b8c9d0e", None)
    assert _parse_token("20:cursor:664a1b2c3d4e5f6a7b8c9d0e", 50) == (20, "cursor", "664a1b2c3d4e5f6a7b8c9d0e")


@pytest.mark.parametrize(
    ("is_read", "unread_count", "last", "expected"),
    [
        (False, 1, {"isFromLead": True}, True),  # the newer row
        (True, 0, {"isFromLead": True}, False),
        (None, None, {"isFromLead": True, "read": False}, True),  # the older row (seed 000)
        (None, None, {"isFromLead": True, "read": True}, False),
        # lastMessage.read is about the newest message only, which may be ours: the
        # conversation's own fields win when both are there.
        (False, 1, {"isFromLead": False, "read": True}, True),
        (True, 0, {"isFromLead": True, "read": False}, False),
        (None, 2, None, True),
        (True, None, None, False),
        # The two conversation fields disagree: unread wins.
        (True, 1, None, True),
        (False, 0, None, True),
        # Our own message last and nothing else: unknown, not "read".
        (None, None, {"isFromLead": False, "read": True}, None),
        (None, None, None, None),
    ],
)
def test_unread_state_from_either_row_shape(is_read, unread_count, last, expected):
    assert _unread(is_read, unread_count, wire.LastMessage.model_validate(last) if last else None) is expected


def test_older_thread_page_parses_and_maps():
    envelope = wire.ThreadEnvelope.model_validate(THREAD_OLD)
    assert envelope.data.is_read is None and envelope.data.messages[1].attachments == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"type": "sent"}, "outbound"),
        ({"type": "manual", "direction": "outbound"}, "outbound"),
        ({"type": "manual", "direction": " Inbound "}, "inbound"),
        ({"type": "manual", "direction": "incoming"}, "inbound"),
        ({"type": "manual", "direction": "outgoing"}, "outbound"),
        ({"type": "reply", "isFromLead": True}, "inbound"),
        ({"type": "reply", "isFromLead": False}, "outbound"),
        # No direction, or a word SendKit does not document: the addresses tell, else nothing.
        ({"type": "manual", "from": "Jane Doe <JANE@example.com>"}, "inbound"),
        (
            {"type": "manual", "direction": "logged", "from": "sales@mycompany.com", "to": "jane@example.com"},
            "outbound",
        ),
        ({"type": "manual", "direction": "logged"}, None),
        ({"type": "manual", "direction": "lead", "from": "sales@mycompany.com"}, None),
        ({"type": "manual"}, None),
    ],
)
def test_manual_directions_are_read_or_left_unknown(message, expected):
    lead = _person(wire.Lead.model_validate({"email": "jane@example.com"}))
    assert _direction(wire.ThreadMessage.model_validate(message), lead) == expected


def test_nulls_anywhere_in_a_thread_parse():
    thread = copy.deepcopy(THREAD)
    data = thread["data"]
    for key in ("id", "campaign", "status", "aiTag", "tags", "isRead", "unreadCount", "scheduledReplies"):
        data[key] = None
    data["lead"] = {key: None for key in data["lead"]}
    data["messages"].append(None)
    for message in data["messages"][:2]:
        for key in list(message):
            if key != "type":
                message[key] = None
    data["messages"][1]["attachments"] = [
        None,
        {"filename": None, "contentType": None, "size": None, "downloadUrl": None},
    ]
    d = wire.ThreadEnvelope.model_validate(thread).data
    assert d.id is None and d.tags == [] and len(d.messages) == 2
    assert len(d.messages[1].attachments) == 1 and d.messages[1].attachments[0].download_url is None


@pytest.mark.parametrize(
    ("kind", "position", "pagination", "rows", "expected"),
    [
        # page numbers (seed 000); the first page is asked without `page`
        ("first", "", {"total": 25, "page": 1, "limit": 20, "pages": 2}, 20, ("20:page:2", None)),
        ("page", "2", {"total": 25, "page": 2, "limit": 20, "pages": 2}, 5, (None, None)),
        ("first", "", {"total": 40}, 20, ("20:page:2", None)),
        ("first", "", {"total": 40, "limit": 10}, 10, ("20:page:2", None)),  # a server that serves fewer
        ("first", "", {}, 20, ("20:page:2", None)),
        ("first", "", {}, 7, (None, None)),
        # an empty page whose pagination says more follow does not end the listing
        ("page", "2", {"total": 60, "page": 2, "limit": 20, "pages": 4}, 0, ("20:page:3", None)),
        # cursors (second reading)
        (
            "first",
            "",
            {"limit": 20, "total": 25, "hasMore": True, "nextCursor": "abc:def"},
            20,
            ("20:cursor:abc:def", None),
        ),
        ("cursor", "abc", {"limit": 20, "total": 25, "hasMore": True, "nextCursor": "def"}, 0, ("20:cursor:def", None)),
        ("cursor", "abc", {"limit": 20, "total": 25, "hasMore": False, "nextCursor": None}, 5, (None, None)),
        ("cursor", "abc", {"limit": 20, "total": 25}, 20, (None, None)),
        # a cursor sent as a number is the same cursor, as text
        ("first", "", {"hasMore": True, "nextCursor": 1732965432}, 20, ("20:cursor:1732965432", None)),
    ],
)
def test_both_pagination_shapes(kind, position, pagination, rows, expected):
    assert _following(wire.Pagination.model_validate(pagination), 20, kind, position, rows) == expected
    if expected[0]:
        assert _parse_token(expected[0], 50)[0] == 20  # the page size travels with the token


@pytest.mark.parametrize(
    ("kind", "position", "pagination"),
    [
        ("first", "", {"limit": 20, "total": 25, "hasMore": True}),
        ("first", "", {"limit": 20, "total": 25, "hasMore": True, "nextCursor": None}),
        ("cursor", "abc", {"limit": 20, "total": 45, "hasMore": True, "nextCursor": ""}),
        # an answer to a cursor in page numbers: never followed by page number
        ("cursor", "abc", {"total": 60, "page": 1, "limit": 20, "pages": 3}),
    ],
)
def test_more_without_a_cursor_ends_with_a_reason_never_a_page_number(kind, position, pagination):
    token, note = _following(wire.Pagination.model_validate(pagination), 20, kind, position, 20)
    assert token is None and "no cursor" in note


@pytest.mark.parametrize("page", [-5, 0, 10**30])
def test_a_page_number_that_cannot_be_one_is_not_followed_into_a_bad_token(page):
    token, _ = _following(wire.Pagination.model_validate({"page": page, "pages": 10**31}), 20, "page", "3", 0)
    assert token == "20:page:4" and _parse_token(token, 20) == (20, "page", "4")


def test_the_first_page_token_and_bad_tokens():
    assert _parse_token(None, 30) == (30, "first", "")
    for bad in ["30:first:", "30:page:0", "30:page:x", "0:page:2", "101:page:2", "30:cursor:", "junk"]:
        with pytest.raises(ValueError):
            _parse_token(bad, 30)
