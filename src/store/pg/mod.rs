//! The team store on PostgreSQL — foundation: connecting (TLS when the URL asks for it), the
//! schema with its roles and row-level security ([`schema`]), `callqa db init-team`
//! ([`init_team`]) and review saves with optimistic concurrency ([`PgStore::create_review`],
//! [`PgStore::update_review`]), and `callqa db copy` between a SQLite store and a new team
//! store, checked by per-table counts and hashes ([`copy`]); calls, scorecards and reviews
//! (`calls.rs`, `reviews.rs`), queues (`queues.rs`), calibration sessions and their reviews
//! (`calibration.rs`), coaching clips (`clips.rs`) and transcripts with their phrase search
//! (`transcripts.rs`), each with the meaning [`crate::store::Store`]'s has on SQLite.
//!
//! Who is saving is the database login (`session_user`), never a typed name: the server
//! enforces who may read and change what (see [`schema`]). Every statement binds its values
//! as parameters; role names, which DDL cannot bind, go through [`quote_ident`] after
//! [`check_role_name`].

mod calibration;
mod calls;
mod clips;
pub mod copy;
mod error;
mod queues;
mod reviews;
pub mod schema;
mod team;
mod transcripts;

use std::path::{Path, PathBuf};

use postgres::{Client, Config};

use crate::model::scorecard::{Answer, ItemAnswer, Scorecard, score};

pub use copy::{CopyError, CopyReport, TableCheck};
pub use error::PgError;
pub use reviews::TeamReview;
pub use team::{InitReport, TeamPlan, UpgradeReport, init_team, init_team_at, upgrade_team};

/// PostgreSQL's longest identifier (NAMEDATALEN - 1 bytes); longer names are cut silently by
/// the server, so callqa refuses them.
pub const MAX_NAME_BYTES: usize = 63;

/// `name` as a PostgreSQL identifier: in double quotes, each `"` doubled. Only for names that
/// passed [`check_role_name`] (no NUL, not too long).
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Refuses a person's role name that PostgreSQL would change or reject: empty, longer than
/// [`MAX_NAME_BYTES`], a NUL or control character, reserved (`pg_…`, `public`, …) or one of
/// callqa's group roles.
pub fn check_role_name(name: &str) -> Result<(), PgError> {
    let bad = |why: &str| Err(PgError::BadRoleName { name: name.to_string(), why: why.to_string() });
    if name.trim().is_empty() {
        return bad("it is empty");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad("PostgreSQL role names are at most 63 bytes");
    }
    if name.chars().any(char::is_control) {
        return bad("it holds a control character");
    }
    let lower = name.to_lowercase();
    if lower.starts_with("pg_") {
        return bad("names starting with pg_ are reserved by PostgreSQL");
    }
    if ["public", "none", "current_user", "session_user", "current_role"].contains(&lower.as_str()) {
        return bad("PostgreSQL reserves it");
    }
    if schema::GROUP_ROLES.contains(&name) {
        return bad("it is one of callqa's group roles");
    }
    Ok(())
}

/// How long a connection attempt waits when the URL sets no `connect_timeout`.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where a URL points, for messages: `user@host:port/db` (never the password).
pub fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().or(config.get_user()).unwrap_or("?")
    )
}

/// Connects to `url` (`postgres://user@host:port/db?sslmode=require`, or key=value form).
/// `sslmode=require` uses TLS through the system's OpenSSL and verifies the server's
/// certificate (chain and host name) against the system's roots, or against the CA
/// certificate named by `sslrootcert=FILE` (PEM; libpq's name for it); `prefer` (the default)
/// tries TLS first.
pub fn connect(url: &str) -> Result<(Client, String), PgError> {
    let (config, root) = parse_url(url)?;
    connect_with(&config, root.as_deref())
}

