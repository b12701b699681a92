"""The SendKit emulator serves the documented contract (PROVIDERS.md, seeds 000 and 001).

The app is driven over HTTP with Starlette's test client; the data set's properties are checked
on `build_conversations` and through the routes.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from helpers import assert_json_error, keyed_client
from starlette.testclient import TestClient

from leadinbox_mcp.sandbox.sendkit import (
    SANDBOX_API_KEY,
    build_conversations,
    build_variant_conversations,
    create_app,
)

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
# What a row of the list and a thread have in common, then the keys of each.
CONVERSATION_KEYS = {"id", "lead", "campaign", "status", "aiTag", "tags", "isRead", "unreadCount"}
ROW_KEYS = CONVERSATION_KEYS | {"repliedAt", "lastMessage", "messageCount"}
THREAD_KEYS = CONVERSATION_KEYS | {"messages", "scheduledReplies"}
SENT_KEYS = {"type", "subject", "body", "sentAt", "sequenceStep", "opened", "clicked"}
REPLY_KEYS = {
    "type",
    "from",
    "to",
    "subject",
    "content",
    "htmlContent",
    "receivedAt",
    "isFromLead",
    "isAutoReply",
    "read",
    "attachments",
}
MANUAL_KEYS = {"type", "from", "to", "subject", "content", "htmlContent", "direction", "sentAt", "attachments"}
AI_TAGS = {"interested", "not_interested", "meeting_booked", "out_of_office", "wrong_person"}


# ------------------------------------------------------------------------------- helpers


def when(message: dict[str, Any]) -> datetime:
    raw = message.get("receivedAt") or message["sentAt"]
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def is_lead_reply(message: dict[str, Any]) -> bool:
    return message["type"] == "reply" and message["isFromLead"]


def listed(conversations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversations GET /v1/inbox shows, in the documented order (newest first, ties by id)."""
    rows = [c for c in conversations if any(is_lead_reply(m) for m in c["messages"])]
    return sorted(rows, key=lambda c: (when(c["messages"][-1]), c["id"]), reverse=True)


def all_messages(conversations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for c in conversations for m in c["messages"]]


def assert_error(response: Any, code: int, error: str) -> None:
    assert_json_error(response, code, {"error": error, "code": code})


def walk_pages(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get("/v1/inbox", params={**params, "page": page}).json()
        assert body["success"] is True
        rows.extend(body["data"])
        if page >= body["pagination"]["pages"]:
            return rows
        page += 1


def walk_cursor(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.get("/v1/inbox", params=query).json()
        rows.extend(body["data"])
        pagination = body["pagination"]
        if not pagination["hasMore"]:
            assert pagination["nextCursor"] is None
            return rows
        cursor = pagination["nextCursor"]
        assert isinstance(cursor, str) and cursor
    raise AssertionError("the cursor never ran out")


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def conversations() -> list[dict[str, Any]]:
    return build_conversations(now=NOW)


make_client = partial(keyed_client, create_app, "X-Api-Key", SANDBOX_API_KEY, now=NOW)


@pytest.fixture(scope="module")
def client() -> TestClient:
    """The default data set, listed with page numbers."""
    return make_client()


@pytest.fixture(scope="module")
def cursor_client() -> TestClient:
    """The same data set, listed with the cursor-shaped pagination envelope."""
    return make_client(pagination="cursor")


# ------------------------------------------------------------------------------- auth


@pytest.mark.parametrize("path", ["/v1/inbox", "/v1/inbox/abc", "/v1/inbox/abc/attachments/0", "/v1/nowhere"])
def test_missing_key_is_401_on_every_route(path: str) -> None:
    bare = TestClient(create_app(now=NOW))
    assert_error(bare.get(path), 401, "Unauthorized")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Api-Key": "sk_wrong"},
        {"Authorization": "Bearer sk_wrong"},
        {"Authorization": f"Basic {SANDBOX_API_KEY}"},  # not a bearer token: no key was sent
        {"X-Api-Key": ""},
    ],
)
def test_wrong_key_is_401(headers: dict[str, str]) -> None:
    bare = TestClient(create_app(now=NOW))
    assert_error(bare.get("/v1/inbox", headers=headers), 401, "Unauthorized")


