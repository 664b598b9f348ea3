//! New sentences inside one talk span, while the other side is talking.
//!
//! The detector bridges pauses up to 0.5 s so the pauses between words stay inside one span.
//! During overtalk that hides a turn: the customer ends a sentence, starts the next one 10 ms
//! later while the agent is still talking, and that new sentence is the customer talking over
//! the agent, not the agent's interruption going on. Pause length cannot tell the two apart
//! (pauses at commas are as short or as long), but intonation can: a sentence ends with its
//! pitch falling and the next one starts higher again (declination reset). So, only while
//! both sides are talking, every pause in a channel (a run of 5 ms half-frames near its noise
//! floor, ≤ 0.5 s) is checked with [`super::pitch`]: pitch falling by ≥ 2 semitones over the
//! last 150 ms before it and resetting by ≥ 1 semitone after it marks a boundary, which
//! [`super::evidence::overtalk`] uses to split overtalk and name who started each part.
//!
//! Limits, stated: the thresholds were set on the development corpus (2 such boundaries, ~95
//! ordinary pauses during overtalk, none of which fires; the margin is ~1.4 semitones); a
//! new sentence after a question (rising pitch) is not found.

use std::collections::VecDeque;

use super::frames::View;
use super::pitch;

/// Longest pause checked, seconds (longer ones end the span anyway).
const MAX_GAP_S: f64 = 0.5;
/// Look-back for the pitch before a pause and look-ahead after it, seconds.
const BEFORE_S: f64 = 0.200;
const FALL_S: f64 = 0.150;
const AFTER_S: f64 = 0.300;
/// A half-frame is part of a pause when its power is under the noise floor times this (+6 dB).
const GAP_RATIO: f32 = 4.0;
/// A pitch window is looked at only when its power is over the floor times this (+14 dB).
const VOICED_RATIO: f32 = 25.0;
/// The boundary rule, semitones.
const FALL_ST: f32 = -2.0;
const RESET_ST: f32 = 1.0;
/// Pitch estimates this far from the speaker's median are octave errors (dropped).
const F0_LOW: f32 = 0.55;
const F0_HIGH: f32 = 1.8;
/// Voiced estimates remembered per channel for the median.
const F0_HISTORY: usize = 256;

/// A pause waiting for its look-ahead: `[start, end)` in samples and the floor then.
#[derive(Clone, Copy, Debug)]
struct Pause {
    start: u64,
    end: u64,
    floor: f32,
}

/// The sentence-boundary finder of one channel.
#[derive(Debug)]
pub(crate) struct Turns {
    ch: usize,
    frame_len: u64,
    /// Samples of the file per sample of the ~8 kHz signal the pitch is tracked on.
    dec: usize,
    rate: f64,
    /// End (sample) of the last half-frame above the pause level, while gated.
    last_loud: Option<u64>,
    /// Start of the current pause, if in one.
    pause_from: Option<u64>,
    pending: VecDeque<Pause>,
    f0s: VecDeque<f32>,
    /// Boundaries found: the pause `[start, end)` in samples; the new sentence starts at `end`.
    pub boundaries: Vec<(u64, u64)>,
    scratch: Vec<f32>,
    half: Vec<f32>,
    d: Vec<f32>,
}

impl Turns {
    pub fn new(ch: usize, rate: u32, frame_len: u64, dec: usize) -> Self {
        Turns {
            ch,
            frame_len: frame_len.max(2),
            dec: dec.max(1),
            rate: f64::from(rate.max(1)),
            last_loud: None,
            pause_from: None,
            pending: VecDeque::new(),
            f0s: VecDeque::new(),
            boundaries: Vec::new(),
            scratch: Vec::new(),
            half: Vec::new(),
            d: Vec::new(),
        }
    }

    fn samples(&self, s: f64) -> u64 {
        (s * self.rate).round() as u64
    }

    /// Frame `t` has been decided. `gated`: both sides are inside a talk span; `floor`: this
    /// channel's noise floor (mean-square power).
    pub fn step(&mut self, t: u64, gated: bool, floor: f32, view: &View<'_>) {
        let fl = self.frame_len;
        if gated {
            let h = fl / 2;
            for (from, to) in [(t * fl, t * fl + h), (t * fl + h, (t + 1) * fl)] {
                view.copy_channel(self.ch, from, to, 1, &mut self.half);
                let n = self.half.len().max(1) as f32;
                let power = self.half.iter().map(|v| v * v).sum::<f32>() / n;
                if power < floor * GAP_RATIO {
                    if self.pause_from.is_none() && self.last_loud.is_some() {
                        self.pause_from = Some(from);
                    }
                } else {
                    if let Some(start) = self.pause_from.take()
                        && from - start <= self.samples(MAX_GAP_S)
                    {
                        self.pending.push_back(Pause { start, end: from, floor });
                    }
                    self.last_loud = Some(to);
                }
            }
        } else {
            self.pause_from = None;
            self.last_loud = None;
        }
        let now = (t + 1) * fl;
        while let Some(p) = self.pending.front().copied() {
            if p.end + self.samples(AFTER_S) > now {
                break;
            }
            self.pending.pop_front();
            self.check(p, view);
        }
    }

