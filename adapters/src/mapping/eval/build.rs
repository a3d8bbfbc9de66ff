//! The delivery a mapping describes: the event, then the booking, its segments and
//! passengers.

use serde_json::{json, Map, Value};

use super::super::spec::*;
use super::{present, Ctx, Here, Out};
use crate::cancellation;
use crate::canonical::{
    Action, AdapterError, BookingChange, Customer, Delivery, PassengerChange, Request,
    SegmentChange,
};
use crate::validate::{clip, ServiceNumber};

const ROOT: &str = "";

/// The event a delivery names: `Ok(None)` when the name is missing or unknown (the
/// failure is recorded), `Err` for an unknown URL topic.
fn resolve(ctx: &mut Ctx<'_>) -> Result<Option<String>, AdapterError> {
    let m = ctx.m;
    let here = Here {
        value: ctx.root,
        path: ROOT,
    };
    if let Some((name, _)) = m.event.rules.iter().find(|(_, when)| ctx.holds(when, here)) {
        return Ok(Some(name.clone()));
    }
    if let (Some(name), None) = (&m.event.without_topic, ctx.topic) {
        return Ok(Some(name.clone()));
    }
    let special: Vec<&String> = m
        .event
        .rules
        .iter()
        .map(|(n, _)| n)
        .chain(m.event.without_topic.iter())
        .collect();
    let find = |name: &str| {
        m.events
            .keys()
            .filter(|k| !special.contains(k))
            .find(|k| {
                if m.event.ignore_case {
                    k.eq_ignore_ascii_case(name)
                } else {
                    *k == name
                }
            })
            .cloned()
    };
    let listed = || {
        m.events
            .keys()
            .filter(|k| !special.contains(k))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match m.event.from.as_ref().unwrap_or(&Ptr::Topic) {
        Ptr::Topic => {
            let topic = ctx.topic.unwrap_or_default();
            find(topic)
                .map(Some)
                .ok_or_else(|| AdapterError::UnknownTopic(topic.to_owned()))
        }
        ptr => {
            let field = ctx.name(ptr, here);
            let raw = ctx.lookup(ptr, here);
            match ctx.text(ptr, here, Ty::Text) {
                Some(name) => {
                    let found = find(&name);
                    if found.is_none() {
                        let got = clip(&name);
                        ctx.fail(field, format!("must be one of {} (got {got:?})", listed()));
                    }
                    Ok(found)
                }
                None => {
                    if raw.is_none_or(Value::is_string) {
                        ctx.fail(
                            field,
                            format!("is required and must be one of {}", listed()),
                        );
                    }
                    Ok(None)
                }
            }
        }
    }
}

/// The event type a delivery names, also when it is refused.
pub(in super::super) fn event_type(m: &Mapping, request: Request<'_>) -> Option<String> {
    let mut ctx = Ctx::new(m, &request);
    match resolve(&mut ctx) {
        Ok(Some(name)) => m.events.get(&name).map(|e| e.type_name.clone()),
        Ok(None) => None,
        Err(_) => request.topic.map(str::to_owned),
    }
}

/// `{/pointer}` in an ignore reason, as the body says it (`?` when absent).
fn template(text: &str, body: &Value) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{/") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let pointer = &rest[start + 1..start + len];
        out.push_str(&match present(body.pointer(pointer)) {
            Some(Value::String(s)) => clip(s),
            Some(Value::Number(n)) => n.to_string(),
            _ => "?".to_owned(),
        });
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

pub(in super::super) fn normalize(
    m: &Mapping,
    request: Request<'_>,
) -> Result<Delivery, AdapterError> {
    let mut ctx = Ctx::new(m, &request);
    let name = resolve(&mut ctx)?;
    let event = name.as_ref().and_then(|n| m.events.get(n));
    ctx.event_name = name.clone();
    ctx.event = event;
    let here = Here {
        value: request.body,
        path: ROOT,
    };
    if let Some(ev) = event.filter(|e| e.change == Change::Ignore) {
        let reason = ev
            .reason
            .as_deref()
            .unwrap_or("the mapping ignores this event");
        return Ok(Delivery {
            event_type: ev.type_name.clone(),
            idempotency_key: None,
            occurred_at: None,
            action: Action::Ignore {
                reason: template(reason, request.body),
            },
            detail: None,
        });
    }
    let b = &m.booking;
    let reference_field = match event {
        Some(ev) if ev.reference.is_set() => &ev.reference,
        _ => &b.reference,
    };
    let reference = ctx.text_field(reference_field, here);
    let mut change = BookingChange {
        reference: reference.clone().unwrap_or_default(),
        kind: event.map(|e| e.change.kind()),
        status: match event {
            Some(ev) => match &ev.status {
                Some(f) => match ctx.field(f, here) {
                    Some(Out::Status(s)) => Some(s),
                    _ => None,
                },
                None => None,
            },
            None => None,
        },
        booked_at: ctx.time(&b.booked_at, here),
        trip_start: ctx.time(&b.trip_start, here),
        trip_end: ctx.time(&b.trip_end, here),
        origin: ctx.place(&b.origin, here),
        destination: ctx.place(&b.destination, here),
        adults: ctx.count(&b.adults, here),
        children: ctx.count(&b.children, here),
        infants: ctx.count(&b.infants, here),
        bag_count: ctx.count(&b.bag_count, here),
        cabin_class: ctx.text_field(&b.cabin_class, here),
        replaces_segments: event.is_some_and(|e| e.replaces_segments),
        ..BookingChange::default()
    };
    if event.is_some_and(EventDef::cancels_the_booking) {
        cancellation::cancel_booking(&mut change);
    }
    if b.cancel_when_all_segments_cancelled
        .as_ref()
        .is_some_and(|w| ctx.holds(w, here))
    {
        cancellation::ends_with_its_segments(&mut change);
    }
    let customer = Customer {
        id: ctx.text_field(&b.customer_id, here),
        first_name: ctx.text_field(&b.customer_first_name, here),
        email: ctx.email(&b.customer_email, here),
        phone: ctx.phone(&b.customer_phone, here),
    };
    change.customer = (customer != Customer::default()).then_some(customer);
    change.extras = extras(&mut ctx, here);
    let idempotency_key = ctx.text_field(&b.idempotency_key, here);
    let occurred_at = ctx.time(&b.occurred_at, here);
    for spec in &m.segments {
        segments(&mut ctx, spec, reference.as_deref(), &mut change.segments);
    }
    for spec in &m.passengers {
        passengers(&mut ctx, spec, &mut change.passengers);
    }
    for check in &m.checks {
        if !ctx.holds(&check.when, here) {
            continue;
        }
        let field = ctx.name(&check.field, here);
        if let Some(text) = ctx.text(&check.field, here, Ty::Text) {
            if !check.pattern.is_match(&text) {
                let got = clip(&text);
                ctx.fail(field, format!("{} (got {got:?})", check.message));
            }
        }
    }
    if reference.is_none() {
        let field = reference_field
            .sources
            .iter()
            .flat_map(|s| s.from.iter())
            .find(|p| !matches!(p, Ptr::Topic))
            .map_or("reference".to_owned(), |p| ctx.name(p, here));
        if ctx.errors.is_empty() {
            ctx.fail(field, "is required");
        }
    }
    if !ctx.errors.is_empty() {
        return Err(AdapterError::Invalid(ctx.errors));
    }
    Ok(Delivery {
        event_type: event.map_or_else(String::new, |e| e.type_name.clone()),
        idempotency_key,
        occurred_at,
        action: Action::Apply(change),
        detail: None,
    })
}

fn extras<'a>(ctx: &mut Ctx<'a>, here: Here<'a, '_>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, extra) in &ctx.m.booking.extras {
        let value = match extra {
            Extra::Text(f) => ctx.text_field(f, here).map(Value::String),
            Extra::List { each, fields, when } => {
                if !ctx.holds(when, here) {
                    continue;
                }
                let name = ctx.name(each, here);
                match ctx.lookup(each, here) {
                    None => None,
                    Some(Value::Array(items)) if items.is_empty() => None,
                    Some(Value::Array(items)) => {
                        let mut list = Vec::new();
                        for (i, item) in items.iter().enumerate() {
                            let path = format!("{name}.{i}.");
                            if !item.is_object() {
                                ctx.fail(format!("{name}.{i}"), "must be an object");
                                continue;
                            }
                            let at = Here {
                                value: item,
                                path: &path,
                            };
                            let before = ctx.errors.len();
                            let mut object = Map::new();
                            for (k, f) in fields {
                                let v = ctx.text_field(f, at).map_or(Value::Null, Value::String);
                                object.insert(k.clone(), v);
                            }
                            if ctx.errors.len() == before {
                                list.push(Value::Object(object));
                            }
                        }
                        Some(Value::Array(list))
                    }
                    Some(_) => {
                        ctx.fail(name, "must be an array of objects");
                        None
                    }
                }
            }
        };
        if let Some(value) = value {
            out.insert(key.clone(), value);
        }
    }
    out
}

