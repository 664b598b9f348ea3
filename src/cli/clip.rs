//! `callqa clip` and `callqa clips`: trainers' coaching sets. `clip` marks a good or bad moment
//! of a call with a note; `clips` lists a set and exports it as WAV clips plus an index
//! spreadsheet (CSV through [`crate::safe_csv`]) to hand to trainees. Every exported file goes
//! through [`crate::safe_file`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::CliError;
use super::export::{backend_write_policy, open_backend, open_existing_backend};
use super::out::{outln, term, term_path};
use crate::audio::{WavReader, content_hash};
use crate::model::call::CallMeta;
use crate::model::clock;
use crate::safe_csv::{Cell, CsvWriter};
use crate::safe_file::{self, Policy, Refusal, SafeFileError, TempFile};
use crate::store::backend::Backend;
use crate::store::{Clip, ClipDraft, ClipKind};

/// What `callqa clip` was asked.
#[derive(Debug)]
pub struct ClipArgs {
    pub file: PathBuf,
    pub from: String,
    pub to: String,
    pub kind: ClipKind,
    pub set: String,
    /// Who made it; on the team store the login (a name given must be it).
    pub author: Option<String>,
    pub note: String,
}

pub fn run_clip(db: Option<&Path>, args: &ClipArgs) -> ExitCode {
    match clip(db, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("clip", &e),
    }
}

pub fn run_clips(
    db: Option<&Path>,
    set: Option<&str>,
    export: Option<&ExportTo>,
    json: bool,
    remove: Option<(i64, Option<String>)>,
) -> ExitCode {
    if let Some((id, author)) = remove {
        let removed = (|| -> Result<()> {
            let mut store = open_backend(db)?;
            let author = who(&store, author.as_deref(), "removes the clip")?;
            store.remove_clip(id, &author)?;
            eprintln!("clip {id} removed");
            Ok(())
        })();
        if let Err(e) = removed {
            return super::report_error("clips", &e);
        }
    }
    match clips(db, set, export, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("clips", &e),
    }
}

/// A time as seconds (`65.2`) or minutes and seconds (`1:05.2`).
pub fn parse_time(s: &str) -> Result<f64, CliError> {
    crate::model::parse_time(s)
        .ok_or_else(|| CliError::Usage(format!("{s:?} is not a time; write seconds (65.2) or m:ss (1:05.2)")))
}

/// Who does it: `--author`, or on the team store the login (a name given must be it).
fn who(store: &Backend, author: Option<&str>, does: &str) -> Result<String> {
    let author = author.map(str::trim);
    match (store.login(), author) {
        (_, Some("")) => bail!(CliError::Usage(format!("--author is empty; say who {does}"))),
        (Some(login), Some(name)) if name != login => bail!(CliError::Usage(format!(
            "on the team store the author is your login ({}), not {}; leave out --author",
            term(login),
            term(name)
        ))),
        (Some(login), _) => Ok(login.to_string()),
        (None, Some(name)) => Ok(name.to_string()),
        (None, None) => bail!(CliError::Usage(format!("give --author NAME: who {does}"))),
    }
}

fn clip(db: Option<&Path>, a: &ClipArgs) -> Result<()> {
    let (from, to) = (parse_time(&a.from)?, parse_time(&a.to)?);
    if a.author.as_deref().is_some_and(|n| n.trim().is_empty()) {
        bail!(CliError::Usage("--author is empty; give the trainer's name".into()));
    }
    if a.author.is_none() && super::team_url(db).is_none() {
        bail!(CliError::Usage("give --author NAME: the trainer who makes the clip".into()));
    }
    let info = WavReader::open(&a.file)
        .with_context(|| format!("cannot open the call {}", a.file.display()))?
        .info()
        .clone();
    let hash = content_hash(&a.file).with_context(|| format!("cannot read the call {}", a.file.display()))?;
    let meta = CallMeta::from_wav(&a.file, &info);
    let mut store = open_backend(db)?;
    let author = who(&store, a.author.as_deref(), "makes the clip")?;
    let call_id = store.upsert_call(&hash, &a.file, &meta)?;
    let draft = ClipDraft {
        set: a.set.clone(),
        call_id,
        start_s: from,
        end_s: to,
        kind: a.kind,
        note: a.note.clone(),
        author,
    };
    let id = store.add_clip(&draft).map_err(|e| match e {
        crate::store::StoreError::BadClip(m) => anyhow::Error::new(CliError::Usage(m)),
        e => e.into(),
    })?;
    outln!(
        "clip {id} added to \"{}\": {} – {} ({:.1} s, {}) of {}",
        term(a.set.trim()),
        clock(from),
        clock(to),
        to - from,
        a.kind.as_str(),
        term_path(&a.file)
    );
    Ok(())
}

