//! Phrase rules per checklist item: the words of a transcript that are evidence for an
//! item ("I am sorry, that was our mistake" for *admitted_fault*, "मैं कल सुबह दस बजे आपको
//! फ़ोन करके…" for *set_callback_time*).
//!
//! The rules live in the scorecard ([`PhraseRules`], `[sections.items.phrases]` in TOML).
//! [`find_phrases`] (or a [`PhraseMatcher`] built once per card) returns a [`PhraseHit`] per
//! match; [`evidence_line`] and [`item_evidence`] turn hits into the lines shown beside each
//! item, with the rule's `absent` text when nothing matched.
//!
//! How matching works:
//! - Phrases and words are normalised alike ([`super::normalise`]) and compared as token
//!   sequences: whole words only, across word boundaries ("our mistake" matches the two words
//!   "our" "mistake,").
//! - A phrase matches inside one speaker turn (consecutive words with the same label and
//!   speaker); every word must be said by the rule's speaker. A word whose speaker is not
//!   known (`None`, before [`super::Transcript::assign_speakers`] or for an unmapped label)
//!   never counts, since a hit names who said it.
//! - Overlapping matches of one item count once: at one position the longest phrase wins, and
//!   a match inside the context of the item's previous hit in the same turn is left out
//!   ("That mistake was ours, and I am sorry" is one apology).
//! - `time_within_s`: the phrase counts only when a time expression ([`super::time_expr`])
//!   *starts* within that many seconds before the phrase's first word or after its last.
//!   Expressions are found per turn, from either speaker (a customer may say the time the
//!   agent agrees to). When several qualify, the hit takes a clock time or delay over a day
//!   alone ("today"), then the same speaker's, then the nearest.
//! - Cost: the transcript is normalised once; each token is looked up in a map from a
//!   phrase's first token to the phrases starting with it, so the work grows with the words,
//!   not with words × phrases.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Transcript;
use super::normalise::{Token, tokens, word_tokens};
use super::time_expr::{TimeValue, find_time_expressions};
use crate::model::Speaker;
use crate::model::scorecard::Scorecard;
pub use crate::model::scorecard::{PhraseRules, PhraseSpeaker};

/// About how many words of the speaker's turn a hit's `text` shows.
const CONTEXT_WORDS: usize = 12;
/// A hit's text stretches to include its time expression in the same turn up to this length.
const MAX_CONTEXT_WORDS: usize = 24;

/// One match of an item's phrase rule in a transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhraseHit {
    /// The item's key.
    pub item: String,
    /// The rule's kind ("apology", "callback", "blame").
    pub rule: String,
    /// The rule's phrase that matched, as written in the scorecard.
    pub phrase: String,
    /// The matched words as written in the transcript with context from the same turn
    /// (about 12 words; "…" where the turn goes on).
    pub text: String,
    pub speaker: Speaker,
    /// Start of the phrase's first word, end of its last, in seconds.
    pub start_s: f64,
    pub end_s: f64,
    /// The time expression that satisfied `time_within_s` ("tomorrow 10:00").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_value: Option<String>,
}

/// What a transcript shows for one item with phrase rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemEvidence {
    pub item: String,
    /// The rule's kind.
    pub kind: String,
    /// True when some phrase matched.
    pub found: bool,
    /// One [`evidence_line`] per hit, or the rule's absent text.
    pub lines: Vec<String>,
}

/// One line for people: `Agent at 1:12: "I'm sorry, that was our mistake"`, with
/// ` (time: tomorrow 10:00)` when the hit has a time.
pub fn evidence_line(hit: &PhraseHit) -> String {
    let who = capitalised(hit.speaker.label());
    let mut line = format!("{who} at {}: \"{}\"", clock(hit.start_s), hit.text);
    if let Some(t) = &hit.time_value {
        line.push_str(&format!(" (time: {t})"));
    }
    line
}

