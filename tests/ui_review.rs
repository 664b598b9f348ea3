//! Behaviour tests of the review window with egui_kittest, headless: open corpus calls, see
//! the lanes and overtalk markers, broken files listed with their errors, score a call and find
//! the review in a real SQLite file (through the store API). No audio device (as in CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use callqa::app::{AppConfig, CallqaApp, Prefs};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

fn harness(db: &Path, paths: Vec<PathBuf>, reviewer: &str) -> Harness<'static, CallqaApp> {
    let config = AppConfig { db_path: db.to_path_buf(), paths, audio: false };
    let prefs = Prefs { reviewer: reviewer.into(), ..Prefs::default() };
    Harness::builder()
        .with_size(egui::Vec2::new(1600.0, 1000.0))
        .with_context_setup(callqa::ui::fonts::install)
        .build_eframe(move |cc| CallqaApp::with_prefs(&cc.egui_ctx, config, prefs))
}

/// Runs frames until `cond` holds (background jobs report between frames), or panics after `secs`.
fn run_until(h: &mut Harness<'static, CallqaApp>, what: &str, secs: u64, cond: impl Fn(&CallqaApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        h.step();
        if cond(h.state()) {
            h.step();
            return;
        }
        assert!(Instant::now() < deadline, "timed out after {secs} s waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn ground_truth_overtalk(call: &str) -> Vec<(f64, String)> {
    let text = std::fs::read_to_string(corpus(&format!("{call}.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["overtalk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["start_s"].as_f64().unwrap(), o["second_speaker"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn broken_files_are_listed_with_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let files =
        vec![corpus("bad_mp3_renamed.wav"), corpus("bad_zero_bytes.wav"), corpus("bad_truncated.wav")];
    let mut h = harness(&db, files, "Asha");
    run_until(&mut h, "all three files probed", 30, |app| {
        app.jobs.probes_pending == 0 && app.library.entries.len() == 3
    });
    // The errors are in the list, as text a person reads (not hidden, not fatal).
    h.get_by_label_contains("MP3");
    h.get_by_label_contains("empty file");
    // A truncated file opens, with its warning shown.
    h.get_by_label_contains("truncated");
    let app = h.state();
    let broken = app.library.entries.iter().filter(|e| e.error().is_some()).count();
    assert_eq!(broken, 2, "the MP3 and the empty file are broken; the truncated one opens");
}

#[test]
fn a_stereo_call_shows_both_lanes_and_its_overtalk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_b_cutoff.wav")], "Asha");
    run_until(&mut h, "analysis of dev_b_cutoff", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.analysis.is_some() || c.error.is_some())
    });
    assert_eq!(h.state().call.as_ref().and_then(|c| c.error.clone()), None);
    h.get_by_label("Agent");
    h.get_by_label("Customer");
    assert!(h.query_by_label("Mixed").is_none());
    let truth = ground_truth_overtalk("dev_b_cutoff");
    let markers: Vec<String> = h
        .get_all_by_label_contains("Overtalk marker")
        .map(|n| n.accesskit_node().label().unwrap_or_default().to_string())
        .collect();
    assert_eq!(markers.len(), truth.len(), "one marker per overtalk span: {markers:?}");
    for ((start, by), label) in truth.iter().zip(&markers) {
        assert!(label.contains(&format!("started by the {by}")), "{label} vs {by}");
        let t: f64 = label.rsplit(" at ").next().unwrap().trim_end_matches(" s").parse().unwrap();
        assert!((t - start).abs() < 0.3, "{label}: start {t} vs truth {start}");
    }
    // The evidence beside "let the customer finish" lists the agent's interruptions as links.
    h.get_by_label_contains(&format!("{} interruptions by the agent", truth.len()));
    // Clicking an overtalk marker seeks there.
    h.get_all_by_label_contains("Overtalk marker").nth(1).unwrap().click();
    h.run_steps(3);
    assert!((h.state().playhead_s() - truth[1].0).abs() < 0.3, "playhead {}", h.state().playhead_s());
}

#[test]
fn a_mono_call_has_one_mixed_lane() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_b_cutoff_mulaw_mono.wav")], "Asha");
    run_until(&mut h, "analysis of the mono file", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.analysis.is_some() || c.error.is_some())
    });
    assert_eq!(h.state().call.as_ref().and_then(|c| c.error.clone()), None);
    h.get_by_label("Mixed");
    assert!(h.query_by_label("Agent").is_none());
    assert!(h.query_by_label("Customer").is_none());
}

#[test]
fn devanagari_file_names_render() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    // Without the embedded font, kittest panics on a missing glyph.
    let mut h = harness(&db, vec![corpus("ग्राहक_कॉल_17.wav")], "आशा");
    run_until(&mut h, "probe", 30, |app| app.jobs.probes_pending == 0);
    assert!(h.get_all_by_label("ग्राहक_कॉल_17.wav").count() >= 1);
}
