//! The real `terraform` CLI against the built provider, offline through `dev_overrides`.
//! Expectations come from `QcloudProvider::new().schema()`, so they hold as the schema grows.
//!
//! Skipped (with a message) when `terraform` is not on PATH, unless
//! `QCLOUD_REQUIRE_TERRAFORM=1`, which turns a missing `terraform` into a failure.

mod common;

use std::collections::BTreeSet;

use common::Terraform;
use common::terraform::PROVIDER_ONLY;
use qcloud_provider::PROVIDER_ADDRESS;
use qcloud_provider::provider::{Provider, QcloudProvider};
use serde_json::Value;

/// The keys of a JSON object (none when the member is absent, as Terraform omits empty ones).
fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().map(|object| object.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn providers_schema_json_shows_the_provider_its_data_sources_and_functions() {
    let Some(terraform) = Terraform::new_or_skip("providers_schema_json") else { return };
    terraform.write("main.tf", PROVIDER_ONLY);
    let run = terraform.run(&["providers", "schema", "-json"]);
    run.assert_success("terraform providers schema -json");
    let json: Value = serde_json::from_slice(&run.output.stdout).expect("the output is JSON");
    let ours = &json["provider_schemas"][PROVIDER_ADDRESS];
    assert!(ours.is_object(), "{PROVIDER_ADDRESS} missing from {json}");

    let provider = QcloudProvider::new();
    let schema = provider.schema();
    let attributes = keys(&ours["provider"]["block"]["attributes"]);
    let want = schema.provider.block.attributes.iter().map(|a| a.name.clone()).collect();
    assert_eq!(attributes, want);
    assert_eq!(keys(&ours["data_source_schemas"]), schema.data_sources.keys().cloned().collect());
    assert_eq!(keys(&ours["functions"]), schema.functions.keys().cloned().collect());
    assert_eq!(keys(&ours["resource_schemas"]), BTreeSet::new());
}

// Terraform prunes a provider that no data source uses, so this plan starts the provider
// only to read its schema; plans with data sources belong with the data source tests.
#[test]
fn plan_with_the_provider_block_completes() {
    let Some(terraform) = Terraform::new_or_skip("plan_with_the_provider_block") else { return };
    terraform.write("main.tf", PROVIDER_ONLY);
    let run = terraform.run(&["plan", "-input=false", "-no-color"]);
    run.assert_success("terraform plan");
    println!("terraform plan wall time: {:.0} ms", run.elapsed.as_secs_f64() * 1000.0);
    assert!(run.stdout().contains("No changes"), "{}", run.stdout());
}
