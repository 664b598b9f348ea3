//! Transcript import (issue 16): every format read from fixtures written from the vendors'
//! documented schemas (`tests/fixtures/transcripts/vendor/`) and from the development
//! corpus' utterances with their real times (`tests/fixtures/transcripts/corpus/`, written by
//! `scripts/make_transcripts.py`); speaker mapping against the corpus' ground truth; hostile
//! input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use callqa::model::Speaker;
use callqa::transcript::formats::{TranscriptError, detect, parse, parse_report};
use callqa::transcript::{Format, Label, SpeakerMap, Transcript};
use serde::Deserialize;

/// Times are written to the millisecond: read times must be within 1 ms of the source.
const TOL_S: f64 = 0.001 + 1e-9;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts")
}

fn read(rel: &str) -> Vec<u8> {
    let path = fixtures().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_fixture(rel: &str) -> Transcript {
    parse(&read(rel), Some(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn default_map() -> SpeakerMap {
    SpeakerMap::default()
}

fn agent_map(label: &str) -> SpeakerMap {
    SpeakerMap { agent: Some(label.to_string()) }
}

fn texts(t: &Transcript) -> Vec<&str> {
    t.words.iter().map(|w| w.text.as_str()).collect()
}

// --- the corpus in every format ----------------------------------------------------------

#[derive(Deserialize)]
struct Entry {
    call: String,
    file: String,
    format: String,
    agent: Option<String>,
    speakers: bool,
    interpolated: bool,
}

#[derive(Deserialize)]
struct Truth {
    utterances: Vec<Utterance>,
}

#[derive(Deserialize)]
struct Utterance {
    speaker: String,
    start_s: f64,
    end_s: f64,
    text: String,
}

/// A word as the generator wrote it: text, start, end, speaker.
type Expected = (String, f64, f64, String);

fn manifest() -> Vec<Entry> {
    serde_json::from_slice(&read("corpus/manifest.json")).unwrap()
}

fn truth(call: &str) -> Truth {
    serde_json::from_slice(&read(&format!("corpus/{call}.truth.json"))).unwrap()
}

fn expected_words(call: &str) -> Vec<Expected> {
    serde_json::from_slice(&read(&format!("corpus/{call}.words.json"))).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL_S
}

/// Reads one generated transcript and checks it against the source words and the truth.
fn check_entry(e: &Entry) {
    let rel = format!("corpus/{}", e.file);
    let bytes = read(&rel);
    let mut t = parse_fixture(&rel);
    assert_eq!(t.format.as_str(), e.format, "{}: format", e.file);
    assert_eq!(detect(&bytes, Some(&e.file)).unwrap(), t.format, "{}", e.file);

    let want = expected_words(&e.call);
    assert_eq!(t.words.len(), want.len(), "{}: word count", e.file);
    let want_texts: Vec<&str> = want.iter().map(|w| w.0.as_str()).collect();
    assert_eq!(texts(&t), want_texts, "{}: words", e.file);
    for (i, (w, x)) in t.words.iter().zip(&want).enumerate() {
        assert!(
            close(w.start_s, x.1) && close(w.end_s, x.2),
            "{}: word {i} {:?} at {}–{}, source {}–{}",
            e.file,
            w.text,
            w.start_s,
            w.end_s,
            x.1,
            x.2
        );
    }
    let (first, last) = (t.words.first().unwrap(), t.words.last().unwrap());
    let (wf, wl) = (want.first().unwrap(), want.last().unwrap());
    assert_eq!((first.text.as_str(), last.text.as_str()), (wf.0.as_str(), wl.0.as_str()));
    assert!(close(first.start_s, wf.1) && close(last.end_s, wl.2), "{}", e.file);
    assert_eq!(t.words.iter().any(|w| w.interpolated), e.interpolated, "{}: interpolated", e.file);

    let map = SpeakerMap { agent: e.agent.clone() };
    t.assign_speakers(&map).unwrap();
    let truth = truth(&e.call);
    for w in &t.words {
        if !e.speakers {
            assert_eq!(w.label, Label::Unknown, "{}", e.file);
            assert_eq!(w.speaker, None, "{}", e.file);
            continue;
        }
        let speaker = w.speaker.unwrap_or_else(|| panic!("{}: {:?} has no speaker", e.file, w.text));
        let mid = (w.start_s + w.end_s) / 2.0;
        assert!(
            truth
                .utterances
                .iter()
                .any(|u| u.speaker == speaker.label() && u.start_s <= mid && mid <= u.end_s),
            "{}: {:?} at {mid:.3} s mapped to {} ({:?}) but no {} utterance holds it",
            e.file,
            w.text,
            speaker.label(),
            w.label,
            speaker.label()
        );
    }
}

fn check_corpus(format: Format) {
    let entries: Vec<Entry> = manifest().into_iter().filter(|e| e.format == format.as_str()).collect();
    assert_eq!(entries.len(), 5, "five calls per format");
    for e in &entries {
        check_entry(e);
    }
}

#[test]
fn corpus_webvtt() {
    check_corpus(Format::WebVtt);
}

#[test]
fn corpus_srt() {
    check_corpus(Format::Srt);
}

#[test]
fn corpus_aws_transcribe() {
    check_corpus(Format::AwsTranscribe);
}

#[test]
fn corpus_google_v1() {
    check_corpus(Format::GoogleV1);
}

#[test]
fn corpus_google_v2() {
    check_corpus(Format::GoogleV2);
}

#[test]
fn corpus_deepgram() {
    check_corpus(Format::Deepgram);
}

#[test]
fn corpus_assemblyai() {
    check_corpus(Format::AssemblyAi);
}

#[test]
fn corpus_whisper() {
    check_corpus(Format::Whisper);
}

#[test]
fn corpus_whisper_cpp() {
    check_corpus(Format::WhisperCpp);
}

#[test]
fn corpus_callqa() {
    check_corpus(Format::Callqa);
}

/// Hindi (Devanagari) and Hinglish words come back byte for byte: each speaker's words, in
/// order, are exactly the words of that speaker's utterances in the source.
#[test]
fn hindi_and_hinglish_text_round_trips_exactly() {
    for e in manifest().iter().filter(|e| e.call == "dev_e_hindi_refund" || e.call == "hinglish_callback") {
        let mut t = parse_fixture(&format!("corpus/{}", e.file));
        t.assign_speakers(&SpeakerMap { agent: e.agent.clone() }).unwrap();
        let truth = truth(&e.call);
        for side in [Speaker::Agent, Speaker::Customer] {
            let got: Vec<&str> =
                t.words.iter().filter(|w| w.speaker == Some(side)).map(|w| w.text.as_str()).collect();
            let want: Vec<&str> = truth
                .utterances
                .iter()
                .filter(|u| u.speaker == side.label())
                .flat_map(|u| u.text.split_whitespace())
                .collect();
            assert_eq!(got.join(" ").as_bytes(), want.join(" ").as_bytes(), "{}", e.file);
        }
    }
    let hindi = parse_fixture("corpus/dev_e_hindi_refund.aws.json");
    assert!(hindi.text().contains("मैं कल सुबह दस बजे आपको फ़ोन करके पुष्टि करूँगा।"));
    let hinglish = parse_fixture("corpus/hinglish_callback.srt");
    assert!(
        hinglish.text().contains("Sorry sir, galti hamari hai, main aapko kal shaam 5 baje call karunga.")
    );
}
