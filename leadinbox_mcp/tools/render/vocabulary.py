"""The words of mail that rendering recognises, in one place for both of its paths: the HTML walk
(html_quotes.py, html_boilerplate.py) and the plain-text trim (quotes.py), which also runs on the
text the HTML walk writes. A phrase added here is known to both.

Each family is a tuple of regular-expression fragments, one phrase (or one phrase's spellings) a
fragment, laid out a language a line, so that tests/test_render_vocabulary.py can hold an example
of each and prove that both paths treat it alike. Where a path first looks for a cheap substring
(a hint) before it runs a pattern, the hints stand beside the phrases they must cover: a phrase
without its hint would silently never be found.

How each path shapes a family into its own pattern (a link's label, a line of text followed by
its URL, an attribution line with its date and address) stays with that path; the phrases are
only here.
"""

from __future__ import annotations

import re


def _any(fragments: tuple[str, ...]) -> str:
    return "|".join(fragments)


# The tables below are laid out a language a line (ruff format would put each phrase on a line).
# fmt: off

# ---------------------------------------------------------------------------------------------
# Attribution lines: "On <date>, Sam <sam@x.io> wrote:" and its equivalents (quotes.py shapes them)
# ---------------------------------------------------------------------------------------------

# What an attribution opens with, before its date (capitalised where it opens a line mid-sentence).
OPENERS = ("On", "Le", "Am", "El", "Il", "Em", r"No\s+dia", "Op", "Den", "På", "Dnia", r"W\s+dniu", "Dne", "Vào", "在")
# The verb, where it ends the line (in German and Dutch also the forms that carry the date after it).
WROTE = (
    "wrote", r"a\s+écrit", "escribió", r"ha\s+escrit", r"ha\s+scritto", "escreveu", "kirjoitti", "írta", "yazdı",
    "pisze", r"napisał(?:\(a\)|a)?", r"napsal(?:\(a\)|a)?", r"написал(?:\(а\)|а)?", "написав", "пише", "пишет",
    r"đã\s+viết", r"het\s+volgende\s+geschreven", r"hat\s+am\b.{1,250}?\bgeschrieben", r"schrieb\s+am\b.{0,250}?",
    r"schreef\s+op\b.{0,250}?",
)
# Verbs that come before the writer's name ("Am 3. Nov. schrieb Sam <sam@x.io>:").
WROTE_FIRST = ("schrieb", "schreef", "skrev")
# Written without a space before them.
WROTE_CJK = ("写道", "寫道", "작성", "のメッセージ")
# Verbs that count only after an opener, with their colon: "On <date>, Sam sent:".
SENT = ("sent",)
# A line with none of these (lower-cased) is no attribution with a verb: the patterns run only on
# lines that have one. (No hint holds another: "schrieb" already finds "geschrieben".)
ATTRIBUTION_HINTS = (
    "wrote", "écrit", "escrit", "schrieb", "escribió", "scritto", "escreveu", "schreef", "geschreven",
    "skrev", "kirjoitti", "írta", "yazdı", "pisze", "napisa", "napsal", "написа", "пише", "viết", "写道", "寫道", "작성",
    "のメッセージ",
    " sent:", " sent：",  # (with its space: not Outlook's "Sent:" field, which starts its line)
)

# ---------------------------------------------------------------------------------------------
# Quoted mail headers, separators and forwards
# ---------------------------------------------------------------------------------------------

