//! Scorecards, answers, reviews and the score: plain types and pure functions, no I/O.
//!
//! - [`Scorecard`]: sections of weighted [`Item`]s, some critical. [`Scorecard::default_card`]
//!   is the built-in card (embedded from `assets/scorecards/default.toml`);
//!   [`Scorecard::from_toml_str`] / [`Scorecard::from_json_str`] read custom cards and check them.
//!   [`Scorecard::content_hash`] identifies a card's content (the store keeps one version per hash).
//! - [`PhraseRules`]: an item's phrases whose presence in a transcript is evidence
//!   (matched by `transcript::phrases`); optional, left out of the canonical JSON when absent.
//! - [`ItemAnswer`]: yes / no / N.A. (or not yet answered), a comment, evidence timestamps.
//! - [`score`] → [`Score`], explained by [`score_formula`] (also in `docs/scoring.md`).
//! - [`Review`], [`ReviewStatus`]: a reviewer's answers for one call, as the store returns them.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Speaker;

/// The default card's TOML, compiled in.
pub const DEFAULT_CARD_TOML: &str = include_str!("../../assets/scorecards/default.toml");

/// A reviewer's answer to one checklist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
    #[serde(rename = "na")]
    NotApplicable,
}

impl Answer {
    /// `yes`, `no` or `na`: the form used in the CLI, the database and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotApplicable => "na",
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Answer {
    type Err = ScorecardError;

    /// Accepts yes/y, no/n, na/n.a./n/a (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" => Ok(Answer::Yes),
            "no" | "n" => Ok(Answer::No),
            "na" | "n.a." | "n.a" | "n/a" => Ok(Answer::NotApplicable),
            _ => Err(ScorecardError::BadAnswer(s.to_string())),
        }
    }
}

fn default_weight() -> f64 {
    1.0
}

/// One checklist item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable key, e.g. `let_customer_finish` (lowercase ASCII letters, digits, `_`).
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_hi: String,
    /// What a "yes" looks like.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub description_hi: String,
    /// Points a "yes" earns (> 0).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// A "no" fails the whole call.
    #[serde(default)]
    pub critical: bool,
    /// Phrases in a transcript that are evidence for this item. Left out of the canonical
    /// JSON when absent, so cards without rules keep their content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrases: Option<PhraseRules>,
}

fn any_speaker() -> String {
    "any".to_string()
}

/// An item's phrase rules: what to look for in a transcript as evidence (matched by
/// `transcript::phrases`, which normalises phrases and words alike: case, punctuation, nukta,
/// chandrabindu, digits). In TOML, a `[sections.items.phrases]` table under the item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseRules {
    /// Whose words count: `agent`, `customer` or `any` (the default).
    #[serde(default = "any_speaker")]
    pub speaker: String,
    /// A label shown with the evidence: "apology", "callback", "blame".
    pub kind: String,
    /// The phrases; any one of them, as whole words, is a hit.
    pub any: Vec<String>,
    /// When set, a phrase counts only with a time expression ("tomorrow at 4", "कल दस बजे")
    /// starting within this many seconds before or after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_within_s: Option<f64>,
    /// The text shown when nothing matches; empty: "no {kind} found in the transcript".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub absent: String,
}

/// Whose words a phrase rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhraseSpeaker {
    Only(Speaker),
    Any,
}

impl PhraseSpeaker {
    /// True when a word said by `speaker` counts. A word whose speaker is unknown counts only
    /// for `Any`.
    pub fn accepts(self, speaker: Option<Speaker>) -> bool {
        match self {
            PhraseSpeaker::Only(s) => speaker == Some(s),
            PhraseSpeaker::Any => true,
        }
    }
}

impl PhraseRules {
    /// The `speaker` field read; `None` when it is not agent, customer or any.
    pub fn speaker_filter(&self) -> Option<PhraseSpeaker> {
        match self.speaker.trim().to_ascii_lowercase().as_str() {
            "agent" => Some(PhraseSpeaker::Only(Speaker::Agent)),
            "customer" => Some(PhraseSpeaker::Only(Speaker::Customer)),
            "any" => Some(PhraseSpeaker::Any),
            _ => None,
        }
    }

