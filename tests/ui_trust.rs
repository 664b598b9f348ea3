//! Scores you can trust in the window (issue 11): stray typing, amend without a reason, a
//! failed save, a restart and copies of one call must never change or lose a review. Each
//! test drives the real window (egui_kittest) on a real SQLite file and reads it back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::path::{Path, PathBuf};

use callqa::app::{Command, Prefs, SortKey};
use callqa::model::scorecard::Answer::{self, *};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ui_common::{assert_shows, corpus, harness, harness_with, run_until, type_like_a_person};

type H = Harness<'static, callqa::app::CallqaApp>;

fn answers(h: &H) -> Vec<Option<Answer>> {
    h.state().review.as_ref().unwrap().answers.iter().map(|a| a.answer).collect()
}

fn open_and_wait(h: &mut H) {
    run_until(h, "the review and the analysis", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
}

/// Clicks yes / no / N.A. on the four items, in order.
fn click_answers(h: &mut H, labels: [&str; 4]) {
    for (i, label) in labels.iter().enumerate() {
        // Each label occurs once per item: the i-th is item i's (scrolled into view first).
        h.get_all_by_label(label).nth(i).unwrap().scroll_to_me();
        h.run_steps(2);
        h.get_all_by_label(label).nth(i).unwrap().click();
        h.run_steps(2);
    }
}

fn submit(h: &mut H) {
    h.get_by_label("Submit").click();
    h.run_steps(2);
    run_until(h, "the submit to be confirmed", 30, |app| {
        app.review.as_ref().is_some_and(|r| r.submitted() && !r.dirty && !r.save_in_flight())
    });
}

fn stored_review(db: &Path, path: &Path, reviewer: &str) -> callqa::model::scorecard::Review {
    let store = callqa::store::Store::open(db).unwrap();
    let hash = callqa::audio::content_hash(path).unwrap();
    let call = store.call_by_hash(&hash).unwrap().expect("the call is stored");
    store.latest_review(call.id, reviewer).unwrap().expect("a review")
}

/// The call recorded in the database as a scan would (before the window opens).
fn store_call(db: &Path, path: &Path) -> (callqa::store::Store, i64) {
    let mut store = callqa::store::Store::open(db).unwrap();
    let info = callqa::audio::WavReader::open(path).unwrap().info().clone();
    let meta = callqa::model::call::CallMeta::from_wav(path, &info);
    let id = store.upsert_call(&callqa::audio::content_hash(path).unwrap(), path, &meta).unwrap();
    (store, id)
}

fn audit_actions(db: &Path) -> Vec<String> {
    let store = callqa::store::Store::open(db).unwrap();
    store.audit_log(None).unwrap().into_iter().map(|e| e.action).collect()
}

#[test]
fn typing_a_new_reviewer_name_after_change_answers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![path.clone()], "Asha");
    open_and_wait(&mut h);
    click_answers(&mut h, ["No", "Yes", "Yes", "N.A."]);
    submit(&mut h);
    let before = answers(&h);
    assert_shows(&h, "Score: 66.7 %");
    // Amend, then "change" next to the name, then type a name as a person does: the letters
    // go into the name field (it has the keyboard), never to the shortcuts ("a" = N.A.).
    h.get_by_label("Amend").click();
    h.run_steps(2);
    h.get_by_label("change").click();
    h.run_steps(3);
    type_like_a_person(&mut h, "Ravi Kumar");
    assert_eq!(answers(&h), before, "typing a name changed an answer");
    assert!(!h.state().review.as_ref().unwrap().dirty);
    assert_eq!(h.state().reviewer_draft, "Ravi Kumar", "the name field got the letters");
    assert!(!h.state().prefs.skip_silence, "'s' did not toggle skip-silence");
    // Esc cancels "change": the name is the old one, nothing was saved.
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(!h.state().editing_reviewer);
    assert_eq!(h.state().prefs.reviewer, "Asha");
    assert_eq!(answers(&h), before);
    assert_shows(&h, "Score: 66.7 %");
    // An empty name field cannot be saved, and while it is open no answer is recorded.
    h.state_mut().apply(Command::CancelAmend);
    h.get_by_label("change").click();
    h.run_steps(2);
    h.state_mut().apply(Command::SetAnswer { key: "no_arguing".into(), answer: Some(No), stamp: true });
    assert_eq!(answers(&h), before, "no answer while the name is being changed");
    drop(h);
    let stored = stored_review(&db, &path, "Asha");
    assert_eq!(stored.answers.iter().map(|a| a.answer).collect::<Vec<_>>(), before);
    assert!(!audit_actions(&db).iter().any(|a| a == "edit"), "nothing was amended");
}

