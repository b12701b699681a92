"""SendKit's documented download: `GET /v1/inbox/{conversationId}/attachments/{index}` answers the
bytes (the index counted across all the thread's messages; Gmail and Outlook mailboxes only). The
thread gives each attachment its `downloadUrl`; one without it (no provider attachment id) cannot
be downloaded.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from leadinbox_mcp.providers.files import NoDownload, NoFiles
from leadinbox_mcp.providers.http import Download
from leadinbox_mcp.providers.model import Attachment
from leadinbox_mcp.providers.sendkit.client import SendKitClient

_DOWNLOAD = re.compile(r"/v1/inbox/(?P<id>[A-Za-z0-9_-]{1,64})/attachments/(?P<index>\d{1,6})")


class Files(NoFiles):
    client: SendKitClient

    async def download(self, conversation_id: str, attachment: Attachment, max_bytes: int) -> Download:
        # Only the documented path of this very conversation is followed: a downloadUrl is the
        # provider's data, and must not send our key anywhere else.
        found = _DOWNLOAD.fullmatch(attachment.download or "")
        if found is None or found["id"] != conversation_id:
            raise NoDownload(
                f"{self.client.account}: SendKit gives no download for this attachment (it has one only for files "
                "of Gmail and Outlook mailboxes with a provider id), so only what get_thread shows is known."
            )
        path = f"/v1/inbox/{quote(conversation_id, safe='')}/attachments/{found['index']}"
        call = self.client._call(
            path, not_found=f"{self.client.account}: SendKit no longer has this attachment for download."
        )
        return await self.client._http.get_bytes(call, max_bytes)
