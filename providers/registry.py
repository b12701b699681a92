"""Every provider the server knows, and the accounts configured for them in the environment.

A new provider is one sub-package plus one line here; nothing in `tools` changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError

from inbox_mcp.providers.http import HttpClient
from inbox_mcp.providers.inboxbase import client as inboxbase
from inbox_mcp.providers.lemlist import client as lemlist
from inbox_mcp.providers.provider import Provider
from inbox_mcp.providers.sendkit import client as sendkit
from inbox_mcp.providers.sendpilot import client as sendpilot

AccountFactory = Callable[[HttpClient], Sequence[Provider]]
ENV_LOADERS: Sequence[Callable[[], AccountFactory]] = (
    sendkit.accounts_from_env,
    sendpilot.accounts_from_env,
    lemlist.accounts_from_env,
    inboxbase.accounts_from_env,
)


class ConfigError(Exception):
    """The environment configures an account wrongly; the message names the variable."""


def accounts_from_env() -> AccountFactory:
    """Read and validate every provider's variables now; build the accounts later, on the
    server's HTTP client."""
    factories: list[AccountFactory] = []
    for load in ENV_LOADERS:
        try:
            factories.append(load())
        except ValidationError as exc:
            first = exc.errors()[0]
            error = first.get("ctx", {}).get("error")
            raise ConfigError(str(error) if error else f"{first['loc'][0]}: {first['msg']}") from None
        except ValueError as exc:  # a loader's own check, e.g. a key without its identity
            raise ConfigError(str(exc)) from None
    return lambda http: [account for factory in factories for account in factory(http)]
