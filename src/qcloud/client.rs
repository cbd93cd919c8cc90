//! The image API client: one HTTP client, one rate limiter and one concurrency limit per
//! configured provider; each page request signed afresh on every attempt and retried on its own.
//!
//! Must not depend on Terraform types.

use std::time::Duration;

use reqwest::Url;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_util::sync::CancellationToken;

use super::rate_limit::RateLimiter;
use super::request::{PageRequest, Stamp, Target, build_request, host_as_sent};
use super::response::{Page, parse_describe_images};
use super::retry::{Backoff, RetryClass, classify};
use super::settings::parse_endpoint;
use super::{ApiVersion, Credentials, Error, Image, ImageQuery, SettingError, Settings};

/// The largest body accepted for one page (100 images are a few tens of kilobytes).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A client for one configured provider. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Client {
    settings: Settings,
    endpoint: Url,
    http: reqwest::Client,
    limiter: RateLimiter,
    /// Requests in flight, across every listing of this client.
    in_flight: Semaphore,
    backoff: Backoff,
}

impl Client {
    /// A client with these settings. Fails when the settings cannot work (an endpoint that
    /// is not a URL, a zero concurrency or rate) or the HTTPS client cannot be set up.
    pub fn new(settings: Settings) -> Result<Self, Error> {
        let endpoint = check_settings(&settings).map_err(Error::InvalidSettings)?;
        let mut http = reqwest::Client::builder()
            .user_agent(concat!("terraform-provider-qcloud/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none());
        if endpoint.scheme() == "http" {
            // Plain HTTP (a local sandbox) never uses TLS, and redirects are not followed, so
            // the system's trust store, a few milliseconds to load, is not needed.
            http = http.tls_certs_only(Vec::new());
        }
        let http = http.build().map_err(|e| Error::HttpClient(error_chain(&e.without_url())))?;
        Ok(Self {
            endpoint,
            http,
            limiter: RateLimiter::new(settings.requests_per_second),
            in_flight: Semaphore::new(settings.page_concurrency),
            backoff: Backoff::default(),
            settings,
        })
    }

    /// Replaces the retry backoff (base and cap of the exponential schedule).
    #[doc(hidden)]
    pub fn with_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff = Backoff { base, cap };
        self
    }

    /// The settings the client was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Every image matching `query`, every page, each image once (the first occurrence), in
    /// the API's order (batch by batch, page by page). All or nothing: if any page fails for
    /// good, the listing fails. A batch whose `totalCount` changes between its pages is listed
    /// again (see [`paging`](super::paging)). `cancel` aborts waits and requests in flight.
    pub async fn list_images(
        &self,
        query: &ImageQuery,
        cancel: &CancellationToken,
    ) -> Result<Vec<Image>, Error> {
        let credentials = self.settings.credentials.as_ref().ok_or(Error::MissingCredentials)?;
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let listing =
            super::paging::Listing { client: self, credentials, query, cancel, pages: 0.into() };
        let images = tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            result = listing.run() => result,
        }?;
        Ok(match self.settings.api_version {
            ApiVersion::V2 => images,
            ApiVersion::V3 => {
                images.into_iter().filter(|i| super::v3::request::keeps(query, i)).collect()
            }
        })
    }

    pub(super) fn page_concurrency(&self) -> usize {
        self.settings.page_concurrency
    }

    /// One page, with retries: fresh timestamp and nonce on every attempt.
    pub(super) async fn fetch_page(
        &self,
        credentials: &Credentials,
        page: &PageRequest<'_>,
        cancel: &CancellationToken,
    ) -> Result<Page, Error> {
        let mut attempts: u32 = 0;
        let mut retries: u32 = 0;
        let mut resigned = false;
        loop {
            attempts += 1;
            log::debug!(
                "DescribeImages request: offset {}, limit {}, {}, attempt {attempts}",
                page.offset,
                page.limit,
                match page.image_ids.len() {
                    0 => "every id".to_string(),
                    n => format!("a batch of {n} id(s)"),
                }
            );
            log::trace!(
                "DescribeImages request details: image type {:?}, status {:?}, ids {:?}",
                page.image_type,
                page.status,
                page.image_ids
            );
            let error = match self.attempt(credentials, page, cancel).await {
                Ok(answer) => {
                    log::trace!(
                        "DescribeImages answer: offset {}, {} image(s), totalCount {:?}",
                        page.offset,
                        answer.images.len(),
                        answer.total_count
                    );
                    return Ok(answer);
                }
                Err(error) => error,
            };
            match classify(&error) {
                RetryClass::ResignOnce if !resigned => {
                    log::warn!(
                        "DescribeImages offset {} attempt {attempts} failed: {error}; signing \
                         again with a fresh timestamp and nonce, retrying at once",
                        page.offset
                    );
                    resigned = true;
                }
                RetryClass::Backoff if retries < self.settings.max_retries => {
                    let delay = self.backoff.delay(retries, fastrand::f64());
                    log::warn!(
                        "DescribeImages offset {} attempt {attempts} failed: {error}; retry {} \
                         of {} in {delay:?}",
                        page.offset,
                        retries + 1,
                        self.settings.max_retries
                    );
                    self.wait(delay, cancel).await?;
                    retries += 1;
                }
                RetryClass::Backoff if attempts > 1 => {
                    log::debug!(
                        "DescribeImages offset {} failed after {attempts} attempts: {error}",
                        page.offset
                    );
                    return Err(Error::RetriesExhausted { attempts, last: Box::new(error) });
                }
                _ => {
                    log::debug!(
                        "DescribeImages offset {} attempt {attempts} failed, not retried: {error}",
                        page.offset
                    );
                    return Err(error);
                }
            }
        }
    }

