//! Per-channel activity detection over frame features: an adaptive noise floor, hysteresis,
//! gap bridging, a minimum span length, the cross-channel echo check, and the talk / hold
//! decision for each finished span. Spans end at their last active frame (refined to the
//! sample), never at the end of the bridging hangover.

use std::collections::VecDeque;

use super::confidence::{SpanKind, Tally};
use super::frames::{Frame, View};
use super::noise::{
    LOW_HEARD, LOW_KEEP, LOW_SNR_GATE, LOW_START, NOISE_NEAR, NOISE_OVER_MIN, Noise, PEAK_DECAY, greater,
    lesser, robust3,
};

/// Frames averaged before the noise floor's sliding minimum (100 ms: quantised noise, e.g.
/// 8-bit, leaves single all-zero frames).
const SMOOTH: usize = 10;
/// Consecutive active frames needed to count as activity (a click lights one or two).
const MIN_RUN: u64 = 3;
/// The sliding minimum sits below the noise's mean power (by ~1.5 dB for smooth noise, more
/// for coarsely quantised noise); the floor is the minimum times this (+3 dB).
const FLOOR_BIAS: f32 = 2.0;
/// Active frames this close after a span's last confirmed run still extend it (80 ms): the
/// last syllable may be shorter than `MIN_RUN` frames, depending on where the frame grid falls.
const TAIL: u64 = 8;
/// A frame this far over the floor (power ratio, +3 dB; the floor is itself ~1.5 dB over the
/// noise's mean) continues a span's onset backwards.
const ONSET_RATIO: f32 = 2.0;
/// Frames remembered for extending a span's start backwards (160 ms).
const PAST: usize = 16;
/// Weight of each frame's mean in the channel's DC estimate (a ~0.5 s average).
const DC_RATE: f32 = 0.02;
/// Lowest noise floor assumed, mean-square power: 50 dB under the channel's speech level, but
/// never under -100 dBFS (a 16-bit step) nor, for a loud channel, under -70 dBFS: digital
/// silence (or 8-bit quantisation) between words must not make a single step look like talk,
/// and a headset 30 dB down on a clean line must still be heard.
const MIN_FLOOR_UNDER_LEVEL: f32 = 1e-5;
const MIN_FLOOR_LOW: f32 = 1e-10;
const MIN_FLOOR_HIGH: f32 = 1e-7;
/// The speech level (the loudest 100 ms average lately) falls this much per frame (0.5 dB/s)
/// when nothing louder comes.
const LEVEL_DECAY: f32 = 0.998_849;
/// Lowest start threshold over the floor (+5 dB), power ratio; the keep threshold is 3 dB under
/// the start one, and never under +3 dB.
const MIN_START: f32 = 3.162_278;
const MIN_KEEP: f32 = 2.0;
/// Sustained sound (see [`Open::sustained`]): share of active frames...
const CONTINUITY: f32 = 0.9;
/// ...range of its 100 ms level (power ratio, 6 dB)...
const MOVES: f32 = 4.0;
/// ...after which the floor stops learning from it (2 s)...
const SUSTAIN_FRAMES: u64 = 200;
/// ...and from which a span is music on hold even if not tonal (6 s).
const MUSIC_FRAMES: u64 = 600;
/// A span this long (10 s) that is heard in [`CONTINUITY`] of its frames, its level moving
/// ≥ 6 dB, is music on hold however few of its frames the 10 ms thresholds hear: nobody
/// talks for 10 s pausing less than a tenth of the time (talk spans of ≥ 10 s in the
/// robustness corpus are heard in ≤ 86 % of their frames, back-to-back real speech the most;
/// its holds at −24 dBFS in ≥ 90 %; music 30 dB under the voice can fall under it, see
/// docs/robustness.md). On a noisy line the averaged criteria hear music's quiet notes the
/// 10 ms thresholds miss.
const LONG_MUSIC_FRAMES: u64 = 1000;
/// A span whose counted frames are fewer than this share of its heard frames is judged by all
/// the frames heard.
const FAINT_SHARE: f32 = 0.5;
/// Such a span is sustained when heard in this share of its frames...
const FAINT_CONTINUITY: f32 = 0.75;
/// ...its 100 ms level spanning this much (power ratio, 3 dB).
const FAINT_MOVES: f32 = 2.0;
/// A side whose loudest lasting sound is under this over its floor (+15 dB) gets the longer
/// bridge (see [`Detector::bridge`]); from +20–25 dB on, the longer bridge merges a clear
/// talker's sentences (measured on the robustness corpus, docs/robustness.md).
const QUIET_PEAK: f32 = 31.62;
/// A speech level this far over the floor (+6 dB) means the channel has been heard talking.
const SPEECH_SEEN: f32 = 4.0;
/// Detector settings, in frames and linear power ratios (derived from [`super::Config`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    pub frame_len: u64,
    /// Power over the floor to start a span.
    pub start_ratio: f32,
    /// Power over the floor to stay active inside a span.
    pub keep_ratio: f32,
    /// Longest run of inactive frames bridged inside one span.
    pub bridge_frames: u64,
    /// More bridged on a quiet side (see [`Detector::bridge`]).
    pub quiet_bridge_frames: u64,
    /// Shortest talk span kept, frames.
    pub min_talk_frames: u64,
    /// The other channel this much louder (power ratio) means this frame is an echo of it.
    pub echo_ratio: f32,
    /// Frames of the other channel's past looked at for the echo check.
    pub echo_frames: usize,
    /// Sliding-minimum window of the noise floor, frames.
    pub floor_frames: usize,
    /// Frames used to seed the floor at the start of the file.
    pub warmup_frames: usize,
    /// A frame is tonal when its prediction gain (power ratio) reaches this.
    pub tonal_gain: f32,
    /// Frames with at least this prediction gain stay out of the noise floor (noise is ~1).
    pub floor_tonal_gain: f32,
    /// A span is hold music when at least this share of its active frames is tonal...
    pub hold_fraction: f32,
    /// ...and it lasts at least this many frames.
    pub hold_min_frames: u64,
    /// Edge refinement: a sample belongs to the span when `|x| > edge_k * sqrt(floor)`.
    pub edge_k: f32,
}