    /// What to show when nothing matches.
    pub fn absent_text(&self) -> String {
        if self.absent.trim().is_empty() {
            format!("no {} found in the transcript", self.kind.trim())
        } else {
            self.absent.clone()
        }
    }

    /// Why these rules cannot be used, if they cannot (see [`ScorecardError::BadPhraseRule`]).
    fn problem(&self) -> Option<String> {
        if self.speaker_filter().is_none() {
            return Some(format!("has speaker {:?}; use \"agent\", \"customer\" or \"any\"", self.speaker));
        }
        if self.kind.trim().is_empty() {
            return Some("has no kind; add kind = \"apology\" (a label shown with the evidence)".into());
        }
        if self.any.is_empty() {
            return Some("has no phrases; list some in any = [\"...\"]".into());
        }
        // Matching keeps letters, digits and combining marks: without a letter or digit a
        // phrase normalises to nothing.
        if let Some((n, p)) = self.any.iter().enumerate().find(|(_, p)| !p.chars().any(char::is_alphanumeric))
        {
            return Some(format!(
                "has an empty phrase (number {} in any, {p:?}): it needs a letter or digit",
                n + 1
            ));
        }
        if let Some(w) = self.time_within_s.filter(|w| !(w.is_finite() && *w >= 0.0)) {
            return Some(format!("has time_within_s = {w}; it must be a number of seconds, 0 or more"));
        }
        None
    }
}

/// A named group of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub items: Vec<Item>,
}

/// A scorecard: sections of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub name: String,
    pub sections: Vec<Section>,
}

/// Why a scorecard or a set of answers is not acceptable. Messages say what to fix.
#[derive(Debug, Error, PartialEq)]
pub enum ScorecardError {
    #[error("the scorecard file is not valid TOML: {0}")]
    Toml(String),
    #[error("the scorecard file is not valid JSON: {0}")]
    Json(String),
    #[error("the scorecard has no name; add `name = \"...\"`")]
    NoName,
    #[error("the scorecard has no items; add at least one [[sections.items]]")]
    NoItems,
    #[error("section {0} has no title")]
    NoSectionTitle(usize),
    #[error("item key {0:?} is not valid: use lowercase letters, digits and _ (e.g. no_arguing)")]
    BadKey(String),
    #[error("item {0:?} has no title")]
    NoTitle(String),
    #[error("item key {0:?} appears twice in the scorecard; keys must be unique")]
    DuplicateKey(String),
    #[error("item {key:?} has weight {weight}; a weight must be a number above 0")]
    BadWeight { key: String, weight: f64 },
    #[error("unknown item {key:?}; this scorecard has: {known}")]
    UnknownItem { key: String, known: String },
    #[error("item {0:?} is answered twice; give each item once")]
    DuplicateAnswer(String),
    #[error("{0:?} is not an answer; use yes, no or na")]
    BadAnswer(String),
    #[error("evidence time {time} for item {key:?} is not a time in seconds (0 or more)")]
    BadEvidence { key: String, time: f64 },
    #[error("item {key:?}: its phrase rule {problem}")]
    BadPhraseRule { key: String, problem: String },
}

