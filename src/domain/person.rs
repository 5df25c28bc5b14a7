//! A person's demographics: the form as typed, and the validated record the register takes.
//!
//! `PersonForm` holds exactly what the assistant typed, so a draft keeps half-typed fields
//! through a crash; `PersonForm::validate` turns it into a `Person` or lists every broken rule,
//! each with the field it belongs to and a message key for translation.

use super::admin_units::AdminUnits;
use super::countries::{self, KENYA};
use super::rid::Rid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The oldest age the register accepts.
pub const MAX_AGE_YEARS: i32 = 120;
/// Age of majority: younger people need a guardian.
pub const ADULT_AGE_YEARS: i32 = 18;
/// Longest name part accepted.
pub const MAX_NAME_CHARS: usize = 50;

/// The demographics form exactly as typed (every field text, possibly empty or invalid).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    /// Surname (family name); a person with one name has it here.
    pub surname: String,
    /// First name.
    pub first_name: String,
    /// Other names, space-separated.
    pub other_names: String,
    /// The person has one name only: it goes in `surname`, and first and other names are ignored.
    pub single_name: bool,
    /// "male", "female" or "intersex".
    pub sex: String,
    /// "YYYY-MM-DD", or "YYYY" when `dob_estimated`.
    pub date_of_birth: String,
    /// The applicant knows only the year of birth.
    pub dob_estimated: bool,
    /// "birth", "registration" or "foreign".
    pub citizenship: String,
    /// ISO 3166 code of a foreign resident's nationality.
    pub nationality: String,
    /// Kenyan national ID number already held.
    pub national_id: String,
    /// Birth certificate number.
    pub birth_certificate: String,
    /// Passport number.
    pub passport: String,
    /// Alien ID number of a foreign resident.
    pub alien_id: String,
    /// KRA PIN (tax number).
    pub kra_pin: String,
    /// NHIF number.
    pub nhif: String,
    /// NSSF number.
    pub nssf: String,
    /// Phone number in any common Kenyan or international writing.
    pub phone: String,
    /// A Kenyan registered at a mission abroad.
    pub resides_abroad: bool,
    /// ISO 3166 code of the country of residence (abroad only).
    pub country_of_residence: String,
    /// County code, "001".."047".
    pub county: String,
    /// Sub-county or constituency code.
    pub sub_county: String,
    /// Ward code.
    pub ward: String,
    /// Parent's or guardian's national ID number or RID (minors).
    pub guardian_id: String,
    /// Parent's or guardian's name (minors).
    pub guardian_name: String,
}

/// Sex as recorded by the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Intersex (recorded since the 2019 census).
    Intersex,
}

/// Date of birth, exact or only the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOfBirth {
    /// The exact date.
    Exact(NaiveDate),
    /// Only the year is known; taken as 1 July of that year for age rules.
    EstimatedYear(i32),
}

impl DateOfBirth {
    /// The date the age rules use.
    pub fn reference_date(&self) -> Option<NaiveDate> {
        match *self {
            DateOfBirth::Exact(d) => Some(d),
            DateOfBirth::EstimatedYear(y) => NaiveDate::from_ymd_opt(y, 7, 1),
        }
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: NaiveDate) -> Option<i32> {
        let born = self.reference_date()?;
        let mut age = today.year() - born.year();
        if (today.month(), today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        Some(age)
    }
}

/// How the person holds their status in Kenya.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Citizenship {
    /// Kenyan by birth.
    KenyanByBirth,
    /// Kenyan by registration.
    KenyanByRegistration,
    /// Foreign resident, with the ISO 3166 alpha-2 code of their nationality.
    ForeignResident {
        /// Alpha-2 code.
        nationality: String,
    },
}

impl Citizenship {
    /// Whether the person is a Kenyan citizen.
    pub fn is_kenyan(&self) -> bool {
        !matches!(self, Citizenship::ForeignResident { .. })
    }
}

