"""Hostile arguments at the edge: every tool, through a real MCP client, against one server over
all four sandbox emulators (and a smaller set over stdio).

Hypothesis draws argument sets for list_conversations, get_thread, search_by_domain and
list_accounts: right and wrong types, missing and extra keys, huge strings, odd Unicode, numbers
out of range, ids shaped like every provider's (valid prefix, hostile rest), cursors (random,
truncated, bit-flipped, from another call, forged with a correct checksum, huge), domains and
`since` values. Every answer must be a clean result or one clean sentence; the server must still
answer list_accounts afterwards; no sandbox API key may appear anywhere.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import json
import os
import re
import shutil
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pydantic
import pydantic_core
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from helpers import FAST, text_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client, StdioServerParameters

from leadinbox_mcp.providers import errors as provider_errors
from leadinbox_mcp.sandbox import inboxbase as inboxbase_emulator
from leadinbox_mcp.sandbox import lemlist as lemlist_emulator
from leadinbox_mcp.sandbox import sendkit as sendkit_emulator
from leadinbox_mcp.sandbox import sendpilot as sendpilot_emulator
from leadinbox_mcp.sandbox.serve import sandbox
from leadinbox_mcp.server.app import build_server
from leadinbox_mcp.tools.shared import inbox as tools_inbox
from leadinbox_mcp.tools.shared.inbox import Budgets

COMMAND = shutil.which("leadinbox-mcp", path=str(Path(sys.executable).parent)) or shutil.which("leadinbox-mcp")
ACCOUNTS = ["sendkit", "sendpilot", "lemlist", "inboxbase-alice.pipewise", "inboxbase-bob.pipewise"]
TOOLS = ["list_conversations", "get_thread", "search_by_domain", "list_accounts"]
CALL_TIMEOUT = 30

_KEYS = [
    sendkit_emulator.SANDBOX_API_KEY,
    sendpilot_emulator.SANDBOX_API_KEY,
    lemlist_emulator.SANDBOX_API_KEY,
    inboxbase_emulator.SANDBOX_API_KEY,
]
SECRETS = _KEYS + [base64.b64encode(f":{lemlist_emulator.SANDBOX_API_KEY}".encode()).decode()]
"""The keys, and lemlist's Basic credentials built from its key."""


def _exception_names() -> set[str]:
    modules = [builtins, pydantic, pydantic_core, httpx2, provider_errors, tools_inbox, anyio]
    names = set()
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseException) and re.fullmatch(r"[A-Z]\w{4,}", name):
                names.add(name)
    return names


EXCEPTION_NAME = re.compile(r"\b(?:" + "|".join(sorted(_exception_names(), key=len, reverse=True)) + r")\b")

# ------------------------------------------------------------------------------------ checks


def assert_clean(tool: str, arguments: dict[str, Any], result) -> None:
    """A clean result, or an error of one short sentence; never a key."""
    text = text_of(result)
    structured = json.dumps(result.structured_content, ensure_ascii=False) if result.structured_content else ""
    shown = f"{tool}({_short(arguments)}) -> {text[:600]!r}"
    for secret in SECRETS:
        assert secret not in text and secret not in structured, f"an API key leaked: {shown}"
    if result.is_error:
        assert len(result.content) == 1 and result.content[0].type == "text", shown
        assert text.strip(), shown
        assert len(text.splitlines()) == 1, f"error of more than one line: {shown}"
        assert len(text) < 400, f"error of {len(text)} characters: {shown}"
        assert "Traceback" not in text, shown
        assert "internal error" not in text, f"internal error (a bug): {shown}"
        assert not EXCEPTION_NAME.search(text), f"an exception class in the error: {shown}"
    else:
        assert "Traceback" not in text and "internal error" not in text, shown
        assert isinstance(result.structured_content, dict), shown


def _short(arguments: dict[str, Any]) -> str:
    text = repr(arguments)
    return text if len(text) < 400 else text[:400] + f"... ({len(text)} chars)"


async def call(client: Client, tool: str, arguments: dict[str, Any]):
    with anyio.fail_after(CALL_TIMEOUT):
        result = await client.call_tool(tool, arguments)
    assert_clean(tool, arguments, result)
    return result


