//! callqa: review the quality of recorded customer-care calls.
//!
//! Data flows one way: file → [`audio`] (decode) → samples → [`analysis`] → evidence → [`ui`];
//! reviews flow [`ui`] → [`store`]. See `ARCHITECTURE.md` for the rooms and their invariants.

pub mod analysis;
pub mod app;
pub mod audio;
pub mod cli;
pub mod jobs;
pub mod model;
pub mod safe_csv;
pub mod safe_file;
pub mod store;
pub mod transcript;
pub mod ui;
