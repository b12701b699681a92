#!/usr/bin/env bash
# The MCP Bundle (one-click Claude Desktop install) and the MCP Registry entry (issue 15), each
# checked with the tools of its own ecosystem:
#   1. manifest.json against the MCPB manifest schema: `mcpb validate` (the icon it names included);
#   2. the bundle: packaging/build_bundle.py builds it, `mcpb info` reads it, `mcpb unpack` opens it
#      and `mcpb validate` checks the manifest inside it, with the icon at its path in the bundle;
#   3. server.json against the MCP Registry's published schema (pinned by date and sha256), with
#      jsonschema from PyPI, formats checked;
#   4. the bundle starts: the command Claude Desktop spawns for it (mcp_config with the manifest's
#      defaults, as a user who filled in nothing gets it), run with uv from PyPI in the unpacked
#      bundle, answers initialize, tools/list, prompts/list and list_accounts over stdio with the
#      tools and the prompt the manifest lists. Skipped while pyproject.toml does not define the
#      command the manifest runs (before the rename to leadinbox-mcp).
#
# The registry publishes its schema at static.modelcontextprotocol.io, which CI cannot reach. The
# linter skillsaw (PyPI, MIT) ships a byte-for-byte copy of each released schema, so CI takes the
# pinned one from skillsaw's wheel (downloaded, never installed or run). MCP_SERVER_SCHEMA=/path
# overrides that, a copy cached by an earlier run is reused, and the registry's own URL is the last
# resort. Whatever the source, its sha256 must be the pin; with no copy at all, step 3 fails.
#
# Needs node and npm, and the project's venv (.venv, or PYTHON=/path/to/python with `mcp`
# installed) for the build and the MCP client. The mcpb CLI comes through npx, jsonschema and uv
# into a venv in the cache folder (BUNDLE_CACHE_DIR, default ~/.cache/leadinbox-mcp-ci), reused
# while the pins below are unchanged. Prints one line per check and `bundle: N passed, N failed`.
set -euo pipefail

MCPB_VERSION=2.1.2          # @anthropic-ai/mcpb (CLI `mcpb`: validate, info, unpack)
UV_VERSION=0.13.8           # uv from PyPI: what Claude Desktop runs a "uv" bundle with
JSONSCHEMA_VERSION=4.26.0   # jsonschema[format-nongpl] from PyPI
SCHEMA_VERSION=2025-12-11   # the MCP Registry's server.json schema; server.json's $schema names it
SCHEMA_SHA256=3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0
SCHEMA_URL="https://static.modelcontextprotocol.io/schemas/$SCHEMA_VERSION/server.schema.json"
SKILLSAW_VERSION=0.22.0     # skillsaw from PyPI: its wheel carries the registry's released schemas

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
CACHE="${BUNDLE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/leadinbox-mcp-ci}"
TOOLS="$CACHE/venv-uv$UV_VERSION-jsonschema$JSONSCHEMA_VERSION"
MCPB=(npx --yes "@anthropic-ai/mcpb@$MCPB_VERSION")
started=$SECONDS

[[ -x "$PY" ]] || { echo "bundle.sh: no Python at $PY: create the venv (pip install '.[test]') or set PYTHON" >&2; exit 2; }
command -v npx >/dev/null || { echo "bundle.sh: needs node and npm (npx) on PATH" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/leadinbox-bundle.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

PASSED=0 FAILED=0 SKIPPED=0
row() { # STATUS STEP DETAIL
  printf '  %-4s %-34s %s\n' "$1" "$2" "$3"
  case "$1" in ok) PASSED=$((PASSED + 1)) ;; skip) SKIPPED=$((SKIPPED + 1)) ;; *) FAILED=$((FAILED + 1)) ;; esac
}
# run STEP LOG COMMAND...: the command's output goes to LOG, shown when it fails.
run() {
  local step=$1 log=$2 rc=0; shift 2
  "$@" >"$log" 2>&1 || rc=$?
  ((rc != 0)) || return 0
  row FAIL "$step" "exit $rc; output:"
  sed 's/^/         | /' "$log" | tail -n 40
  return 1
}

tools_venv() { # jsonschema and uv, once per pin set
  [[ -x "$TOOLS/bin/uv" && -f "$TOOLS/.complete" ]] && return 0
  rm -rf "$TOOLS" && mkdir -p "$CACHE"
  "$PY" -m venv "$TOOLS" &&
    "$TOOLS/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION" "jsonschema[format-nongpl]==$JSONSCHEMA_VERSION" &&
    touch "$TOOLS/.complete"
}

echo "bundle.sh: mcpb $MCPB_VERSION, uv $UV_VERSION, jsonschema $JSONSCHEMA_VERSION, registry schema $SCHEMA_VERSION (from skillsaw $SKILLSAW_VERSION)"

# --- 1. manifest.json --------------------------------------------------------------------------
if run "mcpb validate manifest.json" "$WORK/validate.log" "${MCPB[@]}" validate manifest.json; then
  row ok "mcpb validate manifest.json" "$(grep -m1 -i 'passes' "$WORK/validate.log")"
