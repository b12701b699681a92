"""A local emulator of the InboxBase conversations API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 004) served by
a small Starlette app, so that the sandbox and the tests run without the real service.

    GET /v1/identities/{handle}/conversations           summary rows, newest first by lastEventAt
    GET /v1/identities/{handle}/conversations/{convId}  one conversation and its whole timeline
    POST /v1/identities/{handle}/send                   a new conversation, or a reply in one

The send (PROVIDERS.md, "Second reading") takes a new conversation `{to, subject, text, html,
inReplyTo?, references?}` or a reply `{convId, text, html?}`, and an optional `Idempotency-Key`
header: the same key with the same body answers the first answer again without sending twice;
with another body, 409. What it sends is in later reads: a message event from the identity at
the end of the conversation (in the shape the conversation's other events have), its list row
moved. What the docs leave open is decided in `_Api.send` and marked ASSUMED there.

The handle is URL-encoded in the path (`alice.pipewise%40inboxbase.ai`); an unencoded `@` is
accepted as well. Listing filters, AND-combined: `archived` (true | false), `with` (exact address,
case-blind), `withDomain` (suffix match at a label boundary: `acme.com` matches `bob@us.acme.com`,
never `ann@notacme.com`), `since` / `until` (inclusive bounds on lastEventAt, Unix ms), `cursor`
(strictly older than that lastEventAt) and `limit` (1..200, default 50). Rows with equal
lastEventAt come in id order. `nextCursor` is the lastEventAt of the page's last row when more
rows follow, else null: exactly the documented cursor, with its documented flaw (rows that share
that timestamp but did not fit on the page are skipped by the next page).

The data set (`story.build_conversations`, its cast and stories in `data/inboxbase.toml`) is a
fictional vendor, Pipewise, whose two AI sales agents (the identities alice.pipewise@ and
bob.pipewise@inboxbase.ai) email prospects: about 20 conversations each, with replies quoted the
way Gmail (`div.gmail_quote`), Outlook (`divRplyFwdMsg`), Apple Mail (`blockquote type="cite"`)
and plain-text clients (`>` lines) quote, HTML-only and text-only messages, attachments, a bounce
from mailer-daemon, label churn, archived and unarchived threads, no-reply timers, companies with
sub-domains (us.acme.com, eu.acme.com) and look-alikes (notacme.com, acme.com.au), and many
conversations whose last event happened in the same millisecond (groups of 2 to 5: bulk
archives, bulk labels, batch sends), placed so that they straddle page boundaries for page sizes
2, 3, 5 and 7.

Variants, each behind an option of `create_app` (the defaults serve the seed's shapes, unchanged):

- `event_shape="documented"`: conversations as docs.12m.ai documents them (PROVIDERS.md, second
  reading): message events without `direction`, `from` as "Name <address>" (the identity sends
  as its handle), `to` / `cc` as strings (our reply to a cc'd message goes to several, "Name <a>,
  b@c": our choice of data), only the documented message fields (no attachments, no Message-ID
  header), and `lastEventAtIso`, `noReplyAt(Iso)` (a pending timer; its policy is assumed) and
  `lastNoReplyAt(Iso)` on the conversation.
- `with_form="name"`: `with` as "Name <address>" in rows and conversations; the `with` and
  `withDomain` filters match the address only (assumed: the docs call `with` an email).
- `auth_texts="documented"`: the documented 401 texts (`missing api key`, `invalid api key
  format`, `invalid api key`) instead of the seed-era ones.
- `transient_failures=N`: the first N authenticated requests answer 500 (the docs ask clients to
  retry 5xx with backoff); `failures` makes every request on a handle fail.

The 404 for an identity outside the org is the documented one in every mode:
`{"error": "identity not found in org", "details": {"handle": "..."}}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.utils import formataddr, parseaddr
from random import Random
from typing import Any, Literal
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.sandbox import kernel
from leadinbox_mcp.sandbox.inboxbase.story import (
    HOUR,
    SANDBOX_IDENTITIES,
    EventShape,
    WithForm,
    build_conversations,
    iso_ms,
    ms_of,
    snippet_of,
    to_ms,
)

SANDBOX_API_KEY = "sk_sandbox_pipewise_b81d4e6a2c"
"""The key (``sk_...``) the sandbox emulator accepts."""

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
NO_REPLY_WAIT_MS = 72 * HOUR
"""ASSUMED, as the data set's documented shape: the no-reply timer is due 72 hours after our
last message."""
IDEMPOTENCY_KEYS = 10_000
"""ASSUMED: how many Idempotency-Keys the emulator remembers (the oldest are forgotten); the docs
give no lifetime."""
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def rows_of(conversations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The list rows of conversations, in the API's order: newest lastEventAt first, equal ones by
    id. Documented fields only: id, with, subject, snippet, messageCount, archived, lastEventAt,
    lastEventAtIso, createdAt, createdAtIso."""
    rows = []
    for c in conversations:
        events = c.get("events") or []
        messages = [e["message"] for e in events if e.get("type") == "message" and e.get("message")]
        last = ms_of(c, "lastEventAt")
        if last is None:
            raise ValueError(f"conversation {c.get('id')!r} has neither lastEventAt nor lastEventAtIso")
        created = ms_of(events[0], "ts") if events else None
        created = last if created is None else created
        rows.append(
            {
                "id": c["id"],
                "with": c.get("with"),
                "subject": c.get("subject"),
                "snippet": messages[-1].get("snippet") if messages else None,
                "messageCount": c.get("messageCount", len(messages)),
                "archived": bool(c.get("archived", False)),
                "lastEventAt": last,
                "lastEventAtIso": iso_ms(last),
                "createdAt": created,
                "createdAtIso": iso_ms(created),
            }
        )
    rows.sort(key=lambda r: r["id"])
    rows.sort(key=lambda r: r["lastEventAt"], reverse=True)
    return rows


