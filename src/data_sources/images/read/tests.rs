use futures_util::future::join_all;
use tokio::sync::watch;

use std::sync::Arc;

use super::*;
use crate::data_sources::images::schema::schema;
use crate::data_sources::images::test_support::{FakeApi, config, image, strings};
use crate::diag::Severity;
use crate::qcloud::fake::CountingApi;
use crate::qcloud::{Api, ApiVersion, Image, SharedApi};
use crate::qcloud::{Error, ImageType};

const REGION: &str = "ap-guangzhou";

fn typed(image_type: i64, mut image: Image) -> Image {
    image.image_type = Some(image_type);
    image
}

fn catalog() -> Vec<Image> {
    vec![
        image("img-aaaaaaaa", "web-1", "CentOS 7.2 64bit", "2020-01-01 00:00:00"),
        image("img-bbbbbbbb", "web-2", "CentOS 7.2 64bit", "2021-06-01 12:00:00"),
        image("img-cccccccc", "db-1", "Ubuntu Server 14.04", "2021-06-01 12:00:00"),
        typed(4, image("img-dddddddd", "shared-1", "CentOS 7.2 64bit", "2022-01-01 00:00:00")),
        typed(3, image("img-eeeeeeee", "market-1", "CentOS 7.2 64bit", "2022-01-01 00:00:00")),
    ]
}

fn context<'a>(api: &'a dyn Api, region: &'a str) -> ReadContext<'a> {
    ReadContext { api, region, api_version: ApiVersion::V2, token_sent: false, home: None }
}

async fn read_with(api: &dyn Api, region: &str, pairs: &[(&str, Value)]) -> ReadOutcome {
    read(&config(pairs), &context(api, region), &CancellationToken::new()).await
}

/// The state a read encoded, decoded again; panics when the read failed.
fn decoded(state: Option<State>) -> Value {
    let Some(State::Msgpack(bytes)) = state else { panic!("a msgpack state: {state:?}") };
    crate::cty::decode_msgpack(&bytes, &schema().block.value_type()).expect("the state decodes")
}

fn ids(state: &Value) -> Vec<String> {
    let list = state.get_attr(attr::IDS).and_then(Value::as_elements).expect("ids");
    list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
}

fn located(diagnostics: &Diagnostics) -> Vec<(Severity, Option<String>)> {
    diagnostics
        .0
        .iter()
        .map(|d| (d.severity, d.attribute.as_ref().map(|p| p.to_string())))
        .collect()
}

#[tokio::test]
async fn reads_lists_filters_and_orders() {
    let fake = FakeApi::new(catalog());
    let result = read_with(
        &fake,
        REGION,
        &[(attr::IMAGE_TYPE, 2.to_string().into()), (attr::NAME_REGEX, "^web-".into())],
    )
    .await;
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
    let state = decoded(result.state);
    assert_eq!(ids(&state), ["img-bbbbbbbb", "img-aaaaaaaa"]);
    assert_eq!(state.get_attr(attr::TOTAL_COUNT), Some(&2.into()));
    assert!(state.is_wholly_known());
    assert_eq!(fake.calls(), 1);
    assert_eq!(fake.filters()[0].image_types, [ImageType::Public]);
}

#[tokio::test]
async fn twenty_concurrent_identical_reads_make_one_listing() {
    let (entered, gate) = watch::channel(0);
    let fake = Arc::new(FakeApi::new(catalog()).gated(gate, 20));
    let shared = CountingApi { inner: SharedApi::new(fake.clone()), entered };
    let context = context(&shared, REGION);
    let cancel = CancellationToken::new();
    let configs: Vec<Value> = (0..20)
        .map(|i| {
            // The same server-side query, spelled differently and filtered differently.
            let image_type = if i % 2 == 0 { "public" } else { "2" };
            config(&[
                (attr::IMAGE_TYPE, image_type.into()),
                (attr::MAX_RESULTS, (i % 3 + 1).into()),
            ])
        })
        .collect();
    let results = join_all(configs.iter().map(|c| read(c, &context, &cancel))).await;
    assert_eq!(fake.calls(), 1);
    for (i, result) in results.iter().enumerate() {
        let state = &decoded(result.state.clone());
        assert_eq!(ids(state).len(), i % 3 + 1);
        assert_eq!(state.get_attr(attr::TOTAL_COUNT), Some(&3.into()));
    }
}

#[tokio::test]
async fn marketplace_in_north_america_warns_and_lists_nothing_without_a_call() {
    for region in ["na-siliconvalley", "na-ashburn", "na-toronto"] {
        let fake = FakeApi::new(catalog());
        let result = read_with(&fake, region, &[(attr::IMAGE_TYPE, "marketplace".into())]).await;
        assert_eq!(fake.calls(), 0, "{region}");
        assert_eq!(located(&result.diagnostics), [(Severity::Warning, Some("image_type".into()))]);
        assert!(result.diagnostics.0[0].summary.contains(region));
        let state = decoded(result.state);
        assert_eq!(state.get_attr(attr::IMAGES), Some(&Value::List(Vec::new())));
        assert_eq!(state.get_attr(attr::TOTAL_COUNT), Some(&0.into()));
    }
    let fake = FakeApi::new(catalog());
    let result = read_with(&fake, "ap-singapore", &[(attr::IMAGE_TYPE, "3".into())]).await;
    assert_eq!((fake.calls(), result.diagnostics.is_empty()), (1, true));
    assert_eq!(ids(&decoded(result.state)), ["img-eeeeeeee"]);
}

