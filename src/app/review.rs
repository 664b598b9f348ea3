//! The review being edited: the call's scorecard, one answer per item, whether it has unsaved
//! changes, and which item the keyboard acts on.

use std::time::Instant;

use crate::jobs::store_worker::{CallStatus, LoadedReview};
use crate::model::scorecard::{Answer, ItemAnswer, Scorecard};

/// The open call's review.
#[derive(Clone, Debug)]
pub struct Review {
    pub call_id: i64,
    /// The calibration session this review is made in (its saves go there).
    pub session: Option<i64>,
    /// Active review time not yet sent to the store (seconds).
    pub active_pending_s: f64,
    /// The stored review, once saved.
    pub review_id: Option<i64>,
    /// The scorecard version in the store.
    pub card_id: i64,
    pub scorecard: Scorecard,
    /// One per item, in card order.
    pub answers: Vec<ItemAnswer>,
    pub status: CallStatus,
    /// Changed since the last save the store confirmed.
    pub dirty: bool,
    pub last_edit: Option<Instant>,
    /// Counts edits: a save clears `dirty` only if nothing changed after it was sent.
    pub edit_seq: u64,
    /// The save in flight: (request id, `edit_seq` it carries).
    pub saving: Option<(u64, u64)>,
    /// Why the last save failed, and when (cleared by a save that succeeds).
    pub save_error: Option<(String, Instant)>,
    /// The item `Y`/`N`/`A`/`C` act on.
    pub selected: Option<usize>,
    /// A submitted review opened for changes: the answers as submitted (Cancel restores
    /// them). Saved only by "Save amendment" with a reason.
    pub amend_from: Option<Vec<ItemAnswer>>,
    /// Answers before each change of a draft (Ctrl+Z), newest last.
    pub undo: Vec<Vec<ItemAnswer>>,
}

