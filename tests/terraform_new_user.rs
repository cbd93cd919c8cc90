//! End to end: what a new user trips on, through the real `terraform` against the in-process
//! sandbox: an endpoint that never answers, silent empty or partial results, unusable picks,
//! and error texts that say each thing once and give the right advice.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::terraform::Run;
use common::{SandboxEnv, Terraform};
use qcloud_sandbox::{FaultKind, FaultRule, SandboxConfig, SandboxCredential};

use common::terraform::HEADER;

/// A directory with `main.tf` = provider header + `body`.
fn workspace(test: &str, body: &str) -> Option<Terraform> {
    let terraform = Terraform::new_or_skip(test)?;
    terraform.write("main.tf", &format!("{HEADER}\n{body}"));
    Some(terraform)
}

/// Terraform's output with its line wrapping and box drawing undone, for exact comparisons.
fn flat(run: &Run) -> String {
    let text = format!("{}\n{}", run.stdout(), run.stderr());
    let words = text.split_whitespace().filter(|w| *w != "│" && *w != "╵" && *w != "╷");
    words.collect::<Vec<_>>().join(" ")
}

fn plan(sandbox: &SandboxEnv, terraform: &Terraform) -> Run {
    sandbox.run(terraform, &["plan", "-input=false", "-no-color"])
}

/// A loopback port that accepts connections and never answers on them.
fn dead_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let address = listener.local_addr().expect("bound").to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    address
}

/// Plans a lookup against an endpoint that never answers, with `timeouts` (if any) in the block.
fn plan_against_dead_endpoint(test: &str, timeouts: &str) -> Option<(Run, String)> {
    let body = format!(
        "data \"qcloud_images\" \"x\" {{\n  image_type = \"public\"\n{timeouts}}}\n\
         output \"ids\" {{ value = data.qcloud_images.x.ids }}\n"
    );
    let terraform = workspace(test, &body)?;
    let sandbox = SandboxEnv::start();
    let host = dead_endpoint();
    let mut command = sandbox.command(&terraform, &["plan", "-input=false", "-no-color"]);
    command.env("QCLOUD_ENDPOINT", format!("http://{host}/v2/index.php"));
    Some((Terraform::run_command(command), host))
}

/// Regression: a host that accepted the connection and never answered took 184 s to fail, with
/// the advice to raise request_timeout.
#[test]
fn regression_a_dead_endpoint_fails_within_the_default_budget_saying_what_to_check() {
    let started = Instant::now();
    let Some((run, host)) = plan_against_dead_endpoint("dead_endpoint_default", "") else {
        return;
    };
    let elapsed = started.elapsed();
    assert!(!run.output.status.success());
    assert!(elapsed < Duration::from_secs(75), "took {elapsed:?}");
    assert!(elapsed >= Duration::from_secs(55), "gave up before the budget: {elapsed:?}");
    let expected = format!(
        "DescribeImages failed in region ap-guangzhou: the Tencent Cloud image API at {host} did \
         not answer DescribeImages within the read budget of 60 s (2 attempt(s), the last: the \
         Tencent Cloud image API did not answer within 30 s); check that endpoint is right and \
         that this machine can reach it (proxy, firewall, DNS); if the network is only slow, \
         give the read more time with timeouts {{ read = \"2m\" }}"
    );
    assert!(flat(&run).contains(&expected), "{expected}\nnot in:\n{}", flat(&run));
}

#[test]
fn a_dead_endpoint_with_a_five_second_budget_fails_in_about_five_seconds() {
    let started = Instant::now();
    let timeouts = "  timeouts {\n    read = \"5s\"\n  }\n";
    let Some((run, host)) = plan_against_dead_endpoint("dead_endpoint_5s", timeouts) else {
        return;
    };
    let elapsed = started.elapsed();
    assert!(!run.output.status.success());
    assert!(elapsed < Duration::from_secs(9), "took {elapsed:?}");
    let expected = format!(
        "DescribeImages failed in region ap-guangzhou: the Tencent Cloud image API at {host} did \
         not answer DescribeImages within the read budget of 5 s (1 attempt(s)); check that \
         endpoint is right"
    );
    assert!(flat(&run).contains(&expected), "{expected}\nnot in:\n{}", flat(&run));
}

