//! The one way a file is decoded and analysed: [`analyse_file`], used by the window's
//! open-call job, `callqa analyze` and the tests.
//!
//! Decoding and analysis run on two threads: a `callqa-decode` thread reads the file, builds
//! the peaks pyramid and the frames' per-channel work ([`crate::analysis::SumStage`]: raw sums,
//! for stereo the whole frame features); the calling thread runs the rest of the analysis. Reused 256k-frame blocks pass over bounded
//! channels, so memory stays flat whatever the file's length.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::analysis::{Analysis, Analyzer, Config, Peaks, Staged};
use crate::audio::{DecodeError, WavInfo, WavReader};

/// Frames per block handed from the decoder to the analysis.
pub const BLOCK_FRAMES: usize = 1 << 18;
/// Blocks in flight between the two threads.
const IN_FLIGHT: usize = 3;

/// Why a file could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("{0}")]
    Open(DecodeError),
    #[error("no audio format (0 channels or 0 Hz)")]
    NoFormat,
    #[error("decoding failed: {0}")]
    Decode(DecodeError),
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Thread(String),
}

/// Partial peaks, as the decoding thread has them: (peaks so far, frames done, frames in all).
/// Returns false to stop (e.g. the window has closed).
pub type OnPeaks<'a> = Box<dyn FnMut(&Peaks, u64, u64) -> bool + Send + 'a>;

/// What else the caller wants while the file streams.
#[derive(Default)]
pub struct Stream<'a> {
    /// Set from another thread to stop early ([`StreamError::Cancelled`]).
    pub cancel: Option<&'a AtomicBool>,
    /// Called on the decoding thread after the first block and then every `peaks_every`.
    pub on_peaks: Option<OnPeaks<'a>>,
    pub peaks_every: Duration,
    /// No waveform is drawn (`callqa analyze`, `callqa index`): the peaks are not computed
    /// (the analysis' `peaks` stay empty), which takes work off the decoding thread.
    pub skip_peaks: bool,
}

/// A decoded block on its way from the decoding thread to the analysis.
#[derive(Default)]
struct Block {
    samples: Vec<f32>,
    sums: Staged,
}

impl Block {
    /// A block whose sample buffer is allocated at its full size up front (the decoding thread
    /// never grows it).
    fn with_room(samples: usize) -> Block {
        Block { samples: Vec::with_capacity(samples), sums: Staged::default() }
    }
}

/// Blocks kept from the last stream for the next one. Each new buffer's pages are faulted in
/// by the kernel on first write: with a fresh set per file, `callqa index` on short calls
/// spent a third of its CPU in page faults (~300 per call).
static SPARE: Mutex<Vec<Block>> = Mutex::new(Vec::new());

fn spare_blocks() -> Vec<Block> {
    SPARE.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default()
}

fn keep_spare(blocks: impl Iterator<Item = Block>) {
    if let Ok(mut s) = SPARE.lock() {
        let room = IN_FLIGHT.saturating_sub(s.len());
        s.extend(blocks.take(room));
    }
}

/// Decodes `path` on a `callqa-decode` thread and analyses it on this one, in one streaming
/// pass. The reader's warnings (truncation, unfinalised sizes...) come first in the
/// analysis' warnings.
pub fn analyse_file(
    path: &Path,
    config: Config,
    stream: Stream<'_>,
) -> Result<(WavInfo, Analysis), StreamError> {
    let reader = WavReader::open(path).map_err(StreamError::Open)?;
    analyse_reader(reader, config, stream)
}

/// [`analyse_file`] on a reader already open.
pub fn analyse_reader(
    mut reader: WavReader,
    config: Config,
    stream: Stream<'_>,
) -> Result<(WavInfo, Analysis), StreamError> {
    let info = reader.info().clone();
    if info.channels == 0 || info.sample_rate == 0 {
        return Err(StreamError::NoFormat);
    }
    let Stream { cancel, mut on_peaks, peaks_every, skip_peaks } = stream;
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let mut analyzer = Analyzer::without_peaks(info.sample_rate, info.channels, config);
    let mut peaks = Peaks::new(info.channels, info.sample_rate);
    // The frames' per-channel work on the decoding thread for every layout: the analysis is the
    // heavier half for mono too since the confidence tally (callgrind, 1-hour mu-law: 552 M vs
    // 227 M); the stage itself decides how much of it (see `Analyzer::sum_stage`).
    let mut sum_stage = Some(analyzer.sum_stage_beside_peaks(!skip_peaks));
    let (full_tx, full_rx) = mpsc::sync_channel::<Block>(IN_FLIGHT);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Block>(IN_FLIGHT + 1);
    // The last stream's blocks first; a short call needs no full-size new ones.
    let room = BLOCK_FRAMES.min(usize::try_from(info.frames).unwrap_or(BLOCK_FRAMES).max(1));
    let mut spare = spare_blocks();
    for _ in 0..IN_FLIGHT {
        let block = spare.pop().unwrap_or_else(|| Block::with_room(room * usize::from(info.channels)));
        empty_tx.send(block).map_err(|_| StreamError::Thread("internal: block pool".into()))?;
    }
    let total = info.frames;
    let decoded = std::thread::scope(|scope| {
        let decoder = std::thread::Builder::new()
            .name("callqa-decode".into())
            .spawn_scoped(scope, move || -> Result<(Peaks, Receiver<Block>, Option<Block>), StreamError> {
                let mut done = 0u64;
                let mut last = None;
                let mut last_sent: Option<Instant> = None;
                // Stops when the analysis side hangs up, the data ends, or on cancel.
                while let Ok(mut block) = empty_rx.recv() {
                    if cancelled() {
                        return Err(StreamError::Cancelled);
                    }
                    let n =
                        reader.read_frames(&mut block.samples, BLOCK_FRAMES).map_err(StreamError::Decode)?;
                    if n == 0 {
                        last = Some(block);
                        break;
                    }
                    done += n as u64;
                    if !skip_peaks {
                        peaks.push(&block.samples);
                    }
                    block.sums.clear();
                    if let Some(stage) = sum_stage.as_mut() {
                        stage.push(&block.samples, &mut block.sums);
                    }
                    if let Some(f) = on_peaks.as_mut()
                        && last_sent.is_none_or(|t| t.elapsed() >= peaks_every)
                    {
                        last_sent = Some(Instant::now());
                        if !f(&peaks, done, total.max(done)) {
                            return Err(StreamError::Cancelled);
                        }
                    }
                    if full_tx.send(block).is_err() {
                        break;
                    }
                }
                peaks.finish();
                // The receiving end goes back too, so the blocks the analysis returns after
                // this thread ends are still there to keep.
                Ok((peaks, empty_rx, last))
            })
            .map_err(|e| StreamError::Thread(format!("cannot start the decoding thread: {e}")))?;
        for block in full_rx.iter() {
            analyzer.push_with_sums(&block.samples, &block.sums);
            // The decoder may have finished and dropped its end; that is fine.
            let _ = empty_tx.send(block);
        }
        drop(empty_tx);
        match decoder.join() {
            Ok(r) => r,
            Err(_) => Err(StreamError::Thread("the decoding thread crashed".into())),
        }
    });
    let (peaks, returned, last) = decoded?;
    keep_spare(returned.try_iter().chain(last));
    if cancelled() {
        return Err(StreamError::Cancelled);
    }
    let mut analysis = analyzer.finish();
    analysis.peaks = peaks;
    let mut warnings = info.warnings.clone();
    warnings.append(&mut analysis.warnings);
    analysis.warnings = warnings;
    Ok((info, analysis))
}
