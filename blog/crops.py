"""Crops of a featured image around its focal point: the listing cards' 16:9 pictures and the share image.

A picture's focal point (`library.Image.focal_x`/`focal_y`, fractions of its width and
height from the top left; the middle when the picture is not in the library) is what
must stay in view when the picture is cut to another shape. The renditions task
(blog/images.py) makes, with the featured image's renditions:

- `card`: the largest 16:9 part of the picture around the focal point, at the widths of
  `WIDTHS` below its own, in WebP and in the picture's format. Listing cards and the home
  page's lead show pictures 16:9 (static/css/site.css, `.card__image img`); cut by the
  browser (`object-fit: cover`), the middle stays, not the focal point, and reader pages
  allow no inline style (core/security.py) to move it with `object-position`.
- `share`: the link-preview picture (og:image, twitter:image), 1200×630 (what Facebook,
  LinkedIn and X show large), cut from the largest 1200:630 part around the focal point;
  narrower only when that part is narrower than 1200 px (never enlarged). JPEG, or PNG
  for a PNG or a picture with transparency.

They sit in the image's entry of `Article.renditions`, under "crops":

    "crops": {"focal": [300, 400],
              "card": {"width": 1600, "height": 900, "format": "jpg",
                       "formats": {"webp": [320, 640, 960, 1280], "jpg": [320, 640, 960, 1280]}},
              "share": {"width": 1200, "height": 630, "format": "jpg"}}

`focal` is in thousandths; it is part of every crop's file name, so moving the focal
point makes new files (and new addresses: cached copies never show the old cut):

    renditions/articles/2026/05/photo.jpg-card-300-400-640w.webp
    renditions/articles/2026/05/photo.jpg-share-300-400-1200w.jpg
"""

from django.core.files.storage import default_storage

from core import imaging

CARD_RATIO = (16, 9)
SHARE_SIZE = (1200, 630)
CENTRE = (0.5, 0.5)


def focal_key(focal):
    """The focal point (x, y as fractions) in thousandths, clamped to the picture: [x, y]."""
    return [min(1000, max(0, round(float(value) * 1000))) for value in (focal or CENTRE)]


def crop_name(name, kind, key, width, ext):
    """The storage name of the `kind` crop ("card", "share") of `name` at `width` px, focal point `key`."""
    return f"renditions/{name}-{kind}-{key[0]}-{key[1]}-{width}w.{ext}"


def crop_box(width, height, ratio, key):
    """(left, top, right, bottom): the largest part of a `width`×`height` picture of shape `ratio` (w, h),
    centred on the focal point `key` (thousandths) as far as the picture's edges allow."""
    if width * ratio[1] > height * ratio[0]:  # wider than the shape: full height
        crop_w, crop_h = max(1, min(width, round(height * ratio[0] / ratio[1]))), height
    else:
        crop_w, crop_h = width, max(1, min(height, round(width * ratio[1] / ratio[0])))
    left = _clamp(round(key[0] / 1000 * width - crop_w / 2), 0, width - crop_w)
    top = _clamp(round(key[1] / 1000 * height - crop_h / 2), 0, height - crop_h)
    return left, top, left + crop_w, top + crop_h


def _clamp(value, low, high):
    return max(low, min(high, value))


def has_alpha(img):
    """Whether an opened image has transparency (its share crop is a PNG then)."""
    return img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info


def plan(width, height, ext, key, ladder, alpha=False):
    """The "crops" entry to make of a `width`×`height` picture in format `ext` with focal point `key`.

    `ladder`: the widths renditions are made at (blog/images.py WIDTHS).
    """
    left, top, right, bottom = crop_box(width, height, CARD_RATIO, key)
    card_w, card_h = right - left, bottom - top
    widths = [w for w in ladder if w < card_w] + ([card_w] if card_w <= ladder[-1] else [])
    card_formats = {"webp": widths} if ext == "webp" else {"webp": widths, ext: widths}
    left, top, right, bottom = crop_box(width, height, SHARE_SIZE, key)
    share_w = min(SHARE_SIZE[0], right - left)
    share_h = max(1, round(share_w * SHARE_SIZE[1] / SHARE_SIZE[0]))
    return {
        "focal": list(key),
        "card": {"width": card_w, "height": card_h, "format": ext, "formats": card_formats},
        "share": {"width": share_w, "height": share_h, "format": "png" if ext == "png" or alpha else "jpg"},
    }


def files(name, crops):
    """[(storage name, kind, width, ext)] of every file a "crops" entry lists."""
    key = crops["focal"]
    listed = [
        (crop_name(name, "card", key, w, ext), "card", w, ext)
        for ext, widths in crops["card"]["formats"].items()
        for w in widths
    ]
    share = crops["share"]
    listed.append(
        (crop_name(name, "share", key, share["width"], share["format"]), "share", share["width"], share["format"])
    )
    return listed


def valid(crops):
    """Whether `crops` is a well-formed "crops" entry."""
    try:
        return (
            len(crops["focal"]) == 2
            and all(isinstance(v, int) for v in crops["focal"])
            and all(
                isinstance(crops[kind][side], int) and crops[kind][side] > 0
                for kind in ("card", "share")
                for side in ("width", "height")
            )
            and isinstance(crops["card"]["formats"], dict)
            and isinstance(crops["card"]["format"], str)
            and isinstance(crops["share"]["format"], str)
        )
    except (KeyError, TypeError):
        return False


def complete(name, entry, key, storage, ladder):
    """Whether `entry` (an image's map entry) has crops for focal point `key`, following the current plan
    for its size (`ladder`: the rendition widths), whose files all exist."""
    crops = entry.get("crops") if isinstance(entry, dict) else None
    if not valid(crops) or crops["focal"] != list(key):
        return False
    planned = plan(entry["width"], entry["height"], entry["format"], key, ladder)
    if crops["card"] != planned["card"] or (crops["share"]["width"], crops["share"]["height"]) != (
        planned["share"]["width"],
        planned["share"]["height"],
    ):
        return False
    return all(storage.exists(file_name) for file_name, *_rest in files(name, crops))


def make(img, icc, crops, wanted):
    """(storage name, bytes) of each crop file of `wanted` (some of `files(name, crops)`), cut from `img`
    (decoded and upright, colour profile `icc`) as its "crops" entry `crops` says."""
    width, height = img.size
    cut = {}
    for file_name, kind, w, fmt in wanted:
        if kind not in cut:
            ratio = CARD_RATIO if kind == "card" else SHARE_SIZE
            cut[kind] = img.crop(crop_box(width, height, ratio, crops["focal"]))
        part = crops[kind]
        size = (w, max(1, round(part["height"] * w / part["width"])))
        yield file_name, imaging.encode_size(cut[kind], size, fmt, icc)


# --- markup ----------------------------------------------------------------------------------------------


def card(entry):
    """The card crop's part of an image's map `entry` ({"width", "height", "format", "formats"}) and its
    focal key, or (None, None) when the entry has no crops."""
    crops = entry.get("crops") if isinstance(entry, dict) else None
    if not valid(crops) or not crops["card"]["formats"]:
        return None, None
    return crops["card"], crops["focal"]


def share_image(name, entry, storage=None):
    """{"url", "width", "height"} of the share crop of `name` from its map `entry`, or None without one."""
    crops = entry.get("crops") if isinstance(entry, dict) else None
    if not valid(crops):
        return None
    share = crops["share"]
    storage = storage or default_storage
    url = storage.url(crop_name(name, "share", crops["focal"], share["width"], share["format"]))
    return {"url": url, "width": share["width"], "height": share["height"]}
