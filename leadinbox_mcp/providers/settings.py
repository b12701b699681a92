"""What every provider's environment variables have in common: a key and the API's address."""

from __future__ import annotations

import re

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProviderSettings(BaseSettings):
    """Subclasses set `env_prefix` (SENDKIT_, ...) and the default `base_url`."""

    model_config = SettingsConfigDict(extra="ignore")

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
        key = value.get_secret_value().strip()
        if key and not _HEADER_TEXT.fullmatch(key):
            raise ValueError(
                f"{cls.model_config.get('env_prefix', '')}API_KEY holds a character an HTTP header cannot carry "
                "(a key is letters, digits and punctuation): copy the key again"
            )
        return SecretStr(key)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{cls.model_config.get('env_prefix', '')}BASE_URL must start with http:// or https://")
        return value

    def has_key(self) -> bool:
        """A key that is set and not blank: the account exists."""
        return self.api_key is not None and bool(self.api_key.get_secret_value().strip())


_HEADER_TEXT = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
"""Visible ASCII, with spaces inside: what an HTTP header value can carry as it is."""
