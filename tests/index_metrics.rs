//! Stored analysis figures (issue 14): `callqa index` through the built binary on real corpus
//! WAVs and real SQLite files (the same figures as `callqa analyze --json`, a second run skips,
//! `--force` analyses again, broken and missing files are reported while the rest is stored),
//! `callqa sample --stratify overtalk` on those figures, and the window storing the figures of
//! the call it analysed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;
mod ui_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use callqa::store::{ANALYSER_VERSION, CallMetrics, Store, StoredMetrics};
use cli_common::{corpus, ok, text};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

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

fn run_on(db: &Path, args: &[&str], paths: &[&Path]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .args(paths)
        .env_remove("CALLQA_DB")
        .env("USER", "lead")
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&text(&out.stdout)).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// The figures stored for the call whose audio is in `wav`.
fn stored(db: &Path, wav: &Path) -> Option<StoredMetrics> {
    let store = Store::open_read_only(db).unwrap();
    let hash = callqa::audio::content_hash(wav).unwrap();
    let call = store.call_by_hash(&hash).unwrap()?;
    store.metrics(call.id).unwrap()
}

/// Copies corpus files into `dir`.
fn copy_corpus(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    names
        .iter()
        .map(|n| {
            let to = dir.join(n);
            std::fs::copy(corpus(n), &to).unwrap();
            to
        })
        .collect()
}

/// A copy of a corpus call (a plain `fmt ` + `data` file) with the last sample's low byte
/// changed by `k`: another recording (another content hash) with the same analysis.
fn variant(src: &str, to: &Path, k: u8) {
    let mut bytes = std::fs::read(corpus(src)).unwrap();
    let i = bytes.len() - 2;
    bytes[i] ^= k;
    std::fs::write(to, bytes).unwrap();
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn index_stores_the_figures_analyze_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    let calls = dir.path().join("calls");
    let files = copy_corpus(
        &calls,
        &["dev_b_cutoff.wav", "dev_c_dispute.wav", "dev_d_long_hold.wav", "dev_b_cutoff_mulaw_mono.wav"],
    );
    let out = run_on(&db, &["index", "--json"], &[&calls]);
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["indexed"].as_array().unwrap().len(), 4, "{v:#}");
    assert_eq!(v["failed"], serde_json::json!([]));
    let err = text(&out.stderr);
    assert!(err.contains("indexed 4/4"), "progress on stderr: {err}");
    for file in &files {
        let a: Value = serde_json::from_str(&ok(&Command::new(BIN)
            .args(["analyze", "--json"])
            .arg(file)
            .output()
            .unwrap()))
        .unwrap();
        let m = &a["metrics"];
        let s = stored(&db, file).unwrap_or_else(|| panic!("no figures stored for {}", file.display()));
        let got = &s.metrics;
        assert_eq!(got.analyser_version, ANALYSER_VERSION);
        // `analyze --json` rounds seconds to 10 µs.
        let pairs = [
            (got.duration_s, f(&a["duration_s"])),
            (got.talk_agent_s, f(&m["talk_time_agent_s"])),
            (got.talk_customer_s, f(&m["talk_time_customer_s"])),
            (got.talk_mixed_s, f(&m["talk_time_mixed_s"])),
            (got.overtalk_total_s, f(&m["overtalk_total_s"])),
            (got.silence_total_s, f(&m["silence_total_s"])),
            (got.silence_longest_s, f(&m["silence_longest_s"])),
            (got.hold_total_s, f(&m["hold_total_s"])),
        ];
        for (i, (stored, analysed)) in pairs.into_iter().enumerate() {
            assert!(
                (stored - analysed).abs() <= 1e-5,
                "{}: figure {i}: {stored} vs {analysed}",
                file.display()
            );
        }
        let counts = [
            (got.overtalk_count, &m["overtalk_count"]),
            (got.overtalk_by_agent, &m["overtalk_by_agent"]),
            (got.overtalk_by_customer, &m["overtalk_by_customer"]),
            (got.silence_count, &m["silence_count"]),
        ];
        for (stored, analysed) in counts {
            assert_eq!(u64::from(stored), analysed.as_u64().unwrap(), "{}", file.display());
        }
        assert_eq!(serde_json::json!(got.warnings), a["warnings"]);
    }
    // The figures are derived data: indexing wrote no audit row of its own.
    let store = Store::open_read_only(&db).unwrap();
    let actions: Vec<String> = store.audit_log(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.iter().all(|a| a == "migrate" || a == "add_call"), "{actions:?}");
}

