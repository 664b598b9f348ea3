//! Calls, identified by the hash of their audio: a moved or renamed file keeps its reviews
//! (its new path is recorded, with an audit row).

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Row, params};

use super::schema::NOW;
use super::{Store, StoreError, os_user};
use crate::model::call::CallMeta;

/// What a source given on purpose says about a call ([`Store::set_call_details`]); `None`:
/// it does not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallDetails {
    pub agent: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`.
    pub recorded_at: Option<String>,
    pub team: Option<String>,
    /// Where it comes from, for the audit row (e.g. `metadata CSV /path/dialer.csv`).
    pub source: String,
}

impl CallDetails {
    /// Whether it says anything.
    pub fn is_empty(&self) -> bool {
        self.agent.is_none() && self.recorded_at.is_none() && self.team.is_none()
    }

    /// `meta` with each detail this says (not empty) in place of the stored one; what it
    /// does not say is kept, never erased. The same on both stores.
    pub(crate) fn applied_to(&self, meta: &CallMeta) -> CallMeta {
        let mut now = meta.clone();
        let pick = |given: &Option<String>, stored: &mut Option<String>| {
            if let Some(v) = given.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                *stored = Some(v.to_string());
            }
        };
        pick(&self.agent, &mut now.agent);
        pick(&self.recorded_at, &mut now.recorded_at);
        pick(&self.team, &mut now.team);
        now
    }
}

/// A call as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRecord {
    pub id: i64,
    /// Content hash of the audio (`callqa::audio::content_hash`).
    pub hash: String,
    /// Where the file was last seen.
    pub path: PathBuf,
    pub meta: CallMeta,
    pub first_seen: String,
    pub last_seen: String,
}

const CALL_COLUMNS: &str = "id, hash, path, file_name, duration_s, sample_rate, channels, encoding, agent, \
                            recorded_at, first_seen, last_seen, team";

fn call_from_row(r: &Row<'_>) -> rusqlite::Result<CallRecord> {
    Ok(CallRecord {
        id: r.get(0)?,
        hash: r.get(1)?,
        path: PathBuf::from(r.get::<_, String>(2)?),
        meta: CallMeta {
            file_name: r.get(3)?,
            duration_s: r.get(4)?,
            sample_rate: r.get(5)?,
            channels: r.get(6)?,
            encoding: r.get(7)?,
            agent: r.get(8)?,
            recorded_at: r.get(9)?,
            team: r.get(12)?,
        },
        first_seen: r.get(10)?,
        last_seen: r.get(11)?,
    })
}

impl Store {
    /// Records a call (or finds it by `hash`, see [`crate::audio::content_hash`]) and returns
    /// its id.
    ///
    /// - A call stored by an older callqa under its data-only hash is found by that part of
    ///   `hash` and re-keyed (audited as `rekey_call`).
    /// - A new path of a known call is remembered in `call_paths`. It is a *move* (the call's
    ///   path changes, audited as `move_call`) only when the file at the previous path is gone;
    ///   otherwise it is a copy, and the call keeps its path (no audit row: nothing about the
    ///   call changed).
    /// - Details missing from the row (agent, recording time, team) are filled in; known ones
    ///   are never replaced by a copy's, so the agent cannot flip with the last file scanned,
    ///   and a scan that knows no team never erases one (a metadata CSV or a name pattern
    ///   given on purpose replaces them: [`Store::set_call_details`]).
    ///
    /// Nothing is written when nothing changed.
    pub fn upsert_call(&mut self, hash: &str, path: &Path, meta: &CallMeta) -> Result<i64, StoreError> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let path_text = abs.to_string_lossy().into_owned();
        let legacy = crate::audio::hash::legacy_part(hash).unwrap_or(hash).to_string();
        if let Some(known) = self.call_by_hash(hash)?
            && (known.meta.agent.is_some() || meta.agent.is_none())
            && (known.meta.recorded_at.is_some() || meta.recorded_at.is_none())
            && (known.meta.team.is_some() || meta.team.is_none())
            && self.call_paths(known.id)?.iter().any(|p| *p == Path::new(&path_text))
        {
            return Ok(known.id);
        }
        let actor = os_user();
        // Decided outside the transaction (it may run again): is the previous file still there?
        let previous_gone = |p: &Path| p != Path::new(&path_text) && !p.exists();
        self.write(|tx| {
            let mut known = tx
                .query_row(
                    &format!("SELECT {CALL_COLUMNS} FROM calls WHERE hash = ?1"),
                    [hash],
                    call_from_row,
                )
                .optional()?;
            if known.is_none() && legacy != hash {
                known = tx
                    .query_row(
                        &format!("SELECT {CALL_COLUMNS} FROM calls WHERE hash = ?1"),
                        [&legacy],
                        call_from_row,
                    )
                    .optional()?;
                if let Some(old) = &known {
                    tx.execute("UPDATE calls SET hash = ?2 WHERE id = ?1", params![old.id, hash])?;
                    let detail = serde_json::json!({ "from": legacy, "to": hash });
                    audit(tx, &actor, "rekey_call", None, Some(old.id), &detail)?;
                }
            }
            let m = meta;
            match known {
                None => {
                    tx.execute(
                        &format!(
                            "INSERT INTO calls (hash, path, file_name, duration_s, sample_rate, channels, \
                             encoding, agent, recorded_at, team, first_seen, last_seen) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, {NOW}, {NOW})"
                        ),
                        params![
                            hash,
                            path_text,
                            m.file_name,
                            m.duration_s,
                            m.sample_rate,
                            m.channels,
                            m.encoding,
                            m.agent,
                            m.recorded_at,
                            m.team
                        ],
                    )?;
                    let id = tx.last_insert_rowid();
                    add_path(tx, id, &path_text)?;
                    let detail = serde_json::json!({ "path": path_text, "meta": m });
                    audit(tx, &actor, "add_call", None, Some(id), &detail)?;
                    Ok(id)
                }
                Some(old) => {
                    add_path(tx, old.id, &path_text)?;
                    let moved = previous_gone(&old.path);
                    let mut now = old.meta.clone();
                    if moved {
                        now.file_name.clone_from(&m.file_name);
                    }
                    if now.agent.is_none() {
                        now.agent.clone_from(&m.agent);
                    }
                    if now.recorded_at.is_none() {
                        now.recorded_at.clone_from(&m.recorded_at);
                    }
                    if now.team.is_none() {
                        now.team.clone_from(&m.team);
                    }
                    let new_path =
                        if moved { path_text.clone() } else { old.path.to_string_lossy().into_owned() };
                    if !moved && now == old.meta {
                        return Ok(old.id);
                    }
                    tx.execute(
                        &format!(
                            "UPDATE calls SET path = ?2, file_name = ?3, agent = ?4, recorded_at = ?5, \
                             team = ?6, last_seen = {NOW} WHERE id = ?1"
                        ),
                        params![old.id, new_path, now.file_name, now.agent, now.recorded_at, now.team],
                    )?;
                    let action = if moved { "move_call" } else { "update_call" };
                    let detail = serde_json::json!({
                        "from": { "path": old.path.to_string_lossy(), "meta": old.meta },
                        "to": { "path": new_path, "meta": now },
                    });
                    audit(tx, &actor, action, None, Some(old.id), &detail)?;
                    Ok(old.id)
                }
            }
        })
    }

    /// Sets what a source given on purpose says about a call (a dialer's metadata CSV, a
    /// `--name-pattern`: `callqa index --metadata`): each detail it knows replaces the stored
    /// one; a detail it does not know (`None`, an empty cell) keeps what is stored — it is
    /// never erased. Audited as `update_call` (before and after); nothing is written when
    /// nothing changes. Returns whether something changed.
    pub fn set_call_details(&mut self, call_id: i64, details: &CallDetails) -> Result<bool, StoreError> {
        let actor = os_user();
        self.write(|tx| {
            let old = tx
                .query_row(
                    &format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"),
                    [call_id],
                    call_from_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("call {call_id}")))?;
            let now = details.applied_to(&old.meta);
            if now == old.meta {
                return Ok(false);
            }
            tx.execute(
                "UPDATE calls SET agent = ?2, recorded_at = ?3, team = ?4 WHERE id = ?1",
                params![call_id, now.agent, now.recorded_at, now.team],
            )?;
            let path = old.path.to_string_lossy();
            let detail = serde_json::json!({
                "from": { "path": path, "meta": old.meta },
                "to": { "path": path, "meta": now },
                "source": details.source,
            });
            audit(tx, &actor, "update_call", None, Some(call_id), &detail)?;
            Ok(true)
        })
    }

    /// Every path this call was seen at, the first seen first.
    pub fn call_paths(&self, call_id: i64) -> Result<Vec<PathBuf>, StoreError> {
        self.read(|c| {
            let mut st =
                c.prepare_cached("SELECT path FROM call_paths WHERE call_id = ?1 ORDER BY first_seen, path")?;
            let rows = st
                .query_map([call_id], |r| r.get::<_, String>(0))?
                .map(|p| p.map(PathBuf::from))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// The call with this content hash, if stored.
    pub fn call_by_hash(&self, hash: &str) -> Result<Option<CallRecord>, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {CALL_COLUMNS} FROM calls WHERE hash = ?1"),
                [hash],
                call_from_row,
            )
            .optional()?)
        })
    }

    /// The call with this id.
    pub fn call(&self, id: i64) -> Result<CallRecord, StoreError> {
        self.read(|c| {
            c.query_row(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"), [id], call_from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("call {id}")))
        })
    }

    /// Every stored call, oldest first.
    pub fn calls(&self) -> Result<Vec<CallRecord>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare(&format!("SELECT {CALL_COLUMNS} FROM calls ORDER BY id"))?;
            let rows = st.query_map([], call_from_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}

/// Remembers a path of a call (once).
fn add_path(tx: &rusqlite::Transaction<'_>, call_id: i64, path: &str) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT OR IGNORE INTO call_paths (call_id, path, first_seen) VALUES (?1, ?2, {NOW})"),
        params![call_id, path],
    )?;
    Ok(())
}

/// Writes one audit row inside the caller's transaction.
pub(super) fn audit(
    tx: &rusqlite::Transaction<'_>,
    actor: &str,
    action: &str,
    review_id: Option<i64>,
    call_id: Option<i64>,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO audit (at, actor, action, review_id, call_id, detail) VALUES ({NOW}, ?1, ?2, ?3, ?4, ?5)"
        ),
        params![actor, action, review_id, call_id, detail.to_string()],
    )?;
    Ok(())
}
