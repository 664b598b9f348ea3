//! The review window on the team store (issue 15), headless (egui_kittest) against a real
//! PostgreSQL server (`CALLQA_TEST_PG_URL`; without it a skip line is printed and the test
//! passes). The window is started with `--db postgres://asha@…` as a first-run user: the
//! reviewer becomes the login (no name to type, no "change"), the call opens, answers are
//! clicked, the draft and the submission are saved on the server under the login, and a
//! restarted window lists the call from the server with its status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod pg_common;
mod ui_common;

use std::path::PathBuf;

use callqa::app::Prefs;
use callqa::store::pg;
use egui_kittest::kittest::Queryable;
use pg_common::TeamDb;
use ui_common::{corpus, harness_with, run_until};

type H = egui_kittest::Harness<'static, callqa::app::CallqaApp>;

fn click_answers(h: &mut H, labels: [&str; 4]) {
    for (i, label) in labels.iter().enumerate() {
        h.get_all_by_label(label).nth(i).unwrap().scroll_to_me();
        h.run_steps(2);
        h.get_all_by_label(label).nth(i).unwrap().click();
        h.run_steps(2);
    }
}

#[test]
fn the_window_scores_on_the_team_store_as_the_login() {
    let Some(team) = TeamDb::new("w", &[], &["asha"]) else { return };
    let asha = team.login("asha");
    let team_url = PathBuf::from(team.url_as(&asha));
    let dir = tempfile::tempdir().unwrap();
    let call = dir.path().join("dev_f_brief.wav");
    std::fs::copy(corpus("dev_f_brief.wav"), &call).unwrap();

    {
        // A first run (no name in the prefs): the login is the reviewer.
        let mut h = harness_with(&team_url, vec![call.clone()], Prefs::default(), (1600.0, 1000.0));
        run_until(&mut h, "the team store's login, the review and the analysis", 60, |app| {
            app.team_login.is_some()
                && app.review.is_some()
                && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
        });
        assert_eq!(h.state().prefs.reviewer, asha);
        // What the team store does not serve (e.g. queues for "My queue") is not an error at start.
        let said = h.state().message.as_ref().filter(|m| m.error).map(|m| m.text.clone());
        assert_eq!(said, None, "no error on opening the window on the team store");
        assert!(h.query_by_label("change").is_none(), "the login cannot be changed in the window");
        h.get_by_label("(team store login)");

        click_answers(&mut h, ["Yes", "Yes", "N.A.", "No"]);
        h.get_by_label("Save draft").click();
        h.run_steps(2);
        run_until(&mut h, "the draft saved on the server", 30, |app| {
            app.review.as_ref().is_some_and(|r| !r.dirty && !r.save_in_flight())
        });
        let mut admin = team.admin();
        let rows = admin
            .query(
                "SELECT r.reviewer, r.status, string_agg(a.item_key || '=' || coalesce(a.answer, '-'), ' ' \
                 ORDER BY a.position) FROM callqa.reviews r JOIN callqa.answers a ON a.review_id = r.id \
                 GROUP BY r.id",
                &[],
            )
            .unwrap();
        assert_eq!(rows.len(), 1);
        let (who, status, answers): (String, String, String) =
            (rows[0].get(0), rows[0].get(1), rows[0].get(2));
        assert_eq!((who.as_str(), status.as_str()), (asha.as_str(), "draft"));
        assert_eq!(answers, "let_customer_finish=yes no_arguing=yes admitted_fault=na set_callback_time=no");

        h.get_by_label("Submit").click();
        h.run_steps(2);
        run_until(&mut h, "the submission confirmed by the server", 30, |app| {
            app.review.as_ref().is_some_and(|r| r.submitted() && !r.dirty && !r.save_in_flight())
        });
        let (status, version): (String, i64) = {
            let r = admin.query_one("SELECT status, version FROM callqa.reviews", &[]).unwrap();
            (r.get(0), r.get(1))
        };
        assert_eq!((status.as_str(), version), ("submitted", 2));
        drop(h);

        // A new window (another desk): the library comes from the server, with the status.
        let mut h = harness_with(&team_url, Vec::new(), Prefs::default(), (1600.0, 1000.0));
        run_until(&mut h, "the library from the server", 30, |app| {
            app.team_login.is_some() && !app.library.entries.is_empty()
        });
        assert!(
            !ui_common::texts(&h, "dev_f_brief.wav").is_empty(),
            "the call is listed from the team store"
        );
        let entry = h.state().library.entries.iter().find(|e| e.name == "dev_f_brief.wav").cloned();
        let entry = entry.expect("the call is listed from the team store");
        assert!(
            matches!(&entry.status, callqa::jobs::store_worker::CallStatus::Submitted { by } if *by == asha),
            "{:?}",
            entry.status
        );
        assert_eq!(entry.results.len(), 1);
        assert!(entry.results[0].submitted);
    }
}

