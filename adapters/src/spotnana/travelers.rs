//! The people on a PNR, as passengers, traveller counts and the customer.
//!
//! `PnrData` lists them twice: `pnrTravelers[]` (`userId`, `personalInfo.{name, email,
//! phoneNumbers}`; the schema calls it required) and the older `travelers[]`
//! (`userOrgId`, `user.{name, email, phoneNumbers}`). The first non-empty list is read;
//! `travelers[]` also takes the flat `id`, `name`, `email`, `phone` and `type` CONTRACT §4
//! names. A name is `given` and `family1` (CONTRACT: `family`).
//!
//! Only a traveller with a name becomes a passenger (CONTRACT §4: a passenger is created
//! only when the delivery names one); every listed traveller counts towards the adult,
//! child and infant totals. The first named one is the lead and stands as the customer.

use crate::PassengerType;
use serde_json::Value;

use super::fields::{email_lenient, phone_list, phone_object, text};
use super::list_len;
use crate::canonical::{Customer, PassengerChange};
use crate::validate::{E164Phone, Email, Reader};

/// What the travellers of a delivery say about the booking.
#[derive(Debug, Default)]
pub(super) struct People {
    pub passengers: Vec<PassengerChange>,
    pub customer: Option<Customer>,
    pub adults: Option<i32>,
    pub children: Option<i32>,
    pub infants: Option<i32>,
}

/// One listed traveller.
struct Traveler {
    passenger: PassengerChange,
    user_id: Option<String>,
}

impl Traveler {
    fn named(&self) -> bool {
        self.passenger.first_name.is_some() || self.passenger.last_name.is_some()
    }
}

/// Reads the travellers. A delivery that lists none says nothing about them (counts of
/// zero would overwrite what an earlier delivery stated).
pub(super) fn people(reader: &mut Reader<'_>) -> People {
    let listed = [
        ("payload.pnrTravelers", pnr_traveler as Read),
        ("payload.travelers", traveler as Read),
    ]
    .into_iter()
    .find_map(|(path, read)| {
        let len = list_len(reader, path).filter(|len| *len > 0)?;
        Some((0..len).map(|i| read(reader, i)).collect::<Vec<_>>())
    });
    let Some(travelers) = listed else {
        return People::default();
    };
    let count = |wanted: PassengerType| {
        let n = travelers
            .iter()
            .filter(|t| t.passenger.passenger_type == Some(wanted))
            .count();
        Some(i32::try_from(n).unwrap_or(i32::MAX))
    };
    let (adults, children, infants) = (
        count(PassengerType::Adult),
        count(PassengerType::Child),
        count(PassengerType::Infant),
    );
    let mut passengers = Vec::new();
    let mut customer = None;
    for t in travelers.into_iter().filter(Traveler::named) {
        let lead = passengers.is_empty();
        if lead {
            customer = Some(Customer::of(t.user_id.clone(), &t.passenger));
        }
        passengers.push(PassengerChange {
            lead: Some(lead),
            ..t.passenger
        });
    }
    People {
        passengers,
        customer,
        adults,
        children,
        infants,
    }
}

