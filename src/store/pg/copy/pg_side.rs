//! The PostgreSQL side of `db copy`: who may copy, whether the team store is still fresh,
//! writing the rows (`COPY … FROM STDIN` with the triggers off for this transaction only),
//! moving the id sequences past them, checking the foreign keys, and reading every table
//! back in callqa's forms.

use std::io::Write;

use postgres::{Client, Transaction};

use super::CopyError;
use super::tables::{FOREIGN_KEYS, Kind, Rows, TABLES, Table, Value, sort_rows, unknown_tables};
use crate::store::pg::{PgError, schema, team};

/// What init-team itself writes into a new team store (the built-in scorecard and its audit
/// row): a fresh store holds that and nothing else.
const SEED_AUDIT_ACTION: &str = "scorecards.insert";

/// Refuses a database that is not a team store at this callqa's schema version.
pub(crate) fn check_team_store(client: &mut Client, target: &str) -> Result<(), CopyError> {
    match team::schema_version(client)? {
        None => Err(PgError::NotTeamStore(target.to_string()).into()),
        Some(v) if v > schema::latest() => {
            Err(PgError::TooNew { target: target.to_string(), found: v, supported: schema::latest() }.into())
        }
        Some(v) if v < schema::latest() => {
            Err(PgError::OldSchema { target: target.to_string(), found: v }.into())
        }
        Some(_) => Ok(()),
    }
}

fn login(client: &mut Client) -> Result<(String, bool), PgError> {
    let row = client
        .query_one("SELECT session_user::text, rolsuper FROM pg_roles WHERE rolname = session_user", &[])?;
    Ok((row.get(0), row.get(1)))
}

/// Copying into the team store writes rows as they were (other people's names, old times,
/// audit rows) past the triggers and row-level security: only a superuser may.
pub(crate) fn require_superuser(client: &mut Client, target: &str) -> Result<(), CopyError> {
    let (login, superuser) = login(client)?;
    if superuser { Ok(()) } else { Err(CopyError::NeedsSuperuser { target: target.to_string(), login }) }
}

/// Copying out of the team store must see every row: a superuser, a lead or an admin (a
/// reviewer's login does not see others' drafts, so its copy would be partial).
pub(crate) fn require_reader_of_all(client: &mut Client, target: &str) -> Result<(), CopyError> {
    let (login, superuser) = login(client)?;
    let sees_all: bool = client
        .query_one(
            "SELECT pg_has_role(session_user, 'callqa_lead', 'MEMBER') \
             OR pg_has_role(session_user, 'callqa_admin', 'MEMBER')",
            &[],
        )
        .map_err(PgError::from)?
        .get(0);
    if superuser || sees_all {
        Ok(())
    } else {
        Err(CopyError::CannotReadAll { target: target.to_string(), login })
    }
}

/// Refuses a team store with a table in schema `callqa` that `db copy` does not know (it
/// would be left behind); `callqa.migrations` is the schema's own.
pub(crate) fn check_known_tables(client: &mut Client, target: &str) -> Result<(), CopyError> {
    let present: Vec<String> = client
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'callqa' AND c.relkind IN ('r', 'p', 'f') AND c.relname <> 'migrations'",
            &[],
        )
        .map_err(PgError::from)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let unknown = unknown_tables(&present, |t| t.pg);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(CopyError::UnknownTables { database: target.to_string(), tables: unknown })
    }
}

/// Refuses a team store that holds anything besides what init-team wrote.
pub(crate) fn require_fresh(
    client: &mut impl postgres::GenericClient,
    target: &str,
) -> Result<(), CopyError> {
    let mut held = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT count(*) FROM callqa.{}", table.pg);
        let n: i64 = client.query_one(sql.as_str(), &[]).map_err(PgError::from)?.get(0);
        let seed = match table.name {
            "scorecards" => 1,
            "audit" => client
                .query_one("SELECT count(*) FROM callqa.audit WHERE action = $1", &[&SEED_AUDIT_ACTION])
                .map_err(PgError::from)?
                .get::<_, i64>(0)
                .min(1),
            _ => 0,
        };
        if n > seed {
            held.push(format!("{n} {}", table.pg));
        }
    }
    if held.is_empty() {
        Ok(())
    } else {
        Err(CopyError::NotFresh { target: target.to_string(), holds: held.join(", ") })
    }
}