/// What a finished span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Talk,
    Hold,
}

/// A finished span in samples, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SampleSpan {
    pub start: u64,
    pub end: u64,
    pub kind: Kind,
}

#[derive(Clone, Copy, Debug)]
struct Open {
    start: u64,
    first_frame: u64,
    last_active: u64,
    /// The last active frame not (yet) part of a long enough run, within `TAIL` frames of
    /// `last_active`: a speaker's last short syllable still belongs to the span.
    tail: u64,
    /// Floor when the span was last active (for the edge amplitude threshold).
    last_floor: f32,
    active: u64,
    /// Active frames, those heard only by the averaged criteria included.
    heard: u64,
    tonal: u64,
    /// Lowest and highest 100 ms average inside the span (from its 11th frame on).
    smin: f32,
    smax: f32,
    /// The channel's `peak` before the span's first run: hold music is no talker's level, and
    /// when the span turns out to be music the peak goes back to it.
    peak_before: f32,
}

impl Open {
    /// Sustained, moving sound: open for `frames` frames or more, active in ≥ 90 % of them, its
    /// 100 ms level spanning ≥ 6 dB. Music is; speech pauses too often; steady noise does not
    /// move.
    ///
    /// A span the 10 ms thresholds hear in less than half of its heard frames (sound a few dB
    /// over a noisy line's noise) is judged by all the frames heard instead.
    fn sustained(&self, t: u64, frames: u64) -> bool {
        let n = t + 1 - self.first_frame.min(t);
        if n < frames {
            return false;
        }
        let n = n as f32;
        if self.active as f32 >= FAINT_SHARE * self.heard as f32 {
            self.active as f32 >= CONTINUITY * n && self.smax >= MOVES * self.smin
        } else {
            // Faint: heard in ≥ 75 % of the frames (the averaged criteria miss a few dB of
            // music's quiet notes too), its level moving ≥ 3 dB (a faint sound moves less over
            // the noise it adds to).
            n >= frames as f32
                && self.heard as f32 >= FAINT_CONTINUITY * n
                && self.smax >= FAINT_MOVES * self.smin
        }
    }

