//! Client settings and credentials: provider block values, then environment, then defaults.
//!
//! Two stages: [`RawSettings`] is what the provider block says (each argument optional);
//! [`Settings::resolve`] looks unset arguments up in the environment, applies the defaults and
//! validates everything, naming the argument of each problem. Secrets never appear in `Debug`
//! output or in error messages, and are wiped from memory when dropped.
//!
//! Must not depend on Terraform types or on the HTTP transport.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use zeroize::Zeroize;

use super::SignatureMethod;

/// `region` when neither the block nor the environment sets one.
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// `endpoint` when neither the block nor the environment sets one.
pub const DEFAULT_ENDPOINT: &str = "https://image.api.qcloud.com/v2/index.php";
/// `endpoint` under API 3.0 when neither the block nor the environment sets one.
pub const DEFAULT_ENDPOINT_3_0: &str = "https://cvm.tencentcloudapi.com";
/// `max_retries` default.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// `request_timeout` default, in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// `requests_per_second` default.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 10.0;
/// `page_concurrency` default.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

const MAX_RETRIES_RANGE: (i64, i64) = (0, 20);
const REQUEST_TIMEOUT_RANGE: (i64, i64) = (1, 3600);
const PAGE_CONCURRENCY_RANGE: (i64, i64) = (1, 64);
/// Below one request per 100 seconds a listing would look hung; above 1000 the limit is moot.
const REQUESTS_PER_SECOND_RANGE: (f64, f64) = (0.01, 1000.0);
const MAX_REGION_LEN: usize = 64;

const REDACTED: &str = "<redacted>";

/// Settings as written in the provider block; `None` when unset.
#[derive(Clone, Default)]
pub struct RawSettings {
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub security_token: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub signature_method: Option<String>,
    pub max_retries: Option<i64>,
    pub request_timeout: Option<i64>,
    pub requests_per_second: Option<f64>,
    pub page_concurrency: Option<i64>,
    /// `api_version`: `"2.0"` or `"3.0"`.
    pub api_version: Option<String>,
}

/// API credentials. Secrets are redacted in `Debug` and wiped from memory on drop.
#[derive(Clone)]
pub struct Credentials {
    pub secret_id: String,
    pub secret_key: String,
    /// Temporary credentials' token, sent as `Token`.
    pub security_token: Option<String>,
}

/// Validated settings of one configured provider.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `None` until a read needs them: then a clear error names the arguments and variables.
    pub credentials: Option<Credentials>,
    pub region: String,
    /// The whole URL requests go to, e.g. `https://image.api.qcloud.com/v2/index.php`.
    pub endpoint: String,
    pub signature_method: SignatureMethod,
    /// Retries after the first attempt of a request (0 disables retrying).
    pub max_retries: u32,
    /// Time limit of each attempt.
    pub request_timeout: Duration,
    /// Client-side rate limit shared by every request of a client.
    pub requests_per_second: f64,
    /// Requests in flight at once.
    pub page_concurrency: usize,
    /// Which API the client speaks.
    pub api_version: ApiVersion,
}

/// The API generation requests are built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ApiVersion {
    /// API 2.0: signed GET query to `image.api.qcloud.com/v2/index.php`.
    #[default]
    V2,
    /// API 3.0: TC3-signed JSON POST to `cvm.tencentcloudapi.com`.
    V3,
}

impl ApiVersion {
    /// `"2.0"` or `"3.0"`, as written in the provider block.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "2.0",
            ApiVersion::V3 => "3.0",
        }
    }

    /// The endpoint used when none is set.
    pub fn default_endpoint(self) -> &'static str {
        match self {
            ApiVersion::V2 => DEFAULT_ENDPOINT,
            ApiVersion::V3 => DEFAULT_ENDPOINT_3_0,
        }
    }
}

/// A setting that is invalid, named by its provider-block argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The provider-block argument, e.g. `max_retries`.
    pub setting: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl SettingError {
    fn new(setting: &'static str, message: impl Into<String>) -> Self {
        Self { setting, message: message.into() }
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.message)
    }
}

impl std::error::Error for SettingError {}

/// Where a value came from, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Block,
    Env(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Block => f.write_str("the provider block"),
            Source::Env(name) => write!(f, "the environment variable {name}"),
        }
    }
}

/// A looked-up value and its origin.
struct Sourced {
    value: String,
    source: Source,
}

/// The environment variables consulted for an argument, in order.
struct Lookup {
    setting: &'static str,
    env: &'static [&'static str],
}

