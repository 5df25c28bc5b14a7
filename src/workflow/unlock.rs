//! Unlocking a passphrase kit for the day, off the window's thread (argon2id takes most of a second).

use crate::kit::keystore::KeyStoreError;
use crate::kit::{Kit, KitError, LockedKit, Passphrase, Unlock};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// One unlock attempt under way.
pub struct UnlockWorker {
    result: Receiver<Result<Kit, KitError>>,
}

/// How an unlock attempt ended, as the unlock screen shows it.
pub enum UnlockOutcome {
    /// Still deriving the key.
    Working,
    /// The kit is open.
    Open(Box<Kit>),
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
            Ok(Ok(kit)) => UnlockOutcome::Open(Box::new(kit)),
            Ok(Err(KitError::KeyStore(KeyStoreError::WrongPassphrase))) => UnlockOutcome::WrongPassphrase,
            Ok(Err(e)) => UnlockOutcome::Failed(e),
        }
    }
}
