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

# --------------------------------------------------------------------------------------------
# Patterns (some shared with html.py)
# --------------------------------------------------------------------------------------------

# Attribution lines that introduce quoted history ("On <date>, Sam <sam@x.io> wrote:"). The verb
# ends the line in most languages; German, Dutch and the Scandinavian ones put it before the name;
# Chinese, Korean and Japanese write it without a space. Forms that start with the writer's name
# need an address or a date to count.
_WROTE = (
    r"wrote|a\s+écrit|escribió|ha\s+escrit|ha\s+scritto|escreveu|kirjoitti|írta|yazdı|pisze|napisał(?:\(a\)|a)?"
    r"|napsal(?:\(a\)|a)?|написал(?:\(а\)|а)?|написав|пише|пишет|đã\s+viết|het\s+volgende\s+geschreven"
    r"|hat\s+am\b.{1,250}?\bgeschrieben|schrieb\s+am\b.{0,250}?|schreef\s+op\b.{0,250}?"
)
_WROTE_FIRST = r"schrieb|schreef|skrev"
_WROTE_CJK = r"写道|寫道|작성|のメッセージ"
_OPENER = r"On|Le|Am|El|Il|Em|No\s+dia|Op|Den|På|Dnia|W\s+dniu|Dne|Vào|在"
_OPENED = re.compile(rf"^(?:-{{2,}}\s*)?(?:{_OPENER})\b", re.I)
_MID_LINE_OPENER = re.compile(rf"[\s-](?=(?:{_OPENER})\s)")  # capitalised: not the "on" of a sentence
_ATTRIBUTION = re.compile(
    r"^(?:-{2,}\s*)?(?:"
    rf"(?:{_OPENER})\b.{{4,250}}?(?:(?:\b(?:{_WROTE}|sent)|{_WROTE_CJK})\s*[:：]?|\b(?:{_WROTE_FIRST})\b.{{0,250}}?[:：])"
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
    r"^-{2,}\s*(?:[\w'’]+\s+){0,2}\w*?(?:message|nachricht|meddelande|meddelelse|besked|melding|viesti|wiadomość|"
    r"сообщение|повідомлення|mensaje|messaggio|mensagem|bericht|üzenet|zpráva|邮件|郵件|メッセージ)(?:\s+[\w'’]+){0,2}\s*-{2,}$",
    re.I,
)
FORWARD_HEADER = re.compile(
    r"(?:Forwarded message|Begin forwarded message|Message transféré|Début du message réexpédié|"
    r"Weitergeleitete Nachricht|Anfang der weitergeleiteten Nachricht|Mensaje reenviado|Inicio del mensaje reenviado|"
    r"Messaggio inoltrato|Inizio messaggio inoltrato|Mensagem encaminhada|Mensagem reencaminhada|"
    r"Início da mensagem reencaminhada|Doorgestuurd bericht|Begin doorgestuurd bericht|Vidarebefordrat meddelande|"
    r"Videresendt (?:meddelelse|besked|melding)|Välitetty viesti|Przekazana wiadomość|Wiadomość przekazana|"
    r"Пересылаемое сообщение|Пересланное сообщение)",
    re.I,
)
_FORWARD_LINE = re.compile(r"^-*\s*" + FORWARD_HEADER.pattern + r"\s*:?\s*-*$", re.I)
# The fields of a quoted mail's header block, in the languages mail clients write them in. A block
# starts with the sender or the date.
_FROM_LABELS = r"From|De|Von|Van|Da|Fra|Från|Lähettäjä|Od|От|Від|发件人|寄件者|差出人|Feladó|Kimden"
_DATE_LABELS = (
    r"Sent|Date|Datum|Fecha|Data|Dato|Envoyé(?: le)?|Message du|Gesendet|Enviado(?: el)?|Enviada|Inviato|Verzonden|Verstuurd"
    r"|Sendt|Skickat|Lähetetty|Päivämäärä|Wysłano|Wysłane|Отправлено|Дата|Надіслано|发送时间|日期|寄件日期|送信日時|日付"
    r"|Elküldve|Dátum|Tarih|Odesláno"
)
_OTHER_LABELS = (
    r"To|À|A|An|Aan|Para|Til|Till|Vastaanottaja|Do|Кому|Komu|收件人|收件者|宛先|Címzett|Kime|Cc|Cci|Bcc|Cco|Kopie|Copie(?: à)?"
    r"|Copia|Kopi|Kopia|Kopio|DW|Копия|抄送|副本|Másolat|Subject|Objet|Sujet|Betreff|Asunto|Oggetto|Assunto|Onderwerp|Emne"
    r"|Ämne|Aihe|Temat|Тема|主题|主旨|件名|Tárgy|Konu|Předmět|Reply-To"
)
_HEADER_FIELD = re.compile(rf"^\*?(?:{_FROM_LABELS}|{_DATE_LABELS}|{_OTHER_LABELS})\*?\s*[:：]", re.I)
_FIRST_FIELD = re.compile(rf"^\*?(?:({_FROM_LABELS})|{_DATE_LABELS})\*?\s*[:：]\s*\S", re.I)
FORWARD_SUBJECT = re.compile(
    r"\b(?:Subject|Objet|Sujet|Betreff|Asunto|Oggetto|Assunto|Onderwerp)\*?\s*:\s*(?:FW|FWD|TR|WG|RV|I|ENC|Doorst)\s*:",
    re.I,
)
_RULE = re.compile(r"^[_\-=*─—]{8,}$")
# A device's name, as phones write it after "Sent from my": a few words, not a sentence.
_DEVICE = r"(?:[\w®™&+'’-]+,?\s+){0,4}[\w®™&+'’-]+"
MOBILE_FOOTER = re.compile(
    rf"^(?:Sent from my {_DEVICE}|Sent (?:from|with|via|using) (?:Outlook|Mail|Yahoo|Gmail|Proton\s?Mail|Spark|Superhuman|"
    r"BlueMail|Samsung|AOL|Edison|Airmail|Front|HEY|Mimestream|Newton|Canary|Fastmail)\b[^\n]{0,60}|"
    r"(?:Get|Download) Outlook for (?:iOS|Android|Mac|Windows)[^\n]{0,20}|"
    rf"Envoyé (?:de|depuis) (?:mon|ma) {_DEVICE}|Envoyé (?:de|depuis) (?:l'application|Outlook|Yahoo|Gmail)\b[^\n]{{0,60}}|"
    r"(?:Obtenir|Télécharger) Outlook pour [^\n]{1,20}|"
    rf"Von meinem {_DEVICE} gesendet|Gesendet (?:von|mit|vom) meinem {_DEVICE}|"
    r"Gesendet (?:von|mit|vom) (?:der |Outlook|Yahoo|Gmail|iPhone|iPad)[^\n]{0,60}|"
    r"Von Outlook für [^\n]{1,20} gesendet|Outlook für (?:iOS|Android) (?:herunterladen|beziehen)|"
    rf"Enviado (?:desde|con) mi {_DEVICE}|Enviado (?:desde|con) (?:Outlook|Yahoo|Gmail|iPhone)[^\n]{{0,60}}|"
    r"(?:Obtener|Descargar) Outlook para [^\n]{1,20}|"
    rf"Inviato da(?:l mio| mio) {_DEVICE}|Inviato da(?:ll'app| iPhone| Outlook| Yahoo| Gmail)\b[^\n]{{0,60}}|"
    r"(?:Scarica|Ottieni) Outlook per [^\n]{1,20}|"
    rf"Enviado (?:do|a partir do|pelo) meu {_DEVICE}|Enviado (?:do|a partir do|pelo) (?:Outlook|Yahoo|Gmail|iPhone)[^\n]{{0,60}}|"
    r"(?:Obter o|Baixe o|Obtenha o) Outlook para [^\n]{1,20}|"
    rf"(?:Verzonden|Verstuurd) (?:vanaf|met|vanuit|via) mijn {_DEVICE}|"
    r"(?:Verzonden|Verstuurd) (?:vanaf|met|vanuit|via) (?:Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}|"
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
_ATTRIBUTION_HINTS = (
    "wrote", "écrit", "escrit", "schrieb", "geschrieben", "escribió", "scritto", "escreveu", "schreef", "geschreven",
    "skrev", "kirjoitti", "írta", "yazdı", "pisze", "napisa", "napsal", "написа", "пише", "viết", "写道", "寫道", "작성",
    "のメッセージ",
)
_DISCLAIMER_HINTS = (
    "confiden", "privileg", "intended", "registered", "disclaimer", "environment", "notice", "vertraulich",
    "irrtümlich", "adressat", "empfänger", "destinataire", "erreur", "riservat", "errore", "engano", "erro",
    "vertrouwelijk", "vergissing", "abusievelijk", "onterecht", "ten onrechte",
)
_POINTS_HINTS = (
    "below", "inline", "in red", "in blue", "in green", "in bold", "in line", "dessous", "plus bas", "dans le", "en rouge",
    "en bleu", "en gras", "mes réponses", "nos réponses", "unten", "im text", "in rot", "in blau", "abajo", "debajo",
    "en rojo", "en azul", "en línea", "entre líneas", "abaixo", "em baixo", "sotto", "nel testo", "in linea", "in rosso",
    "in blu", "em vermelho", "em azul", "em linha", "onder", "in het rood", "in rood", "in blauw",
)
_CONTENT = re.compile(r"[^\W_]|[\u00a9\u00ae\u2190-\u2bff\U0001F000-\U0001FAFF]")
_SPACES = re.compile(r"\s+")
_SIGN_OFF = re.compile(r"^(?!.*[.?:;]$)\W*\S+(?:\s+\S+){0,3}\s*$")
"""A short line that ends no sentence: the "Best, / Lukas" under a quoted mail."""
_CLOSING = re.compile(
    r"^\W{0,3}(?:(?:best|kind|warm|many)\b|regards|thanks?\b|thank\s+you|cheers|sincerely|yours|cordialement|bien\s+à\s+vous"
    r"|merci|(?:viele|liebe|beste|freundliche)\s+grüße|grüße|gruß|mit\s+freundlichen|saludos|un\s+saludo|atentamente|gracias"
    r"|saluti|cordiali|grazie|cumprimentos|atenciosamente|abraços|obrigad|groeten|met\s+vriendelijke|bedankt|mvh|hälsningar"
    r"|med\s+vänlig|hilsen|med\s+venlig|vennlig|pozdrawiam|pozdrowienia|с\s+уважением|спасибо)"
    r"|^(?:[-/~]|[–—]\s?)\w[\w .'-]{0,40}$",
    re.I,
)
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
        self.hinted = any(hint in low for hint in _ATTRIBUTION_HINTS)  # else no line has one either
        self.maybe_attribution = self.hinted or "@" in text
        self.raw = _split_shared(text.split("\n")) if self.hinted else text.split("\n")
        self.norm = [_fold(line) for line in self.raw]
        self.low = low
        self.maybe_disclaimer = any(hint in low for hint in _DISCLAIMER_HINTS)
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
        if _FORWARD_LINE.match(line) or (line.startswith("-") and _ORIGINAL_MESSAGE.match(line)) or self._header_block(k):
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
        hints = [hint for hint in _DISCLAIMER_HINTS if " " in hint or hint in self.low]
        for i, line in enumerate(self.norm):
            if not self.keep[i] or self.quoted[i] or not line:
                continue
            low = line.lower()
            if not any(hint in low for hint in hints):
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
    return any(hint in low for hint in _ATTRIBUTION_HINTS)


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


def points_below(text: str) -> bool:
    """Whether the sender points to the quoted text below ("see my answers inline")."""
    low = text.lower()
    return any(hint in low for hint in _POINTS_HINTS) and bool(POINTS_BELOW.search(text))


def _quoted_attribution(line: str) -> bool:
    return _attribution(line.lstrip("> ").strip())
