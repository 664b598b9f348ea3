//! `callqa export --csv OUT --json OUT`: every review, one row (or object) each, with its
//! call, agent, reviewer, date, each item's answer, comment and evidence, and the score.
//!
//! The CSV goes through [`crate::safe_csv`] (UTF-8 with a BOM; formula-like text neutralised
//! unless `--raw`). Files go through [`crate::safe_file`]: written next to their destination
//! and renamed into place, never over the review database, an audio file or a symbolic link,
//! and over another existing file only with `--force`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::{CliError, db_path, out};
use crate::model::scorecard::{Answer, ReviewStatus, score_formula};
use crate::safe_csv::{Cell, CsvWriter};
use crate::safe_file::{self, Policy};
use crate::store::backend::{Backend, Target};
use crate::store::pg::PgStore;
use crate::store::{CallRecord, ExportRow, Store};

/// What `callqa export` was asked.
#[derive(Debug)]
pub struct ExportArgs {
    pub csv: Option<PathBuf>,
    pub json: Option<PathBuf>,
    /// CSV text exactly as stored (no `'` before formula-like text).
    pub raw: bool,
    /// Replace existing output files.
    pub force: bool,
}

pub fn run(db: Option<&Path>, args: &ExportArgs) -> ExitCode {
    match export(db, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("export", &e),
    }
}

/// Opens an existing database (exports and reports never create one).
pub(crate) fn open_existing(db: Option<&Path>) -> Result<Store> {
    let path = db_path(db)?;
    if !path.exists() {
        bail!(CliError::Usage(format!(
            "there is no review database yet (review a call first, or pass --db): {}",
            path.display()
        )));
    }
    Ok(Store::open_read_only(&path)?)
}

/// An existing store to read: the SQLite file (it must exist; opened read-only) or the team
/// store (what the login may see).
pub(crate) fn open_existing_backend(db: Option<&Path>) -> Result<Backend> {
    match super::team_url(db) {
        Some(url) => Ok(Backend::open(&Target::Team(url))?),
        None => Ok(Backend::Local(open_existing(db)?)),
    }
}

/// A store to write: the SQLite file (created if needed) or the team store.
pub(crate) fn open_backend(db: Option<&Path>) -> Result<Backend> {
    match super::team_url(db) {
        Some(url) => Ok(Backend::open(&Target::Team(url))?),
        None => Ok(Backend::open(&Target::Local(db_path(db)?))?),
    }
}

/// How exports write files: `--force` or not, and never over the database or a recording
/// of any call it knows.
pub(crate) fn write_policy(store: &Store, force: bool) -> Result<Policy> {
    protecting(Some(store.path()), &store.calls()?, force)
}

/// [`write_policy`] for either store (the team store: its calls' recordings).
pub(crate) fn backend_write_policy(store: &mut Backend, force: bool) -> Result<Policy> {
    let calls = store.calls()?;
    protecting(store.local_path(), &calls, force)
}

fn protecting(database: Option<&Path>, calls: &[CallRecord], force: bool) -> Result<Policy> {
    let mut policy = Policy::new(force);
    if let Some(db) = database {
        policy.protect_database(db);
    }
    for call in calls {
        policy.protect_audio(&call.path);
    }
    Ok(policy)
}

/// Where exports and reports read: a SQLite review database (it must exist) or the team store
/// (what the login may see: a reviewer, their own reviews and everyone's submitted ones).
pub(crate) enum Source {
    Sqlite(Store),
    Team(Box<PgStore>),
}

impl Source {
    pub(crate) fn open(db: Option<&Path>) -> Result<Source> {
        match super::team_url(db) {
            Some(url) => Ok(Source::Team(Box::new(PgStore::connect(&url)?))),
            None => Ok(Source::Sqlite(open_existing(db)?)),
        }
    }

    pub(crate) fn export_rows(&mut self) -> Result<Vec<ExportRow>> {
        Ok(match self {
            Source::Sqlite(s) => s.export_rows()?,
            Source::Team(t) => t.export_rows()?,
        })
    }

