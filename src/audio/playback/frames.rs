//! Where playback reads a call's samples from: the [`FrameSource`] trait, implemented by
//! the streaming [`WavReader`] (files) and by [`MemoryFrames`] (tests, already decoded audio).

use crate::audio::WavReader;

/// A seekable stream of interleaved `f32` frames. Reads happen on the audio thread, one block
/// (at most a few thousand frames) at a time.
pub trait FrameSource: Send {
    fn sample_rate(&self) -> u32;
    fn channels(&self) -> usize;
    /// Total frames (the call's length).
    fn frames(&self) -> u64;
    /// Reads up to `max_frames` frames into `out` (cleared first); returns the frames read,
    /// 0 at the end.
    fn read(&mut self, out: &mut Vec<f32>, max_frames: usize) -> Result<usize, String>;
    /// Moves the read position to `frame` (clamped to the end).
    fn seek(&mut self, frame: u64) -> Result<(), String>;
}

/// Frames held in memory.
#[derive(Debug, Clone)]
pub struct MemoryFrames {
    samples: Vec<f32>,
    rate: u32,
    channels: usize,
    pos: usize,
}

impl MemoryFrames {
    /// `samples` are interleaved; a trailing partial frame is dropped. `channels` and `rate`
    /// are clamped to at least 1.
    pub fn new(mut samples: Vec<f32>, sample_rate: u32, channels: usize) -> MemoryFrames {
        let channels = channels.max(1);
        samples.truncate(samples.len() - samples.len() % channels);
        MemoryFrames { samples, rate: sample_rate.max(1), channels, pos: 0 }
    }
}

impl FrameSource for MemoryFrames {
    fn sample_rate(&self) -> u32 {
        self.rate
    }
    fn channels(&self) -> usize {
        self.channels
    }
    fn frames(&self) -> u64 {
        (self.samples.len() / self.channels) as u64
    }
    fn read(&mut self, out: &mut Vec<f32>, max_frames: usize) -> Result<usize, String> {
        out.clear();
        let total = self.samples.len() / self.channels;
        let n = max_frames.min(total.saturating_sub(self.pos));
        let c = self.channels;
        out.extend_from_slice(self.samples.get(self.pos * c..(self.pos + n) * c).unwrap_or(&[]));
        self.pos += n;
        Ok(n)
    }
    fn seek(&mut self, frame: u64) -> Result<(), String> {
        let total = self.samples.len() / self.channels;
        self.pos = usize::try_from(frame).unwrap_or(usize::MAX).min(total);
        Ok(())
    }
}

/// A WAV file, decoded block by block as playback goes.
#[derive(Debug)]
pub(crate) struct WavFrames(pub(crate) WavReader);

impl FrameSource for WavFrames {
    fn sample_rate(&self) -> u32 {
        self.0.info().sample_rate
    }
    fn channels(&self) -> usize {
        usize::from(self.0.info().channels)
    }
    fn frames(&self) -> u64 {
        self.0.info().frames
    }
    fn read(&mut self, out: &mut Vec<f32>, max_frames: usize) -> Result<usize, String> {
        self.0.read_frames(out, max_frames).map_err(|e| e.to_string())
    }
    fn seek(&mut self, frame: u64) -> Result<(), String> {
        self.0.seek(frame).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn memory_frames_read_seek_and_clamp() {
        let mut m = MemoryFrames::new(vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 8000, 2);
        assert_eq!(m.frames(), 3);
        let mut out = Vec::new();
        assert_eq!(m.read(&mut out, 2).unwrap(), 2);
        assert_eq!(out, vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(m.read(&mut out, 5).unwrap(), 1);
        assert_eq!(out, vec![4.0, 5.0]);
        assert_eq!(m.read(&mut out, 5).unwrap(), 0);
        m.seek(1).unwrap();
        assert_eq!(m.read(&mut out, 1).unwrap(), 1);
        assert_eq!(out, vec![2.0, 3.0]);
        m.seek(99).unwrap();
        assert_eq!(m.read(&mut out, 1).unwrap(), 0);
    }
}
