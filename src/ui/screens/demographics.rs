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

/// The form's state: what is typed and the errors from the last Next.
#[derive(Debug, Default)]
pub struct DemographicsForm {
    /// The fields as typed.
    pub form: PersonForm,
    /// Errors to show beside their fields.
    pub errors: Vec<FieldError>,
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

fn text(ui: &mut egui::Ui, t: &I18n, errors: &[FieldError], field: Field, value: &mut String) {
    let label = ui.label(t.t(field_key(field)));
    ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY)).labelled_by(label.id);
    errors_for(ui, t, errors, field);
}

/// A combo box over `(code, name)` choices; returns whether the choice changed.
fn pick(
    ui: &mut egui::Ui,
    t: &I18n,
    errors: &[FieldError],
    field: Field,
    value: &mut String,
    choices: &[(String, String)],
) -> bool {
    let label = ui.label(t.t(field_key(field)));
    let shown = choices.iter().find(|(code, _)| code == value).map_or_else(|| t.t("choose"), |(_, name)| name.clone());
    let before = value.clone();
    let response = egui::ComboBox::from_id_salt(field_key(field))
        .selected_text(shown)
        .width(theme::COLUMN_WIDTH)
        .show_ui(ui, |ui| {
            for (code, name) in choices {
                ui.selectable_value(value, code.clone(), name);
            }
        });
    response.response.labelled_by(label.id);
    errors_for(ui, t, errors, field);
    *value != before
}

fn choice(ui: &mut egui::Ui, t: &I18n, value: &mut String, options: &[(&str, &str)]) {
    ui.horizontal_wrapped(|ui| {
        for (code, key) in options {
            if ui.selectable_label(value == code, t.t(key)).clicked() {
                *value = (*code).to_string();
            }
        }
    });
}

impl DemographicsForm {
    /// Draws the form.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>) {
        let t = view.i18n;
        let errors = &self.errors;
        let f = &mut self.form;
        ui.set_max_width(theme::COLUMN_WIDTH);
        text(ui, t, errors, Field::Surname, &mut f.surname);
        text(ui, t, errors, Field::FirstName, &mut f.first_name);
        text(ui, t, errors, Field::OtherNames, &mut f.other_names);

        ui.label(t.t("field-sex"));
        choice(ui, t, &mut f.sex, &[("female", "sex-female"), ("male", "sex-male"), ("intersex", "sex-intersex")]);
        errors_for(ui, t, errors, Field::Sex);

        text(ui, t, errors, Field::DateOfBirth, &mut f.date_of_birth);
        ui.checkbox(&mut f.dob_estimated, t.t("field-dob-estimated"));

        ui.label(t.t("field-citizenship"));
        choice(
            ui,
            t,
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
            pick(ui, t, errors, Field::Nationality, &mut f.nationality, countries);
            text(ui, t, errors, Field::AlienId, &mut f.alien_id);
        } else {
            text(ui, t, errors, Field::NationalId, &mut f.national_id);
        }
        text(ui, t, errors, Field::BirthCertificate, &mut f.birth_certificate);
        text(ui, t, errors, Field::Passport, &mut f.passport);
        text(ui, t, errors, Field::KraPin, &mut f.kra_pin);
        text(ui, t, errors, Field::Nhif, &mut f.nhif);
        text(ui, t, errors, Field::Nssf, &mut f.nssf);
        text(ui, t, errors, Field::Phone, &mut f.phone);

        if !foreign {
            ui.checkbox(&mut f.resides_abroad, t.t("field-resides-abroad"));
        }
        if f.resides_abroad && !foreign {
            pick(ui, t, errors, Field::CountryOfResidence, &mut f.country_of_residence, countries);
        } else {
            let units = view.kit.admin_units();
            let counties: Vec<_> =
                units.counties().iter().map(|c| (c.code.clone(), format!("{} ({})", c.name, c.code))).collect();
            if pick(ui, t, errors, Field::County, &mut f.county, &counties) {
                f.sub_county.clear();
                f.ward.clear();
            }
            let subs: Vec<_> = units.sub_counties_of(&f.county).map(|a| (a.code.clone(), a.name.clone())).collect();
            if pick(ui, t, errors, Field::SubCounty, &mut f.sub_county, &subs) {
                f.ward.clear();
            }
            let wards: Vec<_> = units.wards_of(&f.sub_county).map(|w| (w.code.clone(), w.name.clone())).collect();
            pick(ui, t, errors, Field::Ward, &mut f.ward, &wards);
        }

        let today = view.kit.now().date_naive();
        let guardian_errors = errors.iter().any(|e| matches!(e.field, Field::GuardianId | Field::GuardianName));
        if f.is_minor(today) == Some(true) || guardian_errors {
            ui.label(egui::RichText::new(t.t("demographics-minor")).strong());
            text(ui, t, errors, Field::GuardianId, &mut f.guardian_id);
            text(ui, t, errors, Field::GuardianName, &mut f.guardian_name);
        }
    }
}
