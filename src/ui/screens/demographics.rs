//! The demographics step: the form as typed, with each validation message beside its field.

use super::View;
use crate::domain::countries;
use crate::domain::person::{Field, FieldError, PersonForm};
use crate::ui::i18n::I18n;
use crate::ui::theme;

/// The message key of a field's label.
pub fn field_key(field: Field) -> &'static str {
    match field {
        Field::Surname => "field-surname",
        Field::FirstName => "field-first-name",
        Field::OtherNames => "field-other-names",
        Field::Sex => "field-sex",
        Field::DateOfBirth => "field-date-of-birth",
        Field::Citizenship => "field-citizenship",
        Field::Nationality => "field-nationality",
        Field::NationalId => "field-national-id",
        Field::BirthCertificate => "field-birth-certificate",
        Field::Passport => "field-passport",
        Field::AlienId => "field-alien-id",
        Field::KraPin => "field-kra-pin",
        Field::Nhif => "field-nhif",
        Field::Nssf => "field-nssf",
        Field::Phone => "field-phone",
        Field::CountryOfResidence => "field-country-of-residence",
        Field::County => "field-county",
        Field::SubCounty => "field-sub-county",
        Field::Ward => "field-ward",
        Field::GuardianId => "field-guardian-id",
        Field::GuardianName => "field-guardian-name",
    }
}

/// The form's state: what is typed and the errors shown beside the fields.
#[derive(Debug, Default)]
pub struct DemographicsForm {
    /// The fields as typed.
    pub form: PersonForm,
    /// Errors to show beside their fields: after a Next, every field's; before, those of the
    /// fields the assistant has left. Worked out again as they type, so a fixed field's goes.
    pub errors: Vec<FieldError>,
    /// Next was pressed on this form: every field's errors show from now on.
    submitted: bool,
    /// Fields the assistant typed in and left.
    left: std::collections::HashSet<Field>,
    /// The cursor has been put in the first field (once, when the form first opens).
    focused: bool,
}

impl DemographicsForm {
    /// The form over what a draft holds.
    pub fn new(form: PersonForm) -> Self {
        DemographicsForm { form, ..Default::default() }
    }

    /// Next was refused with these errors: show them all, and keep them true as the form changes.
    pub fn refused(&mut self, errors: Vec<FieldError>) {
        self.submitted = true;
        self.errors = errors;
    }

    /// Whether Next was refused for errors still standing (the step says so above the form).
    pub fn refused_with_errors(&self) -> bool {
        self.submitted && !self.errors.is_empty()
    }

    /// The step was left: nothing to show when it opens again.
    pub fn clear(&mut self) {
        self.submitted = false;
        self.left.clear();
        self.errors.clear();
    }
}

/// What the assistant did to the form this frame.
#[derive(Default)]
struct Edits {
    /// Some field's text or choice changed.
    changed: bool,
    /// Fields the keyboard focus left.
    left: Vec<Field>,
}

impl Edits {
    fn saw(&mut self, field: Field, response: &egui::Response) {
        self.changed |= response.changed();
        if response.lost_focus() {
            self.left.push(field);
        }
    }
}

/// The country picker's choices, built once: the list is fixed for the life of the program.
fn country_choices() -> &'static [(String, String)] {
    static CHOICES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    CHOICES.get_or_init(|| {
        countries::all().iter().map(|c| (c.alpha2.clone(), format!("{} ({})", c.name, c.alpha2))).collect()
    })
}

fn errors_for(ui: &mut egui::Ui, t: &I18n, errors: &[FieldError], field: Field) {
    for e in errors.iter().filter(|e| e.field == field) {
        theme::error(ui, &t.t(e.problem.key()));
    }
}

fn text(
    ui: &mut egui::Ui,
    t: &I18n,
    errors: &[FieldError],
    edits: &mut Edits,
    field: Field,
    value: &mut String,
) -> egui::Response {
    labelled_text(ui, t, errors, edits, field, field_key(field), value)
}

