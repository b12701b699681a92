"""What every provider's environment variables have in common: a key and the API's address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProviderSettings(BaseSettings):
    """Subclasses set `env_prefix` (SENDKIT_, ...) and the default `base_url`."""

    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)  # no key in an error's text

    api_key: SecretStr | None = None
    base_url: str

    @field_validator("api_key")
    @classmethod
    def _sendable_key(cls, value: SecretStr | None) -> SecretStr | None:
        """The key without white space around it (pasted with a newline or a space, it failed
        every request as "could not be reached"); a key holding any other character that an
        HTTP header cannot carry stops the start, with a sentence that does not show it."""
        if value is None:
            return None
        return SecretStr(cls.header_value(value.get_secret_value(), "API_KEY", "a key"))

    @classmethod
    def header_value(cls, value: str, field: str, what: str) -> str:
        """`value` of the variable `field` (without the prefix), sent in a header: stripped of
        white space around it, or refused (`what` it is, e.g. "a key") without showing it."""
        value = value.strip()
        if value and not _HEADER_TEXT.fullmatch(value):
            raise ValueError(
                f"{cls.model_config.get('env_prefix', '')}{field} holds a character an HTTP header cannot carry "
                f"({what} is letters, digits and punctuation): copy the {what.removeprefix('a ')} again"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()  # pasted with a newline, it made every address invalid
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{cls.model_config.get('env_prefix', '')}BASE_URL must start with http:// or https://")
        return value

    def has_key(self) -> bool:
        """A key that is set and not blank: the account exists."""
        return self.api_key is not None and bool(self.api_key.get_secret_value().strip())


_HEADER_TEXT = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
"""Visible ASCII, with spaces inside: what an HTTP header value can carry as it is."""


@dataclass(frozen=True)
class Origin:
    """Where an account's settings come from, as an error sentence names them: its provider's
    environment variables (SENDKIT_API_KEY, SENDKIT_BASE_URL), or its table in a config file."""

    key: str
    """Where its key comes from: a variable, or a config file's field ("the api_key of account ...")."""
    prefix: str = ""
    """The environment's accounts: their provider's prefix (SENDKIT_)."""
    table: str = ""
    """A config file's accounts: "account 'lem-eu' in /path/accounts.toml"."""

    @classmethod
    def named(cls, hint: str | Origin, settings: ProviderSettings) -> Origin:
        """`hint` as an Origin: one already, or what names the key of an account of the
        environment's variables (with the prefix of `settings`)."""
        return hint if isinstance(hint, Origin) else cls(hint, prefix=settings.model_config.get("env_prefix", ""))

    def of(self, field: str) -> str:
        """How a sentence names one of the account's settings (`base_url`, `account_id`, ...)."""
        return f"the {field} of {self.table}" if self.table else f"{self.prefix}{field.upper()}"
