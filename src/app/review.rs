//! The review being edited: the call's scorecard, one answer per item, whether it has unsaved
//! changes, and which item the keyboard acts on.

use std::time::Instant;

use crate::jobs::store_worker::{CallStatus, LoadedReview};
use crate::model::scorecard::{Answer, ItemAnswer, Scorecard};

/// The open call's review.
#[derive(Clone, Debug)]
pub struct Review {
    pub call_id: i64,
    /// The stored review, once saved.
    pub review_id: Option<i64>,
    /// The scorecard version in the store.
    pub card_id: i64,
    pub scorecard: Scorecard,
    /// One per item, in card order.
    pub answers: Vec<ItemAnswer>,
    pub status: CallStatus,
    /// Changed since the last save.
    pub dirty: bool,
    pub last_edit: Option<Instant>,
    /// The item `Y`/`N`/`A`/`C` act on.
    pub selected: Option<usize>,
    /// A submitted review opened for changes (each saved change is an audit record).
    pub amending: bool,
}

impl Review {
    /// A review of `call_id` on `scorecard`, keeping the given answers that match its items.
    pub fn new(call_id: i64, scorecard: Scorecard, answers: Vec<ItemAnswer>, status: CallStatus) -> Review {
        let answers = scorecard
            .items()
            .map(|item| {
                answers.iter().find(|a| a.key == item.key).cloned().unwrap_or_else(|| ItemAnswer {
                    key: item.key.clone(),
                    answer: None,
                    comment: String::new(),
                    evidence_s: Vec::new(),
                })
            })
            .collect();
        Review {
            call_id,
            review_id: None,
            card_id: 0,
            scorecard,
            answers,
            status,
            dirty: false,
            last_edit: None,
            selected: Some(0),
            amending: false,
        }
    }

    /// The review the store loaded.
    pub fn from_loaded(l: LoadedReview) -> Review {
        let mut r = Review::new(l.call_id, l.scorecard, l.answers, l.status);
        r.review_id = l.review_id;
        r.card_id = l.card_id;
        r
    }

    pub fn answer_mut(&mut self, key: &str) -> Option<&mut ItemAnswer> {
        self.answers.iter_mut().find(|a| a.key == key)
    }

    pub fn key_at(&self, i: usize) -> Option<String> {
        self.answers.get(i).map(|a| a.key.clone())
    }

    pub fn touch(&mut self) {
        self.dirty = true;
        self.last_edit = Some(Instant::now());
    }

    /// Sets an answer (the same answer again clears it only when `toggle`).
    pub fn set_answer(&mut self, key: &str, answer: Option<Answer>) -> bool {
        let Some(a) = self.answer_mut(key) else { return false };
        a.answer = answer;
        self.touch();
        true
    }

    /// Adds a timestamp to an item's evidence and its comment (`[1:09.9]`).
    pub fn stamp(&mut self, key: &str, t: f64) -> bool {
        let Some(a) = self.answer_mut(key) else { return false };
        let t = (t * 10.0).round() / 10.0;
        if !a.evidence_s.iter().any(|&x| (x - t).abs() < 0.05) {
            a.evidence_s.push(t);
            a.evidence_s.sort_by(f64::total_cmp);
        }
        let tag = format!("[{}]", super::evidence::clock(t));
        if !a.comment.contains(&tag) {
            if !a.comment.is_empty() && !a.comment.ends_with(' ') {
                a.comment.push(' ');
            }
            a.comment.push_str(&tag);
            a.comment.push(' ');
        }
        self.touch();
        true
    }

    /// Every item answered (submit needs it).
    pub fn complete(&self) -> bool {
        self.answers.iter().all(|a| a.answer.is_some())
    }

    pub fn submitted(&self) -> bool {
        matches!(self.status, CallStatus::Submitted { .. })
    }

    /// Submitted and not being amended: answers and comments cannot change.
    pub fn locked(&self) -> bool {
        self.submitted() && !self.amending
    }

    /// Whether unsaved changes can be saved as they are: a draft always, an amendment of a
    /// submitted review only with every item still answered.
    pub fn saveable(&self) -> bool {
        self.dirty && !self.locked() && (!self.submitted() || self.complete())
    }
}

/// The live score as (headline, formula).
pub fn score_text(review: &Review) -> Option<(String, String)> {
    Some(crate::jobs::store_worker::score_text(&review.scorecard, &review.answers))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::model::scorecard::{Item, Section};

    fn card() -> Scorecard {
        let item = |k: &str| Item {
            key: k.into(),
            title: k.into(),
            title_hi: String::new(),
            description: String::new(),
            description_hi: String::new(),
            weight: 1.0,
            critical: false,
        };
        Scorecard {
            name: "t".into(),
            sections: vec![Section { title: "s".into(), items: vec![item("a"), item("b")] }],
        }
    }

    #[test]
    fn answers_follow_the_card_and_stamps_go_in_the_comment() {
        let old = vec![ItemAnswer {
            key: "b".into(),
            answer: Some(Answer::No),
            comment: "x".into(),
            evidence_s: vec![],
        }];
        let mut r = Review::new(1, card(), old, CallStatus::NotReviewed);
        assert_eq!(r.answers.len(), 2);
        assert_eq!(r.answers[1].answer, Some(Answer::No));
        assert!(!r.complete());
        assert!(r.stamp("b", 69.94));
        assert!(r.stamp("b", 69.94));
        assert_eq!(r.answers[1].comment, "x [1:09.9] ");
        assert_eq!(r.answers[1].evidence_s, vec![69.9]);
        assert!(r.set_answer("a", Some(Answer::Yes)));
        assert!(r.complete() && r.dirty);
    }
}
