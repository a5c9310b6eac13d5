"""Figures in article and page bodies (issue 19): what the editor emits is kept as it is, readers get
it as a figure, and a body with a figure that lost its picture is refused with a message.

The editor side is static/js/editor-figures.js (tests/browser/test_editor_figures.py); the
refusal is core/figures.py, called by the admin forms of articles, pages and the site settings.
"""

import pytest
from django.urls import reverse

from blog.models import Article
from core.figures import lost_pictures, lost_pictures_message, refuse_lost_pictures
from core.models import Page, SiteSettings
from core.sanitizer import PROSE_EXTENSIONS, sanitize_html
from tests.blog.test_admin import ADD, change_url, form_data
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db

# Exactly what the editor's getHTML() gives for a figure with a caption, and without one.
EMITTED = (
    '<p>Before.</p><figure><img src="/media/library/2026/12/boats.png" alt="Boats at dawn" width="800" height="450">'
    "<figcaption>On the <em>quay</em></figcaption></figure><p>After.</p>"
    '<figure><img src="/media/library/2026/12/quay.jpg" alt="The quay" width="1600" height="900"></figure>'
)
# What the stock editor saved in issue 19: the picture's address lost.
LOST = '<figure><img contenteditable="false" draggable="true"><figcaption>The harbour</figcaption></figure>'


class TestSanitizer:
    def test_what_the_editor_emits_survives_unchanged(self):
        assert sanitize_html(EMITTED) == EMITTED

    def test_only_the_pictures_attributes_are_kept(self):
        html = (
            '<figure class="figure"><img src="/media/a.png" alt="A" width="10" height="20" title="t" '
            'data-file="3" contenteditable="false" draggable="true"><figcaption class="figure-caption">C'
            "</figcaption></figure>"
        )
        assert sanitize_html(html) == (
            '<figure><img src="/media/a.png" alt="A" width="10" height="20"><figcaption>C</figcaption></figure>'
        )

    def test_the_editor_is_configured_with_the_library(self):
        widget = Article._meta.get_field("body").formfield().widget
        config = widget.get_config()
        library = config["extensions"]["FigureLibrary"]
        assert str(library["chooseUrl"]) == reverse("admin:library_image_choose")
        assert str(library["uploadUrl"]) == reverse("admin:library_image_upload")
        assert config["js_modules"] == ["/static/js/editor-figures.js"]
        # In the data attribute: no inline script carries them (CSP).
        html = widget.render("body", "<p>x</p>")
        assert "/admin/library/image/choose/" in html and "<script" not in html
        assert PROSE_EXTENSIONS["Figure"] is True


class TestLostPictures:
    @pytest.mark.parametrize(
        ("html", "lost"),
        [
            (EMITTED, []),
            ("<p>No pictures.</p>", []),
            ('<p><img src="/media/a.png" alt="bare"></p>', []),
            (LOST, ["The harbour"]),
            ("<figure></figure>", [""]),
            ('<figure><img src="  " alt="x"><figcaption>Blank</figcaption></figure>', ["Blank"]),
            ('<p><img alt="no address"></p>', [None]),
            ("<figure><figcaption>Open", ["Open"]),
            ("<figure><figcaption>One</figcaption><figure><img src='/a.png'></figure>", ["One"]),
        ],
    )
    def test_figures_and_images_without_an_address(self, html, lost):
        assert lost_pictures(html) == lost

    def test_a_javascript_address_is_a_lost_one_once_sanitized(self):
        html = sanitize_html('<figure><img src="javascript:alert(1)" alt="x"><figcaption>Evil</figcaption></figure>')
        assert lost_pictures(html) == ["Evil"]

    def test_the_message_names_each_figure(self):
        assert lost_pictures_message(["The harbour"]) == (
            "Not saved: a figure has lost its picture (“The harbour”). Choose its picture again with the image "
            "button, or delete the figure."
        )
        message = lost_pictures_message(["", None, "x" * 100])
        assert message.startswith("Not saved: 3 figures have lost their picture (one without a caption, ")
        assert "a picture with no address" in message and "x" * 100 not in message

    def test_refuse_returns_a_good_body(self):
        assert refuse_lost_pictures(EMITTED) == EMITTED


class TestArticleAdmin:
    def test_a_body_with_a_figure_without_its_picture_is_refused(self, editor_client, editor):
        article = DraftFactory(body="<p>Kept.</p>")
        response = editor_client.post(change_url(article), form_data(article, body="<p>Kept.</p>" + LOST))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["body"]
        assert errors == [
            "Not saved: a figure has lost its picture (“The harbour”). Choose its picture again with the image "
            "button, or delete the figure."
        ]
        assert "Not saved: a figure has lost its picture" in response.text
        article.refresh_from_db()
        assert article.body == "<p>Kept.</p>"

    def test_a_body_with_figures_is_saved_as_the_editor_sent_it(self, editor_client, editor):
        response = editor_client.post(ADD, form_data(author=editor.author.pk, body=EMITTED))
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Article.objects.get(slug="an-article").body == EMITTED


class TestPagesAndSettings:
    def test_a_page_body_without_its_picture_is_refused(self, admin_client):
        data = {"title": "About", "slug": "about-us", "body": LOST, "meta_description": "", "footer_position": 0}
        response = admin_client.post(reverse("admin:core_page_add"), data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["body"][0].startswith("Not saved: a figure has lost")
        assert not Page.objects.filter(slug="about-us").exists()

    def test_a_page_body_with_its_figure_is_saved(self, admin_client):
        data = {"title": "About", "slug": "about-us", "body": EMITTED, "meta_description": "", "footer_position": 0}
        response = admin_client.post(reverse("admin:core_page_add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Page.objects.get(slug="about-us").body == EMITTED

    def test_the_call_out_without_its_picture_is_refused(self, admin_client):
        settings = SiteSettings.load()
        form_class = (
            admin_client.get(reverse("admin:core_sitesettings_change", args=[settings.pk]))
            .context["adminform"]
            .form.__class__
        )
        form = form_class(instance=settings, data={"callout_text": LOST})
        form.is_valid()
        assert form.errors["callout_text"][0].startswith("Not saved: a figure has lost")


def test_readers_get_the_figure_with_its_picture_sized(client):
    article = ArticleFactory(body=EMITTED)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    assert "<figure><img " in html or "<figure><picture>" in html
    assert 'src="/media/library/2026/12/boats.png"' in html
    assert 'width="800" height="450" alt="Boats at dawn"' in html
    assert "<figcaption>On the <em>quay</em></figcaption></figure><p>After.</p>" in html
    assert 'width="1600" height="900" alt="The quay"' in html