fn clips(db: Option<&Path>, set: Option<&str>, export: Option<&ExportTo>, json: bool) -> Result<()> {
    let mut store = open_existing_backend(db)?;
    let list = store.clips(set)?;
    if json {
        let v: Vec<_> = list
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("call_file".into(), c.call.path.display().to_string().into());
                    o.insert("call_hash".into(), c.call.hash.clone().into());
                }
                v
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else if list.is_empty() {
        outln!("no clips{}", set.map_or_else(String::new, |s| format!(" in \"{}\"", term(s))));
    } else {
        let mut last_set = None;
        for c in &list {
            if last_set != Some(c.set.as_str()) {
                outln!("{}", term(&c.set));
                last_set = Some(c.set.as_str());
            }
            outln!(
                "  {:>4}  {:<4} {} – {}  {}  {} ({})",
                c.id,
                c.kind.as_str(),
                clock(c.start_s),
                clock(c.end_s),
                term(&file_name(&c.call.path)),
                term(&c.note),
                term(&c.author)
            );
        }
    }
    if let Some(to) = export {
        export_clips(&mut store, &list, to)?;
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The longest file or folder name most file systems take, in bytes.
const MAX_NAME: usize = 255;

/// A name safe in any file system (set names and call names become folder and file names).
fn safe(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            let hostile = c.is_control()
                || c.is_whitespace()
                || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|');
            if hostile { '_' } else { c }
        })
        .collect();
    let t = t.trim_matches('.').to_string();
    if t.is_empty() { "_".into() } else { t }
}

