//! A transcript next to a recording: `call.wav` → `call.vtt`, `call.srt` or `call.json`
//! (the first that is a transcript callqa can read). Read on the worker threads that
//! probe and open calls, never in a frame; stored by the store thread
//! ([`super::store_worker`]: only when the call has no transcript yet, or its stored one
//! came from a file of the same name and changed).

use std::path::Path;

use crate::transcript::formats::{TranscriptError, parse};
use crate::transcript::{SpeakerMap, Transcript};

/// The transcript found next to a recording.
#[derive(Clone, Debug, PartialEq)]
pub struct Sidecar {
    pub transcript: Transcript,
    /// Its file name (the stored transcript's `source`).
    pub source: String,
}

/// Extensions tried, in order.
pub const SIDECAR_EXTENSIONS: [&str; 3] = ["vtt", "srt", "json"];

/// Largest sidecar read.
const MAX_BYTES: u64 = 64 << 20;

/// The transcript next to `wav`: `None` when there is none (a JSON file that is not a
/// transcript, such as other tools' notes, counts as none); `Err` says why a file that
/// looks like a transcript cannot be read.
pub fn find(wav: &Path) -> Option<Result<Sidecar, String>> {
    let mut problem = None;
    for ext in SIDECAR_EXTENSIONS {
        let path = wav.with_extension(ext);
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if !meta.is_file() {
            continue;
        }
        let source = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        if meta.len() > MAX_BYTES {
            problem.get_or_insert_with(|| {
                format!("transcript {source} is larger than {} MB; not read", MAX_BYTES >> 20)
            });
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                problem.get_or_insert_with(|| format!("transcript {source} cannot be read: {e}"));
                continue;
            }
        };
        match parse(&bytes, Some(&source)) {
            Ok(mut transcript) => {
                if transcript.words.is_empty() {
                    continue;
                }
                if let Err(e) = transcript.assign_speakers(&SpeakerMap::default()) {
                    return Some(Err(format!("transcript {source}: {e}")));
                }
                return Some(Ok(Sidecar { transcript, source }));
            }
            // A JSON that is some other program's file is not a problem.
            Err(TranscriptError::Unrecognised(_)) if ext == "json" => {}
            Err(e) => {
                problem.get_or_insert_with(|| format!("transcript {source} not read: {e}"));
            }
        }
    }
    problem.map(Err)
}
