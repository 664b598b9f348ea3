//! The SQLite side of `db copy`: the online backup of a source file, reading every table in
//! one snapshot, and writing a new file (callqa's schema, then the rows, checked before the
//! commit).

use std::path::{Path, PathBuf};

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params_from_iter};

use super::CopyError;
use super::tables::{
    Column, FTS5_SHADOW_SUFFIXES, Kind, Rows, TABLES, Table, Value, canonical_json, parse_json, sort_rows,
    unknown_tables,
};
use crate::store::schema;

/// SQLite's rendering of a time in callqa's form (UTC, milliseconds, `Z`).
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%fZ";

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> CopyError + '_ {
    move |source| CopyError::Sqlite { path: path.to_path_buf(), source }
}

/// `SRC.backup-YYYYmmddTHHMMSS.sqlite3` (UTC) beside `src`, written with SQLite's online
/// backup API from the open connection. Refused when that file exists (never overwritten).
pub(crate) fn backup(conn: &Connection, src: &Path) -> Result<PathBuf, CopyError> {
    let stamp: String =
        conn.query_row("SELECT strftime('%Y%m%dT%H%M%S', 'now')", [], |r| r.get(0)).map_err(sql_err(src))?;
    let mut name = src.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".backup-{stamp}.sqlite3"));
    let path = src.with_file_name(name);
    // Take the name first (create_new fails if it exists), then fill the empty file.
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(CopyError::BackupExists(path)),
        Err(source) => return Err(CopyError::Io { path, source }),
    }
    let done =
        conn.backup(rusqlite::MAIN_DB, &path, None::<fn(rusqlite::backup::Progress)>).map_err(sql_err(&path));
    if let Err(e) = done {
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    Ok(path)
}

/// The store's tables, but SQLite's own (`sqlite_*`) and the FTS5 shadow tables of its
/// virtual tables.
pub(crate) fn table_names(conn: &Connection, path: &Path) -> Result<Vec<String>, CopyError> {
    let mut st = conn
        .prepare("SELECT name, sql LIKE 'CREATE VIRTUAL TABLE%' FROM sqlite_master WHERE type = 'table'")
        .map_err(sql_err(path))?;
    let all = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<bool>>(1)?.unwrap_or(false))))
        .map_err(sql_err(path))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_err(path))?;
    let shadow = |name: &str| {
        all.iter().filter(|(_, virt)| *virt).any(|(v, _)| {
            name.strip_prefix(v.as_str())
                .and_then(|rest| rest.strip_prefix('_'))
                .is_some_and(|suffix| FTS5_SHADOW_SUFFIXES.contains(&suffix))
        })
    };
    Ok(all.iter().map(|(n, _)| n).filter(|n| !n.starts_with("sqlite_") && !shadow(n)).cloned().collect())
}

/// Refuses a store holding a table `db copy` does not know (it would be left behind).
pub(crate) fn check_known_tables(conn: &Connection, path: &Path) -> Result<(), CopyError> {
    let unknown = unknown_tables(&table_names(conn, path)?, |t| t.name);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(CopyError::UnknownTables { database: path.display().to_string(), tables: unknown })
    }
}

/// Every table of the open store at `path`, in one read transaction (one snapshot).
pub(crate) fn read_all(conn: &mut Connection, path: &Path) -> Result<Vec<Rows>, CopyError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(sql_err(path))?;
    let rows = read_tables(&tx, path)?;
    tx.finish().map_err(sql_err(path))?;
    Ok(rows)
}

fn read_tables(conn: &Connection, path: &Path) -> Result<Vec<Rows>, CopyError> {
    TABLES.iter().map(|t| read_table(conn, t, path)).collect()
}

/// One table's rows in key order; times rendered in callqa's form.
fn read_table(conn: &Connection, table: &Table, path: &Path) -> Result<Rows, CopyError> {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Time => format!("coalesce(strftime('{TIME_FORMAT}', {0}), {0})", c.sqlite),
            _ => c.sqlite.to_string(),
        })
        .collect();
    let sql = format!("SELECT {} FROM {}", columns.join(", "), table.name);
    let mut st = conn.prepare(&sql).map_err(sql_err(path))?;
    let mut raw = st.query([]).map_err(sql_err(path))?;
    let mut rows = Rows::new();
    while let Some(r) = raw.next().map_err(sql_err(path))? {
        let mut row = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            row.push(value(table, column, r.get_ref(i).map_err(sql_err(path))?)?);
        }
        rows.push(row);
    }
    sort_rows(table, &mut rows);
    Ok(rows)
}

