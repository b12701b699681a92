"""SendKit's documented JSON (seeds 000 and 001) parses exactly and maps to the expected domain values."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from seed_json import SEEDS, SHARED_SEEDS, json_examples

from inbox_mcp.providers.sendkit import wire
from inbox_mcp.providers.sendkit.client import (
    SendKitClient,
    SendKitSettings,
    _message,
    _next_token,
    _parse_token,
    _person,
)

LIST = json_examples("000")[0]
THREAD = next(e for e in json_examples("001") if "data" in e)
ERROR = next(e for e in json_examples("001") if "error" in e)


def test_seed_copies_match_the_shared_pages():
    if not SHARED_SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for copy_ in SEEDS.glob("*.txt"):
        assert copy_.read_bytes() == (SHARED_SEEDS / copy_.name).read_bytes(), copy_.name


def test_list_seed_parses_every_documented_field():
    listing = wire.InboxList.model_validate(LIST)
    row = listing.data[0]
    assert row.id == "664a1b2c3d4e5f6a7b8c9d0e"
    assert (row.lead.id, row.lead.email, row.lead.first_name, row.lead.last_name, row.lead.company_name) == (
        "664a1b2c3d4e5f6a7b8c9d01", "jane@example.com", "Jane", "Doe", "Acme Inc",
    )
    assert (row.campaign.id, row.campaign.name) == ("664a1b2c3d4e5f6a7b8c9d02", "Q1 Outreach")
    assert (row.status, row.ai_tag, row.tags, row.message_count) == ("active", "interested", ["vip"], 4)
    assert row.replied_at == datetime(2024, 6, 1, 14, 30, tzinfo=UTC)
    assert row.last_message.is_from_lead is True and row.last_message.read is False
    assert row.last_message.from_ == "jane@example.com"
    assert (listing.pagination.total, listing.pagination.page, listing.pagination.limit, listing.pagination.pages) == (25, 1, 20, 2)


def test_list_seed_maps_to_the_domain_model():
    client = SendKitClient("sendkit", SendKitSettings(api_key="sk_x"), http=None, key_hint="SENDKIT_API_KEY")  # type: ignore[arg-type]
    c = client._conversation(wire.InboxList.model_validate(LIST).data[0])
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
    first, second = (_message(m, lead) for m in d.messages)
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
    c = client._conversation(listing.data[0])
    assert c.correspondent.name is None and c.correspondent.email == "x@y.com"
    assert c.tags == () and c.unread is None and c.last_activity_at is None and c.snippet is None

    thread = copy.deepcopy(THREAD)
    thread["data"]["messages"].append({"type": "note", "content": "internal note", "createdAt": "2024-06-03T00:00:00Z"})
    thread["data"]["scheduledReplies"] = None
    thread["data"]["messages"][1]["attachments"] = None
    parsed = wire.ThreadEnvelope.model_validate(thread)
    assert parsed.data.scheduled_replies == [] and parsed.data.messages[1].attachments == []


@pytest.mark.parametrize(
    ("pagination", "expected"),
    [
        ({"total": 25, "page": 1, "limit": 20, "pages": 2}, "20:page:2"),
        ({"total": 25, "page": 2, "limit": 20, "pages": 2}, None),
        ({"limit": 20, "total": 25, "hasMore": True, "nextCursor": "abc:def"}, "20:cursor:abc:def"),
        ({"limit": 20, "total": 25, "hasMore": False, "nextCursor": None}, None),
        ({"total": 40}, "20:page:2"),
    ],
)
def test_both_pagination_shapes(pagination, expected):
    p = wire.Pagination.model_validate(pagination)
    assert _next_token(p, 20, {"page": 1} if "page" not in pagination else {"page": pagination["page"]}, 20) == expected
    if expected:
        assert _parse_token(expected, 50)[0] == 20  # the page size travels with the token

