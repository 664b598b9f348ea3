//! Behaviour tests of the review window with egui_kittest, headless: open corpus calls, see
//! the lanes and overtalk markers, broken files listed with their errors, score a call and find
//! the review in a real SQLite file (through the store API). No audio device (as in CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use egui_kittest::kittest::{NodeT, Queryable};
use ui_common::{assert_shows, corpus, ground_truth_overtalk, harness, run_until};

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
    assert_shows(&h, "MP3");
    assert_shows(&h, "empty file");
    // A truncated file opens, with its warning shown.
    assert_shows(&h, "truncated");
    let app = h.state();
    let broken = app.library.entries.iter().filter(|e| e.error().is_some()).count();
    assert_eq!(broken, 2, "the MP3 and the empty file are broken; the truncated one opens");
}

#[test]
fn a_stereo_call_shows_both_lanes_and_its_overtalk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![corpus("dev_b_cutoff.wav")], "Asha");
    // The evidence sits beside the scorecard's items: wait for the analysis and for the
    // review (loaded from the database by the store thread) before reading the screen.
    run_until(&mut h, "analysis and review of dev_b_cutoff", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.error.is_some() || (c.analysis.is_some() && app.review.is_some()))
    });
    assert_eq!(h.state().call.as_ref().and_then(|c| c.error.clone()), None);
    h.get_by_label("Agent lane");
    h.get_by_label("Customer lane");
    assert!(h.query_by_label("Mixed lane").is_none());
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
    assert_shows(&h, &format!("{} interruptions by the agent", truth.len()));
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
    run_until(&mut h, "analysis and review of the mono file", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.error.is_some() || (c.analysis.is_some() && app.review.is_some()))
    });
    assert_eq!(h.state().call.as_ref().and_then(|c| c.error.clone()), None);
    h.get_by_label("Mixed lane");
    assert!(h.query_by_label("Agent lane").is_none());
    assert!(h.query_by_label("Customer lane").is_none());
    // Mono: the analysis says per-speaker overtalk needs two channels.
    assert_shows(&h, "two-channel");
}

#[test]
fn devanagari_file_names_render() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    // Without the embedded font, kittest panics on a missing glyph.
    let mut h = harness(&db, vec![corpus("ग्राहक_कॉल_17.wav")], "आशा");
    run_until(&mut h, "probe", 30, |app| app.jobs.probes_pending == 0);
    assert_shows(&h, "ग्राहक_कॉल_17.wav");
}

#[test]
fn scoring_a_call_saves_the_review_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_b_cutoff.wav");
    let mut h = harness(&db, vec![path.clone()], "Asha");
    run_until(&mut h, "the review to load", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });

    // "No" on the first item (let the customer finish), with a comment and the playhead stamped.
    h.get_all_by_label("No").next().unwrap().click();
    h.run_steps(2);
    h.get_all_by_label_contains("Overtalk marker").next().unwrap().click();
    h.run_steps(2);
    h.get_all_by_label_contains("Stamp").next().unwrap().click();
    h.run_steps(2);
    let comment = h.get_all_by_role(egui::Role::MultilineTextInput).next().unwrap();
    comment.click();
    h.run_steps(2);
    h.get_all_by_role(egui::Role::MultilineTextInput).next().unwrap().type_text("cut the customer off");
    h.run_steps(3);
    // The other three: yes, yes, N.A.
    for (i, label) in [(1, "Yes"), (2, "Yes"), (3, "N.A.")] {
        // The last item may be under the score footer: scroll to it, as a person would.
        h.get_all_by_label(label).nth(i).unwrap().scroll_to_me();
        h.run_steps(3);
        h.get_all_by_label(label).nth(i).unwrap().click();
        h.run_steps(2);
    }
    let answered = h.state().review.as_ref().unwrap().answers.iter().filter(|a| a.answer.is_some()).count();
    assert_eq!(answered, 4);
    assert_shows(&h, "Score: 66.7 %");
    h.get_by_label("Submit").click();
    h.run_steps(2);
    run_until(&mut h, "the submit to be saved", 30, |app| {
        app.library
            .entries
            .iter()
            .any(|e| matches!(e.status, callqa::jobs::store_worker::CallStatus::Submitted { .. }))
    });
    // The library row says so, with its score.
    assert_shows(&h, "submitted by Asha");
    drop(h); // closes the store thread

    // The review is in the database file, read back through the store API.
    let store = callqa::store::Store::open(&db).unwrap();
    let hash = callqa::audio::content_hash(&path).unwrap();
    let call = store.call_by_hash(&hash).unwrap().expect("the call is stored");
    let review = store.latest_review(call.id, "Asha").unwrap().expect("a review by Asha");
    assert_eq!(review.status, callqa::model::scorecard::ReviewStatus::Submitted);
    let first = &review.answers[0];
    assert_eq!(first.key, "let_customer_finish");
    assert_eq!(first.answer, Some(callqa::model::scorecard::Answer::No));
    assert_eq!(first.comment, "cut the customer off", "stamps are evidence, not comment text");
    let truth = ground_truth_overtalk("dev_b_cutoff");
    assert_eq!(first.evidence_s.len(), 1);
    assert!((first.evidence_s[0] - truth[0].0).abs() < 0.3, "evidence {:?}", first.evidence_s);
    let answers: Vec<_> = review.answers.iter().map(|a| a.answer).collect();
    use callqa::model::scorecard::Answer::*;
    assert_eq!(answers, [Some(No), Some(Yes), Some(Yes), Some(NotApplicable)]);
    assert!((review.score.percent.unwrap() - 200.0 / 3.0).abs() < 0.1, "{:?}", review.score);
}

