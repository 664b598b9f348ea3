//! Coaching clips through the built binary: `callqa clip` into a real SQLite file, `callqa
//! clips` listing and exporting WAV clips with an index, bad input refused, a missing call
//! reported without losing the others; and the schema upgrade that added clips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use callqa::audio::WavReader;
use cli_common::{corpus, ok, text};

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(dir.join("qa.sqlite3"))
        .args(args)
        .env_remove("CALLQA_DB")
        .env("HOME", dir)
        .output()
        .unwrap()
}

/// The call's samples in `[from, to)` frames, decoded by our reader.
fn decoded(path: &Path, from: u64, to: u64) -> Vec<f32> {
    let mut r = WavReader::open(path).unwrap();
    r.seek(from).unwrap();
    let ch = usize::from(r.info().channels);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while (out.len() / ch) < (to - from) as usize && r.read_frames(&mut buf, 4096).unwrap() > 0 {
        out.extend_from_slice(&buf);
    }
    out.truncate((to - from) as usize * ch);
    out
}

/// The one set folder of an export (beside it: the export's index.csv).
fn set_folder(dir: &Path) -> PathBuf {
    let folders: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

#[test]
fn clips_are_stored_listed_and_exported_as_wav_with_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = d.join("dev_c_dispute.wav");
    let a = d.join("dev_a_courteous.wav");
    std::fs::copy(corpus("dev_c_dispute.wav"), &c).unwrap();
    std::fs::copy(corpus("dev_a_courteous.wav"), &a).unwrap();
    let set = "Interruptions / बीच में बोलना";
    let note = "एजेंट ग्राहक को बीच में काटता है";
    let out = ok(&run(
        d,
        &[
            "clip",
            c.to_str().unwrap(),
            "--from",
            "0:05.785",
            "--to",
            "7.4",
            "--bad",
            "--set",
            set,
            "--author",
            "Priya",
            "--note",
            note,
        ],
    ));
    assert!(out.starts_with("clip 1 added"), "{out}");
    ok(&run(
        d,
        &[
            "clip",
            a.to_str().unwrap(),
            "--from",
            "1",
            "--to",
            "4.5",
            "--good",
            "--set",
            set,
            "--author",
            "Priya",
        ],
    ));

    // Refused, with the reason, exit 2, nothing stored: backwards, past the end, no kind.
    for args in [
        vec!["--from", "10", "--to", "5", "--bad"],
        vec!["--from", "1", "--to", "50", "--bad"],
        vec!["--from", "1", "--to", "2"],
        vec!["--from", "1:75", "--to", "2", "--good"],
    ] {
        let mut all = vec!["clip", c.to_str().unwrap(), "--set", set, "--author", "Priya"];
        all.extend(args);
        let out = run(d, &all);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("panicked"));
    }

    let list: serde_json::Value = serde_json::from_str(&ok(&run(d, &["clips", "--json"]))).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["kind"], "bad");
    assert_eq!(list[0]["note"], note);
    assert_eq!(list[0]["set"], set);
    assert_eq!(list[1]["kind"], "good");

    // Export: one WAV per clip with the call's samples, and an index with the notes intact.
    let out_dir = d.join("export");
    ok(&run(d, &["clips", "--export", out_dir.to_str().unwrap()]));
    let folder = set_folder(&out_dir);
    let index = std::fs::read(folder.join("index.csv")).unwrap();
    assert!(index.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for spreadsheets");
    let index = text(&index);
    assert!(index.contains(note) && index.contains("dev_c_dispute.wav"), "{index}");
    let wav = folder.join("01_bad_dev_c_dispute_0m05.8-0m07.4.wav");
    let mut r = hound::WavReader::open(&wav).unwrap();
    let spec = r.spec();
    assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (2, 8000, 16));
    let (from, to) = ((5.785f64 * 8000.0).round() as u64, (7.4f64 * 8000.0).round() as u64);
    assert_eq!(u64::from(r.duration()), to - from);
    let got: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
    let want = decoded(&c, from, to);
    assert_eq!(got.len(), want.len());
    let worst = got.iter().zip(&want).map(|(g, w)| (f32::from(*g) / 32767.0 - w).abs()).fold(0.0, f32::max);
    assert!(worst <= 1.0 / 32767.0, "clip differs from the call by {worst}");

    // The call moved away: that clip is reported, the other still exported, exit 1.
    std::fs::remove_file(&c).unwrap();
    let again = d.join("again");
    let out = run(d, &["clips", "--export", again.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("clip 1 not exported") && !err.contains("panicked"), "{err}");
    let folder = set_folder(&again);
    assert!(folder.join("02_good_dev_a_courteous_0m01.0-0m04.5.wav").exists());
    assert!(!folder.join("01_bad_dev_c_dispute_0m05.8-0m07.4.wav").exists());

    // Removing a clip: gone from the list, kept in the audit log; an unknown one is an error.
    ok(&run(d, &["clips", "--remove", "1", "--author", "Priya"]));
    let list: serde_json::Value = serde_json::from_str(&ok(&run(d, &["clips", "--json"]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 2);
    let out = run(d, &["clips", "--remove", "1", "--author", "Priya"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("clip 1 not found"), "{}", text(&out.stderr));
    let db = rusqlite::Connection::open(d.join("qa.sqlite3")).unwrap();
    let removed: i64 =
        db.query_row("SELECT count(*) FROM audit WHERE action = 'remove_clip'", [], |r| r.get(0)).unwrap();
    assert_eq!(removed, 1);
}

#[test]
fn a_database_from_before_clips_is_upgraded_and_keeps_its_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let call = corpus("dev_f_brief.wav");
    ok(&run(d, &["review", call.to_str().unwrap(), "--reviewer", "Asha", "--answer", "no_arguing=yes"]));
    // Make it the first schema: no clips table, version 1.
    {
        let c = rusqlite::Connection::open(d.join("qa.sqlite3")).unwrap();
        c.execute_batch("DROP TABLE clips; DROP TABLE call_paths; PRAGMA user_version = 1;").unwrap();
    }
    ok(&run(
        d,
        &[
            "clip",
            call.to_str().unwrap(),
            "--from",
            "1",
            "--to",
            "2",
            "--good",
            "--set",
            "s",
            "--author",
            "Priya",
        ],
    ));
    let c = rusqlite::Connection::open(d.join("qa.sqlite3")).unwrap();
    let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert!(version >= 3, "upgraded to the latest schema, {version}");
    let reviews: i64 = c.query_row("SELECT count(*) FROM reviews", [], |r| r.get(0)).unwrap();
    assert_eq!(reviews, 1, "the review made before the upgrade is still there");
    let migrated: String = c
        .query_row("SELECT detail FROM audit WHERE action = 'migrate' ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let to = format!("\"schema_to\":{version}");
    assert!(migrated.contains("\"schema_from\":1") && migrated.contains(&to), "{migrated}");
}

#[test]
fn exporting_onto_a_file_says_so_once_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = d.join("dev_c_dispute.wav");
    std::fs::copy(corpus("dev_c_dispute.wav"), &c).unwrap();
    let call = c.to_str().unwrap();
    ok(&run(d, &["clip", call, "--from", "5.8", "--to", "7.4", "--bad", "--set", "s", "--author", "Priya"]));
    let target = d.join("not-a-folder");
    std::fs::write(&target, b"keep me").unwrap();
    let out = run(d, &["clips", "--export", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line, not one per file: {err}");
    assert!(err.contains("is not a folder; nothing was exported"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
}
