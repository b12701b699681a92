"""Build the MCP Bundle (.mcpb) that installs the server into Claude Desktop in one click.

    python packaging/build_bundle.py [--out-dir dist]

writes `<out-dir>/<manifest name>-<version>.mcpb`: a zip of manifest.json (its version stamped
from pyproject.toml), the icon, pyproject.toml, README.md, LICENSE if there is one, and the
source folders of the import package, without caches, tests or benchmarks. The manifest's server
type is "uv": Claude Desktop installs the dependencies that pyproject.toml lists with uv, so the
bundle carries no dependency. The zip is reproducible (sorted entries, fixed times and modes):
the same tree gives the same bytes and the same sha256.

    python packaging/build_bundle.py --config-for DIR [--set key=value ...]

prints, as JSON, the command, arguments and environment that Claude Desktop spawns for a bundle
unpacked in DIR, with the user's settings (`--set`) over the manifest's defaults, as the MCPB
client library substitutes them (`${__dirname}`, `${user_config.key}`). .ci/bundle.sh runs it.

Standard library only. The source folder is the one named after the distribution in
pyproject.toml (leadinbox_mcp/).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED_DIRS = frozenset(
    {"__pycache__", "tests", "test", "bench", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
)
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".egg-info")
EXCLUDED_NAMES = frozenset({".DS_Store", "Thumbs.db"})
TOP_FILES = ("pyproject.toml", "README.md")
LICENSE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)(\..*)?$", re.IGNORECASE)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every entry's time: the earliest a zip can hold, so that a build does not depend on when it ran."""


class BundleError(Exception):
    """What is wrong with the tree, in one sentence."""


