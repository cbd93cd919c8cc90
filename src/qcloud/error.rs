//! Typed errors of the API client. Each `Display` says what happened in the API's own terms, for
//! logs; the provider layer adds what a Terraform user can do about it. None ever contains the
//! secret key, the security token or a signature.
//!
//! Must not depend on the HTTP transport or on Terraform types.

use std::fmt;
use std::time::Duration;

use super::ApiVersion;

/// Why a call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The call needs credentials and none were configured.
    #[error("no Tencent Cloud API credentials were configured")]
    MissingCredentials,
    /// The call was cancelled (Terraform sent StopProvider).
    #[error("cancelled: Terraform asked the provider to stop")]
    Cancelled,
    /// The configured API version does not offer what was asked for.
    #[error("{what} is not offered by API {}", .version.as_str())]
    NotOffered { what: String, version: ApiVersion },
    /// The HTTPS client could not be set up.
    #[error("could not set up the HTTPS client: {0}")]
    HttpClient(String),
    /// The API answered with an error code.
    #[error("{0}")]
    Api(ApiError),
    /// The request never got an answer: DNS, connect, TLS, a reset connection.
    #[error("could not reach the Tencent Cloud image API at {host}: {cause}")]
    Transport { host: String, cause: String, failure: TransportFailure },
    /// An attempt took longer than the request timeout.
    #[error("the Tencent Cloud image API did not answer within {}", seconds(*.after))]
    Timeout { after: Duration },
    /// An HTTP error status without an API error in the body.
    #[error("the Tencent Cloud image API answered HTTP {status}; {}", quoted_body(.body_start))]
    HttpStatus { status: u16, body_start: String },
    /// The body is not JSON (an HTML error page, an empty or truncated body).
    #[error(
        "the Tencent Cloud image API answered with something that is not JSON (HTTP {status}); {}",
        quoted_body(.body_start)
    )]
    NotJson { status: u16, body_start: String },
    /// The answer is in the other API version's shape: the endpoint serves the other version.
    #[error(
        "the endpoint answered in the API {} shape to an API {} request; {}",
        .answered.as_str(),
        .sent.as_str(),
        quoted_body(.body_start)
    )]
    WrongApiVersion { sent: ApiVersion, answered: ApiVersion, body_start: String },
    /// JSON that is not the answer the action expects.
    #[error(
        "the Tencent Cloud image API answered with unexpected JSON: {problem}; {}",
        quoted_body(.body_start)
    )]
    UnexpectedResponse { problem: String, body_start: String },
    /// The body exceeded the client's size limit.
    #[error("the Tencent Cloud image API answered with more than {limit} bytes for one page")]
    ResponseTooLarge { limit: usize },
    /// The API kept returning full pages past the client's page limit.
    #[error(
        "the listing did not end after {pages} pages of images; the API keeps returning full \
         pages, so it was stopped"
    )]
    TooManyPages { pages: usize },
    /// Paging past `totalCount` returned a full page of images already listed.
    #[error(
        "the Tencent Cloud image API returned the same images again at offset {offset}; it \
         seems to ignore offset, so the listing was stopped"
    )]
    RepeatedPage { offset: u64 },
    /// Images kept being created or deleted while the listing paged (`totalCount` changed
    /// between pages), in every one of `listings` listings.
    #[error(
        "the images changed while they were being listed ({listings} listings in a row saw \
         totalCount change between pages), so no consistent list could be read"
    )]
    ListingKeptChanging { listings: u32 },
    /// The call's time budget ran out before it finished.
    #[error(
        "{action} did not finish within {}: {attempts} attempt(s) to {host}, {}",
        seconds(*.budget),
        .last.as_ref().map_or("none of them answered".to_string(), |e| format!("the last: {e}"))
    )]
    BudgetExhausted {
        action: &'static str,
        host: String,
        budget: Duration,
        attempts: u32,
        last: Option<Box<Error>>,
    },
    /// A retryable failure persisted through every retry.
    #[error("{action} failed after {attempts} attempts; last error: {last}")]
    RetriesExhausted { action: &'static str, attempts: u32, last: Box<Error> },
}

impl Error {
    /// True when the call ended because it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled)
    }

    /// The API error behind this one, if the API answered with an error code.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::RetriesExhausted { last, .. } => last.api_error(),
            Error::BudgetExhausted { last, .. } => last.as_ref().and_then(|l| l.api_error()),
            _ => None,
        }
    }
}

/// An API error code: a number in API 2.0, a dotted name in the 3.0 envelope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApiCode {
    Numeric(i64),
    Named(String),
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiCode::Numeric(n) => write!(f, "{n}"),
            ApiCode::Named(name) => f.write_str(name),
        }
    }
}

