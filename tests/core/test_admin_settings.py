"""The site-settings admin: every setting in its group, pattern validation, re-scan on pattern changes."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from blog.models import Article
from blog.tasks import rescan_affiliate_links_task
from core.models import SiteSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:core_sitesettings_change", args=[1])
GROUPS = [
    "General",
    "Footer",
    "Comments",
    "Sharing and social profiles",
    "Before publishing",
    "Call-out",
    "Affiliate links",
]


def form_data(**overrides):
    """A complete POST of the current settings, with `overrides`."""
    data = {key: ("" if value is None else value) for key, value in model_to_dict(SiteSettings.load()).items()}
    data.pop("id")
    return data | overrides


def test_every_setting_is_in_a_group(editor_client):
    response = editor_client.get(URL)
    assert response.status_code == 200
    fieldsets = response.context["adminform"].fieldsets
    assert [str(name) for name, _options in fieldsets] == GROUPS
    shown = [field for _name, options in fieldsets for field in options["fields"]]
    editable = [f.name for f in SiteSettings._meta.get_fields() if f.concrete and f.editable and not f.primary_key]
    assert sorted(shown) == sorted(editable)
    html = response.content.decode()
    for name in editable:
        assert f'name="{name}"' in html, name


def test_list_page_opens_the_one_record(editor_client):
    response = editor_client.get(reverse("admin:core_sitesettings_changelist"))
    assert response.status_code == 302 and response["Location"] == URL


def test_saves_the_engagement_settings(editor_client):
    data = form_data(
        share_prompt="Share it!",
        instagram_url="instagram.com/byline",
        callout_after_paragraph="4",
        contributions_email="write@example.net",
        comment_max_links="3",
    )
    response = editor_client.post(URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    settings = SiteSettings.objects.get()
    assert settings.share_prompt == "Share it!"
    assert settings.instagram_url == "https://instagram.com/byline"  # a typed address gets https://
    assert settings.callout_after_paragraph == 4
    assert settings.contributions_email == "write@example.net"
    assert settings.comment_max_links == 3


def test_rejects_unreadable_patterns(editor_client):
    response = editor_client.post(URL, form_data(affiliate_patterns="amzn.to\nnot a pattern\n"))
    assert response.status_code == 200
    assert "Not a pattern: not a pattern." in response.content.decode()
    assert "not a pattern" not in SiteSettings.objects.get().affiliate_patterns


def test_changed_patterns_rescan_articles(editor_client, django_capture_on_commit_callbacks):
    article = ArticleFactory(body="<p><a href='https://deals.example/x'>x</a></p>")
    assert not article.has_affiliate_links
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(URL, form_data(affiliate_patterns="amzn.to\r\ndeals.example\r\n"), follow=True)
    assert len(callbacks) == 1
    assert "every article is being checked again" in response.content.decode()
    article = Article.objects.get(pk=article.pk)
    assert article.has_affiliate_links and article.affiliate_links == ["https://deals.example/x"]
    assert SiteSettings.objects.get().affiliate_patterns == "amzn.to\ndeals.example"


def test_saving_unchanged_patterns_rescans_nothing(editor_client, django_capture_on_commit_callbacks):
    patterns = SiteSettings.load().affiliate_patterns.replace("\n", "\r\n")  # as a browser sends them
    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(URL, form_data(affiliate_patterns=patterns, site_name="Renamed"))
    assert response.status_code == 302
    assert rescan_affiliate_links_task.enqueue not in callbacks  # (the page cache's invalidation is there)
    assert SiteSettings.objects.get().site_name == "Renamed"
