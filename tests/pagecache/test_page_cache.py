"""The page cache: anonymous readers get stored pages, and every content change refreshes
exactly the pages that show it (pagecache/, blog/invalidation.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from blog.sidebar import refresh_hook
from complaints import workflow
from core.models import Page, SiteSettings
from discussion.actions import approve
from discussion.models import Comment
from pagecache import cache as pages
from tests.factories import ArticleFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 3600
    settings.BYLINE_REMEMBER_SECONDS = 3600


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed (invalidation happens on commit)."""

    def run(change, *args, **kwargs):
        # What the test set up before is never committed (the test's transaction is rolled
        # back): start a new invalidation instead of joining the one still waiting for it.
        pages._pending.batch = None
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


@pytest.fixture
def site():
    tech = CategoryFactory(name="Tech", slug="tech")
    garden = CategoryFactory(name="Garden", slug="garden")
    article = ArticleFactory(title="Original title", category=tech, tags=["python"])
    other = ArticleFactory(title="Roses in winter", category=garden, tags=["roses"])
    cache.clear()
    return {"article": article, "other": other, "tech": tech, "garden": garden}


def get(client, url, **headers):
    return client.get(url, headers=headers)


def state(response):
    return response.get("X-Page-Cache")


def test_second_anonymous_request_is_served_from_the_cache_without_queries(client, site):
    url = site["article"].get_absolute_url()
    first = get(client, url)
    assert state(first) == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = get(client, url)
    assert state(second) == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_cached_pages_say_how_shared_caches_may_keep_them(client, site):
    article = site["article"]
    response = get(client, article.get_absolute_url())
    control = response["Cache-Control"]
    assert "public" in control and "max-age=0" in control
    assert 3500 < int(control.split("s-maxage=")[1].split(",")[0]) <= 3600
    tags = set(response["Cache-Tag"].split(","))
    python = article.tags.get(name="python")
    assert {"site", "sidebar", f"a{article.pk}", f"t{python.pk}"} <= tags
    assert response["ETag"] and response["Last-Modified"]


def test_conditional_get_answers_304_on_a_miss_and_on_a_hit(client, site):
    url = site["article"].get_absolute_url()
    etag = get(client, url)["ETag"]
    assert get(client, url, if_none_match=etag).status_code == 304
    assert get(client, url, if_none_match='"other"').status_code == 200
    modified = get(client, url)["Last-Modified"]
    assert get(client, url, if_modified_since=modified).status_code == 304


def test_tracking_parameters_share_the_page_but_other_queries_do_not(client, site):
    home = reverse("blog:home")
    get(client, home)
    assert state(get(client, home + "?utm_source=newsletter&fbclid=x")) == "hit"
    assert state(get(client, home + "?page=1")) == "miss"


def test_editors_are_never_served_nor_stored(client, site):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    url = site["article"].get_absolute_url()
    get(client, url)  # anonymous: stored
    client.force_login(editor)
    response = get(client, url)
    assert state(response) is None
    assert "private" in response["Cache-Control"]
    client.logout()
    cache.clear()
    client.force_login(editor)
    get(client, url)
    client.logout()
    assert state(get(client, url)) == "miss"  # the editor's page was not kept


def test_a_flash_message_cookie_bypasses_the_cache(client, site):
    url = site["article"].get_absolute_url()
    get(client, url)
    client.cookies["messages"] = "x"
    assert state(get(client, url)) is None


def test_pages_with_forms_that_set_a_csrf_cookie_are_not_stored(client, site):
    response = get(client, reverse("contributions:submit"))
    assert response.status_code == 200
    assert state(response) is None
    assert "Cache-Tag" not in response


def test_uncached_anonymous_responses_tell_shared_caches_to_ask_again(client, site):
    response = get(client, "/no-such-page/")
    assert response.status_code == 404
    assert "no-cache" in response["Cache-Control"]


