//! The team store's foundation on a real PostgreSQL server (`CALLQA_TEST_PG_URL`, a login
//! that may CREATE DATABASE and CREATE ROLE; `make test` starts one with scripts/pg-test.sh).
//! Without the variable each test prints "skipped: CALLQA_TEST_PG_URL not set" and passes;
//! with it set and the server unreachable, the tests fail.
//!
//! Each test makes its own database (`callqa_test_<random>`) and logins (`callqa_t<random>_…`)
//! and drops them afterwards. Raw SQL runs as those logins to show that the server itself
//! refuses what a reviewer may not do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use callqa::model::scorecard::{Answer, ItemAnswer, Scorecard};
use callqa::store::pg::{self, PgError, PgStore, TeamPlan};
use postgres::{Client, Config, NoTls};

const SKIP: &str = "skipped: CALLQA_TEST_PG_URL not set";

/// Creating the cluster-wide group roles from several tests at once would race on the same
/// catalog rows; init-team runs one at a time here (a team is set up once in real life).
static INIT: Mutex<()> = Mutex::new(());

/// The server's URL, or `None` (and the skip line printed) when the variable is unset.
fn server() -> Option<Config> {
    match std::env::var("CALLQA_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => {
            Some(url.parse().expect("CALLQA_TEST_PG_URL is not a PostgreSQL URL"))
        }
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

/// A fresh database on the server and the people of one team, dropped afterwards.
struct TeamDb {
    server: Config,
    name: String,
    /// Login names, prefixed per test (roles are cluster-wide).
    lead: String,
    asha: String,
    ben: String,
    extra_roles: Vec<String>,
}

impl TeamDb {
    fn new(server: &Config) -> TeamDb {
        let tag = unique();
        let name = format!("callqa_test_{tag}");
        let mut admin = server.connect(NoTls).expect("cannot reach the test server at CALLQA_TEST_PG_URL");
        admin.batch_execute(&format!("CREATE DATABASE {}", pg::quote_ident(&name))).unwrap();
        TeamDb {
            server: server.clone(),
            name,
            lead: format!("callqa_t{tag}_lead"),
            asha: format!("callqa_t{tag}_asha"),
            ben: format!("callqa_t{tag}_ben"),
            extra_roles: Vec::new(),
        }
    }

    /// The URL's configuration for this database, as the server's superuser.
    fn admin_config(&self) -> Config {
        let mut c = self.server.clone();
        c.dbname(&self.name);
        c
    }

    fn admin_url(&self) -> String {
        config_url(&self.admin_config())
    }

    fn admin(&self) -> Client {
        self.admin_config().connect(NoTls).unwrap()
    }

    /// This database as `login` (trust authentication on the test server).
    fn config_as(&self, login: &str) -> Config {
        let mut c = self.admin_config();
        c.user(login);
        c
    }

    fn as_user(&self, login: &str) -> Client {
        self.config_as(login).connect(NoTls).unwrap()
    }

    fn init(&self) -> pg::InitReport {
        let _one = INIT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let plan =
            TeamPlan { leads: vec![self.lead.clone()], reviewers: vec![self.asha.clone(), self.ben.clone()] };
        pg::init_team(&self.admin_url(), &plan).unwrap()
    }
}

impl Drop for TeamDb {
    fn drop(&mut self) {
        let Ok(mut admin) = self.server.connect(NoTls) else { return };
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::quote_ident(&self.name)));
        for role in [&self.lead, &self.asha, &self.ben].into_iter().chain(&self.extra_roles) {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", pg::quote_ident(role)));
        }
    }
}

/// A key=value connection string for `c` (host, port, user, dbname), for APIs taking a URL.
fn config_url(c: &Config) -> String {
    let host = match c.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    let q = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    format!(
        "host={} port={port} user={} dbname={} sslmode=disable",
        q(&host),
        q(c.get_user().unwrap_or("postgres")),
        q(c.get_dbname().unwrap_or("postgres"))
    )
}

