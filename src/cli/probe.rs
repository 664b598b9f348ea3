//! `callqa probe FILE...` (issue 3).

use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(files: &[PathBuf], json: bool) -> ExitCode {
    let _ = (files, json);
    eprintln!("callqa probe: not written yet");
    ExitCode::FAILURE
}
