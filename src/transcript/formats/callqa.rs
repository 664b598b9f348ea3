//! callqa's own JSON: a serialised [`Transcript`] (for example from a local recogniser).
//!
//! Recognised by a `format` naming one of callqa's formats, or by words with `start_s`; it
//! reads as [`Format::Callqa`] whatever `format` says (the file is callqa's, whoever
//! recognised the words first). Words are checked like every other format's, and their
//! `speaker`s are kept.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::words::WordSink;
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Word};

/// The shape read: `Transcript` with the format optional.
#[derive(Deserialize)]
struct Saved {
    #[serde(rename = "format")]
    _format: Option<Format>,
    words: Vec<Word>,
}

/// True for an object that is callqa's JSON rather than a vendor's.
pub(crate) fn looks_like(obj: &Map<String, Value>) -> bool {
    let format_ok = obj
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| serde_json::from_value::<Format>(Value::String(f.into())).is_ok());
    let words_ok = obj
        .get("words")
        .and_then(Value::as_array)
        .and_then(|w| w.first())
        .is_some_and(|w| w.get("start_s").is_some());
    format_ok || words_ok
}

/// Reads callqa's JSON.
pub fn parse(value: &Value) -> Result<Parsed, TranscriptError> {
    let saved = Saved::deserialize(value).map_err(|e| TranscriptError::Malformed {
        format: Format::Callqa.as_str(),
        detail: format!("{e}: expected {{\"format\": \"callqa\", \"words\": [{{\"text\", \"start_s\", \"end_s\", \"label\", …}}]}}"),
    })?;
    let mut sink = WordSink::new(Format::Callqa);
    for word in saved.words {
        sink.push_word(word)?;
    }
    sink.finish()
}
