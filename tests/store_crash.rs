//! Crash safety and concurrency on a real database file.
//!
//! The parent re-runs this test binary with an environment variable selecting an `#[ignore]`d
//! child test that saves reviews in a loop and prints `saved ID I` after each save returns.
//! - `kill_9_loses_nothing_that_was_saved`: 30 times, a child is killed with SIGKILL at a
//!   random moment; afterwards `PRAGMA integrity_check` is ok, every printed review is there
//!   and complete, and every review in the file is in one of the two states a save can leave.
//! - `two_processes_review_at_once`: two children write into one database at the same time;
//!   both finish without an error and every review is there.
//! - `kill_9_while_creating_the_database_leaves_it_usable`: kills during creation and
//!   migration of a fresh file; it always opens afterwards, consistent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer, ReviewStatus};
use callqa::store::{ReviewDraft, Store};

const CHILD_DB: &str = "CALLQA_TEST_CHILD_DB";
const CHILD_TAG: &str = "CALLQA_TEST_CHILD_TAG";
const CHILD_COUNT: &str = "CALLQA_TEST_CHILD_COUNT";
/// Pause between saves, as a person would (lets two writers take turns instead of one
/// starving the other; SQLite's lock is not fair).
const CHILD_PAUSE_MS: &str = "CALLQA_TEST_CHILD_PAUSE_MS";

/// The first two answers, saved as a draft; then all four, submitted.
fn answers_for(i: u64, tag: &str) -> Vec<ItemAnswer> {
    let pick = |n: u64| match (i + n) % 3 {
        0 => Answer::Yes,
        1 => Answer::No,
        _ => Answer::NotApplicable,
    };
    let keys = ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"];
    keys.iter()
        .enumerate()
        .map(|(n, k)| ItemAnswer {
            key: k.to_string(),
            answer: Some(pick(n as u64)),
            comment: format!("{tag} #{i} टिप्पणी {n}"),
            evidence_s: vec![i as f64 * 0.5, n as f64],
        })
        .collect()
}

/// The child: open the database, save reviews in a loop (each a draft, then edited and
/// submitted), print `saved ID I` after each submit returns. Reopens the store now and then.
fn child_loop(db_path: &Path, tag: &str, count: u64, pause: Duration) {
    let mut db = Store::open(db_path).unwrap();
    let meta = CallMeta { file_name: format!("{tag}.wav"), duration_s: 1.0e6, ..CallMeta::default() };
    let call = db.upsert_call(&format!("hash-{tag}"), Path::new("/calls/x.wav"), &meta).unwrap();
    let card = db.default_scorecard().unwrap();
    for i in 0..count {
        if i % 10 == 9 {
            db = Store::open(db_path).unwrap();
        }
        let all = answers_for(i, tag);
        let mut draft = ReviewDraft {
            id: None,
            call_id: call,
            card_id: card.id,
            reviewer: format!("{tag}-reviewer"),
            answers: all[..2].to_vec(),
        };
        let id = db.save_review(&draft, false).unwrap();
        draft.id = Some(id);
        draft.answers = all;
        db.save_review(&draft, true).unwrap();
        println!("saved {id} {i}");
        std::thread::sleep(pause);
    }
}

#[test]
#[ignore = "child process of the crash and concurrency tests"]
fn child() {
    let Ok(db) = std::env::var(CHILD_DB) else { return };
    let tag = std::env::var(CHILD_TAG).unwrap();
    let count = std::env::var(CHILD_COUNT).map(|c| c.parse().unwrap()).unwrap_or(u64::MAX);
    let pause = std::env::var(CHILD_PAUSE_MS).map(|c| c.parse().unwrap()).unwrap_or(0);
    child_loop(Path::new(&db), &tag, count, Duration::from_millis(pause));
}

fn spawn_child(db: &Path, tag: &str, count: Option<u64>) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", "child", "--nocapture", "--test-threads=1", "-q"])
        .env(CHILD_DB, db)
        .env(CHILD_TAG, tag)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(n) = count {
        cmd.env(CHILD_COUNT, n.to_string()).env(CHILD_PAUSE_MS, "2");
    }
    cmd.spawn().unwrap()
}

fn parse_saved(line: &str) -> Option<(i64, u64)> {
    let rest = line.strip_prefix("saved ")?;
    let (id, i) = rest.split_once(' ')?;
    Some((id.parse().ok()?, i.trim().parse().ok()?))
}

