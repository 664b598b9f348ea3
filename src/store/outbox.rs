//! The team store's outbox: a change made while the server could not be reached is kept in a
//! SQLite file in the user's data folder (`outbox.sqlite3`, or `$CALLQA_OUTBOX`) and sent, in
//! the order it was made, when the server is back (`callqa db sync`, or the next command that
//! reaches the team store).
//!
//! Each change has a random id; the team store records the ids it has applied (in the same
//! transaction as the change), so a change whose acknowledgement was lost (the server stopped
//! after COMMIT) is not applied twice when it is sent again. A change the server refuses
//! (e.g. a submitted review changed without a reason) stays in the outbox, marked with why,
//! until it is dropped (`callqa db sync --drop ID`): nothing is lost silently.
//!
//! A review made in a calibration session waits the same way, marked with its session (the
//! `session` column, outbox file version 2): it is applied as a session review, the review
//! and its `review_sessions` row in one transaction with the change's id. An outbox file of
//! version 1 (no `session` column) is brought to version 2 when it is opened; its changes are
//! ordinary reviews.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::pg::{PgError, PgStore, ReviewVersion, TeamReview};
use super::{CardVersion, StoreError};
use crate::model::call::CallMeta;
use crate::model::scorecard::{ItemAnswer, ReviewStatus, Scorecard, merge_answers};

/// Version 1: the changes, each an ordinary review (`PRAGMA user_version` 0 or 1).
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id  TEXT NOT NULL UNIQUE,
    target     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    change     TEXT NOT NULL,
    error      TEXT
);";

/// Version 2: a change may be a calibration session's review (`session`: the session, as
/// JSON; NULL for an ordinary review). Such a change's JSON is wrapped
/// (`{"session_review": …}`), so a callqa from before version 2 cannot read it as an
/// ordinary review (it stops with an error instead of sending it to the wrong place).
const TO_V2: &str = "ALTER TABLE changes ADD COLUMN session TEXT; PRAGMA user_version = 2;";

/// The outbox file's version this callqa writes.
pub const OUTBOX_VERSION: i64 = 2;

/// The calibration session a review was made in: by its id (the window knows it) or by its
/// name (`callqa review --session NAME` while the server cannot be reached).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionRef {
    Id(i64),
    Name(String),
}

impl std::fmt::Display for SessionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionRef::Id(id) => write!(f, "calibration session {id}"),
            SessionRef::Name(name) => write!(f, "calibration session {name:?}"),
        }
    }
}

/// A session review's change as the outbox file holds it.
#[derive(Serialize, Deserialize)]
struct Wrapped<T> {
    session_review: T,
}

/// A `callqa review` on the team store, as given (applied later the way it would have been
/// then: onto the login's latest review of the call, the given items replaced).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewChange {
    pub file: PathBuf,
    /// The call's content hash and details (read from the file when the change was made).
    pub hash: String,
    pub meta: CallMeta,
    /// The scorecard's canonical JSON.
    pub card: String,
    pub answers: Vec<ItemAnswer>,
    pub comments: Vec<(String, String)>,
    pub submit: bool,
    pub amend_reason: Option<String>,
    /// Made in this calibration session (kept in the outbox's `session` column).
    #[serde(skip)]
    pub session: Option<SessionRef>,
}

/// One waiting change.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// Its place in the outbox (the order it was made in).
    pub id: i64,
    pub change_id: String,
    /// The team store it is for (`user@host:port/db`).
    pub target: String,
    pub created_at: String,
    pub change: ReviewChange,
    /// Why the server refused it last time, if it did.
    pub error: Option<String>,
}