#[test]
fn a_submitted_review_can_be_amended_and_the_change_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_f_brief.wav");
    let mut h = harness(&db, vec![path.clone()], "Ravi");
    run_until(&mut h, "the review to load", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    // Yes to all four, submit.
    for i in 0..4 {
        h.get_all_by_label("Yes").nth(i).unwrap().click();
        h.run_steps(2);
    }
    assert_shows(&h, "Score: 100.0 %");
    h.get_by_label("Submit").click();
    h.run_steps(2);
    run_until(&mut h, "the submit to be saved", 30, |app| app.review.as_ref().is_some_and(|r| r.submitted()));
    // Submitted: the answers are locked until Amend is pressed.
    h.get_all_by_label("No").nth(2).unwrap().click();
    h.run_steps(2);
    assert_eq!(
        h.state().review.as_ref().unwrap().answers[2].answer,
        Some(callqa::model::scorecard::Answer::Yes)
    );
    h.get_by_label("Amend").click();
    h.run_steps(2);
    h.get_all_by_label("No").nth(2).unwrap().click();
    h.run_steps(2);
    assert_shows(&h, "amending");
    h.get_by_label("Save amendment").click();
    h.run_steps(3);
    // The reason is asked, with the keyboard in its field.
    h.event(egui::Event::Text("second listen".into()));
    h.run_steps(2);
    h.get_by_label("Save amendment with this reason").click();
    h.run_steps(2);
    run_until(&mut h, "the amendment to be saved", 30, |app| {
        app.review.as_ref().is_some_and(|r| !r.dirty && !r.amending())
    });
    h.run_steps(4);
    assert_shows(&h, "Amendment saved");
    drop(h);

    let store = callqa::store::Store::open(&db).unwrap();
    let hash = callqa::audio::content_hash(&path).unwrap();
    let call = store.call_by_hash(&hash).unwrap().expect("the call is stored");
    let review = store.latest_review(call.id, "Ravi").unwrap().expect("a review by Ravi");
    use callqa::model::scorecard::Answer::*;
    assert_eq!(review.status, callqa::model::scorecard::ReviewStatus::Submitted, "still submitted");
    let answers: Vec<_> = review.answers.iter().map(|a| a.answer).collect();
    assert_eq!(answers, [Some(Yes), Some(Yes), Some(No), Some(Yes)]);
    let log = store.audit_log(Some(review.id)).unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.last(), Some(&"edit"), "{actions:?}");
    let last = log.last().unwrap();
    assert!(last.detail.contains("admitted_fault") && last.detail.contains("\"to\""), "{}", last.detail);
    assert!(last.detail.contains("second listen"), "the reason is kept: {}", last.detail);
    assert!(actions.contains(&"submit"), "{actions:?}");
}

