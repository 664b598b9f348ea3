//! Blind calibration sessions in the team store, with the SQLite store's meaning
//! (`store/calibration.rs`, the same result types): everyone reads sessions; a lead makes them
//! in their own name (the server's policies refuse a reviewer); a session review is saved as
//! the login, who must be a reviewer of the session, for a call in it (checked here for a
//! clear message, and by the server). Session reviews count only in the session's figures
//! ([`PgStore::session_rows`]). Audit rows are the server's triggers'.

use super::calls::utc;
use super::{PgError, PgStore, ReviewVersion, TeamReview};
use crate::model::scorecard::ItemAnswer;
use crate::store::SessionInfo;

impl PgStore {
    /// Creates a session as the login, with its calls (in order, each once) and reviewers,
    /// in one transaction. `name` and `reviewers` come checked ([`crate::store::SessionDraft::checked`]).
    /// Refused: a taken name (by the server's unique index), a call the store does not have, a reviewer who is not a login
    /// of the team store, and (by the server) a login that is not a lead.
    pub fn create_session(
        &mut self,
        name: &str,
        calls: &[i64],
        reviewers: &[String],
    ) -> Result<i64, PgError> {
        for &id in calls {
            self.call(id)?;
        }
        for r in reviewers {
            let known: bool = self
                .client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.rolname = $1 AND x.rolcanlogin \
                     AND pg_catalog.pg_has_role(x.oid, 'callqa_reviewer', 'MEMBER'))",
                    &[r],
                )?
                .get(0);
            if !known {
                return Err(PgError::Denied(format!(
                    "{r:?} is not a reviewer's login on this team store; a session's reviewers score as \
                     their logins (an admin adds people with init-team's roles)"
                )));
            }
        }
        let mut tx = self.client.transaction()?;
        let id: i64 = tx
            .query_one("INSERT INTO callqa.calibration_sessions (name) VALUES ($1) RETURNING id", &[&name])?
            .get(0);
        let st = tx.prepare(
            "INSERT INTO callqa.calibration_calls (session_id, call_id, position) VALUES ($1, $2, $3)",
        )?;
        for (pos, call) in calls.iter().enumerate() {
            let pos = i32::try_from(pos).map_err(|_| PgError::BadData("too many session calls".into()))?;
            tx.execute(&st, &[&id, call, &pos])?;
        }
        let st =
            tx.prepare("INSERT INTO callqa.calibration_reviewers (session_id, reviewer) VALUES ($1, $2)")?;
        for r in reviewers {
            tx.execute(&st, &[&id, r])?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The session with this name.
    pub fn session_by_name(&mut self, name: &str) -> Result<Option<SessionInfo>, PgError> {
        let id: Option<i64> = self
            .client
            .query_opt("SELECT id FROM callqa.calibration_sessions WHERE name = $1", &[&name.trim()])?
            .map(|r| r.get(0));
        id.map(|id| self.session(id)).transpose()
    }

    /// The session with this id, its calls in order and its reviewers by name.
    pub fn session(&mut self, id: i64) -> Result<SessionInfo, PgError> {
        let sql = format!(
            "SELECT name, created_by, {} FROM callqa.calibration_sessions WHERE id = $1",
            utc("created_at")
        );
        let row = self
            .client
            .query_opt(&sql, &[&id])?
            .ok_or_else(|| PgError::NotFound(format!("calibration session {id}")))?;
        let (name, created_by, created_at): (String, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let call_ids: Vec<i64> = self.column(
            "SELECT call_id FROM callqa.calibration_calls WHERE session_id = $1 ORDER BY position",
            &[&id],
        )?;
        // Byte order, as SQLite's BINARY collation sorts them.
        let reviewers: Vec<String> = self.column(
            "SELECT reviewer FROM callqa.calibration_reviewers WHERE session_id = $1 ORDER BY reviewer COLLATE \"C\"",
            &[&id],
        )?;
        let calls = call_ids.into_iter().map(|c| self.call(c)).collect::<Result<Vec<_>, _>>()?;
        Ok(SessionInfo { id, name, created_by, created_at, calls, reviewers })
    }

    /// Every session, newest first; only those `reviewer` is in, when given.
    pub fn sessions(&mut self, reviewer: Option<&str>) -> Result<Vec<SessionInfo>, PgError> {
        let ids: Vec<i64> = self.column(
            "SELECT s.id FROM callqa.calibration_sessions s WHERE $1::text IS NULL OR EXISTS \
             (SELECT 1 FROM callqa.calibration_reviewers r WHERE r.session_id = s.id AND r.reviewer = $1) \
             ORDER BY s.created_at DESC, s.id DESC",
            &[&reviewer.map(str::trim)],
        )?;
        ids.into_iter().map(|id| self.session(id)).collect()
    }

    /// Every reviewer name the store knows (the reviews the login sees, sessions, queue
    /// assignments) and every reviewer's login of the team store, sorted: on the team store a
    /// session's reviewers are logins.
    pub fn known_reviewers(&mut self) -> Result<Vec<String>, PgError> {
        let names: Vec<String> = self.column(
            "SELECT r FROM (SELECT btrim(reviewer) AS r FROM callqa.reviews \
             UNION SELECT btrim(reviewer) FROM callqa.calibration_reviewers \
             UNION SELECT btrim(reviewer) FROM callqa.queue_items WHERE reviewer IS NOT NULL \
             UNION SELECT x.rolname::text FROM pg_catalog.pg_roles x WHERE x.rolcanlogin \
               AND pg_catalog.pg_has_role(x.oid, 'callqa_reviewer', 'MEMBER')) names \
             ORDER BY r COLLATE \"C\"",
            &[],
        )?;
        Ok(names.into_iter().filter(|n| !n.is_empty()).collect())
    }

    /// `reviewer`'s latest review of `call_id` in session `session_id` (another reviewer's
    /// only once submitted: the server hides drafts).
    pub fn latest_session_review(
        &mut self,
        session_id: i64,
        call_id: i64,
        reviewer: &str,
    ) -> Result<Option<TeamReview>, PgError> {
        let id: Option<i64> = self
            .client
            .query_opt(
                "SELECT r.id FROM callqa.reviews r JOIN callqa.review_sessions rs ON rs.review_id = r.id \
                 WHERE rs.session_id = $1 AND r.call_id = $2 AND r.reviewer = $3 \
                 ORDER BY r.updated_at DESC, r.id DESC LIMIT 1",
                &[&session_id, &call_id, &reviewer.trim()],
            )?
            .map(|r| r.get(0));
        id.map(|id| self.review(id)).transpose()
    }

    /// Saves the login's review in session `session_id`: a new one (`existing` is `None`,
    /// its session row written in the same transaction) or a change of the session review it
    /// loaded (refused when that review is not of this session, or someone saved it since). A
    /// submitted session review is not changed (no amendment in a session).
    pub fn save_session_review(
        &mut self,
        session_id: i64,
        call_id: i64,
        card_id: i64,
        existing: Option<ReviewVersion>,
        answers: &[ItemAnswer],
        submit: bool,
    ) -> Result<ReviewVersion, PgError> {
        self.save_session_review_once(session_id, call_id, card_id, existing, answers, submit, None)
    }

    /// [`PgStore::save_session_review`], applied at most once per `change` id (an outbox
    /// change: the id claimed in the review's transaction, with its session row;
    /// [`PgError::AlreadyApplied`] when the server has it already, nothing written).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn save_session_review_once(
        &mut self,
        session_id: i64,
        call_id: i64,
        card_id: i64,
        existing: Option<ReviewVersion>,
        answers: &[ItemAnswer],
        submit: bool,
        change: Option<&str>,
    ) -> Result<ReviewVersion, PgError> {
        self.check_in_session(session_id, call_id)?;
        match existing {
            None => self.insert_review(call_id, card_id, answers, submit, change, Some(session_id)),
            Some(v) => {
                let of: Option<i64> = self
                    .client
                    .query_opt(
                        "SELECT session_id FROM callqa.review_sessions WHERE review_id = $1",
                        &[&v.id],
                    )?
                    .map(|r| r.get(0));
                if of != Some(session_id) {
                    return Err(PgError::Denied(format!(
                        "review {} is not a review of calibration session {session_id}; it cannot be saved as one",
                        v.id
                    )));
                }
                self.update_review_once(v.id, v.version, answers, submit, None, change)
            }
        }
    }

    /// Refuses a session review of a call the session does not have, or by a login who is
    /// not one of its reviewers.
    fn check_in_session(&mut self, session_id: i64, call_id: i64) -> Result<(), PgError> {
        let s = self.session(session_id)?;
        if !s.calls.iter().any(|c| c.id == call_id) {
            return Err(PgError::Denied(format!(
                "call {call_id} is not in calibration session {:?}",
                s.name
            )));
        }
        let login = self.identity()?.login;
        if !s.reviewers.contains(&login) {
            return Err(PgError::Denied(format!(
                "{login} is not a reviewer of calibration session {:?} (its reviewers: {})",
                s.name,
                s.reviewers.join(", ")
            )));
        }
        Ok(())
    }
}
