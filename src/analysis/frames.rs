//! The hot loop: one channel's samples → per-frame features (energy and a tonality measure),
//! with a bounded sample history kept for refining span edges to the sample.
//!
//! A frame is 10 ms. Features per frame, all sums of products so the loops vectorise:
//! - `energy`: mean square;
//! - `tonal_db`: the prediction gain of the best 2-tap linear predictor at lag `L`
//!   (`L` ≈ rate / 8000, so the measure means the same at 8, 44.1 and 48 kHz). A pure tone is
//!   predicted perfectly by 2 taps (gain limited only by the noise), speech and noise are not.

/// Features of one frame of one channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Frame {
    /// Mean square of the frame's samples.
    pub energy: f32,
    /// 2-tap prediction gain, dB, clamped to `[0, 60]`.
    pub tonal_db: f32,
}

/// One channel's sample stream, cut into frames.
#[derive(Debug)]
pub(crate) struct Lane {
    /// Samples `[buf_start, buf_start + buf.len())` of this channel.
    buf: Vec<f32>,
    buf_start: u64,
    /// Absolute index of the next frame's first sample.
    next_frame: u64,
    frame_len: usize,
    lag: usize,
    /// Samples kept before the next frame (history for edge refinement and the predictor).
    keep: usize,
}

impl Lane {
    /// `keep` samples of history are kept before the next frame to be computed.
    pub fn new(frame_len: usize, lag: usize, keep: usize) -> Self {
        let keep = keep.max(2 * lag);
        Lane {
            buf: Vec::with_capacity(keep + (1 << 16)),
            buf_start: 0,
            next_frame: 0,
            frame_len: frame_len.max(1),
            lag: lag.max(1),
            keep,
        }
    }

    /// Direct access to append deinterleaved samples.
    pub fn buffer_mut(&mut self) -> &mut Vec<f32> {
        &mut self.buf
    }

    /// The next whole frame's features, or `None` until enough samples arrived.
    pub fn next_frame(&mut self) -> Option<Frame> {
        let start = usize::try_from(self.next_frame - self.buf_start).ok()?;
        let end = start + self.frame_len;
        let x = self.buf.get(start..end)?;
        let (r0, tonal_db) = if start >= 2 * self.lag {
            let l = self.lag;
            let a = self.buf.get(start - l..end - l)?;
            let b = self.buf.get(start - 2 * l..end - 2 * l)?;
            let (xx, xa, xb) = sums(x, a, b);
            // The covariance-method normal equations need Σa², Σb², Σab too: each is a shifted
            // copy of Σx² or Σxa, corrected at the frame's two ends (O(lag) work).
            let sq = |r: std::ops::Range<usize>| -> f64 {
                self.buf.get(r).map_or(0.0, |v| v.iter().map(|&y| f64::from(y) * f64::from(y)).sum())
            };
            let lagged = |r: std::ops::Range<usize>| -> f64 {
                r.filter_map(|j| Some(f64::from(*self.buf.get(j)?) * f64::from(*self.buf.get(j - l)?))).sum()
            };
            let (xx, xa, xb) = (f64::from(xx), f64::from(xa), f64::from(xb));
            let aa = xx - sq(end - l..end) + sq(start - l..start);
            let bb = xx - sq(end - 2 * l..end) + sq(start - 2 * l..start);
            let ab = xa - lagged(end - l..end) + lagged(start - l..start);
            (xx, prediction_gain_db(xx, xa, xb, aa, ab, bb))
        } else {
            let (xx, _, _) = sums(x, x, x);
            (f64::from(xx), 0.0)
        };
        self.next_frame += self.frame_len as u64;
        Some(Frame { energy: (r0 / self.frame_len as f64) as f32, tonal_db })
    }

    /// Drops history older than `keep` samples before the next frame. Call after draining.
    pub fn compact(&mut self) {
        let Ok(start) = usize::try_from(self.next_frame - self.buf_start) else { return };
        if start > self.keep + (1 << 14) {
            let drop = start - self.keep;
            self.buf.drain(..drop);
            self.buf_start += drop as u64;
        }
    }

    /// The samples `[from, to)` still held (clipped to what is held).
    pub fn samples(&self, from: u64, to: u64) -> (u64, &[f32]) {
        let from = from.max(self.buf_start);
        let end_abs = self.buf_start + self.buf.len() as u64;
        let to = to.min(end_abs).max(from);
        let s = usize::try_from(from - self.buf_start).unwrap_or(0);
        let e = usize::try_from(to - self.buf_start).unwrap_or(0);
        (from, self.buf.get(s..e).unwrap_or(&[]))
    }

    /// First sample index in `[from, to)` with `|x| > thr`.
    pub fn first_above(&self, from: u64, to: u64, thr: f32) -> Option<u64> {
        let (base, x) = self.samples(from, to);
        x.iter().position(|v| v.abs() > thr).map(|i| base + i as u64)
    }

