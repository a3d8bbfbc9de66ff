#!/usr/bin/env python3
"""Request generator for bench/run (Python 3 standard library only).

Writes raw HTTP/1.1 requests as records `<byte length>\\n<bytes>`; bench/wrk.lua
(wrk, fixed concurrency) and bench/driver (fixed rate) replay them as they are.

  gen.py ingest  --host H:P --run ID --count N --files K --out PREFIX \\
                 --spotnana-token TOKEN [--seed S] [--dup 0.07]
      Realistic webhook deliveries for the bench registry (bench/partners.toml),
      mixed over the five partners and their auth kinds, as booking "stories":
      creates, then updates and cancellations of the same bookings, plus ~7 %
      exact re-deliveries (duplicates). Every reference and event id contains
      the run id, so separate runs never collide. Stories are dealt to K files
      (one per wrk thread) so one booking's deliveries stay in order within a
      file. Standard Webhooks signatures use the current time: generate right
      before the run (they stay valid for 5 minutes). Writes PREFIX.K files and
      PREFIX.manifest.json (the mix).

  gen.py graphql --host H:P --ids FILE --count N --out FILE --flavour api|postgraphile
                 [--token JWT] [--seed S]
      `booking(id)` queries with segments and passengers for random ids from FILE,
      in the api's schema or PostGraphile v4's.
"""

import argparse
import base64
import hashlib
import hmac
import json
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

# The bench registry's secrets (bench/partners.toml): literal, local only.
HAHN_TOKEN = "bench-hahn-token"
AGW_BASIC = ("agw", "bench-agw-password")
TRAXO_BASIC = ("traxo", "bench-traxo-password")
TRANSFERS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

AIRPORTS = [
    ("LHR", "London", "GB"), ("LIS", "Lisbon", "PT"), ("MAD", "Madrid", "ES"),
    ("BCN", "Barcelona", "ES"), ("CDG", "Paris", "FR"), ("FRA", "Frankfurt", "DE"),
    ("JFK", "New York", "US"), ("SFO", "San Francisco", "US"), ("LAX", "Los Angeles", "US"),
    ("DUB", "Dublin", "IE"), ("AMS", "Amsterdam", "NL"), ("FCO", "Rome", "IT"),
    ("MUC", "Munich", "DE"), ("ZRH", "Zurich", "CH"), ("VIE", "Vienna", "AT"),
    ("CPH", "Copenhagen", "DK"), ("ATH", "Athens", "GR"), ("IST", "Istanbul", "TR"),
    ("DXB", "Dubai", "AE"), ("SIN", "Singapore", "SG"), ("ORD", "Chicago", "US"),
    ("BOS", "Boston", "US"), ("SEA", "Seattle", "US"), ("MIA", "Miami", "US"),
]
CARRIERS = ["BA", "IB", "LH", "TP", "AF", "KL", "UA", "DL", "AA", "EI", "LX", "OS"]
FIRST = ["Ana", "John", "Marta", "Tom", "Lena", "Omar", "Sofia", "Liam", "Chen", "Priya"]
LAST = ["Silva", "Doe", "Ruiz", "Smith", "Meyer", "Haddad", "Rossi", "Murphy", "Li", "Patel"]
PHONES = ["+441632960881", "+447700900123", "+34612345678"]
BASE = datetime(2026, 3, 1, tzinfo=timezone.utc)


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def basic(user_pass):
    return "Basic " + base64.b64encode(f"{user_pass[0]}:{user_pass[1]}".encode()).decode()


def raw_request(host, path, body, headers):
    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json",
             f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def hmac_headers(body_bytes, msg_id):
    ts = str(int(time.time()))
    key = base64.b64decode(TRANSFERS_SECRET[len("whsec_"):])
    sig = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body_bytes,
                                    hashlib.sha256).digest()).decode()
    return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": f"v1,{sig}"}


