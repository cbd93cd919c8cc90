//! Packaging and the install story: `cargo xtask package` (its library, called here) lays the
//! built provider out as a filesystem mirror and a Registry release, named for the platform
//! from the Registry's fixed table and signed with GPG; `terraform init` installs it from the
//! mirror with no network, and `terraform plan` then runs it against the sandbox (no
//! `dev_overrides`).
//!
//! Expected names are written out here literally (or taken from `terraform version -json`),
//! never computed the way the packaging computes them.

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::plugin::BINARY;
use common::terraform::program_or_skip;
use common::{SandboxEnv, Terraform};
use sha2::{Digest, Sha256};
use xtask::{Platform, Release, Signer};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ADDRESS: &str = "registry.terraform.io/qcloud/qcloud";

fn executable_name() -> String {
    format!("terraform-provider-qcloud_v{VERSION}")
}

/// The platform Terraform itself says it runs on, e.g. `linux_amd64`.
fn terraform_platform(terraform: &Path) -> String {
    let output =
        Command::new(terraform).args(["version", "-json"]).output().expect("terraform runs");
    let version: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    version["platform"].as_str().expect("terraform names its platform").to_owned()
}

/// Packages the built provider into a temp dir for `release`, as `cargo xtask package --binary
/// <it> --out <the dir>` does.
fn package(release: &Release) -> (tempfile::TempDir, xtask::Packaged) {
    let out = tempfile::tempdir().expect("a temp dir");
    let packaged = xtask::package(Path::new(BINARY), out.path(), release)
        .unwrap_or_else(|message| panic!("packaging failed: {message}"));
    (out, packaged)
}

fn release_for(target: &str) -> Release {
    let platform = Platform::from_target(target).expect("a platform in the table");
    Release { version: VERSION.into(), platform, signer: None }
}

fn mirror_executable(out: &Path, platform: &str) -> PathBuf {
    out.join("mirror").join(ADDRESS).join(VERSION).join(platform).join(executable_name())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The files are named after xtask's version, which the workspace shares with the provider.
#[test]
fn xtask_names_packages_after_the_provider_version() {
    assert_eq!(xtask::VERSION, qcloud_provider::VERSION);
}

/// Packaging runs once per test (it copies and compresses 100+ MB of debug build), so the
/// layout checks share one test. An Apple silicon package: macOS is `darwin` to Terraform.
#[test]
fn the_package_holds_the_mirror_and_the_release_under_registry_names() {
    let (out, packaged) = package(&release_for("aarch64-apple-darwin"));
    let platform = "darwin_arm64";
    assert_eq!(packaged.mirror_executable, mirror_executable(out.path(), platform));
    let zip = format!("terraform-provider-qcloud_{VERSION}_darwin_arm64.zip");
    assert_eq!(packaged.release_zip, out.path().join("release").join(zip));
    assert_eq!(packaged.signature, None, "unsigned without a key");
    check_mirror(out.path(), platform);
    check_release(out.path(), platform, &[]);
}

#[test]
fn platforms_are_named_from_the_registry_table_and_others_are_refused() {
    let cases = [
        ("x86_64-unknown-linux-gnu", "linux_amd64"),
        ("aarch64-unknown-linux-gnu", "linux_arm64"),
        ("x86_64-apple-darwin", "darwin_amd64"),
        ("aarch64-apple-darwin", "darwin_arm64"),
        ("x86_64-pc-windows-msvc", "windows_amd64"),
        ("i686-unknown-linux-gnu", "linux_386"),
        ("armv7-unknown-linux-gnueabihf", "linux_arm"),
        ("x86_64-unknown-freebsd", "freebsd_amd64"),
    ];
    for (target, want) in cases {
        assert_eq!(release_for(target).platform.to_string(), want, "{target}");
    }
    for target in ["riscv64gc-unknown-linux-gnu", "wasm32-wasip1", "x86_64-unknown-netbsd"] {
        assert!(Platform::from_target(target).is_err(), "{target} has no Registry name");
    }
}

/// A throwaway GnuPG home holding one fresh signing key; the key's user id.
fn throwaway_key() -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().expect("a temp dir");
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700))
        .expect("gpg wants a private home");
    let user = "qcloud provider test <release-test@example.invalid>".to_owned();
    let status = Command::new("gpg")
        .env("GNUPGHOME", home.path())
        .args(["--batch", "--passphrase", "", "--quick-gen-key", &user, "rsa2048", "sign", "1d"])
        .output()
        .expect("gpg runs (install gnupg)");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    (home, user)
}

