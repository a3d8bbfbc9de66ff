//! A checked mapping: what [`super::load`] builds from the file and [`super::eval`]
//! applies. Every pointer, status and condition here is known to be well formed.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use crate::canonical::ChangeKind;
use crate::Reply;

/// A partner format as data.
#[derive(Debug)]
pub struct Mapping {
    /// The file it was read from (messages of `ingest mapping check`).
    pub file: String,
    pub(super) form: bool,
    pub(super) reply_with_topic: Reply,
    pub(super) reply_without_topic: Reply,
    pub(super) event: EventSpec,
    pub(super) events: BTreeMap<String, EventDef>,
    pub(super) conditions: BTreeMap<String, Condition>,
    pub(super) booking: BookingSpec,
    pub(super) segments: Vec<SegmentSpec>,
    pub(super) passengers: Vec<PassengerSpec>,
    pub(super) checks: Vec<Check>,
}

/// Where a value comes from.
#[derive(Debug, Clone)]
pub(super) enum Ptr {
    /// The `{topic}` URL segment.
    Topic,
    /// A JSON Pointer into the current element (the body outside `each`).
    Here(String),
    /// `root:/…`: a JSON Pointer into the whole body, also inside `each`.
    Root(String),
}

/// What a value must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Text,
    Code,
    Phone,
    Email,
    Count,
    Time,
    Flight,
    Status,
    SegmentStatus,
    SegmentKind,
    PassengerType,
    Bool,
}

/// How a local time finds its zone.
#[derive(Debug, Clone, Default)]
pub(super) enum Zone {
    #[default]
    None,
    Named(Tz),
    /// A pointer to an IANA zone id.
    Field(Vec<Ptr>),
    /// Pointers to an IATA airport code.
    Airport(Vec<Ptr>),
}

/// `name` or `!name`.
#[derive(Debug, Clone)]
pub(super) struct CondRef {
    pub name: String,
    pub negate: bool,
}

/// A list of conditions that must all hold; empty always holds.
pub(super) type When = Vec<CondRef>;

/// One way of reading a value.
#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    /// Names for the same value: the first present is used; all present must agree.
    pub from: Vec<Ptr>,
    pub join: Vec<Ptr>,
    pub separator: String,
    pub length_of: Option<Ptr>,
    pub date_time: Option<(Ptr, Ptr)>,
    pub value: Option<Value>,
    pub when: When,
    /// `Some(conditions)`: required when they hold.
    pub required: Option<When>,
    /// Translations, keys in upper case.
    pub values: Vec<(String, String)>,
    pub pattern: Option<Regex>,
    pub minus: Vec<Ptr>,
    pub zone: Zone,
    pub dates: bool,
    pub lenient: bool,
}

/// Sources tried in order; the first that gives a value wins.
#[derive(Debug, Clone, Default)]
pub(super) struct Field {
    pub sources: Vec<Source>,
    pub ty: Option<Ty>,
}

impl Field {
    pub fn is_set(&self) -> bool {
        !self.sources.is_empty()
    }
}

#[derive(Debug, Default)]
pub(super) struct EventSpec {
    pub from: Option<Ptr>,
    pub ignore_case: bool,
    pub without_topic: Option<String>,
    pub rules: Vec<(String, When)>,
}

/// What a `change` word means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Create,
    Update,
    Cancel,
    Ignore,
}

impl Change {
    pub fn kind(self) -> ChangeKind {
        match self {
            Self::Create => ChangeKind::Create,
            _ => ChangeKind::Update,
        }
    }
}

#[derive(Debug)]
pub(super) struct EventDef {
    pub type_name: String,
    pub change: Change,
    pub status: Option<Field>,
    pub segment_status: Field,
    pub reference: Field,
    pub replaces_segments: bool,
    pub reason: Option<String>,
}

impl EventDef {
    /// A `cancel` event without a `status` of its own cancels the whole booking.
    pub fn cancels_the_booking(&self) -> bool {
        self.change == Change::Cancel && self.status.is_none()
    }
}

/// A named condition (`[conditions]`): every key given must hold.
#[derive(Debug, Default)]
pub(super) struct Condition {
    pub present: Vec<Ptr>,
    pub absent: Vec<Ptr>,
    pub topic: Option<bool>,
    pub key_prefix: Option<String>,
    pub except: Vec<String>,
    pub matches: Vec<(Ptr, Regex)>,
    pub event: Vec<String>,
}

#[derive(Debug, Default)]
pub(super) struct PlaceSpec {
    pub code: Field,
    pub name: Field,
    pub country: Field,
    pub when: When,
}

#[derive(Debug, Default)]
pub(super) struct BookingSpec {
    pub reference: Field,
    pub idempotency_key: Field,
    pub occurred_at: Field,
    pub booked_at: Field,
    pub trip_start: Field,
    pub trip_end: Field,
    pub origin: PlaceSpec,
    pub destination: PlaceSpec,
    pub adults: Field,
    pub children: Field,
    pub infants: Field,
    pub bag_count: Field,
    pub cabin_class: Field,
    pub customer_id: Field,
    pub customer_first_name: Field,
    pub customer_email: Field,
    pub customer_phone: Field,
    pub cancel_when_all_segments_cancelled: Option<When>,
    pub extras: Vec<(String, Extra)>,
}

#[derive(Debug)]
pub(super) enum Extra {
    Text(Field),
    /// An array of objects, each item read with its own fields.
    List {
        each: Ptr,
        fields: Vec<(String, Field)>,
        when: When,
    },
}

#[derive(Debug, Default)]
pub(super) struct SegmentSpec {
    /// Arrays to walk, each relative to an element of the one before (nested arrays).
    pub each: Vec<Ptr>,
    pub when: When,
    pub always: Option<When>,
    pub reference: Field,
    pub sequence: Field,
    pub kind: Field,
    pub status: Field,
    pub origin: PlaceSpec,
    pub destination: PlaceSpec,
    pub departure_at: Field,
    pub arrival_at: Field,
    pub carrier: Field,
    pub flight_number: Field,
    pub cabin_class: Field,
}

#[derive(Debug, Default)]
pub(super) struct PassengerSpec {
    pub each: Vec<Ptr>,
    pub when: When,
    pub reference: Field,
    pub first_name: Field,
    pub last_name: Field,
    pub passenger_type: Field,
    pub lead: Field,
    pub email: Field,
    pub phone: Field,
}

/// `[[check]]`: a value that must match a pattern when present.
#[derive(Debug)]
pub(super) struct Check {
    pub field: Ptr,
    pub pattern: Regex,
    pub message: String,
    pub when: When,
}
