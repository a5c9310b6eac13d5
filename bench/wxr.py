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

import argparse
import datetime
import html
import random
import re
import sys
import time
import unicodedata
import urllib.parse
from collections import Counter, deque
from pathlib import Path
from zoneinfo import ZoneInfo

SITE = "https://old.example.com"
UPLOADS = f"{SITE}/wp-content/uploads"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
# The pretend export date, fixed so that a seed always gives the same bytes. Scheduled posts
# are dated after it; everything else between FIRST_POST and it.
EXPORTED = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)
FIRST_POST = datetime.datetime(2009, 1, 1, tzinfo=datetime.UTC)
SITE_TZ = ZoneInfo("Europe/Berlin")  # post_date is the site's local time, post_date_gmt UTC
ZERO_DATE = "0000-00-00 00:00:00"  # WordPress's post_date_gmt for drafts never published
ZERO_PUBDATE = "Mon, 30 Nov -0001 00:00:00 +0000"  # and the <pubDate> PHP makes of it

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
COMMENTS_PER_POST = {0: 40, 1: 20, 2: 15, 3: 10, 4: 8, 5: 7}  # weights
APPROVED = {"1": 80, "0": 10, "spam": 10}  # wp:comment_approved, weights
IMAGE_SIZES = [(640, 360), (800, 600), (1024, 683), (1200, 800), (480, 640), (960, 540), (720, 480)]

WORDS = """
the of and to in a is that for on with as was by at from it be this are have has had not but or
which an their were been more its one they who will would about after new also people than into
year years first two last over said time government city council minister report police court
market prices energy water school hospital plan week public local state national council's
village river station budget election vote votes campaign policy health workers union strike
company companies bank rates growth climate weather storm summer winter football club season
match players coach festival museum gallery film music book author theatre science study
researchers data network software phone app users privacy security road rail bus airport train
housing rent homes families children students teachers university farmers food price shop
street centre north south east west morning evening night yesterday today tomorrow later early
small large long short high low open closed free local regional european global independent
""".split()
WORDS_UNICODE = ["café", "naïve", "Zürich", "São Paulo", "Kraków", "Malmö", "Reykjavík", "Québec", "€12m", "façade",
                 "résumé", "Łódź", "Dvořák", "smörgåsbord", "Ångström", "jalapeño", "über", "Ελλάδα", "Москва",
                 "東京", "北京", "مرحبا", "שלום", "—", "…", "½"]  # fmt: skip
PLACES = ["Leeds", "Bristol", "Zürich", "São Paulo", "Kraków", "Malmö", "Reykjavík", "Québec", "Łódź", "Cork",
          "Lyon", "Porto", "Gdańsk", "Tromsø", "Málaga", "Bergen", "東京", "Thessaloniki"]  # fmt: skip
ADJECTIVES = ["New", "Old", "Quiet", "Record", "Late", "Hidden", "Surprise", "Local", "Rising", "Falling",
              "Bold", "Second", "Final", "Long-awaited", "Controversial", "Free", "Small", "Big"]  # fmt: skip
NOUNS = ["council", "budget", "bridge", "festival", "election", "storm", "market", "school", "museum", "league",
         "strike", "rail line", "harbour", "library", "startup", "vaccine", "heatwave", "derby", "report",
         "tram"]  # fmt: skip
VERBS = ["approves", "rejects", "delays", "opens", "closes", "wins", "loses", "faces", "plans", "backs",
         "cancels", "revives", "questions", "celebrates", "reveals"]  # fmt: skip
FIRST_NAMES = ["Anna", "Ben", "Chloé", "Dawid", "Eilidh", "Farah", "Gustav", "Hélène", "Ines", "Jakub", "Kofi",
               "Lena", "Mateo", "Nora", "Oğuz", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Úna", "Vera",
               "Wiktor", "Xiu", "Yusuf", "Zoë"]  # fmt: skip
LAST_NAMES = ["Andersen", "Brennan", "Castro", "Dąbrowski", "Eriksson", "Fischer", "García", "Hughes", "Ivanova",
              "Jónsson", "Kowalski", "Lefèvre", "Müller", "Nakamura", "O'Brien", "Petrović", "Quinn", "Rossi",
              "Sørensen", "Takahashi", "Ulloa", "Virtanen", "Wiśniewska", "Yılmaz", "Żak"]  # fmt: skip