const SECRET_ID: Lookup =
    Lookup { setting: "secret_id", env: &["QCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_ID"] };
const SECRET_KEY: Lookup =
    Lookup { setting: "secret_key", env: &["QCLOUD_SECRET_KEY", "TENCENTCLOUD_SECRET_KEY"] };
const SECURITY_TOKEN: Lookup = Lookup {
    setting: "security_token",
    env: &["QCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"],
};
const REGION: Lookup = Lookup { setting: "region", env: &["QCLOUD_REGION", "TENCENTCLOUD_REGION"] };
const ENDPOINT: Lookup = Lookup { setting: "endpoint", env: &["QCLOUD_ENDPOINT"] };
const API_VERSION: Lookup = Lookup { setting: "api_version", env: &["QCLOUD_API_VERSION"] };

impl Lookup {
    /// The block value if set, else the first environment variable that is set and not blank.
    /// `blank_block_is_unset`: an empty block value falls through to the environment.
    fn find(
        &self,
        block: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
        blank_block_is_unset: bool,
    ) -> Option<Sourced> {
        let block = block.filter(|v| !(blank_block_is_unset && v.trim().is_empty()));
        if let Some(value) = block {
            return Some(Sourced { value, source: Source::Block });
        }
        self.env.iter().find_map(|name| {
            let value = env(name).filter(|v| !v.trim().is_empty())?;
            Some(Sourced { value, source: Source::Env(name) })
        })
    }

    /// "the provider argument x, QCLOUD_X or TENCENTCLOUD_X".
    fn where_to_set(&self) -> String {
        format!("the provider argument {} or {}", self.setting, self.env.join(" / "))
    }
}

impl Settings {
    /// Resolves `raw` against the environment (`env` looks a variable up) and the defaults.
    ///
    /// Each argument comes from the provider block, else its `QCLOUD_*` variable, else its
    /// `TENCENTCLOUD_*` variable, else its default. Empty environment variables count as unset,
    /// and so do empty credentials in the block. Every problem is reported, not just the first.
    pub fn resolve(
        mut raw: RawSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, Vec<SettingError>> {
        let mut errors = Vec::new();
        let credentials = resolve_credentials(&mut raw, &env, &mut errors);
        let region = resolve_region(raw.region.take(), &env, &mut errors);
        let api_version = resolve_api_version(raw.api_version.take(), &env)
            .unwrap_or_else(|e| push(&mut errors, e, ApiVersion::default()));
        let endpoint = resolve_endpoint(raw.endpoint.take(), &env, &mut errors, api_version);
        let signature_method = resolve_signature_method(raw.signature_method.as_deref())
            .unwrap_or_else(|e| push(&mut errors, e, SignatureMethod::default()));
        let max_retries = resolve_count("max_retries", raw.max_retries, MAX_RETRIES_RANGE)
            .map(|n| n.map_or(DEFAULT_MAX_RETRIES, |n| n as u32))
            .unwrap_or_else(|e| push(&mut errors, e, DEFAULT_MAX_RETRIES));
        let request_timeout = resolve_timeout(raw.request_timeout)
            .unwrap_or_else(|e| push(&mut errors, e, Duration::ZERO));
        let requests_per_second = resolve_rate(raw.requests_per_second)
            .unwrap_or_else(|e| push(&mut errors, e, DEFAULT_REQUESTS_PER_SECOND));
        let page_concurrency =
            resolve_count("page_concurrency", raw.page_concurrency, PAGE_CONCURRENCY_RANGE)
                .map(|n| n.map_or(DEFAULT_PAGE_CONCURRENCY, |n| n as usize))
                .unwrap_or_else(|e| push(&mut errors, e, DEFAULT_PAGE_CONCURRENCY));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Settings {
            credentials,
            region,
            endpoint,
            signature_method,
            max_retries,
            request_timeout,
            requests_per_second,
            page_concurrency,
            api_version,
        })
    }
}