#[test]
fn typing_a_path_in_the_path_field_answers_nothing_and_esc_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_f_brief.wav")], "Asha");
    open_and_wait(&mut h);
    click_answers(&mut h, ["Yes", "Yes", "Yes", "Yes"]);
    let before = h.state().review.as_ref().unwrap().answers.clone();
    h.get_by_label("Path…").click();
    h.run_steps(3);
    // Typed at once, without clicking the field first: it has the keyboard already.
    type_like_a_person(&mut h, "/tmp/calls/alls");
    assert_eq!(h.state().open_path.as_deref(), Some("/tmp/calls/alls"));
    assert_eq!(h.state().review.as_ref().unwrap().answers, before, "answers or comments changed");
    assert!(!h.state().prefs.skip_silence, "'s' toggled skip-silence");
    assert!(h.state().focus_comment.is_none(), "'c' opened a comment box");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(h.state().open_path.is_none(), "Esc closes the path field");
}

#[test]
fn stray_letters_on_a_submitted_review_change_nothing_and_ctrl_z_undoes_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![path.clone()], "Asha");
    open_and_wait(&mut h);
    click_answers(&mut h, ["Yes", "No", "Yes", "Yes"]);
    // Ctrl+Z takes back the last answer of the draft; the answer is put back by hand.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(answers(&h), [Some(Yes), Some(No), Some(Yes), None]);
    h.get_all_by_label("Yes").nth(3).unwrap().click();
    h.run_steps(2);
    submit(&mut h);
    let before = answers(&h);
    type_like_a_person(&mut h, "1a2n3y4a yes no na");
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(answers(&h), before);
    assert!(!h.state().review.as_ref().unwrap().dirty);
    drop(h);
    let stored = stored_review(&db, &path, "Asha");
    assert_eq!(stored.answers.iter().map(|a| a.answer).collect::<Vec<_>>(), before);
}

#[test]
fn amend_then_cancel_restores_and_an_amendment_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![path.clone()], "Ravi");
    open_and_wait(&mut h);
    click_answers(&mut h, ["Yes", "Yes", "Yes", "Yes"]);
    submit(&mut h);
    h.get_by_label("Amend").click();
    h.run_steps(2);
    h.get_all_by_label("No").nth(2).unwrap().click();
    h.run_steps(2);
    assert_eq!(answers(&h)[2], Some(No));
    // Amend mode never autosaves: well past the autosave delay nothing is written.
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(2600);
    while std::time::Instant::now() < deadline {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(h.state().review.as_ref().unwrap().dirty && !h.state().review.as_ref().unwrap().save_in_flight());
    h.get_by_label("Cancel amendment").click();
    h.run_steps(2);
    assert_eq!(answers(&h), [Some(Yes); 4], "Cancel puts the submitted answers back");
    assert!(h.state().review.as_ref().unwrap().locked());
    assert!(!audit_actions(&db).iter().any(|a| a == "edit"));

    // Again, and this time saved: the reason is asked and kept in the audit row.
    // (The "cancelled" message has just moved the layout: let it settle, as a person would.)
    h.run_steps(2);
    h.get_by_label("Amend").click();
    h.run_steps(2);
    h.get_all_by_label("No").nth(2).unwrap().click();
    h.run_steps(2);
    assert!(h.state().review.as_ref().unwrap().amending(), "{:?}", h.state().message);
    h.get_by_label("Save amendment").click();
    h.run_steps(3);
    assert!(h.state().amend_reason.is_some(), "the reason is asked");
    type_like_a_person(&mut h, "calibration: fault was admitted late");
    h.get_by_label("Save amendment with this reason").click();
    h.run_steps(2);
    run_until(&mut h, "the amendment to be confirmed", 30, |app| {
        app.review.as_ref().is_some_and(|r| !r.dirty && !r.amending())
    });
    drop(h);
    let stored = stored_review(&db, &path, "Ravi");
    assert_eq!(stored.answers[2].answer, Some(No));
    let store = callqa::store::Store::open(&db).unwrap();
    let last = store.audit_log(Some(stored.id)).unwrap().pop().unwrap();
    assert_eq!(last.action, "edit");
    assert!(last.detail.contains("calibration: fault was admitted late"), "{}", last.detail);
}

