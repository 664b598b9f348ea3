//! Folder scans and file probes: which WAVs a folder holds, and each file's header, INFO tags
//! and content hash (or why it cannot be opened).

use std::collections::{BTreeMap, HashSet};
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
    /// A transcript next to the file (see [`super::sidecar`]).
    pub sidecar: Option<Box<super::sidecar::Sidecar>>,
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
    let mut warnings = info.warnings.clone();
    let sidecar = match super::sidecar::find(path) {
        Some(Ok(s)) => Some(Box::new(s)),
        Some(Err(why)) => {
            warnings.push(why);
            None
        }
        None => None,
    };
    Ok(ProbeInfo {
        hash,
        duration_s: info.duration_s(),
        channels: info.channels,
        sample_rate: info.sample_rate,
        encoding: meta.encoding.clone(),
        metadata: info.metadata.clone(),
        warnings,
        meta,
        sidecar,
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
        let mut batch = Vec::new();
        let walked = find_wavs(&root, ScanLimits::DEFAULT, |p| {
            batch.push(p);
            if batch.len() >= 200 {
                flush(&out, &probe_tx, &root, &mut batch);
            }
        });
        flush(&out, &probe_tx, &root, &mut batch);
        let error = match walked {
            Ok(skipped) => skipped,
            Err(e) => Some(format!("cannot read the folder: {e}")),
        };
        out.send(JobEvent::ScanDone { root, error });
    })?;
    Ok(())
}

/// How far a folder scan goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScanLimits {
    /// Folders deeper than this below the root are not entered.
    pub(crate) max_depth: usize,
    /// The scan stops after this many WAV files.
    pub(crate) max_files: usize,
}

impl ScanLimits {
    pub(crate) const DEFAULT: ScanLimits = ScanLimits { max_depth: 64, max_files: 100_000 };
}

/// A file or folder as the OS knows it, whatever path led to it.
type FileId = (u64, u64);

/// (device, inode) of what `meta` describes (metadata that followed symlinks).
fn file_id(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Walks `root` depth-first (sorted, symlinked folders followed) and calls `found` with each
/// WAV file once. A folder reached again (a symlink loop, a link to a folder already seen) is
/// not entered again and a file reached by two paths is reported once: both are known by
/// (device, inode), not by path. Folders more than `limits.max_depth` below the root are
/// skipped and the walk stops after `limits.max_files` files.
///
/// `Err` only when `root` itself cannot be read; `Ok(Some(message))` when a limit cut the
/// scan short (the message says which and what to do); unreadable sub-folders are skipped.
pub(crate) fn find_wavs(
    root: &Path,
    limits: ScanLimits,
    mut found: impl FnMut(PathBuf),
) -> std::io::Result<Option<String>> {
    let root_meta = std::fs::metadata(root)?;
    let mut seen = HashSet::from([file_id(&root_meta)]);
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut files = 0usize;
    let mut too_deep = HashSet::new();
    let mut first = true;
    while let Some((dir, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if first => return Err(e),
            Err(_) => continue,
        };
        first = false;
        let mut here: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        here.sort();
        let mut subdirs = Vec::new();
        for p in here {
            // Follows symlinks: a link to a folder is walked (once), a broken link is skipped.
            let Ok(meta) = std::fs::metadata(&p) else { continue };
            if meta.is_dir() {
                let id = file_id(&meta);
                if seen.contains(&id) {
                    continue;
                }
                if depth >= limits.max_depth {
                    too_deep.insert(id);
                } else {
                    seen.insert(id);
                    subdirs.push(p);
                }
            } else if meta.is_file() && is_wav_path(&p) && seen.insert(file_id(&meta)) {
                if files >= limits.max_files {
                    return Ok(Some(format!(
                        "the folder scan stopped after {files} WAV files, the most one scan takes \
                         (open its sub-folders one at a time for the rest)"
                    )));
                }
                files += 1;
                found(p);
            }
        }
        // Reversed onto the stack: sub-folders are walked in name order.
        stack.extend(subdirs.into_iter().rev().map(|p| (p, depth + 1)));
    }
    Ok((!too_deep.is_empty()).then(|| {
        let n = too_deep.len();
        let (folders, were) = if n == 1 { ("folder", "was") } else { ("folders", "were") };
        format!(
            "{n} {folders} more than {} levels down {were} not scanned (open a deeper folder to \
             see its calls)",
            limits.max_depth
        )
    }))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn scan(root: &Path, limits: ScanLimits) -> (Vec<PathBuf>, Option<String>) {
        let mut found = Vec::new();
        let note = find_wavs(root, limits, |p| found.push(p)).unwrap();
        (found, note)
    }

    #[test]
    fn folders_deeper_than_the_limit_are_skipped_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = dir.path().to_path_buf();
        for level in 0..5 {
            std::fs::write(d.join(format!("call{level}.wav")), b"").unwrap();
            d = d.join("deeper");
            std::fs::create_dir(&d).unwrap();
        }
        let (found, note) = scan(dir.path(), ScanLimits { max_depth: 2, max_files: 100 });
        let names: Vec<_> = found.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["call0.wav", "call1.wav", "call2.wav"]);
        let note = note.unwrap();
        assert_eq!(
            note,
            "1 folder more than 2 levels down was not scanned (open a deeper folder to see its calls)"
        );
        let (found, note) = scan(dir.path(), ScanLimits::DEFAULT);
        assert_eq!((found.len(), note), (5, None));
    }

    #[test]
    fn the_scan_stops_at_the_file_limit_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.wav")), b"").unwrap();
        }
        let (found, note) = scan(dir.path(), ScanLimits { max_depth: 64, max_files: 3 });
        assert_eq!(found.len(), 3);
        let note = note.unwrap();
        assert!(note.starts_with("the folder scan stopped after 3 WAV files"), "{note}");
        // Exactly at the limit is not cut short.
        let (found, note) = scan(dir.path(), ScanLimits { max_depth: 64, max_files: 5 });
        assert_eq!((found.len(), note), (5, None));
    }

    #[test]
    fn a_file_reached_by_two_paths_is_found_once_and_broken_links_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/a.wav"), b"").unwrap();
        std::os::unix::fs::symlink("sub/a.wav", d.join("link.wav")).unwrap();
        std::fs::hard_link(d.join("sub/a.wav"), d.join("hard.wav")).unwrap();
        std::os::unix::fs::symlink("nowhere", d.join("broken.wav")).unwrap();
        std::os::unix::fs::symlink("sub", d.join("sub_again")).unwrap();
        let (found, note) = scan(d, ScanLimits::DEFAULT);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(note, None);
    }
}
