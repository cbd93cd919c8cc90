//! Process launch, as go-plugin servers do it: the magic cookie and protocol version checks,
//! automatic mutual TLS, the handshake line, serving until Shutdown, and `-debug` mode.
//!
//! [`run`] takes the process's arguments and environment, so tests can drive it. Must not see
//! generated protobuf types (they stay in [`crate::tfplugin`]). Stdout carries the handshake
//! line and nothing else: Terraform treats any other output there as a broken plugin.

mod connection;
mod debug;
pub mod handshake;
mod server;
mod signals;
mod tls;

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::signal::unix::SignalKind;
use tokio_util::sync::CancellationToken;

use crate::provider::Provider;

pub use tls::{ExactClientCertificate, ServerTls, TlsError};

/// The environment variable holding Terraform's client certificate (PEM) for mutual TLS.
pub const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";

/// The environment variable that turns mutual TLS off (Terraform then sends no certificate).
pub const DISABLE_TLS_KEY: &str = "TF_DISABLE_PLUGIN_TLS";

/// What the process was started with.
#[derive(Clone, Default)]
pub struct Launch {
    /// Command-line arguments, without the program name.
    pub args: Vec<String>,
    /// Environment variables (those that are valid UTF-8).
    pub env: HashMap<String, String>,
}

impl Launch {
    /// The arguments and environment of this process.
    pub fn from_process() -> Self {
        let args = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned());
        let env = std::env::vars_os()
            .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)));
        Self { args: args.collect(), env: env.collect() }
    }

    fn var(&self, key: &str) -> Option<&str> {
        self.env.get(key).map(String::as_str)
    }

    /// `TMPDIR`, or `/tmp`.
    fn temp_dir(&self) -> PathBuf {
        PathBuf::from(self.var("TMPDIR").filter(|dir| !dir.is_empty()).unwrap_or("/tmp"))
    }

    /// Terraform's client certificate for mutual TLS; `None` when Terraform turned TLS off
    /// (`TF_DISABLE_PLUGIN_TLS`). Plaintext is never chosen for want of a certificate: a launch
    /// with neither is refused.
    fn client_certificate(&self) -> Result<Option<&str>, LaunchError> {
        if self.var(DISABLE_TLS_KEY).is_some_and(|v| !v.is_empty()) {
            return Ok(None);
        }
        match self.var(CLIENT_CERT_KEY).filter(|pem| !pem.trim().is_empty()) {
            Some(pem) => Ok(Some(pem)),
            None => Err(LaunchError::NoClientCertificate),
        }
    }
}

impl std::fmt::Debug for Launch {
    /// Shows variable names only: the environment may hold credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.env.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Launch").field("args", &self.args).field("env", &names).finish()
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Serve Terraform (no arguments: how Terraform starts providers).
    Serve,
    /// `-debug`: serve for Terraform to reattach to.
    Debug,
    /// `--version`.
    Version,
    /// `--help`.
    Help,
}

impl Command {
    /// Parses the arguments; unknown ones are a usage error.
    pub fn parse(args: &[String]) -> Result<Self, LaunchError> {
        match args {
            [] => Ok(Command::Serve),
            [flag] => match flag.as_str() {
                "-debug" | "--debug" => Ok(Command::Debug),
                "-version" | "--version" => Ok(Command::Version),
                "-h" | "-help" | "--help" => Ok(Command::Help),
                _ => Err(LaunchError::Usage(format!("unknown argument {flag:?}"))),
            },
            _ => Err(LaunchError::Usage(format!("unexpected arguments {args:?}"))),
        }
    }
}

const USAGE: &str = "Usage: terraform-provider-qcloud [-debug | --version | --help]\n\
    Terraform starts this provider itself; run it by hand only with -debug (to attach a \
    debugger) or --version.";

/// Why the process could not serve.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// Started without Terraform's magic cookie.
    #[error(transparent)]
    NotLaunchedByTerraform(#[from] handshake::NotLaunchedByTerraform),
    /// Terraform offered no protocol version this provider speaks.
    #[error(transparent)]
    UnsupportedVersions(#[from] handshake::UnsupportedVersions),
    /// Mutual TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Neither a client certificate nor TLS turned off: serving plaintext would let any local
    /// process of the user talk to the provider.
    #[error(
        "{CLIENT_CERT_KEY} is not set, and {DISABLE_TLS_KEY} does not turn TLS off; refusing to \
         serve without TLS. Terraform sets one of them when it starts the provider; to attach \
         Terraform to a provider started by hand, use -debug."
    )]
    NoClientCertificate,
    /// An operating system call failed.
    #[error("cannot {what}: {source}")]
    Io { what: &'static str, source: io::Error },
    /// The gRPC server failed.
    #[error("the gRPC server failed: {0}")]
    Serve(tonic::transport::Error),
    /// Bad command-line arguments.
    #[error("{0}\n{USAGE}")]
    Usage(String),
}