impl Scorecard {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The item with this key.
    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items().find(|i| i.key == key)
    }

    /// The built-in card: let_customer_finish, no_arguing (critical), admitted_fault,
    /// set_callback_time, weight 1 each.
    pub fn default_card() -> Scorecard {
        match Scorecard::from_toml_str(DEFAULT_CARD_TOML) {
            Ok(card) => card,
            // The embedded file is checked by a unit test; this arm is unreachable in a build
            // that passed its tests, but an empty card is still better than a panic.
            Err(e) => {
                log::error!("the built-in scorecard is broken: {e}");
                Scorecard { name: "Call quality (default)".into(), sections: Vec::new() }
            }
        }
    }

    /// Parses and checks a card written in TOML.
    pub fn from_toml_str(text: &str) -> Result<Scorecard, ScorecardError> {
        let card: Scorecard = toml::from_str(text).map_err(|e| ScorecardError::Toml(e.to_string()))?;
        card.validate()?;
        Ok(card)
    }

    /// Parses and checks a card written in JSON (the same fields as the TOML form).
    pub fn from_json_str(text: &str) -> Result<Scorecard, ScorecardError> {
        let card: Scorecard = serde_json::from_str(text).map_err(|e| ScorecardError::Json(e.to_string()))?;
        card.validate()?;
        Ok(card)
    }

    /// Checks names, keys, titles, weights and phrase rules.
    pub fn validate(&self) -> Result<(), ScorecardError> {
        if self.name.trim().is_empty() {
            return Err(ScorecardError::NoName);
        }
        let mut seen = HashSet::new();
        for (n, section) in self.sections.iter().enumerate() {
            if section.title.trim().is_empty() {
                return Err(ScorecardError::NoSectionTitle(n + 1));
            }
            for item in &section.items {
                let key_ok = !item.key.is_empty()
                    && item.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !key_ok {
                    return Err(ScorecardError::BadKey(item.key.clone()));
                }
                if item.title.trim().is_empty() {
                    return Err(ScorecardError::NoTitle(item.key.clone()));
                }
                if !(item.weight.is_finite() && item.weight > 0.0) {
                    return Err(ScorecardError::BadWeight { key: item.key.clone(), weight: item.weight });
                }
                if !seen.insert(item.key.as_str()) {
                    return Err(ScorecardError::DuplicateKey(item.key.clone()));
                }
                if let Some(problem) = item.phrases.as_ref().and_then(PhraseRules::problem) {
                    return Err(ScorecardError::BadPhraseRule { key: item.key.clone(), problem });
                }
            }
        }
        if seen.is_empty() {
            return Err(ScorecardError::NoItems);
        }
        Ok(())
    }

    /// The item keys, comma-separated (for messages).
    pub fn keys_list(&self) -> String {
        self.items().map(|i| i.key.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// Checks a set of answers against this card: every key known, each at most once,
    /// evidence times finite and not negative.
    pub fn check_answers(&self, answers: &[ItemAnswer]) -> Result<(), ScorecardError> {
        let mut seen = HashSet::new();
        for a in answers {
            if self.item(&a.key).is_none() {
                return Err(ScorecardError::UnknownItem { key: a.key.clone(), known: self.keys_list() });
            }
            if !seen.insert(a.key.as_str()) {
                return Err(ScorecardError::DuplicateAnswer(a.key.clone()));
            }
            if let Some(&t) = a.evidence_s.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
                return Err(ScorecardError::BadEvidence { key: a.key.clone(), time: t });
            }
        }
        Ok(())
    }

    /// Canonical text of the card (JSON, fields in declaration order): what the store keeps.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Hex BLAKE3 hash of [`Scorecard::canonical_json`]: same content, same hash.
    pub fn content_hash(&self) -> String {
        blake3::hash(self.canonical_json().as_bytes()).to_hex().to_string()
    }
}

/// A reviewer's answer to one item, with a comment and evidence timestamps (seconds).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemAnswer {
    pub key: String,
    /// `None`: not answered yet.
    pub answer: Option<Answer>,
    pub comment: String,
    pub evidence_s: Vec<f64>,
}

impl ItemAnswer {
    pub fn new(key: &str, answer: Option<Answer>) -> ItemAnswer {
        ItemAnswer { key: key.to_string(), answer, comment: String::new(), evidence_s: Vec::new() }
    }
}

/// A score, with what it was computed from. See [`score_formula`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// 0..=100. `None` when no item counts (nothing answered yet, or all N.A.).
    /// A critical "no" makes it `Some(0.0)`.
    pub percent: Option<f64>,
    /// Σ weight of the items answered yes.
    pub points: f64,
    /// Σ weight of the items answered yes or no.
    pub max: f64,
    /// Some critical item was answered no: the call fails.
    pub critical_failed: bool,
    /// Every item of the card is answered (yes, no or N.A.): the review can be submitted.
    pub complete: bool,
    /// Keys of the items not answered yet.
    pub unanswered: Vec<String>,
}

impl Score {
    /// One line for people: "75.0 % (3 of 4 points)", "0 %: FAIL (critical no)",
    /// "n/a (nothing to score)"; "so far" while items are unanswered.
    pub fn summary(&self) -> String {
        let so_far =
            if self.complete { String::new() } else { format!(", {} unanswered", self.unanswered.len()) };
        if self.critical_failed {
            return format!(
                "0 %: FAIL (a critical item is no; {} of {} points{so_far})",
                self.points, self.max
            );
        }
        match self.percent {
            Some(p) => format!("{p:.1} % ({} of {} points{so_far})", self.points, self.max),
            None => format!("n/a (no item answered yes or no{so_far})"),
        }
    }
}

