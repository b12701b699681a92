"""One render vocabulary (tools/render/vocabulary.py), and the two paths that use it agree.

An HTML body goes through the walk (html_walk.py with html_quotes.py and html_boilerplate.py) and
then the plain-text trim (quotes.py); a text part goes through the trim alone. For every phrase of
the vocabulary there is an example here (a test fails when a phrase has none), and each example
is handled the same way by an HTML mail and by its text part: a footer, disclaimer or phone footer
is cut from both, an attribution starts the history in both, a forward is called one in both, a
pointer to the history keeps it in both, a sign-off under a quote lets the quote go in both. And
each example passes the cheap substring checks (hints) the fast paths run before their patterns:
a phrase whose hint is missing would silently never be found.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from leadinbox_mcp.providers.model import Message
from leadinbox_mcp.tools.render import vocabulary as V
from leadinbox_mcp.tools.render.body import body
from leadinbox_mcp.tools.render.quotes import Trimmed, is_attribution

AT = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
REPLY = "Sounds good, see you on Monday."
ADDRESS = "Dana Whitfield <dana@acme.com>"


def from_html(markup: str) -> Trimmed:
    return body(Message(direction="inbound", at=AT, html=markup), links=False)


def from_text(text: str) -> Trimmed:
    return body(Message(direction="inbound", at=AT, text=text), links=False)


def hinted(text: str, hints: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(hint in low for hint in hints)


# ---------------------------------------------------------------------------------------------
# Examples: at least one for every phrase of the vocabulary
# ---------------------------------------------------------------------------------------------

WROTE = [  # (with a date and an address: an attribution line as mail clients write it)
    f"On Tue, 3 Nov 2026 at 10:00, {ADDRESS} wrote:",
    f"Le mar. 3 nov. 2026 à 10:00, {ADDRESS} a écrit :",
    f"El mar, 3 nov 2026 a las 10:00, {ADDRESS} escribió:",
    f"El 3/11/2026 a les 10:00, {ADDRESS} ha escrit:",
    f"Il giorno mar 3 nov 2026 alle ore 10:00 {ADDRESS} ha scritto:",
    f"Em ter., 3 de nov. de 2026 às 10:00, {ADDRESS} escreveu:",
    f"ti 3.11.2026 klo 10.00 {ADDRESS} kirjoitti:",
    f"2026. nov. 3. 10:00 {ADDRESS} írta:",
    f"{ADDRESS}, 3 Kas 2026 Sal, 10:00 tarihinde şunu yazdı:",
    f"W dniu 3.11.2026 o 10:00 {ADDRESS} pisze:",
    f"W dniu 3.11.2026 o 10:00, {ADDRESS} napisała:",
    f"Dne 3. 11. 2026 10:00 {ADDRESS} napsala:",
    f"3 нояб. 2026 г., в 10:00, {ADDRESS} написала:",
    f"3 лист. 2026 р. о 10:00 {ADDRESS} написав:",
    f"вт, 3 лист. 2026 о 10:00 {ADDRESS} пише:",
    f"3 ноября 2026 г. в 10:00 {ADDRESS} пишет:",
    f"Vào 10:00 Th 3, 3 thg 11, 2026 {ADDRESS} đã viết:",
    f"{ADDRESS} heeft op 3 nov. 2026 om 10:00 het volgende geschreven:",
    f"{ADDRESS} hat am 3. Nov. 2026 um 10:00 geschrieben:",
    f"{ADDRESS} schrieb am Di., 3. Nov. 2026, 10:00:",
    f"{ADDRESS} schreef op 3 nov. 2026 om 10:00:",
]
WROTE_FIRST = [
    f"Am 03.11.2026 um 10:00 schrieb {ADDRESS}:",
    f"Op 3 nov. 2026 om 10:00 schreef {ADDRESS}:",
    f"Den 3 nov. 2026 kl. 10:00 skrev {ADDRESS}:",
]
WROTE_CJK = [
    f"2026年11月3日 10:00 {ADDRESS} 写道：",
    f"{ADDRESS} 於 2026年11月3日 週二 上午10:00寫道：",
    f"2026년 11월 3일 (화) 오전 10:00, {ADDRESS}님이 작성:",
    f"2026/11/03 10:00、{ADDRESS} のメッセージ:",
]
SENT = ["On 3 Nov 2026, at 10:00, Dana Whitfield sent:"]  # (no address: the verb alone must do)
OPENERS = {  # an opener with no date or address: "On Tuesday, Dana wrote:" counts above a quote
    "On": "On",
    "Le": "Le",
    "Am": "Am",
    "El": "El",
    "Il": "Il",
    "Em": "Em",
    r"No\s+dia": "No dia",
    "Op": "Op",
    "Den": "Den",
    "På": "På",
    "Dnia": "Dnia",
    r"W\s+dniu": "W dniu",
    "Dne": "Dne",
    "Vào": "Vào",
    "在": "在",
}
FORWARD_HEADERS = [
    "Forwarded message",
    "Begin forwarded message",
    "Message transféré",
    "Début du message réexpédié",
    "Weitergeleitete Nachricht",
    "Anfang der weitergeleiteten Nachricht",
    "Mensaje reenviado",
    "Inicio del mensaje reenviado",
    "Messaggio inoltrato",
    "Inizio messaggio inoltrato",
    "Mensagem encaminhada",
    "Mensagem reencaminhada",
    "Início da mensagem reencaminhada",
    "Doorgestuurd bericht",
    "Begin doorgestuurd bericht",
    "Vidarebefordrat meddelande",
    "Videresendt meddelelse",
    "Videresendt besked",
    "Videresendt melding",
    "Välitetty viesti",
    "Przekazana wiadomość",
    "Wiadomość przekazana",
    "Пересылаемое сообщение",
    "Пересланное сообщение",
]
FORWARD_SUBJECTS = [f"{label}: {tag}: Q4 deck" for label in V.FORWARD_SUBJECT_LABELS for tag in V.FORWARD_TAGS]
FORWARD_SUBJECTS += ["Objet : TR : Q4 deck", "Objet\u00a0: TR\u00a0: Q4 deck", "Betreff: WG:  Q4 deck"]
MOBILE_FOOTERS = [
    "Sent from my iPhone",
    "Sent with Spark",
    "Get Outlook for iOS",
    "Envoyé de mon iPhone",
    "Envoyé depuis Yahoo Mail pour Android",
    "Obtenir Outlook pour iOS",
    "Von meinem iPhone gesendet",
    "Gesendet von meinem iPad",
    "Gesendet mit der WEB.DE Mail App",
    "Von Outlook für iOS gesendet",
    "Outlook für Android herunterladen",
    "Enviado desde mi iPhone",
    "Enviado desde Outlook",
    "Obtener Outlook para iOS",
    "Inviato dal mio iPhone",
    "Inviato da iPhone",
    "Scarica Outlook per Android",
    "Enviado do meu iPhone",
    "Enviado do Outlook",
    "Obter o Outlook para Android",
    "Verzonden vanaf mijn iPhone",
    "Verzonden met Outlook",
    "Outlook voor iOS downloaden",
    "Download Outlook voor Android",
]
DISCLAIMERS = [
    "CONFIDENTIALITY NOTICE: The contents of this email are for Acme staff only.",
    "DISCLAIMER: The views expressed are the author's own.",
    "LEGAL NOTICE: This message comes from Acme Inc.",
    "AVIS DE CONFIDENTIALITÉ : ce message est réservé à son destinataire.",
    "VERTRAULICHKEITSHINWEIS: Diese Nachricht ist nur für den Empfänger bestimmt.",
    "AVISO LEGAL: la información contenida aquí es privada.",
    "AVISO DE CONFIDENCIALIDAD: la información contenida aquí es privada.",
    "This email is confidential and may be legally privileged.",
    "This message is privileged and confidential.",
    "It may contain privileged or confidential information.",
    "It is intended solely for the use of the individual to whom it is addressed.",
    "This e-mail is for the sole use of the intended recipient.",
    "If you have received this email in error, please tell the sender.",
    "Acme Ltd is registered in England and Wales.",
    "Registered office: 1 King Street, London.",
    "Please consider the environment before printing this email.",
    "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen.",
    "Wenn Sie diese E-Mail irrtümlich erhalten haben, informieren Sie bitte den Absender.",
    "Wenn Sie nicht der richtige Adressat sind, löschen Sie diese Nachricht.",
    "Ce message et ses pièces jointes sont confidentiels.",
    "Si vous avez reçu ce message par erreur, merci de le supprimer.",
    "Este mensaje y sus anexos son confidenciales.",
    "Si usted ha recibido este mensaje por error, bórrelo.",
    "Questo messaggio è riservato ed è destinato esclusivamente al destinatario.",
    "Se avete ricevuto questo messaggio per errore, distruggetelo.",
    "Esta mensagem pode conter informação confidencial.",
    "Se você recebeu esta mensagem por engano, apague-a.",
    "Dit bericht is vertrouwelijk en uitsluitend bestemd voor de geadresseerde.",
    "Indien u dit bericht per vergissing heeft ontvangen, verwijder het dan.",
]
UNSUBSCRIBE = [  # (as a link's label in HTML, and followed by its URL in text)
    "Unsubscribe",
    "Opt out",
    "Manage your email preferences",
    "Update your preferences",
    "Email preferences",
    "Se désinscrire",
    "Désinscription",
    "Se désabonner",
    "Gérer mes préférences",
    "Abmelden",
    "Newsletter abbestellen",
    "Darse de baja",
    "Cancelar suscripción",
    "Annulla l'iscrizione",
    "Annullare l'iscrizione",
    "Disiscriviti",
    "Cancellati",
    "Cancelar inscrição",
    "Descadastrar",
    "Afmelden",
    "Uitschrijven",
]
FOOTER_SIGNALS = [  # (a footer line besides the unsubscribe link)
    "© Acme",
    "&copy; Acme",
    "All rights reserved",
    "Acme GmbH",
    "Not the right person? Tell us.",
    "You are receiving this because you signed up.",
    "This email was sent to you by Acme.",
    "If you no longer wish to hear from us, use the link.",
    "You are on our mailing list.",
    "Preferences",
    "You subscribed on our website.",
    "The Acme newsletter",
    "Privacy",
    "Datenschutz",
    "Impressum",
    "Acme · Berlin",
    "10115 Berlin",
]
FOOTER_LINES = [
    "© Acme",
    "&copy; Acme",
    "All rights reserved",
    "You are receiving this because you signed up.",
    "This email was sent to you by Acme.",
    "If you no longer wish to hear from us, use the link.",
    "Our mailing address is 1 Main St.",
    "Unsubscribe",
    "Preferences",
    "Privacy policy",
    "Not the right person?",
    "Acme Inc · 1 Main Street, Springfield 12345",
]
VIEW_ONLINE = [
    "View this email in your browser",
    "Read the newsletter online",
    "View this email on the web",
    "Having trouble viewing this email?",
    "Can't see the images?",
    "Voir la version en ligne",
    "Afficher dans votre navigateur",
    "Im Browser ansehen",
    "Online lesen",
    "Ver en tu navegador",
    "Ver en línea",
    "Visualizza nel browser",
    "Apri online",
    "Abrir no navegador",
    "Bekijk online",
]
POINTS_BELOW = [
    "See my answers below.",
    "My answers are inline.",
    "Voir ci-dessous.",
    "Mes réponses dans le texte.",
    "Siehe unten.",
    "S. unten.",
    "Antworten im Text.",
    "Ver abajo.",
    "Respuestas en rojo.",
    "Respondo entre líneas.",
    "Vedi sotto.",
    "Risposte in linea.",
    "Rispondo nel testo.",
    "Veja abaixo.",
    "Respostas em azul.",
    "Zie hieronder.",
    "Antwoorden in het rood.",
]
SIGN_OFFS = [
    "Best,",
    "Kind regards,",
    "Warm wishes,",
    "Many thanks,",
    "Regards,",
    "Thanks,",
    "Thank you,",
    "Cheers,",
    "Sincerely,",
    "Yours,",
    "Cordialement,",
    "Bien à vous,",
    "Merci,",
    "Viele Grüße,",
    "Grüße,",
    "Gruß,",
    "Mit freundlichen Grüßen,",
    "Saludos,",
    "Un saludo,",
    "Atentamente,",
    "Gracias,",
    "Saluti,",
    "Cordiali saluti,",
    "Grazie,",
    "Cumprimentos,",
    "Atenciosamente,",
    "Abraços,",
    "Obrigado,",
    "Groeten,",
    "Met vriendelijke groet,",
    "Bedankt,",
    "Mvh",
    "Hälsningar,",
    "Med vänlig hälsning,",
    "Hilsen,",
    "Med venlig hilsen,",
    "Vennlig hilsen,",
    "Pozdrawiam,",
    "Pozdrowienia,",
    "С уважением,",
    "Спасибо,",
]
FROM_LABELS = list(V.FROM_LABELS)
DATE_LABELS = [
    re.sub(r"\(\?: ([^)]*)\)\?", r" \1", label) for label in V.DATE_LABELS
]  # "Envoyé(?: le)?" -> "Envoyé le"
OTHER_LABELS = [re.sub(r"\(\?: ([^)]*)\)\?", r" \1", label) for label in V.OTHER_LABELS]
MESSAGE_WORDS = [f"-----Original {word.capitalize()}-----" for word in V.MESSAGE_WORDS]

FAMILIES = {  # vocabulary tuple -> the examples that exercise its phrases
    "WROTE": WROTE,
    "WROTE_FIRST": WROTE_FIRST,
    "WROTE_CJK": WROTE_CJK,
    "SENT": SENT,
    "OPENERS": [f"{opener} " for opener in OPENERS.values()],
    "FORWARD_HEADERS": FORWARD_HEADERS,
    "FORWARD_SUBJECT_LABELS": FORWARD_SUBJECTS,
    "FORWARD_TAGS": FORWARD_SUBJECTS,
    "MOBILE_FOOTERS": MOBILE_FOOTERS,
    "DISCLAIMERS": DISCLAIMERS,
    "DISCLAIMER_TITLES": DISCLAIMERS,
    "UNSUBSCRIBE": UNSUBSCRIBE,
    "FOOTER_SIGNALS": FOOTER_SIGNALS,
    "FOOTER_LINES": FOOTER_LINES,
    "VIEW_ONLINE": VIEW_ONLINE,
    "POINTS_BELOW_PHRASES": POINTS_BELOW,
    "SIGN_OFFS": SIGN_OFFS,
    "FROM_LABELS": [f"{x}:" for x in FROM_LABELS],
    "DATE_LABELS": [f"{x}:" for x in DATE_LABELS],
    "OTHER_LABELS": [f"{x}:" for x in OTHER_LABELS],
    "MESSAGE_WORDS": MESSAGE_WORDS,
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_phrase_of_the_vocabulary_has_an_example(family):
    """A phrase added to vocabulary.py without an example here fails: what is not exercised
    cannot be known to work in both paths."""
    examples = FAMILIES[family]
    missing = [
        fragment
        for fragment in getattr(V, family)
        if not any(re.search(rf"(?:{fragment})", example, re.I) for example in examples)
    ]
    assert not missing, f"{family}: no example for {missing}"


@pytest.mark.parametrize("name", ["ATTRIBUTION_HINTS", "DISCLAIMER_HINTS", "FORWARD_HINTS", "POINTS_HINTS"])
def test_no_hint_holds_another(name):
    """A hint that holds another ("geschrieben" holds "schrieb") finds nothing the other does not:
    it would only cost a scan of every text."""
    hints = getattr(V, name)
    assert not [(h, o) for h in hints for o in hints if o != h and o in h]


def test_phrase_tables_hold_no_repeats():
    for name, value in vars(V).items():
        if name.isupper() and isinstance(value, tuple):
            assert len(set(value)) == len(value), name


@pytest.mark.parametrize("name", ["ATTRIBUTION_HINTS", "DISCLAIMER_HINTS", "FORWARD_HINTS", "POINTS_HINTS"])
def test_hints_are_lower_case(name):
    """They are looked for in lower-cased text: a capital would never be found."""
    hints = getattr(V, name)
    assert all(hint == hint.lower() for hint in hints), [h for h in hints if h != h.lower()]


# ---------------------------------------------------------------------------------------------
# Attribution lines start the quoted history in both paths
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", WROTE + WROTE_FIRST + WROTE_CJK + SENT)
def test_an_attribution_line_is_hinted_and_recognised(line):
    assert hinted(line, V.ATTRIBUTION_HINTS), "no attribution hint covers it"
    assert is_attribution(line)


@pytest.mark.parametrize("line", WROTE + WROTE_FIRST + WROTE_CJK + SENT)
def test_an_attribution_line_starts_the_history_in_html_and_in_text(line):
    markup = (
        f"<div>{REPLY}</div><div><br></div><div>{html.escape(line)}</div>"
        "<blockquote>Can we meet on Monday? The pricing page is confusing.</blockquote>"
    )
    text = f"{REPLY}\n\n{line}\n> Can we meet on Monday? The pricing page is confusing.\n"
    for result in (from_html(markup), from_text(text)):
        assert result.text == REPLY
        assert result.removed == ["quoted history"]


@pytest.mark.parametrize("opener", sorted(OPENERS))
def test_an_opener_alone_makes_an_attribution_above_a_quote(opener):
    line = f"{OPENERS[opener]} Tuesday, Dana Whitfield wrote:"
    assert is_attribution(line)
    markup = f"<div>{REPLY}</div><div>{html.escape(line)}</div><blockquote>Can we meet on Monday?</blockquote>"
    text = f"{REPLY}\n{line}\n> Can we meet on Monday?\n"
    for result in (from_html(markup), from_text(text)):
        assert "Can we meet" not in result.text
        assert "quoted history" in result.removed


# ---------------------------------------------------------------------------------------------
# Forwards are called forwards in both paths
# ---------------------------------------------------------------------------------------------

FORWARDED_HEADER = f"From: {ADDRESS}\nDate: Tue, 3 Nov 2026 at 10:00\nSubject: Q4 deck\nTo: Sam Lee <sam@x.io>"


@pytest.mark.parametrize("phrase", FORWARD_HEADERS)
def test_a_forward_header_is_hinted_and_a_forward_in_html_and_in_text(phrase):
    assert V.may_name_forward(f"---------- {phrase} ---------".lower()), "no forward hint covers it"
    lines = html.escape(FORWARDED_HEADER).replace("\n", "<br>")
    markup = (
        '<div dir="ltr">FYI.<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        f"---------- {html.escape(phrase)} ---------<br>{lines}<br></div><br><br>Here is the deck.</div></div>"
    )
    text = f"FYI.\n\n---------- {phrase} ---------\n{FORWARDED_HEADER}\n\nHere is the deck.\n"
    for result in (from_html(markup), from_text(text)):
        assert result.text == "FYI."
        assert result.removed == ["forwarded message"]


@pytest.mark.parametrize("subject", FORWARD_SUBJECTS)
def test_a_forwards_subject_is_hinted_and_a_forward_in_html_and_in_text(subject):
    assert V.may_name_forward(subject.lower()), "no forward hint covers it"
    assert V.FORWARD_SUBJECT.search(subject)
    fields = [("From", ADDRESS), ("Sent", "Tuesday, 3 November 2026 10:00"), ("To", "Sam Lee <sam@x.io>")]
    markup = (
        '<p class="MsoNormal">FYI.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">'
        '<p class="MsoNormal">'
        + "".join(f"<b>{name}:</b> {html.escape(value)}<br>" for name, value in fields)
        + f"{html.escape(subject)}</p></div><p>Here is the deck.</p>"
    )
    text = "FYI.\n\n" + "".join(f"{name}: {value}\n" for name, value in fields) + f"{subject}\n\nHere is the deck.\n"
    for result in (from_html(markup), from_text(text)):
        assert result.text == "FYI."
        assert result.removed == ["forwarded message"]


# ---------------------------------------------------------------------------------------------
# Quoted mail headers and separators: the same cut from an HTML mail and from its text part
# ---------------------------------------------------------------------------------------------


def _header_cases() -> list[tuple[str, list[tuple[str, str]]]]:
    cases = []
    rest = [("Sent", "Tuesday, 3 November 2026 10:00"), ("To", "Sam Lee <sam@x.io>"), ("Subject", "Q4 deck")]
    cases += [(f"from {label}", [(label, ADDRESS), *rest]) for label in FROM_LABELS]
    cases += [
        (f"date {label}", [(label, "3.11.2026 10:00"), ("To", "Sam Lee <sam@x.io>"), ("Subject", "Q4 deck")])
        for label in DATE_LABELS
    ]
    cases += [(f"field {label}", [("From", ADDRESS), (label, "Sam Lee"), (label, "Q4 deck")]) for label in OTHER_LABELS]
    return cases


@pytest.mark.parametrize(("case", "fields"), _header_cases(), ids=[c for c, _ in _header_cases()])
def test_a_quoted_header_block_starts_the_history_in_html_and_in_text(case, fields):
    markup = (
        f"<div>{REPLY}</div><div><br></div><div>"
        + "".join(f"<b>{html.escape(name)}:</b> {html.escape(value)}<br>" for name, value in fields)
        + "</div><div><br></div><div>Here is the deck you asked for.</div>"
    )
    text = (
        f"{REPLY}\n\n" + "".join(f"{name}: {value}\n" for name, value in fields) + "\nHere is the deck you asked for.\n"
    )
    for result in (from_html(markup), from_text(text)):
        assert result.text == REPLY
        assert result.removed == ["quoted history"]


@pytest.mark.parametrize("separator", MESSAGE_WORDS)
def test_an_original_message_separator_starts_the_history_in_html_and_in_text(separator):
    markup = f"<div>{REPLY}</div><div><br></div><div>{html.escape(separator)}</div><div>Here is the deck.</div>"
    text = f"{REPLY}\n\n{separator}\nHere is the deck.\n"
    for result in (from_html(markup), from_text(text)):
        assert result.text == REPLY
        assert result.removed == ["quoted history"]


# ---------------------------------------------------------------------------------------------
# What a client or company adds at the end: cut from both
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("footer", MOBILE_FOOTERS)
def test_a_mobile_footer_is_cut_from_html_and_from_text(footer):
    assert V.MOBILE_FOOTER.match(footer)
    plain = f"<div>{REPLY}</div><div><br></div><div>{html.escape(footer)}</div>"
    marked = f'<div>{REPLY}</div><div class="gmail_signature">{html.escape(footer)}</div>'
    for result in (from_html(plain), from_html(marked), from_text(f"{REPLY}\n\n{footer}\n")):
        assert result.text == REPLY
        assert result.removed == ["mobile footer"]


@pytest.mark.parametrize("disclaimer", DISCLAIMERS)
def test_a_disclaimer_is_hinted_and_cut_from_html_and_from_text(disclaimer):
    assert hinted(disclaimer, V.DISCLAIMER_HINTS), "no disclaimer hint covers it"
    assert V.DISCLAIMER.search(disclaimer)
    markup = f"<p>{REPLY}</p><p>Sam Lee</p><p>{html.escape(disclaimer)}</p>"
    text = f"{REPLY}\n\nSam Lee\n\n{disclaimer}\n"
    for result in (from_html(markup), from_text(text)):
        assert result.text == f"{REPLY}\n\nSam Lee"
        assert result.removed == ["legal disclaimer"]


NEWS = "Thanks for reading: three new integrations this week."


def _footer(signal: str, label: str) -> tuple[Trimmed, Trimmed]:
    url = "https://news.example.com/u/1"
    markup = f'<p>{NEWS}</p><p>{html.escape(signal)}<br><a href="{url}">{html.escape(label)}</a></p>'
    return from_html(markup), from_text(f"{NEWS}\n\n{signal}\n{label}: {url}\n")


@pytest.mark.parametrize("label", UNSUBSCRIBE)
def test_an_unsubscribe_footer_is_cut_from_html_and_from_text(label):
    for result in _footer("© 2026 Acme GmbH · Berlin", label):
        assert result.text == NEWS
        assert result.removed == ["unsubscribe footer"]


@pytest.mark.parametrize("signal", FOOTER_SIGNALS)
def test_each_footer_signal_makes_a_footer_in_html_and_in_text(signal):
    for result in _footer(signal, "Unsubscribe"):
        assert result.text == NEWS
        assert result.removed == ["unsubscribe footer"]


@pytest.mark.parametrize("language", ["German", "French", "Spanish", "Italian", "Portuguese", "Dutch"])
def test_a_footer_in_each_language_is_cut_from_an_html_mail_and_from_its_text_part(language):
    """The issue's example: a German footer was cut from HTML mail but kept in the text part."""
    signal, label = {
        "German": ("Datenschutz", "Abmelden"),
        "French": ("© Acme SAS", "Se désinscrire"),
        "Spanish": ("Acme S.L.", "Darse de baja"),
        "Italian": ("Acme · Milano", "Annullare l'iscrizione"),
        "Portuguese": ("Acme · Lisboa", "Descadastrar"),
        "Dutch": ("Acme B.V.", "Uitschrijven"),
    }[language]
    for result in _footer(signal, label):
        assert result.text == NEWS
        assert result.removed == ["unsubscribe footer"]


