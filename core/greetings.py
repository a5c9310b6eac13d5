"""What an email wraps a text in: greetings, sign-offs and mobile footers (pure patterns).

One list for the site. The email intake (contributions/emails) cuts mobile footers from the
messages it receives; the checklist before publishing (blog/checklist.py) finds a greeting,
a sign-off or a footer still at the top or the foot of an article that came in as an email
("Hi editors,", "Regards, Omar", "-- Lena Fischer", "Sent from my iPhone"). Imports nothing
of ours.

Each function takes one line of plain text (a paragraph, or a line of one split at <br>).
"""

import re

#: The footers mail apps add by themselves ("Sent from my iPhone"); a whole line, fullmatch.
MOBILE_FOOTER = re.compile(
    r"(?:Sent from my \S.{0,40}|Sent from (?:Yahoo )?Mail (?:for|on) \S.{0,30}|Sent from Outlook(?: for \S.{0,30})?"
    r"|Get Outlook for \S.{0,30}|Envoyé de mon \S.{0,40}|Von meinem \S.{0,40} gesendet"
    r"|Sent (?:from|via|with) (?:Proton ?Mail|Samsung|BlueMail|Gmail|Spark|Tutanota|Tuta)\b.{0,40}"
    r"|Get (?:BlueMail|Spark|Edison Mail) for \S.{0,30}|Envoyé (?:depuis|à partir de) (?:mon|ma|l'|Outlook)\S?.{0,40}"
    r"|Enviado (?:desde|de) (?:mi|meu|o|Outlook)\b.{0,40}|Inviato da(?:l mio)? \S.{0,40}"
    r"|Verzonden (?:vanaf|met) \S.{0,40}|Skickat från \S.{0,40}|Sendt fra \S.{0,40}|Lähetetty \S.{0,40}"
    r"|Wysłane z \S.{0,40}|Gesendet (?:von|mit) \S.{0,40})",
    re.IGNORECASE,
)

# The long footers a company's server adds: a confidentiality notice, "think before you print". Read at
# the start of a paragraph of the foot only (they are long, and nothing else there starts so).
DISCLAIMER = re.compile(
    r"(?:confidentiality notice|this (?:e-?mail|message)(?: and any (?:files|attachments)"
    r"(?: transmitted with it)?)? (?:is|are|may be|contains?|and its contents are) (?:confidential|privileged|"
    r"intended)|please consider the environment before printing|diese (?:e-?mail|nachricht) (?:enthält|ist) "
    r"vertraulich|ce (?:message|courriel|mail) (?:et ses pièces jointes )?(?:est|sont) (?:confidentiel|strictement))",
    re.IGNORECASE,
)

# A salutation opening a message: "Hi editors,", "Dear editor", "Hello team!", "Good morning all,", and the
# same in the languages contributors write in ("Hallo Redaktion,", "Chère rédaction,", "Hola equipo:").
# Up to three words may follow the greeting word; then a comma, "!", ":" or the end of the line,
# so "Hello world programs are..." is not one.
GREETING = re.compile(
    r"(?i:hi|hiya|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|to whom it may concern"
    r"|hallo|liebe|lieber|sehr geehrte[rs]?|guten (?:tag|morgen|abend)|moin|servus"
    r"|bonjour|bonsoir|salut|cher|chère|chers|chères|madame,? monsieur|mesdames(?:,? messieurs)?"
    r"|hola|estimad[oa]s?|buen[oa]s (?:días|tardes|noches)|querid[oa]s?"
    r"|ciao|salve|buongiorno|buonasera|gentile|gentili"
    r"|beste|geachte|goedemorgen|goedemiddag|hoi|hej|hei|olá|prezad[oa]s?|bom dia|boa tarde"
    r"|szanown[iya]|witam|dzień dobry)"
    r"(?:[ \t]+[^\s,.!?:;]+){0,3}?[ \t]*(?:[,!:]|$)"
)

