"""Import bench: time, items per second and peak memory of `manage.py import_wordpress`.

    make bench-import                               # 50,000 items on SQLite
    make bench-import N=5000                        # a quick run
    make bench-import BENCH_ARGS="--database postgres"
    python bench/import_wordpress.py --export site.xml --media-dir uploads/   # a real export

The bench generates an export of N items (bench/wxr.py, seed 7: posts, attachments, pages and
menu items with comments, authors, categories and tags) and the pictures it names under a
media folder, then, each in a scratch database of its own (SQLite in a scratch folder, or
PostgreSQL created and dropped here, as bench/load.py's Harness does), migrated first:

- dry run: `import_wordpress --dry-run` on the export (the importer does all its work in one
  transaction and rolls it back, so this costs about what the import does);
- memory: the import of an export of N/10 items (--small), for its peak RSS;
- import: the import of the N items, then the stored counts (articles, pages, comments,
  authors, redirects, categories, tags, media files and every model of the wordpress app);
- rerun: the same import again into the same database, which must change no count.

Every command runs in a child process; the figures are its wall time, its CPU time and its
peak resident memory as the kernel counted it (ru_maxrss from wait4), and items per second,
items being the export's <item>s of every type. Memory is bounded when the peak RSS at N is
at most MEMORY_GROWTH_TARGET times the peak at N/10, ten times fewer items. The exit status
is 1 when a command fails, the rerun changes a count, or memory grows past that target.
Figures go to bench/results/import-<timestamp>.json.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/import_wordpress.py`

from bench.processes import (  # noqa: E402
    PYTHON,
    BenchError,
    git_commit,
    log_tail,
    now,
    run,
    stop,
    unwind_on_signals,
)
from bench.servers import Harness, add_service_options  # noqa: E402
from bench.wxr import write_export  # noqa: E402

# Most the peak RSS may grow from the export of N/10 items to the export of N.
MEMORY_GROWTH_TARGET = 2.0
# What the report compares between the export and the database: stored name -> export count.
EXPORTED_AS = {
    "articles": lambda s: s["by_type"].get("post", 0),
    "pages": lambda s: s["by_type"].get("page", 0),
    "comments": lambda s: s["comments"],
    "authors": lambda s: s["authors"],
    "categories": lambda s: s["categories"],
    "tags": lambda s: s["tags"],
}


# PURE LOGIC


def count_items(path, chunk=1 << 20):
    """The <item> elements of an export, counted in its bytes without parsing it."""
    total, tail = 0, b""
    with open(path, "rb") as export:
        while block := export.read(chunk):
            data = tail + block
            total += data.count(b"<item>")
            tail = data[-5:]  # "<item" is 6 bytes: a match cannot straddle with less kept
    return total


def figures(items, seconds, rusage, returncode):
    """A child's wait4 rusage -> the row's figures (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    maxrss = rusage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return {
        "items": items,
        "seconds": round(seconds, 2),
        "items_per_s": round(items / seconds, 1) if seconds else None,
        "peak_rss_mb": round(maxrss / 2**20, 1),
        "cpu_s": round(rusage.ru_utime + rusage.ru_stime, 2),
        "exit": returncode,
    }


def memory_verdict(small, large):
    """Two import rows (N/10 and N items) -> peak RSS growth and whether it stays bounded."""
    growth = round(large["peak_rss_mb"] / small["peak_rss_mb"], 2) if small["peak_rss_mb"] else None
    extra_items = large["items"] - small["items"]
    per_1000 = (large["peak_rss_mb"] - small["peak_rss_mb"]) / extra_items * 1000 if extra_items else None
    return {
        "items": [small["items"], large["items"]],
        "peak_rss_mb": [small["peak_rss_mb"], large["peak_rss_mb"]],
        "growth": growth,
        "mb_per_1000_items": round(per_1000, 2) if per_1000 is not None else None,
        "target": MEMORY_GROWTH_TARGET,
        "bounded": growth is not None and growth <= MEMORY_GROWTH_TARGET,
    }


def count_changes(before, after):
    """Counts that differ between two {name: count} dicts -> {name: [before, after]}."""
    return {
        k: [before.get(k), after.get(k)] for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)
    }


# PRINTING


def print_header():
    print(f"\n{'run':<26}{'items':>9}{'seconds':>10}{'items/s':>10}{'peak RSS MB':>13}{'CPU s':>9}  exit")


def print_row(row):
    per_s = f"{row['items_per_s']:,.0f}" if row["items_per_s"] else ""
    print(
        f"{row['name']:<26}{row['items']:>9,}{row['seconds']:>10.1f}{per_s:>10}{row['peak_rss_mb']:>13.1f}"
        f"{row['cpu_s']:>9.1f}  {row['exit']}",
        flush=True,
    )


