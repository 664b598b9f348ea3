//! Blind calibration sessions: a lead picks calls and reviewers; each reviewer scores each
//! call in the session (a review carrying the session's id, [`Store::save_session_review`]),
//! without seeing the others' answers until their own is submitted (the window enforces
//! the blind part; the store keeps session reviews apart). Session reviews count only in the
//! session's figures ([`Store::session_rows`]), never in reports, exports or the library.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::calls::{CallRecord, audit};
use super::schema::NOW;
use super::{Store, StoreError};

/// A session to create.
#[derive(Clone, Debug)]
pub struct SessionDraft {
    pub name: String,
    pub call_ids: Vec<i64>,
    pub reviewers: Vec<String>,
    pub created_by: String,
}

/// A stored session, with its calls (in order) and reviewers.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    #[serde(skip)]
    pub calls: Vec<CallRecord>,
    pub reviewers: Vec<String>,
}

impl SessionDraft {
    /// The trimmed name and the reviewers (trimmed, sorted), or why the session cannot be
    /// made: an empty name, no calls, fewer than two reviewers, a blank reviewer or one named
    /// twice, no creator. The same checks on both stores.
    pub fn checked(&self) -> Result<(String, Vec<String>), StoreError> {
        let name = self.name.trim();
        let bad = |why: String| Err(StoreError::BadData(why));
        if name.is_empty() {
            return bad("the session has no name; give one".into());
        }
        if self.call_ids.is_empty() {
            return bad("a calibration session needs at least one call".into());
        }
        let mut reviewers: Vec<String> = self.reviewers.iter().map(|r| r.trim().to_string()).collect();
        if reviewers.iter().any(String::is_empty) {
            return Err(StoreError::NoReviewer);
        }
        let n = reviewers.len();
        reviewers.sort();
        reviewers.dedup();
        if reviewers.len() != n {
            return bad("a reviewer is named twice in the session".into());
        }
        if reviewers.len() < 2 {
            return bad("a calibration session needs at least two reviewers".into());
        }
        if self.created_by.trim().is_empty() {
            return Err(StoreError::NoReviewer);
        }
        Ok((name.to_string(), reviewers))
    }

    /// The calls in session order, each once.
    pub fn unique_calls(&self) -> Vec<i64> {
        let mut seen = std::collections::HashSet::new();
        self.call_ids.iter().copied().filter(|c| seen.insert(*c)).collect()
    }
}