/// An error answer of the API: `code`, `codeDesc`, `message` (or `Response.Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ApiCode,
    /// `codeDesc` (2.0), e.g. `RequestLimitExceeded`.
    pub code_desc: Option<String>,
    pub message: String,
    /// `Response.RequestId` (3.0 envelope).
    pub request_id: Option<String>,
}

/// How a request that got no answer failed, which decides whether trying again can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// No connection: refused, unreachable, DNS. The endpoint may come back.
    Connect,
    /// The server's certificate was refused (untrusted issuer, expired): the same certificate
    /// will be refused again.
    Certificate,
    /// The server's certificate is not valid for the host asked for: the wrong host, or a
    /// proxy presenting its own certificate.
    CertificateName,
    /// Anything else: a reset, a broken TLS session, a body cut short.
    Other,
}

/// What an API error code means to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 4000: a parameter was invalid.
    InvalidParameter,
    /// 4100: authentication failed (bad signature or key).
    AuthFailure,
    /// 4101-4103, 4110: the sub-account is not authorised.
    Unauthorized,
    /// 4104: the SecretId does not exist.
    UnknownSecretId,
    /// 4105: the token is invalid.
    InvalidToken,
    /// 4200: the request expired.
    Expired,
    /// 4300: access denied.
    AccessDenied,
    /// 4400: rate limit exceeded.
    RateLimited,
    /// 4500: nonce replayed or timestamp skew.
    Replay,
    /// 4600: the protocol is not supported (HTTPS only).
    HttpsOnly,
    /// 5000: the resource does not exist.
    NotFound,
    /// 6000: internal server error.
    Internal,
    /// 6100: not supported in this version: the wrong module host.
    WrongModule,
    /// 6200: temporarily unavailable.
    Unavailable,
    /// The region is not one the API serves.
    UnknownRegion,
    /// An API 3.0 host asked for the `Version` parameter: a 2.0 request reached a 3.0 endpoint.
    WantsVersion,
    /// Any other code.
    Other,
}

/// API 3.0 code names (a code or its dotted prefix) and their kinds.
const NAMED_KINDS: &[(&str, ApiErrorKind)] = {
    use ApiErrorKind::*;
    &[
        ("AuthFailure.SecretIdNotFound", UnknownSecretId),
        ("AuthFailure.InvalidSecretId", UnknownSecretId),
        ("AuthFailure.SignatureExpire", Expired),
        ("AuthFailure.TokenFailure", InvalidToken),
        ("AuthFailure.UnauthorizedOperation", AccessDenied),
        ("AuthFailure", AuthFailure),
        ("UnsupportedRegion", UnknownRegion),
        ("InvalidParameterValue.InvalidRegion", UnknownRegion),
        ("InvalidRegion", UnknownRegion),
        ("UnauthorizedOperation", AccessDenied),
        ("RequestLimitExceeded", RateLimited),
        ("InternalError", Internal),
        ("InvalidParameter", InvalidParameter),
        ("InvalidParameterValue", InvalidParameter),
        ("MissingParameter", InvalidParameter),
        ("UnsupportedProtocol", HttpsOnly),
        ("ServiceUnavailable", Unavailable),
    ]
};

impl ApiErrorKind {
    /// The kind of a 2.0 numeric code.
    pub fn of_numeric(code: i64) -> Self {
        use ApiErrorKind::*;
        match code {
            4000 => InvalidParameter,
            4100 => AuthFailure,
            4101..=4103 | 4110 => Unauthorized,
            4104 => UnknownSecretId,
            4105 => InvalidToken,
            4200 => Expired,
            4300 => AccessDenied,
            4400 => RateLimited,
            4500 => Replay,
            4600 => HttpsOnly,
            5000 => NotFound,
            6000 => Internal,
            6100 => WrongModule,
            6200 => Unavailable,
            _ => Other,
        }
    }

