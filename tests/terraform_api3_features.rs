//! End to end: what API 3.0 adds to `qcloud_images` (`instance_type`, `platform`, `tags`,
//! `include_deprecated`, and the per-image `snapshots`, `tags`, `license_type`, `image_family`,
//! `image_deprecated`, `sync_percent`) and the `qcloud_image_from_family` data source, through
//! the real `terraform` against the in-process sandbox; each refused clearly under API 2.0, and
//! the API's filter limits caught at validate time.
//!
//! Expected results are computed from the sandbox's catalog, never written out by hand.

mod common;

use std::collections::BTreeSet;

use common::terraform::HEADER;
use common::{SandboxEnv, Terraform};
use qcloud_sandbox::model::Architecture;
use qcloud_sandbox::{CatalogImage, ImageStatus, ImageType, RequestRecord};
use serde_json::{Value, json};

/// An ARM instance type: its instances boot only arm64 images.
const ARM_INSTANCE_TYPE: &str = "SR1.MEDIUM4";

/// The outputs of applying `body` under `version`, and the requests the read made.
fn apply(test: &str, body: &str, version: &str) -> Option<(Value, Vec<RequestRecord>)> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let sandbox = SandboxEnv::start();
    let outputs = sandbox.apply_as(&terraform, version);
    Some((outputs, sandbox.handle.requests()))
}

/// The error output of a `terraform plan` of `body` that must fail under `version`, and the
/// requests it made.
fn plan_error(test: &str, body: &str, version: &str) -> Option<(String, Vec<RequestRecord>)> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let sandbox = SandboxEnv::start();
    let stderr = sandbox.plan_failure_as(&terraform, version);
    Some((one_line(&stderr), sandbox.handle.requests()))
}

/// Terraform wraps diagnostics at its terminal width; the words are what the tests check.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The built-in catalog.
fn catalog() -> Vec<CatalogImage> {
    SandboxEnv::start().handle.catalog().images().to_vec()
}

/// The ids of the catalog images `keep` admits.
fn ids_where(keep: impl Fn(&CatalogImage) -> bool) -> BTreeSet<String> {
    catalog().into_iter().filter(|i| keep(i)).map(|i| i.image_id).collect()
}

fn output_ids(outputs: &Value) -> BTreeSet<String> {
    serde_json::from_value(outputs["ids"]["value"].clone()).expect("ids is a list of strings")
}

/// A `qcloud_images` lookup named `some` with `arguments`, and its ids as an output.
fn lookup(arguments: &str) -> String {
    format!(
        "data \"qcloud_images\" \"some\" {{\n{arguments}\n}}\n\
         output \"ids\" {{ value = data.qcloud_images.some.ids }}\n\
         output \"images\" {{ value = data.qcloud_images.some.images }}\n"
    )
}

fn of_types(image: &CatalogImage, types: &[ImageType]) -> bool {
    types.contains(&image.image_type)
}

fn deprecated(image: &CatalogImage) -> bool {
    image.attributes.image_deprecated
}

/// The one request of a read that lists one page.
fn only_listing(requests: &[RequestRecord]) -> &RequestRecord {
    assert_eq!(requests.len(), 1, "one request: {requests:?}");
    &requests[0]
}

#[test]
fn instance_type_keeps_the_images_that_type_can_boot() {
    let body = lookup(&format!(
        "  image_types   = [\"public\", \"private\"]\n  instance_type = \"{ARM_INSTANCE_TYPE}\""
    ));
    let Some((outputs, requests)) = apply("instance_type", &body, "3.0") else { return };
    let want = ids_where(|i| {
        of_types(i, &[ImageType::Public, ImageType::Private])
            && i.architecture() == Architecture::Arm64
            && !deprecated(i)
    });
    assert!(want.len() >= 3, "the catalog holds ARM images of both types: {want:?}");
    assert_eq!(output_ids(&outputs), want);
    let request = only_listing(&requests);
    assert_eq!(request.params.get("InstanceType").map(String::as_str), Some(ARM_INSTANCE_TYPE));
    let images = outputs["images"]["value"].as_array().expect("a list");
    assert!(images.iter().all(|i| i["architecture"] == "arm64"), "{images:?}");
}

