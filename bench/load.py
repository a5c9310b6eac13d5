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

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Only against waiting forever (a server that never answers): start-up and single requests on a
# loaded machine stay far inside it. What is measured has limits of its own (wrk's --timeout).
HANG_SECONDS = 600

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
# Least share of the baseline's requests per second, by (mode, page); None: any page.
TARGETS = {("cached", None): 0.80, ("uncached", "article"): 0.15, ("varnish", "article"): 0.50}
# Most p50 may grow from the smaller to the larger N (--compare).
P50_GROWTH_TARGET = 1.2
PAGE_CACHE_SECONDS = 3600

# wrk calls done() once at the end: its summary as one JSON line, latencies in microseconds.
WRK_SCRIPT = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, "max_us": %.0f, "mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

# A Varnish in front of a static copy of the page: every request after the first is a hit,
# stored gzipped as byline.vcl stores pages, so both deliver the same bytes.
STATIC_VCL = """\
vcl 4.1;
backend default {{ .host = "127.0.0.1"; .port = "{port}"; }}
sub vcl_backend_response {{ set beresp.ttl = 1h; set beresp.do_gzip = true; }}
"""
# Browsers ask for gzip; Varnish then answers from its gzipped copy without unzipping.
VARNISH_HEADERS = {"Accept-Encoding": "gzip"}


class BenchError(Exception):
    """Something the bench needs is missing or broke; the message says what."""


# PURE LOGIC (tests/bench/test_load.py)


def parse_wrk(output):
    """wrk's output with WRK_SCRIPT -> requests per second, p50/p99 in ms, counts of errors."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise BenchError(f"wrk printed no summary:\n{output.strip()}")
    seconds = raw["duration_us"] / 1e6
    errors = {
        "socket": raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
        "status": raw["status_errors"],  # responses other than 2xx and 3xx
    }
    return {
        "requests": raw["requests"],
        # Per response as it crossed the wire: headers included, compressed when it was.
        "wire_bytes": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": errors,
    }


def target_for(mode, page):
    return TARGETS.get((mode, page), TARGETS.get((mode, None)))


def judge(row, baseline_rps):
    """Add the ratio to the baseline and whether the row meets its target (None: no target)."""
    ratio = round(row["rps"] / baseline_rps, 3) if baseline_rps else None
    target = target_for(row["mode"], row["page"])
    met = None if target is None or ratio is None else ratio >= target
    if met and (row["errors"]["socket"] or row["errors"]["status"]):
        met = False  # fast errors are not a pass
    return {**row, "ratio": ratio, "target": target, "met": met}


def compare_runs(first, second):
    """Two results files (dicts) -> p50 at the larger N over p50 at the smaller, per row."""
    small, large = sorted([first, second], key=lambda run: run["articles"])
    keyed = {(r["database"], r["page"], r["mode"]): r for r in small["results"]}
    rows = []
    for row in large["results"]:
        before = keyed.get((row["database"], row["page"], row["mode"]))
        if before is None or not before["p50_ms"]:
            continue
        growth = round(row["p50_ms"] / before["p50_ms"], 2)
        target = P50_GROWTH_TARGET if row["mode"] in ("uncached", "cached") else None
        rows.append(
            {
                "database": row["database"],
                "page": row["page"],
                "mode": row["mode"],
                "p50_small_ms": before["p50_ms"],
                "p50_large_ms": row["p50_ms"],
                "growth": growth,
                "target": target,
                "met": None if target is None else growth <= target,
            }
        )
    return small["articles"], large["articles"], rows


# PRINTING


def fmt_target(row):
    if row.get("target") is None:
        return ""
    return f"≥{row['target']:.2f} {'yes' if row['met'] else 'NO'}"


def print_header(title):
    print(f"\n{title}")
    print(f"{'page':<10}{'mode':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'bytes':>9}{'ratio':>8}  target")


def print_row(row):
    ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else ""
    errors = row["errors"]
    note = ""
    if not row["requests"]:
        note = f"  ! no response completed within the {row['seconds']:.0f} s run"
    elif errors["socket"] or errors["status"]:
        note = f"  ! {errors['status']} bad statuses, {errors['socket']} socket errors"
    print(
        f"{row['page']:<10}{row['mode']:<16}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
        f"{row['bytes']:>9}{ratio:>8}  {fmt_target(row)}{note}",
        flush=True,
    )


def print_comparison(small_n, large_n, rows):
    print(f"p50 at {large_n:,} articles over p50 at {small_n:,} (target ≤ {P50_GROWTH_TARGET})")
    print(f"{'database':<12}{'page':<10}{'mode':<16}{'p50 small':>10}{'p50 large':>10}{'growth':>8}  target")
    for row in rows:
        verdict = "" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(
            f"{row['database']:<12}{row['page']:<10}{row['mode']:<16}{row['p50_small_ms']:>10.1f}"
            f"{row['p50_large_ms']:>10.1f}{row['growth']:>8.2f}  {verdict}"
        )


# PROCESSES


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def start(stack, name, cmd, log, env=None):
    """Start cmd in its own process group, logging to `log`; the stack stops it (and its children)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    proc.bench_name, proc.bench_log = name, log
    stack.callback(stop, proc)
    return proc


