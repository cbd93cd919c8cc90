//! Settings of a client, valid by construction, and its credentials.
//!
//! [`Settings`] can only be built through [`SettingsBuilder::build`], which checks every
//! invariant the client relies on (an http(s) endpoint with a host, a region name, credentials
//! without stray whitespace, positive limits) and reports each problem under the [`Setting`] it
//! concerns. Where a value comes from (the provider block, the environment) and the user-facing
//! ranges are the caller's business. Secrets never appear in `Debug` output or in errors, and are
//! wiped from memory when dropped.
//!
//! Must not depend on Terraform types or on the HTTP transport.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use zeroize::Zeroize;

pub use super::v2::SignatureMethod;

/// The region used when none is given.
pub const DEFAULT_REGION: &str = "ap-guangzhou";
/// Retries after a failed first attempt, by default.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// The time limit of one attempt, by default.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The client-side rate limit, by default.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 10.0;
/// Requests in flight at once, by default.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

const MAX_REGION_LEN: usize = 64;
const REDACTED: &str = "<redacted>";

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
    /// `"2.0"` or `"3.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "2.0",
            ApiVersion::V3 => "3.0",
        }
    }

    /// The endpoint used when none is given.
    pub fn default_endpoint(self) -> &'static str {
        match self {
            ApiVersion::V2 => "https://image.api.qcloud.com/v2/index.php",
            ApiVersion::V3 => "https://cvm.tencentcloudapi.com",
        }
    }

    /// The endpoint used in `region` when none is given: the finance regions are served only by
    /// their regional API 3.0 host.
    pub fn default_endpoint_in(self, region: &str) -> String {
        match self {
            ApiVersion::V3 if FINANCE_REGIONS.contains(&region) => {
                format!("https://cvm.{region}.tencentcloudapi.com")
            }
            _ => self.default_endpoint().to_string(),
        }
    }
}

/// Regions that only their regional API 3.0 host serves.
pub const FINANCE_REGIONS: [&str; 2] = ["ap-shanghai-fsi", "ap-shenzhen-fsi"];

/// API credentials. Secrets are redacted in `Debug` and wiped from memory on drop.
#[derive(Clone)]
pub struct Credentials {
    pub secret_id: String,
    pub secret_key: String,
    /// Temporary credentials' token.
    pub security_token: Option<String>,
}

/// Which setting a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    SecretId,
    SecretKey,
    SecurityToken,
    Region,
    Endpoint,
    RequestTimeout,
    RequestsPerSecond,
    PageConcurrency,
}

/// A setting the client cannot work with, and why (in words that name no Terraform argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    pub setting: Setting,
    pub problem: String,
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.setting, self.problem)
    }
}

/// Validated settings of one client. Built only by [`SettingsBuilder::build`].
#[derive(Debug, Clone)]
pub struct Settings {
    credentials: Option<Credentials>,
    region: String,
    endpoint: Url,
    api_version: ApiVersion,
    signature_method: SignatureMethod,
    max_retries: u32,
    request_timeout: Duration,
    requests_per_second: f64,
    page_concurrency: usize,
}

impl Settings {
    /// A builder for `api_version` with every default.
    pub fn builder(api_version: ApiVersion) -> SettingsBuilder {
        SettingsBuilder {
            credentials: None,
            region: DEFAULT_REGION.to_string(),
            endpoint: None,
            api_version,
            signature_method: SignatureMethod::default(),
            max_retries: DEFAULT_MAX_RETRIES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
        }
    }

    /// A builder holding these settings, to change some of them.
    pub fn to_builder(&self) -> SettingsBuilder {
        SettingsBuilder {
            credentials: self.credentials.clone(),
            region: self.region.clone(),
            endpoint: Some(self.endpoint.to_string()),
            api_version: self.api_version,
            signature_method: self.signature_method,
            max_retries: self.max_retries,
            request_timeout: self.request_timeout,
            requests_per_second: self.requests_per_second,
            page_concurrency: self.page_concurrency,
        }
    }

