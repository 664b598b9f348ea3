//! `callqa transcript import WAV FILE [--agent SPEAKER]`, `callqa transcript show WAV` and
//! `callqa search PHRASE [--speaker agent|customer] [--json]`: a recorder's transcript read
//! (any format `transcript::formats` knows), its speakers mapped to agent and customer,
//! stored by the call's content hash; and every stored transcript searched by phrase. Each
//! works on a SQLite file and on the team store (`--db postgres://…`; there a lead imports, in
//! the login's name, and everyone shows and searches).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::export::{open_backend, open_existing_backend};
use super::out::{outln, term, term_path};
use super::{CliError, db_path, report_error, team_url};
use crate::audio::{WavReader, content_hash};
use crate::model::Speaker;
use crate::model::call::CallMeta;
use crate::store::StoredTranscript;
use crate::store::backend::Backend;
use crate::transcript::formats::parse;
use crate::transcript::{SpeakerMap, Transcript};

/// Largest transcript file read (an hour's word-level JSON is a few MB).
pub const MAX_TRANSCRIPT_BYTES: u64 = 64 << 20;

/// A transcript whose words run this far past the end of the call is not this call's.
const PAST_END_TOLERANCE_S: f64 = 2.0;

/// `callqa transcript import`.
pub struct ImportArgs<'a> {
    pub wav: &'a Path,
    pub file: &'a Path,
    pub agent: Option<String>,
    pub by: Option<String>,
    pub json: bool,
}

pub fn run_import(db: Option<&Path>, a: &ImportArgs<'_>) -> ExitCode {
    match import(db, a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error("transcript import", &e),
    }
}

pub fn run_show(db: Option<&Path>, wav: &Path, json: bool) -> ExitCode {
    match show(db, wav, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error("transcript show", &e),
    }
}

pub fn run_search(
    db: Option<&Path>,
    phrase: &str,
    speaker: Option<Speaker>,
    limit: usize,
    json: bool,
) -> ExitCode {
    match search(db, phrase, speaker, limit, json) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error("search", &e),
    }
}