#[test]
fn a_save_that_fails_stays_unsaved_and_is_saved_once_the_database_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![path.clone()], "Asha");
    open_and_wait(&mut h);
    // Another program holds the database's write lock (past the store's 5 s busy timeout).
    let blocker = rusqlite::Connection::open(&db).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    h.get_all_by_label("No").next().unwrap().click();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    run_until(&mut h, "the save to fail", 60, |app| {
        app.review.as_ref().is_some_and(|r| r.save_error.is_some() && !r.save_in_flight())
    });
    let r = h.state().review.as_ref().unwrap();
    assert!(r.dirty, "a failed save leaves the review unsaved");
    assert_eq!(r.answers[0].answer, Some(No), "the change is kept");
    assert_shows(&h, "NOT SAVED");
    assert_shows(&h, "Could not save your review of dev_f_brief.wav");
    // The lock goes away; the retry saves it without anyone pressing anything.
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(blocker);
    run_until(&mut h, "the retry to be confirmed", 60, |app| {
        app.review.as_ref().is_some_and(|r| !r.dirty && r.save_error.is_none())
    });
    drop(h);
    assert_eq!(stored_review(&db, &path, "Asha").answers[0].answer, Some(No));
}

#[test]
fn a_restart_lists_the_calls_the_database_holds_with_the_sort_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let (a, b) = (corpus("dev_f_brief.wav"), corpus("dev_b_cutoff.wav"));
    let mut h = harness(&db, vec![a.clone(), b.clone()], "Asha");
    open_and_wait(&mut h);
    click_answers(&mut h, ["Yes", "Yes", "Yes", "Yes"]);
    h.get_by_label("Submit").click();
    // After a submit the next unreviewed call opens: the second one gets its row.
    run_until(&mut h, "the submit to be confirmed", 30, |app| {
        app.library
            .get(&a)
            .is_some_and(|e| matches!(e.status, callqa::jobs::store_worker::CallStatus::Submitted { .. }))
    });
    h.state_mut().apply(Command::SortBy(SortKey::Duration));
    h.state_mut().apply(Command::SelectCall(b.clone()));
    run_until(&mut h, "the second call to be recorded", 60, |app| {
        app.library.entries.iter().filter(|e| e.call_id.is_some()).count() == 2
    });
    // What eframe would persist between runs.
    let prefs: Prefs = h.state().prefs.clone();
    drop(h);

    let mut h = harness_with(&db, vec![], prefs, (1600.0, 1000.0));
    run_until(&mut h, "the calls from the database", 30, |app| app.library.entries.len() == 2);
    h.run_steps(2);
    assert_shows(&h, "dev_f_brief.wav");
    assert_shows(&h, "dev_b_cutoff.wav");
    assert_shows(&h, "submitted by Asha");
    assert_eq!(h.state().library.sort, SortKey::Duration, "the sort is remembered");
    // The listed call opens from its stored path.
    h.get_by_label("dev_f_brief.wav").click();
    open_and_wait(&mut h);
    assert!(h.state().review.as_ref().unwrap().submitted());
}

#[test]
fn copies_of_one_call_are_one_row_and_scans_write_no_moves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(calls.join("copies")).unwrap();
    let (one, two) = (calls.join("brief.wav"), calls.join("copies/brief copy.wav"));
    std::fs::copy(corpus("dev_f_brief.wav"), &one).unwrap();
    std::fs::copy(corpus("dev_f_brief.wav"), &two).unwrap();
    std::fs::copy(corpus("dev_b_cutoff.wav"), calls.join("other.wav")).unwrap();
    for _ in 0..2 {
        let mut h = harness(&db, vec![calls.clone()], "Asha");
        run_until(&mut h, "the scan and the call rows", 60, |app| {
            app.library.scans_running == 0
                && app.jobs.probes_pending == 0
                && app.library.entries.iter().filter(|e| e.call_id.is_some()).count() == 3
        });
        let lib = &h.state().library;
        assert_eq!(lib.rows(), 2, "two calls, one of them at two paths");
        let row = lib.entries.iter().find(|e| e.merged_into.is_none() && !e.copies.is_empty()).unwrap();
        assert_eq!(row.copies.len(), 1);
        drop(h);
    }
    let actions = audit_actions(&db);
    assert!(!actions.iter().any(|a| a == "move_call"), "copies are not moves: {actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "add_call").count(), 2);
}

/// A WAV header with an empty `data` chunk.
fn header_only(path: &PathBuf, format_tag: u16, channels: u16, rate: u32, bits: u16) {
    let block = channels * bits / 8;
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&36u32.to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&format_tag.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&0u32.to_le_bytes());
    std::fs::write(path, b).unwrap();
}

