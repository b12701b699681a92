"""The lemlist emulator over HTTP (Starlette's TestClient): auth, paging, the userId filter,
threads by contact id, documented errors, the rate limit and its headers, the data set, and the
documented variants it can serve (thread pages and order, the "Inbox Message" shape, legacy
rows, a 429 without Retry-After)."""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import NOW
from seed_json import json_examples
from starlette.testclient import TestClient

from leadinbox_mcp.sandbox.lemlist import SANDBOX_API_KEY, build_conversations, create_app, long_conversation
from leadinbox_mcp.sandbox.lemlist.app import DEFAULT_LIMIT, DEFAULT_THREAD_LIMIT, UNAUTHORIZED

KEY = "lemlist_test_3f1a9c2e7b"
SEED_ROW_KEYS = set(json_examples("003")[0]["data"][0])
SEED_CONTACT_KEYS = set(json_examples("003")[0]["data"][0]["contact"])
# Fields of the documented "Get Contact Messages" example, plus `subject` for emails.
ACTIVITY_KEYS = {
    "_id",
    "type",
    "messageId",
    "createdAt",
    "teamId",
    "leadId",
    "campaignId",
    "sequenceId",
    "sequenceStep",
    "sendUserId",
    "sendUserName",
    "sendUserEmail",
    "sendUserMailboxId",
    "leadEmail",
    "contactId",
    "message",
    "subject",
}
ID = {
    prefix: re.compile(rf"^{prefix}_[2-9A-HJ-NP-Za-km-z]{{17}}$")
    for prefix in ("ibx", "ctc", "usr", "tea", "act", "cam", "lea")
}


def basic(key: str, user: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()}


def make_client(**options: Any) -> TestClient:
    options.setdefault("api_key", KEY)
    options.setdefault("now", NOW)
    return TestClient(create_app(**options), headers=basic(options["api_key"]))


@pytest.fixture
def client() -> TestClient:
    return make_client(rate_limit=(10_000, 1.0))


@pytest.fixture(scope="module")
def conversations() -> list[dict[str, Any]]:
    return build_conversations(now=NOW)