#[test]
fn a_trainer_clips_a_moment_into_a_coaching_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_c_dispute.wav");
    let mut h = harness(&db, vec![path.clone()], "Priya");
    run_until(&mut h, "the call to load", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    h.get_by_label("Clip…").click();
    h.run_steps(3);
    // The form opens on the first 4 s (the playhead is at the start, on no event).
    let inputs: Vec<String> = h
        .get_all_by_role(egui::Role::TextInput)
        .map(|n| n.accesskit_node().value().unwrap_or_default().to_string())
        .collect();
    assert!(inputs.iter().any(|v| v == "0:00.0") && inputs.iter().any(|v| v == "0:04.0"), "{inputs:?}");
    // Typed: the set name (the last one-line field) and a Hindi note; kind: good.
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().click();
    h.run_steps(2);
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().type_text("Calm answers");
    h.run_steps(2);
    h.get_all_by_role(egui::Role::MultilineTextInput).last().unwrap().click();
    h.run_steps(2);
    h.get_all_by_role(egui::Role::MultilineTextInput).last().unwrap().type_text("शांत जवाब");
    h.run_steps(2);
    h.get_by_label("Good (to copy)").click();
    h.run_steps(2);
    h.get_by_label("Add clip").click();
    h.run_steps(2);
    run_until(&mut h, "the clip to be stored", 30, |app| app.clip_form.is_none());
    assert_shows(&h, "added to \"Calm answers\"");
    drop(h);

    let store = callqa::store::Store::open(&db).unwrap();
    let clips = store.clips(None).unwrap();
    assert_eq!(clips.len(), 1);
    let c = &clips[0];
    assert_eq!(
        (c.set.as_str(), c.kind, c.author.as_str()),
        ("Calm answers", callqa::store::ClipKind::Good, "Priya")
    );
    assert_eq!((c.start_s, c.end_s), (0.0, 4.0));
    assert_eq!(c.note, "शांत जवाब");
    assert_eq!(c.call.path, path);
}

#[test]
fn the_path_field_browses_a_folder_listed_on_a_worker_thread() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![], "Asha");
    h.run_steps(2);
    h.get_by_label("Path…").click();
    h.run_steps(3);
    let folder = corpus("dev_f_brief.wav").parent().unwrap().to_path_buf();
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().click();
    h.run_steps(2);
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().type_text(&format!("{}/", folder.display()));
    run_until(&mut h, "the folder listing", 30, |app| {
        app.path_listing.as_ref().is_some_and(|(_, l)| l.as_ref().is_ok_and(|l| !l.entries.is_empty()))
    });
    h.run_steps(2);
    // WAVs only (the corpus folder also holds .json and .tsv files), with a link each.
    let listing = h.state().path_listing.clone().unwrap().1.unwrap();
    assert!(listing.entries.iter().all(|(p, is_dir)| *is_dir || callqa::jobs::is_wav_path(p)));
    // The first entry is in view (the list scrolls): click it.
    let name = "Agent Meena - 2024-06-12 09.05.41 (library hours).wav";
    h.get_by_label(&format!("♪ {name}")).click();
    let path = folder.join(name);
    run_until(&mut h, "the listed call to open", 30, |app| app.call.as_ref().is_some_and(|c| c.path == path));
}

#[test]
fn the_coaching_sets_window_opens_a_clip_at_its_moment_and_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let path = corpus("dev_c_dispute.wav");
    {
        let mut store = callqa::store::Store::open(&db).unwrap();
        let info = callqa::audio::WavReader::open(&path).unwrap().info().clone();
        let hash = callqa::audio::content_hash(&path).unwrap();
        let meta = callqa::model::call::CallMeta::from_wav(&path, &info);
        let call_id = store.upsert_call(&hash, &path, &meta).unwrap();
        let draft = callqa::store::ClipDraft {
            set: "Interruptions".into(),
            call_id,
            start_s: 5.8,
            end_s: 7.4,
            kind: callqa::store::ClipKind::Bad,
            note: "talks over the customer".into(),
            author: "Priya".into(),
        };
        store.add_clip(&draft).unwrap();
    }
    let mut h = harness(&db, vec![], "Priya");
    h.run_steps(2);
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Coaching sets…").click();
    h.run_steps(2);
    run_until(&mut h, "the clips to load", 30, |app| matches!(app.clip_sets, Some(Some(_))));
    h.run_steps(2);
    assert_shows(&h, "talks over the customer");
    h.get_by_label("dev_c_dispute.wav 0:05.8 – 0:07.4").click();
    run_until(&mut h, "the call to open at the clip", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.path == path && c.highlight == Some((5.8, 7.4)))
            && app.pending_seek.is_none()
    });
    h.run_steps(3);
    assert!((h.state().playhead_s() - 5.8).abs() < 0.01, "playhead {}", h.state().playhead_s());
    h.get_by_label("Remove").click();
    run_until(
        &mut h,
        "the clip to be removed",
        30,
        |app| matches!(&app.clip_sets, Some(Some(list)) if list.is_empty()),
    );
    drop(h);
    assert!(callqa::store::Store::open(&db).unwrap().clips(None).unwrap().is_empty());
}

