//! How far each channel's talk detection can be trusted: the speech-to-noise margin and what
//! else the detector saw (sound just under its thresholds, hum, clipping), worded for a
//! reviewer ("speech only 8 dB above the line noise").
//!
//! The detector ([`super::detect`]) feeds a [`Tally`] one code per frame: the frame's power
//! over the noise floor it decides against, in 0.5 dB steps, and whether it is judged for "the
//! rest of the call" (not while the other side talks: its echo is not this side's sound; not
//! while the floor is at the detector's lower bound: digital silence or 8-bit flicker). Codes
//! of the frames inside each span go, when the span closes, to the talk or hold histogram;
//! judged frames are counted for the whole call, so the rest of the call is the difference.
//! [`assess`] turns the figures into a [`ChannelConfidence`] by the rules documented in
//! `docs/robustness.md` ("Confidence"). Memory: two 256-bin histograms and the codes of the
//! open span (2 bytes a frame).

use serde::Serialize;

/// How far a channel's talk detection can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// The confidence of one analysed channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelConfidence {
    /// 0 = agent (or the mixed channel of a mono call), 1 = customer.
    pub channel: usize,
    pub level: Level,
    /// The speech level over the noise floor, dB: the mean power of the frames inside talk
    /// spans (an active speech level) over the floor the detector decides against (~1.5 dB
    /// over the noise's mean power). `None` when the channel has less than [`MIN_TALK_S`] of
    /// talk to measure.
    pub snr_db: Option<f32>,
    /// Why the level is not high (or what else is worth knowing), in plain words.
    pub reasons: Vec<String>,
    /// The figures the level was judged on.
    #[serde(skip)]
    pub stats: Stats,
}

/// Histogram resolution: codes are `(dB + 20) * 2`, clamped to `0..=255` (−20 … +107.5 dB).
const CODE_LOW_DB: f32 = -20.0;
const CODE_STEP_DB: f32 = 0.5;
const BINS: usize = 256;
/// Frames in the detector's 100 ms average.
const AVG_FRAMES: usize = 10;
/// Codes of the last frames kept for a span whose start reaches back before its first run
/// (the detector looks back 16 frames).
const RING: usize = 32;

// ---- the rules (docs/robustness.md, "Confidence") ---------------------------------------

/// Speech level (the mean power of the talk frames, an active speech level) under this many dB
/// over the floor: low. On a line with smooth noise the detector's 30 ms averaged criteria
/// (`detect.rs`) hear speech down to a few dB over the noise, but under ~+12 dB a talker's weak
/// syllables and tails sink under their +1.5 dB keep threshold and faint speech under the other
/// side's voice is lost: on the robustness corpus the sides under +12 dB were off by 3–17 %, the
/// sides from +12 dB within 2.5 % (the music on hold of `real_noise_m42` apart).
pub const LOW_SNR_DB: f32 = 12.0;
/// Under this many dB: medium. From +20 dB the speech's mean power is 10 dB over the start
/// threshold and 13 dB over the keep threshold; under it more and more of the weak parts of
/// words (onsets, tails, unvoiced consonants) sink under them (talk a few % short).
pub const HIGH_SNR_DB: f32 = 20.0;
/// The threshold band: between the lowest keep threshold and the highest start threshold.
const BAND_LOW_DB: f32 = 3.0;
const BAND_HIGH_DB: f32 = 10.0;
/// Share of the rest of the call (outside this side's spans, while the other side is quiet) whose
/// 100 ms average is in the threshold band from which the level is low: sound the detector heard but did not call
/// talk. Steady noise alone puts ~nothing there (its 100 ms averages stay within a fraction of
/// a dB of their mean; the band starts ≥ 3 dB over the noise's median); the weak edges of words
/// missed on noisy lines put up to ~4 % (the robustness corpus' noisy lines: 0–3.8 %); a voice
/// under the thresholds puts more (5–14 % there, with 40–100 % of its talk missed).
pub const BURIED_LOW: f32 = 0.05;
/// Less talk than this (seconds) gives no speech level to measure.
pub const MIN_TALK_S: f32 = 1.0;
/// Warm-up noise frames (within +3 dB of the floor, where tonality is computed) needed to
/// judge hum, and the tonal share of them that is hum (band-limited noise is ~never tonal).
const HUM_MIN_FRAMES: u64 = 20;
const HUM_SHARE: f32 = 0.5;
/// Share of samples clipped from which the level is at most medium (1 %: loudness and the
/// span edges are measured on a distorted signal). From 0.01 % (the analysis' warning) it is
/// only mentioned.
pub const CLIP_MEDIUM: f64 = 0.01;
const CLIP_MENTION: f64 = 1e-4;