#[test]
fn a_second_run_skips_and_force_analyses_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    let calls = dir.path().join("calls");
    let files = copy_corpus(&calls, &["dev_c_dispute.wav", "dev_f_brief.wav"]);
    ok(&run_on(&db, &["index"], &[&calls]));
    let first = stored(&db, &files[0]).unwrap();

    // Nothing to do, whether the calls come from the database or from the folder.
    let again = run(&db, &["index", "--json"]);
    let v: Value = serde_json::from_str(&ok(&again)).unwrap();
    assert_eq!((v["indexed"].as_array().unwrap().len(), v["already_indexed"].as_u64()), (0, Some(2)));
    let v: Value = serde_json::from_str(&ok(&run_on(&db, &["index", "--json"], &[&calls]))).unwrap();
    assert_eq!((v["indexed"].as_array().unwrap().len(), v["already_indexed"].as_u64()), (0, Some(2)));
    assert!(
        text(&run_on(&db, &["index"], &[&calls]).stdout).starts_with("indexed 0 call(s) · 2 already indexed")
    );
    assert_eq!(stored(&db, &files[0]).unwrap(), first, "untouched");

    // --force analyses every call again (the same figures, a new time).
    std::thread::sleep(std::time::Duration::from_millis(20));
    let v: Value = serde_json::from_str(&ok(&run(&db, &["index", "--force", "--json"]))).unwrap();
    assert_eq!((v["indexed"].as_array().unwrap().len(), v["already_indexed"].as_u64()), (2, Some(0)));
    let forced = stored(&db, &files[0]).unwrap();
    assert_eq!(forced.metrics, first.metrics);
    assert!(forced.analysed_at > first.analysed_at, "{} then {}", first.analysed_at, forced.analysed_at);

    // Figures of another analyser are stale: a plain run analyses the call again.
    let mut store = Store::open(&db).unwrap();
    let old = CallMetrics { analyser_version: "callqa 0.0.1 default".into(), ..forced.metrics.clone() };
    store.save_metrics(forced.call_id, &old).unwrap();
    drop(store);
    let v: Value = serde_json::from_str(&ok(&run(&db, &["index", "--json"]))).unwrap();
    assert_eq!(v["indexed"][0]["call_id"].as_i64(), Some(forced.call_id));
    assert_eq!(stored(&db, &files[0]).unwrap().metrics.analyser_version, ANALYSER_VERSION);
}

