"""The emulators' documented write endpoints (PROVIDERS.md, "Second reading"), over real HTTP on
loopback: each answer's shape against the documented JSON, the later GET of the same app that
shows what the write made, and every refusal in the provider's own envelope.

Each test serves a new app (on one loopback server, in a thread of this process: the fast
lane): writes change the app's data, and no other test must see them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx2
import pytest
from helpers import Swappable
from test_sendkit_emulator import REPLY_KEYS

from leadinbox_mcp.sandbox import inboxbase, lemlist, sendkit, sendpilot
from leadinbox_mcp.sandbox.lemlist.app import UNAUTHORIZED
from leadinbox_mcp.sandbox.loopback import LoopbackServer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class _Loopback:
    """One loopback server for the whole module; each test swaps its own app in front of it
    (starting and stopping a server per test would cost more than the tests themselves)."""

    front = Swappable()
    url: str | None = None


@pytest.fixture(scope="module", autouse=True)
def _loopback() -> Iterator[None]:
    with LoopbackServer(_Loopback.front) as server:
        _Loopback.url = server.url
        yield
    _Loopback.url = None


@contextmanager
def serving(app: Any, **headers: str) -> Iterator[httpx2.Client]:
    """`app` on loopback, and a client of it that sends `headers` on every request."""
    assert _Loopback.url is not None
    _Loopback.front.app = app
    with httpx2.Client(base_url=_Loopback.url, headers=headers, timeout=10) as client:
        yield client


@contextmanager
def emulator(
    create_app: Callable[..., Any], headers: dict[str, str], **options: Any
) -> Iterator[tuple[httpx2.Client, Any]]:
    """An emulator made at NOW with `options`, served as `serving` serves it: (client, app)."""
    app = create_app(now=NOW, **options)
    with serving(app, **headers) as client:
        yield client, app


def fixture_of(serving: Callable[[], AbstractContextManager[tuple[httpx2.Client, Any]]]) -> Any:
    """A fixture that gives each test its own emulator, as `serving()` serves it."""

    def served() -> Iterator[tuple[httpx2.Client, Any]]:
        with serving() as client_and_app:
            yield client_and_app

    return pytest.fixture(served)


def error_of(response: httpx2.Response, status: int, keys: set[str]) -> dict[str, Any]:
    """A JSON refusal: its status, and a body of exactly `keys`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == keys, body
    return body


# =============================================================================================
# SendKit
# =============================================================================================

SK_ERROR = {"error", "message", "code"}
SK_REPLY_ANSWER = {"id", "status", "scheduledFor", "isScheduled"}  # documented
SK_SCHEDULED = {"_id", "campaignLeadId", "to", "message", "scheduledFor", "status", "mailboxId", "createdAt"}
SK_THREAD_SCHEDULED = {"_id", "message", "scheduledFor", "status", "mailboxId", "createdAt"}
SK_REPLY_MESSAGE = REPLY_KEYS  # a reply sent now has the story's reply shape
OBJECT_ID = re.compile(r"[0-9a-f]{24}")


sk_serving = partial(emulator, sendkit.create_app, {"X-Api-Key": sendkit.SANDBOX_API_KEY})
sk = fixture_of(sk_serving)


def sk_rows(client: httpx2.Client) -> list[dict[str, Any]]:
    return client.get("/v1/inbox", params={"limit": 100}).json()["data"]


def sk_thread(client: httpx2.Client, conversation_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/inbox/{conversation_id}")
    assert response.status_code == 200
    return response.json()["data"]


def sk_mailbox(thread: dict[str, Any]) -> str:
    """The campaign mailbox of a thread: where the lead's replies went."""
    return next(m["to"] for m in thread["messages"] if m["type"] == "reply" and m["isFromLead"])


def test_sendkit_reply_now_is_appended_to_the_thread_and_moves_its_row(sk) -> None:
    client, app = sk
    rows = sk_rows(client)
    oldest = rows[-1]["id"]
    before = sk_thread(client, oldest)
    response = client.post(f"/v1/inbox/{oldest}/reply", json={"body": "<p>Thanks &amp; talk soon</p><p>Sam</p>"})
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"success", "data"} and answer["success"] is True
    data = answer["data"]
    assert set(data) == SK_REPLY_ANSWER
    assert OBJECT_ID.fullmatch(data["id"]) and data["status"] == "pending" and data["isScheduled"] is False
    sent_at = datetime.fromisoformat(data["scheduledFor"].replace("Z", "+00:00"))
    assert NOW <= sent_at < NOW + timedelta(minutes=5)

    after = sk_thread(client, oldest)
    assert after["messages"][:-1] == before["messages"]
    message = after["messages"][-1]
    assert set(message) == SK_REPLY_MESSAGE
    assert message["type"] == "reply" and message["isFromLead"] is False and message["read"] is True
    assert message["from"] == sk_mailbox(before) and message["to"] == before["lead"]["email"]
    assert message["content"] == "Thanks & talk soon\nSam"
    assert message["htmlContent"] == "<p>Thanks &amp; talk soon</p><p>Sam</p>"
    assert message["receivedAt"] == data["scheduledFor"]
    assert message["subject"].startswith("Re: ")
    assert after["scheduledReplies"] == before["scheduledReplies"]

    top = sk_rows(client)[0]  # newest first: the conversation we just answered
    assert top["id"] == oldest and top["messageCount"] == len(before["messages"]) + 1
    assert top["lastMessage"]["isFromLead"] is False and top["lastMessage"]["content"] == "Thanks & talk soon Sam"
    assert ("POST", f"/v1/inbox/{oldest}/reply", {}) in app.state.requests


