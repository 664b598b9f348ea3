//! `callqa report [--by agent|item|reviewer] [--include-drafts] [--from DATE] [--to DATE]
//! [--queue NAME] [--team NAME] [--json]`: counts, average score, pass rate per item and
//! critical-fail rate (the figures come from [`crate::model::report`]).
//!
//! `--from`/`--to` keep the reviews of calls recorded on those days (inclusive; a call
//! without a recording date is then left out), `--queue` the reviews of the calls in that
//! review queue (by any reviewer), `--team` the reviews of calls whose agent's team is NAME
//! (as `callqa index --metadata`/`--name-pattern` stored it; calls without a team are then
//! left out). With `--by agent` the agents' teams are a column when any call has one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::export::{Source, counted};
use super::out::{self, outln, term};
use super::{CliError, ReportBy};
use crate::model::report::{GroupBy, GroupStats, Report, ReportEntry, report};
use crate::model::scorecard::score_formula;

/// Which reviews a report counts, beyond submitted-or-draft.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// First recording day of the call, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last recording day of the call, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    /// Only the calls of this review queue.
    pub queue: Option<String>,
    /// Only the calls of this team.
    pub team: Option<String>,
}

pub fn run(
    db: Option<&Path>,
    by: ReportBy,
    include_drafts: bool,
    filter: &ReportFilter,
    json: bool,
) -> ExitCode {
    match run_report(db, by, include_drafts, filter, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("report", &e),
    }
}

/// `--from`/`--to`: a real day, `YYYY-MM-DD`.
fn day(flag: &str, s: Option<&str>) -> Result<Option<String>> {
    match s {
        None => Ok(None),
        Some(s) => match crate::model::naming::parse_date(s.trim()).filter(|_| s.trim().len() == 10) {
            Some(d) => Ok(Some(d)),
            None => bail!(CliError::Usage(format!("{flag} {s:?} is not a date; write YYYY-MM-DD"))),
        },
    }
}

fn run_report(
    db: Option<&Path>,
    by: ReportBy,
    include_drafts: bool,
    filter: &ReportFilter,
    json: bool,
) -> Result<()> {
    let (from, to) = (day("--from", filter.from.as_deref())?, day("--to", filter.to.as_deref())?);
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        bail!(CliError::Usage(format!("--from {f} is after --to {t}")));
    }
    let mut source = Source::open(db)?;
    let queue_calls: Option<std::collections::HashSet<i64>> = match &filter.queue {
        None => None,
        Some(name) => {
            let Some(q) = source.queue_by_name(name)? else {
                let known: Vec<String> = source.queues()?.into_iter().map(|q| q.name).collect();
                bail!(CliError::Usage(format!(
                    "there is no review queue named {:?}{}",
                    term(name),
                    if known.is_empty() {
                        " (there are none; make one with callqa sample)".to_string()
                    } else {
                        format!("; queues: {}", term(&known.join(", ")))
                    }
                )));
            };
            Some(source.queue_items(q.id)?.into_iter().map(|i| i.call.id).collect())
        }
    };
    let team = filter.team.as_deref().map(str::trim);
    if let Some(t) = team {
        let mut known: Vec<String> = source.calls()?.into_iter().filter_map(|c| c.meta.team).collect();
        known.sort();
        known.dedup();
        if !known.iter().any(|k| k == t) {
            bail!(CliError::Usage(format!(
                "no call has the team {:?}{}",
                term(t),
                if known.is_empty() {
                    " (no call has a team: store them with callqa index --metadata or --name-pattern)"
                        .to_string()
                } else {
                    format!("; teams: {}", term(&known.join(", ")))
                }
            )));
        }
    }
    let rows = source.export_rows()?;
    let kept: Vec<_> = counted(&rows, include_drafts)
        .into_iter()
        .filter(|r| r.recorded_between(from.as_deref(), to.as_deref()))
        .filter(|r| queue_calls.as_ref().is_none_or(|q| q.contains(&r.call.id)))
        .filter(|r| team.is_none_or(|t| r.call.meta.team.as_deref() == Some(t)))
        .collect();
    let entries: Vec<ReportEntry<'_>> = kept.iter().map(|r| r.report_entry()).collect();
    let by = match by {
        ReportBy::Agent => GroupBy::Agent,
        ReportBy::Item => GroupBy::Item,
        ReportBy::Reviewer => GroupBy::Reviewer,
    };
    let rep = report(&entries, by);
    if json {
        let out = serde_json::json!({
            "include_drafts": include_drafts,
            "filter": { "from": from, "to": to, "queue": filter.queue, "team": team },
            "formula": score_formula(),
            "report": rep,
        });
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
            // The agents' teams, when any call has one.
            let teams = rep.by == GroupBy::Agent && rep.groups.iter().any(|g| !g.teams.is_empty());
            let team_cell = |g: &GroupStats| {
                if teams { format!(" {:<16}", term(&g.teams.join(", "))) } else { String::new() }
            };
            let mut header = format!("{label:<20}");
            if teams {
                header.push_str(&format!(" {:<16}", "team"));
            }
            header.push_str(&format!(" {:>7} {:>9} {:>9}", "reviews", "avg score", "crit fail"));
            for k in &keys {
                header.push_str(&format!(" {:>w$}", term(k), w = k.len().max(7)));
            }
            out.push_str(&header);
            out.push('\n');
            let line = |g: &GroupStats| {
                let mut l = format!(
                    "{:<20}{} {:>7} {:>9} {:>9}",
                    term(&g.group),
                    team_cell(g),
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
            if rep.by == GroupBy::Reviewer {
                for g in rep.groups.iter().filter(|g| g.median_review_share.is_some()) {
                    out.push_str(&format!(
                        "{}: median review time {:.2}× the call's length\n",
                        term(&g.group),
                        g.median_review_share.unwrap_or(0.0)
                    ));
                }
            }
        }
    }
    out
}
