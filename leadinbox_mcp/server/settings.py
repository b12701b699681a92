"""Server-wide settings, from INBOX_MCP_* environment variables, validated once at start-up."""

from __future__ import annotations

from typing import Literal, TypedDict

from pydantic import Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from leadinbox_mcp.providers.writes import WriteLevel
from leadinbox_mcp.tools.shared.inbox import Budgets

MIN_SECRET_CHARS = 32
"""INBOX_MCP_TOKEN and INBOX_MCP_CURSOR_KEY: at least this many characters."""

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class ServerOptions(TypedDict):
    """The keyword arguments of `build_server` that the settings decide."""

    budgets: Budgets
    log_level: LogLevel
    deadline: float
    requests_per_second: float
    redis_url: str | None
    cursor_key: str | None
    send_delay: float


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INBOX_MCP_", extra="ignore", allow_inf_nan=False)

    list_tokens: int = Field(4000, ge=500, le=100_000, description="Token budget of one listing's text.")
    thread_tokens: int = Field(8000, ge=1000, le=200_000, description="Token budget of one get_thread text.")
    scan_pages: int = Field(5, ge=1, le=100, description="Provider pages one search call may scan per account.")
    attachment_tokens: int = Field(
        6000, ge=500, le=100_000, description="Token budget of one get_attachment text (a cursor reads the rest)."
    )
    call_deadline: float = Field(20.0, ge=1, le=300, description="Seconds one tool call may take in all.")
    requests_per_second: float = Field(
        10.0,
        ge=0.01,
        le=1000,
        description="Per-key request rate for providers that document no limit; below 1 too (0.5: one request every 2 s).",
    )
    log_level: LogLevel = "WARNING"
    token: SecretStr | None = Field(None, description="HTTP transport: the bearer token every MCP request must carry.")
    allowed_hosts: str = Field(
        "", description="HTTP transport: more Host values to accept, comma-separated (host:port, port may be *)."
    )
    allowed_origins: str = Field("", description="HTTP transport: more Origin values to accept, comma-separated.")
    http_keep_alive: float = Field(
        5.0, ge=1, le=300, description="HTTP transport: seconds an idle connection stays open between requests."
    )
    http_read_timeout: float = Field(
        10.0,
        ge=1,
        le=300,
        description="HTTP transport: seconds a client has to send a whole request (headers and body), from its first byte "
        "or from connecting; a connection still sending then is closed.",
    )
    cursor_key: SecretStr | None = Field(
        None,
        description="The key cursors are signed with (HMAC-SHA256), at least 32 characters; unset: one generated per start "
        "and shared by its HTTP workers. Set the same key on every machine that serves without REDIS_URL.",
    )
    redis_url: str | None = Field(
        None,
        validation_alias="REDIS_URL",
        repr=False,  # may carry a password
        description="REDIS_URL (no prefix): rate limits and the page and thread caches in this Redis, "
        "shared by every worker and machine; unset: in each process.",
    )
    config: str | None = Field(
        None, description="A TOML file of accounts (several per provider if need be), read beside the environment's."
    )
    write: WriteLevel = Field(
        "none",
        description="What the environment's accounts (and the sandbox's) may write: none, drafts (save_draft, "
        "list_drafts, delete_draft) or send (also send_reply and cancel_scheduled_reply). A config file's account "
        "says its own.",
    )
    send_delay_minutes: float = Field(
        5.0,
        ge=1,
        le=1440,
        description="Where a provider schedules replies (SendKit): how far ahead send_reply schedules one when "
        "send_at is not given, so that it can be cancelled.",
    )

    @field_validator("redis_url", "config")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator("cursor_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < MIN_SECRET_CHARS:
            raise PydanticCustomError(
                "too_short", "use at least 32 random characters (e.g. from `openssl rand -hex 32`), or unset it"
            )
        return value

    def allowed_host_list(self) -> list[str]:
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]

    def allowed_origin_list(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]

    def server_options(self) -> ServerOptions:
        """The keyword arguments of `build_server` these settings decide."""
        return {
            "budgets": Budgets(
                list_tokens=self.list_tokens,
                thread_tokens=self.thread_tokens,
                scan_pages=self.scan_pages,
                attachment_tokens=self.attachment_tokens,
            ),
            "log_level": self.log_level,
            "deadline": self.call_deadline,
            "requests_per_second": self.requests_per_second,
            "redis_url": self.redis_url,
            "cursor_key": self.cursor_key.get_secret_value() if self.cursor_key else None,
            "send_delay": self.send_delay_minutes * 60,
        }
