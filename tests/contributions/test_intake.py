"""The intake reports of `contributions.intake` (pure functions, no database)."""

import json

import pytest

from contributions.fingerprints import fingerprint
from contributions.intake import intake_report

from .test_fingerprints import NEWS_WORDS, make_text


def link(href, anchor):
    """A link as `sanitize_html(..., ugc=True)` leaves it."""
    return f'<a href="{href}" rel="ugc nofollow noopener noreferrer">{anchor}</a>'


def words(n, seed=80):
    return make_text(NEWS_WORDS, n, seed=seed)


def report_for_link(href, anchor="a source", site_host="byline.example"):
    report = intake_report(f"<p>{words(400)} {link(href, anchor)}</p>", site_host=site_host)
    [info] = report["links"]
    return report, info


def test_report_shape_and_word_count():
    html = "<h2>Title here</h2><p>One two three.</p><p>Four &amp; five " + link("/about/", "six") + "</p>"
    report = intake_report(html, image_count=2, sender_verification={"spf": "pass", "dkim": "pass"})
    assert report["word_count"] == 8
    assert report["image_count"] == 2
    assert report["sender_verification"] == {"spf": "pass", "dkim": "pass"}
    assert report["links"] == [
        {
            "url": "/about/",
            "domain": "",
            "anchor": "six",
            "external": False,
            "affiliate": False,
            "affiliate_reason": "",
            "shortener": False,
            "keyword_stuffed": False,
            "repeated_anchor": False,
            "commercial_anchor": False,
            "risky_trade": "",
            "hidden": False,
        }
    ]
    assert report["external_domains"] == []
    assert report["affiliate_links"] == report["keyword_stuffed_links"] == 0
    assert report["signals"] == report["signal_rules"] == []
    assert report["facts"] == ["short text: under 300 words"]
    assert json.loads(json.dumps(report)) == report
    assert intake_report("<p>x</p>")["sender_verification"] == {}


def test_external_and_internal_links():
    html = (
        "<p>"
        + words(300)
        + "</p><p>"
        + " ".join(
            [
                link("https://byline.example/2025/story/", "our story"),
                link("https://www.byline.example/about/", "about us"),
                link("https://cdn.byline.example/file.pdf", "the file"),
                link("/tags/politics/", "politics"),
                link("#notes", "the notes"),
                link("https://www.bbc.co.uk/news/uk-politics-123", "the BBC report"),
                link("https://bbc.co.uk/sport", "sport coverage"),
                link("//example.org/page", "a page"),
                link("mailto:editor@example.net", "write to us"),
            ]
        )
        + "</p>"
    )
    report = intake_report(html, site_host="www.byline.example")
    external = {info["url"]: info["external"] for info in report["links"]}
    assert external == {
        "https://byline.example/2025/story/": False,
        "https://www.byline.example/about/": False,
        "https://cdn.byline.example/file.pdf": False,
        "/tags/politics/": False,
        "#notes": False,
        "https://www.bbc.co.uk/news/uk-politics-123": True,
        "https://bbc.co.uk/sport": True,
        "//example.org/page": True,
        "mailto:editor@example.net": False,
    }
    assert report["external_domains"] == ["bbc.co.uk", "example.org"]
    assert report["links"][5]["domain"] == "bbc.co.uk"
    assert report["links"][5]["anchor"] == "the BBC report"


def test_the_intake_report_reads_a_site_address_with_a_dot_after_its_host():
    html = '<p><a href="https://byline.example/about/">about</a></p>'
    [info] = intake_report(html, site_host="https://www.byline.example./")["links"]
    assert info["external"] is False


def test_without_site_host_every_absolute_link_is_external():
    report = intake_report(link("https://byline.example/", "home") + link("/about/", "about"))
    assert [info["external"] for info in report["links"]] == [True, False]


