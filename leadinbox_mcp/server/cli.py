"""The `leadinbox-mcp` command: serve, demo, call, accounts.

`serve` owns stdout (the stdio transport). The other commands print their result on stdout and
everything else (logs, progress) on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

import anyio
from mcp import Client
from pydantic import ValidationError

from leadinbox_mcp.providers.errors import ConfigError, ProviderError
from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.registry import AccountFactory, allowing
from leadinbox_mcp.server.accounts import configured_accounts
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.server.settings import ServerSettings
from leadinbox_mcp.tools.shared.inbox import NO_ACCOUNTS

log = logging.getLogger("leadinbox_mcp")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "config", None):  # through the environment, so that HTTP workers read it too
        os.environ["INBOX_MCP_CONFIG"] = args.config
    try:
        settings = ServerSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"leadinbox-mcp: INBOX_MCP_{str(first['loc'][0]).upper()}: {first['msg']}.", file=sys.stderr)
        return 2
    logging.basicConfig(
        stream=sys.stderr, level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx2", "httpcore2", "uvicorn", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if settings.redis_url and args.command in ("serve", "call", "demo"):
            from leadinbox_mcp.server.shared_state import check_redis

            anyio.run(check_redis, settings.redis_url)  # before stdio starts or workers fork
        faults = getattr(args, "faults", None)
        if faults is not None and not args.sandbox:
            print("leadinbox-mcp: --faults only works with --sandbox.", file=sys.stderr)
            return 2
        if args.command == "serve" and args.transport == "http":
            return _serve_http(args, settings)
        with _accounts(getattr(args, "sandbox", False) or args.command == "demo", settings, faults) as accounts:
            return args.run(args, accounts, settings)
    except ConfigError as exc:  # RefusedToStart (HTTP) is one too
        print(f"leadinbox-mcp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BaseException as exc:
        if not _broken_pipe(exc):
            raise
        # The reader went away (`leadinbox-mcp call ... | head`): nothing left to say to it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _broken_pipe(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_broken_pipe(e) for e in exc.exceptions)
    return isinstance(exc, BrokenPipeError)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadinbox-mcp", description="MCP server for the sales inboxes where leads reply."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('leadinbox-mcp')}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="speak MCP over stdio (for Claude Desktop and agent frameworks)")
    serve.add_argument("--sandbox", action="store_true", help="read the built-in demo inboxes instead of real accounts")
    serve.add_argument(
        "--transport", choices=["stdio", "http"], default="stdio", help="stdio (default) or streamable HTTP at /mcp"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="HTTP: address to bind (default 127.0.0.1; others need INBOX_MCP_TOKEN)"
    )
    serve.add_argument("--port", type=int, default=8000, help="HTTP: port (default 8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="HTTP: worker processes (default 1); the server is stateless"
    )
    serve.add_argument(
        "--faults",
        type=_share,
        default=None,
        metavar="RATE",
        help="with --sandbox: this share of provider requests (0 to 1) fail as real APIs do (429, 5xx, slow, hangs, bad bodies)",
    )
    serve.add_argument(
        "--config", metavar="PATH", help="a TOML file of accounts, beside the environment's (INBOX_MCP_CONFIG)"
    )
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="run a short scripted session on the sandbox and print what an agent sees")
    demo.set_defaults(run=_demo)

    call = commands.add_parser(
        "call", help="call one tool and print its text, e.g. call get_thread conversation_id=sendkit:..."
    )
    call.add_argument("tool")
    call.add_argument("arguments", nargs="*", metavar="key=value")
    call.add_argument("--sandbox", action="store_true", help="call against the built-in demo inboxes")
    call.add_argument("--json", action="store_true", help="print the structured content instead of the text")
    call.add_argument(
        "--config", metavar="PATH", help="a TOML file of accounts, beside the environment's (INBOX_MCP_CONFIG)"
    )
    call.set_defaults(run=_call)

    accounts = commands.add_parser("accounts", help="list the configured accounts and check their credentials")
    accounts.add_argument("--sandbox", action="store_true", help="check the built-in demo accounts")
    accounts.add_argument(
        "--config", metavar="PATH", help="a TOML file of accounts, beside the environment's (INBOX_MCP_CONFIG)"
    )
    accounts.set_defaults(run=_check_accounts)
    return parser


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1 (e.g. 0.1)")
    return value


@contextmanager
def _accounts(use_sandbox: bool, settings: ServerSettings, faults: float | None = None) -> Iterator[AccountFactory]:
    if use_sandbox:  # the emulators are imported only for the sandbox
        from leadinbox_mcp.sandbox.faults import FaultProfile
        from leadinbox_mcp.sandbox.serve import sandbox

        profile = FaultProfile.uniform(faults, slow_seconds=2.0, hang_seconds=60.0) if faults else None
        with sandbox(profile) as factory:
            yield allowing(settings.write, factory)
        return
    yield configured_accounts(settings.config, settings.write)


def _serve(args: argparse.Namespace, accounts: AccountFactory, settings: ServerSettings) -> int:
    server = build_server(accounts, **settings.server_options(), cursor_handles=True)  # one process: short handles
    if args.sandbox:
        log.warning("serving the sandbox: demo inboxes, no real account is read")
    anyio.run(server.run_stdio_async)
    return 0


def _serve_http(args: argparse.Namespace, settings: ServerSettings) -> int:
    """Streamable HTTP through uvicorn; every worker builds its server from the environment."""
    import uvicorn  # the HTTP stack is imported only by the process that serves HTTP

    from leadinbox_mcp.server.http import check_binding, environment_for_workers, uvicorn_options

    if args.faults is not None:
        print("leadinbox-mcp: --faults works with the stdio transport only.", file=sys.stderr)
        return 2
    if not args.sandbox:
        configured_accounts(
            settings.config, settings.write
        )  # a malformed variable or file stops here, not in each worker
    check_binding(args.host, settings)
    os.environ.update(environment_for_workers(args.host, args.sandbox, args.workers, settings))
    log.warning(
        "serving MCP at http://%s:%d/mcp with %d worker(s)%s",
        args.host,
        args.port,
        args.workers,
        " (sandbox)" if args.sandbox else "",
    )
    uvicorn.run(
        "leadinbox_mcp.server.http:worker_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        **uvicorn_options(settings),
    )
    return 0


def _call(args: argparse.Namespace, accounts: AccountFactory, settings: ServerSettings) -> int:
    async def go() -> int:
        # Each call is its own process, so no handle would outlive it: signed cursors, which a
        # later call continues when INBOX_MCP_CURSOR_KEY is set.
        async with Client(build_server(accounts, **settings.server_options())) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            if args.tool not in tools:
                print(f"leadinbox-mcp: no tool {args.tool!r}; the tools are: {', '.join(tools)}.", file=sys.stderr)
                return 2
            try:
                arguments = _parse_arguments(args.arguments, tools[args.tool].input_schema)
            except ValueError as exc:
                print(f"leadinbox-mcp: {exc}", file=sys.stderr)
                return 2
            result = await client.call_tool(args.tool, arguments)
            if args.json and not result.is_error:
                print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
            else:
                print("\n".join(block.text for block in result.content if block.type == "text"))
            return 1 if result.is_error else 0

    return anyio.run(go)


def _parse_arguments(pairs: Sequence[str], schema: dict[str, Any]) -> dict[str, Any]:
    """key=value pairs, typed by the tool's input schema (integers, booleans, strings)."""
    properties = schema.get("properties", {})
    arguments: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in properties:
            known = ", ".join(properties) or "none"
            raise ValueError(f"{pair!r} is not key=value with a known key; this tool takes: {known}.")
        types = _types(properties[key])
        if "integer" in types and value.lstrip("-").isdigit():
            arguments[key] = int(value)
        elif "boolean" in types and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            arguments[key] = value.lower() in ("true", "yes", "1")
        else:
            arguments[key] = value
    return arguments


