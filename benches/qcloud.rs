//! In-process cost of one API request: signing, building the signed URL, and parsing a full
//! 100-image answer.
//!
//! Run with `cargo bench --bench qcloud`.

mod support;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qcloud_provider::qcloud::call::{Stamp, Target};
use qcloud_provider::qcloud::images::{PAGE_SIZE, parse_page_answer, v2::page_params};
use qcloud_provider::qcloud::v2::request::{build, params, string_to_sign};
use qcloud_provider::qcloud::v2::{self, sign::sign};
use qcloud_provider::qcloud::{ApiVersion, Credentials, ImageFilter, ImageType, SignatureMethod};
use qcloud_sandbox::{SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY};
use reqwest::Url;
use support::fixtures;

const STAMP: Stamp = Stamp { timestamp: 1_700_000_000, nonce: 1_234_567 };

fn credentials() -> Credentials {
    Credentials {
        secret_id: SANDBOX_SECRET_ID.to_string(),
        secret_key: SANDBOX_SECRET_KEY.to_string(),
        security_token: None,
    }
}

fn endpoint() -> Url {
    Url::parse("https://image.api.qcloud.com/v2/index.php").expect("a valid URL")
}

/// The third page of a listing of private images: what every concurrent page request asks.
fn page() -> v2::Call {
    let filter = ImageFilter::of_type(ImageType::Private);
    let params = page_params(&filter, &[], 2 * u64::from(PAGE_SIZE), PAGE_SIZE);
    v2::Call { action: "DescribeImages", params }
}

fn signing(c: &mut Criterion) {
    let (endpoint, credentials) = (endpoint(), credentials());
    let mut group = c.benchmark_group("api_2_0_signing");
    for method in [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1] {
        let target = Target {
            endpoint: &endpoint,
            region: SANDBOX_REGION,
            credentials: &credentials,
            signature_method: method,
        };
        let params = params(&target, &page(), STAMP);
        let text = string_to_sign(&endpoint, &params);
        let key = credentials.secret_key.as_bytes();
        group.bench_function(format!("string_to_sign/{}", method.as_param()), |b| {
            b.iter(|| string_to_sign(black_box(&endpoint), black_box(&params)))
        });
        group.bench_function(format!("sign/{}", method.as_param()), |b| {
            b.iter(|| sign(black_box(&text), black_box(key), method))
        });
    }
    group.finish();
}

fn signed_request(c: &mut Criterion) {
    let (endpoint, credentials) = (endpoint(), credentials());
    let target = Target {
        endpoint: &endpoint,
        region: SANDBOX_REGION,
        credentials: &credentials,
        signature_method: SignatureMethod::HmacSha256,
    };
    c.bench_function("build_signed_request", |b| {
        b.iter(|| build(black_box(&target), black_box(&page()), black_box(STAMP)))
    });
}

fn parsing(c: &mut Criterion) {
    let catalog = fixtures::catalog(fixtures::PAGE_SIZE);
    let body = fixtures::page_body(&catalog, 0);
    let mut group = c.benchmark_group("parse_describe_images");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("100_images", |b| {
        b.iter(|| parse_page_answer(ApiVersion::V2, 200, black_box(body.as_bytes())))
    });
    group.finish();
}

criterion_group!(benches, signing, signed_request, parsing);
criterion_main!(benches);
