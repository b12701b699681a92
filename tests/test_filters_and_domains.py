"""Filters over all four providers on the sandbox (pushed down or applied by the tool, and said
so), and domain normalisation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import text_of
from mcp import Client

from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.shared.domains import in_domain, normalise_domain
from leadinbox_mcp.tools.shared.inbox import Budgets, ToolInputError
from leadinbox_mcp.tools.shared.since import parse_since

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def sandbox_accounts():
    with sandbox() as accounts:
        yield accounts


async def walk(client: Client, tool: str, arguments: dict) -> tuple[list[dict], list[str]]:
    rows, notes, cursor = [], [], None
    while True:
        result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
        assert not result.is_error, text_of(result)
        rows += result.structured_content["conversations"]
        notes += result.structured_content["notes"]
        cursor = result.structured_content["next_cursor"]
        if not cursor:
            return rows, notes


async def test_since_works_on_every_provider(sandbox_accounts):
    async with Client(build_server(sandbox_accounts, Budgets(list_tokens=20_000))) as client:
        everything, _ = await walk(client, "list_conversations", {"limit": 100})
        stamps = sorted(r["last_activity_at"] for r in everything)
        cut = stamps[len(stamps) // 2]
        recent, _ = await walk(client, "list_conversations", {"limit": 100, "since": cut})
    assert {r["provider"] for r in everything} == {"sendkit", "sendpilot", "lemlist", "inboxbase"}
    expected = [r["id"] for r in everything if r["last_activity_at"] >= cut]
    assert [r["id"] for r in recent] == expected
    assert {r["provider"] for r in recent} == {r["provider"] for r in everything if r["last_activity_at"] >= cut}


async def test_filters_the_provider_cannot_apply_are_applied_and_named(sandbox_accounts):
    async with Client(build_server(sandbox_accounts, Budgets(list_tokens=20_000))) as client:
        unread, notes = await walk(client, "list_conversations", {"limit": 100, "unread_only": True})
        text = text_of(await client.call_tool("list_conversations", {"unread_only": True}))
    assert unread and all(r["unread"] is True for r in unread)
    assert {"sendkit", "sendpilot", "lemlist"} <= {r["provider"] for r in unread}
    assert not any(r["provider"] == "inboxbase" for r in unread)
    assert any("InboxBase keeps no read state" in n for n in notes)
    assert any("lemlist: unread_only applied by this tool" in n for n in notes)
    assert "keeps no read state" in text and "applied by this tool" in text


async def test_domain_search_over_every_account(sandbox_accounts):
    async with Client(build_server(sandbox_accounts)) as client:
        rows, notes = await walk(client, "search_by_domain", {"domain": "ACME.com", "limit": 7})
        linkedin_only = await client.call_tool("search_by_domain", {"domain": "acme.com", "account": "sendpilot"})
    emails = [r["correspondent"]["email"] for r in rows]
    assert emails and all(e.split("@")[1] == "acme.com" or e.split("@")[1].endswith(".acme.com") for e in emails)
    assert {r["provider"] for r in rows} == {"sendkit", "lemlist", "inboxbase"}
    assert any("SendPilot conversations have no email addresses" in n for n in notes)
    assert linkedin_only.is_error and "SendPilot" in text_of(linkedin_only)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("acme.com", "acme.com"),
        ("  @ACME.com. ", "acme.com"),
        ("jane@us.acme.com", "us.acme.com"),
        ("https://www.acme.com/about", "www.acme.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ],
    ids=["a domain", "spaces, an @, capitals, a final dot", "an address", "a URL", "unicode", "punycode"],
)
def test_domains_are_normalised(typed, normal):
    assert normalise_domain(typed) == normal


@pytest.mark.parametrize(
    "bad",
    ["", "acme", "acme..com", "-acme.com", "acme.c0m", "a b.com", "*.acme.com", "acme.com/../x@", "x" * 70 + ".com"],
)
def test_nonsense_domains_are_refused(bad):
    with pytest.raises(ToolInputError):
        normalise_domain(bad)


def test_domain_matching_is_at_a_label_boundary():
    assert in_domain("a@acme.com", "acme.com") and in_domain("a@us.acme.com", "acme.com")
    assert in_domain("a@BÜCHER.de", "xn--bcher-kva.de")
    assert not in_domain("a@notacme.com", "acme.com") and not in_domain("a@acme.com.au", "acme.com")
    assert not in_domain(None, "acme.com") and not in_domain("no-at-sign", "acme.com")


def test_since_forms():
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2026, 11, 15, 12, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert parse_since("2w", now) == datetime(2026, 11, 8, 12, tzinfo=UTC)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00:00Z", now) == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert parse_since(None) is None
    for bad in ["yesterday", "7 days ago", "2026-13-01", "-3d"]:
        with pytest.raises(ToolInputError):
            parse_since(bad, now)
