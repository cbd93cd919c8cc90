//! One API call as an action states it, before it is signed: the action name and its
//! parameters in the form of one API version. The transport signs and sends it; it never looks
//! inside.
//!
//! Must not depend on the HTTP transport or on Terraform types.

use std::time::Duration;

use reqwest::Url;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{ApiVersion, Credentials, SignatureMethod, v2, v3};

/// One call, in the form of the API version it is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// An API 2.0 action: its name and its own (lower-case) parameters.
    V2(v2::Call),
    /// An API 3.0 action: service, version, name and JSON body.
    V3(v3::Call),
}

impl Call {
    /// The API version the call is spelled for.
    pub fn version(&self) -> ApiVersion {
        match self {
            Call::V2(_) => ApiVersion::V2,
            Call::V3(_) => ApiVersion::V3,
        }
    }

    /// The action's name, e.g. `DescribeImages`.
    pub fn action(&self) -> &'static str {
        match self {
            Call::V2(call) => call.action,
            Call::V3(call) => call.action,
        }
    }
}

/// What bounds a call from outside: cancellation (Terraform's StopProvider), and how long it
/// may take in all, retries included.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub cancel: CancellationToken,
    pub deadline: Option<Deadline>,
}

/// When a call must be over, and the time it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: Instant,
    pub total: Duration,
}

impl Budget {
    /// A budget that ends when `cancel` fires or `total` has passed from now.
    pub fn new(cancel: CancellationToken, total: Option<Duration>) -> Self {
        let deadline = total.map(|total| Deadline { at: Instant::now() + total, total });
        Self { cancel, deadline }
    }

    /// No deadline: only cancellation ends the call early.
    pub fn cancel_only(cancel: CancellationToken) -> Self {
        Self { cancel, deadline: None }
    }

    /// The time left, if there is a deadline.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.at.saturating_duration_since(Instant::now()))
    }
}

/// Where and as whom requests are sent.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The endpoint URL, without query.
    pub endpoint: &'a Url,
    pub region: &'a str,
    pub credentials: &'a Credentials,
    /// API 2.0 only.
    pub signature_method: SignatureMethod,
}

/// The per-attempt values that make each request unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Unix seconds.
    pub timestamp: u64,
    /// A positive random integer (API 2.0 only).
    pub nonce: u32,
}

impl Stamp {
    /// The current time and a fresh random nonce.
    pub fn fresh() -> Self {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self { timestamp, nonce: fastrand::u32(1..=i32::MAX.unsigned_abs()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_stamps_have_positive_nonces_and_a_current_time() {
        let a = Stamp::fresh();
        assert!(a.nonce >= 1 && a.nonce <= i32::MAX.unsigned_abs());
        assert!(a.timestamp > 1_600_000_000, "the clock is after 2020");
    }
}
