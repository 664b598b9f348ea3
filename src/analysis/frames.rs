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
/// A sample this close to full scale is at the rail.
const CLIP_LEVEL: f32 = 0.999;

/// Features of one frame of one channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Frame {
    /// Mean square of the frame's samples around their mean (the DC offset removed).
    pub energy: f32,
    /// Mean of the frame's samples (the DC offset, for refining span edges).
    pub mean: f32,
    /// Clipped samples: at full scale (`|x| ≥ CLIP_LEVEL`) right after another such sample.
    pub clipped: u32,
    /// 2-tap prediction gain as a power ratio, in `[1, 1e6]`.
    pub gain: f32,
}

/// The call's interleaved sample stream, cut into frames. Frames are computed straight from
/// each pushed block; only the block's tail (the history needed for edge refinement and the
/// predictor) is copied, and a small scratch buffer joins the one frame per block that
/// straddles two blocks.
#[derive(Debug)]
pub(crate) struct Frames {
    channels: usize,
    /// Channels whose features are computed (the first `analysed`).
    analysed: usize,
    /// Interleaved sample frames `[hist_start, hist_start + hist.len() / channels)`.
    hist: Vec<f32>,
    hist_start: u64,
    /// Where the history ends and the next pushed block starts (sample frame). Kept, not
    /// derived from the history's length: that is a division, asked for a few times a frame.
    block_start: u64,
    /// Index (in sample frames) of the next analysis frame's first sample frame.
    next: u64,
    frame_len: usize,
    lag: usize,
    /// Sample frames of history kept.
    keep: usize,
    scratch: Vec<f32>,
}

/// Read access to the recent samples: the history plus the block being analysed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    channels: usize,
    hist: &'a [f32],
    hist_start: u64,
    block: &'a [f32],
    block_start: u64,
}

impl<'a> View<'a> {
    fn sample(&self, frame: u64, ch: usize) -> Option<f32> {
        let (data, base) = if frame >= self.block_start {
            (self.block, self.block_start)
        } else {
            (self.hist, self.hist_start)
        };
        let i = usize::try_from(frame.checked_sub(base)?).ok()? * self.channels + ch;
        data.get(i).copied()
    }

    /// First sample frame in `[from, to)` where channel `ch` has `|x - dc| > thr`.
    pub fn first_above(&self, ch: usize, from: u64, to: u64, dc: f32, thr: f32) -> Option<u64> {
        (from..to).find(|&f| self.sample(f, ch).is_some_and(|v| (v - dc).abs() > thr))
    }

    /// The held interleaved samples of sample frames `[from, to)`, as (up to) two slices: the
    /// history's part and the block's. Frames no longer held or not yet pushed are left out.
    fn parts(&self, from: u64, to: u64) -> [&[f32]; 2] {
        let c = self.channels.max(1);
        let block_end = self.block_start + (self.block.len() / c) as u64;
        let part = |data: &'a [f32], base: u64, end: u64| -> &[f32] {
            let (lo, hi) = (from.max(base), to.min(end));
            if lo >= hi {
                return &[];
            }
            data.get((lo - base) as usize * c..(hi - base) as usize * c).unwrap_or(&[])
        };
        [part(self.hist, self.hist_start, self.block_start), part(self.block, self.block_start, block_end)]
    }

    /// Mean square of channel `ch` around its mean (a DC offset is not power) over sample
    /// frames `[from, to)` (of what is held).
    pub fn power(&self, ch: usize, from: u64, to: u64) -> f32 {
        let c = self.channels.max(1);
        let mut m = Moments::default();
        if ch < c {
            for part in self.parts(from, to) {
                channel_into(part, c, ch, &mut m);
            }
        }
        m.power()
    }

    /// Channel `ch`'s samples in `[from, to)` into `out`, contiguous: the samples no longer
    /// held as leading zeros (their count is returned), then the held ones; the copy stops at
    /// the end of the data.
    pub fn copy_channel(&self, ch: usize, from: u64, to: u64, out: &mut Vec<f32>) -> usize {
        out.clear();
        let c = self.channels.max(1);
        if ch >= c || from >= to {
            return 0;
        }
        let zeros = usize::try_from(self.hist_start.min(to).saturating_sub(from)).unwrap_or(0);
        out.resize(zeros, 0.0);
        for part in self.parts(from, to) {
            channel_into(part, c, ch, out);
        }
        zeros
    }

    /// Last sample frame in `[from, to)` where channel `ch` has `|x - dc| > thr`.
    pub fn last_above(&self, ch: usize, from: u64, to: u64, dc: f32, thr: f32) -> Option<u64> {
        (from..to).rev().find(|&f| self.sample(f, ch).is_some_and(|v| (v - dc).abs() > thr))
    }
}

