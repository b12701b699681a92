"""SendPilot's documented JSON (seed 002, PROVIDERS.md) parses exactly and maps to the expected
domain values; the client tolerates what the docs leave open (extra fields, nulls, both pagination
shapes, message order) and maps every documented error status to one sentence."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from helpers import EndlessMessages, mock_http, sendpilot_client
from seed_json import json_examples

from leadinbox_mcp.providers.errors import AuthError, BadRequestError, NotFoundError, UpstreamError
from leadinbox_mcp.providers.model import Attachment, Person, Query
from leadinbox_mcp.providers.sendpilot import wire
from leadinbox_mcp.providers.sendpilot.client import (
    MAX_MESSAGE_PAGES,
    SendPilotClient,
    SendPilotSettings,
    _more_pages,
    _oldest_first,
    _parse_token,
    _thread,
    accounts,
)
from leadinbox_mcp.tools.shared.inbox import Inbox

LIST = json_examples("002")[0]
KEY = "sp_contract_5d0c9e1a7b"

# The messages endpoint has no example on the seed page; this is its documented shape
# (PROVIDERS.md): {conversationId, messages[...], pagination{hasMore, continuationToken}}.
JOHN = {"id": "john-doe-12345", "name": "John Doe", "profileUrl": "https://www.linkedin.com/in/john-doe"}
JANE = {"id": "jane-rep", "name": "Jane Rep", "profileUrl": "https://www.linkedin.com/in/jane-rep"}
RECEIVED = {
    "id": "msg_2",
    "content": "Thanks for reaching out! I'd love to discuss how you handle forecasting today.",
    "sender": JOHN,
    "recipient": JANE,
    "direction": "received",
    "sentAt": "2024-02-24T15:30:00.000Z",
    "readStatus": "unread",
    "contentType": "TEXT",
    "attachments": [],
}
MESSAGES = {
    "conversationId": "2-OVp-y-UNyFXBYvx0FqmQ",
    "messages": [
        RECEIVED,
        {
            **RECEIVED,
            "id": "msg_1",
            "content": "Hi John, great to connect!",
            "sender": JANE,
            "recipient": JOHN,
            "direction": "sent",
            "sentAt": "2024-02-20T10:00:00.000Z",
            "readStatus": "read",
        },
        {
            **RECEIVED,
            "id": "msg_3",
            "content": "",
            "sentAt": "2024-02-24T15:31:00.000Z",
            "contentType": "IMAGE",
            "attachments": [
                {"name": "pipeline.png", "type": "image/png", "size": 48213, "url": "https://media.licdn.com/x"}
            ],
        },
    ],
    "pagination": {"hasMore": False, "continuationToken": None},
}


# ------------------------------------------------------------------------------------ the seed


def test_seed_has_the_documented_example():
    assert set(LIST) == {"conversations", "pagination"}
    assert all(e == LIST for e in json_examples("002")[:2])  # the page repeats its example


def test_seed_parses_every_documented_field():
    listing = wire.ConversationList.model_validate(LIST)
    row = listing.conversations[0]
    assert (row.id, row.account_id) == ("2-OVp-y-UNyFXBYvx0FqmQ", "sender_abc123")
    (p,) = row.participants
    assert (p.id, p.name, p.profile_url, p.profile_picture) == (
        "john-doe-12345",
        "John Doe",
        "https://www.linkedin.com/in/john-doe",
        "https://media.licdn.com/dms/image/...",
    )
    assert row.last_message.content == "Thanks for reaching out! I'd love to discuss..."
    assert row.last_message.sent_at == datetime(2024, 2, 24, 15, 30, tzinfo=UTC)
    assert row.last_message.direction == "received"
    assert row.last_activity_at == datetime(2024, 2, 24, 15, 30, tzinfo=UTC)
    assert row.unread_count == 1
    assert row.created_at == datetime(2024, 2, 20, 10, tzinfo=UTC)
    assert row.updated_at == datetime(2024, 2, 24, 15, 30, tzinfo=UTC)
    pg = listing.pagination
    assert (pg.continuation_token, pg.limit, pg.has_more) == ("eyJjb250aW51YXRpb24iOiIxNzA4Nzg0MjAwMDAwIn0=", 20, True)
    assert pg.page is None and pg.total_pages is None


def test_seed_maps_to_the_domain_model():
    c = sendpilot_client(KEY)._conversation(wire.ConversationList.model_validate(LIST).conversations[0])
    assert c.id == "sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ" and c.provider == "sendpilot"
    assert c.correspondent == Person(name="John Doe", profile_url="https://www.linkedin.com/in/john-doe")
    assert c.correspondent.email is None  # LinkedIn: no email, and none is guessed
    assert c.subject is None
    assert c.snippet == "Thanks for reaching out! I'd love to discuss..."
    assert c.unread is True
    assert c.last_activity_at == datetime(2024, 2, 24, 15, 30, tzinfo=UTC)
    assert c.tags == () and c.campaign is None and c.message_count is None


@pytest.mark.anyio
async def test_seed_pagination_gives_a_token_that_carries_the_page_size():
    async with mock_http(lambda request: httpx2.Response(200, json=LIST)) as http:
        page = await sendpilot_client(KEY, http).list_page(Query(), None, 20)
    assert page.next_token == "20:t:eyJjb250aW51YXRpb24iOiIxNzA4Nzg0MjAwMDAwIn0="
    assert _parse_token(page.next_token, 50) == (20, "t", "eyJjb250aW51YXRpb24iOiIxNzA4Nzg0MjAwMDAwIn0=")


def test_the_tool_level_id_carries_the_sender_account():
    sp = sendpilot_client(KEY)
    provider, native = Inbox([sp]).resolve("sendpilot:sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ")
    assert provider is sp and native == "sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ"


@pytest.mark.parametrize(
    ("native", "valid"),
    [
        ("sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ", True),
        ("sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ==", True),
        ("2-OVp-y-UNyFXBYvx0FqmQ", False),  # no sender account
        (":2-OVp-y-UNyFXBYvx0FqmQ", False),
        ("sender_abc123:", False),
        ("sender_abc123:../../etc", False),
        ("sender abc:2-OVp", False),
        ("sender_abc123:2-OVp/messages", False),
        ("sender_abc123:a:b", False),
        ("s" * 65 + ":2-OVp", False),
        ("sender_abc123:" + "a" * 101, False),
    ],
)
def test_valid_id_checks_both_halves(native, valid):
    assert sendpilot_client(KEY).valid_id(native) is valid


def test_capabilities_say_linkedin_has_no_email():
    caps = SendPilotClient.capabilities
    assert caps.domain == "not_applicable"
    assert (caps.unread, caps.tag, caps.campaign, caps.text, caps.max_page_size) == (False, False, False, False, 50)
    assert SendPilotClient.provider == "sendpilot" and SendPilotClient.label == "SendPilot"


# ------------------------------------------------------------------------------------ tolerance


def test_unknown_fields_nulls_and_missing_optionals_are_tolerated():
    data = copy.deepcopy(LIST)
    row = data["conversations"][0]
    row["brandNewField"] = {"nested": [1, 2]}
    row["participants"][0]["headline"] = "VP Sales"
    row["participants"][0]["name"] = None
    row["participants"][0]["profilePicture"] = None
    row["lastMessage"] = None
    row["lastActivityAt"] = None
    row["unreadCount"] = None
    for key in ("createdAt",):
        row.pop(key)
    data["conversations"].append({"id": "2-second", "accountId": "sender_abc123"})
    data["conversations"].append(
        {
            "id": "2-third",
            "accountId": "sender_abc123",
            "participants": None,
            "lastMessage": {"sentAt": "2024-02-01T09:00:00Z"},
        }
    )
    data["pagination"] = {"continuationToken": None, "limit": 20, "hasMore": False, "somethingNew": 1}
    data["requestId"] = "abc"
    listing = wire.ConversationList.model_validate(data)
    first, second, third = (sendpilot_client(KEY)._conversation(r) for r in listing.conversations)
    assert first.correspondent == Person(profile_url="https://www.linkedin.com/in/john-doe")
    assert first.unread is None and first.snippet is None
    assert first.last_activity_at == datetime(2024, 2, 24, 15, 30, tzinfo=UTC)  # falls back to updatedAt
    assert second.correspondent == Person() and second.last_activity_at is None and second.unread is None
    assert third.last_activity_at == datetime(2024, 2, 1, 9, tzinfo=UTC)  # falls back to lastMessage.sentAt
    assert wire.ConversationList.model_validate({}).conversations == []


def test_naive_times_are_taken_as_utc():
    row = wire.ConversationRow.model_validate({"id": "c", "accountId": "a", "lastActivityAt": "2024-02-24T15:30:00"})
    assert row.last_activity_at == datetime(2024, 2, 24, 15, 30, tzinfo=UTC)


def test_messages_parse_and_map():
    page = wire.MessageList.model_validate(MESSAGES)
    assert page.conversation_id == "2-OVp-y-UNyFXBYvx0FqmQ" and page.pagination.has_more is False
    thread = _thread("sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ", "sendpilot", _oldest_first(page.messages))
    first, second, third = thread.messages
    john = Person(name="John Doe", profile_url="https://www.linkedin.com/in/john-doe")
    assert first.direction == "outbound" and first.text == "Hi John, great to connect!" and first.read is True
    assert first.sender == Person(name="Jane Rep", profile_url="https://www.linkedin.com/in/jane-rep")
    assert first.recipient == "John Doe"
    assert second.direction == "inbound" and second.sender == john and second.read is False
    assert second.subject is None and second.kind is None
    assert third.text is None and third.kind == "image"
    assert third.attachments == (Attachment(filename="pipeline.png", content_type="image/png", size=48213),)
    c = thread.conversation
    assert c.id == "sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ" and c.correspondent == john and c.subject is None
    assert c.unread is True and c.message_count == 3
    assert c.last_activity_at == datetime(2024, 2, 24, 15, 31, tzinfo=UTC)


def test_message_fields_the_docs_leave_open():
    messages = wire.MessageList.model_validate(
        {
            "messages": [
                {
                    "id": "a",
                    "content": "Here is the deck",
                    "direction": "SENT",
                    "sentAt": "2024-03-01T10:00:00Z",
                    "contentType": "FILE",
                    "attachments": [{"fileName": "deck.pdf", "mimeType": "application/pdf", "size": "1200"}],
                    "sender": {"id": "me"},
                    "newField": True,
                },
                {
                    "id": "b",
                    "contentType": "IMAGE",
                    "attachments": None,
                    "sentAt": "2024-03-01T10:05:00Z",
                    "sender": {"id": "them", "profileUrl": "https://www.linkedin.com/in/them"},
                    "readStatus": "unknown",
                },
                {"id": "c", "content": "no direction given", "sender": {"id": "me"}, "sentAt": "2024-03-01T10:06:00Z"},
                {
                    "id": "d",
                    "content": "unknown content type",
                    "contentType": "VOICE_NOTE",
                    "direction": "received",
                    "sentAt": "2024-03-01T10:07:00Z",
                    "attachments": [{"url": "https://x", "size": "1.2 MB"}, "https://y"],
                },
            ],
            "pagination": None,
        }
    ).messages
    a, b, c, d = _thread("acc:conv", "sendpilot", messages).messages
    assert a.direction == "outbound" and a.attachments == (
        Attachment(filename="deck.pdf", content_type="application/pdf", size=1200),
    )
    assert b.direction == "inbound" and b.read is None  # its sender is not the member who sent ours
    assert b.attachments == (Attachment(filename="(image; SendPilot gave no file details)"),)
    assert c.direction == "outbound"  # same sender as a message marked sent
    assert d.kind == "voice_note" and d.attachments == (
        Attachment(filename="(unnamed)"),
        Attachment(filename="(unnamed)"),
    )


def test_messages_out_of_order_are_sorted_by_sent_at():
    base = MESSAGES["messages"][1]
    docs = [
        {**base, "id": f"m{i}", "content": f"message {i}", "sentAt": f"2024-03-{1 + i // 24:02d}T{i % 24:02d}:00:00Z"}
        for i in range(60)
    ]
    shuffled = docs[:]
    random.Random(3).shuffle(shuffled)
    for order in (shuffled, list(reversed(docs)), docs):
        parsed = wire.MessageList.model_validate({"messages": order}).messages
        thread = _thread("acc:conv", "sendpilot", _oldest_first(parsed))
        assert [m.text for m in thread.messages] == [f"message {i}" for i in range(60)]


def test_equal_times_keep_their_real_order_when_pages_come_newest_first():
    base = MESSAGES["messages"][1]
    same = "2024-03-01T10:00:00Z"
    newest_first = [
        {**base, "id": "3", "content": "third", "sentAt": "2024-03-01T11:00:00Z"},
        {**base, "id": "2", "content": "second", "sentAt": same},
        {**base, "id": "1", "content": "first", "sentAt": same},
        {**base, "id": "0", "content": "zeroth", "sentAt": "2024-03-01T09:00:00Z"},
        {**base, "id": "x", "content": "undated", "sentAt": None},
    ]
    parsed = wire.MessageList.model_validate({"messages": newest_first}).messages
    assert [m.content for m in _oldest_first(parsed)] == ["zeroth", "first", "second", "third", "undated"]


# ------------------------------------------------------------------------------------ pagination


@pytest.mark.parametrize(
    ("pagination", "page", "got", "more"),
    [
        ({"page": 1, "limit": 20, "total": 45, "totalPages": 3, "hasMore": True}, 1, 20, True),  # documented
        ({"page": 3, "limit": 20, "total": 45, "totalPages": 3, "hasMore": False}, 3, 5, False),
        ({"page": 1, "limit": 20, "totalPages": 2, "total": 31}, 1, 20, True),
        ({"page": 2, "limit": 20, "totalPages": 2, "total": 31}, 2, 11, False),
        ({"page": 1, "totalPages": 3}, 1, 20, True),
        ({"page": 3, "totalPages": 3}, 3, 20, False),
        ({"totalPages": 3}, 2, 20, True),
        ({"total": 45}, 2, 20, True),
        ({"total": 40}, 2, 20, False),
        ({"page": 1, "limit": 20, "total": 45}, 1, 20, True),  # the server's page size, not ours
        ({"page": 2, "limit": 20, "total": 45, "hasMore": True, "totalPages": 2}, 2, 20, True),  # hasMore first
        ({"page": 1, "limit": 20, "totalPages": 0, "total": 0}, 1, 0, False),
        ({"page": 4}, 4, 20, True),  # a full page and nothing else said: ask for the next
        ({"page": 4}, 4, 12, False),
    ],
)
def test_page_number_shapes_say_whether_more_follow(pagination, page, got, more):
    assert _more_pages(wire.Pagination.model_validate(pagination), page, 20, got) is more


@pytest.mark.parametrize(
    "token", ["", "x", "20", "20:q:1", "20:p:x", "20:p:0", "0:p:2", "101:p:2", "abc:t:zz", "20:t:", "-1:p:2"]
)
def test_tokens_we_did_not_make_are_refused(token):
    with pytest.raises(ValueError):
        _parse_token(token, 20)


def test_a_first_page_uses_the_callers_size_bounded_by_what_works():
    assert _parse_token(None, 7) == (7, "p", "1")
    assert _parse_token(None, 500) == (50, "p", "1")  # limit=100 has been seen to answer 500
    assert _parse_token("100:p:2", 20) == (100, "p", "2")  # a token of an older version still reads


# ------------------------------------------------------------------------------------ HTTP


def _body(code: int, message: str, error: str) -> httpx2.Response:
    return httpx2.Response(code, json={"statusCode": code, "message": message, "error": error})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "message", "error", "kind", "expected"),
    [
        (400, "limit must not be greater than 100", "Bad Request", BadRequestError, "refused the request"),
        (400, "Validation failed", "Bad Request", BadRequestError, "Validation failed"),  # the documented body
        (401, "Invalid API key", "Unauthorized", AuthError, "check SENDPILOT_API_KEY"),
        (403, "Forbidden resource", "Forbidden", AuthError, "check SENDPILOT_API_KEY"),
        (404, "Not Found", "Not Found", NotFoundError, "list conversations"),
        (500, "Internal server error", "Internal Server Error", UpstreamError, "try again"),
    ],
)
async def test_documented_errors_become_one_sentence(status, message, error, kind, expected):
    sent_keys: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent_keys.append(request.headers.get("x-api-key", ""))
        return _body(status, f"{message} ({KEY})", error)  # a body that echoes the key

    async with mock_http(handler) as http:
        sp = sendpilot_client(KEY, http)
        sentences = []
        for call in (sp.list_page(Query(), None, 20), sp.get_thread("sender_abc123:2-OVp-y-UNyFXBYvx0FqmQ")):
            with pytest.raises(kind) as caught:
                await call
            sentences.append(str(caught.value))
    assert sent_keys and set(sent_keys) == {KEY}
    for sentence in sentences:
        assert sentence.startswith("sendpilot: SendPilot") and "\n" not in sentence
        assert KEY not in sentence
    assert expected in sentences[1]  # get_thread
    if status in (401, 403):
        assert expected in sentences[0] and str(status) in sentences[0]


@pytest.mark.anyio
async def test_a_404_on_a_thread_says_to_list_conversations_first():
    async with mock_http(lambda request: _body(404, "Conversation not found", "Not Found")) as http:
        with pytest.raises(NotFoundError) as caught:
            await sendpilot_client(KEY, http).get_thread("sender_abc123:2-nope")
    assert str(caught.value) == (
        "sendpilot: SendPilot has no conversation 'sender_abc123:2-nope'; list conversations to get a valid id."
    )


@pytest.mark.anyio
async def test_a_403_on_a_thread_names_the_key_and_the_sender_account():
    async with mock_http(lambda request: _body(403, "Forbidden", "Forbidden")) as http:
        with pytest.raises(AuthError) as caught:
            await sendpilot_client(KEY, http).get_thread("sender_other:2-OVp-y-UNyFXBYvx0FqmQ")
    assert "SENDPILOT_API_KEY" in str(caught.value) and "sender_other" in str(caught.value)


@pytest.mark.anyio
async def test_unreadable_data_is_an_upstream_error_naming_the_place():
    async with mock_http(
        lambda request: httpx2.Response(200, json={"conversations": [{"accountId": "sender_x"}, {"accountId": "y"}]})
    ) as http:
        with pytest.raises(UpstreamError) as caught:
            await sendpilot_client(KEY, http).list_page(Query(), None, 20)
    assert "conversations.0.id" in str(caught.value) and "cannot read" in str(caught.value)


@pytest.mark.anyio
async def test_requests_follow_the_documented_paths_and_parameters():
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.url.path.endswith("/messages"):
            return httpx2.Response(200, json=MESSAGES)
        return httpx2.Response(200, json=LIST)

    async with mock_http(handler) as http:
        sp = sendpilot_client(KEY, http, base_url="https://proxy.example/api/", account_id="sender_abc123")
        page = await sp.list_page(Query(unread_only=True, text="x"), None, 7)
        await sp.list_page(Query(), page.next_token, 50)
        await sp.list_page(Query(), "7:p:3", 50)
        await sp.get_thread(page.conversations[0].id)
        await sp.check()
    first, second, third, thread, check = seen
    assert str(first.url) == "https://proxy.example/api/v1/inbox/conversations?limit=7&accountId=sender_abc123"
    assert dict(second.url.params) == {
        "limit": "7",
        "accountId": "sender_abc123",
        "continuationToken": LIST["pagination"]["continuationToken"],
    }
    assert dict(third.url.params) == {"limit": "7", "accountId": "sender_abc123", "page": "3"}
    assert thread.url.path == "/api/v1/inbox/conversations/2-OVp-y-UNyFXBYvx0FqmQ/messages"
    assert dict(thread.url.params) == {"accountId": "sender_abc123", "limit": "50"}
    assert dict(check.url.params) == {"limit": "1", "accountId": "sender_abc123"}
    assert all(r.headers["x-api-key"] == KEY and "authorization" not in r.headers for r in seen)


@pytest.mark.anyio
async def test_thread_pagination_is_followed_and_bounded():
    endless = EndlessMessages(
        lambda n: [{**MESSAGES["messages"][1], "id": f"m{n}", "sentAt": f"2024-01-01T00:00:{n % 60:02d}Z"}]
    )
    async with mock_http(endless) as http:
        thread = await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
    calls = endless.calls
    assert len(calls) == MAX_MESSAGE_PAGES and len(thread.messages) == MAX_MESSAGE_PAGES
    assert "continuationToken" not in calls[0] and calls[1]["continuationToken"] == "tok0"
    assert thread.notes == (
        f"Only {MAX_MESSAGE_PAGES} messages of this conversation were read; SendPilot has more, which are missing.",
    )

    repeats: list[dict] = []

    def stuck(request: httpx2.Request) -> httpx2.Response:
        repeats.append(dict(request.url.params))
        return httpx2.Response(200, json={**MESSAGES, "pagination": {"hasMore": True, "continuationToken": "same"}})

    async with mock_http(stuck) as http:
        thread = await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
    assert len(repeats) == 2 and len(thread.messages) == 3  # a repeated token ends the walk; no duplicates
    assert len(thread.notes) == 1 and "were read" in thread.notes[0]  # and says that more was promised


@pytest.mark.anyio
@pytest.mark.parametrize("newest_first", [True, False])
async def test_a_page_longer_than_the_bound_is_cut_to_its_newest_end_before_it_is_read(newest_first):
    """One page of 3,000 documented messages, whatever `limit` asked: only the newest 2,500 are
    read (validating a page of a hundred thousand would hold the server for seconds). The 500
    older ones have no id here: reading any of them would fail the page."""
    base = datetime(2024, 2, 20, tzinfo=UTC)
    messages = [
        {
            **RECEIVED,
            "id": f"msg_{n}" if n >= 500 else None,
            "sentAt": f"{base + timedelta(minutes=n):%Y-%m-%dT%H:%M:%S.000Z}",
        }
        for n in range(3000)
    ]
    page = {**MESSAGES, "messages": messages[::-1] if newest_first else messages}

    async with mock_http(lambda request: httpx2.Response(200, json=page)) as http:
        thread = await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
    assert [m.at for m in thread.messages] == [base + timedelta(minutes=n) for n in range(500, 3000)]  # oldest first
    assert thread.notes == ("Only the newest 2500 of 3000 messages read are shown; older ones were left out.",)


@pytest.mark.anyio
async def test_a_continuation_token_that_points_to_itself_ends_the_listing_with_a_note():
    """The seed's page, whose continuationToken leads to a page giving that token again."""
    given = LIST["pagination"]["continuationToken"]
    sent: list[str | None] = []

    def pages(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.url.params.get("continuationToken"))
        return httpx2.Response(200, json={**LIST, "pagination": {**LIST["pagination"], "hasMore": True}})

    async with mock_http(pages) as http:
        first = await sendpilot_client(KEY, http).list_page(Query(), None, 20)
        assert first.next_token is not None
        again = await sendpilot_client(KEY, http).list_page(Query(), first.next_token, 20)
    assert sent == [None, given] and again.next_token is None
    assert again.notes[-1] == (
        "sendpilot: SendPilot pointed back to a page already read (its continuationToken goes round in a circle), so "
        "its listing ends here; older conversations may be missing."
    )