/// A small xorshift generator seeded from the clock (the seed is printed for reruns).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Checks that every review in the file is in a state a save can leave, and returns them
/// by id with their loop number.
fn check_all(db: &Store, tag: &str) -> BTreeMap<i64, (u64, ReviewStatus)> {
    let mut out = BTreeMap::new();
    for row in db.export_rows().unwrap() {
        let r = row.review;
        let i: u64 =
            r.answers[0].comment.split('#').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let all = answers_for(i, tag);
        match r.status {
            ReviewStatus::Submitted => assert_eq!(r.answers, all, "review {} torn", r.id),
            ReviewStatus::Draft => {
                assert_eq!(r.answers[..2], all[..2], "draft {} torn", r.id);
                assert!(r.answers[2..].iter().all(|a| a.answer.is_none() && a.comment.is_empty()));
            }
        }
        assert_eq!(r.score, callqa::model::scorecard::score(&row.card.card, &r.answers));
        out.insert(r.id, (i, r.status));
    }
    out
}

#[test]
fn kill_9_loses_nothing_that_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("crash.sqlite3");
    let seed = Instant::now().elapsed().as_nanos() as u64
        ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut rng = Rng(seed);
    let mut printed: BTreeMap<i64, u64> = BTreeMap::new();
    let kills = 30;
    for round in 0..kills {
        let mut child = spawn_child(&db_path, "crash", None);
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(p) = parse_saved(&line) {
                    let _ = tx.send(p);
                }
            }
        });
        // Wait for the first save (the child is running), then a random 0-80 ms more.
        let first = rx.recv_timeout(Duration::from_secs(60)).expect("child made no save");
        printed.insert(first.0, first.1);
        std::thread::sleep(Duration::from_micros(rng.next() % 80_000));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "round {round}: the child was not killed");
        reader.join().unwrap();
        for (id, i) in rx.try_iter() {
            printed.insert(id, i);
        }
    }
    assert!(printed.len() >= kills, "only {} saves reported", printed.len());

    let c = rusqlite::Connection::open(&db_path).unwrap();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let fk: Vec<String> = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(fk.is_empty(), "{fk:?}");
    drop(c);

    let db = Store::open(&db_path).unwrap();
    let stored = check_all(&db, "crash");
    for (id, i) in &printed {
        assert_eq!(stored.get(id), Some(&(*i, ReviewStatus::Submitted)), "review {id} (save {i}) lost");
    }
    let drafts = stored.values().filter(|(_, s)| *s == ReviewStatus::Draft).count();
    println!(
        "{kills} kills: {} saves reported, {} reviews stored ({} submitted but unreported or draft: {drafts} drafts)",
        printed.len(),
        stored.len(),
        stored.len() - printed.len()
    );
}

#[test]
fn two_processes_review_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("shared.sqlite3");
    let per_child = 150;
    let children: Vec<_> =
        ["alpha", "beta"].iter().map(|t| (*t, spawn_child(&db_path, t, Some(per_child)))).collect();
    let mut ids = Vec::new();
    let mut ranges = Vec::new();
    for (tag, child) in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{tag} failed: {stderr}");
        let saved: Vec<_> = String::from_utf8_lossy(&out.stdout).lines().filter_map(parse_saved).collect();
        assert_eq!(saved.len() as u64, per_child, "{tag}");
        let (lo, hi) = (saved.iter().map(|s| s.0).min().unwrap(), saved.iter().map(|s| s.0).max().unwrap());
        ranges.push((lo, hi));
        ids.extend(saved.into_iter().map(|(id, _)| id));
    }
    // The two processes really wrote at the same time: their review ids interleave.
    let ((a_lo, a_hi), (b_lo, b_hi)) = (ranges[0], ranges[1]);
    assert!(a_lo < b_hi && b_lo < a_hi, "no overlap: {ranges:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as u64, 2 * per_child, "two processes got the same id");
    let db = Store::open(&db_path).unwrap();
    let rows = db.export_rows().unwrap();
    assert_eq!(rows.len() as u64, 2 * per_child);
    assert!(rows.iter().all(|r| r.review.status == ReviewStatus::Submitted && r.review.score.complete));
    assert_eq!(db.calls().unwrap().len(), 2);
    assert_eq!(db.scorecards().unwrap().len(), 1, "both processes share one default card version");
}

#[test]
fn kill_9_while_creating_the_database_leaves_it_usable() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        as u64
        | 1);
    let mut created = 0;
    for round in 0..12 {
        let db_path = dir.path().join(format!("fresh-{round}.sqlite3"));
        let mut child = spawn_child(&db_path, "fresh", None);
        std::thread::sleep(Duration::from_micros(rng.next() % 120_000));
        child.kill().unwrap();
        child.wait().unwrap();
        // Whatever moment the kill hit, the file opens (created and migrated if needed).
        let db = Store::open(&db_path).unwrap_or_else(|e| panic!("round {round}: {e}"));
        created += usize::from(!db.calls().unwrap().is_empty());
        check_all(&db, "fresh");
        let c = rusqlite::Connection::open(&db_path).unwrap();
        let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "round {round}");
    }
    println!("12 kills during creation: {created} had already stored their call");
}
