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

// --- vendor fixtures ---------------------------------------------------------------------

/// (text, start, end, label) of every word.
fn summary(t: &Transcript) -> Vec<(&str, f64, f64, Label)> {
    t.words.iter().map(|w| (w.text.as_str(), w.start_s, w.end_s, w.label.clone())).collect()
}

fn spk(s: &str) -> Label {
    Label::Speaker(s.into())
}

fn speakers(t: &Transcript) -> Vec<Option<Speaker>> {
    t.words.iter().map(|w| w.speaker).collect()
}

const A: Option<Speaker> = Some(Speaker::Agent);
const C: Option<Speaker> = Some(Speaker::Customer);

#[test]
fn aws_speaker_segments_and_punctuation() {
    let mut t = parse_fixture("vendor/aws_speakers.json");
    assert_eq!(t.format, Format::AwsTranscribe);
    assert_eq!(texts(&t), ["Hello,", "this", "is", "Asha.", "Hi,", "my", "bill", "is", "wrong."]);
    let first = &t.words[0];
    assert_eq!((first.start_s, first.end_s), (0.5, 0.9));
    assert_eq!(first.confidence, Some(0.998));
    assert!(!first.interpolated);
    assert_eq!(t.words[3].label, spk("spk_0"));
    assert_eq!(t.words[4].label, spk("spk_1"));
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, A, A, A, C, C, C, C, C]);
}

#[test]
fn aws_channels_are_read_once_per_channel() {
    let mut t = parse_fixture("vendor/aws_channels.json");
    assert_eq!(texts(&t), ["I've", "been", "on", "hold", "for", "an", "hour.", "Sorry", "about", "that."]);
    assert_eq!(t.words[0].label, Label::Channel(0));
    assert_eq!(t.words[9].label, Label::Channel(1));
    assert_eq!((t.words[9].start_s, t.words[9].end_s), (9.09, 9.3));
    t.assign_speakers(&agent_map("ch_1")).unwrap();
    assert_eq!(t.words[0].speaker, C);
    assert_eq!(t.words[9].speaker, A);
}

#[test]
fn google_v1_diarised_result_is_not_doubled() {
    let mut t = parse_fixture("vendor/google_v1_diarized.json");
    assert_eq!(t.format, Format::GoogleV1);
    assert_eq!(texts(&t), ["hello", "thanks", "for", "calling", "I", "need", "help"]);
    assert_eq!(t.words[0].start_s, 0.0);
    assert_eq!(t.words[6].end_s, 2.9);
    assert_eq!(t.words[4].label, spk("2"));
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, A, A, A, C, C, C]);
}

#[test]
fn google_v1_duration_objects_and_channel_tags() {
    let mut t = parse_fixture("vendor/google_v1_objects.json");
    assert_eq!(t.format, Format::GoogleV1);
    assert_eq!(
        summary(&t),
        [
            ("namaste", 1.3, 1.9, Label::Channel(0)),
            ("sir", 2.0, 2.4, Label::Channel(0)),
            ("haan", 3.0, 3.5, Label::Channel(1)),
            ("boliye", 3.5, 4.0, Label::Channel(1)),
        ]
    );
    assert_eq!(t.words[0].confidence, Some(0.91));
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, A, C, C]);
}

#[test]
fn google_v2_offsets_and_speaker_labels() {
    let mut t = parse_fixture("vendor/google_v2.json");
    assert_eq!(t.format, Format::GoogleV2);
    assert_eq!(t.words.len(), 5);
    assert_eq!(summary(&t)[4], ("hello", 1.8, 2.2, spk("2")));
    t.assign_speakers(&agent_map("2")).unwrap();
    assert_eq!(speakers(&t), [C, C, C, C, A]);
}