@pytest.mark.parametrize(
    "href",
    [
        "https://amzn.to/3xYzAbC",
        "https://www.amazon.com/dp/B08N5WRWNW?tag=mysite-20",
        "https://www.amazon.co.uk/gp/product/B00X?ref_=as_li&tag=blog-21&linkCode=ll1",
        "https://www.shareasale.com/r.cfm?b=123&u=456&m=789",
        "https://www.awin1.com/cread.php?awinmid=1&awinaffid=2",
        "https://www.anrdoezrs.net/click-123-456",
        "https://www.kqzyfj.com/links/1/type/dlg/https://shop.example/",
        "https://click.linksynergy.com/deeplink?id=abc",
        "https://go.skimresources.com/?id=1X2&url=https://shop.example",
        "https://redirect.viglink.com/?key=k&u=https://shop.example",
        "https://hop.clickbank.net/?affiliate=me&vendor=them",
        "https://brand.sjv.io/c/123/456/789",
        "https://www.pntra.com/t/abc",
        "https://www.avantlink.com/click.php?tt=cl",
        "https://rstyle.me/n/abc",
        "https://shop.example/product/42?aff_id=99",
        "https://shop.example/product/42?AffID=99",
        "https://shop.example/?ref=writer123",
        "https://shop.example/item?utm_source=blog&utm_medium=affiliate",
        "https://shop.example/landing?irclickid=xyz",
        "https://myblog.example/go/nordvpn",
        "https://myblog.example/recommends/hosting/",
        "https://myblog.example/refer/widget",
        "https://myblog.example/aff/123",
    ],
)
def test_affiliate_links_are_detected(href):
    report, info = report_for_link(href)
    assert info["affiliate"] is True
    assert info["affiliate_reason"]
    assert report["affiliate_links"] == 1
    assert "1 affiliate-looking link" in report["signals"]


@pytest.mark.parametrize(
    "href",
    [
        "https://www.bbc.co.uk/news/technology-68123456",
        "https://www.nytimes.com/2025/03/02/world/europe/story.html?smid=url-share",
        "https://www.theguardian.com/world/2025/jan/02/story?utm_source=newsletter&utm_medium=email",
        "https://www.amazon.com/dp/B08N5WRWNW",
        "https://go.dev/doc/effective_go",
        "https://example.org/docs/go",
        "https://example.org/search?tag=python",
        "/about/",
    ],
)
def test_normal_links_are_not_affiliate(href):
    report, info = report_for_link(href)
    assert info["affiliate"] is False
    assert info["shortener"] is False
    assert report["affiliate_links"] == 0
    assert not any("affiliate" in signal for signal in report["signals"])


def test_sponsored_rel_counts_as_affiliate():
    report = intake_report('<a href="https://shop.example/" rel="sponsored noopener">the shop</a>')
    assert report["links"][0]["affiliate_reason"] == 'rel="sponsored"'


def test_url_shorteners_are_flagged_separately():
    report, info = report_for_link("https://bit.ly/3abcDEF")
    assert info["shortener"] is True
    assert info["affiliate"] is False
    assert report["shortener_links"] == 1
    assert "links to a URL shortener (bit.ly)" in report["signals"]


def test_keyword_stuffed_anchor_is_flagged():
    report, info = report_for_link("https://vpn.example/", anchor="Best Cheap VPN Deals 2026")
    assert info["keyword_stuffed"] is True
    assert report["keyword_stuffed_links"] == 1
    assert "anchor text “Best Cheap VPN Deals 2026” looks keyword-stuffed" in report["signals"]


@pytest.mark.parametrize(
    "anchor",
    [
        "buy cheap essays online",
        "top 10 payday loans near me",
        "best crypto casino bonus",
        "cheap vpn deals",
        "<strong>Discount</strong> coupon codes for <em>top</em> brands",
    ],
)
def test_more_keyword_stuffed_anchors(anchor):
    _report, info = report_for_link("https://spam.example/", anchor=anchor)
    assert info["keyword_stuffed"] is True


@pytest.mark.parametrize(
    "anchor",
    [
        "the full specifications",
        "Ada Lovelace's notes",
        "the 2024 annual report",
        "our review of the new library",
        "the best account of the strike",
        "a detailed price comparison published by the regulator",
        "here",
        "best deals",
    ],
)
def test_natural_anchors_are_not_flagged(anchor):
    report, info = report_for_link("https://example.org/doc", anchor=anchor)
    assert info["keyword_stuffed"] is False
    assert report["keyword_stuffed_links"] == 0
    assert not any("keyword-stuffed" in signal or "is used on" in signal for signal in report["signals"])


def test_repeated_identical_anchors_are_flagged():
    html = (
        f"<p>{words(200)} {link('https://hosting.example/a', 'reliable cloud hosting')}</p>"
        f"<p>{words(200, seed=81)} {link('https://hosting.example/b', 'Reliable  cloud hosting')}</p>"
        f"<p>{link('https://example.org/1', 'here')} and {link('https://example.org/2', 'here')}</p>"
    )
    report = intake_report(html)
    flags = [(info["anchor"], info["keyword_stuffed"], info["repeated_anchor"]) for info in report["links"]]
    assert flags == [
        ("reliable cloud hosting", True, True),
        ("Reliable cloud hosting", True, True),
        ("here", False, False),
        ("here", False, False),
    ]
    assert report["keyword_stuffed_links"] == 2
    assert "anchor text “reliable cloud hosting” is used on 2 links" in report["signals"]


