//! `callqa db copy` on a real PostgreSQL server (`CALLQA_TEST_PG_URL`, a superuser; `make
//! test` and `scripts/pg-test.sh cargo test --test pg_copy` start one). Without the variable
//! each test prints "skipped: CALLQA_TEST_PG_URL not set" and passes.
//!
//! The source store is built with the real API on corpus recordings (calls, reviews in
//! English and Hindi, an amendment, clips, a queue, transcripts, a calibration session and
//! its reviews, active review time, call metrics); the round trip SQLite A → team store →
//! SQLite B must give B the same rows and hashes as A, table by table. Every table of a
//! SQLite store and of a team store is in the copy's list, and a source holding a table the
//! copy does not know is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use callqa::audio::{WavReader, content_hash};
use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer};
use callqa::store::pg::copy::{self, CopyReport};
use callqa::store::pg::{self, CopyError, PgError, PgStore, TeamPlan};
use callqa::store::{
    ANALYSER_VERSION, CallMetrics, ClipDraft, ClipKind, QueueDraft, QueueItemDraft, ReviewDraft,
    SessionDraft, Store,
};
use postgres::{Client, Config, NoTls};

const SKIP: &str = "skipped: CALLQA_TEST_PG_URL not set";
const HINDI_REVIEWER: &str = "प्रिया शर्मा";
const HINDI_COMMENT: &str = "ग्राहक को दो बार बीच में टोका; माफ़ी नहीं माँगी";
const CORPUS: &str = "tests/fixtures/corpus";

/// init-team makes cluster-wide roles: one at a time (as in tests/pg_team.rs).
static INIT: Mutex<()> = Mutex::new(());

fn server() -> Option<Config> {
    match std::env::var("CALLQA_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.parse().expect("CALLQA_TEST_PG_URL is not a URL")),
        _ => {
            println!("{SKIP}");
            None
        }
    }
}

fn unique() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let seed = format!("{nanos}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    blake3::hash(seed.as_bytes()).to_hex()[..10].to_string()
}

/// A database of its own on the test server (a team store after `init`), dropped afterwards.
struct TeamDb {
    server: Config,
    name: String,
    lead: String,
    asha: String,
}

impl TeamDb {
    fn new(server: &Config) -> TeamDb {
        let tag = unique();
        let name = format!("callqa_test_{tag}");
        let mut admin = server.connect(NoTls).expect("cannot reach the test server");
        admin.batch_execute(&format!("CREATE DATABASE {}", pg::quote_ident(&name))).unwrap();
        TeamDb {
            server: server.clone(),
            name,
            lead: format!("callqa_t{tag}_lead"),
            asha: format!("callqa_t{tag}_asha"),
        }
    }

    fn team(server: &Config) -> TeamDb {
        let db = TeamDb::new(server);
        let _one = INIT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let plan = TeamPlan { leads: vec![db.lead.clone()], reviewers: vec![db.asha.clone()] };
        pg::init_team(&db.url_as(None), &plan).unwrap();
        db
    }

    /// `postgres://USER@HOST:PORT/DB` as `login` (the server's superuser when `None`).
    fn url_as(&self, login: Option<&str>) -> String {
        let host = match self.server.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = self.server.get_ports().first().copied().unwrap_or(5432);
        let user = login.or(self.server.get_user()).unwrap_or("postgres");
        format!("postgres://{user}@{host}:{port}/{}", self.name)
    }

    fn as_user(&self, login: Option<&str>) -> Client {
        self.url_as(login).parse::<Config>().unwrap().connect(NoTls).unwrap()
    }
}

impl Drop for TeamDb {
    fn drop(&mut self) {
        let Ok(mut admin) = self.server.connect(NoTls) else { return };
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::quote_ident(&self.name)));
        for role in [&self.lead, &self.asha] {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", pg::quote_ident(role)));
        }
    }
}

/// Every item of the card answered with `a`.
fn answers(store: &mut Store, a: Answer) -> (i64, Vec<ItemAnswer>) {
    let card = store.default_scorecard().unwrap();
    let answers = card.card.items().map(|i| ItemAnswer::new(&i.key, Some(a))).collect();
    (card.id, answers)
}