    /// `None` until a call needs them: then the call fails with [`MissingCredentials`].
    ///
    /// [`MissingCredentials`]: super::Error::MissingCredentials
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The region every request is for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The whole URL requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Which API the client speaks.
    pub fn api_version(&self) -> ApiVersion {
        self.api_version
    }

    /// How API 2.0 requests are signed (3.0 always uses TC3-HMAC-SHA256).
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }

    /// Retries after the first attempt of a request (0 disables retrying).
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Time limit of each attempt.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Client-side rate limit shared by every request of a client.
    pub fn requests_per_second(&self) -> f64 {
        self.requests_per_second
    }

    /// Requests in flight at once.
    pub fn page_concurrency(&self) -> usize {
        self.page_concurrency
    }
}

/// Settings being put together; [`build`](Self::build) checks them.
#[derive(Debug, Clone)]
pub struct SettingsBuilder {
    credentials: Option<Credentials>,
    region: String,
    endpoint: Option<String>,
    api_version: ApiVersion,
    signature_method: SignatureMethod,
    max_retries: u32,
    request_timeout: Duration,
    requests_per_second: f64,
    page_concurrency: usize,
}

impl SettingsBuilder {
    /// API credentials; without them every call fails until some are configured.
    pub fn credentials(mut self, credentials: Option<Credentials>) -> Self {
        self.credentials = credentials;
        self
    }

    /// The region, e.g. `ap-guangzhou`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The whole endpoint URL; the version's default when never called.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// How API 2.0 requests are signed.
    pub fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.signature_method = method;
        self
    }

    /// Retries after the first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Time limit of each attempt.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Client-side rate limit.
    pub fn requests_per_second(mut self, rate: f64) -> Self {
        self.requests_per_second = rate;
        self
    }

    /// Requests in flight at once.
    pub fn page_concurrency(mut self, concurrency: usize) -> Self {
        self.page_concurrency = concurrency;
        self
    }

    /// The settings, or every problem found.
    pub fn build(self) -> Result<Settings, Vec<InvalidSetting>> {
        let mut problems = Vec::new();
        let mut report =
            |setting, problem: String| problems.push(InvalidSetting { setting, problem });
        if let Some(credentials) = &self.credentials {
            for (setting, value) in [
                (Setting::SecretId, Some(&credentials.secret_id)),
                (Setting::SecretKey, Some(&credentials.secret_key)),
                (Setting::SecurityToken, credentials.security_token.as_ref()),
            ] {
                if let Some(problem) = value.and_then(|v| credential_problem(v)) {
                    report(setting, problem.to_string());
                }
            }
        }
        if let Err(problem) = check_region(&self.region) {
            report(Setting::Region, problem);
        }
        let default = || self.api_version.default_endpoint_in(&self.region);
        let text = self.endpoint.clone().unwrap_or_else(default);
        let endpoint = parse_endpoint(&text).map_err(|p| report(Setting::Endpoint, p.to_string()));
        if self.request_timeout.is_zero() {
            report(Setting::RequestTimeout, "must be longer than zero".into());
        }
        let rate = self.requests_per_second;
        if !(rate.is_finite() && rate > 0.0) {
            report(Setting::RequestsPerSecond, format!("must be a positive number, got {rate}"));
        }
        if self.page_concurrency == 0 {
            report(Setting::PageConcurrency, "must be at least 1".into());
        }
        match endpoint {
            Ok(endpoint) if problems.is_empty() => Ok(Settings {
                credentials: self.credentials,
                region: self.region,
                endpoint,
                api_version: self.api_version,
                signature_method: self.signature_method,
                max_retries: self.max_retries,
                request_timeout: self.request_timeout,
                requests_per_second: self.requests_per_second,
                page_concurrency: self.page_concurrency,
            }),
            _ => Err(problems),
        }
    }
}

