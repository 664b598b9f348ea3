//! The store's library API on real database files in a temporary folder: reviews, versions,
//! moves, audit, states, and the refusals (corrupt, read-only, missing folder, locked, newer
//! schema, unknown item, incomplete submit), each leaving the database unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer, ReviewStatus, Scorecard};
use callqa::store::{ClipDraft, ClipKind, ReviewDraft, ReviewState, Store, StoreError};

fn meta(name: &str) -> CallMeta {
    CallMeta {
        file_name: name.into(),
        duration_s: 15.0,
        sample_rate: 8000,
        channels: 2,
        encoding: "pcm_s16le".into(),
        agent: Some("Meena".into()),
        recorded_at: Some("2024-06-12 09:05:41".into()),
        team: None,
    }
}

fn ans(key: &str, a: Answer) -> ItemAnswer {
    ItemAnswer::new(key, Some(a))
}

fn full_answers() -> Vec<ItemAnswer> {
    let mut lcf = ans("let_customer_finish", Answer::No);
    lcf.evidence_s = vec![10.9, 12.0];
    lcf.comment = "ग्राहक को दो बार बीच में टोका".into();
    vec![
        lcf,
        ans("no_arguing", Answer::Yes),
        ans("admitted_fault", Answer::NotApplicable),
        ans("set_callback_time", Answer::Yes),
    ]
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("reviews.sqlite3")
}

/// Every row of every table, as text: "changes nothing" means this is equal before and after.
fn dump(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for t in ["calls", "scorecards", "reviews", "answers", "clips", "audit"] {
        let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY rowid")).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                let cells: Vec<String> =
                    (0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>();
                Ok(format!("{t}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

#[test]
fn review_lifecycle_with_audit_and_states() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&db_in(&dir)).unwrap();
    let call = db.upsert_call("hash-a", Path::new("/calls/a.wav"), &meta("a.wav")).unwrap();
    let card = db.default_scorecard().unwrap();
    assert_eq!(card.version, 1);
    assert_eq!(db.default_scorecard().unwrap().id, card.id, "the default card is stored once");

    let states = db.review_states().unwrap();
    assert_eq!(states.get("hash-a"), Some(&ReviewState::NotReviewed));

    // A draft with two answers.
    let mut draft = ReviewDraft {
        id: None,
        call_id: call,
        card_id: card.id,
        reviewer: "Asha".into(),
        answers: full_answers()[..2].to_vec(),
    };
    let id = db.save_review(&draft, false).unwrap();
    let r = db.latest_review(call, "Asha").unwrap().unwrap();
    assert_eq!((r.id, r.status), (id, ReviewStatus::Draft));
    assert_eq!(r.answers.len(), 4, "one entry per card item");
    assert_eq!(r.answers[0], full_answers()[0]);
    assert_eq!(r.answers[2].answer, None);
    assert!(!r.score.complete);
    assert_eq!(r.score.percent, Some(50.0), "1 yes of 2 answered so far");
    assert_eq!(
        db.review_states().unwrap().get("hash-a"),
        Some(&ReviewState::Draft { reviewer: "Asha".into() })
    );

    // Submitting with items missing is refused and changes nothing.
    let before = dump(&db_in(&dir));
    draft.id = Some(id);
    match db.save_review(&draft, true) {
        Err(StoreError::Incomplete(missing)) => assert_eq!(missing, ["admitted_fault", "set_callback_time"]),
        other => panic!("expected Incomplete, got {other:?}"),
    }
    assert_eq!(dump(&db_in(&dir)), before);

    // Complete and submit.
    draft.answers = full_answers();
    assert_eq!(db.save_review(&draft, true).unwrap(), id);
    let r = db.review(id).unwrap();
    assert_eq!(r.status, ReviewStatus::Submitted);
    assert!(r.submitted_at.is_some());
    assert_eq!(r.answers, full_answers());
    assert!((r.score.percent.unwrap() - 200.0 / 3.0).abs() < 1e-9);

    // Saving the same thing again writes nothing.
    let before = dump(&db_in(&dir));
    assert_eq!(db.save_review(&draft, true).unwrap(), id);
    assert_eq!(dump(&db_in(&dir)), before);

    // A later edit needs a reason (an amendment) and keeps it submitted; a draft save cannot
    // un-submit it.
    draft.answers[1].answer = Some(Answer::No);
    assert!(matches!(db.save_review(&draft, false), Err(StoreError::AmendNeedsReason)));
    db.amend_review(&draft, "listened again").unwrap();
    let r = db.review(id).unwrap();
    assert_eq!(r.status, ReviewStatus::Submitted);
    assert!(r.score.critical_failed, "no_arguing is critical");
    assert_eq!(r.score.percent, Some(0.0));

    let log = db.audit_log(Some(id)).unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "submit", "edit"]);
    assert!(log.iter().all(|e| e.actor == "Asha" && !e.at.is_empty()));
    assert!(log[2].detail.contains("no_arguing") && log[2].detail.contains("\"from\""), "{}", log[2].detail);

    match db.review_states().unwrap().get("hash-a") {
        Some(ReviewState::Submitted { reviewer, percent, critical_failed }) => {
            assert_eq!((reviewer.as_str(), *percent, *critical_failed), ("Asha", Some(0.0), true));
        }
        other => panic!("{other:?}"),
    }

    // Another reviewer's review is separate; editing Asha's review as Ravi is refused.
    let other = ReviewDraft { reviewer: "Ravi".into(), ..draft.clone() };
    assert!(matches!(db.save_review(&other, false), Err(StoreError::Mismatch { .. })));
    let ravi = db.save_review(&ReviewDraft { id: None, ..other }, false).unwrap();
    assert_ne!(ravi, id);
    assert_eq!(db.reviews_of_call(call).unwrap().len(), 2);
}

#[test]
fn moved_file_keeps_its_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&db_in(&dir)).unwrap();
    let id = db.upsert_call("h1", Path::new("/old/a.wav"), &meta("a.wav")).unwrap();
    let card = db.default_scorecard().unwrap();
    let draft =
        ReviewDraft { id: None, call_id: id, card_id: card.id, reviewer: "Asha".into(), answers: vec![] };
    db.save_review(&draft, false).unwrap();
    let audit_before = db.audit_log(None).unwrap().len();
    assert_eq!(db.upsert_call("h1", Path::new("/old/a.wav"), &meta("a.wav")).unwrap(), id);
    assert_eq!(db.audit_log(None).unwrap().len(), audit_before, "nothing changed, nothing written");

    let moved = db.upsert_call("h1", Path::new("/new/renamed.wav"), &meta("renamed.wav")).unwrap();
    assert_eq!(moved, id);
    let c = db.call_by_hash("h1").unwrap().unwrap();
    assert_eq!(c.path, PathBuf::from("/new/renamed.wav"));
    assert_eq!(c.meta.file_name, "renamed.wav");
    assert_eq!(db.reviews_of_call(id).unwrap().len(), 1);
    let log = db.audit_log(None).unwrap();
    assert_eq!(log.last().unwrap().action, "move_call");
    assert!(log.last().unwrap().detail.contains("/old/a.wav"));
    assert_eq!(db.calls().unwrap().len(), 1);
}

