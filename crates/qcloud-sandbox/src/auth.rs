//! What both API versions check alike: the credentials the sandbox accepts, the clock a
//! request's timestamp must be close to, and the nonces already used. The signature checks
//! themselves are per version ([`crate::v2::auth`], [`crate::v3::auth`]).
//!
//! Must not depend on HTTP types, on the server, or on either version's error shape.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::config::{SandboxClock, SandboxCredential};

/// How many nonces are remembered at most; past that, requests are throttled.
pub const NONCE_CAPACITY: usize = 100_000;

/// The credentials, the clock and its window, and the nonces used so far.
#[derive(Debug)]
pub struct Authenticator {
    credentials: HashMap<String, SandboxCredential>,
    clock: SandboxClock,
    window: i64,
    nonces: Mutex<NonceCache>,
}

/// A timestamp too far from the sandbox clock; its `Display` says so to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleTimestamp {
    /// The timestamp sent.
    pub timestamp: i64,
    /// The sandbox clock.
    pub now: i64,
    /// How far apart they may be, in seconds.
    pub window: i64,
}

/// Why a nonce was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceRefusal {
    /// This `SecretId` already used the nonce within the window.
    Replayed(u64),
    /// Too many nonces are remembered at once.
    CacheFull,
}

#[derive(Debug, Default)]
struct NonceCache {
    /// (SecretId, Nonce) → the time after which the nonce may be forgotten.
    seen: HashMap<(String, u64), i64>,
}

impl Authenticator {
    /// Accepts `credentials`; a timestamp may be `window` away from `clock` either way.
    pub fn new(credentials: &[SandboxCredential], clock: SandboxClock, window: Duration) -> Self {
        Self {
            credentials: credentials.iter().map(|c| (c.secret_id.clone(), c.clone())).collect(),
            clock,
            window: i64::try_from(window.as_secs()).unwrap_or(i64::MAX),
            nonces: Mutex::default(),
        }
    }

    /// The credential with this `SecretId`, if the sandbox accepts it.
    pub fn credential(&self, secret_id: &str) -> Option<&SandboxCredential> {
        self.credentials.get(secret_id)
    }

    /// The sandbox clock's time, unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Refuses `timestamp` when it is outside the window around `now`.
    pub fn check_timestamp(&self, timestamp: i64, now: i64) -> Result<(), StaleTimestamp> {
        if timestamp.abs_diff(now) > self.window.unsigned_abs() {
            return Err(StaleTimestamp { timestamp, now, window: self.window });
        }
        Ok(())
    }

    /// Uses up `nonce` for `secret_id`, for a request stamped `timestamp`: it is remembered
    /// until the timestamp leaves the window.
    pub fn use_nonce(
        &self,
        secret_id: &str,
        nonce: u64,
        timestamp: i64,
        now: i64,
    ) -> Result<(), NonceRefusal> {
        let forget_after = timestamp.saturating_add(self.window);
        let mut nonces = self.nonces.lock().unwrap_or_else(PoisonError::into_inner);
        nonces.use_once(secret_id, nonce, now, forget_after)
    }
}

impl fmt::Display for StaleTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Timestamp {} is more than {} seconds away from the server time {}: check the clock \
             and sign the request again",
            self.timestamp, self.window, self.now
        )
    }
}

impl NonceCache {
    fn use_once(
        &mut self,
        secret_id: &str,
        nonce: u64,
        now: i64,
        forget_after: i64,
    ) -> Result<(), NonceRefusal> {
        if self.seen.len() >= NONCE_CAPACITY {
            self.seen.retain(|_, until| *until >= now);
        }
        if self.seen.len() >= NONCE_CAPACITY {
            return Err(NonceRefusal::CacheFull);
        }
        let key = (secret_id.to_owned(), nonce);
        if self.seen.get(&key).is_some_and(|until| *until >= now) {
            return Err(NonceRefusal::Replayed(nonce));
        }
        self.seen.insert(key, forget_after);
        Ok(())
    }
}

/// Compares without stopping at the first difference.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn forgotten_nonces_are_pruned_and_the_cache_is_bounded() {
        let mut cache = NonceCache::default();
        for n in 0..NONCE_CAPACITY as u64 {
            cache.seen.insert(("AKID".into(), n + 1), NOW - 1);
        }
        assert!(cache.use_once("AKID", 1, NOW, NOW + 300).is_ok(), "expired entries pruned");
        assert_eq!(cache.seen.len(), 1);
        for n in 0..NONCE_CAPACITY as u64 {
            cache.seen.insert(("AKID".into(), n + 10), NOW + 300);
        }
        assert_eq!(cache.use_once("AKID", 5, NOW, NOW + 300), Err(NonceRefusal::CacheFull));
    }

    #[test]
    fn the_window_is_inclusive_and_symmetric() {
        let auth = Authenticator::new(&[], SandboxClock::Fixed(NOW), Duration::from_secs(300));
        assert_eq!(auth.now(), NOW);
        for ok in [NOW - 300, NOW, NOW + 300] {
            assert_eq!(auth.check_timestamp(ok, NOW), Ok(()), "{ok}");
        }
        let stale = auth.check_timestamp(NOW - 301, NOW).expect_err("stale");
        assert_eq!(stale, StaleTimestamp { timestamp: NOW - 301, now: NOW, window: 300 });
        assert!(stale.to_string().contains("check the clock"), "{stale}");
        assert!(auth.check_timestamp(NOW + 301, NOW).is_err(), "future");
    }

    #[test]
    fn same_text_compares_whole_strings() {
        assert!(same_text("abc", "abc"));
        assert!(!same_text("abc", "abd"));
        assert!(!same_text("abc", "ab"));
    }
}