/// Identity documents the person already holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Documents {
    /// National ID number (7 or 8 digits).
    pub national_id: Option<String>,
    /// Birth certificate number.
    pub birth_certificate: Option<String>,
    /// Passport number.
    pub passport: Option<String>,
    /// Alien ID number.
    pub alien_id: Option<String>,
    /// KRA PIN.
    pub kra_pin: Option<String>,
    /// NHIF number.
    pub nhif: Option<String>,
    /// NSSF number.
    pub nssf: Option<String>,
}

/// Where the person lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Residence {
    /// In Kenya, down to the ward.
    Kenya {
        /// County code.
        county: String,
        /// Sub-county or constituency code.
        sub_county: String,
        /// Ward code.
        ward: String,
    },
    /// A Kenyan registered at a mission abroad.
    Abroad {
        /// Alpha-2 code of the country of residence.
        country: String,
    },
}

/// A minor's parent or guardian, by an identity the register already knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum GuardianRef {
    /// Kenyan national ID number.
    NationalId(String),
    /// Registration id from an earlier enrollment.
    Rid(String),
}

/// A minor's parent or guardian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    /// How the register finds the guardian.
    pub id: GuardianRef,
    /// The guardian's name as given.
    pub name: Option<String>,
}

/// Validated demographics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Surname; a person with one name has it here (the field the register searches by).
    pub surname: String,
    /// First name; empty for a person with one name.
    pub first_name: String,
    /// The person has one name only, so an empty first name is what they gave, not a gap. Written
    /// only when true, so packets of everyone else read as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub single_name: bool,
    /// Other names, if any.
    pub other_names: Option<String>,
    /// Sex.
    pub sex: Sex,
    /// Date of birth.
    pub date_of_birth: DateOfBirth,
    /// Citizenship.
    pub citizenship: Citizenship,
    /// Documents held.
    pub documents: Documents,
    /// Phone in E.164.
    pub phone: Option<String>,
    /// Residence.
    pub residence: Residence,
    /// Guardian (required under 18).
    pub guardian: Option<Guardian>,
}

impl Person {
    /// "Surname, First Other", as lists show it; the one name alone for a person with one name.
    pub fn display_name(&self) -> String {
        if self.single_name {
            return self.surname.clone();
        }
        match &self.other_names {
            Some(o) => format!("{}, {} {}", self.surname, self.first_name, o),
            None => format!("{}, {}", self.surname, self.first_name),
        }
    }
}

