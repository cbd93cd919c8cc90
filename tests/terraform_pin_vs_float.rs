//! End to end: what `examples/pin-vs-float` says about the next apply is what Terraform does.
//! The example is applied against a sandbox whose newest CentOS 7 image is the pin, then
//! planned and applied against one where a newer build has been published: the stand-in for
//! an instance built from the floating lookup is replaced, the pinned one is not.

mod common;

use common::terraform::Run;
use common::{SandboxEnv, Terraform, repo};
use qcloud_sandbox::{Catalog, ImageType, SandboxConfig};
use serde_json::Value as Json;

/// The id the catalog pins `"CentOS 7.2 64-bit"` to.
const CENTOS_7_2: &str = "img-31tjrtph";

/// The built-in catalog as it was before any CentOS 7 build newer than the pin.
fn before_newer_builds() -> Catalog {
    let builtin = Catalog::builtin();
    let pin = builtin.get(CENTOS_7_2).expect("the pin is built in").create_time.clone();
    let newer = |i: &&qcloud_sandbox::CatalogImage| {
        i.image_type == ImageType::Public
            && i.image_name.starts_with("CentOS 7.")
            && i.create_time > pin
    };
    let mut catalog = builtin.clone();
    for image in builtin.images().iter().filter(newer) {
        catalog.remove(&image.image_id);
    }
    assert!(catalog.len() < builtin.len(), "the built-in catalog has a newer CentOS 7 build");
    catalog
}

fn run(sandbox: &SandboxEnv, terraform: &Terraform, args: &[&str]) -> Run {
    Terraform::run_command(sandbox.command(terraform, args))
}

fn outputs(sandbox: &SandboxEnv, terraform: &Terraform) -> Json {
    let run = run(sandbox, terraform, &["output", "-json"]);
    run.assert_success("terraform output -json");
    serde_json::from_str(&run.stdout()).expect("JSON outputs")
}

#[test]
fn a_newer_build_replaces_the_floating_instance_and_leaves_the_pinned_one() {
    let Some(terraform) = Terraform::new_or_skip("pin_vs_float_next_apply") else { return };
    terraform.copy_files_from(&repo::root().join("examples/pin-vs-float"));
    let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];

    let before = SandboxEnv::with_config(SandboxConfig {
        catalog: before_newer_builds(),
        ..SandboxConfig::default()
    });
    run(&before, &terraform, &apply).assert_success("terraform apply (before)");
    let first = outputs(&before, &terraform);
    assert_eq!(first["floating_image_id"]["value"], CENTOS_7_2);
    assert_eq!(first["floating_differs_from_pin"]["value"], false);
    let next = first["next_apply"]["value"].as_str().unwrap_or_default();
    assert!(next.starts_with("The newest match is the pin"), "{next}");

    let after = SandboxEnv::start();
    let plan =
        run(&after, &terraform, &["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    let stdout = plan.stdout();
    assert_eq!(
        plan.output.status.code(),
        Some(2),
        "changes expected:\n{stdout}\n{}",
        plan.stderr()
    );
    assert!(stdout.contains("terraform_data.floating_instance must be replaced"), "{stdout}");
    assert!(!stdout.contains("# terraform_data.pinned_instance"), "{stdout}");
    assert!(stdout.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{stdout}");

    let applied = run(&after, &terraform, &apply);
    applied.assert_success("terraform apply (after)");
    assert!(applied.stdout().contains("Resources: 1 added, 0 changed, 1 destroyed."));
    let second = outputs(&after, &terraform);
    assert_eq!(second["pinned_image_id"]["value"], CENTOS_7_2);
    assert_eq!(second["floating_image_name"]["value"], "CentOS 7.9 64-bit");
    assert_eq!(second["floating_differs_from_pin"]["value"], true);
}
