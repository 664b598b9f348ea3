//! The team store's schema in PostgreSQL: the same ten numbered migrations as the SQLite
//! store (`store/schema.rs`), written for PostgreSQL, each with the access rules of the
//! tables it creates (5: queues and their items; 6: transcripts and their search index,
//! `transcript_segments`, a GIN index on the `simple` tsvector of the normalised words; 7:
//! calibration sessions, their calls and reviewers, each review's session and active time;
//! 8: each call's analysis figures, `call_metrics`; 9: the agent's team, `calls.team`; 10: the
//! ids of the changes an outbox sent, `applied_changes`). Every
//! table here is copied by `db copy` (`pg/copy/tables.rs`), which refuses a store holding a
//! table it does not know.
//! `callqa.migrations` holds one row per migration applied; a database with a higher number
//! comes from a newer callqa and is refused.
//!
//! Append new migrations at the end; never edit one that has shipped.
//!
//! # Who may do what (enforced by the server, not by callqa)
//! Three group roles (cluster-wide in PostgreSQL; see [`GROUP_ROLES`]); each person is a
//! LOGIN role, a member of one of them. `callqa_lead` is a member of `callqa_reviewer`.
//! - `callqa_reviewer`: reads calls, their paths, scorecards, clips; adds and updates calls
//!   and paths (a scan); reads their own reviews (any status) and everyone's *submitted*
//!   reviews (others' drafts stay private); inserts and updates their own reviews and
//!   answers only (a change of answers alone also bumps the review's version) (`reviewer = session_user`, the login: `SET ROLE` cannot change it);
//!   never deletes a review; reads the audit rows they caused.
//! - `callqa_lead`: everything a reviewer can, plus reads every review, draft or not, and
//!   every audit row; adds scorecard versions and coaching clips; makes, changes and removes
//!   review queues and calibration sessions (their calls and reviewers); imports and replaces
//!   transcripts (a reviewer reads queues, sessions and transcripts but does not write them: a
//!   call's words are evidence beside its review).
//! - `callqa_admin`: owns the schema (migrations, DDL); person roles are managed by the
//!   login that runs `callqa db init-team` (it must be able to `CREATE ROLE`).
//!
//! A review's calibration session (`review_sessions`) and active time (`review_times`)
//! follow the review: read when the review is, written by its reviewer alone (a session
//! review only by a reviewer of the session, for a call in it; the session is set once;
//! active time only grows and does not bump the review's version). A call's analysis figures
//! (`call_metrics`, derived data) are read by everyone and added or replaced by any reviewer
//! in their own name (`analysed_by = session_user`), never deleted but by an admin, and not
//! audited.
//!
//! Every table has `ENABLE` and `FORCE ROW LEVEL SECURITY` (the owner too is held to the
//! policies). Audit rows are written only by triggers (`callqa.audit_row`, `SECURITY
//! DEFINER`, owned by `callqa_admin`): no person role may INSERT, UPDATE, DELETE or TRUNCATE
//! `audit`, and triggers refuse UPDATE, DELETE and TRUNCATE of it even to its owner.
//!
//! A review row carries `version` (bumped by a trigger on every change) for optimistic
//! concurrency: a save says which version it changes (`WHERE version = $n`); 0 rows means
//! someone else saved first. A submitted review changes only with a reason: the transaction
//! sets `callqa.amend_reason` (`SELECT set_config('callqa.amend_reason', $1, true)`), else a
//! trigger refuses the change; the audit row keeps the reason.

/// The group roles, in the order they are created.
pub const GROUP_ROLES: [&str; 3] = ["callqa_reviewer", "callqa_lead", "callqa_admin"];

/// Run before the migrations, as `callqa_admin`: the schema and the migrations table.
pub(crate) const BOOTSTRAP: &str = r#"
CREATE SCHEMA IF NOT EXISTS callqa;
REVOKE ALL ON SCHEMA callqa FROM PUBLIC;
GRANT USAGE ON SCHEMA callqa TO callqa_reviewer, callqa_lead;
CREATE TABLE IF NOT EXISTS callqa.migrations (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT session_user
);
REVOKE ALL ON callqa.migrations FROM PUBLIC;
GRANT SELECT ON callqa.migrations TO callqa_reviewer, callqa_lead;
"#;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`. Each runs in one transaction as
/// `callqa_admin`, with its row in `callqa.migrations`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: calls, scorecard versions, reviews (+ version), answers, audit (written by triggers).
    r#"
