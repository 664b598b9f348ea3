//! The Reports window (issue 14), driven through the real window (egui_kittest) on a real
//! SQLite file: figures per agent, item and reviewer (with the chart), filters, an agent's
//! calls opening the call, and tables exported to CSV through the safe writers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::path::Path;

use callqa::app::Prefs;
use callqa::model::scorecard::{Answer, ItemAnswer};
use callqa::store::{QueueDraft, QueueItemDraft, ReviewDraft, Store};
use egui_kittest::kittest::Queryable;
use ui_common::{assert_shows, corpus, field, harness_with, press, run_until};

fn add_call(store: &mut Store, path: &Path, agent: Option<&str>, day: &str) -> i64 {
    add_team_call(store, path, agent, None, day)
}

fn add_team_call(store: &mut Store, path: &Path, agent: Option<&str>, team: Option<&str>, day: &str) -> i64 {
    let info = callqa::audio::WavReader::open(path).unwrap().info().clone();
    let mut meta = callqa::model::call::CallMeta::from_wav(path, &info);
    if let Some(a) = agent {
        meta.agent = Some(a.into());
    }
    meta.team = team.map(String::from);
    meta.recorded_at = Some(format!("{day} 10:00:00"));
    store.upsert_call(&callqa::audio::content_hash(path).unwrap(), path, &meta).unwrap()
}

/// Submits a review: every item yes except the ones listed as no.
fn review(store: &mut Store, call_id: i64, reviewer: &str, no: &[usize]) {
    let card = store.default_scorecard().unwrap();
    let answers = card
        .card
        .items()
        .enumerate()
        .map(|(i, it)| ItemAnswer::new(&it.key, Some(if no.contains(&i) { Answer::No } else { Answer::Yes })))
        .collect();
    let d = ReviewDraft { id: None, call_id, card_id: card.id, reviewer: reviewer.into(), answers };
    store.save_review(&d, true).unwrap();
}

