"""Responsive images: renditions of articles' featured and in-body images, and the markup using them.

After an article is saved with images that have no renditions yet, a task
(`blog.tasks.make_renditions_task`) makes them once, off the request path: each
image at the widths of `WIDTHS` that are smaller than it, in WebP and in its own
format (JPEG stays JPEG, PNG stays PNG, a still GIF stays GIF; an original in
WebP only needs WebP), plus a WebP at the original's own width. Animated
images are left alone. Everything goes through `default_storage` (S3 in
production), under a name derived from the original's:

    articles/2026/05/photo.jpg -> renditions/articles/2026/05/photo.jpg-640w.webp
                                  renditions/articles/2026/05/photo.jpg-640w.jpg

(the original's extension stays in the name, so photo.jpg and photo.png never
share renditions). What the pages need is stored on the article,
`Article.renditions`, keyed by the original's storage name:

    {"articles/2026/05/photo.jpg": {"width": 1600, "height": 900, "format": "jpg",
                                    "formats": {"webp": [320, 640, 960, 1280, 1600],
                                                "jpg": [320, 640, 960, 1280]}}}

`width` and `height` are as displayed (EXIF orientation applied), `format` is
the extension of the original's format and `formats` the widths made in each.
Pages build `<picture>` markup from that map alone: no query, no storage call
beyond `url()`. Until renditions exist, they show the original with its size.
"""

import logging
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core import imaging
from core.html import attributes, start_tags
from library.models import Image as LibraryImage

from . import crops
from .image_names import PREFIX, body_image_names, media_prefixes, storage_name
from .invalidation import update_articles
from .models import Article

logger = logging.getLogger(__name__)

# Widths in CSS pixels × density that the layout needs: a phone at 1x-3x (320-1280),
# the article column (42rem, 672 px) at 1x-2x (960, 1280) and the home page's lead
# (about 50rem) at 2x (1920). Nothing wider is made: no screen shows our images wider.
WIDTHS = (320, 640, 960, 1280, 1920)
# Decoding, the formats allowed and the quality of each rendition: core/imaging.py.
MAX_SOURCE_BYTES = 50 * 1024 * 1024

# `sizes` for each place a featured image is shown, from static/css/site.css: the page
# is at most 72rem wide with 1rem of padding; from 60rem on, the sidebar (18rem) and
# the gap (2.5rem) take their share; an article is at most 42rem (--measure) wide; a
# card's picture is 12rem wide beside its text from 40rem on, full width below.
SIZES = {
    "article": "(min-width: 44rem) 42rem, calc(100vw - 2rem)",
    "lead": "(min-width: 72rem) 49.5rem, (min-width: 60rem) calc(100vw - 22.5rem), calc(100vw - 2rem)",
    "card": "(min-width: 40rem) 12rem, calc(100vw - 2rem)",
}
ARTICLE_WIDTH_PX = 672  # 42rem: body images narrower than this are shown at their own width


# --- names -----------------------------------------------------------------------------------------------


def rendition_name(name, width, ext):
    """The storage name of the rendition of `name` at `width` pixels in format `ext`."""
    return f"{PREFIX}{name}-{width}w.{ext}"


def plan(width, ext):
    """{extension: [widths]}: the renditions to make of an image `width` pixels wide in format `ext`."""
    ladder = [w for w in WIDTHS if w < width]
    if ext == "webp":
        return {"webp": ladder}  # the original itself is the widest WebP
    # The original is the widest in its own format; WebP gets the original width too,
    # unless that is wider than any layout needs (and WebP cannot go past 16383 px).
    return {"webp": ladder + ([width] if width <= WIDTHS[-1] else []), ext: ladder}


# The names of the attributes an <img> keeps when it is rewritten for display.
_ATTRIBUTE_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_.:-]*\Z")


def image_names(article):
    """Storage names of `article`'s images that get renditions: its featured image, then body images under MEDIA_URL."""
    names = [article.featured_image.name] if article.featured_image else []
    names += [name for name in body_image_names(article.body) if name not in names]
    return names


# --- making renditions -----------------------------------------------------------------------------------


