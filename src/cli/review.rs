//! `callqa review FILE --reviewer NAME --answer KEY=yes|no|na[@T1,T2] [--comment KEY=TEXT]
//! [--scorecard FILE] [--submit]`: records (or continues) a reviewer's review of one call and
//! prints the score with its formula.
//!
//! Everything given on the command line is checked before the database is opened, so a typo
//! changes nothing. A reviewer's existing review of the call with the same scorecard version
//! is continued: the given answers and comments replace those items, the others are kept.
//! A submitted review changes only with `--amend-reason TEXT` (kept in the audit log).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::CliError;
use super::export::open_backend;
use super::out::{outln, term, term_path};
use crate::audio::{WavReader, content_hash};
use crate::model::call::CallMeta;
use crate::model::scorecard::{Answer, ItemAnswer, Review, ReviewStatus, Scorecard, score, score_formula};
use crate::store::ReviewDraft;
use crate::store::outbox::{ReviewChange, SessionRef};

/// What `callqa review` was asked to do.
#[derive(Debug)]
pub struct ReviewArgs {
    pub file: PathBuf,
    /// Who is reviewing; on the team store the login is the reviewer (a name given must be it).
    pub reviewer: Option<String>,
    pub answers: Vec<String>,
    pub comments: Vec<String>,
    pub scorecard: Option<PathBuf>,
    pub submit: bool,
    /// Why a submitted review is changed.
    pub amend_reason: Option<String>,
    /// A calibration session to score the call in (blind; counts only in its figures).
    pub session: Option<String>,
    pub json: bool,
}

pub fn run(db: Option<&Path>, args: &ReviewArgs) -> ExitCode {
    match review(db, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("review", &e),
    }
}

/// `KEY=yes|no|na[@T1,T2,...]` → an answer with evidence times.
pub fn parse_answer(spec: &str) -> Result<ItemAnswer, CliError> {
    let bad =
        |why: &str| CliError::Usage(format!("--answer {spec:?}: {why}; write KEY=yes|no|na[@SECONDS,...]"));
    let (key, rest) = spec.split_once('=').ok_or_else(|| bad("no '='"))?;
    let (value, times) = match rest.split_once('@') {
        Some((v, t)) => (v, Some(t)),
        None => (rest, None),
    };
    let answer: Answer = value.parse().map_err(|_| bad(&format!("{value:?} is not yes, no or na")))?;
    let mut a = ItemAnswer::new(key.trim(), Some(answer));
    if let Some(times) = times {
        for t in times.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let secs: f64 = t.parse().map_err(|_| bad(&format!("{t:?} is not a time in seconds")))?;
            if !(secs.is_finite() && secs >= 0.0) {
                return Err(bad(&format!("{t:?} is not a time in seconds")));
            }
            a.evidence_s.push(secs);
        }
    }
    Ok(a)
}

/// `KEY=TEXT` → (key, text).
pub fn parse_comment(spec: &str) -> Result<(String, String), CliError> {
    let (key, text) = spec
        .split_once('=')
        .ok_or_else(|| CliError::Usage(format!("--comment {spec:?}: no '='; write KEY=TEXT")))?;
    Ok((key.trim().to_string(), text.to_string()))
}

/// Reads a scorecard file: JSON when it ends in `.json`, TOML otherwise.
pub fn load_card(path: &Path) -> Result<Scorecard> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read the scorecard file ({e}): {}", path.display())))?;
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let card = if is_json { Scorecard::from_json_str(&text) } else { Scorecard::from_toml_str(&text) };
    Ok(card.map_err(|e| CliError::Usage(format!("{e}: {}", path.display())))?)
}

