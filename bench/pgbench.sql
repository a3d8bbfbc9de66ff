-- pgbench transaction equivalent to one ingest delivery (bench/run, CONTRACT §7):
-- the writes a delivery makes, hand-written as plain SQL in one transaction —
-- the booking upserted (all columns), its segments and passengers upserted on their
-- unique keys, and the raw event archived (a ~1 KB body, like the deliveries'
-- mean). Row counts per transaction follow what the generated mix writes per
-- delivery (measured with pg_stat_user_tables, shown in BENCHMARKS.md): one
-- segment, and a passenger in 60 % of the transactions. The counters behind the
-- analysts' counts move as ingest moves them, in one upsert per delivery: the two
-- event counters always, with the five booking counters of a booking with a
-- destination (ten for a status or
-- destination move) in the ~70 % of deliveries that create a booking or move its
-- status, destination or dates (the mix's creates, cancellations, ticketings and leg
-- changes; updates of other fields move none). Statements: BEGIN, 4 or 5
-- upserts/inserts, END (6.6 on average). On the partitioned archive the event insert
-- also files its idempotency key in event_key (the trigger of migration
-- m20261202_000003_archive, as for ingest's own inserts). Run with:
--   pgbench -n -M prepared -c C -j 2 -T D -f bench/pgbench.sql <db migrated by ingest>
\set ref random(1, 2000000000)
\set pax random(1, 100)
\set moved random(1, 100)
BEGIN;
INSERT INTO booking (id, partner, reference, status, marketing_allowed, booked_at, trip_start, trip_end,
    origin_code, origin_name, origin_country, destination_code, destination_name, destination_country,
    destinations, stated_trip_start, stated_trip_end, adults, children, infants, bag_count, cabin_class,
    customer_id, customer_first_name, customer_email, customer_phone, last_source_at, extras, created_at, updated_at)
  VALUES (gen_random_uuid(), 'pgbench', 'PGB-' || :client_id || '-' || :ref, 'CONFIRMED', true,
    now() - interval '5 minutes', now() + interval '30 days', now() + interval '37 days',
    'MAD', 'Madrid', 'ES', 'LHR', 'London', 'GB',
    '[{"code":"LHR","name":"London","country":"GB"},{"code":"MAD","name":"Madrid","country":"ES"}]',
    NULL, NULL, 2, 1, 0, NULL, 'Economy', NULL, 'Ana', 'ana.garcia@example.com', '+34612345678', now(), '{}', now(), now())
  ON CONFLICT (partner, reference) DO UPDATE SET status = EXCLUDED.status, marketing_allowed = EXCLUDED.marketing_allowed,
    booked_at = EXCLUDED.booked_at, trip_start = EXCLUDED.trip_start, trip_end = EXCLUDED.trip_end,
    origin_code = EXCLUDED.origin_code, origin_name = EXCLUDED.origin_name, origin_country = EXCLUDED.origin_country,
    destination_code = EXCLUDED.destination_code, destination_name = EXCLUDED.destination_name,
    destination_country = EXCLUDED.destination_country, destinations = EXCLUDED.destinations,
    adults = EXCLUDED.adults, children = EXCLUDED.children, infants = EXCLUDED.infants,
    cabin_class = EXCLUDED.cabin_class, customer_first_name = EXCLUDED.customer_first_name,
    customer_email = EXCLUDED.customer_email, customer_phone = EXCLUDED.customer_phone,
    last_source_at = EXCLUDED.last_source_at, updated_at = EXCLUDED.updated_at
  RETURNING id AS booking_id \gset
INSERT INTO segment (id, booking_id, reference, sequence, kind, status, origin_code, origin_name, origin_country,
    destination_code, destination_name, destination_country, departure_at, arrival_at, carrier, flight_number,
    cabin_class, created_at, updated_at)
  VALUES (gen_random_uuid(), :booking_id::uuid, 'MAD-LHR#1', 1, 'AIR', 'ACTIVE', 'MAD', 'Madrid', 'ES', 'LHR', 'London', 'GB',
    now() + interval '30 days', now() + interval '30 days 2 hours', 'IB', 'IB3166', 'Economy', now(), now())
  ON CONFLICT (booking_id, reference) DO UPDATE SET status = EXCLUDED.status, departure_at = EXCLUDED.departure_at,
    arrival_at = EXCLUDED.arrival_at, flight_number = EXCLUDED.flight_number, updated_at = EXCLUDED.updated_at;
\if :pax <= 60
INSERT INTO passenger (id, booking_id, reference, first_name, last_name, passenger_type, lead, email, phone,
    created_at, updated_at)
  VALUES (gen_random_uuid(), :booking_id::uuid, 'lead', 'Ana', 'Garcia Lopez', 'ADULT', true, 'ana.garcia@example.com',
    '+34612345678', now(), now())
  ON CONFLICT (booking_id, reference) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
    email = EXCLUDED.email, phone = EXCLUDED.phone, updated_at = EXCLUDED.updated_at;
\endif
INSERT INTO event (id, partner, adapter, event_type, topic, idempotency_key, occurred_at, received_at, content_type,
    raw_body, status, error, detail, booking_id)
  VALUES (gen_random_uuid(), 'pgbench', 'airgateway', 'OrderCreated', NULL, md5(:client_id || '-' || :ref || '-' || random()),
    now() - interval '1 second', now(), 'application/json',
    convert_to('{"event":"OrderCreated","agwID":"AGW-PGBENCH","orderID":"IB-PGBENCH","pnr":"7XQ2LM","bookingType":"Round Trip","origin":"MAD","destination":"LHR","fullPath":"MAD-LHR, LHR-MAD","adultsPax":2,"childrenPax":1,"infantsPax":0,"orderStatus":"confirmed","totalAmount":612.4,"createdOn":"2026-03-14T09:21:05Z","updatedOn":"2026-03-14T09:21:05Z","sessionId":"b4f0c0de-5a1e-4c8e-9f7d-3f6a2c1e9b10","agentEmail":"marta.ruiz@viajessol.example","consumerEmail":"bookings@acme-corp.example","psgPhone":"+34 612 345 678","psgEmail":"ana.garcia@example.com","consumerIataCode":"78212345","consumerCountryCode":"ES","consumer":"Ana Garcia Lopez","provider":"IB","agent":"Marta Ruiz","agency":"Viajes Sol","notes":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}', 'UTF8'), 'applied', NULL, NULL, :booking_id::uuid);
\if :moved <= 70
INSERT INTO tally (dimension, partner, status, value, name, country, slot, n)
  VALUES ('booked', 'pgbench', 'CONFIRMED', to_char((now() - interval '5 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '', '', pg_backend_pid() % 8, 1),
    ('booked_dest', 'pgbench', 'CONFIRMED', to_char((now() - interval '5 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'LHR', '', pg_backend_pid() % 8, 1),
    ('destination', 'pgbench', 'CONFIRMED', 'LHR', 'London', 'GB', pg_backend_pid() % 8, 1),
    ('received', 'pgbench', 'applied', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '', '', pg_backend_pid() % 8, 1),
    ('trip_dest', 'pgbench', 'CONFIRMED', to_char((now() + interval '30 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'LHR', '', pg_backend_pid() % 8, 1),
    ('trip_start', 'pgbench', 'CONFIRMED', to_char((now() + interval '30 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '', '', pg_backend_pid() % 8, 1),
    ('type', 'pgbench', 'applied', 'OrderCreated', '', '', pg_backend_pid() % 8, 1)
  ON CONFLICT (dimension, partner, status, value, name, country, slot) DO UPDATE SET n = tally.n + excluded.n;
\else
INSERT INTO tally (dimension, partner, status, value, name, country, slot, n)
  VALUES ('received', 'pgbench', 'applied', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '', '', pg_backend_pid() % 8, 1),
    ('type', 'pgbench', 'applied', 'OrderCreated', '', '', pg_backend_pid() % 8, 1)
  ON CONFLICT (dimension, partner, status, value, name, country, slot) DO UPDATE SET n = tally.n + excluded.n;
\endif
END;