fn resolve_api_version(
    block: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ApiVersion, SettingError> {
    let Some(found) = API_VERSION.find(block, env, false) else {
        return Ok(ApiVersion::default());
    };
    match found.value.trim() {
        "2.0" | "2" => Ok(ApiVersion::V2),
        "3.0" | "3" => Ok(ApiVersion::V3),
        other => Err(SettingError::new(
            "api_version",
            format!(
                "api_version {:?} (from {}) is not supported; use \"2.0\" (the default) or \"3.0\"",
                shorten(other),
                found.source
            ),
        )),
    }
}

/// Records `error` and yields a placeholder so resolution can go on and report everything.
fn push<T>(errors: &mut Vec<SettingError>, error: SettingError, placeholder: T) -> T {
    errors.push(error);
    placeholder
}

fn resolve_credentials(
    raw: &mut RawSettings,
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<SettingError>,
) -> Option<Credentials> {
    let id = SECRET_ID.find(raw.secret_id.take(), env, true);
    let key = SECRET_KEY.find(raw.secret_key.take(), env, true);
    let token = SECURITY_TOKEN.find(raw.security_token.take(), env, true);
    let before = errors.len();
    for (lookup, value) in [(&SECRET_ID, &id), (&SECRET_KEY, &key), (&SECURITY_TOKEN, &token)] {
        if let Some(Err(error)) = value.as_ref().map(|v| check_credential_text(lookup, v)) {
            errors.push(error);
        }
    }
    let credentials = match (id, key) {
        (Some(id), Some(key)) => Some(Credentials {
            secret_id: id.value,
            secret_key: key.value,
            security_token: token.map(|t| t.value),
        }),
        (None, None) => None,
        (Some(id), None) => {
            errors.push(half_credentials(&SECRET_KEY, &SECRET_ID, id.source));
            None
        }
        (None, Some(key)) => {
            errors.push(half_credentials(&SECRET_ID, &SECRET_KEY, key.source));
            None
        }
    };
    if errors.len() > before { None } else { credentials }
}

fn half_credentials(missing: &Lookup, present: &Lookup, source: Source) -> SettingError {
    SettingError::new(
        missing.setting,
        format!(
            "{} is set (in {source}) but {} is not; set {} too, they only work as a pair",
            present.setting,
            missing.setting,
            missing.where_to_set()
        ),
    )
}

/// Credentials are opaque, but whitespace or control characters in them are always a
/// copy-and-paste accident. The message never quotes the value.
fn check_credential_text(lookup: &Lookup, value: &Sourced) -> Result<(), SettingError> {
    if value.value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SettingError::new(
            lookup.setting,
            format!(
                "{} (from {}) contains spaces, line breaks or control characters; \
                 copy it again without them",
                lookup.setting, value.source
            ),
        ));
    }
    Ok(())
}

fn resolve_region(
    block: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<SettingError>,
) -> String {
    let Some(found) = REGION.find(block, env, false) else {
        return DEFAULT_REGION.to_string();
    };
    match check_region(&found.value) {
        Ok(()) => found.value,
        Err(problem) => push(
            errors,
            SettingError::new(
                "region",
                format!(
                    "{problem} (from {}); use a Tencent Cloud region such as ap-guangzhou or \
                     na-siliconvalley, or leave it unset for the default {DEFAULT_REGION}",
                    found.source
                ),
            ),
            String::new(),
        ),
    }
}

/// A region name: lower-case letters, digits and single inner hyphens, starting with a letter
/// (`ap-guangzhou`, `ap-shanghai-fsi`, and the short legacy names like `gz`).
fn check_region(region: &str) -> Result<(), String> {
    if region.is_empty() {
        return Err("region is empty".into());
    }
    let shaped = region.len() <= MAX_REGION_LEN
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && !region.ends_with('-')
        && !region.contains("--")
        && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if shaped { Ok(()) } else { Err(format!("region {:?} is not a region name", shorten(region))) }
}

fn resolve_endpoint(
    block: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<SettingError>,
    version: ApiVersion,
) -> String {
    let Some(found) = ENDPOINT.find(block, env, false) else {
        return version.default_endpoint().to_string();
    };
    match parse_endpoint(&found.value) {
        Ok(_) => found.value,
        Err(problem) => push(
            errors,
            SettingError::new(
                "endpoint",
                format!(
                    "endpoint {:?} (from {}) {problem}; use the whole https:// URL of the \
                     image API, e.g. {}",
                    shorten(&without_secrets(&found.value)),
                    found.source,
                    version.default_endpoint()
                ),
            ),
            String::new(),
        ),
    }
}

