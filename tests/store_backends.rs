//! One store API, two backends (issue 15): the review window's path through
//! `callqa::store::backend::Backend` — calls and their paths, the default card, a draft, its
//! submission, an amendment with a reason, active time, the library's status, analysis
//! figures, the export; sessions and clips; transcripts and phrase search — run the same on a
//! real SQLite file and on the team store (a real
//! PostgreSQL server, `CALLQA_TEST_PG_URL`, as the login `asha`), with the same results. Then
//! what only the team store has: the login is the reviewer, and a save made on an old version
//! is refused. Without the server the team half prints a skip line (the SQLite half still runs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod pg_common;
mod transcript_common;

use std::path::Path;

use callqa::model::Speaker;
use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer, Review, ReviewStatus};
use callqa::store::backend::{Backend, Target};
use callqa::store::pg::PgError;
use callqa::store::{CallMetrics, ClipDraft, ClipKind, ReviewDraft, ReviewState, SessionDraft, StoreError};
use callqa::transcript::Transcript;
use pg_common::TeamDb;

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
    assert!(local.local("the audit log").is_ok());

    let Some(db) = TeamDb::new("b", &[], &["asha", "ben"]) else { return };
    let (asha, ben) = (db.login("asha"), db.login("ben"));
    let target = Target::parse(&db.url_as(&asha));
    assert!(matches!(target, Target::Team(_)));
    let mut team = Backend::open(&target).unwrap();
    assert_eq!(team.login(), Some(asha.as_str()));
    let on_team: Vec<String> =
        review_path(&mut team, &asha, dir.path()).into_iter().map(|s| s.replace(&asha, "asha")).collect();
    assert_eq!(on_sqlite, on_team, "the same path gives the same reviews on both stores");

    // The reviewer is the login.
    let call = team.upsert_call("hash-b", &dir.path().join("b.wav"), &meta()).unwrap();
    let card = team.default_scorecard().unwrap();
    let as_ben =
        ReviewDraft { id: None, call_id: call, card_id: card.id, reviewer: ben.clone(), answers: Vec::new() };
    let err = team.save_review(&as_ben, false).unwrap_err();
    assert!(matches!(err, StoreError::Team(PgError::Denied(_))), "{err}");
    assert!(err.to_string().contains("your login"), "{err}");
    // Two windows of asha's on one review: the second save, made on the old version, is
    // refused with both versions; nothing is overwritten.
    let draft = ReviewDraft { reviewer: asha.clone(), ..as_ben };
    let id = team.save_review(&draft, false).unwrap();
    let mut other_window = Backend::open(&target).unwrap();
    other_window.latest_review(call, &asha).unwrap().unwrap();
    let first =
        ReviewDraft { id: Some(id), answers: vec![answer("no_arguing", Answer::Yes, &[])], ..draft.clone() };
    team.save_review(&first, false).unwrap();
    let second = ReviewDraft { answers: vec![answer("no_arguing", Answer::No, &[])], ..first };
    let err = other_window.save_review(&second, false).unwrap_err();
    assert!(matches!(err, StoreError::Team(PgError::Conflict { expected: 1, found: 2, .. })), "{err}");
    let kept = team.review(id).unwrap();
    assert_eq!(kept.answers.iter().find(|a| a.key == "no_arguing").unwrap().answer, Some(Answer::Yes));
    // Ben sees asha's submitted review of the first call, not her draft of the second.
    let mut ben_store = Backend::open(&Target::parse(&db.url_as(&ben))).unwrap();
    assert!(ben_store.reviews_of_call(call).unwrap().is_empty());
    // Asking for the SQLite store of a team store is refused, named.
    let err = team.local("the audit log").map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("the audit log is not on the team store yet"), "{err}");
}

fn all_four(no_arguing: Answer) -> Vec<ItemAnswer> {
    vec![
        answer("let_customer_finish", Answer::Yes, &[]),
        answer("no_arguing", no_arguing, &[3.5]),
        answer("admitted_fault", Answer::NotApplicable, &[]),
        answer("set_callback_time", Answer::Yes, &[]),
    ]
}

