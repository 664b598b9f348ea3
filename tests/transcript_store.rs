//! Transcripts in the store (issue 16): stored by the call's content hash, replaced on
//! re-import, searched by phrase (FTS5) with each hit's time, by speaker, in English and
//! Hindi; hostile search text is words, never query syntax. A real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod transcript_common;

use callqa::model::Speaker;
use callqa::store::Store;
use callqa::transcript::Transcript;

/// A transcript from (speaker, start, text) turns (see `transcript_common`).
fn transcript(turns: &[(Speaker, f64, &str)]) -> Transcript {
    transcript_common::transcript(turns, Some(0.9))
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    (dir, s)
}

#[test]
fn a_phrase_is_found_with_its_time_and_speaker() {
    let (_d, mut db) = store();
    let a = transcript(&[
        (Speaker::Agent, 10.0, "I found it. That mistake was ours, and I am sorry."),
        (Speaker::Customer, 20.0, "So the bill is wrong? Sorry, I mean the mistake."),
    ]);
    db.save_transcript("hash-a", &a, "a.vtt", "Priya").unwrap();
    let b = transcript(&[(Speaker::Agent, 0.0, "Nothing to see here at all")]);
    db.save_transcript("hash-b", &b, "b.vtt", "Priya").unwrap();

    let hits = db.search("Mistake was OURS", None, 100).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    let h = &hits[0];
    assert_eq!(h.call_hash, "hash-a");
    assert_eq!(h.speaker, Some(Speaker::Agent));
    // "mistake" is the 5th word of the turn: 10.0 + 4 × 0.3; "ours," ends 0.25 s after the 7th.
    assert!((h.start_s - 11.2).abs() < 1e-9, "{}", h.start_s);
    assert!((h.end_s - (10.0 + 6.0 * 0.3 + 0.25)).abs() < 1e-9, "{}", h.end_s);
    assert!(h.text.contains("That mistake was ours,"), "{}", h.text);
    assert_eq!(h.file_name, None, "the call itself is not in the library yet");

    // Both speakers said "sorry"; the filter keeps one.
    assert_eq!(db.search("sorry", None, 100).unwrap().len(), 2);
    let agent = db.search("sorry", Some(Speaker::Agent), 100).unwrap();
    assert_eq!(agent.len(), 1);
    assert!((agent[0].start_s - (10.0 + 10.0 * 0.3)).abs() < 1e-9);
    let customer = db.search("sorry", Some(Speaker::Customer), 100).unwrap();
    assert_eq!(customer.len(), 1);
    assert_eq!(customer[0].speaker, Some(Speaker::Customer));
    // Whole words only, in order.
    assert!(db.search("mistak", None, 100).unwrap().is_empty());
    assert!(db.search("ours mistake", None, 100).unwrap().is_empty());
    // The limit holds.
    assert_eq!(db.search("sorry", None, 1).unwrap().len(), 1);
}

#[test]
fn hindi_words_are_whole_words_and_round_trip() {
    let (_d, mut db) = store();
    let text = "असुविधा के लिए माफ़ी चाहता हूँ। यह हमारी गलती है।";
    let t = transcript(&[(Speaker::Agent, 13.0, text)]);
    db.save_transcript("hash-hi", &t, "hi.json", "Asha").unwrap();
    let back = db.transcript("hash-hi").unwrap().unwrap();
    assert_eq!(back.transcript, t, "Devanagari round-trips exactly");
    assert_eq!(back.source, "hi.json");
    assert_eq!(back.imported_by, "Asha");

    let hits = db.search("हमारी गलती", Some(Speaker::Agent), 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!((hits[0].start_s - (13.0 + 7.0 * 0.3)).abs() < 1e-9, "{}", hits[0].start_s);
    // A vowel sign does not split a word: part of a word finds nothing.
    assert!(db.search("मा", None, 10).unwrap().is_empty());
    assert!(db.search("गल", None, 10).unwrap().is_empty());
}

#[test]
fn reimport_replaces_the_words_and_their_index_and_is_audited() {
    let (_d, mut db) = store();
    db.save_transcript("h", &transcript(&[(Speaker::Agent, 0.0, "call you back tomorrow")]), "x.vtt", "a")
        .unwrap();
    db.save_transcript("h", &transcript(&[(Speaker::Agent, 0.0, "goodbye then")]), "x.vtt", "b").unwrap();
    assert!(db.search("call you back", None, 10).unwrap().is_empty(), "old words left the index");
    assert_eq!(db.search("goodbye", None, 10).unwrap().len(), 1);
    assert_eq!(db.transcribed_calls().unwrap(), vec!["h".to_string()]);
    let log = db.audit_log(None).unwrap();
    let imports: Vec<_> = log.iter().filter(|e| e.action == "import_transcript").collect();
    assert_eq!(imports.len(), 2);
}

#[test]
fn search_text_is_words_not_query_syntax() {
    let (_d, mut db) = store();
    let t = transcript(&[(Speaker::Agent, 0.0, "he said \"not our problem\" OR else NEAR the end")]);
    db.save_transcript("h", &t, "x.vtt", "a").unwrap();
    for hostile in [
        "\"",
        "\"\"",
        "*",
        "not* OR",
        "NEAR(a b)",
        "a:b",
        "col:text",
        "^end",
        "(",
        "-",
        "'; DROP TABLE calls; --",
    ] {
        let r = db.search(hostile, None, 10);
        assert!(r.is_ok(), "{hostile:?}: {r:?}");
    }
    assert_eq!(db.search("OR else", None, 10).unwrap().len(), 1);
    assert_eq!(db.search("\"not our problem\"", None, 10).unwrap().len(), 1);
    assert!(db.search("", None, 10).unwrap().is_empty());
}