def stop(proc):
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def log_tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def get(url, timeout=HANG_SECONDS, headers=None):
    """GET url -> (status, headers, body), no redirects followed."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path_of(url), headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_until_up(proc, url, seconds=HANG_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{proc.bench_name} exited ({proc.returncode}):\n{log_tail(proc.bench_log)}")
        try:
            status, _, body = get(url, timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise BenchError(f"{url} answered {status}: {body[:200]!r}\n{log_tail(proc.bench_log)}")
    raise BenchError(f"{proc.bench_name} did not answer {url} within {seconds} s:\n{log_tail(proc.bench_log)}")


def run(cmd, env, what):
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def tool_version(cmd):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0] if text else None


# SCRATCH DATABASES AND GUNICORN (shared with bench/loadtest.py)


class Harness:
    """A scratch folder, the environment of the site under test, scratch databases and gunicorn.

    `args` needs `redis_url` and `postgres_url`. Whatever is started or created goes on the
    caller's ExitStack, which stops the processes and drops the databases.
    """

    settings_module = "bench.settings"

    def __init__(self, args, stack):
        self.args = args
        self.tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="byline-load-")))
        self.base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP here, no TLS proxy in front
            "DJANGO_STATIC_ROOT": str(self.tmp / "static"),
            "DJANGO_CONN_MAX_AGE": "60",  # as README's production steps recommend
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # a bench never mails
            "BYLINE_VARNISH_URLS": "",
            "PYTHONPATH": str(ROOT),
            # No worker recycling unless asked for: under wrk's even load every worker reaches
            # max_requests within the jitter of the others, they restart together and the run
            # shows seconds-long stalls that measure gunicorn's restarts, not the pages.
            "GUNICORN_MAX_REQUESTS": os.environ.get("GUNICORN_MAX_REQUESTS", "0"),
        }
        self.base_env.pop("REDIS_URL", None)
        self.redis = self.check_redis()
        if self.redis:
            self.base_env["REDIS_URL"] = args.redis_url

    def check_redis(self):
        import redis

        try:
            client = redis.Redis.from_url(self.args.redis_url, socket_connect_timeout=2)
            client.ping()
        except (redis.RedisError, OSError, ValueError) as exc:
            print(f"Redis at {self.args.redis_url} does not answer ({exc}): local-memory cache, so one gunicorn worker")
            return None
        return client

    def collectstatic(self):
        print("collectstatic ...", flush=True)
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], self.base_env, "collectstatic")

    def open_database(self, stack, database):
        """A scratch database -> the environment that points at it, or None when PostgreSQL does not answer."""
        if database == "sqlite":
            folder = self.tmp / "sqlite"
            folder.mkdir()
            return {**self.base_env, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        admin_url = self.args.postgres_url
        parts = urllib.parse.urlsplit(admin_url)
        if not answers(parts.hostname or "127.0.0.1", parts.port or 5432):
            return None
        import psycopg

        name = f"byline_bench_{os.getpid()}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        stack.callback(drop_postgres, admin_url, name)
        return {**self.base_env, "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))}

    def gunicorn_log(self, database):
        return self.tmp / f"gunicorn-{database}.log"

    def start_gunicorn(self, stack, database, env, page_cache, info):
        """gunicorn with config/gunicorn.py on a free port -> its base URL, once /healthz/ answers.

        Redis (the cache) is flushed first; `info["gunicorn"]` gets the workers and threads.
        """
        if self.redis:
            self.redis.flushdb()
        port = free_port()
        env = {**env, "BYLINE_PAGE_CACHE_SECONDS": str(page_cache), "GUNICORN_BIND": f"127.0.0.1:{port}"}
        config = ROOT / "config" / "gunicorn.py"
        if not config.exists():
            raise BenchError(f"{config} is missing")
        info["gunicorn"] = gunicorn_settings(config, env)
        proc = start(
            stack,
            "gunicorn",
            [PYTHON, "-m", "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{port}", "config.wsgi"],
            self.gunicorn_log(database),
            env,
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(proc, base + "/healthz/")
        return base


# THE BENCH


class Bench(Harness):
    def __init__(self, args, stack):
        super().__init__(args, stack)
        self.wrk_script = self.tmp / "summary.lua"
        self.wrk_script.write_text(WRK_SCRIPT)
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
            self.wrk(url, self.args.warmup, headers)
        row = {"database": database, "page": page, "mode": mode, "url": path_of(url), "bytes": size}
        if headers:
            row["headers"] = headers
        return {**row, **parse_wrk(self.wrk(url, self.args.duration, headers))}

    def wrk(self, url, seconds, headers=None):
        cmd = [
            self.args.wrk,
            f"--threads={self.args.threads}",
            f"--connections={self.args.connections}",
            f"--duration={seconds}s",
            "--timeout=30s",
            f"--script={self.wrk_script}",
            *(f"--header={name}: {value}" for name, value in (headers or {}).items()),
            url,
        ]
        with contextlib.ExitStack() as stack:
            log = self.tmp / "wrk.out"
            log.unlink(missing_ok=True)
            proc = start(stack, "wrk", cmd, log)
            proc.wait()
            output = log.read_text(errors="replace")
        if proc.returncode:
            raise BenchError(f"wrk failed ({proc.returncode}) on {url}:\n{output}")
        return output

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
        front = self.start_varnish(stack, f"site-{database}", site_vcl)

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
        copy = self.start_varnish(stack, f"static-{database}", static_vcl)

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

    def start_varnish(self, stack, name, vcl):
        port = free_port()
        workdir = self.tmp / f"varnish-{name}"
        workdir.mkdir()
        cmd = [self.args.varnishd, "-F", "-n", str(workdir), "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
        cmd += ["-T", "none", "-s", "malloc,256m"]
        if os.geteuid() == 0:
            cmd += ["-j", "none"]  # a throwaway instance in a tmp folder: no jail users needed
        proc = start(stack, f"varnishd ({name})", cmd, self.tmp / f"varnish-{name}.log")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + HANG_SECONDS
        while not answers("127.0.0.1", port):
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise BenchError(f"varnishd ({name}) did not start:\n{log_tail(proc.bench_log)}")
            time.sleep(0.2)
        return base

    def summary(self):
        judged = [row for row in self.results if row["met"] is not None]
        missed = [row for row in judged if not row["met"]]
        print(f"\ntargets met: {len(judged) - len(missed)} of {len(judged)}; figures in {self.out}")
        for row in missed:
            print(f"  missed: {row['database']} {row['page']} {row['mode']}: {row['ratio']} < {row['target']}")


def describe(gunicorn):
    workers, threads, recycle = gunicorn["workers"], gunicorn["threads"], gunicorn["max_requests"]
    text = f"gunicorn {workers} worker{'s' if workers != 1 else ''} × {threads} thread{'s' if threads != 1 else ''}"
    return text + (f", recycled every ~{recycle} requests" if recycle else "")


def gunicorn_settings(config, env):
    """What config/gunicorn.py decides under env: workers and threads."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        values = runpy.run_path(str(config))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {key: values.get(key, default) for key, default in (("workers", 1), ("threads", 1), ("max_requests", 0))}


