"""The SendPilot (LinkedIn) emulator of the sandbox: `app` serves the API, `story` makes its data
from `data/sendpilot.toml`."""

from inbox_mcp.sandbox.sendpilot.app import SANDBOX_API_KEY, create_app
from inbox_mcp.sandbox.sendpilot.story import SENDER_ACCOUNTS, build_conversations, vary

__all__ = ["SANDBOX_API_KEY", "SENDER_ACCOUNTS", "build_conversations", "create_app", "vary"]
