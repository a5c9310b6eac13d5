"""Which stored images an HTML body shows: their `default_storage` names, from the <img src> under MEDIA_URL.

Used by blog/images.py (renditions), `Article.derive_body` (`Article.body_images`, which
blog/library_uses.py searches to tell where a library picture is used) and the data
migration that put the pictures into the library. Imports nothing of the blog's.
"""

from urllib.parse import unquote

from django.conf import settings
from django.core.files.storage import default_storage

from core.html import attributes, start_tags

PREFIX = "renditions/"  # the renditions' folder (blog/images.py): never an original


def media_prefixes():
    """The addresses under which `default_storage` files are served: MEDIA_URL, and the storage's own.

    The two differ with S3, where files are served from the bucket's or the CDN's
    address, and images in bodies carry that (they were written with
    `default_storage.url()`).
    """
    prefixes = [settings.MEDIA_URL] if settings.MEDIA_URL else []
    probe = "byline-probe.png"
    try:
        url = default_storage.url(probe)
    except Exception:  # a storage without URLs: MEDIA_URL only
        return prefixes
    if probe in url:
        base = url[: url.rindex(probe)]
        if base and base not in prefixes:
            prefixes.append(base)
    return prefixes


def storage_name(src, prefixes=None):
    """The `default_storage` name of an image URL under one of `prefixes` (default: media_prefixes()), or None.

    None as well for the renditions themselves and for anything that could reach
    outside the storage ("..", absolute paths).
    """
    if not src:
        return None
    prefix = next((p for p in prefixes or media_prefixes() if src.startswith(p)), None)
    if prefix is None:
        return None
    name = unquote(src[len(prefix) :].split("#", 1)[0].split("?", 1)[0])
    parts = name.split("/")
    if (
        not name
        or name.startswith(PREFIX)
        or "\\" in name
        or "\x00" in name
        or "\n" in name
        or "\r" in name
        or any(p in ("", ".", "..") for p in parts)
    ):
        return None
    return name


def _img_tags(html):
    """The attributes of each <img> of `html`, as core/html.py reads them."""
    for token in start_tags(html or "", "img"):
        yield attributes(token)


def body_image_names(html):
    """{storage name: alt text} of the <img> of `html` stored in `default_storage`, in order, once each."""
    prefixes = media_prefixes()
    found = {}
    for attrs in _img_tags(html):
        name = storage_name(attrs.get("src"), prefixes)
        if name and name not in found:
            found[name] = attrs.get("alt") or ""
    return found


def body_images_text(html):
    """`Article.body_images` for a body: its images' storage names, each on a line of its own, with a line
    break before the first and after the last ("" without images), so `contains=names_line(name)` finds one."""
    names = list(body_image_names(html))
    return "\n" + "\n".join(names) + "\n" if names else ""


def names_line(name):
    """What `Article.body_images` contains when the body shows the image stored as `name`."""
    return f"\n{name}\n"
