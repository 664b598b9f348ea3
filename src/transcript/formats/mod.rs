//! Reading transcripts: format detection ([`detect`]) and one parser per family of formats.
//!
//! - [`subtitles`]: WebVTT and SRT (cue times; words spread over each cue).
//! - [`aws`]: AWS Transcribe JSON. [`google`]: Google Speech-to-Text v1 and v2.
//!   [`deepgram`], [`assemblyai`]: their REST responses. [`whisper`]: openai-whisper (and
//!   whisperX) JSON and whisper.cpp `-oj`/`-ojf`. [`callqa`]: a serialised [`Transcript`].
//! - [`speakers`]: [`Transcript::assign_speakers`], labels → agent / customer.
//!
//! Every parser goes through [`words::WordSink`], which checks each word once: a word whose
//! times are not finite, negative, inverted (end before start) or beyond [`MAX_TIME_S`] is
//! skipped and counted ([`Parsed::skipped`]), never a panic; if the file had words and all were
//! skipped, the import is an error. Words are sorted by start time at the end (stably, so
//! words with equal starts keep the file's order).
//!
//! Limits: at most [`MAX_BYTES`] of input and [`MAX_WORDS`] words; JSON nesting is bounded by
//! serde_json's recursion limit (128).

pub mod assemblyai;
pub mod aws;
pub mod callqa;
pub mod deepgram;
pub mod google;
mod json;
pub mod speakers;
pub mod subtitles;
pub mod whisper;
mod words;

use serde_json::Value;
use thiserror::Error;

use super::{Format, Transcript};

/// The largest transcript file read (a one-hour AWS Transcribe JSON is ~5 MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The most words one transcript may hold (a 24-hour call at 4 words a second is ~350,000).
pub const MAX_WORDS: usize = 2_000_000;
/// A word starting or ending later than this (7 days, in seconds) is skipped as nonsense.
pub const MAX_TIME_S: f64 = 7.0 * 24.0 * 3600.0;

/// What callqa reads, for messages.
const KNOWN: &str = "expected WebVTT, SRT, or JSON from AWS Transcribe (results.items), \
Google Speech-to-Text (results[].alternatives[].words), Deepgram (results.channels), \
AssemblyAI (words[]), openai-whisper (segments[]) or whisper.cpp (transcription[])";

/// Why a transcript file could not be read. Messages say what happened and what was expected.
#[derive(Debug, Error, PartialEq)]
pub enum TranscriptError {
    /// Content matched none of the formats; the text says what was found instead.
    #[error("not a transcript callqa knows ({0}): {known}", known = KNOWN)]
    Unrecognised(String),
    #[error("the transcript is empty: {known}", known = KNOWN)]
    Empty,
    #[error("the transcript is {bytes} bytes, more than callqa reads ({max} bytes)")]
    TooLarge { bytes: usize, max: usize },
    #[error("the transcript is not UTF-8 text (invalid byte at offset {offset}): save it as UTF-8")]
    NotUtf8 { offset: usize },
    #[error("the transcript is UTF-16 text: save it as UTF-8")]
    Utf16,
    #[error("broken JSON at line {line}, column {column} ({message}): expected a complete JSON file")]
    Json { line: usize, column: usize, message: String },
    /// The format was recognised but its content is not what the vendor writes.
    #[error("{format} transcript is malformed: {detail}")]
    Malformed { format: &'static str, detail: String },
    #[error(
        "{format} transcript has {skipped} words and none has usable times (times must be \
         finite, not negative, end not before start, below {max} s)",
        max = MAX_TIME_S
    )]
    NoValidWords { format: &'static str, skipped: usize },
    #[error("the transcript has more than {max} words, more than callqa reads")]
    TooManyWords { max: usize },
    /// `SpeakerMap::agent` names no label of this transcript.
    #[error("no speaker or channel called {given:?} in this transcript; its labels are: {found}")]
    UnknownAgentLabel { given: String, found: String },
}

/// A transcript and what was left out of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub transcript: Transcript,
    /// Words skipped for unusable times (NaN, negative, inverted, too large) or inverted cues.
    pub skipped: usize,
}

/// Reads a transcript of any supported format; `name` (the file name) is a hint only, used
/// when the content alone does not decide (cue files without a `WEBVTT` header).
/// Words come back sorted by start time, with `speaker` unset: see
/// [`Transcript::assign_speakers`].
pub fn parse(bytes: &[u8], name: Option<&str>) -> Result<Transcript, TranscriptError> {
    parse_report(bytes, name).map(|p| p.transcript)
}

/// [`parse`], also saying how many words were skipped.
pub fn parse_report(bytes: &[u8], name: Option<&str>) -> Result<Parsed, TranscriptError> {
    let text = decode_text(bytes)?;
    match classify(text, name)? {
        Content::Vtt => subtitles::parse_vtt(text),
        Content::Srt => subtitles::parse_srt(text),
        Content::Json(value) => parse_json(&value),
    }
}

