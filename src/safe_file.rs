//! How callqa writes a file (exports, clips): into a temporary file in the destination's
//! folder, renamed into place once complete, so a failure never leaves half a file.
//!
//! Before anything is written (and again just before the rename) the destination is checked:
//! - a symbolic link is never written through, nor replaced (even with `force`);
//! - a protected file (the review database and its `-wal`/`-shm`/`-journal`, a call's
//!   recording), compared by (device, inode) and by canonical path, is never replaced;
//! - an existing audio file (by its first bytes or a `.wav` name) is never replaced, unless
//!   the policy allows audio (a clip export with `force` rewriting its own clips);
//! - any other existing file is replaced only with `force`. Without it the new file is
//!   linked into place, which fails if a file appeared meanwhile: nothing is ever clobbered.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a destination was refused (a mistake in what was asked, not a failure).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{} already exists; pass --force to replace it", .0.display())]
    Exists(PathBuf),
    #[error("{} is a symbolic link; callqa never writes through one (remove it or choose another name)", .0.display())]
    Symlink(PathBuf),
    #[error("{} is the review database; choose another file to write", .0.display())]
    Database(PathBuf),
    #[error("{} is an audio file (a call recording); callqa never replaces one, choose another file", .0.display())]
    Audio(PathBuf),
    #[error("{} is not a regular file (a folder or device); choose another name", .0.display())]
    NotAFile(PathBuf),
}

/// A refused destination or an I/O failure (with the path).
#[derive(Debug, thiserror::Error)]
pub enum SafeFileError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("cannot write {} ({source})", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl SafeFileError {
    fn io(path: &Path, source: std::io::Error) -> SafeFileError {
        SafeFileError::Io { path: path.to_path_buf(), source }
    }
}

/// What a protected file is (for the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Database,
    Audio,
}

/// A file never to be written: its canonical paths and, when it exists, its identity.
#[derive(Clone, Debug)]
struct Protected {
    paths: Vec<PathBuf>,
    id: Option<FileId>,
    kind: Kind,
}

/// (device, inode) on Unix; elsewhere only canonical paths are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId(meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<FileId> {
    None
}

/// The rules a write follows.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Replace an existing regular file (`--force`).
    pub force: bool,
    /// With `force`, an existing audio file may be replaced too (never a protected one).
    pub replace_audio: bool,
    protected: Vec<Protected>,
}

/// `path` made absolute with its folder's symbolic links resolved (the file itself need not
/// exist; if it is a link, the link's own name is kept).
fn canonical_dest(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

impl Policy {
    pub fn new(force: bool) -> Policy {
        Policy { force, ..Policy::default() }
    }

    /// Never writes onto the review database at `db`, nor its `-wal`, `-shm` and `-journal`.
    pub fn protect_database(&mut self, db: &Path) {
        let mut names = vec![db.to_path_buf()];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut s = db.as_os_str().to_os_string();
            s.push(suffix);
            names.push(PathBuf::from(s));
        }
        for p in names {
            self.protect(&p, Kind::Database);
        }
    }

    /// Never writes onto this audio file (a call's recording).
    pub fn protect_audio(&mut self, path: &Path) {
        self.protect(path, Kind::Audio);
    }

    fn protect(&mut self, path: &Path, kind: Kind) {
        // Through links: the file a link points at is the one to keep safe.
        let id = std::fs::metadata(path).ok().as_ref().and_then(file_id);
        let paths = [std::fs::canonicalize(path).ok(), canonical_dest(path)].into_iter().flatten().collect();
        self.protected.push(Protected { paths, id, kind });
    }

    fn protected_kind(&self, dest: &Path, meta: Option<&std::fs::Metadata>) -> Option<Kind> {
        let id = meta.and_then(file_id);
        let canon = canonical_dest(dest);
        self.protected.iter().find_map(|p| {
            let same_id = id.is_some() && p.id == id;
            let same_path = canon.as_ref().is_some_and(|c| p.paths.contains(c));
            (same_id || same_path).then_some(p.kind)
        })
    }

    /// Checks `dest` without writing: `Ok` if a file may be written there now.
    pub fn check(&self, dest: &Path) -> Result<(), SafeFileError> {
        let meta = match std::fs::symlink_metadata(dest) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(SafeFileError::io(dest, e)),
        };
        let path = dest.to_path_buf();
        if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
            return Err(Refusal::Symlink(path).into());
        }
        match self.protected_kind(dest, meta.as_ref()) {
            Some(Kind::Database) => return Err(Refusal::Database(path).into()),
            Some(Kind::Audio) => return Err(Refusal::Audio(path).into()),
            None => {}
        }
        let Some(meta) = meta else { return Ok(()) };
        if !meta.is_file() {
            return Err(Refusal::NotAFile(path).into());
        }
        if is_audio(dest) && !(self.force && self.replace_audio) {
            return Err(Refusal::Audio(path).into());
        }
        if !self.force {
            return Err(Refusal::Exists(path).into());
        }
        Ok(())
    }
}

/// Whether the existing file at `path` is audio: a `.wav` name or the first bytes of a WAV,
/// a tagged MP3, FLAC or Ogg file.
fn is_audio(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")) {
        return true;
    }
    let mut head = [0u8; 12];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let head = head.get(..n).unwrap_or_default();
    let riff = matches!(head.get(..4), Some(b"RIFF" | b"RIFX" | b"RF64")) && head.get(8..12) == Some(b"WAVE");
    riff || head.starts_with(b"ID3") || head.starts_with(b"fLaC") || head.starts_with(b"OggS")
}

