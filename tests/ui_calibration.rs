//! A blind calibration session in the window (issue 14), on the real window (egui_kittest)
//! and a real SQLite file: the others' answers are hidden until the reviewer submits, the
//! review is saved in the session (not as an ordinary review), and the session's figures
//! show once every call of it is submitted, with the evidence each reviewer stamped beside
//! the items they disagree on (a click opens the call there). A lead makes a session in the
//! window (New session…).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::path::Path;

use callqa::app::Command;
use callqa::model::scorecard::{Answer, ItemAnswer, ReviewStatus};
use callqa::store::{ReviewDraft, SessionDraft, Store};
use egui_kittest::kittest::Queryable;
use ui_common::{assert_shows, corpus, harness, run_until, texts};

fn answers(a: Answer) -> Vec<ItemAnswer> {
    ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"]
        .iter()
        .map(|k| ItemAnswer::new(k, Some(a)))
        .collect()
}

/// Session "June" on dev_b and dev_c for Asha and Ben; Ben has scored dev_b in it (all yes)
/// and, outside it, an ordinary review (all no).
fn setup(db: &Path) -> (i64, i64) {
    let mut store = Store::open(db).unwrap();
    let mut ids = Vec::new();
    for name in ["dev_b_cutoff.wav", "dev_c_dispute.wav"] {
        let p = corpus(name);
        let info = callqa::audio::WavReader::open(&p).unwrap().info().clone();
        let meta = callqa::model::call::CallMeta::from_wav(&p, &info);
        ids.push(store.upsert_call(&callqa::audio::content_hash(&p).unwrap(), &p, &meta).unwrap());
    }
    let session = store
        .create_session(&SessionDraft {
            name: "June".into(),
            call_ids: ids.clone(),
            reviewers: vec!["Asha".into(), "Ben".into()],
            created_by: "Priya".into(),
        })
        .unwrap();
    let card = store.default_scorecard().unwrap().id;
    let draft = |a| ReviewDraft {
        id: None,
        call_id: ids[0],
        card_id: card,
        reviewer: "Ben".into(),
        answers: answers(a),
    };
    // Ben stamped 0:03.2 as evidence for his "yes" on admitted_fault.
    let mut yes = draft(Answer::Yes);
    yes.answers[2].evidence_s = vec![3.2];
    store.save_session_review(session, &yes, true).unwrap();
    store.save_review(&draft(Answer::No), true).unwrap();
    (session, ids[0])
}

