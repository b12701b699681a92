#!/usr/bin/env bash
# Client compatibility (issue 7): third-party MCP clients from npm against `leadinbox-mcp serve --sandbox`.
#   1. MCP Inspector CLI over stdio and over streamable HTTP: tools/list, tools/call of each of the
#      four tools (and the draft_reply prompt), every answer checked with node; the same over HTTP
#      with INBOX_MCP_TOKEN set (refused without the bearer token, served with it).
#   2. MCP conformance suite, server mode, against the HTTP transport, compared with
#      .ci/conformance-baseline.yml (the scenarios expected to fail, each with its reason).
# Exits non-zero on any unexpected result and prints a summary table. Needs Node 20+ with npm and
# the project's venv (leadinbox-mcp on PATH, or INBOX_MCP_BIN); installs the rest from npm, Node 22
# included, into .ci/npm (gitignored). Versions are pinned here; see .ci/README.md.
set -euo pipefail

INSPECTOR_VERSION=2.12.0     # @modelcontextprotocol/inspector (CLI mode: `mcp-inspector --cli`)
CONFORMANCE_VERSION=0.1.16   # @modelcontextprotocol/conformance (`conformance server --url`)
NODE_VERSION=22.23.3         # npm package `node`: both tools need Node >= 22 (inspector: >=22.19)

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NPM_DIR="${CLIENTS_NPM_DIR:-$CI_DIR/npm}"
BASELINE="${CONFORMANCE_BASELINE:-$CI_DIR/conformance-baseline.yml}"
# Conformance scenarios that apply to this server: they must pass and may not be baselined.
APPLICABLE="server-initialize ping tools-list dns-rebinding-protection prompts-list resources-list completion-complete"

started=$SECONDS
SERVER="$(command -v "${INBOX_MCP_BIN:-leadinbox-mcp}" || true)"
[[ -n "$SERVER" ]] || { echo "clients.sh: '${INBOX_MCP_BIN:-leadinbox-mcp}' not found: put the venv's bin on PATH or set INBOX_MCP_BIN" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "clients.sh: needs node and npm on PATH" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/leadinbox-mcp-clients.XXXXXX")"
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "${CLIENTS_KEEP:-}" ]]; then echo "clients.sh: outputs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# The checks, in node (jq is not assumed). `node check.mjs KIND FILE [ARG...]` prints one detail
# line and exits 0, or prints why and exits 1. FILE is the Inspector's --format json stdout.
cat >"$WORK/check.mjs" <<'JS'
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [kind, file, ...args] = process.argv.slice(2);
const fail = (msg) => { console.log(msg); process.exit(1); };
const load = (f) => { try { return JSON.parse(readFileSync(f, "utf8")); } catch (e) { fail(`unreadable JSON in ${f}: ${e.message}`); } };
const TOOLS = ["list_conversations", "get_thread", "get_attachment", "search_by_domain", "list_accounts"];

