//! `callqa calibrate [--include-drafts] [--json]`: do reviewers score the same call the same
//! way? (the figures come from [`crate::model::calibration`]).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::export::{counted, open_existing};
use super::out::{self, outln, term};
use crate::model::calibration::{Calibration, CalibrationEntry, calibrate};

pub fn run(db: Option<&Path>, include_drafts: bool, json: bool) -> ExitCode {
    match run_calibrate(db, include_drafts, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("calibrate", &e),
    }
}

fn run_calibrate(db: Option<&Path>, include_drafts: bool, json: bool) -> Result<()> {
    let store = open_existing(db)?;
    let rows = store.export_rows()?;
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
        let out = serde_json::json!({ "include_drafts": include_drafts, "calibration": c });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        out::text(&render(&c, include_drafts));
    }
    Ok(())
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
