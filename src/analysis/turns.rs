//! New sentences inside one talk span, while the other side is talking.
//!
//! The detector bridges pauses up to 0.5 s so the pauses between words stay inside one span.
//! During overtalk that hides a turn: the customer ends a sentence, starts the next one 0.1 s
//! later while the agent is still talking, and that new sentence is the customer talking over
//! the agent, not the agent's interruption going on. Pause length alone cannot tell the two
//! apart (pauses at commas are as short or as long). So, only while both sides are talking,
//! every pause in a channel (a run of 5 ms half-frames near its noise floor, ≤ 0.5 s) is
//! checked for what ends a sentence and starts the next, in level and in pitch:
//! - the voice **fades into the pause and starts loud after it**: its last 150 ms are under
//!   the 200 ms before them, and the first 150 ms after the pause over them (a sentence ends
//!   softly; a pause inside one, a stop or a breath between words, cuts the voice at its
//!   level), by the lesser of the two;
//! - the **pitch resets**: the first voiced windows after the pause ≥ 1 semitone over the last
//!   ones before it (declination reset, [`super::pitch`]);
//! - a boundary is a reset with a fade-and-onset of ≥ 6 dB (pauses ≥ 50 ms), or a reset with
//!   the pitch also falling ≥ 2 semitones over the last 150 ms and a fade-and-onset of ≥ 2 dB
//!   (strong evidence in one, some in the other).
//!
//! A boundary found is used by [`super::evidence::overtalk`] to split overtalk and name who
//! started each part.
//!
//! Measured (docs/robustness.md, "Sentence splits"): the pitch-only rule this replaces (the
//! fall and the reset, no level) was set on the development corpus' 2 boundaries; on generated
//! calls (random placements of recorded human prompts and of the corpus' TTS sentences, 126
//! calls, 85 boundaries) it found 30 with 35 false, this rule 48 with 17 false; on calls
//! generated with other seeds (held out, 65 boundaries) 15 with 37 false, and 27 with 15
//! false. Limits, stated: a sentence that ends on a loud word, or whose next one starts
//! softly, is not found; nor a new sentence after a question (rising pitch).

use std::collections::{BTreeMap, VecDeque};

use super::frames::{Moments, View, decimate};
use super::pitch;

/// Longest pause checked, seconds (longer ones end the span anyway).
const MAX_GAP_S: f64 = 0.5;
/// Shortest pause for the level-and-reset boundary, seconds (shorter ones need the pitch fall
/// too: a stop inside a word fades and restarts as much).
const MIN_GAP_S: f64 = 0.05;
/// Look-back for the pitch before a pause and look-ahead after it, seconds.
const BEFORE_S: f64 = 0.200;
const AFTER_S: f64 = 0.300;
/// The voice's level just before a pause and just after it (seconds), and the earlier stretch
/// it is compared with: `[start - EARLIER_FROM_S, start - EARLIER_TO_S)`.
const EDGE_S: f64 = 0.150;
const EARLIER_FROM_S: f64 = 0.400;
const EARLIER_TO_S: f64 = 0.200;
/// The fade into the pause and the onset after it (the lesser of the two), power ratios: 6 dB
/// is enough with a pitch reset; 2 dB with a pitch fall before the pause as well.
const STRONG_LEVEL_RATIO: f32 = 3.98;
const WEAK_LEVEL_RATIO: f32 = 1.585;
/// A half-frame is part of a pause when its power is under the noise floor times this (+6 dB).
const GAP_RATIO: f32 = 4.0;
/// A pitch window is looked at only when its power is over the floor times this (+14 dB)...
const VOICED_RATIO: f32 = 25.0;
/// ...or, on a noisy line (the floor is the line noise, not a clean line's hiss), this (+8 dB:
/// enough signal over the noise for the pitch; a sentence's quieter, falling end is under
/// +14 dB there and the fall went unseen).
const NOISY_VOICED_RATIO: f32 = 6.3;
/// Look-back for the pitch fall before a pause, seconds.
const FALL_S: f64 = 0.150;
/// The pitch rule, semitones: a fall over the last 150 ms before the pause, a reset after it.
const FALL_ST: f32 = -2.0;
const RESET_ST: f32 = 1.0;
/// Pitch estimates this far from the speaker's median are octave errors (dropped).
const F0_LOW: f32 = 0.55;
const F0_HIGH: f32 = 1.8;
/// Voiced estimates remembered per channel for the median.
const F0_HISTORY: usize = 256;