def read_pyproject(root: Path) -> dict[str, Any]:
    with open(root / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def package_folders(pyproject: Mapping[str, Any]) -> list[str]:
    """The folder that holds the import package's source: named after the distribution
    (leadinbox-mcp -> leadinbox_mcp/), as setuptools finds it."""
    name = pyproject.get("project", {}).get("name")
    if not name:
        raise BundleError("pyproject.toml names no distribution ([project] name)")
    return [name.replace("-", "_")]


def _excluded(relative: PurePosixPath) -> bool:
    parts = relative.parts
    return (
        any(part in EXCLUDED_DIRS or part.endswith(".egg-info") for part in parts[:-1])
        or parts[-1] in EXCLUDED_NAMES
        or parts[-1].endswith(EXCLUDED_SUFFIXES)
    )


def bundle_files(root: Path, manifest: Mapping[str, Any], pyproject: Mapping[str, Any]) -> dict[str, Path]:
    """Every file of the bundle: its name in the zip (POSIX, relative) and where it is now."""
    files: dict[str, Path] = {}
    for name in TOP_FILES:
        if not (root / name).is_file():
            raise BundleError(f"{name} is missing: uv builds the project from it")
        files[name] = root / name
    for path in root.iterdir():
        if path.is_file() and LICENSE.match(path.name):
            files[path.name] = path
    for folder in package_folders(pyproject):
        base = root / folder
        if not base.is_dir():
            raise BundleError(f"pyproject.toml names the package folder {folder}/, which does not exist")
        for path in sorted(base.rglob("*")):
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if path.is_file() and not _excluded(relative):
                files[str(relative)] = path
    for asset in _assets(manifest):
        if not (root / asset).is_file():
            raise BundleError(f"manifest.json names {asset}, which does not exist")
        files[asset] = root / asset
    entry = manifest.get("server", {}).get("entry_point")
    if entry and entry not in files:
        raise BundleError(f"manifest.json's server.entry_point {entry} is not among the bundled files")
    return files


def _assets(manifest: Mapping[str, Any]) -> list[str]:
    """The icon(s) and screenshots the manifest names, as paths in the bundle."""
    names = [manifest.get("icon")] + [icon.get("src") for icon in manifest.get("icons", [])]
    names += list(manifest.get("screenshots", []))
    return sorted({str(PurePosixPath(n)) for n in names if n and not n.startswith(("http://", "https://"))})


def stamped_manifest(root: Path, pyproject: Mapping[str, Any]) -> dict[str, Any]:
    """manifest.json with pyproject.toml's version: the bundle always says what it ships."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    version = pyproject["project"]["version"]
    if manifest.get("version") != version:
        print(
            f"note: manifest.json says version {manifest.get('version')}, pyproject.toml {version}: "
            f"the bundle says {version}",
            file=sys.stderr,
        )
    manifest["version"] = version
    return manifest


def warnings(manifest: Mapping[str, Any], pyproject: Mapping[str, Any]) -> list[str]:
    """What builds but would not start in Claude Desktop: the command `uv run` is asked for must
    be one of pyproject.toml's [project.scripts]."""
    server = manifest.get("server", {})
    if server.get("type") != "uv":
        return []
    args = server.get("mcp_config", {}).get("args", [])
    command = next((a for a in _after_options(args[1:] if args[:1] == ["run"] else [])), None)
    scripts = pyproject.get("project", {}).get("scripts", {})
    if command and command not in scripts and command not in ("python", "python3"):
        return [
            f"manifest.json runs `{command}`, which pyproject.toml's [project.scripts] does not define "
            f"(it has: {', '.join(sorted(scripts)) or 'none'}): the bundle would not start"
        ]
    return []


def _after_options(args: list[str]) -> Iterable[str]:
    """The arguments of `uv run` after its own options (`--directory X`, `--project X`, flags)."""
    takes_value = {"--directory", "--project", "--python", "-p", "--with", "--env-file", "--group", "--extra"}
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in takes_value:
            skip = True
        elif not arg.startswith("-"):
            yield arg


def build(root: Path = ROOT, out_dir: Path | None = None) -> Path:
    """Write the bundle and return its path."""
    pyproject = read_pyproject(root)
    manifest = stamped_manifest(root, pyproject)
    files = bundle_files(root, manifest, pyproject)
    for warning in warnings(manifest, pyproject):
        print(f"warning: {warning}", file=sys.stderr)
    out_dir = out_dir or root / "dist"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{manifest['name']}-{manifest['version']}.mcpb"
    partial = target.with_suffix(".mcpb.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        _add(bundle, "manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
        for name in sorted(files):
            _add(bundle, name, files[name].read_bytes())
    partial.replace(target)
    return target


def _add(bundle: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data, compresslevel=9)


# ---------------------------------------------------------------------------------------------
# What Claude Desktop runs for an installed bundle
# ---------------------------------------------------------------------------------------------


def resolved_config(
    manifest: Mapping[str, Any], bundle_dir: str, user_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The manifest's mcp_config with its variables substituted as the MCPB client library does
    (@anthropic-ai/mcpb, getMcpConfigForManifest): `${__dirname}` is the bundle's folder, and each
    `${user_config.key}` the user's value, else the manifest's default, booleans as "true" /
    "false". A key with neither is left as it is written: the server would read the placeholder
    itself, which is why every optional setting of ours has a default."""
    variables: dict[str, str] = {"__dirname": bundle_dir}
    values = {k: o["default"] for k, o in manifest.get("user_config", {}).items() if "default" in o}
    values |= dict(user_config or {})
    for key, value in values.items():
        variables[f"user_config.{key}"] = ("true" if value else "false") if isinstance(value, bool) else str(value)

    def substitute(value: Any) -> Any:
        if isinstance(value, str):
            for name, replacement in variables.items():
                value = value.replace("${" + name + "}", replacement)
            return value
        if isinstance(value, list):
            return [substitute(v) for v in value]
        if isinstance(value, dict):
            return {k: substitute(v) for k, v in value.items()}
        return value

    config = dict(manifest["server"]["mcp_config"])
    config.pop("platform_overrides", None)
    return substitute(config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out-dir", type=Path, help="where to write the bundle (default: dist/ at the repository root)"
    )
    parser.add_argument(
        "--config-for", metavar="DIR", help="print the command Claude Desktop runs for the bundle unpacked in DIR"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="with --config-for: a user_config value"
    )
    args = parser.parse_args(argv)
    try:
        if args.config_for:
            manifest = json.loads((Path(args.config_for) / "manifest.json").read_text(encoding="utf-8"))
            settings = dict(item.split("=", 1) for item in args.set)
            print(json.dumps(resolved_config(manifest, str(Path(args.config_for).resolve()), settings), indent=2))
            return 0
        target = build(ROOT, args.out_dir)
    except BundleError as exc:
        print(f"build_bundle: {exc}", file=sys.stderr)
        return 1
    data = target.read_bytes()
    with zipfile.ZipFile(target) as bundle:
        count = len(bundle.namelist())
    try:
        shown = target.relative_to(Path.cwd())
    except ValueError:
        shown = target
    print(
        f"{shown}  {len(data):,} bytes ({len(data) / 1024:.1f} KiB), {count} files, sha256 {hashlib.sha256(data).hexdigest()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
