//! The `easel` command: boards, elements, import/export, history, audit and sharing from the
//! command line. Every command acts as the installation's local user (or `--as` another one),
//! prints a table or `--json`, and reports a failure as one line on stderr.

mod cli;
mod commands;
mod comments;
mod net;
mod share;
use easel_formats as formats;
mod table;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

/// What a command produced: the readable form and the `--json` form.
pub struct Output {
    pub text: String,
    pub json: serde_json::Value,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return clap_error(e),
    };
    let json = cli.json;
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(commands::run(cli)));
    match result {
        Ok(out) => {
            let mut s = if json {
                // Serializing a serde_json::Value cannot fail.
                serde_json::to_string_pretty(&out.json).unwrap_or_default()
            } else {
                out.text
            };
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                // `easel boards list | head -1`: the reader went away; not our failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => report(&anyhow::Error::from(e)),
            }
        }
        Err(e) => report(&e),
    }
}

/// Prints `easel: <reason>` on one line and picks the exit code.
fn report(e: &anyhow::Error) -> ExitCode {
    let code = match e.downcast_ref::<easel_core::Error>() {
        Some(easel_core::Error::Denied { .. } | easel_core::Error::NotAuthor { .. }) => 3,
        _ => 1,
    };
    eprintln!("easel: {}", one_line(&reason(e)));
    ExitCode::from(code)
}

/// The error and its causes joined with `: `, skipping a cause whose text its wrapper already
/// shows (the core's `Io` and `Database` errors display their source themselves).
fn reason(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        if parts.last().is_some_and(|prev| prev.contains(&msg)) {
            continue;
        }
        parts.push(msg);
    }
    parts.join(": ")
}

/// Help and version go to stdout as clap prints them; a usage error becomes one line, exit 2.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
    }
    let rendered = e.render().to_string();
    // Keep the message and tips; drop the usage block (that is what --help is for).
    let msg = rendered.split("\nUsage:").next().unwrap_or(&rendered);
    let msg = msg.trim().strip_prefix("error:").unwrap_or(msg).trim();
    eprintln!("easel: {}; see --help", one_line(msg));
    ExitCode::from(2)
}

/// Collapses whitespace and control characters so a reason always fits on one line.
fn one_line(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}
