//! What `db copy` moves: every table of the store, column by column, with the kind of each
//! column on both sides ([`TABLES`]); a row's values ([`Value`]); and each table's content
//! hash ([`table_hash`]), computed the same way from either database.

use super::CopyError;

/// How a column is stored on each side, and so how it is read, written and hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// SQLite INTEGER; PostgreSQL bigint or integer.
    Int,
    /// SQLite REAL; PostgreSQL double precision.
    Real,
    /// TEXT on both sides.
    Text,
    /// SQLite INTEGER 0/1; PostgreSQL boolean.
    Bool,
    /// SQLite TEXT `2026-11-25T14:09:27.123Z` (UTC, milliseconds); PostgreSQL timestamptz.
    Time,
    /// SQLite TEXT holding JSON; PostgreSQL jsonb (which reorders keys and spacing).
    Json,
}

/// One column: its name in SQLite and in PostgreSQL, and its kind.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub sqlite: &'static str,
    pub pg: &'static str,
    pub kind: Kind,
}

/// One table of the store. Columns only PostgreSQL has (a review's `version`, a card's
/// `created_by`) are not copied: the destination's defaults fill them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Table {
    /// The SQLite table's name (also the name in reports).
    pub name: &'static str,
    /// The table in schema `callqa`.
    pub pg: &'static str,
    pub columns: &'static [Column],
    /// The columns (indexes into `columns`) that order the rows: the primary key.
    pub key: &'static [usize],
    /// Whether `columns[0]` is an identity column on PostgreSQL (its sequence is moved past
    /// the copied ids).
    pub identity: bool,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { sqlite: name, pg: name, kind }
}

use Kind::{Bool, Int, Json, Real, Text, Time};

