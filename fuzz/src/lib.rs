//! The properties the fuzz targets check on untrusted bytes. The test suite runs them too
//! (`tests/reliability_fuzz.rs` includes this file), on a short mutation run over the seeds.
//!
//! Every check is total: it must return for any input, and it panics only when a property
//! breaks, which is what the fuzzer reports.

use std::sync::OnceLock;

use qcloud_provider::cty::{Type, Value, decode_json, decode_msgpack, encode_msgpack};
use qcloud_provider::data_sources::api_error::describe;
use qcloud_provider::data_sources::images::{Lookup, validate};
use qcloud_provider::provider::{Provider, QcloudProvider};
use qcloud_provider::qcloud::ApiVersion;
use qcloud_provider::qcloud::images::parse_page_answer;

/// The longest error text (in characters) a response may produce, whatever its size.
pub const MAX_RESPONSE_ERROR_CHARS: usize = 2_000;

/// A secret planted in responses; it must never come back in an error.
pub const PLANTED_SECRET: &str = "PlantedSecretValue0123456789";

/// The provider, built once: its schemas drive the decoders.
fn provider() -> &'static QcloudProvider {
    static PROVIDER: OnceLock<QcloudProvider> = OnceLock::new();
    PROVIDER.get_or_init(QcloudProvider::new)
}

/// The provider block's type.
pub fn provider_type() -> Type {
    provider().schema().provider.block.value_type()
}

/// The `qcloud_images` block's type.
pub fn images_type() -> Type {
    provider().schema().data_sources["qcloud_images"].block.value_type()
}

/// The types the value decoders are driven with: the two configurations Terraform sends, and
/// `dynamic` ones, which read a type from the input itself.
pub fn value_types() -> Vec<Type> {
    vec![images_type(), provider_type(), Type::Dynamic, Type::list(Type::Dynamic)]
}

/// msgpack `DynamicValue`s: decoding never panics, and whatever decodes encodes again, with
/// an encoding that is stable from then on.
pub fn check_msgpack(data: &[u8]) {
    for ty in value_types() {
        if let Ok(value) = decode_msgpack(data, &ty) {
            assert_stable(&value, &ty);
        }
    }
}

/// JSON `DynamicValue`s: decoding never panics, and whatever decodes encodes as msgpack.
pub fn check_json(data: &[u8]) {
    for ty in value_types() {
        if let Ok(value) = decode_json(data, &ty) {
            assert_stable(&value, &ty);
        }
    }
}

fn assert_stable(value: &Value, ty: &Type) {
    let once = encode_msgpack(value, ty).expect("a decoded value encodes with its type");
    let again = decode_msgpack(&once, ty).expect("an encoded value decodes with its type");
    let twice = encode_msgpack(&again, ty).expect("a re-decoded value encodes with its type");
    assert_eq!(once, twice, "the encoding of a decoded value is stable");
}

/// `qcloud_images` and provider configurations: whatever decodes is validated (and turned into
/// a query) without panicking.
pub fn check_configs(data: &[u8]) {
    if let Ok(config) = decode_msgpack(data, &images_type()) {
        let _ = validate(&config);
        let _ = Lookup::from_config(&config);
    }
    if let Ok(config) = decode_msgpack(data, &provider_type()) {
        let _ = provider().validate_provider_config(&config);
    }
}

/// `DescribeImages` answers: the first two bytes pick the HTTP status, the rest is the body,
/// with [`PLANTED_SECRET`] echoed as a `Token=` parameter at a place the input chooses.
/// Parsing never panics, an error's text is bounded, and it never repeats the secret.
pub fn check_response(data: &[u8]) {
    let (status, body) = match data {
        [high, low, rest @ ..] => (u16::from_be_bytes([*high, *low]), rest),
        _ => (200, data),
    };
    check_response_body(status, body);
    let at = data.first().map_or(0, |b| usize::from(*b)).min(body.len());
    let mut planted = body[..at].to_vec();
    planted.extend_from_slice(format!("Token={PLANTED_SECRET}&").as_bytes());
    planted.extend_from_slice(&body[at..]);
    check_response_body(status, &planted);
}

/// Both API versions' parsers: an error, as logged and as shown to the user, is bounded and
/// never carries the planted secret.
fn check_response_body(status: u16, body: &[u8]) {
    for version in [ApiVersion::V2, ApiVersion::V3] {
        if let Err(error) = parse_page_answer(version, status, body) {
            for text in [error.to_string(), describe(&error)] {
                let chars = text.chars().count();
                assert!(chars <= MAX_RESPONSE_ERROR_CHARS, "{chars} characters: {text}");
                assert!(!text.contains(PLANTED_SECRET), "the planted secret is in: {text}");
            }
        }
    }
}