/// A call (added by a reviewer, as a scan would) and the built-in card's id.
fn call_and_card(c: &mut Client) -> (i64, i64) {
    let call: i64 = c
        .query_one(
            "INSERT INTO callqa.calls (hash, path, file_name, duration_s, sample_rate, channels, encoding) \
             VALUES ($1, '/calls/a.wav', 'a.wav', 60.0, 8000, 2, 'pcm16') RETURNING id",
            &[&unique()],
        )
        .unwrap()
        .get(0);
    let card: i64 = c.query_one("SELECT id FROM callqa.scorecards WHERE version = 1", &[]).unwrap().get(0);
    (call, card)
}

fn all_answered(card: &Scorecard, a: Answer) -> Vec<ItemAnswer> {
    card.items().map(|i| ItemAnswer::new(&i.key, Some(a))).collect()
}

/// The SQLSTATE of a refused statement (panics when it was not refused).
fn refused(r: Result<u64, postgres::Error>) -> String {
    match r {
        Ok(n) => panic!("expected the server to refuse, but {n} rows changed"),
        Err(e) => e.code().map(|c| c.code().to_string()).unwrap_or_else(|| e.to_string()),
    }
}

const DENIED: &str = "42501";
const RLS_CHECK: &str = "42501"; // "new row violates row-level security policy"
const CHECK_VIOLATION: &str = "23514";

#[test]
fn init_team_creates_schema_roles_and_forced_rls_on_a_fresh_database() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    let report = db.init();
    let text = report.steps.join("\n");
    assert!(text.contains(&format!("{}: created LOGIN role, member of callqa_lead", db.lead)), "{text}");
    assert!(text.contains(&format!("{}: created LOGIN role, member of callqa_reviewer", db.asha)), "{text}");
    assert!(text.contains("row-level security forced"), "{text}");

    let mut admin = db.admin();
    let version: i32 = admin.query_one("SELECT max(version) FROM callqa.migrations", &[]).unwrap().get(0);
    assert_eq!(version, pg::schema::latest());
    assert_eq!(version, 10, "numbered like the SQLite store's migrations");
    // Every table: RLS enabled and forced, owned by callqa_admin.
    let rows = admin
        .query(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)::text \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'callqa' AND c.relkind = 'r' AND c.relname <> 'migrations' ORDER BY 1",
            &[],
        )
        .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        names,
        [
            "answers",
            "applied_changes",
            "audit",
            "calibration_calls",
            "calibration_reviewers",
            "calibration_sessions",
            "call_metrics",
            "call_paths",
            "calls",
            "clips",
            "queue_items",
            "queues",
            "review_sessions",
            "review_times",
            "reviews",
            "scorecards",
            "transcript_segments",
            "transcripts"
        ]
    );
    for r in &rows {
        let (name, enabled, forced, owner): (String, bool, bool, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        assert!(enabled && forced, "{name}: RLS enabled {enabled}, forced {forced}");
        assert_eq!(owner, "callqa_admin", "{name}");
    }
    // Logins are members of their group; the lead also (through callqa_lead) of reviewer.
    let member = |admin: &mut Client, who: &str, group: &str| -> bool {
        admin.query_one("SELECT pg_has_role($1, $2, 'MEMBER')", &[&who, &group]).unwrap().get(0)
    };
    assert!(member(&mut admin, &db.lead, "callqa_lead"));
    assert!(member(&mut admin, &db.lead, "callqa_reviewer"));
    assert!(member(&mut admin, &db.asha, "callqa_reviewer"));
    assert!(!member(&mut admin, &db.asha, "callqa_lead"));
    assert!(!member(&mut admin, &db.asha, "callqa_admin"));
    // The identity comes from the server.
    let mut store = PgStore::connect_config(&db.config_as(&db.asha)).unwrap();
    let me = store.identity().unwrap();
    assert_eq!((me.login.as_str(), me.reviewer, me.lead, me.admin), (db.asha.as_str(), true, false, false));
    // The built-in scorecard is there for everyone.
    let card: i64 = db.as_user(&db.asha).query_one("SELECT id FROM callqa.scorecards", &[]).unwrap().get(0);
    assert_eq!(store.scorecard(card).unwrap(), Scorecard::default_card());

    // Running it again is refused, and changes nothing.
    let again = pg::init_team(&db.admin_url(), &TeamPlan { leads: vec![], reviewers: vec!["x".into()] });
    assert!(matches!(again, Err(PgError::AlreadyTeamStore { version: 10, .. })), "{again:?}");
}

