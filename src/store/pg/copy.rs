//! `callqa db copy --from SRC --to DST`: moves a single-seat SQLite store into a new team
//! store, or the team store into a new SQLite file (a backup, or a way back), and proves the
//! copy by per-table row counts and content hashes (see `docs/team-store.md`).
//!
//! - SQLite → PostgreSQL ([`sqlite_to_pg`]): the destination is a team store made by
//!   `db init-team` holding nothing but init-team's seed; the login is a superuser. First an
//!   online backup of the source (`SRC.backup-YYYYmmddTHHMMSS.sqlite3`, UTC, never
//!   overwritten); then, in one transaction with triggers off for it alone, the seed is
//!   replaced by every row of the source, ids kept, sequences moved past them; foreign keys
//!   and every table's count and hash are checked before COMMIT (else ROLLBACK).
//! - PostgreSQL → SQLite ([`pg_to_sqlite`]): the destination file must not exist; it is made
//!   with callqa's schema and filled in one transaction, checked before COMMIT (else the file
//!   is removed). The source is read in one REPEATABLE READ snapshot by a login that sees
//!   every row (superuser, lead or admin).
//!
//! Either way, a source holding a table that is not in the copy's list (`tables::TABLES`)
//! is refused before anything is written ([`CopyError::UnknownTables`]): a table is copied or
//! the copy does not happen, never left behind silently.

mod pg_side;
mod sqlite_side;
mod tables;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use thiserror::Error;

use super::{PgError, connect};
use crate::store::{Store, StoreError};
use tables::{Rows, TABLES};

/// Why a copy did not happen (nothing was written to the destination).
#[derive(Debug, Error)]
pub enum CopyError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Pg(#[from] PgError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("SQLite error ({source}): {}", .path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("cannot write the file ({source}): {}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the backup file already exists; nothing was copied. Wait a second and try again: {}", .0.display())]
    BackupExists(PathBuf),
    #[error(
        "the destination file already exists; db copy never overwrites a database. Give a new file \
         name: {}",
        .0.display()
    )]
    DestinationExists(PathBuf),
    #[error(
        "the team store {target} already holds data ({holds}); db copy fills only a new team store \
         made by `callqa db init-team`. Nothing was changed"
    )]
    NotFresh { target: String, holds: String },
    #[error(
        "{login} is not a superuser of {target}; copying into the team store writes other people's \
         reviews and audit rows as they were, which only a superuser may. Nothing was changed"
    )]
    NeedsSuperuser { target: String, login: String },
    #[error(
        "{login} cannot read every row of {target} (others' drafts are private to them); copy out as \
         a lead, an admin or a superuser"
    )]
    CannotReadAll { target: String, login: String },
    #[error(
        "{database} holds tables db copy does not know ({}); copying would leave them behind, so \
         nothing was copied. Is it from a newer callqa?",
        .tables.join(", ")
    )]
    UnknownTables { database: String, tables: Vec<String> },
    #[error("the source holds something that cannot be copied ({0}); nothing was changed")]
    BadData(String),
    #[error(
        "the copy did not match its source ({}); it was rolled back: nothing was changed",
        .0.differing().join(", ")
    )]
    Mismatch(Box<CopyReport>),
}

/// One table's check: rows and content hash on each side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCheck {
    pub table: &'static str,
    pub source_rows: usize,
    pub destination_rows: usize,
    /// BLAKE3, hex.
    pub source_hash: String,
    pub destination_hash: String,
}

impl TableCheck {
    /// Same rows, same hash.
    pub fn ok(&self) -> bool {
        self.source_rows == self.destination_rows && self.source_hash == self.destination_hash
    }
}

/// What a copy did.
#[derive(Clone, Debug)]
pub struct CopyReport {
    pub source: String,
    pub destination: String,
    /// The source's backup (SQLite → PostgreSQL).
    pub backup: Option<PathBuf>,
    pub tables: Vec<TableCheck>,
    /// From connecting to the check's end.
    pub elapsed: Duration,
}

impl CopyReport {
    /// Every table matched.
    pub fn ok(&self) -> bool {
        self.tables.iter().all(TableCheck::ok)
    }

    /// The tables that did not match.
    pub fn differing(&self) -> Vec<&'static str> {
        self.tables.iter().filter(|t| !t.ok()).map(|t| t.table).collect()
    }
}

/// Every table `db copy` copies, in the order it writes them: (SQLite name, team store name
/// in schema `callqa`).
pub fn copied_tables() -> Vec<(&'static str, &'static str)> {
    TABLES.iter().map(|t| (t.name, t.pg)).collect()
}

/// Every column `db copy` copies, per table in [`copied_tables`]' order: (SQLite table, its
/// columns, team store table, its columns). Columns only the team store has (a review's
/// `version`, …) are not in it.
pub fn copied_columns() -> Vec<(&'static str, Vec<&'static str>, &'static str, Vec<&'static str>)> {
    TABLES
        .iter()
        .map(|t| {
            (
                t.name,
                t.columns.iter().map(|c| c.sqlite).collect(),
                t.pg,
                t.columns.iter().map(|c| c.pg).collect(),
            )
        })
        .collect()
}

/// One side of a copy: a SQLite file or a PostgreSQL URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Sqlite(PathBuf),
    Pg(String),
}

impl Endpoint {
    /// `postgres://…` and `postgresql://…` are team stores; anything else is a file path.
    pub fn parse(s: &str) -> Endpoint {
        let lower = s.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Endpoint::Pg(s.to_string())
        } else {
            Endpoint::Sqlite(PathBuf::from(s))
        }
    }
}

