"""Responsive images (issue 8): renditions made once off the request path, and the markup that uses them."""

import io
import logging
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks.signals import task_enqueued
from PIL import ExifTags, Image, ImageCms

from blog import crops, images
from blog.images import SIZES, make_article_renditions, make_renditions, rendition_name, storage_name
from blog.models import Article
from tests.blog.test_query_counts import EXPECTED, count_queries
from tests.conftest import make_image_file
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings):
    """Media in memory: nothing is written to disk, and every write can be counted."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return default_storage


@pytest.fixture
def writes():
    """The names written to the storage while the test runs."""
    with mock.patch.object(InMemoryStorage, "_save", autospec=True, side_effect=InMemoryStorage._save) as save:
        yield save


def written(save_mock):
    return [call.args[1] for call in save_mock.call_args_list]


@pytest.fixture
def enqueued():
    """(task name, args) of every renditions task enqueued while the test runs (an article's save also
    enqueues its duplicate fingerprint: contributions/signals.py)."""
    seen = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "make_renditions_task":
            seen.append((task_result.task.name, list(task_result.args)))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def image_bytes(size=(1000, 500), fmt="JPEG", mode="RGB", color=(200, 30, 30), **save):
    img = Image.new(mode, size, color)
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


def two_tone_jpeg(size=(800, 400), orientation=None):
    """Left half red, right half blue; with an EXIF orientation and other EXIF (artist, GPS) if asked."""
    img = Image.new("RGB", size, (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Someone"
    exif[ExifTags.Base.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N"}
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def animated_gif(size=(600, 300)):
    frames = [Image.new("RGB", size, (80 * i, 0, 0)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(out.getvalue())).n_frames == 3
    return out.getvalue()


def put(name, data):
    assert default_storage.save(name, ContentFile(data)) == name
    return name


def opened(name):
    with default_storage.open(name, "rb") as file:
        img = Image.open(io.BytesIO(file.read()))
        img.load()
        return img


def urls(name, ext, widths):
    return [default_storage.url(rendition_name(name, w, ext)) for w in widths]


def srcset(*pairs):
    return ", ".join(f"{url} {width}w" for url, width in pairs)


# --- making renditions -----------------------------------------------------------------------------------


class TestMakeRenditions:
    def test_jpeg_in_webp_and_jpeg_at_the_smaller_widths(self):
        name = put("articles/2026/05/photo.jpg", image_bytes((1000, 500)))
        entry = make_renditions(name)
        assert entry == {
            "width": 1000,
            "height": 500,
            "format": "jpg",
            "formats": {"webp": [320, 640, 960, 1000], "jpg": [320, 640, 960]},
        }
        for width in (320, 640, 960, 1000):
            webp = opened(f"renditions/articles/2026/05/photo.jpg-{width}w.webp")
            assert (webp.format, webp.size) == ("WEBP", (width, width // 2))
        for width in (320, 640, 960):
            jpeg = opened(f"renditions/articles/2026/05/photo.jpg-{width}w.jpg")
            assert (jpeg.format, jpeg.size) == ("JPEG", (width, width // 2))
        assert not default_storage.exists("renditions/articles/2026/05/photo.jpg-1000w.jpg")  # that is the original

    def test_never_wider_than_the_original(self):
        small = make_renditions(put("articles/small.png", image_bytes((300, 200), "PNG")))
        assert small["formats"] == {"webp": [300], "png": []}
        assert opened("renditions/articles/small.png-300w.webp").size == (300, 200)

    def test_nothing_wider_than_the_ladder(self):
        entry = make_renditions(put("articles/huge.jpg", image_bytes((2400, 1200))))
        assert entry["formats"] == {"webp": [320, 640, 960, 1280, 1920], "jpg": [320, 640, 960, 1280, 1920]}
        assert not default_storage.exists("renditions/articles/huge.jpg-2400w.webp")

    def test_png_stays_png_and_keeps_its_transparency(self):
        img = Image.new("RGBA", (700, 350), (0, 0, 0, 0))
        img.paste((0, 128, 0, 255), (0, 0, 350, 350))
        out = io.BytesIO()
        img.save(out, "PNG")
        entry = make_renditions(put("articles/logo.png", out.getvalue()))
        assert entry["formats"] == {"webp": [320, 640, 700], "png": [320, 640]}
        png = opened("renditions/articles/logo.png-320w.png").convert("RGBA")
        assert png.getpixel((300, 80))[3] == 0 and png.getpixel((10, 80))[3] == 255
        webp = opened("renditions/articles/logo.png-640w.webp").convert("RGBA")
        assert webp.getpixel((600, 100))[3] == 0 and webp.getpixel((10, 100))[3] == 255

    def test_a_palette_png_stays_a_palette(self):
        make_renditions(put("articles/chart.png", image_bytes((700, 350), "PNG", mode="P", color=3)))
        assert opened("renditions/articles/chart.png-640w.png").mode == "P"

    def test_photo_jpg_and_photo_png_never_share_renditions(self):
        make_renditions(put("articles/photo.jpg", image_bytes((700, 350), color=(255, 0, 0))))
        make_renditions(put("articles/photo.png", image_bytes((700, 350), "PNG", color=(0, 0, 255))))
        assert opened("renditions/articles/photo.jpg-320w.webp").convert("RGB").getpixel((5, 5))[0] > 200
        assert opened("renditions/articles/photo.png-320w.webp").convert("RGB").getpixel((5, 5))[2] > 200

    def test_a_still_gif_stays_gif(self):
        entry = make_renditions(put("articles/still.gif", image_bytes((700, 350), "GIF", mode="P", color=5)))
        assert entry["formats"] == {"webp": [320, 640, 700], "gif": [320, 640]}
        assert opened("renditions/articles/still.gif-320w.gif").format == "GIF"

    def test_an_animated_gif_is_left_alone(self, writes):
        entry = make_renditions(put("articles/anim.gif", animated_gif((600, 300))))
        assert entry == {"width": 600, "height": 300, "format": "gif", "formats": {}, "animated": True}
        assert written(writes) == ["articles/anim.gif"]  # only the upload itself

    def test_exif_orientation_applied_and_metadata_dropped(self):
        # Orientation 6: the camera was turned a quarter clockwise; shown, the left edge is at the top.
        entry = make_renditions(put("articles/turned.jpg", two_tone_jpeg((800, 400), orientation=6)))
        assert (entry["width"], entry["height"]) == (400, 800)
        assert entry["formats"] == {"webp": [320, 400], "jpg": [320]}
        for name in ("renditions/articles/turned.jpg-320w.jpg", "renditions/articles/turned.jpg-320w.webp"):
            img = opened(name)
            assert img.size == (320, 640)
            top, bottom = img.convert("RGB").getpixel((160, 20)), img.convert("RGB").getpixel((160, 620))
            assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red above, blue below
            assert not img.getexif() and "exif" not in img.info and "xmp" not in img.info

    def test_metadata_dropped_without_rotation(self):
        make_renditions(put("articles/gps.jpg", two_tone_jpeg((800, 400))))
        assert not opened("renditions/articles/gps.jpg-640w.jpg").getexif()
        assert not opened("renditions/articles/gps.jpg-640w.webp").getexif()

    @pytest.mark.parametrize(
        ("mode", "fmt", "ext"),
        [
            ("CMYK", "JPEG", "jpg"),
            ("L", "JPEG", "jpg"),
            ("LA", "PNG", "png"),
            ("I;16", "PNG", "png"),
            ("1", "PNG", "png"),
        ],
    )
    def test_every_kind_of_pixels(self, mode, fmt, ext):
        name = put(f"articles/pixels.{ext}", image_bytes((700, 350), fmt, mode=mode, color=1))
        assert make_renditions(name)["formats"] == {"webp": [320, 640, 700], ext: [320, 640]}
        assert opened(rendition_name(name, 640, "webp")).mode in ("RGB", "RGBA")
        assert opened(rendition_name(name, 320, ext)).size == (320, 160)

    def test_colour_profile_kept(self):
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        name = put("articles/profiled.jpg", image_bytes((700, 350), icc_profile=srgb))
        make_renditions(name)
        assert opened(rendition_name(name, 320, "jpg")).info.get("icc_profile") == srgb
        assert opened(rendition_name(name, 320, "webp")).info.get("icc_profile") == srgb

    def test_a_phones_multi_picture_jpeg_is_a_photo(self):
        out = io.BytesIO()
        first, depth = Image.new("RGB", (700, 350), (255, 0, 0)), Image.new("RGB", (700, 350), (0, 0, 255))
        first.save(out, "MPO", save_all=True, append_images=[depth])
        entry = make_renditions(put("articles/phone.jpg", out.getvalue()))
        assert entry == {
            "width": 700,
            "height": 350,
            "format": "jpg",
            "formats": {"webp": [320, 640, 700], "jpg": [320, 640]},
        }
        jpeg = opened("renditions/articles/phone.jpg-640w.jpg")
        assert jpeg.format == "JPEG" and jpeg.getpixel((5, 5))[0] > 200

    def test_made_once_a_second_run_writes_nothing(self, writes):
        name = put("articles/once.jpg", image_bytes((1000, 500)))
        first = make_renditions(name)
        assert len(written(writes)) == 1 + 7
        second = make_renditions(name)
        assert second == first
        assert len(written(writes)) == 1 + 7

    def test_a_known_complete_entry_is_not_even_read(self):
        name = put("articles/known.jpg", image_bytes((1000, 500)))
        entry = make_renditions(name)
        with mock.patch.object(InMemoryStorage, "open") as open_:
            assert make_renditions(name, known=entry) == entry
        open_.assert_not_called()

    def test_a_missing_rendition_is_made_again(self, writes):
        name = put("articles/again.jpg", image_bytes((1000, 500)))
        entry = make_renditions(name)
        default_storage.delete(rendition_name(name, 640, "webp"))
        writes.reset_mock()
        assert make_renditions(name, known=entry) == entry
        assert written(writes) == [rendition_name(name, 640, "webp")]

    @pytest.mark.parametrize(
        "data",
        [b"not an image at all", image_bytes((1000, 500))[:600], b"\x89PNG\r\n\x1a\n" + b"\x00" * 200],
        ids=["garbage", "truncated-jpeg", "broken-png"],
    )
    def test_a_damaged_image_is_logged_and_skipped(self, data, caplog, writes):
        name = put("articles/broken.jpg", data)
        with caplog.at_level(logging.WARNING, logger="blog.images"):
            assert make_renditions(name) is None
        assert "articles/broken.jpg" in caplog.text
        assert written(writes) == [name]

    def test_a_missing_file_is_logged_and_skipped(self, caplog):
        with caplog.at_level(logging.WARNING, logger="blog.images"):
            assert make_renditions("articles/gone.jpg") is None
        assert "articles/gone.jpg" in caplog.text

    def test_decompression_bomb_limit_respected(self, monkeypatch, caplog, writes):
        name = put("articles/bomb.png", image_bytes((1000, 500), "PNG"))
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # Pillow warns above this and refuses above twice
        with caplog.at_level(logging.WARNING, logger="blog.images"):
            assert make_renditions(name) is None
        assert "too many pixels" in caplog.text
        assert written(writes) == [name]


class TestStorageName:
    @pytest.mark.parametrize(
        ("src", "name"),
        [
            ("/media/articles/a.jpg", "articles/a.jpg"),
            ("/media/articles/a%20b.jpg?v=2#x", "articles/a b.jpg"),
            ("/media/../settings.py", None),
            ("/media//etc/passwd", None),
            ("/media/renditions/articles/a.jpg-320w.webp", None),
            ("/static/img/a.png", None),
            ("https://elsewhere.example/media/a.jpg", None),
            ("", None),
            (None, None),
        ],
    )
    def test_only_names_inside_media(self, src, name):
        assert storage_name(src) == name

    def test_the_storages_own_address_too(self, settings):
        # With S3 files are served from the bucket's or the CDN's address, not MEDIA_URL.
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.InMemoryStorage",
                "OPTIONS": {"base_url": "https://cdn.example.com/site/"},
            },
        }
        assert storage_name("https://cdn.example.com/site/articles/a.jpg") == "articles/a.jpg"
        assert storage_name("/media/articles/a.jpg") == "articles/a.jpg"
        assert storage_name("https://cdn.example.com/other/a.jpg") is None


# --- the task and when it runs ---------------------------------------------------------------------------


def body_with_image(src="/media/articles/body.png", alt="A chart"):
    return f'<p>Intro text.</p><figure><img src="{src}" alt="{alt}"></figure><p>More.</p>'


class TestTask:
    def test_enqueued_after_commit_only_when_images_change(self, enqueued, django_capture_on_commit_callbacks):
        put("articles/body.png", image_bytes((700, 350), "PNG"))
        with django_capture_on_commit_callbacks() as callbacks:
            article = ArticleFactory(featured_image=make_image_file("lead.jpg", (900, 600), fmt="JPEG"))
        assert enqueued == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert enqueued == [("make_renditions_task", [article.pk])]

        enqueued.clear()
        article.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            article.title = "A new title"
            article.save()  # same images, all in the map
        assert enqueued == []

        with django_capture_on_commit_callbacks(execute=True):
            article.body = body_with_image()
            article.save()  # a new body image
        assert enqueued == [("make_renditions_task", [article.pk])]

        enqueued.clear()
        article.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            article.body += '<p><img src="https://elsewhere.example/x.jpg" alt="x"></p>'
            article.save()  # an image from elsewhere gets no renditions
        assert enqueued == []

    def test_no_task_for_articles_without_images(self, enqueued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            ArticleFactory()
        assert enqueued == []

    def test_the_map_is_stored_without_saving_the_article(self, django_capture_on_commit_callbacks):
        put("articles/body.png", image_bytes((700, 350), "PNG"))
        with django_capture_on_commit_callbacks(execute=True):
            article = ArticleFactory(
                featured_image=make_image_file("lead.jpg", (900, 600), fmt="JPEG"), body=body_with_image()
            )
        updated_at = Article.objects.filter(pk=article.pk).values_list("updated_at", flat=True).get()
        article.refresh_from_db()
        assert article.renditions == {
            article.featured_image.name: {
                "width": 900,
                "height": 600,
                "format": "jpg",
                "formats": {"webp": [320, 640, 900], "jpg": [320, 640]},
                # The featured image's focal-point crops (blog/crops.py; tests/blog/test_library_crops.py).
                "crops": {
                    "focal": [500, 500],
                    "card": {
                        "width": 900,
                        "height": 506,
                        "format": "jpg",
                        "formats": {"webp": [320, 640, 900], "jpg": [320, 640, 900]},
                    },
                    "share": {"width": 900, "height": 472, "format": "jpg"},
                },
            },
            "articles/body.png": {
                "width": 700,
                "height": 350,
                "format": "png",
                "formats": {"webp": [320, 640, 700], "png": [320, 640]},
            },
        }
        assert article.updated_at == updated_at

    def test_tells_the_page_cache_when_the_map_changes(self):
        article = ArticleFactory(featured_image=make_image_file("lead.jpg", (900, 600), fmt="JPEG"))
        with mock.patch("pagecache.cache.invalidate") as invalidate:
            make_article_renditions(article.pk)
            invalidate.assert_called_once_with([f"a{article.pk}"])
            invalidate.reset_mock()
            make_article_renditions(article.pk)  # nothing changed
            invalidate.assert_not_called()

    def test_the_map_follows_the_images_the_article_has(self):
        put("articles/body.png", image_bytes((700, 350), "PNG"))
        article = ArticleFactory(body=body_with_image())
        make_article_renditions(article.pk)
        Article.objects.filter(pk=article.pk).update(body="<p>No picture any more.</p>")
        assert make_article_renditions(article.pk) == {}
        assert Article.objects.get(pk=article.pk).renditions == {}

    def test_a_damaged_image_does_not_stop_the_others(self, caplog):
        put("articles/body.png", image_bytes((700, 350), "PNG"))
        put("articles/broken.png", b"garbage")
        article = ArticleFactory(body=body_with_image() + body_with_image("/media/articles/broken.png"))
        with caplog.at_level(logging.WARNING, logger="blog.images"):
            renditions = make_article_renditions(article.pk)
        assert list(renditions) == ["articles/body.png"]
        assert "articles/broken.png" in caplog.text

    def test_a_deleted_article_is_no_error(self):
        assert make_article_renditions(987654) is None

    def test_command_backfills_articles_missing_renditions(self, writes):
        put("articles/body.png", image_bytes((700, 350), "PNG"))
        done = ArticleFactory(body=body_with_image())
        make_article_renditions(done.pk)
        # As after a bulk import: written without save(), so no task ran.
        Article.objects.bulk_create(
            [ArticleFactory.build(slug="imported", author=done.author, category=None, body=body_with_image())]
        )
        imported = Article.objects.get(slug="imported")
        writes.reset_mock()
        out = io.StringIO()
        call_command("make_renditions", "--missing", stdout=out)
        assert "Renditions checked for 1 articles; 1 maps changed." in out.getvalue()
        imported.refresh_from_db()
        done.refresh_from_db()
        assert imported.renditions == done.renditions == {"articles/body.png": done.renditions["articles/body.png"]}
        assert written(writes) == []  # the same picture: its renditions exist already

        out = io.StringIO()
        call_command("make_renditions", stdout=out)  # all of them: checks each, changes nothing
        assert "Renditions checked for 2 articles; 0 maps changed." in out.getvalue()


# --- markup ----------------------------------------------------------------------------------------------


class Tags(HTMLParser):
    """The start tags of an HTML document, as (tag, {attribute: value})."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, name, **match):
        return [attrs for tag, attrs in self.tags if tag == name and all(attrs.get(k) == v for k, v in match.items())]


