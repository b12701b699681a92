"""Provider JSON under mutation: every wire model parses or refuses cleanly, every mapping of a parsed
document to the domain model succeeds, and the real HTTP path turns anything into a clean result.

Each provider's documents are its documented examples (tests/seeds) and its emulator's realistic
conversations shaped as the API returns them (a list response and a thread response). Hypothesis
mutates them: extra fields, nulls, wrong types (str, int, float, bool, list, dict), special numbers
and dates, 1 MB strings, deep nesting (1,000 and 10,000 levels of lists or dicts), removed keys,
odd Unicode. Then:

- `Model.model_validate` succeeds or raises pydantic.ValidationError, nothing else (no
  RecursionError, no OverflowError);
- the provider client, fed the same JSON, returns a Page / Thread (when the model parsed) or raises
  UpstreamError "cannot read" (when it did not), and every time in the result is UTC;
- through a real server (`build_server` + `mcp.Client`, the body served on loopback),
  list_conversations and get_thread answer with a clean result or one clean sentence.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from helpers import text_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from pydantic import BaseModel, ValidationError
from seed_json import json_examples
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from leadinbox_mcp.providers.errors import UpstreamError
from leadinbox_mcp.providers.inboxbase import wire as inboxbase_wire
from leadinbox_mcp.providers.lemlist import wire as lemlist_wire
from leadinbox_mcp.providers.model import Page, Query, Thread
from leadinbox_mcp.providers.registry import spec_of
from leadinbox_mcp.providers.sendkit import wire as sendkit_wire
from leadinbox_mcp.providers.sendpilot import wire as sendpilot_wire
from leadinbox_mcp.sandbox import inboxbase as inboxbase_emulator
from leadinbox_mcp.sandbox import lemlist as lemlist_emulator
from leadinbox_mcp.sandbox import sendkit as sendkit_emulator
from leadinbox_mcp.sandbox import sendpilot as sendpilot_emulator
from leadinbox_mcp.sandbox.loopback import LoopbackServer
from leadinbox_mcp.server.app import build_server

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEY = "sk_fuzz_key_never_shown_3f7a"
HYPOTHESIS = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# ------------------------------------------------------------------------------------ documents


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _sendkit_documents() -> tuple[list[Any], list[Any]]:
    conversations = sendkit_emulator.build_conversations(now=NOW)
    rows = [sendkit_emulator.list_row(c) for c in conversations]  # the emulator's own GET /v1/inbox row
    lists = [json_examples("000")[0]]
    for page, chunk in enumerate(_chunks(rows, 3)[:4], start=1):
        lists.append(
            {"success": True, "data": chunk, "pagination": {"total": len(rows), "page": page, "limit": 3, "pages": 17}}
        )
        lists.append(
            {
                "success": True,
                "data": chunk,
                "pagination": {"limit": 3, "total": len(rows), "hasMore": True, "nextCursor": chunk[-1]["id"]},
            }
        )
    threads = [next(e for e in json_examples("001") if "data" in e)]
    threads += [{"success": True, "data": c} for c in conversations[:12]]
    return lists, threads


def _sendpilot_documents() -> tuple[list[Any], list[Any]]:
    conversations = sendpilot_emulator.build_conversations(now=NOW)
    rows = [{k: v for k, v in c.items() if k != "messages"} for c in conversations]
    lists = list(json_examples("002"))
    for page, chunk in enumerate(_chunks(rows, 3)[:4], start=1):
        lists.append(
            {
                "conversations": chunk,
                "pagination": {"continuationToken": "eyJjb250aW51YXRpb24iOiIxIn0=", "limit": 3, "hasMore": True},
            }
        )
        lists.append(
            {"conversations": chunk, "pagination": {"page": page, "limit": 3, "total": len(rows), "totalPages": 11}}
        )
    threads = [
        {
            "conversationId": c["id"],
            "messages": list(reversed(c["messages"][-12:])),  # the emulator's default order: newest first
            "pagination": {"hasMore": False, "continuationToken": None},
        }
        for c in conversations[:12]
    ]
    return lists, threads


def _lemlist_documents() -> tuple[list[Any], list[Any]]:
    documents = lemlist_emulator.build_conversations(now=NOW)
    rows = [d["inbox"] for d in documents]
    lists = list(json_examples("003"))
    for page, chunk in enumerate(_chunks(rows, 3)[:4], start=1):
        pagination = {
            "totalItems": len(rows),
            "currentPage": page,
            "nextPage": page + 1,
            "previousPage": page - 1 or None,
            "perPage": 3,
            "totalPages": 11,
        }
        lists.append({"data": chunk, "pagination": pagination})
    threads = [{"data": list(reversed(d["messages"]))} for d in documents[:12]]
    return lists, threads


def _inboxbase_documents() -> tuple[list[Any], list[Any]]:
    data = inboxbase_emulator.build_conversations(now=NOW)
    lists = list(json_examples("004"))
    threads = []
    for handle, conversations in data.items():
        rows = inboxbase_emulator.rows_of(conversations)
        for chunk in _chunks(rows, 3)[:3]:
            lists.append({"identity": handle, "conversations": chunk, "nextCursor": chunk[-1]["lastEventAt"]})
        threads += [{"identity": handle, "conversation": c} for c in conversations[:6]]
    return lists, threads


# ------------------------------------------------------------------------------------ providers


class _Answer:
    """An HttpClient stand-in for the mapping checks: answers every request with one document."""

    def __init__(self, document: Any) -> None:
        self.document = document

    async def get_json(self, call) -> Any:
        return self.document


@dataclass(frozen=True)
class Provider:
    name: str
    """The registry's name, which is also the name of its one account here."""
    list_model: type[BaseModel]
    thread_model: type[BaseModel]
    lists: list[Any]
    threads: list[Any]
    thread_id: str
    """A native id of the right shape, for get_thread."""
    settings: dict[str, str] = field(default_factory=dict)
    """What the provider's settings need besides the key."""

    @property
    def account(self) -> str:
        return self.name

    def accounts(self, base_url: str | None = None) -> Callable:
        """The account factory of the provider's client module (real settings, no environment
        needed): at `base_url`, for the HTTP path, or at the provider's own URL."""
        module = spec_of(self.name).client()
        url = {"base_url": base_url} if base_url else {}
        return module.accounts(module.Settings(api_key=KEY, **self.settings, **url))

    def client(self, http: Any) -> Any:
        """The provider client on `http`."""
        (account,) = self.accounts()(http)
        return account


