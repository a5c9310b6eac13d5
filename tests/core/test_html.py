"""core.html: the one HTML walker (tokens with their offsets, attributes decoded)."""

from core.html import COMMENT, END, START, TEXT, VOID_ELEMENTS, Token, attributes, start_tags, tokens


def kinds(source):
    return [(token.kind, token.name, source[token.start : token.end]) for token in tokens(source)]


class TestTokens:
    def test_offsets_cover_the_source_in_order(self):
        source = 'Hi <a href="x">there</a><br/>!'
        found = list(tokens(source))
        assert [(token.kind, token.start, token.end, token.name) for token in found] == [
            (TEXT, 0, 3, ""),
            (START, 3, 15, "a"),
            (TEXT, 15, 20, ""),
            (END, 20, 24, "a"),
            (START, 24, 29, "br"),
            (TEXT, 29, 30, ""),
        ]
        assert "".join(source[token.start : token.end] for token in found) == source

    def test_names_are_lowercased_and_raw_attrs_kept(self):
        token = next(tokens('<IMG SRC="a.png" Alt=x/>'))
        assert token == Token(START, 0, 24, "img", ' SRC="a.png" Alt=x/')
        assert not token.self_closing  # the slash is Alt's value: alt="x/"
        assert not next(tokens("<p>")).self_closing

    def test_self_closing_as_the_html5_tokenizer_reads_it(self):
        def closes(source):
            return next(tokens(source)).self_closing

        # The "/" right before ">" after a tag name, an attribute name, a quoted value or a space.
        for source in ("<br/>", "<span />", "<a hidden/>", '<a href="x"/>', "<a href='x' />", '<a href="x"//>'):
            assert closes(source), source
        # A "/" inside an unquoted value is the value's: <a href=x/> links to "x/".
        for source in ("<a href=x/>", "<a href=/x/>", "<a href=/>", "<a href= />", "<img src=a.png alt=b/>"):
            assert not closes(source), source
            assert attributes(next(tokens(source)))["href" if source.startswith("<a") else "alt"].endswith("/")
        # No "/" right before ">": a slash followed by a space opens an attribute name instead.
        for source in ("<br/ >", "<p>", '<a href="x/">', "<a / href=x>"):
            assert not closes(source), source
        assert closes("<a href=x />")  # after the space, the "/" is no longer the value's

    def test_a_gt_inside_a_quoted_value_does_not_end_the_tag(self):
        source = "<a title=\"1 > 0\" href='b>c'>x</a>"
        assert kinds(source) == [
            (START, "a", "<a title=\"1 > 0\" href='b>c'>"),
            (TEXT, "", "x"),
            (END, "a", "</a>"),
        ]

    def test_a_stray_lt_is_text(self):
        source = "1 < 2 and 3 <4 <"
        assert kinds(source) == [(TEXT, "", source)]

    def test_an_unclosed_tag_at_the_end_is_no_tag(self):
        assert kinds('before<a href="x') == [(TEXT, "", "before")]
        assert kinds("before</p") == [(TEXT, "", "before")]
        assert kinds("<p>text<img") == [(START, "p", "<p>"), (TEXT, "", "text")]

    def test_comments_doctypes_and_bogus_comments(self):
        source = "<!DOCTYPE html><!-- a <b>bold</b> comment -->x<?php echo ?></ y><!-->z<!--- unclosed"
        assert kinds(source) == [
            (COMMENT, "", "<!DOCTYPE html>"),
            (COMMENT, "", "<!-- a <b>bold</b> comment -->"),
            (TEXT, "", "x"),
            (COMMENT, "", "<?php echo ?>"),
            (COMMENT, "", "</ y>"),
            (COMMENT, "", "<!-->"),
            (TEXT, "", "z"),
            (COMMENT, "", "<!--- unclosed"),
        ]

    def test_raw_text_elements_hold_text_up_to_their_end_tag(self):
        source = '<script>if (a < b && "</p>") {}</script><style>p > a {}</STYLE >after'
        assert kinds(source) == [
            (START, "script", "<script>"),
            (TEXT, "", 'if (a < b && "</p>") {}'),
            (END, "script", "</script>"),
            (START, "style", "<style>"),
            (TEXT, "", "p > a {}"),
            (END, "style", "</STYLE >"),
            (TEXT, "", "after"),
        ]

    def test_an_unclosed_raw_text_element_runs_to_the_end(self):
        assert kinds("<title>a <b>title</scriptx") == [(START, "title", "<title>"), (TEXT, "", "a <b>title</scriptx")]
        assert kinds("<script></script>") == [(START, "script", "<script>"), (END, "script", "</script>")]

    def test_plaintext_makes_the_rest_text(self):
        assert kinds("<plaintext><a href=x></plaintext>") == [
            (START, "plaintext", "<plaintext>"),
            (TEXT, "", "<a href=x></plaintext>"),
        ]

    def test_empty_source(self):
        assert list(tokens("")) == []


