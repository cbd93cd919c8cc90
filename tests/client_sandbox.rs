//! The real image API client against the real sandbox on 127.0.0.1: complete listings, id
//! batching, filters, both signature methods, temporary credentials, authentication failures,
//! cancellation and the client-side rate limit. Every request here is signed by the client and
//! checked by the sandbox.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::client_sandbox::{
    catalog_ids, client, client_for, ids, image_ids_sent, list, offsets, param, query,
    raw_settings, sandbox_status, sandbox_type, set, start, start_with, synthetic,
};
use qcloud_provider::data_sources::api_error::{Circumstances, describe, describe_in};
use qcloud_provider::provider::settings::RawSettings;
use qcloud_provider::qcloud::Api;
use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::{
    ApiCode, ApiErrorKind, Error, Image, ImageFilter, ImageStatus, ImageType,
};
use qcloud_sandbox::{
    CatalogImage, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, SandboxClock, SandboxConfig,
    SandboxCredential,
};
use tokio_util::sync::CancellationToken;

/// What the client should have read from a catalog image.
fn as_listed(image: &CatalogImage) -> Image {
    Image {
        image_id: image.image_id.clone(),
        image_name: Some(image.image_name.clone()),
        image_description: Some(image.image_description.clone()),
        image_type: Some(i64::from(image.image_type.code())),
        os_name: Some(image.os_name.clone()),
        create_time: Some(image.create_time.clone()),
        creator: Some(image.creator.clone()),
        status: Some(i64::from(image.status.code())),
        ..Image::default()
    }
}

#[tokio::test]
async fn a_thousand_images_come_back_once_each_in_ten_requests() {
    let sandbox = start_with(synthetic(1000), Vec::new()).await;
    let images = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect("listed");
    let listed = ids(&images);
    assert_eq!(listed.len(), 1000);
    assert_eq!(set(&listed).len(), 1000, "no image twice");
    assert_eq!(listed, catalog_ids(&sandbox.catalog(), ImageType::Private), "catalog order");
    assert_eq!(sandbox.request_count(), 10);
    let asked: Vec<(u64, usize)> = offsets(&sandbox.requests()).into_iter().collect();
    assert_eq!(asked, (0..10).map(|p| (p * 100, 1)).collect::<Vec<_>>());
    assert!(sandbox.requests().iter().all(|r| r.code == Some(0)), "every request was accepted");
}

#[tokio::test]
async fn the_builtin_catalog_is_listed_exactly_per_image_type() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = client_for(&sandbox);
    let catalog = sandbox.catalog();
    for image_type in [ImageType::Private, ImageType::Public, ImageType::Marketplace] {
        let images = list(&client, &query(image_type)).await.expect("listed");
        let expected: Vec<Image> = catalog
            .images()
            .iter()
            .filter(|i| i.image_type == sandbox_type(image_type))
            .map(as_listed)
            .collect();
        assert!(!expected.is_empty(), "the built-in catalog has {image_type:?} images");
        assert_eq!(images, expected, "{image_type:?}: every field of every image");
    }
    let shared = list(&client, &query(ImageType::Shared)).await.expect("listed");
    assert_eq!(ids(&shared), catalog_ids(&catalog, ImageType::Shared));
    assert_eq!(sandbox.request_count(), 4, "the built-in catalog fits one page per type");
}

/// The provider pins well-known public images (`provider::qcloud::public_image_id`); the
/// sandbox must serve each of them under its pinned name, so the examples that use pins
/// resolve against it. (`xtask/tests/catalog_rebuild.rs` checks the converse: the catalog is
/// exactly what a rebuild from the sandbox's listing gives.)
#[tokio::test]
async fn every_pinned_public_image_is_served_under_its_name() {
    let sandbox = start(SandboxConfig::default()).await;
    let images = list(&client_for(&sandbox), &query(ImageType::Public)).await.expect("listed");
    let served: std::collections::HashMap<&str, &str> = images
        .iter()
        .map(|i| (i.image_id.as_str(), i.image_name.as_deref().unwrap_or_default()))
        .collect();
    let pins = qcloud_provider::functions::entries();
    assert!(pins.len() >= 38, "at least the pins of the 2016 listing");
    for pin in pins {
        assert_eq!(served.get(pin.id.as_str()), Some(&pin.name.as_str()), "{}", pin.id);
    }
}

