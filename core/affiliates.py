"""Affiliate links: which links in a piece of HTML match the site's patterns (pure functions).

Patterns come from `SiteSettings.affiliate_patterns`, one a line:

    amzn.to            any link to amzn.to or one of its subdomains
    amazon.com?tag     links to amazon.com (or a subdomain) that carry a `tag` parameter
    ?aff_id            links to any site that carry an `aff_id` parameter
    # a comment

Matching uses the parsed host of each link, so look-alikes such as
notamazon.com or amazon.com.evil.example never match amazon.com. `Article.derive()`
(blog/models.py) marks an article's links with these; blog/affiliates.py re-marks every
article when the patterns change.
"""

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, urlsplit

from .hosts import normalize_host
from .html import attribute_spans, attributes, start_tags

AFFILIATE_REL = ("sponsored", "nofollow", "noopener")

# A host name or IP literal as editors type it: letters, digits, dots, hyphens (and IDN letters).
_DOMAIN = re.compile(r"^[\w.-]+$")
_PARAM = re.compile(r"^[^\s&=#?]+$")


@dataclass(frozen=True)
class Pattern:
    """One line of the settings: `domain` is '' for any domain, `param` '' for any link."""

    domain: str = ""
    param: str = ""

    def __str__(self):
        return f"{self.domain}?{self.param}" if self.param else self.domain

    def matches(self, host, params):
        if self.domain and not (host == self.domain or host.endswith("." + self.domain)):
            return False
        return not self.param or self.param in params


def _parse_line(line):
    """A Pattern for one line of settings, None for blanks and comments; ValueError when unreadable."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    domain, _sep, param = line.partition("?")
    # Tolerate what editors paste: a scheme, a path, `tag=` with its equals sign.
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain.strip(), flags=re.IGNORECASE).split("/", 1)[0]
    domain = normalize_host(domain)
    param = param.strip().split("=", 1)[0].lower()
    if (domain and not _DOMAIN.match(domain)) or (param and not _PARAM.match(param)) or not (domain or param):
        raise ValueError(line)
    return Pattern(domain=domain, param=param)


def parse_patterns(text):
    """The Patterns in the settings text, skipping blank lines, comments and lines it cannot read."""
    patterns = []
    for line in (text or "").splitlines():
        try:
            pattern = _parse_line(line)
        except ValueError:
            continue
        if pattern is not None and pattern not in patterns:
            patterns.append(pattern)
    return patterns


def invalid_pattern_lines(text):
    """The lines of the settings text that are not a pattern, a comment or blank (for form validation)."""
    invalid = []
    for line in (text or "").splitlines():
        try:
            _parse_line(line)
        except ValueError:
            invalid.append(line.strip())
    return invalid


def is_affiliate_url(url, patterns):
    """Whether the link `url` (as a browser would follow it) matches one of `patterns`."""
    if not patterns or not url:
        return False
    # Browsers drop tabs and newlines from URLs and read a backslash as a slash.
    url = re.sub(r"[\t\n\r]", "", url).strip().replace("\\", "/")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https", "") or not host:
        return False  # relative links stay on this site; mailto: links are not affiliate links
    host = normalize_host(host)
    params = {name.lower() for name, _value in parse_qsl(parts.query, keep_blank_values=True)}
    return any(pattern.matches(host, params) for pattern in patterns)


def _links(html):
    """(start tag token, href, rel) for every <a> in `html`, in document order (core/html.py)."""
    for token in start_tags(html, "a"):
        attrs = attributes(token)
        yield token, attrs.get("href", ""), attrs.get("rel", "")


def find_affiliate_links(html, patterns):
    """The distinct hrefs in `html` that match `patterns`, in document order."""
    found = []
    if not html or not patterns:
        return found
    for _token, href, _rel in _links(html):
        if href not in found and is_affiliate_url(href, patterns):
            found.append(href)
    return found


def _with_rel(html, token, rel):
    """The <a> start tag `token` of `html` with its rel attribute set to `rel`; all else as written."""
    new = f'rel="{escape(rel)}"'
    for name, start, end in attribute_spans(token):
        if name == "rel":  # the first one: the one browsers read
            return html[token.start : start] + new + html[end : token.end]
    raw = html[token.start : token.end]
    # Before a closing "/>"; not before the slash that ends an unquoted href (<a href=/x/>).
    end = len(raw) - 2 if token.self_closing else len(raw) - 1
    return raw[:end].rstrip() + " " + new + raw[end:]


def merge_rel(existing):
    """The affiliate rel values followed by the other existing ones, without repeats."""
    tokens = []
    for token in (*AFFILIATE_REL, *existing.split()):
        if token.lower() not in tokens:
            tokens.append(token.lower())
    return " ".join(tokens)


def mark_affiliate_links(html, patterns):
    """Return (html, matched hrefs): every matching <a> gets rel="sponsored nofollow noopener".

    Existing rel values are kept after those three. Only the rel attribute of the
    matching start tags changes; the rest of `html` (entities included) is untouched.
    """
    if not html or not patterns:
        return html or "", []
    pieces, matched, position = [], [], 0
    for token, href, rel in _links(html):
        if not is_affiliate_url(href, patterns):
            continue
        if href not in matched:
            matched.append(href)
        pieces += [html[position : token.start], _with_rel(html, token, merge_rel(rel))]
        position = token.end
    pieces.append(html[position:])
    return "".join(pieces), matched
