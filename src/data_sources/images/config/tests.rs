use super::*;
use crate::cty::PathStep;
use crate::data_sources::images::config::values::regex_error_text;
use crate::data_sources::images::test_support::{config, strings};
use crate::diag::Severity;

fn public(pairs: &[(&str, Value)]) -> Value {
    let mut all = vec![(attr::IMAGE_TYPE, Value::from("public"))];
    all.extend(pairs.iter().cloned());
    config(&all)
}

fn paths(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics.0.iter().map(|d| d.attribute.clone().unwrap_or_default().to_string()).collect()
}

#[test]
fn accepted_spellings_validate_cleanly() {
    let cases: Vec<(&str, &str)> = vec![
        (attr::IMAGE_TYPE, "private"),
        (attr::IMAGE_TYPE, "Public"),
        (attr::IMAGE_TYPE, "MARKETPLACE"),
        (attr::IMAGE_TYPE, "shared"),
        (attr::IMAGE_TYPE, "1"),
        (attr::IMAGE_TYPE, "2"),
        (attr::IMAGE_TYPE, "3"),
        (attr::IMAGE_TYPE, "4"),
        (attr::STATUS, "creating"),
        (attr::STATUS, "Normal"),
        (attr::STATUS, "IN_USE"),
        (attr::STATUS, "syncing"),
        (attr::STATUS, "Copying"),
        (attr::STATUS, "0"),
        (attr::STATUS, "1"),
        (attr::STATUS, "5"),
        (attr::NAME_REGEX, "^CentOS 7\\.[0-9]+"),
        (attr::OS_NAME, "centos"),
        (attr::RESULT_OUTPUT_FILE, "out/images.json"),
    ];
    for (name, text) in cases {
        let diagnostics = validate(&public(&[(name, Value::from(text))]));
        assert!(diagnostics.is_empty(), "{name} = {text:?}: {diagnostics:?}");
    }
}

#[test]
fn each_problem_is_reported_at_its_attribute_path() {
    let ids = strings(&["img-31tjrtph", "IMG-31TJRTPH", "img-1234567", "img-123456789", "ins-abc"]);
    let cases: Vec<(&str, Value, Vec<&str>, &str)> = vec![
        (attr::IMAGE_TYPE, "publik".into(), vec!["image_type"], "private, public, marketplace"),
        (attr::IMAGE_TYPE, "5".into(), vec!["image_type"], "codes 1 to 4"),
        (attr::IMAGE_TYPE, "".into(), vec!["image_type"], "is not an image type"),
        (attr::STATUS, "in-use".into(), vec!["status"], "creating, normal, in_use"),
        (attr::STATUS, "6".into(), vec!["status"], "codes 1 to 5"),
        (
            attr::IMAGE_IDS,
            ids,
            vec!["image_ids[1]", "image_ids[2]", "image_ids[3]", "image_ids[4]"],
            "8 lower-case letters or digits",
        ),
        (attr::NAME_REGEX, "(centos".into(), vec!["name_regex"], "unclosed group"),
        (attr::NAME_REGEX, "[z-a]".into(), vec!["name_regex"], "invalid character class range"),
        (attr::MAX_RESULTS, 0.into(), vec!["max_results"], "at least 1, got 0"),
        (attr::MAX_RESULTS, (-3).into(), vec!["max_results"], "got -3"),
        (attr::MAX_RESULTS, Value::Number(Number::Float(2.5)), vec!["max_results"], "whole"),
        (
            attr::MAX_RESULTS,
            Value::Number(Number::Decimal("1e400".into())),
            vec!["max_results"],
            "1e400",
        ),
        (attr::OS_NAME, "".into(), vec!["os_name"], "Remove it to match every OS"),
        (attr::NAME_REGEX, "".into(), vec!["name_regex"], "Remove it to match every name"),
        (attr::IMAGE_IDS, strings(&[]), vec!["image_ids"], "Remove it (or set it to null)"),
        (attr::IMAGE_TYPES, strings(&[]), vec!["image_types"], "an empty list"),
        (attr::TAGS, Value::Map(Default::default()), vec!["tags"], "an empty map"),
        (
            attr::IMAGE_TYPES,
            strings(&["public", "publik"]),
            vec!["image_types[1]"],
            "not an image type",
        ),
        (attr::PLATFORM, " ".into(), vec!["platform"], "such as \"Ubuntu\""),
        (attr::INSTANCE_TYPE, "".into(), vec!["instance_type"], "such as \"S5.MEDIUM4\""),
        (attr::OS_NAME, "   ".into(), vec!["os_name"], "os_name is empty"),
        (attr::RESULT_OUTPUT_FILE, "".into(), vec!["result_output_file"], "give a file path"),
        (attr::IMAGE_TYPE, 2.into(), vec!["image_type"], "must be a string"),
        (attr::MOST_RECENT, "yes".into(), vec!["most_recent"], "true or false"),
    ];
    for (name, value, want_paths, want_text) in cases {
        let config = if name == attr::IMAGE_TYPE || name == attr::IMAGE_TYPES {
            config(&[(name, value.clone())])
        } else {
            public(&[(name, value.clone())])
        };
        let diagnostics = validate(&config);
        assert_eq!(paths(&diagnostics), want_paths, "{name} = {value:?}");
        for diagnostic in &diagnostics.0 {
            assert_eq!(diagnostic.severity, Severity::Error);
            assert!(diagnostic.detail.contains(want_text), "{name}: {:?}", diagnostic.detail);
        }
        // The read runs the same checks and refuses the same configs.
        if !want_paths.is_empty() {
            let read = Lookup::from_config(&config).expect_err("read refuses it");
            assert_eq!(paths(&read), want_paths, "{name} = {value:?} at read");
        }
    }
}