# (nicename, parent nicename, name): parents come before their children, as WordPress writes them.
CATEGORIES = [
    ("uncategorized", "", "Uncategorized"),
    ("news", "", "News"),
    ("politics", "news", "Politics"),
    ("elections", "politics", "Elections"),
    ("business", "news", "Business"),
    ("markets", "business", "Markets"),
    ("economie", "business", "Économie"),
    ("technology", "", "Technology"),
    ("gadgets", "technology", "Gadgets"),
    ("software", "technology", "Software"),
    ("science", "", "Science"),
    ("climate", "science", "Climate"),
    ("culture", "", "Culture"),
    ("books", "culture", "Books"),
    ("film", "culture", "Film"),
    ("music", "culture", "Music"),
    ("jazz", "music", "Jazz"),
    ("sport", "", "Sport"),
    ("football", "sport", "Football"),
    ("tennis", "sport", "Tennis"),
    ("opinion", "", "Opinion"),
    ("food-drink", "", "Food &amp; Drink"),  # WordPress stores the & of names as &amp;
    ("travel", "", "Travel"),
]
UNICODE_TAGS = ["Café culture", "Zürich", "東京", "Москва", "Ελλάδα", "naïve art", "São Paulo", "Kraków", "mañana"]
TAG_WORDS = sorted({w for w in WORDS if len(w) > 3 and w.isalpha() and not w.endswith("'s")})
EXTERNAL = ["https://www.example.org/report.pdf", "https://en.wikipedia.org/wiki/Zürich", "https://example.net/a?b=1&c=2",
            "http://www.example.com/old-page.html", "https://twitter.com/example/status/123456789"]  # fmt: skip
REMOVE_ACCENTS = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d"})
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


# XML PIECES


def cdata(text):
    """Text in CDATA, "]]>" split across two sections as WordPress's wxr_cdata() does."""
    return "<![CDATA[" + CONTROL_CHARS.sub("", str(text)).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def esc(text):
    return html.escape(str(text), quote=True)


def wp_slug(title):
    """WordPress's sanitize_title(): accents dropped, other letters percent-encoded, the rest hyphens."""
    text = unicodedata.normalize("NFKD", html.unescape(title).translate(REMOVE_ACCENTS))
    out = []
    for ch in text:
        if unicodedata.combining(ch) or ch in "&'’":
            continue
        if ch.isascii():
            out.append(ch.lower() if ch.isalnum() else "-")
        elif ch.isalnum():
            out.append(urllib.parse.quote(unicodedata.normalize("NFC", ch)).lower())
        else:
            out.append("-")
    return re.sub("-+", "-", "".join(out)).strip("-")[:190] or "untitled"


def php_serialize(value):
    """PHP's serialize() for the str, int, list and dict values WordPress keeps in postmeta."""
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    if isinstance(value, list):
        value = dict(enumerate(value))
    return f"a:{len(value)}:{{" + "".join(php_serialize(k) + php_serialize(v) for k, v in value.items()) + "}"


