//! Folder scans and file probes: which WAVs a folder holds, and each file's header, INFO tags
//! and content hash (or why it cannot be opened).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};

use super::{JobEvent, Outbox};
use crate::audio::{WavReader, content_hash};

/// What the library shows about a file that opened.
#[derive(Clone, Debug)]
pub struct ProbeInfo {
    pub hash: String,
    pub duration_s: f64,
    pub channels: u16,
    pub sample_rate: u32,
    pub encoding: String,
    pub metadata: BTreeMap<String, String>,
    pub warnings: Vec<String>,
    /// File name, agent, recording time, encoding: the store's call row.
    pub meta: crate::model::call::CallMeta,
}

/// True for `*.wav` (any case).
pub fn is_wav_path(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("wav"))
}

/// Opens the header and hashes the audio of one file.
pub fn probe(path: &Path) -> Result<ProbeInfo, String> {
    let reader = WavReader::open(path).map_err(|e| e.to_string())?;
    let info = reader.info().clone();
    drop(reader);
    let hash = content_hash(path).map_err(|e| e.to_string())?;
    let meta = crate::model::call::CallMeta::from_wav(path, &info);
    Ok(ProbeInfo {
        hash,
        duration_s: info.duration_s(),
        channels: info.channels,
        sample_rate: info.sample_rate,
        encoding: meta.encoding.clone(),
        metadata: info.metadata.clone(),
        warnings: info.warnings.clone(),
        meta,
    })
}

/// Starts the `callqa-probe` thread; send it paths.
pub(super) fn spawn_prober(out: Outbox) -> std::io::Result<Sender<PathBuf>> {
    let (tx, rx) = channel::<PathBuf>();
    std::thread::Builder::new().name("callqa-probe".into()).spawn(move || {
        for path in rx {
            let result = probe(&path);
            if !out.send(JobEvent::Probed { path, result }) {
                break;
            }
        }
    })?;
    Ok(tx)
}

/// Starts a `callqa-scan` thread walking `root`.
pub(super) fn spawn_scan(out: Outbox, probe_tx: Sender<PathBuf>, root: PathBuf) -> std::io::Result<()> {
    std::thread::Builder::new().name("callqa-scan".into()).spawn(move || {
        let error = walk(&out, &probe_tx, &root).err().map(|e| format!("cannot read the folder: {e}"));
        out.send(JobEvent::ScanDone { root, error });
    })?;
    Ok(())
}

/// Depth-first walk; sends `Found` in batches of up to 200 and queues each file for probing.
fn walk(out: &Outbox, probe_tx: &Sender<PathBuf>, root: &Path) -> std::io::Result<()> {
    let mut stack = vec![root.to_path_buf()];
    let mut batch = Vec::new();
    let mut first = true;
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if first => return Err(e),
            Err(_) => continue,
        };
        first = false;
        let mut here: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        here.sort();
        for p in here {
            if p.is_dir() {
                stack.push(p);
            } else if is_wav_path(&p) {
                batch.push(p);
                if batch.len() >= 200 {
                    flush(out, probe_tx, root, &mut batch);
                }
            }
        }
    }
    flush(out, probe_tx, root, &mut batch);
    Ok(())
}

fn flush(out: &Outbox, probe_tx: &Sender<PathBuf>, root: &Path, batch: &mut Vec<PathBuf>) {
    if batch.is_empty() {
        return;
    }
    let paths = std::mem::take(batch);
    out.send(JobEvent::Found { root: root.to_path_buf(), paths: paths.clone() });
    for p in paths {
        let _ = probe_tx.send(p);
    }
}
