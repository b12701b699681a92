"""Text a reader of the document would not see: the words for it, and the tally behind its note.

A passage is a run of hidden text between visible text; the note counts them and says why they
were hidden, never what they say: "3 passages of hidden text (white or faint, tiny) were not shown."
The same thresholds serve PDF and Word: text under MIN_POINTS, and text whose colour is within
COLOUR_TOLERANCE of the background under it (white on white; white on a dark fill is visible).
"""

from __future__ import annotations

MIN_POINTS = 2.0
"""Text smaller than this (in points, after scaling) cannot be read on a page."""
COLOUR_TOLERANCE = 24
"""Largest difference of any channel (0-255) between a text colour and its background at which
the text still cannot be told from it: #F0F0F0 on white is hidden, #DDDDDD is not."""
MIN_ALPHA = 26
"""Fill alpha (0-255) under which text is transparent (about 10%)."""

WHITE = (255, 255, 255)

WHITE_OR_FAINT = "white or faint"
TINY = "tiny"
OFF_PAGE = "outside the page"
OFF_SLIDE = "outside the slide"
INVISIBLE = "invisible"
TRANSPARENT = "transparent"
WORD_HIDDEN = "Word's hidden format"
HIDDEN_ANNOTATION = "hidden form field or comment"


def indistinct(colour: tuple[int, int, int], background: tuple[int, int, int]) -> bool:
    """A colour that cannot be told from the background it is painted on."""
    return max(abs(a - b) for a, b in zip(colour, background)) <= COLOUR_TOLERANCE


class Hidden:
    """Passages of hidden text met, and why they were hidden."""

    def __init__(self) -> None:
        self.passages = 0
        self.reasons: dict[str, None] = {}

    def add(self, reasons: str | set[str] | list[str], passages: int = 1) -> None:
        self.passages += passages
        for reason in [reasons] if isinstance(reasons, str) else sorted(reasons):
            self.reasons[reason] = None

    def note(self, where: str = "") -> str | None:
        if not self.passages:
            return None
        plural = "passage" if self.passages == 1 else "passages"
        verb = "was" if self.passages == 1 else "were"
        return f"{self.passages:,} {plural} of hidden text ({', '.join(sorted(self.reasons))}){where} {verb} not shown."
