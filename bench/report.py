#!/usr/bin/env python3
"""Helpers for bench/run (standard library only).

  report.py machine PGBENCH PG_URL PGL_VERSION      -> JSON: this machine and tool versions
  report.py cpu OUT [name=pid ...]                  -> snapshot of CPU time (machine, postgres, pids)
  report.py pgbench LOG                             -> JSON from pgbench's output
  report.py probe-start PG_ADMIN_URL DB             -> creates DB with log_statement=all; JSON log offset
  report.py probe-mark OFFSET_JSON                  -> moves the offset to the end of the log
  report.py probe-count OFFSET_JSON DB MANIFEST     -> JSON: statements per delivery, by kind
  report.py compare IDS API_URL TOKEN PGL_URL       -> JSON: do api and PostGraphile return the same data
  report.py markdown RESULTS COMMANDS OUT           -> BENCHMARKS.md
"""

import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

CLK_TCK = os.sysconf("SC_CLK_TCK")


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        return ""


# --- machine ------------------------------------------------------------------------
def cmd_machine(pgbench, pg_url, pgl_version):
    model = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    os_name = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release")
                    if l.startswith("PRETTY_NAME")), platform.platform())
    info = {
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "loadavg_at_start": open("/proc/loadavg").read().split()[:3],
        "postgres": sh(f"psql '{pg_url}' -Atc 'show server_version'"),
        "pg_settings": sh(f"psql '{pg_url}' -Atc \"select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) "
                          "from pg_settings where name in ('shared_buffers','synchronous_commit','fsync','max_connections','wal_level')\""),
        "pgbench": sh(f"{pgbench} --version"),
        "wrk": (sh("wrk -v 2>&1").splitlines() or [""])[0],
        "rustc": sh("rustc --version"),
        "node": sh("node --version"),
        "postgraphile": pgl_version,
        "python": platform.python_version(),
    }
    print(json.dumps(info))


# --- CPU ----------------------------------------------------------------------------
def proc_stat(pid):
    try:
        text = open(f"/proc/{pid}/stat").read()
        fields = text.rsplit(")", 1)[1].split()
        return {"ppid": int(fields[1]), "self": int(fields[11]) + int(fields[12]),
                "children": int(fields[13]) + int(fields[14])}
    except (OSError, IndexError, ValueError):
        return {"ppid": 0, "self": 0, "children": 0}


def comm(pid):
    try:
        return open(f"/proc/{pid}/comm").read().strip()
    except OSError:
        return ""


def cmd_cpu(out, *named):
    """CPU ticks so far: machine (/proc/stat), every postgres process plus what postmasters
    reaped from exited backends (cutime), named processes (utime+stime), and `loadgen`:
    the reaped children of the given pid (this shell's wrk, pgbench and driver runs)."""
    vals = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    idle = vals[3] + vals[4]
    pg = 0
    for path in glob.glob("/proc/[0-9]*/comm"):
        pid = path.split("/")[2]
        if comm(pid) != "postgres":
            continue
        st = proc_stat(pid)
        pg += st["self"]
        if comm(st["ppid"]) != "postgres":  # a postmaster: add its exited backends
            pg += st["children"]
    snap = {"t": time.monotonic(), "busy": sum(vals[:8]) - idle, "total": sum(vals[:8]),
            "postgres": pg, "procs": {}, "loadavg": open("/proc/loadavg").read().split()[:3]}
    for item in named:
        name, pid = item.split("=", 1)
        st = proc_stat(pid)
        snap["procs"][name] = st["children"] if name == "loadgen" else st["self"]
    json.dump(snap, open(out, "w"))


def cpu_diff(before, after):
    """CPU seconds used between two snapshots, by part; 'other' is everything else on the
    machine (other tenants of a shared machine, the kernel's own work)."""
    wall = after["t"] - before["t"]
    busy = (after["busy"] - before["busy"]) / CLK_TCK
    total = (after["total"] - before["total"]) / CLK_TCK
    pg = (after["postgres"] - before["postgres"]) / CLK_TCK
    procs = {k: (after["procs"][k] - before["procs"].get(k, 0)) / CLK_TCK for k in after["procs"]}
    other = busy - pg - sum(procs.values())
    return {"wall_s": wall, "machine_busy_s": busy, "machine_capacity_s": total, "postgres_s": pg,
            "procs": procs, "other_s": other, "loadavg_before": before.get("loadavg")}


