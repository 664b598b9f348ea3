//! The hot loop: interleaved samples → per-frame, per-channel features (energy and a tonality
//! measure), with a bounded sample history kept for refining span edges to the sample.
//!
//! A frame is 10 ms. Features per frame and channel, all sums of products so the loops
//! vectorise:
//! - `energy`: mean square;
//! - `gain`: the prediction gain (power ratio) of the best 2-tap linear predictor at lag `L`
//!   (`L` ≈ rate / 8000, so the measure means the same at 8, 44.1 and 48 kHz). A pure tone is
//!   predicted perfectly by 2 taps (gain limited only by the noise); speech and noise are not.
//!
//! The sums run straight over the interleaved block: with `C` channels and `C` dividing 8, lane
//! `j` of an 8-lane accumulator always holds channel `j % C`, and a lag of `L` frames is a lag of
//! `C·L` samples. No deinterleaving copy is made.

/// Channels analysed (agent and customer; mono uses one).
pub(crate) const MAX_ANALYSED: usize = 2;
/// Largest prediction gain reported (power ratio, 60 dB).
const MAX_GAIN: f32 = 1e6;

/// Features of one frame of one channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Frame {
    /// Mean square of the frame's samples.
    pub energy: f32,
    /// 2-tap prediction gain as a power ratio, in `[1, 1e6]`.
    pub gain: f32,
}

/// The call's interleaved sample stream, cut into frames.
#[derive(Debug)]
pub(crate) struct Frames {
    channels: usize,
    /// Channels whose features are computed (the first `analysed`).
    analysed: usize,
    /// Interleaved frames `[buf_start, buf_start + buf.len() / channels)`.
    buf: Vec<f32>,
    buf_start: u64,
    /// Index (in sample frames) of the next analysis frame's first sample frame.
    next: u64,
    frame_len: usize,
    lag: usize,
    /// Sample frames of history kept before the next analysis frame.
    keep: usize,
}

impl Frames {
    pub fn new(channels: u16, frame_len: usize, lag: usize, keep: usize) -> Self {
        let channels = usize::from(channels.max(1));
        let lag = lag.max(1);
        Frames {
            channels,
            analysed: channels.min(MAX_ANALYSED),
            buf: Vec::new(),
            buf_start: 0,
            next: 0,
            frame_len: frame_len.max(1),
            lag,
            keep: keep.max(2 * lag),
        }
    }

    /// Appends interleaved samples (whole frames only; a trailing partial frame is dropped).
    pub fn extend(&mut self, interleaved: &[f32]) {
        let whole = interleaved.len() / self.channels * self.channels;
        self.buf.extend_from_slice(interleaved.get(..whole).unwrap_or(&[]));
    }

    /// The next whole frame's features per analysed channel, or `None` until enough samples
    /// arrived.
    pub fn next_frame(&mut self) -> Option<[Frame; MAX_ANALYSED]> {
        let c = self.channels;
        let start = usize::try_from(self.next - self.buf_start).ok()?;
        let end = start + self.frame_len;
        let x = self.buf.get(start * c..end * c)?;
        let mut out = [Frame::default(); MAX_ANALYSED];
        if start < 2 * self.lag {
            // The very first frame: no history for the predictor.
            let mut e = [0f64; MAX_ANALYSED];
            for (i, v) in x.iter().enumerate() {
                if let Some(s) = e.get_mut(i % c) {
                    *s += f64::from(*v) * f64::from(*v);
                }
            }
            for (o, s) in out.iter_mut().zip(e) {
                *o = Frame { energy: (s / self.frame_len as f64) as f32, gain: 1.0 };
            }
        } else {
            let l = self.lag;
            let a = self.buf.get((start - l) * c..(end - l) * c)?;
            let b = self.buf.get((start - 2 * l) * c..(end - 2 * l) * c)?;
            let (xx, xa, xb) = if 8 % c == 0 { sums_lanes(x, a, b, c) } else { sums_strided(x, a, b, c) };
            for (ch, o) in out.iter_mut().enumerate().take(self.analysed) {
                let (xx, xa, xb) = (
                    f64::from(xx.get(ch).copied().unwrap_or(0.0)),
                    f64::from(xa.get(ch).copied().unwrap_or(0.0)),
                    f64::from(xb.get(ch).copied().unwrap_or(0.0)),
                );
                // The covariance-method normal equations need Σa², Σb², Σab too: each is a
                // shifted copy of Σx² or Σxa, corrected at the frame's two ends (O(lag) work).
                let at = |f: usize| f64::from(self.buf.get(f * c + ch).copied().unwrap_or(0.0));
                let sq = |from: usize, to: usize| -> f64 { (from..to).map(|f| at(f) * at(f)).sum() };
                let lagged = |from: usize, to: usize| -> f64 { (from..to).map(|f| at(f) * at(f - l)).sum() };
                let aa = xx - sq(end - l, end) + sq(start - l, start);
                let bb = xx - sq(end - 2 * l, end) + sq(start - 2 * l, start);
                let ab = xa - lagged(end - l, end) + lagged(start - l, start);
                *o = Frame {
                    energy: (xx / self.frame_len as f64) as f32,
                    gain: prediction_gain(xx, xa, xb, aa, ab, bb),
                };
            }
        }
        self.next += self.frame_len as u64;
        Some(out)
    }

