//! Every screen the screenshot tour walks (login to a scenario's verdict, in English and then in
//! Kiswahili) at a netbook's 1024×600 and at 1280×800, read as the accessibility tree a screen
//! reader gets: nothing may stand cut off past the window's side, and no English message may show
//! on a Kiswahili screen. Each screen's text is written out (`ENROLL_KIT_SNAPSHOTS=DIR`) for a
//! person to diff between versions; the assertions are what fails the build.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

#[path = "common/gui.rs"]
mod gui_steps;

use egui_kittest::kittest::NodeT;
use gui_steps::{app, harness_sized, one_at_a_time, settle};
use std::collections::BTreeMap;

/// One line per labelled widget: role, label, and where it stands.
struct Widget {
    role: String,
    label: String,
    rect: egui::Rect,
}

fn widgets(h: &egui_kittest::Harness<'_, enroll_kit::ui::KitApp>) -> Vec<Widget> {
    let root = h.root();
    let mut out: Vec<Widget> = root
        .children_recursive()
        .filter_map(|n| {
            let node = n.accesskit_node();
            // Buttons carry their text as a label, plain text as a value.
            let label = node.label().or_else(|| node.value()).filter(|l| !l.trim().is_empty())?;
            node.bounding_box()?;
            Some(Widget { role: format!("{:?}", node.role()), label, rect: n.rect() })
        })
        .collect();
    out.sort_by(|a, b| a.rect.min.y.total_cmp(&b.rect.min.y).then(a.rect.min.x.total_cmp(&b.rect.min.x)));
    out
}

/// The messages of a Fluent file that take no arguments: key → text.
fn plain_messages(ftl: &str) -> BTreeMap<String, String> {
    ftl.lines()
        .filter(|l| !l.starts_with([' ', '#', '.', '\t']))
        .filter_map(|l| l.split_once(" = "))
        .filter(|(_, v)| !v.contains('{'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// English texts that have a Kiswahili wording of their own (long enough not to be a name or a
/// unit that reads the same in both).
fn english_only() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let en = plain_messages(&std::fs::read_to_string(format!("{root}/assets/i18n/en.ftl")).unwrap());
    let sw = plain_messages(&std::fs::read_to_string(format!("{root}/assets/i18n/sw.ftl")).unwrap());
    let mut texts: Vec<String> = en
        .iter()
        // The consent step shows the consent in both languages on purpose: the assistant reads
        // it in the one the applicant speaks.
        .filter(|(k, _)| k.as_str() != "consent-text")
        .filter(|(k, v)| v.chars().count() >= 12 && sw.get(*k).is_some_and(|s| s != *v))
        .map(|(_, v)| v.clone())
        .collect();
    texts.sort();
    texts.dedup();
    texts
}

fn walk(size: egui::Vec2) {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    app.tour_pausing();
    let mut h = harness_sized(app, size);
    let english = english_only();
    assert!(english.len() > 100, "the English messages are read: {}", english.len());
    let out = std::env::var_os("ENROLL_KIT_SNAPSHOTS").map(std::path::PathBuf::from);
    let mut screens = Vec::new();
    let mut problems = Vec::new();
    loop {
        settle(&mut h, "the tour's next screen", &|h| h.state().tour_paused().is_some() || !h.state().touring());
        let Some(screen) = h.state().tour_paused().map(str::to_string) else { break };
        // Let the screen settle as the tour's pictures do: a few frames for layouts that size
        // themselves on their first frame.
        for _ in 0..3 {
            h.step();
        }
        let shown = widgets(&h);
        assert!(shown.len() >= 3, "{screen}: the screen is read ({} widgets)", shown.len());
        for w in &shown {
            if w.rect.min.x < -0.5 || w.rect.max.x > size.x + 0.5 {
                problems.push(format!(
                    "{screen} at {}×{}: {} {:?} is cut off: {:?}",
                    size.x, size.y, w.role, w.label, w.rect
                ));
            }
        }
        if screen.ends_with("-sw") {
            for w in &shown {
                if let Some(e) = english.iter().find(|e| w.label.contains(e.as_str())) {
                    problems.push(format!("{screen}: English on the Kiswahili screen: {e:?} in {:?}", w.label));
                }
            }
        }
        if let Some(dir) = &out {
            std::fs::create_dir_all(dir).unwrap();
            let text: String = shown
                .iter()
                .map(|w| {
                    format!(
                        "{:>5.0} {:>5.0}  {:<12} {}\n",
                        w.rect.min.x,
                        w.rect.min.y,
                        w.role,
                        w.label.replace('\n', " / ")
                    )
                })
                .collect();
            std::fs::write(dir.join(format!("{screen}-{}x{}.txt", size.x, size.y)), text).unwrap();
        }
        screens.push(screen);
        h.state_mut().tour_resume();
    }
    assert_eq!(screens.len(), 32, "every screen of the tour in both languages: {screens:?}");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_screen_at_1024_by_600_fits_the_width_and_speaks_kiswahili() {
    walk(egui::vec2(1024.0, 600.0));
}

#[test]
fn every_screen_at_1280_by_800_fits_the_width_and_speaks_kiswahili() {
    walk(egui::vec2(1280.0, 800.0));
}
