//! The review store: the only place with SQL. Calls (by audio content hash), scorecard
//! versions, reviews with their answers, and an audit trail, in one SQLite file.
//!
//! # API (stable; the GUI uses it from one worker thread, `Store` is `Send`, not `Sync`)
//! ```no_run
//! # fn demo(path: &std::path::Path, wav: &std::path::Path, info: &callqa::audio::WavInfo)
//! #     -> Result<(), callqa::store::StoreError> {
//! use callqa::model::call::CallMeta;
//! use callqa::model::scorecard::{score, Answer, ItemAnswer};
//! use callqa::store::{self, ReviewDraft, Store};
//!
//! let mut db = Store::open(&store::default_db_path()?)?;      // or Store::open(path)
//! let hash = "…"; // callqa::audio::content_hash(wav)?
//! let call_id = db.upsert_call(hash, wav, &CallMeta::from_wav(wav, info))?;
//! let card = db.default_scorecard()?;                          // CardVersion { id, card, .. }
//! let previous = db.latest_review(call_id, "Asha")?;           // Option<Review>
//! let draft = ReviewDraft {
//!     id: previous.map(|r| r.id),                              // None = a new review
//!     call_id, card_id: card.id, reviewer: "Asha".into(),
//!     answers: vec![ItemAnswer::new("no_arguing", Some(Answer::Yes))],
//! };
//! let review_id = db.save_review(&draft, false)?;              // true = submit
//! let s = score(&card.card, &draft.answers);                   // model::scorecard::score
//! let states = db.review_states()?;                            // hash → ReviewState
//! # let _ = (path, review_id, s, states); Ok(()) }
//! ```
//! - [`Store::open`] creates and migrates the file (WAL, foreign keys, busy timeout,
//!   `PRAGMA user_version` migrations), refuses a newer schema, a read-only file, a missing
//!   folder, a file that is not a database and another program's SQLite file, and never
//!   writes to a file it refuses.
//! - [`Store::open_read_only`]: an existing, up-to-date database for reading (exports,
//!   reports); works on a read-only file.
//! - [`default_db_path`]: `~/.local/share/callqa/callqa.sqlite3` (XDG), folders created.
//! - Calls: [`Store::upsert_call`], [`Store::call`], [`Store::call_by_hash`], [`Store::calls`].
//! - Scorecards: [`Store::default_scorecard`], [`Store::ensure_scorecard`] (same name, new
//!   content → new version), [`Store::scorecard`], [`Store::scorecards`].
//! - Reviews: [`Store::save_review`], [`Store::review`], [`Store::latest_review`],
//!   [`Store::reviews_of_call`], [`Store::export_rows`], [`Store::review_states`],
//!   [`Store::audit_log`].
//! - Review queues (samples assigned to reviewers): [`Store::create_queue`], [`Store::queues`],
//!   [`Store::queue_by_name`], [`Store::queue_items`], [`Store::my_queue`].
//! - Blind calibration sessions: [`Store::create_session`], [`Store::session_by_name`],
//!   [`Store::sessions`], [`Store::save_session_review`], [`Store::latest_session_review`],
//!   [`Store::session_rows`] (session reviews never count in reports or exports),
//!   [`Store::known_reviewers`].
//! - Transcripts (by call content hash) and search: [`Store::save_transcript`],
//!   [`Store::transcript`], [`Store::transcribed_calls`], [`Store::search`].
//! - Analysis figures (derived from the audio: `callqa index`, the window after analysing):
//!   [`Store::save_metrics`], [`Store::metrics`], [`Store::all_metrics`].
//!
//! Every change runs in one `BEGIN IMMEDIATE` transaction with an audit row (who, when, what
//! changed; not for analysis figures, which are recomputed from the audio, see `metrics.rs`),
//! `synchronous = FULL`; a transaction that meets `SQLITE_BUSY` is retried until
//! the busy timeout has passed, then [`StoreError::Busy`] says so. Audio files are never
//! opened here.

