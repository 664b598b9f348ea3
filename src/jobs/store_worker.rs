//! The `callqa-store` thread: owns the review database ([`crate::store::Store`]) and answers
//! [`StoreRequest`]s with [`StoreEvent`]s.
//!
//! Requests are handled in order, except that a folder scan's call rows
//! ([`StoreRequest::UpsertCall`]) wait behind everything else: opening a call, loading and
//! saving reviews never queue behind a scan of a thousand files. A save queued before close
//! is written before the thread ends.
//!
//! Every save carries the id the window gave it and is answered with
//! [`StoreEvent::Saved`] or [`StoreEvent::SaveFailed`] carrying that id: a review is clean
//! only when its save has come back.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use super::sidecar::Sidecar;
use super::team_link::TeamLink;
use super::{JobEvent, Outbox};
use crate::model::call::CallMeta;
use crate::model::scorecard::{self, ItemAnswer, Review, ReviewStatus, Scorecard};
use crate::store::backend::{Backend, Target};
use crate::store::pg::PgError;
use crate::store::{ReviewDraft, StoreError};

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

/// One reviewer's latest review of a call, as the library lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewerResult {
    pub reviewer: String,
    pub submitted: bool,
    pub percent: Option<f64>,
}

/// Everything the library shows about a stored call.
#[derive(Clone, Debug, PartialEq)]
pub struct CallSummary {
    pub call_id: i64,
    pub status: CallStatus,
    pub score: Option<f64>,
    /// Every reviewer's latest review, submitted ones first.
    pub results: Vec<ReviewerResult>,
}

/// A call the database knows, for the library at start.
#[derive(Clone, Debug)]
pub struct StoredCall {
    pub record: crate::store::CallRecord,
    /// Every path it was seen at, each with whether a file is there now.
    pub paths: Vec<(PathBuf, bool)>,
    pub summary: CallSummary,
}

/// What the UI asks the store.
#[derive(Debug)]
pub enum StoreRequest {
    /// Records (or finds) a call found by a scan; replies `CallRow`. Waits behind the rest.
    /// A transcript found next to the file is stored with it (see [`super::sidecar`]).
    UpsertCall { path: PathBuf, hash: String, meta: Box<CallMeta>, sidecar: Option<Box<Sidecar>> },
    /// The open-call job: records the call, loads `reviewer`'s review (or an empty one on the
    /// default card) and every other reviewer's; replies `Opened`.
    /// A transcript found next to the file is stored first; the call's transcript comes back.
    OpenCall {
        generation: u64,
        path: PathBuf,
        hash: String,
        meta: Box<CallMeta>,
        reviewer: Option<String>,
        sidecar: Option<Box<Sidecar>>,
        /// Score the call in this calibration session (blind).
        session: Option<i64>,
    },
    /// Loads `reviewer`'s latest review of a call (or an empty one on the default card); replies `Review`.
    /// In calibration session `session` when given (then the session's review).
    LoadReview { call_id: i64, reviewer: String, session: Option<i64> },
    /// Saves a draft, submits, or (with `amend_reason`) amends a submitted review; replies
    /// `Saved` or `SaveFailed` with the same `req`.
    SaveReview {
        req: u64,
        draft: ReviewDraft,
        submit: bool,
        amend_reason: Option<String>,
        session: Option<i64>,
    },
    /// Adds active review time to a saved review (no reply; a failure is logged).
    AddActiveTime { review_id: i64, seconds: f64 },
    /// The calibration sessions (with `reviewer`'s progress and, once they may see them, the
    /// figures); replies `Sessions`.
    Sessions { reviewer: Option<String> },
    /// Every call the database knows; replies `Library`.
    ListLibrary,
    /// Adds a coaching clip; replies `ClipAdded`.
    AddClip(crate::store::ClipDraft),
    /// Lists every coaching clip; replies `Clips`.
    ListClips,
    /// Removes a clip, then lists; replies `Clips`.
    RemoveClip { id: i64, actor: String },
    /// "My queue": every queue item assigned to `reviewer`; replies `Queue`.
    MyQueue { reviewer: String },
    /// Draws a sample of the calls the database knows ([`crate::model::sample`]) and, with
    /// `create`, stores it as a queue; replies `Sample`.
    Sample { spec: Box<SampleSpec>, create: Option<NewQueue> },
    /// The Reports window's figures over submitted reviews; replies `Report`.
    Report(ReportFilter),
    /// Every call where `phrase` is said (transcript search); replies `SearchHits`.
    Search { phrase: String },
    /// Writes a table as CSV through the safe writers (never onto the database, an audio
    /// file or an existing file); replies `Exported`.
    ExportCsv { path: PathBuf, header: Vec<String>, rows: Vec<Vec<CsvCell>> },
    /// Stores the open call's analysis figures (derived data: no audit row); replies
    /// `MetricsSaved`. Waits behind the rest, like a scan's rows: nobody waits for it.
    SaveMetrics { call_id: i64, metrics: Box<crate::store::CallMetrics> },
    /// Every reviewer name the database knows (the New session… form); replies
    /// `KnownReviewers`.
    KnownReviewers,
    /// Creates a calibration session ([`Store::create_session`], as `callqa calibration
    /// create`); replies `SessionCreated`.
    CreateSession(crate::store::SessionDraft),
}

/// Which submitted reviews a report counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportFilter {
    /// First recording day of the call, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last recording day (inclusive).
    pub to: Option<String>,
    /// Only this agent's calls ([`crate::model::report::UNKNOWN_AGENT`] for unknown ones).
    pub agent: Option<String>,
    /// Only the calls of this review queue.
    pub queue: Option<String>,
    /// Only the calls of this team ([`crate::model::report::UNKNOWN_TEAM`] for calls without one).
    pub team: Option<String>,
}