    /// Drops history older than `keep` sample frames before the next frame. Call after draining.
    pub fn compact(&mut self) {
        let Ok(start) = usize::try_from(self.next - self.buf_start) else { return };
        if start > self.keep + (1 << 14) {
            let drop = start - self.keep;
            self.buf.drain(..drop * self.channels);
            self.buf_start += drop as u64;
        }
    }

    /// Channel `ch`'s samples over sample frames `[from, to)` still held, with their frame index.
    fn channel(&self, ch: usize, from: u64, to: u64) -> impl DoubleEndedIterator<Item = (u64, f32)> + '_ {
        let held_end = self.buf_start + (self.buf.len() / self.channels) as u64;
        let from = from.max(self.buf_start);
        let to = to.min(held_end).max(from);
        (from..to).filter_map(move |f| {
            let i = usize::try_from(f - self.buf_start).ok()? * self.channels + ch;
            self.buf.get(i).map(|v| (f, *v))
        })
    }

    /// First sample frame in `[from, to)` where channel `ch` has `|x| > thr`.
    pub fn first_above(&self, ch: usize, from: u64, to: u64, thr: f32) -> Option<u64> {
        self.channel(ch, from, to).find(|(_, v)| v.abs() > thr).map(|(f, _)| f)
    }

    /// Last sample frame in `[from, to)` where channel `ch` has `|x| > thr`.
    pub fn last_above(&self, ch: usize, from: u64, to: u64, thr: f32) -> Option<u64> {
        self.channel(ch, from, to).rev().find(|(_, v)| v.abs() > thr).map(|(f, _)| f)
    }
}

type PerChannel = [f32; MAX_ANALYSED];

/// `Σ x², Σ x·a, Σ x·b` per channel, for `c` dividing 8: 8 independent lanes, lane `j` holding
/// channel `j % c` (vectorises).
fn sums_lanes(x: &[f32], a: &[f32], b: &[f32], c: usize) -> (PerChannel, PerChannel, PerChannel) {
    let (xc, xr) = x.as_chunks::<8>();
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    let acc = dot3_8(xc, ac, bc);
    let mut r = ([0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED]);
    for j in 0..8 {
        if let (Some(r0), Some(r1), Some(r2)) = (r.0.get_mut(j % c), r.1.get_mut(j % c), r.2.get_mut(j % c)) {
            *r0 += acc[0][j];
            *r1 += acc[1][j];
            *r2 += acc[2][j];
        }
    }
    // The remainder starts at a multiple of 8 samples, so sample `i` is channel `i % c` still.
    for (i, ((xv, av), bv)) in xr.iter().zip(ar).zip(br).enumerate() {
        if let (Some(r0), Some(r1), Some(r2)) = (r.0.get_mut(i % c), r.1.get_mut(i % c), r.2.get_mut(i % c)) {
            *r0 += xv * xv;
            *r1 += xv * av;
            *r2 += xv * bv;
        }
    }
    r
}

/// Lane-wise `Σ x², Σ x·a, Σ x·b` of 8-wide rows: the kernel kept apart from the lane
/// bookkeeping so the compiler vectorises it plainly.
#[inline(never)]
fn dot3_8(x: &[[f32; 8]], a: &[[f32; 8]], b: &[[f32; 8]]) -> [[f32; 8]; 3] {
    let mut s0 = [0f32; 8];
    let mut s1 = [0f32; 8];
    let mut s2 = [0f32; 8];
    for ((xs, as_), bs) in x.iter().zip(a).zip(b) {
        for i in 0..8 {
            s0[i] += xs[i] * xs[i];
            s1[i] += xs[i] * as_[i];
            s2[i] += xs[i] * bs[i];
        }
    }
    [s0, s1, s2]
}

