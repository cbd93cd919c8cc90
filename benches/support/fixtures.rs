//! The workload every benchmark measures: synthetic images from the sandbox's generator, the
//! API's own answer bodies for them, and `qcloud_images` configurations.
//!
//! Everything is derived from a fixed seed, so two runs measure the same bytes.

use std::collections::BTreeMap;

use qcloud_provider::cty::{Number, Type, Value};
use qcloud_provider::data_sources::images;
use qcloud_provider::provider::{Provider, QcloudProvider};
use qcloud_provider::qcloud::images::parse_page_answer;
use qcloud_provider::qcloud::{ApiVersion, Credentials, Image, Settings};
use qcloud_sandbox::catalog::Page;
use qcloud_sandbox::v2::success_json;
use qcloud_sandbox::{
    Catalog, SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, SandboxHandle,
};

/// Seed of every synthetic catalog.
pub const SEED: u64 = 7;
/// Images per page, as the client asks for them.
pub const PAGE_SIZE: usize = 100;
/// The workload: 10,000 images, 100 full pages.
pub const IMAGES: usize = 10_000;

/// `count` synthetic private images.
pub fn catalog(count: usize) -> Catalog {
    Catalog::synthetic(count, SEED)
}

/// The body the sandbox answers page `index` (0-based) of `catalog` with.
pub fn page_body(catalog: &Catalog, index: usize) -> String {
    let all = catalog.images();
    let start = (index * PAGE_SIZE).min(all.len());
    let end = (start + PAGE_SIZE).min(all.len());
    let page = Page { total_count: all.len(), images: all[start..end].to_vec() };
    success_json(&page, all.len() as u64)
}

/// What a listing of `catalog` returns: every page's body parsed by the client's parser.
pub fn listed_images(catalog: &Catalog) -> Vec<Image> {
    let pages = catalog.len().div_ceil(PAGE_SIZE);
    let mut images = Vec::with_capacity(catalog.len());
    for index in 0..pages {
        let body = page_body(catalog, index);
        let page =
            parse_page_answer(ApiVersion::V2, 200, body.as_bytes()).expect("sandbox bodies parse");
        images.extend(page.images);
    }
    images
}

/// A `qcloud_images` config object: every attribute null unless given in `pairs`.
pub fn images_config(pairs: &[(&str, Value)]) -> Value {
    let mut attributes: BTreeMap<String, Value> = images::schema::schema()
        .block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .collect();
    for (name, value) in pairs {
        assert!(attributes.contains_key(*name), "{name} is not a qcloud_images attribute");
        attributes.insert((*name).to_string(), value.clone());
    }
    Value::Object(attributes)
}

/// Every private image, no client-side filter: the whole listing ends up in the state.
pub fn all_private_config() -> Value {
    images_config(&[("image_type", "private".into())])
}

/// A typical pinned lookup: a name regex matching about a fifth of the images, newest first,
/// and the `most_recent` pick.
pub fn newest_web_server_config() -> Value {
    images_config(&[
        ("image_type", "private".into()),
        ("name_regex", "^web-server-20(19|20)-".into()),
        ("most_recent", true.into()),
    ])
}

/// API 2.0 client settings for `sandbox`: its credential, its URL, no retries.
pub fn sandbox_settings(
    sandbox: &SandboxHandle,
    page_concurrency: usize,
    requests_per_second: f64,
) -> Settings {
    settings(ApiVersion::V2, sandbox.url(), page_concurrency, requests_per_second)
}

/// Client settings for a sandbox reached at `endpoint` in `version`: its credential, no
/// retries.
pub fn settings(
    version: ApiVersion,
    endpoint: String,
    page_concurrency: usize,
    requests_per_second: f64,
) -> Settings {
    let credentials = Credentials {
        secret_id: SANDBOX_SECRET_ID.to_string(),
        secret_key: SANDBOX_SECRET_KEY.to_string(),
        security_token: None,
    };
    Settings::builder(version)
        .credentials(Some(credentials))
        .region(SANDBOX_REGION)
        .endpoint(endpoint)
        .max_retries(0)
        .requests_per_second(requests_per_second)
        .page_concurrency(page_concurrency)
        .build()
        .expect("benchmark settings are valid")
}

/// The provider block's type.
pub fn provider_type() -> Type {
    QcloudProvider::new().schema().provider.block.value_type()
}

/// The `qcloud_images` block's type.
pub fn images_type() -> Type {
    images::schema::schema().block.value_type()
}

/// A provider block for the sandbox at `endpoint`: its credential, `page_concurrency` pages
/// at once, and no rate limit in the way.
pub fn provider_config(endpoint: &str, page_concurrency: i64) -> Value {
    let mut attributes: BTreeMap<String, Value> = QcloudProvider::new()
        .schema()
        .provider
        .block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .collect();
    let mut set = |name: &str, value: Value| attributes.insert(name.to_string(), value);
    set("secret_id", SANDBOX_SECRET_ID.into());
    set("secret_key", SANDBOX_SECRET_KEY.into());
    set("region", SANDBOX_REGION.into());
    set("endpoint", endpoint.into());
    set("page_concurrency", Value::Number(Number::Int(page_concurrency)));
    set("requests_per_second", Value::Number(Number::Float(1000.0)));
    Value::Object(attributes)
}
