//! Kenya's counties, sub-counties, constituencies and wards.
//!
//! Parsed from CSV text: the tables compiled into the program from assets/admin-units/, or a
//! corrected set a kit loads from its data dir (the source marks its data as under review).

use super::csv;
use std::collections::HashSet;
use std::sync::OnceLock;
use thiserror::Error;

/// A county: code "001".."047".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    /// Three-digit county code.
    pub code: String,
    /// County name.
    pub name: String,
}

/// A sub-county or a constituency: both sit under a county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Its code (KESC-… for sub-counties, KE… for constituencies).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county it belongs to.
    pub county: String,
}

/// A ward: under a constituency and (for all but a few) a sub-county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ward {
    /// Ward code (KEW-…).
    pub code: String,
    /// Ward name.
    pub name: String,
    /// Constituency code.
    pub constituency: String,
    /// Sub-county code, when the source knows it.
    pub sub_county: Option<String>,
}

/// The whole hierarchy, indexed for the pickers and for validation.
#[derive(Debug, Clone, Default)]
pub struct AdminUnits {
    counties: Vec<County>,
    sub_counties: Vec<Area>,
    constituencies: Vec<Area>,
    wards: Vec<Ward>,
}

/// A problem in an admin-units table.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{table}, line {line}: {problem}")]
pub struct AdminUnitsError {
    /// Which table (counties.csv, …).
    pub table: &'static str,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

const COUNTIES: &str = include_str!("../../assets/admin-units/counties.csv");
const SUB_COUNTIES: &str = include_str!("../../assets/admin-units/sub_counties.csv");
const CONSTITUENCIES: &str = include_str!("../../assets/admin-units/constituencies.csv");
const WARDS: &str = include_str!("../../assets/admin-units/wards.csv");

/// The four tables' texts, in the shipped CSV layout.
pub struct AdminUnitTables<'a> {
    /// counties.csv: code,name,capital
    pub counties: &'a str,
    /// sub_counties.csv: code,name,county_code
    pub sub_counties: &'a str,
    /// constituencies.csv: code,name,county_code
    pub constituencies: &'a str,
    /// wards.csv: code,name,constituency_code,sub_county_code
    pub wards: &'a str,
}