#[test]
fn deepgram_prefers_punctuated_words_and_speakers() {
    let mut t = parse_fixture("vendor/deepgram_diarize.json");
    assert_eq!(t.format, Format::Deepgram);
    assert_eq!(t.text(), "Hello, how can I help? My order is late.");
    assert_eq!(t.words[0].label, spk("0"));
    assert_eq!((t.words[8].start_s, t.words[8].end_s), (2.62, 3.1));
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, A, A, A, A, C, C, C, C]);
}

#[test]
fn deepgram_multichannel_channel_wins_over_speaker() {
    let mut t = parse_fixture("vendor/deepgram_multichannel.json");
    assert_eq!(
        summary(&t).iter().map(|w| (w.0, w.3.clone())).collect::<Vec<_>>(),
        [
            ("How", Label::Channel(0)),
            ("can", Label::Channel(0)),
            ("I", Label::Channel(0)),
            ("help?", Label::Channel(0)),
            ("refund", Label::Channel(1)),
            ("please", Label::Channel(1)),
        ]
    );
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, A, A, A, C, C]);
}

#[test]
fn assemblyai_milliseconds_speakers_and_channels() {
    let mut t = parse_fixture("vendor/assemblyai.json");
    assert_eq!(t.format, Format::AssemblyAi);
    assert_eq!(t.text(), "Good afternoon, this is Priya. Hi, I was charged twice.");
    assert_eq!(summary(&t)[0], ("Good", 0.25, 0.65, spk("A")));
    assert_eq!(t.words[4].confidence, Some(0.81));
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, A, A, A, A, C, C, C, C, C]);

    let mut m = parse_fixture("vendor/assemblyai_multichannel.json");
    assert_eq!(summary(&m), [("Hello.", 0.1, 0.5, Label::Channel(0)), ("Hi.", 0.8, 1.1, Label::Channel(1))]);
    m.assign_speakers(&agent_map("right")).unwrap();
    assert_eq!(speakers(&m), [C, A]);
}

#[test]
fn whisper_words_and_segments() {
    let t = parse_fixture("vendor/whisper_words.json");
    assert_eq!(t.format, Format::Whisper);
    assert_eq!(texts(&t), ["Thank", "you", "for", "calling.", "Hello?"]);
    assert_eq!((t.words[3].start_s, t.words[3].end_s), (0.7, 1.6));
    assert_eq!(t.words[4].confidence, Some(0.77));
    assert!(t.words.iter().all(|w| !w.interpolated && w.label == Label::Unknown));

    // whisperX: a segment without words is spread; one with an untimed word ("42") too.
    let mut x = parse_fixture("vendor/whisperx_segments.json");
    assert_eq!(x.text(), "Main Rohit bol raha hoon. Mera order 42 nahi aaya.");
    assert!(x.words.iter().all(|w| w.interpolated));
    assert_eq!(x.words[0].start_s, 0.5);
    assert_eq!(x.words[4].end_s, 2.5);
    assert_eq!(x.words[5].label, spk("SPEAKER_00"));
    x.assign_speakers(&agent_map("speaker_01")).unwrap();
    assert_eq!(x.words[0].speaker, A);
    assert_eq!(x.words[9].speaker, C);
}

#[test]
fn whisper_cpp_tokens_make_words() {
    let t = parse_fixture("vendor/whisper_cpp_tokens.json");
    assert_eq!(t.format, Format::WhisperCpp);
    assert_eq!(
        summary(&t),
        [
            ("Good", 0.32, 0.7, Label::Unknown),
            ("evening,", 0.7, 1.4, Label::Unknown),
            ("sir.", 1.6, 2.2, Label::Unknown),
        ]
    );
    assert_eq!(t.words[1].confidence, Some(0.6), "the lowest token p");

    let mut s = parse_fixture("vendor/whisper_cpp_segments.json");
    assert_eq!(s.text(), "Haan ji, boliye. Refund kab aayega? (coughs)");
    assert_eq!(s.words[0].start_s, 1.0);
    assert_eq!(s.words[2].end_s, 3.0);
    assert_eq!(s.words[3].start_s, 3.5, "from the timestamps strings");
    assert_eq!(s.words[3].label, Label::Channel(1));
    s.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&s), [A, A, A, C, C, C, None]);
}

