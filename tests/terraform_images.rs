//! End to end: the real `terraform` runs `qcloud_images` and the functions against the built
//! provider and an in-process sandbox API.

mod common;

use common::terraform::Run;
use common::{SandboxEnv, Terraform};
use qcloud_sandbox::ImageType;

use common::terraform::HEADER;

/// A Terraform working directory with `main.tf` = provider header + `body`, and a sandbox.
fn setup(test: &str, body: &str) -> Option<(Terraform, SandboxEnv)> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    Some((terraform, SandboxEnv::start()))
}

fn apply(terraform: &Terraform, sandbox: &SandboxEnv) -> serde_json::Value {
    let run = sandbox.run(terraform, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    run.assert_success("terraform apply");
    let output = sandbox.run(terraform, &["output", "-json"]);
    output.assert_success("terraform output");
    serde_json::from_str(&output.stdout()).expect("terraform output -json is JSON")
}

fn plan_failure(terraform: &Terraform, sandbox: &SandboxEnv) -> Run {
    let run = sandbox.run(terraform, &["plan", "-input=false", "-no-color"]);
    assert!(!run.output.status.success(), "plan should fail:\n{}", run.stdout());
    run
}

fn public_ids(sandbox: &SandboxEnv) -> Vec<String> {
    let catalog = sandbox.handle.catalog();
    let images = catalog.images().iter().filter(|i| i.image_type == ImageType::Public);
    images.map(|i| i.image_id.clone()).collect()
}

#[test]
fn lists_every_public_image() {
    let body = r#"
data "qcloud_images" "all" {
  image_type = "public"
}
output "ids" { value = data.qcloud_images.all.ids }
output "total" { value = data.qcloud_images.all.total_count }
output "first" { value = data.qcloud_images.all.images[0] }
"#;
    let Some((terraform, sandbox)) = setup("lists_every_public_image", body) else { return };
    let outputs = apply(&terraform, &sandbox);
    let mut ids: Vec<String> = serde_json::from_value(outputs["ids"]["value"].clone()).unwrap();
    assert_eq!(outputs["total"]["value"], ids.len());
    ids.sort();
    let mut expected = public_ids(&sandbox);
    expected.sort();
    assert_eq!(ids, expected);
    let first = &outputs["first"]["value"];
    assert_eq!(first["image_type"], "public");
    assert!(first["create_time"].as_str().is_some_and(|t| t.ends_with("+08:00")), "{first}");
}

#[test]
fn most_recent_with_name_regex_picks_the_newest_match() {
    let body = r#"
data "qcloud_images" "centos" {
  image_type  = 2
  name_regex  = "^CentOS 6\\."
  most_recent = true
}
output "id" { value = data.qcloud_images.centos.image_id }
output "name" { value = data.qcloud_images.centos.image_name }
output "ids" { value = data.qcloud_images.centos.ids }
"#;
    let Some((terraform, sandbox)) = setup("most_recent_with_name_regex", body) else { return };
    let outputs = apply(&terraform, &sandbox);
    let catalog = sandbox.handle.catalog();
    let newest = catalog
        .images()
        .iter()
        .filter(|i| i.image_type == ImageType::Public && i.image_name.starts_with("CentOS 6."))
        .max_by(|a, b| a.create_time.cmp(&b.create_time).then(b.image_id.cmp(&a.image_id)))
        .expect("the catalog has CentOS 6 images");
    assert_eq!(outputs["id"]["value"], newest.image_id.as_str());
    assert_eq!(outputs["name"]["value"], newest.image_name.as_str());
    assert_eq!(outputs["ids"]["value"][0], newest.image_id.as_str());
}

#[test]
fn more_than_ten_ids_are_fetched_in_batches() {
    let Some(terraform) = Terraform::new_or_skip("more_than_ten_ids") else { return };
    let sandbox = SandboxEnv::start();
    let ids: Vec<String> = public_ids(&sandbox).into_iter().take(13).collect();
    let body = format!(
        "data \"qcloud_images\" \"some\" {{\n  image_type = \"public\"\n  image_ids = {ids:?}\n}}\n\
         output \"ids\" {{ value = data.qcloud_images.some.ids }}\n"
    );
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let outputs = apply(&terraform, &sandbox);
    let mut got: Vec<String> = serde_json::from_value(outputs["ids"]["value"].clone()).unwrap();
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want);
    let batches: Vec<usize> = sandbox
        .handle
        .requests()
        .iter()
        .map(|r| r.params.keys().filter(|k| k.starts_with("imageIds.")).count())
        .collect();
    assert!(batches.iter().all(|&n| n <= 10), "{batches:?}");
    assert_eq!(batches.iter().sum::<usize>() % 13, 0, "{batches:?}");
}