/// A form field, named as the form and the message keys name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Surname.
    Surname,
    /// First name.
    FirstName,
    /// Other names.
    OtherNames,
    /// Sex.
    Sex,
    /// Date of birth.
    DateOfBirth,
    /// Citizenship.
    Citizenship,
    /// Nationality.
    Nationality,
    /// National ID.
    NationalId,
    /// Birth certificate.
    BirthCertificate,
    /// Passport.
    Passport,
    /// Alien ID.
    AlienId,
    /// KRA PIN.
    KraPin,
    /// NHIF.
    Nhif,
    /// NSSF.
    Nssf,
    /// Phone.
    Phone,
    /// Country of residence.
    CountryOfResidence,
    /// County.
    County,
    /// Sub-county or constituency.
    SubCounty,
    /// Ward.
    Ward,
    /// Guardian's ID or RID.
    GuardianId,
    /// Guardian's name.
    GuardianName,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 21] = [
        Field::Surname,
        Field::FirstName,
        Field::OtherNames,
        Field::Sex,
        Field::DateOfBirth,
        Field::Citizenship,
        Field::Nationality,
        Field::NationalId,
        Field::BirthCertificate,
        Field::Passport,
        Field::AlienId,
        Field::KraPin,
        Field::Nhif,
        Field::Nssf,
        Field::Phone,
        Field::CountryOfResidence,
        Field::County,
        Field::SubCounty,
        Field::Ward,
        Field::GuardianId,
        Field::GuardianName,
    ];

    /// The field's name in message keys and on the command line.
    pub fn key(self) -> &'static str {
        use Field::*;
        match self {
            Surname => "surname",
            FirstName => "first-name",
            OtherNames => "other-names",
            Sex => "sex",
            DateOfBirth => "date-of-birth",
            Citizenship => "citizenship",
            Nationality => "nationality",
            NationalId => "national-id",
            BirthCertificate => "birth-certificate",
            Passport => "passport",
            AlienId => "alien-id",
            KraPin => "kra-pin",
            Nhif => "nhif",
            Nssf => "nssf",
            Phone => "phone",
            CountryOfResidence => "country-of-residence",
            County => "county",
            SubCounty => "sub-county",
            Ward => "ward",
            GuardianId => "guardian-id",
            GuardianName => "guardian-name",
        }
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Required and empty.
    Required,
    /// A name with characters other than letters, spaces, hyphens and apostrophes.
    NameCharacters,
    /// Longer than allowed.
    TooLong,
    /// Not one of the offered choices.
    UnknownChoice,
    /// Not a date in the expected writing.
    DateFormat,
    /// A date of birth after today.
    DateInFuture,
    /// Older than 120 years.
    TooOld,
    /// Not a known ISO 3166 country code.
    UnknownCountry,
    /// Kenya given where another country is needed.
    MustNotBeKenya,
    /// National ID not 7 or 8 digits.
    NationalIdFormat,
    /// Document number not 1–20 letters and digits.
    DocumentFormat,
    /// KRA PIN not letter, 9 digits, letter.
    KraPinFormat,
    /// NHIF/NSSF not 6–12 digits.
    MemberNumberFormat,
    /// Phone not a Kenyan or E.164 number.
    PhoneFormat,
    /// County, sub-county or ward not in the tables, or not inside its parent.
    UnknownPlace,
    /// A document that only citizens (or only foreigners) hold.
    NotForThisCitizenship,
    /// A foreign resident without passport or alien ID.
    ForeignerNeedsDocument,
    /// A minor without a guardian ID or RID.
    MinorNeedsGuardian,
    /// A guardian reference that is neither a national ID nor a RID.
    GuardianIdFormat,
    /// Residence abroad for a non-citizen.
    AbroadOnlyForCitizens,
}

impl Problem {
    /// The translation key of the message.
    pub fn key(self) -> &'static str {
        use Problem::*;
        match self {
            Required => "validation-required",
            NameCharacters => "validation-name-characters",
            TooLong => "validation-too-long",
            UnknownChoice => "validation-unknown-choice",
            DateFormat => "validation-date-format",
            DateInFuture => "validation-date-in-future",
            TooOld => "validation-too-old",
            UnknownCountry => "validation-unknown-country",
            MustNotBeKenya => "validation-must-not-be-kenya",
            NationalIdFormat => "validation-national-id-format",
            DocumentFormat => "validation-document-format",
            KraPinFormat => "validation-kra-pin-format",
            MemberNumberFormat => "validation-member-number-format",
            PhoneFormat => "validation-phone-format",
            UnknownPlace => "validation-unknown-place",
            NotForThisCitizenship => "validation-not-for-this-citizenship",
            ForeignerNeedsDocument => "validation-foreigner-needs-document",
            MinorNeedsGuardian => "validation-minor-needs-guardian",
            GuardianIdFormat => "validation-guardian-id-format",
            AbroadOnlyForCitizens => "validation-abroad-only-for-citizens",
        }
    }

    /// English text, for the command line and logs.
    pub fn english(self) -> &'static str {
        use Problem::*;
        match self {
            Required => "is required",
            NameCharacters => "may contain only letters, spaces, hyphens and apostrophes",
            TooLong => "is too long (at most 50 characters)",
            UnknownChoice => "is not one of the choices offered",
            DateFormat => "must be a date written YYYY-MM-DD (or a year YYYY when estimated)",
            DateInFuture => "cannot be in the future",
            TooOld => "gives an age over 120 years",
            UnknownCountry => "is not a known country code",
            MustNotBeKenya => "must be a country other than Kenya",
            NationalIdFormat => "must be 7 or 8 digits",
            DocumentFormat => "must be 1 to 20 letters and digits",
            KraPinFormat => "must be a letter, 9 digits and a letter (for example A123456789Z)",
            MemberNumberFormat => "must be 6 to 12 digits",
            PhoneFormat => "must be a Kenyan number (07.., 01..) or an international number starting with +",
            UnknownPlace => "is not a place inside the one chosen above it",
            NotForThisCitizenship => "does not apply to this citizenship",
            ForeignerNeedsDocument => "a foreign resident needs a passport or an alien ID number",
            MinorNeedsGuardian => "a person under 18 needs a parent's or guardian's ID number or RID",
            GuardianIdFormat => "must be a national ID number (7 or 8 digits) or a RID (29 digits)",
            AbroadOnlyForCitizens => "only Kenyan citizens register from abroad",
        }
    }
}