#[test]
fn others_are_hidden_until_submit_and_the_review_stays_in_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let (session, call_id) = setup(&db);
    let b = corpus("dev_b_cutoff.wav");
    let mut h = harness(&db, vec![b.clone()], "Asha");
    run_until(&mut h, "the call", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.call_id.is_some())
    });
    h.run_steps(2);
    // Outside the session Ben's ordinary review is visible.
    assert_eq!(h.state().call.as_ref().unwrap().others.len(), 1);
    assert_shows(&h, "Other reviews of this call (1)");

    // Review → Calibration…, then Score blind on dev_b.
    h.state_mut().push(Command::ShowCalibration);
    run_until(&mut h, "the sessions", 30, |app| app.sessions.as_ref().is_some_and(Option::is_some));
    h.run_steps(2);
    assert_shows(&h, "The session's figures show once you have submitted every call (blind).");
    h.get_all_by_label("Score blind").next().unwrap().click();
    // (Until the analysis is in, its evidence lines can still move the buttons under a click.)
    run_until(&mut h, "the call in the session, analysed", 60, |app| {
        app.session.is_some()
            && app.review.as_ref().is_some_and(|r| r.session == Some(session))
            && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    h.run_steps(3);
    assert!(h.state().call.as_ref().unwrap().others.is_empty(), "blind: nothing shown");
    assert_eq!(h.state().call.as_ref().unwrap().hidden_others, 1);
    assert_shows(&h, "Blind: 1 other review(s) hidden until you submit yours.");
    assert!(texts(&h, "Other reviews of this call").is_empty());

    // Asha answers everything "no" (keys 1–4 select an item, N answers it: clicks could
    // land while the analysis' evidence moves the buttons) and submits.
    use egui::{Key, Modifiers};
    for key in [Key::Num1, Key::Num2, Key::Num3, Key::Num4] {
        ui_common::press(&mut h, key, Modifiers::NONE);
        ui_common::press(&mut h, Key::N, Modifiers::NONE);
    }
    assert!(h.state().review.as_ref().unwrap().answers.iter().all(|a| a.answer == Some(Answer::No)));
    // (With the analysis' evidence beside the items, Submit can be below the panel's fold.)
    h.get_by_label("Submit").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Submit").click();
    run_until(&mut h, "the others to show", 60, |app| {
        app.call.as_ref().is_some_and(|c| !c.others.is_empty())
            && app.review.as_ref().is_some_and(|r| r.submitted() && r.session == Some(session))
    });
    h.run_steps(2);
    // Now Ben's *session* review (all yes: 100 %) is shown, not his ordinary one.
    let others = &h.state().call.as_ref().unwrap().others;
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].0.score.percent, Some(100.0));

    // Stored in the session, not as an ordinary review.
    let store = Store::open(&db).unwrap();
    assert!(store.latest_review(call_id, "Asha").unwrap().is_none());
    let r = store.latest_session_review(session, call_id, "Asha").unwrap().unwrap();
    assert_eq!(r.status, ReviewStatus::Submitted);
    assert_eq!(r.score.percent, Some(0.0));
    drop(store);
    // Final: no Amend in a session, and the command is refused.
    assert!(h.query_by_label("Amend").is_none());
    assert_shows(&h, "Final: a calibration review is not changed");
    h.state_mut().push(Command::Amend);
    h.run_steps(2);
    assert!(!h.state().review.as_ref().unwrap().amending());

    // Leaving the session shows Ben's ordinary review again.
    h.get_by_label("Leave session").click();
    run_until(&mut h, "the ordinary review", 60, |app| {
        app.session.is_none() && app.review.as_ref().is_some_and(|r| r.session.is_none())
    });
    h.run_steps(2);
    let others = &h.state().call.as_ref().unwrap().others;
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].0.score.percent, Some(0.0), "Ben's ordinary review: all no");
}

#[test]
fn a_lead_sees_the_figures_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let (session, call_id) = setup(&db);
    // Asha submits dev_b in the session too: one call with two reviews.
    let mut store = Store::open(&db).unwrap();
    let card = store.default_scorecard().unwrap().id;
    let d = ReviewDraft {
        id: None,
        call_id,
        card_id: card,
        reviewer: "Asha".into(),
        answers: answers(Answer::No),
    };
    store.save_session_review(session, &d, true).unwrap();
    drop(store);
    let mut h = harness(&db, vec![corpus("dev_f_brief.wav")], "Priya");
    run_until(&mut h, "the call", 60, |app| app.review.is_some());
    h.state_mut().push(Command::ShowCalibration);
    run_until(&mut h, "the sessions", 30, |app| app.sessions.as_ref().is_some_and(Option::is_some));
    h.run_steps(2);
    assert!(h.query_by_label("Score blind").is_none(), "Priya scores nothing in it");
    h.get_by_label("Figures of “June”").click();
    h.run_steps(3);
    assert_shows(&h, "0 of 1");
    assert_shows(&h, "Asha no, Ben yes");
}

/// The checkbox with this text (the call list and the sessions window show the same names
/// as plain labels).
fn checkbox<'a>(
    h: &'a egui_kittest::Harness<'static, callqa::app::CallqaApp>,
    label: &str,
) -> egui_kittest::Node<'a> {
    let want = label.to_string();
    let mut found = h.query_all_by(move |n| {
        n.role() == egui::accesskit::Role::CheckBox && n.label().as_deref() == Some(want.as_str())
    });
    let node = found.next().unwrap_or_else(|| panic!("no checkbox {label:?}"));
    assert!(found.next().is_none(), "two checkboxes {label:?}");
    node
}

