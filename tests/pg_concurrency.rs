//! Many desks at once on the team store (issue 15): 8 processes, each a reviewer's login,
//! save 200 reviews each at the same time on a real PostgreSQL server; every save is there
//! afterwards, once, with its audit row. Each child also times its saves (the round trip of
//! a save on localhost: median and p99, printed for the README).
//!
//! Needs `CALLQA_TEST_PG_URL` (`make test` starts a server with scripts/pg-test.sh); without
//! it the test prints a skip line and passes. The children are this test binary run again
//! with `--ignored --exact child_saves` and the child's settings in the environment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::str::FromStr;
use std::time::Instant;

use callqa::model::scorecard::{Answer, ItemAnswer};
use callqa::store::pg::{self, PgStore, TeamPlan};
use postgres::{Config, NoTls};

const PROCESSES: usize = 8;
const SAVES: usize = 200;

fn key_value(c: &Config) -> String {
    let host = match c.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!(
        "host='{host}' port={port} user='{}' dbname='{}' sslmode=disable",
        c.get_user().unwrap_or("postgres"),
        c.get_dbname().unwrap_or("postgres")
    )
}

#[test]
fn eight_processes_save_two_hundred_reviews_each_and_every_one_is_there() {
    let Ok(url) = std::env::var("CALLQA_TEST_PG_URL") else {
        println!("skipped: CALLQA_TEST_PG_URL not set");
        return;
    };
    let server = Config::from_str(&url).unwrap();
    let tag =
        format!("{:x}", std::process::id() as u64 * 7919 + Instant::now().elapsed().subsec_nanos() as u64);
    let db = format!("callqa_conc_{tag}");
    let mut su = server.connect(NoTls).unwrap();
    su.batch_execute(&format!("CREATE DATABASE {}", pg::quote_ident(&db))).unwrap();
    let logins: Vec<String> = (0..PROCESSES).map(|i| format!("callqa_c{tag}_r{i}")).collect();
    let mut admin_cfg = server.clone();
    admin_cfg.dbname(&db);
    let plan = TeamPlan { leads: vec![format!("callqa_c{tag}_lead")], reviewers: logins.clone() };
    pg::init_team(&key_value(&admin_cfg), &plan).unwrap();

    // The calls to score (as a scan adds them) and the card.
    let mut admin = admin_cfg.connect(NoTls).unwrap();
    let mut calls = Vec::new();
    for i in 0..SAVES {
        let id: i64 = admin
            .query_one(
                "INSERT INTO callqa.calls (hash, path, file_name, duration_s, sample_rate, channels, encoding) \
                 VALUES ($1, $2, $3, 60.0, 8000, 2, 'pcm16') RETURNING id",
                &[&format!("{tag}-{i}"), &format!("/calls/{i}.wav"), &format!("{i}.wav")],
            )
            .unwrap()
            .get(0);
        calls.push(id);
    }
    let card: i64 =
        admin.query_one("SELECT id FROM callqa.scorecards WHERE version = 1", &[]).unwrap().get(0);

    // 8 processes at once.
    let started = Instant::now();
    let children: Vec<_> = logins
        .iter()
        .map(|login| {
            let mut cfg = admin_cfg.clone();
            cfg.user(login);
            Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "child_saves", "--nocapture", "--test-threads", "1"])
                .env("CALLQA_CHILD_PG", key_value(&cfg))
                .env("CALLQA_CHILD_CALLS", calls.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
                .env("CALLQA_CHILD_CARD", card.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut failed = 0;
    for mut c in children {
        if !c.wait().unwrap().success() {
            failed += 1;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(failed, 0, "a saving process failed (see its output above)");

    // Every save is there, once, with its audit row.
    let n: i64 = admin.query_one("SELECT count(*) FROM callqa.reviews", &[]).unwrap().get(0);
    assert_eq!(n as usize, PROCESSES * SAVES);
    let pairs: i64 = admin
        .query_one("SELECT count(*) FROM (SELECT DISTINCT reviewer, call_id FROM callqa.reviews) p", &[])
        .unwrap()
        .get(0);
    assert_eq!(pairs as usize, PROCESSES * SAVES, "no review twice, none lost");
    for login in &logins {
        let mine: i64 = admin
            .query_one("SELECT count(*) FROM callqa.reviews WHERE reviewer = $1", &[login])
            .unwrap()
            .get(0);
        assert_eq!(mine as usize, SAVES, "{login}");
    }
    let answers: i64 = admin.query_one("SELECT count(*) FROM callqa.answers", &[]).unwrap().get(0);
    assert_eq!(answers as usize, PROCESSES * SAVES * 4);
    let audited: i64 = admin
        .query_one(
            "SELECT count(DISTINCT a.review_id) FROM callqa.audit a JOIN callqa.reviews r ON r.id = a.review_id \
             WHERE a.action = 'reviews.insert' AND a.actor = r.reviewer",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(audited as usize, PROCESSES * SAVES, "an audit row per saved review, by its reviewer's login");
    println!("{} saves by {PROCESSES} processes at once in {wall:.2} s", PROCESSES * SAVES);

    drop(admin);
    let _ = su.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::quote_ident(&db)));
    for role in logins.iter().chain(&plan.leads) {
        let _ = su.batch_execute(&format!("DROP ROLE IF EXISTS {}", pg::quote_ident(role)));
    }
}

/// One saving process (run by the test above; does nothing when run on its own).
#[test]
#[ignore = "a child process of eight_processes_save_two_hundred_reviews_each_and_every_one_is_there"]
fn child_saves() {
    let (Ok(cfg), Ok(calls), Ok(card)) = (
        std::env::var("CALLQA_CHILD_PG"),
        std::env::var("CALLQA_CHILD_CALLS"),
        std::env::var("CALLQA_CHILD_CARD"),
    ) else {
        return;
    };
    let mut store = PgStore::connect_config(&Config::from_str(&cfg).unwrap()).unwrap();
    let card: i64 = card.parse().unwrap();
    let answers: Vec<ItemAnswer> =
        ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"]
            .iter()
            .map(|k| ItemAnswer::new(k, Some(Answer::Yes)))
            .collect();
    let mut ms = Vec::new();
    for call in calls.split(',').map(|c| c.parse::<i64>().unwrap()) {
        let t = Instant::now();
        store.create_review(call, card, &answers, true).unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "child {}: {} saves, round trip median {:.2} ms, p99 {:.2} ms",
        std::process::id(),
        ms.len(),
        p(0.5),
        p(0.99)
    );
}
