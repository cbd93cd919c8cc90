//! API failures in the words of the people who fix them: provider arguments, environment
//! variables and what to try. The API client's errors say what happened; this adds what to do.
//!
//! Pure: no I/O.

use crate::arguments::{API_VERSION, ENDPOINT, REGION, SECRET_ID, SECRET_KEY, SECURITY_TOKEN};
use crate::qcloud::error::{quoted_body, seconds};
use crate::qcloud::{ApiError, ApiErrorKind, ApiVersion, Error, TransportFailure};

/// What the advice depends on besides the error: how the provider was configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Circumstances {
    pub api_version: ApiVersion,
    /// Whether a security token was configured (and so sent).
    pub token_sent: bool,
}

/// The whole sentence for `error` under default circumstances (API 2.0, no token).
pub fn describe(error: &Error) -> String {
    describe_in(error, &Circumstances::default())
}

/// The whole sentence for `error`: what happened, then what to do about it.
pub fn describe_in(error: &Error, circumstances: &Circumstances) -> String {
    match error {
        Error::MissingCredentials => {
            format!("no Tencent Cloud credentials: set {}", where_credentials_go())
        }
        Error::Api(api) => match hint_in(api.kind(), circumstances) {
            Some(hint) => format!("{api} {hint}"),
            None => api.to_string(),
        },
        Error::Transport { host, failure, .. } => {
            format!("{error}; {}", transport_advice(host, *failure))
        }
        Error::Timeout { .. } => format!(
            "{error}; check that endpoint is right and reachable from this machine (proxy, \
             firewall, DNS), or raise request_timeout if the network is only slow"
        ),
        Error::BudgetExhausted { action, host, budget, attempts, last } => format!(
            "the Tencent Cloud image API at {host} did not answer {action} within the read \
             budget of {} ({attempts} attempt(s){}); check that endpoint is right and that this \
             machine can reach it (proxy, firewall, DNS); if the network is only slow, give the \
             read more time with timeouts {{ read = \"2m\" }}",
            seconds(*budget),
            last.as_ref().map_or(String::new(), |last| format!(", the last: {last}"))
        ),
        Error::HttpStatus { status, body_start } => format!(
            "the Tencent Cloud image API answered HTTP {status}; {}; {}",
            http_status_advice(*status, circumstances.api_version),
            quoted_body(body_start)
        ),
        Error::NotJson { .. } => format!("{error}; {}", endpoint_advice()),
        Error::WrongApiVersion { sent, body_start, .. } => format!(
            "the Tencent Cloud image API answered with unexpected JSON: {}; {}",
            wrong_version_advice(*sent),
            quoted_body(body_start)
        ),
        Error::TooManyPages { .. } => {
            format!("{error}; narrow the query (image type, ids, status)")
        }
        Error::ListingKeptChanging { .. } => {
            format!("{error}; try again when fewer images are being created or deleted")
        }
        Error::RetriesExhausted { action, attempts, last } => format!(
            "{action} failed after {attempts} attempts; last error: {}",
            describe_in(last, circumstances)
        ),
        Error::NotOffered { .. } => format!(
            "{error}; set api_version = \"3.0\" in the provider block (or {}=3.0)",
            API_VERSION.main_env()
        ),
        Error::Cancelled
        | Error::HttpClient(_)
        | Error::UnexpectedResponse { .. }
        | Error::ResponseTooLarge { .. }
        | Error::RepeatedPage { .. } => error.to_string(),
    }
}

/// "secret_id and secret_key in the provider block, or the environment variables ... (or ...)".
pub fn where_credentials_go() -> String {
    format!(
        "{} and {} in the provider block, or the environment variables {} and {} (or {} and {})",
        SECRET_ID.name,
        SECRET_KEY.name,
        SECRET_ID.env[0],
        SECRET_KEY.env[0],
        SECRET_ID.env[1],
        SECRET_KEY.env[1],
    )
}

/// The API error of `error`'s kind, with its hint, for tests and callers that have only an
/// [`ApiError`].
pub fn describe_api(api: &ApiError) -> String {
    describe(&Error::Api(api.clone()))
}

/// What the user can do about an API error code under default circumstances.
pub fn hint(kind: ApiErrorKind) -> Option<String> {
    hint_in(kind, &Circumstances::default())
}