async def still_answers(client: Client) -> None:
    with anyio.fail_after(CALL_TIMEOUT):
        result = await client.call_tool("list_accounts", {})
    assert not result.is_error, text_of(result)
    assert [a["name"] for a in result.structured_content["accounts"]] == ACCOUNTS


# ------------------------------------------------------------------------------------ cursors


def open_cursor(cursor: str) -> list:
    """[version, fingerprint, payload] of one of our cursors (they are opaque, not secret)."""
    blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return json.loads(zlib.decompressobj(-15).decompress(blob[6:]))


def seal(raw: bytes) -> str:
    """A cursor with a correct checksum around any bytes: what a forger can always make."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    blob = deflate.compress(raw) + deflate.flush()
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:6] + blob).decode().rstrip("=")


def flip_bit(cursor: str, bit: int) -> str:
    blob = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    bit %= len(blob) * 8
    blob[bit // 8] ^= 1 << (bit % 8)
    return base64.urlsafe_b64encode(bytes(blob)).decode().rstrip("=")


# ------------------------------------------------------------------------------------ the corpus


@dataclass
class Corpus:
    """Real values from the sandbox, for strategies that start from something valid."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    cursors: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    """(tool, the arguments of the call it came from, cursor)"""

    @property
    def all_ids(self) -> list[str]:
        return [i for ids in self.ids.values() for i in ids]


async def collect(client: Client) -> Corpus:
    corpus = Corpus()
    for account in ACCOUNTS:
        result = await call(client, "list_conversations", {"account": account, "limit": 8})
        corpus.ids[account] = [c["id"] for c in result.structured_content["conversations"]]
    listings = [
        ("list_conversations", {"limit": 2}),
        ("list_conversations", {"limit": 1, "account": "lemlist"}),
        ("list_conversations", {"limit": 1, "account": "sendpilot"}),
        ("list_conversations", {"limit": 2, "account": "inboxbase-alice.pipewise"}),
        ("list_conversations", {"limit": 3, "unread_only": True}),
        ("list_conversations", {"limit": 2, "query": "a", "response_format": "detailed"}),
        ("list_conversations", {"limit": 2, "since": "60d"}),
        ("search_by_domain", {"domain": "acme.com", "limit": 1}),
        ("search_by_domain", {"domain": "globex.io", "limit": 1, "account": "lemlist"}),
    ]
    for tool, arguments in listings:
        result = await call(client, tool, arguments)
        cursor = result.structured_content["next_cursor"]
        assert cursor, (tool, arguments)
        corpus.cursors.append((tool, arguments, cursor))
        second = await call(client, tool, {**arguments, "cursor": cursor})
        if second.structured_content["next_cursor"]:
            corpus.cursors.append((tool, arguments, second.structured_content["next_cursor"]))
    for conversation_id in corpus.all_ids:
        result = await call(client, "get_thread", {"conversation_id": conversation_id})
        if result.structured_content["next_cursor"]:
            corpus.cursors.append(
                ("get_thread", {"conversation_id": conversation_id}, result.structured_content["next_cursor"])
            )
    assert {tool for tool, _, _ in corpus.cursors} == {"list_conversations", "search_by_domain", "get_thread"}
    return corpus


# ------------------------------------------------------------------------------------ strategies

ODD = [
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",  # bidi
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",  # zero-width, soft hyphen
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\n",
    "\r",
    "\t",
    "\x0b",
    "\x0c",
    "\u2028",
    "\u2029",
    "\U000e0041",
    "\U000e007f",
    "\u0301",
    "\u20dd",
    "\U0001f600",
    "\U0001f1fa\U0001f1f8",
    "\U0001f469\u200d\U0001f4bb",
    "ß",
    "İ",
    "ı",
    "ﬀ",
    "Ω",
    "\u0663",
    "５",
    "\uffff",
    "\ufffd",
    "\U0010ffff",
    "ǅ",
    "..",
    "/",
    "\\",
    "%2F",
    "%2e%2e",
    "%00",
    "%",
    "?",
    "#",
    "&",
    "=",
    " ",
    "'",
    '"',
    "<script>",
    "{",
    "}",
    ":",
    "@",
    "*",
]
odd_text = st.lists(
    st.one_of(st.sampled_from(ODD), st.text(st.characters(exclude_categories=("Cs",)), max_size=4)), max_size=16
).map("".join)
"""Short strings of odd Unicode (no lone surrogates), control characters and URL syntax."""

huge_text = st.builds(
    lambda unit, size: (unit * size)[:size],
    st.sampled_from(["x", "é", "\u202e", "\U000e0041", "\x00", "a\n", "💥", "%2F", "acme.com."]),
    st.sampled_from([40, 41, 100, 101, 200, 201, 300, 301, 4096, 4097, 100_000]),
)
"""Strings at and just past every max_length of the tools' arguments, and 100k characters."""

