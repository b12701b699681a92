"""The documented InboxBase variants (PROVIDERS.md, second reading; docs.12m.ai) end to end: the
emulator serves each one on loopback and the tools answer through a real MCP client (in memory).
Nothing lost, nothing repeated, nothing invented."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import FAST, Served, serving, text_of
from helpers import walk as walk_tool
from mcp import Client
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.providers.inboxbase.client import InboxBaseSettings, accounts
from leadinbox_mcp.sandbox import inboxbase as emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import InboxServer, build_server

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 20, tzinfo=UTC)
KEY = "sk_live_5e1f9a3c7b2d4e60"
ALICE, BOB = emulator.SANDBOX_IDENTITIES
ALICE_ACCOUNT, BOB_ACCOUNT = "inboxbase-alice.pipewise", "inboxbase-bob.pipewise"
BOTH = ",".join(emulator.SANDBOX_IDENTITIES)
DOCUMENTED = {"event_shape": "documented", "with_form": "name", "auth_texts": "documented"}
ANGLE = re.compile(r"^(?:\"?(?P<name>[^\"<]*?)\"? )?<(?P<address>[^<>]+)>$")


def serve(**options: Any) -> Iterator[Served]:
    yield from serving(emulator.create_app(api_key=KEY, now=NOW, **options))


@pytest.fixture(scope="module")
def documented() -> Iterator[Served]:
    """Every documented variant at once: message events without direction, `with` as "Name <address>",
    the documented 401 texts."""
    yield from serve(**DOCUMENTED)


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict[str, Any]]]:
    return emulator.build_conversations(now=NOW, event_shape="documented", with_form="name")


@pytest.fixture(scope="module")
def seed_shape() -> dict[str, list[dict[str, Any]]]:
    """The same conversations in the seed's shape, whose `direction` says who wrote each message."""
    return emulator.build_conversations(now=NOW)


def server(url: str, key: str = KEY, identity: str = BOTH) -> InboxServer:
    return build_server(
        accounts(InboxBaseSettings(api_key=key, identity=identity, base_url=url)), requests_per_second=FAST
    )


def split(value: str) -> tuple[str | None, str]:
    """(name, address) of the emulator's "Name <address>" (or a bare address)."""
    match = ANGLE.match(value)
    return (match["name"] or None, match["address"]) if match else (None, value)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


# ------------------------------------------------------------------------------- message events


async def test_get_thread_shows_every_documented_message_with_its_direction_sender_and_date(
    documented, data, seed_shape
):
    timers = 0
    async with Client(server(documented.url)) as client:
        for raw, truth in zip(data[ALICE], seed_shape[ALICE], strict=True):
            result = await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{raw['id']}"})
            assert not result.is_error, text_of(result)
            out, text = result.structured_content, text_of(result)
            sent = [e for e in raw["events"] if e["type"] == "message"]
            directions = [e["message"]["direction"] for e in truth["events"] if e["type"] == "message"]
            assert "direction" not in sent[0]["message"], "the documented shape has none"
            messages = out["messages"]
            assert [m["number"] for m in messages] == list(range(1, len(sent) + 1)) and len(sent) == raw["messageCount"]
            assert [m["direction"] for m in messages] == directions
            assert [(m["from"]["name"], m["from"]["email"]) for m in messages] == [
                split(e["message"]["from"]) for e in sent
            ]
            assert [at(m["at"]) for m in messages] == [at(e["tsIso"]) for e in sent]
            others = [e for e in raw["events"] if e["type"] != "message"]
            assert [(e["kind"], at(e["at"])) for e in out["events"]] == [(e["type"], at(e["tsIso"])) for e in others]
            name, address = split(raw["with"])
            assert out["conversation"]["correspondent"]["email"] == address == truth["with"]
            assert out["conversation"]["correspondent"]["name"] == name
            assert not any("may be wrong" in note for note in out["notes"])
            timer = [note for note in out["notes"] if "no-reply timer" in note]
            if raw["noReplyAt"] is None:
                assert not timer
            else:
                timers += 1
                assert timer == [
                    f"InboxBase's no-reply timer for this conversation is set for {at(raw['noReplyAtIso']):%Y-%m-%d %H:%M} UTC."
                ]
                assert "no-reply timer" in text
            if any("mailer-daemon@" in e["message"]["from"] for e in sent):
                assert "mailer-daemon@googlemail.com" in text
    assert timers >= 2


async def test_cc_and_several_recipients_are_read(documented, data):
    raw = next(c for c in data[ALICE] if any(e["type"] == "message" and e["message"]["cc"] for e in c["events"]))
    cc = next(e["message"]["cc"] for e in raw["events"] if e["type"] == "message" and e["message"]["cc"])
    async with Client(server(documented.url)) as client:
        result = await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{raw['id']}"})
    copied = [m for m in result.structured_content["messages"] if m["cc"]]
    assert len(copied) == 1 and [p["email"] for p in copied[0]["cc"]] == [cc]
    assert copied[0]["direction"] == "inbound"
    assert result.structured_content["messages"][-1]["direction"] == "outbound", "the reply-all to several is ours"