impl LaunchError {
    /// A mapper from `io::Error` for failing to do `what`.
    fn io(what: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| LaunchError::Io { what, source }
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            LaunchError::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Reports the failure where the host looks: a version mismatch on stdout (Terraform shows
    /// that line verbatim), everything else on stderr.
    fn report(&self) {
        match self {
            LaunchError::UnsupportedVersions(_) => {
                let _ = print_line(&self.to_string());
            }
            _ => eprintln!("terraform-provider-qcloud: {self}"),
        }
    }
}

/// Runs the process: serves `provider` as the launch asks, and returns the exit code.
pub async fn run(provider: Arc<dyn Provider>, launch: Launch) -> i32 {
    let outcome = match Command::parse(&launch.args) {
        Ok(Command::Serve) => serve(provider, &launch).await,
        Ok(Command::Debug) => debug::run(provider, &launch.temp_dir()).await,
        Ok(Command::Version) => {
            print_line(&format!("terraform-provider-qcloud {}", crate::VERSION))
                .map_err(LaunchError::io("write to stdout"))
        }
        Ok(Command::Help) => print_line(USAGE).map_err(LaunchError::io("write to stdout")),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => 0,
        Err(error) => {
            error.report();
            error.exit_code()
        }
    }
}

/// Serves Terraform: checks, handshake line, then gRPC until Shutdown or SIGTERM.
async fn serve(provider: Arc<dyn Provider>, launch: &Launch) -> Result<(), LaunchError> {
    handshake::check_cookie(launch.var(handshake::MAGIC_COOKIE_KEY))?;
    handshake::negotiate_version(launch.var(handshake::PROTOCOL_VERSIONS_KEY))?;
    let tls = launch.client_certificate()?.map(ServerTls::new).transpose()?;
    let shutdown = CancellationToken::new();
    signals::ignore_interrupts().map_err(LaunchError::io("ignore SIGINT"))?;
    signals::cancel_on(&[SignalKind::terminate()], shutdown.clone())
        .map_err(LaunchError::io("handle SIGTERM"))?;
    let (listener, socket) =
        server::bind(&launch.temp_dir()).map_err(LaunchError::io("create the socket"))?;
    let certificate = tls.as_ref().map(ServerTls::certificate_der);
    print_line(&handshake::handshake_line(socket.path(), certificate))
        .map_err(LaunchError::io("write the handshake to stdout"))?;
    let acceptor = tls.as_ref().map(ServerTls::acceptor);
    server::serve(provider, listener, acceptor, shutdown).await.map_err(LaunchError::Serve)?;
    socket.remove().map_err(LaunchError::io("remove the socket"))
}

/// Writes one line to stdout and flushes it, so the host sees it at once.
fn print_line(line: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn commands_parse_from_the_flags_providers_use() {
        let cases = [
            (&[][..], Command::Serve),
            (&["-debug"][..], Command::Debug),
            (&["--debug"][..], Command::Debug),
            (&["--version"][..], Command::Version),
            (&["-version"][..], Command::Version),
            (&["--help"][..], Command::Help),
        ];
        for (list, expected) in cases {
            assert_eq!(Command::parse(&args(list)).ok(), Some(expected), "{list:?}");
        }
    }

    #[test]
    fn unknown_arguments_are_a_usage_error() {
        for list in [&["serve"][..], &["-debug", "-version"][..], &["--port=1"][..]] {
            let error = Command::parse(&args(list)).expect_err("not a known command line");
            assert_eq!(error.exit_code(), 2);
            assert!(error.to_string().contains("Usage:"), "{error}");
        }
    }

    fn launch(env: &[(&str, &str)]) -> Launch {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Launch { args: Vec::new(), env }
    }

    #[test]
    fn tls_is_on_with_a_client_certificate_off_when_disabled_and_else_refused() {
        let pem = "-----BEGIN CERTIFICATE-----";
        let cases = [
            (launch(&[(CLIENT_CERT_KEY, pem)]), Ok(Some(pem))),
            (launch(&[(CLIENT_CERT_KEY, pem), (DISABLE_TLS_KEY, "1")]), Ok(None)),
            (launch(&[(CLIENT_CERT_KEY, pem), (DISABLE_TLS_KEY, "")]), Ok(Some(pem))),
            (launch(&[(DISABLE_TLS_KEY, "1")]), Ok(None)),
            (launch(&[(CLIENT_CERT_KEY, "  ")]), Err(())),
            (launch(&[(DISABLE_TLS_KEY, "")]), Err(())),
            (launch(&[]), Err(())),
        ];
        for (launch, expected) in cases {
            let found = launch.client_certificate().map_err(|error| {
                assert!(matches!(error, LaunchError::NoClientCertificate), "{error}");
                assert_eq!(error.exit_code(), 1);
            });
            assert_eq!(found, expected, "{:?}", launch.env);
        }
    }

    #[test]
    fn temp_dir_comes_from_tmpdir() {
        assert_eq!(launch(&[("TMPDIR", "/var/tmp")]).temp_dir(), PathBuf::from("/var/tmp"));
        assert_eq!(launch(&[("TMPDIR", "")]).temp_dir(), PathBuf::from("/tmp"));
        assert_eq!(launch(&[]).temp_dir(), PathBuf::from("/tmp"));
    }
}
