//! `callqa review` on the team store, through the outbox, and `callqa db sync`.
//!
//! Every change is first written to the outbox ([`crate::store::outbox`], a local SQLite file,
//! synced), then the waiting changes for this team store are sent in the order they were made,
//! this one last. When the server cannot be reached (or the connection breaks) the changes stay
//! and the user is told how many wait; they are sent by `callqa db sync` or the next review.
//! The server records each change's id with the change, so one sent again after a lost
//! acknowledgement is not applied twice. A change the server refuses is reported: the one just
//! made leaves the outbox (the user sees the refusal at once, as on SQLite); an older one stays,
//! marked with why, until `callqa db sync --drop ID`. A calibration session's review goes the
//! same way, marked with the session's name.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use postgres::Config;

use super::CliError;
use super::out::{outln, term};
use crate::model::scorecard::{ItemAnswer, Review};
use crate::store::CardVersion;
use crate::store::outbox::{Applied, Outbox, ReviewChange, SyncReport, Waiting, sync};
use crate::store::pg::{self, PgError, PgStore};

/// The URL's configuration and its `user@host:port/db` (the outbox's key).
pub(crate) fn target_of(url: &str) -> Result<(Config, String), PgError> {
    let (config, _) = pg::parse_url(url)?;
    let target = pg::describe(&config);
    Ok((config, target))
}

/// Connects to the team store of `url` (with its `sslrootcert`, if any).
fn connect(url: &str) -> Result<PgStore, PgError> {
    PgStore::connect(url)
}

fn say_waiting(outbox: &Outbox, target: &str, why: &str) -> Result<usize> {
    let n = outbox.count(target)?;
    eprintln!(
        "callqa: the team store {} cannot be reached ({}); {n} change(s) wait in the outbox {} and are \
         sent when it is back (callqa db sync, or your next review). Nothing is lost.",
        term(target),
        term(why),
        outbox.path().display()
    );
    Ok(n)
}

fn say_refused(report: &SyncReport, except: i64) {
    for (id, why) in report.refused.iter().filter(|(id, _)| *id != except) {
        eprintln!(
            "callqa: an earlier change (outbox {id}) was refused by the team store: {}; it stays in the \
             outbox until you drop it (callqa db sync --drop {id})",
            term(why)
        );
    }
}

/// `callqa review` on the team store: `change` is kept in the outbox, then everything waiting
/// is sent. Returns the review when this change reached the server, `None` when it waits.
pub(crate) fn review(url: &str, change: &ReviewChange) -> Result<Option<Applied>> {
    let (_, target) = target_of(url)?;
    let mut outbox = Outbox::open(&Outbox::default_path()?)?;
    let mine = outbox.push(&target, change)?;
    let mut store = match connect(url) {
        Ok(s) => s,
        Err(e) if e.is_unreachable() => {
            say_waiting(&outbox, &target, &e.to_string())?;
            return Ok(None);
        }
        Err(e) => {
            outbox.sent(mine)?;
            return Err(e.into());
        }
    };
    let mut report = sync(&mut store, &mut outbox, &target)?;
    say_refused(&report, mine);
    if report.sent > 1 {
        eprintln!("callqa: sent {} change(s) that waited in the outbox", report.sent - 1);
    }
    if let Some((_, why)) = report.refused.iter().find(|(id, _)| *id == mine) {
        outbox.sent(mine)?;
        if report.mistaken.contains(&mine) {
            bail!(CliError::Usage(why.clone()));
        }
        bail!("{why}");
    }
    if let Some(why) = &report.lost {
        say_waiting(&outbox, &target, why)?;
        return Ok(None);
    }
    match report.applied.iter().position(|(id, _)| *id == mine) {
        Some(i) => Ok(Some(report.applied.swap_remove(i).1)),
        None => bail!("the change was not sent (outbox {mine}); run callqa db sync"),
    }
}

/// `callqa db sync [--drop ID]`.
pub fn run_sync(db: Option<&Path>, drop: Option<i64>, json: bool) -> ExitCode {
    match sync_command(db, drop, json) {
        Ok(code) => code,
        Err(e) => super::report_error("db sync", &e),
    }
}

fn sync_command(db: Option<&Path>, drop: Option<i64>, json: bool) -> Result<ExitCode> {
    let Some(url) = super::team_url(db) else {
        bail!(CliError::Usage(
            "db sync sends the outbox to the team store: give --db postgres://… (or CALLQA_DB)".into()
        ));
    };
    let (_, target) = target_of(&url)?;
    let mut outbox = Outbox::open(&Outbox::default_path()?)?;
    if let Some(id) = drop {
        if !outbox.drop_change(id)? {
            bail!(CliError::Usage(format!("the outbox holds no change {id}")));
        }
        eprintln!("dropped change {id} from the outbox");
    }
    let before = outbox.count(&target)?;
    let mut store = match connect(&url) {
        Ok(s) => s,
        Err(e) if e.is_unreachable() => {
            say_waiting(&outbox, &target, &e.to_string())?;
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let report = sync(&mut store, &mut outbox, &target)?;
    let left: Vec<Waiting> = outbox.waiting(&target)?;
    if json {
        let out = serde_json::json!({
            "target": target,
            "waiting_before": before,
            "sent": report.sent,
            "already_there": report.applied.iter().filter(|(_, a)| a.already).count(),
            "refused": report.refused.iter().map(|(id, why)| serde_json::json!({"id": id, "why": why})).collect::<Vec<_>>(),
            "waiting": left.len(),
            "lost_connection": report.lost,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!("{}: {} waited, {} sent, {} wait", term(&target), before, report.sent, left.len());
        for w in &left {
            let what = match &w.change.session {
                Some(s) => format!("{} ({s})", w.change.file.display()),
                None => w.change.file.display().to_string(),
            };
            outln!(
                "  {} {} {} {}",
                w.id,
                term(&w.created_at),
                term(&what),
                term(w.error.as_deref().unwrap_or("not sent yet"))
            );
        }
    }
    if let Some(why) = &report.lost {
        say_waiting(&outbox, &target, why)?;
    }
    Ok(if left.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Answers of a change, for the JSON of a queued review.
pub(crate) fn queued_json(change: &ReviewChange, waiting: usize) -> serde_json::Value {
    let answers: Vec<&ItemAnswer> = change.answers.iter().collect();
    serde_json::json!({
        "queued": true,
        "waiting": waiting,
        "call": change.file,
        "answers": answers,
        "submit": change.submit,
        "session": change.session,
    })
}

/// How many changes wait for `url`'s store.
pub(crate) fn waiting_count(url: &str) -> Result<usize> {
    let (_, target) = target_of(url)?;
    Ok(Outbox::open(&Outbox::default_path()?)?.count(&target)?)
}

/// A review that reached the server, for printing.
pub(crate) fn printed(a: &Applied) -> (&Review, &CardVersion) {
    (&a.review.review, &a.card)
}
