"""core/affiliates.py reads links as core/html.py does: the <a> start tags a browser sees, their first attributes."""

from core.affiliates import find_affiliate_links, mark_affiliate_links, parse_patterns
from core.html import attribute_spans, tokens

PATTERNS = parse_patterns("shop.example")
SPONSORED = 'rel="sponsored nofollow noopener"'


def test_attribute_spans_index_the_source():
    source = "<p>x</p><A Href=\"a\" REL = b title='c' rel=d/>"
    [token] = [token for token in tokens(source) if token.name == "a"]
    assert [(name, source[start:end]) for name, start, end in attribute_spans(token)] == [
        ("href", 'Href="a"'),
        ("rel", "REL = b"),
        ("title", "title='c'"),
        ("rel", "rel=d/"),
    ]
    assert list(attribute_spans(next(tokens("</p>")))) == []


def test_the_first_rel_is_the_one_rewritten():
    html = '<a href="https://shop.example/" rel="ugc" rel="other">x</a>'
    marked, links = mark_affiliate_links(html, PATTERNS)
    assert marked == '<a href="https://shop.example/" rel="sponsored nofollow noopener ugc" rel="other">x</a>'
    assert links == ["https://shop.example/"]


def test_a_slash_ending_an_unquoted_href_stays_in_it():
    """<a href=https://shop.example/x/> links to ".../x/": the rel goes after that slash, not before it."""
    marked, links = mark_affiliate_links("<a href=https://shop.example/x/>buy</a>", PATTERNS)
    assert marked == f"<a href=https://shop.example/x/ {SPONSORED}>buy</a>"
    assert links == ["https://shop.example/x/"]
    marked, _links = mark_affiliate_links('<a href="https://shop.example/"/>buy</a>', PATTERNS)
    assert marked == f'<a href="https://shop.example/" {SPONSORED}/>buy</a>'


def test_markup_that_is_text_holds_no_link():
    """The content of <textarea>, <title> and comments is text, as in a browser: nothing there is marked."""
    for html in (
        "<textarea><a href='https://shop.example/'>x</a></textarea>",
        "<title><a href='https://shop.example/'>x</a></title>",
        "<!-- <a href='https://shop.example/'>x</a>",
        "<p>x</p><a href='https://shop.example/'",  # a tag left open at the end is no tag
    ):
        assert mark_affiliate_links(html, PATTERNS) == (html, [])
        assert find_affiliate_links(html, PATTERNS) == []
