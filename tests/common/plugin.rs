//! Launches the built provider binary exactly as Terraform does (magic cookie, protocol
//! versions, client certificate), parses its handshake line, and connects to it.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use qcloud_provider::plugin::handshake::MAGIC_COOKIE_VALUE;
use qcloud_provider::tfplugin::MAX_MESSAGE_SIZE;
use qcloud_provider::tfplugin::controller_proto::grpc_controller_client::GrpcControllerClient;
use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

use super::tls::{ClientIdentity, Target, connect};

/// The provider binary cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-qcloud");

/// How long any single step (a launch, an exit) may take before the test gives up.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// How to start the plugin. The default is what Terraform does.
#[derive(Debug)]
pub struct LaunchOptions {
    /// `TF_PLUGIN_MAGIC_COOKIE`; `None` leaves it unset.
    pub cookie: Option<String>,
    /// `PLUGIN_PROTOCOL_VERSIONS`; `None` leaves it unset.
    pub versions: Option<String>,
    /// The client identity whose certificate goes in `PLUGIN_CLIENT_CERT`; `None` for none.
    pub client: Option<ClientIdentity>,
    /// Sets `TF_DISABLE_PLUGIN_TLS=1`.
    pub disable_tls: bool,
    /// Command-line arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        Self {
            cookie: Some(MAGIC_COOKIE_VALUE.to_string()),
            versions: Some("5,6".to_string()),
            client: Some(ClientIdentity::terraform_like()),
            disable_tls: false,
            args: Vec::new(),
            env: Vec::new(),
        }
    }
}

impl LaunchOptions {
    /// Terraform's launch with `PLUGIN_PROTOCOL_VERSIONS` set to `versions`.
    pub fn with_versions(versions: &str) -> Self {
        Self { versions: Some(versions.to_string()), ..Self::default() }
    }

    /// Terraform's launch with `TF_DISABLE_PLUGIN_TLS` set (and so no client certificate).
    pub fn plaintext() -> Self {
        Self { client: None, disable_tls: true, ..Self::default() }
    }

    /// The command for these options, with its own `TMPDIR` so sockets land in `temp`.
    fn command(&self, temp: &Path) -> Command {
        let mut command = Command::new(BINARY);
        command.args(&self.args).env("TMPDIR", temp).kill_on_drop(true);
        let terraform_set = [
            "TF_PLUGIN_MAGIC_COOKIE",
            "PLUGIN_PROTOCOL_VERSIONS",
            "PLUGIN_CLIENT_CERT",
            "TF_DISABLE_PLUGIN_TLS",
        ];
        for key in terraform_set {
            command.env_remove(key);
        }
        if let Some(cookie) = &self.cookie {
            command.env("TF_PLUGIN_MAGIC_COOKIE", cookie);
        }
        if let Some(versions) = &self.versions {
            command.env("PLUGIN_PROTOCOL_VERSIONS", versions);
        }
        if let Some(client) = &self.client {
            command.env("PLUGIN_CLIENT_CERT", &client.pem);
        }
        if self.disable_tls {
            command.env("TF_DISABLE_PLUGIN_TLS", "1");
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }
}

/// The fields of go-plugin's handshake line `core|protocol|network|address|grpc|cert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    pub core_version: u32,
    pub protocol_version: u32,
    pub network: String,
    pub address: PathBuf,
    pub protocol: String,
    /// The server certificate (DER); `None` when the field is empty (plaintext).
    pub certificate: Option<Vec<u8>>,
}