#[test]
fn edited_card_is_a_new_version_and_old_reviews_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&db_in(&dir)).unwrap();
    let call = db.upsert_call("h", Path::new("/a.wav"), &meta("a.wav")).unwrap();
    let v1 = db.default_scorecard().unwrap();
    let old = ReviewDraft {
        id: None,
        call_id: call,
        card_id: v1.id,
        reviewer: "Asha".into(),
        answers: full_answers(),
    };
    let old_id = db.save_review(&old, true).unwrap();

    let mut edited = Scorecard::default_card();
    edited.sections[0].items[0].weight = 3.0;
    edited.sections[0].items.push(callqa::model::scorecard::Item {
        key: "greeted".into(),
        title: "Greeted the customer".into(),
        title_hi: "अभिवादन किया".into(),
        description: String::new(),
        description_hi: String::new(),
        weight: 1.0,
        critical: false,
        phrases: None,
    });
    let v2 = db.ensure_scorecard(&edited).unwrap();
    assert_eq!((v2.name.as_str(), v2.version), (v1.name.as_str(), 2));
    assert_ne!(v2.hash, v1.hash);
    assert_eq!(db.ensure_scorecard(&edited).unwrap().id, v2.id, "same content, same version");
    assert_eq!(db.scorecards().unwrap().len(), 2);

    let r = db.review(old_id).unwrap();
    assert_eq!(r.card_id, v1.id);
    assert_eq!(r.answers.len(), 4, "the old review is read with the old card");
    assert_eq!(db.scorecard(v1.id).unwrap().card, Scorecard::default_card());

    // An answer for an item the card does not have is refused, naming the known items.
    let bad = ReviewDraft { answers: vec![ans("greeted", Answer::Yes)], id: None, ..old };
    let err = db.save_review(&bad, false).unwrap_err();
    assert!(err.to_string().contains("unknown item \"greeted\""), "{err}");
    assert!(err.to_string().contains("set_callback_time"), "{err}");
}