#[test]
fn sha256sums_is_signed_with_the_named_key_and_gpg_verifies_it() {
    let (home, user) = throwaway_key();
    let mut release = release_for("x86_64-unknown-linux-gnu");
    release.signer = Some(Signer { key: user, home: Some(home.path().to_path_buf()) });
    let (out, packaged) = package(&release);
    let sums = out.path().join(format!("release/terraform-provider-qcloud_{VERSION}_SHA256SUMS"));
    let sig =
        out.path().join(format!("release/terraform-provider-qcloud_{VERSION}_SHA256SUMS.sig"));
    assert_eq!(packaged.sums, sums);
    assert_eq!(packaged.signature.as_deref(), Some(sig.as_path()));
    check_release(out.path(), "linux_amd64", &[sig.file_name().unwrap().to_str().unwrap()]);
    let signature = std::fs::read(&sig).expect("the signature");
    assert!(!signature.starts_with(b"-----BEGIN"), "the Registry wants a binary signature");

    let verify = |file: &Path| {
        Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--verify"])
            .arg(&sig)
            .arg(file)
            .output()
            .expect("gpg runs")
    };
    let good = verify(&sums);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stderr).contains("Good signature"));

    let tampered = out.path().join("tampered");
    let mut text = std::fs::read_to_string(&sums).unwrap();
    text.replace_range(0..1, if text.starts_with('0') { "1" } else { "0" });
    std::fs::write(&tampered, text).unwrap();
    assert!(!verify(&tampered).status.success(), "a changed SHA256SUMS fails to verify");
}

#[test]
fn signing_with_a_missing_key_fails_saying_which_key() {
    let home = tempfile::tempdir().expect("a temp dir");
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let mut release = release_for("x86_64-unknown-linux-gnu");
    release.signer = Some(Signer { key: "NO-SUCH-KEY".into(), home: Some(home.path().into()) });
    let out = tempfile::tempdir().expect("a temp dir");
    let error = xtask::package(Path::new(BINARY), out.path(), &release).expect_err("no such key");
    assert!(error.contains("NO-SUCH-KEY") && error.contains("could not sign"), "{error}");
}

/// The mirror holds the executable under its versioned name, executable, unchanged.
fn check_mirror(out: &Path, platform: &str) {
    let installed = mirror_executable(out, platform);
    let metadata = std::fs::metadata(&installed).expect("the mirror layout holds the binary");
    assert!(metadata.permissions().mode() & 0o111 != 0, "not executable: {installed:?}");
    let binary = std::fs::read(BINARY).expect("the built provider");
    assert!(std::fs::read(&installed).unwrap() == binary, "the mirror copy differs");
}

/// The release holds the zip (the executable, mode 0755), the manifest (protocol 6.0),
/// SHA256SUMS matching both, and the `extra` files.
fn check_release(out: &Path, platform: &str, extra: &[&str]) {
    let release = out.join("release");
    let zip_name = format!("terraform-provider-qcloud_{VERSION}_{platform}.zip");
    let manifest_name = format!("terraform-provider-qcloud_{VERSION}_manifest.json");
    let sums_name = format!("terraform-provider-qcloud_{VERSION}_SHA256SUMS");
    let mut names: Vec<String> = std::fs::read_dir(&release)
        .expect("a release directory")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec![zip_name.clone(), manifest_name.clone(), sums_name.clone()];
    want.extend(extra.iter().map(ToString::to_string));
    want.sort();
    assert_eq!(names, want);

    let zip_bytes = std::fs::read(release.join(&zip_name)).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip_bytes)).expect("a zip");
    assert_eq!(archive.len(), 1, "only the executable");
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(entry.name().expect("a UTF-8 name"), executable_name());
    assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
    let mut unpacked = Vec::new();
    entry.read_to_end(&mut unpacked).unwrap();
    assert!(unpacked == std::fs::read(BINARY).unwrap(), "the zipped executable differs");

    let manifest_bytes = std::fs::read(release.join(&manifest_name)).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes).expect("JSON");
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["metadata"]["protocol_versions"], serde_json::json!(["6.0"]));

    let sums = std::fs::read_to_string(release.join(&sums_name)).unwrap();
    let listed: BTreeMap<&str, &str> = sums
        .lines()
        .map(|line| {
            let (hash, name) = line.split_once("  ").expect("`HASH  NAME` lines");
            (name, hash)
        })
        .collect();
    let expected = BTreeMap::from([
        (zip_name.as_str(), sha256_hex(&zip_bytes)),
        (manifest_name.as_str(), sha256_hex(&manifest_bytes)),
    ]);
    let listed: BTreeMap<&str, String> = listed.into_iter().map(|(k, v)| (k, v.into())).collect();
    assert_eq!(listed, expected);
}