# --------------------------------------------------------------------------------------------
# Refusals: {"error": ..., "details": {...}}
# --------------------------------------------------------------------------------------------

# Assumed throughout: the texts and `details` of 400, 405, the route 404 ("not found") and the
# conversation 404 ("conversation not found"); only the shape {error, details} and the identity
# 404 ("identity not found in org", details {handle}) are documented.


class _Refused(kernel.Refused):
    """A refusal with InboxBase's `details`."""

    def __init__(
        self, status: int, error: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, error, headers)
        self.details = details


def _envelope(refusal: kernel.Refused) -> Response:
    body: dict[str, Any] = {"error": refusal.message}
    details = getattr(refusal, "details", None)
    if details is None and isinstance(refusal, kernel.Invalid):  # a send's body: which field, if one
        details = {"field": refusal.field} if refusal.field else {}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)


def _route_error(request: Request, status: int) -> str:
    """The router's own 405: a method other than GET (POST on .../send). Its 404 is unused: a
    route takes every path."""
    return "not found" if status == 404 else "method not allowed"


def _bad(param: str, expected: str) -> _Refused:
    return _Refused(400, f"invalid query parameter '{param}'", {"param": param, "expected": expected})


def _millis(request: Request, name: str) -> int | None:
    """A time in Unix milliseconds, signed (the kernel's `int_param` reads unsigned numbers)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"-?[0-9]{1,19}", raw.strip()):
        raise _bad(name, "an integer (Unix milliseconds)")
    return int(raw)


def _ulid(ms: int, rng: Random) -> str:
    """A ULID: 48 bits of milliseconds, 80 random bits, in Crockford's base 32."""
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _domain_of(email: str | None) -> str:
    return (email or "").rpartition("@")[2].strip().lower().rstrip(".")


def _address(with_: str | None) -> str:
    """The address of a `with` value: inside the closing angle brackets of "Name <address>"."""
    text = (with_ or "").strip()
    if text.endswith(">") and "<" in text:
        return text[text.rfind("<") + 1 : -1].strip()
    return text


# --------------------------------------------------------------------------------------------
# The HTTP application
# --------------------------------------------------------------------------------------------


