use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    thematic::cli::run(thematic::cli::Cli::parse())
}
