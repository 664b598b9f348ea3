//! The library: every call opened or found by a scan, with its header facts, review status and
//! score; filtering and sorting into the order the panel shows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::jobs::ProbeInfo;
use crate::jobs::store_worker::{CallStatus, CallSummary, ReviewerResult, StoredCall};
use crate::model::call::CallMeta;

/// Whether a file's header has been read yet.
#[derive(Clone, Debug)]
pub enum Probe {
    Pending,
    Ok(Box<ProbeInfo>),
    /// Known from the database (listed at start; not read again until opened).
    Stored(Box<CallMeta>),
    Err(String),
}

/// One row of the library.
#[derive(Clone, Debug)]
pub struct CallEntry {
    pub path: PathBuf,
    pub name: String,
    pub probe: Probe,
    pub call_id: Option<i64>,
    pub status: CallStatus,
    pub score: Option<f64>,
    /// Agent and recording date from INFO tags or the file name ("Agent NAME - YYYY-MM-DD HH.MM.SS").
    pub agent: String,
    pub date: String,
    /// Every reviewer's latest result.
    pub results: Vec<ReviewerResult>,
    /// Other paths holding the same call (copies): shown on this row, not as rows of their own.
    pub copies: Vec<PathBuf>,
    /// This path is a copy of the call on that row (not shown itself).
    pub merged_into: Option<usize>,
    /// Listed from the database, but no file is at the path now.
    pub missing: bool,
}

impl CallEntry {
    pub fn new(path: PathBuf) -> CallEntry {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        CallEntry {
            path,
            name,
            probe: Probe::Pending,
            call_id: None,
            status: CallStatus::NotReviewed,
            score: None,
            agent: String::new(),
            date: String::new(),
            results: Vec::new(),
            copies: Vec::new(),
            merged_into: None,
            missing: false,
        }
    }

    pub fn duration_s(&self) -> Option<f64> {
        match &self.probe {
            Probe::Ok(p) => Some(p.duration_s),
            Probe::Stored(m) => Some(m.duration_s),
            _ => None,
        }
    }

    pub fn channels(&self) -> Option<u16> {
        match &self.probe {
            Probe::Ok(p) => Some(p.channels),
            Probe::Stored(m) => Some(m.channels),
            _ => None,
        }
    }

    /// Can be opened and scored: not broken, not missing, not 0 s long.
    pub fn scorable(&self) -> bool {
        !self.missing && self.error().is_none() && self.duration_s().is_none_or(|d| d > 0.0)
    }

    /// The store's summary of this call.
    pub fn set_summary(&mut self, s: &CallSummary) {
        self.call_id = Some(s.call_id);
        self.status = s.status.clone();
        self.score = s.score;
        self.results = s.results.clone();
    }

    pub fn error(&self) -> Option<&str> {
        match &self.probe {
            Probe::Err(e) => Some(e),
            _ => None,
        }
    }

    /// Records a probe; agent and date come from INFO tags or the file name (`CallMeta`).
    pub fn set_probe(&mut self, probe: Probe) {
        let meta = match &probe {
            Probe::Ok(p) => Some(&p.meta),
            Probe::Stored(m) => Some(m.as_ref()),
            _ => None,
        };
        if let Some(m) = meta {
            self.agent = m.agent.clone().unwrap_or_default();
            self.date = m.recorded_at.clone().unwrap_or_default();
        }
        if !matches!(probe, Probe::Stored(_)) {
            self.missing = false;
        }
        self.probe = probe;
    }

    /// The call's standing: every reviewer's result when there are several.
    pub fn status_text(&self) -> String {
        if self.results.len() > 1 {
            let each: Vec<String> = self
                .results
                .iter()
                .map(|r| match (r.submitted, r.percent) {
                    (true, Some(p)) => format!("{} {p:.0} %", r.reviewer),
                    (true, None) => format!("{} submitted", r.reviewer),
                    (false, _) => format!("{} draft", r.reviewer),
                })
                .collect();
            return format!("{} reviews: {}", self.results.len(), each.join(", "));
        }
        match &self.status {
            CallStatus::NotReviewed => "not reviewed".into(),
            CallStatus::Draft { by } => format!("draft by {by}"),
            CallStatus::Submitted { by } => format!("submitted by {by}"),
        }
    }
}

