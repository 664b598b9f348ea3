//! `callqa calibrate --json` gives Fleiss' kappa per item, through the built binary, on a
//! database of submitted reviews made with the library (calls without audio).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use callqa::model::call::CallMeta;
use callqa::model::scorecard::{Answer, ItemAnswer};
use callqa::store::{ReviewDraft, Store};

#[test]
fn calibrate_json_has_fleiss_kappa_per_item() {
    use Answer::{No, NotApplicable as Na, Yes};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qa.sqlite3");
    let mut db = Store::open(&path).unwrap();
    let card = db.default_scorecard().unwrap();
    // no_arguing per call, by Asha, Karan, Ravi: the table [3,0,0], [2,1,0], [0,3,0], [1,1,1]
    // (yes, no, N.A.): P̄ = 0.5833, P̄e = 0.4306, κ = 0.2683. Every other item: yes from all.
    let no_arguing = [[Yes, Yes, Yes], [Yes, Yes, No], [No, No, No], [Yes, No, Na]];
    for (i, answers) in no_arguing.iter().enumerate() {
        let meta = CallMeta {
            file_name: format!("call{i}.wav"),
            duration_s: 60.0,
            sample_rate: 8000,
            channels: 2,
            encoding: "pcm_s16le".into(),
            agent: Some("Meena".into()),
            recorded_at: None,
            team: None,
        };
        let call_id = db.upsert_call(&format!("hash{i}"), &dir.path().join(&meta.file_name), &meta).unwrap();
        for (reviewer, a) in ["Asha", "Karan", "Ravi"].iter().zip(answers) {
            let answers = vec![
                ItemAnswer::new("let_customer_finish", Some(Yes)),
                ItemAnswer::new("no_arguing", Some(*a)),
                ItemAnswer::new("admitted_fault", Some(Yes)),
                ItemAnswer::new("set_callback_time", Some(Yes)),
            ];
            let draft =
                ReviewDraft { id: None, call_id, card_id: card.id, reviewer: (*reviewer).into(), answers };
            db.save_review(&draft, true).unwrap();
        }
    }
    drop(db);
    let out = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .arg("--db")
        .arg(&path)
        .args(["calibrate", "--json"])
        .env_remove("CALLQA_DB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = |k: &str| {
        v["calibration"]["items"].as_array().unwrap().iter().find(|i| i["item"] == k).unwrap().clone()
    };
    let k = item("no_arguing")["fleiss_kappa"].as_f64().unwrap();
    assert!((k - 0.268_292_7).abs() < 1e-6, "{k}");
    assert_eq!(item("no_arguing")["rate"].as_f64(), Some(0.5));
    // Everyone answered yes everywhere: agreement 100 %, kappa undefined (null).
    assert_eq!(item("admitted_fault")["rate"].as_f64(), Some(1.0));
    assert!(item("admitted_fault")["fleiss_kappa"].is_null());

    let text = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .arg("--db")
        .arg(&path)
        .arg("calibrate")
        .env_remove("CALLQA_DB")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Fleiss' kappa") && text.contains("0.268"), "{text}");
}
