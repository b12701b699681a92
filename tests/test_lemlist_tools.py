"""The tools through a real MCP client (in memory), against the lemlist emulator on loopback."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from helpers import NOW, Served, serving, text_of, walk, wrong_key_texts
from mcp import Client

from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.lemlist.client import LemlistClient, LemlistSettings
from leadinbox_mcp.sandbox import lemlist as emulator
from leadinbox_mcp.server.app import InboxServer, build_server
from leadinbox_mcp.tools.shared.domains import in_domain

pytestmark = pytest.mark.anyio

KEY = "lemlist_test_9b2d4f6a1c"
DATASET = emulator.build_conversations(now=NOW)


def serve(**options: Any) -> Iterator[Served]:
    yield from serving(emulator.create_app(api_key=KEY, now=NOW, **options))


@pytest.fixture
def lemlist() -> Iterator[Served]:
    """A fresh emulator per test, with lemlist's documented rate limit: no test may meet a 429."""
    for em in serve():
        yield em
        assert em.rate_limited == 0, "the client's own limiter should keep every test under the limit"


def lemlist_server(url: str, key: str = KEY, user_id: str | None = None) -> InboxServer:
    settings = LemlistSettings(api_key=key, base_url=url, user_id=user_id)
    return build_server(lambda http: [LemlistClient("lemlist", settings, http, "LEMLIST_API_KEY")])


