//! The transport: signs, sends and retries calls, whatever their action. One HTTP client, one
//! rate limiter and one limit of requests in flight per client; each attempt is signed afresh
//! (new timestamp and nonce) and bounded by the request timeout; cancellation ends waits and
//! requests in flight at once.
//!
//! It knows the two API versions' signing and envelopes, never an action's parameters or
//! answer: the action hands in a [`Call`] and a parser of the envelope's content.
//!
//! - [`connection`]: one connection per client, even for requests sent together at first.
//! - [`rate_limit`]: requests let through one interval apart.
//! - [`retry`]: which failures are retried, and the backoff before each retry.
//! - [`trust`]: the HTTPS client's roots (the system's, else Mozilla's) and TLS settings.
//!
//! Proxies come from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, in
//! either case), as reqwest reads them.
//!
//! Must not depend on Terraform types.

pub mod connection;
pub mod rate_limit;
pub mod retry;
pub mod trust;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_util::sync::CancellationToken;

use self::connection::FirstAnswer;
use self::rate_limit::RateLimiter;
use self::retry::{Backoff, RetryClass, UNREACHABLE_RETRIES, classify};
use super::call::{Budget, Call, Stamp, Target};
use super::json::body_start;
use super::settings::host_as_sent;
use super::{ApiVersion, Credentials, Error, Settings, TransportFailure, v2, v3};

/// The largest body accepted for one answer (100 images are a few tens of kilobytes).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Parses what an answer's envelope holds into an action's result; the error says what is
/// missing or wrong.
pub type Parse<'a, T> = &'a (dyn Fn(&Map<String, Value>) -> Result<T, String> + Sync);

/// Sends calls for one configured client. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Transport {
    settings: Settings,
    http: reqwest::Client,
    limiter: RateLimiter,
    /// Requests in flight, across every call of this client.
    in_flight: Semaphore,
    /// Holds requests until the first answer, so that they share its connection.
    first_answer: FirstAnswer,
    backoff: Backoff,
}

