use futures_util::future::join_all;
use tokio::sync::watch;

use tokio_util::sync::CancellationToken;

use super::*;
use crate::qcloud::TransportFailure;
use crate::qcloud::fake::{CountingApi, FakeApi, image};
use crate::qcloud::images::ImageType;

fn public() -> ImageFilter {
    ImageFilter::of_type(ImageType::Public)
}

fn images() -> Vec<Image> {
    vec![image("img-aaaaaaaa", "a", "", ""), image("img-bbbbbbbb", "b", "", "")]
}

fn cancelled(answer: &Answer<Arc<Vec<Image>>>) -> bool {
    matches!(answer, Err(Error::Cancelled))
}

#[tokio::test]
async fn concurrent_identical_calls_share_one_listing() {
    let (entered, gate) = watch::channel(0);
    let fake = Arc::new(FakeApi::new(images()).gated(gate, 20));
    let shared = CountingApi { inner: SharedApi::new(fake.clone()), entered };
    let cancel = Budget::default();
    let filter = public();
    let results = join_all((0..20).map(|_| shared.describe_images(&filter, &cancel))).await;
    assert_eq!(fake.calls(), 1);
    let first = results[0].clone().expect("listed");
    assert_eq!(first.len(), 2);
    for result in results {
        assert!(Arc::ptr_eq(&result.expect("listed"), &first));
    }
}

#[tokio::test]
async fn a_later_identical_call_is_served_from_the_cache() {
    let fake = Arc::new(FakeApi::new(images()));
    let shared = SharedApi::new(fake.clone());
    let cancel = Budget::default();
    for _ in 0..3 {
        assert_eq!(shared.describe_images(&public(), &cancel).await.expect("listed").len(), 2);
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test]
async fn different_filters_are_listed_separately() {
    let fake = Arc::new(FakeApi::new(images()));
    let shared = SharedApi::new(fake.clone());
    let cancel = Budget::default();
    let other = ImageFilter { image_ids: vec!["img-aaaaaaaa".into()], ..public() };
    shared.describe_images(&public(), &cancel).await.expect("listed");
    assert_eq!(shared.describe_images(&other, &cancel).await.expect("listed").len(), 1);
    assert_eq!(fake.calls(), 2);
    assert_eq!(fake.filters(), [public(), other]);
}

#[tokio::test]
async fn a_failed_call_is_shared_by_its_waiters_then_retried_by_a_later_caller() {
    let (entered, gate) = watch::channel(0);
    let failure = Error::Transport {
        host: "h".into(),
        cause: "rate limited".into(),
        failure: TransportFailure::Other,
    };
    let fake = Arc::new(FakeApi::new(images()).failing_first(vec![failure]).gated(gate, 5));
    let shared = CountingApi { inner: SharedApi::new(fake.clone()), entered };
    let cancel = Budget::default();
    let filter = public();
    let results = join_all((0..5).map(|_| shared.describe_images(&filter, &cancel))).await;
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(Error::Transport { cause, .. }) if cause == "rate limited")),
        "{results:?}"
    );
    assert_eq!(fake.calls(), 1);
    assert_eq!(shared.describe_images(&filter, &cancel).await.expect("retried").len(), 2);
    assert_eq!(fake.calls(), 2);
}

#[tokio::test]
async fn a_cancelled_caller_returns_at_once_and_its_waiters_carry_on() {
    let (open, gate) = watch::channel(0);
    let fake = Arc::new(FakeApi::new(images()).gated(gate, 1));
    let shared = Arc::new(SharedApi::new(fake.clone()));
    let (first, second) = (CancellationToken::new(), CancellationToken::new());
    let budget = |token: &CancellationToken| Budget::cancel_only(token.clone());
    let spawn_read = |token: &CancellationToken| {
        let (shared, budget) = (shared.clone(), budget(token));
        tokio::spawn(async move { shared.describe_images(&public(), &budget).await })
    };
    let first_read = spawn_read(&first);
    fake.wait_for_calls(1).await;
    let second_read = spawn_read(&second);
    first.cancel();
    assert!(cancelled(&first_read.await.expect("joined")));
    open.send_replace(1);
    assert_eq!(second_read.await.expect("joined").expect("listed").len(), 2);
    assert_eq!(fake.calls(), 2, "the second caller lists again after the first was cancelled");
}

#[tokio::test]
async fn a_cancelled_token_ends_the_wait_even_when_the_call_hangs() {
    let (_open, gate) = watch::channel(0);
    let fake = Arc::new(FakeApi::new(images()).gated(gate, 1));
    let shared = SharedApi::new(fake);
    let cancel = Budget::default();
    cancel.cancel.cancel();
    assert!(cancelled(&shared.describe_images(&public(), &cancel).await));
}