CREATE TABLE callqa.calls (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash        text NOT NULL UNIQUE,
    path        text NOT NULL,
    file_name   text NOT NULL,
    duration_s  double precision NOT NULL,
    sample_rate integer NOT NULL,
    channels    integer NOT NULL,
    encoding    text NOT NULL,
    agent       text,
    recorded_at text,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE callqa.scorecards (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    version    integer NOT NULL,
    hash       text NOT NULL UNIQUE,
    content    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL DEFAULT session_user,
    UNIQUE (name, version)
);
CREATE TABLE callqa.reviews (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id         bigint NOT NULL REFERENCES callqa.calls (id),
    scorecard_id    bigint NOT NULL REFERENCES callqa.scorecards (id),
    reviewer        text NOT NULL DEFAULT session_user,
    status          text NOT NULL CHECK (status IN ('draft', 'submitted')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz,
    percent         double precision,
    points          double precision NOT NULL,
    max_points      double precision NOT NULL,
    critical_failed boolean NOT NULL,
    complete        boolean NOT NULL,
    version         bigint NOT NULL DEFAULT 1
);
CREATE INDEX reviews_by_call ON callqa.reviews (call_id, reviewer);
CREATE TABLE callqa.answers (
    review_id bigint NOT NULL REFERENCES callqa.reviews (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    item_key  text NOT NULL,
    answer    text CHECK (answer IN ('yes', 'no', 'na')),
    comment   text NOT NULL DEFAULT '',
    evidence  jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (review_id, item_key)
);
CREATE TABLE callqa.audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor     text NOT NULL DEFAULT session_user,
    action    text NOT NULL,
    review_id bigint,
    call_id   bigint,
    detail    jsonb NOT NULL
);
CREATE INDEX audit_by_review ON callqa.audit (review_id);

-- A review's bookkeeping, whoever writes it: the version goes up by one on every change,
-- who and which call/card never change, submitted stays submitted, and a submitted review
-- changes only with a reason (the session setting callqa.amend_reason).
CREATE FUNCTION callqa.review_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.version := 1;
        NEW.started_at := now();
        NEW.updated_at := now();
        NEW.submitted_at := CASE WHEN NEW.status = 'submitted' THEN now() END;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.call_id <> OLD.call_id OR NEW.scorecard_id <> OLD.scorecard_id
       OR NEW.reviewer <> OLD.reviewer OR NEW.started_at <> OLD.started_at THEN
        RAISE EXCEPTION 'a review''s call, scorecard and reviewer never change'
            USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status = 'submitted' THEN
        IF NEW.status <> 'submitted' THEN
            RAISE EXCEPTION 'a submitted review stays submitted' USING ERRCODE = 'check_violation';
        END IF;
        IF coalesce(btrim(current_setting('callqa.amend_reason', true)), '') = '' THEN
            RAISE EXCEPTION 'this review is submitted: it changes only as an amendment with a reason'
                USING ERRCODE = 'check_violation', HINT = 'set callqa.amend_reason in the transaction';
        END IF;
        NEW.submitted_at := OLD.submitted_at;
    ELSIF NEW.status = 'submitted' THEN
        NEW.submitted_at := now();
    ELSE
        NEW.submitted_at := NULL;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER reviews_guard BEFORE INSERT OR UPDATE ON callqa.reviews
    FOR EACH ROW EXECUTE FUNCTION callqa.review_guard();

-- The answers of a submitted review change only with a reason, too — except in the
-- transaction that wrote the review row itself (it submitted it, or amended it with a reason:
-- the row's xmin is this transaction).
CREATE FUNCTION callqa.answer_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.review_id ELSE NEW.review_id END;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.review_id <> OLD.review_id THEN
        RAISE EXCEPTION 'an answer never moves to another review' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM callqa.reviews
               WHERE id = rid AND status = 'submitted' AND xmin <> pg_current_xact_id()::xid)
       AND coalesce(btrim(current_setting('callqa.amend_reason', true)), '') = '' THEN
        RAISE EXCEPTION 'this review is submitted: it changes only as an amendment with a reason'
            USING ERRCODE = 'check_violation', HINT = 'set callqa.amend_reason in the transaction';
    END IF;
    -- A change of answers alone (raw SQL) is a change of the review: its version goes up
    -- (once per transaction; the API writes the review row first).
    IF TG_OP <> 'DELETE' AND NOT EXISTS (SELECT 1 FROM callqa.reviews
                                         WHERE id = rid AND xmin = pg_current_xact_id()::xid) THEN
        UPDATE callqa.reviews SET updated_at = now() WHERE id = rid;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER answers_guard BEFORE INSERT OR UPDATE OR DELETE ON callqa.answers
    FOR EACH ROW EXECUTE FUNCTION callqa.answer_guard();

-- The audit row of every change, written by the database itself: the login (session_user,
-- which SET ROLE cannot change), the table and operation, the row before and after, and the
-- amendment reason when one was given. SECURITY DEFINER: the person needs no right on audit.
CREATE FUNCTION callqa.audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    old_j  jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
    new_j  jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
    rec    jsonb := coalesce(new_j, old_j);
    reason text := nullif(btrim(current_setting('callqa.amend_reason', true)), '');
    act    text := TG_TABLE_NAME || '.' || lower(TG_OP);
BEGIN
    IF TG_OP = 'UPDATE' AND old_j = new_j THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'reviews' AND TG_OP = 'UPDATE' THEN
        act := CASE
            WHEN old_j->>'status' = 'submitted' THEN 'reviews.amend'
            WHEN new_j->>'status' = 'submitted' THEN 'reviews.submit'
            ELSE 'reviews.edit' END;
    END IF;
    INSERT INTO callqa.audit (actor, action, review_id, call_id, detail)
    VALUES (
        session_user,
        act,
        CASE TG_TABLE_NAME WHEN 'reviews' THEN (rec->>'id')::bigint
                           WHEN 'answers' THEN (rec->>'review_id')::bigint END,
        CASE TG_TABLE_NAME WHEN 'calls' THEN (rec->>'id')::bigint
                           WHEN 'reviews' THEN (rec->>'call_id')::bigint
                           WHEN 'call_paths' THEN (rec->>'call_id')::bigint
                           WHEN 'clips' THEN (rec->>'call_id')::bigint END,
        jsonb_build_object('before', old_j, 'after', new_j)
            || CASE WHEN reason IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('reason', reason) END
    );
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION callqa.audit_row() FROM PUBLIC;
REVOKE ALL ON FUNCTION callqa.review_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION callqa.answer_guard() FROM PUBLIC;
CREATE TRIGGER calls_audit AFTER INSERT OR UPDATE ON callqa.calls
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER scorecards_audit AFTER INSERT ON callqa.scorecards
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER reviews_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.reviews
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER answers_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.answers
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();

-- Access.
ALTER TABLE callqa.calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.calls FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.scorecards ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.scorecards FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.reviews FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.answers FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.calls, callqa.scorecards, callqa.reviews, callqa.answers, callqa.audit FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE ON callqa.calls TO callqa_reviewer;
CREATE POLICY calls_read ON callqa.calls FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY calls_add ON callqa.calls FOR INSERT TO callqa_reviewer WITH CHECK (true);
CREATE POLICY calls_update ON callqa.calls FOR UPDATE TO callqa_reviewer USING (true) WITH CHECK (true);

GRANT SELECT ON callqa.scorecards TO callqa_reviewer;
GRANT INSERT ON callqa.scorecards TO callqa_lead;
CREATE POLICY cards_read ON callqa.scorecards FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY cards_add ON callqa.scorecards FOR INSERT TO callqa_lead
    WITH CHECK (created_by = session_user);
CREATE POLICY cards_add_admin ON callqa.scorecards FOR INSERT TO callqa_admin WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE ON callqa.reviews TO callqa_reviewer;
CREATE POLICY reviews_read_own_or_submitted ON callqa.reviews FOR SELECT TO callqa_reviewer
    USING (reviewer = session_user OR status = 'submitted');
CREATE POLICY reviews_read_all ON callqa.reviews FOR SELECT TO callqa_lead, callqa_admin USING (true);
CREATE POLICY reviews_add_own ON callqa.reviews FOR INSERT TO callqa_reviewer
    WITH CHECK (reviewer = session_user);
CREATE POLICY reviews_change_own ON callqa.reviews FOR UPDATE TO callqa_reviewer
    USING (reviewer = session_user) WITH CHECK (reviewer = session_user);

-- No DELETE: an answer is cleared (NULL), never removed (so every change bumps the version).
GRANT SELECT, INSERT, UPDATE ON callqa.answers TO callqa_reviewer;
-- Visible when the review is (the subquery is itself filtered by the reviews policies).
CREATE POLICY answers_read ON callqa.answers FOR SELECT TO callqa_reviewer, callqa_admin
    USING (EXISTS (SELECT 1 FROM callqa.reviews r WHERE r.id = review_id));
CREATE POLICY answers_add_own ON callqa.answers FOR INSERT TO callqa_reviewer
    WITH CHECK (EXISTS (SELECT 1 FROM callqa.reviews r WHERE r.id = review_id AND r.reviewer = session_user));
CREATE POLICY answers_change_own ON callqa.answers FOR UPDATE TO callqa_reviewer
    USING (EXISTS (SELECT 1 FROM callqa.reviews r WHERE r.id = review_id AND r.reviewer = session_user))
    WITH CHECK (EXISTS (SELECT 1 FROM callqa.reviews r WHERE r.id = review_id AND r.reviewer = session_user));

-- Audit: read only (own rows; leads all); rows come from callqa.audit_row alone.
GRANT SELECT ON callqa.audit TO callqa_reviewer;
CREATE POLICY audit_read_own ON callqa.audit FOR SELECT TO callqa_reviewer USING (actor = session_user);
CREATE POLICY audit_read_all ON callqa.audit FOR SELECT TO callqa_lead, callqa_admin USING (true);
CREATE POLICY audit_written_by_trigger ON callqa.audit FOR INSERT TO callqa_admin WITH CHECK (true);
"#,
    // 2: coaching clips (trainers' sets of good and bad moments, with notes).
    r#"
CREATE TABLE callqa.clips (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    set_name   text NOT NULL,
    call_id    bigint NOT NULL REFERENCES callqa.calls (id),
    start_s    double precision NOT NULL,
    end_s      double precision NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('good', 'bad')),
    note       text NOT NULL DEFAULT '',
    author     text NOT NULL DEFAULT session_user,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (0 <= start_s AND start_s < end_s)
);
CREATE INDEX clips_by_set ON callqa.clips (set_name, id);
CREATE TRIGGER clips_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.clips
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
ALTER TABLE callqa.clips ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.clips FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.clips FROM PUBLIC;
GRANT SELECT ON callqa.clips TO callqa_reviewer;
GRANT INSERT, DELETE ON callqa.clips TO callqa_lead;
CREATE POLICY clips_read ON callqa.clips FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY clips_add ON callqa.clips FOR INSERT TO callqa_lead WITH CHECK (author = session_user);
CREATE POLICY clips_remove ON callqa.clips FOR DELETE TO callqa_lead USING (true);
"#,
    // 3: the audit log is append-only: its rows cannot be changed, deleted or truncated, even
    // by its owner (grants already keep every person role out).
    r#"
CREATE FUNCTION callqa.audit_append_only() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
REVOKE ALL ON FUNCTION callqa.audit_append_only() FROM PUBLIC;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON callqa.audit
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON callqa.audit
    FOR EACH STATEMENT EXECUTE FUNCTION callqa.audit_append_only();
"#,
    // 4: every path a call's audio was seen at (copies of one recording are one call).
    r#"
CREATE TABLE callqa.call_paths (
    call_id    bigint NOT NULL REFERENCES callqa.calls (id),
    path       text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (call_id, path)
);
INSERT INTO callqa.call_paths (call_id, path, first_seen) SELECT id, path, last_seen FROM callqa.calls;
CREATE TRIGGER call_paths_audit AFTER INSERT ON callqa.call_paths
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
ALTER TABLE callqa.call_paths ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.call_paths FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.call_paths FROM PUBLIC;
GRANT SELECT, INSERT ON callqa.call_paths TO callqa_reviewer;
CREATE POLICY call_paths_read ON callqa.call_paths FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY call_paths_add ON callqa.call_paths FOR INSERT TO callqa_reviewer WITH CHECK (true);
"#,
    // 5: review queues (a sample of calls, each assigned to a reviewer or to no one), as in the
    // SQLite store. Everyone reads them; leads (and admins) make, change and remove them.
    r#"
CREATE TABLE callqa.queues (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(btrim(name)) > 0),
    seed       text NOT NULL,
    params     text NOT NULL,
    created_by text NOT NULL DEFAULT session_user CHECK (length(btrim(created_by)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE callqa.queue_items (
    queue_id bigint NOT NULL REFERENCES callqa.queues (id),
    call_id  bigint NOT NULL REFERENCES callqa.calls (id),
    reviewer text,
    position integer NOT NULL,
    PRIMARY KEY (queue_id, call_id),
    UNIQUE (queue_id, position)
);
CREATE INDEX queue_items_by_reviewer ON callqa.queue_items (reviewer, queue_id, position);
CREATE TRIGGER queues_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.queues
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER queue_items_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.queue_items
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
ALTER TABLE callqa.queues ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.queues FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.queue_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.queue_items FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.queues, callqa.queue_items FROM PUBLIC;
GRANT SELECT ON callqa.queues, callqa.queue_items TO callqa_reviewer;
GRANT INSERT, UPDATE, DELETE ON callqa.queues, callqa.queue_items TO callqa_lead;
CREATE POLICY queues_read ON callqa.queues FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY queues_add ON callqa.queues FOR INSERT TO callqa_lead WITH CHECK (created_by = session_user);
CREATE POLICY queues_change ON callqa.queues FOR UPDATE TO callqa_lead
    USING (true) WITH CHECK (created_by = session_user);
CREATE POLICY queues_remove ON callqa.queues FOR DELETE TO callqa_lead USING (true);
CREATE POLICY queues_admin ON callqa.queues FOR ALL TO callqa_admin USING (true) WITH CHECK (true);
CREATE POLICY queue_items_read ON callqa.queue_items FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY queue_items_write ON callqa.queue_items FOR ALL TO callqa_lead, callqa_admin
    USING (true) WITH CHECK (true);
"#,
    // 6: transcripts (by the call's content hash: the call's row may come later; `words` is
    // the Transcript's JSON as text, kept byte for byte) and their search index: one row per
    // segment of one speaker, the normalised words in `text` (searched through a GIN index of
    // its `simple` tsvector; phrases are then matched on `text` itself), as the SQLite
    // store's FTS5 `transcript_index`. Everyone reads them; leads (and admins) import and
    // replace them: the words are evidence beside a review, so the reviewer of a call does
    // not edit them.
    r#"
CREATE TABLE callqa.transcripts (
    call_hash   text PRIMARY KEY,
    format      text NOT NULL,
    source      text NOT NULL,
    words       text NOT NULL,
    imported_by text NOT NULL DEFAULT session_user,
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE callqa.transcript_segments (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_hash text NOT NULL REFERENCES callqa.transcripts (call_hash) ON DELETE CASCADE,
    text      text NOT NULL,
    speaker   text NOT NULL CHECK (speaker IN ('agent', 'customer', '')),
    shown     text NOT NULL,
    times     text NOT NULL
);
CREATE INDEX transcript_segments_by_call ON callqa.transcript_segments (call_hash);
CREATE INDEX transcript_segments_words ON callqa.transcript_segments
    USING gin (to_tsvector('simple'::regconfig, text));
CREATE TRIGGER transcripts_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.transcripts
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
ALTER TABLE callqa.transcripts ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.transcripts FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.transcript_segments ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.transcript_segments FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.transcripts, callqa.transcript_segments FROM PUBLIC;
GRANT SELECT ON callqa.transcripts, callqa.transcript_segments TO callqa_reviewer;
GRANT INSERT, UPDATE, DELETE ON callqa.transcripts, callqa.transcript_segments TO callqa_lead;
CREATE POLICY transcripts_read ON callqa.transcripts FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY transcripts_add ON callqa.transcripts FOR INSERT TO callqa_lead
    WITH CHECK (imported_by = session_user);
CREATE POLICY transcripts_replace ON callqa.transcripts FOR UPDATE TO callqa_lead
    USING (true) WITH CHECK (imported_by = session_user);
CREATE POLICY transcripts_remove ON callqa.transcripts FOR DELETE TO callqa_lead USING (true);
CREATE POLICY transcripts_admin ON callqa.transcripts FOR ALL TO callqa_admin USING (true) WITH CHECK (true);
CREATE POLICY segments_read ON callqa.transcript_segments FOR SELECT TO callqa_reviewer, callqa_admin
    USING (true);
CREATE POLICY segments_write ON callqa.transcript_segments FOR ALL TO callqa_lead, callqa_admin
    USING (true) WITH CHECK (true);
"#,
    // 7: blind calibration sessions (a lead's calls × reviewers; a review made in a session is
    // listed in `review_sessions` and counts only in that session's figures) and each review's
    // active review time (`review_times`), as in the SQLite store. Sessions, their calls and
    // reviewers: everyone reads, leads (and admins) write, audited like queues. A review's
    // session and active time follow the review: visible when the review is, written only by
    // its reviewer (a session review only by a reviewer of the session, of a call in it); its
    // session is set once (no UPDATE, no DELETE) and is audited; its active time only grows
    // and is not audited (sent every 30 s while the call is open; it does not bump the
    // review's version, so the window's saves do not conflict with it).
    r#"
CREATE TABLE callqa.calibration_sessions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(btrim(name)) > 0),
    created_by text NOT NULL DEFAULT session_user CHECK (length(btrim(created_by)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE callqa.calibration_calls (
    session_id bigint NOT NULL REFERENCES callqa.calibration_sessions (id),
    call_id    bigint NOT NULL REFERENCES callqa.calls (id),
    position   integer NOT NULL,
    PRIMARY KEY (session_id, call_id)
);
CREATE TABLE callqa.calibration_reviewers (
    session_id bigint NOT NULL REFERENCES callqa.calibration_sessions (id),
    reviewer   text NOT NULL CHECK (length(btrim(reviewer)) > 0),
    PRIMARY KEY (session_id, reviewer)
);
CREATE TABLE callqa.review_sessions (
    review_id  bigint PRIMARY KEY REFERENCES callqa.reviews (id),
    session_id bigint NOT NULL REFERENCES callqa.calibration_sessions (id)
);
CREATE INDEX review_sessions_by_session ON callqa.review_sessions (session_id);
CREATE TABLE callqa.review_times (
    review_id bigint PRIMARY KEY REFERENCES callqa.reviews (id),
    active_s  double precision NOT NULL CHECK (active_s >= 0)
);

-- Active time only grows, and never moves to another review.
CREATE FUNCTION callqa.review_time_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.review_id <> OLD.review_id OR NEW.active_s < OLD.active_s THEN
        RAISE EXCEPTION 'a review''s active time only grows' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION callqa.review_time_guard() FROM PUBLIC;
CREATE TRIGGER review_times_guard BEFORE UPDATE ON callqa.review_times
    FOR EACH ROW EXECUTE FUNCTION callqa.review_time_guard();

-- The audit row's review and call ids for the new tables too (the function of migration 1,
-- with review_sessions and calibration_calls added; the same owner, rights and behaviour).
CREATE OR REPLACE FUNCTION callqa.audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    old_j  jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
    new_j  jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
    rec    jsonb := coalesce(new_j, old_j);
    reason text := nullif(btrim(current_setting('callqa.amend_reason', true)), '');
    act    text := TG_TABLE_NAME || '.' || lower(TG_OP);
BEGIN
    IF TG_OP = 'UPDATE' AND old_j = new_j THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'reviews' AND TG_OP = 'UPDATE' THEN
        act := CASE
            WHEN old_j->>'status' = 'submitted' THEN 'reviews.amend'
            WHEN new_j->>'status' = 'submitted' THEN 'reviews.submit'
            ELSE 'reviews.edit' END;
    END IF;
    INSERT INTO callqa.audit (actor, action, review_id, call_id, detail)
    VALUES (
        session_user,
        act,
        CASE TG_TABLE_NAME WHEN 'reviews' THEN (rec->>'id')::bigint
                           WHEN 'answers' THEN (rec->>'review_id')::bigint
                           WHEN 'review_sessions' THEN (rec->>'review_id')::bigint END,
        CASE TG_TABLE_NAME WHEN 'calls' THEN (rec->>'id')::bigint
                           WHEN 'reviews' THEN (rec->>'call_id')::bigint
                           WHEN 'call_paths' THEN (rec->>'call_id')::bigint
                           WHEN 'clips' THEN (rec->>'call_id')::bigint
                           WHEN 'calibration_calls' THEN (rec->>'call_id')::bigint END,
        jsonb_build_object('before', old_j, 'after', new_j)
            || CASE WHEN reason IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('reason', reason) END
    );
    RETURN NULL;
END $$;
CREATE TRIGGER calibration_sessions_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.calibration_sessions
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER calibration_calls_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.calibration_calls
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER calibration_reviewers_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.calibration_reviewers
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();
CREATE TRIGGER review_sessions_audit AFTER INSERT OR UPDATE OR DELETE ON callqa.review_sessions
    FOR EACH ROW EXECUTE FUNCTION callqa.audit_row();

ALTER TABLE callqa.calibration_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.calibration_sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.calibration_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.calibration_calls FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.calibration_reviewers ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.calibration_reviewers FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.review_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.review_sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE callqa.review_times ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.review_times FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.calibration_sessions, callqa.calibration_calls, callqa.calibration_reviewers,
    callqa.review_sessions, callqa.review_times FROM PUBLIC;

GRANT SELECT ON callqa.calibration_sessions, callqa.calibration_calls, callqa.calibration_reviewers
    TO callqa_reviewer;
GRANT INSERT, UPDATE, DELETE ON callqa.calibration_sessions, callqa.calibration_calls,
    callqa.calibration_reviewers TO callqa_lead;
CREATE POLICY sessions_read ON callqa.calibration_sessions FOR SELECT TO callqa_reviewer, callqa_admin
    USING (true);
CREATE POLICY sessions_add ON callqa.calibration_sessions FOR INSERT TO callqa_lead
    WITH CHECK (created_by = session_user);
CREATE POLICY sessions_change ON callqa.calibration_sessions FOR UPDATE TO callqa_lead
    USING (true) WITH CHECK (created_by = session_user);
CREATE POLICY sessions_remove ON callqa.calibration_sessions FOR DELETE TO callqa_lead USING (true);
CREATE POLICY sessions_admin ON callqa.calibration_sessions FOR ALL TO callqa_admin
    USING (true) WITH CHECK (true);
CREATE POLICY session_calls_read ON callqa.calibration_calls FOR SELECT TO callqa_reviewer, callqa_admin
    USING (true);
CREATE POLICY session_calls_write ON callqa.calibration_calls FOR ALL TO callqa_lead, callqa_admin
    USING (true) WITH CHECK (true);
CREATE POLICY session_reviewers_read ON callqa.calibration_reviewers FOR SELECT
    TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY session_reviewers_write ON callqa.calibration_reviewers FOR ALL TO callqa_lead, callqa_admin
    USING (true) WITH CHECK (true);

-- A review's session: visible when the review is; added once, by the review's reviewer, who
-- is a reviewer of the session, for a call of the session.
GRANT SELECT, INSERT ON callqa.review_sessions TO callqa_reviewer;
CREATE POLICY review_sessions_read ON callqa.review_sessions FOR SELECT TO callqa_reviewer, callqa_admin
    USING (EXISTS (SELECT 1 FROM callqa.reviews r WHERE r.id = review_sessions.review_id));
CREATE POLICY review_sessions_add_own ON callqa.review_sessions FOR INSERT TO callqa_reviewer
    WITH CHECK (EXISTS (
        SELECT 1 FROM callqa.reviews r
        JOIN callqa.calibration_calls cc
            ON cc.session_id = review_sessions.session_id AND cc.call_id = r.call_id
        JOIN callqa.calibration_reviewers cr
            ON cr.session_id = review_sessions.session_id AND cr.reviewer = r.reviewer
        WHERE r.id = review_sessions.review_id AND r.reviewer = session_user));

-- A review's active time: visible when the review is; added to by its reviewer alone.
GRANT SELECT, INSERT, UPDATE ON callqa.review_times TO callqa_reviewer;
CREATE POLICY review_times_read ON callqa.review_times FOR SELECT TO callqa_reviewer, callqa_admin
    USING (EXISTS (SELECT 1 FROM callqa.reviews r WHERE r.id = review_times.review_id));
CREATE POLICY review_times_add_own ON callqa.review_times FOR INSERT TO callqa_reviewer
    WITH CHECK (EXISTS (SELECT 1 FROM callqa.reviews r
                        WHERE r.id = review_times.review_id AND r.reviewer = session_user));
CREATE POLICY review_times_change_own ON callqa.review_times FOR UPDATE TO callqa_reviewer
    USING (EXISTS (SELECT 1 FROM callqa.reviews r
                   WHERE r.id = review_times.review_id AND r.reviewer = session_user))
    WITH CHECK (EXISTS (SELECT 1 FROM callqa.reviews r
                        WHERE r.id = review_times.review_id AND r.reviewer = session_user));
"#,
    // 8: each call's analysis figures, as in the SQLite store (`store/metrics.rs`): derived from
    // the audio, recomputed by `callqa index --force`, one row per call replaced on a new
    // analysis. Everyone reads them; any reviewer (whoever scans or opens the call, as for
    // calls and their paths) adds and replaces them, in their own name (`analysed_by`, team
    // store only); nobody but an admin removes them. Not audited (as in SQLite: a recomputed
    // figure changes nothing anyone decided); `analysed_by` says who computed the row. Counts
    // are bigint: the SQLite store saturates them at u32::MAX.
    r#"
CREATE TABLE callqa.call_metrics (
    call_id              bigint PRIMARY KEY REFERENCES callqa.calls (id),
    analysed_at          timestamptz NOT NULL DEFAULT now(),
    analyser_version     text NOT NULL,
    duration_s           double precision NOT NULL,
    talk_agent_s         double precision NOT NULL,
    talk_customer_s      double precision NOT NULL,
    talk_mixed_s         double precision NOT NULL,
    overtalk_count       bigint NOT NULL,
    overtalk_by_agent    bigint NOT NULL,
    overtalk_by_customer bigint NOT NULL,
    overtalk_total_s     double precision NOT NULL,
    silence_count        bigint NOT NULL,
    silence_total_s      double precision NOT NULL,
    silence_longest_s    double precision NOT NULL,
    hold_total_s         double precision NOT NULL,
    warnings             jsonb NOT NULL DEFAULT '[]',
    analysed_by          text NOT NULL DEFAULT session_user
);
ALTER TABLE callqa.call_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.call_metrics FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.call_metrics FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON callqa.call_metrics TO callqa_reviewer;
CREATE POLICY metrics_read ON callqa.call_metrics FOR SELECT TO callqa_reviewer, callqa_admin USING (true);
CREATE POLICY metrics_add ON callqa.call_metrics FOR INSERT TO callqa_reviewer
    WITH CHECK (analysed_by = session_user);
CREATE POLICY metrics_replace ON callqa.call_metrics FOR UPDATE TO callqa_reviewer
    USING (true) WITH CHECK (analysed_by = session_user);
CREATE POLICY metrics_admin ON callqa.call_metrics FOR ALL TO callqa_admin USING (true) WITH CHECK (true);
"#,
    // 9: the agent's team on each call, as in the SQLite store (a dialer's metadata CSV or a
    // name pattern's `team` group; NULL when unknown). The table's grants and policies cover
    // the new column (reviewers add and update calls, everyone reads them); the audit trigger
    // records it with the rest of the row.
    r#"
ALTER TABLE callqa.calls ADD COLUMN team text;
"#,
    // 10: the ids of the changes an outbox sent (`store/outbox.rs`, `cli/team.rs`), recorded
    // in the transaction that applies each change, so a change sent again after its
    // acknowledgement was lost is not applied twice. Each login adds and reads its own; leads
    // and admins read all; nobody changes or deletes them (no grant, no policy).
    r#"
CREATE TABLE callqa.applied_changes (
    change_id  text PRIMARY KEY CHECK (length(change_id) BETWEEN 16 AND 64),
    login      text NOT NULL DEFAULT session_user,
    applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE callqa.applied_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE callqa.applied_changes FORCE ROW LEVEL SECURITY;
REVOKE ALL ON callqa.applied_changes FROM PUBLIC;
GRANT SELECT, INSERT ON callqa.applied_changes TO callqa_reviewer;
CREATE POLICY applied_read_own ON callqa.applied_changes FOR SELECT TO callqa_reviewer
    USING (login = session_user);
CREATE POLICY applied_read_all ON callqa.applied_changes FOR SELECT TO callqa_lead, callqa_admin USING (true);
CREATE POLICY applied_add_own ON callqa.applied_changes FOR INSERT TO callqa_reviewer
    WITH CHECK (login = session_user);
"#,
];

/// The schema version this callqa writes (the same number as the SQLite store's).
pub fn latest() -> i32 {
    MIGRATIONS.len() as i32
}
