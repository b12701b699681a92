"""An account's key kept out of what a provider says back: the error sentences and log lines that
quote a provider, which may quote the key it was sent, whole or in part, in any case, encoded,
or spelled out with something between its characters (`redact`); and the data it sends, which
may hold the key whole (`holds_secret`, `scrub_body`, `scrub`)."""

from __future__ import annotations

import base64
import html
import re
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache

MIN_RUN = 8
"""Any run of this many characters of a key, or of a form of it, is redacted, wherever it
starts in the key: "key abcd1234... is invalid" as well as a masked "****9f3kQ2vb7x1z"."""
REDACTED = "[redacted]"


def secret_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """Each secret and the forms an API may echo it in: URL-encoded, and base64 (standard or
    URL-safe, at any of the three byte alignments it can have inside a longer encoded string,
    such as Basic credentials). Longest first."""
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms |= {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
        raw = secret.encode()
        whole = base64.b64encode(raw).decode()
        forms |= {whole, whole.translate(_URLSAFE)}
        for offset in range(3):
            encoded = base64.b64encode(b"\0" * offset + raw).decode()
            # Only the characters that depend on the secret's bytes alone, whatever surrounds it.
            first, end = -(-offset * 8 // 6), (offset + len(raw)) * 8 // 6
            middle = encoded[first:end]
            if len(middle) >= MIN_RUN:
                forms |= {middle, middle.translate(_URLSAFE)}
    return tuple(sorted((f for f in forms if f), key=lambda f: (-len(f), f)))


_URLSAFE = str.maketrans("+/", "-_")


@lru_cache(maxsize=64)
def forms_of(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """`secret_forms`, once per account's credentials rather than once per request."""
    return secret_forms(secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every run of MIN_RUN or more characters of any of `secrets` (the
    forms `secret_forms` gives) replaced, in any case; all are found in the text as given
    before any is replaced, so that one cannot hide part of another. A secret shorter than
    that is replaced where it appears whole.

    A text that still holds one once read as a person would read it (HTML and %- or \\u
    escapes undone, and only letters and digits kept: a key with spaces, dashes or invisible
    characters between its characters) is replaced as a whole."""
    exact, loose, short = _windows(tuple(s for s in secrets if s))
    low = _lower(text)
    spans = [(i, i + MIN_RUN) for i in range(len(low) - MIN_RUN + 1) if low[i : i + MIN_RUN] in exact]
    spans += [(m.start(), m.end()) for secret in short for m in re.finditer(re.escape(secret), low)]
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if end <= at:
            continue
        if start >= at:
            out += [text[at:start], REDACTED]
        at = end
    redacted = "".join(out) + text[at:]
    spelled = _letters_and_digits(redacted)
    if any(spelled[i : i + MIN_RUN] in loose for i in range(len(spelled) - MIN_RUN + 1)):
        return REDACTED
    return redacted


def holds_secret(body: bytes, secrets: tuple[str, ...]) -> bool:
    """Whether `body` holds one of `secrets` (the forms `secret_forms` gives) whole, in any case:
    a test cheap enough for every answer a provider sends, so that only one that holds a key
    pays for `scrub_body`."""
    needles = _needles(secrets)
    if not needles:
        return False
    low = body.lower()
    return any(needle in low for needle in needles)


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every form of `secrets` replaced, whole and in any case: a key that a
    provider's data holds (a lead pasted it into a reply or a file) is never shown."""
    pattern = _whole(secrets)
    return pattern.sub(REDACTED, text) if pattern else text


def scrub_body(body: bytes, secrets: tuple[str, ...]) -> bytes:
    """`scrub` of a JSON answer before it is read: the same forms replaced where the same regex
    would replace them (leftmost, then longest, in any ASCII case), found with `bytes.find` on the
    lower-cased body, which a 15 MB answer takes 0.03 s for where the case-blind regex took 0.5 s
    on the event loop. None of the forms holds a quote or a backslash, nor does REDACTED, so the
    JSON stays as it was around them."""
    low = body.lower()
    found: list[tuple[int, int]] = []
    for needle in _needles(secrets):
        at = low.find(needle)
        while at >= 0:
            found.append((at, -len(needle)))
            at = low.find(needle, at + 1)
    parts: list[bytes] = []
    end = 0
    for start, minus_length in sorted(found):
        if start >= end:
            parts += [body[end:start], REDACTED.encode()]
            end = start - minus_length
    return b"".join(parts) + body[end:]


@lru_cache(maxsize=64)
def _needles(secrets: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(dict.fromkeys(s.lower().encode() for s in secrets if len(s) >= MIN_RUN))


@lru_cache(maxsize=64)
def _whole(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = sorted({s for s in secrets if len(s) >= MIN_RUN}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms)), re.IGNORECASE) if forms else None


@lru_cache(maxsize=64)
def _windows(secrets: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Every run of MIN_RUN characters of the secrets, lower-cased: as they are, and
    of their letters and digits alone; and the secrets too short to have one."""
    exact: set[str] = set()
    loose: set[str] = set()
    for secret in secrets:
        for form, into in ((secret.lower(), exact), (_letters_and_digits(secret), loose)):
            into.update(form[i : i + MIN_RUN] for i in range(len(form) - MIN_RUN + 1))
    short = tuple(s.lower() for s in secrets if len(s) < MIN_RUN)
    return frozenset(exact), frozenset(loose), short


def _lower(text: str) -> str:
    """`text` lower-cased, character for character (so that positions in it are positions in `text`)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def _letters_and_digits(text: str) -> str:
    """What a reader makes of `text`: HTML, %- and \\u escapes undone, then its letters and
    digits alone, lower-cased."""
    unescaped = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), urllib.parse.unquote(html.unescape(text)))
    return "".join(c for c in unescaped.lower() if c.isalnum())