#[test]
fn regex_error_carries_the_regex_crate_text() {
    // Built at run time so the invalid pattern is not a compile-time lint.
    let pattern = ["a{2", ",1}"].concat();
    let expected = Regex::new(&pattern).expect_err("invalid repetition").to_string();
    let diagnostics = validate(&public(&[(attr::NAME_REGEX, pattern.as_str().into())]));
    assert!(diagnostics.0[0].detail.contains(&expected), "{:?}", diagnostics.0[0].detail);
}

#[test]
fn null_element_of_image_ids_is_reported_at_its_index() {
    let ids = Value::List(vec!["img-31tjrtph".into(), Value::Null]);
    let diagnostics = validate(&public(&[(attr::IMAGE_IDS, ids)]));
    assert_eq!(paths(&diagnostics), ["image_ids[1]"]);
}

#[test]
fn unknown_values_pass_validation() {
    let names = [
        attr::IMAGE_TYPE,
        attr::IMAGE_IDS,
        attr::STATUS,
        attr::NAME_REGEX,
        attr::OS_NAME,
        attr::MOST_RECENT,
        attr::SORT_ASCENDING,
        attr::MAX_RESULTS,
        attr::RESULT_OUTPUT_FILE,
    ];
    for name in names {
        let diagnostics = validate(&public(&[(name, Value::Unknown)]));
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:?}");
    }
    let everything_unknown = config(&names.map(|name| (name, Value::Unknown)));
    assert!(validate(&everything_unknown).is_empty());
}

#[test]
fn unknown_list_element_is_skipped_but_its_neighbours_are_checked() {
    let ids = Value::List(vec![Value::Unknown, "img-31tjrtph".into(), "bogus".into()]);
    let diagnostics = validate(&public(&[(attr::IMAGE_IDS, ids)]));
    assert_eq!(paths(&diagnostics), ["image_ids[2]"]);
}

#[test]
fn read_refuses_unknown_values_at_their_path() {
    let ids = Value::List(vec![Value::Unknown]);
    let cases = [
        (attr::NAME_REGEX, Value::Unknown),
        (attr::IMAGE_IDS, ids),
        (attr::MAX_RESULTS, Value::Unknown),
    ];
    for (name, value) in cases {
        let diagnostics = Lookup::from_config(&public(&[(name, value)])).unwrap_err();
        assert_eq!(paths(&diagnostics), [name]);
        assert!(diagnostics.0[0].summary.contains("not known"));
    }
    let diagnostics =
        Lookup::from_config(&config(&[(attr::IMAGE_TYPE, Value::Unknown)])).unwrap_err();
    assert_eq!(paths(&diagnostics), ["image_type"]);
}

#[test]
fn read_requires_image_type() {
    let diagnostics = Lookup::from_config(&config(&[])).unwrap_err();
    assert_eq!(paths(&diagnostics), ["image_type"]);
    assert!(diagnostics.0[0].detail.contains("required"));
}