long_repr_text = st.builds(
    lambda unit, size: unit * size,
    st.sampled_from(["\U000e0041", "\x00", "\u202e", "\x85", "\U0010ffff", "\ufeff"]),
    st.sampled_from([20, 40, 60, 80, 100]),
)
"""Characters that an error message quoting them with repr() writes as 4 to 10 characters each."""


def nested(depth: int, kind: str) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63), 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.builds(nested, st.sampled_from([2, 40, 150]), st.sampled_from(["list", "dict"])),
)
"""A value of any JSON type, for an argument that expects another."""

any_string = st.one_of(odd_text, huge_text, long_repr_text)
format_values = st.one_of(st.sampled_from(["concise", "detailed", "CONCISE", "Detailed ", "", "verbose"]), junk)
limit_values = st.one_of(
    st.integers(-5, 105),
    st.sampled_from([0, 1, 100, 101, 2**31, 2**63, -(2**63), 10**30, 1.0, 1.5, -0.0, "5", "five", "1e2", True, False]),
    junk,
)
account_values = st.one_of(
    st.sampled_from(
        ACCOUNTS + [" sendkit ", "SENDKIT", "inboxbase", "inboxbase-", "", "   ", "sendkit:x", "../lemlist"]
    ),
    any_string,
    junk,
)
flag_values = st.one_of(st.booleans(), st.sampled_from(["true", "yes", "0", "maybe", 1, 0, 2, -1, ""]), junk)
since_values = st.one_of(
    st.sampled_from(
        [
            "7d",
            "24h",
            "2w",
            "30min",
            "0d",
            "0m",
            "9999w",
            "9999d",
            "10000d",
            "-3d",
            "3 d",
            "7D",
            "1y",
            "d",
            "1.5d",
            "2026-11-01",
            "2026-11-01T10:00:00Z",
            "2026-11-01T10:00:00+05:30",
            "2026-11-01T10:00:00.123456+00:00",
            "2026-W01",
            "2026-W01-1",
            "20261101",
            "2026-13-01",
            "2026-02-30",
            "2026-11-01T25:00",
            "0001-01-01",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31",
            "9999-12-31T23:59:59-14:00",
            "10000-01-01",
            "1970-01-01",
            "now",
            "yesterday",
            "",
            " ",
            "null",
            "2026-11-01T10:00:00+24:00",
            "2026-11-01T10:00:00+23:59",
        ]
    ),
    st.dates().map(str),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.integers(0, 20_000).map(lambda n: f"{n}d"),
    any_string,
    junk,
)
domain_values = st.one_of(
    st.sampled_from(
        [
            "acme.com",
            "ACME.com.",
            "@acme.com",
            "jane@us.acme.com",
            "https://www.acme.com/about?x=1#y",
            "acme.com:8080",
            "http://user:pw@acme.com:1/",
            "ftp://acme.com",
            "mailto:jane@acme.com",
            "//acme.com",
            "javascript:alert(1)",
            "bücher.de",
            "xn--bcher-kva.de",
            "xn--zz.com",
            "xn--.com",
            "a.xn--zzzz",
            "ß.de",
            "ｅｘａｍｐｌｅ.com",
            "例え.テスト",
            "1.2.3.4",
            "[::1]",
            "::1",
            "127.0.0.1",
            "0x7f.1",
            "localhost",
            "com",
            ".com",
            "acme..com",
            "-acme.com",
            "acme-.com",
            "*.acme.com",
            "acme.com/../x",
            "acme.com%2F..",
            "acme.com\x00evil.com",
            "acme.com\u202e",
            "\u200bacme.com",
            "a" * 63 + ".com",
            "a" * 64 + ".com",
            ".".join(["a" * 63] * 4),
            ".".join(["a" * 49] * 5) + ".com",
            "acme.c0m",
            "acme.co1",
            "a b.com",
            "acme.com,globex.io",
            "acme.com globex.io",
            "%",
            "@",
            "",
            " ",
        ]
    ),
    st.emails().map(str),
    st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){1,3}", fullmatch=True),
    any_string,
    junk,
)

