//! `callqa db …`: the team store on PostgreSQL. `db init-team URL --leads a,b --reviewers c,d`
//! makes an empty database a team store ([`crate::store::pg::init_team`]) and prints each step;
//! `db copy --from SRC --to DST` copies a SQLite store into a new team store or back
//! ([`crate::store::pg::copy`]) and prints each table's check.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::out::{outln, term};
use crate::store::pg::{CopyError, CopyReport, PgError, TeamPlan, copy, init_team, upgrade_team};

/// `callqa db init-team`.
pub fn run_init_team(url: &str, leads: Vec<String>, reviewers: Vec<String>) -> ExitCode {
    match init(url, TeamPlan { leads, reviewers }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::report_error("db init-team", &e),
    }
}

fn init(url: &str, plan: TeamPlan) -> Result<()> {
    let report = init_team(url, &plan).map_err(|e| match e {
        // A mistake in what was asked: exit code 2.
        PgError::BadRoleName { .. }
        | PgError::DuplicateName(_)
        | PgError::NobodyNamed
        | PgError::BadUrl(_) => anyhow::Error::new(super::CliError::Usage(e.to_string())),
        e => anyhow::Error::new(e),
    });
    let report = report.context("the team store was not created (nothing was changed)")?;
    outln!("team store created in {}:", term(&report.target));
    for step in &report.steps {
        outln!("  {}", term(step));
    }
    outln!(
        "Passwords are not set here: each person sets one with \\password in psql (or an admin with \
         ALTER ROLE … PASSWORD), or pg_hba.conf lets them in another way (peer, cert, ldap)."
    );
    Ok(())
}

/// `callqa db upgrade URL`: the missing migrations, all or none.
pub fn run_upgrade(url: &str) -> ExitCode {
    match upgrade_team(url) {
        Ok(r) if r.applied.is_empty() => {
            outln!("{}: the team store is up to date (schema version {})", term(&r.target), r.to);
            ExitCode::SUCCESS
        }
        Ok(r) => {
            let list: Vec<String> = r.applied.iter().map(i32::to_string).collect();
            outln!(
                "{}: upgraded from schema version {} to {} (migrations {}); every row kept",
                term(&r.target),
                r.from,
                r.to,
                list.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let e = anyhow::Error::new(e).context("the team store was not upgraded (nothing was changed)");
            super::report_error("db upgrade", &e)
        }
    }
}

/// `callqa db copy`: 0 when every table matched and the copy was committed; 1 when a table
/// differed (nothing written) or the copy failed; 2 when it was refused (a destination that
/// exists or holds data, a backup name taken, not one file and one URL).
pub fn run_copy(from: &str, to: &str) -> ExitCode {
    match copy::copy(from, to) {
        Ok(report) => {
            print_report(&report);
            ExitCode::SUCCESS
        }
        Err(CopyError::Mismatch(report)) => {
            print_report(&report);
            let e = anyhow::Error::new(CopyError::Mismatch(report));
            super::report_error("db copy", &e)
        }
        Err(e) => {
            let refused = matches!(
                e,
                CopyError::Usage(_)
                    | CopyError::DestinationExists(_)
                    | CopyError::BackupExists(_)
                    | CopyError::NotFresh { .. }
                    | CopyError::UnknownTables { .. }
                    | CopyError::Pg(PgError::BadUrl(_))
            );
            let e = if refused {
                anyhow::Error::new(super::CliError::Usage(e.to_string()))
            } else {
                anyhow::Error::new(e).context("nothing was copied")
            };
            super::report_error("db copy", &e)
        }
    }
}

/// `table  rows  hash  ok`, one line a table (both sides' figures where they differ).
fn print_report(report: &CopyReport) {
    outln!("{} -> {}", term(&report.source), term(&report.destination));
    if let Some(backup) = &report.backup {
        outln!("backup of the source: {}", super::out::term_path(backup));
    }
    outln!("{:<18} {:>9}  {:<12}  ok", "table", "rows", "hash");
    for t in &report.tables {
        let short = |h: &str| h.get(..12).unwrap_or(h).to_string();
        if t.ok() {
            outln!("{:<18} {:>9}  {:<12}  ok", t.table, t.source_rows, short(&t.source_hash));
        } else {
            outln!(
                "{:<18} {:>9}  {:<12}  DIFFERS (destination: {} rows, {})",
                t.table,
                t.source_rows,
                short(&t.source_hash),
                t.destination_rows,
                short(&t.destination_hash)
            );
        }
    }
    let rows: usize = report.tables.iter().map(|t| t.source_rows).sum();
    let verdict = if report.ok() { "equal: committed" } else { "NOT equal: rolled back" };
    outln!("{rows} rows in {:.2} s; {verdict}", report.elapsed.as_secs_f64());
}
