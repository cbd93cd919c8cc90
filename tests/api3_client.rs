//! The real API client speaking API 3.0 to the real sandbox: TC3 signing accepted, paging by
//! `Offset`/`Limit`, ids without filters, retries, refusals with hints, and a wrong signature.

mod common;

use common::client_sandbox::{
    MAX_RETRIES, catalog_ids, client, ids, list, param, query, raw_settings, set, start_with,
    synthetic,
};
use qcloud_provider::data_sources::api_error::describe;
use qcloud_provider::provider::settings::RawSettings;
use qcloud_provider::qcloud::{
    ApiCode, ApiVersion, Error, Image, ImageFilter, ImageStatus, ImageType,
};
use qcloud_sandbox::{FaultRule, SANDBOX_SECRET_ID, SandboxHandle};

/// Test settings pointed at the sandbox's 3.0 endpoint, speaking 3.0.
fn raw_3_0(sandbox: &SandboxHandle) -> RawSettings {
    RawSettings { api_version: Some("3.0".into()), ..raw_settings(&sandbox.url_3_0()) }
}

fn fault(spec: &str) -> FaultRule {
    spec.parse().expect("a valid fault spec")
}

/// The images the 2.0 client lists for `query` from the same sandbox, without the 3.0 fields.
async fn listed_by_2_0(sandbox: &SandboxHandle, query: &ImageFilter) -> Vec<Image> {
    list(&client(raw_settings(&sandbox.url())), query).await.expect("2.0 lists")
}

fn shared_fields(images: Vec<Image>) -> Vec<Image> {
    let strip = |i: Image| Image {
        image_id: i.image_id,
        image_name: i.image_name,
        image_description: i.image_description,
        image_type: i.image_type,
        os_name: i.os_name,
        create_time: i.create_time,
        creator: i.creator,
        status: i.status,
        ..Image::default()
    };
    images.into_iter().map(strip).collect()
}

#[tokio::test]
async fn a_thousand_images_come_back_once_each_in_ten_requests() {
    let sandbox = start_with(synthetic(1000), Vec::new()).await;
    let client = client(raw_3_0(&sandbox));
    assert_eq!(client.settings().api_version(), ApiVersion::V3);
    let images = list(&client, &query(ImageType::Private)).await.expect("listed");
    let listed = ids(&images);
    assert_eq!(listed.len(), 1000);
    assert_eq!(set(&listed).len(), 1000, "no image twice");
    assert_eq!(listed, catalog_ids(&sandbox.catalog(), ImageType::Private), "catalog order");
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 10);
    let mut offsets: Vec<&str> = requests.iter().filter_map(|r| param(r, "Offset")).collect();
    offsets.sort_by_key(|o| o.parse::<u64>().unwrap_or(u64::MAX));
    let expected: Vec<String> = (0..10).map(|p| (p * 100).to_string()).collect();
    assert_eq!(offsets, expected);
    assert!(requests.iter().all(|r| r.method == "POST" && r.code == Some(0)));
    assert!(requests.iter().all(|r| param(r, "Filters.image-type") == Some("PRIVATE_IMAGE")));
    let details =
        |i: &Image| (i.details().architecture.is_some(), i.details().image_size.is_some());
    assert!(images.iter().all(|i| details(i) == (true, true)));
}

#[tokio::test]
async fn every_type_and_status_lists_the_same_images_as_2_0() {
    let sandbox = start_with(qcloud_sandbox::Catalog::builtin(), Vec::new()).await;
    let client = client(raw_3_0(&sandbox));
    let types = [ImageType::Private, ImageType::Public, ImageType::Marketplace, ImageType::Shared];
    let statuses =
        [None, Some(ImageStatus::Normal), Some(ImageStatus::Creating), Some(ImageStatus::Copying)];
    for image_type in types {
        for status in statuses {
            // API 2.0 cannot tell deprecated images apart: compare with them kept.
            let query = ImageFilter {
                status,
                include_deprecated: true,
                ..ImageFilter::of_type(image_type)
            };
            let v3 = list(&client, &query).await.expect("3.0 lists");
            assert_eq!(shared_fields(v3), listed_by_2_0(&sandbox, &query).await, "{query:?}");
        }
    }
}

#[tokio::test]
async fn ids_go_without_filters_and_type_and_status_apply_on_the_client() {
    let sandbox = start_with(qcloud_sandbox::Catalog::builtin(), Vec::new()).await;
    let catalog = sandbox.catalog();
    // Every image of the catalog, whatever its type: the API returns them all for ids alone.
    let every: Vec<String> = catalog.images().iter().map(|i| i.image_id.clone()).collect();
    let query = ImageFilter {
        image_ids: every.clone(),
        status: Some(ImageStatus::Normal),
        include_deprecated: true,
        ..ImageFilter::of_type(ImageType::Private)
    };
    let v3 = list(&client(raw_3_0(&sandbox)), &query).await.expect("3.0 lists");
    assert!(!v3.is_empty());
    assert_eq!(shared_fields(v3), listed_by_2_0(&sandbox, &query).await);
    let v3_requests: Vec<_> =
        sandbox.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(v3_requests.len(), every.len().div_ceil(10), "batches of ten ids, one page each");
    for record in &v3_requests {
        assert!(param(record, "Filters.image-type").is_none(), "{record:?}");
        assert!(param(record, "ImageIds.0").is_some(), "{record:?}");
    }
}