def rfc822(moment):
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def wp_date(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def image_path(index):
    """The pool's picture `index` -> its path under wp-content/uploads, width, height."""
    width, height = IMAGE_SIZES[index % len(IMAGE_SIZES)]
    ext = "png" if index % 5 == 4 else "jpg"
    return f"{2009 + index % 17}/{index % 12 + 1:02d}/pic-{index}.{ext}", width, height


# THE GENERATOR


class Export:
    """Writes one export to an open text file, item by item; `summary` counts what it wrote."""

    def __init__(self, out, posts, seed=7, images=200):
        self.out = out
        self.total = posts
        self.images = max(1, images)
        self.rng = random.Random(seed)
        self.next_id = 1
        self.next_comment_id = 1
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
        self.make_authors()
        self.make_tags()

    # Terms and people

    def make_authors(self):
        count = min(60, max(3, self.total // 1000))
        self.authors = [(1, "admin", "admin@old.example.com", "Site Admin", "", "")]
        logins = {"admin"}
        for author_id in range(2, count + 1):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            login = wp_slug(f"{first[0]}{last}").replace("-", "")
            while login in logins:
                login += str(self.rng.randrange(10))
            logins.add(login)
            self.authors.append((author_id, login, f"{login}@old.example.com", f"{first} {last}", first, last))
        # A few prolific writers, many occasional ones.
        self.author_weights = [1 / (rank + 1) for rank in range(len(self.authors))]

    def make_tags(self):
        count = min(2000, max(20, self.total // 25))
        names = [*UNICODE_TAGS, *TAG_WORDS]
        seen = {wp_slug(name) for name in names}
        while len(names) < count:
            name = f"{self.rng.choice(TAG_WORDS)} {self.rng.choice(TAG_WORDS)}"
            if wp_slug(name) not in seen:
                seen.add(wp_slug(name))
                names.append(name)
        self.rng.shuffle(names)  # which tags are popular: any, not the first written
        first_id = len(CATEGORIES) + 1
        self.tags = [(first_id + i, wp_slug(name), name) for i, name in enumerate(names[:count])]
        self.menu_term_id = first_id + count

    # Text

    def words(self, n):
        words = self.rng.choices(WORDS, k=n)
        if self.rng.random() < 0.2:
            words[self.rng.randrange(n)] = self.rng.choice(WORDS_UNICODE)
        return words

    def sentence(self):
        words = self.words(self.rng.randint(6, 18))
        words[0] = words[0][:1].upper() + words[0][1:]
        end = self.rng.choices([".", "?", "!", "…", ":"], weights=[85, 5, 3, 4, 3])[0]
        return " ".join(words) + end

    def link(self):
        if self.recent_posts and self.rng.random() < 0.6:
            _, url = self.rng.choice(self.recent_posts)
        else:
            url = self.rng.choice(EXTERNAL)
        return f'<a href="{esc(url)}">{" ".join(self.words(self.rng.randint(1, 4)))}</a>'

    def paragraph(self):
        parts = [self.sentence() for _ in range(self.rng.randint(2, 5))]
        roll = self.rng.random()
        if roll < 0.3:
            parts.insert(self.rng.randrange(len(parts) + 1), self.link())
        elif roll < 0.4:
            parts.insert(1, f"<strong>{self.sentence()}</strong>")
        elif roll < 0.48:
            parts.insert(1, f"<em>{self.sentence()}</em>")
        elif roll < 0.5:
            parts.append("🎉")
        elif roll < 0.53:
            parts.insert(1, "“Quoted”&nbsp;—&nbsp;said someone.")
        text = " ".join(parts)
        if self.rng.random() < 0.05:
            text = text.replace(". ", ".\n", 1)  # a single newline: WordPress makes it a <br />
        return text

    def caption(self, attachment):
        att_id, path, width, height = attachment
        alt = " ".join(self.words(3))
        self.summary["captions"] += 1
        return (
            f'[caption id="attachment_{att_id}" align="aligncenter" width="{width}"]'
            f'<img class="size-full wp-image-{att_id}" src="{UPLOADS}/{path}" alt="{esc(alt)}" '
            f'width="{width}" height="{height}" /> {self.sentence()}[/caption]'
        )

    def body(self, attachments, block_editor=False):
        paragraphs = [self.paragraph() for _ in range(self.rng.randint(2, 6))]
        extras = []
        if attachments and self.rng.random() < 0.25:
            extras.append(self.caption(self.rng.choice(attachments)))
        if attachments and self.rng.random() < 0.05:
            att_id, path, width, height = self.rng.choice(attachments)
            small = re.sub(r"(\.\w+)$", rf"-300x{round(300 * height / width)}\1", path)  # an intermediate size
            extras.append(
                f'<img class="alignright size-medium wp-image-{att_id}" src="{UPLOADS}/{small}" alt="" '
                f'width="300" height="{round(300 * height / width)}" />{self.sentence()}'
            )
        if attachments and self.rng.random() < 0.05:
            ids = ",".join(str(a[0]) for a in self.rng.sample(attachments, min(len(attachments), 3)))
            extras.append(f'[gallery ids="{ids}" columns="3" link="file"]')
        if self.rng.random() < 0.04:
            extras.append(f"[embed]https://www.youtube.com/watch?v={self.rng.randrange(10**9):x}[/embed]")
        if self.rng.random() < 0.03:
            extras.append(f"https://vimeo.com/{self.rng.randrange(10**8)}")  # a bare URL: oEmbed
        if self.rng.random() < 0.02:
            extras.append('[contact-form-7 id="123" title="Contact form 1"]')
        if self.rng.random() < 0.1:
            extras.append(f"<h2>{self.sentence().rstrip('.')}</h2>")
        if self.rng.random() < 0.08:
            items = "\n".join(f"\t<li>{self.sentence()}</li>" for _ in range(self.rng.randint(2, 4)))
            extras.append(f"<ul>\n{items}\n</ul>")
        if self.rng.random() < 0.05:
            extras.append(f"<blockquote>{self.sentence()}</blockquote>")
        if self.rng.random() < 0.005:
            extras.append("<pre><code>if (grid[row[0]]>limit) {\n    return &amp;cells[0];\n}</code></pre>")
        for extra in extras:
            paragraphs.insert(self.rng.randrange(len(paragraphs) + 1), extra)
        if block_editor:
            return "\n\n".join(
                f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->"
                if not p.startswith(("<", "["))
                else f"<!-- wp:html -->\n{p}\n<!-- /wp:html -->"
                for p in paragraphs
            )
        return "\n\n".join(paragraphs)

    def title(self):
        rng = self.rng
        adjective, noun, verb, other = (rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), rng.choice(NOUNS))
        place = rng.choice(PLACES)
        return rng.choice(
            [
                f"{adjective} {noun} {verb} {other} in {place}",
                f"{place}: {noun} {verb} {adjective.lower()} {other}",
                f"Q&amp;A: why the {noun} {verb} the {other}",  # WordPress stores a title's & as &amp;
                f"“{adjective} {noun}” — {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} on {other}s",
                f"{rng.randint(3, 12)} things about the {noun} in {place} ({rng.randint(2009, 2026)})",
                f"{adjective} {noun} {verb} {other}",
            ]
        )

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
        ns = "\n".join(f'\txmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
        out = [
            '<?xml version="1.0" encoding="UTF-8" ?>',
            "<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->",
            "<!-- It contains information about your site's posts, pages, comments, categories, and other content. -->",
            "<!-- You may use this file to transfer that content from one site to another. -->",
            f'<!-- generator="WordPress/6.5.3" created="{EXPORTED:%Y-%m-%d %H:%M}" -->',
            f'<rss version="2.0"\n{ns}\n>',
            "",
            "<channel>",
            "\t<title>The Old Example Times</title>",
            f"\t<link>{SITE}</link>",
            "\t<description>News, views and the weather since 2009</description>",
            f"\t<pubDate>{rfc822(EXPORTED)}</pubDate>",
            "\t<language>en-GB</language>",
            "\t<wp:wxr_version>1.2</wp:wxr_version>",
            f"\t<wp:base_site_url>{SITE}</wp:base_site_url>",
            f"\t<wp:base_blog_url>{SITE}</wp:base_blog_url>",
            "",
        ]
        for author_id, login, email, display, first, last in self.authors:
            out.append(
                f"\t<wp:author><wp:author_id>{author_id}</wp:author_id><wp:author_login>{cdata(login)}"
                f"</wp:author_login><wp:author_email>{cdata(email)}</wp:author_email><wp:author_display_name>"
                f"{cdata(display)}</wp:author_display_name><wp:author_first_name>{cdata(first)}"
                f"</wp:author_first_name><wp:author_last_name>{cdata(last)}</wp:author_last_name></wp:author>"
            )
        out.append("")
        for term_id, (nicename, parent, name) in enumerate(CATEGORIES, start=1):
            description = f"<wp:category_description>{cdata(name + ' news')}</wp:category_description>"
            out.append(
                f"\t<wp:category>\n\t\t<wp:term_id>{term_id}</wp:term_id>\n"
                f"\t\t<wp:category_nicename>{cdata(nicename)}</wp:category_nicename>\n"
                f"\t\t<wp:category_parent>{cdata(parent)}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{cdata(name)}</wp:cat_name>\n"
                + (f"\t\t{description}\n" if term_id % 3 == 0 else "")
                + "\t</wp:category>"
            )
        for term_id, slug, name in self.tags:
            out.append(
                f"\t<wp:tag>\n\t\t<wp:term_id>{term_id}</wp:term_id>\n\t\t<wp:tag_slug>{cdata(slug)}</wp:tag_slug>\n"
                f"\t\t<wp:tag_name>{cdata(name)}</wp:tag_name>\n\t</wp:tag>"
            )
        out.append(
            f"\t<wp:term>\n\t\t<wp:term_id>{self.menu_term_id}</wp:term_id>\n"
            f"\t\t<wp:term_taxonomy>{cdata('nav_menu')}</wp:term_taxonomy>\n"
            f"\t\t<wp:term_slug>{cdata('main-menu')}</wp:term_slug>\n"
            f"\t\t<wp:term_name>{cdata('Main menu')}</wp:term_name>\n\t</wp:term>"
        )
        out.append("\n\t<generator>https://wordpress.org/?v=6.5.3</generator>\n")
        for piece in out:  # thousands of tags at 50,000 items: no one large write
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
        title = self.title()
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
        content = self.body(attachments, block_editor=rng.random() < 0.05)
        excerpt = self.sentence() if rng.random() < 0.2 else ""
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
            meta.append(("_yoast_wpseo_metadesc", self.sentence()))
        if slug and rng.random() < 0.03:
            meta.append(("_wp_old_slug", wp_slug(self.title())))
            self.summary["old_slugs"] += 1

        comments = []
        if status in ("publish", "private"):
            comments = self.comments(moment, author)
        self.item(fields, terms, meta, comments)
        if status == "publish" and slug:
            self.recent_posts.append((item_id, link))

    def comments(self, moment, post_author):
        rng = self.rng
        count = rng.choices(list(COMMENTS_PER_POST), weights=list(COMMENTS_PER_POST.values()))[0]
        written, approved_ids = [], []
        when = moment
        for _ in range(count):
            comment_id = self.next_comment_id
            self.next_comment_id += 1
            when += datetime.timedelta(minutes=rng.randint(3, 3000))
            approved = rng.choices(list(APPROVED), weights=list(APPROVED.values()))[0]
            parent = rng.choice(approved_ids) if approved_ids and approved == "1" and rng.random() < 0.5 else 0
            comment_type = rng.choice(["", "comment", "comment"])
            user_id = 0
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name, email = f"{first} {last}", f"{wp_slug(first + last).replace('-', '')}@example.net"
            url = rng.choice(["", "", "https://example.org/blog/", "http://example.com"])
            content = " ".join(self.sentence() for _ in range(rng.randint(1, 4)))
            if rng.random() < 0.1:
                content += "\n\n" + self.sentence()
            if approved == "spam":
                spam_link = f'<a href="https://spam.example/pills?id={comment_id}">cheap pills</a>'
                content = f"Great post! Visit {spam_link} {content}"
                url = "https://spam.example/"
            elif rng.random() < 0.03:
                comment_type, approved, parent = "pingback", "1", 0
                name, email, url = "Another Blog", "", f"https://blog.example.net/{comment_id}/"
                content = f"[&#8230;] {self.sentence()} [&#8230;]"
                self.summary["pingbacks"] += 1
            elif rng.random() < 0.08:
                user_id, name, email = post_author[0], post_author[3], post_author[2]
            ip = rng.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(rng.randrange(1, 255))
            if rng.random() < 0.1:
                ip = f"2001:db8::{rng.randrange(1, 65535):x}"
            local = when.astimezone(SITE_TZ)
            meta = ""
            if approved == "spam":
                meta = (
                    "\n\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>"
                    + cdata("akismet_result")
                    + "</wp:meta_key>\n\t\t\t\t<wp:meta_value>"
                    + cdata("true")
                    + "</wp:meta_value>\n\t\t\t</wp:commentmeta>"
                )
            written.append(
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{cdata(name)}</wp:comment_author>\n"
                f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
                f"\t\t\t<wp:comment_author_url>{esc(url)}</wp:comment_author_url>\n"
                f"\t\t\t<wp:comment_author_IP>{cdata(ip)}</wp:comment_author_IP>\n"
                f"\t\t\t<wp:comment_date>{cdata(wp_date(local))}</wp:comment_date>\n"
                f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date(when))}</wp:comment_date_gmt>\n"
                f"\t\t\t<wp:comment_content>{cdata(content)}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{cdata(approved)}</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{cdata(comment_type)}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
                f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>{meta}\n"
                "\t\t</wp:comment>"
            )
            if approved == "1" and comment_type != "pingback":
                approved_ids.append(comment_id)
            self.summary["comments"] += 1
            self.summary["comments_by_approved"][approved] += 1
        return written

    def write_attachment(self, item_id, moment, parent, image):
        path, width, height = image
        name = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
        slug = self.unique_slug("attachment", name)
        url = f"{UPLOADS}/{path}"
        caption = self.sentence() if self.rng.random() < 0.3 else ""
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
            meta.append(("_wp_attachment_image_alt", " ".join(self.words(4))))
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
        content = self.body(attachments)
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


def write_media(media_dir, images=200):
    """The pool's pictures as small real files at media_dir/wp-content/uploads/... -> how many."""
    from PIL import Image, ImageDraw

    root = Path(media_dir) / "wp-content" / "uploads"
    for index in range(images):
        path, width, height = image_path(index)
        target = root / path
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        rng = random.Random(index)
        picture = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(picture)
        for _ in range(6):
            x, y = rng.randrange(width), rng.randrange(height)
            box = (x, y, min(width, x + rng.randrange(40, 300)), min(height, y + rng.randrange(40, 200)))
            draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
        if target.suffix == ".png":
            picture.quantize(16).save(target, optimize=True)
        else:
            picture.save(target, quality=60)
    return images


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
