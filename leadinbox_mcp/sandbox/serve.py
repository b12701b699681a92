"""The built-in sandbox: every provider's emulator on loopback, with accounts pointing at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime

from starlette.types import ASGIApp

from leadinbox_mcp.providers.registry import PROVIDERS, AccountFactory
from leadinbox_mcp.sandbox.faults import FaultInjector, FaultProfile
from leadinbox_mcp.sandbox.loopback import LoopbackServer


@contextmanager
def sandbox(
    faults: FaultProfile | None = None,
    wrap: Callable[[str, ASGIApp], ASGIApp] | None = None,
    now: datetime | None = None,
) -> Iterator[AccountFactory]:
    """Start the emulators; yield a factory of accounts that read them (no real API key).
    `faults` spoils that share of each emulator's answers; `wrap(provider, app)` puts something
    else in front of each one (benchmarks: a recorder, a fixed delay); `now` fixes the data's
    clock (default: the start of the current UTC day)."""
    with ExitStack() as stack:

        def serve(app: ASGIApp, provider: str) -> str:
            if faults is not None:
                app = FaultInjector(app, faults)
            if wrap is not None:
                app = wrap(provider, app)
            return stack.enter_context(LoopbackServer(app)).url

        factories = [
            spec.client().accounts(spec.sandbox().settings(serve(spec.sandbox().create_app(now=now), spec.name)))
            for spec in PROVIDERS
        ]
        yield lambda http: [account for factory in factories for account in factory(http)]
