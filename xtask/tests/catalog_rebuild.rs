//! `cargo xtask catalog` end to end: the built command lists the public images of an
//! in-process sandbox over API 3.0 and rebuilds a catalog into a temporary file. No test
//! writes the committed catalog.
//!
//! The committed catalog holds the ids of the 2016 listing. A sandbox serving exactly those
//! images must rebuild it line for line, except line 1 ([`PROVENANCE_LINE`]): that line says
//! when and where the listing was taken, 2016 in the committed file, the rebuild's day and a
//! local endpoint in a rebuild. The full built-in sandbox also serves newer builds (with ids
//! made up for it); a rebuild from it keeps every pin and adds them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use qcloud_provider::functions::catalog::{CatalogEntry, CatalogFile};
use qcloud_sandbox::{
    Catalog, ImageType, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig,
    SandboxHandle,
};

/// The one line (counting from 1) where a rebuild from the sandbox may differ from the
/// committed catalog: the provenance line, `# taken WHEN from SOURCE`.
const PROVENANCE_LINE: usize = 1;

/// The day the tests' rebuilds record.
const DAY: &str = "2026-12-01";

/// The provenance line of a rebuild from the sandbox on [`DAY`].
const SANDBOX_PROVENANCE: &str = "# taken 2026-12-01 from a local endpoint, not Tencent Cloud, \
     region ap-guangzhou: DescribeImages (API 3.0), image-type PUBLIC_IMAGE, state NORMAL";

/// The committed catalog: its path and text.
fn committed() -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/public-images.tsv");
    let text = std::fs::read_to_string(&path).expect("the committed catalog");
    (path, text)
}

fn parse(text: &str) -> CatalogFile {
    CatalogFile::parse(text).expect("a catalog")
}

/// Every line of a catalog file but [`PROVENANCE_LINE`].
fn without_provenance(text: &str) -> Vec<&str> {
    let numbered = text.lines().enumerate().map(|(index, line)| (index + 1, line));
    numbered.filter(|(number, _)| *number != PROVENANCE_LINE).map(|(_, line)| line).collect()
}

/// Line [`PROVENANCE_LINE`] of a catalog file.
fn provenance_line(text: &str) -> &str {
    text.lines().nth(PROVENANCE_LINE - 1).unwrap_or_default()
}

