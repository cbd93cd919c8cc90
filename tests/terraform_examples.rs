//! End to end: every example under `examples/` is `terraform fmt`-clean, validates, and applies
//! against the built provider and an in-process sandbox API, with the outputs that matter
//! checked against the sandbox's catalog.
//!
//! The examples are found by walking `examples/`, so a new one is validated and applied without
//! being listed here; the examples named in [`expectations`] also have their outputs checked.

mod common;

use std::path::{Path, PathBuf};

use common::terraform::{Run, program_or_skip};
use common::{SandboxEnv, Terraform, repo};
use qcloud_sandbox::CatalogImage;
use qcloud_sandbox::model::Architecture;
use qcloud_sandbox::{ImageStatus, ImageType};
use serde_json::Value as Json;

/// The id the catalog pins `"CentOS 7.2 64-bit"` to.
const CENTOS_7_2: &str = "img-31tjrtph";

#[test]
fn examples_are_terraform_fmt_clean() {
    let Some(terraform) = Terraform::new_or_skip("examples_are_terraform_fmt_clean") else {
        return;
    };
    let examples = repo::root().join("examples");
    let examples = examples.to_str().expect("a UTF-8 path");
    let run = terraform.run(&["fmt", "-check", "-recursive", "-diff", "-no-color", examples]);
    run.assert_success("terraform fmt -check -recursive examples");
    assert_eq!(run.stdout().trim(), "", "files needing terraform fmt");
}

#[test]
fn the_walk_finds_every_example_with_expectations() {
    let found = repo::example_dirs();
    for (name, _) in expectations() {
        assert!(found.contains(&PathBuf::from(name)), "examples/{name} is gone: {found:?}");
    }
    assert!(found.len() >= expectations().len(), "{found:?}");
}

#[test]
fn every_example_validates_and_applies_against_the_sandbox() {
    if program_or_skip("every_example_validates_and_applies").is_none() {
        return;
    }
    let sandbox = SandboxEnv::start();
    let examples = repo::example_dirs();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = examples
            .iter()
            .map(|dir| scope.spawn(|| exercise(dir, &sandbox).map_err(|e| format!("{e}\n"))))
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().unwrap_or_else(|_| Err("the check panicked".into())).err())
            .collect()
    });
    assert!(failures.is_empty(), "{} example(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// Whether any configuration file of the directory sets `api_version = "3.0"`.
fn chooses_api_3_0(dir: &Path) -> bool {
    let files = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path());
    files
        .filter(|path| path.extension().is_some_and(|x| x == "tf"))
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .any(|text| text.contains("api_version = \"3.0\""))
}

/// Validates and applies one example in a copy of its directory, then checks its outputs.
fn exercise(dir: &Path, sandbox: &SandboxEnv) -> Result<(), String> {
    let name = dir.to_string_lossy().into_owned();
    let terraform = Terraform::new_or_skip(&name).ok_or("terraform went missing")?;
    terraform.copy_files_from(&repo::root().join("examples").join(dir));
    // Examples that choose API 3.0 talk to the sandbox's 3.0 address.
    let api3 = chooses_api_3_0(terraform.dir());
    let run = |args: &[&str]| {
        let mut command = sandbox.command(&terraform, args);
        if api3 {
            command.env("QCLOUD_ENDPOINT", sandbox.handle.url_3_0());
        }
        Terraform::run_command(command)
    };
    succeed(&name, "validate", run(&["validate", "-no-color"]))?;
    succeed(&name, "apply", run(&["apply", "-auto-approve", "-input=false", "-no-color"]))?;
    let output = run(&["output", "-json"]);
    let stdout = output.stdout();
    succeed(&name, "output -json", output)?;
    let outputs: Json = serde_json::from_str(&stdout).map_err(|e| format!("{name}: {e}"))?;
    let catalog = sandbox.handle.catalog();
    let check = expectations().into_iter().find(|(known, _)| *known == name);
    match check {
        Some((_, check)) => check(&outputs, catalog.images()).map_err(|e| format!("{name}: {e}")),
        None => Ok(()),
    }
}

fn succeed(name: &str, what: &str, run: Run) -> Result<(), String> {
    if run.output.status.success() {
        return Ok(());
    }
    Err(format!(
        "examples/{name}: terraform {what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        run.output.status,
        run.stdout(),
        run.stderr()
    ))
}

/// Checks the outputs of one example against the catalog.
type Check = fn(&Json, &[CatalogImage]) -> Result<(), String>;

