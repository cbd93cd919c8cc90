//! The API 2.0 answer envelope: `{"code":0,...}` on success, `{"code":N,"message","codeDesc"}`
//! on failure, read leniently (`code` as a number or a string). Some 2.0 hosts answer errors in
//! the 3.0 envelope; that is read too. What the success holds is the action's business.
//!
//! Must not depend on the HTTP transport.

use serde_json::{Map, Value};

use crate::qcloud::error::{ApiCode, ApiError, Error};
use crate::qcloud::json::{MESSAGE_CHARS, body_start, clean, int, parse_body, text};
use crate::qcloud::{ApiVersion, v3};

/// The answer's JSON object when it is not an error; [`Error::Api`] for an error answer,
/// [`Error::NotJson`], [`Error::WrongApiVersion`] or [`Error::UnexpectedResponse`] otherwise.
/// An object without `code` is passed on: the action decides whether it is an answer.
pub fn open(status: u16, body: &[u8]) -> Result<Map<String, Value>, Error> {
    let value = parse_body(status, body)?;
    let unexpected = |problem: &str| Error::UnexpectedResponse {
        problem: problem.into(),
        body_start: body_start(body),
    };
    let Value::Object(root) = value else {
        return Err(unexpected("the answer is not a JSON object"));
    };
    if let Some(response) = root.get("Response") {
        return Err(v3::envelope::error_of(response).unwrap_or_else(|| Error::WrongApiVersion {
            sent: ApiVersion::V2,
            answered: ApiVersion::V3,
            body_start: body_start(body),
        }));
    }
    let Some(code) = root.get("code") else { return Ok(root) };
    let code = api_code(code).ok_or_else(|| unexpected("code is neither a number nor a string"))?;
    if code != ApiCode::Numeric(0) {
        return Err(Error::Api(ApiError {
            code,
            code_desc: root.get("codeDesc").and_then(text).map(|d| clean(&d, 100)),
            message: message_text(root.get("message")),
            request_id: None,
        }));
    }
    Ok(root)
}

/// A code as sent: a number, or a string holding a number or a name.
pub(crate) fn api_code(value: &Value) -> Option<ApiCode> {
    if let Some(n) = int(value) {
        return Some(ApiCode::Numeric(n));
    }
    match value {
        Value::String(name) if !name.trim().is_empty() => {
            Some(ApiCode::Named(clean(name.trim(), 100)))
        }
        _ => None,
    }
}

/// An error message as kept: cleaned and bounded.
pub(crate) fn message_text(value: Option<&Value>) -> String {
    value.and_then(text).map(|m| clean(&m, MESSAGE_CHARS)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qcloud::ApiErrorKind;
    use crate::qcloud::json::BODY_QUOTE_CHARS;

    fn error(body: &[u8]) -> Error {
        open(200, body).expect_err("an error answer")
    }

    fn api(body: &str) -> ApiError {
        match error(body.as_bytes()) {
            Error::Api(api) => api,
            other => panic!("expected an API error, got {other:?}"),
        }
    }

    #[test]
    fn success_passes_the_object_on() {
        let root = open(200, br#"{"code":0,"totalCount":1}"#).expect("a success");
        assert_eq!(root.get("totalCount"), Some(&Value::from(1)));
        assert!(open(200, br#"{"code":"0"}"#).is_ok());
        assert!(open(200, br#"{"imageSet":[]}"#).is_ok(), "no code is for the action to judge");
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
        let e = api(
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad sig"},
            "RequestId":"req-1"}}"#,
        );
        assert_eq!(e.code, ApiCode::Named("AuthFailure.SignatureFailure".into()));
        assert_eq!(e.message, "bad sig");
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
        assert_eq!(e.kind(), ApiErrorKind::AuthFailure);
    }

    #[test]
    fn a_3_0_answer_without_an_error_is_the_wrong_api_version() {
        for body in [r#"{"Response":{"RequestId":"r"}}"#, r#"{"Response":{"Error":"oops"}}"#] {
            match error(body.as_bytes()) {
                Error::WrongApiVersion { sent, answered, .. } => {
                    assert_eq!((sent, answered), (ApiVersion::V2, ApiVersion::V3), "{body}")
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn non_json_bodies_quote_their_start() {
        let html = format!(
            "<html>\n<head><title>502 Bad Gateway</title></head>{}</html>",
            "x".repeat(5000)
        );
        match error(html.as_bytes()) {
            Error::NotJson { status, body_start } => {
                assert_eq!(status, 200);
                assert!(
                    body_start.starts_with("<html> <head><title>502 Bad Gateway"),
                    "{body_start}"
                );
                assert_eq!(body_start.chars().count(), BODY_QUOTE_CHARS + 1, "{body_start}");
                assert!(body_start.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
        let Error::NotJson { body_start, .. } = error(b"") else { panic!("empty is not JSON") };
        assert_eq!(body_start, "");
        assert!(error(b"").to_string().contains("body was empty"));
        assert!(error(b"{\"code\":0,\"imageSet\":[").to_string().contains("not JSON"));
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        let cases: &[(&str, &str)] = &[
            (r#"{"code":[0]}"#, "code is neither"),
            (r#"[1,2]"#, "not a JSON object"),
            (r#""text""#, "not a JSON object"),
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
}