def test_sendkit_scheduled_reply_is_listed_then_cancelled(sk) -> None:
    client, app = sk
    conversation_id = sk_rows(client)[3]["id"]
    before = sk_thread(client, conversation_id)
    listed_before = client.get(f"/v1/inbox/{conversation_id}/scheduled").json()["data"]
    when = (NOW + timedelta(days=2)).isoformat()
    response = client.post(
        f"/v1/inbox/{conversation_id}/reply", json={"body": "Following up on Thursday.", "scheduledFor": when}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == SK_REPLY_ANSWER and data["isScheduled"] is True and data["status"] == "pending"
    assert data["scheduledFor"] == "2026-11-22T12:00:00.000Z"

    thread = sk_thread(client, conversation_id)
    assert thread["messages"] == before["messages"]  # nothing sent yet
    item = thread["scheduledReplies"][-1]
    assert set(item) == SK_THREAD_SCHEDULED
    assert item["_id"] == data["id"] and item["status"] == "pending" and item["message"] == "Following up on Thursday."
    assert item["scheduledFor"] == data["scheduledFor"] and item["mailboxId"]

    listing = client.get(f"/v1/inbox/{conversation_id}/scheduled")
    assert listing.status_code == 200 and set(listing.json()) == {"success", "data"}
    scheduled = listing.json()["data"]
    assert len(scheduled) == len(listed_before) + 1
    mine = scheduled[-1]
    assert set(mine) == SK_SCHEDULED
    assert mine["_id"] == data["id"] and mine["campaignLeadId"] == conversation_id
    assert mine["to"] == before["lead"]["email"] and mine["status"] == "pending"

    cancel = client.delete(f"/v1/inbox/{conversation_id}/scheduled/{data['id']}")
    assert cancel.status_code == 200
    assert cancel.json() == {"success": True, "data": {"message": "Scheduled reply cancelled"}}
    assert client.get(f"/v1/inbox/{conversation_id}/scheduled").json()["data"] == listed_before
    assert sk_thread(client, conversation_id) == before
    again = client.delete(f"/v1/inbox/{conversation_id}/scheduled/{data['id']}")
    assert error_of(again, 404, SK_ERROR)["code"] == 404
    assert ("DELETE", f"/v1/inbox/{conversation_id}/scheduled/{data['id']}", {}) in app.state.requests


def test_sendkit_scheduled_reply_keeps_the_mailbox_of_the_data(sk) -> None:
    """A conversation whose data shows a scheduled reply: a new one goes from the same mailbox,
    and a mailbox id that the workspace has is accepted by name."""
    client, _ = sk
    conversations = sendkit.build_conversations(now=NOW)
    known = next(c for c in conversations if c["scheduledReplies"])
    mailbox_id = known["scheduledReplies"][0]["mailboxId"]
    when = (NOW + timedelta(hours=3)).isoformat()
    answer = client.post(f"/v1/inbox/{known['id']}/reply", json={"body": "Later", "scheduledFor": when}).json()
    assert sk_thread(client, known["id"])["scheduledReplies"][-1]["mailboxId"] == mailbox_id
    named = client.post(
        f"/v1/inbox/{known['id']}/reply", json={"body": "Now", "mailboxId": mailbox_id, "cc": ["ops@example.com"]}
    )
    assert named.status_code == 200 and named.json()["data"]["id"] != answer["data"]["id"]


def test_sendkit_only_a_pending_reply_is_cancelled(sk) -> None:
    client, _ = sk
    conversations = sendkit.build_conversations(now=NOW)
    conversation, item = next(
        (c, s) for c in conversations for s in c["scheduledReplies"] if s["status"] in ("sending", "failed")
    )
    response = client.delete(f"/v1/inbox/{conversation['id']}/scheduled/{item['_id']}")
    body = error_of(response, 400, SK_ERROR)
    assert body["code"] == 400 and item["status"] in body["message"]
    listed = client.get(f"/v1/inbox/{conversation['id']}/scheduled").json()["data"]
    assert [s["_id"] for s in listed] == [s["_id"] for s in conversation["scheduledReplies"]]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "'body' is required"),
        ({"body": "   "}, "'body' must not be empty"),
        ({"body": 12}, "'body' must be a string"),
        ({"body": "x", "scheduledFor": "2026-11-19T12:00:00Z"}, "in the future"),
        ({"body": "x", "scheduledFor": "next tuesday"}, "ISO 8601"),
        ({"body": "x", "cc": "a@b.com"}, "'cc' must be a list"),
        ({"body": "x", "bcc": ["not an address"]}, "'bcc' must be a list of e-mail addresses"),
        ({"body": "x", "mailboxId": "ffffffffffffffffffffffff"}, "mailboxId"),
        ({"body": "x", "attachments": ["file.pdf"]}, "'attachments' must be a list of objects"),
    ],
)
def test_sendkit_reply_refuses_an_invalid_body(sk, body: dict[str, Any], words: str) -> None:
    client, _ = sk
    conversation_id = sk_rows(client)[0]["id"]
    before = sk_thread(client, conversation_id)
    response = client.post(f"/v1/inbox/{conversation_id}/reply", json=body)
    refusal = error_of(response, 400, SK_ERROR)
    assert refusal == {"error": "Bad Request", "message": refusal["message"], "code": 400}
    assert words in refusal["message"]
    assert sk_thread(client, conversation_id) == before


