"""`manage.py seed_demo`: deterministic demo content for development and load testing.

Creates authors (with generated avatars), categories, tags, the "About" page and
`--articles N` articles with HTML bodies and featured images, all without the
network. The same `--articles` and `--seed` always give the same content, and a
second run creates nothing new: authors, categories and articles are keyed by
slug, image files are generated only when missing, and a larger N only adds the
articles that are not there yet.

Demo content only goes into a demo site: a site with content the demo did not make
(an article, author, comment or guest post; `real_content()`) gets nothing, so a
daily `make run` on a site in use changes nothing. A re-run on the demo site leaves
what is there as it is: comments go only on the articles this run created, dated
between the article and now, and an existing editor login keeps its password.

Articles are written with `bulk_create`, so `Article.save()` does not run: the
command sanitizes bodies and computes reading times itself, exactly as `save()`
would, and no django-reversion versions are recorded. Featured images come from a
small pool of generated files that many articles share, which keeps 10,000
articles to a few seconds and a few hundred kilobytes of media.
"""

import io
import math
import random
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from html import escape  # the standard library's: much faster than Django's lazy-aware one

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import get_image_dimensions
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont
from taggit.models import Tag

from blog.images import make_renditions
from blog.models import WORDS_PER_MINUTE, Article, Author, Category, TaggedArticle
from contributions.duplicates import fingerprint_missing_articles
from core.models import Page
from core.sanitizer import plain_text, sanitize_html
from pagecache.cache import invalidate

BATCH_SIZE = 1000
IMAGE_POOL_SIZE = 12
IMAGE_SIZE = (1200, 675)
AVATAR_SIZE = (192, 192)
# Fixed paths (not the fields' dated upload_to folders) so that a re-run finds the files.
IMAGE_PATH = "articles/demo/featured-{:02d}.jpg"
AVATAR_PATH = "authors/demo/{}.png"
EDITOR_USERNAME = "editor"
EDITOR_GROUP = "Editors"

# slug: (name, bio, website, writes articles)
AUTHORS = {
    "maya-okafor": (
        "Maya Okafor",
        "Maya has reviewed phones, laptops and everything with a battery for over a decade.",
        "https://example.com/maya",
        True,
    ),
    "lukas-brandt": (
        "Lukas Brandt",
        "Lukas covers security, privacy and the people who break things so the rest of us do not have to.",
        "https://example.org/lukas",
        True,
    ),
    "priya-raman": (
        "Priya Raman",
        "Priya writes about machine learning and what it changes for the people who use it.",
        "https://example.com/priya",
        True,
    ),
    "tomas-vidal": (
        "Tomás Vidal",
        "Tomás is a former developer who now explains software, open source and the web.",
        "",
        True,
    ),
    "hannah-kowalski": (
        "Hannah Kowalski",
        "Hannah trained as a physicist and covers space, energy and the science behind new technology.",
        "https://example.org/hannah",
        True,
    ),
    # A guest contributor with nothing attached: no login, avatar, website or articles.
    "sam-ellery": ("Sam Ellery", "", "", False),
}
WRITING_AUTHORS = [slug for slug, (*_, writes) in AUTHORS.items() if writes]

# slug: (name, description, lead author slug, topics, tags)
CATEGORIES = {
    "gadgets": (
        "Gadgets",
        "Phones, laptops, wearables and the rest of the hardware in our pockets and on our desks.",
        "maya-okafor",
        ["foldable phone", "smartwatch", "e-reader", "mechanical keyboard", "mini PC", "robot vacuum", "tablet"],
        ["smartphones", "laptops", "wearables", "smart home", "cameras", "batteries"],
    ),
    "ai": (
        "AI",
        "Machine learning in practice: the models, the tools built on them and what they get wrong.",
        "priya-raman",
        ["language model", "image generator", "on-device assistant", "coding assistant", "speech recognizer"],
        ["machine learning", "chatbots", "robotics", "ethics", "privacy"],
    ),
    "security": (
        "Security",
        "Vulnerabilities, breaches and the practical steps that keep accounts and devices safe.",
        "lukas-brandt",
        ["password manager", "passkey rollout", "ransomware gang", "browser sandbox", "home router", "VPN"],
        ["privacy", "passwords", "malware", "encryption", "how-to"],
    ),
    "software": (
        "Software",
        "Operating systems, apps, open source and the craft of building software.",
        "tomas-vidal",
        ["Linux distribution", "web browser", "text editor", "database engine", "Python release", "build tool"],
        ["open source", "Linux", "Python", "web", "databases", "developer tools"],
    ),
    "science": (
        "Science",
        "Space, energy, climate and the research that turns into tomorrow's technology.",
        "hannah-kowalski",
        ["fusion experiment", "exoplanet survey", "quantum computer", "solid-state battery", "gene therapy"],
        ["space", "climate", "energy", "biology", "physics", "batteries"],
    ),
    "reviews": (
        "Reviews",
        "Long-term, hands-on reviews: what we liked, what we did not, and who should buy it.",
        "maya-okafor",
        ["noise-cancelling headphones", "budget laptop", "gaming handheld", "action camera", "smart speaker"],
        ["buying guide", "gaming", "cameras", "laptops", "smartphones", "opinion"],
    ),
}

