//! Why a file cannot be decoded: one error type for the whole audio room, with messages a
//! supervisor can act on (the caller adds the path).

use thiserror::Error;

/// A file that cannot be opened as a call recording. Messages say what happened and what to do.
#[derive(Debug, Error)]
pub enum DecodeError {
    /// The OS error is in the message, not also the error's source: a chain printed with
    /// `{:#}` would say it twice.
    #[error("cannot read the file: {0}")]
    Io(std::io::Error),
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
    /// A header with no audio after it: nothing to hear, score or identify.
    #[error("no audio: the file has a header but no sound data (0 s), so it cannot be reviewed")]
    NoAudio,
}

impl From<std::io::Error> for DecodeError {
    fn from(e: std::io::Error) -> Self {
        DecodeError::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_is_said_once_in_a_chain() {
        let e = anyhow::Error::new(DecodeError::from(std::io::Error::from(std::io::ErrorKind::NotFound)))
            .context("cannot open x.wav");
        let text = format!("{e:#}");
        assert_eq!(text.matches("not found").count(), 1, "{text}");
    }
}
