"""Plain text: quoted replies, signatures and mobile footers cut off; format=flowed; paragraphs."""

import html as html_lib
import re

from core.greetings import MOBILE_FOOTER as FOOTER  # the one list: the checklist before publishing reads it too

_ATTRIBUTION = re.compile(
    r"\s*(?:On\s.{1,300}\swrote|Le\s.{1,300}\sa\s+écrit|Am\s.{1,300}\sschrieb.{0,300}|El\s.{1,300}\sescribió"
    r"|Il\s.{1,300}\sha\s+scritto|Op\s.{1,300}\sschreef.{0,300}|Em\s.{1,300}\sescreveu)\s*:\s*",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"\s*(?:On|Le|Am|El|Il|Op|Em)\s", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"\s*-{3,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht)\s*-{3,}\s*",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"\s*_{10,}\s*")
_FROM_LINE = re.compile(r"\s*\*?(?:From|De|Von|Van|Da)\s*:\*?\s*\S.*", re.IGNORECASE)
_SENT_LINE = re.compile(r"\s*\*?(?:Sent|Envoyé|Gesendet|Verzonden|Inviato|Enviado)\s*:\*?\s*\S.*", re.IGNORECASE)


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _only_quotes(lines) -> bool:
    return all(not line.strip() or _quoted(line) or FOOTER.fullmatch(line.strip()) for line in lines)


def _attribution_span(lines, index) -> int:
    """How many lines the reply attribution at `index` spans (0: none); Gmail wraps long ones."""
    line = lines[index]
    if not _ATTRIBUTION_START.match(line) or len(line) > 1000:
        return 0
    if _ATTRIBUTION.fullmatch(line):
        return 1
    if index + 1 < len(lines) and _ATTRIBUTION.fullmatch(f"{line} {lines[index + 1].strip()}"):
        return 2
    return 0


def _outlook_header(lines, index) -> bool:
    line = lines[index]
    if _ORIGINAL_MESSAGE.fullmatch(line):
        return True
    following = [candidate for candidate in lines[index + 1 : index + 6] if candidate.strip()]
    if _UNDERSCORES.fullmatch(line):
        return bool(following) and bool(_FROM_LINE.fullmatch(following[0]))
    if _FROM_LINE.fullmatch(line):
        return any(_SENT_LINE.fullmatch(candidate) for candidate in following[:4])
    return False


def _is_content(line: str) -> bool:
    return bool(line.strip()) and not (_ORIGINAL_MESSAGE.fullmatch(line) or _UNDERSCORES.fullmatch(line))


def trim_plain(text: str) -> str:
    """`text` without the quoted message it answers, the signature and mobile footers."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line == "-- ":  # the signature delimiter (RFC 3676)
            lines = lines[:index]
            break
    for index, line in enumerate(lines):
        if not line.strip() or _quoted(line):
            continue
        span = _attribution_span(lines, index)
        if span and _only_quotes(lines[index + span :]):
            lines = lines[:index]
            break
        # Outlook copies the original below its headers, unquoted: cut it unless it is all there is (a forward).
        if _outlook_header(lines, index) and any(_is_content(earlier) for earlier in lines[:index]):
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or _quoted(lines[-1])):
        lines.pop()
    for index in range(len(lines) - 1, 0, -1):
        if lines[index].strip() == "--":  # a delimiter whose space was eaten: only before a short signature
            if sum(1 for line in lines[index + 1 :] if line.strip()) <= 6:
                lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or FOOTER.fullmatch(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines).strip("\n")


def unflow(text: str, *, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676)."""
    out = []
    current, current_depth = None, 0

    def flush():
        if current is not None:
            out.append((">" * current_depth + " " if current_depth else "") + current)

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if content == "-- ":
            flush()
            current = None
            out.append((">" * depth + " " if depth else "") + content)
            continue
        flowed = content.endswith(" ")
        if flowed and delsp:
            content = content[:-1]
        if current is not None and depth == current_depth:
            current += content
        else:
            flush()
            current, current_depth = content, depth
        if not flowed:
            flush()
            current = None
    flush()
    return "\n".join(out)


_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def plain_to_html(text: str) -> str:
    """Paragraphs for blank-line separated blocks, <br> for single newlines; everything escaped."""
    paragraphs = []
    for block in _BLANK_LINES.split(text.strip("\n")):
        lines = [html_lib.escape(line.rstrip(), quote=False) for line in block.split("\n")]
        if any(line.strip() for line in lines):
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(paragraphs)
