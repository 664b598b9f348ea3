//! A min/max peaks pyramid per channel, built in the same pass as the analysis, so the GUI can
//! draw any zoom without touching samples.

/// Frames per bin of the finest level; each coarser level is 4× coarser.
pub const BASE_BIN: usize = 256;
/// Number of levels: 256, 1024, 4096, 16384, 65536 frames per bin.
pub const LEVELS: usize = 5;

/// One level: for each channel, `(min, max)` per bin.
#[derive(Clone, Debug, Default)]
pub struct PeakLevel {
    pub frames_per_bin: usize,
    /// `bins[channel][i] = (min, max)` over frames `[i * frames_per_bin, (i+1) * frames_per_bin)`.
    pub bins: Vec<Vec<(f32, f32)>>,
}

/// The pyramid, finest level first.
#[derive(Clone, Debug, Default)]
pub struct Peaks {
    pub channels: u16,
    pub sample_rate: u32,
    pub frames: u64,
    pub levels: Vec<PeakLevel>,
    /// Running min/max of the partial bin at each level, per channel.
    pending: Vec<Vec<(f32, f32, usize)>>,
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
            pending: vec![vec![(f32::INFINITY, f32::NEG_INFINITY, 0); ch]; LEVELS],
        }
    }

    /// Adds interleaved frames.
    pub fn push(&mut self, interleaved: &[f32]) {
        let ch = usize::from(self.channels.max(1));
        for frame in interleaved.chunks_exact(ch) {
            for (c, &x) in frame.iter().enumerate() {
                for (l, level) in self.levels.iter_mut().enumerate() {
                    let Some(p) = self.pending.get_mut(l).and_then(|v| v.get_mut(c)) else { continue };
                    p.0 = p.0.min(x);
                    p.1 = p.1.max(x);
                    p.2 += 1;
                    if p.2 == level.frames_per_bin {
                        if let Some(b) = level.bins.get_mut(c) {
                            b.push((p.0, p.1));
                        }
                        *p = (f32::INFINITY, f32::NEG_INFINITY, 0);
                    }
                }
            }
            self.frames += 1;
        }
    }
}
