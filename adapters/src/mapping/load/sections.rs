//! The sections of a mapping file: `[conditions]`, `[event]`, `[events.*]`,
//! `[booking]`, `[[segments]]`, `[[passengers]]` and `[[check]]`.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::super::spec::*;
use super::{change_word, reply_word, t_span, Loader, Val};
use crate::Reply;

impl Loader<'_> {
    pub(super) fn mapping(&mut self, root: &DeTable<'_>, span: Range<usize>) -> Mapping {
        let e = self.entries(
            root,
            "",
            &[
                "description",
                "form",
                "reply",
                "conditions",
                "event",
                "events",
                "booking",
                "segments",
                "passengers",
                "check",
            ],
        );
        let conditions = e
            .get("conditions")
            .map(|v| self.conditions(v))
            .unwrap_or_default();
        let form = e.get("form").is_some_and(|v| self.boolean(v, "form"));
        let (reply_with_topic, reply_without_topic) = match e.get("reply") {
            None => (Reply::Standard, Reply::Standard),
            Some(v) => self.reply(v),
        };
        let events = match e.get("events") {
            Some(v) => self.events(v),
            None => {
                self.fail(span.start..span.start, "events", "is missing: name at least one event, e.g. [events.booking-created] change = \"create\"");
                BTreeMap::new()
            }
        };
        let event = e
            .get("event")
            .map(|v| self.event(v, &events))
            .unwrap_or_default();
        let booking = match e.get("booking").and_then(|v| self.table(v, "booking")) {
            Some(t) => self.booking(t),
            None => BookingSpec::default(),
        };
        let reference_failed = self
            .problems
            .iter()
            .any(|p| p.contains("key `booking.reference"));
        if !booking.reference.is_set() && !reference_failed {
            let every_event_has_one = events
                .values()
                .all(|ev| ev.change == Change::Ignore || ev.reference.is_set());
            if !every_event_has_one {
                self.fail(
                    span.start..span.start,
                    "booking.reference",
                    "is missing: say where the booking reference is, e.g. reference = \"/bookingId\"",
                );
            }
        }
        let segments = self.blocks(e.get("segments").copied(), "segments", Self::segment);
        let passengers = self.blocks(e.get("passengers").copied(), "passengers", Self::passenger);
        let checks = self.blocks(e.get("check").copied(), "check", Self::check);
        Mapping {
            file: self.file.clone(),
            form,
            reply_with_topic,
            reply_without_topic,
            event,
            events,
            conditions,
            booking,
            segments,
            passengers,
            checks,
        }
    }

    fn blocks<T>(
        &mut self,
        v: Option<&Val<'_>>,
        key: &str,
        read: fn(&mut Self, &DeTable<'_>, &str) -> T,
    ) -> Vec<T> {
        let Some(v) = v else { return Vec::new() };
        let DeValue::Array(items) = v.get_ref() else {
            self.fail(
                v.span(),
                key,
                format!("must be a list of tables: write [[{key}]]"),
            );
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let k = format!("{key}[{i}]");
                let t = self.table(item, &k)?;
                Some(read(self, t, &k))
            })
            .collect()
    }

    fn reply(&mut self, v: &Val<'_>) -> (Reply, Reply) {
        let word = |l: &mut Self, v: &Val<'_>, key: &str| {
            let s = l.string(v, key)?;
            let reply = reply_word(&s);
            if reply.is_none() {
                l.fail(
                    v.span(),
                    key,
                    format!("is {s:?}; expected standard, supplier_booking_id or no_content"),
                );
            }
            reply
        };
        match v.get_ref() {
            DeValue::Table(t) => {
                let e = self.entries(t, "reply", &["with_topic", "without_topic"]);
                let with = e
                    .get("with_topic")
                    .and_then(|v| word(self, v, "reply.with_topic"));
                let without = e
                    .get("without_topic")
                    .and_then(|v| word(self, v, "reply.without_topic"));
                (
                    with.unwrap_or(Reply::Standard),
                    without.unwrap_or(Reply::Standard),
                )
            }
            _ => {
                let reply = word(self, v, "reply").unwrap_or(Reply::Standard);
                (reply, reply)
            }
        }
    }

    fn conditions(&mut self, v: &Val<'_>) -> BTreeMap<String, Condition> {
        let mut out = BTreeMap::new();
        let Some(t) = self.table(v, "conditions") else {
            return out;
        };
        // Names first, so that conditions and fields may name any of them.
        for (name, _) in t {
            self.conditions.push(name.get_ref().to_string());
        }
        for (name, value) in t {
            let key = format!("conditions.{}", name.get_ref());
            let Some(ct) = self.table(value, &key) else {
                continue;
            };
            let e = self.entries(
                ct,
                &key,
                &[
                    "present",
                    "absent",
                    "topic",
                    "key_prefix",
                    "except",
                    "matches",
                    "event",
                ],
            );
            let mut c = Condition::default();
            if let Some(v) = e.get("present") {
                c.present = self.ptrs(v, &format!("{key}.present"));
            }
            if let Some(v) = e.get("absent") {
                c.absent = self.ptrs(v, &format!("{key}.absent"));
            }
            if let Some(v) = e.get("topic") {
                c.topic = Some(self.boolean(v, &format!("{key}.topic")));
            }
            if let Some(v) = e.get("key_prefix") {
                c.key_prefix = self.string(v, &format!("{key}.key_prefix"));
            }
            if let Some(v) = e.get("except") {
                c.except = self
                    .strings(v, &format!("{key}.except"))
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect();
            }
            if let Some(v) = e.get("event") {
                c.event = self
                    .strings(v, &format!("{key}.event"))
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect();
            }
            if let Some(v) = e.get("matches") {
                if let Some(mt) = self.table(v, &format!("{key}.matches")) {
                    for (p, re) in mt {
                        let k = format!("{key}.matches.{}", p.get_ref());
                        let ptr = self.ptr(p.get_ref(), p.span(), &k);
                        let re = self.regex(re, &k);
                        if let (Some(ptr), Some(re)) = (ptr, re) {
                            c.matches.push((ptr, re));
                        }
                    }
                }
            }
            out.insert(name.get_ref().to_string(), c);
        }
        out
    }

    fn events(&mut self, v: &Val<'_>) -> BTreeMap<String, EventDef> {
        let mut out = BTreeMap::new();
        let Some(t) = self.table(v, "events") else {
            return out;
        };
        for (name, value) in t {
            let key = format!("events.{}", name.get_ref());
            let Some(et) = self.table(value, &key) else {
                continue;
            };
            let e = self.entries(
                et,
                &key,
                &[
                    "type",
                    "change",
                    "status",
                    "segment_status",
                    "reference",
                    "replaces_segments",
                    "reason",
                ],
            );
            let change = match e.get("change") {
                Some(v) => {
                    let word = self.string(v, &format!("{key}.change")).unwrap_or_default();
                    change_word(&word).unwrap_or_else(|| {
                        self.fail(
                            v.span(),
                            &format!("{key}.change"),
                            format!("is {word:?}; expected create, update, cancel or ignore"),
                        );
                        Change::Update
                    })
                }
                None => {
                    self.fail(
                        name.span(),
                        &format!("{key}.change"),
                        "is missing: create, update, cancel or ignore",
                    );
                    Change::Update
                }
            };
            let def = EventDef {
                type_name: e
                    .get("type")
                    .and_then(|v| self.string(v, &format!("{key}.type")))
                    .unwrap_or_else(|| name.get_ref().to_string()),
                change,
                status: e
                    .get("status")
                    .map(|v| self.field(v, &format!("{key}.status"), Ty::Status)),
                segment_status: e
                    .get("segment_status")
                    .map(|v| self.field(v, &format!("{key}.segment_status"), Ty::SegmentStatus))
                    .unwrap_or_default(),
                reference: e
                    .get("reference")
                    .map(|v| self.field(v, &format!("{key}.reference"), Ty::Text))
                    .unwrap_or_default(),
                replaces_segments: e
                    .get("replaces_segments")
                    .is_some_and(|v| self.boolean(v, &format!("{key}.replaces_segments"))),
                reason: e
                    .get("reason")
                    .and_then(|v| self.string(v, &format!("{key}.reason"))),
            };
            out.insert(name.get_ref().to_string(), def);
        }
        out
    }

    fn event(&mut self, v: &Val<'_>, events: &BTreeMap<String, EventDef>) -> EventSpec {
        let mut spec = EventSpec::default();
        let Some(t) = self.table(v, "event") else {
            return spec;
        };
        let e = self.entries(
            t,
            "event",
            &["from", "ignore_case", "without_topic", "rules"],
        );
        let known = |l: &mut Self, v: &Val<'_>, key: &str| -> Option<String> {
            let name = l.string(v, key)?;
            let found = events.keys().find(|k| **k == name).cloned();
            if found.is_none() {
                l.fail(
                    v.span(),
                    key,
                    format!("names no event {name:?}: add [events.{name}]"),
                );
            }
            found
        };
        if let Some(v) = e.get("from") {
            spec.from = self.ptrs(v, "event.from").into_iter().next();
        }
        if let Some(v) = e.get("ignore_case") {
            spec.ignore_case = self.boolean(v, "event.ignore_case");
        }
        if let Some(v) = e.get("without_topic") {
            spec.without_topic = known(self, v, "event.without_topic");
        }
        if let Some(v) = e.get("rules") {
            match v.get_ref() {
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let key = format!("event.rules[{i}]");
                        let Some(rt) = self.table(item, &key) else {
                            continue;
                        };
                        let r = self.entries(rt, &key, &["name", "when"]);
                        let name = r
                            .get("name")
                            .and_then(|v| known(self, v, &format!("{key}.name")));
                        let when = r.get("when").map(|v| self.when(v, &format!("{key}.when")));
                        match (name, when) {
                            (Some(name), Some(when)) => spec.rules.push((name, when)),
                            (_, None) => self.fail(item.span(), &key, "needs `name` and `when`"),
                            _ => {}
                        }
                    }
                }
                _ => self.fail(
                    v.span(),
                    "event.rules",
                    "must be a list of { name, when } tables",
                ),
            }
        }
        spec
    }

    fn place(&mut self, v: &Val<'_>, key: &str) -> PlaceSpec {
        let mut p = PlaceSpec::default();
        let Some(t) = self.table(v, key) else {
            return p;
        };
        let e = self.entries(t, key, &["code", "name", "country", "when"]);
        if let Some(v) = e.get("code") {
            p.code = self.field(v, &format!("{key}.code"), Ty::Code);
        }
        if let Some(v) = e.get("name") {
            p.name = self.field(v, &format!("{key}.name"), Ty::Text);
        }
        if let Some(v) = e.get("country") {
            p.country = self.field(v, &format!("{key}.country"), Ty::Text);
        }
        if let Some(v) = e.get("when") {
            p.when = self.when(v, &format!("{key}.when"));
        }
        p
    }

    fn booking(&mut self, t: &DeTable<'_>) -> BookingSpec {
        const KEYS: [&str; 16] = [
            "reference",
            "idempotency_key",
            "occurred_at",
            "booked_at",
            "trip_start",
            "trip_end",
            "origin",
            "destination",
            "adults",
            "children",
            "infants",
            "bag_count",
            "cabin_class",
            "customer",
            "cancel_when_all_segments_cancelled",
            "extras",
        ];
        let e = self.entries(t, "booking", &KEYS);
        let mut b = BookingSpec::default();
        let f = |l: &mut Self, name: &str, ty: Ty| {
            e.get(name)
                .map(|v| l.field(v, &format!("booking.{name}"), ty))
                .unwrap_or_default()
        };
        b.reference = f(self, "reference", Ty::Text);
        b.idempotency_key = f(self, "idempotency_key", Ty::Text);
        b.occurred_at = f(self, "occurred_at", Ty::Time);
        b.booked_at = f(self, "booked_at", Ty::Time);
        b.trip_start = f(self, "trip_start", Ty::Time);
        b.trip_end = f(self, "trip_end", Ty::Time);
        b.adults = f(self, "adults", Ty::Count);
        b.children = f(self, "children", Ty::Count);
        b.infants = f(self, "infants", Ty::Count);
        b.bag_count = f(self, "bag_count", Ty::Count);
        b.cabin_class = f(self, "cabin_class", Ty::Text);
        if let Some(v) = e.get("origin") {
            b.origin = self.place(v, "booking.origin");
        }
        if let Some(v) = e.get("destination") {
            b.destination = self.place(v, "booking.destination");
        }
        if let Some(v) = e.get("customer") {
            if let Some(ct) = self.table(v, "booking.customer") {
                let c = self.entries(
                    ct,
                    "booking.customer",
                    &["id", "first_name", "email", "phone"],
                );
                let g = |l: &mut Self, name: &str, ty: Ty| {
                    c.get(name)
                        .map(|v| l.field(v, &format!("booking.customer.{name}"), ty))
                        .unwrap_or_default()
                };
                b.customer_id = g(self, "id", Ty::Text);
                b.customer_first_name = g(self, "first_name", Ty::Text);
                b.customer_email = g(self, "email", Ty::Email);
                b.customer_phone = g(self, "phone", Ty::Phone);
            }
        }
        if let Some(v) = e.get("cancel_when_all_segments_cancelled") {
            b.cancel_when_all_segments_cancelled =
                self.flag(v, "booking.cancel_when_all_segments_cancelled");
        }
        if let Some(v) = e.get("extras") {
            if let Some(xt) = self.table(v, "booking.extras") {
                for (name, value) in xt {
                    let key = format!("booking.extras.{}", name.get_ref());
                    let extra = self.extra(value, &key);
                    b.extras.push((name.get_ref().to_string(), extra));
                }
            }
        }
        b
    }

    fn extra(&mut self, v: &Val<'_>, key: &str) -> Extra {
        let list = match v.get_ref() {
            DeValue::Table(t) => t.iter().any(|(k, _)| k.get_ref() == "each").then_some(t),
            _ => None,
        };
        let Some(t) = list else {
            return Extra::Text(self.field(v, key, Ty::Text));
        };
        let e = self.entries(t, key, &["each", "fields", "when"]);
        let each = self
            .ptrs(e["each"], &format!("{key}.each"))
            .into_iter()
            .next()
            .unwrap_or(Ptr::Here(String::new()));
        let mut fields = Vec::new();
        match e
            .get("fields")
            .and_then(|v| self.table(v, &format!("{key}.fields")))
        {
            Some(ft) => {
                for (name, value) in ft {
                    let k = format!("{key}.fields.{}", name.get_ref());
                    fields.push((name.get_ref().to_string(), self.field(value, &k, Ty::Text)));
                }
            }
            None => self.fail(t_span(t), key, "needs `fields`: what to keep of each item"),
        }
        let when = e
            .get("when")
            .map(|v| self.when(v, &format!("{key}.when")))
            .unwrap_or_default();
        Extra::List { each, fields, when }
    }

    fn each(&mut self, e: &BTreeMap<String, &Val<'_>>, key: &str) -> (Vec<Ptr>, When) {
        let each = e
            .get("each")
            .map(|v| self.ptrs(v, &format!("{key}.each")))
            .unwrap_or_default();
        let when = e
            .get("when")
            .map(|v| self.when(v, &format!("{key}.when")))
            .unwrap_or_default();
        (each, when)
    }

    fn segment(&mut self, t: &DeTable<'_>, key: &str) -> SegmentSpec {
        let e = self.entries(
            t,
            key,
            &[
                "each",
                "when",
                "always",
                "reference",
                "sequence",
                "kind",
                "status",
                "origin",
                "destination",
                "departure_at",
                "arrival_at",
                "carrier",
                "flight_number",
                "cabin_class",
            ],
        );
        let (each, when) = self.each(&e, key);
        let f = |l: &mut Self, name: &str, ty: Ty| {
            e.get(name)
                .map(|v| l.field(v, &format!("{key}.{name}"), ty))
                .unwrap_or_default()
        };
        let mut s = SegmentSpec {
            each,
            when,
            reference: f(self, "reference", Ty::Text),
            sequence: f(self, "sequence", Ty::Count),
            kind: f(self, "kind", Ty::SegmentKind),
            status: f(self, "status", Ty::SegmentStatus),
            departure_at: f(self, "departure_at", Ty::Time),
            arrival_at: f(self, "arrival_at", Ty::Time),
            carrier: f(self, "carrier", Ty::Text),
            flight_number: f(self, "flight_number", Ty::Flight),
            cabin_class: f(self, "cabin_class", Ty::Text),
            ..SegmentSpec::default()
        };
        if let Some(v) = e.get("always") {
            s.always = self.flag(v, &format!("{key}.always"));
        }
        if let Some(v) = e.get("origin") {
            s.origin = self.place(v, &format!("{key}.origin"));
        }
        if let Some(v) = e.get("destination") {
            s.destination = self.place(v, &format!("{key}.destination"));
        }
        if !s.each.is_empty() && !s.reference.is_set() {
            self.fail(t_span(t), &format!("{key}.reference"), "is missing: segments read from an array need their own reference (the partner's id of each segment)");
        }
        s
    }

    fn passenger(&mut self, t: &DeTable<'_>, key: &str) -> PassengerSpec {
        let e = self.entries(
            t,
            key,
            &[
                "each",
                "when",
                "reference",
                "first_name",
                "last_name",
                "type",
                "lead",
                "email",
                "phone",
            ],
        );
        let (each, when) = self.each(&e, key);
        let f = |l: &mut Self, name: &str, ty: Ty| {
            e.get(name)
                .map(|v| l.field(v, &format!("{key}.{name}"), ty))
                .unwrap_or_default()
        };
        PassengerSpec {
            each,
            when,
            reference: f(self, "reference", Ty::Text),
            first_name: f(self, "first_name", Ty::Text),
            last_name: f(self, "last_name", Ty::Text),
            passenger_type: f(self, "type", Ty::PassengerType),
            lead: f(self, "lead", Ty::Bool),
            email: f(self, "email", Ty::Email),
            phone: f(self, "phone", Ty::Phone),
        }
    }

    fn check(&mut self, t: &DeTable<'_>, key: &str) -> Check {
        let e = self.entries(t, key, &["field", "pattern", "message", "when"]);
        let field = e
            .get("field")
            .and_then(|v| self.ptrs(v, &format!("{key}.field")).into_iter().next());
        let pattern = e
            .get("pattern")
            .and_then(|v| self.regex(v, &format!("{key}.pattern")));
        let message = e
            .get("message")
            .and_then(|v| self.string(v, &format!("{key}.message")));
        let when = e
            .get("when")
            .map(|v| self.when(v, &format!("{key}.when")))
            .unwrap_or_default();
        if field.is_none() || pattern.is_none() {
            self.fail(
                t_span(t),
                key,
                "needs `field` (a JSON Pointer) and `pattern`",
            );
        }
        Check {
            field: field.unwrap_or(Ptr::Here(String::new())),
            pattern: pattern.unwrap_or_else(|| regex::Regex::new("").expect("empty pattern")),
            message: message.unwrap_or_else(|| "does not have the expected form".to_owned()),
            when,
        }
    }
}
