-- Seeds the product's own tables (as the migrations leave them) with :bookings
-- bookings, two segments and ~1.5 passengers each, and three archived events each
-- (create, update, update or cancel) with raw bodies of ~1 KB. Run by bench/scale/run
-- with psql: `psql -v bookings=1000000 -f seed.sql`. Deterministic (setseed).
--
-- Distributions, chosen to look like a year of a partner network:
--   partners   hahn-air 30 %, spotnana 20 %, traxo 20 %, airgateway 20 %, transfers 10 %
--   status     CONFIRMED 55 %, TICKETED 20 %, CANCELLED 12 %, ON_HOLD 5 %,
--              COMPLETED 5 %, IN_PROGRESS 2 %, DISRUPTED 1 %
--   destination one of 60 airports, skewed (the first few take most trips)
--   booked     uniform over the year before 2026-12-01; trip 1–180 days later, 1–21 days long
--   events     applied 86 %, stale 5 %, ignored 3 %, rejected 4 %, failed 2 %;
--              received within an hour of the booking's time line
-- Non-unique indexes are dropped before loading and rebuilt after (bench/scale/run).

\set ON_ERROR_STOP on
SELECT setseed(0.42) \gset

CREATE TEMP TABLE airports(i int PRIMARY KEY, code text, name text, country text);
INSERT INTO airports
SELECT ordinality - 1, a[1], a[2], a[3]
FROM unnest(ARRAY[
  'LIS,Lisbon,PT','BCN,Barcelona,ES','JFK,New York,US','CDG,Paris,FR','LHR,London,GB',
  'FCO,Rome,IT','AMS,Amsterdam,NL','DXB,Dubai,AE','SIN,Singapore,SG','HND,Tokyo,JP',
  'MAD,Madrid,ES','FRA,Frankfurt,DE','MUC,Munich,DE','ZRH,Zurich,CH','VIE,Vienna,AT',
  'PRG,Prague,CZ','ATH,Athens,GR','IST,Istanbul,TR','CPH,Copenhagen,DK','OSL,Oslo,NO',
  'ARN,Stockholm,SE','HEL,Helsinki,FI','DUB,Dublin,IE','EDI,Edinburgh,GB','MAN,Manchester,GB',
  'BRU,Brussels,BE','GVA,Geneva,CH','NCE,Nice,FR','LYS,Lyon,FR','MXP,Milan,IT',
  'VCE,Venice,IT','NAP,Naples,IT','OPO,Porto,PT','FAO,Faro,PT','PMI,Palma,ES',
  'AGP,Malaga,ES','TFS,Tenerife,ES','LPA,Gran Canaria,ES','KEF,Reykjavik,IS','WAW,Warsaw,PL',
  'KRK,Krakow,PL','BUD,Budapest,HU','OTP,Bucharest,RO','SOF,Sofia,BG','DBV,Dubrovnik,HR',
  'SPU,Split,HR','MLA,Malta,MT','LCA,Larnaca,CY','TLV,Tel Aviv,IL','CAI,Cairo,EG',
  'RAK,Marrakesh,MA','CPT,Cape Town,ZA','BKK,Bangkok,TH','DPS,Bali,ID','SYD,Sydney,AU',
  'LAX,Los Angeles,US','SFO,San Francisco,US','MIA,Miami,US','YYZ,Toronto,CA','GRU,Sao Paulo,BR'
]) WITH ORDINALITY AS t(s, ordinality), LATERAL string_to_array(s, ',') AS a;

-- One row per booking with its drawn attributes; the tables below are filled from it.
CREATE UNLOGGED TABLE seed_plan AS
SELECT
  n,
  gen_random_uuid() AS id,
  CASE WHEN p < 0.3 THEN 'hahn-air' WHEN p < 0.5 THEN 'spotnana' WHEN p < 0.7 THEN 'traxo'
       WHEN p < 0.9 THEN 'airgateway' ELSE 'transfers' END AS partner,
  CASE WHEN s < 0.55 THEN 'CONFIRMED' WHEN s < 0.75 THEN 'TICKETED' WHEN s < 0.87 THEN 'CANCELLED'
       WHEN s < 0.92 THEN 'ON_HOLD' WHEN s < 0.97 THEN 'COMPLETED' WHEN s < 0.99 THEN 'IN_PROGRESS'
       ELSE 'DISRUPTED' END AS status,
  floor(60 * d * d)::int AS dest,
  floor(60 * o)::int AS orig,
  booked,
  booked + (1 + floor(random() * 180)) * interval '1 day' + floor(random() * 86400) * interval '1 second' AS trip_start,
  1 + floor(random() * 21)::int AS trip_days,
  1 + floor(random() * random() * 3)::int AS travellers
FROM (
  SELECT n, random() AS p, random() AS s, random() AS d, random() AS o,
         timestamptz '2025-12-01 00:00:00+00' + random() * interval '365 days' AS booked
  FROM generate_series(1, :bookings) AS n
) drawn;

INSERT INTO booking (id, partner, reference, status, marketing_allowed, booked_at, trip_start, trip_end,
  origin_code, origin_name, origin_country, destination_code, destination_name, destination_country,
  destinations, adults, children, infants, bag_count, cabin_class, customer_id, customer_first_name,
  customer_email, customer_phone, last_source_at, extras, created_at, updated_at)
