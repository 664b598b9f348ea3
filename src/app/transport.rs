//! Playback as the app sees it: the `Player` when an audio device opened, otherwise a silent
//! playhead (seek and stamp still work) and the reason for the banner.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::model::Speaker;

/// Speeds offered by `[` / `]` and the speed menu.
pub const SPEEDS: [f32; 9] = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5];
/// A pause longer than this rewinds on resume (when auto-rewind is on).
pub const AUTO_REWIND_AFTER: Duration = Duration::from_secs(4);
pub const AUTO_REWIND_S: f64 = 2.0;

/// The app's transport.
pub struct Transport {
    /// Why playback is unavailable (shown in a banner), if it is.
    pub unavailable: Option<String>,
    /// Playhead when there is no player.
    silent_pos: f64,
    duration: f64,
    pub volume: f32,
    pub muted: [bool; 2],
    pub solo: Option<Speaker>,
    pub speed: f32,
    paused_at: Option<Instant>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").field("unavailable", &self.unavailable).finish_non_exhaustive()
    }
}

impl Transport {
    /// Opens the default audio device, or none (`audio: false`, as in tests).
    pub fn new(audio: bool) -> Transport {
        let unavailable = if audio {
            Some("Playback is not built into this version (scoring still works).".to_string())
        } else {
            Some("Audio output is off: playback is unavailable (scoring still works).".to_string())
        };
        Transport {
            unavailable,
            silent_pos: 0.0,
            duration: 0.0,
            volume: 1.0,
            muted: [false; 2],
            solo: None,
            speed: 1.0,
            paused_at: None,
        }
    }

    pub fn has_player(&self) -> bool {
        false
    }

    /// Loads a call (paused at 0).
    pub fn load(&mut self, path: &Path, duration_s: f64) {
        let _ = path;
        self.silent_pos = 0.0;
        self.duration = duration_s;
        self.paused_at = None;
    }

    pub fn set_duration(&mut self, d: f64) {
        self.duration = d;
    }

    pub fn position_s(&self) -> f64 {
        self.silent_pos
    }

    pub fn is_playing(&self) -> bool {
        false
    }

    /// Starts playing; `auto_rewind` steps back 2 s after a long pause.
    pub fn play(&mut self, auto_rewind: bool) {
        if auto_rewind && self.paused_at.is_some_and(|t| t.elapsed() >= AUTO_REWIND_AFTER) {
            let p = self.position_s();
            self.seek((p - AUTO_REWIND_S).max(0.0));
        }
        self.paused_at = None;
    }

    pub fn pause(&mut self) {
        if self.is_playing() || self.paused_at.is_none() {
            self.paused_at = Some(Instant::now());
        }
    }

    pub fn stop(&mut self) {
        self.pause();
        self.seek(0.0);
    }

    pub fn seek(&mut self, t: f64) {
        let t = t.clamp(0.0, self.duration.max(0.0));
        self.silent_pos = t;
    }

    pub fn set_volume(&mut self, v: f32) {
        self.volume = v.clamp(0.0, 2.0);
    }

    pub fn set_mute(&mut self, who: Speaker, muted: bool) {
        if let Some(m) = self.muted.get_mut(who.channel()) {
            *m = muted;
        }
        self.apply_gains();
    }

    pub fn set_solo(&mut self, who: Option<Speaker>) {
        self.solo = who;
        self.apply_gains();
    }

    /// (agent, customer) gains from mute and solo.
    pub fn gains(&self) -> (f32, f32) {
        let g = |s: Speaker| -> f32 {
            let muted = self.muted.get(s.channel()).copied().unwrap_or(false);
            let soloed_out = self.solo.is_some_and(|x| x != s);
            if muted || soloed_out { 0.0 } else { 1.0 }
        };
        (g(Speaker::Agent), g(Speaker::Customer))
    }

    fn apply_gains(&mut self) {}

    pub fn set_speed(&mut self, s: f32) {
        self.speed = s.clamp(0.5, 2.5);
    }

    pub fn set_skip(&mut self, regions: Vec<crate::model::Span>, enabled: bool) {
        let _ = (regions, enabled);
    }

    /// Skips that happened since the last call (for a visual cue).
    pub fn take_skip_events(&mut self) -> Vec<crate::model::Span> {
        Vec::new()
    }

    pub fn ended(&self) -> bool {
        false
    }
}