/// Copies `from` to `to`: one a SQLite file, the other a `postgres://` URL.
pub fn copy(from: &str, to: &str) -> Result<CopyReport, CopyError> {
    match (Endpoint::parse(from), Endpoint::parse(to)) {
        (Endpoint::Sqlite(src), Endpoint::Pg(url)) => sqlite_to_pg(&src, &url),
        (Endpoint::Pg(url), Endpoint::Sqlite(dst)) => pg_to_sqlite(&url, &dst),
        _ => Err(CopyError::Usage(
            "one side of db copy is a SQLite file and the other a postgres:// URL".into(),
        )),
    }
}

/// Each table's row count and hash.
fn checks(rows: &[Rows]) -> Result<Vec<(usize, String)>, CopyError> {
    TABLES.iter().zip(rows).map(|(t, r)| Ok((r.len(), tables::table_hash(t, r)?))).collect()
}

fn compare(source: &[(usize, String)], destination: &[(usize, String)]) -> Vec<TableCheck> {
    TABLES
        .iter()
        .zip(source.iter().zip(destination))
        .map(|(t, ((sn, sh), (dn, dh)))| TableCheck {
            table: t.name,
            source_rows: *sn,
            destination_rows: *dn,
            source_hash: sh.clone(),
            destination_hash: dh.clone(),
        })
        .collect()
}

/// The SQLite store at `src` into the new team store at `url` (see the module docs).
pub fn sqlite_to_pg(src: &Path, url: &str) -> Result<CopyReport, CopyError> {
    let started = Instant::now();
    let mut source = Store::open_read_only(src)?;
    sqlite_side::check_known_tables(&source.conn, src)?;
    let (mut client, target) = connect(url)?;
    pg_side::check_team_store(&mut client, &target)?;
    pg_side::require_superuser(&mut client, &target)?;
    pg_side::require_fresh(&mut client, &target)?;

    let backup = sqlite_side::backup(&source.conn, src)?;
    let rows = sqlite_side::read_all(&mut source.conn, src)?;
    let source_checks = checks(&rows)?;

    let mut tx = client.transaction().map_err(PgError::from)?;
    pg_side::begin_copy(&mut tx, &target)?;
    for (table, table_rows) in TABLES.iter().zip(&rows) {
        pg_side::write_table(&mut tx, table, table_rows)?;
    }
    pg_side::advance_sequences(&mut tx)?;
    pg_side::check_foreign_keys(&mut tx)?;
    let written = checks(&pg_side::read_all(&mut tx)?)?;
    let report = CopyReport {
        source: src.display().to_string(),
        destination: target,
        backup: Some(backup),
        tables: compare(&source_checks, &written),
        elapsed: started.elapsed(),
    };
    if report.ok() {
        tx.commit().map_err(PgError::from)?;
        Ok(report)
    } else {
        tx.rollback().map_err(PgError::from)?;
        Err(CopyError::Mismatch(Box::new(report)))
    }
}

/// The team store at `url` into a new SQLite file `dst` (see the module docs).
pub fn pg_to_sqlite(url: &str, dst: &Path) -> Result<CopyReport, CopyError> {
    let started = Instant::now();
    if dst.exists() {
        return Err(CopyError::DestinationExists(dst.to_path_buf()));
    }
    let (mut client, target) = connect(url)?;
    pg_side::check_team_store(&mut client, &target)?;
    pg_side::require_reader_of_all(&mut client, &target)?;
    pg_side::check_known_tables(&mut client, &target)?;
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(PgError::from)?;
    let rows = pg_side::read_all(&mut tx)?;
    tx.commit().map_err(PgError::from)?;
    let source_checks = checks(&rows)?;

    let (tables, ok) = sqlite_side::create_with(dst, &rows, |back| {
        let tables = compare(&source_checks, &checks(back)?);
        let ok = tables.iter().all(TableCheck::ok);
        Ok((tables, ok))
    })?;
    let report = CopyReport {
        source: target,
        destination: dst.display().to_string(),
        backup: None,
        tables,
        elapsed: started.elapsed(),
    };
    if !ok {
        return Err(CopyError::Mismatch(Box::new(report)));
    }
    // The new file opens as a callqa database at this version (read only: nothing written).
    Store::open_read_only(dst)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_team_stores_and_everything_else_a_file() {
        assert_eq!(Endpoint::parse("postgres://a@h/db"), Endpoint::Pg("postgres://a@h/db".into()));
        assert_eq!(Endpoint::parse("PostgreSQL://a@h/db"), Endpoint::Pg("PostgreSQL://a@h/db".into()));
        assert_eq!(Endpoint::parse("postgres.sqlite3"), Endpoint::Sqlite("postgres.sqlite3".into()));
        assert!(matches!(copy("a.sqlite3", "b.sqlite3"), Err(CopyError::Usage(_))));
        assert!(matches!(copy("postgres://a@h/x", "postgres://a@h/y"), Err(CopyError::Usage(_))));
    }

    #[test]
    fn a_report_with_a_differing_table_is_not_ok_and_says_which() {
        let source = vec![(3, "aa".to_string()); TABLES.len()];
        let mut destination = source.clone();
        let report = |tables| CopyReport {
            source: "a".into(),
            destination: "b".into(),
            backup: None,
            tables,
            elapsed: Duration::ZERO,
        };
        assert!(report(compare(&source, &destination)).ok());
        destination[3].1 = "ab".into();
        destination[5].0 = 2;
        let r = report(compare(&source, &destination));
        assert!(!r.ok());
        assert_eq!(r.differing(), vec!["reviews", "audit"]);
        let message = CopyError::Mismatch(Box::new(r)).to_string();
        assert!(message.contains("reviews, audit") && message.contains("rolled back"), "{message}");
    }
}
