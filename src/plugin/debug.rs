//! `-debug` mode: the provider runs on its own (under a debugger, say) and Terraform attaches
//! to it through `TF_REATTACH_PROVIDERS`.
//!
//! Plaintext (Terraform's reattach path does no TLS). Serves until SIGINT or SIGTERM; Terraform
//! never sends Shutdown here, and may configure the provider many times.

use std::path::Path;
use std::sync::Arc;

use tokio::signal::unix::SignalKind;
use tokio_util::sync::CancellationToken;

use super::{LaunchError, handshake, print_line, server, signals};
use crate::PROVIDER_ADDRESS;
use crate::provider::Provider;

/// Serves in debug mode after printing the reattach line on stdout.
pub async fn run(provider: Arc<dyn Provider>, temp_dir: &Path) -> Result<(), LaunchError> {
    let stop = CancellationToken::new();
    signals::cancel_on(&[SignalKind::interrupt(), SignalKind::terminate()], stop.clone())
        .map_err(LaunchError::io("install signal handlers"))?;
    let (listener, socket) =
        server::bind(temp_dir).map_err(LaunchError::io("create the socket"))?;
    let line = handshake::reattach_line(PROVIDER_ADDRESS, std::process::id(), socket.path());
    let text = format!(
        "The provider is serving in debug mode. To use it, set this in the environment of the \
         shell that runs terraform:\n{line}\nStop the provider with Ctrl-C."
    );
    print_line(&text).map_err(LaunchError::io("write to stdout"))?;
    server::serve(provider, listener, None, stop).await.map_err(LaunchError::Serve)?;
    socket.remove().map_err(LaunchError::io("remove the socket"))
}