#[test]
fn an_instance_type_the_api_does_not_know_is_its_error_with_the_type() {
    let body = lookup("  image_type    = \"public\"\n  instance_type = \"ZZ9.LARGE8\"");
    let Some((stderr, _)) = plan_error("unknown_instance_type", &body, "3.0") else { return };
    assert!(stderr.contains("InvalidParameterValue.InstanceTypeNotFound"), "{stderr}");
    assert!(stderr.contains("ZZ9.LARGE8"), "{stderr}");
}

#[test]
fn platform_is_a_server_side_filter() {
    let body = lookup("  image_type = \"public\"\n  platform   = \"Ubuntu\"");
    let Some((outputs, requests)) = apply("platform", &body, "3.0") else { return };
    let want = ids_where(|i| {
        i.image_type == ImageType::Public && i.platform().eq_ignore_ascii_case("ubuntu")
    });
    assert!(want.len() >= 4, "{want:?}");
    assert_eq!(output_ids(&outputs), want);
    let request = only_listing(&requests);
    assert_eq!(request.params.get("Filters.platform").map(String::as_str), Some("Ubuntu"));
}

#[test]
fn tags_keep_images_with_every_tag_and_deprecated_builds_only_when_asked() {
    let tags = "  image_type = \"private\"\n  tags = { team = \"web\", env = \"prod\" }";
    let web_prod = |i: &CatalogImage| {
        i.image_type == ImageType::Private
            && i.tag("team") == Some("web")
            && i.tag("env") == Some("prod")
    };
    let Some((outputs, requests)) = apply("tags", &lookup(tags), "3.0") else { return };
    let current = ids_where(|i| web_prod(i) && !deprecated(i));
    let all = ids_where(web_prod);
    assert!(current.len() >= 2 && all.len() > current.len(), "{all:?}");
    assert_eq!(output_ids(&outputs), current);
    let request = only_listing(&requests);
    assert_eq!(request.params.get("Filters.tag:team").map(String::as_str), Some("web"));
    assert_eq!(request.params.get("Filters.tag:env").map(String::as_str), Some("prod"));

    let with_deprecated = lookup(&format!("{tags}\n  include_deprecated = true"));
    let Some((outputs, _)) = apply("include_deprecated", &with_deprecated, "3.0") else { return };
    assert_eq!(output_ids(&outputs), all);
}

#[test]
fn include_deprecated_is_a_no_op_under_2_0() {
    // API 2.0 cannot tell deprecated images apart, so both settings list the same images.
    let name = "  image_type = \"private\"\n  name_regex = \"^web-golden-\"";
    let Some((plain, _)) = apply("deprecated_2_0", &lookup(name), "2.0") else { return };
    let flag = format!("{name}\n  include_deprecated = false");
    let Some((flagged, _)) = apply("deprecated_2_0_flag", &lookup(&flag), "2.0") else { return };
    let want = ids_where(|i| {
        i.image_type == ImageType::Private && i.image_name.starts_with("web-golden-")
    });
    assert!(catalog().iter().any(|i| want.contains(&i.image_id) && deprecated(i)));
    assert_eq!(output_ids(&plain), want);
    assert_eq!(output_ids(&flagged), want);
}

/// Which catalog images a setting keeps.
type Keep = &'static dyn Fn(&CatalogImage) -> bool;

#[test]
fn with_image_ids_platform_tags_and_deprecation_apply_on_the_client() {
    // API 3.0 refuses ImageIds together with Filters, so the provider filters what it gets.
    let chosen = ["img-wg25a01k", "img-wg25c03k", "img-ar25b14m", "img-by22w01n", "img-et24l12p"];
    let images: Vec<CatalogImage> =
        catalog().into_iter().filter(|i| chosen.contains(&i.image_id.as_str())).collect();
    assert_eq!(images.len(), chosen.len(), "the chosen ids are in the catalog");
    let ids = serde_json::to_string(&chosen).expect("JSON");
    let cases: [(&str, Keep); 3] = [
        ("platform = \"Ubuntu\"", &|i| i.platform() == "Ubuntu"),
        ("tags = { team = \"web\" }", &|i| i.tag("team") == Some("web") && !deprecated(i)),
        ("include_deprecated = false", &|i| !deprecated(i)),
    ];
    for (argument, keep) in cases {
        let body = lookup(&format!("  image_ids = {ids}\n  {argument}"));
        let Some((outputs, requests)) = apply("ids_on_client", &body, "3.0") else { return };
        let want: BTreeSet<String> =
            images.iter().filter(|i| keep(i)).map(|i| i.image_id.clone()).collect();
        assert!(!want.is_empty() && want.len() < chosen.len(), "{argument}: {want:?}");
        assert_eq!(output_ids(&outputs), want, "{argument}");
        let request = only_listing(&requests);
        assert!(request.params.keys().all(|k| !k.starts_with("Filters.")), "{request:?}");
        let sent: BTreeSet<&str> = request
            .params
            .iter()
            .filter(|(k, _)| k.starts_with("ImageIds."))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(sent, BTreeSet::from(chosen), "{argument}: every id is asked for");
    }
}

