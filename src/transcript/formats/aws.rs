//! AWS Transcribe's JSON output.
//!
//! Words are `results.items[]`: `type` `"pronunciation"` items carry `start_time` and
//! `end_time` (strings of seconds) and `alternatives[0].content` / `confidence` (a string);
//! `"punctuation"` items have no times and are appended to the previous word's text (one
//! before any word is dropped).
//!
//! Labels, first that applies:
//! 1. Channel identification: `results.channel_labels.channels[]` (`channel_label`
//!    `"ch_0"` → `Label::Channel(0)`) each with their own `items[]`; then these items are the
//!    words and `results.items` (the same words merged) is not read again.
//! 2. An item's own `channel_label` (`Label::Channel`) or `speaker_label` (newer output).
//! 3. `results.speaker_labels.segments[].items[]` (`speaker_label`, `start_time`): the item
//!    starting at the word's start (within 1 ms), else the segment holding the word's middle.
//! 4. `Label::Unknown`.

use serde_json::Value;

use super::json::{array_at, first_alternative, num_at, str_at};
use super::words::{RawWord, WordSink};
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Label};

/// Reads an AWS Transcribe JSON (`results` must be an object).
pub fn parse(value: &Value) -> Result<Parsed, TranscriptError> {
    let results = value.get("results").ok_or_else(|| malformed("no `results` object"))?;
    let mut sink = WordSink::new(Format::AwsTranscribe);
    let channels = results.get("channel_labels").map(|c| array_at(c, "channels")).unwrap_or(&[]);
    if !channels.is_empty() {
        for ch in channels {
            let label =
                str_at(ch, "channel_label").and_then(channel_number).map_or(Label::Unknown, Label::Channel);
            read_items(array_at(ch, "items"), &|_, _| label.clone(), &mut sink)?;
        }
        return sink.finish();
    }
    let speakers = SpeakerTurns::new(results);
    read_items(
        array_at(results, "items"),
        &|item, (start, end)| {
            if let Some(ch) = str_at(item, "channel_label").and_then(channel_number) {
                Label::Channel(ch)
            } else if let Some(s) = str_at(item, "speaker_label") {
                Label::Speaker(s.to_string())
            } else {
                speakers.label_at(start, end)
            }
        },
        &mut sink,
    )?;
    sink.finish()
}

fn malformed(detail: &str) -> TranscriptError {
    TranscriptError::Malformed { format: Format::AwsTranscribe.as_str(), detail: detail.to_string() }
}

/// `"ch_0"` (or `"ch0"`, `"0"`) → 0.
fn channel_number(s: &str) -> Option<u32> {
    let s = s.trim();
    let digits = s.strip_prefix("ch_").or_else(|| s.strip_prefix("ch")).unwrap_or(s);
    digits.parse().ok()
}

/// Reads items: pronunciations become words, punctuation joins the word before.
fn read_items(
    items: &[Value],
    label_of: &dyn Fn(&Value, (f64, f64)) -> Label,
    sink: &mut WordSink,
) -> Result<(), TranscriptError> {
    for item in items {
        let alt = first_alternative(item);
        let content = alt.and_then(|a| str_at(a, "content")).unwrap_or("");
        if str_at(item, "type") == Some("punctuation") {
            sink.attach_to_last(content);
            continue;
        }
        let start = num_at(item, "start_time").unwrap_or(f64::NAN);
        let end = num_at(item, "end_time").unwrap_or(f64::NAN);
        sink.push(RawWord {
            text: content.to_string(),
            start_s: start,
            end_s: end,
            label: label_of(item, (start, end)),
            confidence: alt.and_then(|a| num_at(a, "confidence")),
            interpolated: false,
        })?;
    }
    Ok(())
}

/// `speaker_labels`' turns, sorted by start, for looking words up.
struct SpeakerTurns {
    /// (start, end, label) of each item in the segments.
    items: Vec<(f64, f64, String)>,
    /// (start, end, label) of each segment.
    segments: Vec<(f64, f64, String)>,
}

impl SpeakerTurns {
    fn new(results: &Value) -> Self {
        let mut items = Vec::new();
        let mut segments = Vec::new();
        let segs = results.get("speaker_labels").map(|s| array_at(s, "segments")).unwrap_or(&[]);
        for seg in segs {
            let label = str_at(seg, "speaker_label").unwrap_or("").to_string();
            if let (Some(a), Some(b)) = (num_at(seg, "start_time"), num_at(seg, "end_time")) {
                segments.push((a, b, label.clone()));
            }
            for item in array_at(seg, "items") {
                let l = str_at(item, "speaker_label").map_or_else(|| label.clone(), str::to_string);
                if let (Some(a), Some(b)) = (num_at(item, "start_time"), num_at(item, "end_time")) {
                    items.push((a, b, l));
                }
            }
        }
        items.sort_by(|x, y| x.0.total_cmp(&y.0));
        segments.sort_by(|x, y| x.0.total_cmp(&y.0));
        SpeakerTurns { items, segments }
    }

    /// The speaker of the word at `[start, end]`.
    fn label_at(&self, start: f64, end: f64) -> Label {
        let i = self.items.partition_point(|x| x.0 < start - 0.001);
        if let Some((a, _, l)) = self.items.get(i)
            && (a - start).abs() <= 0.001
            && !l.is_empty()
        {
            return Label::Speaker(l.clone());
        }
        let mid = (start + end) / 2.0;
        let j = self.segments.partition_point(|x| x.0 <= mid);
        match j.checked_sub(1).and_then(|j| self.segments.get(j)) {
            Some((_, b, l)) if mid <= *b && !l.is_empty() => Label::Speaker(l.clone()),
            _ => Label::Unknown,
        }
    }
}
