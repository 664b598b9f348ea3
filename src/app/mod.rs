//! The review window: [`CallqaApp`] (the `eframe::App`), its state, the [`Command`] enum and
//! the one function that applies commands ([`CallqaApp::apply`], in `apply.rs`).
//!
//! Each frame: drain worker results (`events.rs`), turn keys and drops into commands
//! (`keys.rs`), apply every queued command, then draw (`crate::ui`). Drawing only pushes
//! commands.

mod apply;
pub mod calibration;
pub mod clip;
mod command;
mod events;
pub mod evidence;
mod keys;
pub mod library;
pub mod prefs;
pub mod reports;
pub mod review;
pub mod sample;
pub mod transport;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use command::Command;
pub use keys::SHORTCUTS;
pub use library::{CallEntry, Library, Probe, SortKey, StatusFilter};
pub use prefs::Prefs;
pub use review::Review;
pub use transport::Transport;
pub use view::WaveView;

use crate::analysis::{Analysis, Peaks};
use crate::jobs::{AnalyseProgress, Jobs};

/// How the window starts.
#[derive(Clone, Debug, Default)]
pub struct AppConfig {
    /// The review database.
    pub db_path: PathBuf,
    /// Files and folders to open at start.
    pub paths: Vec<PathBuf>,
    /// Open an audio device (false in tests: playback unavailable, all else works).
    pub audio: bool,
    /// The window's size (points); `None`: as last closed.
    pub size: Option<(f32, f32)>,
    /// `db_path` was given (`--db`, `CALLQA_DB`): it wins over the Review store setting.
    pub db_from_user: bool,
    /// The team store's outbox file; `None`: `outbox.sqlite3` in the data folder (or
    /// `$CALLQA_OUTBOX`), shared with `callqa review`.
    pub outbox: Option<PathBuf>,
}

/// The call shown in the workspace.
#[derive(Clone, Debug)]
pub struct OpenCall {
    pub path: PathBuf,
    pub name: String,
    /// Bumped for every open: results of older analyses are ignored.
    pub generation: u64,
    pub peaks: Option<Arc<Peaks>>,
    pub analysis: Option<Arc<Analysis>>,
    pub progress: AnalyseProgress,
    pub error: Option<String>,
    pub opened_at: Instant,
    /// Time from the open to the first peaks arriving.
    pub first_peaks_after: Option<Duration>,
    /// Time from the open to the first frame that drew a waveform.
    pub first_drawn_after: Option<Duration>,
    pub view: WaveView,
    /// The event a jump landed on (highlighted), and when.
    pub highlight: Option<(f64, f64)>,
    /// The call's row in the store (from the open-call job), once known.
    pub call_id: Option<i64>,
    /// Every path this call's audio was seen at (copies).
    pub paths: Vec<PathBuf>,
    /// Channels, once the header is read (mono calls have no side controls).
    pub channels: Option<u16>,
    /// Other reviewers' latest reviews of this call, with their cards (read-only).
    pub others: Vec<(crate::model::scorecard::Review, crate::model::scorecard::Scorecard)>,
    /// In a calibration session before submitting: how many others' reviews are hidden.
    pub hidden_others: usize,
    /// Coaching clips cut from this call (drawn on the waveform).
    pub clips: Vec<crate::store::Clip>,
    /// The call's transcript (imported, or found next to the file), ready to search.
    pub transcript: Option<Arc<crate::transcript::Indexed>>,
    /// The scorecard's phrase rules found in the transcript (evidence beside the items).
    pub phrases: crate::jobs::store_worker::PhraseEvidence,
}

impl OpenCall {
    /// The call can be scored and clipped: it opened, has audio, and the store knows it.
    pub fn scorable(&self) -> bool {
        self.error.is_none() && self.call_id.is_some() && self.view.duration_s > 0.0
    }
}

/// A message in the banner under the menu.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    /// When it was said: information fades after [`MESSAGE_FADES_AFTER`]; errors stay until
    /// dismissed.
    pub at: Instant,
}

/// How long an information message stays in the banner.
pub const MESSAGE_FADES_AFTER: Duration = Duration::from_secs(6);

/// What to do about unsaved changes when the window is being closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseChoice {
    /// Save every unsaved draft, close once the store has confirmed.
    SaveAndClose,
    /// Close and drop the unsaved changes.
    Discard,
    /// Keep the window open.
    Stay,
}

/// Per-frame timing, when `CALLQA_FRAME_STATS=1`.
#[derive(Debug, Default)]
pub struct FrameStats {
    pub enabled: bool,
    /// App time per frame (logic + building the UI), ms.
    pub samples: Vec<f64>,
    /// eframe's CPU time of the previous frame (app + tessellation + painting), ms.
    pub eframe_samples: Vec<f64>,
    pub last_report: Option<Instant>,
    pub frame_started: Option<Instant>,
}

