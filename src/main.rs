//! The callqa binary: parse arguments, then start the review window or a headless command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = callqa::cli::Cli::parse();
    match cli.command {
        None | Some(callqa::cli::Command::App { .. }) => {
            eprintln!("callqa: the review window is not written yet; try `callqa probe FILE`");
            ExitCode::FAILURE
        }
        Some(_) => callqa::cli::run(cli),
    }
}