pub mod backend;
mod calibration;
mod calls;
mod cards;
mod clips;
mod error;
mod metrics;
pub mod outbox;
pub mod pg;
mod queues;
mod reviews;
mod schema;
mod transcripts;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use calibration::{SessionDraft, SessionInfo};
pub use calls::{CallDetails, CallRecord};
pub use cards::CardVersion;
pub use clips::{Clip, ClipDraft, ClipKind, MAX_CLIP_S};
pub use error::StoreError;
pub use metrics::{ANALYSER_VERSION, CallMetrics, StoredMetrics};
pub use queues::{QueueDraft, QueueInfo, QueueItem, QueueItemDraft};
pub use reviews::{AuditEntry, ExportRow, ReviewDraft, ReviewState};
pub use transcripts::{DEFAULT_SEARCH_LIMIT, SearchHit, StoredTranscript};

/// The schema version (number of migrations) this callqa writes.
pub fn schema_version() -> i64 {
    schema::latest()
}

/// How long a write waits for another process's lock before giving up (by default).
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The database file's name inside the data folder.
pub const DB_FILE_NAME: &str = "callqa.sqlite3";

/// `~/.local/share/callqa/callqa.sqlite3` (the XDG data folder), creating the folders.
pub fn default_db_path() -> Result<PathBuf, StoreError> {
    let dirs = directories::ProjectDirs::from("", "", "callqa").ok_or(StoreError::NoDataDir)?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir)
        .map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
    Ok(dir.join(DB_FILE_NAME))
}

/// An open review database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
}