    /// Long continuous moving sound (see [`LONG_MUSIC_FRAMES`]), judged by every frame heard.
    fn long_music(&self, t: u64) -> bool {
        let n = t + 1 - self.first_frame.min(t);
        n >= LONG_MUSIC_FRAMES && self.heard as f32 >= CONTINUITY * n as f32 && self.smax >= MOVES * self.smin
    }
}

/// The streaming detector of one channel.
#[derive(Debug)]
pub(crate) struct Detector {
    p: Params,
    /// The channel this detector watches.
    ch: usize,
    /// Monotonic deque for the sliding minimum of smoothed energy: (frame, value).
    mins: VecDeque<(u64, f32)>,
    /// Minimum over the warm-up frames (seeds the floor at the start).
    seed: f32,
    recent: [f32; SMOOTH],
    /// The last frame at least `floor_tonal_gain` tonal.
    last_tonal: Option<u64>,
    /// Energies of the last `PAST` frames (ring), to extend a span's start backwards.
    past: [f32; PAST],
    /// Whether each of the last `PAST` frames was on a noisy line (see `LOW_SNR_GATE`).
    past_low: [bool; PAST],
    /// The current run of active frames: length, first frame, tonal frames in it.
    run: u64,
    run_start: u64,
    run_tonal: u64,
    /// Frames of the run over the 10 ms threshold (not heard only by the averaged criteria).
    run_counted: u64,
    /// The channel's `peak` before the run's first frame.
    run_peak: f32,
    /// The floor last seen, used while the window holds only tonal frames.
    last_floor: f32,
    /// The channel's DC offset (a slow average of the frames' means), for the span edges.
    dc: f32,
    /// The channel's speech level: the loudest 100 ms average energy lately (decaying).
    level: f32,
    /// The loudest 30 ms average lately (each frame at most the median of three, so clicks do
    /// not count), decaying slowly (`PEAK_DECAY`): whether the line is noisy is judged by it.
    peak: f32,
    /// The line noise's statistics in 30 ms averages.
    noise: Noise,
    /// Whether a talk span has been found.
    talked: bool,
    /// Whether the line was noisy at the last frame.
    noisy_now: bool,
    open: Option<Open>,
    pub spans: Vec<SampleSpan>,
    /// Frame levels over the floor, for the channel's confidence.
    pub tally: Tally,
}

impl Detector {
    pub fn new(p: Params, ch: usize) -> Self {
        Detector {
            p,
            ch,
            mins: VecDeque::new(),
            seed: f32::INFINITY,
            recent: [0.0; SMOOTH],
            last_tonal: None,
            past: [0.0; PAST],
            past_low: [false; PAST],
            run: 0,
            run_start: 0,
            run_tonal: 0,
            run_counted: 0,
            run_peak: 0.0,
            last_floor: f32::INFINITY,
            dc: 0.0,
            level: 0.0,
            peak: 0.0,
            noise: Noise::default(),
            talked: false,
            noisy_now: false,
            open: None,
            spans: Vec::new(),
            tally: Tally::default(),
        }
    }

    /// Seeds the floor from the first frames (before any decision is made).
    pub fn seed(&mut self, frames: impl Iterator<Item = Frame> + Clone) {
        let (sum, n) = frames.clone().fold((0f64, 0usize), |(s, n), f| (s + f64::from(f.mean), n + 1));
        if n > 0 {
            self.dc = (sum / n as f64) as f32;
        }
        let mut ring = [0f32; SMOOTH];
        let dc = self.dc;
        for (i, e) in frames.map(|f| f.energy + (f.mean - dc) * (f.mean - dc)).enumerate() {
            if let Some(r) = ring.get_mut(i % SMOOTH) {
                *r = e;
            }
            if i + 1 >= SMOOTH {
                self.seed = self.seed.min(ring.iter().sum::<f32>() / SMOOTH as f32);
            }
        }
        if !self.seed.is_finite() {
            self.seed = ring.iter().copied().fold(0.0, f32::max);
        }
    }

