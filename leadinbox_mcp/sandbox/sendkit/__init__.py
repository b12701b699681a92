"""The SendKit emulator: its HTTP app (`app.py`), the list rows it derives from conversations
(`rows.py`) and its data set (`story.py`, from `sandbox/data/sendkit.toml`)."""

from pydantic import SecretStr

from leadinbox_mcp.providers.sendkit.client import SendKitSettings
from leadinbox_mcp.sandbox.sendkit.app import SANDBOX_API_KEY, create_app
from leadinbox_mcp.sandbox.sendkit.rows import list_row
from leadinbox_mcp.sandbox.sendkit.story import build_conversations, build_variant_conversations

__all__ = [
    "settings",
    "SANDBOX_API_KEY",
    "build_conversations",
    "build_variant_conversations",
    "create_app",
    "list_row",
]


def settings(base_url: str) -> SendKitSettings:
    """The settings of an account that reads this emulator at `base_url`."""
    return SendKitSettings(api_key=SecretStr(SANDBOX_API_KEY), workspace_id=None, base_url=base_url)
