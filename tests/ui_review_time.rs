//! Active review time (issue 14): the time a call is open in the window with the window
//! focused is stored with the review, and reports give each reviewer's median as a share of
//! the calls' length. The real window (egui_kittest) and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::time::{Duration, Instant};

use callqa::app::Command;
use egui_kittest::kittest::Queryable;
use ui_common::{corpus, harness, run_until};

#[test]
fn the_time_a_call_is_open_is_stored_with_its_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let f = corpus("dev_f_brief.wav");
    let started = Instant::now();
    let mut h = harness(&db, vec![f.clone()], "Asha");
    run_until(&mut h, "the review", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.call_id.is_some())
    });
    h.run_steps(3);
    h.get_all_by_label("Yes").next().unwrap().click();
    h.run_steps(2);
    run_until(&mut h, "the answer", 10, |app| {
        app.review.as_ref().is_some_and(|r| r.answers[0].answer.is_some())
    });
    run_until(&mut h, "the first save", 30, |app| {
        app.review.as_ref().is_some_and(|r| r.review_id.is_some() && !r.dirty)
    });
    // Two more seconds with the call open (frames keep running, as while listening).
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    // Leaving the call sends the time gathered.
    h.state_mut().push(Command::SelectCall(corpus("dev_b_cutoff.wav")));
    h.run_steps(3);
    let open_for = started.elapsed().as_secs_f64();
    let mut stored = 0.0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        h.step();
        let store = callqa::store::Store::open(&db).unwrap();
        let call = store.call_by_hash(&callqa::audio::content_hash(&f).unwrap()).unwrap().unwrap();
        stored = store.latest_review(call.id, "Asha").unwrap().map_or(0.0, |r| r.active_s);
        if stored > 0.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(stored >= 2.0 && stored <= open_for + 0.5, "stored {stored:.2} s, open at most {open_for:.2} s");

    // Reports: the reviewer's median review time as a share of the 15 s call.
    let store = callqa::store::Store::open(&db).unwrap();
    let rows = store.export_rows().unwrap();
    let entries: Vec<_> = rows.iter().map(|r| r.report_entry()).collect();
    let rep = callqa::model::report::report(&entries, callqa::model::report::GroupBy::Reviewer);
    let share = rep.groups[0].median_review_share.unwrap();
    let duration = rows[0].call.meta.duration_s;
    assert!((share - stored / duration).abs() < 1e-9, "{share} vs {stored} / {duration}");
}
