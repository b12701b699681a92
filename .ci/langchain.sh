#!/usr/bin/env bash
# LangChain's langchain-mcp-adapters against `leadinbox-mcp serve --sandbox` (issue 15).
# Every release of the adapters needs mcp<2 and our server needs mcp 2.x, so they cannot share the
# project's venv: this makes a venv of its own (a temporary folder, or LANGCHAIN_VENV to keep and
# reuse one) with the pinned adapters, then runs .ci/langchain_check.py, whose MultiServerMCPClient
# starts the project's installed command over stdio, loads the four tools as LangChain tools and
# calls list_conversations and get_thread. It also proves an mcp 1.x client speaks to our server.
# Needs Python 3.11+ and PyPI; the project's venv (.venv/bin/leadinbox-mcp, or INBOX_MCP_BIN).
# (LangChain's own `langchain[mcp]` adapter works with mcp 2.x: tests/test_langchain.py, in the venv.)
set -euo pipefail

ADAPTERS_VERSION=0.3.2        # langchain-mcp-adapters: requires mcp>=1.24,<2 and langchain-core>=1.3.3,<2
LANGCHAIN_CORE_VERSION=1.8.3  # langchain-core (1.8.4 needs langchain-protocol>=0.0.22, not on the index yet)
MCP_VERSION=1.30.0            # mcp: the last 1.x

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$CI_DIR")"
SERVER="${INBOX_MCP_BIN:-$ROOT/.venv/bin/leadinbox-mcp}"
SERVER="$(command -v "$SERVER" || true)"
[[ -n "$SERVER" && -x "$SERVER" ]] || { echo "langchain.sh: '${INBOX_MCP_BIN:-$ROOT/.venv/bin/leadinbox-mcp}' not found: install the project's venv or set INBOX_MCP_BIN" >&2; exit 2; }
SERVER="$(cd "$(dirname "$SERVER")" && pwd)/$(basename "$SERVER")"   # absolute: the client spawns it

PINS="langchain-mcp-adapters==$ADAPTERS_VERSION langchain-core==$LANGCHAIN_CORE_VERSION mcp==$MCP_VERSION"
if [[ -n "${LANGCHAIN_VENV:-}" ]]; then
  VENV="$LANGCHAIN_VENV"
else
  VENV="$(mktemp -d "${TMPDIR:-/tmp}/leadinbox-mcp-langchain.XXXXXX")"
  trap 'rm -rf "$VENV"' EXIT
fi

started=$SECONDS
if [[ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086  # PINS is a list of requirements
  "$VENV/bin/pip" install -q --disable-pip-version-check $PINS
  echo "$PINS" >"$VENV/.pins"
fi
echo "langchain.sh: venv ready in $((SECONDS - started)) s ($VENV)"
"$VENV/bin/python" "$CI_DIR/langchain_check.py" "$SERVER"
