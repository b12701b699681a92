"""A local emulator of the InboxBase conversations API, served from a seeded, realistic data set.

Like stripe-mock or moto: the documented routes and JSON shapes (PROVIDERS.md, seed 004) served by
a small Starlette app, so that the sandbox and the tests run without the real service.

    GET /v1/identities/{handle}/conversations           summary rows, newest first by lastEventAt
    GET /v1/identities/{handle}/conversations/{convId}  one conversation and its whole timeline

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

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from leadinbox_mcp.sandbox.inboxbase.story import (
    SANDBOX_IDENTITIES,
    EventShape,
    WithForm,
    build_conversations,
    iso_ms,
    ms_of,
)
from leadinbox_mcp.sandbox.kernel import Refused, emulator_app, int_param, window

SANDBOX_API_KEY = "sk_sandbox_pipewise_b81d4e6a2c"
"""The key (``sk_...``) the sandbox emulator accepts."""

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


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


class _Refused(Refused):
    """A refusal with InboxBase's `details`."""

    def __init__(
        self, status: int, error: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, error, headers)
        self.details = details


def _envelope(refusal: Refused) -> Response:
    body: dict[str, Any] = {"error": refusal.message}
    details = getattr(refusal, "details", None)
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=refusal.status, headers=refusal.headers)


def _route_error(request: Request, status: int) -> str:
    """The router's own 404 / 405 (unused: one route takes every path and method)."""
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
    ) -> None:
        self.api_key = api_key
        self.auth_texts = auth_texts
        self.transient_failures = transient_failures
        self.by_handle = {h.casefold(): h for h in data}
        self.rows = {h: rows_of(cs) for h, cs in data.items()}
        self.conversations = {h: {c["id"]: c for c in cs} for h, cs in data.items()}
        self.failures = {h.casefold(): code for h, code in failures.items()}

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
        """Every path and method: the route shapes are checked here, on the raw path, so that an
        empty or encoded segment reaches the handle and conversation lookups as sent."""
        path = request.scope["path"]
        parts = path.split("/")
        if len(parts) not in (5, 6) or parts[:3] != ["", "v1", "identities"] or parts[4] != "conversations":
            raise _Refused(404, "not found", {"path": path})
        if request.method != "GET":
            raise _Refused(405, "method not allowed", {"method": request.method})
        handle = self.by_handle.get(unquote(parts[3]).casefold())
        if handle is None:
            raise _Refused(404, "identity not found in org", {"handle": unquote(parts[3])})
        failure = self.failures.get(handle.casefold())
        if failure is not None:
            raise self._failure(failure, handle)
        if len(parts) == 5:
            return self._list(handle, request)
        conv_id = unquote(parts[5])
        conversation = self.conversations[handle].get(conv_id)
        if conversation is None:
            raise _Refused(404, "conversation not found", {"handle": handle, "convId": conv_id})
        return JSONResponse({"identity": handle, "conversation": conversation})

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
            limit = int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, max_digits=19)
        except Refused:
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
        page, more = window(rows, 0, limit)
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
    api = _Api(api_key, data, failures or {}, auth_texts, transient_failures)

    routes = [Route("/{path:path}", api.respond, methods=None)]  # every path and method: see `respond`
    app = emulator_app(routes, check=api.check, envelope=_envelope, route_error=_route_error)
    app.add_middleware(_RawPath)  # added last, so outermost: the kernel's gate logs the raw path
    return app