/// Gives `sink` channel `ch`'s samples of `part` (interleaved, `c` channels, `ch < c`) in
/// order. Stereo and mono get loops of their own: a general strided walk costs several times
/// the few additions done per sample.
fn channel_into(part: &[f32], c: usize, ch: usize, sink: &mut impl Sink) {
    match c {
        1 => sink.take(part.iter().copied()),
        2 => sink.take(part.as_chunks::<2>().0.iter().map(|&[l, r]| if ch == 0 { l } else { r })),
        _ => sink.take(part.chunks_exact(c).map(|s| s.get(ch).copied().unwrap_or(0.0))),
    }
}

/// Takes one channel's samples, in order.
trait Sink {
    fn take(&mut self, x: impl Iterator<Item = f32>);
}

impl Sink for Vec<f32> {
    fn take(&mut self, x: impl Iterator<Item = f32>) {
        self.extend(x);
    }
}

impl Sink for Moments {
    fn take(&mut self, x: impl Iterator<Item = f32>) {
        x.for_each(|v| self.add(v));
    }
}

/// Running sums for a mean square around the mean. The sums are taken sample by sample in
/// order, so the same samples give the same power bit for bit however they are gathered.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Moments {
    sum: f32,
    sq: f32,
    n: usize,
}

impl Moments {
    pub fn add(&mut self, v: f32) {
        self.sum += v;
        self.sq += v * v;
        self.n += 1;
    }

    /// Mean square around the mean; 0 for no samples.
    pub fn power(&self) -> f32 {
        if self.n == 0 {
            return 0.0;
        }
        let m = self.sum / self.n as f32;
        (self.sq / self.n as f32 - m * m).max(0.0)
    }
}

/// `x` averaged in groups of `dec` (a crude low-pass before decimating) into `out`; a last
/// incomplete group is left out.
pub(crate) fn decimate(x: &[f32], dec: usize, out: &mut Vec<f32>) {
    out.clear();
    // (Halving, the usual case at 8 kHz, gets a loop of its own.)
    match dec {
        0 | 1 => out.extend(x.iter().map(|&v| 0.0 + v)),
        2 => out.extend(x.as_chunks::<2>().0.iter().map(|&[a, b]| (0.0 + a + b) / 2.0)),
        _ => out.extend(x.chunks_exact(dec).map(|g| g.iter().fold(0.0f32, |acc, v| acc + v) / dec as f32)),
    }
}

impl Frames {
    pub fn new(channels: u16, frame_len: usize, lag: usize, keep: usize) -> Self {
        let channels = usize::from(channels.max(1));
        let lag = lag.max(1);
        Frames {
            channels,
            analysed: channels.min(MAX_ANALYSED),
            hist: Vec::new(),
            hist_start: 0,
            block_start: 0,
            next: 0,
            frame_len: frame_len.max(1),
            lag,
            keep: keep.max(2 * lag),
            scratch: Vec::new(),
        }
    }

