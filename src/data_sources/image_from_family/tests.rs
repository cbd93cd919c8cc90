use std::sync::Arc;

use super::*;
use crate::diag::Severity;
use crate::qcloud::fake::{FakeApi, image};
use crate::qcloud::images::ImageDetails;
use crate::qcloud::{Api, Image};

fn family_image(id: &str, family: &str, time: &str, deprecated: bool) -> Image {
    let details = ImageDetails {
        image_family: Some(family.into()),
        image_deprecated: Some(deprecated),
        ..ImageDetails::default()
    };
    Image { details: Some(Box::new(details)), ..image(id, "web", "Ubuntu", time) }
}

fn config(family: Value) -> Value {
    Value::object([
        (attr::IMAGE_FAMILY, family),
        (attr::IMAGE_ID, Value::Null),
        (attr::IMAGE, Value::Null),
        (timeouts::TIMEOUTS, Value::Null),
    ])
}

async fn read(api: &dyn Api, version: ApiVersion, family: &str) -> ReadOutcome {
    let context = ReadContext {
        api,
        region: "ap-guangzhou",
        api_version: version,
        token_sent: false,
        home: None,
    };
    ImageFromFamily.read(&config(family.into()), &context, &CancellationToken::new()).await
}

fn fake() -> Arc<FakeApi> {
    Arc::new(FakeApi::new(vec![
        family_image("img-aaaaaaaa", "web", "2024-01-01 00:00:00", false),
        family_image("img-bbbbbbbb", "web", "2024-02-01 00:00:00", false),
        family_image("img-cccccccc", "web", "2024-03-01 00:00:00", true),
        family_image("img-dddddddd", "db", "2024-04-01 00:00:00", false),
    ]))
}

#[tokio::test]
async fn the_latest_usable_image_of_the_family_is_read() {
    let outcome = read(&*fake(), ApiVersion::V3, "web").await;
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let Some(State::Value(state)) = outcome.state else { panic!("a state") };
    assert_eq!(state.get_attr(attr::IMAGE_ID), Some(&"img-bbbbbbbb".into()));
    let image = state.get_attr(attr::IMAGE).expect("the image");
    assert_eq!(image.get_attr("image_family"), Some(&"web".into()));
    assert_eq!(image.get_attr("image_deprecated"), Some(&Value::Bool(false)));
    let encoded = crate::cty::encode_msgpack(&state, &schema().block.value_type());
    assert!(encoded.is_ok(), "the state fits the schema: {encoded:?}");
}

#[tokio::test]
async fn a_family_without_a_usable_image_names_the_family_and_the_region() {
    let outcome = read(&*fake(), ApiVersion::V3, "cache").await;
    assert!(outcome.state.is_none());
    let error = &outcome.diagnostics.0[0];
    assert_eq!(error.severity, Severity::Error);
    assert!(error.detail.contains("\"cache\"") && error.detail.contains("ap-guangzhou"));
    assert_eq!(error.attribute, Some(AttributePath::attr(attr::IMAGE_FAMILY)));
}

#[tokio::test]
async fn api_2_0_is_refused_without_a_call() {
    let fake = fake();
    let outcome = read(&*fake, ApiVersion::V2, "web").await;
    assert!(outcome.state.is_none());
    assert!(outcome.diagnostics.0[0].detail.contains("api_version = \"3.0\""));
    assert_eq!(fake.calls(), 0);
}

#[test]
fn validation_refuses_an_empty_family_and_skips_an_unknown_one() {
    let empty = ImageFromFamily.validate(&config(" ".into()));
    assert_eq!(empty.0[0].attribute, Some(AttributePath::attr(attr::IMAGE_FAMILY)));
    assert!(ImageFromFamily.validate(&config(Value::Unknown)).is_empty());
    assert!(ImageFromFamily.validate(&config("web".into())).is_empty());
}