/// The longest start of `s` that fits in `max` bytes, cut between characters.
fn fit(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// Folder names for sets, unique within one export (also on case-insensitive file systems):
/// the second set whose safe name is taken gets `~2`, the next `~3`, and so on.
#[derive(Debug, Default)]
struct FolderNames {
    used: std::collections::HashSet<String>,
}

impl FolderNames {
    fn new() -> FolderNames {
        // The export's own index sits beside the folders.
        let mut names = FolderNames::default();
        names.used.insert(INDEX.to_lowercase());
        names
    }

    fn folder_for(&mut self, set: &str) -> String {
        let base = safe(set);
        let mut n = 1usize;
        loop {
            let suffix = if n == 1 { String::new() } else { format!("~{n}") };
            let name = format!("{}{suffix}", fit(&base, MAX_NAME - suffix.len()));
            if self.used.insert(name.to_lowercase()) {
                return name;
            }
            n += 1;
        }
    }
}

/// A clip's file name: its id (unique), good or bad, the call's name (shortened to fit),
/// and the times: `07_bad_call_0m05.8-0m07.4.wav`.
fn clip_file_name(c: &Clip) -> String {
    let stem = c.call.path.file_stem().map_or_else(|| "call".into(), |s| s.to_string_lossy().into_owned());
    let head = format!("{:02}_{}_", c.id, c.kind.as_str());
    let tail = format!("_{}-{}.wav", clock(c.start_s).replace(':', "m"), clock(c.end_s).replace(':', "m"));
    let room = MAX_NAME.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", fit(&safe(&stem), room))
}

/// The name of the index files: `DIR/index.csv` (set → folder) and one per set folder.
const INDEX: &str = "index.csv";

/// Where and how `callqa clips --export` writes.
#[derive(Debug)]
pub struct ExportTo {
    pub dir: PathBuf,
    /// Index text exactly as stored (no `'` before formula-like text).
    pub raw: bool,
    /// Replace files of an earlier export.
    pub force: bool,
}

/// One set's part of an export.
#[derive(Debug)]
struct SetPlan<'a> {
    set: &'a str,
    folder: PathBuf,
    folder_name: String,
    clips: Vec<(&'a Clip, String)>,
}

/// Writes each clip as a 16-bit PCM WAV (the call's rate and channels) into a folder per set
/// (`DIR/<set>/`, names made unique), with an `index.csv` per set and one in `DIR` mapping
/// each set to its folder.
///
/// Every destination is checked first; if one is refused (it exists without `--force`, is a
/// link, the database or a call) nothing is written (exit 2). Then each clip's call is checked
/// against its content hash: a call that is missing, changed or replaced by another file is
/// reported and its clips skipped; the others are written, and the export ends with exit 1.
/// Each file is written to a temporary file and renamed into place.
fn export_clips(store: &mut Backend, list: &[Clip], to: &ExportTo) -> Result<()> {
    // With --force, clips of an earlier export may be replaced; the calls never.
    let mut policy = backend_write_policy(store, to.force)?;
    policy.replace_audio = to.force;
    let mut names = FolderNames::new();
    let mut plans: Vec<SetPlan<'_>> = Vec::new();
    for c in list {
        if plans.last().is_none_or(|p| p.set != c.set) {
            let folder_name = names.folder_for(&c.set);
            plans.push(SetPlan {
                set: &c.set,
                folder: to.dir.join(&folder_name),
                folder_name,
                clips: Vec::new(),
            });
        }
        if let Some(p) = plans.last_mut() {
            p.clips.push((c, clip_file_name(c)));
        }
    }

    // 1. Check every destination before writing anything. A target that is not a folder is
    // the one thing to say (every file under it would only repeat it).
    if let Ok(m) = std::fs::metadata(&to.dir)
        && !m.is_dir()
    {
        bail!(CliError::Usage(format!("{} is not a folder; nothing was exported", to.dir.display())));
    }
    let mut refused = Vec::new();
    let check = |p: &Path| policy.check(p).err().map(|e| e.to_string());
    refused.extend(check(&to.dir.join(INDEX)));
    for plan in &plans {
        match std::fs::symlink_metadata(&plan.folder) {
            Ok(m) if m.file_type().is_symlink() => {
                refused.push(Refusal::Symlink(plan.folder.clone()).to_string())
            }
            Ok(m) if !m.is_dir() => refused.push(format!("{} is not a folder", plan.folder.display())),
            _ => {
                refused.extend(check(&plan.folder.join(INDEX)));
                for (_, name) in &plan.clips {
                    refused.extend(check(&plan.folder.join(name)));
                }
            }
        }
    }
    if let Some(first) = refused.first() {
        for r in refused.iter().skip(1) {
            eprintln!("callqa clips: {}", term(r));
        }
        bail!(CliError::Usage(format!("{first}; nothing was exported")));
    }

    // 2. Write.
    std::fs::create_dir_all(&to.dir).with_context(|| format!("cannot create {}", to.dir.display()))?;
    let mut failed = Vec::new();
    let mut verified: HashMap<i64, Fingerprint> = HashMap::new();
    let mut sets_index: Vec<(&str, &str, i64)> = Vec::new();
    for plan in &plans {
        make_folder(&plan.folder)?;
        let mut rows: Vec<Vec<Cell<'_>>> = Vec::new();
        for (c, name) in &plan.clips {
            match write_clip(c, &plan.folder.join(name), &policy, &mut verified) {
                Ok(()) => rows.push(vec![
                    Cell::Int(c.id),
                    Cell::text(name.as_str()),
                    Cell::text(c.kind.as_str()),
                    Cell::text(file_name(&c.call.path)),
                    Cell::text(clock(c.start_s)),
                    Cell::text(clock(c.end_s)),
                    Cell::num(c.end_s - c.start_s, 1),
                    Cell::text(c.note.as_str()),
                    Cell::text(c.author.as_str()),
                    Cell::text(c.set.as_str()),
                ]),
                Err(e) if is_refusal(&e) => return Err(e),
                Err(e) => {
                    eprintln!("callqa clips: clip {} not exported: {}", c.id, term(&format!("{e:#}")));
                    failed.push(c.id);
                }
            }
        }
        let exported = rows.len();
        safe_file::write_with(&plan.folder.join(INDEX), &policy, |w| -> Result<()> {
            let mut csv = CsvWriter::new(w, to.raw)?;
            csv.header(&[
                "clip", "file", "kind", "call", "start", "end", "seconds", "note", "author", "set",
            ])?;
            for r in &rows {
                csv.row(r)?;
            }
            csv.finish()?;
            Ok(())
        })?;
        sets_index.push((plan.set, &plan.folder_name, i64::try_from(exported).unwrap_or(i64::MAX)));
        outln!("exported \"{}\" to {}", term(plan.set), term_path(&plan.folder));
    }
    safe_file::write_with(&to.dir.join(INDEX), &policy, |w| -> Result<()> {
        let mut csv = CsvWriter::new(w, to.raw)?;
        csv.header(&["set", "folder", "clips"])?;
        for (set, folder, n) in &sets_index {
            csv.row(&[Cell::text(*set), Cell::text(*folder), Cell::Int(*n)])?;
        }
        csv.finish()?;
        Ok(())
    })?;
    if !failed.is_empty() {
        bail!(
            "{} clip(s) could not be exported (their calls are missing, changed or unreadable where they \
             were last seen; open each call where it is now to update its place)",
            failed.len()
        );
    }
    Ok(())
}

fn is_refusal(e: &anyhow::Error) -> bool {
    matches!(e.downcast_ref::<SafeFileError>(), Some(SafeFileError::Refused(_)))
}

/// Creates a set's folder (its parent exists); an existing one must be a real folder, not a
/// link to somewhere else.
fn make_folder(folder: &Path) -> Result<()> {
    match std::fs::create_dir(folder) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", folder.display())),
    }
    let meta =
        std::fs::symlink_metadata(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    if meta.file_type().is_symlink() {
        return Err(SafeFileError::from(Refusal::Symlink(folder.to_path_buf())).into());
    }
    if !meta.is_dir() {
        bail!(CliError::Usage(format!("{} is not a folder", folder.display())));
    }
    Ok(())
}

/// What identifies the file at a call's path between the hash check and the end of the cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<std::time::SystemTime>,
    id: (u64, u64),
}

