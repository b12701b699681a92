"""Quoted history, signatures and footers removed from plain text, without losing what was written.

Cuts happen only at clear delimiters: an attribution line ("On ... wrote:" and its equivalents),
"-----Original Message-----", an Outlook From:/Sent: header block, `>`-quoted lines (inline
answers between them stay), a "-- " signature delimiter, a mobile footer or a legal disclaimer.
A body that would become empty keeps its original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Attribution lines that introduce quoted history, in English, French, German, Spanish,
# Italian, Portuguese and Dutch. They may wrap onto a second line, so they match a joined pair.
_ATTRIBUTION = re.compile(
    r"^(?:"
    r"On\b.{4,200}\bwrote\s*:"
    r"|Le\b.{4,200}\ba\s+écrit\s*:"
    r"|Am\b.{4,200}\bschrieb\b.{0,200}:"
    r"|.{0,200}\bschrieb\s+am\b.{0,200}:"
    r"|El\b.{4,200}\bescribió\s*:"
    r"|Il\b.{4,200}\bha\s+scritto\s*:"
    r"|Em\b.{4,200}\bescreveu\s*:"
    r"|Op\b.{4,200}\bschreef\b.{0,200}:"
    r")\s*$",
    re.I,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|Mensaje original|"
    r"Messaggio originale|Mensagem original|Oorspronkelijk bericht|Forwarded message|"
    r"Message transféré|Weitergeleitete Nachricht)\s*-{2,}\s*$",
    re.I,
)
_HEADER_FIELD = re.compile(
    r"^\*?(?:From|De|Von|Van|Da|Sent|Envoyé|Gesendet|Enviado|Inviato|Verzonden|Date|Datum|Fecha|Data|"
    r"To|À|A|An|Aan|Para|Subject|Objet|Betreff|Asunto|Oggetto|Assunto|Onderwerp|Cc)\*?\s*:",
    re.I,
)
_FROM_FIELD = re.compile(r"^\*?(?:From|De|Von|Van|Da)\*?\s*:", re.I)
_MOBILE_FOOTER = re.compile(
    r"^(?:Sent from my \w+.*|Sent from (?:Outlook|Mail|Yahoo Mail).*|Get Outlook for \w+.*|"
    r"Envoyé de mon \w+.*|Von meinem \w+ gesendet.*|Enviado desde mi \w+.*|Inviato da(?:l mio)? \w+.*|"
    r"Enviado do meu \w+.*|Verzonden (?:vanaf|met) mijn \w+.*)$",
    re.I,
)
_DISCLAIMER = re.compile(
    r"^(?:CONFIDENTIAL(?:ITY)?(?: NOTICE)?\b|DISCLAIMER\b|This (?:e-?mail|message)(?: and any (?:files|attachments)[^.]*)?"
    r" (?:is|are|may (?:contain|be)) (?:confidential|intended)|The information (?:contained )?in this (?:e-?mail|message)"
    r"|Ce (?:message|courriel) (?:et ses pièces jointes )?(?:est|sont) confidentiel|Diese E-?Mail (?:enthält|kann)"
    r" vertrauliche)",
    re.I,
)


@dataclass
class Trimmed:
    text: str
    removed: list[str] = field(default_factory=list)
    """What was taken out, for `detailed` output: "quoted history", "signature", ..."""


def trim(text: str) -> Trimmed:
    lines = text.split("\n")
    removed: list[str] = []
    cut = _history_start(lines)
    if cut is not None:
        lines = lines[:cut]
        removed.append("quoted history")
    if any(line.lstrip().startswith(">") for line in lines):
        kept = [line for line in lines if not line.lstrip().startswith(">")]
        if _has_words(kept):
            lines = kept
            if "quoted history" not in removed:
                removed.append("quoted history")
    lines, what = _trim_tail(lines)
    removed.extend(what)
    result = "\n".join(lines).strip()
    if not _has_words([result]):
        return Trimmed(text.strip())
    return Trimmed(result, removed)


def _has_words(lines: list[str]) -> bool:
    return any(re.search(r"\w", line) for line in lines)


def _history_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        joined = stripped if i + 1 >= len(lines) else f"{stripped} {lines[i + 1].strip()}"
        if _ATTRIBUTION.match(stripped) or (len(stripped) < 200 and _ATTRIBUTION.match(joined)):
            if _has_words(lines[:i]) or _quoted_after(lines, i):
                return i
        if _ORIGINAL_MESSAGE.match(stripped):
            return i
        if _FROM_FIELD.match(stripped) and _header_block(lines, i):
            return i
    return None


def _quoted_after(lines: list[str], i: int) -> bool:
    return any(line.lstrip().startswith(">") for line in lines[i + 1 : i + 4])


def _header_block(lines: list[str], i: int) -> bool:
    """From: followed by at least two more header fields within the next few lines."""
    fields = sum(1 for line in lines[i + 1 : i + 6] if _HEADER_FIELD.match(line.strip()))
    return fields >= 2


def _trim_tail(lines: list[str]) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    for i, line in enumerate(lines):
        if line.rstrip() in ("-- ", "--") and i >= 1 and len(lines) - i <= 15:
            if _has_words(lines[:i]):
                lines = lines[:i]
                removed.append("signature")
                break
    for i, line in enumerate(lines):
        if _MOBILE_FOOTER.match(line.strip()) and not _has_words(lines[i + 1 :]) and _has_words(lines[:i]):
            lines = lines[:i]
            removed.append("mobile footer")
            break
    for i, line in enumerate(lines):
        if _DISCLAIMER.match(line.strip()) and _has_words(lines[:i]):
            lines = lines[:i]
            removed.append("legal disclaimer")
            break
    return lines, removed