fi

# --- 2. the bundle -----------------------------------------------------------------------------
BUNDLE=""
if run "build the bundle" "$WORK/build.log" "$PY" packaging/build_bundle.py --out-dir "$WORK/dist"; then
  BUNDLE="$(ls "$WORK"/dist/*.mcpb)"
  row ok "build the bundle" "$(basename "$BUNDLE"): $(grep -m1 'bytes' "$WORK/build.log" | sed 's/^[^ ]* *//')"
  grep -h '^warning:' "$WORK/build.log" | sed 's/^/       /' || true
fi
UNPACKED="$WORK/unpacked"
if [[ -n "$BUNDLE" ]]; then
  if run "mcpb info" "$WORK/info.log" "${MCPB[@]}" info "$BUNDLE"; then
    row ok "mcpb info" "$(grep -m1 '^Size' "$WORK/info.log"), $(grep -m1 -io 'not signed' "$WORK/info.log" || echo signed)"
  fi
  if run "mcpb unpack" "$WORK/unpack.log" "${MCPB[@]}" unpack "$BUNDLE" "$UNPACKED"; then
    row ok "mcpb unpack" "$(find "$UNPACKED" -type f | wc -l | tr -d ' ') files"
    if run "mcpb validate (inside the bundle)" "$WORK/validate2.log" "${MCPB[@]}" validate "$UNPACKED/manifest.json"; then
      row ok "mcpb validate (inside the bundle)" "manifest and icon as installed"
    fi
  fi
else
  row skip "mcpb info, unpack, validate" "no bundle"
fi

# --- 3. server.json against the registry's schema ----------------------------------------------
sha256_of() { "$PY" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }
schema_file() { # prints the path of a copy of the pinned schema, or nothing
  local candidate cached="$CACHE/server.schema.$SCHEMA_VERSION.json"
  for candidate in "${MCP_SERVER_SCHEMA:-}" "$cached"; do
    [[ -n "$candidate" && -f "$candidate" ]] || continue
    [[ "$(sha256_of "$candidate")" == "$SCHEMA_SHA256" ]] && { echo "$candidate"; return 0; }
    echo "bundle.sh: $candidate is not the pinned $SCHEMA_VERSION schema (sha256 differs); ignored" >&2
  done
  mkdir -p "$CACHE"
  # skillsaw's wheel from PyPI, read as a zip file; else the registry's URL.
  "$PY" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$WORK/skillsaw" "skillsaw==$SKILLSAW_VERSION" >"$WORK/skillsaw.log" 2>&1 || true
  "$PY" - "$WORK/skillsaw" "${SCHEMA_VERSION//-/_}" "$SCHEMA_URL" "$cached.partial" 2>/dev/null <<'PY' || true
import pathlib, sys, urllib.request, zipfile
wheels, version, url, out = sys.argv[1:]
member = f"skillsaw/schemas/mcp_registry/v{version}/server.schema.json"
for wheel in pathlib.Path(wheels).glob("skillsaw-*.whl"):
    with zipfile.ZipFile(wheel) as z:
        if member in z.namelist():
            pathlib.Path(out).write_bytes(z.read(member))
            sys.exit(0)
with urllib.request.urlopen(url, timeout=10) as response:
    pathlib.Path(out).write_bytes(response.read())
PY
  if [[ -f "$cached.partial" ]]; then
    if [[ "$(sha256_of "$cached.partial")" == "$SCHEMA_SHA256" ]]; then
      mv "$cached.partial" "$cached" && echo "$cached" && return 0
    fi
    echo "bundle.sh: the $SCHEMA_VERSION schema found (skillsaw $SKILLSAW_VERSION or $SCHEMA_URL) is not the pin" >&2
  fi
  rm -f "$cached.partial"
  return 0
}
SCHEMA="$(schema_file)"
if [[ -z "$SCHEMA" ]]; then
  row FAIL "server.json vs registry schema" "no copy of the $SCHEMA_VERSION schema: skillsaw $SKILLSAW_VERSION from PyPI, $SCHEMA_URL, or MCP_SERVER_SCHEMA=/path"
elif run "tools venv (uv, jsonschema)" "$WORK/tools.log" tools_venv; then
  cat >"$WORK/check_server_json.py" <<'PY'
import json, re, sys
import jsonschema

schema, doc = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
problems = [
    f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
    for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc)
]
# What the official registry adds at publish time (official-registry-requirements.md).
if doc.get("$schema") != schema.get("$id"):
    problems.append(f"$schema is {doc.get('$schema')}, the schema checked is {schema.get('$id')}")
for p in doc.get("packages", []):
    if re.search(r"[\^~<>=*\s]|^latest$", str(p.get("version", ""))):
        problems.append(f"package {p.get('identifier')}: version {p.get('version')} must be one exact version")
    if p.get("registryType") == "pypi" and p.get("registryBaseUrl", "https://pypi.org") != "https://pypi.org":
        problems.append("a pypi package must come from https://pypi.org")