/// The store of each person: a lead and two reviewers (on SQLite three connections to one
/// file, named by what they pass; on the team store three logins).
struct People {
    lead: Backend,
    asha: Backend,
    ben: Backend,
    names: [String; 3],
}

/// A calibration session and coaching clips through `Backend`, as the window's store thread
/// and the CLI use them; returns what it saw (names as given), to compare across backends.
fn session_and_clips_path(p: &mut People, dir: &Path) -> Vec<String> {
    let [lead, asha, ben] = p.names.clone();
    let mut seen = Vec::new();
    let card = p.lead.default_scorecard().unwrap();
    let c1 = p.lead.upsert_call("hash-s1", &dir.join("s1.wav"), &meta()).unwrap();
    let c2 = p.lead.upsert_call("hash-s2", &dir.join("s2.wav"), &CallMeta { agent: None, ..meta() }).unwrap();
    let name = "Week 48 \"o'brien\" =SUM(A1)";
    let draft = SessionDraft {
        name: format!("  {name} "),
        call_ids: vec![c1, c2, c1],
        reviewers: vec![ben.clone(), asha.clone()],
        created_by: lead.clone(),
    };
    let id = p.lead.create_session(&draft).unwrap();
    let s = p.asha.session_by_name(name).unwrap().unwrap();
    assert_eq!(s.id, id);
    let files: Vec<&str> = s.calls.iter().map(|c| c.meta.file_name.as_str()).collect();
    seen.push(format!(
        "{} by {} calls {files:?} {} reviewers {:?}",
        s.name,
        s.created_by,
        s.calls.len(),
        s.reviewers
    ));
    // Refused on both: a name taken, one reviewer, a reviewer named twice.
    for (bad, why) in [
        (SessionDraft { name: name.into(), ..draft.clone() }, "exists already"),
        (
            SessionDraft { name: "other".into(), reviewers: vec![asha.clone()], ..draft.clone() },
            "two reviewers",
        ),
        (
            SessionDraft {
                name: "other".into(),
                reviewers: vec![asha.clone(), asha.clone()],
                ..draft.clone()
            },
            "named twice",
        ),
    ] {
        match p.lead.create_session(&bad) {
            Err(StoreError::BadData(m)) if m.contains(why) => {}
            other => panic!("{why}: {other:?}"),
        }
    }
    assert_eq!(p.lead.sessions(None).unwrap().len(), 1);
    assert_eq!(p.asha.sessions(Some(&asha)).unwrap().len(), 1);
    assert!(p.asha.sessions(Some("nobody")).unwrap().is_empty());
    let known = p.lead.known_reviewers().unwrap();
    assert!(known.contains(&asha) && known.contains(&ben), "{known:?}");

    // asha: a draft in the session, then submitted; ben: submitted with another answer.
    assert!(p.asha.latest_session_review(id, c1, &asha).unwrap().is_none());
    let mut mine = ReviewDraft {
        id: None,
        call_id: c1,
        card_id: card.id,
        reviewer: asha.clone(),
        answers: vec![answer("no_arguing", Answer::Yes, &[3.5])],
    };
    let rid = p.asha.save_session_review(id, &mine, false).unwrap();
    let r = p.asha.latest_session_review(id, c1, &asha).unwrap().unwrap();
    assert_eq!((r.id, r.status), (rid, ReviewStatus::Draft));
    seen.push(format!("{:?}", essence(&r)));
    mine.id = Some(rid);
    mine.answers = all_four(Answer::Yes);
    assert_eq!(p.asha.save_session_review(id, &mine, true).unwrap(), rid);
    // A submitted session review is not amended (no reason accepted in a session).
    let changed = ReviewDraft { answers: all_four(Answer::No), ..mine.clone() };
    assert!(p.asha.save_session_review(id, &changed, false).is_err());
    let theirs = ReviewDraft { reviewer: ben.clone(), answers: all_four(Answer::No), ..mine.clone() };
    let ben_id = p.ben.save_session_review(id, &ReviewDraft { id: None, ..theirs.clone() }, true).unwrap();
    assert_ne!(ben_id, rid);
    // Not in the session: a call outside it, a reviewer who is not one of its reviewers.
    let c3 = p.lead.upsert_call("hash-s3", &dir.join("s3.wav"), &meta()).unwrap();
    let outside = ReviewDraft { id: None, call_id: c3, ..mine.clone() };
    let err = p.asha.save_session_review(id, &outside, false).unwrap_err();
    assert!(err.to_string().contains("is not in calibration session"), "{err}");
    let by_lead = ReviewDraft { id: None, reviewer: lead.clone(), ..mine.clone() };
    let err = p.lead.save_session_review(id, &by_lead, false).unwrap_err();
    assert!(err.to_string().contains("is not a reviewer of calibration session"), "{err}");

    // The session's reviews: in its figures only, never in exports or a call's reviews.
    let rows = p.lead.session_rows(id).unwrap();
    let mut essences: Vec<String> = rows.iter().map(|r| format!("{:?}", essence(&r.review))).collect();
    essences.sort();
    seen.extend(essences);
    assert!(p.lead.export_rows().unwrap().is_empty());
    assert!(p.lead.reviews_of_call(c1).unwrap().is_empty());
    assert!(p.asha.latest_review(c1, &asha).unwrap().is_none());
    let names: Vec<String> = rows.iter().map(|r| r.call.meta.file_name.clone()).collect();
    let entries: Vec<_> = rows.iter().zip(&names).map(|(r, n)| r.calibration_entry(n)).collect();
    let figures = callqa::model::calibration::calibrate(&entries);
    assert_eq!(figures.calls.len(), 1, "{figures:?}");
    seen.push(serde_json::to_string(&figures).unwrap());

    // Coaching clips: a lead adds two (hostile text kept as given), lists, removes one.
    let clip = ClipDraft {
        set: " Interruptions \"loud\" ".into(),
        call_id: c1,
        start_s: 5.8,
        end_s: 7.4,
        kind: ClipKind::Bad,
        note: "=HYPERLINK(\"http://x\") talks over; o'brien".into(),
        author: lead.clone(),
    };
    let first = p.lead.add_clip(&clip).unwrap();
    let second = p
        .lead
        .add_clip(&ClipDraft { kind: ClipKind::Good, start_s: 1.0, end_s: 2.0, ..clip.clone() })
        .unwrap();
    for (bad, why) in [
        (ClipDraft { end_s: 30.0, ..clip.clone() }, "after the end of the call"),
        (ClipDraft { start_s: 8.0, ..clip.clone() }, "start before it ends"),
        (ClipDraft { set: "  ".into(), ..clip.clone() }, "set name is empty"),
    ] {
        match p.lead.add_clip(&bad) {
            Err(StoreError::BadClip(m)) if m.contains(why) => {}
            other => panic!("{why}: {other:?}"),
        }
    }
    let listed = p.asha.clips(None).unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![first, second]);
    for c in &listed {
        seen.push(format!(
            "{} {} {} {} {:?} {} {}",
            c.set, c.call.meta.file_name, c.start_s, c.end_s, c.kind, c.note, c.author
        ));
    }
    assert_eq!(p.asha.clips(Some("Interruptions \"loud\"")).unwrap().len(), 2);
    assert!(p.asha.clips(Some("other")).unwrap().is_empty());
    p.lead.remove_clip(first, &lead).unwrap();
    assert_eq!(p.lead.clips(None).unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), vec![second]);
    assert!(matches!(p.lead.remove_clip(first, &lead), Err(StoreError::NotFound(_))));
    seen
}

