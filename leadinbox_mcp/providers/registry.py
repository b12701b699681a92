"""Every provider the server knows, and the accounts configured for them in the environment.

A new provider is a wire + client module (`providers/<name>/`), a sandbox app and its data file
(`sandbox/<name>/`, `sandbox/data/<name>.toml`) and one line in PROVIDERS; nothing in `tools`
changes. The server, the sandbox and the tests all read this list.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

from pydantic import ValidationError

from leadinbox_mcp.providers.errors import ConfigError
from leadinbox_mcp.providers.http import HttpClient
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.providers.writes import WriteLevel

AccountFactory = Callable[[HttpClient], Sequence[Provider]]


@dataclass(frozen=True)
class Spec:
    """One provider: its name is its folder in `providers/` and `sandbox/`, its variables'
    prefix (upper case) and the prefix of its accounts' names. Modules are imported only when
    used: a server pays at start-up only for the providers it reads."""

    name: str
    option: str
    """The one optional field of its accounts (as its settings name it): what a config file's
    account may give beside the common fields."""

    @property
    def env_prefix(self) -> str:
        return self.name.upper() + "_"

    def client(self) -> ModuleType:
        """`providers/<name>/client.py`: its `Settings` and `accounts(settings, name, key_hint)`."""
        return importlib.import_module(f"leadinbox_mcp.providers.{self.name}.client")

    def writes(self) -> ModuleType:
        """`providers/<name>/writes.py`: its `Writes(client)` (see providers/writes.py)."""
        return importlib.import_module(f"leadinbox_mcp.providers.{self.name}.writes")

    def files(self) -> type:
        """`providers/<name>/files.py`'s `Files`, where the provider documents downloads; else `NoFiles`."""
        try:
            return importlib.import_module(f"leadinbox_mcp.providers.{self.name}.files").Files
        except ModuleNotFoundError as missing:
            if missing.name != f"leadinbox_mcp.providers.{self.name}.files":
                raise
            from leadinbox_mcp.providers.files import NoFiles

            return NoFiles

    def sandbox(self) -> ModuleType:
        """`sandbox/<name>/`: `create_app(now=...)`, `settings(base_url)` for an account reading it."""
        return importlib.import_module(f"leadinbox_mcp.sandbox.{self.name}")


PROVIDERS: Sequence[Spec] = (
    Spec("sendkit", option="workspace_id"),
    Spec("sendpilot", option="account_id"),
    Spec("lemlist", option="user_id"),
    Spec("inboxbase", option="identity"),
)


def spec_of(provider: str) -> Spec:
    return next(spec for spec in PROVIDERS if spec.name == provider)


def allowing(level: WriteLevel, factory: AccountFactory) -> AccountFactory:
    """The accounts `factory` builds, each allowed to write up to `level` (see providers/writes.py)."""
    if level == "none":
        return factory

    def build(http: HttpClient) -> Sequence[Provider]:
        accounts = list(factory(http))
        for account in accounts:
            setattr(account, "write_level", level)  # noqa: B010 (the Provider protocol has no such field)
        return accounts

    return build


def accounts_from_env(write: WriteLevel = "none") -> AccountFactory:
    """Read and validate every provider's variables now; build the accounts later, on the
    server's HTTP client. `write` is INBOX_MCP_WRITE: what they may write."""
    factories: list[AccountFactory] = []
    for spec in PROVIDERS:
        if not any(name.upper().startswith(spec.env_prefix) for name in os.environ):
            continue
        try:
            client = spec.client()
            factories.append(client.accounts(client.Settings()))
        except ValidationError as exc:
            first = exc.errors()[0]
            error = first.get("ctx", {}).get("error")
            raise ConfigError(str(error) if error else f"{first['loc'][0]}: {first['msg']}") from None
        except ValueError as exc:  # a loader's own check, e.g. a key without its identity
            raise ConfigError(str(exc)) from None
    return allowing(write, lambda http: [account for factory in factories for account in factory(http)])
