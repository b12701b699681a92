"""A local emulator of lemlist's inbox API, served from the sandbox's data set (`story.py`).

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 003 and
lemlist's "Get Contact Messages" page) served by a small Starlette app on the sandbox kernel, so
that the sandbox, the tests and the benchmarks run without the real service.

    GET /api/inbox                 the team's conversations, newest first by lastActivityAt;
                                   query page (from 1), limit (1..100, default 10), userId
    GET /api/inbox/{contactId}     the activities with one contact, newest first (or oldest
                                   first: `thread_order`); query limit (1..100, default 100),
                                   skip, userId, markAsRead; `{data, pagination}` as the list

and the documented drafts (PROVIDERS.md, "Second reading"; nothing is sent, the contact's
activities never change):

    POST   /api/inbox/{contactId}/drafts?draftOwner=            201 {"draftId": "drf_..."}
    GET    /api/inbox/{contactId}/drafts                        {"drafts": [summaries]}
    GET    /api/inbox/{contactId}/drafts/{draftId}?draftOwner=  {"draft": {...}}
    PATCH  /api/inbox/{contactId}/drafts/{draftId}?draftOwner=  {"draft": {...}}
    DELETE /api/inbox/{contactId}/drafts/{draftId}?draftOwner=  {"success": true}

What the drafts pages leave open is decided in `_Drafts` and marked ASSUMED there.

Auth is HTTP Basic with the API key as the password (lemlist ignores the user name; the docs say
to leave it empty); any other credentials get the documented 401, `text/plain` "The
authentication you supplied is incorrect". The documented rate limit is enforced per key:
`rate_limit` requests per window (default 20 per 2 seconds), with `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (a human-readable date, as documented) on every
authenticated answer, and `429` with `Retry-After` (seconds) past the limit (or without it:
`retry_after=False`, then only the reset date says when). Other error bodies are plain text,
except 400 and 403 which are JSON `{"error", "message"}` (the docs say a body may be either).

What no document states and this emulator chooses: the texts of 400, 403, 404 and 429, the
maximum `limit` (100) of both endpoints, the thread's default page size (100) and order (newest
first), what `userId` does to a thread (nothing but being checked), which users `markAsRead`
marks (the `userId` given, else every user of the conversation).

Modes for the documented variants (keywords of `create_app`): `thread_order` "newest" |
"oldest"; `message_shape` "activity" (the documented example) | "inbox_message" (the documented
"Inbox Message" object: `_id, conversationId, sender, recipient, body, sentAt`, messages only);
`row_shape` "current" | "legacy" (rows without `contact`, `opportunities` as objects, null
`lastRepliedAt`, and one row with no contact id at all); `thread_pagination` False (the first
reading's `{data}`: every activity at once, `limit` and `skip` ignored); `retry_after`;
`thread_delay` (a slow upstream).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import time
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any, Literal

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from leadinbox_mcp.sandbox import kernel
from leadinbox_mcp.sandbox.lemlist.story import build_conversations

SANDBOX_API_KEY = "lemlist_sandbox_pipewise_8e3b51c07d"
"""The API key the sandbox emulator accepts."""

DEFAULT_LIMIT = 10  # the seed's perPage when no limit is sent
MAX_LIMIT = 100  # the docs give no maximum; 100 is our choice, matching the client
DEFAULT_THREAD_LIMIT = 100  # assumed: no document states it; every thread of the data set fits one page
UNAUTHORIZED = "The authentication you supplied is incorrect"  # documented, text/plain
RATE_LIMIT = (20, 2.0)  # documented: 20 requests per 2 seconds per API key, all routes
MAX_DRAFTS = 10  # documented: at most 10 drafts a conversation
MAX_DRAFT_BYTES = 30 * 1024  # documented: "max 30 KB" of content (ASSUMED: KiB of UTF-8)
DRAFT_CHANNELS = ("email", "linkedin", "whatsapp", "sms")  # documented
PREVIEW_CHARS = 100  # ASSUMED: how long a draft's contentPreview is
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"  # that of the data's ids

# --------------------------------------------------------------------------------------------
# The gate: Basic auth, then the key's rate limit
# --------------------------------------------------------------------------------------------


def _js_date(t: datetime) -> str:
    """A date the way lemlist documents X-RateLimit-Reset (JavaScript's Date.toString, in UTC)."""
    return t.astimezone(UTC).strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def _reset_date(seconds: float) -> str:
    """X-RateLimit-Reset for a window that ends in `seconds`: rounded up to the whole second
    (the format has no fractions), so that waiting until then is always long enough."""
    now = datetime.now(UTC)
    return _js_date(now.replace(microsecond=0) + timedelta(seconds=math.ceil(seconds + now.microsecond / 1e6)))


class _FixedWindow:
    """Per-key fixed windows: `requests` per `per_seconds`, counted from the window's first request."""

    def __init__(self, requests: int, per_seconds: float) -> None:
        self.requests = requests
        self.per_seconds = per_seconds
        self.windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the window resets)."""
        now = time.monotonic()
        start, count = self.windows.get(key, (now, 0))
        if now - start >= self.per_seconds:
            start, count = now, 0
        reset_in = start + self.per_seconds - now
        if count >= self.requests:
            return False, 0, reset_in
        self.windows[key] = (start, count + 1)
        return True, self.requests - count - 1, reset_in


def _basic_password(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, sep, password = decoded.partition(":")
    return password if sep else None


def _envelope(refusal: kernel.Refused) -> Response:
    """lemlist's errors: JSON `{error, message}` for 400 and 403, plain text otherwise."""
    if refusal.status in (400, 403):
        body = {"error": kernel.reason(refusal.status), "message": refusal.message}
        return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)
    return PlainTextResponse(refusal.message, status_code=refusal.status, headers=refusal.headers)