#[test]
fn calibration_sessions_and_clips_are_the_same_on_sqlite_and_the_team_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.sqlite3");
    let local = || Backend::open(&Target::Local(file.clone())).unwrap();
    let mut people = People {
        lead: local(),
        asha: local(),
        ben: local(),
        names: ["priya".into(), "asha".into(), "ben".into()],
    };
    let on_sqlite = session_and_clips_path(&mut people, dir.path());
    // SQLite's audit row of the removal keeps the whole clip.
    let store = people.lead.local("test").unwrap();
    let removed = store.audit_log(None).unwrap().into_iter().find(|a| a.action == "remove_clip").unwrap();
    assert!(removed.detail.contains("HYPERLINK"), "{}", removed.detail);

    let Some(team) = TeamDb::new("c", &["priya"], &["asha", "ben"]) else { return };
    let mut people = People {
        lead: team.open("priya"),
        asha: team.open("asha"),
        ben: team.open("ben"),
        names: ["priya", "asha", "ben"].map(|w| team.login(w)),
    };
    let prefix = team.login("");
    let on_team: Vec<String> =
        session_and_clips_path(&mut people, dir.path()).into_iter().map(|s| s.replace(&prefix, "")).collect();
    assert_eq!(on_sqlite, on_team, "the same sessions, reviews, figures and clips on both stores");

    // The server's audit row of the removal keeps the whole clip, in the lead's name.
    let mut admin = team.admin();
    let row = admin
        .query_one(
            "SELECT actor, detail->'before'->>'note', detail->'before'->>'set_name' FROM callqa.audit \
             WHERE action = 'clips.delete'",
            &[],
        )
        .unwrap();
    let (actor, note, set): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(actor, team.login("priya"));
    assert!(note.starts_with("=HYPERLINK"), "{note}");
    assert_eq!(set, "Interruptions \"loud\"");
    let count = |admin: &mut postgres::Client, table: &str| -> i64 {
        admin.query_one(&format!("SELECT count(*) FROM callqa.{table}"), &[]).unwrap().get(0)
    };
    let (sessions, clips) = (count(&mut admin, "calibration_sessions"), count(&mut admin, "clips"));

    // A reviewer may not make a session, add or remove a clip: the server refuses (the client
    // does not check roles), nothing is written.
    let asha = team.login("asha");
    let call = people.asha.upsert_call("hash-r", &dir.path().join("r.wav"), &meta()).unwrap();
    let draft = SessionDraft {
        name: "asha's own".into(),
        call_ids: vec![call],
        reviewers: vec![asha.clone(), team.login("ben")],
        created_by: asha.clone(),
    };
    let err = people.asha.create_session(&draft).unwrap_err();
    assert!(matches!(err, StoreError::Team(PgError::Denied(_))), "{err}");
    assert!(err.to_string().contains("permission denied"), "the server's refusal: {err}");
    let clip = ClipDraft {
        set: "mine".into(),
        call_id: call,
        start_s: 1.0,
        end_s: 2.0,
        kind: ClipKind::Good,
        note: String::new(),
        author: asha.clone(),
    };
    let err = people.asha.add_clip(&clip).unwrap_err();
    assert!(matches!(err, StoreError::Team(PgError::Denied(_))), "{err}");
    assert!(err.to_string().contains("permission denied"), "the server's refusal: {err}");
    let kept = people.asha.clips(None).unwrap()[0].id;
    let err = people.asha.remove_clip(kept, &asha).unwrap_err();
    assert!(err.to_string().contains("permission denied"), "the server's refusal: {err}");
    assert_eq!((count(&mut admin, "calibration_sessions"), count(&mut admin, "clips")), (sessions, clips));
    // Who the server records is the login: another name is refused before anything is sent.
    let err = people.lead.add_clip(&ClipDraft { author: "someone else".into(), ..clip }).unwrap_err();
    assert!(err.to_string().contains("your login"), "{err}");
    // A lead's session with a name that is not a login of the store: said, nothing made.
    let err = people
        .lead
        .create_session(&SessionDraft {
            name: "typo".into(),
            reviewers: vec![asha.clone(), "bne".into()],
            created_by: team.login("priya"),
            ..draft
        })
        .unwrap_err();
    assert!(err.to_string().contains("not a reviewer's login"), "{err}");
    assert_eq!(count(&mut admin, "calibration_sessions"), sessions);
    // asha sees ben's submitted session review, not a draft of his.
    let id = people.ben.session_by_name("Week 48 \"o'brien\" =SUM(A1)").unwrap().unwrap().id;
    let s2 = people.lead.upsert_call("hash-s2", &dir.path().join("s2.wav"), &meta()).unwrap();
    let card = people.ben.default_scorecard().unwrap();
    let ben_draft = ReviewDraft {
        id: None,
        call_id: s2,
        card_id: card.id,
        reviewer: team.login("ben"),
        answers: vec![answer("no_arguing", Answer::Yes, &[])],
    };
    people.ben.save_session_review(id, &ben_draft, false).unwrap();
    assert_eq!(people.lead.session_rows(id).unwrap().len(), 3);
    assert_eq!(people.asha.session_rows(id).unwrap().len(), 2, "ben's draft is his");
}