/// The built-in sandbox's public images whose ids the committed catalog pins, and nothing
/// else: the 2016 listing as the sandbox serves it.
fn pinned_only() -> Catalog {
    let pinned: HashSet<String> =
        parse(&committed().1).entries.into_iter().map(|entry| entry.id).collect();
    let images = Catalog::builtin()
        .images()
        .iter()
        .filter(|i| i.image_type == ImageType::Public && pinned.contains(&i.image_id))
        .cloned()
        .collect();
    let catalog = Catalog::new(images).expect("a valid catalog");
    assert_eq!(catalog.len(), pinned.len(), "the sandbox serves every pinned id");
    for image in catalog.images() {
        let listed_in_2016 = image.create_time.as_str() < "2017";
        assert!(listed_in_2016, "{} is not an image of the 2016 listing", image.image_id);
    }
    catalog
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

/// Rebuilds `out` (a temporary file) from the sandbox, recording [`DAY`]; fails the test
/// when the command fails. Returns what it wrote and its report.
fn rebuild_into(running: &Running, out: &Path) -> (String, String) {
    let env = sandbox_env(running);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let output = xtask(&["--out", out.to_str().expect("UTF-8"), "--date", DAY], &env);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    (std::fs::read_to_string(out).expect("written"), stderr)
}

/// A temporary copy of the committed catalog named `name` in `dir`.
fn copy_of_committed(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::copy(committed().0, &path).expect("copied");
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_sandbox_serving_exactly_the_pinned_images_rebuilds_the_committed_catalog() {
    let running = sandbox(pinned_only());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let committed_text = committed().1;
    // Over a copy of the committed catalog (its pins kept), and from nothing at all.
    let over = copy_of_committed(dir.path(), "over.tsv");
    let fresh = dir.path().join("fresh.tsv");
    for out in [&over, &fresh] {
        let (written, stderr) = rebuild_into(&running, out);
        assert!(
            without_provenance(&written) == without_provenance(&committed_text),
            "data/public-images.tsv (but its line {PROVENANCE_LINE}) is not what `cargo xtask \
             catalog` writes from the images it pins:\n{written}"
        );
        assert_eq!(provenance_line(&written), SANDBOX_PROVENANCE);
        assert!(stderr.starts_with("listed 38 public image(s)\n"), "{stderr}");
        assert!(!stderr.contains("left out ") && !stderr.contains("kept "), "{stderr}");
    }
    assert_ne!(provenance_line(&committed_text), SANDBOX_PROVENANCE);
}

/// The newer builds of the built-in sandbox, in catalog order: name, OS family, version and
/// architecture.
const NEWER_BUILDS: [(&str, &str, &str, &str); 21] = [
    ("AlmaLinux 9.4 64-bit", "AlmaLinux", "9.4", "x86_64"),
    ("CentOS 7.9 64-bit", "CentOS", "7.9", "x86_64"),
    ("CentOS Stream 9 64-bit", "CentOS Stream", "9", "x86_64"),
    ("Debian 11.1 64-bit", "Debian", "11.1", "x86_64"),
    ("Debian 12.4 64-bit", "Debian", "12.4", "x86_64"),
    ("Debian 12.4 ARM64", "Debian", "12.4", "arm64"),
    ("Rocky Linux 8.10 64-bit", "Rocky Linux", "8.10", "x86_64"),
    ("Rocky Linux 9.4 64-bit", "Rocky Linux", "9.4", "x86_64"),
    ("TencentOS Server 3.1 (TK4) 64-bit", "TencentOS", "3.1", "x86_64"),
    ("TencentOS Server 3.1 (TK4) ARM64", "TencentOS", "3.1", "arm64"),
    ("TencentOS Server 4 64-bit", "TencentOS", "4", "x86_64"),
    ("TencentOS Server 4 ARM64", "TencentOS", "4", "arm64"),
    ("Ubuntu Server 20.04 LTS 64-bit", "Ubuntu", "20.04", "x86_64"),
    ("Ubuntu Server 22.04 LTS 64-bit", "Ubuntu", "22.04", "x86_64"),
    ("Ubuntu Server 22.04 LTS ARM64", "Ubuntu", "22.04", "arm64"),
    ("Ubuntu Server 24.04 LTS 64-bit", "Ubuntu", "24.04", "x86_64"),
    ("Ubuntu Server 24.04 LTS ARM64", "Ubuntu", "24.04", "arm64"),
    ("Windows Server 2019 Datacenter Edition 64-bit Chinese", "Windows", "2019", "x86_64"),
    ("Windows Server 2019 Datacenter Edition 64-bit English", "Windows", "2019", "x86_64"),
    ("Windows Server 2022 Datacenter Edition 64-bit Chinese", "Windows", "2022", "x86_64"),
    ("Windows Server 2022 Datacenter Edition 64-bit English", "Windows", "2022", "x86_64"),
];

#[test]
fn a_rebuild_from_the_full_sandbox_keeps_every_pin_and_adds_the_newer_builds() {
    let builtin = Catalog::builtin();
    let running = sandbox(builtin.clone());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let first = copy_of_committed(dir.path(), "first.tsv");
    let second = copy_of_committed(dir.path(), "second.tsv");
    let (written, stderr) = rebuild_into(&running, &first);
    let (again, _) = rebuild_into(&running, &second);
    assert!(again == written, "two rebuilds of one listing wrote different files");

    let rebuilt = parse(&written);
    let pins = parse(&committed().1).entries;
    for pin in &pins {
        assert!(rebuilt.entries.contains(pin), "the pin {pin:?} is kept as it was");
    }
    let newer: Vec<&CatalogEntry> = rebuilt.entries.iter().filter(|e| !pins.contains(e)).collect();
    let described: Vec<(&str, &str, &str, &str)> = newer
        .iter()
        .map(|e| (&*e.name, &*e.os_family, &*e.os_version, e.architecture.as_str()))
        .collect();
    assert_eq!(described, NEWER_BUILDS);
    for entry in newer {
        let served = builtin.images().iter().find(|i| i.image_id == entry.id);
        assert_eq!(served.map(|i| &*i.image_name), Some(&*entry.name), "{}", entry.id);
    }

    let public: Vec<_> =
        builtin.images().iter().filter(|i| i.image_type == ImageType::Public).collect();
    assert!(stderr.starts_with(&format!("listed {} public image(s)\n", public.len())), "{stderr}");
    let left_out: Vec<&str> = stderr.lines().filter(|l| l.starts_with("left out ")).collect();
    let excluded = public.iter().filter(|i| !rebuilt.entries.iter().any(|e| e.id == i.image_id));
    let want: Vec<String> =
        excluded.map(|i| format!("left out {} {:?}: ", i.image_id, i.image_name)).collect();
    assert_eq!(left_out.len(), want.len(), "one line per image left out:\n{stderr}");
    for (line, start) in left_out.iter().zip(&want) {
        assert!(line.starts_with(start), "{line} (want {start}...)");
    }
    let syncing =
        "left out img-on7ap8yl \"TencentOS Server 3.2 64-bit\": its state is SYNCING, not NORMAL";
    assert_eq!(left_out, [syncing]);
    assert!(!stderr.contains("kept "), "{stderr}");
}

#[test]
fn a_pin_the_listing_no_longer_has_stays_in_the_catalog() {
    let mut catalog = pinned_only();
    catalog.remove("img-31tjrtph").expect("CentOS 7.2 is pinned");
    let running = sandbox(catalog);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = copy_of_committed(dir.path(), "catalog.tsv");
    let (written, stderr) = rebuild_into(&running, &out);
    assert_eq!(without_provenance(&written), without_provenance(&committed().1));
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
    let out = copy_of_committed(dir.path(), "catalog.tsv");
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
        (vec!["--endpoint", &url, "--date", "2016"], true, "not a YYYY-MM-DD date"),
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
