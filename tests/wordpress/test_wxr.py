"""The pure parts: the streaming WXR reader, shortcodes and autop, old addresses."""

import io

import pytest

from wordpress.comments import comment_text
from wordpress.shortcodes import autop, render_content, shortcodes
from wordpress.upserts import old_path
from wordpress.wxr import WXRAuthor, WXRCategory, WXRError, WXRItem, WXRReader, WXRTag, parse_wp_date

from .exports import item, site_export, wxr


def records(data):
    return list(WXRReader(io.BytesIO(data)))


def test_reader_yields_authors_terms_and_items_in_order():
    found = records(site_export())
    kinds = [type(record) for record in found]
    assert kinds[:2] == [WXRAuthor, WXRAuthor]
    assert kinds[2:7] == [WXRCategory] * 3 + [WXRTag] * 2
    assert all(kind is WXRItem for kind in kinds[7:])
    tech = found[3]
    assert (tech.slug, tech.name, tech.parent_slug) == ("tech", "Tech", "news")
    assert tech.description == "Gadgets &amp; code"  # CDATA: the HTML as WordPress stored it
    hello = found[7]
    assert hello.post_id == "101" and hello.post_type == "post" and hello.is_sticky
    assert hello.meta["_thumbnail_id"] == "50"
    assert [c.wp_id for c in hello.comments] == ["201", "202", "203", "207", "204", "205", "206"]
    assert hello.comments[1].parent_id == "201"
    assert ("post_tag", "django-tips", "Django Tips") in [(t.domain, t.slug, t.name) for t in hello.terms]


def test_reader_accepts_wxr_1_1():
    found = records(wxr(item(1, "Old"), version="1.1"))
    assert found[-1].post_id == "1"


def test_cdata_split_around_terminator_emoji_and_entities():
    raw = "<content:encoded><![CDATA[<p>Code: a[b[0]]]]><![CDATA[> c &nbsp;ok 🎉</p>]]></content:encoded>"
    found = records(wxr(item(1, "Tricky &amp; fun", raw_content=raw)))
    assert found[-1].content == "<p>Code: a[b[0]]> c &nbsp;ok 🎉</p>"  # WordPress wrote "]]>" as "]]]]><![CDATA[>"


def test_latin1_declared_file():
    found = records(wxr(item(1, "Café crème"), encoding="ISO-8859-1"))
    assert found[-1].title == "Café crème"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Not well-formed XML"),
        (b"this is not xml at all", "Not well-formed XML"),
        (b'<?xml version="1.0"?><html><body/></html>', "not <rss>"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><item/></channel></rss>', "wp namespace"),
        (
            b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item></channel></rss>',
            "Not well-formed XML (line 1)",
        ),
    ],
)
def test_what_is_not_a_wordpress_export(data, message):
    with pytest.raises(WXRError, match=message.replace("(", r"\(").replace(")", r"\)")):
        records(data)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = wxr(item(1, "XXE", raw_content="<content:encoded>before &xxe; after</content:encoded>")).replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(),
    )
    found = records(data)
    assert found[-1].post_id == "1"
    assert "TOP SECRET" not in found[-1].content


def test_parse_wp_date():
    assert parse_wp_date("0000-00-00 00:00:00") is None
    assert parse_wp_date("2019-03-14 10:00:00").day == 14
    with pytest.raises(ValueError):
        parse_wp_date("2019-13-45 99:00:00")


def test_autop_paragraphs_breaks_and_blocks():
    html = autop("One\nstill one\n\nTwo\n\n<ul>\n<li>a</li>\n</ul>\n<pre>x\n\ny</pre>")
    assert html == "<p>One<br>\nstill one</p>\n<p>Two</p>\n<ul>\n<li>a</li>\n</ul>\n<pre>x\n\ny</pre>"


def test_autop_blockquote_and_block_editor_content():
    assert autop("<blockquote>A\n\nB</blockquote>") == "<blockquote><p>A</p>\n<p>B</p></blockquote>"
    block = "<!-- wp:paragraph -->\n<p>Made with blocks</p>\n<!-- /wp:paragraph -->"
    assert autop(block) == block


def test_caption_becomes_figure():
    html, unknown = render_content(
        '[caption id="attachment_5" align="alignnone" width="300"]<a href="/big.png"><img src="/a.png" alt="x" />'
        "</a> A  nice caption[/caption]"
    )
    assert html == (
        '<figure><a href="/big.png"><img src="/a.png" alt="x" /></a><figcaption>A nice caption</figcaption></figure>'
    )
    assert not unknown


def test_old_caption_attribute_form():
    html, _unknown = shortcodes('[caption id="" caption="Old style"]<img src="/a.png">[/caption]')
    assert html == '<figure><img src="/a.png"><figcaption>Old style</figcaption></figure>'


def test_unknown_shortcodes_are_kept_and_counted():
    kept = '[gallery ids="1,2"] [embed]https://youtu.be/x[/embed] [contact-form-7 id="5"] [citation needed] [1]'
    html, unknown = shortcodes(kept + " [[gallery]]")
    assert html == kept + " [gallery]"
    assert unknown == {"gallery": 1, "embed": 1, "contact-form-7": 1}


def test_old_path_spells_addresses_as_django_does():
    assert old_path("https://old.example.com/caf%c3%a9/") == "/caf%C3%A9/"
    assert old_path("https://old.example.com/?p=12&utm_source=x") == "/?p=12"
    assert old_path("https://old.example.com/?page_id=3") == "/?page_id=3"
    assert old_path("https://old.example.com/2019/03/14/hello/") == "/2019/03/14/hello/"
    assert old_path("https://old.example.com/?s=search") == ""


def test_comment_text_keeps_paragraphs_and_link_addresses():
    text = comment_text('<p>Hi &amp; thanks</p><p>See <a href="https://x.example/">this</a><br/>bye</p>')
    assert text == "Hi & thanks\n\nSee this (https://x.example/)\n\nbye"