impl Store {
    /// Creates a calibration session (one transaction, an audit row). Refuses an empty or
    /// taken name, no calls, fewer than two reviewers, a blank reviewer or one named twice.
    pub fn create_session(&mut self, d: &SessionDraft) -> Result<i64, StoreError> {
        let (name, reviewers) = d.checked()?;
        let name = name.as_str();
        for &id in &d.call_ids {
            self.call(id)?;
        }
        self.write(|tx| {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM calibration_sessions WHERE name = ?1)",
                [name],
                |r| r.get(0),
            )?;
            if taken {
                return Err(StoreError::BadData(format!(
                    "a calibration session named {name:?} exists already; pick another name"
                )));
            }
            tx.execute(
                &format!(
                    "INSERT INTO calibration_sessions (name, created_by, created_at) VALUES (?1, ?2, {NOW})"
                ),
                params![name, d.created_by.trim()],
            )?;
            let id = tx.last_insert_rowid();
            for (pos, call) in d.unique_calls().iter().enumerate() {
                tx.execute(
                    "INSERT INTO calibration_calls (session_id, call_id, position) VALUES (?1, ?2, ?3)",
                    params![id, call, pos as i64],
                )?;
            }
            for r in &reviewers {
                tx.execute(
                    "INSERT INTO calibration_reviewers (session_id, reviewer) VALUES (?1, ?2)",
                    params![id, r],
                )?;
            }
            let detail = serde_json::json!({ "session": name, "calls": d.call_ids, "reviewers": reviewers });
            audit(tx, d.created_by.trim(), "create_session", None, None, &detail)?;
            Ok(id)
        })
    }

    /// The session with this name.
    pub fn session_by_name(&self, name: &str) -> Result<Option<SessionInfo>, StoreError> {
        let id: Option<i64> = self.read(|c| {
            Ok(c.query_row("SELECT id FROM calibration_sessions WHERE name = ?1", [name.trim()], |r| {
                r.get(0)
            })
            .optional()?)
        })?;
        id.map(|id| self.session(id)).transpose()
    }

    /// The session with this id.
    pub fn session(&self, id: i64) -> Result<SessionInfo, StoreError> {
        let (name, created_by, created_at, call_ids, reviewers) = self.read(|c| {
            let (name, created_by, created_at): (String, String, String) = c
                .query_row(
                    "SELECT name, created_by, created_at FROM calibration_sessions WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("calibration session {id}")))?;
            let mut st =
                c.prepare("SELECT call_id FROM calibration_calls WHERE session_id = ?1 ORDER BY position")?;
            let calls = st.query_map([id], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            let mut st = c.prepare(
                "SELECT reviewer FROM calibration_reviewers WHERE session_id = ?1 ORDER BY reviewer",
            )?;
            let reviewers = st.query_map([id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok((name, created_by, created_at, calls, reviewers))
        })?;
        let calls = call_ids.into_iter().map(|c| self.call(c)).collect::<Result<Vec<_>, _>>()?;
        Ok(SessionInfo { id, name, created_by, created_at, calls, reviewers })
    }

    /// Every session, newest first; only those `reviewer` is in, when given.
    pub fn sessions(&self, reviewer: Option<&str>) -> Result<Vec<SessionInfo>, StoreError> {
        let ids: Vec<i64> = self.read(|c| {
            let mut st = c.prepare(
                "SELECT s.id FROM calibration_sessions s WHERE ?1 IS NULL OR EXISTS \
                 (SELECT 1 FROM calibration_reviewers r WHERE r.session_id = s.id AND r.reviewer = ?1) \
                 ORDER BY s.created_at DESC, s.id DESC",
            )?;
            let ids =
                st.query_map([reviewer.map(str::trim)], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            Ok(ids)
        })?;
        ids.into_iter().map(|id| self.session(id)).collect()
    }

    /// Every reviewer name the database knows (reviews, calibration sessions, queue
    /// assignments), sorted, for a lead picking a session's reviewers.
    pub fn known_reviewers(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT trim(reviewer) AS r FROM reviews \
                 UNION SELECT trim(reviewer) FROM calibration_reviewers \
                 UNION SELECT trim(reviewer) FROM queue_items WHERE reviewer IS NOT NULL \
                 ORDER BY r",
            )?;
            let names = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(names.into_iter().filter(|n| !n.is_empty()).collect())
        })
    }

    /// `reviewer`'s latest review of `call_id` in session `session_id`.
    pub fn latest_session_review(
        &self,
        session_id: i64,
        call_id: i64,
        reviewer: &str,
    ) -> Result<Option<crate::model::scorecard::Review>, StoreError> {
        let id: Option<i64> = self.read(|c| {
            Ok(c.query_row(
                "SELECT r.id FROM reviews r JOIN review_sessions rs ON rs.review_id = r.id \
                 WHERE rs.session_id = ?1 AND r.call_id = ?2 AND r.reviewer = ?3 \
                 ORDER BY r.updated_at DESC, r.id DESC LIMIT 1",
                params![session_id, call_id, reviewer.trim()],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        id.map(|id| self.review(id)).transpose()
    }

    /// Refuses a session review of a call or by a reviewer the session does not have.
    pub(super) fn check_in_session(
        &self,
        session_id: i64,
        call_id: i64,
        reviewer: &str,
    ) -> Result<(), StoreError> {
        let s = self.session(session_id)?;
        if !s.calls.iter().any(|c| c.id == call_id) {
            return Err(StoreError::BadData(format!(
                "call {call_id} is not in calibration session {:?}",
                s.name
            )));
        }
        if !s.reviewers.iter().any(|r| r == reviewer.trim()) {
            return Err(StoreError::BadData(format!(
                "{} is not a reviewer of calibration session {:?} (its reviewers: {})",
                reviewer.trim(),
                s.name,
                s.reviewers.join(", ")
            )));
        }
        Ok(())
    }
}
