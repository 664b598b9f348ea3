//! Review queues on real database files, and `callqa sample` through the built binary: the
//! queue round-trips through SQLite (seed, parameters, items, reviewers, audit row), the
//! same seed draws the same calls from the same library, the CLI refuses what it cannot do
//! and changes nothing then, and agents come from a metadata CSV or a name pattern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer};
use callqa::store::{QueueDraft, QueueItemDraft, ReviewDraft, Store};
use cli_common::{ok, text};

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

fn meta(file_name: &str, agent: Option<&str>, duration_s: f64, day: u32) -> CallMeta {
    CallMeta {
        file_name: file_name.into(),
        duration_s,
        sample_rate: 8000,
        channels: 2,
        encoding: "pcm_s16le".into(),
        agent: agent.map(String::from),
        recorded_at: Some(format!("2024-06-{day:02} 10:00:00")),
        team: None,
    }
}

/// A call row without audio (the sampler reads only the database).
fn add(db: &mut Store, dir: &Path, file_name: &str, m: &CallMeta) -> i64 {
    let hash = blake3::hash(file_name.as_bytes()).to_hex().to_string();
    db.upsert_call(&hash, &dir.join(file_name), m).unwrap()
}

/// Three agents with 30 calls each (durations 5 s to 20 min), plus calls that must never be
/// drawn: 0 s, no sample rate, no agent.
fn library(dir: &Path) -> PathBuf {
    let path = dir.join("qa.sqlite3");
    let mut db = Store::open(&path).unwrap();
    for agent in ["Meena", "Ravi", "सुनीता"] {
        for i in 0..30u32 {
            let d = 5.0 + f64::from((i * 37) % 30) * 40.0;
            let name = format!("Agent {agent} - 2024-06-{:02} 10.{:02}.00.wav", 1 + i % 28, i);
            add(&mut db, dir, &name, &meta(&name, Some(agent), d, 1 + i % 28));
        }
    }
    add(&mut db, dir, "Agent Meena - zero.wav", &meta("zero", Some("Meena"), 0.0, 3));
    add(
        &mut db,
        dir,
        "Agent Ravi - broken.wav",
        &CallMeta { sample_rate: 0, ..meta("b", Some("Ravi"), 60.0, 3) },
    );
    for i in 0..5u32 {
        let name = format!("out-98765432{i:02}-10{i:02}-202406{:02}-090541-1718183141.{i}.wav", 10 + i);
        add(&mut db, dir, &name, &meta(&name, None, 120.0 + f64::from(i), 10 + i));
    }
    path
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CALLQA_DB")
        .env("USER", "lead")
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// (call_id, reviewer) of a `sample --json` output.
fn items(v: &serde_json::Value) -> Vec<(i64, Option<String>)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["call_id"].as_i64().unwrap(), i["reviewer"].as_str().map(String::from)))
        .collect()
}

/// Every row of the queue tables and the audit log.
fn dump(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for t in ["queues", "queue_items", "audit"] {
        let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY rowid")).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
            })
            .unwrap();
        out.extend(rows.map(|r| format!("{t}: {}", r.unwrap())));
    }
    out
}

