//! Unlocking a passphrase kit for the day, off the window's thread (argon2id takes most of a second).

use crate::kit::keystore::KeyStoreError;
use crate::kit::{Kit, KitError, LockedKit, Passphrase, Unlock};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// A passphrase kit waiting for the day's passphrase.
pub struct Locked(LockedKit);

impl Locked {
    /// Wraps a locked kit for the unlock screen.
    pub fn new(kit: LockedKit) -> Self {
        Locked(kit)
    }

    /// A training (pilot) kit.
    pub fn training(&self) -> bool {
        self.0.config.training
    }

    /// The registration centre the kit belongs to.
    pub fn centre(&self) -> &str {
        &self.0.config.centre
    }

    /// The kit's id.
    pub fn kit_id(&self) -> &str {
        &self.0.config.kit
    }

    /// Who holds a passphrase.
    pub fn holders(&self) -> Vec<String> {
        self.0.passphrase_holders()
    }

    /// Starts unlocking with the passphrase as typed; `wake` is called when it ends.
    pub fn unlock(&self, typed: &str, wake: impl Fn() + Send + 'static) -> UnlockWorker {
        UnlockWorker::start(&self.0, Passphrase::new(typed), wake)
    }
}

/// A kit just opened, for the program that builds its window.
pub struct Opened(Box<Kit>);

impl Opened {
    /// The open kit.
    pub fn into_kit(self) -> Kit {
        *self.0
    }
}

/// One unlock attempt under way.
pub struct UnlockWorker {
    result: Receiver<Result<Kit, KitError>>,
}

/// How an unlock attempt ended, as the unlock screen shows it.
pub enum UnlockOutcome {
    /// Still deriving the key.
    Working,
    /// The kit is open.
    Open(Opened),
    /// Not this kit's passphrase: the kit stays locked.
    WrongPassphrase,
    /// Something else stopped it (a damaged keys file, the database); the message says what.
    Failed(KitError),
}

impl UnlockWorker {
    /// Starts unlocking `locked` with `passphrase`; `wake` is called when it ends.
    pub fn start(locked: &LockedKit, passphrase: Passphrase, wake: impl Fn() + Send + 'static) -> UnlockWorker {
        let (tx, result) = channel();
        let locked = locked.clone();
        let spawned = std::thread::Builder::new().name("kit-unlock".into()).spawn({
            let tx = tx.clone();
            move || {
                let _ = tx.send(locked.unlock(&Unlock::Passphrase(passphrase)));
                wake();
            }
        });
        if let Err(e) = spawned {
            let _ = tx.send(Err(KitError::Unwritable { path: "the unlock thread".into(), source: e }));
        }
        UnlockWorker { result }
    }

    /// Where the attempt stands.
    pub fn poll(&self) -> UnlockOutcome {
        match self.result.try_recv() {
            Err(TryRecvError::Empty) => UnlockOutcome::Working,
            Err(TryRecvError::Disconnected) => {
                UnlockOutcome::Failed(KitError::Random("the unlock thread ended".into()))
            }
            Ok(Ok(kit)) => UnlockOutcome::Open(Opened(Box::new(kit))),
            Ok(Err(KitError::KeyStore(KeyStoreError::WrongPassphrase))) => UnlockOutcome::WrongPassphrase,
            Ok(Err(e)) => UnlockOutcome::Failed(e),
        }
    }
}