def make_renditions(name, *, known=None, storage=None, focal=None):
    """Make the missing renditions of the image `name` in `storage`; return its map entry, or None.

    `known` is the image's entry from an earlier run: when it follows the current
    plan and every file it lists exists, it is returned without reading the image.
    Otherwise the original is read, and only renditions that do not exist yet are
    written, so a second run writes nothing. `focal` (x, y fractions; given for a
    featured image): the entry also gets the crops around that point (blog/crops.py).
    Animated images get an entry with their size and no renditions. An image that
    cannot be read, decoded or made (damaged, not an image, over Pillow's
    decompression-bomb limit, a storage error) is logged and None is returned: this
    never raises.
    """
    storage = storage or default_storage
    key = None if focal is None else crops.focal_key(focal)
    try:
        if _complete(name, known, storage) and (
            key is None or known.get("animated") or crops.complete(name, known, key, storage, WIDTHS)
        ):
            return known
        return _make(name, storage, key)
    except Exception:
        logger.exception("Renditions of %s: failed; the original is shown instead", name)
        return None


def _complete(name, entry, storage):
    if not _valid(entry) or entry["formats"] != _planned(entry):
        return False
    return all(storage.exists(rendition_name(name, w, ext)) for ext, widths in entry["formats"].items() for w in widths)


def _planned(entry):
    return {} if entry.get("animated") else plan(entry["width"], entry["format"])


def _make(name, storage, key=None):
    try:
        with storage.open(name, "rb") as file:
            data = file.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        logger.warning("Renditions of %s: skipped, there is no such file", name)
        return None
    if len(data) > MAX_SOURCE_BYTES:
        logger.warning("Renditions of %s: skipped, the file is over %s bytes", name, MAX_SOURCE_BYTES)
        return None
    try:
        # Over Pillow's decompression-bomb limit (Image.MAX_IMAGE_PIXELS) is a refusal too.
        with imaging.opened(data) as img:
            return _make_from(name, img, storage, key)
    except imaging.BOMBS:
        logger.warning("Renditions of %s: skipped, the image has too many pixels", name)
    except imaging.DAMAGED as exc:
        # What Pillow raises for damaged data; a storage error while writing is logged the same way.
        logger.warning("Renditions of %s: skipped, the image cannot be read or made (%s)", name, exc)
    return None


def _make_from(name, img, storage, key=None):
    ext = imaging.EXTENSIONS[imaging.format_of(img)]
    # A phone's MPO is a photo with extra pictures (depth, previews), not an animation.
    if imaging.is_animated(img):
        # Resizing would drop the animation; the page still gets the size (no layout shift).
        width, height = img.size
        return {"width": width, "height": height, "format": ext, "formats": {}, "animated": True}
    width, height = imaging.displayed_size(img)  # EXIF orientation applied
    formats = plan(width, ext)
    missing = [
        (w, fmt) for fmt, widths in formats.items() for w in widths if not storage.exists(rendition_name(name, w, fmt))
    ]
    entry = {"width": width, "height": height, "format": ext, "formats": formats}
    cut = []  # the focal-point crops to make (blog/crops.py)
    if key is not None:
        entry["crops"] = crops.plan(width, height, ext, key, WIDTHS, alpha=crops.has_alpha(img))
        cut = [file for file in crops.files(name, entry["crops"]) if not storage.exists(file[0])]
    if missing or cut:
        icc = imaging.upright(img)  # decodes everything: a truncated file fails here
        for w, fmt in sorted(missing, reverse=True):
            size = (w, max(1, round(height * w / width)))
            _save(storage, rendition_name(name, w, fmt), imaging.encode_size(img, size, fmt, icc))
        for file_name, content in crops.make(img, icc, entry.get("crops"), cut):
            _save(storage, file_name, content)
    return entry


def _save(storage, name, content):
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # made meanwhile by another worker: the storage picked a new name for ours
        storage.delete(saved)


# --- articles --------------------------------------------------------------------------------------------


def make_article_renditions(article_id, *, invalidate_pages=True):
    """Make the renditions of article `article_id`'s images and store its map; return the map.

    The map is written with a queryset update (no save(): no revision, no signals,
    no new `updated_at`), for the images the article has when the work is done:
    an editor may have changed them meanwhile. When the map changes, the page
    cache is told that the article's pages changed (unless `invalidate_pages` is
    False: the caller does it). Returns None when the article no longer exists.
    """
    fields = ("featured_image", "featured_image_width", "featured_image_height", "body", "renditions")
    article = Article.objects.filter(pk=article_id).only(*fields).first()
    if article is None:
        return None
    made = {}
    featured = article.featured_image.name if article.featured_image else None
    focal = focal_point(featured) if featured else None
    for name in image_names(article):
        entry = make_renditions(name, known=article.renditions.get(name), focal=focal if name == featured else None)
        if entry:
            made[name] = entry
    with transaction.atomic():
        current = Article.objects.select_for_update().filter(pk=article_id).only(*fields).first()
        if current is None:
            return None
        renditions = {}
        for name in image_names(current):
            entry = made.get(name) or current.renditions.get(name)
            if entry:
                renditions[name] = entry
        if renditions != current.renditions:
            if invalidate_pages:
                update_articles([article_id], everywhere=False, renditions=renditions)
            else:
                Article.objects.filter(pk=article_id).update(renditions=renditions)
    return renditions


