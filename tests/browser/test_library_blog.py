"""The blog's side of the image library in Chromium: listing cards cut 16:9 around the focal point, and
the article admin's "choose from the library" (screenshots at 375 and 1280 px, light and dark)."""

import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect

from blog import images
from blog.models import Article
from library.models import Image
from tests.browser.conftest import BROWSER, DESKTOP, PHONE, images_without_size, no_horizontal_scroll, sign_in
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, UserFactory

pytestmark = BROWSER

SHOTS = Path(os.environ.get("BYLINE_LIBRARY_BLOG_SHOTS", "/tmp/shots"))
VIEWPORTS = {"1280": DESKTOP, "375": PHONE}


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"library-blog-{name}.png"), full_page=True)


def scene(background, subject, centre, size=(2400, 800)):
    """A wide picture: a sky of `background` and a round `subject` far from the middle, around `centre`."""
    img = PILImage.new("RGB", size, background)
    draw = ImageDraw.Draw(img)
    x, y = centre
    draw.ellipse((x - 180, y - 180, x + 180, y + 180), fill=subject)
    draw.rectangle((0, size[1] - 120, size[0], size[1]), fill=(60, 90, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def superuser(transactional_db):
    user = UserFactory(is_staff=True, is_superuser=True, first_name="Lee", last_name="Library")
    AuthorFactory(user=user, name="Lee Library")
    return user


@pytest.fixture
def signed_in(page, live_server, superuser):
    return sign_in(page, live_server, superuser)


@pytest.fixture
def pictures(transactional_db):
    made = []
    for n, (background, subject, centre) in enumerate(
        [
            ((150, 190, 230), (230, 120, 20), (300, 380)),  # the sun far left
            ((40, 40, 70), (240, 240, 200), (2150, 300)),  # the moon far right
            ((230, 200, 160), (160, 30, 30), (1900, 500)),
        ]
    ):
        picture, _created = Image.objects.add(
            scene(background, subject, centre), filename=f"scene-{n}.jpg", alt=f"A round shape in scene {n}"
        )
        picture.focal_x, picture.focal_y = centre[0] / 2400, centre[1] / 800
        picture.save()
        made.append(picture)
    return made


def test_cards_show_the_part_around_the_focal_point(page, live_server, pictures):
    category = CategoryFactory(name="Skies")
    for n, picture in enumerate(pictures):
        ArticleFactory(
            title=f"Looking up, part {n}",
            category=category,
            featured_image=picture.name,
            featured_image_alt=picture.alt,
        )
    article = Article.objects.get(title="Looking up, part 0")
    assert article.renditions[pictures[0].name]["crops"]["card"]["width"] == 1422  # 16:9 of 2400×800, made
    # The link-preview picture, 1200×630 around the sun at the far left, saved for a person to look at.
    share = images.share_image(article)
    assert (share["width"], share["height"]) == (1200, 630)
    page.goto(live_server.url + share["url"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("img").screenshot(path=str(SHOTS / "library-blog-share-image.png"))
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(live_server.url + category.get_absolute_url())
            cards = page.locator(".card__image img")
            expect(cards).to_have_count(3)
            for index in range(3):
                card = cards.nth(index)
                card.scroll_into_view_if_needed()
                expect(card).to_have_js_property("complete", True)
                natural = card.evaluate("img => [img.naturalWidth, img.naturalHeight]")
                assert natural[0] > 0 and abs(natural[0] / natural[1] - 16 / 9) < 0.02, natural
                assert "-card-" in card.evaluate("img => img.currentSrc")
            assert no_horizontal_scroll(page)
            assert images_without_size(page) == []
            shoot(page, f"cards-{width}-{scheme}")


def test_choosing_the_featured_image_from_the_library(signed_in, live_server, pictures, superuser):
    page = signed_in
    article = ArticleFactory(
        title="A draft needing a picture", author=superuser.author, status="draft", published_at=None
    )
    url = live_server.url + reverse("admin:blog_article_change", args=[article.pk])
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(url)
            chooser = page.locator("#id_library_image")
            expect(chooser).to_be_visible()
            expect(chooser.locator("img")).to_have_count(3)
            chooser.scroll_into_view_if_needed()
            assert no_horizontal_scroll(page)
            shoot(page, f"admin-chooser-{width}-{scheme}")
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    page.goto(url)
    page.get_by_label("A round shape in scene 1").check()
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    article.refresh_from_db()
    assert article.featured_image.name == pictures[1].name
    assert article.featured_image_alt == "A round shape in scene 1"
