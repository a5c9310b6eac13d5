"""A WordPress export (WXR 1.2) of N items for the import bench, the same bytes for the same seed.

    python bench/wxr.py --posts 50000 --out /tmp/export.xml
    python bench/wxr.py --posts 2000 --out /tmp/small.xml --media-dir /tmp/wp-media --seed 3

N counts the export's items, as WordPress counts rows of wp_posts: every 100 items hold 80
posts (68 published, 5 drafts, 3 pending, 2 scheduled, 2 private), 17 attachments, 2 pages
(one a draft) and 1 menu item, shuffled, with IDs rising over time and gaps where revisions
would sit. Around them, what a news blog's export carries: authors (one per 1,000 items, at
least 3), nested categories, tags (one per 25 items, 20 to 2,000) with percent-encoded slugs
for non-Latin names, and per published post 0-5 comments, threaded, approved, held or spam,
a few pingbacks. Bodies are classic-editor HTML, paragraphs separated by blank lines without
<p>, with links, unicode, [caption] shortcodes around pictures of the export's attachments,
shortcodes no importer knows ([gallery], [embed], [contact-form-7]), the odd code sample
holding "]]>" (split across CDATA sections, as WordPress does) and a few block-editor posts.
Drafts keep WordPress's zero GMT date and often an empty slug; posts point at attachments
through _thumbnail_id, sometimes before the attachment's item comes (WordPress gives the post
its ID first); some posts carry _wp_old_slug.

Attachments use a pool of --images distinct pictures (200), reused; about 3% point at files
that do not exist, as in any real uploads folder. --media-dir DIR writes the pool as small
real JPEG and PNG files at DIR/wp-content/uploads/YYYY/MM/, for `import_wordpress --media-dir`.

The file is written item by item through a buffered handle, never built as a tree: memory
holds the slugs already used (WordPress's uniqueness rule needs them) and a few hundred
recent items to link to.
"""

# This module writes the items (Export) and is the command line. The pieces it puts together:
# bench/wxr_format.py (the pretend site, namespaces, CDATA, slugs, PHP serialize, dates),
# bench/wxr_text.py (the vocabulary and the text of titles and bodies), bench/wxr_terms.py
# (authors, categories, tags, the channel head), bench/wxr_comments.py (comment threads) and
# bench/wxr_media.py (the pool of pictures and their files).

