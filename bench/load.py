"""Load bench: requests per second, p50 and p99 of the public pages under gunicorn, driven by wrk.

    make bench                                  # N=10000 articles, 20 s per measurement
    make bench N=1000 DURATION=5                # a quick run
    make bench N=100000 OUT=bench/results/100k.json
    make bench COMPARE="bench/results/1k.json bench/results/100k.json"

For each database (SQLite in a scratch folder; PostgreSQL in a scratch database created and
dropped here, when 127.0.0.1:5432 answers) the bench seeds N articles (bench/pages.py's seed()),
collects the static files once, and starts gunicorn with config/gunicorn.py on a free local port
with production settings (bench/settings.py: production's plus the reference view), Redis as the
cache when it answers (a dedicated database number, flushed at every start), otherwise local
memory, in which case config/gunicorn.py runs one worker. Workers are not recycled
(GUNICORN_MAX_REQUESTS=0 unless set): see Harness.base_env. Then:

- uncached: gunicorn with BYLINE_PAGE_CACHE_SECONDS=0; for each page (home, an article, a tag,
  a category, an author, a search, the RSS feed) wrk drives the page and then the reference, a
  bare Django view returning as many bytes as the page, through the same middleware;
- cached: gunicorn restarted with the page cache on, each page warmed by one request and
  measured right after the reference again (the machine's speed drifts between minutes);
- varnish: Debian's varnishd with deploy/varnish/byline.vcl in front of the cached gunicorn,
  against a second varnishd serving a static copy of the same article bytes.

wrk keeps a fixed number of connections busy for DURATION seconds per measurement. The table
gives requests per second, p50 and p99, the page's bytes and the ratio to the reference (or, for
Varnish, to the static copy), and the figures go to a JSON file. `--compare A B` reads two such
files and prints, per page, p50 at the larger N over p50 at the smaller.
"""

