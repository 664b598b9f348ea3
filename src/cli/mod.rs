//! Headless commands over audio, analysis and the store. `main.rs` parses [`Cli`] and calls
//! [`run`]; each subcommand lives in its own file.

mod analyze;
mod probe;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// callqa: review the quality of recorded customer-care calls.
#[derive(Debug, Parser)]
#[command(name = "callqa", version, about)]
pub struct Cli {
    /// The review database (default: callqa.sqlite3 in the user's data directory; or $CALLQA_DB).
    #[arg(long, global = true, env = "CALLQA_DB")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the review window (the default), with calls or folders to open.
    App { paths: Vec<PathBuf> },
    /// Show each WAV file's format, duration, metadata and problems.
    Probe {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per file (an array for several files).
        #[arg(long)]
        json: bool,
    },
    /// Find who talked when, overtalk, dead air and hold in a call.
    Analyze {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Shortest dead air reported, in seconds.
        #[arg(long, default_value_t = 2.0)]
        min_silence: f64,
    },
}

/// Runs a headless subcommand. `App` is handled by `main.rs`.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Probe { files, json }) => probe::run(&files, json),
        Some(Command::Analyze { file, json, min_silence }) => analyze::run(&file, json, min_silence),
        Some(Command::App { .. }) | None => {
            eprintln!("callqa: the review window is started by main");
            ExitCode::FAILURE
        }
    }
}
