//! Calls, identified by the hash of their audio: a moved or renamed file keeps its reviews
//! (its new path is recorded, with an audit row).

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Row, params};

use super::schema::NOW;
use super::{Store, StoreError, os_user};
use crate::model::call::CallMeta;

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
                            recorded_at, first_seen, last_seen";

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
        },
        first_seen: r.get(10)?,
        last_seen: r.get(11)?,
    })
}

impl Store {
    /// Records a call (or finds it by `hash`) and returns its id. A known call seen at a new
    /// path gets the new path; changed details (e.g. a corrected agent tag) are updated.
    /// Nothing is written when nothing changed.
    pub fn upsert_call(&mut self, hash: &str, path: &Path, meta: &CallMeta) -> Result<i64, StoreError> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let path_text = abs.to_string_lossy().into_owned();
        if let Some(known) = self.call_by_hash(hash)?
            && known.path == Path::new(&path_text)
            && known.meta == *meta
        {
            return Ok(known.id);
        }
        let actor = os_user();
        self.write(|tx| {
            let known = tx
                .query_row(
                    &format!("SELECT {CALL_COLUMNS} FROM calls WHERE hash = ?1"),
                    [hash],
                    call_from_row,
                )
                .optional()?;
            let m = meta;
            match known {
                None => {
                    tx.execute(
                        &format!(
                            "INSERT INTO calls (hash, path, file_name, duration_s, sample_rate, channels, \
                             encoding, agent, recorded_at, first_seen, last_seen) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {NOW}, {NOW})"
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
                            m.recorded_at
                        ],
                    )?;
                    let id = tx.last_insert_rowid();
                    let detail = serde_json::json!({ "path": path_text, "meta": m });
                    audit(tx, &actor, "add_call", None, Some(id), &detail)?;
                    Ok(id)
                }
                Some(old) => {
                    tx.execute(
                        &format!(
                            "UPDATE calls SET path = ?2, file_name = ?3, duration_s = ?4, sample_rate = ?5, \
                             channels = ?6, encoding = ?7, agent = ?8, recorded_at = ?9, last_seen = {NOW} \
                             WHERE id = ?1"
                        ),
                        params![
                            old.id,
                            path_text,
                            m.file_name,
                            m.duration_s,
                            m.sample_rate,
                            m.channels,
                            m.encoding,
                            m.agent,
                            m.recorded_at
                        ],
                    )?;
                    let action = if old.path == Path::new(&path_text) { "update_call" } else { "move_call" };
                    let detail = serde_json::json!({
                        "from": { "path": old.path.to_string_lossy(), "meta": old.meta },
                        "to": { "path": path_text, "meta": m },
                    });
                    audit(tx, &actor, action, None, Some(old.id), &detail)?;
                    Ok(old.id)
                }
            }
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