SELECT p.id, p.partner, 'SC' || lpad(p.n::text, 9, '0'), p.status, p.status <> 'CANCELLED',
  p.booked, p.trip_start, p.trip_start + p.trip_days * interval '1 day',
  o.code, o.name, o.country, d.code, d.name, d.country,
  jsonb_build_array(jsonb_build_object('code', d.code, 'name', d.name, 'country', d.country)),
  p.travellers, 0, 0, p.travellers, 'ECONOMY', 'CUST-' || (p.n % 500000), 'Traveller',
  'traveller' || p.n || '@example.com', '+4420' || lpad((p.n % 100000000)::text, 8, '0'),
  p.booked + interval '2 hours', '{}'::jsonb, p.booked, p.booked + interval '2 hours'
FROM seed_plan p JOIN airports d ON d.i = p.dest JOIN airports o ON o.i = p.orig;

INSERT INTO segment (id, booking_id, reference, sequence, kind, status, origin_code, origin_name,
  origin_country, destination_code, destination_name, destination_country, departure_at, arrival_at,
  carrier, flight_number, cabin_class, created_at, updated_at)
SELECT gen_random_uuid(), p.id, 'SEG-' || leg, leg, 'AIR',
  CASE WHEN p.status = 'CANCELLED' THEN 'CANCELLED' ELSE 'ACTIVE' END,
  CASE WHEN leg = 1 THEN o.code ELSE d.code END, CASE WHEN leg = 1 THEN o.name ELSE d.name END,
  CASE WHEN leg = 1 THEN o.country ELSE d.country END,
  CASE WHEN leg = 1 THEN d.code ELSE o.code END, CASE WHEN leg = 1 THEN d.name ELSE o.name END,
  CASE WHEN leg = 1 THEN d.country ELSE o.country END,
  p.trip_start + (leg - 1) * p.trip_days * interval '1 day',
  p.trip_start + (leg - 1) * p.trip_days * interval '1 day' + interval '3 hours',
  'TP', 'TP' || (100 + (p.n * 7 + leg) % 900), 'ECONOMY', p.booked, p.booked
FROM seed_plan p JOIN airports d ON d.i = p.dest JOIN airports o ON o.i = p.orig,
  generate_series(1, 2) AS leg;

INSERT INTO passenger (id, booking_id, reference, first_name, last_name, passenger_type, lead,
  email, phone, created_at, updated_at)
SELECT gen_random_uuid(), p.id, 'PAX-' || k, 'Traveller', 'Number' || k, 'ADULT', k = 1,
  CASE WHEN k = 1 THEN 'traveller' || p.n || '@example.com' END,
  CASE WHEN k = 1 THEN '+4420' || lpad((p.n % 100000000)::text, 8, '0') END, p.booked, p.booked
FROM seed_plan p, generate_series(1, p.travellers) AS k;

-- The archive is partitioned by month of received time (migration
-- m20261202_000003_archive): the seeded months get their partitions, as a product that
-- ran through those months has them. The accepted idempotency keys (event_key) are
-- filed in bulk after the load, the trigger that files them row by row off meanwhile.
DO $$ DECLARE m timestamp; BEGIN
  FOR m IN SELECT generate_series(
      (SELECT date_trunc('month', min(booked) AT TIME ZONE 'UTC') FROM seed_plan),
      (SELECT date_trunc('month', max(booked) AT TIME ZONE 'UTC') + interval '1 month' FROM seed_plan),
      interval '1 month')
  LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF event FOR VALUES FROM (%L) TO (%L)',
      'event_y' || to_char(m, 'YYYY') || 'm' || to_char(m, 'MM'),
      m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
  END LOOP;
END $$;
ALTER TABLE event DISABLE TRIGGER event_key_sync;

-- Three events per booking. The body is the shape of a Hahn Air update padded with a
-- realistic itinerary blob to ~1 KB (bodies of the real corpus are 0.5–6 KB).
INSERT INTO event (id, partner, adapter, event_type, topic, idempotency_key, occurred_at, received_at,
  content_type, raw_body, status, error, detail, booking_id)
SELECT gen_random_uuid(), p.partner, replace(p.partner, '-', '_'),
  CASE k WHEN 1 THEN 'booking-create' WHEN 2 THEN 'booking-update'
         ELSE CASE WHEN p.status = 'CANCELLED' THEN 'booking-cancel' ELSE 'booking-update' END END,
  NULL, 'seed-' || p.n || '-' || k, t, t + random() * interval '2 seconds', 'application/json',
  convert_to(json_build_object('bookingId', 'SC' || lpad(p.n::text, 9, '0'), 'updatedAt', t,
     'itinerary', repeat('{"leg":"TP' || (100 + p.n % 900) || '","cabin":"ECONOMY","fare":"YLOWEU"},', 12))::text, 'UTF8'),
  CASE WHEN e < 0.86 THEN 'applied' WHEN e < 0.91 THEN 'stale' WHEN e < 0.94 THEN 'ignored'
       WHEN e < 0.98 THEN 'rejected' ELSE 'failed' END,
  CASE WHEN e >= 0.94 AND e < 0.98 THEN 'the payload failed validation: email' END,
  NULL, p.id
FROM seed_plan p, generate_series(1, 3) AS k,
  LATERAL (SELECT p.booked + (k - 1) * interval '1 hour' AS t, random() AS e) AS drawn;

ALTER TABLE event ENABLE TRIGGER event_key_sync;
INSERT INTO event_key (partner, idempotency_key, event_id, received_at)
SELECT partner, idempotency_key, id, received_at FROM event WHERE status <> 'rejected';

DROP TABLE seed_plan;