#[test]
fn a_queue_round_trips_through_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = library(dir.path());
    let mut db = Store::open(&path).unwrap();
    let calls = db.calls().unwrap();
    let params = serde_json::json!({ "per_agent": 2, "stratify": "duration", "note": "ग्राहक" });
    let draft = QueueDraft {
        name: "June week 1".into(),
        seed: u64::MAX,
        params: params.clone(),
        created_by: "Lead Priya".into(),
        items: vec![
            QueueItemDraft { call_id: calls[3].id, reviewer: Some("Asha".into()) },
            QueueItemDraft { call_id: calls[0].id, reviewer: Some("Karan".into()) },
            QueueItemDraft { call_id: calls[7].id, reviewer: Some("Asha".into()) },
            QueueItemDraft { call_id: calls[9].id, reviewer: None },
        ],
    };
    let id = db.create_queue(&draft).unwrap();
    drop(db);

    let before = dump(&path);
    let db = Store::open_read_only(&path).unwrap();
    let q = db.queue_by_name("June week 1").unwrap().unwrap();
    assert_eq!((q.id, q.seed, &q.params, q.created_by.as_str()), (id, u64::MAX, &params, "Lead Priya"));
    assert_eq!((q.items, q.done), (4, 0));
    let got: Vec<(i64, i64, Option<String>)> =
        db.queue_items(id, None).unwrap().into_iter().map(|i| (i.position, i.call.id, i.reviewer)).collect();
    let want: Vec<(i64, i64, Option<String>)> =
        draft.items.iter().enumerate().map(|(p, i)| (p as i64, i.call_id, i.reviewer.clone())).collect();
    assert_eq!(got, want);
    let asha: Vec<i64> = db.queue_items(id, Some("Asha")).unwrap().iter().map(|i| i.call.id).collect();
    assert_eq!(asha, vec![calls[3].id, calls[7].id]);
    assert_eq!(db.queues().unwrap().len(), 1);
    let log = db.audit_log(None).unwrap();
    let last = log.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str()), ("create_queue", "Lead Priya"));
    let detail: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(detail["seed"], "18446744073709551615");
    assert_eq!(detail["items"].as_array().unwrap().len(), 4);
    assert_eq!(detail["items"][1], serde_json::json!([calls[0].id, "Karan"]));
    drop(db);
    assert_eq!(dump(&path), before, "reading changed nothing");

    // Refused, nothing written: the same name, an empty name, a call twice, an unknown call.
    let mut db = Store::open(&path).unwrap();
    for bad in [
        QueueDraft { items: vec![], ..draft.clone() },
        QueueDraft { name: "  ".into(), ..draft.clone() },
        QueueDraft { name: "x".into(), created_by: " ".into(), ..draft.clone() },
        QueueDraft {
            name: "twice".into(),
            items: vec![draft.items[0].clone(), draft.items[0].clone()],
            ..draft.clone()
        },
        QueueDraft {
            name: "ghost".into(),
            items: vec![QueueItemDraft { call_id: 99_999, reviewer: None }],
            ..draft.clone()
        },
    ] {
        assert!(db.create_queue(&bad).is_err(), "{bad:?}");
        assert_eq!(dump(&path), before);
    }

    // My queue: Asha's items, the one she has submitted last and marked done.
    let card = db.default_scorecard().unwrap();
    let answers = ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"]
        .map(|k| ItemAnswer::new(k, Some(Answer::Yes)))
        .to_vec();
    let review =
        ReviewDraft { id: None, call_id: calls[3].id, card_id: card.id, reviewer: "Asha".into(), answers };
    db.save_review(&review, true).unwrap();
    let mine: Vec<(i64, bool)> = db.my_queue("Asha").unwrap().iter().map(|i| (i.call.id, i.done)).collect();
    assert_eq!(mine, vec![(calls[7].id, false), (calls[3].id, true)]);
    assert_eq!(db.queue_by_name("June week 1").unwrap().unwrap().done, 1);
    assert!(db.my_queue("Karan").unwrap().iter().all(|i| !i.done), "Asha's review is not Karan's");
}