/// A file being written next to its destination; removed unless [`TempFile::commit`]ted.
#[derive(Debug)]
pub struct TempFile {
    file: File,
    tmp: PathBuf,
    dest: PathBuf,
    policy: Policy,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl TempFile {
    /// Checks `dest` against `policy` and creates the temporary file in its folder (a new
    /// file with a short name of its own: never an existing file, never through a link).
    pub fn create(dest: &Path, policy: &Policy) -> Result<TempFile, SafeFileError> {
        policy.check(dest)?;
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut tries = 0;
        loop {
            let n = SEQ.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!(".callqa-{}-{n}.tmp", std::process::id()));
            match OpenOptions::new().write(true).read(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    return Ok(TempFile { file, tmp, dest: dest.to_path_buf(), policy: policy.clone() });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 100 => tries += 1,
                Err(e) => return Err(SafeFileError::io(dest, e)),
            }
        }
    }

    /// The open temporary file, to write into.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Makes the written data durable and puts the file in place (checking the destination
    /// again first). On error the temporary file is removed and the destination untouched.
    pub fn commit(mut self) -> Result<(), SafeFileError> {
        let dest = self.dest.clone();
        self.file.sync_all().map_err(|e| SafeFileError::io(&dest, e))?;
        self.policy.check(&dest)?;
        let exists = std::fs::symlink_metadata(&dest).is_ok();
        if self.policy.force && exists {
            std::fs::rename(&self.tmp, &dest).map_err(|e| SafeFileError::io(&dest, e))?;
        } else {
            // A hard link never replaces anything: if a file appeared since the check, it fails.
            match std::fs::hard_link(&self.tmp, &dest) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.tmp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(Refusal::Exists(dest).into());
                }
                // File systems without hard links: the check above has to do.
                Err(_) => std::fs::rename(&self.tmp, &dest).map_err(|e| SafeFileError::io(&dest, e))?,
            }
        }
        self.tmp = PathBuf::new();
        if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `dest` in one go through a [`TempFile`], with a buffer.
pub fn write_with<E>(
    dest: &Path,
    policy: &Policy,
    f: impl FnOnce(&mut std::io::BufWriter<&mut File>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<SafeFileError>,
{
    use std::io::Write as _;
    let mut tmp = TempFile::create(dest, policy)?;
    {
        let mut w = std::io::BufWriter::new(tmp.file());
        f(&mut w)?;
        w.flush().map_err(|e| SafeFileError::io(dest, e))?;
    }
    tmp.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write as _;

    fn write(dest: &Path, policy: &Policy, text: &str) -> Result<(), SafeFileError> {
        write_with(dest, policy, |w| w.write_all(text.as_bytes()).map_err(|e| SafeFileError::io(dest, e)))
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn existing_files_need_force_links_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out.csv");
        write(&out, &Policy::new(false), "one").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "one");
        let e = write(&out, &Policy::new(false), "two").unwrap_err();
        assert!(matches!(e, SafeFileError::Refused(Refusal::Exists(_))), "{e}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "one");
        write(&out, &Policy::new(true), "two").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "two");

        #[cfg(unix)]
        {
            let victim = d.path().join("victim.txt");
            std::fs::write(&victim, "keep").unwrap();
            let link = d.path().join("index.csv");
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            for force in [false, true] {
                let e = write(&link, &Policy::new(force), "x").unwrap_err();
                assert!(matches!(e, SafeFileError::Refused(Refusal::Symlink(_))), "{e}");
            }
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
            // A dangling link too: writing would create its target.
            let dangling = d.path().join("dangling.csv");
            std::os::unix::fs::symlink(d.path().join("nowhere.txt"), &dangling).unwrap();
            assert!(write(&dangling, &Policy::new(true), "x").is_err());
            assert!(!d.path().join("nowhere.txt").exists());
        }
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn the_database_and_audio_are_never_replaced() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("x.sqlite");
        std::fs::write(&db, "db").unwrap();
        let mut p = Policy::new(true);
        p.replace_audio = true;
        p.protect_database(&db);
        let e = write(&db, &p, "csv").unwrap_err();
        assert!(matches!(e, SafeFileError::Refused(Refusal::Database(_))), "{e}");
        // Another spelling of it, a hard link to it, its WAL (even before it exists).
        let other = d.path().join(".").join("x.sqlite");
        assert!(write(&other, &p, "csv").is_err());
        let hard = d.path().join("hard.csv");
        std::fs::hard_link(&db, &hard).unwrap();
        assert!(write(&hard, &p, "csv").is_err());
        assert!(write(&d.path().join("x.sqlite-wal"), &p, "csv").is_err());
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "db");

        let wav = d.path().join("call.data");
        std::fs::write(&wav, b"RIFF\0\0\0\0WAVEfmt ").unwrap();
        for force in [false, true] {
            let e = write(&wav, &Policy::new(force), "csv").unwrap_err();
            assert!(matches!(e, SafeFileError::Refused(Refusal::Audio(_))), "{e}");
        }
        p.protect_audio(&wav);
        assert!(write(&wav, &p, "csv").is_err(), "a protected call even when audio may be replaced");
        assert_eq!(std::fs::read(&wav).unwrap(), b"RIFF\0\0\0\0WAVEfmt ");
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out.csv");
        let r: Result<(), SafeFileError> = write_with(&out, &Policy::new(false), |w| {
            w.write_all(b"half").map_err(|e| SafeFileError::io(&out, e))?;
            Err(SafeFileError::io(&out, std::io::Error::other("disk full")))
        });
        assert!(r.is_err());
        assert!(!out.exists());
        assert!(leftovers(d.path()).is_empty());
    }
}
