//! One leg of a trip: a flight, a hotel stay, a transfer… unique per (booking, sequence)
//! and per (booking, reference), `reference` being the partner's own key for it.

use sea_orm::entity::prelude::*;

use crate::types::{SegmentKind, SegmentStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "segment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub booking_id: Uuid,
    pub reference: String,
    pub sequence: i32,
    pub kind: SegmentKind,
    pub status: SegmentStatus,
    pub origin_code: Option<String>,
    pub origin_name: Option<String>,
    pub origin_country: Option<String>,
    pub destination_code: Option<String>,
    pub destination_name: Option<String>,
    pub destination_country: Option<String>,
    pub departure_at: Option<DateTimeUtc>,
    pub arrival_at: Option<DateTimeUtc>,
    pub carrier: Option<String>,
    pub flight_number: Option<String>,
    pub cabin_class: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::booking::Entity",
        from = "Column::BookingId",
        to = "super::booking::Column::Id",
        on_delete = "Cascade"
    )]
    Booking,
}

impl Related<super::booking::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Booking.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
