//! The database schema as numbered migrations. `PRAGMA user_version` holds the number of
//! migrations applied; a database with a higher number comes from a newer callqa and is
//! refused, never touched.
//!
//! Append new migrations at the end; never edit one that has shipped.
//!
//! Migration 5 adds review queues (`queues`, `queue_items`; see `store/queues.rs`); 6 adds
//! transcripts and their full-text index (`store/transcripts.rs`); 7 blind calibration
//! sessions and active review time (`store/calibration.rs`); 8 each call's analysis figures
//! (`store/metrics.rs`); 9 the agent's team on `calls` (`store/calls.rs`); 10 the ids of the
//! changes a team store's outbox sent (`applied_changes`, filled on the team store only).
//!
//! Since migration 3 the `audit` table is append-only, enforced by triggers: an `UPDATE`,
//! `DELETE` or `INSERT OR REPLACE` of an audit row fails with "audit rows are append-only".
//! (Anyone who can write the file can still drop the triggers: they guard against mistakes in
//! code, not against a determined editor of the database.)

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: calls, scorecard versions, reviews, answers, audit.
    r#"
CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,      -- content hash of the audio
    path        TEXT NOT NULL,             -- where it was last seen
    file_name   TEXT NOT NULL,
    duration_s  REAL NOT NULL,
    sample_rate INTEGER NOT NULL,
    channels    INTEGER NOT NULL,
    encoding    TEXT NOT NULL,
    agent       TEXT,
    recorded_at TEXT,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);
CREATE TABLE scorecards (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    hash       TEXT NOT NULL UNIQUE,       -- BLAKE3 of content
    content    TEXT NOT NULL,              -- the card as canonical JSON
    created_at TEXT NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    call_id         INTEGER NOT NULL REFERENCES calls (id),
    scorecard_id    INTEGER NOT NULL REFERENCES scorecards (id),
    reviewer        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    started_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    percent         REAL,
    points          REAL NOT NULL,
    max_points      REAL NOT NULL,
    critical_failed INTEGER NOT NULL,
    complete        INTEGER NOT NULL
);
CREATE INDEX reviews_by_call ON reviews (call_id, reviewer);
CREATE TABLE answers (
    review_id  INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,           -- order of the item on the card
    item_key   TEXT NOT NULL,
    answer     TEXT CHECK (answer IN ('yes', 'no', 'na')),
    comment    TEXT NOT NULL DEFAULT '',
    evidence   TEXT NOT NULL DEFAULT '[]', -- JSON array of seconds
    PRIMARY KEY (review_id, item_key)
);
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,               -- create, edit, submit, add_call, move_call, update_call, add_scorecard, migrate
    review_id INTEGER,
    call_id   INTEGER,
    detail    TEXT NOT NULL                -- JSON: what changed
);
CREATE INDEX audit_by_review ON audit (review_id);
"#,
    // 2: coaching clips (trainers' sets of good and bad moments, with notes).
    r#"
CREATE TABLE clips (
    id         INTEGER PRIMARY KEY,
    set_name   TEXT NOT NULL,
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    start_s    REAL NOT NULL,
    end_s      REAL NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('good', 'bad')),
    note       TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (0 <= start_s AND start_s < end_s)
);
CREATE INDEX clips_by_set ON clips (set_name, id);
"#,
    // 3: the audit log is append-only: its rows cannot be changed, deleted or replaced.
    // (`IF NOT EXISTS`: a database taken back to an older version by hand keeps its triggers.)
    r#"
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;
-- INSERT OR REPLACE deletes the row it replaces without firing delete triggers.
CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;
"#,
    // 4: every path a call's audio was seen at (copies of one recording are one call).
    r#"
CREATE TABLE call_paths (
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    path       TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (call_id, path)
);
INSERT INTO call_paths (call_id, path, first_seen) SELECT id, path, last_seen FROM calls;
"#,
    // 5: review queues (a reproducible sample of calls, each assigned to a reviewer).
    // (`IF NOT EXISTS`, as in 3: a database taken back to an older version by hand keeps them.)
    r#"
