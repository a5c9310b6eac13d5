"""Load test: a bounded mixed load on gunicorn, driven by locust; zero 5xx responses is the bar.

    make loadtest                               # 2,000 articles, 50 users for 60 s, SQLite
    make loadtest N=500 DURATION=20 USERS=20    # a quick run
    make loadtest LOADTEST_ARGS="--database postgres"

The site runs as bench/load.py runs it (its Harness): a scratch SQLite database, or a scratch
PostgreSQL database created and dropped here, seeded with N articles (bench/pages.py's seed()),
collectstatic, gunicorn with config/gunicorn.py on a free port of 127.0.0.1 and Redis as the
cache when it answers. The settings are production's (bench/loadtest_settings.py: only the
cookies travel over plain HTTP), the page cache and the rate limits included, and the workers
are recycled as in production unless GUNICORN_MAX_REQUESTS says otherwise.

locust (bench/locustfile.py) then runs headless for DURATION seconds: readers (home, articles,
tags, categories, authors, archives, search, feeds, sitemaps, pages, 404s, conditional GETs),
commenters, contributors sending guest posts, people filing copyright complaints, vandals
sending bad input, which must be refused with a 4xx, and one flooder per run who posts until
each rate limit answers 429. Every simulated visitor posts from its own loopback address
(127.1.0.1 onwards), so the production rate limits hold for everyone but the flooder; where
the system cannot bind such addresses, everyone shares 127.0.0.1, the limits are lifted and
the 429 check is skipped.

Expected 4xx (404, 400, 413, 429) count as successes under their status; failures are 5xx
responses, connection errors, and bad input that was accepted. The report gives, per kind of
request, the requests, failures, statuses and p50/p95/p99/max latency, then the checks:

- no 5xx response and no connection error (the bar; the server's tracebacks are printed);
- nothing accepted is lost: the comments, guest posts and complaints stored during the run
  equal the posts answered 2xx or 3xx;
- each rate limit answered the flooder 429;
- no exception in the locustfile (a broken scenario measures nothing).

The exit status is 1 when a check fails. Figures go to bench/results/loadtest-<timestamp>.json.
"""