    pub(crate) fn calls(&mut self) -> Result<Vec<CallRecord>> {
        Ok(match self {
            Source::Sqlite(s) => s.calls()?,
            Source::Team(t) => t.calls()?,
        })
    }

    pub(crate) fn queue_by_name(&mut self, name: &str) -> Result<Option<crate::store::QueueInfo>> {
        Ok(match self {
            Source::Sqlite(s) => s.queue_by_name(name)?,
            Source::Team(t) => t.queue_by_name(name)?,
        })
    }

    pub(crate) fn queues(&mut self) -> Result<Vec<crate::store::QueueInfo>> {
        Ok(match self {
            Source::Sqlite(s) => s.queues()?,
            Source::Team(t) => t.queues()?,
        })
    }

    pub(crate) fn queue_items(&mut self, queue_id: i64) -> Result<Vec<crate::store::QueueItem>> {
        Ok(match self {
            Source::Sqlite(s) => s.queue_items(queue_id, None)?,
            Source::Team(t) => t.queue_items(queue_id, None)?,
        })
    }

    /// Export files never replace the database or a recording of a call it knows.
    fn write_policy(&mut self, force: bool) -> Result<Policy> {
        match self {
            Source::Sqlite(s) => write_policy(s, force),
            Source::Team(t) => protecting(None, &t.calls()?, force),
        }
    }
}

fn is_stdout(p: &Path) -> bool {
    p == Path::new("-")
}

fn export(db: Option<&Path>, args: &ExportArgs) -> Result<()> {
    let (csv, json) = (args.csv.as_deref(), args.json.as_deref());
    if csv.is_none() && json.is_none() {
        bail!(CliError::Usage(
            "say where to write: --csv OUT and/or --json OUT (- for standard output)".into()
        ));
    }
    if let (Some(c), Some(j)) = (csv, json)
        && c == j
    {
        bail!(CliError::Usage(format!("--csv and --json are both {}; give two names", c.display())));
    }
    let mut source = Source::open(db)?;
    let rows = source.export_rows()?;
    // Every destination is checked before anything is written.
    let policy = source.write_policy(args.force)?;
    for out in [csv, json].into_iter().flatten().filter(|p| !is_stdout(p)) {
        policy.check(out)?;
    }
    if let Some(out) = csv {
        write_to(out, &policy, |w| write_csv(&rows, w, args.raw))?;
    }
    if let Some(out) = json {
        write_to(out, &policy, |w| {
            serde_json::to_writer_pretty(&mut *w, &to_json(&rows))?;
            writeln!(w)?;
            Ok(())
        })?;
    }
    if csv.is_some_and(|p| !is_stdout(p)) || json.is_some_and(|p| !is_stdout(p)) {
        eprintln!("exported {} reviews", rows.len());
    }
    Ok(())
}

/// Writes to standard output (`-`; a closed pipe ends it quietly) or to a file through
/// [`safe_file`].
fn write_to(out: &Path, policy: &Policy, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if is_stdout(out) {
        let mut w = std::io::BufWriter::new(out::Stdout);
        f(&mut w)?;
        w.flush()?;
        return Ok(());
    }
    safe_file::write_with(out, policy, |w| f(w))
}

/// Item keys across all rows, in first-seen card order.
fn item_keys(rows: &[ExportRow]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for r in rows {
        for item in r.card.card.items() {
            if !keys.contains(&item.key) {
                keys.push(item.key.clone());
            }
        }
    }
    keys
}

