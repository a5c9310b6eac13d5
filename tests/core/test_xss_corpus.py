"""The classic filter-evasion vectors (OWASP XSS filter evasion cheat sheet and friends) against the one
sanitizer policy, in both modes, and through the models that sanitize on save."""

import lxml.html
import pytest

from core.models import Page
from core.sanitizer import sanitize_html
from tests.factories import ArticleFactory

from .html_safety import SRCSET_ATTRIBUTES, URL_ATTRIBUTES, policy_violations, script_vectors, srcset_urls, url_scheme

VECTORS = [
    ("script", "<script>alert(1)</script>"),
    ("img-js-quoted", "<IMG SRC=\"javascript:alert('XSS');\">"),
    ("img-js-case", "<IMG SRC=JaVaScRiPt:alert(1)>"),
    ("img-js-quot-entity", "<IMG SRC=javascript:alert(&quot;XSS&quot;)>"),
    ("img-js-backtick", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"),
    (
        "img-decimal-entities",
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
        "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    ),
    (
        "img-padded-entities",
        "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
        "&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041>",
    ),
    (
        "img-hex-entities",
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29>",
    ),
    ("img-tab", "<IMG SRC=\"jav\tascript:alert('XSS');\">"),
    ("img-tab-entity", "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">"),
    ("img-newline-entity", "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">"),
    ("img-cr-entity", "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">"),
    ("img-leading-controls", "<IMG SRC=\" &#14;  javascript:alert('XSS');\">"),
    ("img-no-quotes-onerror", '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>'),
    ("img-eval-alt", "<img src=x:alert(alt) onerror=eval(src) alt=0>"),
    ("img-cid-onerror", "<img src=cid:chart onerror=alert(1)>"),
    ("img-srcset", '<img srcset="javascript:alert(1) 1x, /ok.png 2x">'),
    ("img-quote-mess", '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">'),
    ("a-tab-entity", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    ("a-leading-space", '<a href=" javascript:alert(1)">x</a>'),
    ("a-padded-entity", '<a href="&#0000106avascript:alert(1)">x</a>'),
    ("a-hex-entity", '<a href="&#x6A;avascript:alert(1)">x</a>'),
    ("a-entity-mid-word", '<a href="javas&#99;ript:alert(1)">x</a>'),
    ("a-colon-entity", '<a href="javascript&colon;alert(1)">x</a>'),
    ("a-colon-unterminated", "<a href=javascript&#58alert(1)>x</a>"),
    ("a-vbscript", '<a href="VBScript:msgbox(1)">x</a>'),
    ("a-data-base64", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    ("a-data-upper", '<a href="DATA:text/html,<script>alert(1)</script>">x</a>'),
    ("a-onmouseover", '<a onmouseover="alert(document.cookie)">xxs link</a>'),
    ("a-onclick-style", '<a href="https://example.org" onclick="alert(1)" style="x" target="_blank">ok</a>'),
    ("svg-onload", "<svg/onload=alert(1)>"),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-xlink", '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>'),
    ("svg-animate", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>"),
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("math-href", '<math href="javascript:alert(1)">CLICKME</math>'),
    ("button-formaction", "<button formaction=javascript:alert(1)>x</button>"),
    ("form-action", '<form action="javascript:alert(1)"><input type=submit></form>'),
    ("input-image", '<input type="image" src="javascript:alert(1)">'),
    ("style-url", '<div style="background:url(javascript:alert(1))">x</div>'),
    ("style-expression", '<div style="width: expression(alert(1));">x</div>'),
    ("style-behavior", '<p style="behavior: url(xss.htc);">x</p>'),
    ("style-element-import", "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>"),
    ("style-moz-binding", '<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>'),
    ("split-script", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("double-open", "<<script>script>alert(1)<</script>/script>"),
    ("script-slash-src", '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>'),
    ("script-unclosed", "<SCRIPT SRC=http://xss.rocks/xss.js?< B >"),
    ("comment-breakout", '<!--<img src="--><img src=x onerror=alert(1)//">'),
    ("comment-bang", "<!-- --!><img src=x onerror=alert(1)> -->"),
    ("cdata", "<![CDATA[<img src=x onerror=alert(1)>]]>"),
    ("processing-instruction", '<?xml-stylesheet href="javascript:alert(1)"?><p>x</p>'),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("iframe-js", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-unclosed", "<iframe src=http://xss.rocks/scriptlet.html <"),
    ("object-data", '<object data="javascript:alert(1)"></object>'),
    ("embed-svg", '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    ("base-href", '<base href="javascript:/a/-alert(1)///////"><a href="x">x</a>'),
    ("meta-refresh-js", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("meta-refresh-data", '<meta http-equiv="refresh" content="0;url=data:text/html;base64,PHNjcmlwdD4=">'),
    ("link-stylesheet", '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">'),
    ("body-onload", "<BODY ONLOAD=alert('XSS')>"),
    ("body-background", "<BODY BACKGROUND=\"javascript:alert('XSS')\">"),
    ("table-background", "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><TR><TD>x</TD></TR></TABLE>"),
    ("td-background", "<table><tr><TD BACKGROUND=\"javascript:alert('XSS')\">x</TD></tr></table>"),
    ("blockquote-cite", '<blockquote cite="javascript:alert(1)">q</blockquote>'),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("template", "<template><img src=x onerror=alert(1)></template>"),
    ("textarea", "<textarea><img src=x onerror=alert(1)></textarea>"),
    ("select-template", "<select><template><style><!--</style><a rel=--><img src=x onerror=alert(1)>"),
    ("video-source", '<video><source onerror="alert(1)"></video>'),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("h1-onclick", "<h1 onclick=alert(1)>Big</h1>"),
]
assert len(VECTORS) >= 40
CASES = [pytest.param(vector, id=name) for name, vector in VECTORS]
LINK_REL = {False: "noopener noreferrer", True: "ugc nofollow noopener noreferrer"}


def links(html):
    if not html:
        return []
    return lxml.html.document_fromstring(f"<html><body>{html}</body></html>").body.findall(".//a")


@pytest.mark.parametrize("vector", CASES)
def test_the_checker_sees_the_raw_vector(vector):
    """Guards the checker: unsanitized, every vector is something it reports as outside the policy."""
    assert policy_violations(vector) != []


@pytest.mark.parametrize("ugc", [False, True], ids=["editorial", "ugc"])
@pytest.mark.parametrize("vector", CASES)
def test_sanitized_vector_is_harmless(vector, ugc):
    cleaned = sanitize_html(vector, ugc=ugc)
    assert policy_violations(cleaned) == []
    assert sanitize_html(cleaned, ugc=ugc) == cleaned
    assert [link.get("rel") for link in links(cleaned)] == [LINK_REL[ugc]] * len(links(cleaned))


@pytest.mark.parametrize(
    ("vector", "kept"),
    [
        ('<a href="https://example.org" onclick="alert(1)" style="x" target="_blank">ok</a>', "https://example.org"),
        ("<a href=\"/media/a.png\" onmouseover='alert(1)'>ok</a>", "/media/a.png"),
        ('<a href="mailto:ed@example.org" onfocus=alert(1) autofocus>ok</a>', "mailto:ed@example.org"),
    ],
)
def test_safe_urls_survive_next_to_a_vector(vector, kept):
    """The policy takes the handler away, not the link."""
    for ugc in (False, True):
        [link] = links(sanitize_html(vector, ugc=ugc))
        assert link.get("href") == kept
        assert link.text == "ok"


HOSTILE_BODY = "<p>Intro paragraph stays.</p>" + "".join(f"<p>{name}</p>{vector}" for name, vector in VECTORS)


def _attribute_values(document):
    return [(element.tag, name, value) for element in document.iter() for name, value in element.attrib.items()]


@pytest.mark.django_db
def test_article_body_is_sanitized_on_save_and_renders_harmless(client):
    article = ArticleFactory(body=HOSTILE_BODY)
    article.refresh_from_db()
    assert policy_violations(article.body) == []
    assert "<p>Intro paragraph stays.</p>" in article.body

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = lxml.html.document_fromstring(response.content.decode())
    [body] = page.find_class("article__body")
    rendered = lxml.html.tostring(body, encoding=str)
    assert "Intro paragraph stays." in rendered
    assert script_vectors(rendered) == []
    # Nowhere on the page (the vectors have no way out of the body): no handler, no script URL.
    for tag, name, value in _attribute_values(page):
        assert not name.startswith("on"), (tag, name, value)
        urls = (
            [value] if name in URL_ATTRIBUTES - {"content"} else srcset_urls(value) if name in SRCSET_ATTRIBUTES else []
        )
        assert {url_scheme(url) for url in urls} <= {None, "http", "https", "mailto"}, (tag, name, value)


@pytest.mark.django_db
def test_page_body_is_sanitized_on_save():
    page = Page.objects.create(title="Corpus", slug="xss-corpus", body=HOSTILE_BODY)
    page.refresh_from_db()
    assert policy_violations(page.body) == []
    assert page.body.startswith("<p>Intro paragraph stays.</p>")
