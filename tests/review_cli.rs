//! `callqa review`, `export` and `report` through the built binary, with `--db` in a temporary
//! folder and corpus calls from tests/fixtures/corpus (copied to the temporary folder).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use cli_common::{corpus, ok, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_callqa");
const MEENA: &str = "Agent Meena - 2024-06-12 09.05.41 (library hours).wav";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap() }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("qa.sqlite3")
    }

    /// A copy of a corpus call in the temporary folder.
    fn call(&self, name: &str) -> PathBuf {
        let to = self.dir.path().join(name);
        if !to.exists() {
            std::fs::copy(corpus(name), &to).unwrap();
        }
        to
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_db(&self.db(), args)
    }

    fn run_db(&self, db: &Path, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("CALLQA_DB")
            .env("HOME", self.dir.path())
            .output()
            .unwrap()
    }
}

/// Fails, says why on stderr, prints nothing on stdout; returns stderr.
fn fails(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure; stdout: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(!err.trim().is_empty(), "no message");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Every row of every table: "changes nothing" means equal before and after.
fn dump(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for t in ["calls", "scorecards", "reviews", "answers", "audit"] {
        let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY rowid")).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
            })
            .unwrap();
        out.extend(rows.map(|r| format!("{t}: {}", r.unwrap())));
    }
    out
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "CSV must start with a UTF-8 BOM");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

fn col<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
    &row[i]
}