/// Credentials are opaque, but whitespace or control characters in them are always a
/// copy-and-paste accident. The problem never quotes the value.
pub fn credential_problem(value: &str) -> Option<&'static str> {
    value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
        .then_some("contains spaces, line breaks or control characters")
}

/// A region name: lower-case letters, digits and single inner hyphens, starting with a letter
/// (`ap-guangzhou`, `ap-shanghai-fsi`, and the short legacy names like `gz`).
pub fn check_region(region: &str) -> Result<(), String> {
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

/// Why an endpoint cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointProblem {
    NotUrl(String),
    NoHost,
    PlainHttp,
    Scheme(String),
    UserInfo,
    QueryOrFragment,
}

impl fmt::Display for EndpointProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUrl(why) => write!(f, "is not a valid URL ({why})"),
            Self::NoHost => f.write_str("has no host"),
            Self::PlainHttp => f.write_str(
                "uses plain http, which is only allowed for loopback addresses \
                 (127.0.0.1, ::1, localhost)",
            ),
            Self::Scheme(scheme) => write!(f, "has the scheme {scheme:?}"),
            Self::UserInfo => f.write_str("contains a user name or password"),
            Self::QueryOrFragment => {
                f.write_str("has a query or fragment; give only scheme, host, port and path")
            }
        }
    }
}

/// Parses an endpoint URL: http(s), a host, no user info, query or fragment; plain http only for
/// loopback hosts (a local sandbox), since the API itself only accepts HTTPS.
pub fn parse_endpoint(text: &str) -> Result<Url, EndpointProblem> {
    let url = Url::parse(text).map_err(|e| EndpointProblem::NotUrl(e.to_string()))?;
    let host = match url.host_str() {
        Some(host) if !host.is_empty() => host,
        _ => return Err(EndpointProblem::NoHost),
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(EndpointProblem::PlainHttp),
        other => return Err(EndpointProblem::Scheme(other.to_string())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointProblem::UserInfo);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointProblem::QueryOrFragment);
    }
    Ok(url)
}