/// The examples whose outputs are checked, by directory under `examples/`.
fn expectations() -> Vec<(&'static str, Check)> {
    vec![
        ("quickstart", quickstart),
        ("pin-vs-float", pin_vs_float),
        ("data-sources/qcloud_images", data_source),
        ("functions/public_image_id", public_image_id),
        ("functions/public_images", public_images),
        ("provider", provider_only),
        ("api-3", api_3),
        ("instance-type", instance_type),
        ("mine-or-shared", mine_or_shared),
        ("data-sources/qcloud_image_from_family", image_from_family),
    ]
}

fn quickstart(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    let newest = newest(catalog, |i| public(i) && i.image_name.starts_with("CentOS 7"))?;
    expect(outputs, "newest_centos_7", &Json::from(newest.image_id.as_str()))?;
    expect(outputs, "newest_centos_7_name", &Json::from(newest.image_name.as_str()))?;
    expect(outputs, "pinned_centos_7_2", &Json::from(CENTOS_7_2))?;
    for name in ["newest_centos_7", "pinned_centos_7_2"] {
        let id = value(outputs, name)?.as_str().unwrap_or_default();
        if !looks_like_image_id(id) {
            return Err(format!("{name} = {id:?} does not look like img-xxxxxxxx"));
        }
    }
    Ok(())
}

fn pin_vs_float(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    let newest = newest(catalog, |i| {
        public(i) && i.status == ImageStatus::Normal && i.image_name.starts_with("CentOS 7.")
    })?;
    if newest.image_id == CENTOS_7_2 {
        return Err("the sandbox must have a CentOS 7 build newer than the pin".into());
    }
    expect(outputs, "pinned_image_id", &Json::from(CENTOS_7_2))?;
    expect(outputs, "floating_image_id", &Json::from(newest.image_id.as_str()))?;
    expect(outputs, "floating_image_name", &Json::from(newest.image_name.as_str()))?;
    expect(outputs, "floating_differs_from_pin", &Json::Bool(true))?;
    let next_apply = value(outputs, "next_apply")?.as_str().unwrap_or_default();
    let says = format!(
        "The newest match, {} ({}), is newer than the pin",
        newest.image_name, newest.image_id
    );
    if next_apply.starts_with(&says)
        && next_apply.contains("built from the floating id is replaced")
    {
        Ok(())
    } else {
        Err(format!("next_apply = {next_apply:?} does not say what the next apply does"))
    }
}

fn api_3(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    let newest = newest(catalog, |i| public(i) && i.image_name.starts_with("Ubuntu"))?;
    expect(outputs, "ubuntu_image_id", &Json::from(newest.image_id.as_str()))?;
    let details = value(outputs, "ubuntu_details")?;
    let picked = &details[newest.image_id.as_str()];
    if picked["architecture"].is_string() && picked["image_size"].is_number() {
        Ok(())
    } else {
        Err(format!("API 3.0 attributes missing from {details}"))
    }
}

fn instance_type(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    // The default instance type is an ARM one: only arm64 images, Ubuntu, not deprecated.
    let newest = newest(catalog, |i| {
        matches!(i.image_type, ImageType::Public | ImageType::Private)
            && i.status == ImageStatus::Normal
            && i.architecture() == Architecture::Arm64
            && i.platform() == "Ubuntu"
            && !i.attributes.image_deprecated
    })?;
    expect(outputs, "image_id", &Json::from(newest.image_id.as_str()))?;
    expect(outputs, "image_name", &Json::from(newest.image_name.as_str()))?;
    expect(outputs, "image_architecture", &Json::from("arm64"))
}

fn mine_or_shared(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    let web = |i: &CatalogImage| {
        matches!(i.image_type, ImageType::Private | ImageType::Shared)
            && i.image_name.starts_with("web-")
    };
    let usable = |i: &CatalogImage| matches!(i.status, ImageStatus::Normal | ImageStatus::InUse);
    let newest = newest(catalog, |i| web(i) && usable(i))?;
    expect(outputs, "image_id", &Json::from(newest.image_id.as_str()))?;
    let image_type = newest.image_type.name().trim_end_matches("_IMAGE").to_lowercase();
    expect(outputs, "image_type", &Json::from(image_type))?;
    let candidates = catalog.iter().filter(|i| web(i)).count();
    expect(outputs, "candidates", &Json::from(candidates))
}

