//! `callqa review`, `export`, `report`, `calibrate`, `clip(s)`, `sample`, `transcript`,
//! `search` and `index` on the team store (issue 15), with the real binary on
//! a real PostgreSQL server (`CALLQA_TEST_PG_URL`; `make test` starts one with
//! scripts/pg-test.sh; without the variable each test prints a skip line and passes).
//!
//! The same reviews are made on a SQLite file (`--reviewer NAME`) and on the team store (as
//! the logins of the same names): the exports and reports of both are equal once ids and
//! times are left out. The team store adds what SQLite cannot: the reviewer is the login, a
//! reviewer may not add a scorecard, and sees others' reviews only once they are submitted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;
mod pg_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use std::collections::HashMap;

use callqa::store::backend::{Backend, Target};
use callqa::store::pg::{self, PgError, PgStore};
use callqa::store::{QueueDraft, QueueItemDraft};
use callqa::store::{ReviewState, Store};
use cli_common::{corpus, ok, text};
use pg_common::TeamDb;
use postgres::NoTls;

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

/// A team store (tests/pg_common) with a lead and the reviewers asha and ben, and a working
/// folder for the calls and the SQLite file compared with it.
struct Team {
    pg: TeamDb,
    dir: tempfile::TempDir,
}

impl Team {
    /// A fresh team store, or `None` without a server.
    fn new() -> Option<Team> {
        Team::at(pg::schema::latest())
    }

    /// [`Team::new`] with the schema an older callqa made (migrations 1..=`version`).
    fn at(version: i32) -> Option<Team> {
        let pg = TeamDb::at("k", &["lead"], &["asha", "ben"], version)?;
        Some(Team { pg, dir: tempfile::tempdir().unwrap() })
    }

    fn login(&self, who: &str) -> String {
        self.pg.login(who)
    }

    fn url_as(&self, login: &str) -> String {
        self.pg.url_as(login)
    }

    /// The logins' prefix (to compare names with a SQLite file's).
    fn prefix(&self) -> String {
        self.pg.login("")
    }

    /// `callqa --db URL-as-WHO ARGS` (WHO: lead, asha, ben).
    fn run(&self, who: &str, args: &[&str]) -> Output {
        run(&self.url_as(&self.login(who)), self.dir.path(), args)
    }

    /// A copy of a corpus call in the test's folder (the same file for both stores).
    fn call(&self, name: &str) -> PathBuf {
        let to = self.dir.path().join(name);
        if !to.exists() {
            std::fs::copy(corpus(name), &to).unwrap();
        }
        to
    }
}

fn run(db: &str, home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CALLQA_DB")
        .env("HOME", home)
        .output()
        .unwrap()
}

#[track_caller]
fn refused(out: &Output, code: i32, says: &str) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stdout: {}\nstderr: {err}", text(&out.stdout));
    assert!(err.contains(says), "expected {says:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The reviews of an `export --json`, without what differs between stores by nature (ids,
/// times, the database, the reviewer's login prefix), sorted by call file and reviewer.
fn comparable(json: &str, team: Option<&Team>) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut rows: Vec<serde_json::Value> = v["reviews"]
        .as_array()
        .or_else(|| v.as_array())
        .unwrap_or_else(|| panic!("no reviews in {json}"))
        .iter()
        .map(|r| {
            let mut r = r.clone();
            strip(&mut r);
            if let (Some(t), Some(name)) =
                (team, r.get("reviewer").and_then(|n| n.as_str()).map(str::to_string))
            {
                r["reviewer"] = name.trim_start_matches(&t.prefix()).into();
            }
            r
        })
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|k, _| {
                !(k.ends_with("_at") || k.ends_with("id") || k == "first_seen" || k == "last_seen")
            });
            m.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