#[test]
fn init_team_refuses_a_database_with_other_tables_and_leaves_it_untouched() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    let mut admin = db.admin();
    admin.batch_execute("CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)").unwrap();
    let r = pg::init_team(&db.admin_url(), &TeamPlan { leads: vec![db.lead.clone()], reviewers: vec![] });
    assert!(matches!(r, Err(PgError::Foreign { tables: 1, .. })), "{r:?}");
    let schemas: i64 =
        admin.query_one("SELECT count(*) FROM pg_namespace WHERE nspname = 'callqa'", &[]).unwrap().get(0);
    assert_eq!(schemas, 0);
    let lead: i64 =
        admin.query_one("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[&db.lead]).unwrap().get(0);
    assert_eq!(lead, 0, "no role was created");
    // Unreachable server: an error naming it, not a panic.
    let bad = pg::init_team(
        "postgres://nobody@127.0.0.1:1/x",
        &TeamPlan { leads: vec!["a".into()], reviewers: vec![] },
    );
    assert!(matches!(bad, Err(PgError::Connect { .. })), "{bad:?}");
}

#[test]
fn hostile_role_names_become_exactly_those_roles_and_nothing_else() {
    let Some(server) = server() else { return };
    let mut db = TeamDb::new(&server);
    let tag = unique();
    let hostile = vec![
        format!("{tag}\"; DROP SCHEMA callqa CASCADE; --"),
        format!("{tag}'); DROP TABLE callqa.audit; --"),
        format!("{tag} Ünï cödé\\ name"),
    ];
    db.extra_roles = hostile.clone();
    {
        let _one = INIT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pg::init_team(&db.admin_url(), &TeamPlan { leads: vec![], reviewers: hostile.clone() }).unwrap();
    }
    let mut admin = db.admin();
    for name in &hostile {
        let ok: bool = admin
            .query_one(
                "SELECT rolcanlogin AND pg_has_role(rolname, 'callqa_reviewer', 'MEMBER') FROM pg_roles WHERE rolname = $1",
                &[name],
            )
            .unwrap()
            .get(0);
        assert!(ok, "{name:?} is a login in callqa_reviewer");
        // And that login can work: it sees the schema.
        let n: i64 =
            db.as_user(name).query_one("SELECT count(*) FROM callqa.scorecards", &[]).unwrap().get(0);
        assert_eq!(n, 1);
    }
    let tables: i64 =
        admin.query_one("SELECT count(*) FROM pg_tables WHERE schemaname = 'callqa'", &[]).unwrap().get(0);
    assert_eq!(tables, 19, "the schema is intact");
    // Names PostgreSQL would cut or reject are refused before anything is done.
    for bad in ["pg_signal_backend", "callqa_admin", "", "a\u{0}b"] {
        let r = pg::init_team(&db.admin_url(), &TeamPlan { leads: vec![bad.into()], reviewers: vec![] });
        assert!(matches!(r, Err(PgError::BadRoleName { .. })), "{bad:?}: {r:?}");
    }
    let long = "x".repeat(64);
    let r = pg::init_team(&db.admin_url(), &TeamPlan { leads: vec![], reviewers: vec![long] });
    assert!(matches!(r, Err(PgError::BadRoleName { .. })), "{r:?}");
}

