//! The fault matrix: the real image API client against the real sandbox (or, where the sandbox
//! cannot express the fault, a proxy in front of it or a server that is not the sandbox), one
//! test per fault, each with its expected outcome: recovered with the whole, correct listing
//! and the exact number of requests, or a specific error. `docs/reliability.md` lists them.
//!
//! Unless a test says otherwise the catalog is 250 synthetic images, read as three pages
//! (offsets 0, 100 and 200), and the fault hits the page at offset 100.

mod common;

use std::time::{Duration, Instant};

use common::client_sandbox::{
    MAX_RETRIES, RewritingProxy, UntrustedTlsServer, catalog_ids, client, client_for,
    each_page_once_except, ids, list, offsets, param, query, raw_settings, start, start_with,
    synthetic, unused_port,
};
use qcloud_provider::data_sources::api_error::describe;
use qcloud_provider::provider::settings::RawSettings;
use qcloud_provider::qcloud::transport::retry::UNREACHABLE_RETRIES;
use qcloud_provider::qcloud::{ApiCode, ApiErrorKind, Error, Image, ImageType, TransportFailure};
use qcloud_sandbox::{FaultKind, FaultRule, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

/// Images in the default catalog: pages at offsets 0, 100 and 200.
const IMAGES: usize = 250;
/// Pages of the default catalog.
const PAGES: u64 = 3;
/// The page the faults hit.
const FAULTY_OFFSET: u64 = 100;

/// A sandbox of [`IMAGES`] images whose page at [`FAULTY_OFFSET`] meets `kind` the first
/// `times` times it is asked for.
async fn faulty_page(kind: FaultKind, times: u32) -> SandboxHandle {
    let rule = FaultRule::at_offset(FAULTY_OFFSET, kind).times(times);
    start_with(synthetic(IMAGES), vec![rule]).await
}

/// The listing is the sandbox's catalog, whole, in order, each image once.
fn assert_whole(sandbox: &SandboxHandle, images: &[Image]) {
    assert_eq!(ids(images), catalog_ids(&sandbox.catalog(), ImageType::Private));
}

/// `kind` on the faulty page, `times` in a row, is recovered: the whole listing, with every
/// page asked for once except the faulty one, asked `1 + times` times.
async fn assert_recovers(kind: FaultKind, times: u32) {
    let sandbox = faulty_page(kind.clone(), times).await;
    let listed = list(&client_for(&sandbox), &query(ImageType::Private)).await;
    let images = listed.unwrap_or_else(|error| panic!("{kind}: {error}"));
    assert_whole(&sandbox, &images);
    let retried = 1 + times as usize;
    let expected = each_page_once_except(PAGES, &[(FAULTY_OFFSET, retried)]);
    assert_eq!(offsets(&sandbox.requests()), expected, "{kind}");
    assert_eq!(sandbox.request_count(), PAGES + u64::from(times), "{kind}");
    let faulted = sandbox.requests().iter().filter(|r| r.fault.as_ref() == Some(&kind)).count();
    assert_eq!(faulted, times as usize, "{kind}: the fault fired each time");
}

/// Retries ran out on a transport error: `attempts` attempts, and the cause named.
fn assert_transport_exhausted(error: &Error, attempts: u32, host: &str, cause: &str) {
    let Error::RetriesExhausted { attempts: made, last, .. } = error else {
        panic!("retries exhausted, not {error:?}");
    };
    assert_eq!(*made, attempts, "{error}");
    assert!(matches!(**last, Error::Transport { .. }), "{last:?}");
    let text = describe(error);
    let start = format!(
        "DescribeImages failed after {attempts} attempts; last error: could not reach the \
         Tencent Cloud image API at {host}: "
    );
    assert!(text.starts_with(&start), "{text}");
    assert!(text.to_lowercase().contains(&cause.to_lowercase()), "{cause:?} missing: {text}");
}

/// An API code that is not retried fails at once, with the sandbox's message and the hint.
async fn assert_fails_at_once(code: i64, desc: &str, message: &str, hint: &str) {
    let fault = FaultRule::every(FaultKind::ApiError { code, message: None });
    let sandbox = start_with(synthetic(IMAGES), vec![fault]).await;
    let error = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect_err("fatal");
    assert_eq!(sandbox.request_count(), 1, "{code} is not retried");
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.api_error().map(|a| a.code.clone()), Some(ApiCode::Numeric(code)));
    let text = describe(&error);
    assert!(text.contains(&format!("code {code} ({desc}): {message}")), "{text}");
    assert!(text.contains(hint), "{text}");
}

