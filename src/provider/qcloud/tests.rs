use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::watch;

use super::*;
use crate::data_sources::State;
use crate::data_sources::images::{self, schema::attr};
use crate::qcloud::{Credentials, Image};

/// Settings as the real rules would resolve them (region from the block, else the env), with
/// a fixed key and endpoint.
fn settings(raw: &RawSettings, env: &dyn Fn(&str) -> Option<String>) -> Settings {
    let credentials = raw
        .secret_id
        .clone()
        .or_else(|| env("QCLOUD_SECRET_ID"))
        .map(|secret_id| Credentials { secret_id, secret_key: "k".into(), security_token: None });
    let region =
        raw.region.clone().or_else(|| env("QCLOUD_REGION")).unwrap_or("ap-guangzhou".into());
    Settings::builder(ApiVersion::V2)
        .credentials(credentials)
        .region(region)
        .endpoint("http://127.0.0.1:9/v2/index.php")
        .max_retries(0)
        .request_timeout(Duration::from_secs(1))
        .page_concurrency(1)
        .build()
        .expect("test settings are valid")
}

/// A fake image API behind the provider, counting listings; reads may be held at a gate.
struct Fake {
    images: Vec<Image>,
    calls: Mutex<usize>,
    gate: Option<watch::Receiver<usize>>,
}

#[async_trait]
impl Api for Fake {
    async fn describe_images(
        &self,
        _filter: &crate::qcloud::ImageFilter,
        _budget: &crate::qcloud::call::Budget,
    ) -> Result<Arc<Vec<Image>>, crate::qcloud::Error> {
        *self.calls.lock().expect("test lock") += 1;
        if let Some(gate) = &self.gate {
            let mut gate = gate.clone();
            gate.wait_for(|open| *open >= 1).await.expect("gate sender alive");
        }
        Ok(Arc::new(self.images.clone()))
    }

    async fn describe_image_from_family(
        &self,
        _family: &str,
        _budget: &crate::qcloud::call::Budget,
    ) -> Result<Option<Arc<Image>>, crate::qcloud::Error> {
        Ok(None)
    }
}

fn fake(gate: Option<watch::Receiver<usize>>) -> Arc<Fake> {
    let mut image = Image { image_id: "img-aaaaaaaa".into(), ..Image::default() };
    image.image_type = Some(2);
    image.image_name = Some("web".into());
    Arc::new(Fake { images: vec![image], calls: Mutex::new(0), gate })
}

/// A provider over `fake`, an environment map, and a resolver that can be told to fail.
fn provider(fake: Arc<Fake>, env: &[(&str, &str)], failures: Vec<SettingError>) -> QcloudProvider {
    let env: HashMap<String, String> =
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let connect_fake = fake.clone();
    QcloudProvider::with_backend(Backend {
        env: Arc::new(move |name| env.get(name).cloned()),
        resolve: Arc::new(move |raw, env| {
            if failures.is_empty() { Ok(settings(&raw, env)) } else { Err(failures.clone()) }
        }),
        connect: Arc::new(move |_| Ok(connect_fake.clone() as Arc<dyn Api>)),
    })
}

fn block(pairs: &[(&str, Value)]) -> Value {
    let names = crate::provider::block::schema().block.attributes.into_iter().map(|a| a.name);
    let mut attributes: BTreeMap<String, Value> = names.map(|n| (n, Value::Null)).collect();
    for (name, value) in pairs {
        attributes.insert(name.to_string(), value.clone());
    }
    Value::Object(attributes)
}

fn images_config(pairs: &[(&str, Value)]) -> Value {
    let names = images::schema::schema().block.attributes.into_iter().map(|a| a.name);
    let mut attributes: BTreeMap<String, Value> = names.map(|n| (n, Value::Null)).collect();
    attributes.insert(attr::IMAGE_TYPE.into(), "public".into());
    for (name, value) in pairs {
        attributes.insert(name.to_string(), value.clone());
    }
    Value::Object(attributes)
}

fn paths(diagnostics: &Diagnostics) -> Vec<Option<String>> {
    diagnostics.0.iter().map(|d| d.attribute.as_ref().map(ToString::to_string)).collect()
}

async fn read(provider: &QcloudProvider, config: &Value) -> ReadOutcome {
    provider.read_data_source(images::TYPE_NAME, config, CancellationToken::new()).await
}

/// A read's state as a value; panics when the read failed.
fn state_value(state: Option<State>) -> Value {
    match state.expect("state") {
        State::Value(value) => value,
        State::Msgpack(bytes) => {
            let ty = images::schema::schema().block.value_type();
            crate::cty::decode_msgpack(&bytes, &ty).expect("the state decodes")
        }
    }
}

#[test]
fn schema_serves_the_block_the_data_source_and_both_functions() {
    let provider = QcloudProvider::new();
    let schema = provider.schema();
    assert_eq!(schema.provider.block.attributes.len(), 11);
    assert!(schema.data_sources.contains_key("qcloud_images"));
    let functions: Vec<&str> = schema.functions.keys().map(String::as_str).collect();
    assert_eq!(functions, ["public_image_id", "public_images"]);
}

