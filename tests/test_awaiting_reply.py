"""Who wrote last (`last_from` and the row's mark) and `list_conversations(awaiting_reply=true)`,
through a real MCP client against each emulator on loopback. The expectations come from the
emulators' own JSON, read raw from a second instance of the same emulator (same data, same
clock), never from our clients: the list rows' `isFromLead` / `direction`, and each thread's
newest message and scheduled replies."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

import anyio
import httpx2
import pytest
from documented import LIST_V2, THREAD_OLD
from helpers import FAST, NOW, keyed_client, mock_http, sendpilot_client, text_of, walk
from mcp import Client
from seed_json import json_examples
from starlette.types import Receive, Scope, Send

from leadinbox_mcp.providers.model import Conversation, Message, Person, Query, Thread
from leadinbox_mcp.providers.registry import PROVIDERS, Spec
from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.providers.sendpilot import wire as sendpilot_wire
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.listing.caches import LocalCache
from leadinbox_mcp.tools.listing.last_from import AwaitingReply, FromCache

pytestmark = pytest.mark.anyio

Side = Literal["lead", "us"] | None
MARKS = {"lead": "| lead wrote last |", "us": "| we wrote last |"}
SPECS = {spec.name: spec for spec in PROVIDERS}


# ------------------------------------------------------------------ the emulators' own answer


@dataclass(frozen=True)
class Truth:
    listed: Side
    """What the list row says of who wrote last (None where the provider's list does not say)."""
    newest: Side
    """Who wrote the thread's newest message."""
    scheduled: bool
    """A reply pending or sending."""

    @property
    def awaiting(self) -> bool:
        return self.newest == "lead" and not self.scheduled


def _sendkit(http: Any) -> dict[str, Truth]:
    body = http.get("/v1/inbox", params={"limit": 100}).json()
    assert body["pagination"]["pages"] == 1
    truth = {}
    for row in body["data"]:
        thread = http.get(f"/v1/inbox/{row['id']}").json()["data"]
        last = thread["messages"][-1]
        if last.get("type") == "sent":
            newest: Side = "us"
        elif "isFromLead" in last:
            newest = "lead" if last["isFromLead"] else "us"
        else:
            newest = {"inbound": "lead", "outbound": "us"}.get(last.get("direction"))
        said = row["lastMessage"]["isFromLead"]
        truth[row["id"]] = Truth(
            listed="lead" if said else "us",
            newest=newest,
            scheduled=any(s["status"] in ("pending", "sending") for s in thread.get("scheduledReplies") or []),
        )
    return truth


def _sendpilot(http: Any) -> dict[str, Truth]:
    body = http.get("/v1/inbox/conversations", params={"limit": 50}).json()
    assert body["pagination"]["hasMore"] is False
    words = {"received": "lead", "sent": "us"}
    truth = {}
    for row in body["conversations"]:
        messages: list[dict] = []
        token = None
        while True:
            params = {"accountId": row["accountId"], "limit": 100, **({"continuationToken": token} if token else {})}
            answer = http.get(f"/v1/inbox/conversations/{row['id']}/messages", params=params).json()
            messages += answer["messages"]
            token = answer["pagination"]["continuationToken"]
            if not answer["pagination"]["hasMore"]:
                break
        last = max(messages, key=lambda m: m["sentAt"])
        truth[f"{row['accountId']}:{row['id']}"] = Truth(
            listed=words.get(row["lastMessage"]["direction"]), newest=words.get(last["direction"]), scheduled=False
        )
    return truth


LEMLIST_FROM_LEAD = {"emailsReplied", "linkedinReplied"}
LEMLIST_FROM_US = {"emailsSent", "linkedinSent", "linkedinVoiceNoteDone"}


def _lemlist(http: Any) -> dict[str, Truth]:
    body = http.get("/api/inbox", params={"limit": 100}).json()
    assert body["pagination"]["totalPages"] == 1
    truth = {}
    for row in body["data"]:
        answer = http.get(f"/api/inbox/{row['contactId']}", params={"limit": 100}).json()
        assert answer["pagination"]["totalItems"] <= 100
        messages = [
            a
            for a in answer["data"]
            if a["type"] in LEMLIST_FROM_LEAD | LEMLIST_FROM_US
            or (a["type"] == "linkedinInviteDone" and (a.get("message") or "").strip())  # an invitation's note
        ]
        last = max(messages, key=lambda a: a["createdAt"])
        truth[row["contactId"]] = Truth(
            listed=None, newest="lead" if last["type"] in LEMLIST_FROM_LEAD else "us", scheduled=False
        )
    return truth


def _inboxbase(http: Any) -> dict[str, Truth]:
    from leadinbox_mcp.sandbox.inboxbase import SANDBOX_IDENTITIES

    truth = {}
    for handle in SANDBOX_IDENTITIES:
        base = f"/v1/identities/{quote(handle, safe='')}/conversations"
        body = http.get(base, params={"limit": 200}).json()
        assert body["nextCursor"] is None
        for row in body["conversations"]:
            events = http.get(f"{base}/{row['id']}").json()["conversation"]["events"]
            last = max((e for e in events if e["type"] == "message"), key=lambda e: e["ts"])
            newest: Side = "lead" if last["message"]["direction"] == "inbound" else "us"
            truth[row["id"]] = Truth(listed=None, newest=newest, scheduled=False)
    return truth


def raw_truth(spec: Spec) -> dict[str, Truth]:
    """Per conversation (by the provider's own id, as our ids carry it after the account), what
    a second instance of the emulator the `sandboxed` fixture serves says, read over its API."""
    sandbox = spec.sandbox()
    key = sandbox.SANDBOX_API_KEY
    if spec.name == "sendkit":
        return _sendkit(keyed_client(sandbox.create_app, "X-Api-Key", key, now=NOW))
    if spec.name == "sendpilot":
        return _sendpilot(keyed_client(sandbox.create_app, "X-API-Key", key, now=NOW))
    if spec.name == "lemlist":
        basic = "Basic " + base64.b64encode(f":{key}".encode()).decode()
        return _lemlist(keyed_client(sandbox.create_app, "Authorization", basic, now=NOW, rate_limit=(10_000, 1.0)))
    assert spec.name == "inboxbase", "a new provider needs its raw reading here"
    return _inboxbase(keyed_client(sandbox.create_app, "Authorization", f"Bearer {key}", now=NOW))


def native(row: dict) -> str:
    return row["id"].split(":", 1)[1]


def line_of(texts: list[str], conversation_id: str) -> str:
    (line,) = [line for text in texts for line in text.splitlines() if line.startswith(f"- {conversation_id} |")]
    return line


def assert_newest_first_per_account(rows: list[dict]) -> None:
    for account in {r["account"] for r in rows}:
        times = [r["last_activity_at"] for r in rows if r["account"] == account]
        assert times == sorted(times, reverse=True), account


BLANK = "not say who wrote last"


# ------------------------------------------------------------------------------ plain listings


async def test_rows_say_who_wrote_last_as_the_list_says_and_threads_fill_the_rest(sandboxed):
    """SendKit and SendPilot rows say it from the list; lemlist and InboxBase rows leave it blank
    with a note (a plain listing reads no thread), until their threads were read: after an
    awaiting_reply walk, the same listing shows who wrote each one's newest message."""
    spec, server = sandboxed
    truth = raw_truth(spec)
    async with Client(server) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": 100})
        assert sorted(native(r) for r in rows) == sorted(truth)
        for row in rows:
            expected = truth[native(row)].listed
            assert row["last_from"] == expected, row["id"]
            line = line_of(texts, row["id"])
            assert [mark for mark in MARKS.values() if mark in line] == ([MARKS[expected]] if expected else [])
        blank_accounts = sorted({r["account"] for r in rows if r["last_from"] is None})
        notes = (await client.call_tool("list_conversations", {"limit": 100})).structured_content["notes"]
        if spec.name in ("lemlist", "inboxbase"):
            assert blank_accounts == sorted({r["account"] for r in rows})
            (note,) = [n for n in notes if BLANK in n]
            assert note.startswith(", ".join(blank_accounts) + ":") and "awaiting_reply=true" in note
            assert note in texts[0]
        else:
            assert blank_accounts == [] and not any(BLANK in n for n in notes)
            assert not any(BLANK in text for text in texts)

        # awaiting_reply reads the threads it needs (all of them where the list says nothing) ...
        await walk(client, "list_conversations", {"awaiting_reply": True, "limit": 100})
        # ... and a plain listing moments later shows what they told, through the thread cache.
        result = await client.call_tool("list_conversations", {"limit": 100})
    text = text_of(result)
    for row in result.structured_content["conversations"]:
        t = truth[native(row)]
        expected = t.listed if t.listed is not None else t.newest
        assert row["last_from"] == expected, row["id"]
        assert MARKS[expected] in line_of([text], row["id"])
    assert BLANK not in text


async def test_search_by_domain_rows_say_who_wrote_last_too(sandboxed):
    spec, server = sandboxed
    if spec.name == "sendpilot":
        pytest.skip("LinkedIn conversations cannot be searched by domain")
    truth = raw_truth(spec)
    async with Client(server) as client:
        rows, texts = await walk(client, "search_by_domain", {"domain": "acme.com", "limit": 100})
    assert rows
    for row in rows:
        expected = truth[native(row)].listed
        assert row["last_from"] == expected
        assert (
            (MARKS[expected] in line_of(texts, row["id"]))
            if expected
            else not any(mark in line_of(texts, row["id"]) for mark in MARKS.values())
        )
    assert (BLANK in texts[0]) == (spec.name in ("lemlist", "inboxbase"))


# ------------------------------------------------------------------------------ awaiting_reply


@pytest.mark.parametrize("limit", [3, 100])
async def test_awaiting_reply_is_exactly_what_the_threads_say_across_pages(sandboxed, limit):
    """Exactly the conversations whose newest message is the lead's and that have no reply
    pending or sending, each once, each account's newest first, whatever the page size."""
    spec, server = sandboxed
    truth = raw_truth(spec)
    expected = {key for key, t in truth.items() if t.awaiting}
    assert expected and expected != set(truth), "the data set has both kinds"
    async with Client(server) as client:
        rows, texts = await walk(client, "list_conversations", {"awaiting_reply": True, "limit": limit})
        last_result = await client.call_tool("list_conversations", {"awaiting_reply": True, "limit": limit})
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "no conversation twice"
    assert {native(r) for r in rows} == expected, "none skipped, none extra"
    assert_newest_first_per_account(rows)
    assert all(r["last_from"] == "lead" for r in rows)
    for row in rows:
        assert MARKS["lead"] in line_of(texts, row["id"])
    assert all(re.match(r"\d+ conversations? \(awaiting our reply\), newest first", text) for text in texts)
    notes = last_result.structured_content["notes"]
    assert not [n for n in notes if "await a reply" in n or "undecided" in n or BLANK in n], notes
    if limit < len(expected):
        assert len(texts) > 1, "it took several pages"


async def test_sendkit_scheduled_replies_count_only_while_pending_or_sending(sandboxed):
    """The SendKit data has lead-last conversations with a pending reply (left out) and with only
    a failed one (kept)."""
    spec, server = sandboxed
    if spec.name != "sendkit":
        pytest.skip("only SendKit threads show scheduled replies")
    truth = raw_truth(spec)
    scheduled = {key for key, t in truth.items() if t.newest == "lead" and t.scheduled}
    assert scheduled, "the data set has a lead-last conversation with a reply on its way"
    sandbox = spec.sandbox()
    raw = keyed_client(sandbox.create_app, "X-Api-Key", sandbox.SANDBOX_API_KEY, now=NOW)
    failed_only = {
        key
        for key, t in truth.items()
        if t.newest == "lead"
        and {s["status"] for s in raw.get(f"/v1/inbox/{key}").json()["data"]["scheduledReplies"]} == {"failed"}
    }
    assert failed_only, "the data set has a lead-last conversation whose only scheduled reply failed"
    async with Client(server) as client:
        rows, _ = await walk(client, "list_conversations", {"awaiting_reply": True, "limit": 100})
    shown = {native(r) for r in rows}
    assert not scheduled & shown and failed_only <= shown


async def test_a_plain_listing_reads_no_thread_and_awaiting_reply_no_more_than_it_needs():
    """A plain listing asks only for list pages, of every provider; awaiting_reply on
    SendPilot (whose list says who wrote last, and which schedules nothing) reads no thread."""
    with served("sendkit", "lemlist", "inboxbase", "sendpilot") as (server, switches):
        async with Client(server) as client:
            await walk(client, "list_conversations", {"limit": 100})
            assert not any(s.thread_requests for s in switches.values())
            await walk(client, "list_conversations", {"account": "sendpilot", "awaiting_reply": True, "limit": 5})
    assert not switches["sendpilot"].thread_requests


# ------------------------------------------------------------------- what cannot be decided


THREAD_PATHS = {
    "sendkit": re.compile(r"/v1/inbox/[^/]+"),
    "sendpilot": re.compile(r"/v1/inbox/conversations/[^/]+/messages"),
    "lemlist": re.compile(r"/api/inbox/[^/]+"),
    "inboxbase": re.compile(r"/v1/identities/[^/]+/conversations/[^/]+"),
}


class ThreadSwitch:
    """ASGI in front of an emulator: its thread requests answer `status`, or wait `delay`
    seconds first; `thread_requests` counts them."""

    def __init__(self, app: Any, provider: str) -> None:
        self.app = app
        self.thread_path = THREAD_PATHS[provider]
        self.status: int | None = None
        self.delay = 0.0
        self.thread_requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.thread_path.fullmatch(scope["path"]):
            self.thread_requests += 1
            if self.delay:
                await anyio.sleep(self.delay)
            if self.status is not None:
                body = b'{"error": "upstream failure", "message": "upstream failure"}'
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": self.status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


@contextmanager
def served(*names: str) -> Iterator[tuple[Any, dict[str, ThreadSwitch]]]:
    """One server reading these providers' emulators on loopback, each behind a ThreadSwitch."""
    switches: dict[str, ThreadSwitch] = {}
    factories = []
    servers = []
    try:
        for name in names:
            sandbox = SPECS[name].sandbox()
            switch = ThreadSwitch(sandbox.create_app(now=NOW), name)
            loop = LoopbackServer(switch).start()
            servers.append(loop)
            switches[name] = switch
            factories.append(SPECS[name].client().accounts(sandbox.settings(loop.url)))
        yield build_server(lambda http: [a for f in factories for a in f(http)], requests_per_second=FAST), switches
    finally:
        for loop in servers:
            loop.stop()


async def _resume(client: Client, arguments: dict, cursor: str | None) -> tuple[list[dict], list[str]]:
    rows: list[dict] = []
    notes: list[str] = []
    while cursor:
        result = await client.call_tool("list_conversations", {**arguments, "cursor": cursor})
        assert not result.is_error, text_of(result)
        rows += result.structured_content["conversations"]
        notes += result.structured_content["notes"]
        cursor = result.structured_content["next_cursor"]
    return rows, notes


@pytest.mark.slow  # waits out retries and a call's deadline
@pytest.mark.parametrize("fault", ["failing", "slow"])
async def test_an_account_that_cannot_be_decided_is_named_and_its_cursor_resumes_exactly_there(fault):
    """lemlist's threads fail (500) or answer after the call's time: the answer names lemlist and
    goes on with SendPilot, whose list says who wrote last; once the threads answer again, the
    cursor continues lemlist at the row it stopped at: the whole walk is exactly the raw set."""
    expected = {
        f"{name}:{key}" for name in ("lemlist", "sendpilot") for key, t in raw_truth(SPECS[name]).items() if t.awaiting
    }
    arguments = {"awaiting_reply": True, "limit": 5}
    with served("lemlist", "sendpilot") as (server, switches):
        lemlist = switches["lemlist"]
        if fault == "failing":
            lemlist.status = 500
        else:
            lemlist.delay, server.deadline = 4.0, 2.5  # a thread answers after the call's time
        async with Client(server) as client:
            with anyio.fail_after(10):
                first = await client.call_tool("list_conversations", arguments)
            assert not first.is_error, text_of(first)
            content = first.structured_content
            assert lemlist.thread_requests >= 1
            rows = content["conversations"]
            assert rows and {r["account"] for r in rows} == {"sendpilot"}
            (note,) = [n for n in content["notes"] if n.startswith("lemlist:")]
            if fault == "failing":
                assert "a thread could not be read" in note and "500" in note
            else:
                assert "time ran out" in note
            assert "cursor resumes there" in note and note in text_of(first)
            assert content["next_cursor"]

            lemlist.status, lemlist.delay, server.deadline = None, 0.0, 20.0
            more, notes = await _resume(client, arguments, content["next_cursor"])
    rows += more
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert_newest_first_per_account(rows)
    assert not [n for n in notes if "await a reply" in n]


@pytest.mark.slow  # waits out a call's deadline
async def test_accounts_out_of_time_get_an_answer_that_names_them_with_a_cursor_not_an_error():
    """InboxBase (two identities, two accounts) whose threads all answer after the call's time:
    nothing can be decided, every account is named, and the cursor starts them over."""
    with served("inboxbase") as (server, switches):
        async with Client(server) as client:
            accounts = {a["name"] for a in (await client.call_tool("list_accounts", {})).structured_content["accounts"]}
            switches["inboxbase"].delay, server.deadline = 4.0, 2.0
            with anyio.fail_after(4):
                result = await client.call_tool("list_conversations", {"awaiting_reply": True})
            assert not result.is_error, text_of(result)
            content = result.structured_content
            assert content["conversations"] == [] and content["next_cursor"]
            assert len(accounts) == 2 and {n.split(":")[0] for n in content["notes"] if "time ran out" in n} == accounts
            assert text_of(result).startswith("No conversations (awaiting our reply) found on this page.")

            switches["inboxbase"].delay, server.deadline = 0.0, 20.0
            rows, _ = await _resume(client, {"awaiting_reply": True}, content["next_cursor"])
    assert {native(r) for r in rows} == {key for key, t in raw_truth(SPECS["inboxbase"]).items() if t.awaiting}


# ------------------------------------------------------------------------- documented JSON


async def _list_page(client_of, body: dict):
    async with mock_http(lambda request: httpx2.Response(200, json=body)) as http:
        return await client_of(http).list_page(Query(), None, 20)


def _sendkit_client(http) -> SendKitClient:
    return SendKitClient("sendkit", SendKitSettings(api_key="sk_doc_4f1e", base_url="https://sk.test"), http, "K")


@pytest.mark.parametrize("body", [LIST_V2, json_examples("000")[0]], ids=["newer list (second reading)", "seed 000"])
async def test_sendkit_documented_rows_say_who_wrote_last_by_is_from_lead(body):
    page = await _list_page(_sendkit_client, body)
    assert [c.last_from for c in page.conversations] == [
        "lead" if row["lastMessage"]["isFromLead"] else "us" for row in body["data"]
    ]


async def test_sendpilot_documented_rows_say_who_wrote_last_by_direction():
    body = json_examples("002")[0]
    page = await _list_page(lambda http: sendpilot_client("sp_doc_9a", http), body)
    words = {"received": "lead", "sent": "us"}
    assert [c.last_from for c in page.conversations] == [
        words[row["lastMessage"]["direction"]] for row in body["conversations"]
    ]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("received", "lead"),
        ("sent", "us"),
        ("RECEIVED", "lead"),
        ("SENT", "us"),
        ("inbound", "lead"),
        ("outgoing", "us"),
        ("IN", "lead"),
        ("OUT", "us"),
        ("bounced", None),
        ("", None),
        (None, None),
        (3, None),
    ],
)
def test_sendpilot_direction_values_renamed_or_unknown(direction, expected):
    """Renamed at least once (observed): the words are read; a value that says neither is None."""
    row = json_examples("002")[0]["conversations"][0]
    row = {**row, "lastMessage": {**row["lastMessage"], "direction": direction}}
    conversation = sendpilot_client("sp_doc_9a")._conversation(sendpilot_wire.ConversationRow.model_validate(row))
    assert conversation.last_from == expected