# --- pgbench ------------------------------------------------------------------------------
def cmd_pgbench(path):
    text = open(path).read()
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    lat = re.search(r"latency average = ([\d.]+) ms", text)
    tx = re.search(r"number of transactions actually processed: (\d+)", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    if not tps:
        sys.exit(f"no tps in pgbench output {path}:\n{text[-2000:]}")
    print(json.dumps({"tps": float(tps.group(1)), "latency_avg_ms": float(lat.group(1)) if lat else None,
                      "transactions": int(tx.group(1)) if tx else None,
                      "failed": int(failed.group(1)) if failed else 0}))


# --- statement probe --------------------------------------------------------------------------
def pg_log_file():
    files = sorted(glob.glob("/var/log/postgresql/postgresql-*-main.log"), key=os.path.getmtime)
    return files[-1] if files else None


def cmd_probe_start(admin_url, db):
    log = pg_log_file()
    if not log or not os.access(log, os.R_OK):
        sys.exit("PostgreSQL server log not readable here: statement probe skipped")
    subprocess.run(["psql", admin_url, "-qc", f"create database {db}"], check=True, capture_output=True)
    subprocess.run(["psql", admin_url, "-qc", f"alter database {db} set log_statement = 'all'"], check=True,
                   capture_output=True)
    print(json.dumps({"log": log, "offset": os.path.getsize(log)}))


def cmd_probe_mark(path):
    info = json.load(open(path))
    info["offset"] = os.path.getsize(info["log"])
    json.dump(info, open(path, "w"))


def classify(sql):
    s = " ".join(sql.split())
    u = s.upper()
    table = re.search(r'(?:INTO|FROM|UPDATE)\s+"?(\w+)"?', s, re.I)
    t = table.group(1).lower() if table else ""
    if u.startswith(("BEGIN", "START TRANSACTION")):
        return "BEGIN"
    if u.startswith("COMMIT"):
        return "COMMIT"
    if u.startswith("ROLLBACK"):
        return "ROLLBACK"
    if u.startswith("INSERT") and "ON CONFLICT" in u:
        return f"INSERT {t} ON CONFLICT"
    if u.startswith("INSERT"):
        return f"INSERT {t}"
    if u.startswith("UPDATE"):
        return f"UPDATE {t}"
    if u.startswith("SELECT") and t:
        return f"SELECT {t}"
    return u.split(" ", 1)[0]


def cmd_probe_count(offset_path, db, n, manifest_path=None):
    info = json.load(open(offset_path))
    with open(info["log"], "rb") as f:
        f.seek(info["offset"])
        text = f.read().decode("utf-8", "replace")
    counts = {}
    total = 0
    pat = re.compile(r"@" + re.escape(db) + r" LOG:\s+(?:statement|execute [^:]*):\s*(.*)")
    for line in text.splitlines():
        m = pat.search(line)
        if not m:
            continue
        kind = classify(m.group(1))
        counts[kind] = counts.get(kind, 0) + 1
        total += 1
    n = int(n)
    mix = json.load(open(manifest_path))["mix"] if manifest_path else None
    print(json.dumps({"requests": n, "statements": total, "per_request": round(total / n, 2),
                      "by_kind_per_request": {k: round(v / n, 3) for k, v in
                                              sorted(counts.items(), key=lambda kv: -kv[1])},
                      "mix": mix}))


# --- api vs PostGraphile --------------------------------------------------------------------
API_QUERY = ("query($id: ID!){ booking(id:$id){ id reference status tripStart destination{code name} "
             "segments{sequence origin{code} destination{code} departureAt flightNumber} "
             "passengers{firstName type lead} } }")
PG_QUERY = ("query($id: UUID!){ bookingById(id:$id){ id reference status tripStart destinationCode destinationName "
            "segmentsByBookingId(orderBy: SEQUENCE_ASC){ nodes{ sequence originCode destinationCode departureAt flightNumber } } "
            "passengersByBookingId(orderBy: [LEAD_DESC, REFERENCE_ASC]){ nodes{ firstName passengerType lead } } } }")


def post(url, query, ident, token=None):
    req = urllib.request.Request(url, data=json.dumps({"query": query, "variables": {"id": ident}}).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def ts(v):
    if v is None:
        return None
    return datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(timezone.utc).isoformat()


def norm_passengers(ps):
    return sorted(ps, key=lambda p: (not p["lead"], p["firstName"] or "", p["type"]))


def norm_api(d):
    b = d["data"]["booking"]
    if b is None:
        return None
    return {"id": b["id"], "reference": b["reference"], "status": b["status"], "tripStart": ts(b["tripStart"]),
            "destination": [(b["destination"] or {}).get("code"), (b["destination"] or {}).get("name")],
            "segments": [[s["sequence"], (s["origin"] or {}).get("code"), (s["destination"] or {}).get("code"),
                          ts(s["departureAt"]), s["flightNumber"]] for s in b["segments"]],
            "passengers": norm_passengers([{"firstName": p["firstName"], "type": p["type"], "lead": p["lead"]}
                                           for p in b["passengers"]])}


def norm_pgl(d):
    b = d["data"]["bookingById"]
    if b is None:
        return None
    return {"id": b["id"], "reference": b["reference"], "status": b["status"], "tripStart": ts(b["tripStart"]),
            "destination": [b["destinationCode"], b["destinationName"]],
            "segments": [[s["sequence"], s["originCode"], s["destinationCode"], ts(s["departureAt"]),
                          s["flightNumber"]] for s in b["segmentsByBookingId"]["nodes"]],
            "passengers": norm_passengers([{"firstName": p["firstName"], "type": p["passengerType"],
                                            "lead": p["lead"]} for p in b["passengersByBookingId"]["nodes"]])}


def cmd_compare(ids_path, api_url, token, pgl_url):
    ids = [l.strip() for l in open(ids_path) if l.strip()]
    same, first_diff, segs, pax = 0, None, 0, 0
    sample = None
    for ident in ids:
        try:
            a_raw = post(api_url, API_QUERY, ident, token)
            p_raw = post(pgl_url, PG_QUERY, ident)
            a, p = norm_api(a_raw), norm_pgl(p_raw)
        except Exception as e:  # noqa: BLE001 - reported as a difference
            a, p = f"error: {e}", None
            a_raw = p_raw = None
        if a == p and a is not None:
            same += 1
            segs += len(a["segments"])
            pax += len(a["passengers"])
            sample = sample or a_raw
        elif first_diff is None:
            first_diff = {"id": ident, "api": a, "postgraphile": p,
                          "api_errors": (a_raw or {}).get("errors"), "postgraphile_errors": (p_raw or {}).get("errors")}
    print(json.dumps({"checked": len(ids), "identical": same, "segments_compared": segs,
                      "passengers_compared": pax, "first_difference": first_diff, "sample_api_response": sample}))


# --- BENCHMARKS.md ---------------------------------------------------------------------------
def load(rdir, name, default=None):
    path = os.path.join(rdir, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text) if text else default


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=0):
    if x is None:
        return "n/a"
    return f"{x:,.{nd}f}"


def verdict(ok, miss_text):
    return "**met**" if ok else f"**missed** ({miss_text})"


def cmd_markdown(rdir, commands_path, out):
    s = load(rdir, "settings.json")
    m = load(rdir, "machine.json")
    reps = s["reps"]
    conc = s["concurrency"]
    rr = range(1, reps + 1)
    ing = [load(rdir, f"ingest_pg_r{i}.json") for i in rr]
    pgb = [load(rdir, f"pgbench_r{i}.json") for i in rr]
    sq = [load(rdir, f"ingest_sqlite_r{i}.json") for i in rr]
    api = [load(rdir, f"api_r{i}.json") for i in rr]
    pgl = [load(rdir, f"postgraphile_r{i}.json") for i in rr]
    ing_rate = [load(rdir, f"ingest_pg_rate_r{i}.json") for i in rr]
    api_rate = [load(rdir, f"api_rate_r{i}.json") for i in rr]
    pgl_rate = [x for x in (load(rdir, f"postgraphile_rate_r{i}.json") for i in rr) if x]
    rss = {k: load(rdir, f"rss_{k}.json") for k in ("ingest_pg", "ingest_sqlite", "api", "postgraphile")}
    compare = load(rdir, "compare.json", {})
    probes = {k: load(rdir, f"probe_{k}.json") for k in ("ingest", "api", "postgraphile")}
    dbc = load(rdir, "db_ingest_pg.json", {})

    ing_rps = med([r["rps"] for r in ing])
    pgb_tps = med([r["tps"] for r in pgb])
    ing_ratio = med([i["rps"] / p["tps"] for i, p in zip(ing, pgb)])
    sq_rps = med([r["rps"] for r in sq])
    api_rps = med([r["rps"] for r in api])
    pgl_rps = med([r["rps"] for r in pgl])
    api_ratio = med([a["rps"] / p["rps"] for a, p in zip(api, pgl)])
    mib = lambda r: r["vmhwm_kib"] / 1024 if r else None  # noqa: E731

    def rate_cell(runs, target_rate, p99_target):
        p99s = [r["p99_ms"] for r in runs]
        p50 = med([r["p50_ms"] for r in runs])
        p99 = med(p99s)
        ach = min(r["achieved_rps"] for r in runs)
        ok2 = sum(r["ok_2xx"] for r in runs)
        sched = sum(r["scheduled"] for r in runs)
        text = (f"p99 {fmt(p99, 1)} ms (median of {len(runs)} runs: {', '.join(fmt(x, 1) for x in p99s)}; "
                f"p50 {fmt(p50, 1)} ms); lowest achieved rate {fmt(ach)}/s; {ok2:,}/{sched:,} 2xx")
        ok = p99 < p99_target and ach >= 0.98 * target_rate and ok2 == sched
        if p99 >= p99_target:
            miss = f"median p99 {p99 / p99_target:.1f}× the target"
        elif not ok:
            miss = f"rate not held ({ach:.0f}/s) or non-2xx answers"
        else:
            miss = ""
        worst = max(p99s)
        if ok and worst >= p99_target:
            text += f"; the worst run's p99 ({fmt(worst, 1)} ms) was over"
        return text, ok, miss

    rows = []
    # CONTRACT §7 rev. 2.
    ING_RATIO, ING_P99, SQLITE_RPS, API_RATIO, API_P99 = 1.0, 20, 3000, 3.0, 10
    ok = ing_ratio >= ING_RATIO
    rows.append((f"Ingest throughput vs pgbench, same writes, concurrency {conc}", f"≥ {ING_RATIO:.1f}×",
                 f"{ing_ratio:.2f}× ({fmt(ing_rps)} deliveries/s vs {fmt(pgb_tps)} tx/s, medians)",
                 verdict(ok, f"{(ING_RATIO - ing_ratio) / ING_RATIO * 100:.0f} % short of {ING_RATIO:.1f}×")))
    text, ok, miss = rate_cell(ing_rate, s["ingest_rate"], ING_P99)
    rows.append((f"Ingest p99 at {s['ingest_rate']} deliveries/s (PostgreSQL, fixed rate, {s['rate_duration_s']} s runs)",
                 f"< {ING_P99} ms", text, verdict(ok, miss)))
    ok = sq_rps >= SQLITE_RPS
    rows.append(("Ingest throughput on the SQLite default (synchronous=FULL)", f"≥ {SQLITE_RPS:,} /s",
                 f"{fmt(sq_rps)} deliveries/s (median)",
                 verdict(ok, f"{(SQLITE_RPS - sq_rps) / SQLITE_RPS * 100:.0f} % short")))
    ok = api_ratio >= API_RATIO
    rows.append((f"api `booking(id)` vs PostGraphile {m['postgraphile']}, concurrency {conc}", f"≥ {API_RATIO:.0f}×",
                 f"{api_ratio:.2f}× ({fmt(api_rps)} vs {fmt(pgl_rps)} requests/s, medians)",
                 verdict(ok, f"{(API_RATIO - api_ratio) / API_RATIO * 100:.0f} % short of {API_RATIO:.0f}×")))
    text, ok, miss = rate_cell(api_rate, s["api_rate"], API_P99)
    rows.append((f"api p99 at {s['api_rate']:,} requests/s (fixed rate, {s['rate_duration_s']} s runs)", f"< {API_P99} ms",
                 text, verdict(ok, miss)))
    for key, label in (("ingest_pg", "ingest (PostgreSQL)"), ("ingest_sqlite", "ingest (SQLite)"), ("api", "api")):
        v = mib(rss[key])
        rows.append((f"Peak RSS of {label} under that load (VmHWM)", "< 100 MiB", f"{fmt(v, 1)} MiB",
                     verdict(v is not None and v < 100, f"{v - 100:.1f} MiB over" if v else "not measured")))
    same = compare.get("checked") and compare.get("identical") == compare.get("checked")
    rows.append(("api and PostGraphile return the same data", "all equal",
                 f"{compare.get('identical')}/{compare.get('checked')} bookings identical "
                 f"({compare.get('segments_compared')} segments, {compare.get('passengers_compared')} passengers)",
                 "**met**" if same else "**differs** (see below)"))

    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w(f"Generated by [`bench/run`](bench/run) on {m['date_utc']} in {s['wall_s']} s; every figure below comes "
      "from that one run. CONTRACT §7 holds the product to these figures. Re-run with `bench/run` (README, "
      "*Benchmarks*). The machine is shared and noisy (see *Where the time goes*, column *other*): absolute "
      "figures move from run to run, the side-by-side ratios less so.")
    w("")
    w("## Figures against CONTRACT §7")
    w("")
    w("| figure | target | measured | verdict |")
    w("|---|---|---|---|")
    for row in rows:
        w("| " + " | ".join(row) + " |")
    w("")
    wrapped = [r for r in ing + sq if r.get("wrapped")]
    if wrapped:
        w(f"**Warning:** {len(wrapped)} wrk run(s) ran out of pre-generated deliveries and started over (the "
          "rest were duplicates); raise `BENCH_GEN_COUNT`.")
        w("")
    w(f"Throughput figures are medians of {reps} runs of {s['duration_s']} s at a fixed concurrency of {conc} "
      "connections (wrk) or clients (pgbench), after a warm-up. Each ingest run is followed at once by its "
      "pgbench run and each api run by its PostGraphile run; a ratio is the median of the per-pair ratios, so "
      "the machine's noise hits both sides of a ratio alike. Fixed-rate figures come from "
      f"[`bench/driver`](bench/driver/src/main.rs), an open-loop generator ({reps} runs each, 64 connections): "
      "request *i* is due at *start + i/rate* and its latency counts from that due time, so a stall shows up "
      "in p99 instead of slowing the sender (no coordinated omission).")
    w("")

    def table(title, runs, unit, extra=None):
        w(f"### {title}")
        w("")
        w(f"| run | {unit} | p50 ms | p99 ms | 2xx | non-2xx | socket errors |" + (f" {extra[0]} |" if extra else ""))
        w("|---|---|---|---|---|---|---|" + ("---|" if extra else ""))
        for i, r in enumerate(runs, 1):
            line = (f"| {i} | {fmt(r['rps'])} | {fmt(r['p50_ms'], 1)} | {fmt(r['p99_ms'], 1)} | {r['ok_2xx']:,} | "
                    f"{r['non_2xx']} | {r['socket_errors'] + r['timeouts']} |")
            if extra:
                line += f" {extra[1](r)} |"
            w(line)
        w("")

    w("## Details")
    w("")
    table("1. ingest on PostgreSQL (wrk, throughput)", ing, "deliveries/s",
          ("duplicate answers", lambda r: f"{r['duplicates']:,}"))
    w("### 2. pgbench, the same writes per delivery ([`bench/pgbench.sql`](bench/pgbench.sql))")
    w("")
    w("| run | transactions/s | latency avg ms | failed | ingest/pgbench (same pair) |")
    w("|---|---|---|---|---|")
    for i, (p, g) in enumerate(zip(pgb, ing), 1):
        w(f"| {i} | {fmt(p['tps'])} | {fmt(p['latency_avg_ms'], 1)} | {p['failed']} | {g['rps'] / p['tps']:.2f}× |")
    w("")
    table("3. ingest on SQLite (wrk, throughput)", sq, "deliveries/s",
          ("duplicate answers", lambda r: f"{r['duplicates']:,}"))
    table("4a. api `booking(id)` (wrk, throughput)", api, "requests/s")
    table(f"4b. PostGraphile {m['postgraphile']} `bookingById` (wrk, throughput)", pgl, "requests/s")
    w("### Fixed-rate runs (bench/driver)")
    w("")
    w("| what | run | target /s | achieved /s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | statuses | errors |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, runs in (("ingest (PostgreSQL)", ing_rate), ("api", api_rate), ("PostGraphile", pgl_rate)):
        for i, r in enumerate(runs, 1):
            w(f"| {label} | {i} | {fmt(r['target_rate'])} | {fmt(r['achieved_rps'])} | {fmt(r['p50_ms'], 1)} | "
              f"{fmt(r['p90_ms'], 1)} | {fmt(r['p99_ms'], 1)} | {fmt(r['p999_ms'], 1)} | {fmt(r['max_ms'], 1)} | "
              f"{json.dumps(r['statuses'])} | {r['errors']} |")
    w("")
    w("### Peak memory (VmHWM from /proc/PID/status after each process's load)")
    w("")
    w("| process | peak RSS MiB | RSS at the end MiB |")
    w("|---|---|---|")
    for key, label in (("ingest_pg", "ingest (PostgreSQL)"), ("ingest_sqlite", "ingest (SQLite)"), ("api", "api"),
                       ("postgraphile", "PostGraphile (node, for comparison)")):
        r = rss[key]
        if r:
            w(f"| {label} | {r['vmhwm_kib'] / 1024:.1f} | {r['vmrss_kib'] / 1024:.1f} |")
    w("")

    mix = load(rdir, "mix_pg_r1.json")
    tot = mix["requests"]
    w("### The deliveries")
    w("")
    w(f"Generated by [`bench/gen.py`](bench/gen.py) right before each run ({tot:,} per throughput run, more "
      "than wrk gets through, with fresh ids each run): booking stories over the five partners and auth kinds "
      "of [`bench/partners.toml`](bench/partners.toml) — Hahn Air single- and three-leg trips (token header), "
      "AirGateway orders (Basic), Spotnana PNRs (OAuth bearer token from `/oauth/token`), Traxo trips and air "
      "segments (Basic), ground transfers (Standard Webhooks HMAC signed at the current time). A story's "
      "deliveries go in order over one wrk thread, many stories interleaved. Mix of the first run:")
    w("")
    w("| kind | share | | partner | share of non-duplicates |")
    w("|---|---|---|---|---|")
    kinds = list(mix["mix"].items())
    parts = sorted(mix["partners"].items(), key=lambda kv: -kv[1])
    firsts = tot - mix["mix"]["duplicate"]
    for i in range(max(len(kinds), len(parts))):
        k = kinds[i] if i < len(kinds) else ("", None)
        p = parts[i] if i < len(parts) else ("", None)
        kshare = "" if k[1] is None else f"{k[1] / tot * 100:.1f} %"
        pshare = "" if p[1] is None else f"{p[1] / firsts * 100:.1f} %"
        w(f"| {k[0]} | {kshare} | | {p[0]} | {pshare} |")
    w("")
    w(f"Mean request size {mix['mean_request_bytes']} bytes with headers. A duplicate is an exact re-send of a "
      "recent delivery (same body and headers, so the same idempotency key); updates and cancellations carry "
      "newer source times than their create.")
    w("")
    sent_ok = sum(r["ok_2xx"] - r["duplicates"] for r in ing + [load(rdir, "ingest_pg_warmup.json")])
    rate_ok_n = sum(r["ok_2xx"] for r in ing_rate)
    w("### Every 2xx durable")
    w("")
    w(f"After the PostgreSQL runs the database held {dbc.get('events', 0):,} events "
      f"({json.dumps(dbc.get('by_status'))}), {dbc.get('bookings', 0):,} bookings, {dbc.get('segments', 0):,} "
      f"segments and {dbc.get('passengers', 0):,} passengers. wrk counted {sent_ok:,} non-duplicate 2xx answers "
      f"(warm-up included), the fixed-rate runs {rate_ok_n:,} 2xx answers (duplicates included). Requests still "
      "in flight when wrk stops are committed but not counted, so the events must be at least the wrk count: "
      f"{'yes' if dbc.get('events', 0) >= sent_ok else '**NO**'}.")
    w("")

    logs = [(label, load(rdir, f"log_{key}.json")) for key, label in
            (("ingest_pg", "ingest (PostgreSQL)"), ("ingest_sqlite", "ingest (SQLite)"), ("api", "api"))]
    logs = [(label, d) for label, d in logs if d and d["total"]]
    w("### Warnings and errors the processes logged")
    w("")
    if not logs:
        w("None.")
    for label, d in logs:
        w(f"{label}: {d['total']:,} lines; the most frequent (ids blanked):")
        w("")
        for msg, n in d["top"]:
            w(f"- {n:,} × `{msg.replace('`', chr(39))}`")
        w("")
    w("")

    # ---- where the time goes
    w("## Where the time goes")
    w("")
    w("CPU time per request, summed over the runs of each kind (from /proc: the measured process; every "
      "`postgres` process, including backends that exited; the load generator — wrk, pgbench or the driver; "
      "and *other*: everything else on this shared machine, i.e. other tenants' work; the parts are read at "
      "slightly different instants, so *other* is approximate and a small negative value means none). Two "
      "cores give 2,000,000 µs of CPU per second.")
    w("")
    w("| runs | wall s | process µs/req | postgres µs/req | load generator µs/req | other µs/req | machine busy | load avg at start |")
    w("|---|---|---|---|---|---|---|---|")
    cpu_sums = {}

    def cpu_row(label, prefix, runs, count_key, proc):
        acc = {"wall": 0.0, "proc": 0.0, "pg": 0.0, "gen": 0.0, "other": 0.0, "busy": 0.0, "cap": 0.0}
        n = 0
        loads = []
        for i, run in enumerate(runs, 1):
            b = load(rdir, f"{prefix}_r{i}_before.json")
            a = load(rdir, f"{prefix}_r{i}_after.json")
            if not (a and b and run):
                return
            d = cpu_diff(b, a)
            n += run[count_key] or 0
            acc["wall"] += d["wall_s"]
            acc["proc"] += d["procs"].get(proc, 0) if proc else 0
            acc["pg"] += d["postgres_s"]
            acc["gen"] += d["procs"].get("loadgen", 0)
            acc["other"] += d["other_s"]
            acc["busy"] += d["machine_busy_s"]
            acc["cap"] += d["machine_capacity_s"]
            loads.append((d["loadavg_before"] or ["?"])[0])
        if not n:
            return
        us = {k: acc[k] / n * 1e6 for k in ("proc", "pg", "gen", "other")}
        cpu_sums[prefix] = us
        proc_cell = f"{us['proc']:,.0f}" if proc else "—"
        w(f"| {label} | {acc['wall']:.0f} | {proc_cell} | "
          f"{us['pg']:,.0f} | {us['gen']:,.0f} | {us['other']:,.0f} | {acc['busy'] / acc['cap'] * 100:.0f} % | "
          f"{', '.join(loads)} |")

    cpu_row("ingest on PostgreSQL, wrk", "cpu_ingest", ing, "requests", "ingest")
    cpu_row("pgbench", "cpu_pgbench", pgb, "transactions", None)
    cpu_row(f"ingest on PostgreSQL, {s['ingest_rate']}/s", "cpu_ingest_rate", ing_rate, "completed", "ingest")
    cpu_row("ingest on SQLite, wrk", "cpu_sqlite", sq, "requests", "ingest")
    cpu_row("api, wrk", "cpu_api", api, "requests", "api")
    cpu_row("PostGraphile, wrk", "cpu_postgraphile", pgl, "requests", "postgraphile")
    cpu_row(f"api, {s['api_rate']}/s", "cpu_api_rate", api_rate, "completed", "api")
    cpu_row(f"PostGraphile, {s['api_rate']}/s", "cpu_postgraphile_rate", pgl_rate, "completed", "postgraphile")
    w("")

    def pgdelta(prefix, runs, key):
        out_rows = {}
        for i, run in enumerate(runs, 1):
            b = load(rdir, f"pgstat_{prefix}_r{i}_before.json")
            a = load(rdir, f"pgstat_{prefix}_r{i}_after.json")
            if not (a and b):
                return None
            n = run[key] or 1
            for k in ("xact_commit", "xact_rollback", "tup_fetched"):
                out_rows.setdefault(k, []).append((a[k] - b[k]) / n)
            for t in ("booking", "segment", "passenger", "event"):
                ta, tb = (a["tables"] or {}).get(t, {}), (b["tables"] or {}).get(t, {})
                for k in ("ins", "upd", "idx_scan"):
                    out_rows.setdefault(f"{t} {k}", []).append((ta.get(k, 0) - tb.get(k, 0)) / n)
        return {k: med(v) for k, v in out_rows.items()}

    di = pgdelta("ingest", ing, "requests")
    dp = pgdelta("pgbench", pgb, "transactions")
    if di and dp:
        w("Database work per ingest delivery and per pgbench transaction (`pg_stat_database`, "
          "`pg_stat_user_tables`; medians over the runs; a duplicate delivery is a rolled-back transaction):")
        w("")
        w("| counter | ingest per delivery | pgbench per transaction |")
        w("|---|---|---|")
        for k in di:
            w(f"| {k} | {di[k]:.2f} | {dp.get(k, 0):.2f} |")
        w("")
    pi = probes.get("ingest")
    if pi:
        w(f"SQL statements per request, counted in the server log with `log_statement = all` on a separate small "
          f"database: ingest **{pi['per_request']}** per delivery over {pi['requests']} deliveries of the same mix "
          "(pgbench: 5.6 — BEGIN, booking upsert, segment upsert, passenger upsert in 60 %, event insert, END)"
          + (f"; api **{probes['api']['per_request']}** and PostGraphile **{probes['postgraphile']['per_request']}** "
             "per `booking(id)` query over 100 queries" if probes.get("api") and probes.get("postgraphile") else "")
          + ". By kind:")
        w("")
        w("| process | statement | per request |")
        w("|---|---|---|")
        for name in ("ingest", "api", "postgraphile"):
            p = probes.get(name)
            if p:
                for k, v in p["by_kind_per_request"].items():
                    w(f"| {name} | `{k}` | {v} |")
        w("")

    # ---- hints
    hints = []
    ci, cp = cpu_sums.get("cpu_ingest"), cpu_sums.get("cpu_pgbench")
    if ci and cp:
        hints.append(
            f"**ingest vs pgbench.** Per delivery ingest costs {ci['proc']:,.0f} µs of its own CPU plus "
            f"{ci['pg']:,.0f} µs in PostgreSQL; pgbench's equivalent transaction costs {cp['pg']:,.0f} µs in "
            f"PostgreSQL (+{cp['gen']:,.0f} µs in pgbench). On two cores the sum bounds throughput at about "
            f"{2e6 / (ci['proc'] + ci['pg'] + ci['gen']):,.0f} deliveries/s vs "
            f"{2e6 / (cp['pg'] + cp['gen']):,.0f} tx/s, before any noise.")
    if di and pi:
        kinds = pi["by_kind_per_request"]
        reads = {k: v for k, v in kinds.items() if k.startswith("SELECT")}
        read_text = ", ".join(f"`{k}` {v:.2f}" for k, v in reads.items())
        text = (f"**Statements and row versions.** ingest sends {pi['per_request']} statements per delivery "
                f"against pgbench's 5.6. Reads before writing: {sum(reads.values()):.2f} per delivery "
                f"({read_text}); pgbench reads nothing and upserts each row in one statement. Row versions "
                "written per delivery (inserts + updates, from the table statistics): booking "
                f"{di.get('booking ins', 0) + di.get('booking upd', 0):.2f}, segment "
                f"{di.get('segment ins', 0) + di.get('segment upd', 0):.2f}, passenger "
                f"{di.get('passenger ins', 0) + di.get('passenger upd', 0):.2f} (pgbench: "
                f"{dp.get('booking ins', 0) + dp.get('booking upd', 0):.2f}, "
                f"{dp.get('segment ins', 0) + dp.get('segment upd', 0):.2f}, "
                f"{dp.get('passenger ins', 0) + dp.get('passenger upd', 0):.2f}).")
        rb = kinds.get("ROLLBACK", 0)
        if rb:
            text += (f" {rb:.2f} transactions per delivery roll back (the mix has "
                     f"{(pi.get('mix') or {}).get('duplicate', 0) / pi['requests']:.2f} duplicates per delivery, "
                     f"and `SELECT event` {kinds.get('SELECT event', 0):.2f}): a duplicate is found by the unique "
                     "key at the event insert, after the rest of the work, which is then rolled back.")
        hints.append(text)
    ll = load(rdir, "log_ingest_pg.json")
    if ll and ll["total"]:
        retries = sum(n for msg, n in ll["top"] if "retrying" in msg)
        if retries:
            warm = load(rdir, "ingest_pg_warmup.json") or {"requests": 0}
            n_all = warm["requests"] + sum(r["requests"] for r in ing) + sum(r["completed"] for r in ing_rate)
            hints.append(f"**Retries.** ingest logged {retries:,} retried deliveries (about "
                         f"{retries / max(n_all, 1) * 100:.1f} % of the deliveries of the PostgreSQL runs, warm-up "
                         "included), mostly two deliveries of one new booking racing (see *Warnings and errors*): "
                         "each retry repeats the transaction.")
    cs = cpu_sums.get("cpu_sqlite")
    if cs:
        hints.append(
            f"**SQLite.** One delivery costs {cs['proc']:,.0f} µs of ingest CPU (SQLite runs in-process) and "
            "deliveries are serialised by the processor's write lock for the whole transaction, so throughput is "
            "about 1 / (time per transaction): every statement is a round trip to the SQLite connection's own "
            "thread while the lock is held, and counts directly (the machine is not saturated: see *machine "
            "busy*; the CPU figure includes both threads spinning briefly before they sleep).")
    ca, cg = cpu_sums.get("cpu_api"), cpu_sums.get("cpu_postgraphile")
    if ca and cg:
        pa, pp = probes.get("api"), probes.get("postgraphile")
        hints.append(
            f"**api vs PostGraphile.** Per `booking(id)` the api spends {ca['proc']:,.0f} µs of its own CPU and "
            f"{ca['pg']:,.0f} µs in PostgreSQL; PostGraphile {cg['proc']:,.0f} µs (one node process) and "
            f"{cg['pg']:,.0f} µs in PostgreSQL"
            + (f". The api sends {pa['per_request']} statements per query, PostGraphile {pp['per_request']} "
               "(both read the booking and its lists in one statement)"
               if pa and pp else "")
            + ". Both keep parsed query documents; the api also validates the query and verifies a JWT on "
            "every request, and writes an access-log line per request.")
    if hints:
        w("### Hints")
        w("")
        for h in hints:
            w(f"- {h}")
        w("")

    if not same and compare.get("first_difference"):
        w("## api vs PostGraphile: first difference")
        w("")
        w("```json")
        w(json.dumps(compare["first_difference"], indent=1)[:4000])
        w("```")
        w("")

    history = os.path.join(os.path.dirname(os.path.abspath(__file__)), "history.md")
    if os.path.exists(history):
        w(open(history, encoding="utf-8").read().rstrip())
        w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu_model']}, {m['cpus']} logical CPUs, shared with other work (load average at start "
      f"{' '.join(m['loadavg_at_start'])}); memory {m['mem_gib']} GiB")
    w(f"- OS: {m['os']}, kernel {m['kernel']}")
    w(f"- PostgreSQL {m['postgres']} on 127.0.0.1 ({m['pg_settings']})")
    w(f"- {m['pgbench']}; {m['wrk']}; {m['rustc']} (release profile); node {m['node']}; PostGraphile "
      f"{m['postgraphile']} (defaults: one node process, pool of 10, `NODE_ENV=production`); Python {m['python']}")
    w("- ingest with default settings (database pool of 10 on PostgreSQL, one connection on SQLite; "
      "`RUST_LOG` unset, i.e. info with one access-log line per request, to a file); api with default "
      f"settings (pool of twice the CPUs: {2 * int(m['cpus'])}) and an analyst JWT on every request; "
      "PostGraphile without authentication.")
    w("")
    w("## Exact commands")
    w("")
    w("In this order, from the repository root (`bench/run` records them as it goes; `bench/.work/` holds the "
      "generated requests, logs and raw results of the last run):")
    w("")
    w("```sh")
    root = os.path.abspath(os.path.join(rdir, "..", "..", ".."))
    for line in open(commands_path):
        line = line.rstrip("\n").replace(root + "/", "")
        line = re.sub(r"--spotnana-token eyJ\S+", '--spotnana-token "$SPOTNANA_TOKEN"', line)
        line = re.sub(r"--token eyJ\S+", '--token "$API_TOKEN"', line)
        w(line)
    w("```")
    w("")
    # The growth section is bench/scale/run's (a separate, longer run): kept as it was.
    if os.path.exists(out):
        previous = open(out).read()
        start, end = previous.find("<!-- growth:start -->"), previous.find("<!-- growth:end -->")
        if 0 <= start < end:
            w(previous[start:end + len("<!-- growth:end -->")])
            w("")
    with open(out, "w") as f:
        f.write("\n".join(L))


def cmd_logscan(path):
    """Warnings and errors in a process log, grouped by message with ids blanked."""
    counts = {}
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    for line in open(path, errors="replace"):
        line = ansi.sub("", line)
        m = re.search(r"\s(WARN|ERROR)\s", line)
        if not m:
            continue
        msg = line[m.end():]
        msg = re.sub(r"^request\{[^}]*\}:", "", msg)
        msg = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", msg)
        msg = re.sub(r"(/|\b)[A-Z]{2,3}-?[a-z0-9]+x\d+\b", r"\1<ref>", msg)
        msg = re.sub(r"\d+ ?ms\b", "<n> ms", msg)
        key = f"{m.group(1)} {msg.strip()}"[:400]
        counts[key] = counts.get(key, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:8]
    print(json.dumps({"total": sum(counts.values()), "top": top}))


def cmd_say(path, label=""):
    """One line about a result file, for the console."""
    d = json.load(open(path))
    if "tps" in d:
        print(f"    pgbench: {d['tps']:.0f} tx/s, latency avg {d['latency_avg_ms']:.1f} ms, failed {d['failed']}")
    elif "achieved_rps" in d:
        print(f"    {label}: achieved {d['achieved_rps']:.0f}/s of {d['target_rate']:.0f}/s, p50 {d['p50_ms']:.1f} ms, "
              f"p99 {d['p99_ms']:.1f} ms, statuses {d['statuses']}, errors {d['errors']}")
    elif "rps" in d:
        print(f"    {label}: {d['rps']:.0f} req/s, p50 {d['p50_ms']:.1f} ms, p99 {d['p99_ms']:.1f} ms, "
              f"non-2xx {d['non_2xx']}, socket errors {d['socket_errors']}, duplicates {d['duplicates']}"
              + (f", RAN OUT OF REQUESTS {d['wrapped']}x" if d.get("wrapped") else ""))
    elif "checked" in d:
        print(f"    {d['identical']}/{d['checked']} identical" +
              ("" if d["identical"] == d["checked"] else f"; first difference: {json.dumps(d['first_difference'])[:600]}"))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"machine": cmd_machine, "cpu": cmd_cpu, "pgbench": cmd_pgbench, "probe-start": cmd_probe_start,
     "probe-mark": cmd_probe_mark, "probe-count": cmd_probe_count, "compare": cmd_compare,
     "markdown": cmd_markdown, "say": cmd_say, "logscan": cmd_logscan}[cmd](*args)


if __name__ == "__main__":
    main()
