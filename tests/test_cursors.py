"""Cursors an agent can copy (issue 13): a short handle wherever the server keeps state (one
process, stdio, one HTTP worker, or Redis shared by every worker), a signed self-contained cursor
only where it cannot (several workers without Redis, sharing one key); forged, modified, expired
or unknown ones answered "start again without a cursor".

Through an MCP client, as agents talk to the server: in memory over the sandbox's five accounts,
over stdio, and over HTTP against the real `serve --transport http` subprocess."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx2
import pytest
from helpers import FAST, text_of
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from processes import COMMAND, HttpServer, env_for, run_cli, serve_http

from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import InboxServer, build_server
from leadinbox_mcp.tools.listing import cursors as cursors_module
from leadinbox_mcp.tools.render.tokens import count_tokens
from leadinbox_mcp.tools.shared.inbox import Budgets

pytestmark = pytest.mark.anyio

ACCOUNTS = 5
MAX_TOKENS = 40
RESTART = "start again without a cursor"
KEY_A = "cursor-key-a-0123456789abcdefghijklmnop"
KEY_B = "cursor-key-b-0123456789abcdefghijklmnop"
SMALL_THREADS = Budgets(thread_tokens=500)  # so that get_thread hands out cursors too
NAMES = ["sendkit", "sendpilot", "lemlist", "inboxbase-alice.pipewise", "inboxbase-bob.pipewise"]


@pytest.fixture(scope="module")
def accounts():
    with sandbox() as factory:
        yield factory


def server(accounts, handles: bool, key: str | None = None, redis_url: str | None = None) -> InboxServer:
    return build_server(
        accounts, SMALL_THREADS, requests_per_second=FAST, cursor_handles=handles, cursor_key=key, redis_url=redis_url
    )


async def walk(
    client: Client, tool: str, arguments: dict[str, Any], key: str = "conversations"
) -> tuple[list, list[str]]:
    """Every row (or message) of a listing (or thread), following next_cursor to the end, and the cursors."""
    rows: list = []
    cursors: list[str] = []
    cursor = None
    for _ in range(100):
        result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
        assert not result.is_error, text_of(result)
        rows += result.structured_content[key]
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return rows, cursors
        assert f'cursor="{cursor}"' in text_of(result)  # the text hands out the same cursor
        cursors.append(cursor)
    raise AssertionError("the cursor never ended")


async def long_threads(client: Client) -> list[str]:
    """The conversations whose get_thread hands out a cursor (within SMALL_THREADS)."""
    found = []
    for name in NAMES:
        listing = await client.call_tool("list_conversations", {"account": name, "limit": 8})
        for row in listing.structured_content["conversations"]:
            first = await client.call_tool("get_thread", {"conversation_id": row["id"]})
            if first.structured_content["next_cursor"]:
                found.append(row["id"])
    assert found
    return found


def opened(cursor: str) -> list:
    """[version, fingerprint, payload] of a signed cursor (authenticated, not secret)."""
    blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return json.loads(zlib.decompressobj(-15).decompress(blob[cursors_module.TAG_BYTES :]))


def sealed_with_a_plain_checksum(content: list) -> str:
    """What the cursors were before they were signed: anyone could make one."""
    raw = json.dumps(content, separators=(",", ":")).encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    blob = deflate.compress(raw) + deflate.flush()
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:6] + blob).decode().rstrip("=")


def refused(result) -> str:
    text = text_of(result)
    assert result.is_error and RESTART in text and "\n" not in text, text
    return text


# ---------------------------------------------------------------------- handles in memory


async def test_a_merged_listing_over_five_accounts_continues_with_handles_of_at_most_40_tokens(accounts):
    async with Client(server(accounts, handles=True)) as client:
        rows, handles = await walk(client, "list_conversations", {"limit": 7})
    async with Client(server(accounts, handles=False)) as client:
        signed_rows, signed = await walk(client, "list_conversations", {"limit": 7})
    assert len(opened(signed[0])[2]) == ACCOUNTS, "the position of every account is in the cursor"
    assert all(count_tokens(c) > MAX_TOKENS for c in signed)  # what an agent carried before (90 to 200 tokens)
    assert len(handles) == len(signed) >= 5
    assert all(len(h) == cursors_module.HANDLE_CHARS and count_tokens(h) <= MAX_TOKENS for h in handles), handles
    assert [r["id"] for r in rows] == [r["id"] for r in signed_rows]  # same rows, same order, nothing lost
    assert len({r["account"] for r in rows}) == ACCOUNTS and len({r["id"] for r in rows}) == len(rows)


async def test_search_by_domain_and_get_thread_hand_out_handles_too(accounts):
    results: dict[bool, dict[str, tuple[list, list[str]]]] = {}
    for handles in (True, False):
        async with Client(server(accounts, handles=handles)) as client:
            found = await walk(client, "search_by_domain", {"domain": "acme.com", "limit": 1})
            threads = []
            for conversation in await long_threads(client):
                threads.append(await walk(client, "get_thread", {"conversation_id": conversation}, key="messages"))
            results[handles] = {"search": found, **{f"thread {i}": t for i, t in enumerate(threads)}}
    assert results[True].keys() == results[False].keys() and "thread 1" in results[True]
    for name, (rows, handles) in results[True].items():
        assert handles, name
        assert all(len(h) == cursors_module.HANDLE_CHARS and count_tokens(h) <= MAX_TOKENS for h in handles), name
        assert rows == results[False][name][0], name
        assert all(count_tokens(c) > MAX_TOKENS for c in results[False][name][1]), name


async def test_an_unknown_expired_or_foreign_handle_says_start_again(accounts, monkeypatch):
    async with Client(server(accounts, handles=True)) as client, Client(server(accounts, handles=True)) as other:
        first = await client.call_tool("list_conversations", {"limit": 3})
        handle = first.structured_content["next_cursor"]
        unknown = await client.call_tool("list_conversations", {"limit": 3, "cursor": "AAAAAAAAAAAAAAAA"})
        elsewhere = await other.call_tool("list_conversations", {"limit": 3, "cursor": handle})
        other_arguments = await client.call_tool("list_conversations", {"limit": 4, "cursor": handle})
        still = await client.call_tool("list_conversations", {"limit": 3, "cursor": handle})
        now = time.monotonic()
        monkeypatch.setattr(cursors_module.time, "monotonic", lambda: now + cursors_module.HANDLE_TTL + 1)
        expired = await client.call_tool("list_conversations", {"limit": 3, "cursor": handle})
    refused(unknown)
    refused(elsewhere)
    assert "expired" in refused(expired)
    assert other_arguments.is_error and "other arguments" in text_of(other_arguments)
    assert not still.is_error  # the same handle, before it expired


async def test_a_handle_in_use_outlives_newer_handles_nobody_came_back_with(accounts):
    """The store keeps the handles most recently issued or used (here 3): an agent paging
    through a walk keeps its place while other listings fill the store."""
    srv = server(accounts, handles=True)
    srv.cursors = cursors_module.Cursors.make(None, cursors_module.LocalHandles(size=3))
    async with Client(srv) as client:
        walked = (await client.call_tool("list_conversations", {"limit": 3})).structured_content["next_cursor"]
        abandoned = (await client.call_tool("list_conversations", {"limit": 2})).structured_content["next_cursor"]
        again = await client.call_tool("list_conversations", {"limit": 3, "cursor": walked})
        await client.call_tool("list_conversations", {"limit": 4})  # a fourth handle: one must go
        kept = await client.call_tool("list_conversations", {"limit": 3, "cursor": walked})
        gone = await client.call_tool("list_conversations", {"limit": 2, "cursor": abandoned})
    assert not again.is_error and not kept.is_error
    assert kept.structured_content["conversations"] == again.structured_content["conversations"]
    assert "expired" in refused(gone)


# --------------------------------------------------------------------------- signed cursors


async def test_a_modified_or_forged_signed_cursor_is_refused(accounts):
    async with Client(server(accounts, handles=False)) as client:
        first = await client.call_tool("list_conversations", {"limit": 3})
        cursor = first.structured_content["next_cursor"]
        version, fingerprint, payload = opened(cursor)
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        flipped = []
        for byte in (0, 3, cursors_module.TAG_BYTES, len(blob) // 2, len(blob) - 1):
            spoiled = bytearray(blob)
            spoiled[byte] ^= 0x04
            flipped.append(base64.urlsafe_b64encode(bytes(spoiled)).decode().rstrip("="))
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        one_character = [  # every character changed, one at a time, to the next one of the alphabet
            cursor[:i] + alphabet[(alphabet.index(c) + 1) % 64] + cursor[i + 1 :] for i, c in enumerate(cursor)
        ]
        spliced = [
            cursor + "A",
            cursor[:-1],
            cursor[:10] + "!" + cursor[10:],
            cursor[:10] + "=" + cursor[10:],
            cursor + "==",
        ]
        skipped_ahead = [[token, skip + 50, done, bound] for token, skip, done, bound in payload]
        forged = [
            *flipped,
            *one_character,
            *spliced,
            sealed_with_a_plain_checksum([version, fingerprint, skipped_ahead]),  # the old checksum, recomputed
            sealed_with_a_plain_checksum([version, fingerprint, payload]),  # even the same content
            cursors_module.pack(fingerprint, skipped_ahead, key=KEY_B.encode()),  # signed, with another key
        ]
        answers = [await client.call_tool("list_conversations", {"limit": 3, "cursor": c}) for c in forged]
        genuine = await client.call_tool("list_conversations", {"limit": 3, "cursor": cursor})
    for answer in answers:
        refused(answer)
    assert not genuine.is_error


async def test_the_same_configured_key_continues_a_signed_cursor_and_another_key_does_not(accounts):
    async with Client(server(accounts, handles=False, key=KEY_A)) as a:
        cursor = (await a.call_tool("list_conversations", {"limit": 4})).structured_content["next_cursor"]
        thread = (await long_threads(a))[0]
        thread_cursor = (await a.call_tool("get_thread", {"conversation_id": thread})).structured_content["next_cursor"]
    for key, accepted in ((KEY_A, True), (KEY_B, False), (None, False)):
        async with Client(server(accounts, handles=False, key=key)) as b:
            listing = await b.call_tool("list_conversations", {"limit": 4, "cursor": cursor})
            older = await b.call_tool("get_thread", {"conversation_id": thread, "cursor": thread_cursor})
        for result in (listing, older):
            if accepted:
                assert not result.is_error, text_of(result)
            else:
                refused(result)


def test_the_cursor_key_setting_signs_cursors_that_a_later_call_command_continues():
    """`leadinbox-mcp call` is one process per call: with INBOX_MCP_CURSOR_KEY its cursor continues
    in the next call; without, each process has a key of its own and the next one refuses it."""
    keyed = env_for(None, INBOX_MCP_CURSOR_KEY=KEY_A)
    first = run_cli("call", "--sandbox", "--json", "list_conversations", "limit=3", env=keyed)
    cursor = json.loads(first.stdout)["next_cursor"]
    again = run_cli("call", "--sandbox", "--json", "list_conversations", "limit=3", f"cursor={cursor}", env=keyed)
    unkeyed = run_cli("call", "--sandbox", "list_conversations", "limit=3", f"cursor={cursor}", env=env_for(None))
    short = run_cli("call", "--sandbox", "list_accounts", env=env_for(None, INBOX_MCP_CURSOR_KEY="too-short"))
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert unkeyed.returncode == 1 and RESTART in unkeyed.stdout
    assert short.returncode == 2 and short.stderr.startswith("leadinbox-mcp: INBOX_MCP_CURSOR_KEY: use at least 32")
    assert "too-short" not in short.stderr and KEY_A not in first.stdout + first.stderr + again.stdout + again.stderr


# -------------------------------------------------------------------------------- stdio


async def test_stdio_hands_out_handles_that_only_its_own_process_knows():
    params = StdioServerParameters(command=COMMAND, args=["serve", "--sandbox"], env=env_for(None))
    async with Client(params) as client, Client(params) as other:
        rows, handles = await walk(client, "list_conversations", {"limit": 30})
        foreign = await other.call_tool("list_conversations", {"limit": 30, "cursor": handles[0]})
    assert handles and all(len(h) == cursors_module.HANDLE_CHARS and count_tokens(h) <= MAX_TOKENS for h in handles)
    assert len({r["id"] for r in rows}) == len(rows) > 60
    refused(foreign)


# --------------------------------------------------------------------------------- HTTP


@asynccontextmanager
async def fresh_connections(base: str) -> AsyncIterator[Client]:
    """An MCP client that opens a new connection for every request, so that a request goes to
    whichever worker is accepting at that moment."""
    async with httpx2.AsyncClient(limits=httpx2.Limits(max_keepalive_connections=0), timeout=30) as http:
        async with Client(streamable_http_client(base + "/mcp", http_client=http)) as client:
            yield client


def workers_of(served: HttpServer, count: int) -> list[int]:
    """The pids of the uvicorn worker processes (multiprocessing children of the server)."""
    deadline = time.monotonic() + 30
    while True:
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    command = f.read()
            except OSError:
                continue
            if parent == served.process.pid and b"spawn_main" in command:
                pids.append(int(entry))
        if len(pids) == count:
            return pids
        assert time.monotonic() < deadline, f"expected {count} workers, found {pids}"
        time.sleep(0.2)


def environment_of(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        pairs = [item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item]
    return {k.decode(): v.decode() for k, v in pairs}


@contextmanager
def paused(pid: int) -> Iterator[None]:
    """The worker stopped (SIGSTOP), so that the other one accepts every new connection; for
    less than uvicorn's 5-second health check, which would replace it."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def continue_across_workers(served: HttpServer, workers: list[int]) -> tuple[str, Any, Any]:
    """The first page from worker A (B paused), the next from worker B with A's cursor (A paused)."""
    a, b = workers
    async with fresh_connections(served.base) as client:
        with paused(b):
            first = await client.call_tool("list_conversations", {"limit": 5})
        cursor = first.structured_content["next_cursor"]
        with paused(a):
            second = await client.call_tool("list_conversations", {"limit": 5, "cursor": cursor})
    return cursor, first, second


