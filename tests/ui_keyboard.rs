//! A full review with the keyboard only (issue 7): select items with digits, answer with
//! Y / N / A (each stamps the playhead), jump between events with J, comment with C, submit
//! with Ctrl+Enter, and the next unreviewed call opens. Space plays and pauses through a real
//! `Player` on a mixer the test pulls (no audio device needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::num::NonZero;

use callqa::jobs::store_worker::CallStatus;
use callqa::model::scorecard::Answer;
use egui::{Key, Modifiers};
use ui_common::{assert_shows, corpus, ground_truth_overtalk, harness, run_until};

#[test]
fn a_whole_review_with_keys_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let first = corpus("dev_b_cutoff.wav");
    let second = corpus("dev_c_dispute.wav");
    let mut h = harness(&db, vec![first.clone(), second.clone()], "Ravi");
    // A player on a mixer that this test pulls: Space really plays.
    let (mixer, mut out) = rodio::mixer::mixer(NonZero::new(2).unwrap(), NonZero::new(8000).unwrap());
    h.state_mut().set_player(callqa::audio::playback::Player::with_mixer(mixer, 2));
    run_until(&mut h, "review and analysis", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    assert_eq!(h.state().call.as_ref().unwrap().path, first);

    // Space plays; pulling 1 s of output moves the playhead; Space pauses.
    h.key_press(Key::Space);
    h.run_steps(2);
    assert!(h.state().transport.is_playing());
    for _ in 0..(8000 * 2) {
        out.next();
    }
    h.run_steps(2);
    let pos = h.state().playhead_s();
    assert!(pos > 0.5 && pos < 1.5, "after 1 s of output the playhead is at {pos}");
    h.key_press(Key::Space);
    h.run_steps(2);
    assert!(!h.state().transport.is_playing());

    // J jumps to the first event with a 2 s pre-roll and highlights it.
    h.key_press(Key::Home);
    h.run_steps(2);
    h.key_press(Key::J);
    h.run_steps(2);
    let truth = ground_truth_overtalk("dev_b_cutoff");
    let jumped = h.state().playhead_s();
    assert!((jumped - (truth[0].0 - 2.0)).abs() < 0.3, "jump landed at {jumped}, event at {}", truth[0].0);
    assert!(h.state().call.as_ref().unwrap().highlight.is_some());
    // Shift+→ steps 1 s, → steps 5 s.
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    h.run_steps(2);
    assert!((h.state().playhead_s() - (jumped + 1.0)).abs() < 0.05);

    // 1 N: item 1 is "no", stamped at the playhead. 2 Y, 3 Y, 4 A in quick succession.
    h.key_press(Key::Num1);
    h.key_press(Key::N);
    h.run_steps(2);
    h.key_press(Key::Num2);
    h.key_press(Key::Y);
    h.key_press(Key::Num3);
    h.key_press(Key::Y);
    h.key_press(Key::Num4);
    h.key_press(Key::A);
    h.run_steps(3);
    // C on item 1: the comment box takes the keyboard; typing does not trigger shortcuts.
    h.key_press(Key::Num1);
    h.key_press(Key::C);
    h.run_steps(3);
    h.event(egui::Event::Text("no yes and a space ".into()));
    h.key_press(Key::Space);
    h.run_steps(2);
    assert!(!h.state().transport.is_playing(), "Space while typing must not play");
    h.key_press(Key::Escape);
    h.run_steps(2);
    {
        let r = h.state().review.as_ref().unwrap();
        let answers: Vec<_> = r.answers.iter().map(|a| a.answer).collect();
        assert_eq!(
            answers,
            [Some(Answer::No), Some(Answer::Yes), Some(Answer::Yes), Some(Answer::NotApplicable)]
        );
        assert!(r.answers[0].comment.contains("no yes and a space"), "{:?}", r.answers[0].comment);
        assert_eq!(r.answers[0].evidence_s.len(), 1);
        assert!((r.answers[0].evidence_s[0] - (jumped + 1.0)).abs() < 0.1);
    }
    assert_shows(&h, "Score: 66.7 %");

    // ? shows the shortcuts.
    h.key_press(Key::Questionmark);
    h.run_steps(2);
    assert_shows(&h, "Keyboard shortcuts");
    h.key_press(Key::Escape);
    h.run_steps(2);

    // Ctrl+Enter submits; the next unreviewed call opens.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    run_until(&mut h, "the next call to open after submit", 30, |app| {
        app.call.as_ref().is_some_and(|c| c.path == second)
    });
    let entry = h.state().library.get(&first).unwrap();
    assert_eq!(entry.status, CallStatus::Submitted { by: "Ravi".into() });
    assert!((entry.score.unwrap() - 200.0 / 3.0).abs() < 0.1);
    drop(h);

    let store = callqa::store::Store::open(&db).unwrap();
    let call = store.call_by_hash(&callqa::audio::content_hash(&first).unwrap()).unwrap().unwrap();
    let review = store.latest_review(call.id, "Ravi").unwrap().unwrap();
    assert_eq!(review.status, callqa::model::scorecard::ReviewStatus::Submitted);
    assert!(review.answers[0].comment.contains("no yes and a space"));
}
