//! Noisy lines: what the detector ([`super::detect`]) needs to hear speech a few dB over
//! smooth line noise, where its 10 ms thresholds (+5 to +10 dB over the floor) cannot.
//!
//! A line is noisy while the channel's loudest lasting sound lately is less than 30 dB over its
//! floor; there, 30 ms averages of the frame energies (a click left out, see [`robust3`]) are
//! compared with the noise's mean power: +3 dB starts a span, +1.5 dB keeps it. The noise's
//! mean is the floor's estimate corrected by [`Noise`], which also says whether the noise is
//! smooth enough for such small margins (8-bit quantisation or crackle is not). Figures and
//! reasons: docs/robustness.md, "Noisy lines: averaged criteria".

/// A line is noisy (the averaged criteria apply) while the channel's loudest lasting sound is
/// less than this over the floor (power ratio, +30 dB): on cleaner lines the 10 ms thresholds
/// find the words' exact extents and the averaged criteria would add breaths and room tails.
pub(crate) const LOW_SNR_GATE: f32 = 1000.0;
/// The loudest lasting sound (30 ms average, clicks left out) falls this much per frame
/// (0.1 dB/s) when nothing louder comes: a pause of a minute lowers it by 6 dB, not 30.
pub(crate) const PEAK_DECAY: f32 = 0.999_770;
/// A 30 ms average this far over the floor (+3 dB; the floor is ~1.5 dB over the noise's mean,
/// whose 30 ms averages spread ~0.45 dB) means something was heard on a noisy line.
pub(crate) const LOW_HEARD: f32 = 2.0;
/// A frame more than this over the median of its three (+9 dB) is a click in the 30 ms average.
pub(crate) const OUTLIER: f32 = 8.0;
/// The noise's mean power over the sliding minimum of its 100 ms averages (+1.5 dB, smooth
/// noise).
pub(crate) const NOISE_OVER_MIN: f32 = 1.412_538;
/// On a noisy line a 30 ms average this far over the noise's mean power (+3 dB) starts a
/// span, and...
pub(crate) const LOW_START: f32 = 1.995_262;
/// ...this far (+1.5 dB) keeps it and extends its onset backwards. The 30 ms average of
/// telephone-band noise spreads ~0.45 dB (σ): +3 dB is ~7σ, +1.5 dB ~3σ (and runs of three
/// frames are needed).
pub(crate) const LOW_KEEP: f32 = 1.412_538;
/// Noise whose own 30 ms averages reach the keep threshold more often than this is not smooth
/// enough for the averaged criteria (quantised or crackly noise; 8-bit quantisation flickers).
pub(crate) const MAX_OVER_KEEP: f32 = 0.05;
/// Weight of each noise frame in the noise statistics (a ~1 s average; the plain mean of the
/// first 100 frames)...
pub(crate) const NOISE_RATE: f32 = 0.01;
pub(crate) const NOISE_WARM: u32 = 100;
/// ...from frames whose 100 ms average is under its mean times this (+1 dB: the 100 ms
/// averages of telephone-band noise spread ~0.25 dB; weak speech at +3 dB must not be learned as
/// noise)...
pub(crate) const NOISE_NEAR: f32 = 1.258_925;
/// ...and noise frames needed before they are used (0.3 s).
pub(crate) const NOISE_FRAMES: u32 = 30;

/// The channel's line noise in 30 ms averages, learned from the frames outside spans whose
/// 100 ms average is near the noise's mean: their mean (relative to the floor's estimate) and
/// how often they reach the keep threshold on their own (whether the noise is smooth).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Noise {
    /// The noise's 30 ms averages over its mean estimated from the floor, on average.
    scale: f32,
    /// The share of the noise's 30 ms averages at or over the keep threshold (`LOW_KEEP`).
    over_keep: f32,
    frames: u32,
}

impl Noise {
    /// Learns one 30 ms average, as a ratio to the noise's mean power estimated from the floor.
    pub fn learn(&mut self, ratio: f32) {
        self.frames = self.frames.saturating_add(1);
        let rate = if self.frames < NOISE_WARM { 1.0 / self.frames as f32 } else { NOISE_RATE };
        self.scale += rate * (ratio.min(2.0) - self.scale);
        let over = if ratio >= LOW_KEEP * self.scale { 1.0 } else { 0.0 };
        self.over_keep += rate * (over - self.over_keep);
    }

    /// The noise's mean power, from the floor's estimate `mean` corrected by what was learned.
    pub fn mean(&self, mean: f32) -> f32 {
        if self.frames == 0 { mean } else { mean * self.scale }
    }

    /// The threshold `ratio` over the noise's mean power `mean`, when the noise is known and
    /// smooth: its own 30 ms averages reach the keep threshold rarely (`MAX_OVER_KEEP`).
    pub fn over(&self, mean: f32, ratio: f32) -> Option<f32> {
        (self.frames >= NOISE_FRAMES && self.over_keep <= MAX_OVER_KEEP).then(|| self.mean(mean) * ratio)
    }
}

/// The lesser of two levels (a plain comparison: levels are never NaN).
pub(crate) fn lesser(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// The greater of two levels.
pub(crate) fn greater(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// The mean of three frame energies, the loudest replaced by their median when it is more than
/// `OUTLIER` times it: a click lights one frame tens of dB up; speech's onsets and periodic
/// noise (a hum's frames alternate with its period) stay as they are.
pub(crate) fn robust3(a: f32, b: f32, c: f32) -> f32 {
    let (lo, hi) = (lesser(a, b), greater(a, b));
    let median = lesser(hi, greater(lo, c));
    let (least, most) = (lesser(lo, c), greater(hi, c));
    let most = if most > OUTLIER * median { median } else { most };
    (least + median + most) * (1.0 / 3.0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn a_click_is_left_out_of_the_average_and_lasting_sound_is_not() {
        // One frame 30 dB up: the average is the noise's.
        assert!((robust3(1.0, 1000.0, 1.1) - (1.0 + 1.1 + 1.1) / 3.0).abs() < 1e-6);
        // A speech onset (1, 2, 4) and a hum's alternating frames (1, 3, 1) stay as they are.
        assert!((robust3(1.0, 2.0, 4.0) - 7.0 / 3.0).abs() < 1e-6);
        assert!((robust3(1.0, 3.0, 1.0) - 5.0 / 3.0).abs() < 1e-6);
        assert_eq!((lesser(2.0, 3.0), greater(2.0, 3.0)), (2.0, 3.0));
    }

    #[test]
    fn smooth_noise_gives_thresholds_and_rough_noise_none() {
        let mut smooth = Noise::default();
        let mut rough = Noise::default();
        assert_eq!(smooth.over(1.0, LOW_START), None, "nothing learned yet");
        for k in 0..200 {
            // Averages within ±10 % of 0.8 of the floor's estimate; and ones that jump 2x.
            smooth.learn(0.8 * (1.0 + 0.1 * ((k % 3) as f32 - 1.0)));
            rough.learn(if k % 4 == 0 { 2.0 } else { 0.7 });
        }
        let start = smooth.over(1.0, LOW_START).expect("smooth noise is usable");
        assert!((start - 0.8 * LOW_START).abs() < 0.02, "{start}: the learned mean, +3 dB");
        assert_eq!(rough.over(1.0, LOW_START), None, "a quarter of its averages over the keep level");
    }
}
