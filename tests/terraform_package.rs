//! Packaging and the install story: `cargo xtask package` (its library, called here) lays the
//! built provider out as a filesystem mirror and a Registry release; `terraform init` installs
//! it from the mirror with no network, and `terraform plan` then runs it against the sandbox
//! (no `dev_overrides`).

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::plugin::BINARY;
use common::terraform::program_or_skip;
use common::{SandboxEnv, Terraform};
use sha2::{Digest, Sha256};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ADDRESS: &str = "registry.terraform.io/qcloud/qcloud";

/// Terraform's `OS_ARCH` name for this machine.
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn executable_name() -> String {
    format!("terraform-provider-qcloud_v{VERSION}")
}

/// Packages the built provider into a temp dir, as `cargo xtask package --binary <it> --out
/// <the dir>` does.
fn package() -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("a temp dir");
    let packaged = xtask::package(Path::new(BINARY), out.path(), VERSION)
        .unwrap_or_else(|message| panic!("packaging failed: {message}"));
    assert_eq!(packaged.mirror_executable, mirror_executable(out.path()), "it says what it wrote");
    let zip_name = format!("terraform-provider-qcloud_{VERSION}_{}.zip", platform());
    assert_eq!(packaged.release_zip, out.path().join("release").join(zip_name));
    out
}

fn mirror_executable(out: &Path) -> PathBuf {
    out.join("mirror").join(ADDRESS).join(VERSION).join(platform()).join(executable_name())
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
/// layout checks share one test.
#[test]
fn the_package_holds_the_mirror_and_the_release() {
    let out = package();
    check_mirror(out.path());
    check_release(out.path());
}

/// The mirror holds the executable under its versioned name, executable, unchanged.
fn check_mirror(out: &Path) {
    let installed = mirror_executable(out);
    let metadata = std::fs::metadata(&installed).expect("the mirror layout holds the binary");
    assert!(metadata.permissions().mode() & 0o111 != 0, "not executable: {installed:?}");
    let binary = std::fs::read(BINARY).expect("the built provider");
    assert!(std::fs::read(&installed).unwrap() == binary, "the mirror copy differs");
}

/// The release holds the zip (the executable, mode 0755), the manifest (protocol 6.0) and
/// SHA256SUMS matching both.
fn check_release(out: &Path) {
    let release = out.join("release");
    let zip_name = format!("terraform-provider-qcloud_{VERSION}_{}.zip", platform());
    let manifest_name = format!("terraform-provider-qcloud_{VERSION}_manifest.json");
    let sums_name = format!("terraform-provider-qcloud_{VERSION}_SHA256SUMS");
    let mut names: Vec<String> = std::fs::read_dir(&release)
        .expect("a release directory")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec![zip_name.clone(), manifest_name.clone(), sums_name.clone()];
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
    if program_or_skip("init_from_mirror").is_none() {
        return;
    }
    let out = package();
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
    let installed = terraform
        .dir()
        .join(".terraform/providers")
        .join(ADDRESS)
        .join(VERSION)
        .join(platform())
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
