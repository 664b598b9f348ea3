//! Reviews in the team store, read the way the SQLite store reads them (`store/reviews.rs`):
//! one review with its answers laid out on its card and its score, a reviewer's latest review
//! of a call, and every review with its call and card for exports and reports. What a login
//! sees is what the server's row-level security lets it see: a reviewer, their own reviews
//! and everyone's submitted ones; a lead, everything.

use std::collections::HashMap;

use postgres::Row;

use super::calls::utc;
use super::{PgError, PgStore, ReviewVersion, on_card};
use crate::model::scorecard::{Answer, ItemAnswer, Review, ReviewStatus, score};
use crate::store::{CallRecord, CardVersion, ExportRow, ReviewState};

/// Reviews made in a calibration session count only in that session's figures.
const NOT_IN_SESSION: &str = "NOT EXISTS (SELECT 1 FROM callqa.review_sessions rs WHERE rs.review_id = r.id)";

/// A review row before its answers are read.
struct ReviewRow {
    id: i64,
    call_id: i64,
    card_id: i64,
    reviewer: String,
    status: String,
    started_at: String,
    updated_at: String,
    submitted_at: Option<String>,
    active_s: f64,
    version: i64,
}

fn review_columns() -> String {
    format!(
        "r.id, r.call_id, r.scorecard_id, r.reviewer, r.status, {}, {}, {}, \
         COALESCE((SELECT t.active_s FROM callqa.review_times t WHERE t.review_id = r.id), 0), r.version",
        utc("r.started_at"),
        utc("r.updated_at"),
        utc("r.submitted_at")
    )
}

fn review_row(r: &Row) -> Result<ReviewRow, PgError> {
    Ok(ReviewRow {
        id: r.try_get(0)?,
        call_id: r.try_get(1)?,
        card_id: r.try_get(2)?,
        reviewer: r.try_get(3)?,
        status: r.try_get(4)?,
        started_at: r.try_get(5)?,
        updated_at: r.try_get(6)?,
        submitted_at: r.try_get(7)?,
        active_s: r.try_get(8)?,
        version: r.try_get(9)?,
    })
}

/// A review as the team store holds it, with the version a change must name.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamReview {
    pub review: Review,
    pub version: i64,
}

