//! The statements behind the processing rules. Nothing here decides anything.

use entity::{booking, event, passenger, segment, EventStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use uuid::Uuid;

use super::{counts::Counts, writes::Writes, EventRow, Receipt};

/// The accepted event archived under (partner, key), if any: refusals hold no key.
/// `except` leaves out one event (the one being replayed).
///
/// On PostgreSQL the accepted keys are `event_key` (one row per key, with the event's
/// received time: migration `m20261203_000002_event_key_received`): a new key costs one
/// primary-key probe there, and a known one a fetch of the event by its whole primary
/// key from the one month that holds it, rather than a probe of every month's index.
pub async fn find_event<C: ConnectionTrait>(
    db: &C,
    partner: &str,
    key: &str,
    except: Option<Uuid>,
) -> Result<Option<(Uuid, EventStatus)>, DbErr> {
    let mut query = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::Status)
        .filter(event::Column::Status.ne(EventStatus::Rejected));
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let filed = db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT event_id, received_at FROM event_key \
                 WHERE partner = $1 AND idempotency_key = $2",
                [partner.into(), key.into()],
            ))
            .await?;
        let Some(filed) = filed else {
            return Ok(None);
        };
        let id: Uuid = filed.try_get("", "event_id")?;
        let received_at: chrono::DateTime<chrono::Utc> = filed.try_get("", "received_at")?;
        if except == Some(id) {
            // The only accepted event under the key is the one being replayed.
            return Ok(None);
        }
        query = query
            .filter(event::Column::Id.eq(id))
            .filter(event::Column::ReceivedAt.eq(received_at));
    } else {
        query = query
            .filter(event::Column::Partner.eq(partner))
            .filter(event::Column::IdempotencyKey.eq(key));
        if let Some(id) = except {
            query = query.filter(event::Column::Id.ne(id));
        }
    }
    query
        .into_tuple::<(Uuid, EventStatus)>()
        .all(db)
        .await
        .map(common::db::first)
}

/// The booking for (partner, reference), if any, locked until the transaction ends on
/// PostgreSQL so that parallel deliveries for one booking take turns (SQLite has a
/// single writer anyway).
pub async fn booking_for_update<C: ConnectionTrait>(
    db: &C,
    partner: &str,
    reference: &str,
) -> Result<Option<booking::Model>, DbErr> {
    // Compared as the unique index compares them, so that it alone can answer.
    let backend = db.get_database_backend();
    let mut query = booking::Entity::find().filter(common::db::key_is(
        backend,
        [
            (booking::Column::Partner, partner),
            (booking::Column::Reference, reference),
        ],
    ));
    if backend == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.all(db).await.map(common::db::first)
}

/// A booking read and locked ahead for a group of deliveries (`None`: not stored yet),
/// with its segments in order, and its passengers where they were asked for.
#[derive(Default)]
pub struct Prefetched {
    pub booking: Option<booking::Model>,
    pub segments: Vec<segment::Model>,
    pub passengers: Option<Vec<passenger::Model>>,
}