impl Store {
    /// Opens (creating if absent) and migrates the database at `path`, waiting up to
    /// [`DEFAULT_BUSY_TIMEOUT`] for other writers.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// [`Store::open`] with another busy timeout.
    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<Store, StoreError> {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent
            && !dir.is_dir()
        {
            return Err(StoreError::MissingDir(dir.to_path_buf()));
        }
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_dir() {
                return Err(StoreError::IsADirectory(path.to_path_buf()));
            }
            // Root can write to a read-only file; honour the owner's intent anyway.
            if meta.permissions().readonly() {
                return Err(StoreError::ReadOnly(path.to_path_buf()));
            }
        }
        // Some lock conflicts while another process creates the database or switches it to
        // WAL return SQLITE_BUSY at once, without waiting: try again until the timeout.
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match Store::try_open(path, busy_timeout, started) {
                Err(StoreError::Busy { .. }) if started.elapsed() < busy_timeout => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(StoreError::Busy { path, .. }) => {
                    return Err(StoreError::Busy { path, waited_s: started.elapsed().as_secs_f64() });
                }
                other => return other,
            }
        }
    }

    fn try_open(path: &Path, busy_timeout: Duration, started: Instant) -> Result<Store, StoreError> {
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(e, path, started.elapsed().as_secs_f64());
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(fail)?;
        conn.busy_timeout(busy_timeout).map_err(fail)?;
        // Read before anything can write: a file that is not a database fails here, untouched.
        // One statement, so one snapshot: a migration sets both at once.
        let (version, tables): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(fail)?;
        if version == 0 && tables > 0 {
            return Err(StoreError::Foreign(path.to_path_buf()));
        }
        if conn.is_readonly("main").map_err(fail)? {
            return Err(StoreError::ReadOnly(path.to_path_buf()));
        }
        if version > schema::latest() {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported: schema::latest(),
            });
        }
        conn.pragma_update(None::<&str>, "foreign_keys", true).map_err(fail)?;
        let mode: String =
            conn.pragma_update_and_check(None::<&str>, "journal_mode", "wal", |r| r.get(0)).map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            log::warn!("the review database is in {mode} journal mode, not WAL: {}", path.display());
        }
        conn.pragma_update(None::<&str>, "synchronous", "FULL").map_err(fail)?;
        let mut store = Store { conn, path: path.to_path_buf(), busy_timeout };
        if version < schema::latest() {
            store.migrate()?;
        }
        Ok(store)
    }

    /// Opens an existing database for reading only (exports, reports): works on a read-only
    /// file, never writes, never migrates. Saving through it fails with
    /// [`StoreError::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotFound(format!("the review database {}", path.display())));
        }
        if path.is_dir() {
            return Err(StoreError::IsADirectory(path.to_path_buf()));
        }
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(e, path, 0.0);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(fail)?;
        conn.busy_timeout(DEFAULT_BUSY_TIMEOUT).map_err(fail)?;
        let version: i64 =
            conn.pragma_query_value(None::<&str>, "user_version", |r| r.get(0)).map_err(fail)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(fail)?;
        if version > schema::latest() {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported: schema::latest(),
            });
        }
        if version < schema::latest() {
            return Err(StoreError::OldSchema { path: path.to_path_buf(), found: version });
        }
        Ok(Store { conn, path: path.to_path_buf(), busy_timeout: DEFAULT_BUSY_TIMEOUT })
    }

    /// For a bulk job that writes only what it derives from the recordings (`callqa index`:
    /// call rows, their paths and details, analysis figures): commits stop waiting for the disk
    /// (`synchronous = NORMAL`). In WAL mode the database stays consistent after a crash or a
    /// power cut; only the last commits may be lost, and the next run redoes them. No review
    /// is written on such a connection (the window and `callqa review` keep `FULL`).
    pub fn for_derived_data(&self) -> Result<(), StoreError> {
        self.conn.pragma_update(None::<&str>, "synchronous", "NORMAL")?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies the missing migrations, each in the same transaction as its version bump.
    fn migrate(&mut self) -> Result<(), StoreError> {
        self.write(|tx| {
            let version: i64 = tx.pragma_query_value(None::<&str>, "user_version", |r| r.get(0))?;
            if version > schema::latest() {
                return Err(StoreError::TooNew {
                    path: PathBuf::new(),
                    found: version,
                    supported: schema::latest(),
                });
            }
            // Read in the same transaction as the version: another process may have just
            // created the schema.
            let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if version == 0 && tables > 0 {
                return Err(StoreError::Foreign(PathBuf::new()));
            }
            for (n, sql) in schema::MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0))
            {
                if !schema::column_already_added(tx, n + 1)? {
                    tx.execute_batch(sql)?;
                }
                tx.pragma_update(None::<&str>, "user_version", n as i64 + 1)?;
            }
            let detail = serde_json::json!({ "schema_from": version, "schema_to": schema::latest() });
            calls::audit(tx, &os_user(), "migrate", None, None, &detail)?;
            Ok(())
        })
        .map_err(|e| match e {
            StoreError::TooNew { found, supported, .. } => {
                StoreError::TooNew { path: self.path.clone(), found, supported }
            }
            StoreError::Foreign(_) => StoreError::Foreign(self.path.clone()),
            e => e,
        })
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction and commits; on `SQLITE_BUSY` (another
    /// process holds the lock past the busy timeout, or a lock could not be taken without a
    /// deadlock) the whole transaction is tried again until the busy timeout has passed
    /// once more. `f` may run several times: it must only touch the database.
    fn write<T>(
        &mut self,
        mut f: impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            let attempt = (|| {
                let tx = Transaction::new(&mut self.conn, TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            match attempt {
                Err(StoreError::Sql(e))
                    if StoreError::is_busy(&e) && started.elapsed() < self.busy_timeout =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(StoreError::Sql(e)) => {
                    return Err(StoreError::from_sqlite(e, &self.path, started.elapsed().as_secs_f64()));
                }
                other => return other,
            }
        }
    }

    /// Runs a read and maps a raw SQLite error to what it means.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&self.conn).map_err(|e| match e {
            StoreError::Sql(e) => StoreError::from_sqlite(e, &self.path, 0.0),
            e => e,
        })
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

/// The OS user, for audit rows not made by a named reviewer.
pub fn os_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}
