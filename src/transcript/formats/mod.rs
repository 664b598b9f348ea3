//! Reading transcripts: format detection and one parser per vendor format.
//! (Being written: see issue 16.)

use thiserror::Error;

use super::Transcript;

/// Why a transcript file could not be read. Messages say what was expected.
#[derive(Debug, Error, PartialEq)]
pub enum TranscriptError {
    #[error("not a transcript: {0}")]
    Unrecognised(String),
}

/// Reads a transcript of any supported format; `name` (the file name) is a hint only.
pub fn parse(bytes: &[u8], name: Option<&str>) -> Result<Transcript, TranscriptError> {
    let _ = (bytes, name);
    Err(TranscriptError::Unrecognised("transcript import is not built yet".into()))
}

impl Transcript {
    /// Placeholder until the speaker rules land.
    pub fn assign_speakers(&mut self, map: &super::SpeakerMap) -> Result<(), TranscriptError> {
        let _ = map;
        Ok(())
    }
}