@pytest.mark.parametrize("raw", [b"", b"{not json", b'["body"]', b'{"body": NaN}', b"\xff\xfe"])
def test_sendkit_reply_refuses_what_is_not_a_json_object(sk, raw: bytes) -> None:
    client, _ = sk
    conversation_id = sk_rows(client)[0]["id"]
    response = client.post(
        f"/v1/inbox/{conversation_id}/reply", content=raw, headers={"Content-Type": "application/json"}
    )
    assert "JSON" in error_of(response, 400, SK_ERROR)["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/inbox/ffffffffffffffffffffffff/reply"),
        ("GET", "/v1/inbox/ffffffffffffffffffffffff/scheduled"),
        ("DELETE", "/v1/inbox/ffffffffffffffffffffffff/scheduled/ffffffffffffffffffffffff"),
    ],
)
def test_sendkit_writes_to_an_unknown_conversation_are_404(sk, method: str, path: str) -> None:
    client, _ = sk
    response = client.request(method, path, json={"body": "hello"})
    assert error_of(response, 404, SK_ERROR) == {
        "error": "Not Found",
        "message": "Conversation not found.",
        "code": 404,
    }


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", "/reply"), ("GET", "/scheduled"), ("DELETE", "/scheduled/abc")]
)
@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "sk_wrong"}])
def test_sendkit_writes_pass_the_auth_gate(method: str, suffix: str, headers: dict[str, str]) -> None:
    app = sendkit.create_app(now=NOW)
    conversation_id = sendkit.build_conversations(now=NOW)[0]["id"]
    with serving(app, **headers) as client:
        response = client.request(method, f"/v1/inbox/{conversation_id}{suffix}", json={"body": "hello"})
    assert error_of(response, 401, SK_ERROR)["code"] == 401
    assert app.state.requests == [(method, f"/v1/inbox/{conversation_id}{suffix}", {})]


def test_sendkit_writes_leave_the_given_data_alone() -> None:
    conversations = sendkit.build_conversations(now=NOW)
    pristine = copy.deepcopy(conversations)
    with sk_serving(conversations=conversations) as (client, _):
        target = conversations[0]["id"]
        assert client.post(f"/v1/inbox/{target}/reply", json={"body": "hi"}).status_code == 200
        when = (NOW + timedelta(hours=1)).isoformat()
        assert client.post(f"/v1/inbox/{target}/reply", json={"body": "hi", "scheduledFor": when}).status_code == 200
    assert conversations == pristine


def test_sendkit_old_thread_page_shows_a_reply_without_attachments() -> None:
    with sk_serving(old_shapes=True) as (client, _):
        conversation_id = sk_rows(client)[0]["id"]
        assert client.post(f"/v1/inbox/{conversation_id}/reply", json={"body": "ok"}).status_code == 200
        message = sk_thread(client, conversation_id)["messages"][-1]
    assert set(message) == SK_REPLY_MESSAGE - {"attachments"}


# =============================================================================================
# lemlist
# =============================================================================================

LL_ERROR = {"error", "message"}
LL_SUMMARY = {"_id", "channel", "subject", "contentPreview", "source", "createdAt", "updatedAt"}  # documented
DRAFT_ID = re.compile(r"drf_[23456789A-HJ-NP-TW-Za-km-z]{17}")


@pytest.fixture
def ll() -> Iterator[tuple[httpx2.Client, Any]]:
    app = lemlist.create_app(now=NOW, rate_limit=(100_000, 1.0))
    with serving(app) as client:
        client.auth = httpx2.BasicAuth("", lemlist.SANDBOX_API_KEY)
        yield client, app


def ll_conversation(client: httpx2.Client, index: int = 0) -> tuple[str, str, str, list[dict[str, Any]]]:
    """(contactId, a team member's user id, that member's address, the thread) of a conversation
    that member wrote in."""
    rows = client.get("/api/inbox", params={"limit": 100}).json()["data"]
    contact_id = rows[index]["contactId"]
    thread = client.get(f"/api/inbox/{contact_id}").json()["data"]
    ours = next(a for a in thread if a.get("sendUserId"))
    return contact_id, ours["sendUserId"], ours["sendUserEmail"], thread


def drafts_path(contact_id: str, draft_id: str | None = None) -> str:
    return f"/api/inbox/{contact_id}/drafts" + (f"/{draft_id}" if draft_id else "")


def test_lemlist_draft_lifecycle_changes_the_drafts_never_the_thread(ll) -> None:
    client, app = ll
    contact_id, user_id, email, thread = ll_conversation(client)
    created = client.post(
        drafts_path(contact_id),
        params={"draftOwner": user_id},
        json={
            "channel": "email",
            "content": "<p>Hi Ana,</p><p>Does <b>Thursday</b> work?</p>",
            "subject": "Re: Pipeline",
            "cc": ["ops@trypipewise.com"],
            "attachments": [{"name": "deck.pdf", "url": "https://files.example/deck.pdf", "size": 1200, "type": "pdf"}],
            "replyToActivityId": thread[0]["_id"],
        },
    )
    assert created.status_code == 201 and set(created.json()) == {"draftId"}
    draft_id = created.json()["draftId"]
    assert DRAFT_ID.fullmatch(draft_id)

    listing = client.get(drafts_path(contact_id))
    assert listing.status_code == 200 and set(listing.json()) == {"drafts"}
    (summary,) = listing.json()["drafts"]
    assert set(summary) == LL_SUMMARY
    assert summary["_id"] == draft_id and summary["channel"] == "email" and summary["subject"] == "Re: Pipeline"
    assert summary["contentPreview"] == "Hi Ana, Does Thursday work?" and summary["createdAt"] == summary["updatedAt"]

    one = client.get(drafts_path(contact_id, draft_id), params={"draftOwner": email})  # the owner by address
    assert one.status_code == 200 and set(one.json()) == {"draft"}
    draft = one.json()["draft"]
    assert LL_SUMMARY <= set(draft)
    assert draft["content"] == "<p>Hi Ana,</p><p>Does <b>Thursday</b> work?</p>" and draft["cc"] == [
        "ops@trypipewise.com"
    ]
    assert draft["replyToActivityId"] == thread[0]["_id"] and draft["draftOwner"] == user_id

    patched = client.patch(
        drafts_path(contact_id, draft_id),
        params={"draftOwner": user_id},
        json={"content": "<p>Friday?</p>", "subject": "Re: Friday"},
    )
    assert patched.status_code == 200 and set(patched.json()) == {"draft"}
    assert patched.json()["draft"]["content"] == "<p>Friday?</p>"
    (summary,) = client.get(drafts_path(contact_id)).json()["drafts"]
    assert summary["contentPreview"] == "Friday?" and summary["subject"] == "Re: Friday"
    assert summary["updatedAt"] > summary["createdAt"]

    assert client.get(f"/api/inbox/{contact_id}").json()["data"] == thread  # nothing is sent

    deleted = client.delete(drafts_path(contact_id, draft_id), params={"draftOwner": user_id})
    assert deleted.status_code == 200 and deleted.json() == {"success": True}
    assert client.get(drafts_path(contact_id)).json() == {"drafts": []}
    gone = client.get(drafts_path(contact_id, draft_id), params={"draftOwner": user_id})
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("text/plain")
    assert ("POST", drafts_path(contact_id), {"draftOwner": user_id}) in app.state.requests
    assert ("DELETE", drafts_path(contact_id, draft_id), {"draftOwner": user_id}) in app.state.requests