#[tokio::test]
async fn ids_beyond_ten_are_batched_by_ten_and_all_found() {
    let catalog = synthetic(300);
    let every: Vec<String> = catalog_ids(&catalog, ImageType::Private);
    let wanted: Vec<String> = every.iter().step_by(11).take(25).cloned().collect();
    assert_eq!(wanted.len(), 25);
    let mut asked = wanted.clone();
    asked.extend(wanted.iter().take(5).cloned());
    asked.insert(3, wanted[20].clone());
    let sandbox = start_with(catalog, Vec::new()).await;
    let query = ImageFilter { image_ids: asked, ..query(ImageType::Private) };
    let images = list(&client_for(&sandbox), &query).await.expect("listed");
    assert_eq!(set(&ids(&images)), set(&wanted), "all 25 found");
    assert_eq!(images.len(), 25, "duplicates collapse");

    let records = sandbox.requests();
    let mut batches: Vec<Vec<String>> = records.iter().map(image_ids_sent).collect();
    batches.sort_by_key(Vec::len);
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, [5, 10, 10], "three requests of at most 10 ids");
    let sent: Vec<String> = batches.concat();
    assert_eq!(set(&sent), set(&wanted), "each id asked for");
    assert_eq!(sent.len(), 25, "no id asked for twice");
    assert!(records.iter().all(|r| r.code == Some(0)));
}

#[tokio::test]
async fn a_status_filter_lists_only_that_status() {
    let sandbox = start(SandboxConfig::default()).await;
    let client = client_for(&sandbox);
    let catalog = sandbox.catalog();
    let statuses = [
        ImageStatus::Creating,
        ImageStatus::Normal,
        ImageStatus::InUse,
        ImageStatus::Syncing,
        ImageStatus::Copying,
    ];
    for status in statuses {
        let query = ImageFilter { status: Some(status), ..query(ImageType::Private) };
        let images = list(&client, &query).await.expect("listed");
        let expected: Vec<String> = catalog
            .images()
            .iter()
            .filter(|i| {
                i.image_type == qcloud_sandbox::ImageType::Private
                    && i.status == sandbox_status(status)
            })
            .map(|i| i.image_id.clone())
            .collect();
        assert!(!expected.is_empty(), "the built-in catalog has a private {status:?} image");
        assert_eq!(ids(&images), expected, "{status:?}");
    }
    let records = sandbox.requests();
    let sent: Vec<Option<&str>> = records.iter().map(|r| param(r, "status")).collect();
    assert_eq!(sent, ["1", "2", "3", "4", "5"].map(Some), "the status is sent as its code");
}

#[tokio::test]
async fn marketplace_images_are_empty_in_north_american_regions() {
    let sandbox = start(SandboxConfig::default()).await;
    let market = query(ImageType::Marketplace);
    let na =
        RawSettings { region: Some("na-siliconvalley".into()), ..raw_settings(&sandbox.url()) };
    let images = list(&client(na), &market).await.expect("an empty listing, not an error");
    assert!(images.is_empty(), "{images:?}");
    let guangzhou = list(&client_for(&sandbox), &market).await.expect("listed");
    assert_eq!(ids(&guangzhou), catalog_ids(&sandbox.catalog(), ImageType::Marketplace));
    assert!(!guangzhou.is_empty());
    let records = sandbox.requests();
    let regions: Vec<Option<&str>> = records.iter().map(|r| param(r, "Region")).collect();
    assert_eq!(regions, [Some("na-siliconvalley"), Some("ap-guangzhou")]);
}