    /// The end of the data: checks the pauses still waiting, with the look-ahead there is.
    pub fn finish(&mut self, view: &View<'_>) {
        while let Some(p) = self.pending.pop_front() {
            self.check(p, view);
        }
    }

    /// Applies the boundary rule to one pause.
    fn check(&mut self, p: Pause, view: &View<'_>) {
        let dec = self.dec as u64;
        let rate = (self.rate / self.dec as f64) as f32;
        let win = pitch::window_len(rate);
        let hop = (win / 4).max(1);
        // The decimated signal from `base`, covering the look-back and the look-ahead.
        let base = p.start.saturating_sub(self.samples(BEFORE_S) + win as u64 * dec);
        view.copy_channel(self.ch, base, p.end + self.samples(AFTER_S), self.dec, &mut self.scratch);
        let at = |sample: u64| ((sample.saturating_sub(base)) / dec) as usize;
        let (gap_start, gap_end) = (at(p.start), at(p.end));
        let before_span = (BEFORE_S * f64::from(rate)) as usize;
        let fall_span = (FALL_S * f64::from(rate)) as usize;
        let after_span = (AFTER_S * f64::from(rate)) as usize;
        let voiced_power = p.floor * VOICED_RATIO;
        // (distance from the pause, f0): windows ending k hops before the pause...
        let mut before: Vec<(usize, f32)> = Vec::new();
        for k in 0.. {
            let Some(end) = gap_start.checked_sub(k * hop) else { break };
            if gap_start - end > before_span || end < win {
                break;
            }
            if let Some(f) = self.f0_at(end - win, win, rate, voiced_power) {
                before.push((gap_start - end, f));
            }
        }
        // ...and windows starting k hops after it (the first three voiced are enough).
        let mut after: Vec<f32> = Vec::new();
        for k in 0.. {
            let start = gap_end + k * hop;
            if start + win > gap_end + after_span || after.len() >= 3 {
                break;
            }
            if let Some(f) = self.f0_at(start, win, rate, voiced_power) {
                after.push(f);
            }
        }
        // Octave errors out, against the speaker's median.
        self.f0s.extend(before.iter().map(|b| b.1).chain(after.iter().copied()));
        while self.f0s.len() > F0_HISTORY {
            self.f0s.pop_front();
        }
        let Some(typical) = median(self.f0s.iter().copied().collect()) else { return };
        let ok = |f: f32| f >= F0_LOW * typical && f <= F0_HIGH * typical;
        before.retain(|b| ok(b.1));
        after.retain(|&f| ok(f));
        // `before` runs from the pause backwards.
        let falling: Vec<f32> = before.iter().filter(|b| b.0 <= fall_span).map(|b| b.1).collect();
        let (Some(&last), Some(&first)) = (falling.first(), falling.last()) else { return };
        if falling.len() < 2 {
            return;
        }
        let fall = semitones(last / first);
        let (Some(b), Some(a)) = (
            median(before.iter().take(3).map(|b| b.1).collect()),
            median(after.iter().take(3).copied().collect()),
        ) else {
            return;
        };
        if fall <= FALL_ST && semitones(a / b) >= RESET_ST {
            self.boundaries.push((p.start, p.end));
        }
    }

    /// F0 of the window at `start` of the scratch signal, if loud enough and voiced.
    fn f0_at(&mut self, start: usize, win: usize, rate: f32, voiced_power: f32) -> Option<f32> {
        let x = self.scratch.get(start..start + win)?;
        let power = x.iter().map(|v| v * v).sum::<f32>() / win as f32;
        if power < voiced_power {
            return None;
        }
        pitch::yin(x, rate, &mut self.d)
    }
}

fn semitones(ratio: f32) -> f32 {
    12.0 * ratio.log2()
}

fn median(mut v: Vec<f32>) -> Option<f32> {
    v.sort_by(f32::total_cmp);
    let n = v.len();
    match (v.get(n.wrapping_sub(1) / 2), v.get(n / 2)) {
        (Some(a), Some(b)) => Some(0.5 * (a + b)),
        _ => None,
    }
}