#[tokio::test]
async fn throttling_and_internal_errors_are_retried() {
    for code in [4400, 6000] {
        let faults = vec![fault(&format!("first=2:code={code}"))];
        let sandbox = start_with(synthetic(150), faults).await;
        let images = list(&client(raw_3_0(&sandbox)), &query(ImageType::Private)).await;
        assert_eq!(images.expect("retried until it worked").len(), 150, "{code}");
        let codes: Vec<Option<i64>> = sandbox.requests().iter().map(|r| r.code).collect();
        assert_eq!(codes.iter().filter(|c| **c == Some(code)).count(), 2, "{code}: {codes:?}");
        assert_eq!(codes.len(), 4, "{code}: two refused, then two pages: {codes:?}");
    }
    let sandbox = start_with(synthetic(10), vec![fault("every:code=4400")]).await;
    match list(&client(raw_3_0(&sandbox)), &query(ImageType::Private)).await {
        Err(Error::RetriesExhausted { attempts, last, .. }) => {
            assert_eq!(attempts, MAX_RETRIES + 1);
            let api = last.api_error().expect("an API error");
            assert_eq!(api.code, ApiCode::Named("RequestLimitExceeded".into()));
            let text = describe(&last);
            assert!(text.contains("requests_per_second"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_key_fails_at_once_with_a_hint() {
    let sandbox = start_with(synthetic(10), Vec::new()).await;
    let raw = RawSettings { secret_key: Some("not-the-key".into()), ..raw_3_0(&sandbox) };
    let error = list(&client(raw), &query(ImageType::Private)).await.expect_err("refused");
    let api = error.api_error().expect("an API error");
    assert_eq!(api.code, ApiCode::Named("AuthFailure.SignatureFailure".into()));
    assert!(api.request_id.is_some());
    let text = describe(&error);
    assert!(text.contains("secret_key") && text.contains("secret_id"), "{text}");
    assert!(!text.contains("not-the-key") && !error.to_string().contains("not-the-key"));
    assert_eq!(sandbox.request_count(), 1, "no retry for AuthFailure");
}

#[tokio::test]
async fn a_request_with_a_wrong_signature_is_refused() {
    let sandbox = start_with(synthetic(10), Vec::new()).await;
    let body =
        r#"{"Filters":[{"Name":"image-type","Values":["PRIVATE_IMAGE"]}],"Offset":0,"Limit":100}"#;
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let date = qcloud_provider::qcloud::v3::tc3::utc_date(i64::try_from(timestamp).expect("fits"));
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={SANDBOX_SECRET_ID}/{date}/cvm/tc3_request, \
         SignedHeaders=content-type;host, Signature={}",
        "0".repeat(64)
    );
    let response = reqwest::Client::new()
        .post(sandbox.url_3_0())
        .header("Content-Type", "application/json; charset=utf-8")
        .header("X-TC-Action", "DescribeImages")
        .header("X-TC-Version", "2017-03-12")
        .header("X-TC-Region", "ap-guangzhou")
        .header("X-TC-Timestamp", timestamp.to_string())
        .header("Authorization", authorization)
        .body(body)
        .send()
        .await
        .expect("the sandbox answers");
    let bytes = response.bytes().await.expect("a body");
    let json: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON answer");
    assert_eq!(json["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure", "{json}");
    assert!(json["Response"]["ImageSet"].is_null(), "{json}");
    assert_eq!(sandbox.requests()[0].code, Some(4100));
}

#[tokio::test]
async fn a_3_0_client_at_a_2_0_endpoint_gets_a_clear_error() {
    let sandbox = start_with(synthetic(10), Vec::new()).await;
    let raw = RawSettings { api_version: Some("3.0".into()), ..raw_settings(&sandbox.url()) };
    let error = list(&client(raw), &query(ImageType::Private)).await.expect_err("wrong endpoint");
    assert!(matches!(error, Error::WrongApiVersion { .. }), "{error:?}");
    let text = describe(&error);
    assert!(text.contains("api_version") && text.contains("endpoint"), "{text}");
    assert_eq!(sandbox.request_count(), 1, "a wrong endpoint is not retried");
}

/// Moved from the sandbox's unit tests, which no longer see the client: the 3.0 names a
/// `code=N` fault is answered with are the ones the client retries, or gives up on, as the
/// 2.0 code would have it.
#[test]
fn fault_codes_map_to_3_0_names_the_client_retries_or_not() {
    use qcloud_provider::qcloud::transport::retry::{RetryClass, classify};
    let cases = [
        (4400, "RequestLimitExceeded", RetryClass::Backoff),
        (6000, "InternalError", RetryClass::Backoff),
        (4100, "AuthFailure.SignatureFailure", RetryClass::Fatal),
        (4104, "AuthFailure.SecretIdNotFound", RetryClass::Fatal),
    ];
    for (code, name, class) in cases {
        let error = qcloud_sandbox::v3::Error::from_code_2_0(code, "m");
        assert_eq!(error.code, name);
        let client = Error::Api(qcloud_provider::qcloud::ApiError {
            code: ApiCode::Named(error.code),
            code_desc: None,
            message: "m".into(),
            request_id: None,
        });
        assert_eq!(classify(&client), class, "{code}");
    }
}
