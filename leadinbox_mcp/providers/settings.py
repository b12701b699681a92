"""What every provider's environment variables have in common: a key and the API's address."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProviderSettings(BaseSettings):
    """Subclasses set `env_prefix` (SENDKIT_, ...) and the default `base_url`."""

    model_config = SettingsConfigDict(extra="ignore")

    api_key: SecretStr | None = None
    base_url: str

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{cls.model_config.get('env_prefix', '')}BASE_URL must start with http:// or https://")
        return value

    def has_key(self) -> bool:
        """A key that is set and not blank: the account exists."""
        return self.api_key is not None and bool(self.api_key.get_secret_value().strip())