GENERAL_TAGS = ["opinion", "how-to", "buying guide", "interview", "explainer", "news analysis", "long read"]
TAG_NAMES = sorted({tag for *_, tags in CATEGORIES.values() for tag in tags} | set(GENERAL_TAGS), key=str.lower)

COMPANIES = ["Northwind", "Contoso", "Globex", "Initech", "Vandelay Labs", "Hooli", "Stark Micro", "Acme"]
# Each fits "the results are _", "a _ year" and "review: _, but worth it".
ADJECTIVES = ["promising", "impressive", "mixed", "surprising", "encouraging", "uneven", "remarkable", "modest"]
PEOPLE = ["developers", "researchers", "regulators", "early adopters", "IT teams", "reviewers", "students"]

TITLE_TEMPLATES = [
    "Hands-on with the new {thing} from {company}",
    "Why the {thing} matters more than you think",
    "{number} things we learned testing the {thing}",
    "What {company}'s {thing} means for everyone else",
    "The quiet rise of the {thing}",
    "Is the {thing} finally ready for the mainstream?",
    "Inside the lab building the next {thing}",
    "Everything you need to know about the {thing}",
    "The {thing}: a practical guide for {people}",
    "How {company} plans to reinvent the {thing}",
    "{company} bets big on the {thing}",
    "{a_adjective} year for the {thing}",
]
REVIEW_TITLE_TEMPLATES = [
    "{company} {thing} review: {adjective}, but worth it",
    "Review: the {company} {thing} after three months",
    "{company} {thing} review: the one to beat",
]
STANDFIRST_TEMPLATES = [
    "{company} says its {thing} changes the rules. We spent {number} weeks finding out whether that is true.",
    "The {thing} has been promised for years. This time the results are {adjective}, and {people} are paying "
    "attention.",
    "A closer look at the {thing}, what it does well, where it falls short, and who it is really for.",
    "{people_cap} have strong opinions about the {thing}. Here is what the evidence says.",
]
SENTENCES = [
    "{company} first showed the {thing} {number} months ago, and the reaction was {adjective}.",
    "For most {people}, the question is not whether the {thing} works but whether it is worth the trouble.",
    "The numbers tell part of the story: {number} percent of the people we asked had already tried one.",
    "That sounds good on paper, and in practice it mostly is.",
    "There are trade-offs, of course, and they are easy to miss in a short demo.",
    "We tested it for {number} days in ordinary conditions rather than in a showroom.",
    "Battery life, price and support matter more here than any headline feature.",
    "Competitors such as {company} have tried something similar, with mixed results.",
    "The software is where the {thing} either earns its keep or falls apart.",
    "Several {people} told us the change was overdue.",
    "None of this is entirely new, but the details have improved a great deal.",
    "It is still early, and the first version of anything is rarely the best one.",
    "The price will come down; the harder question is whether the habits will change.",
    "What stands out is how little setup it needs compared with last year's models.",
    "Critics point out that the claims are hard to verify independently.",
    "In our tests the results were consistent, if not always spectacular.",
    "Privacy is the part {people} ask about first, and the answers are only partly reassuring.",
    "The documentation is thin, which will frustrate anyone who likes to tinker.",
    "For a first attempt, it is {a_adjective} piece of work.",
    "If you already own something similar, there is no rush to upgrade.",
]
HEADINGS = [
    "What is new",
    "How it works",
    "The good parts",
    "Where it falls short",
    "What the experts say",
    "Who it is for",
    "The competition",
    "Price and availability",
    "Our verdict",
    "What happens next",
    "A closer look at the numbers",
    "Living with it",
]
LIST_ITEMS = [
    "Setup takes less than {number} minutes",
    "Works with the tools most {people} already use",
    "Updates are promised for {number} years",
    "The default settings are sensible",
    "Support from {company} is slow to answer",
    "The price is higher than the competition's",
    "Accessories cost extra",
    "It is noticeably faster than last year's version",
]
QUOTES = [
    "We built the {thing} for people who never want to think about it.",
    "The hard part was never the technology. It was getting {people} to trust it.",
    "In five years nobody will remember that this was controversial.",
    "We made mistakes with the first version, and we have tried to learn from them.",
]
LINKS = [
    ("https://example.com/reports/{slug}", "the full report"),
    ("https://example.org/research/{number}", "published research"),
    ("https://www.example.com/press/{slug}", "{company}'s announcement"),
    ("https://example.org/guides/{slug}", "our earlier guide"),
    ("https://example.com/specs/{number}", "the full specifications"),
]

