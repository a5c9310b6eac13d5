"""blog/callout.py reads paragraphs as core/html.py does: what a browser takes for text holds no paragraph."""

import pytest

from blog.callout import split_after_paragraph


@pytest.mark.parametrize(
    "hidden",
    [
        "<!-- <p>Not a paragraph</p>",  # a comment left open runs to the end
        "<textarea><p>Not a paragraph</p></textarea>",
        "<title><p>Not a paragraph</p></title>",
    ],
)
def test_a_paragraph_in_text_is_no_paragraph(hidden):
    html = f"<p>One</p>{hidden}<p>Two</p><p>Three</p>"
    if hidden.startswith("<!--"):
        assert split_after_paragraph(html, 2) == (html, "")  # one paragraph, then the comment
    else:
        assert split_after_paragraph(html, 2) == (f"<p>One</p>{hidden}<p>Two</p>", "<p>Three</p>")


def test_a_slash_ending_an_unquoted_value_does_not_close_the_tag():
    """<a href=/x/> is an open link (the slash is its href's), <span/> closes itself, as before."""
    assert split_after_paragraph("<a href=/x/><p>In a link</p></a><p>After</p>", 1)[1] == ""
    assert split_after_paragraph("<span/><p>One</p><p>Two</p>", 1) == ("<span/><p>One</p>", "<p>Two</p>")
