"""Crops around the focal point (blog/crops.py): the 1200×630 share image (og:image, twitter:image, JSON-LD)
and the 16:9 listing cards; max-image-preview:large in every page's head."""

import io
import json
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as PILImage

from blog import crops, images
from library.models import Image
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

RED = (220, 20, 20)
WHITE = (255, 255, 255)


class Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def named(self, tag, **attrs):
        return [a for t, a in self.found if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def meta(html, key):
    return [a["content"] for a in Tags(html).named("meta") if a.get("property") == key or a.get("name") == key]


def picture_with_red_square(size=(3000, 1000), centre=(300, 500), side=200):
    """A white picture with a red square around `centre`: far off the middle, so a centred crop misses it."""
    img = PILImage.new("RGB", size, WHITE)
    x, y = centre
    img.paste(RED, (x - side // 2, y - side // 2, x + side // 2, y + side // 2))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    return out.getvalue()


def is_red(pixel):
    return pixel[0] > 180 and pixel[1] < 80 and pixel[2] < 80


def red_pixels(data):
    with PILImage.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
        raw = rgb.tobytes()
        return sum(1 for i in range(0, len(raw), 3) if is_red(raw[i : i + 3])), rgb.size


def read(name):
    with default_storage.open(name) as file:
        return file.read()


@pytest.fixture
def made(django_capture_on_commit_callbacks):
    """Make an article featuring a library picture (focal point as given), with its renditions."""

    def make(data, focal=None, **fields):
        picture, _created = Image.objects.add(data, filename="scene.jpg", alt="A red square on white")
        if focal:
            picture.focal_x, picture.focal_y = focal
            picture.save()
        with django_capture_on_commit_callbacks(execute=True):
            article = ArticleFactory(featured_image=picture.name, featured_image_alt=picture.alt, **fields)
        article.refresh_from_db()
        return article

    return make


class TestCropBox:
    def test_the_largest_part_of_the_shape_around_the_point(self):
        assert crops.crop_box(3000, 1000, (1200, 630), [100, 500]) == (0, 0, 1905, 1000)
        assert crops.crop_box(3000, 1000, (1200, 630), [500, 500]) == (548, 0, 2453, 1000)
        assert crops.crop_box(3000, 1000, (1200, 630), [1000, 0]) == (1095, 0, 3000, 1000)
        assert crops.crop_box(1000, 2000, (16, 9), [500, 0]) == (0, 0, 1000, 562)
        assert crops.crop_box(1000, 2000, (16, 9), [500, 1000]) == (0, 1438, 1000, 2000)

    def test_focal_keys_are_thousandths_inside_the_picture(self):
        assert crops.focal_key((0.25, 0.5)) == [250, 500]
        assert crops.focal_key((-1, 2)) == [0, 1000]
        assert crops.focal_key(None) == [500, 500]


class TestShareImage:
    def test_cropped_around_the_focal_point(self, made):
        article = made(picture_with_red_square(), focal=(0.1, 0.5))
        share = images.share_image(article)
        assert (share["width"], share["height"]) == (1200, 630)
        name = article.featured_image.name
        data = read(crops.crop_name(name, "share", [100, 500], 1200, "jpg"))
        count, size = red_pixels(data)
        assert size == (1200, 630)
        # The 200 px square, cut from a 1905×1000 part and scaled by 1200/1905: about 126 px a side.
        assert count > 0.8 * 126 * 126
        with PILImage.open(io.BytesIO(data)) as img:
            assert is_red(img.convert("RGB").getpixel((round(300 * 1200 / 1905), 315)))

    def test_a_centred_crop_misses_what_the_focal_point_keeps(self, made):
        article = made(picture_with_red_square())  # focal point in the middle
        data = read(crops.crop_name(article.featured_image.name, "share", [500, 500], 1200, "jpg"))
        assert red_pixels(data) == (0, (1200, 630))

    def test_at_least_1200_wide_when_the_picture_allows_never_enlarged(self, made):
        wide = made(picture_with_red_square(size=(2400, 1800), centre=(1200, 900)))
        assert (images.share_image(wide)["width"], images.share_image(wide)["height"]) == (1200, 630)
        small = made(picture_with_red_square(size=(800, 600), centre=(400, 300)))
        assert (images.share_image(small)["width"], images.share_image(small)["height"]) == (800, 420)

    def test_the_article_pages_previews_use_it(self, client, made):
        article = made(picture_with_red_square(), focal=(0.1, 0.5))
        html = client.get(article.get_absolute_url()).content.decode()
        url = "http://testserver" + default_storage.url(
            crops.crop_name(article.featured_image.name, "share", [100, 500], 1200, "jpg")
        )
        assert meta(html, "og:image") == [url] and meta(html, "twitter:image") == [url]
        assert meta(html, "og:image:width") == ["1200"] and meta(html, "og:image:height") == ["630"]
        news = json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
        assert news["image"][1] == {"@type": "ImageObject", "url": url, "width": 1200, "height": 630}
        assert news["image"][0]["width"] == 3000  # the picture itself first

    def test_until_renditions_are_made_the_picture_itself(self):
        article = ArticleFactory(
            featured_image=default_storage.save("articles/x.jpg", io.BytesIO(picture_with_red_square()))
        )
        assert images.share_image(article) == {"url": article.featured_image.url, "width": 3000, "height": 1000}


class TestCards:
    def test_listing_cards_show_the_16_9_crop_around_the_focal_point(self, client, made):
        article = made(picture_with_red_square(size=(3000, 1000), centre=(2800, 500)), focal=(0.95, 0.5))
        html = client.get(article.category.get_absolute_url()).content.decode()
        name = article.featured_image.name
        # 16:9 of 3000×1000 is 1778×1000: the largest rendition of the crop is the card's src.
        card = crops.crop_name(name, "card", [950, 500], 1778, "jpg")
        (img,) = [a for a in Tags(html).named("img") if a["src"] == default_storage.url(card)]
        assert (img["width"], img["height"]) == ("1778", "1000")
        assert default_storage.url(crops.crop_name(name, "card", [950, 500], 640, "webp")) + " 640w" in html
        count, size = red_pixels(read(crops.crop_name(name, "card", [950, 500], 640, "jpg")))
        assert size == (640, 360) and count > 0.8 * (200 * 640 / 1778) ** 2
        # Centred, the square (x 2700-2900) would be outside the crop (x 611-2389).
        assert crops.crop_box(3000, 1000, crops.CARD_RATIO, [500, 500]) == (611, 0, 2389, 1000)

    def test_the_article_page_shows_the_whole_picture(self, client, made):
        article = made(picture_with_red_square(), focal=(0.1, 0.5))
        html = client.get(article.get_absolute_url()).content.decode()
        assert article.featured_image.url in [a["src"] for a in Tags(html).named("img")]

    def test_crops_are_made_again_only_when_the_focal_point_moves(self, made):
        article = made(picture_with_red_square(), focal=(0.1, 0.5))
        name = article.featured_image.name
        entry = article.renditions[name]
        assert images.make_renditions(name, known=entry, focal=(0.1, 0.5)) is entry  # complete: nothing read
        moved = images.make_renditions(name, known=entry, focal=(0.9, 0.5))
        assert moved["crops"]["focal"] == [900, 500]
        assert default_storage.exists(crops.crop_name(name, "share", [900, 500], 1200, "jpg"))


@pytest.mark.parametrize("page", ["blog:home", "blog:search", "contributions:submit"])
def test_every_page_allows_large_image_previews(client, page):
    html = client.get(reverse(page)).content.decode()
    head = html.split("</head>", 1)[0]
    assert '<meta name="robots" content="max-image-preview:large">' in head


def test_article_and_error_pages_allow_large_image_previews(client):
    article = ArticleFactory()
    for url, status in ((article.get_absolute_url(), 200), ("/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert "max-image-preview:large" in meta(response.content.decode(), "robots")