#[test]
fn review_export_round_trip_keeps_exactly_what_was_entered() {
    let env = Env::new();
    let meena = env.call(MEENA);
    let original = std::fs::read(&meena).unwrap();
    let comment = "ग्राहक को दो बार बीच में टोका, \"माफ़ कीजिए\" नहीं कहा; line two\nends here";
    let out = env.run(&[
        "review",
        meena.to_str().unwrap(),
        "--reviewer",
        "सुनीता Rao",
        "--answer",
        "let_customer_finish=no@10.9,14.25",
        "--answer",
        "no_arguing=yes",
        "--answer",
        "admitted_fault=na",
        "--answer",
        "set_callback_time=yes@12.5",
        "--comment",
        &format!("let_customer_finish={comment}"),
        "--comment",
        "no_arguing=शांत रहे",
        "--submit",
    ]);
    let stdout = ok(&out);
    assert!(stdout.contains("66.7 %"), "{stdout}");
    assert!(stdout.contains("formula: score = 100 × Σ weight(yes) / Σ weight(yes or no)"), "{stdout}");
    assert!(stdout.contains("(submitted)"), "{stdout}");
    assert_eq!(std::fs::read(&meena).unwrap(), original, "the call file was modified");

    // A second call, a draft by another reviewer.
    let hindi = env.call("dev_e_hindi_refund.wav");
    let out =
        env.run(&["review", hindi.to_str().unwrap(), "--reviewer", "Ravi", "--answer", "no_arguing=no@3.25"]);
    let stdout = ok(&out);
    assert!(stdout.contains("FAIL"), "a critical no fails the call: {stdout}");
    assert!(stdout.contains("(draft)"), "{stdout}");

    let csv_path = env.dir.path().join("out.csv");
    ok(&env.run(&["export", "--csv", csv_path.to_str().unwrap()]));
    let (h, rows) = read_csv(&csv_path);
    assert_eq!(rows.len(), 2);
    let r = rows.iter().find(|r| col(&h, r, "reviewer") == "सुनीता Rao").unwrap();
    assert_eq!(col(&h, r, "call"), MEENA);
    assert_eq!(col(&h, r, "agent"), "Meena");
    assert_eq!(col(&h, r, "recorded_at"), "2024-06-12 09:05:41");
    assert_eq!(col(&h, r, "duration_s"), "15.000");
    assert_eq!(col(&h, r, "status"), "submitted");
    assert_eq!(col(&h, r, "let_customer_finish"), "no");
    assert_eq!(col(&h, r, "let_customer_finish_comment"), comment);
    assert_eq!(col(&h, r, "let_customer_finish_evidence_s"), "10.9;14.25");
    assert_eq!(col(&h, r, "no_arguing"), "yes");
    assert_eq!(col(&h, r, "no_arguing_comment"), "शांत रहे");
    assert_eq!(col(&h, r, "admitted_fault"), "na");
    assert_eq!(col(&h, r, "set_callback_time_evidence_s"), "12.5");
    assert_eq!(col(&h, r, "score_percent"), "66.7");
    assert_eq!(col(&h, r, "critical_failed"), "false");
    assert_eq!(col(&h, r, "scorecard_version"), "1");
    assert_eq!(col(&h, r, "date").len(), 10);
    let d = rows.iter().find(|r| col(&h, r, "reviewer") == "Ravi").unwrap();
    assert_eq!((col(&h, d, "status"), col(&h, d, "no_arguing")), ("draft", "no"));
    assert_eq!((col(&h, d, "score_percent"), col(&h, d, "critical_failed")), ("0.0", "true"));
    assert_eq!(col(&h, d, "admitted_fault"), "");

    // JSON to standard output holds the same.
    let json: serde_json::Value = serde_json::from_str(&ok(&env.run(&["export", "--json", "-"]))).unwrap();
    let reviews = json["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    let r = reviews.iter().find(|r| r["reviewer"] == "सुनीता Rao").unwrap();
    assert_eq!(r["answers"][0]["comment"], comment);
    assert_eq!(r["answers"][0]["evidence_s"], serde_json::json!([10.9, 14.25]));
    assert_eq!(r["call"]["agent"], "Meena");
    assert!(json["formula"].as_str().unwrap().contains("critical"));
}

#[test]
fn running_review_again_continues_the_same_review_and_a_moved_file_keeps_it() {
    let env = Env::new();
    let call = env.call("dev_a_courteous.wav");
    ok(&env.run(&["review", call.to_str().unwrap(), "--reviewer", "Asha", "--answer", "no_arguing=yes"]));
    let moved = env.dir.path().join("renamed call.wav");
    std::fs::rename(&call, &moved).unwrap();
    let out = env.run(&[
        "review",
        moved.to_str().unwrap(),
        "--reviewer",
        "Asha",
        "--answer",
        "let_customer_finish=yes",
        "--answer",
        "admitted_fault=na",
        "--answer",
        "set_callback_time=na",
        "--submit",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["review"]["status"], "submitted");
    assert_eq!(v["review"]["score"]["percent"], 100.0);
    let answers = v["review"]["answers"].as_array().unwrap();
    assert_eq!(answers[1]["answer"], "yes", "the first run's answer is kept");

    let db = callqa::store::Store::open(&env.db()).unwrap();
    let calls = db.calls().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, moved);
    let reviews = db.reviews_of_call(calls[0].id).unwrap();
    assert_eq!(reviews.len(), 1, "one review, continued");
    let actions: Vec<_> = db.audit_log(Some(reviews[0].id)).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["create", "submit"]);
}