#[test]
fn broken_files_are_reported_and_the_rest_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    let calls = dir.path().join("calls");
    copy_corpus(
        &calls,
        &["bad_truncated.wav", "bad_zero_bytes.wav", "bad_text_renamed.wav", "dev_f_brief.wav"],
    );
    let nested = copy_corpus(&calls.join("june/12"), &["dev_c_dispute.wav"]);
    std::fs::write(calls.join("notes.txt"), "not a call").unwrap();
    let out = run_on(&db, &["index", "--json"], &[&calls]);
    assert_eq!(out.status.code(), Some(1), "a failed file makes exit 1: {}", text(&out.stderr));
    let v = json(&out);
    let failed: Vec<(String, String)> = v["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let p = PathBuf::from(x["path"].as_str().unwrap());
            (p.file_name().unwrap().to_string_lossy().into_owned(), x["error"].as_str().unwrap().to_string())
        })
        .collect();
    let names: Vec<&str> = failed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["bad_text_renamed.wav", "bad_zero_bytes.wav"], "{failed:?}");
    assert!(failed[1].1.contains("empty file"), "{failed:?}");
    let err = text(&out.stderr);
    assert!(err.contains("bad_zero_bytes.wav: empty file"), "{err}");
    assert!(!err.contains("notes.txt"), "only WAVs: {err}");
    // The rest is stored; the truncated file with its warning.
    assert_eq!(v["indexed"].as_array().unwrap().len(), 3, "{v:#}");
    assert!(stored(&db, &calls.join("dev_f_brief.wav")).is_some());
    assert!(stored(&db, &nested[0]).is_some(), "sub-folders are walked");
    let truncated = stored(&db, &calls.join("bad_truncated.wav")).unwrap();
    assert!(truncated.metrics.warnings.iter().any(|w| w.contains("truncated")), "{truncated:?}");
    // The summary in words says the same.
    let out = run_on(&db, &["index", "--force"], &[&calls]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(
        said.starts_with("indexed 3 call(s) · 0 already indexed · 0 missing file(s) · 2 failed"),
        "{said}"
    );
    assert!(said.contains("warning: ") && said.contains("failed: "), "{said}");
}

#[test]
fn missing_files_are_skipped_and_a_missing_path_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    // No database and nothing to index: a mistake in what was asked (exit 2), nothing made.
    let out = run(&db, &["index"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!db.exists());

    let calls = dir.path().join("calls");
    let files = copy_corpus(&calls, &["dev_c_dispute.wav", "dev_f_brief.wav"]);
    // Recorded, not analysed (as the window's scan records them).
    {
        let mut store = Store::open(&db).unwrap();
        for f in &files {
            let info = callqa::audio::WavReader::open(f).unwrap().info().clone();
            let meta = callqa::model::call::CallMeta::from_wav(f, &info);
            store.upsert_call(&callqa::audio::content_hash(f).unwrap(), f, &meta).unwrap();
        }
    }
    let gone = files[0].clone();
    std::fs::remove_file(&gone).unwrap();
    let out = run(&db, &["index", "--json"]);
    let v: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["indexed"].as_array().unwrap().len(), 1);
    assert_eq!(v["skipped_missing"].as_array().unwrap().len(), 1);
    assert_eq!(v["skipped_missing"][0]["file_name"], "dev_c_dispute.wav");
    assert!(text(&out.stderr).contains("missing"), "{}", text(&out.stderr));
    assert!(stored(&db, &files[1]).is_some());

    // A path given that does not exist fails (exit 1); the others are still indexed.
    let nowhere = dir.path().join("no-such-folder");
    let out = run_on(&db, &["index", "--force", "--json"], &[&nowhere, &files[1]]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["failed"][0]["error"], "no such file or folder");
    assert_eq!(v["indexed"].as_array().unwrap().len(), 1);
}

/// Two agents, six calls each (copies of six corpus calls, each a distinct recording) named
/// `Agent NAME - YYYY-MM-DD HH.MM.SS (x).wav`, indexed; overtalk rates 0, 0, 0, 1.4, 6.0 and
/// 22.1 a minute per agent.
fn overtalk_library(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("qa.sqlite3");
    let calls = dir.join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    let sources = [
        "dev_a_courteous.wav",
        "dev_b_cutoff.wav",
        "dev_c_dispute.wav",
        "dev_d_long_hold.wav",
        "dev_e_hindi_refund.wav",
        "dev_f_brief.wav",
    ];
    for (a, agent) in ["Meena", "Ravi"].iter().enumerate() {
        for (i, src) in sources.iter().enumerate() {
            let name = format!("Agent {agent} - 2024-06-{:02} 10.{i:02}.00 (x).wav", 10 + i);
            variant(src, &calls.join(name), 1 + a as u8);
        }
    }
    ok(&run_on(&db, &["index"], &[&calls]));
    (db, calls)
}