#[test]
fn sample_cli_is_reproducible_stored_and_balanced() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let args = ["sample", "--per-agent", "4", "--seed", "20240612", "--assign", "Asha,Karan", "--json"];
    let first = json(&run(&db, &[&args[..], &["--dry-run"]].concat()));
    let again = json(&run(&db, &[&args[..], &["--dry-run"]].concat()));
    assert_eq!(items(&first), items(&again), "same seed, same library: same calls");
    assert_eq!(first["queue"]["stored"], false);
    assert_eq!(items(&first).len(), 12, "4 calls for each of the 3 known agents");
    let other = json(&run(&db, &["sample", "--per-agent", "4", "--seed", "7", "--dry-run", "--json"]));
    assert_ne!(
        items(&first).iter().map(|i| i.0).collect::<Vec<_>>(),
        items(&other).iter().map(|i| i.0).collect::<Vec<_>>()
    );
    // Never drawn: 0 s, broken, unknown agent.
    assert_eq!(first["skipped"], serde_json::json!({ "broken": 2, "unknown_agent": 5 }));
    // One per duration quartile bin for each agent.
    for agent in ["Meena", "Ravi", "सुनीता"] {
        let mut strata: Vec<i64> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["agent"] == agent)
            .map(|i| i["stratum"].as_i64().unwrap())
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, vec![0, 1, 2, 3], "{agent}");
    }
    // Balanced: the reviewers' totals differ by at most the longest call.
    let loads: Vec<f64> =
        first["reviewers"].as_array().unwrap().iter().map(|r| r["total_s"].as_f64().unwrap()).collect();
    let longest = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["duration_s"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(loads.len(), 2);
    assert!((loads[0] - loads[1]).abs() <= longest, "{loads:?}, longest {longest}");

    // Stored: the queue holds exactly the dry run's calls and reviewers, with its seed.
    let stored = json(&run(&db, &[&args[..], &["--name", "June QA"]].concat()));
    assert_eq!(items(&stored), items(&first));
    let store = Store::open_read_only(&db).unwrap();
    let q = store.queue_by_name("June QA").unwrap().unwrap();
    assert_eq!((q.seed, q.items, q.created_by.as_str()), (20_240_612, 12, "lead"));
    assert_eq!(q.params["per_agent"], 4);
    assert_eq!(q.params["stratify"], "duration");
    let from_db: Vec<(i64, Option<String>)> =
        store.queue_items(q.id, None).unwrap().into_iter().map(|i| (i.call.id, i.reviewer)).collect();
    assert_eq!(from_db, items(&first));
    drop(store);

    // Text output names the queue and the reviewers.
    let out = ok(&run(&db, &["sample", "--per-agent", "2", "--seed", "1", "--assign", "Asha", "--dry-run"]));
    assert!(out.contains("seed 1") && out.contains("Asha") && out.contains("सुनीता"), "{out}");
}

