//! `triage`: makes operations troubleshooting guides executable.
//!
//! This binary is the application layer: it parses the command line, loads guides with
//! `triage-guide`, turns their check blocks into `triage-probe` checks, runs them and
//! renders the results. Each subcommand lives in `command/`, every byte written to stdout
//! goes through `render/`, and tracing (to stderr) is set up in `logging`.

// Doc comments on clap types are `--help` text written for a terminal (`[STATUS]`,
// `<NAME>`), not rustdoc markup.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

mod check_block;
mod cli;
mod command;
mod config;
mod exit;
mod load;
mod logging;
mod progress;
mod render;
mod report;

use std::process::ExitCode;

use clap::Parser;

// A run allocates many small, short-lived objects (YAML nodes of a thousand check blocks,
// knowledge-base terms, one future per check) from several threads; mimalloc's
// thread-local pages cut start-up by about a fifth against glibc's malloc
// (bench/diagnose.sh, bench/service-probes.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(cli.verbose);
    match command::run(cli) {
        Ok(code) => code.into(),
        Err(error) => {
            // anyhow's alternate form prints the whole cause chain on one line.
            eprintln!("triage: {error:#}");
            exit::Exit::Error.into()
        }
    }
}
