//! The one translation layer: Project Fluent messages from assets/i18n, English and Kiswahili.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

const EN_FTL: &str = include_str!("../../assets/i18n/en.ftl");
const SW_FTL: &str = include_str!("../../assets/i18n/sw.ftl");

/// A screen language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// Kiswahili.
    Sw,
}

impl Language {
    /// The code stored with an account.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Sw => "sw",
        }
    }

    /// The language for a stored code; English for anything else.
    pub fn from_code(code: &str) -> Language {
        if code == "sw" { Language::Sw } else { Language::En }
    }
}

fn bundle(lang: &str, ftl: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // Isolation marks around arguments render as boxes in egui and break matching by label.
    bundle.set_use_isolating(false);
    // The files are compiled in and checked by a test; a parse error keeps what did parse.
    let resource = FluentResource::try_new(ftl.to_string()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

/// Translations for both languages, and the one in use.
pub struct I18n {
    en: FluentBundle<FluentResource>,
    sw: FluentBundle<FluentResource>,
    lang: Language,
}

impl Default for I18n {
    fn default() -> Self {
        Self::new(Language::En)
    }
}

impl I18n {
    /// Both bundles, showing `lang`.
    pub fn new(lang: Language) -> Self {
        I18n { en: bundle("en", EN_FTL), sw: bundle("sw", SW_FTL), lang }
    }

    /// The language shown.
    pub fn language(&self) -> Language {
        self.lang
    }

    /// Shows another language.
    pub fn set_language(&mut self, lang: Language) {
        self.lang = lang;
    }

    /// The message `key` in the current language.
    pub fn t(&self, key: &str) -> String {
        self.t_args(key, &[])
    }

    /// The message `key` in `lang`, whichever language is shown (the consent text in both).
    pub fn t_in(&self, lang: Language, key: &str) -> String {
        self.format(lang, key, &[])
    }

    /// The message `key` with arguments.
    pub fn t_args(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.format(self.lang, key, args)
    }

    /// A notice from the kit's core, worded in the current language.
    pub fn notice(&self, notice: &crate::domain::notice::Notice) -> String {
        use crate::domain::notice::NoticeArg;
        let args: Vec<(&str, FluentValue<'_>)> = notice
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    NoticeArg::Text(t) => FluentValue::from(t.as_str()),
                    NoticeArg::Number(n) => FluentValue::from(*n),
                };
                (*name, value)
            })
            .collect();
        self.format(self.lang, notice.key, &args)
    }

    fn format(&self, lang: Language, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let bundle = match lang {
            Language::En => &self.en,
            Language::Sw => &self.sw,
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, "missing translation");
            return key.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn keys(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    fn rust_sources(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn both_languages_parse_and_have_the_same_keys() {
        for (name, ftl) in [("en", EN_FTL), ("sw", SW_FTL)] {
            assert!(FluentResource::try_new(ftl.to_string()).is_ok(), "{name}.ftl parses");
        }
        let (en, sw) = (keys(EN_FTL), keys(SW_FTL));
        let only_en: Vec<_> = en.difference(&sw).collect();
        let only_sw: Vec<_> = sw.difference(&en).collect();
        assert!(only_en.is_empty() && only_sw.is_empty(), "missing in sw: {only_en:?}; missing in en: {only_sw:?}");
    }

    #[test]
    fn every_key_is_used_and_every_used_key_exists() {
        let mut source = String::new();
        rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut source);
        let defined = keys(EN_FTL);
        let unused: Vec<_> = defined.iter().filter(|k| !source.contains(&format!("\"{k}\""))).collect();
        assert!(unused.is_empty(), "keys no code uses: {unused:?}");
        // Every literal handed to t()/t_args() must be defined.
        let mut missing = Vec::new();
        for marker in [".t(\"", ".t_args(\"", "Notice::new(\""] {
            for piece in source.split(marker).skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                if !defined.contains(key) {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    /// `notice` has a sentence of its own in both languages, every argument filled, and the
    /// Kiswahili one does not carry the error's English `display`.
    fn worded_in_both(notice: &crate::domain::notice::Notice, display: &str, passes_through: bool) {
        let (en, sw) = (I18n::new(Language::En).notice(notice), I18n::new(Language::Sw).notice(notice));
        assert!(en != notice.key && sw != notice.key, "{} is defined", notice.key);
        assert!(!en.contains('{') && !sw.contains('{'), "every argument given: {en} / {sw}");
        assert_ne!(en, sw, "{} is translated", notice.key);
        if !passes_through {
            assert!(!sw.contains(display), "no English sentence on a Kiswahili screen: {sw}");
        }
    }

    #[test]
    fn every_export_failure_a_supervisor_meets_is_worded_in_both_languages() {
        use crate::batch::BatchError;
        use std::path::PathBuf;
        let stick = PathBuf::from("/media/stick/KIT-0042-2026-12-04.ekb");
        for e in [
            BatchError::Write { path: stick.clone(), detail: "No space left on device (os error 28)".into() },
            BatchError::ReadBack(stick),
            BatchError::Empty("production"),
            BatchError::Busy,
            BatchError::UnknownBatch("KIT-0042-7".into()),
            BatchError::Cancelled,
        ] {
            let display = e.to_string();
            let notice = crate::workflow::WorkflowError::Batch(e).notice();
            assert_ne!(notice.key, "error-detail", "{notice:?} has a sentence of its own");
            worded_in_both(&notice, &display, false);
        }
    }

    #[test]
    fn a_full_disk_a_busy_or_a_damaged_database_is_worded_in_both_languages() {
        use crate::store::StoreError;
        use std::path::PathBuf;
        let sqlite = |code| StoreError::Sqlite {
            path: PathBuf::from("/home/kit/.local/share/enroll-kit/kit.db"),
            source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
        };
        let cases = [
            (sqlite(rusqlite::ffi::SQLITE_FULL), "error-disk-full"),
            (StoreError::DiskFull { path: PathBuf::from("kit.db") }, "error-disk-full"),
            (sqlite(rusqlite::ffi::SQLITE_BUSY), "error-db-busy"),
            (sqlite(rusqlite::ffi::SQLITE_READONLY), "error-db-unwritable"),
            (StoreError::Corrupt { path: PathBuf::from("kit.db"), detail: "malformed".into() }, "error-db-corrupt"),
        ];
        for (e, key) in cases {
            let display = e.to_string();
            let notice = crate::workflow::WorkflowError::Store(e).notice();
            assert_eq!(notice.key, key);
            worded_in_both(&notice, &display, false);
        }
    }

    #[test]
    fn every_device_failure_is_worded_in_both_languages() {
        use crate::devices::{DeviceError, error::ProtocolError};
        use std::time::Duration;
        let errors = [
            DeviceError::Open { port: "/dev/ttyUSB0".into(), detail: "No such file or directory".into() },
            DeviceError::Timeout { what: "the image".into(), after: Duration::from_millis(2500) },
            DeviceError::NoFinger(Duration::from_secs(10)),
            DeviceError::FingerLifted,
            DeviceError::Protocol(ProtocolError::BadLength(0)),
            DeviceError::Module { code: 0x1f, meaning: "the fingerprint library is full" },
            DeviceError::WrongPassword,
            DeviceError::NoAnswer { tried: vec![57600, 115200] },
            DeviceError::Disconnected,
            DeviceError::WrongModule { expected: 0xFFFF_FFFF, found: 0x1234_5678 },
            DeviceError::Cancelled,
            DeviceError::Unsupported("this profile has no camera".into()),
            DeviceError::Source("no images in the folder".into()),
        ];
        for e in &errors {
            // (Only a profile's or a folder's own words pass through as they are.)
            let passes_through = matches!(e, DeviceError::Unsupported(_) | DeviceError::Source(_));
            worded_in_both(&e.notice(), &e.to_string(), passes_through);
        }
        assert_eq!(
            I18n::new(Language::Sw).notice(&DeviceError::Disconnected.notice()),
            "Kisoma kimetenganishwa. Kichomeke tena na ubonyeze Jaribu tena."
        );
    }

    #[test]
    fn every_sbi_failure_is_worded_in_both_languages() {
        use crate::devices::sbi::{SbiError, error::NOTICE_KEYS, jws::JwsError};
        use std::time::Duration;
        let errors = [
            SbiError::NotFound { first: 4501, last: 4600 },
            SbiError::Timeout { port: 4501, what: "the capture", after: Duration::from_secs(45) },
            SbiError::Device { code: 111, info: "device busy".into() },
            SbiError::Device { code: 110, info: "device not ready".into() },
            SbiError::Device { code: 701, info: "capture timeout".into() },
            SbiError::Device { code: 105, info: "image orientation".into() },
            SbiError::Device { code: 103, info: "tamper".into() },
            SbiError::Device { code: 555, info: "vendor".into() },
            SbiError::NotRegistered,
            SbiError::Signature(JwsError::BadSignature),
            SbiError::Timestamp("2026-12-07T10:00:00Z".into()),
            SbiError::Transaction { sent: "a".into(), got: "b".into() },
        ];
        let mut seen = std::collections::BTreeSet::new();
        for e in errors {
            let notice = e.notice();
            assert!(NOTICE_KEYS.contains(&notice.key), "{} is listed", notice.key);
            seen.insert(notice.key);
            worded_in_both(&notice, &e.to_string(), false);
        }
        assert!(seen.len() >= 10, "the failures have sentences of their own: {seen:?}");
    }

    #[test]
    fn counts_take_the_plural_form_of_each_language() {
        for ftl in [EN_FTL, SW_FTL] {
            assert!(!ftl.contains("(s)"), "a count is worded by Fluent's plural rules, never as \"packet(s)\"");
        }
        let mut i18n = I18n::new(Language::En);
        let count = |i18n: &I18n, n: u32| i18n.t_args("close-batch-count", &[("count", n.into())]);
        assert_eq!(
            (count(&i18n, 1), count(&i18n, 2), count(&i18n, 0)),
            ("1 packet".into(), "2 packets".into(), "0 packets".into())
        );
        i18n.set_language(Language::Sw);
        let pending = |n: u32| i18n.t_args("close-pending", &[("count", n.into())]);
        assert!(pending(1).starts_with("Pakiti 1 bado inasubiri"), "{}", pending(1));
        assert!(pending(3).starts_with("Pakiti 3 bado zinasubiri"), "{}", pending(3));
        assert_eq!(i18n.t_in(Language::En, "login-button"), "Log in", "either language on demand");
    }

    #[test]
    fn arguments_and_languages() {
        let mut i18n = I18n::new(Language::En);
        assert_eq!(i18n.t_args("home-today", &[("count", 3.into())]), "Enrollments today on this kit: 3");
        i18n.set_language(Language::Sw);
        assert_eq!(i18n.t("login-button"), "Ingia");
        // Built at run time so the used-key scan above does not take it for a real key.
        let missing = ["no", "such", "key"].join("-");
        assert_eq!(i18n.t(&missing), missing, "a missing key shows as itself, never a panic");
        assert_eq!(Language::from_code("sw"), Language::Sw);
        assert_eq!(Language::from_code("fr"), Language::En);
    }
}
