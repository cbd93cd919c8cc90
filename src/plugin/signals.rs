//! Signal handling as go-plugin servers do it: SIGINT is ignored while serving Terraform
//! (Terraform forwards Ctrl-C as StopProvider), SIGTERM ends the process cleanly.

use std::io;

use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

/// Makes SIGINT harmless for the rest of the process's life: once a handler is installed,
/// the default action (terminate) no longer applies, and nobody acts on the signal.
pub fn ignore_interrupts() -> io::Result<()> {
    let mut interrupts = signal(SignalKind::interrupt())?;
    tokio::spawn(async move { while interrupts.recv().await.is_some() {} });
    Ok(())
}

/// Cancels `token` when any of `kinds` arrives.
pub fn cancel_on(kinds: &[SignalKind], token: CancellationToken) -> io::Result<()> {
    for kind in kinds {
        let mut signals = signal(*kind)?;
        let token = token.clone();
        tokio::spawn(async move {
            if signals.recv().await.is_some() {
                token.cancel();
            }
        });
    }
    Ok(())
}
