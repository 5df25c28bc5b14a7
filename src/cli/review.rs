//! `enroll-kit review` (supervisor): the queue, approve, reject.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use enroll_kit::domain::rid::Rid;
use enroll_kit::domain::status::RejectReason;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::review;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The packets waiting for review, with their flags
    List {
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Approve packets by RID, every pending one with --all, or only the clean ones with --clean
    Approve {
        /// RIDs to approve
        rids: Vec<String>,
        /// Approve every pending packet (not your own captures)
        #[arg(long, conflicts_with = "rids")]
        all: bool,
        /// Approve every clean pending packet: no forced print, no exception
        #[arg(long, conflicts_with_all = ["rids", "all"])]
        clean: bool,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Reject a packet with a reason
    Reject {
        /// The RID
        rid: String,
        /// poor_photo, poor_prints, wrong_details, suspected_duplicate, documents_or_consent or other
        #[arg(long)]
        reason: String,
        /// What exactly is wrong (required with --reason other)
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        login: LoginArgs,
    },
}

pub fn run(mut kit: Kit, cmd: ReviewCommand) -> Result<ExitCode> {
    match cmd {
        ReviewCommand::List { login } => {
            let op = login_from(&mut kit, &login)?;
            let queue = review::queue(&kit, &op)?;
            for item in &queue {
                let flags = match (item.forced, item.exceptions) {
                    (0, 0) => "clean".to_string(),
                    (f, e) => format!("{f} forced, {e} exception(s)"),
                };
                println!(
                    "{}  {}  {:<10}  {:<32}  min quality {:>3}  {}",
                    item.row.rid,
                    item.row.created_at,
                    item.assistant,
                    item.row.display_name,
                    item.min_quality.map_or("-".into(), |q| q.to_string()),
                    flags
                );
            }
            println!("{} packet(s) waiting, {} clean", queue.len(), queue.iter().filter(|i| i.is_clean()).count());
        }
        ReviewCommand::Approve { rids, all, clean, login } => {
            if !all && !clean && rids.is_empty() {
                bail!("name the RIDs to approve, or pass --all (every pending packet) or --clean (the clean ones)");
            }
            let parsed = rids.iter().map(|r| Rid::parse(r)).collect::<Result<Vec<_>, _>>()?;
            let op = login_from(&mut kit, &login)?;
            let approved = if all || clean {
                review::approve_all(&mut kit, &op, clean)?
            } else {
                for rid in &parsed {
                    review::approve(&mut kit, &op, rid.as_str())
                        .with_context(|| format!("packet {rid} was not approved"))?;
                }
                parsed.iter().map(ToString::to_string).collect()
            };
            println!("approved {} packet(s)", approved.len());
        }
        ReviewCommand::Reject { rid, reason, note, login } => {
            let rid = Rid::parse(&rid)?;
            let reason = RejectReason::parse(&reason).with_context(|| {
                let all: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown reason {reason:?}: use one of {}", all.join(", "))
            })?;
            let op = login_from(&mut kit, &login)?;
            review::reject(&mut kit, &op, rid.as_str(), reason, &note)?;
            println!("rejected {rid} ({})", reason.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}
