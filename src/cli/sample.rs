//! `callqa sample --per-agent N --seed S [--from DATE --to DATE] [--min-duration S]
//! [--stratify duration|overtalk|none] [--exclude-reviewed] [--name NAME] [--assign a,b,c]
//! [--name-pattern P]... [--metadata FILE.csv] [--dry-run] [--json]`: draws a reproducible
//! sample of the calls the database knows (the procedure is [`crate::model::sample`]) and
//! stores it as a named review queue (`store/queues.rs`).
//!
//! Who the agent is, and when the call was, come from (first that knows): the metadata CSV's
//! row for the call (`--metadata`, [`crate::model::metadata`]), the file name read with
//! `--name-pattern` ([`crate::model::naming`]), then what the database recorded when the call
//! was seen. Everything given on the command line is checked before the database is opened.
//!
//! `--stratify overtalk` bins by each call's overtalk rate (overtalks per minute) from the
//! analysis figures `callqa index` (or the window) stored; calls without them are skipped and
//! counted, and when no call of the selection has them the sample is refused with that hint.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

use super::out::{outln, term};
use super::{CliError, db_path};
use crate::model::clock;
use crate::model::metadata::MetadataTable;
use crate::model::naming::{NameRules, parse_date};
use crate::model::sample::{self, ALGORITHM, SampleCall, SampleFilter, Stratify};
use crate::store::backend::{Backend, Target};
use crate::store::{QueueDraft, QueueItemDraft, ReviewState, Store};

/// `--stratify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StratifyArg {
    Duration,
    Overtalk,
    None,
}

/// What `callqa sample` was asked.
#[derive(Debug, Clone)]
pub struct SampleArgs {
    pub per_agent: usize,
    pub seed: u64,
    pub from: Option<String>,
    pub to: Option<String>,
    pub min_duration: f64,
    pub stratify: StratifyArg,
    pub exclude_reviewed: bool,
    pub name: Option<String>,
    pub assign: Vec<String>,
    pub name_patterns: Vec<String>,
    pub metadata: Option<PathBuf>,
    pub created_by: Option<String>,
    pub dry_run: bool,
    pub json: bool,
}

pub fn run(db: Option<&Path>, args: &SampleArgs) -> ExitCode {
    match run_sample(db, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("sample", &e),
    }
}

fn usage(msg: String) -> anyhow::Error {
    CliError::Usage(msg).into()
}

/// `--from`/`--to`: a real day, `YYYY-MM-DD`.
fn day(flag: &str, s: &Option<String>) -> Result<Option<String>> {
    match s {
        None => Ok(None),
        Some(s) => match parse_date(s.trim()).filter(|_| s.trim().len() == 10) {
            Some(d) => Ok(Some(d)),
            None => Err(usage(format!("{flag} {s:?} is not a date; write YYYY-MM-DD"))),
        },
    }
}

