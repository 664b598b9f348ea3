//! The transcript panel (issue 16), on the real window (egui_kittest) and a real SQLite file:
//! a stored transcript shows under the lanes, a clicked word seeks, the find box finds and
//! jumps, and a call without one shows no panel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::path::Path;

use callqa::model::Speaker;
use callqa::transcript::{Format, Label, Transcript, Word};
use egui_kittest::kittest::Queryable;
use ui_common::{corpus, harness, run_until, type_like_a_person};

/// The corpus call's utterances as words, times spread over each utterance by length.
fn truth_transcript(json: &Path) -> Transcript {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    let mut words = Vec::new();
    for u in v["utterances"].as_array().unwrap() {
        let (s, e) = (u["start_s"].as_f64().unwrap(), u["end_s"].as_f64().unwrap());
        let speaker = if u["speaker"] == "agent" { Speaker::Agent } else { Speaker::Customer };
        let text = u["text"].as_str().unwrap();
        let total = text.chars().count() as f64;
        let mut at = 0usize;
        for w in text.split(' ') {
            let n = w.chars().count();
            let (a, b) = (at as f64 / total, (at + n) as f64 / total);
            words.push(Word {
                text: w.to_string(),
                start_s: s + a * (e - s),
                end_s: s + b * (e - s),
                label: Label::Channel(speaker.channel() as u32),
                speaker: Some(speaker),
                confidence: None,
                interpolated: true,
            });
            at += n + 1;
        }
    }
    words.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    Transcript { format: Format::Callqa, words }
}

fn store_transcript(db: &Path, wav: &Path, t: &Transcript) {
    let mut store = callqa::store::Store::open(db).unwrap();
    let hash = callqa::audio::content_hash(wav).unwrap();
    store.save_transcript(&hash, t, "truth.json", "test").unwrap();
}

#[test]
fn the_panel_shows_the_words_a_click_seeks_and_find_jumps() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let wav = corpus("dev_a_courteous.wav");
    let t = truth_transcript(&corpus("dev_a_courteous.json"));
    store_transcript(&db, &wav, &t);
    let mut h = harness(&db, vec![wav.clone()], "Asha");
    run_until(&mut h, "the transcript and the analysis", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.transcript.is_some() && c.analysis.is_some())
    });
    h.run_steps(3);
    assert_eq!(h.state().call.as_ref().unwrap().transcript.as_ref().unwrap().transcript, t);
    // (Some labels are reported twice by the accessibility tree: count distinct texts.)
    assert!(h.query_all_by_label("Transcript").next().is_some());
    h.get_by_label("Kavita.");

    // The phrase rules' evidence beside the items: the apology and the callback with its time.
    let apology = ui_common::texts(&h, "mistake was ours");
    assert!(apology.iter().any(|t| t.starts_with("Agent: \"")), "{apology:?}");
    let distinct = |needle: &str| -> Vec<String> {
        let mut v = ui_common::texts(&h, needle);
        v.sort();
        v.dedup();
        v
    };
    let callback = distinct("(time: thursday 16:00)");
    assert_eq!(callback.len(), 1, "{callback:?}");
    assert!(callback[0].contains("call you on Thursday at four"), "{callback:?}");
    let blame = distinct("no blaming or arguing phrases found in the transcript");
    assert_eq!(blame.len(), 1, "{blame:?}");
    assert_eq!(h.get_all_by_label("Good").count(), 2, "agent and customer both say it");

    // A click on a word plays from it.
    let thank = t.words.iter().find(|w| w.text == "Thank").unwrap().start_s;
    h.get_all_by_label("Thank").next().unwrap().click();
    h.run_steps(3);
    let at = h.state().playhead_s();
    assert!((at - thank).abs() < 0.05, "playhead {at}, word at {thank}");

    // Find: two places say "sorry" (the apology, and "sorry again" at the end); Enter jumps
    // to the first after the playhead, ▶ to the next, and wraps.
    h.get_by_label("Find in transcript").click();
    h.run_steps(2);
    type_like_a_person(&mut h, "sorry");
    assert_eq!(h.state().transcript_find, "sorry");
    assert!(!h.state().prefs.skip_silence, "the s typed in the find box toggled nothing");
    assert!(h.state().review.as_ref().unwrap().answers.iter().all(|a| a.answer.is_none()));
    assert_eq!(h.state().transcript_matches.len(), 2);
    h.get_by_label("2 match(es)");
    let sorry: Vec<f64> = t
        .words
        .iter()
        .filter(|w| w.text.trim_matches(|c: char| !c.is_alphanumeric()) == "sorry")
        .map(|w| w.start_s)
        .collect();
    h.get_by_label("▶").click();
    h.run_steps(3);
    assert!((h.state().playhead_s() - sorry[0]).abs() < 0.05, "{} vs {sorry:?}", h.state().playhead_s());
    h.get_by_label("▶").click();
    h.run_steps(3);
    assert!((h.state().playhead_s() - sorry[1]).abs() < 0.05);
    h.get_by_label("2 of 2 match(es)");
    h.get_by_label("▶").click();
    h.run_steps(3);
    assert!((h.state().playhead_s() - sorry[0]).abs() < 0.05, "wraps to the first");
}