/// `url` as the client's configuration, and the CA certificate of its `sslrootcert` (which
/// the client library does not read itself: it is taken out of the URL here).
pub fn parse_url(url: &str) -> Result<(Config, Option<PathBuf>), PgError> {
    let (rest, root) = take_root_cert(url);
    let config: Config = rest.parse().map_err(|e| PgError::BadUrl(format!("{e}")))?;
    Ok((config, root))
}

/// Splits `sslrootcert=…` off a URL's query (`?a=b&sslrootcert=/x.pem`) or a key=value
/// string (`host=h sslrootcert=/x.pem`).
fn take_root_cert(url: &str) -> (String, Option<PathBuf>) {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else { return (url.to_string(), None) };
        let mut root = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| match kv.split_once('=') {
                Some(("sslrootcert", v)) => {
                    root = Some(PathBuf::from(percent_decode(v)));
                    false
                }
                _ => true,
            })
            .collect();
        let rest = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        (rest, root)
    } else {
        let mut root = None;
        let kept: Vec<&str> = url
            .split_whitespace()
            .filter(|kv| match kv.split_once('=') {
                Some(("sslrootcert", v)) => {
                    root = Some(PathBuf::from(v.trim_matches('\'')));
                    false
                }
                _ => true,
            })
            .collect();
        (kept.join(" "), root)
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Connects with a parsed configuration (TLS verified against the system's roots).
pub fn connect_config(config: &Config) -> Result<(Client, String), PgError> {
    connect_with(config, None)
}

/// Connects; with `root`, TLS certificates are verified against that CA certificate too.
pub fn connect_with(config: &Config, root: Option<&Path>) -> Result<(Client, String), PgError> {
    let target = describe(config);
    let mut config = config.clone();
    if config.get_connect_timeout().is_none() {
        // An unreachable host is said within seconds, not after TCP's minutes.
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(root) = root {
        let pem = std::fs::read(root)
            .map_err(|e| PgError::BadUrl(format!("sslrootcert {}: {e}", root.display())))?;
        let cert = native_tls::Certificate::from_pem(&pem).map_err(|e| {
            PgError::BadUrl(format!("sslrootcert {} is not a PEM certificate ({e})", root.display()))
        })?;
        builder.add_root_certificate(cert);
    }
    let tls = builder.build().map_err(PgError::Tls)?;
    let tls = postgres_native_tls::MakeTlsConnector::new(tls);
    let client = config.connect(tls).map_err(|source| PgError::Connect { target: target.clone(), source })?;
    Ok((client, target))
}

/// A review's id and the version its row now has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewVersion {
    pub id: i64,
    pub version: i64,
}

/// Who is connected: the login and the callqa roles it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub login: String,
    pub reviewer: bool,
    pub lead: bool,
    pub admin: bool,
}

/// A connection to a team store at the current schema version.
pub struct PgStore {
    client: Client,
    target: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("target", &self.target).finish_non_exhaustive()
    }
}