ID_TAILS = [
    "../",
    "../../etc/passwd",
    "..",
    ".",
    "/",
    "//",
    "\\..\\",
    "%2F",
    "..%2F..%2F",
    "%2e%2e%2f",
    "%00",
    "%",
    "?page=2",
    "?",
    "#frag",
    "#",
    "&limit=1",
    ";",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\u202e",
    "\u200b",
    "💥",
    "http://evil.example/",
    "https://evil.example",
    "file:///etc/passwd",
    "javascript:x",
    "//evil.example",
    "*",
    "'",
    '"',
    "<x>",
    ":",
    "::",
    "x" * 70,
    "x" * 200,
]


def ids(corpus: Corpus) -> st.SearchStrategy[str]:
    real = st.sampled_from(corpus.all_ids)
    prefix = st.sampled_from(
        ACCOUNTS + ["inboxbase", "SendKit", "sendkit ", "", "unknown", "sendkit:sendkit", "http", "../sendkit"]
    )
    native = real.map(lambda i: i.partition(":")[2])
    tail = st.one_of(st.sampled_from(ID_TAILS), odd_text)

    def insert(base: str, at: int, piece: str) -> str:
        at %= len(base) + 1
        return base[:at] + piece + base[at:]

    return st.one_of(
        real,  # valid
        st.builds(lambda p, n: f"{p}:{n}", prefix, native),  # a native id on the wrong account
        st.builds(lambda i, t: i + t, real, tail),  # valid prefix, hostile rest
        st.builds(lambda p, t: f"{p}:{t}", prefix, tail),
        st.builds(insert, real, st.integers(0, 300), tail),
        st.builds(lambda i, n: i[: n % (len(i) + 1)], real, st.integers(0, 300)),  # truncated
        st.builds(lambda i, n: i + "0" * n, real, st.sampled_from([1, 150, 200, 250, 300])),  # long
        real.map(str.upper),
        real.map(lambda i: f"  {i}\n"),
        real.map(lambda i: i.replace(":", "%3A", 1)),
        real.map(lambda i: i.replace(":", "/", 1)),
        st.builds(
            lambda p, s: f"{p}:{s}",
            prefix,
            st.sampled_from(
                [
                    "ctc_",
                    "ctc_" + "a" * 65,
                    "ctc_abc-def",
                    "conv_",
                    "conv_../x",
                    ".hidden",
                    "sender_x:",
                    ":2-abc",
                    "sender_x:2-abc/../x",
                    "sender_x:2-abc?x",
                    "664a1b2c3d4e5f6a7b8c9d0e/../x",
                    "a" * 65,
                    "a" * 129,
                ]
            ),
        ),
        any_string,
    )


def cursors(corpus: Corpus) -> st.SearchStrategy[str]:
    real = st.sampled_from([c for _, _, c in corpus.cursors])
    return st.one_of(
        real,  # a real cursor, usually from another tool or other arguments
        st.builds(lambda c, n: c[: n % len(c)], real, st.integers(0, 4096)),  # truncated
        st.builds(flip_bit, real, st.integers(0, 10**6)),  # one bit flipped
        st.builds(
            lambda c, n, ch: c[: n % len(c)] + ch + c[n % len(c) + 1 :],
            real,
            st.integers(0, 4096),
            st.sampled_from("A_-=+/.!é\x00 "),
        ),
        st.builds(lambda c, t: c + t, real, st.sampled_from(["=", "==", "A", "AAAA", " ", "\n", "%3D", "x" * 100])),
        st.builds(lambda c: c + "A" * (4096 - len(c)), real),  # padded to the maximum length
        st.binary(max_size=300).map(lambda b: base64.urlsafe_b64encode(b).decode()),  # random base64
        st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()),
        st.builds(forged, real, forged_payloads()),  # a correct checksum around another payload
        st.builds(lambda raw: seal(raw), st.binary(max_size=200)),
        st.builds(lambda t: seal(json.dumps(t).encode()), json_values(3)),
        any_string,
        st.sampled_from(["", " ", "null", "None", "0", "-1"]),
    )


