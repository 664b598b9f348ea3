//! `callqa db init-team`: an empty PostgreSQL database becomes a team store — the group
//! roles, the schema (as `callqa_admin`), the built-in scorecard, and a LOGIN role for each
//! lead and reviewer — in one transaction: all of it or nothing.

use postgres::Client;

use super::{PgError, check_role_name, connect, quote_ident, schema};
use crate::model::scorecard::Scorecard;

/// Who gets which role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TeamPlan {
    pub leads: Vec<String>,
    pub reviewers: Vec<String>,
}

/// What `init_team` did, one line a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitReport {
    /// `user@host:port/db`.
    pub target: String,
    pub steps: Vec<String>,
}

/// The schema version of the database `client` is connected to: `None` when it has no
/// callqa schema.
pub(crate) fn schema_version(client: &mut Client) -> Result<Option<i32>, PgError> {
    let exists: bool = client.query_one("SELECT to_regclass('callqa.migrations') IS NOT NULL", &[])?.get(0);
    if !exists {
        return Ok(None);
    }
    let v: i32 = client.query_one("SELECT coalesce(max(version), 0) FROM callqa.migrations", &[])?.get(0);
    Ok(Some(v))
}

/// Makes the empty database at `url` a team store for `plan`'s people. The login in `url`
/// must be able to create roles (a superuser, or `CREATEROLE` and the database's owner).
/// Refuses a database that already holds tables (its own or a team store) and names that
/// PostgreSQL would change.
pub fn init_team(url: &str, plan: &TeamPlan) -> Result<InitReport, PgError> {
    init_team_at(url, plan, schema::latest())
}

/// [`init_team`] with the schema only up to migration `version` (what an older callqa made):
/// for the tests of [`upgrade_team`].
#[doc(hidden)]
pub fn init_team_at(url: &str, plan: &TeamPlan, version: i32) -> Result<InitReport, PgError> {
    let people: Vec<(&str, &str)> = plan
        .leads
        .iter()
        .map(|n| (n.as_str(), "callqa_lead"))
        .chain(plan.reviewers.iter().map(|n| (n.as_str(), "callqa_reviewer")))
        .collect();
    if people.is_empty() {
        return Err(PgError::NobodyNamed);
    }
    for (i, (name, _)) in people.iter().enumerate() {
        check_role_name(name)?;
        if people[..i].iter().any(|(other, _)| other == name) {
            return Err(PgError::DuplicateName((*name).to_string()));
        }
    }

    let (mut client, target) = connect(url)?;
    if let Some(version) = schema_version(&mut client)? {
        return Err(PgError::AlreadyTeamStore { target, version });
    }
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S') \
             AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
            &[],
        )?
        .get(0);
    let callqa_schema: bool =
        client.query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'callqa')", &[])?.get(0);
    if tables > 0 || callqa_schema {
        return Err(PgError::Foreign { target, tables });
    }

    let mut steps = Vec::new();
    let mut tx = client.transaction()?;
    let role_exists = |tx: &mut postgres::Transaction<'_>, name: &str| -> Result<bool, PgError> {
        Ok(tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&name])?.get(0))
    };
    let member_of =
        |tx: &mut postgres::Transaction<'_>, member: &str, group: &str| -> Result<bool, PgError> {
            Ok(tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid \
                 JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = $2 AND r.rolname = $1)",
                    &[&member, &group],
                )?
                .get(0))
        };

    // Group roles: cluster-wide, so another team database on this server may have made them.
    for group in schema::GROUP_ROLES {
        if role_exists(&mut tx, group)? {
            steps.push(format!("group role {group}: already on the server (shared by its databases)"));
        } else {
            tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", quote_ident(group)))?;
            steps.push(format!("created group role {group}"));
        }
    }
    if !member_of(&mut tx, "callqa_lead", "callqa_reviewer")? {
        tx.batch_execute("GRANT callqa_reviewer TO callqa_lead")?;
        steps.push("callqa_lead can do everything callqa_reviewer can (member)".into());
    }
    let me: String = tx.query_one("SELECT current_user::text", &[])?.get(0);
    let superuser: bool =
        tx.query_one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", &[])?.get(0);
    if !superuser && !member_of(&mut tx, &me, "callqa_admin")? {
        tx.batch_execute("GRANT callqa_admin TO CURRENT_USER")?;
        steps.push(format!("{me} is a member of callqa_admin"));
    }

    // The database: only callqa's roles (and its owner) may connect.
    let db: String = tx.query_one("SELECT current_database()::text", &[])?.get(0);
    let qdb = quote_ident(&db);
    tx.batch_execute(&format!(
        "REVOKE CONNECT, TEMPORARY ON DATABASE {qdb} FROM PUBLIC; \
         GRANT CONNECT ON DATABASE {qdb} TO callqa_reviewer, callqa_lead, callqa_admin; \
         GRANT CREATE ON DATABASE {qdb} TO callqa_admin"
    ))?;
    steps.push(format!("database {db}: CONNECT for callqa's roles only (revoked from PUBLIC)"));

    // The schema, owned by callqa_admin.
    tx.batch_execute("SET LOCAL ROLE callqa_admin")?;
    tx.batch_execute(schema::BOOTSTRAP)?;
    apply_migrations(&mut tx, 0, version)?;
    steps.push(format!(
        "schema callqa (owner callqa_admin): migrations 1-{} (calls and their paths, scorecards, reviews, \
         answers, audit, clips, queues, transcripts, calibration sessions, analysis figures, applied \
         outbox changes), row-level security forced on every table",
        version
    ));
    let card = Scorecard::default_card();
    tx.execute(
        "INSERT INTO callqa.scorecards (name, version, hash, content) VALUES ($1, 1, $2, $3)",
        &[&card.name, &card.content_hash(), &card.canonical_json()],
    )?;
    steps.push(format!("scorecard {:?} version 1 (the built-in card)", card.name));
    tx.batch_execute("RESET ROLE")?;

    // People.
    for (name, group) in &people {
        let q = quote_ident(name);
        if role_exists(&mut tx, name)? {
            steps.push(format!("{name}: role already on the server; made a member of {group}"));
        } else {
            tx.batch_execute(&format!("CREATE ROLE {q} LOGIN"))?;
            steps.push(format!("{name}: created LOGIN role, member of {group}"));
        }
        if !member_of(&mut tx, name, group)? {
            tx.batch_execute(&format!("GRANT {} TO {q}", quote_ident(group)))?;
        }
    }
    tx.commit()?;
    Ok(InitReport { target, steps })
}