impl Transport {
    /// A transport for `settings`; fails only when the HTTPS client cannot be set up.
    pub fn new(settings: Settings) -> Result<Self, Error> {
        let mut http = reqwest::Client::builder()
            .user_agent(concat!("terraform-provider-qcloud/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.request_timeout())
            .redirect(reqwest::redirect::Policy::none());
        let plain = settings.endpoint().scheme() == "http";
        if plain {
            // Plain HTTP (a local sandbox) never uses TLS, and redirects are not followed, so
            // the system's trust store, a few milliseconds to load, is not needed.
            http = http.tls_certs_only(Vec::new());
        } else {
            let (tls, roots) =
                trust::client_config().map_err(|e| Error::HttpClient(error_chain(&e)))?;
            log::debug!("HTTPS client trusts {roots}");
            http = http.tls_backend_preconfigured(tls);
        }
        let http = http.build().map_err(|e| Error::HttpClient(error_chain(&e.without_url())))?;
        Ok(Self {
            http,
            limiter: RateLimiter::new(settings.requests_per_second()),
            in_flight: Semaphore::new(settings.page_concurrency()),
            first_answer: FirstAnswer::new(!plain),
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

    /// The settings the transport was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Sends `call` until it succeeds, fails for good, runs out of retries or runs out of
    /// budget; `label` says which call it is in the log (e.g. `offset 100, limit 100`).
    pub async fn send<T>(
        &self,
        call: &Call,
        label: &str,
        parse: Parse<'_, T>,
        budget: &Budget,
    ) -> Result<T, Error> {
        let credentials = self.settings.credentials().ok_or(Error::MissingCredentials)?;
        let progress = Mutex::new(Progress::default());
        let run = self.retry(credentials, call, label, parse, budget, &progress);
        let Some(deadline) = budget.deadline else { return run.await };
        tokio::select! {
            result = run => result,
            () = tokio::time::sleep_until(deadline.at) => {
                let progress = progress.into_inner().unwrap_or_else(PoisonError::into_inner);
                log::debug!(
                    "{} ({label}) ran out of its {:?} budget after {} attempt(s)",
                    call.action(),
                    deadline.total,
                    progress.attempts
                );
                Err(Error::BudgetExhausted {
                    action: call.action(),
                    host: host_as_sent(self.settings.endpoint()),
                    budget: deadline.total,
                    attempts: progress.attempts,
                    last: progress.last.map(Box::new),
                })
            }
        }
    }

    /// The attempts of one call, each failure classified: retried at once with a fresh
    /// signature, retried after a backoff (fewer times when the endpoint did not answer), or
    /// final.
    async fn retry<T>(
        &self,
        credentials: &Credentials,
        call: &Call,
        label: &str,
        parse: Parse<'_, T>,
        budget: &Budget,
        progress: &Mutex<Progress>,
    ) -> Result<T, Error> {
        let action = call.action();
        let (mut attempts, mut retries, mut resigned) = (0u32, 0u32, false);
        let max_retries = self.settings.max_retries();
        loop {
            attempts += 1;
            progress.lock().unwrap_or_else(PoisonError::into_inner).attempts = attempts;
            log::debug!("{action} request ({label}), attempt {attempts}");
            let error = match self.attempt(credentials, call, parse, budget).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            progress.lock().unwrap_or_else(PoisonError::into_inner).last = Some(error.clone());
            let limit = match classify(&error) {
                RetryClass::ResignOnce if !resigned => {
                    log::warn!(
                        "{action} ({label}) attempt {attempts} failed: {error}; signing again \
                         with a fresh timestamp and nonce, retrying at once"
                    );
                    resigned = true;
                    continue;
                }
                RetryClass::Backoff => max_retries,
                RetryClass::Unreachable => max_retries.min(UNREACHABLE_RETRIES),
                RetryClass::ResignOnce | RetryClass::Fatal => 0,
            };
            if retries >= limit {
                log::debug!("{action} ({label}) attempt {attempts} failed for good: {error}");
                return Err(if attempts > 1 {
                    Error::RetriesExhausted { action, attempts, last: Box::new(error) }
                } else {
                    error
                });
            }
            let delay = self.backoff.delay(retries, fastrand::f64());
            log::warn!(
                "{action} ({label}) attempt {attempts} failed: {error}; retry {} of {limit} in \
                 {delay:?}",
                retries + 1
            );
            wait(delay, &budget.cancel).await?;
            retries += 1;
        }
    }

    /// One attempt: a slot among the requests in flight, a rate-limit turn, then the request
    /// within the request timeout.
    async fn attempt<T>(
        &self,
        credentials: &Credentials,
        call: &Call,
        parse: Parse<'_, T>,
        budget: &Budget,
    ) -> Result<T, Error> {
        let cancel = &budget.cancel;
        let _slot = self.slot(cancel).await?;
        self.limiter.acquire(cancel).await?;
        let target = Target {
            endpoint: self.settings.endpoint(),
            region: self.settings.region(),
            credentials,
            signature_method: self.settings.signature_method(),
        };
        let request = self.outgoing(&target, call);
        let after = self.settings.request_timeout();
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            result = tokio::time::timeout(after, self.exchange(request, call, parse)) => {
                result.unwrap_or(Err(Error::Timeout { after }))
            }
        }
    }

    /// The signed request of one attempt.
    fn outgoing(&self, target: &Target<'_>, call: &Call) -> reqwest::RequestBuilder {
        let stamp = Stamp::fresh();
        match call {
            Call::V2(call) => self.http.get(v2::request::build(target, call, stamp).url),
            Call::V3(call) => {
                let timestamp = i64::try_from(stamp.timestamp).unwrap_or(i64::MAX);
                let request = v3::request::build(target, call, timestamp);
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
                Ok(permit.expect("the semaphore lives as long as the transport and is never closed"))
            }
        }
    }

    /// Sends the request, reads the body within [`MAX_BODY_BYTES`], and reads the answer.
    async fn exchange<T>(
        &self,
        request: reqwest::RequestBuilder,
        call: &Call,
        parse: Parse<'_, T>,
    ) -> Result<T, Error> {
        let host = host_as_sent(self.settings.endpoint());
        let transport = |e: reqwest::Error| transport_error(e, &host);
        let mut response = self.first_answer.send(request).await.map_err(transport)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Error::ResponseTooLarge { limit: MAX_BODY_BYTES });
            }
            body.extend_from_slice(&chunk);
        }
        read_answer(call.version(), status, &body, parse)
    }
}

/// How far a call got, for the error when its budget runs out.
#[derive(Debug, Default)]
struct Progress {
    attempts: u32,
    last: Option<Error>,
}

/// Sleeps for `delay` unless cancelled first.
async fn wait(delay: Duration, cancel: &CancellationToken) -> Result<(), Error> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(Error::Cancelled),
        () = tokio::time::sleep(delay) => Ok(()),
    }
}

/// An answer in `version`'s envelope: the parsed result on success; an API error whenever the
/// body holds one; otherwise an HTTP status error for a non-2xx status.
pub fn read_answer<T>(
    version: ApiVersion,
    status: u16,
    body: &[u8],
    parse: Parse<'_, T>,
) -> Result<T, Error> {
    let opened = match version {
        ApiVersion::V2 => v2::envelope::open(status, body),
        ApiVersion::V3 => v3::envelope::open(status, body),
    };
    let parsed = opened.and_then(|content| {
        parse(&content)
            .map_err(|problem| Error::UnexpectedResponse { problem, body_start: body_start(body) })
    });
    if (200..300).contains(&status) {
        return parsed;
    }
    match parsed {
        Err(Error::Api(api)) => Err(Error::Api(api)),
        _ => Err(Error::HttpStatus { status, body_start: body_start(body) }),
    }
}

