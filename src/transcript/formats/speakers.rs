//! Mapping a transcript's labels (channels, diarised speakers, cue names) to agent and
//! customer: [`Transcript::assign_speakers`].

use std::collections::{HashMap, HashSet};

use super::TranscriptError;
use crate::model::Speaker;
use crate::transcript::{Label, SpeakerMap, Transcript};

/// Speaker names that mean the agent (matched case-insensitively anywhere in the name).
const AGENT_WORDS: &[&str] = &["agent", "csr", "rep", "representative", "एजेंट"];
/// Speaker names that mean the customer.
const CUSTOMER_WORDS: &[&str] = &["customer", "caller", "client", "ग्राहक"];

impl Transcript {
    /// Sets every word's `speaker` from its label.
    ///
    /// **With `map.agent`** (`--agent`): the labels it names are the agent, every other label
    /// the customer. It names `Label::Speaker(s)` when equal to `s` (ignoring case), and
    /// `Label::Channel(n)` when it is `ch{n}`, `ch_{n}`, `channel{n}`, `{n}`, or `left` (0) /
    /// `right` (1). A name matching no label is an error listing the labels found.
    ///
    /// **Without** (the default), in this order:
    /// 1. `Channel(0)` is the agent, any other channel the customer (stereo call recordings
    ///    put the agent on the left);
    /// 2. a speaker name containing agent, csr, rep, representative or एजेंट is the agent;
    ///    customer, caller, client or ग्राहक the customer (the agent words are tried first);
    /// 3. if no label became the agent by rules 1–2, the remaining speaker who speaks first is
    ///    the agent (call-centre agents greet first); every other remaining speaker is the
    ///    customer.
    ///
    /// `Label::Unknown` always maps to `None`.
    pub fn assign_speakers(&mut self, map: &SpeakerMap) -> Result<(), TranscriptError> {
        let labels = distinct_labels(self);
        let assigned: HashMap<Label, Option<Speaker>> = match &map.agent {
            Some(agent) => explicit(&labels, agent)?,
            None => default_rule(&labels),
        }
        .into_iter()
        .collect();
        for word in &mut self.words {
            word.speaker = assigned.get(&word.label).copied().flatten();
        }
        Ok(())
    }
}

/// The words' distinct labels in order of first appearance, in linear time (a hostile file
/// may hold a label per word).
fn distinct_labels(t: &Transcript) -> Vec<Label> {
    let mut seen: HashSet<&Label> = HashSet::new();
    let mut out = Vec::new();
    for w in &t.words {
        if seen.insert(&w.label) {
            out.push(w.label.clone());
        }
    }
    out
}

/// True when the user's `name` denotes `label`.
pub fn label_matches(label: &Label, name: &str) -> bool {
    let name = name.trim().to_lowercase();
    match label {
        Label::Speaker(s) => s.trim().to_lowercase() == name,
        Label::Channel(n) => {
            let digits = name
                .strip_prefix("channel")
                .or_else(|| name.strip_prefix("ch"))
                .map(|d| d.strip_prefix(['_', ' ']).unwrap_or(d))
                .unwrap_or(&name);
            digits.parse::<u32>().ok() == Some(*n)
                || (name == "left" && *n == 0)
                || (name == "right" && *n == 1)
        }
        Label::Unknown => false,
    }
}

/// A label as users type it: `ch0`, or the speaker's name.
pub fn label_name(label: &Label) -> String {
    match label {
        Label::Channel(n) => format!("ch{n}"),
        Label::Speaker(s) => s.clone(),
        Label::Unknown => "unknown".into(),
    }
}

/// The most labels an error message lists.
const MAX_LISTED: usize = 20;

/// The mapping for an explicit agent label.
fn explicit(labels: &[Label], agent: &str) -> Result<Vec<(Label, Option<Speaker>)>, TranscriptError> {
    if !labels.iter().any(|l| label_matches(l, agent)) {
        let known: Vec<String> = labels.iter().filter(|l| **l != Label::Unknown).map(label_name).collect();
        return Err(TranscriptError::UnknownAgentLabel {
            given: agent.to_string(),
            found: match known.len() {
                0 => "none (the transcript does not say who speaks)".into(),
                n if n > MAX_LISTED => {
                    format!("{}, … ({n} labels)", known.get(..MAX_LISTED).unwrap_or(&[]).join(", "))
                }
                _ => known.join(", "),
            },
        });
    }
    Ok(labels
        .iter()
        .map(|l| {
            let s = match l {
                Label::Unknown => None,
                l if label_matches(l, agent) => Some(Speaker::Agent),
                _ => Some(Speaker::Customer),
            };
            (l.clone(), s)
        })
        .collect())
}

/// The default mapping (see [`Transcript::assign_speakers`]). `labels` are in order of first
/// appearance, i.e. of first speech since words are sorted.
fn default_rule(labels: &[Label]) -> Vec<(Label, Option<Speaker>)> {
    let mut out: Vec<(Label, Option<Speaker>)> = labels
        .iter()
        .map(|l| {
            let s = match l {
                Label::Channel(0) => Some(Speaker::Agent),
                Label::Channel(_) => Some(Speaker::Customer),
                Label::Speaker(name) => by_name(name),
                Label::Unknown => None,
            };
            (l.clone(), s)
        })
        .collect();
    let has_agent = out.iter().any(|(_, s)| *s == Some(Speaker::Agent));
    let mut agent_taken = has_agent;
    for (label, speaker) in &mut out {
        if speaker.is_none() && matches!(label, Label::Speaker(_)) {
            *speaker = Some(if agent_taken {
                Speaker::Customer
            } else {
                agent_taken = true;
                Speaker::Agent
            });
        }
    }
    out
}

/// Agent or customer from a speaker's name, when the name says.
fn by_name(name: &str) -> Option<Speaker> {
    let lower = name.to_lowercase();
    if AGENT_WORDS.iter().any(|w| lower.contains(w)) {
        Some(Speaker::Agent)
    } else if CUSTOMER_WORDS.iter().any(|w| lower.contains(w)) {
        Some(Speaker::Customer)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_spellings() {
        let ch0 = Label::Channel(0);
        for name in ["ch0", "CH_0", "0", "left", "channel 0", "channel0"] {
            assert!(label_matches(&ch0, name), "{name}");
        }
        assert!(!label_matches(&ch0, "right"));
        assert!(label_matches(&Label::Channel(1), "right"));
        assert!(label_matches(&Label::Speaker("Spk_1".into()), "spk_1"));
    }

    #[test]
    fn names() {
        assert_eq!(by_name("Agent Kavita"), Some(Speaker::Agent));
        assert_eq!(by_name("ग्राहक"), Some(Speaker::Customer));
        assert_eq!(by_name("Caller"), Some(Speaker::Customer));
        assert_eq!(by_name("SPEAKER_00"), None);
    }
}
