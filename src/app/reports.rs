//! The Reports window (Review → Reports): the figures of `callqa report` over submitted
//! reviews (computed on the store thread), filters, an agent's calls, and CSV exports of
//! every table (written on the store thread through the safe writers).

use std::path::PathBuf;

use super::CallqaApp;
use crate::jobs::store_worker::{CsvCell, ReportData, ReportFilter, StoreRequest};

/// A table of the Reports window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportTable {
    Agents,
    Items,
    Reviewers,
    /// The selected agent's calls.
    Calls,
}

impl ReportTable {
    pub fn label(self) -> &'static str {
        match self {
            ReportTable::Agents => "agents",
            ReportTable::Items => "items",
            ReportTable::Reviewers => "reviewers",
            ReportTable::Calls => "calls",
        }
    }
}

/// The window's state.
#[derive(Clone, Debug, Default)]
pub struct ReportsView {
    /// Filters as typed / chosen.
    pub from: String,
    pub to: String,
    pub agent: Option<String>,
    pub queue: Option<String>,
    /// Only this team's calls (`None`: all teams).
    pub team: Option<String>,
    /// The last figures (or why not).
    pub data: Option<Result<Box<ReportData>, String>>,
    pub waiting: bool,
    /// The agent row clicked: its calls are listed.
    pub selected_agent: Option<String>,
    /// Folder the CSV files go to.
    pub csv_dir: String,
}

impl ReportsView {
    /// The filters, checked.
    pub fn filter(&self) -> Result<ReportFilter, String> {
        let (from, to) = super::date_range(&self.from, &self.to)?;
        Ok(ReportFilter {
            from,
            to,
            agent: self.agent.clone(),
            queue: self.queue.clone(),
            team: self.team.clone(),
        })
    }
}

fn pct(v: Option<f64>) -> CsvCell {
    CsvCell::Num(v.map(|p| p * 100.0), 1)
}

/// A table as CSV: header and rows (the same figures the window shows).
pub fn csv_table(
    data: &ReportData,
    table: ReportTable,
    agent: Option<&str>,
) -> (Vec<String>, Vec<Vec<CsvCell>>) {
    let items: Vec<&crate::model::report::ItemStats> = data.by_agent.overall.items.iter().collect();
    match table {
        ReportTable::Agents => {
            let mut header: Vec<String> = ["agent", "team", "reviews", "average score", "critical fail %"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            header.extend(items.iter().map(|i| format!("{} pass %", i.key)));
            let rows = data
                .by_agent
                .groups
                .iter()
                .map(|g| {
                    let mut r = vec![
                        CsvCell::Text(g.group.clone()),
                        CsvCell::Text(g.teams.join(", ")),
                        CsvCell::Int(g.reviews as i64),
                        CsvCell::Num(g.avg_percent, 1),
                        pct(g.critical_fail_rate),
                    ];
                    r.extend(
                        items
                            .iter()
                            .map(|i| pct(g.items.iter().find(|s| s.key == i.key).and_then(|s| s.pass_rate))),
                    );
                    r
                })
                .collect();
            (header, rows)
        }
        ReportTable::Items => {
            let header = ["item", "title", "critical", "yes", "no", "n.a.", "fail %"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let rows = items
                .iter()
                .map(|i| {
                    vec![
                        CsvCell::Text(i.key.clone()),
                        CsvCell::Text(i.title.clone()),
                        CsvCell::Text(if i.critical { "yes" } else { "no" }.into()),
                        CsvCell::Int(i.yes as i64),
                        CsvCell::Int(i.no as i64),
                        CsvCell::Int(i.na as i64),
                        pct(fail_rate(i)),
                    ]
                })
                .collect();
            (header, rows)
        }
        ReportTable::Reviewers => {
            let header = ["reviewer", "reviews done", "average score", "compared calls", "offset (points)"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let rows = data
                .by_reviewer
                .groups
                .iter()
                .map(|g| {
                    let bias = data.offsets.iter().find(|b| b.reviewer == g.group);
                    vec![
                        CsvCell::Text(g.group.clone()),
                        CsvCell::Int(g.reviews as i64),
                        CsvCell::Num(g.avg_percent, 1),
                        CsvCell::Int(bias.map_or(0, |b| b.calls as i64)),
                        CsvCell::Num(bias.and_then(|b| b.mean_offset), 1),
                    ]
                })
                .collect();
            (header, rows)
        }
        ReportTable::Calls => {
            let header = ["agent", "team", "file", "recorded", "reviewer", "score"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let rows = data
                .calls
                .iter()
                .filter(|c| agent.is_none_or(|a| a == c.agent))
                .map(|c| {
                    vec![
                        CsvCell::Text(c.agent.clone()),
                        CsvCell::Text(c.team.clone().unwrap_or_default()),
                        CsvCell::Text(c.file_name.clone()),
                        CsvCell::Text(c.recorded_at.clone().unwrap_or_default()),
                        CsvCell::Text(c.reviewer.clone()),
                        CsvCell::Num(c.percent, 1),
                    ]
                })
                .collect();
            (header, rows)
        }
    }
}

/// no / (yes + no).
pub fn fail_rate(i: &crate::model::report::ItemStats) -> Option<f64> {
    i.pass_rate.map(|p| 1.0 - p)
}

impl CallqaApp {
    /// Asks the store for the figures under the window's filters.
    pub(super) fn load_report(&mut self) {
        let Some(v) = &mut self.reports else { return };
        match v.filter() {
            Ok(f) => {
                v.waiting = true;
                self.jobs.store(StoreRequest::Report(f));
            }
            Err(e) => self.say(e, true),
        }
    }

    /// Sends one table to the store thread to be written as `<folder>/callqa-<table>.csv`.
    pub(super) fn export_report(&mut self, table: ReportTable) {
        let Some(v) = &self.reports else { return };
        let Some(Ok(data)) = &v.data else {
            self.say("No report to export yet.", true);
            return;
        };
        let dir = v.csv_dir.trim();
        if dir.is_empty() {
            self.say("Type the folder the CSV file goes to first.", true);
            return;
        }
        let path = PathBuf::from(dir).join(format!("callqa-{}.csv", table.label()));
        let (header, rows) = csv_table(data, table, v.selected_agent.as_deref());
        self.jobs.store(StoreRequest::ExportCsv { path, header, rows });
    }
}
