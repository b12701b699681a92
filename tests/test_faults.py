"""Faults: partial failure over several accounts and resumption once a provider is back, the
per-call deadline against a hanging provider, unreadable answers, and no key anywhere."""

from __future__ import annotations

import base64
import json
import logging
import time
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from helpers import FAST, KEY, Row, sendkit_doc, text_of
from mcp import Client

from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.sandbox import inboxbase as inboxbase_emulator
from leadinbox_mcp.sandbox import lemlist as lemlist_emulator
from leadinbox_mcp.sandbox import sendkit as sendkit_emulator
from leadinbox_mcp.sandbox import sendpilot as sendpilot_emulator
from leadinbox_mcp.sandbox.faults import FaultInjector, FaultProfile
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import build_server

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def docs(prefix: str, count: int) -> list[dict]:
    # Interleaved times, so that both accounts hold rows on every page of the merge.
    offset = 0 if prefix == "aa" else 1
    return [
        sendkit_doc(Row(f"{prefix}{n:022x}", T0 - timedelta(minutes=2 * n + offset), f"p{n}@acme.com"))
        for n in range(count)
    ]


@pytest.fixture
def two_accounts():
    """Two SendKit accounts; the second one's emulator sits behind a fault injector."""
    healthy = sendkit_emulator.create_app(api_key=KEY, conversations=docs("aa", 12))
    flaky = FaultInjector(sendkit_emulator.create_app(api_key=KEY, conversations=docs("bb", 12)), FaultProfile())
    with LoopbackServer(healthy) as a, LoopbackServer(flaky) as b:

        def accounts(http):
            return [
                SendKitClient("good", SendKitSettings(api_key=KEY, base_url=a.url), http, "SENDKIT_API_KEY"),
                SendKitClient("flaky", SendKitSettings(api_key=KEY, base_url=b.url), http, "SENDKIT_API_KEY"),
            ]

        yield accounts, flaky


async def test_partial_failure_returns_what_answered_and_resumes_without_loss(two_accounts):
    accounts, flaky = two_accounts
    flaky.profile = FaultProfile(server_error=1.0)
    async with Client(build_server(accounts, requests_per_second=FAST)) as client:
        first = await client.call_tool("list_conversations", {"limit": 5})
        assert not first.is_error, text_of(first)
        assert all(r["account"] == "good" for r in first.structured_content["conversations"])
        failure = [n for n in first.structured_content["notes"] if n.startswith("flaky:")]
        assert len(failure) == 1 and "try again" in failure[0] and "Not included: flaky:" in text_of(first)

        flaky.profile = FaultProfile()  # the provider is back
        seen = [r["id"] for r in first.structured_content["conversations"]]
        cursor = first.structured_content["next_cursor"]
        while cursor:
            page = await client.call_tool("list_conversations", {"limit": 5, "cursor": cursor})
            assert not page.is_error, text_of(page)
            seen += [r["id"] for r in page.structured_content["conversations"]]
            cursor = page.structured_content["next_cursor"]
    expected = {f"good:aa{n:022x}" for n in range(12)} | {f"flaky:bb{n:022x}" for n in range(12)}
    assert len(seen) == len(set(seen)) and set(seen) == expected