function result(f) {
  const doc = load(f);
  if (!doc.result) fail(`no result: ${JSON.stringify(doc).slice(0, 300)}`);
  return doc.result;
}
function textOf(r) {
  const t = (r.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  if (!t) fail("no text content");
  return t;
}
// structuredContent must match the outputSchema the same server published in tools/list.
function validateOutput(r, toolsFile, tool) {
  const npmDir = process.env.NPM_DIR;
  const require = createRequire(join(npmDir, "node_modules", "noop.js"));
  const Ajv2020 = require("ajv/dist/2020.js").default;
  const def = result(toolsFile).tools.find((t) => t.name === tool);
  if (!def || !def.outputSchema) fail(`${tool}: no outputSchema in tools/list`);
  if (!r.structuredContent) fail(`${tool}: no structuredContent`);
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  try { require("ajv-formats").default(ajv); } catch { ajv.opts.validateFormats = false; } // ajv-formats: hoisted from the suite's SDK
  if (!ajv.validate(def.outputSchema, r.structuredContent)) fail(`${tool}: structuredContent does not match its outputSchema: ${ajv.errorsText()}`);
}
function okCall(f, toolsFile, tool) {
  const r = result(f);
  if (r.isError) fail(`${tool}: isError: ${textOf(r).slice(0, 200)}`);
  const text = textOf(r);
  validateOutput(r, toolsFile, tool);
  return { r, text, sc: r.structuredContent };
}
const opt = (k, d) => { const a = args.find((x) => x.startsWith(k + "=")); return a === undefined ? d : a.slice(k.length + 1); };

switch (kind) {
  case "tools-list": {
    const tools = result(file).tools || [];
    const names = tools.map((t) => t.name).sort();
    if (JSON.stringify(names) !== JSON.stringify([...TOOLS].sort())) fail(`tools are ${names.join(",")}, expected ${TOOLS.join(",")}`);
    for (const t of tools) {
      const a = t.annotations || {};
      if (a.readOnlyHint !== true || a.destructiveHint !== false) fail(`${t.name}: annotations not read-only/non-destructive: ${JSON.stringify(a)}`);
      if (!t.description) fail(`${t.name}: no description`);
      if (t.inputSchema?.type !== "object") fail(`${t.name}: inputSchema is not an object schema`);
      if (t.outputSchema?.type !== "object") fail(`${t.name}: no object outputSchema`);
    }
    console.log(`4 tools, read-only annotations, input and output schemas`);
    break;
  }
  case "list_conversations": {
    const { text, sc } = okCall(file, args[0], "list_conversations");
    const limit = Number(opt("limit", 20));
    const rows = sc.conversations || [];
    if (rows.length < 1 || rows.length > limit) fail(`${rows.length} conversations, expected 1..${limit}`);
    if (!rows.every((c) => /^[^:\s]+:\S+$/.test(c.id))) fail(`an id is not 'account:id': ${rows.map((c) => c.id).join(" ")}`);
    if (!new RegExp(`^${rows.length} conversations`).test(text)) fail(`text does not start with '${rows.length} conversations': ${text.slice(0, 80)}`);
    if (!sc.next_cursor || !text.includes(sc.next_cursor)) fail("no next_cursor (the sandbox has more than one page)");
    console.log(`${rows.length} conversations, first ${rows[0].id}, a cursor`);
    break;
  }
  case "first-id": { // print the first conversation id of a list_conversations answer
    const id = result(file).structuredContent?.conversations?.[0]?.id;
    if (!id) fail("no conversation id");
    console.log(id);
    break;
  }
  case "get_thread": {
    const { text, sc } = okCall(file, args[0], "get_thread");
    const id = opt("id");
    if (sc.conversation?.id !== id) fail(`conversation.id is ${sc.conversation?.id}, asked for ${id}`);
    if (!(sc.messages?.length >= 1)) fail("no messages");
    if (!/^\w+ thread, \d+ messages/.test(text)) fail(`text does not start with '<Provider> thread, N messages': ${text.slice(0, 80)}`);
    if (!/\[data[0-9]{6}\] [^]*\[\/data[0-9]{6}\]/.test(text)) fail("message bodies are not fenced as data");
    console.log(`${sc.messages.length} message(s), fenced bodies`);
    break;
  }
  case "search_by_domain": {
    const { sc } = okCall(file, args[0], "search_by_domain");
    const domain = opt("domain");
    const rows = sc.conversations || [];
    if (rows.length < 1) fail(`no conversation at ${domain}`);
    const off = rows.filter((c) => c.correspondent?.email && !new RegExp(`[@.]${domain.replace(/\./g, "\\.")}$`, "i").test(c.correspondent.email));
    if (off.length) fail(`outside ${domain}: ${off.map((c) => c.correspondent.email).join(", ")}`);
    console.log(`${rows.length} conversation(s), all at ${domain} or a subdomain`);
    break;
  }
  case "list_accounts": {
    const { text, sc } = okCall(file, args[0], "list_accounts");
    const n = sc.accounts?.length || 0;
    if (n !== 5 || !text.startsWith("5 account(s)")) fail(`expected the sandbox's 5 accounts, got ${n}: ${text.slice(0, 80)}`);
    const era = opt("era", "legacy");
    if (era === "modern" && !r_meta(file)) fail("modern era: no _meta io.modelcontextprotocol/serverInfo in the result");
    console.log(`5 accounts${era === "modern" ? ", modern-era _meta present" : ""}`);
    break;
  }
  case "tool-error": { // an isError result whose text matches a pattern
    const r = result(file);
    if (r.isError !== true) fail(`expected isError, got: ${JSON.stringify(r).slice(0, 200)}`);
    const text = textOf(r);
    if (!new RegExp(opt("match"), "i").test(text)) fail(`error text does not match /${opt("match")}/: ${text}`);
    console.log(`isError: "${text.slice(0, 60)}${text.length > 60 ? "…" : ""}"`);
    break;
  }
  case "prompts-list": {
    const p = (result(file).prompts || []).find((x) => x.name === "draft_reply");
    if (!p) fail("no draft_reply prompt");
    const arg = (p.arguments || []).find((a) => a.name === "conversation_id");
    if (!arg?.required) fail("draft_reply: conversation_id is not a required argument");
    console.log("draft_reply(conversation_id, goal?)");
    break;
  }
  case "prompts-get": {
    const r = result(file);
    const text = (r.messages || []).map((m) => m.content?.text || "").join("\n");
    if (!text.includes(opt("id"))) fail(`prompt text does not mention ${opt("id")}: ${text.slice(0, 120)}`);
    console.log(`${r.messages.length} message(s) naming the conversation`);
    break;
  }
  case "auth-refused": { // the Inspector's stderr envelope when the server wants a token
    const doc = load(file);
    if (doc.error?.code !== "auth_required") fail(`expected error auth_required, got ${JSON.stringify(doc).slice(0, 200)}`);
    if (!/INBOX_MCP_TOKEN/.test(doc.error.message)) fail(`the server's 401 sentence is lost: ${doc.error.message}`);
    if (args[0] && doc.error.message.includes(args[0])) fail("the token appears in the error");
    console.log("refused (auth_required), the server's sentence names INBOX_MCP_TOKEN");
    break;
  }
  case "conformance": { // FILE = the suite's results directory; args: baseline, suite exit code
    const [baselineFile, suiteRc] = args;
    const require = createRequire(join(process.env.NPM_DIR, "node_modules", "noop.js"));
    const YAML = require("yaml");
    const src = readFileSync(baselineFile, "utf8");
    const expected = (YAML.parse(src) || {}).server || [];
    const reasons = {};
    for (const line of src.split("\n")) {
      const m = line.match(/^\s*-\s*([\w-]+)\s*(?:#\s*(.*))?$/);
      if (m) reasons[m[1]] = (m[2] || "").trim();
    }
    const applicable = process.env.APPLICABLE.split(/\s+/).filter(Boolean);
    const runs = {};
    for (const d of existsSync(file) ? readdirSync(file) : []) {
      const m = d.match(/^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/);
      if (!m || !existsSync(join(file, d, "checks.json"))) continue;
      runs[m[1]] = JSON.parse(readFileSync(join(file, d, "checks.json"), "utf8"));
    }
    const problems = [];
    const rows = [];
    for (const [name, checks] of Object.entries(runs)) {
      const n = (s) => checks.filter((c) => c.status === s).length;
      // The suite's own rule: a FAILURE or a WARNING makes the scenario fail.
      const failed = n("FAILURE") + n("WARNING") > 0;
      const inBaseline = expected.includes(name);
      let verdict;
      if (failed && inBaseline) verdict = "expected fail";
      else if (failed) { verdict = "UNEXPECTED FAIL"; problems.push(`${name} failed and is not in the baseline: ${checks.filter((c) => c.status !== "SUCCESS" && c.status !== "INFO").map((c) => c.errorMessage || c.details?.message).join("; ")}`); }
      else if (inBaseline) { verdict = "STALE (passes)"; problems.push(`${name} passes but is in the baseline: remove it`); }
      else verdict = "pass";
      if (applicable.includes(name) && (failed || n("SUCCESS") === 0)) problems.push(`${name} applies to this server and must pass`);
      const note = applicable.includes(name) ? "applies"
        : inBaseline ? reasons[name] || "(no reason given)"
        : failed ? "not in the baseline"
        : "passes (not listed as applicable)";
      rows.push([name, verdict, `${n("SUCCESS")}/${n("FAILURE")}/${n("WARNING")}`, note]);
    }
    for (const name of applicable) if (!runs[name]) problems.push(`${name} applies to this server but did not run`);
    for (const name of expected) {
      if (applicable.includes(name)) problems.push(`${name} applies to this server: it may not be in the baseline`);
      if (!reasons[name]) problems.push(`baseline entry ${name} has no '# reason'`);
      if (!runs[name]) problems.push(`baseline entry ${name} names no scenario that ran`);
    }
    if (Number(suiteRc) !== 0) problems.push(`the suite itself exited ${suiteRc} with --expected-failures`);
    if (Object.keys(runs).length === 0) problems.push("no scenario results found");
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
    console.error(`  ${"scenario".padEnd(w[0])}  ${"result".padEnd(w[1])}  ${"ok/fail/warn".padEnd(w[2])}  why`);
    for (const r of rows) console.error(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`);
    if (problems.length) fail(problems.join("; "));
    const passed = rows.filter((r) => r[1] === "pass").length;
    console.log(`${rows.length} scenarios: ${applicable.length} applicable pass, ${rows.length - passed} expected failures (baseline), ${passed - applicable.length} other passes`);
    break;
  }
  default:
    fail(`unknown check ${kind}`);
}
function r_meta(f) { return result(f)._meta?.["io.modelcontextprotocol/serverInfo"]?.name === "leadinbox-mcp"; }
JS

# ---------------------------------------------------------------------------------------------
ROWS=()
FAILED=0
row() { ROWS+=("$1|$2|$3|$4"); [[ "$3" == ok ]] || FAILED=$((FAILED + 1)); printf '  %-6s %-5s %-34s %s\n' "$3" "$1" "$2" "$4"; }

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_http() { # NAME PORT [VAR=VALUE...]: the sandbox over streamable HTTP, in its own process group
  local name=$1 port=$2; shift 2
  local launcher=()
  command -v setsid >/dev/null && launcher=(setsid)
  env "$@" "${launcher[@]}" "$SERVER" serve --sandbox --transport http --port "$port" --workers 2 \
    </dev/null >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
wait_healthy() { # NAME PORT
  local deadline=$((SECONDS + 60))
  until node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$2/healthz"; do
    if ((SECONDS > deadline)); then echo "clients.sh: the $1 HTTP server did not come up:" >&2; cat "$WORK/$1.log" >&2; exit 1; fi
    sleep 0.3
  done
}

# Start both HTTP servers first: they come up while npm installs.
PORT="$(free_port)"
TPORT="$(free_port)"
TOKEN="tok_ci_$(node -p 'require("crypto").randomBytes(16).toString("hex")')"
start_http http "$PORT"
start_http http-token "$TPORT" "INBOX_MCP_TOKEN=$TOKEN"

# --- npm: Node 22, the Inspector and the conformance suite, pinned, into $NPM_DIR --------------
PINS="node@$NODE_VERSION @modelcontextprotocol/inspector@$INSPECTOR_VERSION @modelcontextprotocol/conformance@$CONFORMANCE_VERSION"
t0=$SECONDS
if [[ -f "$NPM_DIR/.pins" && "$(cat "$NPM_DIR/.pins")" == "$PINS" && -x "$NPM_DIR/node_modules/.bin/node" ]]; then
  echo "clients.sh: npm packages already in $NPM_DIR"
else
  echo "clients.sh: npm install $PINS"
  rm -rf "$NPM_DIR" && mkdir -p "$NPM_DIR"
  # --loglevel=error: npm itself runs on the system Node (20) and warns EBADENGINE for every
  # package that wants 22; they run on the Node 22 installed here.
  if ! npm install --prefix "$NPM_DIR" --save-exact --no-audit --no-fund --loglevel=error $PINS >"$WORK/npm.log" 2>&1; then
    cat "$WORK/npm.log" >&2; echo "clients.sh: npm install failed" >&2; exit 1
  fi
  echo "$PINS" >"$NPM_DIR/.pins"
fi
export PATH="$NPM_DIR/node_modules/.bin:$PATH" NPM_DIR APPLICABLE
NODE_USED="$(node --version)"
[[ "$NODE_USED" == "v$NODE_VERSION" ]] || { echo "clients.sh: expected node v$NODE_VERSION from $NPM_DIR, got $NODE_USED" >&2; exit 1; }
echo "clients.sh: node $NODE_USED, inspector $(mcp-inspector --cli --version 2>/dev/null | tail -1), conformance $(conformance --version) ($((SECONDS - t0))s)"

# --- MCP Inspector CLI -------------------------------------------------------------------------
RETRIED=""
inspect() { # NAME EXPECTED_EXIT ARGS...: one Inspector CLI run; stdout in NAME.json, stderr in NAME.err
  local name=$1 want=$2 rc=0; shift 2
  RETRIED=""
  HOME="$WORK/home" MCP_INSPECTOR_SECRET_STORE=memory MCP_AUTO_OPEN_ENABLED=false \
    timeout 120 mcp-inspector --cli --format json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err" || rc=$?
  # Seen once in many runs (not reproduced since): `--protocol-era modern` over stdio failing with
  # "Version negotiation probe failed: Connection closed during the version negotiation probe".
  # One retry for that message only, and the row says so.
  if [[ "$rc" != "$want" ]] && grep -q "Version negotiation" "$WORK/$name.err"; then
    RETRIED="retried once; first try: $(tail -n 1 "$WORK/$name.err" | tail -c 300)"
    cp "$WORK/$name.err" "$WORK/$name.err.first"
    rc=0
    HOME="$WORK/home" MCP_INSPECTOR_SECRET_STORE=memory MCP_AUTO_OPEN_ENABLED=false \
      timeout 120 mcp-inspector --cli --format json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err" || rc=$?
  fi
  # stderr: the server's own log (stdio), then the Inspector's {"error": ...} line when it failed
  tail -n 1 "$WORK/$name.err" >"$WORK/$name.envelope"
  if [[ "$rc" != "$want" ]]; then
    LAST="exit $rc, expected $want: $(tail -n 4 "$WORK/$name.err" | tr '\n' ' ' | tail -c 600)"
    return 1
  fi
}
check() { # TRANSPORT STEP KIND FILE ARGS...
  local transport=$1 step=$2 out; shift 2
  if out="$(node "$WORK/check.mjs" "$@" 2>&1)"; then row "$transport" "$step" ok "$out${RETRIED:+ ($RETRIED)}"; else row "$transport" "$step" FAIL "$out"; fi
}
run() { # TRANSPORT STEP NAME EXPECTED_EXIT KIND CHECK_ARGS -- INSPECTOR_ARGS...
  local transport=$1 step=$2 name=$3 want=$4 kind=$5 checkargs=()
  shift 5
  while [[ $# -gt 0 && "$1" != "--" ]]; do checkargs+=("$1"); shift; done
  shift
  if inspect "$name" "$want" "$@"; then
    check "$transport" "$step" "$kind" "$WORK/$name.json" "${checkargs[@]}"
  else
    row "$transport" "$step" FAIL "$LAST"
  fi
}

mkdir -p "$WORK/home"
echo "clients.sh: MCP Inspector CLI $INSPECTOR_VERSION"
printf '  %-6s %-5s %-34s %s\n' result via step detail
inspector_suite() { # LABEL ERA TARGET_ARGS...: tools/list, each tool, errors, the prompt
  local t=$1 era=$2; shift 2
  local target=("$@") p="$t-$era" tl="$WORK/$t-$era-tools.json"
  local e=(--protocol-era "$era")
  run "$t" "tools/list ($era)" "$p-tools" 0 tools-list -- "${e[@]}" --method tools/list "${target[@]}"
  run "$t" "list_conversations limit=5" "$p-lc" 0 list_conversations "$tl" limit=5 -- \
    "${e[@]}" --method tools/call --tool-name list_conversations --tool-arg limit=5 "${target[@]}"
  local id
  id="$(node "$WORK/check.mjs" first-id "$WORK/$p-lc.json" 2>/dev/null)" || id="sendkit:6af2024d1c298cb3a552e6c1"
  run "$t" "get_thread (id from the list)" "$p-gt" 0 get_thread "$tl" "id=$id" -- \
    "${e[@]}" --method tools/call --tool-name get_thread --tool-arg "conversation_id=$id" "${target[@]}"
  run "$t" "get_thread bad id -> isError" "$p-gt-bad" 5 tool-error "match=conversation id looks like" -- \
    "${e[@]}" --method tools/call --tool-name get_thread --tool-arg conversation_id=6af2024d1c298cb3a552e6c1 "${target[@]}"
  run "$t" "search_by_domain acme.com" "$p-sd" 0 search_by_domain "$tl" domain=acme.com -- \
    "${e[@]}" --method tools/call --tool-name search_by_domain --tool-arg domain=acme.com limit=5 "${target[@]}"
  run "$t" "search_by_domain nonsense -> isError" "$p-sd-bad" 5 tool-error "match=domain" -- \
    "${e[@]}" --method tools/call --tool-name search_by_domain --tool-arg "domain=not a domain" "${target[@]}"
  run "$t" "list_accounts" "$p-la" 0 list_accounts "$tl" "era=$era" -- \
    "${e[@]}" --method tools/call --tool-name list_accounts "${target[@]}"
  run "$t" "prompts/list" "$p-pl" 0 prompts-list -- "${e[@]}" --method prompts/list "${target[@]}"
  run "$t" "prompts/get draft_reply" "$p-pg" 0 prompts-get "id=$id" -- \
    "${e[@]}" --method prompts/get --prompt-name draft_reply --prompt-args "conversation_id=$id" "${target[@]}"
}
era_suite() { # LABEL ERA TARGET_ARGS...: the newer protocol era, shortly
  local t=$1 era=$2; shift 2
  local p="$t-$era" tl="$WORK/$t-$era-tools.json"
  run "$t" "tools/list ($era)" "$p-tools" 0 tools-list -- --protocol-era "$era" --method tools/list "$@"
  run "$t" "list_accounts ($era)" "$p-la" 0 list_accounts "$tl" "era=$era" -- \
    --protocol-era "$era" --method tools/call --tool-name list_accounts "$@"
}
t0=$SECONDS
STDIO=(--transport stdio -- "$SERVER" serve --sandbox)
inspector_suite stdio legacy "${STDIO[@]}"
era_suite stdio modern "${STDIO[@]}"
wait_healthy http "$PORT"
HTTP=(--transport http --server-url "http://127.0.0.1:$PORT/mcp")
inspector_suite http legacy "${HTTP[@]}"
era_suite http modern "${HTTP[@]}"
wait_healthy http-token "$TPORT"
THTTP=(--transport http --server-url "http://127.0.0.1:$TPORT/mcp")
if inspect token-none 3 --stored-auth-only --method tools/list "${THTTP[@]}"; then
  check http "token set, no header -> refused" auth-refused "$WORK/token-none.envelope" "$TOKEN"
else
  row http "token set, no header -> refused" FAIL "$LAST"
fi
run http "token set, bearer header: tools/list" token-ok 0 tools-list -- \
  --stored-auth-only --header "Authorization: Bearer $TOKEN" --method tools/list "${THTTP[@]}"
INSPECTOR_TIME=$((SECONDS - t0))

# --- MCP conformance suite, server mode --------------------------------------------------------
echo "clients.sh: MCP conformance $CONFORMANCE_VERSION, server mode, active suite, http://127.0.0.1:$PORT/mcp"
t0=$SECONDS
suite_rc=0
(cd "$WORK" && timeout 300 conformance server --url "http://127.0.0.1:$PORT/mcp" \
  --expected-failures "$BASELINE" -o "$WORK/conformance" >"$WORK/conformance.out" 2>&1) || suite_rc=$?
if out="$(node "$WORK/check.mjs" conformance "$WORK/conformance" "$BASELINE" "$suite_rc" 2>"$WORK/conformance.table")"; then
  cat "$WORK/conformance.table"
  row http "conformance vs baseline" ok "$out"
else
  cat "$WORK/conformance.table"
  echo "--- conformance output ---"; tail -n 60 "$WORK/conformance.out"
  row http "conformance vs baseline" FAIL "$out"
fi
CONFORMANCE_TIME=$((SECONDS - t0))

# --- summary -----------------------------------------------------------------------------------
echo
echo "clients.sh summary (node $NODE_USED; inspector ${INSPECTOR_TIME}s, conformance ${CONFORMANCE_TIME}s, total $((SECONDS - started))s)"
printf '  %-6s %-5s %s\n' result via step
for r in "${ROWS[@]}"; do
  IFS='|' read -r transport step status _ <<<"$r"
  printf '  %-6s %-5s %s\n' "$status" "$transport" "$step"
done
if ((FAILED > 0)); then
  echo "FAILED:"
  for r in "${ROWS[@]}"; do
    IFS='|' read -r transport step status detail <<<"$r"
    [[ "$status" == ok ]] || printf '  %s %s: %s\n' "$transport" "$step" "$detail"
  done
fi
echo "clients: $((${#ROWS[@]} - FAILED)) passed, $FAILED failed"
((FAILED == 0))