impl AdminUnits {
    /// The tables compiled into the program, parsed once.
    pub fn bundled() -> &'static AdminUnits {
        static UNITS: OnceLock<AdminUnits> = OnceLock::new();
        UNITS.get_or_init(|| {
            let tables = AdminUnitTables {
                counties: COUNTIES,
                sub_counties: SUB_COUNTIES,
                constituencies: CONSTITUENCIES,
                wards: WARDS,
            };
            // The shipped tables are checked by a unit test, so this cannot fail in a release.
            AdminUnits::parse(&tables).unwrap_or_default()
        })
    }

    /// Parses and cross-checks the four tables.
    pub fn parse(t: &AdminUnitTables<'_>) -> Result<Self, AdminUnitsError> {
        let mut units = AdminUnits::default();
        for (line, f) in rows("counties.csv", t.counties, 3)? {
            let code = f[0].clone();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("counties.csv", line, format!("county code {code:?} is not 3 digits")));
            }
            units.counties.push(County { code, name: f[1].clone() });
        }
        let counties: HashSet<String> = units.counties.iter().map(|c| c.code.clone()).collect();
        for (table, text, list) in [
            ("sub_counties.csv", t.sub_counties, &mut units.sub_counties),
            ("constituencies.csv", t.constituencies, &mut units.constituencies),
        ] {
            for (line, f) in rows(table, text, 3)? {
                if !counties.contains(&f[2]) {
                    return Err(err(table, line, format!("unknown county code {:?}", f[2])));
                }
                list.push(Area { code: f[0].clone(), name: f[1].clone(), county: f[2].clone() });
            }
        }
        let constituencies: HashSet<&str> = units.constituencies.iter().map(|c| c.code.as_str()).collect();
        let sub_counties: HashSet<&str> = units.sub_counties.iter().map(|c| c.code.as_str()).collect();
        let mut wards = Vec::new();
        for (line, f) in rows("wards.csv", t.wards, 4)? {
            if !constituencies.contains(f[2].as_str()) {
                return Err(err("wards.csv", line, format!("unknown constituency code {:?}", f[2])));
            }
            let sub_county = (!f[3].is_empty()).then(|| f[3].clone());
            if let Some(sc) = &sub_county
                && !sub_counties.contains(sc.as_str())
            {
                return Err(err("wards.csv", line, format!("unknown sub-county code {sc:?}")));
            }
            wards.push(Ward { code: f[0].clone(), name: f[1].clone(), constituency: f[2].clone(), sub_county });
        }
        units.wards = wards;
        Ok(units)
    }

    /// All counties in code order.
    pub fn counties(&self) -> &[County] {
        &self.counties
    }

    /// The county with this code.
    pub fn county(&self, code: &str) -> Option<&County> {
        self.counties.iter().find(|c| c.code == code)
    }

    /// Sub-counties of a county.
    pub fn sub_counties_of<'a>(&'a self, county: &'a str) -> impl Iterator<Item = &'a Area> + 'a {
        self.sub_counties.iter().filter(move |a| a.county == county)
    }

    /// Constituencies of a county.
    pub fn constituencies_of<'a>(&'a self, county: &'a str) -> impl Iterator<Item = &'a Area> + 'a {
        self.constituencies.iter().filter(move |a| a.county == county)
    }

    /// The sub-county or constituency with this code.
    pub fn area(&self, code: &str) -> Option<&Area> {
        self.sub_counties.iter().chain(&self.constituencies).find(|a| a.code == code)
    }

    /// Wards under a sub-county or constituency code.
    pub fn wards_of<'a>(&'a self, area: &'a str) -> impl Iterator<Item = &'a Ward> + 'a {
        self.wards.iter().filter(move |w| w.constituency == area || w.sub_county.as_deref() == Some(area))
    }

    /// The ward with this code.
    pub fn ward(&self, code: &str) -> Option<&Ward> {
        self.wards.iter().find(|w| w.code == code)
    }

    /// How many of each: counties, sub-counties, constituencies, wards.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (self.counties.len(), self.sub_counties.len(), self.constituencies.len(), self.wards.len())
    }
}

fn err(table: &'static str, line: usize, problem: String) -> AdminUnitsError {
    AdminUnitsError { table, line, problem }
}

fn rows(table: &'static str, text: &str, fields: usize) -> Result<Vec<(usize, Vec<String>)>, AdminUnitsError> {
    let mut records = csv::records(text).into_iter();
    if records.next().is_none() {
        return Err(err(table, 1, "the table is empty".into()));
    }
    let mut out = Vec::new();
    for (line, f) in records {
        if f.len() != fields {
            return Err(err(table, line, format!("expected {fields} fields, found {}", f.len())));
        }
        if f[0].trim().is_empty() || f[1].trim().is_empty() {
            return Err(err(table, line, "code and name must not be empty".into()));
        }
        out.push((line, f));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_tables_load_whole() {
        let tables = AdminUnitTables {
            counties: COUNTIES,
            sub_counties: SUB_COUNTIES,
            constituencies: CONSTITUENCIES,
            wards: WARDS,
        };
        let units = AdminUnits::parse(&tables).expect("shipped admin units parse");
        assert_eq!(units.counts(), (47, 301, 290, 1450));
        assert_eq!(units.county("047").map(|c| c.name.as_str()), Some("Nairobi"));
        assert!(units.sub_counties_of("001").count() >= 6);
        let changamwe: Vec<_> = units.wards_of("KE001001").map(|w| w.name.as_str()).collect();
        assert!(changamwe.contains(&"Port Reitz"));
    }

    #[test]
    fn a_broken_table_names_its_line() {
        let tables = AdminUnitTables {
            counties: "code,name,capital\n001,Mombasa,Mombasa\n",
            sub_counties: "code,name,county_code\nKESC-001,Changamwe,002\n",
            constituencies: "code,name,county_code\n",
            wards: "code,name,constituency_code,sub_county_code\n",
        };
        let e = AdminUnits::parse(&tables).unwrap_err();
        assert_eq!((e.table, e.line), ("sub_counties.csv", 2));
        assert!(e.problem.contains("002"));
    }
}