@pytest.mark.parametrize("label", VIEW_ONLINE)
def test_a_view_online_line_is_cut_from_html_and_from_text(label):
    url = "https://news.example.com/v/1"
    markup = f'<p><a href="{url}">{html.escape(label)}</a></p><p>{NEWS}</p>'
    for result in (from_html(markup), from_text(f"{label} <{url}>\n\n{NEWS}\n")):
        assert result.text == NEWS
        assert result.removed == ["view-online link"]


@pytest.mark.parametrize("line", FOOTER_LINES)
def test_a_footer_line_grows_an_html_footer_over_its_block(line):
    """(HTML only: the text path reads a footer as a paragraph.) A footer line in a block of its
    own beside the unsubscribe link's block is taken with it."""
    assert V.FOOTER_LINE.search(line)
    markup = (
        f"<p>{NEWS}</p><div><p>{html.escape(line)}</p>"
        '<p>Acme · <a href="https://news.example.com/u/1">Unsubscribe</a></p></div>'
    )
    result = from_html(markup)
    assert result.text == NEWS
    assert result.removed == ["unsubscribe footer"]


# ---------------------------------------------------------------------------------------------
# A pointer to the history keeps it; a sign-off under a quote lets the quote go: in both
# ---------------------------------------------------------------------------------------------

