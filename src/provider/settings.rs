//! The provider's settings: the provider block's values, then the environment, then the
//! defaults; checked against the documented ranges and turned into the API client's
//! [`Settings`]. Every problem is reported under its argument, in Terraform's and the
//! environment's words, and says where the value came from.
//!
//! Offline and pure: the environment is passed in as a lookup function.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::arguments::{self, Argument};
use crate::qcloud::settings::{
    DEFAULT_REGION, Setting, SettingsBuilder, credential_problem, shorten,
};
use crate::qcloud::{ApiVersion, Credentials, InvalidSetting, Settings, SignatureMethod};

/// `max_retries`: retries after the first attempt.
pub const MAX_RETRIES_RANGE: (i64, i64) = (0, 20);
/// `request_timeout`, in seconds.
pub const REQUEST_TIMEOUT_RANGE: (i64, i64) = (1, 3600);
/// `page_concurrency`: pages fetched at once.
pub const PAGE_CONCURRENCY_RANGE: (i64, i64) = (1, 64);
/// `requests_per_second`: below one request per 100 seconds a listing would look hung; above
/// 1000 the limit is moot.
pub const REQUESTS_PER_SECOND_RANGE: (f64, f64) = (0.01, 1000.0);

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
    /// `"2.0"` or `"3.0"`.
    pub api_version: Option<String>,
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

/// The block value if set, else the first environment variable that is set and not blank.
/// `blank_block_is_unset`: an empty block value falls through to the environment.
fn find(
    argument: &Argument,
    block: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    blank_block_is_unset: bool,
) -> Option<Sourced> {
    let block = block.filter(|v| !(blank_block_is_unset && v.trim().is_empty()));
    if let Some(value) = block {
        return Some(Sourced { value, source: Source::Block });
    }
    argument.env.iter().find_map(|name| {
        let value = env(name).filter(|v| !v.trim().is_empty())?;
        Some(Sourced { value, source: Source::Env(name) })
    })
}

/// The order arguments are reported in: the order the docs list them.
const ORDER: [&str; 11] = [
    arguments::SECRET_ID.name,
    arguments::SECRET_KEY.name,
    arguments::SECURITY_TOKEN.name,
    arguments::REGION.name,
    arguments::ENDPOINT.name,
    arguments::API_VERSION.name,
    arguments::SIGNATURE_METHOD,
    arguments::MAX_RETRIES,
    arguments::REQUEST_TIMEOUT,
    arguments::REQUESTS_PER_SECOND,
    arguments::PAGE_CONCURRENCY,
];

