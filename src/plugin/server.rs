//! The gRPC server: a private unix socket in the temp directory, and the services Terraform
//! expects on it (`tfplugin6.Provider`, `plugin.GRPCController`, `plugin.GRPCStdio`,
//! `grpc.health.v1.Health`).
//!
//! Must not see generated protobuf types: the services come ready-made from `tfplugin`.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic_health::ServingStatus;

use super::connection;
use crate::provider::Provider;
use crate::tfplugin;

/// File name of the socket inside its private directory.
const SOCKET_NAME: &str = "grpc.sock";

/// The longest socket path the kernel accepts: `sun_path` holds 108 bytes with the NUL.
const MAX_SOCKET_PATH: usize = 107;

/// How long connections may take to finish after Shutdown before the process exits anyway.
const DRAIN_GRACE: Duration = Duration::from_millis(250);

/// The socket's private directory; dropping it removes the directory and the socket.
#[derive(Debug)]
pub struct SocketDir {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl SocketDir {
    /// The socket's path, for the handshake line.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the socket and its directory now, reporting failure.
    pub fn remove(self) -> io::Result<()> {
        self.dir.close()
    }
}

/// Binds a unix socket reachable only by this user: inside a fresh owner-only (0700)
/// directory under `temp_dir`, itself owner-only (0600). Falls back to `/tmp` when
/// `temp_dir` is too long for a socket path.
pub fn bind(temp_dir: &Path) -> io::Result<(UnixListener, SocketDir)> {
    let parent = if usable_parent(temp_dir) { temp_dir } else { Path::new("/tmp") };
    let dir = tempfile::Builder::new()
        .prefix("plugin")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(parent)?;
    let path = dir.path().join(SOCKET_NAME);
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok((listener, SocketDir { dir, path }))
}

/// Whether sockets under `dir` fit in `sun_path` and can be written in the handshake line,
/// whose fields are separated by `|`.
fn usable_parent(dir: &Path) -> bool {
    // tempfile adds the prefix and six random characters.
    let room = MAX_SOCKET_PATH.saturating_sub("/plugin123456/".len() + SOCKET_NAME.len());
    let text = dir.to_string_lossy();
    dir.as_os_str().len() <= room && !text.contains(['|', '\n', '\u{fffd}'])
}

/// Serves the provider on `listener` (through `tls` when given) until `shutdown` is
/// cancelled, by the controller's Shutdown or by the caller.
pub async fn serve(
    provider: Arc<dyn Provider>,
    listener: UnixListener,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    let (health, health_service) = tonic_health::server::health_reporter();
    let (controller, stdio) = tfplugin::control_servers(shutdown.clone());
    health.set_service_status("plugin", ServingStatus::Serving).await;
    let serving = Server::builder()
        .add_service(tfplugin::provider_server(provider))
        .add_service(controller)
        .add_service(stdio)
        .add_service(health_service)
        .serve_with_incoming_shutdown(
            connection::incoming(listener, tls),
            shutdown.clone().cancelled_owned(),
        );
    tokio::select! {
        served = serving => served,
        () = drain_deadline(&shutdown) => Ok(()),
    }
}

/// Completes [`DRAIN_GRACE`] after `shutdown` fires.
async fn drain_deadline(shutdown: &CancellationToken) {
    shutdown.cancelled().await;
    tokio::time::sleep(DRAIN_GRACE).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn socket_is_owner_only_and_removed_with_its_directory() {
        let temp = tempfile::tempdir().expect("a temp dir");
        let (_listener, socket) = bind(temp.path()).expect("binding in a fresh dir works");
        let path = socket.path().to_path_buf();
        assert!(path.starts_with(temp.path()));
        let mode = std::fs::metadata(&path).expect("socket exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let parent = path.parent().expect("the socket has a directory").to_path_buf();
        let dir_mode = std::fs::metadata(&parent).expect("dir exists").permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        socket.remove().expect("removal works");
        assert!(!path.exists() && !parent.exists());
    }

    #[test]
    fn temp_dirs_that_break_the_socket_path_or_the_handshake_line_are_refused() {
        assert!(usable_parent(Path::new("/tmp")));
        assert!(usable_parent(Path::new("/var/folders/xy/T")));
        assert!(!usable_parent(&Path::new("/tmp").join("x".repeat(90))));
        assert!(!usable_parent(Path::new("/tmp/a|b")));
        assert!(!usable_parent(Path::new("/tmp/a\nb")));
    }

    #[tokio::test]
    async fn too_long_temp_dir_falls_back_to_tmp() {
        let long = Path::new("/nonexistent").join("x".repeat(120));
        let (_listener, socket) = bind(&long).expect("falls back to /tmp");
        assert!(socket.path().starts_with("/tmp"));
        assert!(socket.path().as_os_str().len() <= MAX_SOCKET_PATH);
    }
}