/// A histogram of frame codes.
#[derive(Clone, Debug)]
struct Hist {
    n: [u64; BINS],
    total: u64,
}

impl Default for Hist {
    fn default() -> Self {
        Hist { n: [0; BINS], total: 0 }
    }
}

impl Hist {
    fn add(&mut self, code: u8) {
        if let Some(b) = self.n.get_mut(usize::from(code)) {
            *b += 1;
            self.total += 1;
        }
    }

    /// This histogram less `other` (a subset of its frames), bin by bin.
    fn minus(&self, other: &Hist) -> Hist {
        let mut h = self.clone();
        for (a, b) in h.n.iter_mut().zip(&other.n) {
            *a = a.saturating_sub(*b);
        }
        h.total = h.n.iter().sum();
        h
    }

    /// Frames whose level is in `[lo_db, hi_db)`.
    fn between(&self, lo_db: f32, hi_db: f32) -> u64 {
        self.n
            .iter()
            .enumerate()
            .filter(|(i, _)| (lo_db..hi_db).contains(&db_of(*i as u8)))
            .map(|(_, k)| k)
            .sum()
    }

    /// The level under which a share `q` of the frames lie, dB; `None` when empty.
    fn quantile_db(&self, q: f32) -> Option<f32> {
        let want = ((self.total as f64 * f64::from(q)).ceil() as u64).max(1);
        let mut seen = 0;
        self.n.iter().enumerate().find_map(|(i, &k)| {
            seen += k;
            (seen >= want).then(|| db_of(i as u8))
        })
    }

    /// The mean power of the frames, dB (from the bins' levels); `None` when empty.
    fn mean_power_db(&self) -> Option<f32> {
        let sum: f64 = self
            .n
            .iter()
            .enumerate()
            .map(|(i, &k)| k as f64 * 10f64.powf(f64::from(db_of(i as u8)) / 10.0))
            .sum();
        (self.total > 0).then(|| (10.0 * (sum / self.total as f64).log10()) as f32)
    }
}

/// `10·log10(x)` to ~0.02 dB without a library call (runs once per frame and channel): the
/// float's exponent plus a quadratic fit of log2 over its mantissa.
fn fast_db(x: f32) -> f32 {
    if x.is_nan() || x <= f32::MIN_POSITIVE {
        return -300.0;
    }
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let log2 = e as f32 + (-0.344_848_43 * m + 2.024_665_8) * m - 1.674_877_6;
    log2 * 3.010_3
}

/// The level code of a frame of power `energy` over a floor `floor`.
fn code(energy: f32, floor: f32) -> u8 {
    let db = fast_db(energy / floor.max(f32::MIN_POSITIVE));
    // Rounded by adding a half and truncating (the same for the clamped, non-negative range):
    // `f32::round` is a library call on baseline x86-64, once per frame and channel.
    ((db - CODE_LOW_DB) * (1.0 / CODE_STEP_DB) + 0.5).clamp(0.0, 255.0) as u8
}

/// The level of a code, dB over the floor.
fn db_of(code: u8) -> f32 {
    CODE_LOW_DB + f32::from(code) * CODE_STEP_DB
}

/// What a closed span was, for [`Tally::close`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpanKind {
    Talk,
    Hold,
    /// Too short to keep (its frames are the rest of the call's).
    Dropped,
}

