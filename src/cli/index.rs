//! `callqa index [PATH...] [--force] [--json]`: analyses calls and stores their figures
//! (`store/metrics.rs`) for `callqa sample --stratify overtalk` and reports.
//!
//! - **No paths**: every call the database knows that has no figures from this analyser yet
//!   (every call with `--force`), at the first of its known paths that holds a file; a call
//!   whose file is nowhere is skipped and listed as missing.
//! - **Paths** (files, and folders walked recursively for `*.wav`): each file is recorded as
//!   the window records it (content hash → `upsert_call`) and analysed unless its call already
//!   has figures (or `--force`). A path that does not exist fails.
//!
//! - **Who, when, which team** (`--metadata FILE.csv`, `--name-pattern P`): a dialer's CSV row
//!   for the call (joined by path, then by an unambiguous file name) and the named groups of
//!   the first pattern matching its file name give its agent, recording time and team. The
//!   CSV wins over the pattern, and both over what the file's tags and callqa's default
//!   patterns say and over what the database holds ([`Backend::set_call_details`]); what
//!   neither knows keeps the stored value (an empty cell never erases a team). Without them
//!   a call's details are only filled in where missing (`upsert_call`).
//!
//! Every file goes through the one analysis stream ([`crate::jobs::stream::analyse_file`],
//! default settings, as the window), one file at a time (each analysis already uses two
//! threads). A file that cannot be read or decoded is reported with why and the rest go on;
//! the exit code is then 1. Progress goes to stderr, the summary to stdout. A database error
//! stops the run (what was stored stays stored: one transaction per call).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::export::open_backend;
use super::out::{outln, term, term_path};
use super::{CliError, db_path, team_url};
use crate::analysis::Config;
use crate::audio::{DecodeError, WavReader, content_hash};
use crate::jobs::is_wav_path;
use crate::jobs::stream::{Stream, StreamError, analyse_file};
use crate::model::call::CallMeta;
use crate::model::metadata::MetadataTable;
use crate::model::naming::NameRules;
use crate::store::backend::Backend;
use crate::store::{CallDetails, CallMetrics, StoredMetrics};

/// What `callqa index` was asked.
#[derive(Debug, Clone)]
pub struct IndexArgs {
    pub paths: Vec<PathBuf>,
    pub force: bool,
    pub json: bool,
    /// `--name-pattern`: presets or regular expressions with named groups, tried in order.
    pub name_patterns: Vec<String>,
    /// `--metadata`: a dialer's CSV.
    pub metadata: Option<PathBuf>,
}

/// Where a call's agent, time and team come from besides the file itself.
#[derive(Default)]
struct Sources {
    rules: Option<NameRules>,
    /// The CSV's path (for the audit row) and rows.
    metadata: Option<(PathBuf, MetadataTable)>,
}

impl Sources {
    fn from_args(args: &IndexArgs) -> Result<Sources> {
        let rules = if args.name_patterns.is_empty() {
            None
        } else {
            Some(NameRules::from_specs(&args.name_patterns).map_err(|e| CliError::Usage(e.to_string()))?)
        };
        let metadata = match &args.metadata {
            None => None,
            Some(p) => Some((p.clone(), super::sample::read_metadata(p)?.1)),
        };
        Ok(Sources { rules, metadata })
    }

    fn given(&self) -> bool {
        self.rules.is_some() || self.metadata.is_some()
    }

    /// What the CSV (first) and the patterns say about the call seen at `paths` with file
    /// name `file_name`; empty when neither is given or neither knows it.
    fn details(&self, paths: &[PathBuf], file_name: &str) -> CallDetails {
        let mut d = CallDetails::default();
        let mut from = Vec::new();
        if let Some((csv, table)) = &self.metadata
            && let Some(m) = table.lookup(paths.iter().map(PathBuf::as_path))
        {
            d.agent.clone_from(&m.agent);
            d.recorded_at.clone_from(&m.recorded_at);
            d.team.clone_from(&m.team);
            from.push(format!("metadata CSV {}", csv.display()));
        }
        if let Some(f) = self.rules.as_ref().and_then(|r| r.parse(file_name)) {
            d.agent = d.agent.or(f.agent.clone());
            d.recorded_at = d.recorded_at.or_else(|| f.recorded_at());
            d.team = d.team.or(f.team.clone());
            from.push(format!("name pattern {}", f.pattern));
        }
        d.source = from.join(", ");
        d
    }
}

/// Why one file could not be indexed (the run goes on).
#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error("no such file or folder")]
    NotFound,
    #[error("cannot read the folder ({0})")]
    Folder(std::io::Error),
    #[error("{0}")]
    Open(DecodeError),
    #[error("cannot identify its audio ({0})")]
    Hash(DecodeError),
    #[error("{0}")]
    Analyse(StreamError),
}

/// A call analysed and stored.
#[derive(Debug, Serialize)]
struct Indexed {
    call_id: i64,
    path: PathBuf,
    duration_s: f64,
    overtalk_count: u32,
    overtalk_per_min: Option<f64>,
    /// The analysis' warnings (a truncated file...): the figures are stored anyway.
    warnings: Vec<String>,
}