/// The stored bookings of several (partner, reference) keys with their segments, in
/// two statements, and the passengers of those whose key says so (`true`) in a third;
/// the bookings locked in key order on PostgreSQL (see [`booking_for_update`]); keyed
/// by (partner, reference).
pub async fn prefetch<C: ConnectionTrait>(
    db: &C,
    keys: &[(&str, &str, bool)],
) -> Result<std::collections::HashMap<(String, String), Prefetched>, DbErr> {
    let backend = db.get_database_backend();
    let mut found = std::collections::HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let mut any = sea_orm::Condition::any();
    for (partner, reference, _) in keys {
        any = any.add(common::db::key_is(
            backend,
            [
                (booking::Column::Partner, *partner),
                (booking::Column::Reference, *reference),
            ],
        ));
    }
    let mut query = booking::Entity::find()
        .filter(any)
        .order_by_asc(booking::Column::Partner)
        .order_by_asc(booking::Column::Reference);
    if backend == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let bookings = query.all(db).await?;
    let ids: Vec<Uuid> = bookings.iter().map(|booking| booking.id).collect();
    let mut segments: std::collections::HashMap<Uuid, Vec<segment::Model>> =
        std::collections::HashMap::new();
    if !ids.is_empty() {
        for row in segment::Entity::find()
            .filter(segment::Column::BookingId.is_in(ids))
            .order_by_asc(segment::Column::BookingId)
            .order_by_asc(segment::Column::Sequence)
            .all(db)
            .await?
        {
            segments.entry(row.booking_id).or_default().push(row);
        }
    }
    let wanted: Vec<Uuid> = bookings
        .iter()
        .filter(|booking| {
            keys.iter().any(|(partner, reference, passengers)| {
                *passengers && booking.partner == *partner && booking.reference == *reference
            })
        })
        .map(|booking| booking.id)
        .collect();
    let mut passengers: std::collections::HashMap<Uuid, Vec<passenger::Model>> =
        wanted.iter().map(|id| (*id, Vec::new())).collect();
    if !wanted.is_empty() {
        for row in passenger::Entity::find()
            .filter(passenger::Column::BookingId.is_in(wanted))
            .all(db)
            .await?
        {
            passengers.entry(row.booking_id).or_default().push(row);
        }
    }
    for booking in bookings {
        let key = (booking.partner.clone(), booking.reference.clone());
        let segments = segments.remove(&booking.id).unwrap_or_default();
        let passengers = passengers.remove(&booking.id);
        found.insert(
            key,
            Prefetched {
                booking: Some(booking),
                segments,
                passengers,
            },
        );
    }
    Ok(found)
}

/// Inserts a new booking; `false` when one with its (partner, reference) appeared
/// meanwhile (the insert then waits for that transaction and does nothing). Where
/// writes are kept (a group on SQLite, under the write lock, where no booking can
/// appear meanwhile) it is a plain insert that is sent later: a conflict then fails the
/// group.
pub async fn insert_booking<C: ConnectionTrait>(
    db: &C,
    writes: &mut Writes,
    model: booking::Model,
) -> Result<bool, DbErr> {
    let insert = booking::Entity::insert(model.into_active_model().reset_all());
    if writes.batching() {
        writes
            .run(db, insert.build(db.get_database_backend()))
            .await?;
        return Ok(true);
    }
    let result = insert
        .on_conflict_do_nothing_on([booking::Column::Partner, booking::Column::Reference])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// Updates a stored booking. Like every update here, one statement: sea-orm's
/// `ActiveModel::update` would read the row back (`RETURNING *` on PostgreSQL, a second
/// `SELECT` on SQLite), and nothing needs it.
pub async fn update_booking<C: ConnectionTrait>(
    db: &C,
    writes: &mut Writes,
    model: booking::Model,
) -> Result<(), DbErr> {
    update(db, writes, model.into_active_model()).await
}

/// Updates one stored row by its primary key, every column.
async fn update<C, A>(db: &C, writes: &mut Writes, active: A) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
{
    let update = A::Entity::update(active.reset_all()).validate()?;
    writes
        .run(db, update.build(db.get_database_backend()))
        .await
}

pub async fn segments<C: ConnectionTrait>(
    db: &C,
    booking_id: Uuid,
) -> Result<Vec<segment::Model>, DbErr> {
    segment::Entity::find()
        .filter(segment::Column::BookingId.eq(booking_id))
        .order_by_asc(segment::Column::Sequence)
        .all(db)
        .await
}

pub async fn passengers<C: ConnectionTrait>(
    db: &C,
    booking_id: Uuid,
) -> Result<Vec<passenger::Model>, DbErr> {
    passenger::Entity::find()
        .filter(passenger::Column::BookingId.eq(booking_id))
        .all(db)
        .await
}

/// Updates the touched stored rows (before index `stored`) one by one and inserts the
/// touched new ones in one statement; for segments and passengers alike.
pub async fn write_rows<C, M, A>(
    db: &C,
    writes: &mut Writes,
    rows: &[M],
    touched: &[usize],
    stored: usize,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    M: Clone + IntoActiveModel<A>,
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut new_rows = Vec::new();
    for &index in touched {
        if index >= stored {
            new_rows.push(rows[index].clone().into_active_model().reset_all());
        } else {
            update(db, writes, rows[index].clone().into_active_model()).await?;
        }
    }
    if !new_rows.is_empty() {
        let insert = A::Entity::insert_many(new_rows).build(db.get_database_backend());
        writes.run(db, insert).await?;
    }
    Ok(())
}

/// The PostgreSQL channel the api listens on for booking changes (`api::live`).
pub const BOOKING_CHANGED: &str = "tripgraph_booking_changed";

/// Announces a change of booking `id` to the api's live updates, inside the delivery's
/// transaction: PostgreSQL delivers a notification when its transaction commits and
/// drops it when it rolls back. On SQLite the api polls the archive instead.
pub async fn announce_change<C: ConnectionTrait>(txn: &C, id: Uuid) -> Result<(), DbErr> {
    announce_changes(txn, &[id]).await
}

/// Announces the changes of several bookings in one statement (see [`announce_change`]).
pub async fn announce_changes<C: ConnectionTrait>(txn: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    if txn.get_database_backend() != DatabaseBackend::Postgres || ids.is_empty() {
        return Ok(());
    }
    let calls: Vec<String> = (0..ids.len())
        .map(|n| format!("pg_notify($1, ${})", n + 2))
        .collect();
    let mut values: Vec<sea_orm::Value> = vec![BOOKING_CHANGED.into()];
    values.extend(ids.iter().map(|id| id.to_string().into()));
    txn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        format!("SELECT {}", calls.join(", ")),
        values,
    ))
    .await?;
    Ok(())
}

