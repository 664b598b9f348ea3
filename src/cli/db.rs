//! `callqa db …`: the team store on PostgreSQL. `db init-team URL --leads a,b --reviewers c,d`
//! makes an empty database a team store ([`crate::store::pg::init_team`]) and prints each step.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::out::{outln, term};
use crate::store::pg::{PgError, TeamPlan, init_team};

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
