//! `callqa probe` as a user runs it: the built binary on corpus files (spaces and parentheses,
//! Devanagari, a bad file), checking the JSON fields, the human lines and the exit code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

fn probe(args: &[&str], files: &[PathBuf]) -> (i32, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_callqa")).arg("probe").args(args).args(files).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn json_for_several_files_with_a_bad_one_exits_1() {
    let files = [
        corpus("dev_f_brief_listinfo.wav"),
        corpus("ग्राहक_कॉल_17.wav"),
        corpus("Agent Meena - 2024-06-12 09.05.41 (library hours).wav"),
        corpus("bad_truncated.wav"),
        corpus("bad_mp3_renamed.wav"),
    ];
    let (code, out) = probe(&["--json"], &files);
    assert_eq!(code, 1, "one file failed to open");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().expect("an array for several files");
    assert_eq!(rows.len(), 5);

    let info = &rows[0];
    assert_eq!(info["path"], files[0].to_str().unwrap());
    assert_eq!(info["encoding"], "pcm_s16le");
    assert_eq!(info["format_tag"], 1);
    assert_eq!(info["sample_rate"], 8000);
    assert_eq!(info["channels"], 2);
    assert_eq!(info["bits_per_sample"], 16);
    assert_eq!(info["frames"], 120_000);
    assert_eq!(info["duration_s"], 15.0);
    assert_eq!(info["metadata"]["IART"], "Agent Meena");
    assert_eq!(info["warnings"].as_array().unwrap().len(), 0);
    assert!(info.get("error").is_none());

    let hindi = &rows[1];
    assert!(hindi["path"].as_str().unwrap().ends_with("ग्राहक_कॉल_17.wav"));
    assert_eq!(hindi["encoding"], "mulaw");
    assert_eq!(hindi["format_tag"], 7);
    assert!((hindi["duration_s"].as_f64().unwrap() - 42.656).abs() < 0.001);

    assert!(rows[2]["path"].as_str().unwrap().ends_with("(library hours).wav"));
    assert_eq!(rows[2]["frames"], 120_000);

    assert_eq!(rows[3]["duration_s"], 9.0);
    assert_eq!(rows[3]["warnings"][0], "truncated: header says 15.0 s, file holds 9.0 s");

    let bad = &rows[4];
    assert!(bad["error"].as_str().unwrap().starts_with("this is an MP3 file, not a WAV"), "{bad}");
    assert!(bad.get("encoding").is_none());
}

#[test]
fn json_for_one_file_is_an_object_and_exits_0() {
    let (code, out) = probe(&["--json"], &[corpus("bad_unfinalized_zero_sizes.wav")]);
    assert_eq!(code, 0, "warnings do not fail");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.is_object());
    assert_eq!(v["duration_s"], 6.0);
    assert!(v["warnings"][0].as_str().unwrap().starts_with("unfinalised recording"));
}

#[test]
fn human_lines() {
    let (code, out) = probe(&[], &[corpus("dev_c_dispute.wav"), corpus("bad_zero_bytes.wav")]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with("dev_c_dispute.wav: pcm_s16le 8000 Hz 2 ch 18.990 s"), "{}", lines[0]);
    assert!(lines[1].ends_with("bad_zero_bytes.wav: error: empty file"), "{}", lines[1]);
    let (code, out) = probe(&[], &[corpus("bad_header_only.wav")]);
    assert_eq!(code, 0);
    assert!(out.trim_end().ends_with("0.000 s [warning: no audio]"), "{out}");
}