#[test]
fn header_only_files_are_separate_rows_and_cannot_be_scored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let (pcm, mulaw) = (dir.path().join("pcm.wav"), dir.path().join("mulaw.wav"));
    header_only(&pcm, 1, 2, 8000, 16);
    header_only(&mulaw, 7, 1, 8000, 8);
    let mut h = harness(&db, vec![pcm.clone(), mulaw.clone()], "Asha");
    run_until(&mut h, "both probed and the first opened", 30, |app| {
        app.jobs.probes_pending == 0 && app.call.as_ref().is_some_and(|c| c.error.is_some())
    });
    let lib = &h.state().library;
    assert_eq!(lib.rows(), 2, "no shared identity");
    for e in &lib.entries {
        assert!(e.error().is_some_and(|m| m.contains("no audio")), "{:?}", e.probe);
        assert_eq!(e.call_id, None);
    }
    assert_shows(&h, "cannot be scored");
    // Nothing can be answered or clipped.
    h.state_mut().apply(Command::SetAnswer { key: "no_arguing".into(), answer: Some(Yes), stamp: false });
    h.state_mut().apply(Command::ShowClipForm(true));
    h.run_steps(2);
    assert!(h.state().review.is_none() && h.state().clip_form.is_none());
    // "Next unreviewed" never lands on them.
    h.state_mut().apply(Command::NextUnreviewed);
    h.run_steps(2);
    assert_shows(&h, "Every call in the list has a submitted review.");
    drop(h);
    assert!(callqa::store::Store::open(&db).unwrap().calls().unwrap().is_empty());
}

#[test]
fn clip_offers_the_event_under_the_playhead_and_saved_clips_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_c_dispute.wav")], "Priya");
    open_and_wait(&mut h);
    let (start, end) = {
        let a = h.state().call.as_ref().unwrap().analysis.clone().unwrap();
        (a.overtalk[0].start_s, a.overtalk[0].end_s)
    };
    // Click the first overtalk marker: the playhead goes to it.
    h.get_all_by_label_contains("Overtalk marker").next().unwrap().click();
    h.run_steps(3);
    h.get_by_label("Clip…").click();
    h.run_steps(3);
    let form = h.state().clip_form.clone().expect("the form is open");
    let from = callqa::model::parse_time(&form.from).unwrap();
    let to = callqa::model::parse_time(&form.to).unwrap();
    assert!(from <= start && to >= end, "clip {from}–{to} covers the event {start}–{end}");
    assert!(start - from <= 0.6 && to - end <= 0.6, "with half a second around it: {from}–{to}");
    // Typed at once (the form takes every key): a set name, then added.
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().click();
    h.run_steps(2);
    type_like_a_person(&mut h, "Interruptions");
    h.get_by_label("Add clip").click();
    run_until(&mut h, "the clip to be stored", 30, |app| app.clip_form.is_none());
    h.run_steps(3);
    // Drawn on the waveform, as a band a person can click.
    assert_eq!(h.state().call.as_ref().unwrap().clips.len(), 1);
    h.get_all_by_label_contains("(bad, Interruptions)").next().expect("the clip is drawn");
}

#[test]
fn a_file_that_cannot_be_opened_says_so_once_and_offers_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("bad_mp3_renamed.wav")], "Asha");
    run_until(&mut h, "the error", 30, |app| app.call.as_ref().is_some_and(|c| c.error.is_some()));
    h.run_steps(3);
    assert_shows(&h, "Cannot open this call");
    assert!(ui_common::texts(&h, "analysing").is_empty(), "no endless 'analysing 0 %'");
    assert!(h.query_by_label("Fit whole call").is_none(), "no zoom on a file with no audio");
    assert!(!h.state().busy(), "nothing keeps running");
}

#[test]
fn closing_with_unsaved_changes_asks_and_save_and_close_saves_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![path.clone()], "Asha");
    open_and_wait(&mut h);
    h.get_all_by_label("No").next().unwrap().click();
    h.run_steps(2);
    // What eframe does when the window's close button is pressed.
    h.state_mut().apply(Command::CloseRequested);
    h.run_steps(2);
    assert_shows(&h, "have changes the database has not confirmed yet");
    h.get_by_label("Save and close").click();
    run_until(&mut h, "the save, then the close", 30, |app| app.close_now);
    assert!(!h.state().review.as_ref().unwrap().dirty, "closed only after the save was confirmed");
    drop(h);
    assert_eq!(stored_review(&db, &path, "Asha").answers[0].answer, Some(No));
}

