"""The text the HTML walk writes: line breaks and blank lines that merge instead of piling up,
`> ` before the lines of a quote kept for the answers below it, ` | ` between table cells, and
link URLs kept aside as Link parts, so that one walk gives both the concise text (links as their
words) and the detailed one (with ` <url>`)."""

from __future__ import annotations


class Link:
    """A link's URL in the written parts: shown in detailed output only."""

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url


def join(parts: list, links: bool = False) -> str:
    """The written parts as text, with the links' URLs (`links`) or without."""
    try:
        return "".join(parts)  # no link among them (most messages)
    except TypeError:
        return "".join(p if p.__class__ is str else (f" <{p.url}>" if links else "") for p in parts)


class Removed(list):
    """What the walk took out, in the words detailed output uses ("quoted history", ...): each
    once, in the order met. (A list of its own, not the walk's method: the policies that note
    things hold it without holding the walk, which its tree can then leave as soon as it ends.)"""

    def note(self, what: str) -> None:
        if what not in self:
            self.append(what)


class Writer:
    """Collects text. A block boundary asks for a line break, a paragraph for a blank line;
    consecutive requests merge instead of piling up. Lines inside a kept quote start with `> `."""

    def __init__(self) -> None:
        self.parts: list = []
        self.pending = 0
        self.depth = 0
        self.line_has_text = False
        self.cell = False

    def brk(self, lines: int) -> None:
        if self.parts and lines > self.pending:
            self.pending = lines
        self.cell = False

    def newline(self) -> None:
        self.parts.append("\n" * max(1, self.pending))
        self.pending = 0
        self.line_has_text = False
        self.cell = False

    def space(self) -> None:
        if self.line_has_text and not self.pending:
            last = self.parts[-1]
            if last.__class__ is not str or not last.endswith(" "):
                self.parts.append(" ")

    def text(self, value: str) -> None:
        if self.pending:
            self.parts.append("\n" * self.pending)
            self.pending = 0
            self.line_has_text = False
        if not self.line_has_text:
            value = value.lstrip(" ")
            if not value:
                return
            if self.depth:
                self.parts.append("> " * self.depth)
        elif self.cell:
            self.parts.append(" | ")
        self.cell = False
        self.parts.append(value)
        self.line_has_text = True

    def last_line(self) -> str:
        """The last line with text written so far (looking at most 50 parts back)."""
        out: list[str] = []
        for part in reversed(self.parts[-50:]):
            if part.__class__ is not str:
                continue
            if "\n" in part:
                if "".join(out).strip():
                    break
                out = []
                continue
            out.append(part)
        return "".join(reversed(out)).strip()

    def start_cell(self) -> None:
        if self.line_has_text and not self.pending:
            self.cell = True
