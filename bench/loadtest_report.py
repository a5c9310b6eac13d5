"""The load test's report: latency percentiles, the locustfile's tally summarised per kind of request,
the checks a run must pass (no 5xx, nothing accepted lost, each rate limit answering 429), and the
printed table."""

import math
from collections import Counter

from bench.traffic import FLOOD_NAMES

PERCENTILES = {"p50_ms": 50, "p95_ms": 95, "p99_ms": 99, "max_ms": 100}


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