def test_link_density_signal():
    """A piece that is mostly links (a directory, a link dump) is a signal; a reading list in a post is not."""
    html = (
        "<p>"
        + words(150)
        + "</p><ul>"
        + "".join(f"<li>{link(f'https://site{i}.example/', f'site number {i}')}</li>" for i in range(8))
        + "</ul>"
    )
    report = intake_report(html)
    assert report["word_count"] == 150 + 8 * 3
    assert f"8 links in {150 + 24} words" in report["signals"]
    assert "link_density" in report["signal_rules"]
    assert report["external_domains"] == [f"site{i}.example" for i in range(8)]

    # Seven sources under a 250-word post (about 2.6 per 100 words), or four in a 150-word news item.
    reading_list = (
        "<p>"
        + words(250)
        + "</p><ul>"
        + "".join(f"<li>{link(f'https://site{i}.example/doc/{i}', f'site number {i}')}</li>" for i in range(7))
        + "</ul>"
    )
    news = "<p>" + words(150) + " ".join(link(f"https://src{i}.example/a/b", "the report") for i in range(4)) + "</p>"
    for calm_html in (reading_list, news, "<p>" + words(800) + "</p>" + link("https://example.org/", "a source")):
        calm = intake_report(calm_html)
        assert not any("links in" in signal for signal in calm["signals"])
        assert "link_density" not in calm["signal_rules"]


def test_many_signals_together():
    html = (
        f"<p>{words(120)}</p><p>"
        + link("https://amzn.to/abc", "buy it")
        + link("https://shop.example/?aff=1", "the shop")
        + link("https://bit.ly/x", "a short link")
        + link("https://tinyurl.com/y", "another one")
        + link("https://casino.example/", "best online casino bonus 2026")
        + "</p>"
    )
    report = intake_report(html, sender_verification={"spf": "softfail", "dkim": "pass", "dmarc": "fail"})
    assert report["signals"] == [
        "sender verification failed (DMARC, SPF)",
        "2 affiliate-looking links",
        "links to URL shorteners (bit.ly, tinyurl.com)",
        "links to a site named for a risky trade: casino.example (casino)",
        "commercial anchor text “buy it” on a link to a landing page of amzn.to",
        "anchor text “best online casino bonus 2026” looks keyword-stuffed",
        f"5 links in {report['word_count']} words",
    ]
    assert report["signal_rules"] == [
        "sender_verification",
        "affiliate",
        "shortener",
        "risky_trade",
        "commercial_anchor",
        "stuffed_anchor",
        "link_density",
    ]
    assert report["facts"] == ["short text: under 300 words"]


def test_non_web_links_are_ignored():
    html = (
        '<a href="javascript:alert(1)">x</a><a href=" JavaScript:alert(1)">y</a>'
        '<a href="data:text/html;base64,PHNjcmlwdD4=">z</a><a href="vbscript:x">v</a><a>no href</a>'
        '<a href="">empty</a><a href="https://example.org/">real</a>'
    )
    report = intake_report(html)
    assert [info["url"] for info in report["links"]] == ["https://example.org/"]


def test_image_links_use_alt_text_and_inline_images_are_counted():
    report = intake_report('<p><a href="https://example.org/"><img src="/a.png" alt="Our logo"></a></p><img src="b">')
    assert report["links"][0]["anchor"] == "Our logo"
    assert report["inline_image_count"] == 2


def test_links_as_a_browser_reads_them():
    """ "/>" does not end an <a>, and the first of two hrefs is the one a browser follows."""
    report = intake_report(
        "<p><a href='https://a.example/'/>the first</a> and "
        "<a href='https://b.example/' href='https://c.example/'>the second</a></p>"
    )
    assert [(info["url"], info["anchor"]) for info in report["links"]] == [
        ("https://a.example/", "the first"),
        ("https://b.example/", "the second"),
    ]


@pytest.mark.parametrize(
    "html",
    [
        "<p>unclosed <a href='https://x.example/go/y'>best cheap vpn deals 2026",
        "<p><a href='https://a.example/'>one <a href='https://b.example/'>two</a></p>",
        "&#xFFFFFFFF; &bogus; &#0; &#x110000; &amp &lt",
        "<![if !supportLists]>x<![endif]> <!-- never closed",
        "<!DOCTYPE html><![CDATA[ raw",
        "<<<>>> <a<a<a href= </a",
        "<a href=http://[::1>broken ipv6</a><a href='http://exa mple.com/'>space</a>",
        "<a href='https://%zz%.example/?%%%=&&='>pct</a>",
        "</a></p></div><p/><img/><a href='https://x.example'/>",
        "<script>document.write('<a href=https://evil.example>x</a>')",
        "<table><tr><td><a href='https://x.example'>cell",
        "\x00\x01 <p>\udcff</p> \u202e",
        "<a href='" + "https://x.example/" + "a" * 5000 + "'>" + "long " * 1000 + "</a>",
        "",
    ],
)
def test_malformed_html_never_raises(html):
    report = intake_report(html, site_host="https://www.byline.example:8000/")
    json.dumps(report)
    assert isinstance(report["links"], list)
    fingerprint(html)


