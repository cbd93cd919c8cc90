//! The API 3.0 answer envelope: `{"Response":{...,"RequestId"}}`, with `Response.Error` on
//! failure. A 2.0-shaped body means the endpoint serves the other version. What the `Response`
//! holds is the action's business.
//!
//! Must not depend on the HTTP transport.

use serde_json::{Map, Value};

use crate::qcloud::ApiVersion;
use crate::qcloud::error::{ApiError, Error};
use crate::qcloud::json::{body_start, clean, parse_body, text};
use crate::qcloud::v2::envelope::{api_code, message_text};

/// The `Response` object when it is not an error; [`Error::Api`] for an error answer,
/// [`Error::NotJson`], [`Error::WrongApiVersion`] or [`Error::UnexpectedResponse`] otherwise.
pub fn open(status: u16, body: &[u8]) -> Result<Map<String, Value>, Error> {
    let value = parse_body(status, body)?;
    let unexpected = |problem: &str| Error::UnexpectedResponse {
        problem: problem.into(),
        body_start: body_start(body),
    };
    let Some(response) = value.get("Response") else {
        if value.get("code").is_some() {
            return Err(Error::WrongApiVersion {
                sent: ApiVersion::V3,
                answered: ApiVersion::V2,
                body_start: body_start(body),
            });
        }
        return Err(unexpected("there is no Response object"));
    };
    if let Some(error) = error_of(response) {
        return Err(error);
    }
    match response {
        Value::Object(fields) => Ok(fields.clone()),
        _ => Err(unexpected("Response is not an object")),
    }
}

/// The `Response.Error` of a 3.0 envelope, if there is one.
pub(crate) fn error_of(response: &Value) -> Option<Error> {
    let error = response.get("Error")?;
    let code = error.get("Code").and_then(api_code)?;
    Some(Error::Api(ApiError {
        code,
        code_desc: None,
        message: message_text(error.get("Message")),
        request_id: response.get("RequestId").and_then(text).map(|id| clean(&id, 100)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qcloud::error::ApiCode;

    #[test]
    fn success_passes_the_response_on() {
        let response =
            open(200, br#"{"Response":{"TotalCount":0,"RequestId":"r"}}"#).expect("a success");
        assert_eq!(response.get("TotalCount"), Some(&Value::from(0)));
    }

    #[test]
    fn errors_keep_code_message_and_request_id() {
        let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r-9"}}"#;
        match open(200, body) {
            Err(Error::Api(api)) => {
                assert_eq!(api.code, ApiCode::Named("AuthFailure.SignatureFailure".into()));
                assert_eq!(api.message, "bad");
                assert_eq!(api.request_id.as_deref(), Some("r-9"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_2_0_answer_is_the_wrong_api_version() {
        for body in [
            &br#"{"code":4000,"message":"bad"}"#[..],
            br#"{"code":0,"totalCount":0,"imageSet":[]}"#,
        ] {
            match open(200, body) {
                Err(Error::WrongApiVersion { sent, answered, .. }) => {
                    assert_eq!((sent, answered), (ApiVersion::V3, ApiVersion::V2))
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn wrong_shapes_are_clear_errors() {
        for body in [&b"<html>"[..], b""] {
            assert!(matches!(open(502, body), Err(Error::NotJson { .. })));
        }
        for body in [&br#"{"Response":[]}"#[..], br#"[]"#, br#"{"x":1}"#] {
            assert!(
                matches!(open(200, body), Err(Error::UnexpectedResponse { .. })),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
