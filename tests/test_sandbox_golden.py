"""Golden hashes of the sandbox: every emulator's generated data and its answers to a whole crawl,
on a fixed clock. They were recorded before the sandbox moved out of `providers/`; a change that
alters them must be a deliberate fix, named in its commit, with the new hashes recorded here.

`python tests/test_sandbox_golden.py` prints the current hashes in the shape of GOLDEN."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from leadinbox_mcp.providers.http import HttpClient, RateLimit
from leadinbox_mcp.providers.model import Query
from leadinbox_mcp.providers.registry import PROVIDERS
from leadinbox_mcp.sandbox import inboxbase, lemlist, sendkit, sendpilot
from leadinbox_mcp.sandbox.serve import sandbox

CLOCK = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SPECS = {spec.name: spec for spec in PROVIDERS}

GOLDEN = {
    "inboxbase answers 0": "a9fe7d8a760ae8ee",
    "inboxbase answers 1": "f420cdc8a083a559",
    "inboxbase answers 2": "a9fe7d8a760ae8ee",
    "inboxbase data": "a43c889e6502ed2a",
    "inboxbase documented": "9362fda48edb17b6",
    "lemlist answers 0": "49cb66b6542db798",
    "lemlist answers 1": "77800bfe57bacb27",
    "lemlist answers 2": "d34883a0a5fd7721",
    "lemlist data": "99e0234331259ee7",
    "lemlist long": "abdb6f70075adcbf",
    "sendkit answers 0": "0ebcc328b7f4d0e4",
    "sendkit answers 1": "1ffc4e33968f2300",
    "sendkit answers 2": "97d5f03c9ff56032",
    "sendkit data": "75e6850d050decd6",
    "sendkit variants": "1e7fdf020f31c175",
    "sendpilot answers 0": "1e063ad78f833e6a",
    "sendpilot answers 1": "de87b1aa2eea9a41",
    "sendpilot answers 2": "a18ddd82cfdd2b9e",
    "sendpilot data": "b0df768823f09dd0",
    "sendpilot varied": "b1d26ba5d3738eef",
}


def digest(value: Any) -> str:
    encoded = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def generated() -> dict[str, Any]:
    """What each emulator's data builders make."""
    pilot = sendpilot.build_conversations(now=CLOCK)
    return {
        "sendkit data": sendkit.build_conversations(now=CLOCK),
        "sendkit variants": sendkit.build_variant_conversations(now=CLOCK),
        "sendpilot data": pilot,
        "sendpilot varied": sendpilot.vary(
            pilot,
            member_ids=True,
            own_sender_listed=True,
            trailing_whitespace=True,
            images_without_attachments=True,
            direction_names=("IN", "OUT"),
        ),
        "lemlist data": lemlist.build_conversations(now=CLOCK),
        "lemlist long": lemlist.long_conversation(now=CLOCK),
        "inboxbase data": inboxbase.build_conversations(now=CLOCK),
        "inboxbase documented": inboxbase.build_conversations(now=CLOCK, event_shape="documented", with_form="name"),
    }


class Recorder:
    """Every answer an app gives: request line, status, body."""

    def __init__(self, provider: str, app: Any, log: list[tuple]) -> None:
        self.provider, self.app, self.log = provider, app, log

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer: dict[str, Any] = {"body": b""}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, receive, capture)
        if answer.get("status") != 429:  # rate limits depend on timing, not on the data
            request = (scope["method"], scope["path"], scope["query_string"].decode())
            self.log.append((self.provider, *request, answer["status"], digest(answer["body"])))


VARIANTS: tuple[dict[str, dict[str, Any]], ...] = (
    {},
    {
        "sendkit": {"pagination": "cursor", "old_shapes": True, "page_size_cap": 5},
        "sendpilot": {"pagination": "pages", "message_order": "asc", "member_ids": True, "own_sender_listed": True},
        "lemlist": {"thread_order": "oldest", "message_shape": "inbox_message", "row_shape": "legacy"},
        "inboxbase": {"event_shape": "documented", "with_form": "name", "auth_texts": "documented"},
    },
    {
        "sendkit": {"pagination": "cursor_v2", "empty_pages": {1: 2}, "missing_cursor": True},
        "sendpilot": {
            "pagination": "pages_has_more",
            "trailing_whitespace": True,
            "images_without_attachments": True,
            "direction_names": ("IN", "OUT"),
        },
        "lemlist": {"thread_pagination": False},
    },
)


async def crawl(variant: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each emulator's answers to: every listing page, every thread, and a few refusals."""
    log: list[tuple] = []
    apps: dict[str, Any] = {}

    def wrap(provider: str, app: Any) -> Any:
        if provider in variant:
            app = SPECS[provider].sandbox().create_app(now=CLOCK, **variant[provider])
        apps[provider] = app
        return Recorder(provider, app, log)

    with sandbox(wrap=wrap, now=CLOCK) as factory:
        http = HttpClient(default_rate_limit=RateLimit.per_second(1000))
        try:
            for account in factory(http):
                token = None
                for _ in range(100):
                    page = await account.list_page(Query(), token, 7)
                    for conversation in page.conversations:
                        await account.get_thread(conversation.id)
                    token = page.next_token
                    if token is None:
                        break
        finally:
            await http.aclose()
        for provider, app in apps.items():
            async with httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=Recorder(provider, app, log)), base_url="http://sandbox"
            ) as raw:
                for path in (
                    "/",
                    "/v1/inbox",
                    "/api/inbox",
                    "/v1/inbox/nope",
                    "/api/inbox/nope",
                    "/v1/inbox/conversations",
                ):
                    await raw.get(path)
                    await raw.get(
                        path,
                        headers={"Authorization": "Bearer wrong", "X-API-Key": "wrong"},
                        params={"access_token": "wrong"},
                    )
                    await raw.post(path)
    return {provider: digest(sorted(entry[1:] for entry in log if entry[0] == provider)) for provider in apps}


def current() -> dict[str, str]:
    hashes = {name: digest(value) for name, value in generated().items()}
    for number, variant in enumerate(VARIANTS):
        hashes |= {f"{provider} answers {number}": h for provider, h in asyncio.run(crawl(variant)).items()}
    return hashes


@pytest.fixture(scope="module")
def hashes() -> dict[str, str]:
    return current()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_sandbox_is_what_it_was(hashes: dict[str, str], name: str) -> None:
    assert hashes[name] == GOLDEN[name], f"{name} changed: a deliberate fix? then record the new hash"


def test_every_part_has_a_golden_hash(hashes: dict[str, str]) -> None:
    assert sorted(hashes) == sorted(GOLDEN)


if __name__ == "__main__":
    for name, value in sorted(current().items()):
        print(f'    "{name}": "{value}",')
    sys.exit(0)
