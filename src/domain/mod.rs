//! Pure types and rules of the register: no I/O, no clocks, no randomness.
//!
//! Everything here takes the current time or reference data as arguments, so every
//! rule a person at the kit meets can be tested on its own.

pub mod account;
pub mod admin_units;
pub mod audit;
pub mod biometrics;
pub mod countries;
mod csv;
pub mod details;
pub mod enrollment;
pub mod notice;
pub mod person;
pub mod rid;
pub mod scenario;
pub mod status;
