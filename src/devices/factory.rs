//! Listing and opening readers.
