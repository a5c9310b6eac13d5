"""The `seed_demo` management command: counts, idempotency, determinism and the editor login."""

import math
import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import strip_tags
from taggit.models import Tag

from blog.models import WORDS_PER_MINUTE, Article, Author, Category, TaggedArticle
from contributions.models import Submission
from core.models import Page, SiteSettings
from discussion.models import Comment
from library.models import Image
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Generated images go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "seed-media"
    return settings.MEDIA_ROOT


def seed(**options):
    """Run seed_demo with --force (the test settings have DEBUG off); return its output.

    Without renditions unless asked: making them takes seconds (one test checks them)."""
    out = StringIO()
    options.setdefault("renditions", False)
    options.setdefault("stderr", StringIO())
    call_command("seed_demo", force=True, stdout=out, **options)
    return out.getvalue()


def test_creates_the_demo_content(media_root):
    output = seed(articles=25)

    assert Article.objects.count() == 25
    assert Author.objects.count() == 6
    assert Category.objects.count() == 6
    assert Tag.objects.count() >= 25
    assert Page.objects.filter(slug="about", title="About").exists()
    assert Page.objects.filter(slug="affiliate-disclosure").exists()  # from the migration, untouched
    assert "Seeded demo content in" in output
    assert "articles 25" in output

    lonely = Author.objects.get(slug="sam-ellery")
    assert lonely.user is None and not lonely.avatar and not lonely.articles.exists()
    for author in Author.objects.exclude(slug="sam-ellery"):
        assert (Path(media_root) / author.avatar.name).is_file()
    assert all(category.description for category in Category.objects.all())


def test_articles_are_complete_and_prepared_like_save():
    seed(articles=25)

    for article in Article.objects.prefetch_related("tags"):
        assert article.standfirst
        assert 1 <= len(article.tags.all()) <= 4
        for tag in ("<h2>", "<ul>", "<blockquote>", "<a "):
            assert tag in article.body, (article.slug, tag)
        hrefs = re.findall(r'href="([^"]+)"', article.body)
        assert 2 <= len(hrefs) <= 4
        assert all(re.match(r"https?://(www\.)?example\.(com|org)/", href) for href in hrefs)
        assert 'rel="noopener noreferrer"' in article.body  # sanitized like Article.save()
        words = len(strip_tags(article.body).split())
        assert article.reading_time == max(1, math.ceil(words / WORDS_PER_MINUTE))


DERIVED_FIELDS = ("body", "body_text", "reading_time", "has_affiliate_links", "affiliate_links", "published_at")


def test_articles_are_derived_exactly_as_save_derives_them():
    """bulk_create skips save(): every demo article still holds what Article.derive() gives, with
    the site's affiliate patterns (here, one the demo's links match)."""
    site = SiteSettings.load()
    site.affiliate_patterns = "example.org"
    site.save()
    seed(articles=25)

    articles = list(Article.objects.order_by("pk"))
    for article in articles:
        copy = Article.objects.get(pk=article.pk)
        copy.derive()
        assert [getattr(copy, f) for f in DERIVED_FIELDS] == [getattr(article, f) for f in DERIVED_FIELDS]
    marked = [article for article in articles if article.has_affiliate_links]
    assert marked and all('rel="sponsored' in article.body for article in marked)
    assert all(
        link.startswith(("https://example.org/", "https://www.example.org/"))
        for article in marked
        for link in article.affiliate_links
    )
    assert any(not article.has_affiliate_links for article in articles)

    # And a copy that goes through save() itself ends up with the same fields.
    for article in articles[:5]:
        saved = Article.objects.get(pk=article.pk)
        saved.pk, saved.slug = None, f"{article.slug}-saved"
        saved.save()
        saved.refresh_from_db()
        assert [getattr(saved, f) for f in DERIVED_FIELDS] == [getattr(article, f) for f in DERIVED_FIELDS]


def test_featured_images_come_from_a_small_shared_pool(media_root):
    seed(articles=25)

    with_image = Article.objects.exclude(featured_image="")
    assert with_image.count() >= 15
    names = set(with_image.values_list("featured_image", flat=True))
    assert len(names) <= 12
    for name in names:
        assert (Path(media_root) / name).is_file()
    for article in with_image:
        assert (article.featured_image_width, article.featured_image_height) == (1200, 675)
        assert article.featured_image_alt and article.featured_image_caption and article.featured_image_credit


