//! A type-to-search picker: a text field that lists, right under it, the choices matching what is
//! typed. It replaces drop-downs of 47 counties or 1,450 wards that showed four rows at a time,
//! remembered their scroll and covered the field above.

/// Most matches listed at once; typing more narrows them.
const SHOWN: usize = 6;

/// What is typed in one picker, kept between frames until a choice is made or Escape pressed.
#[derive(Clone, Default)]
struct Typed(Option<String>);

/// A picker over `(code, name)` choices under the label `label`; `value` holds the chosen code.
/// Enter takes the first match (and is consumed, so it does not also move the wizard on).
/// Returns whether the choice changed.
pub fn picker(
    ui: &mut egui::Ui,
    id_salt: &str,
    label: &str,
    no_match: &str,
    value: &mut String,
    choices: &[(String, String)],
) -> bool {
    let id = ui.make_persistent_id(("picker", id_salt));
    let mut typed = ui.data(|d| d.get_temp::<Typed>(id)).unwrap_or_default().0;
    let chosen = choices.iter().find(|(code, _)| code == value).map(|(_, name)| name.as_str());
    let label = ui.label(label);
    let text_id = id.with("text");
    // Asked before the field draws: a single-line field gives up the focus on Enter as it draws.
    let focused = ui.memory(|m| m.has_focus(text_id));
    let (enter, escape) = ui.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
    let mut text = typed.clone().unwrap_or_else(|| chosen.unwrap_or_default().to_string());
    let response =
        ui.add(egui::TextEdit::singleline(&mut text).id(text_id).desired_width(f32::INFINITY)).labelled_by(label.id);
    crate::ui::theme::keep_in_view(&response);
    if response.changed() {
        typed = Some(text);
    }
    let mut changed = false;
    if let Some(query) = &typed {
        let matches = matching(choices, query);
        let enter = focused
            && enter
            && !matches.is_empty()
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
        let escape = focused && escape;
        let mut pick = enter.then(|| matches.first().map(|(code, _)| code.clone())).flatten();
        if matches.is_empty() {
            ui.weak(no_match);
        }
        ui.indent(id.with("matches"), |ui| {
            for (code, name) in &matches {
                if ui.selectable_label(code == value, name.as_str()).clicked() {
                    pick = Some(code.clone());
                }
            }
        });
        if let Some(code) = pick {
            changed = *value != code;
            *value = code;
            typed = None;
            // The cursor stays in the field (Enter would drop it), so that Tab goes on to the next.
            if enter {
                response.request_focus();
            }
        } else if escape {
            typed = None;
        }
    }
    ui.data_mut(|d| d.insert_temp(id, Typed(typed)));
    changed
}

/// The choices whose name contains what is typed, or whose code it is, ignoring case; at most
/// [`SHOWN`].
fn matching<'a>(choices: &'a [(String, String)], query: &str) -> Vec<&'a (String, String)> {
    let needle = query.trim().to_lowercase();
    choices
        .iter()
        .filter(|(code, name)| {
            needle.is_empty() || name.to_lowercase().contains(&needle) || code.to_lowercase() == needle
        })
        .take(SHOWN)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Vec<(String, String)> {
        [("047", "Nairobi (047)"), ("001", "Mombasa (001)"), ("032", "Nakuru (032)"), ("022", "Kiambu (022)")]
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    }

    #[test]
    fn matches_by_any_part_of_the_name_or_by_code_ignoring_case() {
        let c = choices();
        let names = |q: &str| matching(&c, q).iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names("nai"), ["Nairobi (047)"]);
        assert_eq!(names("NA"), ["Nairobi (047)", "Nakuru (032)"]);
        assert_eq!(names(" 001 "), ["Mombasa (001)"]);
        assert!(names("zz").is_empty());
        assert_eq!(names("").len(), 4);
    }
}
