//! The kit's data dir on a small filesystem that fills while it seals enrollments: the real binary
//! on a tmpfs of a few megabytes, in a mount namespace of its own (gone with its holder, so
//! nothing is left mounted). The sealing that finds the disk full ends in a clear error with the
//! next step, nothing sealed before is lost, the kit opens without help, and once there is room
//! again it seals as before. Needs root (or unprivileged user namespaces); CI runs as root.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{SUPERVISOR_PIN, fixtures};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A process holding a private mount namespace; the tmpfs lives in it.
struct Namespace {
    holder: Child,
}

impl Namespace {
    /// A namespace with a tmpfs of `size` mounted at `dir`, or `None` where this machine allows
    /// neither (not root, no user namespaces).
    fn with_tmpfs(dir: &Path, size: &str) -> Option<Namespace> {
        let mut holder = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "cat"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        if !made_namespace(&mut holder) {
            let _ = holder.kill();
            let _ = holder.wait();
            return None;
        }
        let ns = Namespace { holder };
        let mounted = ns.run("mount", &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", dir.to_str()?]);
        mounted.status.success().then_some(ns)
    }

    /// `program args` inside the namespace.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.arg("-t").arg(self.holder.id().to_string()).arg("-m").arg("--").arg(program);
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        self.command(program).args(args).output().expect("nsenter")
    }
}

/// Waits until `unshare` has made the namespace and runs its child in it — by the namespace's
/// identity changing, not by a clock; false if unshare gave up (no namespaces for us here).
fn made_namespace(holder: &mut Child) -> bool {
    let Ok(mine) = std::fs::read_link("/proc/self/ns/mnt") else { return false };
    loop {
        match holder.try_wait() {
            Ok(None) => {}
            Ok(Some(status)) => {
                eprintln!("unshare ended at once ({status}): no mount namespace on this machine");
                return false;
            }
            Err(_) => return false,
        }
        if let Ok(theirs) = std::fs::read_link(format!("/proc/{}/ns/mnt", holder.id()))
            && theirs != mine
        {
            return true;
        }
        std::thread::yield_now();
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Closing cat's input ends it, and with it the namespace and its tmpfs.
        drop(self.holder.stdin.take());
        let _ = self.holder.wait();
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn kit(ns: &Namespace, data: &Path, args: &[&str]) -> Output {
    let keys = fixtures().join("keys");
    let mut cmd = ns.command(env!("CARGO_BIN_EXE_enroll-kit"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(args)
        .env("ENROLL_KIT_PIN", SUPERVISOR_PIN)
        .env("ENROLL_KIT_UNLOCK_FILE", keys.join("test-kit.passphrase"))
        .env("ENROLL_KIT_INSECURE_TEST_KDF", "true")
        .env("ENROLL_KIT_KEY_STORE", "passphrase")
        .env_remove("ENROLL_KIT_DATA");
    cmd.output().expect("run enroll-kit")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "command failed: {}", text(out));
    text(out)
}

/// How many packets `packet verify` found sound (it fails on any that is not).
fn verified(ns: &Namespace, data: &Path) -> usize {
    let said = ok(&kit(ns, data, &["packet", "verify"]));
    let n = said.split("OK: ").nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok());
    n.unwrap_or_else(|| panic!("no count in {said}"))
}

#[test]
fn a_disk_that_fills_while_sealing_loses_nothing_and_the_kit_goes_on_once_there_is_room() {
    let tmp = tempfile::tempdir().unwrap();
    let mount: PathBuf = tmp.path().join("disk");
    std::fs::create_dir_all(&mount).unwrap();
    let Some(ns) = Namespace::with_tmpfs(&mount, "6m") else {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root: the tmpfs must mount there");
        eprintln!("skipped: this machine cannot mount a tmpfs in a namespace (not root, no user namespaces)");
        return;
    };
    let data = mount.join("kit");
    let init = common::init_args();
    ok(&kit(&ns, &data, &init.iter().map(String::as_str).collect::<Vec<_>>()));

    // Enroll until the disk is full: the sealing that finds it full says so and what to do.
    let full = kit(&ns, &data, &["simulate", "--count", "200"]);
    assert!(!full.status.success(), "six megabytes cannot hold 200 enrollments: {}", text(&full));
    let said = text(&full);
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        said.contains("is full") && said.contains("free space"),
        "the error names the full disk and the next step: {said}"
    );
    // Everything sealed before it is there, sound, with its audit entries; the kit opened without help.
    let before = verified(&ns, &data);
    assert!(before >= 1, "some enrollments were sealed before the disk filled");
    eprintln!("{before} sealed before the disk filled; it said: {}", said.trim());
    assert!(ok(&kit(&ns, &data, &["audit", "verify"])).contains("OK: audit log intact"));
    // Still full: the next one is refused the same way, and changes nothing.
    let again = kit(&ns, &data, &["simulate", "--count", "1"]);
    assert!(!again.status.success() && text(&again).contains("is full"), "{}", text(&again));
    assert_eq!(verified(&ns, &data), before);

    // Room again: the kit goes on where it was.
    assert!(ns.run("mount", &["-o", "remount,size=64m", mount.to_str().unwrap()]).status.success());
    ok(&kit(&ns, &data, &["simulate", "--count", "2"]));
    assert_eq!(verified(&ns, &data), before + 2);
    assert!(ok(&kit(&ns, &data, &["audit", "verify"])).contains("OK: audit log intact"));
}