/// A store built with the real API on the corpus recordings: calls, drafts and submitted
/// reviews (Hindi names and comments), an amendment, clips, a queue and two transcripts.
fn build_source(path: &Path) -> Store {
    let mut store = Store::open(path).unwrap();
    let mut wavs: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            p.extension().is_some_and(|x| x == "wav") && !name.starts_with("bad_")
        })
        .collect();
    wavs.sort();
    let mut calls = Vec::new();
    for wav in &wavs {
        let info = WavReader::open(wav).unwrap().info().clone();
        let hash = content_hash(wav).unwrap();
        let mut meta = CallMeta::from_wav(wav, &info);
        // The agent's team (migration 9): Hindi, ASCII, and none at all.
        meta.team = [Some("बिलिंग टीम"), Some("Care \"B\""), None][calls.len() % 3].map(String::from);
        let id = store.upsert_call(&hash, wav, &meta).unwrap();
        calls.push((id, hash, wav.clone()));
    }
    assert!(calls.len() >= 10, "corpus recordings: {}", calls.len());
    let (card_id, yes) = answers(&mut store, Answer::Yes);
    let mut no = answers(&mut store, Answer::No).1;
    no[0].comment = HINDI_COMMENT.into();
    no[0].evidence_s = vec![10.9, 12.0];
    for (k, (call_id, ..)) in calls.iter().enumerate() {
        let reviewer = if k % 2 == 0 { HINDI_REVIEWER } else { "Asha \"O'Brien\"\tRao" };
        let draft = ReviewDraft {
            id: None,
            call_id: *call_id,
            card_id,
            reviewer: reviewer.into(),
            answers: if k % 3 == 0 { no.clone() } else { yes.clone() },
        };
        let id = store.save_review(&draft, k % 4 != 1).unwrap();
        if k == 2 {
            let amended = ReviewDraft { id: Some(id), answers: no.clone(), ..draft };
            store.amend_review(&amended, "सुनने में गलती हुई — misheard the hold").unwrap();
        }
    }
    for (k, (call_id, ..)) in calls.iter().take(3).enumerate() {
        let kind = if k == 0 { ClipKind::Bad } else { ClipKind::Good };
        let set = "नए लोगों के लिए".to_string();
        let note = format!("clip {k}: line one\nline two \\ tab\there");
        let clip = ClipDraft {
            set,
            call_id: *call_id,
            start_s: 0.5,
            end_s: 2.25,
            kind,
            note,
            author: "Meena".into(),
        };
        store.add_clip(&clip).unwrap();
    }
    let items = calls
        .iter()
        .take(5)
        .enumerate()
        .map(|(k, (call_id, ..))| QueueItemDraft {
            call_id: *call_id,
            reviewer: (k != 4).then(|| HINDI_REVIEWER.to_string()),
        })
        .collect();
    let params = serde_json::json!({ "per_agent": 2, "min_duration": 1.5 });
    let queue =
        QueueDraft {
            name: "जून".into(), seed: u64::MAX - 7, params, created_by: "Priya".into(), items
        };
    store.create_queue(&queue).unwrap();
    for (stem, by) in [("dev_e_hindi_refund", HINDI_REVIEWER), ("dev_a_courteous", "Priya")] {
        let file = format!("tests/fixtures/transcripts/corpus/{stem}.callqa.json");
        let t = callqa::transcript::formats::parse(&std::fs::read(&file).unwrap(), Some(&file)).unwrap();
        let (_, hash, _) = calls.iter().find(|(_, _, p)| p.ends_with(format!("{stem}.wav"))).unwrap();
        store.save_transcript(hash, &t, &file, by).unwrap();
    }
    // A blind calibration session on three calls, its reviews (one a draft), and active
    // review time on session and ordinary reviews alike.
    let session_calls: Vec<i64> = calls.iter().skip(3).take(3).map(|(id, ..)| *id).collect();
    let session = store
        .create_session(&SessionDraft {
            name: "जुलाई calibration".into(),
            call_ids: session_calls.clone(),
            reviewers: vec![HINDI_REVIEWER.into(), "Ben".into()],
            created_by: "Priya".into(),
        })
        .unwrap();
    for (k, call_id) in session_calls.iter().enumerate() {
        for reviewer in [HINDI_REVIEWER, "Ben"] {
            let draft = ReviewDraft {
                id: None,
                call_id: *call_id,
                card_id,
                reviewer: reviewer.into(),
                answers: if k == 1 { no.clone() } else { yes.clone() },
            };
            let id = store.save_session_review(session, &draft, !(k == 2 && reviewer == "Ben")).unwrap();
            store.add_active_time(id, 41.25 + k as f64 / 3.0).unwrap();
        }
    }
    store.add_active_time(1, 95.5).unwrap();
    store.add_active_time(1, 0.1).unwrap();
    store.add_active_time(2, 1e-3).unwrap();
    // Analysis figures of some calls (an extreme count, a warning with quotes and Hindi).
    for (k, (call_id, ..)) in calls.iter().take(4).enumerate() {
        let figures = CallMetrics {
            analyser_version: if k == 3 { "callqa 0.0.1 default".into() } else { ANALYSER_VERSION.into() },
            duration_s: 61.0 + k as f64 / 7.0,
            talk_agent_s: 20.125,
            talk_customer_s: 30.1,
            talk_mixed_s: if k == 2 { 55.5 } else { 0.0 },
            overtalk_count: if k == 1 { u32::MAX } else { 3 },
            overtalk_by_agent: 2,
            overtalk_by_customer: 1,
            overtalk_total_s: 4.2,
            silence_count: 2,
            silence_total_s: 9.75,
            silence_longest_s: 1.0 / 3.0,
            hold_total_s: 0.0,
            warnings: if k == 0 {
                vec!["clipped \"left\"\tचैनल".into(), "truncated".into()]
            } else {
                vec![]
            },
        };
        store.save_metrics(*call_id, &figures).unwrap();
    }
    // Migration 10: outbox changes a team store applied (a SQLite store copied out of one holds
    // them; SQLite itself never writes them).
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(
            "INSERT INTO applied_changes (change_id, login, applied_at) VALUES \
             ('0123456789abcdef0123456789abcdef', 'asha', '2026-11-27T10:00:00.123Z'), \
             ('fedcba9876543210fedcba9876543210', 'बेन', '2026-11-27T10:00:01.000Z')",
        )
        .unwrap();
    store
}

/// Rows per table, read with plain SQL.
fn counts(path: &Path) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let tables = [
        "calls",
        "call_paths",
        "scorecards",
        "reviews",
        "answers",
        "audit",
        "clips",
        "queues",
        "queue_items",
        "transcripts",
        "transcript_index",
        "calibration_sessions",
        "calibration_calls",
        "calibration_reviewers",
        "review_sessions",
        "review_times",
        "call_metrics",
        "applied_changes",
    ];
    tables
        .iter()
        .map(|t| {
            (t.to_string(), c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
        })
        .collect()
}