impl Handshake {
    /// Parses a handshake line, saying what is wrong with it.
    pub fn parse(line: &str) -> Result<Self, String> {
        use base64::Engine as _;
        let fields: Vec<&str> = line.trim_end_matches('\n').split('|').collect();
        let [core, protocol_version, network, address, protocol, certificate] = fields[..] else {
            return Err(format!("expected 6 fields in {line:?}"));
        };
        let number = |text: &str| text.parse::<u32>().map_err(|e| format!("{text:?}: {e}"));
        let certificate = match certificate {
            "" => None,
            text => Some(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(text)
                    .map_err(|e| format!("certificate is not unpadded standard base64: {e}"))?,
            ),
        };
        Ok(Self {
            core_version: number(core)?,
            protocol_version: number(protocol_version)?,
            network: network.to_string(),
            address: PathBuf::from(address),
            protocol: protocol.to_string(),
            certificate,
        })
    }
}

/// A running plugin process, killed (and its temp dir removed) on drop.
pub struct Plugin {
    child: Child,
    /// The handshake line, verbatim.
    pub line: String,
    pub handshake: Handshake,
    /// The identity whose certificate was passed in `PLUGIN_CLIENT_CERT`.
    pub client: Option<ClientIdentity>,
    /// Time from spawning the process to reading its handshake line.
    pub startup: Duration,
    /// The parsed `TF_REATTACH_PROVIDERS` JSON, in debug mode.
    pub reattach: Option<serde_json::Value>,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
    temp: tempfile::TempDir,
}

/// What a finished plugin left behind.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    /// Everything on stdout after the first line.
    pub stdout_rest: String,
    pub stderr: String,
}

impl Plugin {
    /// Launches the plugin as Terraform does, and reads its handshake line.
    pub async fn start() -> Self {
        Self::launch(LaunchOptions::default()).await
    }

    /// Launches with `options`; panics with the plugin's stderr if no handshake line comes.
    pub async fn launch(options: LaunchOptions) -> Self {
        let mut spawned = Spawned::new(options);
        let line = spawned.next_line().await;
        let handshake = Handshake::parse(&line).unwrap_or_else(|e| panic!("bad handshake: {e}"));
        spawned.into_plugin(line, handshake, None)
    }

    /// Launches with `-debug` (and no Terraform environment), and reads up to the
    /// `TF_REATTACH_PROVIDERS` line; `handshake` is filled in from it (plaintext).
    pub async fn launch_debug() -> Self {
        let options = LaunchOptions {
            cookie: None,
            versions: None,
            client: None,
            args: vec!["-debug".to_string()],
            ..LaunchOptions::default()
        };
        let mut spawned = Spawned::new(options);
        let line = loop {
            let line = spawned.next_line().await;
            if line.starts_with("TF_REATTACH_PROVIDERS=") {
                break line;
            }
        };
        let json = line
            .strip_prefix("TF_REATTACH_PROVIDERS='")
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or_else(|| panic!("the reattach JSON is single-quoted: {line}"));
        let reattach: serde_json::Value =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("bad reattach JSON {json}: {e}"));
        let entry = &reattach["registry.terraform.io/qcloud/qcloud"];
        let handshake = Handshake {
            core_version: 1,
            protocol_version: entry["ProtocolVersion"].as_u64().unwrap_or(0) as u32,
            network: entry["Addr"]["Network"].as_str().unwrap_or("").to_string(),
            address: PathBuf::from(entry["Addr"]["String"].as_str().unwrap_or("")),
            protocol: entry["Protocol"].as_str().unwrap_or("").to_string(),
            certificate: None,
        };
        spawned.into_plugin(line, handshake, Some(reattach))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("the plugin has not been reaped yet")
    }

    /// The directory given to the plugin as `TMPDIR`.
    pub fn temp_dir(&self) -> &Path {
        self.temp.path()
    }

    /// Where and how to connect.
    pub fn target(&self) -> Target {
        Target {
            socket: self.handshake.address.clone(),
            server_certificate: self.handshake.certificate.clone(),
        }
    }

    /// A channel as Terraform opens it: mutual TLS with the launch's client certificate.
    pub async fn channel(&self) -> Channel {
        connect(&self.target(), self.client.as_ref()).await.expect("the plugin accepts Terraform")
    }

    /// A `tfplugin6.Provider` client with Terraform's message limits.
    pub async fn provider(&self) -> ProviderClient<Channel> {
        ProviderClient::new(self.channel().await)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE)
    }

    /// A `plugin.GRPCController` client.
    pub async fn controller(&self) -> GrpcControllerClient<Channel> {
        GrpcControllerClient::new(self.channel().await)
    }

    /// A `grpc.health.v1.Health` client.
    pub async fn health(&self) -> HealthClient<Channel> {
        HealthClient::new(self.channel().await)
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.pid()).expect("pids fit in i32");
        // SAFETY: kill(2) has no memory-safety preconditions; the pid is our own child.
        let result = unsafe { libc::kill(pid, signal) };
        assert_eq!(result, 0, "kill({pid}, {signal}) failed");
    }

    /// Waits for the process to exit (at most [`STEP_TIMEOUT`]) and collects its output.
    pub async fn finish(mut self) -> Finished {
        let status = tokio::time::timeout(STEP_TIMEOUT, self.child.wait())
            .await
            .expect("the plugin exits in time")
            .expect("waiting works");
        let stdout_rest = (&mut self.stdout).await.expect("the stdout reader ends");
        let stderr = (&mut self.stderr).await.expect("the stderr reader ends");
        Finished { status, stdout_rest, stderr }
    }

    /// Asks the plugin to exit as Terraform does (GRPCController.Shutdown).
    pub async fn shutdown(self) -> Finished {
        self.controller()
            .await
            .shutdown(qcloud_provider::tfplugin::controller_proto::Empty {})
            .await
            .expect("Shutdown succeeds");
        self.finish().await
    }
}