/// The outbox file, open.
#[derive(Debug)]
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl Outbox {
    /// `$CALLQA_OUTBOX`, or `outbox.sqlite3` in the user's data folder.
    pub fn default_path() -> Result<PathBuf, StoreError> {
        if let Some(p) = std::env::var_os("CALLQA_OUTBOX").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        let db = super::default_db_path()?;
        Ok(db.with_file_name("outbox.sqlite3"))
    }

    /// Opens (or creates) the outbox at `path`.
    pub fn open(path: &Path) -> Result<Outbox, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| outbox_error(path, &e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| outbox_error(path, &e))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(|e| outbox_error(path, &e))?;
        migrate(&conn).map_err(|e| outbox_error(path, &e))?;
        let version = Self::version_of(&conn).map_err(|e| outbox_error(path, &e))?;
        if version > OUTBOX_VERSION {
            return Err(StoreError::BadData(format!(
                "the outbox {} was written by a newer callqa (version {version}; this one reads up to \
                 {OUTBOX_VERSION}); send it with that callqa (callqa db sync)",
                path.display()
            )));
        }
        Ok(Outbox { conn, path: path.to_path_buf() })
    }

    fn version_of(conn: &Connection) -> rusqlite::Result<i64> {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    /// The file's version ([`OUTBOX_VERSION`] once opened by this callqa).
    pub fn version(&self) -> Result<i64, StoreError> {
        Self::version_of(&self.conn).map_err(|e| outbox_error(&self.path, &e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps a change for `target` (durably: the file is synced before this returns); returns
    /// its place in the outbox.
    pub fn push(&mut self, target: &str, change: &ReviewChange) -> Result<i64, StoreError> {
        let bad = |e: serde_json::Error| StoreError::BadData(e.to_string());
        let (json, session) = match &change.session {
            None => (serde_json::to_string(change).map_err(bad)?, None),
            Some(s) => (
                serde_json::to_string(&Wrapped { session_review: change }).map_err(bad)?,
                Some(serde_json::to_string(s).map_err(bad)?),
            ),
        };
        self.conn
            .execute(
                "INSERT INTO changes (change_id, target, change, session) VALUES (?1, ?2, ?3, ?4)",
                params![new_change_id(), target, json, session],
            )
            .map_err(|e| outbox_error(&self.path, &e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The changes waiting for `target`, oldest first.
    pub fn waiting(&self, target: &str) -> Result<Vec<Waiting>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, change_id, target, created_at, change, error, session FROM changes \
                 WHERE target = ?1 ORDER BY id",
            )
            .map_err(|e| outbox_error(&self.path, &e))?;
        let rows = st
            .query_map([target], |r| {
                let row = Row {
                    id: r.get(0)?,
                    change_id: r.get(1)?,
                    target: r.get(2)?,
                    created_at: r.get(3)?,
                    change: r.get(4)?,
                    error: r.get(5)?,
                    session: r.get(6)?,
                };
                Ok(row)
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| outbox_error(&self.path, &e))?;
        rows.into_iter().map(Row::waiting).collect()
    }

    /// How many changes wait for `target`.
    pub fn count(&self, target: &str) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM changes WHERE target = ?1", [target], |r| r.get(0))
            .map_err(|e| outbox_error(&self.path, &e))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The change arrived (or had already): it leaves the outbox.
    pub fn sent(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM changes WHERE id = ?1", [id])
            .map_err(|e| outbox_error(&self.path, &e))?;
        Ok(())
    }

    /// The server refused the change: it stays, with why.
    pub fn refused(&mut self, id: i64, why: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE changes SET error = ?2 WHERE id = ?1", params![id, why])
            .map_err(|e| outbox_error(&self.path, &e))?;
        Ok(())
    }

    /// Drops a waiting change (the user's decision); `false` if there is none with this id.
    pub fn drop_change(&mut self, id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn
            .query_row("SELECT id FROM changes WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| outbox_error(&self.path, &e))?;
        if found.is_some() {
            self.sent(id)?;
        }
        Ok(found.is_some())
    }
}

/// Brings an outbox file to [`OUTBOX_VERSION`] (a new file: created at it), in one
/// transaction; a file of a newer version is left as it is (refused by the caller).
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = (|| {
        conn.execute_batch(SCHEMA_V1)?;
        if Outbox::version_of(conn)? < 2 {
            conn.execute_batch(TO_V2)?;
        }
        Ok(())
    })();
    match done {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// A row of `changes`, as read.
struct Row {
    id: i64,
    change_id: String,
    target: String,
    created_at: String,
    change: String,
    error: Option<String>,
    session: Option<String>,
}

impl Row {
    fn waiting(self) -> Result<Waiting, StoreError> {
        let Row { id, change_id, target, created_at, change, error, session } = self;
        let bad = |e: serde_json::Error| StoreError::BadData(format!("outbox change {id}: {e}"));
        let change = match session {
            None => serde_json::from_str(&change).map_err(bad)?,
            Some(session) => {
                let session: SessionRef = serde_json::from_str(&session).map_err(bad)?;
                let w: Wrapped<ReviewChange> = serde_json::from_str(&change).map_err(bad)?;
                ReviewChange { session: Some(session), ..w.session_review }
            }
        };
        Ok(Waiting { id, change_id, target, created_at, change, error })
    }
}

/// A change the team store now holds.
pub struct Applied {
    pub review: TeamReview,
    pub card: CardVersion,
    /// The server had it already (sent before, acknowledgement lost): nothing was written.
    pub already: bool,
}

/// What sending the waiting changes did.
#[derive(Default)]
pub struct SyncReport {
    pub sent: usize,
    /// Outbox id → the review it made or changed (for the caller's own change).
    pub applied: Vec<(i64, Applied)>,
    /// Outbox id → why the server refused it.
    pub refused: Vec<(i64, String)>,
    /// The refused ones that were the asker's mistake ([`PgError::SessionReview`]: no such
    /// session, a submitted session review changed), by outbox id.
    pub mistaken: Vec<i64>,
    /// The server went away during the sending (the rest wait).
    pub lost: Option<String>,
    /// How many changes wait for this store after the sending.
    pub waiting: usize,
}

/// Applies one change the way `callqa review` would have then: onto the login's latest
/// review of the call with the same card, the given items replaced; at most once per
/// `change_id`.
pub fn apply(store: &mut PgStore, change_id: &str, c: &ReviewChange) -> Result<Applied, PgError> {
    let card = Scorecard::from_json_str(&c.card)
        .map_err(|e| PgError::BadData(format!("the change's scorecard: {e}")))?;
    let version = store.ensure_scorecard(&card)?;
    let call_id = store.upsert_call(&c.hash, &c.file, &c.meta)?;
    if let Some(session) = &c.session {
        return apply_in_session(store, change_id, c, session, call_id, version);
    }
    // Applied before (its acknowledgement lost): checked first, as the review may have moved
    // on since (e.g. submitted by this very change). The save below claims the id again in its
    // own transaction, for two desks sending the same outbox at once.
    if store.has_applied(change_id)? {
        return already(store, call_id, version);
    }
    let previous = store.latest_own_review(call_id)?.filter(|r| r.review.card_id == version.id);
    let answers = merge_answers(previous.as_ref().map(|p| &p.review), c.answers.clone(), c.comments.clone());
    let existing = previous.as_ref().map(|p| ReviewVersion { id: p.review.id, version: p.version });
    let amending = previous.as_ref().is_some_and(|p| p.review.status == ReviewStatus::Submitted);
    let reason = if amending { c.amend_reason.as_deref() } else { None };
    match store.save_own_review(call_id, version.id, existing, &answers, c.submit, reason, Some(change_id)) {
        Ok(saved) => Ok(Applied { review: store.review(saved.id)?, card: version, already: false }),
        Err(PgError::AlreadyApplied(_)) => already(store, call_id, version),
        Err(e) => Err(e),
    }
}

/// A session review's change: onto the login's latest review of the call in the session with
/// the same card (a submitted one is not changed), the session row in the review's
/// transaction; at most once per `change_id`.
fn apply_in_session(
    store: &mut PgStore,
    change_id: &str,
    c: &ReviewChange,
    session: &SessionRef,
    call_id: i64,
    version: CardVersion,
) -> Result<Applied, PgError> {
    let session_id = match session {
        SessionRef::Id(id) => store.session(*id)?.id,
        SessionRef::Name(name) => store
            .session_by_name(name)?
            .ok_or_else(|| {
                PgError::SessionReview(format!(
                    "no calibration session named {name:?} on the team store (see callqa calibration list)"
                ))
            })?
            .id,
    };
    let login = store.identity()?.login;
    if store.has_applied(change_id)? {
        return already_in_session(store, session_id, call_id, &login, version);
    }
    let previous =
        store.latest_session_review(session_id, call_id, &login)?.filter(|r| r.review.card_id == version.id);
    if previous.as_ref().is_some_and(|p| p.review.status == ReviewStatus::Submitted) {
        return Err(PgError::SessionReview(format!(
            "{login}'s review of this call in {session} is submitted; a submitted calibration review \
             cannot be changed"
        )));
    }
    let answers = merge_answers(previous.as_ref().map(|p| &p.review), c.answers.clone(), c.comments.clone());
    let existing = previous.as_ref().map(|p| ReviewVersion { id: p.review.id, version: p.version });
    match store.save_session_review_once(
        session_id,
        call_id,
        version.id,
        existing,
        &answers,
        c.submit,
        Some(change_id),
    ) {
        Ok(saved) => Ok(Applied { review: store.review(saved.id)?, card: version, already: false }),
        Err(PgError::AlreadyApplied(_)) => already_in_session(store, session_id, call_id, &login, version),
        Err(e) => Err(e),
    }
}

fn already_in_session(
    store: &mut PgStore,
    session_id: i64,
    call_id: i64,
    login: &str,
    card: CardVersion,
) -> Result<Applied, PgError> {
    match store.latest_session_review(session_id, call_id, login)? {
        Some(review) => Ok(Applied { review, card, already: true }),
        None => Err(PgError::NotFound("the session review of an applied change".into())),
    }
}

fn already(store: &mut PgStore, call_id: i64, card: CardVersion) -> Result<Applied, PgError> {
    match store.latest_own_review(call_id)? {
        Some(review) => Ok(Applied { review, card, already: true }),
        None => Err(PgError::NotFound("the review of an applied change".into())),
    }
}

/// Sends the changes waiting for `target`, oldest first; stops when the server goes away.
pub fn sync(store: &mut PgStore, outbox: &mut Outbox, target: &str) -> Result<SyncReport, StoreError> {
    let mut report = SyncReport::default();
    for w in outbox.waiting(target)? {
        match apply(store, &w.change_id, &w.change) {
            Ok(applied) => {
                outbox.sent(w.id)?;
                report.sent += 1;
                report.applied.push((w.id, applied));
            }
            Err(e) if e.is_unreachable() => {
                report.lost = Some(e.to_string());
                break;
            }
            Err(e) => {
                if matches!(e, PgError::SessionReview(_)) {
                    report.mistaken.push(w.id);
                }
                let why = match e {
                    PgError::AmendNeedsReason => {
                        format!("{e}; make the change again with --amend-reason \"why\"")
                    }
                    e => e.to_string(),
                };
                outbox.refused(w.id, &why)?;
                report.refused.push((w.id, why));
            }
        }
    }
    report.waiting = outbox.count(target)?;
    Ok(report)
}

/// 128 random bits from the OS, as hex (a change's id; no new dependency).
fn new_change_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::with_capacity(32);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    for i in 0..2u8 {
        // RandomState is seeded from the OS's random source per process and per instance.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u8(i);
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

fn outbox_error(path: &Path, e: &rusqlite::Error) -> StoreError {
    StoreError::BadData(format!("the outbox {} cannot be used ({e})", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn change(n: u8) -> ReviewChange {
        ReviewChange {
            file: PathBuf::from(format!("/calls/{n}.wav")),
            hash: format!("h{n}"),
            meta: CallMeta::default(),
            card: "{}".into(),
            answers: vec![ItemAnswer::new("no_arguing", None)],
            comments: vec![("no_arguing".into(), "पूरी बात".into())],
            submit: n.is_multiple_of(2),
            amend_reason: None,
            session: None,
        }
    }

    #[test]
    fn changes_wait_in_order_per_store_survive_reopening_and_leave_when_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite3");
        let mut o = Outbox::open(&path).unwrap();
        let first = o.push("asha@db/callqa", &change(1)).unwrap();
        o.push("ben@db/callqa", &change(2)).unwrap();
        assert!(o.push("asha@db/callqa", &change(3)).unwrap() > first);
        assert_eq!(o.count("asha@db/callqa").unwrap(), 2);
        drop(o);
        let mut o = Outbox::open(&path).unwrap();
        let w = o.waiting("asha@db/callqa").unwrap();
        assert_eq!(w.iter().map(|w| w.change.clone()).collect::<Vec<_>>(), vec![change(1), change(3)]);
        assert_ne!(w[0].change_id, w[1].change_id);
        assert_eq!(w[0].change_id.len(), 32);
        o.refused(w[0].id, "needs a reason").unwrap();
        o.sent(w[1].id).unwrap();
        let w = o.waiting("asha@db/callqa").unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].error.as_deref(), Some("needs a reason"));
        assert!(o.drop_change(w[0].id).unwrap());
        assert!(!o.drop_change(w[0].id).unwrap());
        assert_eq!(o.count("asha@db/callqa").unwrap(), 0);
        assert_eq!(o.count("ben@db/callqa").unwrap(), 1);
    }

    #[test]
    fn a_session_review_waits_with_its_session_in_order_with_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite3");
        let mut o = Outbox::open(&path).unwrap();
        assert_eq!(o.version().unwrap(), OUTBOX_VERSION);
        let by_id = ReviewChange { session: Some(SessionRef::Id(7)), ..change(1) };
        let by_name =
            ReviewChange { session: Some(SessionRef::Name("Week 48 \"o'brien\"".into())), ..change(3) };
        o.push("asha@db/callqa", &by_id).unwrap();
        o.push("asha@db/callqa", &change(2)).unwrap();
        o.push("asha@db/callqa", &by_name).unwrap();
        drop(o);
        let o = Outbox::open(&path).unwrap();
        let w = o.waiting("asha@db/callqa").unwrap();
        assert_eq!(w.into_iter().map(|w| w.change).collect::<Vec<_>>(), vec![by_id, change(2), by_name]);
        // Kept apart from an ordinary review's JSON: a callqa before version 2 cannot take a
        // session review for an ordinary one.
        let raw: Vec<(String, Option<String>)> = o
            .conn
            .prepare("SELECT change, session FROM changes ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(serde_json::from_str::<ReviewChange>(&raw[0].0).is_err(), "{}", raw[0].0);
        assert_eq!(raw[0].1.as_deref(), Some(r#"{"id":7}"#));
        assert!(serde_json::from_str::<ReviewChange>(&raw[1].0).is_ok());
        assert_eq!(raw[1].1, None);
    }

    #[test]
    fn an_outbox_file_of_version_1_opens_keeps_its_changes_and_becomes_version_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite3");
        // A file as the callqa before version 2 wrote it (no user_version, no session column),
        // with a change in its JSON of then.
        let old_json = r#"{"file":"/calls/1.wav","hash":"h1","meta":{"file_name":"1.wav","duration_s":12.5,"sample_rate":8000,"channels":1,"encoding":"mulaw","agent":null,"recorded_at":null},"card":"{}","answers":[],"comments":[["no_arguing","ok"]],"submit":false,"amend_reason":null}"#;
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(SCHEMA_V1).unwrap();
            c.execute(
                "INSERT INTO changes (change_id, target, change) VALUES ('abc', 'asha@db/callqa', ?1)",
                [old_json],
            )
            .unwrap();
            let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(v, 0);
        }
        let mut o = Outbox::open(&path).unwrap();
        assert_eq!(o.version().unwrap(), 2);
        let w = o.waiting("asha@db/callqa").unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].change_id.as_str(), w[0].change.hash.as_str()), ("abc", "h1"));
        assert_eq!(w[0].change.session, None, "an old change is an ordinary review");
        o.push("asha@db/callqa", &ReviewChange { session: Some(SessionRef::Id(1)), ..change(2) }).unwrap();
        drop(o);
        // Opened again: already version 2, nothing migrated twice.
        let o = Outbox::open(&path).unwrap();
        assert_eq!(o.waiting("asha@db/callqa").unwrap().len(), 2);
    }

    #[test]
    fn an_outbox_file_of_a_newer_version_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite3");
        drop(Outbox::open(&path).unwrap());
        Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 9").unwrap();
        let e = Outbox::open(&path).unwrap_err().to_string();
        assert!(e.contains("newer callqa") && e.contains("version 9"), "{e}");
        let v: i64 =
            Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 9);
    }

    #[test]
    fn change_ids_differ() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_change_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