PROVIDERS = {
    p.name: p
    for p in (
        Provider(
            "sendkit",
            sendkit_wire.InboxList,
            sendkit_wire.ThreadEnvelope,
            *_sendkit_documents(),
            "664a1b2c3d4e5f6a7b8c9d0e",
        ),
        Provider(
            "sendpilot",
            sendpilot_wire.ConversationList,
            sendpilot_wire.MessageList,
            *_sendpilot_documents(),
            "sender_abc:2-OVp-y-UNyFXBYvx0FqmQ",
        ),
        Provider(
            "lemlist",
            lemlist_wire.InboxList,
            lemlist_wire.ContactMessages,
            *_lemlist_documents(),
            "ctc_wfKeM8EmiTikud7QE",
        ),
        Provider(
            "inboxbase",
            inboxbase_wire.ConversationList,
            inboxbase_wire.ThreadEnvelope,
            *_inboxbase_documents(),
            "conv_0123456789abcdef",
            {"identity": "alice@inboxbase.ai"},
        ),
    )
}

# ------------------------------------------------------------------------------------ mutations


@dataclass(frozen=True)
class Huge:
    """A string of about `size` characters made of `unit` (kept small until it is needed)."""

    unit: str
    size: int

    def build(self) -> str:
        return (self.unit * (self.size // len(self.unit) + 1))[: self.size]


@dataclass(frozen=True)
class Deep:
    """`depth` nested lists or dicts (built iteratively: a recursive build would not survive)."""

    depth: int
    kind: str

    def build(self) -> Any:
        value: Any = 0
        for _ in range(self.depth):
            value = [value] if self.kind == "list" else {"a": value}
        return value

    def json(self) -> str:
        if self.kind == "list":
            return "[" * self.depth + "0" + "]" * self.depth
        return '{"a":' * self.depth + "0" + "}" * self.depth


MB = 1_000_000
HUGE_UNITS = ["x", "é", "\u202e", "\x00", " ", "<a", "<", "&#", "\\", '"', "<p>hi</p>", "💥", "a@b.c ", "(", "<x@y>"]
HUGE = st.builds(Huge, st.sampled_from(HUGE_UNITS), st.sampled_from([MB, MB, 100_000, 1_000]))
DEEP = st.builds(Deep, st.sampled_from([1000, 10_000, 50]), st.sampled_from(["list", "dict"]))
ODD_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "\u202e",
                "\u200b",
                "\ufeff",
                "\x00",
                "\n",
                "\r",
                "\u2028",
                "\U000e0041",
                "\u0301",
                "💥",
                "ß",
                "İ",
                "\ud7ff",
                "\uffff",
                "<",
                ">",
                "&amp;",
                "<script>",
                "@",
                '"',
                "\\",
            ]
        ),
        st.text(max_size=4),
    ),
    max_size=12,
).map("".join)
NUMBERS = st.sampled_from(
    [
        0,
        -1,
        1,
        2**31,
        2**53 + 1,
        2**63,
        -(2**63) - 1,
        10**30,
        -(10**30),
        1.5,
        -0.0,
        1e308,
        -1e308,
        5e-324,
        float("inf"),
        float("-inf"),
        float("nan"),
        True,
        False,
    ]
)
DATES = st.sampled_from(
    [
        "2026-11-20T10:00:00+05:30",
        "2026-11-20T23:30:00-09:30",
        "2026-11-20T10:00:00+14:00",
        "2026-11-20T10:00:00Z",
        "2026-11-20T10:00:00+05:30",
        "2026-11-20T10:00:00-14:00",
        "2026-11-20T10:00:00.123456789Z",
        "2026-11-20",
        "2026-11-20T10:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "2026-02-30T00:00:00Z",
        "2026-11-20T24:00:00Z",
        "not a date",
        "",
        "1e10",
        "1764000000000",
        "-62135596800000",
        "253402300800000",
        "99999999999999999999",
        "2026-W47-5",
        "Fri, 20 Nov 2026 10:00:00 GMT",
        1764000000000,
        -62135596800001,
        253402300800000,
        10**20,
        -(10**20),
        1.5e12,
        0,
        -1,
    ]
)


