//! Transcripts for tests: words from (speaker, start, text) turns.

use callqa::model::Speaker;
use callqa::transcript::{Format, Label, Transcript, Word};

/// A transcript from (speaker, start, text) turns: words 0.3 s apart, each 0.25 s long, on the
/// speaker's channel, each with `confidence`.
pub fn transcript(turns: &[(Speaker, f64, &str)], confidence: Option<f32>) -> Transcript {
    let mut words = Vec::new();
    for (speaker, start, text) in turns {
        for (k, w) in text.split_whitespace().enumerate() {
            let s = start + 0.3 * k as f64;
            words.push(Word {
                text: w.to_string(),
                start_s: s,
                end_s: s + 0.25,
                label: Label::Channel(speaker.channel() as u32),
                speaker: Some(*speaker),
                confidence,
                interpolated: false,
            });
        }
    }
    Transcript { format: Format::Callqa, words }
}
