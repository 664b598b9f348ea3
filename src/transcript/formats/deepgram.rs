//! Deepgram's pre-recorded response.
//!
//! Words: `results.channels[i].alternatives[0].words[]` with `start`/`end` (seconds, floats),
//! `word`, `punctuated_word` (preferred when present, as it keeps case and punctuation) and
//! `confidence`. Labels: with more than one channel (multichannel) the channel
//! (`Label::Channel(i)`) wins; else the diarised `speaker` (an integer, `Label::Speaker("0")`);
//! else `Label::Channel(i)`.

use serde_json::Value;

use super::json::{array_at, first_alternative, num_at, str_at, uint_at};
use super::words::{RawWord, WordSink};
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Label};

/// Reads a Deepgram response (`results.channels` must be an array).
pub fn parse(value: &Value) -> Result<Parsed, TranscriptError> {
    let channels =
        value.get("results").and_then(|r| r.get("channels")).and_then(Value::as_array).ok_or_else(|| {
            TranscriptError::Malformed {
                format: Format::Deepgram.as_str(),
                detail: "`results.channels` is not an array".into(),
            }
        })?;
    let multichannel = channels.len() > 1;
    let mut sink = WordSink::new(Format::Deepgram);
    for (i, channel) in channels.iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let Some(alt) = first_alternative(channel) else {
            continue;
        };
        for w in array_at(alt, "words") {
            let speaker = uint_at(w, "speaker");
            let label = match speaker {
                Some(s) if !multichannel => Label::Speaker(s.to_string()),
                _ => Label::Channel(index),
            };
            let text = str_at(w, "punctuated_word").or_else(|| str_at(w, "word")).unwrap_or("");
            sink.push(RawWord {
                text: text.to_string(),
                start_s: num_at(w, "start").unwrap_or(f64::NAN),
                end_s: num_at(w, "end").unwrap_or(f64::NAN),
                label,
                confidence: num_at(w, "confidence"),
                interpolated: false,
            })?;
        }
    }
    sink.finish()
}
