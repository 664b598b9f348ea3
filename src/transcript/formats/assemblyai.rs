//! AssemblyAI's transcript JSON.
//!
//! Words: top-level `words[]` with `start`/`end` in integer milliseconds, `text` and
//! `confidence`. Labels: `channel` (a string, 1-based: `"1"` → `Label::Channel(0)`) wins when
//! present (multichannel transcripts); else `speaker` (`"A"`, diarisation) →
//! `Label::Speaker`; else unknown.

use serde_json::Value;

use super::json::{array_at, num_at, str_at, uint_at};
use super::words::{RawWord, WordSink};
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Label};

/// Reads an AssemblyAI transcript (`words` must be an array).
pub fn parse(value: &Value) -> Result<Parsed, TranscriptError> {
    let mut sink = WordSink::new(Format::AssemblyAi);
    for w in array_at(value, "words") {
        let channel =
            uint_at(w, "channel").and_then(|c| c.checked_sub(1)).and_then(|c| u32::try_from(c).ok());
        let label = match (channel, str_at(w, "speaker")) {
            (Some(c), _) => Label::Channel(c),
            (None, Some(s)) if !s.is_empty() => Label::Speaker(s.to_string()),
            _ => Label::Unknown,
        };
        let ms = |key| num_at(w, key).map_or(f64::NAN, |x| x / 1000.0);
        sink.push(RawWord {
            text: str_at(w, "text").unwrap_or("").to_string(),
            start_s: ms("start"),
            end_s: ms("end"),
            label,
            confidence: num_at(w, "confidence"),
            interpolated: false,
        })?;
    }
    sink.finish()
}
