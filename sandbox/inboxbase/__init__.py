"""The InboxBase emulator: the app (`app.py`) and its data set (`story.py`, `data/inboxbase.toml`)."""

from inbox_mcp.sandbox.inboxbase.app import SANDBOX_API_KEY, create_app, rows_of
from inbox_mcp.sandbox.inboxbase.story import SANDBOX_IDENTITIES, build_conversations

__all__ = ["SANDBOX_API_KEY", "SANDBOX_IDENTITIES", "build_conversations", "create_app", "rows_of"]
