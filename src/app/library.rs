//! The library: every call opened or found by a scan, with its header facts, review status and
//! score; filtering and sorting into the order the panel shows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::jobs::ProbeInfo;
use crate::jobs::store_worker::CallStatus;

/// Whether a file's header has been read yet.
#[derive(Clone, Debug)]
pub enum Probe {
    Pending,
    Ok(Box<ProbeInfo>),
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
        }
    }

    pub fn duration_s(&self) -> Option<f64> {
        match &self.probe {
            Probe::Ok(p) => Some(p.duration_s),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match &self.probe {
            Probe::Err(e) => Some(e),
            _ => None,
        }
    }

    /// Records a probe; agent and date come from INFO tags or the file name (`CallMeta`).
    pub fn set_probe(&mut self, probe: Probe) {
        if let Probe::Ok(p) = &probe {
            self.agent = p.meta.agent.clone().unwrap_or_default();
            self.date = p.meta.recorded_at.clone().unwrap_or_default();
        }
        self.probe = probe;
    }

    pub fn status_text(&self) -> String {
        match &self.status {
            CallStatus::NotReviewed => "not reviewed".into(),
            CallStatus::Draft { by } => format!("draft by {by}"),
            CallStatus::Submitted { by } => format!("submitted by {by}"),
        }
    }
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

    pub fn by_call_id_mut(&mut self, call_id: i64) -> Option<&mut CallEntry> {
        self.view_dirty = true;
        self.entries.iter_mut().find(|e| e.call_id == Some(call_id))
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

    fn rebuild_view(&mut self) {
        let needle = self.filter.to_lowercase();
        let mut v: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                self.entries.get(i).is_some_and(|e| {
                    self.status_filter.keeps(e)
                        && (needle.is_empty()
                            || e.name.to_lowercase().contains(&needle)
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

    /// Counts for the panel header: (total, probed ok, broken).
    pub fn counts(&self) -> (usize, usize, usize) {
        let ok = self.entries.iter().filter(|e| matches!(e.probe, Probe::Ok(_))).count();
        let bad = self.entries.iter().filter(|e| matches!(e.probe, Probe::Err(_))).count();
        (self.entries.len(), ok, bad)
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