/// The same three reviews on a SQLite file and on the team store give equal exports and
/// reports.
#[test]
fn reviews_exports_and_reports_are_the_same_on_sqlite_and_the_team_store() {
    let Some(team) = Team::new() else { return };
    let sqlite = team.dir.path().join("one-desk.sqlite3");
    let sqlite = sqlite.to_str().unwrap();
    let (c, b) =
        (team.call("dev_c_dispute.wav"), team.call("Agent Meena - 2024-06-12 09.05.41 (library hours).wav"));
    let (c, b) = (c.to_str().unwrap(), b.to_str().unwrap());
    let steps: [(&str, &str, Vec<&str>); 4] = [
        (
            "asha",
            c,
            vec![
                "--answer",
                "let_customer_finish=no@5.8,10.7",
                "--answer",
                "no_arguing=yes",
                "--comment",
                "no_arguing==HYPERLINK(\"x\")",
            ],
        ),
        ("asha", c, vec!["--answer", "admitted_fault=na", "--answer", "set_callback_time=yes", "--submit"]),
        (
            "ben",
            c,
            vec![
                "--answer",
                "let_customer_finish=yes",
                "--answer",
                "no_arguing=no",
                "--answer",
                "admitted_fault=yes",
                "--answer",
                "set_callback_time=no",
                "--submit",
            ],
        ),
        ("ben", b, vec!["--answer", "no_arguing=yes", "--comment", "no_arguing=पूरी बात सुनी"]),
    ];
    for (who, file, answers) in &steps {
        let mut args = vec!["review", file];
        args.extend(answers.iter().copied());
        let on_sqlite = ok(&run(sqlite, team.dir.path(), &[args.clone(), vec!["--reviewer", who]].concat()));
        let on_team = ok(&team.run(who, &args));
        // The same review printed, but for the reviewer's name and the review id.
        let plain = |s: &str| s.replace(&team.login(who), who).lines().skip(1).collect::<Vec<_>>().join("\n");
        assert_eq!(plain(&on_sqlite), plain(&on_team), "{who} {file} {answers:?}");
    }
    // As the lead (who sees every review) the team store's export equals the SQLite file's.
    let json_sqlite = ok(&run(sqlite, team.dir.path(), &["export", "--json", "-"]));
    let json_team = ok(&team.run("lead", &["export", "--json", "-"]));
    let (a, b) = (comparable(&json_sqlite, None), comparable(&json_team, Some(&team)));
    assert_eq!(a.len(), 3, "{json_sqlite}");
    assert_eq!(a, b);
    let csv_team = ok(&team.run("lead", &["export", "--csv", "-"]));
    assert!(csv_team.contains("'=HYPERLINK"), "the formula is neutralised on the team store too: {csv_team}");
    for by in ["agent", "item", "reviewer"] {
        let rep = |out: String| {
            let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
            strip(&mut v);
            v.to_string().replace(&team.prefix(), "")
        };
        let s = rep(ok(&run(sqlite, team.dir.path(), &["report", "--by", by, "--json", "--include-drafts"])));
        let t = rep(ok(&team.run("lead", &["report", "--by", by, "--json", "--include-drafts"])));
        assert_eq!(s, t, "report --by {by}");
    }
    // A reviewer's export: their own reviews and everyone's submitted ones, not others' drafts.
    let asha_sees = comparable(&ok(&team.run("asha", &["export", "--json", "-"])), Some(&team));
    let seen: Vec<(String, String)> = asha_sees
        .iter()
        .map(|r| {
            (r["reviewer"].as_str().unwrap().to_string(), r["status"].as_str().unwrap_or("?").to_string())
        })
        .collect();
    assert_eq!(asha_sees.len(), 2, "asha sees her review and ben's submitted one, not ben's draft: {seen:?}");
    assert!(seen.iter().all(|(_, s)| s == "submitted"), "{seen:?}");

    // The library's status column: the same on both stores for the lead; ben's draft is
    // private, so asha sees that call as not reviewed.
    let on_sqlite = Store::open_read_only(Path::new(sqlite)).unwrap().review_states().unwrap();
    let mut lead = PgStore::connect(&team.url_as(&team.login("lead"))).unwrap();
    let unprefixed = |states: HashMap<String, ReviewState>| -> HashMap<String, ReviewState> {
        let prefix = team.prefix();
        states
            .into_iter()
            .map(|(hash, st)| {
                let st = match st {
                    ReviewState::Draft { reviewer } => {
                        ReviewState::Draft { reviewer: reviewer.trim_start_matches(&prefix).into() }
                    }
                    ReviewState::Submitted { reviewer, percent, critical_failed } => ReviewState::Submitted {
                        reviewer: reviewer.trim_start_matches(&prefix).into(),
                        percent,
                        critical_failed,
                    },
                    other => other,
                };
                (hash, st)
            })
            .collect()
    };
    let on_team = unprefixed(lead.review_states().unwrap());
    assert_eq!(on_sqlite.len(), 2);
    assert_eq!(on_sqlite, on_team);
    assert!(on_team.values().any(|s| *s == ReviewState::Draft { reviewer: "ben".into() }), "{on_team:?}");
    let mut asha = PgStore::connect(&team.url_as(&team.login("asha"))).unwrap();
    let asha_states = unprefixed(asha.review_states().unwrap());
    assert_eq!(
        asha_states.values().filter(|s| **s == ReviewState::NotReviewed).count(),
        1,
        "{asha_states:?}"
    );
}

