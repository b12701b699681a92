"""The layers import downwards only, and no module imports itself back through others: read from
the source (module-level imports; those under TYPE_CHECKING or inside functions run later)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "leadinbox_mcp/server": "leadinbox_mcp.server",
    "leadinbox_mcp/tools": "leadinbox_mcp.tools",
    "leadinbox_mcp/providers": "leadinbox_mcp.providers",
    "leadinbox_mcp/sandbox": "leadinbox_mcp.sandbox",
}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, prefix in PACKAGES.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            found[".".join((prefix, *parts)).removesuffix(".__init__")] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    deps = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Try)):
            continue
        for n in ast.walk(node):
            if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("leadinbox_mcp"):
                deps |= {f"{n.module}.{a.name}" if f"{n.module}.{a.name}" in known else n.module for a in n.names}
            elif isinstance(n, ast.Import):
                deps |= {a.name for a in n.names if a.name.startswith("leadinbox_mcp")}
    return {d for d in deps if d in known}


def test_no_import_cycle():
    known = _modules()
    graph = {name: _imports(path, known) - {name} for name, path in known.items()}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_layers_import_downwards():
    """providers knows nothing of the layers above it or of the sandbox beside it; the sandbox
    (emulators and the accounts that read them) nothing of tools or server; tools nothing of
    server."""
    known = _modules()
    below = {
        "leadinbox_mcp.providers": ("leadinbox_mcp.tools", "leadinbox_mcp.server", "leadinbox_mcp.sandbox"),
        "leadinbox_mcp.sandbox": ("leadinbox_mcp.tools", "leadinbox_mcp.server"),
        "leadinbox_mcp.tools": ("leadinbox_mcp.server",),
    }
    for name, path in known.items():
        for layer, forbidden in below.items():
            if name.startswith(layer):
                wrong = sorted(d for d in _imports(path, known) if d.startswith(forbidden))
                assert not wrong, f"{name} imports {wrong}"


def test_redis_lives_at_the_server_level():
    """Shared state is the server's business: the lower layers define protocols (Limiter, the
    caches, cursor handles) and only server/shared_state.py speaks to Redis."""
    speaking = sorted(
        str(path.relative_to(ROOT))
        for path in _modules().values()
        if any(
            isinstance(n, (ast.Import, ast.ImportFrom))
            and any((getattr(n, "module", None) or a.name).split(".")[0] == "redis" for a in n.names)
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert speaking == ["leadinbox_mcp/server/shared_state.py"]
