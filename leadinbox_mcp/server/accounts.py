"""The accounts the server reads: the environment's (one per provider, see providers/registry.py)
and those of a config file (INBOX_MCP_CONFIG or --config), several per provider if need be.

The file's format, exactly (any other key is an error):

    [accounts.lem-eu]              # the account's name: letters, digits, '.', '-', '_'
    provider = "lemlist"           # sendkit | sendpilot | lemlist | inboxbase
    api_key_env = "LEM_EU_KEY"     # the variable holding the key; or api_key = "..." inline
    base_url = "https://..."       # optional
    write = "none"                 # none (default) | drafts | send
    # optional, by provider: workspace_id (sendkit), account_id (sendpilot), user_id (lemlist),
    # identity (inboxbase, one account per identity)

Every mistake stops the server with one sentence that names the file, the account and the field.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from leadinbox_mcp.providers.errors import ConfigError
from leadinbox_mcp.providers.registry import PROVIDERS, AccountFactory, accounts_from_env, allowing, spec_of
from leadinbox_mcp.providers.settings import Origin
from leadinbox_mcp.providers.writes import WRITE_LEVELS, WriteLevel

log = logging.getLogger(__name__)

NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
COMMON = {"provider", "api_key", "api_key_env", "base_url", "write"}


@dataclass(frozen=True)
class FileAccount:
    name: str
    provider: str
    write: WriteLevel
    accounts: AccountFactory


def configured_accounts(config: str | None, env_write: WriteLevel = "none") -> AccountFactory:
    """Every account: the environment's (allowed to write `env_write`, INBOX_MCP_WRITE), then the
    file's (each its own `write`, when `config` names one). Raises ConfigError with one sentence
    when anything is wrong, or when two accounts share a name."""
    from_env = accounts_from_env(env_write)
    from_file = read_accounts(Path(config)) if config else []
    factories = [from_env, *(entry.accounts for entry in from_file)]
    # Clients are plain objects until they send a request: building them without an HTTP client
    # gives their names now, so that a clash stops the start with its sentence.
    names = [account.account for factory in factories for account in factory(None)]  # type: ignore[arg-type]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ConfigError(
            f"{config}: account name '{twice[0]}' is used twice (an environment account is named after its "
            "provider, e.g. sendkit): rename the file's account."
        )
    return lambda http: [account for factory in factories for account in factory(http)]


def read_accounts(path: Path) -> list[FileAccount]:
    try:
        with path.open("rb") as f:
            document = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (INBOX_MCP_CONFIG or --config names it).") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    extra = sorted(set(document) - {"accounts"})
    if extra:
        raise ConfigError(f"{path}: unknown table or key '{extra[0]}': the file holds only [accounts.<name>] tables.")
    tables = document.get("accounts", {})
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{path}: no account: add an [accounts.<name>] table.")
    readable_by_others = bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    return [_account(path, name, table, readable_by_others) for name, table in tables.items()]


def _account(path: Path, name: str, table: Any, readable_by_others: bool) -> FileAccount:
    where = f"{path}: account '{name}'"
    if not NAME.fullmatch(name):
        raise ConfigError(f"{where}: a name has 1 to 64 letters, digits, '.', '-' or '_'.")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table ([accounts.{name}]).")
    provider = table.get("provider")
    names = [spec.name for spec in PROVIDERS]
    if provider not in names:
        raise ConfigError(f"{where}, field 'provider': must be one of {', '.join(names)}.")
    spec = spec_of(provider)
    allowed = COMMON | {spec.option}
    for field, value in table.items():
        if field not in allowed:
            raise ConfigError(
                f"{where}, field '{field}': unknown for {provider} (allowed: {', '.join(sorted(allowed))})."
            )
        if not isinstance(value, str):
            raise ConfigError(f"{where}, field '{field}': must be a string.")
    if provider == "inboxbase" and not table.get("identity", "").strip():
        raise ConfigError(
            f"{where}, field 'identity': an InboxBase account reads one identity, e.g. alice.acme@inboxbase.ai."
        )
    write = table.get("write", "none")
    if write not in WRITE_LEVELS:
        raise ConfigError(f"{where}, field 'write': must be none, drafts or send.")
    key, hint = _key(where, name, table, path)
    if "api_key" in table and readable_by_others:
        log.warning("%s: holds an API key inline and other users can read it: chmod 600 it, or use api_key_env.", path)
    client = spec.client()
    values = {"api_key": key, **{f: table[f] for f in ("base_url", spec.option) if f in table}}
    settings_class = client.Settings
    # Every field given, so that nothing is read from the environment's variables of that provider.
    fields = {f: values.get(f, info.default) for f, info in settings_class.model_fields.items()}
    try:
        settings = settings_class(**fields)
        origin = Origin(hint, table=f"account '{name}' in {path}")
        return FileAccount(
            name, provider, write, allowing(write, client.accounts(settings, name=name, key_hint=origin))
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0])
        message = str(first.get("ctx", {}).get("error") or first["msg"])
        message = message.replace(f"{spec.env_prefix}{field.upper()}", field)
        raise ConfigError(f"{where}, field '{field}': {message.rstrip('.')}.") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: {str(exc).rstrip('.')}.") from None


def _key(where: str, name: str, table: dict[str, str], path: Path) -> tuple[str, str]:
    """The account's key and how an error sentence names where it comes from."""
    if ("api_key" in table) == ("api_key_env" in table):
        raise ConfigError(f"{where}: give exactly one of api_key_env (the variable holding the key) or api_key.")
    if "api_key" in table:
        key = table["api_key"]
        hint = f"the api_key of account '{name}' in {path}"
    else:
        variable = table["api_key_env"]
        key = os.environ.get(variable, "")
        hint = variable
        if not key.strip():
            raise ConfigError(f"{where}, field 'api_key_env': the variable {variable} is not set or blank.")
    if not key.strip():
        raise ConfigError(f"{where}, field 'api_key': is blank.")
    return key.strip(), hint