/// The reviewer is the login; a submitted review changes only with a reason (kept by the
/// server's audit trigger); a reviewer cannot add a scorecard, a lead can.
#[test]
fn the_login_is_the_reviewer_and_the_server_keeps_the_rules() {
    let Some(team) = Team::new() else { return };
    let call = team.call("dev_f_brief.wav");
    let call = call.to_str().unwrap();
    let all = [
        "--answer",
        "let_customer_finish=yes",
        "--answer",
        "no_arguing=yes",
        "--answer",
        "admitted_fault=na",
        "--answer",
        "set_callback_time=na",
    ];
    let out = team.run("asha", &[&["review", call, "--submit", "--json"][..], &all].concat());
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["review"]["reviewer"], team.login("asha").as_str());
    assert_eq!(v["review"]["status"], "submitted");
    assert_eq!(v["version"], 1);
    let id = v["review"]["id"].as_i64().unwrap();

    // Another name than the login is refused before anything is written.
    refused(
        &team.run("asha", &["review", call, "--reviewer", "ben", "--answer", "no_arguing=no"]),
        2,
        "your login",
    );
    // A submitted review: no change without a reason, then with one.
    refused(&team.run("asha", &["review", call, "--answer", "no_arguing=no"]), 1, "--amend-reason");
    let out = team.run(
        "asha",
        &["review", call, "--answer", "no_arguing=no", "--amend-reason", "heard it again", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["review"]["id"].as_i64(), Some(id), "the same review is amended");
    assert_eq!(v["version"], 2);
    let mut admin = team.pg.admin();
    let reasons: Vec<String> = admin
        .query(
            "SELECT detail->>'reason' FROM callqa.audit WHERE review_id = $1 AND detail ? 'reason'",
            &[&id],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(reasons.iter().any(|r| r == "heard it again"), "{reasons:?}");
    let actor: String = admin
        .query_one("SELECT actor FROM callqa.audit WHERE review_id = $1 ORDER BY id DESC LIMIT 1", &[&id])
        .unwrap()
        .get(0);
    assert_eq!(actor, team.login("asha"));

    // A custom scorecard: a reviewer may not add it (nothing written), a lead may.
    let card = team.dir.path().join("card.toml");
    std::fs::write(
        &card,
        "name = \"Short card\"\n[[sections]]\ntitle = \"All\"\n[[sections.items]]\nkey = \"polite\"\n\
         title = \"Polite\"\n",
    )
    .unwrap();
    let card = card.to_str().unwrap();
    let before: i64 = admin.query_one("SELECT count(*) FROM callqa.reviews", &[]).unwrap().get(0);
    refused(
        &team.run("ben", &["review", call, "--scorecard", card, "--answer", "polite=yes"]),
        1,
        "only a lead adds scorecards",
    );
    let after: i64 = admin.query_one("SELECT count(*) FROM callqa.reviews", &[]).unwrap().get(0);
    assert_eq!(before, after);
    ok(&team.run("lead", &["review", call, "--scorecard", card, "--answer", "polite=yes"]));
    ok(&team.run("ben", &["review", call, "--scorecard", card, "--answer", "polite=no"]));

    refused(&team.run("asha", &["report", "--queue", "x"]), 2, "there is no review queue named");

    // Review queues on the team store: a lead makes one, a reviewer may not; the reviewer's
    // "My queue" has the item, done (asha submitted that call above); `report --queue` uses it.
    let mut lead = PgStore::connect(&team.url_as(&team.login("lead"))).unwrap();
    let call_id = lead.calls().unwrap().iter().find(|c| c.meta.file_name == "dev_f_brief.wav").unwrap().id;
    let draft = |name: &str| QueueDraft {
        name: name.into(),
        seed: 7,
        params: serde_json::json!({ "per_agent": 1 }),
        created_by: "lead".into(),
        items: vec![QueueItemDraft { call_id, reviewer: Some(team.login("asha")) }],
    };
    lead.create_queue(&draft("week 48")).unwrap();
    let mut ben = PgStore::connect(&team.url_as(&team.login("ben"))).unwrap();
    assert!(matches!(ben.create_queue(&draft("mine")), Err(PgError::Denied(_))));
    let mut asha = Backend::open(&Target::parse(&team.url_as(&team.login("asha")))).unwrap();
    let mine = asha.my_queue(&team.login("asha")).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].queue.as_str(), mine[0].done), ("week 48", true));
    let info = asha.queue_by_name("week 48").unwrap().unwrap();
    assert_eq!((info.items, info.done, info.seed), (1, 1, 7));
    let out = ok(&team.run("lead", &["report", "--queue", "week 48", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["filter"]["queue"], "week 48");
    assert!(!team.dir.path().join("postgres:").exists());
}

/// A team store made by an older callqa (schema 8): this callqa refuses to write to it and
/// says how to upgrade; a reviewer may not upgrade it; an admin does, in one step, with every
/// row kept; then the reviewer scores on it.
#[test]
fn an_older_team_store_is_upgraded_by_an_admin_and_keeps_its_rows() {
    let Some(team) = Team::at(8) else { return };
    let superuser = team.pg.server.get_user().unwrap_or("postgres").to_string();
    let mut asha_sql = {
        let mut c = team.pg.server.clone();
        c.dbname(&team.pg.db).user(&team.login("asha"));
        c.connect(NoTls).unwrap()
    };
    // What asha scored while the store was at version 8 (as that callqa wrote it).
    let call: i64 = asha_sql
        .query_one(
            "INSERT INTO callqa.calls (hash, path, file_name, duration_s, sample_rate, channels, encoding, agent) \
             VALUES ('old-call', '/calls/old.wav', 'old.wav', 60.0, 8000, 2, 'pcm_s16le', 'Meena') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let card: i64 = asha_sql.query_one("SELECT min(id) FROM callqa.scorecards", &[]).unwrap().get(0);
    asha_sql
        .execute(
            "INSERT INTO callqa.reviews (call_id, scorecard_id, status, percent, points, max_points, critical_failed, \
             complete) VALUES ($1, $2, 'draft', 100, 1, 1, false, false)",
            &[&call, &card],
        )
        .unwrap();
    let file = team.call("dev_f_brief.wav");
    let file = file.to_str().unwrap();

    let out = team.run("asha", &["review", file, "--answer", "no_arguing=yes"]);
    let err = refused(&out, 1, "older schema (version 8)");
    assert!(err.contains("callqa db upgrade"), "{err}");
    refused(&team.run("asha", &["db", "upgrade", &team.url_as(&team.login("asha"))]), 1, "only an admin");

    let admin_url = team.url_as(&superuser);
    let out = ok(&team.run("lead", &["db", "upgrade", &admin_url]));
    assert!(out.contains("upgraded from schema version 8 to 10 (migrations 9, 10)"), "{out}");
    let out = ok(&team.run("lead", &["db", "upgrade", &admin_url]));
    assert!(out.contains("up to date (schema version 10)"), "{out}");

    let kept: i64 = asha_sql
        .query_one("SELECT count(*) FROM callqa.reviews WHERE call_id = $1 AND status = 'draft'", &[&call])
        .unwrap()
        .get(0);
    assert_eq!(kept, 1, "the review made at version 8 is still there");
    let out = ok(&team.run("asha", &["review", file, "--answer", "no_arguing=yes", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["review"]["reviewer"], team.login("asha").as_str());
}

/// Calibration sessions and coaching clips from the command line: the same session, session
/// reviews and figures on a SQLite file and on the team store; a reviewer may not make a
/// session nor add or remove a clip (the server refuses; nothing written); a clip's hostile
/// note is kept as given and neutralised in the exported index.
#[test]
fn calibration_and_clips_work_on_the_team_store_as_on_sqlite() {
    let Some(team) = Team::new() else { return };
    let sqlite = team.dir.path().join("one-desk.sqlite3");
    let sqlite = sqlite.to_str().unwrap();
    let home = team.dir.path();
    let (c, b) =
        (team.call("dev_c_dispute.wav"), team.call("Agent Meena - 2024-06-12 09.05.41 (library hours).wav"));
    let (c, b) = (c.to_str().unwrap(), b.to_str().unwrap());
    let session = "Week 48 \"o'brien\"";
    let (asha, ben) = (team.login("asha"), team.login("ben"));
    let logins = format!("{asha},{ben}");
    let create = ["calibration", "create", session, "--calls", c, b, "--reviewers"];
    let (on_desk, on_team) =
        ([&create[..], &["asha,ben"]].concat(), [&create[..], &[logins.as_str()]].concat());
    ok(&run(sqlite, home, &[&on_desk[..], &["--by", "lead"]].concat()));
    // A reviewer may not make a session: the server refuses; a lead does (as the login).
    let err = refused(&team.run("asha", &on_team), 1, "permission denied");
    assert!(err.contains("calibration_sessions"), "{err}");
    refused(&team.run("lead", &[&on_team[..], &["--by", "asha"]].concat()), 2, "your login");
    ok(&team.run("lead", &on_team));
    refused(&team.run("lead", &on_team), 2, "exists already");

    let answers = |no_arguing: &'static str| {
        vec![
            "--answer",
            "let_customer_finish=yes",
            "--answer",
            no_arguing,
            "--answer",
            "admitted_fault=na",
            "--answer",
            "set_callback_time=yes",
            "--submit",
        ]
    };
    for (who, na) in [("asha", "no_arguing=yes"), ("ben", "no_arguing=no")] {
        let args = [vec!["review", c, "--session", session], answers(na)].concat();
        ok(&run(sqlite, home, &[args.clone(), vec!["--reviewer", who]].concat()));
        let out = ok(&team.run(who, &[args, vec!["--json"]].concat()));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["review"]["reviewer"], team.login(who).as_str());
        assert_eq!(v["review"]["status"], "submitted");
    }
    // Not a reviewer of the session: refused, nothing saved.
    refused(
        &team.run("lead", &["review", c, "--session", session, "--answer", "no_arguing=yes"]),
        1,
        "not a reviewer",
    );
    // A submitted session review is not changed.
    refused(
        &team.run("asha", &["review", c, "--session", session, "--answer", "no_arguing=no"]),
        2,
        "cannot be changed",
    );

    let plain = |out: String| out.replace(&team.prefix(), "");
    let figures = |out: String| {
        let mut v: serde_json::Value = serde_json::from_str(&plain(out)).unwrap();
        strip(&mut v);
        v
    };
    let on_sqlite = figures(ok(&run(sqlite, home, &["calibrate", "--session", session, "--json"])));
    let on_team = figures(ok(&team.run("ben", &["calibrate", "--session", session, "--json"])));
    assert_eq!(on_sqlite, on_team);
    assert_eq!(on_team["session"]["reviews"], 2, "{on_team}");
    assert_eq!(on_team["calibration"]["calls"].as_array().map(Vec::len), Some(1), "{on_team}");
    let text = plain(ok(&team.run("lead", &["calibrate", "--session", session])));
    assert!(text.contains("2 call(s) × 2 reviewer(s) (asha, ben); 2 of 4 reviews counted"), "{text}");
    assert!(text.lines().any(|l| l.trim_start().starts_with("no_arguing")), "the disagreement: {text}");
    let list = |out: String| {
        let v: serde_json::Value = serde_json::from_str(&plain(out)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].clone(), s["reviewers"].clone(), s["submitted"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        list(ok(&run(sqlite, home, &["calibration", "list", "--json"]))),
        list(ok(&team.run("asha", &["calibration", "list", "--json"])))
    );
    // Session reviews never count in exports.
    let export = ok(&team.run("lead", &["export", "--json", "-"]));
    assert_eq!(comparable(&export, Some(&team)).len(), 0, "{export}");

    // Coaching clips: a lead adds one (the author is the login); a reviewer may not.
    let note = "=HYPERLINK(\"http://evil\") talks over";
    let clip =
        ["clip", c, "--from", "0:01", "--to", "0:02.5", "--bad", "--set", "Interruptions", "--note", note];
    let err = refused(&team.run("asha", &clip), 1, "permission denied");
    assert!(err.contains("clips"), "{err}");
    refused(&team.run("lead", &[&clip[..], &["--author", "someone"]].concat()), 2, "your login");
    ok(&team.run("lead", &clip));
    ok(&run(sqlite, home, &[&clip[..], &["--author", "lead"]].concat()));
    let clips = |out: String| {
        let mut v: serde_json::Value = serde_json::from_str(&plain(out)).unwrap();
        strip(&mut v);
        v
    };
    let listed = clips(ok(&team.run("asha", &["clips", "--json"])));
    assert_eq!(clips(ok(&run(sqlite, home, &["clips", "--json"]))), listed);
    assert_eq!(listed[0]["note"], note);
    assert_eq!(listed[0]["author"], "lead");
    let out_dir = team.dir.path().join("coaching");
    ok(&team.run("asha", &["clips", "--export", out_dir.to_str().unwrap()]));
    let index = std::fs::read_to_string(out_dir.join("Interruptions").join("index.csv")).unwrap();
    assert!(index.contains("'=HYPERLINK"), "the note is neutralised in the index: {index}");
    // Removing: a reviewer is refused by the server; the lead removes it (audited).
    let mut lead = PgStore::connect(&team.url_as(&team.login("lead"))).unwrap();
    let id = lead.clips(None).unwrap()[0].id.to_string();
    refused(&team.run("asha", &["clips", "--remove", &id]), 1, "permission denied");
    assert_eq!(lead.clips(None).unwrap().len(), 1);
    ok(&team.run("lead", &["clips", "--remove", &id]));
    assert!(lead.clips(None).unwrap().is_empty());
    refused(&team.run("lead", &["clips", "--remove", &id]), 1, "not found");
    assert!(!team.dir.path().join("postgres:").exists());
}

/// `callqa sample` on the team store: the same draw as on a SQLite file holding the same
/// calls; the queue is made in the lead's login; a reviewer may draw (--dry-run) but not store
/// a queue (the server refuses, nothing written).
#[test]
fn sample_draws_the_same_on_the_team_store_and_a_lead_stores_the_queue() {
    let Some(team) = Team::new() else { return };
    let sqlite = team.dir.path().join("one-desk.sqlite3");
    let sqlite = sqlite.to_str().unwrap();
    let home = team.dir.path();
    for name in [
        "dev_a_courteous.wav",
        "dev_b_cutoff.wav",
        "dev_c_dispute.wav",
        "Agent Meena - 2024-06-12 09.05.41 (library hours).wav",
    ] {
        let f = team.call(name);
        let args = ["review", f.to_str().unwrap(), "--answer", "no_arguing=yes"];
        ok(&run(sqlite, home, &[&args[..], &["--reviewer", "asha"]].concat()));
        ok(&team.run("asha", &args));
    }
    let asha = team.login("asha");
    let draw =
        ["sample", "--per-agent", "1", "--seed", "48", "--name-pattern", "(?P<agent>dev_[a-z])_.*", "--json"];
    let on_desk =
        [&draw[..], &["--name", "week 49 \"o'brien\"", "--assign", "asha,ben", "--created-by", "lead"]]
            .concat();
    let logins = format!("{asha},{}", team.login("ben"));
    let on_team = [&draw[..], &["--name", "week 49 \"o'brien\"", "--assign", logins.as_str()]].concat();
    let plain = |out: String| {
        let mut v: serde_json::Value = serde_json::from_str(&out.replace(&team.prefix(), "")).unwrap();
        strip(&mut v);
        v
    };
    // A reviewer draws, but may not store the queue: the server refuses, nothing written.
    let dry = plain(ok(&team.run("asha", &[&on_team[..], &["--dry-run"]].concat())));
    let err = refused(&team.run("asha", &on_team), 1, "permission denied");
    assert!(err.contains("queues"), "{err}");
    refused(&team.run("lead", &[&on_team[..], &["--created-by", "someone"]].concat()), 2, "your login");
    let s = plain(ok(&run(sqlite, home, &on_desk)));
    let t = plain(ok(&team.run("lead", &on_team)));
    assert_eq!(s["items"], t["items"], "the same calls drawn and assigned on both stores");
    assert_eq!(s["agents"], t["agents"]);
    assert_eq!(t["items"].as_array().map(Vec::len), Some(4), "{t}");
    assert_eq!(dry["items"], t["items"], "the reviewer's dry run drew the same");
    assert_eq!(t["queue"]["created_by"], "lead");
    assert_eq!(t["queue"]["stored"], true);
    let mut lead = PgStore::connect(&team.url_as(&team.login("lead"))).unwrap();
    let q = lead.queue_by_name("week 49 \"o'brien\"").unwrap().unwrap();
    assert_eq!((q.items, q.seed, q.created_by.as_str()), (4, 48, team.login("lead").as_str()));
    assert_eq!(lead.queues().unwrap().len(), 1, "asha's refused queue is not there");
    // The queue's name is taken now; asha's "My queue" has her half.
    refused(&team.run("lead", &on_team), 2, "exists already");
    let mine = lead.my_queue(&asha).unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
}

/// `callqa transcript import/show` and `callqa search` on the team store: a lead imports, a
/// reviewer shows and searches, with the same output as on a SQLite file; a reviewer's import
/// is refused by the server (nothing stored), another name than the login is refused.
#[test]
fn transcripts_are_imported_shown_and_searched_on_the_team_store_as_on_sqlite() {
    let Some(team) = Team::new() else { return };
    let wav = team.call("dev_a_courteous.wav");
    let wav = wav.to_str().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts/corpus");
    let (vtt, aws) = (fixtures.join("dev_a_courteous.vtt"), fixtures.join("dev_a_courteous.aws.json"));
    let (vtt, aws) = (vtt.to_str().unwrap(), aws.to_str().unwrap());
    let file = team.dir.path().join("desk.sqlite3");
    let local = |args: &[&str]| run(file.to_str().unwrap(), team.dir.path(), args);

    // A reviewer may not import: the server refuses, nothing is stored.
    let err = refused(&team.run("asha", &["transcript", "import", wav, vtt]), 1, "permission denied");
    assert!(err.contains("a lead imports transcripts"), "{err}");
    refused(&team.run("asha", &["transcript", "show", wav]), 2, "no transcript stored for this call");
    refused(&team.run("lead", &["transcript", "import", wav, vtt, "--by", "someone"]), 2, "your login");

    let import = ["transcript", "import", wav, vtt, "--json"];
    assert_eq!(ok(&local(&import)), ok(&team.run("lead", &import)));
    // Replaced by another format's transcript of the same call, on both.
    let import = ["transcript", "import", wav, aws];
    assert_eq!(ok(&local(&import)), ok(&team.run("lead", &import)));
    for args in [
        &["transcript", "show", wav][..],
        &["transcript", "show", wav, "--json"],
        &["search", "mistake was ours"],
        &["search", "Thursday at four", "--speaker", "customer"],
        &["search", "sorry", "--limit", "2"],
        &["search", "100% o'brien \\ _ =cmd|"],
    ] {
        let (on_sqlite, on_team) = (ok(&local(args)), ok(&team.run("asha", args)));
        assert_eq!(on_sqlite, on_team, "{args:?}");
        assert!(!on_sqlite.trim().is_empty(), "{args:?}");
    }
    let hits = |out: String| -> Vec<serde_json::Value> {
        let mut v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        for h in &mut v {
            h.as_object_mut().unwrap().remove("call_id");
        }
        v
    };
    let args = ["search", "Thursday at four", "--json"];
    let on_team = hits(ok(&team.run("ben", &args)));
    assert_eq!(hits(ok(&local(&args))), on_team);
    assert_eq!(on_team.len(), 2, "agent and customer say it: {on_team:?}");
    assert_eq!(on_team[0]["file_name"], "dev_a_courteous.wav");
    let mut admin = team.pg.admin();
    let by: String = admin.query_one("SELECT imported_by FROM callqa.transcripts", &[]).unwrap().get(0);
    assert_eq!(by, team.login("lead"));
}

/// `callqa index` on the team store: the same folder, name pattern and dialer CSV give the
/// same summary, figures and call details as on a SQLite file; a second run skips what is
/// indexed; a CSV that changes a detail changes it on both. A reviewer indexes (figures are
/// derived data, stored in the login's name).
#[test]
fn index_stores_the_same_figures_and_details_on_the_team_store_as_on_sqlite() {
    let Some(team) = Team::new() else { return };
    let calls = team.dir.path().join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    std::fs::copy(corpus("dev_f_brief.wav"), calls.join("BILLING_Ravi_20240613_101112_C7.wav")).unwrap();
    let csv = team.dir.path().join("dialer.csv");
    std::fs::write(&csv, "file_name,agent,team\nBILLING_Ravi_20240613_101112_C7.wav,Ravi \"K\" =1+1,\n")
        .unwrap();
    let pattern = r"(?P<team>[A-Z]+)_(?P<agent>[^_]+)_(?P<date>\d{8})_(?P<time>\d{6})_(?P<customer>C\d+)";
    let (csv, calls) = (csv.to_str().unwrap(), calls.to_str().unwrap());
    let file = team.dir.path().join("desk.sqlite3");
    let local = |args: &[&str]| run(file.to_str().unwrap(), team.dir.path(), args);
    let summary = |out: String| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for x in v["indexed"].as_array_mut().unwrap() {
            x.as_object_mut().unwrap().remove("call_id");
        }
        v
    };
    let first = ["index", "--json", "--metadata", csv, "--name-pattern", pattern, calls];
    let on_sqlite = summary(ok(&local(&first)));
    assert_eq!(on_sqlite["indexed"].as_array().unwrap().len(), 1, "{on_sqlite:#}");
    assert_eq!(summary(ok(&team.run("asha", &first))), on_sqlite);
    let again = ["index", "--json"];
    let on_sqlite = summary(ok(&local(&again)));
    assert_eq!(on_sqlite["already_indexed"], 1, "{on_sqlite:#}");
    assert_eq!(summary(ok(&team.run("asha", &again))), on_sqlite);

    let stored = |b: &mut Backend| {
        let calls: Vec<_> = b
            .calls()
            .unwrap()
            .into_iter()
            .map(|c| (c.meta.file_name, c.meta.agent, c.meta.recorded_at, c.meta.team))
            .collect();
        let figures: Vec<_> = b.all_metrics().unwrap().into_iter().map(|m| m.metrics).collect();
        (calls, figures)
    };
    let mut sqlite = Backend::open(&Target::Local(file.clone())).unwrap();
    let mut on_server = team.pg.open("asha");
    let (calls_here, figures) = stored(&mut sqlite);
    assert_eq!(calls_here[0].1.as_deref(), Some("Ravi \"K\" =1+1"), "the CSV wins: {calls_here:?}");
    assert_eq!(calls_here[0].3.as_deref(), Some("BILLING"), "the pattern's team: {calls_here:?}");
    assert_eq!(figures.len(), 1);
    assert_eq!(stored(&mut on_server), (calls_here, figures));

    // Another team in the CSV replaces it on both (already indexed: no analysis).
    std::fs::write(
        team.dir.path().join("dialer.csv"),
        "file_name,team\nBILLING_Ravi_20240613_101112_C7.wav,Care\n",
    )
    .unwrap();
    let update = ["index", "--json", "--metadata", csv];
    let on_sqlite = summary(ok(&local(&update)));
    assert_eq!(on_sqlite["details_updated"], 1, "{on_sqlite:#}");
    assert_eq!(summary(ok(&team.run("asha", &update))), on_sqlite);
    assert_eq!(stored(&mut on_server), stored(&mut sqlite));
    assert_eq!(stored(&mut on_server).0[0].3.as_deref(), Some("Care"));
    let by: String =
        team.pg.admin().query_one("SELECT analysed_by FROM callqa.call_metrics", &[]).unwrap().get(0);
    assert_eq!(by, team.login("asha"));
}