def test_the_pool_pictures_are_in_the_library_with_their_alt_text(media_root):
    seed(articles=25)

    names = set(Article.objects.exclude(featured_image="").values_list("featured_image", flat=True))
    library = {image.name: image for image in Image.objects.filter(file__in=names)}
    assert set(library) == names
    assert all(image.alt and image.width == 1200 for image in library.values())
    seed(articles=25)  # a rerun catalogues nothing twice
    assert Image.objects.count() == len(set(Image.objects.values_list("sha256", flat=True)))


def test_second_run_creates_nothing_new(media_root):
    seed(articles=25)
    counts = (Article.objects.count(), Author.objects.count(), Category.objects.count(), Tag.objects.count())
    links = TaggedArticle.objects.count()
    files = sorted(path for path in Path(media_root).rglob("*") if path.is_file())

    output = seed(articles=25)

    assert Article.objects.count() == 25
    assert (Article.objects.count(), Author.objects.count(), Category.objects.count(), Tag.objects.count()) == counts
    assert TaggedArticle.objects.count() == links
    assert Page.objects.filter(slug="about").count() == 1
    assert sorted(path for path in Path(media_root).rglob("*") if path.is_file()) == files
    assert "articles 0 (25 already there)" in output


def test_larger_run_adds_only_the_missing_articles():
    seed(articles=10)
    first_ten = list(Article.objects.order_by("pk").values_list("slug", flat=True))

    seed(articles=25)

    assert Article.objects.count() == 25
    assert list(Article.objects.order_by("pk").values_list("slug", flat=True)[:10]) == first_ten


def test_same_count_gives_the_same_content():
    seed(articles=25)
    first = sorted(Article.objects.values_list("title", "slug", "status", "body"))

    Article.objects.all().delete()
    seed(articles=25)
    assert sorted(Article.objects.values_list("title", "slug", "status", "body")) == first

    # Seeding in two steps gives the same articles as seeding at once.
    Article.objects.all().delete()
    seed(articles=10)
    seed(articles=25)
    assert sorted(Article.objects.values_list("title", "slug", "status", "body")) == first


def test_another_seed_gives_other_titles():
    seed(articles=25)
    default_titles = set(Article.objects.values_list("title", flat=True))

    Article.objects.all().delete()
    seed(articles=25, seed=7)

    assert set(Article.objects.values_list("title", flat=True)) != default_titles


def test_drafts_and_scheduled_articles_exist_but_are_not_live():
    seed(articles=25)
    now = timezone.now()

    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    scheduled = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
    in_review = Article.objects.filter(status=Article.Status.REVIEW)
    withdrawn = Article.objects.filter(status=Article.Status.WITHDRAWN)
    assert drafts.count() >= 2
    assert scheduled.count() >= 1
    assert in_review.count() >= 1
    assert withdrawn.count() >= 1

    live = Article.objects.live()
    hidden = [*drafts, *scheduled, *in_review, *withdrawn]
    assert not live.filter(pk__in=[article.pk for article in hidden]).exists()
    assert live.count() == 25 - len(hidden)
    assert live.filter(is_featured=True).exists()

    published = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
    oldest = published.order_by("published_at").first().published_at
    assert (now - oldest).days <= 731


def test_editor_option_creates_a_staff_editor_and_prints_the_password(settings):
    settings.BYLINE_SITE_URL = "http://127.0.0.1:8011"  # make run PORT=8011
    output = seed(articles=0, editor=True)

    user = get_user_model().objects.get(username="editor")
    assert user.is_staff and user.is_active
    assert user.groups.filter(name="Editors").exists()
    assert Author.objects.get(user=user).name == "Demo Editor"
    match = re.search(r"Demo editor login: http://127\.0\.0\.1:8011/admin/  username: editor  password: (\S+)", output)
    assert match
    assert user.check_password(match.group(1))


def test_a_rerun_keeps_the_editor_password_and_does_not_print_it():
    first = seed(articles=0, editor=True)
    password = re.search(r"password: (\S+)", first).group(1)

    output = seed(articles=0, editor=True)

    assert get_user_model().objects.get(username="editor").check_password(password)
    assert "password:" not in output and password not in output
    assert "username: editor  (exists: its password is unchanged" in output
    assert "--reset-editor-password" in output


def test_reset_editor_password_option_gives_a_new_one():
    old = re.search(r"password: (\S+)", seed(articles=0, editor=True)).group(1)

    output = seed(articles=0, editor=True, reset_editor_password=True)

    new = re.search(r"username: editor  password: (\S+)", output).group(1)
    user = get_user_model().objects.get(username="editor")
    assert new != old and user.check_password(new) and not user.check_password(old)


def test_editor_option_uses_the_given_password_and_can_run_twice():
    seed(articles=0, editor=True)
    output = seed(articles=0, editor=True, password="correct-horse-battery")

    user = get_user_model().objects.get(username="editor")
    assert user.check_password("correct-horse-battery")
    assert "password: correct-horse-battery" in output
    assert get_user_model().objects.filter(username="editor").count() == 1
    assert Author.objects.filter(slug="demo-editor").count() == 1


