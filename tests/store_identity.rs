//! A call's identity (issue 11): its audio and its format; copies are one call; a move is a
//! move only when the old file is gone; a database from before keeps its reviews. Real files
//! and a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use callqa::audio::{WavReader, content_hash};
use callqa::model::call::CallMeta;
use callqa::store::{ReviewDraft, Store};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

fn meta(path: &Path) -> CallMeta {
    CallMeta::from_wav(path, WavReader::open(path).unwrap().info())
}

/// The same bytes under another format tag (PCM 16-bit mono ↔ the data read as A-law stereo
/// 8-bit would be nonsense, but a recorder can write it): another call.
#[test]
fn the_same_data_in_another_format_is_another_call() {
    let dir = tempfile::tempdir().unwrap();
    let src = corpus("dev_f_brief.wav");
    let bytes = std::fs::read(&src).unwrap();
    let a = dir.path().join("a.wav");
    let b = dir.path().join("b.wav");
    std::fs::write(&a, &bytes).unwrap();
    // Same data, the sample rate field changed (offset 24 in a canonical header).
    let mut other = bytes.clone();
    let rate = u32::from_le_bytes(other[24..28].try_into().unwrap());
    other[24..28].copy_from_slice(&(rate * 2).to_le_bytes());
    let byte_rate = u32::from_le_bytes(other[28..32].try_into().unwrap());
    other[28..32].copy_from_slice(&(byte_rate * 2).to_le_bytes());
    std::fs::write(&b, &other).unwrap();
    let (ha, hb) = (content_hash(&a).unwrap(), content_hash(&b).unwrap());
    assert_ne!(ha, hb);
    assert_eq!(
        callqa::audio::hash::legacy_part(&ha),
        callqa::audio::hash::legacy_part(&hb),
        "the data is the same"
    );
    // Metadata chunks and the file name are not part of it.
    let c = dir.path().join("renamed copy.wav");
    std::fs::copy(&a, &c).unwrap();
    assert_eq!(content_hash(&c).unwrap(), ha);
}

#[test]
fn a_file_with_no_audio_has_no_identity() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read(corpus("dev_f_brief.wav")).unwrap();
    // Keep the header up to the data chunk's size, say 0 bytes of data.
    let pos = src.windows(4).position(|w| w == b"data").unwrap();
    let mut header = src[..pos + 8].to_vec();
    header[pos + 4..pos + 8].copy_from_slice(&0u32.to_le_bytes());
    let p = dir.path().join("empty.wav");
    std::fs::write(&p, &header).unwrap();
    let e = content_hash(&p).unwrap_err();
    assert!(e.to_string().contains("no audio"), "{e}");
}

#[test]
fn copies_are_one_call_and_only_a_real_move_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let (one, two) = (dir.path().join("one.wav"), dir.path().join("two.wav"));
    std::fs::copy(corpus("dev_f_brief.wav"), &one).unwrap();
    std::fs::copy(corpus("dev_f_brief.wav"), &two).unwrap();
    let hash = content_hash(&one).unwrap();
    let mut m1 = meta(&one);
    m1.agent = Some("Meena".into());
    let mut m2 = meta(&two);
    m2.agent = Some("Ravi".into());
    let id = db.upsert_call(&hash, &one, &m1).unwrap();
    // Scanned again and again, in either order: one call, no moves, the agent does not flip.
    for _ in 0..3 {
        assert_eq!(db.upsert_call(&hash, &two, &m2).unwrap(), id);
        assert_eq!(db.upsert_call(&hash, &one, &m1).unwrap(), id);
    }
    let call = db.call(id).unwrap();
    assert_eq!(call.path, one);
    assert_eq!(call.meta.agent.as_deref(), Some("Meena"));
    assert_eq!(db.call_paths(id).unwrap(), [one.clone(), two.clone()]);
    let actions: Vec<String> = db.audit_log(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(!actions.iter().any(|a| a == "move_call" || a == "update_call"), "{actions:?}");
    // The first file goes away: now seeing the copy is a move.
    std::fs::remove_file(&one).unwrap();
    let moved_to = dir.path().join("moved.wav");
    std::fs::rename(&two, &moved_to).unwrap();
    assert_eq!(db.upsert_call(&hash, &moved_to, &meta(&moved_to)).unwrap(), id);
    assert_eq!(db.call(id).unwrap().path, moved_to);
    let log = db.audit_log(None).unwrap();
    assert_eq!(log.last().unwrap().action, "move_call");
}

#[test]
fn a_call_stored_under_the_old_data_only_hash_keeps_its_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let wav = corpus("dev_f_brief.wav");
    let hash = content_hash(&wav).unwrap();
    let legacy = callqa::audio::hash::legacy_part(&hash).unwrap().to_string();
    // What an older callqa stored: the data hash alone.
    let id = db.upsert_call(&legacy, &wav, &meta(&wav)).unwrap();
    let card = db.default_scorecard().unwrap();
    let draft =
        ReviewDraft { id: None, call_id: id, card_id: card.id, reviewer: "Asha".into(), answers: vec![] };
    db.save_review(&draft, false).unwrap();
    // Seen by this callqa: the same row, re-keyed, reviews kept.
    assert_eq!(db.upsert_call(&hash, &wav, &meta(&wav)).unwrap(), id);
    assert_eq!(db.call_by_hash(&hash).unwrap().unwrap().id, id);
    assert!(db.call_by_hash(&legacy).unwrap().is_none());
    assert_eq!(db.reviews_of_call(id).unwrap().len(), 1);
    let log = db.audit_log(None).unwrap();
    assert!(log.iter().any(|e| e.action == "rekey_call"));
}

#[test]
fn a_submitted_review_changes_only_with_a_reason() {
    use callqa::model::scorecard::{Answer, ItemAnswer};
    let dir = tempfile::tempdir().unwrap();
    let mut db = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let wav = corpus("dev_f_brief.wav");
    let id = db.upsert_call(&content_hash(&wav).unwrap(), &wav, &meta(&wav)).unwrap();
    let card = db.default_scorecard().unwrap();
    let all = |a: Answer| card.card.items().map(|i| ItemAnswer::new(&i.key, Some(a))).collect::<Vec<_>>();
    let mut draft = ReviewDraft {
        id: None,
        call_id: id,
        card_id: card.id,
        reviewer: "Asha".into(),
        answers: all(Answer::Yes),
    };
    let rid = db.save_review(&draft, true).unwrap();
    draft.id = Some(rid);
    draft.answers = all(Answer::No);
    let e = db.save_review(&draft, false).unwrap_err();
    assert!(e.to_string().contains("amendment with a reason"), "{e}");
    assert!(db.amend_review(&draft, "  ").is_err(), "a blank reason is no reason");
    assert_eq!(db.review(rid).unwrap().answers[0].answer, Some(Answer::Yes), "unchanged");
    db.amend_review(&draft, "second listen").unwrap();
    assert_eq!(db.review(rid).unwrap().answers[0].answer, Some(Answer::No));
    let last = db.audit_log(Some(rid)).unwrap().pop().unwrap();
    assert!(last.detail.contains("second listen"), "{}", last.detail);
}