@pytest.fixture
def pictured(django_capture_on_commit_callbacks):
    """A live article with a 1000×500 JPEG featured image and a PNG in its body, renditions made."""
    put("articles/body.png", image_bytes((700, 350), "PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(
            featured_image=make_image_file("lead.jpg", (1000, 500), fmt="JPEG"),
            featured_image_alt="A red square",
            body=body_with_image(),
            is_featured=True,
        )
    article.refresh_from_db()
    assert len(article.renditions) == 2
    return article


class TestFeaturedPicture:
    def test_picture_from_the_map(self, pictured):
        name, original = pictured.featured_image.name, pictured.featured_image.url
        html = images.featured_picture(pictured, "article", eager=True)
        assert html.startswith("<picture><source") and html.endswith("</picture>")
        (source,) = Tags(html).named("source")
        (img,) = Tags(html).named("img")
        assert source == {
            "type": "image/webp",
            "srcset": srcset(*zip(urls(name, "webp", [320, 640, 960, 1000]), [320, 640, 960, 1000], strict=True)),
            "sizes": SIZES["article"],
        }
        assert img == {
            "src": original,
            "srcset": srcset(*zip(urls(name, "jpg", [320, 640, 960]), [320, 640, 960], strict=True), (original, 1000)),
            "sizes": SIZES["article"],
            "width": "1000",
            "height": "500",
            "alt": "A red square",
            "loading": "eager",
            "fetchpriority": "high",
        }

    def test_every_other_picture_is_lazy(self, pictured):
        (img,) = Tags(images.featured_picture(pictured, "card", alt="")).named("img")
        assert (img["loading"], img["decoding"], img["alt"], img["sizes"]) == ("lazy", "async", "", SIZES["card"])
        assert "fetchpriority" not in img

    def test_the_original_with_its_size_until_renditions_exist(self):
        article = ArticleFactory(featured_image=make_image_file("lead.jpg", (1000, 500), fmt="JPEG"))
        html = images.featured_picture(article, "card", alt="")
        assert "<picture" not in html
        assert Tags(html).tags == [
            (
                "img",
                {
                    "src": article.featured_image.url,
                    "width": "1000",
                    "height": "500",
                    "alt": "",
                    "loading": "lazy",
                    "decoding": "async",
                },
            )
        ]
        assert Tags(images.featured_preload(article, "article")).named("link") == [
            {"rel": "preload", "as": "image", "href": article.featured_image.url, "fetchpriority": "high"}
        ]

    def test_no_image_no_markup(self):
        article = ArticleFactory()
        assert images.featured_picture(article, "card") == "" and images.featured_preload(article, "card") == ""


class TestPages:
    def test_article_page(self, client, pictured):
        html = client.get(pictured.get_absolute_url()).content.decode()
        head, body = html.split("</head>")
        name = pictured.featured_image.name
        webp = srcset(*zip(urls(name, "webp", [320, 640, 960, 1000]), [320, 640, 960, 1000], strict=True))
        preloads = Tags(html).named("link", rel="preload")
        assert preloads == [
            {
                "rel": "preload",
                "as": "image",
                "imagesrcset": webp,
                "imagesizes": SIZES["article"],
                "type": "image/webp",
                "fetchpriority": "high",
            }
        ]
        assert 'rel="preload"' in head
        imgs = Tags(body).named("img")
        featured = [img for img in imgs if img["src"] == pictured.featured_image.url]
        assert [img["loading"] for img in featured] == ["eager"]
        (in_body,) = [img for img in imgs if img["src"] == "/media/articles/body.png"]
        assert (in_body["loading"], in_body["decoding"], in_body["width"], in_body["height"]) == (
            "lazy",
            "async",
            "700",
            "350",
        )
        assert len(Tags(body).named("source", type="image/webp")) == 2

    def test_home_page_lead_is_eager_and_preloaded_the_rest_lazy(self, client, pictured):
        others = [
            ArticleFactory(featured_image=make_image_file(f"card{i}.png", (640, 360)), featured_image_alt="x")
            for i in range(3)
        ]
        html = client.get(reverse("blog:home")).content.decode()
        tags = Tags(html)
        (preload,) = tags.named("link", rel="preload")
        assert preload["imagesizes"] == SIZES["lead"] and preload["type"] == "image/webp"
        by_src = {img["src"]: img for img in tags.named("img")}
        # The lead shows its 16:9 crop around the focal point (blog/crops.py), 889×500 of the 1000×500 picture.
        lead = default_storage.url(crops.crop_name(pictured.featured_image.name, "card", [500, 500], 889, "jpg"))
        assert by_src[lead]["loading"] == "eager"
        assert by_src[lead]["fetchpriority"] == "high"
        for article in others:
            img = by_src[article.featured_image.url]
            assert (img["loading"], img["decoding"], img["width"], img["height"]) == ("lazy", "async", "640", "360")
        assert [img["loading"] for img in tags.named("img")].count("eager") == 1

    def test_other_pages_preload_nothing(self, client, pictured):
        html = client.get(pictured.category.get_absolute_url()).content.decode()
        assert 'rel="preload"' not in html
        assert "eager" not in html

    @pytest.mark.parametrize("page", ["home", "article", "category", "search"])
    def test_query_count_does_not_change(self, client, pictured, page):
        """Pictures with renditions and without: the budgets pinned in test_query_counts hold."""
        for i in range(3):
            ArticleFactory(
                featured_image=make_image_file(f"card{i}.png", (640, 360)),
                featured_image_alt="x",
                category=pictured.category,
            )
        url = {
            "home": reverse("blog:home"),
            "article": pictured.get_absolute_url(),
            "category": pictured.category.get_absolute_url(),
            "search": reverse("blog:search") + "?q=article",
        }[page]
        assert count_queries(client, url) == EXPECTED[page]


# --- body images -----------------------------------------------------------------------------------------


class TestBody:
    def test_images_rewritten_from_the_map_and_the_stored_body_unchanged(self, pictured):
        stored = pictured.body
        html = images.responsive_body(pictured.body, pictured.renditions)
        assert pictured.body == stored == Article.objects.get(pk=pictured.pk).body
        (source,) = Tags(html).named("source")
        (img,) = Tags(html).named("img")
        name = "articles/body.png"
        assert source["srcset"] == srcset(*zip(urls(name, "webp", [320, 640, 700]), [320, 640, 700], strict=True))
        assert img == {
            "src": "/media/articles/body.png",
            "srcset": srcset(
                *zip(urls(name, "png", [320, 640]), [320, 640], strict=True), ("/media/articles/body.png", 700)
            ),
            "sizes": "(min-width: 44rem) 42rem, calc(100vw - 2rem)",
            "width": "700",
            "height": "350",
            "alt": "A chart",
            "loading": "lazy",
            "decoding": "async",
        }
        assert html.startswith('<p>Intro text.</p><figure><picture><source type="image/webp"')
        assert html.endswith("</picture></figure><p>More.</p>")

    def test_an_editors_size_is_kept(self, pictured):
        body = '<p><img src="/media/articles/body.png" alt="" width="350" height="175"></p>'
        (img,) = Tags(images.responsive_body(body, pictured.renditions)).named("img")
        assert (img["width"], img["height"]) == ("350", "175")
        assert img["sizes"] == "(max-width: 382px) calc(100vw - 2rem), 350px"  # shown at most 350 px wide
        only_width = '<p><img src="/media/articles/body.png" width="140"></p>'
        (img,) = Tags(images.responsive_body(only_width, pictured.renditions)).named("img")
        assert (img["width"], img["height"]) == ("140", "70")
        assert "alt" not in img

    def test_images_without_renditions_only_load_lazily(self):
        body = '<p><img src="https://elsewhere.example/x.jpg" alt="Elsewhere"></p><p><img src="/media/new.png"></p>'
        assert images.responsive_body(body, {}) == (
            '<p><img src="https://elsewhere.example/x.jpg" alt="Elsewhere" loading="lazy" decoding="async"></p>'
            '<p><img src="/media/new.png" loading="lazy" decoding="async"></p>'
        )

    def test_article_body_parts_with_the_callout(self, client, pictured):
        pictured.body = "<p>One.</p><p>Two.</p>" + body_with_image()
        pictured.save()
        html = client.get(pictured.get_absolute_url()).content.decode()
        assert html.count('<source type="image/webp"') == 2

    def test_nothing_in_an_attribute_breaks_out(self, pictured):
        hostile = (
            '<p><img src="/media/articles/body.png" alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" '
            'onerror="alert(2)"></p>'
            '<p><a href="https://example.com/" title="<img src=&quot;/media/articles/body.png&quot;>">link</a></p>'
            '<p><img src="/media/articles/body.png&quot; onerror=&quot;alert(3)"></p>'
            '<p><img src="/media/x.png" alt="\' onload=\'alert(4)"></p>'
        )
        article = ArticleFactory(body=hostile, renditions=pictured.renditions)  # saved: sanitized by nh3
        html = images.responsive_body(article.body, article.renditions)
        tags = Tags(html)
        assert not tags.named("script")
        assert all(not key.startswith("on") for _tag, attrs in tags.tags for key in attrs)
        imgs = tags.named("img")
        assert imgs[0]["alt"] == '"><script>alert(1)</script>'
        assert imgs[0]["srcset"]  # the real image got its renditions
        assert imgs[1]["src"] == '/media/articles/body.png" onerror="alert(3)'
        assert imgs[2]["alt"] == "' onload='alert(4)"
        (link,) = tags.named("a")
        assert link["title"] == '<img src="/media/articles/body.png">'  # not taken for an image
        assert len(tags.named("picture")) == 1

    def test_not_even_raw_markup_in_an_attribute_is_taken_for_an_image(self, pictured):
        # nh3 escapes "<" in attribute values; the rewrite does not depend on it.
        body = '<p><a href="/" title="<img src>">one</a><a href="/" title="<img>">two</a></p>'
        assert images.responsive_body(body, pictured.renditions) == body