/// One frame as the tally keeps it: its level code, its 100 ms average's (judged frames only:
/// nothing else reads it), whether it is judged.
#[derive(Clone, Copy, Debug, Default)]
struct Code {
    level: u8,
    smooth: u8,
    judged: bool,
}

/// One channel's frame levels, gathered while the detector runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    /// Levels of the frames inside talk spans.
    talk: Hist,
    /// 100 ms averages of the judged frames (the other side quiet: its echo is no sound of this
    /// side's; the floor real line noise), and of those inside this side's talk and hold spans:
    /// the rest of the call is the difference.
    judged: Hist,
    judged_in_spans: Hist,
    /// Warm-up frames within +3 dB of the floor (tonality is computed for every warm-up frame)
    /// and how many of them were tonal.
    warm_noise: u64,
    warm_tonal: u64,
    ring: [Code; RING],
    /// First frame of the open span and the codes from it on.
    open_from: Option<u64>,
    open: Vec<Code>,
}

impl Tally {
    /// Frame `t`: its power and the 100 ms average ending with it (`[energy, smooth]`) against
    /// the detector's `floor`; `warm` when its tonality was computed whatever its level (the
    /// warm-up); `judged` when it counts for the rest of the call (the other side quiet, the
    /// floor real line noise).
    #[inline]
    pub fn frame(
        &mut self,
        t: u64,
        [energy, smooth]: [f32; 2],
        floor: f32,
        tonal: bool,
        warm: bool,
        judged: bool,
    ) {
        // The 100 ms average's code is read only for judged frames (here and in `close`).
        let smooth = if judged { code(smooth, floor) } else { 0 };
        let c = Code { level: code(energy, floor), smooth, judged };
        if judged {
            self.judged.add(c.smooth);
        }
        if warm && db_of(c.level) < BAND_LOW_DB {
            self.warm_noise += 1;
            self.warm_tonal += u64::from(tonal);
        }
        if let Some(r) = self.ring.get_mut(t as usize % RING) {
            *r = c;
        }
        if self.open_from.is_some() {
            self.open.push(c);
        }
    }

    /// A span opened at frame `t` reaching back to frame `first` (at most `RING` frames back).
    pub fn open(&mut self, first: u64, t: u64) {
        let first = first.max((t + 1).saturating_sub(RING as u64));
        self.open.clear();
        self.open.extend((first..=t).map(|f| self.ring.get(f as usize % RING).copied().unwrap_or_default()));
        self.open_from = Some(first);
    }

    /// The open span closed: frames `first..=last` were `kind`.
    pub fn close(&mut self, first: u64, last: u64, kind: SpanKind) {
        if let Some(from) = self.open_from.take()
            && kind != SpanKind::Dropped
        {
            let a = first.saturating_sub(from) as usize;
            let b = ((last + 1).saturating_sub(from) as usize).min(self.open.len());
            for c in self.open.get(a..b).unwrap_or(&[]) {
                if kind == SpanKind::Talk {
                    self.talk.add(c.level);
                }
            }
            // The 100 ms averages of the frames right after the span still hold its end.
            let b = (b + AVG_FRAMES).min(self.open.len());
            for c in self.open.get(a..b).unwrap_or(&[]).iter().filter(|c| c.judged) {
                self.judged_in_spans.add(c.smooth);
            }
        }
        self.open.clear();
    }