fn sample(db: &Path, seed: &str) -> Value {
    let out = run(
        db,
        &["sample", "--per-agent", "3", "--seed", seed, "--stratify", "overtalk", "--dry-run", "--json"],
    );
    serde_json::from_str(&ok(&out)).unwrap()
}

fn picks(v: &Value) -> Vec<i64> {
    v["items"].as_array().unwrap().iter().map(|i| i["call_id"].as_i64().unwrap()).collect()
}

#[test]
fn sample_by_overtalk_picks_one_call_per_rate_bin_per_agent() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = overtalk_library(dir.path());
    let store = Store::open_read_only(&db).unwrap();
    let rate_of = |id: i64| store.metrics(id).unwrap().unwrap().metrics.overtalk_per_min().unwrap();
    let v = sample(&db, "42");
    assert_eq!(v["params"]["stratify"], "overtalk");
    assert_eq!(v["params"]["analysed_calls"], 12);
    for agent in ["Meena", "Ravi"] {
        // The agent's calls in the sampler's order: by rate, then content hash.
        let mut mine: Vec<(f64, String, i64)> = store
            .calls()
            .unwrap()
            .into_iter()
            .filter(|c| c.meta.agent.as_deref() == Some(agent))
            .map(|c| (rate_of(c.id), c.hash, c.id))
            .collect();
        assert_eq!(mine.len(), 6);
        mine.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let items: Vec<&Value> =
            v["items"].as_array().unwrap().iter().filter(|i| i["agent"] == agent).collect();
        let mut strata: Vec<u64> = items.iter().map(|i| i["stratum"].as_u64().unwrap()).collect();
        strata.sort_unstable();
        assert_eq!(strata, [0, 1, 2], "{agent}: one call per bin");
        for i in &items {
            let id = i["call_id"].as_i64().unwrap();
            let at = mine.iter().position(|m| m.2 == id).unwrap() as u64;
            let bin = i["stratum"].as_u64().unwrap();
            assert!(
                (2 * bin..2 * bin + 2).contains(&at),
                "{agent}: call {id} at rank {at} is not in bin {bin}"
            );
            assert!((i["overtalk_per_min"].as_f64().unwrap() - rate_of(id)).abs() < 1e-9);
        }
        // The most interrupted calls (6.0 and 22.1 a minute) always give one pick.
        assert!(items.iter().any(|i| i["overtalk_per_min"].as_f64().unwrap() > 5.0), "{agent}");
    }
    // The same seed draws the same calls; other seeds other calls.
    assert_eq!(picks(&sample(&db, "42")), picks(&v));
    let others: Vec<Vec<i64>> = ["1", "2", "3", "4", "5"].iter().map(|s| picks(&sample(&db, s))).collect();
    assert!(others.iter().any(|p| *p != picks(&v)), "five other seeds all drew {:?}", picks(&v));

    // A call without stored figures is skipped, and counted with the hint.
    let mut store = Store::open(&db).unwrap();
    let meta = callqa::model::call::CallMeta {
        file_name: "Agent Meena - 2024-06-20 10.00.00 (x).wav".into(),
        duration_s: 60.0,
        sample_rate: 8000,
        channels: 2,
        encoding: "pcm_s16le".into(),
        agent: Some("Meena".into()),
        recorded_at: Some("2024-06-20 10:00:00".into()),
        team: None,
    };
    store.upsert_call(&"e".repeat(64), &dir.path().join("elsewhere.wav"), &meta).unwrap();
    drop(store);
    let v = sample(&db, "42");
    assert_eq!(v["skipped"]["no_analysis"], 1, "{:#}", v["skipped"]);
    let out =
        run(&db, &["sample", "--per-agent", "3", "--seed", "42", "--stratify", "overtalk", "--dry-run"]);
    assert!(ok(&out).contains("1 no analysis stored: run callqa index"), "{}", text(&out.stdout));
    // Stored as a queue like any sample.
    ok(&run(
        &db,
        &["sample", "--per-agent", "3", "--seed", "42", "--stratify", "overtalk", "--name", "heated"],
    ));
    let store = Store::open_read_only(&db).unwrap();
    let q = store.queue_by_name("heated").unwrap().unwrap();
    let queued: Vec<i64> = store.queue_items(q.id, None).unwrap().into_iter().map(|i| i.call.id).collect();
    assert_eq!(queued, picks(&sample(&db, "42")));
}

