#!/usr/bin/env python3
"""Writes the growth table of bench/scale/run.

  report.py RESULTS_DIR RESULTS.md BENCHMARKS.md SECONDS

RESULTS.md gets the whole report; BENCHMARKS.md the same text between the markers
`<!-- growth:start -->` and `<!-- growth:end -->` (appended when they are missing).
"""

import glob
import json
import os
import platform
import statistics
import sys

START, END = "<!-- growth:start -->", "<!-- growth:end -->"


def load(pattern):
    return [json.load(open(p)) for p in sorted(glob.glob(pattern))]


def main():
    results, out, benchmarks, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seeds = {s["size"]: s for s in load(f"{results}/seed-*.json")}
    skipped = load(f"{results}/skipped-*.json")
    sizes = sorted(seeds)
    rows = {}
    order = []
    for q in load(f"{results}/queries-*.json"):
        for r in q:
            if r["query"] not in rows:
                order.append(r["query"])
            rows.setdefault(r["query"], {})[r["size"]] = r
    ingest = {}
    for size in sizes:
        runs = [json.load(open(p)) for p in sorted(glob.glob(f"{results}/ingest-{size}-*.json"))
                if not p.endswith("-warm.json")]
        if runs:
            ingest[size] = (statistics.median(r["rps"] for r in runs), statistics.median(r["p99_ms"] for r in runs))

    lines = ["## Growth (bench/scale/run)", ""]
    lines.append(f"One run of `bench/scale/run` on {platform.node()} ({os.cpu_count()} CPUs), {seconds} s in all. "
                 "PostgreSQL, the product's own schema seeded in bulk (bench/scale/seed.sql); every query "
                 "over HTTP through the api, median of the repetitions (ms). Target (CONTRACT §7): under "
                 "100 ms at 10 million bookings and at most 2× the time at 10 thousand.")
    lines.append("")
    lines.append("| size | rows (bookings / segments / passengers / events) | seeded in | database |")
    lines.append("|---|---|---|---|")
    for size in sizes:
        s = seeds[size]
        r = s["rows"]
        lines.append(f"| {size:,} | {r['bookings']:,} / {r['segments']:,} / {r['passengers']:,} / {r['events']:,} "
                     f"| {s['seed_s']} s | {s['db_bytes'] / 1e9:.2f} GB |")
    for s in skipped:
        lines.append(f"| {s['size']:,} | skipped: {s['skipped']} | | |")
    lines.append("")
    head = "| query | " + " | ".join(f"{s:,}" for s in sizes) + " | largest ÷ smallest | met |"
    lines += [head, "|---|" + "---|" * (len(sizes) + 2)]
    missed = 0
    for name in order:
        cells, medians = [], []
        for size in sizes:
            r = rows[name].get(size)
            if r is None:
                cells.append("–")
            elif "error" in r:
                cells.append("error")
            else:
                cells.append(f"{r['median_ms']:.1f}")
                medians.append(r["median_ms"])
        if len(medians) == len(sizes) and sizes:
            ratio = medians[-1] / medians[0] if medians[0] else float("inf")
            met = medians[-1] < 100 and ratio <= 2
            missed += not met
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio:.1f}× | {'yes' if met else '**no**'} |")
        else:
            missed += 1
            lines.append(f"| {name} | " + " | ".join(cells) + " | – | **no** |")
    if ingest:
        base = ingest[sizes[0]][0]
        cells = [f"{ingest[s][0]:,.0f} (p99 {ingest[s][1]:.0f} ms)" if s in ingest else "–" for s in sizes]
        ratio = ingest[sizes[-1]][0] / base if sizes[-1] in ingest and base else 0
        lines.append(f"| ingest deliveries/s (wrk, median) | " + " | ".join(cells) +
                     f" | {ratio:.2f}× | {'yes' if ratio >= 0.9 else '**no**'} |")
    lines.append("")
    lines.append(f"{missed} quer{'y' if missed == 1 else 'ies'} missed the target at the largest size measured."
                 if missed else "Every query met the target at the largest size measured.")
    errors = [(n, s, r["error"]) for n in order for s, r in rows[n].items() if "error" in r]
    for n, s, e in errors:
        lines.append(f"- {n} at {s:,}: {e}")
    text = "\n".join(lines) + "\n"
    open(out, "w").write(text)
    try:
        current = open(benchmarks).read()
    except FileNotFoundError:
        current = ""
    block = f"{START}\n{text}{END}"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    open(benchmarks, "w").write(current)
    print(text)


if __name__ == "__main__":
    main()