/// A stored SQLite value as the column's kind expects it.
fn value(table: &Table, column: &Column, v: ValueRef<'_>) -> Result<Value, CopyError> {
    let bad = |what: &str| CopyError::BadData(format!("{}.{} holds {what}", table.name, column.sqlite));
    Ok(match (column.kind, v) {
        (_, ValueRef::Null) => Value::Null,
        (Kind::Int, ValueRef::Integer(i)) => Value::Int(i),
        (Kind::Bool, ValueRef::Integer(i @ (0 | 1))) => Value::Int(i),
        (Kind::Real, ValueRef::Real(f)) => Value::Real(f),
        #[allow(clippy::cast_precision_loss)]
        (Kind::Real, ValueRef::Integer(i)) => Value::Real(i as f64),
        (Kind::Text | Kind::Time | Kind::Json, ValueRef::Text(bytes)) => {
            Value::Text(String::from_utf8(bytes.to_vec()).map_err(|_| bad("text that is not UTF-8"))?)
        }
        (Kind::Bool, _) => return Err(bad("a value that is neither 0 nor 1")),
        (_, ValueRef::Blob(_)) => return Err(bad("a blob")),
        (kind, other) => return Err(bad(&format!("{:?} where {kind:?} belongs", other.data_type()))),
    })
}

/// Writes `rows` (one per table of [`TABLES`]) into a new callqa database at `path`, which
/// must not exist; `verify` sees what the file then holds (read back in the same
/// transaction) and says whether to commit. On any failure or a refused check the file is
/// removed (it was made here) and nothing is left behind.
pub(crate) fn create_with<T>(
    path: &Path,
    rows: &[Rows],
    verify: impl FnOnce(&[Rows]) -> Result<(T, bool), CopyError>,
) -> Result<(T, bool), CopyError> {
    match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CopyError::DestinationExists(path.to_path_buf()));
        }
        Err(source) => return Err(CopyError::Io { path: path.to_path_buf(), source }),
    }
    let result = fill(path, rows, verify);
    if !matches!(result, Ok((_, true))) {
        remove_database(path);
    }
    result
}

fn fill<T>(
    path: &Path,
    rows: &[Rows],
    verify: impl FnOnce(&[Rows]) -> Result<(T, bool), CopyError>,
) -> Result<(T, bool), CopyError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sql_err(path))?;
    conn.pragma_update(None::<&str>, "foreign_keys", true).map_err(sql_err(path))?;
    conn.pragma_update_and_check(None::<&str>, "journal_mode", "wal", |_| Ok(())).map_err(sql_err(path))?;
    conn.pragma_update(None::<&str>, "synchronous", "FULL").map_err(sql_err(path))?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err(path))?;
    // callqa's schema, as `Store::open` makes it, but without the "migrate" audit row it
    // writes: the audit log holds the source's rows only, with their ids.
    for sql in schema::MIGRATIONS {
        tx.execute_batch(sql).map_err(sql_err(path))?;
    }
    tx.pragma_update(None::<&str>, "user_version", schema::latest()).map_err(sql_err(path))?;
    for (table, table_rows) in TABLES.iter().zip(rows) {
        write_table(&tx, table, table_rows, path)?;
    }
    let back = read_tables(&tx, path)?;
    let (value, ok) = verify(&back)?;
    if ok {
        tx.commit().map_err(sql_err(path))?;
    } else {
        tx.rollback().map_err(sql_err(path))?;
    }
    drop(conn);
    Ok((value, ok))
}

/// Removes a database file made here and its WAL companions.
fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn write_table(tx: &Transaction<'_>, table: &Table, rows: &Rows, path: &Path) -> Result<(), CopyError> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.sqlite).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {} ({}) VALUES ({})", table.name, names.join(", "), marks.join(", "));
    let mut st = tx.prepare(&sql).map_err(sql_err(path))?;
    for row in rows {
        let values = row
            .iter()
            .zip(table.columns)
            .map(|(v, c)| sql_value(table, c, v))
            .collect::<Result<Vec<_>, _>>()?;
        st.execute(params_from_iter(values)).map_err(sql_err(path))?;
    }
    Ok(())
}

/// A value to store; JSON as compact text with sorted keys (jsonb's spacing dropped).
fn sql_value(table: &Table, column: &Column, v: &Value) -> Result<SqlValue, CopyError> {
    Ok(match v {
        Value::Null => SqlValue::Null,
        Value::Int(i) => SqlValue::Integer(*i),
        Value::Real(f) => SqlValue::Real(*f),
        Value::Text(s) if column.kind == Kind::Json => {
            let mut out = String::with_capacity(s.len());
            canonical_json(&parse_json(table, column, s)?, false, &mut out);
            SqlValue::Text(out)
        }
        Value::Text(s) => SqlValue::Text(s.clone()),
    })
}
