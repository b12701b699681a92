"""The InboxBase emulator serves the documented contract (PROVIDERS.md, seed 004), including the
documented flaw of its cursor, over a data set built to exercise clients.

The app is driven over HTTP with Starlette's test client."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from leadinbox_mcp.sandbox.inboxbase import (
    SANDBOX_API_KEY,
    SANDBOX_IDENTITIES,
    build_conversations,
    create_app,
    rows_of,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
ALICE, BOB = SANDBOX_IDENTITIES
ROW_KEYS = {
    "id",
    "with",
    "subject",
    "snippet",
    "messageCount",
    "archived",
    "lastEventAt",
    "lastEventAtIso",
    "createdAt",
    "createdAtIso",
}
CONVERSATION_KEYS = [  # in the emulator's order
    "id",
    "with",
    "subject",
    "messageCount",
    "archived",
    "labels",
    "lastEventAt",
    "noReplyAt",
    "lastNoReplyAt",
    "events",
]
EVENT_TYPES = {"message", "label_added", "label_removed", "archived", "unarchived", "no_reply_expired"}
ACME = re.compile(r"@(?:[a-z0-9-]+\.)*acme\.com$")


def path(handle: str, conversation_id: str | None = None) -> str:
    encoded = handle.replace("@", "%40")
    return f"/v1/identities/{encoded}/conversations" + (f"/{conversation_id}" if conversation_id else "")


def make_client(**options: Any) -> TestClient:
    options.setdefault("now", NOW)
    return TestClient(create_app(**options), headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"})


@pytest.fixture(scope="module")
def client() -> TestClient:
    return make_client()


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict[str, Any]]]:
    return build_conversations(now=NOW)


def listing(client: TestClient, handle: str = ALICE, **params: Any) -> dict[str, Any]:
    response = client.get(path(handle), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def everything(client: TestClient, handle: str = ALICE, **params: Any) -> list[dict[str, Any]]:
    body = listing(client, handle, limit=200, **params)
    assert body["nextCursor"] is None
    return body["conversations"]


def naive_walk(client: TestClient, handle: str, limit: int) -> list[dict[str, Any]]:
    """What a client that trusts the documented cursor gets."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = listing(client, handle, limit=limit, **({"cursor": cursor} if cursor is not None else {}))
        rows += body["conversations"]
        cursor = body["nextCursor"]
        if cursor is None:
            return rows


def assert_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"error", "details"} and body["error"] == error
    return body


# ------------------------------------------------------------------------------- auth


def test_authentication(client: TestClient) -> None:
    bare = TestClient(create_app(now=NOW))
    assert_error(bare.get(path(ALICE)), 401, "missing API key")
    for header in ("Token " + SANDBOX_API_KEY, "Bearer", "Bearer not_a_key", SANDBOX_API_KEY, "Basic abc"):
        body = assert_error(bare.get(path(ALICE), headers={"Authorization": header}), 401, "malformed API key")
        assert SANDBOX_API_KEY not in json.dumps(body)
    wrong = "sk_live_0000000000"
    body = assert_error(bare.get(path(ALICE), headers={"Authorization": f"Bearer {wrong}"}), 401, "invalid API key")
    assert wrong not in json.dumps(body)
    assert bare.get(path(ALICE), headers={"Authorization": f"bearer {SANDBOX_API_KEY}"}).status_code == 200
    assert client.get(path(ALICE, "conv_0000000000000000")).status_code == 404
    assert bare.get(path(ALICE, "conv_0000000000000000")).status_code == 401, "auth comes first"


def test_custom_key_and_refused_keys() -> None:
    custom = TestClient(create_app(api_key="sk_test_1", now=NOW), headers={"Authorization": "Bearer sk_test_1"})
    assert custom.get(path(ALICE)).status_code == 200
    with pytest.raises(ValueError):
        create_app(api_key="pk_nope")


# ------------------------------------------------------------------------------- routes


def test_handles_are_url_encoded_in_paths(client: TestClient) -> None:
    app = client.app
    before = len(app.state.requests)
    encoded = listing(client, ALICE)
    assert encoded["identity"] == ALICE
    raw_at = client.get(f"/v1/identities/{ALICE}/conversations").json()
    assert raw_at == encoded
    upper = client.get(path(ALICE.upper())).json()
    assert upper["conversations"] == encoded["conversations"]
    logged = [p for _, p, _ in app.state.requests[before:]]
    assert logged[0] == "/v1/identities/alice.pipewise%40inboxbase.ai/conversations", "the log keeps the raw path"


