//! Named worker threads and the channel they report on. The UI thread never decodes, hashes,
//! scans, analyses or touches SQLite: it asks [`Jobs`] to, and drains [`JobEvent`]s each frame.
//!
//! - `callqa-scan`: walks folders (recursive, WAVs only) and feeds the probe queue;
//! - `callqa-probe`: opens each file's header and hashes its audio (library rows);
//! - `callqa-analyse`: the open-call job: playback reader, identity, the store's row and
//!   reviews, then decoding and analysis with partial peaks every ~100 ms;
//! - `callqa-store`: owns the review database ([`store_worker`]);
//! - `callqa-list`: lists one folder for the in-app path field's browser.
//!
//! Every event wakes the UI through the waker given to [`Jobs::new`] (`request_repaint`).

mod analyse;
mod scan;
pub mod sidecar;
pub mod store_worker;
pub mod stream;
mod team_link;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::analysis::{Analysis, Peaks};

pub use analyse::AnalyseProgress;
pub use scan::{ProbeInfo, is_wav_path};
pub use store_worker::{StoreEvent, StoreRequest};

/// Wakes the UI thread (in the app: `egui::Context::request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// What the workers report.
#[derive(Debug)]
pub enum JobEvent {
    /// A folder scan found these WAV files (in batches, while it walks).
    Found { root: PathBuf, paths: Vec<PathBuf> },
    /// A folder scan finished (or failed to read the folder at all).
    ScanDone { root: PathBuf, error: Option<String> },
    /// One file's header and hash, or why it cannot be opened.
    Probed { path: PathBuf, result: Result<ProbeInfo, String> },
    /// A reader for playing the call, opened on the analysis thread so the UI thread does no
    /// file I/O (or why the file cannot be opened).
    Playable { generation: u64, result: Result<Box<crate::audio::WavReader>, String> },
    /// The open call's identity and header facts (the store is asked to record it next).
    Identified { generation: u64, hash: String, meta: Box<crate::model::call::CallMeta> },
    /// Peaks of the call being analysed so far (for drawing while it streams).
    Peaks { generation: u64, peaks: Arc<Peaks>, progress: AnalyseProgress },
    /// The finished analysis of a call, or why it failed.
    Analysed { generation: u64, result: Result<Arc<Analysis>, String> },
    /// A reply from the store thread.
    Store(StoreEvent),
    /// The folder the path field points into (`typed`: the text it was asked for), with its
    /// sub-folders and WAV files, sorted; or why it cannot be read.
    Listing { typed: String, listing: Result<DirListing, String> },
}

/// Sends events to the UI and wakes it.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: Sender<JobEvent>,
    waker: Waker,
}

impl Outbox {
    /// Sends an event; false when the UI has gone away.
    pub(crate) fn send(&self, ev: JobEvent) -> bool {
        let ok = self.tx.send(ev).is_ok();
        (self.waker)();
        ok
    }
}

/// The app's handle on its worker threads.
pub struct Jobs {
    rx: Receiver<JobEvent>,
    outbox: Outbox,
    probe_tx: Option<Sender<PathBuf>>,
    store_tx: Option<Sender<StoreRequest>>,
    store_thread: Option<std::thread::JoinHandle<()>>,
    analysis_cancel: Arc<AtomicBool>,
    /// Paths queued for probing and not yet reported.
    pub probes_pending: usize,
    /// Problems starting workers (shown in the UI).
    pub errors: Vec<String>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").field("probes_pending", &self.probes_pending).finish_non_exhaustive()
    }
}