#[tokio::test]
async fn configure_then_read_uses_the_configured_region() {
    let fake = fake(None);
    let provider = provider(fake.clone(), &[("QCLOUD_REGION", "ap-chengdu")], Vec::new());
    assert!(provider.configure(&block(&[("secret_id", "AKID".into())])).await.is_empty());
    let outcome = read(&provider, &images_config(&[])).await;
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let state = state_value(outcome.state);
    let id = state.get_attr(attr::ID).cloned();

    assert!(provider.configure(&block(&[("region", "ap-chengdu".into())])).await.is_empty());
    let same_region = state_value(read(&provider, &images_config(&[])).await.state);
    assert_eq!(same_region.get_attr(attr::ID).cloned(), id, "env and block give one region");
    assert!(provider.configure(&block(&[("region", "ap-beijing".into())])).await.is_empty());
    let other_region = state_value(read(&provider, &images_config(&[])).await.state);
    assert_ne!(other_region.get_attr(attr::ID).cloned(), id);
}

#[tokio::test]
async fn twenty_concurrent_identical_reads_through_the_provider_list_once() {
    let (open, gate) = watch::channel(0);
    let fake = fake(Some(gate));
    let provider = provider(fake.clone(), &[], Vec::new());
    assert!(provider.configure(&block(&[])).await.is_empty());
    let config = images_config(&[]);
    // On this single-threaded runtime the first poll of join_all starts all 20 reads, and the
    // gate opens only after that poll (yield_now), so every read is in flight at once.
    let reads = join_all((0..20).map(|_| read(&provider, &config)));
    let opener = async {
        tokio::task::yield_now().await;
        open.send_replace(1);
    };
    let (outcomes, ()) = tokio::join!(reads, opener);
    assert_eq!(*fake.calls.lock().expect("test lock"), 1);
    assert!(outcomes.iter().all(|o| o.state.is_some()));
}

#[tokio::test]
async fn listings_are_cached_per_configuration() {
    let fake = fake(None);
    let provider = provider(fake.clone(), &[], Vec::new());
    let config = images_config(&[]);
    assert!(provider.configure(&block(&[])).await.is_empty());
    read(&provider, &config).await.state.expect("state");
    read(&provider, &config).await.state.expect("state");
    assert_eq!(*fake.calls.lock().expect("test lock"), 1);
    assert!(provider.configure(&block(&[])).await.is_empty());
    read(&provider, &config).await.state.expect("state");
    assert_eq!(*fake.calls.lock().expect("test lock"), 2, "reconfiguring clears the cache");
}

#[tokio::test]
async fn read_before_configure_or_after_a_failed_one_is_an_error() {
    let failing = vec![SettingError { setting: "max_retries", message: "too many".into() }];
    let provider = provider(fake(None), &[], failing);
    let outcome = read(&provider, &images_config(&[])).await;
    assert!(outcome.state.is_none());
    assert!(outcome.diagnostics.0[0].summary.contains("not configured"));
    let diagnostics = provider.configure(&block(&[("max_retries", 99.into())])).await;
    assert_eq!(paths(&diagnostics), [Some("max_retries".into())]);
    assert_eq!(diagnostics.0[0].detail, "too many");
    assert!(read(&provider, &images_config(&[])).await.state.is_none());
}

#[tokio::test]
async fn unknown_values_at_configure_are_errors_at_their_path() {
    let provider = provider(fake(None), &[], Vec::new());
    let diagnostics = provider.configure(&block(&[("secret_key", Value::Unknown)])).await;
    assert_eq!(paths(&diagnostics), [Some("secret_key".into())]);
    assert!(diagnostics.0[0].detail.contains("must be known"));
}

#[tokio::test]
async fn missing_credentials_are_reported_at_the_first_read_that_needs_them() {
    // The real connector (API client) with settings that carry no credentials.
    let provider = QcloudProvider::with_backend(Backend {
        env: Arc::new(|_| None),
        resolve: Arc::new(|raw, env| Ok(settings(&raw, env))),
        connect: Backend::real().connect,
    });
    assert!(provider.configure(&block(&[])).await.is_empty(), "not an error at configure");
    let outcome = read(&provider, &images_config(&[])).await;
    assert!(outcome.state.is_none());
    let diagnostic = &outcome.diagnostics.0[0];
    assert_eq!(diagnostic.severity, Severity::Error);
    for name in ["secret_id", "secret_key", "QCLOUD_SECRET_ID", "QCLOUD_SECRET_KEY"] {
        assert!(diagnostic.detail.contains(name), "{name} missing: {}", diagnostic.detail);
    }
    // A read that needs no listing still works without credentials.
    assert!(provider.configure(&block(&[("region", "na-ashburn".into())])).await.is_empty());
    let config = images_config(&[(attr::IMAGE_TYPE, "marketplace".into())]);
    assert!(read(&provider, &config).await.state.is_some());
}

