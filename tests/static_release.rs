//! The Linux release runs where Terraform runs, with nothing from the host: the static release
//! build (`-C target-feature=+crt-static`, as `cargo xtask package` makes it) is packaged into a
//! filesystem mirror, then `terraform init` and `terraform plan` run inside an empty root that
//! holds only `terraform`, the mirror, the configuration and a temp directory: no shared
//! library, no `/etc` (no NSS modules, no hosts file, no resolver configuration, no trust
//! store), no `/dev`, no `/proc`. The sandbox runs outside the root on loopback (same network
//! namespace), reached as `localhost`, which the static build resolves without glibc.
//!
//! The root is entered with `unshare --map-root-user --root` (util-linux), which works for root
//! and, where user namespaces are allowed, for other users too.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use common::SandboxEnv;
use common::terraform::{REQUIRE_KEY, program_or_skip};
use qcloud_sandbox::{SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ADDRESS: &str = "registry.terraform.io/qcloud/qcloud";

/// The static release binary, built (or found up to date) by cargo.
fn static_release() -> std::path::PathBuf {
    let target = xtask::compile::host_target().expect("rustc says which target it builds for");
    let build = xtask::Build::release(&target);
    assert_eq!(build.linkage, xtask::Linkage::Static, "{target} releases are static");
    build.run().unwrap_or_else(|message| panic!("the static release build failed: {message}"))
}

/// Whether `unshare` can make an empty root here; says why not when it cannot.
fn can_enter_an_empty_root(test: &str) -> bool {
    let probe = Command::new("unshare").args(["--map-root-user", "--root=/", "true"]).status();
    if probe.is_ok_and(|status| status.success()) {
        return true;
    }
    let required = std::env::var(REQUIRE_KEY).is_ok_and(|v| v == "1");
    assert!(!required, "{test}: `unshare --map-root-user --root` does not work here");
    eprintln!("SKIPPED {test}: `unshare --map-root-user --root` does not work here");
    false
}

/// Hard-links `from` to `to`, or copies it when they are on different file systems.
fn place(from: &Path, to: &Path) {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copying {from:?}: {e}"));
    }
}

/// `terraform ARGS` inside `root`, with only the environment a CI job would set.
fn terraform_in(root: &Path, sandbox: &SandboxEnv, args: &[&str]) -> std::process::Output {
    let endpoint = format!("http://localhost:{}/v2/index.php", sandbox.handle.local_addr().port());
    let mut command = Command::new("unshare");
    command
        .args(["--map-root-user", "--root"])
        .arg(root)
        .args(["--wd=/work", "/bin/terraform"])
        .args(args)
        .env_clear()
        .env("PATH", "/bin")
        .env("HOME", "/tmp")
        .env("TMPDIR", "/tmp")
        .env("TF_CLI_CONFIG_FILE", "/cli.tfrc")
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("QCLOUD_ENDPOINT", endpoint)
        .env("QCLOUD_REGION", SANDBOX_REGION)
        .env("QCLOUD_SECRET_ID", SANDBOX_SECRET_ID)
        .env("QCLOUD_SECRET_KEY", SANDBOX_SECRET_KEY)
        .stdin(Stdio::null());
    command.output().expect("unshare runs")
}

fn assert_success(output: &std::process::Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The empty root: `/bin/terraform`, `/mirror` (the package), `/cli.tfrc`, `/work/main.tf`,
/// `/tmp`. Nothing else.
fn lay_out_root(root: &Path, terraform: &Path, binary: &Path) {
    let platform = xtask::Platform::host().expect("a Registry platform");
    let release = xtask::Release { version: VERSION.into(), platform, signer: None };
    xtask::package(binary, &root.join("pkg"), &release).expect("packaging works");
    std::fs::rename(root.join("pkg/mirror"), root.join("mirror")).expect("the mirror moves");
    std::fs::remove_dir_all(root.join("pkg")).expect("the release files go");
    for dir in ["bin", "tmp", "work"] {
        std::fs::create_dir(root.join(dir)).expect("a directory");
    }
    std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777))
        .expect("a world-writable /tmp");
    place(terraform, &root.join("bin/terraform"));
    std::fs::write(
        root.join("cli.tfrc"),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"/mirror\"\n    \
             include = [\"{ADDRESS}\"]\n  }}\n  direct {{\n    exclude = [\"{ADDRESS}\"]\n  }}\n}}\n"
        ),
    )
    .expect("the CLI configuration");
    std::fs::write(
        root.join("work/main.tf"),
        format!(
            "terraform {{\n  required_providers {{\n    qcloud = {{\n      source  = \
             \"qcloud/qcloud\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
             provider \"qcloud\" {{}}\n\ndata \"qcloud_images\" \"centos\" {{\n  image_type  = \
             \"public\"\n  name_regex  = \"^CentOS 7\\\\.2\"\n  most_recent = true\n}}\n\n\
             output \"id\" {{\n  value = data.qcloud_images.centos.image_id\n}}\n"
        ),
    )
    .expect("the configuration");
}

#[test]
fn the_static_release_installs_and_plans_in_an_empty_root() {
    const TEST: &str = "static_release_in_an_empty_root";
    let Some(terraform) = program_or_skip(TEST) else { return };
    if !can_enter_an_empty_root(TEST) {
        return;
    }
    let binary = static_release();
    let root = tempfile::tempdir().expect("a temp dir");
    lay_out_root(root.path(), &terraform, &binary);
    let mut entries: Vec<String> = std::fs::read_dir(root.path())
        .expect("the root")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, ["bin", "cli.tfrc", "mirror", "tmp", "work"], "nothing else in the root");

    let sandbox = SandboxEnv::start();
    let init = terraform_in(root.path(), &sandbox, &["init", "-input=false", "-no-color"]);
    assert_success(&init, "terraform init in the empty root");
    let init_out = String::from_utf8_lossy(&init.stdout);
    assert!(init_out.contains(&format!("Installed qcloud/qcloud v{VERSION}")), "{init_out}");

    let plan = terraform_in(root.path(), &sandbox, &["plan", "-input=false", "-no-color"]);
    assert_success(&plan, "terraform plan in the empty root");
    let plan_out = String::from_utf8_lossy(&plan.stdout);
    assert!(plan_out.contains("id = \"img-31tjrtph\""), "{plan_out}");
    assert!(sandbox.handle.request_count() >= 1, "the provider reached the sandbox");
}
