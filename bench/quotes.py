"""How well quoted history is cut, on fixtures that five other reply-parser projects publish.

`python -m bench.quotes [FOLDER]` reads the labelled cases of `../shared/peer-quotes/` (beside
the repository; see its README) and renders each input as a one-message get_thread would show
it (the concise body). It prints, per suite and in all:

- kept: the share of cases where every line the sender wrote (`keep`) survives;
- removed: the share of cases with quoted history (`gone`) where none of it survives.

Cases marked `empty_reply` or `disputed` are left out, as the fixtures' README asks, and so are
cases whose input is longer than the body cap (their output is cut, whatever the parser does; the
table says how many). The fixtures' texts stay outside the repository: without the folder this
prints one line and exits 0.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Share, verdict
from leadinbox_mcp.providers.model import Message
from leadinbox_mcp.tools.render.body import MAX_CHARS, body

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "peer-quotes"
_QUOTE_MARKS = re.compile(r"^(?:\s*>)+\s?")
_ONLY_PUNCTUATION = re.compile(r"^[\W_]*$")


def fold(text: str) -> str:
    """Whitespace folded, case folded, and without invisible format characters (zero-width
    spaces and the like), which the renderer removes on purpose."""
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.split()).casefold()


def _unquoted(line: str) -> str:
    return fold(_QUOTE_MARKS.sub("", line))


@dataclass
class Score:
    kept: Share = field(default_factory=Share)
    """Of all cases: those where every line the sender wrote survives."""
    removed: Share = field(default_factory=Share)
    """Of the cases with quoted history: those where none of it survives."""
    too_long: int = 0  # cases left out: input beyond the body cap


def judge(case: dict, shown: str) -> tuple[bool, bool | None]:
    """(every keep line survives, no gone line survives — None when the case has no history).

    A keep line survives when its folded text stands in the folded output. A gone line survives
    when, without its '>' marks, it is an output line of its own, or (20 characters or more)
    stands anywhere in the output; lines of punctuation only do not count. A gone line that
    reads the same as one the sender wrote (a quoted copy of their own sign-off or list footer,
    which may stay) survives only where the output shows it quoted."""
    out = fold(shown)
    out_lines = {_unquoted(line) for line in shown.splitlines()}
    quoted_lines = {_unquoted(line) for line in shown.splitlines() if _QUOTE_MARKS.match(line)}
    kept = all(fold(line) in out for line in case["keep"] if fold(line))
    own = {_unquoted(line) for key in ("keep", "sig", "ctx") for line in case.get(key, [])}
    gone = [g for g in (_unquoted(line) for line in case["gone"]) if g and not _ONLY_PUNCTUATION.match(g)]
    if not gone:
        return kept, None
    leaked = any(g in quoted_lines if g in own else g in out_lines or (len(g) >= 20 and g in out) for g in gone)
    return kept, not leaked


def render(case: dict) -> str:
    html = case["input"] if case["fmt"] == "html" else None
    text = None if html else case["input"]
    return body(Message(direction="inbound", at=None, html=html, text=text), links=False).text


def measure(folder: Path) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    for path in sorted(folder.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            if case.get("empty_reply") or case.get("disputed"):
                continue
            if len(case["input"]) > MAX_CHARS:
                scores["all"].too_long += 1
                continue
            kept, removed = judge(case, render(case))
            for name in (path.stem, "all"):
                scores[name].kept.count(case["id"], kept)
                if removed is not None:
                    scores[name].removed.count(case["id"], removed)
    return scores


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'suite':<8} {'cases':>5} {'kept':>14} {'removed':>14}"]
    for name in sorted(scores, key=lambda n: (n == "all", n)):
        s = scores[name]
        lines.append(f"{name:<8} {s.kept.counted:>5} {s.kept!s:>14} {s.removed!s:>14}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """`[FOLDER] [-v]`: -v lists the ids of the cases that fail either way."""
    folders = [a for a in argv if not a.startswith("-")]
    folder = Path(folders[0]) if folders else FOLDER
    if not folder.is_dir():
        print(f"peer-quotes: {folder} is absent; nothing measured.")
        return 0
    scores = measure(folder)
    print(table(scores))
    s = scores["all"]
    print(f"left out: {s.too_long} cases whose input is longer than the body cap ({MAX_CHARS:,} characters)")
    print(
        f"targets (issue 12): every sender line kept in 100% of cases: {s.kept.percent:.1f}%, "
        f"{verdict(s.kept.passed == s.kept.counted)}; history fully removed in >= 85%: "
        f"{s.removed.percent:.1f}%, {verdict(s.removed.passed >= 0.85 * s.removed.counted)}"
    )
    if "-v" in argv:
        print("sender text lost:", " ".join(s.kept.failed))
        print("history left:", " ".join(s.removed.failed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