@pytest.mark.anyio
async def test_a_continuation_token_carrying_the_key_ends_the_listing_with_a_note():
    """A signed cursor carries the provider's own token, readable by whoever holds it."""
    pagination = {**LIST["pagination"], "hasMore": True, "continuationToken": f"tok-{KEY}"}
    async with mock_http(lambda request: httpx2.Response(200, json={**LIST, "pagination": pagination})) as http:
        page = await sendpilot_client(KEY, http).list_page(Query(), None, 20)
    assert page.conversations and page.next_token is None
    assert page.notes[-1].startswith("sendpilot: SendPilot's continuationToken carries this account's API key")


def test_a_continuation_token_sent_as_a_number_is_read_as_text():
    listing = wire.ConversationList.model_validate({**LIST, "pagination": {"hasMore": True, "continuationToken": 42}})
    assert listing.pagination.continuation_token == "42"


@pytest.mark.anyio
async def test_rows_without_a_usable_id_are_said():
    rows = copy.deepcopy(LIST["conversations"])
    rows[0]["id"] = "not an id/"

    async with mock_http(lambda request: httpx2.Response(200, json={**LIST, "conversations": rows})) as http:
        page = await sendpilot_client(KEY, http).list_page(Query(), None, 20)
    assert len(page.conversations) == len(rows) - 1
    assert "sendpilot: SendPilot listed conversations without a usable id; they are left out." in page.notes


