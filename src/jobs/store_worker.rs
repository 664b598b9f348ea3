//! The `callqa-store` thread: owns the review database and answers [`StoreRequest`]s with
//! [`StoreEvent`]s. Requests are handled in order, so a save queued before close is written
//! before the thread ends.

use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

use super::{JobEvent, Outbox};
use crate::model::scorecard::{ItemAnswer, Scorecard};

/// Review status of a call, as the library shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ReviewStatus {
    #[default]
    NotReviewed,
    Draft {
        by: String,
    },
    Submitted {
        by: String,
    },
}

/// What the UI asks the store.
#[derive(Debug)]
pub enum StoreRequest {
    /// Records (or finds) a call; replies `CallRow`.
    UpsertCall { path: PathBuf, hash: String, info: Box<crate::audio::WavInfo> },
    /// Loads `reviewer`'s latest review of a call (or an empty one on the default card); replies `Review`.
    LoadReview { call_id: i64, reviewer: String },
    /// Saves a draft or submits; replies `Saved`.
    SaveReview {
        call_id: i64,
        reviewer: String,
        scorecard: Box<Scorecard>,
        answers: Vec<ItemAnswer>,
        submit: bool,
    },
}

/// What the store thread replies.
#[derive(Debug)]
pub enum StoreEvent {
    CallRow { path: PathBuf, call_id: i64, status: ReviewStatus, score: Option<f64> },
    Review { call_id: i64, scorecard: Box<Scorecard>, answers: Vec<ItemAnswer>, status: ReviewStatus },
    Saved { call_id: i64, status: ReviewStatus, score: Option<f64> },
    Error(String),
}

pub(super) fn spawn(
    out: Outbox,
    db_path: PathBuf,
) -> std::io::Result<(Sender<StoreRequest>, JoinHandle<()>)> {
    let (tx, rx) = channel::<StoreRequest>();
    let h = std::thread::Builder::new().name("callqa-store".into()).spawn(move || {
        let _ = &db_path;
        for req in rx {
            let _ = req;
            out.send(JobEvent::Store(StoreEvent::Error("the review store is not available yet".into())));
        }
    })?;
    Ok((tx, h))
}
