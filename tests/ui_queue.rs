//! QA teams in the window (issue 14): "My queue" and the Sample… dialog, driven through the
//! real window (egui_kittest) on a real SQLite file, read back through the store API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ui_common;

use std::path::{Path, PathBuf};

use callqa::app::CallqaApp;
use callqa::model::scorecard::{Answer, ItemAnswer};
use callqa::store::{QueueDraft, QueueItemDraft, ReviewDraft, Store};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ui_common::{assert_shows, corpus, harness, run_until};

type H = Harness<'static, CallqaApp>;

/// Records a corpus call as the window would (real hash and header facts).
fn add_call(store: &mut Store, path: &Path) -> i64 {
    let info = callqa::audio::WavReader::open(path).unwrap().info().clone();
    let meta = callqa::model::call::CallMeta::from_wav(path, &info);
    store.upsert_call(&callqa::audio::content_hash(path).unwrap(), path, &meta).unwrap()
}

fn submit_all_yes(store: &mut Store, call_id: i64, reviewer: &str) {
    let card = store.default_scorecard().unwrap();
    let answers = card.card.items().map(|i| ItemAnswer::new(&i.key, Some(Answer::Yes))).collect();
    let d = ReviewDraft { id: None, call_id, card_id: card.id, reviewer: reviewer.into(), answers };
    store.save_review(&d, true).unwrap();
}

fn open_path(h: &H) -> Option<PathBuf> {
    h.state().call.as_ref().map(|c| c.path.clone())
}

fn wait_open(h: &mut H, path: &Path) {
    let p = path.to_path_buf();
    run_until(h, "the call, its review and analysis", 60, move |app| {
        app.call.as_ref().is_some_and(|c| c.path == p && c.analysis.is_some()) && app.review.is_some()
    });
}

#[test]
fn my_queue_lists_my_calls_with_progress_opens_them_and_next_goes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let (a, b, f) = (corpus("dev_a_courteous.wav"), corpus("dev_b_cutoff.wav"), corpus("dev_f_brief.wav"));
    {
        let mut store = Store::open(&db).unwrap();
        let (ia, ib, iff) = (add_call(&mut store, &a), add_call(&mut store, &b), add_call(&mut store, &f));
        // A call whose file has gone: listed, marked, never opened.
        let gone = dir.path().join("gone.wav");
        let meta = callqa::model::call::CallMeta {
            file_name: "gone.wav".into(),
            duration_s: 60.0,
            sample_rate: 8000,
            channels: 2,
            encoding: "pcm_s16le".into(),
            agent: Some("Meena".into()),
            recorded_at: None,
            team: None,
        };
        let ig = store.upsert_call(&"0".repeat(64), &gone, &meta).unwrap();
        let item = |call_id, r: &str| QueueItemDraft { call_id, reviewer: Some(r.into()) };
        store
            .create_queue(&QueueDraft {
                name: "week-24".into(),
                seed: 7,
                params: serde_json::json!({}),
                created_by: "lead".into(),
                items: vec![item(ia, "Asha"), item(ib, "Asha"), item(iff, "Asha"), item(ig, "Asha")],
            })
            .unwrap();
        // Another reviewer's queue is not mine.
        store
            .create_queue(&QueueDraft {
                name: "ravi-only".into(),
                seed: 8,
                params: serde_json::json!({}),
                created_by: "lead".into(),
                items: vec![item(ib, "Ravi")],
            })
            .unwrap();
        submit_all_yes(&mut store, ia, "Asha");
    }
    let mut h = harness(&db, vec![], "Asha");
    run_until(&mut h, "my queue from the database", 30, |app| app.my_queue.is_some());
    h.get_by_label("My queue").click();
    h.run_steps(3);
    assert_shows(&h, "1 of 4 done");
    assert_shows(&h, "file missing");
    assert!(h.query_by_label("ravi-only").is_none(), "Ravi's queue is not in Asha's list");
    // Not done first (in queue order), then done.
    let names: Vec<String> = h.state().queue_items().iter().map(|i| i.file_name.clone()).collect();
    assert_eq!(names, ["dev_b_cutoff.wav", "dev_f_brief.wav", "gone.wav", "dev_a_courteous.wav"]);

    // Choose the queue; Next unreviewed opens its first call not done.
    h.get_by_label("Queue").click();
    h.run_steps(2);
    h.get_by_label("week-24").click();
    h.run_steps(2);
    assert_eq!(h.state().queue_choice.as_deref(), Some("week-24"));
    h.get_by_label("Next unreviewed").click();
    h.run_steps(2);
    assert_eq!(open_path(&h), Some(b.clone()));

    // Clicking an item opens its call; scoring and submitting it is done in the queue.
    h.get_by_label("dev_f_brief.wav").click();
    h.run_steps(2);
    wait_open(&mut h, &f);
    for (i, label) in ["Yes", "Yes", "Yes", "N.A."].iter().enumerate() {
        h.get_all_by_label(label).nth(i).unwrap().scroll_to_me();
        h.run_steps(2);
        h.get_all_by_label(label).nth(i).unwrap().click();
        h.run_steps(2);
    }
    h.get_by_label("Submit").click();
    h.run_steps(2);
    run_until(&mut h, "the queue refreshed after the submit", 30, |app| {
        app.queue_items().iter().filter(|i| i.done).count() == 2
    });
    assert_shows(&h, "2 of 4 done");
    // "Open the next unreviewed call after submit" goes on in the queue: dev_b (not done).
    run_until(&mut h, "the next call of the queue", 30, |app| app.call.as_ref().is_some_and(|c| c.path == b));
    // Next again: nothing else with a file (dev_b is open, gone.wav has no file).
    h.get_by_label("Next unreviewed").click();
    h.run_steps(2);
    assert_eq!(open_path(&h), Some(b.clone()));
    assert_shows(&h, "no file at their known path");
    drop(h);

    // The database file says the same.
    let store = Store::open(&db).unwrap();
    let mine = store.my_queue("Asha").unwrap();
    let done: Vec<(String, bool)> = mine.iter().map(|i| (i.call.meta.file_name.clone(), i.done)).collect();
    assert_eq!(
        done,
        [
            ("dev_b_cutoff.wav".to_string(), false),
            ("gone.wav".to_string(), false),
            ("dev_a_courteous.wav".to_string(), true),
            ("dev_f_brief.wav".to_string(), true),
        ]
    );
    let hash = callqa::audio::content_hash(&f).unwrap();
    let call = store.call_by_hash(&hash).unwrap().unwrap();
    let r = store.latest_review(call.id, "Asha").unwrap().unwrap();
    assert_eq!(r.status, callqa::model::scorecard::ReviewStatus::Submitted);
}

