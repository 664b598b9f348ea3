//! Headless commands over audio, analysis and the store. `main.rs` parses [`Cli`] and calls
//! [`run`]; each subcommand lives in its own file.

mod analyze;
mod calibrate;
mod clip;
mod db;
pub mod export;
pub mod index;
pub(crate) mod out;
mod probe;
pub mod report;
pub mod review;
pub mod sample;
mod team;
pub mod transcript;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::safe_file::SafeFileError;

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
    App {
        paths: Vec<PathBuf>,
        /// The window's size in points, WIDTHxHEIGHT (e.g. 1280x720); default: as last closed,
        /// 1600x1000 the first time.
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<(f32, f32)>,
    },
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
        /// The call's transcript (any format `callqa transcript import` reads): adds its words
        /// and the default scorecard's phrase rules found in it (apology, callback, blame).
        #[arg(long, value_name = "FILE")]
        transcript: Option<PathBuf>,
        /// With --transcript: the transcript's label for the agent (e.g. spk_1, B, ch1).
        #[arg(long, value_name = "SPEAKER", requires = "transcript")]
        agent: Option<String>,
    },
    /// Score a call against a scorecard; prints the score and its formula.
    ///
    /// Answers are yes, no or na, with optional evidence times in seconds:
    /// `--answer let_customer_finish=no@10.9,18.0 --answer no_arguing=yes`. Running it again
    /// continues the same reviewer's review of the call. Items of the default card:
    /// let_customer_finish, no_arguing (critical), admitted_fault, set_callback_time
    /// (see docs/scoring.md).
    Review {
        /// The call recording (WAV); it is only read.
        file: PathBuf,
        /// Who is reviewing (required on a SQLite database; on the team store the login is the
        /// reviewer, and a name given must be it).
        #[arg(long)]
        reviewer: Option<String>,
        /// ITEM=yes|no|na[@SECONDS,...] (repeat for each item).
        #[arg(long = "answer", value_name = "ITEM=ANSWER")]
        answers: Vec<String>,
        /// ITEM=TEXT (repeat for each item).
        #[arg(long = "comment", value_name = "ITEM=TEXT")]
        comments: Vec<String>,
        /// A custom scorecard (TOML, or JSON when the name ends in .json); default: the built-in one.
        #[arg(long)]
        scorecard: Option<PathBuf>,
        /// Finish the review (every item must be answered); otherwise it is saved as a draft.
        #[arg(long)]
        submit: bool,
        /// Change a submitted review: why (kept in the audit log). A submitted review changes
        /// only with a reason.
        #[arg(long, value_name = "REASON")]
        amend_reason: Option<String>,
        /// Score the call in this calibration session (see callqa calibration): the review
        /// counts only in the session's figures; once submitted it cannot be changed.
        #[arg(long, value_name = "NAME", conflicts_with = "amend_reason")]
        session: Option<String>,
        /// Print the saved review as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write every review to a spreadsheet (CSV, UTF-8 with BOM) and/or JSON.
    ///
    /// Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
    /// a carriage return) are written with a leading ' (see --raw). An existing file is never
    /// replaced without --force; the review database, audio files and symbolic links never.
    Export {
        /// CSV output file (`-` for standard output).
        #[arg(long, value_name = "OUT")]
        csv: Option<PathBuf>,
        /// JSON output file (`-` for standard output).
        #[arg(long, value_name = "OUT")]
        json: Option<PathBuf>,
        /// Write CSV text cells exactly as stored, without the ' before formula-like text
        /// (for programs that read the CSV; unsafe to open in a spreadsheet).
        #[arg(long)]
        raw: bool,
        /// Replace an existing output file (never the database, an audio file or a link).
        #[arg(long)]
        force: bool,
    },
    /// Counts, average score, pass rate per item and critical-fail rate.
    Report {
        /// One row per agent, per reviewer, or per checklist item.
        #[arg(long, value_enum, default_value_t = ReportBy::Agent)]
        by: ReportBy,
        /// Count drafts too (by default only submitted reviews).
        #[arg(long)]
        include_drafts: bool,
        /// Only calls recorded on or after this day, YYYY-MM-DD (calls without a date are
        /// then left out).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Only calls recorded on or before this day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only the calls of this review queue (see callqa sample).
        #[arg(long, value_name = "NAME")]
        queue: Option<String>,
        /// Only the calls of this team (as stored by callqa index --metadata or --name-pattern;
        /// calls without a team are then left out).
        #[arg(long, value_name = "NAME")]
        team: Option<String>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Calibration: calls scored by two or more reviewers, their scores, the spread and the
    /// items they answered differently; per item how often everyone agreed; per reviewer how
    /// far above (lenient) or below (strict) the others they score.
    Calibrate {
        /// Compare drafts too (by default only submitted reviews).
        #[arg(long)]
        include_drafts: bool,
        /// The figures of this calibration session's reviews (see callqa calibration).
        #[arg(long, value_name = "NAME")]
        session: Option<String>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Draw a reproducible sample of the calls the database knows, N per agent, and store it
    /// as a named review queue, assigned to reviewers balanced by duration.
    ///
    /// The same seed and the same library give the same calls. Calls are drawn per agent
    /// from equal-count duration bins (so short calls are not over-picked); 0-second and
    /// broken calls, and calls whose agent is unknown, are skipped.
    Sample {
        /// Calls per agent (an agent with fewer gets all of theirs).
        #[arg(long)]
        per_agent: usize,
        /// The seed (any whole number from 0 to 18446744073709551615); stored with the queue.
        #[arg(long)]
        seed: u64,
        /// First recording day, YYYY-MM-DD (calls without a date are then skipped).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last recording day, YYYY-MM-DD (inclusive).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Skip calls shorter than this, in seconds.
        #[arg(long, value_name = "S", default_value_t = 0.0)]
        min_duration: f64,
        /// How picks are spread over each agent's calls: duration (one per equal-count duration
        /// bin), overtalk (one per equal-count bin of overtalks per minute, from the figures
        /// `callqa index` stores; calls without them are skipped), none (uniform).
        #[arg(long, value_enum, default_value_t = sample::StratifyArg::Duration)]
        stratify: sample::StratifyArg,
        /// Skip calls that have a review (draft or submitted).
        #[arg(long)]
        exclude_reviewed: bool,
        /// The queue's name (default: sample-SEED).
        #[arg(long)]
        name: Option<String>,
        /// Reviewers to assign the calls to, comma-separated (balanced by total duration).
        #[arg(long, value_delimiter = ',', value_name = "NAMES")]
        assign: Vec<String>,
        /// Read agent and date from file names with this pattern: a preset (callqa, freepbx)
        /// or a regular expression with named groups (agent, date, time, ...). Repeat to try
        /// several in order.
        #[arg(long = "name-pattern", value_name = "PATTERN")]
        name_patterns: Vec<String>,
        /// A dialer's CSV (path or file_name, agent, team, date, customer_id): its agent and
        /// date win over the file name's and the database's.
        #[arg(long, value_name = "FILE.csv")]
        metadata: Option<PathBuf>,
        /// Who makes the queue (for the audit log; default: the OS user).
        #[arg(long, value_name = "NAME")]
        created_by: Option<String>,
        /// Show the sample without storing it.
        #[arg(long)]
        dry_run: bool,
        /// Print the sample as JSON (the seed as a string: it may exceed 2^53).
        #[arg(long)]
        json: bool,
    },
    /// Analyse calls and store their figures (talk, overtalk, dead air, hold) in the database,
    /// for `callqa sample --stratify overtalk`.
    ///
    /// With no paths: every call the database knows that has no figures yet (every call with
    /// --force) and whose file is still there. With files or folders (recursive, WAVs only):
    /// records each call and analyses it. One file at a time; a broken file is reported and
    /// the rest stored (exit 1).
    Index {
        /// Files or folders (default: the calls the database knows).
        paths: Vec<PathBuf>,
        /// Analyse again calls that already have figures.
        #[arg(long)]
        force: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Read agent, date and team from file names with this pattern: a preset (callqa,
        /// freepbx) or a regular expression with named groups (agent, date, time, team, ...).
        /// Repeat to try several in order. What it reads is stored with the call.
        #[arg(long = "name-pattern", value_name = "PATTERN")]
        name_patterns: Vec<String>,
        /// A dialer's CSV (path or file_name, agent, team, date, customer_id): its agent, date
        /// and team are stored with the call, over the file name's and the database's (an
        /// empty cell keeps what is stored).
        #[arg(long, value_name = "FILE.csv")]
        metadata: Option<PathBuf>,
    },
    /// Add a good or bad moment of a call to a coaching set, with a note.
    ///
    /// Times in seconds (65.2) or m:ss (1:05.2): `callqa clip call.wav --from 0:05.8 --to 0:07.4
    /// --bad --set "Interruptions" --author Priya --note "talks over the customer"`.
    #[command(group(clap::ArgGroup::new("kind").required(true).args(["good", "bad"])))]
    Clip {
        /// The call recording (WAV); it is only read.
        file: PathBuf,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// A moment to copy.
        #[arg(long)]
        good: bool,
        /// A moment to avoid.
        #[arg(long)]
        bad: bool,
        /// The coaching set (created by its first clip).
        #[arg(long)]
        set: String,
        /// Who made the clip (on the team store the login: leave it out).
        #[arg(long)]
        author: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List coaching sets; `--export DIR` writes each clip as a WAV with an index.csv per set.
    Clips {
        /// Only this set.
        #[arg(long)]
        set: Option<String>,
        /// Write the clips (16-bit WAV) and index.csv into DIR/<set>/ (DIR/index.csv lists
        /// each set's folder).
        #[arg(long, value_name = "DIR")]
        export: Option<PathBuf>,
        /// With --export: index.csv text exactly as stored, without the ' before formula-like
        /// text.
        #[arg(long, requires = "export")]
        raw: bool,
        /// With --export: replace files of an earlier export (never the database, a call's
        /// recording or a link).
        #[arg(long, requires = "export")]
        force: bool,
        #[arg(long)]
        json: bool,
        /// Remove the clip with this number (see the list), then list.
        #[arg(long, value_name = "CLIP")]
        remove: Option<i64>,
        /// Who removes it (for the audit log; on the team store the login: leave it out).
        #[arg(long)]
        author: Option<String>,
    },
    /// Blind calibration sessions: a lead picks calls and reviewers; each scores each call
    /// (`callqa review FILE --session NAME`, or the window's Review → Calibration) without
    /// seeing the others' answers first; `callqa calibrate --session NAME` compares them.
    /// Session reviews never count in reports or exports.
    Calibration {
        #[command(subcommand)]
        command: CalibrationCommand,
    },
    /// Import a call's transcript (WebVTT, SRT, or JSON from AWS Transcribe, Google
    /// Speech-to-Text, Deepgram, AssemblyAI, openai-whisper or whisper.cpp), or show one.
    Transcript {
        #[command(subcommand)]
        command: TranscriptCommand,
    },
    /// Find the calls where a phrase was said (in every stored transcript), each with its time.
    ///
    /// Whole words in order, case, punctuation, Unicode forms and digit scripts ignored:
    /// `callqa search "our mistake" --speaker agent`.
    Search {
        phrase: String,
        /// Only what the agent (or the customer) said.
        #[arg(long, value_enum)]
        speaker: Option<SpeakerArg>,
        /// At most this many hits.
        #[arg(long, default_value_t = crate::store::DEFAULT_SEARCH_LIMIT)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The team store on PostgreSQL (see README, "Team store (PostgreSQL) — foundation").
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

/// `callqa db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Make an empty PostgreSQL database a team store: the roles callqa_reviewer, callqa_lead
    /// and callqa_admin, the schema (row-level security on every table), and a LOGIN role for
    /// each person. Refuses a database that already has tables. Passwords are not set here.
    ///
    /// `callqa db init-team postgres://admin@dbhost/callqa --leads priya --reviewers asha,ben`
    InitTeam {
        /// postgres://USER@HOST:PORT/DATABASE (USER must be able to CREATE ROLE);
        /// add ?sslmode=require for TLS.
        url: String,
        /// Lead logins, comma-separated.
        #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
        leads: Vec<String>,
        /// Reviewer logins, comma-separated.
        #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
        reviewers: Vec<String>,
    },
    /// Copy a SQLite store into a new team store, or the team store into a new SQLite file,
    /// and check it: each table's rows and content hash on both sides (exit 1 if any differs;
    /// nothing is then written). Into the team store: a backup of the SQLite file is made
    /// first (FILE.backup-YYYYmmddTHHMMSS.sqlite3), the login must be a superuser and the
    /// store hold nothing but what init-team wrote. Out of it: FILE must not exist.
    ///
    /// `callqa db copy --from reviews.sqlite3 --to postgres://postgres@dbhost/callqa`
    Copy {
        /// A SQLite file, or postgres://USER@HOST:PORT/DATABASE.
        #[arg(long, value_name = "FILE|URL")]
        from: String,
        /// A postgres:// URL, or a SQLite file that does not exist yet.
        #[arg(long, value_name = "URL|FILE")]
        to: String,
    },
    /// Bring a team store made by an older callqa up to this callqa's schema (the missing
    /// migrations, in one transaction; every row kept). As an admin (a member of
    /// callqa_admin, or a superuser).
    Upgrade {
        /// postgres://USER@HOST:PORT/DATABASE
        url: String,
    },
    /// Send the changes waiting in the outbox (made while the team store could not be
    /// reached) to the team store of --db / CALLQA_DB, in the order they were made; list what
    /// still waits (exit 1 while anything waits). A change the server refused stays, with why,
    /// until it is dropped.
    Sync {
        /// Drop this waiting change (its number in the list) instead of keeping it.
        #[arg(long, value_name = "ID")]
        drop: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

/// `callqa calibration …`.
#[derive(Debug, Subcommand)]
pub enum CalibrationCommand {
    /// Create a session: `callqa calibration create "June week 2" --calls a.wav b.wav
    /// --reviewers asha,ben,chitra --by priya`.
    Create {
        name: String,
        /// The calls (WAV files; recorded in the library if new).
        #[arg(long, num_args = 1.., required = true, value_name = "FILE")]
        calls: Vec<PathBuf>,
        /// Two or more reviewers, comma-separated.
        #[arg(long, value_delimiter = ',', required = true, value_name = "NAMES")]
        reviewers: Vec<String>,
        /// The lead who makes it (for the audit log; default: the OS user).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Every session with its calls, reviewers and how many reviews are submitted.
    List {
        #[arg(long)]
        json: bool,
    },
}

/// `callqa transcript …`.
#[derive(Debug, Subcommand)]
pub enum TranscriptCommand {
    /// Read FILE as the transcript of the call WAV and store it (replacing an earlier one).
    ///
    /// Speakers: channel 0 (left) is the agent; named speakers containing "agent" or
    /// "customer"/"caller" are those; otherwise whoever speaks first is the agent. --agent
    /// names the agent's label instead (e.g. spk_1, B, ch1, Kavita).
    Import {
        wav: std::path::PathBuf,
        file: std::path::PathBuf,
        /// The transcript's label for the agent.
        #[arg(long, value_name = "SPEAKER")]
        agent: Option<String>,
        /// Who imports it (for the audit log; default: the OS user; on the team store the
        /// login: leave it out).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print the stored transcript of a call, one line per speaker turn.
    Show {
        wav: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// Agent or customer, on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SpeakerArg {
    Agent,
    Customer,
}

impl From<SpeakerArg> for crate::model::Speaker {
    fn from(s: SpeakerArg) -> Self {
        match s {
            SpeakerArg::Agent => crate::model::Speaker::Agent,
            SpeakerArg::Customer => crate::model::Speaker::Customer,
        }
    }
}

/// How `callqa report` groups reviews.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    Agent,
    Item,
    Reviewer,
}

/// A mistake in what the user asked for (exit code 2), as opposed to a failure (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
}

/// Prints `callqa CMD: what happened: why` and picks the exit code: 2 for a mistake in what
/// was asked (including a refused destination file), 1 for a failure.
pub(crate) fn report_error(cmd: &str, e: &anyhow::Error) -> ExitCode {
    eprintln!("callqa {cmd}: {}", out::term(&format!("{e:#}")));
    let refused = e.chain().any(|c| {
        c.downcast_ref::<CliError>().is_some()
            || matches!(c.downcast_ref::<SafeFileError>(), Some(SafeFileError::Refused(_)))
    });
    if refused { ExitCode::from(2) } else { ExitCode::FAILURE }
}

/// The team store's URL when `--db` / `$CALLQA_DB` is a `postgres://` (or `postgresql://`) URL.
pub(crate) fn team_url(db: Option<&Path>) -> Option<String> {
    match crate::store::pg::copy::Endpoint::parse(db?.to_str()?) {
        crate::store::pg::copy::Endpoint::Pg(url) => Some(url),
        crate::store::pg::copy::Endpoint::Sqlite(_) => None,
    }
}

/// `--db` / `$CALLQA_DB`, or the default database in the user's data folder.
pub(crate) fn db_path(db: Option<&Path>) -> Result<PathBuf, crate::store::StoreError> {
    match db {
        Some(p) => Ok(p.to_path_buf()),
        None => crate::store::default_db_path(),
    }
}

/// `1280x720` → (1280, 720).
fn parse_size(s: &str) -> Result<(f32, f32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or("write the size as WIDTHxHEIGHT, e.g. 1280x720")?;
    let n = |t: &str| t.trim().parse::<u16>().ok().filter(|v| *v >= 400).map(f32::from);
    match (n(w), n(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("write the size as WIDTHxHEIGHT, each at least 400, e.g. 1280x720".into()),
    }
}

/// Runs a headless subcommand. `App` is handled by `main.rs`.
pub fn run(cli: Cli) -> ExitCode {
    let name = cli.command.as_ref().map_or("", Command::name);
    let code = run_command(cli);
    out::finish(name, code)
}

impl Command {
    /// The subcommand's name, for messages.
    fn name(&self) -> &'static str {
        match self {
            Command::App { .. } => "app",
            Command::Probe { .. } => "probe",
            Command::Analyze { .. } => "analyze",
            Command::Review { .. } => "review",
            Command::Export { .. } => "export",
            Command::Report { .. } => "report",
            Command::Calibrate { .. } => "calibrate",
            Command::Calibration { command: CalibrationCommand::Create { .. } } => "calibration create",
            Command::Calibration { command: CalibrationCommand::List { .. } } => "calibration list",
            Command::Sample { .. } => "sample",
            Command::Index { .. } => "index",
            Command::Clip { .. } => "clip",
            Command::Clips { .. } => "clips",
            Command::Transcript { command: TranscriptCommand::Import { .. } } => "transcript import",
            Command::Transcript { command: TranscriptCommand::Show { .. } } => "transcript show",
            Command::Search { .. } => "search",
            Command::Db { command: DbCommand::InitTeam { .. } } => "db init-team",
            Command::Db { command: DbCommand::Copy { .. } } => "db copy",
            Command::Db { command: DbCommand::Sync { .. } } => "db sync",
            Command::Db { command: DbCommand::Upgrade { .. } } => "db upgrade",
        }
    }
}

/// The commands that work on the team store (or use no store); the others refuse a
/// `postgres://` `--db` rather than read it as a file name.
const ON_TEAM_STORE: [&str; 19] = [
    "review",
    "export",
    "report",
    "calibrate",
    "calibration create",
    "calibration list",
    "clip",
    "clips",
    "sample",
    "transcript import",
    "transcript show",
    "search",
    "index",
    "probe",
    "analyze",
    "db init-team",
    "db copy",
    "db sync",
    "db upgrade",
];

fn run_command(cli: Cli) -> ExitCode {
    if team_url(cli.db.as_deref()).is_some() {
        let name = cli.command.as_ref().map_or("app", Command::name);
        if !ON_TEAM_STORE.contains(&name) {
            eprintln!(
                "callqa {name}: the team store (--db postgres://…) serves {} so far; use a SQLite review \
                 database (--db FILE) for {name}",
                ON_TEAM_STORE[..13].join(", ")
            );
            return ExitCode::from(2);
        }
    }
    match cli.command {
        Some(Command::Probe { files, json }) => probe::run(&files, json),
        Some(Command::Analyze { file, json, min_silence, transcript, agent }) => {
            analyze::run(&file, json, min_silence, transcript.as_deref(), agent)
        }
        Some(Command::Review {
            file,
            reviewer,
            answers,
            comments,
            scorecard,
            submit,
            amend_reason,
            session,
            json,
        }) => {
            let args = review::ReviewArgs {
                file,
                reviewer,
                answers,
                comments,
                scorecard,
                submit,
                amend_reason,
                session,
                json,
            };
            review::run(cli.db.as_deref(), &args)
        }
        Some(Command::Export { csv, json, raw, force }) => {
            export::run(cli.db.as_deref(), &export::ExportArgs { csv, json, raw, force })
        }
        Some(Command::Report { by, include_drafts, from, to, queue, team, json }) => {
            let filter = report::ReportFilter { from, to, queue, team };
            report::run(cli.db.as_deref(), by, include_drafts, &filter, json)
        }
        Some(Command::Calibrate { include_drafts, session, json }) => {
            calibrate::run(cli.db.as_deref(), include_drafts, session.as_deref(), json)
        }
        Some(Command::Calibration { command: CalibrationCommand::Create { name, calls, reviewers, by } }) => {
            calibrate::run_create(cli.db.as_deref(), &name, &calls, &reviewers, by.as_deref())
        }
        Some(Command::Calibration { command: CalibrationCommand::List { json } }) => {
            calibrate::run_list(cli.db.as_deref(), json)
        }
        Some(Command::Sample {
            per_agent,
            seed,
            from,
            to,
            min_duration,
            stratify,
            exclude_reviewed,
            name,
            assign,
            name_patterns,
            metadata,
            created_by,
            dry_run,
            json,
        }) => {
            let args = sample::SampleArgs {
                per_agent,
                seed,
                from,
                to,
                min_duration,
                stratify,
                exclude_reviewed,
                name,
                assign,
                name_patterns,
                metadata,
                created_by,
                dry_run,
                json,
            };
            sample::run(cli.db.as_deref(), &args)
        }
        Some(Command::Index { paths, force, json, name_patterns, metadata }) => {
            index::run(cli.db.as_deref(), &index::IndexArgs { paths, force, json, name_patterns, metadata })
        }
        Some(Command::Clip { file, from, to, good, bad: _, set, author, note }) => {
            let kind = if good { crate::store::ClipKind::Good } else { crate::store::ClipKind::Bad };
            clip::run_clip(cli.db.as_deref(), &clip::ClipArgs { file, from, to, kind, set, author, note })
        }
        Some(Command::Clips { set, export, raw, force, json, remove, author }) => {
            let remove = remove.map(|id| (id, author));
            let export = export.map(|dir| clip::ExportTo { dir, raw, force });
            clip::run_clips(cli.db.as_deref(), set.as_deref(), export.as_ref(), json, remove)
        }
        Some(Command::Transcript { command: TranscriptCommand::Import { wav, file, agent, by, json } }) => {
            let args = transcript::ImportArgs { wav: &wav, file: &file, agent, by, json };
            transcript::run_import(cli.db.as_deref(), &args)
        }
        Some(Command::Transcript { command: TranscriptCommand::Show { wav, json } }) => {
            transcript::run_show(cli.db.as_deref(), &wav, json)
        }
        Some(Command::Search { phrase, speaker, limit, json }) => {
            transcript::run_search(cli.db.as_deref(), &phrase, speaker.map(Into::into), limit, json)
        }
        Some(Command::Db { command: DbCommand::InitTeam { url, leads, reviewers } }) => {
            db::run_init_team(&url, leads, reviewers)
        }
        Some(Command::Db { command: DbCommand::Copy { from, to } }) => db::run_copy(&from, &to),
        Some(Command::Db { command: DbCommand::Upgrade { url } }) => db::run_upgrade(&url),
        Some(Command::Db { command: DbCommand::Sync { drop, json } }) => {
            team::run_sync(cli.db.as_deref(), drop, json)
        }
        Some(Command::App { .. }) | None => {
            eprintln!("callqa: the review window is started by main");
            ExitCode::FAILURE
        }
    }
}
