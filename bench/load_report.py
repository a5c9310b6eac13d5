"""The load bench's figures: its targets, each row judged against its baseline, two runs compared
(`--compare`), and the tables printed as the bench goes."""

# Least share of the baseline's requests per second, by (mode, page); None: any page.
TARGETS = {("cached", None): 0.80, ("uncached", "article"): 0.15, ("varnish", "article"): 0.50}
# Most p50 may grow from the smaller to the larger N (--compare).
P50_GROWTH_TARGET = 1.2


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
