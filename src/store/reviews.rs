//! Reviews and their answers: save (draft or submit) with an audit row describing what
//! changed, load, the per-call review state for the library list, and rows for exports.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::calls::audit;
use super::schema::NOW;
use super::{CallRecord, CardVersion, Store, StoreError};
use crate::model::scorecard::{Answer, ItemAnswer, Review, ReviewStatus, Scorecard, score};

/// What the caller wants saved. `answers` is the whole set: items left out are stored as
/// unanswered.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewDraft {
    /// `None`: a new review. `Some(id)`: replace that review's answers (same call, card and
    /// reviewer). A submitted review stays submitted.
    pub id: Option<i64>,
    pub call_id: i64,
    /// The scorecard version ([`CardVersion::id`]).
    pub card_id: i64,
    pub reviewer: String,
    pub answers: Vec<ItemAnswer>,
}

/// Where a call stands, for the library list.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    NotReviewed,
    /// The latest draft (no submitted review exists).
    Draft {
        reviewer: String,
    },
    /// The latest submitted review.
    Submitted {
        reviewer: String,
        percent: Option<f64>,
        critical_failed: bool,
    },
}

/// One audit row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// `create`, `edit`, `submit`, `add_call`, `move_call`, `update_call`, `add_scorecard`,
    /// `migrate`, `add_clip`, `remove_clip`.
    pub action: String,
    pub review_id: Option<i64>,
    pub call_id: Option<i64>,
    /// JSON: what changed.
    pub detail: String,
}

/// A review with its call and scorecard version, for exports and reports.
#[derive(Clone, Debug)]
pub struct ExportRow {
    pub review: Review,
    pub call: CallRecord,
    pub card: CardVersion,
}

impl ExportRow {
    /// The call was recorded on a day from `from` to `to` (`YYYY-MM-DD`, both included); with
    /// neither given every row is in, with one given a call of unknown date is out.
    pub fn recorded_between(&self, from: Option<&str>, to: Option<&str>) -> bool {
        if from.is_none() && to.is_none() {
            return true;
        }
        let Some(day) = self.call.meta.recorded_at.as_deref().and_then(|a| a.get(..10)) else {
            return false;
        };
        from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
    }

    /// The review as `model::report` counts it.
    pub fn report_entry(&self) -> crate::model::report::ReportEntry<'_> {
        crate::model::report::ReportEntry {
            agent: self.call.meta.agent.as_deref(),
            team: self.call.meta.team.as_deref(),
            reviewer: &self.review.reviewer,
            card: &self.card.card,
            answers: &self.review.answers,
            score: &self.review.score,
            review_share: (self.review.active_s > 0.0 && self.call.meta.duration_s > 0.0)
                .then(|| self.review.active_s / self.call.meta.duration_s),
        }
    }

    /// The review as `model::calibration` compares it (calls by content hash).
    pub fn calibration_entry<'a>(
        &'a self,
        call_name: &'a str,
    ) -> crate::model::calibration::CalibrationEntry<'a> {
        crate::model::calibration::CalibrationEntry {
            call: &self.call.hash,
            call_name,
            reviewer: &self.review.reviewer,
            card: &self.card.card,
            answers: &self.review.answers,
            score: &self.review.score,
        }
    }
}

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
}

const REVIEW_COLUMNS: &str = "id, call_id, scorecard_id, reviewer, status, started_at, updated_at, submitted_at, \
     COALESCE((SELECT t.active_s FROM review_times t WHERE t.review_id = reviews.id), 0)";

/// SQL: the review (`reviews` row, or the alias given) was not made in a calibration session.
pub(super) fn not_in_session(alias: &str) -> String {
    format!("NOT EXISTS (SELECT 1 FROM review_sessions rs WHERE rs.review_id = {alias}.id)")
}

fn review_row(r: &Row<'_>) -> rusqlite::Result<ReviewRow> {
    Ok(ReviewRow {
        id: r.get(0)?,
        call_id: r.get(1)?,
        card_id: r.get(2)?,
        reviewer: r.get(3)?,
        status: r.get(4)?,
        started_at: r.get(5)?,
        updated_at: r.get(6)?,
        submitted_at: r.get(7)?,
        active_s: r.get(8)?,
    })
}