/// One reviewed call of a report (for the agent's list of calls).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportCall {
    pub agent: String,
    /// The agent's team on this call, if known.
    pub team: Option<String>,
    pub call_id: i64,
    pub file_name: String,
    /// Where the call can be opened (the library's path), if a file is there.
    pub path: Option<PathBuf>,
    pub recorded_at: Option<String>,
    pub reviewer: String,
    pub percent: Option<f64>,
}

/// The Reports window's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportData {
    pub filter: ReportFilter,
    /// Per agent: reviews, average score, critical fails, pass rate per item; `overall`
    /// holds the per-item figures across agents.
    pub by_agent: crate::model::report::Report,
    /// Per reviewer: reviews done.
    pub by_reviewer: crate::model::report::Report,
    /// Per reviewer: mean offset from the other reviewers of the same calls.
    pub offsets: Vec<crate::model::calibration::ReviewerBias>,
    pub calls: Vec<ReportCall>,
    /// Every agent and queue there is to filter by.
    pub agents: Vec<String>,
    pub queues: Vec<String>,
    /// Each agent's average score per week of the calls' recording dates.
    pub trend: Vec<crate::model::report::AgentTrend>,
    /// Every team there is to filter by (sorted; [`crate::model::report::UNKNOWN_TEAM`] when
    /// some calls have none).
    pub teams: Vec<String>,
}

/// A CSV cell sent to the store thread (see [`crate::safe_csv::Cell`]).
#[derive(Clone, Debug, PartialEq)]
pub enum CsvCell {
    Text(String),
    Int(i64),
    Num(Option<f64>, usize),
}

/// What to sample (the Sample… dialog, checked).
#[derive(Clone, Debug, PartialEq)]
pub struct SampleSpec {
    pub per_agent: usize,
    pub seed: u64,
    pub filter: crate::model::sample::SampleFilter,
    pub stratify: crate::model::sample::Stratify,
    /// Reviewers to assign (balanced by duration); empty: unassigned.
    pub assign: Vec<String>,
}

/// The queue a sample is stored as.
#[derive(Clone, Debug, PartialEq)]
pub struct NewQueue {
    pub name: String,
    pub created_by: String,
}

/// One drawn call, as the dialog lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleRow {
    pub call_id: i64,
    pub file_name: String,
    pub agent: String,
    pub recorded_at: Option<String>,
    pub duration_s: f64,
    pub reviewer: Option<String>,
}

/// A drawn sample (and the queue it was stored as, when asked).
#[derive(Clone, Debug, PartialEq)]
pub struct SamplePreview {
    pub spec: SampleSpec,
    pub rows: Vec<SampleRow>,
    pub agents: Vec<crate::model::sample::AgentCount>,
    /// (why, how many) calls were not eligible.
    pub skipped: Vec<(String, usize)>,
    pub loads: Vec<crate::model::sample::ReviewerLoad>,
    /// Calls in the database.
    pub library_calls: usize,
    /// (id, name) of the queue stored, for `create`.
    pub queue: Option<(i64, String)>,
}

impl StoreRequest {
    /// Scans' call rows wait behind everything a person is waiting for.
    fn urgent(&self) -> bool {
        !matches!(self, StoreRequest::UpsertCall { .. } | StoreRequest::SaveMetrics { .. })
    }
}

/// A review as the workspace edits it.
#[derive(Clone, Debug)]
pub struct LoadedReview {
    pub call_id: i64,
    /// The calibration session it belongs to.
    pub session: Option<i64>,
    /// `None` until first saved.
    pub review_id: Option<i64>,
    pub card_id: i64,
    pub scorecard: Scorecard,
    pub answers: Vec<ItemAnswer>,
    pub status: CallStatus,
}

/// What the store knows of a call just opened.
#[derive(Clone, Debug)]
pub struct OpenedCall {
    pub generation: u64,
    pub path: PathBuf,
    pub summary: CallSummary,
    pub paths: Vec<PathBuf>,
    /// This reviewer's review (`None` when no reviewer name is set yet).
    pub review: Option<LoadedReview>,
    /// Every other reviewer's latest review, with the card each used (read-only). In a
    /// calibration session: the session's, and only once this reviewer has submitted.
    pub others: Vec<(Review, Scorecard)>,
    /// In a calibration session before this reviewer submits: how many others' reviews are
    /// hidden (blind).
    pub hidden_others: usize,
    /// The coaching clips cut from this call (drawn on the waveform).
    pub clips: Vec<crate::store::Clip>,
    /// The call's transcript, if one was imported (or found next to it).
    pub transcript: Option<std::sync::Arc<crate::transcript::Indexed>>,
    /// Why the transcript next to the file was not stored, if it was not.
    pub transcript_problem: Option<String>,
    /// The scorecard's phrase rules matched in the transcript (evidence beside the items).
    pub phrases: PhraseEvidence,
}

/// The scorecard's phrase rules matched in a call's transcript.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhraseEvidence {
    pub hits: Vec<crate::transcript::phrases::PhraseHit>,
    /// Per item key with rules, the words shown when nothing matched.
    pub absent: std::collections::HashMap<String, String>,
}

