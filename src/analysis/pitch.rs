//! Fundamental frequency (F0) of one short window by YIN (de Cheveigné & Kawahara, 2002):
//! the cumulative-mean-normalised difference function, the first dip under a threshold, a
//! parabolic refinement. Used sparingly (a few windows around candidate sentence boundaries),
//! so it is written for clarity over speed; the inner difference loop still vectorises.

/// Lowest and highest F0 searched, Hz (covers low male to high female/child voices).
const F0_MIN: f32 = 60.0;
const F0_MAX: f32 = 400.0;
/// The first lag whose normalised difference falls under this is taken (then its local minimum).
const DIP: f32 = 0.2;
/// A window is voiced when that minimum is under this (aperiodicity).
const VOICED: f32 = 0.35;

/// YIN's window for `rate`: the samples one estimate reads (the integration length plus the
/// longest lag; 40 ms).
pub(crate) fn window_len(rate: f32) -> usize {
    (0.040 * rate).round() as usize
}

/// F0 in Hz of `x` (a window of [`window_len`] samples at `rate`), or `None` when the window is
/// not clearly periodic. `d` is scratch space.
pub(crate) fn yin(x: &[f32], rate: f32, d: &mut Vec<f32>) -> Option<f32> {
    let tau_max = (rate / F0_MIN).floor() as usize;
    let tau_min = ((rate / F0_MAX).floor() as usize).max(2);
    let w = x.len().checked_sub(tau_max)?;
    if w < tau_max / 2 || tau_min + 2 > tau_max {
        return None;
    }
    let head = x.get(..w)?;
    // d(τ) = Σ_j (x_j - x_{j+τ})², then d'(τ) = d(τ) · τ / Σ_{k≤τ} d(k). The first τ with
    // d'(τ) under `DIP`, walked down to its local minimum, is the period: the lags after that
    // minimum (but one, for the refinement) are not computed.
    d.clear();
    d.push(1.0);
    let mut cum = 0.0f32;
    let mut dip: Option<usize> = None;
    for tau in 1..=tau_max {
        let shifted = x.get(tau..tau + w)?;
        let dt = squared_distance(head, shifted);
        cum += dt;
        let v = if cum > 0.0 { dt * tau as f32 / cum } else { 1.0 };
        d.push(v);
        if tau < tau_min {
            continue;
        }
        match dip {
            Some(k) if v < d.get(k).copied().unwrap_or(1.0) => dip = Some(tau),
            Some(_) => break,
            None if v < DIP => dip = Some(tau),
            None => {}
        }
    }
    let at = |t: usize| d.get(t).copied().unwrap_or(1.0);
    let last = d.len() - 1;
    let k = match dip {
        Some(t) => t,
        None => (tau_min..=last).min_by(|&a, &b| at(a).total_cmp(&at(b)))?,
    };
    if at(k) >= VOICED {
        return None;
    }
    // Parabolic refinement of the dip (only strictly inside the searched range).
    let shift = if k > tau_min && k < last {
        let (a, b, c) = (at(k - 1), at(k), at(k + 1));
        let den = a - 2.0 * b + c;
        if den.abs() > 1e-12 { (0.5 * (a - c) / den).clamp(-1.0, 1.0) } else { 0.0 }
    } else {
        0.0
    };
    Some(rate / (k as f32 + shift))
}

/// `Σ (a_i - b_i)²` with 8 independent partial sums (a plain float sum is one serial chain
/// the compiler may not reorder; this one vectorises).
fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    let mut acc = [0f32; 8];
    for (x, y) in ac.iter().zip(bc) {
        for i in 0..8 {
            let d = x[i] - y[i];
            acc[i] += d * d;
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| (x - y) * (x - y)).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn tone(f: f32, rate: f32, n: usize, harmonics: bool) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let t = i as f32 / rate;
                let mut v = (2.0 * std::f32::consts::PI * f * t).sin();
                if harmonics {
                    v += 0.6 * (4.0 * std::f32::consts::PI * f * t).sin()
                        + 0.3 * (6.0 * std::f32::consts::PI * f * t + 1.0).sin();
                }
                0.3 * v
            })
            .collect()
    }

    #[test]
    fn finds_the_fundamental_of_voice_like_tones() {
        let mut d = Vec::new();
        for rate in [4000.0f32, 8000.0, 16000.0] {
            for f in [80.0f32, 123.0, 190.0, 310.0] {
                let x = tone(f, rate, window_len(rate), true);
                let got = yin(&x, rate, &mut d).expect("voiced");
                assert!((got / f - 1.0).abs() < 0.01, "rate {rate} f {f}: got {got}");
            }
        }
    }

    #[test]
    fn noise_and_silence_are_unvoiced() {
        let mut d = Vec::new();
        let mut s = 7u32;
        let noise: Vec<f32> = (0..320)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        assert_eq!(yin(&noise, 8000.0, &mut d), None);
        assert_eq!(yin(&[0.0; 320], 8000.0, &mut d), None);
        assert_eq!(yin(&[0.1; 10], 8000.0, &mut d), None, "too short");
    }
}
