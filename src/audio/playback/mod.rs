//! Playback (issue 6): rodio behind our small [`Player`], with pitch-preserving speed
//! (issue 7, [`crate::audio::stretch`]) and skip-silence.
//!
//! The [`Player`] lives on the UI thread; every method is cheap (atomics and a small
//! command slot) except [`Player::load`], which reads a WAV file's headers (the app opens the
//! reader on a worker thread and hands it to [`Player::load_reader`]). The audio
//! thread runs a [`CallSource`] per loaded call inside rodio's mixer: it decodes blocks
//! with the streaming [`crate::audio::WavReader`], stretches, mixes and reports the
//! position in call time (seconds from the start of the recording, whatever the speed and
//! skips).
//!
//! No output device (CI, remote desktops) is a normal case: [`Player::open_default`] returns
//! [`PlaybackError::NoDevice`] with a message for a banner, and the rest of the app works.
//! Tests drive the same code without a device through [`Player::with_mixer`].

mod frames;
mod shared;
mod skip;
mod source;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

pub use frames::{FrameSource, MemoryFrames};
pub use skip::SkipPlan;
pub use source::CallSource;

use crate::audio::WavReader;
use crate::model::Span;
use frames::WavFrames;
use shared::Shared;

/// Slowest and fastest playback speeds offered.
pub const MIN_SPEED: f32 = 0.5;
pub const MAX_SPEED: f32 = 2.5;

/// Why playback cannot start. Messages are written for the supervisor.
#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    /// No usable audio output (the detail says what the audio system reported).
    #[error("No audio output device: playback is off (scoring still works). Details: {0}")]
    NoDevice(String),
    /// The call cannot be opened for playback.
    #[error("Cannot play this call: {0}")]
    Open(String),
}

/// Plays one call at a time on an output device (or on any rodio mixer, for tests).
pub struct Player {
    shared: Arc<Shared>,
    mixer: rodio::mixer::Mixer,
    out_channels: u16,
    /// The copy of the skip plan the UI side uses (seek landing, change detection).
    skip: Mutex<SkipPlan>,
    loaded: bool,
    /// Keeps the device stream alive; `None` when playing into a caller's mixer.
    _sink: Option<rodio::MixerDeviceSink>,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Player")
            .field("out_channels", &self.out_channels)
            .field("loaded", &self.loaded)
            .field("device", &self._sink.is_some())
            .finish_non_exhaustive()
    }
}

impl Player {
    /// Opens the default output device. No device (CI, remote desktop) →
    /// `Err(NoDevice(..))`, whose message is meant for the banner.
    pub fn open_default() -> Result<Player, PlaybackError> {
        // The device layer is foreign code on odd systems: a panic there must not take the
        // app down, it only means "no playback".
        let opened = std::panic::catch_unwind(rodio::DeviceSinkBuilder::open_default_sink);
        match opened {
            Ok(Ok(mut sink)) => {
                sink.log_on_drop(false);
                let mixer = sink.mixer().clone();
                let channels = sink.config().channel_count().get();
                let mut player = Player::with_mixer(mixer, channels);
                player._sink = Some(sink);
                Ok(player)
            }
            Ok(Err(e)) => Err(PlaybackError::NoDevice(error_chain(&e))),
            Err(_) => Err(PlaybackError::NoDevice("the audio system failed while opening the device".into())),
        }
    }

    /// A player that feeds `mixer`, whose output has `out_channels` channels. The caller
    /// pulls the mixer's output (tests, offline rendering, a device opened elsewhere).
    pub fn with_mixer(mixer: rodio::mixer::Mixer, out_channels: u16) -> Player {
        Player {
            shared: Arc::new(Shared::new()),
            mixer,
            out_channels: out_channels.max(1),
            skip: Mutex::new(SkipPlan::default()),
            loaded: false,
            _sink: None,
        }
    }

    /// Loads a call: opens it with [`WavReader`] (headers only, a few kB of I/O; samples are
    /// decoded block by block on the audio thread while playing), replaces the current call,
    /// paused at 0. On error the current call stays loaded. The app opens the reader on a
    /// worker thread and calls [`Player::load_reader`] instead.
    pub fn load(&mut self, path: &Path) -> Result<(), PlaybackError> {
        let reader =
            WavReader::open(path).map_err(|e| PlaybackError::Open(format!("{e}: {}", path.display())))?;
        self.load_reader(reader).map_err(|e| match e {
            PlaybackError::Open(m) => PlaybackError::Open(format!("{m}: {}", path.display())),
            e => e,
        })
    }

    /// Loads a call from a reader opened elsewhere (no I/O here); like [`Player::load`].
    pub fn load_reader(&mut self, reader: WavReader) -> Result<(), PlaybackError> {
        let info = reader.info();
        if info.sample_rate == 0 || info.channels == 0 {
            return Err(PlaybackError::Open("the file has no playable audio (0 channels or 0 Hz)".into()));
        }
        self.load_frames(Box::new(WavFrames(reader)));
        Ok(())
    }

    /// Whether a call is loaded (a reader was given and not unloaded since).
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// Stops and forgets the current call (the audio thread drops its source); `play` does
    /// nothing until the next load.
    pub fn unload(&mut self) {
        let s = &self.shared;
        s.generation.fetch_add(1, Ordering::AcqRel);
        s.playing.store(false, Ordering::Release);
        s.position_s.set(0.0);
        self.loaded = false;
    }

