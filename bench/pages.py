"""Render every public page many times and print latency percentiles and query counts.

    make bench-pages                # 10,000 articles on a scratch SQLite database
    make bench-pages N=100000
    DATABASE_URL=postgres://... make bench-pages

A scratch database is used unless DATABASE_URL is given, in which case that database
is migrated and seeded (idempotently) as is. Pages are rendered in-process through
Django's test client, so the figures measure the application and the database, not
the network or a WSGI server. The cache is cleared before every request: these are
cold renders, the worst case. With --warm, the page cache is off but the remembered
parts of pages (sidebar, counts, an article's text and neighbours) are kept, as in
`make bench`'s "uncached" rows.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50, help="renders per page")
    parser.add_argument("--messages", type=int, default=1000, help="text-only emails for the mbox ingestion run")
    parser.add_argument("--warm", action="store_true", help="keep remembered page parts (page cache off)")
    args = parser.parse_args()
    if args.warm:
        os.environ["BYLINE_PAGE_CACHE_SECONDS"] = "0"

    scratch = tempfile.TemporaryDirectory(prefix="byline-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_MEDIA_ROOT", f"{scratch.name}/media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    seed(args.articles)
    pages = public_pages()

    client = Client()
    print(f"\n{'page':<16}{'queries':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, url in pages.items():
        timings = []
        if args.warm:
            client.get(url)
        for _ in range(args.repeat):
            if not args.warm:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
        print(f"{name:<16}{len(queries):>8}{statistics.median(timings):>10.1f}{p99:>10.1f}{timings[-1]:>10.1f}")

    bench_intake(args.repeat)
    immediate, database = "django_tasks.backends.immediate.ImmediateBackend", "django_tasks_db.DatabaseBackend"
    bench_mbox(args.messages, immediate, "emails sent in-process after each commit")
    bench_mbox(args.messages, database, "emails queued for the db_worker, as in production")


def seed(articles):
    """Migrate the configured database and seed it with `articles` articles (idempotent).

    Also used by bench/load.py, in a child process per database.
    """
    from django.core.management import call_command
    from django.db import connection

    from blog.models import Article

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", articles=articles, force=True, verbosity=0)
    print(f"migrate + seed {articles} articles: {time.perf_counter() - started:.1f} s")
    print(f"live articles: {Article.objects.live().count()}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh rows have no planner statistics yet


def public_pages():
    """The benchmarked pages, name -> URL: an article from the middle, a tag in use, and so on."""
    from django.urls import reverse
    from taggit.models import Tag

    from blog.models import Article, Author, Category

    article = Article.objects.live()[Article.objects.live().count() // 2]
    when = article.published_at
    tag = Tag.objects.filter(blog_taggedarticle_items__isnull=False).first()
    return {
        "home": reverse("blog:home"),
        "home, page 50": reverse("blog:home") + "?page=50",
        "article": article.get_absolute_url(),
        "category": Category.objects.first().get_absolute_url(),
        "tag": reverse("blog:tag-detail", kwargs={"slug": tag.slug}),
        "author": Author.objects.filter(articles__isnull=False).first().get_absolute_url(),
        "year archive": reverse("blog:archive-year", kwargs={"year": when.year}),
        "month archive": reverse("blog:archive-month", kwargs={"year": when.year, "month": when.month}),
        "search": reverse("blog:search") + "?q=battery+privacy",
        "search, 1 word": reverse("blog:search") + "?q=battery",
        "search, phrase": reverse("blog:search") + '?q="battery+life"',
        "search, page 5": reverse("blog:search") + "?q=battery&page=5",
        "search, no hit": reverse("blog:search") + "?q=zyxwvut",
        "feed (RSS)": reverse("blog:feed"),
        "feed (Atom)": reverse("blog:feed-atom"),
        "sitemap index": "/sitemap.xml",
        "news sitemap": "/sitemap-news.xml",
    }


def bench_intake(repeat):
    """A guest post's intake: store, analyse and check for duplicates against every article."""
    from django.db import transaction
    from django.test import override_settings

    from blog.models import Article
    from contributions.workflow import Incoming, receive

    bodies = list(Article.objects.order_by("?").values_list("body", flat=True)[:repeat])
    timings, flagged = [], 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for n, body in enumerate(bodies):
            incoming = Incoming(
                channel="web", name="Bench", email=f"bench{n}@example.com", title=f"Bench {n}", body=body
            )
            t0 = time.perf_counter()
            with transaction.atomic():
                submission = receive(incoming)
                timings.append((time.perf_counter() - t0) * 1000)
                flagged += submission.is_possible_duplicate
                transaction.set_rollback(True)  # leave the database as it was
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    print(
        f"\nsubmission intake (copies of existing articles): p50 {statistics.median(timings):.1f} ms, "
        f"p99 {p99:.1f} ms; flagged as duplicates: {flagged}/{len(timings)}"
    )


def bench_mbox(count, task_backend, label):
    """`ingest_email --mbox` on generated text-only messages: messages per second.

    Every message is committed on its own, as in production; the emails it causes go
    through `task_backend` (sent in-process after each commit to the in-memory mail
    backend, or queued in the database for the worker). The bench's rows are deleted
    afterwards.
    """
    import io
    import mailbox
    import random
    import uuid
    from email.message import EmailMessage

    from django.core.management import call_command
    from django.test import override_settings

    from contributions.models import InboundMessage, Submission
    from outbox.models import OutgoingEmail

    words = "battery chip network privacy camera screen model cloud update price launch review".split()
    rng = random.Random(7)
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as folder:
        box = mailbox.mbox(f"{folder}/bench.mbox")
        for n in range(count):
            msg = EmailMessage()
            msg["From"] = f"Writer {n} <bench-{run}-{n}@example.org>"
            msg["To"] = "contribute@example.com"
            msg["Subject"] = f"Guest post {n}: " + " ".join(rng.choices(words, k=5))
            msg["Message-ID"] = f"<bench-{run}-{n}@example.org>"
            paragraphs = [" ".join(rng.choices(words, k=60)) for _ in range(5)]
            msg.set_content("\n\n".join(paragraphs))
            box.add(msg)
        box.flush()
        out = io.StringIO()
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", TASKS={"default": {"BACKEND": task_backend}}
        ):
            started = time.perf_counter()
            call_command("ingest_email", "--mbox", f"{folder}/bench.mbox", stdout=out, stderr=io.StringIO())
            elapsed = time.perf_counter() - started
    print(f"\ningest_email --mbox, {count} text-only messages, {label}:")
    print(f"  {elapsed:.1f} s, {count / elapsed:.0f} messages/s")
    print("  " + out.getvalue().strip())
    senders = Submission.objects.filter(email__startswith=f"bench-{run}-")
    references = [f"submission:{pk}" for pk in senders.values_list("pk", flat=True)]
    OutgoingEmail.objects.filter(reference__in=references).delete()
    InboundMessage.objects.filter(key__startswith=f"<bench-{run}-").delete()
    senders.delete()
    if "DatabaseBackend" in task_backend:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(status="READY").delete()


if __name__ == "__main__":
    main()
