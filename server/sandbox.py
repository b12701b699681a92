"""The built-in sandbox: every provider's emulator on loopback, with accounts pointing at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from inbox_mcp.providers.http import HttpClient
from inbox_mcp.providers.loopback import LoopbackServer
from inbox_mcp.providers.provider import Provider
from inbox_mcp.providers.sendkit import emulator as sendkit_emulator
from inbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from inbox_mcp.providers.registry import AccountFactory


@contextmanager
def sandbox() -> Iterator[AccountFactory]:
    """Start the emulators; yield a factory of accounts that read them (no real API key)."""
    with ExitStack() as stack:
        sendkit_url = stack.enter_context(LoopbackServer(sendkit_emulator.create_app())).url

        def accounts(http: HttpClient) -> list[Provider]:
            settings = SendKitSettings(
                api_key=sendkit_emulator.SANDBOX_API_KEY, workspace_id=None, base_url=sendkit_url
            )
            return [SendKitClient("sendkit", settings, http, key_hint="the sandbox key")]

        yield accounts