#[test]
fn sample_by_overtalk_without_stored_figures_is_refused_with_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    let calls = dir.path().join("calls");
    let files = copy_corpus(&calls, &["Agent Meena - 2024-06-12 09.05.41 (library hours).wav"]);
    {
        let mut store = Store::open(&db).unwrap();
        let f = &files[0];
        let info = callqa::audio::WavReader::open(f).unwrap().info().clone();
        let meta = callqa::model::call::CallMeta::from_wav(f, &info);
        store.upsert_call(&callqa::audio::content_hash(f).unwrap(), f, &meta).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let out = run(&db, &["sample", "--per-agent", "2", "--seed", "7", "--stratify", "overtalk"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("run `callqa index` first"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing stored");
    // Once indexed, the same command works.
    ok(&run(&db, &["index"]));
    ok(&run(&db, &["sample", "--per-agent", "2", "--seed", "7", "--stratify", "overtalk"]));
}

#[test]
fn the_window_stores_the_figures_of_the_call_it_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reviews.sqlite3");
    let wav = corpus("dev_c_dispute.wav");
    let mut h = ui_common::harness(&db, vec![wav.clone()], "Asha");
    ui_common::run_until(&mut h, "the call's analysis and row", 60, |app| {
        app.call.as_ref().is_some_and(|c| c.error.is_some() || (c.analysis.is_some() && c.call_id.is_some()))
    });
    let (call_id, analysis) = {
        let c = h.state().call.as_ref().unwrap();
        assert_eq!(c.error, None);
        (c.call_id.unwrap(), c.analysis.clone().unwrap())
    };
    let db_read = db.clone();
    ui_common::run_until(&mut h, "the figures stored", 30, move |_| {
        Store::open_read_only(&db_read).is_ok_and(|s| s.metrics(call_id).is_ok_and(|m| m.is_some()))
    });
    let saved = Store::open_read_only(&db).unwrap().metrics(call_id).unwrap().unwrap();
    assert_eq!(saved.metrics, CallMetrics::from_analysis(&analysis));
    assert_eq!(saved.metrics.overtalk_count, 7);
    // `callqa index` then has nothing to do for that call.
    drop(h);
    let v: Value = serde_json::from_str(&ok(&run(&db, &["index", "--json"]))).unwrap();
    assert_eq!(v["already_indexed"], 1);
}

/// An index killed part way (as by a crash or Ctrl+C) keeps what it stored, and the next run
/// does the rest: every call once, nothing twice.
#[test]
fn an_index_killed_part_way_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    let n = 60u8;
    for k in 1..=n {
        variant("dev_d_long_hold.wav", &calls.join(format!("call{k:03}.wav")), k);
    }
    let db = dir.path().join("t.sqlite3");
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .arg("index")
        .arg(&calls)
        .env_remove("CALLQA_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some figures are stored and before it is done.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut seen = 0;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        seen = Store::open_read_only(&db).and_then(|s| s.all_metrics()).map_or(0, |m| m.len());
        if seen >= 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let before = Store::open_read_only(&db).unwrap().all_metrics().unwrap().len();
    assert!(before >= 3, "some figures were stored before the kill ({before})");
    assert!(before < usize::from(n), "the kill came before the end ({before} of {n})");

    let out = json(&run_on(&db, &["index", "--json"], &[&calls]));
    let indexed = out["indexed"].as_array().map_or(usize::MAX, Vec::len);
    let skipped = out["already_indexed"].as_u64().unwrap_or(u64::MAX) as usize;
    assert_eq!(indexed + skipped, usize::from(n), "{out}");
    assert!(skipped >= before, "what was stored is not analysed again: {out}");
    let store = Store::open_read_only(&db).unwrap();
    let all = store.all_metrics().unwrap();
    assert_eq!(all.len(), usize::from(n), "every call once");
    assert_eq!(store.calls().unwrap().len(), usize::from(n), "no call twice");
    assert!(seen <= before, "{seen} seen, {before} after the kill");
}

/// The stored call of the audio in `wav`: (agent, recorded_at, team).
fn who(db: &Path, wav: &Path) -> (Option<String>, Option<String>, Option<String>) {
    let store = Store::open_read_only(db).unwrap();
    let call = store.call_by_hash(&callqa::audio::content_hash(wav).unwrap()).unwrap().unwrap();
    (call.meta.agent, call.meta.recorded_at, call.meta.team)
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// The agent's team (issue 14's leftover). The rule: what `--metadata` (first) and
/// `--name-pattern` say is stored and wins over what the file and the database say; what
/// they do not say keeps the stored value — a scan, a review or an index without team
/// information, or a CSV row with an empty team cell, never erases a team.
#[test]
fn index_stores_the_team_of_a_metadata_csv_or_a_name_pattern_and_nothing_erases_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    let calls = dir.path().join("calls");
    let a = copy_corpus(&calls, &["dev_a_courteous.wav"]).remove(0);
    let b = calls.join("BILLING_Ravi_20240613_101112_C7.wav");
    std::fs::copy(corpus("dev_f_brief.wav"), &b).unwrap();
    let csv = dir.path().join("dialer.csv");
    let a_abs = std::path::absolute(&a).unwrap();
    std::fs::write(
        &csv,
        format!("path,agent,team,date\n{},Meena,Care,2024-06-12 09:05:41\n", a_abs.display()),
    )
    .unwrap();
    let pattern = r"(?P<team>[A-Z]+)_(?P<agent>[^_]+)_(?P<date>\d{8})_(?P<time>\d{6})_(?P<customer>C\d+)";
    let csv_arg = csv.to_str().unwrap();
    let v =
        json(&run_on(&db, &["index", "--json", "--metadata", csv_arg, "--name-pattern", pattern], &[&calls]));
    assert_eq!(v["indexed"].as_array().unwrap().len(), 2, "{v:#}");
    assert_eq!(who(&db, &a), (some("Meena"), some("2024-06-12 09:05:41"), some("Care")));
    assert_eq!(who(&db, &b), (some("Ravi"), some("2024-06-13 10:11:12"), some("BILLING")));

    // Later runs that know no team: index again (files, and the database's calls), a review
    // on the command line, the window's scan (`upsert_call` with what the file says).
    ok(&run_on(&db, &["index", "--force"], &[&calls]));
    ok(&run(&db, &["index", "--force"]));
    ok(&run(&db, &["review", a.to_str().unwrap(), "--reviewer", "Asha", "--answer", "no_arguing=yes"]));
    {
        let mut store = Store::open(&db).unwrap();
        for wav in [&a, &b] {
            let info = callqa::audio::WavReader::open(wav).unwrap().info().clone();
            let meta = callqa::model::call::CallMeta::from_wav(wav, &info);
            assert_eq!(meta.team, None, "the file itself says no team");
            store.upsert_call(&callqa::audio::content_hash(wav).unwrap(), wav, &meta).unwrap();
        }
    }
    assert_eq!(who(&db, &a).2, some("Care"));
    assert_eq!(who(&db, &b).2, some("BILLING"));

    // A CSV row with an empty team cell (by file name) changes the agent, keeps the team.
    std::fs::write(&csv, "file_name,agent,team\ndev_a_courteous.wav,Meena K,\n").unwrap();
    let v = json(&run(&db, &["index", "--json", "--metadata", csv_arg]));
    assert_eq!(v["details_updated"], 1, "{v:#}");
    assert_eq!(who(&db, &a), (some("Meena K"), some("2024-06-12 09:05:41"), some("Care")));
    // Another team in the CSV replaces it (the database's calls, already indexed: no analysis).
    std::fs::write(&csv, "file_name,team\ndev_a_courteous.wav,Collections\n").unwrap();
    let v = json(&run(&db, &["index", "--json", "--metadata", csv_arg]));
    assert_eq!(
        (v["details_updated"].as_u64(), v["indexed"].as_array().unwrap().len()),
        (Some(1), 0),
        "{v:#}"
    );
    assert_eq!(who(&db, &a).2, some("Collections"));
    assert_eq!(who(&db, &b).2, some("BILLING"), "a call the CSV does not name keeps its team");
    // The change is audited.
    let store = Store::open_read_only(&db).unwrap();
    let log = store.audit_log(None).unwrap();
    let last = log.iter().rev().find(|e| e.action == "update_call").unwrap();
    assert!(
        last.detail.contains("\"team\":\"Care\"") && last.detail.contains("\"team\":\"Collections\""),
        "{}",
        last.detail
    );

    // A metadata CSV that is not one is refused before anything is written.
    std::fs::write(&csv, "agent,team\nMeena,Care\n").unwrap();
    let out = run(&db, &["index", "--metadata", csv_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no path or file_name column"), "{}", text(&out.stderr));
}

/// `callqa report --team` on the real binary: only that team's calls count; with `--by agent`
/// the agents' teams are a column; an unknown team is refused, naming the known ones.
#[test]
fn report_filters_by_team_and_shows_the_agents_teams() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("qa.sqlite3");
    let calls = dir.path().join("calls");
    let names = [
        "CARE_Meena_20240612_090541_C1.wav",
        "CARE_Asha_20240613_090541_C2.wav",
        "BILLING_Ravi_20240614_090541_C3.wav",
    ];
    let srcs = ["dev_a_courteous.wav", "dev_b_cutoff.wav", "dev_f_brief.wav"];
    std::fs::create_dir_all(&calls).unwrap();
    let mut wavs = Vec::new();
    for (n, s) in names.iter().zip(srcs) {
        let to = calls.join(n);
        std::fs::copy(corpus(s), &to).unwrap();
        wavs.push(to);
    }
    let pattern = r"(?P<team>[A-Z]+)_(?P<agent>[^_]+)_(?P<date>\d{8})_(?P<time>\d{6})_(?P<customer>C\d+)";
    ok(&run_on(&db, &["index", "--name-pattern", pattern], &[&calls]));
    for w in &wavs {
        let mut args = vec!["review", w.to_str().unwrap(), "--reviewer", "Kiran", "--submit"];
        for a in ["let_customer_finish=yes", "no_arguing=yes", "admitted_fault=yes", "set_callback_time=na"] {
            args.extend(["--answer", a]);
        }
        ok(&run(&db, &args));
    }
    let v = json(&run(&db, &["report", "--by", "agent", "--team", "CARE", "--json"]));
    assert_eq!(v["filter"]["team"], "CARE");
    assert_eq!(v["report"]["overall"]["reviews"], 2, "{v:#}");
    let agents: Vec<&str> =
        v["report"]["groups"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(agents, ["Asha", "Meena"]);
    assert_eq!(v["report"]["groups"][0]["teams"], serde_json::json!(["CARE"]));
    let all = json(&run(&db, &["report", "--json"]));
    assert_eq!(all["report"]["overall"]["reviews"], 3);

    let table = ok(&run(&db, &["report", "--team", "BILLING"]));
    assert!(table.starts_with("1 submitted review\n"), "{table}");
    let header = table.lines().nth(1).unwrap();
    assert!(header.starts_with("agent") && header.contains(" team "), "{table}");
    let ravi = table.lines().find(|l| l.starts_with("Ravi")).unwrap();
    assert!(ravi.contains("BILLING"), "{table}");
    assert!(!table.contains("Meena"), "{table}");

    let out = run(&db, &["report", "--team", "Sales"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("no call has the team \"Sales\"") && err.contains("teams: BILLING, CARE"), "{err}");
    assert!(out.stdout.is_empty());
}