/// A known call whose file is at none of its paths.
#[derive(Debug, Serialize)]
struct Missing {
    call_id: i64,
    file_name: String,
    /// Where it was last seen.
    path: PathBuf,
}

/// A file that could not be indexed.
#[derive(Debug, Serialize)]
struct Failed {
    path: PathBuf,
    error: String,
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
struct Summary {
    indexed: Vec<Indexed>,
    /// Calls that already had figures (or a copy analysed earlier in this run).
    already_indexed: usize,
    skipped_missing: Vec<Missing>,
    failed: Vec<Failed>,
    /// Calls whose agent, date or team `--metadata`/`--name-pattern` changed.
    details_updated: usize,
}

/// One file's fate.
enum Outcome {
    Indexed(Indexed),
    Already,
}

pub fn run(db: Option<&Path>, args: &IndexArgs) -> ExitCode {
    match run_index(db, args) {
        Ok(s) if s.failed.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => super::report_error("index", &e),
    }
}

fn run_index(db: Option<&Path>, args: &IndexArgs) -> Result<Summary> {
    if team_url(db).is_none() {
        let path = db_path(db)?;
        if args.paths.is_empty() && !path.exists() {
            bail!(CliError::Usage(format!(
                "there is no review database yet: give files or folders to index (or pass --db): {}",
                path.display()
            )));
        }
    }
    let sources = Sources::from_args(args)?;
    let mut store = open_backend(db)?;
    if let Some(local) = store.local_opt() {
        // Only derived data is written here: commits need not wait for the disk (see the method).
        local.for_derived_data()?;
    }
    let mut summary = Summary::default();
    let files = if args.paths.is_empty() {
        if sources.given() {
            // Every known call, analysed or not, file present or not: the details come from
            // the database's paths and file names.
            for call in store.calls()? {
                let mut paths = store.call_paths(call.id)?;
                paths.push(call.path.clone());
                let details = sources.details(&paths, &call.meta.file_name);
                if !details.is_empty() && store.set_call_details(call.id, &details)? {
                    summary.details_updated += 1;
                }
            }
        }
        known_calls(&mut store, args.force, &mut summary)?
    } else {
        given_files(&args.paths, &mut summary)
    };
    let total = files.len();
    let mut done: HashSet<i64> = HashSet::new();
    for (i, file) in files.iter().enumerate() {
        let n = i + 1;
        match index_file(&mut store, &sources, file, args.force, &mut done, &mut summary.details_updated) {
            Ok(Outcome::Indexed(x)) => {
                let warn = if x.warnings.is_empty() { String::new() } else { " (with warnings)".into() };
                eprintln!("indexed {n}/{total} {}{warn}", term_path(file));
                summary.indexed.push(x);
            }
            Ok(Outcome::Already) => {
                eprintln!("skipped {n}/{total} {} (already indexed)", term_path(file));
                summary.already_indexed += 1;
            }
            Err(Fail::File(e)) => {
                eprintln!("failed  {n}/{total} {}: {}", term_path(file), term(&e.to_string()));
                summary.failed.push(Failed { path: file.clone(), error: e.to_string() });
            }
            Err(Fail::Store(e)) => {
                print_summary(&summary, args.json)?;
                return Err(e.context(format!("stopped at {}", file.display())));
            }
        }
    }
    print_summary(&summary, args.json)?;
    Ok(summary)
}

/// The calls to analyse when no paths are given: those without current figures (all with
/// `force`) at the first of their paths that holds a file. Calls whose file is nowhere are
/// listed in `summary`; calls already indexed are counted there.
fn known_calls(store: &mut Backend, force: bool, summary: &mut Summary) -> Result<Vec<PathBuf>> {
    let stored: HashMap<i64, StoredMetrics> = store
        .all_metrics()
        .context("cannot read the stored figures")?
        .into_iter()
        .map(|m| (m.call_id, m))
        .collect();
    let mut files = Vec::new();
    for call in store.calls()? {
        if !force && stored.get(&call.id).is_some_and(|m| m.metrics.is_current()) {
            summary.already_indexed += 1;
            continue;
        }
        let paths = store.call_paths(call.id)?;
        match paths.into_iter().chain([call.path.clone()]).find(|p| p.is_file()) {
            Some(p) => files.push(p),
            None => {
                eprintln!("missing {}: no file at any path it was seen at", term_path(&call.path));
                summary.skipped_missing.push(Missing {
                    call_id: call.id,
                    file_name: call.meta.file_name,
                    path: call.path,
                });
            }
        }
    }
    Ok(files)
}

/// The files named, and the WAVs under the folders named (sorted, each file once). A path
/// that does not exist, or a folder that cannot be read, is a failure in `summary`.
fn given_files(paths: &[PathBuf], summary: &mut Summary) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for p in paths {
        let found = match std::fs::metadata(p) {
            Err(_) => Err(FileError::NotFound),
            Ok(m) if m.is_dir() => wavs_under(p).map_err(FileError::Folder),
            Ok(_) => Ok(vec![p.clone()]),
        };
        match found {
            Ok(list) => {
                for f in list {
                    let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
                    if seen.insert(key) {
                        files.push(f);
                    }
                }
            }
            Err(e) => {
                eprintln!("failed  {}: {e}", term_path(p));
                summary.failed.push(Failed { path: p.clone(), error: e.to_string() });
            }
        }
    }
    files
}