    /// Sleeps for `delay` unless cancelled first.
    async fn wait(&self, delay: Duration, cancel: &CancellationToken) -> Result<(), Error> {
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            () = tokio::time::sleep(delay) => Ok(()),
        }
    }

    /// One attempt: a concurrency slot, a rate-limit turn, then the request within
    /// `request_timeout`.
    async fn attempt(
        &self,
        credentials: &Credentials,
        page: &PageRequest<'_>,
        cancel: &CancellationToken,
    ) -> Result<Page, Error> {
        let _slot = self.slot(cancel).await?;
        self.limiter.acquire(cancel).await?;
        let target = Target {
            endpoint: &self.endpoint,
            region: &self.settings.region,
            credentials,
            signature_method: self.settings.signature_method,
        };
        let request = self.outgoing(&target, page);
        let after = self.settings.request_timeout;
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            result = tokio::time::timeout(after, self.send(request)) => {
                result.unwrap_or(Err(Error::Timeout { after }))
            }
        }
    }

    /// The signed request of one attempt, in the configured API version.
    fn outgoing(&self, target: &Target<'_>, page: &PageRequest<'_>) -> reqwest::RequestBuilder {
        let stamp = Stamp::fresh();
        match self.settings.api_version {
            ApiVersion::V2 => self.http.get(build_request(target, page, stamp).url),
            ApiVersion::V3 => {
                let timestamp = i64::try_from(stamp.timestamp).unwrap_or(i64::MAX);
                let request = super::v3::build_request(target, page, timestamp);
                // reqwest derives `Host` from the URL, exactly as it was signed.
                let headers = request.headers.into_iter().filter(|(name, _)| *name != "Host");
                headers.fold(self.http.post(request.url).body(request.body), |builder, (n, v)| {
                    builder.header(n, v)
                })
            }
        }
    }

    async fn slot(&self, cancel: &CancellationToken) -> Result<SemaphorePermit<'_>, Error> {
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            permit = self.in_flight.acquire() => {
                permit.map_err(|_| Error::Other("the client's request slots were closed".into()))
            }
        }
    }

    /// Sends the request and interprets the answer.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Page, Error> {
        let host = request
            .try_clone()
            .and_then(|r| r.build().ok())
            .map(|r| host_as_sent(r.url()))
            .unwrap_or_default();
        let transport = |e: reqwest::Error| transport_error(e, &host);
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Error::ResponseTooLarge { limit: MAX_BODY_BYTES });
            }
            body.extend_from_slice(&chunk);
        }
        interpret_as(self.settings.api_version, status, &body)
    }
}

/// An API 2.0 answer (see [`interpret_as`]).
#[cfg(test)]
fn interpret(status: u16, body: &[u8]) -> Result<Page, Error> {
    interpret_as(ApiVersion::V2, status, body)
}

/// An answer: a page on success; an API error whenever the body holds one; otherwise an HTTP
/// status error for a non-2xx status.
fn interpret_as(version: ApiVersion, status: u16, body: &[u8]) -> Result<Page, Error> {
    let parsed = match version {
        ApiVersion::V2 => parse_describe_images(status, body),
        ApiVersion::V3 => super::v3::parse_describe_images(status, body),
    };
    if (200..300).contains(&status) {
        return parsed;
    }
    match parsed {
        Err(Error::Api(api)) => Err(Error::Api(api)),
        _ => Err(Error::HttpStatus { status, body_start: super::response::body_start(body) }),
    }
}

/// A reqwest failure as a transport error; the URL (which carries the signature and token) is
/// dropped first.
fn transport_error(error: reqwest::Error, host: &str) -> Error {
    let error = error.without_url();
    Error::Transport { host: host.to_string(), cause: error_chain(&error) }
}

/// An error and its sources, `: `-separated, without repeating a source already included.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// The invariants the client relies on (the user-facing bounds are checked by
/// [`Settings::resolve`]); returns the parsed endpoint.
fn check_settings(settings: &Settings) -> Result<Url, Vec<SettingError>> {
    let mut errors = Vec::new();
    let endpoint = parse_endpoint(&settings.endpoint)
        .map_err(|problem| {
            errors
                .push(SettingError { setting: "endpoint", message: format!("endpoint {problem}") })
        })
        .ok();
    if settings.page_concurrency == 0 {
        errors.push(SettingError {
            setting: "page_concurrency",
            message: "page_concurrency must be at least 1".into(),
        });
    }
    let rate = settings.requests_per_second;
    if !(rate.is_finite() && rate > 0.0) {
        errors.push(SettingError {
            setting: "requests_per_second",
            message: format!("requests_per_second must be a positive number, got {rate}"),
        });
    }
    if settings.request_timeout.is_zero() {
        errors.push(SettingError {
            setting: "request_timeout",
            message: "request_timeout must be longer than zero".into(),
        });
    }
    match endpoint {
        Some(url) if errors.is_empty() => Ok(url),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
