//! [`CallSource`]: the rodio `Source` that plays one call. It reads blocks from a
//! [`FrameSource`], jumps over skip regions (with 10 ms fades), time-stretches (WSOLA,
//! pitch kept), applies channel gains and volume, lays the result out for the device
//! (stereo call → agent left / customer right, mono call → both), and publishes the
//! call-time position. It polls the shared controls once per 5 ms block and never blocks.

use std::num::NonZero;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rodio::source::SeekError;

use super::frames::FrameSource;
use super::shared::Shared;
use super::skip::{FramePlan, PositionMap, SkipPlan};
use crate::audio::stretch::Stretcher;
use crate::model::Span;

/// Frames read from the file per block.
const READ_FRAMES: usize = 1024;
/// Output block length (seconds): how often controls are polled.
const BLOCK_S: f64 = 0.005;
/// Fade length (seconds) for pause, resume, seek and skips.
const FADE_S: f64 = 0.010;
/// The skip cue: a soft tick (Hann-windowed tone) of this length, pitch and peak.
const TICK_S: f64 = 0.015;
const TICK_HZ: f64 = 1200.0;
const TICK_PEAK: f64 = 0.03;

/// Plays one call into a rodio mixer. Made by [`super::Player`]; ends itself when another
/// call is loaded or the player is dropped, otherwise plays silence while paused or ended.
pub struct CallSource {
    shared: Arc<Shared>,
    generation: u64,
    frames: Box<dyn FrameSource>,
    rate: NonZero<u32>,
    /// Channels taken from the call (1, or 2: agent and customer) and given to the device.
    call_channels: usize,
    in_channels: usize,
    out_channels: NonZero<u16>,
    total_frames: u64,

    stretcher: Stretcher,
    skip_plan: SkipPlan,
    plan: FramePlan,
    map: PositionMap,
    read_pos: u64,
    input_done: bool,
    fade_in_from: Option<u64>,
    fade_frames: u64,

    /// Output gain envelope (0 = silent, 1 = full) and its step per frame.
    env: f32,
    env_step: f32,
    pending_seek: Option<f64>,
    block_frames: usize,

    read_buf: Vec<f32>,
    stage: Vec<f32>,
    st_out: Vec<f32>,
    out: Vec<f32>,
    out_idx: usize,
    skips: Vec<Span>,
    /// The skip cue's samples and how far it has played (past the end = idle).
    tick: Vec<f32>,
    tick_pos: usize,
    done: bool,
}

impl CallSource {
    pub(crate) fn new(
        shared: Arc<Shared>,
        generation: u64,
        frames: Box<dyn FrameSource>,
        out_channels: u16,
        skip_plan: SkipPlan,
    ) -> CallSource {
        let rate = NonZero::new(frames.sample_rate()).unwrap_or(NonZero::<u32>::MIN);
        let in_channels = frames.channels().max(1);
        let call_channels = in_channels.min(2);
        let fade_frames = ((f64::from(rate.get()) * FADE_S).round() as u64).max(1);
        let block_frames = ((f64::from(rate.get()) * BLOCK_S).round() as usize).max(16);
        let mut map = PositionMap::default();
        map.reset(0);
        CallSource {
            generation,
            total_frames: frames.frames(),
            stretcher: Stretcher::new(rate.get(), call_channels),
            plan: FramePlan::new(&skip_plan, rate.get()),
            skip_plan,
            map,
            read_pos: 0,
            input_done: false,
            fade_in_from: None,
            fade_frames,
            env: 0.0,
            env_step: 1.0 / fade_frames as f32,
            // Start through the seek path so a skip region at 0 is honoured.
            pending_seek: Some(0.0),
            block_frames,
            read_buf: Vec::with_capacity(READ_FRAMES * in_channels),
            stage: Vec::with_capacity(READ_FRAMES * call_channels),
            st_out: Vec::new(),
            out: Vec::new(),
            out_idx: 0,
            skips: Vec::new(),
            tick: tick(rate.get()),
            tick_pos: usize::MAX,
            done: false,
            shared,
            frames,
            rate,
            call_channels,
            in_channels,
            out_channels: NonZero::new(out_channels).unwrap_or(NonZero::<u16>::MIN),
        }
    }