/// (table, rows, hash) of a report's source or destination side.
fn side(report: &CopyReport, source: bool) -> Vec<(&'static str, usize, String)> {
    report
        .tables
        .iter()
        .map(|t| {
            if source {
                (t.table, t.source_rows, t.source_hash.clone())
            } else {
                (t.table, t.destination_rows, t.destination_hash.clone())
            }
        })
        .collect()
}

fn text_column(path: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut st = c.prepare(sql).unwrap();
    st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn backups_beside(path: &Path) -> Vec<PathBuf> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}.backup-")))
        .collect()
}

#[test]
fn db_copy_round_trip_equal() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));

    let into = copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();
    assert!(into.ok(), "{into:?}");
    assert!(into.tables.iter().all(|t| t.source_rows > 0), "every table has rows: {into:?}");
    // The backup: beside the source, named by the time, a callqa database with A's rows.
    let backup = into.backup.clone().unwrap();
    assert_eq!(backups_beside(&a), vec![backup.clone()]);
    let stamp = backup.file_name().unwrap().to_string_lossy().to_string();
    assert!(stamp.starts_with("a.sqlite3.backup-") && stamp.ends_with(".sqlite3"), "{stamp}");
    assert_eq!(stamp.len(), "a.sqlite3.backup-20260101T120000.sqlite3".len(), "{stamp}");
    Store::open_read_only(&backup).unwrap();
    assert_eq!(counts(&backup), counts(&a));

    let b = dir.path().join("b.sqlite3");
    let back = copy::copy(&db.url_as(None), b.to_str().unwrap()).unwrap();
    assert!(back.ok(), "{back:?}");
    assert!(back.backup.is_none());
    // A's counts and hashes are B's, table by table.
    assert_eq!(side(&into, true), side(&back, false));
    assert_eq!(counts(&a), counts(&b));

    // Byte-exact text, Hindi included; ids kept.
    for sql in [
        "SELECT id || ' ' || reviewer || ' ' || status || ' ' || coalesce(submitted_at, '-') || ' ' || started_at FROM reviews ORDER BY id",
        "SELECT review_id || ' ' || item_key || ' ' || comment || ' ' || evidence FROM answers ORDER BY review_id, item_key",
        "SELECT call_hash || ' ' || words || ' ' || imported_by || ' ' || imported_at FROM transcripts ORDER BY call_hash",
        "SELECT rowid || ' ' || text || ' ' || shown || ' ' || times FROM transcript_index ORDER BY rowid",
        "SELECT id || ' ' || at || ' ' || actor || ' ' || action || ' ' || detail FROM audit ORDER BY id",
        "SELECT id || ' ' || set_name || ' ' || note || ' ' || start_s || ' ' || end_s FROM clips ORDER BY id",
        "SELECT id || ' ' || name || ' ' || seed || ' ' || params FROM queues",
        "SELECT id || ' ' || hash || ' ' || path || ' ' || duration_s || ' ' || first_seen FROM calls ORDER BY id",
        "SELECT id || ' ' || name || ' ' || created_by || ' ' || created_at FROM calibration_sessions ORDER BY id",
        "SELECT session_id || ' ' || call_id || ' ' || position FROM calibration_calls ORDER BY session_id, call_id",
        "SELECT session_id || ' ' || reviewer FROM calibration_reviewers ORDER BY session_id, reviewer",
        "SELECT review_id || ' ' || session_id FROM review_sessions ORDER BY review_id",
        "SELECT review_id || ' ' || active_s FROM review_times ORDER BY review_id",
        "SELECT call_id || ' ' || analysed_at || ' ' || analyser_version || ' ' || overtalk_count || ' ' \
         || silence_longest_s || ' ' || talk_mixed_s || ' ' || warnings FROM call_metrics ORDER BY call_id",
    ] {
        assert_eq!(text_column(&a, sql), text_column(&b, sql), "{sql}");
    }
    let comments = text_column(&b, "SELECT comment FROM answers WHERE comment <> ''");
    assert!(comments.iter().any(|c| c == HINDI_COMMENT), "{comments:?}");
    let amend = text_column(&b, "SELECT detail FROM audit WHERE detail LIKE '%misheard%'");
    assert_eq!(amend.len(), 1, "the amendment's audit row, reason and all");

    // B is a working callqa store: the Hindi transcript is found by a word, reviews read.
    let b_store = Store::open(&b).unwrap();
    let hits = b_store.search("माफ़ी", None, 10).unwrap();
    let a_hits = Store::open_read_only(&a).unwrap().search("माफ़ी", None, 10).unwrap();
    assert_eq!(hits, a_hits);
    let reviews = text_column(&b, "SELECT reviewer FROM reviews");
    assert!(reviews.iter().any(|r| r == HINDI_REVIEWER));
    // Its calibration session, session reviews, active times and figures read as A's.
    let a_store = Store::open_read_only(&a).unwrap();
    assert_eq!(b_store.all_metrics().unwrap(), a_store.all_metrics().unwrap());
    assert_eq!(b_store.all_metrics().unwrap()[1].metrics.overtalk_count, u32::MAX);
    let (sa, sb) = (a_store.sessions(None).unwrap(), b_store.sessions(None).unwrap());
    assert_eq!(sb.len(), 1);
    assert_eq!(serde_json::to_value(&sa).unwrap(), serde_json::to_value(&sb).unwrap());
    for call in &sb[0].calls {
        for reviewer in [HINDI_REVIEWER, "Ben"] {
            let got = |s: &Store| s.latest_session_review(sb[0].id, call.id, reviewer).unwrap().map(|r| r.id);
            assert!(got(&b_store).is_some());
            assert_eq!(got(&b_store), got(&a_store));
        }
    }

    // In the team store: original reviewer names and audit actors, exactly.
    let mut admin = db.as_user(None);
    let pg_reviewers: Vec<String> = admin
        .query("SELECT reviewer FROM callqa.reviews ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(pg_reviewers, text_column(&a, "SELECT reviewer FROM reviews ORDER BY id"));
    let words: String = admin
        .query_one("SELECT words FROM callqa.transcripts WHERE imported_by = $1", &[&HINDI_REVIEWER])
        .unwrap()
        .get(0);
    assert!(text_column(&a, "SELECT words FROM transcripts").contains(&words));
    let session_reviews: i64 =
        admin.query_one("SELECT count(*) FROM callqa.review_sessions", &[]).unwrap().get(0);
    assert_eq!(session_reviews, 6);
    let warnings: String = admin
        .query_one("SELECT warnings::text FROM callqa.call_metrics ORDER BY call_id LIMIT 1", &[])
        .unwrap()
        .get(0);
    assert!(warnings.contains("चैनल"), "{warnings}");
}

