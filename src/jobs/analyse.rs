//! Decoding and analysing the open call on a `callqa-analyse` thread, with partial peaks sent
//! every ~100 ms so the waveform draws while the file streams.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{JobEvent, Outbox};
use crate::analysis::{Analyzer, Config};
use crate::audio::WavReader;

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

const BLOCK_FRAMES: usize = 65_536;
const PEAKS_EVERY: Duration = Duration::from_millis(100);

pub(super) fn spawn(
    out: Outbox,
    generation: u64,
    path: PathBuf,
    config: Config,
    cancel: Arc<AtomicBool>,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("callqa-analyse".into()).spawn(move || {
        // Playback gets its own reader (headers only: a few kB), before the analysis starts.
        let playable = WavReader::open(&path).map(Box::new).map_err(|e| format!("{e}: {}", path.display()));
        out.send(JobEvent::Playable { generation, result: playable });
        let result = run(&out, generation, &path, config, &cancel);
        if !cancel.load(Ordering::Relaxed) {
            out.send(JobEvent::Analysed { generation, result });
        }
    })?;
    Ok(())
}

fn run(
    out: &Outbox,
    generation: u64,
    path: &std::path::Path,
    config: Config,
    cancel: &AtomicBool,
) -> Result<Arc<crate::analysis::Analysis>, String> {
    let started = Instant::now();
    let mut reader = WavReader::open(path).map_err(|e| e.to_string())?;
    let (rate, channels, total) = {
        let i = reader.info();
        (i.sample_rate, i.channels, i.frames)
    };
    let mut analyzer = Analyzer::new(rate, channels, config);
    let mut buf = Vec::with_capacity(BLOCK_FRAMES * usize::from(channels.max(1)));
    let mut done = 0u64;
    // The first peaks go out after the first block, so something is drawn at once.
    let mut last_sent: Option<Instant> = None;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err("cancelled".into());
        }
        let n = reader.read_frames(&mut buf, BLOCK_FRAMES).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        analyzer.push(&buf);
        done += n as u64;
        if last_sent.is_none_or(|t| t.elapsed() >= PEAKS_EVERY) {
            last_sent = Some(Instant::now());
            let progress = AnalyseProgress {
                frames_done: done,
                frames_total: total.max(done),
                elapsed_s: started.elapsed().as_secs_f64(),
            };
            let peaks = Arc::new(analyzer.peaks().clone());
            if !out.send(JobEvent::Peaks { generation, peaks, progress }) {
                return Err("the window closed".into());
            }
        }
    }
    Ok(Arc::new(analyzer.finish()))
}