    /// The power ratio over `floor` a frame of `energy` must reach (start or keep, see `step`).
    /// Computed only as far as it matters: a frame under the lowest possible threshold or over
    /// the highest needs no square root.
    fn threshold(&self, floor: f32, energy: f32) -> f32 {
        let (lowest, highest) = if self.open.is_some() {
            (MIN_KEEP, self.p.keep_ratio.max(MIN_KEEP))
        } else {
            (MIN_START, self.p.start_ratio.max(MIN_START))
        };
        if energy < floor * lowest || energy >= floor * highest {
            return highest;
        }
        let snr = self.level / floor;
        let start = if snr < SPEECH_SEEN {
            self.p.start_ratio
        } else {
            snr.sqrt().clamp(MIN_START, self.p.start_ratio.max(MIN_START))
        };
        if self.open.is_some() {
            (start * self.p.keep_ratio / self.p.start_ratio).max(MIN_KEEP)
        } else {
            start
        }
    }

    /// Whether the line is noisy: the channel's loudest lasting sound lately is less than
    /// `LOW_SNR_GATE` over its floor, and something (+3 dB) over it has been heard.
    fn noisy(&self, floor: f32) -> bool {
        self.peak < floor * LOW_SNR_GATE && self.peak >= floor * LOW_HEARD
    }

    /// Longest run of inactive frames bridged inside a span: longer on a side whose loudest
    /// lasting sound is under `QUIET_PEAK` over its floor (a quiet talker, or speech a few dB
    /// over line noise), where a phrase's soft start and end sink into the noise and the pauses
    /// between phrases look up to 0.2 s longer than they are.
    fn bridge(&self, floor: f32) -> u64 {
        if self.peak < floor * QUIET_PEAK {
            self.p.bridge_frames + self.p.quiet_bridge_frames
        } else {
            self.p.bridge_frames
        }
    }

    /// The noise's mean power: the sliding minimum of its 100 ms averages + 1.5 dB (smooth noise).
    fn noise_mean(floor: f32) -> f32 {
        floor / FLOOR_BIAS * NOISE_OVER_MIN
    }

    /// The mean of the held frame energies `k - 1 ..= k + 1` (a 30 ms average centred on `k`;
    /// frames after `now` are not known yet and left out), a click left out (see `robust3`).
    fn average_at(&self, k: u64, now: u64) -> f32 {
        let held = |j: u64| self.past.get((j as usize) % PAST).copied().unwrap_or(0.0);
        match (k.saturating_sub(1), (k + 1).min(now)) {
            (lo, hi) if hi >= lo + 2 && now - lo < PAST as u64 => robust3(held(lo), held(lo + 1), held(hi)),
            (lo, hi) if hi == lo + 1 => 0.5 * (held(lo) + held(hi)),
            (lo, _) => held(lo),
        }
    }

    /// On a noisy line: whether the last 30 ms average (`recent`) is over the noise by
    /// `LOW_START` (no span open) or `LOW_KEEP` (inside a span).
    fn averaged_loud(&self, recent: f32, floor: f32) -> bool {
        let mean = Self::noise_mean(floor);
        let limit = if self.open.is_some() {
            self.noise.over(mean, LOW_KEEP)
        } else {
            self.noise.over(mean, LOW_START)
        };
        limit.is_some_and(|l| recent >= l)
    }

    /// The newest of the frames `t - 2 ..= t` (the last 30 ms average's) whose own energy is
    /// over the noise by `LOW_KEEP`: where sound heard by the averaged criteria last was (the
    /// average stays up for two frames after it). `t - 2` when none is.
    fn newest_sound(&self, t: u64, floor: f32) -> u64 {
        let level = self.noise.mean(Self::noise_mean(floor)) * LOW_KEEP;
        let held = |k: u64| self.past.get((k as usize) % PAST).copied().unwrap_or(0.0);
        (t.saturating_sub(2)..=t).rev().find(|&k| held(k) >= level).unwrap_or(t.saturating_sub(2))
    }

