//! The callqa binary: parse arguments, then start the review window or a headless command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = callqa::cli::Cli::parse();
    match cli.command {
        None => run_window(cli.db, Vec::new(), None),
        Some(callqa::cli::Command::App { paths, size }) => run_window(cli.db, paths, size),
        Some(_) => callqa::cli::run(cli),
    }
}

fn run_window(
    db: Option<std::path::PathBuf>,
    paths: Vec<std::path::PathBuf>,
    size: Option<(f32, f32)>,
) -> ExitCode {
    if db.as_deref().and_then(|d| d.to_str()).is_some_and(|d| {
        let d = d.trim_start().to_ascii_lowercase();
        d.starts_with("postgres://") || d.starts_with("postgresql://")
    }) {
        eprintln!(
            "callqa: the window does not open the team store yet; the team store serves \
             callqa review, export and report so far. Open the window on a SQLite review database \
             (--db FILE, or no --db for the default one)"
        );
        return ExitCode::from(2);
    }
    let db_path = match db.map_or_else(callqa::app::default_db_path, Ok) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("callqa: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = callqa::app::AppConfig { db_path, paths, audio: true, size };
    match callqa::app::run_native(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("callqa: cannot open the review window: {e}");
            ExitCode::FAILURE
        }
    }
}