#[test]
fn callqa_json_round_trips() {
    let t = parse_fixture("vendor/callqa.json");
    assert_eq!(t.format, Format::Callqa);
    assert_eq!(texts(&t), ["haan", "Namaste", "ji"], "sorted by start");
    assert_eq!(t.words[1].speaker, A, "assigned speakers are kept");
    assert_eq!(t.words[2].label, spk("Rohit"));
    assert!(t.words[2].interpolated);
    // What callqa writes, it reads back.
    let json = serde_json::to_vec(&t).unwrap();
    assert_eq!(parse(&json, None).unwrap(), t);
}

#[test]
fn webvtt_features() {
    let mut t = parse_fixture("vendor/features.vtt");
    assert_eq!(t.format, Format::WebVtt);
    assert!(t.words.iter().all(|w| w.speaker.is_none()), "parse assigns no speakers");
    assert_eq!(
        t.text(),
        "Good morning, Blue Sky & Co. Hello my bill is wrong Sorry about that. Okay. Thanks! \
         no speaker here"
    );
    let w = |text: &str| t.words.iter().find(|w| w.text == text).unwrap().clone();
    assert_eq!(w("Good").label, spk("Agent Kavita"));
    assert_eq!((w("Good").start_s, w("Co.").end_s), (1.0, 4.0));
    // Inline timestamps time the words: alone between two times → exact.
    let hello = w("Hello");
    assert_eq!((hello.start_s, hello.end_s, hello.interpolated), (5.0, 5.6, false));
    let my = w("my");
    assert_eq!((my.start_s, my.end_s, my.interpolated), (5.6, 5.9, false));
    assert_eq!(w("is").start_s, 6.4);
    assert!(w("wrong").interpolated && w("wrong").end_s == 7.0);
    assert_eq!(w("Sorry").label, spk("Agent"));
    assert_eq!(w("Okay.").label, spk("Customer"));
    assert_eq!(w("Thanks!").label, spk("Agent Kavita"));
    assert_eq!(w("here").label, Label::Unknown);
    assert!(!t.text().contains("comment") && !t.text().contains("yellow"));
    t.assign_speakers(&default_map()).unwrap();
    let s = |text: &str| t.words.iter().find(|w| w.text == text).unwrap().speaker;
    assert_eq!(
        [s("Good"), s("Hello"), s("Sorry"), s("Okay."), s("Thanks!"), s("here")],
        [A, C, A, C, A, None]
    );
}

#[test]
fn srt_features() {
    let t = parse_fixture("vendor/features.srt");
    assert_eq!(t.format, Format::Srt);
    assert_eq!(t.text(), "My bill is double. Let me check. Okay. Done.");
    assert_eq!(t.words[0].label, spk("CUSTOMER"));
    assert_eq!((t.words[0].start_s, t.words[3].end_s), (1.0, 3.0));
    assert_eq!(t.words[4].label, spk("AGENT"));
    assert_eq!(t.words[4].start_s, 3.5, "`.` before the milliseconds");
    assert_eq!(t.words[7].label, spk("CUSTOMER"), "cue without a blank line before it");
    assert_eq!(t.words[8].label, spk("Agent"), "after a dialogue dash");
}

#[test]
fn detection_by_content_and_name_hint() {
    let cues = b"1\n00:00:01,000 --> 00:00:02,000\nHello there\n";
    assert_eq!(detect(cues, Some("call.srt")).unwrap(), Format::Srt);
    assert_eq!(detect(cues, None).unwrap(), Format::Srt);
    let headless = b"00:01.000 --> 00:02.000\n<v Agent>Hello there\n";
    assert_eq!(detect(headless, Some("call.VTT")).unwrap(), Format::WebVtt);
    let t = parse(headless, Some("call.vtt")).unwrap();
    assert_eq!(t.words[0].label, spk("Agent"));
    // The content decides over a misleading name.
    let vtt = b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n";
    assert_eq!(detect(vtt, Some("call.json")).unwrap(), Format::WebVtt);
    assert_eq!(detect(&read("vendor/deepgram_diarize.json"), Some("x.vtt")).unwrap(), Format::Deepgram);
}

