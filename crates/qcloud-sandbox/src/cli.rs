//! The `qcloud-sandbox` command: arguments, then a sandbox that runs until SIGINT or SIGTERM
//! (or until stdin closes, with `--exit-on-stdin-close`). It prints exactly one line on stdout,
//! its URL, once it listens.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::region::Regions;
use crate::{
    Catalog, FaultRule, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig,
    SandboxCredential, SandboxTls,
};

/// The `--help` text.
pub const HELP: &str = "\
qcloud-sandbox: a local server that behaves like Tencent Cloud's image API over one catalog:
DescribeImages in API 2.0 at /v2/index.php, and DescribeImages and DescribeImageFromFamily in
API 3.0 (CVM 2017-03-12, signed with TC3-HMAC-SHA256 or HmacSHA1/HmacSHA256) at /.

Prints its API 2.0 URL (http://HOST:PORT/v2/index.php, https:// with --tls) on stdout; the
API 3.0 URL is http://HOST:PORT/. Serves until SIGINT or SIGTERM.

Usage: qcloud-sandbox [OPTIONS]

Options:
  --listen ADDR           Address to listen on [default: 127.0.0.1:0]
  --secret-id ID          SecretId to accept [default: AKIDsandboxEXAMPLE0000000000000000]
  --secret-key KEY        Its SecretKey [default: sandboxSecretKeyEXAMPLE000000000]
  --token TOKEN           Make the credential temporary: requests must send this Token
  --region NAME           Also serve this region (repeatable); Tencent Cloud's regions are
                          built in, and requests for others are refused as the API does
  --catalog FILE.json     Serve the images of a JSON file instead of the built-in catalog
                          (a list of imageSet entries: unImgId, imageName, imageType, ...)
  --synthetic N           Add N generated private images (for load tests)
  --seed N                Seed of the generated images [default: 1]
  --latency-ms N          Delay every answer by N milliseconds [default: 0]
  --fault SPEC            Inject a fault, WHEN[,times=T]:KIND (repeatable), e.g.
                          request=2:http=500, offset=100,times=1:code=4400, first=3:reset.
                          WHEN: request=N | offset=N | first=K | every
                          KIND: http=STATUS | code=CODE[/MESSAGE] | slow=MS | malformed-json
                                | html[=STATUS] | empty-body | truncated | close | reset
                                | total=+N | total=-N | add-image | remove-image
  --tls CA_FILE           Serve HTTPS (HTTP/2 and HTTP/1.1) with a fresh certificate for
                          localhost, 127.0.0.1 and ::1, signed by a fresh CA written to
                          CA_FILE (PEM): trust it with SSL_CERT_FILE=CA_FILE
  --verbose               Log every request to stderr
  --exit-on-stdin-close   Also exit when stdin reaches end of file
  -h, --help              Print this help
";

/// What the command line asks for.
// Made once per process: the size of the `Run` variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print [`HELP`].
    Help,
    /// Run a sandbox.
    Run(Box<Options>),
}

/// The options of a run, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--listen`: the address to listen on.
    pub listen: String,
    /// `--secret-id`: the `SecretId` accepted.
    pub secret_id: String,
    /// `--secret-key`: its key.
    pub secret_key: String,
    /// `--token`: makes the credential temporary.
    pub token: Option<String>,
    /// `--region`: regions served besides the built-in ones.
    pub regions: Vec<String>,
    /// `--catalog`: a catalog file served instead of the built-in catalog.
    pub catalog: Option<PathBuf>,
    /// `--synthetic`: how many generated private images are added.
    pub synthetic: usize,
    /// `--seed`: the seed of the generated images.
    pub seed: u64,
    /// `--latency-ms`: the delay before every answer.
    pub latency: Duration,
    /// `--fault`: the fault rules, in order.
    pub faults: Vec<FaultRule>,
    /// `--tls`: serve HTTPS, writing the CA certificate to this file.
    pub tls_ca_file: Option<PathBuf>,
    /// `--verbose`: one stderr line per request.
    pub verbose: bool,
    /// `--exit-on-stdin-close`: also stop at the end of stdin.
    pub exit_on_stdin_close: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:0".to_owned(),
            secret_id: SANDBOX_SECRET_ID.to_owned(),
            secret_key: SANDBOX_SECRET_KEY.to_owned(),
            token: None,
            regions: Vec::new(),
            catalog: None,
            synthetic: 0,
            seed: 1,
            latency: Duration::ZERO,
            faults: Vec::new(),
            tls_ca_file: None,
            verbose: false,
            exit_on_stdin_close: false,
        }
    }
}

