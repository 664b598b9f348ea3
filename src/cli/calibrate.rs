//! `callqa calibrate [--include-drafts] [--json]`: do reviewers score the same call the same
//! way? (the figures come from [`crate::model::calibration`]).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::CliError;
use super::export::{counted, open_backend, open_existing_backend};
use super::out::{self, outln, term};
use crate::audio::{WavReader, content_hash};
use crate::model::calibration::{Calibration, CalibrationEntry, calibrate};
use crate::model::call::CallMeta;
use crate::model::scorecard::ReviewStatus;
use crate::store::{SessionDraft, StoreError};

pub fn run(db: Option<&Path>, include_drafts: bool, session: Option<&str>, json: bool) -> ExitCode {
    match run_calibrate(db, include_drafts, session, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("calibrate", &e),
    }
}

fn run_calibrate(db: Option<&Path>, include_drafts: bool, session: Option<&str>, json: bool) -> Result<()> {
    let mut store = open_existing_backend(db)?;
    let session = match session {
        Some(name) => Some(store.session_by_name(name)?.ok_or_else(|| {
            CliError::Usage(format!("no calibration session named {name:?} (see callqa calibration list)"))
        })?),
        None => None,
    };
    let rows = match &session {
        Some(s) => store.session_rows(s.id)?,
        None => store.export_rows()?,
    };
    let kept = counted(&rows, include_drafts);
    let names: Vec<String> = kept
        .iter()
        .map(|r| {
            r.call.path.file_name().map_or_else(|| r.call.hash.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    let entries: Vec<CalibrationEntry<'_>> =
        kept.iter().zip(&names).map(|(r, name)| r.calibration_entry(name)).collect();
    let c = calibrate(&entries);
    if json {
        let mut out = serde_json::json!({ "include_drafts": include_drafts, "calibration": c });
        if let (Some(s), Some(o)) = (&session, out.as_object_mut()) {
            let submitted = kept.len();
            o.insert(
                "session".into(),
                serde_json::json!({
                    "name": s.name, "reviewers": s.reviewers, "calls": s.calls.len(),
                    "expected_reviews": s.calls.len() * s.reviewers.len(), "reviews": submitted,
                }),
            );
        }
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        if let Some(s) = &session {
            outln!(
                "calibration session {}: {} call(s) × {} reviewer(s) ({}); {} of {} reviews counted",
                term(&s.name),
                s.calls.len(),
                s.reviewers.len(),
                term(&s.reviewers.join(", ")),
                kept.len(),
                s.calls.len() * s.reviewers.len()
            );
        }
        out::text(&render(&c, include_drafts));
    }
    Ok(())
}

pub fn run_create(
    db: Option<&Path>,
    name: &str,
    calls: &[std::path::PathBuf],
    reviewers: &[String],
    by: Option<&str>,
) -> ExitCode {
    let result = (|| -> Result<()> {
        let mut ids = Vec::new();
        let mut store = open_backend(db)?;
        // On the team store the session is made in the login's name.
        let by = match (store.login().map(str::to_string), by.map(str::trim)) {
            (Some(login), Some(b)) if b != login => bail!(CliError::Usage(format!(
                "on the team store a session is made by your login ({}), not {}; leave out --by",
                term(&login),
                term(b)
            ))),
            (Some(login), _) => Some(login),
            (None, b) => b.map(str::to_string),
        };
        for f in calls {
            let info = WavReader::open(f)
                .with_context(|| format!("cannot open the call {}", f.display()))?
                .info()
                .clone();
            let hash = content_hash(f).with_context(|| format!("cannot read the call {}", f.display()))?;
            ids.push(store.upsert_call(&hash, f, &CallMeta::from_wav(f, &info))?);
        }
        let draft = SessionDraft {
            name: name.to_string(),
            call_ids: ids,
            reviewers: reviewers.to_vec(),
            created_by: by.unwrap_or_else(crate::store::os_user),
        };
        store.create_session(&draft).map_err(|e| match e {
            StoreError::BadData(why) => anyhow::Error::new(CliError::Usage(why)),
            e => e.into(),
        })?;
        outln!(
            "calibration session {} created: {} call(s), reviewers {}; each scores with callqa review FILE \
             --reviewer NAME --session {:?} (or in the window: Review → Calibration)",
            term(name.trim()),
            draft.call_ids.len(),
            term(&reviewers.join(", ")),
            name.trim()
        );
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("calibration create", &e),
    }
}

pub fn run_list(db: Option<&Path>, json: bool) -> ExitCode {
    let result = (|| -> Result<()> {
        let mut store = open_existing_backend(db)?;
        let sessions = store.sessions(None)?;
        let mut rows = Vec::new();
        for s in &sessions {
            let done = store
                .session_rows(s.id)?
                .iter()
                .filter(|r| r.review.status == ReviewStatus::Submitted)
                .count();
            rows.push((s, done));
        }
        if json {
            let v: Vec<_> = rows
                .iter()
                .map(|(s, done)| {
                    serde_json::json!({
                        "name": s.name, "created_by": s.created_by, "created_at": s.created_at,
                        "reviewers": s.reviewers, "calls": s.calls.iter().map(|c| c.path.display().to_string()).collect::<Vec<_>>(),
                        "submitted": done, "expected": s.calls.len() * s.reviewers.len(),
                    })
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&v)?);
        } else if rows.is_empty() {
            outln!("no calibration sessions (create one with callqa calibration create)");
        } else {
            for (s, done) in rows {
                outln!(
                    "{}  by {} · {} call(s) · {} · {done} of {} submitted",
                    term(&s.name),
                    term(&s.created_by),
                    s.calls.len(),
                    term(&s.reviewers.join(", ")),
                    s.calls.len() * s.reviewers.len()
                );
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("calibration list", &e),
    }
}

fn score(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{p:.1}"))
}

/// The calibration report as text.
pub fn render(c: &Calibration, include_drafts: bool) -> String {
    let mut out = String::new();
    let what = if include_drafts { "reviews, drafts included" } else { "submitted reviews" };
    let _ = writeln!(out, "{} call(s) scored by two or more reviewers ({what})", c.calls.len());
    if c.calls.is_empty() {
        return out;
    }
    for call in &c.calls {
        let scores: Vec<String> =
            call.scores.iter().map(|(r, s)| format!("{} {}", term(r), score(*s))).collect();
        let _ = writeln!(
            out,
            "\n{}: {} · spread {} points",
            term(&call.name),
            scores.join(", "),
            score(call.spread)
        );
        if call.disagreements.is_empty() {
            let _ = writeln!(out, "  every item answered the same");
        }
        for d in &call.disagreements {
            let a: Vec<String> = d.answers.iter().map(|(r, x)| format!("{} {x}", term(r))).collect();
            let _ = writeln!(out, "  {:<24} {}", term(&d.item), a.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "\n{:<24} {:>6} {:>7} {:>9} {:>13}",
        "item", "calls", "agreed", "agreement", "Fleiss' kappa"
    );
    for i in &c.items {
        let rate = i.rate.map_or_else(|| "-".to_string(), |r| format!("{:.0}%", r * 100.0));
        let kappa = i.fleiss_kappa.map_or_else(|| "-".to_string(), |k| format!("{k:.3}"));
        let _ =
            writeln!(out, "{:<24} {:>6} {:>7} {:>9} {:>13}", term(&i.item), i.calls, i.agreed, rate, kappa);
    }
    let _ = writeln!(out, "\n{:<24} {:>6} {:>22}", "reviewer", "calls", "vs the others (points)");
    for r in &c.reviewers {
        let off = r.mean_offset.map_or_else(|| "-".to_string(), |o| format!("{o:+.1}"));
        let _ = writeln!(out, "{:<24} {:>6} {:>22}", term(&r.reviewer), r.calls, off);
    }
    let _ = writeln!(out, "mean spread {} points (0 = reviewers agree exactly)", score(c.mean_spread));
    let _ = writeln!(
        out,
        "Fleiss' kappa: agreement beyond chance over yes / no / N.A. (1 = perfect, 0 = chance; \
         - when every answer was the same)"
    );
    out
}
