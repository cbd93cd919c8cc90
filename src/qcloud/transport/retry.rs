//! Which failures are retried, and how long to wait before each retry.
//!
//! Pure: no clock, no randomness (the jitter is passed in). Must not depend on the transport.

use std::time::Duration;

use crate::qcloud::error::{ApiErrorKind, Error, TransportFailure};

/// Retries of a call whose endpoint did not answer, at most (and never more than
/// `max_retries`).
pub const UNREACHABLE_RETRIES: u32 = 2;

/// Default first backoff ceiling.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(200);
/// Default largest backoff.
pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(5);

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Give up at once: retrying cannot help.
    Fatal,
    /// Retry after a backoff, within `max_retries`.
    Backoff,
    /// The endpoint did not answer (a timeout, a refused connection): retry after a backoff,
    /// but at most [`UNREACHABLE_RETRIES`] times, since a dead endpoint stays dead.
    Unreachable,
    /// 4500 (replay or clock skew): retry once, at once, with a new nonce and timestamp.
    ResignOnce,
}

/// Classifies a failed attempt.
pub fn classify(error: &Error) -> RetryClass {
    match error {
        Error::Timeout { .. } | Error::Transport { failure: TransportFailure::Connect, .. } => {
            RetryClass::Unreachable
        }
        Error::Transport {
            failure: TransportFailure::Certificate | TransportFailure::CertificateName,
            ..
        } => RetryClass::Fatal,
        Error::Transport { .. } | Error::NotJson { .. } => RetryClass::Backoff,
        Error::HttpStatus { status, .. } if *status == 429 || (500..=599).contains(status) => {
            RetryClass::Backoff
        }
        Error::Api(api) => match api.kind() {
            ApiErrorKind::RateLimited | ApiErrorKind::Internal | ApiErrorKind::Unavailable => {
                RetryClass::Backoff
            }
            ApiErrorKind::Replay => RetryClass::ResignOnce,
            _ => RetryClass::Fatal,
        },
        _ => RetryClass::Fatal,
    }
}

/// Exponential backoff with full jitter: before retry `n` (0-based) wait a uniformly random
/// time between zero and `min(cap, base * 2^n)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: DEFAULT_BACKOFF_BASE, cap: DEFAULT_BACKOFF_CAP }
    }
}

impl Backoff {
    /// The longest wait before retry `retry` (0-based).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The wait before retry `retry`, for a jitter `unit` in `[0, 1)` (clamped).
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.0 };
        self.ceiling(retry).mul_f64(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qcloud::error::{ApiCode, ApiError};

    fn api(code: i64) -> Error {
        Error::Api(ApiError {
            code: ApiCode::Numeric(code),
            code_desc: None,
            message: String::new(),
            request_id: None,
        })
    }

    fn named(code: &str) -> Error {
        Error::Api(ApiError {
            code: ApiCode::Named(code.into()),
            code_desc: None,
            message: String::new(),
            request_id: None,
        })
    }

    fn status(status: u16) -> Error {
        Error::HttpStatus { status, body_start: String::new() }
    }

    #[test]
    fn classification_table() {
        use RetryClass::*;
        let transport = |failure| Error::Transport { host: "h".into(), cause: "x".into(), failure };
        let cases: Vec<(Error, RetryClass)> = vec![
            (transport(TransportFailure::Other), Backoff),
            (transport(TransportFailure::Connect), Unreachable),
            (transport(TransportFailure::Certificate), Fatal),
            (transport(TransportFailure::CertificateName), Fatal),
            (Error::Timeout { after: Duration::from_secs(1) }, Unreachable),
            (Error::NotJson { status: 200, body_start: "<html>".into() }, Backoff),
            (status(500), Backoff),
            (status(502), Backoff),
            (status(503), Backoff),
            (status(599), Backoff),
            (status(429), Backoff),
            (status(400), Fatal),
            (status(403), Fatal),
            (status(404), Fatal),
            (status(302), Fatal),
            (api(4400), Backoff),
            (api(6000), Backoff),
            (api(6200), Backoff),
            (api(4500), ResignOnce),
            (api(4000), Fatal),
            (api(4100), Fatal),
            (api(4104), Fatal),
            (api(4200), Fatal),
            (api(4300), Fatal),
            (api(4600), Fatal),
            (api(5000), Fatal),
            (api(6100), Fatal),
            (api(1234), Fatal),
            (named("RequestLimitExceeded"), Backoff),
            (named("InternalError.DbError"), Backoff),
            (named("AuthFailure.SignatureFailure"), Fatal),
            (named("AuthFailure.SignatureExpire"), Fatal),
            (Error::UnexpectedResponse { problem: "x".into(), body_start: String::new() }, Fatal),
            (Error::ResponseTooLarge { limit: 1 }, Fatal),
            (Error::MissingCredentials, Fatal),
            (Error::Cancelled, Fatal),
        ];
        for (error, expected) in cases {
            assert_eq!(classify(&error), expected, "{error:?}");
        }
    }

    #[test]
    fn ceilings_double_from_the_base_up_to_the_cap() {
        let b = Backoff::default();
        let ms: Vec<u128> = (0..8).map(|n| b.ceiling(n).as_millis()).collect();
        assert_eq!(ms, [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        assert_eq!(b.ceiling(40), Duration::from_secs(5), "no overflow for large retry counts");
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(5));
    }

    #[test]
    fn delays_stay_within_zero_and_the_ceiling() {
        let b = Backoff::default();
        for retry in 0..10 {
            for unit in [0.0, 0.25, 0.5, 0.999_999, 1.0, -1.0, 7.0, f64::NAN] {
                let d = b.delay(retry, unit);
                assert!(d <= b.ceiling(retry), "retry {retry} unit {unit}: {d:?}");
            }
        }
        assert_eq!(b.delay(0, 0.0), Duration::ZERO);
        assert_eq!(b.delay(1, 0.5), Duration::from_millis(200));
        assert_eq!(b.delay(9, 0.5), Duration::from_millis(2500));
        assert_eq!(b.delay(2, f64::NAN), Duration::ZERO);
    }
}
