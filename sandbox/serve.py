"""The built-in sandbox: every provider's emulator on loopback, with accounts pointing at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime

from starlette.types import ASGIApp

from inbox_mcp.providers.inboxbase import client as inboxbase
from inbox_mcp.providers.lemlist import client as lemlist
from inbox_mcp.providers.registry import AccountFactory
from inbox_mcp.providers.sendkit import client as sendkit
from inbox_mcp.providers.sendpilot import client as sendpilot
from inbox_mcp.sandbox import inboxbase as inboxbase_emulator
from inbox_mcp.sandbox import lemlist as lemlist_emulator
from inbox_mcp.sandbox import sendkit as sendkit_emulator
from inbox_mcp.sandbox import sendpilot as sendpilot_emulator
from inbox_mcp.sandbox.faults import FaultInjector, FaultProfile
from inbox_mcp.sandbox.loopback import LoopbackServer


@contextmanager
def sandbox(
    faults: FaultProfile | None = None,
    wrap: Callable[[str, ASGIApp], ASGIApp] | None = None,
    now: datetime | None = None,
) -> Iterator[AccountFactory]:
    """Start the emulators; yield a factory of accounts that read them (no real API key).
    `faults` spoils that share of each emulator's answers; `wrap(provider, app)` puts something
    else in front of each one (benchmarks: a recorder, a fixed delay); `now` fixes the data's
    clock (default: the current minute)."""
    with ExitStack() as stack:

        def serve(app: ASGIApp, provider: str) -> str:
            if faults is not None:
                app = FaultInjector(app, faults)
            if wrap is not None:
                app = wrap(provider, app)
            return stack.enter_context(LoopbackServer(app)).url

        factories = [
            sendkit.accounts(
                sendkit.SendKitSettings(
                    api_key=sendkit_emulator.SANDBOX_API_KEY, workspace_id=None, base_url=serve(sendkit_emulator.create_app(now=now), "sendkit")
                )
            ),
            sendpilot.accounts(
                sendpilot.SendPilotSettings(
                    api_key=sendpilot_emulator.SANDBOX_API_KEY, account_id=None, base_url=serve(sendpilot_emulator.create_app(now=now), "sendpilot")
                )
            ),
            lemlist.accounts(
                lemlist.LemlistSettings(
                    api_key=lemlist_emulator.SANDBOX_API_KEY, user_id=None, base_url=serve(lemlist_emulator.create_app(now=now), "lemlist")
                )
            ),
            inboxbase.accounts(
                inboxbase.InboxBaseSettings(
                    api_key=inboxbase_emulator.SANDBOX_API_KEY,
                    identity=",".join(inboxbase_emulator.SANDBOX_IDENTITIES),
                    base_url=serve(inboxbase_emulator.create_app(now=now), "inboxbase"),
                )
            ),
        ]
        yield lambda http: [account for factory in factories for account in factory(http)]
