//! The archive: one row per authenticated delivery, whatever became of it.

use sea_orm::entity::prelude::*;

use crate::types::EventStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Registry name of the partner (the URL segment).
    pub partner: String,
    pub adapter: String,
    /// Adapter event type, e.g. `booking-create`, `OrderTicketed`, `PNR_V3/BOOKING_CREATED`.
    pub event_type: String,
    /// URL topic segment the delivery came on, if any.
    pub topic: Option<String>,
    pub idempotency_key: String,
    /// Source time stated by the partner.
    pub occurred_at: Option<DateTimeUtc>,
    pub received_at: DateTimeUtc,
    pub content_type: Option<String>,
    /// The request body exactly as received.
    pub raw_body: Vec<u8>,
    pub status: EventStatus,
    pub error: Option<String>,
    /// Structured detail: failing fields of a rejection, a disruption, …
    pub detail: Option<Json>,
    pub booking_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::booking::Entity",
        from = "Column::BookingId",
        to = "super::booking::Column::Id",
        on_delete = "SetNull"
    )]
    Booking,
}

impl Related<super::booking::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Booking.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