def point_backend(vcl, host, port):
    """The VCL with its backends' .host and .port replaced by host and port."""
    vcl = re.sub(r'(\.host\s*=\s*)"[^"]*"', rf'\g<1>"{host}"', vcl)
    return re.sub(r'(\.port\s*=\s*)"[^"]*"', rf'\g<1>"{port}"', vcl)


def drop_postgres(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def default_out():
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return ROOT / "bench" / "results" / f"{stamp}.json"


def git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def prepare(out, articles):
    """In a child process whose environment names the database: seed it, write the pages' URLs."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.pages import public_pages, seed
    from blog.models import Article

    seed(articles)
    data = {"pages": public_pages(), "live_articles": Article.objects.live().count()}
    Path(out).write_text(json.dumps(data))


def add_service_options(parser, what, *, redis_env, redis_db):
    """--postgres-url and --redis-url, as every bench driver takes them (each its own Redis database)."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help=f"a server login allowed to create databases; {what} makes and drops its own",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get(redis_env, f"redis://127.0.0.1:6379/{redis_db}"),
        help=f"a Redis database for {what} alone: it is flushed when it starts",
    )


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


def unwind_on_signals(doing):
    """Make Ctrl-C, SIGTERM and SIGHUP unwind the caller's ExitStack, saying what that does.

    Every process a driver started is stopped and its scratch database dropped on the way out.
    SIGINT is set explicitly: a shell leaves it ignored in `cmd &`.
    """

    def unwind(signum, frame):
        print(f"\n{signal.Signals(signum).name}: {doing}", file=sys.stderr)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, unwind)
    signal.signal(signal.SIGHUP, unwind)


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
