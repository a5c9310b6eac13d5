import pytest

from core.sanitizer import plain_text, sanitize_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
        ("<h2>Heading</h2><h3>Sub</h3>", "<h2>Heading</h2><h3>Sub</h3>"),
        ("<h1>Too big</h1>", "<h2>Too big</h2>"),
        (
            '<ul><li>one</li></ul><ol start="3"><li>three</li></ol>',
            '<ul><li>one</li></ul><ol start="3"><li>three</li></ol>',
        ),
        ("<blockquote><p>Quote</p></blockquote>", "<blockquote><p>Quote</p></blockquote>"),
        (
            '<a href="https://example.com" target="_blank" onclick="x()">link</a>',
            '<a href="https://example.com" rel="noopener noreferrer">link</a>',
        ),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a rel="noopener noreferrer">x</a>'),
        (
            '<figure><img src="/media/a.png" alt="A" width="10" height="5" style="x">'
            "<figcaption>Cap</figcaption></figure>",
            '<figure><img src="/media/a.png" alt="A" width="10" height="5"><figcaption>Cap</figcaption></figure>',
        ),
        (
            '<table><thead><tr><th>H</th></tr></thead><tbody><tr><td colspan="2">D</td></tr></tbody></table>',
            '<table><thead><tr><th>H</th></tr></thead><tbody><tr><td colspan="2">D</td></tr></tbody></table>',
        ),
        ("<script>alert(1)</script><p>after</p>", "<p>after</p>"),
        ("<style>p{}</style><iframe src=x></iframe>text", "text"),
        ('<p style="color:red" class="x" id="y">styled</p>', "<p>styled</p>"),
        ("<div><span>wrapped</span></div>", "wrapped"),
        ("<!-- comment --><p>x</p>", "<p>x</p>"),
        ("<p></p>", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_sanitize(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_stripped_blocks_still_separate_words():
    assert sanitize_html("<div>One</div><div>two</div>").split() == ["One", "two"]


def test_idempotent():
    html = '<h2>T</h2><p>a <a href="https://x.org">b</a></p><figure><img src="/a.png" alt=""></figure>'
    once = sanitize_html(html)
    assert sanitize_html(once) == once


def test_plain_text_separates_blocks_not_inline_marks():
    html = (
        "<h2>Three weekends</h2><p>Start with the <a href='https://x.org'>schematic</a>.</p>"
        "<figure><img src='/a.png' alt=''><figcaption>Out of its case</figcaption></figure>"
        "<ul><li><p>Salt &amp; <strong>vinegar</strong></p></li><li>chips</li></ul>"
    )
    assert plain_text(html) == "Three weekends Start with the schematic. Out of its case Salt & vinegar chips"


@pytest.mark.parametrize("html", ["<h1>Big</h1>", "<H1>Big</H1>", '<h1 class="x">Big</h1 >'])
def test_an_h1_in_any_case_becomes_an_h2(html):
    assert sanitize_html(html) == "<h2>Big</h2>"
