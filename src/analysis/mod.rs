//! Analysis: pure functions over decoded blocks → talk spans, overtalk, silence, hold, metrics
//! and a waveform peaks pyramid. No threads, files, SQL or egui.
//!
//! Use: `let mut a = Analyzer::new(rate, channels, Config::default());` then
//! `a.push(&interleaved_block)` for each block in order, then `a.finish()` → [`Analysis`].
//! [`Analyzer::peaks`] gives the peaks computed so far (the GUI draws while analysis streams).
//!
//! One streaming pass: each block yields 10 ms frame features per channel ([`frames`], read
//! straight from the interleaved block; the raw sums may come from a [`SumStage`] on another
//! thread); the per-channel [`detect`] state machines turn frames into spans; while both sides
//! talk, [`turns`] checks the pauses of the side that was first for a new sentence (pitch fall
//! and reset, [`pitch`]); [`evidence`] derives overtalk (split at those sentences), dead air and
//! metrics from the spans at the end. Memory is bounded by the peaks, the spans and ~2 s of
//! sample history per channel.

mod confidence;
mod detect;
mod echo;
mod evidence;
mod frames;
mod noise;
mod peaks;
mod pitch;
mod turns;

pub use confidence::{ChannelConfidence, Level, Stats};
pub use peaks::{PeakLevel, Peaks};

use serde::Serialize;

use crate::model::{HoldSpan, Overtalk, Span};

use detect::{Detector, Kind, Params};
use echo::Echo;
pub use frames::Staged;
use frames::{Frame, Frames, MAX_ANALYSED, View};
use turns::Turns;

/// Tunables of the analysis.
#[derive(Clone, Debug)]
pub struct Config {
    /// Shortest dead air reported, seconds.
    pub min_silence_s: f64,
    /// Frame length, seconds.
    pub frame_s: f64,
    /// dB over the noise floor to start a talk span.
    pub start_db: f32,
    /// dB over the noise floor to stay inside a span (hysteresis).
    pub keep_db: f32,
    /// Pauses up to this long stay inside one span (the gaps between words and sentences).
    pub bridge_s: f64,
    /// ...and up to `bridge_s` + this on a side whose loudest lasting sound is under +15 dB
    /// over its floor (a quiet talker or a noisy line: phrase edges sink into the noise, so the
    /// pauses between phrases look longer than they are).
    pub quiet_bridge_s: f64,
    /// Shortest talk span kept (drops clicks).
    pub min_talk_s: f64,
    /// A channel this many dB quieter than the other side's recent peak is an echo, not talk.
    pub echo_db: f32,
    /// Look-back of the echo check (echo delay plus tail), seconds.
    pub echo_s: f64,
    /// Window of the sliding-minimum noise floor, seconds.
    pub floor_window_s: f64,
    /// Prediction gain (dB) from which a frame counts as tonal.
    pub tonal_db: f32,
    /// Frames at least this tonal (dB) never count as noise floor (noise scores ~0-3 dB).
    pub floor_tonal_db: f32,
    /// Share of tonal frames that makes a span hold music.
    pub hold_fraction: f32,
    /// Shortest hold music span, seconds (shorter tonal spans stay talk).
    pub hold_min_s: f64,
    /// Shortest overtalk reported, seconds.
    pub min_overtalk_s: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_silence_s: 2.0,
            frame_s: 0.010,
            start_db: 10.0,
            keep_db: 7.0,
            bridge_s: 0.5,
            quiet_bridge_s: 0.2,
            min_talk_s: 0.1,
            echo_db: 20.0,
            echo_s: 0.1,
            floor_window_s: 5.0,
            tonal_db: 15.0,
            floor_tonal_db: 8.0,
            hold_fraction: 0.5,
            hold_min_s: 2.0,
            min_overtalk_s: 0.2,
        }
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
    /// Agent talk time / (agent + customer talk time); 0 when nobody talks or for mono.
    pub talk_ratio_agent: f64,
    pub overtalk_count: usize,
    pub overtalk_total_s: f64,
    pub overtalk_by_agent: usize,
    pub overtalk_by_customer: usize,
    pub overtalk_by_agent_s: f64,
    pub overtalk_by_customer_s: f64,
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
    /// How far each analysed channel's talk detection can be trusted (agent then customer;
    /// one entry for mono).
    pub confidence: Vec<ChannelConfidence>,
}

impl Analysis {
    /// Which side an analysed channel is: "agent", "customer", or "mixed" (mono).
    pub fn side_name(&self, channel: usize) -> &'static str {
        match (&self.talk, channel) {
            (Talk::Mono { .. }, _) => "mixed",
            (_, 0) => "agent",
            _ => "customer",
        }
    }
}

/// The per-channel detectors and the cross-channel echo memory.
#[derive(Debug)]
struct Decider {
    detectors: Vec<Detector>,
    /// Sentence boundaries during overtalk, per channel (stereo only; empty for mono).
    turns: Vec<Turns>,
    /// Recent energies of both channels, for the echo check (stereo only).
    echo: Option<Echo>,
    /// Clipped samples per analysed channel.
    clipped: [u64; MAX_ANALYSED],
    /// Next frame index to decide.
    t: u64,
}

