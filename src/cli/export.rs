//! `callqa export --csv OUT --json OUT`: every review, one row (or object) each, with its
//! call, agent, reviewer, date, each item's answer, comment and evidence, and the score.
//!
//! The CSV is UTF-8 with a byte-order mark so spreadsheet programs show Hindi intact. Files
//! are written next to their destination and renamed into place, so a failed export never
//! leaves half a file.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::{CliError, db_path};
use crate::model::scorecard::{Answer, ReviewStatus, score_formula};
use crate::store::{ExportRow, Store};

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn run(db: Option<&Path>, csv: Option<&Path>, json: Option<&Path>) -> ExitCode {
    match export(db, csv, json) {
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

fn export(db: Option<&Path>, csv: Option<&Path>, json: Option<&Path>) -> Result<()> {
    if csv.is_none() && json.is_none() {
        bail!(CliError::Usage(
            "say where to write: --csv OUT and/or --json OUT (- for standard output)".into()
        ));
    }
    let store = open_existing(db)?;
    let rows = store.export_rows()?;
    if let Some(out) = csv {
        write_to(out, |w| write_csv(&rows, w))?;
    }
    if let Some(out) = json {
        write_to(out, |w| {
            serde_json::to_writer_pretty(&mut *w, &to_json(&rows))?;
            writeln!(w)?;
            Ok(())
        })?;
    }
    if csv.is_some_and(|p| p != Path::new("-")) || json.is_some_and(|p| p != Path::new("-")) {
        eprintln!("exported {} reviews", rows.len());
    }
    Ok(())
}

/// Writes to standard output (`-`) or to a file, via a temporary file renamed into place.
fn write_to(out: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if out == Path::new("-") {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        f(&mut lock)?;
        lock.flush()?;
        return Ok(());
    }
    let mut tmp_name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(".callqa-tmp");
    let tmp = out.with_file_name(tmp_name);
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", out.display()))?;
        let mut w = std::io::BufWriter::new(file);
        f(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}")).unwrap_or_default()
}

/// The CSV: a BOM, a header row, one row per review. Items a review's card does not have
/// are left empty.
pub fn write_csv(rows: &[ExportRow], out: &mut dyn Write) -> Result<()> {
    out.write_all(BOM)?;
    let keys = item_keys(rows);
    let mut w = csv::Writer::from_writer(out);
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
    w.write_record(&header)?;
    for r in rows {
        let rev = &r.review;
        let date = rev.submitted_at.as_deref().unwrap_or(&rev.updated_at);
        let mut rec: Vec<String> = vec![
            rev.id.to_string(),
            rev.status.to_string(),
            r.call.meta.file_name.clone(),
            r.call.path.to_string_lossy().into_owned(),
            r.call.hash.clone(),
            r.call.meta.agent.clone().unwrap_or_default(),
            r.call.meta.recorded_at.clone().unwrap_or_default(),
            format!("{:.3}", r.call.meta.duration_s),
            rev.reviewer.clone(),
            date.get(..10).unwrap_or(date).to_string(),
            rev.started_at.clone(),
            rev.submitted_at.clone().unwrap_or_default(),
            r.card.name.clone(),
            r.card.version.to_string(),
        ];
        for k in &keys {
            match rev.answers.iter().find(|a| &a.key == k) {
                Some(a) => {
                    let ev: Vec<String> = a.evidence_s.iter().map(|t| t.to_string()).collect();
                    rec.extend([
                        a.answer.map(Answer::as_str).unwrap_or("").to_string(),
                        a.comment.clone(),
                        ev.join(";"),
                    ]);
                }
                None => rec.extend([String::new(), String::new(), String::new()]),
            }
        }
        let s = &rev.score;
        rec.extend([
            fmt_opt(s.percent),
            s.points.to_string(),
            s.max.to_string(),
            s.critical_failed.to_string(),
            s.complete.to_string(),
        ]);
        w.write_record(&rec)?;
    }
    w.flush()?;
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
