//! Blind calibration sessions (issue 14): a lead's calls × reviewers, reviews made in the
//! session kept apart (never in reports, exports, the library or the plain calibration),
//! the session's own figures, and the refusals. The real binary and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use std::path::Path;
use std::process::{Command, Output};

use cli_common::{corpus, ok, text};
use serde_json::Value;

fn callqa(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callqa")).arg("--db").arg(db).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `callqa review` with four answers (`a`: let_customer_finish, `b`: no_arguing).
fn review(db: &Path, file: &Path, who: &str, a: &str, b: &str, session: Option<&str>) -> Output {
    let mut args = vec![
        "review",
        s(file),
        "--reviewer",
        who,
        "--answer",
        &*Box::leak(format!("let_customer_finish={a}").into_boxed_str()),
        "--answer",
        &*Box::leak(format!("no_arguing={b}").into_boxed_str()),
        "--answer",
        "admitted_fault=na",
        "--answer",
        "set_callback_time=yes",
        "--submit",
    ];
    if let Some(sess) = session {
        args.extend(["--session", sess]);
    }
    callqa(db, &args)
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

#[test]
fn session_reviews_count_only_in_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let (b, c) = (corpus("dev_b_cutoff.wav"), corpus("dev_c_dispute.wav"));
    // Regular reviews first: Asha scores dev_b (no interruptions: yes).
    ok(&review(&db, &b, "Asha", "yes", "yes", None));
    let out = ok(&callqa(
        &db,
        &[
            "calibration",
            "create",
            "June week 2",
            "--calls",
            s(&b),
            s(&c),
            "--reviewers",
            "Asha,Ben,Chitra",
            "--by",
            "Priya",
        ],
    ));
    assert!(out.contains("2 call(s)"), "{out}");
    // In the session everyone scores both calls; Chitra is strict on dev_b.
    for who in ["Asha", "Ben", "Chitra"] {
        let a = if who == "Chitra" { "yes" } else { "no" };
        ok(&review(&db, &b, who, a, "yes", Some("June week 2")));
        ok(&review(&db, &c, who, "no", "no", Some("June week 2")));
    }

    // Reports, exports and the plain calibration see only Asha's regular review.
    let rep = json(&callqa(&db, &["report", "--json"]));
    assert_eq!(rep["report"]["overall"]["reviews"], 1, "{rep}");
    let exp = json(&callqa(&db, &["export", "--json", "-"]));
    assert_eq!(exp["reviews"].as_array().map_or(usize::MAX, Vec::len), 1, "{exp}");
    let plain = json(&callqa(&db, &["calibrate", "--json"]));
    assert!(plain["calibration"]["calls"].as_array().unwrap().is_empty(), "{plain}");
    // Asha's regular review is still hers, unchanged (the session one is another review).
    let store = callqa::store::Store::open(&db).unwrap();
    let call = store.call_by_hash(&callqa::audio::content_hash(&b).unwrap()).unwrap().unwrap();
    let regular = store.latest_review(call.id, "Asha").unwrap().unwrap();
    assert_eq!(regular.score.percent, Some(100.0));
    drop(store);

    // The session's figures: both calls, three reviewers each.
    let cal = json(&callqa(&db, &["calibrate", "--session", "June week 2", "--json"]));
    let calls = cal["calibration"]["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2, "{cal}");
    for call in calls {
        assert_eq!(call["scores"].as_array().unwrap().len(), 3, "{call}");
    }
    assert_eq!(cal["session"]["reviews"], 6);
    assert_eq!(cal["session"]["expected_reviews"], 6);
    // On dev_b the reviewers disagree about interruptions: that item is not unanimous.
    let items = cal["calibration"]["items"].as_array().unwrap();
    let finish = items.iter().find(|i| i["item"] == "let_customer_finish").unwrap();
    assert_eq!((finish["calls"].as_u64(), finish["agreed"].as_u64()), (Some(2), Some(1)), "{finish}");
    let arguing = items.iter().find(|i| i["item"] == "no_arguing").unwrap();
    assert_eq!(arguing["agreed"], 2, "{arguing}");
    // Chitra scored dev_b higher than the other two: the lenient one.
    let chitra =
        cal["calibration"]["reviewers"].as_array().unwrap().iter().find(|r| r["reviewer"] == "Chitra");
    assert!(chitra.is_some_and(|r| r["mean_offset"].as_f64().unwrap_or(0.0) > 0.0), "{cal}");
    let list = ok(&callqa(&db, &["calibration", "list"]));
    assert!(list.contains("June week 2") && list.contains("6 of 6 submitted"), "{list}");
}

#[test]
fn only_the_sessions_calls_and_reviewers_and_no_change_after_submit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let (b, f) = (corpus("dev_b_cutoff.wav"), corpus("dev_f_brief.wav"));
    ok(&callqa(&db, &["calibration", "create", "S1", "--calls", s(&b), "--reviewers", "Asha,Ben"]));
    // A reviewer who is not in it, a call that is not in it.
    let out = review(&db, &b, "Zed", "yes", "yes", Some("S1"));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not a reviewer of calibration session"), "{}", text(&out.stderr));
    let out = review(&db, &f, "Asha", "yes", "yes", Some("S1"));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("is not in calibration session"), "{}", text(&out.stderr));
    // Submitted means final in a session.
    ok(&review(&db, &b, "Asha", "yes", "yes", Some("S1")));
    let out = review(&db, &b, "Asha", "no", "yes", Some("S1"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot be changed"), "{}", text(&out.stderr));
    // An unknown session, a taken name, one reviewer only.
    let out = review(&db, &b, "Asha", "yes", "yes", Some("Nope"));
    assert_eq!(out.status.code(), Some(2));
    let out = callqa(&db, &["calibration", "create", "S1", "--calls", s(&b), "--reviewers", "Asha,Ben"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("exists already"), "{}", text(&out.stderr));
    let out = callqa(&db, &["calibration", "create", "S2", "--calls", s(&b), "--reviewers", "Asha"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("at least two reviewers"), "{}", text(&out.stderr));
}

#[test]
fn the_library_and_latest_review_ignore_session_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let b = corpus("dev_b_cutoff.wav");
    ok(&callqa(&db, &["calibration", "create", "S", "--calls", s(&b), "--reviewers", "Asha,Ben"]));
    ok(&review(&db, &b, "Asha", "no", "yes", Some("S")));
    let store = callqa::store::Store::open(&db).unwrap();
    let call = store.call_by_hash(&callqa::audio::content_hash(&b).unwrap()).unwrap().unwrap();
    assert!(store.latest_review(call.id, "Asha").unwrap().is_none());
    assert!(store.reviews_of_call(call.id).unwrap().is_empty());
    let states = store.review_states().unwrap();
    assert_eq!(states.get(&call.hash), Some(&callqa::store::ReviewState::NotReviewed));
    let s = store.session_by_name("S").unwrap().unwrap();
    let r = store.latest_session_review(s.id, call.id, "Asha").unwrap().unwrap();
    assert_eq!(r.status, callqa::model::scorecard::ReviewStatus::Submitted);
    assert_eq!(store.sessions(Some("Ben")).unwrap().len(), 1);
    assert!(store.sessions(Some("Zed")).unwrap().is_empty());
}