/// What the store thread replies.
#[derive(Debug)]
pub enum StoreEvent {
    /// A save the team store could not take now, kept in the outbox on this computer (safe:
    /// written and synced); `waiting` changes wait for the team store.
    Queued {
        req: u64,
        call_id: i64,
        waiting: usize,
    },
    /// Changes that waited in the outbox were sent (`refused`: why the server refused some;
    /// they stay in the outbox); `waiting` still wait.
    OutboxSent {
        sent: usize,
        refused: Vec<String>,
        waiting: usize,
    },
    /// The store is open: the team store's login (who reviews there) or `None` for a file,
    /// and where it is.
    Connected {
        login: Option<String>,
        place: String,
    },
    CallRow {
        path: PathBuf,
        summary: CallSummary,
        paths: Vec<PathBuf>,
    },
    Opened(Box<OpenedCall>),
    /// The open call could not be recorded (the window shows why; playback and analysis go on).
    OpenFailed {
        generation: u64,
        error: String,
    },
    Library(Vec<StoredCall>),
    Review(Box<LoadedReview>),
    Saved {
        req: u64,
        call_id: i64,
        review_id: i64,
        summary: CallSummary,
        /// The saved review is submitted (a calibration review is not in `summary`).
        submitted: bool,
    },
    SaveFailed {
        req: u64,
        call_id: i64,
        error: String,
    },
    ClipAdded {
        id: i64,
        set: String,
        clip: Option<Box<crate::store::Clip>>,
    },
    Clips(Vec<crate::store::Clip>),
    Report(Result<Box<ReportData>, String>),
    /// A CSV written: (path, data rows), or why not.
    Exported(Result<(PathBuf, usize), String>),
    /// A sample drawn (and stored, if asked), or why not.
    Sample(Result<Box<SamplePreview>, String>),
    /// "My queue" of `reviewer` (not done first, then by queue, newest first, and position).
    Queue {
        reviewer: String,
        items: Vec<QueueRow>,
    },
    /// Where a phrase is said, for the library's "Said…" filter.
    SearchHits {
        phrase: String,
        hits: Result<Vec<crate::store::SearchHit>, String>,
    },
    /// The calibration sessions.
    Sessions(Vec<SessionRow>),
    /// A request that needs no answer was handled.
    Nothing,
    /// A call's analysis figures are stored.
    MetricsSaved {
        call_id: i64,
    },
    Error(String),
    /// Every reviewer name the database knows, or why not.
    KnownReviewers(Result<Vec<String>, String>),
    /// A calibration session created: (id, name), or why not (the form stays open).
    SessionCreated(Result<(i64, String), String>),
}

/// One item of a reviewer's queue, as the window lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueRow {
    pub queue: String,
    /// Order in its queue, from 0.
    pub position: i64,
    pub call_id: i64,
    pub file_name: String,
    pub agent: Option<String>,
    pub duration_s: f64,
    /// Where the call can be opened: its first known path that holds a file now (the path
    /// the library lists it at); `None` when no file is there.
    pub path: Option<PathBuf>,
    /// The reviewer has submitted a review of the call.
    pub done: bool,
}

pub(super) fn spawn(
    out: Outbox,
    db_path: PathBuf,
    outbox_path: Option<PathBuf>,
) -> std::io::Result<(Sender<StoreRequest>, JoinHandle<()>)> {
    let (tx, rx) = channel::<StoreRequest>();
    let h = std::thread::Builder::new().name("callqa-store".into()).spawn(move || {
        let target = Target::of_path(&db_path);
        let outbox_path = outbox_path.or_else(|| crate::store::outbox::Outbox::default_path().ok());
        let mut link = match &target {
            Target::Team(url) => TeamLink::new(url, outbox_path.clone()),
            Target::Local(_) => None,
        };
        let send = |ev: StoreEvent| {
            out.send(JobEvent::Store(ev));
        };
        let mut store = match connect(&target, &send, outbox_path.as_deref()) {
            Ok(s) => Some(s),
            Err(e) => {
                send(StoreEvent::Error(cannot_save(&target, &e)));
                None
            }
        };
        let mut queue = Queue::new(rx);
        loop {
            // Away from the team store: look for it again every few seconds (and on each
            // request), so waiting changes go as soon as it is back.
            let wait = (store.is_none() && link.is_some()).then_some(RECONNECT_EVERY);
            let req = match queue.next_within(wait) {
                Next::Request(r) => r,
                Next::Idle => {
                    store = connect(&target, &send, outbox_path.as_deref()).ok();
                    continue;
                }
                Next::Closed => break,
            };
            if store.is_none() {
                store = connect(&target, &send, outbox_path.as_deref()).ok();
            }
            if let (Some(l), StoreRequest::OpenCall { hash, path, meta, .. }) = (link.as_mut(), &req) {
                l.opening(hash, path, meta);
            }
            let ev = match (req, store.as_mut(), link.as_ref()) {
                // A save on the team store (in a calibration session or not): kept in the
                // outbox when the server is away.
                (StoreRequest::SaveReview { req, draft, submit, amend_reason, session }, b, Some(l)) => {
                    let call_id = draft.call_id;
                    let saved = match b {
                        Some(b) => save(b, draft.clone(), submit, amend_reason.as_deref(), session),
                        None => Err(StoreError::Team(crate::store::pg::PgError::NotFound(
                            "a connection to the team store".into(),
                        ))),
                    };
                    match saved {
                        Ok((review_id, summary, submitted)) => {
                            StoreEvent::Saved { req, call_id, review_id, summary, submitted }
                        }
                        Err(e) if b_was_none_or_unreachable(store.is_none(), &e) => {
                            store = None;
                            l.keep(req, &draft, submit, amend_reason.as_deref(), session, &e.to_string())
                        }
                        Err(e) => StoreEvent::SaveFailed { req, call_id, error: e.to_string() },
                    }
                }
                (req, Some(b), _) => handle(b, req),
                (req, None, _) => {
                    // Said again with each request (the file may have been fixed meanwhile:
                    // then the next request finds it, below).
                    let why = match Backend::open(&target) {
                        Err(e) => cannot_save(&target, &e),
                        Ok(_) => {
                            "Reviews cannot be saved: the review store was not open; try again".to_string()
                        }
                    };
                    failure(req, &why)
                }
            };
            if let Some(l) = link.as_mut() {
                l.seen(&ev);
            }
            // A broken connection to the team store: the next request connects again.
            if let StoreEvent::SaveFailed { error, .. } | StoreEvent::Error(error) = &ev
                && link.is_some()
                && (error.contains("cannot reach the team database") || error.contains("connection closed"))
            {
                store = None;
            }
            send(ev);
        }
    })?;
    Ok((tx, h))
}