# A closing line: "Regards,", "Best regards, Omar", "Thanks,", "Cheers, Lena Fischer", "Sincerely", and the
# same in other languages ("Mit freundlichen Grüßen", "Cordialement", "Un saludo", "Met vriendelijke groet").
# The name after it, if any, is one to three capitalised words: "Thanks for reading" is not one.
SIGN_OFF = re.compile(
    r"(?i:(?:best|kind|warm|warmest|many|with)[ \t]+(?:regards|wishes|thanks)|regards|best|cheers|thanks|thank you"
    r"|many thanks|sincerely(?:[ \t]+yours)?|yours(?:[ \t]+(?:sincerely|truly|faithfully))?|all the best"
    r"|take care|speak soon|talk soon|xo+"
    r"|(?:mit )?(?:freundlichen|freundliche|besten|beste|viele|liebe|herzliche|schöne)[ \t]+gr(?:ü|ue|u)(?:ß|ss)en?"
    r"|gr(?:ü|ue|u)(?:ß|ss)e|mfg|danke"
    r"|(?:bien )?cordialement|bien à (?:vous|toi)|(?:sincères |meilleures )?salutations|amicalement|bisous|merci"
    r"|(?:un )?(?:cordial )?saludos?(?: cordiales)?|atentamente|un abrazo|gracias"
    r"|(?:cordiali|distinti|tanti)[ \t]+saluti|saluti|un saluto|grazie"
    r"|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groet(?:jes|en)?|hartelijke groet(?:en)?"
    r"|(?:med )?vänliga? hälsningar?|hälsningar|mvh|venlig hilsen|hilsen|pozdrawiam|z poważaniem"
    r"|atenciosamente|abraços|cumprimentos|obrigad[oa])"
    r"[ \t]*[,.!]?(?:[ \t]*(?:[A-Z\u00c0-\u024f][\w'’.-]*)(?:[ \t]+[A-Z\u00c0-\u024f][\w'’.-]*){0,2})?[ \t]*"
)

# A signature after the "-- " delimiter (RFC 3676), its space often eaten: "-- Lena Fischer", "—Omar".
SIGNATURE = re.compile(r"(?:--|—|–)[ \t]*[A-Z\u00c0-\u024f][\w'’.-]*(?:[ \t]+[\w'’.-]+){0,3}[ \t]*")
# The delimiter alone on its line, the name on the lines after it.
DELIMITER = re.compile(r"(?:--|—|–|_{2,})[ \t]*")

# What the lines under a sign-off hold: a name ("Lena Fischer"), a role ("Freelance journalist, Berlin"),
# an address, a site, a phone number ("lena@example.org | +49 30 1234567"). Short, and no sentence.
_CONTACT = re.compile(
    r"(?:\S+@\S+\.\w+|(?:https?://|www\.)\S+|(?:tel|phone|mobile|mob|fax|t|m)?\.?:?[ \t]*\+?[\d(][\d ().\-/]{6,}\d)",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"[A-Z\u00c0-\u024f][\w'’.-]*(?:[ \t]+(?:[A-Z\u00c0-\u024f]|van|von|de|der|den|da|di|du|la|le)[\w'’.-]*){0,3}"
)


def greeting(line: str) -> str:
    """The greeting that opens `line` ("Hi editors,"), or ''."""
    match = GREETING.match(line.strip())
    return match.group().strip() if match else ""


def sign_off(line: str) -> str:
    """`line` when it is all a sign-off, a signature or a mobile footer, or ''."""
    text = " ".join(line.split())
    if len(text) > 80:
        return ""
    for pattern in (SIGN_OFF, SIGNATURE, MOBILE_FOOTER):
        if pattern.fullmatch(text):
            return text
    return ""


def is_greeting(line: str) -> bool:
    """Whether `line` is all a greeting ("Hi editors,", "Liebe Redaktion,"): nothing of the text after it."""
    return bool(GREETING.fullmatch(" ".join(line.split())))


def footer(line: str) -> str:
    """`line` when it is a mail app's footer or the start of a server's notice ("This email is confidential…")."""
    text = " ".join(line.split())
    if MOBILE_FOOTER.fullmatch(text) or DISCLAIMER.match(text):
        return text
    return ""


def signature_line(line: str) -> bool:
    """Whether `line` may be part of the signature under a sign-off: a name, a role, contact details.

    Only asked of the few lines after a sign-off at the foot ("Regards," then these): a short line that is
    no sentence (no full stop, question or exclamation mark at its end, at most seven words)."""
    text = " ".join(line.split())
    if not text or len(text) > 80:
        return False
    if DELIMITER.fullmatch(text) or _NAME.fullmatch(text):
        return True
    if all(_CONTACT.fullmatch(part.strip()) or not part.strip() for part in re.split(r"[|•·]", text)):
        return True
    return len(text.split()) <= 7 and text[-1] not in ".?!:;" and text[0].isupper()
