//! One store API over both backends: a SQLite file on one desk ([`Store`]) or the team store
//! on PostgreSQL ([`PgStore`]). [`Backend`] has the operations the review window's store
//! thread and the commands use, with the same meaning on both; what the team store does not
//! serve yet is refused with [`StoreError::NotOnTeamStore`], naming it (never silently done
//! on a local file instead).
//!
//! On the team store the reviewer is the login: a review saved under another name is refused.
//! A save names the version of the review it was made on (the version the last load saw), so
//! a review someone else saved meanwhile is refused with both versions, never overwritten.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::pg::{PgError, PgStore, ReviewVersion, TeamReview};
use super::{
    CallDetails, CallMetrics, CallRecord, CardVersion, Clip, ClipDraft, ExportRow, QueueDraft, QueueInfo,
    QueueItem, ReviewDraft, ReviewState, SessionDraft, SessionInfo, Store, StoreError,
};
use crate::model::call::CallMeta;
use crate::model::scorecard::{Review, Scorecard};

/// Where the scores are: `--db FILE` or `--db postgres://…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Local(PathBuf),
    Team(String),
}

impl Target {
    /// `postgres://…` and `postgresql://…` are the team store; anything else is a file.
    pub fn parse(s: &str) -> Target {
        match super::pg::copy::Endpoint::parse(s) {
            super::pg::copy::Endpoint::Pg(url) => Target::Team(url),
            super::pg::copy::Endpoint::Sqlite(p) => Target::Local(p),
        }
    }

    /// `Target::parse` of a path given as `--db` (a URL parses as a path too).
    pub fn of_path(p: &Path) -> Target {
        match p.to_str() {
            Some(s) => Target::parse(s),
            None => Target::Local(p.to_path_buf()),
        }
    }
}

/// An open store of either kind.
pub enum Backend {
    Local(Store),
    Team(Box<Team>),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Local(s) => f.debug_tuple("Local").field(&s.path()).finish(),
            Backend::Team(t) => f.debug_tuple("Team").field(&t.store.target()).finish(),
        }
    }
}

/// The team store, with the login and the version of each review it has loaded.
pub struct Team {
    store: PgStore,
    login: String,
    versions: HashMap<i64, i64>,
}

impl Team {
    fn seen(&mut self, r: TeamReview) -> Review {
        self.versions.insert(r.review.id, r.version);
        r.review
    }

    fn check_reviewer(&self, reviewer: &str) -> Result<(), StoreError> {
        if reviewer.trim() == self.login {
            Ok(())
        } else {
            Err(StoreError::Team(PgError::Denied(format!(
                "on the team store you review as your login ({}), not as {reviewer:?}",
                self.login
            ))))
        }
    }

    fn save(&mut self, draft: &ReviewDraft, submit: bool, reason: Option<&str>) -> Result<i64, StoreError> {
        self.check_reviewer(&draft.reviewer)?;
        let existing = match draft.id {
            None => None,
            Some(id) => match self.versions.get(&id) {
                Some(v) => Some(ReviewVersion { id, version: *v }),
                // Never loaded here: load it now (its current version is then the base).
                None => {
                    let r = self.store.review(id)?;
                    Some(ReviewVersion { id, version: r.version })
                }
            },
        };
        let saved = self.store.save_own_review(
            draft.call_id,
            draft.card_id,
            existing,
            &draft.answers,
            submit,
            reason,
            None,
        )?;
        self.versions.insert(saved.id, saved.version);
        Ok(saved.id)
    }
}

impl Team {
    /// A session review by the login (its id and the version it was loaded at, as `save`).
    fn save_in_session(
        &mut self,
        session: i64,
        draft: &ReviewDraft,
        submit: bool,
    ) -> Result<i64, StoreError> {
        self.check_reviewer(&draft.reviewer)?;
        let existing = match draft.id {
            None => None,
            Some(id) => match self.versions.get(&id) {
                Some(v) => Some(ReviewVersion { id, version: *v }),
                None => Some(ReviewVersion { id, version: self.store.review(id)?.version }),
            },
        };
        let saved = self.store.save_session_review(
            session,
            draft.call_id,
            draft.card_id,
            existing,
            &draft.answers,
            submit,
        )?;
        self.versions.insert(saved.id, saved.version);
        Ok(saved.id)
    }