/// Readies the copy's transaction: triggers off for it alone (`SET LOCAL
/// session_replication_role = replica`: no audit rows of its own, no rewriting of reviewer,
/// times or versions, and the append-only rule not in the way of removing the seed), times
/// read as UTC, every table locked against other writers, freshness checked again under the
/// lock, and init-team's seed (the built-in card and its audit row) removed: the source's
/// own cards and audit log replace it, ids and all.
pub(crate) fn begin_copy(tx: &mut Transaction<'_>, target: &str) -> Result<(), CopyError> {
    tx.batch_execute("SET LOCAL session_replication_role = replica; SET LOCAL TimeZone = 'UTC'")
        .map_err(PgError::from)?;
    let all: Vec<String> = TABLES.iter().map(|t| format!("callqa.{}", t.pg)).collect();
    tx.batch_execute(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", all.join(", "))).map_err(PgError::from)?;
    require_fresh(tx, target)?;
    tx.execute("DELETE FROM callqa.audit WHERE action = $1", &[&SEED_AUDIT_ACTION]).map_err(PgError::from)?;
    tx.execute("DELETE FROM callqa.scorecards", &[]).map_err(PgError::from)?;
    Ok(())
}

/// Writes one table's rows with `COPY … FROM STDIN` (text format; ids as given).
pub(crate) fn write_table(tx: &mut Transaction<'_>, table: &Table, rows: &Rows) -> Result<(), CopyError> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.pg).collect();
    let sql = format!("COPY callqa.{} ({}) FROM STDIN", table.pg, names.join(", "));
    let mut writer = tx.copy_in(sql.as_str()).map_err(PgError::from)?;
    let mut line = String::new();
    for row in rows {
        line.clear();
        for (i, (value, column)) in row.iter().zip(table.columns).enumerate() {
            if i > 0 {
                line.push('\t');
            }
            copy_field(&mut line, value, column.kind);
        }
        line.push('\n');
        writer
            .write_all(line.as_bytes())
            .map_err(|e| CopyError::BadData(format!("writing {} to the team store: {e}", table.name)))?;
    }
    writer.finish().map_err(PgError::from)?;
    Ok(())
}

/// One field in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage
/// return escaped.
fn copy_field(out: &mut String, value: &Value, kind: Kind) {
    match value {
        Value::Null => out.push_str("\\N"),
        Value::Int(i) if kind == Kind::Bool => out.push(if *i == 0 { 'f' } else { 't' }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Real(f) => out.push_str(&format!("{f:?}")),
        Value::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// Each identity sequence moves past the largest copied id: the next row gets a fresh one.
pub(crate) fn advance_sequences(tx: &mut Transaction<'_>) -> Result<(), CopyError> {
    for table in TABLES.iter().filter(|t| t.identity) {
        let id = table.columns.first().map_or("id", |c| c.pg);
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('callqa.{t}', '{id}'), \
             coalesce((SELECT max({id}) FROM callqa.{t}), 0) + 1, false)",
            t = table.pg
        );
        tx.execute(sql.as_str(), &[]).map_err(PgError::from)?;
    }
    Ok(())
}

/// The copy wrote with triggers off, and foreign keys are triggers: check them here.
pub(crate) fn check_foreign_keys(tx: &mut Transaction<'_>) -> Result<(), CopyError> {
    for (child, column, parent, key) in FOREIGN_KEYS {
        let sql = format!(
            "SELECT count(*) FROM callqa.{child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM callqa.{parent} p WHERE p.{key} = c.{column})"
        );
        let orphans: i64 = tx.query_one(sql.as_str(), &[]).map_err(PgError::from)?.get(0);
        if orphans > 0 {
            return Err(CopyError::BadData(format!(
                "{orphans} rows of {child} name a {parent} row that does not exist ({column})"
            )));
        }
    }
    Ok(())
}

/// Every table, each in key order, times as callqa writes them (UTC, milliseconds).
pub(crate) fn read_all(client: &mut impl postgres::GenericClient) -> Result<Vec<Rows>, CopyError> {
    TABLES.iter().map(|t| read_table(client, t)).collect()
}

fn read_table(client: &mut impl postgres::GenericClient, table: &Table) -> Result<Rows, CopyError> {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Int => format!("{}::bigint", c.pg),
            Kind::Real => format!("{}::float8", c.pg),
            Kind::Bool => c.pg.to_string(),
            Kind::Text | Kind::Json => format!("{}::text", c.pg),
            Kind::Time => {
                format!("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')", c.pg)
            }
        })
        .collect();
    let sql = format!("SELECT {} FROM callqa.{}", columns.join(", "), table.pg);
    let mut rows = Rows::new();
    for r in client.query(sql.as_str(), &[]).map_err(PgError::from)? {
        let mut row = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            row.push(value(&r, i, column.kind)?);
        }
        rows.push(row);
    }
    sort_rows(table, &mut rows);
    Ok(rows)
}

fn value(r: &postgres::Row, i: usize, kind: Kind) -> Result<Value, CopyError> {
    let v = match kind {
        Kind::Int => r.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
        Kind::Real => r.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
        Kind::Bool => r.try_get::<_, Option<bool>>(i).map(|v| v.map(|b| Value::Int(i64::from(b)))),
        Kind::Text | Kind::Json | Kind::Time => r.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
    };
    Ok(v.map_err(PgError::from)?.unwrap_or(Value::Null))
}
