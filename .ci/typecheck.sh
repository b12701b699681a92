#!/usr/bin/env bash
# mypy over the package leadinbox_mcp (issue 14), with the [tool.mypy] configuration of
# pyproject.toml. Needs the project's venv with mypy in it (.venv/bin/mypy, or MYPY); extra
# arguments go to mypy. Exits 0 when mypy finds nothing, non-zero otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MYPY="${MYPY:-.venv/bin/mypy}"
command -v "$MYPY" >/dev/null || { echo "typecheck.sh: '$MYPY' not found: install mypy in the project's venv or set MYPY" >&2; exit 2; }
"$MYPY" -p leadinbox_mcp "$@"
