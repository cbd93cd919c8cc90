//! End to end under both API versions: the real `terraform` runs the same `qcloud_images`
//! configurations against the built provider and one sandbox, once with `api_version = "2.0"`
//! and once with `"3.0"`, and the results must be identical for the attributes both share.

mod common;

use common::{SandboxEnv, Terraform};
use qcloud_sandbox::ImageType;
use serde_json::Value;

use common::terraform::HEADER;

/// The `images` attributes only API 3.0 fills, for every image.
const ONLY_3_0: [&str; 6] = [
    "architecture",
    "platform",
    "image_size",
    "image_source",
    "image_state",
    "is_support_cloudinit",
];

/// The `images` attributes only API 3.0 fills, for the images that have them.
const SOMETIMES_3_0: [&str; 6] =
    ["snapshots", "tags", "license_type", "image_family", "image_deprecated", "sync_percent"];

/// `terraform apply` of `body` against `sandbox` speaking `version`; the outputs as JSON.
fn apply(test: &str, sandbox: &SandboxEnv, body: &str, version: &str) -> Option<Value> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let run = |args: &[&str]| {
        let mut command = sandbox.command(&terraform, args);
        command.env("QCLOUD_API_VERSION", version);
        if version == "3.0" {
            command.env("QCLOUD_ENDPOINT", sandbox.handle.url_3_0());
        }
        Terraform::run_command(command)
    };
    run(&["apply", "-auto-approve", "-input=false", "-no-color"]).assert_success("apply");
    let output = run(&["output", "-json"]);
    output.assert_success("terraform output");
    Some(serde_json::from_str(&output.stdout()).expect("terraform output -json is JSON"))
}

/// Applies `body` under both versions; checks that the requests used each version; returns
/// (2.0 outputs, 3.0 outputs).
fn both(test: &str, body: &str) -> Option<(Value, Value, SandboxEnv)> {
    let sandbox = SandboxEnv::start();
    let v2 = apply(test, &sandbox, body, "2.0")?;
    let after_2_0 = sandbox.handle.requests().len();
    let v3 = apply(test, &sandbox, body, "3.0")?;
    let requests = sandbox.handle.requests();
    assert!(after_2_0 > 0 && requests.len() > after_2_0, "both versions called the API");
    assert!(requests[..after_2_0].iter().all(|r| r.method == "GET" && r.code == Some(0)));
    assert!(requests[after_2_0..].iter().all(|r| r.method == "POST" && r.code == Some(0)));
    Some((v2, v3, sandbox))
}

/// The `images` objects without the 3.0-only attributes; asserts those are null under 2.0
/// (`null_3_0`) or set under 3.0.
fn shared(images: &Value, null_3_0: bool) -> Value {
    let list = images.as_array().expect("images is a list");
    let stripped = list.iter().map(|image| {
        let mut object = image.as_object().expect("an image is an object").clone();
        for name in ONLY_3_0 {
            let value = object.remove(name).expect("every 3.0 attribute is in the schema");
            assert_eq!(value.is_null(), null_3_0, "{name} in {image}");
        }
        for name in SOMETIMES_3_0 {
            let value = object.remove(name).expect("every 3.0 attribute is in the schema");
            assert!(!null_3_0 || value.is_null(), "{name} in {image} under 2.0");
        }
        Value::Object(object)
    });
    Value::Array(stripped.collect())
}

fn assert_same_outputs(v2: &Value, v3: &Value, names: &[&str]) {
    for name in names {
        assert_eq!(v2[name]["value"], v3[name]["value"], "output {name}");
    }
}

#[test]
fn listing_is_identical_under_both_versions() {
    let body = r#"
data "qcloud_images" "all" {
  image_type = "public"
}
output "ids" { value = data.qcloud_images.all.ids }
output "total" { value = data.qcloud_images.all.total_count }
output "images" { value = data.qcloud_images.all.images }
"#;
    let Some((v2, v3, sandbox)) = both("api3_listing", body) else { return };
    assert_same_outputs(&v2, &v3, &["ids", "total"]);
    let images_2_0 = &v2["images"]["value"];
    let images_3_0 = &v3["images"]["value"];
    assert_eq!(shared(images_2_0, true), shared(images_3_0, false));
    let public = sandbox
        .handle
        .catalog()
        .images()
        .iter()
        .filter(|i| i.image_type == ImageType::Public)
        .count();
    assert_eq!(v3["total"]["value"], public);
    let first = &images_3_0[0];
    assert_eq!(first["image_source"], "OFFICIAL");
    assert_eq!(first["image_state"], "NORMAL");
    assert!(first["create_time"].as_str().is_some_and(|t| t.ends_with("+08:00")), "{first}");
}

