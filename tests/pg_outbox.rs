//! The network fails; scores do not (issue 15). With the real binary on a real PostgreSQL
//! server, stopped hard (`pg_ctl stop -m immediate`) in the middle of a session: the reviews
//! made meanwhile wait in the outbox, in order, per login; after the restart `callqa db sync`
//! sends them, and everything arrives once. The outbox is then put back as it was before the
//! sync (as if every acknowledgement had been lost) and sent again: nothing is applied twice.
//!
//! Needs the server scripts/pg-test.sh starts (`CALLQA_TEST_PG_URL` and `CALLQA_TEST_PG_CTL`,
//! `_DATA`, `_OPTS`, `_LOG`, `_OWNER` to stop and start it); without them it prints a skip line
//! and passes. This binary holds this one test only: it stops the server other tests use.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;
mod pg_common;
mod ui_common;

use std::path::PathBuf;
use std::process::{Command, Output};

use callqa::store::outbox::{Outbox, SessionRef};
use cli_common::{corpus, ok, text};
use pg_common::TeamDb;
use postgres::Client;

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

/// `pg_ctl` on the test cluster.
struct Server {
    ctl: String,
    data: String,
    opts: String,
    log: String,
    owner: String,
}

impl Server {
    fn from_env() -> Option<Server> {
        let var = |k: &str| std::env::var(k).ok();
        Some(Server {
            ctl: var("CALLQA_TEST_PG_CTL")?,
            data: var("CALLQA_TEST_PG_DATA")?,
            opts: var("CALLQA_TEST_PG_OPTS")?,
            log: var("CALLQA_TEST_PG_LOG")?,
            owner: var("CALLQA_TEST_PG_OWNER").unwrap_or_default(),
        })
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut c = if self.owner.is_empty() {
            Command::new(&self.ctl)
        } else {
            let mut c = Command::new("runuser");
            c.args(["-u", &self.owner, "--", &self.ctl]);
            c
        };
        let out = c.args(["-D", &self.data]).args(args).output().unwrap();
        assert!(out.status.success(), "pg_ctl {args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    }

    fn stop_hard(&self) {
        self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }

    fn start(&self) {
        self.pg_ctl(&["-l", &self.log, "-o", &self.opts, "-w", "-t", "60", "start"]);
    }
}

/// One desk's working folder and outbox, on a team store (tests/pg_common).
struct Desk {
    dir: tempfile::TempDir,
    team: TeamDb,
}

impl Desk {
    fn url(&self, login: &str) -> String {
        self.team.url_as(login)
    }

    /// The outbox's name for the team store as `login`: `login@host:port/db`.
    fn target(&self, login: &str) -> String {
        format!("{login}@{}:{}/{}", self.team.host, self.team.port, self.team.db)
    }

    /// `callqa --db URL ARGS` as `login`, with this desk's outbox.
    fn run(&self, login: &str, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--db")
            .arg(self.url(login))
            .args(args)
            .env_remove("CALLQA_DB")
            .env("HOME", self.dir.path())
            .env("CALLQA_OUTBOX", self.outbox())
            .output()
            .unwrap()
    }

    fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox.sqlite3")
    }

    fn call(&self, name: &str) -> String {
        let to = self.dir.path().join(name);
        if !to.exists() {
            std::fs::copy(corpus(name), &to).unwrap();
        }
        to.to_string_lossy().into_owned()
    }
}

/// A review as stored: reviewer, call file, status, version, answers.
type Stored = (String, String, String, i64, String);

/// Every review and the audit log's length.
fn team_state(admin: &mut Client) -> (Vec<Stored>, i64) {
    let rows = admin
        .query(
            "SELECT r.reviewer, c.file_name, r.status, r.version, \
             string_agg(a.item_key || '=' || coalesce(a.answer, '-') || ':' || a.comment, ' ' ORDER BY a.position) \
             FROM callqa.reviews r JOIN callqa.calls c ON c.id = r.call_id \
             LEFT JOIN callqa.answers a ON a.review_id = r.id \
             GROUP BY r.id, r.reviewer, c.file_name, r.status, r.version ORDER BY r.reviewer, c.file_name, r.id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    let audit: i64 = admin.query_one("SELECT count(*) FROM callqa.audit", &[]).unwrap().get(0);
    (rows, audit)
}

#[track_caller]
fn waits(out: &Output, n: usize) {
    let err = text(&out.stderr);
    assert!(out.status.success(), "a review made while the server is down is kept (exit 0): {err}");
    assert!(err.contains("cannot be reached") && err.contains(&format!("{n} change(s) wait")), "{err}");
    assert!(err.contains("Nothing is lost"), "{err}");
}

#[test]
fn a_server_stopped_hard_mid_session_loses_nothing_and_duplicates_nothing() {
    let (Ok(_), Some(server)) = (std::env::var("CALLQA_TEST_PG_URL"), Server::from_env()) else {
        println!("skipped: CALLQA_TEST_PG_URL / CALLQA_TEST_PG_CTL not set (run through scripts/pg-test.sh)");
        return;
    };
    let Some(team) = TeamDb::new("o", &["lead"], &["asha", "ben"]) else { return };
    let (asha, ben) = (team.login("asha"), team.login("ben"));
    let desk = Desk { dir: tempfile::tempdir().unwrap(), team };
    let connect_admin = || -> Client { desk.team.admin() };
    let (a, b) = (desk.call("dev_c_dispute.wav"), desk.call("dev_f_brief.wav"));

    // Online: asha starts a draft.
    ok(&desk.run(
        &asha,
        &[
            "review",
            &a,
            "--answer",
            "let_customer_finish=no@5.8",
            "--comment",
            "let_customer_finish=talked over",
        ],
    ));

    // The server dies (no shutdown checkpoint, connections cut).
    server.stop_hard();
    let offline = [
        (
            &asha,
            vec![
                "review",
                &a,
                "--answer",
                "no_arguing=yes",
                "--answer",
                "admitted_fault=na",
                "--answer",
                "set_callback_time=yes",
                "--submit",
            ],
        ),
        (
            &asha,
            vec!["review", &b, "--answer", "no_arguing=no", "--comment", "no_arguing=raised voice at 0:12"],
        ),
        (&ben, vec!["review", &a, "--answer", "let_customer_finish=yes"]),
        (
            &asha,
            vec![
                "review",
                &b,
                "--answer",
                "let_customer_finish=yes",
                "--comment",
                "no_arguing=ग्राहक पर चिल्लाया",
            ],
        ),
    ];
    let expected_waiting = [1, 2, 1, 3];
    for ((who, args), n) in offline.iter().zip(expected_waiting) {
        waits(&desk.run(who, args), n);
    }
    // Still down: db sync says so, and lists nothing as sent.
    let out = desk.run(&asha, &["db", "sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("3 change(s) wait"), "{}", text(&out.stderr));
    let before_sync = std::fs::read(desk.outbox()).unwrap();
    let wal = desk.outbox().with_extension("sqlite3-wal");
    let before_wal = std::fs::read(&wal).ok();

    server.start();
    let out = desk.run(&asha, &["db", "sync", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!((v["sent"].as_u64(), v["waiting"].as_u64()), (Some(3), Some(0)), "{v}");
    // Ben's change is his login's: it waits for him (another URL), then goes with his sync.
    let out = desk.run(&ben, &["db", "sync", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!((v["sent"].as_u64(), v["waiting"].as_u64()), (Some(1), Some(0)), "{v}");
    assert_eq!(Outbox::open(&desk.outbox()).unwrap().count(&desk.target(&asha)).unwrap(), 0);

    let mut admin = connect_admin();
    let (reviews, audit) = team_state(&mut admin);
    let mine = |who: &str| reviews.iter().filter(|r| r.0 == who).cloned().collect::<Vec<_>>();
    let asha_reviews = mine(&asha);
    assert_eq!(asha_reviews.len(), 2, "one review per call, none twice: {reviews:?}");
    let on_a = &asha_reviews[0];
    assert_eq!((on_a.1.as_str(), on_a.2.as_str(), on_a.3), ("dev_c_dispute.wav", "submitted", 2), "{on_a:?}");
    assert_eq!(
        on_a.4,
        "let_customer_finish=no:talked over no_arguing=yes: admitted_fault=na: set_callback_time=yes:",
        "the draft made online and the submission made offline, in order"
    );
    let on_b = &asha_reviews[1];
    assert_eq!((on_b.1.as_str(), on_b.2.as_str(), on_b.3), ("dev_f_brief.wav", "draft", 2), "{on_b:?}");
    assert_eq!(
        on_b.4,
        "let_customer_finish=yes: no_arguing=no:ग्राहक पर चिल्लाया admitted_fault=-: set_callback_time=-:",
        "the second offline change applied on top of the first"
    );
    assert_eq!(mine(&ben).len(), 1, "{reviews:?}");
    let applied: i64 = admin.query_one("SELECT count(*) FROM callqa.applied_changes", &[]).unwrap().get(0);
    assert_eq!(applied, 5, "the online change and the four offline ones, each once");

    // Every acknowledgement lost: the outbox as it was before the sync, sent again.
    std::fs::write(desk.outbox(), &before_sync).unwrap();
    match &before_wal {
        Some(w) => std::fs::write(&wal, w).unwrap(),
        None => {
            let _ = std::fs::remove_file(&wal);
        }
    }
    let _ = std::fs::remove_file(desk.outbox().with_extension("sqlite3-shm"));
    let out = desk.run(&asha, &["db", "sync", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(
        (v["sent"].as_u64(), v["already_there"].as_u64(), v["waiting"].as_u64()),
        (Some(3), Some(3), Some(0)),
        "{v}"
    );
    let out = desk.run(&ben, &["db", "sync", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["already_there"].as_u64(), Some(1), "{v}");
    assert_eq!(
        team_state(&mut admin),
        (reviews.clone(), audit),
        "sent twice, applied once: no review, answer, version or audit row changed"
    );
    drop(admin);

    // A refused change stays, with why, until dropped: a submitted review changed offline
    // without a reason.
    server.stop_hard();
    waits(&desk.run(&asha, &["review", &a, "--answer", "no_arguing=no"]), 1);
    server.start();
    let out = desk.run(&asha, &["db", "sync"]);
    assert_eq!(out.status.code(), Some(1));
    let listed = text(&out.stdout);
    assert!(listed.contains("1 wait") && listed.contains("--amend-reason"), "{listed}");
    let id = listed.lines().nth(1).and_then(|l| l.split_whitespace().next()).unwrap().to_string();
    ok(&desk.run(&asha, &["db", "sync", "--drop", &id]));
    assert_eq!(team_state(&mut connect_admin()).0, reviews, "the refused change changed nothing");

    session_reviews_wait_in_the_outbox_too(&server, &desk, &asha, &ben, &connect_admin);
    the_window_keeps_a_session_review_in_the_outbox(&server, &desk, &ben, &connect_admin);
    the_window_keeps_saves_in_the_outbox_while_the_server_is_down(&server, &desk, &asha, &connect_admin);
}

/// The outbox file and its WAL, to put back later (every acknowledgement lost).
fn snapshot(desk: &Desk) -> (Vec<u8>, Option<Vec<u8>>) {
    (std::fs::read(desk.outbox()).unwrap(), std::fs::read(desk.outbox().with_extension("sqlite3-wal")).ok())
}

fn restore(desk: &Desk, (file, wal): &(Vec<u8>, Option<Vec<u8>>)) {
    std::fs::write(desk.outbox(), file).unwrap();
    let wal_path = desk.outbox().with_extension("sqlite3-wal");
    match wal {
        Some(w) => std::fs::write(&wal_path, w).unwrap(),
        None => {
            let _ = std::fs::remove_file(&wal_path);
        }
    }
    let _ = std::fs::remove_file(desk.outbox().with_extension("sqlite3-shm"));
}

/// The reviews made in calibration session `name`: reviewer, call file, status, version,
/// answers.
fn session_state(admin: &mut Client, name: &str) -> Vec<Stored> {
    admin
        .query(
            "SELECT r.reviewer, c.file_name, r.status, r.version, \
             string_agg(a.item_key || '=' || coalesce(a.answer, '-') || ':' || a.comment, ' ' ORDER BY a.position) \
             FROM callqa.reviews r JOIN callqa.calls c ON c.id = r.call_id \
             JOIN callqa.review_sessions rs ON rs.review_id = r.id \
             JOIN callqa.calibration_sessions s ON s.id = rs.session_id \
             LEFT JOIN callqa.answers a ON a.review_id = r.id WHERE s.name = $1 \
             GROUP BY r.id, r.reviewer, c.file_name, r.status, r.version ORDER BY r.reviewer, c.file_name, r.id",
            &[&name],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

/// A calibration session's reviews made while the server is down wait in the outbox with the
/// ordinary ones, in order, and arrive once: in the session (its rows and figures), not among
/// the ordinary reviews; sent again, nothing changes; a submitted one changed offline is
/// refused on sending and stays until dropped.
fn session_reviews_wait_in_the_outbox_too(
    server: &Server,
    desk: &Desk,
    asha: &str,
    ben: &str,
    connect_admin: &dyn Fn() -> Client,
) {
    let lead = desk.team.login("lead");
    let (a, b) = (desk.call("dev_c_dispute.wav"), desk.call("dev_f_brief.wav"));
    let session = "Week 49 \"offline\"";
    ok(&desk.run(
        &lead,
        &["calibration", "create", session, "--calls", &a, &b, "--reviewers", &format!("{asha},{ben}")],
    ));
    // A session the store does not have: refused at once (the asker's mistake), not kept.
    let out = desk.run(asha, &["review", &a, "--session", "no such week", "--answer", "no_arguing=yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no calibration session named"), "{}", text(&out.stderr));
    assert_eq!(Outbox::open(&desk.outbox()).unwrap().count(&desk.target(asha)).unwrap(), 0);
    // Online: asha starts her session review of a.
    ok(&desk.run(asha, &["review", &a, "--session", session, "--answer", "let_customer_finish=no"]));
    let mut admin = connect_admin();
    let (ordinary, _) = team_state(&mut admin);
    let applied_before: i64 =
        admin.query_one("SELECT count(*) FROM callqa.applied_changes", &[]).unwrap().get(0);
    drop(admin);

    server.stop_hard();
    let all =
        ["--answer", "no_arguing=yes", "--answer", "admitted_fault=na", "--answer", "set_callback_time=yes"];
    waits(&desk.run(asha, &[&["review", &a, "--session", session][..], &all, &["--submit"]].concat()), 1);
    // An ordinary review between them: it stays an ordinary one.
    waits(&desk.run(asha, &["review", &b, "--answer", "admitted_fault=yes"]), 2);
    waits(
        &desk.run(
            ben,
            &[
                &["review", &b, "--session", session, "--answer", "let_customer_finish=yes"][..],
                &all,
                &["--submit"],
            ]
            .concat(),
        ),
        1,
    );
    let listed = desk.run(asha, &["db", "sync"]);
    assert_eq!(listed.status.code(), Some(1), "{}", text(&listed.stderr));
    let kept: Vec<Option<SessionRef>> = Outbox::open(&desk.outbox())
        .unwrap()
        .waiting(&desk.target(asha))
        .unwrap()
        .into_iter()
        .map(|w| w.change.session)
        .collect();
    assert_eq!(kept, vec![Some(SessionRef::Name(session.to_string())), None], "in order, each marked");
    let before_sync = snapshot(desk);

    server.start();
    let v: serde_json::Value = serde_json::from_str(&ok(&desk.run(asha, &["db", "sync", "--json"]))).unwrap();
    assert_eq!((v["sent"].as_u64(), v["waiting"].as_u64()), (Some(2), Some(0)), "{v}");
    let v: serde_json::Value = serde_json::from_str(&ok(&desk.run(ben, &["db", "sync", "--json"]))).unwrap();
    assert_eq!((v["sent"].as_u64(), v["waiting"].as_u64()), (Some(1), Some(0)), "{v}");

    let mut admin = connect_admin();
    let in_session = session_state(&mut admin, session);
    assert_eq!(
        in_session,
        vec![
            (
                asha.to_string(),
                "dev_c_dispute.wav".to_string(),
                "submitted".to_string(),
                2,
                "let_customer_finish=no: no_arguing=yes: admitted_fault=na: set_callback_time=yes:"
                    .to_string()
            ),
            (
                ben.to_string(),
                "dev_f_brief.wav".to_string(),
                "submitted".to_string(),
                1,
                "let_customer_finish=yes: no_arguing=yes: admitted_fault=na: set_callback_time=yes:"
                    .to_string()
            ),
        ],
        "the online draft and the offline submission in one session review; ben's once"
    );
    let (reviews, audit) = team_state(&mut admin);
    let asha_on_b = |rs: &[Stored]| {
        rs.iter().filter(|r| r.0 == asha && r.1 == "dev_f_brief.wav").map(|r| r.4.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        reviews.len(),
        ordinary.len() + 1,
        "one new review (ben's): asha's continues her online draft, her ordinary change her review of b"
    );
    assert!(asha_on_b(&reviews)[0].contains("admitted_fault=yes:"), "{reviews:?}");
    let applied: i64 = admin.query_one("SELECT count(*) FROM callqa.applied_changes", &[]).unwrap().get(0);
    assert_eq!(applied, applied_before + 3, "the three offline changes, each once");
    // The session's figures count them.
    let fig: serde_json::Value =
        serde_json::from_str(&ok(&desk.run(&lead, &["calibrate", "--session", session, "--json"]))).unwrap();
    assert_eq!(fig["session"]["reviews"], 2, "{fig}");

    // Every acknowledgement lost: sent again, nothing changes.
    restore(desk, &before_sync);
    let v: serde_json::Value = serde_json::from_str(&ok(&desk.run(asha, &["db", "sync", "--json"]))).unwrap();
    assert_eq!((v["sent"].as_u64(), v["already_there"].as_u64()), (Some(2), Some(2)), "{v}");
    let v: serde_json::Value = serde_json::from_str(&ok(&desk.run(ben, &["db", "sync", "--json"]))).unwrap();
    assert_eq!(v["already_there"].as_u64(), Some(1), "{v}");
    assert_eq!(session_state(&mut admin, session), in_session);
    assert_eq!(team_state(&mut admin), (reviews.clone(), audit), "sent twice, applied once");
    drop(admin);

    // A submitted session review changed offline: refused when sent, kept until dropped.
    server.stop_hard();
    waits(&desk.run(asha, &["review", &a, "--session", session, "--answer", "no_arguing=no"]), 1);
    server.start();
    let out = desk.run(asha, &["db", "sync"]);
    assert_eq!(out.status.code(), Some(1));
    let listed = text(&out.stdout);
    assert!(listed.contains("1 wait") && listed.contains("cannot be changed"), "{listed}");
    let id = listed.lines().nth(1).and_then(|l| l.split_whitespace().next()).unwrap().to_string();
    ok(&desk.run(asha, &["db", "sync", "--drop", &id]));
    assert_eq!(
        session_state(&mut connect_admin(), session),
        in_session,
        "the refused change changed nothing"
    );
}

/// The window on the team store: the server stopped hard while a review is open; the draft
/// and the submission are kept in the outbox (the review is safe, the window says how many
/// wait); the server starts again and the window's store thread sends them by itself, once.
fn the_window_keeps_saves_in_the_outbox_while_the_server_is_down(
    server: &Server,
    desk: &Desk,
    asha: &str,
    connect_admin: &dyn Fn() -> Client,
) {
    use egui_kittest::kittest::Queryable;
    let call = PathBuf::from(desk.call("dev_a_courteous.wav"));
    let outbox = desk.dir.path().join("window-outbox.sqlite3");
    let mut h = ui_common::harness_with_outbox(&PathBuf::from(desk.url(asha)), vec![call], outbox.clone());
    ui_common::run_until(&mut h, "the review and the analysis, on the team store", 60, |app| {
        app.team_login.is_some()
            && app.review.is_some()
            && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    server.stop_hard();
    for (i, label) in ["Yes", "Yes", "N.A.", "No"].iter().enumerate() {
        h.get_all_by_label(label).nth(i).unwrap().scroll_to_me();
        h.run_steps(2);
        h.get_all_by_label(label).nth(i).unwrap().click();
        h.run_steps(2);
    }
    h.get_by_label("Save draft").click();
    h.run_steps(2);
    ui_common::run_until(&mut h, "the draft kept in the outbox", 30, |app| {
        app.outbox_waiting == 1 && app.review.as_ref().is_some_and(|r| !r.dirty && !r.save_in_flight())
    });
    ui_common::assert_shows(&h, "1 change(s) wait in the outbox");
    h.get_by_label("Submit").click();
    h.run_steps(2);
    ui_common::run_until(&mut h, "the submission kept in the outbox", 30, |app| app.outbox_waiting == 2);
    let key = desk.target(asha);
    assert_eq!(Outbox::open(&outbox).unwrap().count(&key).unwrap(), 2, "both on disk, in the outbox file");

    server.start();
    ui_common::run_until(&mut h, "the window to send the outbox once the server is back", 60, |app| {
        app.outbox_waiting == 0 && app.message.as_ref().is_some_and(|m| m.text.contains("Sent 2 change(s)"))
    });
    let mut admin = connect_admin();
    let rows = admin
        .query(
            "SELECT r.status, r.version, string_agg(a.item_key || '=' || coalesce(a.answer, '-'), ' ' \
             ORDER BY a.position) FROM callqa.reviews r JOIN callqa.calls c ON c.id = r.call_id \
             JOIN callqa.answers a ON a.review_id = r.id WHERE c.file_name = 'dev_a_courteous.wav' \
             AND r.reviewer = $1 GROUP BY r.id",
            &[&asha],
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "one review, not two");
    let (status, version, answers): (String, i64, String) = (rows[0].get(0), rows[0].get(1), rows[0].get(2));
    assert_eq!((status.as_str(), version), ("submitted", 2), "the draft, then the submission");
    assert_eq!(answers, "let_customer_finish=yes no_arguing=yes admitted_fault=na set_callback_time=no");
    assert_eq!(Outbox::open(&outbox).unwrap().count(&key).unwrap(), 0);
}

/// The window scoring blind in a calibration session on the team store: the server stopped
/// hard, the submission is kept in the outbox marked with its session (the window counts it
/// as waiting); the server back, the window sends it by itself, once, into the session.
fn the_window_keeps_a_session_review_in_the_outbox(
    server: &Server,
    desk: &Desk,
    ben: &str,
    connect_admin: &dyn Fn() -> Client,
) {
    use callqa::app::Command;
    use egui::{Key, Modifiers};
    use egui_kittest::kittest::Queryable;
    let session_name = "Week 49 \"offline\"";
    let session: i64 = connect_admin()
        .query_one("SELECT id FROM callqa.calibration_sessions WHERE name = $1", &[&session_name])
        .unwrap()
        .get(0);
    let call = PathBuf::from(desk.call("dev_c_dispute.wav"));
    let outbox = desk.dir.path().join("window-session-outbox.sqlite3");
    let mut h =
        ui_common::harness_with_outbox(&PathBuf::from(desk.url(ben)), vec![call.clone()], outbox.clone());
    ui_common::run_until(&mut h, "the call on the team store", 60, |app| {
        app.team_login.is_some() && app.review.is_some()
    });
    h.state_mut().push(Command::OpenSessionCall { session, name: session_name.to_string(), path: call });
    ui_common::run_until(&mut h, "the call in the session, analysed", 60, |app| {
        app.review.as_ref().is_some_and(|r| r.session == Some(session))
            && app.call.as_ref().is_some_and(|c| c.analysis.is_some())
    });
    h.run_steps(3);
    server.stop_hard();
    for key in [Key::Num1, Key::Num2, Key::Num3, Key::Num4] {
        ui_common::press(&mut h, key, Modifiers::NONE);
        ui_common::press(&mut h, Key::N, Modifiers::NONE);
    }
    h.get_by_label("Submit").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Submit").click();
    h.run_steps(2);
    ui_common::run_until(&mut h, "the session review kept in the outbox", 30, |app| {
        app.outbox_waiting == 1 && app.review.as_ref().is_some_and(|r| !r.dirty && !r.save_in_flight())
    });
    ui_common::assert_shows(&h, "1 change(s) wait in the outbox");
    let key = desk.target(ben);
    let kept = Outbox::open(&outbox).unwrap().waiting(&key).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].change.session.clone(), kept[0].change.submit),
        (Some(SessionRef::Id(session)), true)
    );

    server.start();
    ui_common::run_until(&mut h, "the window to send the outbox once the server is back", 60, |app| {
        app.outbox_waiting == 0 && app.message.as_ref().is_some_and(|m| m.text.contains("Sent 1 change(s)"))
    });
    let rows: Vec<Stored> = session_state(&mut connect_admin(), session_name)
        .into_iter()
        .filter(|r| r.0 == ben && r.1 == "dev_c_dispute.wav")
        .collect();
    assert_eq!(rows.len(), 1, "one session review, not two: {rows:?}");
    assert_eq!((rows[0].2.as_str(), rows[0].3), ("submitted", 1), "{rows:?}");
    assert_eq!(rows[0].4, "let_customer_finish=no: no_arguing=no: admitted_fault=no: set_callback_time=no:");
    assert_eq!(Outbox::open(&outbox).unwrap().count(&key).unwrap(), 0);
}