def test_lemlist_drafts_are_at_most_ten_a_conversation(ll) -> None:
    client, _ = ll
    contact_id, user_id, _, _ = ll_conversation(client)
    ids = []
    for n in range(10):
        response = client.post(
            drafts_path(contact_id),
            params={"draftOwner": user_id},
            json={"channel": "linkedin", "content": f"draft {n}"},
        )
        assert response.status_code == 201
        ids.append(response.json()["draftId"])
    assert len(set(ids)) == 10
    eleventh = client.post(
        drafts_path(contact_id), params={"draftOwner": user_id}, json={"channel": "email", "content": "x"}
    )
    body = error_of(eleventh, 400, LL_ERROR)
    assert body["error"] == "Bad Request" and "10 drafts" in body["message"]
    assert len(client.get(drafts_path(contact_id)).json()["drafts"]) == 10
    other, *_ = ll_conversation(client, 1)  # the limit is per conversation
    assert (
        client.post(
            drafts_path(other), params={"draftOwner": user_id}, json={"channel": "sms", "content": "y"}
        ).status_code
        == 201
    )
    assert client.delete(drafts_path(contact_id, ids[0]), params={"draftOwner": user_id}).status_code == 200
    again = client.post(
        drafts_path(contact_id), params={"draftOwner": user_id}, json={"channel": "whatsapp", "content": "z"}
    )
    assert again.status_code == 201


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"content": "x"}, "channel must be one of"),
        ({"channel": "fax", "content": "x"}, "channel must be one of"),
        ({"channel": "email"}, "'content' is required"),
        ({"channel": "email", "content": ""}, "'content' must not be empty"),
        ({"channel": "email", "content": "é" * (15 * 1024 + 1)}, "30 KB"),
        ({"channel": "email", "content": "x", "cc": ["nobody"]}, "cc must be a list of email addresses"),
        ({"channel": "email", "content": "x", "subject": 3}, "'subject' must be a string"),
        ({"channel": "email", "content": "x", "attachments": "deck.pdf"}, "'attachments' must be a list"),
        ({"channel": "email", "content": "x", "replyToActivityId": "act_nope"}, "replyToActivityId"),
    ],
)
def test_lemlist_draft_refuses_an_invalid_body(ll, body: dict[str, Any], words: str) -> None:
    client, _ = ll
    contact_id, user_id, _, _ = ll_conversation(client)
    response = client.post(drafts_path(contact_id), params={"draftOwner": user_id}, json=body)
    assert words in error_of(response, 400, LL_ERROR)["message"]
    assert client.get(drafts_path(contact_id)).json() == {"drafts": []}


