"""The blog and the image library (library/): where its pictures are used, and how articles follow them.

Articles keep their pictures as storage names (`Article.featured_image`, the <img src> of the
body under MEDIA_URL, listed in `Article.body_images`); the library is the catalogue of those
files, keyed by the same names (`library.Image.file`). So:

- `article_uses` tells the library which articles show its pictures ("used in 3 articles",
  with links; the admin's used / unused filter: `article_uses.used_filter`), registered with
  library/usage.py by BlogConfig.ready();
- `catalogue_article_images` gives every picture an article shows a library row (the file as
  it is, not re-encoded: `Image.objects.register_stored`), after each save (a task:
  blog/tasks.py) and in the data migration for the articles written before the library;
- `follow_replacement` rewrites the articles that show a replaced picture to its new file,
  and `pictures_described_anew` refreshes the pages showing a picture whose words or focal
  point changed (blog/receivers.py connects both to library/signals.py).
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, TextField, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.html import attributes, start_tags
from library import usage
from library.models import Image

from . import invalidation
from .image_names import body_image_names, body_images_text, media_prefixes, names_line, storage_name
from .images import image_names
from .models import Article

logger = logging.getLogger(__name__)

USE_FIELDS = ("pk", "title", "slug", "status", "published_at", "featured_image", "body_images")


# --- where pictures are used -----------------------------------------------------------------------------


def _showing(names):
    """A Q over articles showing any of the storage names `names` (featured, or in the body)."""
    condition = Q(featured_image__in=names)
    for name in names:
        condition |= Q(body_images__contains=names_line(name))
    return condition


def article_uses(images):
    """{image.pk: [usage.Use]} of the articles that show `images`: one query, whatever their number."""
    by_name = {image.name: image.pk for image in images if image.name}
    if not by_name:
        return {}
    found = {}
    for row in Article.objects.filter(_showing(list(by_name))).order_by("-pk").values(*USE_FIELDS):
        article = Article(**{key: value for key, value in row.items() if key not in ("featured_image", "body_images")})
        admin_url = reverse("admin:blog_article_change", args=[row["pk"]])
        public_url = article.get_absolute_url() if article.is_live else ""
        in_body = set(row["body_images"].split("\n")) if row["body_images"] else set()
        for name, pk in by_name.items():
            if row["featured_image"] == name:
                where = _("featured image")
            elif name in in_body:
                where = _("in the text")
            else:
                continue
            label = _("Article “%(title)s” (%(where)s)") % {"title": row["title"], "where": where}
            found.setdefault(pk, []).append(usage.Use(label, admin_url, public_url))
    return found


def _used_filter():
    """Library images some article shows: a Q for the changelist's own query (no query of its own)."""
    featured = Article.objects.filter(featured_image=OuterRef("file"))
    in_body = Article.objects.filter(
        body_images__contains=Concat(Value("\n"), OuterRef("file"), Value("\n"), output_field=TextField())
    )
    return Q(Exists(featured)) | Q(Exists(in_body))


article_uses.used_filter = _used_filter


def articles_showing(name):
    """The pks of the articles that show the picture stored as `name`."""
    if not name:
        return []
    return list(Article.objects.filter(_showing([name])).values_list("pk", flat=True))


# --- every picture an article shows is in the library ----------------------------------------------------


def _descriptions(article):
    """{storage name: (alt, caption, credit)} for the pictures of `article`: what a new library row says."""
    said = {}
    if article.featured_image:
        said[article.featured_image.name] = (
            article.featured_image_alt,
            article.featured_image_caption,
            article.featured_image_credit,
        )
    for name, alt in body_image_names(article.body).items():
        said.setdefault(name, (alt, "", ""))
    return said


def catalogue_article_images(article, storage=None):
    """Give each picture `article` shows that is stored in `storage` (default_storage) a library row.

    Pictures already in the library are left as they are (one query finds them); a new row
    takes its alt text, caption and credit from the article (its featured image's, or the
    <img alt>). Missing files and files that are no readable image are logged and skipped.
    Returns the images made.
    """
    storage = storage or default_storage
    names = image_names(article)
    if not names:
        return []
    known = set(Image.objects.filter(file__in=names).values_list("file", flat=True))
    said = _descriptions(article)
    made = []
    for name in names:
        if name in known:
            continue
        alt, caption, credit = said.get(name, ("", "", ""))
        try:
            image, created = Image.objects.register_stored(
                name, alt=alt[:250], caption=caption[:300], credit=credit[:200], storage=storage
            )
        except ValidationError as exc:
            logger.warning("Image library: %s of article %s not catalogued (%s)", name, article.pk, exc.messages[0])
            continue
        if created:
            made.append(image)
        elif image.name != name:
            # The same bytes are in the library under another name: the article keeps its copy.
            logger.info("Image library: %s of article %s is a copy of %s", name, article.pk, image.name)
    return made


# --- a picture replaced, a picture described anew ---------------------------------------------------------


def replace_in_body(html, old_name, new_url, prefixes=None):
    """`html` with every <img> showing `old_name` pointing at `new_url` instead (other attributes kept)."""
    if not html or "<img" not in html:
        return html
    prefixes = prefixes or media_prefixes()
    pieces, position = [], 0
    for token in start_tags(html, "img"):
        attrs = attributes(token)
        if storage_name(attrs.get("src"), prefixes) != old_name:
            continue
        attrs["src"] = new_url
        attrs.pop("srcset", None)  # a stored body has none; never one pointing at the old file
        rebuilt = "<img" + "".join(f' {key}="{escape(value)}"' for key, value in attrs.items()) + ">"
        pieces += [html[position : token.start], rebuilt]
        position = token.end
    pieces.append(html[position:])
    return "".join(pieces)


def follow_replacement(image, old_name, new_name):
    """Point every article showing `old_name` at `new_name` (the library replaced the picture's file).

    Bodies and featured images are rewritten without save() (no revision, no new `updated_at`:
    the words did not change), the old file's renditions are dropped from the maps and the pages
    that show the articles are refreshed. Returns the pks of the articles rewritten: their
    renditions are to be made again (blog/receivers.py queues the task).
    """
    pks = articles_showing(old_name)
    if not pks:
        return []
    new_url = default_storage.url(new_name)
    prefixes = media_prefixes()
    fields = ("featured_image", "featured_image_width", "featured_image_height", "body", "body_images", "renditions")
    with transaction.atomic():
        for article in Article.objects.select_for_update().filter(pk__in=pks).only(*fields):
            changes = {}
            if article.featured_image.name == old_name:
                changes.update(
                    featured_image=new_name, featured_image_width=image.width, featured_image_height=image.height
                )
            body = replace_in_body(article.body, old_name, new_url, prefixes)
            if body != article.body:
                changes.update(body=body, body_images=body_images_text(body))
            renditions = {key: value for key, value in (article.renditions or {}).items() if key != old_name}
            if renditions != article.renditions:
                changes["renditions"] = renditions
            if changes:
                Article.objects.filter(pk=article.pk).update(**changes)
        invalidation.articles_changed(pks)
    return pks


def pictures_described_anew(image):
    """The alt text, caption, credit or focal point of `image` changed: refresh the pages of the articles
    that show it. Returns the pks of those that feature it: their crops are to be made again (the
    renditions task keeps what still fits; blog/receivers.py queues it)."""
    pks = articles_showing(image.name)
    if not pks:
        return []
    invalidation.articles_rendered_anew(pks)
    return list(Article.objects.filter(pk__in=pks, featured_image=image.name).values_list("pk", flat=True))