/// The table names of the SQLite store at `path`, but SQLite's own and the FTS5 shadow
/// tables of `transcript_index` (its rows are copied through the virtual table).
fn sqlite_tables(path: &Path) -> Vec<String> {
    let shadow: Vec<String> = ["data", "idx", "content", "docsize", "config"]
        .iter()
        .map(|s| format!("transcript_index_{s}"))
        .collect();
    let mut names = text_column(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    names.retain(|n| !n.starts_with("sqlite_") && !shadow.contains(n));
    names
}

/// Every table a new SQLite store and a new team store have is in the copy's list, so a
/// future migration cannot be forgotten by `db copy` (its round trip also has rows in each).
#[test]
fn every_table_of_both_stores_is_in_the_copy_list() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(Store::open(&a).unwrap());
    let mut listed: Vec<String> = copy::copied_tables().iter().map(|(s, _)| s.to_string()).collect();
    listed.sort();
    assert_eq!(sqlite_tables(&a), listed, "SQLite tables vs db copy's list");
    assert_eq!(listed.len(), 18);

    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let mut pg_listed: Vec<String> = copy::copied_tables().iter().map(|(_, p)| p.to_string()).collect();
    pg_listed.sort();
    let pg_tables: Vec<String> = db
        .as_user(None)
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'callqa' AND c.relkind = 'r' AND c.relname <> 'migrations' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(pg_tables, pg_listed, "team store tables vs db copy's list");
}

/// Every column of every table of a new SQLite store and a new team store is in the copy's
/// list (a migration that adds a column, like 9's `calls.team`, fails here until `db copy`
/// copies it); the team store's own columns are named.
#[test]
fn every_column_of_both_stores_is_in_the_copy_list() {
    const PG_ONLY: &[(&str, &str)] =
        &[("reviews", "version"), ("scorecards", "created_by"), ("call_metrics", "analysed_by")];
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(Store::open(&a).unwrap());
    let c = rusqlite::Connection::open(&a).unwrap();
    let listed = copy::copied_columns();
    let calls = listed.iter().find(|t| t.0 == "calls").unwrap();
    assert!(calls.1.contains(&"team") && calls.3.contains(&"team"), "migration 9's column is copied");
    for (table, columns, ..) in &listed {
        let mut have: Vec<String> = c
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        have.sort();
        // The FTS5 table's rowid is implicit.
        let mut want: Vec<String> =
            columns.iter().filter(|c| **c != "rowid").map(|c| c.to_string()).collect();
        want.sort();
        assert_eq!(have, want, "SQLite columns of {table} vs db copy's list");
    }

    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let mut client = db.as_user(None);
    for (_, _, table, columns) in &listed {
        let mut have: Vec<String> = client
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'callqa' AND table_name = $1",
                &[table],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        have.sort();
        let mut want: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        want.extend(PG_ONLY.iter().filter(|(t, _)| t == table).map(|(_, c)| c.to_string()));
        want.sort();
        assert_eq!(have, want, "team store columns of callqa.{table} vs db copy's list");
    }
}

#[test]
fn a_table_the_copy_does_not_know_is_refused_never_left_behind() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    // A table a newer callqa (or someone by hand) added: the copy would leave it behind.
    let c = rusqlite::Connection::open(&a).unwrap();
    c.execute_batch("CREATE TABLE coaching_notes (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO coaching_notes (note) VALUES ('x')")
        .unwrap();
    drop(c);
    let r = copy::copy(a.to_str().unwrap(), &db.url_as(None));
    match &r {
        Err(CopyError::UnknownTables { tables, .. }) => assert_eq!(tables, &["coaching_notes"]),
        other => panic!("{other:?}"),
    }
    assert!(r.unwrap_err().to_string().contains("coaching_notes"));
    assert!(backups_beside(&a).is_empty(), "refused before the backup");
    let mut admin = db.as_user(None);
    let calls: i64 = admin.query_one("SELECT count(*) FROM callqa.calls", &[]).unwrap().get(0);
    assert_eq!(calls, 0, "nothing written");
    // Without it, the same store copies.
    rusqlite::Connection::open(&a).unwrap().execute_batch("DROP TABLE coaching_notes").unwrap();
    assert!(copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap().ok());

    // Out of a team store with a table of its own: refused, no file made.
    admin.batch_execute("CREATE TABLE callqa.coaching_notes (id int)").unwrap();
    let b = dir.path().join("b.sqlite3");
    let r = copy::copy(&db.url_as(None), b.to_str().unwrap());
    assert!(
        matches!(&r, Err(CopyError::UnknownTables { tables, .. }) if tables == &["coaching_notes"]),
        "{r:?}"
    );
    assert!(!b.exists());
}