    pub fn lag(&self) -> usize {
        self.lag
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The sample frame where the next pushed block starts.
    pub fn block_start(&self) -> u64 {
        self.block_start
    }

    /// Whole sample frames in `block` (interleaved). Asked for every frame: mono and stereo
    /// get no division.
    fn frames_in(&self, block: &[f32]) -> u64 {
        (match self.channels {
            1 => block.len(),
            2 => block.len() / 2,
            c => block.len() / c,
        }) as u64
    }

    /// A view of the history and `block` (whole frames, starting at [`Frames::block_start`]).
    pub fn view<'a>(&'a self, block: &'a [f32]) -> View<'a> {
        View {
            channels: self.channels,
            hist: &self.hist,
            hist_start: self.hist_start,
            block,
            block_start: self.block_start(),
        }
    }

    /// The next whole frame's features per analysed channel, reading the history and `block`
    /// (which starts at [`Frames::block_start`]); `None` when the block is used up. A channel
    /// whose frame energy is below `quiet[ch]` gets gain 1 without computing it (it is noise).
    /// `given`: the frame's raw sums when another [`Frames`] (on another thread) computed them.
    pub fn next_frame(
        &mut self,
        block: &[f32],
        quiet: [f32; MAX_ANALYSED],
        given: Option<FrameSums>,
    ) -> Option<[Frame; MAX_ANALYSED]> {
        self.with_next(block, |data, s, f| {
            let sums = match given {
                Some(g) => g,
                None => sums_of(data, s, f)?,
            };
            finish(data, s, f, &sums, quiet)
        })
    }

    /// [`Frames::next_frame`] for a frame another [`Frames`] finished with every gain computed
    /// ([`Frames::next_unquiet`]): quiet channels' gain becomes 1, as `next_frame` would give it (the
    /// first frame's is 1 already, and a channel not analysed has no quiet level).
    pub fn next_finished(
        &mut self,
        block: &[f32],
        quiet: [f32; MAX_ANALYSED],
        mut frame: [Frame; MAX_ANALYSED],
    ) -> Option<[Frame; MAX_ANALYSED]> {
        let e = self.next + self.frame_len as u64;
        if e > self.block_start + self.frames_in(block) {
            return None;
        }
        self.next = e;
        for (f, q) in frame.iter_mut().zip(quiet).take(self.analysed) {
            if f.energy < q {
                f.gain = 1.0;
            }
        }
        Some(frame)
    }

    /// The next whole frame's raw sums only (the vectorised bulk of [`Frames::next_frame`]).
    #[inline]
    pub fn next_sums(&mut self, block: &[f32]) -> Option<FrameSums> {
        self.with_next(block, sums_of)
    }

    /// The next whole frame's features with every channel's gain computed, for another
    /// thread's [`Frames::next_finished`] (whether a frame is quiet depends on the noise floor,
    /// which only the detectors know). Not through `next_frame`: with a second caller that is
    /// no longer inlined into the analysis' frame loop (mono's analysis ~2 % slower).
    pub fn next_unquiet(&mut self, block: &[f32]) -> Option<[Frame; MAX_ANALYSED]> {
        self.with_next(block, |data, s, f| finish(data, s, f, &sums_of(data, s, f)?, [0.0; MAX_ANALYSED]))
    }

    /// Runs `f` on the next whole frame's samples (`data` holds the frame at sample frame `s`
    /// and its predictor history) and moves on; `None` when the block is used up.
    // (Always inlined: each caller is a frame loop, and a call per frame costs the decoding
    // thread ~3 % of mono's sums.)
    #[inline(always)]
    fn with_next<R>(
        &mut self,
        block: &[f32],
        f: impl FnOnce(&[f32], usize, &Frames) -> Option<R>,
    ) -> Option<R> {
        let c = self.channels;
        let block_start = self.block_start();
        let block_end = block_start + self.frames_in(block);
        let (s, e) = (self.next, self.next + self.frame_len as u64);
        if e > block_end {
            return None;
        }
        let from = s.saturating_sub(2 * self.lag as u64).max(self.hist_start);
        let out = if from >= block_start {
            let off = usize::try_from(from - block_start).ok()?;
            let len = usize::try_from(e - from).ok()?;
            f(block.get(off * c..(off + len) * c)?, (s - from) as usize, self)
        } else {
            // The frame (or its predictor history) straddles the history and the block.
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            let off = usize::try_from(from - self.hist_start).ok()?;
            scratch.extend_from_slice(self.hist.get(off * c..)?);
            let in_block = usize::try_from(e - block_start).ok()?;
            scratch.extend_from_slice(block.get(..in_block * c)?);
            let out = f(&scratch, (s - from) as usize, self);
            self.scratch = scratch;
            out
        };
        self.next = e;
        out
    }

    /// Call when the block is used up: keeps the history the next blocks need (the last
    /// `keep` sample frames, and everything from the predictor history of the next frame on).
    pub fn retire(&mut self, block: &[f32]) {
        let c = self.channels;
        let whole = block.get(..block.len() / c * c).unwrap_or(&[]);
        let block_start = self.block_start();
        let block_end = block_start + (whole.len() / c) as u64;
        let keep_from =
            block_end.saturating_sub(self.keep as u64).min(self.next.saturating_sub(2 * self.lag as u64));
        if keep_from >= block_start {
            let off = usize::try_from(keep_from - block_start).unwrap_or(0);
            self.hist.clear();
            self.hist.extend_from_slice(whole.get(off * c..).unwrap_or(&[]));
            self.hist_start = keep_from;
        } else {
            let drop = usize::try_from(keep_from.saturating_sub(self.hist_start)).unwrap_or(0);
            self.hist.drain(..(drop * c).min(self.hist.len()));
            self.hist_start += drop as u64;
            self.hist.extend_from_slice(whole);
        }
        self.block_start = block_end;
    }
}

/// The per-frame work a [`super::SumStage`] did for a block, possibly on another thread than the
/// rest of the analysis: each frame's raw sums, or its finished features (one or the other).
#[derive(Clone, Debug, Default)]
pub struct Staged {
    pub(crate) sums: Vec<FrameSums>,
    pub(crate) finished: Vec<[Frame; MAX_ANALYSED]>,
}

impl Staged {
    pub fn clear(&mut self) {
        self.sums.clear();
        self.finished.clear();
    }
}

/// The raw sums of one frame: `Σx², Σx·a, Σx·b` per analysed channel (`a`, `b`: the signal
/// delayed by one and two lags).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FrameSums {
    /// `Σx` (the frame's DC).
    xs: PerChannel,
    xx: PerChannel,
    xa: PerChannel,
    xb: PerChannel,
    /// The file's first frame: no predictor history (energy only).
    first: bool,
}

