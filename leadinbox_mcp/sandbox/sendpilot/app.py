"""A local emulator of the SendPilot LinkedIn inbox API, served from the sandbox's data set
(`story.build_conversations`).

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 002) served by
a small Starlette app, so that the sandbox, the tests and the benchmarks run without the real
service.

    GET /v1/inbox/conversations                               conversations, newest first
    GET /v1/inbox/conversations/{conversationId}/messages     one conversation's messages

    POST /v1/inbox/send                                       a LinkedIn message, sent at once

(All are also served under the older `/api` prefix.) The send (PROVIDERS.md, "Second reading")
takes `{senderId, recipientLinkedinUrl, message (max 8000), campaignId?, leadId?}` and answers
201 `{success, messageId, recipientLinkedinUrl, status: "sent", timestamp}`; the recipient must
be a 1st-degree connection, which here means a participant of one of the sender's
conversations, and the message appears at the end of that conversation (its row moves to the
top). What the docs leave open is decided in `_Inbox.send` and marked ASSUMED there.

Authentication is the `X-API-Key` header.
Errors have the documented shape `{"statusCode": 401, "message": "Invalid API key", "error":
"Unauthorized"}`: 400 (bad parameters, `accountId` missing on the messages endpoint), 401, 403 (a
sender account outside this workspace), 404, 500 (`outage=True`). The message texts other than
"Invalid API key" are invented: the documentation shows only "Validation failed".

Every shape the documentation or other integrators show can be served (PROVIDERS.md, "Second
reading"): the page-number envelope with or without `hasMore` (`pagination`), messages oldest
first (`message_order="asc"`, as the documented example), a 500 for large pages
(`error_above_limit=50`, observed), a 429 with Retry-After (`rate_limited`, observed), and these
data variants (`build_conversations` and `create_app` take the same flags): `member_ids`
(ACoAA member ids, id-encoded profile URLs), `own_sender_listed` (our sender among the
participants), `trailing_whitespace`, `images_without_attachments`, `direction_names` (renamed
direction values). All observed, none documented; the exact values are invented.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import datetime
from random import Random
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leadinbox_mcp.sandbox import kernel
from leadinbox_mcp.sandbox.sendpilot.story import PREVIEW_CHARS, SENDER_ACCOUNTS, build_conversations, vary

SANDBOX_API_KEY = "sp_sandbox_pipewise_7c41e9a2b3"
"""The API key the sandbox emulator accepts."""

DEFAULT_LIMIT = 20
DEFAULT_MESSAGE_LIMIT = 50
MAX_LIMIT = 100
MAX_MESSAGE_CHARS = 8000  # documented: the most a sent message may hold
# The four numbers above and PREVIEW_CHARS (story.py) are documented. What the emulator does
# beyond the documentation is marked "invented", "observed" or ASSUMED where it does it.


def _envelope(refusal: kernel.Refused) -> Response:
    """SendPilot's error shape. The 400 is documented; the texts of the 400s are invented."""
    body = {"statusCode": refusal.status, "message": refusal.message, "error": kernel.reason(refusal.status)}
    return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)


def _route_error(request: Request, status: int) -> str:
    # Invented: the texts (NestJS's usual ones), and 405, which SendPilot does not document.
    return {404: "Cannot GET " + request.url.path, 405: "Method not allowed"}.get(status, kernel.reason(status))


def _gate(api_key: str, outage: bool, rate_limited: int | None) -> kernel.Check:
    """The `check` of the kernel: the X-API-Key header, then the outage and rate-limit switches."""

    def check(request: Request) -> None:
        key = request.headers.get("x-api-key", "").strip()
        if not key:
            raise kernel.Refused(401, "Missing API key")
        if key != api_key:
            raise kernel.Refused(401, "Invalid API key")
        if outage:
            raise kernel.Refused(500, "Internal server error")
        if rate_limited is not None:
            # Observed, not documented: a 429 with Retry-After. The body's text is invented.
            raise kernel.Refused(429, "Too many requests", {"Retry-After": str(rate_limited)})

    return check


def _encode_token(payload: dict[str, str]) -> str:
    """Base64 JSON like the seed's {"continuation": "<ms>"}; the other fields are invented."""
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError):
        raise kernel.Refused(400, "Invalid continuationToken") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("continuation"), str):
        raise kernel.Refused(400, "Invalid continuationToken")
    return payload