/// How often the store thread looks for the team store again while it is away.
const RECONNECT_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// Opens the store; on the team store also says who is connected and sends what waited in
/// the outbox.
fn connect(target: &Target, send: &dyn Fn(StoreEvent), outbox: Option<&Path>) -> Result<Backend, StoreError> {
    let mut s = Backend::open(target)?;
    send(StoreEvent::Connected { login: s.login().map(str::to_string), place: s.describe() });
    let Some(outbox) = outbox else { return Ok(s) };
    match s.sync_outbox(outbox) {
        Ok(Some(r)) => send(StoreEvent::OutboxSent {
            sent: r.sent,
            refused: r.refused.into_iter().map(|(_, why)| why).collect(),
            waiting: r.waiting,
        }),
        Ok(None) => {}
        Err(e) => send(StoreEvent::Error(format!("The outbox could not be sent: {e}"))),
    }
    Ok(s)
}

fn cannot_save(target: &Target, e: &StoreError) -> String {
    let place = match target {
        Target::Local(p) => format!("database {}", p.display()),
        Target::Team(_) => "the team store".to_string(),
    };
    format!("Reviews cannot be saved: {e} ({place})")
}

/// A save goes to the outbox when there was no connection, or the server went away.
fn b_was_none_or_unreachable(no_connection: bool, e: &StoreError) -> bool {
    no_connection || super::team_link::unreachable(e)
}

/// What the thread does next.
enum Next {
    Request(StoreRequest),
    /// Nothing came within the wait.
    Idle,
    /// The window has gone and all is done.
    Closed,
}

/// The requests received, urgent ones taken first (in order among themselves).
struct Queue {
    rx: Receiver<StoreRequest>,
    waiting: VecDeque<StoreRequest>,
}

impl Queue {
    fn new(rx: Receiver<StoreRequest>) -> Queue {
        Queue { rx, waiting: VecDeque::new() }
    }

    /// The next request, waiting at most `wait` (for ever with `None`).
    fn next_within(&mut self, wait: Option<std::time::Duration>) -> Next {
        if self.waiting.is_empty() {
            let got = match wait {
                None => self.rx.recv().map_err(|_| true),
                Some(w) => {
                    self.rx.recv_timeout(w).map_err(|e| e == std::sync::mpsc::RecvTimeoutError::Disconnected)
                }
            };
            match got {
                Ok(r) => self.waiting.push_back(r),
                Err(true) => return Next::Closed,
                Err(false) => return Next::Idle,
            }
        }
        match self.next() {
            Some(r) => Next::Request(r),
            None => Next::Closed,
        }
    }

    /// The next request to handle; `None` once the window has gone and all is done.
    fn next(&mut self) -> Option<StoreRequest> {
        if self.waiting.is_empty() {
            self.waiting.push_back(self.rx.recv().ok()?);
        }
        self.waiting.extend(self.rx.try_iter());
        match self.waiting.iter().position(StoreRequest::urgent) {
            Some(i) => self.waiting.remove(i),
            None => self.waiting.pop_front(),
        }
    }
}

/// The reply to a request that failed with `why`.
pub(super) fn failure(req: StoreRequest, why: &str) -> StoreEvent {
    match req {
        StoreRequest::SaveReview { req, draft, .. } => {
            StoreEvent::SaveFailed { req, call_id: draft.call_id, error: why.to_string() }
        }
        StoreRequest::OpenCall { generation, .. } => {
            StoreEvent::OpenFailed { generation, error: why.to_string() }
        }
        StoreRequest::CreateSession(_) => StoreEvent::SessionCreated(Err(why.to_string())),
        _ => StoreEvent::Error(why.to_string()),
    }
}

fn handle(store: &mut Backend, req: StoreRequest) -> StoreEvent {
    match req {
        StoreRequest::SaveReview { req, draft, submit, amend_reason, session } => {
            let call_id = draft.call_id;
            match save(store, draft, submit, amend_reason.as_deref(), session) {
                Ok((review_id, summary, submitted)) => {
                    StoreEvent::Saved { req, call_id, review_id, summary, submitted }
                }
                Err(e) => StoreEvent::SaveFailed { req, call_id, error: e.to_string() },
            }
        }
        StoreRequest::OpenCall { generation, path, hash, meta, reviewer, sidecar, session } => {
            match open_call(store, generation, OpenArgs { path, hash, meta, reviewer, sidecar, session }) {
                Ok(o) => StoreEvent::Opened(Box::new(o)),
                Err(e) => StoreEvent::OpenFailed { generation, error: format!("Review store: {e}") },
            }
        }
        other => {
            handle_other(store, other).unwrap_or_else(|e| StoreEvent::Error(format!("Review store: {e}")))
        }
    }
}

fn save(
    store: &mut Backend,
    mut draft: ReviewDraft,
    submit: bool,
    amend_reason: Option<&str>,
    session: Option<i64>,
) -> Result<(i64, CallSummary, bool), StoreError> {
    if draft.id.is_none() {
        // A second save queued before the first one's id came back updates that review.
        draft.id = match session {
            Some(s) => store.latest_session_review(s, draft.call_id, &draft.reviewer)?,
            None => store.latest_review(draft.call_id, &draft.reviewer)?,
        }
        .map(|r| r.id);
    }
    let review_id = match (amend_reason, session) {
        (_, Some(s)) => store.save_session_review(s, &draft, submit)?,
        (Some(reason), None) => store.amend_review(&draft, reason)?,
        (None, None) => store.save_review(&draft, submit)?,
    };
    let submitted = store.review(review_id)?.status == ReviewStatus::Submitted;
    Ok((review_id, summary(store, draft.call_id)?, submitted))
}

/// What [`StoreRequest::OpenCall`] carries, but its generation.
struct OpenArgs {
    path: PathBuf,
    hash: String,
    meta: Box<CallMeta>,
    reviewer: Option<String>,
    sidecar: Option<Box<Sidecar>>,
    session: Option<i64>,
}