/// For each item of `card` with phrase rules, in card order: the lines of its hits, or the
/// rule's absent text when it has none.
pub fn item_evidence(card: &Scorecard, hits: &[PhraseHit]) -> Vec<ItemEvidence> {
    card.items()
        .filter_map(|item| {
            let rules = item.phrases.as_ref()?;
            let lines: Vec<String> = hits.iter().filter(|h| h.item == item.key).map(evidence_line).collect();
            let found = !lines.is_empty();
            let lines = if found { lines } else { vec![rules.absent_text()] };
            Some(ItemEvidence { item: item.key.clone(), kind: rules.kind.clone(), found, lines })
        })
        .collect()
}

/// Every phrase-rule match of `card` in `transcript`, in transcript order.
pub fn find_phrases(card: &Scorecard, transcript: &Transcript) -> Vec<PhraseHit> {
    PhraseMatcher::new(card).find(transcript)
}

/// One item's rule, ready to match.
#[derive(Debug)]
struct Rule {
    item: String,
    kind: String,
    who: PhraseSpeaker,
    time_within_s: Option<f64>,
}

/// One phrase of a rule, normalised.
#[derive(Debug)]
struct Phrase {
    rule: usize,
    written: String,
    tokens: Vec<String>,
}

/// A card's phrase rules compiled for matching: build once, use for many transcripts.
#[derive(Debug)]
pub struct PhraseMatcher {
    rules: Vec<Rule>,
    phrases: Vec<Phrase>,
    /// First token → indices into `phrases`, longest phrase first.
    by_first: HashMap<String, Vec<usize>>,
}

/// A time expression found in one turn.
#[derive(Clone, Debug)]
struct TimeSpan {
    start_s: f64,
    end_s: f64,
    turn: usize,
    first_word: usize,
    last_word: usize,
    speaker: Option<Speaker>,
    value: TimeValue,
}

/// A transcript prepared for matching.
struct Prepared<'t> {
    transcript: &'t Transcript,
    tokens: Vec<Token>,
    /// Turn index of each word.
    turn_of: Vec<usize>,
    /// Word range `[start, end)` of each turn.
    turns: Vec<(usize, usize)>,
    /// Time expressions, by start time.
    times: Vec<TimeSpan>,
}