class Stories:
    """Booking stories per partner; each yields (kind, request bytes) steps."""

    def __init__(self, host, run, rng, spotnana_token):
        self.host, self.run, self.rng, self.sp_token = host, run, rng, spotnana_token
        self.n = 0

    def _trip(self):
        o, d = self.rng.sample(AIRPORTS, 2)
        start = BASE + timedelta(days=self.rng.randint(20, 300), minutes=self.rng.randint(0, 1439))
        return o, d, start

    def _flight(self):
        return f"{self.rng.choice(CARRIERS)}{self.rng.randint(1, 2999)}"

    def next_story(self):
        self.n += 1
        uid = f"{self.run}x{self.n}"
        src = BASE + timedelta(seconds=self.n)  # source time of the first delivery
        kind = self.rng.choices(
            ["hahn", "hahn_multi", "agw", "spotnana", "traxo", "transfers"],
            weights=[25, 5, 20, 20, 15, 15])[0]
        return getattr(self, "story_" + kind)(uid, src)

    # -- hahn_air: token header --------------------------------------------------
    def _hahn(self, topic, body):
        return raw_request(self.host, f"/webhooks/hahn-air/{topic}", body,
                           {"X-Webhook-Token": HAHN_TOKEN})

    def _hahn_create(self, ref, leg, src, o, d, start):
        body = {
            "bookingId": ref, "tripStart": iso(start), "tripEnd": iso(start + timedelta(hours=3)),
            "bookingDate": iso(src - timedelta(minutes=5)),
            "departureAirportCode": o[0], "destinationAirportCode": d[0],
            "departureName": o[1], "destinationName": d[1],
            "departureCountry": o[2], "destinationCountry": d[2],
            "customerId": f"CUST-{ref}", "phoneNumber": self.rng.choice(PHONES),
            "firstName": self.rng.choice(FIRST), "email": f"c{ref.lower()}@example.com",
            "bagCount": self.rng.randint(0, 3), "pax": self.rng.randint(1, 4),
            "children": self.rng.randint(0, 1), "infants": 0, "flightClass": "Economy",
            "departureFlightNumber": self._flight(), "updatedAt": iso(src),
        }
        if leg:
            body["consumerTripPartnerExternalReference"] = f"{ref}-{leg}"
        return body

    def story_hahn(self, uid, src):
        ref = f"HA{uid}"
        o, d, start = self._trip()
        steps = [("create", self._hahn("booking-create", self._hahn_create(ref, None, src, o, d, start)))]
        if self.rng.random() < 0.45:
            steps.append(("update", self._hahn("booking-update", {
                "bookingId": ref, "tripStart": iso(start + timedelta(hours=2)),
                "departureFlightNumber": self._flight(), "pax": 3,
                "updatedAt": iso(src + timedelta(hours=1))})))
        if self.rng.random() < 0.15:
            steps.append(("cancel", self._hahn("booking-cancel", {
                "bookingId": ref, "updatedAt": iso(src + timedelta(hours=2))})))
        return steps

    def story_hahn_multi(self, uid, src):
        ref = f"HM{uid}"
        stops = self.rng.sample(AIRPORTS, 4)
        _, _, start = self._trip()
        steps = []
        for leg in (1, 2, 3):
            body = self._hahn_create(ref, leg, src + timedelta(seconds=leg), stops[leg - 1],
                                     stops[leg], start + timedelta(days=3 * (leg - 1)))
            steps.append(("create", self._hahn("booking-create", body)))
        if self.rng.random() < 0.2:
            steps.append(("cancel", self._hahn("booking-cancel", {
                "bookingId": ref, "consumerTripPartnerExternalReference": f"{ref}-2",
                "updatedAt": iso(src + timedelta(hours=2))})))
        return steps

    # -- airgateway: Basic ------------------------------------------------------------
    def _agw(self, body):
        return raw_request(self.host, "/webhooks/airgateway", body,
                           {"Authorization": basic(AGW_BASIC)})

    def story_agw(self, uid, src):
        ref = f"AGW-{uid}"
        o, d, _ = self._trip()
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        steps = [("create", self._agw({
            "event": "OrderCreated", "agwID": ref, "orderID": f"IB-{uid}", "pnr": uid[-6:],
            "bookingType": "Round Trip", "origin": o[0], "destination": d[0],
            "fullPath": f"{o[0]}-{d[0]}, {d[0]}-{o[0]}", "adultsPax": 2, "childrenPax": 1,
            "infantsPax": 0, "orderStatus": "confirmed", "totalAmount": 612.4,
            "createdOn": iso(src), "updatedOn": iso(src), "consumerEmail": "bookings@acme.example",
            "psgPhone": "+34 612 345 678", "psgEmail": f"{first.lower()}@example.com",
            "consumerCountryCode": "ES", "consumer": f"{first} {last}", "provider": "IB",
            "agent": "Marta Ruiz", "agency": "Viajes Sol"}))]
        if self.rng.random() < 0.5:
            steps.append(("update", self._agw({
                "event": "OrderTicketed", "agwID": ref, "orderStatus": "ticketed",
                "updatedOn": iso(src + timedelta(hours=1))})))
        if self.rng.random() < 0.1:
            steps.append(("cancel", self._agw({
                "event": "OrderCanceled", "agwID": ref, "orderStatus": "cancelled",
                "updatedOn": iso(src + timedelta(hours=2))})))
        return steps

    # -- spotnana: OAuth bearer ------------------------------------------------------
    def _sp(self, body):
        return raw_request(self.host, "/webhooks/spotnana", body,
                           {"Authorization": f"Bearer {self.sp_token}"})

    def _pnr(self, op, pnr, src, o, d, start, status):
        def flight(a, b, dep, hours):
            return {"origin": a[0], "destination": b[0],
                    "departureDateTime": {"iso8601": iso(dep)},
                    "arrivalDateTime": {"iso8601": iso(dep + timedelta(hours=hours))},
                    "marketing": {"airlineCode": "LH", "num": str(self.rng.randint(100, 999))},
                    "cabin": "ECONOMY"}
        via = self.rng.choice([a for a in AIRPORTS if a not in (o, d)])
        return {
            "event_type": "PNR_V3", "operation": op, "timestamp": iso(src),
            "operationSummary": {"pnrStatus": status, "travelType": "AIR"},
            "payload": {
                "pnrId": pnr, "tripId": f"T{pnr}", "sourcePnrId": pnr[-6:],
                "bookingDateTime": {"iso8601": iso(src)},
                "travelers": [
                    {"travelerIdx": 0, "name": {"given": "Ana", "family": "Silva"},
                     "email": "ana.silva@acme.example",
                     "phone": {"countryCode": 44, "nationalNumber": 7700900123,
                               "rawInput": "+44 7700 900123", "type": "MOBILE"},
                     "passengerType": "ADULT"},
                    {"travelerIdx": 1, "name": {"given": "Tom", "family": "Silva"},
                     "passengerType": "ADULT"}],
                "airPnr": {"legs": [
                    {"flights": [flight(o, via, start, 2), flight(via, d, start + timedelta(hours=4), 8)]},
                    {"flights": [flight(d, o, start + timedelta(days=10), 9)]}]},
            },
        }

    def story_spotnana(self, uid, src):
        pnr = f"SP{uid}"
        o, d, start = self._trip()
        steps = [("create", self._sp(self._pnr("BOOKING_CREATED", pnr, src, o, d, start, "CONFIRMED")))]
        if self.rng.random() < 0.5:
            steps.append(("update", self._sp(self._pnr("BOOKING_TICKETED", pnr, src + timedelta(minutes=6),
                                                        o, d, start, "TICKETED"))))
        if self.rng.random() < 0.1:
            steps.append(("cancel", self._sp({
                "event_type": "PNR_V3", "operation": "FLIGHT_CANCELED",
                "timestamp": iso(src + timedelta(hours=2)),
                "operationSummary": {"pnrStatus": "CANCELLED"},
                "payload": {"pnrId": pnr, "tripId": f"T{pnr}", "sourcePnrId": pnr[-6:]}})))
        return steps

    # -- traxo: Basic, envelope id = idempotency key ----------------------------------
    def _traxo(self, body):
        return raw_request(self.host, "/webhooks/traxo", body,
                           {"Authorization": basic(TRAXO_BASIC)})

    def story_traxo(self, uid, src):
        trip = f"TX{uid}"
        o, d, start = self._trip()
        trip_obj = {
            "id": trip, "member_id": "712000000000000001", "status": "Active",
            "destination": d[1], "country": d[2],
            "begin_datetime": iso(start), "end_datetime": iso(start + timedelta(days=7)),
            "headline": f"{d[1]} trip", "first_name": self.rng.choice(FIRST),
            "last_name": self.rng.choice(LAST), "created": iso(src), "updated": iso(src)}
        steps = [("create", self._traxo({"id": f"E{uid}a", "type": "trip.created",
                                        "created": iso(src), "data": {"object": trip_obj}}))]
        if self.rng.random() < 0.7:
            steps.append(("update", self._traxo({
                "id": f"E{uid}b", "type": "air_segment.created",
                "created": iso(src + timedelta(minutes=2)),
                "data": {"object": {
                    "id": f"S{uid}", "trip_id": trip, "type": "Air", "status": "Active",
                    "first_name": trip_obj["first_name"], "last_name": trip_obj["last_name"],
                    "airline": "TAP Air Portugal", "iata_code": "TP",
                    "flight_num": str(self.rng.randint(100, 999)),
                    "origin": o[0], "origin_city_name": o[1], "origin_country": o[2],
                    "destination": d[0], "destination_city_name": d[1], "destination_country": d[2],
                    "departure_datetime": iso(start), "arrival_datetime": iso(start + timedelta(hours=5)),
                    "confirmation_no": uid[-6:], "class_of_service": "Economy",
                    "created": iso(src), "updated": iso(src)}}})))
        if self.rng.random() < 0.1:
            cancelled = dict(trip_obj, status="Cancelled", updated=iso(src + timedelta(hours=2)))
            steps.append(("cancel", self._traxo({
                "id": f"E{uid}c", "type": "trip.updated", "created": iso(src + timedelta(hours=2)),
                "data": {"object": cancelled}})))
        return steps

    # -- ground_transfer: Standard Webhooks HMAC ---------------------------------------
    def _transfer(self, path, body):
        data = json.dumps(body, separators=(",", ":")).encode()
        return raw_request(self.host, path, data,
                           hmac_headers(data, f"msg_{uuid.UUID(int=self.rng.getrandbits(128)).hex}"))

    def story_transfers(self, uid, src):
        ref = f"GT{uid}"
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        lead = {"title": "Mr", "firstName": first, "lastName": last,
                "phoneNumber": "+441632960881", "customerId": f"cust-{uid}"}
        steps = [("create", self._transfer("/webhooks/transfers", {
            "bookingReference": ref, "customerReference": f"C{uid}",
            "searchResultId": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "leadPassenger": lead, "flightNumber": self._flight(), "comment": "Child seat please",
            "services": [{"name": "meetAndGreetMessage", "value": f"Welcome {first} {last}"}]}))]
        _, _, start = self._trip()
        if self.rng.random() < 0.4:
            steps.append(("update", self._transfer(f"/webhooks/transfers/{ref}", {
                "leadPassenger": {k: v for k, v in lead.items() if k != "customerId"},
                "comment": "", "flightNumber": self._flight(), "pickupDateTime": iso(start),
                "services": [], "action": "AMENDMENT", "cancellationReason": ""})))
        if self.rng.random() < 0.1:
            steps.append(("cancel", self._transfer(f"/webhooks/transfers/{ref}", {
                "leadPassenger": {k: v for k, v in lead.items() if k != "customerId"},
                "comment": "", "flightNumber": "", "pickupDateTime": iso(start), "services": [],
                "action": "CANCELLATION", "cancellationReason": "Customer requested cancellation"})))
        return steps