/// A text field under the label `key` (the surname field is "Name" for a person with one name).
fn labelled_text(
    ui: &mut egui::Ui,
    t: &I18n,
    errors: &[FieldError],
    edits: &mut Edits,
    field: Field,
    key: &str,
    value: &mut String,
) -> egui::Response {
    // Ids by field, not by place: an error line appearing above would otherwise renumber every
    // widget below it between the frame a click (or a focus) starts and the frame it ends.
    ui.push_id(field_key(field), |ui| {
        let label = ui.label(t.t(key));
        let response = ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY)).labelled_by(label.id);
        crate::ui::theme::keep_in_view(&response);
        edits.saw(field, &response);
        errors_for(ui, t, errors, field);
        response
    })
    .inner
}

/// A type-to-search picker over `(code, name)` choices; returns whether the choice changed.
fn pick(
    ui: &mut egui::Ui,
    t: &I18n,
    errors: &[FieldError],
    edits: &mut Edits,
    field: Field,
    value: &mut String,
    choices: &[(String, String)],
) -> bool {
    let key = field_key(field);
    let changed = crate::ui::picker::picker(ui, key, &t.t(key), &t.t("picker-no-match"), value, choices);
    edits.changed |= changed;
    if changed {
        edits.left.push(field);
    }
    errors_for(ui, t, errors, field);
    changed
}

fn choice(ui: &mut egui::Ui, t: &I18n, edits: &mut Edits, field: Field, value: &mut String, options: &[(&str, &str)]) {
    ui.push_id(field_key(field), |ui| {
        ui.horizontal_wrapped(|ui| {
            for (code, key) in options {
                let option = ui.selectable_label(value == code, t.t(key));
                crate::ui::theme::keep_in_view(&option);
                if option.clicked() {
                    *value = (*code).to_string();
                    edits.changed = true;
                }
            }
        });
    });
}

/// A checkbox whose id does not move with the lines drawn above it.
fn check(ui: &mut egui::Ui, t: &I18n, edits: &mut Edits, key: &str, value: &mut bool) {
    edits.changed |= ui
        .push_id(key, |ui| {
            let response = ui.checkbox(value, t.t(key));
            crate::ui::theme::keep_in_view(&response);
            response.changed()
        })
        .inner;
}

impl DemographicsForm {
    /// Draws the form.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>) {
        let t = view.i18n;
        let errors = &self.errors;
        let mut edits = Edits::default();
        let e = &mut edits;
        let f = &mut self.form;
        ui.set_max_width(theme::COLUMN_WIDTH);
        let first = if f.single_name {
            labelled_text(ui, t, errors, e, Field::Surname, "field-single-name", &mut f.surname)
        } else {
            let first = text(ui, t, errors, e, Field::Surname, &mut f.surname);
            text(ui, t, errors, e, Field::FirstName, &mut f.first_name);
            text(ui, t, errors, e, Field::OtherNames, &mut f.other_names);
            first
        };
        // Keyboard first: the cursor waits in the first field when the form opens.
        if !std::mem::replace(&mut self.focused, true) && ui.memory(|m| m.focused().is_none()) {
            first.request_focus();
        }
        check(ui, t, e, "field-single-name-check", &mut f.single_name);

        ui.label(t.t("field-sex"));
        choice(
            ui,
            t,
            e,
            Field::Sex,
            &mut f.sex,
            &[("female", "sex-female"), ("male", "sex-male"), ("intersex", "sex-intersex")],
        );
        errors_for(ui, t, errors, Field::Sex);

        text(ui, t, errors, e, Field::DateOfBirth, &mut f.date_of_birth);
        check(ui, t, e, "field-dob-estimated", &mut f.dob_estimated);

