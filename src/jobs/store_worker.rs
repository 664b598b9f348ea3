//! The `callqa-store` thread: owns the review database ([`crate::store::Store`]) and answers
//! [`StoreRequest`]s with [`StoreEvent`]s. Requests are handled in order, so a save queued
//! before close is written before the thread ends.

use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

use super::{JobEvent, Outbox};
use crate::model::call::CallMeta;
use crate::model::scorecard::{self, ItemAnswer, Review, ReviewStatus, Scorecard};
use crate::store::{ReviewDraft, Store, StoreError};

/// Where a call stands, as the library shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum CallStatus {
    #[default]
    NotReviewed,
    Draft {
        by: String,
    },
    Submitted {
        by: String,
    },
}

impl CallStatus {
    fn of(review: &Review) -> CallStatus {
        let by = review.reviewer.clone();
        match review.status {
            ReviewStatus::Draft => CallStatus::Draft { by },
            ReviewStatus::Submitted => CallStatus::Submitted { by },
        }
    }
}

/// What the UI asks the store.
#[derive(Debug)]
pub enum StoreRequest {
    /// Records (or finds) a call; replies `CallRow`.
    UpsertCall { path: PathBuf, hash: String, meta: Box<CallMeta> },
    /// Loads `reviewer`'s latest review of a call (or an empty one on the default card); replies `Review`.
    LoadReview { call_id: i64, reviewer: String },
    /// Saves a draft or submits; replies `Saved`.
    SaveReview { draft: ReviewDraft, submit: bool },
    /// Adds a coaching clip; replies `ClipAdded`.
    AddClip(crate::store::ClipDraft),
    /// Lists every coaching clip; replies `Clips`.
    ListClips,
    /// Removes a clip, then lists; replies `Clips`.
    RemoveClip { id: i64, actor: String },
}

/// A review as the workspace edits it.
#[derive(Clone, Debug)]
pub struct LoadedReview {
    pub call_id: i64,
    /// `None` until first saved.
    pub review_id: Option<i64>,
    pub card_id: i64,
    pub scorecard: Scorecard,
    pub answers: Vec<ItemAnswer>,
    pub status: CallStatus,
}

/// What the store thread replies.
#[derive(Debug)]
pub enum StoreEvent {
    CallRow { path: PathBuf, call_id: i64, status: CallStatus, score: Option<f64> },
    Review(Box<LoadedReview>),
    Saved { call_id: i64, review_id: i64, status: CallStatus, score: Option<f64> },
    ClipAdded { id: i64, set: String },
    Clips(Vec<crate::store::Clip>),
    Error(String),
}

pub(super) fn spawn(
    out: Outbox,
    db_path: PathBuf,
) -> std::io::Result<(Sender<StoreRequest>, JoinHandle<()>)> {
    let (tx, rx) = channel::<StoreRequest>();
    let h = std::thread::Builder::new().name("callqa-store".into()).spawn(move || {
        let mut store = match Store::open(&db_path) {
            Ok(s) => s,
            Err(e) => {
                out.send(JobEvent::Store(StoreEvent::Error(format!(
                    "Reviews cannot be saved: {e} (database {})",
                    db_path.display()
                ))));
                // Keep answering, so every request gets a clear error.
                for _ in rx {
                    out.send(JobEvent::Store(StoreEvent::Error(format!("Reviews cannot be saved: {e}"))));
                }
                return;
            }
        };
        for req in rx {
            let ev =
                handle(&mut store, req).unwrap_or_else(|e| StoreEvent::Error(format!("Review store: {e}")));
            out.send(JobEvent::Store(ev));
        }
    })?;
    Ok((tx, h))
}

fn handle(store: &mut Store, req: StoreRequest) -> Result<StoreEvent, StoreError> {
    match req {
        StoreRequest::UpsertCall { path, hash, meta } => {
            let call_id = store.upsert_call(&hash, &path, &meta)?;
            let (status, score) = call_status(store, call_id)?;
            Ok(StoreEvent::CallRow { path, call_id, status, score })
        }
        StoreRequest::LoadReview { call_id, reviewer } => {
            let loaded = match store.latest_review(call_id, &reviewer)? {
                Some(r) => {
                    let card = store.scorecard(r.card_id)?;
                    LoadedReview {
                        call_id,
                        review_id: Some(r.id),
                        card_id: r.card_id,
                        scorecard: card.card,
                        status: CallStatus::of(&r),
                        answers: r.answers,
                    }
                }
                None => {
                    let card = store.default_scorecard()?;
                    LoadedReview {
                        call_id,
                        review_id: None,
                        card_id: card.id,
                        scorecard: card.card,
                        answers: Vec::new(),
                        status: CallStatus::NotReviewed,
                    }
                }
            };
            Ok(StoreEvent::Review(Box::new(loaded)))
        }
        StoreRequest::SaveReview { mut draft, submit } => {
            if draft.id.is_none() {
                // A second save queued before the first one's id came back updates that review.
                draft.id = store.latest_review(draft.call_id, &draft.reviewer)?.map(|r| r.id);
            }
            let review_id = store.save_review(&draft, submit)?;
            let r = store.review(review_id)?;
            Ok(StoreEvent::Saved {
                call_id: draft.call_id,
                review_id,
                status: CallStatus::of(&r),
                score: r.score.percent,
            })
        }
        StoreRequest::AddClip(draft) => {
            let id = store.add_clip(&draft)?;
            Ok(StoreEvent::ClipAdded { id, set: draft.set.trim().to_string() })
        }
        StoreRequest::ListClips => Ok(StoreEvent::Clips(store.clips(None)?)),
        StoreRequest::RemoveClip { id, actor } => {
            store.remove_clip(id, &actor)?;
            Ok(StoreEvent::Clips(store.clips(None)?))
        }
    }
}

/// The call's standing: its latest submitted review, else its latest draft.
fn call_status(store: &Store, call_id: i64) -> Result<(CallStatus, Option<f64>), StoreError> {
    let reviews = store.reviews_of_call(call_id)?;
    let pick = reviews
        .iter()
        .filter(|r| r.status == ReviewStatus::Submitted)
        .max_by(|a, b| a.updated_at.cmp(&b.updated_at))
        .or_else(|| reviews.iter().max_by(|a, b| a.updated_at.cmp(&b.updated_at)));
    Ok(match pick {
        Some(r) => (CallStatus::of(r), r.score.percent),
        None => (CallStatus::NotReviewed, None),
    })
}

/// The live score of answers on a card: (headline, formula).
pub fn score_text(card: &Scorecard, answers: &[ItemAnswer]) -> (String, String) {
    let s = scorecard::score(card, answers);
    (format!("Score: {}", s.summary()), scorecard::score_formula().to_string())
}
