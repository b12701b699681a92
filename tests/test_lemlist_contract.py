"""lemlist's documented JSON (seed 003, and the "Get Contact Messages" example) parses exactly and
maps to the expected domain values; activity types map to the right direction or to an Event."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime

import httpx2
import pytest
from helpers import mock_http
from pydantic import ValidationError
from seed_json import json_examples

from leadinbox_mcp.providers.http import bucket_for
from leadinbox_mcp.providers.lemlist import wire
from leadinbox_mcp.providers.lemlist.client import (
    RATE_LIMIT,
    LemlistClient,
    LemlistSettings,
    _next_token,
    _parse_token,
    accounts,
    direction_of,
    thread_from_activities,
)
from leadinbox_mcp.providers.model import Conversation, Person, Query
from leadinbox_mcp.tools.render.rows import row_line

LIST = json_examples("003")[0]

# The example of https://developer.lemlist.com/api-reference/endpoints/inbox/get-contact-messages
# (not in the seed pages; the message body is shortened).
CONTACT_MESSAGES = {
    "data": [
        {
            "_id": "act_vRoP8AMFMxqfSeDjR",
            "type": "emailsSent",
            "messageId": "<CAPLqhUKnWmszLsJxMO3osKL7YgU3-b_5kC+f4SvqYOVfzRc28g@mail.gmail.com>",
            "createdAt": "2024-12-05T16:39:41.416Z",
            "teamId": "tea_b4rMsi2trB42WyuWP",
            "leadId": "lea_jcw2hneu7qs7iYKBr",
            "campaignId": "cam_JnZqKnuSvoD4jsQuo",
            "sequenceId": "seq_BMMzxq84R32u4oNvQ",
            "sequenceStep": 0,
            "sendUserId": "usr_7RCLS4LdYP2oc8jmE",
            "sendUserName": "Camille INGOUF",
            "sendUserEmail": "camille@lemtest.com",
            "sendUserMailboxId": "usm_bn6KxhSrHZEak2NM6",
            "leadEmail": "victoire@lemlist.co",
            "contactId": "ctc_wfKeM8EmiTikud7QE",
            "message": '<html><div style="min-width: 360px"></div><div dir="ltr">\n    <div>Hello lemlist Team!'
            "<br><br>See you soon!<br><br>Camille INGOUF</div></div></html>",
        }
    ]
}


def client(**settings) -> LemlistClient:
    return LemlistClient(
        "lemlist", LemlistSettings(api_key="k_secret_1234", **settings), http=None, key_hint="LEMLIST_API_KEY"
    )  # type: ignore[arg-type]


def activity(**fields) -> wire.Activity:
    return wire.Activity.model_validate(fields)


# ------------------------------------------------------------------------------- the seed


def test_the_seed_repeats_one_example_and_it_parses_every_documented_field():
    examples = json_examples("003")
    assert examples[0] == examples[1]
    listing = wire.InboxList.model_validate(LIST)
    assert len(listing.data) == 4
    row = listing.data[0]
    assert row.id == "ibx_gpcNQfmQx6CAjgXqA" and row.contact_id == "ctc_wfKeM8EmiTikud7QE"
    assert row.opportunities == [] and row.channels == ["email"]
    assert row.last_activity_at == datetime(2024, 12, 17, 9, 42, 32, 971000, tzinfo=UTC)
    assert row.created_by == "act_mjdoySn9mkfbcMS5e" and row.team_id == "tea_b4rMsi2trB42WyuWP"
    assert [(u.user_id, u.sender, u.read) for u in row.users] == [
        ("usr_t2KCwPen66NrrqGtQ", True, True),
        ("usr_7RCLS4LdYP2oc8jmE", True, True),
    ]
    assert row.created_at == datetime(2024, 12, 3, 9, 52, 55, 466000, tzinfo=UTC)
    assert row.have_replies is True and row.last_replied_channel == "email"
    assert row.last_replied_at == datetime(2024, 12, 3, 10, 12, 20, 620000, tzinfo=UTC)
    assert (row.contact.id, row.contact.full_name) == ("ctc_wfKeM8EmiTikud7QE", "Victoire")
    assert row.contact.email == "[email protected]"  # the copy's obfuscation, kept as it comes
    assert listing.data[1].contact.full_name is None and listing.data[1].users[0].read is False
    p = listing.pagination
    assert (p.total_items, p.current_page, p.next_page, p.previous_page, p.per_page, p.total_pages) == (
        4,
        1,
        None,
        None,
        10,
        1,
    )


def test_the_seed_maps_to_the_domain_model():
    rows = [client()._conversation(r) for r in wire.InboxList.model_validate(LIST).data]
    assert [c.id for c in rows] == [
        "ctc_wfKeM8EmiTikud7QE",
        "ctc_miqxedLWeYvaZJGmj",
        "ctc_pywvuxsduA3T22NGR",
        "ctc_FdjS5TF5v47H53YPh",
    ]
    assert all(c.provider == "lemlist" and client().valid_id(c.id) for c in rows)
    assert [c.unread for c in rows] == [False, True, False, False]  # row 2: one user has read false
    assert rows[0].correspondent == Person(name="Victoire", email="[email protected]")
    assert rows[1].correspondent == Person(name=None, email="[email protected]")
    assert rows[0].last_activity_at == datetime(2024, 12, 17, 9, 42, 32, 971000, tzinfo=UTC)
    assert rows[0].snippet is None and rows[0].subject is None and rows[0].tags == ()


def test_a_contact_without_full_name_shows_its_email_and_nothing_shows_none():
    rows = [client()._conversation(r) for r in wire.InboxList.model_validate(LIST).data]
    lines = [
        row_line(f"lemlist:{c.id}", "lemlist", c, detailed=d, provider_shown=False) for c in rows for d in (False, True)
    ]
    assert "[email protected]" in lines[2] and "unread" in lines[2]
    assert all("None" not in line and "unknown" not in line for line in lines)


def test_ids_are_contact_ids_of_a_bounded_shape():
    c = client()
    assert c.valid_id("ctc_wfKeM8EmiTikud7QE")
    for bad in [
        "ibx_gpcNQfmQx6CAjgXqA",
        "ctc_",
        "ctc_../../etc",
        "ctc_a b",
        "wfKeM8EmiTikud7QE",
        "ctc_" + "a" * 65,
        "",
    ]:
        assert not c.valid_id(bad), bad


# ------------------------------------------------------------------------------- tolerance


def test_unknown_fields_nulls_and_missing_optionals_are_tolerated():
    data = copy.deepcopy(LIST)
    data["brandNew"] = {"x": 1}
    first, second, third, fourth = data["data"]
    first["aiSummary"] = "new field"
    first["contact"]["linkedinUrl"] = "https://linkedin.com/in/x"
    first["users"][0]["lastSeenAt"] = "2024-12-17T09:42:32.971Z"
    for key in (
        "opportunities",
        "channels",
        "lastRepliedAt",
        "lastRepliedChannel",
        "haveReplies",
        "createdBy",
        "teamId",
    ):
        second[key] = None
    second["users"] = None
    del third["contactId"]  # falls back to contact._id
    del third["lastActivityAt"]
    fourth["contact"] = None
    fourth["contactId"] = None  # no way to open it: skipped by list_page
    data["pagination"] = {"totalItems": None, "currentPage": 1, "nextPage": None, "perPage": 10, "extra": "x"}
    listing = wire.InboxList.model_validate(data)
    assert listing.data[1].users == [] and listing.data[1].channels == [] and listing.data[1].opportunities == []
    c = client()
    mapped = [c._conversation(r) for r in listing.data]
    assert mapped[0].id == "ctc_wfKeM8EmiTikud7QE"
    assert mapped[1].unread is None  # no users: read state unknown
    assert mapped[2].id == "ctc_pywvuxsduA3T22NGR"
    assert mapped[2].last_activity_at == datetime(2024, 12, 2, 16, 38, 35, 875000, tzinfo=UTC)  # lastRepliedAt
    assert mapped[3] is None
    assert wire.InboxList.model_validate({}).data == []
    # The row id opens nothing (the contact id does): a row without it is still listed.
    (bare,) = wire.InboxList.model_validate({"data": [{"contactId": "ctc_x"}]}).data
    assert bare.id is None and c._conversation(bare).id == "ctc_x"


def test_unread_needs_some_read_state():
    row = wire.InboxRow.model_validate(
        {"_id": "ibx_1", "contactId": "ctc_1", "users": [{"userId": "usr_1"}, {"userId": "usr_2", "read": True}]}
    )
    assert client()._conversation(row).unread is False
    row = wire.InboxRow.model_validate({"_id": "ibx_1", "contactId": "ctc_1", "users": [{"userId": "usr_1"}]})
    assert client()._conversation(row).unread is None


def test_contact_messages_parse_with_or_without_an_envelope():
    parsed = wire.ContactMessages.model_validate(CONTACT_MESSAGES)
    a = parsed.data[0]
    assert (a.id, a.type, a.sequence_step, a.send_user_name, a.send_user_email) == (
        "act_vRoP8AMFMxqfSeDjR",
        "emailsSent",
        0,
        "Camille INGOUF",
        "camille@lemtest.com",
    )
    assert (a.lead_email, a.contact_id, a.campaign_id, a.sequence_id) == (
        "victoire@lemlist.co",
        "ctc_wfKeM8EmiTikud7QE",
        "cam_JnZqKnuSvoD4jsQuo",
        "seq_BMMzxq84R32u4oNvQ",
    )
    assert a.message_id.startswith("<CAPL") and a.send_user_mailbox_id == "usm_bn6KxhSrHZEak2NM6"
    assert a.created_at == datetime(2024, 12, 5, 16, 39, 41, 416000, tzinfo=UTC)
    assert wire.ContactMessages.model_validate(CONTACT_MESSAGES["data"]).data == parsed.data
    assert wire.ContactMessages.model_validate({"data": None}).data == []
    assert wire.ContactMessages.model_validate({"data": [{}]}).data[0].type is None


def test_the_documented_message_maps_to_an_outbound_email():
    thread = thread_from_activities(
        "ctc_wfKeM8EmiTikud7QE", "lemlist", wire.ContactMessages.model_validate(CONTACT_MESSAGES).data
    )
    (m,) = thread.messages
    assert m.direction == "outbound" and m.kind == "emailsSent"
    assert m.sender == Person(name="Camille INGOUF", email="camille@lemtest.com")
    assert m.recipient == "victoire@lemlist.co"
    assert m.html.startswith("<html>") and m.text is None
    assert m.sequence_step == 1  # lemlist counts steps from 0
    c = thread.conversation
    assert c.id == "ctc_wfKeM8EmiTikud7QE" and c.correspondent.email == "victoire@lemlist.co"
    assert c.campaign_id == "cam_JnZqKnuSvoD4jsQuo" and c.message_count == 1 and c.unread is None
    assert thread.events == ()


# ------------------------------------------------------------------------------- activity types


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"type": "emailsSent", "message": "<p>Hi</p>"}, "outbound"),
        ({"type": "emailsSent"}, "outbound"),  # an email without a body is still an email
        ({"type": "emailsReplied", "message": "<div>Thanks</div>"}, "inbound"),
        ({"type": "linkedinSent", "message": "Hi Ana"}, "outbound"),
        ({"type": "linkedinReplied", "message": "Sure"}, "inbound"),
        ({"type": "linkedinVoiceNoteDone"}, "outbound"),
        ({"type": "linkedinInviteDone", "message": "Would love to connect"}, "outbound"),
        ({"type": "linkedinInviteDone"}, None),
        ({"type": "whatsappReplied", "message": "ok"}, "inbound"),  # a channel this client does not name
        ({"type": "smsSent", "message": "see you"}, "outbound"),
        ({"type": "smsSent"}, None),
        ({"type": "emailsOpened"}, None),
        ({"type": "emailsClicked"}, None),
        ({"type": "emailsBounced", "errorMessage": "550 mailbox unavailable"}, None),
        ({"type": "linkedinVisitDone"}, None),
        ({"type": "linkedinInviteAccepted"}, None),
        ({"type": "somethingNew", "message": "<b>hello</b>"}, None),
        ({}, None),
    ],
)
def test_activity_types_map_to_a_direction_or_an_event(fields, expected):
    assert direction_of(activity(**fields)) == expected


def test_messages_and_events_of_a_thread():
    acts = [
        activity(
            _id="act_3",
            type="linkedinReplied",
            createdAt="2026-01-03T10:00:00Z",
            message="Yes!\nLet's talk.",
            sendUserEmail="sam@pipewise.io",
        ),
        activity(_id="act_1", type="linkedinVisitDone", createdAt="2026-01-01T09:00:00Z", sendUserName="Sam Lee"),
        activity(_id="act_5", type="emailsBounced", createdAt="2026-01-05T09:00:00Z", errorMessage="550 no such user"),
        activity(
            _id="act_2",
            type="linkedinSent",
            createdAt="2026-01-02T09:00:00Z",
            message="Hi Ana",
            sendUserName="Sam Lee",
            sendUserEmail="sam@pipewise.io",
            sequenceStep=1,
            leadEmail="ana@lumenpay.com",
        ),
        activity(_id="act_4", type="emailsOpened", createdAt="2026-01-04T09:00:00Z", subject="Pricing"),
        activity(
            _id="act_6", type="somethingNew", createdAt="2026-01-06T09:00:00Z", message="<p>" + "word " * 60 + "</p>"
        ),
        activity(type="emailsReplied"),  # no time, no body, no sender
    ]
    thread = thread_from_activities("ctc_abc", "lemlist", acts)
    kinds = [m.kind for m in thread.messages]
    assert kinds == ["linkedinSent", "linkedinReplied", "emailsReplied"]  # by time; no time last
    sent, reply, bare = thread.messages
    assert sent.direction == "outbound" and sent.text == "Hi Ana" and sent.html is None and sent.sequence_step == 2
    assert sent.sender == Person(name="Sam Lee", email="sam@pipewise.io") and sent.recipient == "ana@lumenpay.com"
    assert reply.direction == "inbound" and reply.text == "Yes!\nLet's talk." and reply.sequence_step is None
    assert reply.sender == thread.conversation.correspondent == Person(email="ana@lumenpay.com")
    assert bare.at is None and bare.text is None and bare.html is None and bare.subject is None
    assert [(e.kind, e.detail) for e in thread.events][:4] == [
        ("linkedinVisitDone", None),
        ("emailsOpened", "Pricing"),
        ("emailsBounced", "550 no such user"),
        ("somethingNew", thread.events[3].detail),
    ]
    assert thread.events[3].detail.startswith("word word") and thread.events[3].detail.endswith("...")
    assert len(thread.events[3].detail) <= 120 and "<p>" not in thread.events[3].detail
    assert [e.at for e in thread.events] == sorted(e.at for e in thread.events)
    c = thread.conversation
    assert c.last_activity_at == datetime(2026, 1, 6, 9, tzinfo=UTC)  # the latest activity of any kind
    assert c.message_count == 3 and c.subject is None and c.unread is None


def test_a_listed_row_lends_the_thread_its_name_and_read_state():
    listed = Conversation(
        id="ctc_abc", provider="lemlist", correspondent=Person(name="Nina Sharp"), last_activity_at=None, unread=True
    )
    acts = [activity(type="linkedinReplied", createdAt="2026-01-03T10:00:00Z", message="Thanks")]
    cold = thread_from_activities("ctc_abc", "lemlist", acts)
    warm = thread_from_activities("ctc_abc", "lemlist", acts, listed)
    assert cold.conversation.correspondent == Person() and cold.conversation.unread is None
    assert warm.conversation.correspondent == Person(name="Nina Sharp") and warm.conversation.unread is True
    assert warm.messages[0].sender == warm.conversation.correspondent


def test_an_empty_thread():
    thread = thread_from_activities("ctc_abc", "lemlist", [])
    assert thread.messages == () and thread.events == () and thread.conversation.last_activity_at is None


# ------------------------------------------------------------------------------- paging tokens


@pytest.mark.parametrize(
    ("pagination", "page", "rows", "expected"),
    [
        ({"totalItems": 4, "currentPage": 1, "nextPage": None, "perPage": 10, "totalPages": 1}, 1, 4, None),
        ({"totalItems": 25, "currentPage": 1, "nextPage": 2, "perPage": 10, "totalPages": 3}, 1, 10, "10:2"),
        ({"totalItems": 25, "currentPage": 3, "nextPage": None, "perPage": 10, "totalPages": 3}, 3, 5, None),
        ({"totalPages": 3}, 2, 10, "10:3"),
        ({"totalItems": 20}, 2, 10, None),
        ({"totalItems": 21}, 2, 10, "10:3"),
        ({}, 1, 10, "10:2"),
        ({}, 1, 9, None),
        ({"perPage": 5}, 1, 5, "10:2"),  # the server capped the page size: keep asking for ours
        # An empty page that says more follow is read past (the listing bounds how many in a row).
        ({"totalPages": 9}, 4, 0, "10:5"),
        ({"totalItems": 25, "currentPage": 1, "nextPage": 2, "perPage": 10, "totalPages": 3}, 1, 0, "10:2"),
        ({"totalPages": 4}, 4, 0, None),
        ({}, 1, 0, None),
    ],
)
def test_next_token(pagination, page, rows, expected):
    assert _next_token(wire.Pagination.model_validate(pagination), 10, page, rows) == (expected, None)


@pytest.mark.parametrize("next_page", [1, 2])
def test_a_next_page_that_points_back_ends_the_listing_and_says_so(next_page):
    pagination = wire.Pagination.model_validate({"currentPage": 2, "nextPage": next_page, "totalPages": 5})
    following, stopped = _next_token(pagination, 10, 2, 10)
    assert following is None and stopped == f"lemlist's next page ({next_page}) pointed back to a page already read"


@pytest.mark.anyio
async def test_a_listing_whose_next_page_points_back_says_so():
    """The seed's page, saying its next page is the page it is."""
    body = {**LIST, "pagination": {"currentPage": 2, "nextPage": 2, "totalPages": 5, "perPage": 10}}
    async with mock_http(lambda request: httpx2.Response(200, json=body)) as http:
        lemlist = LemlistClient("lemlist", LemlistSettings(api_key="k_secret_1234"), http, "LEMLIST_API_KEY")
        page = await lemlist.list_page(Query(), "10:2", 10)
    assert page.conversations and page.next_token is None
    assert page.notes == (
        "lemlist: lemlist's next page (2) pointed back to a page already read, so its listing ends here; older "
        "conversations may be missing.",
    )


