"""Property-based tests of the merged walk: over generated datasets served by the emulators on
loopback, walking every page returns every conversation exactly once, newest first, whatever the
providers' page sizes, ties in timestamps, budgets, or accounts that run out early."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from helpers import FAST, KEY, Row, Swappable, sendkit_doc, swappable_slots, text_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from leadinbox_mcp.providers.inboxbase.client import InboxBaseClient, InboxBaseSettings
from leadinbox_mcp.providers.lemlist.client import LemlistClient, LemlistSettings
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.providers.sendpilot.client import SendPilotClient, SendPilotSettings
from leadinbox_mcp.sandbox import inboxbase as inboxbase_emulator
from leadinbox_mcp.sandbox import lemlist as lemlist_emulator
from leadinbox_mcp.sandbox import sendkit as sendkit_emulator
from leadinbox_mcp.sandbox import sendpilot as sendpilot_emulator
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.shared.inbox import Budgets

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TIMES = [T0 - timedelta(minutes=17 * i) for i in range(12)]  # few distinct times: many ties
DOMAINS = ["acme.com", "us.acme.com", "notacme.com", "globex.io", "eu.acme.com"]
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture(scope="module")
def slots() -> Iterator[list[tuple[Swappable, str]]]:
    yield from swappable_slots(4)


@dataclass
class Account:
    """One generated account: its rows in the provider's own order and how to serve them."""

    name: str
    rows: list[Row]
    serve: Callable[[], Any]
    client: Callable[[str, Any], Provider]
    searchable: bool = True
    """False for LinkedIn: no email addresses, so no domain search."""


@st.composite
def sendkit_account(draw, index: int) -> Account:
    rows = _draw_rows(draw, index, lambda n: f"{index:02x}{n:022x}")
    docs = [sendkit_doc(r) for r in rows]
    pagination = draw(st.sampled_from(["pages", "cursor"]))
    cap = draw(st.sampled_from([None, 1, 2, 3, 7]))
    rows.sort(key=lambda r: (r.at, r.id), reverse=True)  # the emulator's order: newest, then id descending
    name = f"sendkit{index}"

    def serve() -> Any:
        return sendkit_emulator.create_app(api_key=KEY, conversations=docs, pagination=pagination, page_size_cap=cap)

    def client(url: str, http: Any) -> Provider:
        return SendKitClient(name, SendKitSettings(api_key=KEY, base_url=url), http, "SENDKIT_API_KEY")

    return Account(name, rows, serve, client)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _draw_rows(draw, index: int, id_of: Callable[[int], str], most: int = 25) -> list[Row]:
    count = draw(st.integers(0, most))
    return [
        Row(id=id_of(n), at=draw(st.sampled_from(TIMES)), email=f"lead{n}@{draw(st.sampled_from(DOMAINS))}")
        for n in range(count)
    ]


@st.composite
def sendpilot_account(draw, index: int) -> Account:
    templates = sendpilot_emulator.build_conversations(now=T0)
    rows = _draw_rows(draw, index, lambda n: f"sender_s{index}:2-{index}{n:019d}")
    docs = []
    for n, row in enumerate(rows):
        doc = copy.deepcopy(templates[n % len(templates)])
        doc["accountId"], doc["id"] = row.id.split(":")
        doc["lastActivityAt"] = doc["updatedAt"] = doc["lastMessage"]["sentAt"] = _iso(row.at)
        docs.append(doc)
    rows.sort(key=lambda r: (r.at, r.id.split(":")[1]), reverse=True)  # the emulator: newest, then id descending
    pagination = draw(st.sampled_from(["token", "pages"]))
    name = f"sendpilot{index}"

    def serve() -> Any:
        return sendpilot_emulator.create_app(api_key=KEY, conversations=docs, pagination=pagination)

    def client(url: str, http: Any) -> Provider:
        return SendPilotClient(name, SendPilotSettings(api_key=KEY, base_url=url), http, "SENDPILOT_API_KEY")

    return Account(name, rows, serve, client, searchable=False)


@st.composite
def lemlist_account(draw, index: int) -> Account:
    templates = lemlist_emulator.build_conversations(now=T0)
    # at most 15 rows: one walk then stays within lemlist's 20 requests per 2 s without waiting
    rows = _draw_rows(draw, index, lambda n: f"ctc_{index}x{n:015d}", most=15)
    docs = []
    for n, row in enumerate(rows):
        doc = copy.deepcopy(templates[n % len(templates)])
        inbox = doc["inbox"]
        inbox["_id"] = "ibx_" + row.id[4:]
        inbox["contactId"] = row.id
        inbox["contact"] = {"_id": row.id, "fullName": f"Lead {n}", "email": row.email}
        inbox["lastActivityAt"] = _iso(row.at)
        docs.append(doc)
    rows.sort(key=lambda r: (_iso(r.at), "ibx_" + r.id[4:]), reverse=True)  # the emulator's order
    name = f"lemlist{index}"

    def serve() -> Any:
        return lemlist_emulator.create_app(api_key=KEY, conversations=docs)

    def client(url: str, http: Any) -> Provider:
        return LemlistClient(name, LemlistSettings(api_key=KEY, base_url=url), http, "LEMLIST_API_KEY")

    return Account(name, rows, serve, client)