/// Raw sums of the frame starting at sample frame `s` of `data` (interleaved, `f.channels`
/// channels), which holds the frame and up to `2·lag` sample frames before it.
fn sums_of(data: &[f32], s: usize, f: &Frames) -> Option<FrameSums> {
    let (fl, l, c) = (f.frame_len, f.lag, f.channels);
    let e = s + fl;
    let x = data.get(s * c..e * c)?;
    if s < 2 * l {
        // The very first frame: no history for the predictor.
        let mut en = [0f64; MAX_ANALYSED];
        let mut sum = [0f64; MAX_ANALYSED];
        for (i, v) in x.iter().enumerate() {
            if let (Some(acc), Some(s)) = (en.get_mut(i % c), sum.get_mut(i % c)) {
                *acc += f64::from(*v) * f64::from(*v);
                *s += f64::from(*v);
            }
        }
        return Some(FrameSums {
            xs: sum.map(|v| v as f32),
            xx: en.map(|v| v as f32),
            first: true,
            ..FrameSums::default()
        });
    }
    let a = data.get((s - l) * c..(e - l) * c)?;
    let b = data.get((s - 2 * l) * c..(e - 2 * l) * c)?;
    let (xs, xx, xa, xb) = if 8 % c == 0 { sums_lanes(x, a, b, c) } else { sums_strided(x, a, b, c) };
    Some(FrameSums { xs, xx, xa, xb, first: false })
}

