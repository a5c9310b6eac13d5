"""Parse-based checks of sanitized HTML, shared by the sanitizer's property and corpus tests.

Both checks read the HTML twice: with a tokenizer (`html.parser`, which reports every
tag, attribute, comment and declaration in the order it meets them) and as a tree
(`lxml.html`, a second parser with its own error recovery). A problem either one
finds is reported.

- `script_vectors(html)`: what could run script or load something active in a
  browser: dangerous elements, `on*` handlers, `style`, `srcdoc`, `http-equiv`,
  and URL-bearing attributes whose scheme is not in `URL_SCHEMES`.
- `policy_violations(html)`: all of the above plus anything `sanitize_html` must
  not let through: elements outside ALLOWED_TAGS, attributes outside
  ALLOWED_ATTRIBUTES (and the `rel` the cleaner itself sets on links), comments,
  declarations, CDATA, and a raw "<" in text.
"""

import re
from html.parser import HTMLParser

import lxml.html

from core.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

# nh3 sets rel on every <a> itself (link_rel), whatever the input said.
POLICY_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "a": ALLOWED_ATTRIBUTES["a"] | {"rel"}}

DANGEROUS_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link"}
    | {"form", "input", "button", "textarea", "select", "option", "svg", "math", "template", "noscript"}
    | {"isindex", "xml", "xmp", "plaintext", "noembed", "noframes", "portal", "fencedframe", "animate", "set"}
    | {"handler", "listener", "import", "use", "foreignobject"}
)
DANGEROUS_ATTRIBUTES = frozenset({"style", "srcdoc", "http-equiv"})
URL_ATTRIBUTES = frozenset(
    {"href", "src", "cite", "formaction", "action", "poster", "xlink:href", "background", "data", "codebase"}
    | {"longdesc", "lowsrc", "dynsrc", "usemap", "manifest", "icon", "profile", "classid", "archive", "ping"}
    | {"to", "from", "values", "content"}
)
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})

# What a browser's URL parser ignores: tabs and newlines anywhere, C0 controls and spaces around.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?(.*)", re.IGNORECASE | re.DOTALL)
# lxml refuses the characters XML does not allow; they are harmless in HTML, so they are swapped out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read from the (entity-decoded) URL `value`, lowercased; None if relative."""
    value = _URL_IGNORED.sub("", value).strip("".join(map(chr, range(0x21))))
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else None


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset value ("a.png 1x, b.png 2x")."""
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _attribute_problems(tag: str, name: str, value: str | None, *, strict: bool) -> list[str]:
    problems = []
    value = value or ""
    where = f"<{tag} {name}={value!r}>"
    if name.startswith("on"):
        problems.append(f"event handler {where}")
    if name in DANGEROUS_ATTRIBUTES:
        problems.append(f"dangerous attribute {where}")
    urls = []
    if name in URL_ATTRIBUTES and not (name == "content" and tag != "meta"):
        if name == "content":
            match = _REFRESH_URL.search(value)
            urls = [match.group(1)] if match else []
        elif name in {"archive", "ping"}:
            urls = value.split()
        else:
            urls = [value]
    elif name in SRCSET_ATTRIBUTES:
        urls = srcset_urls(value)
    for url in urls:
        scheme = url_scheme(url)
        if scheme is not None and scheme not in URL_SCHEMES:
            problems.append(f"URL scheme {scheme!r} in {where}")
    if strict and name not in POLICY_ATTRIBUTES.get(tag, ()):
        problems.append(f"attribute outside the policy {where}")
    return problems


def _tag_problems(tag: str, *, strict: bool) -> list[str]:
    if tag in DANGEROUS_TAGS:
        return [f"dangerous element <{tag}>"]
    if strict and tag not in ALLOWED_TAGS:
        return [f"element outside the policy <{tag}>"]
    return []


class _Tokens(HTMLParser):
    def __init__(self, strict):
        super().__init__(convert_charrefs=False)
        self.strict = strict
        self.problems = []

    def handle_starttag(self, tag, attrs):
        self.problems += _tag_problems(tag, strict=self.strict)
        for name, value in attrs:
            self.problems += _attribute_problems(tag, name, value, strict=self.strict)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.problems += _tag_problems(tag, strict=self.strict)

    def handle_data(self, data):
        if self.strict and "<" in data:
            self.problems.append(f"unescaped '<' in text {data!r}")

    def handle_comment(self, data):
        if self.strict:
            self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}>")

    def unknown_decl(self, data):
        self.problems.append(f"declaration or CDATA <![{data}]>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")


def _token_problems(html: str, *, strict: bool) -> list[str]:
    parser = _Tokens(strict)
    parser.feed(html)
    parser.close()
    return parser.problems


def _tree_problems(html: str, *, strict: bool) -> list[str]:
    document = lxml.html.document_fromstring("<html><body>" + _NOT_XML.sub("\ufffd", html) + "</body></html>")
    problems = []
    for element in document.body.iterdescendants():
        if not isinstance(element.tag, str):  # a comment or processing instruction
            if strict or not isinstance(element, lxml.html.HtmlComment):
                problems.append(f"non-element node {lxml.html.tostring(element, encoding=str)!r}")
            continue
        tag = element.tag.lower()
        problems += _tag_problems(tag, strict=strict)
        for name, value in element.attrib.items():
            problems += _attribute_problems(tag, name.lower(), value, strict=strict)
    return problems


def script_vectors(html: str) -> list[str]:
    """What in `html` could run script or load active content (empty: nothing)."""
    return _token_problems(html, strict=False) + _tree_problems(html, strict=False)


def policy_violations(html: str) -> list[str]:
    """Everything in `html` that the sanitizer's policy does not allow (empty: nothing)."""
    return _token_problems(html, strict=True) + _tree_problems(html, strict=True)