#[test]
fn sessions_review_times_and_metrics_follow_their_access_rules() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();
    let denied = |r: Result<u64, postgres::Error>| {
        let e = r.unwrap_err();
        assert_eq!(e.code(), Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e:?}");
    };
    let count = |c: &mut Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
    let mut asha = db.as_user(Some(&db.asha));
    let mut lead = db.as_user(Some(&db.lead));
    let mut admin = db.as_user(None);

    // Sessions: everyone reads; leads write, in their own name.
    assert_eq!(count(&mut asha, "SELECT count(*) FROM callqa.calibration_sessions"), 1);
    assert_eq!(count(&mut asha, "SELECT count(*) FROM callqa.calibration_calls"), 3);
    denied(asha.execute("INSERT INTO callqa.calibration_sessions (name) VALUES ('mine')", &[]));
    denied(asha.execute("DELETE FROM callqa.calibration_reviewers", &[]));
    let call: i64 = count(&mut admin, "SELECT min(id) FROM callqa.calls");
    let other_call: i64 = count(&mut admin, "SELECT max(id) FROM callqa.calls");
    let card: i64 = count(&mut admin, "SELECT min(id) FROM callqa.scorecards");
    let session: i64 = lead
        .query_one("INSERT INTO callqa.calibration_sessions (name) VALUES ('August') RETURNING id", &[])
        .unwrap()
        .get(0);
    lead.execute(
        "INSERT INTO callqa.calibration_calls (session_id, call_id, position) VALUES ($1, $2, 0)",
        &[&session, &call],
    )
    .unwrap();
    lead.execute(
        "INSERT INTO callqa.calibration_reviewers (session_id, reviewer) VALUES ($1, $2), ($1, 'Ben')",
        &[&session, &db.asha],
    )
    .unwrap();
    let copied_max: i64 = rusqlite::Connection::open(&a)
        .unwrap()
        .query_row("SELECT max(id) FROM calibration_sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(session, copied_max + 1, "the session sequence moved past the copied ids");
    assert!(
        lead.execute("INSERT INTO callqa.calibration_sessions (name, created_by) VALUES ('x', 'Priya')", &[])
            .is_err(),
        "a session is made in the lead's own name"
    );

    // A review's session: by its reviewer, a reviewer of the session, for a call in it; once.
    let mut store = PgStore::connect(&db.url_as(Some(&db.asha))).unwrap();
    let mine = store.create_review(call, card, &[], false).unwrap();
    let elsewhere = store.create_review(other_call, card, &[], false).unwrap();
    let add_session = |c: &mut Client, review: i64, s: i64| {
        c.execute(
            "INSERT INTO callqa.review_sessions (review_id, session_id) VALUES ($1, $2)",
            &[&review, &s],
        )
    };
    denied(add_session(&mut asha, elsewhere.id, session)); // not a call of the session
    denied(add_session(&mut asha, mine.id, copied_max)); // not a reviewer of that session
    denied(add_session(&mut asha, 1, session)); // someone else's review
    add_session(&mut asha, mine.id, session).unwrap();
    denied(asha.execute("UPDATE callqa.review_sessions SET session_id = $1", &[&copied_max]));
    denied(asha.execute("DELETE FROM callqa.review_sessions", &[]));
    let audited: i64 = admin
        .query_one(
            "SELECT count(*) FROM callqa.audit WHERE action = 'review_sessions.insert' AND review_id = $1",
            &[&mine.id],
        )
        .unwrap()
        .get(0);
    assert_eq!(audited, 1, "a review's session is audited, with its review id");

    // Active time: its reviewer adds to it; it only grows; it is not a new version.
    let add_time = |c: &mut Client, review: i64, s: f64| {
        c.execute(
            "INSERT INTO callqa.review_times (review_id, active_s) VALUES ($1, $2) \
             ON CONFLICT (review_id) DO UPDATE SET active_s = callqa.review_times.active_s + excluded.active_s",
            &[&review, &s],
        )
    };
    add_time(&mut asha, mine.id, 30.0).unwrap();
    add_time(&mut asha, mine.id, 12.5).unwrap();
    let e = asha
        .execute("UPDATE callqa.review_times SET active_s = 1 WHERE review_id = $1", &[&mine.id])
        .unwrap_err();
    assert!(e.as_db_error().unwrap().message().contains("only grows"), "{e}");
    denied(add_time(&mut asha, 1, 5.0)); // someone else's review
    let (active, version): (f64, i64) = {
        let r = asha
            .query_one(
                "SELECT t.active_s, r.version FROM callqa.review_times t JOIN callqa.reviews r ON r.id = t.review_id \
                 WHERE t.review_id = $1",
                &[&mine.id],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!((active, version), (42.5, mine.version));
    // Visible when the review is: review 2 is another reviewer's draft.
    assert_eq!(count(&mut asha, "SELECT count(*) FROM callqa.review_times WHERE review_id = 2"), 0);
    assert_eq!(count(&mut lead, "SELECT count(*) FROM callqa.review_times WHERE review_id = 2"), 1);
    assert_eq!(count(&mut asha, "SELECT count(*) FROM callqa.review_times WHERE review_id = 1"), 1);

    // Call figures: everyone reads; any reviewer adds or replaces them in their own name; no
    // one deletes them; not audited.
    assert_eq!(count(&mut asha, "SELECT count(*) FROM callqa.call_metrics"), 4);
    let figures = "INSERT INTO callqa.call_metrics (call_id, analyser_version, duration_s, talk_agent_s, \
                   talk_customer_s, talk_mixed_s, overtalk_count, overtalk_by_agent, overtalk_by_customer, \
                   overtalk_total_s, silence_count, silence_total_s, silence_longest_s, hold_total_s) \
                   VALUES ($1, 'v', 60, 1, 2, 0, 1, 1, 0, 0.5, 0, 0, 0, 0) \
                   ON CONFLICT (call_id) DO UPDATE SET overtalk_count = 2, analysed_by = session_user";
    asha.execute(figures, &[&other_call]).unwrap();
    asha.execute(figures, &[&call]).unwrap(); // replaces the copied figures of a call
    let by: String = admin
        .query_one("SELECT analysed_by FROM callqa.call_metrics WHERE call_id = $1", &[&call])
        .unwrap()
        .get(0);
    assert_eq!(by, db.asha);
    denied(
        asha.execute(
            "UPDATE callqa.call_metrics SET analysed_by = 'Priya' WHERE call_id = $1",
            &[&other_call],
        ),
    );
    denied(asha.execute("DELETE FROM callqa.call_metrics", &[]));
    let audited = count(
        &mut admin,
        "SELECT count(*) FROM callqa.audit WHERE action LIKE 'call_metrics.%' OR action LIKE 'review_times.%'",
    );
    assert_eq!(audited, 0, "derived figures and active time are not audited");
}

#[test]
fn after_a_copy_audit_stays_append_only_and_new_rows_get_fresh_ids() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();

    let max = |c: &mut Client, t: &str| -> i64 {
        c.query_one(&format!("SELECT max(id) FROM callqa.{t}"), &[]).unwrap().get(0)
    };
    let mut admin = db.as_user(None);
    let (max_review, max_audit) = (max(&mut admin, "reviews"), max(&mut admin, "audit"));
    let a_max: i64 = rusqlite::Connection::open(&a)
        .unwrap()
        .query_row("SELECT max(id) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(max_review, a_max, "ids kept");

    // A reviewer cannot change an audit row (no grant), nor can the superuser (trigger).
    let mut asha = db.as_user(Some(&db.asha));
    let e = asha.execute("UPDATE callqa.audit SET actor = 'x' WHERE id = 1", &[]).unwrap_err();
    assert_eq!(e.code(), Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{e:?}");
    let e = admin.execute("UPDATE callqa.audit SET actor = 'x' WHERE id = 1", &[]).unwrap_err();
    assert!(e.as_db_error().unwrap().message().contains("append-only"), "{e}");
    let e = admin.execute("DELETE FROM callqa.audit WHERE id = 1", &[]).unwrap_err();
    assert!(e.as_db_error().unwrap().message().contains("append-only"), "{e}");

    // A new review after the copy gets the next id, with its audit rows after the copied ones.
    let mut store = PgStore::connect(&db.url_as(Some(&db.asha))).unwrap();
    let card: i64 = admin.query_one("SELECT min(id) FROM callqa.scorecards", &[]).unwrap().get(0);
    let call: i64 = admin.query_one("SELECT min(id) FROM callqa.calls", &[]).unwrap().get(0);
    let saved = store.create_review(call, card, &[], false).unwrap();
    assert_eq!(saved.id, max_review + 1);
    assert_eq!(saved.version, 1);
    let audit_after: i64 =
        admin.query_one("SELECT min(id) FROM callqa.audit WHERE actor = $1", &[&db.asha]).unwrap().get(0);
    assert_eq!(audit_after, max_audit + 1);
    // Copied reviews kept their reviewers; the new one is the login's.
    let who: String =
        admin.query_one("SELECT reviewer FROM callqa.reviews WHERE id = $1", &[&saved.id]).unwrap().get(0);
    assert_eq!(who, db.asha);
}

#[test]
fn a_team_store_with_data_is_refused_and_left_as_it_was() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    // Someone already saved a review in the team store.
    let mut admin = db.as_user(None);
    admin
        .execute(
            "INSERT INTO callqa.calls (hash, path, file_name, duration_s, sample_rate, channels, encoding) \
             VALUES ('h', '/x.wav', 'x.wav', 1.0, 8000, 1, 'pcm')",
            &[],
        )
        .unwrap();
    let before: i64 = admin.query_one("SELECT count(*) FROM callqa.audit", &[]).unwrap().get(0);
    let r = copy::copy(a.to_str().unwrap(), &db.url_as(None));
    match r {
        Err(CopyError::NotFresh { holds, .. }) => assert!(holds.contains("1 calls"), "{holds}"),
        other => panic!("{other:?}"),
    }
    let after: i64 = admin.query_one("SELECT count(*) FROM callqa.audit", &[]).unwrap().get(0);
    assert_eq!(before, after);
    assert!(backups_beside(&a).is_empty(), "refused before the backup");

    // A store already filled by a copy is refused too.
    let fresh = TeamDb::team(&server);
    copy::copy(a.to_str().unwrap(), &fresh.url_as(None)).unwrap();
    let again = copy::copy(a.to_str().unwrap(), &fresh.url_as(None));
    assert!(matches!(again, Err(CopyError::NotFresh { .. })), "{again:?}");
}

#[test]
fn an_existing_destination_file_is_never_overwritten() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("b.sqlite3");
    std::fs::write(&b, b"mine").unwrap();
    let r = copy::copy(&db.url_as(None), b.to_str().unwrap());
    assert!(matches!(r, Err(CopyError::DestinationExists(_))), "{r:?}");
    assert_eq!(std::fs::read(&b).unwrap(), b"mine");
    // An existing callqa store is not touched either.
    let c = dir.path().join("c.sqlite3");
    drop(Store::open(&c).unwrap());
    let before = counts(&c);
    assert!(matches!(
        copy::copy(&db.url_as(None), c.to_str().unwrap()),
        Err(CopyError::DestinationExists(_))
    ));
    assert_eq!(counts(&c), before);
}

#[test]
fn a_database_that_is_not_a_team_store_is_refused() {
    let Some(server) = server() else { return };
    let plain = TeamDb::new(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    let r = copy::copy(a.to_str().unwrap(), &plain.url_as(None));
    assert!(matches!(r, Err(CopyError::Pg(PgError::NotTeamStore(_)))), "{r:?}");
    assert!(backups_beside(&a).is_empty());
    let b = dir.path().join("b.sqlite3");
    let r = copy::copy(&plain.url_as(None), b.to_str().unwrap());
    assert!(matches!(r, Err(CopyError::Pg(PgError::NotTeamStore(_)))), "{r:?}");
    assert!(!b.exists());
    // Two files, or two URLs: not a copy this command makes.
    assert!(matches!(copy::copy(a.to_str().unwrap(), b.to_str().unwrap()), Err(CopyError::Usage(_))));
}

#[test]
fn logins_that_cannot_copy_everything_are_refused() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    // Into the team store: a lead is not enough (the copy writes others' rows as they were).
    let r = copy::copy(a.to_str().unwrap(), &db.url_as(Some(&db.lead)));
    assert!(matches!(r, Err(CopyError::NeedsSuperuser { .. })), "{r:?}");
    assert!(backups_beside(&a).is_empty());
    copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();
    // Out of it: a reviewer sees only part of it; a lead sees all.
    let b = dir.path().join("b.sqlite3");
    let r = copy::copy(&db.url_as(Some(&db.asha)), b.to_str().unwrap());
    assert!(matches!(r, Err(CopyError::CannotReadAll { .. })), "{r:?}");
    assert!(!b.exists());
    let report = copy::copy(&db.url_as(Some(&db.lead)), b.to_str().unwrap()).unwrap();
    assert!(report.ok());
    assert_eq!(counts(&a), counts(&b));
}

#[test]
fn the_cli_prints_each_table_and_exits_by_the_check() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    let run = |from: &str, to: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_callqa"))
            .args(["db", "copy", "--from", from, "--to", to])
            .output()
            .unwrap()
    };
    let out = run(a.to_str().unwrap(), &db.url_as(None));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    println!("{text}");
    assert!(text.contains("backup of the source: "), "{text}");
    for table in ["calls", "reviews", "answers", "audit", "transcript_index"] {
        let line =
            text.lines().find(|l| l.starts_with(&format!("{table} "))).unwrap_or_else(|| panic!("{text}"));
        assert!(line.ends_with(" ok"), "{line}");
    }
    assert!(text.contains("equal: committed"), "{text}");
    // Again: refused (exit 2), nothing changed.
    let out = run(a.to_str().unwrap(), &db.url_as(None));
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds data"));
    // Back out to an existing file: refused (exit 2).
    let out = run(&db.url_as(None), a.to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    let b = dir.path().join("b.sqlite3");
    let out = run(&db.url_as(None), b.to_str().unwrap());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The copy's time for a generated store of 1,000 calls and 2,000 reviews (run by hand:
/// `scripts/pg-test.sh cargo test --test pg_copy -- --ignored --nocapture`).
#[test]
#[ignore = "a measurement; run by hand"]
fn copy_time_for_1000_calls_and_2000_reviews() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("big.sqlite3");
    let started = Instant::now();
    {
        let mut store = Store::open(&a).unwrap();
        let (card_id, yes) = answers(&mut store, Answer::Yes);
        let mut no = answers(&mut store, Answer::No).1;
        no[0].comment = HINDI_COMMENT.into();
        for k in 0..1000_u32 {
            let meta = CallMeta {
                file_name: format!("call-{k}.wav"),
                duration_s: 60.0 + f64::from(k) / 7.0,
                sample_rate: 8000,
                channels: 2,
                encoding: "pcm_s16le".into(),
                agent: Some(format!("agent {}", k % 20)),
                recorded_at: Some("2024-06-12 09:05:41".into()),
                team: (k % 3 != 0).then(|| format!("team {}", k % 4)),
            };
            let path = PathBuf::from(format!("/calls/{k}.wav"));
            let call_id = store.upsert_call(&format!("hash-{k}"), &path, &meta).unwrap();
            for (r, reviewer) in [(0_u32, "Asha"), (1, HINDI_REVIEWER)] {
                let a = if (k + r) % 3 == 0 { no.clone() } else { yes.clone() };
                let draft = ReviewDraft { id: None, call_id, card_id, reviewer: reviewer.into(), answers: a };
                store.save_review(&draft, (k + r) % 2 == 0).unwrap();
            }
        }
    }
    println!("built the store in {:.1} s: {:?}", started.elapsed().as_secs_f64(), counts(&a));
    let into = copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();
    let b = dir.path().join("back.sqlite3");
    let back = copy::copy(&db.url_as(None), b.to_str().unwrap()).unwrap();
    let rows: usize = into.tables.iter().map(|t| t.source_rows).sum();
    println!(
        "SQLite -> PG: {rows} rows in {:.2} s (backup, copy and check); PG -> SQLite: {:.2} s",
        into.elapsed.as_secs_f64(),
        back.elapsed.as_secs_f64()
    );
    assert_eq!(side(&into, true), side(&back, false));
}

