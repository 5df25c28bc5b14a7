//! A validated person's details as lines to show, in the register's order: the label's field,
//! and a value that is either text as recorded or a choice for the screen to translate. The
//! supervisor's packet view used to print the packet's JSON keys in alphabetical order
//! (`citizenship.kind kenyan_by_birth`, `residence.ward KEW-1312`).

use super::admin_units::AdminUnits;
use super::countries;
use super::person::{Citizenship, DateOfBirth, Field, GuardianRef, Person, Residence, Sex};

/// One line's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Shown as it is (names, document numbers, a formatted phone number, place names).
    Text(String),
    /// A message key for the screen to translate (sex, citizenship).
    Key(&'static str),
    /// A year of birth only: the screen says it is an estimate.
    YearOnly(i32),
}

/// The person's details in the register's order; empty fields are left out.
pub fn lines(person: &Person, units: &AdminUnits) -> Vec<(Field, Value)> {
    let mut out = Vec::new();
    let text = |s: &str| Value::Text(s.to_string());
    out.push((Field::Surname, text(&person.surname)));
    if !person.single_name {
        out.push((Field::FirstName, text(&person.first_name)));
        if let Some(o) = &person.other_names {
            out.push((Field::OtherNames, text(o)));
        }
    }
    let sex = match person.sex {
        Sex::Male => "sex-male",
        Sex::Female => "sex-female",
        Sex::Intersex => "sex-intersex",
    };
    out.push((Field::Sex, Value::Key(sex)));
    out.push((
        Field::DateOfBirth,
        match person.date_of_birth {
            DateOfBirth::Exact(d) => Value::Text(d.format("%Y-%m-%d").to_string()),
            DateOfBirth::EstimatedYear(y) => Value::YearOnly(y),
        },
    ));
    match &person.citizenship {
        Citizenship::KenyanByBirth => out.push((Field::Citizenship, Value::Key("citizenship-birth"))),
        Citizenship::KenyanByRegistration => out.push((Field::Citizenship, Value::Key("citizenship-registration"))),
        Citizenship::ForeignResident { nationality } => {
            out.push((Field::Citizenship, Value::Key("citizenship-foreign")));
            out.push((Field::Nationality, Value::Text(country_name(nationality))));
        }
    }
    let d = &person.documents;
    for (field, value) in [
        (Field::NationalId, &d.national_id),
        (Field::AlienId, &d.alien_id),
        (Field::BirthCertificate, &d.birth_certificate),
        (Field::Passport, &d.passport),
        (Field::KraPin, &d.kra_pin),
        (Field::Nhif, &d.nhif),
        (Field::Nssf, &d.nssf),
    ] {
        if let Some(v) = value {
            out.push((field, text(v)));
        }
    }
    if let Some(phone) = &person.phone {
        out.push((Field::Phone, Value::Text(phone_for_reading(phone))));
    }
    match &person.residence {
        Residence::Kenya { county, sub_county, ward } => {
            let county_name = units.county(county).map_or_else(|| county.clone(), |c| c.name.clone());
            let sub_name = units.area(sub_county).map_or_else(|| sub_county.clone(), |a| a.name.clone());
            let ward_name = units.ward(ward).map_or_else(|| ward.clone(), |w| w.name.clone());
            out.push((Field::County, Value::Text(county_name)));
            out.push((Field::SubCounty, Value::Text(sub_name)));
            out.push((Field::Ward, Value::Text(ward_name)));
        }
        Residence::Abroad { country } => out.push((Field::CountryOfResidence, Value::Text(country_name(country)))),
    }
    if let Some(g) = &person.guardian {
        let id = match &g.id {
            GuardianRef::NationalId(v) | GuardianRef::Rid(v) => v.clone(),
        };
        out.push((Field::GuardianId, Value::Text(id)));
        if let Some(name) = &g.name {
            out.push((Field::GuardianName, text(name)));
        }
    }
    out
}

/// "Kenya (KE)" for a code the table knows, the code itself otherwise.
fn country_name(code: &str) -> String {
    countries::find(code).map_or_else(|| code.to_string(), |c| format!("{} ({})", c.name, c.alpha2))
}

/// A Kenyan E.164 number grouped to be read out, "+254 712 345 678"; any other number as it
/// is stored (grouping it right needs each country's plan, which the kit does not carry).
pub fn phone_for_reading(e164: &str) -> String {
    match e164.strip_prefix("+254") {
        Some(rest) if rest.len() == 9 && rest.chars().all(|c| c.is_ascii_digit()) => {
            format!("+254 {} {} {}", &rest[0..3], &rest[3..6], &rest[6..9])
        }
        _ => e164.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::person::PersonForm;

    fn person(f: impl FnOnce(&mut PersonForm)) -> Person {
        let mut form = PersonForm {
            surname: "Otieno".into(),
            first_name: "Akinyi".into(),
            sex: "female".into(),
            date_of_birth: "1990-03-14".into(),
            citizenship: "birth".into(),
            national_id: "23456789".into(),
            phone: "0712 345 678".into(),
            county: "047".into(),
            sub_county: "KE047274".into(),
            ward: "KEW-1366".into(),
            ..Default::default()
        };
        f(&mut form);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        form.validate(today, AdminUnits::bundled()).expect("valid")
    }

    #[test]
    fn details_read_in_the_registers_order_with_names_not_codes() {
        let lines = lines(&person(|_| {}), AdminUnits::bundled());
        let fields: Vec<Field> = lines.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                Field::Surname,
                Field::FirstName,
                Field::Sex,
                Field::DateOfBirth,
                Field::Citizenship,
                Field::NationalId,
                Field::Phone,
                Field::County,
                Field::SubCounty,
                Field::Ward
            ]
        );
        let value = |f: Field| lines.iter().find(|(g, _)| *g == f).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(value(Field::Sex), Value::Key("sex-female"));
        assert_eq!(value(Field::Citizenship), Value::Key("citizenship-birth"));
        assert_eq!(value(Field::Ward), Value::Text("Kitisuru".into()));
        assert_eq!(value(Field::County), Value::Text("Nairobi".into()));
        assert_eq!(value(Field::Phone), Value::Text("+254 712 345 678".into()));
    }

    #[test]
    fn one_name_a_year_of_birth_and_a_foreigner() {
        let one = lines(
            &person(|f| {
                f.single_name = true;
                f.date_of_birth = "1979".into();
                f.dob_estimated = true;
            }),
            AdminUnits::bundled(),
        );
        assert!(!one.iter().any(|(f, _)| *f == Field::FirstName), "no empty first name line");
        assert!(one.contains(&(Field::DateOfBirth, Value::YearOnly(1979))));
        let foreign = lines(
            &person(|f| {
                f.citizenship = "foreign".into();
                f.nationality = "UG".into();
                f.national_id.clear();
                f.alien_id = "123456".into();
            }),
            AdminUnits::bundled(),
        );
        assert!(foreign.contains(&(Field::Nationality, Value::Text("Uganda (UG)".into()))), "{foreign:?}");
    }

    #[test]
    fn phone_numbers_read_in_groups() {
        assert_eq!(phone_for_reading("+254712345678"), "+254 712 345 678");
        assert_eq!(phone_for_reading("+254201234567"), "+254 201 234 567");
        assert_eq!(phone_for_reading("+4930123456"), "+4930123456", "another country's: as stored");
        assert_eq!(phone_for_reading("+25471234"), "+25471234", "too short to group: as stored");
    }
}