/// How [`score`] computes a score; shown with every score.
pub fn score_formula() -> &'static str {
    "score = 100 × Σ weight(yes) / Σ weight(yes or no); N.A. items count in neither sum; \
     a 'no' on a critical item → 0 (FAIL); unanswered items are left out until submission \
     (a draft shows the score so far; submitting needs every item answered)"
}

/// Scores answers against a card. Answers whose key is not on the card are ignored (check
/// them first with [`Scorecard::check_answers`]); the first answer for a key counts.
pub fn score(card: &Scorecard, answers: &[ItemAnswer]) -> Score {
    let mut points = 0.0;
    let mut max = 0.0;
    let mut critical_failed = false;
    let mut unanswered = Vec::new();
    for item in card.items() {
        match answers.iter().find(|a| a.key == item.key).and_then(|a| a.answer) {
            Some(Answer::Yes) => {
                points += item.weight;
                max += item.weight;
            }
            Some(Answer::No) => {
                max += item.weight;
                critical_failed |= item.critical;
            }
            Some(Answer::NotApplicable) => {}
            None => unanswered.push(item.key.clone()),
        }
    }
    let percent = if critical_failed {
        Some(0.0)
    } else if max > 0.0 {
        Some(100.0 * points / max)
    } else {
        None
    };
    Score { percent, points, max, critical_failed, complete: unanswered.is_empty(), unanswered }
}

/// Where a review is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    /// Saved, still being worked on; shows the score so far.
    Draft,
    /// Finished: every item answered.
    Submitted,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Draft => "draft",
            ReviewStatus::Submitted => "submitted",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewStatus> {
        match s {
            "draft" => Some(ReviewStatus::Draft),
            "submitted" => Some(ReviewStatus::Submitted),
            _ => None,
        }
    }
}

impl fmt::Display for ReviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored review of one call by one reviewer against one scorecard version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    pub id: i64,
    pub call_id: i64,
    /// The scorecard version (row id in the store) the review was made with.
    pub card_id: i64,
    pub reviewer: String,
    pub status: ReviewStatus,
    /// UTC, RFC 3339 (`2026-11-25T14:09:27.123Z`).
    pub started_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    /// One entry per card item, in card order (unanswered items have `answer: None`).
    pub answers: Vec<ItemAnswer>,
    pub score: Score,
    /// Active review time: seconds the call was open in the window and the window focused
    /// (counted up to the review's last save).
    #[serde(default)]
    pub active_s: f64,
}