/// Every table, parents before children (the order rows are written in).
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "calls",
        pg: "calls",
        columns: &[
            col("id", Int),
            col("hash", Text),
            col("path", Text),
            col("file_name", Text),
            col("duration_s", Real),
            col("sample_rate", Int),
            col("channels", Int),
            col("encoding", Text),
            col("agent", Text),
            col("recorded_at", Text),
            col("first_seen", Time),
            col("last_seen", Time),
            // Migration 9.
            col("team", Text),
        ],
        key: &[0],
        identity: true,
    },
    Table {
        name: "call_paths",
        pg: "call_paths",
        columns: &[col("call_id", Int), col("path", Text), col("first_seen", Time)],
        key: &[0, 1],
        identity: false,
    },
    Table {
        name: "scorecards",
        pg: "scorecards",
        columns: &[
            col("id", Int),
            col("name", Text),
            col("version", Int),
            col("hash", Text),
            col("content", Text),
            col("created_at", Time),
        ],
        key: &[0],
        identity: true,
    },
    Table {
        name: "reviews",
        pg: "reviews",
        columns: &[
            col("id", Int),
            col("call_id", Int),
            col("scorecard_id", Int),
            col("reviewer", Text),
            col("status", Text),
            col("started_at", Time),
            col("updated_at", Time),
            col("submitted_at", Time),
            col("percent", Real),
            col("points", Real),
            col("max_points", Real),
            col("critical_failed", Bool),
            col("complete", Bool),
        ],
        key: &[0],
        identity: true,
    },
    Table {
        name: "answers",
        pg: "answers",
        columns: &[
            col("review_id", Int),
            col("position", Int),
            col("item_key", Text),
            col("answer", Text),
            col("comment", Text),
            col("evidence", Json),
        ],
        key: &[0, 2],
        identity: false,
    },
    Table {
        name: "audit",
        pg: "audit",
        columns: &[
            col("id", Int),
            col("at", Time),
            col("actor", Text),
            col("action", Text),
            col("review_id", Int),
            col("call_id", Int),
            col("detail", Json),
        ],
        key: &[0],
        identity: true,
    },
    Table {
        name: "clips",
        pg: "clips",
        columns: &[
            col("id", Int),
            col("set_name", Text),
            col("call_id", Int),
            col("start_s", Real),
            col("end_s", Real),
            col("kind", Text),
            col("note", Text),
            col("author", Text),
            col("created_at", Time),
        ],
        key: &[0],
        identity: true,
    },
    Table {
        name: "queues",
        pg: "queues",
        columns: &[
            col("id", Int),
            col("name", Text),
            col("seed", Text),
            col("params", Text),
            col("created_by", Text),
            col("created_at", Time),
        ],
        key: &[0],
        identity: true,
    },
    Table {
        name: "queue_items",
        pg: "queue_items",
        columns: &[col("queue_id", Int), col("call_id", Int), col("reviewer", Text), col("position", Int)],
        key: &[0, 1],
        identity: false,
    },
    Table {
        name: "transcripts",
        pg: "transcripts",
        columns: &[
            col("call_hash", Text),
            col("format", Text),
            col("source", Text),
            col("words", Text),
            col("imported_by", Text),
            col("imported_at", Time),
        ],
        key: &[0],
        identity: false,
    },
    Table {
        name: "transcript_index",
        pg: "transcript_segments",
        columns: &[
            Column { sqlite: "rowid", pg: "id", kind: Int },
            col("text", Text),
            col("call_hash", Text),
            col("speaker", Text),
            col("shown", Text),
            col("times", Text),
        ],
        key: &[0],
        identity: true,
    },
    // Migration 7: calibration sessions, a review's session and its active time.
    Table {
        name: "calibration_sessions",
        pg: "calibration_sessions",
        columns: &[col("id", Int), col("name", Text), col("created_by", Text), col("created_at", Time)],
        key: &[0],
        identity: true,
    },
    Table {
        name: "calibration_calls",
        pg: "calibration_calls",
        columns: &[col("session_id", Int), col("call_id", Int), col("position", Int)],
        key: &[0, 1],
        identity: false,
    },
    Table {
        name: "calibration_reviewers",
        pg: "calibration_reviewers",
        columns: &[col("session_id", Int), col("reviewer", Text)],
        key: &[0, 1],
        identity: false,
    },
    Table {
        name: "review_sessions",
        pg: "review_sessions",
        columns: &[col("review_id", Int), col("session_id", Int)],
        key: &[0],
        identity: false,
    },
    Table {
        name: "review_times",
        pg: "review_times",
        columns: &[col("review_id", Int), col("active_s", Real)],
        key: &[0],
        identity: false,
    },
    // Migration 8: each call's analysis figures (`analysed_by` is the team store's alone).
    Table {
        name: "call_metrics",
        pg: "call_metrics",
        columns: &[
            col("call_id", Int),
            col("analysed_at", Time),
            col("analyser_version", Text),
            col("duration_s", Real),
            col("talk_agent_s", Real),
            col("talk_customer_s", Real),
            col("talk_mixed_s", Real),
            col("overtalk_count", Int),
            col("overtalk_by_agent", Int),
            col("overtalk_by_customer", Int),
            col("overtalk_total_s", Real),
            col("silence_count", Int),
            col("silence_total_s", Real),
            col("silence_longest_s", Real),
            col("hold_total_s", Real),
            col("warnings", Json),
        ],
        key: &[0],
        identity: false,
    },
    // Migration 10: the ids of the changes an outbox sent (filled on the team store only).
    Table {
        name: "applied_changes",
        pg: "applied_changes",
        columns: &[col("change_id", Text), col("login", Text), col("applied_at", Time)],
        key: &[0],
        identity: false,
    },
];

/// The SQLite tables `db copy` does not copy as tables of their own: the FTS5 shadow tables
/// of `transcript_index` (its rows are copied through the virtual table itself), recognised
/// by name as `<virtual table>_<suffix>`.
pub(crate) const FTS5_SHADOW_SUFFIXES: &[&str] = &["data", "idx", "content", "docsize", "config"];

/// The tables of a database that `db copy` does not know (`present`: its table names,
/// `known`: the names `TABLES` has on that side), sorted: a copy that would leave them
/// behind is refused.
pub(crate) fn unknown_tables(present: &[String], known: impl Fn(&Table) -> &'static str) -> Vec<String> {
    let mut unknown: Vec<String> =
        present.iter().filter(|p| !TABLES.iter().any(|t| known(t) == p.as_str())).cloned().collect();
    unknown.sort();
    unknown.dedup();
    unknown
}