#[tokio::test]
async fn hmac_sha1_and_hmac_sha256_signatures_are_both_accepted() {
    let sandbox = start_with(synthetic(150), Vec::new()).await;
    for method in ["HmacSHA1", "HmacSHA256"] {
        let raw =
            RawSettings { signature_method: Some(method.into()), ..raw_settings(&sandbox.url()) };
        let images = list(&client(raw), &query(ImageType::Private)).await;
        assert_eq!(images.map(|i| i.len()).ok(), Some(150), "{method}");
    }
    let records = sandbox.requests();
    let methods: Vec<Option<&str>> = records.iter().map(|r| param(r, "SignatureMethod")).collect();
    assert_eq!(
        methods,
        [Some("HmacSHA1"); 2].into_iter().chain([Some("HmacSHA256"); 2]).collect::<Vec<_>>()
    );
}

/// A sandbox whose only credential is temporary: it has a token.
async fn temporary_credential_sandbox(token: &str) -> qcloud_sandbox::SandboxHandle {
    let credential =
        SandboxCredential::new(SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY).with_token(token);
    start(SandboxConfig { credentials: vec![credential], ..SandboxConfig::default() }).await
}

#[tokio::test]
async fn a_security_token_is_sent_and_accepted() {
    let token = "temporary/token+with=specials";
    let sandbox = temporary_credential_sandbox(token).await;
    let raw = RawSettings { security_token: Some(token.into()), ..raw_settings(&sandbox.url()) };
    let images = list(&client(raw), &query(ImageType::Public)).await.expect("listed");
    assert_eq!(ids(&images), catalog_ids(&sandbox.catalog(), ImageType::Public));
    let records = sandbox.requests();
    assert_eq!(records.len(), 1);
    assert_eq!(param(&records[0], "Token"), Some("<redacted>"), "the token was sent");
}

#[tokio::test]
async fn a_wrong_or_missing_security_token_is_refused() {
    let token = "the-right-token";
    let sandbox = temporary_credential_sandbox(token).await;
    let wrong = RawSettings {
        security_token: Some("a-stale-token".into()),
        ..raw_settings(&sandbox.url())
    };
    let cases = [
        ("wrong", wrong, true, "that was sent was refused"),
        ("missing", raw_settings(&sandbox.url()), false, "No security token was sent"),
    ];
    for (name, raw, token_sent, advice) in cases {
        let error = list(&client(raw), &query(ImageType::Public)).await.expect_err(name);
        let api = error.api_error().unwrap_or_else(|| panic!("{name}: an API error: {error}"));
        assert_eq!(api.kind(), ApiErrorKind::InvalidToken, "{name}: {error}");
        let circumstances = Circumstances { token_sent, ..Circumstances::default() };
        let text = describe_in(&error, &circumstances);
        assert!(text.contains("code 4105"), "{name}: {text}");
        assert!(text.contains(advice), "{name}: {text}");
        assert!(!text.contains("a-stale-token") && !text.contains(token), "{name}: {text}");
    }
    assert_eq!(sandbox.request_count(), 2, "one request each, not retried");
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_and_reported_as_an_authentication_error() {
    let sandbox = start(SandboxConfig::default()).await;
    let wrong_key = "not-the-sandbox-key-0000000000000";
    let raw = RawSettings { secret_key: Some(wrong_key.into()), ..raw_settings(&sandbox.url()) };
    let error = list(&client(raw), &query(ImageType::Public)).await.expect_err("refused");
    assert_eq!(sandbox.request_count(), 1, "an authentication failure is not retried");
    assert_eq!(sandbox.requests()[0].code, Some(4100), "the sandbox itself refused it");
    let api = error.api_error().expect("an API error");
    assert_eq!((api.code.clone(), api.kind()), (ApiCode::Numeric(4100), ApiErrorKind::AuthFailure));
    let text = describe(&error);
    assert!(text.contains("Check secret_id and secret_key"), "{text}");
    assert!(!text.contains(wrong_key), "the key is never shown: {text}");
}

#[tokio::test]
async fn an_unknown_secret_id_is_4104_with_its_hint() {
    let sandbox = start(SandboxConfig::default()).await;
    let raw = RawSettings {
        secret_id: Some("AKIDnobodyHasThisId00000000000000".into()),
        ..raw_settings(&sandbox.url())
    };
    let error = list(&client(raw), &query(ImageType::Public)).await.expect_err("refused");
    assert_eq!(sandbox.request_count(), 1);
    assert_eq!(sandbox.requests()[0].code, Some(4104));
    assert_eq!(error.api_error().map(|a| a.kind()), Some(ApiErrorKind::UnknownSecretId));
    let text = describe(&error);
    assert!(text.contains("Check secret_id (or QCLOUD_SECRET_ID) against the API keys"), "{text}");
    assert!(text.contains("Accounts created since 2023 cannot use API 2.0"), "{text}");
}

#[tokio::test]
async fn a_skewed_clock_is_re_signed_once_then_reported_with_the_clock_hint() {
    let an_hour_ago = SandboxClock::System.now() - 3600;
    let config =
        SandboxConfig { clock: SandboxClock::Fixed(an_hour_ago), ..SandboxConfig::default() };
    let sandbox = start(config).await;
    let error = list(&client_for(&sandbox), &query(ImageType::Public)).await.expect_err("skew");
    let codes: Vec<Option<i64>> = sandbox.requests().iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(4500), Some(4500)], "one re-signed attempt, then the error");
    assert_eq!(error.api_error().map(|a| a.kind()), Some(ApiErrorKind::Replay));
    assert!(describe(&error).contains("Check this machine's clock"), "{error}");
}