#[test]
fn a_reviewer_cannot_change_or_delete_another_reviewers_review() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    db.init();
    let mut asha = db.as_user(&db.asha);
    let (call, card_id) = call_and_card(&mut asha);
    let card = Scorecard::default_card();
    let mut asha_store = PgStore::connect_config(&db.config_as(&db.asha)).unwrap();
    let draft = asha_store.create_review(call, card_id, &[], false).unwrap();
    let done = asha_store.create_review(call, card_id, &all_answered(&card, Answer::Yes), true).unwrap();

    let mut ben = db.as_user(&db.ben);
    // Asha's draft is invisible to Ben; her submitted review is visible but not his to change.
    let seen: Vec<i64> = ben
        .query("SELECT id FROM callqa.reviews ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seen, [done.id]);
    for id in [draft.id, done.id] {
        let n =
            ben.execute("UPDATE callqa.reviews SET points = 0, percent = 0 WHERE id = $1", &[&id]).unwrap();
        assert_eq!(n, 0, "review {id}: row-level security hides it from Ben's UPDATE");
        let n = ben.execute("UPDATE callqa.answers SET answer = 'no' WHERE review_id = $1", &[&id]).unwrap();
        assert_eq!(n, 0, "review {id}'s answers");
        assert_eq!(refused(ben.execute("DELETE FROM callqa.reviews WHERE id = $1", &[&id])), DENIED);
    }
    // Ben cannot take her review over, nor write a review or answers in her name.
    assert_eq!(refused(ben.execute("DELETE FROM callqa.answers WHERE review_id = $1", &[&done.id])), DENIED);
    let n =
        ben.execute("UPDATE callqa.reviews SET reviewer = session_user WHERE id = $1", &[&done.id]).unwrap();
    assert_eq!(n, 0);
    let forged = ben.execute(
        "INSERT INTO callqa.reviews (call_id, scorecard_id, reviewer, status, points, max_points, critical_failed, complete) \
         VALUES ($1, $2, $3, 'draft', 0, 0, false, false)",
        &[&call, &card_id, &db.asha],
    );
    assert_eq!(refused(forged), RLS_CHECK);
    let forged = ben.execute(
        "INSERT INTO callqa.answers (review_id, position, item_key, answer) VALUES ($1, 99, 'x', 'no')",
        &[&draft.id],
    );
    assert_eq!(refused(forged), RLS_CHECK);
    // SET ROLE cannot make him someone else.
    assert!(ben.batch_execute(&format!("SET ROLE {}", pg::quote_ident(&db.asha))).is_err());
    // Through the API: refused, and said so.
    let mut ben_store = PgStore::connect_config(&db.config_as(&db.ben)).unwrap();
    let r = ben_store.update_review(
        done.id,
        done.version,
        &all_answered(&card, Answer::No),
        true,
        Some("mine now"),
    );
    assert!(matches!(r, Err(PgError::Denied(_))), "{r:?}");

    // Asha's reviews are as she left them.
    let mut admin = db.admin();
    let rows = admin
        .query("SELECT id, version, points, reviewer::text FROM callqa.reviews ORDER BY id", &[])
        .unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r.get::<_, i64>(1), 1, "review {} unchanged", r.get::<_, i64>(0));
        assert_eq!(r.get::<_, String>(3), db.asha);
    }
    let no: i64 =
        admin.query_one("SELECT count(*) FROM callqa.answers WHERE answer = 'no'", &[]).unwrap().get(0);
    assert_eq!(no, 0);
}

