#!/usr/bin/env bash
# mypy over the package inbox_mcp (issue 14), with the [tool.mypy] configuration of pyproject.toml.
# The package folders sit at the top of the repository and install under inbox_mcp through a
# package-dir mapping, whose import hook mypy cannot follow: this links them into a temporary
# inbox_mcp/ and checks that. Error paths are printed relative to the repository.
# Needs the project's venv with mypy in it (.venv/bin/mypy, or MYPY). Extra arguments go to mypy.
# Exits 0 when mypy finds nothing, non-zero otherwise.
# Once the folders move into a real inbox_mcp/ package, this reduces to: mypy -p inbox_mcp.
set -euo pipefail

PACKAGE_DIRS="server tools providers sandbox"   # the folders that install as inbox_mcp.<name>

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$CI_DIR")"
MYPY="${MYPY:-$ROOT/.venv/bin/mypy}"
command -v "$MYPY" >/dev/null || { echo "typecheck.sh: '$MYPY' not found: install mypy in the project's venv or set MYPY" >&2; exit 2; }

FARM="$(mktemp -d "${TMPDIR:-/tmp}/inbox-mcp-typecheck.XXXXXX")"
trap 'rm -rf "$FARM"' EXIT
mkdir "$FARM/inbox_mcp"
touch "$FARM/inbox_mcp/__init__.py"
for dir in $PACKAGE_DIRS; do
  ln -s "$ROOT/$dir" "$FARM/inbox_mcp/$dir"
done

cd "$FARM"
"$MYPY" --config-file "$ROOT/pyproject.toml" --cache-dir "$FARM/.mypy_cache" -p inbox_mcp "$@" | sed 's#^inbox_mcp/##'
