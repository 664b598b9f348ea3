//! Scorecards, answers and reviews (issue 5 fleshes these out).

use serde::{Deserialize, Serialize};

/// A reviewer's answer to one checklist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
    #[serde(rename = "na")]
    NotApplicable,
}

/// One checklist item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable key, e.g. `let_customer_finish`.
    pub key: String,
    pub title: String,
    pub title_hi: String,
    pub description: String,
    pub description_hi: String,
    pub weight: f64,
    /// A "no" fails the whole call.
    pub critical: bool,
}

/// A named group of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub items: Vec<Item>,
}

/// A scorecard: sections of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub name: String,
    pub sections: Vec<Section>,
}

impl Scorecard {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }
}

/// A reviewer's answer to one item, with a comment and evidence timestamps (seconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemAnswer {
    pub key: String,
    pub answer: Option<Answer>,
    pub comment: String,
    pub evidence_s: Vec<f64>,
}