/// Parses the arguments (without the program name). `--name value` and `--name=value` both work.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(|a| format!("argument {a:?} is not UTF-8"))?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(value) => Ok(value.clone()),
                None => args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--listen" => options.listen = value()?,
            "--secret-id" => options.secret_id = value()?,
            "--secret-key" => options.secret_key = value()?,
            "--token" => options.token = Some(value()?),
            "--region" => options.regions.push(region_name(&value()?)?),
            "--catalog" => options.catalog = Some(PathBuf::from(value()?)),
            "--synthetic" => options.synthetic = synthetic_count(&value()?)?,
            "--seed" => options.seed = number(&name, &value()?)?,
            "--latency-ms" => options.latency = Duration::from_millis(number(&name, &value()?)?),
            "--fault" => options.faults.push(value()?.parse().map_err(|e| format!("{e}"))?),
            "--tls" => options.tls_ca_file = Some(PathBuf::from(value()?)),
            "--verbose" | "-v" if inline.is_none() => options.verbose = true,
            "--exit-on-stdin-close" if inline.is_none() => options.exit_on_stdin_close = true,
            _ => return Err(format!("unknown argument {arg:?}; see --help")),
        }
    }
    check_credential_pair(&options)?;
    Ok(Command::Run(Box::new(options)))
}

fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{name} expects a non-negative integer, not {text:?}"))
}

/// A region name: lower-case letters, digits and `-`, e.g. `ap-guangzhou`.
fn region_name(text: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "--region {text:?} is not a region name (lower-case letters, digits and -, e.g. \
             ap-guangzhou)"
        ))
    }
}

fn synthetic_count(text: &str) -> Result<usize, String> {
    let count: usize = number("--synthetic", text)?;
    if count > Catalog::MAX_SYNTHETIC {
        return Err(format!("--synthetic {count} is more than {}", Catalog::MAX_SYNTHETIC));
    }
    Ok(count)
}

/// A custom id with the default key (or the other way round) is almost surely a mistake.
fn check_credential_pair(options: &Options) -> Result<(), String> {
    let default_id = options.secret_id == SANDBOX_SECRET_ID;
    let default_key = options.secret_key == SANDBOX_SECRET_KEY;
    if default_id != default_key {
        return Err("give --secret-id and --secret-key together".to_owned());
    }
    Ok(())
}

impl Options {
    /// The sandbox configuration these options describe (reads the catalog file).
    pub fn config(&self) -> Result<SandboxConfig, String> {
        let mut catalog = match &self.catalog {
            Some(path) => Catalog::from_json_file(path).map_err(|e| e.to_string())?,
            None => Catalog::builtin(),
        };
        catalog.add_synthetic(self.synthetic, self.seed);
        let mut credential = SandboxCredential::new(&self.secret_id, &self.secret_key);
        credential.token = self.token.clone();
        Ok(SandboxConfig {
            credentials: vec![credential],
            catalog,
            latency: self.latency,
            faults: self.faults.clone(),
            regions: Regions::with_added(self.regions.iter().cloned()),
            verbose: self.verbose,
            ..SandboxConfig::default()
        })
    }
}