fn open_call(store: &mut Backend, generation: u64, args: OpenArgs) -> Result<OpenedCall, StoreError> {
    let OpenArgs { path, hash, meta, reviewer, sidecar, session } = args;
    let (hash, reviewer) = (hash.as_str(), reviewer.as_deref());
    let call_id = store.upsert_call(hash, &path, &meta)?;
    let transcript_problem =
        sidecar.as_ref().and_then(|s| store_sidecar(store, hash, s).err()).map(|e| e.to_string());
    // A transcript next to the file that could not be stored (a reviewer on the team store)
    // is still shown.
    let transcript = match store.transcript(hash)? {
        Some(t) => Some(t.transcript),
        None => sidecar.filter(|_| transcript_problem.is_some()).map(|s| s.transcript),
    }
    .map(|t| std::sync::Arc::new(crate::transcript::Indexed::new(t)));
    let review = reviewer.map(|r| load_review_in(store, call_id, r, session)).transpose()?;
    let transcript_card = review.as_ref().map(|r| r.scorecard.clone());
    let mut others = Vec::new();
    let theirs = match session {
        Some(s) => {
            store.session_rows(s)?.into_iter().filter(|r| r.call.id == call_id).map(|r| r.review).collect()
        }
        None => store.reviews_of_call(call_id)?,
    };
    for r in latest_per_reviewer(theirs) {
        if Some(r.reviewer.as_str()) != reviewer {
            let card = store.scorecard(r.card_id)?.card;
            others.push((r, card));
        }
    }
    // Blind: in a session, the others' answers show once this reviewer has submitted.
    let mine_submitted = review.as_ref().is_some_and(|r| matches!(r.status, CallStatus::Submitted { .. }));
    let hidden_others =
        if session.is_some() && !mine_submitted { std::mem::take(&mut others).len() } else { 0 };
    let clips = store.clips_if_any()?.into_iter().filter(|c| c.call.id == call_id).collect();
    Ok(OpenedCall {
        generation,
        path,
        summary: summary(store, call_id)?,
        paths: store.call_paths(call_id)?,
        review,
        others,
        hidden_others,
        clips,
        phrases: match &transcript {
            Some(t) => phrase_hits(store, transcript_card.as_ref(), &t.transcript)?,
            None => PhraseEvidence::default(),
        },
        transcript,
        transcript_problem,
    })
}

/// The phrase rules of `card` (the review's card; an item without rules borrows the
/// default card's rules for the same key, so reviews on older card versions get them too)
/// matched in `t`.
fn phrase_hits(
    store: &mut Backend,
    card: Option<&Scorecard>,
    t: &crate::transcript::Transcript,
) -> Result<PhraseEvidence, StoreError> {
    let default = store.default_scorecard()?.card;
    let mut card = card.cloned().unwrap_or_else(|| default.clone());
    for section in &mut card.sections {
        for item in &mut section.items {
            if item.phrases.is_none() {
                item.phrases = default.item(&item.key).and_then(|d| d.phrases.clone());
            }
        }
    }
    let absent =
        card.items().filter_map(|i| i.phrases.as_ref().map(|r| (i.key.clone(), r.absent_text()))).collect();
    Ok(PhraseEvidence { hits: crate::transcript::phrases::find_phrases(&card, t), absent })
}

/// Stores a transcript found next to a call when the call has none yet, or when the stored
/// one came from a file of the same name and has changed (the file was updated). A
/// transcript imported from another file is kept.
/// On the team store it is stored in the login's name (a lead's right: a reviewer's scan is
/// refused by the server).
fn store_sidecar(store: &mut Backend, hash: &str, s: &Sidecar) -> Result<(), StoreError> {
    match store.transcript(hash)? {
        Some(old) if old.source != s.source || old.transcript == s.transcript => Ok(()),
        _ => {
            let actor = store.login().unwrap_or("scan").to_string();
            store.save_transcript(hash, &s.transcript, &s.source, &actor)
        }
    }
}