    /// The kind of a 3.0 code name (`AuthFailure.SignatureFailure`, `RequestLimitExceeded`...).
    pub fn of_named(code: &str) -> Self {
        NAMED_KINDS
            .iter()
            .find(|(name, _)| {
                code.strip_prefix(name).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
            .map_or(ApiErrorKind::Other, |(_, kind)| *kind)
    }
}

impl ApiError {
    /// What the code means to the client. Both versions report an unknown region as an invalid
    /// parameter whose message names the region parameter (`Region`, `X-TC-Region`), so such an
    /// error is [`ApiErrorKind::UnknownRegion`]; a 3.0 host missing `Version` is
    /// [`ApiErrorKind::WantsVersion`].
    pub fn kind(&self) -> ApiErrorKind {
        let kind = match &self.code {
            ApiCode::Numeric(n) => ApiErrorKind::of_numeric(*n),
            ApiCode::Named(name) => ApiErrorKind::of_named(name),
        };
        match kind {
            ApiErrorKind::InvalidParameter if self.names(&["region", "x-tc-region"]) => {
                ApiErrorKind::UnknownRegion
            }
            ApiErrorKind::InvalidParameter
                if matches!(&self.code, ApiCode::Named(name) if name == "MissingParameter")
                    && self.names(&["version", "x-tc-version"]) =>
            {
                ApiErrorKind::WantsVersion
            }
            kind => kind,
        }
    }

    /// Whether the message names one of these parameters (as a word, in any case).
    fn names(&self, parameters: &[&str]) -> bool {
        self.message
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .any(|word| parameters.iter().any(|p| word.eq_ignore_ascii_case(p)))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Tencent Cloud image API refused the request with code {}", self.code)?;
        if let Some(desc) = self.code_desc.as_deref().filter(|d| !d.is_empty()) {
            write!(f, " ({desc})")?;
        }
        match self.message.trim() {
            "" => f.write_str(" and no message")?,
            message => write!(f, ": {}", message.trim_end_matches('.'))?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        f.write_str(".")
    }
}

impl std::error::Error for ApiError {}

/// A duration as a message shows it: whole seconds, or seconds with milliseconds.
pub fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// "the body was empty", or "the body starts with …" quoting it.
pub fn quoted_body(body_start: &str) -> String {
    if body_start.is_empty() {
        "the body was empty".to_string()
    } else {
        format!("the body starts with {body_start:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64, desc: Option<&str>, message: &str) -> ApiError {
        ApiError {
            code: ApiCode::Numeric(code),
            code_desc: desc.map(str::to_string),
            message: message.into(),
            request_id: None,
        }
    }

    #[test]
    fn api_errors_carry_code_description_message_and_request_id() {
        let text = Error::Api(api(4100, Some("SomeDesc"), "the server's words.")).to_string();
        assert_eq!(
            text,
            "the Tencent Cloud image API refused the request with code 4100 (SomeDesc): the \
             server's words."
        );
        assert_eq!(
            api(5000, None, "").to_string(),
            "the Tencent Cloud image API refused the request with code 5000 and no message."
        );
        let named = ApiError {
            code: ApiCode::Named("AuthFailure.SignatureFailure".into()),
            code_desc: None,
            message: "The provided credentials could not be validated.".into(),
            request_id: Some("abc-123".into()),
        };
        assert_eq!(
            named.to_string(),
            "the Tencent Cloud image API refused the request with code \
             AuthFailure.SignatureFailure: The provided credentials could not be validated \
             (request id abc-123)."
        );
    }

    #[test]
    fn numeric_codes_map_to_kinds() {
        use ApiErrorKind::*;
        let cases = [
            (4000, InvalidParameter),
            (4100, AuthFailure),
            (4101, Unauthorized),
            (4110, Unauthorized),
            (4104, UnknownSecretId),
            (4105, InvalidToken),
            (4200, Expired),
            (4300, AccessDenied),
            (4400, RateLimited),
            (4500, Replay),
            (4600, HttpsOnly),
            (5000, NotFound),
            (6000, Internal),
            (6100, WrongModule),
            (6200, Unavailable),
            (9999, Other),
        ];
        for (code, kind) in cases {
            assert_eq!(ApiErrorKind::of_numeric(code), kind, "{code}");
        }
    }

    #[test]
    fn named_codes_map_to_the_same_kinds() {
        let cases = [
            ("AuthFailure", ApiErrorKind::AuthFailure),
            ("AuthFailure.SignatureFailure", ApiErrorKind::AuthFailure),
            ("AuthFailure.SecretIdNotFound", ApiErrorKind::UnknownSecretId),
            ("AuthFailure.SignatureExpire", ApiErrorKind::Expired),
            ("AuthFailure.TokenFailure", ApiErrorKind::InvalidToken),
            ("AuthFailure.UnauthorizedOperation", ApiErrorKind::AccessDenied),
            ("UnauthorizedOperation", ApiErrorKind::AccessDenied),
            ("RequestLimitExceeded", ApiErrorKind::RateLimited),
            ("RequestLimitExceeded.UinLimitExceeded", ApiErrorKind::RateLimited),
            ("InternalError", ApiErrorKind::Internal),
            ("InvalidParameterValue.Foo", ApiErrorKind::InvalidParameter),
            ("MissingParameter", ApiErrorKind::InvalidParameter),
            ("AuthFailureX", ApiErrorKind::Other),
            ("ResourceNotFound", ApiErrorKind::Other),
            ("UnsupportedRegion", ApiErrorKind::UnknownRegion),
            ("InvalidParameterValue.InvalidRegion", ApiErrorKind::UnknownRegion),
        ];
        for (name, kind) in cases {
            assert_eq!(ApiErrorKind::of_named(name), kind, "{name}");
        }
    }

    #[test]
    fn an_invalid_parameter_naming_the_region_or_version_has_its_own_kind() {
        let named = |code: &str, message: &str| ApiError {
            code: ApiCode::Named(code.into()),
            code_desc: None,
            message: message.into(),
            request_id: None,
        };
        let v3 = |message: &str| named("InvalidParameterValue", message);
        let cases = [
            (v3("A value specified in `X-TC-Region` is not valid"), ApiErrorKind::UnknownRegion),
            (v3("A value specified in `Region` is not valid"), ApiErrorKind::UnknownRegion),
            (
                api(4000, Some("InvalidParameter"), "invalid Region: \"x\""),
                ApiErrorKind::UnknownRegion,
            ),
            (v3("ImageIds: img-1 is malformed"), ApiErrorKind::InvalidParameter),
            (v3("the name regional-web is taken"), ApiErrorKind::InvalidParameter),
            (api(4100, None, "signature mismatch for region ap-x"), ApiErrorKind::AuthFailure),
            (
                named("MissingParameter", "missing the parameter Version"),
                ApiErrorKind::WantsVersion,
            ),
            (named("MissingParameter", "missing `X-TC-Version`"), ApiErrorKind::WantsVersion),
            (
                named("MissingParameter", "missing the parameter Limit"),
                ApiErrorKind::InvalidParameter,
            ),
            (v3("the Version 2 image is bad"), ApiErrorKind::InvalidParameter),
        ];
        for (error, kind) in cases {
            assert_eq!(error.kind(), kind, "{}", error.message);
        }
    }

    #[test]
    fn retries_exhausted_names_the_action_attempts_and_last_cause() {
        let last = Error::Api(api(4400, Some("RequestLimitExceeded"), "too many"));
        let e =
            Error::RetriesExhausted { action: "DescribeImages", attempts: 4, last: Box::new(last) };
        let text = e.to_string();
        assert!(text.starts_with("DescribeImages failed after 4 attempts; last error: "), "{text}");
        assert!(text.contains("code 4400 (RequestLimitExceeded): too many"), "{text}");
        assert_eq!(e.api_error().map(|a| a.code.clone()), Some(ApiCode::Numeric(4400)));
    }

    #[test]
    fn other_errors_say_what_happened() {
        let cases: Vec<(Error, &[&str])> = vec![
            (
                Error::Transport {
                    host: "127.0.0.1:9".into(),
                    cause: "refused".into(),
                    failure: TransportFailure::Connect,
                },
                &["could not reach", "127.0.0.1:9", "refused"],
            ),
            (Error::Timeout { after: Duration::from_secs(30) }, &["within 30 s"]),
            (Error::Timeout { after: Duration::from_millis(250) }, &["within 0.250 s"]),
            (Error::HttpStatus { status: 502, body_start: String::new() }, &["HTTP 502"]),
            (
                Error::NotJson { status: 200, body_start: "<!DOCTYPE html>".into() },
                &["not JSON (HTTP 200)", "starts with \"<!DOCTYPE html>\""],
            ),
            (Error::NotJson { status: 200, body_start: String::new() }, &["body was empty"]),
            (
                Error::WrongApiVersion {
                    sent: ApiVersion::V3,
                    answered: ApiVersion::V2,
                    body_start: "{}".into(),
                },
                &["API 2.0 shape to an API 3.0 request"],
            ),
            (Error::TooManyPages { pages: 10 }, &["after 10 pages"]),
            (Error::RepeatedPage { offset: 300 }, &["offset 300"]),
            (Error::ListingKeptChanging { listings: 3 }, &["3 listings"]),
            (
                Error::BudgetExhausted {
                    action: "DescribeImages",
                    host: "10.0.0.1:443".into(),
                    budget: Duration::from_secs(5),
                    attempts: 1,
                    last: None,
                },
                &["within 5 s", "1 attempt(s) to 10.0.0.1:443", "none of them answered"],
            ),
            (Error::Cancelled, &["cancelled"]),
        ];
        for (error, needles) in cases {
            let text = error.to_string();
            for needle in needles {
                assert!(text.contains(needle), "{needle:?} missing from {text}");
            }
        }
    }

    #[test]
    fn only_cancelled_is_cancelled() {
        assert!(Error::Cancelled.is_cancelled());
        assert!(!Error::MissingCredentials.is_cancelled());
        assert!(!Error::Timeout { after: Duration::ZERO }.is_cancelled());
    }
}