async def test_an_error_only_when_no_account_answered(two_accounts):
    accounts, flaky = two_accounts
    flaky.profile = FaultProfile(server_error=1.0)
    async with Client(build_server(lambda http: accounts(http)[1:], requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {})
    assert result.is_error and text_of(result).startswith("flaky: SendKit failed") and "\n" not in text_of(result)


async def test_a_hanging_provider_cannot_hold_the_call_past_its_deadline(two_accounts):
    accounts, flaky = two_accounts
    flaky.profile = FaultProfile(hang=1.0, hang_seconds=30)
    async with Client(build_server(accounts, deadline=1.5, requests_per_second=FAST)) as client:
        started = time.monotonic()
        listing = await client.call_tool("list_conversations", {"limit": 5})
        thread = await client.call_tool("get_thread", {"conversation_id": f"flaky:bb{0:022x}"})
        took = time.monotonic() - started
    assert took < 5, "two calls, each cut at 1.5 s"
    assert not listing.is_error and len(listing.structured_content["conversations"]) == 5
    assert any("time limit" in n for n in listing.structured_content["notes"])
    assert thread.is_error and "time limit" in text_of(thread)


@pytest.mark.parametrize(
    ("profile", "sentence"),
    [
        (FaultProfile(malformed=1.0), "malformed or truncated JSON"),
        (FaultProfile(truncated=1.0), "broke off its answer"),
        (FaultProfile(rate_limited=1.0, retry_after=120), "try again in 120 seconds"),
    ],
)
async def test_unreadable_or_refused_answers_are_one_sentence(two_accounts, profile, sentence):
    accounts, flaky = two_accounts
    flaky.profile = profile
    async with Client(build_server(lambda http: accounts(http)[1:], requests_per_second=FAST)) as client:
        result = await client.call_tool("get_thread", {"conversation_id": f"flaky:bb{1:022x}"})
    assert result.is_error and sentence in text_of(result) and "\n" not in text_of(result)


def opened(cursor: str | None) -> str:
    """What a cursor holds, inflated: it is compressed, so a plain search would not see a key."""
    if not cursor:
        return ""
    blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return zlib.decompress(blob[6:], -15).decode()


SANDBOX_KEYS = [
    sendkit_emulator.SANDBOX_API_KEY,
    sendpilot_emulator.SANDBOX_API_KEY,
    lemlist_emulator.SANDBOX_API_KEY,
    inboxbase_emulator.SANDBOX_API_KEY,
]


async def test_no_key_in_any_output_structured_content_cursor_or_log(caplog):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with sandbox(FaultProfile.uniform(0.3, slow_seconds=0.05, hang_seconds=5)) as accounts:
        async with Client(build_server(accounts, deadline=2.0, requests_per_second=FAST, log_level="DEBUG")) as client:
            calls = [
                ("list_accounts", {}),
                ("list_conversations", {"limit": 30, "response_format": "detailed"}),
                ("list_conversations", {"unread_only": True}),
                ("search_by_domain", {"domain": "acme.com"}),
                ("get_thread", {"conversation_id": "sendkit:000000000000000000000000"}),
                ("get_thread", {"conversation_id": "lemlist:ctc_doesNotExist123"}),
                ("list_conversations", {"cursor": "garbage"}),
            ]
            for name, arguments in calls * 3:
                result = await client.call_tool(name, arguments)
                seen.append(text_of(result))
                seen.append(json.dumps(result.structured_content or {}))
                seen.append(opened((result.structured_content or {}).get("next_cursor")))
                for row in (result.structured_content or {}).get("conversations", [])[:3]:
                    thread = await client.call_tool(
                        "get_thread", {"conversation_id": row["id"], "response_format": "detailed"}
                    )
                    seen.append(text_of(thread) + json.dumps(thread.structured_content or {}))
    seen.append(caplog.text)
    everything = "\n".join(seen)
    assert '"v"' in everything or "[3," in everything, "cursors were opened and read"
    assert "HTTP Request" in caplog.text or caplog.records, "the logs were captured"
    for key in SANDBOX_KEYS:
        assert key not in everything


async def test_an_account_failing_after_handing_out_rows_resumes_after_them():
    """The flaky account serves 3-row pages and fails when asked for its second page within the
    same call; once it is back, it must not hand out its first page again."""
    failing = {"on": True}
    inner = sendkit_emulator.create_app(api_key=KEY, conversations=docs("bb", 9), page_size_cap=3)

    async def second_pages_fail(scope, receive, send):
        if failing["on"] and b"page=" in scope.get("query_string", b""):
            body = b'{"error": "Service Unavailable", "message": "down", "code": 503}'
            await send(
                {"type": "http.response.start", "status": 503, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        await inner(scope, receive, send)

    older = [sendkit_doc(Row(f"aa{n:022x}", T0 - timedelta(days=1, minutes=n), f"p{n}@acme.com")) for n in range(9)]
    with (
        LoopbackServer(sendkit_emulator.create_app(api_key=KEY, conversations=older)) as a,
        LoopbackServer(second_pages_fail) as b,
    ):

        def accounts(http):
            return [
                SendKitClient("good", SendKitSettings(api_key=KEY, base_url=a.url), http, "SENDKIT_API_KEY"),
                SendKitClient("flaky", SendKitSettings(api_key=KEY, base_url=b.url), http, "SENDKIT_API_KEY"),
            ]

        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            first = await client.call_tool("list_conversations", {"limit": 10})
            rows = first.structured_content["conversations"]
            assert [r["account"] for r in rows[:3]] == ["flaky"] * 3 and any(
                "flaky:" in n for n in first.structured_content["notes"]
            )
            failing["on"] = False
            seen = [r["id"] for r in rows]
            cursor = first.structured_content["next_cursor"]
            while cursor:
                page = await client.call_tool("list_conversations", {"limit": 10, "cursor": cursor})
                seen += [r["id"] for r in page.structured_content["conversations"]]
                cursor = page.structured_content["next_cursor"]
    assert len(seen) == len(set(seen)) == 18