/// The review window.
pub struct CallqaApp {
    pub config: AppConfig,
    pub prefs: Prefs,
    pub library: Library,
    pub call: Option<OpenCall>,
    pub review: Option<Review>,
    pub transport: Transport,
    pub jobs: Jobs,
    pub queue: Vec<Command>,
    pub message: Option<Message>,
    /// The in-app "open a path" field (where no file dialog answers).
    pub open_path: Option<String>,
    /// What the path field's browser shows: the text it was listed for and the listing.
    pub path_listing: Option<(String, Result<crate::jobs::DirListing, String>)>,
    /// The text a listing was last asked for (so each change is asked once).
    pub path_listing_asked: Option<String>,
    pub show_shortcuts: bool,
    /// The "clip this moment" form, while open.
    pub clip_form: Option<clip::ClipForm>,
    /// The coaching-sets window: `None` closed, `Some(None)` loading, `Some(Some(..))` shown.
    pub clip_sets: Option<Option<Vec<crate::store::Clip>>>,
    /// The Reports window, while open.
    pub reports: Option<reports::ReportsView>,
    /// The Sample… dialog, while open.
    pub sample_form: Option<sample::SampleForm>,
    /// "My queue" as the store last sent it (`None` until loaded).
    pub my_queue: Option<Vec<crate::jobs::store_worker::QueueRow>>,
    /// The call list shows "My queue" instead of every call.
    pub show_queue: bool,
    /// The queue "Next unreviewed" goes through (`None`: all of mine while "My queue" is
    /// shown, else the library).
    pub queue_choice: Option<String>,
    /// Where to put the playhead once the call being opened is known: (call, seconds).
    pub pending_seek: Option<(std::path::PathBuf, f64, f64)>,
    /// Reviewer name being typed in the first-run prompt.
    pub reviewer_draft: String,
    /// Ask the comment box of this item to take focus next frame.
    pub focus_comment: Option<String>,
    /// The reviewer-name field is open ("change"), with the keyboard.
    pub editing_reviewer: bool,
    /// On the team store: the login, which is the reviewer (the name cannot be changed).
    pub team_login: Option<String>,
    /// Where the reviews are: the database file, or the team store's `user@host:port/db`.
    pub store_place: String,
    /// Changes kept in the outbox for the team store (the server was away).
    pub outbox_waiting: usize,
    /// File → Review store…: the team store URL being typed.
    pub store_form: Option<String>,
    /// Give the keyboard to the field that just opened (reviewer name, path field).
    pub focus_field: bool,
    /// The "why are you amending" prompt, with the reason typed so far.
    pub amend_reason: Option<String>,
    /// The window was asked to close with unsaved changes: the question is shown.
    pub confirm_close: bool,
    /// Close once every save has been confirmed ("Save and close").
    pub closing: bool,
    /// The user chose to close (nothing more to ask).
    pub close_now: bool,
    /// Reviews of calls no longer open whose last save has not been confirmed (retried).
    pub unsaved: Vec<(String, Review)>,
    /// The id of the next store request that needs an answer.
    pub next_request: u64,
    /// A call to open once its review is saved (next after submit).
    pub generation: u64,
    pub frame_stats: FrameStats,
    /// The transcript panel's "find" text, its matches in the open call's transcript (word
    /// ranges) and the one last jumped to.
    /// Active review time: (when the last frame ran, whether the window had the focus).
    pub active_clock: Option<(Instant, bool)>,
    /// The calibration session being scored (id, name): calls open blind in it.
    pub session: Option<(i64, String)>,
    /// Review → Calibration: `None` closed, `Some(None)` loading, `Some(Some(..))` shown.
    pub sessions: Option<Option<Vec<crate::jobs::store_worker::SessionRow>>>,
    /// Review → Calibration → New session…, while open.
    pub session_form: Option<calibration::SessionForm>,
    pub transcript_find: String,
    pub transcript_matches: Vec<Vec<usize>>,
    pub transcript_match: Option<usize>,
    ctx: egui::Context,
}

impl std::fmt::Debug for CallqaApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallqaApp").field("config", &self.config).finish_non_exhaustive()
    }
}

impl CallqaApp {
    /// Builds the app for eframe (prefs from its storage).
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> CallqaApp {
        let prefs =
            cc.storage.and_then(|s| eframe::get_value::<Prefs>(s, prefs::STORAGE_KEY)).unwrap_or_default();
        CallqaApp::with_prefs(&cc.egui_ctx, config, prefs)
    }

