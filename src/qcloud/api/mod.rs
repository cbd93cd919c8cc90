//! The actions the provider calls, as a trait: the client implements it, tests fake it, and
//! [`SharedApi`] wraps any implementation so that identical calls share one answer.
//!
//! Must not depend on Terraform types.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use tokio_util::sync::CancellationToken;

use super::Error;
use super::call::Budget;
use super::images::{Image, ImageFilter};

/// The Tencent Cloud actions the provider uses.
#[async_trait]
pub trait Api: Send + Sync + 'static {
    /// Every image matching `filter` (`DescribeImages`, every page); ends early with
    /// [`Error::Cancelled`] when the budget's token fires, and with
    /// [`Error::BudgetExhausted`] when its time runs out.
    async fn describe_images(
        &self,
        filter: &ImageFilter,
        budget: &Budget,
    ) -> Result<Arc<Vec<Image>>, Error>;

    /// The latest usable image of `family` (`DescribeImageFromFamily`), `None` when the family
    /// has none.
    async fn describe_image_from_family(
        &self,
        family: &str,
        budget: &Budget,
    ) -> Result<Option<Arc<Image>>, Error>;
}

/// An [`Api`] whose identical calls share one answer: concurrent callers wait for the same
/// call, and a success is kept for the life of this value (one configured provider, so one
/// region and one set of credentials). A failure is forgotten, so a later call tries again.
pub struct SharedApi {
    inner: Arc<dyn Api>,
    listings: SingleFlight<ImageFilter, Arc<Vec<Image>>>,
    families: SingleFlight<String, Option<Arc<Image>>>,
}

impl SharedApi {
    /// Shares the answers of `inner`.
    pub fn new(inner: Arc<dyn Api>) -> Self {
        Self { inner, listings: SingleFlight::default(), families: SingleFlight::default() }
    }
}

#[async_trait]
impl Api for SharedApi {
    async fn describe_images(
        &self,
        filter: &ImageFilter,
        budget: &Budget,
    ) -> Result<Arc<Vec<Image>>, Error> {
        let inner = Arc::clone(&self.inner);
        let owned = filter.clone();
        let start = move |budget: Budget| {
            let (inner, owned) = (Arc::clone(&inner), owned.clone());
            async move { inner.describe_images(&owned, &budget).await }.boxed()
        };
        self.listings.run(filter, budget, start).await
    }

    async fn describe_image_from_family(
        &self,
        family: &str,
        budget: &Budget,
    ) -> Result<Option<Arc<Image>>, Error> {
        let inner = Arc::clone(&self.inner);
        let owned = family.to_string();
        let start = move |budget: Budget| {
            let (inner, owned) = (Arc::clone(&inner), owned.clone());
            async move { inner.describe_image_from_family(&owned, &budget).await }.boxed()
        };
        self.families.run(&family.to_string(), budget, start).await
    }
}

type Answer<V> = Result<V, Error>;

/// Calls keyed by `K` whose answers `V` are shared.
struct SingleFlight<K, V: Clone> {
    calls: Mutex<Calls<K, V>>,
}

struct Calls<K, V: Clone> {
    next_generation: u64,
    by_key: HashMap<K, Entry<V>>,
}

#[derive(Clone)]
struct Entry<V: Clone> {
    /// Tells this call from a later one for the same key.
    generation: u64,
    call: Shared<BoxFuture<'static, Answer<V>>>,
    /// The cancellation token of the caller that started the call.
    driver: CancellationToken,
}

impl<K, V: Clone> Default for SingleFlight<K, V> {
    fn default() -> Self {
        Self { calls: Mutex::new(Calls { next_generation: 0, by_key: HashMap::new() }) }
    }
}

impl<K: Hash + Eq + Clone, V: Clone + Send + Sync + 'static> SingleFlight<K, V> {
    /// The answer for `key`: from the call in flight or done, or from a new call that `start`
    /// makes, driven by this caller's `budget`.
    async fn run(
        &self,
        key: &K,
        budget: &Budget,
        start: impl Fn(Budget) -> BoxFuture<'static, Answer<V>>,
    ) -> Answer<V> {
        let cancel = &budget.cancel;
        loop {
            let entry = self.entry(key, budget, &start);
            let answer = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                answer = entry.call.clone() => answer,
            };
            let Err(error) = answer else { return answer };
            self.forget(key, entry.generation);
            // Another caller started this call and was cancelled; this one was not, so it
            // starts its own. Each retry needs a different cancelled caller, so this ends.
            let others_cancelled = error.is_cancelled() && entry.driver.is_cancelled();
            if !others_cancelled || cancel.is_cancelled() {
                return Err(error);
            }
        }
    }

    fn entry(
        &self,
        key: &K,
        budget: &Budget,
        start: &impl Fn(Budget) -> BoxFuture<'static, Answer<V>>,
    ) -> Entry<V> {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = calls.by_key.get(key) {
            return entry.clone();
        }
        calls.next_generation += 1;
        let entry = Entry {
            generation: calls.next_generation,
            call: start(budget.clone()).shared(),
            driver: budget.cancel.clone(),
        };
        calls.by_key.insert(key.clone(), entry.clone());
        entry
    }

    /// Drops a failed call so the next caller starts a fresh one.
    fn forget(&self, key: &K, generation: u64) {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls.by_key.get(key).is_some_and(|entry| entry.generation == generation) {
            calls.by_key.remove(key);
        }
    }
}

#[cfg(test)]
mod tests;