// --- speaker mapping ---------------------------------------------------------------------

fn labelled(labels: &[Label]) -> Transcript {
    let words = labels
        .iter()
        .enumerate()
        .map(|(i, l)| callqa::transcript::Word {
            text: format!("w{i}"),
            start_s: i as f64,
            end_s: i as f64 + 0.5,
            label: l.clone(),
            speaker: None,
            confidence: None,
            interpolated: false,
        })
        .collect();
    Transcript { format: Format::Callqa, words }
}

#[test]
fn default_mapping_rules() {
    // Channels: 0 agent, others customer, whoever speaks first.
    let mut t = labelled(&[Label::Channel(1), Label::Channel(0), Label::Unknown]);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [C, A, None]);
    // Names say who is who, in English or Hindi, whoever speaks first.
    let mut t = labelled(&[spk("ग्राहक"), spk("एजेंट"), spk("Caller 2"), spk("CSR Meena")]);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [C, A, C, A]);
    // Otherwise the first to speak is the agent.
    let mut t = labelled(&[spk("spk_1"), spk("spk_0"), spk("spk_1"), spk("spk_2")]);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [A, C, A, C]);
    // A named customer and an unnamed speaker: the unnamed one is the agent.
    let mut t = labelled(&[spk("Customer"), spk("Kavita")]);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [C, A]);
    // Only unknown labels: no speakers.
    let mut t = labelled(&[Label::Unknown, Label::Unknown]);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(speakers(&t), [None, None]);
}

#[test]
fn agent_option_maps_the_named_label() {
    let mut t = labelled(&[spk("Kavita"), spk("Ravi"), Label::Unknown]);
    t.assign_speakers(&agent_map("ravi")).unwrap();
    assert_eq!(speakers(&t), [C, A, None], "case-insensitive name");
    for name in ["ch1", "ch_1", "1", "right", "CH1"] {
        let mut t = labelled(&[Label::Channel(0), Label::Channel(1)]);
        t.assign_speakers(&agent_map(name)).unwrap();
        assert_eq!(speakers(&t), [C, A], "{name}");
    }
    // Reassigning replaces the earlier mapping.
    let mut t = labelled(&[Label::Channel(0), Label::Channel(1)]);
    t.assign_speakers(&agent_map("left")).unwrap();
    assert_eq!(speakers(&t), [A, C]);
}

#[test]
fn unknown_agent_label_names_the_labels_found() {
    let mut t = parse_fixture("vendor/aws_speakers.json");
    let err = t.assign_speakers(&agent_map("spk_7")).unwrap_err();
    assert_eq!(
        err,
        TranscriptError::UnknownAgentLabel { given: "spk_7".into(), found: "spk_0, spk_1".into() }
    );
    let msg = err.to_string();
    assert!(msg.contains("spk_7") && msg.contains("spk_0, spk_1"), "{msg}");
    assert!(t.words.iter().all(|w| w.speaker.is_none()), "nothing assigned");

    let mut c = parse_fixture("vendor/aws_channels.json");
    let msg = c.assign_speakers(&agent_map("ch_2")).unwrap_err().to_string();
    assert!(msg.contains("ch0, ch1"), "{msg}");
    let mut u = labelled(&[Label::Unknown]);
    let msg = u.assign_speakers(&agent_map("agent")).unwrap_err().to_string();
    assert!(msg.contains("does not say who speaks"), "{msg}");
}

// --- hostile input -----------------------------------------------------------------------