#[test]
fn nobody_can_update_delete_truncate_or_forge_audit_rows() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    db.init();
    let mut asha = db.as_user(&db.asha);
    let (call, card_id) = call_and_card(&mut asha);
    PgStore::connect_config(&db.config_as(&db.asha))
        .unwrap()
        .create_review(call, card_id, &[], false)
        .unwrap();
    // Her changes were audited, in her name, by the database.
    let mine: Vec<(String, String)> = asha
        .query("SELECT actor, action FROM callqa.audit ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(mine.iter().all(|(actor, _)| *actor == db.asha), "{mine:?}");
    let actions: Vec<&str> = mine.iter().map(|(_, a)| a.as_str()).collect();
    assert!(actions.contains(&"calls.insert") && actions.contains(&"reviews.insert"), "{actions:?}");
    assert!(actions.contains(&"answers.insert"), "{actions:?}");

    for login in [&db.asha, &db.lead] {
        let mut c = db.as_user(login);
        assert_eq!(
            refused(c.execute("UPDATE callqa.audit SET actor = 'someone else'", &[])),
            DENIED,
            "{login}"
        );
        assert_eq!(refused(c.execute("DELETE FROM callqa.audit", &[])), DENIED, "{login}");
        assert_eq!(refused(c.execute("TRUNCATE callqa.audit", &[])), DENIED, "{login}");
        let forged = c.execute(
            "INSERT INTO callqa.audit (actor, action, detail) VALUES ('boss', 'reviews.amend', '{}')",
            &[],
        );
        assert_eq!(refused(forged), DENIED, "{login}");
        // The trigger function cannot be called to write one either.
        assert!(c.batch_execute("SELECT callqa.audit_row()").is_err(), "{login}");
    }
    // The schema's owner role is held to the policies too (FORCE): no policy lets it change
    // audit rows, so nothing changes.
    let mut admin = db.admin();
    admin.batch_execute("SET ROLE callqa_admin").unwrap();
    assert_eq!(admin.execute("UPDATE callqa.audit SET actor = 'x'", &[]).unwrap(), 0);
    assert_eq!(admin.execute("DELETE FROM callqa.audit", &[]).unwrap(), 0);
    admin.batch_execute("RESET ROLE").unwrap();
    // Even the server's superuser (who bypasses row-level security) meets the triggers.
    for sql in ["UPDATE callqa.audit SET actor = 'x'", "DELETE FROM callqa.audit", "TRUNCATE callqa.audit"] {
        let e = admin.execute(sql, &[]).unwrap_err();
        assert!(format!("{e:?}").contains("append-only"), "{sql}: {e:?}");
    }
    let n: i64 =
        admin.query_one("SELECT count(*) FROM callqa.audit WHERE actor <> $1", &[&db.asha]).unwrap().get(0);
    let total: i64 = admin.query_one("SELECT count(*) FROM callqa.audit", &[]).unwrap().get(0);
    assert!(total >= 3);
    // Only init-team's own row (the scorecard, by the setup login) is not Asha's.
    assert_eq!(n, 1);
}

#[test]
fn a_submitted_review_changes_only_with_a_reason_recorded_by_the_database() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    db.init();
    let card = Scorecard::default_card();
    let mut asha = db.as_user(&db.asha);
    let (call, card_id) = call_and_card(&mut asha);
    let mut store = PgStore::connect_config(&db.config_as(&db.asha)).unwrap();
    // Her own draft: inserted, updated, submitted.
    let v1 = store
        .create_review(call, card_id, &[ItemAnswer::new("no_arguing", Some(Answer::Yes))], false)
        .unwrap();
    let v2 = store.update_review(v1.id, v1.version, &all_answered(&card, Answer::Yes), false, None).unwrap();
    assert_eq!(v2.version, 2);
    let v3 = store.update_review(v1.id, v2.version, &all_answered(&card, Answer::Yes), true, None).unwrap();
    assert_eq!(v3.version, 3);

    // Raw SQL without a reason: refused by the trigger, on the review and on its answers.
    assert_eq!(
        refused(asha.execute("UPDATE callqa.reviews SET points = 0 WHERE id = $1", &[&v1.id])),
        CHECK_VIOLATION
    );
    assert_eq!(
        refused(asha.execute("UPDATE callqa.answers SET answer = 'no' WHERE review_id = $1", &[&v1.id])),
        CHECK_VIOLATION
    );
    assert_eq!(
        refused(asha.execute("UPDATE callqa.reviews SET status = 'draft' WHERE id = $1", &[&v1.id])),
        CHECK_VIOLATION
    );
    // Through the API: refused before anything is sent.
    let r = store.update_review(v1.id, v3.version, &all_answered(&card, Answer::No), true, None);
    assert!(matches!(r, Err(PgError::AmendNeedsReason)), "{r:?}");
    let r = store.update_review(v1.id, v3.version, &all_answered(&card, Answer::No), true, Some("   "));
    assert!(matches!(r, Err(PgError::AmendNeedsReason)), "{r:?}");

    // With a reason: changed, and the audit row, written by the database, keeps it.
    let v4 = store
        .update_review(v1.id, v3.version, &all_answered(&card, Answer::No), true, Some("misheard the hold"))
        .unwrap();
    assert_eq!(v4.version, 4);
    let rows = asha
        .query(
            "SELECT action, detail->>'reason', actor FROM callqa.audit WHERE review_id = $1 ORDER BY id",
            &[&v1.id],
        )
        .unwrap();
    let amend = rows.iter().find(|r| r.get::<_, String>(0) == "reviews.amend").expect("an amend row");
    assert_eq!(amend.get::<_, Option<String>>(1).as_deref(), Some("misheard the hold"));
    assert_eq!(amend.get::<_, String>(2), db.asha);
    let answer_rows = rows
        .iter()
        .filter(|r| r.get::<_, String>(0) == "answers.update")
        .filter(|r| r.get::<_, Option<String>>(1).as_deref() == Some("misheard the hold"))
        .count();
    assert_eq!(answer_rows, card.items().count(), "each changed answer audited with the reason");
    assert!(rows.iter().any(|r| r.get::<_, String>(0) == "reviews.submit"));
    // The same by raw SQL, with the session setting.
    let mut tx = asha.transaction().unwrap();
    tx.execute("SELECT set_config('callqa.amend_reason', 'typo in the comment', true)", &[]).unwrap();
    let n = tx
        .execute(
            "UPDATE callqa.answers SET comment = 'fixed' WHERE review_id = $1 AND position = 0",
            &[&v1.id],
        )
        .unwrap();
    assert_eq!(n, 1);
    tx.commit().unwrap();
}