def _field_names() -> list[str]:
    """Every JSON key the wire models read (names, aliases, alias choices)."""
    names: set[str] = set()
    for module in (sendkit_wire, sendpilot_wire, lemlist_wire, inboxbase_wire):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                for name, info in value.model_fields.items():
                    names |= {name, info.alias or name}
                    choices = getattr(info.validation_alias, "choices", None) or []
                    names |= {c for c in choices if isinstance(c, str)}
    return sorted(names)


FIELD_NAMES = _field_names()
EXTRA_KEYS = st.one_of(
    st.sampled_from(FIELD_NAMES),  # a documented field the document did not carry
    st.sampled_from(["", " ", "__proto__", "constructor", "0", "null", "\x00", "é", "a" * 1000]),
    st.text(max_size=12),
)


def junk(depth: int = 2, huge: st.SearchStrategy[Huge] = HUGE) -> st.SearchStrategy[Any]:
    """Any JSON value, special ones weighted in."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), NUMBERS, DATES, ODD_TEXT
    )
    if depth == 0:
        return scalars
    inner = junk(depth - 1, huge)
    return st.one_of(scalars, st.lists(inner, max_size=3), st.dictionaries(EXTRA_KEYS, inner, max_size=3), huge, DEEP)


def _retype(value: Any, to: str) -> Any:
    """str <-> int <-> list <-> dict <-> bool <-> float."""
    if to == "str":
        return value if isinstance(value, str) else json.dumps(value, default=str)[:200]
    if to == "int":
        return len(value) if isinstance(value, (str, list, dict)) else 7
    if to == "float":
        return 7.5
    if to == "bool":
        return not value if isinstance(value, bool) else True
    if to == "list":
        return list(value.values()) if isinstance(value, dict) else [value]
    return dict(enumerate(value)) if isinstance(value, list) else {"value": value}


def _paths(document: Any) -> list[tuple[Any, ...]]:
    """The path to every value in the document, root included (iteratively)."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        found.append(path)
        if isinstance(value, dict):
            stack.extend((path + (key,), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((path + (index,), item) for index, item in enumerate(value))
    return found


def _first_paths(document: Any) -> list[tuple[Any, ...]]:
    """One path per field name: the shallowest place it occurs (and the first list element)."""
    first: dict[Any, tuple[Any, ...]] = {}
    for path in sorted(_paths(document), key=lambda p: (len(p), [str(step) for step in p])):
        if path:
            first.setdefault(path[-1] if isinstance(path[-1], str) else (path[:-1], 0), path)
    return list(first.values())


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(document, path[:-1])[path[-1]] = value
    return document


OPERATIONS = ["null", "retype", "huge", "deep", "remove", "extra", "unicode", "number", "date", "junk"]


def _fitting(value: Any) -> list[str]:
    """The mutations most likely to matter for a value like this one."""
    if isinstance(value, bool):
        return ["retype", "null", "number"]
    if isinstance(value, (int, float)):
        return ["number", "date", "retype"]
    if isinstance(value, str):
        looks_like_time = len(value) >= 10 and value[:4].isdigit() and value[4:5] == "-"
        return ["date"] if looks_like_time else ["unicode", "huge", "retype", "date"]
    if isinstance(value, dict):
        return ["extra", "remove", "deep", "retype"]
    return ["extra", "deep", "retype", "null"]


@st.composite
def mutated(draw: st.DrawFn, documents: list[Any], huge: st.SearchStrategy[Huge] = HUGE) -> Any:
    """One of `documents` with 1 to 6 mutations at random places."""
    document = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 6))):
        paths = _paths(document)
        keys = sorted({p[-1] for p in paths if p and isinstance(p[-1], str)})
        if keys and draw(st.booleans()):
            # Every field name equally likely, however often it occurs (a timestamp or a count
            # would otherwise drown among message bodies).
            key = draw(st.sampled_from(keys))
            path = draw(st.sampled_from([p for p in paths if p and p[-1] == key]))
        else:
            path = draw(st.sampled_from(paths))
        current = _get(document, path)
        operation = draw(st.sampled_from(OPERATIONS if draw(st.booleans()) else _fitting(current)))
        if operation == "null":
            document = _set(document, path, None)
        elif operation == "retype":
            document = _set(
                document, path, _retype(current, draw(st.sampled_from(["str", "int", "float", "bool", "list", "dict"])))
            )
        elif operation == "huge":
            document = _set(document, path, draw(huge))
        elif operation == "deep":
            document = _set(document, path, draw(DEEP))
        elif operation == "remove" and path:
            parent = _get(document, path[:-1])
            del parent[path[-1]]
        elif operation == "extra":
            target = current if isinstance(current, dict) else _get(document, path[:-1]) if path else None
            if isinstance(target, dict):
                target[draw(EXTRA_KEYS)] = draw(junk(2, huge))
            elif isinstance(target, list):
                target.append(draw(junk(2, huge)))
        elif operation == "unicode":
            document = _set(document, path, draw(ODD_TEXT))
        elif operation == "number":
            document = _set(document, path, draw(NUMBERS))
        elif operation == "date":
            document = _set(document, path, draw(DATES))
        elif operation == "junk":
            document = _set(document, path, draw(junk(2, huge)))
    return document


