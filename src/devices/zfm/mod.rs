//! ZhianTec / GROW / AS608 UART modules (R305, R307, R503, AS608, FPM10A): protocol, adapter, simulator.

pub mod protocol;
pub mod reader;
pub mod sim;

pub use reader::ZfmReader;
pub use sim::{ZfmSim, ZfmSimConfig};