/// The library's sort and filters, remembered between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LibraryPrefs {
    pub sort: SortKey,
    pub descending: bool,
    pub status_filter: StatusFilter,
    pub filter: String,
}

/// Which rows the panel shows by review status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusFilter {
    #[default]
    All,
    NotReviewed,
    Draft,
    Submitted,
    Broken,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 5] = [
        StatusFilter::All,
        StatusFilter::NotReviewed,
        StatusFilter::Draft,
        StatusFilter::Submitted,
        StatusFilter::Broken,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "All",
            StatusFilter::NotReviewed => "Not reviewed",
            StatusFilter::Draft => "Draft",
            StatusFilter::Submitted => "Submitted",
            StatusFilter::Broken => "Broken",
        }
    }

    fn keeps(self, e: &CallEntry) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::NotReviewed => e.error().is_none() && e.status == CallStatus::NotReviewed,
            StatusFilter::Draft => matches!(e.status, CallStatus::Draft { .. }),
            StatusFilter::Submitted => matches!(e.status, CallStatus::Submitted { .. }),
            StatusFilter::Broken => e.error().is_some(),
        }
    }
}

/// The library's sort column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Agent,
    Date,
    Duration,
    Status,
    Score,
}

/// All calls known to this window, and the shown order.
#[derive(Debug, Default)]
pub struct Library {
    pub entries: Vec<CallEntry>,
    index: HashMap<PathBuf, usize>,
    pub filter: String,
    pub status_filter: StatusFilter,
    pub sort: SortKey,
    pub descending: bool,
    /// Shown rows (indices into `entries`), recomputed when something changed.
    view: Vec<usize>,
    view_dirty: bool,
    /// Folder scans still walking.
    pub scans_running: usize,
    /// "Said…": a phrase to find in the calls' transcripts, and the calls that have it
    /// (call id → (hits, first hit's time)); `None` while the store has not answered.
    pub said: String,
    pub said_calls: Option<HashMap<i64, (usize, f64)>>,
}

impl Library {
    /// Adds a path if new; returns its index and whether it was new.
    pub fn add(&mut self, path: PathBuf) -> (usize, bool) {
        if let Some(&i) = self.index.get(&path) {
            return (i, false);
        }
        let i = self.entries.len();
        self.index.insert(path.clone(), i);
        self.entries.push(CallEntry::new(path));
        self.view_dirty = true;
        (i, true)
    }

    pub fn get(&self, path: &Path) -> Option<&CallEntry> {
        self.index.get(path).and_then(|&i| self.entries.get(i))
    }

    pub fn get_mut(&mut self, path: &Path) -> Option<&mut CallEntry> {
        self.view_dirty = true;
        match self.index.get(path) {
            Some(&i) => self.entries.get_mut(i),
            None => None,
        }
    }

    /// The row that shows this call (not a merged copy).
    pub fn by_call_id_mut(&mut self, call_id: i64) -> Option<&mut CallEntry> {
        self.view_dirty = true;
        self.entries.iter_mut().find(|e| e.call_id == Some(call_id) && e.merged_into.is_none())
    }

    /// The row a path is shown on: its own, or the row of the call it is a copy of.
    pub fn row_of(&self, path: &Path) -> Option<&CallEntry> {
        let e = self.get(path)?;
        match e.merged_into {
            Some(i) => self.entries.get(i),
            None => Some(e),
        }
    }