#[test]
fn one_slow_answer_followed_by_good_ones_still_succeeds() {
    let slow = FaultRule::on_request(1, FaultKind::Slow(Duration::from_millis(2500)));
    let sandbox =
        SandboxEnv::with_config(SandboxConfig { faults: vec![slow], ..Default::default() });
    let Some(terraform) = Terraform::new_or_skip("one_slow_answer") else { return };
    terraform.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    qcloud = { source = "qcloud/qcloud" }
  }
}
provider "qcloud" {
  request_timeout = 1
}
data "qcloud_images" "x" {
  image_type = "public"
  timeouts {
    read = "20s"
  }
}
output "total" { value = data.qcloud_images.x.total_count }
"#,
    );
    let run = sandbox.run(&terraform, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    run.assert_success("apply after one slow answer");
    assert_eq!(sandbox.handle.request_count(), 2, "the slow attempt, then its retry");
}

#[test]
fn empty_ids_and_an_empty_name_regex_are_errors_at_validate() {
    let cases = [
        ("image_ids = []", "Empty image_ids", "Remove it (or set it to null) to list every image"),
        ("name_regex = \"\"", "Empty name_regex", "Remove it to match every name"),
        ("os_name = \"\"", "Empty os_name", "Remove it to match every OS"),
    ];
    for (argument, summary, fix) in cases {
        let body = format!(
            "data \"qcloud_images\" \"x\" {{\n  image_type = \"public\"\n  {argument}\n}}\n"
        );
        let Some(terraform) = workspace("empty_values", &body) else { return };
        let run = terraform.run(&["validate", "-no-color"]);
        assert!(!run.output.status.success(), "{argument} must not validate");
        let text = flat(&run);
        assert!(text.contains(summary) && text.contains(fix), "{argument}: {text}");
        assert!(text.contains(argument), "{argument}: the error points at it: {text}");
    }
}

/// Regression: 16 ids with one unknown gave 15 images and no word; 200 unknown ids gave an
/// empty success.
#[test]
fn regression_ids_the_api_does_not_return_are_named_in_a_warning() {
    let sandbox = SandboxEnv::start();
    let catalog = sandbox.handle.catalog();
    let public: Vec<String> = catalog
        .images()
        .iter()
        .filter(|i| i.image_type == qcloud_sandbox::ImageType::Public)
        .map(|i| i.image_id.clone())
        .take(15)
        .collect();
    let mut ids = public.clone();
    ids.push("img-zzzzzzzz".into());
    let unknown: Vec<String> = (0..200).map(|n| format!("img-zz{n:06}")).collect();
    let cases = [
        (ids, "1 of 16 image ids not found", "The API returned no image for img-zzzzzzzz."),
        (unknown, "200 of 200 image ids not found", "img-zz000004 and 195 more"),
    ];
    for (ids, summary, detail) in cases {
        let body = format!(
            "data \"qcloud_images\" \"x\" {{\n  image_type = \"public\"\n  image_ids = {ids:?}\n}}\n\
             output \"total\" {{ value = data.qcloud_images.x.total_count }}\n"
        );
        let Some(terraform) = workspace("missing_ids", &body) else { return };
        let run = sandbox.run(&terraform, &["apply", "-auto-approve", "-input=false", "-no-color"]);
        run.assert_success("apply");
        let text = flat(&run);
        assert!(text.contains("Warning:") && text.contains(summary), "{text}");
        assert!(text.contains(detail), "{detail}\nnot in: {text}");
    }
}