fn fingerprint(p: &Path) -> std::io::Result<Fingerprint> {
    let m = std::fs::metadata(p)?;
    #[cfg(unix)]
    let id = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let id = (0, 0);
    Ok(Fingerprint { len: m.len(), modified: m.modified().ok(), id })
}

/// Checks that the file at the clip's call path is still that call (its content hash), once
/// per call and export.
fn verify_call(c: &Clip, verified: &mut HashMap<i64, Fingerprint>) -> Result<Fingerprint> {
    let path = &c.call.path;
    let shown = term_path(path);
    let before = fingerprint(path).with_context(|| format!("cannot read the call {shown}"))?;
    if verified.get(&c.call.id) == Some(&before) {
        return Ok(before);
    }
    let hash = content_hash(path).with_context(|| format!("cannot read the call {shown}"))?;
    if hash != c.call.hash {
        bail!(
            "the file at {shown} is not the call this clip was made from (its audio has changed or \
             another file is there now)"
        );
    }
    if fingerprint(path).ok() != Some(before) {
        bail!("the call changed while it was being checked: {shown}");
    }
    verified.insert(c.call.id, before);
    Ok(before)
}

fn write_clip(c: &Clip, out: &Path, policy: &Policy, verified: &mut HashMap<i64, Fingerprint>) -> Result<()> {
    let checked = verify_call(c, verified)?;
    let shown = term_path(&c.call.path);
    let mut r = WavReader::open(&c.call.path).with_context(|| format!("cannot open {shown}"))?;
    let info = r.info().clone();
    let rate = f64::from(info.sample_rate.max(1));
    let (from, to) = ((c.start_s * rate).round() as u64, (c.end_s * rate).round() as u64);
    let to = to.min(info.frames);
    r.seek(from)?;
    let spec = hound::WavSpec {
        channels: info.channels.max(1),
        sample_rate: info.sample_rate.max(1),
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut tmp = TempFile::create(out, policy)?;
    {
        let mut w = hound::WavWriter::new(std::io::BufWriter::new(tmp.file()), spec)
            .with_context(|| format!("cannot write {}", out.display()))?;
        let mut left = to.saturating_sub(from);
        let mut buf = Vec::new();
        while left > 0 {
            let n = r.read_frames(&mut buf, usize::try_from(left.min(1 << 16)).unwrap_or(1 << 16))?;
            if n == 0 {
                break;
            }
            for &v in &buf {
                w.write_sample((v.clamp(-1.0, 1.0) * 32767.0).round() as i16)?;
            }
            left = left.saturating_sub(n as u64);
        }
        w.finalize().with_context(|| format!("cannot write {}", out.display()))?;
    }
    if fingerprint(&c.call.path).ok() != Some(checked) {
        bail!("the call changed while the clip was being cut: {shown}");
    }
    tmp.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn times_and_names() {
        // Parsing itself is tested in `model`; here: the usage error says what to write.
        assert_eq!(parse_time("1:05.5").ok(), Some(65.5));
        let e = parse_time("1:75").unwrap_err().to_string();
        assert!(e.contains("m:ss"), "{e}");
        assert_eq!(safe("Interruptions / ग्राहक"), "Interruptions___ग्राहक");
    }

    #[test]
    fn folder_names_are_unique_and_fit() {
        let mut names = FolderNames::new();
        let got: Vec<String> = ["p/q", "p_q", ".", "..", "x", "x.", "X", "index.csv"]
            .iter()
            .map(|s| names.folder_for(s))
            .collect();
        assert_eq!(got, ["p_q", "p_q~2", "_", "_~2", "x", "x~2", "X~3", "index.csv~2"]);
        let long = "ग".repeat(100); // 300 bytes
        let (a, b) = (names.folder_for(&long), names.folder_for(&long));
        assert!(a.len() <= MAX_NAME && b.len() <= MAX_NAME && a != b, "{a} {b}");
        assert!(b.ends_with("~2") && long.starts_with(b.trim_end_matches("~2")));
        assert_eq!(fit("aग", 2), "a");
        assert_eq!(fit("aग", 4), "aग");
    }
}
