//! Echo and crosstalk: is a channel's energy the other side's voice leaking in?
//!
//! "This side is much quieter than the other" is not the test: a quiet headset is much quieter
//! and still talks. An echo path (a line hybrid, a headset picking up the earpiece) is a delay
//! and a loss, so an echo's energy *follows the other side's*, late by the path's delay and a
//! constant number of dB down. A frame is an echo when the other side was at least `echo_db`
//! louder in the last `echo_s` (the cheap pre-check, as before) **and**, over the last 200 ms,
//! this channel's frames above its noise floor (+6 dB) are the other side's frames `d` earlier
//! (0-80 ms) less a constant: for some `d`, the other side's level varies over the window (by
//! 3 dB or more, standard deviation) and this side's level is that, less the loss (the mean
//! difference over this side's frames above its floor), never under its floor, within 4 dB
//! (root mean square) over the window: it rises and falls with the other side, dips included. A talker's own voice over the other's does not keep a constant
//! difference to it, so it stays talk however quiet it is. With fewer than 4 frames above the
//! floor in the window there is not enough to tell ([`Echo::judge`] says `None`) and the
//! detector decides: a frame loud enough for the 10 ms thresholds is an echo then (a quiet
//! talker's first 30 ms over the other side; the span's start is extended backwards afterwards),
//! a frame heard only on a noisy line's 30 ms averages is one only until its side has talked on
//! its own, or while the other side plays sustained sound (music on hold).
//!
//! Levels are compared in log2 (a bit-level approximation, within 0.09 of log2).

/// Frames remembered per channel (a power of two: the ring is indexed by masking).
const HIST: usize = 32;
/// Frames of this channel compared (200 ms).
const WIN: usize = 20;
/// Longest echo delay looked at, frames (80 ms).
const MAX_DELAY: usize = 8;
/// Frames over the floor needed in the window to judge.
const MIN_POINTS: usize = 4;
/// Largest mean square misfit of the echo model: (4 dB in log2 units)².
const MAX_VAR: f32 = (4.0 / 3.0103) * (4.0 / 3.0103);
/// The other side's level must vary this much over the frames compared, (3 dB in log2)²: two
/// steady levels side by side say nothing about an echo path.
const MIN_VAR_Y: f32 = (3.0 / 3.0103) * (3.0 / 3.0103);
/// A frame counts when its energy is over the noise floor times this (+6 dB).
const OVER_FLOOR: f32 = 4.0;

/// The two channels' recent energies, for the echo check.
#[derive(Debug)]
pub(crate) struct Echo {
    energy: [[f32; HIST]; 2],
    log: [[f32; HIST]; 2],
    over: [[bool; HIST]; 2],
    /// log2 of the floor + 6 dB when the frame was pushed.
    clamp: [[f32; HIST]; 2],
    /// Frames of the other side's past looked at by the pre-check.
    look: usize,
    /// The other side this much louder (power ratio) may make this frame an echo.
    ratio: f32,
}

/// log2(x) for positive normal `x`, within 0.09 (the exponent plus the mantissa as a fraction).
fn log2_approx(x: f32) -> f32 {
    x.to_bits() as f32 * (1.0 / (1u32 << 23) as f32) - 127.0
}

impl Echo {
    pub fn new(look: usize, ratio: f32) -> Self {
        Echo {
            energy: [[0.0; HIST]; 2],
            log: [[0.0; HIST]; 2],
            over: [[false; HIST]; 2],
            clamp: [[0.0; HIST]; 2],
            look: look.clamp(1, HIST),
            ratio,
        }
    }

    /// Records frame `t`'s energies (with each channel's current noise floor, mean-square).
    pub fn push(&mut self, t: u64, energy: [f32; 2], floor: [f32; 2]) {
        let i = (t as usize) & (HIST - 1);
        for c in 0..2 {
            if let (Some(e), Some(l), Some(o), Some(k)) = (
                self.energy[c].get_mut(i),
                self.log[c].get_mut(i),
                self.over[c].get_mut(i),
                self.clamp[c].get_mut(i),
            ) {
                *e = energy[c];
                *l = log2_approx(energy[c].max(1e-30));
                *o = energy[c] > OVER_FLOOR * floor[c];
                *k = log2_approx((OVER_FLOOR * floor[c]).max(1e-30));
            }
        }
    }

    /// The pre-check: whether the other side was `echo_db` louder than channel `c`'s frame `t`
    /// (already pushed) in the last `echo_s`.
    fn under_other(&self, c: usize, t: u64) -> bool {
        let (c, o) = if c == 0 { (0, 1) } else { (1, 0) };
        let slot = |k: usize| (t as usize).wrapping_sub(k) & (HIST - 1);
        let this = self.energy[c].get(slot(0)).copied().unwrap_or(0.0);
        let loudest = (0..self.look)
            .map(|k| self.energy[o].get(slot(k)).copied().unwrap_or(0.0))
            .fold(0.0f32, |m, v| if v > m { v } else { m });
        loudest > this * self.ratio
    }

    /// The echo model's verdict on channel `c`'s frame `t`: `Some(false)` when the other side
    /// was not `echo_db` louder, `None` when the pre-check passed but there is not enough of this
    /// side over its floor to tell (then the caller decides).
    pub fn judge(&self, c: usize, t: u64) -> Option<bool> {
        if !self.under_other(c, t) {
            return Some(false);
        }
        let (c, o) = if c == 0 { (0, 1) } else { (1, 0) };
        let slot = |k: usize| (t as usize).wrapping_sub(k) & (HIST - 1);
        if (t as usize) < WIN + MAX_DELAY {
            // Not enough history yet.
            return None;
        }
        // This side's frames over its floor in the window: (frame age, log2 energy).
        let mut x = [(0usize, 0f32); WIN];
        let mut n = 0;
        for k in 0..WIN {
            if self.over[c].get(slot(k)).copied().unwrap_or(false)
                && let Some(p) = x.get_mut(n)
            {
                *p = (k, self.log[c].get(slot(k)).copied().unwrap_or(0.0));
                n += 1;
            }
        }
        if n < MIN_POINTS {
            return None;
        }
        let pts = x.get(..n).unwrap_or(&[]);
        let inv = 1.0 / n as f32;
        let win = 1.0 / WIN as f32;
        let at = |ring: &[[f32; HIST]; 2], ch: usize, k: usize| ring[ch].get(slot(k)).copied().unwrap_or(0.0);
        Some((0..=MAX_DELAY).any(|d| {
            // The loss, from this side's frames over its floor.
            let g = pts.iter().map(|&(k, v)| v - at(&self.log, o, k + d)).sum::<f32>() * inv;
            // Over the whole window: the echo model (the other side `d` frames earlier, less the
            // loss, never under this side's floor) against what this side did.
            let (mut r2, mut sy, mut syy) = (0f32, 0f32, 0f32);
            for k in 0..WIN {
                let y = at(&self.log, o, k + d);
                let floor = at(&self.clamp, c, k);
                let r = at(&self.log, c, k).max(floor) - (y + g).max(floor);
                r2 += r * r;
                sy += y;
                syy += y * y;
            }
            let my = sy * win;
            // The other side's level moved, and this side moved with it.
            syy * win - my * my >= MIN_VAR_Y && r2 * win <= MAX_VAR
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_approx_is_close() {
        for x in [1e-9f32, 3.3e-5, 0.01, 0.5, 1.0, 7.0] {
            assert!((log2_approx(x) - x.log2()).abs() < 0.09, "{x}");
        }
    }
}