def json_values(depth: int) -> st.SearchStrategy[Any]:
    """JSON values nested a little, NaN and Infinity included (deep nesting has its own test below)."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**80), 2**80),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=depth * 4,
    )


TOKENS = [
    None,
    "",
    ":",
    "::",
    "5:page:1",
    "5:page:0",
    "0:page:1",
    "101:page:1",
    "-5:page:1",
    "５:page:1",
    "5:page:99999999999999999999",
    "5:cursor:",
    "5:cursor:\n",
    "5:cursor:" + "z" * 500,
    "20:cursor:6b000d28bf1a28f7b352e6c5",
    "5:t:AAAA",
    "5:t:" + "e30=",
    "5:p:1",
    "5:p:0",
    "5:p:99999999999999999999",
    "5:1",
    "5:0",
    "0:1",
    "101:1",
    "5:99999999999999999999",
    "ib1:5:-:",
    "ib1:5:1:AAAAAAAA",
    "ib1:5:-:AAAAAAAA",
    "ib1:0:-:",
    "ib1:201:-:",
    "ib1:5:99999999999999999999:",
    "ib1:5:-99999999999999999999:",
    "ib1:5:1:" + ".".join(["AAAAAAAA"] * 199),
    "ib1:5:1:" + ".".join(["AAAAAAAA"] * 250),
    "ib1:5:1e5:",
    "ib1:5:1:../../x",
]


def forged_payloads() -> st.SearchStrategy[Any]:
    """Mutations of a real payload ([[token, skip, done, bound] per account] or {"older_than": n})."""
    row = st.tuples(
        st.one_of(st.sampled_from(TOKENS), st.text(max_size=30), json_values(2)),
        st.one_of(st.integers(-3, 300), st.sampled_from([2**63, 10**40, -(2**63)]), json_values(1)),
        st.one_of(st.sampled_from([0, 1, True, False]), json_values(1)),
        st.one_of(
            st.none(),
            st.tuples(
                st.integers(-(2**70), 2**70), st.one_of(st.text(max_size=40), st.sampled_from(["", "../x", "a:b"]))
            ).map(list),
            json_values(2),
        ),
    ).map(list)
    return st.one_of(
        st.lists(row, min_size=0, max_size=6),
        st.fixed_dictionaries(
            {"older_than": st.one_of(st.integers(-3, 10**6), st.sampled_from([2**63, 10**100]), json_values(1))}
        ),
        json_values(3),
    )


def forged(real: str, payload: Any) -> str:
    version, fingerprint, _ = open_cursor(real)
    return seal(json.dumps([version, fingerprint, payload]).encode())


def extra_keys() -> st.SearchStrategy[dict[str, Any]]:
    names = st.one_of(
        st.sampled_from(
            ["ctx", "self", "context", "cursor ", "Limit", "arguments", "__proto__", "", " ", "\x00", "a" * 1000]
        ),
        st.text(max_size=10),
    )
    return st.dictionaries(names, junk, max_size=3)


def argument_sets(tool: str, corpus: Corpus) -> st.SearchStrategy[dict[str, Any]]:
    """One argument set for `tool`: each key present or not, right or wrong, plus extra keys."""
    cursor = cursors(corpus)
    listing = {
        "account": account_values,
        "since": since_values,
        "limit": limit_values,
        "cursor": cursor,
        "response_format": format_values,
    }
    optional: dict[str, st.SearchStrategy[Any]]
    required: dict[str, st.SearchStrategy[Any]] = {}
    if tool == "list_conversations":
        text_filter = st.one_of(
            st.sampled_from(["interested", "not_interested", "meeting_booked", "vip", "acme", "Dana", ""]),
            any_string,
            junk,
        )
        optional = listing | {
            "unread_only": flag_values,
            "tag": text_filter,
            "campaign_id": text_filter,
            "query": text_filter,
        }
    elif tool == "get_thread":
        optional = {"cursor": cursor, "response_format": format_values}
        required = {"conversation_id": st.one_of(ids(corpus), ids(corpus), junk)}
    elif tool == "search_by_domain":
        optional = listing
        required = {"domain": domain_values}
    else:
        optional = {}
    drop_required = st.sampled_from([False] * 9 + [True])
    return st.builds(
        lambda req, opt, extra, drop: {**extra, **({} if drop else req), **opt},
        st.fixed_dictionaries(required),
        st.fixed_dictionaries({}, optional=optional),
        extra_keys(),
        drop_required,
    )


def continuation(corpus: Corpus) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """A real cursor with the arguments it was made for, maybe with one argument changed."""

    def build(entry: tuple[str, dict[str, Any], str], change: tuple[str, Any] | None) -> tuple[str, dict[str, Any]]:
        tool, args, cursor = entry
        args = {**args, "cursor": cursor}
        if change is not None:
            args[change[0]] = change[1]
        return tool, args

    change = st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(["limit", "account", "response_format", "since", "query"]),
            st.one_of(limit_values, account_values, format_values),
        ),
    )
    return st.builds(build, st.sampled_from(corpus.cursors), change)


def tool_calls(corpus: Corpus) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    return st.one_of(
        *[argument_sets(tool, corpus).map(lambda a, t=tool: (t, a)) for tool in TOOLS],
        continuation(corpus),
    )


# ------------------------------------------------------------------------------------ fixtures

HYPOTHESIS = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(scope="module")
def portal() -> BlockingPortal:
    """One event loop in a thread for the module: the clients live there, and the tests, which
    are plain functions (hypothesis draws outside any event loop), call into it."""
    with start_blocking_portal("asyncio") as portal:
        yield portal


@pytest.fixture(scope="module")
def client(portal):
    """ONE server over the four sandbox emulators for the whole module, with a small thread
    budget so that get_thread hands out cursors too."""
    with sandbox() as accounts:
        server = build_server(
            accounts, Budgets(thread_tokens=1500), requests_per_second=FAST
        )  # lemlist keeps its own limit
        with portal.wrap_async_context_manager(Client(server)) as session:
            yield Session(portal, session)


@pytest.fixture(scope="module")
def corpus(client) -> Corpus:
    return client.run(collect, client.session)


@pytest.fixture(scope="module")
def stdio_client(portal):
    assert COMMAND, "leadinbox-mcp is installed (pip install .)"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    server = StdioServerParameters(command=COMMAND, args=["serve", "--sandbox"], env=env)
    with portal.wrap_async_context_manager(Client(server)) as session:
        yield Session(portal, session)


@dataclass
class Session:
    portal: BlockingPortal
    session: Client

    def run(self, func, *args):
        return self.portal.call(func, *args)

    def call(self, tool: str, arguments: dict[str, Any]):
        """One call, then list_accounts must still answer."""
        result = self.portal.call(call, self.session, tool, arguments)
        self.portal.call(still_answers, self.session)
        return result


# ------------------------------------------------------------------------------------ properties


@pytest.mark.parametrize(
    ("tool", "examples"),
    [("list_conversations", 150), ("get_thread", 150), ("search_by_domain", 120)],
    ids=["list_conversations", "get_thread", "search_by_domain"],
)
def test_a_tool_takes_anything(client, corpus, tool, examples):
    @settings(max_examples=examples, **HYPOTHESIS)
    @given(data=st.data())
    def any_arguments(data):
        client.call(tool, data.draw(argument_sets(tool, corpus), label="arguments"))

    any_arguments()


def test_an_argument_a_tool_does_not_take_is_refused_with_those_it_does(client, corpus):
    """A guessed name (unread for unread_only, format for response_format) would be ignored
    silently, and the answer taken for what was asked."""
    listing = client.call("list_conversations", {"unread": True})
    thread = client.call("get_thread", {"conversation_id": corpus.all_ids[0], "format": "detailed"})
    assert listing.is_error and text_of(listing) == (
        "list_conversations takes no argument 'unread'; its arguments are account, unread_only, tag, campaign_id, "
        "query, awaiting_reply, since, limit, cursor, response_format."
    )
    assert thread.is_error and text_of(thread) == (
        "get_thread takes no argument 'format'; its arguments are conversation_id, cursor, response_format."
    )


def test_true_is_not_a_limit_of_one(client):
    result = client.call("list_conversations", {"limit": True})
    assert result.is_error and text_of(result) == (
        "Invalid arguments for list_conversations: limit: input should be a number, not true or false."
    )


@settings(max_examples=30, **HYPOTHESIS)
@given(data=st.data())
def test_list_accounts_answers_or_refuses_what_it_does_not_take(client, corpus, data):
    arguments = data.draw(argument_sets("list_accounts", corpus), label="arguments")
    result = client.call("list_accounts", arguments)
    if arguments:  # it takes none: an argument is refused, not ignored
        assert result.is_error and text_of(result) == "list_accounts takes no arguments; call it with none."
    else:
        assert not result.is_error


@settings(max_examples=100, **HYPOTHESIS)
@given(data=st.data())
def test_cursors_from_anywhere(client, corpus, data):
    """Real cursors with their own arguments or others, and every kind of broken or forged one."""
    foreign = st.builds(
        lambda tool, cursor, args: (tool, {**args, "cursor": cursor}),
        st.sampled_from(["list_conversations", "search_by_domain", "get_thread"]),
        cursors(corpus),
        st.sampled_from([{}, {"domain": "acme.com"}, {"conversation_id": corpus.all_ids[0]}, {"limit": 2}]),
    )
    tool, arguments = data.draw(st.one_of(continuation(corpus), foreign), label="call")
    client.call(tool, arguments)


@settings(max_examples=40, **HYPOTHESIS)
@given(data=st.data())
def test_hostile_arguments_over_stdio(stdio_client, corpus, data):
    """The same strategies against the installed command over stdio (ids and cursors come from
    the in-memory server's sandbox: same data, so the ids are real and the cursors foreign)."""
    tool, arguments = data.draw(tool_calls(corpus), label="call")
    stdio_client.call(tool, arguments)


# ------------------------------------------------------------------------------------ known cases


def test_real_values_still_work(client, corpus):
    """The strategies start from valid values: those succeed."""
    for conversation_id in corpus.all_ids[:10]:
        assert not client.call("get_thread", {"conversation_id": conversation_id}).is_error
    for tool, arguments, cursor in corpus.cursors:
        result = client.call(tool, {**arguments, "cursor": cursor})
        assert not result.is_error, (tool, arguments, text_of(result))


def test_ids_with_a_newline_inside_are_refused(client, corpus):
    """re.match with `$` lets "abc\\n" through: ids are matched whole."""
    sendpilot_id = corpus.ids["sendpilot"][0]
    account_id = sendpilot_id.split(":")[1]
    hostile = sendpilot_id.replace(f":{account_id}:", f":{account_id}\n:")
    result = client.call("get_thread", {"conversation_id": hostile})
    assert result.is_error and "not a SendPilot conversation id" in text_of(result)


# --------------------------------------------------------------------- once bugs, now regressions

ODD_REPR = "\U000e0041"  # TAG LATIN CAPITAL LETTER A: invisible, repr() writes it as 10 characters


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("list_conversations", {"account": ODD_REPR * 60}),
        ("get_thread", {"conversation_id": ODD_REPR * 60 + ":x"}),
        ("get_thread", {"conversation_id": "sendkit:" + ODD_REPR * 60}),
        ("search_by_domain", {"domain": "\u202e" * 80}),
        ("list_conversations", {"since": ODD_REPR * 40}),
    ],
    ids=["account", "id-account", "id-native", "domain", "since"],
)
def test_errors_quoting_odd_characters_stay_short(client, tool, arguments):
    client.call(tool, arguments)


@pytest.mark.parametrize("shape", ["deep", "infinite skip", "infinite bound"])
def test_forged_cursors_that_json_accepts(client, corpus, shape):
    tool, arguments, cursor = corpus.cursors[0]
    version, fingerprint, payload = open_cursor(cursor)
    head = json.dumps([version, fingerprint])[:-1]
    if shape == "deep":
        raw = f"{head},{'[' * 30_000}{']' * 30_000}]"
    elif shape == "infinite skip":
        raw = f"{head},{json.dumps([[t, 0, d, b] for t, _, d, b in payload]).replace(', 0, ', ', Infinity, ')}]"
    else:
        raw = f"{head},{json.dumps([[t, s, d, [1e999, '']] for t, s, d, _ in payload])}]"
    client.call(tool, {**arguments, "cursor": seal(raw.encode())})
