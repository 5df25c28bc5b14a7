//! The `enroll-kit` command: the binary's edge, where library errors become messages and exit codes.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    enroll_kit::ui::mark_process_start();
    // Nothing a parent left open (a TPM connection, a lock) may live on in this process.
    enroll_kit::inherit::close_inherited();
    // Everything this program writes — the database and its WAL, slips, reports, exports, the
    // intake's spool — holds personal data: no file it creates is readable by other users.
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    #[cfg(unix)]
    unsafe {
        libc::umask(0o077);
    }
    // The unlocked kit keys live in this process's memory: no core dump, no ptrace by others.
    enroll_kit::secret::forbid_memory_dumps();
    tracing_subscriber::fmt()
        .with_env_filter(
            // The intake server's request lines are its operator's view; everything else speaks up on warnings.
            tracing_subscriber::EnvFilter::try_from_env("ENROLL_KIT_LOG")
                .unwrap_or_else(|_| "warn,enroll_kit::intake=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