#[test]
fn a_lead_reads_every_review_a_reviewer_only_their_own_and_submitted_ones() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    db.init();
    let card = Scorecard::default_card();
    let mut asha = db.as_user(&db.asha);
    let (call, card_id) = call_and_card(&mut asha);
    let a_draft = PgStore::connect_config(&db.config_as(&db.asha))
        .unwrap()
        .create_review(call, card_id, &[], false)
        .unwrap();
    let mut ben_store = PgStore::connect_config(&db.config_as(&db.ben)).unwrap();
    let b_draft = ben_store.create_review(call, card_id, &[], false).unwrap();
    let b_done =
        ben_store.create_review(call, card_id, &all_answered(&card, Answer::NotApplicable), true).unwrap();

    let ids = |c: &mut Client, sql: &str| -> Vec<i64> {
        c.query(sql, &[]).unwrap().iter().map(|r| r.get(0)).collect()
    };
    let mut lead = db.as_user(&db.lead);
    assert_eq!(
        ids(&mut lead, "SELECT id FROM callqa.reviews ORDER BY id"),
        [a_draft.id, b_draft.id, b_done.id]
    );
    let answers: i64 =
        lead.query_one("SELECT count(DISTINCT review_id) FROM callqa.answers", &[]).unwrap().get(0);
    assert_eq!(answers, 3, "and their answers");
    let audited: i64 = lead.query_one("SELECT count(DISTINCT actor) FROM callqa.audit", &[]).unwrap().get(0);
    assert!(audited >= 2, "and the whole audit log");
    assert_eq!(ids(&mut asha, "SELECT id FROM callqa.reviews ORDER BY id"), [a_draft.id, b_done.id]);
    assert_eq!(
        ids(&mut asha, "SELECT DISTINCT review_id FROM callqa.answers ORDER BY 1"),
        [a_draft.id, b_done.id]
    );
    // A lead can add a scorecard version; a reviewer cannot.
    let add =
        "INSERT INTO callqa.scorecards (name, version, hash, content) VALUES ('Lead card', 1, $1, '{}')";
    assert_eq!(lead.execute(add, &[&unique()]).unwrap(), 1);
    assert_eq!(refused(asha.execute(add, &[&unique()])), DENIED);
    // A lead cannot change a reviewer's review either.
    assert_eq!(
        lead.execute("UPDATE callqa.reviews SET points = 0 WHERE id = $1", &[&b_draft.id]).unwrap(),
        0
    );
}