def print_counts(exported, first, second):
    print(f"\n{'stored':<34}{'export':>10}{'import':>10}{'rerun':>10}")
    for name in sorted(first.keys() | second.keys(), key=lambda k: (k not in EXPORTED_AS, k)):
        export = exported.get(name, "")
        a, b = first.get(name, ""), second.get(name, "")
        mark = "" if a == b else "  ! changed by the rerun"
        print(f"{name:<34}{export!s:>10}{a!s:>10}{b!s:>10}{mark}")


# THE BENCH


class ImportBench(Harness):
    def __init__(self, args, stack):
        super().__init__(args, stack)
        if self.redis:
            self.redis.flushdb()  # the cache the importer's invalidations reach: ours alone
        self.out = Path(args.out) if args.out else default_out()
        self.rows = []
        self.meta = {
            "started": now(),
            "finished": None,
            "complete": False,
            "database": args.database,
            "cache": "redis" if self.redis else "locmem",
            "commit": git_commit(),
            "host": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "export": None,
            "small_export": None,
            "counts": {},
            "memory": None,
            "idempotent": None,
        }

    def open_database(self, stack, database):
        if database == "sqlite":
            shutil.rmtree(self.tmp / "sqlite", ignore_errors=True)  # the last run's database folder
        env = super().open_database(stack, database)
        if env is None:
            raise BenchError(f"PostgreSQL does not answer at {self.args.postgres_url}")
        return env

    def save(self):
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps({**self.meta, "runs": self.rows}, indent=2) + "\n")

    def export(self, posts, name):
        """The export to import and its summary: generated into the scratch folder, or --export."""
        if self.args.export and name == "export":
            path = Path(self.args.export).resolve()
            summary = {"path": str(path), "items": count_items(path), "bytes": path.stat().st_size, "generated": False}
            return path, summary
        path = self.tmp / f"{name}.xml"
        media = None if self.args.no_media else self.media_dir
        print(f"generating {path.name}: {posts:,} items (seed {self.args.seed}) ...", flush=True)
        summary = write_export(path, posts, self.args.seed, media_dir=media)
        summary.update(path=str(path), generated=True)
        print(f"{summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.1f} s")
        return path, summary

    @property
    def media_dir(self):
        if self.args.export:
            return Path(self.args.media_dir).resolve() if self.args.media_dir else None
        return self.tmp / "wp-media"

    def command(self, export, dry_run=False):
        cmd = [PYTHON, "manage.py", "import_wordpress", str(export)]
        if self.media_dir and not self.args.no_media:
            # The importer reads an upload's path after /wp-content/uploads/ under --media-dir:
            # the generator's folder holds wp-content/uploads/ itself, as a WordPress site does.
            uploads = self.media_dir if self.args.export else self.media_dir / "wp-content" / "uploads"
            cmd += ["--media-dir", str(uploads)]
        return [*cmd, "--dry-run"] if dry_run else cmd

    def measure(self, name, cmd, env, items):
        """Run cmd in a child process -> its row: wall time, CPU time, peak RSS, exit status."""
        log = self.tmp / f"{name.replace(' ', '-').replace(',', '')}.log"
        with open(log, "wb") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
            )
        proc.bench_name, proc.bench_log = name, log
        try:
            # wait4, not getrusage(RUSAGE_CHILDREN): the peak of this child alone, not of any
            # child before it (the migrations, the export's generator).
            _, status, rusage = os.wait4(proc.pid, 0)
        except BaseException:
            stop(proc)
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
        row = {"name": name, **figures(items, time.perf_counter() - started, rusage, proc.returncode)}
        row["output"] = log_tail(log, 40)
        self.rows.append(row)
        print_row(row)
        self.save()
        if proc.returncode:
            raise BenchError(f"{name} failed (exit {proc.returncode}):\n{log_tail(log, 40)}")
        return row

    def migrate(self, env, database):
        started = time.perf_counter()
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, f"migrate ({database})")
        return round(time.perf_counter() - started, 1)

    def counts(self, env):
        out = self.tmp / "counts.json"
        run([PYTHON, str(Path(__file__).resolve()), "--count", str(out)], env, "counting")
        return json.loads(out.read_text())

    def database_env(self, stack, name):
        env = self.open_database(stack, self.args.database)
        env["DJANGO_MEDIA_ROOT"] = str(self.tmp / f"media-{name}")
        shutil.rmtree(env["DJANGO_MEDIA_ROOT"], ignore_errors=True)
        seconds = self.migrate(env, self.args.database)
        print(f"{self.args.database}: migrated a scratch database in {seconds} s")
        return env

    def main(self):
        args = self.args
        print(f"import bench on {args.database}; figures to {self.out}")
        path, summary = self.export(args.posts, "export")
        self.meta["export"] = summary
        items = summary["items"]
        small = None
        if args.small and not args.export:
            small = self.export(args.small, "export-small")
            self.meta["small_export"] = small[1]
        self.save()

        print_header()
        if not args.no_dry_run:
            with contextlib.ExitStack() as stack:
                env = self.database_env(stack, "dry-run")
                self.measure(f"dry run ({items:,})", self.command(path, dry_run=True), env, items)
        small_row = None
        if small:
            with contextlib.ExitStack() as stack:
                env = self.database_env(stack, "small")
                small_row = self.measure(
                    f"import ({small[1]['items']:,})", self.command(small[0]), env, small[1]["items"]
                )
        with contextlib.ExitStack() as stack:
            env = self.database_env(stack, "large")
            large_row = self.measure(f"import ({items:,})", self.command(path), env, items)
            first = self.counts(env)
            self.meta["counts"]["import"] = first
            self.save()
            self.measure(f"rerun ({items:,})", self.command(path), env, items)
            second = self.counts(env)
            self.meta["counts"]["rerun"] = second
        changes = count_changes(first, second)
        self.meta["idempotent"] = {"unchanged": not changes, "changes": changes}

        print_header()
        for row in self.rows:
            print_row(row)
        exported = {name: count(summary) for name, count in EXPORTED_AS.items()} if summary.get("generated") else {}
        print_counts(exported, first, second)
        print(f"\nrerun: {'no count changed' if not changes else 'CHANGED ' + json.dumps(changes)}")
        passed = not changes
        if small_row:
            memory = memory_verdict(small_row, large_row)
            self.meta["memory"] = memory
            print(
                f"memory: peak RSS {memory['peak_rss_mb'][0]:.0f} MB at {memory['items'][0]:,} items, "
                f"{memory['peak_rss_mb'][1]:.0f} MB at {memory['items'][1]:,}: ×{memory['growth']} "
                f"({memory['mb_per_1000_items']} MB per 1,000 more items), "
                f"{'bounded' if memory['bounded'] else 'NOT bounded'} (target ≤ ×{MEMORY_GROWTH_TARGET})"
            )
            passed = passed and memory["bounded"]
        self.meta["finished"] = now()
        self.meta["complete"] = True
        self.save()
        print(f"\n{'passed' if passed else 'FAILED'}; figures in {self.out}")
        return passed


