"""The shapes PROVIDERS.md's second reading adds for SendPilot, parsed and mapped by the client:
the documented JSON is copied here as literals, and the observed shapes are written the way
integrators report them. The HTTP side is a MockTransport that answers like the API would."""

from __future__ import annotations

import httpx2
import pytest
from helpers import EndlessMessages, mock_http, sendpilot_client

from leadinbox_mcp.providers.errors import AuthError, BadRequestError, RateLimitedError, UpstreamError
from leadinbox_mcp.providers.http import call_deadline
from leadinbox_mcp.providers.model import Person, Query
from leadinbox_mcp.providers.sendpilot import wire
from leadinbox_mcp.providers.sendpilot.client import (
    MESSAGE_PAGE_SIZE,
    SendPilotClient,
    _lead,
    _said,
    _thread,
)

KEY = "sp_second_reading_0c4e7a"

# Documented (second reading): the page-number variant of the conversations pagination.
PAGE_NUMBERS = {"page": 1, "limit": 20, "total": 45, "totalPages": 3, "hasMore": True}
# Documented: the error body.
VALIDATION_FAILED = {"statusCode": 400, "message": "Validation failed", "error": "Bad Request"}

# Observed: participants are member ids, profile URLs id-encoded, our own sender listed too.
REP = {
    "id": "ACoAABk3mQ0Bq1rX2sYtL3mVwE9pZ8oN7hG",
    "name": "Jane Rep",
    "profileUrl": "https://www.linkedin.com/in/ACoAABk3mQ0Bq1rX2sYtL3mVwE9pZ8oN7hG",
}
LEAD = {
    "id": "ACoAAC7bX1kB0pQx9sYtL3mVwE",
    "name": "John Doe",
    "profileUrl": "https://www.linkedin.com/in/ACoAAC7bX1kB0pQx9sYtL3mVwE",
}


def row(n: int, participants: list[dict] | None = None, direction: str = "received") -> dict:
    return {
        "id": f"2-conv{n:04d}",
        "accountId": "sender_abc123",
        "participants": participants if participants is not None else [{**LEAD, "id": f"ACoAA{n:030d}"}],
        "lastMessage": {
            "content": "Thanks for reaching out!  \n",
            "sentAt": "2024-02-24T15:30:00.000Z",
            "direction": direction,
        },
        "lastActivityAt": f"2024-02-{24 - n // 10:02d}T15:{59 - n % 60:02d}:00.000Z",
        "unreadCount": 1,
    }


# Documented (the messages example is oldest first, `msg_...` ids): the sender of `sent` is our
# LinkedIn identity, not the accountId.
MESSAGES = [
    {
        "id": "msg_1",
        "content": "Hi John, great to connect!  ",
        "sender": REP,
        "recipient": LEAD,
        "direction": "sent",
        "sentAt": "2024-02-20T10:00:00.000Z",
        "readStatus": "read",
        "contentType": "TEXT",
        "attachments": [],
    },
    {
        "id": "msg_2",
        "content": "Thanks for reaching out!\n\n",
        "sender": LEAD,
        "recipient": REP,
        "direction": "received",
        "sentAt": "2024-02-24T15:30:00.000Z",
        "readStatus": "unread",
        "contentType": "TEXT",
        "attachments": [],
    },
    {
        "id": "msg_3",
        "content": " \n",
        "sender": LEAD,
        "recipient": REP,
        "direction": "received",
        "sentAt": "2024-02-24T15:31:00.000Z",
        "readStatus": "unread",
        "contentType": "IMAGE",
        "attachments": [],
    },
]


def messages(docs: list[dict]) -> list[wire.Message]:
    return wire.MessageList.model_validate({"messages": docs}).messages