/// One broken rule: the field and the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldError {
    /// The field the message belongs beside.
    pub field: Field,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.key(), self.problem.english())
    }
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: Field, problem: Problem) {
        self.0.push(FieldError { field, problem });
    }
}

impl PersonForm {
    /// Whether the date of birth typed so far makes the applicant a minor (None while it is
    /// not a valid date), so the form can show the guardian fields as soon as it is known.
    pub fn is_minor(&self, today: NaiveDate) -> Option<bool> {
        let mut ignored = Errors(Vec::new());
        date_of_birth(&mut ignored, &self.date_of_birth, self.dob_estimated, today)
            .and_then(|d| d.age_on(today))
            .map(|age| age < ADULT_AGE_YEARS)
    }

    /// Validates the form against the register's rules on `today`.
    pub fn validate(&self, today: NaiveDate, units: &AdminUnits) -> Result<Person, Vec<FieldError>> {
        let mut e = Errors(Vec::new());
        let surname = name(&mut e, Field::Surname, &self.surname, true);
        // One name: the form hides first and other names, so whatever they still hold is ignored.
        let (first_name, other_names) = if self.single_name {
            (Some(String::new()), None)
        } else {
            (
                name(&mut e, Field::FirstName, &self.first_name, true),
                name(&mut e, Field::OtherNames, &self.other_names, false),
            )
        };
        let sex = match self.sex.trim() {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            "intersex" => Some(Sex::Intersex),
            "" => {
                e.add(Field::Sex, Problem::Required);
                None
            }
            _ => {
                e.add(Field::Sex, Problem::UnknownChoice);
                None
            }
        };
        let date_of_birth = date_of_birth(&mut e, &self.date_of_birth, self.dob_estimated, today);
        let citizenship = self.citizenship(&mut e);
        let documents = self.documents(&mut e, citizenship.as_ref());
        let phone = optional(&self.phone).and_then(|p| match normalize_phone(p) {
            Some(p) => Some(p),
            None => {
                e.add(Field::Phone, Problem::PhoneFormat);
                None
            }
        });
        let residence = self.residence(&mut e, citizenship.as_ref(), units);
        let minor = date_of_birth.and_then(|d| d.age_on(today)).is_some_and(|age| age < ADULT_AGE_YEARS);
        let guardian = self.guardian(&mut e, minor);
        match (surname, first_name, sex, date_of_birth, citizenship, residence) {
            (Some(surname), Some(first_name), Some(sex), Some(date_of_birth), Some(citizenship), Some(residence))
                if e.0.is_empty() =>
            {
                Ok(Person {
                    surname,
                    first_name,
                    single_name: self.single_name,
                    other_names,
                    sex,
                    date_of_birth,
                    citizenship,
                    documents,
                    phone,
                    residence,
                    guardian,
                })
            }
            _ => Err(e.0),
        }
    }

    fn citizenship(&self, e: &mut Errors) -> Option<Citizenship> {
        match self.citizenship.trim() {
            "birth" => Some(Citizenship::KenyanByBirth),
            "registration" => Some(Citizenship::KenyanByRegistration),
            "foreign" => match optional(&self.nationality) {
                None => {
                    e.add(Field::Nationality, Problem::Required);
                    None
                }
                Some(code) => match countries::find(code) {
                    None => {
                        e.add(Field::Nationality, Problem::UnknownCountry);
                        None
                    }
                    Some(c) if c.alpha2 == KENYA => {
                        e.add(Field::Nationality, Problem::MustNotBeKenya);
                        None
                    }
                    Some(c) => Some(Citizenship::ForeignResident { nationality: c.alpha2.clone() }),
                },
            },
            "" => {
                e.add(Field::Citizenship, Problem::Required);
                None
            }
            _ => {
                e.add(Field::Citizenship, Problem::UnknownChoice);
                None
            }
        }
    }