@pytest.mark.parametrize(
    ("body", "verdict"),
    [(THREAD_OLD, "show"), (json_examples("001")[3], "drop")],
    ids=["failed scheduled reply: still awaiting", "seed 001, pending scheduled reply: answered"],
)
async def test_documented_sendkit_threads_tell_who_wrote_last_and_what_is_scheduled(body, verdict):
    async with mock_http(lambda request: httpx2.Response(200, json=body)) as http:
        thread = await _sendkit_client(http).get_thread(body["data"]["id"])
    last = body["data"]["messages"][-1]
    assert thread.conversation.last_from == ("lead" if last["isFromLead"] else "us")
    statuses = [s["status"] for s in body["data"]["scheduledReplies"]]
    assert (verdict == "drop") == any(s in ("pending", "sending") for s in statuses)
    row = thread.conversation.model_copy(update={"last_from": None})
    judged, shown = AwaitingReply(LocalCache(30.0))._verdict(row, thread)
    assert judged == verdict and shown.last_from == "lead"


# ------------------------------------------------------------------------------ the judgement


class OneThread:
    """A provider of one account whose threads are given (only what the judgement uses)."""

    account = "acct"
    shows_scheduled_replies = False

    def __init__(self, threads: dict[str, Thread]) -> None:
        self.threads = threads
        self.reads: list[str] = []

    async def get_thread(self, conversation_id: str) -> Thread:
        self.reads.append(conversation_id)
        return self.threads[conversation_id]