#[test]
fn each_3_0_argument_is_refused_under_2_0_by_name() {
    let cases = [
        ("instance_type", format!("instance_type = \"{ARM_INSTANCE_TYPE}\"")),
        ("platform", "platform = \"Ubuntu\"".to_string()),
        ("tags", "tags = { team = \"web\" }".to_string()),
    ];
    for (name, argument) in cases {
        let body = lookup(&format!("  image_type = \"private\"\n  {argument}"));
        let Some((stderr, requests)) = plan_error("refused_2_0", &body, "2.0") else { return };
        assert!(stderr.contains(&format!("Error: {name} needs api_version = \"3.0\"")), "{stderr}");
        assert!(stderr.contains(&format!("{name} is an API 3.0 filter")), "{stderr}");
        assert!(stderr.contains("QCLOUD_API_VERSION=3.0"), "{stderr}");
        assert!(requests.is_empty(), "{name}: nothing is sent under 2.0: {requests:?}");
    }
}

/// The attributes of the `images` element with `id`.
fn element<'a>(images: &'a Value, id: &str) -> &'a Value {
    let list = images["value"].as_array().expect("images is a list");
    list.iter().find(|i| i["image_id"] == id).unwrap_or_else(|| panic!("{id} in {images}"))
}

/// What the provider must show for an image's 3.0-only attributes, from the catalog.
fn expected_details(image: &CatalogImage) -> Value {
    let a = &image.attributes;
    let snapshots: Vec<Value> = a
        .snapshots
        .iter()
        .map(|s| {
            json!({
                "snapshot_id": s.snapshot_id,
                "disk_usage": s.disk_usage.name(),
                "disk_size": s.disk_size,
            })
        })
        .collect();
    let tags: serde_json::Map<String, Value> =
        a.tags.iter().map(|t| (t.key.clone(), Value::from(t.value.clone()))).collect();
    json!({
        "snapshots": snapshots,
        "tags": tags,
        "license_type": a.license_type.name(),
        "image_family": (!a.image_family.is_empty()).then(|| a.image_family.clone()),
        "image_deprecated": a.image_deprecated,
        "sync_percent": image.sync_percent(),
    })
}

const DETAILS: [&str; 6] =
    ["snapshots", "tags", "license_type", "image_family", "image_deprecated", "sync_percent"];

#[test]
fn per_image_3_0_attributes_are_the_apis_and_null_under_2_0() {
    // A deprecated build with snapshots, one still being created (sync 0 %), a BYOL image and
    // a shared family build: together they show every attribute with a value.
    let chosen = ["img-wg25c03k", "img-wg25d04k", "img-by22w01n", "img-sp25c20t"];
    let catalog = catalog();
    let ids = serde_json::to_string(&chosen).expect("JSON");
    let body = lookup(&format!(
        "  image_types        = [\"private\", \"shared\"]\n  image_ids          = {ids}\n  \
         include_deprecated = true"
    ));
    let Some((v3, _)) = apply("details_3_0", &body, "3.0") else { return };
    let Some((v2, _)) = apply("details_2_0", &body, "2.0") else { return };
    for id in chosen {
        let image = catalog.iter().find(|i| i.image_id == id).expect("in the catalog");
        let want = expected_details(image);
        let got = element(&v3["images"], id);
        for name in DETAILS {
            assert_eq!(got[name], want[name], "{id}: {name}");
            assert!(element(&v2["images"], id)[name].is_null(), "{id}: {name} under 2.0");
        }
    }
    let byol = element(&v3["images"], "img-by22w01n");
    assert_eq!(byol["license_type"], "BYOL");
    assert!(!byol["snapshots"].as_array().expect("a list").is_empty());
    assert_eq!(element(&v3["images"], "img-wg25c03k")["image_deprecated"], true);
    assert_eq!(element(&v3["images"], "img-wg25d04k")["sync_percent"], 0);
}