# ------------------------------------------------------------------------------------ settings


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("SENDPILOT_API_KEY", KEY)
    monkeypatch.setenv("SENDPILOT_BASE_URL", "https://api.sendpilot.ai/api")
    settings = SendPilotSettings()
    assert settings.api_key.get_secret_value() == KEY and settings.base_url == "https://api.sendpilot.ai/api"
    assert KEY not in repr(settings)
    monkeypatch.delenv("SENDPILOT_BASE_URL")
    assert SendPilotSettings(api_key=KEY).base_url == "https://api.sendpilot.ai"
    with pytest.raises(ValueError, match="SENDPILOT_BASE_URL"):
        SendPilotSettings(api_key=KEY, base_url="ftp://api.sendpilot.ai")
    with pytest.raises(ValueError, match="SENDPILOT_ACCOUNT_ID"):
        SendPilotSettings(api_key=KEY, account_id="../x")
    assert SendPilotSettings(api_key=KEY, account_id=" ").account_id is None


def test_accounts_need_a_key():
    assert accounts(SendPilotSettings(api_key=None))(None) == []  # type: ignore[arg-type]
    assert accounts(SendPilotSettings(api_key="  "))(None) == []  # type: ignore[arg-type]
    (account,) = accounts(SendPilotSettings(api_key=KEY))(None)  # type: ignore[arg-type]
    assert account.account == "sendpilot" and account._key_hint == "SENDPILOT_API_KEY"
    assert json.dumps(account.capabilities.model_dump())  # plain data