    fn current(&self) -> bool {
        !self.shared.shutdown.load(Ordering::Relaxed)
            && self.shared.generation.load(Ordering::Acquire) == self.generation
    }

    /// Makes the next output block.
    fn refill(&mut self) {
        self.out.clear();
        self.out_idx = 0;
        if !self.current() {
            self.done = true;
            return;
        }
        if let Some(cmds) = self.shared.try_take_commands() {
            if let Some(plan) = cmds.skip {
                self.plan = FramePlan::new(&plan, self.rate.get());
                self.skip_plan = plan;
                // Re-read from here with the new plan (input already buffered may be stale).
                if self.pending_seek.is_none() {
                    self.pending_seek = Some(self.shared.position_s.get());
                }
            }
            if let Some(t) = cmds.seek {
                self.pending_seek = Some(t);
            }
        }
        if self.env <= 0.0
            && let Some(t) = self.pending_seek.take()
        {
            self.do_seek(t);
        }
        let commands_waiting = self.shared.dirty.load(Ordering::Acquire);
        let on = self.shared.playing.load(Ordering::Relaxed)
            && !self.shared.ended.load(Ordering::Relaxed)
            && self.pending_seek.is_none()
            && !commands_waiting;
        let n = self.block_frames;
        let oc = usize::from(self.out_channels.get());
        if !on && self.env <= 0.0 {
            self.out.resize(n * oc, 0.0);
            return;
        }

        self.stretcher.set_speed(f64::from(self.shared.speed.get()));
        while self.stretcher.available() < n && !self.input_done {
            self.feed();
        }
        if self.input_done {
            self.stretcher.finish();
        }
        let block_pos = self.stretcher.position();
        let cc = self.call_channels;
        self.st_out.resize(n * cc, 0.0);
        let got = self.stretcher.pull(&mut self.st_out);

        let volume = self.shared.volume.get();
        let (ga, gc) = (self.shared.gain_agent.get(), self.shared.gain_customer.get());
        for i in 0..n {
            self.env =
                if on { (self.env + self.env_step).min(1.0) } else { (self.env - self.env_step).max(0.0) };
            let g = volume * self.env;
            let (l, r) = if i >= got {
                (0.0, 0.0)
            } else if cc == 2 {
                (self.st_out[2 * i] * ga * g, self.st_out[2 * i + 1] * gc * g)
            } else {
                let m = self.st_out[i] * 0.5 * (ga + gc) * g;
                (m, m)
            };
            let cue = match self.tick.get(self.tick_pos) {
                Some(v) => {
                    self.tick_pos += 1;
                    v * volume
                }
                None => 0.0,
            };
            let (l, r) = ((l + cue).clamp(-1.0, 1.0), (r + cue).clamp(-1.0, 1.0));
            if oc == 1 {
                self.out.push(0.5 * (l + r));
            } else {
                self.out.push(l);
                self.out.push(r);
                self.out.extend(std::iter::repeat_n(0.0, oc - 2));
            }
        }

        if self.pending_seek.is_none() && self.current() {
            let call_frame = self.map.advance(block_pos, &mut self.skips);
            let pos = (call_frame / f64::from(self.rate.get())).min(self.shared.duration_s.get());
            self.shared.position_s.set(pos);
            for s in self.skips.drain(..) {
                self.shared.push_skip_event(s);
                if self.shared.skip_cue.load(Ordering::Relaxed) {
                    self.tick_pos = 0;
                }
            }
            if got < n && self.stretcher.is_drained() {
                self.shared.position_s.set(self.shared.duration_s.get());
                self.shared.playing.store(false, Ordering::Relaxed);
                self.shared.ended.store(true, Ordering::Release);
            }
        }
    }