/// Which of the (partner, key) pairs an accepted archived event holds already, in one
/// statement: on PostgreSQL from `event_key`, on SQLite from the partial unique index.
pub async fn accepted_keys<C: ConnectionTrait>(
    db: &C,
    keys: &[(&str, &str)],
) -> Result<std::collections::HashSet<(String, String)>, DbErr> {
    if keys.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let backend = db.get_database_backend();
    let values: Vec<sea_orm::Value> = keys
        .iter()
        .flat_map(|(partner, key)| [(*partner).into(), (*key).into()])
        .collect();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            accepted_keys_sql(backend, keys.len()),
            values,
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<String>("", "partner")?,
                row.try_get::<String>("", "idempotency_key")?,
            ))
        })
        .collect()
}

/// The statement of [`accepted_keys`] for `pairs` pairs. On SQLite every term repeats
/// the partial index's condition: only then is each one a search of that index (with
/// the condition outside the `OR`, SQLite walks every event of the partner).
fn accepted_keys_sql(backend: DatabaseBackend, pairs: usize) -> String {
    let term = |n: usize| match backend {
        DatabaseBackend::Postgres => {
            format!(
                "(partner = ${} AND idempotency_key = ${})",
                2 * n + 1,
                2 * n + 2
            )
        }
        _ => "(partner = ? AND idempotency_key = ? AND status <> 'rejected')".to_owned(),
    };
    let table = match backend {
        DatabaseBackend::Postgres => "event_key",
        _ => "event",
    };
    let terms: Vec<String> = (0..pairs).map(term).collect();
    format!(
        "SELECT partner, idempotency_key FROM {table} WHERE {}",
        terms.join(" OR ")
    )
}

/// The new event rows of one transaction: inserted as each is made, or kept for one
/// multi-row insert just before the commit (a group: one statement for all its events).
/// Nothing in a transaction reads the archive after its key lookup, so the later insert
/// changes no decision.
pub struct NewEvents(Option<Vec<event::ActiveModel>>);

impl NewEvents {
    pub fn at_once() -> Self {
        Self(None)
    }

    pub fn kept() -> Self {
        Self(Some(Vec::new()))
    }