    /// Refuses a name other than the login's for what the server records as the login
    /// (a clip's author, who removes it, who makes a session); an empty name is the login.
    fn check_self(&self, name: &str, what: &str) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() || name == self.login {
            Ok(())
        } else {
            Err(StoreError::Team(PgError::Denied(format!(
                "on the team store {what} is your login ({}), not {name:?}",
                self.login
            ))))
        }
    }
}

fn not_yet(what: &'static str) -> StoreError {
    StoreError::NotOnTeamStore(what)
}

impl Backend {
    /// Opens (SQLite: creates if needed) the store `target` names.
    pub fn open(target: &Target) -> Result<Backend, StoreError> {
        match target {
            Target::Local(p) => Ok(Backend::Local(Store::open(p)?)),
            Target::Team(url) => {
                let mut store = PgStore::connect(url)?;
                let login = store.identity()?.login;
                Ok(Backend::Team(Box::new(Team { store, login, versions: HashMap::new() })))
            }
        }
    }

    /// Where it is, for messages: the file, or `user@host:port/db`.
    pub fn describe(&self) -> String {
        match self {
            Backend::Local(s) => s.path().display().to_string(),
            Backend::Team(t) => t.store.target().to_string(),
        }
    }

    /// The SQLite file, when it is one.
    pub fn local_path(&self) -> Option<&Path> {
        match self {
            Backend::Local(s) => Some(s.path()),
            Backend::Team(_) => None,
        }
    }

    /// The reviewer the store decides (the team store's login), if it does.
    pub fn login(&self) -> Option<&str> {
        match self {
            Backend::Local(_) => None,
            Backend::Team(t) => Some(&t.login),
        }
    }

    /// The SQLite store, for what the team store does not serve yet (`what` names it).
    pub fn local(&mut self, what: &'static str) -> Result<&mut Store, StoreError> {
        match self {
            Backend::Local(s) => Ok(s),
            Backend::Team(_) => Err(not_yet(what)),
        }
    }

    /// The SQLite store, when it is one.
    pub fn local_opt(&mut self) -> Option<&mut Store> {
        match self {
            Backend::Local(s) => Some(s),
            Backend::Team(_) => None,
        }
    }

    /// A call's transcript, if one was imported (or stored by a scan).
    pub fn transcript(&mut self, call_hash: &str) -> Result<Option<super::StoredTranscript>, StoreError> {
        match self {
            Backend::Local(s) => s.transcript(call_hash),
            Backend::Team(t) => Ok(t.store.transcript(call_hash)?),
        }
    }

    /// Stores `t` as the transcript of the call with this content hash, replacing an earlier
    /// one; `source` names its file, `actor` who imports it (on the team store a lead's right,
    /// in the login's name: another name is refused, an empty one is the login).
    pub fn save_transcript(
        &mut self,
        call_hash: &str,
        t: &crate::transcript::Transcript,
        source: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        match self {
            Backend::Local(s) => s.save_transcript(call_hash, t, source, actor),
            Backend::Team(team) => {
                team.check_self(actor, "who imports a transcript")?;
                team.store.save_transcript(call_hash, t, source).map_err(|e| match e {
                    PgError::Denied(why) => StoreError::Team(PgError::Denied(format!(
                        "{why} (on the team store a lead imports transcripts)"
                    ))),
                    e => e.into(),
                })
            }
        }
    }

    /// Where `phrase` was said (whole words, in order, after normalising), by `speaker` when
    /// given: at most `limit` hits, the same on both stores.
    pub fn search(
        &mut self,
        phrase: &str,
        speaker: Option<crate::model::Speaker>,
        limit: usize,
    ) -> Result<Vec<super::SearchHit>, StoreError> {
        match self {
            Backend::Local(s) => s.search(phrase, speaker, limit),
            Backend::Team(t) => Ok(t.store.search(phrase, speaker, limit)?),
        }
    }

