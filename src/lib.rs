//! enroll-kit: an offline field enrollment kit for a national identity register.
//!
//! The library holds everything but the window: the register's rules (`domain`), signed
//! packets (`packet`), the kit's SQLite store (`store`), provisioning and configuration (`kit`),
//! what a person at the kit does (`workflow`), uploads (`sync`) and the central office's intake
//! (`intake`). The GUI and the command line drive `workflow`.

pub mod assets;
pub mod batch;
pub mod biometrics;
pub mod crashpoint;
pub mod devices;
pub mod domain;
pub mod inherit;
pub mod intake;
pub mod interchange;
pub mod kit;
pub mod packet;
pub mod secret;
pub mod slip;
pub mod store;
pub mod sync;
#[cfg(feature = "gui")]
pub mod ui;
pub mod workflow;
