//! A blind calibration session in the window (issue 14), on the real window (egui_kittest)
//! and a real SQLite file: the others' answers are hidden until the reviewer submits, the
//! review is saved in the session (not as an ordinary review), and the session's figures
//! show once every call of it is submitted.
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
    store.save_session_review(session, &draft(Answer::Yes), true).unwrap();
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
    run_until(&mut h, "the call in the session", 60, |app| {
        app.session.is_some() && app.review.as_ref().is_some_and(|r| r.session == Some(session))
    });
    h.run_steps(3);
    assert!(h.state().call.as_ref().unwrap().others.is_empty(), "blind: nothing shown");
    assert_eq!(h.state().call.as_ref().unwrap().hidden_others, 1);
    assert_shows(&h, "Blind: 1 other review(s) hidden until you submit yours.");
    assert!(texts(&h, "Other reviews of this call").is_empty());

    // Asha answers everything "no" and submits.
    for (i, label) in ["No", "No", "No", "No"].iter().enumerate() {
        h.get_all_by_label(label).nth(i).unwrap().scroll_to_me();
        h.run_steps(2);
        h.get_all_by_label(label).nth(i).unwrap().click();
        h.run_steps(2);
    }
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
