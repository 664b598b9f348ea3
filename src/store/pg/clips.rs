//! Coaching clips in the team store, with the SQLite store's meaning (`store/clips.rs`, the
//! same [`Clip`] type): everyone reads them; a lead adds them in their own name (the author is
//! the login) and removes them — the server's grants and policies refuse a reviewer. Each
//! change is audited by the server's trigger in the login's name; a removal's audit row keeps
//! the whole clip (set, call, times, kind, note, author, when it was made), as on SQLite.

use super::calls::utc;
use super::{PgError, PgStore};
use crate::store::{Clip, ClipDraft, ClipKind};

impl PgStore {
    /// Adds a clip as the login (its author). `set` comes trimmed and the draft checked
    /// ([`ClipDraft::checked`]); the server refuses a login that is not a lead.
    pub fn add_clip(&mut self, set: &str, d: &ClipDraft) -> Result<i64, PgError> {
        let row = self.client.query_one(
            "INSERT INTO callqa.clips (set_name, call_id, start_s, end_s, kind, note) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[&set, &d.call_id, &d.start_s, &d.end_s, &d.kind.as_str(), &d.note],
        )?;
        Ok(row.try_get(0)?)
    }

    /// Removes clip `id` (a lead's right; the server's audit row keeps all of it).
    pub fn remove_clip(&mut self, id: i64) -> Result<(), PgError> {
        let gone = self.client.execute("DELETE FROM callqa.clips WHERE id = $1", &[&id])?;
        if gone == 0 {
            return Err(PgError::NotFound(format!("clip {id}")));
        }
        Ok(())
    }

    /// The clips of one set (or of every set), by set then in the order they were added.
    pub fn clips(&mut self, set: Option<&str>) -> Result<Vec<Clip>, PgError> {
        let sql = format!(
            "SELECT id, set_name, call_id, start_s, end_s, kind, note, author, {} FROM callqa.clips \
             WHERE $1::text IS NULL OR set_name = $1 ORDER BY set_name COLLATE \"C\", id",
            utc("created_at")
        );
        let rows = self.client.query(&sql, &[&set])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let kind: String = r.try_get(5)?;
            let kind =
                ClipKind::parse(&kind).ok_or_else(|| PgError::BadData(format!("clip kind {kind:?}")))?;
            let call_id: i64 = r.try_get(2)?;
            out.push(Clip {
                id: r.try_get(0)?,
                set: r.try_get(1)?,
                call: self.call(call_id)?,
                start_s: r.try_get(3)?,
                end_s: r.try_get(4)?,
                kind,
                note: r.try_get(6)?,
                author: r.try_get(7)?,
                created_at: r.try_get(8)?,
            });
        }
        Ok(out)
    }
}