def write_records(path, requests):
    with open(path, "wb") as f:
        for r in requests:
            f.write(f"{len(r)}\n".encode())
            f.write(r)


def cmd_ingest(a):
    rng = random.Random(a.seed)
    stories = Stories(a.host, a.run, rng, a.spotnana_token)
    files = [[] for _ in range(a.files)]
    mix = {"create": 0, "update": 0, "cancel": 0, "duplicate": 0}
    partners = {}
    # Interleave a window of open stories per file, like many bookings evolving at once.
    open_stories = [[] for _ in range(a.files)]
    produced = 0
    while produced < a.count:
        f = produced % a.files
        out = files[f]
        if out and rng.random() < a.dup:
            out.append(rng.choice(out[-500:]))
            mix["duplicate"] += 1
            produced += 1
            continue
        live = open_stories[f]
        if len(live) < 20 or rng.random() < 0.3:
            live.append(stories.next_story())
        story = rng.choice(live)
        kind, req = story.pop(0)
        if not story:
            live.remove(story)
        out.append(req)
        mix[kind] += 1
        p = req.split(b" ", 2)[1].split(b"/")[2].decode()
        partners[p] = partners.get(p, 0) + 1
        produced += 1
    size = 0
    for i, reqs in enumerate(files):
        write_records(f"{a.out}.{i}", reqs)
        size += sum(len(r) for r in reqs)
    manifest = {"requests": a.count, "mix": mix, "partners": partners,
                "mean_request_bytes": round(size / a.count)}
    with open(f"{a.out}.manifest.json", "w") as f:
        json.dump(manifest, f)