/// A call row without audio (the sampler reads only the database).
fn add_row(store: &mut Store, dir: &Path, name: &str, agent: Option<&str>, duration_s: f64, day: u32) -> i64 {
    let meta = callqa::model::call::CallMeta {
        file_name: name.into(),
        duration_s,
        sample_rate: 8000,
        channels: 2,
        encoding: "pcm_s16le".into(),
        agent: agent.map(String::from),
        recorded_at: Some(format!("2024-06-{day:02} 10:00:00")),
        team: None,
    };
    let hash = blake3::hash(name.as_bytes()).to_hex().to_string();
    store.upsert_call(&hash, &dir.join(name), &meta).unwrap()
}

#[test]
fn sample_dialog_previews_and_creates_a_queue_with_its_seed_and_typing_in_it_triggers_nothing() {
    use callqa::model::sample::{SampleCall, SampleFilter, Stratify, sample};
    use egui::{Key, Modifiers};
    use ui_common::{field, press, type_like_a_person};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    {
        let mut store = Store::open(&db).unwrap();
        for agent in ["Meena", "Ravi", "सुनीता"] {
            for i in 0..6u32 {
                let name = format!("Agent {agent} - 2024-06-{:02} 10.{i:02}.00.wav", 1 + i);
                add_row(&mut store, dir.path(), &name, Some(agent), 30.0 + f64::from(i) * 60.0, 1 + i);
            }
        }
        add_row(&mut store, dir.path(), "out-1.wav", None, 120.0, 3);
        add_row(&mut store, dir.path(), "out-2.wav", None, 140.0, 4);
    }
    let mut h = harness(&db, vec![], "lead");
    run_until(&mut h, "the library from the database", 30, |app| app.library.entries.len() == 20);
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Sample…").click();
    h.run_steps(3);
    assert!(h.state().modal_open(), "the dialog owns the keyboard");
    let seed = h.state().sample_form.as_ref().unwrap().seed.clone();
    assert!(seed.parse::<u64>().is_ok(), "a random seed is prefilled: {seed}");
    assert_shows(&h, &seed);

    // "Calls per agent" has the keyboard: 5 → 2.
    press(&mut h, Key::Backspace, Modifiers::NONE);
    type_like_a_person(&mut h, "2");
    // Typing a queue name full of shortcut letters (s: skip silence, n: no, j: jump…).
    field(&h, "Queue name").click();
    h.run_steps(2);
    type_like_a_person(&mut h, "sample june");
    field(&h, "Assign to").click();
    h.run_steps(2);
    type_like_a_person(&mut h, "Asha, Ravi");
    {
        let app = h.state();
        let f = app.sample_form.as_ref().unwrap();
        assert_eq!(
            (f.per_agent.as_str(), f.name.as_str(), f.assign.as_str()),
            ("2", "sample june", "Asha, Ravi")
        );
        assert!(!app.prefs.skip_silence, "the S typed in the dialog toggled nothing");
    }

    h.get_by_label("Preview").click();
    h.run_steps(2);
    run_until(&mut h, "the preview", 30, |app| app.sample_form.as_ref().is_some_and(|f| f.preview.is_some()));
    assert_shows(&h, &format!("6 call(s) from 3 agent(s) · seed {seed} · 20 call(s) in the database"));
    assert_shows(&h, "Skipped: 2 agent unknown");
    // Nothing is stored by a preview.
    assert!(Store::open(&db).unwrap().queues().unwrap().is_empty());

    h.get_by_label("Create queue").click();
    h.run_steps(2);
    run_until(&mut h, "the queue to be created", 30, |app| app.sample_form.is_none());
    assert_shows(&h, &format!("Queue \"sample june\" created: 6 call(s), seed {seed}."));

    // Esc closes the dialog, changing nothing.
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Sample…").click();
    h.run_steps(3);
    assert!(h.state().sample_form.is_some());
    press(&mut h, Key::Escape, Modifiers::NONE);
    assert!(h.state().sample_form.is_none(), "Esc cancels the dialog");
    drop(h);

    // The queue in the database file: the seed shown, the calls model::sample draws for it,
    // assigned to Asha and Ravi.
    let store = Store::open(&db).unwrap();
    let queues = store.queues().unwrap();
    assert_eq!(queues.len(), 1);
    let q = &queues[0];
    assert_eq!(
        (q.name.as_str(), q.seed.to_string(), q.items, q.created_by.as_str()),
        ("sample june", seed.clone(), 6, "lead")
    );
    assert_eq!(q.params["per_agent"], 2);
    assert_eq!(q.params["stratify"], "duration");
    let items = store.queue_items(q.id, None).unwrap();
    let calls: Vec<SampleCall> = store
        .calls()
        .unwrap()
        .into_iter()
        .map(|c| SampleCall {
            call_id: c.id,
            hash: c.hash,
            agent: c.meta.agent,
            recorded_at: c.meta.recorded_at,
            duration_s: c.meta.duration_s,
            sample_rate: c.meta.sample_rate,
            channels: c.meta.channels,
            reviewed: false,
            overtalk_per_min: None,
        })
        .collect();
    let filter = SampleFilter { exclude_reviewed: true, ..SampleFilter::default() };
    let expected = sample(&calls, &filter, 2, Stratify::Duration, seed.parse().unwrap());
    let got: Vec<i64> = items.iter().map(|i| i.call.id).collect();
    let want: Vec<i64> = expected.picks.iter().map(|p| p.call_id).collect();
    assert_eq!(got, want, "the same seed draws the same calls");
    let mut reviewers: Vec<String> = items.iter().filter_map(|i| i.reviewer.clone()).collect();
    reviewers.sort();
    reviewers.dedup();
    assert_eq!(reviewers, ["Asha", "Ravi"]);
    assert_eq!(store.my_queue("Asha").unwrap().len() + store.my_queue("Ravi").unwrap().len(), 6);
}