/// The stored answers of a review, keyed by item.
fn load_answers(c: &Connection, review_id: i64) -> Result<Vec<ItemAnswer>, StoreError> {
    let mut st = c.prepare_cached(
        "SELECT item_key, answer, comment, evidence FROM answers WHERE review_id = ?1 ORDER BY position",
    )?;
    let raw = st
        .query_map([review_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(|(key, answer, comment, evidence)| {
            let answer = answer
                .map(|a| a.parse::<Answer>())
                .transpose()
                .map_err(|e| StoreError::BadData(format!("review {review_id}: {e}")))?;
            let evidence_s: Vec<f64> = serde_json::from_str(&evidence)
                .map_err(|e| StoreError::BadData(format!("review {review_id} evidence: {e}")))?;
            Ok(ItemAnswer { key, answer, comment, evidence_s })
        })
        .collect()
}

/// The answers laid out on the card: one per item, in card order.
fn on_card(card: &Scorecard, answers: &[ItemAnswer]) -> Vec<ItemAnswer> {
    card.items()
        .map(|item| {
            answers
                .iter()
                .find(|a| a.key == item.key)
                .cloned()
                .unwrap_or_else(|| ItemAnswer::new(&item.key, None))
        })
        .collect()
}

fn answer_json(a: &ItemAnswer) -> serde_json::Value {
    serde_json::json!({ "answer": a.answer.map(Answer::as_str), "comment": a.comment, "evidence_s": a.evidence_s })
}

impl Store {
    /// Saves a review as a draft, or submits it (`submit`: every item must be answered).
    /// Returns the review id. One transaction with an audit row; an unchanged review is not
    /// written again. A submitted review is changed only by [`Store::amend_review`].
    pub fn save_review(&mut self, draft: &ReviewDraft, submit: bool) -> Result<i64, StoreError> {
        self.save_review_with(draft, submit, None, None)
    }

    /// [`Store::save_review`] for a review made in calibration session `session_id` (the
    /// call and the reviewer must be in it). Such a review counts only in that session's
    /// figures; a submitted one cannot be amended.
    pub fn save_session_review(
        &mut self,
        session_id: i64,
        draft: &ReviewDraft,
        submit: bool,
    ) -> Result<i64, StoreError> {
        self.check_in_session(session_id, draft.call_id, &draft.reviewer)?;
        self.save_review_with(draft, submit, None, Some(session_id))
    }

    /// Changes a submitted review: every item must stay answered, and `reason` (required,
    /// not blank) is kept in the audit row with the changes.
    pub fn amend_review(&mut self, draft: &ReviewDraft, reason: &str) -> Result<i64, StoreError> {
        if reason.trim().is_empty() {
            return Err(StoreError::AmendNeedsReason);
        }
        self.save_review_with(draft, true, Some(reason.trim()), None)
    }

    fn save_review_with(
        &mut self,
        draft: &ReviewDraft,
        submit: bool,
        reason: Option<&str>,
        session: Option<i64>,
    ) -> Result<i64, StoreError> {
        let reviewer = draft.reviewer.trim().to_string();
        if reviewer.is_empty() {
            return Err(StoreError::NoReviewer);
        }
        let card = self.scorecard(draft.card_id)?;
        card.card.check_answers(&draft.answers)?;
        let answers = on_card(&card.card, &draft.answers);
        let s = score(&card.card, &answers);
        let call = self.call(draft.call_id)?;
        let duration_s = call.meta.duration_s;
        if duration_s > 0.0 {
            for a in &answers {
                // Half a second of slack: a reviewer may stamp the very end.
                if let Some(&time) = a.evidence_s.iter().find(|t| **t > duration_s + 0.5) {
                    return Err(StoreError::EvidenceAfterEnd { key: a.key.clone(), time, duration_s });
                }
            }
        }
        self.write(|tx| {
            let old = match draft.id {
                None => None,
                Some(id) => {
                    let row = tx
                        .query_row(&format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?1"), [id], review_row)
                        .optional()?
                        .ok_or_else(|| StoreError::NotFound(format!("review {id}")))?;
                    let row_session: Option<i64> = tx
                        .query_row("SELECT session_id FROM review_sessions WHERE review_id = ?1", [id], |r| r.get(0))
                        .optional()?;
                    if row_session != session {
                        return Err(StoreError::Mismatch {
                            id,
                            detail: match row_session {
                                Some(s) => format!("calibration session {s}"),
                                None => "no calibration session".into(),
                            },
                        });
                    }
                    if row.call_id != draft.call_id || row.card_id != draft.card_id || row.reviewer != reviewer {
                        return Err(StoreError::Mismatch {
                            id,
                            detail: format!(
                                "call {}, scorecard version {}, reviewer {}",
                                row.call_id, row.card_id, row.reviewer
                            ),
                        });
                    }
                    Some(row)
                }
            };
            let was_submitted = old.as_ref().is_some_and(|r| r.status == "submitted");
            let status = if submit || was_submitted { ReviewStatus::Submitted } else { ReviewStatus::Draft };
            if status == ReviewStatus::Submitted && !s.complete {
                return Err(StoreError::Incomplete(s.unanswered.clone()));
            }
            let (id, action, detail) = match old {
                None => {
                    tx.execute(
                        &format!(
                            "INSERT INTO reviews (call_id, scorecard_id, reviewer, status, started_at, updated_at, \
                             submitted_at, percent, points, max_points, critical_failed, complete) \
                             VALUES (?1, ?2, ?3, ?4, {NOW}, {NOW}, CASE WHEN ?4 = 'submitted' THEN {NOW} END, \
                             ?5, ?6, ?7, ?8, ?9)"
                        ),
                        params![
                            draft.call_id,
                            draft.card_id,
                            reviewer,
                            status.as_str(),
                            s.percent,
                            s.points,
                            s.max,
                            s.critical_failed,
                            s.complete
                        ],
                    )?;
                    let id = tx.last_insert_rowid();
                    if let Some(session) = session {
                        tx.execute(
                            "INSERT INTO review_sessions (review_id, session_id) VALUES (?1, ?2)",
                            params![id, session],
                        )?;
                    }
                    let all: serde_json::Map<_, _> =
                        answers.iter().map(|a| (a.key.clone(), answer_json(a))).collect();
                    let mut detail = serde_json::json!({
                        "status": status.as_str(), "scorecard_id": draft.card_id, "answers": all,
                        "percent": s.percent,
                    });
                    if let (Some(session), Some(d)) = (session, detail.as_object_mut()) {
                        d.insert("session_id".into(), session.into());
                    }
                    (id, if status == ReviewStatus::Submitted { "submit" } else { "create" }, detail)
                }
                Some(row) => {
                    let before = on_card(&card.card, &load_answers(tx, row.id)?);
                    let changes: Vec<_> = before
                        .iter()
                        .zip(&answers)
                        .filter(|(b, a)| b != a)
                        .map(|(b, a)| serde_json::json!({ "item": a.key, "from": answer_json(b), "to": answer_json(a) }))
                        .collect();
                    let newly_submitted = status == ReviewStatus::Submitted && !was_submitted;
                    if changes.is_empty() && !newly_submitted {
                        return Ok(row.id);
                    }
                    if was_submitted && (reason.is_none() || session.is_some()) {
                        return Err(StoreError::AmendNeedsReason);
                    }
                    tx.execute(
                        &format!(
                            "UPDATE reviews SET status = ?2, updated_at = {NOW}, \
                             submitted_at = COALESCE(submitted_at, CASE WHEN ?2 = 'submitted' THEN {NOW} END), \
                             percent = ?3, points = ?4, max_points = ?5, critical_failed = ?6, complete = ?7 \
                             WHERE id = ?1"
                        ),
                        params![row.id, status.as_str(), s.percent, s.points, s.max, s.critical_failed, s.complete],
                    )?;
                    tx.execute("DELETE FROM answers WHERE review_id = ?1", [row.id])?;
                    let mut detail = serde_json::json!({
                        "status": { "from": row.status, "to": status.as_str() },
                        "changes": changes, "percent": s.percent,
                    });
                    if let (Some(reason), Some(d)) = (reason, detail.as_object_mut()) {
                        d.insert("reason".into(), reason.into());
                    }
                    (row.id, if newly_submitted { "submit" } else { "edit" }, detail)
                }
            };
            let mut ins = tx.prepare_cached(
                "INSERT INTO answers (review_id, position, item_key, answer, comment, evidence) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (pos, a) in answers.iter().enumerate() {
                let evidence = serde_json::Value::from(a.evidence_s.clone()).to_string();
                ins.execute(params![id, pos as i64, a.key, a.answer.map(Answer::as_str), a.comment, evidence])?;
            }
            audit(tx, &reviewer, action, Some(id), Some(draft.call_id), &detail)?;
            Ok(id)
        })
    }

    /// Adds `seconds` of active review time (the call open in the window, focused) to a
    /// review. Not audited: a measurement, not a change of the review.
    pub fn add_active_time(&mut self, review_id: i64, seconds: f64) -> Result<(), StoreError> {
        if !(seconds.is_finite() && seconds > 0.0) {
            return Ok(());
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO review_times (review_id, active_s) VALUES (?1, ?2) \
                 ON CONFLICT (review_id) DO UPDATE SET active_s = active_s + excluded.active_s",
                params![review_id, seconds],
            )?;
            Ok(())
        })
    }

    /// The review with this id, its answers laid out on its card, and its score.
    pub fn review(&self, id: i64) -> Result<Review, StoreError> {
        let row = self.read(|c| {
            c.query_row(&format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?1"), [id], review_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("review {id}")))
        })?;
        let card = self.scorecard(row.card_id)?;
        self.finish_review(row, &card.card)
    }

    fn finish_review(&self, row: ReviewRow, card: &Scorecard) -> Result<Review, StoreError> {
        let status = ReviewStatus::parse(&row.status)
            .ok_or_else(|| StoreError::BadData(format!("review {} has status {:?}", row.id, row.status)))?;
        let answers = on_card(card, &self.read(|c| load_answers(c, row.id))?);
        let s = score(card, &answers);
        Ok(Review {
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
        })
    }

    /// The reviewer's most recently changed review of this call (draft or submitted).
    pub fn latest_review(&self, call_id: i64, reviewer: &str) -> Result<Option<Review>, StoreError> {
        let id: Option<i64> = self.read(|c| {
            Ok(c.query_row(
                &format!(
                    "SELECT id FROM reviews WHERE call_id = ?1 AND reviewer = ?2 AND {} \
                     ORDER BY updated_at DESC, id DESC LIMIT 1",
                    not_in_session("reviews")
                ),
                params![call_id, reviewer.trim()],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        id.map(|id| self.review(id)).transpose()
    }

    /// Every review of this call, oldest first (not those made in calibration sessions).
    pub fn reviews_of_call(&self, call_id: i64) -> Result<Vec<Review>, StoreError> {
        let ids: Vec<i64> = self.read(|c| {
            let mut st = c.prepare(&format!(
                "SELECT id FROM reviews WHERE call_id = ?1 AND {} ORDER BY id",
                not_in_session("reviews")
            ))?;
            let ids = st.query_map([call_id], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(ids)
        })?;
        ids.into_iter().map(|id| self.review(id)).collect()
    }

    /// Every review with its call and scorecard version, by call then review id (reviews
    /// made in calibration sessions are left out: they never count in reports).
    pub fn export_rows(&self) -> Result<Vec<ExportRow>, StoreError> {
        self.rows_where(&not_in_session("reviews"), [])
    }

    /// The reviews made in calibration session `session_id`, as [`Store::export_rows`].
    pub fn session_rows(&self, session_id: i64) -> Result<Vec<ExportRow>, StoreError> {
        self.rows_where(
            "EXISTS (SELECT 1 FROM review_sessions rs WHERE rs.review_id = reviews.id AND rs.session_id = ?1)",
            [session_id],
        )
    }

    fn rows_where(&self, cond: &str, args: impl rusqlite::Params) -> Result<Vec<ExportRow>, StoreError> {
        let rows: Vec<ReviewRow> = self.read(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE {cond} ORDER BY call_id, id"
            ))?;
            let rows = st.query_map(args, review_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        let mut calls: HashMap<i64, CallRecord> = HashMap::new();
        let mut cards: HashMap<i64, CardVersion> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let call = match calls.get(&row.call_id) {
                Some(c) => c.clone(),
                None => {
                    let c = self.call(row.call_id)?;
                    calls.insert(row.call_id, c.clone());
                    c
                }
            };
            let card = match cards.get(&row.card_id) {
                Some(c) => c.clone(),
                None => {
                    let c = self.scorecard(row.card_id)?;
                    cards.insert(row.card_id, c.clone());
                    c
                }
            };
            let review = self.finish_review(row, &card.card)?;
            out.push(ExportRow { review, call, card });
        }
        Ok(out)
    }

    /// Call hash → where it stands: the latest submitted review if any, else the latest
    /// draft, else not reviewed. Calls never stored are absent (not reviewed either).
    pub fn review_states(&self) -> Result<HashMap<String, ReviewState>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare(&format!(
                "SELECT c.hash, r.reviewer, r.status, r.percent, r.critical_failed FROM calls c \
                 LEFT JOIN reviews r ON r.call_id = c.id AND {} \
                 ORDER BY c.id, r.status = 'submitted', r.updated_at, r.id",
                not_in_session("r")
            ))?;
            let mut states = HashMap::new();
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let hash: String = r.get(0)?;
                let reviewer: Option<String> = r.get(1)?;
                let status: Option<String> = r.get(2)?;
                // Rows come in rising priority: the last one per call wins.
                let state = match (reviewer, status.as_deref()) {
                    (Some(reviewer), Some("submitted")) => {
                        ReviewState::Submitted { reviewer, percent: r.get(3)?, critical_failed: r.get(4)? }
                    }
                    (Some(reviewer), Some(_)) => ReviewState::Draft { reviewer },
                    _ => ReviewState::NotReviewed,
                };
                states.insert(hash, state);
            }
            Ok(states)
        })
    }

    /// The audit trail, oldest first; of one review when `review_id` is given.
    pub fn audit_log(&self, review_id: Option<i64>) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, at, actor, action, review_id, call_id, detail FROM audit \
                 WHERE ?1 IS NULL OR review_id = ?1 ORDER BY id",
            )?;
            let rows = st
                .query_map([review_id], |r| {
                    Ok(AuditEntry {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        review_id: r.get(4)?,
                        call_id: r.get(5)?,
                        detail: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}