/// The format of a transcript, without reading all of it into words.
pub fn detect(bytes: &[u8], name: Option<&str>) -> Result<Format, TranscriptError> {
    let text = decode_text(bytes)?;
    match classify(text, name)? {
        Content::Vtt => Ok(Format::WebVtt),
        Content::Srt => Ok(Format::Srt),
        Content::Json(value) => detect_json(&value),
    }
}

/// What kind of text a file holds.
enum Content {
    Vtt,
    Srt,
    Json(Value),
}

/// Checks size and encoding and strips a UTF-8 byte-order mark.
fn decode_text(bytes: &[u8]) -> Result<&str, TranscriptError> {
    if bytes.len() > MAX_BYTES {
        return Err(TranscriptError::TooLarge { bytes: bytes.len(), max: MAX_BYTES });
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(TranscriptError::Utf16);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|e| TranscriptError::NotUtf8 { offset: e.valid_up_to() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(TranscriptError::Empty);
    }
    Ok(text)
}

/// Decides between WebVTT, SRT and JSON by content, with the file name as a tie-breaker.
fn classify(text: &str, name: Option<&str>) -> Result<Content, TranscriptError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str::<Value>(text).map(Content::Json).map_err(|e| TranscriptError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    if subtitles::has_vtt_header(text) {
        return Ok(Content::Vtt);
    }
    if subtitles::looks_like_cues(text) {
        let ext = name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
        return Ok(if ext.as_deref() == Some("vtt") { Content::Vtt } else { Content::Srt });
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let shown: String = first.trim().chars().take(40).collect();
    Err(TranscriptError::Unrecognised(format!(
        "text starting {shown:?}, with no cue time line like 00:00:01,000 --> 00:00:04,000"
    )))
}

/// Reads a JSON transcript of the detected vendor.
fn parse_json(value: &Value) -> Result<Parsed, TranscriptError> {
    match detect_json(value)? {
        Format::AwsTranscribe => aws::parse(value),
        Format::GoogleV1 => google::parse(value, Format::GoogleV1),
        Format::GoogleV2 => google::parse(value, Format::GoogleV2),
        Format::Deepgram => deepgram::parse(value),
        Format::AssemblyAi => assemblyai::parse(value),
        Format::Whisper => whisper::parse_openai(value),
        Format::WhisperCpp => whisper::parse_cpp(value),
        Format::Callqa => callqa::parse(value),
        Format::WebVtt | Format::Srt => {
            Err(TranscriptError::Unrecognised("JSON detected as a cue format".into()))
        }
    }
}

/// Which vendor wrote this JSON, by its fields:
///
/// | field | format |
/// |---|---|
/// | `results.items` or `results.channel_labels` | AWS Transcribe |
/// | `results.channels` | Deepgram |
/// | `results[].alternatives` (`startTime`, `speakerTag`) | Google v1 |
/// | the same with `startOffset`/`endOffset`/`speakerLabel`/`resultEndOffset` | Google v2 |
/// | `transcription[]` | whisper.cpp |
/// | `segments[]` | openai-whisper / whisperX |
/// | `words[]` whose words have `start_s`, or `format` naming a callqa format | callqa |
/// | `words[]` whose words have `start` | AssemblyAI |
pub fn detect_json(value: &Value) -> Result<Format, TranscriptError> {
    let Some(obj) = value.as_object() else {
        return Err(TranscriptError::Unrecognised(format!("JSON {}", json::kind(value))));
    };
    if let Some(results) = obj.get("results").and_then(Value::as_object) {
        if results.contains_key("items") || results.contains_key("channel_labels") {
            return Ok(Format::AwsTranscribe);
        }
        if results.contains_key("channels") {
            return Ok(Format::Deepgram);
        }
    }
    if let Some(results) = google::results(value) {
        return Ok(google::version(results));
    }
    if obj.get("transcription").is_some_and(Value::is_array) {
        return Ok(Format::WhisperCpp);
    }
    if obj.get("segments").is_some_and(Value::is_array) {
        return Ok(Format::Whisper);
    }
    if let Some(words) = obj.get("words") {
        if callqa::looks_like(obj) {
            return Ok(Format::Callqa);
        }
        if words.is_array() {
            return Ok(Format::AssemblyAi);
        }
        if let Some(status) = obj.get("status").and_then(Value::as_str) {
            return Err(TranscriptError::Malformed {
                format: Format::AssemblyAi.as_str(),
                detail: format!("no words yet (status {status:?}): expected a completed transcript"),
            });
        }
    }
    Err(TranscriptError::Unrecognised(format!("a JSON object with keys {}", json::key_list(obj))))
}
