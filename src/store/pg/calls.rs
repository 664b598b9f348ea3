//! Calls and scorecard versions in the team store: the same rules as the SQLite store's
//! (`store/calls.rs`, `store/cards.rs`), written in PostgreSQL's dialect. Audit rows are
//! written by the server's triggers, in the login's name.
//!
//! - A call is found by its content hash; a new path is remembered in `call_paths`; the call's
//!   path moves only when the file at the previous path is gone (else it is a copy); details
//!   missing from the row (agent, recording time, team) are filled in, known ones never replaced.
//! - A scorecard is found by its content hash; a new one is stored as the next version of its
//!   name, which only a lead (or admin) may do: a reviewer is told to ask a lead.

use std::path::{Path, PathBuf};

use postgres::Row;
use postgres::error::SqlState;

use super::{PgError, PgStore};
use crate::model::call::CallMeta;
use crate::model::scorecard::Scorecard;
use crate::store::{CallRecord, CardVersion};

/// A `timestamptz` column as the SQLite store writes times (`2026-11-25T14:09:27.123Z`).
pub(super) fn utc(column: &str) -> String {
    format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
}

fn call_columns() -> String {
    format!(
        "id, hash, path, file_name, duration_s, sample_rate, channels, encoding, agent, recorded_at, {}, {}, team",
        utc("first_seen"),
        utc("last_seen")
    )
}

fn call_from_row(r: &Row) -> Result<CallRecord, PgError> {
    let rate: i32 = r.try_get(5)?;
    let channels: i32 = r.try_get(6)?;
    let bad = |what: &str| PgError::BadData(format!("call {}: {what}", r.get::<_, i64>(0)));
    Ok(CallRecord {
        id: r.try_get(0)?,
        hash: r.try_get(1)?,
        path: PathBuf::from(r.try_get::<_, String>(2)?),
        meta: CallMeta {
            file_name: r.try_get(3)?,
            duration_s: r.try_get(4)?,
            sample_rate: u32::try_from(rate).map_err(|_| bad("sample rate"))?,
            channels: u16::try_from(channels).map_err(|_| bad("channels"))?,
            encoding: r.try_get(7)?,
            agent: r.try_get(8)?,
            recorded_at: r.try_get(9)?,
            team: r.try_get(12)?,
        },
        first_seen: r.try_get(10)?,
        last_seen: r.try_get(11)?,
    })
}

fn card_from_row(r: &Row) -> Result<CardVersion, PgError> {
    let (id, name, version, hash, content, created_at): (i64, String, i32, String, String, String) =
        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?);
    let card = Scorecard::from_json_str(&content)
        .map_err(|e| PgError::BadData(format!("scorecard {name} v{version}: {e}")))?;
    Ok(CardVersion { id, name, version: i64::from(version), hash, card, created_at })
}

fn card_columns() -> String {
    format!("id, name, version, hash, content, {}", utc("created_at"))
}

impl PgStore {
    /// The call with this content hash, if stored.
    pub fn call_by_hash(&mut self, hash: &str) -> Result<Option<CallRecord>, PgError> {
        let sql = format!("SELECT {} FROM callqa.calls WHERE hash = $1", call_columns());
        self.client.query_opt(&sql, &[&hash])?.as_ref().map(call_from_row).transpose()
    }

    /// The call with this id.
    pub fn call(&mut self, id: i64) -> Result<CallRecord, PgError> {
        let sql = format!("SELECT {} FROM callqa.calls WHERE id = $1", call_columns());
        let row =
            self.client.query_opt(&sql, &[&id])?.ok_or_else(|| PgError::NotFound(format!("call {id}")))?;
        call_from_row(&row)
    }

    /// Every stored call, oldest first.
    pub fn calls(&mut self) -> Result<Vec<CallRecord>, PgError> {
        let sql = format!("SELECT {} FROM callqa.calls ORDER BY id", call_columns());
        self.client.query(&sql, &[])?.iter().map(call_from_row).collect()
    }