// ---- HTTP and transport faults -------------------------------------------------------------

#[tokio::test]
async fn http_500_is_retried_and_recovered() {
    assert_recovers(FaultKind::HttpStatus(500), MAX_RETRIES).await;
}

#[tokio::test]
async fn http_502_is_retried_and_recovered() {
    assert_recovers(FaultKind::HttpStatus(502), MAX_RETRIES).await;
}

#[tokio::test]
async fn http_503_is_retried_and_recovered() {
    assert_recovers(FaultKind::HttpStatus(503), MAX_RETRIES).await;
}

#[tokio::test]
async fn http_429_is_retried_and_recovered() {
    assert_recovers(FaultKind::HttpStatus(429), MAX_RETRIES).await;
}

#[tokio::test]
async fn a_reset_connection_is_retried_and_recovered() {
    assert_recovers(FaultKind::ResetConnection, MAX_RETRIES).await;
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_retried_and_recovered() {
    assert_recovers(FaultKind::CloseConnection, MAX_RETRIES).await;
}

#[tokio::test]
async fn a_body_cut_off_half_way_is_retried_and_recovered() {
    assert_recovers(FaultKind::TruncatedBody, MAX_RETRIES).await;
}

#[tokio::test]
async fn an_html_error_page_is_retried_and_recovered() {
    assert_recovers(FaultKind::HtmlPage(502), MAX_RETRIES).await;
}

#[tokio::test]
async fn an_empty_body_is_retried_and_recovered() {
    assert_recovers(FaultKind::EmptyBody, MAX_RETRIES).await;
}

#[tokio::test]
async fn malformed_json_is_retried_and_recovered() {
    assert_recovers(FaultKind::MalformedJson, MAX_RETRIES).await;
}

#[tokio::test]
async fn an_html_error_page_that_persists_is_quoted_in_the_error() {
    let cases = [
        (502, "answered HTTP 502; the API or a proxy in between had a problem", "502 Bad Gateway"),
        (200, "answered with something that is not JSON (HTTP 200)", "200 OK"),
    ];
    for (status, says, title) in cases {
        let sandbox =
            start_with(synthetic(IMAGES), vec![FaultRule::every(FaultKind::HtmlPage(status))])
                .await;
        let raw = RawSettings { max_retries: Some(1), ..raw_settings(&sandbox.url()) };
        let error = list(&client(raw), &query(ImageType::Private)).await.expect_err("html");
        assert_eq!(sandbox.request_count(), 2, "HTTP {status}");
        let text = describe(&error);
        assert!(text.starts_with("DescribeImages failed after 2 attempts"), "{text}");
        assert!(text.contains(says), "{text}");
        let quoted = format!("the body starts with \"<html> <head><title>{title}</title></head>");
        assert!(text.contains(&quoted), "{text}");
    }
}

#[tokio::test]
async fn bodies_that_stay_broken_end_in_a_clear_error() {
    let cases = [
        (FaultKind::EmptyBody, "not JSON (HTTP 200); the body was empty"),
        (FaultKind::MalformedJson, "not JSON (HTTP 200); the body starts with \"{\\\"code\\\":0,"),
        (FaultKind::TruncatedBody, "error decoding response body"),
    ];
    for (kind, says) in cases {
        let sandbox = start_with(synthetic(IMAGES), vec![FaultRule::every(kind.clone())]).await;
        let raw = RawSettings { max_retries: Some(1), ..raw_settings(&sandbox.url()) };
        let error = list(&client(raw), &query(ImageType::Private)).await.expect_err("broken");
        assert_eq!(sandbox.request_count(), 2, "{kind}");
        let text = describe(&error);
        assert!(text.starts_with("DescribeImages failed after 2 attempts"), "{kind}: {text}");
        assert!(text.contains(says), "{kind}: {text}");
    }
}

/// Attempts at an endpoint whose connection fails: fewer retries than throttling gets, since a
/// dead endpoint stays dead.
const CONNECT_ATTEMPTS: u32 =
    1 + if MAX_RETRIES < UNREACHABLE_RETRIES { MAX_RETRIES } else { UNREACHABLE_RETRIES };

#[tokio::test]
async fn a_refused_connection_fails_after_fewer_attempts_naming_the_cause() {
    let host = format!("127.0.0.1:{}", unused_port().await);
    let url = format!("http://{host}/v2/index.php");
    let error = list(&client(raw_settings(&url)), &query(ImageType::Public)).await;
    let error = error.expect_err("nothing listens there");
    assert_transport_exhausted(&error, CONNECT_ATTEMPTS, &host, "connection refused");
}

#[tokio::test]
async fn a_dns_failure_fails_with_a_clear_error() {
    let host = "qcloud-sandbox.invalid";
    let raw = RawSettings { max_retries: Some(1), ..raw_settings(&format!("https://{host}/v2")) };
    let error = list(&client(raw), &query(ImageType::Public)).await.expect_err("no such host");
    assert_transport_exhausted(&error, 2, host, "dns error");
}

#[tokio::test]
async fn tls_to_a_plain_http_server_fails_with_a_tls_error() {
    let sandbox = start(SandboxConfig::default()).await;
    let host = sandbox.local_addr().to_string();
    let raw = raw_settings(&format!("https://{host}/v2/index.php"));
    let error = list(&client(raw), &query(ImageType::Public)).await.expect_err("not TLS");
    assert_transport_exhausted(&error, CONNECT_ATTEMPTS, &host, "received corrupt message");
    assert_eq!(sandbox.request_count(), 0, "no request reached the API");
}

#[tokio::test]
async fn tls_with_an_untrusted_certificate_fails_with_a_certificate_error() {
    let server = UntrustedTlsServer::start().await;
    let host = server.url.trim_start_matches("https://").trim_end_matches("/v2/index.php");
    let error = list(&client(raw_settings(&server.url)), &query(ImageType::Public)).await;
    let error = error.expect_err("untrusted certificate");
    // The same certificate would be refused again: one attempt, no retry.
    let Error::Transport { failure: TransportFailure::Certificate, .. } = &error else {
        panic!("a refused certificate, not {error:?}");
    };
    let text = describe(&error);
    let start = format!("could not reach the Tencent Cloud image API at {host}: ");
    assert!(text.starts_with(&start) && text.contains("invalid peer certificate"), "{text}");
    assert!(text.contains("SSL_CERT_FILE"), "{text}");
    assert_eq!(server.handshakes(), 1, "one handshake, no retry");
}

#[tokio::test]
async fn a_response_slower_than_request_timeout_times_out_then_recovers() {
    let sandbox = faulty_page(FaultKind::Slow(Duration::from_millis(1500)), 1).await;
    let raw = RawSettings { request_timeout: Some(1), ..raw_settings(&sandbox.url()) };
    let started = Instant::now();
    let images = list(&client(raw), &query(ImageType::Private)).await.expect("recovered");
    assert_whole(&sandbox, &images);
    // The slow attempt's log entry is written only once its answer is due, after the retry;
    // the count is exact from the start.
    assert_eq!(sandbox.request_count(), PAGES + 1);
    assert!(started.elapsed() >= Duration::from_secs(1), "the retry came after the timeout");
}

#[tokio::test]
async fn a_response_always_slower_than_request_timeout_is_a_timeout_error() {
    let slow = FaultRule::every(FaultKind::Slow(Duration::from_millis(1500)));
    let sandbox = start_with(synthetic(IMAGES), vec![slow]).await;
    let raw = RawSettings {
        request_timeout: Some(1),
        max_retries: Some(0),
        ..raw_settings(&sandbox.url())
    };
    let error = list(&client(raw), &query(ImageType::Private)).await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout { after } if after == Duration::from_secs(1)));
    let text = describe(&error);
    assert!(text.contains("did not answer within 1 s; check that endpoint is right"), "{text}");
    assert!(text.contains("raise request_timeout if the network is only slow"), "{text}");
    assert_eq!(sandbox.request_count(), 1);
}