    /// Whether frame `k` (held in `past`) still belongs to the onset of a span confirmed at
    /// frame `t`: over the floor by `ONSET_RATIO`, or on a noisy line its 30 ms average over the
    /// noise by `LOW_KEEP`.
    fn onset_continues(&self, k: u64, t: u64, floor: f32) -> bool {
        let e = self.past.get((k as usize) % PAST).copied().unwrap_or(0.0);
        let low = self.past_low.get((k as usize) % PAST).copied().unwrap_or(false);
        e >= floor * ONSET_RATIO
            || (low
                && self
                    .noise
                    .over(Self::noise_mean(floor), LOW_KEEP)
                    .is_some_and(|l| self.average_at(k, t) >= l))
    }

    /// Mean square of frame `f` around the channel's DC offset.
    fn about_dc(&self, f: Frame) -> f32 {
        let d = f.mean - self.dc;
        f.energy + d * d
    }

    /// Whether this side was active (a confirmed run) within the last `frames` frames before
    /// frame `t`, inside the open span.
    pub fn active_within(&self, t: u64, frames: u64) -> bool {
        self.open.is_some_and(|o| t <= o.last_active + frames)
    }

    /// Whether the line was noisy at the last frame (the averaged criteria apply).
    pub fn noisy_line(&self) -> bool {
        self.noisy_now
    }

    /// Whether a talk span of this side has been found.
    pub fn has_talked(&self) -> bool {
        self.talked
    }

    /// Whether the open span is sustained sound (see [`Open::sustained`]) as of frame `t`.
    pub fn sustained(&self, t: u64) -> bool {
        self.open.is_some_and(|o| o.sustained(t, SUSTAIN_FRAMES))
    }

    /// Whether a span is open (this side is talking or on hold, bridged pauses included).
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Where the open talk (or hold) span starts (sample), if one is open.
    pub fn open_start(&self) -> Option<u64> {
        self.open.map(|o| o.start)
    }

    /// The noise floor last estimated (mean-square power; 0 before it is known).
    pub fn floor_level(&self) -> f32 {
        if self.last_floor.is_finite() { self.last_floor } else { 0.0 }
    }

    /// Frames quieter than this are noise whatever their tonality: their prediction gain need
    /// not be computed (0 until the floor is known).
    pub fn quiet_level(&self) -> f32 {
        if self.last_floor.is_finite() { self.last_floor * FLOOR_BIAS * self.p.keep_ratio } else { 0.0 }
    }

    /// The lowest floor assumed (see `MIN_FLOOR_UNDER_LEVEL`).
    fn lowest_floor(&self) -> f32 {
        (self.level * MIN_FLOOR_UNDER_LEVEL).clamp(MIN_FLOOR_LOW, MIN_FLOOR_HIGH)
    }

    /// The current noise floor (mean-square power).
    fn floor(&mut self, t: u64) -> f32 {
        let m = self.mins.front().map_or(self.last_floor, |x| x.1);
        let f = if (t as usize) < self.p.floor_frames + self.p.warmup_frames { m.min(self.seed) } else { m };
        let min = self.lowest_floor();
        let f = if f.is_finite() { (f * FLOOR_BIAS).max(min) } else { min };
        self.last_floor = f / FLOOR_BIAS;
        f
    }