fn handle_other(store: &mut Backend, req: StoreRequest) -> Result<StoreEvent, StoreError> {
    match req {
        StoreRequest::Search { phrase } => {
            // Every hit: the library counts them per call.
            let hits = store.search(&phrase, None, 100_000).map_err(|e| e.to_string());
            Ok(StoreEvent::SearchHits { phrase, hits })
        }
        StoreRequest::UpsertCall { path, hash, meta, sidecar } => {
            let call_id = store.upsert_call(&hash, &path, &meta)?;
            if let Some(s) = sidecar {
                match store_sidecar(store, &hash, &s) {
                    // A reviewer's scan on the team store: the call's row still comes back; the
                    // reason is said when the call is opened.
                    Err(StoreError::Team(PgError::Denied(_))) => {}
                    other => other?,
                }
            }
            Ok(StoreEvent::CallRow {
                path,
                summary: summary(store, call_id)?,
                paths: store.call_paths(call_id)?,
            })
        }
        StoreRequest::LoadReview { call_id, reviewer, session } => {
            Ok(StoreEvent::Review(Box::new(load_review_in(store, call_id, &reviewer, session)?)))
        }
        StoreRequest::AddActiveTime { review_id, seconds } => match store.add_active_time(review_id, seconds)
        {
            Ok(()) => Ok(StoreEvent::Nothing),
            Err(e) => {
                log::warn!("active review time of review {review_id} not stored: {e}");
                Ok(StoreEvent::Nothing)
            }
        },
        StoreRequest::Sessions { reviewer } => {
            Ok(StoreEvent::Sessions(sessions(store, reviewer.as_deref())?))
        }
        StoreRequest::ListLibrary => {
            let mut rows = Vec::new();
            for record in store.calls()? {
                let paths = store.call_paths(record.id)?.into_iter().map(|p| {
                    let here = p.is_file();
                    (p, here)
                });
                let summary = summary(store, record.id)?;
                rows.push(StoredCall { paths: paths.collect(), summary, record });
            }
            Ok(StoreEvent::Library(rows))
        }
        StoreRequest::AddClip(draft) => {
            let id = store.add_clip(&draft)?;
            let clip = store.clips(None)?.into_iter().find(|c| c.id == id).map(Box::new);
            Ok(StoreEvent::ClipAdded { id, set: draft.set.trim().to_string(), clip })
        }
        StoreRequest::ListClips => Ok(StoreEvent::Clips(store.clips(None)?)),
        StoreRequest::RemoveClip { id, actor } => {
            store.remove_clip(id, &actor)?;
            Ok(StoreEvent::Clips(store.clips(None)?))
        }
        StoreRequest::MyQueue { reviewer } => {
            let mut items = Vec::new();
            for i in store.my_queue(&reviewer)? {
                let path = first_existing_path(store, i.call.id, &i.call.path)?;
                items.push(QueueRow {
                    queue: i.queue,
                    position: i.position,
                    call_id: i.call.id,
                    file_name: i.call.meta.file_name,
                    agent: i.call.meta.agent,
                    duration_s: i.call.meta.duration_s,
                    path,
                    done: i.done,
                });
            }
            Ok(StoreEvent::Queue { reviewer, items })
        }
        StoreRequest::Sample { spec, create } => Ok(StoreEvent::Sample(sample(store, *spec, create))),
        StoreRequest::Report(filter) => Ok(StoreEvent::Report(report(store, filter))),
        StoreRequest::ExportCsv { path, header, rows } => {
            Ok(StoreEvent::Exported(export_csv(store, &path, &header, &rows).map(|()| (path, rows.len()))))
        }
        StoreRequest::SaveMetrics { call_id, metrics } => Ok(match store.save_metrics(call_id, &metrics) {
            Ok(()) => StoreEvent::MetricsSaved { call_id },
            Err(e) => StoreEvent::Error(format!("The call's analysis figures were not stored: {e}")),
        }),
        StoreRequest::KnownReviewers => {
            Ok(StoreEvent::KnownReviewers(store.known_reviewers().map_err(|e| format!("Review store: {e}"))))
        }
        StoreRequest::CreateSession(draft) => Ok(StoreEvent::SessionCreated(
            store.create_session(&draft).map(|id| (id, draft.name.trim().to_string())).map_err(|e| match e {
                StoreError::BadData(why) => why,
                e => format!("Review store: {e}"),
            }),
        )),
        // Answered by `handle`.
        req @ (StoreRequest::SaveReview { .. } | StoreRequest::OpenCall { .. }) => {
            Ok(failure(req, "internal error: request routed twice"))
        }
    }
}

/// Draws a sample as `callqa sample` does (agent and date as the database recorded them) and
/// stores it as a queue when asked (one transaction with its audit row).
fn sample(
    store: &mut Backend,
    spec: SampleSpec,
    create: Option<NewQueue>,
) -> Result<Box<SamplePreview>, String> {
    use crate::model::sample::{self as s, SampleCall};
    use crate::store::{QueueDraft, QueueItemDraft, ReviewState};
    let err = |e: StoreError| format!("Review store: {e}");
    if let Some(q) = &create
        && store.queue_by_name(&q.name).map_err(err)?.is_some()
    {
        return Err(format!("A queue named \"{}\" exists already: choose another name.", q.name.trim()));
    }
    let states = store.review_states().map_err(err)?;
    let records = store.calls().map_err(err)?;
    // Overtalk rates only when stratifying by them (calls without stored figures are skipped).
    let rates: std::collections::HashMap<i64, f64> = if spec.stratify == s::Stratify::Overtalk {
        store
            .all_metrics()
            .map_err(err)?
            .into_iter()
            .filter_map(|m| m.metrics.overtalk_per_min().map(|r| (m.call_id, r)))
            .collect()
    } else {
        std::collections::HashMap::new()
    };
    let calls: Vec<SampleCall> = records
        .iter()
        .map(|c| SampleCall {
            call_id: c.id,
            hash: c.hash.clone(),
            agent: c.meta.agent.clone(),
            recorded_at: c.meta.recorded_at.clone(),
            duration_s: c.meta.duration_s,
            sample_rate: c.meta.sample_rate,
            channels: c.meta.channels,
            reviewed: states.get(&c.hash).is_some_and(|st| *st != ReviewState::NotReviewed),
            overtalk_per_min: rates.get(&c.id).copied(),
        })
        .collect();
    let mut drawn = s::sample(&calls, &spec.filter, spec.per_agent, spec.stratify, spec.seed);
    let loads = s::assign(&mut drawn.picks, &spec.assign);
    let skipped: Vec<(String, usize)> =
        drawn.skipped.iter().map(|(why, n)| (why.describe().to_string(), *n)).collect();
    let name_of = |id: i64| records.iter().find(|c| c.id == id).map(|c| c.meta.file_name.clone());
    let rows: Vec<SampleRow> = drawn
        .picks
        .iter()
        .map(|p| SampleRow {
            call_id: p.call_id,
            file_name: name_of(p.call_id).unwrap_or_default(),
            agent: p.agent.clone(),
            recorded_at: p.recorded_at.clone(),
            duration_s: p.duration_s,
            reviewer: p.reviewer.clone(),
        })
        .collect();
    let queue = match create {
        Some(q) if rows.is_empty() => {
            return Err(format!("No call can be sampled, so no queue \"{}\" was made.", q.name.trim()));
        }
        Some(q) => {
            let params = serde_json::json!({
                "algorithm": s::ALGORITHM,
                "per_agent": spec.per_agent,
                "from": spec.filter.from,
                "to": spec.filter.to,
                "min_duration_s": spec.filter.min_duration_s,
                "stratify": spec.stratify,
                "exclude_reviewed": spec.filter.exclude_reviewed,
                "assign": spec.assign,
                "library_calls": calls.len(),
                "made_in": "window",
            });
            let draft = QueueDraft {
                name: q.name.trim().to_string(),
                seed: spec.seed,
                params,
                created_by: q.created_by.clone(),
                items: drawn
                    .picks
                    .iter()
                    .map(|p| QueueItemDraft { call_id: p.call_id, reviewer: p.reviewer.clone() })
                    .collect(),
            };
            let id = store.create_queue(&draft).map_err(|e| format!("Cannot store the queue: {e}"))?;
            Some((id, draft.name))
        }
        None => None,
    };
    Ok(Box::new(SamplePreview {
        spec,
        rows,
        agents: drawn.agents,
        skipped,
        loads,
        library_calls: calls.len(),
        queue,
    }))
}

