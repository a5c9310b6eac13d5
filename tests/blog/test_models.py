import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from blog.models import Article, ArticleSlugRedirect
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db


class TestLiveQueryset:
    def test_excludes_drafts_review_withdrawn_and_scheduled(self):
        live = ArticleFactory()
        DraftFactory()
        ArticleFactory(status=Article.Status.REVIEW, published_at=None)
        ArticleFactory(status=Article.Status.WITHDRAWN)
        ArticleFactory(published_at=timezone.now() + datetime.timedelta(minutes=5))
        assert list(Article.objects.live()) == [live]
        assert list(Article.objects.for_listing()) == [live]

    def test_is_live_mirrors_the_queryset(self):
        articles = [
            ArticleFactory(),
            DraftFactory(),
            ArticleFactory(status=Article.Status.WITHDRAWN),
            ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1)),
        ]
        live_ids = set(Article.objects.live().values_list("pk", flat=True))
        assert {a.pk for a in articles if a.is_live} == live_ids

    def test_scheduled_flag(self):
        assert ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1)).is_scheduled
        assert not ArticleFactory().is_scheduled

    def test_newest_first(self):
        old = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=5))
        new = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=1))
        assert list(Article.objects.live()) == [new, old]


class TestRelated:
    def test_ranks_by_shared_tags(self):
        article = ArticleFactory(tags=["a", "b", "c"])
        two = ArticleFactory(tags=["a", "b"])
        one = ArticleFactory(tags=["c"])
        ArticleFactory(tags=["z"])
        DraftFactory(tags=["a", "b", "c"])
        assert list(Article.objects.related_to(article)) == [two, one]

    def test_no_tags_no_related(self):
        assert list(Article.objects.related_to(ArticleFactory())) == []


class TestSave:
    def test_publishing_without_date_stamps_now(self):
        article = DraftFactory()
        article.status = Article.Status.PUBLISHED
        article.save()
        assert article.published_at is not None and article.is_live

    def test_reading_time(self):
        article = ArticleFactory(body="<p>" + "word " * 690 + "</p>")
        assert article.reading_time == 3
        assert ArticleFactory(body="<p>short</p>").reading_time == 1

    def test_body_is_sanitized(self):
        article = ArticleFactory(body='<p>ok</p><script>alert(1)</script><img src=x onerror="alert(1)">')
        assert article.body == '<p>ok</p><img src="x">'

    def test_slug_change_records_redirect_and_reuse_clears_it(self):
        article = ArticleFactory(slug="one")
        article.slug = "two"
        article.save()
        assert ArticleSlugRedirect.objects.get(old_slug="one").article == article
        article.slug = "one"
        article.save()
        assert not ArticleSlugRedirect.objects.filter(old_slug="one").exists()
        assert ArticleSlugRedirect.objects.get(old_slug="two").article == article

    def test_featured_image_needs_alt(self, image_file):
        article = DraftFactory(featured_image=image_file)
        with pytest.raises(ValidationError) as excinfo:
            article.full_clean()
        assert "featured_image_alt" in excinfo.value.message_dict

    def test_excerpt_and_description(self):
        article = ArticleFactory(standfirst="", body="<p>" + "lorem " * 100 + "</p>", meta_description="")
        assert article.excerpt.endswith("…")
        assert len(article.excerpt.split()) == 40
        assert ArticleFactory(meta_description="Custom").description == "Custom"

    def test_excerpt_from_a_body_of_several_blocks(self):
        # A guest post accepted as it came has no standfirst: its card shows the body's first words.
        article = ArticleFactory(standfirst="", body="<h2>One radio</h2><p>Salt &amp; <strong>vinegar</strong>.</p>")
        assert article.excerpt == "One radio Salt & vinegar."


class TestArchiveMonths:
    def test_latest_months_with_live_articles(self, time_machine):
        time_machine.move_to(datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC), tick=False)
        for when in [(2026, 3, 1), (2026, 1, 31), (2025, 12, 2), (2025, 12, 20), (2024, 2, 29)]:
            ArticleFactory(published_at=datetime.datetime(*when, 10, tzinfo=datetime.UTC))
        DraftFactory()
        withdrawn_at = datetime.datetime(2025, 11, 5, tzinfo=datetime.UTC)
        ArticleFactory(status=Article.Status.WITHDRAWN, published_at=withdrawn_at)
        ArticleFactory(published_at=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC))  # scheduled
        months = Article.objects.archive_months()
        assert months == [
            datetime.date(2026, 3, 1),
            datetime.date(2026, 1, 1),
            datetime.date(2025, 12, 1),
            datetime.date(2024, 2, 1),
        ]
        assert Article.objects.archive_months(limit=2) == months[:2]

    def test_months_follow_the_site_time_zone(self, settings, time_machine):
        settings.TIME_ZONE = "America/New_York"
        time_machine.move_to(datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC), tick=False)
        # 1 March 03:00 UTC is still 28 February in New York.
        ArticleFactory(published_at=datetime.datetime(2026, 3, 1, 3, tzinfo=datetime.UTC))
        assert Article.objects.archive_months() == [datetime.date(2026, 2, 1)]

    def test_no_live_articles_no_months(self):
        DraftFactory()
        assert Article.objects.archive_months() == []