impl Decider {
    fn decide(&mut self, frame: &[Frame; MAX_ANALYSED], view: &View<'_>) {
        let frame = frame.get(..self.detectors.len()).unwrap_or(&[]);
        let t = self.t;
        if let (Some(echo), [fa, fb], [da, db]) = (self.echo.as_mut(), frame, self.detectors.as_slice()) {
            echo.push(t, [fa.energy, fb.energy], [da.floor_level(), db.floor_level()]);
        }
        for (n, f) in self.clipped.iter_mut().zip(frame) {
            *n += u64::from(f.clipped);
        }
        let echo = self.echo.as_ref();
        // Frames heard only by the averaged criteria of a noisy line are mostly too faint for
        // the echo model. When it cannot tell, they are the other side's echo until this side has
        // talked on its own (a line that so far carried only the other side's echo), and while
        // the other side plays sustained sound (its echo would keep a span open for as long as it
        // plays); otherwise a quiet talker under a louder voice is heard.
        let step = |d: &mut Detector, c: usize, f: Frame, [other_busy, other_held]: [bool; 2]| {
            let talked = d.has_talked();
            let echo = |faint: bool| {
                echo.is_some_and(|e| match e.judge(c, t) {
                    Some(verdict) => verdict,
                    None => !faint || other_held || !talked,
                })
            };
            d.step(t, f, echo, other_busy, view);
        };
        match (self.detectors.as_mut_slice(), frame) {
            ([a, b], [fa, fb]) => {
                // The other side's state as of the last frame, for both sides alike: inside a
                // span, and sustained sound (music on hold).
                let (of_a, of_b) = ([b.is_open(), b.sustained(t)], [a.is_open(), a.sustained(t)]);
                step(a, 0, *fa, of_a);
                step(b, 1, *fb, of_b);
            }
            ([m], [f]) => step(m, 0, *f, [false; 2]),
            _ => {}
        }
        if let ([a, b], [ta, tb]) = (self.detectors.as_slice(), self.turns.as_slice()) {
            // Pauses matter while both sides talk, and only in the side that was talking
            // first (the other side's new sentences do not change who started); while the
            // other side has pauses still waiting for their check, who was first is not
            // known yet, so both are watched.
            let (sa, sb) = (ta.segment_start(a.open_start()), tb.segment_start(b.open_start()));
            let both = sa.is_some() && sb.is_some();
            let talking = |d: &Detector| d.active_within(t, OTHER_ACTIVE_FRAMES);
            let gate = [
                both && talking(b) && (sa < sb || tb.waiting()),
                both && talking(a) && (sb < sa || ta.waiting()),
            ];
            // On a noisy line the pitch is looked for in quieter windows (see `turns`).
            let floors = [(a.floor_level(), a.noisy_line()), (b.floor_level(), b.noisy_line())];
            for ((turns, gated), floor) in self.turns.iter_mut().zip(gate).zip(floors) {
                turns.step(t, gated, floor.0, floor.1, view);
            }
        }
        self.t += 1;
    }
}

/// Does the per-frame, per-channel work for an [`Analyzer`] (see [`Analyzer::sum_stage`]);
/// keeps only the few samples of predictor history between blocks.
#[derive(Debug)]
pub struct SumStage {
    frames: Frames,
    /// Whole features (see [`Frames::next_unquiet`]), not only the raw sums.
    finished: bool,
}

impl SumStage {
    /// Appends the work of every frame that ends in `interleaved` (the next block) to `out`.
    pub fn push(&mut self, interleaved: &[f32], out: &mut Staged) {
        let c = self.frames.channels();
        let whole = interleaved.get(..interleaved.len() / c * c).unwrap_or(&[]);
        // (One loop per kind, chosen once per block: mono's decoding thread is its critical path.)
        if self.finished {
            while let Some(f) = self.frames.next_unquiet(whole) {
                out.finished.push(f);
            }
        } else {
            while let Some(s) = self.frames.next_sums(whole) {
                out.sums.push(s);
            }
        }
        self.frames.retire(whole);
    }
}

/// Share of a channel's samples clipped (at full scale in runs) from which it is reported.
const CLIP_WARN: f64 = 1e-4;

/// A pause is checked for a sentence boundary only while the other side has talked within
/// this many frames (it is talking over it, not pausing itself).
const OTHER_ACTIVE_FRAMES: u64 = 10;

/// One streaming pass over a call's blocks.
#[derive(Debug)]
pub struct Analyzer {
    sample_rate: u32,
    channels: u16,
    config: Config,
    peaks: Peaks,
    /// False when the caller builds the peaks itself (e.g. on another thread).
    with_peaks: bool,
    frames: u64,
    /// The sample stream cut into frames (the first two channels are analysed).
    samples: Frames,
    decider: Decider,
    /// Frames waiting for the floor to be seeded: `warmup[t][channel]`.
    warmup: Vec<[Frame; MAX_ANALYSED]>,
    seeded: bool,
    params: Params,
    warnings: Vec<String>,
}

impl Analyzer {
    pub fn new(sample_rate: u32, channels: u16, config: Config) -> Self {
        let rate = f64::from(sample_rate.max(1));
        let frames_of = |s: f64| (s * rate).round().max(1.0) as u64;
        let frame_len = frames_of(config.frame_s);
        let per_s = rate / frame_len as f64;
        let n_frames = |s: f64| (s * per_s).round().max(1.0) as u64;
        let db = |d: f32| 10f32.powf(d / 10.0);
        let params = Params {
            frame_len,
            start_ratio: db(config.start_db),
            keep_ratio: db(config.keep_db),
            bridge_frames: n_frames(config.bridge_s),
            quiet_bridge_frames: (config.quiet_bridge_s * per_s).round().max(0.0) as u64,
            min_talk_frames: n_frames(config.min_talk_s),
            echo_ratio: db(config.echo_db),
            echo_frames: n_frames(config.echo_s) as usize,
            floor_frames: n_frames(config.floor_window_s) as usize,
            warmup_frames: n_frames(1.0) as usize,
            tonal_gain: db(config.tonal_db),
            floor_tonal_gain: db(config.floor_tonal_db),
            hold_fraction: config.hold_fraction,
            hold_min_frames: n_frames(config.hold_min_s),
            edge_k: 6.0,
        };
        let lag = (rate / 8000.0).round().max(1.0) as usize;
        // Sample history: warm-up + bridging + slack, so span edges can still be refined.
        let keep = frames_of(1.0 + config.bridge_s + config.quiet_bridge_s + 0.5) as usize;
        let analysed = usize::from(channels.max(1)).min(MAX_ANALYSED);
        let mut warnings = Vec::new();
        if channels == 1 {
            warnings.push("overtalk needs a two-channel recording (this one is mono)".to_string());
        } else if channels > 2 {
            warnings.push(format!(
                "{channels} channels: analysing channel 1 as the agent and 2 as the customer, ignoring the rest"
            ));
        }
        Analyzer {
            sample_rate,
            channels,
            config,
            peaks: Peaks::new(channels, sample_rate),
            with_peaks: true,
            frames: 0,
            samples: Frames::new(channels, frame_len as usize, lag, keep),
            decider: Decider {
                detectors: (0..analysed).map(|c| Detector::new(params, c)).collect(),
                turns: if analysed == 2 {
                    // Pitch is tracked at ~4 kHz (`lag` is the file's rate / 8 kHz).
                    (0..2).map(|c| Turns::new(c, sample_rate, frame_len, 2 * lag)).collect()
                } else {
                    Vec::new()
                },
                echo: (analysed == 2).then(|| Echo::new(params.echo_frames, params.echo_ratio)),
                clipped: [0; MAX_ANALYSED],
                t: 0,
            },
            warmup: Vec::new(),
            seeded: false,
            params,
            warnings,
        }
    }

