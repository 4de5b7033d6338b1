//! The `effektrapport` binary: parse the command line, run, print the error chain, set the exit code.

use clap::Parser;

fn main() {
    let cli = effektrapport::cli::Cli::parse();
    match effektrapport::run_with_status(cli) {
        Ok(0) => {}
        Ok(status) => std::process::exit(status),
        Err(error) => {
            eprintln!("{}", effektrapport::error::render_chain(&error));
            std::process::exit(effektrapport::error::exit_code(&error));
        }
    }
}
