//! The image API client against a scripted mock API on 127.0.0.1 that checks every request's
//! signature, SecretId, timestamp and nonce the way the API does.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::mock_api::{
    ALL_PAGES, Counter, MockApi, Received, Reply, SECRET_ID, SECRET_KEY, catalog, image_id,
    offsets, page_of, raw_get,
};
use qcloud_provider::data_sources::api_error::describe;
use qcloud_provider::provider::settings::{RawSettings, resolve};
use qcloud_provider::qcloud::Api;
use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::{
    ApiCode, Client, Error, Image, ImageFilter, ImageStatus, ImageType, Settings,
};
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn raw(url: &str) -> RawSettings {
    RawSettings {
        secret_id: Some(SECRET_ID.into()),
        secret_key: Some(SECRET_KEY.into()),
        endpoint: Some(url.into()),
        requests_per_second: Some(1000.0),
        max_retries: Some(3),
        page_concurrency: Some(4),
        ..RawSettings::default()
    }
}

fn settings(raw: RawSettings) -> Settings {
    resolve(raw, |_| None).expect("test settings are valid")
}

/// `settings` with a request timeout shorter than the provider block allows (whole seconds).
fn with_timeout(settings: &Settings, timeout: Duration) -> Settings {
    settings.to_builder().request_timeout(timeout).build().expect("valid settings")
}

fn client(settings: Settings) -> Client {
    Client::new(settings)
        .expect("test settings build a client")
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn client_for(mock: &MockApi) -> Client {
    client(settings(raw(&mock.url)))
}

fn query() -> ImageFilter {
    ImageFilter::of_type(ImageType::Public)
}

async fn list(client: &Client, query: &ImageFilter) -> Result<Vec<Image>, Error> {
    client.describe_images(query, &Budget::default()).await.map(|images| images.to_vec())
}

fn ids_of(images: &[Image]) -> Vec<String> {
    images.iter().map(|i| i.image_id.clone()).collect()
}

fn expected_ids(n: usize) -> Vec<String> {
    (0..n).map(image_id).collect()
}

/// A mock serving `n` images, honestly paged.
async fn catalog_mock(n: usize) -> MockApi {
    let images = catalog(n);
    MockApi::start(move |r| page_of(&images, r, ALL_PAGES)).await
}

/// A mock serving `n` images whose offset-`offset` request answers `fault` the first `times`
/// times it is asked.
async fn faulty_mock(n: usize, offset: u64, times: usize, fault: Reply) -> MockApi {
    let images = catalog(n);
    let seen = Counter::default();
    MockApi::start(move |r| {
        if r.offset() == offset && seen.bump() < times {
            return fault.clone();
        }
        page_of(&images, r, ALL_PAGES)
    })
    .await
}

#[tokio::test]
async fn a_thousand_images_come_back_once_each_in_ten_requests() {
    let mock = catalog_mock(1000).await;
    let images = list(&client_for(&mock), &query()).await.expect("the listing succeeds");
    assert_eq!(ids_of(&images), expected_ids(1000));
    let first = &images[0];
    assert_eq!(first.image_name.as_deref(), Some("image 0"));
    assert_eq!((first.image_type, first.status), (Some(2), Some(2)));

    let received = mock.received();
    assert_eq!(received.len(), 10);
    assert!(received.iter().all(|r| r.refused.is_none()), "every signature was valid");
    let offsets: Vec<u64> = offsets(&received).into_keys().collect();
    assert_eq!(offsets, (0..10).map(|n| n * 100).collect::<Vec<_>>());
    for r in &received {
        assert_eq!(r.param("limit"), Some("100"));
        assert_eq!(r.param("imageType"), Some("2"));
        assert_eq!(r.param("Region"), Some("ap-guangzhou"));
        assert_eq!(r.param("SignatureMethod"), Some("HmacSHA256"));
        assert_eq!(r.param("status"), None);
        assert_eq!(r.param("Token"), None);
    }
    let nonces: BTreeSet<_> = received.iter().map(|r| r.param("Nonce")).collect();
    assert_eq!(nonces.len(), 10, "a fresh nonce per request");
}

#[tokio::test]
async fn concurrent_pages_stay_within_page_concurrency() {
    let images = catalog(1000);
    let mock = MockApi::start(move |r| {
        Reply::after(Duration::from_millis(30), page_of(&images, r, ALL_PAGES))
    })
    .await;
    let client = client(settings(RawSettings { page_concurrency: Some(3), ..raw(&mock.url) }));
    let images = list(&client, &query()).await.expect("the listing succeeds");
    assert_eq!(images.len(), 1000);
    assert!(mock.max_in_flight() <= 3, "{} requests at once", mock.max_in_flight());
    assert!(mock.max_in_flight() >= 2, "pages after the first are fetched concurrently");
}

#[tokio::test]
async fn ids_beyond_ten_are_sent_in_batches_of_ten() {
    let mock = catalog_mock(40).await;
    let mut wanted: Vec<String> = (0..25).map(|i| image_id(i + 10)).collect();
    wanted.push("img-missing".into());
    wanted.push(image_id(10));
    let query = ImageFilter { image_ids: wanted, status: Some(ImageStatus::Normal), ..query() };
    let images = list(&client_for(&mock), &query).await.expect("the listing succeeds");
    assert_eq!(ids_of(&images), (10..35).map(image_id).collect::<Vec<_>>());

    let mut batches: Vec<Vec<String>> = mock.received().iter().map(Received::image_ids).collect();
    batches.sort();
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, [10, 10, 6]);
    let sent: BTreeSet<String> = batches.concat().into_iter().collect();
    assert_eq!(sent.len(), 26, "each id is asked for once");
    assert!(mock.received().iter().all(|r| r.param("status") == Some("2")));
}