#[test]
fn result_output_file_holds_the_images() {
    let Some(terraform) = Terraform::new_or_skip("result_output_file") else { return };
    let sandbox = SandboxEnv::start();
    let path = terraform.dir().join("out/nested/images.json");
    let body = format!(
        "data \"qcloud_images\" \"few\" {{\n  image_type = \"public\"\n  max_results = 3\n  \
         result_output_file = {:?}\n}}\noutput \"ids\" {{ value = data.qcloud_images.few.ids }}\n",
        path.display().to_string()
    );
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    let outputs = apply(&terraform, &sandbox);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the file was written")).unwrap();
    let ids: Vec<&str> =
        written.as_array().unwrap().iter().map(|i| i["image_id"].as_str().unwrap()).collect();
    assert_eq!(serde_json::json!(ids), outputs["ids"]["value"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(qcloud_sandbox::SANDBOX_SECRET_KEY));
}

#[test]
fn bad_regex_fails_at_plan_pointing_at_name_regex() {
    let body = r#"
data "qcloud_images" "bad" {
  image_type = "public"
  name_regex = "CentOS (7"
}
"#;
    let Some((terraform, sandbox)) = setup("bad_regex", body) else { return };
    let run = plan_failure(&terraform, &sandbox);
    let stderr = run.stderr();
    assert!(stderr.contains("name_regex"), "{stderr}");
    assert!(stderr.contains("on main.tf line"), "{stderr}");
    assert!(stderr.to_lowercase().contains("regex"), "{stderr}");
    assert_eq!(sandbox.handle.request_count(), 0, "validation must not call the API");
}

#[test]
fn name_regex_from_an_unknown_value_is_read_at_apply() {
    let body = r#"
resource "terraform_data" "pattern" {
  input = "^Ubuntu"
}
data "qcloud_images" "late" {
  image_type  = "public"
  name_regex  = terraform_data.pattern.output
  most_recent = true
}
output "name" { value = data.qcloud_images.late.image_name }
"#;
    let Some((terraform, sandbox)) = setup("unknown_name_regex", body) else { return };
    let plan = sandbox.run(&terraform, &["plan", "-input=false", "-no-color"]);
    plan.assert_success("terraform plan");
    assert!(plan.stdout().contains("known after apply"), "{}", plan.stdout());
    let outputs = apply(&terraform, &sandbox);
    assert!(
        outputs["name"]["value"].as_str().is_some_and(|n| n.starts_with("Ubuntu")),
        "{outputs}"
    );
}

#[test]
fn identical_queries_are_listed_once() {
    let mut body = String::new();
    for i in 0..5 {
        body.push_str(&format!(
            "data \"qcloud_images\" \"same{i}\" {{\n  image_type = \"public\"\n}}\n"
        ));
    }
    body.push_str("output \"n\" { value = data.qcloud_images.same4.total_count }\n");
    let Some((terraform, sandbox)) = setup("identical_queries", &body) else { return };
    let outputs = apply(&terraform, &sandbox);
    let total = outputs["n"]["value"].as_u64().unwrap();
    let pages = total.div_ceil(100).max(1);
    assert_eq!(sandbox.handle.request_count(), pages);
}

#[test]
fn functions_work_in_outputs_and_console() {
    let body = r#"
output "pinned" { value = provider::qcloud::public_image_id("centos   7.2 64-BIT") }
output "count" { value = length(provider::qcloud::public_images()) }
"#;
    let Some((terraform, sandbox)) = setup("functions", body) else { return };
    let outputs = apply(&terraform, &sandbox);
    assert_eq!(outputs["pinned"]["value"], "img-31tjrtph");
    assert_eq!(outputs["count"]["value"], qcloud_provider::functions::entries().len());
    let mut console = sandbox.command(&terraform, &["console"]);
    console.stdin(std::process::Stdio::piped());
    let mut child = console
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("terraform console starts");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "provider::qcloud::public_image_id(\"Debian 8.2 64-bit\")").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"img-hi93l4ht\"");
}

#[test]
fn unknown_public_image_name_suggests_close_ones() {
    let body = r#"
output "typo" { value = provider::qcloud::public_image_id("CentOS 7.3 64-bit") }
"#;
    let Some((terraform, sandbox)) = setup("did_you_mean", body) else { return };
    let run = plan_failure(&terraform, &sandbox);
    let stderr = run.stderr().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(stderr.contains("Did you mean"), "{stderr}");
    assert!(stderr.contains("\"CentOS 7.2 64-bit\""), "{stderr}");
    assert!(stderr.contains("on main.tf line"), "{stderr}");
    assert!(!stderr.contains(".."), "{stderr}");
}

