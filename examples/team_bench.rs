//! The team store's library load (issue 15), in release on a real PostgreSQL server:
//! `scripts/team-bench.sh` (starts a throwaway server with scripts/pg-test.sh and runs
//! `cargo run --release --example team_bench`).
//!
//! A team database with 10,000 calls, 10,000 submitted reviews by ten reviewers and 1,000
//! drafts (44,000 answers), seeded in one transaction. Then, as the lead and as a reviewer
//! (row-level security on), what the window's library needs: a connection, every call and
//! each call's status (`calls` + `review_states`), median of 7 runs; and every review with its
//! answers, call and card (`export_rows`, what reports read), median of 5 runs.
//!
//! Needs `CALLQA_TEST_PG_URL` (a login that may CREATE DATABASE and CREATE ROLE). Prints one
//! line per figure; drops its database and logins afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use callqa::store::pg::{self, PgStore, TeamPlan};
use postgres::{Config, NoTls};

const CALLS: i64 = 10_000;
const REVIEWERS: usize = 10;
const DRAFTS: i64 = 1_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let url =
        std::env::var("CALLQA_TEST_PG_URL").expect("set CALLQA_TEST_PG_URL (scripts/team-bench.sh does)");
    let server: Config = url.parse().unwrap();
    let tag = format!("{:x}", std::process::id());
    let db = format!("callqa_bench_{tag}");
    let login = |who: &str| format!("callqa_b{tag}_{who}");
    let host = match server.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };
    let port = server.get_ports().first().copied().unwrap_or(5432);
    let url_as = |l: &str| format!("postgres://{l}@{host}:{port}/{db}");
    let superuser = server.get_user().unwrap_or("postgres").to_string();
    server
        .connect(NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {}", pg::quote_ident(&db)))
        .unwrap();
    let reviewers: Vec<String> = (0..REVIEWERS).map(|i| login(&format!("r{i}"))).collect();
    let plan = TeamPlan { leads: vec![login("lead")], reviewers: reviewers.clone() };
    pg::init_team(&url_as(&superuser), &plan).unwrap();

    // The seed, as a bulk load (triggers off for this transaction only, as db copy does).
    let t = Instant::now();
    let mut admin = {
        let mut c = server.clone();
        c.dbname(&db);
        c.connect(NoTls).unwrap()
    };
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute("SET LOCAL session_replication_role = replica").unwrap();
    tx.execute(
        "INSERT INTO callqa.calls (hash, path, file_name, duration_s, sample_rate, channels, encoding, agent, recorded_at) \
         SELECT md5(i::text) || md5((i * 7)::text), '/mnt/recordings/' || i || '.wav', i || '.wav', 120 + i % 600, \
         8000, 2, 'pcm_s16le', 'Agent ' || (i % 40), '2026-11-' || lpad((1 + i % 27)::text, 2, '0') \
         FROM generate_series(1, $1::bigint) i",
        &[&CALLS],
    )
    .unwrap();
    let card: i64 = tx.query_one("SELECT min(id) FROM callqa.scorecards", &[]).unwrap().get(0);
    tx.execute(
        "INSERT INTO callqa.reviews (call_id, scorecard_id, reviewer, status, submitted_at, percent, points, \
         max_points, critical_failed, complete) \
         SELECT c.id, $1, ($2::text[])[1 + c.id % $3], 'submitted', now(), 66.7, 2, 3, false, true \
         FROM callqa.calls c",
        &[&card, &reviewers, &(REVIEWERS as i64)],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO callqa.reviews (call_id, scorecard_id, reviewer, status, percent, points, max_points, \
         critical_failed, complete) \
         SELECT c.id, $1, ($2::text[])[1 + (c.id + 1) % $3], 'draft', 100, 1, 1, false, false \
         FROM callqa.calls c WHERE c.id <= $4",
        &[&card, &reviewers, &(REVIEWERS as i64), &DRAFTS],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO callqa.answers (review_id, position, item_key, answer, comment, evidence) \
         SELECT r.id, k.pos, k.key, k.answer, CASE WHEN r.id % 5 = 0 THEN 'spoke over the customer' ELSE '' END, \
         CASE WHEN k.answer = 'no' THEN '[5.8, 10.7]'::jsonb ELSE '[]'::jsonb END \
         FROM callqa.reviews r, (VALUES (0, 'let_customer_finish', 'no'), (1, 'no_arguing', 'yes'), \
         (2, 'admitted_fault', 'na'), (3, 'set_callback_time', 'yes')) AS k(pos, key, answer)",
        &[],
    )
    .unwrap();
    tx.commit().unwrap();
    admin.batch_execute("ANALYZE").unwrap();
    let reviews: i64 = admin.query_one("SELECT count(*) FROM callqa.reviews", &[]).unwrap().get(0);
    let answers: i64 = admin.query_one("SELECT count(*) FROM callqa.answers", &[]).unwrap().get(0);
    println!("seeded {CALLS} calls, {reviews} reviews, {answers} answers in {}", ms(t.elapsed()));

    for who in [login("lead"), reviewers[0].clone()] {
        let role = if who.ends_with("_lead") { "lead" } else { "reviewer" };
        let mut loads = Vec::new();
        let mut seen = (0, 0);
        for _ in 0..7 {
            let t = Instant::now();
            let mut store = PgStore::connect(&url_as(&who)).unwrap();
            let calls = store.calls().unwrap();
            let states = store.review_states().unwrap();
            loads.push(t.elapsed());
            seen = (calls.len(), states.len());
        }
        println!(
            "library as the {role}: connect + {} calls + {} statuses: median {} (7 runs)",
            seen.0,
            seen.1,
            ms(median(loads))
        );
        let mut store = PgStore::connect(&url_as(&who)).unwrap();
        let mut exports = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let t = Instant::now();
            rows = store.export_rows().unwrap().len();
            exports.push(t.elapsed());
        }
        println!(
            "every review as the {role} ({rows} with answers, calls, cards): median {} (5 runs)",
            ms(median(exports))
        );
    }

    let _ = admin;
    let mut su = server.connect(NoTls).unwrap();
    su.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", pg::quote_ident(&db))).unwrap();
    for who in plan.leads.iter().chain(&plan.reviewers) {
        su.batch_execute(&format!("DROP ROLE {}", pg::quote_ident(who))).unwrap();
    }
}
