"""The SendKit emulator: its HTTP app (`app.py`), the list rows it derives from conversations
(`rows.py`) and its data set (`story.py`, from `sandbox/data/sendkit.toml`)."""

from inbox_mcp.sandbox.sendkit.app import DEFAULT_LIMIT, MAX_LIMIT, SANDBOX_API_KEY, create_app
from inbox_mcp.sandbox.sendkit.rows import list_row
from inbox_mcp.sandbox.sendkit.story import build_conversations, build_variant_conversations

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "SANDBOX_API_KEY",
    "build_conversations",
    "build_variant_conversations",
    "create_app",
    "list_row",
]
