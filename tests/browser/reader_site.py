"""The content the reader journeys and the accessibility checks walk through.

Browser tests run in real transactions, flushed after each test: the pages the data migrations
create are gone after the first one. `build_site()` puts them back (without `core.permissions.grant`,
which must not run against the live app registry), so every test sees a fresh install plus its own
articles.
"""

import datetime
import importlib

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.utils import timezone

from core.models import Page, SiteSettings
from tests.conftest import make_image_file
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

TAG = "solar"
SEARCH_WORD = "photovoltaic"
ARTICLES = 12  # more than a page (BYLINE_PAGE_SIZE is 10) on the home, tag and search pages


def _restore_fresh_install():
    # The flush re-creates the site record and the content types through post_migrate, unless an
    # earlier test broke that: grant() clears the app configs' models_module, and post_migrate then
    # skips their apps. Comments point at both; cached content types may be ones the flush deleted.
    Site.objects.get_or_create(pk=django_settings.SITE_ID, defaults={"domain": "example.com", "name": "example.com"})
    Site.objects.clear_cache()
    ContentType.objects.clear_cache()
    importlib.import_module("core.migrations.0002_default_pages").create_defaults(apps, None)
    contributions = importlib.import_module("contributions.migrations.0002_defaults")
    Page.objects.get_or_create(
        slug="contribution-guidelines",
        defaults={"title": "Contribution guidelines", "body": contributions.GUIDELINES},
    )
    importlib.import_module("core.migrations.0004_footer_pages").create_pages(apps, None)


def _body(number):
    paragraphs = [
        f"Our {SEARCH_WORD} panel number {number} spent a week on a balcony facing south, and we logged "
        "what it delivered every hour, cloudy or not.",
        "The charger folds into a pocket-sized square; the kickstand holds it at three angles and the "
        "USB-C port sits behind a rubber flap that closes firmly.",
        "On a bright morning it filled a phone from empty in under three hours, about what the maker "
        "promises, and it kept charging through thin cloud.",
        "Under heavy cloud the output dropped to a trickle: enough to keep a phone alive, not to fill a "
        "power bank. A cable longer than the one in the box helps.",
        "It is not the cheapest of the chargers we tried, but it is the one we would pack for a long "
        "weekend without mains power.",
    ]
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def build_site(*, facebook_app_id="1234567890"):
    """Twelve live articles sharing a tag and a search word, with featured images; returns them, newest first."""
    _restore_fresh_install()
    settings = SiteSettings.load()
    settings.facebook_app_id = facebook_app_id
    settings.instagram_url = "https://www.instagram.com/byline"
    settings.x_url = "https://x.com/byline"
    settings.save()

    author = AuthorFactory(name="Ada Reporter", slug="ada-reporter")
    category = CategoryFactory(name="Hardware", slug="hardware")
    now = timezone.now()
    articles = []
    for number in range(ARTICLES):
        articles.append(
            ArticleFactory(
                title=f"Solar charger review {number + 1}",
                slug=f"solar-charger-review-{number + 1}",
                standfirst="A folding panel for phones, tested for a week on a balcony.",
                body=_body(number + 1),
                author=author,
                category=category,
                published_at=now - datetime.timedelta(hours=number + 1),
                is_featured=number == 0,
                # Images on every other card, so listings show cards with and without one.
                featured_image=make_image_file(f"charger-{number + 1}.png") if number % 2 == 0 else None,
                featured_image_alt="A folding solar panel on a balcony rail" if number % 2 == 0 else "",
                featured_image_caption="The panel in the morning sun" if number == 0 else "",
                tags=[TAG, "reviews"],
            )
        )
    return articles
