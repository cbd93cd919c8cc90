use super::*;
use crate::qcloud::error::ApiErrorKind;

fn parsed(body: &str) -> Page {
    match parse_describe_images(200, body.as_bytes()) {
        Ok(page) => page,
        Err(e) => panic!("expected a page from {body}, got {e}"),
    }
}

fn error(body: &[u8]) -> Error {
    match parse_describe_images(200, body) {
        Ok(page) => panic!("expected an error, got {page:?}"),
        Err(e) => e,
    }
}

fn api(body: &str) -> ApiError {
    match error(body.as_bytes()) {
        Error::Api(api) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn reference_example_with_createor() {
    let page = parsed(
        r#"{"code":0,"message":"","totalCount":1,"imageSet":[{"unImgId":"img-1234test",
        "imageName":"test","imageDescription":"test","osName":"Ubuntu 12.04 64bit",
        "imageType":1,"createTime":"2014-09-27 10:11:00","createor":"1000","status":2}]}"#,
    );
    assert_eq!(page.total_count, Some(1));
    assert_eq!(
        page.images,
        [Image {
            image_id: "img-1234test".into(),
            image_name: Some("test".into()),
            image_description: Some("test".into()),
            image_type: Some(1),
            os_name: Some("Ubuntu 12.04 64bit".into()),
            create_time: Some("2014-09-27 10:11:00".into()),
            creator: Some("1000".into()),
            status: Some(2),
            ..Image::default()
        }]
    );
}

#[test]
fn code_and_ints_as_strings_creator_spelled_right_and_unknown_fields() {
    let page = parsed(
        r#"{"code":"0","totalCount":"2","extra":{"x":[1,2]},"imageSet":[
        {"unImgId":"img-a","imageType":"2","status":" 3 ","creator":1000,"future":true},
        {"unImgId":"img-b","imageType":2.0,"status":"n/a","creator":"9","createor":"8"}]}"#,
    );
    assert_eq!(page.total_count, Some(2));
    let a = &page.images[0];
    assert_eq!((a.image_type, a.status, a.creator.as_deref()), (Some(2), Some(3), Some("1000")));
    let b = &page.images[1];
    assert_eq!((b.image_type, b.status, b.creator.as_deref()), (Some(2), None, Some("9")));
}

