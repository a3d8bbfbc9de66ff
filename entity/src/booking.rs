//! One trip as a partner knows it: unique per (partner, reference).
//!
//! Two kinds of columns: what the partner *stated* (`stated_*`), and the trip
//! summary derived from the statements and the active segments (`trip_start`,
//! `origin_*`, `destination_*`, `destinations`). The summary is recomputed by
//! ingest on every applied change, so readers never re-derive it.

use sea_orm::entity::prelude::*;

use crate::types::BookingStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "booking")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub partner: String,
    pub reference: String,
    pub status: BookingStatus,
    pub marketing_allowed: bool,
    pub booked_at: Option<DateTimeUtc>,
    /// Trip summary (derived).
    pub trip_start: Option<DateTimeUtc>,
    pub trip_end: Option<DateTimeUtc>,
    pub origin_code: Option<String>,
    pub origin_name: Option<String>,
    pub origin_country: Option<String>,
    pub destination_code: Option<String>,
    pub destination_name: Option<String>,
    pub destination_country: Option<String>,
    /// JSON array of `{code, name, country}`, the active segments' destinations in order.
    pub destinations: Json,
    /// What the partner stated explicitly, kept apart from the summary.
    pub stated_trip_start: Option<DateTimeUtc>,
    pub stated_trip_end: Option<DateTimeUtc>,
    pub stated_origin_code: Option<String>,
    pub stated_origin_name: Option<String>,
    pub stated_origin_country: Option<String>,
    pub stated_destination_code: Option<String>,
    pub stated_destination_name: Option<String>,
    pub stated_destination_country: Option<String>,
    pub adults: Option<i32>,
    pub children: Option<i32>,
    pub infants: Option<i32>,
    pub bag_count: Option<i32>,
    pub cabin_class: Option<String>,
    pub customer_id: Option<String>,
    pub customer_first_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    /// Newest partner source time applied to this booking (the ordering watermark).
    pub last_source_at: Option<DateTimeUtc>,
    /// Partner fields with no column of their own, merged across deliveries.
    pub extras: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::segment::Entity")]
    Segment,
    #[sea_orm(has_many = "super::passenger::Entity")]
    Passenger,
    #[sea_orm(has_many = "super::event::Entity")]
    Event,
}

impl Related<super::segment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segment.def()
    }
}

impl Related<super::passenger::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Passenger.def()
    }
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