def test_lemlist_content_of_exactly_30_kb_is_accepted(ll) -> None:
    client, _ = ll
    contact_id, user_id, _, _ = ll_conversation(client)
    response = client.post(
        drafts_path(contact_id), params={"draftOwner": user_id}, json={"channel": "email", "content": "x" * 30 * 1024}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("raw", [b"", b"{", b"[1, 2]", b'"content"'])
def test_lemlist_draft_refuses_what_is_not_a_json_object(ll, raw: bytes) -> None:
    client, _ = ll
    contact_id, user_id, _, _ = ll_conversation(client)
    response = client.post(drafts_path(contact_id), params={"draftOwner": user_id}, content=raw)
    assert "JSON" in error_of(response, 400, LL_ERROR)["message"]


@pytest.mark.parametrize(
    ("owner", "status"),
    [(None, 400), ("", 400), ("not-an-owner", 400), ("usr_NotOfTheTeam1", 403), ("stranger@example.com", 403)],
)
def test_lemlist_draft_owner_is_required_and_of_the_team(ll, owner: str | None, status: int) -> None:
    client, _ = ll
    contact_id, _, _, _ = ll_conversation(client)
    params = {} if owner is None else {"draftOwner": owner}
    response = client.post(drafts_path(contact_id), params=params, json={"channel": "email", "content": "x"})
    error_of(response, status, LL_ERROR)


def test_lemlist_a_draft_is_its_owners(ll) -> None:
    client, _ = ll
    contact_id, user_id, _, _ = ll_conversation(client)
    rows = client.get("/api/inbox", params={"limit": 100}).json()["data"]
    other = next(u["userId"] for r in rows for u in r["users"] if u["userId"] != user_id)
    draft_id = client.post(
        drafts_path(contact_id), params={"draftOwner": user_id}, json={"channel": "email", "content": "mine"}
    ).json()["draftId"]
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(
            method, drafts_path(contact_id, draft_id), params={"draftOwner": other}, json={"content": "theirs"}
        )
        assert response.status_code == 404 and response.text == "Draft not found"
    assert client.get(drafts_path(contact_id), params={"draftOwner": other}).json() == {"drafts": []}
    assert len(client.get(drafts_path(contact_id), params={"draftOwner": user_id}).json()["drafts"]) == 1
    assert client.get(drafts_path(contact_id, draft_id)).status_code == 400  # no owner named


def test_lemlist_patch_needs_something_to_change(ll) -> None:
    client, _ = ll
    contact_id, user_id, _, _ = ll_conversation(client)
    draft_id = client.post(
        drafts_path(contact_id), params={"draftOwner": user_id}, json={"channel": "email", "content": "v1"}
    ).json()["draftId"]
    empty = client.patch(drafts_path(contact_id, draft_id), params={"draftOwner": user_id}, json={"channel": "sms"})
    assert "Nothing to update" in error_of(empty, 400, LL_ERROR)["message"]
    blank = client.patch(drafts_path(contact_id, draft_id), params={"draftOwner": user_id}, json={"content": " "})
    error_of(blank, 400, LL_ERROR)
    draft = client.get(drafts_path(contact_id, draft_id), params={"draftOwner": user_id}).json()["draft"]
    assert draft["content"] == "v1" and draft["channel"] == "email"


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("POST", ""), ("GET", ""), ("GET", "/drf_x"), ("PATCH", "/drf_x"), ("DELETE", "/drf_x")],
)
def test_lemlist_drafts_of_an_unknown_contact_are_404(ll, method: str, suffix: str) -> None:
    client, _ = ll
    _, user_id, _, _ = ll_conversation(client)
    response = client.request(
        method, "/api/inbox/ctc_nobody/drafts" + suffix, params={"draftOwner": user_id}, json={"content": "x"}
    )
    assert response.status_code == 404 and response.text == "Contact not found"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", ""), ("GET", ""), ("GET", "/drf_x"), ("PATCH", "/drf_x"), ("DELETE", "/drf_x")]
)
def test_lemlist_drafts_pass_the_auth_gate(method: str, suffix: str) -> None:
    app = lemlist.create_app(now=NOW)
    contact_id = lemlist.build_conversations(now=NOW)[0]["inbox"]["contactId"]
    with serving(app) as client:
        client.auth = httpx2.BasicAuth("", "wrong-key")
        response = client.request(method, drafts_path(contact_id) + suffix, json={"channel": "email", "content": "x"})
    assert response.status_code == 401 and response.text == UNAUTHORIZED
    assert response.headers["content-type"].startswith("text/plain")
    assert app.state.requests == [(method, drafts_path(contact_id) + suffix, {})]


# =============================================================================================
# InboxBase
# =============================================================================================

IB_ANSWER = {"id", "convId", "status", "rejected"}
IB_ERROR = {"error", "details"}
IB_DOCUMENTED_MESSAGE = {"id", "from", "to", "cc", "subject", "text", "html", "snippet", "ts"}  # documented
ALICE, BOB = inboxbase.SANDBOX_IDENTITIES


def ib_base(handle: str) -> str:
    return f"/v1/identities/{handle.replace('@', '%40')}"


ib_serving = partial(emulator, inboxbase.create_app, {"Authorization": f"Bearer {inboxbase.SANDBOX_API_KEY}"})
ib = fixture_of(ib_serving)


def ib_rows(client: httpx2.Client, handle: str = ALICE) -> list[dict[str, Any]]:
    return client.get(ib_base(handle) + "/conversations", params={"limit": 200}).json()["conversations"]


def ib_conversation(client: httpx2.Client, conv_id: str, handle: str = ALICE) -> dict[str, Any]:
    response = client.get(ib_base(handle) + f"/conversations/{conv_id}")
    assert response.status_code == 200
    return response.json()["conversation"]


def ours(conversation: dict[str, Any]) -> dict[str, Any]:
    """An outbound message of the data's conversation (the seed shape has a direction)."""
    return next(
        e["message"]
        for e in conversation["events"]
        if e["type"] == "message" and e["message"]["direction"] == "outbound"
    )


def test_inboxbase_reply_is_a_message_event_from_the_identity(ib) -> None:
    client, app = ib
    rows = ib_rows(client)
    target = rows[-1]["id"]
    before = ib_conversation(client, target)
    response = client.post(ib_base(ALICE) + "/send", json={"convId": target, "text": "Thanks Kofi, talk Thursday."})
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == IB_ANSWER
    assert re.fullmatch(r"msg_[0-9a-f]{16}", answer["id"]) and answer["convId"] == target
    assert answer["status"] == "sent" and answer["rejected"] == []

    after = ib_conversation(client, target)
    assert after["events"][:-1] == before["events"]
    event = after["events"][-1]
    assert set(event) == {"id", "type", "ts", "tsIso", "message"} and event["type"] == "message"
    assert re.fullmatch(r"evt_[0-9A-HJKMNP-TV-Z]{26}", event["id"])
    message = event["message"]
    assert set(message) == set(ours(before)) - {"attachments"}
    assert message["id"] == answer["id"] and message["direction"] == "outbound"
    assert message["from"] == ours(before)["from"] and message["to"] == [before["with"]]
    assert message["text"] == "Thanks Kofi, talk Thursday." and message["snippet"] == "Thanks Kofi, talk Thursday."
    assert message["subject"] == after["subject"] and after["subject"].startswith("Re: ")
    assert after["messageCount"] == before["messageCount"] + 1
    assert after["lastEventAt"] == event["ts"] > before["lastEventAt"]
    top = ib_rows(client)[0]
    assert top["id"] == target and top["snippet"] == "Thanks Kofi, talk Thursday." and top["lastEventAt"] == event["ts"]
    assert ("POST", ib_base(ALICE) + "/send", {}) in app.state.requests