    /// Builds the app on a context with given prefs (tests use this through kittest).
    pub fn with_prefs(ctx: &egui::Context, config: AppConfig, prefs: Prefs) -> CallqaApp {
        crate::ui::fonts::install(ctx);
        let waker_ctx = ctx.clone();
        // File → Review store… chose the team store (used when no --db was given).
        let mut config = config;
        if !config.db_from_user && !prefs.team_store.trim().is_empty() {
            config.db_path = PathBuf::from(prefs.team_store.trim());
        }
        let jobs = Jobs::new(
            Arc::new(move || waker_ctx.request_repaint()),
            config.db_path.clone(),
            config.outbox.clone(),
        );
        let mut transport = Transport::new(config.audio);
        transport.set_volume(prefs.volume);
        transport.set_speed(prefs.speed);
        let mut queue = Vec::new();
        if !config.paths.is_empty() {
            queue.push(Command::Open(config.paths.clone()));
        }
        // Every call the database knows is listed at start (with the paths last seen).
        jobs.store(crate::jobs::StoreRequest::ListLibrary);
        let message =
            jobs.errors.first().map(|e| Message { text: e.clone(), error: true, at: Instant::now() });
        let mut library = Library::default();
        library.restore(&prefs.library);
        let first_run = prefs.reviewer.trim().is_empty();
        if !first_run {
            jobs.store(crate::jobs::StoreRequest::MyQueue { reviewer: prefs.reviewer.trim().to_string() });
        }
        CallqaApp {
            reviewer_draft: prefs.reviewer.clone(),
            config,
            prefs,
            library,
            call: None,
            review: None,
            transport,
            jobs,
            queue,
            message,
            open_path: None,
            show_shortcuts: false,
            clip_form: None,
            clip_sets: None,
            my_queue: None,
            sample_form: None,
            reports: None,
            show_queue: false,
            queue_choice: None,
            pending_seek: None,
            path_listing: None,
            path_listing_asked: None,
            focus_comment: None,
            editing_reviewer: false,
            team_login: None,
            store_place: String::new(),
            outbox_waiting: 0,
            store_form: None,
            // First run: the name field is the only thing to do, so it has the keyboard.
            focus_field: first_run,
            amend_reason: None,
            confirm_close: false,
            closing: false,
            close_now: false,
            unsaved: Vec::new(),
            next_request: 1,
            generation: 0,
            frame_stats: FrameStats {
                enabled: std::env::var("CALLQA_FRAME_STATS").is_ok_and(|v| v == "1"),
                ..FrameStats::default()
            },
            active_clock: None,
            session: None,
            sessions: None,
            session_form: None,
            transcript_find: String::new(),
            transcript_matches: Vec::new(),
            transcript_match: None,
            ctx: ctx.clone(),
        }
    }

    /// Plays through this player instead of the default device (tests drive one on a mixer).
    pub fn set_player(&mut self, player: crate::audio::playback::Player) {
        self.transport.set_player(player);
        if let Some(c) = &self.call {
            let (path, d) = (c.path.clone(), c.view.duration_s);
            self.transport.load(&path, d);
        }
    }

    /// Queues a command (applied at the start of the next frame).
    pub fn push(&mut self, c: Command) {
        self.queue.push(c);
        self.ctx.request_repaint();
    }

    /// Logic of one frame: results, input, commands.
    pub fn update_logic(&mut self, ctx: &egui::Context) {
        self.count_active_time(ctx.input(|i| i.viewport().focused) != Some(false));
        self.handle_events();
        self.apply_pending_seek();
        keys::collect(self, ctx);
        let queued = std::mem::take(&mut self.queue);
        for c in queued {
            self.apply(c);
        }
        self.tick();
    }

    /// The playhead, in call time.
    pub fn playhead_s(&self) -> f64 {
        self.transport.position_s()
    }

    /// The reviewer name, if set (and not being changed: answers need a settled name).
    pub fn reviewer(&self) -> Option<&str> {
        let r = self.prefs.reviewer.trim();
        (!r.is_empty() && !self.editing_reviewer).then_some(r)
    }

    /// A dialog or a field that owns the keyboard is open (the reviewer-name field counts,
    /// also on the first run): shortcuts are off, typing goes to the field.
    pub fn modal_open(&self) -> bool {
        self.prefs.reviewer.trim().is_empty()
            || self.open_path.is_some()
            || self.clip_form.is_some()
            || self.sample_form.is_some()
            || self.amend_reason.is_some()
            || self.confirm_close
            || self.editing_reviewer
            || self.session_form.is_some()
            || self.store_form.is_some()
    }

    /// Changes not yet confirmed by the store (the open review's and earlier calls').
    pub fn unsaved_count(&self) -> usize {
        self.unsaved.len() + usize::from(self.review.as_ref().is_some_and(|r| r.dirty))
    }

    /// True while a scan, probe or analysis is still running.
    pub fn busy(&self) -> bool {
        self.library.scans_running > 0
            || self.jobs.probes_pending > 0
            || self.call.as_ref().is_some_and(|c| c.analysis.is_none() && c.error.is_none())
    }