/// The CSV: a BOM, a header row, one row per review. Items a review's card does not have
/// are left empty. Text cells are neutralised unless `raw`; numbers are written as numbers.
pub fn write_csv(rows: &[ExportRow], out: &mut dyn Write, raw: bool) -> Result<()> {
    let keys = item_keys(rows);
    let mut w = CsvWriter::new(out, raw)?;
    let mut header: Vec<String> = [
        "review_id",
        "status",
        "call",
        "call_path",
        "call_hash",
        "agent",
        "recorded_at",
        "duration_s",
        "reviewer",
        "date",
        "started_at",
        "submitted_at",
        "scorecard",
        "scorecard_version",
    ]
    .map(String::from)
    .to_vec();
    for k in &keys {
        header.extend([k.clone(), format!("{k}_comment"), format!("{k}_evidence_s")]);
    }
    header.extend(["score_percent", "points", "max_points", "critical_failed", "complete"].map(String::from));
    w.header(header.as_slice())?;
    for r in rows {
        let rev = &r.review;
        let date = rev.submitted_at.as_deref().unwrap_or(&rev.updated_at);
        let mut rec: Vec<Cell<'_>> = vec![
            Cell::Int(rev.id),
            Cell::text(rev.status.to_string()),
            Cell::text(r.call.meta.file_name.as_str()),
            Cell::text(r.call.path.to_string_lossy()),
            Cell::text(r.call.hash.as_str()),
            Cell::text(r.call.meta.agent.as_deref().unwrap_or_default()),
            Cell::text(r.call.meta.recorded_at.as_deref().unwrap_or_default()),
            Cell::num(r.call.meta.duration_s, 3),
            Cell::text(rev.reviewer.as_str()),
            Cell::text(date.get(..10).unwrap_or(date)),
            Cell::text(rev.started_at.as_str()),
            Cell::text(rev.submitted_at.as_deref().unwrap_or_default()),
            Cell::text(r.card.name.as_str()),
            Cell::Int(r.card.version),
        ];
        for k in &keys {
            match rev.answers.iter().find(|a| &a.key == k) {
                Some(a) => {
                    let ev: Vec<String> = a.evidence_s.iter().map(|t| t.to_string()).collect();
                    rec.extend([
                        Cell::text(a.answer.map(Answer::as_str).unwrap_or("")),
                        Cell::text(a.comment.as_str()),
                        Cell::text(ev.join(";")),
                    ]);
                }
                None => rec.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
        }
        let s = &rev.score;
        rec.extend([
            Cell::opt_num(s.percent, 1),
            Cell::Real(s.points),
            Cell::Real(s.max),
            Cell::text(s.critical_failed.to_string()),
            Cell::text(s.complete.to_string()),
        ]);
        w.row(&rec)?;
    }
    w.finish()?;
    Ok(())
}

/// The JSON export: `{ "formula": ..., "reviews": [...] }`.
pub fn to_json(rows: &[ExportRow]) -> serde_json::Value {
    let reviews: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "review_id": r.review.id,
                "status": r.review.status,
                "reviewer": r.review.reviewer,
                "started_at": r.review.started_at,
                "updated_at": r.review.updated_at,
                "submitted_at": r.review.submitted_at,
                "call": {
                    "hash": r.call.hash,
                    "path": r.call.path.to_string_lossy(),
                    "file_name": r.call.meta.file_name,
                    "agent": r.call.meta.agent,
                    "recorded_at": r.call.meta.recorded_at,
                    "duration_s": r.call.meta.duration_s,
                    "channels": r.call.meta.channels,
                    "sample_rate": r.call.meta.sample_rate,
                    "encoding": r.call.meta.encoding,
                },
                "scorecard": { "id": r.card.id, "name": r.card.name, "version": r.card.version, "hash": r.card.hash },
                "answers": r.review.answers,
                "score": r.review.score,
            })
        })
        .collect();
    serde_json::json!({ "formula": score_formula(), "reviews": reviews })
}

/// The reviews a summary counts: submitted ones, or drafts too (`callqa report`, `calibrate`).
pub(crate) fn counted(rows: &[ExportRow], include_drafts: bool) -> Vec<&ExportRow> {
    rows.iter().filter(|r| include_drafts || r.review.status == ReviewStatus::Submitted).collect()
}