#[tokio::test]
async fn every_retryable_fault_is_recovered() {
    let faults = [
        ("HTTP 500", Reply::Raw(500, "<html>Internal Server Error</html>".into())),
        ("HTTP 502", Reply::Raw(502, String::new())),
        ("HTTP 429", Reply::Raw(429, "slow down".into())),
        ("code 4400", Reply::code(4400, "RequestLimitExceeded")),
        ("code 6000", Reply::code(6000, "InternalError")),
        ("code 6200", Reply::code(6200, "ServiceUnavailable")),
        ("code 4400 as a string", Reply::ok(json!({"code": "4400", "message": "limit"}))),
        (
            "3.0 RequestLimitExceeded",
            Reply::ok(
                json!({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "x"}}}),
            ),
        ),
        ("closed connection", Reply::Close),
        ("malformed JSON", Reply::Raw(200, "{\"code\":0,\"imageSet\":[".into())),
    ];
    for (name, fault) in faults {
        let mock = faulty_mock(250, 100, 2, fault).await;
        let images = list(&client_for(&mock), &query()).await;
        let images = images.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ids_of(&images), expected_ids(250), "{name}");
        let offsets = offsets(&mock.received());
        assert_eq!(offsets.into_iter().collect::<Vec<_>>(), [(0, 1), (100, 3), (200, 1)], "{name}");
    }
}

#[tokio::test]
async fn a_page_failing_after_others_succeeded_is_retried_alone() {
    let mock = faulty_mock(1000, 700, 1, Reply::Raw(503, String::new())).await;
    let images = list(&client_for(&mock), &query()).await.expect("the listing succeeds");
    assert_eq!(ids_of(&images), expected_ids(1000));
    let counts = offsets(&mock.received());
    for (offset, count) in counts {
        assert_eq!(count, if offset == 700 { 2 } else { 1 }, "offset {offset}");
    }
}

#[tokio::test]
async fn replay_4500_is_re_signed_once_with_a_new_nonce() {
    let mock = faulty_mock(5, 0, 1, Reply::code(4500, "RequestReplay")).await;
    let client = client(settings(RawSettings { max_retries: Some(0), ..raw(&mock.url) }));
    let images = list(&client, &query()).await.expect("the re-signed request succeeds");
    assert_eq!(images.len(), 5);
    let received = mock.received();
    assert_eq!(received.len(), 2);
    assert_ne!(received[0].param("Nonce"), received[1].param("Nonce"));
    assert_ne!(received[0].param("Signature"), received[1].param("Signature"));
}

