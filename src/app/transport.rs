//! Playback as the app sees it: the `Player` when an audio device opened, otherwise a silent
//! playhead (seek and stamp still work) and the reason for the banner.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::audio::playback::Player;
use crate::model::{Span, Speaker};

/// Speeds offered by `[` / `]` and the speed menu.
pub const SPEEDS: [f32; 9] = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5];
/// A pause longer than this rewinds on resume (when auto-rewind is on).
pub const AUTO_REWIND_AFTER: Duration = Duration::from_secs(4);
pub const AUTO_REWIND_S: f64 = 2.0;

/// The app's transport.
pub struct Transport {
    player: Option<Player>,
    /// Why playback is unavailable (shown in a banner), if it is.
    pub unavailable: Option<String>,
    /// The loaded call could not be opened for playback.
    pub load_error: Option<String>,
    /// Playhead when there is no player (or the call did not load into it).
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
        let (player, unavailable) = if audio {
            match Player::open_default() {
                Ok(p) => (Some(p), None),
                Err(e) => (None, Some(e.to_string())),
            }
        } else {
            (None, Some("Audio output is off: playback is unavailable (scoring still works).".to_string()))
        };
        Transport {
            player,
            unavailable,
            load_error: None,
            silent_pos: 0.0,
            duration: 0.0,
            volume: 1.0,
            muted: [false; 2],
            solo: None,
            speed: 1.0,
            paused_at: None,
        }
    }

    /// Uses this player (tests give one on a mixer they drive).
    pub fn set_player(&mut self, player: Player) {
        self.player = Some(player);
        self.unavailable = None;
        self.apply_settings();
    }

    /// The player, if one is open and the current call loaded into it.
    fn live(&self) -> Option<&Player> {
        self.player.as_ref().filter(|p| p.is_loaded() && self.load_error.is_none())
    }

    pub fn has_player(&self) -> bool {
        self.live().is_some()
    }

    /// Loads a call (paused at 0), opening it here (tests; the app uses [`Transport::prepare`]
    /// and [`Transport::attach`], which keep file I/O off the UI thread). A call the player
    /// cannot open keeps a silent playhead.
    pub fn load(&mut self, path: &Path, duration_s: f64) {
        self.prepare(duration_s);
        if let Some(Err(e)) = self.player.as_mut().map(|p| p.load(path)) {
            self.load_error = Some(e.to_string());
        }
        self.apply_settings();
    }

    /// A new call is opening: the previous one stops, the playhead is silent at 0 until
    /// [`Transport::attach`] gives the reader opened on the worker thread.
    pub fn prepare(&mut self, duration_s: f64) {
        self.silent_pos = 0.0;
        self.duration = duration_s;
        self.paused_at = None;
        self.load_error = None;
        if let Some(p) = self.player.as_mut() {
            p.unload();
        }
    }

    /// Plays the call through this reader (opened off the UI thread), or records why not. A
    /// seek made on the silent playhead meanwhile is kept.
    pub fn attach(&mut self, reader: Result<Box<crate::audio::WavReader>, String>) {
        let at = self.silent_pos;
        let loaded = match (self.player.as_mut(), reader) {
            (None, _) => return,
            (Some(_), Err(e)) => Err(crate::audio::playback::PlaybackError::Open(e)),
            (Some(p), Ok(r)) => p.load_reader(*r),
        };
        match loaded {
            Ok(()) => {
                self.load_error = None;
                self.apply_settings();
                if at > 0.0 {
                    self.seek(at);
                }
            }
            Err(e) => self.load_error = Some(e.to_string()),
        }
    }

    fn apply_settings(&mut self) {
        if let Some(p) = &self.player {
            p.set_volume(self.volume);
            p.set_speed(self.speed);
        }
        self.apply_gains();
    }

    pub fn set_duration(&mut self, d: f64) {
        self.duration = d;
    }

    pub fn position_s(&self) -> f64 {
        self.live().map_or(self.silent_pos, Player::position_s)
    }

    pub fn is_playing(&self) -> bool {
        self.live().is_some_and(Player::is_playing)
    }

    /// Starts playing; `auto_rewind` steps back 2 s after a long pause.
    pub fn play(&mut self, auto_rewind: bool) {
        if auto_rewind && self.paused_at.is_some_and(|t| t.elapsed() >= AUTO_REWIND_AFTER) {
            let p = self.position_s();
            self.seek((p - AUTO_REWIND_S).max(0.0));
        }
        self.paused_at = None;
        if let Some(p) = self.live() {
            p.play();
        }
    }

    pub fn pause(&mut self) {
        if self.is_playing() {
            self.paused_at = Some(Instant::now());
        }
        if let Some(p) = self.live() {
            p.pause();
        }
    }

    pub fn stop(&mut self) {
        self.pause();
        self.paused_at = None;
        self.seek(0.0);
    }

    pub fn seek(&mut self, t: f64) {
        let t = if t.is_finite() { t.clamp(0.0, self.duration.max(0.0)) } else { 0.0 };
        self.silent_pos = t;
        if let Some(p) = self.live() {
            p.seek(t);
        }
    }

    pub fn set_volume(&mut self, v: f32) {
        self.volume = if v.is_finite() { v.clamp(0.0, 2.0) } else { 1.0 };
        if let Some(p) = &self.player {
            p.set_volume(self.volume);
        }
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

    fn apply_gains(&mut self) {
        let (a, c) = self.gains();
        if let Some(p) = &self.player {
            p.set_channel_gains(a, c);
        }
    }

    pub fn set_speed(&mut self, s: f32) {
        self.speed = if s.is_finite() { s.clamp(0.5, 2.5) } else { 1.0 };
        if let Some(p) = &self.player {
            p.set_speed(self.speed);
        }
    }

    /// Dead air and hold to skip while `enabled` (the player ignores an unchanged plan).
    pub fn set_skip(&mut self, regions: Vec<Span>, enabled: bool) {
        if let Some(p) = self.live() {
            p.set_skip(regions, enabled);
        }
    }

    /// Skips that happened since the last call (for a visual cue).
    pub fn take_skip_events(&mut self) -> Vec<Span> {
        self.live().map(Player::take_skip_events).unwrap_or_default()
    }

    pub fn ended(&self) -> bool {
        self.live().is_some_and(Player::ended)
    }

    /// A decode error met while playing, if any.
    pub fn error(&self) -> Option<String> {
        self.load_error.clone().or_else(|| self.live().and_then(Player::last_error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_follow_mute_and_solo_and_the_silent_playhead_seeks() {
        let mut t = Transport::new(false);
        assert!(t.unavailable.is_some() && !t.has_player());
        assert_eq!(t.gains(), (1.0, 1.0));
        t.set_mute(Speaker::Agent, true);
        assert_eq!(t.gains(), (0.0, 1.0));
        t.set_mute(Speaker::Agent, false);
        t.set_solo(Some(Speaker::Agent));
        assert_eq!(t.gains(), (1.0, 0.0));
        t.set_duration(10.0);
        t.seek(12.0);
        assert_eq!(t.position_s(), 10.0);
        t.seek(f64::NAN);
        assert_eq!(t.position_s(), 0.0);
    }
}
