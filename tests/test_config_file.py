"""Accounts from a config file (INBOX_MCP_CONFIG or --config): several per provider beside the
environment's, each id carrying its account's name, every mistake one sentence naming the file,
the account and the field, and no key from the file in any output."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from helpers import FAST, text_of, walk
from mcp import Client
from processes import env_for, run_cli

from leadinbox_mcp.providers.errors import ConfigError
from leadinbox_mcp.sandbox import lemlist, sendkit
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.accounts import configured_accounts
from leadinbox_mcp.server.app import build_server

pytestmark = pytest.mark.anyio
EU_KEY = "sk_eu_workspace_7d3f19c2a8b6e4d0"
US_KEY = "sk_us_workspace_2b8e6c4a1f9d7e35"
LEM_KEY = "lemlist_team_eu_5c1e9a7b3d"


@pytest.fixture(scope="module")
def upstreams():
    """Two SendKit workspaces and one lemlist team, each its own emulator on loopback."""
    apps = {
        "eu": sendkit.create_app(api_key=EU_KEY),
        "us": sendkit.create_app(api_key=US_KEY),
        "lem": lemlist.create_app(api_key=LEM_KEY),
    }
    servers = {name: LoopbackServer(app).start() for name, app in apps.items()}
    yield {name: (apps[name], servers[name].url) for name in apps}
    for server in servers.values():
        server.stop()


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def three_accounts(tmp_path: Path, upstreams) -> Path:
    return write(
        tmp_path,
        f"""
[accounts.sk-eu]
provider = "sendkit"
api_key_env = "SK_EU_KEY"
base_url = "{upstreams["eu"][1]}"

[accounts.sk-us]
provider = "sendkit"
api_key = "{US_KEY}"
base_url = "{upstreams["us"][1]}"