impl Jobs {
    /// Starts the probe and store workers; `db_path` is the review database.
    pub fn new(waker: Waker, db_path: PathBuf, outbox_path: Option<PathBuf>) -> Jobs {
        let (tx, rx) = channel();
        let outbox = Outbox { tx, waker };
        let mut errors = Vec::new();
        let probe_tx = match scan::spawn_prober(outbox.clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(format!("cannot start the file prober: {e}"));
                None
            }
        };
        let (store_tx, store_thread) = match store_worker::spawn(outbox.clone(), db_path, outbox_path) {
            Ok((t, h)) => (Some(t), Some(h)),
            Err(e) => {
                errors.push(format!("cannot start the review store: {e}"));
                (None, None)
            }
        };
        Jobs {
            rx,
            outbox,
            probe_tx,
            store_tx,
            store_thread,
            analysis_cancel: Arc::new(AtomicBool::new(false)),
            probes_pending: 0,
            errors,
        }
    }

    /// Everything the workers reported since the last call (never blocks).
    pub fn drain(&mut self) -> Vec<JobEvent> {
        let evs: Vec<JobEvent> = self.rx.try_iter().collect();
        // In order: a scan's `Found` (its files are queued for probing) comes before their `Probed`.
        for ev in &evs {
            match ev {
                JobEvent::Found { paths, .. } => self.probes_pending += paths.len(),
                JobEvent::Probed { .. } => self.probes_pending = self.probes_pending.saturating_sub(1),
                _ => {}
            }
        }
        evs
    }

    /// Queues files for probing (header + hash).
    pub fn probe(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        let Some(tx) = &self.probe_tx else { return };
        for p in paths {
            if tx.send(p).is_ok() {
                self.probes_pending += 1;
            }
        }
    }

    /// Walks a folder on a new `callqa-scan` thread; found WAVs are reported and probed.
    pub fn scan_folder(&mut self, root: PathBuf) {
        let Some(probe_tx) = self.probe_tx.clone() else { return };
        if let Err(e) = scan::spawn_scan(self.outbox.clone(), probe_tx, root) {
            self.errors.push(format!("cannot start a folder scan: {e}"));
        }
    }

    /// The open-call job for `path` on a new `callqa-analyse` thread (cancelling the previous
    /// one): playback reader, identity, the store's call row and reviews (loaded for
    /// `reviewer`), then the analysis.
    pub fn open_call(
        &mut self,
        generation: u64,
        path: PathBuf,
        reviewer: Option<String>,
        session: Option<i64>,
        config: crate::analysis::Config,
    ) {
        self.analysis_cancel.store(true, Ordering::Relaxed);
        let cancel = Arc::new(AtomicBool::new(false));
        self.analysis_cancel = cancel.clone();
        let job =
            analyse::OpenJob { generation, path, config, reviewer, session, store: self.store_tx.clone() };
        if let Err(e) = analyse::spawn(self.outbox.clone(), job, cancel) {
            self.outbox.send(JobEvent::Analysed {
                generation,
                result: Err(format!("cannot start the analysis: {e}")),
            });
        }
    }

    /// Lists the folder `typed` names (or its parent, for a partly typed name) on a
    /// `callqa-list` thread; replies [`JobEvent::Listing`].
    pub fn list_dir(&self, typed: String) {
        let out = self.outbox.clone();
        let spawned = std::thread::Builder::new().name("callqa-list".into()).spawn(move || {
            let listing = list_dir(&typed);
            out.send(JobEvent::Listing { typed, listing });
        });
        if let Err(e) = spawned {
            self.outbox
                .send(JobEvent::Listing { typed: String::new(), listing: Err(format!("cannot list: {e}")) });
        }
    }

    /// Sends a request to the store thread (a request that cannot be sent is answered with
    /// its failure, e.g. `SaveFailed`, so nothing waits forever).
    pub fn store(&self, req: StoreRequest) {
        let unsent = match &self.store_tx {
            Some(tx) => tx.send(req).err().map(|e| (e.0, "the review store has stopped")),
            None => Some((req, "the review store is not running")),
        };
        if let Some((req, why)) = unsent {
            self.outbox.send(JobEvent::Store(store_worker::failure(req, why)));
        }
    }

    /// Stops the store thread after it has written everything queued (used on close).
    pub fn shutdown(&mut self) {
        self.analysis_cancel.store(true, Ordering::Relaxed);
        self.probe_tx = None;
        self.store_tx = None;
        if let Some(h) = self.store_thread.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A folder's sub-folders and WAV files (at most [`LISTING_MAX`] entries), sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DirListing {
    pub dir: PathBuf,
    pub entries: Vec<(PathBuf, bool)>,
}

/// Entries shown by the path field's browser.
pub const LISTING_MAX: usize = 500;

fn list_dir(typed: &str) -> Result<DirListing, String> {
    let base = std::path::Path::new(typed.trim());
    let dir = if base.is_dir() {
        base
    } else {
        base.parent().filter(|p| p.is_dir()).ok_or_else(|| format!("no such folder: {}", base.display()))?
    };
    let rd = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut entries: Vec<(PathBuf, bool)> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let is_dir = p.is_dir();
            (is_dir || is_wav_path(&p)).then_some((p, is_dir))
        })
        .collect();
    entries.sort();
    entries.truncate(LISTING_MAX);
    Ok(DirListing { dir: dir.to_path_buf(), entries })
}