/// The elements an `each` list walks to, with their dotted paths.
fn elements<'a>(ctx: &mut Ctx<'a>, each: &[Ptr]) -> Vec<(&'a Value, String)> {
    let mut current = vec![(ctx.root, String::new())];
    for ptr in each {
        let mut next = Vec::new();
        for (value, path) in current {
            let here = Here { value, path: &path };
            let name = ctx.name(ptr, here);
            match ctx.lookup(ptr, here) {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        next.push((item, format!("{name}.{i}.")));
                    }
                }
                None => {}
                Some(_) => ctx.fail(name, "must be an array"),
            }
        }
        current = next;
    }
    current
}

fn segments(
    ctx: &mut Ctx<'_>,
    spec: &SegmentSpec,
    booking: Option<&str>,
    out: &mut Vec<SegmentChange>,
) {
    let root = Here {
        value: ctx.root,
        path: ROOT,
    };
    if !ctx.holds(&spec.when, root) {
        return;
    }
    for (position, (value, path)) in elements(ctx, &spec.each).into_iter().enumerate() {
        let here = Here { value, path: &path };
        let flight = ctx.flight(&spec.flight_number, here);
        let own_status = match ctx.field(&spec.status, here) {
            Some(Out::SegmentStatus(s)) => Some(s),
            _ => None,
        };
        let status = own_status.or_else(|| match ctx.event {
            Some(ev) => match ctx.field(&ev.segment_status, here) {
                Some(Out::SegmentStatus(s)) => Some(s),
                _ => None,
            },
            None => None,
        });
        let segment = SegmentChange {
            reference: ctx
                .text_field(&spec.reference, here)
                .or_else(|| {
                    spec.each
                        .is_empty()
                        .then(|| booking.unwrap_or_default().to_owned())
                })
                .unwrap_or_default(),
            sequence: ctx
                .count(&spec.sequence, here)
                .or(i32::try_from(position + 1).ok()),
            kind: match ctx.field(&spec.kind, here) {
                Some(Out::SegmentKind(k)) => Some(k),
                _ => None,
            },
            status,
            origin: ctx.place(&spec.origin, here),
            destination: ctx.place(&spec.destination, here),
            departure_at: ctx.time(&spec.departure_at, here),
            arrival_at: ctx.time(&spec.arrival_at, here),
            carrier: ctx
                .text_field(&spec.carrier, here)
                .or_else(|| flight.as_ref().map(|f| f.carrier().to_owned())),
            flight_number: flight.map(ServiceNumber::from),
            cabin_class: ctx.text_field(&spec.cabin_class, here),
        };
        let says_something = segment.status.is_some()
            || segment.origin.is_some()
            || segment.destination.is_some()
            || segment.departure_at.is_some()
            || segment.arrival_at.is_some()
            || segment.carrier.is_some()
            || segment.flight_number.is_some()
            || segment.cabin_class.is_some();
        let always = spec.always.as_ref().is_some_and(|w| ctx.holds(w, here));
        if always || says_something {
            out.push(segment);
        }
    }
}

