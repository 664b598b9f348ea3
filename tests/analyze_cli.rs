//! `callqa analyze` end to end: the JSON object's keys and values (docs/analyze-json.md), the
//! human summary, `--min-silence`, mono files and clear errors for bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

fn analyze(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa")).arg("analyze").args(args).output().unwrap()
}

fn json_of(file: &str, extra: &[&str]) -> Value {
    let path = corpus(file);
    let mut args = vec![path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = analyze(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_has_the_documented_keys_and_finds_hold_and_dead_air() {
    let v = json_of("dev_d_long_hold.wav", &[]);
    for key in [
        "file",
        "duration_s",
        "channels",
        "sample_rate",
        "talk",
        "talk_time_s",
        "talk_ratio",
        "overtalk",
        "silence",
        "hold",
        "metrics",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert!((v["duration_s"].as_f64().unwrap() - 87.57275).abs() < 1e-6);
    assert_eq!(v["channels"], 2);
    assert_eq!(v["sample_rate"], 8000);
    assert_eq!(v["talk"]["agent"].as_array().unwrap().len(), 5);
    assert_eq!(v["talk"]["customer"].as_array().unwrap().len(), 5);
    let hold = v["hold"].as_array().unwrap();
    assert_eq!(hold.len(), 1);
    assert_eq!(hold[0]["channel"], 0);
    assert!((hold[0]["start_s"].as_f64().unwrap() - 18.622).abs() < 0.05);
    assert!((hold[0]["end_s"].as_f64().unwrap() - 38.622).abs() < 0.05);
    let silence = v["silence"].as_array().unwrap();
    assert_eq!(silence.len(), 2, "{silence:?}");
    assert!((silence[0]["start_s"].as_f64().unwrap() - 38.622).abs() < 0.05);
    let m = &v["metrics"];
    assert_eq!(m["silence_count"], 2);
    assert!((m["silence_longest_s"].as_f64().unwrap() - 30.0).abs() < 0.1);
    assert!((m["hold_total_s"].as_f64().unwrap() - 20.0).abs() < 0.1);
    let agent = v["talk_time_s"]["agent"].as_f64().unwrap();
    assert!((agent - 18.468).abs() / 18.468 < 0.02);
    let ratio = v["talk_ratio"]["agent"].as_f64().unwrap() + v["talk_ratio"]["customer"].as_f64().unwrap();
    assert!((ratio - 1.0).abs() < 1e-4);
}

#[test]
fn overtalk_entries_name_the_interrupter() {
    let v = json_of("dev_b_cutoff.wav", &[]);
    let ot = v["overtalk"].as_array().unwrap();
    assert_eq!(ot.len(), 4, "{ot:?}");
    assert!(ot.iter().all(|o| o["started_by"] == "agent"));
    assert_eq!(v["metrics"]["overtalk_by_agent"], 4);
    assert_eq!(v["metrics"]["overtalk_by_customer"], 0);
}

#[test]
fn min_silence_changes_what_counts_as_dead_air() {
    let v = json_of("dev_d_long_hold.wav", &["--min-silence", "5"]);
    assert_eq!(v["silence"].as_array().unwrap().len(), 1);
    let v = json_of("dev_a_courteous.wav", &["--min-silence", "0.7"]);
    // The 4 s pause plus the turn gaps of 0.7-0.8 s.
    assert!(v["silence"].as_array().unwrap().len() > 1);
}

#[test]
fn mono_gives_mixed_talk_and_a_warning() {
    let v = json_of("dev_b_cutoff_mulaw_mono.wav", &[]);
    assert!(v["talk"]["mixed"].as_array().unwrap().len() >= 2);
    assert!(v["talk"].get("agent").is_none());
    assert!(v["talk_time_s"]["mixed"].as_f64().unwrap() > 30.0);
    assert!(v["overtalk"].as_array().unwrap().is_empty());
    let w = v["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w.as_str().unwrap().contains("overtalk needs a two-channel recording")),
        "{w:?}"
    );
}

#[test]
fn reader_warnings_are_passed_on() {
    let v = json_of("bad_truncated.wav", &[]);
    assert!((v["duration_s"].as_f64().unwrap() - 9.0).abs() < 1e-6);
    let w = v["warnings"].as_array().unwrap();
    assert!(w.iter().any(|w| w.as_str().unwrap().contains("truncated")), "{w:?}");
}

#[test]
fn human_summary_reads_well() {
    let out = analyze(&[corpus("dev_d_long_hold.wav").to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in ["talk", "agent", "customer", "silence   2", "hold      1", "0:38.6", "agent side"] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains("-0.0"), "{text}");
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    for (file, words) in [
        ("bad_zero_bytes.wav", "empty"),
        ("bad_text_renamed.wav", "not a WAV"),
        ("no_such_file.wav", "cannot open"),
    ] {
        let out = analyze(&[corpus(file).to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(err.contains(words), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
    let out = analyze(&[corpus("dev_f_brief.wav").to_str().unwrap(), "--min-silence", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--min-silence"));
    // A header with no audio is an empty call, not an error.
    let v = json_of("bad_header_only.wav", &[]);
    assert_eq!(v["duration_s"].as_f64().unwrap(), 0.0);
}