impl PgStore {
    /// The answers of the reviews `WHERE cond` (on `r`), by review id, in card position order.
    fn answers_where(
        &mut self,
        cond: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<HashMap<i64, Vec<ItemAnswer>>, PgError> {
        let sql = format!(
            "SELECT a.review_id, a.item_key, a.answer, a.comment, a.evidence::text FROM callqa.answers a \
             JOIN callqa.reviews r ON r.id = a.review_id WHERE {cond} ORDER BY a.review_id, a.position"
        );
        let mut out: HashMap<i64, Vec<ItemAnswer>> = HashMap::new();
        for r in self.client.query(&sql, params)? {
            let review_id: i64 = r.try_get(0)?;
            let key: String = r.try_get(1)?;
            let bad = |what: String| PgError::BadData(format!("review {review_id} item {key}: {what}"));
            let answer = match r.try_get::<_, Option<String>>(2)? {
                Some(a) => Some(a.parse::<Answer>().map_err(|_| bad(format!("answer {a:?}")))?),
                None => None,
            };
            let evidence: String = r.try_get(4)?;
            let evidence_s: Vec<f64> =
                serde_json::from_str(&evidence).map_err(|e| bad(format!("evidence: {e}")))?;
            let a = ItemAnswer { comment: r.try_get(3)?, evidence_s, ..ItemAnswer::new(&key, answer) };
            out.entry(review_id).or_default().push(a);
        }
        Ok(out)
    }

    fn finish(row: ReviewRow, card: &CardVersion, stored: &[ItemAnswer]) -> Result<TeamReview, PgError> {
        let status = ReviewStatus::parse(&row.status)
            .ok_or_else(|| PgError::BadData(format!("review {} has status {:?}", row.id, row.status)))?;
        let answers = on_card(&card.card, stored);
        let s = score(&card.card, &answers);
        Ok(TeamReview {
            review: Review {
                id: row.id,
                call_id: row.call_id,
                card_id: row.card_id,
                reviewer: row.reviewer,
                status,
                started_at: row.started_at,
                updated_at: row.updated_at,
                submitted_at: row.submitted_at,
                answers,
                score: s,
                active_s: row.active_s,
            },
            version: row.version,
        })
    }

    /// The review with this id (if the login may see it), with its version.
    pub fn review(&mut self, id: i64) -> Result<TeamReview, PgError> {
        let sql = format!("SELECT {} FROM callqa.reviews r WHERE r.id = $1", review_columns());
        let row =
            self.client.query_opt(&sql, &[&id])?.ok_or_else(|| PgError::NotFound(format!("review {id}")))?;
        let row = review_row(&row)?;
        let card = self.card_version(row.card_id)?;
        let answers = self.answers_where("r.id = $1", &[&id])?.remove(&id).unwrap_or_default();
        Self::finish(row, &card, &answers)
    }

    /// The login's most recently changed review of this call (draft or submitted), not one
    /// made in a calibration session.
    pub fn latest_own_review(&mut self, call_id: i64) -> Result<Option<TeamReview>, PgError> {
        let sql = format!(
            "SELECT r.id FROM callqa.reviews r WHERE r.call_id = $1 AND r.reviewer = session_user AND \
             {NOT_IN_SESSION} ORDER BY r.updated_at DESC, r.id DESC LIMIT 1"
        );
        let id: Option<i64> = self.client.query_opt(&sql, &[&call_id])?.map(|r| r.get(0));
        id.map(|id| self.review(id)).transpose()
    }

    /// Saves the login's review: a new one (`existing` is `None`), or a change of the one it
    /// loaded (its id and version: refused with [`PgError::Conflict`] when someone saved it
    /// since). A submitted review changes only with `reason`. With a `change` id (an outbox
    /// change) it is applied at most once ([`PgError::AlreadyApplied`]).
    #[allow(clippy::too_many_arguments)]
    pub fn save_own_review(
        &mut self,
        call_id: i64,
        card_id: i64,
        existing: Option<ReviewVersion>,
        answers: &[ItemAnswer],
        submit: bool,
        reason: Option<&str>,
        change: Option<&str>,
    ) -> Result<ReviewVersion, PgError> {
        match existing {
            None => self.create_review_once(call_id, card_id, answers, submit, change),
            Some(v) => self.update_review_once(v.id, v.version, answers, submit, reason, change),
        }
    }

    /// Every review of this call the login may see (its own, and everyone's submitted ones;
    /// a lead, all), oldest first; not those made in calibration sessions.
    pub fn reviews_of_call(&mut self, call_id: i64) -> Result<Vec<TeamReview>, PgError> {
        let sql = format!(
            "SELECT r.id FROM callqa.reviews r WHERE r.call_id = $1 AND {NOT_IN_SESSION} ORDER BY r.id"
        );
        let ids: Vec<i64> = self.client.query(&sql, &[&call_id])?.iter().map(|r| r.get(0)).collect();
        ids.into_iter().map(|id| self.review(id)).collect()
    }

    /// Adds active review time to the login's review (it only grows; not a change of the
    /// review: its version stays).
    pub fn add_active_time(&mut self, review_id: i64, seconds: f64) -> Result<(), PgError> {
        if !(seconds.is_finite() && seconds > 0.0) {
            return Ok(());
        }
        self.client.execute(
            "INSERT INTO callqa.review_times (review_id, active_s) VALUES ($1, $2) \
             ON CONFLICT (review_id) DO UPDATE SET active_s = callqa.review_times.active_s + EXCLUDED.active_s",
            &[&review_id, &seconds],
        )?;
        Ok(())
    }

    /// Whether the server has applied the outbox change `change_id` (the login's own).
    pub fn has_applied(&mut self, change_id: &str) -> Result<bool, PgError> {
        Ok(self
            .client
            .query_opt("SELECT 1 FROM callqa.applied_changes WHERE change_id = $1", &[&change_id])?
            .is_some())
    }

    /// Every review the login may see, with its call and scorecard version, by call then
    /// review id; reviews made in calibration sessions are left out (as on SQLite).
    pub fn export_rows(&mut self) -> Result<Vec<ExportRow>, PgError> {
        self.rows_where(NOT_IN_SESSION, &[])
    }

    /// The reviews made in calibration session `session_id` the login may see (a reviewer:
    /// their own and everyone's submitted ones), as [`PgStore::export_rows`].
    pub fn session_rows(&mut self, session_id: i64) -> Result<Vec<ExportRow>, PgError> {
        self.rows_where(
            "EXISTS (SELECT 1 FROM callqa.review_sessions rs WHERE rs.review_id = r.id AND rs.session_id = $1)",
            &[&session_id],
        )
    }

    /// The reviews `WHERE cond` (on `r`), with their calls and cards, by call then review id.
    fn rows_where(
        &mut self,
        cond: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<ExportRow>, PgError> {
        let sql = format!(
            "SELECT {} FROM callqa.reviews r WHERE {cond} ORDER BY r.call_id, r.id",
            review_columns()
        );
        let rows: Vec<ReviewRow> =
            self.client.query(&sql, params)?.iter().map(review_row).collect::<Result<_, _>>()?;
        let mut answers = self.answers_where(cond, params)?;
        // Calls and cards in one query each (not one per review).
        let calls: HashMap<i64, CallRecord> = self.calls()?.into_iter().map(|c| (c.id, c)).collect();
        let cards: HashMap<i64, CardVersion> = self.card_versions()?.into_iter().map(|c| (c.id, c)).collect();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let call = calls
                .get(&row.call_id)
                .cloned()
                .ok_or_else(|| PgError::NotFound(format!("call {}", row.call_id)))?;
            let card = cards
                .get(&row.card_id)
                .cloned()
                .ok_or_else(|| PgError::NotFound(format!("scorecard version {}", row.card_id)))?;
            let stored = answers.remove(&row.id).unwrap_or_default();
            let review = Self::finish(row, &card, &stored)?.review;
            out.push(ExportRow { review, call, card });
        }
        Ok(out)
    }

    /// Call hash → where it stands (the library's status column), as on SQLite: the latest
    /// submitted review if any, else the latest draft (the login's own: others' drafts are
    /// private), else not reviewed.
    pub fn review_states(&mut self) -> Result<HashMap<String, ReviewState>, PgError> {
        let sql = format!(
            "SELECT DISTINCT ON (c.id) c.hash, r.reviewer, r.status, r.percent, r.critical_failed \
             FROM callqa.calls c LEFT JOIN callqa.reviews r ON r.call_id = c.id AND {NOT_IN_SESSION} \
             ORDER BY c.id, r.status = 'submitted' DESC NULLS LAST, r.updated_at DESC NULLS LAST, r.id DESC"
        );
        let mut states = HashMap::new();
        for r in self.client.query(&sql, &[])? {
            let state =
                match (r.try_get::<_, Option<String>>(1)?, r.try_get::<_, Option<String>>(2)?.as_deref()) {
                    (Some(reviewer), Some("submitted")) => ReviewState::Submitted {
                        reviewer,
                        percent: r.try_get(3)?,
                        critical_failed: r.try_get(4)?,
                    },
                    (Some(reviewer), Some(_)) => ReviewState::Draft { reviewer },
                    _ => ReviewState::NotReviewed,
                };
            states.insert(r.try_get(0)?, state);
        }
        Ok(states)
    }
}
