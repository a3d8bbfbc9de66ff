//! Bookings, segments, passengers and the event archive, with the constraints that
//! make concurrent processing safe and the indexes behind the analyst filters.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(booking_table()).await?;
        manager.create_table(segment_table()).await?;
        manager.create_table(passenger_table()).await?;
        manager.create_table(event_table()).await?;
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Event::Table.into_iden(),
            Passenger::Table.into_iden(),
            Segment::Table.into_iden(),
            Booking::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

fn booking_table() -> TableCreateStatement {
    Table::create()
        .table(Booking::Table)
        .if_not_exists()
        .col(uuid(Booking::Id).primary_key())
        .col(string(Booking::Partner))
        .col(string(Booking::Reference))
        .col(string_len(Booking::Status, 16))
        .col(boolean(Booking::MarketingAllowed))
        .col(timestamp_with_time_zone_null(Booking::BookedAt))
        .col(timestamp_with_time_zone_null(Booking::TripStart))
        .col(timestamp_with_time_zone_null(Booking::TripEnd))
        .col(string_null(Booking::OriginCode))
        .col(string_null(Booking::OriginName))
        .col(string_null(Booking::OriginCountry))
        .col(string_null(Booking::DestinationCode))
        .col(string_null(Booking::DestinationName))
        .col(string_null(Booking::DestinationCountry))
        .col(json_binary(Booking::Destinations))
        .col(timestamp_with_time_zone_null(Booking::StatedTripStart))
        .col(timestamp_with_time_zone_null(Booking::StatedTripEnd))
        .col(string_null(Booking::StatedOriginCode))
        .col(string_null(Booking::StatedOriginName))
        .col(string_null(Booking::StatedOriginCountry))
        .col(string_null(Booking::StatedDestinationCode))
        .col(string_null(Booking::StatedDestinationName))
        .col(string_null(Booking::StatedDestinationCountry))
        .col(integer_null(Booking::Adults))
        .col(integer_null(Booking::Children))
        .col(integer_null(Booking::Infants))
        .col(integer_null(Booking::BagCount))
        .col(string_null(Booking::CabinClass))
        .col(string_null(Booking::CustomerId))
        .col(string_null(Booking::CustomerFirstName))
        .col(string_null(Booking::CustomerEmail))
        .col(string_null(Booking::CustomerPhone))
        .col(timestamp_with_time_zone_null(Booking::LastSourceAt))
        .col(json_binary(Booking::Extras))
        .col(timestamp_with_time_zone(Booking::CreatedAt))
        .col(timestamp_with_time_zone(Booking::UpdatedAt))
        .to_owned()
}