    /// The figures [`assess`] judges.
    pub fn stats(&self, frames_per_s: f32, clipped_share: f64) -> Stats {
        let secs = |n: u64| n as f32 / frames_per_s.max(1.0);
        let rest = self.judged.minus(&self.judged_in_spans);
        // Sound just under the thresholds: over the band's lower edge, and clear of the line
        // noise's own spread: 3 dB and twice (median − 10th percentile) (~2.5 standard
        // deviations) over the rest's median. The lower half of the rest is line noise as long
        // as less than half of it is a voice. Steady noise's 100 ms averages spread by a
        // fraction of a dB; the sparse flicker of coarse quantisation (8-bit) by several dB.
        let from = match (rest.quantile_db(0.1), rest.quantile_db(0.5)) {
            (Some(p10), Some(m)) => (m + (2.0 * (m - p10)).max(3.0)).max(BAND_LOW_DB),
            _ => BAND_LOW_DB,
        };
        let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f32 / of as f32 };
        Stats {
            talk_s: secs(self.talk.total),
            snr_db: self.talk.mean_power_db(),
            rest_s: secs(rest.total),
            rest_band_s: secs(rest.between(from, BAND_HIGH_DB)),
            hum: if self.warm_noise >= HUM_MIN_FRAMES {
                share(self.warm_tonal, self.warm_noise)
            } else {
                0.0
            },
            clipped: clipped_share,
        }
    }
}

/// What the rules look at, per channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Frames inside talk spans, seconds.
    pub talk_s: f32,
    /// The active speech level over the floor: mean power of the talk frames, dB.
    pub snr_db: Option<f32>,
    /// Frames outside this side's talk and hold while the other side was quiet, seconds...
    pub rest_s: f32,
    /// ...and how much of that was in the threshold band, seconds.
    pub rest_band_s: f32,
    /// Tonal share of the warm-up's noise frames.
    pub hum: f32,
    /// Share of samples clipped.
    pub clipped: f64,
}

/// The level and the reasons for one channel.
pub fn assess(channel: usize, s: &Stats) -> ChannelConfidence {
    let snr = s.snr_db.filter(|_| s.talk_s >= MIN_TALK_S);
    let mut found: Vec<(Level, String)> = Vec::new();
    if let Some(db) = snr.filter(|&d| d < HIGH_SNR_DB) {
        let level = if db < LOW_SNR_DB { Level::Low } else { Level::Medium };
        found.push((level, format!("speech only {db:.0} dB above the line noise")));
    }
    let buried = if s.rest_s > 0.0 { s.rest_band_s / s.rest_s } else { 0.0 };
    if buried >= BURIED_LOW {
        found.push((
            Level::Low,
            format!("{:.0} % of the rest of the call is sound just under the talk threshold", 100.0 * buried),
        ));
    }
    if s.hum >= HUM_SHARE {
        found.push((Level::Medium, "steady hum on the line".to_string()));
    }
    if s.clipped >= CLIP_MEDIUM {
        found.push((Level::Medium, format!("{:.1} % of samples clipped", 100.0 * s.clipped)));
    } else if s.clipped >= CLIP_MENTION {
        found.push((Level::High, format!("{:.2} % of samples clipped", 100.0 * s.clipped)));
    }
    if snr.is_none() {
        found.push((Level::High, format!("too little talk to measure its level ({:.1} s)", s.talk_s)));
    }
    // The most serious reason first.
    found.sort_by_key(|(l, _)| *l);
    ChannelConfidence {
        channel,
        level: found.first().map_or(Level::High, |(l, _)| *l),
        snr_db: snr.map(|d| (d * 10.0).round() / 10.0),
        reasons: found.into_iter().map(|(_, r)| r).collect(),
        stats: *s,
    }
}

