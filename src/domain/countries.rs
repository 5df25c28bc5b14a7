//! ISO 3166-1 countries, for nationality and country of residence.

use super::csv;
use std::sync::OnceLock;

/// One ISO 3166-1 country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// Two-letter code, e.g. "KE".
    pub alpha2: String,
    /// Three-letter code, e.g. "KEN".
    pub alpha3: String,
    /// English short name.
    pub name: String,
}

const ISO_3166_CSV: &str = include_str!("../../assets/countries/iso3166-1.csv");

/// Kenya's alpha-2 code.
pub const KENYA: &str = "KE";

/// All countries, parsed once from the list compiled into the program.
pub fn all() -> &'static [Country] {
    static LIST: OnceLock<Vec<Country>> = OnceLock::new();
    LIST.get_or_init(|| {
        csv::records(ISO_3166_CSV)
            .into_iter()
            .skip(1)
            .filter_map(|(_, f)| match f.as_slice() {
                [a2, a3, name] => Some(Country { alpha2: a2.clone(), alpha3: a3.clone(), name: name.clone() }),
                _ => None,
            })
            .collect()
    })
}

/// Finds a country by its alpha-2 or alpha-3 code, in any case.
pub fn find(code: &str) -> Option<&'static Country> {
    let code = code.trim().to_ascii_uppercase();
    all().iter().find(|c| c.alpha2 == code || c.alpha3 == code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_list_is_whole() {
        assert_eq!(super::all().len(), 249);
        assert_eq!(super::find("ken").map(|c| c.alpha2.as_str()), Some("KE"));
        assert_eq!(super::find("ug").map(|c| c.name.as_str()), Some("Uganda"));
        assert!(super::find("XX").is_none());
    }
}