API_QUERY = ("query($id: ID!){ booking(id:$id){ id reference status tripStart destination{code name} "
             "segments{sequence origin{code} destination{code} departureAt flightNumber} "
             "passengers{firstName type lead} } }")
PG_QUERY = ("query($id: UUID!){ bookingById(id:$id){ id reference status tripStart destinationCode destinationName "
            "segmentsByBookingId(orderBy: SEQUENCE_ASC){ nodes{ sequence originCode destinationCode departureAt flightNumber } } "
            "passengersByBookingId(orderBy: [LEAD_DESC, REFERENCE_ASC]){ nodes{ firstName passengerType lead } } } }")


def cmd_graphql(a):
    rng = random.Random(a.seed)
    ids = [line.strip() for line in open(a.ids) if line.strip()]
    query = API_QUERY if a.flavour == "api" else PG_QUERY
    headers = {"Authorization": f"Bearer {a.token}"} if a.token else {}
    reqs = []
    for i in range(a.count):
        ident = ids[i % len(ids)] if a.in_order else rng.choice(ids)
        body = {"query": query, "variables": {"id": ident}}
        reqs.append(raw_request(a.host, "/graphql", body, headers))
    write_records(a.out, reqs)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("ingest")
    i.add_argument("--host", required=True)
    i.add_argument("--run", required=True)
    i.add_argument("--count", type=int, required=True)
    i.add_argument("--files", type=int, default=1)
    i.add_argument("--out", required=True)
    i.add_argument("--spotnana-token", required=True)
    i.add_argument("--seed", type=int, default=1)
    i.add_argument("--dup", type=float, default=0.07)
    g = sub.add_parser("graphql")
    g.add_argument("--host", required=True)
    g.add_argument("--ids", required=True)
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--flavour", choices=["api", "postgraphile"], required=True)
    g.add_argument("--token")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--in-order", action="store_true", help="ids in file order, cycling")
    a = p.parse_args()
    {"ingest": cmd_ingest, "graphql": cmd_graphql}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