# The fields of a quoted mail's header block: the sender, the date, and the others.
FROM_LABELS = (
    "From", "De", "Von", "Van", "Da", "Fra", "Från", "Lähettäjä", "Od", "От", "Від", "发件人", "寄件者", "差出人", "Feladó",
    "Kimden",
)
DATE_LABELS = (
    "Sent", "Date", "Datum", "Fecha", "Data", "Dato", "Envoyé(?: le)?", "Message du", "Gesendet", "Enviado(?: el)?",
    "Enviada", "Inviato", "Verzonden", "Verstuurd", "Sendt", "Skickat", "Lähetetty", "Päivämäärä", "Wysłano", "Wysłane",
    "Отправлено", "Дата", "Надіслано", "发送时间", "日期", "寄件日期", "送信日時", "日付", "Elküldve", "Dátum", "Tarih",
    "Odesláno",
)
OTHER_LABELS = (
    "To", "À", "A", "An", "Aan", "Para", "Til", "Till", "Vastaanottaja", "Do", "Кому", "Komu", "收件人", "收件者", "宛先",
    "Címzett", "Kime", "Cc", "Cci", "Bcc", "Cco", "Kopie", "Copie(?: à)?", "Copia", "Kopi", "Kopia", "Kopio", "DW", "Копия",
    "抄送", "副本", "Másolat", "Subject", "Objet", "Sujet", "Betreff", "Asunto", "Oggetto", "Assunto", "Onderwerp", "Emne",
    "Ämne", "Aihe", "Temat", "Тема", "主题", "主旨", "件名", "Tárgy", "Konu", "Předmět", "Reply-To",
)
# The word "message" in "-----Original Message-----" and its kin.
MESSAGE_WORDS = (
    "message", "nachricht", "meddelande", "meddelelse", "besked", "melding", "viesti", "wiadomość", "сообщение",
    "повідомлення", "mensaje", "messaggio", "mensagem", "bericht", "üzenet", "zpráva", "邮件", "郵件", "メッセージ",
)
# The line that starts a forwarded message.
FORWARD_HEADERS = (
    "Forwarded message", "Begin forwarded message",                                      # English
    "Message transféré", "Début du message réexpédié",                                   # French
    "Weitergeleitete Nachricht", "Anfang der weitergeleiteten Nachricht",                # German
    "Mensaje reenviado", "Inicio del mensaje reenviado",                                 # Spanish
    "Messaggio inoltrato", "Inizio messaggio inoltrato",                                 # Italian
    "Mensagem encaminhada", "Mensagem reencaminhada", "Início da mensagem reencaminhada",  # Portuguese
    "Doorgestuurd bericht", "Begin doorgestuurd bericht",                                # Dutch
    "Vidarebefordrat meddelande", "Videresendt (?:meddelelse|besked|melding)",          # Swedish, Danish, Norwegian
    "Välitetty viesti",                                                                  # Finnish
    "Przekazana wiadomość", "Wiadomość przekazana",                                      # Polish
    "Пересылаемое сообщение", "Пересланное сообщение",                                   # Russian
)
# A forward's subject field: "Subject: FW: ...", "Betreff: WG: ...".
FORWARD_SUBJECT_LABELS = ("Subject", "Objet", "Sujet", "Betreff", "Asunto", "Oggetto", "Assunto", "Onderwerp")
FORWARD_TAGS = ("FW", "FWD", "TR", "WG", "RV", "I", "ENC", "Doorst")
# A text with none of these (lower-cased), and no forward tag before a colon, names no forward. (Whole
# words: "forward" alone would send every "looking forward" to the patterns, which cost far more.)
FORWARD_HINTS = (
    "forwarded", "transféré", "réexpédié", "weitergeleitete", "reenviado", "inoltrato", "encaminhada", "doorgestuurd",
    "vidarebefordrat", "videresendt", "välitetty", "przekazana", "пересылаемое", "пересланное",
)

# ---------------------------------------------------------------------------------------------
# What the sender's client or company adds at the end
# ---------------------------------------------------------------------------------------------

