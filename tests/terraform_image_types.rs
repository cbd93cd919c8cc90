//! End to end: several image types in one `qcloud_images` lookup, and ids without a type, under
//! both API versions, through the real `terraform` against the in-process sandbox.
//!
//! API 2.0 takes one `imageType` per request, so each type is its own listing; API 3.0 sends
//! them as one `image-type` filter. Either way the result is the same.

mod common;

use std::collections::BTreeSet;

use common::{SandboxEnv, Terraform};
use qcloud_sandbox::{ImageType, RequestRecord};
use serde_json::Value;

use common::terraform::HEADER;

const VERSIONS: [&str; 2] = ["2.0", "3.0"];

/// `terraform apply` of `body` under API `version`; the outputs, and the requests it made.
fn apply(test: &str, body: &str, version: &str) -> Option<(Value, Vec<RequestRecord>)> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let sandbox = SandboxEnv::start();
    let outputs = sandbox.apply_as(&terraform, version);
    Some((outputs, sandbox.handle.requests()))
}

/// The error text of a `terraform plan` that must fail under `version`.
fn plan_error(test: &str, body: &str, version: &str) -> Option<String> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    Some(SandboxEnv::start().plan_failure_as(&terraform, version))
}

/// The ids the sandbox holds of these types, sorted.
fn catalog_ids(types: &[ImageType]) -> Vec<String> {
    let sandbox = SandboxEnv::start();
    let catalog = sandbox.handle.catalog();
    let mut ids: Vec<String> = catalog
        .images()
        .iter()
        .filter(|i| types.contains(&i.image_type))
        .map(|i| i.image_id.clone())
        .collect();
    ids.sort();
    ids
}

fn sorted_ids(outputs: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        serde_json::from_value(outputs["ids"]["value"].clone()).expect("ids is a list");
    ids.sort();
    ids
}

/// The distinct listings a run made: 2.0 `imageType` codes, or 3.0 `image-type` filters.
fn listings(requests: &[RequestRecord]) -> BTreeSet<String> {
    requests
        .iter()
        .filter_map(|r| r.params.get("imageType").or(r.params.get("Filters.image-type")).cloned())
        .collect()
}

/// A lookup of these types. Deprecated images are kept: API 2.0 cannot tell them apart, and
/// these tests compare the versions on types alone.
fn lookup(types: &str) -> String {
    format!(
        "data \"qcloud_images\" \"some\" {{\n  image_types = {types}\n  \
         include_deprecated = true\n}}\n\
         output \"ids\" {{ value = data.qcloud_images.some.ids }}\n\
         output \"total\" {{ value = data.qcloud_images.some.total_count }}\n"
    )
}