#[test]
fn a_lead_creates_a_session_in_the_window_and_a_taken_name_is_refused() {
    use egui::{Key, Modifiers};
    use ui_common::{field, press, type_like_a_person};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    setup(&db);
    let (b, c, f) = (corpus("dev_b_cutoff.wav"), corpus("dev_c_dispute.wav"), corpus("dev_f_brief.wav"));
    let mut h = harness(&db, vec![b.clone(), c.clone(), f.clone()], "Priya");
    run_until(&mut h, "the calls and the open call's review", 60, |app| {
        app.library.entries.iter().filter(|e| e.call_id.is_some()).count() == 3 && app.review.is_some()
    });
    h.run_steps(2);
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Calibration…").click();
    run_until(&mut h, "the sessions", 30, |app| app.sessions.as_ref().is_some_and(Option::is_some));
    h.get_by_label("New session…").click();
    run_until(&mut h, "the reviewer names", 30, |app| {
        app.session_form.as_ref().is_some_and(|f| f.reviewers_loaded)
    });
    h.run_steps(2);
    assert!(h.state().modal_open(), "the form owns the keyboard");
    {
        let form = h.state().session_form.clone().unwrap();
        let names: Vec<&str> = form.calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 3, "the calls the call list shows: {names:?}");
        let ticked: Vec<&str> = form.calls.iter().filter(|c| c.picked).map(|c| c.name.as_str()).collect();
        assert_eq!(ticked, vec!["dev_b_cutoff.wav"], "the open call is ticked");
        assert_eq!(form.reviewers, vec![("Asha".to_string(), false), ("Ben".to_string(), false)]);
    }

    // The name field has the keyboard: "June" (J: jump, N: no), which is taken.
    type_like_a_person(&mut h, "June");
    assert_eq!(h.state().session_form.as_ref().unwrap().name, "June");
    // Fewer than two reviewers: said in the form, nothing sent.
    h.get_by_label("Create session").click();
    h.run_steps(3);
    assert_shows(&h, "Tick at least two reviewers");
    checkbox(&h, "dev_c_dispute.wav").click();
    checkbox(&h, "Asha").click();
    h.run_steps(2);
    // Stray keys while no field has the keyboard (s: skip silence, y: yes, j: jump) do nothing.
    type_like_a_person(&mut h, "syj");
    assert!(!h.state().prefs.skip_silence, "the form takes every key but Esc");
    // A reviewer the database does not know yet, typed (y: yes, a: N.A.) and added with Enter.
    field(&h, "Add a reviewer").click();
    h.run_steps(2);
    type_like_a_person(&mut h, "Ravi Nayak");
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    {
        let form = h.state().session_form.clone().unwrap();
        assert_eq!(form.picked_reviewers(), vec!["Asha".to_string(), "Ravi Nayak".to_string()]);
        assert!(form.new_reviewer.is_empty());
    }
    h.get_by_label("Create session").click();
    run_until(&mut h, "the store's refusal", 30, |app| {
        app.session_form.as_ref().is_some_and(|f| !f.waiting && f.problem.is_some())
    });
    h.run_steps(2);
    assert_shows(&h, "a calibration session named \"June\" exists already");
    assert_eq!(Store::open(&db).unwrap().sessions(None).unwrap().len(), 1, "nothing stored");

    // Another name: the field again, four Backspaces, "July sync" (s: skip silence, y: yes, c: comment).
    field(&h, "Session name").click();
    h.run_steps(2);
    for _ in 0..4 {
        press(&mut h, Key::Backspace, Modifiers::NONE);
    }
    type_like_a_person(&mut h, "July sync");
    h.get_by_label("Create session").click();
    run_until(&mut h, "the session to be created", 30, |app| app.session_form.is_none());
    assert_shows(&h, "Calibration session “July sync” created: 2 call(s), reviewers Asha, Ravi Nayak.");
    run_until(
        &mut h,
        "the new session in the list",
        30,
        |app| matches!(&app.sessions, Some(Some(list)) if list.iter().any(|s| s.name == "July sync")),
    );

    // No letter reached a shortcut: no answer, no skip silence, no jump, no shortcut list.
    {
        let app = h.state();
        assert!(!app.prefs.skip_silence, "the s typed in the form toggled nothing");
        assert!(app.review.as_ref().unwrap().answers.iter().all(|a| a.answer.is_none()));
        assert!(app.playhead_s() < 0.01, "no jump: playhead {}", app.playhead_s());
        assert!(!app.show_shortcuts);
        assert_eq!(app.call.as_ref().unwrap().path, b);
    }

    // Esc closes the form first, then the sessions window.
    h.get_by_label("New session…").click();
    h.run_steps(3);
    assert!(h.state().session_form.is_some());
    press(&mut h, Key::Escape, Modifiers::NONE);
    assert!(h.state().session_form.is_none(), "Esc cancels the form");
    assert!(h.state().sessions.is_some(), "one layer per press");
    press(&mut h, Key::Escape, Modifiers::NONE);
    assert!(h.state().sessions.is_none());
    drop(h);

    // In the database file: the calls in list order, the reviewers, Priya as the lead.
    let store = Store::open(&db).unwrap();
    let s = store.session_by_name("July sync").unwrap().expect("the session is stored");
    let calls: Vec<std::path::PathBuf> = s.calls.iter().map(|c| c.path.clone()).collect();
    assert_eq!(calls, vec![b, c]);
    assert_eq!(s.reviewers, vec!["Asha".to_string(), "Ravi Nayak".to_string()]);
    assert_eq!(s.created_by, "Priya");
    let audit = store.audit_log(None).unwrap();
    assert!(audit.iter().any(|a| a.action == "create_session" && a.actor == "Priya"), "one audit row");
}