#[test]
fn custom_scorecard_versions_keep_old_reviews_on_their_version() {
    let env = Env::new();
    let card = env.dir.path().join("billing.toml");
    let v1 = r#"name = "Billing desk"
[[sections]]
title = "Courtesy"
[[sections.items]]
key = "greeted"
title = "Greeted the customer"
title_hi = "अभिवादन किया"
description_hi = "नमस्ते कहा"
[[sections.items]]
key = "no_arguing"
title = "No arguing"
critical = true
"#;
    std::fs::write(&card, v1).unwrap();
    let a = env.call("dev_a_courteous.wav");
    let card_s = card.to_str().unwrap();
    let out = ok(&env.run(&[
        "review",
        a.to_str().unwrap(),
        "--reviewer",
        "A",
        "--scorecard",
        card_s,
        "--answer",
        "greeted=yes",
        "--answer",
        "no_arguing=yes",
        "--submit",
    ]));
    assert!(out.contains("\"Billing desk\" v1") && out.contains("100.0 %"), "{out}");
    // An item of the default card is unknown on this card.
    let err = fails(&env.run(&[
        "review",
        a.to_str().unwrap(),
        "--reviewer",
        "A",
        "--scorecard",
        card_s,
        "--answer",
        "admitted_fault=yes",
    ]));
    assert!(err.contains("unknown item \"admitted_fault\"") && err.contains("greeted, no_arguing"), "{err}");

    // Edit the card: a new version; the old review keeps v1 and its score.
    std::fs::write(
        &card,
        v1.replace("title = \"Greeted the customer\"", "title = \"Greeted the customer\"\nweight = 3"),
    )
    .unwrap();
    let b = env.call("dev_b_cutoff.wav");
    let out = ok(&env.run(&[
        "review",
        b.to_str().unwrap(),
        "--reviewer",
        "A",
        "--scorecard",
        card_s,
        "--answer",
        "greeted=no",
        "--answer",
        "no_arguing=yes",
        "--submit",
    ]));
    assert!(out.contains("\"Billing desk\" v2") && out.contains("25.0 %"), "1 of 4 points: {out}");

    let csv_path = env.dir.path().join("out.csv");
    ok(&env.run(&["export", "--csv", csv_path.to_str().unwrap()]));
    let (h, rows) = read_csv(&csv_path);
    let versions: Vec<_> =
        rows.iter().map(|r| (col(&h, r, "scorecard_version"), col(&h, r, "score_percent"))).collect();
    assert_eq!(versions, [("1", "100.0"), ("2", "25.0")]);
    assert!(!h.contains(&"admitted_fault".to_string()), "only the items of the cards used: {h:?}");

    // The same card as JSON is the same version (content, not format, decides).
    let json_card = env.dir.path().join("billing.json");
    let parsed =
        callqa::model::scorecard::Scorecard::from_toml_str(&std::fs::read_to_string(&card).unwrap()).unwrap();
    std::fs::write(&json_card, serde_json::to_string(&parsed).unwrap()).unwrap();
    let out = ok(&env.run(&[
        "review",
        a.to_str().unwrap(),
        "--reviewer",
        "B",
        "--scorecard",
        json_card.to_str().unwrap(),
        "--answer",
        "greeted=yes",
    ]));
    assert!(out.contains("\"Billing desk\" v2"), "{out}");
}

#[test]
fn report_counts_scores_pass_and_critical_fail_rates() {
    let env = Env::new();
    let all_yes = [
        "--answer",
        "let_customer_finish=yes",
        "--answer",
        "no_arguing=yes",
        "--answer",
        "admitted_fault=yes",
        "--answer",
        "set_callback_time=yes",
    ];
    let meena = env.call(MEENA);
    let mut args = vec!["review", meena.to_str().unwrap(), "--reviewer", "Asha", "--submit"];
    args.extend(all_yes);
    ok(&env.run(&args));
    let b = env.call("dev_b_cutoff.wav");
    ok(&env.run(&[
        "review",
        b.to_str().unwrap(),
        "--reviewer",
        "Asha",
        "--submit",
        "--answer",
        "let_customer_finish=no",
        "--answer",
        "no_arguing=no",
        "--answer",
        "admitted_fault=yes",
        "--answer",
        "set_callback_time=na",
    ]));
    // A draft: left out unless --include-drafts.
    let c = env.call("dev_c_dispute.wav");
    ok(&env.run(&["review", c.to_str().unwrap(), "--reviewer", "Ravi", "--answer", "no_arguing=yes"]));

    let v: serde_json::Value =
        serde_json::from_str(&ok(&env.run(&["report", "--by", "agent", "--json"]))).unwrap();
    let overall = &v["report"]["overall"];
    assert_eq!(overall["reviews"], 2);
    assert_eq!(overall["avg_percent"], 50.0, "(100 + 0) / 2");
    assert_eq!(overall["critical_fail_rate"], 0.5);
    assert_eq!(overall["items"][0]["key"], "let_customer_finish");
    assert_eq!(overall["items"][0]["pass_rate"], 0.5);
    assert_eq!(overall["items"][2]["pass_rate"], 1.0);
    assert_eq!(overall["items"][3]["na"], 1);
    let groups = v["report"]["groups"].as_array().unwrap();
    let names: Vec<_> = groups.iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(names, ["(unknown agent)", "Meena"]);

    let v: serde_json::Value =
        serde_json::from_str(&ok(&env.run(&["report", "--by", "reviewer", "--include-drafts", "--json"])))
            .unwrap();
    assert_eq!(v["report"]["overall"]["reviews"], 3);
    let text = ok(&env.run(&["report", "--by", "item"]));
    assert!(text.contains("2 submitted reviews"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("no_arguing") && l.contains("50.0%") && l.contains("1 fail")),
        "{text}"
    );
}

