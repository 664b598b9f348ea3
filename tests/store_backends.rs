//! One store API, two backends (issue 15): the review window's path through
//! `callqa::store::backend::Backend` — calls and their paths, the default card, a draft, its
//! submission, an amendment with a reason, active time, the library's status, analysis
//! figures, the export — run the same on a real SQLite file and on the team store (a real
//! PostgreSQL server, `CALLQA_TEST_PG_URL`, as the login `asha`), with the same results. Then
//! what only the team store has: the login is the reviewer, and a save made on an old version
//! is refused. Without the server the team half prints a skip line (the SQLite half still runs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer, Review, ReviewStatus};
use callqa::store::backend::{Backend, Target};
use callqa::store::pg::{self, PgError, TeamPlan};
use callqa::store::{CallMetrics, ReviewDraft, ReviewState, StoreError};
use postgres::{Config, NoTls};

fn meta() -> CallMeta {
    CallMeta {
        file_name: "call-0193.wav".into(),
        duration_s: 19.0,
        sample_rate: 8000,
        channels: 2,
        encoding: "pcm_s16le".into(),
        agent: Some("Meena".into()),
        ..CallMeta::default()
    }
}

fn answer(key: &str, a: Answer, at: &[f64]) -> ItemAnswer {
    ItemAnswer { evidence_s: at.to_vec(), ..ItemAnswer::new(key, Some(a)) }
}

/// What a review is, without ids and times (which differ between stores by nature).
fn essence(r: &Review) -> (String, ReviewStatus, Vec<ItemAnswer>, Option<f64>, f64) {
    (r.reviewer.clone(), r.status, r.answers.clone(), r.score.percent, r.active_s)
}

/// The window's path; returns what it saw, to compare across backends.
fn review_path(b: &mut Backend, me: &str, dir: &Path) -> Vec<String> {
    let mut seen = Vec::new();
    let card = b.default_scorecard().unwrap();
    let (a, copy) = (dir.join("a.wav"), dir.join("copy of a.wav"));
    let call = b.upsert_call("hash-a", &a, &meta()).unwrap();
    assert_eq!(b.upsert_call("hash-a", &copy, &meta()).unwrap(), call, "a copy is the same call");
    let paths = b.call_paths(call).unwrap();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(b.latest_review(call, me).unwrap().is_none());

    let mut draft = ReviewDraft {
        id: None,
        call_id: call,
        card_id: card.id,
        reviewer: me.into(),
        answers: vec![answer("let_customer_finish", Answer::No, &[5.8, 10.7])],
    };
    let id = b.save_review(&draft, false).unwrap();
    let r = b.latest_review(call, me).unwrap().unwrap();
    assert_eq!((r.id, r.status), (id, ReviewStatus::Draft));
    seen.push(format!("{:?}", essence(&r)));

    draft.id = Some(id);
    draft.answers = vec![
        answer("let_customer_finish", Answer::No, &[5.8, 10.7]),
        answer("no_arguing", Answer::Yes, &[]),
        answer("admitted_fault", Answer::NotApplicable, &[]),
        answer("set_callback_time", Answer::Yes, &[]),
    ];
    assert_eq!(b.save_review(&draft, true).unwrap(), id);
    seen.push(format!("{:?}", essence(&b.review(id).unwrap())));
    // Submitted: changed only with a reason.
    draft.answers[1] = answer("no_arguing", Answer::No, &[12.0]);
    assert!(matches!(b.save_review(&draft, false), Err(StoreError::AmendNeedsReason)));
    assert_eq!(b.amend_review(&draft, "heard it again").unwrap(), id);
    b.add_active_time(id, 12.5).unwrap();
    let r = b.review(id).unwrap();
    assert_eq!(r.status, ReviewStatus::Submitted);
    assert_eq!(r.score.percent, Some(0.0), "a no on the critical item fails the call");
    seen.push(format!("{:?}", essence(&r)));

    let states = b.review_states().unwrap();
    match states.get("hash-a") {
        Some(ReviewState::Submitted { reviewer, percent, critical_failed }) => {
            seen.push(format!("{reviewer} {percent:?} {critical_failed}"));
        }
        other => panic!("library status {other:?}"),
    }
    let figures = CallMetrics {
        analyser_version: "test".into(),
        duration_s: 19.0,
        talk_agent_s: 10.0,
        talk_customer_s: 13.0,
        overtalk_count: 7,
        overtalk_by_agent: 2,
        overtalk_by_customer: 5,
        overtalk_total_s: 5.3,
        talk_mixed_s: 0.0,
        silence_count: 0,
        silence_total_s: 0.0,
        silence_longest_s: 0.0,
        hold_total_s: 0.0,
        warnings: vec!["agent clipped: 3.1 % of samples".into()],
    };
    b.save_metrics(call, &figures).unwrap();
    let stored: Vec<CallMetrics> = b.all_metrics().unwrap().into_iter().map(|m| m.metrics).collect();
    assert_eq!(stored, vec![figures.clone()]);
    let rows = b.export_rows().unwrap();
    assert_eq!(rows.len(), 1);
    seen.push(format!(
        "{} {} {:?}",
        rows[0].call.meta.file_name,
        rows[0].card.name,
        essence(&rows[0].review)
    ));
    let others = b.reviews_of_call(call).unwrap();
    assert_eq!(others.len(), 1);
    seen
}

