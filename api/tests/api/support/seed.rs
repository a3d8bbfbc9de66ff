//! Rows written straight through the entities, standing in for what ingest stores.
//! Ingest keeps the counters of a booking or event it writes: so does every function
//! here that writes one (by rebuilding them, as `ingest recount` does).

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::{
    booking, event, passenger, segment, BookingStatus, EventStatus, PassengerType, SegmentKind,
    SegmentStatus,
};
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

/// 2024-03-01T10:00:00Z, the trip start of the seeded bookings.
pub fn trip_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 10, 0, 0).unwrap()
}

/// A fixed instant plus `seconds`, whole seconds so SQLite and PostgreSQL agree.
pub fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap() + Duration::seconds(seconds)
}

/// A Lisbon trip with customer data, created at `created_at`.
pub fn booking_model(partner: &str, reference: &str, created_at: DateTime<Utc>) -> booking::Model {
    booking::Model {
        id: Uuid::now_v7(),
        partner: partner.to_owned(),
        reference: reference.to_owned(),
        status: BookingStatus::Confirmed,
        marketing_allowed: true,
        booked_at: Some(at(0)),
        trip_start: Some(trip_start()),
        trip_end: Some(trip_start() + Duration::days(3)),
        origin_code: Some("LHR".into()),
        origin_name: Some("London Heathrow".into()),
        origin_country: Some("GB".into()),
        destination_code: Some("LIS".into()),
        destination_name: Some("Lisbon".into()),
        destination_country: Some("PT".into()),
        destinations: json!([{"code": "LIS", "name": "Lisbon", "country": "PT"}]),
        stated_trip_start: None,
        stated_trip_end: None,
        stated_origin_code: None,
        stated_origin_name: None,
        stated_origin_country: None,
        stated_destination_code: None,
        stated_destination_name: None,
        stated_destination_country: None,
        adults: Some(2),
        children: Some(1),
        infants: None,
        bag_count: Some(2),
        cabin_class: Some("economy".into()),
        customer_id: Some("C-1".into()),
        customer_first_name: Some("Ana".into()),
        customer_email: Some("ana@example.com".into()),
        customer_phone: Some("+441632960881".into()),
        last_source_at: None,
        extras: json!({}),
        created_at,
        updated_at: created_at,
    }
}

pub async fn insert_booking(db: &DatabaseConnection, model: booking::Model) -> booking::Model {
    let model = model
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .expect("insert booking");
    recount(db).await;
    model
}

async fn recount(db: &DatabaseConnection) {
    migration::recount(db).await.expect("rebuild the counters");
}

/// A booking with the defaults of [`booking_model`].
pub async fn booking(
    db: &DatabaseConnection,
    partner: &str,
    reference: &str,
    created_at: DateTime<Utc>,
) -> booking::Model {
    insert_booking(db, booking_model(partner, reference, created_at)).await
}

/// An air segment LHR→LIS numbered `sequence`.
pub async fn segment(db: &DatabaseConnection, booking_id: Uuid, sequence: i32) -> segment::Model {
    let model = segment::Model {
        id: Uuid::now_v7(),
        booking_id,
        reference: format!("leg-{sequence}"),
        sequence,
        kind: SegmentKind::Air,
        status: SegmentStatus::Active,
        origin_code: Some("LHR".into()),
        origin_name: None,
        origin_country: Some("GB".into()),
        destination_code: Some("LIS".into()),
        destination_name: Some("Lisbon".into()),
        destination_country: Some("PT".into()),
        departure_at: Some(trip_start()),
        arrival_at: Some(trip_start() + Duration::hours(3)),
        carrier: Some("BA".into()),
        flight_number: Some(format!("BA{}", 100 + sequence)),
        cabin_class: None,
        created_at: at(0),
        updated_at: at(0),
    };
    model
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .expect("insert segment")
}

/// A passenger; `lead` ones are adults called Ana Silva.
pub async fn passenger(
    db: &DatabaseConnection,
    booking_id: Uuid,
    reference: &str,
    lead: bool,
) -> passenger::Model {
    let model = passenger::Model {
        id: Uuid::now_v7(),
        booking_id,
        reference: reference.to_owned(),
        first_name: Some(if lead { "Ana" } else { "Rui" }.into()),
        last_name: Some("Silva".into()),
        passenger_type: if lead {
            PassengerType::Adult
        } else {
            PassengerType::Child
        },
        lead,
        email: lead.then(|| "ana@example.com".to_owned()),
        phone: lead.then(|| "+441632960881".to_owned()),
        created_at: at(0),
        updated_at: at(0),
    };
    model
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .expect("insert passenger")
}

/// An archived delivery with `body` as its raw payload.
pub async fn event(
    db: &DatabaseConnection,
    booking_id: Option<Uuid>,
    received_at: DateTime<Utc>,
    body: &[u8],
) -> event::Model {
    let id = Uuid::now_v7();
    let model = event::Model {
        id,
        partner: "hahn-air".into(),
        adapter: "hahn_air".into(),
        event_type: "booking-create".into(),
        topic: Some("booking-create".into()),
        idempotency_key: id.to_string(),
        occurred_at: Some(received_at),
        received_at,
        content_type: Some("application/json".into()),
        raw_body: body.to_vec(),
        status: EventStatus::Applied,
        error: None,
        detail: None,
        booking_id,
    };
    let model = model
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .expect("insert event");
    recount(db).await;
    model
}

/// A booking with two segments, a lead and a second passenger, and two events.
pub async fn full_booking(
    db: &DatabaseConnection,
    reference: &str,
    created_at: DateTime<Utc>,
) -> booking::Model {
    let booking = booking(db, "hahn-air", reference, created_at).await;
    segment(db, booking.id, 2).await;
    segment(db, booking.id, 1).await;
    passenger(db, booking.id, "child", false).await;
    passenger(db, booking.id, "lead", true).await;
    event(db, Some(booking.id), created_at, br#"{"bookingId":"1"}"#).await;
    event(
        db,
        Some(booking.id),
        created_at + Duration::seconds(5),
        b"not json",
    )
    .await;
    booking
}
