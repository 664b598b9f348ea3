//! The one place words are checked, collected, spread over a span and sorted.

use super::{MAX_TIME_S, MAX_WORDS, Parsed, TranscriptError};
use crate::transcript::{Format, Label, Transcript, Word};

/// Collects a parser's words, skipping (and counting) those with unusable times.
pub(crate) struct WordSink {
    format: Format,
    words: Vec<Word>,
    skipped: usize,
}

/// A word as a parser read it, before checking.
pub(crate) struct RawWord {
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
    pub label: Label,
    pub confidence: Option<f64>,
    pub interpolated: bool,
}

impl WordSink {
    pub fn new(format: Format) -> Self {
        WordSink { format, words: Vec::new(), skipped: 0 }
    }

    /// Adds a word. Empty text is ignored; unusable times (see [`times_ok`]) skip the word.
    /// Errors only past [`MAX_WORDS`].
    pub fn push(&mut self, raw: RawWord) -> Result<(), TranscriptError> {
        let text = raw.text.trim();
        if text.is_empty() {
            return Ok(());
        }
        if !times_ok(raw.start_s, raw.end_s) {
            self.skipped += 1;
            return Ok(());
        }
        if self.words.len() >= MAX_WORDS {
            return Err(TranscriptError::TooManyWords { max: MAX_WORDS });
        }
        self.words.push(Word {
            text: text.to_string(),
            start_s: raw.start_s,
            end_s: raw.end_s,
            label: raw.label,
            speaker: None,
            confidence: confidence(raw.confidence),
            interpolated: raw.interpolated,
        });
        Ok(())
    }

    /// Adds an already-built word (callqa's own JSON), checked like [`WordSink::push`].
    pub fn push_word(&mut self, word: Word) -> Result<(), TranscriptError> {
        let speaker = word.speaker;
        let before = self.words.len();
        self.push(RawWord {
            text: word.text,
            start_s: word.start_s,
            end_s: word.end_s,
            label: word.label,
            confidence: word.confidence.map(f64::from),
            interpolated: word.interpolated,
        })?;
        if self.words.len() > before
            && let Some(last) = self.words.last_mut()
        {
            last.speaker = speaker;
        }
        Ok(())
    }

    /// Counts something skipped that never became words (an inverted cue).
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    /// Appends text to the last word (AWS punctuation items); `false` when there is none.
    pub fn attach_to_last(&mut self, text: &str) -> bool {
        match self.words.last_mut() {
            Some(last) => {
                last.text.push_str(text.trim());
                true
            }
            None => false,
        }
    }

    /// Sorts by start time and checks that something usable was read.
    pub fn finish(mut self) -> Result<Parsed, TranscriptError> {
        if self.words.is_empty() && self.skipped > 0 {
            return Err(TranscriptError::NoValidWords {
                format: self.format.as_str(),
                skipped: self.skipped,
            });
        }
        self.words.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.end_s.total_cmp(&b.end_s)));
        Ok(Parsed {
            transcript: Transcript { format: self.format, words: self.words },
            skipped: self.skipped,
        })
    }
}

/// Times are usable when finite, not negative, end not before start, and below
/// [`MAX_TIME_S`].
pub(crate) fn times_ok(start_s: f64, end_s: f64) -> bool {
    start_s.is_finite() && end_s.is_finite() && start_s >= 0.0 && end_s >= start_s && end_s <= MAX_TIME_S
}

/// A confidence in 0..=1, or none.
fn confidence(c: Option<f64>) -> Option<f32> {
    c.filter(|c| c.is_finite() && (0.0..=1.0).contains(c)).map(|c| c as f32)
}

/// Spreads `[start_s, end_s]` over `texts` in proportion to their lengths in characters
/// (at least 1 each): word *i* starts at `start + (end − start) · chars_before_i / total`.
/// Words are contiguous; the last ends exactly at `end_s`.
pub(crate) fn spread(texts: &[&str], start_s: f64, end_s: f64) -> Vec<(f64, f64)> {
    let lens: Vec<usize> = texts.iter().map(|t| t.chars().count().max(1)).collect();
    let total: usize = lens.iter().sum();
    let dur = end_s - start_s;
    let mut out = Vec::with_capacity(texts.len());
    let mut cum = 0usize;
    for (i, len) in lens.iter().enumerate() {
        let a = start_s + dur * cum as f64 / total as f64;
        cum += len;
        let b = if i + 1 == lens.len() { end_s } else { start_s + dur * cum as f64 / total as f64 };
        out.push((a, b));
    }
    out
}

/// Pushes `text`'s whitespace-separated words spread over a segment (`interpolated` unless
/// there is a single word, whose times are the segment's).
pub(crate) fn push_spread(
    sink: &mut WordSink,
    text: &str,
    start_s: f64,
    end_s: f64,
    label: &Label,
) -> Result<(), TranscriptError> {
    let texts: Vec<&str> = text.split_whitespace().collect();
    if texts.is_empty() {
        return Ok(());
    }
    if !times_ok(start_s, end_s) {
        sink.skip();
        return Ok(());
    }
    let interpolated = texts.len() > 1;
    for (t, (a, b)) in texts.iter().zip(spread(&texts, start_s, end_s)) {
        sink.push(RawWord {
            text: (*t).to_string(),
            start_s: a,
            end_s: b,
            label: label.clone(),
            confidence: None,
            interpolated,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_proportional_and_ends_exactly() {
        let t = spread(&["a", "bbb"], 1.0, 5.0);
        assert_eq!(t, vec![(1.0, 2.0), (2.0, 5.0)]);
    }

    #[test]
    fn bad_times_are_rejected() {
        assert!(times_ok(0.0, 0.0));
        assert!(!times_ok(-0.1, 1.0));
        assert!(!times_ok(2.0, 1.0));
        assert!(!times_ok(f64::NAN, 1.0));
        assert!(!times_ok(0.0, f64::INFINITY));
        assert!(!times_ok(0.0, MAX_TIME_S * 2.0));
    }
}