/// An endpoint as an error may quote it: whatever stands before `@` in the authority (a user
/// name and password) and everything from `?` or `#` on (a query may carry `Token=`) are
/// redacted, whether or not the text parses as a URL.
fn without_secrets(endpoint: &str) -> String {
    let (head, tail) = match endpoint.find(['?', '#']) {
        Some(at) => (&endpoint[..at], format!("{}{REDACTED}", &endpoint[at..=at])),
        None => (endpoint, String::new()),
    };
    let authority_start = head.find("://").map_or(0, |at| at + 3);
    let authority_end =
        head[authority_start..].find('/').map_or(head.len(), |at| authority_start + at);
    match head[authority_start..authority_end].rfind('@') {
        Some(at) => {
            format!("{}{REDACTED}{}{tail}", &head[..authority_start], &head[authority_start + at..])
        }
        None => format!("{head}{tail}"),
    }
}

/// Parses an endpoint URL: http(s), a host, no credentials, query or fragment; plain http only
/// for loopback hosts (a local sandbox), since the API itself only accepts HTTPS.
pub(crate) fn parse_endpoint(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("is not a valid URL ({e})"))?;
    let host = match url.host_str() {
        Some(host) if !host.is_empty() => host,
        _ => return Err("has no host".into()),
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err("uses plain http, which is only allowed for loopback addresses \
                        (127.0.0.1, ::1, localhost)"
                .into());
        }
        other => return Err(format!("has the scheme {other:?}")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("contains a user name or password; credentials go in secret_id and \
                    secret_key"
            .into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("has a query or fragment; give only scheme, host, port and path".into());
    }
    Ok(url)
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn resolve_signature_method(value: Option<&str>) -> Result<SignatureMethod, SettingError> {
    let Some(value) = value else { return Ok(SignatureMethod::default()) };
    [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1]
        .into_iter()
        .find(|m| m.as_param().eq_ignore_ascii_case(value))
        .ok_or_else(|| {
            SettingError::new(
                "signature_method",
                format!(
                    "signature_method {:?} is not supported; use HmacSHA256 (the default) or \
                     HmacSHA1",
                    shorten(value)
                ),
            )
        })
}

/// An integer argument within `range`; `None` when unset.
fn resolve_count(
    setting: &'static str,
    value: Option<i64>,
    (min, max): (i64, i64),
) -> Result<Option<i64>, SettingError> {
    match value {
        None => Ok(None),
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        Some(n) => Err(SettingError::new(
            setting,
            format!("{setting} must be between {min} and {max}, got {n}; {}", purpose(setting)),
        )),
    }
}

fn purpose(setting: &str) -> &'static str {
    match setting {
        "max_retries" => "it is how many times a failed request is retried (default 5)",
        "request_timeout" => "it is the time limit of each request in seconds (default 30)",
        "page_concurrency" => "it is how many pages are fetched at once (default 4)",
        _ => "",
    }
}

fn resolve_timeout(value: Option<i64>) -> Result<Duration, SettingError> {
    let secs = resolve_count("request_timeout", value, REQUEST_TIMEOUT_RANGE)?;
    Ok(secs.map_or(Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS), |s| {
        Duration::from_secs(s.unsigned_abs())
    }))
}

fn resolve_rate(value: Option<f64>) -> Result<f64, SettingError> {
    let (min, max) = REQUESTS_PER_SECOND_RANGE;
    match value {
        None => Ok(DEFAULT_REQUESTS_PER_SECOND),
        Some(r) if r.is_finite() && (min..=max).contains(&r) => Ok(r),
        Some(r) => Err(SettingError::new(
            "requests_per_second",
            format!(
                "requests_per_second must be a number between {min} and {max}, got {r}; it is \
                 the client-side rate limit of API requests (default 10)"
            ),
        )),
    }
}

/// At most 64 characters of a user value, for messages.
fn shorten(value: &str) -> String {
    const LIMIT: usize = 64;
    if value.chars().count() <= LIMIT {
        value.to_string()
    } else {
        value.chars().take(LIMIT).chain("…".chars()).collect()
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.secret_key.zeroize();
        if let Some(token) = self.security_token.as_mut() {
            token.zeroize();
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &REDACTED)
            .field("security_token", &self.security_token.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl fmt::Debug for RawSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawSettings")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key.as_ref().map(|_| REDACTED))
            .field("security_token", &self.security_token.as_ref().map(|_| REDACTED))
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("signature_method", &self.signature_method)
            .field("max_retries", &self.max_retries)
            .field("request_timeout", &self.request_timeout)
            .field("requests_per_second", &self.requests_per_second)
            .field("page_concurrency", &self.page_concurrency)
            .field("api_version", &self.api_version)
            .finish()
    }
}

#[cfg(test)]
mod tests;
