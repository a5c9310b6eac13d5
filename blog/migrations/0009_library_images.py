"""The pictures articles showed before the image library go into it, as they are.

For every article: `body_images` is kept from its body (as Article.derive_body keeps it), and
its featured image and the images of its body stored in `default_storage` get a library row
(alt text, caption and credit from the article: its featured image's, or the <img alt>).
Files are not re-encoded or moved (pages point at them): each is read once for the SHA-256 of
its bytes and its size. Missing files, files that are no readable image and copies of a
picture already catalogued under another name are skipped and counted.
"""

import hashlib
import logging

from django.core.files.storage import default_storage
from django.db import migrations

logger = logging.getLogger("blog.migrations")

BATCH = 500
MAX_BYTES = 50 * 1024 * 1024


def _read(storage, name):
    """The bytes of stored file `name` (None when there is none or it is over MAX_BYTES)."""
    try:
        with storage.open(name, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    return data if len(data) <= MAX_BYTES else None


def _size(data):
    """(width, height) as shown of the image in `data`, or None when it is no image of core/imaging's formats."""
    from core import imaging

    try:
        with imaging.opened(data) as img:
            return imaging.displayed_size(img)
    except (*imaging.BOMBS, *imaging.DAMAGED):
        return None


def catalogue_existing(Article, Image, storage=None):
    """Keep `body_images` and catalogue the articles' pictures; {"added", "known", "missing", "unreadable",
    "copies", "articles"} (models may be historical ones)."""
    from blog.image_names import body_image_names, body_images_text
    from library.models import make_thumbnail

    storage = storage or default_storage
    counts = dict.fromkeys(("added", "known", "missing", "unreadable", "copies", "articles"), 0)
    said = {}  # storage name -> (alt, caption, credit): what its first article says
    changed = []
    fields = ("body", "body_images", "featured_image", "featured_image_alt", "featured_image_caption")
    rows = Article.objects.order_by("pk").only(*fields, "featured_image_credit").iterator(chunk_size=BATCH)
    for article in rows:
        counts["articles"] += 1
        if article.featured_image:
            said.setdefault(
                article.featured_image.name,
                (article.featured_image_alt, article.featured_image_caption, article.featured_image_credit),
            )
        for name, alt in body_image_names(article.body).items():
            said.setdefault(name, (alt, "", ""))
        text = body_images_text(article.body)
        if text != article.body_images:
            article.body_images = text
            changed.append(article)
        if len(changed) >= BATCH:
            Article.objects.bulk_update(changed, ["body_images"])
            changed = []
    if changed:
        Article.objects.bulk_update(changed, ["body_images"])

    known = set(Image.objects.filter(file__in=list(said)).values_list("file", flat=True))
    digests = set(Image.objects.values_list("sha256", flat=True))
    for name, (alt, caption, credit) in said.items():
        if name in known:
            counts["known"] += 1
            continue
        data = _read(storage, name)
        if data is None:
            counts["missing"] += 1
            continue
        size = _size(data)
        if size is None:
            counts["unreadable"] += 1
            continue
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in digests:
            counts["copies"] += 1
            continue
        digests.add(sha256)
        Image.objects.create(
            file=name,
            width=size[0],
            height=size[1],
            sha256=sha256,
            alt=(alt or "")[:250],
            caption=(caption or "")[:300],
            credit=(credit or "")[:200],
        )
        make_thumbnail(data, sha256, storage)
        counts["added"] += 1
    if counts["missing"] or counts["unreadable"] or counts["copies"]:
        logger.warning("Image library: pictures of articles skipped: %s", counts)
    return counts


def forwards(apps, schema_editor):
    counts = catalogue_existing(apps.get_model("blog", "Article"), apps.get_model("library", "Image"))
    if counts["articles"]:
        print(
            f"\n  Image library: {counts['added']} pictures added, {counts['known']} already there; skipped: "
            f"{counts['missing']} missing, {counts['unreadable']} unreadable, {counts['copies']} copies."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_article_body_images"),
        ("library", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
