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

# This module runs the load test (LoadTest) and is its command line. What it builds on:
# bench/servers.py (Harness: the scratch site, database and gunicorn), bench/catalogue.py (what
# the visitors ask for, read in the seeding child), bench/traffic.py (the posts, the rate limits,
# the visitors' addresses, judging statuses), bench/loadtest_report.py (figures and checks) and
# bench/server_log.py (gunicorn's errors). locust runs bench/locustfile.py, the visitors.

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/loadtest.py`

from bench.loadtest_report import build_report, check_posts, print_report  # noqa: E402  (needs ROOT on the path)
from bench.processes import (  # noqa: E402
    PYTHON,
    BenchError,
    git_commit,
    log_tail,
    now,
    run,
    start,
    tool_version,
    unwind_on_signals,
)
from bench.server_log import server_errors, shorten_traceback  # noqa: E402
from bench.servers import Harness, add_service_options, describe  # noqa: E402
from bench.traffic import LIFTED_LIMIT, LIMIT_SETTINGS, client_address  # noqa: E402

LOCUST_REQUIREMENT = "locust==2.47.0"


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


def django_child(out, articles=None):
    """In a child process whose environment names the database: seed and write the catalogue, or
    (articles None) write the stored counts."""
    import django

    django.setup()
    from bench.catalogue import catalogue, stored_counts

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
