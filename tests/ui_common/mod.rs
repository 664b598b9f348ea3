//! Helpers shared by the UI tests: a harness on a temp database with no audio device, and
//! running frames until background jobs have reported.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use callqa::app::{AppConfig, CallqaApp, Prefs};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

/// The window on `db`, with these calls opened, the reviewer set, and no audio device.
pub fn harness(db: &Path, paths: Vec<PathBuf>, reviewer: &str) -> Harness<'static, CallqaApp> {
    let prefs = Prefs { reviewer: reviewer.into(), ..Prefs::default() };
    harness_with(db, paths, prefs, (1600.0, 1000.0))
}

/// The window with given prefs (e.g. those a previous run saved) and size.
pub fn harness_with(
    db: &Path,
    paths: Vec<PathBuf>,
    prefs: Prefs,
    size: (f32, f32),
) -> Harness<'static, CallqaApp> {
    // The team store's outbox next to the test's files (never the user's data folder).
    let outbox = std::env::temp_dir().join(format!("callqa-test-outbox-{}.sqlite3", std::process::id()));
    sized(config(db, paths, outbox), prefs, size)
}

/// A test's configuration: the database `db`, these calls, no audio device, the team store's
/// outbox at `outbox`.
fn config(db: &Path, paths: Vec<PathBuf>, outbox: PathBuf) -> AppConfig {
    AppConfig {
        db_path: db.to_path_buf(),
        paths,
        audio: false,
        size: None,
        outbox: Some(outbox),
        db_from_user: true,
    }
}

/// The window with its team store outbox at `outbox`.
pub fn harness_with_outbox(db: &Path, paths: Vec<PathBuf>, outbox: PathBuf) -> Harness<'static, CallqaApp> {
    harness_config(config(db, paths, outbox), Prefs::default())
}

/// The window with this configuration and prefs (e.g. no `--db`: the prefs' review store).
pub fn harness_config(config: AppConfig, prefs: Prefs) -> Harness<'static, CallqaApp> {
    sized(config, prefs, (1600.0, 1000.0))
}

/// The window with this configuration and prefs, `size` logical points.
fn sized(config: AppConfig, prefs: Prefs, size: (f32, f32)) -> Harness<'static, CallqaApp> {
    Harness::builder()
        .with_size(egui::Vec2::new(size.0, size.1))
        .with_context_setup(callqa::ui::fonts::install)
        .build_eframe(move |cc| CallqaApp::with_prefs(&cc.egui_ctx, config, prefs))
}

/// Types `text` as a keyboard does: for each character a key press (when it has a key), the
/// character itself, and the key release. Whatever has the keyboard gets it, and shortcuts
/// see the keys: stray typing is tested this way.
pub fn type_like_a_person(h: &mut Harness<'static, CallqaApp>, text: &str) {
    for ch in text.chars() {
        let space = (ch == ' ').then_some(egui::Key::Space);
        let key = egui::Key::from_name(&ch.to_ascii_uppercase().to_string()).or(space);
        let shift = ch.is_ascii_uppercase();
        let modifiers = if shift { egui::Modifiers::SHIFT } else { egui::Modifiers::NONE };
        if let Some(key) = key {
            h.event(egui::Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers });
        }
        h.event(egui::Event::Text(ch.to_string()));
        if let Some(key) = key {
            h.event(egui::Event::Key { key, physical_key: None, pressed: false, repeat: false, modifiers });
        }
        h.step();
    }
    h.run_steps(2);
}

/// Runs frames until `cond` holds (background jobs report between frames), or panics after `secs`.
pub fn run_until(
    h: &mut Harness<'static, CallqaApp>,
    what: &str,
    secs: u64,
    cond: impl Fn(&CallqaApp) -> bool,
) {
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

/// Every accessible text (label or value) that contains `needle`.
pub fn texts(h: &Harness<'static, CallqaApp>, needle: &str) -> Vec<String> {
    h.query_all_by(|n| {
        n.label().is_some_and(|l| l.contains(needle)) || n.value().is_some_and(|v| v.contains(needle))
    })
    .map(|n| {
        let n = n.accesskit_node();
        n.label().or_else(|| n.value()).unwrap_or_default().to_string()
    })
    .collect()
}

/// Asserts some accessible text contains `needle`.
#[track_caller]
pub fn assert_shows(h: &Harness<'static, CallqaApp>, needle: &str) {
    assert!(!texts(h, needle).is_empty(), "nothing on screen says {needle:?}");
}

/// Overtalk spans of a corpus call's ground truth: (start_s, who started it).
pub fn ground_truth_overtalk(call: &str) -> Vec<(f64, String)> {
    let text = std::fs::read_to_string(corpus(&format!("{call}.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["overtalk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["start_s"].as_f64().unwrap(), o["second_speaker"].as_str().unwrap().to_string()))
        .collect()
}

/// The text field a label names (`labelled_by`), e.g. a dialog's "Queue name".
pub fn field<'a>(h: &'a Harness<'static, CallqaApp>, label: &str) -> egui_kittest::Node<'a> {
    let want = label.to_string();
    let mut found = h.query_all_by(move |n| {
        n.role() == egui::accesskit::Role::TextInput && n.label().as_deref() == Some(want.as_str())
    });
    let node = found.next().unwrap_or_else(|| panic!("no text field labelled {label:?}"));
    assert!(found.next().is_none(), "two text fields labelled {label:?}");
    node
}

/// Presses one key (no text), e.g. Escape or Backspace.
pub fn press(h: &mut Harness<'static, CallqaApp>, key: egui::Key, modifiers: egui::Modifiers) {
    h.event(egui::Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers });
    h.event(egui::Event::Key { key, physical_key: None, pressed: false, repeat: false, modifiers });
    h.run_steps(2);
}
