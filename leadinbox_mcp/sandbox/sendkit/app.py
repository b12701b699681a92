"""A local emulator of the SendKit inbox API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seeds 000 and 001)
served by a small Starlette app, so that the sandbox, the tests and the benchmarks run without the
real service.

    GET /v1/inbox                                   list of conversations that have lead replies
    GET /v1/inbox/{conversationId}                  the whole thread, chronological
    GET /v1/inbox/{conversationId}/attachments/{n}  the bytes of attachment n of the thread
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leadinbox_mcp.sandbox.kernel import REASONS, Check, Refused, emulator_app, int_param, window
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


def envelope(refusal: Refused) -> JSONResponse:
    """SendKit's error body: {error, message, code}."""
    body = {"error": REASONS.get(refusal.status, "Error"), "message": refusal.message, "code": refusal.status}
    return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)


def route_error(request: Request, status: int) -> str:
    return {
        404: "The requested resource was not found",
        405: "This method is not allowed on this resource.",
    }.get(status, REASONS.get(status, "Error"))


def gate(api_key: str, workspace_id: str | None) -> Check:
    """Checks the API key (X-Api-Key, or Authorization: Bearer) and the workspace header."""

    def check(request: Request) -> None:
        headers = request.headers
        key = headers.get("x-api-key", "").strip()
        if not key:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else ""
        if not key:
            raise Refused(401, "Missing API key: send it in the X-Api-Key header or as Authorization: Bearer <key>.")
        if key != api_key:
            raise Refused(401, "Invalid API key.")
        workspace = headers.get("x-workspace-id")
        if key.startswith("sk_user_"):
            if not workspace:
                raise Refused(
                    400, "Platform API keys (sk_user_...) must send the X-Workspace-Id header on workspace endpoints."
                )
            if workspace != workspace_id:
                raise Refused(403, "This API key has no access to the requested workspace.")
        elif workspace is not None:
            raise Refused(
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
    """`size` bytes that start like a real file of that type (the content is filler)."""
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
        self.keys = {c["id"]: sort_key(c) for c in conversations}
        listed = [c for c in conversations if any(is_lead_reply(m) for m in c.get("messages") or [])]
        listed.sort(key=lambda c: self.keys[c["id"]], reverse=True)
        self.rows = [(self.keys[c["id"]], list_row(c)) for c in listed]

    async def list_conversations(self, request: Request) -> JSONResponse:
        q = request.query_params
        limit = int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, message=INT_MESSAGE)
        if self.page_size_cap:
            limit = min(limit, self.page_size_cap)  # a server that serves fewer rows than asked
        # The newer list page has no `page` parameter (second reading); sent anyway, it is ignored
        # here, as unknown query parameters usually are (ASSUMED: not documented).
        page = 1 if self.pagination == "cursor_v2" else int_param(request, "page", 1, 1, None, message=INT_MESSAGE)
        status = q.get("status") or None
        if status not in (None, "unread"):
            raise Refused(400, "Query parameter 'status' accepts only 'unread'.")
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
                raise Refused(400, "Unknown cursor: pass the nextCursor of a previous response.")
        else:
            start, served = self._page_start(page, limit)
        empty = served < self.empty_pages.get(start, 0)
        page_rows, more = window(rows, start, limit)
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
            raise Refused(404, "Conversation not found.")
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
            raise Refused(404, "Attachment not found.")
        item = attachments[int(raw)]
        if not item.get("downloadUrl"):
            raise Refused(404, "This attachment is not available for download.")
        filename = item.get("filename") or f"attachment-{raw}"
        return Response(
            attachment_bytes(item.get("contentType") or "", int(item.get("size") or 0), filename),
            media_type=item.get("contentType") or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


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
    )
    routes = [
        Route("/v1/inbox", inbox.list_conversations, methods=["GET"]),
        Route("/v1/inbox/{conversation_id}", inbox.get_conversation, methods=["GET"]),
        Route("/v1/inbox/{conversation_id}/attachments/{n}", inbox.get_attachment, methods=["GET"]),
    ]
    return emulator_app(routes, check=gate(api_key, workspace_id), envelope=envelope, route_error=route_error)