def test_tokens_carry_the_page_size_and_refuse_what_we_did_not_make():
    assert _parse_token(None, 25) == (25, 1)
    assert _parse_token(None, 500) == (100, 1)
    assert _parse_token("7:3", 50) == (7, 3)  # the size of the token, not of this call
    for bad in ["", "3", "a:b", "7:0", "0:1", "101:2", "7:-1", "7:3:4", "cursor:abc"]:
        with pytest.raises(ValueError):
            _parse_token(bad, 10)


# ------------------------------------------------------------------------------- settings and calls


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEMLIST_API_KEY", "k_env_5678")
    monkeypatch.setenv("LEMLIST_USER_ID", " usr_t2KCwPen66NrrqGtQ ")
    monkeypatch.delenv("LEMLIST_BASE_URL", raising=False)
    settings = LemlistSettings()
    assert settings.api_key.get_secret_value() == "k_env_5678" and settings.user_id == "usr_t2KCwPen66NrrqGtQ"
    assert settings.base_url == "https://api.lemlist.com"
    (account,) = accounts(LemlistSettings())(None)  # type: ignore[arg-type]
    assert account.account == "lemlist" and account.provider == "lemlist" and account._key_hint == "LEMLIST_API_KEY"
    assert "k_env_5678" not in repr(settings)
    monkeypatch.setenv("LEMLIST_BASE_URL", "ftp://example.com")
    with pytest.raises(ValidationError, match="LEMLIST_BASE_URL"):
        LemlistSettings()
    monkeypatch.setenv("LEMLIST_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LEMLIST_USER_ID", "usr t2 ; drop")
    with pytest.raises(ValidationError, match="LEMLIST_USER_ID"):
        LemlistSettings()