import argparse
import datetime
import random
import sys
import time
from collections import Counter, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/wxr.py`

from bench.wxr_comments import Comments  # noqa: E402  (needs ROOT on the path)
from bench.wxr_format import (  # noqa: E402
    EXPORTED,
    FIRST_POST,
    SITE,
    SITE_TZ,
    UPLOADS,
    ZERO_DATE,
    ZERO_PUBDATE,
    cdata,
    esc,
    php_serialize,
    rfc822,
    wp_date,
    wp_slug,
)
from bench.wxr_media import image_path, write_media  # noqa: E402
from bench.wxr_terms import CATEGORIES, channel_head, make_authors, make_tags  # noqa: E402
from bench.wxr_text import Text  # noqa: E402

# Every block of 100 items, shuffled: (post_type, status) -> how many.
BLOCK = {
    ("post", "publish"): 68,
    ("post", "draft"): 5,
    ("post", "pending"): 3,
    ("post", "future"): 2,
    ("post", "private"): 2,
    ("attachment", "inherit"): 17,
    ("page", "publish"): 1,
    ("page", "draft"): 1,
    ("nav_menu_item", "publish"): 1,
}
BLOCK_SIZE = sum(BLOCK.values())


class Export:
    """Writes one export to an open text file, item by item; `summary` counts what it wrote."""

    def __init__(self, out, posts, seed=7, images=200):
        self.out = out
        self.total = posts
        self.images = max(1, images)
        self.rng = random.Random(seed)
        self.next_id = 1
        self.used_slugs = {"post": set(), "page": set(), "attachment": set()}
        self.recent_posts = deque(maxlen=300)  # (id, permalink) of published posts, for links
        self.recent_attachments = deque(maxlen=500)  # (id, path, width, height)
        self.recent_pages = deque(maxlen=50)  # (id, path) of published pages, as parents
        self.menu_order = 0
        self.summary = {
            "items": 0,
            "by_type": Counter(),
            "by_status": Counter(),
            "comments": 0,
            "comments_by_approved": Counter(),
            "pingbacks": 0,
            "thumbnails": 0,
            "captions": 0,
            "old_slugs": 0,
            "missing_files": 0,
            "images": self.images,
        }
        self.text = Text(self.rng, self.recent_posts, self.summary)
        self.comments = Comments(self.rng, self.text, self.summary)
        self.authors, self.author_weights = make_authors(self.rng, self.total)
        self.tags, self.menu_term_id = make_tags(self.rng, self.total)

    def unique_slug(self, post_type, slug):
        used = self.used_slugs[post_type]
        candidate, n = slug, 1
        while candidate in used:
            n += 1
            candidate = f"{slug}-{n}"
        used.add(candidate)
        return candidate

    # Writing

    def write(self):
        self.write_head()
        position = 0
        while position < self.total:
            slots = [key for key, n in BLOCK.items() for _ in range(n)]
            self.rng.shuffle(slots)
            slots = slots[: self.total - position]
            ids = []
            for _ in slots:
                ids.append(self.next_id)
                # Revisions and auto-drafts use IDs that an export leaves out.
                self.next_id += 1 + (self.rng.randint(1, 3) if self.rng.random() < 0.3 else 0)
            # The block's attachments, known before any item is written: a post may name one
            # that comes after it.
            block_attachments = {}
            for (post_type, _), item_id in zip(slots, ids, strict=True):
                if post_type == "attachment":
                    block_attachments[item_id] = self.pick_image(item_id)
            last_post = self.recent_posts[-1][0] if self.recent_posts else 0
            for (post_type, status), item_id in zip(slots, ids, strict=True):
                moment = FIRST_POST + (EXPORTED - FIRST_POST) * (position / max(self.total, 1))
                moment += datetime.timedelta(minutes=self.rng.randrange(24 * 60))
                moment = min(moment, EXPORTED - datetime.timedelta(minutes=1)).replace(microsecond=0)
                if post_type == "post":
                    self.write_post(item_id, status, moment, block_attachments)
                    last_post = item_id
                elif post_type == "attachment":
                    parent = last_post if self.rng.random() < 0.8 else 0
                    self.write_attachment(item_id, moment, parent, block_attachments[item_id])
                elif post_type == "page":
                    self.write_page(item_id, status, moment, block_attachments)
                else:
                    self.write_menu_item(item_id, moment)
                self.summary["items"] += 1
                self.summary["by_type"][post_type] += 1
                self.summary["by_status"][f"{post_type}/{status}"] += 1
                position += 1
            for item_id, (path, width, height) in block_attachments.items():
                self.recent_attachments.append((item_id, path, width, height))
        self.out.write("</channel>\n</rss>\n")
        summary = dict(self.summary)
        for key in ("by_type", "by_status", "comments_by_approved"):
            summary[key] = dict(sorted(summary[key].items()))
        summary.update(authors=len(self.authors), categories=len(CATEGORIES), tags=len(self.tags))
        return summary

    def pick_image(self, item_id):
        if self.rng.random() < 0.03:
            self.summary["missing_files"] += 1
            return f"2024/02/missing-{item_id}.jpg", 800, 600
        return image_path(self.rng.randrange(self.images))

    def write_head(self):
        head = channel_head(self.authors, self.tags, self.menu_term_id)
        for piece in head:  # thousands of tags at 50,000 items: no one large write
            self.out.write(piece + "\n")

    def item(self, fields, terms=(), meta=(), comments=()):
        """One <item>, written in one call: fields are (tag, text, as CDATA)."""
        parts = ["\t<item>"]
        for tag, value, use_cdata in fields:
            attrs = ' isPermaLink="false"' if tag == "guid" else ""
            parts.append(f"\t\t<{tag}{attrs}>{cdata(value) if use_cdata else esc(value)}</{tag}>")
        for domain, nicename, name in terms:
            parts.append(f'\t\t<category domain="{domain}" nicename="{esc(nicename)}">{cdata(name)}</category>')
        for key, value in meta:
            parts.append(
                f"\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
                f"\t\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n\t\t</wp:postmeta>"
            )
        parts.extend(comments)
        parts.append("\t</item>\n")
        self.out.write("\n".join(parts))

    def common(self, item_id, title, link, moment, status, author, content, excerpt="", gmt_known=True):
        """The fields every item starts with, in WordPress's order, up to wp:post_name."""
        local = moment.astimezone(SITE_TZ)
        return [
            ("title", title, True),
            ("link", link, False),
            ("pubDate", rfc822(moment) if gmt_known else ZERO_PUBDATE, False),
            ("dc:creator", author, True),
            ("guid", f"{SITE}/?p={item_id}", False),
            ("description", "", False),
            ("content:encoded", content, True),
            ("excerpt:encoded", excerpt, True),
            ("wp:post_id", item_id, False),
            ("wp:post_date", wp_date(local), True),
            ("wp:post_date_gmt", wp_date(moment) if gmt_known else ZERO_DATE, True),
            ("wp:post_modified", wp_date(local), True),
            ("wp:post_modified_gmt", wp_date(moment) if gmt_known else ZERO_DATE, True),
        ]

    def tail(self, name, status, parent, post_type, menu_order=0, password="", sticky=0, comment_status="open"):
        return [
            ("wp:comment_status", comment_status, True),
            ("wp:ping_status", "open" if comment_status == "open" else "closed", True),
            ("wp:post_name", name, True),
            ("wp:status", status, True),
            ("wp:post_parent", parent, False),
            ("wp:menu_order", menu_order, False),
            ("wp:post_type", post_type, True),
            ("wp:post_password", password, True),
            ("wp:is_sticky", sticky, False),
        ]

    def author(self):
        return self.rng.choices(self.authors, weights=self.author_weights)[0]

    def write_post(self, item_id, status, moment, block_attachments):
        rng = self.rng
        title = self.text.title()
        author = self.author()
        unpublished = status in ("draft", "pending")
        if status == "future":
            moment = EXPORTED + datetime.timedelta(days=rng.randint(1, 120), minutes=rng.randrange(1440))
        # Drafts get a slug only once saved with one; many have none in the export.
        slug = "" if unpublished and rng.random() < 0.5 else self.unique_slug("post", wp_slug(title))
        local = moment.astimezone(SITE_TZ)
        link = f"{SITE}/{local:%Y/%m/%d}/{slug}/" if slug and not unpublished else f"{SITE}/?p={item_id}"
        attachments = [(a, *v) for a, v in block_attachments.items()]
        if len(attachments) < 4:
            attachments += list(self.recent_attachments)[-20:]
        content = self.text.body(attachments, block_editor=rng.random() < 0.05)
        excerpt = self.text.sentence() if rng.random() < 0.2 else ""
        fields = self.common(item_id, title, link, moment, status, author[1], content, excerpt, not unpublished)
        sticky = int(status == "publish" and rng.random() < 0.002)
        password = "letmein" if status == "publish" and rng.random() < 0.002 else ""
        comment_status = "open" if rng.random() < 0.85 else "closed"
        fields += self.tail(slug, status, 0, "post", password=password, sticky=sticky, comment_status=comment_status)

        categories = rng.sample(CATEGORIES[1:], rng.choice([1, 1, 1, 2]))
        if rng.random() < 0.03:
            categories = [CATEGORIES[0]]
        terms = [("category", nicename, name) for nicename, _, name in categories]
        count = rng.choice([0, 1, 2, 3, 3, 4, 5])
        chosen = {int(len(self.tags) * rng.random() ** 2) for _ in range(count)}  # some tags popular
        terms += [("post_tag", self.tags[i][1], self.tags[i][2]) for i in sorted(chosen)]

        meta = [("_edit_last", str(author[0]))]
        if attachments and rng.random() < 0.6:
            meta.append(("_thumbnail_id", str(rng.choice(attachments)[0])))
            self.summary["thumbnails"] += 1
        if rng.random() < 0.2:
            meta.append(("_yoast_wpseo_metadesc", self.text.sentence()))
        if slug and rng.random() < 0.03:
            meta.append(("_wp_old_slug", wp_slug(self.text.title())))
            self.summary["old_slugs"] += 1

        comments = []
        if status in ("publish", "private"):
            comments = self.comments.for_post(moment, author)
        self.item(fields, terms, meta, comments)
        if status == "publish" and slug:
            self.recent_posts.append((item_id, link))

    def write_attachment(self, item_id, moment, parent, image):
        path, width, height = image
        name = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
        slug = self.unique_slug("attachment", name)
        url = f"{UPLOADS}/{path}"
        caption = self.text.sentence() if self.rng.random() < 0.3 else ""
        fields = self.common(item_id, name, f"{SITE}/?attachment_id={item_id}", moment, "inherit", "admin", "", caption)
        fields[4] = ("guid", url, False)  # an attachment's guid is its file's URL
        fields += self.tail(slug, "inherit", parent, "attachment")
        fields.append(("wp:attachment_url", url, True))
        metadata = {
            "width": width,
            "height": height,
            "file": path,
            "filesize": 1000 + item_id % 50_000,
            "sizes": {},
            "image_meta": {"caption": "", "copyright": "", "title": ""},
        }
        meta = [("_wp_attached_file", path), ("_wp_attachment_metadata", php_serialize(metadata))]
        if self.rng.random() < 0.5:
            meta.append(("_wp_attachment_image_alt", " ".join(self.text.words(4))))
        self.item(fields, meta=meta)

    def write_page(self, item_id, status, moment, block_attachments):
        title = self.rng.choice(["About us", "Contact", "Advertise", "Privacy policy", "Team", "Archive", "Tips"])
        title = f"{title} {self.rng.randrange(1000)}" if self.rng.random() < 0.9 else title
        slug = self.unique_slug("page", wp_slug(title))
        parent, path = 0, slug
        if self.recent_pages and self.rng.random() < 0.2:
            parent, parent_path = self.rng.choice(self.recent_pages)
            path = f"{parent_path}/{slug}"
        link = f"{SITE}/{path}/" if status == "publish" else f"{SITE}/?page_id={item_id}"
        attachments = [(a, *v) for a, v in block_attachments.items()]
        content = self.text.body(attachments)
        fields = self.common(item_id, title, link, moment, status, self.author()[1], content, "", status != "draft")
        fields[4] = ("guid", f"{SITE}/?page_id={item_id}", False)
        fields += self.tail(slug, status, parent, "page", menu_order=self.rng.randrange(10), comment_status="closed")
        self.item(fields, meta=[("_wp_page_template", "default")])
        if status == "publish":
            self.recent_pages.append((item_id, path))

    def write_menu_item(self, item_id, moment):
        self.menu_order += 1
        kind = self.rng.choice(["custom", "taxonomy", "post_type"])
        if kind == "taxonomy":
            term_id = self.rng.randrange(len(CATEGORIES)) + 1
            target = [("_menu_item_object_id", str(term_id)), ("_menu_item_object", "category")]
            url = ""
        elif kind == "post_type" and self.recent_pages:
            page_id, _ = self.rng.choice(self.recent_pages)
            target = [("_menu_item_object_id", str(page_id)), ("_menu_item_object", "page")]
            url = ""
        else:
            kind = "custom"
            target = [("_menu_item_object_id", str(item_id)), ("_menu_item_object", "custom")]
            url = f"{SITE}/shop/"
        title = "Shop" if kind == "custom" else ""
        fields = self.common(item_id, title, f"{SITE}/?p={item_id}", moment, "publish", "admin", "")
        fields += self.tail(str(item_id), "publish", 0, "nav_menu_item", menu_order=self.menu_order)
        meta = [
            ("_menu_item_type", kind),
            ("_menu_item_menu_item_parent", "0"),
            *target,
            ("_menu_item_target", ""),
            ("_menu_item_classes", php_serialize([""])),
            ("_menu_item_xfn", ""),
            ("_menu_item_url", url),
        ]
        self.item(fields, terms=[("nav_menu", "main-menu", "Main menu")], meta=meta)


def generate(out, posts=50_000, seed=7, images=200):
    """Write an export of `posts` items to the open text file `out` -> counts of what it holds."""
    return Export(out, posts, seed, images).write()


def write_export(path, posts=50_000, seed=7, images=200, media_dir=None):
    """Write an export to `path` (and the pool's pictures under media_dir) -> counts, bytes, seconds taken."""
    started = time.perf_counter()
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        summary = generate(out, posts, seed, images)
    summary["bytes"] = path.stat().st_size
    summary["seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    summary["media_files"] = write_media(media_dir, images) if media_dir else 0
    summary["media_seconds"] = round(time.perf_counter() - started, 2)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=50_000, help="items in the export (WordPress's wp_posts rows)")
    parser.add_argument("--out", required=True, help="the export file to write")
    parser.add_argument("--media-dir", help="also write the pictures under DIR/wp-content/uploads/")
    parser.add_argument("--images", type=int, default=200, help="distinct pictures the attachments reuse")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    summary = write_export(args.out, args.posts, args.seed, args.images, args.media_dir)
    types = ", ".join(f"{n:,} {kind}" for kind, n in summary["by_type"].items())
    print(
        f"{args.out}: {summary['items']:,} items ({types}), {summary['comments']:,} comments, "
        f"{summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.1f} s"
    )
    if args.media_dir:
        print(f"{summary['media_files']} pictures under {Path(args.media_dir) / 'wp-content' / 'uploads'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