class _RawPath:
    """Routes and logs the path as sent, percent-encoding kept: a handle may hold an encoded '/'
    (`carol%2Fops%40inboxbase.ai`), and the request log shows what the client sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode()
            scope = {**scope, "path": raw.decode("latin-1")}
        await self.app(scope, receive, send)


class _Api:
    """Authentication and the two endpoints, over a snapshot of the data."""

    def __init__(
        self,
        api_key: str,
        data: Mapping[str, Sequence[Mapping[str, Any]]],
        failures: Mapping[str, int],
        auth_texts: str,
        transient_failures: int,
        *,
        event_shape: EventShape = "seed",
        with_form: WithForm = "address",
        clock: kernel.Clock | None = None,
    ) -> None:
        self.api_key = api_key
        self.auth_texts = auth_texts
        self.transient_failures = transient_failures
        self.by_handle = {h.casefold(): h for h in data}
        self.rows = {h: rows_of(cs) for h, cs in data.items()}
        self.conversations: dict[str, dict[str, Mapping[str, Any]]] = {
            h: {c["id"]: c for c in cs} for h, cs in data.items()
        }
        self.failures = {h.casefold(): code for h, code in failures.items()}
        self.event_shape = event_shape
        self.with_form = with_form
        self.clock = clock or kernel.Clock(None)
        self.rng = Random("inboxbase sends")
        self.sent: dict[str, tuple[str, dict[str, Any]]] = {}  # Idempotency-Key -> (body, answer)

    def check(self, request: Request) -> None:
        """Authenticates, then spends one transient failure if any is left."""
        if self.auth_texts == "documented":
            self._documented_auth(request.headers.get("authorization"))
        else:
            self._seed_auth(request.headers.get("authorization"))
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise _Refused(500, "internal error")  # the text is assumed; the docs say only "5xx: retry"

    def _seed_auth(self, header: str | None) -> None:
        # The seed-era texts and details are this emulator's own (no document states them).
        if not header or not header.strip():
            raise _Refused(401, "missing API key", {"expected": "Authorization: Bearer sk_..."})
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith("sk_") or " " in token:
            raise _Refused(401, "malformed API key", {"expected": "Authorization: Bearer sk_..."})
        if token != self.api_key:
            raise _Refused(401, "invalid API key")

    def _documented_auth(self, header: str | None) -> None:
        """The documented 401 texts. Which header mistakes count as "missing" (no header, no
        token) rather than "format" (another scheme, a key not starting sk_) is assumed."""
        scheme, _, token = (header or "").strip().partition(" ")
        token = token.strip()
        if not scheme or (scheme.lower() == "bearer" and not token):
            raise _Refused(401, "missing api key")
        if scheme.lower() != "bearer" or not token.startswith("sk_") or " " in token:
            raise _Refused(401, "invalid api key format")
        if token != self.api_key:
            raise _Refused(401, "invalid api key")

    async def respond(self, request: Request) -> Response:
        """Every GET but the send: the route shapes are checked here, on the raw path, so that an
        empty or encoded segment reaches the handle and conversation lookups as sent."""
        path = request.scope["path"]
        parts = path.split("/")
        if len(parts) not in (5, 6) or parts[:3] != ["", "v1", "identities"] or parts[4] != "conversations":
            raise _Refused(404, "not found", {"path": path})
        if request.method != "GET":
            raise _Refused(405, "method not allowed", {"method": request.method})
        handle = self._handle(parts[3])
        if len(parts) == 5:
            return self._list(handle, request)
        conv_id = unquote(parts[5])
        conversation = self.conversations[handle].get(conv_id)
        if conversation is None:
            raise _Refused(404, "conversation not found", {"handle": handle, "convId": conv_id})
        return JSONResponse({"identity": handle, "conversation": conversation})

    def _handle(self, segment: str) -> str:
        """The identity of a path segment (URL-encoded), unless it is not of the org or fails."""
        handle = self.by_handle.get(unquote(segment).casefold())
        if handle is None:
            raise _Refused(404, "identity not found in org", {"handle": unquote(segment)})
        failure = self.failures.get(handle.casefold())
        if failure is not None:
            raise self._failure(failure, handle)
        return handle

    # -- the send ----------------------------------------------------------------------------

    async def send(self, request: Request) -> JSONResponse:
        """POST /v1/identities/{handle}/send.

        ASSUMED (the docs show the two bodies, the header and "a 200 may list rejected
        recipients with a reason"):
        - the answer is 200 `{"id": "msg_...", "convId": "conv_...", "status": "sent",
          "rejected": [{"address", "reason"}]}`;
        - a body with `convId` is a reply: `text` and/or `html` (one of them required), sent to
          the conversation's correspondent with "Re: " and its subject; a conversation of
          another identity, or none, is a 404;
        - otherwise a new conversation: `to` (an address, "Name <address>", or a list of them),
          `subject` and `text` and/or `html` required; a recipient that is no address is
          rejected (listed, not sent to), and a send with none left is a 400. `inReplyTo` and
          `references` (strings) are accepted and not used: every such send starts a
          conversation with its first recipient;
        - an Idempotency-Key (1..255 characters) is the org's: the same key on another identity
          is another body. Bodies are compared as JSON values, not bytes. Only sends that went
          out are remembered (a refused one may be retried with its key).
        """
        handle = self._handle(request.path_params["handle"])
        key = request.headers.get("idempotency-key")
        if key is not None:
            key = key.strip()
            if not 1 <= len(key) <= 255:
                raise _Refused(400, "invalid Idempotency-Key", {"expected": "1 to 255 characters"})
        body = await kernel.json_object(request)
        fingerprint = json.dumps([handle, body], sort_keys=True, separators=(",", ":"))
        if key is not None and key in self.sent:
            first, answer = self.sent[key]
            if first != fingerprint:
                raise _Refused(409, "idempotency key reused with a different body", {"idempotencyKey": key})
            return JSONResponse(answer)
        answer = self._reply(handle, body) if "convId" in body else self._start(handle, body)
        if key is not None:
            self.sent[key] = (fingerprint, answer)
            while len(self.sent) > IDEMPOTENCY_KEYS:
                del self.sent[next(iter(self.sent))]
        return JSONResponse(answer)

    @staticmethod
    def _bodies(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
        text, html = kernel.text_field(body, "text"), kernel.text_field(body, "html")
        if not (text or "").strip() and not (html or "").strip():
            raise kernel.Invalid("'text' or 'html' is required.", "text")
        return text, html

    def _reply(self, handle: str, body: Mapping[str, Any]) -> dict[str, Any]:
        conv_id = kernel.text_field(body, "convId", required=True)
        assert conv_id is not None
        conversation = self.conversations[handle].get(conv_id)
        if conversation is None:
            raise _Refused(404, "conversation not found", {"handle": handle, "convId": conv_id})
        text, html = self._bodies(body)
        subject = conversation.get("subject") or ""
        if subject and not subject[:3].casefold() == "re:":
            subject = f"Re: {subject}"
        with_ = conversation.get("with") or ""
        event = self._event(handle, self._shape(handle, conversation), [with_], subject, text, html)
        self._store(handle, conversation, event)
        return self._answer(event, conv_id, [])

    def _start(self, handle: str, body: Mapping[str, Any]) -> dict[str, Any]:
        raw_to = body.get("to")
        recipients = [raw_to] if isinstance(raw_to, str) else kernel.string_list(body, "to")
        if not any(r.strip() for r in recipients):
            raise kernel.Invalid("'to' is required.", "to")
        subject = kernel.text_field(body, "subject", required=True)
        assert subject is not None
        text, html = self._bodies(body)
        kernel.text_field(body, "inReplyTo")
        if not isinstance(body.get("references"), str):
            kernel.string_list(body, "references")
        accepted, rejected = [], []
        for recipient in recipients:
            name, address = parseaddr(recipient)
            if kernel.is_email(address):
                accepted.append((name, address))
            else:
                rejected.append({"address": recipient, "reason": "invalid address"})
        if not accepted:
            raise _Refused(400, "no valid recipient", {"rejected": rejected})
        name, address = accepted[0]
        with_ = formataddr((name, address)) if self.with_form == "name" and name else address
        conv_id = f"conv_{self.rng.getrandbits(64):016x}"
        shape = self._shape(handle, None)
        conversation: dict[str, Any] = {
            "id": conv_id,
            "with": with_,
            "subject": subject,
            "messageCount": 0,
            "archived": False,
            "labels": [],
            "lastEventAt": None,
        }
        if shape == "documented":
            conversation |= {"lastEventAtIso": None, "noReplyAt": None, "noReplyAtIso": None}
            conversation |= {"lastNoReplyAt": None, "lastNoReplyAtIso": None}
        else:
            conversation |= {"noReplyAt": None, "lastNoReplyAt": None}
        conversation["events"] = []
        to = [formataddr(pair) if pair[0] else pair[1] for pair in accepted]
        event = self._event(handle, shape, to, subject, text, html)
        self._store(handle, conversation, event)
        return self._answer(event, conv_id, rejected)

    def _shape(self, handle: str, conversation: Mapping[str, Any] | None) -> EventShape:
        """The shape of the conversation's message events (the seed's has `direction`), else
        of the identity's other conversations, else the app's `event_shape`."""
        pools = [[conversation] if conversation is not None else [], self.conversations[handle].values()]
        for pool in pools:
            for c in pool:
                for e in c.get("events") or []:
                    if e.get("type") == "message" and isinstance(e.get("message"), dict):
                        return "seed" if "direction" in e["message"] else "documented"
        return self.event_shape

    def _sender(self, handle: str) -> str:
        """How the identity signs: the `from` of its messages in the data (the seed shape sends
        from a backing mailbox, the documented one as the handle), else the handle itself."""
        for c in self.conversations[handle].values():
            for e in c.get("events") or []:
                m = e.get("message") if e.get("type") == "message" else None
                if isinstance(m, dict) and m.get("from"):
                    ours = m.get("direction") == "outbound" or (
                        "direction" not in m and parseaddr(m["from"])[1].casefold() == handle.casefold()
                    )
                    if ours:
                        return str(m["from"])
        return handle

    def _event(
        self, handle: str, shape: EventShape, to: list[str], subject: str, text: str | None, html: str | None
    ) -> dict[str, Any]:
        """A message event from the identity, dated now, in `shape`."""
        ts = to_ms(self.clock())
        sender = self._sender(handle)
        snippet = snippet_of(text if text and text.strip() else kernel.text_of_html(html or ""))
        message_id = f"msg_{self.rng.getrandbits(64):016x}"
        if shape == "documented":
            message: dict[str, Any] = {
                "id": message_id,
                "from": sender,
                "to": ", ".join(to),
                "cc": "",
                "subject": subject,
                "text": text,
                "html": html,
                "snippet": snippet,
                "ts": ts,
            }
        else:
            domain = parseaddr(sender)[1].rpartition("@")[2] or "inboxbase.ai"
            message = {
                "id": message_id,
                "messageIdHeader": f"<{self.rng.getrandbits(80):020x}@{domain}>",
                "direction": "outbound",
                "from": sender,
                "to": [parseaddr(t)[1] or t for t in to],
                "cc": [],
                "subject": subject,
                "text": text,
                "html": html,
                "snippet": snippet,
                "ts": ts,
                "tsIso": iso_ms(ts),
            }
        event_id = "evt_" + _ulid(ts, self.rng)
        return {"id": event_id, "type": "message", "ts": ts, "tsIso": iso_ms(ts), "message": message}

    def _store(self, handle: str, conversation: Mapping[str, Any], event: dict[str, Any]) -> None:
        """The conversation with `event` at its end, served from now on (a new dict: the data
        the app was given is never changed), and the identity's rows recomputed."""
        ts = event["ts"]
        changed = {
            **conversation,
            "subject": event["message"]["subject"],
            "messageCount": int(conversation.get("messageCount") or 0) + 1,
            "lastEventAt": ts,
            "events": [*(conversation.get("events") or []), event],
        }
        if "lastEventAtIso" in conversation:
            changed["lastEventAtIso"] = iso_ms(ts)
        if "noReplyAtIso" in conversation:  # the documented shape: our message starts the timer
            changed["noReplyAt"] = ts + NO_REPLY_WAIT_MS
            changed["noReplyAtIso"] = iso_ms(ts + NO_REPLY_WAIT_MS)
        self.conversations[handle][changed["id"]] = changed
        self.rows[handle] = rows_of(list(self.conversations[handle].values()))

    @staticmethod
    def _answer(event: dict[str, Any], conv_id: str, rejected: list[dict[str, str]]) -> dict[str, Any]:
        return {"id": event["message"]["id"], "convId": conv_id, "status": "sent", "rejected": rejected}

    @staticmethod
    def _failure(status: int, handle: str) -> _Refused:
        # Statuses as documented (409, 429, 5xx); their texts, details and Retry-After are assumed.
        if status == 429:
            return _Refused(429, "daily cap exhausted", {"handle": handle}, {"Retry-After": "3600"})
        if status == 409:
            return _Refused(409, "idempotency key reused with a different body", {"handle": handle})
        return _Refused(status, "internal error", {"handle": handle})

    def _list(self, handle: str, request: Request) -> JSONResponse:
        query = request.query_params
        try:
            limit = kernel.int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, max_digits=19)
        except kernel.Refused:
            raise _bad("limit", "an integer 1..200") from None
        archived_raw = (query.get("archived") or "").strip().lower()
        if archived_raw not in ("", "true", "false"):
            raise _bad("archived", "true or false")
        archived = None if not archived_raw else archived_raw == "true"
        with_ = (query.get("with") or "").strip().casefold()
        if with_ and "@" not in with_:
            raise _bad("with", "an email address")
        domain = (query.get("withDomain") or "").strip().lower().lstrip("@").rstrip(".")
        since, until, cursor = _millis(request, "since"), _millis(request, "until"), _millis(request, "cursor")

        def keep(row: dict[str, Any]) -> bool:
            email = _address(row["with"]).casefold()
            found = _domain_of(email)
            ts = row["lastEventAt"]
            return (
                (archived is None or row["archived"] == archived)
                and (not with_ or email == with_)
                and (not domain or found == domain or found.endswith("." + domain))
                and (since is None or ts >= since)
                and (until is None or ts <= until)
                and (cursor is None or ts < cursor)
            )

        rows = [row for row in self.rows[handle] if keep(row)]
        page, more = kernel.window(rows, 0, limit)
        next_cursor = page[-1]["lastEventAt"] if more else None
        return JSONResponse({"identity": handle, "conversations": page, "nextCursor": next_cursor})