/// Features of the frame at sample frame `s` of `data` from its raw sums (see [`sums_of`]).
// (Inlined into both its callers, the analysis' frames and the stage's: out of line, passing
// the sums and the features through memory costs mono's analysis ~2 %.)
#[inline(always)]
fn finish(
    data: &[f32],
    s: usize,
    f: &Frames,
    sums: &FrameSums,
    quiet: [f32; MAX_ANALYSED],
) -> Option<[Frame; MAX_ANALYSED]> {
    let (fl, l, c) = (f.frame_len, f.lag, f.channels);
    let e = s + fl;
    let mut out = [Frame::default(); MAX_ANALYSED];
    let n = fl as f64;
    let inv_n = 1.0 / n;
    // The frame's own mean is taken out of every sum: a DC offset is neither energy nor a
    // perfectly predictable "tone" (a crude high-pass, ~50 Hz and below; telephone speech has
    // nothing there). `n·m²` is what the mean adds to each (lagged) sum of products.
    let centred = |sum: f32, xs: f32| -> (f64, f64) {
        let m = f64::from(xs) * inv_n;
        ((f64::from(sum) - n * m * m).max(0.0), m)
    };
    // Clipped samples, counted only in frames loud enough to hold one: a sample at the rail
    // alone makes the mean square at least `CLIP_LEVEL² / n` (exact, no frame is missed).
    let loud = |xx: f32| f64::from(xx) >= f64::from(CLIP_LEVEL * CLIP_LEVEL);
    // Loud frames are common, samples at the rail rare: one vectorised look over the frame's
    // samples (all channels) first, and the pairs are counted only when there is one.
    let rail =
        sums.xx.iter().any(|&xx| loud(xx)) && at_rail(data.get((s.max(1) - 1) * c..e * c).unwrap_or(&[]));
    let clipped = |ch: usize, xx: f32| -> u32 {
        if !rail || !loud(xx) {
            return 0;
        }
        let at = |i: usize| data.get(i * c + ch).map_or(0.0, |v| v.abs());
        (s.max(1)..e).filter(|&i| at(i) >= CLIP_LEVEL && at(i - 1) >= CLIP_LEVEL).count() as u32
    };
    if sums.first {
        for (ch, ((o, xx), xs)) in out.iter_mut().zip(sums.xx).zip(sums.xs).enumerate() {
            let (xc, m) = centred(xx, xs);
            *o = Frame { energy: (xc * inv_n) as f32, mean: m as f32, gain: 1.0, clipped: clipped(ch, xx) };
        }
        return Some(out);
    }
    for (ch, o) in out.iter_mut().enumerate().take(f.analysed) {
        let clip = clipped(ch, sums.xx.get(ch).copied().unwrap_or(0.0));
        let xs = f64::from(sums.xs.get(ch).copied().unwrap_or(0.0));
        let m = xs * inv_n;
        let dc = n * m * m;
        let (xx, xa, xb) = (
            (f64::from(sums.xx.get(ch).copied().unwrap_or(0.0)) - dc).max(0.0),
            f64::from(sums.xa.get(ch).copied().unwrap_or(0.0)) - dc,
            f64::from(sums.xb.get(ch).copied().unwrap_or(0.0)) - dc,
        );
        let energy = (xx * inv_n) as f32;
        if energy < quiet.get(ch).copied().unwrap_or(0.0) {
            *o = Frame { energy, mean: m as f32, gain: 1.0, clipped: clip };
            continue;
        }
        let gain = tonal_gain(data, [s, e, l, c, ch], [xx, xa, xb]);
        *o = Frame { energy, mean: m as f32, gain, clipped: clip };
    }
    Some(out)
}

/// The prediction gain of channel `ch`'s frame `[s, e)` of `data` (`c` channels, lag `l`) from
/// its centred `Σx², Σxa, Σxb`. Out of line: most frames are quiet and need none, and inlined
/// its address arithmetic was set up for every frame.
#[inline(never)]
fn tonal_gain(data: &[f32], [s, e, l, c, ch]: [usize; 5], [xx, xa, xb]: [f64; 3]) -> f32 {
    // The covariance-method normal equations need Σa², Σb², Σab too: each is a shifted
    // copy of Σx² or Σxa, corrected at the frame's two ends (O(lag) work).
    let at = |i: usize| f64::from(data.get(i * c + ch).copied().unwrap_or(0.0));
    let sq = |from: usize, to: usize| -> f64 { (from..to).map(|i| at(i) * at(i)).sum() };
    let lagged = |from: usize, to: usize| -> f64 { (from..to).map(|i| at(i) * at(i - l)).sum() };
    // (`xx`, `xa` are centred already; the lagged copies' means differ from the frame's
    // by the end corrections only, negligible against the DC itself.)
    let aa = xx - sq(e - l, e) + sq(s - l, s);
    let bb = xx - sq(e - 2 * l, e) + sq(s - 2 * l, s);
    let ab = xa - lagged(e - l, e) + lagged(s - l, s);
    prediction_gain(xx, xa, xb, aa, ab, bb)
}

