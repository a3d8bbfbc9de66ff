//! The cancellation policy, once. Adapters say what a partner's event or status means
//! with these functions; ingest applies what follows from the stored rows with them.
//!
//! - A cancellation of the whole booking cancels the booking ([`cancel_booking`]).
//! - A cancellation of some segments cancels those segments; the booking follows once
//!   none of its segments is active, where the format says a booking ends with its
//!   segments (Hahn Air legs, a Traxo reservation filed under itself, a mapping's
//!   `cancel_when_all_segments_cancelled`): [`ends_with_its_segments`],
//!   [`cancelled_by_its_segments`].
//! - A cancelled booking is never marketed; only a newer status revives it
//!   ([`marketing_allowed`]).
//! - The words that say "cancelled" in a status field, in both spellings
//!   ([`says_cancelled`]); a partner's own further words stay in its adapter.

use crate::canonical::BookingChange;
use crate::{BookingStatus, SegmentStatus};

/// The change cancels the whole booking.
pub fn cancel_booking(change: &mut BookingChange) {
    change.status = Some(BookingStatus::Cancelled);
}

/// The booking the change is about ends when its last active segment is cancelled.
pub fn ends_with_its_segments(change: &mut BookingChange) {
    change.cancel_when_all_segments_cancelled = true;
}

/// Whether the booking is cancelled now that `change` is applied: it ends with its
/// segments, and every one of the stored `segments` (there is at least one) is cancelled.
pub fn cancelled_by_its_segments(
    change: &BookingChange,
    segments: impl IntoIterator<Item = SegmentStatus>,
) -> bool {
    let mut any = false;
    let all_cancelled = segments.into_iter().all(|status| {
        any = true;
        status == SegmentStatus::Cancelled
    });
    change.cancel_when_all_segments_cancelled && any && all_cancelled
}

/// Whether a booking with `status` may be marketed.
pub fn marketing_allowed(status: BookingStatus) -> bool {
    status != BookingStatus::Cancelled
}

/// Whether a partner's status text says "cancelled" (`CANCELLED`, `canceled`, …).
pub fn says_cancelled(status: &str) -> bool {
    let status = status.trim();
    status.eq_ignore_ascii_case("cancelled") || status.eq_ignore_ascii_case("canceled")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_ending_with_its_segments_is_cancelled_with_the_last_one() {
        let mut change = BookingChange::default();
        let both = [SegmentStatus::Cancelled, SegmentStatus::Cancelled];
        assert!(!cancelled_by_its_segments(&change, both));
        ends_with_its_segments(&mut change);
        assert!(cancelled_by_its_segments(&change, both));
        assert!(!cancelled_by_its_segments(
            &change,
            [SegmentStatus::Cancelled, SegmentStatus::Active]
        ));
        assert!(!cancelled_by_its_segments(&change, []), "no segment yet");
    }

    #[test]
    fn both_spellings_say_cancelled() {
        for word in ["CANCELLED", "canceled", " Cancelled "] {
            assert!(says_cancelled(word), "{word}");
        }
        assert!(!says_cancelled("CANCELLED_BY_VENDOR"));
        assert!(!marketing_allowed(BookingStatus::Cancelled));
        assert!(marketing_allowed(BookingStatus::OnHold));
    }
}