#[tokio::test]
async fn replay_4500_twice_fails_with_the_clock_hint() {
    let mock = faulty_mock(5, 0, 9, Reply::code(4500, "RequestReplay")).await;
    let error = list(&client_for(&mock), &query()).await.expect_err("4500 persists");
    assert_eq!(mock.received().len(), 2);
    assert_eq!(error.api_error().map(|e| e.code.clone()), Some(ApiCode::Numeric(4500)));
    assert!(describe(&error).contains("clock"), "{error}");
}

#[tokio::test]
async fn fatal_codes_fail_at_once_with_their_hint() {
    let cases = [
        (4000, "InvalidParameter", "parameter was invalid"),
        (4100, "AuthFailure", "Check secret_id and secret_key"),
        (4104, "SecretIdNotFound", "against the API keys of the account"),
        (4300, "AccessDenied", "sub-account's permissions"),
        (6100, "NotSupported", "https://image.api.qcloud.com/v2/index.php"),
    ];
    for (code, desc, hint) in cases {
        let mock = faulty_mock(5, 0, 1, Reply::code(code, desc)).await;
        let error = list(&client_for(&mock), &query()).await.expect_err("a fatal code");
        assert_eq!(mock.received().len(), 1, "{code} is not retried");
        assert_eq!(error.api_error().map(|e| e.code.clone()), Some(ApiCode::Numeric(code)));
        let text = describe(&error);
        assert!(text.contains(&format!("code {code} ({desc}): mock error {code}")), "{text}");
        assert!(text.contains(hint), "{text}");
    }
}

#[tokio::test]
async fn a_wrong_key_is_refused_by_the_mock_and_reported_as_authentication() {
    let mock = catalog_mock(5).await;
    let wrong = RawSettings { secret_key: Some("not-the-key".into()), ..raw(&mock.url) };
    let error = list(&client(settings(wrong)), &query()).await.expect_err("wrong key");
    assert_eq!(mock.received()[0].refused, Some(4100));
    assert_eq!(mock.received().len(), 1);
    assert!(describe(&error).contains("Check secret_id and secret_key"), "{error}");
    assert!(!describe(&error).contains("not-the-key"), "{error}");

    let unknown = RawSettings { secret_id: Some("AKIDunknown".into()), ..raw(&mock.url) };
    let error = list(&client(settings(unknown)), &query()).await.expect_err("wrong id");
    assert!(describe(&error).contains("against the API keys of the account"), "{error}");
}

