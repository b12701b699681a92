"""The thread layout: events between messages, and paging through a thread that exceeds its budget."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import sendkit_server, text_of
from mcp import Client

from inbox_mcp.providers.model import Conversation, Event, Message, Person, Thread
from inbox_mcp.tools.inbox import Budgets
from inbox_mcp.tools.render.thread import render_thread
from inbox_mcp.tools.render.tokens import count_tokens

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_events_sit_between_messages_at_their_time():
    lead = Person(name="Ana", email="ana@lumen.io")
    thread = Thread(
        conversation=Conversation(id="c1", provider="x", correspondent=lead, last_activity_at=T0),
        messages=(
            Message(direction="outbound", at=T0, text="Hello Ana"),
            Message(direction="inbound", at=T0 + timedelta(hours=2), sender=lead, text="Hi, tell me more"),
        ),
        events=(
            Event(at=T0 + timedelta(hours=1), kind="label_added", detail="warm"),
            Event(at=T0 + timedelta(hours=3), kind="archived"),
        ),
    )
    rendered = render_thread("X", thread, detailed=False, budget=8000)
    lines = rendered.text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("#1 "))
    label = next(i for i, line in enumerate(lines) if "label_added" in line)
    second = next(i for i, line in enumerate(lines) if line.startswith("#2 "))
    archived = next(i for i, line in enumerate(lines) if "archived" in line)
    assert first < label < second < archived
    assert [e.kind for e in rendered.events] == ["label_added", "archived"]
    assert "warm" in lines[label] and "None" not in rendered.text


@pytest.mark.anyio
async def test_a_thread_over_budget_pages_through_older_messages(sendkit, dataset):
    longest = max(dataset, key=lambda c: len(c["messages"]))
    conversation_id = f"sendkit:{longest['id']}"
    seen_full: list[int] = []
    async with Client(sendkit_server(sendkit.url, budgets=Budgets(thread_tokens=700))) as client:
        result = await client.call_tool("get_thread", {"conversation_id": conversation_id})
        first_text = text_of(result)
        pages = 0
        while True:
            assert not result.is_error, text_of(result)
            pages += 1
            # In full, or shortened by design rather than by the budget: auto-replies, and our
            # earlier campaign steps (one line, no text, in concise).
            seen_full += [
                m["number"]
                for m in result.structured_content["messages"]
                if not m["abridged"] or m["auto_reply"] or m["text"] == ""
            ]
            cursor = result.structured_content["next_cursor"]
            if cursor is None:
                break
            assert "cursor" in text_of(result)
            result = await client.call_tool("get_thread", {"conversation_id": conversation_id, "cursor": cursor})
        wrong = await client.call_tool("get_thread", {"conversation_id": conversation_id, "cursor": cursor or "x"})
    assert pages > 1 and "Shortened to fit" in first_text
    assert sorted(seen_full) == list(range(1, len(longest["messages"]) + 1))
    assert wrong.is_error
    newest = len(longest["messages"])
    assert re.search(rf"^#{newest} ", first_text, re.M), "the newest message is on the first page"


@pytest.mark.anyio
@pytest.mark.parametrize("budget", [1000, 1500, 3000])
async def test_every_thread_page_fits_its_budget(sendkit, dataset, budget):
    async with Client(sendkit_server(sendkit.url, budgets=Budgets(thread_tokens=budget))) as client:
        for conversation in dataset:
            arguments = {"conversation_id": f"sendkit:{conversation['id']}"}
            while True:
                result = await client.call_tool("get_thread", arguments)
                assert count_tokens(text_of(result)) <= budget
                cursor = result.structured_content["next_cursor"]
                if not cursor:
                    break
                arguments["cursor"] = cursor


@pytest.mark.anyio
@pytest.mark.parametrize("budget", [500, 900])
async def test_listings_fit_their_budget_and_continue_exactly(sendkit, budget):
    ids: list[str] = []
    arguments: dict = {"limit": 100, "response_format": "detailed"}
    async with Client(sendkit_server(sendkit.url, budgets=Budgets(list_tokens=budget))) as client:
        while True:
            result = await client.call_tool("list_conversations", arguments)
            text = text_of(result)
            assert count_tokens(text) <= budget
            rows = result.structured_content["conversations"]
            ids += [r["id"] for r in rows]
            if not result.structured_content["next_cursor"]:
                break
            assert f"Stopped after {len(rows)} rows" in text
            arguments["cursor"] = result.structured_content["next_cursor"]
    async with Client(sendkit_server(sendkit.url, budgets=Budgets(list_tokens=100_000))) as client:
        everything = await client.call_tool("list_conversations", {"limit": 100})
    assert len(ids) > 20 and ids == [r["id"] for r in everything.structured_content["conversations"]]