# A phone's or app's footer ("Sent from my iPhone"). A device's name: a few words, not a sentence.
DEVICE = r"(?:[\w®™&+'’-]+,?\s+){0,4}[\w®™&+'’-]+"
MOBILE_FOOTERS = (
    # English
    rf"Sent from my {DEVICE}",
    r"Sent (?:from|with|via|using) (?:Outlook|Mail|Yahoo|Gmail|Proton\s?Mail|Spark|Superhuman|BlueMail|Samsung|AOL|Edison"
    r"|Airmail|Front|HEY|Mimestream|Newton|Canary|Fastmail)\b[^\n]{0,60}",
    r"(?:Get|Download) Outlook for (?:iOS|Android|Mac|Windows)[^\n]{0,20}",
    # French
    rf"Envoyé (?:de|depuis) (?:mon|ma) {DEVICE}", r"Envoyé (?:de|depuis) (?:l'application|Outlook|Yahoo|Gmail)\b[^\n]{0,60}",
    r"(?:Obtenir|Télécharger) Outlook pour [^\n]{1,20}",
    # German
    rf"Von meinem {DEVICE} gesendet", rf"Gesendet (?:von|mit|vom) meinem {DEVICE}",
    r"Gesendet (?:von|mit|vom) (?:der |Outlook|Yahoo|Gmail|iPhone|iPad)[^\n]{0,60}", r"Von Outlook für [^\n]{1,20} gesendet",
    r"Outlook für (?:iOS|Android) (?:herunterladen|beziehen)",
    # Spanish
    rf"Enviado (?:desde|con) mi {DEVICE}", r"Enviado (?:desde|con) (?:Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}",
    r"(?:Obtener|Descargar) Outlook para [^\n]{1,20}",
    # Italian
    rf"Inviato da(?:l mio| mio) {DEVICE}", r"Inviato da(?:ll'app| iPhone| Outlook| Yahoo| Gmail)\b[^\n]{0,60}",
    r"(?:Scarica|Ottieni) Outlook per [^\n]{1,20}",
    # Portuguese
    rf"Enviado (?:do|a partir do|pelo) meu {DEVICE}",
    r"Enviado (?:do|a partir do|pelo) (?:Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}",
    r"(?:Obter o|Baixe o|Obtenha o) Outlook para [^\n]{1,20}",
    # Dutch
    rf"(?:Verzonden|Verstuurd) (?:vanaf|met|vanuit|via) mijn {DEVICE}",
    r"(?:Verzonden|Verstuurd) (?:vanaf|met|vanuit|via) (?:Outlook|Yahoo|Gmail|iPhone)[^\n]{0,60}",
    r"Outlook voor (?:iOS|Android) downloaden", r"Download Outlook voor [^\n]{1,20}",
)

