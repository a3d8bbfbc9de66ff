//! One Traxo segment as a canonical segment: what every mode shares (id, kind, status)
//! and the booking a lone segment belongs to. Each mode's own time and place fields
//! are read in `modes`.
//!
//! The segment's `phone` is the carrier's or hotel's, not the traveller's: it is not
//! contact data and is not kept.

use crate::{SegmentKind, SegmentStatus};

use super::fields::{id_of, present, read_id};
use super::modes;
use crate::cancellation::says_cancelled;
use crate::canonical::SegmentChange;
use crate::validate::Reader;

/// The segment at `prefix`. `mode` is the kind named by a `<mode>_segment.*` event type,
/// used when the segment has no `type`; `removed` (`trip_segment.removed`) cancels it,
/// and so does a segment `status` of Cancelled or Deleted (Traxo sends a deleted
/// segment as `<mode>_segment.updated` with `status: "Deleted"`).
pub(super) fn read(
    reader: &mut Reader<'_>,
    prefix: &str,
    mode: Option<SegmentKind>,
    removed: bool,
) -> SegmentChange {
    let at = |field: &str| format!("{prefix}.{field}");
    let kind = reader
        .string(&at("type"))
        .map(|kind| kind_of(&kind))
        .or(mode);
    let cancelled = reader
        .string(&at("status"))
        .is_some_and(|s| says_cancelled(&s) || s.eq_ignore_ascii_case("deleted"));
    let status = if removed || cancelled {
        SegmentStatus::Cancelled
    } else {
        SegmentStatus::Active
    };
    let mut segment = match kind {
        // Airport rules (IATA codes, airport zones, flight numbers) also apply when the
        // kind is unknown: a segment without `type` in a trip_segment event.
        None | Some(SegmentKind::Air) => modes::air(reader, prefix),
        Some(SegmentKind::Hotel) => modes::hotel(reader, prefix),
        Some(SegmentKind::Car) => modes::car(reader, prefix),
        Some(SegmentKind::Activity) => modes::activity(reader, prefix),
        Some(_) => modes::surface(reader, prefix),
    };
    segment.reference = read_id(reader, &at("id"), true).unwrap_or_default();
    segment.kind = kind;
    segment.status = Some(status);
    segment
}

/// The booking a lone segment (`<mode>_segment.*`) belongs to, and whether that is a
/// Traxo trip. The first field present decides: `trip_id` (or the id of a nested
/// `trip`) files it under its trip; without one it is its own reservation, filed
/// under its `confirmation_no` — so that the segments of one reservation join one
/// booking — else under the segment's own `id`.
pub(super) fn booking_reference(reader: &mut Reader<'_>, prefix: &str) -> (String, bool) {
    for (field, under_trip) in [
        ("trip_id", true),
        ("trip.id", true),
        ("confirmation_no", false),
        ("id", false),
    ] {
        let path = format!("{prefix}.{field}");
        if present(reader, &path) {
            // The segment's own id is read (and its failures reported) as the segment's.
            let reference = if field == "id" {
                reader.get(&path).and_then(|id| id_of(id).ok().flatten())
            } else {
                read_id(reader, &path, false)
            };
            return (reference.unwrap_or_default(), under_trip);
        }
    }
    (String::new(), false)
}

/// Traxo segment `type` → kind; types this product has no kind for are `Other`.
pub(super) fn kind_of(kind: &str) -> SegmentKind {
    match kind.to_ascii_lowercase().as_str() {
        "air" => SegmentKind::Air,
        "hotel" => SegmentKind::Hotel,
        "car" => SegmentKind::Car,
        "rail" => SegmentKind::Rail,
        "cruise" => SegmentKind::Cruise,
        "activity" => SegmentKind::Activity,
        _ => SegmentKind::Other,
    }
}