    /// Last sample index in `[from, to)` with `|x| > thr`.
    pub fn last_above(&self, from: u64, to: u64, thr: f32) -> Option<u64> {
        let (base, x) = self.samples(from, to);
        x.iter().rposition(|v| v.abs() > thr).map(|i| base + i as u64)
    }
}

/// `Σ x², Σ x·a, Σ x·b` with 8 independent accumulators (vectorises).
fn sums(x: &[f32], a: &[f32], b: &[f32]) -> (f32, f32, f32) {
    let mut s0 = [0f32; 8];
    let mut s1 = [0f32; 8];
    let mut s2 = [0f32; 8];
    let n = x.len().min(a.len()).min(b.len());
    let (x, a, b) = (&x[..n], &a[..n], &b[..n]);
    let mut xc = x.chunks_exact(8);
    let mut ac = a.chunks_exact(8);
    let mut bc = b.chunks_exact(8);
    for ((xs, as_), bs) in (&mut xc).zip(&mut ac).zip(&mut bc) {
        for i in 0..8 {
            s0[i] += xs[i] * xs[i];
            s1[i] += xs[i] * as_[i];
            s2[i] += xs[i] * bs[i];
        }
    }
    let mut r0: f32 = s0.iter().sum();
    let mut r1: f32 = s1.iter().sum();
    let mut r2: f32 = s2.iter().sum();
    for ((xv, av), bv) in xc.remainder().iter().zip(ac.remainder()).zip(bc.remainder()) {
        r0 += xv * xv;
        r1 += xv * av;
        r2 += xv * bv;
    }
    (r0, r1, r2)
}

/// Gain (dB) of the best 2-tap predictor `x ≈ p·a + q·b` over one frame (covariance method:
/// exact for a pure tone), from `Σx², Σxa, Σxb, Σa², Σab, Σb²`.
fn prediction_gain_db(xx: f64, xa: f64, xb: f64, aa: f64, ab: f64, bb: f64) -> f32 {
    if xx <= 1e-12 {
        return 0.0;
    }
    let det = aa * bb - ab * ab;
    let explained = if det > 1e-9 * aa * bb {
        // [xa xb] · C⁻¹ · [xa xb]ᵀ with C = [[aa, ab], [ab, bb]].
        (xa * xa * bb - 2.0 * xa * xb * ab + xb * xb * aa) / det
    } else if aa > 0.0 {
        xa * xa / aa
    } else {
        0.0
    };
    let err = xx - explained;
    if err <= xx * 1e-6 {
        return 60.0;
    }
    (10.0 * (xx / err).log10()).clamp(0.0, 60.0) as f32
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn noise(n: usize, seed: u32, amp: f32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0) * amp
            })
            .collect()
    }

    #[test]
    fn a_tone_is_tonal_and_noise_is_not() {
        let tone: Vec<f32> = (0..8000)
            .map(|i| 0.3 * (i as f32 * 2.0 * std::f32::consts::PI * 523.25 / 8000.0).sin())
            .collect();
        let mut lane = Lane::new(80, 1, 1000);
        lane.buffer_mut().extend(tone.iter().zip(noise(8000, 7, 0.002)).map(|(a, b)| a + b));
        let frames: Vec<Frame> = std::iter::from_fn(|| lane.next_frame()).collect();
        assert_eq!(frames.len(), 100);
        assert!(frames[10..].iter().all(|f| f.tonal_db > 25.0), "{:?}", &frames[..12]);
        assert!((frames[50].energy - 0.045).abs() < 0.005);

        let mut lane = Lane::new(80, 1, 1000);
        lane.buffer_mut().extend(noise(8000, 9, 0.5));
        let frames: Vec<Frame> = std::iter::from_fn(|| lane.next_frame()).collect();
        assert!(frames.iter().all(|f| f.tonal_db < 6.0));
    }

    #[test]
    fn history_is_bounded_and_edges_can_be_found() {
        let mut lane = Lane::new(80, 1, 800);
        for _ in 0..100 {
            lane.buffer_mut().extend(noise(4000, 3, 0.001));
            while lane.next_frame().is_some() {}
            lane.compact();
        }
        assert!(lane.buf.len() < 800 + (1 << 14) + 4000);
        let mut lane = Lane::new(80, 1, 800);
        let mut x = vec![0.0f32; 400];
        x[123] = 0.5;
        x[300] = -0.5;
        lane.buffer_mut().extend(x);
        assert_eq!(lane.first_above(0, 400, 0.1), Some(123));
        assert_eq!(lane.last_above(0, 400, 0.1), Some(300));
        assert_eq!(lane.last_above(0, 300, 0.1), Some(123));
    }
}