#[tokio::test]
async fn marketplace_in_north_america_with_most_recent_fails_without_a_call() {
    let fake = FakeApi::new(catalog());
    let pairs = [
        (attr::IMAGE_TYPE, "marketplace".into()),
        (attr::IMAGE_IDS, strings(&["img-eeeeeeee"])),
        (attr::MOST_RECENT, true.into()),
    ];
    let result = read_with(&fake, "na-ashburn", &pairs).await;
    assert_eq!(fake.calls(), 0);
    assert!(result.state.is_none());
    let error = result.diagnostics.0.last().expect("error");
    assert_eq!(error.severity, Severity::Error);
    assert!(error.detail.contains("No API call was made"), "{}", error.detail);
}

#[tokio::test]
async fn most_recent_over_images_others_publish_warns_unless_ids_are_pinned() {
    let cases: Vec<(&str, Option<&str>, bool)> = vec![
        ("shared", None, true),
        ("marketplace", None, true),
        ("shared", Some("img-dddddddd"), false),
        ("public", None, false),
        ("private", None, false),
    ];
    for (image_type, pinned, warns) in cases {
        let fake = FakeApi::new(catalog());
        let mut pairs =
            vec![(attr::IMAGE_TYPE, image_type.into()), (attr::MOST_RECENT, true.into())];
        if let Some(id) = pinned {
            pairs.push((attr::IMAGE_IDS, strings(&[id])));
        }
        let result = read_with(&fake, REGION, &pairs).await;
        let warnings: Vec<_> =
            result.diagnostics.0.iter().filter(|d| d.severity == Severity::Warning).collect();
        assert_eq!(warnings.len(), usize::from(warns), "{image_type} {pinned:?}");
        if let Some(warning) = warnings.first() {
            assert_eq!(warning.attribute, Some(AttributePath::attr(attr::MOST_RECENT)));
            assert!(warning.detail.contains("Pin image_ids"));
        }
        // Without most_recent there is nothing to warn about.
        let quiet = read_with(&fake, REGION, &pairs[..1]).await;
        assert!(quiet.diagnostics.is_empty());
    }
}

#[tokio::test]
async fn most_recent_fills_the_top_level_attributes_whatever_the_order() {
    let fake = FakeApi::new(catalog());
    let pairs = [
        (attr::IMAGE_TYPE, "public".into()),
        (attr::MOST_RECENT, true.into()),
        (attr::SORT_ASCENDING, true.into()),
        (attr::MAX_RESULTS, 1.into()),
    ];
    let state = decoded(read_with(&fake, REGION, &pairs).await.state);
    assert_eq!(ids(&state), ["img-aaaaaaaa"]);
    assert_eq!(state.get_attr(attr::IMAGE_ID), Some(&"img-bbbbbbbb".into()));
    assert_eq!(state.get_attr(attr::CREATE_TIME), Some(&"2021-06-01T12:00:00+08:00".into()));
}

#[tokio::test]
async fn most_recent_with_no_match_lists_the_criteria() {
    let fake = FakeApi::new(catalog());
    let pairs = [
        (attr::IMAGE_TYPE, "Public".into()),
        (attr::STATUS, "normal".into()),
        (attr::IMAGE_IDS, strings(&["img-bbbbbbbb", "img-aaaaaaaa"])),
        (attr::NAME_REGEX, "^windows".into()),
        (attr::OS_NAME, "Windows".into()),
        (attr::MOST_RECENT, true.into()),
    ];
    let result = read_with(&fake, REGION, &pairs).await;
    assert!(result.state.is_none());
    assert_eq!(located(&result.diagnostics), [(Severity::Error, None)]);
    let detail = &result.diagnostics.0[0].detail;
    let expected = [
        "region:     ap-guangzhou",
        "image_type: public (2)",
        "status:     normal (2)",
        "image_ids:  img-aaaaaaaa, img-bbbbbbbb",
        "name_regex: \"^windows\"",
        "os_name:    \"Windows\"",
        "The API returned 2 image(s) before name_regex and os_name were applied.",
    ];
    for text in expected {
        assert!(detail.contains(text), "{text:?} missing from:\n{detail}");
    }
    let unfiltered = read_with(
        &fake,
        REGION,
        &[(attr::IMAGE_TYPE, "private".into()), (attr::MOST_RECENT, true.into())],
    )
    .await;
    let detail = &unfiltered.diagnostics.0[0].detail;
    assert!(detail.contains("status:     any") && detail.contains("image_ids:  any"), "{detail}");
    assert!(detail.contains("name_regex: not set") && detail.contains("returned 0 image(s)"));
}

