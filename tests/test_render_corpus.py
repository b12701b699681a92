"""The labelled corpus (tests/corpus/*.toml) through the real body pipeline.

Every must-survive text has to be in both the concise and the detailed rendering of its message;
must-go snippets are counted, and the share removed is reported and held to the target (all of
it, and never below 95%). The per-case tests name the case, so a regression says which message.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from helpers import corpus_cases

from leadinbox_mcp.providers.model import Message
from leadinbox_mcp.tools.render.body import body
from leadinbox_mcp.tools.render.html import html_to_text

CLIENTS = {
    "gmail",
    "outlook",
    "owa",
    "outlook-mobile",
    "apple",
    "ios",
    "android",
    "thunderbird",
    "yahoo",
    "plain",
    "marketing",
    "linkedin",
}
LANGUAGES = {"en", "fr", "de", "es", "it", "pt", "nl"}
MODES = {"concise": False, "detailed": True}


CASES = corpus_cases()


def fold(text: str) -> str:
    return " ".join(text.split())


def render(case: dict, detailed: bool):
    message = Message(
        direction="inbound",
        at=datetime(2026, 11, 5, 12, 0, tzinfo=UTC),
        html=case.get("html"),
        text=case.get("text"),
    )
    return body(message, links=detailed)


def test_the_corpus_is_big_and_covers_what_it_must():
    assert len(CASES) >= 60
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for case in CASES:
        assert case["client"] in CLIENTS, case["id"]
        assert case["language"] in LANGUAGES, case["id"]
        assert case["format"] in ("html", "text"), case["id"]
        assert case.get(case["format"]), f"{case['id']}: no {case['format']} body"
        assert case.get("must_survive"), f"{case['id']}: nothing labelled must-survive"
    assert {c["language"] for c in CASES} == LANGUAGES
    assert {c["client"] for c in CASES} == CLIENTS
    assert {c["format"] for c in CASES} == {"html", "text"}
    for language in LANGUAGES:
        assert sum(c["language"] == language for c in CASES) >= 3, language


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_must_go_snippet_is_really_there_to_remove(case):
    """Otherwise the removal share would count snippets that were never in the message."""
    raw = " ".join(
        [case.get("html") or "", case.get("text") or ""]
        + ([html_to_text(case["html"], links=True, drop_quotes=False)] if case.get("html") else [])
    )
    for snippet in case.get("must_go", []) + case.get("detailed_go", []):
        assert fold(snippet) in fold(raw), snippet


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_must_survive_line_is_kept(case):
    for mode, detailed in MODES.items():
        out = fold(render(case, detailed).text)
        missing = [line for line in case["must_survive"] if fold(line) not in out]
        extra = case.get("detailed_survive" if detailed else "concise_survive", [])
        missing += [line for line in extra if fold(line) not in out]
        assert not missing, f"{mode}: lost {missing}\n--- output ---\n{render(case, detailed).text}"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.get("trimmed")], ids=[c["id"] for c in CASES if c.get("trimmed")]
)
def test_detailed_says_what_was_trimmed(case):
    removed = render(case, True).removed
    assert set(case["trimmed"]) <= set(removed), removed


def must_go_tally() -> tuple[int, int, list[tuple[str, str, str]]]:
    total = gone = 0
    left: list[tuple[str, str, str]] = []
    for case in CASES:
        for mode, detailed in MODES.items():
            out = fold(render(case, detailed).text)
            snippets = list(case.get("must_go", [])) + (list(case.get("detailed_go", [])) if detailed else [])
            for snippet in snippets:
                total += 1
                if fold(snippet) in out:
                    left.append((case["id"], mode, snippet))
                else:
                    gone += 1
    return total, gone, left


def test_must_go_text_is_removed(capsys):
    total, gone, left = must_go_tally()
    share = gone / total
    with capsys.disabled():
        print(f"\ncorpus: {len(CASES)} messages, must-go removed {gone}/{total} = {share:.1%}")
        for item in left:
            print("  left:", *item)
    assert share >= 0.95
    assert not left, left


def test_no_invisible_or_control_characters_survive():
    bad = re.compile(
        "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]"
    )
    for case in CASES:
        for detailed in MODES.values():
            assert not bad.search(render(case, detailed).text), case["id"]


def test_no_markdown_images_or_raw_markup():
    for case in CASES:
        for detailed in MODES.values():
            out = render(case, detailed).text
            assert "![" not in out and "<div" not in out.lower() and "&nbsp;" not in out, case["id"]