fn review(db: Option<&Path>, args: &ReviewArgs) -> Result<()> {
    // 1. Everything from the command line, checked before anything is opened for writing.
    let team = super::team_url(db);
    let reviewer = args.reviewer.as_deref().map(str::trim);
    match (reviewer, &team) {
        (Some(""), _) => bail!(CliError::Usage("--reviewer is empty; give the reviewer's name".into())),
        (None, None) => bail!(CliError::Usage("give the reviewer's name: --reviewer NAME".into())),
        _ => {}
    }
    let card = match &args.scorecard {
        Some(p) => load_card(p)?,
        None => Scorecard::default_card(),
    };
    let given: Vec<ItemAnswer> = args.answers.iter().map(|s| parse_answer(s)).collect::<Result<_, _>>()?;
    card.check_answers(&given).map_err(|e| CliError::Usage(e.to_string()))?;
    let comments: Vec<(String, String)> =
        args.comments.iter().map(|s| parse_comment(s)).collect::<Result<_, _>>()?;
    for (key, _) in &comments {
        if card.item(key).is_none() {
            bail!(CliError::Usage(format!(
                "--comment: unknown item {key:?}; this scorecard has: {}",
                card.keys_list()
            )));
        }
    }
    // 2. The call (only read).
    let info = WavReader::open(&args.file)
        .with_context(|| format!("cannot open the call {}", args.file.display()))?
        .info()
        .clone();
    let hash =
        content_hash(&args.file).with_context(|| format!("cannot read the call {}", args.file.display()))?;
    let meta = CallMeta::from_wav(&args.file, &info);
    let input = Input { card, given, comments, hash, meta };
    // 3. The store.
    // On the team store every review (a session's too) goes through the outbox.
    if let Some(url) = team.as_deref() {
        return review_team(url, reviewer, args, input);
    }
    let Input { card, given, comments, hash, meta } = input;
    let mut store = open_backend(db)?;
    let reviewer = match (store.login(), reviewer) {
        (Some(login), Some(name)) if name != login => bail!(CliError::Usage(format!(
            "on the team store the reviewer is your login ({}), not {}; leave out --reviewer or connect as {}",
            term(login),
            term(name),
            term(name)
        ))),
        (Some(login), _) => login.to_string(),
        (None, name) => name.unwrap_or_default().to_string(),
    };
    let reviewer = reviewer.as_str();
    let version = store.ensure_scorecard(&card)?;
    let call_id = store.upsert_call(&hash, &args.file, &meta)?;
    let session = match &args.session {
        Some(name) => Some(store.session_by_name(name)?.ok_or_else(|| {
            CliError::Usage(format!("no calibration session named {name:?} (see callqa calibration list)"))
        })?),
        None => None,
    };
    let latest = match &session {
        Some(s) => store.latest_session_review(s.id, call_id, reviewer)?,
        None => store.latest_review(call_id, reviewer)?,
    };
    if let Some(old) = latest.as_ref().filter(|r| r.card_id != version.id) {
        eprintln!(
            "note: {}'s review {} of this call used another scorecard version; it is kept as it \
             is and a new review is started with \"{}\" v{}",
            term(reviewer),
            old.id,
            term(&version.name),
            version.version
        );
    }
    let previous = latest.filter(|r| r.card_id == version.id);
    let answers = crate::model::scorecard::merge_answers(previous.as_ref(), given, comments);
    let draft = ReviewDraft {
        id: previous.as_ref().map(|r| r.id),
        call_id,
        card_id: version.id,
        reviewer: reviewer.to_string(),
        answers,
    };
    let amending = previous.as_ref().is_some_and(|r| r.status == ReviewStatus::Submitted);
    let id = match (&args.amend_reason, amending) {
        _ if session.is_some() => {
            let s = session.as_ref().map_or(0, |s| s.id);
            match store.save_session_review(s, &draft, args.submit) {
                Err(crate::store::StoreError::AmendNeedsReason) => {
                    bail!(CliError::Usage("a submitted calibration review cannot be changed".into()))
                }
                r => r?,
            }
        }
        (Some(reason), true) => store.amend_review(&draft, reason)?,
        _ => match store.save_review(&draft, args.submit) {
            Err(crate::store::StoreError::AmendNeedsReason) => bail!(
                "{}; pass --amend-reason \"why\" to change it",
                crate::store::StoreError::AmendNeedsReason
            ),
            r => r?,
        },
    };
    let saved = store.review(id)?;
    if args.json {
        let out = serde_json::json!({
            "review": saved,
            "call": { "hash": hash, "path": args.file, "meta": meta },
            "scorecard": { "id": version.id, "name": version.name, "version": version.version },
            "formula": score_formula(),
            "database": store.describe(),
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_review(&saved, &version.card, &meta, version.version, &args.file);
    }
    Ok(())
}

/// What the command line and the file gave, checked, before the store is opened.
struct Input {
    card: Scorecard,
    given: Vec<ItemAnswer>,
    comments: Vec<(String, String)>,
    hash: String,
    meta: CallMeta,
}

/// `callqa review` on the team store: the reviewer is the login (a `--reviewer` given must
/// be it); the change (a calibration session's review too, by the session's name) goes
/// through the outbox (`cli/team.rs`), so it is kept when the server cannot be reached and
/// sent later, once.
fn review_team(url: &str, reviewer: Option<&str>, args: &ReviewArgs, input: Input) -> Result<()> {
    let Input { card, given, comments, hash, meta } = input;
    let (config, _) = super::team::target_of(url)?;
    let login = config.get_user().unwrap_or_default();
    if let Some(name) = reviewer.filter(|n| *n != login) {
        bail!(CliError::Usage(format!(
            "on the team store the reviewer is your login ({}), not {}; leave out --reviewer or connect as {}",
            term(login),
            term(name),
            term(name)
        )));
    }
    let change = ReviewChange {
        file: args.file.clone(),
        hash: hash.clone(),
        meta: meta.clone(),
        card: card.canonical_json(),
        answers: given,
        comments,
        submit: args.submit,
        // A session review is not amended (a submitted one is not changed).
        amend_reason: args.amend_reason.clone().filter(|_| args.session.is_none()),
        session: args.session.as_deref().map(|name| SessionRef::Name(name.trim().to_string())),
    };
    let Some(applied) = super::team::review(url, &change)? else {
        if args.json {
            let waiting = super::team::waiting_count(url)?;
            outln!("{}", serde_json::to_string_pretty(&super::team::queued_json(&change, waiting))?);
        }
        return Ok(());
    };
    if applied.already {
        eprintln!("note: the team store had this change already (sent before); nothing was written twice");
    }
    let (saved, version) = super::team::printed(&applied);
    if args.json {
        let out = serde_json::json!({
            "review": saved,
            "version": applied.review.version,
            "call": { "hash": hash, "path": args.file, "meta": meta },
            "scorecard": { "id": version.id, "name": version.name, "version": version.version },
            "formula": score_formula(),
            "database": super::team::target_of(url)?.1,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_review(saved, &version.card, &meta, version.version, &args.file);
    }
    Ok(())
}

fn print_review(r: &Review, card: &Scorecard, meta: &CallMeta, version: i64, file: &Path) {
    outln!(
        "review {} ({}) of {} by {}; scorecard \"{}\" v{version}",
        r.id,
        r.status,
        term_path(file),
        term(&r.reviewer),
        term(&card.name)
    );
    if let Some(agent) = &meta.agent {
        outln!("agent: {}", term(agent));
    }
    for a in &r.answers {
        let critical = card.item(&a.key).is_some_and(|i| i.critical);
        let answer = a.answer.map_or("-", Answer::as_str);
        let mut line = format!("  {:<22} {answer:<3}", term(&a.key));
        if critical {
            line.push_str(" (critical)");
        }
        if !a.evidence_s.is_empty() {
            let t: Vec<String> = a.evidence_s.iter().map(|t| format!("{t}s")).collect();
            line.push_str(&format!(" @ {}", t.join(", ")));
        }
        if !a.comment.is_empty() {
            line.push_str(&format!("  \"{}\"", term(&a.comment)));
        }
        outln!("{line}");
    }
    let s = score(card, &r.answers);
    outln!("score: {}", s.summary());
    outln!("formula: {}", score_formula());
}