impl PhraseMatcher {
    /// Compiles the rules of `card`. Rules with a speaker that is not agent, customer or any
    /// and phrases that normalise to nothing are skipped ([`Scorecard::validate`] refuses them).
    pub fn new(card: &Scorecard) -> PhraseMatcher {
        let mut rules = Vec::new();
        let mut phrases = Vec::new();
        for item in card.items() {
            let Some(r) = &item.phrases else { continue };
            let Some(who) = r.speaker_filter() else { continue };
            let rule = rules.len();
            let time_within_s = r.time_within_s.filter(|w| w.is_finite() && *w >= 0.0);
            rules.push(Rule { item: item.key.clone(), kind: r.kind.clone(), who, time_within_s });
            for written in &r.any {
                let toks = tokens(written);
                if !toks.is_empty() {
                    phrases.push(Phrase { rule, written: written.clone(), tokens: toks });
                }
            }
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (n, p) in phrases.iter().enumerate() {
            if let Some(first) = p.tokens.first() {
                by_first.entry(first.clone()).or_default().push(n);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|&n| std::cmp::Reverse(phrases.get(n).map_or(0, |p| p.tokens.len())));
        }
        PhraseMatcher { rules, phrases, by_first }
    }

    /// True when the card has no phrase rules.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Every match in `transcript`, in transcript order.
    pub fn find(&self, transcript: &Transcript) -> Vec<PhraseHit> {
        if self.is_empty() {
            return Vec::new();
        }
        let needs_times = self.rules.iter().any(|r| r.time_within_s.is_some());
        let prep = Prepared::new(transcript, needs_times);
        let mut hits = Vec::new();
        // Per rule: no new hit before this token; (turn, word) where its last hit's context ends.
        let mut next_free = vec![0usize; self.rules.len()];
        let mut last_context: Vec<Option<(usize, usize)>> = vec![None; self.rules.len()];
        for (pos, tok) in prep.tokens.iter().enumerate() {
            let Some(candidates) = self.by_first.get(&tok.text) else { continue };
            for &n in candidates {
                let Some(phrase) = self.phrases.get(n) else { continue };
                let Some(rule) = self.rules.get(phrase.rule) else { continue };
                let (Some(free), Some(last)) =
                    (next_free.get_mut(phrase.rule), last_context.get_mut(phrase.rule))
                else {
                    continue;
                };
                if pos < *free {
                    continue;
                }
                let Some((first_word, last_word, speaker)) = prep.match_at(pos, phrase, rule.who) else {
                    continue;
                };
                let turn = prep.turn_of.get(first_word).copied().unwrap_or(0);
                if last.is_some_and(|(t, ctx_end)| t == turn && first_word < ctx_end) {
                    *free = pos + phrase.tokens.len();
                    continue;
                }
                let time = match rule.time_within_s {
                    Some(w) => match prep.best_time(first_word, last_word, speaker, w) {
                        Some(t) => Some(t),
                        None => continue,
                    },
                    None => None,
                };
                let (ctx_start, ctx_end) = prep.context(first_word, last_word, time);
                *free = pos + phrase.tokens.len();
                *last = Some((turn, ctx_end));
                hits.push(PhraseHit {
                    item: rule.item.clone(),
                    rule: rule.kind.clone(),
                    phrase: phrase.written.clone(),
                    text: prep.context_text(turn, ctx_start, ctx_end),
                    speaker,
                    start_s: prep.word_start(first_word),
                    end_s: prep.word_end(last_word),
                    time_value: time.map(|t| t.value.text()),
                });
            }
        }
        hits
    }
}

impl<'t> Prepared<'t> {
    fn new(transcript: &'t Transcript, needs_times: bool) -> Prepared<'t> {
        let words = &transcript.words;
        let tokens = word_tokens(words.iter().map(|w| w.text.as_str()));
        let mut turn_of = Vec::with_capacity(words.len());
        let mut turns: Vec<(usize, usize)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let same =
                i > 0 && words.get(i - 1).is_some_and(|p| p.label == w.label && p.speaker == w.speaker);
            match turns.last_mut() {
                Some(t) if same => t.1 = i + 1,
                _ => turns.push((i, i + 1)),
            }
            turn_of.push(turns.len() - 1);
        }
        let mut prep = Prepared { transcript, tokens, turn_of, turns, times: Vec::new() };
        if needs_times {
            prep.times = prep.time_spans();
        }
        prep
    }

    /// Time expressions of every turn, by start time.
    fn time_spans(&self) -> Vec<TimeSpan> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < self.tokens.len() {
            let turn = self.turn_of_token(start);
            let mut end = start + 1;
            while end < self.tokens.len() && self.turn_of_token(end) == turn {
                end += 1;
            }
            let texts: Vec<&str> =
                self.tokens.get(start..end).unwrap_or(&[]).iter().map(|t| t.text.as_str()).collect();
            for (a, b, value) in find_time_expressions(&texts) {
                let (Some(first), Some(last)) = (self.tokens.get(start + a), self.tokens.get(start + b - 1))
                else {
                    continue;
                };
                out.push(TimeSpan {
                    start_s: self.word_start(first.word),
                    end_s: self.word_end(last.word),
                    turn,
                    first_word: first.word,
                    last_word: last.word,
                    speaker: self.transcript.words.get(first.word).and_then(|w| w.speaker),
                    value,
                });
            }
            start = end;
        }
        out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        out
    }

    fn turn_of_token(&self, t: usize) -> usize {
        self.tokens.get(t).and_then(|t| self.turn_of.get(t.word)).copied().unwrap_or(usize::MAX)
    }

    /// Whether `phrase` matches at token `pos` within one turn, said by a known speaker the
    /// rule accepts: `(first word, last word, speaker)`.
    fn match_at(&self, pos: usize, phrase: &Phrase, who: PhraseSpeaker) -> Option<(usize, usize, Speaker)> {
        let window = self.tokens.get(pos..pos + phrase.tokens.len())?;
        if !window.iter().zip(&phrase.tokens).all(|(t, p)| &t.text == p) {
            return None;
        }
        let first = window.first()?.word;
        let last = window.last()?.word;
        let turn = self.turn_of.get(first)?;
        if self.turn_of.get(last) != Some(turn) {
            return None;
        }
        let speaker = self.transcript.words.get(first)?.speaker?;
        who.accepts(Some(speaker)).then_some((first, last, speaker))
    }