    /// The content hashes of the calls that have a transcript.
    pub fn transcribed_calls(&mut self) -> Result<Vec<String>, StoreError> {
        match self {
            Backend::Local(s) => s.transcribed_calls(),
            Backend::Team(t) => Ok(t.store.transcribed_calls()?),
        }
    }

    /// Every coaching clip (a call opens with its own).
    pub fn clips_if_any(&mut self) -> Result<Vec<Clip>, StoreError> {
        self.clips(None)
    }

    /// Sends the changes waiting in the outbox for this team store (`None`: a SQLite file, or
    /// nothing waited). The versions remembered from earlier loads are forgotten: the changes
    /// may have moved the reviews on.
    pub fn sync_outbox(&mut self, outbox: &Path) -> Result<Option<super::outbox::SyncReport>, StoreError> {
        let Backend::Team(t) = self else { return Ok(None) };
        let target = t.store.target().to_string();
        let mut outbox = super::outbox::Outbox::open(outbox)?;
        if outbox.count(&target)? == 0 {
            return Ok(None);
        }
        let report = super::outbox::sync(&mut t.store, &mut outbox, &target)?;
        t.versions.clear();
        Ok(Some(report))
    }

    pub fn upsert_call(&mut self, hash: &str, path: &Path, meta: &CallMeta) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.upsert_call(hash, path, meta),
            Backend::Team(t) => Ok(t.store.upsert_call(hash, path, meta)?),
        }
    }

    pub fn call(&mut self, id: i64) -> Result<CallRecord, StoreError> {
        match self {
            Backend::Local(s) => s.call(id),
            Backend::Team(t) => Ok(t.store.call(id)?),
        }
    }

    pub fn call_by_hash(&mut self, hash: &str) -> Result<Option<CallRecord>, StoreError> {
        match self {
            Backend::Local(s) => s.call_by_hash(hash),
            Backend::Team(t) => Ok(t.store.call_by_hash(hash)?),
        }
    }

    /// Sets what a source given on purpose says about a call (`callqa index --metadata`);
    /// whether something changed.
    pub fn set_call_details(&mut self, call_id: i64, details: &CallDetails) -> Result<bool, StoreError> {
        match self {
            Backend::Local(s) => s.set_call_details(call_id, details),
            Backend::Team(t) => Ok(t.store.set_call_details(call_id, details)?),
        }
    }

    pub fn calls(&mut self) -> Result<Vec<CallRecord>, StoreError> {
        match self {
            Backend::Local(s) => s.calls(),
            Backend::Team(t) => Ok(t.store.calls()?),
        }
    }

    pub fn call_paths(&mut self, call_id: i64) -> Result<Vec<PathBuf>, StoreError> {
        match self {
            Backend::Local(s) => s.call_paths(call_id),
            Backend::Team(t) => Ok(t.store.call_paths(call_id)?),
        }
    }

    pub fn review_states(&mut self) -> Result<HashMap<String, ReviewState>, StoreError> {
        match self {
            Backend::Local(s) => s.review_states(),
            Backend::Team(t) => Ok(t.store.review_states()?),
        }
    }

    pub fn default_scorecard(&mut self) -> Result<CardVersion, StoreError> {
        self.ensure_scorecard(&Scorecard::default_card())
    }

    pub fn ensure_scorecard(&mut self, card: &Scorecard) -> Result<CardVersion, StoreError> {
        match self {
            Backend::Local(s) => s.ensure_scorecard(card),
            Backend::Team(t) => Ok(t.store.ensure_scorecard(card)?),
        }
    }

    pub fn scorecard(&mut self, id: i64) -> Result<CardVersion, StoreError> {
        match self {
            Backend::Local(s) => s.scorecard(id),
            Backend::Team(t) => Ok(t.store.card_version(id)?),
        }
    }

    pub fn review(&mut self, id: i64) -> Result<Review, StoreError> {
        match self {
            Backend::Local(s) => s.review(id),
            Backend::Team(t) => {
                let r = t.store.review(id)?;
                Ok(t.seen(r))
            }
        }
    }

    /// The reviewer's latest review of the call (on the team store: the login's).
    pub fn latest_review(&mut self, call_id: i64, reviewer: &str) -> Result<Option<Review>, StoreError> {
        match self {
            Backend::Local(s) => s.latest_review(call_id, reviewer),
            Backend::Team(t) => {
                if reviewer.trim() != t.login {
                    // Another person's drafts are theirs: only their submitted reviews are
                    // readable, through `reviews_of_call`.
                    return Ok(None);
                }
                let r = t.store.latest_own_review(call_id)?;
                Ok(r.map(|r| t.seen(r)))
            }
        }
    }

    pub fn reviews_of_call(&mut self, call_id: i64) -> Result<Vec<Review>, StoreError> {
        match self {
            Backend::Local(s) => s.reviews_of_call(call_id),
            Backend::Team(t) => {
                let all = t.store.reviews_of_call(call_id)?;
                Ok(all.into_iter().map(|r| t.seen(r)).collect())
            }
        }
    }

    pub fn save_review(&mut self, draft: &ReviewDraft, submit: bool) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.save_review(draft, submit),
            Backend::Team(t) => t.save(draft, submit, None),
        }
    }

    pub fn amend_review(&mut self, draft: &ReviewDraft, reason: &str) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.amend_review(draft, reason),
            Backend::Team(t) => {
                if reason.trim().is_empty() {
                    return Err(StoreError::AmendNeedsReason);
                }
                t.save(draft, true, Some(reason))
            }
        }
    }

    pub fn add_active_time(&mut self, review_id: i64, seconds: f64) -> Result<(), StoreError> {
        match self {
            Backend::Local(s) => s.add_active_time(review_id, seconds),
            Backend::Team(t) => Ok(t.store.add_active_time(review_id, seconds)?),
        }
    }

    pub fn save_metrics(&mut self, call_id: i64, m: &CallMetrics) -> Result<(), StoreError> {
        match self {
            Backend::Local(s) => s.save_metrics(call_id, m),
            Backend::Team(t) => Ok(t.store.save_metrics(call_id, m)?),
        }
    }

    /// The stored analysis figures of a call, if it has been analysed.
    pub fn metrics(&mut self, call_id: i64) -> Result<Option<super::StoredMetrics>, StoreError> {
        match self {
            Backend::Local(s) => s.metrics(call_id),
            Backend::Team(t) => Ok(t.store.metrics(call_id)?),
        }
    }

    /// Every call's stored analysis figures.
    pub fn all_metrics(&mut self) -> Result<Vec<super::StoredMetrics>, StoreError> {
        match self {
            Backend::Local(s) => s.all_metrics(),
            Backend::Team(t) => Ok(t.store.all_metrics()?),
        }
    }

    pub fn queues(&mut self) -> Result<Vec<QueueInfo>, StoreError> {
        match self {
            Backend::Local(s) => s.queues(),
            Backend::Team(t) => Ok(t.store.queues()?),
        }
    }

    pub fn queue_by_name(&mut self, name: &str) -> Result<Option<QueueInfo>, StoreError> {
        match self {
            Backend::Local(s) => s.queue_by_name(name),
            Backend::Team(t) => Ok(t.store.queue_by_name(name)?),
        }
    }

    pub fn queue_items(
        &mut self,
        queue_id: i64,
        reviewer: Option<&str>,
    ) -> Result<Vec<QueueItem>, StoreError> {
        match self {
            Backend::Local(s) => s.queue_items(queue_id, reviewer),
            Backend::Team(t) => Ok(t.store.queue_items(queue_id, reviewer)?),
        }
    }

    /// "My queue" (on the team store the reviewer is the login).
    pub fn my_queue(&mut self, reviewer: &str) -> Result<Vec<QueueItem>, StoreError> {
        match self {
            Backend::Local(s) => s.my_queue(reviewer),
            Backend::Team(t) => Ok(t.store.my_queue(reviewer)?),
        }
    }

    /// A new queue (on the team store, a lead's right).
    pub fn create_queue(&mut self, d: &QueueDraft) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.create_queue(d),
            Backend::Team(t) => Ok(t.store.create_queue(d)?),
        }
    }

    pub fn export_rows(&mut self) -> Result<Vec<ExportRow>, StoreError> {
        match self {
            Backend::Local(s) => s.export_rows(),
            Backend::Team(t) => Ok(t.store.export_rows()?),
        }
    }

    /// A blind calibration session (checked the same on both stores; on the team store a
    /// lead's right, made in the login's name, its reviewers logins of the store).
    pub fn create_session(&mut self, d: &SessionDraft) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.create_session(d),
            Backend::Team(t) => {
                let (name, reviewers) = d.checked()?;
                t.check_self(&d.created_by, "who makes a session")?;
                if t.store.session_by_name(&name)?.is_some() {
                    return Err(StoreError::BadData(format!(
                        "a calibration session named {name:?} exists already; pick another name"
                    )));
                }
                Ok(t.store.create_session(&name, &d.unique_calls(), &reviewers)?)
            }
        }
    }

    pub fn session_by_name(&mut self, name: &str) -> Result<Option<SessionInfo>, StoreError> {
        match self {
            Backend::Local(s) => s.session_by_name(name),
            Backend::Team(t) => Ok(t.store.session_by_name(name)?),
        }
    }

    /// Every session, newest first; only those `reviewer` is in, when given.
    pub fn sessions(&mut self, reviewer: Option<&str>) -> Result<Vec<SessionInfo>, StoreError> {
        match self {
            Backend::Local(s) => s.sessions(reviewer),
            Backend::Team(t) => Ok(t.store.sessions(reviewer)?),
        }
    }

    /// The reviewer names a lead picks a session's reviewers from.
    pub fn known_reviewers(&mut self) -> Result<Vec<String>, StoreError> {
        match self {
            Backend::Local(s) => s.known_reviewers(),
            Backend::Team(t) => Ok(t.store.known_reviewers()?),
        }
    }

    /// `reviewer`'s latest review of the call in the session.
    pub fn latest_session_review(
        &mut self,
        session: i64,
        call_id: i64,
        reviewer: &str,
    ) -> Result<Option<Review>, StoreError> {
        match self {
            Backend::Local(s) => s.latest_session_review(session, call_id, reviewer),
            Backend::Team(t) => {
                let r = t.store.latest_session_review(session, call_id, reviewer)?;
                Ok(r.map(|r| t.seen(r)))
            }
        }
    }

    /// Saves a review made in the session (the call and the reviewer must be in it).
    pub fn save_session_review(
        &mut self,
        session: i64,
        draft: &ReviewDraft,
        submit: bool,
    ) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.save_session_review(session, draft, submit),
            Backend::Team(t) => t.save_in_session(session, draft, submit),
        }
    }

    /// The reviews made in the session (on the team store, those the login may see).
    pub fn session_rows(&mut self, session: i64) -> Result<Vec<ExportRow>, StoreError> {
        match self {
            Backend::Local(s) => s.session_rows(session),
            Backend::Team(t) => Ok(t.store.session_rows(session)?),
        }
    }

    /// Adds a coaching clip (on the team store, a lead's right; the author is the login).
    pub fn add_clip(&mut self, d: &ClipDraft) -> Result<i64, StoreError> {
        match self {
            Backend::Local(s) => s.add_clip(d),
            Backend::Team(t) => {
                let call = t.store.call(d.call_id)?;
                let (set, author) = d.checked(call.meta.duration_s)?;
                t.check_self(&author, "a clip's author")?;
                Ok(t.store.add_clip(&set, d)?)
            }
        }
    }

    /// Removes a clip; `actor` is who does it (on the team store, the login).
    pub fn remove_clip(&mut self, id: i64, actor: &str) -> Result<(), StoreError> {
        match self {
            Backend::Local(s) => s.remove_clip(id, actor),
            Backend::Team(t) => {
                t.check_self(actor, "who removes a clip")?;
                Ok(t.store.remove_clip(id)?)
            }
        }
    }

    /// The clips of one set, or of every set.
    pub fn clips(&mut self, set: Option<&str>) -> Result<Vec<Clip>, StoreError> {
        match self {
            Backend::Local(s) => s.clips(set),
            Backend::Team(t) => Ok(t.store.clips(set)?),
        }
    }
}