/// Regression: `most_recent` picked a private image that was still syncing.
#[test]
fn regression_most_recent_picks_a_usable_image_and_shows_it_whole() {
    let body = r#"
data "qcloud_images" "web" {
  image_type  = "private"
  name_regex  = "web"
  most_recent = true
}
output "id" { value = data.qcloud_images.web.image_id }
output "image" { value = data.qcloud_images.web.image }
output "total" { value = data.qcloud_images.web.total_count }
"#;
    let Some(terraform) = workspace("usable_pick", body) else { return };
    let sandbox = SandboxEnv::start();
    let run = sandbox.run(&terraform, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    run.assert_success("apply");
    let output = sandbox.run(&terraform, &["output", "-json"]);
    let outputs: serde_json::Value = serde_json::from_str(&output.stdout()).expect("JSON");
    let catalog = sandbox.handle.catalog();
    let usable = catalog
        .images()
        .iter()
        .filter(|i| i.image_type == qcloud_sandbox::ImageType::Private)
        .filter(|i| i.image_name.contains("web"))
        .filter(|i| {
            matches!(
                i.status,
                qcloud_sandbox::ImageStatus::Normal | qcloud_sandbox::ImageStatus::InUse
            )
        })
        .max_by(|a, b| a.create_time.cmp(&b.create_time).then(b.image_id.cmp(&a.image_id)))
        .expect("a usable web image");
    assert_eq!(outputs["id"]["value"], usable.image_id.as_str());
    let image = &outputs["image"]["value"];
    assert_eq!(image["image_id"], usable.image_id.as_str());
    assert_eq!(image["status"], "normal");
    assert!(image.as_object().is_some_and(|o| o.contains_key("architecture")), "{image}");
    let newer_unusable = catalog.images().iter().any(|i| {
        i.image_type == qcloud_sandbox::ImageType::Private
            && i.image_name.contains("web")
            && i.create_time > usable.create_time
    });
    assert!(newer_unusable, "the catalog has a newer image that cannot be launched yet");
}

#[test]
fn an_error_names_how_many_unusable_images_were_passed_over() {
    let body = r#"
data "qcloud_images" "copy" {
  image_type  = "private"
  name_regex  = "-copy$"
  most_recent = true
}
"#;
    let Some(terraform) = workspace("only_unusable", body) else { return };
    let sandbox = SandboxEnv::start();
    let run = plan(&sandbox, &terraform);
    assert!(!run.output.status.success());
    let text = flat(&run);
    assert!(
        text.contains("1 matching image(s) were skipped because they cannot be launched yet"),
        "{text}"
    );
    assert!(text.contains("set status to pick among them anyway"), "{text}");
}

#[test]
fn an_unknown_region_in_the_block_is_a_warning_with_the_closest_names() {
    let Some(terraform) = Terraform::new_or_skip("unknown_region") else { return };
    terraform.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    qcloud = { source = "qcloud/qcloud" }
  }
}
provider "qcloud" {
  region = "ap-guangzho"
}
data "qcloud_images" "x" {
  image_type = "public"
}
"#,
    );
    let run = terraform.run(&["validate", "-no-color"]);
    run.assert_success("validate: a warning, not an error");
    let text = flat(&run);
    assert!(text.contains("Warning: Unknown region \"ap-guangzho\""), "{text}");
    assert!(text.contains("Did you mean ap-guangzhou"), "{text}");
}

#[test]
fn the_apis_answer_to_an_unknown_region_comes_with_a_hint_under_both_versions() {
    let body = "data \"qcloud_images\" \"x\" {\n  image_type = \"public\"\n}\n";
    let Some(terraform) = workspace("region_error", body) else { return };
    let sandbox = SandboxEnv::start();
    // The API's own codes: 2.0 answers 4000 naming Region; 3.0 answers InvalidParameterValue
    // naming X-TC-Region.
    let cases = [
        ("2.0", sandbox.handle.url(), "code 4000"),
        ("3.0", sandbox.handle.url_3_0(), "code InvalidParameterValue"),
    ];
    for (version, endpoint, code) in cases {
        let mut command = sandbox.command(&terraform, &["plan", "-input=false", "-no-color"]);
        command
            .env("QCLOUD_API_VERSION", version)
            .env("QCLOUD_ENDPOINT", endpoint)
            .env("QCLOUD_REGION", "mars-north-1");
        let run = Terraform::run_command(command);
        assert!(!run.output.status.success(), "{version}");
        let text = flat(&run);
        assert!(text.contains("Warning: Unknown region \"mars-north-1\""), "{version}: {text}");
        assert!(text.contains("DescribeImages failed in region mars-north-1"), "{version}: {text}");
        assert!(text.contains(code) && text.contains("mars-north-1"), "{version}: {text}");
        let hint = "The region is not one the API serves: check region (or QCLOUD_REGION)";
        assert!(text.contains(hint), "{version}: {text}");
    }
}