#[test]
fn two_types_list_the_images_of_both_once_per_type_under_2_0_and_in_one_request_under_3_0() {
    let body = lookup(r#"["private", "shared"]"#);
    let expected = catalog_ids(&[ImageType::Private, ImageType::Shared]);
    for version in VERSIONS {
        let Some((outputs, requests)) = apply("two_types", &body, version) else { return };
        assert_eq!(sorted_ids(&outputs), expected, "{version}");
        assert_eq!(outputs["total"]["value"], expected.len(), "{version}");
        let listed = listings(&requests);
        match version {
            "2.0" => assert_eq!(listed, BTreeSet::from(["1".into(), "4".into()]), "{requests:?}"),
            _ => assert_eq!(listed, BTreeSet::from(["PRIVATE_IMAGE,SHARED_IMAGE".into()])),
        }
        assert_eq!(requests.len(), if version == "2.0" { 2 } else { 1 }, "{version}");
    }
}

#[test]
fn four_types_list_everything_and_agree_between_versions() {
    let body = lookup(r#"["public", "private", "shared", "marketplace"]"#);
    let expected = catalog_ids(&ImageType::ALL);
    let mut per_version = Vec::new();
    for version in VERSIONS {
        let Some((outputs, requests)) = apply("four_types", &body, version) else { return };
        assert_eq!(sorted_ids(&outputs), expected, "{version}");
        let types = listings(&requests);
        assert_eq!(types.len(), if version == "2.0" { 4 } else { 1 }, "{version}: {types:?}");
        per_version.push(outputs["ids"]["value"].clone());
    }
    assert_eq!(per_version[0], per_version[1], "the same order under both versions");
}

#[test]
fn a_repeated_type_collapses_into_one_listing() {
    let body = lookup(r#"["private", "1", "PRIVATE"]"#);
    let expected = catalog_ids(&[ImageType::Private]);
    for version in VERSIONS {
        let Some((outputs, requests)) = apply("repeated_type", &body, version) else { return };
        assert_eq!(sorted_ids(&outputs), expected, "{version}");
        assert_eq!(listings(&requests).len(), 1, "{version}: {requests:?}");
    }
}

#[test]
fn the_newest_web_image_mine_or_shared_is_picked_across_types() {
    let body = r#"
data "qcloud_images" "web" {
  image_types        = ["private", "shared"]
  name_regex         = "^web-"
  most_recent        = true
  include_deprecated = true # as API 2.0, which cannot tell deprecated images apart
}
output "id" { value = data.qcloud_images.web.image_id }
output "type" { value = data.qcloud_images.web.image.image_type }
"#;
    let sandbox = SandboxEnv::start();
    let catalog = sandbox.handle.catalog();
    let newest = catalog
        .images()
        .iter()
        .filter(|i| matches!(i.image_type, ImageType::Private | ImageType::Shared))
        .filter(|i| i.image_name.starts_with("web-"))
        .filter(|i| {
            matches!(
                i.status,
                qcloud_sandbox::ImageStatus::Normal | qcloud_sandbox::ImageStatus::InUse
            )
        })
        .max_by(|a, b| a.create_time.cmp(&b.create_time).then(b.image_id.cmp(&a.image_id)))
        .expect("web images in the catalog");
    for version in VERSIONS {
        let Some((outputs, _)) = apply("mine_or_shared", body, version) else { return };
        assert_eq!(outputs["id"]["value"], newest.image_id.as_str(), "{version}");
    }
}

#[test]
fn both_or_neither_type_argument_is_an_error_at_validate() {
    let both = "data \"qcloud_images\" \"x\" {\n  image_type  = \"private\"\n  image_types = [\"shared\"]\n}\n";
    let Some(text) = plan_error("both_types", both, "2.0") else { return };
    assert!(text.contains("Conflicting image_type and image_types"), "{text}");
    assert!(text.contains("image_types = [\"shared\"]"), "points at the argument: {text}");
    let neither = "data \"qcloud_images\" \"x\" {\n  status = \"normal\"\n}\n";
    let Some(text) = plan_error("neither_type", neither, "3.0") else { return };
    assert!(text.contains("Missing image_type"), "{text}");
    assert!(text.contains("image_types for several types"), "{text}");
}

#[test]
fn ids_without_a_type_are_found_whatever_their_type_under_3_0_and_refused_under_2_0() {
    let private = catalog_ids(&[ImageType::Private]);
    let public = catalog_ids(&[ImageType::Public]);
    let wanted = vec![private[0].clone(), public[0].clone()];
    let body = format!(
        "data \"qcloud_images\" \"some\" {{\n  image_ids = {wanted:?}\n}}\n\
         output \"ids\" {{ value = data.qcloud_images.some.ids }}\n"
    );
    let Some((outputs, requests)) = apply("ids_without_type", &body, "3.0") else { return };
    let mut expected = wanted.clone();
    expected.sort();
    assert_eq!(sorted_ids(&outputs), expected);
    assert!(requests.iter().all(|r| !r.params.contains_key("Filters.image-type")), "{requests:?}");
    let Some(text) = plan_error("ids_without_type_2_0", &body, "2.0") else { return };
    assert!(text.contains("image_ids need a type under API 2.0"), "{text}");
    assert!(text.contains("Set image_type (or image_types)"), "{text}");
    assert!(text.contains("api_version = \"3.0\""), "{text}");
}

#[test]
fn marketplace_is_dropped_per_type_in_north_america_with_a_warning() {
    let Some(terraform) = Terraform::new_or_skip("marketplace_per_type") else { return };
    let body = r#"
terraform {
  required_providers {
    qcloud = { source = "qcloud/qcloud" }
  }
}
provider "qcloud" {
  region = "na-ashburn"
}
data "qcloud_images" "some" {
  image_types        = ["private", "marketplace"]
  include_deprecated = true
}
output "ids" { value = data.qcloud_images.some.ids }
"#;
    terraform.write("main.tf", body);
    let sandbox = SandboxEnv::start();
    for version in VERSIONS {
        let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
        let run = sandbox.run_as(&terraform, version, &apply);
        run.assert_success("apply");
        let text = run.stdout() + &run.stderr();
        assert!(text.contains("Marketplace images are not offered in na-ashburn"), "{text}");
        let output = sandbox.run_as(&terraform, version, &["output", "-json"]);
        let outputs: Value = serde_json::from_str(&output.stdout()).expect("JSON");
        assert_eq!(sorted_ids(&outputs), catalog_ids(&[ImageType::Private]), "{version}");
    }
    let listed = listings(&sandbox.handle.requests());
    assert_eq!(listed, BTreeSet::from(["1".into(), "PRIVATE_IMAGE".into()]), "no marketplace call");
}