    fn documents(&self, e: &mut Errors, citizenship: Option<&Citizenship>) -> Documents {
        let kenyan = citizenship.map(Citizenship::is_kenyan);
        let national_id = optional(&self.national_id).and_then(|v| {
            if kenyan == Some(false) {
                e.add(Field::NationalId, Problem::NotForThisCitizenship);
                None
            } else if is_national_id(v) {
                Some(v.to_string())
            } else {
                e.add(Field::NationalId, Problem::NationalIdFormat);
                None
            }
        });
        let alien_id = optional(&self.alien_id).and_then(|v| {
            if kenyan == Some(true) {
                e.add(Field::AlienId, Problem::NotForThisCitizenship);
                None
            } else {
                document_number(e, Field::AlienId, v)
            }
        });
        let birth_certificate =
            optional(&self.birth_certificate).and_then(|v| document_number(e, Field::BirthCertificate, v));
        let passport = optional(&self.passport).and_then(|v| document_number(e, Field::Passport, v));
        let kra_pin = optional(&self.kra_pin).and_then(|v| {
            let v = v.to_ascii_uppercase();
            let b = v.as_bytes();
            let ok = b.len() == 11
                && b[0].is_ascii_uppercase()
                && b[1..10].iter().all(u8::is_ascii_digit)
                && b[10].is_ascii_uppercase();
            if ok {
                Some(v)
            } else {
                e.add(Field::KraPin, Problem::KraPinFormat);
                None
            }
        });
        let nhif = optional(&self.nhif).and_then(|v| member_number(e, Field::Nhif, v));
        let nssf = optional(&self.nssf).and_then(|v| member_number(e, Field::Nssf, v));
        if kenyan == Some(false) && passport.is_none() && alien_id.is_none() && !has_error(e, Field::Passport) {
            e.add(Field::AlienId, Problem::ForeignerNeedsDocument);
        }
        Documents { national_id, birth_certificate, passport, alien_id, kra_pin, nhif, nssf }
    }

    fn residence(&self, e: &mut Errors, citizenship: Option<&Citizenship>, units: &AdminUnits) -> Option<Residence> {
        if self.resides_abroad {
            if citizenship.is_some_and(|c| !c.is_kenyan()) {
                e.add(Field::CountryOfResidence, Problem::AbroadOnlyForCitizens);
                return None;
            }
            return match optional(&self.country_of_residence).map(countries::find) {
                None => {
                    e.add(Field::CountryOfResidence, Problem::Required);
                    None
                }
                Some(None) => {
                    e.add(Field::CountryOfResidence, Problem::UnknownCountry);
                    None
                }
                Some(Some(c)) if c.alpha2 == KENYA => {
                    e.add(Field::CountryOfResidence, Problem::MustNotBeKenya);
                    None
                }
                Some(Some(c)) => Some(Residence::Abroad { country: c.alpha2.clone() }),
            };
        }
        let county = match optional(&self.county) {
            None => {
                e.add(Field::County, Problem::Required);
                return None;
            }
            Some(c) if units.county(c).is_none() => {
                e.add(Field::County, Problem::UnknownPlace);
                return None;
            }
            Some(c) => c,
        };
        let sub_county = match optional(&self.sub_county) {
            None => {
                e.add(Field::SubCounty, Problem::Required);
                return None;
            }
            Some(a) if units.area(a).is_none_or(|a| a.county != county) => {
                e.add(Field::SubCounty, Problem::UnknownPlace);
                return None;
            }
            Some(a) => a,
        };
        match optional(&self.ward) {
            None => {
                e.add(Field::Ward, Problem::Required);
                None
            }
            Some(w) if !units.wards_of(sub_county).any(|ward| ward.code == w) => {
                e.add(Field::Ward, Problem::UnknownPlace);
                None
            }
            Some(w) => Some(Residence::Kenya {
                county: county.to_string(),
                sub_county: sub_county.to_string(),
                ward: w.to_string(),
            }),
        }
    }