/// The previous review's answers with the given answers (and their evidence) and comments
/// in their place; items not given keep theirs. (`callqa review`, and outbox changes.)
pub fn merge_answers(
    previous: Option<&Review>,
    given: Vec<ItemAnswer>,
    comments: Vec<(String, String)>,
) -> Vec<ItemAnswer> {
    let mut answers = previous.map(|r| r.answers.clone()).unwrap_or_default();
    for a in given {
        match answers.iter_mut().find(|x| x.key == a.key) {
            Some(x) => {
                x.answer = a.answer;
                x.evidence_s = a.evidence_s;
            }
            None => answers.push(a),
        }
    }
    for (key, text) in comments {
        match answers.iter_mut().find(|x| x.key == key) {
            Some(x) => x.comment = text,
            None => answers.push(ItemAnswer { comment: text, ..ItemAnswer::new(&key, None) }),
        }
    }
    answers
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn ans(key: &str, a: Answer) -> ItemAnswer {
        ItemAnswer::new(key, Some(a))
    }

    #[test]
    fn default_card_parses_with_the_four_items() {
        let card = Scorecard::from_toml_str(DEFAULT_CARD_TOML).unwrap();
        let keys: Vec<_> = card.items().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["let_customer_finish", "no_arguing", "admitted_fault", "set_callback_time"]);
        for item in card.items() {
            assert!(!item.description.is_empty() && !item.description_hi.is_empty(), "{}", item.key);
            assert!(!item.title_hi.is_empty(), "{}", item.key);
        }
        assert_eq!(card, Scorecard::default_card());
    }

    #[test]
    fn score_weights_na_and_critical() {
        let mut card = Scorecard::default_card();
        card.sections[0].items[0].weight = 3.0; // let_customer_finish
        let answers = [
            ans("let_customer_finish", Answer::Yes),
            ans("no_arguing", Answer::Yes),
            ans("admitted_fault", Answer::No),
            ans("set_callback_time", Answer::NotApplicable),
        ];
        let s = score(&card, &answers);
        assert_eq!((s.points, s.max), (4.0, 5.0));
        assert!((s.percent.unwrap() - 80.0).abs() < 1e-9);
        assert!(s.complete && !s.critical_failed);

        // no_arguing is critical in the default card.
        let answers = [ans("let_customer_finish", Answer::Yes), ans("no_arguing", Answer::No)];
        let s = score(&card, &answers);
        assert!(s.critical_failed);
        assert_eq!(s.percent, Some(0.0));
        assert!(!s.complete);
        assert_eq!(s.unanswered, ["admitted_fault", "set_callback_time"]);
        assert!(s.summary().contains("FAIL"), "{}", s.summary());
    }

    #[test]
    fn nothing_countable_has_no_percent() {
        let card = Scorecard::default_card();
        let s = score(&card, &[]);
        assert_eq!(s.percent, None);
        assert_eq!(s.unanswered.len(), 4);
        let all_na: Vec<_> = card.items().map(|i| ans(&i.key, Answer::NotApplicable)).collect();
        let s = score(&card, &all_na);
        assert_eq!(s.percent, None);
        assert!(s.complete);
    }

    #[test]
    fn bad_cards_are_refused_with_a_reason() {
        assert!(matches!(
            Scorecard::from_toml_str("name = \"x\"\nsections = [["),
            Err(ScorecardError::Toml(_))
        ));
        let no_items = "name = \"x\"\nsections = []";
        assert_eq!(Scorecard::from_toml_str(no_items), Err(ScorecardError::NoItems));
        let dup = r#"name = "x"
[[sections]]
title = "s"
[[sections.items]]
key = "a"
title = "A"
[[sections.items]]
key = "a"
title = "A again"
"#;
        assert_eq!(Scorecard::from_toml_str(dup), Err(ScorecardError::DuplicateKey("a".into())));
        let bad_weight =
            dup.replace("key = \"a\"\ntitle = \"A again\"", "key = \"b\"\ntitle = \"B\"\nweight = -1");
        assert!(matches!(Scorecard::from_toml_str(&bad_weight), Err(ScorecardError::BadWeight { .. })));
        let typo = dup.replace("title = \"A again\"", "title = \"B\"\ncritcal = true");
        assert!(matches!(Scorecard::from_toml_str(&typo), Err(ScorecardError::Toml(_))));
    }

    #[test]
    fn answers_are_checked_against_the_card() {
        let card = Scorecard::default_card();
        let err = card.check_answers(&[ans("let_customer_finsh", Answer::Yes)]).unwrap_err();
        assert!(err.to_string().contains("let_customer_finish"), "{err}");
        let twice = [ans("no_arguing", Answer::Yes), ans("no_arguing", Answer::No)];
        assert_eq!(card.check_answers(&twice), Err(ScorecardError::DuplicateAnswer("no_arguing".into())));
        let mut a = ans("no_arguing", Answer::No);
        a.evidence_s = vec![1.0, f64::NAN];
        assert!(matches!(card.check_answers(&[a]), Err(ScorecardError::BadEvidence { .. })));
    }

    #[test]
    fn content_hash_follows_content() {
        let a = Scorecard::default_card();
        let mut b = a.clone();
        assert_eq!(a.content_hash(), b.content_hash());
        b.sections[1].items[0].weight = 2.0;
        assert_ne!(a.content_hash(), b.content_hash());
        let json = a.canonical_json();
        assert_eq!(Scorecard::from_json_str(&json).unwrap(), a);
    }

    #[test]
    fn answers_parse() {
        assert_eq!("YES".parse::<Answer>(), Ok(Answer::Yes));
        assert_eq!("n/a".parse::<Answer>(), Ok(Answer::NotApplicable));
        assert!("maybe".parse::<Answer>().is_err());
    }
}