#[test]
fn error_4104_says_once_that_new_accounts_need_api_3_0() {
    let body = "data \"qcloud_images\" \"x\" {\n  image_type = \"public\"\n}\n";
    let Some(terraform) = workspace("error_4104", body) else { return };
    let sandbox = SandboxEnv::start();
    let mut command = sandbox.command(&terraform, &["plan", "-input=false", "-no-color"]);
    command.env("QCLOUD_SECRET_ID", "AKIDnobodyHasThisId00000000000000");
    let run = Terraform::run_command(command);
    assert!(!run.output.status.success());
    let text = flat(&run);
    assert!(text.contains("code 4104"), "{text}");
    assert!(text.contains("Accounts created since 2023 cannot use API 2.0"), "{text}");
    assert_eq!(text.matches("does not exist").count(), 1, "each sentence once: {text}");
}

#[test]
fn error_4105_tells_a_missing_token_from_a_refused_one() {
    let credential = SandboxCredential::sandbox_default().with_token("the-right-token");
    let config = SandboxConfig { credentials: vec![credential], ..SandboxConfig::default() };
    let sandbox = SandboxEnv::with_config(config);
    let body = "data \"qcloud_images\" \"x\" {\n  image_type = \"public\"\n}\n";
    let Some(terraform) = workspace("error_4105", body) else { return };
    let cases = [
        (None, "No security token was sent"),
        (Some("a-stale-token"), "that was sent was refused"),
    ];
    for (token, advice) in cases {
        let mut command = sandbox.command(&terraform, &["plan", "-input=false", "-no-color"]);
        if let Some(token) = token {
            command.env("QCLOUD_SECURITY_TOKEN", token);
        }
        let run = Terraform::run_command(command);
        assert!(!run.output.status.success());
        let text = flat(&run);
        assert!(text.contains("code 4105") && text.contains(advice), "{token:?}: {text}");
        assert!(!text.contains("a-stale-token"), "the token is never shown: {text}");
    }
}

#[test]
fn an_api_2_0_request_to_a_wrong_address_suggests_the_path_and_the_api_version() {
    let body = "data \"qcloud_images\" \"x\" {\n  image_type = \"public\"\n}\n";
    let Some(terraform) = workspace("wrong_address", body) else { return };
    let sandbox = SandboxEnv::start();
    let root = format!("http://{}", sandbox.handle.local_addr());
    // The server root is the sandbox's API 3.0 endpoint, which asks for a Version; any other
    // path is not the API at all.
    let cases = [
        (root.clone(), "code MissingParameter", "The endpoint speaks API 3.0"),
        (format!("{root}/v2"), "answered HTTP 404", "check that endpoint ends with /v2/index.php"),
    ];
    for (endpoint, what, advice) in cases {
        let mut command = sandbox.command(&terraform, &["plan", "-input=false", "-no-color"]);
        command.env("QCLOUD_ENDPOINT", &endpoint);
        let run = Terraform::run_command(command);
        assert!(!run.output.status.success());
        let text = flat(&run);
        assert!(text.contains(what) && text.contains(advice), "{endpoint}: {text}");
        assert!(text.contains("api_version = \"3.0\""), "{endpoint}: {text}");
        assert!(text.contains("/v2/index.php"), "{endpoint}: {text}");
    }
}
