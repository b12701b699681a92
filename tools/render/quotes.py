"""Quoted history, signatures and footers removed from plain text, without losing what was written.

Cuts happen only at clear delimiters:

- history: an attribution line ("On ... wrote:" and its equivalents in French, German, Spanish,
  Italian, Portuguese and Dutch), "-----Original Message-----", a forwarded-message header, an
  Outlook "From: / Sent: / To: / Subject:" block, and `>`-quoted lines;
- tail: a "-- " signature, a mobile footer ("Sent from my iPhone"), a legal disclaimer, a bulk-mail
  unsubscribe footer (and a bulk mail's "view this email in your browser" first line).

What the sender wrote stays: answers written between quoted lines stay, each with the (at most
three) quoted lines it answers; a sign-off such as "Thanks," followed by more text is content;
when the sender points to the history ("see my answers below") its first level stays; and a body
that would become empty keeps its text (first without the tail cuts, then untouched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# --------------------------------------------------------------------------------------------
# Patterns (some shared with html.py)
# --------------------------------------------------------------------------------------------

# Attribution lines that introduce quoted history, in English, French, German, Spanish, Italian,
# Portuguese and Dutch. They may wrap onto a second line, so they also match a joined pair.
# Forms that start with the sender's name need an address or a date to count.
_ATTRIBUTION = re.compile(
    r"^(?:-{2,}\s*)?(?:"
    r"On\b.{4,250}?\bwrote\s*:?"
    r"|Le\b.{4,250}?\ba\s+écrit\s*:?"
    r"|Am\b.{4,250}?\bschrieb\b.{0,250}?:"
    r"|El\b.{4,250}?\bescribió\s*:?"
    r"|Il\b.{4,250}?\bha\s+scritto\s*:?"
    r"|(?:Em|No\s+dia)\b.{4,250}?\bescreveu\s*:?"
    r"|Op\b.{4,250}?\b(?:schreef\b.{0,250}?:|het\s+volgende\s+geschreven\s*:?)"
    r"|(?=.*(?:@|\d)).{1,250}?\b(?:wrote|a\s+écrit|schrieb(?:\s+am\b.{0,250}?)?|hat\s+am\b.{1,250}?\bgeschrieben"
    r"|escribió|ha\s+scritto|escreveu|schreef(?:\s+op\b.{0,250}?)?)\s*:"
    r")(?:\s*-{2,})?\s*$",
    re.I,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|Originalnachricht|Mensaje original|"
    r"Messaggio originale|Mensagem original|Oorspronkelijk bericht|Origineel bericht)\s*-{2,}\s*$",
    re.I,
)
FORWARD_HEADER = re.compile(
    r"(?:Forwarded message|Begin forwarded message|Message transféré|Début du message réexpédié|"
    r"Weitergeleitete Nachricht|Anfang der weitergeleiteten Nachricht|Mensaje reenviado|Inicio del mensaje reenviado|"
    r"Messaggio inoltrato|Inizio messaggio inoltrato|Mensagem encaminhada|Mensagem reencaminhada|"
    r"Início da mensagem reencaminhada|Doorgestuurd bericht|Begin doorgestuurd bericht)",
    re.I,
)
_FORWARD_LINE = re.compile(r"^-*\s*" + FORWARD_HEADER.pattern + r"\s*:?\s*-*$", re.I)
_HEADER_FIELD = re.compile(
    r"^\*?(?:From|De|Von|Van|Da|Sent|Envoyé(?: le)?|Gesendet|Enviado(?: el)?|Inviato|Verzonden|Verstuurd|Date|Datum|Fecha|"
    r"Data|To|À|A|An|Aan|Para|Cc|Cci|Bcc|Cco|Kopie|Copie|Copia|Subject|Objet|Sujet|Betreff|Asunto|Oggetto|Assunto|"
    r"Onderwerp|Reply-To)\*?\s*:",
    re.I,
)
_FROM_FIELD = re.compile(r"^\*?(?:From|De|Von|Van|Da)\*?\s*:\s*\S", re.I)
FORWARD_SUBJECT = re.compile(
    r"\b(?:Subject|Objet|Sujet|Betreff|Asunto|Oggetto|Assunto|Onderwerp)\*?\s*:\s*(?:FW|FWD|TR|WG|RV|I|ENC|Doorst)\s*:",
    re.I,
)
_RULE = re.compile(r"^[_\-=*─—]{8,}$")
MOBILE_FOOTER = re.compile(
    r"^(?:Sent from my [^\n]{1,60}|Sent (?:from|with|via|using) (?:Outlook|Mail|Yahoo|Gmail|Proton\s?Mail|Spark|Superhuman|"
    r"BlueMail|Samsung|AOL|Edison|Airmail|Front|HEY|Mimestream|Newton|Canary|Fastmail)\b[^\n]{0,60}|"
    r"(?:Get|Download) Outlook for (?:iOS|Android|Mac|Windows)[^\n]{0,20}|"
    r"Envoyé (?:de|depuis) (?:mon|ma|l'application|Outlook|Yahoo|Gmail)\b[^\n]{0,60}|(?:Obtenir|Télécharger) Outlook pour [^\n]{1,20}|"
    r"Von meinem [^\n]{1,60} gesendet|Gesendet (?:von|mit|vom) (?:meinem |meinem |der |Outlook|Yahoo|Gmail|iPhone|iPad)[^\n]{0,60}|"
    r"Von Outlook für [^\n]{1,20} gesendet|Outlook für (?:iOS|Android) (?:herunterladen|beziehen)|"
    r"Enviado (?:desde|con) (?:mi |Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}|(?:Obtener|Descargar) Outlook para [^\n]{1,20}|"
    r"Inviato da(?:l mio| mio|ll'app| iPhone| Outlook| Yahoo| Gmail)\b[^\n]{0,60}|(?:Scarica|Ottieni) Outlook per [^\n]{1,20}|"
    r"Enviado (?:do|a partir do|pelo) (?:meu |Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}|(?:Obter o|Baixe o|Obtenha o) Outlook para [^\n]{1,20}|"
    r"(?:Verzonden|Verstuurd) (?:vanaf|met|vanuit|via) (?:mijn |Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}|"
    r"Outlook voor (?:iOS|Android) downloaden|Download Outlook voor [^\n]{1,20})\.?$",
    re.I,
)
# Phrases only a legal disclaimer uses; a disclaimer runs from its first such line to the end.
_DISCLAIMER = re.compile(
    r"CONFIDENTIALITY NOTICE|^\W*(?:DISCLAIMER|LEGAL NOTICE|AVIS DE CONFIDENTIALITÉ|VERTRAULICHKEITSHINWEIS|AVISO (?:LEGAL|DE CONFIDENCIALIDAD))\b"
    r"|confidential and (?:may be |is )?(?:legally )?privileged|privileged and confidential|privileged (?:and|or) confidential"
    r"|intended (?:solely|only|exclusively) for the (?:use of the )?(?:individual|addressee|person|recipient|named|entity)"
    r"|for the (?:sole|exclusive) use of the (?:intended )?(?:recipient|addressee|individual)"
    r"|if you (?:are not the intended recipient|have received this (?:e-?mail|message|communication|transmission) in error)"
    r"|\bregistered in England(?: and Wales)?\b|\bregistered office\b|please consider the environment before printing"
    r"|vertrauliche und/oder rechtlich geschützte|\bDiese E-?Mail (?:enthält|kann) vertrauliche|irrtümlich erhalten"
    r"|wenn Sie nicht der (?:richtige|vorgesehene) (?:Adressat|Empfänger)"
    r"|\bCe (?:message|courriel|mail|e-mail)\b.{0,60}\b(?:est|sont|peut contenir)\b.{0,20}\bconfidentiel"
    r"|si vous (?:avez reçu ce (?:message|courriel|mail|e-mail) par erreur|n'(?:êtes|etes) pas (?:le )?destinataire)"
    r"|\bEste (?:mensaje|correo)\b.{0,60}\b(?:es|son|puede contener)\b.{0,40}\bconfidencial"
    r"|si (?:usted )?(?:ha recibido|recibió) este (?:mensaje|correo)[^.]{0,30} por error"
    r"|\bQuesto (?:messaggio|messaggio di posta|e-?mail)\b.{0,80}\b(?:riservat|confidenzial)"
    r"|se (?:avete|ha|hai) ricevuto (?:questo|il presente|la presente)[^.]{0,30} per errore"
    r"|\bEsta (?:mensagem|e-?mail)\b.{0,60}\b(?:é|são|pode conter)\b.{0,40}\bconfidencia"
    r"|se (?:você )?(?:recebeu|receber) (?:esta|este) (?:mensagem|e-?mail)[^.]{0,30} por (?:engano|erro)"
    r"|\bDit (?:bericht|e-?mailbericht|e-?mail)\b.{0,60}\b(?:is|kan)\b.{0,40}\bvertrouwelijk"
    r"|indien u (?:dit bericht|deze e-?mail) (?:per vergissing|ten onrechte|abusievelijk|onterecht)",
    re.I,
)
_UNSUBSCRIBE_TEXT = re.compile(
    r"\b(?:unsubscribe|opt[ -]?out|manage (?:your )?(?:email )?preferences|se désinscrire|désinscription|se désabonner|"
    r"abmelden|abbestellen|darse de baja|cancelar (?:la )?suscripción|annulla(?:re)? (?:l'?)?iscrizione|disiscriviti|"
    r"cancelar (?:a )?inscrição|descadastrar|afmelden|uitschrijven)\b[^\n]{0,30}?<?https?://",
    re.I,
)
_VIEW_ONLINE_TEXT = re.compile(
    r"\b(?:view|read|open|see)(?: this| the)?(?: e-?mail| message| newsletter)?(?: in (?:your|a|the) browser| online| as a web ?page)"
    r"|\b(?:voir|afficher)(?: la version)? en ligne|\b(?:im browser|online) (?:ansehen|anzeigen|öffnen)|\bver en (?:el|tu) navegador"
    r"|\bvisualizza (?:nel browser|online)|\b(?:ver|abrir) no navegador|\bbekijk (?:in (?:je|uw) browser|online)",
    re.I,
)
_FOOTER_SIGNAL = re.compile(
    r"©|\ball rights reserved\b|\b(?:Inc|LLC|Ltd|GmbH|SAS|SARL|S\.?L|S\.?A|B\.?V|AG|Corp)\b\.?|\bnot the right person\b"
    r"|\byou(?:'re| are)? receiv|\bthis (?:e-?mail|message) was sent\b|\bno longer wish\b|\bmailing list\b"
    r"|\bpreferences\b|\bsubscribed\b|\bnewsletter\b|\bprivacy\b|[|·•]|\b\d{4,6}\b",
    re.I,
)
# The sender points to the quoted text: their answers (or what they forward) are down there.
POINTS_BELOW = re.compile(
    r"\b(?:see|find|read)\s+(?:my\s+|our\s+)?(?:answers?\s+|responses?\s+|replies\s+|comments?\s+|notes?\s+|thoughts\s+)?"
    r"(?:inline|below|in\s+(?:red|blue|green|bold|line))\b"
    r"|\b(?:answers?|responses?|replies|comments?|notes?|thoughts)\s+(?:are\s+|is\s+)?(?:inline|below|in\s+(?:red|blue|green|bold))\b"
    r"|\bvoir\s+(?:ci-dessous|plus\s+bas|mes\s+réponses|nos\s+réponses)|\bréponses?\s+(?:ci-dessous|dans\s+le\s+(?:texte|corps)|en\s+(?:rouge|bleu|gras))"
    r"|\bsiehe\s+unten\b|\bs\.\s*unten\b|\b(?:Antworten|Anmerkungen|Kommentare)\s+(?:unten|im\s+Text|inline|in\s+(?:rot|blau))"
    r"|\bver\s+(?:abajo|más\s+abajo|debajo)\b|\brespuestas\s+(?:abajo|debajo|en\s+(?:rojo|azul|línea)|entre\s+líneas)"
    r"|\brespondo\s+(?:abajo|debajo|entre\s+líneas|em\s+baixo|abaixo)\b"
    r"|\bvedi\s+sotto\b|\brisposte\s+(?:sotto|qui\s+sotto|in\s+(?:rosso|blu|linea))|\brispondo\s+(?:sotto|nel\s+testo|in\s+linea)"
    r"|\bve(?:r|ja)\s+abaixo\b|\brespostas\s+(?:abaixo|em\s+(?:vermelho|azul|linha))"
    r"|\bzie\s+(?:hieronder|onder)\b|\b(?:antwoorden|opmerkingen)\s+(?:hieronder|in\s+(?:het\s+)?(?:rood|blauw)|inline)",
    re.I,
)
# Cheap first looks (substrings of the lower-cased line): the full patterns run only on lines
# that have one of these.
_ATTRIBUTION_HINTS = ("wrote", "écrit", "schrieb", "geschrieben", "escribió", "scritto", "escreveu", "schreef", "geschreven")
_DISCLAIMER_HINTS = (
    "confiden", "privileg", "intended", "registered", "disclaimer", "environment", "notice", "vertraulich",
    "irrtümlich", "adressat", "empfänger", "destinataire", "erreur", "riservat", "errore", "engano", "erro",
    "vertrouwelijk", "vergissing", "abusievelijk", "onterecht", "ten onrechte",
)
_DISCLAIMER_HINT = re.compile("|".join(re.escape(h) for h in _DISCLAIMER_HINTS))
_POINTS_HINTS = (
    "below", "inline", "in red", "in blue", "in green", "in bold", "in line", "dessous", "plus bas", "dans le", "en rouge",
    "en bleu", "en gras", "mes réponses", "nos réponses", "unten", "im text", "in rot", "in blau", "abajo", "debajo",
    "en rojo", "en azul", "en línea", "entre líneas", "abaixo", "em baixo", "sotto", "nel testo", "in linea", "in rosso",
    "in blu", "em vermelho", "em azul", "em linha", "onder", "in het rood", "in rood", "in blauw",
)
_CONTENT = re.compile(r"[^\W_]|[\u00a9\u00ae\u2190-\u2bff\U0001F000-\U0001FAFF]")
_SPACES = re.compile(r"\s+")
_SIGN_OFF = re.compile(r"^(?!.*[.?:;]$)\W*(?:\S+\s*){1,4}$")
"""A short line that ends no sentence: the "Best, / Lukas" under a quoted mail."""
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
        self.raw = text.split("\n")
        self.norm = [_fold(line) for line in self.raw]
        low = text.lower()
        # Most messages have no attribution or disclaimer at all: then no line needs a look.
        self.maybe_attribution = any(hint in low for hint in _ATTRIBUTION_HINTS)
        self.maybe_disclaimer = any(hint in low for hint in _DISCLAIMER_HINTS)
        self.quoted = [line.startswith(">") for line in self.norm]
        self.keep = [True] * len(self.raw)
        self.tail = tail
        self.removed: list[str] = []

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
        lines = [line for line, kept in zip(self.raw, self.keep) if kept]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()
        return Trimmed(text, self.removed)

    # -- history ------------------------------------------------------------------------------

    def _marker(self, start: int) -> tuple[int, int, str] | None:
        """The first unquoted history marker at or after `start`: (first line, first line after
        its header, what it is)."""
        norm, quoted = self.norm, self.quoted
        n = len(norm)
        for i in range(start, n):
            line = norm[i]
            if not line or quoted[i]:
                continue
            if _ORIGINAL_MESSAGE.match(line):
                return i, self._header_end(i + 1), "quoted history"
            if _FORWARD_LINE.match(line):
                return i, self._header_end(i + 1), "forwarded message"
            if _FROM_FIELD.match(line) and self._header_fields(i) >= 2:
                end = self._header_end(i)
                forward = any(FORWARD_SUBJECT.match(norm[j].lstrip("*")) for j in range(i, end))
                return i, end, "forwarded message" if forward else "quoted history"
            if self.maybe_attribution and len(line) < 300:
                joined = line if i + 1 >= n else f"{line} {norm[i + 1]}"
                single = _attribution(line)
                if single or _attribution(joined):
                    after = i + (1 if single else 2)
                    if not self._quoted_follows(after) and re.search(r"\d", line if single else joined):
                        return i, after, "quoted history"
        return None

    def _header_fields(self, i: int) -> int:
        following = [line for line in self.norm[i + 1 : i + 8] if line][:6]
        return sum(1 for line in following if _HEADER_FIELD.match(line))

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
        self.note(kind)
        return cue

    def _attributions(self) -> None:
        """Attribution lines right above `>` quotes go (the quotes are handled on their own)."""
        if not self.maybe_attribution:
            return
        norm = self.norm
        n = len(norm)
        for i in range(n):
            line = norm[i]
            if not line or self.quoted[i] or not self.keep[i] or len(line) > 300:
                continue
            if _attribution(line):
                if self._quoted_follows(i + 1):
                    self.drop(i, i + 1)
                    self.note("quoted history")
            elif i + 1 < n and not self.quoted[i + 1] and _attribution(f"{line} {norm[i + 1]}"):
                if self._quoted_follows(i + 2):
                    self.drop(i, i + 2)
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
        for i, line in enumerate(self.norm):
            if not self.keep[i] or self.quoted[i] or not line:
                continue
            if not _DISCLAIMER_HINT.search(line.lower()):
                continue
            if not _DISCLAIMER.search(line):
                continue
            end = self._segment_end(i)
            size = sum(len(self.norm[j]) for j in range(i, end) if self.keep[j])
            if size <= _DISCLAIMER_MAX and self._content_before(i):
                # A heading such as "CONFIDENTIALITY NOTICE" or "Disclaimer:" on the line above goes too.
                start = i
                if i > 0 and self.norm[i - 1] and len(self.norm[i - 1]) < 40 and not self.quoted[i - 1] and re.search(
                    r"confidential|disclaimer|notice|avis|hinweis|aviso|avviso|aviso|kennisgeving", self.norm[i - 1], re.I
                ):
                    start = i - 1
                self.drop(start, end)
                self.note("legal disclaimer")
            return

    def _signature(self) -> None:
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
                and _UNSUBSCRIBE_TEXT.search(paragraph)
                and _FOOTER_SIGNAL.search(_UNSUBSCRIBE_TEXT.sub(" ", paragraph))
                and first < start
            ):
                self.drop(start, i + 1)
                self.note("unsubscribe footer")
            return

    # -- quoted lines -------------------------------------------------------------------------

    def _quote_runs(self, *, keep_first: bool) -> None:
        """Each run of `>` lines goes, unless the sender wrote after it: then its last lines stay
        as the context of the answer below them."""
        n = len(self.norm)
        # Only quoted lines go below, so where the sender's last words are does not change.
        last_content = next(
            (k for k in range(n - 1, -1, -1) if self.keep[k] and not self.quoted[k] and has_content(self.norm[k])), -1
        )
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
            answered = last_content >= end
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


def _attribution(line: str) -> bool:
    low = line.lower()
    return any(hint in low for hint in _ATTRIBUTION_HINTS) and bool(_ATTRIBUTION.match(line))


def points_below(text: str) -> bool:
    """Whether the sender points to the quoted text below ("see my answers inline")."""
    low = text.lower()
    return any(hint in low for hint in _POINTS_HINTS) and bool(POINTS_BELOW.search(text))


def _quoted_attribution(line: str) -> bool:
    return _attribution(line.lstrip("> ").strip())