    /// Feeds frame `t`. `echo` says whether the frame is the other side's echo (asked only of
    /// frames loud enough to be talk; with `true` for frames heard only by the averaged
    /// criteria of a noisy line, which are too faint for the echo model: then the other side
    /// being much louder is enough); `other_busy` whether the other side is inside a span
    /// (for the confidence tally only: see [`super::confidence`]). `samples` holds the recent samples for edge refinement.
    pub fn step(
        &mut self,
        t: u64,
        f: Frame,
        echo: impl FnOnce(bool) -> bool,
        other_busy: bool,
        samples: &View<'_>,
    ) {
        // Sliding minimum of the smoothed energy. Tonal frames (music) stay out of it, so a
        // long stretch of hold music does not lift the floor up to the music: only averages
        // with no tonal frame in them count.
        // Energy around the channel's DC: the frame's own mean is out of `f.energy`, what it
        // differs from the channel's offset by is back in (a quantised floor whose mean is off
        // zero, e.g. 8-bit, keeps its power; a constant offset has none).
        let f = Frame { energy: self.about_dc(f), ..f };
        self.dc += DC_RATE * (f.mean - self.dc);
        if let Some(r) = self.recent.get_mut((t as usize) % SMOOTH) {
            *r = f.energy;
        }
        if f.gain >= self.p.floor_tonal_gain {
            self.last_tonal = Some(t);
        }
        let clean = self.last_tonal.is_none_or(|lt| t >= lt + SMOOTH as u64);
        // Summed pairwise: a straight sum is one chain of ten dependent adds per frame.
        let [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9] = self.recent;
        let smooth = (((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) + (r8 + r9)) / SMOOTH as f32;
        self.level = (self.level * LEVEL_DECAY).max(smooth);

        if let Some(o) = self.open.as_mut()
            && t >= o.first_frame + SMOOTH as u64
        {
            o.smin = o.smin.min(smooth);
            o.smax = o.smax.max(smooth);
        }
        // Music without tonal frames must not become the floor either: while the open span is
        // sustained, moving sound the floor learns nothing (steady noise does not move, so a
        // noise step is still learned within the window).
        let sustained = self.open.filter(|o| o.sustained(t, SUSTAIN_FRAMES)).map(|o| o.first_frame);
        if let Some(first) = sustained {
            // ...nor from its first seconds, learned before it was known to be sustained.
            while self.mins.back().is_some_and(|b| b.0 >= first) {
                self.mins.pop_back();
            }
        }
        let sustained = sustained.is_some();
        if t as usize + 1 >= SMOOTH && clean && !sustained {
            while self.mins.back().is_some_and(|b| b.1 >= smooth) {
                self.mins.pop_back();
            }
            self.mins.push_back((t, smooth));
        }
        while self.mins.front().is_some_and(|x| x.0 + self.p.floor_frames as u64 <= t) {
            self.mins.pop_front();
        }
        let floor = self.floor(t);
        let warm = (t as usize) < self.p.warmup_frames;
        // The rest of the call is judged only where this side's own sound is measured against
        // real line noise: not while the other side talks (its echo), nor while the floor is at
        // its lower bound (digital silence or coarse quantisation, e.g. 8-bit, whose flicker is
        // no voice).
        let judged = !other_busy && floor > self.lowest_floor();
        self.tally.frame(t, [f.energy, smooth], floor, f.gain >= self.p.floor_tonal_gain, warm, judged);
        if let Some(p) = self.past.get_mut((t as usize) % PAST) {
            *p = f.energy;
        }
        // The last 30 ms average, clicks left out: the loudest lately says whether the line is
        // noisy, and on a noisy line it is the averaged criterion.
        let recent = self.average_at(t.saturating_sub(1), t);
        let peak_then = self.peak;
        self.peak = greater(self.peak * PEAK_DECAY, recent);
        let low = self.noisy(floor);
        if let Some(p) = self.past_low.get_mut((t as usize) % PAST) {
            *p = low;
        }
        self.noisy_now = low;
        // Thresholds follow the channel's own signal-to-noise ratio: halfway (in dB) between the
        // floor and the speech level, at most the configured +10 dB (a clean line), at least
        // +5 dB (a quiet talker on a noisy line). Until something 6 dB over the floor has been
        // heard there is no level to go by, and the configured threshold holds (quantised or
        // crackly noise flickers more than smooth noise). No level in dBFS enters.
        let loud = f.energy >= floor * self.threshold(floor, f.energy);
        let averaged = !loud && low && self.averaged_loud(recent, floor);
        // The noise statistics learn from frames outside spans near the noise's mean (averages
        // with the frames of a span's onset stay out), on lines that may be noisy.
        if self.open.is_none()
            && self.run == 0
            && self.peak < floor * LOW_SNR_GATE
            && smooth < self.noise.mean(Self::noise_mean(floor)) * NOISE_NEAR
            && t >= SMOOTH as u64
        {
            self.noise.learn(recent / Self::noise_mean(floor));
        }
        let tonal = u64::from(f.gain >= self.p.tonal_gain);
        // Runs of active frames: only runs of MIN_RUN frames or more count (a click lights one
        // or two frames), and the run counts from its first frame.
        // Frames heard only by the averaged criteria are not counted as active for the span's
        // kind (sustained sound, tonal share): in noise they keep a talker's pauses inside the
        // span, which would make long speech look like music.
        let counted = u64::from(loud);
        if (loud || averaged) && !echo(averaged) {
            if self.run == 0 {
                self.run_start = t;
                self.run_peak = peak_then;
                self.run_tonal = 0;
                self.run_counted = 0;
            }
            self.run += 1;
            self.run_tonal += tonal;
            self.run_counted += counted;
        } else {
            self.run = 0;
        }
        let fl = self.p.frame_len;
        let confirmed = self.run >= MIN_RUN;
        // Frames the confirmation adds: the whole run when it just became long enough.
        let (add, add_tonal) = match self.run {
            r if r == MIN_RUN => (self.run_counted, self.run_tonal),
            r if r > MIN_RUN => (counted, tonal),
            _ => (0, 0),
        };
        let newest = if averaged { self.newest_sound(t, floor) } else { t };
        match self.open.as_mut() {
            None if confirmed => {
                // A soft onset (a fricative, a rising vowel) may sit just above the floor before
                // the run: it belongs to the span.
                let mut first = self.run_start;
                while first > 0 && t - (first - 1) < PAST as u64 {
                    if !self.onset_continues(first - 1, t, floor) {
                        break;
                    }
                    first -= 1;
                }
                let thr = self.p.edge_k * floor.sqrt();
                let from = (first * fl).saturating_sub(fl);
                let start =
                    samples.first_above(self.ch, from, (first + 1) * fl, self.dc, thr).unwrap_or(first * fl);
                self.open = Some(Open {
                    start,
                    first_frame: first,
                    last_active: t,
                    tail: t,
                    last_floor: floor,
                    active: add,
                    heard: self.run,
                    tonal: add_tonal,
                    smin: f32::INFINITY,
                    smax: 0.0,
                    peak_before: self.run_peak,
                });
                self.tally.open(first, t);
            }
            None => {}
            Some(o) => {
                if self.run > 0 && t - o.last_active <= TAIL {
                    o.tail = o.tail.max(newest);
                }
                if confirmed {
                    o.last_active = if averaged { o.last_active.max(newest) } else { t };
                    o.last_floor = floor;
                    o.active += add;
                    o.heard += if self.run == MIN_RUN { MIN_RUN } else { 1 };
                    o.tonal += add_tonal;
                } else if t - o.last_active > self.bridge(floor) {
                    self.close(samples);
                }
            }
        }
    }

    /// Closes the open span (at the end of the file, or after the bridging gap).
    pub fn close(&mut self, samples: &View<'_>) {
        let Some(o) = self.open.take() else { return };
        let fl = self.p.frame_len;
        let thr = self.p.edge_k * o.last_floor.sqrt();
        let last = o.last_active.max(o.tail);
        let end = samples
            .last_above(self.ch, last * fl, (last + 1) * fl, self.dc, thr)
            .map_or((last + 1) * fl, |i| i + 1);
        let frames = o.last_active + 1 - o.first_frame;
        // (A span heard only by the averaged criteria has no counted frames: not tonal.)
        let tonal = o.active > 0 && o.tonal as f32 >= self.p.hold_fraction * o.active as f32;
        let music = o.sustained(o.last_active, MUSIC_FRAMES) || o.long_music(o.last_active);
        let kind = if (tonal && frames >= self.p.hold_min_frames) || music {
            Some(Kind::Hold)
        } else if frames >= self.p.min_talk_frames {
            Some(Kind::Talk)
        } else {
            None
        };
        let counted = match kind {
            Some(Kind::Talk) if end > o.start => SpanKind::Talk,
            Some(Kind::Hold) if end > o.start => SpanKind::Hold,
            _ => SpanKind::Dropped,
        };
        self.tally.close(o.first_frame, last, counted);
        if kind == Some(Kind::Hold) {
            self.peak = lesser(self.peak, o.peak_before);
        }
        let Some(kind) = kind else { return };
        if end > o.start {
            self.talked |= kind == Kind::Talk;
            self.spans.push(SampleSpan { start: o.start, end, kind });
        }
    }
}