def _activity_ms(row: dict[str, Any]) -> int:
    stamp = row.get("lastActivityAt") or row.get("updatedAt") or row.get("createdAt")
    return int(kernel.parse_time(stamp).timestamp() * 1000) if stamp else 0


class _Inbox:
    """The endpoints, over a snapshot of the conversations taken when the app is created."""

    def __init__(
        self,
        conversations: list[dict[str, Any]],
        pagination: str,
        message_order: str,
        error_above_limit: int | None = None,
        *,
        clock: kernel.Clock | None = None,
        sent_word: str = "sent",
    ) -> None:
        self.pagination = pagination
        self.message_order = message_order
        self.error_above_limit = error_above_limit
        self.accounts = set(SENDER_ACCOUNTS) | {c["accountId"] for c in conversations}
        self.by_id = {c["id"]: c for c in conversations}
        self.rows: list[tuple[tuple[int, str], dict[str, Any]]] = []
        self._index()
        self.clock = clock or kernel.Clock(None)
        self.sent_word = sent_word
        self.rng = Random("sendpilot sends")

    def _index(self) -> None:
        keyed = [
            ((_activity_ms(c), c["id"]), {k: v for k, v in c.items() if k != "messages"}) for c in self.by_id.values()
        ]
        keyed.sort(key=lambda item: item[0], reverse=True)  # newest first, ties by id
        self.rows = keyed

    def _account(self, request: Request, required: bool) -> str | None:
        account = (request.query_params.get("accountId") or "").strip() or None
        if account is None:
            if required:
                raise kernel.Refused(400, "accountId is required")
            return None
        if account not in self.accounts:  # documented 403 (another workspace); the text is invented
            raise kernel.Refused(403, "You do not have access to this LinkedIn account")
        return account

    async def list_conversations(self, request: Request) -> Response:
        limit = kernel.int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        if self.error_above_limit is not None and limit > self.error_above_limit:
            # Observed by integrators: limit=100 answers 500 where 50 works. The text is invented.
            raise kernel.Refused(500, "Internal server error")
        page = kernel.int_param(request, "page", 1, 1, None)
        account = self._account(request, required=False)
        rows = [(key, row) for key, row in self.rows if account is None or row["accountId"] == account]
        token = request.query_params.get("continuationToken") or None
        if token is not None:
            payload = _decode_token(token)
            if not payload["continuation"].isdigit() or not isinstance(payload.get("id"), str):
                raise kernel.Refused(400, "Invalid continuationToken")
            after = (int(payload["continuation"]), payload["id"])
            start = next((i for i, (key, _) in enumerate(rows) if key < after), len(rows))
        else:
            start = (page - 1) * limit
        chunk, has_more = kernel.window(rows, start, limit)
        if self.pagination == "token":
            last_key = chunk[-1][0] if chunk else None
            pagination: dict[str, Any] = {
                "continuationToken": _encode_token({"continuation": str(last_key[0]), "id": last_key[1]})
                if has_more and last_key
                else None,
                "limit": limit,
                "hasMore": has_more,
            }
        else:
            pagination = {
                "page": start // limit + 1,
                "limit": limit,
                "total": len(rows),
                "totalPages": math.ceil(len(rows) / limit),
            }
            if self.pagination == "pages_has_more":  # the second reading's documented variant
                pagination["hasMore"] = has_more
        return JSONResponse({"conversations": [row for _, row in chunk], "pagination": pagination})

    async def list_messages(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        account = self._account(request, required=True)
        limit = kernel.int_param(request, "limit", DEFAULT_MESSAGE_LIMIT, 1, MAX_LIMIT)
        conversation = self.by_id.get(conversation_id)
        if conversation is None or conversation["accountId"] != account:
            # Invented: another sender account's conversation is a 404 here (the API may say 403).
            raise kernel.Refused(404, "Conversation not found")
        start = 0
        token = request.query_params.get("continuationToken") or None
        if token is not None:
            payload = _decode_token(token)
            if payload.get("conversationId") != conversation_id or not payload["continuation"].isdigit():
                raise kernel.Refused(400, "Invalid continuationToken")
            start = int(payload["continuation"])
        chunk, has_more = kernel.window(self._ordered(conversation), start, limit)
        return JSONResponse(
            {
                "conversationId": conversation_id,
                "messages": chunk,
                "pagination": {
                    "hasMore": has_more,
                    "continuationToken": _encode_token(
                        {"continuation": str(start + limit), "conversationId": conversation_id}
                    )
                    if has_more
                    else None,
                },
            }
        )

    def _ordered(self, conversation: dict[str, Any]) -> list[dict[str, Any]]:
        messages = list(conversation.get("messages") or [])
        if self.message_order == "desc":
            messages.reverse()
        elif self.message_order == "shuffled":
            Random(f"shuffle:{conversation['id']}").shuffle(messages)
        return messages

    # -- the send ----------------------------------------------------------------------------

    async def send(self, request: Request) -> Response:
        """POST /v1/inbox/send.

        ASSUMED (the docs show the body, the answer and the 1st-degree rule):
        - the answer is a 201 (NestJS's default for a POST; 200 and 201 are both documented);
        - `senderId` is a sender account id (`accountId` of the listing), required; one outside
          the workspace is the documented 403;
        - a 1st-degree connection is a participant of one of that sender's conversations (not
          the sender's own member), named by its profile URL (scheme, `www.`, case, query and a
          trailing slash do not matter); anyone else is a 400. The message joins the most
          recent such conversation; `campaignId` and `leadId` are accepted and not used;
        - the older body `{leadId, message, senderId?}` is refused (400): this emulator knows no
          leads (its data are LinkedIn conversations, whose participants carry member ids and
          profile URLs, not SendPilot lead ids), so it cannot tell whom a lead id names;
        - the message is sent at once: `readStatus` "unknown" (as the data's unanswered
          messages), `contentType` "TEXT"; the row's unreadCount does not change.
        """
        body = await kernel.json_object(request)
        message = kernel.text_field(body, "message", required=True, max_chars=MAX_MESSAGE_CHARS)
        assert message is not None
        recipient_url = kernel.text_field(body, "recipientLinkedinUrl")
        sender_id = kernel.text_field(body, "senderId")
        for name in ("campaignId", "leadId"):
            kernel.text_field(body, name)
        if recipient_url is None or not recipient_url.strip():
            if body.get("leadId") is not None:
                raise kernel.Invalid(
                    "Sending to a leadId is not supported by this emulator (it knows no leads): "
                    "send recipientLinkedinUrl",
                    "leadId",
                )
            raise kernel.Invalid("recipientLinkedinUrl is required", "recipientLinkedinUrl")
        if sender_id is None or not sender_id.strip():
            raise kernel.Invalid("senderId is required", "senderId")
        if sender_id not in self.accounts:  # documented 403 (another workspace); the text is invented
            raise kernel.Refused(403, "You do not have access to this LinkedIn account")
        found = self._connection(sender_id, _profile_key(recipient_url))
        if found is None:
            raise kernel.Refused(400, "The recipient is not a 1st-degree connection of this sender")
        conversation, participant = found
        now = self.clock()
        sent = {
            "id": "2-" + base64.urlsafe_b64encode(self.rng.getrandbits(192).to_bytes(24, "big")).decode().rstrip("="),
            "content": message,
            "sender": self._us(conversation),
            "recipient": {k: participant[k] for k in ("id", "name", "profileUrl") if k in participant},
            "direction": self.sent_word,
            "sentAt": kernel.iso(now),
            "readStatus": "unknown",
            "contentType": "TEXT",
            "attachments": [],
        }
        changed = {
            **conversation,
            "lastMessage": {
                "content": kernel.preview(message, PREVIEW_CHARS),
                "sentAt": sent["sentAt"],
                "direction": self.sent_word,
            },
            "lastActivityAt": sent["sentAt"],
            "updatedAt": sent["sentAt"],
            "messages": [*(conversation.get("messages") or []), sent],
        }
        self.by_id[changed["id"]] = changed  # a new dict: the data the app was given never changes
        self._index()
        answer = {
            "success": True,
            "messageId": sent["id"],
            "recipientLinkedinUrl": recipient_url,
            "status": "sent",
            "timestamp": sent["sentAt"],
        }
        return JSONResponse(answer, status_code=201)

    def _us(self, conversation: dict[str, Any]) -> dict[str, Any]:
        """Our LinkedIn identity as the sender of a message: as the sender's earlier messages
        show it (this conversation's, else another of the account's), else the account."""
        account = conversation["accountId"]
        pools = [conversation, *(c for c in self.by_id.values() if c["accountId"] == account)]
        for c in pools:
            for m in c.get("messages") or []:
                if m.get("direction") == self.sent_word and isinstance(m.get("sender"), dict):
                    return dict(m["sender"])
        return {"id": account, "name": SENDER_ACCOUNTS.get(account)}

    def _connection(self, sender_id: str, wanted: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The sender's most recent conversation with the member of that profile, and the member."""
        for _, row in self.rows:  # newest first
            if row["accountId"] != sender_id:
                continue
            conversation = self.by_id[row["id"]]
            ours = _profile_key(self._us(conversation).get("profileUrl") or "")
            for participant in conversation.get("participants") or []:
                key = _profile_key(participant.get("profileUrl") or "")
                if key and key == wanted and key != ours:
                    return conversation, participant
        return None


def _profile_key(url: str) -> str:
    """A LinkedIn profile URL as compared: host without `www.`, path without a trailing slash,
    no scheme, query or fragment, lower case."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}".casefold() if host else ""


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    now: datetime | None = None,
    conversations: list[dict[str, Any]] | None = None,
    pagination: Literal["token", "pages", "pages_has_more"] = "token",
    message_order: Literal["asc", "desc", "shuffled"] = "desc",
    outage: bool = False,
    error_above_limit: int | None = None,
    rate_limited: int | None = None,
    member_ids: bool = False,
    own_sender_listed: bool = False,
    trailing_whitespace: bool = False,
    images_without_attachments: bool = False,
    direction_names: tuple[str, str] | None = None,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts. `pagination` chooses the envelope of the conversation
    list: `token` ({continuationToken, limit, hasMore}), `pages` ({page, limit, total,
    totalPages}) or `pages_has_more` (the same with `hasMore`, as the second reading documents
    it); `continuationToken` and `page` are honoured either way. `message_order` is the order the
    messages endpoint pages through: newest first (`desc`, the default; an assumption, the order
    is not documented), oldest first (`asc`, as the documented example), or a fixed shuffle per
    conversation. `outage` answers every authenticated request with the documented 500;
    `error_above_limit` answers 500 to conversation requests with a larger `limit` (observed
    with 100); `rate_limited` answers every authenticated request 429 with that Retry-After
    (observed). `conversations` defaults to `build_conversations(now=now)`; the data flags
    (`member_ids` ... `direction_names`, see `vary`) apply to either.
    The send (module docstring) changes this app's copy of the data, never `conversations`
    itself; what it sends is dated by the kernel's `Clock(now)`, its direction the data's
    (`direction_names[0]` when given).
    `app.state.requests` lists `(method, path, query)` for every request received, refused ones
    included; `app.state.fail` is the kernel's failure switch.
    """
    if not api_key:
        raise ValueError("the emulator needs the API key it accepts")
    if pagination not in ("token", "pages", "pages_has_more"):
        raise ValueError("pagination must be 'token', 'pages' or 'pages_has_more'")
    if message_order not in ("asc", "desc", "shuffled"):
        raise ValueError("message_order must be 'asc', 'desc' or 'shuffled'")
    data = conversations if conversations is not None else build_conversations(now=now)
    data = vary(
        data,
        member_ids=member_ids,
        own_sender_listed=own_sender_listed,
        trailing_whitespace=trailing_whitespace,
        images_without_attachments=images_without_attachments,
        direction_names=direction_names,
    )
    inbox = _Inbox(
        data,
        pagination,
        message_order,
        error_above_limit,
        clock=kernel.Clock(now),
        sent_word=direction_names[0] if direction_names else "sent",
    )
    routes = []
    for prefix in ("", "/api"):  # older documentation pages show an /api prefix
        routes += [
            Route(prefix + "/v1/inbox/conversations", inbox.list_conversations, methods=["GET"]),
            Route(prefix + "/v1/inbox/conversations/{conversation_id}/messages", inbox.list_messages, methods=["GET"]),
            Route(prefix + "/v1/inbox/send", inbox.send, methods=["POST"]),
        ]
    return kernel.emulator_app(
        routes, check=_gate(api_key, outage, rate_limited), envelope=_envelope, route_error=_route_error
    )