def focal_point(name):
    """(x, y) of the picture stored as `name` in the image library (fractions), or the middle when it is not there."""
    found = LibraryImage.objects.filter(file=name).values_list("focal_x", "focal_y").first()
    return found or crops.CENTRE


def renditions_missing(article):
    """Whether some image of `article` has no entry in its map, the map lists images it no longer has,
    or its featured image's entry has no focal-point crops yet (blog/crops.py)."""
    renditions = article.renditions or {}
    if set(image_names(article)) != set(renditions):
        return True
    entry = renditions.get(article.featured_image.name) if article.featured_image else None
    return _valid(entry) and not entry.get("animated") and not crops.valid(entry.get("crops"))


# --- markup ----------------------------------------------------------------------------------------------


def _valid(entry):
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("width"), int)
        and isinstance(entry.get("height"), int)
        and entry["width"] > 0
        and entry["height"] > 0
        and isinstance(entry.get("format"), str)
        and isinstance(entry.get("formats"), dict)
    )


def _srcset(name, entry, ext, *, original=None, namer=None):
    """The srcset of `name`'s renditions in `ext` ('' when none), ending with `original` when it fits.

    `namer(width, ext)` names the files (default: the renditions of `name`; blog/crops.py for crops).
    """
    namer = namer or (lambda width, fmt: rendition_name(name, width, fmt))
    candidates = [(default_storage.url(namer(w, ext)), w) for w in entry["formats"].get(ext, [])]
    if not candidates:
        return ""
    if original and entry["width"] <= WIDTHS[-1]:
        candidates.append((original, entry["width"]))
    return ", ".join(f"{url} {width}w" for url, width in candidates)


def _sources(name, entry, src, namer=None):
    """(webp srcset, srcset in the original's format) of an image; '' where there is none.

    With `namer` (a crop's files), the srcsets list those files only: `src` is one of them.
    """
    if not _valid(entry):
        return "", ""
    original = None if namer else src
    if entry["format"] == "webp":
        return "", _srcset(name, entry, "webp", original=original, namer=namer)
    return _srcset(name, entry, "webp", namer=namer), _srcset(
        name, entry, entry["format"], original=original, namer=namer
    )


def _html_attributes(pairs):
    return format_html_join("", ' {}="{}"', ((key, value) for key, value in pairs if value is not None))


def picture_html(src, entry, name, *, alt, sizes, eager=False, width=None, height=None, extra=(), namer=None):
    """A <picture> (or a plain <img> when there are no renditions) for the image at `src`.

    `entry` is the image's map entry (None while renditions are not made);
    `width`/`height` are used when it has none, or override its size. `eager`:
    the first large image of the page (fetched at once, with high priority);
    every other image loads lazily and decodes off the main thread. `namer`: the
    files are a crop's (see `_srcset`). Every value is escaped.
    """
    webp, own = _sources(name, entry, src, namer)
    if _valid(entry) and (width is None or height is None):
        width, height = entry["width"], entry["height"]
    img = _html_attributes(
        [
            ("src", src),
            ("srcset", own or None),
            ("sizes", sizes if own else None),
            ("width", width),
            ("height", height),
            ("alt", alt),
            *extra,
            ("loading", "eager" if eager else "lazy"),
            ("fetchpriority", "high" if eager else None),
            ("decoding", None if eager else "async"),
        ]
    )
    if not webp:
        return format_html("<img{}>", img)
    return format_html('<picture><source type="image/webp" srcset="{}" sizes="{}"><img{}></picture>', webp, sizes, img)


def preload_html(src, entry, name, *, sizes, namer=None):
    """A <link rel="preload"> for the page's first large image, matching what its <picture> picks."""
    webp, own = _sources(name, entry, src, namer)
    if webp:
        attrs = [("imagesrcset", webp), ("imagesizes", sizes), ("type", "image/webp")]
    elif own:
        attrs = [("imagesrcset", own), ("imagesizes", sizes)]
    else:
        attrs = [("href", src)]
    return format_html('<link rel="preload" as="image"{} fetchpriority="high">', _html_attributes(attrs))