def test_inboxbase_reply_in_the_documented_shape() -> None:
    with ib_serving(event_shape="documented") as (client, _):
        target = ib_rows(client)[0]["id"]
        before = ib_conversation(client, target)
        answer = client.post(
            ib_base(ALICE) + "/send", json={"convId": target, "text": "See you then.", "html": "<p>See you then.</p>"}
        ).json()
        after = ib_conversation(client, target)
    message = after["events"][-1]["message"]
    assert set(message) == IB_DOCUMENTED_MESSAGE and message["id"] == answer["id"]
    assert message["from"].endswith(f"<{ALICE}>") and message["to"] == before["with"] and message["cc"] == ""
    assert message["html"] == "<p>See you then.</p>"
    assert after["lastEventAtIso"] == after["events"][-1]["tsIso"]
    assert after["noReplyAt"] is not None and after["noReplyAt"] > after["lastEventAt"]


def test_inboxbase_new_conversation_lists_rejected_recipients(ib) -> None:
    client, _ = ib
    count, bob = len(ib_rows(client)), ib_rows(client, BOB)
    response = client.post(
        ib_base(ALICE) + "/send",
        json={
            "to": ["Jo Doe <jo@newco.example>", "not an address"],
            "subject": "Pipeline reviews at Newco",
            "text": "Hi Jo,\n\nA quick question.",
            "html": "<p>Hi Jo,</p><p>A quick question.</p>",
            "inReplyTo": "<abc@mail.example>",
            "references": ["<abc@mail.example>"],
        },
    )
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == IB_ANSWER and re.fullmatch(r"conv_[0-9a-f]{16}", answer["convId"])
    assert answer["rejected"] == [{"address": "not an address", "reason": "invalid address"}]
    rows = ib_rows(client)
    assert len(rows) == count + 1 and rows[0]["id"] == answer["convId"] and rows[0]["with"] == "jo@newco.example"
    conversation = ib_conversation(client, answer["convId"])
    assert conversation["subject"] == "Pipeline reviews at Newco" and conversation["messageCount"] == 1
    assert conversation["archived"] is False and conversation["labels"] == []
    (event,) = conversation["events"]
    assert event["message"]["to"] == ["jo@newco.example"] and event["message"]["direction"] == "outbound"
    assert ib_rows(client, BOB) == bob  # the other identity is untouched


def test_inboxbase_idempotency_key_replays_without_sending_twice(ib) -> None:
    client, _ = ib
    target = ib_rows(client)[2]["id"]
    before = ib_conversation(client, target)["messageCount"]
    first = client.post(
        ib_base(ALICE) + "/send", json={"convId": target, "text": "Once."}, headers={"Idempotency-Key": "reply-1"}
    )
    again = client.post(
        ib_base(ALICE) + "/send",
        content=b'{ "text": "Once.",   "convId": "' + target.encode() + b'" }',
        headers={"Idempotency-Key": "reply-1"},
    )
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert ib_conversation(client, target)["messageCount"] == before + 1

    other = client.post(
        ib_base(ALICE) + "/send", json={"convId": target, "text": "Twice?"}, headers={"Idempotency-Key": "reply-1"}
    )
    body = error_of(other, 409, IB_ERROR)
    assert body["details"] == {"idempotencyKey": "reply-1"}
    on_bob = client.post(
        ib_base(BOB) + "/send", json={"convId": target, "text": "Once."}, headers={"Idempotency-Key": "reply-1"}
    )
    error_of(on_bob, 409, IB_ERROR)
    assert ib_conversation(client, target)["messageCount"] == before + 1

    without = [client.post(ib_base(ALICE) + "/send", json={"convId": target, "text": "No key."}) for _ in range(2)]
    assert without[0].json()["id"] != without[1].json()["id"]
    assert ib_conversation(client, target)["messageCount"] == before + 3


def test_inboxbase_a_refused_send_does_not_spend_its_key(ib) -> None:
    client, _ = ib
    target = ib_rows(client)[0]["id"]
    refused = client.post(ib_base(ALICE) + "/send", json={"convId": target}, headers={"Idempotency-Key": "k"})
    error_of(refused, 400, IB_ERROR)
    fixed = client.post(
        ib_base(ALICE) + "/send", json={"convId": target, "text": "ok"}, headers={"Idempotency-Key": "k"}
    )
    assert fixed.status_code == 200


@pytest.mark.parametrize(
    ("handle", "body", "error"),
    [
        (ALICE, {"convId": "conv_ffffffffffffffff", "text": "x"}, "conversation not found"),
        (BOB, {"convId": "ALICE'S", "text": "x"}, "conversation not found"),
        ("nobody@inboxbase.ai", {"convId": "conv_ffffffffffffffff", "text": "x"}, "identity not found in org"),
    ],
)
def test_inboxbase_send_outside_the_identity_is_404(ib, handle: str, body: dict[str, Any], error: str) -> None:
    client, _ = ib
    if body["convId"] == "ALICE'S":
        body = {**body, "convId": ib_rows(client)[0]["id"]}
    response = client.post(ib_base(handle) + "/send", json=body)
    assert error_of(response, 404, IB_ERROR)["error"] == error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"convId": "REAL"}, "text"),
        ({"convId": "REAL", "text": " ", "html": ""}, "text"),
        ({"convId": 7, "text": "x"}, "convId"),
        ({"subject": "Hi", "text": "x"}, "to"),
        ({"to": "jo@newco.example", "text": "x"}, "subject"),
        ({"to": "jo@newco.example", "subject": "Hi"}, "text"),
        ({"to": 5, "subject": "Hi", "text": "x"}, "to"),
        ({"to": "jo@newco.example", "subject": "Hi", "text": "x", "references": 3}, "references"),
    ],
)
def test_inboxbase_send_refuses_an_invalid_body(ib, body: dict[str, Any], field: str) -> None:
    client, _ = ib
    if body.get("convId") == "REAL":
        body = {**body, "convId": ib_rows(client)[0]["id"]}
    rows = ib_rows(client)
    response = client.post(ib_base(ALICE) + "/send", json=body)
    assert error_of(response, 400, IB_ERROR)["details"] == {"field": field}
    assert ib_rows(client) == rows