/// Whether any sample of `x` is at the rail (`|x| ≥ CLIP_LEVEL`), 8 at a time (vectorises).
fn at_rail(x: &[f32]) -> bool {
    let (rows, rest) = x.as_chunks::<8>();
    let hit = |v: &f32| v.abs() >= CLIP_LEVEL;
    rows.iter().any(|r| r.iter().fold(false, |any, v| any | hit(v))) || rest.iter().any(hit)
}

type PerChannel = [f32; MAX_ANALYSED];

/// `Σ x, Σ x², Σ x·a, Σ x·b` per channel, for `c` dividing 8: 8 independent lanes, lane `j`
/// holding channel `j % c` (vectorises).
fn sums_lanes(x: &[f32], a: &[f32], b: &[f32], c: usize) -> (PerChannel, PerChannel, PerChannel, PerChannel) {
    let (xc, xr) = x.as_chunks::<8>();
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    let [sx, s0, s1, s2] = dot4_8(xc, ac, bc);
    // Lane `j` holds channel `j % c`: fold the lanes per channel in registers (an accumulation
    // through `r[j % c]` in memory would chain every add through a store and a load).
    let fold = |s: [f32; 8]| -> PerChannel {
        let [a, b, c2, d, e, f, g, h] = s;
        match c {
            1 => [((a + b) + (c2 + d)) + ((e + f) + (g + h)), 0.0],
            2 => [(a + c2) + (e + g), (b + d) + (f + h)],
            4 => [a + e, b + f],
            _ => [a, b],
        }
    };
    let mut r = (fold(sx), fold(s0), fold(s1), fold(s2));
    // `c` divides 8, so it is a power of two: `i % c` is `i & mask` (no division per frame).
    let mask = c - 1;
    // The remainder starts at a multiple of 8 samples, so sample `i` is channel `i % c` still.
    for (i, ((xv, av), bv)) in xr.iter().zip(ar).zip(br).enumerate() {
        if let (Some(rx), Some(r0), Some(r1), Some(r2)) =
            (r.0.get_mut(i & mask), r.1.get_mut(i & mask), r.2.get_mut(i & mask), r.3.get_mut(i & mask))
        {
            *rx += xv;
            *r0 += xv * xv;
            *r1 += xv * av;
            *r2 += xv * bv;
        }
    }
    r
}

/// Lane-wise `Σ x, Σ x², Σ x·a, Σ x·b` of 8-wide rows: the kernel kept apart from the lane
/// bookkeeping so the compiler vectorises it plainly.
#[inline(never)]
fn dot4_8(x: &[[f32; 8]], a: &[[f32; 8]], b: &[[f32; 8]]) -> [[f32; 8]; 4] {
    let mut sx = [0f32; 8];
    let mut s0 = [0f32; 8];
    let mut s1 = [0f32; 8];
    let mut s2 = [0f32; 8];
    for ((xs, as_), bs) in x.iter().zip(a).zip(b) {
        for i in 0..8 {
            sx[i] += xs[i];
            s0[i] += xs[i] * xs[i];
            s1[i] += xs[i] * as_[i];
            s2[i] += xs[i] * bs[i];
        }
    }
    [sx, s0, s1, s2]
}