def test_unknown_identity_and_routes(client: TestClient) -> None:
    body = assert_error(client.get(path("mallory@inboxbase.ai")), 404, "identity not found in org")
    assert body["details"] == {"handle": "mallory@inboxbase.ai"}
    assert_error(client.get("/v1/elsewhere"), 404, "not found")
    assert_error(client.get(path(ALICE) + "/a/b"), 404, "not found")
    assert_error(client.post(path(ALICE)), 405, "method not allowed")


def test_a_conversation_of_another_identity_is_404(client: TestClient, data) -> None:
    bobs = data[BOB][0]["id"]
    assert client.get(path(BOB, bobs)).status_code == 200
    body = assert_error(client.get(path(ALICE, bobs)), 404, "conversation not found")
    assert body["details"] == {"handle": ALICE, "convId": bobs}


def test_thread_has_the_documented_shape(client: TestClient, data) -> None:
    for handle in SANDBOX_IDENTITIES:
        for conversation in data[handle]:
            body = client.get(path(handle, conversation["id"])).json()
            assert body == {"identity": handle, "conversation": conversation}
            assert set(conversation) == set(CONVERSATION_KEYS)
            assert re.fullmatch(r"conv_[0-9a-f]{16}", conversation["id"])
            events = conversation["events"]
            assert {e["type"] for e in events} <= EVENT_TYPES
            assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)
            assert conversation["lastEventAt"] == events[-1]["ts"]
            assert conversation["messageCount"] == sum(e["type"] == "message" for e in events)
            for e in events:
                assert re.fullmatch(r"evt_[0-9A-HJKMNP-TV-Z]{26}", e["id"])
                assert e["tsIso"] == datetime.fromtimestamp(e["ts"] / 1000, UTC).isoformat(
                    timespec="milliseconds"
                ).replace("+00:00", "Z")
                if e["type"] == "message":
                    m = e["message"]
                    assert m["direction"] in ("inbound", "outbound")
                    assert m["text"] or m["html"]
                    assert m["snippet"] and len(m["snippet"]) <= 143
                elif e["type"].startswith("label_"):
                    assert e["label"]
                elif e["type"] == "no_reply_expired":
                    assert e["waitedMs"] > 0


# ------------------------------------------------------------------------------- listing


def test_rows_have_the_documented_shape_newest_first(client: TestClient, data) -> None:
    body = listing(client)
    assert set(body) == {"identity", "conversations", "nextCursor"}
    rows = body["conversations"]
    assert len(rows) == 20 and body["nextCursor"] is None, "default limit 50"
    for row in rows:
        assert set(row) == ROW_KEYS
        detail = next(c for c in data[ALICE] if c["id"] == row["id"])
        assert (row["with"], row["subject"], row["messageCount"], row["archived"], row["lastEventAt"]) == (
            detail["with"],
            detail["subject"],
            detail["messageCount"],
            detail["archived"],
            detail["lastEventAt"],
        )
        assert row["createdAt"] == detail["events"][0]["ts"] <= row["lastEventAt"]
        assert row["lastEventAtIso"].endswith("Z") and row["createdAtIso"].endswith("Z")
    keys = [(-r["lastEventAt"], r["id"]) for r in rows]
    assert keys == sorted(keys), "newest first, equal times by id"
    assert rows == rows_of(data[ALICE])


def test_limit_and_cursor(client: TestClient) -> None:
    all_rows = everything(client)
    page = listing(client, limit=3)
    assert page["conversations"] == all_rows[:3]
    assert page["nextCursor"] == all_rows[2]["lastEventAt"]
    older = listing(client, limit=200, cursor=page["nextCursor"])["conversations"]
    assert older == [r for r in all_rows if r["lastEventAt"] < page["nextCursor"]], "strictly older"
    last = listing(client, limit=len(all_rows))
    assert last["nextCursor"] is None
    for bad in (
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"since": "yesterday"},
        {"cursor": "1.5"},
        {"archived": "maybe"},
        {"with": "not-an-email"},
    ):
        body = assert_error(client.get(path(ALICE), params=bad), 400, f"invalid query parameter '{next(iter(bad))}'")
        assert body["details"]["param"] == next(iter(bad))


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 7])
def test_the_naive_cursor_really_skips_tied_rows(client: TestClient, limit: int) -> None:
    """The documented trap: "older than the last row's lastEventAt" loses that row's ties."""
    for handle in SANDBOX_IDENTITIES:
        all_rows = everything(client, handle)
        walked = naive_walk(client, handle, limit)
        ids = [r["id"] for r in walked]
        assert len(ids) == len(set(ids))
        skipped = {r["id"] for r in all_rows} - set(ids)
        assert skipped, f"page size {limit}: the naive cursor lost nothing on {handle}"
        boundary_times = {walked[i]["lastEventAt"] for i in range(limit - 1, len(walked), limit)}
        assert all(r["lastEventAt"] in boundary_times for r in all_rows if r["id"] in skipped)