def test_inboxbase_send_with_no_valid_recipient_is_400(ib) -> None:
    client, _ = ib
    response = client.post(ib_base(ALICE) + "/send", json={"to": ["nope"], "subject": "Hi", "text": "x"})
    body = error_of(response, 400, IB_ERROR)
    assert body == {
        "error": "no valid recipient",
        "details": {"rejected": [{"address": "nope", "reason": "invalid address"}]},
    }


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null"])
def test_inboxbase_send_refuses_what_is_not_a_json_object(ib, raw: bytes) -> None:
    client, _ = ib
    response = client.post(ib_base(ALICE) + "/send", content=raw)
    assert "JSON" in error_of(response, 400, IB_ERROR)["error"]


@pytest.mark.parametrize("authorization", [None, "Bearer sk_wrong", "Basic abc"])
def test_inboxbase_send_passes_the_auth_gate(authorization: str | None) -> None:
    app = inboxbase.create_app(now=NOW)
    headers = {} if authorization is None else {"Authorization": authorization}
    with serving(app, **headers) as client:
        response = client.post(ib_base(ALICE) + "/send", json={"to": "jo@newco.example", "subject": "Hi", "text": "x"})
    assert response.status_code == 401 and set(response.json()) <= IB_ERROR
    assert app.state.requests == [("POST", ib_base(ALICE) + "/send", {})]


def test_inboxbase_other_methods_and_paths_answer_as_before(ib) -> None:
    client, _ = ib
    assert error_of(client.get(ib_base(ALICE) + "/send"), 404, IB_ERROR)["error"] == "not found"
    assert client.post(ib_base(ALICE) + "/conversations").json() == {"error": "method not allowed"}


# =============================================================================================
# SendPilot
# =============================================================================================

SP_ERROR = {"statusCode", "message", "error"}
SP_ANSWER = {"success", "messageId", "recipientLinkedinUrl", "status", "timestamp"}  # documented
SP_MESSAGE = {"id", "content", "sender", "recipient", "direction", "sentAt", "readStatus", "contentType", "attachments"}


sp_serving = partial(emulator, sendpilot.create_app, {"X-API-Key": sendpilot.SANDBOX_API_KEY})
sp = fixture_of(sp_serving)


def sp_rows(client: httpx2.Client) -> list[dict[str, Any]]:
    return client.get("/v1/inbox/conversations", params={"limit": 100}).json()["conversations"]


