//! A dialer's metadata CSV joined to calls: one row per recording, naming it by path or file
//! name, with the agent, team, date and customer id the dialer knows. Pure: the caller reads
//! the file and passes its text.
//!
//! Columns (a header row is required; names are matched without case, spaces, `_` or `-`):
//! `path` (or `file`, `file_name`, `filename`, `recording`) — at least one of these — and any
//! of `agent` (or `agent_name`), `team`, `date` (or `recorded_at`, `datetime`, `start`; a
//! date, optionally followed by a time) and `customer_id` (or `customer`). Empty cells are
//! absent. A UTF-8 BOM is ignored.
//!
//! Joining ([`MetadataTable::lookup`]): a row whose `path` is the call's path wins; otherwise a
//! row whose file name is the call's file name — but only when exactly one row has that file
//! name (two rows naming `call.wav` in different folders say nothing about a third
//! `call.wav`). Nothing is guessed: no row, no metadata.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::naming::{clean_agent, parse_date, parse_time};

/// What the CSV says about one recording.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CallMetadata {
    pub agent: Option<String>,
    pub team: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`.
    pub recorded_at: Option<String>,
    pub customer_id: Option<String>,
}

/// A metadata CSV that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    #[error("the metadata CSV has no path or file_name column (header: {0})")]
    NoKeyColumn(String),
    #[error("the metadata CSV cannot be read at line {line}: {why}")]
    Bad { line: u64, why: String },
    #[error(
        "the metadata CSV's row at line {line} has a date callqa cannot read: {value:?} (write YYYY-MM-DD, optionally with HH:MM:SS)"
    )]
    BadDate { line: u64, value: String },
}

/// The rows of a metadata CSV, indexed for joining.
#[derive(Clone, Debug, Default)]
pub struct MetadataTable {
    by_path: HashMap<String, CallMetadata>,
    /// File name → its rows (a name given by two rows is ambiguous).
    by_name: HashMap<String, Vec<CallMetadata>>,
}

fn norm_header(h: &str) -> String {
    h.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

/// A date (`2024-06-12`, `20240612`, …) optionally followed by a time (`09:05:41`, `090541`,
/// after a space or `T`).
fn parse_when(s: &str) -> Option<String> {
    let s = s.trim();
    let (d, t) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = parse_date(d)?;
    let t = t.filter(|t| !t.is_empty());
    match t {
        None => Some(date),
        // A time like 09:05 (no seconds) reads as 09:05:00; a time that is not one is an error.
        Some(t) => {
            let t = t.trim_end_matches('Z');
            let t = if t.len() == 5 { format!("{t}:00") } else { t.get(..8.min(t.len()))?.to_string() };
            parse_time(&t).map(|t| format!("{date} {t}"))
        }
    }
}

/// The file name part of a path written with `/` or `\`.
fn file_name_of(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

impl MetadataTable {
    /// Reads the CSV text.
    pub fn parse(text: &str) -> Result<MetadataTable, MetadataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut r =
            csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
        let bad = |e: csv::Error| MetadataError::Bad {
            line: e.position().map_or(0, csv::Position::line),
            why: e.to_string(),
        };
        let headers: Vec<String> = r.headers().map_err(bad)?.iter().map(norm_header).collect();
        let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
        let path_col = col(&["path", "filepath", "fullpath"]);
        let name_col = col(&["file", "filename", "name", "recording", "recordingfile"]);
        if path_col.is_none() && name_col.is_none() {
            return Err(MetadataError::NoKeyColumn(headers.join(", ")));
        }
        let (agent_col, team_col) = (col(&["agent", "agentname"]), col(&["team", "teamname"]));
        let date_col = col(&["date", "recordedat", "datetime", "start", "starttime", "calldate"]);
        let customer_col = col(&["customerid", "customer", "customerno"]);
        let mut table = MetadataTable::default();
        for rec in r.records() {
            let rec = rec.map_err(bad)?;
            let line = rec.position().map_or(0, csv::Position::line);
            let cell = |c: Option<usize>| c.and_then(|i| rec.get(i)).filter(|s| !s.is_empty());
            let recorded_at = match cell(date_col) {
                Some(d) => {
                    Some(parse_when(d).ok_or_else(|| MetadataError::BadDate { line, value: d.to_string() })?)
                }
                None => None,
            };
            let meta = CallMetadata {
                agent: cell(agent_col).and_then(clean_agent),
                team: cell(team_col).map(str::to_string),
                recorded_at,
                customer_id: cell(customer_col).map(str::to_string),
            };
            let path = cell(path_col);
            let name = cell(name_col).map(file_name_of).or_else(|| path.map(file_name_of));
            if let Some(p) = path {
                table.by_path.insert(p.to_string(), meta.clone());
            }
            if let Some(n) = name.filter(|n| !n.is_empty()) {
                table.by_name.entry(n.to_string()).or_default().push(meta);
            }
        }
        Ok(table)
    }

    /// Rows read.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty() && self.by_name.is_empty()
    }

    /// The row for a call seen at any of `paths` (the path first), else the only row with its
    /// file name; `None` when no row names it or the file name is ambiguous.
    pub fn lookup<'a>(&self, paths: impl IntoIterator<Item = &'a Path>) -> Option<&CallMetadata> {
        let paths: Vec<&Path> = paths.into_iter().collect();
        for p in &paths {
            if let Some(m) = self.by_path.get(p.to_string_lossy().as_ref()) {
                return Some(m);
            }
        }
        let mut found: Option<&CallMetadata> = None;
        for p in &paths {
            let Some(name) = p.file_name() else { continue };
            match self.by_name.get(name.to_string_lossy().as_ref()).map(Vec::as_slice) {
                Some([one]) => match found {
                    Some(f) if f != one => return None, // two copies, two different rows
                    _ => found = Some(one),
                },
                Some(_) => return None,
                None => {}
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const CSV: &str = "\u{feff}File Name,Path,Agent,Team,Date,Customer ID\n\
        out-98-1001-20240612-090541-1.42.wav,/rec/2024/06/12/out-98-1001-20240612-090541-1.42.wav,Meena,Billing,2024-06-12 09:05:41,C1\n\
        call.wav,/a/call.wav,Ravi,Care,20240613,C2\n\
        call.wav,/b/call.wav,Asha,Care,2024-06-14T10:11,C3\n\
        only-name.wav,,Agent Priya,,,\n";

    #[test]
    fn joins_by_path_then_by_an_unambiguous_file_name() {
        let t = MetadataTable::parse(CSV).unwrap();
        let p = |s: &str| Path::new(s).to_path_buf();
        let m = t.lookup([p("/rec/2024/06/12/out-98-1001-20240612-090541-1.42.wav").as_path()]).unwrap();
        assert_eq!(m.agent.as_deref(), Some("Meena"));
        assert_eq!(m.team.as_deref(), Some("Billing"));
        assert_eq!(m.recorded_at.as_deref(), Some("2024-06-12 09:05:41"));
        assert_eq!(m.customer_id.as_deref(), Some("C1"));
        // Moved: the file name still joins (one row has it).
        let moved = p("/mnt/share/out-98-1001-20240612-090541-1.42.wav");
        assert_eq!(t.lookup([moved.as_path()]).unwrap().agent.as_deref(), Some("Meena"));
        // call.wav: by path yes; by file name alone it is ambiguous.
        assert_eq!(
            t.lookup([p("/b/call.wav").as_path()]).unwrap().recorded_at.as_deref(),
            Some("2024-06-14 10:11:00")
        );
        assert_eq!(
            t.lookup([p("/a/call.wav").as_path()]).unwrap().recorded_at.as_deref(),
            Some("2024-06-13")
        );
        assert_eq!(t.lookup([p("/c/call.wav").as_path()]), None);
        // "Agent Priya" → Priya; empty cells are absent.
        let m = t.lookup([p("/x/only-name.wav").as_path()]).unwrap();
        assert_eq!(m, &CallMetadata { agent: Some("Priya".into()), ..CallMetadata::default() });
        assert_eq!(t.lookup([p("/x/unknown.wav").as_path()]), None);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(matches!(
            MetadataTable::parse("agent,team\nMeena,Billing\n"),
            Err(MetadataError::NoKeyColumn(_))
        ));
        assert!(matches!(
            MetadataTable::parse("file,date\na.wav,12/06/2024\n"),
            Err(MetadataError::BadDate { line: 2, .. })
        ));
        assert!(MetadataTable::parse("file,agent\n").unwrap().is_empty());
    }
}