#[tokio::test]
async fn listing_errors_become_diagnostics() {
    let refused = Error::Api(crate::qcloud::ApiError {
        code: crate::qcloud::ApiCode::Numeric(4100),
        code_desc: None,
        message: "authentication failed".into(),
        request_id: None,
    });
    let cases = [
        (Error::Cancelled, "cancelled", vec![]),
        (
            Error::MissingCredentials,
            "credentials",
            vec!["secret_id", "secret_key", "QCLOUD_SECRET_ID", "QCLOUD_SECRET_KEY"],
        ),
        (
            refused,
            "Could not list images",
            vec!["code 4100: authentication failed", "Check secret_id", "ap-guangzhou"],
        ),
    ];
    for (error, summary, details) in cases {
        let fake = FakeApi::new(catalog()).failing_first(vec![error.clone()]);
        let result = read_with(&fake, REGION, &[(attr::IMAGE_TYPE, "public".into())]).await;
        assert!(result.state.is_none());
        assert_eq!(located(&result.diagnostics), [(Severity::Error, None)], "{error:?}");
        let diagnostic = &result.diagnostics.0[0];
        assert!(diagnostic.summary.contains(summary), "{:?}", diagnostic.summary);
        for text in details {
            assert!(diagnostic.detail.contains(text), "{text} missing: {}", diagnostic.detail);
        }
    }
}

#[tokio::test]
async fn a_cancelled_read_reports_cancelled() {
    let (_open, gate) = watch::channel(0);
    let fake = FakeApi::new(catalog()).gated(gate, 1);
    let context = context(&fake, REGION);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let result = read(&config(&[(attr::IMAGE_TYPE, "public".into())]), &context, &cancel).await;
    assert!(result.state.is_none());
    assert!(result.diagnostics.0[0].summary.to_lowercase().contains("cancelled"));
}

#[tokio::test]
async fn an_invalid_config_is_refused_before_any_listing() {
    let fake = FakeApi::new(catalog());
    let pairs = [
        (attr::IMAGE_TYPE, "public".into()),
        (attr::NAME_REGEX, "(".into()),
        (attr::IMAGE_IDS, strings(&["img-aaaaaaaa", "nope"])),
    ];
    let result = read_with(&fake, REGION, &pairs).await;
    assert_eq!(fake.calls(), 0);
    assert!(result.state.is_none());
    let paths: Vec<_> = located(&result.diagnostics).into_iter().map(|(_, p)| p).collect();
    assert_eq!(paths, [Some("image_ids[1]".into()), Some("name_regex".into())]);
}

#[tokio::test]
async fn id_depends_on_the_query_not_on_the_results() {
    let pairs = [(attr::IMAGE_TYPE, "public".into()), (attr::NAME_REGEX, "^web".into())];
    let many = FakeApi::new(catalog());
    let none = FakeApi::new(Vec::new());
    let id = |result: ReadOutcome| {
        result.state.map(|s| decoded(Some(s))).and_then(|s| s.get_attr(attr::ID).cloned())
    };
    let first = id(read_with(&many, REGION, &pairs).await);
    assert!(first.is_some());
    assert_eq!(first, id(read_with(&none, REGION, &pairs).await));
    assert_ne!(first, id(read_with(&many, "ap-shanghai", &pairs).await));
}

#[tokio::test]
async fn result_output_file_holds_the_images_of_the_state() {
    let home = tempfile::tempdir().expect("temp dir");
    let fake = FakeApi::new(catalog());
    let context = ReadContext { home: Some(home.path().into()), ..context(&fake, REGION) };
    let config = config(&[
        (attr::IMAGE_TYPE, "public".into()),
        (attr::MAX_RESULTS, 2.into()),
        (attr::RESULT_OUTPUT_FILE, "~/out/images.json".into()),
    ]);
    let result = read(&config, &context, &CancellationToken::new()).await;
    let state = decoded(result.state);
    let written = std::fs::read_to_string(home.path().join("out/images.json")).expect("file");
    let parsed: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    let ids: Vec<&str> =
        parsed.as_array().expect("array").iter().filter_map(|i| i["image_id"].as_str()).collect();
    assert_eq!(ids, self::ids(&state));
    assert_eq!(parsed[0]["create_time"], "2021-06-01T12:00:00+08:00");
}

#[tokio::test]
async fn unwritable_result_output_file_is_an_error_at_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").expect("write");
    let target = blocker.join("images.json");
    let fake = FakeApi::new(catalog());
    let pairs = [
        (attr::IMAGE_TYPE, "public".into()),
        (attr::RESULT_OUTPUT_FILE, target.to_string_lossy().into_owned().into()),
    ];
    let result = read_with(&fake, REGION, &pairs).await;
    assert!(result.state.is_none());
    assert_eq!(
        located(&result.diagnostics),
        [(Severity::Error, Some("result_output_file".into()))]
    );
    assert!(result.diagnostics.0[0].detail.contains("images.json"));
}