#[tokio::test]
async fn the_mock_refuses_a_forged_signature() {
    let mock = catalog_mock(5).await;
    let query = format!(
        "Action=DescribeImages&Nonce=7&Region=gz&SecretId={SECRET_ID}&Timestamp={}\
         &imageType=2&limit=100&offset=0&Signature=Zm9yZ2Vk",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    let answer = raw_get(&mock.url, &query).await;
    assert_eq!(answer["code"], 4100);
    assert_eq!(mock.received()[0].refused, Some(4100));
}

#[tokio::test]
async fn sha1_signatures_and_temporary_tokens_are_accepted() {
    let mock = catalog_mock(150).await;
    let raw = RawSettings {
        signature_method: Some("HmacSHA1".into()),
        security_token: Some("temporary/token+with=specials".into()),
        region: Some("na-siliconvalley".into()),
        ..raw(&mock.url)
    };
    let images = list(&client(settings(raw)), &query()).await.expect("the listing succeeds");
    assert_eq!(images.len(), 150);
    for r in mock.received() {
        assert_eq!(r.refused, None, "the signature covers the token");
        assert_eq!(r.param("Token"), Some("temporary/token+with=specials"));
        assert_eq!(r.param("SignatureMethod"), Some("HmacSHA1"));
        assert_eq!(r.param("Region"), Some("na-siliconvalley"));
    }
}

#[tokio::test]
async fn retries_exhausted_says_how_many_attempts_and_the_last_cause() {
    let mock = faulty_mock(5, 0, usize::MAX, Reply::code(6000, "InternalError")).await;
    let client = client(settings(RawSettings { max_retries: Some(2), ..raw(&mock.url) }));
    let error = list(&client, &query()).await.expect_err("the fault persists");
    assert_eq!(mock.received().len(), 3);
    let text = describe(&error);
    assert!(text.starts_with("DescribeImages failed after 3 attempts; last error: "), "{text}");
    assert!(text.contains("code 6000 (InternalError)"), "{text}");
}

#[tokio::test]
async fn an_html_error_page_is_quoted_briefly_when_retries_run_out() {
    let page = format!("<html><body><h1>502 Bad Gateway</h1>{}</body></html>", "x".repeat(10_000));
    let mock = faulty_mock(5, 0, usize::MAX, Reply::Raw(502, page)).await;
    let client = client(settings(RawSettings { max_retries: Some(1), ..raw(&mock.url) }));
    let text = describe(&list(&client, &query()).await.expect_err("always 502"));
    assert!(text.contains("after 2 attempts"), "{text}");
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(text.contains("<html><body><h1>502 Bad Gateway</h1>"), "{text}");
    assert!(text.len() < 600, "the body is not quoted whole: {} bytes", text.len());
}

#[tokio::test]
async fn a_total_count_too_large_stops_at_the_first_short_page() {
    let images = catalog(250);
    let mock = MockApi::start(move |r| page_of(&images, r, Some(1000))).await;
    let listed = list(&client_for(&mock), &query()).await.expect("the listing succeeds");
    assert_eq!(ids_of(&listed), expected_ids(250));
    assert!(mock.received().len() <= 10, "{} requests", mock.received().len());
    assert!(mock.received().iter().all(|r| r.offset() < 1000));
}

#[tokio::test]
async fn a_total_count_too_small_pages_on_until_a_short_page() {
    for (claimed, name) in [(Some(120), "too small"), (Some(0), "zero"), (None, "missing")] {
        let images = catalog(450);
        let mock = MockApi::start(move |r| match claimed {
            Some(total) => page_of(&images, r, Some(total)),
            None => {
                let Reply::Json(status, mut body) = page_of(&images, r, ALL_PAGES) else {
                    unreachable!("page_of answers JSON")
                };
                body.as_object_mut().map(|o| o.remove("totalCount"));
                Reply::Json(status, body)
            }
        })
        .await;
        let listed = list(&client_for(&mock), &query()).await.expect("the listing succeeds");
        assert_eq!(ids_of(&listed), expected_ids(450), "{name}");
        let counts: Vec<_> = offsets(&mock.received()).into_iter().collect();
        assert_eq!(counts, [(0, 1), (100, 1), (200, 1), (300, 1), (400, 1)], "{name}");
    }
}

#[tokio::test]
async fn an_exact_multiple_of_the_page_size_needs_no_extra_request() {
    let mock = catalog_mock(300).await;
    let listed = list(&client_for(&mock), &query()).await.expect("the listing succeeds");
    assert_eq!(listed.len(), 300);
    assert_eq!(mock.received().len(), 3);
}

#[tokio::test]
async fn a_server_ignoring_offset_is_stopped_not_looped() {
    let images = catalog(100);
    let mock = MockApi::start(move |r| {
        let Reply::Json(status, mut body) = page_of(&images, r, Some(0)) else {
            unreachable!("page_of answers JSON")
        };
        // Always the first page, whatever the offset.
        body["imageSet"] = json!(images);
        Reply::Json(status, body)
    })
    .await;
    let error = list(&client_for(&mock), &query()).await.expect_err("repeated pages");
    assert!(matches!(error, Error::RepeatedPage { offset: 100 }), "{error:?}");
    assert_eq!(mock.received().len(), 2);
}

#[tokio::test]
async fn duplicate_images_across_pages_are_kept_once() {
    let mut images = catalog(150);
    images.insert(120, images[3].clone());
    let mock = MockApi::start(move |r| page_of(&images, r, ALL_PAGES)).await;
    let listed = list(&client_for(&mock), &query()).await.expect("the listing succeeds");
    assert_eq!(ids_of(&listed), expected_ids(150));
}

#[tokio::test]
async fn a_page_that_fails_for_good_fails_the_whole_listing() {
    let mock = faulty_mock(1000, 500, usize::MAX, Reply::code(4000, "InvalidParameter")).await;
    let error = list(&client_for(&mock), &query()).await.expect_err("never a partial result");
    assert_eq!(error.api_error().map(|e| e.code.clone()), Some(ApiCode::Numeric(4000)));
}

#[tokio::test]
async fn cancellation_stops_a_slow_listing_within_a_second() {
    let images = catalog(1000);
    let slow_page_arrived = Arc::new(tokio::sync::Notify::new());
    let arrived = slow_page_arrived.clone();
    let mock = MockApi::start(move |r| {
        if r.offset() == 0 {
            return page_of(&images, r, ALL_PAGES);
        }
        arrived.notify_one();
        Reply::after(Duration::from_secs(30), page_of(&images, r, ALL_PAGES))
    })
    .await;
    let client = Arc::new(client_for(&mock));
    let cancel = CancellationToken::new();
    let listing = tokio::spawn({
        let (client, cancel) = (client.clone(), cancel.clone());
        async move { client.describe_images(&query(), &Budget::cancel_only(cancel)).await }
    });
    tokio::time::timeout(Duration::from_secs(10), slow_page_arrived.notified())
        .await
        .expect("the listing reaches a slow page");
    let start = std::time::Instant::now();
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(5), listing)
        .await
        .expect("the listing ends")
        .expect("the listing task does not panic");
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
    assert!(result.as_ref().is_err_and(Error::is_cancelled), "{result:?}");
}

