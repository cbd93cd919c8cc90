//! What a sandbox is started with: credentials, catalog, clock, latency and faults.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::catalog::Catalog;
use crate::fault::FaultRule;
use crate::region::Regions;
use crate::{SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY};

/// One credential the sandbox accepts. The key and token are redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxCredential {
    /// `SecretId`.
    pub secret_id: String,
    /// The key the signature is checked with.
    pub secret_key: String,
    /// When set, requests must carry this `Token` (temporary credentials).
    pub token: Option<String>,
}

impl SandboxCredential {
    /// A permanent credential (no token).
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self { secret_id: secret_id.into(), secret_key: secret_key.into(), token: None }
    }

    /// The same credential, made temporary: requests must also send `Token`.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The well-known sandbox credential ([`SANDBOX_SECRET_ID`], [`SANDBOX_SECRET_KEY`]).
    pub fn sandbox_default() -> Self {
        Self::new(SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY)
    }
}

impl fmt::Debug for SandboxCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxCredential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The clock `Timestamp` is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SandboxClock {
    /// The machine's clock.
    #[default]
    System,
    /// A fixed time (unix seconds), for deterministic tests.
    Fixed(i64),
}

impl SandboxClock {
    /// The current time in unix seconds.
    pub fn now(self) -> i64 {
        match self {
            SandboxClock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            SandboxClock::Fixed(t) => t,
        }
    }
}

/// Everything a sandbox needs besides its listener.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The credentials accepted; an unknown `SecretId` is answered with 4104.
    pub credentials: Vec<SandboxCredential>,
    /// The images served (the same in every region, except marketplace in `na-*`).
    pub catalog: Catalog,
    /// The clock `Timestamp` is checked against.
    pub clock: SandboxClock,
    /// How far `Timestamp` may be from the clock, either way.
    pub timestamp_window: Duration,
    /// Added before every answer.
    pub latency: Duration,
    /// Faults injected on chosen requests; the first matching rule fires.
    pub faults: Vec<FaultRule>,
    /// The regions served; any other is refused as the API refuses it.
    pub regions: Regions,
    /// Logs one line per request to stderr.
    pub verbose: bool,
}

impl Default for SandboxConfig {
    /// The well-known sandbox credential, the built-in catalog, the system clock, a ±300 s
    /// window, no latency, no faults, and Tencent Cloud's regions.
    fn default() -> Self {
        Self {
            credentials: vec![SandboxCredential::sandbox_default()],
            catalog: Catalog::builtin(),
            clock: SandboxClock::System,
            timestamp_window: Duration::from_secs(300),
            latency: Duration::ZERO,
            faults: Vec::new(),
            regions: Regions::default(),
            verbose: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_key_and_token() {
        let cred = SandboxCredential::new("AKIDvisible", "key-hidden").with_token("token-hidden");
        let text = format!("{cred:?}");
        assert!(text.contains("AKIDvisible"));
        assert!(!text.contains("key-hidden"));
        assert!(!text.contains("token-hidden"));
        let config = SandboxConfig { credentials: vec![cred], ..SandboxConfig::default() };
        let text = format!("{config:?}");
        assert!(!text.contains("key-hidden") && !text.contains("token-hidden"));
    }

    #[test]
    fn fixed_clock_is_fixed() {
        assert_eq!(SandboxClock::Fixed(1_700_000_000).now(), 1_700_000_000);
        assert!(SandboxClock::System.now() > 1_600_000_000);
    }
}
