use std::collections::BTreeMap;

use super::*;
use crate::cty::Value;
use crate::data_sources::images::test_support::{config, strings};

fn lookup(pairs: &[(&str, Value)]) -> Lookup {
    Lookup::from_config(&config(pairs)).expect("a valid config")
}

fn paths(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics.0.iter().map(|d| d.attribute.clone().unwrap_or_default().to_string()).collect()
}

#[test]
fn api_2_0_refuses_each_3_0_filter_at_its_argument() {
    let tags = Value::Map(BTreeMap::from([("team".to_string(), Value::from("web"))]));
    let lookup = lookup(&[
        (attr::IMAGE_TYPE, "private".into()),
        (attr::INSTANCE_TYPE, "S5.MEDIUM4".into()),
        (attr::PLATFORM, "Ubuntu".into()),
        (attr::TAGS, tags),
        (attr::INCLUDE_DEPRECATED, true.into()),
    ]);
    let errors = plan(&lookup, "ap-guangzhou", ApiVersion::V2).expect_err("2.0 cannot");
    assert_eq!(paths(&errors), ["instance_type", "platform", "tags"]);
    for error in &errors.0 {
        assert!(error.summary.contains("needs api_version = \"3.0\""), "{}", error.summary);
        assert!(error.detail.contains("QCLOUD_API_VERSION=3.0"), "{}", error.detail);
    }
    let plan = plan(&lookup, "ap-guangzhou", ApiVersion::V3).expect("3.0 can");
    assert_eq!(plan.listings.len(), 1);
    assert_eq!(plan.listings[0].platform.as_deref(), Some("Ubuntu"));
}

#[test]
fn include_deprecated_alone_is_fine_under_2_0() {
    let lookup =
        lookup(&[(attr::IMAGE_TYPE, "public".into()), (attr::INCLUDE_DEPRECATED, true.into())]);
    assert!(plan(&lookup, "ap-guangzhou", ApiVersion::V2).is_ok());
}

#[test]
fn ids_without_a_type_need_api_3_0() {
    let lookup = lookup(&[(attr::IMAGE_IDS, strings(&["img-aaaaaaaa"]))]);
    let errors = plan(&lookup, "ap-guangzhou", ApiVersion::V2).expect_err("2.0 needs a type");
    assert_eq!(paths(&errors), ["image_type"]);
    assert!(errors.0[0].detail.contains("api_version = \"3.0\""), "{}", errors.0[0].detail);
    let plan = plan(&lookup, "ap-guangzhou", ApiVersion::V3).expect("3.0 finds ids");
    assert_eq!(plan.listings.len(), 1);
    assert!(plan.listings[0].image_types.is_empty());
}

#[test]
fn several_types_make_one_listing_per_type_under_2_0() {
    let lookup = lookup(&[(attr::IMAGE_TYPES, strings(&["shared", "private", "4", "1"]))]);
    let v2 = plan(&lookup, "ap-guangzhou", ApiVersion::V2).expect("ok");
    let types: Vec<Vec<ImageType>> = v2.listings.iter().map(|f| f.image_types.clone()).collect();
    assert_eq!(types, [vec![ImageType::Private], vec![ImageType::Shared]]);
    let v3 = plan(&lookup, "ap-guangzhou", ApiVersion::V3).expect("ok");
    assert_eq!(v3.listings.len(), 1);
    assert_eq!(v3.listings[0].image_types, [ImageType::Private, ImageType::Shared]);
}

#[test]
fn marketplace_is_dropped_per_type_in_north_america() {
    let both = lookup(&[(attr::IMAGE_TYPES, strings(&["marketplace", "public"]))]);
    let plan_na = plan(&both, "na-ashburn", ApiVersion::V2).expect("ok");
    assert_eq!(plan_na.listings.len(), 1);
    assert_eq!(plan_na.listings[0].image_types, [ImageType::Public]);
    assert_eq!(paths(&plan_na.warnings), ["image_types"]);
    assert!(plan_na.marketplace_skipped);
    let only = lookup(&[(attr::IMAGE_TYPE, "marketplace".into())]);
    let plan_only = plan(&only, "na-toronto", ApiVersion::V3).expect("ok");
    assert!(plan_only.listings.is_empty(), "no API call");
    assert_eq!(paths(&plan_only.warnings), ["image_type"]);
    let elsewhere = plan(&both, "ap-singapore", ApiVersion::V2).expect("ok");
    assert!(elsewhere.warnings.is_empty() && elsewhere.listings.len() == 2);
}

#[test]
fn most_recent_over_published_types_warns_per_type_unless_ids_are_pinned() {
    let cases: Vec<(Vec<&str>, bool, bool)> = vec![
        (vec!["private", "shared"], false, true),
        (vec!["private", "public"], false, false),
        (vec!["marketplace"], false, true),
        (vec!["shared"], true, false),
    ];
    for (types, pinned, warns) in cases {
        let mut pairs =
            vec![(attr::IMAGE_TYPES, strings(&types)), (attr::MOST_RECENT, true.into())];
        if pinned {
            pairs.push((attr::IMAGE_IDS, strings(&["img-aaaaaaaa"])));
        }
        let plan = plan(&lookup(&pairs), "ap-guangzhou", ApiVersion::V2).expect("ok");
        assert_eq!(!plan.warnings.is_empty(), warns, "{types:?} pinned {pinned}");
        if warns {
            assert_eq!(paths(&plan.warnings), ["most_recent"]);
        }
    }
}
