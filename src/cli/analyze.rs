//! `callqa analyze FILE` (issue 4).

use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path, json: bool, min_silence: f64) -> ExitCode {
    let _ = (file, json, min_silence);
    eprintln!("callqa analyze: not written yet");
    ExitCode::FAILURE
}
