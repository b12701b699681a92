"""The MCP Bundle (manifest.json, packaging/build_bundle.py) and the MCP Registry entry
(server.json) describe the server that really runs: the tools and the prompt it lists, the
variables its settings read, the keys it keeps secret; what Claude Desktop substitutes into the
manifest starts it; and the bundle carries the sources and nothing else.

.ci/bundle.sh checks the same files with the ecosystems' own tools (mcpb CLI, the registry's
schema) and starts the bundle with uv.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import struct
import tomllib
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from helpers import KEY, no_account_server, text_of
from mcp import Client
from pydantic import SecretStr

from leadinbox_mcp.providers.registry import PROVIDERS, accounts_from_env
from leadinbox_mcp.providers.settings import ProviderSettings
from leadinbox_mcp.server.app import build_server

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
MANIFEST: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
SERVER_JSON: dict[str, Any] = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE: dict[str, Any] = SERVER_JSON["packages"][0]
MANIFEST_ENV: dict[str, str] = MANIFEST["server"]["mcp_config"]["env"]
REGISTRY_ENV: dict[str, dict[str, Any]] = {v["name"]: v for v in PACKAGE["environmentVariables"]}

_spec = importlib.util.spec_from_file_location("build_bundle", ROOT / "packaging" / "build_bundle.py")
builder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builder)

until_rename = pytest.mark.skipif(
    PYPROJECT["project"]["name"] != MANIFEST["name"],
    reason=f"pyproject.toml still names the distribution {PYPROJECT['project']['name']}; "
    f"the rename to {MANIFEST['name']} turns this on",
)


def first_sentence(text: str) -> str:
    """A docstring's first sentence, on one line: what the manifest shows of a description."""
    flat = " ".join(text.split())
    return re.match(r"(.+?[.!?])(?=\s+[A-Z`]|$)", flat).group(1)


def settings_variables() -> dict[str, bool]:
    """Every variable a provider's settings read (env_prefix + field), and whether it is a secret
    (a SecretStr field): read from the settings classes, as pydantic-settings reads the environment."""
    found: dict[str, bool] = {}
    for spec in PROVIDERS:
        module = spec.client()
        classes = [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, ProviderSettings)]
        for cls in {c for c in classes if c is not ProviderSettings}:
            prefix = cls.model_config["env_prefix"]
            for name, field in cls.model_fields.items():
                found[(prefix + name).upper()] = "SecretStr" in str(field.annotation) or field.annotation is SecretStr
    return found


def use_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Exactly `env` for the providers' variables, as the process Claude Desktop spawns sees them."""
    for name in list(os.environ):
        if any(name.upper().startswith(spec.env_prefix) for spec in PROVIDERS):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


# ---------------------------------------------------------------------------------------------
# What the manifest says the server offers
# ---------------------------------------------------------------------------------------------


async def test_manifest_lists_each_tool_the_server_lists_with_its_first_sentence():
    async with Client(no_account_server()) as client:
        tools = (await client.list_tools()).tools
    assert {t["name"]: t["description"] for t in MANIFEST["tools"]} == {
        t.name: first_sentence(t.description) for t in tools
    }


async def test_manifest_lists_the_prompt_with_its_arguments():
    async with Client(no_account_server()) as client:
        prompts = (await client.list_prompts()).prompts
    assert [p["name"] for p in MANIFEST["prompts"]] == [p.name for p in prompts]
    for declared, served in zip(MANIFEST["prompts"], prompts, strict=True):
        assert declared["description"] == first_sentence(served.description)
        assert declared["arguments"] == [a.name for a in served.arguments]
        used = set(re.findall(r"\$\{arguments\.(\w+)\}", declared["text"]))
        assert used <= set(declared["arguments"])
        assert {a.name for a in served.arguments if a.required} <= used, "the text uses every required argument"


# ---------------------------------------------------------------------------------------------
# Settings: what Claude Desktop asks for, what it passes, what the server reads
# ---------------------------------------------------------------------------------------------


def test_every_user_setting_is_passed_in_the_environment_and_nowhere_else():
    references = {name: re.findall(r"\$\{user_config\.(\w+)\}", value) for name, value in MANIFEST_ENV.items()}
    assert all(len(keys) == 1 for keys in references.values()), references
    assert sorted(k for keys in references.values() for k in keys) == sorted(MANIFEST["user_config"])
    # In `args` an empty value is not substituted (the MCPB library keeps the placeholder in an
    # array), and a key would show in the process list: settings go through the environment only.
    assert "user_config" not in json.dumps(MANIFEST["server"]["mcp_config"]["args"])


def test_every_variable_is_one_the_server_reads():
    known = settings_variables()
    assert set(MANIFEST_ENV) <= set(known), set(MANIFEST_ENV) - set(known)
    assert set(REGISTRY_ENV) == set(MANIFEST_ENV), "the bundle and the registry entry configure the same variables"
    for spec in PROVIDERS:
        assert f"{spec.env_prefix}API_KEY" in MANIFEST_ENV, f"{spec.name}: its key cannot be entered"


def test_keys_are_secret_in_both_and_nothing_else_is():
    secret = settings_variables()
    for name, value in MANIFEST_ENV.items():
        option = MANIFEST["user_config"][re.search(r"user_config\.(\w+)", value).group(1)]
        assert option.get("sensitive", False) is secret[name], name
        assert option["type"] == "string" and option.get("required", False) is False, name
        assert REGISTRY_ENV[name]["isSecret"] is secret[name], name
        assert REGISTRY_ENV[name]["isRequired"] is False, name
    assert {n for n in MANIFEST_ENV if secret[n]} == {f"{spec.env_prefix}API_KEY" for spec in PROVIDERS}