#[test]
fn too_many_filters_is_a_validate_error_naming_the_limit() {
    let tags: Vec<String> = (0..10).map(|n| format!("k{n} = \"v\"")).collect();
    let body = lookup(&format!("  image_type = \"private\"\n  tags = {{ {} }}", tags.join(", ")));
    let Some(terraform) = Terraform::new_or_skip("too_many_filters") else { return };
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let sandbox = SandboxEnv::start();
    let run = sandbox.run_as(&terraform, "3.0", &["validate", "-no-color"]);
    assert!(!run.output.status.success(), "validate should fail:\n{}", run.stdout());
    let stderr = one_line(&run.stderr());
    assert!(stderr.contains("Error: Too many filters"), "{stderr}");
    assert!(stderr.contains("at most 10 filters per request"), "{stderr}");
    assert!(stderr.contains("This lookup needs 11 (10 tag(s) and 1 other)"), "{stderr}");
    assert!(stderr.contains("so use at most 9 tag(s)"), "{stderr}");
    assert!(stderr.contains("tags"), "at the attribute: {stderr}");
    assert!(sandbox.handle.requests().is_empty(), "validate sends nothing");

    let nine: Vec<String> = (0..9).map(|n| format!("k{n} = \"v\"")).collect();
    let fits = lookup(&format!("  image_type = \"private\"\n  tags = {{ {} }}", nine.join(", ")));
    let Some((outputs, _)) = apply("nine_tags", &fits, "3.0") else { return };
    assert_eq!(output_ids(&outputs), BTreeSet::new(), "no image carries those tags");
}

/// A `qcloud_image_from_family` lookup of `family`, with its id and image as outputs.
fn family(family: &str) -> String {
    format!(
        "data \"qcloud_image_from_family\" \"f\" {{\n  image_family = \"{family}\"\n}}\n\
         output \"image_id\" {{ value = data.qcloud_image_from_family.f.image_id }}\n\
         output \"image\" {{ value = data.qcloud_image_from_family.f.image }}\n"
    )
}

/// The image `DescribeImageFromFamily` must answer: the newest usable build of the family.
fn latest_of(family: &str) -> Option<CatalogImage> {
    catalog()
        .into_iter()
        .filter(|i| i.attributes.image_family == family)
        .filter(|i| i.status == ImageStatus::Normal && !deprecated(i))
        .max_by(|a, b| a.create_time.cmp(&b.create_time))
}

#[test]
fn a_family_gives_its_latest_usable_image_whole() {
    let latest = latest_of("web-golden").expect("web-golden has a usable build");
    let newer = catalog().into_iter().filter(|i| i.attributes.image_family == "web-golden");
    assert!(
        newer.filter(|i| i.create_time > latest.create_time).count() >= 2,
        "newer builds exist that must be passed over"
    );
    let Some((outputs, requests)) = apply("family", &family("web-golden"), "3.0") else { return };
    assert_eq!(outputs["image_id"]["value"], latest.image_id.as_str());
    let image = &outputs["image"]["value"];
    assert_eq!(image["image_id"], latest.image_id.as_str());
    assert_eq!(image["image_name"], latest.image_name.as_str());
    assert_eq!(image["image_family"], "web-golden");
    assert_eq!(image["image_deprecated"], false);
    assert_eq!(image["status"], "normal");
    assert_eq!(requests.len(), 1, "one call: {requests:?}");
}

#[test]
fn a_family_with_no_usable_image_names_the_family_and_region() {
    for name in ["legacy-app", "no-such-family"] {
        assert!(latest_of(name).is_none(), "{name} has no usable image");
        let Some((stderr, _)) = plan_error("family_empty", &family(name), "3.0") else { return };
        assert!(stderr.contains("Error: No usable image in the family"), "{stderr}");
        let says = format!(
            "The image family \"{name}\" has no image that instances can use in region ap-guangzhou"
        );
        assert!(stderr.contains(&says), "{stderr}");
        assert!(stderr.contains("image_family"), "at the attribute: {stderr}");
    }
}

#[test]
fn the_family_data_source_says_it_needs_3_0() {
    let Some((stderr, requests)) = plan_error("family_2_0", &family("web-golden"), "2.0") else {
        return;
    };
    assert!(
        stderr.contains("Error: qcloud_image_from_family needs api_version = \"3.0\""),
        "{stderr}"
    );
    assert!(stderr.contains("QCLOUD_API_VERSION=3.0"), "{stderr}");
    assert!(requests.is_empty(), "nothing is sent: {requests:?}");
}