/// Reads and parses a transcript file and maps its speakers (no store involved).
pub fn read_transcript(file: &Path, agent: Option<String>) -> Result<Transcript> {
    let meta =
        std::fs::metadata(file).with_context(|| format!("cannot read the transcript {}", file.display()))?;
    if !meta.is_file() {
        bail!(CliError::Usage(format!("the transcript is not a file: {}", file.display())));
    }
    if meta.len() > MAX_TRANSCRIPT_BYTES {
        bail!(CliError::Usage(format!(
            "the transcript is {} MB; callqa reads transcripts up to {} MB: {}",
            meta.len() >> 20,
            MAX_TRANSCRIPT_BYTES >> 20,
            file.display()
        )));
    }
    let bytes =
        std::fs::read(file).with_context(|| format!("cannot read the transcript {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let mut t =
        parse(&bytes, name.as_deref()).with_context(|| format!("cannot import {}", file.display()))?;
    t.assign_speakers(&SpeakerMap { agent }).map_err(|e| CliError::Usage(format!("--agent: {e}")))?;
    Ok(t)
}

fn import(db: Option<&Path>, a: &ImportArgs<'_>) -> Result<()> {
    let t = read_transcript(a.file, a.agent.clone())?;
    if t.words.is_empty() {
        bail!(CliError::Usage(format!("the transcript has no words: {}", a.file.display())));
    }
    let info = WavReader::open(a.wav)
        .with_context(|| format!("cannot open the call {}", a.wav.display()))?
        .info()
        .clone();
    let meta = CallMeta::from_wav(a.wav, &info);
    let last_end = t.words.iter().map(|w| w.end_s).fold(0.0, f64::max);
    if last_end > meta.duration_s + PAST_END_TOLERANCE_S {
        bail!(CliError::Usage(format!(
            "the transcript runs to {} but the call is {} long: is it this call's transcript? ({})",
            clock(last_end),
            clock(meta.duration_s),
            a.file.display()
        )));
    }
    let hash = content_hash(a.wav).with_context(|| format!("cannot read the call {}", a.wav.display()))?;
    let mut store = open_backend(db)?;
    let by = importer(&store, a.by.as_deref())?;
    store.upsert_call(&hash, a.wav, &meta)?;
    let source = a.file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    store.save_transcript(&hash, &t, &source, &by)?;
    let count = |s: Option<Speaker>| t.words.iter().filter(|w| w.speaker == s).count();
    let (agent, customer, neither) =
        (count(Some(Speaker::Agent)), count(Some(Speaker::Customer)), count(None));
    if a.json {
        let v = json!({
            "call": a.wav.display().to_string(), "call_hash": hash, "format": t.format.as_str(),
            "words": t.words.len(), "agent_words": agent, "customer_words": customer,
            "unassigned_words": neither,
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        outln!(
            "imported {} words ({}) for {}: agent {agent}, customer {customer}{}",
            t.words.len(),
            t.format.as_str(),
            term_path(a.wav),
            if neither > 0 { format!(", no speaker {neither}") } else { String::new() }
        );
    }
    Ok(())
}

/// Who imports: `--by` (default the OS user); on the team store the login (a name given
/// must be it).
fn importer(store: &Backend, by: Option<&str>) -> Result<String> {
    match (store.login(), by.map(str::trim)) {
        (Some(login), Some(name)) if !name.is_empty() && name != login => bail!(CliError::Usage(format!(
            "on the team store a transcript is imported in your login's name ({}), not {}; leave out --by",
            term(login),
            term(name)
        ))),
        (Some(login), _) => Ok(login.to_string()),
        (None, by) => Ok(by.map_or_else(crate::store::os_user, str::to_string)),
    }
}

fn show(db: Option<&Path>, wav: &Path, json: bool) -> Result<()> {
    let hash = content_hash(wav).with_context(|| format!("cannot read the call {}", wav.display()))?;
    if team_url(db).is_none() {
        let db = db_path(db)?;
        if !db.exists() {
            bail!(CliError::Usage(format!(
                "no transcript stored for this call (no review database yet at {}); import one with \
                 callqa transcript import",
                db.display()
            )));
        }
    }
    let stored: Option<StoredTranscript> = open_existing_backend(db)?.transcript(&hash)?;
    let Some(stored) = stored else {
        bail!(CliError::Usage(format!(
            "no transcript stored for this call; import one with callqa transcript import: {}",
            wav.display()
        )));
    };
    let t = &stored.transcript;
    if json {
        outln!("{}", serde_json::to_string_pretty(t)?);
        return Ok(());
    }
    outln!("{} ({}, from {})", term_path(wav), t.format.as_str(), term(&stored.source));
    for seg in t.segments() {
        outln!("{:>9}  {:<8}  {}", clock(seg.start_s), who(seg.speaker), term(&t.text_of(&seg.words)));
    }
    Ok(())
}

fn search(db: Option<&Path>, phrase: &str, speaker: Option<Speaker>, limit: usize, json: bool) -> Result<()> {
    if phrase.trim().is_empty() {
        bail!(CliError::Usage("the phrase is empty; give words to find, e.g. \"our mistake\"".into()));
    }
    let no_file = team_url(db).is_none() && !db_path(db)?.exists();
    let hits =
        if no_file { Vec::new() } else { open_existing_backend(db)?.search(phrase, speaker, limit)? };
    if json {
        outln!("{}", serde_json::to_string_pretty(&hits)?);
        return Ok(());
    }
    if hits.is_empty() {
        outln!(
            "no call has {:?}{}",
            term(phrase),
            speaker.map_or(String::new(), |s| format!(" said by the {}", who(Some(s))))
        );
        return Ok(());
    }
    for h in &hits {
        let call = h.path.as_deref().or(h.file_name.as_deref()).map_or_else(
            || format!("(call {}, not in the library yet)", h.call_hash.get(..12).unwrap_or(&h.call_hash)),
            |p| term(p).into_owned(),
        );
        outln!("{call}  {}  {}: {}", clock(h.start_s), who(h.speaker), term(&h.text));
    }
    if hits.len() == limit {
        outln!("(first {limit} hits; pass --limit for more)");
    }
    Ok(())
}

fn who(s: Option<Speaker>) -> &'static str {
    match s {
        Some(Speaker::Agent) => "agent",
        Some(Speaker::Customer) => "customer",
        None => "?",
    }
}

/// `m:ss.s` (or `h:mm:ss.s`).
fn clock(s: f64) -> String {
    let ds = (s.max(0.0) * 10.0).round() as u64;
    let (h, m, sec, tenth) = (ds / 36_000, ds / 600 % 60, ds / 10 % 60, ds % 10);
    if h > 0 { format!("{h}:{m:02}:{sec:02}.{tenth}") } else { format!("{m}:{sec:02}.{tenth}") }
}
