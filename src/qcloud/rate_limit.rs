//! A client-side rate limit: requests are spaced at least `1 / requests_per_second` apart, in
//! the order they asked (burst of one). Waiting is a timer, never a busy loop, and a
//! cancellation ends it at once.
//!
//! Must not depend on the HTTP transport.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Error;

/// Hands out send times, one every `interval`, shared by every request of a client.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    /// The earliest time the next request may go.
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter allowing `requests_per_second` (positive and finite; anything else is treated
    /// as the slowest representable rate rather than a panic).
    pub fn new(requests_per_second: f64) -> Self {
        let interval = Duration::try_from_secs_f64(1.0 / requests_per_second)
            .unwrap_or(Duration::from_secs(3600));
        Self { interval, next: Mutex::new(None) }
    }

    /// The spacing between requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for this request's turn, or returns [`Error::Cancelled`] as soon as `cancel` fires.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<(), Error> {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let slot = self.reserve(Instant::now());
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            () = tokio::time::sleep_until(slot) => Ok(()),
        }
    }

    /// Books the first free slot at or after `now`.
    fn reserve(&self, now: Instant) -> Instant {
        // A poisoned lock only means another task panicked while holding an `Instant`; the
        // value is still a valid time, so keep using it.
        let mut next = self.next.lock().unwrap_or_else(|poison| poison.into_inner());
        let slot = next.map_or(now, |n| n.max(now));
        *next = Some(slot + self.interval);
        slot
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let limiter = RateLimiter::new(10.0);
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..4 {
            limiter.acquire(&cancel).await.expect("not cancelled");
            times.push(Instant::now() - start);
        }
        let ms: Vec<u128> = times.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 100, 200, 300]);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_share_one_schedule() {
        let limiter = Arc::new(RateLimiter::new(4.0));
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (limiter, cancel) = (limiter.clone(), cancel.clone());
                tokio::spawn(async move {
                    limiter.acquire(&cancel).await.expect("not cancelled");
                    (Instant::now() - start).as_millis()
                })
            })
            .collect();
        let mut ms = Vec::new();
        for task in tasks {
            ms.push(task.await.expect("task completes"));
        }
        ms.sort_unstable();
        assert_eq!(ms, [0, 250, 500, 750, 1000]);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_is_not_banked_as_a_burst() {
        let limiter = RateLimiter::new(2.0);
        let cancel = CancellationToken::new();
        limiter.acquire(&cancel).await.expect("not cancelled");
        tokio::time::sleep(Duration::from_secs(10)).await;
        let start = Instant::now();
        limiter.acquire(&cancel).await.expect("not cancelled");
        limiter.acquire(&cancel).await.expect("not cancelled");
        assert_eq!((Instant::now() - start).as_millis(), 500);
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_ends_the_wait_at_once() {
        let limiter = RateLimiter::new(0.01);
        let cancel = CancellationToken::new();
        limiter.acquire(&cancel).await.expect("first slot is immediate");
        let start = Instant::now();
        let canceller = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            canceller.cancel();
        });
        let result = limiter.acquire(&cancel).await;
        assert!(matches!(result, Err(Error::Cancelled)));
        assert_eq!((Instant::now() - start).as_millis(), 5);
        assert!(matches!(limiter.acquire(&cancel).await, Err(Error::Cancelled)));
    }

    #[test]
    fn odd_rates_do_not_panic() {
        assert_eq!(RateLimiter::new(0.0).interval(), Duration::from_secs(3600));
        assert_eq!(RateLimiter::new(f64::NAN).interval(), Duration::from_secs(3600));
        assert_eq!(RateLimiter::new(-1.0).interval(), Duration::from_secs(3600));
        assert_eq!(RateLimiter::new(1000.0).interval(), Duration::from_millis(1));
    }
}