impl PgStore {
    /// The first column of every row `sql` gives.
    fn column<T>(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<T>, PgError>
    where
        T: for<'a> postgres::types::FromSql<'a>,
    {
        let rows = self.client.query(sql, params)?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// Connects and checks that the database is a callqa team store this callqa can use.
    pub fn connect(url: &str) -> Result<PgStore, PgError> {
        let (config, root) = parse_url(url)?;
        PgStore::connect_with(&config, root.as_deref())
    }

    /// [`PgStore::connect`] with a parsed configuration.
    pub fn connect_config(config: &Config) -> Result<PgStore, PgError> {
        PgStore::connect_with(config, None)
    }

    /// [`PgStore::connect`] with a parsed configuration and `sslrootcert`'s file.
    pub fn connect_with(config: &Config, root: Option<&Path>) -> Result<PgStore, PgError> {
        let (mut client, target) = connect_with(config, root)?;
        let found = team::schema_version(&mut client)?;
        match found {
            None => Err(PgError::NotTeamStore(target)),
            Some(v) if v > schema::latest() => {
                Err(PgError::TooNew { target, found: v, supported: schema::latest() })
            }
            Some(v) if v < schema::latest() => Err(PgError::OldSchema { target, found: v }),
            Some(_) => Ok(PgStore { client, target }),
        }
    }

    /// `user@host:port/db`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The login and its callqa roles (from the server).
    pub fn identity(&mut self) -> Result<Identity, PgError> {
        let row = self.client.query_one(
            "SELECT session_user::text, pg_has_role(session_user, 'callqa_reviewer', 'MEMBER'), \
             pg_has_role(session_user, 'callqa_lead', 'MEMBER'), pg_has_role(session_user, 'callqa_admin', 'MEMBER')",
            &[],
        )?;
        Ok(Identity { login: row.get(0), reviewer: row.get(1), lead: row.get(2), admin: row.get(3) })
    }

    /// The scorecard version `id`.
    pub fn scorecard(&mut self, id: i64) -> Result<Scorecard, PgError> {
        let row = self
            .client
            .query_opt("SELECT content FROM callqa.scorecards WHERE id = $1", &[&id])?
            .ok_or_else(|| PgError::NotFound(format!("scorecard version {id}")))?;
        let content: String = row.get(0);
        Scorecard::from_json_str(&content).map_err(|e| PgError::BadData(format!("scorecard {id}: {e}")))
    }

    /// A new review of `call_id` by the login, as a draft or submitted (`submit`: every item
    /// answered). Version 1.
    pub fn create_review(
        &mut self,
        call_id: i64,
        card_id: i64,
        answers: &[ItemAnswer],
        submit: bool,
    ) -> Result<ReviewVersion, PgError> {
        self.create_review_once(call_id, card_id, answers, submit, None)
    }

    /// [`PgStore::create_review`], applied at most once per `change` id (an outbox change sent
    /// again after a lost acknowledgement: [`PgError::AlreadyApplied`], nothing written).
    pub(crate) fn create_review_once(
        &mut self,
        call_id: i64,
        card_id: i64,
        answers: &[ItemAnswer],
        submit: bool,
        change: Option<&str>,
    ) -> Result<ReviewVersion, PgError> {
        self.insert_review(call_id, card_id, answers, submit, change, None)
    }

    /// A new review by the login, in calibration session `session` when given (its
    /// `review_sessions` row written in the same transaction; the server refuses it unless
    /// the login is a reviewer of the session and the call is in it).
    fn insert_review(
        &mut self,
        call_id: i64,
        card_id: i64,
        answers: &[ItemAnswer],
        submit: bool,
        change: Option<&str>,
        session: Option<i64>,
    ) -> Result<ReviewVersion, PgError> {
        let card = self.scorecard(card_id)?;
        card.check_answers(answers).map_err(|e| PgError::BadData(e.to_string()))?;
        let answers = on_card(&card, answers);
        let s = score(&card, &answers);
        if submit && !s.complete {
            return Err(PgError::Incomplete(s.unanswered));
        }
        let status = if submit { "submitted" } else { "draft" };
        let mut tx = self.client.transaction()?;
        claim(&mut tx, change)?;
        let row = tx.query_one(
            "INSERT INTO callqa.reviews (call_id, scorecard_id, status, percent, points, max_points, \
             critical_failed, complete) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, version",
            &[&call_id, &card_id, &status, &s.percent, &s.points, &s.max, &s.critical_failed, &s.complete],
        )?;
        let saved = ReviewVersion { id: row.get(0), version: row.get(1) };
        if let Some(session) = session {
            tx.execute(
                "INSERT INTO callqa.review_sessions (review_id, session_id) VALUES ($1, $2)",
                &[&saved.id, &session],
            )?;
        }
        write_answers(&mut tx, saved.id, &answers)?;
        tx.commit()?;
        Ok(saved)
    }

    /// Changes review `id`, which the caller loaded at `expected_version`. Refused with
    /// [`PgError::Conflict`] (nothing saved) when someone saved it since; a submitted review
    /// changes only with a `reason` (kept in the audit row by the database).
    pub fn update_review(
        &mut self,
        id: i64,
        expected_version: i64,
        answers: &[ItemAnswer],
        submit: bool,
        reason: Option<&str>,
    ) -> Result<ReviewVersion, PgError> {
        self.update_review_once(id, expected_version, answers, submit, reason, None)
    }

    /// [`PgStore::update_review`], applied at most once per `change` id.
    pub(crate) fn update_review_once(
        &mut self,
        id: i64,
        expected_version: i64,
        answers: &[ItemAnswer],
        submit: bool,
        reason: Option<&str>,
        change: Option<&str>,
    ) -> Result<ReviewVersion, PgError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let current = self
            .client
            .query_opt("SELECT scorecard_id, status, reviewer FROM callqa.reviews WHERE id = $1", &[&id])?
            .ok_or_else(|| PgError::NotFound(format!("review {id}")))?;
        let (card_id, status, reviewer): (i64, String, String) =
            (current.get(0), current.get(1), current.get(2));
        let card = self.scorecard(card_id)?;
        card.check_answers(answers).map_err(|e| PgError::BadData(e.to_string()))?;
        let answers = on_card(&card, answers);
        let s = score(&card, &answers);
        let was_submitted = status == "submitted";
        if was_submitted && reason.is_none() {
            return Err(PgError::AmendNeedsReason);
        }
        let new_status = if submit || was_submitted { "submitted" } else { "draft" };
        if new_status == "submitted" && !s.complete {
            return Err(PgError::Incomplete(s.unanswered));
        }
        let mut tx = self.client.transaction()?;
        claim(&mut tx, change)?;
        if let Some(reason) = reason {
            tx.execute("SELECT set_config('callqa.amend_reason', $1, true)", &[&reason])?;
        }
        let updated = tx.query_opt(
            "UPDATE callqa.reviews SET status = $3, percent = $4, points = $5, max_points = $6, \
             critical_failed = $7, complete = $8 WHERE id = $1 AND version = $2 RETURNING version",
            &[
                &id,
                &expected_version,
                &new_status,
                &s.percent,
                &s.points,
                &s.max,
                &s.critical_failed,
                &s.complete,
            ],
        )?;
        let Some(row) = updated else {
            let found: Option<i64> =
                tx.query_opt("SELECT version FROM callqa.reviews WHERE id = $1", &[&id])?.map(|r| r.get(0));
            return Err(match found {
                Some(found) if found != expected_version => {
                    PgError::Conflict { review_id: id, expected: expected_version, found }
                }
                Some(_) => PgError::Denied(format!("review {id} belongs to {reviewer}")),
                None => PgError::NotFound(format!("review {id}")),
            });
        };
        write_answers(&mut tx, id, &answers)?;
        tx.commit()?;
        Ok(ReviewVersion { id, version: row.get(0) })
    }
}

/// Records an outbox change's id in the transaction that applies it; refused with
/// [`PgError::AlreadyApplied`] when the server has it already (the transaction is then
/// dropped: rolled back, nothing written).
fn claim(tx: &mut postgres::Transaction<'_>, change: Option<&str>) -> Result<(), PgError> {
    let Some(change) = change else { return Ok(()) };
    let new = tx.execute(
        "INSERT INTO callqa.applied_changes (change_id) VALUES ($1) ON CONFLICT (change_id) DO NOTHING",
        &[&change],
    )?;
    if new == 0 { Err(PgError::AlreadyApplied(change.to_string())) } else { Ok(()) }
}

/// One answer per card item, in card order (unanswered items stored as such).
fn on_card(card: &Scorecard, answers: &[ItemAnswer]) -> Vec<ItemAnswer> {
    card.items()
        .map(|item| {
            answers
                .iter()
                .find(|a| a.key == item.key)
                .cloned()
                .unwrap_or_else(|| ItemAnswer::new(&item.key, None))
        })
        .collect()
}

/// Upserts every answer; rows that did not change are not written (so not audited).
fn write_answers(
    tx: &mut postgres::Transaction<'_>,
    review_id: i64,
    answers: &[ItemAnswer],
) -> Result<(), PgError> {
    let st = tx.prepare(
        "INSERT INTO callqa.answers (review_id, position, item_key, answer, comment, evidence) \
         VALUES ($1, $2, $3, $4, $5, ($6::text)::jsonb) \
         ON CONFLICT (review_id, item_key) DO UPDATE SET position = EXCLUDED.position, \
         answer = EXCLUDED.answer, comment = EXCLUDED.comment, evidence = EXCLUDED.evidence \
         WHERE (callqa.answers.position, callqa.answers.answer, callqa.answers.comment, callqa.answers.evidence) \
         IS DISTINCT FROM (EXCLUDED.position, EXCLUDED.answer, EXCLUDED.comment, EXCLUDED.evidence)",
    )?;
    for (position, a) in answers.iter().enumerate() {
        let position = i32::try_from(position).map_err(|_| PgError::BadData("too many items".into()))?;
        let answer = a.answer.map(Answer::as_str);
        let evidence = serde_json::to_string(&a.evidence_s).map_err(|e| PgError::BadData(e.to_string()))?;
        tx.execute(&st, &[&review_id, &position, &a.key, &answer, &a.comment, &evidence])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_the_url_for_the_tls_connector() {
        let (rest, root) =
            take_root_cert("postgres://asha@db:5433/callqa?sslmode=require&sslrootcert=/etc/ca%20team.pem");
        assert_eq!(rest, "postgres://asha@db:5433/callqa?sslmode=require");
        assert_eq!(root, Some(PathBuf::from("/etc/ca team.pem")));
        let (rest, root) = take_root_cert("postgresql://asha@db/callqa?sslrootcert=ca.pem");
        assert_eq!((rest.as_str(), root), ("postgresql://asha@db/callqa", Some(PathBuf::from("ca.pem"))));
        let (rest, root) = take_root_cert("host=db user=asha sslrootcert='/x/ca.pem' sslmode=require");
        assert_eq!(
            (rest.as_str(), root),
            ("host=db user=asha sslmode=require", Some(PathBuf::from("/x/ca.pem")))
        );
        let (rest, root) = take_root_cert("postgres://asha@db/callqa?sslmode=require");
        assert_eq!((rest.as_str(), root), ("postgres://asha@db/callqa?sslmode=require", None));
        assert!(parse_url("postgres://asha@db/callqa?sslrootcert=/ca.pem&sslmode=require").is_ok());
    }

    #[test]
    fn quote_ident_doubles_quotes_and_wraps() {
        assert_eq!(quote_ident("asha"), "\"asha\"");
        assert_eq!(quote_ident("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
        assert_eq!(quote_ident("o'brien"), "\"o'brien\"");
        assert_eq!(quote_ident("\""), "\"\"\"\"");
    }

    #[test]
    fn role_names_postgres_would_change_are_refused() {
        assert!(check_role_name("Asha Rao").is_ok());
        assert!(check_role_name("o'brien\"; DROP SCHEMA callqa; --").is_ok());
        for bad in ["", "  ", "pg_monitor", "PUBLIC", "callqa_lead", "a\u{0}b", "a\nb", &"x".repeat(64)] {
            assert!(check_role_name(bad).is_err(), "{bad:?} should be refused");
        }
        // 63 bytes of multi-byte letters is fine; 64 is not.
        assert!(check_role_name(&"é".repeat(31)).is_ok());
        assert!(check_role_name(&"é".repeat(32)).is_err());
    }
}
