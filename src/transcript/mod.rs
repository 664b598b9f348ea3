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
/// row of the search index. The other side talking over it does not cut it: its words are
/// that side's own segment, overlapping in time.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub label: Label,
    pub speaker: Option<Speaker>,
    pub start_s: f64,
    pub end_s: f64,
    /// The words' indices in [`Transcript::words`], in order (not always adjacent: the
    /// other side's words may come between).
    pub words: Vec<usize>,
}

/// A pause longer than this starts a new segment.
pub const SEGMENT_GAP_S: f64 = 1.5;
/// A pause longer than this, with someone else's word in it, ends a segment (a turn taken).
pub const TURN_PAUSE_S: f64 = 0.3;
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

    /// The words cut into segments, per speaker: a label's words start a new segment after
    /// a pause of theirs longer than [`SEGMENT_GAP_S`], after [`SEGMENT_MAX_WORDS`] words, or
    /// when someone else spoke in their pause (a turn taken, not talked over).
    /// In order of their first word.
    pub fn segments(&self) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        // Per label: the index in `out` of its open segment.
        let mut open: Vec<(Label, usize)> = Vec::new();
        for (i, w) in self.words.iter().enumerate() {
            let mine = open.iter().position(|(l, _)| *l == w.label);
            let current = mine.and_then(|k| open.get(k)).map(|&(_, s)| s);
            let continues = current.and_then(|s| out.get(s)).is_some_and(|s: &Segment| {
                w.start_s - s.end_s <= SEGMENT_GAP_S
                    && s.words.len() < SEGMENT_MAX_WORDS
                    // Someone else said a whole word in this speaker's pause: the turn passed
                    // to them and back.
                    && !(w.start_s - s.end_s > TURN_PAUSE_S
                        && s.words.last().and_then(|&j| self.words.get(j + 1..i)).is_some_and(|between| {
                            between.iter().any(|o| o.label != w.label && o.start_s >= s.end_s && o.end_s <= w.start_s)
                        }))
            });
            match (continues, current.and_then(|s| out.get_mut(s))) {
                (true, Some(s)) => {
                    s.words.push(i);
                    s.end_s = s.end_s.max(w.end_s);
                }
                _ => {
                    out.push(Segment {
                        label: w.label.clone(),
                        speaker: w.speaker,
                        start_s: w.start_s,
                        end_s: w.end_s,
                        words: vec![i],
                    });
                    let at = out.len() - 1;
                    match mine.and_then(|k| open.get_mut(k)) {
                        Some(slot) => slot.1 = at,
                        None => open.push((w.label.clone(), at)),
                    }
                }
            }
        }
        out
    }

    /// The text of some words (indices), joined by spaces.
    pub fn text_of(&self, words: &[usize]) -> String {
        let mut out = String::new();
        for w in words.iter().filter_map(|&i| self.words.get(i)) {
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
        self.text_of(&(0..self.words.len()).collect::<Vec<_>>())
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

    /// Every place the words of `query` are said in order by one speaker in one segment
    /// (whole words, normalised), as the word indices of each match, in time order. An
    /// empty query finds nothing.
    pub fn find(&self, query: &str) -> Vec<Vec<usize>> {
        let want: Vec<String> = normalise::normalise(query).split_whitespace().map(str::to_string).collect();
        if want.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for seg in &self.segments {
            // (word index, token) for every token of the segment: a phrase may span words.
            let flat: Vec<(usize, &str)> = seg
                .words
                .iter()
                .flat_map(|&i| self.tokens.get(i).into_iter().flatten().map(move |s| (i, s.as_str())))
                .collect();
            for at in 0..flat.len() {
                let same = want
                    .iter()
                    .enumerate()
                    .all(|(k, w)| flat.get(at + k).is_some_and(|(_, t)| *t == w.as_str()));
                if same {
                    let mut words: Vec<usize> =
                        flat.get(at..at + want.len()).unwrap_or_default().iter().map(|(i, _)| *i).collect();
                    words.dedup();
                    out.push(words);
                }
            }
        }
        out.sort_by_key(|m| m.first().copied());
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
        assert_eq!(ranges, vec![vec![0, 1], vec![2], vec![3]]);
        assert_eq!((s[0].start_s, s[0].end_s), (0.0, 0.9));
        assert_eq!(t.text_of(&[0, 1]), "hello there");
        assert_eq!(t.word_at(0.45), Some(0));
        assert_eq!(t.word_at(0.6), Some(1));
        assert_eq!(t.word_at(-1.0), None);
        let ix = Indexed::new(t);
        assert_eq!(ix.find("Hello, THERE"), vec![vec![0, 1]]);
        assert!(ix.find("there hi").is_empty(), "two speakers' words are not one phrase");
        assert!(ix.find("hell").is_empty());
        assert!(ix.find("  ").is_empty());
    }
}

#[cfg(test)]
mod overlap_tests {
    use super::*;

    fn word(text: &str, start_s: f64, label: &str) -> Word {
        Word {
            text: text.into(),
            start_s,
            end_s: start_s + 0.2,
            label: Label::Speaker(label.into()),
            speaker: None,
            confidence: None,
            interpolated: false,
        }
    }

    #[test]
    fn talking_over_a_turn_does_not_cut_it_but_taking_the_turn_does() {
        // The agent's "yeh hamari galti hai" with the customer's "to mujhe" over it; later
        // the customer takes a turn of their own and the agent answers.
        let t = Transcript {
            format: Format::Callqa,
            words: vec![
                word("yeh", 0.0, "a"),
                word("hamari", 0.3, "a"),
                word("to", 0.4, "c"),
                word("galti", 0.6, "a"),
                word("mujhe", 0.7, "c"),
                word("hai", 0.8, "a"),
                word("kab", 1.5, "c"),
                word("milega", 1.8, "c"),
                word("aaj", 2.5, "a"),
            ],
        };
        let s: Vec<Vec<usize>> = t.segments().into_iter().map(|s| s.words).collect();
        assert_eq!(s, vec![vec![0, 1, 3, 5], vec![2, 4, 6, 7], vec![8]]);
        let ix = Indexed::new(t);
        assert_eq!(ix.find("hamari galti"), vec![vec![1, 3]]);
        assert!(ix.find("to galti").is_empty());
    }
}
