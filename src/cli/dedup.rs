//! `enroll-kit dedup` (supervisor): every pair of enrollments on this kit that may be one person;
//! `enroll-kit templates export|import`: template lists carried between kits.

use super::LoginArgs;
use super::operator::login_from;
use age::secrecy::SecretString;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use enroll_kit::batch::templates::MIN_PASSPHRASE;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::dedup::{PERSON_THRESHOLD, kit_wide};
use enroll_kit::workflow::dedup::{export_templates, import_templates};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// One JSON object a line: the two RIDs and the score
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    login: LoginArgs,
}

pub fn run(mut kit: Kit, args: DedupArgs) -> Result<ExitCode> {
    let op = login_from(&mut kit, &args.login)?;
    let started = std::time::Instant::now();
    let pairs = kit_wide(&kit, &op)?;
    for (a, b, score) in &pairs {
        if args.json {
            println!("{}", serde_json::json!({"rid_a": a, "rid_b": b, "score": score}));
        } else {
            println!("{a}  {b}  score {score:.1}");
        }
    }
    eprintln!(
        "{} possible duplicate pair(s) at person score ≥ {PERSON_THRESHOLD} ({:.1} s)",
        pairs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Environment variable holding a template list passphrase for scripts.
pub const PASSPHRASE_ENV: &str = "ENROLL_KIT_PASSPHRASE";

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write this kit's finger templates to a passphrase-sealed list for other kits' duplicate searches
    Export(ExportArgs),
    /// Load another kit's template list, so this kit's duplicate search covers its people too
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write (on the stick)
    #[arg(long)]
    out: PathBuf,
    /// File whose first line is the passphrase (else $ENROLL_KIT_PASSPHRASE, else asked twice)
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
    #[command(flatten)]
    login: LoginArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The template list written by another kit
    list: PathBuf,
    /// Registered kits' public keys, one a line: refuse a list from any other kit
    #[arg(long)]
    kits: Option<PathBuf>,
    /// File whose first line is the passphrase (else $ENROLL_KIT_PASSPHRASE, else asked)
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
    #[command(flatten)]
    login: LoginArgs,
}

/// Reads a passphrase: from `file`, else the environment, else a hidden prompt (twice when
/// `confirm`, so a typo does not seal a list nobody can open).
fn read_passphrase(file: Option<&Path>, confirm: bool) -> Result<SecretString> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the passphrase file {}: check the path", path.display()))?;
        return Ok(SecretString::from(text.lines().next().unwrap_or("").to_string()));
    }
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(SecretString::from(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase given: pass --passphrase-file FILE or set {PASSPHRASE_ENV}");
    }
    let first = rpassword::prompt_password(format!("Passphrase (at least {MIN_PASSPHRASE} characters): "))
        .context("could not read the passphrase from the terminal")?;
    if confirm {
        let again = rpassword::prompt_password("The same passphrase again: ")
            .context("could not read the passphrase from the terminal")?;
        if again != first {
            bail!("the two passphrases differ: nothing was written; run this again");
        }
    }
    Ok(SecretString::from(first))
}

pub fn templates(mut kit: Kit, command: TemplatesCommand) -> Result<ExitCode> {
    match command {
        TemplatesCommand::Export(args) => {
            let op = login_from(&mut kit, &args.login)?;
            let passphrase = read_passphrase(args.passphrase_file.as_deref(), true)?;
            let people = export_templates(&mut kit, &op, &args.out, &passphrase)?;
            println!("wrote {} ({people} people's templates)", args.out.display());
            println!("Give the passphrase to the other kit's supervisor by word of mouth, not on the stick.");
        }
        TemplatesCommand::Import(args) => {
            let registered = args.kits.as_deref().map(super::batch::read_registered_keys).transpose()?;
            let op = login_from(&mut kit, &args.login)?;
            let passphrase = read_passphrase(args.passphrase_file.as_deref(), false)?;
            let loaded = import_templates(&mut kit, &op, &args.list, &passphrase, registered.as_deref())?;
            println!(
                "loaded {} people from kit {} ({} finger template(s) new to this kit)",
                loaded.people, loaded.origin, loaded.added
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
