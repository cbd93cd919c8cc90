use futures_util::future::join_all;
use tokio::sync::watch;

use super::*;
use crate::data_sources::images::test_support::{CountingSource, FakeSource, image};
use crate::qcloud::ImageType;

fn public() -> ImageQuery {
    ImageQuery { image_type: ImageType::Public, image_ids: Vec::new(), status: None }
}

fn images() -> Vec<Image> {
    vec![image("img-aaaaaaaa", "a", "", ""), image("img-bbbbbbbb", "b", "", "")]
}

#[tokio::test]
async fn concurrent_identical_queries_share_one_listing() {
    let (entered, gate) = watch::channel(0);
    let fake = Arc::new(FakeSource::new(images()).gated(gate, 20));
    let shared = CountingSource { inner: SharedListings::new(fake.clone()), entered };
    let cancel = CancellationToken::new();
    let query = public();
    let results = join_all((0..20).map(|_| shared.list_images(&query, &cancel))).await;
    assert_eq!(fake.calls(), 1);
    let first = results[0].clone().expect("listed");
    assert_eq!(first.len(), 2);
    for result in results {
        assert!(Arc::ptr_eq(&result.expect("listed"), &first));
    }
}

#[tokio::test]
async fn a_later_identical_query_is_served_from_the_cache() {
    let fake = Arc::new(FakeSource::new(images()));
    let shared = SharedListings::new(fake.clone());
    let cancel = CancellationToken::new();
    for _ in 0..3 {
        assert_eq!(shared.list_images(&public(), &cancel).await.expect("listed").len(), 2);
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test]
async fn different_queries_are_listed_separately() {
    let fake = Arc::new(FakeSource::new(images()));
    let shared = SharedListings::new(fake.clone());
    let cancel = CancellationToken::new();
    let other = ImageQuery { image_ids: vec!["img-aaaaaaaa".into()], ..public() };
    shared.list_images(&public(), &cancel).await.expect("listed");
    assert_eq!(shared.list_images(&other, &cancel).await.expect("listed").len(), 1);
    assert_eq!(fake.calls(), 2);
    assert_eq!(fake.queries(), [public(), other]);
}

#[tokio::test]
async fn a_failed_listing_is_shared_by_its_waiters_then_retried_by_a_later_read() {
    let (entered, gate) = watch::channel(0);
    let failure = ListingError::Api("rate limited".into());
    let fake =
        Arc::new(FakeSource::new(images()).failing_first(vec![failure.clone()]).gated(gate, 5));
    let shared = CountingSource { inner: SharedListings::new(fake.clone()), entered };
    let cancel = CancellationToken::new();
    let query = public();
    let results = join_all((0..5).map(|_| shared.list_images(&query, &cancel))).await;
    assert!(results.iter().all(|r| r == &Err(failure.clone())), "{results:?}");
    assert_eq!(fake.calls(), 1);
    assert_eq!(shared.list_images(&query, &cancel).await.expect("retried").len(), 2);
    assert_eq!(fake.calls(), 2);
}

#[tokio::test]
async fn a_cancelled_read_returns_at_once_and_its_waiters_carry_on() {
    let (open, gate) = watch::channel(0);
    let fake = Arc::new(FakeSource::new(images()).gated(gate, 1));
    let shared = Arc::new(SharedListings::new(fake.clone()));
    let (first, second) = (CancellationToken::new(), CancellationToken::new());
    let spawn_read = |token: &CancellationToken| {
        let (shared, token) = (shared.clone(), token.clone());
        tokio::spawn(async move { shared.list_images(&public(), &token).await })
    };
    let first_read = spawn_read(&first);
    fake.wait_for_calls(1).await;
    let second_read = spawn_read(&second);
    first.cancel();
    assert_eq!(first_read.await.expect("joined"), Err(ListingError::Cancelled));
    open.send_replace(1);
    assert_eq!(second_read.await.expect("joined").expect("listed").len(), 2);
    assert_eq!(fake.calls(), 2, "the second read lists again after the first was cancelled");
}

#[tokio::test]
async fn a_cancelled_token_ends_the_wait_even_when_the_listing_hangs() {
    let (_open, gate) = watch::channel(0);
    let fake = Arc::new(FakeSource::new(images()).gated(gate, 1));
    let shared = SharedListings::new(fake);
    let cancel = CancellationToken::new();
    cancel.cancel();
    assert_eq!(shared.list_images(&public(), &cancel).await, Err(ListingError::Cancelled));
}