fn run_sample(db: Option<&Path>, args: &SampleArgs) -> Result<()> {
    // 1. The command line, checked before anything is opened.
    if args.per_agent == 0 {
        bail!(usage("--per-agent must be 1 or more".into()));
    }
    let (from, to) = (day("--from", &args.from)?, day("--to", &args.to)?);
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        bail!(usage(format!("--from {f} is after --to {t}")));
    }
    if !(args.min_duration.is_finite() && args.min_duration >= 0.0) {
        bail!(usage(format!("--min-duration {} must be 0 or more seconds", args.min_duration)));
    }
    let stratify = match args.stratify {
        StratifyArg::Duration => Stratify::Duration,
        StratifyArg::None => Stratify::None,
        StratifyArg::Overtalk => Stratify::Overtalk,
    };
    let name = args.name.clone().unwrap_or_else(|| format!("sample-{}", args.seed));
    let name = name.trim().to_string();
    if name.is_empty() {
        bail!(usage("--name is empty; give the queue a name".into()));
    }
    if args.created_by.as_deref().is_some_and(|c| c.trim().is_empty()) {
        bail!(usage("--created-by is empty; say who makes the queue".into()));
    }
    let reviewers: Vec<String> =
        args.assign.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    let rules = if args.name_patterns.is_empty() {
        None
    } else {
        Some(NameRules::from_specs(&args.name_patterns).map_err(|e| usage(e.to_string()))?)
    };
    let metadata = match &args.metadata {
        None => None,
        Some(p) => {
            let (hash, table) = read_metadata(p)?;
            Some((p.clone(), hash, table))
        }
    };

    // 2. The database: an existing one (a sample of nothing is a mistake), or the team store
    // (where the queue is made in the login's name: a lead's right, the server's rule).
    let mut store = open(db, args.dry_run)?;
    let created_by = match (store.login(), args.created_by.as_deref().map(str::trim)) {
        (Some(login), Some(by)) if by != login => bail!(usage(format!(
            "on the team store the queue is made by your login ({}), not {}; leave out --created-by",
            term(login),
            term(by)
        ))),
        (Some(login), _) => login.to_string(),
        (None, by) => by.map_or_else(os_user, str::to_string),
    };
    if !args.dry_run && store.queue_by_name(&name)?.is_some() {
        bail!(usage(format!("a queue named {:?} exists already; pass another --name", term(&name))));
    }

    // 3. The calls as the sampler sees them.
    let states = store.review_states()?;
    let rates = overtalk_rates(&mut store, stratify)?;
    let mut calls = Vec::new();
    let known = store.calls()?;
    for c in &known {
        let mut agent = c.meta.agent.clone();
        let mut recorded_at = c.meta.recorded_at.clone();
        if let Some(f) = rules.as_ref().and_then(|r| r.parse(&c.meta.file_name)) {
            agent = f.agent.clone().or(agent);
            recorded_at = f.recorded_at().or(recorded_at);
        }
        if let Some((_, _, table)) = &metadata {
            let paths = store.call_paths(c.id)?;
            if let Some(m) = table.lookup(paths.iter().map(PathBuf::as_path).chain([c.path.as_path()])) {
                agent = m.agent.clone().or(agent);
                recorded_at = m.recorded_at.clone().or(recorded_at);
            }
        }
        let reviewed = states.get(&c.hash).is_some_and(|s| *s != ReviewState::NotReviewed);
        calls.push(SampleCall {
            call_id: c.id,
            hash: c.hash.clone(),
            agent,
            recorded_at,
            duration_s: c.meta.duration_s,
            sample_rate: c.meta.sample_rate,
            channels: c.meta.channels,
            reviewed,
            overtalk_per_min: rates.get(&c.id).copied(),
        });
    }
    let filter =
        SampleFilter { from, to, min_duration_s: args.min_duration, exclude_reviewed: args.exclude_reviewed };
    if stratify == Stratify::Overtalk {
        check_analysed(&calls, &filter)?;
    }
    let mut drawn = sample::sample(&calls, &filter, args.per_agent, stratify, args.seed);
    let load = sample::assign(&mut drawn.picks, &reviewers);
    if drawn.picks.is_empty() {
        let skipped: Vec<String> =
            drawn.skipped.iter().map(|(why, n)| format!("{n} {}", why.describe())).collect();
        bail!(usage(format!(
            "no call can be sampled ({} calls in the database{}{})",
            calls.len(),
            if skipped.is_empty() { "" } else { "; skipped: " },
            skipped.join(", ")
        )));
    }

    // 4. The queue.
    let params = serde_json::json!({
        "algorithm": ALGORITHM,
        "per_agent": args.per_agent,
        "from": filter.from,
        "to": filter.to,
        "min_duration_s": filter.min_duration_s,
        "stratify": stratify,
        "exclude_reviewed": filter.exclude_reviewed,
        "assign": reviewers,
        "name_patterns": args.name_patterns,
        "metadata": metadata.as_ref().map(|(p, hash, _)| serde_json::json!({ "path": p, "blake3": hash })),
        "library_calls": calls.len(),
        "analysed_calls": (stratify == Stratify::Overtalk).then_some(rates.len()),
    });
    let queue_id = if args.dry_run {
        None
    } else {
        let draft = QueueDraft {
            name: name.clone(),
            seed: args.seed,
            params: params.clone(),
            created_by: created_by.clone(),
            items: drawn
                .picks
                .iter()
                .map(|p| QueueItemDraft { call_id: p.call_id, reviewer: p.reviewer.clone() })
                .collect(),
        };
        Some(store.create_queue(&draft).context("cannot store the queue")?)
    };

    // 5. What was drawn.
    let file_names: HashMap<i64, &str> = known.iter().map(|c| (c.id, c.meta.file_name.as_str())).collect();
    let names: Vec<String> = drawn
        .picks
        .iter()
        .map(|p| file_names.get(&p.call_id).copied().unwrap_or_default().to_string())
        .collect();
    if args.json {
        let items: Vec<serde_json::Value> = drawn
            .picks
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (p, file))| {
                serde_json::json!({
                    "position": i, "call_id": p.call_id, "hash": p.hash, "file_name": file,
                    "agent": p.agent, "recorded_at": p.recorded_at, "duration_s": p.duration_s,
                    "stratum": p.stratum, "strata": p.strata, "reviewer": p.reviewer,
                    "overtalk_per_min": rates.get(&p.call_id),
                })
            })
            .collect();
        let skipped: serde_json::Map<String, serde_json::Value> =
            drawn.skipped.iter().map(|(k, v)| (json_key(*k), serde_json::json!(v))).collect();
        let out = serde_json::json!({
            "queue": { "id": queue_id, "name": name, "stored": !args.dry_run, "created_by": created_by },
            "seed": args.seed.to_string(),
            "params": params,
            "agents": drawn.agents,
            "skipped": skipped,
            "reviewers": load,
            "items": items,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let stored = if args.dry_run { "not stored (--dry-run)" } else { "stored" };
    outln!(
        "queue {:?} ({stored}) · seed {} · {} call(s) from {} agent(s) · stratified by {}",
        term(&name),
        args.seed,
        drawn.picks.len(),
        drawn.agents.len(),
        match stratify {
            Stratify::Duration => "duration",
            Stratify::Overtalk => "overtalk",
            Stratify::None => "nothing",
        }
    );
    for a in &drawn.agents {
        outln!("  {:<24} {:>3} of {:>4} eligible", term(&a.agent), a.picked, a.eligible);
    }
    if !drawn.skipped.is_empty() {
        let s: Vec<String> = drawn.skipped.iter().map(|(why, n)| format!("{n} {}", why.describe())).collect();
        outln!("skipped: {}", s.join(", "));
    }
    // By overtalk, each call's rate is shown beside its duration.
    let rate = |id: i64| match rates.get(&id) {
        Some(r) if stratify == Stratify::Overtalk => format!(" {r:>7.2}"),
        _ => String::new(),
    };
    let rate_head = if stratify == Stratify::Overtalk { " ovt/min" } else { "" };
    outln!(
        "\n{:>4}  {:<16} {:<20} {:>9}{rate_head}  {:<19}  file",
        "#",
        "reviewer",
        "agent",
        "duration",
        "recorded"
    );
    for (i, (p, file)) in drawn.picks.iter().zip(&names).enumerate() {
        outln!(
            "{:>4}  {:<16} {:<20} {:>9}{}  {:<19}  {}",
            i + 1,
            term(p.reviewer.as_deref().unwrap_or("-")),
            term(&p.agent),
            clock(p.duration_s),
            rate(p.call_id),
            term(p.recorded_at.as_deref().unwrap_or("-")),
            term(file)
        );
    }
    if !load.is_empty() {
        outln!();
        for l in &load {
            outln!("{:<24} {:>3} call(s) · {}", term(&l.reviewer), l.calls, clock(l.total_s));
        }
    }
    Ok(())
}

/// The store to sample: the SQLite file (it must exist; read-only for a dry run) or the team
/// store.
fn open(db: Option<&Path>, dry_run: bool) -> Result<Backend> {
    if let Some(url) = super::team_url(db) {
        return Ok(Backend::open(&Target::Team(url))?);
    }
    let path = db_path(db)?;
    if !path.exists() {
        bail!(usage(format!(
            "there is no review database yet (open or review calls first, or pass --db): {}",
            path.display()
        )));
    }
    Ok(Backend::Local(if dry_run { Store::open_read_only(&path)? } else { Store::open(&path)? }))
}

/// Each analysed call's overtalk rate (overtalks per minute), for `--stratify overtalk`
/// (nothing is read for the other strata).
fn overtalk_rates(store: &mut Backend, stratify: Stratify) -> Result<HashMap<i64, f64>> {
    if stratify != Stratify::Overtalk {
        return Ok(HashMap::new());
    }
    let stored = store.all_metrics().context("cannot read the calls' analysis figures")?;
    Ok(stored.into_iter().filter_map(|m| m.metrics.overtalk_per_min().map(|r| (m.call_id, r))).collect())
}

/// `--stratify overtalk` needs stored figures for at least one call the filters let through.
fn check_analysed(calls: &[SampleCall], filter: &SampleFilter) -> Result<()> {
    let selected = calls.iter().filter(|c| sample::skip_reason(c, filter, Stratify::Duration).is_none());
    let (mut n, mut analysed) = (0usize, 0usize);
    for c in selected {
        n += 1;
        analysed += usize::from(c.overtalk_per_min.is_some());
    }
    if analysed == 0 {
        bail!(usage(format!(
            "--stratify overtalk needs each call's analysis in the database, and none of the {n} \
             call(s) selected has one stored: run `callqa index` first (or use --stratify duration)"
        )));
    }
    Ok(())
}

fn json_key(s: sample::Skip) -> String {
    serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The OS user, when `--created-by` is not given.
fn os_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}

/// Reads a dialer's metadata CSV (`--metadata`, [`crate::model::metadata`]): its BLAKE3 (hex)
/// and its rows. A file that cannot be read or used is a usage error naming it.
pub(super) fn read_metadata(p: &Path) -> Result<(String, MetadataTable), CliError> {
    let usage = CliError::Usage;
    let bytes = std::fs::read(p)
        .map_err(|e| usage(format!("cannot read the metadata CSV ({e}): {}", p.display())))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| usage(format!("the metadata CSV is not UTF-8 text: {}", p.display())))?;
    let table = MetadataTable::parse(text).map_err(|e| usage(format!("{e}: {}", p.display())))?;
    Ok((blake3::hash(&bytes).to_hex().to_string(), table))
}
