//! `callqa report [--by agent|item|reviewer] [--include-drafts] [--json]`: counts, average
//! score, pass rate per item and critical-fail rate (the figures come from
//! [`crate::model::report`]).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::ReportBy;
use super::export::{counted, open_existing};
use super::out::{self, outln, term};
use crate::model::report::{GroupBy, GroupStats, Report, ReportEntry, report};
use crate::model::scorecard::score_formula;

pub fn run(db: Option<&Path>, by: ReportBy, include_drafts: bool, json: bool) -> ExitCode {
    match run_report(db, by, include_drafts, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("report", &e),
    }
}

fn run_report(db: Option<&Path>, by: ReportBy, include_drafts: bool, json: bool) -> Result<()> {
    let store = open_existing(db)?;
    let rows = store.export_rows()?;
    let kept = counted(&rows, include_drafts);
    let entries: Vec<ReportEntry<'_>> = kept
        .iter()
        .map(|r| ReportEntry {
            agent: r.call.meta.agent.as_deref(),
            reviewer: &r.review.reviewer,
            card: &r.card.card,
            answers: &r.review.answers,
            score: &r.review.score,
        })
        .collect();
    let by = match by {
        ReportBy::Agent => GroupBy::Agent,
        ReportBy::Item => GroupBy::Item,
        ReportBy::Reviewer => GroupBy::Reviewer,
    };
    let rep = report(&entries, by);
    if json {
        let out = serde_json::json!({ "include_drafts": include_drafts, "formula": score_formula(), "report": rep });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        out::text(&render(&rep, include_drafts));
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{:.1}%", p * 100.0))
}

fn score_text(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{p:.1}"))
}

/// The report as an aligned text table.
pub fn render(rep: &Report, include_drafts: bool) -> String {
    let mut out = String::new();
    let what = if include_drafts { "reviews (drafts included)" } else { "submitted reviews" };
    let n = rep.overall.reviews;
    out.push_str(&format!(
        "{n} {}\n",
        if n == 1 { what.replacen("reviews", "review", 1) } else { what.to_string() }
    ));
    if rep.overall.reviews == 0 {
        return out;
    }
    match rep.by {
        GroupBy::Item => {
            out.push_str(&format!(
                "{:<24} {:>5} {:>5} {:>5} {:>5} {:>8} {:>9}\n",
                "item", "yes", "no", "na", "open", "pass", "critical"
            ));
            for s in &rep.overall.items {
                out.push_str(&format!(
                    "{:<24} {:>5} {:>5} {:>5} {:>5} {:>8} {:>9}\n",
                    term(&s.key),
                    s.yes,
                    s.no,
                    s.na,
                    s.unanswered,
                    pct(s.pass_rate),
                    if s.critical { format!("{} fail", s.no) } else { "-".into() }
                ));
            }
            out.push_str(&format!(
                "average score {} · critical-fail rate {}\n",
                score_text(rep.overall.avg_percent),
                pct(rep.overall.critical_fail_rate)
            ));
        }
        GroupBy::Agent | GroupBy::Reviewer => {
            let label = if rep.by == GroupBy::Agent { "agent" } else { "reviewer" };
            let keys: Vec<&str> = rep.overall.items.iter().map(|s| s.key.as_str()).collect();
            let mut header = format!("{label:<20} {:>7} {:>9} {:>9}", "reviews", "avg score", "crit fail");
            for k in &keys {
                header.push_str(&format!(" {:>w$}", term(k), w = k.len().max(7)));
            }
            out.push_str(&header);
            out.push('\n');
            let line = |g: &GroupStats| {
                let mut l = format!(
                    "{:<20} {:>7} {:>9} {:>9}",
                    term(&g.group),
                    g.reviews,
                    score_text(g.avg_percent),
                    pct(g.critical_fail_rate)
                );
                for k in &keys {
                    let rate = g.items.iter().find(|s| s.key == *k).and_then(|s| s.pass_rate);
                    l.push_str(&format!(" {:>w$}", pct(rate), w = k.len().max(7)));
                }
                l.push('\n');
                l
            };
            for g in &rep.groups {
                out.push_str(&line(g));
            }
            out.push_str(&line(&rep.overall));
            out.push_str("item columns: pass rate = yes / (yes + no)\n");
        }
    }
    out
}