/// Parses and checks the invariants of whatever comes back; never panics (the test would).
fn survive(bytes: &[u8], name: Option<&str>) -> Result<Transcript, TranscriptError> {
    let r = parse(bytes, name);
    if let Ok(t) = &r {
        assert!(t.words.windows(2).all(|p| p[0].start_s <= p[1].start_s), "sorted");
        assert!(t.words.iter().all(|w| w.start_s.is_finite()
            && w.start_s >= 0.0
            && w.end_s >= w.start_s
            && !w.text.trim().is_empty()));
    }
    r
}

/// Deterministic pseudo-random bytes (SplitMix64).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

#[test]
fn empty_and_blank_input_is_an_error() {
    assert_eq!(parse(b"", None), Err(TranscriptError::Empty));
    assert_eq!(parse(b" \r\n\t\n", Some("a.vtt")), Err(TranscriptError::Empty));
    assert_eq!(parse(b"\xef\xbb\xbf", None), Err(TranscriptError::Empty));
    assert!(parse(b"", None).unwrap_err().to_string().contains("expected WebVTT"));
}

#[test]
fn binary_and_non_utf8_input_is_an_error() {
    for seed in 0..20 {
        assert!(survive(&noise(4096, seed), None).is_err());
    }
    let latin1 = b"WEBVTT\n\n00:01.000 --> 00:02.000\nna\xefve caf\xe9\n";
    let err = parse(latin1, Some("x.vtt")).unwrap_err();
    assert_eq!(err, TranscriptError::NotUtf8 { offset: 34 });
    assert!(err.to_string().contains("UTF-8"));
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("WEBVTT".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(parse(&utf16, None), Err(TranscriptError::Utf16));
}

#[test]
fn unrelated_text_and_json_say_what_is_expected() {
    let err = parse(br#"{"name": "Kavita", "items": [1, 2]}"#, Some("x.json")).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, TranscriptError::Unrecognised(_)));
    assert!(msg.contains(r#""name""#) && msg.contains(r#""items""#), "{msg}");
    assert!(
        msg.contains(
            "expected WebVTT, SRT, or JSON from AWS Transcribe (results.items), Google \
             Speech-to-Text (results[].alternatives[].words), Deepgram (results.channels), \
             AssemblyAI (words[]), openai-whisper (segments[]) or whisper.cpp (transcription[])"
        ),
        "{msg}"
    );
    for other in [&b"[1, 2, 3]"[..], b"42", b"null", b"Dear customer,\nthanks.", b"{}"] {
        assert!(
            matches!(parse(other, None), Err(TranscriptError::Unrecognised(_))),
            "{:?}",
            String::from_utf8_lossy(other)
        );
    }
    let queued = br#"{"id": "x", "status": "queued", "words": null}"#;
    let msg = parse(queued, None).unwrap_err().to_string();
    assert!(msg.contains("queued"), "{msg}");
}

#[test]
fn truncated_json_is_an_error() {
    for e in manifest().iter().filter(|e| e.file.ends_with(".json")) {
        let bytes = read(&format!("corpus/{}", e.file));
        let trimmed = bytes.trim_ascii_end();
        for k in 1..8 {
            let cut = trimmed.len() * k / 8;
            // Cut on a character boundary so the error is about JSON, not UTF-8.
            let Some(cut) = (cut..trimmed.len()).find(|&i| std::str::from_utf8(&trimmed[..i]).is_ok()) else {
                continue;
            };
            let err = survive(&trimmed[..cut], Some(&e.file)).unwrap_err();
            assert!(matches!(err, TranscriptError::Json { .. }), "{} cut at {cut}: {err}", e.file);
        }
    }
    let deep = "[".repeat(100_000);
    assert!(matches!(survive(deep.as_bytes(), None), Err(TranscriptError::Json { .. })));
}

#[test]
fn bad_times_skip_the_word() {
    let aws = br#"{"results": {"items": [
        {"type": "pronunciation", "start_time": "NaN", "end_time": "1.0", "alternatives": [{"content": "nan"}]},
        {"type": "pronunciation", "start_time": "-1.0", "end_time": "1.0", "alternatives": [{"content": "negative"}]},
        {"type": "pronunciation", "start_time": "3.0", "end_time": "2.0", "alternatives": [{"content": "inverted"}]},
        {"type": "pronunciation", "start_time": "inf", "end_time": "inf", "alternatives": [{"content": "infinite"}]},
        {"type": "pronunciation", "start_time": "1e300", "end_time": "1e301", "alternatives": [{"content": "huge"}]},
        {"type": "pronunciation", "alternatives": [{"content": "untimed"}]},
        {"type": "pronunciation", "start_time": "4.0", "end_time": "4.5", "alternatives": [{"content": "good", "confidence": "7"}]}
    ]}}"#;
    let p = parse_report(aws, None).unwrap();
    assert_eq!(p.skipped, 6);
    assert_eq!(texts(&p.transcript), ["good"]);
    assert_eq!(p.transcript.words[0].confidence, None, "confidence outside 0..=1");

    let dg = br#"{"results": {"channels": [{"alternatives": [{"words": [
        {"word": "a", "start": 1e308, "end": 1.7976931348623157e308},
        {"word": "b", "start": -0.5, "end": 0.5},
        {"word": "c", "start": 18446744073709551615, "end": 18446744073709551615}
    ]}]}]}}"#;
    let err = parse(dg, None).unwrap_err();
    assert_eq!(err, TranscriptError::NoValidWords { format: "deepgram", skipped: 3 });
    assert!(err.to_string().contains("none has usable times"));

    // Numbers beyond f64: serde_json refuses them.
    let aai = br#"{"words": [{"text": "x", "start": 1e400, "end": 2e400}]}"#;
    assert!(survive(aai, None).is_err());
    let aai = br#"{"words": [{"text": "x", "start": 18446744073709551615, "end": 18446744073709551615}, {"text": "y", "start": 10, "end": 20}]}"#;
    let p = parse_report(aai, None).unwrap();
    assert_eq!((p.skipped, p.transcript.words.len()), (1, 1));
}