    /// The store said `path` holds call `summary.call_id` (seen also at `paths`): the path's
    /// row takes the summary, and copies of one call become one row listing every path.
    pub fn set_call(&mut self, path: &Path, summary: &CallSummary, paths: &[PathBuf]) {
        let (i, _) = self.add(path.to_path_buf());
        let owner = self
            .entries
            .iter()
            .position(|e| e.call_id == Some(summary.call_id) && e.merged_into.is_none() && e.path != path);
        if let Some(e) = self.entries.get_mut(i) {
            e.set_summary(summary);
        }
        match owner {
            Some(o) => {
                // Merge into the row already shown; its copies move with it.
                let moved: Vec<PathBuf> =
                    self.entries.get_mut(i).map(|e| std::mem::take(&mut e.copies)).unwrap_or_default();
                if let Some(e) = self.entries.get_mut(i) {
                    e.merged_into = Some(o);
                }
                if let Some(row) = self.entries.get_mut(o) {
                    row.set_summary(summary);
                    for p in std::iter::once(path.to_path_buf()).chain(moved) {
                        if !row.copies.contains(&p) && row.path != p {
                            row.copies.push(p);
                        }
                    }
                }
                for e in &mut self.entries {
                    if e.merged_into == Some(i) {
                        e.merged_into = Some(o);
                    }
                }
            }
            None => {
                if let Some(e) = self.entries.get_mut(i) {
                    for p in paths {
                        if *p != e.path && !e.copies.contains(p) {
                            e.copies.push(p.clone());
                        }
                    }
                }
            }
        }
        self.view_dirty = true;
    }