#[test]
fn calibrate_compares_reviewers_of_the_same_call() {
    let env = Env::new();
    let b = env.call("dev_b_cutoff.wav");
    let c = env.call("dev_c_dispute.wav");
    let b = b.to_str().unwrap();
    let c = c.to_str().unwrap();
    let review = |file: &str, who: &str, answers: [&str; 4]| {
        let keys = ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"];
        let mut args =
            vec!["review".to_string(), file.to_string(), "--reviewer".into(), who.into(), "--submit".into()];
        for (k, a) in keys.iter().zip(answers) {
            args.push("--answer".into());
            args.push(format!("{k}={a}"));
        }
        ok(&env.run(&args.iter().map(String::as_str).collect::<Vec<_>>()));
    };
    // dev_b: Asha and Ravi differ on admitted_fault (75 vs 50); dev_c: only Asha (not compared).
    review(b, "Asha", ["no", "yes", "yes", "yes"]);
    review(b, "Ravi", ["no", "yes", "no", "yes"]);
    review(c, "Asha", ["no", "no", "no", "na"]);
    // A draft is left out unless asked for.
    ok(&env.run(&["review", c, "--reviewer", "Ravi", "--answer", "no_arguing=yes"]));

    let out = ok(&env.run(&["calibrate", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cal = &v["calibration"];
    let calls = cal["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{out}");
    assert_eq!(calls[0]["name"], "dev_b_cutoff.wav");
    assert_eq!(calls[0]["spread"].as_f64(), Some(25.0));
    let d = calls[0]["disagreements"].as_array().unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["item"], "admitted_fault");
    assert_eq!(d[0]["answers"], serde_json::json!([["Asha", "yes"], ["Ravi", "no"]]));
    let rate = |k: &str| {
        cal["items"].as_array().unwrap().iter().find(|i| i["item"] == k).unwrap()["rate"].as_f64().unwrap()
    };
    assert_eq!(rate("admitted_fault"), 0.0);
    assert_eq!(rate("let_customer_finish"), 1.0);
    let offset = |r: &str| {
        cal["reviewers"].as_array().unwrap().iter().find(|x| x["reviewer"] == r).unwrap()["mean_offset"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(offset("Asha"), 25.0);
    assert_eq!(offset("Ravi"), -25.0);

    // With drafts, dev_c is compared too (Ravi's draft answered one item the other way).
    let out = ok(&env.run(&["calibrate", "--include-drafts"]));
    assert!(out.starts_with("2 call(s)"), "{out}");
    assert!(out.contains("dev_c_dispute.wav") && out.contains("no_arguing"), "{out}");
    assert!(out.contains("Asha 75.0, Ravi 50.0 · spread 25.0 points"), "{out}");
}

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let env = Env::new();
    let call = env.call(MEENA);
    let call_s = call.to_str().unwrap();

    // On a database that does not exist yet: nothing is created.
    let fresh = env.dir.path().join("fresh.sqlite3");
    let err = fails(
        &env.run_db(&fresh, &["review", call_s, "--reviewer", "A", "--answer", "let_custmer_finish=yes"]),
    );
    assert!(
        err.contains("unknown item \"let_custmer_finish\"") && err.contains("let_customer_finish"),
        "{err}"
    );
    let err =
        fails(&env.run_db(&fresh, &["review", call_s, "--reviewer", "A", "--answer", "no_arguing=maybe"]));
    assert!(err.contains("not yes, no or na"), "{err}");
    let err = fails(&env.run_db(&fresh, &["review", call_s, "--reviewer", "A", "--comment", "greeting=hi"]));
    assert!(err.contains("unknown item \"greeting\""), "{err}");
    let card = env.dir.path().join("card.toml");
    std::fs::write(&card, "name = \"Broken\"\n[[sections]]\ntitle = \"x\"\n[[sections.items]]\nkey = \"a\"\nweight = \"heavy\"\n").unwrap();
    let err = fails(
        &env.run_db(&fresh, &["review", call_s, "--reviewer", "A", "--scorecard", card.to_str().unwrap()]),
    );
    assert!(err.contains("scorecard") && err.contains("card.toml"), "{err}");
    let err = fails(
        &env.run_db(&fresh, &["review", call_s, "--reviewer", "A", "--scorecard", "/no/such/card.toml"]),
    );
    assert!(err.contains("cannot read the scorecard file"), "{err}");
    let err = fails(&env.run_db(&fresh, &["export", "--csv", "-"]));
    assert!(err.contains("no review database yet"), "{err}");
    assert!(!fresh.exists(), "a refused command created the database");

    // On an existing database: same refusals, and an incomplete submit, leave it as it was.
    ok(&env.run(&["review", call_s, "--reviewer", "A", "--answer", "no_arguing=yes"]));
    let before = dump(&env.db());
    let out = env.run(&["review", call_s, "--reviewer", "A", "--answer", "bogus=yes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = fails(&env.run(&["review", call_s, "--reviewer", "A", "--submit"]));
    assert!(err.contains("not answered") && err.contains("admitted_fault"), "{err}");
    let err = fails(&env.run(&["review", call_s, "--reviewer", "A", "--scorecard", card.to_str().unwrap()]));
    assert!(err.contains("weight"), "{err}");
    let err =
        fails(&env.run(&["review", "/no/such/call.wav", "--reviewer", "A", "--answer", "no_arguing=yes"]));
    assert!(err.contains("/no/such/call.wav"), "{err}");
    assert_eq!(dump(&env.db()), before);

    // Missing folder.
    let missing = env.dir.path().join("nowhere/qa.sqlite3");
    let err =
        fails(&env.run_db(&missing, &["review", call_s, "--reviewer", "A", "--answer", "no_arguing=yes"]));
    assert!(err.contains("does not exist"), "{err}");
    assert!(!env.dir.path().join("nowhere").exists());

    // Random bytes: refused, never overwritten.
    let junk = env.dir.path().join("junk.sqlite3");
    let bytes: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&junk, &bytes).unwrap();
    for args in [
        &["review", call_s, "--reviewer", "A", "--answer", "no_arguing=yes"][..],
        &["export", "--csv", "-"][..],
        &["report"][..],
    ] {
        let err = fails(&env.run_db(&junk, args));
        assert!(err.contains("not a callqa review database"), "{err}");
        assert_eq!(std::fs::read(&junk).unwrap(), bytes, "the corrupt file was changed");
    }

    // Written by a newer callqa.
    let newer = env.dir.path().join("newer.sqlite3");
    std::fs::copy(env.db(), &newer).unwrap();
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let newer_bytes = std::fs::read(&newer).unwrap();
    for args in [&["review", call_s, "--reviewer", "A", "--answer", "no_arguing=no"][..], &["report"][..]] {
        let err = fails(&env.run_db(&newer, args));
        assert!(err.contains("newer callqa") && err.contains("schema version 99"), "{err}");
        assert_eq!(std::fs::read(&newer).unwrap(), newer_bytes);
    }

    // Read-only.
    let ro = env.dir.path().join("ro.sqlite3");
    std::fs::copy(env.db(), &ro).unwrap();
    let mut perm = std::fs::metadata(&ro).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&ro, perm).unwrap();
    let ro_bytes = std::fs::read(&ro).unwrap();
    let err = fails(&env.run_db(&ro, &["review", call_s, "--reviewer", "A", "--answer", "no_arguing=no"]));
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(std::fs::read(&ro).unwrap(), ro_bytes);
    // ...but it can be exported.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&env.run_db(&ro, &["export", "--json", "-"]))).unwrap();
    assert_eq!(json["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(std::fs::read(&ro).unwrap(), ro_bytes);
}

#[test]
fn default_database_is_in_the_data_folder_and_callqa_db_overrides_it() {
    let env = Env::new();
    let call = env.call("dev_f_brief.wav");
    let home = env.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let run = |extra_env: Option<&Path>| {
        let mut cmd = Command::new(BIN);
        cmd.args(["review", call.to_str().unwrap(), "--reviewer", "A", "--answer", "no_arguing=yes"])
            .env_remove("CALLQA_DB")
            .env_remove("XDG_DATA_HOME")
            .env("HOME", &home);
        if let Some(db) = extra_env {
            cmd.env("CALLQA_DB", db);
        }
        cmd.output().unwrap()
    };
    ok(&run(None));
    let default = home.join(".local/share/callqa/callqa.sqlite3");
    assert!(default.is_file(), "no database at {}", default.display());
    let other = env.dir.path().join("via-env.sqlite3");
    ok(&run(Some(&other)));
    assert!(other.is_file());
    let db = callqa::store::Store::open(&other).unwrap();
    assert_eq!(db.export_rows().unwrap().len(), 1);
}

#[test]
fn a_lock_held_past_the_timeout_is_reported_and_nothing_is_saved() {
    let env = Env::new();
    let call = env.call("dev_f_brief.wav");
    let call_s = call.to_str().unwrap();
    ok(&env.run(&["review", call_s, "--reviewer", "A", "--answer", "no_arguing=yes"]));
    let before = dump(&env.db());
    let holder = rusqlite::Connection::open(env.db()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; UPDATE calls SET agent = agent;").unwrap();
    let t = std::time::Instant::now();
    let err = fails(&env.run(&["review", call_s, "--reviewer", "A", "--answer", "admitted_fault=yes"]));
    let waited = t.elapsed();
    holder.execute_batch("ROLLBACK").unwrap();
    assert!(err.contains("locked by another program"), "{err}");
    assert!(waited >= callqa::store::DEFAULT_BUSY_TIMEOUT, "gave up after {waited:?}");
    assert_eq!(dump(&env.db()), before);
}

#[test]
fn two_review_commands_at_once_both_succeed() {
    let env = Env::new();
    let a = env.call("dev_a_courteous.wav");
    let b = env.call("dev_b_cutoff.wav");
    let spawn = |file: &Path, who: &str| {
        let script = format!(
            "for i in $(seq 1 15); do \"$0\" --db \"$1\" review \"$2\" --reviewer \"{who}$i\" \
             --answer no_arguing=yes --answer let_customer_finish=no@$i >/dev/null || exit 1; done"
        );
        Command::new("sh")
            .args(["-c", &script, BIN, env.db().to_str().unwrap(), file.to_str().unwrap()])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (p1, p2) = (spawn(&a, "a"), spawn(&b, "b"));
    for p in [p1, p2] {
        let out = p.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "an error reached the user: {}", text(&out.stderr));
    }
    let db = callqa::store::Store::open(&env.db()).unwrap();
    let rows = db.export_rows().unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(db.calls().unwrap().len(), 2);
}

#[test]
fn a_submitted_review_changes_only_with_an_amend_reason() {
    let env = Env::new();
    let call = env.call("dev_f_brief.wav");
    let c = call.to_str().unwrap();
    let all = [
        "--answer",
        "let_customer_finish=yes",
        "--answer",
        "no_arguing=yes",
        "--answer",
        "admitted_fault=yes",
        "--answer",
        "set_callback_time=yes",
    ];
    let mut first = vec!["review", c, "--reviewer", "Asha", "--submit"];
    first.extend(all);
    ok(&env.run(&first));
    let err = fails(&env.run(&["review", c, "--reviewer", "Asha", "--answer", "no_arguing=no"]));
    assert!(err.contains("amendment with a reason") && err.contains("--amend-reason"), "{err}");
    ok(&env.run(&[
        "review",
        c,
        "--reviewer",
        "Asha",
        "--answer",
        "no_arguing=no",
        "--amend-reason",
        "second listen",
    ]));
    let store = callqa::store::Store::open(&env.db()).unwrap();
    let last = store.audit_log(None).unwrap().pop().unwrap();
    assert_eq!(last.action, "edit");
    assert!(last.detail.contains("second listen"), "{}", last.detail);
}
