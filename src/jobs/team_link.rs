//! The store thread's link to the team store while the server may come and go: what a save
//! needs to be kept in the outbox ([`crate::store::outbox`]) when the server cannot be reached
//! — the call (hash, path, details) and the scorecard (its JSON) of each review the window
//! loaded — and the outbox's key for this team store (`user@host:port/db`, shared with
//! `callqa review`).
//!
//! A save the server cannot take is written to the outbox (synced to disk) and answered with
//! [`StoreEvent::Queued`]: the review is safe on this computer and the window says how many
//! changes wait. When the connection is back the waiting changes are sent in order, each
//! applied once ([`crate::store::outbox::sync`]), and [`StoreEvent::OutboxSent`] says so.

use std::collections::HashMap;
use std::path::PathBuf;

use super::store_worker::StoreEvent;
use crate::model::call::CallMeta;
use crate::store::outbox::{Outbox, ReviewChange, SessionRef};
use crate::store::{ReviewDraft, StoreError};

/// What the thread remembers for the team store.
#[derive(Debug, Default)]
pub(super) struct TeamLink {
    /// The outbox's key: `user@host:port/db`.
    pub key: String,
    /// The outbox file (`None`: no data folder, nothing can be kept).
    outbox: Option<PathBuf>,
    /// call id → (content hash, path, details), from the calls the window opened.
    calls: HashMap<i64, (String, PathBuf, CallMeta)>,
    /// scorecard id → its canonical JSON.
    cards: HashMap<i64, String>,
    /// An open-call request's call, until its answer says the call's id.
    opening: HashMap<String, (PathBuf, CallMeta)>,
}

impl TeamLink {
    /// For a team store URL (`None` when it does not parse: then the store never opens).
    pub fn new(url: &str, outbox: Option<PathBuf>) -> Option<TeamLink> {
        let (config, _) = crate::store::pg::parse_url(url).ok()?;
        Some(TeamLink { key: crate::store::pg::describe(&config), outbox, ..TeamLink::default() })
    }

    /// An open-call request: its call's file and details.
    pub fn opening(&mut self, hash: &str, path: &std::path::Path, meta: &CallMeta) {
        self.opening.insert(hash.to_string(), (path.to_path_buf(), meta.clone()));
    }

    /// The store's answers that say a call's id or a review's scorecard.
    pub fn seen(&mut self, ev: &StoreEvent) {
        if let StoreEvent::Opened(o) = ev
            && let Some(hash) = self.opening.iter().find(|(_, (p, _))| *p == o.path).map(|(h, _)| h.clone())
            && let Some((path, meta)) = self.opening.remove(&hash)
        {
            self.calls.insert(o.summary.call_id, (hash, path, meta));
        }
        let loaded = match ev {
            StoreEvent::Opened(o) => o.review.as_ref(),
            StoreEvent::Review(r) => Some(r.as_ref()),
            _ => None,
        };
        if let Some(r) = loaded {
            self.cards.insert(r.card_id, r.scorecard.canonical_json());
        }
    }

    /// Keeps a save (in calibration session `session` when given) in the outbox: [`StoreEvent::Queued`], or [`StoreEvent::SaveFailed`] when
    /// it cannot be kept (a call not opened in this window, or the outbox file fails).
    pub fn keep(
        &self,
        req: u64,
        draft: &ReviewDraft,
        submit: bool,
        amend_reason: Option<&str>,
        session: Option<i64>,
        why: &str,
    ) -> StoreEvent {
        let failed = |error: String| StoreEvent::SaveFailed { req, call_id: draft.call_id, error };
        let (Some((hash, path, meta)), Some(card)) =
            (self.calls.get(&draft.call_id), self.cards.get(&draft.card_id))
        else {
            return failed(format!("{why} (and this review cannot be kept offline: open the call again)"));
        };
        let change = ReviewChange {
            file: path.clone(),
            hash: hash.clone(),
            meta: meta.clone(),
            card: card.clone(),
            // Every item, as the window has it: applied later, it replaces the stored one.
            answers: draft.answers.clone(),
            comments: draft.answers.iter().map(|a| (a.key.clone(), a.comment.clone())).collect(),
            submit,
            // A session review is not amended (a submitted one is not changed).
            amend_reason: amend_reason.filter(|_| session.is_none()).map(str::to_string),
            session: session.map(SessionRef::Id),
        };
        let Some(file) = &self.outbox else {
            return failed(format!("{why} (and there is no data folder for an outbox)"));
        };
        let kept = Outbox::open(file).and_then(|mut o| {
            o.push(&self.key, &change)?;
            o.count(&self.key)
        });
        match kept {
            Ok(waiting) => StoreEvent::Queued { req, call_id: draft.call_id, waiting },
            Err(e) => failed(format!("{why}; the outbox could not keep it either: {e}")),
        }
    }
}

/// The team store could not be reached (or the connection broke): worth keeping and retrying.
pub(super) fn unreachable(e: &StoreError) -> bool {
    matches!(e, StoreError::Team(pg) if pg.is_unreachable())
}