/// Applies migrations `from + 1 ..= to` as `callqa_admin` (the caller's transaction has set
/// the role), each with its row in `callqa.migrations`.
fn apply_migrations(tx: &mut postgres::Transaction<'_>, from: i32, to: i32) -> Result<Vec<i32>, PgError> {
    let mut applied = Vec::new();
    for (n, sql) in schema::MIGRATIONS.iter().enumerate() {
        let version = i32::try_from(n + 1).map_err(|_| PgError::BadData("too many migrations".into()))?;
        if version <= from || version > to {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO callqa.migrations (version) VALUES ($1)", &[&version])?;
        applied.push(version);
    }
    Ok(applied)
}

/// What [`upgrade_team`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpgradeReport {
    /// `user@host:port/db`.
    pub target: String,
    pub from: i32,
    pub to: i32,
    /// The migrations applied (empty: it was up to date).
    pub applied: Vec<i32>,
}

/// `callqa db upgrade URL`: brings a team store made by an older callqa up to this callqa's
/// schema, in one transaction (all the missing migrations or none), as `callqa_admin`. The
/// login must be a superuser or a member of `callqa_admin`; two upgrades at once wait for
/// each other (the migrations table is locked), and the second finds nothing to do.
pub fn upgrade_team(url: &str) -> Result<UpgradeReport, PgError> {
    let (mut client, target) = connect(url)?;
    let Some(_) = schema_version(&mut client)? else {
        return Err(PgError::NotTeamStore(target));
    };
    let admin: bool = client
        .query_one(
            "SELECT rolsuper OR pg_has_role(current_user, 'callqa_admin', 'MEMBER') FROM pg_roles \
             WHERE rolname = current_user",
            &[],
        )?
        .get(0);
    if !admin {
        return Err(PgError::Denied(format!(
            "only an admin (a member of callqa_admin, or a superuser) upgrades the team store {target}"
        )));
    }
    let mut tx = client.transaction()?;
    tx.batch_execute("LOCK TABLE callqa.migrations IN EXCLUSIVE MODE")?;
    let from: i32 = tx.query_one("SELECT coalesce(max(version), 0) FROM callqa.migrations", &[])?.get(0);
    let to = schema::latest();
    if from > to {
        return Err(PgError::TooNew { target, found: from, supported: to });
    }
    tx.batch_execute("SET LOCAL ROLE callqa_admin")?;
    let applied = apply_migrations(&mut tx, from, to)?;
    tx.batch_execute("RESET ROLE")?;
    tx.commit()?;
    Ok(UpgradeReport { target, from, to, applied })
}
