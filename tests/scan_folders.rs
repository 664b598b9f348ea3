//! Folder scans through the app's workers (`Jobs::scan_folder`, the `callqa-scan` thread) on
//! real folders: symlink loops are walked once and the scan ends (issue 12, item 8: a loop
//! made the scan's memory grow without bound).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callqa::jobs::{JobEvent, Jobs};

/// Scans `root` and returns every path reported as found, with `ScanDone`'s message; fails
/// when the scan has not finished within 20 s.
fn scan(root: &Path, db: &Path) -> (Vec<PathBuf>, Option<String>) {
    let mut jobs = Jobs::new(Arc::new(|| {}), db.to_path_buf(), None);
    jobs.scan_folder(root.to_path_buf());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut found = Vec::new();
    loop {
        for ev in jobs.drain() {
            match ev {
                JobEvent::Found { paths, .. } => {
                    found.extend(paths);
                    assert!(found.len() < 10_000, "the scan keeps finding files: {} so far", found.len());
                }
                JobEvent::ScanDone { error, .. } => return (found, error),
                _ => {}
            }
        }
        assert!(Instant::now() < deadline, "the scan did not finish in 20 s ({} files found)", found.len());
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_folder_with_symlink_loops_is_scanned_once_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("calls");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    // A recording is only probed here, so real WAVs (one of them in a looped folder).
    let wav = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/dev_f_brief.wav");
    for p in ["one.wav", "a/two.wav", "a/b/three.WAV"] {
        std::fs::copy(&wav, root.join(p)).unwrap();
    }
    std::os::unix::fs::symlink("..", root.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self")).unwrap();
    std::os::unix::fs::symlink("../..", root.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("a/b/absolute")).unwrap();
    let (found, error) = scan(&root, &dir.path().join("db.sqlite3"));
    assert_eq!(error, None);
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for p in &found {
        *times.entry(p.file_name().unwrap().to_string_lossy().into_owned()).or_default() += 1;
    }
    let want: BTreeMap<String, usize> =
        [("one.wav", 1), ("two.wav", 1), ("three.WAV", 1)].map(|(n, k)| (n.to_string(), k)).into();
    assert_eq!(times, want, "each WAV found exactly once: {found:?}");
    // Found by their plain paths, not through a link.
    for p in &found {
        let rel = p.strip_prefix(&root).unwrap();
        assert!(
            !rel.components()
                .any(|c| ["loop", "self", "up", "absolute"].contains(&c.as_os_str().to_str().unwrap())),
            "{rel:?}"
        );
    }
}

#[test]
fn a_folder_that_cannot_be_read_is_a_scan_error() {
    let dir = tempfile::tempdir().unwrap();
    let (found, error) = scan(&dir.path().join("missing"), &dir.path().join("db.sqlite3"));
    assert!(found.is_empty());
    let e = error.unwrap();
    assert!(e.starts_with("cannot read the folder: "), "{e}");
}
