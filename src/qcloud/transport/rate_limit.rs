//! A client-side rate limit: requests are let through at least `1 / requests_per_second`
//! apart, in the order they asked (burst of one). The spacing is measured between the moments
//! requests are actually let through, so requests woken late (a busy runtime) still go one
//! interval apart rather than all at once. Waiting is a timer, never a busy loop, and a
//! cancellation ends it at once.
//!
//! Must not depend on the HTTP transport.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::qcloud::Error;

/// Lets requests through one every `interval`, shared by every request of a client.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    /// When the last request was let through. Waiters queue on the lock in arrival order
    /// (tokio's mutex is fair) and hold it while they wait for their turn.
    last: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter allowing `requests_per_second` (positive and finite; anything else is treated
    /// as the slowest representable rate rather than a panic).
    pub fn new(requests_per_second: f64) -> Self {
        let interval = Duration::try_from_secs_f64(1.0 / requests_per_second)
            .unwrap_or(Duration::from_secs(3600));
        Self { interval, last: Mutex::new(None) }
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
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(Error::Cancelled),
            () = self.turn() => Ok(()),
        }
    }

    /// Waits in line, then until one interval after the previous request was let through.
    async fn turn(&self) {
        let mut last = self.last.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until(previous + self.interval).await;
        }
        *last = Some(Instant::now());
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

    #[tokio::test(start_paused = true)]
    async fn regression_requests_woken_late_still_go_one_interval_apart() {
        let limiter = Arc::new(RateLimiter::new(10.0));
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (limiter, cancel) = (limiter.clone(), cancel.clone());
                tokio::spawn(async move {
                    limiter.acquire(&cancel).await.expect("not cancelled");
                    (Instant::now() - start).as_millis()
                })
            })
            .collect();
        tokio::task::yield_now().await;
        // The runtime stalls for 350 ms: every timer that fell due meanwhile fires at once.
        tokio::time::advance(Duration::from_millis(350)).await;
        let mut ms = Vec::new();
        for task in tasks {
            ms.push(task.await.expect("task completes"));
        }
        ms.sort_unstable();
        assert_eq!(ms, [0, 350, 450, 550], "no burst after the stall");
    }

    #[test]
    fn odd_rates_do_not_panic() {
        assert_eq!(RateLimiter::new(0.0).interval(), Duration::from_secs(3600));
        assert_eq!(RateLimiter::new(f64::NAN).interval(), Duration::from_secs(3600));
        assert_eq!(RateLimiter::new(-1.0).interval(), Duration::from_secs(3600));
        assert_eq!(RateLimiter::new(1000.0).interval(), Duration::from_millis(1));
    }
}