/// Plan errors with Terraform's line wrapping undone.
fn one_line(run: &Run) -> String {
    run.stderr().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn short_forms_that_fit_one_image_resolve() {
    let body = r#"
output "centos" { value = provider::qcloud::public_image_id("CentOS 7.2") }
output "debian" { value = provider::qcloud::public_image_id("debian 8.2 64") }
output "ubuntu_i386" { value = provider::qcloud::public_image_id("ubuntu 14.04 i386") }
"#;
    let Some((terraform, sandbox)) = setup("short_forms", body) else { return };
    let outputs = apply(&terraform, &sandbox);
    assert_eq!(outputs["centos"]["value"], "img-31tjrtph");
    assert_eq!(outputs["debian"]["value"], "img-hi93l4ht");
    assert_eq!(outputs["ubuntu_i386"]["value"], "img-qpxvpujt");
}

#[test]
fn an_ambiguous_short_form_fails_the_plan_listing_the_candidates() {
    let body = r#"
output "ubuntu" { value = provider::qcloud::public_image_id("Ubuntu 14.04") }
"#;
    let Some((terraform, sandbox)) = setup("ambiguous_short_form", body) else { return };
    let stderr = one_line(&plan_failure(&terraform, &sandbox));
    let want = "\"Ubuntu 14.04\" fits 2 public images in the catalog: \
                \"Ubuntu Server 14.04.1 LTS 32-bit\" (img-qpxvpujt) and \
                \"Ubuntu Server 14.04.1 LTS 64-bit\" (img-3wnd9xpl). Give more of the name";
    assert!(stderr.contains(want), "{stderr}");
    assert!(stderr.contains("on main.tf line"), "{stderr}");
}

#[test]
fn suggestions_for_an_unknown_version_name_the_same_os_family_first() {
    let body = r#"
output "ubuntu" { value = provider::qcloud::public_image_id("Ubuntu 22.04") }
"#;
    let Some((terraform, sandbox)) = setup("suggestions_same_family", body) else { return };
    let stderr = one_line(&plan_failure(&terraform, &sandbox));
    let taken = qcloud_provider::functions::catalog_taken();
    let intro = format!(
        "no public image named \"Ubuntu 22.04\" in the catalog (taken {taken}; it holds only \
         the public images of that listing)"
    );
    assert!(stderr.contains(&intro), "{stderr}");
    assert!(stderr.contains("find newer images with the qcloud_images data source"), "{stderr}");
    let (_, hint) = stderr.split_once("Did you mean ").expect("suggestions");
    let suggested: Vec<&str> = hint.split('"').skip(1).step_by(2).take(3).collect();
    assert_eq!(
        suggested,
        [
            "Ubuntu Server 14.04.1 LTS 32-bit",
            "Ubuntu Server 14.04.1 LTS 64-bit",
            "Ubuntu Server 12.04 LTS 64-bit (Docker)"
        ],
        "{stderr}"
    );
}

#[test]
fn every_pin_resolves_to_a_sandbox_image_of_that_name_over_api_3_0() {
    let body = r#"
data "qcloud_images" "pins" {
  image_type = "public"
  image_ids  = values(provider::qcloud::public_images())
}
output "served" {
  value = { for image in data.qcloud_images.pins.images : image.image_id => image.image_name }
}
output "catalog" { value = provider::qcloud::public_images() }
"#;
    let Some((terraform, sandbox)) = setup("pins_resolve", body) else { return };
    let mut command =
        sandbox.command(&terraform, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    command.env("QCLOUD_API_VERSION", "3.0").env("QCLOUD_ENDPOINT", sandbox.handle.url_3_0());
    Terraform::run_command(command).assert_success("terraform apply over API 3.0");
    let output = sandbox.run(&terraform, &["output", "-json"]);
    output.assert_success("terraform output");
    let outputs: serde_json::Value = serde_json::from_str(&output.stdout()).expect("JSON");
    let catalog = outputs["catalog"]["value"].as_object().expect("a map");
    let served = outputs["served"]["value"].as_object().expect("a map");
    assert_eq!(catalog.len(), qcloud_provider::functions::entries().len());
    assert_eq!(served.len(), catalog.len(), "every pin is served once");
    for (name, id) in catalog {
        let id = id.as_str().expect("an id");
        assert_eq!(served.get(id).and_then(|n| n.as_str()), Some(name.as_str()), "{id}");
    }
}
