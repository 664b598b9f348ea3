//! `callqa probe FILE...`: each file's format, duration, INFO metadata and problems; one line
//! per file, or JSON (an object for one file, an array for several). Exit 1 if any file
//! could not be opened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use super::out::{outln, term};
use crate::audio::{WavInfo, WavReader};

/// One file's row in `--json` output.
#[derive(Debug, Serialize)]
struct Row {
    path: String,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Outcome {
    Opened {
        encoding: String,
        format_tag: u16,
        sample_rate: u32,
        channels: u16,
        bits_per_sample: u16,
        frames: u64,
        duration_s: f64,
        metadata: BTreeMap<String, String>,
        warnings: Vec<String>,
    },
    Failed {
        error: String,
    },
}

fn probe(path: &Path) -> Row {
    let outcome = match WavReader::open(path) {
        Ok(r) => {
            let i: &WavInfo = r.info();
            Outcome::Opened {
                encoding: i.encoding.as_str().to_string(),
                format_tag: i.format_tag,
                sample_rate: i.sample_rate,
                channels: i.channels,
                bits_per_sample: i.bits_per_sample,
                frames: i.frames,
                duration_s: i.duration_s(),
                metadata: i.metadata.clone(),
                warnings: i.warnings.clone(),
            }
        }
        Err(e) => Outcome::Failed { error: e.to_string() },
    };
    Row { path: path.to_string_lossy().into_owned(), outcome }
}

/// The human line: `name.wav: pcm_s16le 8000 Hz 2 ch 18.990 s [warning: ...]`.
fn human_line(row: &Row) -> String {
    match &row.outcome {
        Outcome::Opened { encoding, sample_rate, channels, duration_s, metadata, warnings, .. } => {
            let mut line =
                format!("{}: {encoding} {sample_rate} Hz {channels} ch {duration_s:.3} s", term(&row.path));
            for (k, v) in metadata {
                line.push_str(&format!(" {k}={v:?}"));
            }
            for w in warnings {
                line.push_str(&format!(" [warning: {}]", term(w)));
            }
            line
        }
        Outcome::Failed { error } => format!("{}: error: {}", term(&row.path), term(error)),
    }
}

pub fn run(files: &[PathBuf], json: bool) -> ExitCode {
    let rows: Vec<Row> = files.iter().map(|f| probe(f)).collect();
    let failed = rows.iter().any(|r| matches!(r.outcome, Outcome::Failed { .. }));
    if json {
        let text = match rows.as_slice() {
            [one] => serde_json::to_string_pretty(one),
            all => serde_json::to_string_pretty(all),
        };
        match text {
            Ok(t) => outln!("{t}"),
            Err(e) => {
                eprintln!("callqa probe: cannot write JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        for row in &rows {
            outln!("{}", human_line(row));
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