#[test]
fn missing_fields_are_absent() {
    let page = parsed(r#"{"code":0,"imageSet":[{"unImgId":"img-a","imageName":null}]}"#);
    assert_eq!(page.total_count, None);
    assert_eq!(page.images, [Image { image_id: "img-a".into(), ..Image::default() }]);
    assert_eq!(parsed(r#"{"code":0,"totalCount":0}"#).images, []);
    assert_eq!(parsed(r#"{"code":0,"totalCount":-5,"imageSet":null}"#).total_count, None);
    assert_eq!(parsed(r#"{"imageSet":[]}"#), Page::default(), "no code but an imageSet");
    let alias = parsed(r#"{"code":0,"imageSet":[{"unImageId":"img-z"}]}"#);
    assert_eq!(alias.images[0].image_id, "img-z");
}

#[test]
fn error_2_0_shape_with_number_or_string_code() {
    let e = api(r#"{"code":4100,"message":"signature mismatch","codeDesc":"AuthFailure"}"#);
    assert_eq!(e.code, ApiCode::Numeric(4100));
    assert_eq!(e.code_desc.as_deref(), Some("AuthFailure"));
    assert_eq!(e.message, "signature mismatch");
    assert_eq!(e.kind(), ApiErrorKind::AuthFailure);

    let e = api(r#"{"code":"4400","message":"slow down"}"#);
    assert_eq!((e.code, e.code_desc), (ApiCode::Numeric(4400), None));

    let e = api(r#"{"code":"InvalidAction","message":7}"#);
    assert_eq!((e.code, e.message.as_str()), (ApiCode::Named("InvalidAction".into()), "7"));
}

#[test]
fn error_3_0_envelope() {
    let e =
        api(r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad sig"},
        "RequestId":"req-1"}}"#);
    assert_eq!(e.code, ApiCode::Named("AuthFailure.SignatureFailure".into()));
    assert_eq!(e.message, "bad sig");
    assert_eq!(e.request_id.as_deref(), Some("req-1"));
    assert_eq!(e.kind(), ApiErrorKind::AuthFailure);
}

#[test]
fn non_json_bodies_quote_their_start() {
    let html =
        format!("<html>\n<head><title>502 Bad Gateway</title></head>{}</html>", "x".repeat(5000));
    match error(html.as_bytes()) {
        Error::NotJson { status, body_start } => {
            assert_eq!(status, 200);
            assert!(body_start.starts_with("<html> <head><title>502 Bad Gateway"), "{body_start}");
            assert_eq!(body_start.chars().count(), BODY_QUOTE_CHARS + 1, "{body_start}");
            assert!(body_start.ends_with('…'));
        }
        other => panic!("{other:?}"),
    }
    let Error::NotJson { body_start, .. } = error(b"") else { panic!("empty body is not JSON") };
    assert_eq!(body_start, "");
    let message = error(b"").to_string();
    assert!(message.contains("body was empty"), "{message}");
    let message = error(b"{\"code\":0,\"imageSet\":[").to_string();
    assert!(message.contains("not JSON"), "{message}");
}

#[test]
fn wrong_shapes_are_errors_not_panics() {
    let cases: &[(&str, &str)] = &[
        (r#"{"code":0,"imageSet":"img-a"}"#, "imageSet is not a list"),
        (r#"{"code":0,"imageSet":[1]}"#, "imageSet[0] is not an object"),
        (r#"{"code":0,"imageSet":[{"imageName":"x"}]}"#, "imageSet[0] has no unImgId"),
        (r#"{"code":0,"imageSet":[{"unImgId":""}]}"#, "has no unImgId"),
        (r#"{"code":[0]}"#, "code is neither"),
        (r#"[1,2]"#, "not a JSON object"),
        (r#""text""#, "not a JSON object"),
        (r#"{"message":"hi"}"#, "no code field"),
        (r#"{"Response":{"RequestId":"r"}}"#, "API 3.0"),
        (r#"{"Response":{"Error":"oops"}}"#, "API 3.0"),
    ];
    for (body, needle) in cases {
        match error(body.as_bytes()) {
            Error::UnexpectedResponse { problem, .. } => {
                assert!(problem.contains(needle), "{body}: {problem}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn deeply_nested_or_binary_bodies_do_not_panic() {
    let deep = "[".repeat(100_000);
    assert!(matches!(error(deep.as_bytes()), Error::NotJson { .. }));
    assert!(matches!(error(&[0xff, 0xfe, 0x00, 0x7b]), Error::NotJson { .. }));
}

#[test]
fn error_messages_are_cleaned_and_bounded() {
    let long = "é".repeat(2000);
    let e = api(&format!(r#"{{"code":6000,"message":"line1\nline2 {long}"}}"#));
    assert!(e.message.starts_with("line1 line2 "));
    assert!(e.message.chars().count() <= MESSAGE_CHARS + 1);
}

#[test]
fn body_start_redacts_an_echoed_signature_or_token() {
    let body = b"<p>Bad request: /v2/index.php?Action=DescribeImages&Signature=abc%2Bdef&Token=t0k&x=1</p>";
    let quoted = body_start(body);
    assert!(!quoted.contains("abc") && !quoted.contains("t0k"), "{quoted}");
    assert!(quoted.contains("Signature=<redacted>&Token=<redacted>&x=1"), "{quoted}");
}

#[test]
fn regression_an_api_error_echoing_the_token_or_signature_is_redacted() {
    let bodies = [
        r#"{"code":4000,"message":"bad parameter Token=t0k3n&Signature=s1gn","codeDesc":"Token=t0k3n"}"#,
        r#"{"code":"Token=t0k3n","message":"x"}"#,
        r#"{"Response":{"Error":{"Code":"X","Message":"Token=t0k3n"},"RequestId":"Signature=s1gn"}}"#,
    ];
    for body in bodies {
        let text = error(body.as_bytes()).to_string();
        assert!(!text.contains("t0k3n") && !text.contains("s1gn"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