#[test]
fn read_builds_the_normalized_query() {
    let config = config(&[
        (attr::IMAGE_TYPE, "Shared".into()),
        (attr::IMAGE_IDS, strings(&["img-bbbbbbbb", "img-aaaaaaaa", "img-bbbbbbbb"])),
        (attr::STATUS, "in_use".into()),
        (attr::NAME_REGEX, "^web-".into()),
        (attr::OS_NAME, "CentOS".into()),
        (attr::MOST_RECENT, true.into()),
        (attr::SORT_ASCENDING, true.into()),
        (attr::MAX_RESULTS, Value::Number(Number::Float(3.0))),
        (attr::RESULT_OUTPUT_FILE, "~/images.json".into()),
    ]);
    let query = Lookup::from_config(&config).expect("valid");
    assert_eq!(query.filter.image_types, [ImageType::Shared]);
    assert_eq!(query.filter.image_ids, ["img-aaaaaaaa", "img-bbbbbbbb"]);
    assert_eq!(query.filter.status, Some(ImageStatus::InUse));
    assert_eq!(query.name_regex.as_ref().map(Regex::as_str), Some("^web-"));
    assert_eq!(query.os_name.as_deref(), Some("CentOS"));
    assert!(query.most_recent && query.sort_ascending);
    assert_eq!(query.max_results, Some(3));
    assert_eq!(query.result_output_file.as_deref(), Some("~/images.json"));
    assert_eq!(
        query.filter,
        ImageFilter {
            image_ids: vec!["img-aaaaaaaa".into(), "img-bbbbbbbb".into()],
            status: Some(ImageStatus::InUse),
            ..ImageFilter::of_type(ImageType::Shared)
        }
    );
}

#[test]
fn defaults_when_optional_arguments_are_unset() {
    let query = Lookup::from_config(&public(&[(attr::STATUS, "0".into())])).expect("valid");
    assert_eq!(query.filter, ImageFilter::of_type(ImageType::Public));
    assert!(query.name_regex.is_none() && query.os_name.is_none());
    assert!(!query.most_recent && !query.sort_ascending);
    assert_eq!(query.max_results, None);
}

#[test]
fn image_id_shape() {
    let cases = [
        ("img-31tjrtph", true),
        ("img-00000000", true),
        ("img-31tjrtp", false),
        ("img-31tjrtphx", false),
        ("img-31TJRTPH", false),
        ("img-31tj-tph", false),
        ("IMG-31tjrtph", false),
        ("img-31tjrtpé", false),
        ("", false),
    ];
    for (text, valid) in cases {
        assert_eq!(is_image_id(text), valid, "{text:?}");
    }
}

#[test]
fn path_steps_index_into_the_list() {
    let diagnostics = validate(&public(&[(attr::IMAGE_IDS, strings(&["nope"]))]));
    let path = diagnostics.0[0].attribute.clone().expect("a path");
    assert_eq!(path.0, vec![PathStep::Attribute("image_ids".into()), PathStep::ElementKeyInt(0)]);
}

#[test]
fn regression_huge_values_are_quoted_briefly() {
    const HUGE: usize = 1024 * 1024;
    let huge = "x".repeat(HUGE);
    // Each case: the config, and text of the value the message still shows.
    let cases = [
        (public(&[(attr::STATUS, Value::from(huge.as_str()))]), "\"xxxx"),
        (config(&[(attr::IMAGE_TYPE, Value::from(huge.as_str()))]), "\"xxxx"),
        (public(&[(attr::IMAGE_IDS, strings(&[&format!("img-{huge}")]))]), "\"img-xxxx"),
        (public(&[(attr::NAME_REGEX, Value::from(format!("({huge}")))]), "unclosed group"),
    ];
    for (config, shown) in cases {
        let diagnostics = validate(&config);
        assert_eq!(diagnostics.0.len(), 1, "one error");
        let detail = &diagnostics.0[0].detail;
        assert!(detail.len() < 1_200, "{} bytes: {}…", detail.len(), &detail[..200]);
        assert!(detail.contains(shown), "{shown:?} is not in: {detail}");
    }
}

#[test]
fn a_short_regex_error_is_shown_whole_and_a_huge_one_keeps_its_reason() {
    // Built at run time so the invalid pattern is not a compile-time lint.
    let short = regex_error_text(&Regex::new(&["(", "ab"].concat()).unwrap_err());
    assert!(short.contains("(ab") && short.contains("unclosed group"), "{short}");
    let long = regex_error_text(&Regex::new(&format!("({}", "a".repeat(5_000))).unwrap_err());
    assert!(long.contains("unclosed group") && long.len() < 300, "{long}");
}
