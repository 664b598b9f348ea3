//! A min/max peaks pyramid per channel, built in the same pass as the analysis, so the GUI can
//! draw any zoom without touching samples.
//!
//! Only the finest level looks at samples; each coarser level is folded from finished bins of
//! the level below (4 bins → 1), so the cost per sample does not grow with the number of levels.

/// Frames per bin of the finest level; each coarser level is 4× coarser.
pub const BASE_BIN: usize = 256;
/// Number of levels: 256, 1024, 4096, 16384, 65536 frames per bin.
pub const LEVELS: usize = 5;
/// Bins of one level folded into one bin of the next.
const FAN: usize = 4;

/// One level: for each channel, `(min, max)` per bin.
#[derive(Clone, Debug, Default)]
pub struct PeakLevel {
    pub frames_per_bin: usize,
    /// `bins[channel][i] = (min, max)` over frames `[i * frames_per_bin, (i+1) * frames_per_bin)`.
    /// After [`Peaks::finish`], the last bin may cover fewer frames (the file's tail).
    pub bins: Vec<Vec<(f32, f32)>>,
}

/// The partial bin at one level of one channel.
#[derive(Clone, Copy, Debug)]
struct Pending {
    min: f32,
    max: f32,
    /// Frames (level 0) or finished child bins (coarser levels) folded in so far.
    count: usize,
}

impl Pending {
    const EMPTY: Pending = Pending { min: f32::INFINITY, max: f32::NEG_INFINITY, count: 0 };
}

/// The pyramid, finest level first.
#[derive(Clone, Debug, Default)]
pub struct Peaks {
    pub channels: u16,
    pub sample_rate: u32,
    pub frames: u64,
    pub levels: Vec<PeakLevel>,
    /// `pending[channel][level]`: the partial bin at that level.
    pending: Vec<Vec<Pending>>,
    /// Frames pushed per channel through [`Peaks::push_channel`] (kept equal across channels).
    planar_frames: Vec<u64>,
}

impl Peaks {
    pub fn new(channels: u16, sample_rate: u32) -> Self {
        let ch = usize::from(channels.max(1));
        let levels = (0..LEVELS)
            .map(|l| PeakLevel { frames_per_bin: BASE_BIN << (2 * l), bins: vec![Vec::new(); ch] })
            .collect();
        Peaks {
            channels,
            sample_rate,
            frames: 0,
            levels,
            pending: vec![vec![Pending::EMPTY; LEVELS]; ch],
            planar_frames: vec![0; ch],
        }
    }

    /// Adds interleaved frames (a trailing partial frame is ignored).
    pub fn push(&mut self, interleaved: &[f32]) {
        let ch = usize::from(self.channels.max(1));
        let mut rest = interleaved.get(..interleaved.len() / ch * ch).unwrap_or(&[]);
        while !rest.is_empty() {
            // Up to the end of the current base bin (all channels advance together).
            let done = self.pending.first().and_then(|p| p.first()).map_or(0, |p| p.count);
            let take = ((BASE_BIN - done) * ch).min(rest.len());
            let (head, tail) = rest.split_at(take);
            let mut mm = [(f32::INFINITY, f32::NEG_INFINITY); 8];
            if ch <= 8 && 8 % ch == 0 {
                lanes_min_max(head, ch, &mut mm);
            }
            for c in 0..ch {
                let (lo, hi) = match mm.get(c) {
                    Some(v) if 8 % ch == 0 => *v,
                    _ => strided_min_max(head, ch, c),
                };
                let Some(pend) = self.pending.get_mut(c) else { continue };
                let Some(p0) = pend.first_mut() else { continue };
                p0.min = p0.min.min(lo);
                p0.max = p0.max.max(hi);
                p0.count += take / ch;
                if p0.count == BASE_BIN {
                    close_bin(&mut self.levels, pend, c, 0);
                }
            }
            for n in &mut self.planar_frames {
                *n += (take / ch) as u64;
            }
            rest = tail;
        }
        self.frames = self.planar_frames.first().copied().unwrap_or(0);
    }

    /// Adds the next samples of one channel. Callers push the same number of samples to every
    /// channel per block; `frames` follows channel 0.
    pub fn push_channel(&mut self, channel: usize, samples: &[f32]) {
        let Some(pend) = self.pending.get_mut(channel) else { return };
        let mut rest = samples;
        while !rest.is_empty() {
            let Some(p0) = pend.first_mut() else { return };
            let take = (BASE_BIN - p0.count).min(rest.len());
            let (head, tail) = rest.split_at(take);
            let (lo, hi) = min_max(head);
            p0.min = p0.min.min(lo);
            p0.max = p0.max.max(hi);
            p0.count += take;
            if p0.count == BASE_BIN {
                close_bin(&mut self.levels, pend, channel, 0);
            }
            rest = tail;
        }
        if let Some(n) = self.planar_frames.get_mut(channel) {
            *n += samples.len() as u64;
        }
        self.frames = self.planar_frames.first().copied().unwrap_or(0);
    }