#[test]
fn most_recent_with_name_regex_picks_the_same_image() {
    let body = r#"
data "qcloud_images" "centos" {
  image_type  = 2
  name_regex  = "^CentOS 6\\."
  most_recent = true
}
output "id" { value = data.qcloud_images.centos.image_id }
output "name" { value = data.qcloud_images.centos.image_name }
output "created" { value = data.qcloud_images.centos.create_time }
output "ids" { value = data.qcloud_images.centos.ids }
output "os" { value = data.qcloud_images.centos.os_name }
"#;
    let Some((v2, v3, _sandbox)) = both("api3_most_recent", body) else { return };
    assert_same_outputs(&v2, &v3, &["id", "name", "created", "ids", "os"]);
    assert!(v3["name"]["value"].as_str().is_some_and(|n| n.starts_with("CentOS 6.")), "{v3}");
}

#[test]
fn more_than_ten_ids_and_a_foreign_type_give_the_same_result() {
    let sandbox = SandboxEnv::start();
    let catalog = sandbox.handle.catalog();
    let of_type = |t: ImageType| catalog.images().iter().filter(move |i| i.image_type == t);
    // 13 public ids and one private id: image_type = "public" must leave the private one out,
    // which API 3.0 (ids without filters) can only do on the client.
    let mut ids: Vec<String> =
        of_type(ImageType::Public).take(13).map(|i| i.image_id.clone()).collect();
    let private = of_type(ImageType::Private).next().expect("a private image").image_id.clone();
    ids.push(private.clone());
    drop(sandbox);
    let body = format!(
        "data \"qcloud_images\" \"some\" {{\n  image_type = \"public\"\n  image_ids = {ids:?}\n}}\n\
         output \"ids\" {{ value = data.qcloud_images.some.ids }}\n\
         output \"total\" {{ value = data.qcloud_images.some.total_count }}\n"
    );
    let Some((v2, v3, sandbox)) = both("api3_many_ids", &body) else { return };
    assert_same_outputs(&v2, &v3, &["ids", "total"]);
    let got: Vec<String> = serde_json::from_value(v3["ids"]["value"].clone()).expect("strings");
    assert_eq!(got.len(), 13);
    assert!(!got.contains(&private));
    for record in sandbox.handle.requests().iter().filter(|r| r.method == "POST") {
        let sent = record.params.keys().filter(|k| k.starts_with("ImageIds.")).count();
        assert!((1..=10).contains(&sent), "{record:?}");
        assert!(!record.params.contains_key("Filters.image-type"), "{record:?}");
    }
}

#[test]
fn status_filters_give_the_same_result() {
    // API 2.0 cannot tell deprecated images apart: both versions keep them here.
    let body = r#"
data "qcloud_images" "normal" {
  image_type         = "private"
  status             = "normal"
  include_deprecated = true
}
data "qcloud_images" "copying" {
  image_type         = "private"
  status             = "copying"
  include_deprecated = true
}
data "qcloud_images" "creating" {
  image_type         = "private"
  status             = "creating"
  sort_ascending     = true
  include_deprecated = true
}
output "normal" { value = data.qcloud_images.normal.ids }
output "copying" { value = data.qcloud_images.copying.ids }
output "creating" { value = data.qcloud_images.creating.images }
"#;
    let Some((v2, v3, _sandbox)) = both("api3_status", body) else { return };
    assert_same_outputs(&v2, &v3, &["normal", "copying"]);
    assert_eq!(shared(&v2["creating"]["value"], true), shared(&v3["creating"]["value"], false));
    for name in ["normal", "copying", "creating"] {
        assert!(v3[name]["value"].as_array().is_some_and(|l| !l.is_empty()), "{name}: {v3}");
    }
    // The image still being created has no create time under either version.
    assert!(v3["creating"]["value"][0]["create_time"].is_null(), "{v3}");
}