#[test]
fn the_lead_sees_the_stamps_beside_a_disagreement_and_a_click_opens_the_call_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let (session, call_id) = setup(&db);
    // Asha submits dev_b in the session: "no" everywhere, two stamps on admitted_fault.
    let mut store = Store::open(&db).unwrap();
    let card = store.default_scorecard().unwrap().id;
    let mut no = answers(Answer::No);
    no[2].evidence_s = vec![25.0, 10.7];
    let d = ReviewDraft { id: None, call_id, card_id: card, reviewer: "Asha".into(), answers: no };
    store.save_session_review(session, &d, true).unwrap();
    drop(store);
    let b = corpus("dev_b_cutoff.wav");
    let mut h = harness(&db, vec![corpus("dev_f_brief.wav")], "Priya");
    run_until(&mut h, "the call", 60, |app| app.review.is_some());
    h.state_mut().push(Command::ShowCalibration);
    run_until(&mut h, "the sessions", 30, |app| app.sessions.as_ref().is_some_and(Option::is_some));
    h.run_steps(2);
    h.get_by_label("Figures of “June”").click();
    h.run_steps(3);
    assert_shows(&h, "admitted_fault: Asha no, Ben yes");
    // Each reviewer's stamps on the item, by reviewer then time; none on the unstamped items.
    for stamp in ["Asha 0:10.7", "Asha 0:25.0", "Ben 0:03.2"] {
        h.get_by_label(stamp);
    }
    // (The accessibility tree may report a link twice: distinct texts.)
    let mut ben = texts(&h, "Ben 0:");
    ben.dedup();
    assert_eq!(ben, vec!["Ben 0:03.2".to_string()], "Ben stamped one time, on one item");
    h.get_by_label("Asha 0:10.7").click();
    run_until(&mut h, "the call to open at the stamp", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.path == b && c.highlight == Some((10.7, 10.7)))
            && app.pending_seek.is_none()
    });
    h.run_steps(3);
    let at = h.state().playhead_s();
    assert!((at - 10.7).abs() < 0.01, "playhead {at}");
    assert!(h.state().session.is_none(), "opened to listen, outside the session");
}
