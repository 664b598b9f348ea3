//! Coaching clips: a trainer's named sets of good and bad moments from calls, each a time
//! range of one call with a note. One transaction and an audit row per change.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::calls::{self, CallRecord};
use super::schema::NOW;
use super::{Store, StoreError};

/// Longest clip, seconds (a coaching moment, not a whole call).
pub const MAX_CLIP_S: f64 = 600.0;

/// Whether a clip shows what to do or what not to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClipKind {
    Good,
    Bad,
}

impl ClipKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClipKind::Good => "good",
            ClipKind::Bad => "bad",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<ClipKind> {
        match s {
            "good" => Some(ClipKind::Good),
            "bad" => Some(ClipKind::Bad),
            _ => None,
        }
    }
}

/// A clip to add.
#[derive(Clone, Debug)]
pub struct ClipDraft {
    pub set: String,
    pub call_id: i64,
    pub start_s: f64,
    pub end_s: f64,
    pub kind: ClipKind,
    pub note: String,
    pub author: String,
}

/// A stored clip, with its call.
#[derive(Clone, Debug, Serialize)]
pub struct Clip {
    pub id: i64,
    pub set: String,
    #[serde(skip)]
    pub call: CallRecord,
    pub start_s: f64,
    pub end_s: f64,
    pub kind: ClipKind,
    pub note: String,
    pub author: String,
    pub created_at: String,
}

impl ClipDraft {
    /// The trimmed set name and author, or why the clip cannot be added to a call of
    /// `duration` seconds: no author or set name, a range that does not start before it ends
    /// at 0 s or later, ends after the call (half a second of slack), or is longer than
    /// [`MAX_CLIP_S`]. The same checks on both stores.
    pub fn checked(&self, duration: f64) -> Result<(String, String), StoreError> {
        let (set, author) = (self.set.trim().to_string(), self.author.trim().to_string());
        if author.is_empty() {
            return Err(StoreError::BadClip(
                "the author's name is empty; give a name (e.g. --author Priya)".into(),
            ));
        }
        if set.is_empty() {
            return Err(StoreError::BadClip(
                "the set name is empty; give one (e.g. --set \"Interruptions\")".into(),
            ));
        }
        if !(self.start_s.is_finite()
            && self.end_s.is_finite()
            && 0.0 <= self.start_s
            && self.start_s < self.end_s)
        {
            return Err(StoreError::BadClip(format!(
                "the clip must start before it ends, at 0 s or later (got {} – {} s)",
                self.start_s, self.end_s
            )));
        }
        if self.end_s > duration + 0.5 {
            return Err(StoreError::BadClip(format!(
                "the clip ends at {} s, after the end of the call ({duration:.1} s)",
                self.end_s
            )));
        }
        if self.end_s - self.start_s > MAX_CLIP_S {
            return Err(StoreError::BadClip(format!(
                "a clip is at most {MAX_CLIP_S} s long (got {:.1} s); clip the moment, not the call",
                self.end_s - self.start_s
            )));
        }
        Ok((set, author))
    }
}

impl Store {
    /// Adds a clip to a set (the set exists once it has a clip). The range must lie inside the
    /// call (half a second of slack at the end) and be at most [`MAX_CLIP_S`] long.
    pub fn add_clip(&mut self, d: &ClipDraft) -> Result<i64, StoreError> {
        let call = self.call(d.call_id)?;
        let (set, author) = d.checked(call.meta.duration_s)?;
        self.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO clips (set_name, call_id, start_s, end_s, kind, note, author, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW})"
                ),
                params![set, d.call_id, d.start_s, d.end_s, d.kind.as_str(), d.note, author],
            )?;
            let id = tx.last_insert_rowid();
            let detail = serde_json::json!({
                "clip": id, "set": set, "start_s": d.start_s, "end_s": d.end_s,
                "kind": d.kind.as_str(), "note": d.note,
            });
            calls::audit(tx, &author, "add_clip", None, Some(d.call_id), &detail)?;
            Ok(id)
        })
    }

    /// Removes a clip. The audit row keeps all of it (set, call, times, kind, note, author,
    /// when it was made), so the log alone can tell what was removed and put it back.
    pub fn remove_clip(&mut self, id: i64, actor: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let row = tx
                .query_row(
                    "SELECT id, set_name, call_id, start_s, end_s, kind, note, author, created_at \
                     FROM clips WHERE id = ?1",
                    [id],
                    ClipRow::from_row,
                )
                .optional()?;
            let Some(clip) = row else {
                return Err(StoreError::NotFound(format!("clip {id}")));
            };
            tx.execute("DELETE FROM clips WHERE id = ?1", [id])?;
            let detail = serde_json::json!({
                "clip": clip.id, "set": clip.set, "call_id": clip.call_id, "start_s": clip.start_s,
                "end_s": clip.end_s, "kind": clip.kind, "note": clip.note, "author": clip.author,
                "created_at": clip.created_at,
            });
            calls::audit(tx, actor, "remove_clip", None, Some(clip.call_id), &detail)?;
            Ok(())
        })
    }

    /// The clips of one set (or of every set), by set then in the order they were added.
    pub fn clips(&self, set: Option<&str>) -> Result<Vec<Clip>, StoreError> {
        let rows: Vec<ClipRow> = self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, set_name, call_id, start_s, end_s, kind, note, author, created_at FROM clips \
                 WHERE ?1 IS NULL OR set_name = ?1 ORDER BY set_name, id",
            )?;
            let rows = st.query_map([set], ClipRow::from_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|r| {
                let kind = ClipKind::parse(&r.kind)
                    .ok_or_else(|| StoreError::BadData(format!("clip kind {:?}", r.kind)))?;
                Ok(Clip {
                    id: r.id,
                    set: r.set,
                    call: self.call(r.call_id)?,
                    start_s: r.start_s,
                    end_s: r.end_s,
                    kind,
                    note: r.note,
                    author: r.author,
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}

/// A `clips` row as stored.
struct ClipRow {
    id: i64,
    set: String,
    call_id: i64,
    start_s: f64,
    end_s: f64,
    kind: String,
    note: String,
    author: String,
    created_at: String,
}

impl ClipRow {
    /// From `SELECT id, set_name, call_id, start_s, end_s, kind, note, author, created_at`.
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClipRow> {
        Ok(ClipRow {
            id: r.get(0)?,
            set: r.get(1)?,
            call_id: r.get(2)?,
            start_s: r.get(3)?,
            end_s: r.get(4)?,
            kind: r.get(5)?,
            note: r.get(6)?,
            author: r.get(7)?,
            created_at: r.get(8)?,
        })
    }
}