# A legal disclaimer's heading, where it opens its line.
DISCLAIMER_TITLES = (
    "DISCLAIMER", "LEGAL NOTICE", "AVIS DE CONFIDENTIALITÉ", "VERTRAULICHKEITSHINWEIS", "AVISO (?:LEGAL|DE CONFIDENCIALIDAD)",
)
# Phrases only a legal disclaimer uses; a disclaimer runs from its first such line to the end.
DISCLAIMERS = (
    # English
    "CONFIDENTIALITY NOTICE", rf"^\W*(?:{_any(DISCLAIMER_TITLES)})\b",
    r"confidential and (?:may be |is )?(?:legally )?privileged", "privileged and confidential",
    "privileged (?:and|or) confidential",
    r"intended (?:solely|only|exclusively) for the (?:use of the )?(?:individual|addressee|person|recipient|named|entity)",
    r"for the (?:sole|exclusive) use of the (?:intended )?(?:recipient|addressee|individual)",
    r"if you (?:are not the intended recipient|have received this (?:e-?mail|message|communication|transmission) in error)",
    r"\bregistered in England(?: and Wales)?\b", r"\bregistered office\b", "please consider the environment before printing",
    # German
    "vertrauliche und/oder rechtlich geschützte", r"\bDiese E-?Mail (?:enthält|kann) vertrauliche", "irrtümlich erhalten",
    r"wenn Sie nicht der (?:richtige|vorgesehene) (?:Adressat|Empfänger)",
    # French
    r"\bCe (?:message|courriel|mail|e-mail)\b.{0,60}\b(?:est|sont|peut contenir)\b.{0,20}\bconfidentiel",
    r"si vous (?:avez reçu ce (?:message|courriel|mail|e-mail) par erreur|n'(?:êtes|etes) pas (?:le )?destinataire)",
    # Spanish
    r"\bEste (?:mensaje|correo)\b.{0,60}\b(?:es|son|puede contener)\b.{0,40}\bconfidencial",
    r"si (?:usted )?(?:ha recibido|recibió) este (?:mensaje|correo)[^.]{0,30} por error",
    # Italian
    r"\bQuesto (?:messaggio|messaggio di posta|e-?mail)\b.{0,80}\b(?:riservat|confidenzial)",
    r"se (?:avete|ha|hai) ricevuto (?:questo|il presente|la presente)[^.]{0,30} per errore",
    # Portuguese
    r"\bEsta (?:mensagem|e-?mail)\b.{0,60}\b(?:é|são|pode conter)\b.{0,40}\bconfidencia",
    r"se (?:você )?(?:recebeu|receber) (?:esta|este) (?:mensagem|e-?mail)[^.]{0,30} por (?:engano|erro)",
    # Dutch
    r"\bDit (?:bericht|e-?mailbericht|e-?mail)\b.{0,60}\b(?:is|kan)\b.{0,40}\bvertrouwelijk",
    "indien u (?:dit bericht|deze e-?mail) (?:per vergissing|ten onrechte|abusievelijk|onterecht)",
)
# A line with none of these (lower-cased) is no disclaimer line.
DISCLAIMER_HINTS = (
    "confiden", "privileg", "intended", "registered", "disclaimer", "environment", "notice", "vertraulich", "irrtümlich",
    "adressat", "empfänger", "destinataire", "erreur", "riservat", "engano", "erro", "vertrouwelijk",
    "vergissing", "abusievelijk", "onterecht", "ten onrechte", "aviso",
)

# ---------------------------------------------------------------------------------------------
# Bulk mail: an unsubscribe footer, a "view in browser" line
# ---------------------------------------------------------------------------------------------

# How an unsubscribe link or line starts (a link's label in HTML; a line followed by its URL in text).
UNSUBSCRIBE = (
    # English
    "unsubscribe", "opt[ -]?out",
    r"(?:manage|update|change|edit)(?: your)?(?: email| e-mail| mailing| subscription)? (?:preferences|settings|subscriptions?)",
    "(?:email|e-mail|subscription|notification) (?:preferences|settings)",
    r"(?:se )?d[ée]sinscri\w*", "(?:se )?d[ée]sabonner", "g[ée]rer (?:mes|vos) (?:pr[ée]f[ée]rences|abonnements)",  # French
    "(?:newsletter )?(?:abmelden|abbestellen)",                                                                # German
    "(?:darse|darme|date) de baja", "cancelar (?:la )?suscripci[óo]n",                                        # Spanish
    "annulla(?:re)? (?:l'?)?iscrizione", "disiscriviti", "cancellati",                                       # Italian
    "cancelar (?:a )?inscri[çc][ãa]o", r"descadastr\w*",                                                     # Portuguese
    "afmelden", "uitschrijven",                                                                               # Dutch
)
# How a "view this email in your browser" link or line starts.
VIEW_ONLINE = (
    # English
    r"(?:view|read|open|see)(?: this| the)?(?: e-?mail| message| newsletter)?(?: in (?:your|a|the) browser| online| as a web ?page"
    r"| on the web)",
    "having trouble viewing", "can'?t see (?:this|the images)",
    "(?:voir|afficher)(?: la version)? (?:en ligne|dans (?:votre|le) navigateur)",  # French
    "(?:im browser|online) (?:ansehen|anzeigen|öffnen|lesen)",                     # German
    "ver (?:en (?:el|tu|su) navegador|online|en l[ií]nea)",                        # Spanish
    "(?:visualizza|apri) (?:nel browser|online)",                                  # Italian
    "(?:ver|abrir) no navegador",                                                  # Portuguese
    "bekijk (?:in (?:je|uw) browser|online)",                                      # Dutch
)
# Besides the unsubscribe link, something that marks a block as a bulk-mail footer rather than a
# sentence someone wrote.
FOOTER_SIGNALS = (
    "©", "&copy;", r"\ball rights reserved\b", r"\b(?:Inc|LLC|Ltd|GmbH|SAS|SARL|S\.?L|S\.?A|B\.?V|AG|Corp)\b\.?",
    r"\bnot the right person\b", r"\byou(?:'re| are)? receiv", r"\bthis (?:e-?mail|message) was sent\b",
    r"\bno longer wish\b", r"\bmailing list\b", r"\bpreferences\b", r"\bsubscribed\b", r"\bnewsletter\b", r"\bprivacy\b",
    r"\bdatenschutz\b", r"\bimpressum\b",  # German
    "[|·•]", r"\b\d{4,6}\b",  # a separator of footer items, a postcode
)
# A line that is a footer's on its own: a footer block grows over neighbouring blocks of these.
FOOTER_LINES = (
    "©", "&copy;", r"\ball rights reserved\b", r"\byou(?:'re| are)? receiv", r"\bthis (?:e-?mail|message) was sent\b",
    r"\bno longer wish", r"\bmailing address\b", r"\bunsubscribe\b", r"\bpreferences\b", r"\bprivacy (?:policy|notice)\b",
    r"\bnot the right person\b", r"\b(?:Inc|LLC|Ltd|GmbH|SAS|B\.V|AG)\b\.?\s*[·|,]\s*\S.{0,80}\d",
)

