"""A local emulator of the SendKit inbox API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seeds 000 and 001)
served by a small Starlette app, so that the sandbox, the tests and the benchmarks run without the
real service.

    GET /v1/inbox                                   list of conversations that have lead replies
    GET /v1/inbox/{conversationId}                  the whole thread, chronological
    GET /v1/inbox/{conversationId}/attachments/{n}  the bytes of attachment n of the thread

and the documented writes (PROVIDERS.md, "Second reading"), which change what later reads of the
same app answer:

    POST   /v1/inbox/{conversationId}/reply                a reply, sent now or scheduled
    GET    /v1/inbox/{conversationId}/scheduled            the conversation's scheduled replies
    DELETE /v1/inbox/{conversationId}/scheduled/{replyId}  cancels a pending one

A reply sent now is appended to the thread as the story writes the rep's answers from the SendKit
inbox (a `reply` with isFromLead false, from the conversation's mailbox to the lead), and its list
row moves accordingly; a scheduled one joins the thread's `scheduledReplies` as `pending` (the
emulator never sends it: ASSUMED, a sandbox has no one to send it to). What the docs leave open
is marked ASSUMED where it is decided, in `Inbox.reply` and below.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from random import Random
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leadinbox_mcp.sandbox import documents, kernel
from leadinbox_mcp.sandbox.sendkit.rows import is_lead_reply, list_row, matches_search, sort_key
from leadinbox_mcp.sandbox.sendkit.story import build_conversations

SANDBOX_API_KEY = "sk_sandbox_pipewise_4f9c2b7e1d"
"""The workspace key (``sk_...``, not ``sk_user_...``) that the sandbox emulator accepts."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INT_MESSAGE = "Query parameter '{name}' must be an integer {bound}."

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAGIC = {
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    DOCX: b"PK\x03\x04\x14\x00\x06\x00",
    XLSX: b"PK\x03\x04\x14\x00\x06\x00",
}
"""How files of each type start."""


# --------------------------------------------------------------------------------------------
# Errors and the gate
# --------------------------------------------------------------------------------------------


def envelope(refusal: kernel.Refused) -> JSONResponse:
    """SendKit's error body: {error, message, code}."""
    body = {"error": kernel.reason(refusal.status), "message": refusal.message, "code": refusal.status}
    return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)


def route_error(request: Request, status: int) -> str:
    return {
        404: "The requested resource was not found",
        405: "This method is not allowed on this resource.",
    }.get(status, kernel.reason(status))


def gate(api_key: str, workspace_id: str | None) -> kernel.Check:
    """Checks the API key (X-Api-Key, or Authorization: Bearer) and the workspace header."""

    def check(request: Request) -> None:
        headers = request.headers
        key = headers.get("x-api-key", "").strip()
        if not key:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else ""
        if not key:
            raise kernel.Refused(
                401, "Missing API key: send it in the X-Api-Key header or as Authorization: Bearer <key>."
            )
        if key != api_key:
            raise kernel.Refused(401, "Invalid API key.")
        workspace = headers.get("x-workspace-id")
        if key.startswith("sk_user_"):
            if not workspace:
                raise kernel.Refused(
                    400, "Platform API keys (sk_user_...) must send the X-Workspace-Id header on workspace endpoints."
                )
            if workspace != workspace_id:
                raise kernel.Refused(403, "This API key has no access to the requested workspace.")
        elif workspace is not None:
            raise kernel.Refused(
                400,
                "Workspace API keys (sk_...) are bound to one workspace: do not send the X-Workspace-Id header.",
            )
        return None

    return check


# --------------------------------------------------------------------------------------------
# The endpoints
# --------------------------------------------------------------------------------------------


def ghost_cursor(start: int, served: int) -> str:
    """The nextCursor of the `served`-th empty page before row `start`: 24 hex digits, the form of
    a conversation id, that no conversation has."""
    return hashlib.sha256(f"empty page {served} before row {start}".encode()).hexdigest()[:24]


def attachment_bytes(content_type: str, size: int, filename: str) -> bytes:
    """The sandbox document of that name (sandbox/documents/), else `size` bytes that start like
    a real file of that type (the content is filler)."""
    document = documents.load(filename)
    if document is not None:
        return document
    head = MAGIC.get(content_type, b"") + filename.encode("utf-8", "replace")
    return (head + b"\x00" * max(0, size - len(head)))[: max(size, 0)]


