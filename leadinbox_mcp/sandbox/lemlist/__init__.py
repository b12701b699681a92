"""The lemlist emulator: its HTTP app (`app.py`) and its data set (`story.py`, from
`sandbox/data/lemlist.toml`, its mail written by `sandbox/mail.py`)."""

from pydantic import SecretStr

from leadinbox_mcp.providers.lemlist.client import LemlistSettings
from leadinbox_mcp.sandbox.lemlist.app import SANDBOX_API_KEY, create_app
from leadinbox_mcp.sandbox.lemlist.story import build_conversations, long_conversation

__all__ = ["settings", "SANDBOX_API_KEY", "build_conversations", "create_app", "long_conversation"]


def settings(base_url: str) -> LemlistSettings:
    """The settings of an account that reads this emulator at `base_url`."""
    return LemlistSettings(api_key=SecretStr(SANDBOX_API_KEY), user_id=None, base_url=base_url)