#[test]
fn corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let mut bytes = vec![0u8; 8192];
    let mut x: u32 = 12345;
    for b in &mut bytes {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase(_)), "{err:?}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no -wal/-shm files created: {leftovers:?}");
}

#[test]
fn missing_folder_read_only_and_too_new_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/db.sqlite3");
    let err = Store::open(&missing).unwrap_err();
    assert!(matches!(err, StoreError::MissingDir(_)), "{err:?}");
    assert!(!dir.path().join("no").exists());

    // Read-only.
    let path = db_in(&dir);
    drop(Store::open(&path).unwrap());
    let before = std::fs::read(&path).unwrap();
    let mut perm = std::fs::metadata(&path).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&path, perm.clone()).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // It can still be read (exports, reports), and a save through a read-only store fails.
    let mut ro = Store::open_read_only(&path).unwrap();
    assert_eq!(ro.calls().unwrap().len(), 0);
    assert!(matches!(ro.upsert_call("h", Path::new("/a.wav"), &meta("a.wav")), Err(StoreError::ReadOnly(_))));
    drop(ro);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&path, perm).unwrap();

    // Written by a newer callqa.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew { found, supported, .. } => {
            assert_eq!((*found, *supported), (99, callqa::store::schema_version()))
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("newer callqa"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE calls (x); INSERT INTO calls VALUES (1);").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Foreign(_)), "{err:?}");
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn evidence_after_the_end_of_the_call_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&db_in(&dir)).unwrap();
    let call = db.upsert_call("h", Path::new("/a.wav"), &meta("a.wav")).unwrap();
    let card = db.default_scorecard().unwrap();
    let mut a = ans("no_arguing", Answer::No);
    a.evidence_s = vec![3.0, 15.4];
    let mut draft =
        ReviewDraft { id: None, call_id: call, card_id: card.id, reviewer: "A".into(), answers: vec![a] };
    db.save_review(&draft, false).unwrap();
    draft.answers[0].evidence_s.push(42.0);
    let err = db.save_review(&draft, false).unwrap_err();
    assert!(err.to_string().contains("after the end of the call (15.0 s)"), "{err}");
    assert_eq!(db.export_rows().unwrap().len(), 1);
}

#[test]
fn lock_held_past_the_timeout_is_a_clear_busy_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let mut db = Store::open_with_timeout(&path, Duration::from_millis(300)).unwrap();
    let call = db.upsert_call("h", Path::new("/a.wav"), &meta("a.wav")).unwrap();
    let card = db.default_scorecard().unwrap();
    let before = dump(&path);

    let holder = rusqlite::Connection::open(&path).unwrap();
    holder
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO audit (at, actor, action, detail) VALUES ('t', 'x', 'x', '{}');",
        )
        .unwrap();
    let draft =
        ReviewDraft { id: None, call_id: call, card_id: card.id, reviewer: "Asha".into(), answers: vec![] };
    let t = Instant::now();
    let err = db.save_review(&draft, false).unwrap_err();
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(t.elapsed() >= Duration::from_millis(300), "waited {:?}", t.elapsed());
    assert!(err.to_string().contains("locked by another program"), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(dump(&path), before);

    // Released: the same save now works.
    db.save_review(&draft, false).unwrap();
}

#[test]
fn database_is_wal_with_foreign_keys_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    drop(Store::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), version), ("wal", callqa::store::schema_version()));
    // Reopening an up-to-date database works and migrates nothing.
    let db = Store::open(&path).unwrap();
    let log = db.audit_log(None).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "migrate");
    assert!(
        log[0].detail.contains(&format!("\"schema_to\":{}", callqa::store::schema_version())),
        "{}",
        log[0].detail
    );
    drop(db);
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

/// A database with a call, a submitted review and a clip (every kind of audit row).
fn busy_db(path: &Path) -> (Store, i64) {
    let mut db = Store::open(path).unwrap();
    let call = db.upsert_call("hash-a", Path::new("/calls/a.wav"), &meta("a.wav")).unwrap();
    let card = db.default_scorecard().unwrap();
    let draft = ReviewDraft {
        id: None,
        call_id: call,
        card_id: card.id,
        reviewer: "Asha".into(),
        answers: full_answers(),
    };
    db.save_review(&draft, true).unwrap();
    let clip = ClipDraft {
        set: "Interruptions".into(),
        call_id: call,
        start_s: 1.5,
        end_s: 4.25,
        kind: ClipKind::Bad,
        note: "ग्राहक को बीच में टोका".into(),
        author: "Priya".into(),
    };
    let clip = db.add_clip(&clip).unwrap();
    (db, clip)
}