# ---------------------------------------------------------------------------------------------
# The sender points to the quoted text: their answers (or what they forward) are down there
# ---------------------------------------------------------------------------------------------

POINTS_BELOW_PHRASES = (
    # English
    r"\b(?:see|find|read)\s+(?:my\s+|our\s+)?(?:answers?\s+|responses?\s+|replies\s+|comments?\s+|notes?\s+|thoughts\s+)?"
    r"(?:inline|below|in\s+(?:red|blue|green|bold|line))\b",
    r"\b(?:answers?|responses?|replies|comments?|notes?|thoughts)\s+(?:are\s+|is\s+)?(?:inline|below|in\s+(?:red|blue|green|bold))\b",
    # French
    r"\bvoir\s+(?:ci-dessous|plus\s+bas|mes\s+réponses|nos\s+réponses)",
    r"\bréponses?\s+(?:ci-dessous|dans\s+le\s+(?:texte|corps)|en\s+(?:rouge|bleu|gras))",
    # German
    r"\bsiehe\s+unten\b", r"\bs\.\s*unten\b", r"\b(?:Antworten|Anmerkungen|Kommentare)\s+(?:unten|im\s+Text|inline|in\s+(?:rot|blau))",
    # Spanish
    r"\bver\s+(?:abajo|más\s+abajo|debajo)\b", r"\brespuestas\s+(?:abajo|debajo|en\s+(?:rojo|azul|línea)|entre\s+líneas)",
    r"\brespondo\s+(?:abajo|debajo|entre\s+líneas|em\s+baixo|abaixo)\b",
    # Italian
    r"\bvedi\s+sotto\b", r"\brisposte\s+(?:sotto|qui\s+sotto|in\s+(?:rosso|blu|linea))",
    r"\brispondo\s+(?:sotto|nel\s+testo|in\s+linea)",
    # Portuguese
    r"\bve(?:r|ja)\s+abaixo\b", r"\brespostas\s+(?:abaixo|em\s+(?:vermelho|azul|linha))",
    # Dutch
    r"\bzie\s+(?:hieronder|onder)\b", r"\b(?:antwoorden|opmerkingen)\s+(?:hieronder|in\s+(?:het\s+)?(?:rood|blauw)|inline)",
)
# A text with none of these (lower-cased) points nowhere. (No hint holds another: "in line" finds
# "in linea", "in blu" "in blue", "in blau" "in blauw".)
POINTS_HINTS = (
    "below", "inline", "in red", "in blu", "in green", "in bold", "in line",                                # English, Italian
    "dessous", "plus bas", "dans le", "en rouge", "en bleu", "en gras", "mes réponses", "nos réponses",       # French
    "unten", "im text", "in rot", "in blau",                                                                # German, Dutch
    "abajo", "debajo", "en rojo", "en azul", "en línea", "entre líneas",                                    # Spanish
    "abaixo", "em baixo",                                                                                   # Portuguese
    "sotto", "nel testo", "in rosso",                                                                       # Italian
    "em vermelho", "em azul", "em linha",                                                                   # Portuguese
    "onder", "in het rood", "in rood",                                                                      # Dutch
)