def _route_error(request: Request, status: int) -> str:
    return kernel.reason(status)


# --------------------------------------------------------------------------------------------
# The documented variants
# --------------------------------------------------------------------------------------------


def _legacy(rows: list[dict[str, Any]]) -> None:
    """Rows as older accounts send them (documented: no `contact`, `opportunities` as objects
    `{id, type, done}`; null `lastRepliedAt`), in turn, and the last row with no contact id at
    all (not documented: the extreme a client must survive). Opportunity ids and types are
    invented."""
    for i, row in enumerate(rows):
        if i % 3 == 0:
            del row["contact"]
        elif i % 3 == 1:
            row["opportunities"] = [{"id": "opp_" + row["contactId"][4:], "type": "deal", "done": i % 2 == 0}]
        else:
            row["lastRepliedAt"] = None
    rows[-1].pop("contact", None)
    del rows[-1]["contactId"]


_MESSAGE_TYPES = ("Sent", "Replied")


def _inbox_message(activity: dict[str, Any], row: dict[str, Any], lead: str) -> dict[str, Any] | None:
    """An activity as the documented "Inbox Message" object, or None when it is no message (an
    open, a visit, an invitation without a note). `sender` and `recipient` are documented as
    strings only: here an address, or the contact's name when it has no address (assumed)."""
    kind, text = activity["type"], activity.get("message")
    if not text or not (kind.endswith(_MESSAGE_TYPES) or kind == "linkedinInviteDone"):
        return None
    ours, inbound = activity["sendUserEmail"], kind.endswith("Replied")
    return {
        "_id": activity["_id"],
        "conversationId": row["_id"],
        "sender": lead if inbound else ours,
        "recipient": ours if inbound else lead,
        "body": text,
        "sentAt": activity["createdAt"],
    }


# --------------------------------------------------------------------------------------------
# The two endpoints
# --------------------------------------------------------------------------------------------


def _pagination(total: int, page: int, limit: int, more: bool) -> dict[str, Any]:
    return {
        "totalItems": total,
        "currentPage": page,
        "nextPage": page + 1 if more else None,
        "previousPage": page - 1 if page > 1 else None,
        "perPage": limit,
        "totalPages": math.ceil(total / limit),
    }