/// Starting points for the msgpack and config targets: configurations as Terraform encodes
/// them, with every argument set, with unknowns, and `dynamic` values.
pub fn msgpack_seeds() -> Vec<Vec<u8>> {
    use std::collections::BTreeMap;
    let object = |ty: &Type, set: &[(&str, Value)]| {
        let Type::Object(attributes) = ty else { unreachable!("block types are objects") };
        let mut values: BTreeMap<String, Value> =
            attributes.keys().map(|name| (name.clone(), Value::Null)).collect();
        for (name, value) in set {
            values.insert((*name).to_string(), value.clone());
        }
        encode_msgpack(&Value::Object(values), ty).expect("seed values fit their type")
    };
    let ids = Value::List(vec!["img-31tjrtph".into(), "img-9qabwvbn".into()]);
    let images = object(
        &images_type(),
        &[
            ("image_type", "public".into()),
            ("image_ids", ids.clone()),
            ("status", "normal".into()),
            ("name_regex", "^CentOS 7\\.[0-9]+".into()),
            ("os_name", "centos".into()),
            ("most_recent", true.into()),
            ("sort_ascending", false.into()),
            ("max_results", 3.into()),
            ("result_output_file", "out/images.json".into()),
        ],
    );
    let unknowns =
        object(&images_type(), &[("image_type", Value::Unknown), ("image_ids", Value::Unknown)]);
    let provider = object(
        &provider_type(),
        &[
            ("secret_id", "AKIDexample".into()),
            ("secret_key", "key".into()),
            ("region", "ap-guangzhou".into()),
            ("endpoint", "https://image.api.qcloud.com/v2/index.php".into()),
            ("signature_method", "HmacSHA1".into()),
            ("max_retries", 3.into()),
            ("request_timeout", 30.into()),
            ("requests_per_second", 2.into()),
            ("page_concurrency", 4.into()),
        ],
    );
    let dynamic = encode_msgpack(&ids, &Type::Dynamic).expect("a list of strings is dynamic");
    let dynamic_list =
        encode_msgpack(&Value::List(vec![ids, Value::Null]), &Type::list(Type::Dynamic))
            .expect("dynamic elements take any value");
    vec![images, unknowns, provider, dynamic, dynamic_list]
}

/// Starting points for the JSON target.
pub fn json_seeds() -> Vec<Vec<u8>> {
    [
        r#"{"image_type":"public","image_ids":["img-31tjrtph"],"status":"normal","name_regex":"^CentOS","os_name":null,"most_recent":true,"sort_ascending":false,"max_results":3,"result_output_file":"out.json","id":null,"total_count":null,"ids":null,"images":null,"image_id":null,"image_name":null,"image_description":null,"create_time":null,"creator":null}"#,
        r#"{"secret_id":"AKIDexample","secret_key":"key","security_token":null,"region":"ap-guangzhou","endpoint":null,"signature_method":"HmacSHA256","max_retries":5,"request_timeout":30,"requests_per_second":10.5,"page_concurrency":4}"#,
        r#"{"value":["a","b"],"type":["list","string"]}"#,
        r#"[{"type":["object",{"n":"number"}],"value":{"n":1e400}},null]"#,
    ]
    .iter()
    .map(|text| text.as_bytes().to_vec())
    .collect()
}

/// Starting points for the response target: the first two bytes are the HTTP status.
pub fn response_seeds() -> Vec<Vec<u8>> {
    let with_status =
        |status: u16, body: &str| [&status.to_be_bytes()[..], body.as_bytes()].concat();
    vec![
        with_status(
            200,
            r#"{"code":0,"message":"","totalCount":2,"imageSet":[{"unImgId":"img-31tjrtph","imageName":"CentOS 7.2 64bit","imageType":2,"osName":"CentOS 7.2 64bit","createTime":"2016-06-30 12:00:00","creator":"tencent","status":2,"imageDescription":"x"},{"unImgId":"img-9qabwvbn","createor":"someone","imageType":"1","status":"2"}]}"#,
        ),
        with_status(
            200,
            r#"{"code":4100,"message":"signature mismatch","codeDesc":"AuthFailure"}"#,
        ),
        with_status(
            200,
            r#"{"code":"4400","message":"rate limit","codeDesc":"RequestLimitExceeded"}"#,
        ),
        with_status(
            200,
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"6f1a"}}"#,
        ),
        with_status(
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>?Signature=abc&Token=def</body></html>",
        ),
        with_status(200, ""),
    ]
}