async def test_iso_times_stand_in_for_missing_milliseconds(data):
    """The same conversations with every millisecond field removed answer the same."""
    iso_only = copy.deepcopy(data)
    for conversation in iso_only[ALICE]:
        for key in ("lastEventAt", "noReplyAt", "lastNoReplyAt"):
            del conversation[key]
        for event in conversation["events"]:
            del event["ts"]
            event.get("message", {}).pop("ts", None)
    answers = []
    for conversations in (data, iso_only):
        for served in serve(identities=(ALICE,), conversations={ALICE: conversations[ALICE]}):
            async with Client(server(served.url, identity=ALICE)) as client:
                rows, _ = await walk_tool(client, "list_conversations", {"limit": 20})
                threads = [
                    (
                        await client.call_tool("get_thread", {"conversation_id": f"inboxbase:{c['id']}"})
                    ).structured_content
                    for c in conversations[ALICE][:6]
                ]
            answers.append((rows, threads))
    (rows, threads), (iso_rows, iso_threads) = answers
    assert len(rows) == 20 and iso_rows == rows
    assert iso_threads == threads and all(m["at"] for t in threads for m in t["messages"])


async def test_a_message_neither_side_sent_is_flagged_not_guessed(data):
    conversation = copy.deepcopy(data[ALICE][0])
    conversation["events"].append(
        {
            "id": "evt_01KZZZZZZZZZZZZZZZZZZZZZZZ",
            "type": "message",
            "ts": conversation["lastEventAt"] + 1,
            "message": {
                "id": "msg_x",
                "from": '"Alice Martin" <alice.martin@pipewise-partners.test>',
                "to": "",
                "cc": "",
                "subject": "fyi",
                "text": "Forwarding this along.",
                "ts": conversation["lastEventAt"] + 1,
            },
        }
    )
    for served in serve(identities=(ALICE,), conversations={ALICE: [conversation]}):
        async with Client(server(served.url, identity=ALICE)) as client:
            result = await client.call_tool("get_thread", {"conversation_id": f"inboxbase:{conversation['id']}"})
    out, text = result.structured_content, text_of(result)
    last = out["messages"][-1]
    assert last["from"]["email"] == "alice.martin@pipewise-partners.test"
    assert last["direction"] == "unknown"
    header = next(line for line in text.splitlines() if line.startswith(f"#{last['number']} "))
    assert "alice.martin@pipewise-partners.test" in header and "direction unknown" in header
    assert "| us" not in header and "| lead" not in header


# ------------------------------------------------------------------------------- `with` as "Name <address>"


async def test_rows_show_the_bare_address_and_the_name(documented, data):
    async with Client(server(documented.url)) as client:
        rows, _ = await walk_tool(client, "list_conversations", {"account": ALICE_ACCOUNT, "limit": 7})
    by_id = {f"{ALICE_ACCOUNT}:{c['id']}": split(c["with"]) for c in data[ALICE]}
    assert len(rows) == len(by_id) == 20
    for row in rows:
        name, address = by_id[row["id"]]
        assert (row["correspondent"]["name"], row["correspondent"]["email"]) == (name, address)
        assert name and "<" not in row["correspondent"]["email"]


async def test_search_by_domain_finds_named_correspondents_by_their_address(documented, data):
    async with Client(server(documented.url)) as client:
        before = len(documented.requests)
        rows, _ = await walk_tool(client, "search_by_domain", {"domain": "acme.com", "limit": 4})
        sent = [q for _, p, q in documented.requests[before:] if p.endswith("/conversations")]
    expected = {
        f"{account}:{c['id']}"
        for account, handle in ((ALICE_ACCOUNT, ALICE), (BOB_ACCOUNT, BOB))
        for c in data[handle]
        if re.search(r"@(?:[a-z0-9-]+\.)*acme\.com$", split(c["with"])[1])
    }
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    emails = [r["correspondent"]["email"] for r in rows]
    assert any(e.endswith("@us.acme.com") for e in emails) and any(e.endswith("@eu.acme.com") for e in emails)
    assert not any(e.endswith(("notacme.com", ".com.au")) for e in emails)
    assert all(re.fullmatch(r".+ <.+@.+>", c["with"]) for c in data[ALICE]), "the rows really are named"
    assert sent and all(q.get("withDomain") == "acme.com" for q in sent)


