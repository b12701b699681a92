"""The SendPilot (LinkedIn) emulator of the sandbox: `app` serves the API, `story` makes its data
from `data/sendpilot.toml`."""

from pydantic import SecretStr

from leadinbox_mcp.providers.sendpilot.client import SendPilotSettings
from leadinbox_mcp.sandbox.sendpilot.app import SANDBOX_API_KEY, create_app
from leadinbox_mcp.sandbox.sendpilot.story import SENDER_ACCOUNTS, build_conversations, vary

__all__ = ["settings", "SANDBOX_API_KEY", "SENDER_ACCOUNTS", "build_conversations", "create_app", "vary"]


def settings(base_url: str) -> SendPilotSettings:
    """The settings of an account that reads this emulator at `base_url`."""
    return SendPilotSettings(api_key=SecretStr(SANDBOX_API_KEY), account_id=None, base_url=base_url)