ATTRIBUTION = f"On Tue, 3 Nov 2026 at 10:00, {ADDRESS} wrote:"


@pytest.mark.parametrize("pointer", POINTS_BELOW)
def test_a_pointer_to_the_history_is_hinted_and_keeps_it_in_html_and_in_text(pointer):
    assert hinted(pointer, V.POINTS_HINTS), "no pointer hint covers it"
    assert V.points_below(pointer)
    markup = (
        f'<div dir="ltr">{html.escape(pointer)}</div><div class="gmail_quote"><div class="gmail_attr">'
        f'{html.escape(ATTRIBUTION)}</div><blockquote class="gmail_quote">Can we meet on Monday?</blockquote></div>'
    )
    text = f"{pointer}\n\n{ATTRIBUTION}\n> Can we meet on Monday?\n"
    for result in (from_html(markup), from_text(text)):
        assert pointer in result.text
        assert "Can we meet on Monday?" in result.text


@pytest.mark.parametrize("sign_off", SIGN_OFFS)
def test_a_sign_off_under_a_quote_answers_nothing_in_html_and_in_text(sign_off):
    markup = (
        f'<div dir="ltr">{REPLY}</div><div class="gmail_quote"><div class="gmail_attr">{html.escape(ATTRIBUTION)}</div>'
        f'<blockquote class="gmail_quote">Can we meet on Monday?</blockquote></div>'
        f"<div><br></div><div>{html.escape(sign_off)}<br>Sam</div>"
    )
    text = f"{REPLY}\n\n{ATTRIBUTION}\n> Can we meet on Monday?\n\n{sign_off}\nSam\n"
    for result in (from_html(markup), from_text(text)):
        assert "Can we meet" not in result.text
        assert result.text == f"{REPLY}\n\n{sign_off}\nSam"