    /// The time expression that best backs a phrase spanning words `first..=last`: starting
    /// within `within_s` of it; a clock time or delay before a day alone, the same speaker
    /// before the other, then the nearest.
    fn best_time(&self, first: usize, last: usize, speaker: Speaker, within_s: f64) -> Option<&TimeSpan> {
        let (ps, pe) = (self.word_start(first), self.word_end(last));
        let from = self.times.partition_point(|t| t.start_s < ps - within_s);
        self.times
            .get(from..)?
            .iter()
            .take_while(|t| t.start_s <= pe + within_s)
            .map(|t| {
                let distance = if t.start_s >= pe {
                    t.start_s - pe
                } else if t.end_s <= ps {
                    ps - t.end_s
                } else {
                    0.0
                };
                let rank = (u8::from(!t.value.has_time()), u8::from(t.speaker != Some(speaker)));
                (rank, distance, t)
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map(|(_, _, t)| t)
    }

    /// The words `[start, end)` shown with a hit on words `first..=last`: its time expression
    /// too when in the same turn and not too far, then widened to about [`CONTEXT_WORDS`]
    /// within the turn.
    fn context(&self, first: usize, last: usize, time: Option<&TimeSpan>) -> (usize, usize) {
        let turn = self.turn_of.get(first).copied().unwrap_or(0);
        let (turn_start, turn_end) = self.turns.get(turn).copied().unwrap_or((first, last + 1));
        let (mut start, mut end) = (first, last + 1);
        if let Some(t) = time.filter(|t| t.turn == turn) {
            let (s, e) = (start.min(t.first_word), end.max(t.last_word + 1));
            if e - s <= MAX_CONTEXT_WORDS {
                (start, end) = (s, e);
            }
        }
        while end - start < CONTEXT_WORDS && (start > turn_start || end < turn_end) {
            if start > turn_start {
                start -= 1;
            }
            if end - start < CONTEXT_WORDS && end < turn_end {
                end += 1;
            }
        }
        (start, end)
    }

    fn context_text(&self, turn: usize, start: usize, end: usize) -> String {
        let (turn_start, turn_end) = self.turns.get(turn).copied().unwrap_or((start, end));
        let words = self.transcript.words.get(start..end).unwrap_or(&[]);
        let mut text =
            words.iter().map(|w| w.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
        if start > turn_start {
            text.insert_str(0, "… ");
        }
        if end < turn_end {
            text.push_str(" …");
        }
        text
    }

    fn word_start(&self, w: usize) -> f64 {
        self.transcript.words.get(w).map_or(0.0, |w| w.start_s)
    }

    fn word_end(&self, w: usize) -> f64 {
        self.transcript.words.get(w).map_or(0.0, |w| w.end_s)
    }
}

/// "1:12", "1:02:03" (seconds rounded down; not-a-time → "0:00").
fn clock(seconds: f64) -> String {
    let s = if seconds.is_finite() && seconds > 0.0 { seconds as u64 } else { 0 };
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn clock_formats() {
        assert_eq!(clock(72.9), "1:12");
        assert_eq!(clock(3723.0), "1:02:03");
        assert_eq!(clock(f64::NAN), "0:00");
        assert_eq!(clock(-3.0), "0:00");
    }

    #[test]
    fn evidence_line_reads_well() {
        let hit = PhraseHit {
            item: "admitted_fault".into(),
            rule: "apology".into(),
            phrase: "our mistake".into(),
            text: "I'm sorry, that was our mistake".into(),
            speaker: Speaker::Agent,
            start_s: 72.4,
            end_s: 74.0,
            time_value: None,
        };
        assert_eq!(evidence_line(&hit), "Agent at 1:12: \"I'm sorry, that was our mistake\"");
        let json = serde_json::to_value(&hit).unwrap();
        assert!(json.get("time_value").is_none());
        let with_time = PhraseHit { time_value: Some("tomorrow 10:00".into()), ..hit };
        assert!(evidence_line(&with_time).ends_with("(time: tomorrow 10:00)"));
    }
}