    /// Inserts the kept rows (or keeps the insert in `writes`).
    pub async fn insert<C: ConnectionTrait>(
        self,
        db: &C,
        writes: &mut Writes,
    ) -> Result<(), DbErr> {
        match self.0 {
            Some(rows) if !rows.is_empty() => {
                let insert = event::Entity::insert_many(rows).build(db.get_database_backend());
                writes.run(db, insert).await
            }
            _ => Ok(()),
        }
    }
}

/// Writes the event row: a new one (now, or kept in `new_events`), or the replayed one
/// updated in place.
pub async fn write_event<C: ConnectionTrait>(
    db: &C,
    receipt: &Receipt<'_>,
    row: EventRow<'_>,
    counts: &mut Counts,
    new_events: &mut NewEvents,
) -> Result<Uuid, DbErr> {
    let event_type = storable(row.delivery_type, MAX_LABEL_CHARS);
    if let Some(id) = receipt.replay_of {
        let existing = event::Entity::find_by_id(id)
            .all(db)
            .await
            .map(common::db::first)?
            .ok_or_else(|| DbErr::RecordNotFound(format!("event {id}")))?;
        let (partner, received_at) = (existing.partner.clone(), existing.received_at);
        counts.event(
            &partner,
            existing.status,
            &existing.event_type,
            received_at,
            -1,
        );
        counts.event(&partner, row.status, &event_type, received_at, 1);
        let mut active = existing.into_active_model();
        active.status = sea_orm::Set(row.status);
        active.error = sea_orm::Set(row.error.map(|error| storable(&error, MAX_ERROR_CHARS)));
        active.detail = sea_orm::Set(row.detail);
        active.booking_id = sea_orm::Set(row.booking_id);
        active.event_type = sea_orm::Set(event_type);
        active.occurred_at = sea_orm::Set(row.occurred_at);
        event::Entity::update(active)
            .exec_without_returning(db)
            .await?;
        return Ok(id);
    }
    let id = Uuid::now_v7();
    counts.event(
        receipt.partner,
        row.status,
        &event_type,
        receipt.received_at,
        1,
    );
    let model = event::Model {
        id,
        partner: receipt.partner.to_owned(),
        adapter: receipt.adapter.to_owned(),
        event_type,
        topic: receipt.topic.map(|topic| storable(topic, MAX_LABEL_CHARS)),
        idempotency_key: row.key.to_owned(),
        occurred_at: row.occurred_at,
        received_at: receipt.received_at,
        content_type: receipt
            .content_type
            .map(|content_type| storable(content_type, MAX_LABEL_CHARS)),
        raw_body: receipt.raw_body.to_vec(),
        status: row.status,
        error: row.error.map(|error| storable(&error, MAX_ERROR_CHARS)),
        detail: row.detail,
        booking_id: row.booking_id,
    };
    let active = model.into_active_model().reset_all();
    match &mut new_events.0 {
        Some(kept) => kept.push(active),
        None => {
            event::Entity::insert(active)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(id)
}

/// Longest event type, topic or content type archived (they come from the URL, the body
/// or a header: partner input).
const MAX_LABEL_CHARS: usize = 200;

/// Longest error text archived.
const MAX_ERROR_CHARS: usize = 4_000;

/// `text` as the database can store it whatever the partner sent: NUL (which PostgreSQL
/// refuses in text) replaced by U+FFFD, clipped to `max` characters. The raw body keeps
/// the exact bytes.
fn storable(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| {
            if c == '\0' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entity::{booking, passenger, segment, PassengerType, SegmentKind, SegmentStatus};
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    use uuid::Uuid;

    use super::super::{merge, writes::Writes};

    fn segment(booking: &booking::Model, sequence: i32) -> segment::Model {
        let now = Utc::now();
        segment::Model {
            id: Uuid::now_v7(),
            booking_id: booking.id,
            reference: format!("{}-{sequence}", booking.reference),
            sequence,
            kind: SegmentKind::Air,
            status: SegmentStatus::Active,
            origin_code: Some("LHR".into()),
            origin_name: None,
            origin_country: None,
            destination_code: Some("JFK".into()),
            destination_name: None,
            destination_country: None,
            departure_at: None,
            arrival_at: None,
            carrier: None,
            flight_number: None,
            cabin_class: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn passenger(booking: &booking::Model, reference: &str) -> passenger::Model {
        let now = Utc::now();
        passenger::Model {
            id: Uuid::now_v7(),
            booking_id: booking.id,
            reference: reference.to_owned(),
            first_name: Some("Ana".into()),
            last_name: None,
            passenger_type: PassengerType::Adult,
            lead: true,
            email: None,
            phone: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The read ahead of a group (one round trip on SQLite): each booking with its
    /// segments in order, passengers only where asked for, nothing for a new booking.
    #[tokio::test]
    async fn the_group_reads_bookings_with_their_segments_and_asked_for_passengers() {
        let folder = std::env::temp_dir().join(format!("store-ahead-{}", Uuid::new_v4()));
        let url = format!("sqlite://{}/t.db?mode=rwc", folder.display());
        let db = common::db::connect(&url, 1).await.unwrap();
        let mut writes = Writes::at_once();
        let (a, b) = (
            merge::new_booking("p", "A", Utc::now()),
            merge::new_booking("p", "B", Utc::now()),
        );
        for booking in [&a, &b] {
            assert!(super::insert_booking(&db, &mut writes, booking.clone())
                .await
                .unwrap());
        }
        let segments = [segment(&a, 2), segment(&a, 1), segment(&b, 1)];
        super::write_rows(&db, &mut writes, &segments, &[0, 1, 2], 0)
            .await
            .unwrap();
        let passengers = [
            passenger(&a, "P1"),
            passenger(&a, "P2"),
            passenger(&b, "P3"),
        ];
        super::write_rows(&db, &mut writes, &passengers, &[0, 1, 2], 0)
            .await
            .unwrap();

        let keys = [("p", "A", true), ("p", "B", false), ("p", "C", true)];
        let mut ahead = super::prefetch(&db, &keys).await.unwrap();
        assert_eq!(ahead.len(), 2, "no entry for a booking not stored yet");
        let of_a = ahead.remove(&("p".to_owned(), "A".to_owned())).unwrap();
        assert_eq!(of_a.booking.unwrap().id, a.id);
        let sequences: Vec<i32> = of_a.segments.iter().map(|s| s.sequence).collect();
        assert_eq!(sequences, [1, 2]);
        let mut names: Vec<String> = of_a
            .passengers
            .unwrap()
            .into_iter()
            .map(|p| p.reference)
            .collect();
        names.sort();
        assert_eq!(names, ["P1", "P2"]);
        let of_b = ahead.remove(&("p".to_owned(), "B".to_owned())).unwrap();
        assert_eq!(of_b.segments.len(), 1);
        assert!(of_b.passengers.is_none(), "not asked for");
        drop(db);
        std::fs::remove_dir_all(folder).ok();
    }

    #[tokio::test]
    async fn the_group_key_lookup_searches_the_accepted_key_index_on_sqlite() {
        let folder = std::env::temp_dir().join(format!("store-plan-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/t.db?mode=rwc", folder.display());
        let db = common::db::connect(&url, 1).await.unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN {}",
            super::accepted_keys_sql(DatabaseBackend::Sqlite, 3)
        );
        let values: Vec<sea_orm::Value> = (0..6).map(|n| n.to_string().into()).collect();
        let plan = db
            .query_all_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                sql,
                values,
            ))
            .await
            .unwrap();
        let steps: Vec<String> = plan
            .iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .filter(|detail| detail.contains("event"))
            .collect();
        assert_eq!(steps.len(), 3, "{steps:?}");
        for step in &steps {
            assert!(
                step.contains("ux_event_partner_key_accepted (partner=? AND idempotency_key=?)"),
                "{steps:?}"
            );
        }
        drop(db);
        std::fs::remove_dir_all(folder).ok();
    }
}