#[test]
fn reports_show_figures_and_a_chart_filter_list_an_agents_calls_open_one_and_export_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let meena = corpus("dev_a_courteous.wav");
    {
        let mut s = Store::open(&db).unwrap();
        let a = add_call(&mut s, &meena, Some("Meena"), "2024-06-12");
        let b = add_call(&mut s, &corpus("dev_b_cutoff.wav"), Some("=cmd"), "2024-06-20");
        let c = add_call(&mut s, &corpus("dev_f_brief.wav"), Some("Ravi"), "2024-07-01");
        review(&mut s, a, "Asha", &[]);
        review(&mut s, a, "Kiran", &[1]);
        review(&mut s, b, "Asha", &[]);
        review(&mut s, c, "Asha", &[2]);
        s.create_queue(&QueueDraft {
            name: "q1".into(),
            seed: 1,
            params: serde_json::json!({}),
            created_by: "lead".into(),
            items: vec![QueueItemDraft { call_id: a, reviewer: Some("Asha".into()) }],
        })
        .unwrap();
    }
    // The call list hidden: the report's file names are the only ones on screen.
    let prefs = Prefs { reviewer: "lead".into(), show_library: false, ..Prefs::default() };
    let mut h = harness_with(&db, vec![], prefs, (1600.0, 1000.0));
    h.run_steps(2);
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Reports").click();
    h.run_steps(2);
    let loaded = |app: &callqa::app::CallqaApp| {
        app.reports.as_ref().is_some_and(|r| !r.waiting && matches!(r.data, Some(Ok(_))))
    };
    run_until(&mut h, "the report", 30, loaded);
    assert_shows(&h, "4 submitted review(s)");
    h.get_by_label("Chart: average score of 3 agent(s)");
    // The weekly trend (at the end of the report): one line per agent, each week's average of
    // the calls recorded in it.
    {
        let app = h.state();
        let data = app.reports.as_ref().unwrap().data.as_ref().unwrap().as_ref().unwrap();
        assert_eq!(data.trend.len(), 3);
        let meena = data.trend.iter().find(|t| t.agent == "Meena").unwrap();
        // Asha's and Kiran's reviews of the call of Wednesday 2024-06-12: the week of Monday the 10th.
        assert_eq!(meena.weeks.len(), 1);
        assert_eq!((meena.weeks[0].0.as_str(), meena.weeks[0].3), ("2024-06-10", 2));
        let ravi = data.trend.iter().find(|t| t.agent == "Ravi").unwrap();
        assert_eq!(ravi.weeks[0].0, "2024-07-01", "a Monday starts its own week");
    }
    for name in ["Meena", "Ravi", "=cmd", "Asha", "Kiran"] {
        assert_shows(&h, name);
    }
    // The figures are model::report's and the calibration offsets.
    let (asha, kiran) = {
        let r = h.state().reports.as_ref().unwrap();
        let d = r.data.as_ref().unwrap().as_ref().unwrap();
        let meena = d.by_agent.groups.iter().find(|g| g.group == "Meena").unwrap();
        assert_eq!(meena.reviews, 2);
        let off = |who: &str| d.offsets.iter().find(|b| b.reviewer == who).unwrap().mean_offset.unwrap();
        (off("Asha"), off("Kiran"))
    };
    assert!(asha > 0.0 && kiran < 0.0 && (asha + kiran).abs() < 1e-9, "{asha} {kiran}");
    assert_shows(&h, &format!("{asha:+.1} over 1 call(s)"));
    assert_shows(&h, "Asha");

    // Export the agents table: a CSV through the safe writer (formula-like names neutralised).
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    field(&h, "CSV folder").click();
    h.run_steps(2);
    field(&h, "CSV folder").type_text(out.to_str().unwrap());
    h.run_steps(2);
    h.get_by_label("Export agents CSV").click();
    h.run_steps(2);
    run_until(&mut h, "the export", 30, |app| app.message.is_some());
    let said = h.state().message.clone().unwrap();
    assert!(said.text.starts_with("Exported 3 row(s)"), "{said:?}");
    let csv = std::fs::read_to_string(out.join("callqa-agents.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'), "UTF-8 BOM");
    assert!(csv.contains("agent,team,reviews,average score"), "{csv}");
    assert!(csv.contains("'=cmd,,1,100.0"), "a formula-like agent name is neutralised: {csv}");
    assert!(csv.contains("Meena,,2,"), "no team: an empty cell, never a guess: {csv}");
    // The same again is refused: an existing file is never replaced.
    h.get_by_label("Export agents CSV").click();
    h.run_steps(2);
    run_until(&mut h, "the refusal", 30, |app| app.message.as_ref().is_some_and(|m| m.error));
    assert_eq!(std::fs::read_to_string(out.join("callqa-agents.csv")).unwrap(), csv);

    // A bar of the chart lists its agent's calls (the middle of three bars: Meena's; agents
    // are sorted, "=cmd" first).
    h.get_by_label("Chart: average score of 3 agent(s)").click();
    h.run_steps(2);
    assert_eq!(h.state().reports.as_ref().unwrap().selected_agent.as_deref(), Some("Meena"));
    // So does an agent row; a call opens in the workspace.
    h.get_by_label("Ravi").click();
    h.run_steps(2);
    assert_shows(&h, "Calls of Ravi");
    h.get_by_label("Meena").click();
    h.run_steps(2);
    assert_shows(&h, "Calls of Meena");
    let name = meena.file_name().unwrap().to_string_lossy().into_owned();
    h.get_all_by_label(&name).next().unwrap().scroll_to_me();
    h.run_steps(20);
    // One row per review: Asha's and Kiran's of the same call.
    assert_eq!(h.get_all_by_label(&name).count(), 2);
    h.get_all_by_label(&name).next().unwrap().click();
    h.run_steps(2);
    run_until(&mut h, "the call to open", 30, |app| app.call.as_ref().is_some_and(|c| c.path == meena));

    // The queue filter: only q1's call (Meena's, two reviews).
    h.get_by_label("Queue").click();
    h.run_steps(2);
    h.get_by_label("q1").click();
    h.run_steps(2);
    h.get_by_label("Apply").click();
    h.run_steps(2);
    run_until(&mut h, "the filtered report", 30, |app| {
        app.reports.as_ref().is_some_and(
            |r| matches!(&r.data, Some(Ok(d)) if d.filter.queue.as_deref() == Some("q1") && !r.waiting),
        )
    });
    assert_shows(&h, "2 submitted review(s) · queue q1");
    h.get_by_label("Chart: average score of 1 agent(s)");

    // A date filter that leaves Ravi's July call only.
    field(&h, "From").click();
    h.run_steps(1);
    field(&h, "From").type_text("2024-07-01");
    h.get_by_label("Queue").click();
    h.run_steps(2);
    h.get_by_label("All calls").click();
    h.run_steps(2);
    h.get_by_label("Apply").click();
    h.run_steps(2);
    run_until(&mut h, "the date-filtered report", 30, |app| {
        app.reports.as_ref().is_some_and(|r| {
            matches!(&r.data, Some(Ok(d)) if d.filter.from.is_some() && d.filter.queue.is_none() && !r.waiting)
        })
    });
    assert_shows(&h, "1 submitted review(s) · recorded 2024-07-01 to …");

    // A date that is not one is said in the banner, which the window leaves in view.
    field(&h, "To").click();
    h.run_steps(1);
    field(&h, "To").type_text("2024-07-3x");
    h.get_by_label("Apply").click();
    h.run_steps(3);
    assert_shows(&h, "is not a date");
    {
        use egui_kittest::kittest::NodeT;
        let said = h.get_by_label_contains("is not a date").accesskit_node().bounding_box().unwrap();
        let window = h.get_by_label("Reports").accesskit_node().bounding_box().unwrap();
        assert!(said.y1 <= window.y0, "the message {said:?} is above the window {window:?}");
    }

    // Esc closes the window.
    press(&mut h, egui::Key::Escape, egui::Modifiers::NONE);
    h.run_steps(1);
    assert!(h.state().reports.is_none());
}

/// The agents of the report shown: the per-agent table's groups.
fn shown_agents(h: &egui_kittest::Harness<'static, callqa::app::CallqaApp>) -> Vec<String> {
    let r = h.state().reports.as_ref().unwrap();
    let d = r.data.as_ref().unwrap().as_ref().unwrap();
    d.by_agent.groups.iter().map(|g| g.group.clone()).collect()
}

/// Issue 14's leftover: the team filter. With calls of two teams (and one without), choosing a
/// team in the Team combo leaves that team's agents alone in the per-agent table and chart
/// (and every other table); "All teams" brings everyone back; the Calls CSV carries the team.
#[test]
fn choosing_a_team_shows_only_that_teams_agents_in_every_table_and_the_chart() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    {
        let mut s = Store::open(&db).unwrap();
        let a =
            add_team_call(&mut s, &corpus("dev_a_courteous.wav"), Some("Meena"), Some("Care"), "2024-06-12");
        let b = add_team_call(&mut s, &corpus("dev_b_cutoff.wav"), Some("Asha"), Some("Care"), "2024-06-13");
        let c =
            add_team_call(&mut s, &corpus("dev_f_brief.wav"), Some("Ravi"), Some("Billing"), "2024-06-14");
        let d = add_team_call(&mut s, &corpus("dev_c_dispute.wav"), Some("Kiran"), None, "2024-06-15");
        review(&mut s, a, "Priya", &[]);
        review(&mut s, b, "Priya", &[1]);
        review(&mut s, c, "Priya", &[2]);
        review(&mut s, d, "Ben", &[]);
    }
    let prefs = Prefs { reviewer: "lead".into(), show_library: false, ..Prefs::default() };
    let mut h = harness_with(&db, vec![], prefs, (1600.0, 1000.0));
    h.run_steps(2);
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Reports").click();
    h.run_steps(2);
    run_until(&mut h, "the report", 30, |app| {
        app.reports.as_ref().is_some_and(|r| !r.waiting && matches!(r.data, Some(Ok(_))))
    });
    assert_shows(&h, "4 submitted review(s)");
    h.get_by_label("Chart: average score of 4 agent(s)");
    assert_eq!(shown_agents(&h), ["Asha", "Kiran", "Meena", "Ravi"]);
    assert_shows(&h, "Teams");
    {
        let r = h.state().reports.as_ref().unwrap();
        let d = r.data.as_ref().unwrap().as_ref().unwrap();
        assert_eq!(d.teams, ["(no team)", "Billing", "Care"]);
    }

    // The Team combo: "All teams", then each team known.
    let pick = |h: &mut egui_kittest::Harness<'static, callqa::app::CallqaApp>, team: &str| {
        h.get_by_label("Team").click();
        h.run_steps(2);
        // The team's name is also a cell of the agents table: the combo's entry is the one
        // that is not a plain label.
        h.get_all_by_label(team)
            .find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
            .unwrap_or_else(|| panic!("no {team:?} in the Team combo"))
            .click();
        h.run_steps(2);
        h.get_by_label("Apply").click();
        h.run_steps(2);
    };
    pick(&mut h, "Care");
    run_until(&mut h, "the Care report", 30, |app| {
        app.reports.as_ref().is_some_and(
            |r| matches!(&r.data, Some(Ok(d)) if d.filter.team.as_deref() == Some("Care") && !r.waiting),
        )
    });
    assert_shows(&h, "2 submitted review(s) · team Care");
    h.get_by_label("Chart: average score of 2 agent(s)");
    assert_eq!(shown_agents(&h), ["Asha", "Meena"]);
    {
        let r = h.state().reports.as_ref().unwrap();
        let d = r.data.as_ref().unwrap().as_ref().unwrap();
        let reviewers: Vec<&str> = d.by_reviewer.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(reviewers, ["Priya"], "the reviewers table too: Ben reviewed no Care call");
        assert_eq!(d.by_agent.overall.reviews, 2);
        assert!(d.calls.iter().all(|c| c.team.as_deref() == Some("Care")));
        assert_eq!(d.trend.len(), 2, "the trend chart too");
    }
    assert!(ui_common::texts(&h, "Ravi").is_empty(), "another team's agent is not shown");

    pick(&mut h, "Billing");
    run_until(&mut h, "the Billing report", 30, |app| {
        app.reports.as_ref().is_some_and(
            |r| matches!(&r.data, Some(Ok(d)) if d.filter.team.as_deref() == Some("Billing") && !r.waiting),
        )
    });
    h.get_by_label("Chart: average score of 1 agent(s)");
    assert_eq!(shown_agents(&h), ["Ravi"]);
    assert!(ui_common::texts(&h, "Meena").is_empty());

    // The calls table as CSV carries the team.
    h.get_by_label("Ravi").click();
    h.run_steps(2);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    field(&h, "CSV folder").click();
    h.run_steps(2);
    field(&h, "CSV folder").type_text(out.to_str().unwrap());
    h.run_steps(2);
    h.get_by_label("Export calls CSV").click();
    h.run_steps(2);
    run_until(&mut h, "the export", 30, |app| app.message.is_some());
    let csv = std::fs::read_to_string(out.join("callqa-calls.csv")).unwrap();
    assert!(csv.contains("agent,team,file,recorded,reviewer,score"), "{csv}");
    assert!(csv.contains("Ravi,Billing,dev_f_brief.wav,"), "{csv}");

    pick(&mut h, "All teams");
    run_until(&mut h, "every team again", 30, |app| {
        app.reports
            .as_ref()
            .is_some_and(|r| matches!(&r.data, Some(Ok(d)) if d.filter.team.is_none() && !r.waiting))
    });
    assert_eq!(shown_agents(&h), ["Asha", "Kiran", "Meena", "Ravi"]);
}