#[test]
fn a_copy_that_fails_midway_leaves_the_team_store_as_it_was() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    // A comment PostgreSQL cannot hold (a NUL character), in the last review's answers: the
    // calls, cards and reviews before it are written, then the answers fail.
    let c = rusqlite::Connection::open(&a).unwrap();
    c.execute(
        "UPDATE answers SET comment = 'a' || char(0) || 'b' WHERE review_id = (SELECT max(id) FROM reviews)",
        [],
    )
    .unwrap();
    drop(c);
    let r = copy::copy(a.to_str().unwrap(), &db.url_as(None));
    assert!(matches!(r, Err(CopyError::Pg(_))), "{r:?}");
    let mut admin = db.as_user(None);
    for (table, rows) in [("calls", 0), ("reviews", 0), ("answers", 0), ("scorecards", 1), ("audit", 1)] {
        let n: i64 = admin.query_one(&format!("SELECT count(*) FROM callqa.{table}"), &[]).unwrap().get(0);
        assert_eq!(n, rows, "{table}: init-team's seed only");
    }
    // The backup was made before anything was written, and stays.
    let backups = backups_beside(&a);
    assert_eq!(backups.len(), 1);
    // Fixed, the same store takes the copy (the backup's name is by the second: a retry
    // within it is refused, so this one is moved aside).
    std::fs::rename(&backups[0], dir.path().join("first-try.sqlite3")).unwrap();
    let c = rusqlite::Connection::open(&a).unwrap();
    c.execute("UPDATE answers SET comment = 'ab' WHERE review_id = (SELECT max(id) FROM reviews)", [])
        .unwrap();
    drop(c);
    let report = copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();
    assert!(report.ok());
}

