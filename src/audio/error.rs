//! Why a file cannot be decoded: one error type for the whole audio room, with messages a
//! supervisor can act on (the caller adds the path).

use thiserror::Error;

/// A file that cannot be opened as a call recording. Messages say what happened and what to do.
#[derive(Debug, Error)]
pub enum DecodeError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty file")]
    Empty,
    /// Not RIFF/WAVE and not a format we recognise; the string says what the first bytes were.
    #[error("not a WAV file{0}")]
    NotWav(String),
    /// A known non-WAV audio format, e.g. `"an MP3"`: "this is an MP3 file, not a WAV".
    #[error("this is {0} file, not a WAV: convert it to WAV first (e.g. `ffmpeg -i IN OUT.wav`)")]
    OtherFormat(&'static str),
    #[error("unsupported encoding: {name} (0x{tag:04X})")]
    Unsupported { name: String, tag: u16 },
    #[error("broken WAV header: {0}")]
    BadHeader(String),
}