class Inbox:
    """The endpoints, over a snapshot of the conversations taken when the app is created."""

    def __init__(
        self,
        conversations: list[dict[str, Any]],
        pagination: str,
        page_size_cap: int | None,
        *,
        empty_pages: dict[int, int] | None = None,
        missing_cursor: bool = False,
        old_shapes: bool = False,
        clock: kernel.Clock | None = None,
    ) -> None:
        self.pagination = pagination
        self.page_size_cap = page_size_cap
        self.empty_pages = dict(empty_pages or {})
        self.missing_cursor = missing_cursor
        self.old_shapes = old_shapes
        self.ghosts = {
            ghost_cursor(start, m): (start, m) for start, n in self.empty_pages.items() for m in range(1, n + 1)
        }
        self.by_id = {c["id"]: c for c in conversations}
        self.keys: dict[str, tuple[datetime, str]] = {}
        self.rows: list[tuple[tuple[datetime, str], dict[str, Any]]] = []
        self._index(conversations)
        self.clock = clock or kernel.Clock(None)
        self.mailboxes = _Mailboxes(conversations)
        self.rng = Random("sendkit writes")  # the random part of the ids that writes make
        self.counter = self.rng.getrandbits(24)

    def _index(self, conversations: list[dict[str, Any]]) -> None:
        """The listing: rows of the conversations that have lead replies, newest first."""
        self.keys = {c["id"]: sort_key(c) for c in conversations}
        listed = [c for c in conversations if any(is_lead_reply(m) for m in c.get("messages") or [])]
        listed.sort(key=lambda c: self.keys[c["id"]], reverse=True)
        self.rows = [(self.keys[c["id"]], list_row(c)) for c in listed]

    async def list_conversations(self, request: Request) -> JSONResponse:
        q = request.query_params
        limit = kernel.int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, message=INT_MESSAGE)
        if self.page_size_cap:
            limit = min(limit, self.page_size_cap)  # a server that serves fewer rows than asked
        # The newer list page has no `page` parameter (second reading); sent anyway, it is ignored
        # here, as unknown query parameters usually are (ASSUMED: not documented).
        page = (
            1 if self.pagination == "cursor_v2" else kernel.int_param(request, "page", 1, 1, None, message=INT_MESSAGE)
        )
        status = q.get("status") or None
        if status not in (None, "unread"):
            raise kernel.Refused(400, "Query parameter 'status' accepts only 'unread'.")
        tag, campaign_id = q.get("tag") or None, q.get("campaign_id") or None
        search = (q.get("search") or "").strip().casefold()

        rows = [
            (key, row)
            for key, row in self.rows
            if (status is None or row["unreadCount"] > 0)
            and (tag is None or row["aiTag"] == tag)
            and (campaign_id is None or (row["campaign"] or {}).get("_id") == campaign_id)
            and (not search or matches_search(row["lead"], search))
        ]
        cursor = q.get("cursor") or None
        served = 0  # empty pages already served before the row at `start`
        if cursor is not None:
            if cursor in self.ghosts:
                start, served = self.ghosts[cursor]
            elif cursor in self.keys:
                after = self.keys[cursor]
                start = next((i for i, (key, _) in enumerate(rows) if key < after), len(rows))
            else:
                raise kernel.Refused(400, "Unknown cursor: pass the nextCursor of a previous response.")
        else:
            start, served = self._page_start(page, limit)
        empty = served < self.empty_pages.get(start, 0)
        page_rows, more = kernel.window(rows, start, limit)
        chunk = [] if empty else [row for _, row in page_rows]
        total, has_more = len(rows), empty or more
        if self.pagination in ("cursor", "cursor_v2"):
            next_cursor: str | None
            if empty:
                next_cursor = ghost_cursor(start, served + 1)
            else:
                next_cursor = chunk[-1]["id"] if has_more and chunk else None
            pagination: dict[str, Any] = {
                "limit": limit,
                "total": total,
                "hasMore": has_more,
                "nextCursor": None if self.missing_cursor else next_cursor,
            }
        else:
            # ASSUMED: `pages` counts the empty pages too (else a page-number walk ends early).
            extra = sum(n for at, n in self.empty_pages.items() if at < total and at % limit == 0)
            pagination = {
                "total": total,
                "page": start // limit + 1 if cursor else page,
                "limit": limit,
                "pages": math.ceil(total / limit) + extra,
            }
        if self.pagination == "cursor_v2" or self.old_shapes:
            chunk = [self._shaped_row(row) for row in chunk]
        return JSONResponse({"success": True, "data": chunk, "pagination": pagination})

    def _page_start(self, page: int, limit: int) -> tuple[int, int]:
        """Where page number `page` starts (a row index), and how many of the empty pages at that
        row come before it: it is one of them while that is fewer than all."""
        number, start = 1, 0
        while any(at >= start for at in self.empty_pages):
            here = self.empty_pages.get(start, 0)
            if page <= number + here:
                return start, page - number
            number, start = number + here + 1, start + limit
        return start + (page - number) * limit, 0

    def _shaped_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row of the newer list page (no lastMessage.read) or of the older one (seed 000: no
        isRead or unreadCount)."""
        row = dict(row)
        if self.pagination == "cursor_v2" and row.get("lastMessage"):
            row["lastMessage"] = {k: v for k, v in row["lastMessage"].items() if k != "read"}
        if self.old_shapes:
            row.pop("isRead", None)
            row.pop("unreadCount", None)
        return row

    def _conversation(self, request: Request) -> dict[str, Any]:
        conversation = self.by_id.get(request.path_params["conversation_id"])
        if conversation is None:
            raise kernel.Refused(404, "Conversation not found.")
        return conversation

    async def get_conversation(self, request: Request) -> JSONResponse:
        conversation = self._conversation(request)
        if self.old_shapes:  # the older thread page: no isRead, unreadCount or attachments
            conversation = {k: v for k, v in conversation.items() if k not in ("isRead", "unreadCount")}
            conversation["messages"] = [
                {k: v for k, v in m.items() if k != "attachments"} for m in conversation.get("messages") or []
            ]
        return JSONResponse({"success": True, "data": conversation})

    async def get_attachment(self, request: Request) -> Response:
        conversation = self._conversation(request)
        raw = request.path_params["n"]
        attachments = [a for m in conversation.get("messages") or [] for a in m.get("attachments") or []]
        if not raw.isdigit() or int(raw) >= len(attachments):
            raise kernel.Refused(404, "Attachment not found.")
        item = attachments[int(raw)]
        if not item.get("downloadUrl"):
            raise kernel.Refused(404, "This attachment is not available for download.")
        filename = item.get("filename") or f"attachment-{raw}"
        return Response(
            attachment_bytes(item.get("contentType") or "", int(item.get("size") or 0), filename),
            media_type=item.get("contentType") or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    # -- writes ------------------------------------------------------------------------------

    def _store(self, conversation: dict[str, Any]) -> None:
        """A conversation changed by a write: served from now on, its list row recomputed. A new
        dict each time (copy on write), so that the data the app was given is never changed."""
        self.by_id[conversation["id"]] = conversation
        self._index(list(self.by_id.values()))

    def _object_id(self, when: datetime) -> str:
        """A MongoDB-style ObjectId (time, random, counter), as SendKit's ids are."""
        self.counter = (self.counter + 1) % (1 << 24)
        return f"{int(when.timestamp()) & 0xFFFFFFFF:08x}{self.rng.getrandbits(40):010x}{self.counter:06x}"

    async def reply(self, request: Request) -> JSONResponse:
        """POST /v1/inbox/{conversationId}/reply: `{body (required), cc[], bcc[], scheduledFor
        (ISO, future; omitted: now), mailboxId, attachments[]}`, answered as documented:
        `{"success": true, "data": {"id", "status": "pending", "scheduledFor", "isScheduled"}}`."""
        conversation = self._conversation(request)
        body = await kernel.json_object(request)
        text = kernel.text_field(body, "body", required=True)
        assert text is not None
        for name in ("cc", "bcc"):
            if not all(kernel.is_email(a) for a in kernel.string_list(body, name)):
                raise kernel.Invalid(f"'{name}' must be a list of e-mail addresses.", name)
        # ASSUMED: the shape of an attachment is not documented; objects are accepted and shown
        # in the thread by their filename / contentType / size (without downloadUrl: the
        # emulator keeps no bytes).
        attachments = kernel.object_list(body, "attachments")
        now = self.clock()
        scheduled_raw = kernel.text_field(body, "scheduledFor")
        scheduled_for = None
        if scheduled_raw is not None:
            try:
                scheduled_for = kernel.parse_time(scheduled_raw.strip())
            except ValueError:
                raise kernel.Invalid("'scheduledFor' must be an ISO 8601 date-time.", "scheduledFor") from None
            if scheduled_for.tzinfo is None:  # ASSUMED: a time without an offset is UTC
                scheduled_for = scheduled_for.replace(tzinfo=now.tzinfo)
            if scheduled_for <= now:
                raise kernel.Invalid("'scheduledFor' must be in the future.", "scheduledFor")
        mailbox_id = kernel.text_field(body, "mailboxId")
        if mailbox_id is not None and self.mailboxes.emails and mailbox_id not in self.mailboxes.emails:
            # ASSUMED: a mailbox of another workspace (or none) is a 400; the docs say nothing.
            raise kernel.Invalid("'mailboxId' is not a mailbox of this workspace.", "mailboxId")
        mailbox_id = mailbox_id or self.mailboxes.of(conversation)
        reply_id = self._object_id(now)
        if scheduled_for is not None:
            self._schedule(conversation, reply_id, text, scheduled_for, mailbox_id, now)
        else:
            self._send_now(conversation, text, attachments, mailbox_id, now)
        # ASSUMED: a reply sent now answers its sending time as scheduledFor (the documented
        # example shows a value with isScheduled false); cc and bcc go nowhere a read shows
        # (the thread's reply shape has no cc; bcc is never shown).
        data = {
            "id": reply_id,
            "status": "pending",
            "scheduledFor": kernel.iso(scheduled_for or now),
            "isScheduled": scheduled_for is not None,
        }
        return JSONResponse({"success": True, "data": data})

    def _schedule(
        self,
        conversation: dict[str, Any],
        reply_id: str,
        text: str,
        scheduled_for: datetime,
        mailbox_id: str | None,
        now: datetime,
    ) -> None:
        """A pending scheduled reply, in the thread's shape of `scheduledReplies` (the list of
        GET .../scheduled adds campaignLeadId and to)."""
        item = {
            "_id": reply_id,
            "message": text,
            "scheduledFor": kernel.iso(scheduled_for),
            "status": "pending",
            "mailboxId": mailbox_id,
            "createdAt": kernel.iso(now),
        }
        self._store({**conversation, "scheduledReplies": [*(conversation.get("scheduledReplies") or []), item]})

    def _send_now(
        self,
        conversation: dict[str, Any],
        text: str,
        attachments: list[dict[str, Any]],
        mailbox_id: str | None,
        now: datetime,
    ) -> None:
        """The reply, appended to the thread as the story writes the rep's answers from the
        SendKit inbox: a `reply` with isFromLead false, from the mailbox to the lead.
        ASSUMED: `body` is HTML (SendKit's own bodies are); `content` is its text."""
        messages = conversation.get("messages") or []
        subjects = [m.get("subject") for m in messages if m.get("subject")]
        lead = conversation.get("lead") or {}
        message: dict[str, Any] = {
            "type": "reply",
            "from": self.mailboxes.emails.get(mailbox_id or "") or self.mailboxes.email_of(conversation),
            "to": lead.get("email"),
            "subject": _reply_subject(subjects[-1]) if subjects else None,
            "content": kernel.text_of_html(text),
            "htmlContent": text,
            "receivedAt": kernel.iso(now),
            "isFromLead": False,
            "isAutoReply": False,
            "read": True,
        }
        # (the older thread page leaves `attachments` out when it serves the thread)
        message["attachments"] = [{k: a[k] for k in ("filename", "contentType", "size") if k in a} for a in attachments]
        self._store({**conversation, "messages": [*messages, message]})

    def _scheduled_of(self, conversation: dict[str, Any]) -> list[dict[str, Any]]:
        """The conversation's scheduled replies as GET .../scheduled lists them. ASSUMED:
        campaignLeadId is the conversation's id (SendKit's inbox conversations are campaign
        leads) and `to` the lead's address."""
        lead = conversation.get("lead") or {}
        return [
            {
                "_id": item.get("_id"),
                "campaignLeadId": conversation["id"],
                "to": lead.get("email"),
                "message": item.get("message"),
                "scheduledFor": item.get("scheduledFor"),
                "status": item.get("status"),
                "mailboxId": item.get("mailboxId"),
                "createdAt": item.get("createdAt"),
            }
            for item in conversation.get("scheduledReplies") or []
        ]

    async def list_scheduled(self, request: Request) -> JSONResponse:
        """GET /v1/inbox/{conversationId}/scheduled: every scheduled reply of the conversation,
        whatever its status, in the order they were made. ASSUMED: the envelope
        `{"success": true, "data": [...]}` (SendKit's usual one; the docs list the fields only)."""
        return JSONResponse({"success": True, "data": self._scheduled_of(self._conversation(request))})

    async def cancel_scheduled(self, request: Request) -> JSONResponse:
        """DELETE /v1/inbox/{conversationId}/scheduled/{replyId}: cancels a pending reply.
        ASSUMED: a cancelled reply is removed from `scheduledReplies` (and so from the list):
        SendKit documents no `cancelled` status. Not pending (sending, failed): 400; unknown
        (or already cancelled): 404."""
        conversation = self._conversation(request)
        reply_id = request.path_params["reply_id"]
        items = list(conversation.get("scheduledReplies") or [])
        found = next((i for i, item in enumerate(items) if item.get("_id") == reply_id), None)
        if found is None:
            raise kernel.Refused(404, "Scheduled reply not found.")
        if items[found].get("status") != "pending":
            raise kernel.Refused(
                400, f"Only a pending scheduled reply can be cancelled; this one is {items[found].get('status')}."
            )
        del items[found]
        self._store({**conversation, "scheduledReplies": items})
        return JSONResponse({"success": True, "data": {"message": "Scheduled reply cancelled"}})


