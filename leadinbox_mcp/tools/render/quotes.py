"""Quoted history, signatures and footers removed from plain text, without losing what was written.

Cuts happen only at clear delimiters:

- history: an attribution line ("On ... wrote:" and its equivalents in the languages mail clients
  write, the verbless "<date> <time> Sam <sam@x.io>:" too, wrapped onto up to three lines),
  "-----Original Message-----" and its kin, a forwarded-message header, a header block ("From: /
  Sent: / To: / Subject:" in those languages, or one that starts with the date), `>`-quoted lines,
  and a phone's footer with unquoted text below it (the mail being answered, sent along);
- tail: a "-- " signature, a mobile footer ("Sent from my iPhone"), a legal disclaimer, a bulk-mail
  unsubscribe footer (and a bulk mail's "view this email in your browser" first line).

What the sender wrote stays: an attribution takes no line typed above it, even on its own line
("Thanks! On ... wrote:" is split); answers written between quoted lines stay, each with the (at
most three) quoted lines it answers, but a closing after the last quote (a sign-off, a list's
footer) answers nothing; a single `>` line inside the sender's text is content; a sign-off such as
"Thanks," followed by more text is content; when the sender points to the history ("see my answers
below") its first level stays; and a body that would become empty keeps its text (first without
the tail cuts, then untouched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from leadinbox_mcp.tools.render.vocabulary import (
    ATTRIBUTION_HINTS,
    DATE_LABELS,
    DISCLAIMER,
    DISCLAIMER_HEADING,
    DISCLAIMER_HINTS,
    FOOTER_SIGNAL,
    FORWARD_HEADER,
    FORWARD_SUBJECT,
    FROM_LABELS,
    MESSAGE_WORDS,
    MOBILE_FOOTER,
    OPENERS,
    OTHER_LABELS,
    SENT,
    SIGN_OFFS,
    UNSUBSCRIBE,
    VIEW_ONLINE,
    WROTE,
    WROTE_CJK,
    WROTE_FIRST,
    points_below,
)

# --------------------------------------------------------------------------------------------
# Patterns: the phrases are vocabulary.py's (shared with the HTML walk); the shapes of lines are here
# --------------------------------------------------------------------------------------------

# Attribution lines that introduce quoted history ("On <date>, Sam <sam@x.io> wrote:"). The verb
# ends the line in most languages; German, Dutch and the Scandinavian ones put it before the name;
# Chinese, Korean and Japanese write it without a space. Forms that start with the writer's name
# need an address or a date to count.
_WROTE = "|".join(WROTE)
_WROTE_FIRST = "|".join(WROTE_FIRST)
_WROTE_CJK = "|".join(WROTE_CJK)
_OPENER = "|".join(OPENERS)
_OPENED = re.compile(rf"^(?:-{{2,}}\s*)?(?:{_OPENER})\b", re.I)
_MID_LINE_OPENER = re.compile(rf"[\s-](?=(?:{_OPENER})\s)")  # capitalised: not the "on" of a sentence
_ATTRIBUTION = re.compile(
    r"^(?:-{2,}\s*)?(?:"
    rf"(?:{_OPENER})\b.{{4,250}}?(?:(?:\b(?:{_WROTE})|{_WROTE_CJK})\s*[:：]?|\b(?:{'|'.join(SENT)})[:：]"
    rf"|\b(?:{_WROTE_FIRST})\b.{{0,250}}?[:：])"
    rf"|(?=.*(?:@|\d)).{{1,250}}?(?:\b(?:{_WROTE})|\b(?:{_WROTE_FIRST})\b.{{0,250}}?|{_WROTE_CJK})\s*[:：]"
    r")(?:\s*-{2,})?\s*$"
    # Android's "---- Sam wrote ----"
    rf"|^-{{2,}}\s*.{{1,120}}?\b(?:{_WROTE})\s*:?\s*-{{2,}}\s*$",
    re.I,
)
# A verbless attribution ends with the writer's address, perhaps a word or two, and a colon:
# "2024-03-20 8:48 GMT+01:00 Sam <sam@x.io>:", "20.03.2024, 08:48, "Sam" <sam@x.io>:".
_ADDRESS_END = re.compile(r"@[\w-]+(?:\.[\w-]+)+[>\])\"'»]*[^@<:：]{0,30}?([:：]?)\s*$")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:.]\d\d(?!\d)")
_DATE = re.compile(r"\d{1,4}[-./年]\s?\d{1,2}")
# "-----Original Message-----" and its kin in any language: dashes round a short phrase about a message.
_ORIGINAL_MESSAGE = re.compile(
    rf"^-{{2,}}\s*(?:[\w'’]+\s+){{0,2}}\w*?(?:{'|'.join(MESSAGE_WORDS)})(?:\s+[\w'’]+){{0,2}}\s*-{{2,}}$", re.I
)
_FORWARD_LINE = re.compile(r"^-*\s*" + FORWARD_HEADER.pattern + r"\s*:?\s*-*$", re.I)
# The fields of a quoted mail's header block. A block starts with the sender or the date.
_FROM_LABELS = "|".join(FROM_LABELS)
_DATE_LABELS = "|".join(DATE_LABELS)
_OTHER_LABELS = "|".join(OTHER_LABELS)
_HEADER_FIELD = re.compile(rf"^\*?(?:{_FROM_LABELS}|{_DATE_LABELS}|{_OTHER_LABELS})\*?\s*[:：]", re.I)
_FIRST_FIELD = re.compile(rf"^\*?(?:({_FROM_LABELS})|{_DATE_LABELS})\*?\s*[:：]\s*\S", re.I)
_RULE = re.compile(r"^[_\-=*─—]{8,}$")
# A bulk mail's unsubscribe line with its URL, and its "view this email in your browser" line.
_UNSUBSCRIBE_TEXT = re.compile(rf"\b(?:{'|'.join(UNSUBSCRIBE)})\b[^\n]{{0,30}}?<?https?://", re.I)
_VIEW_ONLINE_TEXT = re.compile(rf"\b(?:{'|'.join(VIEW_ONLINE)})", re.I)
_CONTENT = re.compile(r"[^\W_]|[\u00a9\u00ae\u2190-\u2bff\U0001F000-\U0001FAFF]")
_SPACES = re.compile(r"\s+")
_SIGN_OFF = re.compile(r"^(?!.*[.?:;]$)\W*\S+(?:\s+\S+){0,3}\s*$")
"""A short line that ends no sentence: the "Best, / Lukas" under a quoted mail."""
_CLOSING = re.compile(rf"^\W{{0,3}}(?:{'|'.join(SIGN_OFFS)})|^(?:[-/~]|[–—]\s?)\w[\w .'-]{{0,40}}$", re.I)
"""The first line of a closing: a sign-off ("Regards, Sam", "Mvh") or a dashed name ("-Sam", "/Sam")."""
_CONTEXT_LINES = 3
"""Quoted lines kept above an answer written between quotes."""
_DISCLAIMER_MAX = 2500


@dataclass
class Trimmed:
    text: str
    removed: list[str] = field(default_factory=list)
    """What was taken out, for `detailed` output: "quoted history", "signature", ..."""


def has_content(text: str) -> bool:
    """Letters, digits or symbols (an emoji is an answer); punctuation alone is not."""
    return bool(_CONTENT.search(text))


def trim(text: str) -> Trimmed:
    """`text` without quoted history, signature and footers, and what was taken out."""
    kept, removed = (_trimmed if len(text) <= 100_000 else _trimmed.__wrapped__)(text)
    return Trimmed(kept, list(removed))


@lru_cache(maxsize=256)
def _trimmed(text: str) -> tuple[str, tuple[str, ...]]:
    for tail in (True, False):  # without the tail cuts if they leave nothing
        result = _Trim(text, tail=tail).run()
        if has_content(result.text):
            return result.text, tuple(result.removed)
    return text.strip(), ()


# --------------------------------------------------------------------------------------------
# The work
# --------------------------------------------------------------------------------------------


class _Trim:
    def __init__(self, text: str, *, tail: bool) -> None:
        # Most messages have no attribution or disclaimer at all: then no line needs a look.
        low = text.lower()
        self.hinted = any(hint in low for hint in ATTRIBUTION_HINTS)  # else no line has one either
        self.maybe_attribution = self.hinted or "@" in text
        self.raw = _split_shared(text.split("\n")) if self.hinted else text.split("\n")
        self.norm = [_fold(line) for line in self.raw]
        self.low = low
        self.maybe_disclaimer = any(hint in low for hint in DISCLAIMER_HINTS)
        self.maybe_signature = "--" in text or "—" in text  # a delimiter line has one or the other
        if ">" in text:
            self.quoted = [line.startswith(">") for line in self.norm]
            self._unquote_content()
        else:  # no quoted line
            self.quoted = [False] * len(self.norm)
            self.last_quoted = -1
        self.keep = [True] * len(self.raw)
        self.tail = tail
        self.removed: list[str] = []

    def _unquote_content(self) -> None:
        """`>` lines that are no quote marks: a single `>` line between two lines of the
        sender's, with no blank line on either side, is content (">> 50 seats", an arrow): a
        quote starts a paragraph of its own, or follows the line that introduces it. And a `>`
        that closes a `<` left open on the line above ends a wrapped address."""
        norm, quoted = self.norm, self.quoted
        marked = [i for i, q in enumerate(quoted) if q]
        for i in marked:
            above = norm[i - 1] if i else ""
            if not above or quoted[i - 1]:
                continue
            if above.rfind("<") > above.rfind(">"):
                quoted[i] = False  # the '>' closes an address wrapped from the line above
            elif i + 1 < len(norm) and norm[i + 1] and not quoted[i + 1]:
                if not (above.endswith((":", "：", ">")) or (self.hinted and _hinted(above))):
                    quoted[i] = False
        self.last_quoted = next((i for i in reversed(marked) if quoted[i]), -1)

    def note(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    def drop(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.keep[i] = False

    def run(self) -> Trimmed:
        cue = self._history()
        self._attributions()
        if self.tail:
            self._disclaimer()
            self._signature()
            self._footers()
            self._view_online()
        self._quote_runs(keep_first=cue)
        text = "\n".join([line.rstrip() for line, kept in zip(self.raw, self.keep) if kept])
        while "\n\n\n" in text:  # runs of blank lines become one (as a \n{3,} sub would, faster)
            text = text.replace("\n\n\n", "\n\n")
        return Trimmed(text.strip(), self.removed)

    # -- history ------------------------------------------------------------------------------

    def _marker(self, start: int) -> tuple[int, int, str] | None:
        """The first unquoted history marker at or after `start`: (first line, first line after
        its header, what it is)."""
        norm, quoted = self.norm, self.quoted
        n = len(norm)
        written = self._first_content() < start  # has the sender written anything above?
        i = start
        while i < n:
            line = norm[i]
            if not line or quoted[i]:
                i += 1
                continue
            if _FORWARD_LINE.match(line):
                return i, self._header_end(i + 1), "forwarded message"
            if line.startswith("-") and _ORIGINAL_MESSAGE.match(line):
                return i, self._header_end(i + 1), "quoted history"
            if self._header_block(i):
                end = self._header_end(i)
                if not written:  # the message's own header, pasted above what the sender wrote
                    i = max(end, i + 1)
                    continue
                forward = any(FORWARD_SUBJECT.match(norm[j].lstrip("*")) for j in range(i, end))
                return i, end, "forwarded message" if forward else "quoted history"
            if self.maybe_attribution and not self._quoted_follows(i + 1):
                first = self._attribution_start(i, before_quote=False)
                if first is not None and first >= start:
                    return first, i + 1, "quoted history"
            if written and i > self.last_quoted and len(line) <= 100 and MOBILE_FOOTER.match(line):
                # A phone's footer with unquoted text below it: the phone put that text there,
                # not the sender (the mail they answer, sent along without quote marks). When a
                # marker of its own introduces that text, that marker is the cut.
                below = next((k for k in range(i + 1, n) if has_content(norm[k])), None)
                if below is not None and not self._opens_history(below):
                    return i, i + 1, "mobile footer"
            written = written or has_content(line)
            i += 1
        return None

    def _opens_history(self, k: int) -> bool:
        """Whether a history marker starts at line `k` (a separator, a header, an attribution)."""
        line = self.norm[k]
        if (
            _FORWARD_LINE.match(line)
            or (line.startswith("-") and _ORIGINAL_MESSAGE.match(line))
            or self._header_block(k)
        ):
            return True
        ends = range(k, min(k + 3, len(self.norm)))
        return self.maybe_attribution and any(self._attribution_start(j, before_quote=False) == k for j in ends)

    def _attribution_start(self, j: int, *, before_quote: bool) -> int | None:
        """The first line of an attribution that ends at line `j`, or None. It may wrap onto
        three lines: forms that open with their date ("On <date> ...", "<date> <time> ...") are
        tried first, and of each kind the shortest, so that a line typed just above is never
        taken with it."""
        norm = self.norm
        line = norm[j]
        if len(line) > 300 or not (line.endswith((":", "：", ">")) or (self.hinted and _hinted(line))):
            return None
        top = j
        while top > 0 and j - top < 2 and norm[top - 1] and self.keep[top - 1] and not self.quoted[top - 1]:
            top -= 1
        texts = [(k, " ".join(norm[k : j + 1])) for k in range(j, top - 1, -1)]
        for k, text in texts:
            if _opens_attribution(norm[k], wrapped=k < j) and _attribution(text, before_quote=before_quote):
                return k
        for k, text in texts:
            if _attribution(text, before_quote=before_quote):
                return k
        return None

    def _header_block(self, i: int) -> bool:
        """Whether a quoted mail's header starts at line `i`: its sender and two more fields,
        or its date or sender and a field on the next line, with an address among them."""
        line = self.norm[i]
        first = (":" in line or "：" in line) and _FIRST_FIELD.match(line)
        if not first:
            return False
        following = [j for j in range(i + 1, min(i + 8, len(self.norm))) if self.norm[j]][:6]
        fields = [j for j in following if _HEADER_FIELD.match(self.norm[j])]
        if first.group(1) and len(fields) >= 2:
            return True
        return bool(fields) and fields[0] == i + 1 and any("@" in self.norm[j] for j in (i, *fields))

    def _header_end(self, i: int) -> int:
        """The first line after a header block (fields, their wrapped continuations) at `i`."""
        norm = self.norm
        j = i
        while j < len(norm) and not norm[j]:
            j += 1
        saw_field = False
        while j < len(norm) and norm[j]:
            if _HEADER_FIELD.match(norm[j]):
                saw_field = True
            elif not saw_field:
                break
            j += 1
        return j if saw_field else i

    def _quoted_follows(self, i: int) -> bool:
        for j in range(i, min(i + 3, len(self.norm))):
            if self.norm[j]:
                return self.quoted[j]
        return False

    def _history(self) -> bool:
        """Cut unquoted history; True when the sender points to it and its first level stays."""
        first = self._marker(0)
        first_quote = next((i for i, q in enumerate(self.quoted) if q), None)
        if first is None and first_quote is None:
            return False  # no history at all
        horizon = min(x for x in (first[0] if first else None, first_quote, len(self.norm)) if x is not None)
        cue = points_below("\n".join(self.norm[:horizon]))
        if first is None:
            return cue
        start, header_end, kind = first
        if cue and (first_quote is None or start < first_quote):
            second = self._marker(max(header_end, start + 1))
            if second is None:
                return False
            start, _, kind = second
            cue = False
        cut = start
        while cut > 0 and (not self.norm[cut - 1] or _RULE.match(self.norm[cut - 1])):
            cut -= 1
        self.drop(cut, len(self.raw))
        if kind == "mobile footer":
            self.note(kind)
            kind = "quoted history"
        self.note(kind)
        return cue

    def _attributions(self) -> None:
        """Attribution lines right above `>` quotes go (the quotes are handled on their own)."""
        if not self.maybe_attribution:
            return
        for j in range(len(self.norm)):
            if self.norm[j] and self.keep[j] and not self.quoted[j] and self._quoted_follows(j + 1):
                first = self._attribution_start(j, before_quote=True)
                if first is not None:
                    self.drop(first, j + 1)
                    self.note("quoted history")

    # -- tail ---------------------------------------------------------------------------------

    def _segment_end(self, i: int) -> int:
        """The end of the unquoted stretch that line `i` is in."""
        j = i
        while j < len(self.norm) and not self.quoted[j]:
            j += 1
        return j

    def _first_content(self) -> int:
        """The first line the sender wrote that is still kept (len(lines) if none)."""
        for k in range(len(self.norm)):
            if self.keep[k] and not self.quoted[k] and has_content(self.norm[k]):
                return k
        return len(self.norm)

    def _content_before(self, i: int) -> bool:
        return self._first_content() < i

    def _disclaimer(self) -> None:
        if not self.maybe_disclaimer:
            return
        # The hints in the text (and those with a space, which folding can make): a line has no other.
        hints = [hint for hint in DISCLAIMER_HINTS if " " in hint or hint in self.low]
        for i, line in enumerate(self.norm):
            if not self.keep[i] or self.quoted[i] or not line:
                continue
            low = line.lower()
            if not any(hint in low for hint in hints):
                continue
            if not DISCLAIMER.search(line):
                continue
            end = self._segment_end(i)
            size = sum(len(self.norm[j]) for j in range(i, end) if self.keep[j])
            if size <= _DISCLAIMER_MAX and self._content_before(i):
                # A heading such as "CONFIDENTIALITY NOTICE" or "Disclaimer:" on the line above goes too.
                start = i
                above = self.norm[i - 1] if i > 0 else ""
                if above and len(above) < 40 and not self.quoted[i - 1] and DISCLAIMER_HEADING.search(above):
                    start = i - 1
                self.drop(start, end)
                self.note("legal disclaimer")
            return

    def _signature(self) -> None:
        if not self.maybe_signature:
            return
        first = self._first_content()
        for i, raw in enumerate(self.raw):
            if not self.keep[i] or self.quoted[i]:
                continue
            stripped = raw.strip("\r\n")
            exact = stripped in ("-- ", "--\u00a0")
            if not exact and self.norm[i] not in ("--", "—"):
                continue
            if first >= i:
                continue
            # A signature is short: up to 15 lines after "-- ", 6 short ones after a bare "--".
            limit, lines, end = (15 if exact else 6), 0, i + 1
            while end < len(self.norm) and not self.quoted[end]:
                if self.keep[end] and self.norm[end]:
                    lines += 1
                    if lines > limit or (not exact and len(self.norm[end]) > 80):
                        break
                end += 1
            else:  # the stretch ended (a quote or the end of the text) within the limit
                if lines:
                    self.drop(i, end)
                    self.note("signature")
                    return

    def _view_online(self) -> None:
        """A bulk mail's first paragraph that only offers the web version, with its link."""
        norm = self.norm
        first = next((i for i in range(len(norm)) if self.keep[i] and norm[i]), None)
        if first is None or self.quoted[first]:
            return
        end = first
        while end < len(norm) and norm[end] and not self.quoted[end]:
            end += 1
        paragraph = " ".join(norm[first:end])
        if end - first <= 2 and len(paragraph) <= 200 and "://" in paragraph and _VIEW_ONLINE_TEXT.search(paragraph):
            if any(self.keep[k] and has_content(norm[k]) for k in range(end, len(norm))):
                self.drop(first, end)
                self.note("view-online link")

    def _footers(self) -> None:
        """Mobile footers and an unsubscribe footer at the end of what the sender wrote."""
        norm = self.norm
        first = self._first_content()
        candidates = [i for i in range(len(norm)) if self.keep[i] and not self.quoted[i] and norm[i]]
        while candidates:
            i = candidates.pop()
            if MOBILE_FOOTER.match(norm[i]):
                if first < i:
                    self.drop(i, i + 1)
                    self.note("mobile footer")
                    continue
                return
            # The last paragraph: an unsubscribe line with its link, plus an address or a company.
            start = i
            while start > 0 and self.keep[start - 1] and norm[start - 1] and not self.quoted[start - 1]:
                start -= 1
            paragraph = "\n".join(norm[start : i + 1])
            if (
                i - start < 4
                and len(paragraph) <= 400
                and "://" in paragraph  # (the pattern ends with a URL)
                and _UNSUBSCRIBE_TEXT.search(paragraph)
                and FOOTER_SIGNAL.search(_UNSUBSCRIBE_TEXT.sub(" ", paragraph))
                and first < start
            ):
                self.drop(start, i + 1)
                self.note("unsubscribe footer")
            return

    # -- quoted lines -------------------------------------------------------------------------

    def _quote_runs(self, *, keep_first: bool) -> None:
        """Each run of `>` lines goes, unless the sender wrote after it: then its last lines stay
        as the context of the answer below them."""
        if self.last_quoted < 0:
            return  # no quoted line
        n = len(self.norm)
        # Only quoted lines go below, so where the sender's last answer is does not change.
        last_answer = self._last_answer()
        i = 0
        first = True
        while i < n:
            if not (self.keep[i] and self.quoted[i]):
                i += 1
                continue
            end = i
            j = i
            while j < n and (self.quoted[j] or not self.norm[j] or not self.keep[j]):
                if self.quoted[j] and self.keep[j]:
                    end = j + 1
                j += 1
            answered = last_answer >= end
            if answered:
                context = self._context(i, end)
                for k in range(i, end):
                    if k not in context:
                        self.keep[k] = False
                self.note("quoted history")
            elif not (keep_first and first):
                self.drop(i, end)
                self.note("quoted history")
            first = False
            i = end

    def _last_answer(self) -> int:
        """The sender's last content line, not counting a closing after the last quote (a
        sign-off, a name, a list's footer): that answers nothing, and the quote above it goes."""
        norm, keep, quoted = self.norm, self.keep, self.quoted

        def last_content(below: int) -> int:
            return next((k for k in range(below - 1, -1, -1) if keep[k] and not quoted[k] and has_content(norm[k])), -1)

        last = last_content(len(norm))
        last_quote = next((k for k in range(len(norm) - 1, -1, -1) if keep[k] and quoted[k]), -1)
        if last < last_quote or last_quote < 0:
            return last
        after = [k for k in range(last_quote + 1, len(norm)) if keep[k] and norm[k]]
        first = norm[after[0]]
        if has_content(first):
            closing = len(after) <= 3 and bool(_CLOSING.match(first) and _SIGN_OFF.match(first))
        else:  # a rule: a mailing list's or a company's footer
            closing = len(after) <= 5 and all(len(norm[k]) <= 80 for k in after)
        return last_content(last_quote) if closing else last

    def _context(self, start: int, end: int) -> list[int]:
        """The quoted lines an answer below them needs: the last sentence of the quote, at most
        three lines of it (a wrapped question), never across a blank line."""
        picked: list[int] = []
        for k in range(end - 1, start - 1, -1):
            if not self.keep[k]:
                continue
            text = self.norm[k].lstrip("> ").strip()
            if not text or not self.quoted[k]:
                if picked:
                    break
                continue
            if _HEADER_FIELD.match(text) or _FORWARD_LINE.match(text):
                break  # a quoted mail's header: what is above it is not what is being answered
            if _quoted_attribution(self.norm[k]) or not has_content(text):
                continue
            if not picked and _SIGN_OFF.match(text):
                continue  # the quoted mail's "Best, / Lukas": not what the answer is about
            if picked and re.search(r"[.?!:;]$", text):
                break
            picked.append(k)
            if len(picked) == _CONTEXT_LINES:
                break
        if len(picked) > 1:
            # A wrapped sentence starts mid-line: keep the line from that sentence on.
            top = picked[-1]
            line = self.raw[top]
            body_at = len(line) - len(line.lstrip("> \t"))
            # (not after a question: that is usually what is being answered).
            starts = [m.end() for m in re.finditer(r"[.!:;]\s+(?=\S)", line[body_at:])]
            if starts:
                self.raw[top] = line[:body_at] + line[body_at + starts[-1] :]
        return picked