/// How many answer changes Ctrl+Z can take back.
pub const UNDO_MAX: usize = 100;

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
            edit_seq: 0,
            saving: None,
            save_error: None,
            selected: Some(0),
            amend_from: None,
            undo: Vec::new(),
            session: None,
            active_pending_s: 0.0,
        }
    }

    /// The review the store loaded.
    pub fn from_loaded(l: LoadedReview) -> Review {
        let mut r = Review::new(l.call_id, l.scorecard, l.answers, l.status);
        r.review_id = l.review_id;
        r.card_id = l.card_id;
        r.session = l.session;
        r
    }

    /// What the store is asked to save for `reviewer`.
    pub fn draft(&self, reviewer: String) -> crate::store::ReviewDraft {
        crate::store::ReviewDraft {
            id: self.review_id,
            call_id: self.call_id,
            card_id: self.card_id,
            reviewer,
            answers: self.answers.clone(),
        }
    }

    pub fn answer_mut(&mut self, key: &str) -> Option<&mut ItemAnswer> {
        self.answers.iter_mut().find(|a| a.key == key)
    }

    pub fn key_at(&self, i: usize) -> Option<String> {
        self.answers.get(i).map(|a| a.key.clone())
    }

    pub fn touch(&mut self) {
        self.dirty = true;
        self.edit_seq += 1;
        self.last_edit = Some(Instant::now());
    }

    /// Keeps the answers as they are for Ctrl+Z (drafts only; an amendment has Cancel).
    fn remember(&mut self) {
        if self.amend_from.is_none() {
            self.undo.push(self.answers.clone());
            if self.undo.len() > UNDO_MAX {
                self.undo.remove(0);
            }
        }
    }

    /// Sets an answer; false (nothing changed) for an unknown item or the same answer.
    pub fn set_answer(&mut self, key: &str, answer: Option<Answer>) -> bool {
        if self.answers.iter().find(|a| a.key == key).is_none_or(|a| a.answer == answer) {
            return false;
        }
        self.remember();
        if let Some(a) = self.answer_mut(key) {
            a.answer = answer;
        }
        self.touch();
        true
    }

    /// Sets an item's comment (typing: not an undo step of its own).
    pub fn set_comment(&mut self, key: &str, text: String) -> bool {
        match self.answer_mut(key) {
            Some(a) if a.comment != text => a.comment = text,
            _ => return false,
        }
        self.touch();
        true
    }

    /// Adds a time (rounded to 0.1 s) to an item's evidence; the comment is left alone.
    /// An item answered N.A. takes no evidence (there is nothing to point at).
    pub fn stamp(&mut self, key: &str, t: f64) -> bool {
        let t = (t.max(0.0) * 10.0).round() / 10.0;
        let Some(a) = self.answers.iter().find(|a| a.key == key) else { return false };
        if a.answer == Some(Answer::NotApplicable) || a.evidence_s.iter().any(|&x| (x - t).abs() < 0.05) {
            return false;
        }
        self.remember();
        if let Some(a) = self.answer_mut(key) {
            a.evidence_s.push(t);
            a.evidence_s.sort_by(f64::total_cmp);
        }
        self.touch();
        true
    }

    /// Removes one evidence time from an item.
    pub fn unstamp(&mut self, key: &str, t: f64) -> bool {
        let Some(a) = self.answers.iter().find(|a| a.key == key) else { return false };
        if !a.evidence_s.iter().any(|&x| (x - t).abs() < 0.05) {
            return false;
        }
        self.remember();
        if let Some(a) = self.answer_mut(key) {
            a.evidence_s.retain(|&x| (x - t).abs() >= 0.05);
        }
        self.touch();
        true
    }

    /// Takes back the last answer or evidence change of a draft; false when there is none.
    pub fn undo(&mut self) -> bool {
        if self.amend_from.is_some() {
            return false;
        }
        let Some(before) = self.undo.pop() else { return false };
        self.answers = before;
        self.touch();
        true
    }

    /// Opens a submitted review for changes.
    pub fn start_amending(&mut self) -> bool {
        if !self.submitted() || self.amend_from.is_some() {
            return false;
        }
        self.amend_from = Some(self.answers.clone());
        true
    }

    /// Leaves amend mode with the review as submitted (nothing is saved).
    pub fn cancel_amending(&mut self) {
        if let Some(before) = self.amend_from.take() {
            self.answers = before;
            self.dirty = false;
            self.save_error = None;
            self.edit_seq += 1;
        }
    }

    /// True while a submitted review is open for changes.
    pub fn amending(&self) -> bool {
        self.amend_from.is_some()
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
        self.submitted() && !self.amending()
    }

    /// Whether unsaved changes of a draft can be saved as they are (autosave, switching
    /// calls). An amendment is never saved this way: only "Save amendment" with a reason.
    pub fn saveable(&self) -> bool {
        self.dirty && !self.submitted()
    }

    /// A save is on its way to the store.
    pub fn save_in_flight(&self) -> bool {
        self.saving.is_some()
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
            phrases: None,
        };
        Scorecard {
            name: "t".into(),
            sections: vec![Section { title: "s".into(), items: vec![item("a"), item("b")] }],
        }
    }

    #[test]
    fn answers_follow_the_card_and_stamps_are_evidence_not_comment_text() {
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
        assert!(!r.stamp("b", 69.94), "the same time twice is one stamp");
        assert_eq!(r.answers[1].comment, "x");
        assert_eq!(r.answers[1].evidence_s, vec![69.9]);
        assert!(r.set_answer("a", Some(Answer::NotApplicable)));
        assert!(!r.stamp("a", 3.0), "N.A. takes no evidence");
        assert!(r.set_answer("a", Some(Answer::Yes)));
        assert!(r.complete() && r.dirty);
        // Ctrl+Z takes the changes back one by one.
        assert!(r.undo());
        assert_eq!(r.answers[0].answer, Some(Answer::NotApplicable));
        assert!(r.undo() && r.undo());
        assert_eq!(r.answers[0].answer, None);
        assert!(r.answers[1].evidence_s.is_empty());
        assert!(!r.undo());
    }

    #[test]
    fn an_amendment_is_cancelled_back_to_the_submitted_answers() {
        let mut r = Review::new(1, card(), vec![], CallStatus::Submitted { by: "Asha".into() });
        r.answers[0].answer = Some(Answer::Yes);
        r.answers[1].answer = Some(Answer::Yes);
        assert!(r.locked());
        assert!(r.start_amending() && !r.locked());
        assert!(r.set_answer("b", Some(Answer::No)));
        assert!(!r.saveable(), "an amendment is never autosaved");
        assert!(!r.undo(), "an amendment has Cancel, not undo");
        r.cancel_amending();
        assert_eq!(r.answers[1].answer, Some(Answer::Yes));
        assert!(r.locked() && !r.dirty);
    }
}