/// The same sums for any channel count (scalar, strided).
fn sums_strided(x: &[f32], a: &[f32], b: &[f32], c: usize) -> (PerChannel, PerChannel, PerChannel) {
    let mut r = ([0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED]);
    for (i, ((xv, av), bv)) in x.iter().zip(a).zip(b).enumerate() {
        if let (Some(r0), Some(r1), Some(r2)) = (r.0.get_mut(i % c), r.1.get_mut(i % c), r.2.get_mut(i % c)) {
            *r0 += xv * xv;
            *r1 += xv * av;
            *r2 += xv * bv;
        }
    }
    r
}

/// Gain (power ratio) of the best 2-tap predictor `x ≈ p·a + q·b` over one frame (covariance
/// method: exact for a pure tone), from `Σx², Σxa, Σxb, Σa², Σab, Σb²`.
fn prediction_gain(xx: f64, xa: f64, xb: f64, aa: f64, ab: f64, bb: f64) -> f32 {
    if xx <= 1e-12 {
        return 1.0;
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
    if err <= xx / f64::from(MAX_GAIN) {
        return MAX_GAIN;
    }
    ((xx / err) as f32).clamp(1.0, MAX_GAIN)
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

    fn db(g: f32) -> f32 {
        10.0 * g.log10()
    }

    #[test]
    fn a_tone_is_tonal_and_noise_is_not_on_either_channel() {
        let tone: Vec<f32> = (0..8000)
            .map(|i| 0.3 * (i as f32 * 2.0 * std::f32::consts::PI * 523.25 / 8000.0).sin())
            .zip(noise(8000, 7, 0.002))
            .map(|(a, b)| a + b)
            .collect();
        let hiss = noise(8000, 9, 0.5);
        // Left = tone, right = noise; then swapped.
        for swap in [false, true] {
            let inter: Vec<f32> =
                tone.iter().zip(&hiss).flat_map(|(t, n)| if swap { [*n, *t] } else { [*t, *n] }).collect();
            let (tc, nc) = if swap { (1, 0) } else { (0, 1) };
            let mut fr = Frames::new(2, 80, 1, 1000);
            fr.extend(&inter);
            let frames: Vec<[Frame; 2]> = std::iter::from_fn(|| fr.next_frame()).collect();
            assert_eq!(frames.len(), 100);
            assert!(frames[1..].iter().all(|f| db(f[tc].gain) > 25.0), "{:?}", &frames[..4]);
            assert!(frames[1..].iter().all(|f| db(f[nc].gain) < 6.0));
            assert!((frames[50][tc].energy - 0.045).abs() < 0.005);
            assert!((frames[50][nc].energy - 0.083).abs() < 0.02, "{:?}", frames[50]);
        }
    }

    #[test]
    fn odd_channel_counts_use_the_strided_path() {
        let tone: Vec<f32> =
            (0..4000).map(|i| 0.3 * (i as f32 * 2.0 * std::f32::consts::PI * 700.0 / 8000.0).sin()).collect();
        let n = noise(4000, 5, 0.3);
        let inter: Vec<f32> = tone.iter().zip(&n).flat_map(|(t, v)| [*v, *t, 0.0]).collect();
        let mut fr = Frames::new(3, 80, 1, 1000);
        fr.extend(&inter);
        let frames: Vec<[Frame; 2]> = std::iter::from_fn(|| fr.next_frame()).collect();
        assert_eq!(frames.len(), 50);
        assert!(frames[1..].iter().all(|f| db(f[1].gain) > 25.0 && db(f[0].gain) < 6.0));
    }

    #[test]
    fn history_is_bounded_and_edges_can_be_found() {
        let mut fr = Frames::new(1, 80, 1, 800);
        for _ in 0..100 {
            fr.extend(&noise(4000, 3, 0.001));
            while fr.next_frame().is_some() {}
            fr.compact();
        }
        assert!(fr.buf.len() < 800 + (1 << 14) + 4000);
        let mut fr = Frames::new(2, 80, 1, 800);
        let mut x = vec![0.0f32; 800];
        x[2 * 123 + 1] = 0.5;
        x[2 * 300 + 1] = -0.5;
        x[2 * 310] = 0.5;
        fr.extend(&x);
        assert_eq!(fr.first_above(1, 0, 400, 0.1), Some(123));
        assert_eq!(fr.last_above(1, 0, 400, 0.1), Some(300));
        assert_eq!(fr.last_above(1, 0, 300, 0.1), Some(123));
        assert_eq!(fr.last_above(0, 0, 400, 0.1), Some(310));
    }
}