#[test]
fn a_call_without_a_transcript_has_no_panel() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_f_brief.wav")], "Asha");
    run_until(&mut h, "the call", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    h.run_steps(2);
    assert!(h.query_by_label("Transcript").is_none());
    assert!(h.query_by_label("Find in transcript").is_none());
    assert!(ui_common::texts(&h, "found in the transcript").is_empty(), "no words, no word evidence");
}

#[test]
fn the_said_filter_keeps_the_calls_that_have_the_words_and_opens_at_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let (a, c) = (corpus("dev_a_courteous.wav"), corpus("dev_c_dispute.wav"));
    let ta = truth_transcript(&corpus("dev_a_courteous.json"));
    store_transcript(&db, &a, &ta);
    store_transcript(&db, &c, &truth_transcript(&corpus("dev_c_dispute.json")));
    let f = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![c.clone(), a.clone(), f], "Asha");
    run_until(&mut h, "the calls to be recorded", 60, |app| {
        app.library.entries.iter().filter(|e| e.call_id.is_some()).count() == 3
    });
    h.get_by_label("Said filter").click();
    h.run_steps(2);
    type_like_a_person(&mut h, "mistake was ours");
    run_until(&mut h, "the search", 30, |app| app.library.said_calls.is_some());
    // The letters went to the field, none to a shortcut (s: skip silence, a: N.A., ...).
    assert_eq!(h.state().library.said, "mistake was ours");
    assert!(!h.state().prefs.skip_silence);
    assert!(h.state().review.as_ref().is_none_or(|r| r.answers.iter().all(|a| a.answer.is_none())));
    h.run_steps(2);
    let shown: Vec<String> = {
        let app = h.state_mut();
        let view = app.library.view().to_vec();
        view.iter().map(|&i| app.library.entries[i].name.clone()).collect()
    };
    assert_eq!(shown, vec!["dev_a_courteous.wav".to_string()]);
    h.get_by_label("1 call(s)");

    // Opening it finds the same words and starts there.
    h.get_by_label("dev_a_courteous.wav").click();
    run_until(&mut h, "the transcript", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.path == a && c.transcript.is_some())
            && app.transcript_match.is_some()
    });
    let mistake = ta.words.iter().find(|w| w.text == "mistake").unwrap().start_s;
    assert!((h.state().playhead_s() - mistake).abs() < 0.05, "{} vs {mistake}", h.state().playhead_s());

    // Words nobody said: no call.
    h.get_by_label("Said filter").click();
    h.run_steps(2);
    type_like_a_person(&mut h, " zebra");
    run_until(&mut h, "the search", 30, |app| app.library.said_calls.is_some());
    assert!(h.state_mut().library.view().is_empty());
}