# Where the featured image is shown 16:9 (static/css/site.css): its focal-point crop (blog/crops.py).
CROPPED_PLACES = ("card", "lead")


def _featured(article, place):
    """(src, entry, name, namer) of `article`'s featured image as shown at `place`: its card crop on cards
    and the lead when it has one, else the picture itself (namer None)."""
    image = article.featured_image
    entry = (article.renditions or {}).get(image.name)
    if place in CROPPED_PLACES:
        card, key = crops.card(entry)
        if card:

            def namer(width, ext):
                return crops.crop_name(image.name, "card", key, width, ext)

            src = default_storage.url(namer(max(card["formats"][card["format"]]), card["format"]))
            return src, card, image.name, namer
    return image.url, entry, image.name, None


def featured_picture(article, place, *, eager=False, alt=None):
    """The <picture> of `article`'s featured image as shown at `place` (a key of SIZES); '' without one.

    `alt` defaults to the article's alt text ('' for a picture that only repeats a link).
    """
    if not article.featured_image:
        return ""
    src, entry, name, namer = _featured(article, place)
    # Until renditions exist, the size Django read from the upload.
    size = {} if _valid(entry) else {"width": article.featured_image_width, "height": article.featured_image_height}
    alt = article.featured_image_alt if alt is None else alt
    return picture_html(src, entry, name, alt=alt, sizes=SIZES[place], eager=eager, namer=namer, **size)


def featured_preload(article, place):
    """The preload link of `article`'s featured image as shown at `place`; '' without one."""
    if not article.featured_image:
        return ""
    src, entry, name, namer = _featured(article, place)
    return preload_html(src, entry, name, sizes=SIZES[place], namer=namer)


def share_image(article):
    """{"url", "width", "height"} of `article`'s link-preview picture (og:image), or None without a featured image.

    Its 1200×630 crop around the focal point once renditions are made (blog/crops.py), the
    picture itself with its size until then.
    """
    if not article.featured_image:
        return None
    image = article.featured_image
    found = crops.share_image(image.name, (article.renditions or {}).get(image.name))
    return found or {"url": image.url, "width": article.featured_image_width, "height": article.featured_image_height}


def body_sizes(width):
    """`sizes` of a body image shown at most `width` CSS pixels wide, in the article column."""
    if width is None or width >= ARTICLE_WIDTH_PX:
        return SIZES["article"]
    return f"(max-width: {width + 32}px) calc(100vw - 2rem), {width}px"


# Set by the rewrite itself; an <img>'s own values of these are replaced.
_REWRITTEN = {"src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding", "fetchpriority"}


def responsive_body(html, renditions):
    """Sanitized body `html` with its images made responsive, for display (the stored body is not changed).

    Every <img> loads lazily; one with an entry in `renditions` (the article's map)
    also becomes a <picture> with WebP and its size. An <img> that has both width
    and height keeps them (an editor's choice of display size); otherwise it gets
    the picture's own. Attributes are rebuilt from their decoded values and
    escaped again, so nothing in them can become markup.
    """
    if not html or "<img" not in html:
        return html
    prefixes = media_prefixes()
    pieces, position = [], 0
    for token in start_tags(html, "img"):  # each <img> start tag rewritten in place, the rest as written
        pieces += [html[position : token.start], _responsive_img(attributes(token), renditions, prefixes)]
        position = token.end
    pieces.append(html[position:])
    return mark_safe("".join(pieces))


def _responsive_img(attrs, renditions, prefixes):
    """The <picture> (or lazy <img>) shown for a body <img> with attributes `attrs`."""
    src = attrs.get("src", "")
    name = storage_name(src, prefixes)
    entry = (renditions or {}).get(name) if name else None
    width, height = _display_size(attrs, entry if _valid(entry) else None)
    extra = [(key, value) for key, value in attrs.items() if key not in _REWRITTEN and _ATTRIBUTE_NAME.match(key)]
    sizes = body_sizes(width)
    return picture_html(src, entry, name, alt=attrs.get("alt"), sizes=sizes, width=width, height=height, extra=extra)


def _display_size(attrs, entry):
    """(width, height) an <img> is shown at: its own when it has both, else its entry's (scaled to its width)."""
    width, height = _integer(attrs.get("width")), _integer(attrs.get("height"))
    if width and height:
        return width, height
    if entry is None:
        return width, height
    if width:
        return width, max(1, round(entry["height"] * width / entry["width"]))
    if height:
        return max(1, round(entry["width"] * height / entry["height"])), height
    return entry["width"], entry["height"]


def _integer(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