#[test]
fn sample_cli_refusals_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    ok(&run(&db, &["sample", "--per-agent", "1", "--seed", "1", "--name", "taken"]));
    let before = dump(&db);
    for (args, says) in [
        (&["--name", "taken"][..], "exists already"),
        (&["--stratify", "overtalk"][..], "overtalk"),
        (&["--from", "12/06/2024"][..], "YYYY-MM-DD"),
        (&["--from", "2024-06-20", "--to", "2024-06-01"][..], "after"),
        (&["--from", "2030-01-01"][..], "no call can be sampled"),
        (&["--name-pattern", "(?P<agnt>.*)"][..], "agnt"),
        (&["--metadata", "/nonexistent/meta.csv"][..], "cannot read the metadata CSV"),
    ] {
        let out = run(&db, &[&["sample", "--per-agent", "2", "--seed", "5"][..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
        assert_eq!(dump(&db), before, "{args:?} changed the database");
    }
    // No database: refused, none created.
    let missing = dir.path().join("none.sqlite3");
    let out = run(&missing, &["sample", "--per-agent", "2", "--seed", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists());
}

#[test]
fn agents_from_a_metadata_csv_or_a_name_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    // The five FreePBX calls have no agent in the database: a CSV names three of them
    // (one by full path, two by file name), a pattern reads the extension as the agent.
    let csv = dir.path().join("dialer.csv");
    let p = |i: u32| {
        dir.path().join(format!("out-98765432{i:02}-10{i:02}-202406{:02}-090541-1718183141.{i}.wav", 10 + i))
    };
    std::fs::write(
        &csv,
        format!(
            "path,file_name,agent,team,date\n{},,Deepa,Care,2024-07-01 09:00:00\n,{},Deepa,Care,\n,{},Imran,Care,\n",
            p(0).display(),
            p(1).file_name().unwrap().to_string_lossy(),
            p(2).file_name().unwrap().to_string_lossy()
        ),
    )
    .unwrap();
    let v = json(&run(
        &db,
        &[
            "sample",
            "--per-agent",
            "5",
            "--seed",
            "3",
            "--metadata",
            csv.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    ));
    let agents: Vec<(String, i64)> = v["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["agent"].as_str().unwrap().to_string(), a["eligible"].as_i64().unwrap()))
        .collect();
    assert!(agents.contains(&("Deepa".into(), 2)) && agents.contains(&("Imran".into(), 1)), "{agents:?}");
    assert_eq!(v["skipped"]["unknown_agent"], 2, "the two calls the CSV does not name stay unknown");
    assert_eq!(v["params"]["metadata"]["blake3"].as_str().unwrap().len(), 64);
    // The CSV's date wins: with --from July only Deepa's first call is left.
    let v = json(&run(
        &db,
        &[
            "sample",
            "--per-agent",
            "5",
            "--seed",
            "3",
            "--metadata",
            csv.to_str().unwrap(),
            "--from",
            "2024-07-01",
            "--dry-run",
            "--json",
        ],
    ));
    assert_eq!(items(&v).len(), 1);
    assert_eq!(v["items"][0]["agent"], "Deepa");

    let pattern =
        r"out-(?P<number>[^-]*)-(?P<agent>\d+)-(?P<date>\d{8})-(?P<time>\d{6})-(?P<uniqueid>[\d.]+)";
    let v = json(&run(
        &db,
        &["sample", "--per-agent", "1", "--seed", "3", "--name-pattern", pattern, "--dry-run", "--json"],
    ));
    let names: Vec<&str> =
        v["agents"].as_array().unwrap().iter().map(|a| a["agent"].as_str().unwrap()).collect();
    assert_eq!(names, ["1000", "1001", "1002", "1003", "1004", "Meena", "Ravi", "सुनीता"]);
    assert!(v["skipped"].get("unknown_agent").is_none());
}

#[test]
fn report_by_dates_and_by_queue() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let v = json(&run(&db, &["sample", "--per-agent", "2", "--seed", "11", "--name", "wk24", "--json"]));
    let queued: Vec<i64> = items(&v).iter().map(|i| i.0).collect();
    assert_eq!(queued.len(), 6);
    // Submitted reviews: every queued call, and 4 calls outside the queue.
    let mut store = Store::open(&db).unwrap();
    let card = store.default_scorecard().unwrap();
    let others: Vec<i64> =
        store.calls().unwrap().iter().map(|c| c.id).filter(|id| !queued.contains(id)).take(4).collect();
    let answers = ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"]
        .map(|k| ItemAnswer::new(k, Some(Answer::Yes)))
        .to_vec();
    for id in queued.iter().chain(&others) {
        let draft = ReviewDraft {
            id: None,
            call_id: *id,
            card_id: card.id,
            reviewer: "Asha".into(),
            answers: answers.clone(),
        };
        store.save_review(&draft, true).unwrap();
    }
    let days: Vec<String> = queued
        .iter()
        .chain(&others)
        .map(|id| store.call(*id).unwrap().meta.recorded_at.unwrap()[..10].to_string())
        .collect();
    drop(store);
    let reviews = |args: &[&str]| -> i64 {
        let v = json(&run(&db, &[&["report", "--json"][..], args].concat()));
        v["report"]["overall"]["reviews"].as_i64().unwrap()
    };
    assert_eq!(reviews(&[]), 10);
    assert_eq!(reviews(&["--queue", "wk24"]), 6);
    let in_week =
        |from: &str, to: &str| days.iter().filter(|d| d.as_str() >= from && d.as_str() <= to).count() as i64;
    let week = in_week("2024-06-08", "2024-06-14");
    assert!(0 < week && week < 10, "the test needs reviews inside and outside the week: {days:?}");
    assert_eq!(reviews(&["--from", "2024-06-08", "--to", "2024-06-14"]), week);
    assert_eq!(reviews(&["--from", "2024-06-08"]), in_week("2024-06-08", "9999"));
    assert_eq!(reviews(&["--to", "2024-06-07"]), in_week("0000", "2024-06-07"));
    let queued_days = &days[..6];
    assert_eq!(
        reviews(&["--queue", "wk24", "--to", "2024-06-14"]),
        queued_days.iter().filter(|d| d.as_str() <= "2024-06-14").count() as i64
    );
    let out = run(&db, &["report", "--queue", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("wk24"), "{}", text(&out.stderr));
    let out = run(&db, &["report", "--from", "2024-06-31"]);
    assert_eq!(out.status.code(), Some(2));
}