class Listing:
    """A conversations endpoint over `rows`, in either documented pagination shape, that answers
    500 to a `limit` above `fails_above` (as observed with 100) and records what it was asked."""

    def __init__(self, rows: list[dict], shape: str, fails_above: int = 100) -> None:
        self.rows = rows
        self.shape = shape
        self.fails_above = fails_above
        self.asked: list[dict[str, str]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        q = dict(request.url.params)
        self.asked.append(q)
        limit = int(q.get("limit", 20))
        if limit > self.fails_above:
            return httpx2.Response(
                500, json={"statusCode": 500, "message": "Internal server error", "error": "Internal Server Error"}
            )
        if self.shape == "token":
            start = int(q.get("continuationToken", "0"))
        else:
            start = (int(q.get("page", "1")) - 1) * limit
        chunk = self.rows[start : start + limit]
        more = start + limit < len(self.rows)
        if self.shape == "token":
            pagination = {"continuationToken": str(start + limit) if more else None, "limit": limit, "hasMore": more}
        else:  # the documented page-number variant
            pagination = {
                "page": start // limit + 1,
                "limit": limit,
                "total": len(self.rows),
                "totalPages": -(-len(self.rows) // limit),
                "hasMore": more,
            }
        return httpx2.Response(200, json={"conversations": chunk, "pagination": pagination})


async def walk(sp: SendPilotClient, page_size: int) -> tuple[list[str], list[str | None]]:
    ids: list[str] = []
    tokens: list[str | None] = []
    token = None
    for _ in range(100):
        page = await sp.list_page(Query(), token, page_size)
        ids += [c.id.partition(":")[2] for c in page.conversations]
        token = page.next_token
        tokens.append(token)
        if token is None:
            return ids, tokens
    raise AssertionError("the listing never ended")


# ------------------------------------------------------------------------------------ pages


@pytest.mark.anyio
async def test_the_documented_page_number_variant_with_has_more():
    rows = [row(n) for n in range(45)]

    def handler(request: httpx2.Request) -> httpx2.Response:
        page = int(request.url.params.get("page", "1"))
        chunk = rows[(page - 1) * 20 : page * 20]
        return httpx2.Response(
            200, json={"conversations": chunk, "pagination": {**PAGE_NUMBERS, "page": page, "hasMore": page < 3}}
        )

    async with mock_http(handler) as http:
        ids, tokens = await walk(sendpilot_client(KEY, http), 20)
    assert ids == [r["id"] for r in rows]
    assert tokens == ["20:p:2", "20:p:3", None]


@pytest.mark.anyio
@pytest.mark.parametrize("shape", ["token", "pages"])
async def test_a_500_for_the_page_size_is_asked_again_smaller_and_tokens_keep_their_rows(shape):
    rows = [row(n) for n in range(120)]
    listing = Listing(rows, shape, fails_above=25)
    async with mock_http(listing) as http:
        sp = sendpilot_client(KEY, http)
        first = await sp.list_page(Query(), None, 50)
        assert [q["limit"] for q in listing.asked] == ["50", "25", "25"]
        again = await sp.list_page(Query(), None, 50)  # the same token later: the same rows, smaller at once
        assert [q["limit"] for q in listing.asked[3:]] == ["25", "25"]
        ids, _ = await walk(sp, 50)
        assert max(int(q["limit"]) for q in listing.asked[3:]) == 25  # never 50 again
        before = len(listing.asked)
        odd, _ = await walk(sendpilot_client(KEY, http), 30)  # a new client, and a size the smaller one does not divide
    assert [c.id for c in first.conversations] == [c.id for c in again.conversations]
    assert len(first.conversations) == 50 and first.next_token == ("50:t:50" if shape == "token" else "50:p:2")
    assert ids == odd == [r["id"] for r in rows]
    limits = [int(q["limit"]) for q in listing.asked[before:]]
    assert limits[0] == 30 and max(limits[1:]) == 20  # 30 failed; then max(20, 30 // 2) at a time


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "size"), [(503, 50), (500, 20)])
async def test_only_a_500_for_a_large_page_is_retried_smaller(status, size):
    asked: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        asked.append(request.url.params["limit"])
        return httpx2.Response(
            status, json={"statusCode": status, "message": "Internal server error", "error": "Error"}
        )

    async with mock_http(handler) as http:
        with pytest.raises(UpstreamError) as caught:
            await sendpilot_client(KEY, http).list_page(Query(), None, size)
    assert asked == [str(size)] and caught.value.status == status
    assert str(caught.value).startswith(f"sendpilot: SendPilot failed (HTTP {status}")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("pagination", "rows", "token", "notes"),
    [
        (
            {"hasMore": True},
            1,
            None,
            (
                "sendpilot: " + "SendPilot said more conversations follow but gave no way to ask for them; "
                "the listing ends here.",
            ),
        ),
        ({"continuationToken": "abc", "hasMore": True}, 0, "20:t:abc", ()),  # an empty page that says more: go on
        ({"page": 2, "limit": 20, "total": 45, "totalPages": 3, "hasMore": True}, 0, "20:p:2", ()),
        ({"continuationToken": "abc", "hasMore": False}, 1, None, ()),
        ({}, 1, None, ()),
    ],
)
async def test_where_a_listing_goes_on_and_where_it_says_it_cannot(pagination, rows, token, notes):
    body = {"conversations": [row(n) for n in range(rows)], "pagination": pagination}
    async with mock_http(lambda request: httpx2.Response(200, json=body)) as http:
        page = await sendpilot_client(KEY, http).list_page(Query(), None, 20)
    assert (page.next_token, page.notes, len(page.conversations)) == (token, notes, rows)


# ------------------------------------------------------------------------------------ who is us


