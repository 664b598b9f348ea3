//! The team store for the tests that need a real PostgreSQL server (`CALLQA_TEST_PG_URL`, the
//! cluster's superuser; scripts/pg-test.sh starts one): [`TeamDb`] makes a fresh database,
//! makes it a team store with `init_team` and logins of the given roles, and drops the database
//! and those logins when it goes (also when the test fails). Without the variable it prints a
//! skip line and gives `None`, and the test passes.
//!
//! Logins are cluster-wide roles, so each is prefixed per team store: `callqa_{tag}_{who}`,
//! the tag unique in the process and across processes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use callqa::store::backend::{Backend, Target};
use callqa::store::pg::{self, TeamPlan};
use postgres::{Client, Config, NoTls};

/// init-team creates the cluster-wide group roles: one at a time (several tests of a binary
/// run at once).
static INIT: Mutex<()> = Mutex::new(());

/// The test server's superuser configuration, or `None` with a skip line.
pub fn server() -> Option<Config> {
    match std::env::var("CALLQA_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.parse().expect("CALLQA_TEST_PG_URL is not a URL")),
        _ => {
            println!("skipped (the team store part): CALLQA_TEST_PG_URL not set");
            None
        }
    }
}

/// A team store of its own on the test server, dropped with its logins afterwards.
pub struct TeamDb {
    pub server: Config,
    pub db: String,
    pub host: String,
    pub port: u16,
    /// What makes this store's names unique (its logins are `callqa_{tag}_{who}`).
    pub tag: String,
    /// The people's short names (`asha`, not the login).
    people: Vec<String>,
}

impl TeamDb {
    /// A team store at the current schema with these leads and reviewers (short names);
    /// `kind` (a few letters) goes into the names, to tell the test's leftovers apart.
    pub fn new(kind: &str, leads: &[&str], reviewers: &[&str]) -> Option<TeamDb> {
        TeamDb::at(kind, leads, reviewers, pg::schema::latest())
    }

    /// [`TeamDb::new`] with the schema an older callqa made (migrations 1..=`version`).
    pub fn at(kind: &str, leads: &[&str], reviewers: &[&str], version: i32) -> Option<TeamDb> {
        let mut team = TeamDb::empty(kind)?;
        // Dropped with the database even when init-team fails half-way.
        team.people = leads.iter().chain(reviewers).map(|w| w.to_string()).collect();
        let plan = TeamPlan {
            leads: leads.iter().map(|w| team.login(w)).collect(),
            reviewers: reviewers.iter().map(|w| team.login(w)).collect(),
        };
        let _one = INIT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pg::init_team_at(&team.superuser_url(), &plan, version).unwrap();
        Some(team)
    }

    /// A fresh empty database (no team store yet), dropped afterwards.
    pub fn empty(kind: &str) -> Option<TeamDb> {
        static N: AtomicU32 = AtomicU32::new(0);
        let server = server()?;
        let tag = format!("{kind}{:x}n{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let db = format!("callqa_{tag}");
        server
            .connect(NoTls)
            .expect("cannot reach the test server at CALLQA_TEST_PG_URL")
            .batch_execute(&format!("CREATE DATABASE {}", pg::quote_ident(&db)))
            .unwrap();
        let host = match server.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = server.get_ports().first().copied().unwrap_or(5432);
        Some(TeamDb { server, db, host, port, tag, people: Vec::new() })
    }

    /// The login of `who` (a short name given to [`TeamDb::new`]).
    pub fn login(&self, who: &str) -> String {
        format!("callqa_{}_{who}", self.tag)
    }

    /// `postgres://LOGIN@HOST:PORT/DB` (trust authentication on the test server).
    pub fn url_as(&self, login: &str) -> String {
        format!("postgres://{login}@{}:{}/{}", self.host, self.port, self.db)
    }

    /// This database as the server's superuser.
    pub fn superuser_url(&self) -> String {
        self.url_as(self.server.get_user().unwrap_or("postgres"))
    }

    /// The store as `who`, through `Backend` (as the window and the commands open it).
    pub fn open(&self, who: &str) -> Backend {
        Backend::open(&Target::parse(&self.url_as(&self.login(who)))).unwrap()
    }

    /// A superuser's connection to the team database (to look behind row-level security).
    pub fn admin(&self) -> Client {
        let mut c = self.server.clone();
        c.dbname(&self.db);
        c.connect(NoTls).unwrap()
    }
}

impl Drop for TeamDb {
    fn drop(&mut self) {
        let Ok(mut admin) = self.server.connect(NoTls) else { return };
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::quote_ident(&self.db)));
        for who in &self.people {
            let _ =
                admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", pg::quote_ident(&self.login(who))));
        }
    }
}