/// Child column → parent column, checked after a copy into PostgreSQL (the copy writes with
/// triggers off, and PostgreSQL's foreign keys are triggers).
pub(crate) const FOREIGN_KEYS: &[(&str, &str, &str, &str)] = &[
    ("call_paths", "call_id", "calls", "id"),
    ("reviews", "call_id", "calls", "id"),
    ("reviews", "scorecard_id", "scorecards", "id"),
    ("answers", "review_id", "reviews", "id"),
    ("clips", "call_id", "calls", "id"),
    ("queue_items", "queue_id", "queues", "id"),
    ("queue_items", "call_id", "calls", "id"),
    ("transcript_segments", "call_hash", "transcripts", "call_hash"),
    ("calibration_calls", "session_id", "calibration_sessions", "id"),
    ("calibration_calls", "call_id", "calls", "id"),
    ("calibration_reviewers", "session_id", "calibration_sessions", "id"),
    ("review_sessions", "review_id", "reviews", "id"),
    ("review_sessions", "session_id", "calibration_sessions", "id"),
    ("review_times", "review_id", "reviews", "id"),
    ("call_metrics", "call_id", "calls", "id"),
];

/// One stored value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// A table's rows, in key order.
pub(crate) type Rows = Vec<Vec<Value>>;

/// Sorts rows by the table's key (integers by value, text by its bytes: the same order on
/// both sides whatever the PostgreSQL collation).
pub(crate) fn sort_rows(table: &Table, rows: &mut Rows) {
    rows.sort_by(|a, b| {
        table
            .key
            .iter()
            .map(|&k| compare(a.get(k), b.get(k)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(Value::Int(x)), Some(Value::Int(y))) => x.cmp(y),
        (Some(Value::Text(x)), Some(Value::Text(y))) => x.as_bytes().cmp(y.as_bytes()),
        (Some(Value::Real(x)), Some(Value::Real(y))) => x.total_cmp(y),
        (Some(Value::Null), Some(Value::Null)) | (None, None) => Ordering::Equal,
        (Some(Value::Null) | None, _) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// The content hash of a table's rows (in key order): BLAKE3 over each value, framed by a
/// tag and its length — text as its UTF-8 bytes, integers in decimal, reals as Rust's
/// shortest round-trip form (`{:?}`), NULL as a tag alone, JSON re-written with sorted keys
/// and every number as a real (so jsonb's spacing and key order do not count).
pub(crate) fn table_hash(table: &Table, rows: &Rows) -> Result<String, CopyError> {
    let mut h = blake3::Hasher::new();
    for row in rows {
        for (value, column) in row.iter().zip(table.columns) {
            match value {
                Value::Null => frame(&mut h, b'N', b""),
                Value::Int(i) => frame(&mut h, b'I', i.to_string().as_bytes()),
                Value::Real(f) => frame(&mut h, b'R', format!("{f:?}").as_bytes()),
                Value::Text(s) if column.kind == Kind::Json => {
                    let v = parse_json(table, column, s)?;
                    let mut out = String::new();
                    canonical_json(&v, true, &mut out);
                    frame(&mut h, b'J', out.as_bytes());
                }
                Value::Text(s) => frame(&mut h, b'T', s.as_bytes()),
            }
        }
        frame(&mut h, b'\n', b"");
    }
    Ok(h.finalize().to_hex().to_string())
}

fn frame(h: &mut blake3::Hasher, tag: u8, bytes: &[u8]) {
    h.update(&[tag]);
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// A JSON column's value, or why it is not JSON.
pub(crate) fn parse_json(table: &Table, column: &Column, s: &str) -> Result<serde_json::Value, CopyError> {
    serde_json::from_str(s).map_err(|e| {
        CopyError::BadData(format!("{}.{} holds text that is not JSON ({e})", table.name, column.sqlite))
    })
}

/// `v` as compact JSON with the keys of every object sorted; numbers as written by
/// serde_json, or (`numbers_as_reals`, for hashing) each as an f64 in `{:?}` form.
pub(crate) fn canonical_json(v: &serde_json::Value, numbers_as_reals: bool, out: &mut String) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&J::String(k.clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(k) {
                    canonical_json(inner, numbers_as_reals, out);
                }
            }
            out.push('}');
        }
        J::Array(items) => {
            out.push('[');
            for (i, inner) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(inner, numbers_as_reals, out);
            }
            out.push(']');
        }
        J::Number(n) if numbers_as_reals => match n.as_f64() {
            Some(f) => out.push_str(&format!("{f:?}")),
            None => out.push_str(&n.to_string()),
        },
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn table(name: &str) -> &'static Table {
        TABLES.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no table {name}"))
    }

    #[test]
    fn json_hash_ignores_jsonb_spacing_key_order_and_number_forms() {
        let audit = table("audit");
        let row = |detail: &str| {
            vec![vec![
                Value::Int(1),
                Value::Text("2026-01-01T00:00:00.000Z".into()),
                Value::Text("आशा".into()),
                Value::Text("create".into()),
                Value::Null,
                Value::Int(3),
                Value::Text(detail.into()),
            ]]
        };
        let a = table_hash(audit, &row(r#"{"b":[1e16,2.5],"a":"टोका"}"#)).unwrap();
        let b = table_hash(audit, &row(r#"{"a": "टोका", "b": [10000000000000000, 2.5]}"#)).unwrap();
        assert_eq!(a, b);
        let c = table_hash(audit, &row(r#"{"a": "टोका", "b": [2.5]}"#)).unwrap();
        assert_ne!(a, c);
        assert!(table_hash(audit, &row("not json")).is_err());
    }

    #[test]
    fn null_empty_text_and_zero_hash_differently() {
        let paths = table("call_paths");
        let h = |v: Value| table_hash(paths, &vec![vec![Value::Int(1), v, Value::Null]]).unwrap();
        let all = [h(Value::Null), h(Value::Text(String::new())), h(Value::Int(0)), h(Value::Real(0.0))];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn rows_sort_by_key_bytes_not_collation() {
        let answers = table("answers");
        let r = |review: i64, key: &str| {
            vec![Value::Int(review), Value::Int(0), Value::Text(key.into()), Value::Null]
        };
        let mut rows = vec![r(2, "a"), r(1, "b"), r(1, "B"), r(1, "é")];
        sort_rows(answers, &mut rows);
        assert_eq!(rows, vec![r(1, "B"), r(1, "b"), r(1, "é"), r(2, "a")]);
    }

    #[test]
    fn tables_are_unique_and_parents_come_before_children() {
        let pos =
            |pg: &str| TABLES.iter().position(|t| t.pg == pg).unwrap_or_else(|| panic!("no table {pg}"));
        for (i, t) in TABLES.iter().enumerate() {
            assert!(TABLES[..i].iter().all(|u| u.name != t.name && u.pg != t.pg), "{} twice", t.name);
            assert!(!t.key.is_empty() && t.key.iter().all(|&k| k < t.columns.len()), "{}", t.name);
        }
        for (child, column, parent, key) in FOREIGN_KEYS {
            assert!(pos(parent) < pos(child), "{parent} is written after {child}");
            let has = |t: &str, c: &str| TABLES[pos(t)].columns.iter().any(|x| x.pg == c);
            assert!(has(child, column) && has(parent, key), "{child}.{column} -> {parent}.{key}");
        }
    }

    #[test]
    fn unknown_tables_are_named_known_ones_are_not() {
        let present: Vec<String> =
            ["calls", "call_metrics", "zeta", "notes", "zeta"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unknown_tables(&present, |t| t.name), vec!["notes", "zeta"]);
        let pg: Vec<String> = ["transcript_segments".to_string()].to_vec();
        assert!(unknown_tables(&pg, |t| t.pg).is_empty());
        assert_eq!(unknown_tables(&pg, |t| t.name), vec!["transcript_segments"]);
    }

    #[test]
    fn canonical_json_keeps_numbers_as_written_unless_hashing() {
        let v: serde_json::Value = serde_json::from_str(r#"{"z": 5, "a": [1.0, "x"]}"#).unwrap();
        let mut plain = String::new();
        canonical_json(&v, false, &mut plain);
        assert_eq!(plain, r#"{"a":[1.0,"x"],"z":5}"#);
        let mut hashed = String::new();
        canonical_json(&v, true, &mut hashed);
        assert_eq!(hashed, r#"{"a":[1.0,"x"],"z":5.0}"#);
    }
}