def stored_counts():
    """What the import stored: the site's records, every redirect model, every wordpress model, media files."""
    from django.apps import apps
    from django.conf import settings
    from django.db.models import Count
    from taggit.models import Tag

    from blog.models import Article, Author, Category
    from core.models import Page
    from discussion.models import Comment

    counts = {
        "articles": Article.objects.count(),
        "pages": Page.objects.count(),
        "comments": Comment.objects.count(),
        "authors": Author.objects.count(),
        "categories": Category.objects.count(),
        "tags": Tag.objects.count(),
        "redirects": 0,
    }
    for row in Article.objects.values("status").annotate(n=Count("pk")).order_by("status"):
        counts[f"articles, {row['status']}"] = row["n"]
    counts["comments, public"] = Comment.objects.filter(is_public=True, is_removed=False, is_spam=False).count()
    counts["comments, spam"] = Comment.objects.filter(is_spam=True).count()
    for model in apps.get_models():
        label = model._meta.label
        if "redirect" in model.__name__.lower():
            counts[label] = model._default_manager.count()
            counts["redirects"] += counts[label]
        elif model._meta.app_label == "wordpress":
            counts[label] = model._default_manager.count()
    with contextlib.suppress(ImportError, LookupError):
        imported = apps.get_model("wordpress", "ImportedObject")
        for row in imported.objects.values("kind").annotate(n=Count("pk")).order_by("kind"):
            counts[f"wordpress.ImportedObject, {row['kind']}"] = row["n"]
    media = Path(settings.MEDIA_ROOT)
    counts["media files"] = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    return counts


def default_out():
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return ROOT / "bench" / "results" / f"import-{stamp}.json"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=50_000, help="items in the generated export")
    parser.add_argument(
        "--small", type=int, help="items in the memory check's export (default N/10; 0: no memory check)"
    )
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed")
    parser.add_argument("--export", help="import this WXR file instead of a generated one (no memory check)")
    parser.add_argument(
        "--media-dir", help="with --export: the uploads folder (what wp-content/uploads/ holds), passed to the importer"
    )
    parser.add_argument("--no-media", action="store_true", help="import without --media-dir")
    parser.add_argument("--no-dry-run", action="store_true", help="skip the --dry-run run")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--out", help="the JSON file (default bench/results/import-<timestamp>.json)")
    add_service_options(parser, "this bench", redis_env="BENCH_IMPORT_REDIS_URL", redis_db=13)
    parser.add_argument("--count", metavar="JSON", help=argparse.SUPPRESS)  # internal: the counting child
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    if args.small is None:
        args.small = args.posts // 10 if args.posts >= 100 else 0
    if args.media_dir and not args.export:
        parser.error("--media-dir goes with --export; a generated export brings its own pictures")
    return args


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    if args.count:
        import django

        django.setup()
        Path(args.count).write_text(json.dumps(stored_counts()))
        return 0

    unwind_on_signals("stopping the import, dropping the scratch database")
    try:
        with contextlib.ExitStack() as stack:
            passed = ImportBench(args, stack).main()
    except BenchError as exc:
        print(f"\nimport bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: import stopped, scratch database dropped", file=sys.stderr)
        return 130
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