def build(document: Any) -> Any:
    """The document as Python data, markers expanded."""
    if isinstance(document, (Huge, Deep)):
        return document.build()
    stack = [document]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in list(items):
            if isinstance(value, (Huge, Deep)):
                node[key] = value.build()
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return document


def to_body(document: Any) -> bytes:
    """The document as the bytes a provider would send (NaN and Infinity as Python's json writes
    them, which Python's json also reads back)."""
    deep: dict[str, str] = {}

    def marker(value: Any) -> Any:
        if isinstance(value, Huge):
            return value.build()
        if isinstance(value, Deep):
            key = f"__deep_{len(deep)}__"
            deep[key] = value.json()
            return key
        raise TypeError(type(value).__name__)

    text = json.dumps(document, default=marker, ensure_ascii=False)
    for key, nested in deep.items():
        text = text.replace(f'"{key}"', nested, 1)
    return text.encode("utf-8", "surrogatepass")


# ------------------------------------------------------------------------------------ checks


def _parse(model: type[BaseModel], data: Any) -> BaseModel | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _times(value: Any) -> Iterator[datetime]:
    if isinstance(value, datetime):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _times(getattr(value, name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _times(item)


def check_mapping(provider: Provider, kind: str, data: Any, parsed: BaseModel | None) -> None:
    """The client, fed `data`, maps it (parsed) or says it cannot read it (not parsed)."""
    client = provider.client(_Answer(data))

    async def go() -> Page | Thread:
        if kind == "list":
            return await client.list_page(Query(), None, 20)
        return await client.get_thread(provider.thread_id)

    try:
        result = anyio.run(go)
    except UpstreamError as exc:
        assert parsed is None, f"{provider.name} {kind}: parsed, yet the client refused it: {exc}"
        assert "cannot read" in str(exc) and "\n" not in str(exc)
        return
    assert parsed is not None, f"{provider.name} {kind}: the model refused it, yet the client mapped it"
    assert isinstance(result, Page if kind == "list" else Thread)
    for at in _times(result):
        assert at.utcoffset() == timedelta(0), f"{provider.name} {kind}: a time that is not UTC: {at!r}"


# ------------------------------------------------------------------------------------ properties

CASES = [(p, k) for p in PROVIDERS for k in ("list", "thread")]


@pytest.mark.parametrize(("provider", "kind"), CASES)
def test_documents_as_given_parse_and_map(provider, kind):
    """The starting points are valid: every one parses and maps."""
    p = PROVIDERS[provider]
    model, documents = (p.list_model, p.lists) if kind == "list" else (p.thread_model, p.threads)
    for document in documents:
        parsed = model.model_validate(document)
        check_mapping(p, kind, document, parsed)


@pytest.mark.parametrize(("provider", "kind"), CASES)
@settings(max_examples=120, **HYPOTHESIS)
@given(data=st.data())
def test_mutated_documents_parse_or_refuse_cleanly(provider, kind, data):
    p = PROVIDERS[provider]
    model, documents = (p.list_model, p.lists) if kind == "list" else (p.thread_model, p.threads)
    document = build(data.draw(mutated(documents), label="document"))
    parsed = _parse(model, document)  # any exception but ValidationError fails the test
    check_mapping(p, kind, document, parsed)


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize("junk_value", [None, 0, -1, 1.5, True, "text", [], {}, [None], [[]], [{}]], ids=repr)
def test_any_top_level_value_parses_or_refuses(provider, junk_value):
    p = PROVIDERS[provider]
    for model, kind in ((p.list_model, "list"), (p.thread_model, "thread")):
        check_mapping(p, kind, junk_value, _parse(model, junk_value))


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize(
    "deep", [Deep(1000, "list"), Deep(1000, "dict"), Deep(10_000, "list"), Deep(10_000, "dict")], ids=repr
)
def test_deep_nesting_everywhere(provider, deep):
    """Deep nesting in place of the root and of each field (its first occurrence) of one document
    of each kind."""
    p = PROVIDERS[provider]
    for model, kind, document in ((p.list_model, "list", p.lists[-1]), (p.thread_model, "thread", p.threads[-1])):
        for path in [(), *_first_paths(document)]:
            mutated_document = build(_set(copy.deepcopy(document), path, deep))
            check_mapping(p, kind, mutated_document, _parse(model, mutated_document))


# ------------------------------------------------------------------------------------ the HTTP path


@dataclass
class Upstream:
    """A loopback server answering every request with `body`."""

    url: str
    body: bytes = b"{}"
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    state = Upstream(url="")

    async def answer(request: Request) -> Response:
        return Response(state.body, media_type=state.content_type, headers=state.headers)

    app = Starlette(routes=[Route("/{path:path}", answer)])
    with LoopbackServer(app) as server:
        state.url = server.url
        yield state


def assert_clean(what: str, result) -> None:
    text = text_of(result)
    assert KEY not in text and KEY not in json.dumps(result.structured_content or {}), what
    assert "internal error" not in text and "Traceback" not in text, f"{what}: {text[:500]!r}"
    if result.is_error:
        assert len(text.splitlines()) == 1 and len(text) < 400, f"{what}: {text[:500]!r}"


async def _through_server(provider: Provider, upstream: Upstream, list_body: bytes, thread_body: bytes) -> None:
    # A fresh server (and HTTP client) per example: the per-key rate limits start afresh.
    async with Client(build_server(provider.accounts(upstream.url), deadline=5.0)) as client:
        upstream.body = list_body
        with anyio.fail_after(30):
            listing = await client.call_tool("list_conversations", {"account": provider.account, "limit": 5})
        assert_clean(f"{provider.name} list_conversations", listing)
        upstream.body = thread_body
        with anyio.fail_after(30):
            thread = await client.call_tool(
                "get_thread", {"conversation_id": f"{provider.account}:{provider.thread_id}"}
            )
        assert_clean(f"{provider.name} get_thread", thread)


@pytest.mark.parametrize("provider", list(PROVIDERS))
@settings(max_examples=25, **HYPOTHESIS)
@given(data=st.data())
def test_mutated_bodies_through_the_server(upstream, provider, data):
    p = PROVIDERS[provider]
    list_body = to_body(data.draw(mutated(p.lists), label="list body"))
    thread_body = to_body(data.draw(mutated(p.threads), label="thread body"))
    anyio.run(_through_server, p, upstream, list_body, thread_body)


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"0" + b"}" * 50_000,
        b'{"data": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"[" * 100_000,
        b"",
        b"null",
        b"NaN",
        b'"' + b"x" * MB + b'"',
        b"\xff\xfe{}",
        b'{"data": "\\ud800"}',
    ],
    ids=lambda b: f"{b[:12]!r}..{len(b)}",
)
def test_bodies_json_cannot_hold(upstream, provider, body):
    """Deep nesting beyond what Python's json reads, truncation, invalid UTF-8, lone surrogates."""
    p = PROVIDERS[provider]
    anyio.run(_through_server, p, upstream, body, body)