type Read = fn(&mut Reader<'_>, usize) -> Traveler;

/// `pnrTravelers[index]`.
fn pnr_traveler(reader: &mut Reader<'_>, index: usize) -> Traveler {
    let base = format!("payload.pnrTravelers.{index}");
    if reader.get(&base).is_some_and(|t| !t.is_object()) {
        reader.fail(&base, "must be an object");
    }
    let info = format!("{base}.personalInfo");
    let user_id = reader.string(&format!("{base}.userId.id"));
    let (first_name, last_name) = name(
        reader,
        &[&format!("{info}.name"), &format!("{info}.travelerName")],
    );
    build(
        reader,
        index,
        user_id,
        (first_name, last_name),
        email_lenient(reader, &format!("{info}.email")),
        phone_list(reader, &format!("{info}.phoneNumbers")),
        None,
    )
}

/// `travelers[index]`: Spotnana's `Traveler` (`user.*`) or CONTRACT's flat fields.
fn traveler(reader: &mut Reader<'_>, index: usize) -> Traveler {
    let base = format!("payload.travelers.{index}");
    if reader.get(&base).is_some_and(|t| !t.is_object()) {
        reader.fail(&base, "must be an object");
    }
    let at = |field: &str| format!("{base}.{field}");
    let user_id = ["userOrgId.userId.id", "userId.id", "id"]
        .iter()
        .find_map(|field| reader.string(&at(field)));
    let names = name(reader, &[&at("user.name"), &at("name")]);
    // CONTRACT's flat `email` and `phone` are validated; Spotnana's objects are optional.
    let email = match reader.get(&at("email")) {
        Some(Value::Object(_)) => email_lenient(reader, &at("email")),
        Some(_) => reader.email(&at("email"), false),
        None => email_lenient(reader, &at("user.email")),
    };
    let phone = match reader.get(&at("phone")) {
        Some(Value::Object(_)) => phone_object(reader, &at("phone")),
        Some(_) => reader.parsed(&at("phone"), false, E164Phone::parse_formatted),
        None => phone_list(reader, &at("phoneNumbers"))
            .or_else(|| phone_list(reader, &at("user.phoneNumbers"))),
    };
    let kind = ["type", "passengerType"]
        .iter()
        .find_map(|field| text(reader, &at(field)));
    build(reader, index, user_id, names, email, phone, kind)
}

/// Given and family name from the first of `paths` (a `Name` object) that has either.
fn name(reader: &mut Reader<'_>, paths: &[&str]) -> (Option<String>, Option<String>) {
    for path in paths {
        let given = reader.string(&format!("{path}.given"));
        let family = reader
            .string(&format!("{path}.family1"))
            .or_else(|| reader.string(&format!("{path}.family")));
        if given.is_some() || family.is_some() {
            return (given, family);
        }
    }
    (None, None)
}

fn build(
    reader: &Reader<'_>,
    index: usize,
    user_id: Option<String>,
    (first_name, last_name): (Option<String>, Option<String>),
    email: Option<Email>,
    phone: Option<E164Phone>,
    kind: Option<String>,
) -> Traveler {
    let kind = kind.or_else(|| pax_type(reader, index));
    Traveler {
        passenger: PassengerChange {
            reference: user_id
                .clone()
                .unwrap_or_else(|| format!("traveler-{index}")),
            first_name,
            last_name,
            passenger_type: Some(passenger_type(kind.as_deref())),
            lead: None,
            email,
            phone,
        },
        user_id,
    }
}

/// The traveller's type from the bookings that list it per traveller index:
/// `airPnr.travelerInfos[].paxType` (by `travelerIdx`) or `railPnr.passengerInfos[]`.
fn pax_type(reader: &Reader<'_>, index: usize) -> Option<String> {
    let infos = reader
        .get("payload.airPnr.travelerInfos")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    (0..infos)
        .map(|i| format!("payload.airPnr.travelerInfos.{i}"))
        .find(|info| {
            reader
                .get(&format!("{info}.travelerIdx"))
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                == Some(index)
        })
        .and_then(|info| text(reader, &format!("{info}.paxType")))
        .or_else(|| {
            text(
                reader,
                &format!("payload.railPnr.passengerInfos.{index}.passengerType"),
            )
        })
}

/// Spotnana's `PassengerType` (and the GDS codes CHD/CNN/INF): infants (also on lap),
/// children, and adults for the rest (youth, teen and senior fares are adults).
fn passenger_type(kind: Option<&str>) -> PassengerType {
    match kind.map(str::to_ascii_uppercase).as_deref() {
        Some(k) if k.starts_with("INF") => PassengerType::Infant,
        Some(k) if k.starts_with("CHILD") || k == "CHD" || k == "CNN" => PassengerType::Child,
        _ => PassengerType::Adult,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(body: &Value) -> People {
        let mut reader = Reader::new(body);
        let people = people(&mut reader);
        reader.finish().expect("valid");
        people
    }

    #[test]
    fn pnr_travelers_give_names_contact_and_type_from_the_air_booking() {
        let body = json!({"payload": {
            "pnrTravelers": [{"userId": {"id": "u1"}, "personalInfo": {
                "name": {"given": "Grace", "family1": "Okafor", "family2": "Eze"},
                "email": "grace@example.com",
                "phoneNumbers": [{"countryCode": 1, "nationalNumber": 6465550182_u64}]}},
                {"userId": {"id": "u2"}, "personalInfo": {"name": {"given": "Ada", "family1": "Okafor"}}}],
            "travelers": [{"user": {"name": {"given": "Not", "family1": "Used"}}}],
            "airPnr": {"travelerInfos": [{"travelerIdx": 1, "paxType": "CHILD"}, {"travelerIdx": 0, "paxType": "ADULT"}]}}});
        let people = read(&body);
        assert_eq!(
            people.passengers,
            vec![
                PassengerChange {
                    reference: "u1".into(),
                    first_name: Some("Grace".into()),
                    last_name: Some("Okafor".into()),
                    passenger_type: Some(PassengerType::Adult),
                    lead: Some(true),
                    email: Some("grace@example.com".into()),
                    phone: Some("+16465550182".into()),
                },
                PassengerChange {
                    reference: "u2".into(),
                    first_name: Some("Ada".into()),
                    last_name: Some("Okafor".into()),
                    passenger_type: Some(PassengerType::Child),
                    lead: Some(false),
                    email: None,
                    phone: None,
                },
            ]
        );
        assert_eq!(
            people.customer,
            Some(Customer {
                id: Some("u1".into()),
                first_name: Some("Grace".into()),
                email: Some("grace@example.com".into()),
                phone: Some("+16465550182".into()),
            })
        );
        assert_eq!(
            (people.adults, people.children, people.infants),
            (Some(1), Some(1), Some(0))
        );
    }

    #[test]
    fn travelers_user_names_are_read_and_unusable_optional_contact_is_dropped() {
        let body = json!({"payload": {"travelers": [{"user": {
            "name": {"given": "Mateo", "family1": "Fernández"},
            "email": "not an address",
            "phoneNumbers": [{"countryCode": 91, "nationalNumber": 8150, "rawInput": "77777"}]}}]}});
        let people = read(&body);
        let mateo = &people.passengers[0];
        assert_eq!(mateo.reference, "traveler-0");
        assert_eq!(
            (mateo.first_name.as_deref(), mateo.last_name.as_deref()),
            (Some("Mateo"), Some("Fernández"))
        );
        assert_eq!((mateo.email.clone(), mateo.phone.clone()), (None, None));
    }

    #[test]
    fn a_traveler_without_a_name_is_counted_but_is_no_passenger() {
        let body = json!({"payload": {"pnrTravelers": [
            {"userId": {"id": "u0"}, "personalInfo": {"email": "someone@example.com"}},
            {"userId": {"id": "u1"}, "personalInfo": {"name": {"family1": "Lopez"}}}]}});
        let people = read(&body);
        assert_eq!(people.passengers.len(), 1);
        assert_eq!(people.passengers[0].reference, "u1");
        assert_eq!(
            people.passengers[0].lead,
            Some(true),
            "the first named leads"
        );
        assert_eq!(people.customer.and_then(|c| c.id).as_deref(), Some("u1"));
        assert_eq!(people.adults, Some(2));

        let nobody = read(&json!({"payload": {"travelers": [{"user": {}}, {}]}}));
        assert!(nobody.passengers.is_empty());
        assert_eq!(nobody.customer, None);
        assert_eq!(nobody.adults, Some(2));
    }

    #[test]
    fn no_list_says_nothing() {
        let people = read(&json!({"payload": {"pnrTravelers": [], "travelers": []}}));
        assert!(people.passengers.is_empty());
        assert_eq!((people.adults, people.customer), (None, None));
    }
}