const APPEND_ONLY: &str = "audit rows are append-only";

/// Issue 12, item 11: audit rows were append-only by convention only; now triggers refuse
/// every change to one, through any connection.
#[test]
fn audit_rows_cannot_be_changed_deleted_or_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let (db, _) = busy_db(&path);
    drop(db);
    let before = dump(&path);
    let c = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        "UPDATE audit SET actor = 'someone else'",
        "UPDATE audit SET detail = '{}' WHERE action = 'submit'",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
        "INSERT OR REPLACE INTO audit (id, at, actor, action, detail) VALUES (1, 'now', 'x', 'migrate', '{}')",
        "REPLACE INTO audit (id, at, actor, action, detail) VALUES (2, 'now', 'x', 'migrate', '{}')",
        "INSERT INTO audit (id, at, actor, action, detail) VALUES (1, 'now', 'x', 'migrate', '{}') \
         ON CONFLICT (id) DO UPDATE SET actor = 'x'",
    ] {
        let e = c.execute(sql, []).unwrap_err().to_string();
        assert!(e.contains(APPEND_ONLY), "{sql}: {e}");
    }
    drop(c);
    assert_eq!(dump(&path), before, "no audit row changed");
    // Appending still works, through the store and directly.
    let mut db = Store::open(&path).unwrap();
    let n = db.audit_log(None).unwrap().len();
    db.upsert_call("hash-b", Path::new("/calls/b.wav"), &meta("b.wav")).unwrap();
    assert_eq!(db.audit_log(None).unwrap().len(), n + 1);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("INSERT INTO audit (at, actor, action, detail) VALUES ('now', 'x', 'note', '{}')", [])
        .unwrap();
}

/// A database written before migration 3 (schema 2: no triggers) is upgraded in place: every
/// row kept, the triggers added, the upgrade itself audited.
#[test]
fn a_schema_2_database_is_upgraded_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let (db, _) = busy_db(&path);
    drop(db);
    {
        // Back to schema 2: what migrations 1 and 2 made, and nothing else.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER audit_no_replace; \
             DROP TABLE call_paths; PRAGMA user_version = 2;",
        )
        .unwrap();
        let triggers: i64 = c
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(triggers, 0);
        // Schema 2 allowed this; the upgrade must not depend on the log being untouched.
        c.execute("UPDATE audit SET actor = actor", []).unwrap();
    }
    let before = dump(&path);
    let db = Store::open(&path).unwrap();
    let after = dump(&path);
    assert_eq!(after.len(), before.len() + 1, "one new row: the migration's audit row");
    assert_eq!(after[..before.len()], before[..], "every old row kept as it was");
    let log = db.audit_log(None).unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "migrate");
    assert!(
        last.detail.contains("\"schema_from\":2")
            && last.detail.contains(&format!("\"schema_to\":{}", callqa::store::schema_version())),
        "{}",
        last.detail
    );
    assert_eq!(db.clips(None).unwrap().len(), 1);
    drop(db);
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, callqa::store::schema_version());
    // Migration 4 remembers each call's path.
    let paths: i64 = c.query_row("SELECT count(*) FROM call_paths", [], |r| r.get(0)).unwrap();
    assert_eq!(paths, 1);
    let e = c.execute("DELETE FROM audit", []).unwrap_err().to_string();
    assert!(e.contains(APPEND_ONLY), "{e}");
}

/// Issue 12, item 11: a clip removal's audit row carries everything that was removed, at
/// least as much as the creation row did.
#[test]
fn a_clip_removal_is_audited_with_everything_removed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut db, id) = busy_db(&db_in(&dir));
    let clip = db.clips(None).unwrap().remove(0);
    assert_eq!(clip.id, id);
    db.remove_clip(id, "Rohan").unwrap();
    assert!(db.clips(None).unwrap().is_empty());
    let log = db.audit_log(None).unwrap();
    let json = |action: &str| -> (callqa::store::AuditEntry, serde_json::Value) {
        let e = log.iter().find(|e| e.action == action).unwrap().clone();
        let v = serde_json::from_str(&e.detail).unwrap();
        (e, v)
    };
    let (added, add) = json("add_clip");
    let (removed, gone) = json("remove_clip");
    assert_eq!(removed.actor, "Rohan");
    assert_eq!(removed.call_id, Some(clip.call.id));
    for (k, v) in add.as_object().unwrap() {
        assert_eq!(&gone[k], v, "the removal row's {k:?} differs from the creation row's");
    }
    let want = serde_json::json!({
        "clip": id, "set": "Interruptions", "call_id": clip.call.id, "start_s": 1.5, "end_s": 4.25,
        "kind": "bad", "note": "ग्राहक को बीच में टोका", "author": "Priya", "created_at": clip.created_at,
    });
    assert_eq!(gone, want);
    assert_eq!(added.actor, gone["author"]);
    // Removing it again: nothing to remove, nothing audited.
    assert!(matches!(db.remove_clip(id, "Rohan"), Err(StoreError::NotFound(_))));
    assert_eq!(db.audit_log(None).unwrap().len(), log.len());
}

