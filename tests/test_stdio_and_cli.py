"""The installed `leadinbox-mcp` command: MCP over stdio as a subprocess, and the CLI commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import KEY, READ_TOOLS, text_of
from mcp import Client, StdioServerParameters
from processes import COMMAND, env_for, run_cli

pytestmark = pytest.mark.anyio


async def test_stdio_server_reads_the_configured_account(sendkit, dataset):
    params = StdioServerParameters(command=COMMAND, args=["serve"], env=env_for(sendkit.url))
    async with Client(params) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        listing = await client.call_tool("list_conversations", {"limit": 5})
        first = listing.structured_content["conversations"][0]["id"]
        thread = await client.call_tool("get_thread", {"conversation_id": first})
        search = await client.call_tool("search_by_domain", {"domain": "acme.com"})
        bad = await client.call_tool("get_thread", {"conversation_id": "nonsense"})
        still = await client.call_tool("list_accounts", {})
    assert tools == READ_TOOLS
    assert not listing.is_error and len(listing.structured_content["conversations"]) == 5
    assert not thread.is_error and thread.structured_content["messages"]
    assert not search.is_error and search.structured_content["conversations"]
    assert bad.is_error and "sendkit:" in text_of(bad)
    assert not still.is_error
    for result in (listing, thread, search, bad, still):
        assert KEY not in text_of(result) and KEY not in json.dumps(result.structured_content or {})


async def test_stdio_server_without_accounts_still_starts():
    params = StdioServerParameters(command=COMMAND, args=["serve"], env=env_for(None))
    async with Client(params) as client:
        result = await client.call_tool("list_conversations", {})
    assert result.is_error and "--sandbox" in text_of(result)


async def test_stdio_sandbox_needs_no_key():
    params = StdioServerParameters(command=COMMAND, args=["serve", "--sandbox"], env=env_for(None))
    async with Client(params) as client:
        result = await client.call_tool("list_conversations", {"limit": 3})
    assert not result.is_error and len(result.structured_content["conversations"]) == 3


def test_stdout_carries_only_json_rpc():
    """Everything the server writes on stdout must be protocol messages, even on the sandbox."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "list_conversations", "arguments": {"limit": 2}},
        },
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "get_thread", "arguments": {"conversation_id": "x"}},
        },
    ]
    with subprocess.Popen(
        [COMMAND, "serve", "--sandbox"],
        env=env_for(None, INBOX_MCP_LOG_LEVEL="DEBUG"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        answers = []
        for message in messages:
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
            if "id" in message:
                answers.append(json.loads(process.stdout.readline()))
        process.stdin.close()
        rest = process.stdout.read()
        stderr = process.stderr.read()
        process.wait(timeout=20)
    assert [a["id"] for a in answers] == [1, 2, 3]
    assert answers[1]["result"]["isError"] is False and answers[2]["result"]["isError"] is True
    assert all(json.loads(line) for line in rest.splitlines() if line.strip())
    assert "sandbox" in stderr  # humans are told on stderr


def test_call_prints_the_tool_text(sendkit):
    done = run_cli("call", "list_conversations", "limit=3", "unread_only=true", env=env_for(sendkit.url))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("- sendkit:") == 3 and "unread" in done.stdout
    as_json = run_cli("call", "list_conversations", "limit=2", "--json", env=env_for(sendkit.url))
    assert len(json.loads(as_json.stdout)["conversations"]) == 2


def test_call_reports_errors_and_bad_usage(sendkit):
    failed = run_cli("call", "get_thread", "conversation_id=sendkit:000000000000000000000000", env=env_for(sendkit.url))
    assert failed.returncode == 1 and "list conversations" in failed.stdout
    unknown_tool = run_cli("call", "send_email", env=env_for(sendkit.url))
    assert unknown_tool.returncode == 2 and "list_conversations" in unknown_tool.stderr
    unknown_key = run_cli("call", "list_conversations", "colour=red", env=env_for(sendkit.url))
    assert unknown_key.returncode == 2 and "limit" in unknown_key.stderr
    for done in (failed, unknown_tool, unknown_key):
        assert "Traceback" not in done.stderr + done.stdout


def test_accounts_checks_credentials(sendkit):
    good = run_cli("accounts", env=env_for(sendkit.url))
    assert good.returncode == 0 and "ok" in good.stdout and "sendkit" in good.stdout
    wrong_key = "sk_wrong_9e8d7c6b5a"
    bad = run_cli("accounts", env=env_for(sendkit.url, key=wrong_key))
    assert bad.returncode == 1 and "FAILED" in bad.stdout and "SENDKIT_API_KEY" in bad.stdout
    assert wrong_key not in bad.stdout + bad.stderr
    nothing = run_cli("accounts", env=env_for(None))
    assert nothing.returncode == 1 and "SENDKIT_API_KEY" in nothing.stdout


def test_bad_configuration_is_one_sentence(sendkit):
    done = run_cli("serve", env=env_for(sendkit.url, SENDKIT_BASE_URL="ftp://nowhere"))
    assert done.returncode == 2 and "SENDKIT_BASE_URL" in done.stderr and "Traceback" not in done.stderr
    budget = run_cli("accounts", env=env_for(sendkit.url, INBOX_MCP_LIST_TOKENS="lots"))
    assert budget.returncode == 2 and "INBOX_MCP_LIST_TOKENS" in budget.stderr


def test_demo_runs_the_scripted_session():
    done = run_cli("demo", env=env_for(None), timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for step in ("=== list_accounts", "=== list_conversations", "=== get_thread", "=== search_by_domain"):
        assert step in out
    assert "- sendkit:" in out and "SendKit thread, " in out and "[isError]" in out


ROOT = Path(__file__).resolve().parents[1]


async def test_claude_desktop_example_starts_as_written(tmp_path):
    """The example's entries run as Claude Desktop would run them: `uvx leadinbox-mcp ...`. Until
    the package is on the index, uv finds this checkout's wheel (UV_FIND_LINKS) and the
    dependencies on the index, as it would for a user."""
    config = json.loads((ROOT / "claude_desktop_config.example.json").read_text())
    servers = config["mcpServers"]
    for entry in servers.values():
        assert entry["command"] == "uvx" and entry["args"][:2] == ["leadinbox-mcp", "serve"]
        for name, value in entry.get("env", {}).items():
            assert "replace" in value, f"{name} holds a placeholder, not a key"
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    uv_env = {
        "UV_FIND_LINKS": str(wheels),
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv")),
    }
    uv_env |= {
        name: os.environ[name] for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "UV_INDEX_URL") if name in os.environ
    }
    for name, entry in servers.items():
        env = (
            env_for(None, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
            | uv_env
            | entry.get("env", {})
        )
        params = StdioServerParameters(command=entry["command"], args=entry["args"], env=env)
        async with Client(params) as client:
            result = await client.call_tool("list_accounts", {})
        assert not result.is_error and result.structured_content["accounts"], name


def test_readme_quick_start_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/pytest"
    assert test_command in readme and test_command in ci
    assert "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/leadinbox-mcp demo" in readme


async def test_sandbox_with_faults_keeps_answering():
    params = StdioServerParameters(
        command=COMMAND, args=["serve", "--sandbox", "--faults", "0.2"], env=env_for(None, INBOX_MCP_CALL_DEADLINE="3")
    )
    async with Client(params) as client:
        results = [await client.call_tool("list_conversations", {"limit": 5}) for _ in range(8)]
    assert sum(not r.is_error for r in results) >= 6
    assert all("\n" not in text_of(r) for r in results if r.is_error)


def test_faults_option_is_checked():
    for args in (
        ["serve", "--faults", "0.1"],
        ["serve", "--sandbox", "--faults", "2"],
        ["serve", "--sandbox", "--faults", "lots"],
    ):
        done = run_cli(*args, env=env_for(None))
        assert (
            done.returncode == 2
            and "Traceback" not in done.stderr
            and ("faults" in done.stderr or "share" in done.stderr)
        )