/// A just-spawned plugin whose stdout is read line by line.
struct Spawned {
    child: Child,
    client: Option<ClientIdentity>,
    started: Instant,
    stdout: BufReader<ChildStdout>,
    stderr: JoinHandle<String>,
    temp: tempfile::TempDir,
}

impl Spawned {
    fn new(mut options: LaunchOptions) -> Self {
        let temp = tempfile::Builder::new().prefix("qc").tempdir().expect("a temp dir");
        let started = Instant::now();
        let mut child = options
            .command(temp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the provider binary starts");
        let stderr = tokio::spawn(read_all(child.stderr.take().expect("stderr is piped")));
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Self { child, client: options.client.take(), started, stdout, stderr, temp }
    }

    /// The next stdout line; panics with the plugin's stderr if none comes.
    async fn next_line(&mut self) -> String {
        let mut line = String::new();
        let read = tokio::time::timeout(STEP_TIMEOUT, self.stdout.read_line(&mut line)).await;
        if !matches!(read, Ok(Ok(n)) if n > 0) {
            let _ = self.child.start_kill();
            let stderr = (&mut self.stderr).await.unwrap_or_default();
            panic!("no line on the plugin's stdout ({read:?}); stderr:\n{stderr}");
        }
        line.trim_end().to_string()
    }

    fn into_plugin(
        self,
        line: String,
        handshake: Handshake,
        reattach: Option<serde_json::Value>,
    ) -> Plugin {
        Plugin {
            startup: self.started.elapsed(),
            child: self.child,
            line,
            handshake,
            client: self.client,
            reattach,
            stdout: tokio::spawn(read_all(self.stdout)),
            stderr: self.stderr,
            temp: self.temp,
        }
    }
}

/// Runs the plugin to completion with `options` (for launches that must fail).
pub async fn run_to_exit(options: LaunchOptions) -> Output {
    let temp = tempfile::tempdir().expect("a temp dir");
    let output = options.command(temp.path()).stdin(Stdio::null()).output();
    tokio::time::timeout(STEP_TIMEOUT, output)
        .await
        .expect("the plugin exits in time")
        .expect("the provider binary runs")
}

async fn read_all(mut reader: impl AsyncRead + Unpin) -> String {
    let mut bytes = Vec::new();
    let _ = reader.read_to_end(&mut bytes).await;
    String::from_utf8_lossy(&bytes).into_owned()
}
