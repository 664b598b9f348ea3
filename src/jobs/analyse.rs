//! The open-call job, on a `callqa-analyse` thread: one sequence per opened call.
//!
//! 1. open the file's header and hand a reader to playback ([`JobEvent::Playable`]);
//! 2. hash it ([`crate::audio::content_hash`]) and send the store one request that records
//!    the call and loads its reviews ([`StoreRequest::OpenCall`], taken before any scan's
//!    rows), so the scorecard never waits behind a folder scan; a transcript next to the file
//!    ([`super::sidecar`]) goes with it;
//! 3. decode and analyse, with partial peaks sent every ~100 ms so the waveform draws while
//!    the file streams.
//!
//! A file that cannot be opened, or has no audio, ends the job at once with
//! [`JobEvent::Analysed`] carrying why: the window never waits on it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{JobEvent, Outbox, StoreRequest};
use crate::analysis::Config;
use crate::audio::WavReader;
use crate::model::call::CallMeta;

/// What the open-call job needs to know.
#[derive(Debug)]
pub(super) struct OpenJob {
    pub generation: u64,
    pub path: PathBuf,
    pub config: Config,
    /// The reviewer whose review to load (none yet: the call is recorded, nothing loaded).
    pub reviewer: Option<String>,
    /// Score the call in this calibration session.
    pub session: Option<i64>,
    pub store: Option<std::sync::mpsc::Sender<StoreRequest>>,
}

/// How far the analysis has got.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AnalyseProgress {
    pub frames_done: u64,
    pub frames_total: u64,
    /// Seconds since the analysis thread started.
    pub elapsed_s: f64,
}

impl AnalyseProgress {
    pub fn fraction(&self) -> f32 {
        if self.frames_total == 0 { 0.0 } else { (self.frames_done as f64 / self.frames_total as f64) as f32 }
    }
}

const PEAKS_EVERY: Duration = Duration::from_millis(100);

pub(super) fn spawn(out: Outbox, job: OpenJob, cancel: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new().name("callqa-analyse".into()).spawn(move || {
        let generation = job.generation;
        let result = open(&out, &job).and_then(|()| run(&out, generation, &job.path, job.config, &cancel));
        if !cancel.load(Ordering::Relaxed) {
            out.send(JobEvent::Analysed { generation, result });
        }
    })?;
    Ok(())
}

/// Steps 1 and 2: the playback reader, the identity, the store request.
fn open(out: &Outbox, job: &OpenJob) -> Result<(), String> {
    let generation = job.generation;
    let reader = match WavReader::open(&job.path) {
        Ok(r) => r,
        Err(e) => {
            let why = format!("{e}: {}", job.path.display());
            out.send(JobEvent::Playable { generation, result: Err(why.clone()) });
            return Err(why);
        }
    };
    let info = reader.info().clone();
    out.send(JobEvent::Playable { generation, result: Ok(Box::new(reader)) });
    let hash = crate::audio::content_hash(&job.path).map_err(|e| e.to_string())?;
    let meta = CallMeta::from_wav(&job.path, &info);
    out.send(JobEvent::Identified { generation, hash: hash.clone(), meta: Box::new(meta.clone()) });
    if let Some(store) = &job.store {
        let (sidecar, problem) = match super::sidecar::find(&job.path) {
            Some(Ok(s)) => (Some(Box::new(s)), None),
            Some(Err(why)) => (None, Some(why)),
            None => (None, None),
        };
        if let Some(why) = problem {
            out.send(JobEvent::Store(super::StoreEvent::Error(why)));
        }
        let req = StoreRequest::OpenCall {
            generation,
            path: job.path.clone(),
            hash,
            meta: Box::new(meta),
            reviewer: job.reviewer.clone(),
            sidecar,
            session: job.session,
        };
        if store.send(req).is_err() {
            out.send(JobEvent::Store(super::StoreEvent::OpenFailed {
                generation,
                error: "the review store has stopped".into(),
            }));
        }
    }
    Ok(())
}

/// Step 3: the shared streaming decode → analysis ([`super::stream::analyse_file`]), with
/// partial peaks sent to the window as the file streams.
fn run(
    out: &Outbox,
    generation: u64,
    path: &std::path::Path,
    config: Config,
    cancel: &AtomicBool,
) -> Result<Arc<crate::analysis::Analysis>, String> {
    let started = Instant::now();
    let peaks_out = out.clone();
    let on_peaks: super::stream::OnPeaks<'_> = Box::new(move |peaks, done, total| {
        let progress = AnalyseProgress {
            frames_done: done,
            frames_total: total,
            elapsed_s: started.elapsed().as_secs_f64(),
        };
        peaks_out.send(JobEvent::Peaks { generation, peaks: Arc::new(peaks.clone()), progress })
    });
    let stream = super::stream::Stream {
        cancel: Some(cancel),
        on_peaks: Some(on_peaks),
        peaks_every: PEAKS_EVERY,
        skip_peaks: false,
    };
    super::stream::analyse_file(path, config, stream).map(|(_, a)| Arc::new(a)).map_err(|e| e.to_string())
}
