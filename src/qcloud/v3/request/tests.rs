use super::*;
use crate::qcloud::tc3::parse_authorization;
use crate::qcloud::{Credentials, ImageStatus, ImageType, SignatureMethod};

fn credentials(token: Option<&str>) -> Credentials {
    Credentials {
        secret_id: "AKIDexample".into(),
        secret_key: "key-example".into(),
        security_token: token.map(Into::into),
    }
}

fn page<'a>(ids: &'a [String], status: Option<ImageStatus>) -> PageRequest<'a> {
    PageRequest { image_type: ImageType::Public, image_ids: ids, status, offset: 200, limit: 100 }
}

#[test]
fn bodies_send_filters_or_ids_never_both() {
    let ids = vec!["img-aaaaaaaa".to_string(), "img-bbbbbbbb".to_string()];
    let cases = [
        (
            page(&[], None),
            r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}],"Offset":200,"Limit":100}"#,
        ),
        (
            page(&[], Some(ImageStatus::InUse)),
            r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]},{"Name":"image-state","Values":["USING"]}],"Offset":200,"Limit":100}"#,
        ),
        (
            page(&[], Some(ImageStatus::Copying)),
            r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}],"Offset":200,"Limit":100}"#,
        ),
        (
            page(&ids, Some(ImageStatus::Normal)),
            r#"{"ImageIds":["img-aaaaaaaa","img-bbbbbbbb"],"Offset":200,"Limit":100}"#,
        ),
    ];
    for (page, body) in cases {
        assert_eq!(body_json(&page), body, "{page:?}");
    }
}

#[test]
fn request_carries_tc_headers_and_a_verifiable_signature() {
    let endpoint = Url::parse("http://127.0.0.1:8080/").unwrap();
    let creds = credentials(Some("token-secret"));
    let target = Target {
        endpoint: &endpoint,
        region: "ap-guangzhou",
        credentials: &creds,
        signature_method: SignatureMethod::HmacSha256,
    };
    let request = build_request(&target, &page(&[], None), 1_700_000_000);
    assert_eq!(request.header("X-TC-Action"), Some("DescribeImages"));
    assert_eq!(request.header("X-TC-Version"), Some("2017-03-12"));
    assert_eq!(request.header("X-TC-Region"), Some("ap-guangzhou"));
    assert_eq!(request.header("X-TC-Timestamp"), Some("1700000000"));
    assert_eq!(request.header("X-TC-Token"), Some("token-secret"));
    assert_eq!(request.header("Host"), Some("127.0.0.1:8080"));
    let auth = parse_authorization(request.header("Authorization").unwrap()).unwrap();
    assert_eq!(auth.secret_id, "AKIDexample");
    assert_eq!(auth.date, "2023-11-14");
    assert_eq!(auth.signed_headers, ["content-type", "host"]);
    let canonical = CanonicalRequest::new(
        "POST",
        "/",
        "",
        &[("content-type", CONTENT_TYPE), ("host", "127.0.0.1:8080")],
        request.body.as_bytes(),
    );
    let scope = CredentialScope::new(1_700_000_000, "cvm");
    let expected =
        signature("key-example", &scope, &StringToSign::new(1_700_000_000, &scope, &canonical));
    assert_eq!(auth.signature, expected);
    let debug = format!("{request:?}");
    assert!(!debug.contains("token-secret") && !debug.contains(&expected), "{debug}");
}

fn image(image_type: i64, status: i64) -> Image {
    Image {
        image_id: "img-aaaaaaaa".into(),
        image_type: Some(image_type),
        status: Some(status),
        ..Image::default()
    }
}

#[test]
fn client_side_filter_applies_only_what_the_api_could_not() {
    let query = |ids: Vec<String>, status| ImageQuery {
        image_type: ImageType::Private,
        image_ids: ids,
        status,
    };
    let ids = vec!["img-aaaaaaaa".to_string()];
    let cases = [
        // The API filtered: trust it.
        (query(vec![], Some(ImageStatus::Normal)), image(2, 3), true),
        // Ids: type and status on the client.
        (query(ids.clone(), None), image(1, 3), true),
        (query(ids.clone(), None), image(2, 2), false),
        (query(ids.clone(), Some(ImageStatus::Normal)), image(1, 2), true),
        (query(ids.clone(), Some(ImageStatus::Normal)), image(1, 3), false),
        // Copying has no 3.0 filter: on the client.
        (query(vec![], Some(ImageStatus::Copying)), image(1, 5), true),
        (query(vec![], Some(ImageStatus::Copying)), image(1, 2), false),
    ];
    for (query, image, kept) in cases {
        assert_eq!(keeps(&query, &image), kept, "{query:?} {image:?}");
    }
}