# ---------------------------------------------------------------------------------------------
# Sign-offs: the first line of a closing ("Regards, Sam", "Mvh")
# ---------------------------------------------------------------------------------------------

SIGN_OFFS = (
    r"(?:best|kind|warm|many)\b", "regards", r"thanks?\b", r"thank\s+you", "cheers", "sincerely", "yours",  # English
    "cordialement", r"bien\s+à\s+vous", "merci",                                                             # French
    r"(?:viele|liebe|beste|freundliche)\s+grüße", "grüße", "gruß", r"mit\s+freundlichen",                    # German
    "saludos", r"un\s+saludo", "atentamente", "gracias",                                                     # Spanish
    "saluti", "cordiali", "grazie",                                                                          # Italian
    "cumprimentos", "atenciosamente", "abraços", "obrigad",                                                  # Portuguese
    "groeten", r"met\s+vriendelijke", "bedankt",                                                             # Dutch
    "mvh", "hälsningar", r"med\s+vänlig", "hilsen", r"med\s+venlig", "vennlig",                              # Scandinavian
    "pozdrawiam", "pozdrowienia", r"с\s+уважением", "спасибо",                                               # Polish, Russian
)

# fmt: on

FORWARD_HEADER = re.compile(f"(?:{_any(FORWARD_HEADERS)})", re.I)
FORWARD_SUBJECT = re.compile(rf"\b(?:{_any(FORWARD_SUBJECT_LABELS)})\*?\s*:\s*(?:{_any(FORWARD_TAGS)})\s*:", re.I)
MOBILE_FOOTER = re.compile(rf"^(?:{_any(MOBILE_FOOTERS)})\.?$", re.I)
DISCLAIMER = re.compile(_any(DISCLAIMERS), re.I)
DISCLAIMER_HEADING = re.compile(r"confidential|disclaimer|notice|avis|hinweis|aviso|avviso|kennisgeving", re.I)
"""A short line above a disclaimer that is its heading ("Disclaimer:"): it goes with it."""
FOOTER_SIGNAL = re.compile(_any(FOOTER_SIGNALS), re.I)
FOOTER_LINE = re.compile(_any(FOOTER_LINES), re.I)
POINTS_BELOW = re.compile(_any(POINTS_BELOW_PHRASES), re.I)

_FORWARD_TAG_WORDS = tuple(tag.lower() for tag in FORWARD_TAGS)


def may_name_forward(low: str) -> bool:
    """Whether the lower-cased `low` may hold a forward's header line or subject: one of the
    FORWARD_HINTS anywhere, or a forward tag before a colon (the few colons are looked at, not
    the whole text for each tag)."""
    if any(word in low for word in FORWARD_HINTS):
        return True
    at = low.find(":")
    while at >= 0:
        end = at
        while end and low[end - 1].isspace():  # ("TR :", as French puts it)
            end -= 1
        if low.endswith(_FORWARD_TAG_WORDS, 0, end):
            return True
        at = low.find(":", at + 1)
    return False


def points_below(text: str) -> bool:
    """Whether the sender points to the quoted text below ("see my answers inline")."""
    low = text.lower()
    return any(hint in low for hint in POINTS_HINTS) and bool(POINTS_BELOW.search(text))
