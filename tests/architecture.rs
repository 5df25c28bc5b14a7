//! The layering the README's Layout promises, checked on the sources: `domain` does no I/O and
//! reads no clock, the library never imports the window (`ui`), and screens draw what they are
//! given without touching the database or files. (Code under `#[cfg(test)]` is left out: a test
//! may make a file or read the clock.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its text up to its test module.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_string();
                out.push((path, code));
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The files of `files` whose code holds any of `words`, with the word found.
fn holding(files: &[(PathBuf, String)], words: &[&str]) -> Vec<String> {
    files
        .iter()
        .flat_map(|(path, code)| {
            words.iter().filter(|w| code.contains(*w)).map(move |w| format!("{}: {w}", path.display()))
        })
        .collect()
}

#[test]
fn the_domain_does_no_io_reads_no_clock_and_draws_no_random_numbers() {
    let domain = sources(&src().join("domain"));
    assert!(domain.len() > 10, "the domain's files are found");
    let found = holding(
        &domain,
        &[
            "std::fs",
            "std::net",
            "std::process",
            "File::",
            "rusqlite",
            "Utc::now",
            "SystemTime",
            "Instant::now",
            "rand::",
        ],
    );
    assert!(found.is_empty(), "I/O, clocks or randomness in domain: {found:#?}");
}

#[test]
fn the_library_never_imports_the_window() {
    let root = src();
    let library: Vec<_> = sources(&root)
        .into_iter()
        .filter(|(p, _)| {
            let rel = p.strip_prefix(&root).unwrap();
            // The window itself, and the binary that opens it (main.rs, `enroll-kit pilot`).
            !(rel.starts_with("ui") || rel == Path::new("main.rs") || rel == Path::new("cli/gui.rs"))
        })
        .collect();
    assert!(library.len() > 50, "the library's files are found");
    let found = holding(&library, &["crate::ui", "enroll_kit::ui", "egui::", "eframe::"]);
    assert!(found.is_empty(), "the library reaches into the window: {found:#?}");
}

#[test]
fn screens_touch_no_database_and_no_file() {
    let screens = sources(&src().join("ui/screens"));
    assert!(screens.len() >= 10, "the screens are found");
    let found = holding(&screens, &[".store.", ".store(", "std::fs", "File::", "rusqlite", "std::io::Write"]);
    assert!(found.is_empty(), "a screen reads or writes for itself (ask workflow/ for it): {found:#?}");
}

#[test]
fn the_window_goes_through_the_workflow_layer_only() {
    let window = sources(&src().join("ui"));
    assert!(window.len() >= 15, "the window's files are found");
    let found = holding(
        &window,
        &["crate::store", "crate::kit", "crate::batch", "crate::devices", "crate::sync", "crate::packet", ".kit()"],
    );
    assert!(found.is_empty(), "the window reaches past workflow/ (ask workflow::app::KitCore): {found:#?}");
}