/// What the user can do about an API error code, when there is something specific to say. It
/// never repeats what the API's own message says happened.
pub fn hint_in(kind: ApiErrorKind, circumstances: &Circumstances) -> Option<String> {
    use ApiErrorKind::*;
    Some(match kind {
        InvalidParameter => "A request parameter was invalid: check the image type, image ids, \
                             status and region asked for."
            .into(),
        AuthFailure => format!(
            "Check {} and {} (or {} / {}): the request signature did not match the key.",
            SECRET_ID.name,
            SECRET_KEY.name,
            SECRET_ID.main_env(),
            SECRET_KEY.main_env()
        ),
        UnknownSecretId => unknown_secret_id(circumstances.api_version),
        InvalidToken if circumstances.token_sent => format!(
            "The {} ({}) that was sent was refused: it is expired, or belongs to other \
             credentials; get new temporary credentials and set all three together.",
            SECURITY_TOKEN.name,
            SECURITY_TOKEN.main_env()
        ),
        InvalidToken => format!(
            "No security token was sent, and these credentials need one (they are temporary): \
             set {} (or {}) with the token issued together with this SecretId.",
            SECURITY_TOKEN.name,
            SECURITY_TOKEN.main_env()
        ),
        UnknownRegion => format!(
            "The region is not one the API serves: check {} (or {}) against Tencent Cloud's \
             region names, e.g. ap-guangzhou.",
            REGION.name,
            REGION.main_env()
        ),
        WantsVersion => format!(
            "The endpoint speaks API 3.0 (only its requests carry Version), but api_version is \
             {}: set api_version = \"3.0\" (or {}=3.0), or point {} at an API 2.0 address \
             ending with /v2/index.php, e.g. {}.",
            circumstances.api_version.as_str(),
            API_VERSION.main_env(),
            ENDPOINT.name,
            ApiVersion::V2.default_endpoint()
        ),
        Expired | Replay => "Check this machine's clock (sync it with NTP): the API refuses \
                             requests whose timestamp is more than 5 minutes off, or whose nonce \
                             it has seen before."
            .into(),
        Unauthorized | AccessDenied => "Access denied: check the sub-account's permissions (CAM \
                                        policy) for listing images (DescribeImages)."
            .into(),
        RateLimited => {
            "The API rate limit was exceeded: lower requests_per_second or page_concurrency.".into()
        }
        HttpsOnly => "The API only accepts HTTPS: use an https:// endpoint.".into(),
        WrongModule => format!(
            "The endpoint is the wrong module host for DescribeImages: use {} (provider argument \
             {} or {}).",
            ApiVersion::V2.default_endpoint(),
            ENDPOINT.name,
            ENDPOINT.main_env()
        ),
        Internal | Unavailable => "The API had a temporary problem: try again later.".into(),
        NotFound | Other => return None,
    })
}

/// 4104: the key is unknown to this API, which for a key that works in the console usually means
/// an account of 2023 or later, which API 2.0 does not serve.
fn unknown_secret_id(version: ApiVersion) -> String {
    let check = format!(
        "Check {} (or {}) against the API keys of the account.",
        SECRET_ID.name,
        SECRET_ID.main_env()
    );
    match version {
        ApiVersion::V2 => format!(
            "{check} Accounts created since 2023 cannot use API 2.0: if the key is right, set \
             api_version = \"3.0\" in the provider block (or {}=3.0).",
            API_VERSION.main_env()
        ),
        ApiVersion::V3 => check,
    }
}

/// What to do when no answer came: a refused certificate gets its own fix (the CA bundle in
/// `SSL_CERT_FILE`, or the host name, by why it was refused); anything else is the endpoint
/// or the network.
fn transport_advice(host: &str, failure: TransportFailure) -> String {
    match failure {
        TransportFailure::CertificateName => format!(
            "the certificate {host} presented is not valid for that name: check that {} names \
             the API's host",
            ENDPOINT.name
        ),
        TransportFailure::Certificate => format!(
            "this machine does not trust the certificate {host} presented. If a company proxy \
             or CA signs it, set SSL_CERT_FILE to a PEM file holding that CA's certificate (or \
             add the CA to the system's trust store); otherwise check that {} names the API's \
             host",
            ENDPOINT.name
        ),
        TransportFailure::Connect | TransportFailure::Other => {
            "check the endpoint and the network (HTTPS_PROXY and NO_PROXY, firewall, DNS)".into()
        }
    }
}

fn endpoint_advice() -> String {
    format!(
        "check that {} is the image API: {} for api_version 2.0, {} for 3.0",
        ENDPOINT.name,
        ApiVersion::V2.default_endpoint(),
        ApiVersion::V3.default_endpoint()
    )
}

fn http_status_advice(status: u16, version: ApiVersion) -> String {
    match status {
        404 | 405 if version == ApiVersion::V2 => format!(
            "an API 2.0 endpoint is the whole URL, path included, e.g. {}: check that {} ends \
             with /v2/index.php; if the account uses API 3.0, set api_version = \"3.0\" instead",
            ApiVersion::V2.default_endpoint(),
            ENDPOINT.name
        ),
        429 => {
            "the API is throttling requests: lower requests_per_second or page_concurrency".into()
        }
        500..=599 => "the API or a proxy in between had a problem: try again later".into(),
        300..=399 => "the endpoint redirects elsewhere: set endpoint to the API's real URL".into(),
        401 | 403 | 407 => "check the credentials, and the proxy if there is one".into(),
        404 => endpoint_advice(),
        _ => "check the endpoint".into(),
    }
}

fn wrong_version_advice(sent: ApiVersion) -> String {
    match sent {
        ApiVersion::V3 => format!(
            "an API 2.0 answer, but api_version is 3.0; point endpoint at the API 3.0 host ({}) \
             or set api_version to 2.0",
            ApiVersion::V3.default_endpoint()
        ),
        ApiVersion::V2 => {
            "an API 3.0 answer without an error; this client speaks API 2.0, so check endpoint, \
             or set api_version to 3.0"
                .into()
        }
    }
}

#[cfg(test)]
mod tests;