#[test]
fn a_folder_is_scanned_in_the_background_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let folder = corpus("");
    let wavs = std::fs::read_dir(&folder)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "wav"))
        .count();
    let mut h = harness(&db, vec![folder], "Asha");
    run_until(&mut h, "the scan and every probe", 60, |app| {
        app.library.scans_running == 0 && app.jobs.probes_pending == 0 && !app.library.entries.is_empty()
    });
    let (total, ok, broken) = h.state().library.counts();
    assert_eq!(total, wavs);
    // MP3, CSV text and the empty file cannot be opened; the header-only file has no audio
    // (nothing to hear or score, and no identity).
    assert_eq!(broken, 4, "MP3, CSV text, the empty file and the header-only one");
    assert_eq!(ok, wavs - 4);
    assert_shows(&h, &format!("{wavs} calls · {ok} readable · 4 broken"));
    // Every readable call got its row in the store, so its status is known.
    run_until(&mut h, "call rows from the store", 30, |app| {
        app.library.entries.iter().filter(|e| e.call_id.is_some()).count() == ok
    });
    // The status filter shows only the broken ones; the text filter narrows by name.
    h.state_mut().apply(callqa::app::Command::SetStatusFilter(callqa::app::StatusFilter::Broken));
    h.run_steps(2);
    assert_eq!(h.state_mut().library.view().len(), 4);
    h.state_mut().apply(callqa::app::Command::SetStatusFilter(callqa::app::StatusFilter::All));
    h.state_mut().apply(callqa::app::Command::SetFilter("Meena".into()));
    h.run_steps(2);
    assert_shows(&h, "2 copies");
    // The renamed file and the LIST/INFO copy (IART) both say Meena; they hold the same audio
    // as dev_f_brief.wav, so the three are one call: one row, its copies listed.
    let app = h.state_mut();
    let shown: Vec<usize> = app.library.view().to_vec();
    assert_eq!(shown.len(), 1);
    let row = &app.library.entries[shown[0]];
    let mut names: Vec<String> = std::iter::once(&row.path)
        .chain(&row.copies)
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Agent Meena - 2024-06-12 09.05.41 (library hours).wav",
            "dev_f_brief.wav",
            "dev_f_brief_listinfo.wav"
        ]
    );
}

#[test]
fn the_path_field_opens_a_call_without_a_file_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![], "Asha");
    h.run_steps(2);
    assert_shows(&h, "No calls yet");
    h.get_by_label("Path…").click();
    h.run_steps(5);
    assert_shows(&h, "Path of a WAV file or a folder");
    let path = corpus("dev_f_brief.wav");
    assert!(h.get_all_by_role(egui::Role::TextInput).count() >= 2, "the filter field and the path field");
    // The path field is the last text input drawn (the window comes after the panels).
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().click();
    h.run_steps(2);
    h.get_all_by_role(egui::Role::TextInput).last().unwrap().type_text(path.to_str().unwrap());
    // The folder listing arrives from its worker thread and changes the window's layout: wait
    // for it before clicking, as a person would.
    run_until(&mut h, "the folder listing", 30, |app| app.path_listing.is_some());
    h.run_steps(2);
    h.get_by_label("Open").click();
    run_until(&mut h, "the typed call to open", 30, |app| {
        app.call.as_ref().is_some_and(|c| c.path == path && c.analysis.is_some())
    });
    assert!(h.state().open_path.is_none(), "the window closes after opening");
    h.get_by_label("Agent lane");
}

/// A file dropped on the window (what the windowing layer hands egui).
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_file_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let mut h = harness(&db, vec![], "Asha");
    h.run_steps(2);
    let path = corpus("dev_e_hindi_refund.wav");
    h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(path.clone())));
    run_until(&mut h, "the dropped call to open", 30, |app| {
        app.call.as_ref().is_some_and(|c| c.path == path && c.analysis.is_some())
    });
    assert_eq!(h.state().library.entries.len(), 1);
    assert!(h.state().prefs.recent_files.contains(&path), "remembered as recent");
    // The Hindi scorecard text renders beside the English (the embedded font covers it).
    assert_shows(&h, "ग्राहक");
}
