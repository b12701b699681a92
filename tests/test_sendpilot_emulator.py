"""The SendPilot emulator serves the documented contract (PROVIDERS.md, seed 002): its routes are
called through Starlette's test client, and its data set is checked both as built
(`build_conversations`) and as served."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from helpers import assert_json_error, keyed_client
from seed_json import json_examples
from starlette.testclient import TestClient

from leadinbox_mcp.sandbox.sendpilot import (
    SANDBOX_API_KEY,
    SENDER_ACCOUNTS,
    build_conversations,
    create_app,
)

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SEED_ROW = json_examples("002")[0]["conversations"][0]
ROW_KEYS = set(SEED_ROW)
MESSAGE_KEYS = {
    "id",
    "content",
    "sender",
    "recipient",
    "direction",
    "sentAt",
    "readStatus",
    "contentType",
    "attachments",
}
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


make_client = partial(keyed_client, create_app, "X-API-Key", SANDBOX_API_KEY, now=NOW)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


@pytest.fixture(scope="module")
def conversations() -> list[dict[str, Any]]:
    return build_conversations(now=NOW)


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def newest_first(conversations: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in sorted(conversations, key=lambda c: (when(c["lastActivityAt"]), c["id"]), reverse=True)]


def assert_error(response: Any, code: int, error: str) -> dict[str, Any]:
    return assert_json_error(response, code, {"statusCode": code, "error": error})


def walk_tokens(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    token = None
    for _ in range(200):
        response = client.get(
            "/v1/inbox/conversations", params={**params, **({"continuationToken": token} if token else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"conversations", "pagination"}
        assert set(body["pagination"]) == {"continuationToken", "limit", "hasMore"}
        rows += body["conversations"]
        token = body["pagination"]["continuationToken"]
        assert (token is not None) == body["pagination"]["hasMore"]
        if not body["pagination"]["hasMore"]:
            return rows
    raise AssertionError("the continuation tokens never ended")


def walk_pages(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get("/v1/inbox/conversations", params={**params, "page": page}).json()
        assert set(body["pagination"]) == {"page", "limit", "total", "totalPages"}
        assert body["pagination"]["page"] == page
        rows += body["conversations"]
        if page >= body["pagination"]["totalPages"]:
            return rows
        page += 1


def messages_of(
    client: TestClient, conversation: dict[str, Any], limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    out: list[dict[str, Any]] = []
    token, pages = None, 0
    while True:
        params: dict[str, Any] = {"accountId": conversation["accountId"]}
        if limit:
            params["limit"] = limit
        if token:
            params["continuationToken"] = token
        response = client.get(f"/v1/inbox/conversations/{conversation['id']}/messages", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (
            set(body) == {"conversationId", "messages", "pagination"} and body["conversationId"] == conversation["id"]
        )
        out += body["messages"]
        pages += 1
        token = body["pagination"]["continuationToken"]
        if not body["pagination"]["hasMore"]:
            assert token is None
            return out, pages


# ------------------------------------------------------------------------------------ auth


def test_the_api_key_is_required() -> None:
    bare = TestClient(create_app(now=NOW))
    body = assert_error(bare.get("/v1/inbox/conversations"), 401, "Unauthorized")
    assert "API key" in body["message"]
    wrong = bare.get("/v1/inbox/conversations", headers={"X-API-Key": "sp_wrong"})
    assert wrong.json() == {"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"}
    bearer = bare.get("/v1/inbox/conversations", headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"})
    assert_error(bearer, 401, "Unauthorized")  # documented: X-API-Key only
    assert bare.get("/v1/inbox/conversations", headers={"x-api-key": SANDBOX_API_KEY}).status_code == 200


def test_every_request_is_recorded_refused_ones_included() -> None:
    app = create_app(now=NOW)
    client = TestClient(app)
    client.get("/v1/inbox/conversations", params={"limit": 3})
    client.get("/v1/inbox/conversations", params={"limit": 2}, headers={"X-API-Key": SANDBOX_API_KEY})
    assert app.state.requests == [
        ("GET", "/v1/inbox/conversations", {"limit": "3"}),
        ("GET", "/v1/inbox/conversations", {"limit": "2"}),
    ]


def test_another_key_is_accepted_when_configured() -> None:
    client = make_client(api_key="sp_live_other")
    assert client.get("/v1/inbox/conversations").status_code == 200
    assert_error(client.get("/v1/inbox/conversations", headers={"X-API-Key": SANDBOX_API_KEY}), 401, "Unauthorized")


def test_outage_answers_500() -> None:
    assert_error(make_client(outage=True).get("/v1/inbox/conversations"), 500, "Internal Server Error")


# ------------------------------------------------------------------------------------ conversations


def test_rows_have_the_seed_shape(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    rows = walk_tokens(client, limit=100)
    by_id = {c["id"]: c for c in conversations}
    for row in rows:
        assert set(row) == ROW_KEYS
        assert CONVERSATION_ID.match(row["id"]) and row["id"].startswith("2-")
        assert row["accountId"] in SENDER_ACCOUNTS
        assert set(row["lastMessage"]) == {"content", "sentAt", "direction"}
        assert row["lastMessage"]["direction"] in ("sent", "received")
        assert len(row["lastMessage"]["content"]) <= 100
        messages = by_id[row["id"]]["messages"]
        assert row["lastActivityAt"] == row["lastMessage"]["sentAt"] == messages[-1]["sentAt"]
        assert row["unreadCount"] == sum(m["readStatus"] == "unread" for m in messages)
        assert row["createdAt"] == messages[0]["sentAt"] <= row["updatedAt"]
        for p in row["participants"]:
            assert set(p) <= {"id", "name", "profileUrl", "profilePicture"} and p["profileUrl"].startswith(
                "https://www.linkedin.com/in/"
            )
        assert row["lastActivityAt"].endswith("Z") and len(row["lastActivityAt"]) == len(SEED_ROW["lastActivityAt"])


@pytest.mark.parametrize("limit", [1, 7, 20, 100])
def test_continuation_tokens_walk_every_conversation_once_newest_first(
    client: TestClient, conversations: list[dict[str, Any]], limit: int
) -> None:
    ids = [r["id"] for r in walk_tokens(client, limit=limit)]
    assert ids == newest_first(conversations)


def test_default_limit_and_the_token_format(client: TestClient) -> None:
    body = client.get("/v1/inbox/conversations").json()
    assert len(body["conversations"]) == 20 and body["pagination"]["limit"] == 20
    token = body["pagination"]["continuationToken"]
    payload = json.loads(base64.b64decode(token))
    assert payload["continuation"].isdigit()  # like the seed's {"continuation": "<ms>"}
    last = body["conversations"][-1]
    assert int(payload["continuation"]) == int(when(last["lastActivityAt"]).timestamp() * 1000)


def test_the_same_token_gives_the_same_page_again(client: TestClient) -> None:
    token = client.get("/v1/inbox/conversations", params={"limit": 5}).json()["pagination"]["continuationToken"]
    once = client.get("/v1/inbox/conversations", params={"limit": 5, "continuationToken": token})
    again = client.get("/v1/inbox/conversations", params={"limit": 5, "continuationToken": token})
    assert once.content == again.content


def test_ties_in_last_activity_do_not_lose_or_repeat_rows(
    client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    ties = [t for t, n in Counter(c["lastActivityAt"] for c in conversations).items() if n >= 2]
    assert len(ties) >= 2
    ordered = newest_first(conversations)
    for tie in ties:
        first = next(
            i
            for i, cid in enumerate(ordered)
            if next(c for c in conversations if c["id"] == cid)["lastActivityAt"] == tie
        )
        # a page boundary right between the two rows of a tie
        page = client.get("/v1/inbox/conversations", params={"limit": first + 1}).json()
        token = page["pagination"]["continuationToken"]
        after = client.get("/v1/inbox/conversations", params={"limit": 100, "continuationToken": token}).json()
        assert [r["id"] for r in page["conversations"] + after["conversations"]] == ordered


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_page_numbers_walk_the_same_rows(conversations: list[dict[str, Any]], limit: int) -> None:
    pages = make_client(pagination="pages")
    body = pages.get("/v1/inbox/conversations", params={"limit": limit}).json()
    assert body["pagination"] == {
        "page": 1,
        "limit": limit,
        "total": len(conversations),
        "totalPages": -(-len(conversations) // limit),
    }
    assert [r["id"] for r in walk_pages(pages, limit=limit)] == newest_first(conversations)


def test_both_modes_honour_both_parameters(client: TestClient) -> None:
    pages = make_client(pagination="pages")
    by_page = client.get("/v1/inbox/conversations", params={"limit": 4, "page": 3}).json()["conversations"]
    assert by_page == pages.get("/v1/inbox/conversations", params={"limit": 4, "page": 3}).json()["conversations"]
    token = client.get("/v1/inbox/conversations", params={"limit": 4}).json()["pagination"]["continuationToken"]
    assert (
        pages.get("/v1/inbox/conversations", params={"limit": 4, "continuationToken": token}).json()["conversations"]
        == (client.get("/v1/inbox/conversations", params={"limit": 4, "page": 2}).json()["conversations"])
    )


def test_account_filter(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    seen: list[str] = []
    for account in SENDER_ACCOUNTS:
        rows = walk_tokens(client, accountId=account, limit=6)
        assert rows and all(r["accountId"] == account for r in rows)
        assert [r["id"] for r in rows] == newest_first([c for c in conversations if c["accountId"] == account])
        seen += [r["id"] for r in rows]
    assert sorted(seen) == sorted(c["id"] for c in conversations)
    assert_error(client.get("/v1/inbox/conversations", params={"accountId": "sender_elsewhere"}), 403, "Forbidden")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "many"},
        {"page": 0},
        {"continuationToken": "not base64!"},
        {"continuationToken": base64.b64encode(b'{"x": 1}').decode()},
        {"continuationToken": base64.b64encode(b"[1]").decode()},
    ],
)
def test_bad_parameters_are_400(client: TestClient, params: dict[str, Any]) -> None:
    assert_error(client.get("/v1/inbox/conversations", params=params), 400, "Bad Request")


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert_error(client.get("/v1/inbox/elsewhere"), 404, "Not Found")
    assert_error(client.post("/v1/inbox/conversations"), 405, "Method Not Allowed")


def test_the_older_api_prefix_is_served_too(client: TestClient) -> None:
    assert client.get("/api/v1/inbox/conversations").json() == client.get("/v1/inbox/conversations").json()


# ------------------------------------------------------------------------------------ messages


def test_messages_need_the_account_id(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    c = conversations[0]
    body = assert_error(client.get(f"/v1/inbox/conversations/{c['id']}/messages"), 400, "Bad Request")
    assert "accountId" in body["message"]
    other = next(a for a in SENDER_ACCOUNTS if a != c["accountId"])
    assert_error(
        client.get(f"/v1/inbox/conversations/{c['id']}/messages", params={"accountId": other}), 404, "Not Found"
    )
    assert_error(
        client.get(f"/v1/inbox/conversations/{c['id']}/messages", params={"accountId": "sender_nope"}), 403, "Forbidden"
    )


def test_unknown_conversation_is_404(client: TestClient) -> None:
    account = next(iter(SENDER_ACCOUNTS))
    body = assert_error(
        client.get("/v1/inbox/conversations/2-AAAAAAAAAAAAAAAAAAAA/messages", params={"accountId": account}),
        404,
        "Not Found",
    )
    assert body["message"] == "Conversation not found"


def test_messages_have_the_documented_shape(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    for c in conversations:
        messages, _ = messages_of(client, c, limit=100)
        assert sorted(m["id"] for m in messages) == sorted(m["id"] for m in c["messages"])
        for m in messages:
            assert set(m) == MESSAGE_KEYS
            assert m["direction"] in ("sent", "received") and m["readStatus"] in ("read", "unread", "unknown")
            assert m["contentType"] in ("TEXT", "IMAGE", "FILE")
            assert bool(m["attachments"]) == (m["contentType"] != "TEXT")
            ours = m["direction"] == "sent"
            assert (m["sender"].get("name") in SENDER_ACCOUNTS.values()) == ours
            assert (m["recipient"].get("name") in SENDER_ACCOUNTS.values()) != ours


@pytest.mark.parametrize("order", ["asc", "desc", "shuffled"])
def test_long_threads_page_by_50_in_every_order(conversations: list[dict[str, Any]], order: str) -> None:
    client = make_client(message_order=order)
    longest = max(conversations, key=lambda c: len(c["messages"]))
    messages, pages = messages_of(client, longest)
    assert len(messages) == len(longest["messages"]) > 100 and pages == 3
    times = [when(m["sentAt"]) for m in messages]
    if order == "asc":
        assert times == sorted(times)
    elif order == "desc":
        assert times == sorted(times, reverse=True)
    else:
        assert times != sorted(times) and times != sorted(times, reverse=True)
    assert sorted(m["id"] for m in messages) == sorted(m["id"] for m in longest["messages"])
    assert messages_of(client, longest)[0] == messages  # the same pages again


def test_message_tokens_belong_to_their_conversation(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    longest = max(conversations, key=lambda c: len(c["messages"]))
    token = client.get(
        f"/v1/inbox/conversations/{longest['id']}/messages", params={"accountId": longest["accountId"]}
    ).json()["pagination"]["continuationToken"]
    other = next(c for c in conversations if c["id"] != longest["id"] and c["accountId"] == longest["accountId"])
    response = client.get(
        f"/v1/inbox/conversations/{other['id']}/messages",
        params={"accountId": other["accountId"], "continuationToken": token},
    )
    assert_error(response, 400, "Bad Request")
    assert_error(
        client.get(
            f"/v1/inbox/conversations/{longest['id']}/messages",
            params={"accountId": longest["accountId"], "limit": 101},
        ),
        400,
        "Bad Request",
    )


# ------------------------------------------------------------------------------------ the data set


def test_dataset_summary_figures(conversations: list[dict[str, Any]]) -> None:
    assert len(conversations) == 31
    assert Counter(c["accountId"] for c in conversations) == {
        "sender_q7Lm2Xp9": 13,
        "sender_Vb84nTe1": 10,
        "sender_Tz3kR8wD": 8,
    }
    lengths = sorted(len(c["messages"]) for c in conversations)
    assert lengths[-2:] == [64, 112] and lengths[0] >= 2
    assert sum(len(c["messages"]) for c in conversations) == sum(lengths)
    assert sum(c["unreadCount"] > 0 for c in conversations) == 10 and max(c["unreadCount"] for c in conversations) == 3
    kinds = Counter(m["contentType"] for c in conversations for m in c["messages"])
    assert kinds["IMAGE"] >= 5 and kinds["FILE"] >= 8
    assert {a["type"] for c in conversations for m in c["messages"] for a in m["attachments"]} >= {
        "image/png",
        "image/jpeg",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    assert sum(all(m["direction"] == "sent" for m in c["messages"]) for c in conversations) == 2  # no reply yet
    assert len({c["id"] for c in conversations}) == 31 and all(CONVERSATION_ID.match(c["id"]) for c in conversations)


def test_a_participant_without_a_name(conversations: list[dict[str, Any]]) -> None:
    nameless = [c for c in conversations if "name" not in c["participants"][0]]
    assert len(nameless) == 1
    participant = nameless[0]["participants"][0]
    assert participant["profileUrl"].startswith("https://www.linkedin.com/in/")
    assert all("name" not in m["sender"] for m in nameless[0]["messages"] if m["direction"] == "received")
    assert any(c["participants"][0]["profilePicture"] is None for c in conversations)


def test_messages_in_four_languages(conversations: list[dict[str, Any]]) -> None:
    texts = [m["content"] for c in conversations for m in c["messages"] if m["direction"] == "received"]
    assert any("Bonjour" in t for t in texts) and any("Viele Grüße" in t for t in texts)
    assert any("Hola" in t for t in texts) and any("Thanks" in t for t in texts)


def test_messages_are_chronological_and_before_now(conversations: list[dict[str, Any]]) -> None:
    for c in conversations:
        times = [when(m["sentAt"]) for m in c["messages"]]
        assert times == sorted(times) and times[-1] < NOW
        assert when(c["updatedAt"]) <= NOW


def test_same_seed_and_now_give_the_same_bytes() -> None:
    a, b = make_client(), make_client()
    assert (
        a.get("/v1/inbox/conversations", params={"limit": 100}).content
        == b.get("/v1/inbox/conversations", params={"limit": 100}).content
    )
    assert json.dumps(build_conversations(now=NOW)) == json.dumps(build_conversations(now=NOW))


def test_another_seed_gives_other_ids_but_the_same_stories() -> None:
    one, other = build_conversations(now=NOW), build_conversations(seed=8, now=NOW)
    assert [c["id"] for c in one] != [c["id"] for c in other]
    assert [c["participants"][0]["profileUrl"] for c in one] == [c["participants"][0]["profileUrl"] for c in other]


def ids_of(conversations: list[dict[str, Any]]) -> list[Any]:
    """Every id of the data, in order: conversations, their messages and attachments."""
    return [(c["id"], [(m["id"], [a["id"] for a in m["attachments"]]) for m in c["messages"]]) for c in conversations]


@pytest.mark.parametrize("later", [NOW + timedelta(days=1), NOW.replace(year=NOW.year + 1)], ids=["a day", "a year"])
def test_ids_are_the_same_on_another_day_only_times_move(later: datetime) -> None:
    today, other = build_conversations(now=NOW), build_conversations(now=later)
    assert ids_of(other) == ids_of(today)
    shift = later - NOW
    for before, after in zip(today, other):
        for key in ("lastActivityAt", "createdAt", "updatedAt"):
            assert when(after[key]) - when(before[key]) == shift
        assert [when(m["sentAt"]) - when(n["sentAt"]) for m, n in zip(after["messages"], before["messages"])] == [
            shift
        ] * len(before["messages"])
    served = [r["id"] for r in walk_tokens(make_client(conversations=other), limit=7)]
    assert served == [r["id"] for r in walk_tokens(make_client(conversations=today), limit=7)]  # the same order


def test_default_now_is_the_start_of_the_utc_day() -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    conversations = build_conversations()
    if datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) != today:
        pytest.skip("the day changed during the test")
    assert conversations == build_conversations(now=today)
    assert max(when(c["lastActivityAt"]) for c in conversations) >= today - timedelta(days=3)


def test_custom_conversations_are_served(conversations: list[dict[str, Any]]) -> None:
    mine = [c for c in conversations if c["unreadCount"] > 0]
    client = make_client(conversations=mine)
    assert [r["id"] for r in walk_tokens(client, limit=3)] == newest_first(mine)


# ------------------------------------------------------------------------------------ the second reading's variants

MEMBER_ID = re.compile(r"^ACoAA[A-Za-z0-9_-]{20,40}$")
VARIANTS = ("member_ids", "own_sender_listed", "trailing_whitespace", "images_without_attachments")


def contacts(c: dict[str, Any]) -> list[dict[str, Any]]:
    return c["participants"] + [m[k] for m in c["messages"] for k in ("sender", "recipient")]


def test_without_variants_the_data_is_left_as_it_was(conversations: list[dict[str, Any]]) -> None:
    from leadinbox_mcp.sandbox.sendpilot import vary

    assert vary(conversations) is conversations
    assert build_conversations(now=NOW, direction_names=None, **dict.fromkeys(VARIANTS, False)) == conversations
    varied = build_conversations(now=NOW, direction_names=("OUT", "IN"), **dict.fromkeys(VARIANTS, True))
    assert varied != conversations and build_conversations(now=NOW) == conversations  # a copy was changed


def test_the_page_number_variant_with_has_more(conversations: list[dict[str, Any]]) -> None:
    client = make_client(pagination="pages_has_more")
    total = len(conversations)
    first = client.get("/v1/inbox/conversations", params={"limit": 20}).json()
    assert first["pagination"] == {"page": 1, "limit": 20, "total": total, "totalPages": 2, "hasMore": True}
    last = client.get("/v1/inbox/conversations", params={"limit": 20, "page": 2}).json()
    assert last["pagination"] == {"page": 2, "limit": 20, "total": total, "totalPages": 2, "hasMore": False}
    assert [r["id"] for r in first["conversations"] + last["conversations"]] == newest_first(conversations)


def test_large_pages_can_answer_500_as_observed(conversations: list[dict[str, Any]]) -> None:
    client = make_client(error_above_limit=50)
    assert_error(client.get("/v1/inbox/conversations", params={"limit": 100}), 500, "Internal Server Error")
    assert_error(client.get("/v1/inbox/conversations", params={"limit": 51}), 500, "Internal Server Error")
    assert len(client.get("/v1/inbox/conversations", params={"limit": 50}).json()["conversations"]) == len(
        conversations
    )
    longest = max(conversations, key=lambda c: len(c["messages"]))
    assert messages_of(client, longest, limit=100)[1] == 2  # the messages endpoint is not concerned


def test_rate_limited_answers_429_with_retry_after() -> None:
    response = make_client(rate_limited=30).get("/v1/inbox/conversations")
    assert_error(response, 429, "Too Many Requests")
    assert response.headers["retry-after"] == "30"


def test_member_ids_are_linkedin_member_ids_everywhere(conversations: list[dict[str, Any]]) -> None:
    varied = build_conversations(now=NOW, member_ids=True)
    for before, after in zip(conversations, varied):
        for old, new in zip(contacts(before), contacts(after)):
            assert MEMBER_ID.match(new["id"]) and new["profileUrl"] == f"https://www.linkedin.com/in/{new['id']}"
            assert new.get("name") == old.get("name")
        ours = {m["sender"]["id"] for m in after["messages"] if m["direction"] == "sent"}
        assert len(ours) == 1 and ours != {after["accountId"]}  # our identity is a member id, not the accountId
    assert len({c["participants"][0]["id"] for c in varied}) == len(varied)
    served = make_client(member_ids=True)
    assert {r["id"]: r["participants"] for r in walk_tokens(served, limit=100)} == {
        c["id"]: c["participants"] for c in varied
    }


def test_own_sender_listed_among_the_participants(conversations: list[dict[str, Any]]) -> None:
    varied = build_conversations(now=NOW, own_sender_listed=True, member_ids=True)
    positions = Counter()
    for c in varied:
        ours = {m["sender"]["id"] for m in c["messages"] if m["direction"] == "sent"}
        listed = [p["id"] for p in c["participants"]]
        assert len(listed) == 2 and len(ours & set(listed)) == 1
        positions[listed.index(next(iter(ours)))] += 1
        rep = next(p for p in c["participants"] if p["id"] in ours)
        assert rep["name"] == SENDER_ACCOUNTS[c["accountId"]] and set(rep) == {
            "id",
            "name",
            "profileUrl",
            "profilePicture",
        }
    assert positions[0] > 0 and positions[1] > 0  # before the lead in some rows, after it in others


def test_trailing_whitespace_images_without_files_and_renamed_directions(conversations: list[dict[str, Any]]) -> None:
    varied = build_conversations(
        now=NOW, trailing_whitespace=True, images_without_attachments=True, direction_names=("OUTGOING", "INCOMING")
    )
    for before, after in zip(conversations, varied):
        for old, new in zip(before["messages"], after["messages"]):
            assert new["content"] != new["content"].rstrip() and new["content"].rstrip() == old["content"]
            assert new["direction"] == {"sent": "OUTGOING", "received": "INCOMING"}[old["direction"]]
            if old["contentType"] == "IMAGE":
                assert new["attachments"] == [] and old["attachments"]
            else:
                assert new["attachments"] == old["attachments"]
        assert after["lastMessage"]["content"].rstrip() == before["lastMessage"]["content"]
        assert after["lastMessage"]["content"] != before["lastMessage"]["content"]
        assert (
            after["lastMessage"]["direction"]
            == {"sent": "OUTGOING", "received": "INCOMING"}[before["lastMessage"]["direction"]]
        )
    assert any(m["content"].strip() == "" for c in varied for m in c["messages"])  # an image without any text
    served = make_client(images_without_attachments=True, message_order="asc")
    tom = next(c for c in varied if c["participants"][0]["name"] == "Tom Becker")
    messages, _ = messages_of(served, tom)
    assert [m["contentType"] for m in messages][-2:] == ["IMAGE", "IMAGE"] and messages[-1]["attachments"] == []