def test_script_content_is_not_a_link():
    report = intake_report("<noscript><a href='https://hidden.example/'>hidden</a></noscript><p>shown</p>")
    assert report["links"] == []
    assert report["word_count"] == 1


# Facts and the rules added with the labelled corpus (tests/contributions/test_spam_calibration.py)


@pytest.mark.parametrize("n", [1, 120, 299])
def test_a_short_text_is_a_fact_not_a_signal(n):
    report = intake_report(f"<p>{words(n)}</p>")
    assert report["signals"] == report["signal_rules"] == []
    assert report["facts"] == ["short text: under 300 words"]


def test_no_text_is_a_fact_and_a_long_text_has_none():
    assert intake_report("")["facts"] == ["no text"]
    assert intake_report('<p><img src="/a.png" alt="a map"></p>')["facts"] == ["no text"]
    assert intake_report(f"<p>{words(300)}</p>")["facts"] == []


@pytest.mark.parametrize(
    ("verification", "failed"),
    [
        ({"spf": "fail", "dkim": "fail", "dmarc": "fail"}, "DKIM, DMARC, SPF"),
        ({"spf": "softfail", "dkim": "none", "dmarc": "none"}, "SPF"),
        ({"spf": "pass", "dkim": "fail"}, "DKIM"),
        ({"SPF": "PermError"}, "SPF"),
        ({"dkim": False}, "DKIM"),
    ],
)
def test_failed_sender_verification_is_a_signal(verification, failed):
    report = intake_report(f"<p>{words(400)}</p>", sender_verification=verification)
    assert report["signals"] == [f"sender verification failed ({failed})"]
    assert report["signal_rules"] == ["sender_verification"]


@pytest.mark.parametrize(
    "verification",
    [
        {"spf": "pass", "dkim": "pass", "dmarc": "pass"},
        # Forwarded by a mailing list: SPF fails at the list's server, the DKIM signature survives.
        {"spf": "softfail", "dkim": "pass", "dmarc": "pass"},
        {"spf": "fail", "dkim": "pass", "dmarc": " Pass "},
        {"spf": "pass", "dkim": "none", "dmarc": "none"},
        {},
    ],
)
def test_verified_or_unchecked_senders_are_no_signal(verification):
    report = intake_report(f"<p>{words(400)}</p>", sender_verification=verification)
    assert report["signals"] == []
    assert report["sender_verification"] == verification


@pytest.mark.parametrize(
    ("href", "word"),
    [
        ("https://luckyreels-casino.example/", "casino"),
        ("https://www.quickcash-loans.example/apply", "loans"),
        ("https://essaywritingpro.example/order", "essay"),
        ("https://rx-pharmacy24.example/", "pharmacy"),
        ("https://topbetting-sites.example/reviews/2026/", "betting"),
        ("https://shop.cbd-wellness.example/", "cbd"),
        ("https://cbdoil.example/", "cbd"),
        ("https://spin.example.casino/", "casino"),
    ],
)
def test_links_to_sites_named_for_a_risky_trade(href, word):
    report, info = report_for_link(href, anchor="a page")
    assert info["risky_trade"] == word
    assert report["signal_rules"] == ["risky_trade"]
    assert f"({word})" in report["signals"][0]


@pytest.mark.parametrize(
    "href",
    [
        "https://pcbdesign.example/",  # "cbd" inside a word
        "https://beta.example/",
        "https://www.mgmresorts.com/",
        "https://www.fca.org.uk/firms/high-cost-credit-consumer-credit/payday-loans-price-cap",  # the path is not read
        "https://paulgraham.com/essay.html",
        "/tags/casino/",  # the site's own pages
    ],
)
def test_ordinary_sites_are_not_a_risky_trade(href):
    report, info = report_for_link(href, anchor="a page")
    assert info["risky_trade"] == ""
    assert report["signals"] == []