[accounts.lem-eu]
provider = "lemlist"
api_key_env = "LEM_EU_KEY"
base_url = "{upstreams["lem"][1]}"
write = "none"
""",
    )


async def test_two_workspaces_of_one_provider_and_a_lemlist_team_merge_and_keep_their_ids(
    tmp_path, upstreams, monkeypatch
):
    monkeypatch.setenv("SK_EU_KEY", EU_KEY)
    monkeypatch.setenv("LEM_EU_KEY", LEM_KEY)
    for name in [n for n in os.environ if n.startswith(("SENDKIT_", "SENDPILOT_", "LEMLIST_", "INBOXBASE_"))]:
        monkeypatch.delenv(name)
    server = build_server(configured_accounts(str(three_accounts(tmp_path, upstreams))), requests_per_second=FAST)
    async with Client(server) as client:
        accounts = await client.call_tool("list_accounts", {})
        rows, _ = await walk(client, "list_conversations", {"limit": 50})
        eu_row = next(r for r in rows if r["account"] == "sk-eu")
        before = {name: len(app.state.requests) for name, (app, _) in upstreams.items()}
        thread = await client.call_tool("get_thread", {"conversation_id": eu_row["id"]})
    assert [a["name"] for a in accounts.structured_content["accounts"]] == ["sk-eu", "sk-us", "lem-eu"]
    assert {r["account"] for r in rows} == {"sk-eu", "sk-us", "lem-eu"}
    assert all(r["id"].startswith(r["account"] + ":") for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)  # the same SendKit data twice, told apart by account
    assert not thread.is_error, text_of(thread)
    after = {name: len(app.state.requests) for name, (app, _) in upstreams.items()}
    assert after["eu"] > before["eu"] and after["us"] == before["us"] and after["lem"] == before["lem"]


def test_the_environment_and_the_file_add_up_and_names_must_differ(tmp_path, upstreams, monkeypatch):
    monkeypatch.setenv("SENDKIT_API_KEY", EU_KEY)
    path = write(tmp_path, f'[accounts.sendkit]\nprovider = "sendkit"\napi_key = "{US_KEY}"\n')
    with pytest.raises(ConfigError) as caught:
        configured_accounts(str(path))
    assert str(caught.value) == (
        f"{path}: account name 'sendkit' is used twice (an environment account is named after its provider, "
        "e.g. sendkit): rename the file's account."
    )


# Each mistake in a config file, and the sentence that names it.
MISTAKES = [
    (
        '[accounts.a]\nprovider = "sendgrid"\napi_key = "k"\n',
        "account 'a', field 'provider': must be one of sendkit, sendpilot, lemlist, inboxbase.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key = "k"\nworkspace_id = "w"\n',
        "account 'a', field 'workspace_id': unknown for lemlist (allowed: api_key, api_key_env, base_url, provider, user_id, write).",
    ),
    (
        '[accounts."a b"]\nprovider = "lemlist"\napi_key = "k"\n',
        "account 'a b': a name has 1 to 64 letters, digits, '.', '-' or '_'.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\n',
        "account 'a': give exactly one of api_key_env (the variable holding the key) or api_key.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key = "k"\napi_key_env = "K"\n',
        "account 'a': give exactly one of api_key_env (the variable holding the key) or api_key.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key_env = "NOT_SET_ANYWHERE_42"\n',
        "account 'a', field 'api_key_env': the variable NOT_SET_ANYWHERE_42 is not set or blank.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key = "k"\nbase_url = "ftp://x"\n',
        "account 'a', field 'base_url': base_url must start with http:// or https://.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key = "k"\nuser_id = "no such"\n',
        "account 'a', field 'user_id': user_id must be a lemlist user id such as usr_t2KCwPen66NrrqGtQ.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key = "k"\nwrite = "all"\n',
        "account 'a', field 'write': must be none, drafts or send.",
    ),
    ('[accounts.a]\nprovider = "lemlist"\napi_key = 42\n', "account 'a', field 'api_key': must be a string."),
    (
        '[accounts.a]\nprovider = "sendkit"\napi_key = "k"\nworkspace_id = "ws_1\\n2"\n',
        "account 'a', field 'workspace_id': workspace_id holds a character an HTTP header cannot carry (a workspace "
        "id is letters, digits and punctuation): copy the workspace id again.",
    ),
    (
        '[accounts.a]\nprovider = "lemlist"\napi_key = "lemlist_cl\u00e9_7d3f"\n',
        "account 'a', field 'api_key': api_key holds a character an HTTP header cannot carry (a key is letters, "
        "digits and punctuation): copy the key again.",
    ),
    (
        '[accounts.a]\nprovider = "inboxbase"\napi_key = "k"\nidentity = "a@inboxbase.ai,b@inboxbase.ai"\n',
        "account 'a': a named InboxBase account reads one identity: give each identity an account of its own.",
    ),
    (
        '[accounts.a]\nprovider = "inboxbase"\napi_key = "k"\n',
        "account 'a', field 'identity': an InboxBase account reads one identity, e.g. alice.acme@inboxbase.ai.",
    ),
    ("[server]\nport = 1\n", "unknown table or key 'server': the file holds only [accounts.<name>] tables."),
    ("[accounts.a\n", "not valid TOML"),
    ("", "no account: add an [accounts.<name>] table."),
]


@pytest.mark.parametrize(("toml", "sentence"), MISTAKES)
def test_each_mistake_is_one_sentence_naming_the_file(tmp_path, toml, sentence):
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        configured_accounts(str(path))
    assert str(caught.value).startswith(f"{path}: ") and sentence in str(caught.value)


@pytest.mark.parametrize(("toml", "sentence"), MISTAKES)
@pytest.mark.slow  # runs the command as a subprocess
def test_each_mistake_stops_the_start_with_one_sentence(tmp_path, toml, sentence):
    path = write(tmp_path, toml)
    done = run_cli("accounts", "--config", str(path), env=env_for(None))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"leadinbox-mcp: {path}: ") and sentence in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.slow  # runs the command as a subprocess
def test_a_key_an_http_header_cannot_carry_stops_the_start_without_showing_it():
    """From the environment too: one sentence naming the variable, and not the key."""
    done = run_cli("serve", env=env_for(None, SENDKIT_API_KEY="sk_live_\u00a07d3f19c2a8b6"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == (
        "leadinbox-mcp: SENDKIT_API_KEY holds a character an HTTP header cannot carry (a key is letters, digits "
        "and punctuation): copy the key again\n"
    )


@pytest.mark.parametrize(
    ("provider", "suffix"),
    [("sendkit", "/v1"), ("sendkit", "/v1/"), ("sendkit", "/\n"), ("lemlist", "/api"), ("lemlist", " /api/ ")],
)
async def test_a_base_url_given_with_the_apis_own_path_or_white_space_reads_the_same(
    upstreams, monkeypatch, provider, suffix
):
    """API pages often write the base with its version (https://api.sendkit.ai/v1): every address
    was doubled (/v1/v1/inbox) and answered 404; one pasted with a newline was an invalid address."""
    upstream, key = ("eu", EU_KEY) if provider == "sendkit" else ("lem", LEM_KEY)
    prefix = provider.upper()
    monkeypatch.setenv(f"{prefix}_API_KEY", key)
    monkeypatch.setenv(f"{prefix}_BASE_URL", upstreams[upstream][1] + suffix)
    async with Client(build_server(configured_accounts(None), requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {"limit": 3})
    assert not result.is_error, text_of(result)
    assert len(result.structured_content["conversations"]) == 3


LABELS = {"sendkit": "SendKit", "sendpilot": "SendPilot", "lemlist": "lemlist", "inboxbase": "InboxBase"}


@pytest.mark.parametrize("from_file", [False, True], ids=["environment", "config file"])
@pytest.mark.parametrize("provider", list(LABELS))
async def test_a_base_url_that_answers_404_is_named_where_it_was_set(tmp_path, monkeypatch, provider, from_file):
    """A base URL that points at another path of its host: SendKit and lemlist listings said only
    "found nothing at that address", and a config file's SendPilot account was told to check
    <its key variable's prefix>BASE_URL, a variable that does not exist. The sentence names the
    setting where this account has it: the variable, or the file's account and field."""
    sandbox = importlib.import_module(f"leadinbox_mcp.sandbox.{provider}")
    label, prefix = LABELS[provider], provider.upper() + "_"
    identity = {"identity": "alice.acme@inboxbase.ai"} if provider == "inboxbase" else {}
    with LoopbackServer(sandbox.create_app()) as upstream:
        base = upstream.url + "/not-the-api"
        if from_file:
            fields = "".join(f'{field} = "{value}"\n' for field, value in identity.items())
            path = write(
                tmp_path,
                f'[accounts.one]\nprovider = "{provider}"\napi_key_env = "ONE_KEY"\nbase_url = "{base}"\n{fields}',
            )
            monkeypatch.setenv("ONE_KEY", sandbox.SANDBOX_API_KEY)
            name, key, base_url = "one", "ONE_KEY", f"the base_url of account 'one' in {path}"
            identity_hint = f"the identity of account 'one' in {path}"
            accounts = configured_accounts(str(path))
        else:
            monkeypatch.setenv(prefix + "API_KEY", sandbox.SANDBOX_API_KEY)
            monkeypatch.setenv(prefix + "BASE_URL", base)
            for field, value in identity.items():
                monkeypatch.setenv(prefix + field.upper(), value)
            name = provider
            key, base_url, identity_hint = prefix + "API_KEY", prefix + "BASE_URL", prefix + "IDENTITY"
            accounts = configured_accounts(None)
        async with Client(build_server(accounts, requests_per_second=FAST)) as client:
            result = await client.call_tool("list_conversations", {"limit": 3})
    said = text_of(result)
    if provider == "inboxbase":
        expected = (
            f"{name}: InboxBase has no identity 'alice.acme@inboxbase.ai' in the organisation of this API key "
            f"(HTTP 404); check {identity_hint}, that {key} belongs to the same organisation, and {base_url}."
        )
    else:
        expected = f"{name}: {label} has no inbox at this address (HTTP 404); check {base_url}."
    assert result.is_error and said == expected, said


async def test_a_config_files_sender_account_refused_is_named_as_the_file_names_it(tmp_path, monkeypatch):
    """A config file's SendPilot account whose account_id is of another workspace was told to
    check SENDPILOT_ACCOUNT_ID, which it does not read."""
    from leadinbox_mcp.sandbox import sendpilot

    monkeypatch.setenv("ONE_KEY", sendpilot.SANDBOX_API_KEY)
    with LoopbackServer(sendpilot.create_app()) as upstream:
        path = write(
            tmp_path,
            f'[accounts.one]\nprovider = "sendpilot"\napi_key_env = "ONE_KEY"\nbase_url = "{upstream.url}"\n'
            'account_id = "sender_elsewhere"\n',
        )
        async with Client(build_server(configured_accounts(str(path)), requests_per_second=FAST)) as client:
            result = await client.call_tool("list_conversations", {"limit": 3})
    said = text_of(result)
    assert result.is_error and "HTTP 403" in said, said
    assert f"check ONE_KEY and the account_id of account 'one' in {path} (sender account 'sender_elsewhere'" in said


def test_an_inboxbase_key_without_an_identity_stops_the_start_naming_both_variables(monkeypatch):
    monkeypatch.setenv("INBOXBASE_API_KEY", "ib_live_7d3f19c2a8b6e4d0")
    monkeypatch.delenv("INBOXBASE_IDENTITY", raising=False)
    with pytest.raises(ConfigError) as refused:
        configured_accounts(None)
    assert str(refused.value) == (
        "INBOXBASE_API_KEY is set but INBOXBASE_IDENTITY is not: set INBOXBASE_IDENTITY to the identity handle(s) "
        "to read, comma-separated (e.g. alice.acme@inboxbase.ai)."
    )


async def test_a_key_pasted_with_white_space_around_it_is_read_without_it(upstreams, monkeypatch):
    """A key with a newline or spaces around it failed every request ("could not be reached")."""
    monkeypatch.setenv("SENDKIT_API_KEY", f"  {EU_KEY}\n")
    monkeypatch.setenv("SENDKIT_BASE_URL", upstreams["eu"][1])
    async with Client(build_server(configured_accounts(None), requests_per_second=FAST)) as client:
        result = await client.call_tool("list_conversations", {"limit": 3})
    assert not result.is_error, text_of(result)
    assert len(result.structured_content["conversations"]) == 3


@pytest.mark.slow  # runs the command as a subprocess
def test_a_missing_file_says_so_through_the_variable_too(tmp_path):
    done = run_cli("serve", env=env_for(None, INBOX_MCP_CONFIG=str(tmp_path / "nope.toml")))
    assert done.returncode == 2
    assert (
        done.stderr
        == f"leadinbox-mcp: {tmp_path / 'nope.toml'}: no such file (INBOX_MCP_CONFIG or --config names it).\n"
    )


@pytest.mark.slow  # runs the command as a subprocess
def test_accounts_checks_each_account_and_no_key_of_the_file_is_ever_shown(tmp_path, upstreams):
    path = three_accounts(tmp_path, upstreams)
    path.write_text(path.read_text().replace(US_KEY, US_KEY[:-4] + "0000"))  # sk-us: a revoked key
    path.chmod(0o644)  # an inline key that other users can read
    done = run_cli("accounts", "--config", str(path), env=env_for(None, SK_EU_KEY=EU_KEY, LEM_EU_KEY=LEM_KEY))
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "sk-eu: SendKit accepted the credentials." in out and "lem-eu: lemlist accepted the credentials." in out
    assert "sk-us: SendKit rejected the credentials" in out and f"the api_key of account 'sk-us' in {path}" in out
    assert "holds an API key inline and other users can read it: chmod 600 it, or use api_key_env." in done.stderr
    for key in (EU_KEY, US_KEY, US_KEY[:-4] + "0000", LEM_KEY):
        assert key not in out and key[:12] not in out