    /// Lists a call the database knows: one row at its first path that holds a file (or its
    /// last path, marked missing), its other paths as copies.
    pub fn add_stored(&mut self, c: &StoredCall) {
        if self.entries.iter().any(|e| e.call_id == Some(c.summary.call_id)) {
            return;
        }
        let main = c
            .paths
            .iter()
            .find(|(_, here)| *here)
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| c.record.path.clone());
        let (i, new) = self.add(main.clone());
        if let Some(e) = self.entries.get_mut(i) {
            if new {
                e.set_probe(Probe::Stored(Box::new(c.record.meta.clone())));
                e.missing = !c.paths.iter().any(|(_, here)| *here);
            }
            e.set_summary(&c.summary);
            e.copies = c.paths.iter().map(|(p, _)| p.clone()).filter(|p| *p != main).collect();
        }
        self.view_dirty = true;
    }

    /// Applies remembered sort and filters.
    pub fn restore(&mut self, p: &LibraryPrefs) {
        self.sort = p.sort;
        self.descending = p.descending;
        self.status_filter = p.status_filter;
        self.filter.clone_from(&p.filter);
        self.view_dirty = true;
    }

    /// The sort and filters to remember.
    pub fn remembered(&self) -> LibraryPrefs {
        LibraryPrefs {
            sort: self.sort,
            descending: self.descending,
            status_filter: self.status_filter,
            filter: self.filter.clone(),
        }
    }

    pub fn set_filter(&mut self, text: String) {
        self.filter = text;
        self.view_dirty = true;
    }

    pub fn set_status_filter(&mut self, f: StatusFilter) {
        self.status_filter = f;
        self.view_dirty = true;
    }

    /// Sorts by `key`; the same key again flips the direction.
    pub fn sort_by(&mut self, key: SortKey) {
        if self.sort == key {
            self.descending = !self.descending;
        } else {
            self.sort = key;
            self.descending = false;
        }
        self.view_dirty = true;
    }

    /// The shown rows, in order (filtered and sorted).
    pub fn view(&mut self) -> &[usize] {
        if self.view_dirty || self.view.len() > self.entries.len() {
            self.rebuild_view();
        }
        &self.view
    }

    /// Sets the "Said…" phrase (the store is asked for its calls separately).
    pub fn set_said(&mut self, text: String) {
        self.said = text;
        self.said_calls = None;
        self.view_dirty = true;
    }

    /// The store's answer for the "Said…" phrase `phrase` (ignored if the phrase changed).
    pub fn set_said_hits(&mut self, phrase: &str, hits: &[crate::store::SearchHit]) {
        if phrase != self.said {
            return;
        }
        let mut calls: HashMap<i64, (usize, f64)> = HashMap::new();
        for h in hits {
            if let Some(id) = h.call_id {
                let e = calls.entry(id).or_insert((0, h.start_s));
                e.0 += 1;
                e.1 = e.1.min(h.start_s);
            }
        }
        self.said_calls = Some(calls);
        self.view_dirty = true;
    }

    /// How often (and first when) the "Said…" phrase is said in this call, when filtering.
    pub fn said_in(&self, e: &CallEntry) -> Option<(usize, f64)> {
        let calls = self.said_calls.as_ref()?;
        e.call_id.and_then(|id| calls.get(&id).copied())
    }

    fn rebuild_view(&mut self) {
        let needle = self.filter.to_lowercase();
        let said = (!self.said.trim().is_empty()).then_some(&self.said_calls);
        let mut v: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                self.entries.get(i).is_some_and(|e| {
                    e.merged_into.is_none()
                        && self.status_filter.keeps(e)
                        && said.is_none_or(|calls| {
                            calls.as_ref().is_some_and(|c| e.call_id.is_some_and(|id| c.contains_key(&id)))
                        })
                        && (needle.is_empty()
                            || e.name.to_lowercase().contains(&needle)
                            || e.copies.iter().any(|p| p.to_string_lossy().to_lowercase().contains(&needle))
                            || e.agent.to_lowercase().contains(&needle)
                            || e.date.contains(&needle)
                            || e.status_text().contains(&needle))
                })
            })
            .collect();
        let entries = &self.entries;
        let key = self.sort;
        v.sort_by(|&a, &b| {
            let (Some(a), Some(b)) = (entries.get(a), entries.get(b)) else {
                return std::cmp::Ordering::Equal;
            };
            let ord = match key {
                SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                SortKey::Agent => a.agent.cmp(&b.agent),
                SortKey::Date => a.date.cmp(&b.date),
                SortKey::Duration => {
                    a.duration_s().unwrap_or(-1.0).total_cmp(&b.duration_s().unwrap_or(-1.0))
                }
                SortKey::Status => status_rank(&a.status).cmp(&status_rank(&b.status)),
                SortKey::Score => a.score.unwrap_or(-1.0).total_cmp(&b.score.unwrap_or(-1.0)),
            };
            ord.then_with(|| a.name.cmp(&b.name))
        });
        if self.descending {
            v.reverse();
        }
        self.view = v;
        self.view_dirty = false;
    }

    /// Counts for the panel header: (files, readable, broken).
    pub fn counts(&self) -> (usize, usize, usize) {
        let ok = self
            .entries
            .iter()
            .filter(|e| matches!(e.probe, Probe::Ok(_) | Probe::Stored(_)) && !e.missing)
            .count();
        let bad = self.entries.iter().filter(|e| matches!(e.probe, Probe::Err(_))).count();
        (self.entries.len(), ok, bad)
    }

    /// Rows shown when nothing is filtered (copies are one row).
    pub fn rows(&self) -> usize {
        self.entries.iter().filter(|e| e.merged_into.is_none()).count()
    }
}

fn status_rank(s: &CallStatus) -> u8 {
    match s {
        CallStatus::NotReviewed => 0,
        CallStatus::Draft { .. } => 1,
        CallStatus::Submitted { .. } => 2,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn filter_and_sort_pick_rows() {
        let mut lib = Library::default();
        lib.add("/x/b.wav".into());
        lib.add("/x/a.wav".into());
        lib.add("/x/c.wav".into());
        assert_eq!(lib.add("/x/a.wav".into()), (1, false));
        lib.get_mut(Path::new("/x/c.wav")).unwrap().set_probe(Probe::Err("empty file".into()));
        let names = |lib: &mut Library| {
            let v = lib.view().to_vec();
            v.iter().map(|&i| lib.entries[i].name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(names(&mut lib), ["a.wav", "b.wav", "c.wav"]);
        lib.sort_by(SortKey::Name);
        assert_eq!(names(&mut lib), ["c.wav", "b.wav", "a.wav"]);
        lib.set_status_filter(StatusFilter::Broken);
        assert_eq!(names(&mut lib), ["c.wav"]);
        lib.set_status_filter(StatusFilter::All);
        lib.set_filter("B.".into());
        assert_eq!(names(&mut lib), ["b.wav"]);
    }
}