#[test]
fn small_windows_keep_the_waveform_and_a_tidy_transport() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    for (w, h_px) in [(1024.0, 700.0), (1280.0, 720.0)] {
        let prefs = Prefs { reviewer: "Asha".into(), ..Prefs::default() };
        let mut h = harness_with(&db, vec![corpus("dev_c_dispute.wav")], prefs, (w, h_px));
        open_and_wait(&mut h);
        h.run_steps(3);
        let rect = |h: &H, label: &str| h.get_by_label(label).accesskit_node().bounding_box().unwrap();
        let lane = rect(&h, "Agent lane");
        assert!(lane.width() >= 0.38 * w as f64, "{w}x{h_px}: the waveform is {} px wide", lane.width());
        // The transport: play and the last control on one row at 1280 (at most two at 1024),
        // the position in one piece.
        let (play, rewind) = (rect(&h, "▶ Play"), rect(&h, "Auto-rewind"));
        let rows = ((rewind.y0 - play.y0) / play.height()).round() as i64 + 1;
        assert!(rows <= if w >= 1280.0 { 1 } else { 2 }, "{w}x{h_px}: transport on {rows} rows");
        assert_shows(&h, " / 0:");
        // Mute and solo for each side of a stereo call.
        h.get_by_label("Mute Agent");
    }
    // A mono call has no sides to mute.
    let mut h = harness(&db, vec![corpus("dev_b_cutoff_mulaw_mono.wav")], "Asha");
    open_and_wait(&mut h);
    assert!(h.query_by_label("Mute Agent").is_none() && h.query_by_label("Solo Customer").is_none());
}

#[test]
fn every_reviewers_result_is_listed_and_others_reviews_are_shown_read_only() {
    use callqa::model::scorecard::ItemAnswer;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    {
        let (mut store, call_id) = store_call(&db, &path);
        let card = store.default_scorecard().unwrap();
        let answers = |a| card.card.items().map(|i| ItemAnswer::new(&i.key, Some(a))).collect::<Vec<_>>();
        let draft = |who: &str, a| callqa::store::ReviewDraft {
            id: None,
            call_id,
            card_id: card.id,
            reviewer: who.into(),
            answers: answers(a),
        };
        store.save_review(&draft("Meena", Yes), true).unwrap();
        let mut ravi = draft("Ravi", No);
        ravi.answers[0].comment = "talked over the customer".into();
        store.save_review(&ravi, false).unwrap();
    }
    let mut h = harness(&db, vec![], "Asha");
    run_until(&mut h, "the library from the database", 30, |app| !app.library.entries.is_empty());
    h.run_steps(2);
    assert_shows(&h, "2 reviews: Meena 100 %, Ravi draft");
    h.get_by_label("dev_f_brief.wav").click();
    open_and_wait(&mut h);
    h.get_by_label("Other reviews of this call (2)").click();
    h.run_steps(3);
    assert_shows(&h, "talked over the customer");
    // Asha's own review is empty and hers to fill; theirs are not changed by it.
    assert_eq!(answers(&h), [None; 4]);
}

#[test]
fn a_relative_path_and_the_databases_absolute_one_are_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    {
        store_call(&db, &path);
    }
    // Tests run in the crate's folder: this is the same file, spelt as a command line would.
    let relative = PathBuf::from("tests/fixtures/corpus/dev_f_brief.wav");
    assert!(relative.is_file());
    let mut h = harness(&db, vec![relative], "Asha");
    open_and_wait(&mut h);
    run_until(&mut h, "the library from the database", 30, |app| {
        app.library.entries.iter().all(|e| e.call_id.is_some())
    });
    assert_eq!(h.state().library.entries.len(), 1, "one spelling per file");
    assert_eq!(h.state().call.as_ref().unwrap().path, path);
}

#[test]
fn on_the_first_run_the_name_field_has_the_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_c_dispute.wav")], "");
    run_until(&mut h, "the call", 60, |app| app.call.as_ref().is_some_and(|c| c.analysis.is_some()));
    // Typed straight away, without clicking anywhere: "s" must not toggle skip-silence, "j"
    // must not jump.
    type_like_a_person(&mut h, "Asha js");
    assert_eq!(h.state().reviewer_draft, "Asha js");
    assert!(!h.state().prefs.skip_silence);
    assert_eq!(h.state().playhead_s(), 0.0);
    h.key_press(Key::Backspace);
    h.key_press(Key::Backspace);
    h.key_press(Key::Backspace);
    h.key_press(Key::Enter);
    run_until(&mut h, "the name and the review", 30, |app| {
        app.reviewer() == Some("Asha") && app.review.is_some()
    });
    // Now the keys are shortcuts again.
    h.key_press(Key::J);
    h.run_steps(2);
    assert!(h.state().playhead_s() > 0.0, "J jumps once a name is set");
}
