//! Readers for the marketplace's booking fields: the lead passenger, the requested
//! services and the pickup time. Failures go to the [`Reader`].

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::validate::{E164Phone, Reader};

/// The `leadPassenger` object, validated.
#[derive(Default)]
pub(super) struct Lead {
    pub(super) title: Option<String>,
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    pub(super) phone: Option<E164Phone>,
    pub(super) customer_id: Option<String>,
}

/// The lead passenger; a new booking needs names, phone and customer id, an update only
/// carries what changed (the documentation marks every update field optional, so a
/// `leadPassenger` holding only a new phone number is an amendment of that number).
pub(super) fn read_lead(r: &mut Reader<'_>, create: bool) -> Lead {
    match r.get("leadPassenger") {
        Some(Value::Object(_)) => {}
        None if !create => return Lead::default(),
        None => {}
        Some(_) => {
            r.fail("leadPassenger", "must be an object");
            return Lead::default();
        }
    }
    let text = |r: &mut Reader<'_>, path: &str| {
        if create && path != "leadPassenger.title" {
            r.required_string(path)
        } else {
            r.string(path)
        }
    };
    Lead {
        title: text(r, "leadPassenger.title"),
        first_name: text(r, "leadPassenger.firstName"),
        last_name: text(r, "leadPassenger.lastName"),
        phone: r.phone("leadPassenger.phoneNumber", create),
        customer_id: text(r, "leadPassenger.customerId"),
    }
}

/// `services`: name/value objects, kept as such whatever the name (the current
/// reference names `meetAndGreetMessage`, an older one `meetAndGreet`). An empty list
/// counts as not sent, like the empty strings of the partner's cancellation sample.
pub(super) fn read_services(r: &mut Reader<'_>) -> Option<Value> {
    let items = match r.get("services")? {
        Value::Array(items) if items.is_empty() => return None,
        Value::Array(items) => items,
        _ => {
            r.fail(
                "services",
                "must be an array of {\"name\", \"value\"} objects",
            );
            return None;
        }
    };
    let mut services = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !item.is_object() {
            r.fail(
                format!("services.{i}"),
                "must be an object with a name and a value",
            );
            continue;
        }
        let name = r.required_string(&format!("services.{i}.name"));
        let value = r.string(&format!("services.{i}.value"));
        if let Some(name) = name {
            services.push(json!({"name": name, "value": value}));
        }
    }
    Some(Value::Array(services))
}

/// `pickupDateTime`, "the pickup timestamp in UTC (ISO 8601)": an offset is honoured,
/// and a time without one is UTC, as the documentation states (the marketplace writes
/// its other UTC times, e.g. an incident's `pickupDateTimeUTC`, without `Z`).
pub(super) fn read_pickup(r: &mut Reader<'_>) -> Option<DateTime<Utc>> {
    r.timestamp("pickupDateTime", false, Some(chrono_tz::UTC))
}