def _reply_subject(subject: str) -> str:
    return subject if subject[:3].casefold() == "re:" else f"Re: {subject}"


class _Mailboxes:
    """The workspace's sending mailboxes, as far as the conversations tell: their addresses (whom
    lead replies go to, from whom our answers come) and their ids (those of scheduled replies).
    ASSUMED: a mailbox whose id no scheduled reply shows gets a stable id made from its address,
    and a conversation without any message of ours or the lead's has its campaign's mailbox."""

    def __init__(self, conversations: list[dict[str, Any]]) -> None:
        self.by_conversation: dict[str, str] = {}
        by_campaign: dict[str, str] = {}
        ids: dict[str, str] = {}
        for c in conversations:
            email = self._address(c)
            if email is None:
                continue
            self.by_conversation[c["id"]] = email
            campaign = (c.get("campaign") or {}).get("_id")
            if campaign:
                by_campaign.setdefault(campaign, email)
            for item in c.get("scheduledReplies") or []:
                if item.get("mailboxId"):
                    ids.setdefault(email, item["mailboxId"])
        for c in conversations:
            campaign = (c.get("campaign") or {}).get("_id")
            if c["id"] not in self.by_conversation and campaign in by_campaign:
                self.by_conversation[c["id"]] = by_campaign[campaign]
        for email in self.by_conversation.values():
            ids.setdefault(email, hashlib.sha256(f"mailbox {email}".encode()).hexdigest()[:24])
        self.ids = ids
        self.emails = {mailbox_id: email for email, mailbox_id in ids.items()}
        """Mailbox id -> address: the mailboxes a reply may name."""

    @staticmethod
    def _address(conversation: dict[str, Any]) -> str | None:
        for m in conversation.get("messages") or []:
            if m.get("type") == "reply" and m.get("isFromLead") and m.get("to"):
                return str(m["to"])
            if m.get("type") == "reply" and m.get("isFromLead") is False and m.get("from"):
                return str(m["from"])
            if m.get("type") == "manual" and m.get("direction") == "outbound" and m.get("from"):
                return str(m["from"])
        return None

    def email_of(self, conversation: dict[str, Any]) -> str | None:
        return self.by_conversation.get(conversation["id"])

    def of(self, conversation: dict[str, Any]) -> str | None:
        """The id of the conversation's mailbox, or None when nothing tells which it is."""
        email = self.email_of(conversation)
        return self.ids.get(email) if email else None


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    workspace_id: str | None = None,
    pagination: Literal["pages", "cursor", "cursor_v2"] = "pages",
    conversations: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
    page_size_cap: int | None = None,
    empty_pages: dict[int, int] | None = None,
    missing_cursor: bool = False,
    old_shapes: bool = False,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts: a workspace key (``sk_...``), or a platform key
    (``sk_user_...``) together with the `workspace_id` it must be sent with. `pagination` chooses
    the envelope of GET /v1/inbox (both `page` and `cursor` are honoured either way).
    `conversations` defaults to `build_conversations(now=now)`. `app.state.requests` lists
    `(method, path, query)` for every request received, refused ones included; `app.state.fail`,
    set to a status, makes every authenticated request answer it.
    `page_size_cap` makes list pages smaller than asked for, as some servers do.

    The documented variants (PROVIDERS.md, "Second reading"), each behind its own option:

    - `pagination="cursor_v2"`: the newer list page. `page` is ignored, rows carry `isRead` and
      `unreadCount` and a `lastMessage` without `read`, and the pagination is `{limit, total,
      hasMore, nextCursor}` with the last row's id as nextCursor (ASSUMED: the docs show only
      that it has the form of a conversation id).
    - `empty_pages={row: n}`: a page that would start at that row index (of the filtered
      listing) comes back empty `n` times first (`data: []`, the pagination saying more
      follow), as integrators observe. ASSUMED: why and where real pages come back empty is not
      documented; an empty page's nextCursor is an id that no conversation has.
    - `missing_cursor=True`: cursor-shaped pages that have more say `hasMore: true` with
      `nextCursor: null` (ASSUMED: a failure mode the client must survive, not a documented one).
    - `old_shapes=True`: the older pages, list rows without `isRead`/`unreadCount` (seed 000)
      and threads without `isRead`, `unreadCount` or message `attachments`.
    - null fields, manual messages without a timestamp or with an unknown direction, attachments
      without downloadUrl and a failed scheduled reply: `build_variant_conversations()`.

    The writes (module docstring) change this app's copy of the data, never `conversations`
    itself; what they make is dated by the kernel's `Clock(now)`.
    """
    if not api_key.startswith("sk_"):
        raise ValueError("a SendKit API key starts with 'sk_'")
    if api_key.startswith("sk_user_") and not workspace_id:
        raise ValueError("a platform key (sk_user_...) needs the workspace_id it is sent with")
    if pagination not in ("pages", "cursor", "cursor_v2"):
        raise ValueError("pagination must be 'pages', 'cursor' or 'cursor_v2'")
    if any(
        not (isinstance(at, int) and at >= 0 and isinstance(n, int) and n >= 1) for at, n in (empty_pages or {}).items()
    ):
        raise ValueError("empty_pages maps row indexes (0 or more) to a number of empty pages (1 or more)")
    if missing_cursor and pagination == "pages":
        raise ValueError("missing_cursor applies to the cursor-shaped pagination only")
    data = conversations if conversations is not None else build_conversations(now=now)
    inbox = Inbox(
        data,
        pagination,
        page_size_cap,
        empty_pages=empty_pages,
        missing_cursor=missing_cursor,
        old_shapes=old_shapes,
        clock=kernel.Clock(now),
    )
    routes = [
        Route("/v1/inbox", inbox.list_conversations, methods=["GET"]),
        Route("/v1/inbox/{conversation_id}", inbox.get_conversation, methods=["GET"]),
        Route("/v1/inbox/{conversation_id}/attachments/{n}", inbox.get_attachment, methods=["GET"]),
        Route("/v1/inbox/{conversation_id}/reply", inbox.reply, methods=["POST"]),
        Route("/v1/inbox/{conversation_id}/scheduled", inbox.list_scheduled, methods=["GET"]),
        Route("/v1/inbox/{conversation_id}/scheduled/{reply_id}", inbox.cancel_scheduled, methods=["DELETE"]),
    ]
    return kernel.emulator_app(routes, check=gate(api_key, workspace_id), envelope=envelope, route_error=route_error)
