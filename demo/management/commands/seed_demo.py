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

Articles are written with `bulk_create` (demo/seeding.py), each derived first as
`Article.save()` would (`Article.derive()`); no django-reversion versions are recorded.
Featured images come from a small pool of generated files that many articles share,
which keeps 10,000 articles to a few seconds and a few hundred kilobytes of media.
"""

import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from blog.invalidation import site_changed
from contributions.duplicates import fingerprint_missing_articles
from demo.seeding import EDITOR_GROUP, EDITOR_USERNAME, Seeder, real_content


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
        seeder = Seeder(self.stdout, verbosity=options["verbosity"])
        with transaction.atomic():
            authors, authors_created = seeder.seed_authors()
            categories, categories_created = seeder.seed_categories()
            tags, tags_created = seeder.seed_tags()
            pages_created = seeder.seed_pages()
        pool = seeder.image_pool(renditions=options["renditions"])
        articles_created, tag_links = seeder.seed_articles(
            options["articles"], options["seed"], authors, categories, tags, pool
        )
        password = None
        if editors_group:
            reset = options["reset_editor_password"] or bool(options["password"])
            password = seeder.seed_editor(editors_group, options["password"], reset=reset)
        # Bulk-created articles skip post_save: give them the fingerprints the duplicate check uses.
        fingerprinted = fingerprint_missing_articles()
        comments_created = seeder.seed_comments(options["seed"], seeder.new_article_ids)
        # Bulk-created rows send no signals either: every cached page may be out of date.
        site_changed()

        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded demo content in {elapsed:.1f}s. Created: articles {articles_created} "
                f"({options['articles'] - articles_created} already there), article tags {tag_links}, "
                f"authors {authors_created}, categories {categories_created}, tags {tags_created}, "
                f"pages {pages_created}, image files {seeder.images_generated}, fingerprints {fingerprinted}, "
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
