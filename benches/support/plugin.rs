//! Launching the release provider binary the way Terraform does, and talking to it: the
//! magic cookie, the protocol versions and a fresh P-521 client certificate in the environment;
//! the handshake line on stdout; gRPC over the unix socket with mutual TLS.
//!
//! Used by the whole-process examples. Blocking where timing matters (spawn → first line),
//! async for gRPC.

use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use qcloud_provider::plugin::handshake::{
    MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSIONS_KEY,
};
use qcloud_provider::tfplugin::MAX_MESSAGE_SIZE;
use qcloud_provider::tfplugin::controller_proto::Empty;
use qcloud_provider::tfplugin::controller_proto::grpc_controller_client::GrpcControllerClient;
use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;
use tonic::transport::Channel;

pub use super::tls::ClientIdentity;
use super::tls::{Target, connect};

/// The provider binary: the one given with `--binary PATH`, else the one in the example's
/// own profile directory (`target/release`); or a message saying how to build it.
pub fn provider_binary() -> Result<PathBuf, String> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = args.iter().position(|a| a == "--binary").and_then(|i| args.get(i + 1)) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this example: {e}"))?;
    let profile_dir = exe.parent().and_then(Path::parent).ok_or("unexpected example path")?;
    let binary = profile_dir.join("terraform-provider-qcloud");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "{} is missing: build it first with `cargo build --release -p \
             terraform-provider-qcloud --bin terraform-provider-qcloud`",
            binary.display()
        ))
    }
}

/// A provider process that printed its handshake line.
pub struct Launched {
    pub child: Child,
    /// When `spawn` was called.
    pub spawned_at: Instant,
    /// Spawn → handshake line read.
    pub to_handshake: Duration,
    /// The unix socket it serves on.
    pub socket: PathBuf,
    /// Its server certificate (DER).
    pub certificate: Vec<u8>,
}

/// Spawns `binary` with Terraform's environment (and only that: the rest is cleared but
/// `PATH` and glibc's `MALLOC_*` tunables, for experiments), with `TMPDIR` set to `temp`, and
/// reads its handshake line.
pub fn launch(binary: &Path, identity: &ClientIdentity, temp: &Path) -> io::Result<Launched> {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TMPDIR", temp)
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env(PROTOCOL_VERSIONS_KEY, "5,6")
        .env("PLUGIN_CLIENT_CERT", &identity.pem)
        .envs(std::env::vars_os().filter(|(name, _)| name.to_string_lossy().starts_with("MALLOC_")))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let spawned_at = Instant::now();
    let mut child = command.spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| io::Error::other("no stdout"))?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let to_handshake = spawned_at.elapsed();
    let (socket, certificate) = parse_handshake(&line).map_err(io::Error::other)?;
    Ok(Launched { child, spawned_at, to_handshake, socket, certificate })
}

/// The socket and server certificate of `core|protocol|unix|socket|grpc|cert`.
fn parse_handshake(line: &str) -> Result<(PathBuf, Vec<u8>), String> {
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    let [_, "6", "unix", socket, "grpc", certificate] = fields[..] else {
        return Err(format!("unexpected handshake line {line:?}"));
    };
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(certificate.trim_end_matches('='))
        .map_err(|e| format!("the handshake certificate is not base64: {e}"))?;
    Ok((PathBuf::from(socket), der))
}

impl Launched {
    /// A gRPC channel with mutual TLS: trusts only the handshake's certificate and presents
    /// `identity`.
    pub async fn channel(&self, identity: &ClientIdentity) -> Result<Channel, String> {
        let target = Target {
            socket: self.socket.clone(),
            server_certificate: Some(self.certificate.clone()),
        };
        connect(&target, Some(identity))
            .await
            .map_err(|e| format!("cannot connect to the provider: {e}"))
    }

    /// Asks the process to exit as Terraform does (GRPCController.Shutdown) and waits for it.
    pub async fn shutdown(mut self, channel: Channel) -> Result<Exited, String> {
        let mut controller = GrpcControllerClient::new(channel);
        // The process may exit before the answer arrives; only its exit counts.
        let _ = controller.shutdown(Empty {}).await;
        let cpu_before = children_cpu_time();
        let status = tokio::task::spawn_blocking(move || self.child.wait().map(|_| ()))
            .await
            .map_err(|e| e.to_string())?;
        status.map_err(|e| format!("waiting for the provider failed: {e}"))?;
        let lifetime = self.spawned_at.elapsed();
        Ok(Exited { lifetime, cpu: children_cpu_time().saturating_sub(cpu_before) })
    }

    /// The provider's peak resident set size (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

/// A provider process that exited.
pub struct Exited {
    /// Spawn → exit.
    pub lifetime: Duration,
    /// The CPU time (user + system) it used over its whole life.
    pub cpu: Duration,
}

/// The CPU time (user + system) of every child process reaped so far.
pub fn children_cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given, which is zero-initialised and
    // lives for the whole call.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The 1-minute load average, to judge how busy the machine was during a measurement.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}

/// A `tfplugin6.Provider` client with Terraform's message limits.
pub fn provider_client(channel: Channel) -> ProviderClient<Channel> {
    ProviderClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}
