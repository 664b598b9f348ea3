//! `callqa clip` and `callqa clips`: trainers' coaching sets. `clip` marks a good or bad moment
//! of a call with a note; `clips` lists a set and exports it as WAV clips plus an index
//! spreadsheet (CSV, UTF-8 with BOM) to hand to trainees.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::export::{BOM, open_existing};
use super::{CliError, db_path};
use crate::audio::{WavReader, content_hash};
use crate::model::call::CallMeta;
use crate::model::clock;
use crate::store::{Clip, ClipDraft, ClipKind, Store};

/// What `callqa clip` was asked.
#[derive(Debug)]
pub struct ClipArgs {
    pub file: PathBuf,
    pub from: String,
    pub to: String,
    pub kind: ClipKind,
    pub set: String,
    pub author: String,
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
    export: Option<&Path>,
    json: bool,
    remove: Option<(i64, String)>,
) -> ExitCode {
    if let Some((id, author)) = remove {
        let removed = (|| -> Result<()> {
            if author.trim().is_empty() {
                bail!(CliError::Usage("--author is empty; say who removes the clip".into()));
            }
            let mut store = Store::open(&db_path(db)?)?;
            store.remove_clip(id, author.trim())?;
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

fn clip(db: Option<&Path>, a: &ClipArgs) -> Result<()> {
    let (from, to) = (parse_time(&a.from)?, parse_time(&a.to)?);
    if a.author.trim().is_empty() {
        bail!(CliError::Usage("--author is empty; give the trainer's name".into()));
    }
    let info = WavReader::open(&a.file)
        .with_context(|| format!("cannot open the call {}", a.file.display()))?
        .info()
        .clone();
    let hash = content_hash(&a.file).with_context(|| format!("cannot read the call {}", a.file.display()))?;
    let meta = CallMeta::from_wav(&a.file, &info);
    let mut store = Store::open(&db_path(db)?)?;
    let call_id = store.upsert_call(&hash, &a.file, &meta)?;
    let draft = ClipDraft {
        set: a.set.clone(),
        call_id,
        start_s: from,
        end_s: to,
        kind: a.kind,
        note: a.note.clone(),
        author: a.author.clone(),
    };
    let id = store.add_clip(&draft).map_err(|e| match e {
        crate::store::StoreError::BadClip(m) => anyhow::Error::new(CliError::Usage(m)),
        e => e.into(),
    })?;
    println!(
        "clip {id} added to \"{}\": {} – {} ({:.1} s, {}) of {}",
        a.set.trim(),
        clock(from),
        clock(to),
        to - from,
        a.kind.as_str(),
        a.file.display()
    );
    Ok(())
}

fn clips(db: Option<&Path>, set: Option<&str>, export: Option<&Path>, json: bool) -> Result<()> {
    let store = open_existing(db)?;
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
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if list.is_empty() {
        println!("no clips{}", set.map_or_else(String::new, |s| format!(" in \"{s}\"")));
    } else {
        let mut last_set = "";
        for c in &list {
            if c.set != last_set {
                println!("{}", c.set);
                last_set = &c.set;
            }
            println!(
                "  {:>4}  {:<4} {} – {}  {}  {} ({})",
                c.id,
                c.kind.as_str(),
                clock(c.start_s),
                clock(c.end_s),
                file_name(&c.call.path),
                c.note,
                c.author
            );
        }
    }
    if let Some(dir) = export {
        export_clips(&list, dir)?;
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

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

/// Writes each clip as a 16-bit PCM WAV (the call's rate and channels) into `dir/<set>/`, with
/// an `index.csv` per set. A clip whose call cannot be read is reported and skipped; the
/// export then fails at the end (exit 1) after writing the others.
fn export_clips(list: &[Clip], dir: &Path) -> Result<()> {
    let mut failed = Vec::new();
    let mut sets: Vec<&str> = list.iter().map(|c| c.set.as_str()).collect();
    sets.dedup();
    for set in sets {
        let folder = dir.join(safe(set));
        std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
        let index_path = folder.join("index.csv");
        let mut index = std::fs::File::create(&index_path)
            .with_context(|| format!("cannot write {}", index_path.display()))?;
        index.write_all(BOM)?;
        let mut w = csv::Writer::from_writer(index);
        w.write_record(["clip", "file", "kind", "call", "start", "end", "seconds", "note", "author"])?;
        for (n, c) in list.iter().filter(|c| c.set == set).enumerate() {
            let stem =
                c.call.path.file_stem().map_or_else(|| "call".into(), |s| s.to_string_lossy().into_owned());
            let name = format!(
                "{:02}_{}_{}_{}-{}.wav",
                n + 1,
                c.kind.as_str(),
                safe(&stem),
                clock(c.start_s).replace(':', "m"),
                clock(c.end_s).replace(':', "m")
            );
            match write_clip(c, &folder.join(&name)) {
                Ok(()) => {
                    w.write_record([
                        c.id.to_string(),
                        name.clone(),
                        c.kind.as_str().to_string(),
                        file_name(&c.call.path),
                        clock(c.start_s),
                        clock(c.end_s),
                        format!("{:.1}", c.end_s - c.start_s),
                        c.note.clone(),
                        c.author.clone(),
                    ])?;
                }
                Err(e) => {
                    eprintln!("callqa clips: clip {} not exported: {e:#}", c.id);
                    failed.push(c.id);
                }
            }
        }
        w.flush()?;
        println!("exported \"{set}\" to {}", folder.display());
    }
    if !failed.is_empty() {
        bail!(
            "{} clip(s) could not be exported (their calls cannot be read where they were last seen)",
            failed.len()
        );
    }
    Ok(())
}

fn write_clip(c: &Clip, out: &Path) -> Result<()> {
    let mut r =
        WavReader::open(&c.call.path).with_context(|| format!("cannot open {}", c.call.path.display()))?;
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
    let mut w =
        hound::WavWriter::create(out, spec).with_context(|| format!("cannot write {}", out.display()))?;
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
    w.finalize()?;
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
}