    fn guardian(&self, e: &mut Errors, minor: bool) -> Option<Guardian> {
        let guardian_name = name(e, Field::GuardianName, &self.guardian_name, false);
        let id = match optional(&self.guardian_id) {
            None => {
                if minor {
                    e.add(Field::GuardianId, Problem::MinorNeedsGuardian);
                }
                return None;
            }
            Some(v) if is_national_id(v) => GuardianRef::NationalId(v.to_string()),
            Some(v) => match Rid::parse(v) {
                Ok(rid) => GuardianRef::Rid(rid.as_str().to_string()),
                Err(_) => {
                    e.add(Field::GuardianId, Problem::GuardianIdFormat);
                    return None;
                }
            },
        };
        Some(Guardian { id, name: guardian_name })
    }
}

fn has_error(e: &Errors, field: Field) -> bool {
    e.0.iter().any(|x| x.field == field)
}

fn optional(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

/// Checks a name part: letters of any script, spaces, hyphens, apostrophes; collapses spaces.
fn name(e: &mut Errors, field: Field, text: &str, required: bool) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        if required {
            e.add(field, Problem::Required);
        }
        return None;
    }
    let allowed = |c: char| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '\u{2019}';
    let starts_with_letter = collapsed.chars().next().is_some_and(char::is_alphabetic);
    if !starts_with_letter || !collapsed.chars().all(allowed) {
        e.add(field, Problem::NameCharacters);
        return None;
    }
    if collapsed.chars().count() > MAX_NAME_CHARS {
        e.add(field, Problem::TooLong);
        return None;
    }
    Some(collapsed)
}

fn date_of_birth(e: &mut Errors, text: &str, estimated: bool, today: NaiveDate) -> Option<DateOfBirth> {
    let Some(text) = optional(text) else {
        e.add(Field::DateOfBirth, Problem::Required);
        return None;
    };
    let dob = if estimated {
        text.parse::<i32>().ok().filter(|_| text.len() == 4).map(DateOfBirth::EstimatedYear)
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(DateOfBirth::Exact)
    };
    let Some(dob) = dob else {
        e.add(Field::DateOfBirth, Problem::DateFormat);
        return None;
    };
    let in_future = match dob {
        DateOfBirth::Exact(d) => d > today,
        DateOfBirth::EstimatedYear(y) => y > today.year(),
    };
    if in_future {
        e.add(Field::DateOfBirth, Problem::DateInFuture);
        return None;
    }
    if dob.age_on(today).is_none_or(|age| age > MAX_AGE_YEARS) {
        e.add(Field::DateOfBirth, Problem::TooOld);
        return None;
    }
    Some(dob)
}

fn is_national_id(text: &str) -> bool {
    (7..=8).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

fn document_number(e: &mut Errors, field: Field, text: &str) -> Option<String> {
    let v = text.to_ascii_uppercase();
    if (1..=20).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Some(v)
    } else {
        e.add(field, Problem::DocumentFormat);
        None
    }
}

fn member_number(e: &mut Errors, field: Field, text: &str) -> Option<String> {
    if (6..=12).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        Some(text.to_string())
    } else {
        e.add(field, Problem::MemberNumberFormat);
        None
    }
}