def _fold(line: str) -> str:
    line = line.strip()
    return _SPACES.sub(" ", line) if "  " in line or not line.isprintable() else line


def _attribution(text: str, *, before_quote: bool = True) -> bool:
    """Whether `text` (a line, or a wrapped one joined) introduces quoted history. Without `>`
    quotes below it could also be the sender's own sentence ("My CFO wrote:"), so there a verb
    needs a date or an address, and a verbless form a date, a time and a colon."""
    if len(text) > 400:
        return False
    if _hinted(text) and _ATTRIBUTION.match(text):
        return before_quote or bool(re.search(r"[\d@]", text))
    return _addressed(text, before_quote=before_quote)


def _hinted(text: str) -> bool:
    """Whether `text` has a word that attributions use ("wrote", "schrieb", ...): a cheap first look."""
    low = text.lower()
    return any(hint in low for hint in ATTRIBUTION_HINTS)


def _split_shared(lines: list[str]) -> list[str]:
    """A line that the sender's words share with an attribution ("Thanks! On Tue, 3 Nov 2026,
    Sam <sam@x.io> wrote:") becomes two lines."""
    out: list[str] = []
    for line in lines:
        if len(line) < 300 and _hinted(line) and not _OPENED.match(line.strip()):
            for m in _MID_LINE_OPENER.finditer(line):
                head, rest = line[: m.start()].rstrip(" -"), line[m.end() :]
                if has_content(head) and re.search(r"\d", rest) and _attribution(rest.strip()):
                    out += [head, rest]
                    break
            else:
                out.append(line)
        else:
            out.append(line)
    return out


def _opens_attribution(line: str, *, wrapped: bool) -> bool:
    """Whether an attribution may start with `line`: "On" and its kin (with a date when the
    attribution wraps), or, wrapped, a date and a time with no sentence ended after them."""
    if _OPENED.match(line):
        return not wrapped or bool(re.search(r"\d", line))
    return wrapped and not line.endswith((".", "!", "?")) and bool(_YEAR.search(line) and _TIME.search(line))


def _addressed(text: str, *, before_quote: bool) -> bool:
    """A verbless attribution: a date, the writer's address at the end, a colon."""
    at = text.rfind("@")
    end = _ADDRESS_END.match(text, at) if at > 0 else None
    if end is None:
        return False
    head = text[:at]
    if before_quote:
        return bool(end.group(1) or text.endswith(">")) and bool(_DATE.search(head) or _TIME.search(head))
    return bool(end.group(1)) and bool(_YEAR.search(head)) and bool(_TIME.search(head))


def is_attribution(line: str) -> bool:
    """Whether `line` introduces the quote that follows it ("On ... wrote:", "<date> Sam <sam@x.io>:")."""
    return _attribution(line.strip())


def _quoted_attribution(line: str) -> bool:
    return _attribution(line.lstrip("> ").strip())