    fn record_frame(&mut self, dt: Duration, eframe_cpu_s: Option<f32>) {
        if !self.frame_stats.enabled {
            return;
        }
        let (playing, pos) = (self.transport.is_playing(), self.playhead_s());
        let span = self.call.as_ref().map_or(0.0, |c| c.view.span_s);
        let fs = &mut self.frame_stats;
        fs.samples.push(dt.as_secs_f64() * 1000.0);
        if let Some(c) = eframe_cpu_s {
            fs.eframe_samples.push(f64::from(c) * 1000.0);
        }
        let due = fs.last_report.is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
        if due && fs.samples.len() >= 10 {
            let pct = |v: &mut Vec<f64>, p: f64| {
                v.sort_by(f64::total_cmp);
                v.get(((v.len().max(1) - 1) as f64 * p) as usize).copied().unwrap_or(0.0)
            };
            let mut s = std::mem::take(&mut fs.samples);
            let mut e = std::mem::take(&mut fs.eframe_samples);
            eprintln!(
                "frame-stats: n={} app_ms median={:.2} p95={:.2} max={:.2} | eframe_cpu_ms median={:.2} p95={:.2} \
                 max={:.2} | view_span_s={:.1} playing={} pos={:.1}",
                s.len(),
                pct(&mut s, 0.5),
                pct(&mut s, 0.95),
                pct(&mut s, 1.0),
                pct(&mut e, 0.5),
                pct(&mut e, 0.95),
                pct(&mut e, 1.0),
                span,
                playing,
                pos
            );
            fs.last_report = Some(Instant::now());
        }
    }
}

impl eframe::App for CallqaApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frame_stats.frame_started = Some(Instant::now());
        if ctx.input(|i| i.viewport().close_requested()) && !self.close_now {
            if self.unsaved_count() > 0 || self.review.as_ref().is_some_and(Review::save_in_flight) {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.queue.push(Command::CloseRequested);
            } else {
                self.close_now = true;
            }
        }
        self.update_logic(ctx);
        if self.close_now {
            self.flush_active_time();
        }
        if self.close_now {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let started = self.frame_stats.frame_started.take().unwrap_or_else(Instant::now);
        crate::ui::draw(self, ui);
        if let Some(c) = self.call.as_mut().filter(|c| c.peaks.is_some() && c.first_drawn_after.is_none()) {
            c.first_drawn_after = Some(c.opened_at.elapsed());
            if self.frame_stats.enabled {
                eprintln!(
                    "open-stats: first waveform drawn {:.3} s after opening {}",
                    c.opened_at.elapsed().as_secs_f64(),
                    c.name
                );
            }
        }
        if !self.queue.is_empty() || self.transport.is_playing() || self.busy() {
            ui.ctx().request_repaint();
        }
        self.record_frame(started.elapsed(), frame.info().cpu_usage);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, prefs::STORAGE_KEY, &self.prefs);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // "Close without saving" was chosen, or nothing is unsaved; a draft changed in the
        // last moment is still sent (the store thread writes its queue before it ends).
        if !self.close_now {
            self.save_draft_now();
        }
        self.jobs.shutdown();
    }
}

/// The From / To fields of a dialog: each empty or a `YYYY-MM-DD` day, From not after To.
pub(crate) fn date_range(from: &str, to: &str) -> Result<(Option<String>, Option<String>), String> {
    let day = |what: &str, t: &str| -> Result<Option<String>, String> {
        let t = t.trim();
        if t.is_empty() {
            return Ok(None);
        }
        crate::model::naming::parse_date(t)
            .filter(|_| t.len() == 10)
            .map(Some)
            .ok_or_else(|| format!("{what} {t:?} is not a date; write YYYY-MM-DD."))
    };
    let (from, to) = (day("From", from)?, day("To", to)?);
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        return Err(format!("From {f} is after To {t}."));
    }
    Ok((from, to))
}

/// The default review database (the store's default path).
pub fn default_db_path() -> Result<PathBuf, String> {
    let dirs = directories::ProjectDirs::from("", "", "callqa")
        .ok_or_else(|| "cannot find a home directory for the review database; pass --db PATH".to_string())?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir.join("callqa.sqlite3"))
}

/// Opens the review window and runs it until closed.
pub fn run_native(config: AppConfig) -> Result<(), eframe::Error> {
    let (w, h) = config.size.unwrap_or((1600.0, 1000.0));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("callqa — call review")
            .with_app_id("callqa")
            .with_inner_size([w, h])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        // A size given on the command line wins over the one remembered.
        persist_window: config.size.is_none(),
        ..Default::default()
    };
    eframe::run_native("callqa", options, Box::new(move |cc| Ok(Box::new(CallqaApp::new(cc, config)))))
}