/// The agent's team (migration 9). `upsert_call` (every scan, review and open) fills a
/// missing team and never replaces or erases one; `set_call_details` (what `callqa index
/// --metadata`/`--name-pattern` says on purpose) replaces what it knows and keeps what it
/// does not; both are audited, and nothing is written when nothing changes.
#[test]
fn a_calls_team_is_stored_filled_in_replaced_on_purpose_and_never_erased() {
    use callqa::store::CallDetails;
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let mut db = Store::open(&path).unwrap();
    let wav = Path::new("/calls/a.wav");
    let id = db.upsert_call("hash-a", wav, &meta("a.wav")).unwrap();
    assert_eq!(db.call(id).unwrap().meta.team, None, "unknown stays empty");
    // A later sighting that knows the team fills it in.
    let billing = CallMeta { team: Some("Billing".into()), ..meta("a.wav") };
    assert_eq!(db.upsert_call("hash-a", wav, &billing).unwrap(), id);
    assert_eq!(db.call(id).unwrap().meta.team.as_deref(), Some("Billing"));
    let filled = db.audit_log(None).unwrap().last().cloned().unwrap();
    assert_eq!(filled.action, "update_call");
    assert!(filled.detail.contains("\"team\":\"Billing\""), "{}", filled.detail);
    // A scan without team information (or with another team: a copy's) changes nothing.
    let before = dump(&path);
    db.upsert_call("hash-a", wav, &meta("a.wav")).unwrap();
    db.upsert_call("hash-a", wav, &CallMeta { team: Some("Care".into()), ..meta("a.wav") }).unwrap();
    assert_eq!(dump(&path), before, "nothing written");
    assert_eq!(db.call(id).unwrap().meta.team.as_deref(), Some("Billing"));
    // On purpose: an empty detail keeps what is stored (and writes nothing)...
    let blank = CallDetails {
        team: Some("  ".into()),
        source: "metadata CSV x.csv".into(),
        ..CallDetails::default()
    };
    assert!(!db.set_call_details(id, &blank).unwrap());
    assert_eq!(dump(&path), before);
    // ...a known one replaces it, audited with where it came from.
    let care = CallDetails {
        team: Some("Care".into()),
        source: "metadata CSV x.csv".into(),
        ..CallDetails::default()
    };
    assert!(db.set_call_details(id, &care).unwrap());
    let c = db.call(id).unwrap();
    assert_eq!((c.meta.team.as_deref(), c.meta.agent.as_deref()), (Some("Care"), Some("Meena")));
    let row = db.audit_log(None).unwrap().last().cloned().unwrap();
    assert_eq!((row.action.as_str(), row.call_id), ("update_call", Some(id)));
    assert!(
        row.detail.contains("metadata CSV x.csv") && row.detail.contains("\"team\":\"Billing\""),
        "{}",
        row.detail
    );
    assert!(!db.set_call_details(id, &care).unwrap(), "the same again changes nothing");
    assert!(matches!(db.set_call_details(999, &care), Err(StoreError::NotFound(_))));
    // Kept across reopening (a real column), and read by the export rows reports use.
    drop(db);
    let db = Store::open_read_only(&path).unwrap();
    assert_eq!(db.call_by_hash("hash-a").unwrap().unwrap().meta.team.as_deref(), Some("Care"));
    drop(db);

    // A schema 8 database (no team column) is upgraded: its calls kept, their team unknown.
    let old = dir.path().join("old.sqlite3");
    let mut db = Store::open(&old).unwrap();
    let id = db.upsert_call("hash-b", wav, &meta("a.wav")).unwrap();
    drop(db);
    {
        let c = rusqlite::Connection::open(&old).unwrap();
        c.execute_batch("ALTER TABLE calls DROP COLUMN team; PRAGMA user_version = 8;").unwrap();
    }
    let db = Store::open(&old).unwrap();
    let call = db.call(id).unwrap();
    assert_eq!((call.meta.agent.as_deref(), call.meta.team), (Some("Meena"), None));
    let last = db.audit_log(None).unwrap().last().cloned().unwrap();
    assert!(last.action == "migrate" && last.detail.contains("\"schema_from\":8"), "{}", last.detail);
}