    /// An analyzer that leaves the peaks to the caller (who feeds the same blocks to its own
    /// [`Peaks`], e.g. on the decoding thread); [`Analysis::peaks`] is then empty.
    pub fn without_peaks(sample_rate: u32, channels: u16, config: Config) -> Self {
        Analyzer { with_peaks: false, ..Analyzer::new(sample_rate, channels, config) }
    }

    /// Feeds the next block of interleaved frames (a trailing partial frame is ignored).
    pub fn push(&mut self, interleaved: &[f32]) {
        self.push_inner(interleaved, &Staged::default());
    }

    /// A stage that does the per-frame work that needs no other channel nor earlier frames
    /// (the raw sums, for stereo the whole features) of the blocks this analyzer will get, so
    /// another thread can do that part: feed it the same blocks in the same order and pass its
    /// output to [`Analyzer::push_with_sums`].
    pub fn sum_stage(&self) -> SumStage {
        self.sum_stage_beside_peaks(false)
    }

    /// [`Analyzer::sum_stage`] for a decoding thread that also builds the waveform peaks (the
    /// window): then it keeps to the raw sums, or it would become the slower half.
    pub fn sum_stage_beside_peaks(&self, peaks: bool) -> SumStage {
        let lag = self.samples.lag();
        SumStage {
            frames: Frames::new(self.channels, self.params.frame_len as usize, lag, 2 * lag),
            // Stereo's analysis carries the echo check and the sentence turns, twice the
            // decoding's work with the sums alone (callgrind, 1-hour PCM16: 741 M vs 373 M);
            // mono's halves are even with the sums (316 M vs 317 M), so mono stays on them.
            // With the peaks (556 M on the decoding thread) stereo stays on them too.
            finished: self.channels == 2 && !peaks,
        }
    }

    /// [`Analyzer::push`] with the block's frame work done by a [`SumStage`]. The result is
    /// the same as `push`'s (frames the stage did not cover are computed here).
    pub fn push_with_sums(&mut self, interleaved: &[f32], staged: &Staged) {
        self.push_inner(interleaved, staged);
    }

    fn push_inner(&mut self, interleaved: &[f32], staged: &Staged) {
        let ch = usize::from(self.channels.max(1));
        let whole = interleaved.get(..interleaved.len() / ch * ch).unwrap_or(&[]);
        if self.with_peaks {
            self.peaks.push(whole);
        }
        // The frames the stage finished (stereo), then any it did not: computed here, from
        // the stage's sums when it has them.
        for &f in &staged.finished {
            let Some(f) = self.samples.next_finished(whole, self.quiet(), f) else { break };
            self.take(f, whole);
        }
        let mut sums = staged.sums.iter().copied();
        while let Some(f) = self.samples.next_frame(whole, self.quiet(), sums.next()) {
            self.take(f, whole);
        }
        self.samples.retire(whole);
        self.frames += (whole.len() / ch) as u64;
    }

    /// Per analysed channel, the frame energy under which the prediction gain is not needed
    /// (see [`Frames::next_frame`]).
    fn quiet(&self) -> [f32; MAX_ANALYSED] {
        let mut quiet = [0f32; MAX_ANALYSED];
        if self.seeded {
            for (q, d) in quiet.iter_mut().zip(&self.decider.detectors) {
                *q = d.quiet_level();
            }
        }
        quiet
    }

    /// Decides the next frame of `block` (the block being analysed), or keeps it for the warm-up.
    #[inline]
    fn take(&mut self, f: [Frame; MAX_ANALYSED], block: &[f32]) {
        if self.seeded {
            self.decider.decide(&f, &self.samples.view(block));
        } else {
            self.warmup.push(f);
            if self.warmup.len() >= self.params.warmup_frames {
                self.seed(block);
            }
        }
    }

    /// Seeds every detector's floor from the warm-up frames, then decides them. `block` is the
    /// block being analysed (not yet retired).
    fn seed(&mut self, block: &[f32]) {
        for (c, d) in self.decider.detectors.iter_mut().enumerate() {
            d.seed(self.warmup.iter().filter_map(|f| f.get(c).copied()));
        }
        self.seeded = true;
        let view = self.samples.view(block);
        for frame in &self.warmup {
            self.decider.decide(frame, &view);
        }
        self.warmup = Vec::new();
    }