/// The same sums for any channel count (scalar, strided).
fn sums_strided(
    x: &[f32],
    a: &[f32],
    b: &[f32],
    c: usize,
) -> (PerChannel, PerChannel, PerChannel, PerChannel) {
    let mut r = ([0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED], [0f32; MAX_ANALYSED]);
    for (i, ((xv, av), bv)) in x.iter().zip(a).zip(b).enumerate() {
        if let (Some(rx), Some(r0), Some(r1), Some(r2)) =
            (r.0.get_mut(i % c), r.1.get_mut(i % c), r.2.get_mut(i % c), r.3.get_mut(i % c))
        {
            *rx += xv;
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
    // gain = xx / (xx - explained), explained = [xa xb] · C⁻¹ · [xa xb]ᵀ, C = [[aa, ab], [ab, bb]];
    // multiplied through by det(C) to need one division.
    let det = aa * bb - ab * ab;
    let (num, den) = if det > 1e-9 * aa * bb {
        let q = xa * xa * bb - 2.0 * xa * xb * ab + xb * xb * aa;
        (xx * det, xx * det - q)
    } else if aa > 0.0 {
        (xx * aa, xx * aa - xa * xa)
    } else {
        return 1.0;
    };
    if den * f64::from(MAX_GAIN) <= num {
        return MAX_GAIN;
    }
    ((num / den) as f32).clamp(1.0, MAX_GAIN)
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

    /// All frames of `data` pushed in blocks of `block` sample frames.
    fn all_frames(fr: &mut Frames, data: &[f32], block: usize) -> Vec<[Frame; 2]> {
        let mut out = Vec::new();
        for b in data.chunks(block * fr.channels) {
            while let Some(f) = fr.next_frame(b, [0.0; 2], None) {
                out.push(f);
            }
            fr.retire(b);
        }
        out
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
            let frames = all_frames(&mut fr, &inter, 8000);
            assert_eq!(frames.len(), 100);
            // Any block size gives the same frames.
            for block in [1, 79, 80, 81, 1000] {
                let mut other = Frames::new(2, 80, 1, 1000);
                assert_eq!(all_frames(&mut other, &inter, block), frames, "block {block}");
            }
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
        let frames = all_frames(&mut fr, &inter, 333);
        assert_eq!(frames.len(), 50);
        assert!(frames[1..].iter().all(|f| db(f[1].gain) > 25.0 && db(f[0].gain) < 6.0));
    }

    #[test]
    fn history_is_bounded_and_edges_can_be_found() {
        let mut fr = Frames::new(1, 80, 1, 800);
        for _ in 0..100 {
            let b = noise(4000, 3, 0.001);
            while fr.next_frame(&b, [0.0; 2], None).is_some() {}
            fr.retire(&b);
            assert!(fr.hist.len() <= 800 + 80, "{}", fr.hist.len());
        }
        assert_eq!(fr.block_start(), 400_000);
        let mut fr = Frames::new(2, 80, 1, 800);
        let mut x = vec![0.0f32; 800];
        x[2 * 123 + 1] = 0.5;
        x[2 * 300 + 1] = -0.5;
        x[2 * 310] = 0.5;
        let (first, second) = x.split_at(2 * 200);
        while fr.next_frame(first, [0.0; 2], None).is_some() {}
        fr.retire(first);
        let v = fr.view(second);
        assert_eq!(v.first_above(1, 0, 400, 0.0, 0.1), Some(123));
        assert_eq!(v.last_above(1, 0, 400, 0.0, 0.1), Some(300));
        assert_eq!(v.last_above(1, 0, 300, 0.0, 0.1), Some(123));
        assert_eq!(v.last_above(0, 0, 400, 0.0, 0.1), Some(310));
    }

    #[test]
    fn copy_channel_reads_across_history_and_block() {
        // Stereo ramp: channel 0 holds i, channel 1 holds -i (sample frame i).
        let x: Vec<f32> = (0..1000).flat_map(|i| [i as f32, -(i as f32)]).collect();
        let mut fr = Frames::new(2, 80, 1, 300);
        let (first, second) = x.split_at(2 * 600);
        while fr.next_frame(first, [0.0; 2], None).is_some() {}
        fr.retire(first);
        let v = fr.view(second);
        let held = fr.hist_start;
        assert!(held > 0 && held < 600, "history starts at {held}");
        let mut out = Vec::new();
        assert_eq!(v.copy_channel(1, 590, 610, &mut out), 0);
        assert_eq!(out, (590..610).map(|i| -(i as f32)).collect::<Vec<_>>());
        v.copy_channel(0, 596, 604, &mut out);
        let mut dec = Vec::new();
        decimate(&out, 2, &mut dec);
        assert_eq!(dec, vec![596.5, 598.5, 600.5, 602.5]);
        // Before the history: zeros; past the end: cut short.
        assert_eq!(v.copy_channel(0, held - 2, held + 1, &mut out), 2);
        assert_eq!(out, vec![0.0, 0.0, held as f32]);
        v.copy_channel(0, 998, 1200, &mut out);
        assert_eq!(out, vec![998.0, 999.0]);
        assert_eq!(v.power(0, 998, 1200), 0.25);
    }
}