def rows_newest_first(conversations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [c["inbox"] for c in conversations]
    return sorted(rows, key=lambda r: (r["lastActivityAt"], r["_id"]), reverse=True)


def walk(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get("/api/inbox", params={**params, "page": page}).json()
        rows += body["data"]
        if body["pagination"]["nextPage"] is None:
            return rows
        assert body["pagination"]["nextPage"] == page + 1
        page += 1


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ------------------------------------------------------------------------------- auth


def test_basic_auth_with_an_empty_user_and_the_key_as_password() -> None:
    app = create_app(api_key=KEY, now=NOW)
    http = TestClient(app)
    assert http.get("/api/inbox", headers=basic(KEY)).status_code == 200
    for headers in [
        {},
        basic("wrong-key"),
        basic("", user=KEY),  # the key as the user name, no password
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": "Basic not-base64!"},
        {"X-Api-Key": KEY},
    ]:
        response = http.get("/api/inbox", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"].startswith("text/plain") and KEY not in response.text
        assert response.text == UNAUTHORIZED == "The authentication you supplied is incorrect"  # documented
    assert http.get("/api/inbox/ctc_x", headers=basic("wrong-key")).status_code == 401
    assert len(app.state.requests) == 8  # refused requests are recorded too
    assert app.state.requests[0] == ("GET", "/api/inbox", {})


def test_the_sandbox_key_is_the_default() -> None:
    http = TestClient(create_app(now=NOW))
    assert http.get("/api/inbox", headers=basic(SANDBOX_API_KEY)).status_code == 200


# ------------------------------------------------------------------------------- listing


def test_the_list_has_the_documented_shape(client: TestClient) -> None:
    body = client.get("/api/inbox").json()
    assert set(body) == {"data", "pagination"}
    assert len(body["data"]) == DEFAULT_LIMIT == 10
    assert body["pagination"] == {
        "totalItems": 31,
        "currentPage": 1,
        "nextPage": 2,
        "previousPage": None,
        "perPage": 10,
        "totalPages": 4,
    }
    for row in walk(client, limit=100):
        assert set(row) == SEED_ROW_KEYS
        assert set(row["contact"]) <= SEED_CONTACT_KEYS and "_id" in row["contact"]
        assert row["contact"]["_id"] == row["contactId"]
        assert all(set(u) == {"userId", "sender", "read"} for u in row["users"])


def test_pagination_walks_every_row_once_newest_first(client: TestClient, conversations) -> None:
    expected = [r["_id"] for r in rows_newest_first(conversations)]
    for limit in (1, 7, 10, 100):
        rows = walk(client, limit=limit)
        assert [r["_id"] for r in rows] == expected, limit
    stamps = [r["lastActivityAt"] for r in walk(client, limit=100)]
    assert stamps == sorted(stamps, reverse=True)
    last = client.get("/api/inbox", params={"limit": 7, "page": 5}).json()
    assert len(last["data"]) == 3 and last["pagination"]["nextPage"] is None and last["pagination"]["previousPage"] == 4
    beyond = client.get("/api/inbox", params={"limit": 7, "page": 9}).json()
    assert (
        beyond["data"] == [] and beyond["pagination"]["currentPage"] == 9 and beyond["pagination"]["nextPage"] is None
    )


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"page": 0}, {"page": "-1"}])
def test_bad_paging_parameters_are_a_400_with_a_json_body(client: TestClient, params) -> None:
    response = client.get("/api/inbox", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request" and next(iter(params)) in response.json()["message"]


def test_user_id_filter(client: TestClient, conversations) -> None:
    users = Counter(u["userId"] for c in conversations for u in c["inbox"]["users"])
    assert len(users) == 3
    for user_id in users:
        rows = walk(client, userId=user_id, limit=9)
        expected = [
            r["_id"] for r in rows_newest_first(conversations) if any(u["userId"] == user_id for u in r["users"])
        ]
        assert [r["_id"] for r in rows] == expected and 0 < len(rows) < 31
    stranger = client.get("/api/inbox", params={"userId": "usr_t2KCwPen66NrrqGtQ"})
    assert stranger.status_code == 403 and stranger.json()["error"] == "Forbidden"
    malformed = client.get("/api/inbox", params={"userId": "bob"})
    assert malformed.status_code == 400 and "userId" in malformed.json()["message"]


# ------------------------------------------------------------------------------- threads


def test_threads_by_contact_id(client: TestClient, conversations) -> None:
    for conversation in conversations:
        contact_id = conversation["inbox"]["contactId"]
        response = client.get(f"/api/inbox/{contact_id}")
        assert response.status_code == 200
        body = response.json()
        data = body["data"]
        assert data == list(reversed(conversation["messages"]))  # served newest first, all on one page
        assert body["pagination"] == {
            "totalItems": len(data),
            "currentPage": 1,
            "nextPage": None,
            "previousPage": None,
            "perPage": DEFAULT_THREAD_LIMIT,
            "totalPages": 1,
        }
        for activity in data:
            assert set(activity) <= ACTIVITY_KEYS, set(activity) - ACTIVITY_KEYS
            assert activity["contactId"] == contact_id


def test_unknown_contacts_routes_and_methods(client: TestClient, conversations) -> None:
    inbox_id = conversations[0]["inbox"]["_id"]
    for path in [f"/api/inbox/{inbox_id}", "/api/inbox/ctc_nope", "/api/elsewhere"]:
        response = client.get(path)
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/plain")
    assert client.get("/api/inbox/ctc_nope").text == "Contact not found"
    response = client.post("/api/inbox")
    assert response.status_code == 405 and response.text == "Method Not Allowed"


def test_a_broken_upstream() -> None:
    response = make_client(fail=500).get("/api/inbox")
    assert response.status_code == 500 and response.text == "Internal Server Error"


# ------------------------------------------------------------------------------- rate limit


def test_rate_limit_headers_on_every_answer_and_a_429_past_the_limit() -> None:
    http = make_client(rate_limit=(3, 60.0))
    app = http.app
    answers = [http.get("/api/inbox", params={"limit": 1}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert all(a.headers["X-RateLimit-Limit"] == "3" for a in answers)
    reset = answers[0].headers["X-RateLimit-Reset"]
    assert re.fullmatch(r"\w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT\+0000 \(Coordinated Universal Time\)", reset)
    at = datetime.strptime(reset[:24], "%a %b %d %Y %H:%M:%S").replace(tzinfo=UTC)
    assert timedelta(seconds=55) < at - datetime.now(UTC) <= timedelta(seconds=61)
    assert "Retry-After" not in answers[0].headers
    refused = http.get("/api/inbox/ctc_anything")  # all routes share the limit
    assert refused.status_code == 429
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0" and refused.headers["X-RateLimit-Limit"] == "3"
    assert "retry" in refused.text
    assert app.state.rate_limited == 1


def test_the_window_resets() -> None:
    http = make_client(rate_limit=(2, 0.3))
    assert [http.get("/api/inbox").status_code for _ in range(3)] == [200, 200, 429]
    assert http.get("/api/inbox").headers.get("Retry-After") in (None, "1")
    time.sleep(0.35)
    assert http.get("/api/inbox").status_code == 200


def test_refused_keys_do_not_use_the_limit() -> None:
    app = create_app(api_key=KEY, now=NOW, rate_limit=(1, 60.0))
    http = TestClient(app)
    assert [http.get("/api/inbox", headers=basic("wrong")).status_code for _ in range(3)] == [401] * 3
    assert http.get("/api/inbox", headers=basic(KEY)).status_code == 200
    assert app.state.rate_limited == 0


# ------------------------------------------------------------------------------- the data set


def all_activities(conversations) -> list[dict[str, Any]]:
    return [a for c in conversations for a in c["messages"]]


def test_dataset_summary_figures(conversations) -> None:
    rows = [c["inbox"] for c in conversations]
    acts = all_activities(conversations)
    assert len(rows) == 31
    assert sum(any(u["read"] is False for u in r["users"]) for r in rows) == 10
    assert sum(1 for r in rows if not r["users"]) == 1
    assert sum(1 for r in rows if "fullName" not in r["contact"]) == 6
    assert sum(1 for r in rows if "email" not in r["contact"]) == 1
    assert sum(1 for r in rows if not r["haveReplies"]) == 2
    assert Counter(tuple(r["channels"]) for r in rows) == {("email",): 25, ("linkedin",): 5, ("linkedin", "email"): 1}
    types = Counter(a["type"] for a in acts)
    assert set(types) == {
        "emailsSent",
        "emailsReplied",
        "emailsOpened",
        "emailsClicked",
        "linkedinVisitDone",
        "linkedinInviteDone",
        "linkedinInviteAccepted",
        "linkedinSent",
        "linkedinReplied",
    }
    assert len(acts) == 127 and types["emailsReplied"] == 32 and types["linkedinReplied"] == 5
    assert max(len(c["messages"]) for c in conversations) >= 7


def test_ids_are_shaped_like_the_seed(conversations) -> None:
    rows = [c["inbox"] for c in conversations]
    for r in rows:
        assert ID["ibx"].match(r["_id"]) and ID["ctc"].match(r["contactId"]) and ID["tea"].match(r["teamId"])
        assert ID["act"].match(r["createdBy"]) and all(ID["usr"].match(u["userId"]) for u in r["users"])
    for a in all_activities(conversations):
        assert ID["act"].match(a["_id"]) and ID["cam"].match(a["campaignId"]) and ID["lea"].match(a["leadId"])
    ids = [r["_id"] for r in rows] + [r["contactId"] for r in rows] + [a["_id"] for a in all_activities(conversations)]
    assert len(ids) == len(set(ids))


def test_rows_agree_with_their_activities(conversations) -> None:
    for c in conversations:
        row, acts = c["inbox"], c["messages"]
        times = [a["createdAt"] for a in acts]
        assert times == sorted(times) and all(when(t) < NOW for t in times)
        assert (
            row["lastActivityAt"] == times[-1] and row["createdAt"] == times[0] and row["createdBy"] == acts[0]["_id"]
        )
        replies = [a for a in acts if a["type"].endswith("Replied")]
        assert row["haveReplies"] == bool(replies)
        assert row["lastRepliedAt"] == (replies[-1]["createdAt"] if replies else None)
        steps = [a["sequenceStep"] for a in acts if a["type"].endswith("Sent") and "sequenceStep" in a]
        assert steps == sorted(steps) and (not steps or steps[0] == 0)


def test_domains_include_a_subdomain_and_a_look_alike(conversations) -> None:
    domains = Counter(c["inbox"]["contact"].get("email", "@").rpartition("@")[2] for c in conversations)
    assert {"acme.com", "us.acme.com", "notacme.com"} <= set(domains)
    assert domains["acme.com"] == 3 and domains["us.acme.com"] == 2 and domains["notacme.com"] == 2
    assert len(domains) >= 15


def test_replies_quote_history_like_real_clients_in_three_languages(conversations) -> None:
    replies = [a["message"] for a in all_activities(conversations) if a["type"] == "emailsReplied"]
    everything = "\n".join(replies)
    for marker in ('<div class="gmail_quote', 'id="divRplyFwdMsg"', '<blockquote type="cite">'):
        assert marker in everything, marker
    assert "a écrit :" in everything and "Bonjour" in everything
    assert "Viele Grüße" in everything and ("Von:" in everything or "schrieb" in everything)
    assert all(
        a["message"] and "<" not in a["message"]
        for a in all_activities(conversations)
        if a["type"] in ("linkedinSent", "linkedinReplied")
    )
    sent = [a["message"] for a in all_activities(conversations) if a["type"] == "emailsSent"]
    assert all('width="1" height="1"' in m for m in sent)  # the open-tracking pixel


def test_same_seed_and_now_give_the_same_bytes() -> None:
    a, b = make_client(), make_client()
    for params in ({"limit": 100}, {"limit": 7, "page": 3}):
        assert a.get("/api/inbox", params=params).content == b.get("/api/inbox", params=params).content
    contact = a.get("/api/inbox").json()["data"][0]["contactId"]
    assert a.get(f"/api/inbox/{contact}").content == b.get(f"/api/inbox/{contact}").content
    assert json.dumps(build_conversations(now=NOW)) == json.dumps(build_conversations(now=NOW))


def test_another_seed_gives_other_ids_and_times_but_the_same_stories() -> None:
    one, other = build_conversations(now=NOW), build_conversations(seed=8, now=NOW)
    assert [c["inbox"]["contactId"] for c in one] != [c["inbox"]["contactId"] for c in other]
    assert [c["inbox"]["contact"].get("email") for c in one] == [c["inbox"]["contact"].get("email") for c in other]


def ids_in_order(value: Any) -> list[tuple[str, str]]:
    """Every id of a document, `(field, id)` in document order: `_id`, `createdBy`, `messageId` and
    the fields that name an id (`contactId`, `userId`, ...)."""
    if isinstance(value, list):
        return [pair for item in value for pair in ids_in_order(item)]
    if not isinstance(value, dict):
        return []
    found = []
    for key, item in value.items():
        if isinstance(item, str) and (key in ("_id", "createdBy") or key.endswith("Id")):
            found.append((key, item))
        found += ids_in_order(item)
    return found


@pytest.mark.parametrize("later", [timedelta(days=1), timedelta(days=365)], ids=["a day later", "a year later"])
def test_ids_are_the_same_every_day_only_times_move(later: timedelta) -> None:
    """A sandbox started tomorrow (or next year) serves the same conversation and activity ids,
    in the same order, so that ids an agent noted yesterday still open the same threads."""
    today, then = build_conversations(now=NOW), build_conversations(now=NOW + later)
    assert len(ids_in_order(today)) > 500
    assert ids_in_order(then) == ids_in_order(today)
    assert [a["createdAt"] for a in all_activities(then)] != [a["createdAt"] for a in all_activities(today)]
    long_today, long_then = long_conversation(now=NOW), long_conversation(now=NOW + later)
    assert ids_in_order(long_then) == ids_in_order(long_today)
    assert long_then["inbox"]["lastActivityAt"] != long_today["inbox"]["lastActivityAt"]


def test_default_now_is_the_start_of_the_utc_day() -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    default = build_conversations()
    assert json.dumps(default) == json.dumps(build_conversations(now=today)) or datetime.now(UTC).date() != today.date()
    assert max(when(a["createdAt"]) for a in all_activities(default)) < today


def test_custom_conversations_are_served(conversations) -> None:
    mine = conversations[:3]
    http = make_client(conversations=mine)
    assert {r["_id"] for r in walk(http, limit=100)} == {c["inbox"]["_id"] for c in mine}


# ------------------------------------------------------------------------------- thread pages


def long_client(count: int = 250, **options: Any) -> tuple[TestClient, dict[str, Any]]:
    long = long_conversation(count, now=NOW)
    return make_client(conversations=[long], rate_limit=(10_000, 1.0), **options), long


def thread_walk(client: TestClient, contact_id: str, limit: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while True:
        body = client.get(f"/api/inbox/{contact_id}", params={"limit": limit, "skip": len(got)}).json()
        got += body["data"]
        if body["pagination"]["nextPage"] is None:
            return got


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_thread_pages_honour_limit_and_skip_in_either_order(order: str) -> None:
    http, long = long_client(thread_order=order)
    contact_id, messages = long["inbox"]["contactId"], long["messages"]
    expected = messages if order == "oldest" else list(reversed(messages))
    assert http.get(f"/api/inbox/{contact_id}").json()["data"] == expected[:DEFAULT_THREAD_LIMIT]
    for limit in (1, 7, 100):
        assert thread_walk(http, contact_id, limit) == expected, limit
    body = http.get(f"/api/inbox/{contact_id}", params={"limit": 100, "skip": 200}).json()
    assert body["data"] == expected[200:]
    assert body["pagination"] == {
        "totalItems": 250,
        "currentPage": 3,
        "nextPage": None,
        "previousPage": 2,
        "perPage": 100,
        "totalPages": 3,
    }
    odd = http.get(f"/api/inbox/{contact_id}", params={"limit": 100, "skip": 30}).json()
    assert odd["data"] == expected[30:130] and odd["pagination"]["nextPage"] == 2
    assert http.get(f"/api/inbox/{contact_id}", params={"skip": 999}).json()["data"] == []


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"skip": -1}, {"skip": "x"}, {"markAsRead": "yes"}, {"userId": "bob"}]
)
def test_bad_thread_parameters_are_a_400(params) -> None:
    http, long = long_client(10)
    response = http.get(f"/api/inbox/{long['inbox']['contactId']}", params=params)
    assert response.status_code == 400 and next(iter(params)) in response.json()["message"]


def test_a_thread_checks_its_user_id(client: TestClient, conversations) -> None:
    row = conversations[0]["inbox"]
    member = row["users"][0]["userId"]
    assert client.get(f"/api/inbox/{row['contactId']}", params={"userId": member}).status_code == 200
    stranger = client.get(f"/api/inbox/{row['contactId']}", params={"userId": "usr_t2KCwPen66NrrqGtQ"})
    assert stranger.status_code == 403


def test_mark_as_read_marks_the_conversation_read_and_nothing_else_does(client: TestClient, conversations) -> None:
    def unread() -> set[str]:
        return {r["contactId"] for r in walk(client, limit=100) if any(u["read"] is False for u in r["users"])}

    before = unread()
    assert len(before) == 10
    first, second = sorted(before)[:2]
    client.get(f"/api/inbox/{first}")
    client.get(f"/api/inbox/{first}", params={"markAsRead": "false"})
    assert unread() == before
    client.get(f"/api/inbox/{first}", params={"markAsRead": "true"})
    assert unread() == before - {first}
    assert any(
        u["read"] is False for c in conversations for u in c["inbox"]["users"] if c["inbox"]["contactId"] == first
    ), "the app's copy changed, not the caller's data"
    reader = next(
        u["userId"]
        for c in conversations
        if c["inbox"]["contactId"] == second
        for u in c["inbox"]["users"]
        if u["read"] is False
    )
    client.get(f"/api/inbox/{second}", params={"markAsRead": "true", "userId": reader})
    assert unread() == before - {first, second}


def test_the_first_readings_thread_is_every_activity_at_once() -> None:
    http, long = long_client(thread_pagination=False)
    body = http.get(f"/api/inbox/{long['inbox']['contactId']}", params={"limit": 10, "skip": 20}).json()
    assert body == {"data": list(reversed(long["messages"]))}


def test_long_conversation_is_shaped_like_the_data_set() -> None:
    long = long_conversation(1240, now=NOW)
    assert long == long_conversation(1240, now=NOW)
    acts, row = long["messages"], long["inbox"]
    assert len(acts) == 1240 and len({a["_id"] for a in acts}) == 1240
    times = [a["createdAt"] for a in acts]
    assert times == sorted(times) and when(times[-1]) < NOW and row["lastActivityAt"] == times[-1]
    assert acts[-1]["type"] == "linkedinReplied" and acts[-1]["message"] == "Olivia: message 1240 of 1240."
    assert acts[0]["type"] == "linkedinSent" and acts[0]["message"] == "Sam: message 1 of 1240."
    assert all(set(a) <= ACTIVITY_KEYS for a in acts) and set(row) == SEED_ROW_KEYS
    assert ID["ctc"].match(row["contactId"]) and all(ID["act"].match(a["_id"]) for a in acts)


# ------------------------------------------------------------------------------- the other shapes


def test_the_inbox_message_shape_has_the_documented_fields_and_messages_only(conversations) -> None:
    http = make_client(message_shape="inbox_message", rate_limit=(10_000, 1.0))
    for conversation in conversations:
        row = conversation["inbox"]
        data = http.get(f"/api/inbox/{row['contactId']}").json()["data"]
        said = [
            a
            for a in reversed(conversation["messages"])
            if a["type"].endswith(("Sent", "Replied")) or (a["type"] == "linkedinInviteDone" and a.get("message"))
        ]
        assert [m["_id"] for m in data] == [a["_id"] for a in said]
        lead = row["contact"].get("email") or row["contact"]["fullName"]
        for message, activity in zip(data, said):
            assert set(message) == {"_id", "conversationId", "sender", "recipient", "body", "sentAt"}
            assert message["conversationId"] == row["_id"] and message["body"] == activity["message"]
            assert message["sentAt"] == activity["createdAt"]
            ours = activity["sendUserEmail"]
            pair = (lead, ours) if activity["type"].endswith("Replied") else (ours, lead)
            assert (message["sender"], message["recipient"]) == pair


def test_legacy_rows(conversations) -> None:
    rows = walk(make_client(row_shape="legacy", rate_limit=(10_000, 1.0)), limit=100)
    assert len(rows) == 31
    assert sum(1 for r in rows if "contact" not in r) == 11
    assert sum(1 for r in rows if "contactId" not in r) == 1
    objects = [o for r in rows for o in r["opportunities"]]
    assert objects and all(set(o) == {"id", "type", "done"} for o in objects)
    assert sum(1 for r in rows if r["haveReplies"] and r["lastRepliedAt"] is None) >= 8
    assert {r["_id"] for r in rows} == {c["inbox"]["_id"] for c in conversations}


def test_a_429_without_retry_after_still_says_when_by_its_reset_date() -> None:
    http = make_client(rate_limit=(1, 30.0), retry_after=False)
    assert http.get("/api/inbox").status_code == 200
    refused = http.get("/api/inbox")
    assert refused.status_code == 429 and "Retry-After" not in refused.headers
    at = datetime.strptime(refused.headers["X-RateLimit-Reset"][:24], "%a %b %d %Y %H:%M:%S").replace(tzinfo=UTC)
    assert timedelta(seconds=29) <= at - datetime.now(UTC) <= timedelta(seconds=31)  # rounded up, never early
