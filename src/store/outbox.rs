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

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::pg::{PgError, PgStore, ReviewVersion, TeamReview};
use super::{CardVersion, StoreError};
use crate::model::call::CallMeta;
use crate::model::scorecard::{ItemAnswer, ReviewStatus, Scorecard, merge_answers};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id  TEXT NOT NULL UNIQUE,
    target     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    change     TEXT NOT NULL,
    error      TEXT
);";

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
            .and_then(|()| conn.execute_batch(SCHEMA))
            .map_err(|e| outbox_error(path, &e))?;
        Ok(Outbox { conn, path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps a change for `target` (durably: the file is synced before this returns); returns
    /// its place in the outbox.
    pub fn push(&mut self, target: &str, change: &ReviewChange) -> Result<i64, StoreError> {
        let json = serde_json::to_string(change).map_err(|e| StoreError::BadData(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO changes (change_id, target, change) VALUES (?1, ?2, ?3)",
                params![new_change_id(), target, json],
            )
            .map_err(|e| outbox_error(&self.path, &e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The changes waiting for `target`, oldest first.
    pub fn waiting(&self, target: &str) -> Result<Vec<Waiting>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT id, change_id, target, created_at, change, error FROM changes WHERE target = ?1 ORDER BY id")
            .map_err(|e| outbox_error(&self.path, &e))?;
        let rows = st
            .query_map([target], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get(5)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| outbox_error(&self.path, &e))?;
        rows.into_iter()
            .map(|(id, change_id, target, created_at, json, error)| {
                let change = serde_json::from_str(&json)
                    .map_err(|e| StoreError::BadData(format!("outbox change {id}: {e}")))?;
                Ok(Waiting { id, change_id, target, created_at, change, error })
            })
            .collect()
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
    fn change_ids_differ() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_change_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