/// Normalises a phone number to E.164: Kenyan numbers in any common writing to +254…,
/// other countries' numbers when written with their + prefix.
pub fn normalize_phone(text: &str) -> Option<String> {
    let plus = text.trim_start().starts_with('+');
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+')).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let national = if let Some(rest) = digits.strip_prefix("254") {
        rest
    } else if plus {
        // Another country's number: E.164 allows up to 15 digits after the +.
        return (8..=15).contains(&digits.len()).then(|| format!("+{digits}"));
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        digits.as_str()
    };
    // Kenyan national significant numbers are 9 digits: mobiles 7.. and 1.., landlines 2..6.
    let ok = national.len() == 9 && matches!(national.as_bytes()[0], b'1'..=b'7');
    ok.then(|| format!("+254{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn adult() -> PersonForm {
        PersonForm {
            surname: "Otieno".into(),
            first_name: "Akinyi".into(),
            other_names: "Grace".into(),
            sex: "female".into(),
            date_of_birth: "1990-03-14".into(),
            citizenship: "birth".into(),
            national_id: "23456789".into(),
            phone: "0712 345 678".into(),
            county: "047".into(),
            sub_county: "KE047274".into(),
            ward: "KEW-1366".into(),
            ..Default::default()
        }
    }

    fn problems(form: &PersonForm) -> Vec<(Field, Problem)> {
        match form.validate(today(), AdminUnits::bundled()) {
            Ok(_) => vec![],
            Err(errors) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
        }
    }

    #[test]
    fn a_complete_adult_validates_and_normalises() {
        let units = AdminUnits::bundled();
        let ward = units.ward("KEW-1366").expect("fixture ward exists");
        assert_eq!(ward.constituency, "KE047274", "fixture ward sits in the constituency used");
        let p = adult().validate(today(), units).expect("valid");
        assert_eq!(p.phone.as_deref(), Some("+254712345678"));
        assert_eq!(p.display_name(), "Otieno, Akinyi Grace");
        assert!(p.guardian.is_none());
    }

    #[test]
    fn names_allow_letters_of_any_script_and_refuse_digits() {
        let mut f = adult();
        f.surname = "  N'gang'a-Wambũi  ".into();
        f.first_name = "Zoë".into();
        assert_eq!(problems(&f), vec![]);
        f.surname = "Otieno2".into();
        f.first_name = "".into();
        assert_eq!(
            problems(&f),
            vec![(Field::Surname, Problem::NameCharacters), (Field::FirstName, Problem::Required)]
        );
    }

    #[test]
    fn a_person_with_one_name_validates_and_the_packet_says_so() {
        let mut f = adult();
        f.first_name.clear();
        assert_eq!(problems(&f), vec![(Field::FirstName, Problem::Required)], "two names are the rule");
        f.single_name = true;
        f.surname = "Wanjiru".into();
        f.other_names = "left from before".into();
        let p = f.validate(today(), AdminUnits::bundled()).expect("one name is enough");
        assert_eq!((p.first_name.as_str(), p.other_names.as_deref()), ("", None));
        assert_eq!(p.display_name(), "Wanjiru");
        let json = serde_json::to_value(&p).expect("json");
        assert_eq!(json["single_name"], true);
        f.surname.clear();
        assert_eq!(problems(&f), vec![(Field::Surname, Problem::Required)], "the one name is still required");
        // Everyone else's packet reads as before: the flag is not written when false.
        let two = adult().validate(today(), AdminUnits::bundled()).expect("valid");
        assert!(serde_json::to_value(&two).expect("json").get("single_name").is_none());
    }

    #[test]
    fn dates_of_birth() {
        let mut f = adult();
        f.date_of_birth = "2027-01-01".into();
        assert_eq!(problems(&f), vec![(Field::DateOfBirth, Problem::DateInFuture)]);
        f.date_of_birth = "14/03/1990".into();
        assert_eq!(problems(&f), vec![(Field::DateOfBirth, Problem::DateFormat)]);
        f.date_of_birth = "1900-01-01".into();
        assert_eq!(problems(&f), vec![(Field::DateOfBirth, Problem::TooOld)]);
        f.date_of_birth = "1960".into();
        f.dob_estimated = true;
        assert_eq!(problems(&f), vec![]);
    }

    #[test]
    fn a_minor_needs_a_guardian() {
        let mut f = adult();
        assert_eq!(f.is_minor(today()), Some(false));
        f.date_of_birth = "2015-06".into();
        assert_eq!(f.is_minor(today()), None, "not a date yet");
        f.date_of_birth = "2015-06-01".into();
        assert_eq!(f.is_minor(today()), Some(true));
        f.national_id.clear();
        assert_eq!(problems(&f), vec![(Field::GuardianId, Problem::MinorNeedsGuardian)]);
        f.guardian_id = "12345".into();
        assert_eq!(problems(&f), vec![(Field::GuardianId, Problem::GuardianIdFormat)]);
        f.guardian_id = "00042000070001720261124090503".into();
        let p = f.validate(today(), AdminUnits::bundled()).expect("valid with RID guardian");
        assert!(matches!(p.guardian.map(|g| g.id), Some(GuardianRef::Rid(_))));
    }

    #[test]
    fn a_foreign_resident_needs_a_document_and_no_national_id() {
        let mut f = adult();
        f.citizenship = "foreign".into();
        f.nationality = "KE".into();
        assert!(problems(&f).contains(&(Field::Nationality, Problem::MustNotBeKenya)));
        f.nationality = "uga".into();
        assert_eq!(
            problems(&f),
            vec![
                (Field::NationalId, Problem::NotForThisCitizenship),
                (Field::AlienId, Problem::ForeignerNeedsDocument)
            ]
        );
        f.national_id.clear();
        f.alien_id = "1234567".into();
        let p = f.validate(today(), AdminUnits::bundled()).expect("valid");
        assert_eq!(p.citizenship, Citizenship::ForeignResident { nationality: "UG".into() });
    }

    #[test]
    fn residence_must_be_a_consistent_place() {
        let mut f = adult();
        f.sub_county = "KE001001".into();
        assert_eq!(problems(&f), vec![(Field::SubCounty, Problem::UnknownPlace)]);
        f.sub_county = "KE047274".into();
        f.ward = "KEW-0001".into();
        assert_eq!(problems(&f), vec![(Field::Ward, Problem::UnknownPlace)]);
        f.resides_abroad = true;
        f.country_of_residence = "GB".into();
        let p = f.validate(today(), AdminUnits::bundled()).expect("valid abroad");
        assert_eq!(p.residence, Residence::Abroad { country: "GB".into() });
    }

    #[test]
    fn document_formats() {
        let mut f = adult();
        f.national_id = "123456".into();
        f.kra_pin = "a123456789z".into();
        f.nhif = "12a".into();
        assert_eq!(
            problems(&f),
            vec![(Field::NationalId, Problem::NationalIdFormat), (Field::Nhif, Problem::MemberNumberFormat)]
        );
        f.national_id = "1234567".into();
        f.nhif = "1234567".into();
        let p = f.validate(today(), AdminUnits::bundled()).expect("valid");
        assert_eq!(p.documents.kra_pin.as_deref(), Some("A123456789Z"));
    }

    #[test]
    fn phone_numbers_normalise_to_e164() {
        for (input, want) in [
            ("0712345678", Some("+254712345678")),
            ("+254 712-345-678", Some("+254712345678")),
            ("254110123456", Some("+254110123456")),
            ("712345678", Some("+254712345678")),
            ("+256 772 123456", Some("+256772123456")),
            ("0812345678", None),
            ("07123", None),
            ("07l2345678", None),
        ] {
            assert_eq!(normalize_phone(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn every_problem_has_a_distinct_key() {
        use std::collections::HashSet;
        let all = [
            Problem::Required,
            Problem::NameCharacters,
            Problem::TooLong,
            Problem::UnknownChoice,
            Problem::DateFormat,
            Problem::DateInFuture,
            Problem::TooOld,
            Problem::UnknownCountry,
            Problem::MustNotBeKenya,
            Problem::NationalIdFormat,
            Problem::DocumentFormat,
            Problem::KraPinFormat,
            Problem::MemberNumberFormat,
            Problem::PhoneFormat,
            Problem::UnknownPlace,
            Problem::NotForThisCitizenship,
            Problem::ForeignerNeedsDocument,
            Problem::MinorNeedsGuardian,
            Problem::GuardianIdFormat,
            Problem::AbroadOnlyForCitizens,
        ];
        let keys: HashSet<_> = all.iter().map(|p| p.key()).collect();
        assert_eq!(keys.len(), all.len());
    }
}