def test_a_page_rendered_while_content_changed_is_not_stored(client, site, monkeypatch):
    real = pages.store

    def change_during_render(request, response, generation):
        cache.set(pages.GENERATION_KEY, "moved on")
        return real(request, response, generation)

    monkeypatch.setattr(pages, "store", change_during_render)
    url = site["article"].get_absolute_url()
    response = get(client, url)
    assert state(response) is None
    assert "no-cache" in response["Cache-Control"]


def test_turned_off_with_zero_seconds(client, site, settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 0
    url = site["article"].get_absolute_url()
    get(client, url)
    assert state(get(client, url)) is None


# Exact invalidation: what each change refreshes, and what it leaves alone.


def warm(client, urls):
    for url in urls:
        assert get(client, url).status_code == 200
    assert all(state(get(client, url)) == "hit" for url in urls)


def listing_urls(article):
    when = timezone.localtime(article.published_at)
    tag = article.tags.get()
    return [
        reverse("blog:home"),
        article.category.get_absolute_url(),
        reverse("blog:tag-detail", kwargs={"slug": tag.slug}),
        article.author.get_absolute_url(),
        reverse("blog:archive-year", kwargs={"year": when.year}),
        reverse("blog:archive-month", kwargs={"year": when.year, "month": when.month}),
        reverse("blog:feed"),
        reverse("blog:category-feed", kwargs={"slug": article.category.slug}),
        reverse("blog:sitemap-index"),
        reverse("blog:search") + "?q=title",
    ]


def test_editing_an_article_refreshes_every_page_that_shows_it_and_nothing_else(client, site, commit):
    article, other = site["article"], site["other"]
    showing = [article.get_absolute_url(), *listing_urls(article)]
    elsewhere = [site["garden"].get_absolute_url(), reverse("blog:author-detail", kwargs={"slug": other.author.slug})]
    warm(client, showing + elsewhere)

    article.title = "Corrected title"
    commit(article.save)

    for url in showing:
        response = get(client, url)
        assert state(response) == "miss", url
        if "sitemap" not in url:  # the index shows when articles last changed, not titles
            assert b"Corrected title" in response.content, url
    for url in elsewhere:
        assert state(get(client, url)) == "hit", url


def test_publishing_refreshes_listings_and_the_neighbours_pages(client, site, commit):
    article = site["article"]
    neighbour = site["other"]  # published an hour before or after
    warm(client, [reverse("blog:home"), neighbour.get_absolute_url(), site["tech"].get_absolute_url()])

    new = commit(
        ArticleFactory,
        title="Fresh news",
        category=site["tech"],
        published_at=max(article.published_at, neighbour.published_at) + timedelta(minutes=1),
    )

    for url in (reverse("blog:home"), site["tech"].get_absolute_url()):
        response = get(client, url)
        assert b"Fresh news" in response.content, url
    newest_before = max((article, neighbour), key=lambda a: a.published_at)
    response = get(client, newest_before.get_absolute_url())
    assert state(response) == "miss"
    assert new.get_absolute_url().encode() in response.content  # its "next article" link


def test_withdrawing_removes_the_article_everywhere(client, site, commit):
    article = site["article"]
    url = article.get_absolute_url()
    warm(client, [url, reverse("blog:home")])

    article.status = Article.Status.WITHDRAWN
    commit(article.save)

    assert get(client, url).status_code == 404
    assert b"Original title" not in get(client, reverse("blog:home")).content


def test_moving_an_article_refreshes_the_old_and_the_new_category(client, site, commit):
    article = site["article"]
    tech, garden = site["tech"].get_absolute_url(), site["garden"].get_absolute_url()
    warm(client, [tech, garden])

    article.category = site["garden"]
    commit(article.save)

    assert b"Original title" not in get(client, tech).content
    assert b"Original title" in get(client, garden).content


def test_a_takedown_refreshes_the_pages_that_showed_the_article(client, site, commit, editor):
    from complaints.models import Complaint

    article = site["article"]
    warm(client, [reverse("blog:home"), article.get_absolute_url()])
    complaint = Complaint.objects.create(
        article=article,
        article_url=article.get_absolute_url(),
        claimant_name="Rights Holder",
        claimant_email="rights@example.com",
        original_work="My photo, https://example.com/photo",
        signature="Rights Holder",
        good_faith=True,
        accuracy=True,
    )
    commit(workflow.uphold, complaint, editor, "Upheld")

    assert get(client, article.get_absolute_url()).status_code == 451
    assert b"Original title" not in get(client, reverse("blog:home")).content


def test_approving_a_comment_refreshes_the_article_page(client, site, commit):
    article = site["article"]
    url = article.get_absolute_url()
    comment = Comment.objects.create(
        content_type=ContentType.objects.get_for_model(Article),
        object_pk=str(article.pk),
        site_id=1,
        user_name="Reader",
        user_email="reader@example.com",
        comment="A held remark worth reading",
        is_public=False,
    )
    warm(client, [url])
    commit(approve, Comment.objects.filter(pk=comment.pk))
    response = get(client, url)
    assert state(response) == "miss"
    assert b"A held remark worth reading" in response.content


def test_site_settings_and_pages_refresh_every_page(client, site, commit):
    urls = [reverse("blog:home"), site["article"].get_absolute_url(), site["garden"].get_absolute_url()]
    warm(client, urls)
    settings_record = SiteSettings.load()
    settings_record.site_name = "Renamed Daily"
    commit(settings_record.save)
    for url in urls:
        assert b"Renamed Daily" in get(client, url).content, url

    warm(client, urls)
    page = Page.objects.get(slug="affiliate-disclosure")
    page.title = "Our affiliate links"
    commit(page.save)
    for url in urls:
        assert b"Our affiliate links" in get(client, url).content, url  # the footer menu


def test_renaming_a_category_refreshes_pages_that_name_it(client, site, commit):
    url = site["article"].get_absolute_url()
    warm(client, [url])
    site["tech"].name = "Technology"
    commit(site["tech"].save)
    assert b"Technology" in get(client, url).content


def test_a_scheduled_article_appears_on_time(client, site, commit):
    publish_at = timezone.now() + timedelta(minutes=10)
    commit(ArticleFactory, title="Embargoed story", category=site["tech"], published_at=publish_at)
    home = reverse("blog:home")
    response = get(client, home)
    assert b"Embargoed story" not in response.content
    # Kept no longer than until the publication, in this cache and in any in front.
    assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 600
    assert state(get(client, home)) == "hit"
    with time_machine.travel(publish_at + timedelta(seconds=1)):
        response = get(client, home)
        assert b"Embargoed story" in response.content
        assert b"Embargoed story" in get(client, site["tech"].get_absolute_url()).content


def test_scheduling_refreshes_pages_stored_before_with_a_longer_life(client, site, commit):
    home = reverse("blog:home")
    warm(client, [home])  # stored for an hour
    publish_at = timezone.now() + timedelta(minutes=5)
    commit(ArticleFactory, title="Embargoed story", category=site["tech"], published_at=publish_at)
    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert b"Embargoed story" in get(client, home).content


def test_closing_comments_is_not_outlived_by_the_cached_page(client, site):
    article = site["article"]
    article.comments_close_after_days = 1
    article.published_at = timezone.now() - timedelta(hours=23, minutes=50)
    article.save()
    response = get(client, article.get_absolute_url())
    assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 600


def test_the_sidebar_tag_moves_only_when_the_sidebar_changed(site):
    refresh_hook({"list"})  # the current sidebar, now cached
    assert refresh_hook({"list"}) == ()
    ArticleFactory(category=CategoryFactory(name="Brand new section"), tags=["python"])
    assert refresh_hook({"list"}) == ("sidebar",)
    assert refresh_hook({"a1"}) == ()  # not a listing change: nothing to recompute


def test_related_articles_are_remembered_until_a_shared_tag_changes(client, site, commit, settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 0  # pages rendered every time: only the remembered part is cached
    article = site["article"]
    url = article.get_absolute_url()
    assert b"Related articles" not in get(client, url).content  # nothing shares its tag yet
    with CaptureQueriesContext(connection) as first:
        get(client, url)
    commit(ArticleFactory, title="Also about Python", tags=["python"], published_at=article.published_at)
    with CaptureQueriesContext(connection) as after_change:
        response = get(client, url)
    assert b"Also about Python" in response.content
    with CaptureQueriesContext(connection) as again:
        get(client, url)
    assert len(again) == len(first) < len(after_change)


def test_the_remembered_neighbours_change_when_one_is_published_between(client, site, commit, settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 0
    article = site["article"]
    get(client, article.get_absolute_url())
    commit(ArticleFactory, title="In between", published_at=article.published_at + timedelta(seconds=1))
    assert b"In between" in get(client, article.get_absolute_url()).content


def test_a_local_copy_is_never_served_after_an_invalidation(client, site, commit):
    url = site["article"].get_absolute_url()
    get(client, url)
    assert pages.local_copies.get(pages.entry_key(get(client, url).wsgi_request)) is not None
    site["article"].title = "Changed while a copy was kept"
    commit(site["article"].save)
    response = get(client, url)
    assert state(response) == "miss"
    assert b"Changed while a copy was kept" in response.content


def test_a_hit_from_the_shared_cache_is_kept_locally(client, site):
    url = site["article"].get_absolute_url()
    get(client, url)
    pages.local_copies.clear()  # as in another worker process
    assert state(get(client, url)) == "hit"
    assert len(pages.local_copies.entries) == 1


def test_a_remembered_article_is_seen_withdrawn_and_a_new_one_at_once(client, site, commit, settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 0
    article = site["article"]
    url = article.get_absolute_url()
    assert get(client, url).status_code == 200
    article.status = Article.Status.WITHDRAWN
    commit(article.save)
    assert get(client, url).status_code == 404
    assert get(client, "/2026/11/not-yet/").status_code == 404  # a miss is not remembered
    fresh = commit(ArticleFactory, slug="not-yet", title="Arrived later")
    assert get(client, fresh.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("listing", ["home", "category", "tag"])
def test_a_listing_is_counted_once_until_one_of_its_articles_changes(client, site, commit, settings, listing):
    settings.BYLINE_PAGE_CACHE_SECONDS = 0
    url = {
        "home": reverse("blog:home"),
        "category": site["tech"].get_absolute_url(),
        "tag": reverse("blog:tag-detail", kwargs={"slug": "python"}),
    }[listing]

    def count():
        return get(client, url).context["paginator"].count

    with CaptureQueriesContext(connection) as first:
        before = count()
    with CaptureQueriesContext(connection) as again:
        assert count() == before
    counting = [q["sql"] for q in first.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counting) == 1
    assert not [q for q in again.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    commit(ArticleFactory, title="Another about Python", category=site["tech"], tags=["python"])
    assert count() == before + 1
    withdrawn = Article.objects.get(title="Another about Python")
    withdrawn.status = Article.Status.WITHDRAWN
    commit(withdrawn.save)
    assert count() == before


def test_a_search_is_worked_out_once_until_a_live_article_changes(client, site, commit, settings):
    settings.BYLINE_PAGE_CACHE_SECONDS = 0
    url = reverse("blog:search") + "?q=python+winter"

    def found():
        return [a.title for a in get(client, url).context["articles"]]

    with CaptureQueriesContext(connection) as first:
        assert found() == []
    with CaptureQueriesContext(connection) as again:
        assert found() == []
    fts = [q for q in again.captured_queries if "MATCH" in q["sql"] or "@@" in q["sql"]]
    assert len(again) < len(first) and fts == []
    fresh = commit(ArticleFactory, title="Python in winter", body="<p>Python, in winter.</p>")
    assert found() == ["Python in winter"]
    fresh.status = Article.Status.WITHDRAWN
    commit(fresh.save)
    assert found() == []