/// Whether `host` (as in a URL, IPv6 in brackets or not) is `localhost` or a loopback address.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host as it appears in the `Host` header: with `:port` only when it is not the scheme's
/// default.
pub fn host_as_sent(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// At most 64 characters of a value, for messages.
pub fn shorten(value: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(id: &str, key: &str, token: Option<&str>) -> Credentials {
        Credentials {
            secret_id: id.into(),
            secret_key: key.into(),
            security_token: token.map(Into::into),
        }
    }

    #[test]
    fn defaults_per_api_version() {
        let s = Settings::builder(ApiVersion::V2).build().expect("defaults are valid");
        assert!(s.credentials().is_none());
        assert_eq!(s.region(), "ap-guangzhou");
        assert_eq!(s.endpoint().as_str(), "https://image.api.qcloud.com/v2/index.php");
        assert_eq!(s.signature_method(), SignatureMethod::HmacSha256);
        assert_eq!(s.max_retries(), 5);
        assert_eq!(s.request_timeout(), Duration::from_secs(30));
        assert_eq!(s.requests_per_second(), 10.0);
        assert_eq!(s.page_concurrency(), 4);
        let s = Settings::builder(ApiVersion::V3).build().expect("defaults are valid");
        assert_eq!(s.endpoint().as_str(), "https://cvm.tencentcloudapi.com/");
    }

    #[test]
    fn finance_regions_use_their_regional_host_under_3_0() {
        let endpoint = |version, region: &str| {
            let s = Settings::builder(version).region(region).build().expect("valid");
            s.endpoint().as_str().to_string()
        };
        assert_eq!(
            endpoint(ApiVersion::V3, "ap-shanghai-fsi"),
            "https://cvm.ap-shanghai-fsi.tencentcloudapi.com/"
        );
        assert_eq!(
            endpoint(ApiVersion::V3, "ap-shenzhen-fsi"),
            "https://cvm.ap-shenzhen-fsi.tencentcloudapi.com/"
        );
        assert_eq!(endpoint(ApiVersion::V3, "ap-shanghai"), "https://cvm.tencentcloudapi.com/");
        assert_eq!(
            endpoint(ApiVersion::V2, "ap-shanghai-fsi"),
            "https://image.api.qcloud.com/v2/index.php"
        );
        let explicit = Settings::builder(ApiVersion::V3)
            .region("ap-shanghai-fsi")
            .endpoint("http://127.0.0.1:9/")
            .build()
            .expect("valid");
        assert_eq!(explicit.endpoint().as_str(), "http://127.0.0.1:9/", "a set endpoint wins");
    }

    #[test]
    fn every_invariant_is_checked_and_reported_at_once() {
        let errors = Settings::builder(ApiVersion::V2)
            .credentials(Some(credentials("id with space", "key\n", Some("tok\t"))))
            .region("Mars")
            .endpoint("nonsense")
            .request_timeout(Duration::ZERO)
            .requests_per_second(f64::NAN)
            .page_concurrency(0)
            .build()
            .expect_err("nothing here is valid");
        let settings: Vec<Setting> = errors.iter().map(|e| e.setting).collect();
        use Setting::*;
        assert_eq!(
            settings,
            [
                SecretId,
                SecretKey,
                SecurityToken,
                Region,
                Endpoint,
                RequestTimeout,
                RequestsPerSecond,
                PageConcurrency
            ]
        );
        let text = format!("{errors:?}");
        assert!(!text.contains("id with space") && !text.contains("key\\n"), "{text}");
    }

    #[test]
    fn endpoints_need_http_on_loopback_or_https() {
        for ok in [
            "https://image.api.qcloud.com/v2/index.php",
            "http://127.0.0.1:8080/v2/index.php",
            "http://[::1]:1/",
            "http://localhost/",
        ] {
            assert!(parse_endpoint(ok).is_ok(), "{ok}");
        }
        let cases = [
            ("http://example.com/", EndpointProblem::PlainHttp),
            ("ftp://example.com/", EndpointProblem::Scheme("ftp".into())),
            ("https://u:p@example.com/", EndpointProblem::UserInfo),
            ("https://example.com/?a=b", EndpointProblem::QueryOrFragment),
            ("https://example.com/#x", EndpointProblem::QueryOrFragment),
        ];
        for (text, problem) in cases {
            assert_eq!(parse_endpoint(text), Err(problem), "{text}");
        }
        assert!(matches!(parse_endpoint("nonsense"), Err(EndpointProblem::NotUrl(_))));
    }

    #[test]
    fn region_names_have_the_api_shape() {
        for ok in ["ap-guangzhou", "ap-shanghai-fsi", "gz", "na-siliconvalley"] {
            assert_eq!(check_region(ok), Ok(()), "{ok}");
        }
        for bad in ["", "AP-GUANGZHOU", "ap--x", "ap-", "-ap", "ap guangzhou", &"a".repeat(65)] {
            assert!(check_region(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hosts_carry_the_port_only_when_it_is_not_the_default() {
        let host = |text: &str| host_as_sent(&Url::parse(text).expect("a URL"));
        assert_eq!(host("https://image.api.qcloud.com/v2/index.php"), "image.api.qcloud.com");
        assert_eq!(host("https://image.api.qcloud.com:443/v2/index.php"), "image.api.qcloud.com");
        assert_eq!(host("http://127.0.0.1:8080/v2/index.php"), "127.0.0.1:8080");
        assert_eq!(host("https://example.com:8443/"), "example.com:8443");
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let s = Settings::builder(ApiVersion::V2)
            .credentials(Some(credentials("AKIDvisible", "key-hidden", Some("token-hidden"))))
            .build()
            .expect("valid");
        let text = format!("{s:?}");
        assert!(text.contains("AKIDvisible"), "{text}");
        assert!(!text.contains("key-hidden") && !text.contains("token-hidden"), "{text}");
    }
}
