//! ADH-Tech GT-511C3 / GT-521F32 / GT-521F52 UART modules: protocol, adapter, simulator.

pub mod protocol;
pub mod reader;
pub mod sim;

pub use reader::Gt521Reader;
pub use sim::{Gt521Sim, Gt521SimConfig};