SPECIAL_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**63,
    10**30,
    -(10**30),
    1e308,
    float("inf"),
    float("nan"),
    "",
    "x",
    " \u202e\x00",
    Huge("x", MB),
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-11-20T10:00:00+05:30",
    [],
    {},
    [None],
    [[]],
    {"a": 1},
    ["x", 1, None],
]


@pytest.mark.parametrize(("provider", "kind"), CASES)
def test_every_field_with_every_special_value(provider, kind):
    """What random mutation may miss: each field name of a document, once with each special value."""
    p = PROVIDERS[provider]
    model, documents = (p.list_model, p.lists) if kind == "list" else (p.thread_model, p.threads)
    for document in (documents[0], documents[-1]):
        for path in _first_paths(document):
            for value in SPECIAL_VALUES:
                changed = build(_set(copy.deepcopy(document), path, value))
                check_mapping(p, kind, changed, _parse(model, changed))


def test_a_body_that_its_content_encoding_does_not_fit(upstream):
    """httpx2 raises DecodingError (a RequestError, not a TransportError) reading such a body."""
    upstream.headers = {"Content-Encoding": "gzip"}
    try:
        for provider in PROVIDERS.values():
            anyio.run(_through_server, provider, upstream, b"not gzip at all", b"\x1f\x8b\x08 truncated")
    finally:
        upstream.headers = {}


