//! Google Cloud Speech-to-Text, v1 and v2 responses.
//!
//! Words: `results[].alternatives[0].words[]` with `word`, an optional `confidence`, and times
//! as protobuf durations (`"1.300s"`, or `{seconds, nanos}` from some clients): v1
//! `startTime`/`endTime`, v2 `startOffset`/`endOffset`. The results may also sit under
//! `transcript.results`, or under `results.<uri>.transcript` / `.inlineResult.transcript` (v2
//! batch output).
//!
//! Labels: `channelTag` (per result, 1-based → `Label::Channel(tag − 1)`) when the results
//! carry more than one channel; else the word's speaker (v1 `speakerTag`, an integer; v2
//! `speakerLabel`) → `Label::Speaker`; else the single channel if tagged; else unknown.
//!
//! Diarisation (v1): Google repeats every word of the call, with `speakerTag`s, in the last
//! result. Rule: if one result's words all have speakers, no other result's words have any,
//! and it holds at least as many words as all the other results together, only that result
//! is read; otherwise every result is read.

use serde_json::Value;

use super::json::{array_at, duration_s, first_alternative, num_at, str_at, uint_at};
use super::words::{RawWord, WordSink};
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Label};

/// The `results` array of a Google response, wherever the response shape puts it.
pub(crate) fn results(value: &Value) -> Option<&[Value]> {
    if let Some(r) = direct_results(value) {
        return Some(r);
    }
    if let Some(r) = value.get("transcript").and_then(direct_results) {
        return Some(r);
    }
    let by_uri = value.get("results").and_then(Value::as_object)?;
    by_uri.values().find_map(|file| {
        file.get("transcript")
            .or_else(|| file.get("inlineResult").and_then(|i| i.get("transcript")))
            .and_then(direct_results)
    })
}

/// `v.results` when it is a non-empty array of results with `alternatives`.
fn direct_results(v: &Value) -> Option<&[Value]> {
    let r = v.get("results")?.as_array()?;
    let google = !r.is_empty() && r.iter().all(|x| x.get("alternatives").is_some_and(Value::is_array));
    google.then_some(r.as_slice())
}

/// A result's first alternative's words.
fn words_of(r: &Value) -> &[Value] {
    first_alternative(r).map_or(&[], |a| array_at(a, "words"))
}

/// v2 when any word or result uses v2's field names, else v1.
pub(crate) fn version(results: &[Value]) -> Format {
    let v2 = results.iter().any(|r| {
        r.get("resultEndOffset").is_some()
            || first_alternative(r).is_some_and(|a| {
                array_at(a, "words").iter().any(|w| {
                    w.get("startOffset").is_some()
                        || w.get("endOffset").is_some()
                        || w.get("speakerLabel").is_some()
                })
            })
    });
    if v2 { Format::GoogleV2 } else { Format::GoogleV1 }
}

/// Reads a Google response as `format` (v1 or v2).
pub fn parse(value: &Value, format: Format) -> Result<Parsed, TranscriptError> {
    let all = results(value).ok_or_else(|| TranscriptError::Malformed {
        format: format.as_str(),
        detail: "no `results[].alternatives`".into(),
    })?;
    let chosen = diarised_result(all).map_or(all, std::slice::from_ref);
    let multichannel = {
        let mut tags = chosen.iter().filter_map(|r| uint_at(r, "channelTag"));
        let first = tags.next();
        tags.any(|t| Some(t) != first)
    };
    let (start_key, end_key) = match format {
        Format::GoogleV2 => ("startOffset", "endOffset"),
        _ => ("startTime", "endTime"),
    };
    let mut sink = WordSink::new(format);
    for result in chosen {
        let channel =
            uint_at(result, "channelTag").and_then(|t| t.checked_sub(1)).and_then(|t| u32::try_from(t).ok());
        let Some(alt) = first_alternative(result) else {
            continue;
        };
        for w in array_at(alt, "words") {
            let speaker = speaker_of(w);
            let label = match (channel, speaker) {
                (Some(c), _) if multichannel => Label::Channel(c),
                (_, Some(s)) => Label::Speaker(s),
                (Some(c), None) => Label::Channel(c),
                (None, None) => Label::Unknown,
            };
            // A missing start means 0 in protobuf JSON (default values are omitted).
            let start = duration_s(w.get(start_key)).or_else(|| w.get(start_key).is_none().then_some(0.0));
            let end = duration_s(w.get(end_key)).or_else(|| w.get(end_key).is_none().then_some(0.0));
            sink.push(RawWord {
                text: str_at(w, "word").unwrap_or("").to_string(),
                start_s: start.unwrap_or(f64::NAN),
                end_s: end.unwrap_or(f64::NAN),
                label,
                confidence: num_at(w, "confidence"),
                interpolated: false,
            })?;
        }
    }
    sink.finish()
}

/// A word's speaker: v1 `speakerTag` (0 = none) or v2 `speakerLabel`.
fn speaker_of(w: &Value) -> Option<String> {
    if let Some(s) = str_at(w, "speakerLabel").filter(|s| !s.is_empty()) {
        return Some(s.to_string());
    }
    uint_at(w, "speakerTag").filter(|t| *t > 0).map(|t| t.to_string())
}

/// The result that repeats the whole call with speakers, if there is one (module docs).
fn diarised_result(results: &[Value]) -> Option<&Value> {
    let tagged = |r: &Value| words_of(r).iter().filter(|w| speaker_of(w).is_some()).count();
    let total: usize = results.iter().map(|r| words_of(r).len()).sum();
    let total_tagged: usize = results.iter().map(tagged).sum();
    results.iter().rev().find(|r| {
        let n = words_of(r).len();
        n > 0 && tagged(r) == n && total_tagged == n && n >= total - n
    })
}