def test_editor_option_without_the_editors_group_fails_clearly():
    Group.objects.filter(name="Editors").delete()

    with pytest.raises(CommandError, match="Editors"):
        seed(articles=0, editor=True)


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", articles=1, stdout=StringIO())
    assert not Article.objects.exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True

    call_command("seed_demo", articles=3, renditions=False, stdout=StringIO())

    assert Article.objects.count() == 3


def test_featured_images_get_their_renditions(media_root):
    seed(articles=5, renditions=True)
    article = Article.objects.exclude(featured_image="").first()
    entry = article.renditions[article.featured_image.name]
    assert entry["width"] == article.featured_image_width
    assert 640 in entry["formats"]["webp"]
    assert (media_root / "renditions").is_dir()
    assert entry.get("crops"), "the share image and the cards' crops are made with the renditions"


def snapshot():
    """Everything a re-run must leave alone: articles and their dates, comments and theirs,
    authors and categories as stored, and the editor's password hash."""
    return {
        "articles": sorted(Article.objects.values_list("slug", "status", "published_at", "updated_at")),
        "comments": sorted(Comment.objects.values_list("pk", "object_pk", "submit_date", "comment")),
        "authors": sorted(Author.objects.values_list("slug", "name", "bio", "user_id")),
        "categories": sorted(Category.objects.values_list("slug", "name", "description")),
        "editor": get_user_model().objects.values_list("password", flat=True).get(username="editor"),
    }


def test_a_rerun_days_later_on_the_demo_site_changes_nothing():
    """As a daily `make run` does: the scheduled demo article has gone live since, and an editor
    trying the admin changed an author's bio; nothing is added, re-dated or reset."""
    seed(articles=25, editor=True)
    Author.objects.filter(slug="maya-okafor").update(bio="Edited in the admin.")
    before = snapshot()

    with time_machine.travel(timezone.now() + timedelta(days=30)):
        output = seed(articles=25, editor=True)

    assert snapshot() == before
    assert "articles 0 (25 already there)" in output and "comments 0." in output


@pytest.mark.parametrize("content", ["article", "article by a demo author", "author", "comment", "guest post"])
def test_a_site_with_real_content_gets_no_demo_content(content):
    if content == "article":
        ArticleFactory(title="Our first real story")
    elif content == "article by a demo author":
        seed(articles=5)
        ArticleFactory(title="Written in the admin", author=Author.objects.get(slug="maya-okafor"))
    elif content == "author":
        AuthorFactory(name="A real writer")
    elif content == "comment":
        seed(articles=5)
        article = Article.objects.live().first()
        Comment.objects.create(
            content_object=article, site_id=1, user_name="Ada Reader", user_email="ada@example.org", comment="Hi"
        )
    else:
        Submission.objects.create(name="Grace", email="grace@example.org", title="A guest post", body="<p>Hi</p>")
    counts = (Article.objects.count(), Author.objects.count(), Comment.objects.count(), Tag.objects.count())
    stderr = StringIO()

    output = seed(articles=25, editor=True, stderr=stderr)  # no CommandError: make run goes on to serve

    assert (Article.objects.count(), Author.objects.count(), Comment.objects.count(), Tag.objects.count()) == counts
    assert not get_user_model().objects.filter(username="editor").exists()
    assert "Seeded" not in output and "password" not in output
    assert "This site has content the demo did not make" in stderr.getvalue()
    assert "seed_demo adds no demo content to it" in stderr.getvalue()


def test_a_site_with_real_content_keeps_its_editor_password():
    seed(articles=5, editor=True)
    hashed = get_user_model().objects.get(username="editor").password
    ArticleFactory(title="Our first real story")
    stderr = StringIO()

    seed(articles=5, editor=True, reset_editor_password=True, stderr=stderr)

    assert get_user_model().objects.get(username="editor").password == hashed
    assert "changepassword editor" in stderr.getvalue()


def test_demo_comments_are_never_dated_in_the_future():
    # Half past midnight: the lead story went out at 22:00, its comments would run on into the day.
    with time_machine.travel(datetime(2026, 3, 10, 0, 30, tzinfo=UTC), tick=False):
        seed(articles=25)
        now = timezone.now()

    comments = Comment.objects.all()
    assert comments.exists()
    for comment in comments:
        article = Article.objects.get(pk=comment.object_pk)
        assert article.published_at <= comment.submit_date <= now, (article.slug, comment.submit_date)