fn segment_table() -> TableCreateStatement {
    Table::create()
        .table(Segment::Table)
        .if_not_exists()
        .col(uuid(Segment::Id).primary_key())
        .col(uuid(Segment::BookingId))
        .col(string(Segment::Reference))
        .col(integer(Segment::Sequence))
        .col(string_len(Segment::Kind, 16))
        .col(string_len(Segment::Status, 16))
        .col(string_null(Segment::OriginCode))
        .col(string_null(Segment::OriginName))
        .col(string_null(Segment::OriginCountry))
        .col(string_null(Segment::DestinationCode))
        .col(string_null(Segment::DestinationName))
        .col(string_null(Segment::DestinationCountry))
        .col(timestamp_with_time_zone_null(Segment::DepartureAt))
        .col(timestamp_with_time_zone_null(Segment::ArrivalAt))
        .col(string_null(Segment::Carrier))
        .col(string_null(Segment::FlightNumber))
        .col(string_null(Segment::CabinClass))
        .col(timestamp_with_time_zone(Segment::CreatedAt))
        .col(timestamp_with_time_zone(Segment::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .from(Segment::Table, Segment::BookingId)
                .to(Booking::Table, Booking::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn passenger_table() -> TableCreateStatement {
    Table::create()
        .table(Passenger::Table)
        .if_not_exists()
        .col(uuid(Passenger::Id).primary_key())
        .col(uuid(Passenger::BookingId))
        .col(string(Passenger::Reference))
        .col(string_null(Passenger::FirstName))
        .col(string_null(Passenger::LastName))
        .col(string_len(Passenger::PassengerType, 16))
        .col(boolean(Passenger::Lead))
        .col(string_null(Passenger::Email))
        .col(string_null(Passenger::Phone))
        .col(timestamp_with_time_zone(Passenger::CreatedAt))
        .col(timestamp_with_time_zone(Passenger::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .from(Passenger::Table, Passenger::BookingId)
                .to(Booking::Table, Booking::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn event_table() -> TableCreateStatement {
    Table::create()
        .table(Event::Table)
        .if_not_exists()
        .col(uuid(Event::Id).primary_key())
        .col(string(Event::Partner))
        .col(string(Event::Adapter))
        .col(string(Event::EventType))
        .col(string_null(Event::Topic))
        .col(string(Event::IdempotencyKey))
        .col(timestamp_with_time_zone_null(Event::OccurredAt))
        .col(timestamp_with_time_zone(Event::ReceivedAt))
        .col(string_null(Event::ContentType))
        .col(blob(Event::RawBody))
        .col(string_len(Event::Status, 16))
        .col(text_null(Event::Error))
        .col(json_binary_null(Event::Detail))
        .col(uuid_null(Event::BookingId))
        .foreign_key(
            ForeignKey::create()
                .from(Event::Table, Event::BookingId)
                .to(Booking::Table, Booking::Id)
                .on_delete(ForeignKeyAction::SetNull),
        )
        .to_owned()
}

fn indexes() -> Vec<IndexCreateStatement> {
    let unique = |name: &str, table: TableRef, cols: Vec<DynIden>| {
        let mut index = Index::create();
        index.name(name).table(table).unique().if_not_exists();
        for col in cols {
            index.col(col);
        }
        index.to_owned()
    };
    let plain = |name: &str, table: TableRef, cols: Vec<DynIden>| {
        let mut index = Index::create();
        index.name(name).table(table).if_not_exists();
        for col in cols {
            index.col(col);
        }
        index.to_owned()
    };
    vec![
        unique(
            "ux_booking_partner_reference",
            Booking::Table.into_table_ref(),
            vec![Booking::Partner.into_iden(), Booking::Reference.into_iden()],
        ),
        unique(
            "ux_event_partner_idempotency_key",
            Event::Table.into_table_ref(),
            vec![
                Event::Partner.into_iden(),
                Event::IdempotencyKey.into_iden(),
            ],
        ),
        unique(
            "ux_segment_booking_sequence",
            Segment::Table.into_table_ref(),
            vec![
                Segment::BookingId.into_iden(),
                Segment::Sequence.into_iden(),
            ],
        ),
        unique(
            "ux_segment_booking_reference",
            Segment::Table.into_table_ref(),
            vec![
                Segment::BookingId.into_iden(),
                Segment::Reference.into_iden(),
            ],
        ),
        unique(
            "ux_passenger_booking_reference",
            Passenger::Table.into_table_ref(),
            vec![
                Passenger::BookingId.into_iden(),
                Passenger::Reference.into_iden(),
            ],
        ),
        plain(
            "ix_booking_status",
            Booking::Table.into_table_ref(),
            vec![Booking::Status.into_iden()],
        ),
        plain(
            "ix_booking_trip_start",
            Booking::Table.into_table_ref(),
            vec![Booking::TripStart.into_iden()],
        ),
        plain(
            "ix_booking_destination_code",
            Booking::Table.into_table_ref(),
            vec![Booking::DestinationCode.into_iden()],
        ),
        plain(
            "ix_booking_booked_at",
            Booking::Table.into_table_ref(),
            vec![Booking::BookedAt.into_iden()],
        ),
        plain(
            "ix_booking_created_at",
            Booking::Table.into_table_ref(),
            vec![Booking::CreatedAt.into_iden(), Booking::Id.into_iden()],
        ),
        plain(
            "ix_event_received_at",
            Event::Table.into_table_ref(),
            vec![Event::ReceivedAt.into_iden(), Event::Id.into_iden()],
        ),
        plain(
            "ix_event_booking_id",
            Event::Table.into_table_ref(),
            vec![Event::BookingId.into_iden()],
        ),
        plain(
            "ix_event_status",
            Event::Table.into_table_ref(),
            vec![Event::Status.into_iden()],
        ),
    ]
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // column names, fixed by the schema
enum Booking {
    Table,
    Id,
    Partner,
    Reference,
    Status,
    MarketingAllowed,
    BookedAt,
    TripStart,
    TripEnd,
    OriginCode,
    OriginName,
    OriginCountry,
    DestinationCode,
    DestinationName,
    DestinationCountry,
    Destinations,
    StatedTripStart,
    StatedTripEnd,
    StatedOriginCode,
    StatedOriginName,
    StatedOriginCountry,
    StatedDestinationCode,
    StatedDestinationName,
    StatedDestinationCountry,
    Adults,
    Children,
    Infants,
    BagCount,
    CabinClass,
    CustomerId,
    CustomerFirstName,
    CustomerEmail,
    CustomerPhone,
    LastSourceAt,
    Extras,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // column names, fixed by the schema
enum Segment {
    Table,
    Id,
    BookingId,
    Reference,
    Sequence,
    Kind,
    Status,
    OriginCode,
    OriginName,
    OriginCountry,
    DestinationCode,
    DestinationName,
    DestinationCountry,
    DepartureAt,
    ArrivalAt,
    Carrier,
    FlightNumber,
    CabinClass,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // column names, fixed by the schema
enum Passenger {
    Table,
    Id,
    BookingId,
    Reference,
    FirstName,
    LastName,
    PassengerType,
    Lead,
    Email,
    Phone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // column names, fixed by the schema
enum Event {
    Table,
    Id,
    Partner,
    Adapter,
    EventType,
    Topic,
    IdempotencyKey,
    OccurredAt,
    ReceivedAt,
    ContentType,
    RawBody,
    Status,
    Error,
    Detail,
    BookingId,
}