/// A reqwest failure as a transport error; the URL (which carries the signature and token) is
/// dropped first.
fn transport_error(error: reqwest::Error, host: &str) -> Error {
    let error = error.without_url();
    let failure = refused_certificate(&error).unwrap_or(if error.is_connect() {
        TransportFailure::Connect
    } else {
        TransportFailure::Other
    });
    Error::Transport { host: host.to_string(), cause: error_chain(&error), failure }
}

/// How rustls refused the server's certificate, if it did somewhere in `error`'s sources. I/O
/// errors wrap it (sometimes twice) and hand it out through `get_ref`, not `source`.
fn refused_certificate(error: &(dyn std::error::Error + 'static)) -> Option<TransportFailure> {
    use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
    let mut source = Some(error);
    while let Some(cause) = source {
        if let Some(rustls::Error::InvalidCertificate(refused)) = cause.downcast_ref() {
            return Some(match refused {
                NotValidForName | NotValidForNameContext { .. } => {
                    TransportFailure::CertificateName
                }
                _ => TransportFailure::Certificate,
            });
        }
        source = match cause.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::qcloud::Settings;
    use crate::qcloud::error::ApiCode;

    fn v2_call() -> Call {
        Call::V2(v2::Call { action: "DescribeImages", params: BTreeMap::new() })
    }

    fn keys(content: &Map<String, Value>) -> Result<Vec<String>, String> {
        Ok(content.keys().cloned().collect())
    }

    fn read(status: u16, body: &[u8]) -> Result<Vec<String>, Error> {
        read_answer(ApiVersion::V2, status, body, &keys)
    }

    #[test]
    fn answers_are_read_by_status_and_body() {
        let ok = br#"{"code":0,"totalCount":0,"imageSet":[]}"#;
        assert_eq!(read(200, ok).expect("a success"), ["code", "imageSet", "totalCount"]);
        let refused = br#"{"code":4100,"message":"bad"}"#;
        for status in [200, 400, 500] {
            match read(status, refused) {
                Err(Error::Api(api)) => assert_eq!(api.code, ApiCode::Numeric(4100)),
                other => panic!("{status}: {other:?}"),
            }
        }
        match read(503, b"<html>Service Unavailable</html>") {
            Err(Error::HttpStatus { status: 503, body_start }) => {
                assert_eq!(body_start, "<html>Service Unavailable</html>")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(read(429, ok), Err(Error::HttpStatus { status: 429, .. })));
        assert!(matches!(read(200, b"<html>"), Err(Error::NotJson { status: 200, .. })));
    }

    #[test]
    fn a_parse_failure_quotes_the_body() {
        let refuse = |_: &Map<String, Value>| -> Result<(), String> { Err("no list".into()) };
        match read_answer(ApiVersion::V2, 200, br#"{"code":0}"#, &refuse) {
            Err(Error::UnexpectedResponse { problem, body_start }) => {
                assert_eq!((problem.as_str(), body_start.as_str()), ("no list", r#"{"code":0}"#))
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_call_without_credentials_fails_before_sending() {
        let settings = Settings::builder(ApiVersion::V2).build().expect("defaults are valid");
        let transport = Transport::new(settings).expect("a transport");
        let error = transport
            .send(&v2_call(), "test", &keys, &Budget::default())
            .await
            .expect_err("no credentials are configured");
        assert!(matches!(error, Error::MissingCredentials), "{error:?}");
    }

    #[test]
    fn a_refused_certificate_is_told_apart_by_why_through_io_wrappers() {
        let refused = |why| {
            let tls = rustls::Error::InvalidCertificate(why);
            std::io::Error::other(std::io::Error::other(tls))
        };
        let name = refused(rustls::CertificateError::NotValidForName);
        assert_eq!(refused_certificate(&name), Some(TransportFailure::CertificateName));
        let issuer = refused(rustls::CertificateError::UnknownIssuer);
        assert_eq!(refused_certificate(&issuer), Some(TransportFailure::Certificate));
        assert_eq!(refused_certificate(&std::io::Error::other("reset")), None);
    }

    #[test]
    fn error_chain_joins_distinct_sources() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let e = Layer(
            "send failed",
            Some(Box::new(Layer("reset", Some(Box::new(Layer("reset", None)))))),
        );
        assert_eq!(error_chain(&e), "send failed: reset");
    }
}