@st.composite
def inboxbase_account(draw, index: int) -> Account:
    handle = f"agent{index}@inboxbase.ai"
    template = next(iter(inboxbase_emulator.build_conversations(now=T0).values()))
    rows = _draw_rows(draw, index, lambda n: f"conv_{index:02x}{n:014x}")
    docs = []
    for n, row in enumerate(rows):
        doc = copy.deepcopy(template[n % len(template)])
        doc["id"], doc["with"] = row.id, row.email
        doc["lastEventAt"] = int(row.at.timestamp() * 1000)
        docs.append(doc)
    rows.sort(key=lambda r: r.id)
    rows.sort(key=lambda r: r.at, reverse=True)  # the emulator: newest, then id ascending
    name = f"inboxbase{index}"

    def serve() -> Any:
        return inboxbase_emulator.create_app(api_key=KEY, identities=[handle], conversations={handle: docs})

    def client(url: str, http: Any) -> Provider:
        return InboxBaseClient(name, handle, InboxBaseSettings(api_key=KEY, identity=handle, base_url=url), http)

    return Account(name, rows, serve, client)


ACCOUNT_KINDS = [sendkit_account, sendpilot_account, lemlist_account, inboxbase_account]


async def _walk(accounts: list[Account], urls: list[str], tool: str, arguments: dict, budgets: Budgets) -> list[dict]:
    server = build_server(
        lambda http: [a.client(url, http) for a, url in zip(accounts, urls, strict=True)],
        budgets,
        requests_per_second=FAST,
    )
    rows: list[dict] = []
    async with Client(server) as client:
        cursor = None
        for _ in range(500):
            result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
            assert not result.is_error, text_of(result)
            rows += result.structured_content["conversations"]
            cursor = result.structured_content["next_cursor"]
            if cursor is None:
                return rows
    raise AssertionError("the walk did not end")


def _check(rows: list[dict], accounts: list[Account], keep: Callable[[Row], bool]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "no conversation twice"
    expected = {f"{a.name}:{r.id}" for a in accounts for r in a.rows if keep(r)}
    accounts = [a for a in accounts if any(keep(r) for r in a.rows)]
    assert set(ids) == expected, "every conversation once"
    stamps = [r["last_activity_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True), "newest first"
    for a in accounts:
        mine = [i.split(":", 1)[1] for i in ids if i.startswith(a.name + ":")]
        assert mine == [r.id for r in a.rows if keep(r)], "each account's own order is kept"


@st.composite
def scenario(draw) -> list[Account]:
    count = draw(st.integers(1, 4))
    return [draw(draw(st.sampled_from(ACCOUNT_KINDS))(i)) for i in range(count)]


@PROPERTY_SETTINGS
@given(accounts=scenario(), limit=st.integers(1, 25), budget=st.sampled_from([400, 800, 4000]))
def test_listing_walk_is_exactly_once_and_ordered(slots, accounts, limit, budget):
    for (swap, _), account in zip(slots, accounts, strict=False):
        swap.app = account.serve()
    urls = [url for _, url in slots[: len(accounts)]]
    rows = anyio.run(_walk, accounts, urls, "list_conversations", {"limit": limit}, Budgets(list_tokens=budget))
    _check(rows, accounts, lambda r: True)


@PROPERTY_SETTINGS
@given(accounts=scenario(), limit=st.integers(1, 10), scan_pages=st.integers(1, 3))
def test_domain_search_walk_is_exactly_once_and_ordered(slots, accounts, limit, scan_pages):
    accounts = [a for a in accounts if a.searchable]
    if not accounts:
        return
    for (swap, _), account in zip(slots, accounts, strict=False):
        swap.app = account.serve()
    urls = [url for _, url in slots[: len(accounts)]]
    rows = anyio.run(
        _walk,
        accounts,
        urls,
        "search_by_domain",
        {"domain": "acme.com", "limit": limit},
        Budgets(scan_pages=scan_pages),
    )
    _check(rows, accounts, lambda r: re.search(r"@(?:[a-z0-9-]+\.)*acme\.com$", r.email) is not None)