def sp_messages(client: httpx2.Client, row: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(
        f"/v1/inbox/conversations/{row['id']}/messages", params={"accountId": row["accountId"], "limit": 100}
    )
    assert response.status_code == 200
    return response.json()["messages"]


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_sendpilot_send_appends_to_the_conversation(sp, prefix: str) -> None:
    client, app = sp
    row = sp_rows(client)[-1]
    lead = row["participants"][0]
    before = sp_messages(client, row)
    response = client.post(
        prefix + "/v1/inbox/send",
        json={
            "senderId": row["accountId"],
            "recipientLinkedinUrl": lead["profileUrl"],
            "message": "Hi! Coffee next week?",
        },
    )
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == SP_ANSWER
    assert answer["success"] is True and answer["status"] == "sent"
    assert answer["recipientLinkedinUrl"] == lead["profileUrl"] and re.fullmatch(
        r"2-[A-Za-z0-9_-]{32}", answer["messageId"]
    )

    after = sp_messages(client, row)  # newest first (the emulator's default order)
    assert after[1:] == before
    message = after[0]
    assert set(message) == SP_MESSAGE
    assert message["id"] == answer["messageId"] and message["sentAt"] == answer["timestamp"]
    assert message["content"] == "Hi! Coffee next week?" and message["direction"] == "sent"
    assert message["recipient"]["profileUrl"] == lead["profileUrl"]
    earlier_ours = next(m for m in before if m["direction"] == "sent")
    assert message["sender"] == earlier_ours["sender"]
    top = sp_rows(client)[0]
    assert top["id"] == row["id"] and top["lastActivityAt"] == answer["timestamp"]
    assert top["lastMessage"] == {
        "content": "Hi! Coffee next week?",
        "sentAt": answer["timestamp"],
        "direction": "sent",
    }
    assert ("POST", prefix + "/v1/inbox/send", {}) in app.state.requests


def test_sendpilot_send_is_seen_oldest_first_too() -> None:
    with sp_serving(message_order="asc") as (client, _):
        row = sp_rows(client)[0]
        url = row["participants"][0]["profileUrl"]
        # the URL as people paste it: no scheme, no www, a trailing slash, other case
        pasted = url.removeprefix("https://www.").upper() + "/"
        answer = client.post(
            "/v1/inbox/send", json={"senderId": row["accountId"], "recipientLinkedinUrl": pasted, "message": "Thanks!"}
        ).json()
        assert sp_messages(client, row)[-1]["id"] == answer["messageId"]
        assert answer["recipientLinkedinUrl"] == pasted


def test_sendpilot_send_with_renamed_directions_and_our_sender_listed() -> None:
    with sp_serving(direction_names=("OUT", "IN"), own_sender_listed=True, member_ids=True) as (client, _):
        row = sp_rows(client)[0]
        messages = sp_messages(client, row)
        us = next(m["sender"] for m in messages if m["direction"] == "OUT")
        lead = next(p for p in row["participants"] if p["id"] != us["id"])
        to_us = client.post(
            "/v1/inbox/send",
            json={"senderId": row["accountId"], "recipientLinkedinUrl": us["profileUrl"], "message": "x"},
        )
        assert (
            error_of(to_us, 400, SP_ERROR)["message"] == "The recipient is not a 1st-degree connection of this sender"
        )
        sent = client.post(
            "/v1/inbox/send",
            json={"senderId": row["accountId"], "recipientLinkedinUrl": lead["profileUrl"], "message": "y"},
        )
        assert sent.status_code == 201
        assert sp_messages(client, row)[0]["direction"] == "OUT"
        assert sp_rows(client)[0]["lastMessage"]["direction"] == "OUT"


def test_sendpilot_recipient_must_be_a_connection_of_that_sender(sp) -> None:
    client, _ = sp
    rows = sp_rows(client)
    row = rows[0]
    other = next(r for r in rows if r["accountId"] != row["accountId"])
    for url in (other["participants"][0]["profileUrl"], "https://www.linkedin.com/in/someone-else-123"):
        response = client.post(
            "/v1/inbox/send", json={"senderId": row["accountId"], "recipientLinkedinUrl": url, "message": "Hello"}
        )
        body = error_of(response, 400, SP_ERROR)
        assert body == {"statusCode": 400, "message": body["message"], "error": "Bad Request"}
        assert "1st-degree connection" in body["message"]
    assert sp_rows(client) == rows


def test_sendpilot_sender_of_another_workspace_is_403(sp) -> None:
    client, _ = sp
    row = sp_rows(client)[0]
    response = client.post(
        "/v1/inbox/send",
        json={
            "senderId": "sender_elsewhere",
            "recipientLinkedinUrl": row["participants"][0]["profileUrl"],
            "message": "x",
        },
    )
    assert error_of(response, 403, SP_ERROR)["error"] == "Forbidden"


def test_sendpilot_message_is_at_most_8000_characters(sp) -> None:
    client, _ = sp
    row = sp_rows(client)[0]
    body = {"senderId": row["accountId"], "recipientLinkedinUrl": row["participants"][0]["profileUrl"]}
    too_long = client.post("/v1/inbox/send", json={**body, "message": "x" * 8001})
    assert "8000" in error_of(too_long, 400, SP_ERROR)["message"]
    assert client.post("/v1/inbox/send", json={**body, "message": "x" * 8000}).status_code == 201


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"senderId": "S", "recipientLinkedinUrl": "U"}, "'message' is required"),
        ({"senderId": "S", "recipientLinkedinUrl": "U", "message": " \n"}, "'message' must not be empty"),
        ({"senderId": "S", "message": "x"}, "recipientLinkedinUrl is required"),
        ({"recipientLinkedinUrl": "U", "message": "x"}, "senderId is required"),
        (
            {"senderId": "S", "recipientLinkedinUrl": "U", "message": "x", "campaignId": 4},
            "'campaignId' must be a string",
        ),
        ({"leadId": "lead_123", "message": "x"}, "knows no leads"),
        ({"leadId": "lead_123", "message": "x", "senderId": "S"}, "knows no leads"),
    ],
)
def test_sendpilot_send_refuses_an_invalid_body(sp, body: dict[str, Any], words: str) -> None:
    client, _ = sp
    row = sp_rows(client)[0]
    filled = {
        k: (row["accountId"] if v == "S" else row["participants"][0]["profileUrl"] if v == "U" else v)
        for k, v in body.items()
    }
    response = client.post("/v1/inbox/send", json=filled)
    assert words in error_of(response, 400, SP_ERROR)["message"]


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"42"])
def test_sendpilot_send_refuses_what_is_not_a_json_object(sp, raw: bytes) -> None:
    client, _ = sp
    response = client.post("/v1/inbox/send", content=raw)
    assert "JSON" in error_of(response, 400, SP_ERROR)["message"]


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "sp_wrong"}])
def test_sendpilot_send_passes_the_auth_gate(headers: dict[str, str]) -> None:
    app = sendpilot.create_app(now=NOW)
    with serving(app, **headers) as client:
        response = client.post("/v1/inbox/send", json={"message": "x"})
    assert error_of(response, 401, SP_ERROR)["statusCode"] == 401
    assert app.state.requests == [("POST", "/v1/inbox/send", {})]


def test_sendpilot_send_leaves_the_given_data_alone() -> None:
    conversations = sendpilot.build_conversations(now=NOW)
    pristine = copy.deepcopy(conversations)
    with sp_serving(conversations=conversations) as (client, _):
        row = sp_rows(client)[0]
        response = client.post(
            "/v1/inbox/send",
            json={
                "senderId": row["accountId"],
                "recipientLinkedinUrl": row["participants"][0]["profileUrl"],
                "message": "x",
            },
        )
        assert response.status_code == 201
    assert conversations == pristine


# =============================================================================================
# All four
# =============================================================================================


def test_a_request_body_past_the_cap_is_413() -> None:
    with sp_serving() as (client, _):
        response = client.post("/v1/inbox/send", content=b"{" + b" " * (1 << 20) + b"}")
    assert error_of(response, 413, SP_ERROR)["statusCode"] == 413