def test_filters(client: TestClient, data) -> None:
    for handle in SANDBOX_IDENTITIES:
        all_rows = everything(client, handle)
        acme = everything(client, handle, withDomain="acme.com")
        assert [r["with"] for r in acme] == [r["with"] for r in all_rows if ACME.search(r["with"])]
        assert all(not r["with"].endswith(("notacme.com", "acme.com.au")) for r in acme)
        assert everything(client, handle, withDomain="ACME.com") == acme
        assert everything(client, handle, withDomain="@acme.com") == acme
        archived = everything(client, handle, archived="true")
        active = everything(client, handle, archived="false")
        assert archived and active and all(r["archived"] for r in archived) and not any(r["archived"] for r in active)
        assert sorted(r["id"] for r in archived + active) == sorted(r["id"] for r in all_rows)
        one = all_rows[5]["with"]
        assert [r["with"] for r in everything(client, handle, **{"with": one.upper()})] == [one]
        assert everything(client, handle, **{"with": "nobody@example.com"}) == []

    rows = everything(client)
    domains = {r["with"].rpartition("@")[2] for r in rows}
    assert {"acme.com", "us.acme.com", "notacme.com"} <= domains
    assert {r["with"].rpartition("@")[2] for r in everything(client, withDomain="acme.com")} == {
        "acme.com",
        "us.acme.com",
    }
    assert {r["with"] for r in everything(client, withDomain="us.acme.com")} <= {
        r["with"] for r in rows if r["with"].endswith("@us.acme.com")
    }
    assert everything(client, withDomain="cme.com") == [], "a suffix only at a label boundary"

    tied = Counter(r["lastEventAt"] for r in rows)
    t = next(ts for ts, n in tied.items() if n >= 3)
    since = everything(client, since=t)
    until = everything(client, until=t)
    assert since == [r for r in rows if r["lastEventAt"] >= t] and sum(r["lastEventAt"] == t for r in since) == tied[t]
    assert until == [r for r in rows if r["lastEventAt"] <= t] and sum(r["lastEventAt"] == t for r in until) == tied[t]
    both = everything(client, since=t, until=t, archived="false", withDomain="com")
    assert both == [r for r in rows if r["lastEventAt"] == t and not r["archived"] and r["with"].endswith(".com")]


# ------------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (409, "idempotency key reused with a different body"),
        (429, "daily cap exhausted"),
        (500, "internal error"),
        (503, "internal error"),
    ],
)
def test_failures_can_be_injected_per_identity(status: int, error: str) -> None:
    client = make_client(failures={BOB: status})
    body = assert_error(client.get(path(BOB)), status, error)
    assert body["details"] == {"handle": BOB}
    if status == 429:
        assert client.get(path(BOB)).headers["retry-after"] == "3600"
    assert client.get(path(ALICE)).status_code == 200