/// Runs the command; returns the process exit code (0 ok, 1 failure, 2 usage error).
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let options = match parse_args(args) {
        Ok(Command::Help) => {
            print!("{HELP}");
            return 0;
        }
        Ok(Command::Run(options)) => *options,
        Err(message) => {
            eprintln!("qcloud-sandbox: error: {message}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("qcloud-sandbox: error: cannot start the runtime: {error}");
            return 1;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("qcloud-sandbox: error: {message}");
            1
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    let config = options.config()?;
    let listener = TcpListener::bind(&options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    if options.verbose {
        eprintln!(
            "qcloud-sandbox: {} images, SecretId {}, {} fault rule(s), latency {} ms",
            config.catalog.len(),
            options.secret_id,
            config.faults.len(),
            config.latency.as_millis()
        );
    }
    let tls = match &options.tls_ca_file {
        Some(path) => {
            let tls = SandboxTls::generate(&[]).map_err(|e| e.to_string())?;
            tls.write_ca(path).map_err(|e| e.to_string())?;
            Some(tls)
        }
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{scheme}://{address}{}", crate::API_PATH)
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the URL to stdout: {e}"))?;
    let shutdown = shutdown_signal(options.exit_on_stdin_close)?;
    let served = match &tls {
        Some(tls) => Sandbox::serve_tls(listener, config, tls, shutdown).await,
        None => Sandbox::serve(listener, config, shutdown).await,
    };
    served.map_err(|e| e.to_string())
}

/// Completes on SIGINT, SIGTERM, or (when asked) end of stdin.
fn shutdown_signal(watch_stdin: bool) -> Result<impl std::future::Future<Output = ()>, String> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    let stdin_closed = stdin_closed(watch_stdin);
    Ok(async move {
        #[cfg(unix)]
        let terminated = terminate.recv();
        #[cfg(not(unix))]
        let terminated = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminated => {}
            _ = stdin_closed => {}
        }
    })
}

/// Completes when stdin reaches end of file; never when `watch` is false.
async fn stdin_closed(watch: bool) {
    if !watch {
        return std::future::pending().await;
    }
    let (closed, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 1024];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buffer), Ok(n) if n > 0) {}
        let _ = closed.send(());
    });
    let _ = receiver.await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FaultKind;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(OsString::from))
    }

    #[test]
    fn defaults_use_the_sandbox_credential() {
        let Ok(Command::Run(options)) = parse(&[]) else { panic!("no arguments is a run") };
        assert_eq!(*options, Options::default());
        assert_eq!(options.secret_id, SANDBOX_SECRET_ID);
        assert_eq!(options.listen, "127.0.0.1:0");
    }

    #[test]
    fn every_option() {
        let parsed = parse(&[
            "--listen=127.0.0.1:9000",
            "--secret-id",
            "AKIDmine",
            "--secret-key=mykey",
            "--token",
            "tok",
            "--region",
            "ap-newcity",
            "--region=eu-elsewhere",
            "--synthetic",
            "1000",
            "--seed=9",
            "--latency-ms",
            "50",
            "--fault",
            "request=2:http=500",
            "--fault=offset=20,times=1:code=4400",
            "--verbose",
            "--exit-on-stdin-close",
            "--catalog",
            "images.json",
            "--tls=ca.pem",
        ]);
        let Ok(Command::Run(options)) = parsed else { panic!("valid arguments: {parsed:?}") };
        assert_eq!(options.listen, "127.0.0.1:9000");
        assert_eq!(
            (options.secret_id.as_str(), options.secret_key.as_str()),
            ("AKIDmine", "mykey")
        );
        assert_eq!(options.token.as_deref(), Some("tok"));
        assert_eq!(options.regions, ["ap-newcity", "eu-elsewhere"]);
        assert_eq!((options.synthetic, options.seed), (1000, 9));
        assert_eq!(options.latency, Duration::from_millis(50));
        assert_eq!(
            options.faults,
            vec![
                FaultRule::on_request(2, FaultKind::HttpStatus(500)),
                FaultRule::at_offset(20, FaultKind::ApiError { code: 4400, message: None })
                    .times(1),
            ]
        );
        assert!(options.verbose && options.exit_on_stdin_close);
        assert_eq!(options.catalog, Some(PathBuf::from("images.json")));
        assert_eq!(options.tls_ca_file, Some(PathBuf::from("ca.pem")));
    }

    #[test]
    fn help() {
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["--latency-ms", "5", "-h"]), Ok(Command::Help));
        assert!(HELP.contains(SANDBOX_SECRET_ID) && HELP.contains(SANDBOX_SECRET_KEY));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let cases: &[(&[&str], &str)] = &[
            (&["--listen"], "--listen needs a value"),
            (&["--tls"], "--tls needs a value"),
            (&["--latency-ms", "-5"], "--latency-ms expects a non-negative integer"),
            (&["--synthetic", "99999999"], "more than"),
            (&["--fault", "request=2"], "invalid fault"),
            (&["--secret-id", "AKIDmine"], "together"),
            (&["--bogus"], "unknown argument \"--bogus\""),
            (&["--verbose=yes"], "unknown argument"),
            (&["--region", "AP Nowhere"], "--region \"AP Nowhere\" is not a region name"),
        ];
        for (args, want) in cases {
            let err = parse(args).expect_err(want);
            assert!(err.contains(want), "{args:?}: {err}");
        }
    }

    #[test]
    fn config_adds_synthetic_images_and_the_token() {
        let options = Options { synthetic: 25, token: Some("tok".into()), ..Options::default() };
        let config = options.config().expect("the built-in catalog");
        assert_eq!(config.catalog.len(), Catalog::builtin().len() + 25);
        assert_eq!(config.credentials[0].token.as_deref(), Some("tok"));
        let added = Options { regions: vec!["ap-newcity".into()], ..Options::default() };
        let regions = added.config().expect("the built-in catalog").regions;
        assert_eq!(regions.resolve_3_0("ap-newcity").as_deref(), Ok("ap-newcity"));
        let file = tempfile::NamedTempFile::new().expect("a temporary file");
        let small = Catalog::synthetic(3, 5);
        std::fs::write(file.path(), small.to_json()).expect("the file is written");
        let from_file = Options { catalog: Some(file.path().into()), ..Options::default() };
        let config = from_file.config().expect("a catalog file");
        assert_eq!(config.catalog.images(), small.images());
        let missing = Options { catalog: Some("no/such/file.json".into()), ..Options::default() };
        assert!(missing.config().expect_err("no file").contains("no/such/file.json"));
    }
}