#[test]
fn a_save_over_a_stale_version_changes_nothing_and_reports_a_conflict() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    db.init();
    let card = Scorecard::default_card();
    let mut asha = db.as_user(&db.asha);
    let (call, card_id) = call_and_card(&mut asha);
    // Two windows of Asha's hold the same review at version 1.
    let mut first = PgStore::connect_config(&db.config_as(&db.asha)).unwrap();
    let mut second = PgStore::connect_config(&db.config_as(&db.asha)).unwrap();
    let v1 = first.create_review(call, card_id, &[], false).unwrap();
    let yes = vec![ItemAnswer::new("no_arguing", Some(Answer::Yes))];
    let v2 = first.update_review(v1.id, v1.version, &yes, false, None).unwrap();
    assert_eq!(v2.version, 2);

    // Raw SQL with the stale version: 0 rows.
    let n = asha
        .execute(
            "UPDATE callqa.reviews SET points = 99 WHERE id = $1 AND version = $2",
            &[&v1.id, &v1.version],
        )
        .unwrap();
    assert_eq!(n, 0);
    // The API: a conflict with both versions, nothing saved.
    let no = vec![ItemAnswer::new("no_arguing", Some(Answer::No))];
    match second.update_review(v1.id, v1.version, &no, false, None) {
        Err(PgError::Conflict { review_id, expected, found }) => {
            assert_eq!((review_id, expected, found), (v1.id, 1, 2));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let stored: Option<String> = asha
        .query_one(
            "SELECT answer FROM callqa.answers WHERE review_id = $1 AND item_key = 'no_arguing'",
            &[&v1.id],
        )
        .unwrap()
        .get(0);
    assert_eq!(stored.as_deref(), Some("yes"), "the first save stands");
    let (version, points): (i64, f64) = {
        let r =
            asha.query_one("SELECT version, points FROM callqa.reviews WHERE id = $1", &[&v1.id]).unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(version, 2);
    assert_ne!(points, 99.0);
    // Reloaded at version 2, the second window's save goes through.
    let v3 = second.update_review(v1.id, 2, &no, false, None).unwrap();
    assert_eq!(v3.version, 3);
    // A change of answers alone, by raw SQL, is a new version too (once per transaction), so a
    // window holding version 3 is refused afterwards.
    let mut tx = asha.transaction().unwrap();
    tx.execute("UPDATE callqa.answers SET comment = 'a' WHERE review_id = $1", &[&v1.id]).unwrap();
    tx.execute("UPDATE callqa.answers SET comment = 'b' WHERE review_id = $1", &[&v1.id]).unwrap();
    tx.commit().unwrap();
    let version: i64 =
        asha.query_one("SELECT version FROM callqa.reviews WHERE id = $1", &[&v1.id]).unwrap().get(0);
    assert_eq!(version, 4);
    let r = first.update_review(v1.id, 3, &yes, false, None);
    assert!(matches!(r, Err(PgError::Conflict { expected: 3, found: 4, .. })), "{r:?}");
    let _ = card;
}

#[test]
fn connect_refuses_a_database_that_is_not_a_team_store() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    let r = PgStore::connect(&db.admin_url());
    assert!(matches!(r, Err(PgError::NotTeamStore(_))), "{r:?}");
}

/// Migration 9: a call's team. A reviewer (a scan) sets and updates it under the calls
/// table's grants and policies as before; the lead reads it; the database audits the change.
#[test]
fn a_calls_team_is_written_by_reviewers_read_by_everyone_and_audited() {
    let Some(server) = server() else { return };
    let db = TeamDb::new(&server);
    db.init();
    let mut asha = db.as_user(&db.asha);
    let (call, _) = call_and_card(&mut asha);
    let team = |c: &mut Client| -> Option<String> {
        c.query_one("SELECT team FROM callqa.calls WHERE id = $1", &[&call]).unwrap().get(0)
    };
    assert_eq!(team(&mut asha), None, "unknown stays empty");
    let n = asha.execute("UPDATE callqa.calls SET team = 'बिलिंग' WHERE id = $1", &[&call]).unwrap();
    assert_eq!(n, 1);
    assert_eq!(team(&mut db.as_user(&db.lead)).as_deref(), Some("बिलिंग"));
    let detail: String = asha
        .query_one(
            "SELECT detail::text FROM callqa.audit WHERE action = 'calls.update' AND call_id = $1",
            &[&call],
        )
        .unwrap()
        .get(0);
    assert!(detail.contains("\"team\": \"बिलिंग\"") && detail.contains("\"team\": null"), "{detail}");
}
