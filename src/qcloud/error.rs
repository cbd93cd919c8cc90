//! Typed errors of the image API client. Every `Display` is a sentence a Terraform user can
//! act on; none ever contains the secret key, the security token or a signature.
//!
//! Must not depend on the HTTP transport or on Terraform types.

use std::fmt;
use std::time::Duration;

use super::SettingError;

/// Why a listing failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No credentials were configured.
    #[error(
        "no Tencent Cloud credentials: set secret_id and secret_key in the provider block, \
         or the environment variables QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY \
         (or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)"
    )]
    MissingCredentials,
    /// The listing was cancelled (Terraform sent StopProvider).
    #[error("cancelled: Terraform asked the provider to stop")]
    Cancelled,
    /// The settings handed to [`Client::new`](super::Client::new) cannot work.
    #[error("invalid client settings: {}", join_settings(.0))]
    InvalidSettings(Vec<SettingError>),
    /// The HTTPS client could not be set up.
    #[error("could not set up the HTTPS client: {0}")]
    HttpClient(String),
    /// The API answered with an error code.
    #[error("{0}")]
    Api(ApiError),
    /// The request never got an answer: DNS, connect, TLS, a reset connection.
    #[error(
        "could not reach the Tencent Cloud image API at {host}: {cause}; check the endpoint \
         and the network (proxy, firewall, DNS)"
    )]
    Transport { host: String, cause: String },
    /// An attempt took longer than `request_timeout`.
    #[error(
        "the Tencent Cloud image API did not answer within {}; raise request_timeout if the \
         network is slow",
        seconds(*.after)
    )]
    Timeout { after: Duration },
    /// An HTTP error status without an API error in the body.
    #[error("{}", http_status_sentence(*.status, .body_start))]
    HttpStatus { status: u16, body_start: String },
    /// The body is not JSON (an HTML error page, an empty or truncated body).
    #[error(
        "the Tencent Cloud image API answered with something that is not JSON (HTTP {status}); \
         {}; check that endpoint is the image API: \
         https://image.api.qcloud.com/v2/index.php for api_version 2.0, \
         https://cvm.tencentcloudapi.com for 3.0",
        quoted_body(.body_start)
    )]
    NotJson { status: u16, body_start: String },
    /// JSON that is not a `DescribeImages` answer.
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
        "the listing did not end after {pages} pages of images; the API keeps returning \
         full pages, so it was stopped; narrow the query (image type, ids, status)"
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
         totalCount change between pages), so no consistent list could be read; try again \
         when fewer images are being created or deleted"
    )]
    ListingKeptChanging { listings: u32 },
    /// A retryable failure persisted through every retry.
    #[error("DescribeImages failed after {attempts} attempts; last error: {last}")]
    RetriesExhausted { attempts: u32, last: Box<Error> },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// True when the listing ended because it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled)
    }

    /// The API error behind this one, if the API answered with an error code.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::RetriesExhausted { last, .. } => last.api_error(),
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
    /// Any other code.
    Other,
}

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
        use ApiErrorKind::*;
        const TABLE: &[(&str, ApiErrorKind)] = &[
            ("AuthFailure.SecretIdNotFound", UnknownSecretId),
            ("AuthFailure.InvalidSecretId", UnknownSecretId),
            ("AuthFailure.SignatureExpire", Expired),
            ("AuthFailure.TokenFailure", InvalidToken),
            ("AuthFailure.UnauthorizedOperation", AccessDenied),
            ("AuthFailure", AuthFailure),
            ("UnauthorizedOperation", AccessDenied),
            ("RequestLimitExceeded", RateLimited),
            ("InternalError", Internal),
            ("InvalidParameter", InvalidParameter),
            ("InvalidParameterValue", InvalidParameter),
            ("MissingParameter", InvalidParameter),
            ("UnsupportedProtocol", HttpsOnly),
            ("ServiceUnavailable", Unavailable),
        ];
        TABLE
            .iter()
            .find(|(name, _)| {
                code.strip_prefix(name).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
            .map_or(Other, |(_, kind)| *kind)
    }

    /// What the user can do about it, when there is something specific to say.
    pub fn hint(self) -> Option<&'static str> {
        use ApiErrorKind::*;
        Some(match self {
            InvalidParameter => {
                "A request parameter was invalid: check the image type, image ids, status and \
                 region asked for."
            }
            AuthFailure => {
                "Check secret_id and secret_key (or QCLOUD_SECRET_ID / QCLOUD_SECRET_KEY): the \
                 request signature did not match the key."
            }
            UnknownSecretId => {
                "The SecretId does not exist: check secret_id (or QCLOUD_SECRET_ID) against the \
                 API keys of the account."
            }
            InvalidToken => {
                "The security_token (QCLOUD_SECURITY_TOKEN) is invalid or expired: get new \
                 temporary credentials."
            }
            Expired | Replay => {
                "Check this machine's clock (sync it with NTP): the API refuses requests whose \
                 timestamp is more than 5 minutes off, or whose nonce it has seen before."
            }
            Unauthorized | AccessDenied => {
                "Access denied: check the sub-account's permissions (CAM policy) for listing \
                 images (DescribeImages)."
            }
            RateLimited => {
                "The API rate limit was exceeded: lower requests_per_second or page_concurrency."
            }
            HttpsOnly => "The API only accepts HTTPS: use an https:// endpoint.",
            WrongModule => {
                "The endpoint is the wrong module host for DescribeImages: use \
                 https://image.api.qcloud.com/v2/index.php (provider argument endpoint or \
                 QCLOUD_ENDPOINT)."
            }
            Internal | Unavailable => "The API had a temporary problem: try again later.",
            NotFound | Other => return None,
        })
    }
}

impl ApiError {
    /// What the code means to the client.
    pub fn kind(&self) -> ApiErrorKind {
        match &self.code {
            ApiCode::Numeric(n) => ApiErrorKind::of_numeric(*n),
            ApiCode::Named(name) => ApiErrorKind::of_named(name),
        }
    }

    /// What the user can do about it, if there is something specific to say.
    pub fn hint(&self) -> Option<&'static str> {
        self.kind().hint()
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
        f.write_str(".")?;
        if let Some(hint) = self.hint() {
            write!(f, " {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

fn join_settings(errors: &[SettingError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

fn quoted_body(body_start: &str) -> String {
    if body_start.is_empty() {
        "the body was empty".to_string()
    } else {
        format!("the body starts with {body_start:?}")
    }
}

fn http_status_sentence(status: u16, body_start: &str) -> String {
    let advice = match status {
        429 => "the API is throttling requests: lower requests_per_second or page_concurrency",
        500..=599 => "the API or a proxy in between had a problem: try again later",
        300..=399 => "the endpoint redirects elsewhere: set endpoint to the API's real URL",
        401 | 403 | 407 => "check the credentials, and the proxy if there is one",
        404 => {
            "check that endpoint is the image API: https://image.api.qcloud.com/v2/index.php for \
             api_version 2.0, https://cvm.tencentcloudapi.com for 3.0"
        }
        _ => "check the endpoint",
    };
    format!(
        "the Tencent Cloud image API answered HTTP {status}; {advice}; {}",
        quoted_body(body_start)
    )
}

#[cfg(test)]
mod tests;
