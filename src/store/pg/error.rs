//! Why the team store refused or failed: [`PgError`], in words a lead or admin can act on.

use thiserror::Error;

/// A team-store operation that did not happen (a failed transaction changed nothing).
#[derive(Debug, Error)]
pub enum PgError {
    #[error("not a PostgreSQL URL ({0}); write it as postgres://USER@HOST:PORT/DATABASE")]
    BadUrl(String),
    #[error("cannot set up TLS for the team database ({0})")]
    Tls(native_tls::Error),
    #[error(
        "cannot reach the team database {target} ({}); check the URL, that the server is \
         running and that pg_hba.conf lets this login in{}",
        with_causes(.source),
        tls_hint(.source)
    )]
    Connect { target: String, source: postgres::Error },
    #[error(
        "the database {0} is not a callqa team store (no callqa schema); an admin creates one with \
         `callqa db init-team URL --leads … --reviewers …`"
    )]
    NotTeamStore(String),
    #[error(
        "the database {target} is not empty and not a callqa team store (it holds {tables} tables or \
         views); it was left untouched. Create an empty database (CREATE DATABASE …) and try again"
    )]
    Foreign { target: String, tables: i64 },
    #[error(
        "the database {target} is already a callqa team store (schema version {version}); nothing \
         was changed"
    )]
    AlreadyTeamStore { target: String, version: i32 },
    #[error(
        "the team database {target} was set up by a newer callqa (schema version {found}; this \
         callqa knows up to {supported}); update callqa"
    )]
    TooNew { target: String, found: i32, supported: i32 },
    #[error(
        "the team database {target} has an older schema (version {found}); an admin brings it up to \
         date with `callqa db upgrade URL` (all its data is kept)"
    )]
    OldSchema { target: String, found: i32 },
    #[error("cannot use {name:?} as a role name: {why}")]
    BadRoleName { name: String, why: String },
    #[error("{0} is named twice; each person has one role")]
    DuplicateName(String),
    #[error("give at least one lead or reviewer (--leads a,b --reviewers c,d)")]
    NobodyNamed,
    #[error(
        "review {review_id} was saved by someone else meanwhile (you changed version {expected}, the \
         database now has version {found}); nothing was saved. Reload it and make your change again"
    )]
    Conflict { review_id: i64, expected: i64, found: i64 },
    #[error(
        "this review is submitted: it changes only as an amendment with a reason (kept in the audit log)"
    )]
    AmendNeedsReason,
    #[error("cannot submit yet: these items are not answered: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    #[error("not allowed: {0}")]
    Denied(String),
    #[error("{0} not found in the team database")]
    NotFound(String),
    #[error("the team database holds something this callqa cannot read ({0})")]
    BadData(String),
    #[error("team database error: {}", describe_db_error(.0))]
    Sql(postgres::Error),
    #[error("the team store has change {0} already (sent before; its acknowledgement was lost)")]
    AlreadyApplied(String),
    /// A calibration session's review that cannot be made as asked (the session does not
    /// exist, or the review is submitted): the asker's input, not the server's state.
    #[error("{0}")]
    SessionReview(String),
}

impl PgError {
    /// The server could not be reached, or the connection broke: the change may be kept and
    /// sent later (an outbox), as opposed to a refusal, which sending again would not change.
    pub fn is_unreachable(&self) -> bool {
        let lost = |e: &postgres::Error| {
            e.as_db_error().is_none()
                && (e.is_closed()
                    || std::error::Error::source(e)
                        .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
                    || e.to_string().contains("timed out")
                    || e.to_string().contains("connection closed"))
        };
        match self {
            PgError::Connect { source, .. } => lost(source) || is_shutting_down(source),
            PgError::Sql(e) => lost(e) || is_shutting_down(e),
            _ => false,
        }
    }
}

/// The server said it is shutting down or starting up (57P01, 57P03, …: class 57 "operator
/// intervention", and 08 "connection exception").
fn is_shutting_down(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("57P") || c.code().starts_with("08"))
}

impl From<postgres::Error> for PgError {
    fn from(e: postgres::Error) -> Self {
        match e.code() {
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => {
                PgError::Denied(describe_db_error(&e))
            }
            _ => PgError::Sql(e),
        }
    }
}

/// The error and what caused it (a TLS handshake's own reason, e.g. "certificate verify
/// failed", is a cause, not the error's message).
fn with_causes(e: &postgres::Error) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// What to do about a certificate the system does not trust.
fn tls_hint(e: &postgres::Error) -> &'static str {
    if with_causes(e).contains("certificate") {
        "; the server's TLS certificate is not trusted: add sslrootcert=CA.pem (the team's CA) to the URL"
    } else {
        ""
    }
}

/// The server's message (and hint) when there is one; the client's otherwise.
fn describe_db_error(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.hint() {
            Some(hint) => format!("{} ({hint})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}