    /// Flushes the partial bins at every level, so the file's tail is drawn too. Call once, at
    /// the end.
    pub fn finish(&mut self) {
        for (channel, pend) in self.pending.iter_mut().enumerate() {
            for level in 0..LEVELS {
                let Some(p) = pend.get(level).copied() else { continue };
                if p.count == 0 {
                    continue;
                }
                // Fold the partial bin into the level above before publishing it at this level.
                if let Some(up) = pend.get_mut(level + 1) {
                    up.min = up.min.min(p.min);
                    up.max = up.max.max(p.max);
                    up.count += 1;
                }
                if let Some(bins) = self.levels.get_mut(level).and_then(|l| l.bins.get_mut(channel)) {
                    bins.push((p.min, p.max));
                }
                if let Some(slot) = pend.get_mut(level) {
                    *slot = Pending::EMPTY;
                }
            }
        }
    }
}

/// Publishes the full bin at `level` and folds it into the level above, recursively.
fn close_bin(levels: &mut [PeakLevel], pend: &mut [Pending], channel: usize, level: usize) {
    let mut level = level;
    loop {
        let Some(p) = pend.get(level).copied() else { return };
        if let Some(bins) = levels.get_mut(level).and_then(|l| l.bins.get_mut(channel)) {
            bins.push((p.min, p.max));
        }
        if let Some(slot) = pend.get_mut(level) {
            *slot = Pending::EMPTY;
        }
        let Some(up) = pend.get_mut(level + 1) else { return };
        up.min = up.min.min(p.min);
        up.max = up.max.max(p.max);
        up.count += 1;
        if up.count < FAN {
            return;
        }
        level += 1;
    }
}

/// Per-channel min and max of interleaved samples for `ch` dividing 8: lane `j` of the 8-lane
/// accumulators holds channel `j % ch`. Results go to `out[0..ch]`.
fn lanes_min_max(x: &[f32], ch: usize, out: &mut [(f32, f32); 8]) {
    let (chunks, rem) = x.as_chunks::<8>();
    let (lo, hi) = min_max_8(chunks);
    for j in 0..8 {
        if let Some(o) = out.get_mut(j % ch) {
            o.0 = o.0.min(lo[j]);
            o.1 = o.1.max(hi[j]);
        }
    }
    for (i, &v) in rem.iter().enumerate() {
        if let Some(o) = out.get_mut(i % ch) {
            o.0 = o.0.min(v);
            o.1 = o.1.max(v);
        }
    }
}

/// Lane-wise min and max of 8-wide rows: the kernel kept apart from the lane bookkeeping so
/// the compiler vectorises it plainly (two `minps`/`maxps` pairs per row).
#[inline(never)]
fn min_max_8(rows: &[[f32; 8]]) -> ([f32; 8], [f32; 8]) {
    let mut lo = [f32::INFINITY; 8];
    let mut hi = [f32::NEG_INFINITY; 8];
    for r in rows {
        for i in 0..8 {
            lo[i] = if r[i] < lo[i] { r[i] } else { lo[i] };
            hi[i] = if r[i] > hi[i] { r[i] } else { hi[i] };
        }
    }
    (lo, hi)
}

/// Min and max of channel `c` of interleaved samples (any channel count; scalar).
fn strided_min_max(x: &[f32], ch: usize, c: usize) -> (f32, f32) {
    x.iter().skip(c).step_by(ch).fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)))
}

/// Min and max of a slice, written so the compiler vectorises it (8 independent lanes).
pub(crate) fn min_max(x: &[f32]) -> (f32, f32) {
    let mut lo = [f32::INFINITY; 8];
    let mut hi = [f32::NEG_INFINITY; 8];
    let (chunks, rem) = x.as_chunks::<8>();
    for c in chunks {
        for i in 0..8 {
            let v = c[i];
            lo[i] = if v < lo[i] { v } else { lo[i] };
            hi[i] = if v > hi[i] { v } else { hi[i] };
        }
    }
    let mut l = lo.iter().copied().fold(f32::INFINITY, f32::min);
    let mut h = hi.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for &v in rem {
        l = l.min(v);
        h = h.max(v);
    }
    (l, h)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The naive definition: min/max of each bin straight from the samples.
    fn naive(x: &[f32], per_bin: usize) -> Vec<(f32, f32)> {
        x.chunks(per_bin).map(min_max).collect()
    }

    #[test]
    fn every_level_matches_the_naive_min_max() {
        // A deterministic pseudo-random signal, pushed in odd-sized blocks.
        let n = 70_001;
        let mut s = 12345u32;
        let left: Vec<f32> = (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
            })
            .collect();
        let right: Vec<f32> = left.iter().map(|v| -0.5 * v).collect();
        let inter: Vec<f32> = left.iter().zip(&right).flat_map(|(a, b)| [*a, *b]).collect();
        let mut p = Peaks::new(2, 8000);
        for block in inter.chunks(2 * 777) {
            p.push(block);
        }
        assert_eq!(p.frames, n as u64);
        // Before finish: only whole bins.
        assert_eq!(p.levels[0].bins[0].len(), n / BASE_BIN);
        p.finish();
        for level in &p.levels {
            assert_eq!(level.bins[0], naive(&left, level.frames_per_bin), "level {}", level.frames_per_bin);
            assert_eq!(level.bins[1], naive(&right, level.frames_per_bin), "level {}", level.frames_per_bin);
        }
    }
}
