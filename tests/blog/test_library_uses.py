"""The blog and the image library: where pictures are used (blog/library_uses.py), and every picture an
article shows getting a library row after its save (admin, guest posts accepted, WordPress imports)."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as PILImage

from blog.library_uses import article_uses, catalogue_article_images
from blog.models import Article
from contributions import workflow
from contributions.models import Submission
from library import usage
from library.models import Image
from tests.contributions.conftest import incoming  # noqa: F401  (a fixture)
from tests.factories import ArticleFactory, DraftFactory
from tests.wordpress.test_import import export, media_dir, run  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def png(size=(640, 360), color=(30, 90, 200)):
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def stored(name, data=None):
    """Store `data` (a PNG by default) under `name`; return the name the storage gave it."""
    return default_storage.save(name, ContentFile(data or png()))


def img(name, alt="A picture"):
    return f'<figure><img src="{default_storage.url(name)}" alt="{alt}"></figure>'


class TestBodyImages:
    def test_kept_from_the_body_on_save(self):
        first, second = stored("articles/a.png"), stored("articles/b.png", png(color=(1, 2, 3)))
        article = ArticleFactory(body=f"<p>Text</p>{img(first)}{img(second)}{img(first)}")
        assert article.body_images == f"\n{first}\n{second}\n"
        article.body = "<p>No picture now.</p>"
        article.save()
        assert article.body_images == ""

    def test_pictures_from_elsewhere_are_not_listed(self):
        article = ArticleFactory(body='<p><img src="https://elsewhere.example/x.jpg" alt="x"></p>')
        assert article.body_images == ""


class TestUses:
    @pytest.fixture
    def pictures(self):
        featured, in_body, unused = (
            stored("articles/featured.png"),
            stored("articles/body.png", png(color=(200, 0, 0))),
            stored("articles/unused.png", png(color=(0, 200, 0))),
        )
        rows = [Image.objects.register_stored(name)[0] for name in (featured, in_body, unused)]
        return dict(zip(("featured", "body", "unused"), rows, strict=True))

    def test_each_article_showing_a_picture_is_a_use_with_its_links(self, pictures):
        live = ArticleFactory(
            title="Spring in Lyon", featured_image=pictures["featured"].name, body=img(pictures["body"].name)
        )
        draft = DraftFactory(title="Draft", body=f"<p>x</p>{img(pictures['body'].name)}")
        found = usage.uses_of(list(pictures.values()))
        assert set(found) == {pictures["featured"].pk, pictures["body"].pk}
        assert found[pictures["featured"].pk] == [
            usage.Use(
                "Article “Spring in Lyon” (featured image)",
                reverse("admin:blog_article_change", args=[live.pk]),
                live.get_absolute_url(),
            )
        ]
        in_body = sorted(found[pictures["body"].pk], key=lambda use: use.label)
        assert in_body == [
            usage.Use("Article “Draft” (in the text)", reverse("admin:blog_article_change", args=[draft.pk]), ""),
            usage.Use(
                "Article “Spring in Lyon” (in the text)",
                reverse("admin:blog_article_change", args=[live.pk]),
                live.get_absolute_url(),
            ),
        ]

    def test_one_query_whatever_the_number_of_images(self, pictures, django_assert_num_queries):
        for _n in range(5):
            ArticleFactory(featured_image=pictures["featured"].name, body=img(pictures["body"].name))
        with django_assert_num_queries(1):
            article_uses([pictures["featured"]])
        with django_assert_num_queries(1):
            found = article_uses(list(pictures.values()))
        assert len(found[pictures["featured"].pk]) == 5 and len(found[pictures["body"].pk]) == 5

    def test_a_name_inside_another_is_no_use(self, pictures):
        # "articles/body.png" is not shown by a body showing "articles/body.png.old/x.png".
        other = stored("articles/body.png.old/x.png", png(color=(9, 9, 9)))
        ArticleFactory(body=img(other))
        assert article_uses([pictures["body"]]) == {}

    def test_used_and_unused_filters(self, pictures, django_assert_num_queries):
        ArticleFactory(featured_image=pictures["featured"].name)
        DraftFactory(body=img(pictures["body"].name))
        with django_assert_num_queries(1):  # the filter adds no query of its own
            used = set(usage.used(Image.objects.all()))
        assert used == {pictures["featured"], pictures["body"]}
        assert list(usage.unused(Image.objects.all())) == [pictures["unused"]]

    def test_the_provider_is_registered_at_start(self):
        assert article_uses in usage.providers()


class TestCatalogue:
    def test_a_saved_articles_pictures_get_library_rows(self, django_capture_on_commit_callbacks):
        body_name = stored("articles/2026/05/in-body.png", png(color=(200, 0, 0)))
        with django_capture_on_commit_callbacks(execute=True):
            article = ArticleFactory(
                featured_image=ContentFile(png((800, 450)), name="lead.png"),
                featured_image_alt="A blue field",
                featured_image_caption="The field at dawn",
                featured_image_credit="Photo: Ana",
                body=img(body_name, alt="A red square") + '<p><img src="/media/articles/gone.png" alt="gone"></p>',
            )
        featured = Image.objects.for_name(article.featured_image.name)
        assert (featured.alt, featured.caption, featured.credit) == ("A blue field", "The field at dawn", "Photo: Ana")
        assert (featured.width, featured.height) == (800, 450)
        with default_storage.open(article.featured_image.name) as file:
            assert featured.sha256 == hashlib.sha256(file.read()).hexdigest()  # the file as it is: not re-encoded
        in_body = Image.objects.for_name(body_name)
        assert in_body.alt == "A red square" and in_body.url == default_storage.url(body_name)
        assert Image.objects.count() == 2  # the missing file is skipped
        assert default_storage.exists(f"library/thumbnails/{featured.sha256[:2]}/{featured.sha256}.webp")

    def test_rows_already_there_are_left_as_they_are(self, django_capture_on_commit_callbacks):
        name = stored("articles/known.png")
        row, created = Image.objects.register_stored(name, alt="Said in the library")
        assert created
        with django_capture_on_commit_callbacks(execute=True):
            ArticleFactory(featured_image=name, featured_image_alt="Said in the article")
        row.refresh_from_db()
        assert row.alt == "Said in the library" and Image.objects.count() == 1

    def test_not_an_image_is_skipped(self):
        name = stored("articles/fake.png", b"not a picture at all")
        article = ArticleFactory(body=img(name))
        assert catalogue_article_images(article) == [] and Image.objects.count() == 0

    def test_a_copy_of_a_catalogued_picture_is_not_catalogued_again(self):
        first = stored("articles/one.png")
        Image.objects.register_stored(first)
        article = ArticleFactory(body=img(stored("articles/copy.png")))
        assert catalogue_article_images(article) == [] and Image.objects.count() == 1

    def test_a_guest_post_accepted(self, incoming, editor, django_capture_on_commit_callbacks):  # noqa: F811
        from contributions.uploads import process_image
        from tests.conftest import make_image_file

        pictures = [
            (None, process_image(make_image_file(f"p{n}.png", size=(640, 360), color=(n, 90, 200)))) for n in range(2)
        ]
        submission = workflow.receive(incoming(images=pictures))
        with django_capture_on_commit_callbacks(execute=True):
            workflow.accept(submission, editor)
        article = Submission.objects.get().article
        featured = Image.objects.for_name(article.featured_image.name)
        assert featured.alt == article.featured_image_alt and featured.credit == submission.name
        (in_body,) = article.body_images.split()
        assert Image.objects.for_name(in_body) is not None
        assert Image.objects.count() == 2

    def test_a_wordpress_import(self, export, media_dir, django_capture_on_commit_callbacks):  # noqa: F811
        with django_capture_on_commit_callbacks(execute=True):
            run(export(), "--media-dir", str(media_dir))
        hello = Article.objects.get(slug="hello-world")
        row = Image.objects.for_name("articles/wordpress/2019/03/photo.png")
        assert row is not None and hello.featured_image.name == row.name
        assert row.alt == "A blue photo" and row.caption == "Photo caption"
        assert (row.width, row.height) == (640, 400)
