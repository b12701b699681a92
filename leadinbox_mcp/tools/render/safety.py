"""Text from strangers, made safe to print: no invisible or direction-changing characters.

Zero-width characters, bidi controls, variation selectors and the Unicode tag block can hide or
reorder text that a person reviewing the output would never see but a model would read (tag
characters and variation selectors can even carry a whole hidden message after an innocent
emoji); control characters can forge line structure. All of them go: every format (Cf) and
control (Cc) character except tab and newline, plus the invisible fillers and selectors that
Unicode files elsewhere. Line and paragraph separators become newlines. Ordinary whitespace is
kept; long stacks of combining marks ("Zalgo" text, a token bomb) are cut to a few.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Every Cf (format) character of Unicode 15.1, every Cc (control) character except \t and \n
# (\r and the line separators are turned into \n first), and invisible characters of other
# categories. tests/test_render_units.py checks this list against `unicodedata`.
_INVISIBLE_RANGES = (
    "\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f"  # C0/C1 controls (\t \n \v \f \r NEL mapped)
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"  # Arabic/Syriac format characters, ALM
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u17b4\u17b5"  # Khmer inherent vowels (invisible)
    "\u180b-\u180f"  # Mongolian variation selectors and vowel separator
    "\u200b-\u200f"  # zero-width space/non-joiner/joiner, LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u206f"  # word joiner, invisible operators, bidi isolates, deprecated format chars
    "\ufe00-\ufe0f"  # variation selectors
    "\ufeff"  # zero-width no-break space / BOM
    "\ufff0-\ufffb"  # unassigned specials, interlinear annotation
    "\ufdd0-\ufdef\ufffe\uffff"  # noncharacters
    "\U000110bd\U000110cd"  # Kaithi number signs
    "\U00013430-\U0001343f"  # Egyptian hieroglyph format controls
    "\U0001bca0-\U0001bca3"  # shorthand format controls
    "\U0001d173-\U0001d17a"  # musical format characters
    "\U000e0000-\U000e007f"  # tag block
    "\U000e0100-\U000e01ef"  # variation selectors supplement
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_RANGES}]+")
_ASCII_CONTROL = re.compile("[\u0000-\u0008\u000e-\u001f\u007f]+")
_ASCII_CONTROL_CHAR = re.compile("[\u0000-\u0008\u000e-\u001f\u007f]")  # a look first: 3x faster than the sub
_LINE_BREAKS = re.compile("\r\n?|[\u000b\u000c\u0085\u2028\u2029]")
# Combining marks of the generic diacritic blocks, the ones Zalgo text piles up.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARK_PILE = re.compile(f"([{_MARKS}]{{3}})[{_MARKS}]+")
# Any character that one of the three above acts on: most text has none (one pass, not three).
_TO_STRIP = re.compile(f"[{_INVISIBLE_RANGES}\r\u000b\u000c\u0085\u2028\u2029{_MARKS}]")
_SPACES = re.compile(r"[^\S\n]+")


def strip_invisible(text: str) -> str:
    """Invisible, direction-changing and control characters removed; every line break is \\n."""
    if text.isascii():  # the common case, in one pass
        if "\r" in text or "\x0b" in text or "\x0c" in text:
            text = _LINE_BREAKS.sub("\n", text)
        return _ASCII_CONTROL.sub("", text) if _ASCII_CONTROL_CHAR.search(text) else text
    if not _TO_STRIP.search(text):
        return text
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    return _MARK_PILE.sub(r"\1", text)


def clean(text: str) -> str:
    """Safe, normalised text: NFC, invisible characters gone, spaces folded, at most one blank line."""
    text = strip_invisible(unicodedata.normalize("NFC", text))
    lines = [
        _SPACES.sub(" ", line).strip() if "  " in line or not line.isprintable() else line.strip()
        for line in text.split("\n")
    ]
    text = "\n".join(lines)
    while "\n\n\n" in text:  # runs of blank lines become one (as a \n{3,} sub would, faster)
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def one_line(text: str | None, limit: int) -> str:
    """A single line of at most `limit` characters, cut at a word where possible."""
    if not text:
        return ""
    flat = " ".join(strip_invisible(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


# --------------------------------------------------------------------------------------------
# Fence markers: nothing from outside may look like one
# --------------------------------------------------------------------------------------------

# On the skeleton (below), "data" (letters may be spaced) with what makes it a marker: both
# brackets; an opening bracket and a nonce; "[/data"; a nonce and a closing bracket; "/data]".
# A bracket before ordinary words ("(data hosted in ...") is left alone.
_DATA = r"d\s?a\s?t\s?a"
_NONCE = r"(?:\s*[0-9])+"
_MARKER = re.compile(
    rf"\[\s*(?:/\s*)?{_DATA}(?:\s*[0-9])*\s*\]"
    rf"|\[\s*(?:/\s*)?{_DATA}{_NONCE}"
    rf"|\[\s*/\s*{_DATA}(?![a-z])"
    rf"|(?:/\s*)?{_DATA}{_NONCE}\s*\]"
    rf"|/\s*{_DATA}\s*\]"
)
_SKELETON_TARGETS = "dataDATA/"


@lru_cache(maxsize=1)
def _homoglyphs() -> dict[str, str]:
    """Unicode's confusables (TR39, through confusable-homoglyphs' copy of confusables.txt) of
    the characters a marker is made of: Cyrillic 'а', Greek 'α', mathematical '𝐝', '∕', ..."""
    from confusable_homoglyphs import confusables

    table: dict[str, str] = {}
    for target in _SKELETON_TARGETS:
        for glyph in confusables.confusables_data.get(target, []):
            if len(glyph["c"]) == 1:
                table.setdefault(glyph["c"], target.lower())
    return table


@lru_cache(maxsize=8192)
def _skeleton_char(ch: str) -> str:
    """One character for one: what it looks like, as far as a marker is concerned."""
    category = unicodedata.category(ch)
    if category == "Ps" or ch in "<＜﹤":
        return "["
    if category == "Pe" or ch in ">＞﹥":
        return "]"
    if category == "Nd":
        return "0"
    if ch.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and folded.isascii():
        return folded.lower()
    return _homoglyphs().get(ch, "?")


def defuse(text: str) -> str:
    """Anything shaped like a fence marker (`[data123456]`, `[/data123456]`) loses its brackets:
    in any bracket, with look-alike letters (Cyrillic, Greek, mathematical, fullwidth), other
    slashes, spaced or non-ASCII digits, with or without a nonce. Until none is left: what stood
    around a dropped bracket can make a new one ("[/[data1" left "[/data1"); past DEFUSE_PASSES,
    every bracket goes."""
    for _ in range(DEFUSE_PASSES):
        once = _defuse_once(text)
        if once is text:
            return text
        text = once
    skeleton = _skeleton(text)
    return "".join(ch for ch, seen in zip(text, skeleton) if seen not in "[]")


DEFUSE_PASSES = 3
"""Passes of `_defuse_once` before every bracket of what is left is dropped (each pass is linear)."""


def _skeleton(text: str) -> str:
    """`text` as a marker is made of, one character for one (`_skeleton_char`)."""
    if text.isascii():
        return text.lower().translate(_ASCII_BRACKETS)
    return "".join(map(_skeleton_char, text))


_ASCII_BRACKETS = str.maketrans("<>(){}", "[][][]")


def _defuse_once(text: str) -> str:
    """One pass of `defuse`: `text` itself when it has nothing marker-shaped."""
    skeleton = _skeleton(text)
    if text.isascii() and "data" not in skeleton.replace(" ", ""):
        return text
    drop: set[int] = set()
    for m in _MARKER.finditer(skeleton):
        drop.update(i for i in range(m.start(), m.end()) if skeleton[i] in "[]")
        # With the brackets around it ("[[data1]]"), or one pass would leave a marker behind.
        drop.update(_run(skeleton, m.start() - 1, -1, "[") if skeleton[m.start()] == "[" else ())
        drop.update(_run(skeleton, m.end(), 1, "]") if skeleton[m.end() - 1] == "]" else ())
    if not drop:
        return text
    return "".join(ch for i, ch in enumerate(text) if i not in drop)


def _run(skeleton: str, start: int, step: int, bracket: str) -> list[int]:
    """Where `bracket` stands from `start` on, in the direction of `step`, with only white space
    between."""
    found = []
    i = start
    while 0 <= i < len(skeleton) and (skeleton[i] == bracket or skeleton[i].isspace()):
        if skeleton[i] == bracket:
            found.append(i)
        i += step
    return found


_QUOTES = str.maketrans({'"': "'", "“": "'", "”": "'", "„": "'", "‟": "'", "″": "'", "＂": "'", "«": "'", "»": "'"})


def quoted(text: str | None, limit: int) -> str:
    """A field an outside party set (a name, a file name), on one line in double quotes that it
    cannot close: its own double quotes, curly ones included, become single ones."""
    flat = one_line(text, limit)
    return f'"{defuse(flat).translate(_QUOTES)}"' if flat else ""