def create_app(
    *,
    api_key: str = SANDBOX_API_KEY,
    identities: Sequence[str] = SANDBOX_IDENTITIES,
    now: datetime | None = None,
    conversations: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    seed: int = 7,
    failures: Mapping[str, int] | None = None,
    event_shape: EventShape = "seed",
    with_form: WithForm = "address",
    auth_texts: Literal["seed", "documented"] = "seed",
    transient_failures: int = 0,
) -> Starlette:
    """The emulator as a Starlette app.

    `api_key` is the one key it accepts (``sk_...``, sent as ``Authorization: Bearer``).
    `identities` are the handles of the organisation; any other handle is a 404. `conversations`
    maps handles to their conversations and defaults to `build_conversations(seed=seed, now=now,
    identities=identities)`. `failures` makes every request on a handle answer with that status
    (409, 429 with Retry-After, 500, 503, ...), with the documented error body; its texts and the
    Retry-After of 3600 seconds are assumed. `event_shape`, `with_form` (for the generated data
    only: `conversations` are served as given), `auth_texts` and `transient_failures` choose the
    documented variants described in the module's docstring.
    The send (module docstring) changes this app's copy of the data, never `conversations`
    itself; what it sends is dated by the kernel's `Clock(now)` and shaped as the identity's
    other message events (else as `event_shape`; a new conversation's `with` follows `with_form`).
    `app.state.requests` lists `(method, raw path, query)` for every request received, refused
    ones included; the path is as sent, percent-encoding kept. `app.state.fail`, set to a status,
    makes every authenticated request answer it (the kernel's failure switch).
    """
    if not api_key.startswith("sk_"):
        raise ValueError("an InboxBase API key starts with 'sk_'")
    if auth_texts not in ("seed", "documented") or transient_failures < 0:
        raise ValueError("auth_texts is 'seed' or 'documented'; transient_failures is a count")
    data: Mapping[str, Sequence[Mapping[str, Any]]] = (
        dict(conversations)
        if conversations is not None
        else build_conversations(
            seed=seed, now=now, identities=identities, event_shape=event_shape, with_form=with_form
        )
    )
    unknown = [h for h in data if h not in identities]
    if unknown:
        raise ValueError(f"conversations for handles that are not identities: {unknown}")
    data = {h: list(data.get(h, [])) for h in identities}
    api = _Api(
        api_key,
        data,
        failures or {},
        auth_texts,
        transient_failures,
        event_shape=event_shape,
        with_form=with_form,
        clock=kernel.Clock(now),
    )

    routes = [
        Route("/v1/identities/{handle}/send", api.send, methods=["POST"]),
        # Every other path (GET; the router answers 405 to other methods): see `respond`.
        Route("/{path:path}", api.respond, methods=None),
    ]
    app = kernel.emulator_app(routes, check=api.check, envelope=_envelope, route_error=_route_error)
    app.add_middleware(_RawPath)  # added last, so outermost: the kernel's gate logs the raw path
    return app
