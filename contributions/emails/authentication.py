"""SPF, DKIM and DMARC verdicts from the Authentication-Results headers."""

import re

from .headers import fix_text

AUTH_METHODS = ("spf", "dkim", "dmarc")


_COMMENT = re.compile(r"\([^()]*\)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_RESINFO = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*(?:/\s*\d+\s*)?=\s*([A-Za-z0-9_.-]+)")


def parse_authentication_results(values: list[str]) -> dict:
    """{"spf": ..., "dkim": ..., "dmarc": ...} from Authentication-Results header values, top first.

    The topmost header is the one our own server added: its verdicts win. Further
    headers count only when they come from the same server (several milters each
    add one) and only for methods the topmost one does not have. Within one header
    the first verdict of a method counts, except that any dkim=pass wins (a
    message may carry several signatures).
    """
    result: dict[str, str] = {}
    first_server = None
    for index, value in enumerate(values[:20]):
        server, verdicts = _parse_auth_header(value)
        if index == 0:
            first_server = server
        elif not first_server or server != first_server:
            continue
        found: dict[str, str] = {}
        for method, verdict in verdicts:
            if method not in found or (method == "dkim" and verdict == "pass"):
                found[method] = verdict
        for method, verdict in found.items():
            result.setdefault(method, verdict)
    return result


def _parse_auth_header(value):
    text = " ".join(fix_text(value).split())
    for _round in range(10):  # comments may nest
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    text = _QUOTED.sub('""', text)
    clauses = text.split(";")
    head = clauses[0].split()
    server = head[0].lower() if head else ""
    verdicts = []
    for clause in clauses[1:]:
        match = _RESINFO.match(clause)
        if match and match.group(1).lower() in AUTH_METHODS:
            verdicts.append((match.group(1).lower(), match.group(2).lower()))
    return server, verdicts