/// A transcript from (speaker, start, text) turns (see `transcript_common`).
fn transcript(turns: &[(Speaker, f64, &str)]) -> Transcript {
    transcript_common::transcript(turns, None)
}

/// Hostile text: quotes, `%`, `_`, backslashes, a formula, SQL, Hindi with a nukta.
const AGENT_TURN: &str = "That mistake was OURS, I'm sorry: 100% sure_thing C:\\temp\\x \"quoted\" =cmd|' /C calc'!A0 x' OR '1'='1";
const CUSTOMER_TURN: &str = "माफ़ी चाहता हूँ, गलती आपकी है। sorry";

/// The searches compared across stores: phrase, speaker, limit.
const SEARCHES: &[(&str, Option<Speaker>, usize)] = &[
    ("mistake was ours", None, 100),
    ("Mistake, was OURS!", Some(Speaker::Agent), 100),
    ("mistake was ours", Some(Speaker::Customer), 100),
    ("ours mistake", None, 100),
    ("mistak", None, 100),
    ("sorry", None, 100),
    ("sorry", Some(Speaker::Agent), 100),
    ("sorry", Some(Speaker::Customer), 2),
    ("sorry", None, 1),
    ("100%", None, 100),
    ("1", None, 100),
    ("%", None, 100),
    ("_", None, 100),
    ("sure_thing", None, 100),
    ("sure%", None, 100),
    ("C:\\temp\\x", None, 100),
    ("\\", None, 100),
    ("\"quoted\" =cmd|", None, 100),
    ("=cmd|' /C calc'!A0", None, 100),
    ("x' OR '1'='1", None, 100),
    ("' OR 1=1 --", None, 100),
    ("माफी चाहता", None, 100),
    ("गलती आपकी", Some(Speaker::Customer), 100),
    ("गलती", Some(Speaker::Agent), 100),
    ("our mistake", None, 100),
];