class TestAttributes:
    def test_names_lowercased_values_decoded(self):
        token = next(tokens("""<a HREF="/a?x=1&amp;y=2" title='&lt;b&gt; &#233;' data-x=caf&eacute; hidden>"""))
        assert attributes(token) == {"href": "/a?x=1&y=2", "title": "<b> é", "data-x": "café", "hidden": ""}

    def test_the_first_of_duplicated_attributes_wins(self):
        token = next(tokens('<a href="first" HREF="second" rel=one rel="two">'))
        assert attributes(token) == {"href": "first", "rel": "one"}

    def test_spaces_around_equals_and_no_spaces_between_attributes(self):
        token = next(tokens("<img src = \"a.png\"alt='b' width=10/>"))
        assert attributes(token) == {"src": "a.png", "alt": "b", "width": "10/"}  # as browsers read it

    def test_tokens_without_attributes(self):
        assert attributes(next(tokens("<br>"))) == {}
        assert attributes(next(tokens("text"))) == {}
        assert attributes(next(tokens("</a>"))) == {}


class TestScannersBuiltOnIt:
    def test_links_with_their_offsets_and_raw_start_tags(self):
        html = '<p>A <a href="https://shop.example/?tag=1&amp;b=2" href="other">deal</a> and <A HREF=/x>x</A></p>'
        links = [
            (token.start, html[token.start : token.end], attributes(token)["href"]) for token in start_tags(html, "a")
        ]
        assert links == [
            (5, '<a href="https://shop.example/?tag=1&amp;b=2" href="other">', "https://shop.example/?tag=1&b=2"),
            (html.index("<A"), "<A HREF=/x>", "/x"),
        ]

    def test_a_link_written_in_a_comment_or_script_is_no_link(self):
        html = '<!-- <a href="a"> --><script>"<a href=b>"</script><a href="c">'
        assert [attributes(token)["href"] for token in start_tags(html, "a")] == ["c"]

    def test_top_level_paragraph_ends(self):
        html = "<p>one</p><blockquote><p>quoted</p></blockquote><p>two <b>bold</b></p><ul><li><p>item</p></li></ul>"
        stack, ends = [], []
        for token in tokens(html):
            if token.kind == START and token.name not in VOID_ELEMENTS and not token.self_closing:
                stack.append(token.name)
            elif token.kind == END and token.name in stack:
                while stack.pop() != token.name:
                    pass
                if token.name == "p" and not stack:
                    ends.append(token.end)
        assert ends == [html.index("</p>") + 4, html.index("</b></p>") + 8]
        assert [html[end - 4 : end] for end in ends] == ["</p>", "</p>"]

    def test_image_attributes(self):
        html = '<p><img src="/media/a.jpg" alt="A &amp; B"></p><img data-src=x src=\'/b.png\'><imgx src=no>'
        assert [attributes(token) for token in start_tags(html, "img")] == [
            {"src": "/media/a.jpg", "alt": "A & B"},
            {"data-src": "x", "src": "/b.png"},
        ]

    def test_start_tags_without_names_gives_every_start_tag(self):
        assert [token.name for token in start_tags("<p><b>x</b><br></p>")] == ["p", "b", "br"]


class TestHostileInput:
    def test_many_unclosed_tags(self):
        source = "<a" * 100_000
        assert list(tokens(source)) == []
        source = "x" + '<a href="' * 100_000
        assert kinds(source) == [(TEXT, "", "x")]

    def test_many_unclosed_attribute_values_and_comments(self):
        source = "<p " + "a='" * 50_000
        assert list(tokens(source)) == []
        source = "<!--" * 100_000
        assert kinds(source) == [(COMMENT, "", source)]

    def test_many_stray_lt_are_one_text_token(self):
        source = "< " * 100_000
        assert kinds(source) == [(TEXT, "", source)]

    def test_many_raw_text_elements_never_closed(self):
        source = "<script>" + "</scrip" * 50_000
        assert kinds(source) == [(START, "script", "<script>"), (TEXT, "", "</scrip" * 50_000)]