fn image_from_family(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    let latest = newest(catalog, |i| {
        i.attributes.image_family == "web-golden"
            && i.status == ImageStatus::Normal
            && !i.attributes.image_deprecated
    })?;
    expect(outputs, "web_image_id", &Json::from(latest.image_id.as_str()))?;
    expect(outputs, "web_image_name", &Json::from(latest.image_name.as_str()))
}

fn data_source(outputs: &Json, catalog: &[CatalogImage]) -> Result<(), String> {
    let web = newest(catalog, |i| {
        i.image_type == ImageType::Private
            && i.status == ImageStatus::Normal
            && i.image_name.starts_with("web-")
    })?;
    expect(outputs, "web_image_id", &Json::from(web.image_id.as_str()))?;
    let mut centos: Vec<&CatalogImage> = catalog
        .iter()
        .filter(|i| public(i) && i.os_name.to_lowercase().contains("centos"))
        .collect();
    centos.sort_by(|a, b| a.create_time.cmp(&b.create_time).then(a.image_id.cmp(&b.image_id)));
    let oldest_five: Vec<&str> = centos.iter().take(5).map(|i| i.image_id.as_str()).collect();
    expect(outputs, "centos_image_ids", &serde_json::json!(oldest_five))?;
    let mut pinned: Vec<&CatalogImage> = ["img-31tjrtph", "img-3wnd9xpl"]
        .iter()
        .map(|id| catalog.iter().find(|i| i.image_id == *id).ok_or(format!("{id} not in catalog")))
        .collect::<Result<_, _>>()?;
    pinned.sort_by(|a, b| b.create_time.cmp(&a.create_time).then(a.image_id.cmp(&b.image_id)));
    let names: Vec<&str> = pinned.iter().map(|i| i.image_name.as_str()).collect();
    expect(outputs, "pinned_image_names", &serde_json::json!(names))
}

fn public_image_id(outputs: &Json, _: &[CatalogImage]) -> Result<(), String> {
    expect(outputs, "centos_7_2", &Json::from(CENTOS_7_2))?;
    expect(outputs, "debian_8_2", &Json::from("img-hi93l4ht"))
}

fn public_images(outputs: &Json, _: &[CatalogImage]) -> Result<(), String> {
    let catalog = value(outputs, "catalog")?.as_object().ok_or("catalog is not a map")?;
    let expected = qcloud_provider::functions::entries();
    if catalog.len() != expected.len() {
        return Err(format!("catalog has {} entries, want {}", catalog.len(), expected.len()));
    }
    for entry in expected {
        if catalog.get(&entry.name) != Some(&Json::from(entry.id.as_str())) {
            return Err(format!("catalog[{:?}] is not {:?}", entry.name, entry.id));
        }
    }
    let ubuntu = value(outputs, "ubuntu_images")?.as_object().ok_or("not a map")?;
    let want: serde_json::Map<String, Json> = catalog
        .iter()
        .filter(|(k, _)| k.starts_with("Ubuntu"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if ubuntu.is_empty() || *ubuntu != want {
        return Err(format!("ubuntu_images = {ubuntu:?}, want {want:?}"));
    }
    Ok(())
}

fn provider_only(outputs: &Json, _: &[CatalogImage]) -> Result<(), String> {
    match outputs.as_object() {
        Some(map) if map.is_empty() => Ok(()),
        _ => Err(format!("expected no outputs, got {outputs}")),
    }
}

fn public(image: &CatalogImage) -> bool {
    image.image_type == ImageType::Public
}

/// The image `most_recent` must pick among those matching `keep`: the latest create time,
/// the smallest image id among equal times.
fn newest(
    catalog: &[CatalogImage],
    keep: impl Fn(&CatalogImage) -> bool,
) -> Result<&CatalogImage, String> {
    catalog
        .iter()
        .filter(|i| keep(i))
        .max_by(|a, b| a.create_time.cmp(&b.create_time).then(b.image_id.cmp(&a.image_id)))
        .ok_or_else(|| "no catalog image matches".to_string())
}

fn value<'a>(outputs: &'a Json, name: &str) -> Result<&'a Json, String> {
    outputs.get(name).map(|o| &o["value"]).ok_or(format!("no output {name} in {outputs}"))
}

fn expect(outputs: &Json, name: &str, want: &Json) -> Result<(), String> {
    let got = value(outputs, name)?;
    if got == want { Ok(()) } else { Err(format!("output {name} = {got}, want {want}")) }
}

fn looks_like_image_id(id: &str) -> bool {
    id.strip_prefix("img-").is_some_and(|rest| {
        rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}
