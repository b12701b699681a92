"""The write clients on the providers' documented JSON (PROVIDERS.md, "Second reading"), served
verbatim, not by our emulators: what each request sends, and what each answer is read as."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx2
import pytest
from helpers import mock_http

from leadinbox_mcp.providers.inboxbase.client import InboxBaseClient, InboxBaseSettings
from leadinbox_mcp.providers.inboxbase.writes import Writes as InboxBaseWrites
from leadinbox_mcp.providers.lemlist.client import LemlistClient, LemlistSettings
from leadinbox_mcp.providers.lemlist.writes import Writes as LemlistWrites
from leadinbox_mcp.providers.sendkit.client import SendKitClient, SendKitSettings
from leadinbox_mcp.providers.sendkit.writes import Writes as SendKitWrites

pytestmark = pytest.mark.anyio
CONVERSATION = "664a1b2c3d4e5f6a7b8c9d0e"
CONTACT = "ctc_7Hn2kLpQ9rStUvWx"


class Provider:
    """A handler for `mock_http`: answers each (method, path) with its documented JSON, records
    every request."""

    def __init__(self, answers: dict[tuple[str, str], tuple[int, object]]) -> None:
        self.answers = answers
        self.seen: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        status, body = self.answers[(request.method, request.url.path)]
        return httpx2.Response(status, json=body)


async def test_sendkit_reply_and_cancel_as_documented():
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    provider = Provider(
        {
            ("POST", f"/v1/inbox/{CONVERSATION}/reply"): (
                200,
                {
                    "success": True,
                    "data": {
                        "id": "665f00000000000000000001",
                        "status": "pending",
                        "scheduledFor": "2026-12-01T09:00:00.000Z",
                        "isScheduled": False,
                    },
                },
            ),
            ("DELETE", f"/v1/inbox/{CONVERSATION}/scheduled/665f00000000000000000001"): (
                200,
                {"success": True, "data": {"message": "Scheduled reply cancelled"}},
            ),
        }
    )
    async with mock_http(provider) as http:
        client = SendKitClient("sendkit", SendKitSettings(api_key="sk_doc_1", base_url="https://sk.test"), http, "K")
        sent = await SendKitWrites(client).send_reply(CONVERSATION, "Tuesday works.", at, "key")
        await SendKitWrites(client).cancel_scheduled_reply(CONVERSATION, sent.id or "")
    assert (sent.id, sent.status, sent.scheduled_for) == ("665f00000000000000000001", "pending", at)
    post, delete = provider.seen
    assert json.loads(post.content) == {"body": "<p>Tuesday works.</p>", "scheduledFor": "2026-12-01T09:00:00.000Z"}
    assert delete.method == "DELETE" and delete.content == b""


async def test_lemlist_drafts_as_documented_with_a_configured_owner():
    """With user_id set, the draft owner is known: updating or deleting a draft reads no thread."""
    base = f"/api/inbox/{CONTACT}/drafts"
    draft = {
        "_id": "drf_9aB3cD4eF5gH6iJ7k",
        "channel": "email",
        "subject": "Re: pricing",
        "contentPreview": "Tuesday works.",
        "source": "api",
        "createdAt": "2026-11-30T10:00:00.000Z",
        "updatedAt": "2026-11-30T10:05:00.000Z",
    }
    provider = Provider(
        {
            ("GET", base): (200, {"drafts": [draft]}),
            ("PATCH", f"{base}/{draft['_id']}"): (200, {"draft": {**draft, "contentPreview": "Wednesday."}}),
            ("DELETE", f"{base}/{draft['_id']}"): (200, {"success": True}),
        }
    )
    async with mock_http(provider) as http:
        settings = LemlistSettings(api_key="lem_doc_1", user_id="usr_4kQ9", base_url="https://lem.test")
        writes = LemlistWrites(LemlistClient("lemlist", settings, http, "K"))
        (listed,) = await writes.list_drafts(CONTACT)
        updated = await writes.save_draft(CONTACT, "Wednesday.", None, draft["_id"])
        await writes.delete_draft(CONTACT, draft["_id"])
    assert (listed.id, listed.channel, listed.preview) == (draft["_id"], "email", "Tuesday works.")
    assert listed.updated_at == datetime(2026, 11, 30, 10, 5, tzinfo=UTC)
    assert updated.preview == "Wednesday."
    assert [(r.method, r.url.params.get("draftOwner")) for r in provider.seen] == [
        ("GET", None),
        ("PATCH", "usr_4kQ9"),
        ("DELETE", "usr_4kQ9"),
    ]
    assert json.loads(provider.seen[1].content) == {"content": "<p>Wednesday.</p>"}


@pytest.mark.parametrize(
    ("answer", "rejected"),
    [
        ({}, ()),  # the documentation shows no body for a reply's 200
        ({"id": "msg_1", "rejected": [{"address": "x@bad", "reason": "invalid address"}]}, ("x@bad: invalid address",)),
    ],
)
async def test_inboxbase_reply_by_conv_id_with_an_idempotency_key(answer, rejected):
    handle = "alice.acme@inboxbase.ai"
    provider = Provider({("POST", f"/v1/identities/{handle}/send"): (200, answer)})
    async with mock_http(provider) as http:
        settings = InboxBaseSettings(api_key="sk_live_doc", identity=handle, base_url="https://ib.test")
        client = InboxBaseClient("inboxbase", handle, settings, http)
        sent = await InboxBaseWrites(client).send_reply("conv_0123456789abcdef", "Happy to help.", None, "k-1")
    (post,) = provider.seen
    assert json.loads(post.content) == {"convId": "conv_0123456789abcdef", "text": "Happy to help."}
    assert post.headers["idempotency-key"] == "k-1" and "to" not in json.loads(post.content)
    assert sent.rejected == rejected and sent.status == "sent"