#[test]
fn queues_and_transcripts_are_read_by_everyone_and_written_by_leads() {
    let Some(server) = server() else { return };
    let db = TeamDb::team(&server);
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite3");
    drop(build_source(&a));
    copy::copy(a.to_str().unwrap(), &db.url_as(None)).unwrap();
    let denied = |e: postgres::Error| e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE);

    let mut asha = db.as_user(Some(&db.asha));
    let queues: i64 = asha.query_one("SELECT count(*) FROM callqa.queue_items", &[]).unwrap().get(0);
    assert_eq!(queues, 5);
    let transcripts: i64 = asha.query_one("SELECT count(*) FROM callqa.transcripts", &[]).unwrap().get(0);
    assert_eq!(transcripts, 2);
    // The search index answers a word through its GIN index's expression.
    let word: String = asha
        .query_one(
            "SELECT split_part(text, ' ', 1) FROM callqa.transcript_segments WHERE text ~ '^[a-z]+ ' ORDER BY id LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    let hits: i64 = asha
        .query_one(
            "SELECT count(*) FROM callqa.transcript_segments \
             WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', $1)",
            &[&word],
        )
        .unwrap()
        .get(0);
    assert!(hits >= 1, "{word}");
    // A reviewer writes neither queues nor transcripts.
    let e = asha.execute("INSERT INTO callqa.queues (name, seed, params) VALUES ('mine', '1', '{}')", &[]);
    assert!(denied(e.unwrap_err()));
    let e = asha.execute("UPDATE callqa.transcripts SET words = '[]'", &[]);
    assert!(denied(e.unwrap_err()));
    let e = asha.execute("DELETE FROM callqa.queue_items", &[]);
    assert!(denied(e.unwrap_err()));
    // A lead does, as themself, audited by the database.
    let mut lead = db.as_user(Some(&db.lead));
    let id: i64 = lead
        .query_one(
            "INSERT INTO callqa.queues (name, seed, params) VALUES ('July', '7', '{}') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let copied_max: i64 = rusqlite::Connection::open(&a)
        .unwrap()
        .query_row("SELECT max(id) FROM queues", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, copied_max + 1, "the queue sequence moved past the copied ids");
    let forged = lead.execute(
        "INSERT INTO callqa.queues (name, seed, params, created_by) VALUES ('x', '1', '{}', 'Priya')",
        &[],
    );
    assert!(forged.is_err(), "a queue is made in the lead's own name");
    lead.execute(
        "INSERT INTO callqa.transcripts (call_hash, format, source, words) VALUES ('h', 'callqa', 's', '[]')",
        &[],
    )
    .unwrap();
    let audited: i64 = lead
        .query_one(
            "SELECT count(*) FROM callqa.audit WHERE actor = $1 AND action IN ('queues.insert', 'transcripts.insert')",
            &[&db.lead],
        )
        .unwrap()
        .get(0);
    assert_eq!(audited, 2);
}