/// Sample… by overtalk: only calls with stored analysis figures are drawn; the others are
/// counted as skipped with the hint to index them.
#[test]
fn sample_dialog_stratifies_by_overtalk_over_the_stored_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    {
        let mut store = Store::open(&db).unwrap();
        for i in 0..6u32 {
            let name = format!("Agent Meena - 2024-06-{:02} 10.{i:02}.00.wav", 1 + i);
            let id = add_row(&mut store, dir.path(), &name, Some("Meena"), 120.0, 1 + i);
            // Figures for four of the six calls: 0, 2, 4 and 6 overtalks in 2 minutes.
            if i < 4 {
                let m = callqa::store::CallMetrics {
                    analyser_version: callqa::store::ANALYSER_VERSION.into(),
                    duration_s: 120.0,
                    talk_agent_s: 50.0,
                    talk_customer_s: 40.0,
                    talk_mixed_s: 0.0,
                    overtalk_count: 2 * i,
                    overtalk_by_agent: i,
                    overtalk_by_customer: i,
                    overtalk_total_s: f64::from(i),
                    silence_count: 0,
                    silence_total_s: 0.0,
                    silence_longest_s: 0.0,
                    hold_total_s: 0.0,
                    warnings: vec![],
                };
                store.save_metrics(id, &m).unwrap();
            }
        }
    }
    let mut h = harness(&db, vec![], "lead");
    run_until(&mut h, "the library from the database", 30, |app| app.library.entries.len() == 6);
    h.get_by_label("Review").click();
    h.run_steps(2);
    h.get_by_label("Sample…").click();
    h.run_steps(3);
    h.get_by_label("By overtalk").click();
    h.run_steps(2);
    h.get_by_label("Preview").click();
    h.run_steps(2);
    run_until(&mut h, "the preview", 30, |app| app.sample_form.as_ref().is_some_and(|f| f.preview.is_some()));
    h.run_steps(2);
    assert_shows(&h, "no analysis stored: run callqa index");
    let app = h.state();
    let preview = app.sample_form.as_ref().unwrap().preview.as_ref().unwrap();
    assert!(!preview.rows.is_empty());
    let analysed: Vec<i64> = {
        let store = Store::open(&db).unwrap();
        store.all_metrics().unwrap().iter().map(|m| m.call_id).collect()
    };
    for r in &preview.rows {
        assert!(analysed.contains(&r.call_id), "only analysed calls are drawn: {}", r.file_name);
    }
}