# (colour from, colour to, accent) for the generated featured images and avatars.
PALETTES = [
    ((20, 33, 61), (252, 163, 17), (229, 229, 229)),
    ((38, 70, 83), (42, 157, 143), (233, 196, 106)),
    ((69, 123, 157), (168, 218, 220), (230, 57, 70)),
    ((58, 12, 163), (247, 37, 133), (76, 201, 240)),
    ((0, 48, 73), (214, 40, 40), (252, 191, 73)),
    ((34, 34, 59), (154, 140, 152), (242, 233, 228)),
    ((6, 71, 137), (17, 138, 178), (255, 209, 102)),
    ((40, 54, 24), (96, 108, 56), (254, 250, 224)),
    ((51, 65, 92), (239, 131, 84), (238, 238, 238)),
    ((16, 0, 43), (90, 24, 154), (224, 170, 255)),
    ((3, 4, 94), (0, 180, 216), (202, 240, 248)),
    ((73, 80, 87), (173, 181, 189), (255, 107, 107)),
]
COLOUR_NAMES = ["navy and amber", "teal and sand", "steel blue and red", "violet and pink", "dark blue and red",
                "slate and blush", "ocean blue and yellow", "olive and cream", "slate and orange",
                "deep purple and lilac", "midnight and cyan", "grey and coral"]  # fmt: skip
SHAPES = ["circles", "stripes", "triangles", "squares"]
ABOUT_BODY = (
    "<p>Byline publishes tech news, hands-on reviews and guest posts from people who build and study technology.</p>"
    "<h2>Who we are</h2>"
    "<p>A small team of editors and writers, joined by guest contributors whose proposals we review and edit "
    "before they appear.</p>"
    "<h2>How we work</h2>"
    "<p>We test products ourselves, say so when a company lent us a device, and correct mistakes openly. "
    'Read our <a href="https://example.com/ethics">editorial guidelines</a> for the details.</p>'
)


@dataclass(frozen=True)
class PoolImage:
    """A generated featured image stored once and shared by many articles."""

    name: str
    width: int
    height: int
    alt: str
    renditions: dict | None  # its entry in Article.renditions (blog/images.py), made once here


COMMENTERS = ["Priya N.", "Tom Becker", "Lucía", "Jon", "Mei Chen", "Sam O'Neill", "Aisha K."]
COMMENT_TEXTS = [
    "Thanks, this is the clearest explanation I have read so far.",
    "I tried this last week and can confirm the battery figures.",
    "Would love a follow-up on how this compares with last year's model.",
    "Small correction: the update shipped in version 2.1, not 2.0.",
    "Great read. The section on privacy settings was especially useful.",
    "Has anyone tested this on older hardware? Curious about performance.",
]


def reading_time(html):
    """Minutes to read `html`, computed exactly as `Article.save()` does."""
    return max(1, math.ceil(len(strip_tags(html).split()) / WORDS_PER_MINUTE))


def _font(size):
    """Pillow's built-in scalable font, or its bitmap font without FreeType."""
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError, TypeError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()


