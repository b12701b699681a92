"""Every provider the server knows, and the accounts configured for them in the environment.

A new provider is one sub-package plus one line here; nothing in `tools` changes.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from inbox_mcp.providers.errors import ConfigError
from inbox_mcp.providers.http import HttpClient
from inbox_mcp.providers.provider import Provider

AccountFactory = Callable[[HttpClient], Sequence[Provider]]
PROVIDERS: Sequence[tuple[str, str]] = (
    ("SENDKIT_", "inbox_mcp.providers.sendkit.client"),
    ("SENDPILOT_", "inbox_mcp.providers.sendpilot.client"),
    ("LEMLIST_", "inbox_mcp.providers.lemlist.client"),
    ("INBOXBASE_", "inbox_mcp.providers.inboxbase.client"),
)
"""Each provider's variable prefix and client module. A module is imported only when one of its
variables is set: a server pays at start-up only for the providers it reads."""


def accounts_from_env() -> AccountFactory:
    """Read and validate every provider's variables now; build the accounts later, on the
    server's HTTP client."""
    factories: list[AccountFactory] = []
    for prefix, module in PROVIDERS:
        if not any(name.upper().startswith(prefix) for name in os.environ):
            continue
        try:
            factories.append(importlib.import_module(module).accounts_from_env())
        except ValidationError as exc:
            first = exc.errors()[0]
            error = first.get("ctx", {}).get("error")
            raise ConfigError(str(error) if error else f"{first['loc'][0]}: {first['msg']}") from None
        except ValueError as exc:  # a loader's own check, e.g. a key without its identity
            raise ConfigError(str(exc)) from None
    return lambda http: [account for factory in factories for account in factory(http)]