def test_key_as_bearer_token_is_accepted() -> None:
    bare = TestClient(create_app(now=NOW))
    response = bare.get("/v1/inbox", headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"})
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_workspace_key_must_not_send_workspace_header(client: TestClient) -> None:
    assert_error(client.get("/v1/inbox", headers={"X-Workspace-Id": "ws_1"}), 400, "Bad Request")


def test_platform_key_needs_the_right_workspace() -> None:
    key = "sk_user_9f8e7d6c5b4a"
    platform = TestClient(create_app(api_key=key, workspace_id="ws_acme", now=NOW))
    platform.headers["X-Api-Key"] = key
    assert_error(platform.get("/v1/inbox"), 400, "Bad Request")
    assert_error(platform.get("/v1/inbox", headers={"X-Workspace-Id": "ws_other"}), 403, "Forbidden")
    ok = platform.get("/v1/inbox", headers={"X-Workspace-Id": "ws_acme"})
    assert ok.status_code == 200 and ok.json()["success"] is True
    conversation_id = ok.json()["data"][0]["id"]
    assert_error(platform.get(f"/v1/inbox/{conversation_id}"), 400, "Bad Request")
    detail = platform.get(f"/v1/inbox/{conversation_id}", headers={"X-Workspace-Id": "ws_acme"})
    assert detail.status_code == 200
    # the sandbox's workspace key is not this app's key
    assert_error(platform.get("/v1/inbox", headers={"X-Api-Key": SANDBOX_API_KEY}), 401, "Unauthorized")


def test_create_app_checks_its_configuration() -> None:
    with pytest.raises(ValueError):
        create_app(api_key="sk_user_abc", now=NOW)
    with pytest.raises(ValueError):
        create_app(api_key="not-a-key", now=NOW)
    with pytest.raises(ValueError):
        create_app(pagination="offset", now=NOW)  # type: ignore[arg-type]


def test_every_request_is_recorded_even_refused_ones() -> None:
    app = create_app(now=NOW)
    raw = TestClient(app)
    raw.get("/v1/inbox", params={"limit": "5", "tag": "interested"})
    raw.get("/v1/inbox/xyz", headers={"X-Api-Key": SANDBOX_API_KEY})
    assert app.state.requests == [
        ("GET", "/v1/inbox", {"limit": "5", "tag": "interested"}),
        ("GET", "/v1/inbox/xyz", {}),
    ]


# ------------------------------------------------------------------------------- list: pagination


def test_pages_walk_returns_every_conversation_once_in_order(
    client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    expected = [c["id"] for c in listed(conversations)]
    first = client.get("/v1/inbox", params={"limit": 7}).json()
    assert first["pagination"] == {"total": len(expected), "page": 1, "limit": 7, "pages": math.ceil(len(expected) / 7)}
    rows = walk_pages(client, limit=7)
    assert [r["id"] for r in rows] == expected
    assert len(set(expected)) == len(expected)


def test_cursor_walk_returns_every_conversation_once_in_order(
    cursor_client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    expected = [c["id"] for c in listed(conversations)]
    first = cursor_client.get("/v1/inbox", params={"limit": 5}).json()
    assert set(first["pagination"]) == {"limit", "total", "hasMore", "nextCursor"}
    assert first["pagination"]["total"] == len(expected)
    assert first["pagination"]["hasMore"] is True
    assert first["pagination"]["nextCursor"] == first["data"][-1]["id"]
    assert [r["id"] for r in walk_cursor(cursor_client, limit=5)] == expected


def test_default_limit_is_20(client: TestClient) -> None:
    body = client.get("/v1/inbox").json()
    assert len(body["data"]) == 20 and body["pagination"]["limit"] == 20


def test_page_past_the_end_is_empty(client: TestClient) -> None:
    body = client.get("/v1/inbox", params={"page": 99}).json()
    assert body["data"] == [] and body["pagination"]["page"] == 99


def test_each_mode_honours_the_other_parameter(
    client: TestClient, cursor_client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    expected = [c["id"] for c in listed(conversations)]
    # page numbers in cursor mode
    body = cursor_client.get("/v1/inbox", params={"limit": 10, "page": 2}).json()
    assert [r["id"] for r in body["data"]] == expected[10:20]
    assert body["pagination"]["nextCursor"] == expected[19]
    last = cursor_client.get("/v1/inbox", params={"limit": 10, "page": 5}).json()
    assert [r["id"] for r in last["data"]] == expected[40:]
    assert last["pagination"] == {"limit": 10, "total": len(expected), "hasMore": False, "nextCursor": None}
    # a cursor in page mode
    body = client.get("/v1/inbox", params={"limit": 10, "cursor": expected[9]}).json()
    assert [r["id"] for r in body["data"]] == expected[10:20]
    assert body["pagination"]["page"] == 2


def test_cursor_between_two_rows_with_the_same_time(
    cursor_client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    order = listed(conversations)
    times = [when(c["messages"][-1]) for c in order]
    i = next(i for i in range(len(times) - 1) if times[i] == times[i + 1])
    assert order[i]["id"] > order[i + 1]["id"]  # ties: id descending
    first = cursor_client.get("/v1/inbox", params={"limit": i + 1}).json()
    assert first["data"][-1]["id"] == order[i]["id"]
    nxt = cursor_client.get("/v1/inbox", params={"limit": i + 1, "cursor": first["pagination"]["nextCursor"]})
    assert nxt.json()["data"][0]["id"] == order[i + 1]["id"]


@pytest.mark.parametrize("mode", ["pages", "cursor"])
def test_unknown_cursor_is_400(mode: str) -> None:
    assert_error(make_client(pagination=mode).get("/v1/inbox", params={"cursor": "nope"}), 400, "Bad Request")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "-1"},
        {"limit": "abc"},
        {"limit": "2.5"},
        {"page": "0"},
        {"page": "first"},
        {"status": "read"},
    ],
)
def test_invalid_query_is_400(client: TestClient, params: dict[str, str]) -> None:
    assert_error(client.get("/v1/inbox", params=params), 400, "Bad Request")


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_accepted(client: TestClient, limit: int) -> None:
    body = client.get("/v1/inbox", params={"limit": limit}).json()
    assert body["pagination"]["limit"] == limit and len(body["data"]) == min(limit, 50)


# ------------------------------------------------------------------------------- list: filters


def test_unread_filter_returns_exactly_the_unread_conversations(
    client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    rows = walk_pages(client, status="unread", limit=100)
    expected = [c["id"] for c in listed(conversations) if c["unreadCount"] > 0]
    assert [r["id"] for r in rows] == expected
    assert len(rows) == 10
    assert all(r["isRead"] is False and r["unreadCount"] >= 1 for r in rows)
    for c in conversations:
        if c["unreadCount"]:
            latest = [m for m in c["messages"] if is_lead_reply(m)][-1]
            assert latest["read"] is False and c["isRead"] is False


@pytest.mark.parametrize("tag", sorted(AI_TAGS))
def test_tag_filter_matches_the_ai_tag(client: TestClient, conversations: list[dict[str, Any]], tag: str) -> None:
    rows = walk_pages(client, tag=tag, limit=100)
    assert rows and all(r["aiTag"] == tag for r in rows)
    assert [r["id"] for r in rows] == [c["id"] for c in listed(conversations) if c["aiTag"] == tag]


def test_campaign_filter(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    campaigns = {c["campaign"]["_id"]: c["campaign"]["name"] for c in conversations}
    seen = 0
    for campaign_id in campaigns:
        rows = walk_pages(client, campaign_id=campaign_id, limit=100)
        assert rows and all(r["campaign"]["_id"] == campaign_id for r in rows)
        seen += len(rows)
    assert seen == len(listed(conversations))
    assert client.get("/v1/inbox", params={"campaign_id": "000000000000000000000000"}).json()["data"] == []


@pytest.mark.parametrize(
    "search, expected",
    [
        ("dana", {"dana.whitfield@acme.com"}),
        ("DANA WHITFIELD", {"dana.whitfield@acme.com"}),
        ("vogel", {"katrin.vogel@eu.acme.com"}),  # last name
        ("Miguel Ángel Torres", {"ma.torres@cyberdyne.es"}),  # "first last"
        ("sales-ops@", {"sales-ops@vandelay.com"}),  # a lead with no name at all
        ("priyanka", {"priyanka@notacme.com"}),  # a lead with no last name
        (
            "@globex.io",
            {"hank@globex.io", "maya.lindqvist@globex.io", "devon.price@globex.io", "chris.doyle@globex.io"},
        ),
        ("zzzz-nobody", set()),
    ],
)
def test_search_matches_email_or_name(client: TestClient, search: str, expected: set[str]) -> None:
    rows = walk_pages(client, search=search, limit=100)
    assert {r["lead"]["email"] for r in rows} == expected


def test_search_is_a_plain_substring_so_look_alike_domains_match(client: TestClient) -> None:
    emails = {r["lead"]["email"] for r in walk_pages(client, search="acme.com", limit=100)}
    assert {
        "dana.whitfield@acme.com",
        "tom.becker@us.acme.com",
        "katrin.vogel@eu.acme.com",
        "priyanka@notacme.com",
        "liam.obrien@acme.com.au",
    } <= emails


def test_filters_combine(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    revops = next(c["campaign"]["_id"] for c in conversations if c["campaign"]["name"].startswith("Q4 Outbound"))
    rows = walk_pages(client, status="unread", tag="interested", campaign_id=revops, limit=100)
    assert {r["lead"]["email"] for r in rows} == {"dana.whitfield@acme.com", "maya.lindqvist@globex.io"}


# ------------------------------------------------------------------------------- list: rows


def test_rows_have_the_documented_shape_and_match_their_threads(client: TestClient) -> None:
    for row in walk_pages(client, limit=100):
        assert set(row) == ROW_KEYS
        assert set(row["lead"]) <= {"_id", "email", "firstName", "lastName", "companyName"}
        assert {"_id", "email"} <= set(row["lead"])
        assert set(row["campaign"]) == {"_id", "name"}
        assert set(row["lastMessage"]) == {"content", "from", "receivedAt", "isFromLead", "read"}
        thread = client.get(f"/v1/inbox/{row['id']}").json()["data"]
        messages = thread["messages"]
        last = messages[-1]
        assert row["messageCount"] == len(messages)
        assert row["lastMessage"]["receivedAt"] == (last.get("receivedAt") or last["sentAt"])
        assert row["lastMessage"]["from"] == last["from"]
        lead_replies = [m for m in messages if is_lead_reply(m)]
        assert row["repliedAt"] == lead_replies[-1]["receivedAt"]
        assert (row["isRead"], row["unreadCount"]) == (thread["isRead"], thread["unreadCount"])
        content = row["lastMessage"]["content"]
        assert not re.search(r"</?(div|p|br|a|img|span|blockquote)\b", content)  # plain text
        assert len(content) <= 103
        if len(" ".join(last["content"].split())) > 100:
            assert content.endswith("...")
        else:
            assert content == " ".join(last["content"].split())


def test_seed_000_fields_have_the_documented_types(client: TestClient) -> None:
    row = client.get("/v1/inbox", params={"limit": 1}).json()["data"][0]
    assert isinstance(row["tags"], list) and isinstance(row["messageCount"], int)
    assert row["lastMessage"]["isFromLead"] in (True, False)
    assert row["repliedAt"].endswith("Z") and len(row["repliedAt"]) == len("2024-06-01T14:30:00.000Z")


# ------------------------------------------------------------------------------- threads


def test_thread_has_the_documented_shape(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    for conversation in conversations:
        response = client.get(f"/v1/inbox/{conversation['id']}")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True and set(body["data"]) == THREAD_KEYS
        assert body["data"] == conversation
        for message in conversation["messages"]:
            keys = {"sent": SENT_KEYS, "reply": REPLY_KEYS, "manual": MANUAL_KEYS}[message["type"]]
            assert set(message) == keys, message["type"]


def test_messages_are_chronological_and_sequence_steps_count_up(conversations: list[dict[str, Any]]) -> None:
    for conversation in conversations:
        times = [when(m) for m in conversation["messages"]]
        assert times == sorted(times)
        steps = [m["sequenceStep"] for m in conversation["messages"] if m["type"] == "sent"]
        assert steps == list(range(1, len(steps) + 1))
        assert all(t < NOW for t in times)


def test_all_message_types_and_directions_occur(conversations: list[dict[str, Any]]) -> None:
    messages = all_messages(conversations)
    assert {m["type"] for m in messages} == {"sent", "reply", "manual"}
    replies = [m for m in messages if m["type"] == "reply"]
    assert {m["isFromLead"] for m in replies} == {True, False}
    manual = Counter(m["direction"] for m in messages if m["type"] == "manual")
    assert manual["outbound"] >= 2 and manual["inbound"] >= 1


def test_sent_emails_are_tracked_html(conversations: list[dict[str, Any]]) -> None:
    sent = [m for m in all_messages(conversations) if m["type"] == "sent"]
    for m in sent:
        assert '<img src="https://t.sendkit-mail.com/o/' in m["body"]
        assert 'width="1" height="1"' in m["body"]
        assert "utm_source=sendkit" in m["body"] and "utm_medium=email" in m["body"]
    assert any(m["opened"] for m in sent) and any(m["clicked"] for m in sent)
    assert not all(m["opened"] for m in sent)


def test_attachments_download(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    downloads = 0
    for conversation in conversations:
        items = [a for m in conversation["messages"] for a in m.get("attachments", [])]
        for n, item in enumerate(items):
            assert set(item) <= {"filename", "contentType", "size", "downloadUrl"}
            path = f"/v1/inbox/{conversation['id']}/attachments/{n}"
            response = client.get(path)
            if "downloadUrl" not in item:
                assert_error(response, 404, "Not Found")
                continue
            assert item["downloadUrl"] == path
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(item["contentType"])
            assert len(response.content) == item["size"]
            downloads += 1
        assert_error(client.get(f"/v1/inbox/{conversation['id']}/attachments/{len(items)}"), 404, "Not Found")
    assert downloads >= 6
    assert_error(client.get(f"/v1/inbox/{conversations[0]['id']}/attachments/x"), 404, "Not Found")
    assert_error(client.get("/v1/inbox/nope/attachments/0"), 404, "Not Found")


def test_pdf_and_png_downloads_start_like_real_files(client: TestClient, conversations: list[dict[str, Any]]) -> None:
    seen = set()
    for conversation in conversations:
        items = [a for m in conversation["messages"] for a in m.get("attachments", [])]
        for n, item in enumerate(items):
            if "downloadUrl" in item and item["contentType"] in ("application/pdf", "image/png"):
                data = client.get(item["downloadUrl"]).content
                magic = b"%PDF-" if item["contentType"] == "application/pdf" else b"\x89PNG"
                assert data.startswith(magic)
                seen.add(item["contentType"])
    assert seen == {"application/pdf", "image/png"}


def test_scheduled_replies(conversations: list[dict[str, Any]]) -> None:
    scheduled = [(c, s) for c in conversations for s in c["scheduledReplies"]]
    assert len({c["id"] for c, _ in scheduled}) == 5
    statuses = Counter(s["status"] for _, s in scheduled)
    assert set(statuses) <= {"pending", "sending", "failed"}
    assert statuses["failed"] == 1 and statuses["pending"] > len(scheduled) / 2
    mailbox_ids = set()
    for _, s in scheduled:
        assert set(s) == {"_id", "message", "scheduledFor", "status", "mailboxId", "createdAt"}
        created = datetime.fromisoformat(s["createdAt"].replace("Z", "+00:00"))
        due = datetime.fromisoformat(s["scheduledFor"].replace("Z", "+00:00"))
        assert created <= NOW
        assert (due > NOW) if s["status"] == "pending" else (due <= NOW)
        mailbox_ids.add(s["mailboxId"])
    assert all(len(i) == 24 for i in mailbox_ids)


def test_unknown_conversation_and_route_are_404(client: TestClient) -> None:
    assert_error(client.get("/v1/inbox/000000000000000000000000"), 404, "Not Found")
    assert_error(client.get("/v1/elsewhere"), 404, "Not Found")
    assert_error(client.post("/v1/inbox"), 405, "Method Not Allowed")


def test_conversations_without_lead_reply_are_served_but_not_listed(
    client: TestClient, conversations: list[dict[str, Any]]
) -> None:
    silent = [c for c in conversations if not any(is_lead_reply(m) for m in c["messages"])]
    assert len(silent) == 2
    listed_ids = {r["id"] for r in walk_pages(client, limit=100)}
    for conversation in silent:
        assert conversation["id"] not in listed_ids
        assert client.get(f"/v1/inbox/{conversation['id']}").status_code == 200


def test_custom_conversations_are_served() -> None:
    mine = [c for c in build_conversations(now=NOW) if c["aiTag"] == "meeting_booked"]
    custom = make_client(conversations=mine)
    rows = walk_pages(custom, limit=100)
    assert [r["id"] for r in rows] == [c["id"] for c in listed(mine)]


# ------------------------------------------------------------------------------- determinism


def test_same_seed_and_now_give_the_same_bytes() -> None:
    a, b = make_client(), make_client()
    for path, params in [("/v1/inbox", {"limit": 100}), ("/v1/inbox", {"limit": 7, "page": 3})]:
        assert a.get(path, params=params).content == b.get(path, params=params).content
    first_id = a.get("/v1/inbox").json()["data"][0]["id"]
    assert a.get(f"/v1/inbox/{first_id}").content == b.get(f"/v1/inbox/{first_id}").content
    assert json.dumps(build_conversations(now=NOW)) == json.dumps(build_conversations(now=NOW))


def test_another_seed_gives_other_ids_and_times_but_the_same_stories() -> None:
    one, other = build_conversations(now=NOW), build_conversations(seed=8, now=NOW)
    assert [c["id"] for c in one] != [c["id"] for c in other]
    assert [c["lead"]["email"] for c in one] == [c["lead"]["email"] for c in other]
    assert sum(c["unreadCount"] > 0 for c in other) == 10


def test_default_now_makes_the_sandbox_look_recent() -> None:
    before = datetime.now(UTC)
    conversations = build_conversations()
    times = [when(m) for m in all_messages(conversations)]
    assert max(times) <= before
    assert max(times) >= before - timedelta(days=3)


def every_id(conversations: list[dict[str, Any]]) -> list[str]:
    """Every id of the documents in order: conversations, leads, campaigns, scheduled replies,
    mailboxes, and the attachment URLs that embed a conversation id."""
    return re.findall(r'(?:"(?:id|_id|mailboxId)": "|/v1/inbox/)([0-9a-f]{24})', json.dumps(conversations))


@pytest.mark.parametrize("later", [timedelta(days=1), timedelta(days=365)])
def test_ids_do_not_move_with_now_but_times_do(later: timedelta) -> None:
    """The README's examples name sandbox ids: they must be the sandbox's on any day."""
    for build in (build_conversations, build_variant_conversations):
        today, tomorrow = build(now=NOW), build(now=NOW + later)
        assert every_id(today) == every_id(tomorrow)
        assert len(every_id(today)) >= 6
        times = [when(m) for c in today for m in c["messages"] if m.get("receivedAt") or m.get("sentAt")]
        later_times = [when(m) for c in tomorrow for m in c["messages"] if m.get("receivedAt") or m.get("sentAt")]
        assert [t + later for t in times] == later_times
    tom = next(c for c in build_conversations() if c["lead"]["email"] == "tom.becker@us.acme.com")
    assert tom["id"] == "6afc8e4d1c298cb3a552e6c1"  # README.md, "get_thread"


# ------------------------------------------------------------------------------- the data set


def test_dataset_summary_figures(conversations: list[dict[str, Any]]) -> None:
    messages = all_messages(conversations)
    assert len(conversations) == 52 and len(listed(conversations)) == 50
    assert len({c["campaign"]["_id"] for c in conversations}) == 4
    assert sum(c["unreadCount"] > 0 for c in conversations) == 10
    assert max(c["unreadCount"] for c in conversations) >= 2
    assert sum(1 for m in messages if m["type"] == "reply" and m["isAutoReply"]) >= 3
    assert 5 <= sum(1 for m in messages if m["type"] == "reply" and m["attachments"]) <= 9
    assert {a["contentType"] for m in messages for a in m.get("attachments", [])} >= {
        "application/pdf",
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    lengths = [len(c["messages"]) for c in conversations]
    assert min(lengths) >= 2 and max(lengths) >= 12


def test_domains_include_subdomains_and_look_alikes(conversations: list[dict[str, Any]]) -> None:
    domains = Counter(c["lead"]["email"].rpartition("@")[2] for c in conversations)
    assert {
        "acme.com",
        "us.acme.com",
        "eu.acme.com",
        "notacme.com",
        "acme.com.au",
        "globex.io",
        "initech.co.uk",
        "umbrella-corp.de",
        "soylent.fr",
        "cyberdyne.es",
    } <= set(domains)
    assert len(domains) >= 12
    assert sum(1 for n in domains.values() if n >= 3) >= 3  # several leads at some companies


def test_tags_and_statuses(conversations: list[dict[str, Any]]) -> None:
    tags = Counter(c["aiTag"] for c in conversations)
    assert set(tags) == AI_TAGS | {None}
    assert {c["status"] for c in conversations} == {"active", "paused", "completed"}
    assert any("vip" in c["tags"] for c in conversations)


def test_ties_in_last_activity(conversations: list[dict[str, Any]]) -> None:
    last = Counter(c["messages"][-1].get("receivedAt") or c["messages"][-1]["sentAt"] for c in listed(conversations))
    assert any(n >= 2 for n in last.values())


def test_leads_with_missing_fields(conversations: list[dict[str, Any]]) -> None:
    leads = [c["lead"] for c in conversations]
    assert any("firstName" in lead and "lastName" not in lead for lead in leads)
    assert any("companyName" in lead and lead["companyName"] is None for lead in leads)
    assert any(set(lead) == {"_id", "email"} for lead in leads)


def test_replies_quote_history_like_real_clients(conversations: list[dict[str, Any]]) -> None:
    replies = [m for m in all_messages(conversations) if m["type"] == "reply"]
    html_parts = "\n".join(m["htmlContent"] for m in replies if m["htmlContent"])
    texts = "\n".join(m["content"] for m in replies)
    for marker in (
        '<div class="gmail_quote',
        '<blockquote class="gmail_quote"',
        'id="divRplyFwdMsg"',
        "border-top:solid #E1E1E1 1.0pt",
        '<blockquote type="cite">',
        'class="moz-cite-prefix"',
    ):
        assert marker in html_parts, marker
    assert " a écrit :" in texts and " schrieb " in texts and "escribió:" in texts
    assert "Von: " in texts and "Gesendet: " in texts and "\nFrom: " in texts and "\nSent: " in texts
    assert "\n-- \n" in texts and "Sent from my iPhone" in texts
    assert "CONFIDENTIALITY NOTICE" in texts and "vertrauliche" in texts
    plain = [m for m in replies if m["htmlContent"] is None]
    assert plain and any("\n> " in m["content"] for m in plain)


def test_reply_content_is_plain_text(conversations: list[dict[str, Any]]) -> None:
    for m in all_messages(conversations):
        if m["type"] in ("reply", "manual"):
            for tag in ("<div", "<p>", "<br", "<blockquote", "&nbsp;", "&lt;"):
                assert tag not in m["content"]


def test_replies_in_four_languages(conversations: list[dict[str, Any]]) -> None:
    texts = [m["content"] for m in all_messages(conversations) if is_lead_reply(m)]
    assert any("Bonjour" in t for t in texts)
    assert any("Viele Grüße" in t for t in texts)
    assert any("Hola" in t for t in texts)


def test_hostile_content_fixtures(conversations: list[dict[str, Any]]) -> None:
    replies = [m for m in all_messages(conversations) if is_lead_reply(m)]
    hidden = [
        m
        for m in replies
        if m["htmlContent"]
        and "display:none" in m["htmlContent"]
        and "Ignore previous instructions" in m["htmlContent"]
    ]
    assert hidden and all("Ignore previous instructions" not in m["content"] for m in hidden)
    assert any("\u200b" in m["content"] for m in replies)
    assert any("\u202e" in m["content"] for m in replies)


# ------------------------------------------------------------------------------- documented variants


def test_cursor_v2_is_the_newer_list_page(conversations: list[dict[str, Any]]) -> None:
    v2 = make_client(pagination="cursor_v2")
    expected = [c["id"] for c in listed(conversations)]
    first = v2.get("/v1/inbox", params={"limit": 20}).json()
    assert first["pagination"] == {"limit": 20, "total": len(expected), "hasMore": True, "nextCursor": expected[19]}
    assert re.fullmatch(r"[0-9a-f]{24}", first["pagination"]["nextCursor"])  # a conversation id
    for row in first["data"]:
        assert set(row) == ROW_KEYS
        assert set(row["lastMessage"]) == {"content", "from", "receivedAt", "isFromLead"}
    # `page` is not a parameter of the newer page: sent anyway, it changes nothing
    assert (
        v2.get("/v1/inbox", params={"limit": 20, "page": 2}).content
        == v2.get("/v1/inbox", params={"limit": 20}).content
    )
    assert v2.get("/v1/inbox", params={"page": "first"}).status_code == 200
    assert [r["id"] for r in walk_cursor(v2, limit=7)] == expected


@pytest.mark.parametrize("mode", ["pages", "cursor", "cursor_v2"])
def test_empty_pages_in_the_middle_lose_no_row(mode: str, conversations: list[dict[str, Any]]) -> None:
    expected = [c["id"] for c in listed(conversations)]
    client = make_client(pagination=mode, empty_pages={10: 2, 30: 1})
    bodies = []
    if mode == "pages":
        page = 1
        while True:
            bodies.append(client.get("/v1/inbox", params={"limit": 10, "page": page}).json())
            if page >= bodies[-1]["pagination"]["pages"]:
                break
            page += 1
        assert bodies[0]["pagination"]["pages"] == 5 + 3
    else:
        cursor = None
        while True:
            bodies.append(
                client.get("/v1/inbox", params={"limit": 10, **({"cursor": cursor} if cursor else {})}).json()
            )
            if not bodies[-1]["pagination"]["hasMore"]:
                break
            cursor = bodies[-1]["pagination"]["nextCursor"]
            assert re.fullmatch(r"[0-9a-f]{24}", cursor)
    assert [len(b["data"]) for b in bodies] == [10, 0, 0, 10, 10, 0, 10, 10]
    assert [r["id"] for b in bodies for r in b["data"]] == expected
    for body in bodies[1:3] + bodies[5:6]:  # the empty ones say more follow
        p = body["pagination"]
        assert p.get("hasMore") is True or p["page"] < p["pages"]
        if mode != "pages":
            assert p["nextCursor"] not in {c["id"] for c in conversations}


def test_missing_cursor_says_more_without_a_way_there() -> None:
    for mode in ("cursor", "cursor_v2"):
        body = make_client(pagination=mode, missing_cursor=True).get("/v1/inbox", params={"limit": 10}).json()
        assert len(body["data"]) == 10
        assert body["pagination"]["hasMore"] is True and body["pagination"]["nextCursor"] is None


def test_old_shapes_are_the_older_pages(conversations: list[dict[str, Any]]) -> None:
    old = make_client(old_shapes=True)
    rows = walk_pages(old, limit=100)
    assert [r["id"] for r in rows] == [c["id"] for c in listed(conversations)]
    for row in rows:
        assert set(row) == ROW_KEYS - {"isRead", "unreadCount"}
        assert set(row["lastMessage"]) == {"content", "from", "receivedAt", "isFromLead", "read"}
    for conversation in conversations:
        thread = old.get(f"/v1/inbox/{conversation['id']}").json()["data"]
        assert set(thread) == THREAD_KEYS - {"isRead", "unreadCount"}
        assert all("attachments" not in m for m in thread["messages"])
        assert [m.get("content") for m in thread["messages"]] == [m.get("content") for m in conversation["messages"]]
    # the filter still works on the server's side
    assert len(walk_pages(old, status="unread", limit=100)) == 10


def test_variant_conversations_carry_the_undocumented_shapes() -> None:
    nulls, manual = build_variant_conversations(now=NOW)
    assert all(
        nulls[key] is None
        for key in ("campaign", "status", "aiTag", "tags", "isRead", "unreadCount", "scheduledReplies")
    )
    assert [k for k, v in nulls["lead"].items() if v is not None] == ["_id", "email"]
    assert nulls["messages"][1]["attachments"] == [
        {"filename": None, "contentType": None, "size": None, "downloadUrl": None}
    ]
    kinds = [(m["type"], m.get("direction", "absent"), "sentAt" in m) for m in manual["messages"]]
    assert kinds[2:] == [("manual", "outbound", False), ("manual", "absent", True), ("manual", "logged", True)]
    assert "downloadUrl" not in manual["messages"][1]["attachments"][0]
    assert [s["status"] for s in manual["scheduledReplies"]] == ["failed"]
    assert build_variant_conversations(now=NOW) == [nulls, manual]  # deterministic
    # served, listed, and their rows derive from them like the others
    client = make_client(conversations=build_conversations(now=NOW) + [nulls, manual])
    rows = {r["id"]: r for r in walk_pages(client, limit=100)}
    assert rows[nulls["id"]]["unreadCount"] == 1 and rows[nulls["id"]]["campaign"] is None
    assert rows[manual["id"]]["lastMessage"]["receivedAt"] == manual["messages"][-1]["sentAt"]
    assert client.get(f"/v1/inbox/{nulls['id']}").json()["data"] == nulls


@pytest.mark.parametrize(
    "options",
    [
        {"empty_pages": {-1: 1}},
        {"empty_pages": {3: 0}},
        {"missing_cursor": True},
        {"pagination": "cursor_v3"},
    ],
)
def test_create_app_checks_the_variant_options(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        create_app(now=NOW, **options)