/// File → Review store…: the team store is chosen in the window (typing its address takes no
/// shortcut), kept in the settings, and used from the next start when no `--db` is given; a
/// `--db` still wins. A bad address is refused with why.
#[test]
fn the_review_store_setting_picks_the_team_store_at_the_next_start() {
    use egui::Key;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("desk.sqlite3");
    let mut h = ui_common::harness(&local, vec![corpus("dev_f_brief.wav")], "Asha");
    run_until(&mut h, "the review and the analysis", 60, |app| {
        app.review.is_some() && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Review store…").click();
    h.run_steps(3);
    assert!(h.state().store_form.is_some());
    ui_common::type_like_a_person(&mut h, "mysql://x");
    h.get_by_label("Use this team store from the next start").click();
    h.run_steps(2);
    let said = h.state().message.as_ref().map(|m| (m.text.clone(), m.error));
    assert!(said.as_ref().is_some_and(|(t, e)| *e && t.contains("postgres://")), "{said:?}");
    assert!(h.state().store_form.is_some(), "the form stays open to fix the address");
    for _ in 0.."mysql://x".len() {
        h.key_press(Key::Backspace);
    }
    let url = "postgres://asha@dbhost:5433/callqa?sslmode=require";
    ui_common::type_like_a_person(&mut h, url);
    h.key_press(Key::Enter);
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.prefs.team_store, url);
    assert!(app.store_form.is_none());
    assert!(
        app.message.as_ref().is_some_and(|m| m.text.contains("asha@dbhost:5433/callqa")),
        "{:?}",
        app.message
    );
    // No typed letter reached a shortcut.
    assert!(!app.prefs.skip_silence);
    assert!(app.review.as_ref().unwrap().answers.iter().all(|a| a.answer.is_none()));
    drop(h);

    let Some(team) = TeamDb::new("s", &[], &["asha"]) else { return };
    let (db, login) = (team.db.clone(), team.login("asha"));
    let team_url = team.url_as(&login);
    {
        let prefs = Prefs { reviewer: "Asha".into(), team_store: team_url.clone(), ..Prefs::default() };
        let config = |db_from_user: bool| callqa::app::AppConfig {
            db_path: local.clone(),
            paths: Vec::new(),
            audio: false,
            size: None,
            outbox: Some(dir.path().join("outbox.sqlite3")),
            db_from_user,
        };
        // No --db: the setting's team store; the reviewer becomes the login.
        let mut h = ui_common::harness_config(config(false), prefs.clone());
        run_until(&mut h, "the team store from the setting", 30, |app| app.team_login.is_some());
        assert_eq!(h.state().prefs.reviewer, login);
        assert!(h.state().store_place.ends_with(&format!("/{db}")), "{}", h.state().store_place);
        drop(h);
        // --db given: it wins.
        let mut h = ui_common::harness_config(config(true), prefs);
        run_until(&mut h, "the database given", 30, |app| !app.store_place.is_empty());
        assert!(h.state().team_login.is_none());
        assert!(h.state().store_place.ends_with("desk.sqlite3"), "{}", h.state().store_place);
    }
}

/// A lead draws a sample on the team store with the Sample… dialog: the queue is made on the
/// server in the lead's name (the login), over the calls the server knows.
#[test]
fn a_lead_draws_a_sample_into_a_queue_on_the_team_store() {
    use ui_common::{field, type_like_a_person};
    let Some(team) = TeamDb::new("q", &["priya"], &[]) else { return };
    let lead = team.login("priya");
    let team_url = team.url_as(&lead);
    let dir = tempfile::tempdir().unwrap();
    {
        // Six calls of two agents on the server (as scans would add them).
        let mut store = pg::PgStore::connect(&team_url).unwrap();
        for (i, agent) in ["Meena", "Meena", "Meena", "Ravi", "Ravi", "Ravi"].iter().enumerate() {
            let meta = callqa::model::call::CallMeta {
                file_name: format!("call-{i}.wav"),
                duration_s: 60.0 + 30.0 * i as f64,
                sample_rate: 8000,
                channels: 2,
                encoding: "pcm_s16le".into(),
                agent: Some((*agent).into()),
                recorded_at: Some(format!("2026-11-{:02}", 2 + i)),
                ..Default::default()
            };
            store
                .upsert_call(&format!("hash-{i}"), &dir.path().join(format!("call-{i}.wav")), &meta)
                .unwrap();
        }
        let mut h = ui_common::harness_with_outbox(
            &PathBuf::from(&team_url),
            Vec::new(),
            dir.path().join("o.sqlite3"),
        );
        run_until(&mut h, "the library from the server", 30, |app| {
            app.team_login.is_some() && app.library.entries.len() == 6
        });
        h.get_by_label("Review").click();
        h.run_steps(2);
        h.get_by_label("Sample…").click();
        h.run_steps(3);
        field(&h, "Queue name").click();
        h.run_steps(2);
        type_like_a_person(&mut h, "week 48");
        h.get_by_label("Preview").click();
        h.run_steps(2);
        run_until(&mut h, "the preview", 30, |app| {
            app.sample_form.as_ref().is_some_and(|f| f.preview.is_some())
        });
        h.get_by_label("Create queue").click();
        h.run_steps(2);
        run_until(&mut h, "the queue made on the server", 30, |app| app.sample_form.is_none());
        let mut admin = team.admin();
        let (by, items): (String, i64) = {
            let r = admin
                .query_one(
                    "SELECT q.created_by, (SELECT count(*) FROM callqa.queue_items i WHERE i.queue_id = q.id) \
                     FROM callqa.queues q WHERE q.name = 'week 48'",
                    &[],
                )
                .unwrap();
            (r.get(0), r.get(1))
        };
        assert_eq!(by, lead, "made in the lead's name (the login)");
        assert!(items >= 2, "calls of both agents drawn: {items}");
    }
}
