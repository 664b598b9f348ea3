//! Regression fixtures for the WAV reader: the crafted and mutated headers in
//! `tests/fixtures/crafted/` (written by its `make.py`; issue 12 asked for the headers tried
//! against the reader to be kept). Each file is opened from disk one by one: it must fail with
//! the clear error or open with the warning `expected.tsv` names, never panic, and, when it
//! opens, stream exactly the frames it reports, samples in [-1, 1], with buffers bounded by the
//! file's length.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use callqa::audio::WavReader;

fn crafted_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crafted")
}

/// One line of `expected.tsv`.
struct Expected {
    file: String,
    error: bool,
    frames: Option<u64>,
    text: String,
}

fn expectations() -> Vec<Expected> {
    let tsv = std::fs::read_to_string(crafted_dir().join("expected.tsv")).unwrap();
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 4, "expected.tsv line {l:?}");
            assert!(c[1] == "error" || c[1] == "warning", "expected.tsv line {l:?}");
            Expected {
                file: c[0].to_string(),
                error: c[1] == "error",
                frames: (c[2] != "-").then(|| c[2].parse().unwrap()),
                text: c[3].to_string(),
            }
        })
        .collect()
}

/// Opens, checks the outcome, streams and seeks; `Err` says what was wrong.
fn check(e: &Expected) -> Result<(), String> {
    let path = crafted_dir().join(&e.file);
    let len = std::fs::metadata(&path).map_err(|err| err.to_string())?.len() as usize;
    let mut r = match WavReader::open(&path) {
        Err(err) if e.error => {
            let msg = err.to_string();
            return if msg.contains(&e.text) { Ok(()) } else { Err(format!("error {msg:?}")) };
        }
        Err(err) => return Err(format!("failed to open: {err}")),
        Ok(r) if e.error => return Err(format!("opened: {:?}", r.info())),
        Ok(r) => r,
    };
    let info = r.info().clone();
    if !info.warnings.iter().any(|w| w.contains(&e.text)) {
        return Err(format!("warnings {:?}", info.warnings));
    }
    if let Some(f) = e.frames
        && f != info.frames
    {
        return Err(format!("{} frames, expected {f}", info.frames));
    }
    let ch = usize::from(info.channels);
    let (mut out, mut total) = (Vec::new(), 0u64);
    loop {
        let n = r.read_frames(&mut out, 777).map_err(|err| format!("read: {err}"))?;
        if out.len() != n * ch || !out.iter().all(|x| (-1.0..=1.0).contains(x)) {
            return Err(format!("a read of {n} frames returned {} samples, or one out of range", out.len()));
        }
        total += n as u64;
        if n == 0 {
            break;
        }
    }
    if total != info.frames {
        return Err(format!("streamed {total} frames, reported {}", info.frames));
    }
    for at in [info.frames / 2, info.frames.saturating_sub(1), info.frames + 9] {
        r.seek(at).map_err(|err| format!("seek to {at}: {err}"))?;
        r.read_frames(&mut out, 777).map_err(|err| format!("read after seek to {at}: {err}"))?;
    }
    if r.raw_buffer_capacity() > len || r.decoded_buffer_capacity() > 30 * len.max(1) {
        return Err(format!(
            "buffers {} / {} bytes for a {len}-byte file",
            r.raw_buffer_capacity(),
            r.decoded_buffer_capacity()
        ));
    }
    Ok(())
}

#[test]
fn every_crafted_header_fails_clearly_or_opens_with_a_warning() {
    let expected = expectations();
    let listed: BTreeSet<&str> = expected.iter().map(|e| e.file.as_str()).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(crafted_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wav"))
        .collect();
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    assert_eq!(listed, on_disk, "expected.tsv and the .wav files differ: run make.py");
    assert!(expected.len() >= 60, "{} fixtures", expected.len());
    let mut failures = Vec::new();
    for e in &expected {
        match catch_unwind(AssertUnwindSafe(|| check(e))) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => failures.push(format!(
                "{}: {why} (expected {} {:?})",
                e.file,
                if e.error { "error" } else { "warning" },
                e.text
            )),
            Err(_) => failures.push(format!("{}: PANIC", e.file)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
}
