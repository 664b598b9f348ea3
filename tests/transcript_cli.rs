//! `callqa transcript import/show`, `callqa search` and `callqa analyze --transcript` (issue
//! 16), run as the real binary on corpus calls and their generated transcripts, with a real
//! SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli_common::{corpus, ok, text};
use serde_json::Value;

fn transcript(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts/corpus").join(name)
}

fn callqa(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa")).arg("--db").arg(db).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn import_then_search_finds_the_phrase_with_its_time_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let wav = corpus("dev_a_courteous.wav");
    // The ground truth: "That mistake was ours" is said by the agent in 28.19–34.06 s.
    for file in ["dev_a_courteous.vtt", "dev_a_courteous.aws.json", "dev_a_courteous.deepgram.json"] {
        let out = ok(&callqa(&db, &["transcript", "import", s(&wav), s(&transcript(file)), "--json"]));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["agent_words"].as_u64().unwrap() > 50, "{file}: {v}");
        assert!(v["customer_words"].as_u64().unwrap() > 20, "{file}: {v}");
        let hits: Value = serde_json::from_str(&ok(&callqa(
            &db,
            &["search", "mistake was ours", "--speaker", "agent", "--json"],
        )))
        .unwrap();
        let hits = hits.as_array().unwrap();
        assert_eq!(hits.len(), 1, "{file}: {hits:?}");
        let t = hits[0]["start_s"].as_f64().unwrap();
        assert!((28.18..34.06).contains(&t), "{file}: {t}");
        assert_eq!(hits[0]["file_name"], "dev_a_courteous.wav");
        // The customer never says it.
        let none = ok(&callqa(&db, &["search", "mistake was ours", "--speaker", "customer"]));
        assert!(none.starts_with("no call has"), "{none}");
    }
    // Human output: the path, the time, who, the words.
    let out = ok(&callqa(&db, &["search", "Thursday at four"]));
    assert!(out.contains("dev_a_courteous.wav"), "{out}");
    assert!(out.contains("agent") && out.contains("customer"), "both say it: {out}");
    // show: one line per turn.
    let shown = ok(&callqa(&db, &["transcript", "show", s(&wav)]));
    assert!(shown.contains("Good morning, you are through to Blue Sky Electricity"), "{shown}");
}

#[test]
fn hindi_is_found_in_any_spelling_of_its_nukta() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let wav = corpus("dev_e_hindi_refund.wav");
    ok(&callqa(&db, &["transcript", "import", s(&wav), s(&transcript("dev_e_hindi_refund.srt"))]));
    for q in ["माफ़ी चाहता", "माफी चाहता", "हमारी गलती"]
    {
        let out = ok(&callqa(&db, &["search", q, "--json"]));
        let hits: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(hits.as_array().unwrap().len(), 1, "{q}: {out}");
        assert_eq!(hits[0]["speaker"], "agent");
    }
}

#[test]
fn analyze_with_a_transcript_adds_words_and_phrases() {
    let wav = corpus("dev_a_courteous.wav");
    let out = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["analyze", s(&wav), "--json", "--transcript", s(&transcript("dev_a_courteous.whisper.json"))])
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert!(v["words"].as_array().unwrap().len() > 100);
    assert!(v["talk"]["agent"].is_array(), "the audio analysis is still there");
    let phrases = v["phrases"].as_array().unwrap();
    let item = |key: &str| phrases.iter().filter(|p| p["item"] == key).collect::<Vec<_>>();
    let apology = item("admitted_fault");
    assert!(!apology.is_empty(), "{phrases:?}");
    for p in &apology {
        assert_eq!(p["speaker"], "agent");
    }
    let callback = item("set_callback_time");
    assert_eq!(callback.len(), 1, "{callback:?}");
    assert_eq!(callback[0]["time_value"], "thursday 16:00");
    let t = callback[0]["start_s"].as_f64().unwrap();
    assert!((36.6..43.5).contains(&t), "in the utterance 36.63–43.42 s: {t}");
    assert!(item("no_arguing").is_empty(), "a courteous call: {phrases:?}");

    // The summary says it in words.
    let out = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["analyze", s(&corpus("dev_f_brief.wav")), "--transcript", s(&transcript("dev_f_brief.vtt"))])
        .output()
        .unwrap();
    let out = ok(&out);
    assert!(out.contains("Admitted fault: no apology or admission of fault found"), "{out}");
    assert!(out.contains("Set a callback time: no callback with a time found"), "{out}");
}

#[test]
fn bad_transcripts_are_refused_with_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let wav = corpus("dev_f_brief.wav");
    // The corpus' ground truth JSON is not a transcript format.
    let out = callqa(&db, &["transcript", "import", s(&wav), s(&corpus("dev_f_brief.json"))]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("expected WebVTT, SRT, or JSON from AWS Transcribe"), "{err}");
    // A 52 s call's transcript on a 10 s call.
    let out = callqa(&db, &["transcript", "import", s(&wav), s(&transcript("dev_a_courteous.vtt"))]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("is it this call's transcript?"), "{}", text(&out.stderr));
    // An agent label that is not there.
    let out = callqa(
        &db,
        &["transcript", "import", s(&wav), s(&transcript("dev_f_brief.aws.json")), "--agent", "Zed"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--agent"), "{}", text(&out.stderr));
    // Nothing was stored by the refusals.
    let out = callqa(&db, &["transcript", "show", s(&wav)]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no transcript stored"), "{}", text(&out.stderr));
    // An empty phrase.
    let out = callqa(&db, &["search", "  "]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_transcript_next_to_the_call_is_stored_when_the_window_scans_it() {
    // The scan's probe reads it (jobs::sidecar); here through the same function the probe uses.
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("call.wav");
    std::fs::copy(corpus("dev_a_courteous.wav"), &wav).unwrap();
    assert!(callqa::jobs::sidecar::find(&wav).is_none(), "no transcript yet");
    std::fs::copy(transcript("dev_a_courteous.srt"), dir.path().join("call.srt")).unwrap();
    let found = callqa::jobs::sidecar::find(&wav).unwrap().unwrap();
    assert_eq!(found.source, "call.srt");
    assert!(found.transcript.words.iter().all(|w| w.speaker.is_some()));
    // A JSON that is some other program's file is not a transcript: ignored, no problem.
    std::fs::remove_file(dir.path().join("call.srt")).unwrap();
    std::fs::copy(corpus("dev_a_courteous.json"), dir.path().join("call.json")).unwrap();
    assert!(callqa::jobs::sidecar::find(&wav).is_none());
    // A broken VTT is a problem worth saying.
    std::fs::write(dir.path().join("call.vtt"), "WEBVTT\n\n00:01.000 --> 00:00.500\nhello\n").unwrap();
    let r = callqa::jobs::sidecar::find(&wav);
    assert!(matches!(r, Some(Err(_))), "{r:?}");
}
