//! What the sandbox answers API 2.0 requests with: the 2.0 error model and JSON bodies, and
//! the bodies of injected faults (malformed JSON, an HTML error page; API 3.0 sends these too).
//!
//! Must not depend on the server: it builds bytes, not connections.

use serde::Serialize;

use crate::catalog::{ImageJson, Page};

/// An API 2.0 error: `code`, `message`, `codeDesc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The common error code (4000, 4100, ...).
    pub code: i64,
    /// What was wrong, for a person.
    pub message: String,
    /// The code's short name (`InvalidParameter`, `AuthFailure`, ...).
    pub code_desc: String,
}

/// The `codeDesc` the sandbox sends with a code.
pub fn code_desc(code: i64) -> &'static str {
    match code {
        4000 => "InvalidParameter",
        4100 => "AuthFailure",
        4101..=4103 | 4110 => "UnauthorizedOperation",
        4104 => "SecretIdNotFound",
        4105 => "TokenFailure",
        4200 => "RequestExpired",
        4300 => "AccessDenied",
        4400 => "RequestLimitExceeded",
        4500 => "ReplayAttack",
        4600 => "UnsupportedProtocol",
        5000 => "ResourceNotFound",
        6000 => "InternalError",
        6100 => "UnsupportedAction",
        6200 => "ResourceUnavailable",
        _ => "UnknownError",
    }
}

/// The message the sandbox sends with a code when none is given.
pub fn default_message(code: i64) -> &'static str {
    match code {
        4000 => "invalid request parameter",
        4100 => "authentication failed: the signature does not match",
        4104 => "the SecretId does not exist",
        4105 => "the token is invalid",
        4200 => "the request has expired",
        4300 => "access denied",
        4400 => "request limit exceeded: too many requests, try again later",
        4500 => {
            "replay attack: the Nonce was already used or the Timestamp is too far from \
                 the server's clock"
        }
        5000 => "the resource does not exist",
        6000 => "internal server error, try again later",
        6100 => "the action is not supported by this module",
        6200 => "the service is temporarily unavailable, try again later",
        _ => "error",
    }
}

impl Error {
    /// An error with `code`, its `codeDesc`, and `message`.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), code_desc: code_desc(code).to_owned() }
    }

    /// An error with `code` and its default message.
    pub fn with_default_message(code: i64) -> Self {
        Self::new(code, default_message(code))
    }

    /// 4000: a parameter is missing, repeated or invalid.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(4000, message)
    }

    /// The 2.0 JSON body: `{"code":N,"message":"...","codeDesc":"..."}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            code: i64,
            message: &'a str,
            code_desc: &'a str,
        }
        let body = Body { code: self.code, message: &self.message, code_desc: &self.code_desc };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// The success body for `page`, with `totalCount` as given (the truth, unless a fault lies).
pub fn success_json(page: &Page, total_count: u64) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        code: i64,
        message: &'a str,
        total_count: u64,
        image_set: Vec<ImageJson>,
    }
    let image_set = page.images.iter().map(ImageJson::from).collect();
    let body = Body { code: 0, message: "", total_count, image_set };
    serde_json::to_string(&body).unwrap_or_default()
}

/// A body that starts like a success answer but is not JSON.
pub const MALFORMED_JSON: &str =
    r#"{"code":0,"message":"","totalCount":1,"imageSet":[{unImgId:img-broken,}]"#;

/// An HTML error page, as a proxy in front of the API would send.
pub fn html_error_page(status: u16, reason: &str) -> String {
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    #[test]
    fn error_body_is_the_2_0_shape() {
        let error = Error::new(4100, "bad \"signature\"");
        assert_eq!(
            error.to_json(),
            r#"{"code":4100,"message":"bad \"signature\"","codeDesc":"AuthFailure"}"#
        );
        let throttled = Error::with_default_message(4400);
        assert_eq!(throttled.code_desc, "RequestLimitExceeded");
        assert!(throttled.message.contains("request limit exceeded"));
    }

    #[test]
    fn success_body_has_the_api_field_names_in_order() {
        let catalog = Catalog::builtin();
        let image = catalog.get("img-31tjrtph").expect("CentOS 7.2 is built in").clone();
        let page = Page { total_count: 38, images: vec![image.clone()] };
        let text = success_json(&page, 38);
        let expected = format!(
            r#"{{"code":0,"message":"","totalCount":38,"imageSet":[{{"unImgId":"img-31tjrtph","imageName":"CentOS 7.2 64-bit","imageDescription":"{}","imageType":2,"osName":"CentOS 7.2 64bit","createTime":"{}","creator":"tencentcloud","status":2}}]}}"#,
            image.image_description, image.create_time
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn malformed_json_is_not_json() {
        assert!(serde_json::from_str::<serde_json::Value>(MALFORMED_JSON).is_err());
        assert!(MALFORMED_JSON.starts_with(r#"{"code":0"#));
    }

    #[test]
    fn html_page_names_the_status() {
        let page = html_error_page(502, "Bad Gateway");
        assert!(page.starts_with("<html>") && page.contains("<h1>502 Bad Gateway</h1>"));
    }
}