impl ChannelConfidence {
    /// The first reason, for one-line displays ("speech only 8 dB above the line noise").
    pub fn main_reason(&self) -> Option<&str> {
        self.reasons.first().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn clean() -> Stats {
        Stats { talk_s: 40.0, snr_db: Some(31.0), rest_s: 50.0, rest_band_s: 0.2, hum: 0.0, clipped: 0.0 }
    }

    #[test]
    fn fast_db_is_close_to_log10() {
        for x in [1e-9f32, 3.7e-5, 0.01, 0.5, 1.0, 2.0, 3.3, 1000.0, 6.02e7] {
            let want = 10.0 * x.log10();
            assert!((fast_db(x) - want).abs() < 0.03, "{x}: {} vs {want}", fast_db(x));
        }
        assert!(fast_db(0.0) < -200.0 && fast_db(f32::NAN) < -200.0);
    }

    #[test]
    fn a_clean_line_is_high_with_no_reasons() {
        let c = assess(1, &clean());
        assert_eq!((c.channel, c.level, c.snr_db), (1, Level::High, Some(31.0)));
        assert!(c.reasons.is_empty(), "{:?}", c.reasons);
    }

    #[test]
    fn the_speech_level_sets_the_level_at_12_and_20_db() {
        let at = |db: f32| assess(0, &Stats { snr_db: Some(db), ..clean() });
        assert_eq!(at(20.0).level, Level::High);
        assert_eq!(at(19.9).level, Level::Medium);
        assert_eq!(at(12.0).level, Level::Medium);
        assert_eq!(at(11.9).level, Level::Low);
        let low = at(7.94);
        assert_eq!(low.level, Level::Low);
        assert_eq!(low.snr_db, Some(7.9));
        assert_eq!(low.main_reason(), Some("speech only 8 dB above the line noise"));
    }

    #[test]
    fn sound_under_the_threshold_is_low_even_without_talk() {
        let c = assess(0, &Stats { talk_s: 0.3, snr_db: Some(4.0), rest_band_s: 12.0, ..clean() });
        assert_eq!(c.level, Level::Low);
        assert_eq!(c.snr_db, None, "0.3 s of talk gives no level");
        assert_eq!(c.reasons[0], "24 % of the rest of the call is sound just under the talk threshold");
        assert!(c.reasons[1].starts_with("too little talk"), "{:?}", c.reasons);
        // Line noise alone puts a few % there: not a reason.
        assert_eq!(assess(0, &Stats { rest_band_s: 2.0, ..clean() }).level, Level::High);
    }

    #[test]
    fn hum_and_heavy_clipping_are_medium_light_clipping_only_mentioned() {
        let hum = assess(0, &Stats { hum: 0.9, ..clean() });
        assert_eq!(
            (hum.level, hum.reasons.as_slice()),
            (Level::Medium, &["steady hum on the line".to_string()][..])
        );
        assert_eq!(assess(0, &Stats { clipped: 0.02, ..clean() }).level, Level::Medium);
        let light = assess(0, &Stats { clipped: 0.002, ..clean() });
        assert_eq!(light.level, Level::High);
        assert_eq!(light.reasons, vec!["0.20 % of samples clipped".to_string()]);
    }

    #[test]
    fn the_most_serious_reason_comes_first() {
        let c = assess(0, &Stats { hum: 0.9, snr_db: Some(10.0), ..clean() });
        assert_eq!(c.level, Level::Low);
        assert_eq!(c.reasons, vec!["speech only 10 dB above the line noise", "steady hum on the line"]);
    }

    #[test]
    fn the_tally_counts_span_frames_and_the_rest_apart() {
        let mut t = Tally::default();
        // 100 frames of noise at the floor, then a 50-frame span at +30 dB opened 3 frames in,
        // with 10 frames at +6 dB outside it while the other side is quiet and 10 while it talks.
        for f in 0..100 {
            t.frame(f, [1.0; 2], 1.0, false, f < 100, true);
        }
        for f in 100..150 {
            t.frame(f, [1000.0; 2], 1.0, false, false, true);
            if f == 102 {
                t.open(100, 102);
            }
        }
        t.close(100, 149, SpanKind::Talk);
        for f in 150..170 {
            t.frame(f, [4.0; 2], 1.0, false, false, f < 160);
        }
        let s = t.stats(100.0, 0.0);
        assert!((s.talk_s - 0.5).abs() < 1e-6, "{s:?}");
        assert!((s.snr_db.unwrap() - 30.0).abs() < 0.3, "{s:?}");
        assert!((s.rest_s - 1.1).abs() < 1e-6 && (s.rest_band_s - 0.1).abs() < 1e-6, "{s:?}");
        assert_eq!(s.hum, 0.0);
    }
}
