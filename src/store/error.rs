//! Why the review store refused or failed: [`StoreError`], in words a supervisor can act on,
//! and the mapping from SQLite's error codes.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;
use thiserror::Error;

use crate::model::scorecard::ScorecardError;

/// A store operation that did not happen. Nothing was changed when this is returned.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot find your data folder for the review database (is $HOME set?); pass --db PATH")]
    NoDataDir,
    #[error("the folder for the review database does not exist; create it or pass another --db: {}", .0.display())]
    MissingDir(PathBuf),
    #[error("cannot create the folder for the review database ({source}): {}", .path.display())]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("the review database path is a folder, not a file; pass a file path with --db: {}", .0.display())]
    IsADirectory(PathBuf),
    #[error(
        "this file is not a callqa review database (or its header is damaged); it was left untouched. \
         Pass another --db, or restore it from a backup: {}",
        .0.display()
    )]
    NotADatabase(PathBuf),
    #[error(
        "the review database is damaged ({detail}); it was left untouched. Restore it from a backup \
         or pass another --db: {}",
        .path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "this SQLite file belongs to another program (it has tables but no callqa schema); it was \
         left untouched. Pass another --db: {}",
        .0.display()
    )]
    Foreign(PathBuf),
    #[error("the review database is read-only; make it writable or pass another --db: {}", .0.display())]
    ReadOnly(PathBuf),
    #[error(
        "the review database stayed locked by another program for {waited_s:.0} s; nothing was saved. \
         Close the other program (or wait) and try again: {}",
        .path.display()
    )]
    Busy { path: PathBuf, waited_s: f64 },
    #[error(
        "this review database was written by a newer callqa (schema version {found}; this callqa \
         knows up to {supported}); it was left untouched. Update callqa: {}",
        .path.display()
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error(
        "this review database has an older layout (schema version {found}) or is empty; save a review \
         with this callqa once to bring it up to date: {}",
        .path.display()
    )]
    OldSchema { path: PathBuf, found: i64 },
    #[error("the disk is full; nothing was saved. Free some space and try again: {}", .0.display())]
    DiskFull(PathBuf),
    #[error("cannot open the review database ({detail}): {}", .path.display())]
    CannotOpen { path: PathBuf, detail: String },
    #[error("{0}")]
    Scorecard(#[from] ScorecardError),
    #[error("cannot submit yet: these items are not answered: {}; answer them (yes, no or na) or save a draft", .0.join(", "))]
    Incomplete(Vec<String>),
    #[error("the reviewer's name is empty; give a name (e.g. --reviewer Asha)")]
    NoReviewer,
    #[error(
        "this review is submitted: it changes only as an amendment with a reason (kept in the audit log)"
    )]
    AmendNeedsReason,
    #[error("evidence time {time} s for item {key:?} is after the end of the call ({duration_s:.1} s)")]
    EvidenceAfterEnd { key: String, time: f64, duration_s: f64 },
    #[error("{0}")]
    BadClip(String),
    #[error("{0} not found in the review database")]
    NotFound(String),
    #[error("review {id} belongs to {detail}; it cannot be saved as this one")]
    Mismatch { id: i64, detail: String },
    #[error("the review database holds something this callqa cannot read ({0}); it was left untouched")]
    BadData(String),
    #[error("review database error: {0}")]
    Sql(rusqlite::Error),
    /// The team store (PostgreSQL) refused or failed.
    #[error("{0}")]
    Team(super::pg::PgError),
    #[error(
        "{0} is not on the team store yet; use a SQLite review database for it (--db FILE, or the \
         window's default)"
    )]
    NotOnTeamStore(&'static str),
}

impl From<super::pg::PgError> for StoreError {
    fn from(e: super::pg::PgError) -> Self {
        use super::pg::PgError;
        match e {
            PgError::AmendNeedsReason => StoreError::AmendNeedsReason,
            PgError::Incomplete(items) => StoreError::Incomplete(items),
            PgError::NotFound(what) => StoreError::NotFound(what),
            e => StoreError::Team(e),
        }
    }
}

impl StoreError {
    /// Turns a SQLite error met while working on `path` into the matching variant.
    pub(crate) fn from_sqlite(e: rusqlite::Error, path: &Path, waited_s: f64) -> StoreError {
        let p = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase(p),
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path: p, detail: e.to_string() },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Busy { path: p, waited_s }
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(p),
            Some(ErrorCode::DiskFull) => StoreError::DiskFull(p),
            Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::CannotOpen { path: p, detail: e.to_string() }
            }
            _ => StoreError::Sql(e),
        }
    }

    /// A lock held by someone else: worth trying the whole transaction again.
    pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
        matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
    }
}