async def test_settings_left_blank_start_a_server_without_accounts(monkeypatch):
    """A user who fills in nothing: every optional setting resolves to its default (an unset one
    without a default would reach the server as the literal `${user_config.x}`: a bogus key)."""
    config = builder.resolved_config(MANIFEST, "/bundle")
    assert not [v for v in config["env"].values() if "${" in v]
    assert "/bundle" in config["args"]
    use_environment(monkeypatch, config["env"])
    async with Client(build_server(accounts_from_env())) as client:
        result = await client.call_tool("list_accounts", {})
    assert not result.is_error and result.structured_content["accounts"] == []


async def test_keys_entered_in_claude_desktop_reach_their_providers(monkeypatch):
    entered = {key: KEY for key, option in MANIFEST["user_config"].items() if option.get("sensitive")}
    entered["inboxbase_identity"] = "alice.acme@inboxbase.ai"
    config = builder.resolved_config(MANIFEST, "/bundle", entered)
    use_environment(monkeypatch, config["env"])
    async with Client(build_server(accounts_from_env())) as client:
        result = await client.call_tool("list_accounts", {})
    assert sorted(a["name"] for a in result.structured_content["accounts"]) == sorted(s.name for s in PROVIDERS)
    assert KEY not in text_of(result) and KEY not in json.dumps(result.structured_content)


# ---------------------------------------------------------------------------------------------
# The registry entry and the package
# ---------------------------------------------------------------------------------------------


def test_one_version_everywhere():
    version = PYPROJECT["project"]["version"]
    assert MANIFEST["version"] == SERVER_JSON["version"] == PACKAGE["version"] == version


def test_registry_entry_runs_what_the_bundle_runs():
    """`uvx leadinbox-mcp serve` and the bundle's `uv run ... leadinbox-mcp serve`: the same
    command, over stdio."""
    args = MANIFEST["server"]["mcp_config"]["args"]
    assert PACKAGE["registryType"] == "pypi" and PACKAGE["runtimeHint"] == "uvx"
    assert PACKAGE["transport"] == {"type": "stdio"}
    assert args[args.index(PACKAGE["identifier"]) + 1 :] == [a["value"] for a in PACKAGE["packageArguments"]]
    assert SERVER_JSON["name"].endswith("/" + MANIFEST["name"])


@until_rename
def test_names_are_the_distribution_and_its_command():
    project = PYPROJECT["project"]
    assert PACKAGE["identifier"] == MANIFEST["name"] == project["name"]
    assert MANIFEST["name"] in project["scripts"], "the command the bundle runs is installed by the package"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mcp-name: {SERVER_JSON['name']}" in readme, "the registry looks for this line on PyPI"


# ---------------------------------------------------------------------------------------------
# The bundle
# ---------------------------------------------------------------------------------------------


def test_icon_is_the_png_the_manifest_says():
    data = (ROOT / MANIFEST["icon"]).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert [i["size"] for i in MANIFEST["icons"] if i["src"] == MANIFEST["icon"]] == [f"{width}x{height}"]


def _tree_with_litter(root: Path) -> Path:
    """A copy of what the bundle is built from, with what a working tree gathers: caches, tests
    beside the sources, an egg-info."""
    for name in ("pyproject.toml", "README.md", "manifest.json", MANIFEST["icon"]):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, root / name)
    folders = builder.package_folders(PYPROJECT)
    for folder in folders:
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    first = root / folders[0]
    (first / "__pycache__").mkdir()
    (first / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    (first / "tests").mkdir()
    (first / "tests" / "test_inside.py").write_text("")
    (root / "bench").mkdir()
    (root / "bench" / "run.py").write_text("")
    (root / "tests").mkdir()
    (root / "tests" / "test_x.py").write_text("")
    (root / "leadinbox_mcp.egg-info").mkdir()
    (root / "leadinbox_mcp.egg-info" / "PKG-INFO").write_text("")
    return root


def test_bundle_holds_the_manifest_and_the_sources_and_nothing_else(tmp_path):
    tree = _tree_with_litter(tmp_path / "tree")
    path = builder.build(tree, tmp_path / "dist")
    assert path.name == f"{MANIFEST['name']}-{PYPROJECT['project']['version']}.mcpb"
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        inside = json.loads(bundle.read("manifest.json"))
        icon = bundle.read(MANIFEST["icon"])
    sources = {
        p.relative_to(ROOT).as_posix()
        for folder in builder.package_folders(PYPROJECT)
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert sources, "the package folders hold the sources"
    assert any(s.endswith(".toml") for s in sources), "the sandbox's data files are sources too"
    assert names == sources | {"manifest.json", "pyproject.toml", "README.md", MANIFEST["icon"]}
    assert not [
        n for n in names if {"__pycache__", "tests", "bench"} & set(PurePosixPath(n).parts) or n.endswith(".pyc")
    ]
    assert inside == MANIFEST | {"version": PYPROJECT["project"]["version"]}
    assert icon == (ROOT / MANIFEST["icon"]).read_bytes()
    assert MANIFEST["server"]["entry_point"] in names


def test_bundle_is_reproducible(tmp_path):
    first = builder.build(ROOT, tmp_path / "a").read_bytes()
    assert builder.build(ROOT, tmp_path / "b").read_bytes() == first
