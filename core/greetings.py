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
    r"|Get Outlook for \S.{0,30}|Envoyé de mon \S.{0,40}|Von meinem \S.{0,40} gesendet)",
    re.IGNORECASE,
)

# A salutation opening a message: "Hi editors,", "Dear editor", "Hello team!", "Good morning all,".
# Up to three words may follow the greeting word; then a comma, "!", ":" or the end of the line,
# so "Hello world programs are..." is not one.
GREETING = re.compile(
    r"(?i:hi|hiya|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|to whom it may concern)"
    r"(?:[ \t]+[^\s,.!?:;]+){0,3}?[ \t]*(?:[,!:]|$)"
)

# A closing line: "Regards,", "Best regards, Omar", "Thanks,", "Cheers, Lena Fischer", "Sincerely".
# The name after it, if any, is one to three capitalised words: "Thanks for reading" is not one.
SIGN_OFF = re.compile(
    r"(?i:(?:best|kind|warm|warmest|many)[ \t]+(?:regards|wishes|thanks)|regards|best|cheers|thanks|thank you"
    r"|many thanks|sincerely(?:[ \t]+yours)?|yours(?:[ \t]+(?:sincerely|truly|faithfully))?|all the best"
    r"|take care|speak soon|talk soon|xo+)"
    r"[ \t]*[,.!]?(?:[ \t]*(?:[A-Z\u00c0-\u024f][\w'’.-]*)(?:[ \t]+[A-Z\u00c0-\u024f][\w'’.-]*){0,2})?[ \t]*"
)

# A signature after the "-- " delimiter (RFC 3676), its space often eaten: "-- Lena Fischer", "—Omar".
SIGNATURE = re.compile(r"(?:--|—|–)[ \t]*[A-Z\u00c0-\u024f][\w'’.-]*(?:[ \t]+[\w'’.-]+){0,3}[ \t]*")


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
