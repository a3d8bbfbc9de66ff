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
def proc_ticks(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def cmd_cpu(out, *named):
    cpu = open("/proc/stat").readline().split()[1:]
    vals = [int(v) for v in cpu]
    idle = vals[3] + vals[4]
    pg = 0
    for path in glob.glob("/proc/[0-9]*/comm"):
        try:
            if open(path).read().strip() == "postgres":
                pg += proc_ticks(path.split("/")[2])
        except OSError:
            pass
    snap = {"t": time.monotonic(), "busy": sum(vals[:8]) - idle, "total": sum(vals[:8]),
            "postgres": pg, "procs": {}}
    for item in named:
        name, pid = item.split("=", 1)
        snap["procs"][name] = proc_ticks(pid)
    json.dump(snap, open(out, "w"))


def cpu_diff(before, after):
    """CPU seconds used between two snapshots, by part; 'other' is load generator and noise."""
    wall = after["t"] - before["t"]
    busy = (after["busy"] - before["busy"]) / CLK_TCK
    total = (after["total"] - before["total"]) / CLK_TCK
    pg = (after["postgres"] - before["postgres"]) / CLK_TCK
    procs = {k: (after["procs"][k] - before["procs"].get(k, 0)) / CLK_TCK for k in after["procs"]}
    other = busy - pg - sum(procs.values())
    return {"wall_s": wall, "machine_busy_s": busy, "machine_capacity_s": total, "postgres_s": pg,
            "procs": procs, "other_s": other}


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


def cmd_probe_count(offset_path, db, manifest_path):
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
    manifest = json.load(open(manifest_path))
    n = manifest["requests"]
    print(json.dumps({"deliveries": n, "statements": total, "per_delivery": round(total / n, 2),
                      "by_kind_per_delivery": {k: round(v / n, 3) for k, v in
                                               sorted(counts.items(), key=lambda kv: -kv[1])},
                      "mix": manifest["mix"]}))


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
    ing = [load(rdir, f"ingest_pg_r{i}.json") for i in range(1, reps + 1)]
    pgb = [load(rdir, f"pgbench_r{i}.json") for i in range(1, reps + 1)]
    sq = [load(rdir, f"ingest_sqlite_r{i}.json") for i in range(1, reps + 1)]
    api = [load(rdir, f"api_r{i}.json") for i in range(1, reps + 1)]
    pgl = [load(rdir, f"postgraphile_r{i}.json") for i in range(1, reps + 1)]
    ing_rate = load(rdir, "ingest_pg_rate.json")
    api_rate = load(rdir, "api_rate.json")
    pgl_rate = load(rdir, "postgraphile_rate.json")
    rss = {k: load(rdir, f"rss_{k}.json") for k in ("ingest_pg", "ingest_sqlite", "api", "postgraphile")}
    compare = load(rdir, "compare.json", {})
    probe = load(rdir, "probe.json")
    dbc = load(rdir, "db_ingest_pg.json", {})

    ing_rps = med([r["rps"] for r in ing])
    pgb_tps = med([r["tps"] for r in pgb])
    ing_ratio = med([i["rps"] / p["tps"] for i, p in zip(ing, pgb)])
    sq_rps = med([r["rps"] for r in sq])
    api_rps = med([r["rps"] for r in api])
    pgl_rps = med([r["rps"] for r in pgl])
    api_ratio = med([a["rps"] / p["rps"] for a, p in zip(api, pgl)])
    mib = lambda r: r["vmhwm_kib"] / 1024 if r else None  # noqa: E731

    def rate_ok(r, target_rate, p99_target):
        return r and r["achieved_rps"] >= 0.98 * target_rate and r["p99_ms"] < p99_target and \
            r["ok_2xx"] == r["scheduled"]

    rows = []
    ok = ing_ratio is not None and ing_ratio >= 0.5
    rows.append(("Ingest throughput vs pgbench, same writes, concurrency %d" % conc, "≥ 0.5×",
                 f"{ing_ratio:.2f}× ({fmt(ing_rps)} deliveries/s vs {fmt(pgb_tps)} tx/s)",
                 verdict(ok, f"{(0.5 - ing_ratio) / 0.5 * 100:.0f} % short of 0.5×; needs {fmt(0.5 * pgb_tps)}/s")))
    r = ing_rate
    ok = rate_ok(r, s["ingest_rate"], 50)
    rows.append((f"Ingest p99 at {s['ingest_rate']} deliveries/s (PostgreSQL, fixed rate, {s['rate_duration_s']} s)",
                 "< 50 ms", f"p99 {fmt(r['p99_ms'], 1)} ms (p50 {fmt(r['p50_ms'], 1)} ms), achieved {fmt(r['achieved_rps'])}/s, "
                 f"{r['ok_2xx']}/{r['scheduled']} 2xx",
                 verdict(ok, f"p99 {r['p99_ms'] / 50:.1f}× the target" if r["p99_ms"] >= 50 else
                         f"only {r['achieved_rps']:.0f}/s or non-2xx answers")))
    ok = sq_rps is not None and sq_rps >= 1000
    rows.append(("Ingest throughput on SQLite (default)", "≥ 1,000 /s", f"{fmt(sq_rps)} deliveries/s",
                 verdict(ok, f"{(1000 - sq_rps) / 10:.0f} % short")))
    ok = api_ratio is not None and api_ratio >= 2
    rows.append((f"api `booking(id)` vs PostGraphile {m['postgraphile']}, concurrency {conc}", "≥ 2×",
                 f"{api_ratio:.2f}× ({fmt(api_rps)} vs {fmt(pgl_rps)} requests/s)",
                 verdict(ok, f"{(2 - api_ratio) / 2 * 100:.0f} % short of 2×; needs {fmt(2 * pgl_rps)}/s")))
    r = api_rate
    ok = rate_ok(r, s["api_rate"], 20)
    rows.append((f"api p99 at {s['api_rate']} requests/s (fixed rate, {s['rate_duration_s']} s)", "< 20 ms",
                 f"p99 {fmt(r['p99_ms'], 1)} ms (p50 {fmt(r['p50_ms'], 1)} ms), achieved {fmt(r['achieved_rps'])}/s, "
                 f"{r['ok_2xx']}/{r['scheduled']} 2xx",
                 verdict(ok, f"p99 {r['p99_ms'] / 20:.1f}× the target" if r["p99_ms"] >= 20 else
                         f"only {r['achieved_rps']:.0f}/s or non-2xx answers")))
    for key, label in (("ingest_pg", "ingest (PostgreSQL)"), ("ingest_sqlite", "ingest (SQLite)"), ("api", "api")):
        v = mib(rss[key])
        rows.append((f"Peak RSS of {label} under that load (VmHWM)", "< 100 MiB", f"{fmt(v, 1)} MiB",
                     verdict(v is not None and v < 100, f"{v - 100:.1f} MiB over" if v else "not measured")))
    same = compare.get("identical") == compare.get("checked") and compare.get("checked")
    rows.append(("api and PostGraphile return the same data", "all equal",
                 f"{compare.get('identical')}/{compare.get('checked')} bookings identical "
                 f"({compare.get('segments_compared')} segments, {compare.get('passengers_compared')} passengers)",
                 "**met**" if same else "**differs** (see below)"))

    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w(f"Generated by [`bench/run`](bench/run) on {m['date_utc']} in {s['wall_s']} s (one run; every figure below "
      "comes from it). CONTRACT §7 holds the product to these figures; re-run with `bench/run` "
      "(see README, *Benchmarks*).")
    w("")
    w("## Figures against CONTRACT §7")
    w("")
    w("| figure | target | measured | verdict |")
    w("|---|---|---|---|")
    for row in rows:
        w("| " + " | ".join(row) + " |")
    w("")
    w(f"Throughput figures are the median of {reps} runs of {s['duration_s']} s each at a fixed concurrency of "
      f"{conc} connections (wrk) or clients (pgbench), warmed up first; each ingest run is followed at once by "
      "its pgbench run, each api run by its PostGraphile run, and a ratio is the median of the per-pair ratios, "
      "so the noise of this shared machine hits both sides of a ratio alike. Fixed-rate figures come from "
      "`bench/driver`, an open-loop generator: request *i* is due at *start + i/rate* and its latency counts from "
      "that due time, so a stall shows up in p99 instead of slowing the sender (no coordinated omission).")
    w("")

    def table(title, runs, key, unit, extra=None):
        w(f"### {title}")
        w("")
        hdr = f"| run | {unit} | p50 ms | p99 ms | 2xx | non-2xx | socket errors |" + (f" {extra[0]} |" if extra else "")
        w(hdr)
        w("|---|---|---|---|---|---|---|" + ("---|" if extra else ""))
        for i, r in enumerate(runs, 1):
            line = (f"| {i} | {fmt(r[key])} | {fmt(r['p50_ms'], 1)} | {fmt(r['p99_ms'], 1)} | {r['ok_2xx']} | "
                    f"{r['non_2xx']} | {r['socket_errors'] + r['timeouts']} |")
            if extra:
                line += f" {extra[1](r)} |"
            w(line)
        w("")

    w("## Details")
    w("")
    table("1. ingest on PostgreSQL (wrk, throughput)", ing, "rps", "deliveries/s",
          ("duplicate answers", lambda r: r["duplicates"]))
    w("### 2. pgbench, the same writes per delivery ([`bench/pgbench.sql`](bench/pgbench.sql))")
    w("")
    w("| run | transactions/s | latency avg ms | failed | ingest/pgbench |")
    w("|---|---|---|---|---|")
    for i, (p, g) in enumerate(zip(pgb, ing), 1):
        w(f"| {i} | {fmt(p['tps'])} | {fmt(p['latency_avg_ms'], 1)} | {p['failed']} | {g['rps'] / p['tps']:.2f}× |")
    w("")
    table("3. ingest on SQLite (wrk, throughput)", sq, "rps", "deliveries/s",
          ("duplicate answers", lambda r: r["duplicates"]))
    table("4a. api `booking(id)` (wrk, throughput)", api, "rps", "requests/s")
    table(f"4b. PostGraphile {m['postgraphile']} `bookingById` (wrk, throughput)", pgl, "rps", "requests/s")
    w("### Fixed-rate runs (bench/driver)")
    w("")
    w("| what | target rate | achieved /s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | statuses | errors |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for label, r in (("ingest (PostgreSQL)", ing_rate), ("api", api_rate), ("PostGraphile", pgl_rate)):
        if r:
            w(f"| {label} | {fmt(r['target_rate'])} | {fmt(r['achieved_rps'])} | {fmt(r['p50_ms'], 1)} | "
              f"{fmt(r['p90_ms'], 1)} | {fmt(r['p99_ms'], 1)} | {fmt(r['p999_ms'], 1)} | {fmt(r['max_ms'], 1)} | "
              f"{json.dumps(r['statuses'])} | {r['errors']} |")
    w("")
    w("### Peak memory (VmHWM from /proc/PID/status at the end of each process's load)")
    w("")
    w("| process | peak RSS MiB | RSS at the end MiB |")
    w("|---|---|---|")
    for key, label in (("ingest_pg", "ingest (PostgreSQL)"), ("ingest_sqlite", "ingest (SQLite)"), ("api", "api"),
                       ("postgraphile", "PostGraphile (node)")):
        r = rss[key]
        if r:
            w(f"| {label} | {r['vmhwm_kib'] / 1024:.1f} | {r['vmrss_kib'] / 1024:.1f} |")
    w("")

    # deliveries
    mixes = [load(rdir, f"mix_pg_r{i}.json") for i in range(1, reps + 1)]
    mix = mixes[0]
    w("### The deliveries")
    w("")
    tot = mix["requests"]
    w(f"Generated by [`bench/gen.py`](bench/gen.py) right before each run ({tot:,} per throughput run, fresh ids "
      "per run; wrk stops after the run's duration): booking stories over the five partners and their auth "
      "kinds of [`bench/partners.toml`](bench/partners.toml) (Hahn Air single- and three-leg trips with a token "
      "header, AirGateway orders with Basic, Spotnana PNRs with an OAuth bearer token from `/oauth/token`, Traxo "
      "trips and air segments with Basic, ground transfers signed with Standard Webhooks HMAC at the current "
      "time), a story's deliveries in order on one wrk thread, many stories interleaved.")
    w("")
    w("| kind | share | | partner | share |")
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
    w(f"Mean request size {mix['mean_request_bytes']} bytes. Duplicates are exact re-sends of an earlier "
      "delivery (same body and headers, so the same idempotency key).")
    w("")
    # durability / outcomes
    sent_ok = sum(r["ok_2xx"] - r["duplicates"] for r in ing + [load(rdir, "ingest_pg_warmup.json")])
    rate_ok_n = ing_rate["ok_2xx"] if ing_rate else 0
    w("### Every 2xx durable")
    w("")
    w(f"After the PostgreSQL runs the database held {dbc.get('events', 'n/a'):,} events "
      f"({json.dumps(dbc.get('by_status'))}), {dbc.get('bookings', 0):,} bookings, {dbc.get('segments', 0):,} "
      f"segments and {dbc.get('passengers', 0):,} passengers. wrk counted {sent_ok:,} non-duplicate 2xx answers "
      f"in its runs (warm-up included) and the fixed-rate run {rate_ok_n:,} 2xx answers (duplicates included); "
      "requests still in flight when wrk stops are committed but not counted, so the events must be at least "
      f"the 2xx count: {'yes' if dbc.get('events', 0) >= sent_ok else 'NO'}.")
    w("")

    # where time goes
    w("## Where the time goes")
    w("")
    w("CPU seconds per delivery/transaction during the throughput runs (from /proc: the measured process, all "
      "`postgres` processes, and the rest of the machine — the load generator and other tenants of this shared "
      "machine), summed over the runs:")
    w("")
    w("| run | wall s | ingest/api/PostGraphile CPU µs per request | postgres CPU µs per request | other CPU µs per request | machine busy |")
    w("|---|---|---|---|---|---|")

    def cpu_row(label, prefix, runs_n, count_of, proc):
        tot_req = 0
        acc = {"wall": 0, "proc": 0, "pg": 0, "other": 0, "busy": 0, "cap": 0}
        for i in range(1, runs_n + 1):
            b = load(rdir, f"{prefix}_r{i}_before.json")
            a = load(rdir, f"{prefix}_r{i}_after.json")
            if not (a and b):
                return
            d = cpu_diff(b, a)
            n = count_of(i)
            tot_req += n
            acc["wall"] += d["wall_s"]
            acc["proc"] += d["procs"].get(proc, 0)
            acc["pg"] += d["postgres_s"]
            acc["other"] += d["other_s"]
            acc["busy"] += d["machine_busy_s"]
            acc["cap"] += d["machine_capacity_s"]
        us = lambda x: f"{x / tot_req * 1e6:,.0f}"  # noqa: E731
        w(f"| {label} | {acc['wall']:.1f} | {us(acc['proc']) if proc else '—'} | {us(acc['pg'])} | {us(acc['other'])} | "
          f"{acc['busy'] / acc['cap'] * 100:.0f} % |")

    cpu_row("ingest, PostgreSQL", "cpu_ingest", reps, lambda i: ing[i - 1]["requests"], "ingest")
    cpu_row("pgbench (pgbench itself in 'other')", "cpu_pgbench", reps,
            lambda i: pgb[i - 1]["transactions"] or 1, None)
    cpu_row("ingest, SQLite", "cpu_sqlite", reps, lambda i: sq[i - 1]["requests"], "ingest")
    cpu_row("api", "cpu_api", reps, lambda i: api[i - 1]["requests"], "api")
    cpu_row("PostGraphile", "cpu_postgraphile", reps, lambda i: pgl[i - 1]["requests"], "postgraphile")
    w("")

    # pg stats
    def pgdelta(prefix, n_of):
        rows_out = {}
        for i in range(1, reps + 1):
            b = load(rdir, f"pgstat_{prefix}_r{i}_before.json")
            a = load(rdir, f"pgstat_{prefix}_r{i}_after.json")
            if not (a and b):
                return None
            n = n_of(i)
            for k in ("xact_commit", "xact_rollback", "tup_fetched"):
                rows_out.setdefault(k, []).append((a[k] - b[k]) / n)
            for t in ("booking", "segment", "passenger", "event"):
                ta, tb = (a["tables"] or {}).get(t, {}), (b["tables"] or {}).get(t, {})
                for k in ("ins", "upd", "idx_scan"):
                    rows_out.setdefault(f"{t}.{k}", []).append((ta.get(k, 0) - tb.get(k, 0)) / n)
        return {k: med(v) for k, v in rows_out.items()}

    di = pgdelta("ingest", lambda i: ing[i - 1]["requests"])
    dp = pgdelta("pgbench", lambda i: pgb[i - 1]["transactions"] or 1)
    if di and dp:
        w("Database work per delivery (ingest) and per transaction (pgbench), from `pg_stat_database` and "
          "`pg_stat_user_tables` (medians over the runs; a delivery that is a duplicate rolls back):")
        w("")
        w("| counter | ingest per delivery | pgbench per transaction |")
        w("|---|---|---|")
        for k in di:
            w(f"| {k} | {di[k]:.2f} | {dp.get(k, 0):.2f} |")
        w("")
    if probe:
        w(f"Statements per delivery, counted with `log_statement = all` on a separate database over "
          f"{probe['deliveries']} deliveries of the same mix: **{probe['per_delivery']}** "
          f"(pgbench's transaction: 5.6 — BEGIN, booking upsert, segment upsert, passenger upsert in 60 %, "
          "event insert, END). By kind, per delivery:")
        w("")
        w("| statement | per delivery |")
        w("|---|---|")
        for k, v in probe["by_kind_per_delivery"].items():
            w(f"| `{k}` | {v} |")
        w("")
    notes = os.path.join(rdir, "..", "..", "NOTES.md")
    if os.path.exists(notes):
        w(open(notes).read().strip())
        w("")

    if not same and compare.get("first_difference"):
        w("## api vs PostGraphile: first difference")
        w("")
        w("```json")
        w(json.dumps(compare["first_difference"], indent=1)[:4000])
        w("```")
        w("")

    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu_model']}, {m['cpus']} logical CPUs (shared with other work; load average at start "
      f"{' '.join(m['loadavg_at_start'])}); memory {m['mem_gib']} GiB")
    w(f"- OS: {m['os']}, kernel {m['kernel']}")
    w(f"- PostgreSQL {m['postgres']} on 127.0.0.1 ({m['pg_settings']})")
    w(f"- {m['pgbench']}; {m['wrk']}; {m['rustc']} (release profile); node {m['node']}, PostGraphile "
      f"{m['postgraphile']} (defaults: one node process, pool of 10); Python {m['python']}")
    w(f"- ingest: default settings (database pool 10, `RUST_LOG` unset = info with access logs, to a file); "
      f"api: default settings (pool 16), analyst JWT on every request; PostGraphile has no authentication.")
    w("")
    w("## Exact commands")
    w("")
    w("Everything below ran from the repository root, in this order (`bench/run` prints and records them; "
      "`.work/` is `bench/.work/`, scratch files regenerated each run):")
    w("")
    w("```sh")
    root = os.path.abspath(os.path.join(rdir, "..", "..", ".."))
    for line in open(commands_path):
        w(line.rstrip("\n").replace(root + "/", ""))
    w("```")
    w("")
    with open(out, "w") as f:
        f.write("\n".join(L))


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
     "markdown": cmd_markdown, "say": cmd_say}[cmd](*args)


if __name__ == "__main__":
    main()
