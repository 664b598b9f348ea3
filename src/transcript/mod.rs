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

    /// The whole text, words joined by spaces (for search indexes and display).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for w in &self.words {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&w.text);
        }
        out
    }
}