async def test_a_hostile_display_name_does_not_win_over_the_address():
    handle = "carol@inboxbase.ai"
    conversations = [
        {
            "id": "conv_00000000000000c1",
            "with": '"ceo@us.acme.com" <mallory@evil.test>',
            "subject": "hi",
            "lastEventAt": 1795124578226,
            "events": [],
        },
        {
            "id": "conv_00000000000000c2",
            "with": "Dana Whitfield <dana@us.acme.com>",
            "subject": "hello",
            "lastEventAt": 1795124570000,
            "events": [],
        },
    ]
    for served in serve(identities=(handle,), conversations={handle: conversations}):
        async with Client(server(served.url, identity=handle)) as client:
            found, _ = await walk_tool(client, "search_by_domain", {"domain": "acme.com"})
            listed, _ = await walk_tool(client, "list_conversations", {})
    assert [r["id"] for r in found] == ["inboxbase:conv_00000000000000c2"]
    assert [r["correspondent"]["email"] for r in listed] == ["mallory@evil.test", "dana@us.acme.com"]
    assert listed[1]["correspondent"]["name"] == "Dana Whitfield"


# ------------------------------------------------------------------------------- errors


class WithoutAuthorization:
    """A proxy in front of the emulator that drops the Authorization header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]}
        await self.app(scope, receive, send)


async def test_documented_401_texts_name_the_key_variable(documented):
    cases = [
        ("pk_live_5e1f9a3c7b2d4e60", documented.url, "invalid api key format"),
        ("sk_live_0000000000000000", documented.url, "invalid api key"),
    ]
    app = emulator.create_app(api_key=KEY, now=NOW, **DOCUMENTED)
    with LoopbackServer(WithoutAuthorization(app)) as proxy:
        cases.append((KEY, proxy.url, "missing api key"))
        for key, url, said in cases:
            async with Client(server(url, key=key)) as client:
                results = [
                    await client.call_tool("list_conversations", {}),
                    await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:conv_0123456789abcdef"}),
                ]
            for result in results:
                text = text_of(result)
                assert result.is_error and "INBOXBASE_API_KEY" in text and "HTTP 401" in text, text
                assert re.search(rf"\b{said}\b(?! format)", text), text
                assert key not in text and "Traceback" not in text
    assert app.state.requests and all("authorization" not in str(q).lower() for _, _, q in app.state.requests)


async def test_an_identity_outside_the_org_names_the_identity_variable(documented, data):
    async with Client(server(documented.url, identity="mallory@inboxbase.ai")) as client:
        listed = await client.call_tool("list_conversations", {})
        thread = await client.call_tool("get_thread", {"conversation_id": f"inboxbase:{data[ALICE][0]['id']}"})
    for result in (listed, thread):
        text = text_of(result)
        assert result.is_error and "INBOXBASE_IDENTITY" in text and "no identity 'mallory@inboxbase.ai'" in text, text
        assert "no conversation" not in text and KEY not in text

    async with Client(server(documented.url)) as client:
        other = await client.call_tool("get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{data[BOB][0]['id']}"})
    text = text_of(other)
    assert other.is_error and "no conversation" in text and "another identity" in text and "INBOXBASE_IDENTITY" in text


async def test_a_transient_500_is_retried_and_the_call_succeeds(data):
    for served in serve(transient_failures=2, **DOCUMENTED):
        async with Client(server(served.url)) as client:
            listed = await client.call_tool("list_conversations", {"account": ALICE_ACCOUNT, "limit": 20})
            failed_then_read = len(served.requests)
            served.app.state.requests.clear()
            thread = await client.call_tool(
                "get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{data[ALICE][0]['id']}"}
            )
    assert not listed.is_error, text_of(listed)
    assert [r["id"] for r in listed.structured_content["conversations"]] == [
        f"{ALICE_ACCOUNT}:{r['id']}" for r in emulator.rows_of(data[ALICE])
    ]
    assert failed_then_read == 3, "two 500s, then the answer"
    assert not thread.is_error and len(served.requests) == 1


async def test_a_persistent_500_is_one_clear_sentence(data):
    for served in serve(failures={ALICE: 500}, **DOCUMENTED):
        async with Client(server(served.url)) as client:
            listed = await client.call_tool("list_conversations", {"account": ALICE_ACCOUNT})
            listing_requests = len(served.requests)
            thread = await client.call_tool(
                "get_thread", {"conversation_id": f"{ALICE_ACCOUNT}:{data[ALICE][0]['id']}"}
            )
            bobs = await client.call_tool("list_conversations", {"account": BOB_ACCOUNT, "limit": 1})
    assert listing_requests == 3, "retried twice with backoff, then given up"
    for result in (listed, thread):
        text = text_of(result)
        assert result.is_error and text.startswith(f"{ALICE_ACCOUNT}: InboxBase failed (HTTP 500"), text
        assert "try again shortly" in text and "\n" not in text and KEY not in text
    assert not bobs.is_error, "the other identity answers"