/// Every `*.wav` file under `root`, sorted, sub-folders included (a folder reached twice
/// through links is walked once). Unreadable sub-folders are skipped; `Err` only when `root`
/// cannot be read.
fn wavs_under(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut seen = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if dir == root => return Err(e),
            Err(_) => continue,
        };
        if !seen.insert(std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
            continue;
        }
        let mut here: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        here.sort();
        let mut subdirs = Vec::new();
        for p in here {
            match std::fs::metadata(&p) {
                Ok(m) if m.is_dir() => subdirs.push(p),
                Ok(m) if m.is_file() && is_wav_path(&p) => files.push(p),
                _ => {}
            }
        }
        // Reversed onto the stack: sub-folders are walked in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(files)
}

/// Why a file was not indexed: the file (the run goes on) or the database (it stops).
enum Fail {
    File(FileError),
    Store(anyhow::Error),
}

impl From<crate::store::StoreError> for Fail {
    fn from(e: crate::store::StoreError) -> Self {
        Fail::Store(e.into())
    }
}

/// Records one file's call — its agent, time and team as `sources` say, else as the file says
/// (see the module's docs; `updated` counts a known call whose details `sources` changed) —
/// and analyses it and stores the figures unless the call has them already (or was analysed
/// earlier in this run, as a copy).
fn index_file(
    store: &mut Backend,
    sources: &Sources,
    path: &Path,
    force: bool,
    done: &mut HashSet<i64>,
    updated: &mut usize,
) -> Result<Outcome, Fail> {
    let info = WavReader::open(path).map_err(|e| Fail::File(FileError::Open(e)))?.info().clone();
    let hash = content_hash(path).map_err(|e| Fail::File(FileError::Hash(e)))?;
    let mut meta = CallMeta::from_wav(path, &info);
    let call_id = if sources.given() {
        let mut paths: Vec<PathBuf> =
            std::path::absolute(path).into_iter().chain([path.to_path_buf()]).collect();
        let known = store.call_by_hash(&hash)?;
        if let Some(k) = &known {
            paths.extend(store.call_paths(k.id)?);
        }
        let details = sources.details(&paths, &meta.file_name);
        meta.agent = details.agent.clone().or(meta.agent);
        meta.recorded_at = details.recorded_at.clone().or(meta.recorded_at);
        meta.team = details.team.clone().or(meta.team);
        let call_id = store.upsert_call(&hash, path, &meta)?;
        if !details.is_empty() {
            store.set_call_details(call_id, &details)?;
            let who = |m: &CallMeta| (m.agent.clone(), m.recorded_at.clone(), m.team.clone());
            let now = store.call(call_id)?.meta;
            if known.is_some_and(|k| who(&k.meta) != who(&now)) {
                *updated += 1;
            }
        }
        call_id
    } else {
        store.upsert_call(&hash, path, &meta)?
    };
    let current = store.metrics(call_id)?.is_some_and(|m| m.metrics.is_current());
    if done.contains(&call_id) || (current && !force) {
        return Ok(Outcome::Already);
    }
    let (_, analysis) =
        analyse_file(path, Config::default(), Stream { skip_peaks: true, ..Default::default() })
            .map_err(|e| Fail::File(FileError::Analyse(e)))?;
    let metrics = CallMetrics::from_analysis(&analysis);
    store.save_metrics(call_id, &metrics)?;
    done.insert(call_id);
    Ok(Outcome::Indexed(Indexed {
        call_id,
        path: path.to_path_buf(),
        duration_s: metrics.duration_s,
        overtalk_count: metrics.overtalk_count,
        overtalk_per_min: metrics.overtalk_per_min(),
        warnings: metrics.warnings,
    }))
}

fn print_summary(s: &Summary, json: bool) -> Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    outln!(
        "indexed {} call(s) · {} already indexed · {} missing file(s) · {} failed",
        s.indexed.len(),
        s.already_indexed,
        s.skipped_missing.len(),
        s.failed.len()
    );
    if s.details_updated > 0 {
        outln!("agent, date or team updated for {} known call(s)", s.details_updated);
    }
    for x in s.indexed.iter().filter(|x| !x.warnings.is_empty()) {
        outln!("warning: {}: {}", term_path(&x.path), term(&x.warnings.join("; ")));
    }
    for m in &s.skipped_missing {
        outln!("missing: call {} {:?}: no file at {}", m.call_id, term(&m.file_name), term_path(&m.path));
    }
    for f in &s.failed {
        outln!("failed: {}: {}", term_path(&f.path), term(&f.error));
    }
    Ok(())
}
