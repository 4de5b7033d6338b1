//! The `effektrapport` binary: parse the command line, run, print the error chain, set the exit code.

use clap::Parser;

fn main() {
    let cli = effektrapport::cli::Cli::parse();
    if let Err(error) = effektrapport::run(cli) {
        eprintln!("{}", effektrapport::error::render_chain(&error));
        std::process::exit(effektrapport::error::exit_code(&error));
    }
}