#[test]
fn provider_validation_reports_only_what_the_block_sets() {
    let failures = vec![
        SettingError { setting: "max_retries", message: "must be at most 10".into() },
        SettingError { setting: "region", message: "QCLOUD_REGION is not a region".into() },
    ];
    let provider = provider(fake(None), &[], failures);
    let diagnostics = provider.validate_provider_config(&block(&[("max_retries", 50.into())]));
    assert_eq!(paths(&diagnostics), [Some("max_retries".into())]);
    let diagnostics = provider.validate_provider_config(&block(&[("region", Value::Unknown)]));
    assert!(diagnostics.is_empty(), "unknown values pass: {diagnostics:?}");
    let diagnostics = provider.validate_provider_config(&block(&[(
        "request_timeout",
        Value::Number(crate::cty::Number::Float(0.5)),
    )]));
    assert_eq!(paths(&diagnostics), [Some("request_timeout".into())]);
}

#[test]
fn provider_validation_passes_good_blocks() {
    let provider = provider(fake(None), &[], Vec::new());
    let config = block(&[("region", "ap-shanghai".into()), ("max_retries", 2.into())]);
    assert!(provider.validate_provider_config(&config).is_empty());
}

#[test]
fn data_source_validation_is_dispatched() {
    let provider = QcloudProvider::new();
    assert!(provider.validate_data_source("qcloud_images", &images_config(&[])).is_empty());
    let bad = images_config(&[(attr::NAME_REGEX, "(".into()), (attr::MAX_RESULTS, 0.into())]);
    let diagnostics = provider.validate_data_source("qcloud_images", &bad);
    assert_eq!(paths(&diagnostics), [Some("name_regex".into()), Some("max_results".into())]);
    let unknown = images_config(&[(attr::NAME_REGEX, Value::Unknown)]);
    assert!(provider.validate_data_source("qcloud_images", &unknown).is_empty());
    let diagnostics = provider.validate_data_source("qcloud_instances", &bad);
    assert!(diagnostics.0[0].detail.contains("qcloud_instances"));
}

#[tokio::test]
async fn reading_an_unknown_data_source_is_an_error() {
    let provider = QcloudProvider::new();
    let outcome = provider.read_data_source("nope", &Value::Null, CancellationToken::new()).await;
    assert!(outcome.state.is_none() && outcome.diagnostics.has_errors());
}

#[tokio::test]
async fn result_output_file_tilde_comes_from_home() {
    let home = tempfile::tempdir().expect("temp dir");
    let home_text = home.path().to_str().expect("utf-8").to_string();
    let provider = provider(fake(None), &[("HOME", &home_text)], Vec::new());
    assert!(provider.configure(&block(&[])).await.is_empty());
    let config = images_config(&[(attr::RESULT_OUTPUT_FILE, "~/images.json".into())]);
    assert!(read(&provider, &config).await.state.is_some());
    assert!(home.path().join("images.json").exists());
}

#[test]
fn functions_work_without_configuration() {
    let provider = QcloudProvider::new();
    let id = provider.call_function("public_image_id", &["centos 7.2 64-bit".into()]);
    assert_eq!(id, Ok("img-31tjrtph".into()));
    let error = provider.call_function("public_image_id", &["CentOS 7.3".into()]).unwrap_err();
    assert_eq!(error.argument, Some(0));
    assert!(error.text.contains("Did you mean"), "{}", error.text);
    assert!(matches!(provider.call_function("public_images", &[]), Ok(Value::Map(_))));
    assert!(provider.call_function("nope", &[]).is_err());
}

#[test]
fn debug_output_shows_no_settings() {
    let provider = QcloudProvider::new();
    assert_eq!(format!("{provider:?}"), "QcloudProvider { configured_region: None }");
}

/// Regression: a mistyped region passed silently and listed images.
#[tokio::test]
async fn regression_an_unknown_region_is_a_warning_naming_the_closest_ones() {
    let validating = provider(fake(None), &[], Vec::new());
    let diagnostics =
        validating.validate_provider_config(&block(&[("region", "ap-guangzho".into())]));
    assert_eq!(paths(&diagnostics), [Some("region".into())]);
    let warning = &diagnostics.0[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.detail.contains("Did you mean ap-guangzhou"), "{}", warning.detail);
    let known = validating.validate_provider_config(&block(&[("region", "ap-shanghai".into())]));
    assert!(known.is_empty(), "{known:?}");
    // From the environment, it is judged when the provider is configured; it still works.
    let from_env = provider(fake(None), &[("QCLOUD_REGION", "mars-north-1")], Vec::new());
    let diagnostics = from_env.configure(&block(&[])).await;
    assert_eq!(diagnostics.0.len(), 1);
    assert_eq!(diagnostics.0[0].severity, Severity::Warning);
    assert!(!diagnostics.has_errors());
    assert!(read(&from_env, &images_config(&[])).await.state.is_some(), "a warning only");
}