if problems:
    print("; ".join(problems))
    sys.exit(1)
print(f"valid ({cls.__name__}, formats checked): {doc['name']} {doc['version']}, "
      f"{len(doc.get('packages', []))} package(s), {sum(len(p.get('environmentVariables', [])) for p in doc.get('packages', []))} variables")
PY
  if out="$("$TOOLS/bin/python" "$WORK/check_server_json.py" "$SCHEMA" server.json 2>&1)"; then
    row ok "server.json vs registry schema" "$out"
  else
    row FAIL "server.json vs registry schema" "$out"
  fi
  name="$("$PY" -c 'import json; print(json.load(open("server.json"))["name"])')"
  grep -q "mcp-name: $name" README.md ||
    echo "       note: README.md has no 'mcp-name: $name' line: the registry checks it on PyPI before it accepts the package"
fi

# --- 4. the bundle starts, as Claude Desktop runs it -------------------------------------------
command_of_bundle() { # the script `uv run` is asked for, if pyproject.toml defines it
  "$PY" - "$UNPACKED" <<'PY'
import json, sys, tomllib
from pathlib import Path
root = Path(sys.argv[1])
args = json.loads((root / "manifest.json").read_text())["server"]["mcp_config"]["args"]
scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"].get("scripts", {})
wanted = [a for a in args if a in scripts]
print(wanted[0] if wanted else "")
PY
}
if [[ ! -f "$UNPACKED/manifest.json" ]]; then
  row skip "bundle starts (uv, stdio)" "no unpacked bundle"
elif [[ -z "$(command_of_bundle)" ]]; then
  row skip "bundle starts (uv, stdio)" "pyproject.toml does not define the command manifest.json runs (until the rename)"
elif run "tools venv (uv, jsonschema)" "$WORK/tools.log" tools_venv &&
  run "resolve mcp_config" "$WORK/config.json" "$PY" packaging/build_bundle.py --config-for "$UNPACKED" &&
  run "resolve mcp_config (a key set)" "$WORK/config-key.json" \
    "$PY" packaging/build_bundle.py --config-for "$UNPACKED" --set sendkit_api_key=sk_bundle_check_not_a_real_key &&
  # Dependencies first, with their own output and time: the first start of an installed bundle.
  run "uv sync (the bundle's dependencies)" "$WORK/sync.log" env UV_PYTHON_DOWNLOADS=never "$TOOLS/bin/uv" sync --directory "$UNPACKED"; then
  cat >"$WORK/smoke.py" <<'PY'
import json, os, sys
import anyio
from mcp import Client, StdioServerParameters

blank, with_key, manifest = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
uv = sys.argv[4]
KEY = "sk_bundle_check_not_a_real_key"

def params(config):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "UV_PYTHON_DOWNLOADS": "never"}
    env |= config.get("env", {})
    leftover = [k for k, v in env.items() if "${" in v]
    assert not leftover, f"unsubstituted placeholders in {leftover}"
    command = uv if config["command"] == "uv" else config["command"]
    return StdioServerParameters(command=command, args=config.get("args", []), env=env)

async def main() -> str:
    with anyio.fail_after(120):
        async with Client(params(blank)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            prompts = {p.name for p in (await client.list_prompts()).prompts}
            none = await client.call_tool("list_accounts", {})
        async with Client(params(with_key)) as client:
            one = await client.call_tool("list_accounts", {})
    want_tools = {t["name"] for t in manifest["tools"]}
    want_prompts = {p["name"] for p in manifest["prompts"]}
    assert tools == want_tools, f"tools/list gives {sorted(tools)}, the manifest lists {sorted(want_tools)}"
    assert prompts == want_prompts, f"prompts/list gives {sorted(prompts)}, the manifest lists {sorted(want_prompts)}"
    assert not none.is_error and none.structured_content["accounts"] == [], f"settings blank: {none.content}"
    names = [a["name"] for a in one.structured_content["accounts"]]
    assert not one.is_error and names == ["sendkit"], f"SendKit key set: accounts {names}"
    assert KEY not in json.dumps(one.structured_content) + str(one.content), "the key appears in the output"
    return f"{len(tools)} tools, {len(prompts)} prompt; settings blank: no account; a SendKit key: account sendkit"

print(anyio.run(main))
PY
  if out="$("$PY" "$WORK/smoke.py" "$WORK/config.json" "$WORK/config-key.json" "$UNPACKED/manifest.json" "$TOOLS/bin/uv" 2>&1)"; then
    row ok "bundle starts (uv, stdio)" "$(tail -n1 <<<"$out")"
  else
    row FAIL "bundle starts (uv, stdio)" "$(tail -n 1 <<<"$out")"
    tail -n 15 <<<"$out" | sed 's/^/         | /'
  fi
fi

echo "bundle.sh: $((SECONDS - started))s"
echo "bundle: $PASSED passed, $FAILED failed, $SKIPPED skipped"
((FAILED == 0))