/// Resolves `raw` against the environment (`env` looks a variable up) and the defaults.
///
/// Each argument comes from the provider block, else its `QCLOUD_*` variable, else its
/// `TENCENTCLOUD_*` variable, else its default. Empty environment variables count as unset,
/// and so do empty credentials in the block. Every problem is reported, not just the first.
pub fn resolve(
    mut raw: RawSettings,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, Vec<SettingError>> {
    let mut resolution = Resolution::default();
    let api_version = resolution.api_version(raw.api_version.take(), &env);
    let mut builder = Settings::builder(api_version);
    builder = builder.credentials(resolution.credentials(&mut raw, &env));
    if let Some(region) = resolution.sourced(&arguments::REGION, raw.region.take(), &env) {
        builder = builder.region(region);
    }
    if let Some(endpoint) = resolution.sourced(&arguments::ENDPOINT, raw.endpoint.take(), &env) {
        builder = builder.endpoint(endpoint);
    }
    builder = resolution.limits(&raw, builder);
    let built = builder.build();
    let mut errors = std::mem::take(&mut resolution.errors);
    match built {
        Ok(settings) if errors.is_empty() => return Ok(settings),
        Ok(_) => {}
        Err(problems) => {
            errors.extend(problems.iter().map(|p| worded(p, &resolution, api_version)))
        }
    }
    errors.sort_by_key(|e| ORDER.iter().position(|name| *name == e.setting));
    Err(errors)
}

/// What resolution found so far: errors in Terraform's words and where values came from.
#[derive(Default)]
struct Resolution {
    errors: Vec<SettingError>,
    sources: HashMap<Setting, Source>,
    /// The endpoint as given, to quote (redacted) in its errors.
    endpoint: Option<String>,
}

impl Resolution {
    fn api_version(
        &mut self,
        block: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> ApiVersion {
        let Some(found) = find(&arguments::API_VERSION, block, env, false) else {
            return ApiVersion::default();
        };
        match found.value.trim() {
            "2.0" | "2" => ApiVersion::V2,
            "3.0" | "3" => ApiVersion::V3,
            other => {
                self.errors.push(SettingError::new(
                    arguments::API_VERSION.name,
                    format!(
                        "api_version {:?} (from {}) is not supported; use \"2.0\" (the default) \
                         or \"3.0\"",
                        shorten(other),
                        found.source
                    ),
                ));
                ApiVersion::default()
            }
        }
    }

    /// The value of an argument with environment variables, remembering where it came from.
    fn sourced(
        &mut self,
        argument: &Argument,
        block: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let found = find(argument, block, env, false)?;
        let setting = if argument.name == arguments::REGION.name {
            Setting::Region
        } else {
            self.endpoint = Some(found.value.clone());
            Setting::Endpoint
        };
        self.sources.insert(setting, found.source);
        Some(found.value)
    }

    fn credentials(
        &mut self,
        raw: &mut RawSettings,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Credentials> {
        let id = find(&arguments::SECRET_ID, raw.secret_id.take(), env, true);
        let key = find(&arguments::SECRET_KEY, raw.secret_key.take(), env, true);
        let token = find(&arguments::SECURITY_TOKEN, raw.security_token.take(), env, true);
        let mut refused = false;
        for (argument, setting, value) in [
            (&arguments::SECRET_ID, Setting::SecretId, &id),
            (&arguments::SECRET_KEY, Setting::SecretKey, &key),
            (&arguments::SECURITY_TOKEN, Setting::SecurityToken, &token),
        ] {
            let Some(value) = value else { continue };
            self.sources.insert(setting, value.source);
            if let Some(problem) = credential_problem(&value.value) {
                self.errors.push(credential_error(argument, value.source, problem));
                refused = true;
            }
        }
        if refused {
            return None;
        }
        match (id, key) {
            (Some(id), Some(key)) => Some(Credentials {
                secret_id: id.value,
                secret_key: key.value,
                security_token: token.map(|t| t.value),
            }),
            (None, None) => None,
            (Some(id), None) => {
                let error =
                    half_credentials(&arguments::SECRET_KEY, &arguments::SECRET_ID, id.source);
                self.errors.push(error);
                None
            }
            (None, Some(key)) => {
                let error =
                    half_credentials(&arguments::SECRET_ID, &arguments::SECRET_KEY, key.source);
                self.errors.push(error);
                None
            }
        }
    }

    /// The signature method and the numeric limits, each within its documented range.
    fn limits(&mut self, raw: &RawSettings, mut builder: SettingsBuilder) -> SettingsBuilder {
        match signature_method(raw.signature_method.as_deref()) {
            Ok(Some(method)) => builder = builder.signature_method(method),
            Ok(None) => {}
            Err(error) => self.errors.push(error),
        }
        let retries = count(arguments::MAX_RETRIES, raw.max_retries, MAX_RETRIES_RANGE);
        let timeout = count(arguments::REQUEST_TIMEOUT, raw.request_timeout, REQUEST_TIMEOUT_RANGE);
        let pages =
            count(arguments::PAGE_CONCURRENCY, raw.page_concurrency, PAGE_CONCURRENCY_RANGE);
        match retries {
            Ok(Some(n)) => builder = builder.max_retries(u32::try_from(n).unwrap_or(u32::MAX)),
            Ok(None) => {}
            Err(error) => self.errors.push(error),
        }
        match timeout {
            Ok(Some(s)) => builder = builder.request_timeout(Duration::from_secs(s.unsigned_abs())),
            Ok(None) => {}
            Err(error) => self.errors.push(error),
        }
        match rate(raw.requests_per_second) {
            Ok(Some(r)) => builder = builder.requests_per_second(r),
            Ok(None) => {}
            Err(error) => self.errors.push(error),
        }
        match pages {
            Ok(Some(n)) => builder = builder.page_concurrency(usize::try_from(n).unwrap_or(1)),
            Ok(None) => {}
            Err(error) => self.errors.push(error),
        }
        builder
    }
}

fn half_credentials(missing: &Argument, present: &Argument, source: Source) -> SettingError {
    SettingError::new(
        missing.name,
        format!(
            "{} is set (in {source}) but {} is not; set {} too, they only work as a pair",
            present.name,
            missing.name,
            missing.where_to_set()
        ),
    )
}

/// A credential whose value the client refuses (stray spaces or quotes, say), naming where
/// it came from.
fn credential_error(argument: &Argument, source: Source, problem: &str) -> SettingError {
    SettingError::new(
        argument.name,
        format!("{} (from {source}) {problem}; copy it again without them", argument.name),
    )
}

/// A problem the client's settings found, in the provider's words.
fn worded(problem: &InvalidSetting, resolution: &Resolution, version: ApiVersion) -> SettingError {
    let source = resolution.sources.get(&problem.setting).copied().unwrap_or(Source::Block);
    let endpoint = resolution.endpoint.as_deref().unwrap_or_default();
    let credential = |argument: &Argument| credential_error(argument, source, &problem.problem);
    match problem.setting {
        Setting::SecretId => credential(&arguments::SECRET_ID),
        Setting::SecretKey => credential(&arguments::SECRET_KEY),
        Setting::SecurityToken => credential(&arguments::SECURITY_TOKEN),
        Setting::Region => SettingError::new(
            arguments::REGION.name,
            format!(
                "{} (from {source}); use a Tencent Cloud region such as ap-guangzhou or \
                 na-siliconvalley, or leave it unset for the default {DEFAULT_REGION}",
                problem.problem
            ),
        ),
        Setting::Endpoint => endpoint_error(problem, endpoint, source, version),
        Setting::RequestTimeout => limit_error(arguments::REQUEST_TIMEOUT, problem),
        Setting::RequestsPerSecond => limit_error(arguments::REQUESTS_PER_SECOND, problem),
        Setting::PageConcurrency => limit_error(arguments::PAGE_CONCURRENCY, problem),
    }
}

fn limit_error(name: &'static str, problem: &InvalidSetting) -> SettingError {
    SettingError::new(name, format!("{name} {}", problem.problem))
}

fn endpoint_error(
    problem: &InvalidSetting,
    endpoint: &str,
    source: Source,
    version: ApiVersion,
) -> SettingError {
    let extra = if problem.problem.starts_with("contains a user name or password") {
        "; credentials go in secret_id and secret_key"
    } else {
        ""
    };
    SettingError::new(
        arguments::ENDPOINT.name,
        format!(
            "endpoint {:?} (from {source}) {}{extra}; use the whole https:// URL of the image \
             API, e.g. {}",
            shorten(&without_secrets(endpoint)),
            problem.problem,
            version.default_endpoint()
        ),
    )
}

fn signature_method(value: Option<&str>) -> Result<Option<SignatureMethod>, SettingError> {
    let Some(value) = value else { return Ok(None) };
    [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1]
        .into_iter()
        .find(|m| m.as_param().eq_ignore_ascii_case(value))
        .map(Some)
        .ok_or_else(|| {
            SettingError::new(
                arguments::SIGNATURE_METHOD,
                format!(
                    "signature_method {:?} is not supported; use HmacSHA256 (the default) or \
                     HmacSHA1",
                    shorten(value)
                ),
            )
        })
}

/// An integer argument within `range`; `None` when unset.
fn count(
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
        arguments::MAX_RETRIES => "it is how many times a failed request is retried (default 5)",
        arguments::REQUEST_TIMEOUT => {
            "it is the time limit of each request in seconds (default 30)"
        }
        arguments::PAGE_CONCURRENCY => "it is how many pages are fetched at once (default 4)",
        _ => "",
    }
}

fn rate(value: Option<f64>) -> Result<Option<f64>, SettingError> {
    let (min, max) = REQUESTS_PER_SECOND_RANGE;
    match value {
        None => Ok(None),
        Some(r) if r.is_finite() && (min..=max).contains(&r) => Ok(Some(r)),
        Some(r) => Err(SettingError::new(
            arguments::REQUESTS_PER_SECOND,
            format!(
                "requests_per_second must be a number between {min} and {max}, got {r}; it is \
                 the client-side rate limit of API requests (default 10)"
            ),
        )),
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