#[test]
fn inverted_and_nonsense_cues_are_skipped() {
    let vtt = "WEBVTT\n\n00:05.000 --> 00:02.000\nbackwards\n\n\
               99:59:59.999 --> 999999:00:00.000\nfar future\n\n\
               00:01.000 --> \nno end\n\n --> \n\n<v>\n\n\
               00:06.000 --> 00:07.000\n<v Agent>ok & done &bogus; <99:00.000>late <unclosed\n";
    let p = parse_report(vtt.as_bytes(), None).unwrap();
    assert_eq!(p.skipped, 2, "the inverted cue and the one past 7 days");
    assert_eq!(texts(&p.transcript), ["ok", "&", "done", "&bogus;", "late", "<unclosed"]);
    assert!(p.transcript.words.iter().all(|w| w.end_s <= 7.0 && w.start_s >= 6.0));

    let only_bad = "1\n00:00:05,000 --> 00:00:01,000\nnope\n";
    assert!(matches!(
        parse(only_bad.as_bytes(), None),
        Err(TranscriptError::NoValidWords { format: "srt", skipped: 1 })
    ));
}

#[test]
fn ten_thousand_cues_parse_in_linear_time() {
    let mut vtt = String::from("WEBVTT\n\n");
    for i in 0..10_000u32 {
        let (a, b) = (f64::from(i) * 2.0, f64::from(i) * 2.0 + 1.5);
        let stamp =
            |t: f64| format!("{:02}:{:02}:{:06.3}", (t / 3600.0) as u32, (t / 60.0) as u32 % 60, t % 60.0);
        vtt.push_str(&format!(
            "{} --> {}\n<v {}>cue {i} words\n\n",
            stamp(b),
            stamp(a),
            if i % 2 == 0 { "Agent" } else { "Customer" }
        ));
    }
    // Every cue inverted: all skipped, an error, not a panic.
    let start = std::time::Instant::now();
    assert!(matches!(
        parse(vtt.as_bytes(), None),
        Err(TranscriptError::NoValidWords { skipped: 10_000, .. })
    ));
    // The same cues the right way round.
    let fixed: String = vtt
        .lines()
        .map(|l| match l.split_once(" --> ") {
            Some((a, b)) => format!("{b} --> {a}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    let mut t = parse(fixed.as_bytes(), Some("big.vtt")).unwrap();
    assert_eq!(t.words.len(), 30_000);
    assert_eq!(t.words[29_999].text, "words");
    assert!((t.words[29_999].end_s - 19_999.5).abs() < 1e-6);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!(t.words[3].speaker, C);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn oversized_input_is_refused_before_reading() {
    let big = vec![b' '; callqa::transcript::formats::MAX_BYTES + 1];
    assert!(matches!(parse(&big, None), Err(TranscriptError::TooLarge { .. })));
}

/// Bytes that break formats in interesting ways.
const DAMAGE: &[u8] = b"0-9:.,>< \n\"{}[]e-";

/// Every fixture, damaged in many places, parses or fails without a panic.
#[test]
fn damaged_fixtures_never_panic() {
    let vendor = std::fs::read_dir(fixtures().join("vendor")).unwrap();
    for entry in vendor {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        for seed in 0..40u64 {
            let mut damaged = bytes.clone();
            let hits = noise(8, seed);
            for (k, h) in hits.iter().enumerate() {
                let at = (usize::from(*h) * 131 + k * 977 + seed as usize * 31) % damaged.len();
                damaged[at] = DAMAGE[usize::from(*h) % DAMAGE.len()];
            }
            let _ = survive(&damaged, Some(&name));
            let _ = survive(&bytes[..bytes.len() * (seed as usize + 1) / 41], Some(&name));
        }
    }
}

mod props {
    use super::survive;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = survive(&bytes, None);
        }

        #[test]
        fn cue_like_text_never_panics(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("WEBVTT\n"), Just("\n\n"), Just("\n"), Just("00:01.000"),
                    Just(" --> "), Just("00:00:02,500"), Just("<v A>"), Just("<"), Just(">"),
                    Just("Agent: "), Just("&amp;"), Just("&"), Just("<00:01.500>"), Just("{\\an8}"),
                    Just("- "), Just("नमस्ते "), Just("word "), Just("12\n"), Just("NOTE "),
                ],
                0..40,
            ),
            vtt in any::<bool>(),
        ) {
            let text: String = parts.concat();
            let _ = survive(text.as_bytes(), Some(if vtt { "a.vtt" } else { "a.srt" }));
        }
    }
}

/// Inputs built to make a careless parser quadratic finish quickly.
#[test]
fn pathological_input_stays_linear() {
    let start = std::time::Instant::now();
    let brackets = format!("WEBVTT\n\n00:01.000 --> 00:02.000\n{}\n", "<{\\".repeat(200_000));
    let t = parse(brackets.as_bytes(), None).unwrap();
    assert_eq!(t.words.len(), 1);
    // A distinct speaker on every word.
    let mut vtt = String::from("WEBVTT\n\n00:00.000 --> 99:00:00.000\n");
    for i in 0..50_000 {
        vtt.push_str(&format!("<v s{i}>w "));
    }
    let mut t = parse(vtt.as_bytes(), None).unwrap();
    assert_eq!(t.words.len(), 50_000);
    t.assign_speakers(&default_map()).unwrap();
    assert_eq!((t.words[0].speaker, t.words[49_999].speaker), (A, C));
    let err = t.assign_speakers(&agent_map("nobody")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("s0, s1") && msg.contains("s19, … (50000 labels)") && msg.len() < 400, "{msg}");
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