def _int(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    return kernel.int_param(request, name, default, low, high, max_digits=9)


class _Inbox:
    """The two endpoints, over a copy of the conversations taken when the app is created (a
    thread read with markAsRead=true changes the copy, as lemlist changes the conversation)."""

    def __init__(
        self,
        conversations: list[dict[str, Any]],
        *,
        thread_order: Literal["newest", "oldest"],
        message_shape: Literal["activity", "inbox_message"],
        row_shape: Literal["current", "legacy"],
        thread_pagination: bool,
        thread_delay: float,
    ) -> None:
        conversations = deepcopy(conversations)
        self.threads: dict[str, list[dict[str, Any]]] = {}
        self.by_contact: dict[str, dict[str, Any]] = {}
        self.activity_ids: dict[str, set[str]] = {}  # the drafts' replyToActivityId
        self.user_emails: dict[str, str] = {}  # a team member's address (casefolded) -> user id
        for c in conversations:
            row = c["inbox"]
            contact = row.get("contact") or {}
            contact_id = row.get("contactId") or contact.get("_id")
            if not contact_id:
                continue
            messages = c["messages"]
            self.activity_ids[contact_id] = {a["_id"] for a in messages if a.get("_id")}
            for a in messages:
                if a.get("sendUserEmail") and a.get("sendUserId"):
                    self.user_emails.setdefault(a["sendUserEmail"].casefold(), a["sendUserId"])
            if message_shape == "inbox_message":
                lead = contact.get("email") or contact.get("fullName") or contact_id
                shaped = (_inbox_message(a, row, lead) for a in messages)
                messages = [m for m in shaped if m is not None]
            self.threads[contact_id] = messages if thread_order == "oldest" else list(reversed(messages))
            self.by_contact[contact_id] = row
        rows = [c["inbox"] for c in conversations]
        if row_shape == "legacy":
            _legacy(rows)
        self.rows = sorted(rows, key=lambda r: (r.get("lastActivityAt") or "", r["_id"]), reverse=True)
        self.users = {u["userId"] for r in rows for u in r.get("users") or []}
        self.thread_pagination = thread_pagination
        self.thread_delay = thread_delay

    def _user(self, request: Request) -> str | None:
        """The `userId` asked for; refused when malformed (400) or not of the team (403)."""
        user_id = request.query_params.get("userId") or None
        if user_id is not None:
            if not re.fullmatch(r"usr_[A-Za-z0-9]{1,40}", user_id):
                raise kernel.Refused(400, "userId must be a user id (usr_...)")
            if user_id not in self.users:
                raise kernel.Refused(403, "This user is not a member of your team")
        return user_id

    async def list_conversations(self, request: Request) -> Response:
        limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        page = _int(request, "page", 1, 1, None)
        user_id = self._user(request)
        rows = self.rows
        if user_id is not None:
            rows = [r for r in rows if any(u.get("userId") == user_id for u in r.get("users") or [])]
        chunk, more = kernel.window(rows, (page - 1) * limit, limit)
        return JSONResponse({"data": chunk, "pagination": _pagination(len(rows), page, limit, more)})

    async def contact_messages(self, request: Request) -> Response:
        contact_id = request.path_params["contact_id"]
        limit = _int(request, "limit", DEFAULT_THREAD_LIMIT, 1, MAX_LIMIT)
        skip = _int(request, "skip", 0, 0, None)
        mark = request.query_params.get("markAsRead", "false")
        if mark not in ("true", "false"):
            raise kernel.Refused(400, "markAsRead must be true or false")
        user_id = self._user(request)
        thread = self.threads.get(contact_id)
        if thread is None:
            raise kernel.Refused(404, "Contact not found")
        if self.thread_delay:
            await anyio.sleep(self.thread_delay)
        if mark == "true":  # documented: marks the conversation read
            for user in self.by_contact[contact_id].get("users") or []:
                if user_id is None or user.get("userId") == user_id:
                    user["read"] = True
        if not self.thread_pagination:
            return JSONResponse({"data": thread})
        chunk, more = kernel.window(thread, skip, limit)
        # currentPage of a skip that is not a multiple of limit: the page its first item is on.
        return JSONResponse({"data": chunk, "pagination": _pagination(len(thread), skip // limit + 1, limit, more)})


# --------------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------------


class _Drafts:
    """The draft endpoints, over the conversations of `_Inbox` (read, never changed).

    ASSUMED (the docs show the routes, the fields and the limit only):
    - `draftOwner` is required wherever the docs show it (create, read one, update, delete):
      a team member's user id (`usr_...`) or address (one that has sent from lemlist in the
      data), else 400 (malformed or missing) or 403 (not of the team), as `userId` elsewhere.
      The list takes it as an optional filter. A draft is its owner's: another member reading,
      changing or deleting it gets 404, as if it did not exist.
    - The 10-draft limit counts every owner's drafts of the conversation.
    - `channel` is required; `subject` applies to email (kept for any channel, not checked);
      `replyToActivityId` must be an activity of the contact; `cc` holds addresses;
      `attachments` are objects `{name, url, size, type}` kept as sent.
    - `source` is "api"; `contentPreview` is the content's text, cut at 100 characters.
    - PATCH changes `content`, `subject`, `cc` and `attachments`; other fields are ignored, and
      a body with none of those four is a 400.
    """

    def __init__(self, inbox: _Inbox, clock: kernel.Clock) -> None:
        self.inbox = inbox
        self.clock = clock
        self.rng = Random("lemlist drafts")
        self.by_contact: dict[str, list[dict[str, Any]]] = {}

    def _contact(self, request: Request) -> str:
        contact_id = request.path_params["contact_id"]
        if contact_id not in self.inbox.threads:
            raise kernel.Refused(404, "Contact not found")
        return contact_id

    def _owner(self, request: Request, required: bool = True) -> str | None:
        """The user id of `draftOwner` (a user id or a team member's address)."""
        raw = (request.query_params.get("draftOwner") or "").strip()
        if not raw:
            if required:
                raise kernel.Refused(400, "draftOwner is required (a user id usr_... or a team member's email)")
            return None
        if re.fullmatch(r"usr_[A-Za-z0-9]{1,40}", raw):
            if raw not in self.inbox.users:
                raise kernel.Refused(403, "This user is not a member of your team")
            return raw
        if kernel.is_email(raw):
            user_id = self.inbox.user_emails.get(raw.casefold())
            if user_id is None:
                raise kernel.Refused(403, "This user is not a member of your team")
            return user_id
        raise kernel.Refused(400, "draftOwner must be a user id (usr_...) or an email address")

    def _draft(self, request: Request, contact_id: str, owner: str | None) -> dict[str, Any]:
        draft_id = request.path_params["draft_id"]
        for draft in self.by_contact.get(contact_id, []):
            if draft["_id"] == draft_id and (owner is None or draft["draftOwner"] == owner):
                return draft
        raise kernel.Refused(404, "Draft not found")

    @staticmethod
    def _content(body: dict[str, Any], required: bool) -> str | None:
        content = kernel.text_field(body, "content", required=required)
        if content is not None and len(content.encode("utf-8")) > MAX_DRAFT_BYTES:
            raise kernel.Invalid(f"content must be at most {MAX_DRAFT_BYTES // 1024} KB", "content")
        return content

    @staticmethod
    def _cc(body: dict[str, Any]) -> list[str]:
        cc = kernel.string_list(body, "cc")
        if not all(kernel.is_email(a) for a in cc):
            raise kernel.Invalid("cc must be a list of email addresses", "cc")
        return cc

    @staticmethod
    def _summary(draft: dict[str, Any]) -> dict[str, Any]:
        keys = ("_id", "channel", "subject", "contentPreview", "source", "createdAt", "updatedAt")
        return {k: draft[k] for k in keys}

    async def create(self, request: Request) -> Response:
        contact_id = self._contact(request)
        owner = self._owner(request)
        body = await kernel.json_object(request)
        channel = body.get("channel")
        if channel not in DRAFT_CHANNELS:
            raise kernel.Invalid(f"channel must be one of {', '.join(DRAFT_CHANNELS)}", "channel")
        content = self._content(body, required=True)
        assert content is not None
        subject = kernel.text_field(body, "subject")
        cc = self._cc(body)
        attachments = kernel.object_list(body, "attachments")
        reply_to = kernel.text_field(body, "replyToActivityId")
        if reply_to is not None and reply_to not in self.inbox.activity_ids[contact_id]:
            raise kernel.Invalid("replyToActivityId is not an activity of this contact", "replyToActivityId")
        drafts = self.by_contact.setdefault(contact_id, [])
        if len(drafts) >= MAX_DRAFTS:
            raise kernel.Invalid(
                f"This conversation already has {MAX_DRAFTS} drafts, the maximum: delete one or update one"
            )
        now = kernel.iso(self.clock())
        draft = {
            "_id": "drf_" + "".join(self.rng.choice(_ID_ALPHABET) for _ in range(17)),
            "contactId": contact_id,
            "draftOwner": owner,
            "channel": channel,
            "subject": subject,
            "content": content,
            "contentPreview": _preview(content),
            "cc": cc,
            "attachments": attachments,
            "replyToActivityId": reply_to,
            "source": "api",
            "createdAt": now,
            "updatedAt": now,
        }
        drafts.append(draft)
        return JSONResponse({"draftId": draft["_id"]}, status_code=201)

    async def listing(self, request: Request) -> Response:
        """The conversation's drafts, oldest first (ASSUMED: the order is not documented)."""
        contact_id = self._contact(request)
        owner = self._owner(request, required=False)
        drafts = [d for d in self.by_contact.get(contact_id, []) if owner is None or d["draftOwner"] == owner]
        return JSONResponse({"drafts": [self._summary(d) for d in drafts]})

    async def read(self, request: Request) -> Response:
        contact_id = self._contact(request)
        return JSONResponse({"draft": self._draft(request, contact_id, self._owner(request))})

    async def update(self, request: Request) -> Response:
        contact_id = self._contact(request)
        draft = self._draft(request, contact_id, self._owner(request))
        body = await kernel.json_object(request)
        changes: dict[str, Any] = {}
        if "content" in body:
            changes["content"] = self._content(body, required=True)
            changes["contentPreview"] = _preview(changes["content"])
        if "subject" in body:
            changes["subject"] = kernel.text_field(body, "subject")
        if "cc" in body:
            changes["cc"] = self._cc(body)
        if "attachments" in body:
            changes["attachments"] = kernel.object_list(body, "attachments")
        if not changes:
            raise kernel.Invalid("Nothing to update: send content, subject, cc or attachments")
        draft.update(changes, updatedAt=kernel.iso(self.clock()))
        return JSONResponse({"draft": draft})

    async def delete(self, request: Request) -> Response:
        contact_id = self._contact(request)
        draft = self._draft(request, contact_id, self._owner(request))
        self.by_contact[contact_id].remove(draft)
        return JSONResponse({"success": True})


def _preview(content: str) -> str:
    return kernel.preview(kernel.text_of_html(content), PREVIEW_CHARS)


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    now: datetime | None = None,
    conversations: list[dict[str, Any]] | None = None,
    rate_limit: tuple[int, float] = RATE_LIMIT,
    fail: int | None = None,
    retry_after: bool = True,
    thread_order: Literal["newest", "oldest"] = "newest",
    message_shape: Literal["activity", "inbox_message"] = "activity",
    row_shape: Literal["current", "legacy"] = "current",
    thread_pagination: bool = True,
    thread_delay: float = 0.0,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts (as the Basic auth password). `conversations` defaults to
    `build_conversations(now=now)`. `rate_limit` is (requests, seconds) per key; `retry_after`
    False leaves Retry-After out of a 429 (X-RateLimit-Reset still says when). `fail`, when set,
    makes every authenticated request answer that status (e.g. 500), as a broken upstream would.
    `thread_order`, `message_shape`, `row_shape` and `thread_pagination` pick a documented
    variant (see the module docstring); `thread_delay` is how long each thread page takes to answer.

    `app.state.requests` lists `(method, path, query)` for every request received, refused ones
    included; `app.state.rate_limited` counts the 429s sent. Both, and `app.state.fail`, may be
    changed while the app runs.
    """
    if not api_key:
        raise ValueError("the emulator needs an API key to accept")
    requests, per_seconds = rate_limit
    if requests < 1 or per_seconds <= 0:
        raise ValueError("rate_limit is (requests >= 1, seconds > 0)")
    if (
        thread_order not in ("newest", "oldest")
        or message_shape not in ("activity", "inbox_message")
        or row_shape not in ("current", "legacy")
    ):
        raise ValueError(
            "thread_order is newest|oldest, message_shape activity|inbox_message, row_shape current|legacy"
        )
    inbox = _Inbox(
        conversations if conversations is not None else build_conversations(now=now),
        thread_order=thread_order,
        message_shape=message_shape,
        row_shape=row_shape,
        thread_pagination=thread_pagination,
        thread_delay=thread_delay,
    )
    drafts = _Drafts(inbox, kernel.Clock(now))
    limiter = _FixedWindow(requests, per_seconds)

    def check(request: Request) -> dict[str, str]:
        """The key (401, without rate-limit headers), then its rate limit (429)."""
        if _basic_password(request.headers.get("authorization", "")) != api_key:
            raise kernel.Refused(401, UNAUTHORIZED)
        allowed, remaining, reset_in = limiter.hit(api_key)
        headers = {
            "X-RateLimit-Limit": str(limiter.requests),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": _reset_date(reset_in),
        }
        if not allowed:
            app.state.rate_limited += 1
            wait = max(1, math.ceil(reset_in))
            if retry_after:
                headers["Retry-After"] = str(wait)
            raise kernel.Refused(429, f"Too many requests, please retry in {wait} seconds", headers)
        return headers

    app = kernel.emulator_app(
        [
            Route("/api/inbox", inbox.list_conversations, methods=["GET"]),
            Route("/api/inbox/{contact_id}", inbox.contact_messages, methods=["GET"]),
            Route("/api/inbox/{contact_id}/drafts", drafts.create, methods=["POST"]),
            Route("/api/inbox/{contact_id}/drafts", drafts.listing, methods=["GET"]),
            Route("/api/inbox/{contact_id}/drafts/{draft_id}", drafts.read, methods=["GET"]),
            Route("/api/inbox/{contact_id}/drafts/{draft_id}", drafts.update, methods=["PATCH"]),
            Route("/api/inbox/{contact_id}/drafts/{draft_id}", drafts.delete, methods=["DELETE"]),
        ],
        check=check,
        envelope=_envelope,
        route_error=_route_error,
    )
    app.state.rate_limited = 0
    app.state.fail = fail
    return app
