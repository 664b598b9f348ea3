//! UI preferences kept between runs through eframe persistence (never reviews: those are in
//! the database). Every field has a default so old or partial saved prefs still load.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The key under which eframe stores the prefs.
pub const STORAGE_KEY: &str = "callqa_prefs";
/// How many recent files/folders are remembered.
pub const RECENT_MAX: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The reviewer's name (asked once).
    pub reviewer: String,
    pub recent_files: Vec<PathBuf>,
    pub recent_folders: Vec<PathBuf>,
    pub volume: f32,
    pub speed: f32,
    pub skip_silence: bool,
    /// Rewind 2 s when resuming after a pause longer than a few seconds.
    pub auto_rewind: bool,
    /// Open the next unreviewed call after a submit.
    pub next_after_submit: bool,
    /// The coaching set the last clip went to.
    pub clip_set: String,
    /// The library's sort and filters.
    pub library: super::library::LibraryPrefs,
    /// Side panels shown (View menu).
    pub show_library: bool,
    pub show_scorecard: bool,
    /// The team store to use when no `--db` is given (`postgres://…`); empty: this computer's
    /// review database (File → Review store…).
    pub team_store: String,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            reviewer: String::new(),
            recent_files: Vec::new(),
            recent_folders: Vec::new(),
            volume: 1.0,
            speed: 1.0,
            skip_silence: false,
            auto_rewind: true,
            next_after_submit: true,
            clip_set: String::new(),
            library: Default::default(),
            show_library: true,
            show_scorecard: true,
            team_store: String::new(),
        }
    }
}

impl Prefs {
    /// Remembers a path at the front of a recent list.
    pub fn remember(list: &mut Vec<PathBuf>, p: PathBuf) {
        list.retain(|x| *x != p);
        list.insert(0, p);
        list.truncate(RECENT_MAX);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn partial_prefs_load_with_defaults() {
        let p: Prefs = serde_json::from_str(r#"{"reviewer":"Asha"}"#).unwrap();
        assert_eq!(p.reviewer, "Asha");
        assert_eq!(p.volume, 1.0);
        let mut l = vec![PathBuf::from("a"), PathBuf::from("b")];
        Prefs::remember(&mut l, "b".into());
        assert_eq!(l, [PathBuf::from("b"), PathBuf::from("a")]);
    }
}