#[tokio::test]
async fn a_cancelled_token_lists_nothing() {
    let mock = catalog_mock(5).await;
    let cancel = CancellationToken::new();
    cancel.cancel();
    let result =
        client_for(&mock).describe_images(&query(), &Budget::cancel_only(cancel.clone())).await;
    assert!(result.is_err_and(|e| e.is_cancelled()));
    assert!(mock.received().is_empty());
}

#[tokio::test]
async fn request_timeout_ends_a_slow_attempt_and_the_retry_succeeds() {
    let slow = Reply::after(Duration::from_secs(30), Reply::code(6000, "never sent"));
    let mock = faulty_mock(5, 0, 1, slow).await;
    let settings = settings(RawSettings { max_retries: Some(1), ..raw(&mock.url) });
    let settings = with_timeout(&settings, Duration::from_millis(300));
    let images = list(&client(settings), &query()).await.expect("the retry succeeds");
    assert_eq!(images.len(), 5);
    assert_eq!(mock.received().len(), 2);
}

#[tokio::test]
async fn request_timeout_is_reported_when_retries_run_out() {
    let slow = Reply::after(Duration::from_secs(30), Reply::code(6000, "never sent"));
    let mock = faulty_mock(5, 0, usize::MAX, slow).await;
    let settings = settings(RawSettings { max_retries: Some(0), ..raw(&mock.url) });
    let settings = with_timeout(&settings, Duration::from_millis(200));
    let error = list(&client(settings), &query()).await.expect_err("always too slow");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(describe(&error).contains("request_timeout"), "{error}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error_without_secrets() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("bound").port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/v2/index.php");
    let raw = RawSettings {
        max_retries: Some(1),
        security_token: Some("SECRET-TOKEN".into()),
        ..raw(&url)
    };
    let text =
        describe(&list(&client(settings(raw)), &query()).await.expect_err("nothing listens"));
    assert!(text.contains("after 2 attempts"), "{text}");
    assert!(
        text.contains(&format!("could not reach the Tencent Cloud image API at 127.0.0.1:{port}")),
        "{text}"
    );
    for secret in [SECRET_KEY, "SECRET-TOKEN", "Signature"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