/// A pause waiting for its look-ahead: `[start, end)` in samples, and the power from which a
/// window is looked at for its pitch (from the floor then).
#[derive(Clone, Copy, Debug)]
struct Pause {
    start: u64,
    end: u64,
    voiced_power: f32,
}

/// The sentence-boundary finder of one channel.
#[derive(Debug)]
pub(crate) struct Turns {
    ch: usize,
    frame_len: u64,
    /// Samples of the file per sample of the ~4 kHz signal the pitch is tracked on (enough
    /// for 60-400 Hz voices, and a quarter of the work of 8 kHz).
    dec: usize,
    rate: f64,
    /// End (sample) of the last half-frame above the pause level, while gated.
    last_loud: Option<u64>,
    /// Start of the current pause, if in one.
    pause_from: Option<u64>,
    pending: VecDeque<Pause>,
    f0s: VecDeque<f32>,
    /// F0 (or unvoiced) of the pitch windows recently looked at, by window index.
    cache: BTreeMap<u64, Option<f32>>,
    /// Boundaries found: the pause `[start, end)` in samples; the new sentence starts at `end`.
    pub boundaries: Vec<(u64, u64)>,
    /// One channel of a pitch window, then decimated.
    raw: Vec<f32>,
    scratch: Vec<f32>,
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
            cache: BTreeMap::new(),
            boundaries: Vec::new(),
            raw: Vec::new(),
            scratch: Vec::new(),
            d: Vec::new(),
        }
    }

    /// Where this side's current sentence started: the open span's start, or the last
    /// boundary inside it. `None` when no span is open.
    pub fn segment_start(&self, open_start: Option<u64>) -> Option<u64> {
        let s = open_start?;
        Some(self.boundaries.last().map_or(s, |b| b.1.max(s)))
    }

    /// Whether pauses are waiting for their look-ahead.
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    fn samples(&self, s: f64) -> u64 {
        (s * self.rate).round() as u64
    }

    /// Frame `t` has been decided. `gated`: this side's pauses matter now (both sides talk and
    /// this side was first); `floor`: this channel's noise floor (mean-square power); `noisy`:
    /// whether its line is noisy (the detector's averaged criteria apply).
    #[inline]
    pub fn step(&mut self, t: u64, gated: bool, floor: f32, noisy: bool, view: &View<'_>) {
        // Most frames: nobody is talking over anybody and no pause waits (inlined, no call).
        if !gated && self.pending.is_empty() {
            self.pause_from = None;
            self.last_loud = None;
            return;
        }
        self.step_watched(t, gated, floor, noisy, view);
    }

    fn step_watched(&mut self, t: u64, gated: bool, floor: f32, noisy: bool, view: &View<'_>) {
        let fl = self.frame_len;
        if gated {
            let h = fl / 2;
            for (from, to) in [(t * fl, t * fl + h), (t * fl + h, (t + 1) * fl)] {
                let power = view.power(self.ch, from, to);
                if power < floor * GAP_RATIO {
                    if self.pause_from.is_none() && self.last_loud.is_some() {
                        self.pause_from = Some(from);
                    }
                } else {
                    if let Some(start) = self.pause_from.take()
                        && from - start <= self.samples(MAX_GAP_S)
                    {
                        let voiced_power = floor * if noisy { NOISY_VOICED_RATIO } else { VOICED_RATIO };
                        self.pending.push_back(Pause { start, end: from, voiced_power });
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

    /// The level part of the rule, cheap (checked before any pitch): how far the voice fades
    /// into the pause and starts again after it, the lesser of the two (power ratio; 0 when the
    /// look-back reaches before the data).
    fn fade_and_onset(&self, p: Pause, view: &View<'_>) -> f32 {
        let (edge, from, to) =
            (self.samples(EDGE_S), self.samples(EARLIER_FROM_S), self.samples(EARLIER_TO_S));
        if p.start < from {
            return 0.0;
        }
        let last = view.power(self.ch, p.start - edge, p.start);
        let earlier = view.power(self.ch, p.start - from, p.start - to);
        let next = view.power(self.ch, p.end, p.end + edge);
        earlier.min(next) / last.max(f32::MIN_POSITIVE)
    }

    /// Applies the boundary rule to one pause.
    fn check(&mut self, p: Pause, view: &View<'_>) {
        let level = self.fade_and_onset(p, view);
        if level < WEAK_LEVEL_RATIO {
            return;
        }
        let strong_level = level >= STRONG_LEVEL_RATIO && p.end - p.start >= self.samples(MIN_GAP_S);
        let dec = self.dec as u64;
        let rate = (self.rate / self.dec as f64) as f32;
        let win = pitch::window_len(rate);
        let hop = (win / 4).max(1);
        // Pitch windows sit on one grid over the file (window `i` starts at sample
        // `i · hop_s`), so the windows shared by nearby pauses are computed once.
        let (hop_s, win_s) = (hop as u64 * dec, win as u64 * dec);
        let (before_s, fall_s, after_s) =
            (self.samples(BEFORE_S), self.samples(FALL_S), self.samples(AFTER_S));
        // Windows ending in [start - before_s, start], and starting at or after `end` and
        // ending by `end + after_s`.
        let last_before = p.start.checked_sub(win_s).map(|x| x / hop_s);
        let first_before = (p.start.saturating_sub(before_s + win_s)).div_ceil(hop_s);
        let first_after = p.end.div_ceil(hop_s);
        let after_end = p.end + after_s;
        self.cache.retain(|&i, _| i >= first_before);
        let voiced_power = p.voiced_power;
        let ch = self.ch;
        let mut f0 = |i: u64| -> Option<f32> {
            *self.cache.entry(i).or_insert_with(|| {
                // One pass over the interleaved samples; quiet windows (most near a pause) are
                // not decimated. (The power is of the held samples only, as `View::power`'s.)
                let zeros = view.copy_channel(ch, i * hop_s, i * hop_s + win_s, &mut self.raw);
                let mut m = Moments::default();
                self.raw.get(zeros..).unwrap_or(&[]).iter().for_each(|&v| m.add(v));
                if m.power() < voiced_power {
                    return None;
                }
                decimate(&self.raw, dec as usize, &mut self.scratch);
                pitch::yin(self.scratch.get(..win)?, rate, &mut self.d)
            })
        };
        // The first three voiced windows after the pause.
        let mut after: Vec<f32> = Vec::new();
        let mut i = first_after;
        while after.len() < 3 && i * hop_s + win_s <= after_end {
            after.extend(f0(i));
            i += 1;
        }
        // Octave errors are dropped against the speaker's median (of what was seen so far).
        let Some(typical) = median(self.f0s.iter().copied().chain(after.iter().copied()).collect()) else {
            return;
        };
        let ok = |f: &f32| (F0_LOW * typical..=F0_HIGH * typical).contains(f);
        after.retain(ok);
        // The last three voiced windows before it, nearest first: (window, f0).
        let mut before: Vec<(u64, f32)> = Vec::new();
        if let Some(last) = last_before {
            let mut i = last;
            while before.len() < 3 && i >= first_before {
                if let Some(f) = f0(i).filter(ok) {
                    before.push((i, f));
                }
                let Some(prev) = i.checked_sub(1) else { break };
                i = prev;
            }
        }
        let new: Vec<f32> = after.iter().copied().chain(before.iter().map(|b| b.1)).collect();
        let (Some(a), Some(b)) = (median(after), median(before.iter().map(|b| b.1).collect())) else {
            self.remember(&new);
            return;
        };
        let reset = semitones(a / b);
        // The fall over the last 150 ms: the nearest voiced window against the earliest one
        // (searched from the far end; it needs two windows).
        let first_fall = p.start.saturating_sub(fall_s + win_s).div_ceil(hop_s);
        let fall = match before.first() {
            Some(&(near, last)) if reset >= RESET_ST && !strong_level && near >= first_fall => {
                (first_fall..near).find_map(|i| f0(i).filter(ok)).map(|first| semitones(last / first))
            }
            _ => None,
        };
        self.remember(&new);
        if reset >= RESET_ST && (strong_level || fall.is_some_and(|f| f <= FALL_ST)) {
            self.boundaries.push((p.start, p.end));
        }
    }

    /// Adds voiced estimates to the speaker's history (for the median).
    fn remember(&mut self, f0s: &[f32]) {
        self.f0s.extend(f0s);
        while self.f0s.len() > F0_HISTORY {
            self.f0s.pop_front();
        }
    }
}

fn semitones(ratio: f32) -> f32 {
    12.0 * ratio.log2()
}

fn median(mut v: Vec<f32>) -> Option<f32> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let (_, &mut hi, _) = v.select_nth_unstable_by(n / 2, f32::total_cmp);
    if n % 2 == 1 {
        return Some(hi);
    }
    // The lower middle is the largest of the lower half.
    let lo = v.get(..n / 2)?.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0]), Some(3.0));
        assert_eq!(median(vec![5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert!((semitones(2.0) - 12.0).abs() < 1e-5);
    }
}
