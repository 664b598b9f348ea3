//! Whisper: openai-whisper's (and whisperX's) JSON, and whisper.cpp's `-oj` / `-ojf`.
//!
//! **openai-whisper**: `segments[]` with `start`, `end` (seconds) and `text`. With
//! `word_timestamps`, `words[]` (`word` with its leading space, `start`, `end`,
//! `probability`; whisperX: `score`) are read as they are; when a segment has no words, or
//! one of them lacks usable times (whisperX leaves numbers untimed), the segment's text is
//! spread over the segment instead (`interpolated`). Labels: a word's or segment's `speaker`
//! (whisperX, `"SPEAKER_00"`) → `Label::Speaker`, else unknown.
//!
//! **whisper.cpp**: `transcription[]` with `offsets.from`/`to` (milliseconds; else the
//! `timestamps` strings `"00:00:01,000"`) and `text`. With `tokens[]` (`-ojf`), words are built
//! from tokens: a token starting with a space starts a word, others continue it; special
//! tokens (`[_BEG_]`, `[_TT_150]`, `<|endoftext|>`) are skipped; a word runs from its first
//! token's start to its last token's end, its confidence the lowest token `p`. Without
//! tokens the segment's text is spread over it. Labels: stereo diarisation's `speaker`
//! (`"0"`/`"1"`, the louder channel) → `Label::Channel`, else unknown.

use serde_json::Value;

use super::json::{array_at, num_at, str_at};
use super::subtitles::parse_timestamp;
use super::words::{RawWord, WordSink, push_spread, times_ok};
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Label};

/// Reads openai-whisper / whisperX JSON (`segments` must be an array).
pub fn parse_openai(value: &Value) -> Result<Parsed, TranscriptError> {
    let mut sink = WordSink::new(Format::Whisper);
    for seg in array_at(value, "segments") {
        let seg_label = speaker_label(seg).unwrap_or(Label::Unknown);
        let words = array_at(seg, "words");
        let timed = !words.is_empty()
            && words.iter().all(
                |w| matches!((num_at(w, "start"), num_at(w, "end")), (Some(a), Some(b)) if times_ok(a, b)),
            );
        if timed {
            for w in words {
                sink.push(RawWord {
                    text: str_at(w, "word").unwrap_or("").to_string(),
                    start_s: num_at(w, "start").unwrap_or(f64::NAN),
                    end_s: num_at(w, "end").unwrap_or(f64::NAN),
                    label: speaker_label(w).unwrap_or_else(|| seg_label.clone()),
                    confidence: num_at(w, "probability").or_else(|| num_at(w, "score")),
                    interpolated: false,
                })?;
            }
        } else {
            let start = num_at(seg, "start").unwrap_or(f64::NAN);
            let end = num_at(seg, "end").unwrap_or(f64::NAN);
            push_spread(&mut sink, str_at(seg, "text").unwrap_or(""), start, end, &seg_label)?;
        }
    }
    sink.finish()
}

/// whisperX's `speaker`.
fn speaker_label(v: &Value) -> Option<Label> {
    str_at(v, "speaker").filter(|s| !s.is_empty()).map(|s| Label::Speaker(s.to_string()))
}

/// Reads whisper.cpp's JSON (`transcription` must be an array).
pub fn parse_cpp(value: &Value) -> Result<Parsed, TranscriptError> {
    let mut sink = WordSink::new(Format::WhisperCpp);
    for seg in array_at(value, "transcription") {
        let label = match str_at(seg, "speaker").map(str::trim) {
            Some(s) => s.parse().map_or(Label::Unknown, Label::Channel),
            None => Label::Unknown,
        };
        let tokens = array_at(seg, "tokens");
        if tokens.is_empty() {
            let (start, end) = span_cpp(seg);
            push_spread(&mut sink, str_at(seg, "text").unwrap_or(""), start, end, &label)?;
        } else {
            push_tokens(&mut sink, tokens, &label)?;
        }
    }
    sink.finish()
}

/// A whisper.cpp segment's or token's times: `offsets` (ms), else `timestamps`.
fn span_cpp(v: &Value) -> (f64, f64) {
    let from_offsets = |key| v.get("offsets").and_then(|o| num_at(o, key)).map(|ms| ms / 1000.0);
    let from_stamps = |key| v.get("timestamps").and_then(|t| str_at(t, key)).and_then(parse_timestamp);
    let start = from_offsets("from").or_else(|| from_stamps("from"));
    let end = from_offsets("to").or_else(|| from_stamps("to"));
    (start.unwrap_or(f64::NAN), end.unwrap_or(f64::NAN))
}

/// True for whisper.cpp's control tokens.
fn is_special(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("[_") && t.ends_with(']')) || (t.starts_with("<|") && t.ends_with("|>"))
}

/// A word being built from tokens.
struct Pending {
    text: String,
    start: f64,
    end: f64,
    p: Option<f64>,
}

/// Builds words from a segment's tokens (module docs).
fn push_tokens(sink: &mut WordSink, tokens: &[Value], label: &Label) -> Result<(), TranscriptError> {
    let mut current: Option<Pending> = None;
    for tok in tokens {
        let text = str_at(tok, "text").unwrap_or("");
        if text.is_empty() || is_special(text) {
            continue;
        }
        let (start, end) = span_cpp(tok);
        let p = num_at(tok, "p");
        let starts_word = text.starts_with(char::is_whitespace);
        match current.as_mut() {
            Some(w) if !starts_word => {
                w.text.push_str(text);
                w.end = end;
                w.p = match (w.p, p) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            _ => {
                if let Some(done) = current.take() {
                    emit(sink, done, label)?;
                }
                current = Some(Pending { text: text.to_string(), start, end, p });
            }
        }
    }
    if let Some(done) = current {
        emit(sink, done, label)?;
    }
    Ok(())
}

fn emit(sink: &mut WordSink, w: Pending, label: &Label) -> Result<(), TranscriptError> {
    sink.push(RawWord {
        text: w.text,
        start_s: w.start,
        end_s: w.end,
        label: label.clone(),
        confidence: w.p,
        interpolated: false,
    })
}
