"""The InboxBase emulator: the app (`app.py`) and its data set (`story.py`, `data/inboxbase.toml`)."""

from pydantic import SecretStr

from leadinbox_mcp.providers.inboxbase.client import InboxBaseSettings
from leadinbox_mcp.sandbox.inboxbase.app import SANDBOX_API_KEY, create_app, rows_of
from leadinbox_mcp.sandbox.inboxbase.story import SANDBOX_IDENTITIES, build_conversations

__all__ = ["settings", "SANDBOX_API_KEY", "SANDBOX_IDENTITIES", "build_conversations", "create_app", "rows_of"]


def settings(base_url: str) -> InboxBaseSettings:
    """The settings of an account that reads this emulator at `base_url`."""
    return InboxBaseSettings(
        api_key=SecretStr(SANDBOX_API_KEY), identity=",".join(SANDBOX_IDENTITIES), base_url=base_url
    )
