//! Transcripts: the words of a call with their times and speakers, read from what a
//! recorder's speech-to-text wrote (`formats`), normalised for matching (`normalise`), and
//! matched against a scorecard's phrase rules (`phrases`, with `time_expr` for callback
//! times). Pure like `analysis`: no files, SQL, threads or egui — callers pass bytes in.
//!
//! A local speech recogniser can later feed the same [`Transcript`]: words with times,
//! a speaker, an optional confidence and the source that produced them.

pub mod formats;
pub mod normalise;
pub mod phrases;
pub mod time_expr;

use serde::{Deserialize, Serialize};

use crate::model::Speaker;

/// Who said a word, as the transcript names them, before mapping to agent or customer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Label {
    /// An audio channel (0 = left). AWS `channel_labels` `ch_0`, Google `channelTag` 1 → 0,
    /// Deepgram's channel index, AssemblyAI `channel` "1" → 0.
    Channel(u32),
    /// A diarisation or cue speaker as written: `spk_0`, `2`, `A`, `Kavita`, `AGENT`.
    Speaker(String),
    /// The transcript does not say.
    Unknown,
}

/// One word (or token) with its time in the call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as written, with punctuation attached as the source gave it ("sorry,").
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
    /// Who said it, as the source labels them.
    pub label: Label,
    /// Agent or customer after [`Transcript::assign_speakers`]; `None` before, or when the
    /// label maps to neither.
    pub speaker: Option<Speaker>,
    /// The recogniser's confidence, 0..=1, when the source gives one.
    pub confidence: Option<f32>,
    /// True when the source timed only the cue or segment and this word's times were
    /// spread over it in proportion to its length.
    pub interpolated: bool,
}

/// The source format a transcript was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    WebVtt,
    Srt,
    AwsTranscribe,
    GoogleV1,
    GoogleV2,
    Deepgram,
    AssemblyAi,
    Whisper,
    WhisperCpp,
    /// callqa's own JSON (`Transcript` serialised), e.g. from a local recogniser.
    Callqa,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::WebVtt => "webvtt",
            Format::Srt => "srt",
            Format::AwsTranscribe => "aws_transcribe",
            Format::GoogleV1 => "google_v1",
            Format::GoogleV2 => "google_v2",
            Format::Deepgram => "deepgram",
            Format::AssemblyAi => "assemblyai",
            Format::Whisper => "whisper",
            Format::WhisperCpp => "whisper_cpp",
            Format::Callqa => "callqa",
        }
    }
}

/// A call's words in time order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub format: Format,
    pub words: Vec<Word>,
}

/// A run of one speaker's words without a long pause: a line of the transcript panel and a
/// row of the search index.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub label: Label,
    pub speaker: Option<Speaker>,
    pub start_s: f64,
    pub end_s: f64,
    /// The words' indices in [`Transcript::words`].
    pub words: std::ops::Range<usize>,
}

/// A pause longer than this starts a new segment.
pub const SEGMENT_GAP_S: f64 = 1.5;
/// A segment holds at most this many words.
pub const SEGMENT_MAX_WORDS: usize = 40;

/// How transcript labels map to agent and customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpeakerMap {
    /// The label (speaker name, `spk_0`, or a channel written `ch0`/`0`) that is the agent;
    /// `None`: the default rule (see [`Transcript::assign_speakers`]).
    pub agent: Option<String>,
}

impl Transcript {
    /// The words' distinct labels in order of first appearance.
    pub fn labels(&self) -> Vec<Label> {
        let mut seen: Vec<Label> = Vec::new();
        for w in &self.words {
            if !seen.contains(&w.label) {
                seen.push(w.label.clone());
            }
        }
        seen
    }