/// The figures of `callqa report` (submitted reviews), by agent and by reviewer, with each
/// reviewer's offset ([`crate::model::calibration`]) and the calls behind them.
fn report(store: &mut Backend, filter: ReportFilter) -> Result<Box<ReportData>, String> {
    use crate::model::calibration::{CalibrationEntry, calibrate};
    use crate::model::report::{GroupBy, ReportEntry, UNKNOWN_AGENT, UNKNOWN_TEAM};
    let err = |e: StoreError| format!("Review store: {e}");
    let queues: Vec<String> = store.queues().map_err(err)?.into_iter().map(|q| q.name).collect();
    let queue_calls: Option<std::collections::HashSet<i64>> = match &filter.queue {
        None => None,
        Some(name) => {
            let q = store
                .queue_by_name(name)
                .map_err(err)?
                .ok_or_else(|| format!("There is no queue named \"{name}\"."))?;
            Some(store.queue_items(q.id, None).map_err(err)?.into_iter().map(|i| i.call.id).collect())
        }
    };
    let rows = store.export_rows().map_err(err)?;
    let agent_of =
        |r: &crate::store::ExportRow| r.call.meta.agent.clone().unwrap_or_else(|| UNKNOWN_AGENT.to_string());
    let submitted: Vec<&crate::store::ExportRow> =
        rows.iter().filter(|r| r.review.status == ReviewStatus::Submitted).collect();
    let mut agents: Vec<String> = submitted.iter().map(|r| agent_of(r)).collect();
    agents.sort();
    agents.dedup();
    let team_of =
        |r: &crate::store::ExportRow| r.call.meta.team.clone().unwrap_or_else(|| UNKNOWN_TEAM.to_string());
    let mut teams: Vec<String> = submitted.iter().map(|r| team_of(r)).collect();
    teams.sort();
    teams.dedup();
    let kept: Vec<&crate::store::ExportRow> = submitted
        .into_iter()
        .filter(|r| r.recorded_between(filter.from.as_deref(), filter.to.as_deref()))
        .filter(|r| queue_calls.as_ref().is_none_or(|q| q.contains(&r.call.id)))
        .filter(|r| filter.agent.as_ref().is_none_or(|a| *a == agent_of(r)))
        .filter(|r| filter.team.as_ref().is_none_or(|t| *t == team_of(r)))
        .collect();
    let entries: Vec<ReportEntry<'_>> = kept.iter().map(|r| r.report_entry()).collect();
    let cal: Vec<CalibrationEntry<'_>> =
        kept.iter().map(|r| r.calibration_entry(&r.call.meta.file_name)).collect();
    let mut calls = Vec::new();
    for r in &kept {
        calls.push(ReportCall {
            agent: agent_of(r),
            team: r.call.meta.team.clone(),
            call_id: r.call.id,
            file_name: r.call.meta.file_name.clone(),
            path: first_existing_path(store, r.call.id, &r.call.path).map_err(err)?,
            recorded_at: r.call.meta.recorded_at.clone(),
            reviewer: r.review.reviewer.clone(),
            percent: r.review.score.percent,
        });
    }
    let trend = crate::model::report::weekly_trend(
        calls.iter().map(|c| (c.agent.as_str(), c.recorded_at.as_deref(), c.percent)),
    );
    Ok(Box::new(ReportData {
        trend,
        by_agent: crate::model::report::report(&entries, GroupBy::Agent),
        by_reviewer: crate::model::report::report(&entries, GroupBy::Reviewer),
        offsets: calibrate(&cal).reviewers,
        calls,
        agents,
        queues,
        filter,
        teams,
    }))
}

/// Writes a table through [`crate::safe_csv`] and [`crate::safe_file`]: never onto the
/// database, an audio file or a file that exists.
fn export_csv(
    store: &mut Backend,
    path: &std::path::Path,
    header: &[String],
    rows: &[Vec<CsvCell>],
) -> Result<(), String> {
    use crate::safe_csv::{Cell, CsvWriter};
    let mut policy = crate::safe_file::Policy::new(false);
    if let Some(db) = store.local_path() {
        policy.protect_database(db);
    }
    let write = |w: &mut std::io::BufWriter<&mut std::fs::File>| -> Result<(), anyhow::Error> {
        let mut csv = CsvWriter::new(w, false)?;
        csv.header(header)?;
        for row in rows {
            let cells: Vec<Cell<'_>> = row
                .iter()
                .map(|c| match c {
                    CsvCell::Text(t) => Cell::text(t.as_str()),
                    CsvCell::Int(v) => Cell::Int(*v),
                    CsvCell::Num(v, d) => Cell::opt_num(*v, *d),
                })
                .collect();
            csv.row(&cells)?;
        }
        csv.finish()?;
        Ok(())
    };
    crate::safe_file::write_with(path, &policy, write)
        .map_err(|e| format!("Cannot write {}: {e}", path.display()))
}