# This module is the bench itself (Bench: each database, mode and page in turn) and its command
# line. What it builds on: bench/servers.py (Harness: the scratch site, databases and gunicorn;
# varnishd), bench/wrk.py (running wrk, reading its figures), bench/load_report.py (the targets,
# the judged rows, --compare, the printed tables) and bench/processes.py (child processes, probes).

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/load.py`

from bench.load_report import (  # noqa: E402  (needs ROOT on the path)
    P50_GROWTH_TARGET,
    TARGETS,
    compare_runs,
    judge,
    print_comparison,
    print_header,
    print_row,
)
from bench.processes import (  # noqa: E402
    PYTHON,
    BenchError,
    free_port,
    get,
    git_commit,
    now,
    path_of,
    run,
    start,
    tool_version,
    unwind_on_signals,
    wait_until_up,
)
from bench.servers import (  # noqa: E402
    Harness,
    add_service_options,
    describe,
    point_backend,
    start_varnish,
)
from bench.wrk import Wrk, parse_wrk  # noqa: E402

# The pages measured: our name -> the name bench/pages.py's public_pages() gives it.
PAGES = {
    "home": "home",
    "article": "article",
    "tag": "tag",
    "category": "category",
    "author": "author",
    "search": "search",
    "feed": "feed (RSS)",
}
PAGE_CACHE_SECONDS = 3600

# A Varnish in front of a static copy of the page: every request after the first is a hit,
# stored gzipped as byline.vcl stores pages, so both deliver the same bytes.
STATIC_VCL = """\
vcl 4.1;
backend default {{ .host = "127.0.0.1"; .port = "{port}"; }}
sub vcl_backend_response {{ set beresp.ttl = 1h; set beresp.do_gzip = true; }}
"""
# Browsers ask for gzip; Varnish then answers from its gzipped copy without unzipping.
VARNISH_HEADERS = {"Accept-Encoding": "gzip"}


class Bench(Harness):
    def __init__(self, args, stack):
        super().__init__(args, stack)
        self.wrk = Wrk(args.wrk, args.threads, args.connections, self.tmp)
        self.results = []
        self.out = Path(args.out) if args.out else default_out()
        self.meta = {
            "started": now(),
            "finished": None,
            "complete": False,
            "articles": args.articles,
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "commit": git_commit(),
            "host": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "tools": {
                "wrk": tool_version([args.wrk, "--version"]),
                "varnishd": tool_version([args.varnishd, "-V"]) if args.varnishd else None,
                "gunicorn": tool_version([PYTHON, "-m", "gunicorn", "--version"]),
            },
            "targets": {
                "cached pages, share of the reference's req/s": TARGETS[("cached", None)],
                "uncached article, share of the reference's req/s": TARGETS[("uncached", "article")],
                "article through Varnish, share of Varnish serving a static copy": TARGETS[("varnish", "article")],
                "p50 at the larger N over p50 at the smaller (--compare)": P50_GROWTH_TARGET,
            },
            "databases": [],
        }

    def save(self):
        self.out.parent.mkdir(parents=True, exist_ok=True)
        data = {**self.meta, "results": self.results}
        self.out.write_text(json.dumps(data, indent=2) + "\n")

    def main(self):
        print(
            f"load bench: {self.args.articles:,} articles, wrk {self.args.connections} connections "
            f"({self.args.threads} threads), {self.args.duration} s per measurement; figures to {self.out}"
        )
        self.save()
        self.collectstatic()
        for database in self.args.databases:
            with contextlib.ExitStack() as stack:
                env = self.open_database(stack, database)
                if env is None:
                    parts = urllib.parse.urlsplit(self.args.postgres_url)
                    print(f"\npostgres: nothing answers at {parts.hostname}:{parts.port or 5432}, skipped")
                    self.meta["databases"].append({"name": "postgres", "skipped": "not reachable"})
                else:
                    self.bench_database(stack, database, env)
        self.meta["finished"] = now()
        self.meta["complete"] = True
        self.save()
        self.summary()

    def bench_database(self, stack, database, env):
        env["DJANGO_MEDIA_ROOT"] = str(self.tmp / f"media-{database}")
        info = {"name": database, "cache": "redis" if self.redis else "locmem"}
        self.meta["databases"].append(info)
        print(f"\n{database}: migrate and seed {self.args.articles:,} articles ...", flush=True)
        started = time.perf_counter()
        prepared = self.tmp / f"prepared-{database}.json"
        run(
            [PYTHON, str(Path(__file__).resolve()), "--prepare", str(prepared), "--articles", str(self.args.articles)],
            env,
            "seeding",
        )
        info.update(json.loads(prepared.read_text()))
        info["seed_seconds"] = round(time.perf_counter() - started, 1)
        pages = {name: info["pages"][key] for name, key in PAGES.items() if name in self.args.pages}
        info["pages"] = pages
        print(f"seeded in {info['seed_seconds']} s; {info['live_articles']:,} live articles")

        # Uncached, each page beside the reference of its size.
        references = {}
        with contextlib.ExitStack() as server:
            base = self.start_gunicorn(server, database, env, page_cache=0, info=info)
            cache = "Redis" if self.redis else "local memory"
            gunicorn = describe(info["gunicorn"])
            print_header(f"{database}, {self.args.articles:,} articles, {gunicorn}, cache: {cache}, page cache off")
            for page, path in pages.items():
                body = self.fetch(base + path)
                reference = self.measure(database, page, "reference", base + f"/bench/reference/{len(body)}/")
                references[page] = reference["rps"]
                self.record(reference, None)
                self.record(self.measure(database, page, "uncached", base + path), references[page])

        # Cached: the page cache on, every page warmed by one request.
        with contextlib.ExitStack() as server:
            base = self.start_gunicorn(server, database, env, page_cache=PAGE_CACHE_SECONDS, info=info)
            print_header(f"{database}, page cache on ({PAGE_CACHE_SECONDS} s)")
            for page, path in pages.items():
                body = self.fetch(base + path)
                _, headers, _ = get(base + path)
                # The reference again, right before: on a shared machine the rate drifts by tens of
                # percent between minutes, and a ratio is only as good as its two runs' likeness.
                reference = self.measure(database, page, "reference", base + f"/bench/reference/{len(body)}/")
                self.record(reference, None)
                row = self.measure(database, page, "cached", base + path)
                # pagecache/middleware.py says whether it answered; the warm-up should have made it a hit.
                row["page_cache"] = headers.get("X-Page-Cache")
                self.record(row, reference["rps"])
                if row["page_cache"] != "hit":
                    print(f"{'':<10}(the second request was not a page-cache hit: X-Page-Cache {row['page_cache']})")
            if "article" in pages:
                self.bench_varnish(server, database, base + pages["article"], info)

    def fetch(self, url):
        status, _, body = get(url)
        if status != 200:
            raise BenchError(f"{url} answered {status}, not 200")
        return body

    def measure(self, database, page, mode, url, headers=None):
        """wrk against url -> a result row, after a warm-up whose figures are dropped.

        The warm-up lets every worker process load what its first requests load (templates,
        URL patterns, database connections); the bytes come from one GET before the run.
        """
        size = len(self.fetch(url))
        if self.args.warmup:
            self.wrk.run(url, self.args.warmup, headers)
        row = {"database": database, "page": page, "mode": mode, "url": path_of(url), "bytes": size}
        if headers:
            row["headers"] = headers
        return {**row, **parse_wrk(self.wrk.run(url, self.args.duration, headers))}

    def record(self, row, baseline_rps):
        row = judge(row, baseline_rps)
        self.results.append(row)
        print_row(row)
        self.save()

    def bench_varnish(self, stack, database, article_url, info):
        """The article through byline.vcl in front of gunicorn, and a static copy through Varnish."""
        if not self.args.varnishd:
            print("varnish: varnishd is missing (make bench installs it when run as root): skipped")
            info["varnish"] = "skipped: varnishd missing"
            return
        vcl = ROOT / self.args.vcl
        if not vcl.exists():
            print(f"varnish: {self.args.vcl} is missing: skipped")
            info["varnish"] = "skipped: no VCL"
            return
        parts = urllib.parse.urlsplit(article_url)
        path = path_of(article_url)
        body = self.fetch(article_url)

        site_vcl = self.tmp / f"byline-{database}.vcl"
        site_vcl.write_text(point_backend(vcl.read_text(), parts.hostname, parts.port))
        front = start_varnish(stack, self.args.varnishd, self.tmp, f"site-{database}", site_vcl)

        static_dir = self.tmp / f"static-copy-{database}"
        (static_dir / "article").mkdir(parents=True)
        (static_dir / "article" / "index.html").write_bytes(body)
        static_port = free_port()
        static = start(
            stack,
            "http.server",
            [PYTHON, "-m", "http.server", str(static_port), "--bind", "127.0.0.1", "--directory", str(static_dir)],
            self.tmp / "http-server.log",
        )
        wait_until_up(static, f"http://127.0.0.1:{static_port}/article/")
        static_vcl = self.tmp / f"static-{database}.vcl"
        static_vcl.write_text(STATIC_VCL.format(port=static_port))
        copy = start_varnish(stack, self.args.varnishd, self.tmp, f"static-{database}", static_vcl)

        get(front + path, headers=VARNISH_HEADERS)
        _, headers, _ = get(front + path, headers=VARNISH_HEADERS)  # a hit, if Varnish kept the page
        hit = len(headers.get("X-Varnish", "").split()) > 1
        info["varnish"] = {"vcl": str(self.args.vcl), "article_second_request_hit": hit}
        if not hit:
            print(f"varnish: the article's second request was not a cache hit (X-Varnish: {headers.get('X-Varnish')})")
        get(copy + "/article/", headers=VARNISH_HEADERS)
        print_header(f"{database}, article through Varnish ({self.args.vcl}) against a static copy")
        static_row = self.measure(database, "article", "varnish-static", copy + "/article/", VARNISH_HEADERS)
        self.record(static_row, None)
        row = self.measure(database, "article", "varnish", front + path, VARNISH_HEADERS)
        self.record(row, static_row["rps"])

    def summary(self):
        judged = [row for row in self.results if row["met"] is not None]
        missed = [row for row in judged if not row["met"]]
        print(f"\ntargets met: {len(judged) - len(missed)} of {len(judged)}; figures in {self.out}")
        for row in missed:
            print(f"  missed: {row['database']} {row['page']} {row['mode']}: {row['ratio']} < {row['target']}")


def default_out():
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return ROOT / "bench" / "results" / f"{stamp}.json"


def prepare(out, articles):
    """In a child process whose environment names the database: seed it, write the pages' URLs."""
    import django

    django.setup()
    from bench.pages import public_pages, seed
    from blog.models import Article

    seed(articles)
    data = {"pages": public_pages(), "live_articles": Article.objects.live().count()}
    Path(out).write_text(json.dumps(data))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement, not counted")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--out", help="the JSON file (default bench/results/<timestamp>.json)")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, of: " + ", ".join(PAGES))
    add_service_options(parser, "the bench", redis_env="BENCH_REDIS_URL", redis_db=15)
    parser.add_argument(
        "--vcl", default="deploy/varnish/byline.vcl", help="the site's VCL, its backend pointed at the bench's gunicorn"
    )
    parser.add_argument("--no-varnish", action="store_true")
    parser.add_argument("--compare", nargs=2, metavar="JSON", help="compare p50 between two results files")
    parser.add_argument("--prepare", metavar="JSON", help=argparse.SUPPRESS)  # internal: the seeding child
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    for name in args.databases:
        if name not in ("sqlite", "postgres"):
            parser.error(f"unknown database {name!r}")
    for name in args.pages:
        if name not in PAGES:
            parser.error(f"unknown page {name!r}")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it comes, also through a pipe
    if args.prepare:
        prepare(args.prepare, args.articles)
        return 0
    if args.compare:
        runs = [json.loads(Path(path).read_text()) for path in args.compare]
        print_comparison(*compare_runs(*runs))
        return 0
    args.wrk = shutil.which("wrk")
    if not args.wrk:
        print("make bench needs wrk: `apt-get install wrk` (make bench installs it when run as root)", file=sys.stderr)
        return 2
    args.varnishd = None if args.no_varnish else (shutil.which("varnishd") or shutil.which("/usr/sbin/varnishd"))

    unwind_on_signals("stopping the servers, dropping the scratch databases")
    try:
        with contextlib.ExitStack() as stack:
            Bench(args, stack).main()
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, scratch databases dropped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