    /// The words cut into segments: a new one when the label changes, after a pause longer
    /// than [`SEGMENT_GAP_S`], or after [`SEGMENT_MAX_WORDS`] words.
    pub fn segments(&self) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        for (i, w) in self.words.iter().enumerate() {
            let continues = out.last().is_some_and(|s: &Segment| {
                s.label == w.label
                    && w.start_s - s.end_s <= SEGMENT_GAP_S
                    && s.words.len() < SEGMENT_MAX_WORDS
            });
            match out.last_mut() {
                Some(s) if continues => {
                    s.words.end = i + 1;
                    s.end_s = s.end_s.max(w.end_s);
                }
                _ => out.push(Segment {
                    label: w.label.clone(),
                    speaker: w.speaker,
                    start_s: w.start_s,
                    end_s: w.end_s,
                    words: i..i + 1,
                }),
            }
        }
        out
    }

    /// The text of some words, joined by spaces.
    pub fn text_of(&self, words: std::ops::Range<usize>) -> String {
        let mut out = String::new();
        for w in self.words.get(words).unwrap_or_default() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&w.text);
        }
        out
    }

    /// The index of the word being said at `t` seconds (or the last one started before it).
    pub fn word_at(&self, t: f64) -> Option<usize> {
        let i = self.words.partition_point(|w| w.start_s <= t);
        i.checked_sub(1)
    }

    /// The whole text, words joined by spaces (for search indexes and display).
    pub fn text(&self) -> String {
        self.text_of(0..self.words.len())
    }
}

/// A transcript made ready for the window once (on a worker thread): each word's normalised
/// tokens and the segments, so finding a phrase while typing costs a scan of short strings.
#[derive(Clone, Debug, PartialEq)]
pub struct Indexed {
    pub transcript: Transcript,
    /// Per word, its normalised tokens (usually one; none for a word that is only punctuation).
    pub tokens: Vec<Vec<String>>,
    pub segments: Vec<Segment>,
}

impl Indexed {
    pub fn new(transcript: Transcript) -> Indexed {
        let tokens = transcript
            .words
            .iter()
            .map(|w| normalise::normalise(&w.text).split_whitespace().map(str::to_string).collect())
            .collect();
        let segments = transcript.segments();
        Indexed { transcript, tokens, segments }
    }

    /// Every place the words of `query` are said in order (whole words, normalised), as
    /// ranges of word indices, in time order. An empty query finds nothing.
    pub fn find(&self, query: &str) -> Vec<std::ops::Range<usize>> {
        let want: Vec<String> = normalise::normalise(query).split_whitespace().map(str::to_string).collect();
        if want.is_empty() {
            return Vec::new();
        }
        // (word index, token) for every token, so a phrase may span words.
        let flat: Vec<(usize, &str)> = self
            .tokens
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.iter().map(move |s| (i, s.as_str())))
            .collect();
        let mut out = Vec::new();
        for at in 0..flat.len() {
            let same =
                want.iter().enumerate().all(|(k, w)| flat.get(at + k).is_some_and(|(_, t)| *t == w.as_str()));
            if let (true, Some((first, _)), Some((last, _))) =
                (same, flat.get(at), flat.get(at + want.len() - 1))
            {
                out.push(*first..*last + 1);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start_s: f64, end_s: f64, label: &str) -> Word {
        Word {
            text: text.into(),
            start_s,
            end_s,
            label: Label::Speaker(label.into()),
            speaker: None,
            confidence: None,
            interpolated: false,
        }
    }

    #[test]
    fn segments_split_at_speaker_changes_and_long_pauses() {
        let t = Transcript {
            format: Format::Callqa,
            words: vec![
                word("hello", 0.0, 0.4, "a"),
                word("there", 0.5, 0.9, "a"),
                word("hi", 1.0, 1.2, "b"),
                word("so", 5.0, 5.2, "b"),
            ],
        };
        let s = t.segments();
        let ranges: Vec<_> = s.iter().map(|s| s.words.clone()).collect();
        assert_eq!(ranges, vec![0..2, 2..3, 3..4]);
        assert_eq!((s[0].start_s, s[0].end_s), (0.0, 0.9));
        assert_eq!(t.text_of(0..2), "hello there");
        assert_eq!(t.word_at(0.45), Some(0));
        assert_eq!(t.word_at(0.6), Some(1));
        assert_eq!(t.word_at(-1.0), None);
        let ix = Indexed::new(t);
        assert_eq!(ix.find("Hello, THERE"), vec![0..2]);
        assert_eq!(ix.find("there hi"), vec![1..3]);
        assert_eq!(ix.find("hell"), Vec::<std::ops::Range<usize>>::new());
        assert!(ix.find("  ").is_empty());
    }
}
