//! Replay sources.
