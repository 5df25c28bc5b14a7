//! ADH-Tech GT-511C3 / GT-521Fxx UART modules.