    /// Records a call (or finds it by `hash`) and returns its id; see the module's rules.
    pub fn upsert_call(&mut self, hash: &str, path: &Path, meta: &CallMeta) -> Result<i64, PgError> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let path_text = abs.to_string_lossy().into_owned();
        let rate = i32::try_from(meta.sample_rate).map_err(|_| PgError::BadData("sample rate".into()))?;
        let channels = i32::from(meta.channels);
        let mut tx = self.client.transaction()?;
        // The row, inserted if new (a concurrent insert of the same call is taken as found).
        tx.execute(
            "INSERT INTO callqa.calls (hash, path, file_name, duration_s, sample_rate, channels, encoding, \
             agent, recorded_at, team) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (hash) DO NOTHING",
            &[
                &hash,
                &path_text,
                &meta.file_name,
                &meta.duration_s,
                &rate,
                &channels,
                &meta.encoding,
                &meta.agent,
                &meta.recorded_at,
                &meta.team,
            ],
        )?;
        let sql = format!("SELECT {} FROM callqa.calls WHERE hash = $1 FOR UPDATE", call_columns());
        let known = call_from_row(&tx.query_one(&sql, &[&hash])?)?;
        tx.execute(
            "INSERT INTO callqa.call_paths (call_id, path) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&known.id, &path_text],
        )?;
        let moved = known.path != Path::new(&path_text) && !known.path.exists();
        let mut now = known.meta.clone();
        if moved {
            now.file_name.clone_from(&meta.file_name);
        }
        if now.agent.is_none() {
            now.agent.clone_from(&meta.agent);
        }
        if now.recorded_at.is_none() {
            now.recorded_at.clone_from(&meta.recorded_at);
        }
        if now.team.is_none() {
            now.team.clone_from(&meta.team);
        }
        if moved || now != known.meta {
            let new_path = if moved { path_text } else { known.path.to_string_lossy().into_owned() };
            tx.execute(
                "UPDATE callqa.calls SET path = $2, file_name = $3, agent = $4, recorded_at = $5, team = $6, \
                 last_seen = now() WHERE id = $1",
                &[&known.id, &new_path, &now.file_name, &now.agent, &now.recorded_at, &now.team],
            )?;
        }
        tx.commit()?;
        Ok(known.id)
    }

    /// Every path this call was seen at, the first seen first.
    pub fn call_paths(&mut self, call_id: i64) -> Result<Vec<PathBuf>, PgError> {
        let rows = self.client.query(
            "SELECT path FROM callqa.call_paths WHERE call_id = $1 ORDER BY first_seen, path",
            &[&call_id],
        )?;
        rows.iter().map(|r| Ok(PathBuf::from(r.try_get::<_, String>(0)?))).collect()
    }

    /// Stores (or replaces) a call's analysis figures, in the login's name.
    pub fn save_metrics(&mut self, call_id: i64, m: &crate::store::CallMetrics) -> Result<(), PgError> {
        let warnings = serde_json::to_string(&m.warnings).map_err(|e| PgError::BadData(e.to_string()))?;
        let n = |v: u32| i64::from(v);
        self.client.execute(
            "INSERT INTO callqa.call_metrics (call_id, analyser_version, duration_s, talk_agent_s, \
             talk_customer_s, talk_mixed_s, overtalk_count, overtalk_by_agent, overtalk_by_customer, \
             overtalk_total_s, silence_count, silence_total_s, silence_longest_s, hold_total_s, warnings) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, ($15::text)::jsonb) \
             ON CONFLICT (call_id) DO UPDATE SET analysed_at = now(), analysed_by = session_user, \
             analyser_version = EXCLUDED.analyser_version, duration_s = EXCLUDED.duration_s, \
             talk_agent_s = EXCLUDED.talk_agent_s, talk_customer_s = EXCLUDED.talk_customer_s, \
             talk_mixed_s = EXCLUDED.talk_mixed_s, overtalk_count = EXCLUDED.overtalk_count, \
             overtalk_by_agent = EXCLUDED.overtalk_by_agent, overtalk_by_customer = EXCLUDED.overtalk_by_customer, \
             overtalk_total_s = EXCLUDED.overtalk_total_s, silence_count = EXCLUDED.silence_count, \
             silence_total_s = EXCLUDED.silence_total_s, silence_longest_s = EXCLUDED.silence_longest_s, \
             hold_total_s = EXCLUDED.hold_total_s, warnings = EXCLUDED.warnings",
            &[
                &call_id,
                &m.analyser_version,
                &m.duration_s,
                &m.talk_agent_s,
                &m.talk_customer_s,
                &m.talk_mixed_s,
                &n(m.overtalk_count),
                &n(m.overtalk_by_agent),
                &n(m.overtalk_by_customer),
                &m.overtalk_total_s,
                &n(m.silence_count),
                &m.silence_total_s,
                &m.silence_longest_s,
                &m.hold_total_s,
                &warnings,
            ],
        )?;
        Ok(())
    }

    /// Every call's stored analysis figures, by call id.
    pub fn all_metrics(&mut self) -> Result<Vec<crate::store::StoredMetrics>, PgError> {
        self.metrics_of(None)
    }

    /// The stored figures of a call, if it has been analysed.
    pub fn metrics(&mut self, call_id: i64) -> Result<Option<crate::store::StoredMetrics>, PgError> {
        Ok(self.metrics_of(Some(call_id))?.into_iter().next())
    }

    /// Sets what a source given on purpose says about a call (`callqa index --metadata`), as
    /// [`crate::store::Store::set_call_details`]: a detail it does not say keeps the stored
    /// one. The server's trigger audits the change in the login's name. Whether it changed.
    pub fn set_call_details(
        &mut self,
        call_id: i64,
        details: &crate::store::CallDetails,
    ) -> Result<bool, PgError> {
        let mut tx = self.client.transaction()?;
        let sql = format!("SELECT {} FROM callqa.calls WHERE id = $1 FOR UPDATE", call_columns());
        let old =
            tx.query_opt(&sql, &[&call_id])?.ok_or_else(|| PgError::NotFound(format!("call {call_id}")))?;
        let old = call_from_row(&old)?;
        let now = details.applied_to(&old.meta);
        if now == old.meta {
            return Ok(false);
        }
        tx.execute(
            "UPDATE callqa.calls SET agent = $2, recorded_at = $3, team = $4 WHERE id = $1",
            &[&call_id, &now.agent, &now.recorded_at, &now.team],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The figures of one call, or of every call, by call id.
    fn metrics_of(&mut self, call_id: Option<i64>) -> Result<Vec<crate::store::StoredMetrics>, PgError> {
        let sql = format!(
            "SELECT call_id, {}, analyser_version, duration_s, talk_agent_s, talk_customer_s, talk_mixed_s, \
             overtalk_count, overtalk_by_agent, overtalk_by_customer, overtalk_total_s, silence_count, \
             silence_total_s, silence_longest_s, hold_total_s, warnings::text FROM callqa.call_metrics \
             WHERE $1::bigint IS NULL OR call_id = $1 ORDER BY call_id",
            utc("analysed_at")
        );
        let count = |r: &Row, i: usize| -> Result<u32, PgError> {
            let v: i64 = r.try_get(i)?;
            u32::try_from(v).map_err(|_| PgError::BadData(format!("a count of {v} in the analysis figures")))
        };
        self.client
            .query(&sql, &[&call_id])?
            .iter()
            .map(|r| {
                let warnings: String = r.try_get(15)?;
                let metrics = crate::store::CallMetrics {
                    analyser_version: r.try_get(2)?,
                    duration_s: r.try_get(3)?,
                    talk_agent_s: r.try_get(4)?,
                    talk_customer_s: r.try_get(5)?,
                    talk_mixed_s: r.try_get(6)?,
                    overtalk_count: count(r, 7)?,
                    overtalk_by_agent: count(r, 8)?,
                    overtalk_by_customer: count(r, 9)?,
                    overtalk_total_s: r.try_get(10)?,
                    silence_count: count(r, 11)?,
                    silence_total_s: r.try_get(12)?,
                    silence_longest_s: r.try_get(13)?,
                    hold_total_s: r.try_get(14)?,
                    warnings: serde_json::from_str(&warnings)
                        .map_err(|e| PgError::BadData(format!("analysis warnings: {e}")))?,
                };
                Ok(crate::store::StoredMetrics {
                    call_id: r.try_get(0)?,
                    analysed_at: r.try_get(1)?,
                    metrics,
                })
            })
            .collect()
    }

    /// The scorecard version with this id.
    pub fn card_version(&mut self, id: i64) -> Result<CardVersion, PgError> {
        let sql = format!("SELECT {} FROM callqa.scorecards WHERE id = $1", card_columns());
        let row = self
            .client
            .query_opt(&sql, &[&id])?
            .ok_or_else(|| PgError::NotFound(format!("scorecard version {id}")))?;
        card_from_row(&row)
    }

    /// Every stored scorecard version, by name then version.
    pub fn card_versions(&mut self) -> Result<Vec<CardVersion>, PgError> {
        let sql = format!("SELECT {} FROM callqa.scorecards ORDER BY name, version", card_columns());
        self.client.query(&sql, &[])?.iter().map(card_from_row).collect()
    }

    /// Finds this exact card content, or stores it as the next version of its name (a lead's
    /// or an admin's right; a reviewer is told so, and nothing is written).
    pub fn ensure_scorecard(&mut self, card: &Scorecard) -> Result<CardVersion, PgError> {
        card.validate().map_err(|e| PgError::BadData(e.to_string()))?;
        let hash = card.content_hash();
        let sql = format!("SELECT {} FROM callqa.scorecards WHERE hash = $1", card_columns());
        if let Some(row) = self.client.query_opt(&sql, &[&hash])? {
            return card_from_row(&row);
        }
        let content = card.canonical_json();
        // Two leads adding versions at once: the unique (name, version) or hash refuses the
        // second insert; it then finds the same content, or takes the next number.
        for _ in 0..3 {
            let inserted = self.client.query_one(
                "INSERT INTO callqa.scorecards (name, version, hash, content) \
                 SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3 FROM callqa.scorecards WHERE name = $1 \
                 RETURNING id",
                &[&card.name, &hash, &content],
            );
            match inserted {
                Ok(row) => return self.card_version(row.get(0)),
                Err(e) if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {
                    return Err(PgError::Denied(format!(
                        "the scorecard \"{}\" (this content) is not in the team store, and only a lead \
                         adds scorecards; ask a lead to add it (callqa review --scorecard FILE as a \
                         lead), or use the card the team uses",
                        card.name
                    )));
                }
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    if let Some(row) = self.client.query_opt(&sql, &[&hash])? {
                        return card_from_row(&row);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(PgError::BadData(format!("could not number a new version of the scorecard {:?}", card.name)))
    }
}