def _gradient(size, colour_from, colour_to, angle):
    """An image of `size` fading from `colour_from` to `colour_to` along `angle` degrees."""
    # Rotate a small square gradient and cut the middle out, then scale it up: a smooth
    # gradient loses nothing at low resolution, and rotating it small is fast.
    small = (max(2, size[0] // 8), max(2, size[1] // 8))
    side = max(small) * 2
    mask = Image.linear_gradient("L").resize((side, side)).rotate(angle, resample=Image.Resampling.BILINEAR)
    left, top = (side - small[0]) // 2, (side - small[1]) // 2
    mask = mask.crop((left, top, left + small[0], top + small[1])).resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, colour_to), Image.new("RGB", size, colour_from), mask)


def featured_image_bytes(number):
    """JPEG bytes of pool image `number`: a gradient with geometric shapes and the number drawn on."""
    rng = random.Random(f"featured-image:{number}")
    colour_from, colour_to, accent = PALETTES[number % len(PALETTES)]
    image = _gradient(IMAGE_SIZE, colour_from, colour_to, rng.randrange(0, 360))
    draw = ImageDraw.Draw(image, "RGBA")
    width, height = IMAGE_SIZE
    shape = SHAPES[number % len(SHAPES)]
    for _ in range(rng.randint(6, 12)):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randint(30, 160)
        fill = (*accent, rng.randint(50, 140))
        if shape == "circles":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif shape == "stripes":
            draw.line((x - 3 * r, height, x + 3 * r, 0), fill=fill, width=r // 3)
        elif shape == "triangles":
            draw.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=fill)
        else:
            draw.rectangle((x - r, y - r, x + r, y + r), fill=fill)
    draw.text((70, height - 240), f"{number:02d}", font=_font(180), fill=(255, 255, 255, 230))
    draw.text((80, 60), "BYLINE DEMO", font=_font(40), fill=(255, 255, 255, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def avatar_bytes(name, index):
    """PNG bytes of a small avatar: the initials of `name` on a coloured disc."""
    colour_from, colour_to, accent = PALETTES[(index * 5) % len(PALETTES)]
    image = _gradient(AVATAR_SIZE, colour_from, colour_to, 45)
    draw = ImageDraw.Draw(image)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    draw.ellipse((16, 16, AVATAR_SIZE[0] - 16, AVATAR_SIZE[1] - 16), outline=accent, width=6)
    draw.text((AVATAR_SIZE[0] // 2, AVATAR_SIZE[1] // 2), initials, font=_font(72), fill=accent, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


DEMO_AUTHOR_SLUGS = {*AUTHORS, "demo-editor"}


def is_demo_article(slug, title, author_slug):
    """Whether an article is one seed_demo wrote: a demo author's, its slug the demo's
    `<slugified title>-<number>` (an editor's article gets the slug of its title)."""
    return author_slug in WRITING_AUTHORS and re.fullmatch(rf"{re.escape(slugify(title)[:180])}-\d+", slug) is not None


def real_content():
    """What the site holds that the demo did not make, e.g. ["3 articles", "1 guest post"]; empty
    for an empty site or the demo site itself."""
    from contributions.models import Submission
    from discussion.models import Comment

    found = []
    articles = sum(
        not is_demo_article(*row)
        for row in Article.objects.values_list("slug", "title", "author__slug").iterator(chunk_size=2000)
    )
    authors = Author.objects.exclude(slug__in=DEMO_AUTHOR_SLUGS).count()
    demo_emails = {f"{slugify(name)}@example.org": name for name in COMMENTERS}
    comments = sum(
        not (user_id is None and demo_emails.get(email) == name and text in COMMENT_TEXTS)
        for user_id, name, email, text in Comment.objects.values_list(
            "user_id", "user_name", "user_email", "comment"
        ).iterator(chunk_size=2000)
    )
    submissions = Submission.objects.count()
    for number, one, many in [
        (articles, "article", "articles"),
        (authors, "author", "authors"),
        (comments, "comment", "comments"),
        (submissions, "guest post", "guest posts"),
    ]:
        if number:
            found.append(f"{number} {one if number == 1 else many}")
    return found


def comment_date(published_at, n, count, now):
    """When demo comment `n` of `count` on an article published at `published_at` was posted:
    hours apart after the article, never later than now (a recent article's come closer together)."""
    date = published_at + timedelta(hours=3 + 5 * n)
    if date < now:
        return date
    return published_at + (now - published_at) * (n + 1) / (count + 1)


class ArticleWriter:
    """Deterministic text for one article, drawn from its own random generator.

    Each article has its own generator (seeded with the seed and the article's
    number), so article 7 is the same whether 10 or 10,000 articles are seeded.
    """

    def __init__(self, seed, number):
        self.number = number
        self.rng = random.Random(f"{seed}:{number}")
        self.category_slug = self.rng.choice(list(CATEGORIES))
        self.thing = self.rng.choice(CATEGORIES[self.category_slug][3])
        self.company = self.rng.choice(COMPANIES)

    def fill(self, template, **extra):
        """`template` with its placeholders replaced by this article's words."""
        people, adjective = self.rng.choice(PEOPLE), self.rng.choice(ADJECTIVES)
        return template.format(
            thing=self.thing,
            company=self.rng.choice([self.company, *COMPANIES]),
            number=self.rng.randint(2, 48),
            adjective=adjective,
            a_adjective=("an " if adjective[0] in "aeiou" else "a ") + adjective,
            people=people,
            people_cap=people[0].upper() + people[1:],
            **extra,
        )

    def title(self):
        templates = REVIEW_TITLE_TEMPLATES if self.category_slug == "reviews" else TITLE_TEMPLATES
        title = self.fill(self.rng.choice(templates))
        return title[0].upper() + title[1:]

    def standfirst(self):
        return self.fill(self.rng.choice(STANDFIRST_TEMPLATES))

    def paragraph(self, link=False):
        sentences = [escape(self.fill(s)) for s in self.rng.sample(SENTENCES, self.rng.randint(3, 6))]
        if link:
            url, text = self.rng.choice(LINKS)
            href = self.fill(url, slug=slugify(self.thing))
            sentences.insert(
                self.rng.randrange(len(sentences) + 1),
                f'See <a href="{escape(href)}">{escape(self.fill(text))}</a> for more.',
            )
        return f"<p>{' '.join(sentences)}</p>"

    def body(self):
        """Several paragraphs under h2 headings, with a list, a blockquote and a few links."""
        sections = self.rng.randint(2, 4) + (3 if self.rng.random() < 0.1 else 0)  # some long reads
        headings = self.rng.sample(HEADINGS, sections)
        list_section, quote_section = self.rng.randrange(sections), self.rng.randrange(sections)
        link_budget = self.rng.randint(2, 4)
        parts = [self.paragraph(link=True)]
        link_budget -= 1
        for index, heading in enumerate(headings):
            parts.append(f"<h2>{escape(heading)}</h2>")
            for _ in range(self.rng.randint(1, 3)):
                link = link_budget > 0 and self.rng.random() < 0.4
                link_budget -= link
                parts.append(self.paragraph(link=link))
            if index == list_section:
                items = self.rng.sample(LIST_ITEMS, self.rng.randint(3, 5))
                parts.append("<ul>" + "".join(f"<li>{escape(self.fill(i))}</li>" for i in items) + "</ul>")
            if index == quote_section:
                quote = escape(self.fill(self.rng.choice(QUOTES)))
                parts.append(f"<blockquote><p>{quote}</p></blockquote>")
        parts.append(self.paragraph(link=link_budget > 0))
        return "".join(parts)


class Command(BaseCommand):
    help = (
        "Create deterministic demo content: authors, categories, tags, the About page and N articles "
        "with generated images. Safe to re-run: nothing is duplicated, a larger N adds the missing "
        "articles. A different --seed gives different articles (added alongside the existing ones). "
        "Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=50, help="How many articles to seed (default 50).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--editor",
            action="store_true",
            help=f"Also create or update the staff user '{EDITOR_USERNAME}' in the {EDITOR_GROUP} group.",
        )
        parser.add_argument(
            "--password", help="Password for --editor: sets it, even on an existing login (default: a random one)."
        )
        parser.add_argument(
            "--reset-editor-password",
            action="store_true",
            help="With --editor: give an existing login a new password (it is kept otherwise).",
        )
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")
        parser.add_argument(
            "--no-renditions",
            dest="renditions",
            action="store_false",
            help="Skip the responsive renditions of the shared images (about 5 s): pages show the originals.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: this looks like production. seed_demo only runs there with --force.")
        if options["articles"] < 0:
            raise CommandError("--articles must be zero or more.")
        editors_group = None
        if options["editor"]:
            editors_group = Group.objects.filter(name=EDITOR_GROUP).first()
            if editors_group is None:
                raise CommandError(
                    f"The '{EDITOR_GROUP}' group does not exist. Run `python manage.py migrate` "
                    "(migration blog.0002_editorial_groups creates it)."
                )

        in_use = real_content()
        if in_use:
            # Not an error: `make run` goes on to serve the site as it is.
            self.stderr.write(
                self.style.WARNING(
                    f"This site has content the demo did not make ({', '.join(in_use)}): seed_demo adds "
                    "no demo content to it and leaves its logins as they are."
                    + (
                        " To set the editor's password: python manage.py changepassword " + EDITOR_USERNAME
                        if options["reset_editor_password"] or options["password"]
                        else ""
                    )
                )
            )
            return

        started = time.monotonic()
        self.verbosity = options["verbosity"]
        self.now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        self.images_generated = 0
        with transaction.atomic():
            authors, authors_created = self.seed_authors()
            categories, categories_created = self.seed_categories()
            tags, tags_created = self.seed_tags()
            pages_created = self.seed_pages()
        pool = self.image_pool(renditions=options["renditions"])
        articles_created, tag_links = self.seed_articles(
            options["articles"], options["seed"], authors, categories, tags, pool
        )
        password = None
        if editors_group:
            reset = options["reset_editor_password"] or bool(options["password"])
            password = self.seed_editor(editors_group, options["password"], reset=reset)
        # Bulk-created articles skip post_save: give them the fingerprints the duplicate check uses.
        fingerprinted = fingerprint_missing_articles()
        comments_created = self.seed_comments(options["seed"], self.new_article_ids)
        # Bulk-created rows send no signals either: every cached page may be out of date.
        invalidate({"site"})

        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded demo content in {elapsed:.1f}s. Created: articles {articles_created} "
                f"({options['articles'] - articles_created} already there), article tags {tag_links}, "
                f"authors {authors_created}, categories {categories_created}, tags {tags_created}, "
                f"pages {pages_created}, image files {self.images_generated}, fingerprints {fingerprinted}, "
                f"comments {comments_created}."
            )
        )
        if editors_group:
            login = f"Demo editor login: {settings.BYLINE_SITE_URL}{reverse('admin:index')}  "
            login += f"username: {EDITOR_USERNAME}"
            if password:
                self.stdout.write(self.style.WARNING(f"{login}  password: {password}"))
            else:
                self.stdout.write(
                    f"{login}  (exists: its password is unchanged; `make run RESET_EDITOR_PASSWORD=1` "
                    "or `seed_demo --editor --reset-editor-password` sets a new one)"
                )

    # Files

    def ensure_file(self, storage, name, make_bytes):
        """Store `make_bytes()` under `name` unless a file is already there; return the stored name."""
        if storage.exists(name):
            return name
        self.images_generated += 1
        return storage.save(name, ContentFile(make_bytes()))

    def image_pool(self, renditions=True):
        """The shared featured images, generated on first use, with their renditions (blog/images.py)."""
        storage = Article._meta.get_field("featured_image").storage
        pool = []
        for number in range(1, IMAGE_POOL_SIZE + 1):
            name = self.ensure_file(storage, IMAGE_PATH.format(number), lambda n=number: featured_image_bytes(n))
            with storage.open(name) as file:
                width, height = get_image_dimensions(file)
            colours, shapes = COLOUR_NAMES[number % len(COLOUR_NAMES)], SHAPES[number % len(SHAPES)]
            alt = f"Abstract illustration: translucent {shapes} on a {colours} gradient, with the number {number}."
            # Bulk-created articles send no post_save, so the renditions task would not run.
            made = make_renditions(name, storage=storage) if renditions else None
            pool.append(PoolImage(name, width, height, alt, made))
        return pool

    # Reference data

    def seed_authors(self):
        """The demo authors by slug, and how many were new."""
        storage = Author._meta.get_field("avatar").storage
        authors, created_count = {}, 0
        for index, (slug, (name, bio, website, writes)) in enumerate(AUTHORS.items()):
            defaults = {"name": name, "bio": bio, "website": website}
            if writes:
                defaults["email"] = f"{slug}@example.com"
                defaults["avatar"] = self.ensure_file(
                    storage, AVATAR_PATH.format(slug), lambda n=name, i=index: avatar_bytes(n, i)
                )
            # Kept as they are once there: a re-run neither undoes edits nor re-dates anything.
            author, created = Author.objects.get_or_create(slug=slug, defaults=defaults)
            authors[slug] = author
            created_count += created
        return authors, created_count

    def seed_categories(self):
        """The demo categories by slug, and how many were new."""
        categories, created_count = {}, 0
        for slug, (name, description, *_) in CATEGORIES.items():
            category, created = Category.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
            categories[slug] = category
            created_count += created
        return categories, created_count

    def seed_tags(self):
        """The demo tags by name, and how many were new (names compare case-insensitively)."""
        tags, created_count = {}, 0
        for name in TAG_NAMES:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                tag = Tag(name=name)
                tag.save()  # Tag.save() makes a unique slug
                created_count += 1
            tags[name] = tag
        return tags, created_count

    def seed_pages(self):
        """The About page, if missing (the affiliate-disclosure page comes from a migration)."""
        _, created = Page.objects.get_or_create(
            slug="about",
            defaults={
                "title": "About",
                "body": ABOUT_BODY,
                "meta_description": "Who writes Byline, and how we test, review and correct.",
            },
        )
        return int(created)

    # Comments

    def seed_comments(self, seed, new_article_ids, articles=12):
        """A few readers' comments, with replies and one held for approval, on those of the newest
        articles that this run created (a re-run adds none to articles already there), dated between
        the article and now. Returns how many were created."""
        from django.contrib.contenttypes.models import ContentType

        from discussion.actions import recount
        from discussion.models import Comment, render_comment

        content_type = ContentType.objects.get_for_model(Article)
        now = timezone.now()
        newest = Article.objects.live().order_by("-published_at")[:articles]
        latest = [article for article in newest if article.pk in new_article_ids]
        created = 0
        for article in latest:
            rng = random.Random(f"{seed}-comments-{article.pk}")
            parent = None
            count = rng.randint(1, 4)
            for n in range(count):
                name = rng.choice(COMMENTERS)
                text = rng.choice(COMMENT_TEXTS)
                comment = Comment(
                    content_type=content_type,
                    object_pk=str(article.pk),
                    site_id=settings.SITE_ID,
                    user_name=name,
                    user_email=f"{slugify(name)}@example.org",
                    comment=text,
                    comment_html=render_comment(text),
                    submit_date=comment_date(article.published_at, n, count, now),
                    is_public=not (created == 2),
                    held_reason="" if created != 2 else Comment.HeldReason.FIRST,
                    parent=parent if n % 2 else None,
                    depth=2 if (parent and n % 2) else 1,
                )
                comment.save_base(raw=True)  # no moderation or signals: demo content is approved as is
                parent = comment if comment.depth == 1 else parent
                created += 1
        if latest:
            recount(a.pk for a in latest)
        return created

    # Articles

    def seed_articles(self, count, seed, authors, categories, tags, pool):
        """Create articles 1..count that do not exist yet; return (articles, tag links) created."""
        created_articles = created_links = 0
        self.new_article_ids = set()
        for start in range(1, count + 1, BATCH_SIZE):
            writers = {}
            for number in range(start, min(start + BATCH_SIZE, count + 1)):
                writer = ArticleWriter(seed, number)
                title = writer.title()
                writers[f"{slugify(title)[:180]}-{number}"] = (writer, title)
            existing = set(Article.objects.filter(slug__in=writers).values_list("slug", flat=True))
            new = [(slug, writer, title) for slug, (writer, title) in writers.items() if slug not in existing]
            if not new:
                continue
            articles, article_tags = [], {}
            for slug, writer, title in new:
                article, tag_names = self.build_article(writer, title, slug, authors, categories, pool)
                articles.append(article)
                article_tags[slug] = tag_names
            with transaction.atomic():
                Article.objects.bulk_create(articles, batch_size=BATCH_SIZE)
                # Not every database returns primary keys from bulk_create: look them up.
                ids = dict(Article.objects.filter(slug__in=article_tags).values_list("slug", "pk"))
                links = [
                    TaggedArticle(tag=tags[name], content_object_id=ids[slug])
                    for slug, names in article_tags.items()
                    for name in names
                ]
                TaggedArticle.objects.bulk_create(links, batch_size=BATCH_SIZE)
            self.new_article_ids.update(ids.values())
            created_articles += len(articles)
            created_links += len(links)
            if self.verbosity > 1:
                self.stdout.write(f"  articles {start}-{start + len(writers) - 1}: {len(articles)} created")
        return created_articles, created_links

    def build_article(self, writer, title, slug, authors, categories, pool):
        """An unsaved Article for `writer`, prepared as `Article.save()` would, and its tag names."""
        rng, number = writer.rng, writer.number
        _, _, lead_author, _, category_tags = CATEGORIES[writer.category_slug]
        author = authors[lead_author if rng.random() < 0.6 else rng.choice(WRITING_AUTHORS)]
        category = categories[writer.category_slug] if rng.random() > 0.03 else None
        body = sanitize_html(writer.body())
        status, published_at = self.status_and_date(rng, number)
        is_featured = number == 1 or (status == Article.Status.PUBLISHED and rng.random() < 0.06)
        tag_names = rng.sample(category_tags + GENERAL_TAGS, rng.randint(1, 4))

        image = {}
        if number <= 3 or rng.random() < 0.85:
            picture = pool[rng.randrange(len(pool))]
            image = {
                "featured_image": picture.name,
                # Filled in, so Django does not open the file to measure it.
                "featured_image_width": picture.width,
                "featured_image_height": picture.height,
                "featured_image_alt": picture.alt,
                "featured_image_caption": f"An illustration for our story on the {writer.thing}.",
                "featured_image_credit": rng.choice(["Byline demo art", "Illustration: Byline studio"]),
                "renditions": {picture.name: picture.renditions} if picture.renditions else {},
            }
        article = Article(
            title=title[:200],
            slug=slug,
            author=author,
            category=category,
            standfirst=writer.standfirst()[:600],
            body=body,
            body_text=plain_text(body),  # bulk_create skips Article.save(), which keeps it
            reading_time=reading_time(body),
            status=status,
            published_at=published_at,
            is_featured=is_featured,
            **image,
        )
        return article, tag_names

    def status_and_date(self, rng, number):
        """Mostly published over the past two years; fixed early numbers cover the other states.

        Articles 2 (scheduled), 3 and 9 (drafts), 6 (in review) and 12 (withdrawn) exist
        whenever at least 12 articles are seeded; larger runs sprinkle a few more.
        """
        past = self.now - timedelta(minutes=rng.randrange(60, 730 * 24 * 60))
        future = self.now + timedelta(days=rng.randint(3, 21), hours=rng.randint(7, 17))
        fixed = {
            1: (Article.Status.PUBLISHED, self.now - timedelta(hours=2)),  # the featured lead story
            2: (Article.Status.PUBLISHED, future),
            3: (Article.Status.DRAFT, None),
            6: (Article.Status.REVIEW, None),
            9: (Article.Status.DRAFT, None),
            12: (Article.Status.WITHDRAWN, past),
        }
        if number in fixed:
            return fixed[number]
        if number > 25:
            roll = rng.random()
            if roll < 0.015:
                return Article.Status.DRAFT, None
            if roll < 0.02:
                return Article.Status.REVIEW, None
            if roll < 0.023:
                return Article.Status.WITHDRAWN, past
            if roll < 0.025:
                return Article.Status.PUBLISHED, future
        return Article.Status.PUBLISHED, past

    # Editor

    def seed_editor(self, group, password, reset=False):
        """Create the demo editor login, linked to the Demo Editor author, with `password` or a random
        one; an existing login is left as it is unless `reset`. Returns the password set, or None."""
        user_model = get_user_model()
        user = user_model.objects.filter(username=EDITOR_USERNAME).first()
        if user is not None and not reset:
            return None
        password = password or secrets.token_urlsafe(9)
        with transaction.atomic():
            if user is not None:
                user.set_password(password)
                user.save(update_fields=["password"])
                return password
            user = user_model(
                username=EDITOR_USERNAME,
                email="editor@example.com",
                first_name="Demo",
                last_name="Editor",
                is_staff=True,
                is_active=True,
            )
            user.set_password(password)
            user.save()
            user.groups.add(group)
            # One author per login: take the login away from any other author first.
            Author.objects.filter(user=user).exclude(slug="demo-editor").update(user=None)
            Author.objects.update_or_create(
                slug="demo-editor",
                defaults={
                    "name": "Demo Editor",
                    "user": user,
                    "email": "editor@example.com",
                    "bio": "The login for trying out the admin with demo content.",
                },
            )
        return password