def listed(rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The emulator's rows in its order: newest first by lastActivityAt."""
    rows = rows if rows is not None else [c["inbox"] for c in DATASET]
    return sorted(rows, key=lambda r: (r["lastActivityAt"], r["_id"]), reverse=True)


def is_unread(row: dict[str, Any]) -> bool:
    return any(u.get("read") is False for u in row["users"])


def conversation(email: str | None = None, name: str | None = None) -> dict[str, Any]:
    return next(
        c
        for c in DATASET
        if (email and c["inbox"]["contact"].get("email") == email)
        or (name and c["inbox"]["contact"].get("fullName") == name)
    )


# ------------------------------------------------------------------------------- list_conversations


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_paging_returns_every_conversation_once_newest_first(lemlist, limit):
    async with Client(lemlist_server(lemlist.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": limit})
    ids = [r["id"] for r in rows]
    assert ids == [f"lemlist:{r['contactId']}" for r in listed()]
    assert len(ids) == len(set(ids)) == 31
    stamps = [r["last_activity_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert "That is all" in texts[-1]
    pages = [q for _, path, q in lemlist.requests if path == "/api/inbox"]
    assert all(q["limit"] == str(min(limit, 100)) for q in pages)


async def test_first_page_lines_show_email_when_there_is_no_name_and_never_none(lemlist):
    async with Client(lemlist_server(lemlist.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"limit": 20, "response_format": "detailed"})
        concise, _ = await walk(client, "list_conversations", {"limit": 20})
    text = "\n".join(texts)
    assert "None" not in text and "null" not in text
    nameless = [r for r in listed() if "fullName" not in r["contact"]]
    assert len(nameless) == 6
    for row in nameless:
        line = next(line for line in text.splitlines() if row["contactId"] in line)
        assert f"| {row['contact']['email']} |" in line
    nina = next(line for line in text.splitlines() if "Nina Sharp" in line)  # LinkedIn contact, no email
    assert "<" not in nina and "unknown" not in nina
    unknown_read = next(r for r in rows if r["correspondent"]["email"] == "jordan.ellis.sales@gmail.com")
    assert unknown_read["unread"] is None and "read state unknown" in text
    assert len(concise) == 31


async def test_unread_only_is_applied_by_the_tool(lemlist):
    async with Client(lemlist_server(lemlist.url)) as client:
        rows, texts = await walk(client, "list_conversations", {"unread_only": True, "limit": 4})
    assert rows and all(r["unread"] is True for r in rows)
    assert [r["id"] for r in rows] == [f"lemlist:{r['contactId']}" for r in listed() if is_unread(r)]
    assert len(rows) == 10
    assert "unread_only applied by this tool" in texts[0]
    assert all("status" not in q and "unread" not in str(q) for _, _, q in lemlist.requests)


async def test_user_id_is_pushed_down(lemlist):
    lukas = next(
        u["userId"]
        for c in DATASET
        for u in c["inbox"]["users"]
        if c["messages"][0].get("sendUserName") == "Lukas Brandt" and u["sender"]
    )
    async with Client(lemlist_server(lemlist.url, user_id=lukas)) as client:
        rows, _ = await walk(client, "list_conversations", {"limit": 5})
    expected = [r for r in listed() if any(u["userId"] == lukas for u in r["users"])]
    assert [r["id"] for r in rows] == [f"lemlist:{r['contactId']}" for r in expected] and 0 < len(rows) < 31
    assert all(q.get("userId") == lukas for _, path, q in lemlist.requests if path == "/api/inbox")


async def test_list_accounts_says_what_lemlist_filters(lemlist):
    async with Client(lemlist_server(lemlist.url)) as client:
        result = await client.call_tool("list_accounts", {})
    (account,) = result.structured_content["accounts"]
    assert account["name"] == "lemlist" and account["provider"] == "lemlist" and account["filters"] == []
    assert "scans" in account["domain_search"]


# ------------------------------------------------------------------------------- get_thread


async def test_thread_is_clean_text_oldest_first(lemlist):
    dana = conversation("dana.whitfield@acme.com")
    contact_id = dana["inbox"]["contactId"]
    async with Client(lemlist_server(lemlist.url)) as client:
        cold = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{contact_id}"})
        await client.call_tool("list_conversations", {"limit": 5})
        warm = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{contact_id}"})
    assert not cold.is_error and not warm.is_error, text_of(cold)
    text = text_of(warm)
    assert "None" not in text and "null" not in text
    assert not re.search(r"<(p|div|br|html|img|blockquote|font|hr)\b", text, re.I)
    for quoted in ("gmail_quote", "divRplyFwdMsg", "From: Sam Lee", "wrote:", "zr0.lemlst.com"):
        assert quoted not in text, quoted
    messages = warm.structured_content["messages"]
    sent_or_replied = [a for a in dana["messages"] if a["type"] in ("emailsSent", "emailsReplied")]
    assert len(messages) == len(sent_or_replied) == 5
    assert [m["at"] for m in messages] == sorted(m["at"] for m in messages)
    assert [m["direction"] for m in messages] == ["outbound", "outbound", "inbound", "outbound", "inbound"]
    assert "Thursday 2pm ET works" in messages[-1]["text"] and "Good timing" in messages[2]["text"]
    assert "Good timing" not in messages[-1]["text"]  # the quoted history is trimmed
    assert messages[0]["from"]["email"] == "sam@pipewise.io"
    # Opened cold the thread knows the contact's email only; after a listing, name and read state too.
    assert "With: dana.whitfield@acme.com" in text_of(cold) and "read state unknown" in text_of(cold)
    with_line = next(line for line in text.splitlines() if line.startswith("With: "))
    assert "Dana Whitfield" in with_line and "dana.whitfield@acme.com" in with_line and "unread" in text
    assert warm.structured_content["conversation"]["id"] == f"lemlist:{contact_id}"


async def test_linkedin_thread_keeps_plain_text_lines(lemlist):
    sabine = conversation("sabine.krueger@umbrella-corp.de")
    async with Client(lemlist_server(lemlist.url)) as client:
        result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{sabine['inbox']['contactId']}"})
    assert not result.is_error
    messages = result.structured_content["messages"]
    assert [m["direction"] for m in messages] == ["outbound", "inbound"]
    assert "Power-BI-Dashboard für den Forecast.\nEine kurze Demo" in messages[-1]["text"]


async def test_every_thread_renders_without_none_or_html(lemlist):
    async with Client(lemlist_server(lemlist.url)) as client:
        await walk(client, "list_conversations", {"limit": 100})
        for c in DATASET:
            result = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{c['inbox']['contactId']}"})
            assert not result.is_error, text_of(result)
            text = text_of(result)
            assert "None" not in text and "null" not in text and "With: unknown" not in text
            assert not re.search(r"<(p|div|br|html|img|blockquote)\b", text, re.I)
            assert "wrote:" not in text and "a écrit" not in text and "schrieb" not in text and "Von:" not in text


async def test_unknown_activity_types_are_events_of_the_thread(lemlist):
    """Asserted on the domain Thread the client returns (the renderer's output may change)."""
    http = HttpClient()
    try:
        client = LemlistClient("lemlist", LemlistSettings(api_key=KEY, base_url=lemlist.url), http, "LEMLIST_API_KEY")
        maya = await client.get_thread(conversation("maya.lindqvist@globex.io")["inbox"]["contactId"])
        tom = await client.get_thread(conversation("tom.becker@us.acme.com")["inbox"]["contactId"])
        alicia = await client.get_thread(conversation("alicia.ramos@us.acme.com")["inbox"]["contactId"])
    finally:
        await http.aclose()
    assert [e.kind for e in maya.events] == ["linkedinVisitDone", "linkedinInviteAccepted"]
    assert [m.kind for m in maya.messages] == [
        "linkedinInviteDone",
        "linkedinSent",
        "linkedinReplied",
        "emailsSent",
        "emailsReplied",
    ]
    assert maya.messages[0].text.startswith("Hi Maya") and maya.messages[0].direction == "outbound"
    assert [e.kind for e in tom.events] == ["emailsOpened", "emailsClicked"]
    assert [e.kind for e in alicia.events] == [
        "linkedinVisitDone",
        "linkedinInviteDone",
        "linkedinInviteAccepted",
    ]  # no note
    for thread in (maya, tom, alicia):
        times = [e.at for e in thread.events] + [m.at for m in thread.messages]
        assert all(t is not None for t in times)
        assert [m.at for m in thread.messages] == sorted(m.at for m in thread.messages)
        assert [e.at for e in thread.events] == sorted(e.at for e in thread.events)
        assert thread.conversation.last_activity_at == max(times)


async def test_thread_errors(lemlist):
    inbox_id = DATASET[0]["inbox"]["_id"]
    async with Client(lemlist_server(lemlist.url)) as client:
        unknown = await client.call_tool("get_thread", {"conversation_id": "lemlist:ctc_AAAAAAAAAAAAAAAAA"})
        by_inbox_id = await client.call_tool("get_thread", {"conversation_id": f"lemlist:{inbox_id}"})
        traversal = await client.call_tool("get_thread", {"conversation_id": "lemlist:ctc_../../api/inbox"})
    assert unknown.is_error and "list conversations" in text_of(unknown) and "ctc_AAAAAAAAAAAAAAAAA" in text_of(unknown)
    assert by_inbox_id.is_error and "not a lemlist conversation id" in text_of(by_inbox_id)
    assert traversal.is_error and "not a lemlist conversation id" in text_of(traversal)
    assert not [path for _, path, _ in lemlist.requests if "ibx_" in path or ".." in path]  # refused before any request


# ------------------------------------------------------------------------------- search_by_domain


async def test_search_by_domain_scans_to_the_end(lemlist):
    async with Client(lemlist_server(lemlist.url)) as client:
        rows, texts = await walk(client, "search_by_domain", {"domain": "acme.com", "limit": 3})
    emails = [r["correspondent"]["email"] for r in rows]
    expected = [r["contact"]["email"] for r in listed() if in_domain(r["contact"].get("email"), "acme.com")]
    assert emails == expected and len(emails) == 5
    assert any(e.endswith("@us.acme.com") for e in emails) and any(e.endswith("@acme.com") for e in emails)
    assert not any(e.endswith("notacme.com") for e in emails)
    assert any(c["inbox"]["contact"].get("email", "").endswith("@notacme.com") for c in DATASET), "the trap exists"
    assert len({r["id"] for r in rows}) == len(rows)
    assert "acme.com" in texts[0]


# ------------------------------------------------------------------------------- failures


async def test_wrong_key_names_the_variable_and_never_shows_the_key(lemlist):
    wrong = "lemlist_wrong_0f9e8d7c6b"
    token = base64.b64encode(f":{wrong}".encode()).decode()
    conversation_id = f"lemlist:{DATASET[0]['inbox']['contactId']}"
    for text in await wrong_key_texts(lemlist_server(lemlist.url, key=wrong), "LEMLIST_API_KEY", conversation_id):
        assert wrong not in text and token not in text and "Traceback" not in text and "\n" not in text


async def test_a_failing_upstream_is_one_sentence():
    for em in serve(fail=500):
        async with Client(lemlist_server(em.url)) as client:
            result = await client.call_tool("list_conversations", {})
        assert (
            result.is_error
            and "lemlist" in text_of(result)
            and "500" in text_of(result)
            and "try again" in text_of(result)
        )


# ------------------------------------------------------------------------------- rate limit


async def test_a_burst_of_30_calls_stays_under_the_limit_without_a_429(lemlist):
    async with Client(lemlist_server(lemlist.url)) as client:
        results: list[Any] = []

        async def one() -> None:
            results.append(await client.call_tool("list_conversations", {"limit": 5}))

        started = time.monotonic()
        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(one)
        elapsed = time.monotonic() - started
    assert len(results) == 30 and not any(r.is_error for r in results)
    assert len(lemlist.requests) == 30
    assert elapsed >= 2.0, "30 requests at 20 per 2 seconds cannot all go in the first window"
    assert lemlist.rate_limited == 0  # checked again by the fixture


async def test_a_429_with_retry_after_from_a_stricter_server_is_waited_out():
    for em in serve(rate_limit=(2, 1.0)):
        async with Client(lemlist_server(em.url)) as client:
            results = [await client.call_tool("list_conversations", {"limit": 5}) for _ in range(5)]
        assert not any(r.is_error for r in results), [text_of(r) for r in results if r.is_error]
        assert em.rate_limited >= 1
        assert len(em.requests) == 5 + em.rate_limited  # every 429 was retried once
