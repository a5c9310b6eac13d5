"""What an email to a person wraps around an editor's text (pure text functions).

The email templates own the greeting ("Hello Omar,"), the opening that says what the email is
about ("Thank you for sending “…” to Byline. We have decided not to publish it.") and the
sign-off. The editor's text in between (a rejection reason, the changes asked for, a note on a
complaint) is only the body. Editors write letters, though: a reason saved as "Hello {name},
Thank you for “{title}”. It is not a fit…" put a second greeting and a second thank-you under the
template's own. `letter_body` takes off what the template already says: a greeting opening the
text, a thank-you sentence opening it, and a sign-off closing it. So an email never greets or
thanks twice, whatever an editor stored or types, and the template always says what was decided
(a reason such as "We need more sources" alone would not). Imports nothing of ours but greetings.
"""

import re

from .greetings import greeting, sign_off

# "Thank you for “Night trains”.", "Thanks so much for sending this!", "Many thanks for your piece." A title in
# quotes may hold a full stop ("Dr. No"); "Thanks to the team…" is no opening (no "for").
_THANKS = re.compile(
    r"(?:many thanks|thank you|thanks)(?:[ \t]+(?:so|very)[ \t]+much)?[ \t]+for\b"
    r"(?:“[^”\n]*”|\"[^\"\n]*\"|‘[^’\n]*’|[^.!?\n“\"‘])*[.!?]+[ \t]*",
    re.IGNORECASE,
)


def letter_body(text: str) -> str:
    """`text` without the greeting, thank-you opening and sign-off an email's template adds itself.

    Only at its very start and end, and only whole lines (a greeting may share its line with the text:
    "Hi Omar, thank you for…"). A text that is nothing else becomes "".
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    if lines and (opening := greeting(lines[0])):
        lines[0] = lines[0].strip()[len(opening) :].strip()
    body = "\n".join(lines).strip()
    if match := _THANKS.match(body):
        body = body[match.end() :].strip()
    if body != (text or "").strip():
        body = body[:1].upper() + body[1:]  # "Hi Omar, we need…" → "We need…"
    lines = body.split("\n")
    while lines and (not lines[-1].strip() or sign_off(lines[-1])):
        lines.pop()
    if len(lines) >= 2 and _is_name(lines[-1]) and sign_off(lines[-2]):  # "Best regards,\nLena Fischer"
        lines = lines[:-2]
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).strip()


_NAME = re.compile(r"[ \t]*[A-Z\u00c0-\u024f][\w'’.-]*(?:[ \t]+[A-Z\u00c0-\u024f][\w'’.-]*){0,2}[ \t]*")


def _is_name(line):
    return bool(_NAME.fullmatch(line))