/// A CLI configuration that installs qcloud/qcloud only from `mirror`, and nothing directly.
fn mirror_only(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    \
         include = [\"{ADDRESS}\"]\n  }}\n  direct {{\n    exclude = [\"{ADDRESS}\"]\n  }}\n}}\n",
        mirror.display()
    )
}

#[test]
fn terraform_init_installs_from_the_mirror_offline_and_plan_uses_it() {
    let Some(program) = program_or_skip("init_from_mirror") else { return };
    let platform = terraform_platform(&program);
    let host = Platform::host().expect("this machine has a Registry name");
    assert_eq!(host.to_string(), platform, "packaging names this machine as Terraform does");
    let (out, _) = package(&Release { version: VERSION.into(), platform: host, signer: None });
    let cli_config = mirror_only(&out.path().join("mirror"));
    let Some(terraform) = Terraform::with_cli_config_or_skip("init_from_mirror", &cli_config)
    else {
        return;
    };
    terraform.write(
        "main.tf",
        &format!(
            "terraform {{\n  required_providers {{\n    qcloud = {{\n      source  = \
             \"qcloud/qcloud\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
             provider \"qcloud\" {{}}\n\ndata \"qcloud_images\" \"centos\" {{\n  image_type  = \
             \"public\"\n  name_regex  = \"^CentOS 7\\\\.2\"\n  most_recent = true\n}}\n\n\
             output \"id\" {{\n  value = data.qcloud_images.centos.image_id\n}}\n"
        ),
    );
    let init = terraform.run(&["init", "-input=false", "-no-color"]);
    init.assert_success("terraform init");
    assert!(
        init.stdout().contains(&format!("Installed qcloud/qcloud v{VERSION}")),
        "{}",
        init.stdout()
    );

    let lock = std::fs::read_to_string(terraform.dir().join(".terraform.lock.hcl"))
        .expect("init writes the lock file");
    assert!(lock.contains(&format!("provider \"{ADDRESS}\"")), "{lock}");
    assert!(lock.contains(&format!("version     = \"{VERSION}\"")), "{lock}");
    assert!(lock.contains("\"h1:"), "the lock file records a hash: {lock}");
    // The warning the README explains, and the command it gives to record the hashes.
    let init_text = format!("{}{}", init.stdout(), init.stderr());
    assert!(init_text.contains("Incomplete lock file information for providers"), "{init_text}");
    let mirror = out.path().join("mirror");
    let lock_command = terraform.run(&[
        "providers",
        "lock",
        "-no-color",
        &format!("-fs-mirror={}", mirror.display()),
        &format!("-platform={platform}"),
    ]);
    lock_command.assert_success("terraform providers lock");
    assert!(
        lock_command.stdout().contains(&format!("Obtained qcloud/qcloud checksums for {platform}")),
        "{}",
        lock_command.stdout()
    );
    let installed = terraform
        .dir()
        .join(".terraform/providers")
        .join(ADDRESS)
        .join(VERSION)
        .join(&platform)
        .join(executable_name());
    assert!(installed.exists(), "{installed:?}");

    let sandbox = SandboxEnv::start();
    let plan = sandbox.run(&terraform, &["plan", "-input=false", "-no-color"]);
    plan.assert_success("terraform plan");
    let stdout = plan.stdout();
    assert!(stdout.contains("id = \"img-31tjrtph\""), "{stdout}");
    let all = format!("{stdout}{}", plan.stderr());
    assert!(!all.contains("development overrides"), "dev_overrides must not be involved: {all}");
    assert!(sandbox.handle.request_count() >= 1);
}