fn passengers(ctx: &mut Ctx<'_>, spec: &PassengerSpec, out: &mut Vec<PassengerChange>) {
    let root = Here {
        value: ctx.root,
        path: ROOT,
    };
    if !ctx.holds(&spec.when, root) {
        return;
    }
    for (position, (value, path)) in elements(ctx, &spec.each).into_iter().enumerate() {
        let here = Here { value, path: &path };
        let passenger = PassengerChange {
            reference: ctx.text_field(&spec.reference, here).unwrap_or_else(|| {
                if spec.each.is_empty() {
                    "lead".to_owned()
                } else {
                    (position + 1).to_string()
                }
            }),
            first_name: ctx.text_field(&spec.first_name, here),
            last_name: ctx.text_field(&spec.last_name, here),
            passenger_type: match ctx.field(&spec.passenger_type, here) {
                Some(Out::PassengerType(t)) => Some(t),
                _ => None,
            },
            lead: match ctx.field(&spec.lead, here) {
                Some(Out::Bool(b)) => Some(b),
                _ => None,
            },
            email: ctx.email(&spec.email, here),
            phone: ctx.phone(&spec.phone, here),
        };
        if passenger.first_name.is_some()
            || passenger.last_name.is_some()
            || passenger.email.is_some()
            || passenger.phone.is_some()
        {
            out.push(passenger);
        }
    }
}