#[test]
fn the_review_path_is_the_same_on_sqlite_and_the_team_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut local = Backend::open(&Target::Local(dir.path().join("desk.sqlite3"))).unwrap();
    let on_sqlite = review_path(&mut local, "asha", dir.path());
    assert!(local.local("coaching clips").is_ok());

    let Ok(url) = std::env::var("CALLQA_TEST_PG_URL") else {
        println!("skipped (team store half): CALLQA_TEST_PG_URL not set");
        return;
    };
    let server: Config = url.parse().unwrap();
    let tag = format!("{:x}", std::process::id());
    let db = format!("callqa_backends_{tag}");
    let (asha, ben) = (format!("callqa_b{tag}_asha"), format!("callqa_b{tag}_ben"));
    server
        .connect(NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {}", pg::quote_ident(&db)))
        .unwrap();
    let host = match server.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };
    let port = server.get_ports().first().copied().unwrap_or(5432);
    let url_as = |login: &str| format!("postgres://{login}@{host}:{port}/{db}");
    let su = server.get_user().unwrap_or("postgres").to_string();
    pg::init_team(&url_as(&su), &TeamPlan { leads: vec![], reviewers: vec![asha.clone(), ben.clone()] })
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        let target = Target::parse(&url_as(&asha));
        assert!(matches!(target, Target::Team(_)));
        let mut team = Backend::open(&target).unwrap();
        assert_eq!(team.login(), Some(asha.as_str()));
        let on_team: Vec<String> =
            review_path(&mut team, &asha, dir.path()).into_iter().map(|s| s.replace(&asha, "asha")).collect();
        assert_eq!(on_sqlite, on_team, "the same path gives the same reviews on both stores");

        // The reviewer is the login.
        let call = team.upsert_call("hash-b", &dir.path().join("b.wav"), &meta()).unwrap();
        let card = team.default_scorecard().unwrap();
        let as_ben = ReviewDraft {
            id: None,
            call_id: call,
            card_id: card.id,
            reviewer: ben.clone(),
            answers: Vec::new(),
        };
        let err = team.save_review(&as_ben, false).unwrap_err();
        assert!(matches!(err, StoreError::Team(PgError::Denied(_))), "{err}");
        assert!(err.to_string().contains("your login"), "{err}");
        // Two windows of asha's on one review: the second save, made on the old version, is
        // refused with both versions; nothing is overwritten.
        let draft = ReviewDraft { reviewer: asha.clone(), ..as_ben };
        let id = team.save_review(&draft, false).unwrap();
        let mut other_window = Backend::open(&target).unwrap();
        other_window.latest_review(call, &asha).unwrap().unwrap();
        let first = ReviewDraft {
            id: Some(id),
            answers: vec![answer("no_arguing", Answer::Yes, &[])],
            ..draft.clone()
        };
        team.save_review(&first, false).unwrap();
        let second = ReviewDraft { answers: vec![answer("no_arguing", Answer::No, &[])], ..first };
        let err = other_window.save_review(&second, false).unwrap_err();
        assert!(matches!(err, StoreError::Team(PgError::Conflict { expected: 1, found: 2, .. })), "{err}");
        let kept = team.review(id).unwrap();
        assert_eq!(kept.answers.iter().find(|a| a.key == "no_arguing").unwrap().answer, Some(Answer::Yes));
        // Ben sees asha's submitted review of the first call, not her draft of the second.
        let mut ben_store = Backend::open(&Target::parse(&url_as(&ben))).unwrap();
        assert!(ben_store.reviews_of_call(call).unwrap().is_empty());
        // What the team store does not serve yet is refused, named.
        let err = team.local("coaching clips").map(|_| ()).unwrap_err();
        assert!(err.to_string().contains("coaching clips is not on the team store yet"), "{err}");
    });
    let mut admin = server.connect(NoTls).unwrap();
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::quote_ident(&db)));
    for l in [&asha, &ben] {
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", pg::quote_ident(l)));
    }
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}