def _types(prop: dict[str, Any]) -> set[str]:
    found = {prop["type"]} if isinstance(prop.get("type"), str) else set()
    for option in prop.get("anyOf", []):
        found |= _types(option)
    return found


def _check_accounts(args: argparse.Namespace, accounts: AccountFactory, settings: ServerSettings) -> int:
    async def go() -> int:
        http = HttpClient(retries=0)
        try:
            configured = list(accounts(http))
            if not configured:
                print(NO_ACCOUNTS)
                return 1
            failed = 0
            for account in configured:
                try:
                    await account.check()
                    print(f"ok      {account.account}: {account.label} accepted the credentials.")
                except ProviderError as exc:
                    failed += 1
                    print(f"FAILED  {exc}")
            return 1 if failed else 0
        finally:
            await http.aclose()

    return anyio.run(go)


def _demo(args: argparse.Namespace, accounts: AccountFactory, settings: ServerSettings) -> int:
    async def go() -> int:
        async with Client(build_server(accounts, **settings.server_options(), cursor_handles=True)) as client:
            steps: list[tuple[str, dict[str, Any]]] = [
                ("list_accounts", {}),
                ("list_conversations", {"limit": 8}),
                ("list_conversations", {"unread_only": True, "limit": 5}),
            ]
            for name, arguments in steps:
                await _show(client, name, arguments)
            listing = await client.call_tool("list_conversations", {"limit": 1, "tag": "interested"})
            first = (listing.structured_content or {}).get("conversations") or [{}]
            if first[0].get("id"):
                await _show(client, "get_thread", {"conversation_id": first[0]["id"]})
            await _show(client, "search_by_domain", {"domain": "acme.com", "limit": 10})
            await _show(client, "get_thread", {"conversation_id": "sendkit:no-such-conversation"})
        return 0

    return anyio.run(go)


async def _show(client: Client, name: str, arguments: dict[str, Any]) -> None:
    shown = " ".join(f"{k}={json.dumps(v)}" for k, v in arguments.items())
    print(f"\n=== {name} {shown}".rstrip())
    result = await client.call_tool(name, arguments)
    marker = "[isError] " if result.is_error else ""
    print(marker + "\n".join(block.text for block in result.content if block.type == "text"))