@pytest.mark.parametrize(
    ("href", "anchor"),
    [
        ("https://luckyreels.example/", "online casino"),
        ("https://greenleaf.example/shop", "premium CBD oil"),
        ("https://essays.example/order.html", "write my essay"),
        ("https://studyaid.example/programming", "programming homework help"),
        ("https://devsquad.example/", "hire dedicated React developers"),
        ("https://rankboost.example/", "affordable SEO services"),
        ("https://roofers.example/contact", "roofers near me"),
        ("https://cloudnimbus.example", "managed cloud hosting services"),
    ],
)
def test_commercial_anchor_on_a_link_to_a_landing_page(href, anchor):
    report, info = report_for_link(href, anchor=anchor)
    assert info["commercial_anchor"] is True
    assert "commercial_anchor" in report["signal_rules"]
    assert any(f"“{anchor}”" in signal and "landing page" in signal for signal in report["signals"])


@pytest.mark.parametrize(
    ("href", "anchor"),
    [
        # A source: a page deeper than one step below the front page.
        ("https://www.fca.org.uk/firms/high-cost-credit-consumer-credit/payday-loans-price-cap", "payday loans"),
        ("https://developers.google.com/search/docs/fundamentals/seo-starter-guide", "SEO starter guide"),
        # Words that are ordinary alone, and names.
        ("https://paulgraham.com/words.html", "his essay on putting ideas into words"),
        ("https://aws.amazon.com/", "Amazon Web Services"),
        ("https://www.bankofamerica.example/", "Bank of America"),
        ("https://acme.example/", "the services"),
        ("https://restic.example/", "restic"),
        ("https://2026.djangocon.example/", "the conference website"),
        # The site's own pages.
        ("/shop", "buy cheap tickets"),
    ],
)
def test_natural_anchors_and_sources_are_not_commercial(href, anchor):
    report, info = report_for_link(href, anchor=anchor)
    assert info["commercial_anchor"] is False
    assert "commercial_anchor" not in report["signal_rules"]


def test_a_stuffed_anchor_is_one_signal_not_two():
    report, info = report_for_link("https://hosting.example/", anchor="best cheap web hosting 2026")
    assert info["commercial_anchor"] is True and info["keyword_stuffed"] is True
    assert report["signal_rules"] == ["stuffed_anchor"]


@pytest.mark.parametrize("anchor", [".", " ", "&nbsp;", "-", "→", "<strong></strong>"])
def test_a_link_with_no_readable_text_is_a_signal(anchor):
    report, info = report_for_link("https://watches.example/rolex", anchor=anchor)
    assert info["hidden"] is True
    assert report["signals"] == ["a link with no readable text (watches.example)"]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://example.org/full.png"><img src="/a.png" alt="A map"></a>',
        '<a href="https://example.org/full.png"><img src="/a.png"></a>',  # an image is something to see
        '<a href="https://example.org/">3</a>',
        '<a href="https://example.org/">日本</a>',
    ],
)
def test_links_with_text_or_an_image_are_not_hidden(html):
    report = intake_report(f"<p>{words(400)}</p><p>{html}</p>")
    assert report["links"][0]["hidden"] is False
    assert report["signals"] == []


@pytest.mark.parametrize(
    ("html", "phrase"),
    [
        (f"<p>{words(300)}</p><p>This is a sponsored post by CloudNimbus.</p>", "sponsored post"),
        (f"<p>{words(300)}</p><p>Advertorial</p>", "advertorial"),
        (f"<p>Hello Webmaster,</p><p>I ask for one dofollow link.</p><p>{words(300)}</p>", "dofollow"),
        (f"<p>Would you consider a link insertion?</p><p>{words(300)}</p>", "link insertion"),
        (f"<h2>Do-follow links for sale</h2><p>{words(300)}</p>", "do follow links"),
    ],
)
def test_paid_placement_wording_where_pitches_and_footers_stand(html, phrase):
    report = intake_report(html)
    assert report["signals"] == [f"wording of paid placement at the start or end of the text: “{phrase}”"]


def test_paid_placement_wording_in_the_body_of_a_report_is_no_signal():
    html = (
        f"<p>{words(100)}</p><p>{words(100, seed=81)}</p>"
        "<p>Sponsored posts and advertorials are allowed if labelled; a sponsored article with dofollow links is "
        "a link scheme, and so is a paid link insertion.</p>"
        f"<p>{words(100, seed=82)}</p>"
    )
    assert intake_report(html)["signals"] == []
    # "Sponsored" alone (a sponsored conference, sponsorship) is no wording of paid placement.
    assert intake_report(f"<p>{words(300)}</p><p>The sprint is sponsored by the PSF.</p>")["signals"] == []
    assert intake_report(f"<p>{words(300)}</p><p>Do follow us on Mastodon.</p>")["signals"] == []