def test_a_megabyte_page_cursor_from_the_provider(upstream):
    """SendKit's nextCursor goes back as a query parameter: a megabyte of it is an invalid URL."""
    p = PROVIDERS["sendkit"]
    listing = copy.deepcopy(p.lists[1])
    listing["pagination"] = {"limit": 3, "total": 50, "hasMore": True, "nextCursor": "c" * MB}
    anyio.run(_through_server, p, upstream, json.dumps(listing).encode(), json.dumps(p.threads[1]).encode())


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_listed_ids_that_get_thread_would_refuse_are_left_out(provider):
    """A row whose id is not an id of this provider (a megabyte of spaces, a path) is not listed."""
    p = PROVIDERS[provider]
    listing = copy.deepcopy(p.lists[-1])
    rows = next(v for v in listing.values() if isinstance(v, list))
    key = {"sendkit": "id", "sendpilot": "id", "lemlist": "contactId", "inboxbase": "id"}[provider]
    rows[0][key] = " " * MB + "x"
    rows[1][key] = "../../etc/passwd"
    page = anyio.run(p.client(_Answer(listing)).list_page, Query(), None, 20)
    assert len(page.conversations) == len(rows) - 2
    assert all(len(c.id) < 200 for c in page.conversations)


def test_a_million_spaces_and_the_tokenizer():
    from leadinbox_mcp.tools.render.tokens import count_tokens

    try:
        count_tokens(" " * MB + "x")
    except BaseException as exc:  # PanicException derives from BaseException
        raise AssertionError(f"count_tokens raised {type(exc).__name__}") from None