def test_custom_identities_and_conversations() -> None:
    handle = "carol/ops@inboxbase.ai"
    conversations = [
        {"id": f"conv_{i:016x}", "with": f"p{i}@example.com", "lastEventAt": 1000 - i // 2, "events": []}
        for i in range(6)
    ]
    client = make_client(identities=(handle,), conversations={handle: conversations})
    rows = listing(client, handle.replace("/", "%2F"))["conversations"]
    assert [r["lastEventAt"] for r in rows] == [1000, 1000, 999, 999, 998, 998]
    assert rows[0]["snippet"] is None and rows[0]["createdAt"] == 1000
    with pytest.raises(ValueError):
        create_app(identities=(ALICE,), conversations={"x@inboxbase.ai": []})
    generated = build_conversations(now=NOW, identities=("a@inboxbase.ai", "b@inboxbase.ai", "c@inboxbase.ai"))
    assert [len(v) for v in generated.values()] == [20, 20, 20]


# ------------------------------------------------------------------------------- the data set


def test_dataset_figures(data) -> None:
    assert set(data) == set(SANDBOX_IDENTITIES)
    for handle, conversations in data.items():
        rows = rows_of(conversations)
        assert len(conversations) == 20
        assert len({c["id"] for c in conversations}) == 20
        groups = Counter(r["lastEventAt"] for r in rows)
        assert sorted(n for n in groups.values() if n > 1) == [2, 2, 2, 3, 4, 5]
        assert sum(n for n in groups.values() if n > 1) == 18, "18 of 20 rows share a timestamp"
        for size in (2, 3, 5, 7):
            straddles = [
                i for i in range(size, len(rows), size) if rows[i - 1]["lastEventAt"] == rows[i]["lastEventAt"]
            ]
            assert straddles, f"no tie across a page boundary for page size {size}"
        assert 4 <= sum(c["archived"] for c in conversations) <= 7
        types = Counter(e["type"] for c in conversations for e in c["events"])
        assert set(types) == EVENT_TYPES
        assert all(c["events"][-1]["ts"] < NOW.timestamp() * 1000 for c in conversations)
        assert max(c["messageCount"] for c in conversations) >= 4
    ids = [c["id"] for cs in data.values() for c in cs]
    assert len(ids) == len(set(ids)) == 40


def test_messages_quote_history_like_real_clients(data) -> None:
    messages = [e["message"] for cs in data.values() for c in cs for e in c["events"] if e["type"] == "message"]
    inbound = [m for m in messages if m["direction"] == "inbound"]
    html = "\n".join(m["html"] for m in inbound if m["html"])
    text = "\n".join(m["text"] for m in inbound if m["text"])
    for marker in (
        '<div class="gmail_quote gmail_quote_container"',
        '<blockquote class="gmail_quote"',
        'id="divRplyFwdMsg"',
        '<blockquote type="cite">',
    ):
        assert marker in html, marker
    assert "\n> " in text and "\nFrom: Alice Martin <alice@pipewise-mail.com>\nSent: " in text
    assert re.search(
        r"On \w{3}, \w{3} \d{1,2}, 2026 at \d{1,2}:\d{2}\u202f[AP]M Bob Keller <bob@pipewise-mail.eu> wrote:", text
    )
    assert "\u27e6" not in html + text, "every quoted date is filled in"
    assert any(m["text"] is None for m in inbound) and any(m["html"] is None for m in inbound)
    assert any(m.get("attachments") for m in inbound)
    assert any(m["from"].startswith("Mail Delivery Subsystem <mailer-daemon@") for m in inbound)
    assert any(m["cc"] for m in inbound)
    outbound = [m for m in messages if m["direction"] == "outbound"]
    assert all(m["text"] and m["html"] and "gmail_quote" not in m["html"] for m in outbound)


def test_labels_and_archive_state_follow_the_events(data) -> None:
    revived = 0
    for conversation in (c for cs in data.values() for c in cs):
        labels: list[str] = []
        archived = False
        for e in conversation["events"]:
            if e["type"] == "label_added":
                labels.append(e["label"])
            elif e["type"] == "label_removed":
                labels.remove(e["label"])
            elif e["type"] in ("archived", "unarchived"):
                archived = e["type"] == "archived"
                revived += e["type"] == "unarchived"
        assert conversation["labels"] == labels and conversation["archived"] == archived
    assert revived == 2


def test_same_seed_and_now_give_the_same_bytes() -> None:
    a, b = make_client(), make_client()
    for params in ({"limit": 200}, {"limit": 7, "withDomain": "acme.com"}):
        assert a.get(path(ALICE), params=params).content == b.get(path(ALICE), params=params).content
    assert json.dumps(build_conversations(now=NOW)) == json.dumps(build_conversations(now=NOW))
    other = build_conversations(seed=8, now=NOW)
    assert [c["id"] for c in other[ALICE]] != [c["id"] for c in build_conversations(now=NOW)[ALICE]]
    assert sorted(c["with"] for c in other[ALICE]) == sorted(c["with"] for c in build_conversations(now=NOW)[ALICE])


def test_default_now_is_the_start_of_the_utc_day() -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if datetime.now(UTC) - today < timedelta(seconds=5):
        pytest.skip("too close to midnight UTC")
    assert build_conversations() == build_conversations(now=today)


def test_ids_are_the_same_on_any_day() -> None:
    """Times move with `now`, ids do not (the README's examples name them): data built a day, a
    year or a few odd hours later have the same ids in the same order, every time shifted alike."""

    def ids(data: dict[str, list[dict[str, Any]]]) -> list[str]:
        """Every id in order: the rows', then each conversation's, its events' and messages'."""
        found = []
        for conversations in data.values():
            found += [row["id"] for row in rows_of(conversations)]
            for c in conversations:
                found.append(c["id"])
                for e in c["events"]:
                    found += [
                        e["id"],
                        *((e["message"]["id"], e["message"]["messageIdHeader"]) if "message" in e else ()),
                    ]
        return found

    def times(data: dict[str, list[dict[str, Any]]]) -> list[int]:
        return [e["ts"] for cs in data.values() for c in cs for e in c["events"]]

    before = build_conversations(now=NOW)
    for later in (NOW + timedelta(days=1), NOW + timedelta(days=365), NOW + timedelta(hours=5, minutes=7, seconds=3)):
        after = build_conversations(now=later)
        assert ids(after) == ids(before), later
        shift = (later - NOW) // timedelta(milliseconds=1)
        assert times(after) == [t + shift for t in times(before)]
        documented = build_conversations(now=later, event_shape="documented")
        assert [[e["id"] for c in cs for e in c["events"]] for cs in documented.values()] == [
            [e["id"] for c in cs for e in c["events"]] for cs in before.values()
        ]


# ------------------------------------------------------------------------------- documented variants

# The seed's keys, each time (`...At`) followed by its `...AtIso` twin.
DOCUMENTED_CONVERSATION_KEYS = [
    name for key in CONVERSATION_KEYS for name in ((key, f"{key}Iso") if key.endswith("At") else (key,))
]
DOCUMENTED_MESSAGE_KEYS = ["id", "from", "to", "cc", "subject", "text", "html", "snippet", "ts"]
NAME_ADDRESS = re.compile(r'(?:"[^"]+"|[^<>",]+) <([^<>\s]+@[^<>\s]+)>')


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_documented_event_shape(data) -> None:
    """docs.12m.ai's shape: no direction, from "Name <address>", to / cc strings, *Iso twins, noReplyAt;
    the same conversations, ids and times as the seed's shape."""
    client = make_client(event_shape="documented")
    documented = build_conversations(now=NOW, event_shape="documented")
    seen = Counter()
    for handle in SANDBOX_IDENTITIES:
        assert everything(client, handle) == everything(make_client(), handle), "the rows do not change"
        for seed_shape, conversation in zip(data[handle], documented[handle], strict=True):
            assert client.get(path(handle, conversation["id"])).json() == {
                "identity": handle,
                "conversation": conversation,
            }
            assert list(conversation) == DOCUMENTED_CONVERSATION_KEYS
            for key in ("id", "with", "subject", "messageCount", "archived", "labels", "lastEventAt", "lastNoReplyAt"):
                assert conversation[key] == seed_shape[key], key
            for key in ("lastEventAt", "noReplyAt", "lastNoReplyAt"):
                ms = conversation[key]
                assert conversation[key + "Iso"] == (iso(ms) if ms is not None else None), key
            if conversation["noReplyAt"] is not None:
                seen["timer"] += 1
                assert conversation["noReplyAt"] > NOW.timestamp() * 1000, "a pending timer is in the future"
            assert [(e["id"], e["type"], e["ts"]) for e in conversation["events"]] == [
                (e["id"], e["type"], e["ts"]) for e in seed_shape["events"]
            ]
            for event, before in zip(conversation["events"], seed_shape["events"], strict=True):
                if event["type"] != "message":
                    assert event == before
                    continue
                assert list(event) == ["id", "type", "ts", "tsIso", "message"] and event["tsIso"] == iso(event["ts"])
                m = event["message"]
                assert list(m) == DOCUMENTED_MESSAGE_KEYS and m["ts"] == event["ts"]
                assert isinstance(m["to"], str) and isinstance(m["cc"], str)
                sender = NAME_ADDRESS.fullmatch(m["from"])
                assert sender, m["from"]
                if before["message"]["direction"] == "outbound":
                    assert sender.group(1) == handle and conversation["with"] in m["to"]
                else:
                    assert sender.group(1) != handle and handle in m["to"]
                    seen["bounce"] += sender.group(1).startswith("mailer-daemon@")
                seen["several"] += ", " in m["to"]
                seen["cc"] += bool(m["cc"])
    assert seen["timer"] >= 4 and seen["bounce"] == 2 and seen["several"] >= 2 and seen["cc"] >= 2


def test_with_in_name_form_filters_on_the_address() -> None:
    plain, named = make_client(), make_client(with_form="name")
    for handle in SANDBOX_IDENTITIES:
        rows, named_rows = everything(plain, handle), everything(named, handle)
        assert [r["id"] for r in named_rows] == [r["id"] for r in rows]
        for row, named_row in zip(rows, named_rows, strict=True):
            match = NAME_ADDRESS.fullmatch(named_row["with"])
            assert match and match.group(1) == row["with"]
            body = named.get(path(handle, row["id"])).json()
            assert body["conversation"]["with"] == named_row["with"]
        for domain in ("acme.com", "us.acme.com", "notacme.com"):
            expected = [r["id"] for r in everything(plain, handle, withDomain=domain)]
            assert expected and [r["id"] for r in everything(named, handle, withDomain=domain)] == expected
        one = rows[5]
        assert [r["id"] for r in everything(named, handle, **{"with": one["with"].upper()})] == [one["id"]]

    handle = "carol@inboxbase.ai"
    hostile = [
        {
            "id": "conv_00000000000000a1",
            "with": '"dana@acme.com" <mallory@evil.test>',
            "lastEventAt": 2000,
            "events": [],
        },
        {"id": "conv_00000000000000a2", "with": "Dana <dana@acme.com>", "lastEventAt": 1000, "events": []},
    ]
    client = make_client(identities=(handle,), conversations={handle: hostile})
    assert [r["id"] for r in everything(client, handle, withDomain="acme.com")] == ["conv_00000000000000a2"]
    assert [r["id"] for r in everything(client, handle, withDomain="evil.test")] == ["conv_00000000000000a1"]
    assert [r["id"] for r in everything(client, handle, **{"with": "dana@acme.com"})] == ["conv_00000000000000a2"]


def test_documented_auth_texts() -> None:
    bare = TestClient(create_app(now=NOW, auth_texts="documented"))
    assert_error(bare.get(path(ALICE)), 401, "missing api key")
    assert_error(bare.get(path(ALICE), headers={"Authorization": "Bearer"}), 401, "missing api key")
    for header in (
        "Bearer pk_live_4f8c2a9e",
        "Bearer not_a_key",
        "Token " + SANDBOX_API_KEY,
        "Basic abc",
        SANDBOX_API_KEY,
    ):
        body = assert_error(bare.get(path(ALICE), headers={"Authorization": header}), 401, "invalid api key format")
        assert SANDBOX_API_KEY not in json.dumps(body)
    body = assert_error(
        bare.get(path(ALICE), headers={"Authorization": "Bearer sk_live_0000000000"}), 401, "invalid api key"
    )
    assert "sk_live" not in json.dumps(body)
    assert bare.get(path(ALICE), headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"}).status_code == 200
    with pytest.raises(ValueError):
        create_app(auth_texts="other")  # type: ignore[arg-type]


def test_transient_failures_answer_500_then_recover() -> None:
    app = create_app(now=NOW, transient_failures=2)
    assert TestClient(app).get(path(ALICE)).status_code == 401, "a refused request does not count"
    client = TestClient(app, headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"})
    for _ in range(2):
        assert_error(client.get(path(ALICE)), 500, "internal error")
    assert client.get(path(ALICE)).status_code == 200
    assert client.get(path(ALICE)).status_code == 200


def test_iso_only_conversations_are_listed_by_their_iso_times() -> None:
    handle = "carol@inboxbase.ai"
    conversations = [
        {
            "id": "conv_00000000000000b1",
            "with": "x@example.com",
            "lastEventAtIso": "2026-11-19T21:42:58.226Z",
            "events": [{"type": "message", "tsIso": "2026-11-19T20:00:00.000Z", "message": {}}],
        }
    ]
    (row,) = rows_of(conversations)
    assert (row["lastEventAt"], row["createdAt"]) == (1795124578226, 1795118400000)
    assert (row["lastEventAtIso"], row["createdAtIso"]) == ("2026-11-19T21:42:58.226Z", "2026-11-19T20:00:00.000Z")
    client = make_client(identities=(handle,), conversations={handle: conversations})
    assert everything(client, handle) == [row]


def test_unknown_variants_are_refused() -> None:
    for options in ({"event_shape": "v2"}, {"with_form": "display"}):
        with pytest.raises(ValueError):
            build_conversations(now=NOW, **options)
    with pytest.raises(ValueError):
        create_app(transient_failures=-1)