/// The path the library lists a stored call at: the first of its paths that holds a file
/// (as [`StoreRequest::ListLibrary`] reports them), else `None`.
fn first_existing_path(
    store: &mut Backend,
    call_id: i64,
    last: &std::path::Path,
) -> Result<Option<PathBuf>, StoreError> {
    let paths = store.call_paths(call_id)?;
    Ok(paths.into_iter().chain([last.to_path_buf()]).find(|p| p.is_file()))
}

/// `reviewer`'s latest review of the call (in calibration session `session` when given), or
/// an empty one on the default card.
fn load_review_in(
    store: &mut Backend,
    call_id: i64,
    reviewer: &str,
    session: Option<i64>,
) -> Result<LoadedReview, StoreError> {
    let latest = match session {
        Some(s) => store.latest_session_review(s, call_id, reviewer)?,
        None => store.latest_review(call_id, reviewer)?,
    };
    Ok(match latest {
        Some(r) => {
            let card = store.scorecard(r.card_id)?;
            LoadedReview {
                call_id,
                session,
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
                session,
                review_id: None,
                card_id: card.id,
                scorecard: card.card,
                answers: Vec::new(),
                status: CallStatus::NotReviewed,
            }
        }
    })
}

/// One calibration session as the window lists it.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub reviewers: Vec<String>,
    /// The asking reviewer is one of its reviewers.
    pub mine: bool,
    /// Per call: (call id, file name, path to open it at, the asker's status there,
    /// submitted reviews of it).
    pub calls: Vec<SessionCall>,
    /// The session's figures over submitted reviews; `None` while the asker still has calls
    /// to score in it (blind).
    pub figures: Option<crate::model::calibration::Calibration>,
}

#[derive(Clone, Debug)]
pub struct SessionCall {
    pub call_id: i64,
    /// The call's content hash (the figures name calls by it).
    pub hash: String,
    pub file_name: String,
    pub path: Option<PathBuf>,
    pub status: CallStatus,
    pub submitted: usize,
}

fn sessions(store: &mut Backend, reviewer: Option<&str>) -> Result<Vec<SessionRow>, StoreError> {
    let mut out = Vec::new();
    for s in store.sessions(None)? {
        let rows = store.session_rows(s.id)?;
        let mine = reviewer.is_some_and(|r| s.reviewers.iter().any(|x| x == r));
        let mut calls = Vec::new();
        for c in &s.calls {
            let of_call: Vec<&crate::store::ExportRow> = rows.iter().filter(|r| r.call.id == c.id).collect();
            let latest = latest_per_reviewer(of_call.iter().map(|r| r.review.clone()).collect());
            let status = reviewer
                .and_then(|me| latest.iter().find(|r| r.reviewer == me))
                .map_or(CallStatus::NotReviewed, CallStatus::of);
            let submitted = latest.iter().filter(|r| r.status == ReviewStatus::Submitted).count();
            let path = store.call_paths(c.id)?.into_iter().find(|p| p.is_file());
            calls.push(SessionCall {
                call_id: c.id,
                hash: c.hash.clone(),
                file_name: c.meta.file_name.clone(),
                path,
                status,
                submitted,
            });
        }
        let done = calls.iter().all(|c| matches!(c.status, CallStatus::Submitted { .. }));
        let figures = (!mine || done).then(|| {
            let kept: Vec<&crate::store::ExportRow> =
                rows.iter().filter(|r| r.review.status == ReviewStatus::Submitted).collect();
            let names: Vec<String> = kept.iter().map(|r| r.call.meta.file_name.clone()).collect();
            let entries: Vec<_> = kept.iter().zip(&names).map(|(r, n)| r.calibration_entry(n)).collect();
            crate::model::calibration::calibrate(&entries)
        });
        out.push(SessionRow {
            id: s.id,
            name: s.name,
            created_by: s.created_by,
            reviewers: s.reviewers,
            mine,
            calls,
            figures,
        });
    }
    // The asker's sessions first.
    out.sort_by_key(|s| !s.mine);
    Ok(out)
}

/// Each reviewer's latest review (by last change), submitted ones first, then by name.
fn latest_per_reviewer(reviews: Vec<Review>) -> Vec<Review> {
    let mut latest: Vec<Review> = Vec::new();
    for r in reviews {
        match latest.iter_mut().find(|x| x.reviewer == r.reviewer) {
            Some(x) if x.updated_at < r.updated_at => *x = r,
            Some(_) => {}
            None => latest.push(r),
        }
    }
    latest.sort_by(|a, b| {
        (b.status == ReviewStatus::Submitted)
            .cmp(&(a.status == ReviewStatus::Submitted))
            .then_with(|| a.reviewer.cmp(&b.reviewer))
    });
    latest
}

/// The call's standing: its latest submitted review, else its latest draft; and every
/// reviewer's result.
fn summary(store: &mut Backend, call_id: i64) -> Result<CallSummary, StoreError> {
    let reviews = store.reviews_of_call(call_id)?;
    let pick = reviews
        .iter()
        .filter(|r| r.status == ReviewStatus::Submitted)
        .max_by(|a, b| a.updated_at.cmp(&b.updated_at))
        .or_else(|| reviews.iter().max_by(|a, b| a.updated_at.cmp(&b.updated_at)));
    let (status, score) = match pick {
        Some(r) => (CallStatus::of(r), r.score.percent),
        None => (CallStatus::NotReviewed, None),
    };
    let results = latest_per_reviewer(reviews)
        .into_iter()
        .map(|r| ReviewerResult {
            submitted: r.status == ReviewStatus::Submitted,
            percent: r.score.percent,
            reviewer: r.reviewer,
        })
        .collect();
    Ok(CallSummary { call_id, status, score, results })
}

/// The live score of answers on a card: (headline, formula).
pub fn score_text(card: &Scorecard, answers: &[ItemAnswer]) -> (String, String) {
    let s = scorecard::score(card, answers);
    (format!("Score: {}", s.summary()), scorecard::score_formula().to_string())
}
