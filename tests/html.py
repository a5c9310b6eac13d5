"""HTML checks shared by the tests."""

from html.parser import HTMLParser


class FormNesting(HTMLParser):
    """Records the action of every form that starts inside another (browsers drop such forms)."""

    def __init__(self):
        super().__init__()
        self.depth, self.nested, self.actions = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            action = dict(attrs).get("action")
            (self.nested if self.depth else self.actions).append(action)
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def top_level_forms(page):
    """The actions of the page's forms; fails when a form is nested in another."""
    parser = FormNesting()
    parser.feed(page)
    assert parser.nested == [], f"forms nested in another form: {parser.nested}"
    return parser.actions