@pytest.mark.parametrize(
    ("value", "direction"),
    [
        ("sent", "outbound"),
        ("SENT", "outbound"),
        ("OUTGOING", "outbound"),
        ("outbound", "outbound"),
        ("MESSAGE_SENT", "outbound"),
        ("received", "inbound"),
        ("INCOMING", "inbound"),
        ("inbound", "inbound"),
        ("message_received", "inbound"),
        ("type_a", None),
        ("1", None),
        ("", None),
        (None, None),
        ("sent_received", None),
    ],
)
def test_direction_values_are_read_by_their_words_and_never_guessed(value, direction):
    assert _said(value) == direction


def test_the_correspondent_of_a_row_is_never_our_sender():
    p = [wire.Participant.model_validate(d) for d in (REP, LEAD)]
    us = frozenset({f"id:{REP['id']}"})
    john = Person(name="John Doe", profile_url=LEAD["profileUrl"])
    assert _lead(p[1:], frozenset()) == john  # the documented row: the lead alone
    assert _lead(p, us) == john and _lead(p[::-1], us) == john
    assert _lead(p, frozenset({"url:linkedin.com/in/" + REP["id"].lower()})) == john  # known by profile URL
    assert _lead(p, frozenset({"id:sender_abc123"})) == Person(name="Jane Rep or John Doe")  # cannot tell: both
    accountish = wire.Participant.model_validate({"id": "sender_abc123", "name": "Jane Rep"})
    assert _lead([accountish, p[1]], frozenset({"id:sender_abc123"})) == john  # the account itself is us
    group = p + [wire.Participant.model_validate({"id": "ACoAAx", "name": "Ann Other"})]
    assert _lead(group, us) == Person(name="John Doe, Ann Other")
    assert _lead(p[:1], us) == Person()


def test_a_thread_learns_us_from_who_sent_what_not_from_the_account_id():
    thread = _thread("sender_abc123:2-OVp", "sendpilot", messages(MESSAGES))
    assert [m.direction for m in thread.messages] == ["outbound", "inbound", "inbound"]
    assert thread.conversation.correspondent == Person(name="John Doe", profile_url=LEAD["profileUrl"])
    assert [m.text for m in thread.messages] == ["Hi John, great to connect!", "Thanks for reaching out!", None]
    assert thread.messages[2].kind == "image" and thread.messages[2].attachments[0].filename.startswith("(image;")
    assert thread.notes == ()


def test_renamed_directions_are_told_by_who_sent_them_or_said_to_be_unknown():
    renamed = [{**m, "direction": {"sent": "type_a", "received": "type_b"}[m["direction"]]} for m in MESSAGES]
    known = frozenset({f"id:{REP['id']}"})
    thread = _thread("sender_abc123:2-OVp", "sendpilot", messages(renamed), known)
    assert [m.direction for m in thread.messages] == ["outbound", "inbound", "inbound"] and thread.notes == ()
    assert thread.conversation.correspondent.name == "John Doe"

    blind = _thread("sender_abc123:2-OVp", "sendpilot", messages(renamed))
    assert blind.conversation.correspondent == Person()  # not guessed
    assert [m.sender.name for m in blind.messages] == ["Jane Rep", "John Doe", "John Doe"]
    assert [m.direction for m in blind.messages] == ["unknown"] * 3 and blind.notes == ()
    nobody = _thread("sender_abc123:2-OVp", "sendpilot", messages([{"id": "m", "content": "?", "direction": "x"}]))
    assert nobody.messages[0].direction == "unknown" and nobody.messages[0].sender is None  # never shown as the lead


@pytest.mark.anyio
async def test_a_listing_learns_who_we_are_from_one_page_of_messages_with_the_account_id():
    asked: list[httpx2.Request] = []
    rows = [row(0, [REP, LEAD], direction="sent"), row(1, [LEAD, REP])]

    def handler(request: httpx2.Request) -> httpx2.Response:
        asked.append(request)
        if request.url.path.endswith("/messages"):
            return httpx2.Response(
                200, json={"conversationId": "x", "messages": MESSAGES, "pagination": {"hasMore": True}}
            )
        return httpx2.Response(200, json={"conversations": rows, "pagination": {"hasMore": False}})

    async with mock_http(handler) as http:
        sp = sendpilot_client(KEY, http)
        page = await sp.list_page(Query(), None, 20)
        again = await sp.list_page(Query(), None, 20)
    (probe,) = [r for r in asked if r.url.path.endswith("/messages")]  # once per sender account
    assert probe.url.path == "/v1/inbox/conversations/2-conv0000/messages"  # the one whose last message is ours
    assert dict(probe.url.params) == {"accountId": "sender_abc123", "limit": str(MESSAGE_PAGE_SIZE)}
    for listing in (page, again):
        assert [c.correspondent.name for c in listing.conversations] == ["John Doe", "John Doe"]
        assert listing.notes == ()
    assert page.conversations[0].snippet == "Thanks for reaching out!"  # trailing whitespace dropped