CREATE TABLE IF NOT EXISTS queues (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    seed       TEXT NOT NULL,               -- the sample's seed (a u64, in decimal)
    params     TEXT NOT NULL,               -- JSON: how the sample was drawn
    created_by TEXT NOT NULL CHECK (length(trim(created_by)) > 0),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_items (
    queue_id INTEGER NOT NULL REFERENCES queues (id),
    call_id  INTEGER NOT NULL REFERENCES calls (id),
    reviewer TEXT,                          -- NULL: not assigned
    position INTEGER NOT NULL,              -- order in the queue, from 0
    PRIMARY KEY (queue_id, call_id),
    UNIQUE (queue_id, position)
);
CREATE INDEX IF NOT EXISTS queue_items_by_reviewer ON queue_items (reviewer, queue_id, position);
"#,
    // 6: transcripts (the words of a call, by the call's content hash: the call's row may come
    // later) and their search index (FTS5: one row per segment, text normalised).
    r#"
CREATE TABLE IF NOT EXISTS transcripts (
    call_hash   TEXT PRIMARY KEY,
    format      TEXT NOT NULL,
    source      TEXT NOT NULL,              -- the file it was imported from
    words       TEXT NOT NULL,              -- JSON: the Transcript
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS transcript_index USING fts5 (
    text,                                   -- normalised words of one segment
    call_hash UNINDEXED,
    speaker UNINDEXED,                      -- agent, customer or ''
    shown UNINDEXED,                        -- the words as written
    times UNINDEXED,                        -- JSON: [start, end] of each normalised token
    -- Marks (M*) are parts of words: Devanagari vowel signs must not split a word.
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
"#,
    // 7: blind calibration sessions (a lead's calls × reviewers); a review made in a session
    // carries its id and counts only in that session's figures, never in reports. And each
    // review's active review time.
    r#"
CREATE TABLE IF NOT EXISTS calibration_sessions (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_by TEXT NOT NULL CHECK (length(trim(created_by)) > 0),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS calibration_calls (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id),
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (session_id, call_id)
);
CREATE TABLE IF NOT EXISTS calibration_reviewers (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id),
    reviewer   TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
    PRIMARY KEY (session_id, reviewer)
);
-- A review made in a session (tables, not new columns of `reviews`: `IF NOT EXISTS`, as in 3).
CREATE TABLE IF NOT EXISTS review_sessions (
    review_id  INTEGER PRIMARY KEY REFERENCES reviews (id),
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id)
);
CREATE INDEX IF NOT EXISTS review_sessions_by_session ON review_sessions (session_id);
-- Active review time: seconds the call was open in the window, focused.
CREATE TABLE IF NOT EXISTS review_times (
    review_id INTEGER PRIMARY KEY REFERENCES reviews (id),
    active_s  REAL NOT NULL CHECK (active_s >= 0)
);
"#,
    // 8: each call's analysis figures (derived from the audio by `callqa index` or the window;
    // see `store/metrics.rs`): one row per call, replaced when the call is analysed again.
    r#"
CREATE TABLE IF NOT EXISTS call_metrics (
    call_id              INTEGER PRIMARY KEY REFERENCES calls (id),
    analysed_at          TEXT NOT NULL,
    analyser_version     TEXT NOT NULL,      -- which callqa analysed it (figures change with it)
    duration_s           REAL NOT NULL,
    talk_agent_s         REAL NOT NULL,
    talk_customer_s      REAL NOT NULL,
    talk_mixed_s         REAL NOT NULL,      -- mono calls: one lane for both sides
    overtalk_count       INTEGER NOT NULL,
    overtalk_by_agent    INTEGER NOT NULL,   -- overtalk started by the agent
    overtalk_by_customer INTEGER NOT NULL,
    overtalk_total_s     REAL NOT NULL,
    silence_count        INTEGER NOT NULL,   -- dead air
    silence_total_s      REAL NOT NULL,
    silence_longest_s    REAL NOT NULL,
    hold_total_s         REAL NOT NULL,
    warnings             TEXT NOT NULL DEFAULT '[]' -- JSON array of the analysis' warnings
);
"#,
    // 9: the agent's team (a dialer's metadata CSV or a name pattern's `team` group, see
    // `store/calls.rs`); NULL when nothing said it. (SQLite has no `ADD COLUMN IF NOT EXISTS`:
    // see `ADDED_COLUMNS`.)
    r#"
ALTER TABLE calls ADD COLUMN team TEXT;
"#,
    // 10: the ids of the changes a team store's outbox sent (the team store records them to
    // apply each change once; a SQLite store writes directly and never fills it). Here so the
    // two stores keep one numbering and `db copy` moves the table both ways.
    r#"
CREATE TABLE IF NOT EXISTS applied_changes (
    change_id  TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
"#,
];

/// The migrations that only add a column: (number, table, column). SQLite has no `ADD COLUMN
/// IF NOT EXISTS`, so on a database taken back to an older version by hand that still has the
/// column, the migration is skipped ([`column_already_added`]) — as the `IF NOT EXISTS` of 3
/// and 5–8 skip what is there.
const ADDED_COLUMNS: &[(usize, &str, &str)] = &[(9, "calls", "team")];

/// Whether migration `n` only adds a column that the database already has.
pub(crate) fn column_already_added(conn: &rusqlite::Connection, n: usize) -> rusqlite::Result<bool> {
    let Some((_, table, column)) = ADDED_COLUMNS.iter().find(|(m, ..)| *m == n) else { return Ok(false) };
    conn.query_row("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", [table, column], |r| {
        r.get::<_, i64>(0)
    })
    .map(|found| found > 0)
}

/// The schema version this callqa writes.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// SQL for the current UTC time, e.g. `2026-11-25T14:09:27.123Z`.
pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
