"""A listing's structured content is built as JSON directly (`conversation_json`), without the
output models: it must be exactly what those models make of it, for any conversation a provider
can send. The models make every string safe as they read it, and making a string safe twice
changes nothing (tests/test_untrusted_fields.py), so a string this code left unsafe differs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from leadinbox_mcp.providers.model import Attachment, Conversation, Message, Person
from leadinbox_mcp.tools.results.structured import (
    MAX_CC,
    MAX_LISTED,
    ConversationList,
    ConversationOut,
    conversation_json,
    conversation_list_json,
    message_out,
)

# Strangers' text with what the models must remove or defuse: invisible and direction-changing
# characters, line breaks of every kind, fence-shaped markers in look-alike letters, long text.
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["[/data123456]", "［／ｄａｔａ１２３４５６］", "a\u200bb\u202ec", "x\r\ny\x0bz", "[/dаta]"]),
    st.text(alphabet="ab [/]data1\u200b\u2028", min_size=250, max_size=300),  # over the memo's length
)
MAYBE = st.none() | HOSTILE
TIMES = st.none() | st.builds(
    lambda at, minutes: at.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([0, 0, 60, -330]),
)
CONVERSATIONS = st.builds(
    Conversation,
    id=HOSTILE.filter(bool),
    provider=st.sampled_from(["sendkit", "lemlist"]),
    correspondent=st.builds(Person, name=MAYBE, email=MAYBE, company=MAYBE, title=MAYBE, profile_url=MAYBE),
    last_activity_at=TIMES,
    subject=MAYBE,
    unread=st.none() | st.booleans(),
    status=MAYBE,
    tags=st.lists(HOSTILE, max_size=3).map(tuple),
    campaign=MAYBE,
    message_count=st.none() | st.integers(0, 10**6),
    last_from=st.sampled_from([None, "lead", "us"]),
)


@settings(max_examples=300, deadline=None)
@given(account=HOSTILE.filter(bool), conversation=CONVERSATIONS, snippet=MAYBE)
def test_a_row_is_what_its_model_dumps(account, conversation, snippet):
    row = conversation_json(account, conversation, snippet)
    assert ConversationOut.model_validate(row).model_dump(mode="json", by_alias=True) == row


@settings(max_examples=100, deadline=None)
@given(conversations=st.lists(CONVERSATIONS, max_size=3), cursor=MAYBE, notes=st.lists(HOSTILE, max_size=3))
def test_a_listing_is_what_its_model_dumps(conversations, cursor, notes):
    listing = conversation_list_json([conversation_json("acct", c, c.snippet) for c in conversations], cursor, notes)
    assert ConversationList.model_validate(listing).model_dump(mode="json", by_alias=True) == listing


def test_times_are_written_as_the_models_write_them():
    at = datetime(2026, 11, 29, 6, 56, 45, 355000, tzinfo=UTC)
    row = conversation_json("a", Conversation(id="1", provider="p", correspondent=Person(), last_activity_at=at), None)
    assert row["last_activity_at"] == "2026-11-29T06:56:45.355000Z"


def test_a_message_lists_at_most_10_of_its_cc_and_50_of_its_attachments_and_none_shown_as_one_line():
    many = Message(
        direction="inbound",
        at=None,
        cc=tuple(Person(email=f"p{i}@x.com") for i in range(500)),
        attachments=tuple(Attachment(filename=f"f{i}.pdf") for i in range(500)),
    )
    out = message_out(3, many, "text", False, first_attachment=7).model_dump(by_alias=True)
    assert [p["email"] for p in out["cc"]] == [f"p{i}@x.com" for i in range(MAX_CC)]
    assert [(a["number"], a["filename"]) for a in out["attachments"]] == [
        (7 + i, f"f{i}.pdf") for i in range(MAX_LISTED)
    ]
    brief = message_out(3, many, "first words", True, first_attachment=7).model_dump(by_alias=True)
    assert brief["cc"] == [] and brief["attachments"] == []
