//! Analysis: pure functions over decoded blocks → talk spans, overtalk, silence, hold, metrics
//! and a waveform peaks pyramid. No threads, files, SQL or egui.
//!
//! Use: `let mut a = Analyzer::new(rate, channels, Config::default());` then
//! `a.push(&interleaved_block)` for each block in order, then `a.finish()` → [`Analysis`].
//! [`Analyzer::peaks`] gives the peaks computed so far (the GUI draws while analysis streams).

mod peaks;

pub use peaks::{PeakLevel, Peaks};

use serde::Serialize;

use crate::model::{HoldSpan, Overtalk, Span};

/// Tunables of the analysis.
#[derive(Clone, Debug)]
pub struct Config {
    /// Shortest dead air reported, seconds.
    pub min_silence_s: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config { min_silence_s: 2.0 }
    }
}

/// Talk spans: per side for stereo calls, one mixed lane for mono.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Talk {
    Stereo { agent: Vec<[f64; 2]>, customer: Vec<[f64; 2]> },
    Mono { mixed: Vec<[f64; 2]> },
}

/// Summary figures of a call.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metrics {
    pub talk_time_agent_s: f64,
    pub talk_time_customer_s: f64,
    pub talk_time_mixed_s: f64,
    pub talk_ratio_agent: f64,
    pub overtalk_count: usize,
    pub overtalk_total_s: f64,
    pub overtalk_by_agent: usize,
    pub overtalk_by_customer: usize,
    pub silence_count: usize,
    pub silence_total_s: f64,
    pub silence_longest_s: f64,
    pub hold_total_s: f64,
}

/// Everything the analysis found in one call.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub duration_s: f64,
    pub channels: u16,
    pub sample_rate: u32,
    pub talk: Talk,
    pub overtalk: Vec<Overtalk>,
    pub silence: Vec<Span>,
    pub hold: Vec<HoldSpan>,
    pub metrics: Metrics,
    pub peaks: Peaks,
    pub warnings: Vec<String>,
}

/// One streaming pass over a call's blocks (to be written: issue 4).
#[derive(Debug)]
pub struct Analyzer {
    sample_rate: u32,
    channels: u16,
    config: Config,
    peaks: Peaks,
    frames: u64,
}

impl Analyzer {
    pub fn new(sample_rate: u32, channels: u16, config: Config) -> Self {
        Analyzer { sample_rate, channels, config, peaks: Peaks::new(channels, sample_rate), frames: 0 }
    }

    /// Feeds the next block of interleaved frames.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.peaks.push(interleaved);
        self.frames += (interleaved.len() / usize::from(self.channels.max(1))) as u64;
    }

    /// The peaks computed so far.
    pub fn peaks(&self) -> &Peaks {
        &self.peaks
    }

    pub fn finish(self) -> Analysis {
        let _ = self.config;
        let duration_s =
            if self.sample_rate == 0 { 0.0 } else { self.frames as f64 / f64::from(self.sample_rate) };
        Analysis {
            duration_s,
            channels: self.channels,
            sample_rate: self.sample_rate,
            talk: if self.channels >= 2 {
                Talk::Stereo { agent: vec![], customer: vec![] }
            } else {
                Talk::Mono { mixed: vec![] }
            },
            overtalk: vec![],
            silence: vec![],
            hold: vec![],
            metrics: Metrics::default(),
            peaks: self.peaks,
            warnings: vec![],
        }
    }
}