import argparse
import contextlib
import datetime
import importlib.util
import json
import math
import os
import platform
import re
import socket
import sys
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/loadtest.py`

from bench.load import (  # noqa: E402  (needs ROOT on the path)
    PYTHON,
    BenchError,
    Harness,
    add_service_options,
    describe,
    git_commit,
    log_tail,
    now,
    run,
    start,
    tool_version,
    unwind_on_signals,
)

# Where a form post goes -> the kind of thing it stores, and the model counted for it.
POST_SCOPES = {
    "/comments/post/": "comments",
    "/contribute/": "submissions",
    "/copyright/complaint/": "complaints",
}
# The rate-limit setting of each scope (config/settings/base.py reads them from the environment).
LIMIT_SETTINGS = {
    "comments": "BYLINE_COMMENTS_PER_HOUR",
    "submissions": "BYLINE_SUBMISSIONS_PER_HOUR",
    "complaints": "BYLINE_COMPLAINTS_PER_HOUR",
}
# The flooder's request names (bench/locustfile.py), one per rate limit.
FLOOD_NAMES = {scope: f"flood: {scope}" for scope in POST_SCOPES.values()}
# Without per-visitor addresses everyone is 127.0.0.1: limits this high are never reached.
LIFTED_LIMIT = 1_000_000
# Simulated visitors' addresses start at 127.1.0.1, clear of 127.0.0.1.
FIRST_ADDRESS = 1 << 16
LOCUST_REQUIREMENT = "locust==2.47.0"
PERCENTILES = {"p50_ms": 50, "p95_ms": 95, "p99_ms": 99, "max_ms": 100}


# PURE LOGIC (tests/bench/test_loadtest.py)


def client_address(n):
    """The n-th simulated visitor's loopback address: 127.1.0.1, 127.1.0.2, ..."""
    n += FIRST_ADDRESS + 1
    if n >= 1 << 24:
        raise ValueError("no loopback address left")
    return f"127.{n >> 16}.{(n >> 8) & 255}.{n & 255}"


def post_scope(method, path):
    """The scope ("comments", ...) a request stores into, or None for anything but those form posts."""
    if method.upper() != "POST":
        return None
    return POST_SCOPES.get(path.split("?", 1)[0])


def judge_status(status, expect=None):
    """None when the status is acceptable, else why the request failed.

    0 is locust's status for a connection error. `expect`, a set of statuses, is given for
    bad input, which must be refused: anything else then fails, a 2xx or 3xx included.
    """
    if not status:
        return "connection error"
    if status >= 500:
        return f"HTTP {status}"
    if expect is not None and status not in expect:
        return f"HTTP {status}, expected {'/'.join(str(s) for s in sorted(expect))}"
    return None


def is_accepted(status):
    return 200 <= status < 400


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {
                "action": attrs.get("action", ""),
                "method": attrs.get("method", "get").lower(),
                "enctype": attrs.get("enctype", "application/x-www-form-urlencoded"),
                "class": attrs.get("class", ""),
                "fields": {},
                "files": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "option" and self._select:
            if "selected" in attrs or not fields[self._select]:
                fields[self._select] = attrs.get("value", "")
            return
        if "name" not in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = attrs.get("value", "")
        elif tag == "textarea":
            fields[name] = ""
            self._textarea = name
        elif tag == "select":
            self._select = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def parse_forms(html):
    """Every <form> of a page: action, method, enctype, class, the fields a browser would send
    as they stand (checked boxes only, textareas' text) and the names of the file inputs."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html, action):
    """The page's form posting to `action` (a path), or None."""
    return next((form for form in parse_forms(html) if form["action"].split("?", 1)[0] == action), None)


_ALERT = re.compile(r'<div class="form-errors" role="alert">(.*?)</div>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def refusal_reason(html):
    """The errors a refused form shows above it, as one line of text ("" when it shows none)."""
    found = _ALERT.search(html or "")
    if not found:
        return ""
    text = " ".join(unescape(_TAG.sub(" ", found.group(1))).split())
    # One line per kind of refusal: what the visitor typed, quoted back, and counts are left out.
    return re.sub(r"\d+", "N", re.sub(r"“[^”]*”", "“…”", text))[:300]


def percentile(ordered, share):
    """The nearest-rank percentile (`share` in 0..100) of an ascending list, or None when it is empty."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def figures(times_ms):
    """Latency percentiles of a list of response times, in ms."""
    ordered = sorted(times_ms)
    return {key: percentile(ordered, share) for key, share in PERCENTILES.items()}


def summarise(tally):
    """The locustfile's tally -> one row per request name (requests, failures, statuses, latency)
    and a total row with requests per second over the run."""
    rows, everything, overall = [], [], Counter()
    for name, entry in sorted(tally["names"].items()):
        statuses = dict(sorted(entry["statuses"].items(), key=lambda item: int(item[0])))
        overall.update(statuses)
        everything.extend(entry["times_ms"])
        rows.append(
            {
                "name": name,
                "methods": entry["methods"],
                "requests": len(entry["times_ms"]),
                "failures": entry["failures"],
                "statuses": statuses,
                **figures(entry["times_ms"]),
            }
        )
    seconds = (tally["last_end"] - tally["first_start"]) if everything else 0
    total = {
        "name": "all",
        "requests": len(everything),
        "failures": sum(row["failures"] for row in rows),
        "statuses": dict(sorted(overall.items(), key=lambda item: int(item[0]))),
        "seconds": round(seconds, 1),
        "rps": round(len(everything) / seconds, 1) if seconds else 0.0,
        **figures(everything),
    }
    return rows, total


# A log line's start: Django's "2026-01-02 03:04:05,678 LEVEL", gunicorn's "[2026-01-02 ...]",
# or an access line ('127.1.0.5 - - [02/Jan/2026:...] "GET / HTTP/1.1" 200 ...').
_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\[\d{4}-\d\d-\d\d |\d+\.\d+\.\d+\.\d+ - )")
_ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T][\d:,.]+ (ERROR|CRITICAL) |^\[[^]]+\] \[\d+\] \[(ERROR|CRITICAL)\]")


# Django logs a refused Host header or a forged session (SuspiciousOperation, answered 400) at
# ERROR under django.security: bad input handled, not a server error.
_HANDLED = re.compile(r"^\S+ \S+ ERROR django\.security\.")


def server_errors(log):
    """The errors in gunicorn's log (Django's ERROR lines with their tracebacks, gunicorn's
    [ERROR] and [CRITICAL] lines), each once with how often it occurred, most frequent first."""
    blocks, current = [], None
    for line in log.splitlines():
        if _ERROR_LINE.match(line) and not _HANDLED.match(line):
            current = [line]
            blocks.append(current)
        elif current is not None and not _LOG_LINE.match(line):
            current.append(line)  # the traceback, chained ones and their blank lines included
        else:
            current = None
    counted = {}
    for block in blocks:
        while block and not block[-1].strip():
            block.pop()
        # The same failure on other URLs is one error: key on the exception, not the first line.
        head = re.sub(r"^\S+ \S+ |^\[[^]]+\] \[\d+\] ", "", block[0])
        key = (head.split(":", 1)[0], block[-1]) if len(block) > 1 else (head, "")
        entry = counted.setdefault(key, {"count": 0, "first": "\n".join(block)})
        entry["count"] += 1
    return sorted(counted.values(), key=lambda entry: -entry["count"])


def shorten_traceback(text, innermost=2, project=str(ROOT)):
    """A logged error with, of each traceback in it, the frames in the project's code (under
    `project`, not a library's) and the `innermost` last ones; the others are counted in a
    "... N frames ..." line."""
    out, frames = [], []

    def flush():
        def ours(frame):
            return f'"{project}/' in frame[0] and "site-packages" not in frame[0]

        keep = [n >= len(frames) - innermost or ours(frame) for n, frame in enumerate(frames)]
        dropped = 0
        for frame, kept in zip(frames, keep, strict=True):
            if kept:
                if dropped:
                    out.append(f"  ... {dropped} frames ...")
                    dropped = 0
                out.extend(frame)
            else:
                dropped += 1
        frames.clear()

    for line in text.splitlines():
        if line.startswith('  File "'):
            frames.append([line])
        elif line.startswith("  ") and frames:
            frames[-1].append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


def check_posts(accepted, before, after):
    """Per scope: posts answered 2xx/3xx, rows stored during the run, and whether they match."""
    return {
        scope: {
            "accepted": accepted.get(scope, 0),
            "stored": after[scope] - before[scope],
            "ok": accepted.get(scope, 0) == after[scope] - before[scope],
        }
        for scope in sorted(before)
    }


def build_report(tally, posts, flood_checked):
    """The rows per request name, the total, and the checks, of which all must pass."""
    rows, total = summarise(tally)
    statuses = {row["name"]: row["statuses"] for row in rows}
    server_error_count = sum(count for status, count in total["statuses"].items() if int(status) >= 500)
    connection_errors = total["statuses"].get("0", 0)
    checks = [
        {
            "check": "no 5xx response",
            "ok": server_error_count == 0,
            "detail": f"{server_error_count} responses with 5xx",
        },
        {
            "check": "no connection error",
            "ok": connection_errors == 0,
            "detail": f"{connection_errors} requests without a response",
        },
        {
            "check": "bad input refused with a 4xx",
            "ok": tally["unexpected"] == 0,
            "detail": f"{tally['unexpected']} bad requests answered otherwise",
        },
    ]
    for scope, counts in posts.items():
        checks.append(
            {
                "check": f"every accepted {scope[:-1]} stored",
                "ok": counts["ok"],
                "detail": f"{counts['accepted']} accepted, {counts['stored']} stored",
            }
        )
    if flood_checked:
        for scope, name in FLOOD_NAMES.items():
            refused = statuses.get(name, {}).get("429", 0)
            checks.append(
                {"check": f"{scope} rate limit answers 429", "ok": refused > 0, "detail": f"{refused} times 429"}
            )
    raised = sum(entry["count"] for entry in tally["exceptions"])
    checks.append({"check": "no exception in the locustfile", "ok": raised == 0, "detail": f"{raised} exceptions"})
    return {
        "total": total,
        "endpoints": rows,
        "server_errors": server_error_count,
        "connection_errors": connection_errors,
        "checks": checks,
        "passed": all(check["ok"] for check in checks),
    }


def fmt_statuses(statuses):
    return " ".join(f"{'conn' if status == '0' else status}:{count}" for status, count in statuses.items())


def fmt_ms(value):
    return "-" if value is None else f"{value:.0f}"


def print_report(report):
    print(f"\n{'request':<28}{'reqs':>7}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}  statuses (latency in ms)")
    for row in [*report["endpoints"], report["total"]]:
        print(
            f"{row['name'][:27]:<28}{row['requests']:>7}{row['failures']:>6}{fmt_ms(row['p50_ms']):>7}"
            f"{fmt_ms(row['p95_ms']):>7}{fmt_ms(row['p99_ms']):>7}{fmt_ms(row['max_ms']):>7}  "
            f"{fmt_statuses(row['statuses'])}"
        )
    total = report["total"]
    print(f"\n{total['requests']:,} requests in {total['seconds']} s, {total['rps']:.1f} requests/s")
    for check in report["checks"]:
        print(f"  {'ok  ' if check['ok'] else 'FAIL'}  {check['check']}: {check['detail']}")


# THE LOAD TEST


class LoadTest(Harness):
    settings_module = "bench.loadtest_settings"

    def __init__(self, args, stack):
        super().__init__(args, stack)
        self.out = Path(args.out) if args.out else default_out()
        self.per_client_addresses = can_bind(client_address(0))
        if "GUNICORN_MAX_REQUESTS" not in os.environ:
            del self.base_env["GUNICORN_MAX_REQUESTS"]  # production's recycling (config/gunicorn.py)
        if not self.per_client_addresses:
            for setting in LIMIT_SETTINGS.values():
                self.base_env[setting] = str(LIFTED_LIMIT)
        self.meta = {
            "started": now(),
            "finished": None,
            "articles": args.articles,
            "database": args.database,
            "duration_s": args.duration,
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "client_addresses": "one per visitor" if self.per_client_addresses else "127.0.0.1 for all, limits lifted",
            "cache": "redis" if self.redis else "locmem",
            "commit": git_commit(),
            "host": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "tools": {
                "locust": tool_version([PYTHON, "-m", "locust", "--version"]),
                "gunicorn": tool_version([PYTHON, "-m", "gunicorn", "--version"]),
            },
        }

    def main(self, stack):
        args = self.args
        print(
            f"load test: {args.articles:,} articles on {args.database}, {args.users} users for {args.duration} s; "
            f"report to {self.out}"
        )
        if importlib.util.find_spec("locust") is None:
            raise BenchError(f"locust is not installed: {PYTHON} -m pip install {LOCUST_REQUIREMENT}")
        if not self.per_client_addresses:
            print(f"cannot bind {client_address(0)}: every user is 127.0.0.1, rate limits lifted, no 429 check")
        self.collectstatic()
        env = self.open_database(stack, args.database)
        if env is None:
            raise BenchError(f"PostgreSQL does not answer at {args.postgres_url}")
        env["DJANGO_MEDIA_ROOT"] = str(self.tmp / "media")
        print(f"migrate and seed {args.articles:,} articles ...", flush=True)
        catalogue_path = self.tmp / "catalogue.json"
        run([PYTHON, __file__, "--prepare", str(catalogue_path), "--articles", str(args.articles)], env, "seeding")
        catalogue = json.loads(catalogue_path.read_text())
        self.meta["limits_per_hour"] = catalogue["limits"]
        info = {}
        base = self.start_gunicorn(stack, args.database, env, page_cache=args.page_cache_seconds, info=info)
        self.meta["gunicorn"] = info["gunicorn"]
        print(
            f"{describe(info['gunicorn'])}, cache: {self.meta['cache']}; "
            f"rate limits per hour and address: {catalogue['limits']}"
        )

        tally_path = self.tmp / "tally.json"
        locust_env = {
            **self.base_env,
            "LOADTEST_CATALOGUE": str(catalogue_path),
            "LOADTEST_TALLY": str(tally_path),
            "LOADTEST_CLIENT_ADDRESSES": "1" if self.per_client_addresses else "0",
        }
        cmd = [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            f"--users={args.users}",
            f"--spawn-rate={args.spawn_rate}",
            f"--run-time={args.duration}s",
            # Users finish the visit they are in (a post and its check) before the run ends.
            "--stop-timeout=30",
            f"--host={base}",
        ]
        print(f"locust: {args.users} users, {args.spawn_rate}/s spawn rate, {args.duration} s ...", flush=True)
        locust_log = self.tmp / "locust.log"
        with contextlib.ExitStack() as locust_stack:
            proc = start(locust_stack, "locust", cmd, locust_log, locust_env)
            proc.wait()
        if not tally_path.exists():
            raise BenchError(f"locust failed ({proc.returncode}):\n{log_tail(locust_log, 40)}")
        # locust warns when its own process runs out of CPU: the latencies then include its delays.
        self.meta["locust_cpu_saturated"] = "CPU usage above" in locust_log.read_text(errors="replace")

        counted_path = self.tmp / "counted.json"
        run([PYTHON, __file__, "--count", str(counted_path)], env, "counting")
        tally = json.loads(tally_path.read_text())
        posts = check_posts(tally["accepted"], catalogue["stored"], json.loads(counted_path.read_text()))
        report = build_report(tally, posts, flood_checked=self.per_client_addresses)
        errors = server_errors(self.gunicorn_log(args.database).read_text(errors="replace"))
        self.meta["finished"] = now()
        data = {
            **self.meta,
            **report,
            "posts": posts,
            "refused_posts": tally["refused"],
            "failed_requests": tally["failed"],
            "locustfile_exceptions": tally["exceptions"],
            "server_log_errors": errors,
        }
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps(data, indent=2) + "\n")

        print_report(report)
        if tally["refused"]:
            print("\nposts refused (visitors' mistakes, rate limits), by what the form said:")
            for name, reasons in sorted(tally["refused"].items()):
                for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
                    print(f"  {count:>5} × {name}: {reason}")
        if tally["failed"]:
            print("\nfailed requests (the first of each kind):")
            for failed in tally["failed"]:
                example = f"{failed['method']} {failed['url']}"
                print(f"  {failed['count']:>5} × {failed['name']}: {failed['error']}  e.g. {example}")
        for entry in tally["exceptions"]:
            print(f"\nlocustfile exception ({entry['count']} times): {entry['message']}\n{entry['traceback']}")
        if errors:
            print("\nerrors in gunicorn's log, each once, most frequent first (whole in the JSON report):")
            for entry in errors:
                print(f"\n{entry['count']} ×\n{shorten_traceback(entry['first'])}")
        if self.meta["locust_cpu_saturated"]:
            print("\nnote: locust's own process was short of CPU; the latencies include its delays")
        print(f"\n{'passed' if report['passed'] else 'FAILED'}; figures in {self.out}")
        return report["passed"]


def can_bind(address):
    """Whether this system can send from `address` (Linux routes all of 127.0.0.0/8 to lo)."""
    try:
        with socket.socket() as sock:
            sock.bind((address, 0))
        return True
    except OSError:
        return False


def default_out():
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return ROOT / "bench" / "results" / f"loadtest-{stamp}.json"


def stored_counts():
    """Comments, guest posts and complaints in the database, by scope."""
    from complaints.models import Complaint
    from contributions.models import Submission
    from discussion.models import Comment

    return {
        "comments": Comment.objects.count(),
        "submissions": Submission.objects.count(),
        "complaints": Complaint.objects.count(),
    }


def catalogue(sample=1000):
    """What the simulated visitors ask for: a sample of every kind of public URL, the articles open
    for comments and their comments, words to search for, the rate limits and the stored counts."""
    import random

    from django.conf import settings
    from django.urls import reverse
    from taggit.models import Tag

    from blog.models import Article, Author, Category
    from blog.sitemaps import SECTIONS
    from core.models import Page, SiteSettings
    from discussion.models import Comment
    from discussion.moderation import comments_open

    rng = random.Random(7)
    live = Article.objects.live()
    articles = list(live.order_by("?")[:sample])
    site_settings = SiteSettings.load()
    recent = list(live.order_by("-published_at")[:sample])
    open_articles = [a for a in recent if comments_open(a, site_settings)]
    replies = [
        {"url": article.get_absolute_url(), "parent": pk}
        for article in open_articles
        for pk in Comment.objects.published().for_article(article).values_list("pk", flat=True)[:5]
    ]
    # Commenting as someone with an approved comment publishes at once (and refreshes the page).
    known = Comment.objects.published().exclude(user_email="").values_list("user_email", flat=True)
    months = sorted({(a.published_at.year, a.published_at.month) for a in articles})
    tags = Tag.objects.filter(blog_taggedarticle_items__isnull=False).distinct()
    tag_urls = [reverse("blog:tag-detail", kwargs={"slug": slug}) for slug in tags.values_list("slug", flat=True)]
    words = sorted({w.lower() for a in articles for w in re.findall(r"[A-Za-z]{4,}", a.title)})
    categories = list(Category.objects.all())
    authors = list(Author.objects.filter(articles__isnull=False).distinct())
    return {
        "articles": [a.get_absolute_url() for a in articles],
        "commentable": [{"pk": a.pk, "url": a.get_absolute_url()} for a in open_articles],
        "replies": replies,
        "commenter_emails": sorted(set(known[:100]))[:20],
        "tags": rng.sample(tag_urls, min(len(tag_urls), 200)),
        "categories": [c.get_absolute_url() for c in categories],
        "authors": [a.get_absolute_url() for a in authors],
        "years": sorted({reverse("blog:archive-year", kwargs={"year": y}) for y, _ in months}),
        "months": [reverse("blog:archive-month", kwargs={"year": y, "month": m}) for y, m in months],
        "pages": [p.get_absolute_url() for p in Page.objects.all()],
        "feeds": [
            reverse("blog:feed"),
            reverse("blog:feed-atom"),
            *[reverse("blog:category-feed", kwargs={"slug": c.slug}) for c in categories[:3]],
            *[reverse("blog:tag-feed", kwargs={"slug": t}) for t in tags.values_list("slug", flat=True)[:3]],
            *[reverse("blog:author-feed", kwargs={"slug": a.slug}) for a in authors[:3]],
        ],
        "sitemaps": [
            reverse("blog:sitemap-index"),
            reverse("blog:sitemap-news"),
            *[reverse("blog:sitemap-section", kwargs={"section": name}) for name in SECTIONS],
        ],
        "words": words,
        "limits": {scope: getattr(settings, name) for scope, name in LIMIT_SETTINGS.items()},
        "comment_min_seconds": settings.BYLINE_COMMENT_MIN_SECONDS,
        "stored": stored_counts(),
    }


def django_child(out, articles=None):
    """In a child process whose environment names the database: seed and write the catalogue, or
    (articles None) write the stored counts."""
    import django

    django.setup()
    if articles is None:
        data = stored_counts()
    else:
        from bench.pages import seed

        seed(articles)
        data = catalogue()
    Path(out).write_text(json.dumps(data))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--users", type=int, default=50, help="simulated users at once")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--page-cache-seconds", type=int, default=3600, help="BYLINE_PAGE_CACHE_SECONDS (production's default)"
    )
    parser.add_argument("--out", help="the JSON report (default bench/results/loadtest-<timestamp>.json)")
    add_service_options(parser, "the load test", redis_env="LOADTEST_REDIS_URL", redis_db=14)
    parser.add_argument("--prepare", metavar="JSON", help=argparse.SUPPRESS)  # internal: the seeding child
    parser.add_argument("--count", metavar="JSON", help=argparse.SUPPRESS)  # internal: the counting child
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration < 1:
        parser.error("--users and --duration must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    if args.prepare or args.count:
        django_child(args.prepare or args.count, args.articles if args.prepare else None)
        return 0

    unwind_on_signals("stopping the servers, dropping the scratch database")
    try:
        with contextlib.ExitStack() as stack:
            passed = LoadTest(args, stack).main(stack)
    except BenchError as exc:
        print(f"\nload test failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, scratch database dropped", file=sys.stderr)
        return 130
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
