#!/usr/bin/env python3
"""Times every query of CONTRACT §6 against a running api (bench/scale/run).

  queries.py --api H:P --token JWT --db-url postgres://… --size N --out FILE.json [--reps 15]

Picks real values from the database (a booking id, a partner, a busy destination, a
month of bookings and of trips, a received day of events) so that filters match rows,
then sends each query `--reps` times after two warm-ups over one keep-alive
connection and records the median and the p90 in milliseconds. A query answered with
GraphQL `errors` is recorded as failed, not timed. Python standard library only; the
values are read with `psql`.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time


def psql(url, sql):
    out = subprocess.run(["psql", url, "-Atqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def values(url):
    """Filter values that exist in the seeded data."""
    return {
        "id": psql(url, "select id from booking order by created_at desc, id desc offset 7 limit 1"),
        "partner": psql(url, "select partner from booking group by partner order by count(*) desc limit 1"),
        "destination": psql(url, "select destination_code from booking where destination_code is not null "
                                 "group by 1 order by count(*) desc offset 3 limit 1"),
        "bookedFrom": "2026-06-01T00:00:00Z", "bookedTo": "2026-07-01T00:00:00Z",
        "tripStartFrom": "2026-08-01T00:00:00Z", "tripStartTo": "2026-09-01T00:00:00Z",
        "receivedFrom": "2026-06-10T00:00:00Z", "receivedTo": "2026-06-11T00:00:00Z",
        "type": "booking-cancel",
    }


PAGE = "edges { cursor node { id } } pageInfo { hasNextPage endCursor }"
LISTS = ("edges { node { id reference status tripStart destination { code } "
         "segments { id sequence flightNumber departureAt } passengers { id firstName type } } }")


def queries(v):
    """(name, query, variables) for every filter alone and combined, with and without counts."""
    b = "query Q($f: BookingFilter) { bookings(filter: $f, first: 20) { %s } }"
    bc = "query Q($f: BookingFilter) { bookings(filter: $f, first: 20) { totalCount %s } }"
    e = "query Q($f: EventFilter) { events(filter: $f, first: 20) { %s } }"
    ec = "query Q($f: EventFilter) { events(filter: $f, first: 20) { totalCount %s } }"
    booking_filters = [
        ("none", {}),
        ("partner", {"partner": v["partner"]}),
        ("status", {"status": "CANCELLED"}),
        ("destination", {"destination": v["destination"]}),
        ("bookedFrom–To (a month)", {"bookedFrom": v["bookedFrom"], "bookedTo": v["bookedTo"]}),
        ("tripStartFrom–To (a month)", {"tripStartFrom": v["tripStartFrom"], "tripStartTo": v["tripStartTo"]}),
        ("partner+status+destination", {"partner": v["partner"], "status": "CONFIRMED", "destination": v["destination"]}),
        ("status+booked month", {"status": "CONFIRMED", "bookedFrom": v["bookedFrom"], "bookedTo": v["bookedTo"]}),
        ("destination+trip month", {"destination": v["destination"], "tripStartFrom": v["tripStartFrom"], "tripStartTo": v["tripStartTo"]}),
    ]
    event_filters = [
        ("none", {}),
        ("partner", {"partner": v["partner"]}),
        ("status REJECTED", {"status": "REJECTED"}),
        ("type", {"type": v["type"]}),
        ("bookingId", {"bookingId": v["id"]}),
        ("receivedFrom–To (a day)", {"receivedFrom": v["receivedFrom"], "receivedTo": v["receivedTo"]}),
        ("partner+status+day", {"partner": v["partner"], "status": "APPLIED", "receivedFrom": v["receivedFrom"], "receivedTo": v["receivedTo"]}),
    ]
    out = [
        ("booking(id) with segments and passengers",
         "query Q($id: ID!) { booking(id: $id) { id reference status tripStart tripEnd destination { code name } "
         "segments { id sequence kind status flightNumber departureAt arrivalAt origin { code } destination { code } } "
         "passengers { id firstName type lead } } }", {"id": v["id"]}),
        ("bookings: page of 100 with segments and passengers",
         "query { bookings(first: 100) { %s } }" % LISTS, {}),
        ("bookings: totalCount only", "query { bookings { totalCount } }", {}),
        ("bookingCountsByStatus", "query { bookingCountsByStatus { status count } }", {}),
        ("bookingCountsByDestination", "query { bookingCountsByDestination(first: 20) { destination { code } count } }", {}),
        ("bookingCountsByStatus (partner)", "query Q($f: BookingFilter) { bookingCountsByStatus(filter: $f) { status count } }",
         {"f": {"partner": v["partner"]}}),
        ("partners", "query { partners }", {}),
        ("events: totalCount only", "query { events { totalCount } }", {}),
    ]
    for name, f in booking_filters:
        out.append((f"bookings [{name}]", b % PAGE, {"f": f}))
        out.append((f"bookings [{name}] + totalCount", bc % PAGE, {"f": f}))
    for name, f in event_filters:
        out.append((f"events [{name}]", e % PAGE, {"f": f}))
        out.append((f"events [{name}] + totalCount", ec % PAGE, {"f": f}))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    host, port = args.api.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"}
    v = values(args.db_url)
    results = []
    for name, query, variables in queries(v):
        body = json.dumps({"query": query, "variables": variables})
        times, error = [], None
        for i in range(args.reps + 2):
            t0 = time.perf_counter()
            conn.request("POST", "/graphql", body, headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = (time.perf_counter() - t0) * 1000
            answer = json.loads(data) if data else {}
            if response.status != 200 or answer.get("errors"):
                error = f"{response.status}: {json.dumps(answer.get('errors', answer))[:300]}"
                break
            if i >= 2:
                times.append(elapsed)
        row = {"query": name, "size": args.size}
        if error:
            row["error"] = error
        else:
            times.sort()
            row["median_ms"] = round(statistics.median(times), 2)
            row["p90_ms"] = round(times[int(0.9 * (len(times) - 1))], 2)
        results.append(row)
        shown = row.get("error") or f"{row['median_ms']:8.2f} ms (p90 {row['p90_ms']:.2f})"
        print(f"  {name:58s} {shown}", flush=True)
    json.dump(results, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