@pytest.mark.anyio
async def test_a_failed_lookup_leaves_the_rows_uncertain_and_says_so():
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/messages"):
            return httpx2.Response(
                429, json={"statusCode": 429, "message": "Too many requests"}, headers={"Retry-After": "30"}
            )
        return httpx2.Response(200, json={"conversations": [row(0, [REP, LEAD])], "pagination": {"hasMore": False}})

    async with mock_http(handler) as http:
        page = await sendpilot_client(KEY, http).list_page(Query(), None, 20)
    assert page.conversations[0].correspondent == Person(name="Jane Rep or John Doe")
    (note,) = page.notes
    assert note.startswith("sendpilot: A correspondent shown as 'A or B'") and "get_thread" in note


# ------------------------------------------------------------------------------------ threads


@pytest.mark.anyio
async def test_a_thread_cut_by_the_deadline_keeps_what_it_read_and_says_so():
    newest_first = EndlessMessages(
        lambda n: [
            {**MESSAGES[1], "id": f"m{n}-{i}", "sentAt": f"2024-02-{24 - n:02d}T{23 - i:02d}:00:00Z"} for i in range(3)
        ]
    )
    async with mock_http(newest_first) as http:
        with call_deadline(0.8):  # less than the time get_thread keeps for showing what it read
            thread = await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
    assert len(newest_first.calls) == 1 and newest_first.calls[0] == {"accountId": "sender_abc123", "limit": "50"}
    assert len(thread.messages) == 3
    assert thread.notes == ("Only the newest 3 messages of this conversation were read; older ones were not fetched.",)


@pytest.mark.anyio
async def test_more_messages_promised_without_a_token_is_said():
    async with mock_http(
        lambda request: httpx2.Response(200, json={"messages": MESSAGES, "pagination": {"hasMore": True}})
    ) as http:
        thread = await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
    assert len(thread.messages) == 3
    assert thread.notes == (
        "Only the oldest 3 messages of this conversation could be read (SendPilot sends them oldest first): "
        "newer ones, after 2024-02-24 15:31 UTC, are missing.",
    )


# ------------------------------------------------------------------------------------ errors


@pytest.mark.anyio
async def test_errors_of_the_second_reading_are_one_sentence_each():
    answers = {
        "validation": httpx2.Response(400, json=VALIDATION_FAILED),
        "workspace": httpx2.Response(
            403, json={"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"}
        ),
        "limited": httpx2.Response(
            429, json={"statusCode": 429, "message": "Too Many Requests"}, headers={"Retry-After": "30"}
        ),
    }
    sentences = {}
    for name, answer in answers.items():
        async with mock_http(lambda request, answer=answer: answer) as http:
            with pytest.raises((BadRequestError, AuthError, RateLimitedError)) as caught:
                await sendpilot_client(KEY, http, account_id="sender_abc123").list_page(Query(), "20:t:abc", 20)
        sentences[name] = str(caught.value)
    assert sentences["validation"].startswith("sendpilot: SendPilot refused the request (HTTP 400: ")
    assert sentences["validation"].endswith('Validation failed"); start again without a cursor.') or sentences[
        "validation"
    ].endswith("Validation failed); start again without a cursor.")
    assert (
        "HTTP 403" in sentences["workspace"]
        and "check SENDPILOT_API_KEY and SENDPILOT_ACCOUNT_ID" in sentences["workspace"]
    )
    assert sentences["limited"] == "sendpilot: SendPilot is rate limiting requests: try again in 30 seconds."
    assert all("\n" not in s and KEY not in s for s in sentences.values())


@pytest.mark.anyio
async def test_a_page_of_messages_that_fails_keeps_the_pages_read_and_says_why():
    calls: list[dict] = []

    def second_fails(request: httpx2.Request) -> httpx2.Response:
        calls.append(dict(request.url.params))
        if len(calls) > 1:
            return httpx2.Response(
                500, json={"statusCode": 500, "message": "Internal server error", "error": "Internal Server Error"}
            )
        newest = list(reversed(MESSAGES))
        return httpx2.Response(
            200, json={"messages": newest, "pagination": {"hasMore": True, "continuationToken": "t1"}}
        )

    async with mock_http(second_fails) as http:
        thread = await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
    assert [m.text for m in thread.messages] == ["Hi John, great to connect!", "Thanks for reaching out!", None]
    first, why = thread.notes
    assert first == "Only the newest 3 messages of this conversation were read; older ones were not fetched."
    assert why.startswith("sendpilot: SendPilot failed (HTTP 500") and why.endswith("try again shortly.")

    async with mock_http(
        lambda request: httpx2.Response(500, json={"statusCode": 500, "message": "x", "error": "y"})
    ) as http:
        with pytest.raises(UpstreamError):  # nothing read: the error itself
            await sendpilot_client(KEY, http).get_thread("sender_abc123:2-OVp")
