//! Transcripts in the team store, with the SQLite store's meaning (`store/transcripts.rs`, the
//! same [`StoredTranscript`] and [`SearchHit`] and the same index rows): a call's words by its
//! content hash, one `transcript_segments` row per segment of one speaker. Everyone reads them;
//! a lead imports and replaces them in their own name (`imported_by` is the login) — the
//! server's grants and policies refuse a reviewer. The server's trigger audits each import.
//!
//! Phrase search finds the same hits as SQLite's: the phrase's normalised tokens, whole and in
//! order, in one segment's normalised text (`strpos` on the text with a space either side:
//! literal, so `%`, `_` and `\` are plain characters), then each place in the segment as on
//! SQLite. When every token is plain ASCII letters the GIN index of the `simple` tsvector picks
//! the candidate segments first (PostgreSQL's parser splits other scripts and digit forms by
//! the server's locale, not as callqa normalises them, so other phrases scan the segments).
//! Hits come in the order the segments were stored, as on SQLite.

use super::calls::utc;
use super::{PgError, PgStore};
use crate::model::Speaker;
use crate::store::transcripts::{FoundRow, add_hits, index_rows, speaker_text, tokens};
use crate::store::{SearchHit, StoredTranscript};
use crate::transcript::Transcript;

/// Longest token the tsvector prefilter is trusted with (PostgreSQL skips words over 2 kB).
const MAX_INDEXED_TOKEN: usize = 100;

impl PgStore {
    /// Stores `t` as the transcript of the call with this content hash, replacing an earlier
    /// one and its segments, in one transaction, as the login. `source` names its file.
    pub fn save_transcript(&mut self, call_hash: &str, t: &Transcript, source: &str) -> Result<(), PgError> {
        let words = serde_json::to_string(t).map_err(|e| PgError::BadData(e.to_string()))?;
        let rows = index_rows(t);
        let mut tx = self.client.transaction()?;
        tx.execute(
            "INSERT INTO callqa.transcripts (call_hash, format, source, words) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (call_hash) DO UPDATE SET format = EXCLUDED.format, source = EXCLUDED.source, \
             words = EXCLUDED.words, imported_by = session_user, imported_at = now()",
            &[&call_hash, &t.format.as_str(), &source, &words],
        )?;
        tx.execute("DELETE FROM callqa.transcript_segments WHERE call_hash = $1", &[&call_hash])?;
        let st = tx.prepare(
            "INSERT INTO callqa.transcript_segments (call_hash, text, speaker, shown, times) \
             VALUES ($1, $2, $3, $4, $5)",
        )?;
        for r in &rows {
            tx.execute(&st, &[&call_hash, &r.text, &r.speaker, &r.shown, &r.times])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The transcript of the call with this content hash, if one was imported.
    pub fn transcript(&mut self, call_hash: &str) -> Result<Option<StoredTranscript>, PgError> {
        let sql = format!(
            "SELECT words, source, imported_by, {} FROM callqa.transcripts WHERE call_hash = $1",
            utc("imported_at")
        );
        let Some(row) = self.client.query_opt(&sql, &[&call_hash])? else { return Ok(None) };
        let words: String = row.try_get(0)?;
        let transcript: Transcript = serde_json::from_str(&words)
            .map_err(|e| PgError::BadData(format!("transcript of {call_hash}: {e}")))?;
        Ok(Some(StoredTranscript {
            call_hash: call_hash.to_string(),
            transcript,
            source: row.try_get(1)?,
            imported_by: row.try_get(2)?,
            imported_at: row.try_get(3)?,
        }))
    }

    /// The content hashes of the calls that have a transcript.
    pub fn transcribed_calls(&mut self) -> Result<Vec<String>, PgError> {
        let rows = self
            .client
            .query("SELECT call_hash FROM callqa.transcripts ORDER BY call_hash COLLATE \"C\"", &[])?;
        rows.iter().map(|r| r.try_get(0).map_err(PgError::from)).collect()
    }

    /// Where `phrase` was said, by `speaker` when given: at most `limit` hits, as
    /// [`crate::store::Store::search`]. An empty phrase finds nothing.
    pub fn search(
        &mut self,
        phrase: &str,
        speaker: Option<Speaker>,
        limit: usize,
    ) -> Result<Vec<SearchHit>, PgError> {
        let want = tokens(phrase);
        if want.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let joined = want.join(" ");
        let indexed =
            want.iter().all(|t| t.len() <= MAX_INDEXED_TOKEN && t.bytes().all(|b| b.is_ascii_lowercase()));
        // Each matching segment holds at least one hit: `limit` segments are enough.
        let rows_wanted = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.client.query(
            "SELECT s.call_hash, s.speaker, s.shown, s.text, s.times, c.file_name, c.path, c.id \
             FROM callqa.transcript_segments s LEFT JOIN callqa.calls c ON c.hash = s.call_hash \
             WHERE strpos(' ' || s.text || ' ', ' ' || $1 || ' ') > 0 \
             AND (NOT $2 OR to_tsvector('simple'::regconfig, s.text) @@ phraseto_tsquery('simple'::regconfig, $1)) \
             AND ($3 = '' OR s.speaker = $3) \
             ORDER BY s.id LIMIT $4",
            &[&joined, &indexed, &speaker_text(speaker), &rows_wanted],
        )?;
        let mut hits = Vec::new();
        for r in rows {
            let row = FoundRow {
                call_hash: r.try_get(0)?,
                speaker: r.try_get(1)?,
                shown: r.try_get(2)?,
                text: r.try_get(3)?,
                times: r.try_get(4)?,
                file_name: r.try_get(5)?,
                path: r.try_get(6)?,
                call_id: r.try_get(7)?,
            };
            if add_hits(&row, &want, limit, &mut hits).map_err(PgError::BadData)? {
                break;
            }
        }
        Ok(hits)
    }
}
