"""An imported item's body and images: files under wp-content/uploads, taken from --media-dir.

The body's shortcodes and line breaks become HTML in wordpress/shortcodes.py. Images are
never downloaded: the file an address names under /wp-content/uploads/ is looked up in the
--media-dir folder (paths outside it refused; WordPress's resized copy "photo-300x200.jpg"
falls back to the original), cleaned by core.imaging as uploads are, and stored once under
articles/wordpress/ (a `media` ImportedObject row remembers it across runs). Body images
then point at the stored file; a featured image (_thumbnail_id) becomes the article's,
with the attachment's alt text and caption.
"""

import dataclasses
import hashlib
import re
from html import unescape
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify

from blog.models import Article
from core.imaging import MAX_IMAGE_BYTES, human_size, image_size, process_image

from .models import ImportedObject
from .shortcodes import render_content
from .upserts import Upserts, plain

UPLOADS_MARKER = "/wp-content/uploads/"
MEDIA_PREFIX = "articles/wordpress"
FILE_NAME_LENGTH = Article._meta.get_field("featured_image").max_length
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_SIZED = re.compile(r"^(.*)-\d+x\d+(\.\w+)$")  # WordPress's resized copies: photo-300x200.jpg


@dataclasses.dataclass(frozen=True)
class Attachment:
    url: str
    alt: str = ""
    caption: str = ""
    title: str = ""


class Media(Upserts):
    """The bodies and images part of an import: a post's or page's HTML, its uploads and its featured image."""

    def _body(self, item, label):
        """The item's content as HTML, with images from wp-content/uploads stored and pointed at (--media-dir)."""
        html, unknown = render_content(item.content)
        self.report.shortcodes.update(unknown)
        if self.media_dir is None:
            return html  # images keep their old address

        def rewrite(match):
            src = unescape(match.group(3))
            if UPLOADS_MARKER not in src:
                return match.group(0)
            found = self._store_media(src, label)
            if found is None:
                return match.group(0)
            return f"{match.group(1)}{match.group(2)}{default_storage.url(found[0])}{match.group(2)}"

        return _IMG_SRC.sub(rewrite, html)

    def _featured_image(self, article, item, label):
        thumbnail = item.meta.get("_thumbnail_id", "").strip()
        if not thumbnail:
            return
        attachment = self.attachments.get(thumbnail)
        if attachment is None or not attachment.url:
            self.report.skip("image", label, f"featured image: attachment #{thumbnail} is not in the export")
            return
        if self.media_dir is None:
            self.report.skip("image", label, "featured image: not imported without --media-dir (never downloaded)")
            return
        found = self._store_media(attachment.url, label)
        if found is None or self.dry_run:  # a dry run stores no file for the article to point at
            return
        name, width, height = found
        if article.featured_image.name != name:
            article.featured_image = name
        article.featured_image_width, article.featured_image_height = width, height
        article.featured_image_alt = (attachment.alt or attachment.title or plain(item.title))[:250]
        article.featured_image_caption = attachment.caption[:300]

    def _store_media(self, url, label):
        """(storage name, width, height) of the uploads file `url` names, stored once; None (reported) if refused."""
        path = unquote(urlsplit(url).path)
        relative = path.split(UPLOADS_MARKER, 1)[1] if UPLOADS_MARKER in path else ""
        if relative not in self.media:
            self.media[relative] = self._store_media_file(relative)
        found = self.media[relative]
        if isinstance(found, str):
            self.report.skip("image", f"{label} {relative}" if relative else label, found)
            return None
        return found

    def _store_media_file(self, relative):
        if not relative:
            return "not under wp-content/uploads/"
        parts = PurePosixPath(relative).parts
        if "\\" in relative or "\x00" in relative or any(p in ("..", ".") for p in parts) or relative.startswith("/"):
            return "refused: outside the uploads folder"
        candidate = (self.media_dir / relative).resolve()
        if not candidate.is_file():
            # WordPress's resized copy ("photo-300x200.jpg") missing: the original will do (Byline makes
            # its own sizes, and the <img> keeps its width and height).
            original = _SIZED.sub(r"\1\2", relative)
            if original in self.media:
                return self.media[original]
            if original != relative and (self.media_dir / original).resolve().is_file():
                relative, candidate = original, (self.media_dir / original).resolve()
        if not candidate.is_relative_to(self.media_dir):  # a symlink out of the folder
            return "refused: outside the uploads folder"
        if not candidate.is_file():
            return "not in the --media-dir folder"
        if candidate.stat().st_size > MAX_IMAGE_BYTES:  # refused before reading it (process_image's limit)
            return f"larger than {human_size(MAX_IMAGE_BYTES)}"
        data = candidate.read_bytes()
        source_hash = hashlib.sha256(data).hexdigest()
        wp_id = hashlib.sha256(relative.encode()).hexdigest()[:40]
        row = ImportedObject.objects.filter(kind="media", wp_id=wp_id).first()
        if row and row.source_hash == source_hash and row.stored_name and default_storage.exists(row.stored_name):
            with default_storage.open(row.stored_name) as stored:
                width, height = image_size(stored)
            self.report.count("image", "unchanged")
            self.media[relative] = (row.stored_name, width, height)
            return self.media[relative]
        try:
            processed = process_image(data, name=candidate.name)
        except ValidationError as exc:
            return " ".join(exc.messages)
        folder = "/".join(slugify(part) or "x" for part in parts[:-1])
        name = f"{MEDIA_PREFIX}/{folder}/{processed.filename}" if folder else f"{MEDIA_PREFIX}/{processed.filename}"
        if not self.dry_run:  # a dry run writes no file
            # Short enough for the featured image's column (the storage shortens the name if needed).
            name = default_storage.save(name, ContentFile(processed.content), max_length=FILE_NAME_LENGTH)
            self._remember(row, "media", wp_id, relative, None, source_hash, stored_name=name)
        self.report.count("image", "updated" if row else "created")
        self.media[relative] = (name, processed.width, processed.height)
        return self.media[relative]