/// Transcripts through `Backend`: a lead imports (hostile text), everyone shows and searches,
/// a re-import replaces; returns what a reader saw, to compare across backends.
fn transcript_path(lead: &mut Backend, reader: &mut Backend, lead_name: &str, dir: &Path) -> Vec<String> {
    let mut seen = Vec::new();
    let call = lead.upsert_call("hash-t1", &dir.join("t1.wav"), &meta()).unwrap();
    let t1 = transcript(&[(Speaker::Agent, 1.0, AGENT_TURN), (Speaker::Customer, 10.0, CUSTOMER_TURN)]);
    lead.save_transcript("hash-t1", &t1, "t1 \"o'brien\".vtt", lead_name).unwrap();
    // Only its transcript so far, no call row.
    let t2 =
        transcript(&[(Speaker::Customer, 0.0, "sorry sorry, sorry"), (Speaker::Agent, 5.0, "our mistake")]);
    lead.save_transcript("hash-t2", &t2, "t2.json", lead_name).unwrap();
    let searches = |b: &mut Backend, seen: &mut Vec<String>| {
        for &(phrase, speaker, limit) in SEARCHES {
            let hits = b.search(phrase, speaker, limit).unwrap();
            assert!(hits.len() <= limit);
            for h in &hits {
                assert_eq!(h.call_id.is_some(), h.call_hash == "hash-t1", "{h:?}");
                assert!(h.call_id.is_none() || h.call_id == Some(call));
            }
            let hits: Vec<_> = hits
                .iter()
                .map(|h| (&h.call_hash, &h.file_name, h.speaker, h.start_s, h.end_s, &h.text))
                .collect();
            seen.push(format!("{phrase:?} {speaker:?} {limit}: {hits:?}"));
        }
    };
    searches(reader, &mut seen);

    let shown = reader.transcript("hash-t1").unwrap().unwrap();
    assert_eq!(shown.transcript, t1, "kept word for word");
    seen.push(format!("{} {} {}", shown.call_hash, shown.source, shown.imported_by));
    assert!(shown.imported_at.ends_with('Z'), "{}", shown.imported_at);
    assert!(reader.transcript("hash-none").unwrap().is_none());
    assert!(reader.search("   ", None, 10).unwrap().is_empty());
    assert!(reader.search("sorry", None, 0).unwrap().is_empty());

    // A re-import replaces the words and their index (its rows now come after t2's).
    let t1b = transcript(&[(Speaker::Agent, 2.0, "sorry for the wait, 50% off today")]);
    lead.save_transcript("hash-t1", &t1b, "t1b.srt", lead_name).unwrap();
    assert_eq!(reader.transcript("hash-t1").unwrap().unwrap().transcript, t1b);
    for phrase in ["mistake was ours", "sorry", "50 off", "5", "0%"] {
        let hits: Vec<_> =
            reader.search(phrase, None, 100).unwrap().into_iter().map(|h| (h.call_hash, h.start_s)).collect();
        seen.push(format!("after replace {phrase:?}: {hits:?}"));
    }
    seen.push(format!("{:?}", reader.transcribed_calls().unwrap()));
    seen
}

