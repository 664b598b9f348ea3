//! TLS to the team store (issue 15) on the real PostgreSQL server of scripts/pg-test.sh: the
//! test turns the server's TLS on (a certificate made here with `openssl`, `ALTER SYSTEM`,
//! reload) and off again afterwards. `sslmode=require` with `sslrootcert=` (the team's CA)
//! connects over TLS — `pg_stat_ssl` says so — and `callqa review` works through it; without
//! the CA (a certificate the system does not trust) the connection is refused with the reason.
//! Without `CALLQA_TEST_PG_URL` (or `openssl`) it prints a skip line and passes. One test in
//! this binary: it changes the server's settings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;
mod pg_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use callqa::store::pg::{self, PgStore};
use cli_common::{corpus, ok, text};
use pg_common::TeamDb;
use postgres::{Client, Config, NoTls};

const BIN: &str = env!("CARGO_BIN_EXE_callqa");

/// Turns the server's TLS off again however the test ends.
struct TlsOn {
    config: Config,
}

impl Drop for TlsOn {
    fn drop(&mut self) {
        if let Ok(mut su) = self.config.connect(NoTls) {
            // One statement at a time: ALTER SYSTEM cannot run in a (multi-statement) transaction.
            for sql in [
                "ALTER SYSTEM RESET ssl",
                "ALTER SYSTEM RESET ssl_cert_file",
                "ALTER SYSTEM RESET ssl_key_file",
            ] {
                let _ = su.batch_execute(sql);
            }
            let _ = su.batch_execute("SELECT pg_reload_conf()");
        }
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out.stderr));
}

fn ssl_in_use(c: &mut Client) -> bool {
    c.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0)
}

#[test]
fn sslmode_require_with_the_teams_ca_connects_over_tls_and_an_untrusted_certificate_is_refused() {
    let Some(config) = pg_common::server() else { return };
    if Command::new("openssl").arg("version").output().is_err() {
        println!("skipped: no openssl command to make a certificate");
        return;
    }
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };

    // A CA and the server's certificate for 127.0.0.1, readable by the server's user.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = dir.path();
    openssl(
        p,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=callqa test CA",
        ],
    );
    openssl(
        p,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            &format!("/CN={host}"),
        ],
    );
    std::fs::write(p.join("san.ext"), format!("subjectAltName=IP:{host}\n")).unwrap();
    openssl(
        p,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    std::fs::set_permissions(p.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    if std::env::var("CALLQA_TEST_PG_OWNER").is_ok_and(|o| !o.is_empty()) {
        // As root the server runs as `postgres`: its key must be that user's.
        for f in ["server.key", "server.crt"] {
            let out =
                Command::new("chown").args(["postgres:", &p.join(f).to_string_lossy()]).output().unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
    }

    // The team store is made before TLS is on (init-team then needs no sslmode=disable).
    let Some(team) = TeamDb::new("s", &[], &["asha"]) else { return };
    let asha = team.login("asha");
    let mut su = config.connect(NoTls).unwrap();
    let _guard = TlsOn { config: config.clone() };
    for sql in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{}'", p.join("server.crt").display()),
        format!("ALTER SYSTEM SET ssl_key_file = '{}'", p.join("server.key").display()),
        "ALTER SYSTEM SET ssl = on".to_string(),
        "SELECT pg_reload_conf()".to_string(),
    ] {
        su.batch_execute(&sql).unwrap();
    }
    // The reload is asynchronous: wait until new connections see it.
    let mut on = false;
    for _ in 0..50 {
        let mut c = config.connect(NoTls).unwrap();
        if c.query_one("SHOW ssl", &[]).unwrap().get::<_, String>(0) == "on" {
            on = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(on, "the server did not turn TLS on (see its log)");

    let ca = p.join("ca.pem");
    let base = team.url_as(&asha);
    let with_ca = format!("{base}?sslmode=require&sslrootcert={}", ca.display());
    // With the team's CA: TLS, verified.
    let (mut c, _) = pg::connect(&with_ca).unwrap();
    assert!(ssl_in_use(&mut c), "sslmode=require must use TLS");
    PgStore::connect(&with_ca).unwrap();
    // Without it: the server's certificate is not trusted, and that is said.
    let err = pg::connect(&format!("{base}?sslmode=require")).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("certificate"), "{err}");
    // A CA file that is not a certificate.
    std::fs::write(p.join("junk.pem"), "not a certificate").unwrap();
    let err = pg::connect(&format!("{base}?sslmode=require&sslrootcert={}", p.join("junk.pem").display()))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a PEM certificate"), "{err}");
    // No TLS when the URL says so (the server allows both here).
    let (mut plain, _) = pg::connect(&format!("{base}?sslmode=disable")).unwrap();
    assert!(!ssl_in_use(&mut plain));

    // The real binary, through CALLQA_DB.
    let call = dir.path().join("dev_f_brief.wav");
    std::fs::copy(corpus("dev_f_brief.wav"), &call).unwrap();
    let out = Command::new(BIN)
        .args(["review", &call.to_string_lossy(), "--answer", "no_arguing=yes", "--json"])
        .env("CALLQA_DB", &with_ca)
        .env("HOME", dir.path())
        .env("CALLQA_OUTBOX", dir.path().join("outbox.sqlite3"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["review"]["reviewer"], asha.as_str());
    let stored: i64 = plain.query_one("SELECT count(*) FROM callqa.reviews", &[]).unwrap().get(0);
    assert_eq!(stored, 1);
}