        ui.label(t.t("field-citizenship"));
        choice(
            ui,
            t,
            e,
            Field::Citizenship,
            &mut f.citizenship,
            &[
                ("birth", "citizenship-birth"),
                ("registration", "citizenship-registration"),
                ("foreign", "citizenship-foreign"),
            ],
        );
        errors_for(ui, t, errors, Field::Citizenship);
        let countries = country_choices();
        let foreign = f.citizenship == "foreign";
        if foreign {
            pick(ui, t, errors, e, Field::Nationality, &mut f.nationality, countries);
            text(ui, t, errors, e, Field::AlienId, &mut f.alien_id);
        } else {
            text(ui, t, errors, e, Field::NationalId, &mut f.national_id);
        }
        text(ui, t, errors, e, Field::BirthCertificate, &mut f.birth_certificate);
        text(ui, t, errors, e, Field::Passport, &mut f.passport);
        text(ui, t, errors, e, Field::KraPin, &mut f.kra_pin);
        text(ui, t, errors, e, Field::Nhif, &mut f.nhif);
        text(ui, t, errors, e, Field::Nssf, &mut f.nssf);
        text(ui, t, errors, e, Field::Phone, &mut f.phone);

        if !foreign {
            check(ui, t, e, "field-resides-abroad", &mut f.resides_abroad);
        }
        if f.resides_abroad && !foreign {
            pick(ui, t, errors, e, Field::CountryOfResidence, &mut f.country_of_residence, countries);
        } else {
            let units = &view.facts.admin_units;
            let counties: Vec<_> =
                units.counties().iter().map(|c| (c.code.clone(), format!("{} ({})", c.name, c.code))).collect();
            if pick(ui, t, errors, e, Field::County, &mut f.county, &counties) {
                f.sub_county.clear();
                f.ward.clear();
            }
            let subs: Vec<_> = units.sub_counties_of(&f.county).map(|a| (a.code.clone(), a.name.clone())).collect();
            if pick(ui, t, errors, e, Field::SubCounty, &mut f.sub_county, &subs) {
                f.ward.clear();
            }
            let wards: Vec<_> = units.wards_of(&f.sub_county).map(|w| (w.code.clone(), w.name.clone())).collect();
            pick(ui, t, errors, e, Field::Ward, &mut f.ward, &wards);
        }

        let today = view.facts.today;
        let guardian_errors = errors.iter().any(|e| matches!(e.field, Field::GuardianId | Field::GuardianName));
        if f.is_minor(today) == Some(true) || guardian_errors {
            ui.label(egui::RichText::new(t.t("demographics-minor")).strong());
            text(ui, t, errors, e, Field::GuardianId, &mut f.guardian_id);
            text(ui, t, errors, e, Field::GuardianName, &mut f.guardian_name);
        }
        self.after(edits, today, &view.facts.admin_units);
    }

    /// Keeps the errors shown true to what is typed now: a fixed field's error goes as soon as
    /// it is fixed, and a field the assistant leaves wrong says so without waiting for Next.
    fn after(&mut self, edits: Edits, today: chrono::NaiveDate, units: &crate::domain::admin_units::AdminUnits) {
        let left = !edits.left.is_empty();
        self.left.extend(edits.left);
        if !edits.changed && !left {
            return;
        }
        let errors = self.form.validate(today, units).err().unwrap_or_default();
        self.errors = errors.into_iter().filter(|e| self.submitted || self.left.contains(&e.field)).collect();
    }
}

/// A person's details in words, in the register's order (`domain::details`): the supervisor's
/// packet view and the assistant's review show the same lines.
pub fn person_grid(
    ui: &mut egui::Ui,
    t: &I18n,
    id: &str,
    person: &crate::domain::person::Person,
    units: &crate::domain::admin_units::AdminUnits,
) {
    use crate::domain::details::{Value, lines};
    egui::Grid::new(id).num_columns(2).striped(true).show(ui, |ui| {
        for (field, value) in lines(person, units) {
            let key = match field {
                Field::Surname if person.single_name => "field-single-name",
                other => field_key(other),
            };
            ui.label(t.t(key));
            ui.label(match value {
                Value::Text(text) => text,
                Value::Key(key) => t.t(key),
                Value::YearOnly(year) => t.t_args("details-year-only", &[("year", year.to_string().into())]),
            });
            ui.end_row();
        }
    });
}