async def test_one_http_worker_hands_out_handles():
    with serve_http() as served:
        async with fresh_connections(served.base) as client:
            rows, handles = await walk(client, "list_conversations", {"limit": 30})
    assert handles and all(len(h) == cursors_module.HANDLE_CHARS and count_tokens(h) <= MAX_TOKENS for h in handles)
    assert len({r["id"] for r in rows}) == len(rows) > 60


async def test_two_http_workers_without_redis_share_one_generated_key_that_is_never_shown():
    with serve_http("--workers", "2") as served:
        workers = workers_of(served, 2)
        cursor, first, second = await continue_across_workers(served, workers)
        keys = {environment_of(pid).get("INBOX_MCP_CURSOR_KEY") for pid in workers}
    assert not first.is_error and not second.is_error, text_of(second)
    assert count_tokens(cursor) > MAX_TOKENS, "no store is shared: the cursor carries the position itself"
    [key] = keys
    assert key and len(key) >= 32
    assert key not in served.output and key not in cursor
    seen = {r["id"] for r in first.structured_content["conversations"]}
    assert seen.isdisjoint(r["id"] for r in second.structured_content["conversations"])


def flush(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as r:
        r.flushall()


async def test_two_http_workers_with_redis_continue_each_others_handles(redis_url):
    flush(redis_url)
    with serve_http("--workers", "2", REDIS_URL=redis_url) as served:
        workers = workers_of(served, 2)
        handle, first, second = await continue_across_workers(served, workers)
        flush(redis_url)  # the handle's entry gone, as after its TTL
        async with fresh_connections(served.base) as client:
            gone = await client.call_tool("list_conversations", {"limit": 5, "cursor": handle})
    assert not first.is_error and not second.is_error, text_of(second)
    assert len(handle) == cursors_module.HANDLE_CHARS and count_tokens(handle) <= MAX_TOKENS
    seen = {r["id"] for r in first.structured_content["conversations"]}
    assert seen.isdisjoint(r["id"] for r in second.structured_content["conversations"])
    refused(gone)


async def test_replicas_sharing_redis_continue_any_handle_whatever_their_keys(accounts, redis_url):
    """Redis holds the position itself: a replica with another key (another machine) continues
    the handle; a replica without that Redis cannot, and says to start again."""
    flush(redis_url)
    async with Client(server(accounts, handles=True, key=KEY_A, redis_url=redis_url)) as a:
        first = await a.call_tool("list_conversations", {"limit": 5})
    handle = first.structured_content["next_cursor"]
    async with Client(server(accounts, handles=True, key=KEY_B, redis_url=redis_url)) as b:
        second = await b.call_tool("list_conversations", {"limit": 5, "cursor": handle})
    async with Client(server(accounts, handles=True, key=KEY_A)) as alone:
        lost = await alone.call_tool("list_conversations", {"limit": 5, "cursor": handle})
    async with Client(server(accounts, handles=False, key=KEY_A)) as control:
        page_one = await control.call_tool("list_conversations", {"limit": 5})
        page_two = await control.call_tool(
            "list_conversations", {"limit": 5, "cursor": page_one.structured_content["next_cursor"]}
        )
    assert len(handle) == cursors_module.HANDLE_CHARS
    assert (
        not second.is_error
        and second.structured_content["conversations"] == page_two.structured_content["conversations"]
    )
    refused(lost)