#[tokio::test]
async fn cancellation_stops_a_slow_listing_within_a_second() {
    let config = SandboxConfig {
        catalog: synthetic(500),
        latency: Duration::from_secs(5),
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let client = client_for(&sandbox);
    let cancel = CancellationToken::new();
    let listing = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            client.describe_images(&query(ImageType::Private), &Budget::cancel_only(cancel)).await
        })
    };
    while sandbox.request_count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cancelled_at = Instant::now();
    cancel.cancel();
    let result = listing.await.expect("the listing task does not panic");
    let took = cancelled_at.elapsed();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(took < Duration::from_secs(1), "the listing ended {took:?} after the cancel");
    assert!(result.err().is_some_and(|e| e.to_string().starts_with("cancelled")));
}

#[tokio::test]
async fn the_rate_limit_spaces_requests_at_least_one_interval_apart() {
    let sandbox = start_with(synthetic(1000), Vec::new()).await;
    let raw = RawSettings { requests_per_second: Some(5.0), ..raw_settings(&sandbox.url()) };
    let interval = Duration::from_millis(200);
    let started = SystemTime::now();
    let images = list(&client(raw), &query(ImageType::Private)).await.expect("listed");
    assert_eq!(images.len(), 1000);
    let mut arrivals: Vec<SystemTime> = sandbox.requests().iter().map(|r| r.received_at).collect();
    assert_eq!(arrivals.len(), 10);
    arrivals.sort();
    let since = |t: SystemTime, from: SystemTime| t.duration_since(from).unwrap_or_default();
    // Exact: request k cannot leave the client before k intervals after the listing began.
    for (k, arrival) in (0u32..).zip(&arrivals) {
        let after = since(*arrival, started);
        assert!(after >= interval * k, "request {k} arrived {after:?} after the start");
    }
    // No bursts: consecutive arrivals are typically an interval apart. The median gap is
    // used because a machine too loaded to run the sandbox on time can delay one request
    // until the next is due, and the sandbox then logs both at once.
    let mut gaps: Vec<Duration> = arrivals.windows(2).map(|p| since(p[1], p[0])).collect();
    gaps.sort();
    let median = gaps[gaps.len() / 2];
    assert!(median >= interval * 3 / 4, "median gap {median:?} of {gaps:?}");
}