/// Rewrites every image of an answer with `change`.
fn each_image(mut body: Value, change: impl Fn(&mut Value)) -> Value {
    if let Some(images) = body["imageSet"].as_array_mut() {
        images.iter_mut().for_each(change);
    }
    body
}

/// Numbers as strings, as some API versions send them.
fn numbers_as_strings(body: Value) -> Value {
    let mut body = each_image(body, |image| {
        for field in ["imageType", "status"] {
            image[field] = json!(image[field].to_string());
        }
    });
    body["code"] = json!("0");
    body["totalCount"] = json!(body["totalCount"].to_string());
    body
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

type Rewrite = fn(u64, Value) -> Value;

/// What an answer rewritten with wrong types leads to: the listing read as if the types were
/// right, in this many requests, or an unexpected-response error naming this problem.
type Outcome = Result<u64, &'static str>;

fn wrong_type_cases() -> [(&'static str, Rewrite, Outcome); 7] {
    [
        ("numbers as strings", |_, b| numbers_as_strings(b), Ok(PAGES)),
        ("totalCount a boolean", |_, b| with(b, "totalCount", json!(true)), Ok(PAGES)),
        (
            "imageSet an object",
            |_, b| with(b, "imageSet", json!({})),
            Err("imageSet is not a list"),
        ),
        ("code a list", |_, b| with(b, "code", json!([0])), Err("code is neither a number")),
        ("the answer a list", |_, b| json!([b]), Err("the answer is not a JSON object")),
        (
            "an image a string",
            |_, b| each_image(b, |i| *i = json!("img-00000000")),
            Err("imageSet[0] is not an object"),
        ),
        (
            "unImgId null",
            |_, b| each_image(b, |i| i["unImgId"] = Value::Null),
            Err("imageSet[0] has no unImgId"),
        ),
    ]
}

async fn check_wrong_types(case: &str, rewrite: Rewrite, outcome: Outcome) {
    let sandbox = start_with(synthetic(IMAGES), Vec::new()).await;
    let truth = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect("listed");
    let proxy = RewritingProxy::start(&sandbox, rewrite).await;
    let listed = list(&client(raw_settings(&proxy.url)), &query(ImageType::Private)).await;
    match (outcome, listed) {
        (Ok(requests), Ok(images)) => {
            assert_eq!(images, truth, "{case}: read as if the types were right");
            assert_eq!(proxy.forwarded(), requests, "{case}");
        }
        (Err(problem), Err(error)) => {
            assert!(matches!(error, Error::UnexpectedResponse { .. }), "{case}: {error:?}");
            let text = describe(&error);
            assert!(text.contains(problem) && text.contains("the body starts with"), "{text}");
            assert_eq!(proxy.forwarded(), 1, "{case}: not retried");
        }
        (expected, got) => panic!("{case}: expected {expected:?}, got {got:?}"),
    }
}

#[tokio::test]
async fn json_with_wrong_types_is_read_leniently_or_refused_clearly() {
    for (case, rewrite, outcome) in wrong_type_cases() {
        check_wrong_types(case, rewrite, outcome).await;
    }
}

// ---- API error codes ------------------------------------------------------------------------

#[tokio::test]
async fn code_4400_is_retried_and_recovered() {
    assert_recovers(FaultKind::ApiError { code: 4400, message: None }, MAX_RETRIES).await;
}

#[tokio::test]
async fn code_6000_is_retried_and_recovered() {
    assert_recovers(FaultKind::ApiError { code: 6000, message: None }, MAX_RETRIES).await;
}

#[tokio::test]
async fn code_6200_is_retried_and_recovered() {
    assert_recovers(FaultKind::ApiError { code: 6200, message: None }, MAX_RETRIES).await;
}

#[tokio::test]
async fn code_4500_is_re_signed_once_with_a_new_nonce_and_timestamp() {
    // Every answer takes a second, so the re-signed request's Timestamp (unix seconds) is
    // necessarily later than the first one's.
    let config = SandboxConfig {
        latency: Duration::from_secs(1),
        faults: vec![FaultRule::on_request(1, FaultKind::ApiError { code: 4500, message: None })],
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await;
    let raw = RawSettings { max_retries: Some(0), ..raw_settings(&sandbox.url()) };
    let images = list(&client(raw), &query(ImageType::Public)).await.expect("re-signed");
    assert_eq!(ids(&images), catalog_ids(&sandbox.catalog(), ImageType::Public));
    let records = sandbox.requests();
    let codes: Vec<Option<i64>> = records.iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(4500), Some(0)], "re-signed once, even with max_retries = 0");
    let (first, second) = (&records[0], &records[1]);
    assert_ne!(param(first, "Nonce"), param(second, "Nonce"));
    let timestamp = |r| param(r, "Timestamp").and_then(|t| t.parse::<u64>().ok());
    assert!(timestamp(second) > timestamp(first), "{first:?} then {second:?}");
}

#[tokio::test]
async fn code_4500_twice_fails_with_the_clock_hint() {
    let fault = FaultRule::every(FaultKind::ApiError { code: 4500, message: None });
    let sandbox = start_with(synthetic(IMAGES), vec![fault]).await;
    let error = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect_err("4500");
    assert_eq!(sandbox.request_count(), 2, "re-signed once, not retried further");
    assert_eq!(error.api_error().map(|a| a.kind()), Some(ApiErrorKind::Replay));
    assert!(describe(&error).contains("Check this machine's clock"), "{error}");
}

#[tokio::test]
async fn code_4000_fails_at_once_with_its_hint() {
    let hint = "A request parameter was invalid: check the image type, image ids";
    assert_fails_at_once(4000, "InvalidParameter", "invalid request parameter", hint).await;
}

#[tokio::test]
async fn code_4100_fails_at_once_with_its_hint() {
    let message = "authentication failed: the signature does not match";
    let hint = "Check secret_id and secret_key (or QCLOUD_SECRET_ID / QCLOUD_SECRET_KEY)";
    assert_fails_at_once(4100, "AuthFailure", message, hint).await;
}

#[tokio::test]
async fn code_4104_fails_at_once_with_its_hint() {
    let hint = "Check secret_id (or QCLOUD_SECRET_ID) against the API keys of the account";
    assert_fails_at_once(4104, "SecretIdNotFound", "the SecretId does not exist", hint).await;
}

#[tokio::test]
async fn code_4300_fails_at_once_with_its_hint() {
    let hint = "Access denied: check the sub-account's permissions (CAM policy)";
    assert_fails_at_once(4300, "AccessDenied", "access denied", hint).await;
}

#[tokio::test]
async fn code_6100_fails_at_once_with_its_hint() {
    let message = "the action is not supported by this module";
    let hint = "The endpoint is the wrong module host for DescribeImages";
    assert_fails_at_once(6100, "UnsupportedAction", message, hint).await;
}

// ---- Pagination hazards ---------------------------------------------------------------------

#[tokio::test]
async fn a_total_count_larger_than_the_truth_stops_at_the_first_short_page() {
    let lie = FaultRule::every(FaultKind::WrongTotalCount(500));
    let sandbox = start_with(synthetic(IMAGES), vec![lie]).await;
    // One page at a time, so the request count is exact: with more at once, pages past the
    // short one may already be on their way when it arrives.
    let raw = RawSettings { page_concurrency: Some(1), ..raw_settings(&sandbox.url()) };
    let images = list(&client(raw), &query(ImageType::Private)).await.expect("listed");
    assert_whole(&sandbox, &images);
    assert_eq!(offsets(&sandbox.requests()), each_page_once_except(PAGES, &[]));
}

#[tokio::test]
async fn a_total_count_smaller_than_the_truth_pages_on_to_the_short_page() {
    // 150, 50 and 0 of 250: never the number of images on the full pages read so far (see
    // the matrix's known limits).
    for understated in [-100, -200, -250] {
        let lie = FaultRule::every(FaultKind::WrongTotalCount(understated));
        let sandbox = start_with(synthetic(IMAGES), vec![lie]).await;
        let images = list(&client_for(&sandbox), &query(ImageType::Private)).await;
        let images = images.unwrap_or_else(|e| panic!("total {understated:+}: {e}"));
        assert_whole(&sandbox, &images);
        let asked = offsets(&sandbox.requests());
        assert_eq!(asked, each_page_once_except(PAGES, &[]), "total {understated:+}");
    }
}

/// The listing is the catalog as it is after the change, and each page was read twice: once
/// by the listing that saw `totalCount` change, once by the listing that did not.
async fn assert_listed_again_after_a_change(change: FaultKind, images_after: usize) {
    let sandbox = faulty_page(change.clone(), 1).await;
    let before = catalog_ids(&sandbox.catalog(), ImageType::Private);
    let images = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect("listed");
    assert_whole(&sandbox, &images);
    assert_eq!(images.len(), images_after, "{change}");
    let after = catalog_ids(&sandbox.catalog(), ImageType::Private);
    let listed = ids(&images);
    let all_along = before.iter().filter(|id| after.contains(id));
    assert!(all_along.clone().all(|id| listed.contains(id)), "{change}: an image was lost");
    let twice: Vec<(u64, usize)> = (0..PAGES).map(|p| (p * 100, 2)).collect();
    assert_eq!(offsets(&sandbox.requests()), each_page_once_except(PAGES, &twice), "{change}");
}

#[tokio::test]
async fn an_image_created_between_pages_is_listed_with_all_the_others() {
    assert_listed_again_after_a_change(FaultKind::AddImage, IMAGES + 1).await;
}

#[tokio::test]
async fn regression_an_image_deleted_between_pages_no_longer_hides_another() {
    // Before the fix, the image at offset 100 slid back onto the page already read and was
    // silently missing from a listing that returned without error.
    assert_listed_again_after_a_change(FaultKind::RemoveImage, IMAGES - 1).await;
}

#[tokio::test]
async fn images_changing_during_every_listing_end_in_a_clear_error() {
    let churn = FaultRule::every(FaultKind::AddImage);
    let sandbox = start_with(synthetic(IMAGES), vec![churn]).await;
    let error = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect_err("churn");
    assert!(matches!(error, Error::ListingKeptChanging { listings: 3 }), "{error:?}");
    assert!(describe(&error).contains("changed while they were being listed"), "{error}");
    assert_eq!(sandbox.request_count(), 3 * PAGES, "three listings of three pages");
}

#[tokio::test]
async fn the_same_image_on_two_pages_is_listed_once() {
    let sandbox = start_with(synthetic(IMAGES), Vec::new()).await;
    let repeated = catalog_ids(&sandbox.catalog(), ImageType::Private)[150].clone();
    let copy = repeated.clone();
    // The last page starts with a stale copy of an image of the page before.
    let proxy = RewritingProxy::start(&sandbox, move |offset, mut body| {
        if let (200, Some(page)) = (offset, body["imageSet"].as_array_mut()) {
            let stale = json!({"unImgId": copy, "imageName": "a stale copy", "imageType": 1});
            page.insert(0, stale);
        }
        body
    })
    .await;
    let images = list(&client(raw_settings(&proxy.url)), &query(ImageType::Private)).await;
    let images = images.expect("listed");
    assert_whole(&sandbox, &images);
    let kept = images.iter().find(|i| i.image_id == repeated).map(|i| i.image_name.as_deref());
    assert_ne!(kept, Some(Some("a stale copy")), "the first occurrence is kept");
    assert_eq!(proxy.forwarded(), PAGES);
}

#[tokio::test]
async fn a_page_failing_after_others_succeeded_is_retried_alone() {
    let fault = FaultRule::at_offset(300, FaultKind::HttpStatus(503)).times(2);
    let sandbox = start_with(synthetic(1000), vec![fault]).await;
    let images = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect("listed");
    assert_whole(&sandbox, &images);
    assert_eq!(offsets(&sandbox.requests()), each_page_once_except(10, &[(300, 3)]));
    assert_eq!(sandbox.request_count(), 12);
}

#[tokio::test]
async fn a_page_failing_every_time_fails_the_whole_listing() {
    let fault = FaultRule::at_offset(300, FaultKind::HttpStatus(503));
    let sandbox = start_with(synthetic(1000), vec![fault]).await;
    let listed = list(&client_for(&sandbox), &query(ImageType::Private)).await;
    let error = listed.expect_err("all or nothing: no partial listing");
    let Error::RetriesExhausted { attempts, last, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*attempts, MAX_RETRIES + 1);
    assert!(matches!(**last, Error::HttpStatus { status: 503, .. }), "{last:?}");
    assert_eq!(offsets(&sandbox.requests()).get(&300), Some(&(MAX_RETRIES as usize + 1)));
}

// ---- Every page, and exhaustion -------------------------------------------------------------

#[tokio::test]
async fn a_fault_on_every_page_at_once_is_recovered() {
    let kinds = [
        FaultKind::HttpStatus(500),
        FaultKind::HttpStatus(502),
        FaultKind::HttpStatus(503),
        FaultKind::HttpStatus(429),
        FaultKind::ApiError { code: 4400, message: None },
        FaultKind::ApiError { code: 6000, message: None },
        FaultKind::ApiError { code: 6200, message: None },
        FaultKind::ResetConnection,
        FaultKind::CloseConnection,
        FaultKind::TruncatedBody,
    ];
    let faults: Vec<FaultRule> = (0..10)
        .zip(kinds)
        .map(|(page, kind)| FaultRule::at_offset(page * 100, kind).times(2))
        .collect();
    let sandbox = start_with(synthetic(1000), faults).await;
    let images = list(&client_for(&sandbox), &query(ImageType::Private)).await.expect("listed");
    assert_whole(&sandbox, &images);
    let thrice: Vec<(u64, usize)> = (0..10).map(|p| (p * 100, 3)).collect();
    assert_eq!(offsets(&sandbox.requests()), each_page_once_except(10, &thrice));
    assert_eq!(sandbox.request_count(), 30);
}

#[tokio::test]
async fn exhausted_retries_say_how_many_attempts_and_the_last_cause() {
    let fault = FaultRule::every(FaultKind::ApiError { code: 6000, message: None });
    let sandbox = start_with(synthetic(IMAGES), vec![fault]).await;
    let raw = RawSettings { max_retries: Some(2), ..raw_settings(&sandbox.url()) };
    let error = list(&client(raw), &query(ImageType::Private)).await.expect_err("exhausted");
    assert_eq!(sandbox.request_count(), 3);
    assert!(matches!(error, Error::RetriesExhausted { attempts: 3, .. }), "{error:?}");
    let text = describe(&error);
    let expected = "DescribeImages failed after 3 attempts; last error: the Tencent Cloud image \
                    API refused the request with code 6000 (InternalError): internal server \
                    error, try again later. The API had a temporary problem";
    assert!(text.starts_with(expected), "{text}");
}
