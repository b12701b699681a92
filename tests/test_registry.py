"""The registry is the one list of providers: each has its client, its sandbox app and data
file, and serves the tools end to end through `mcp.Client`; every sandbox builds its data from a
random generator of its own."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers import NOW, text_of
from mcp import Client

from leadinbox_mcp.providers.registry import PROVIDERS, Spec

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[1]


def test_every_provider_folder_is_registered():
    folders = {p.parent.name for p in (ROOT / "leadinbox_mcp" / "providers").glob("*/client.py")}
    assert folders == {spec.name for spec in PROVIDERS}
    assert {p.stem for p in (ROOT / "leadinbox_mcp" / "sandbox" / "data").glob("*.toml")} == folders


async def test_each_provider_lists_and_reads_a_thread_through_the_server(sandboxed):
    spec, server = sandboxed
    async with Client(server) as client:
        listing = await client.call_tool("list_conversations", {"limit": 3})
        assert not listing.is_error, text_of(listing)
        rows = listing.structured_content["conversations"]
        assert rows and {row["provider"] for row in rows} == {spec.name}
        thread = await client.call_tool("get_thread", {"conversation_id": rows[0]["id"]})
        assert not thread.is_error, text_of(thread)
        assert thread.structured_content["messages"]


@pytest.mark.parametrize("spec", PROVIDERS, ids=lambda spec: spec.name)
def test_building_a_sandbox_leaves_the_global_random_generator_alone(spec: Spec):
    state = random.getstate()
    spec.sandbox().build_conversations(seed=3, now=NOW)
    assert random.getstate() == state