    /// Each analysed channel's confidence (see [`confidence`]), once its spans are closed.
    fn confidence(&self) -> Vec<ChannelConfidence> {
        let frames_per_s = self.sample_rate as f32 / self.params.frame_len.max(1) as f32;
        self.decider
            .detectors
            .iter()
            .zip(self.decider.clipped)
            .enumerate()
            .map(|(c, (d, clipped))| {
                let share = if self.frames == 0 { 0.0 } else { clipped as f64 / self.frames as f64 };
                confidence::assess(c, &d.tally.stats(frames_per_s, share))
            })
            .collect()
    }

    /// The peaks computed so far.
    pub fn peaks(&self) -> &Peaks {
        &self.peaks
    }

    pub fn finish(mut self) -> Analysis {
        if !self.seeded {
            self.seed(&[]);
        }
        let view = self.samples.view(&[]);
        for d in &mut self.decider.detectors {
            d.close(&view);
        }
        for t in &mut self.decider.turns {
            t.finish(&view);
        }
        self.peaks.finish();
        for (c, &n) in self.decider.clipped.iter().enumerate().take(self.decider.detectors.len()) {
            let share = if self.frames == 0 { 0.0 } else { n as f64 / self.frames as f64 };
            if share >= CLIP_WARN {
                let who = match (self.decider.detectors.len(), c) {
                    (1, _) => "the recording",
                    (_, 0) => "agent",
                    _ => "customer",
                };
                self.warnings.push(format!(
                    "{who} clipped: {:.2} % of samples at full scale (loudness and talk edges are less certain)",
                    100.0 * share
                ));
            }
        }
        let confidence = self.confidence();
        let rate = f64::from(self.sample_rate.max(1));
        let duration_s = if self.sample_rate == 0 { 0.0 } else { self.frames as f64 / rate };
        let secs = |x: u64| x as f64 / rate;
        let spans_of = |d: Option<&Detector>, kind: Kind| -> Vec<Span> {
            d.map(|d| {
                d.spans
                    .iter()
                    .filter(|s| s.kind == kind)
                    .map(|s| Span::new(secs(s.start), secs(s.end)))
                    .collect()
            })
            .unwrap_or_default()
        };
        let mut hold = Vec::new();
        let mut busy = Vec::new();
        for (c, d) in self.decider.detectors.iter().enumerate() {
            for h in spans_of(Some(d), Kind::Hold) {
                hold.push(HoldSpan { start_s: h.start_s, end_s: h.end_s, channel: c });
                busy.push(h);
            }
            busy.extend(spans_of(Some(d), Kind::Talk));
        }
        hold.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let silence = evidence::silence(&busy, duration_s, self.config.min_silence_s);
        let pairs = |v: &[Span]| v.iter().map(|s| [s.start_s, s.end_s]).collect::<Vec<_>>();
        let (talk, overtalk, metrics) = if self.decider.detectors.len() >= 2 {
            let bounds = |c: usize| -> Vec<Span> {
                self.decider.turns.get(c).map_or_else(Vec::new, |t| {
                    t.boundaries.iter().map(|&(s, e)| Span::new(secs(s), secs(e))).collect()
                })
            };
            let (ab, cb) = (bounds(0), bounds(1));
            let agent = spans_of(self.decider.detectors.first(), Kind::Talk);
            let customer = spans_of(self.decider.detectors.get(1), Kind::Talk);
            // Overtalk is split where the side talking over the other starts a new sentence
            // (not at the interrupter's own pauses: its interruption goes on)...
            let ot = evidence::overtalk([&agent, &customer], [&ab, &cb], self.config.min_overtalk_s);
            // ...and the pause before a new sentence is not talk (each sentence its own span).
            let (agent, customer) = (evidence::without(&agent, &ab), evidence::without(&customer, &cb));
            let m = evidence::metrics(&agent, &customer, &[], &ot, &silence, &hold);
            (Talk::Stereo { agent: pairs(&agent), customer: pairs(&customer) }, ot, m)
        } else {
            let mixed = spans_of(self.decider.detectors.first(), Kind::Talk);
            let m = evidence::metrics(&[], &[], &mixed, &[], &silence, &hold);
            (Talk::Mono { mixed: pairs(&mixed) }, Vec::new(), m)
        };
        Analysis {
            duration_s,
            channels: self.channels,
            sample_rate: self.sample_rate,
            talk,
            overtalk,
            silence,
            hold,
            metrics,
            peaks: self.peaks,
            warnings: self.warnings,
            confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::model::Speaker;

    const RATE: u32 = 8000;

    /// Deterministic white noise with RMS `10^(db/20)`.
    fn noise(n: usize, seed: u32, db: f32) -> Vec<f32> {
        let amp = 10f32.powf(db / 20.0) * 3f32.sqrt();
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0) * amp
            })
            .collect()
    }

    fn at(s: f64) -> usize {
        (s * f64::from(RATE)) as usize
    }

    /// Speech-like talk: noise "syllables" of 180 ms with 70 ms dips, and a 250 ms pause every
    /// second (all bridged), at `db` RMS.
    fn add_talk(x: &mut [f32], from: f64, to: f64, db: f32, seed: u32) {
        let (a, b) = (at(from), at(to).min(x.len()));
        let n = noise(b - a, seed, db);
        for (i, v) in n.iter().enumerate() {
            let in_syllable = (i % at(0.25)) < at(0.18) && (i % at(1.0)) < at(0.75);
            if in_syllable || i + at(0.07) >= n.len() {
                x[a + i] += v;
            }
        }
    }

    fn add_tone(x: &mut [f32], from: f64, to: f64, db: f32, notes: bool) {
        let amp = 10f32.powf(db / 20.0) * 2f32.sqrt();
        for i in at(from)..at(to).min(x.len()) {
            let t = (i - at(from)) as f32 / RATE as f32;
            let f = if notes { [523.25, 659.25, 783.99, 659.25][(t / 0.5) as usize % 4] } else { 700.0 };
            x[i] += amp * (2.0 * std::f32::consts::PI * f * t).sin();
        }
    }

    fn run(channels: &[Vec<f32>]) -> Analysis {
        run_with(channels, Config::default())
    }

    fn run_with(channels: &[Vec<f32>], config: Config) -> Analysis {
        let n = channels[0].len();
        let inter: Vec<f32> = (0..n).flat_map(|i| channels.iter().map(move |c| c[i])).collect();
        let mut a = Analyzer::new(RATE, channels.len() as u16, config);
        for b in inter.chunks(4096 * channels.len()) {
            a.push(b);
        }
        a.finish()
    }

    fn spans(a: &Analysis, side: usize) -> Vec<[f64; 2]> {
        match (&a.talk, side) {
            (Talk::Stereo { agent, .. }, 0) => agent.clone(),
            (Talk::Stereo { customer, .. }, _) => customer.clone(),
            (Talk::Mono { mixed }, _) => mixed.clone(),
        }
    }

    fn close(got: &[[f64; 2]], want: &[[f64; 2]], tol: f64) -> bool {
        got.len() == want.len()
            && got.iter().zip(want).all(|(g, w)| (g[0] - w[0]).abs() <= tol && (g[1] - w[1]).abs() <= tol)
    }

    #[test]
    fn sums_from_a_sum_stage_give_the_same_analysis() {
        let mut agent = noise(at(14.0), 11, -58.0);
        let mut customer = noise(at(14.0), 12, -56.0);
        add_talk(&mut agent, 0.5, 4.0, -20.0, 13);
        add_talk(&mut customer, 3.0, 7.5, -22.0, 14);
        add_tone(&mut agent, 8.0, 11.0, -25.0, true);
        add_talk(&mut customer, 11.5, 13.0, -18.0, 15);
        let inter: Vec<f32> = agent.iter().zip(&customer).flat_map(|(a, c)| [*a, *c]).collect();
        let plain = run(&[agent, customer]);
        // Blocks that are not whole frames, so frames straddle blocks on both sides.
        let mut a = Analyzer::new(RATE, 2, Config::default());
        let mut stage = a.sum_stage();
        let mut sums = Staged::default();
        for b in inter.chunks(2 * 3001) {
            sums.clear();
            stage.push(b, &mut sums);
            a.push_with_sums(b, &sums);
        }
        let staged = a.finish();
        assert_eq!(format!("{:?}", staged.talk), format!("{:?}", plain.talk));
        assert_eq!(format!("{:?}", staged.overtalk), format!("{:?}", plain.overtalk));
        assert_eq!(format!("{:?}", staged.hold), format!("{:?}", plain.hold));
        assert_eq!(format!("{:?}", staged.silence), format!("{:?}", plain.silence));
        assert!(!plain.overtalk.is_empty() && !plain.hold.is_empty(), "the test signal has both");
        // Mono through a sum stage too.
        let mixed: Vec<f32> = inter.chunks(2).map(|p| 0.5 * (p[0] + p[1])).collect();
        let plain = run(std::slice::from_ref(&mixed));
        let mut a = Analyzer::new(RATE, 1, Config::default());
        let mut stage = a.sum_stage();
        for b in mixed.chunks(3001) {
            sums.clear();
            stage.push(b, &mut sums);
            a.push_with_sums(b, &sums);
        }
        let staged = a.finish();
        assert_eq!(format!("{:?}", staged.talk), format!("{:?}", plain.talk));
        assert_eq!(format!("{:?}", staged.silence), format!("{:?}", plain.silence));
    }

    #[test]
    fn a_tone_burst_is_one_span_with_sharp_edges() {
        let mut x = noise(at(6.0), 1, -60.0);
        add_tone(&mut x, 2.0, 3.0, -20.0, false);
        let a = run(&[x]);
        assert!(close(&spans(&a, 0), &[[2.0, 3.0]], 0.01), "{:?}", a.talk);
        assert!(a.hold.is_empty(), "1 s is too short to be hold music");
        assert_eq!(a.silence.len(), 2, "{:?}", a.silence);
        assert!((a.silence[0].end_s - 2.0).abs() < 0.01 && (a.silence[1].start_s - 3.0).abs() < 0.01);
        assert!(a.warnings.iter().any(|w| w.contains("two-channel")));
    }

    #[test]
    fn recordings_30_db_apart_give_the_same_spans() {
        let make = |floor: f32, talk: f32| {
            let mut x = noise(at(12.0), 2, floor);
            add_talk(&mut x, 1.0, 3.5, talk, 3);
            add_talk(&mut x, 7.0, 8.2, talk, 4);
            run(&[x])
        };
        let loud = make(-45.0, -15.0);
        let quiet = make(-75.0, -45.0);
        let want = [[1.0, 3.5], [7.0, 8.2]];
        assert!(close(&spans(&loud, 0), &want, 0.02), "{:?}", loud.talk);
        assert!(close(&spans(&quiet, 0), &want, 0.02), "{:?}", quiet.talk);
        assert_eq!(loud.silence.len(), 2);
        assert_eq!(quiet.silence.len(), 2);
    }

    #[test]
    fn the_floor_follows_a_30_db_step_within_seconds() {
        let mut x = noise(at(30.0), 5, -75.0);
        let louder = noise(at(20.0), 6, -45.0);
        for (v, n) in x[at(10.0)..].iter_mut().zip(&louder) {
            *v = *n;
        }
        add_talk(&mut x, 2.0, 3.0, -45.0, 7);
        add_talk(&mut x, 20.0, 22.0, -15.0, 8);
        let a = run(&[x]);
        let s = spans(&a, 0);
        // The step itself may look like talk until the floor catches up (≤ the 5 s window).
        let late: Vec<_> = s.iter().filter(|p| p[0] > 15.5).collect();
        assert_eq!(late.len(), 1, "{s:?}");
        assert!((late[0][0] - 20.0).abs() < 0.02 && (late[0][1] - 22.0).abs() < 0.02, "{s:?}");
        assert!(s.iter().any(|p| (p[0] - 2.0).abs() < 0.02), "{s:?}");
    }

    #[test]
    fn a_faint_echo_of_the_other_side_is_not_talk() {
        let mut agent = noise(at(10.0), 9, -60.0);
        add_talk(&mut agent, 1.0, 4.0, -12.0, 10);
        let mut customer = noise(at(10.0), 11, -60.0);
        // The agent's voice leaks into the customer's channel 30 dB down, 20 ms late.
        let d = at(0.02);
        for i in d..customer.len() {
            customer[i] += 0.0316 * (agent[i - d]);
        }
        add_talk(&mut customer, 6.0, 8.0, -15.0, 12);
        let a = run(&[agent, customer]);
        assert!(close(&spans(&a, 0), &[[1.0, 4.0]], 0.02), "{:?}", a.talk);
        assert!(close(&spans(&a, 1), &[[6.0, 8.0]], 0.02), "{:?}", a.talk);
        assert!(a.overtalk.is_empty(), "{:?}", a.overtalk);
    }

    #[test]
    fn a_quiet_talker_on_a_noisy_line_is_heard_alone_and_over_the_other_side() {
        // Line noise at -42 dBFS on both sides; the agent's syllables at -38 dBFS (4 dB over
        // the noise: under every 10 ms threshold), the customer's at -15 dBFS.
        let mut agent = noise(at(12.0), 21, -42.0);
        let mut customer = noise(at(12.0), 22, -42.0);
        add_talk(&mut agent, 1.0, 4.0, -38.0, 23);
        add_talk(&mut customer, 5.0, 10.0, -15.0, 24);
        // (Out of step with the customer's syllables: in step, its envelope would be an echo's.)
        add_talk(&mut agent, 7.1, 8.6, -38.0, 25);
        let a = run(&[agent, customer]);
        // Over the customer the agent's first syllable (180 ms) may be lost: it starts within
        // 0.3 s, and ends within 0.1 s.
        let agent = spans(&a, 0);
        assert_eq!(agent.len(), 2, "{:?}", a.talk);
        assert!(close(&agent[..1], &[[1.0, 4.0]], 0.1), "{:?}", a.talk);
        assert!((7.1..=7.4).contains(&agent[1][0]) && (agent[1][1] - 8.6).abs() <= 0.1, "{:?}", a.talk);
        assert!(close(&spans(&a, 1), &[[5.0, 10.0]], 0.05), "{:?}", a.talk);
        assert_eq!(a.overtalk.len(), 1, "{:?}", a.overtalk);
        assert_eq!(a.overtalk[0].started_by, Speaker::Agent);
    }

    #[test]
    fn on_a_noisy_line_the_other_sides_faint_echo_is_not_talk() {
        // The agent's voice leaks into the customer's channel 26 dB down, 30 ms late, over
        // -45 dBFS line noise: a few dB over the noise, like a quiet talker.
        let mut agent = noise(at(12.0), 31, -45.0);
        add_talk(&mut agent, 0.5, 4.5, -14.0, 32);
        let mut customer = noise(at(12.0), 33, -45.0);
        let d = at(0.03);
        for i in d..customer.len() {
            customer[i] += 0.05 * agent[i - d];
        }
        add_talk(&mut customer, 6.0, 8.0, -16.0, 34);
        add_talk(&mut agent, 9.0, 11.0, -14.0, 35);
        let a = run(&[agent, customer]);
        assert!(close(&spans(&a, 0), &[[0.5, 4.5], [9.0, 11.0]], 0.05), "{:?}", a.talk);
        assert!(close(&spans(&a, 1), &[[6.0, 8.0]], 0.05), "{:?}", a.talk);
        assert!(a.overtalk.is_empty(), "{:?}", a.overtalk);
    }

    #[test]
    fn continuous_tonal_music_is_hold_not_talk_nor_silence() {
        let mut agent = noise(at(16.0), 13, -55.0);
        add_talk(&mut agent, 0.5, 2.0, -10.0, 14);
        add_tone(&mut agent, 3.0, 11.0, -20.0, true);
        let customer = noise(at(16.0), 15, -55.0);
        let a = run(&[agent, customer]);
        assert_eq!(a.hold.len(), 1, "{:?}", a.hold);
        assert_eq!(a.hold[0].channel, 0);
        assert!(
            (a.hold[0].start_s - 3.0).abs() < 0.02 && (a.hold[0].end_s - 11.0).abs() < 0.02,
            "{:?}",
            a.hold
        );
        assert!(close(&spans(&a, 0), &[[0.5, 2.0]], 0.02), "{:?}", a.talk);
        assert!(spans(&a, 1).is_empty());
        // Only the 5 s after the music is dead air.
        assert_eq!(a.silence.len(), 1, "{:?}", a.silence);
        assert!((a.silence[0].start_s - 11.0).abs() < 0.02 && (a.silence[0].end_s - 16.0).abs() < 1e-9);
        assert!((a.metrics.hold_total_s - 8.0).abs() < 0.04);
    }

    #[test]
    fn overtalk_names_who_cut_in_and_metrics_add_up() {
        let mut agent = noise(at(11.0), 16, -60.0);
        let mut customer = noise(at(11.0), 17, -60.0);
        add_talk(&mut customer, 1.0, 5.0, -12.0, 18);
        add_talk(&mut agent, 4.0, 7.0, -12.0, 19);
        add_talk(&mut customer, 8.5, 10.0, -12.0, 20);
        let a = run(&[agent, customer]);
        assert_eq!(a.overtalk.len(), 1, "{:?}", a.overtalk);
        let o = a.overtalk[0];
        assert_eq!(o.started_by, Speaker::Agent);
        assert!((o.start_s - 4.0).abs() < 0.02 && (o.end_s - 5.0).abs() < 0.02, "{o:?}");
        let m = &a.metrics;
        assert!((m.talk_time_agent_s - 3.0).abs() < 0.04 && (m.talk_time_customer_s - 5.5).abs() < 0.04);
        assert!((m.talk_ratio_agent - 3.0 / 8.5).abs() < 0.01);
        assert_eq!((m.overtalk_by_agent, m.overtalk_by_customer), (1, 0));
        assert_eq!(m.silence_count, 0, "no gap reaches 2 s: {:?}", a.silence);
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn a_quiet_headset_talking_over_the_other_side_is_talk() {
        // The agent 30 dB under the customer, cutting in while the customer talks: not an echo
        // (its envelope does not follow the customer's), so it is talk, and overtalk by the agent.
        let mut agent = noise(at(11.0), 31, -85.0);
        let mut customer = noise(at(11.0), 32, -60.0);
        add_talk(&mut customer, 1.0, 6.0, -12.0, 33);
        // (Offset by 100 ms from the customer's syllable grid: `add_talk`'s syllables come
        // every 250 ms, and two such talkers in step would follow each other's envelope.)
        add_talk(&mut agent, 4.1, 8.1, -42.0, 34);
        let a = run(&[agent, customer]);
        assert!(close(&spans(&a, 0), &[[4.1, 8.1]], 0.02), "{:?}", a.talk);
        assert_eq!(a.overtalk.len(), 1, "{:?}", a.overtalk);
        assert_eq!(a.overtalk[0].started_by, Speaker::Agent);
    }

    #[test]
    fn dc_offset_and_clipping_change_no_span_and_clipping_is_warned() {
        let make = |gain: f32, dc: f32| {
            let mut agent = noise(at(10.0), 41, -55.0);
            let mut customer = noise(at(10.0), 42, -55.0);
            add_talk(&mut agent, 1.0, 3.0, -6.0, 43);
            add_talk(&mut customer, 5.0, 7.5, -25.0, 44);
            let clip = |x: &mut Vec<f32>| {
                for v in x.iter_mut() {
                    *v = (*v * gain + dc).clamp(-1.0, 1.0);
                }
            };
            clip(&mut agent);
            clip(&mut customer);
            run(&[agent, customer])
        };
        let plain = make(1.0, 0.0);
        let bad = make(2.8, 0.05);
        for side in 0..2 {
            assert!(
                close(&spans(&bad, side), &spans(&plain, side), 0.02),
                "{:?} vs {:?}",
                bad.talk,
                plain.talk
            );
        }
        assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
        assert!(bad.warnings.iter().any(|w| w.starts_with("agent clipped: ")), "{:?}", bad.warnings);
        assert!(!bad.warnings.iter().any(|w| w.starts_with("customer clipped")), "{:?}", bad.warnings);
    }

    #[test]
    fn sustained_moving_music_without_tones_is_hold_not_talk_nor_silence() {
        // Broadband "music": no pure tones (not tonal), but continuous, its level swinging
        // ±8 dB at 0.7 Hz for 12 s; speech with its pauses before and after stays talk.
        let mut agent = noise(at(24.0), 51, -55.0);
        add_talk(&mut agent, 0.5, 3.0, -12.0, 52);
        let music = noise(at(12.0), 53, -22.0);
        for (i, v) in music.iter().enumerate() {
            let t = i as f32 / RATE as f32;
            agent[at(4.0) + i] += v * (1.0 + 0.6 * (2.0 * std::f32::consts::PI * 0.7 * t).sin());
        }
        add_talk(&mut agent, 17.0, 19.0, -12.0, 54);
        let customer = noise(at(24.0), 55, -55.0);
        let a = run(&[agent, customer]);
        assert_eq!(a.hold.len(), 1, "{:?} {:?}", a.hold, a.talk);
        assert!(
            (a.hold[0].start_s - 4.0).abs() < 0.05 && (a.hold[0].end_s - 16.0).abs() < 0.05,
            "{:?}",
            a.hold
        );
        assert!(close(&spans(&a, 0), &[[0.5, 3.0], [17.0, 19.0]], 0.02), "{:?}", a.talk);
        assert!(a.silence.iter().all(|s| s.start_s >= 18.9), "{:?}", a.silence);
    }

    #[test]
    fn a_quiet_talkers_pauses_between_phrases_are_bridged_longer() {
        // Line noise at -42 dBFS. The agent 10 dB over it (a quiet headset), the customer 30 dB
        // over it; each says two phrases 0.6 s apart. The quiet side's pause stays inside its
        // span (its phrase edges sink into the noise), the clear side's does not.
        let mut agent = noise(at(14.0), 81, -42.0);
        let mut customer = noise(at(14.0), 82, -42.0);
        add_talk(&mut agent, 1.0, 3.0, -32.0, 83);
        add_talk(&mut agent, 3.6, 5.6, -32.0, 84);
        add_talk(&mut customer, 7.0, 9.0, -12.0, 85);
        add_talk(&mut customer, 9.6, 11.6, -12.0, 86);
        let a = run(&[agent.clone(), customer.clone()]);
        assert!(close(&spans(&a, 0), &[[1.0, 5.6]], 0.1), "{:?}", a.talk);
        assert!(close(&spans(&a, 1), &[[7.0, 9.0], [9.6, 11.6]], 0.05), "{:?}", a.talk);
        // Without the longer bridge the quiet side's phrases are two spans as well.
        let config = Config { quiet_bridge_s: 0.0, ..Config::default() };
        let b = run_with(&[agent, customer], config);
        assert_eq!(spans(&b, 0).len(), 2, "{:?}", b.talk);
    }

    /// A voiced "sentence": a glottal-like pulse train (pitch gliding from `f0` to `f1`) through
    /// a damped resonance, with breath noise, in syllables of 200 ms with 40 ms dips, at about
    /// `db` RMS; with `fade`, its last 300 ms fall by 15 dB.
    fn add_sentence(x: &mut [f32], from: f64, to: f64, (f0, f1): (f32, f32), db: f32, fade: bool) {
        let (a, b) = (at(from), at(to).min(x.len()));
        let breath = noise(b - a, 97, db - 12.0);
        let amp = 10f32.powf(db / 20.0) * 0.9;
        let (mut phase, mut y1, mut y2) = (0.0f32, 0.0f32, 0.0f32);
        let (r, w) = (0.93f32, 2.0 * std::f32::consts::PI * 700.0 / RATE as f32);
        let n = b - a;
        for (k, (v, br)) in x[a..b].iter_mut().zip(&breath).enumerate() {
            let t = k as f32 / RATE as f32;
            let f = f0 + (f1 - f0) * k as f32 / n as f32;
            phase += f / RATE as f32;
            let pulse = if phase >= 1.0 {
                phase -= 1.0;
                1.0
            } else {
                0.0
            };
            // A resonance at 700 Hz (a vowel's first formant) rung by each pulse.
            let y = pulse + 2.0 * r * w.cos() * y1 - r * r * y2;
            (y2, y1) = (y1, y);
            let left = (n - k) as f32 / RATE as f32;
            let gain = if fade && left < 0.3 { 10f32.powf(-0.75 * (1.0 - left / 0.3)) } else { 1.0 };
            let dip = if (t % 0.24) >= 0.2 && left > 0.05 { 0.2 } else { 1.0 };
            *v += gain * dip * (amp * y + br);
        }
    }

    #[test]
    fn a_new_sentence_during_overtalk_is_told_by_its_fade_onset_and_pitch_reset() {
        // The agent talks first; the customer cuts in at 2.0 s and talks on to 6.5 s. The agent's
        // sentence ends at 3.5 s and a new one starts 0.12 s later, over the customer.
        let run_case = |fade: bool, reset: bool| {
            let mut agent = noise(at(8.0), 91, -60.0);
            let mut customer = noise(at(8.0), 92, -60.0);
            add_sentence(&mut agent, 0.5, 3.5, (150.0, 118.0), -16.0, fade);
            let next = if reset { (165.0, 140.0) } else { (118.0, 110.0) };
            add_sentence(&mut agent, 3.62, 5.5, next, -16.0, false);
            add_talk(&mut customer, 2.0, 6.5, -18.0, 93);
            let a = run(&[agent, customer]);
            a.overtalk.iter().map(|o| (o.start_s, o.end_s, o.started_by)).collect::<Vec<_>>()
        };
        // Fading into the pause, starting loud after it, the pitch reset: the new sentence is the
        // agent talking over the customer from 3.62 s.
        let ot = run_case(true, true);
        assert_eq!(ot.len(), 2, "{ot:?}");
        assert_eq!(ot[0].2, Speaker::Customer, "{ot:?}");
        assert_eq!(ot[1].2, Speaker::Agent, "{ot:?}");
        assert!((ot[1].0 - 3.62).abs() < 0.05, "{ot:?}");
        // The same pause with the voice cut at its level (no fade), or without the pitch reset:
        // a pause inside a sentence, one overtalk started by the customer.
        for (fade, reset) in [(false, true), (true, false)] {
            let ot = run_case(fade, reset);
            assert_eq!(ot.len(), 1, "fade {fade}, reset {reset}: {ot:?}");
            assert_eq!(ot[0].2, Speaker::Customer, "{ot:?}");
        }
    }

    #[test]
    fn twelve_seconds_of_fast_talk_on_a_noisy_line_stay_talk() {
        // Line noise at -42 dBFS; the customer talks for 12 s without a pause longer than a
        // breath: syllables of 200 ms, 60 ms between them, a 300 ms breath every 2.5 s, the
        // level of each syllable varying. Talk, not hold: it is heard in ~73 % of its frames,
        // the long music rule needs 90 % (real music on hold under such noise: 93-98 %).
        let mut customer = noise(at(16.0), 71, -42.0);
        let talk = noise(at(12.0), 72, -18.0);
        for (i, v) in talk.iter().enumerate() {
            let (syllable, breath) = (i / at(0.26), (i % at(2.5)) >= at(2.2));
            if (i % at(0.26)) < at(0.2) && !breath {
                customer[at(2.0) + i] += v * [1.0, 0.5, 0.8, 0.35][syllable % 4];
            }
        }
        let agent = noise(at(16.0), 73, -42.0);
        let a = run(&[agent, customer]);
        assert!(a.hold.is_empty(), "{:?}", a.hold);
        let got = spans(&a, 1);
        let talked: f64 = got.iter().map(|s| s[1] - s[0]).sum();
        assert!(got.first().is_some_and(|s| (s[0] - 2.0).abs() < 0.05), "{got:?}");
        assert!(got.last().is_some_and(|s| (s[1] - 13.9).abs() < 0.1), "{got:?}");
        assert!(talked > 11.0, "{got:?}");
    }

    #[test]
    fn clicks_do_not_make_talk() {
        let mut x = noise(at(8.0), 21, -60.0);
        for k in 0..40 {
            x[at(1.0) + k * at(0.063)] = 0.4;
        }
        let a = run(&[x]);
        assert!(spans(&a, 0).is_empty(), "{:?}", a.talk);
    }

    #[test]
    fn empty_and_tiny_inputs_do_not_panic() {
        let a = Analyzer::new(8000, 2, Config::default()).finish();
        assert_eq!(a.duration_s, 0.0);
        assert!(a.silence.is_empty());
        let mut b = Analyzer::new(8000, 2, Config::default());
        b.push(&[0.1, 0.2, 0.3]);
        let b = b.finish();
        assert_eq!(b.peaks.frames, 1);
        let c = Analyzer::new(0, 0, Config::default()).finish();
        assert_eq!(c.duration_s, 0.0);
    }
}
