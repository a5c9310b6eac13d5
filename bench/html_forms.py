"""The forms of a page as a browser would send them, and the errors a refused form shows: how the
load test's visitors fill in the site's real forms (bench/locustfile.py)."""

import re
from html import unescape
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {
                "action": attrs.get("action", ""),
                "method": attrs.get("method", "get").lower(),
                "enctype": attrs.get("enctype", "application/x-www-form-urlencoded"),
                "class": attrs.get("class", ""),
                "fields": {},
                "files": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "option" and self._select:
            if "selected" in attrs or not fields[self._select]:
                fields[self._select] = attrs.get("value", "")
            return
        if "name" not in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = attrs.get("value", "")
        elif tag == "textarea":
            fields[name] = ""
            self._textarea = name
        elif tag == "select":
            self._select = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def parse_forms(html):
    """Every <form> of a page: action, method, enctype, class, the fields a browser would send
    as they stand (checked boxes only, textareas' text) and the names of the file inputs."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html, action):
    """The page's form posting to `action` (a path), or None."""
    return next((form for form in parse_forms(html) if form["action"].split("?", 1)[0] == action), None)


_ALERT = re.compile(r'<div class="form-errors" role="alert">(.*?)</div>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def refusal_reason(html):
    """The errors a refused form shows above it, as one line of text ("" when it shows none)."""
    found = _ALERT.search(html or "")
    if not found:
        return ""
    text = " ".join(unescape(_TAG.sub(" ", found.group(1))).split())
    # One line per kind of refusal: what the visitor typed, quoted back, and counts are left out.
    return re.sub(r"\d+", "N", re.sub(r"“[^”]*”", "“…”", text))[:300]
