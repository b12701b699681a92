"""Downloading a file a conversation carries, where the provider documents how.

Each provider's `providers/<name>/files.py` has a `Files(client)`; where the provider documents
no download (SendPilot, lemlist, InboxBase: their attachment objects carry no documented download
field) it stays `NoFiles`, whose sentence says so and what is known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadinbox_mcp.providers.errors import ProviderError
from leadinbox_mcp.providers.http import Download
from leadinbox_mcp.providers.model import Attachment

if TYPE_CHECKING:
    from leadinbox_mcp.providers.provider import Provider


class NoDownload(ProviderError):
    """The file cannot be downloaded through the API; the sentence says why and what is known."""


class NoFiles:
    def __init__(self, client: Provider) -> None:
        self.client = client

    async def download(self, conversation_id: str, attachment: Attachment, max_bytes: int) -> Download:
        """The file's bytes, at most `max_bytes` (a larger one is refused)."""
        raise NoDownload(
            f"{self.client.account}: {self.client.label} documents no way to download attachments, so only "
            f"what get_thread shows is known; open the conversation in {self.client.label} to read the file."
        )