    fn do_seek(&mut self, t: f64) {
        let rate = f64::from(self.rate.get());
        let duration = self.total_frames as f64 / rate;
        let asked = if t.is_finite() { t.clamp(0.0, duration) } else { 0.0 };
        let landing = self.skip_plan.landing(asked);
        if landing != asked
            && let Some(r) = self.skip_plan.region_at(asked)
        {
            self.shared.push_skip_event(r);
        }
        let frame = ((landing * rate).round() as u64).min(self.total_frames);
        self.read_pos = frame;
        self.input_done = false;
        self.fade_in_from = None;
        self.stretcher.reset();
        self.map.reset(frame);
        if let Err(e) = self.frames.seek(frame) {
            self.fail(e);
        }
        if self.current() {
            self.shared.position_s.set(frame as f64 / rate);
            self.shared.ended.store(false, Ordering::Release);
        }
    }

    fn fail(&mut self, message: String) {
        self.input_done = true;
        self.shared.set_error(message);
    }

    /// Reads one block from the call into the stretcher (jumping over a skip region first).
    fn feed(&mut self) {
        if let Some((start, end)) = self.plan.containing(self.read_pos) {
            let end = end.min(self.total_frames);
            if let Err(e) = self.frames.seek(end) {
                self.fail(e);
                return;
            }
            let rate = f64::from(self.rate.get());
            let span = Span::new(start as f64 / rate, end as f64 / rate);
            self.map.jump(self.stretcher.pushed_frames(), end, span);
            self.read_pos = end;
            self.fade_in_from = Some(end);
        }
        let next_skip = self.plan.next_after(self.read_pos);
        let mut max = READ_FRAMES;
        if let Some((s, _)) = next_skip {
            max = max.min(usize::try_from(s - self.read_pos).unwrap_or(READ_FRAMES));
        }
        let n = match self.frames.read(&mut self.read_buf, max) {
            Ok(n) => n,
            Err(e) => {
                self.fail(e);
                return;
            }
        };
        if n == 0 {
            self.input_done = true;
            return;
        }
        let (ic, cc) = (self.in_channels, self.call_channels);
        self.stage.clear();
        for (i, frame) in self.read_buf.chunks_exact(ic).take(n).enumerate() {
            let f = self.read_pos + i as u64;
            let mut g = 1.0f32;
            if let Some((s, _)) = next_skip
                && f + self.fade_frames >= s
            {
                g *= (s - f) as f32 / self.fade_frames as f32;
            }
            if let Some(e) = self.fade_in_from
                && f < e + self.fade_frames
            {
                g *= (f - e + 1) as f32 / self.fade_frames as f32;
            }
            self.stage.extend(frame[..cc].iter().map(|x| x * g));
        }
        self.read_pos += n as u64;
        self.stretcher.push(&self.stage);
    }
}

/// The skip cue at `rate` Hz (silent if the rate cannot carry it).
fn tick(rate: u32) -> Vec<f32> {
    let rate = f64::from(rate);
    if TICK_HZ * 2.0 >= rate {
        return Vec::new();
    }
    let n = (rate * TICK_S).round() as usize;
    (0..n)
        .map(|i| {
            let window = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
            (window * TICK_PEAK * (std::f64::consts::TAU * TICK_HZ * i as f64 / rate).sin()) as f32
        })
        .collect()
}

impl Iterator for CallSource {
    type Item = rodio::Sample;

    fn next(&mut self) -> Option<rodio::Sample> {
        if self.out_idx >= self.out.len() {
            if self.done {
                return None;
            }
            self.refill();
            if self.done {
                return None;
            }
        }
        let v = self.out.get(self.out_idx).copied();
        self.out_idx += 1;
        v
    }
}

impl rodio::Source for CallSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        self.out_channels
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        self.rate
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }

    /// Seeking goes through [`super::Player::seek`] (it knows about skips and speed).
    fn try_seek(&mut self, _: Duration) -> Result<(), SeekError> {
        Err(SeekError::NotSupported { underlying_source: "callqa CallSource (use Player::seek)" })
    }
}