def _conversation(cid: str, minute: int, last_from: Side = None) -> Conversation:
    at = datetime(2026, 11, 20, 12, minute, tzinfo=UTC)
    return Conversation(id=cid, provider="x", correspondent=Person(), last_activity_at=at, last_from=last_from)


def _thread(cid: str, minute: int, *directions: str) -> Thread:
    at = datetime(2026, 11, 20, 12, minute, tzinfo=UTC)
    messages = tuple(Message(direction=d, at=at) for d in directions)
    side = {"inbound": "lead", "outbound": "us"}.get(directions[-1]) if directions else None
    return Thread(conversation=_conversation(cid, minute, side), messages=messages)


async def test_a_thread_that_does_not_tell_who_wrote_last_leaves_its_conversation_out_by_name():
    provider = OneThread({"a": _thread("a", 5, "outbound", "inbound"), "b": _thread("b", 4, "inbound", "unknown")})
    check = AwaitingReply(LocalCache(30.0))
    rows = [_conversation("a", 5), _conversation("b", 4)]
    assert check.judged(provider, rows[0]) is None  # not judged before `prepare`
    await check.prepare(provider, rows)
    assert sorted(provider.reads) == ["a", "b"]
    (verdict, shown), (dropped, _) = check.judged(provider, rows[0]), check.judged(provider, rows[1])
    assert (verdict, shown.last_from, dropped) == ("show", "lead", "drop")
    (note,) = check.notes()
    assert note.startswith("acct: left out as undecided") and note.endswith(": acct:b.")


async def test_a_cached_thread_tells_only_when_it_is_as_new_as_the_row():
    cache: LocalCache[Thread] = LocalCache(30.0)
    provider = OneThread({})
    await cache.put(("acct:a",), _thread("a", 5, "inbound"))
    await cache.put(("acct:b",), _thread("b", 3, "inbound"))  # the row has moved on since this was read
    fill = FromCache(cache)
    rows = [_conversation("a", 5), _conversation("b", 4)]
    await fill.prepare(provider, rows)
    assert [fill.judged(provider, row)[1].last_from for row in rows] == ["lead", None]
    assert provider.reads == []  # a plain listing reads no thread