/// A delivery as JSON, for `ingest mapping check`.
pub fn delivery_json(d: &Delivery) -> Value {
    let place = |p: &Option<crate::canonical::Place>| serde_json::to_value(p).unwrap_or_default();
    let action = match &d.action {
        Action::Ignore { reason } => json!({"ignore": reason}),
        Action::Apply(c) => json!({"apply": {
            "reference": c.reference,
            "kind": c.kind.map(|k| format!("{k:?}").to_uppercase()),
            "status": c.status,
            "booked_at": c.booked_at,
            "trip_start": c.trip_start,
            "trip_end": c.trip_end,
            "origin": place(&c.origin),
            "destination": place(&c.destination),
            "adults": c.adults, "children": c.children, "infants": c.infants,
            "bag_count": c.bag_count,
            "cabin_class": c.cabin_class,
            "customer": c.customer.as_ref().map(|cu| json!({
                "id": cu.id, "first_name": cu.first_name, "email": cu.email, "phone": cu.phone,
            })),
            "passengers": c.passengers.iter().map(|p| json!({
                "reference": p.reference, "first_name": p.first_name, "last_name": p.last_name,
                "type": p.passenger_type, "lead": p.lead, "email": p.email, "phone": p.phone,
            })).collect::<Vec<_>>(),
            "segments": c.segments.iter().map(|s| json!({
                "reference": s.reference, "sequence": s.sequence, "kind": s.kind,
                "status": s.status, "origin": place(&s.origin),
                "destination": place(&s.destination), "departure_at": s.departure_at,
                "arrival_at": s.arrival_at, "carrier": s.carrier,
                "flight_number": s.flight_number, "cabin_class": s.cabin_class,
            })).collect::<Vec<_>>(),
            "cancel_when_all_segments_cancelled": c.cancel_when_all_segments_cancelled,
            "replaces_segments": c.replaces_segments,
            "extras": c.extras,
        }}),
    };
    json!({
        "event_type": d.event_type,
        "idempotency_key": d.idempotency_key,
        "occurred_at": d.occurred_at,
        "action": action,
    })
}
