//! Why a file cannot be decoded.

use thiserror::Error;

/// A file that cannot be opened as a call recording. Messages say what happened and what to do.
#[derive(Debug, Error)]
pub enum DecodeError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty file")]
    Empty,
    #[error("not a WAV file{0}")]
    NotWav(String),
    #[error("unsupported encoding: {name} (0x{tag:04X})")]
    Unsupported { name: String, tag: u16 },
    #[error("broken WAV header: {0}")]
    BadHeader(String),
}
