//! Audio: WAV container and codecs → validated samples; playback behind a small `Player`.
//!
//! The public surface other rooms use:
//! - [`WavReader::open`] → [`WavInfo`] (format, duration, INFO metadata, warnings) and a
//!   streaming reader of interleaved `f32` frames in `[-1, 1]` ([`WavReader::read_frames`]),
//!   with random access by frame ([`WavReader::seek`]);
//! - [`content_hash`]: the identity of a recording's audio;
//! - [`DecodeError`]: why a file cannot be opened, in words a supervisor understands.

pub mod codecs;
mod error;
mod format;
pub mod hash;
mod pcm;
pub mod playback;
mod reader;
mod riff;
pub mod stretch;

pub use error::DecodeError;
pub use hash::content_hash;
pub use reader::{Encoding, WavInfo, WavReader};
