//! The state the UI-side [`super::Player`] and the audio-side [`super::CallSource`] share:
//! atomics for everything the UI sets or reads every frame, and a small command slot for
//! the rest. The audio thread never waits on the slot (it uses `try_lock`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use super::skip::SkipPlan;
use crate::model::Span;

/// An `f32` in an atomic.
#[derive(Debug)]
pub(crate) struct AtomicF32(AtomicU32);

impl AtomicF32 {
    pub(crate) fn new(v: f32) -> Self {
        AtomicF32(AtomicU32::new(v.to_bits()))
    }
    pub(crate) fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }
    pub(crate) fn set(&self, v: f32) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }
}

/// An `f64` in an atomic.
#[derive(Debug)]
pub(crate) struct AtomicF64(AtomicU64);

impl AtomicF64 {
    pub(crate) fn new(v: f64) -> Self {
        AtomicF64(AtomicU64::new(v.to_bits()))
    }
    pub(crate) fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
    pub(crate) fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }
}

/// Commands that need more than an atomic. `dirty` in [`Shared`] says one is waiting.
#[derive(Debug, Default)]
pub(crate) struct Commands {
    /// Seek to this call time (seconds).
    pub(crate) seek: Option<f64>,
    /// A new skip plan (already clamped / merged by the player).
    pub(crate) skip: Option<SkipPlan>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    /// Which load is current; a source whose generation is older ends itself.
    pub(crate) generation: AtomicU64,
    /// Set when the player is dropped: every source ends.
    pub(crate) shutdown: AtomicBool,
    pub(crate) playing: AtomicBool,
    pub(crate) ended: AtomicBool,
    /// Call-time position (seconds) of the audio being handed to the device.
    pub(crate) position_s: AtomicF64,
    pub(crate) duration_s: AtomicF64,
    pub(crate) volume: AtomicF32,
    pub(crate) gain_agent: AtomicF32,
    pub(crate) gain_customer: AtomicF32,
    pub(crate) speed: AtomicF32,
    /// Play a soft tick when a skip happens.
    pub(crate) skip_cue: AtomicBool,
    pub(crate) dirty: AtomicBool,
    pub(crate) commands: Mutex<Commands>,
    /// Skips that happened, oldest first, until the UI takes them.
    pub(crate) skip_events: Mutex<Vec<Span>>,
    /// The last read error of the current call (the audio thread cannot return it).
    pub(crate) error: Mutex<Option<String>>,
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            generation: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
            playing: AtomicBool::new(false),
            ended: AtomicBool::new(false),
            position_s: AtomicF64::new(0.0),
            duration_s: AtomicF64::new(0.0),
            volume: AtomicF32::new(1.0),
            gain_agent: AtomicF32::new(1.0),
            gain_customer: AtomicF32::new(1.0),
            speed: AtomicF32::new(1.0),
            skip_cue: AtomicBool::new(true),
            dirty: AtomicBool::new(false),
            commands: Mutex::new(Commands::default()),
            skip_events: Mutex::new(Vec::new()),
            error: Mutex::new(None),
        }
    }

    /// Runs `f` on the command slot (UI side: may wait a few µs for the audio thread).
    pub(crate) fn command(&self, f: impl FnOnce(&mut Commands)) {
        let mut guard = match self.commands.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard);
        self.dirty.store(true, Ordering::Release);
    }

    /// Takes the waiting commands if any, without blocking (audio side).
    pub(crate) fn try_take_commands(&self) -> Option<Commands> {
        if !self.dirty.load(Ordering::Acquire) {
            return None;
        }
        let mut guard = match self.commands.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        self.dirty.store(false, Ordering::Release);
        Some(std::mem::take(&mut *guard))
    }

    pub(crate) fn push_skip_event(&self, span: Span) {
        // The UI holds this lock only to swap the vector out; waiting is harmless.
        let mut guard = match self.skip_events.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Bounded: if nobody takes the events, keep the latest ones only.
        if guard.len() >= 256 {
            guard.remove(0);
        }
        guard.push(span);
    }

    pub(crate) fn set_error(&self, message: String) {
        let mut guard = match self.error.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Some(message);
    }
}