#[test]
fn transcripts_and_phrase_search_are_the_same_on_sqlite_and_the_team_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.sqlite3");
    let (mut lead, mut reader) = (
        Backend::open(&Target::Local(file.clone())).unwrap(),
        Backend::open(&Target::Local(file.clone())).unwrap(),
    );
    let on_sqlite = transcript_path(&mut lead, &mut reader, "priya", dir.path());
    // The searches found something (the comparison below is not of empty lists).
    let found = on_sqlite.iter().filter(|s| !s.ends_with(": []")).count();
    assert!(found >= 15, "{on_sqlite:#?}");
    assert!(on_sqlite[0].contains("That mistake was OURS"), "{}", on_sqlite[0]);

    let Some(team) = TeamDb::new("t", &["priya"], &["asha", "ben"]) else { return };
    let (mut lead, mut asha) = (team.open("priya"), team.open("asha"));
    let prefix = team.login("");
    let on_team: Vec<String> = transcript_path(&mut lead, &mut asha, &team.login("priya"), dir.path())
        .into_iter()
        .map(|s| s.replace(&prefix, ""))
        .collect();
    assert_eq!(on_sqlite, on_team, "the same transcripts and hits on both stores");

    // A reviewer reads and searches but may not import: the server refuses (the client does
    // not check roles), nothing is written.
    let mut admin = team.admin();
    let count = |admin: &mut postgres::Client| -> i64 {
        admin.query_one("SELECT count(*) FROM callqa.transcript_segments", &[]).unwrap().get(0)
    };
    let before = count(&mut admin);
    let mine = transcript(&[(Speaker::Agent, 0.0, "my own words")]);
    for hash in ["hash-t2", "hash-new"] {
        let err = asha.save_transcript(hash, &mine, "mine.vtt", &team.login("asha")).unwrap_err();
        assert!(matches!(err, StoreError::Team(PgError::Denied(_))), "{err}");
        assert!(err.to_string().contains("permission denied"), "the server's refusal: {err}");
        assert!(err.to_string().contains("a lead imports transcripts"), "{err}");
    }
    assert_eq!(count(&mut admin), before);
    assert!(asha.transcript("hash-new").unwrap().is_none());
    assert!(asha.search("my own words", None, 10).unwrap().is_empty());
    // Who the server records is the login: another name is refused before anything is sent.
    let err = lead.save_transcript("hash-t2", &mine, "mine.vtt", "someone else").unwrap_err();
    assert!(err.to_string().contains("your login"), "{err}");
    // The server's audit rows: each import and the replacement, in the lead's name.
    let rows = admin
        .query("SELECT actor, action FROM callqa.audit WHERE action LIKE 'transcripts.%' ORDER BY id", &[])
        .unwrap();
    let rows: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let priya = team.login("priya");
    assert_eq!(
        rows,
        vec![
            (priya.clone(), "transcripts.insert".into()),
            (priya.clone(), "transcripts.insert".into()),
            (priya, "transcripts.update".into()),
        ]
    );
}
