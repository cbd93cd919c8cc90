//! `cargo xtask catalog` end to end: the built command lists the public images of an
//! in-process sandbox over API 3.0 and rebuilds the catalog; the catalog the provider ships
//! must be exactly what it writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use qcloud_provider::functions::catalog::{CatalogFile, format_date};
use qcloud_sandbox::{
    Catalog, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig, SandboxHandle,
};

/// The committed catalog.
fn committed() -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/public-images.tsv");
    let text = std::fs::read_to_string(&path).expect("the committed catalog");
    (path, text)
}

/// The day the committed catalog records, `YYYY-MM-DD`.
fn committed_date() -> String {
    let file = CatalogFile::parse(&committed().1).expect("the committed catalog parses");
    format_date(file.provenance.date)
}

/// A sandbox serving `catalog`, and the runtime serving it.
struct Running {
    handle: SandboxHandle,
    _runtime: tokio::runtime::Runtime,
}

fn sandbox(catalog: Catalog) -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let handle = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback");
        Sandbox::start(SandboxConfig { catalog, ..SandboxConfig::default() }, listener)
            .expect("the sandbox starts")
    });
    Running { handle, _runtime: runtime }
}

/// `xtask catalog ARGS` with no `QCLOUD_*` or `TENCENTCLOUD_*` variable but `env`.
fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.arg("catalog").args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("QCLOUD_") || name.starts_with("TENCENTCLOUD_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied()).output().expect("xtask runs")
}

/// The sandbox's credentials and API 3.0 address.
fn sandbox_env(running: &Running) -> Vec<(&'static str, String)> {
    vec![
        ("QCLOUD_SECRET_ID", SANDBOX_SECRET_ID.to_string()),
        ("QCLOUD_SECRET_KEY", SANDBOX_SECRET_KEY.to_string()),
        ("QCLOUD_ENDPOINT", running.handle.url_3_0()),
    ]
}

fn rebuild_into(running: &Running, out: &Path) -> Output {
    let env = sandbox_env(running);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let date = committed_date();
    xtask(&["--out", out.to_str().expect("UTF-8"), "--date", &date], &env)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_committed_catalog_is_what_a_rebuild_from_the_sandbox_writes() {
    let running = sandbox(Catalog::builtin());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (committed_path, committed_text) = committed();
    // Over the committed catalog (its pins kept), and from nothing at all.
    let over = dir.path().join("over.tsv");
    std::fs::copy(&committed_path, &over).expect("copied");
    let fresh = dir.path().join("fresh.tsv");
    for out in [&over, &fresh] {
        let output = rebuild_into(&running, out);
        let stderr = text(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let written = std::fs::read_to_string(out).expect("written");
        assert!(
            written == committed_text,
            "data/public-images.tsv is not what `cargo xtask catalog` writes from the sandbox; \
             rebuild it against the sandbox with --date {}:\n{written}",
            committed_date()
        );
        assert!(
            stderr.contains(
                "left out img-on7ap8yl \"TencentOS Server 3.2 64-bit\": its state is SYNCING"
            ),
            "{stderr}"
        );
        assert!(!stderr.contains("kept "), "{stderr}");
    }
    assert!(committed_text.starts_with(&format!(
        "# taken {} from 127.0.0.1, region ap-guangzhou: ",
        committed_date()
    )));
}

#[test]
fn a_pin_the_listing_no_longer_has_stays_in_the_catalog() {
    let mut catalog = Catalog::builtin();
    catalog.remove("img-31tjrtph").expect("CentOS 7.2 is built in");
    let running = sandbox(catalog);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("catalog.tsv");
    std::fs::copy(committed().0, &out).expect("copied");
    let output = rebuild_into(&running, &out);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).expect("written"), committed().1);
    let kept =
        "kept img-31tjrtph \"CentOS 7.2 64-bit\": the listing no longer has it; pins never move";
    assert!(stderr.contains(kept), "{stderr}");
}

#[test]
fn help_exits_zero_and_names_the_variables() {
    let output = xtask(&["--help"], &[]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    for word in ["QCLOUD_SECRET_ID", "QCLOUD_SECRET_KEY", "QCLOUD_ENDPOINT", "--out", "--date"] {
        assert!(help.contains(word), "{word}: {help}");
    }
}

#[test]
fn wrong_credentials_fail_clearly_leave_the_file_alone_and_never_show_the_key() {
    let running = sandbox(Catalog::builtin());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("catalog.tsv");
    std::fs::copy(committed().0, &out).expect("copied");
    let secret = "wrongSecretKeyEXAMPLE00000000000";
    let url = running.handle.url_3_0();
    let env = [
        ("QCLOUD_SECRET_ID", SANDBOX_SECRET_ID),
        ("QCLOUD_SECRET_KEY", secret),
        ("QCLOUD_ENDPOINT", url.as_str()),
    ];
    let output = xtask(&["--out", out.to_str().expect("UTF-8")], &env);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("cargo xtask catalog: listing public images"), "{stderr}");
    assert!(stderr.contains("AuthFailure"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).expect("still there"), committed().1);
}

#[test]
fn missing_credentials_bad_dates_and_2_0_endpoints_are_refused_before_any_request() {
    let running = sandbox(Catalog::builtin());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("catalog.tsv");
    let out = out.to_str().expect("UTF-8");
    let url = running.handle.url_3_0();
    let credentials =
        [("QCLOUD_SECRET_ID", SANDBOX_SECRET_ID), ("QCLOUD_SECRET_KEY", SANDBOX_SECRET_KEY)];
    let v2 = running.handle.url();
    // (arguments, with the sandbox's credentials, what the error says)
    let cases = [
        (
            vec!["--endpoint", &url],
            false,
            "no credentials: set QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY",
        ),
        (vec!["--endpoint", &v2], true, "is an API 2.0 address"),
        (vec!["--endpoint", &url, "--date", "29/11/2026"], true, "not a YYYY-MM-DD date"),
        (vec!["--endpoint", &url, "--region", "Guangzhou"], true, "--region / QCLOUD_REGION"),
    ];
    for (mut args, with_credentials, want) in cases {
        args.extend(["--out", out]);
        let env = if with_credentials { &credentials[..] } else { &[] };
        let output = xtask(&args, env);
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    assert_eq!(running.handle.request_count(), 0);
    assert!(!dir.path().join("catalog.tsv").exists());
}