def test_no_key_no_account():
    assert accounts(LemlistSettings(api_key=None))(None) == []  # type: ignore[arg-type]
    assert accounts(LemlistSettings(api_key="  "))(None) == []  # type: ignore[arg-type]
    assert LemlistSettings(user_id="").user_id is None


def test_every_call_uses_basic_auth_with_an_empty_user_and_the_rate_limit():
    c = client(user_id="usr_t2KCwPen66NrrqGtQ")
    call = c._call("/api/inbox", {"page": 1})
    scheme, token = call.headers["Authorization"].split(" ")
    assert scheme == "Basic" and base64.b64decode(token) == b":k_secret_1234"
    assert call.url == "https://api.lemlist.com/api/inbox"
    assert call.rate_limit == RATE_LIMIT and call.rate_limit.requests == 20 and call.rate_limit.per_seconds >= 2.0
    assert call.bucket == bucket_for("lemlist", "k_secret_1234") and "k_secret_1234" not in call.bucket
    assert "k_secret_1234" in call.secrets and token in call.secrets
    assert call.key_hint == "LEMLIST_API_KEY" and "LEMLIST_USER_ID" in call.forbidden_hint
    assert client()._call("/api/inbox").forbidden_hint is None


def test_capabilities():
    caps = LemlistClient.capabilities
    assert (caps.unread, caps.tag, caps.campaign, caps.text, caps.domain, caps.max_page_size) == (
        False,
        False,
        False,
        False,
        "none",
        100,
    )
