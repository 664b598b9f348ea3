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
    let db_from_user = db.is_some();
    let db_path = match db.map_or_else(callqa::app::default_db_path, Ok) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("callqa: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = callqa::app::AppConfig { db_path, paths, audio: true, size, outbox: None, db_from_user };
    match callqa::app::run_native(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("callqa: cannot open the review window: {e}");
            ExitCode::FAILURE
        }
    }
}
