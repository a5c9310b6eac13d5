"""What `manage.py seed_demo` writes to the database (the command, demo/management/commands/seed_demo.py,
holds its options, checks and report).

Keyed so that a re-run adds nothing: authors, categories and articles by slug, tags by name,
image files by path. Articles are written with `bulk_create`, so `Article.save()` does not run:
each one derives its fields first through `Article.derive()`, as save() would (sanitized body,
affiliate marks, plain text, reading time), and no django-reversion versions are recorded.
"""

import random
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.images import get_image_dimensions
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from blog.crops import CENTRE
from blog.images import make_renditions
from blog.models import Article, Author, Category, TaggedArticle
from contributions.models import Submission
from core.affiliates import parse_patterns
from core.models import Page, SiteSettings
from discussion.actions import recount
from discussion.models import Comment, render_comment
from library.models import Image

from .pictures import avatar_bytes, featured_image_alt, featured_image_bytes
from .words import ABOUT_BODY, AUTHORS, CATEGORIES, COMMENT_TEXTS, COMMENTERS, GENERAL_TAGS, TAG_NAMES, WRITING_AUTHORS
from .writer import ArticleWriter

BATCH_SIZE = 1000
IMAGE_POOL_SIZE = 12
# Fixed paths (not the fields' dated upload_to folders) so that a re-run finds the files.
IMAGE_PATH = "articles/demo/featured-{:02d}.jpg"
AVATAR_PATH = "authors/demo/{}.png"
EDITOR_USERNAME = "editor"
EDITOR_GROUP = "Editors"
DEMO_AUTHOR_SLUGS = {*AUTHORS, "demo-editor"}


@dataclass(frozen=True)
class PoolImage:
    """A generated featured image stored once and shared by many articles."""

    name: str
    width: int
    height: int
    alt: str
    renditions: dict | None  # its entry in Article.renditions (blog/images.py), made once here


def is_demo_article(slug, title, author_slug):
    """Whether an article is one seed_demo wrote: a demo author's, its slug the demo's
    `<slugified title>-<number>` (an editor's article gets the slug of its title)."""
    return author_slug in WRITING_AUTHORS and re.fullmatch(rf"{re.escape(slugify(title)[:180])}-\d+", slug) is not None


def real_content():
    """What the site holds that the demo did not make, e.g. ["3 articles", "1 guest post"]; empty
    for an empty site or the demo site itself."""
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


class Seeder:
    """One run's writes. `stdout` and `verbosity` are the command's (progress at verbosity 2)."""

    def __init__(self, stdout, verbosity=1):
        self.stdout = stdout
        self.verbosity = verbosity
        self.now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        self.images_generated = 0

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
            alt = featured_image_alt(number)
            # Bulk-created articles send no post_save, so neither the renditions task nor the
            # library's catalogue (blog/receivers.py) would run: both are done here, once per picture.
            Image.objects.register_stored(name, alt=alt, credit="Byline demo art", storage=storage)
            made = make_renditions(name, storage=storage, focal=CENTRE) if renditions else None
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
        # Parsed once for the run: each article derives its affiliate marks from them, as save() does.
        patterns = parse_patterns(SiteSettings.load().affiliate_patterns)
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
                article.derive(patterns)  # what save() derives: bulk_create does not call it
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
        """An unsaved Article for `writer`, its fields not yet derived (Article.derive), and its tag names."""
        rng, number = writer.rng, writer.number
        _, _, lead_author, _, category_tags = CATEGORIES[writer.category_slug]
        author = authors[lead_author if rng.random() < 0.6 else rng.choice(WRITING_AUTHORS)]
        category = categories[writer.category_slug] if rng.random() > 0.03 else None
        body = writer.body()  # drawn here, before the rest: the article's words depend on the order
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