    /// Loads audio from any [`FrameSource`] (decoded audio in memory, tests); like
    /// [`Player::load`], replaces the current call, paused at 0. The skip regions are cleared
    /// (the on/off choice is kept).
    pub fn load_frames(&mut self, frames: Box<dyn FrameSource>) {
        let s = &self.shared;
        // Retire the old source first, then reset the shared state for the new one.
        let generation = s.generation.fetch_add(1, Ordering::AcqRel) + 1;
        s.playing.store(false, Ordering::Relaxed);
        s.ended.store(false, Ordering::Relaxed);
        s.position_s.set(0.0);
        let rate = frames.sample_rate().max(1);
        s.duration_s.set(frames.frames() as f64 / f64::from(rate));
        s.command(|c| *c = shared::Commands::default());
        s.dirty.store(false, Ordering::Release);
        lock(&s.skip_events).clear();
        *lock(&s.error) = None;
        let plan = {
            let mut skip = lock(&self.skip);
            *skip = SkipPlan::new(Vec::new(), skip.enabled());
            skip.clone()
        };
        let source = CallSource::new(Arc::clone(s), generation, frames, self.out_channels, plan);
        self.mixer.add(source);
        self.loaded = true;
    }

    pub fn play(&self) {
        if !self.loaded {
            return;
        }
        if self.shared.ended.load(Ordering::Acquire) {
            self.seek(0.0);
        }
        self.shared.playing.store(true, Ordering::Release);
    }

    pub fn pause(&self) {
        self.shared.playing.store(false, Ordering::Release);
    }

    /// Pause and go back to the start.
    pub fn stop(&self) {
        self.pause();
        self.seek(0.0);
    }

    pub fn toggle(&self) {
        if self.is_playing() { self.pause() } else { self.play() }
    }

    pub fn is_playing(&self) -> bool {
        self.shared.playing.load(Ordering::Acquire)
    }

    /// Jumps to `call_time_s` (clamped to the call; with skipping on, a time inside a skip
    /// region lands at its end). The position reads the new time at once.
    pub fn seek(&self, call_time_s: f64) {
        if !self.loaded {
            return;
        }
        let duration = self.duration_s();
        let t = if call_time_s.is_finite() { call_time_s.clamp(0.0, duration) } else { 0.0 };
        let landing = lock(&self.skip).landing(t).min(duration);
        self.shared.command(|c| c.seek = Some(t));
        self.shared.ended.store(false, Ordering::Release);
        self.shared.position_s.set(landing);
    }

    /// Position in call time (seconds), whatever the speed or skips.
    pub fn position_s(&self) -> f64 {
        self.shared.position_s.get()
    }

    pub fn duration_s(&self) -> f64 {
        self.shared.duration_s.get()
    }

    /// Volume, `0..=2` (1 = as recorded).
    pub fn set_volume(&self, v: f32) {
        if v.is_finite() {
            self.shared.volume.set(v.clamp(0.0, 2.0));
        }
    }

    /// Per-side gains (`0..=2`; 0 mutes a side). Stereo: agent left, customer right; a mono
    /// call plays at the mean of the two.
    pub fn set_channel_gains(&self, agent: f32, customer: f32) {
        let clean = |g: f32| if g.is_finite() { g.clamp(0.0, 2.0) } else { 1.0 };
        self.shared.gain_agent.set(clean(agent));
        self.shared.gain_customer.set(clean(customer));
    }

    /// Playback speed, `MIN_SPEED..=MAX_SPEED`, pitch preserved.
    pub fn set_speed(&self, speed: f32) {
        if speed.is_finite() {
            self.shared.speed.set(speed.clamp(MIN_SPEED, MAX_SPEED));
        }
    }

    pub fn speed(&self) -> f32 {
        self.shared.speed.get()
    }

    /// The regions (call time) to skip while `enabled`: dead air and hold. Calling it again
    /// with the same plan does nothing, so the UI may call it every frame.
    pub fn set_skip(&self, regions: Vec<Span>, enabled: bool) {
        let plan = SkipPlan::new(regions, enabled);
        {
            let mut current = lock(&self.skip);
            if *current == plan {
                return;
            }
            *current = plan.clone();
        }
        if self.loaded {
            // The source re-reads from the current position with the new plan; if that is
            // inside a region now skipped, it jumps (and reports the skip).
            self.shared.command(|c| c.skip = Some(plan));
        }
    }

    /// Whether a skip plays a soft tick (15 ms, 1.2 kHz, -30 dBFS; on by default).
    pub fn set_skip_cue(&self, enabled: bool) {
        self.shared.skip_cue.store(enabled, Ordering::Relaxed);
    }

    /// The skips that happened since the last call, oldest first (for an audible/visual cue).
    pub fn take_skip_events(&self) -> Vec<Span> {
        std::mem::take(&mut *lock(&self.shared.skip_events))
    }

    /// Whether playback reached the end of the call (cleared by play, seek and load).
    pub fn ended(&self) -> bool {
        self.shared.ended.load(Ordering::Acquire)
    }

    /// The last error met while decoding the current call during playback, if any.
    pub fn last_error(&self) -> Option<String> {
        lock(&self.shared.error).clone()
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Release);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// An error and its causes, "a: b: c".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
