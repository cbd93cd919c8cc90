use std::collections::HashMap;

use super::*;
use crate::qcloud::settings::parse_endpoint;

const DEFAULT_ENDPOINT: &str = "https://image.api.qcloud.com/v2/index.php";

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> =
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn resolve_ok(raw: RawSettings, env: &[(&str, &str)]) -> Settings {
    match resolve(raw, env_of(env)) {
        Ok(settings) => settings,
        Err(errors) => panic!("expected valid settings, got {errors:?}"),
    }
}

fn resolve_err(raw: RawSettings, env: &[(&str, &str)]) -> Vec<SettingError> {
    match resolve(raw, env_of(env)) {
        Ok(settings) => panic!("expected errors, got {settings:?}"),
        Err(errors) => errors,
    }
}

fn creds(settings: &Settings) -> (&str, &str, Option<&str>) {
    let c = settings.credentials().expect("credentials were resolved");
    (&c.secret_id, &c.secret_key, c.security_token.as_deref())
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let s = resolve(RawSettings::default(), no_env).expect("defaults are valid");
    assert!(s.credentials().is_none());
    assert_eq!(s.region(), "ap-guangzhou");
    assert_eq!(s.endpoint().as_str(), "https://image.api.qcloud.com/v2/index.php");
    assert_eq!(s.signature_method(), SignatureMethod::HmacSha256);
    assert_eq!(s.max_retries(), 5);
    assert_eq!(s.request_timeout(), Duration::from_secs(30));
    assert_eq!(s.requests_per_second(), 10.0);
    assert_eq!(s.page_concurrency(), 4);
}

const ALL_ENV: &[(&str, &str)] = &[
    ("QCLOUD_SECRET_ID", "q-id"),
    ("QCLOUD_SECRET_KEY", "q-key"),
    ("QCLOUD_SECURITY_TOKEN", "q-token"),
    ("QCLOUD_REGION", "ap-shanghai"),
    ("QCLOUD_ENDPOINT", "https://q.example.com/v2/index.php"),
    ("TENCENTCLOUD_SECRET_ID", "t-id"),
    ("TENCENTCLOUD_SECRET_KEY", "t-key"),
    ("TENCENTCLOUD_SECURITY_TOKEN", "t-token"),
    ("TENCENTCLOUD_REGION", "ap-beijing"),
];

#[test]
fn block_beats_qcloud_env_beats_tencentcloud_env() {
    let block = RawSettings {
        secret_id: Some("b-id".into()),
        secret_key: Some("b-key".into()),
        security_token: Some("b-token".into()),
        region: Some("eu-frankfurt".into()),
        endpoint: Some("https://b.example.com/v2/index.php".into()),
        ..RawSettings::default()
    };
    let s = resolve_ok(block, ALL_ENV);
    assert_eq!(creds(&s), ("b-id", "b-key", Some("b-token")));
    assert_eq!(s.region(), "eu-frankfurt");
    assert_eq!(s.endpoint().as_str(), "https://b.example.com/v2/index.php");

    let s = resolve_ok(RawSettings::default(), ALL_ENV);
    assert_eq!(creds(&s), ("q-id", "q-key", Some("q-token")));
    assert_eq!(s.region(), "ap-shanghai");
    assert_eq!(s.endpoint().as_str(), "https://q.example.com/v2/index.php");

    let tencent_only: Vec<_> =
        ALL_ENV.iter().copied().filter(|(k, _)| k.starts_with("TENCENTCLOUD_")).collect();
    let s = resolve_ok(RawSettings::default(), &tencent_only);
    assert_eq!(creds(&s), ("t-id", "t-key", Some("t-token")));
    assert_eq!(s.region(), "ap-beijing");
    assert_eq!(s.endpoint().as_str(), DEFAULT_ENDPOINT, "there is no TENCENTCLOUD_ENDPOINT");
}

#[test]
fn empty_variables_and_empty_block_credentials_count_as_unset() {
    let raw = RawSettings {
        secret_id: Some(String::new()),
        secret_key: Some("  ".into()),
        ..RawSettings::default()
    };
    let env = [
        ("QCLOUD_SECRET_ID", ""),
        ("QCLOUD_SECRET_KEY", ""),
        ("QCLOUD_REGION", ""),
        ("TENCENTCLOUD_SECRET_ID", "t-id"),
        ("TENCENTCLOUD_SECRET_KEY", "t-key"),
    ];
    let s = resolve_ok(raw, &env);
    assert_eq!(creds(&s), ("t-id", "t-key", None));
    assert_eq!(s.region(), DEFAULT_REGION);
}

#[test]
fn token_is_optional_and_ignored_without_keys() {
    let s = resolve_ok(
        RawSettings::default(),
        &[("QCLOUD_SECRET_ID", "id"), ("QCLOUD_SECRET_KEY", "key")],
    );
    assert_eq!(creds(&s), ("id", "key", None));
    let s = resolve_ok(RawSettings::default(), &[("QCLOUD_SECURITY_TOKEN", "tok")]);
    assert!(s.credentials().is_none());
}

#[test]
fn half_a_credential_pair_is_an_error_naming_the_missing_half() {
    let errors = resolve_err(RawSettings::default(), &[("QCLOUD_SECRET_ID", "id")]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].setting, "secret_key");
    assert!(errors[0].message.contains("QCLOUD_SECRET_ID"), "{}", errors[0].message);
    assert!(errors[0].message.contains("TENCENTCLOUD_SECRET_KEY"), "{}", errors[0].message);

    let raw = RawSettings { secret_key: Some("key".into()), ..RawSettings::default() };
    let errors = resolve_err(raw, &[]);
    assert_eq!(errors[0].setting, "secret_id");
    assert!(errors[0].message.contains("provider block"), "{}", errors[0].message);
}

#[test]
fn credentials_with_whitespace_are_refused_without_quoting_them() {
    let raw = RawSettings {
        secret_id: Some("id".into()),
        secret_key: Some("sekrit-value\n".into()),
        security_token: Some("tok en".into()),
        ..RawSettings::default()
    };
    let errors = resolve_err(raw, &[]);
    let settings: Vec<_> = errors.iter().map(|e| e.setting).collect();
    assert_eq!(settings, ["secret_key", "security_token"]);
    for e in &errors {
        assert!(!e.message.contains("sekrit") && !e.message.contains("tok en"), "{e}");
    }
}

fn with(f: impl FnOnce(&mut RawSettings)) -> RawSettings {
    let mut raw = RawSettings::default();
    f(&mut raw);
    raw
}

#[test]
fn each_invalid_value_is_reported_under_its_own_setting() {
    let cases: Vec<(RawSettings, &str, &str)> = vec![
        (with(|r| r.region = Some(String::new())), "region", "empty"),
        (with(|r| r.region = Some("AP Guangzhou".into())), "region", "not a region name"),
        (with(|r| r.region = Some("ap-".into())), "region", "not a region name"),
        (with(|r| r.region = Some("ap--gz".into())), "region", "not a region name"),
        (with(|r| r.region = Some("1ap".into())), "region", "not a region name"),
        (with(|r| r.region = Some("a".repeat(65))), "region", "not a region name"),
        (with(|r| r.endpoint = Some("image.api.qcloud.com".into())), "endpoint", "not a valid URL"),
        (with(|r| r.endpoint = Some(String::new())), "endpoint", "not a valid URL"),
        (with(|r| r.endpoint = Some("ftp://x.example.com/".into())), "endpoint", "scheme"),
        (with(|r| r.endpoint = Some("http://x.example.com/v2".into())), "endpoint", "plain http"),
        (with(|r| r.endpoint = Some("https://u:p@x.example.com/".into())), "endpoint", "password"),
        (with(|r| r.endpoint = Some("https://x.example.com/?a=b".into())), "endpoint", "query"),
        (with(|r| r.endpoint = Some("https://x.example.com/#f".into())), "endpoint", "fragment"),
        (with(|r| r.signature_method = Some("md5".into())), "signature_method", "HmacSHA1"),
        (with(|r| r.max_retries = Some(-1)), "max_retries", "between 0 and 20"),
        (with(|r| r.max_retries = Some(21)), "max_retries", "got 21"),
        (with(|r| r.request_timeout = Some(0)), "request_timeout", "between 1 and 3600"),
        (with(|r| r.request_timeout = Some(3601)), "request_timeout", "seconds"),
        (with(|r| r.requests_per_second = Some(0.0)), "requests_per_second", "between"),
        (with(|r| r.requests_per_second = Some(-3.0)), "requests_per_second", "got -3"),
        (with(|r| r.requests_per_second = Some(f64::NAN)), "requests_per_second", "NaN"),
        (with(|r| r.requests_per_second = Some(f64::INFINITY)), "requests_per_second", "inf"),
        (with(|r| r.requests_per_second = Some(1e-300)), "requests_per_second", "between"),
        (with(|r| r.page_concurrency = Some(0)), "page_concurrency", "between 1 and 64"),
        (with(|r| r.page_concurrency = Some(65)), "page_concurrency", "got 65"),
    ];
    for (raw, setting, needle) in cases {
        let debug = format!("{raw:?}");
        let errors = resolve_err(raw, &[]);
        assert_eq!(errors.len(), 1, "{debug}: {errors:?}");
        assert_eq!(errors[0].setting, setting, "{debug}");
        assert!(errors[0].message.contains(needle), "{debug}: {}", errors[0].message);
    }
}

#[test]
fn environment_values_are_validated_and_their_origin_named() {
    let errors = resolve_err(
        RawSettings::default(),
        &[("TENCENTCLOUD_REGION", "Guangzhou"), ("QCLOUD_ENDPOINT", "not a url")],
    );
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].setting, "region");
    assert!(errors[0].message.contains("TENCENTCLOUD_REGION"), "{}", errors[0].message);
    assert_eq!(errors[1].setting, "endpoint");
    assert!(errors[1].message.contains("QCLOUD_ENDPOINT"), "{}", errors[1].message);
}

#[test]
fn every_error_is_reported_at_once() {
    let raw = RawSettings {
        region: Some("?".into()),
        max_retries: Some(99),
        page_concurrency: Some(0),
        ..RawSettings::default()
    };
    let settings: Vec<_> = resolve_err(raw, &[]).iter().map(|e| e.setting).collect();
    assert_eq!(settings, ["region", "max_retries", "page_concurrency"]);
}

#[test]
fn accepted_values_at_the_bounds() {
    let raw = RawSettings {
        region: Some("gz".into()),
        endpoint: Some("http://127.0.0.1:8080/v2/index.php".into()),
        signature_method: Some("hmacsha1".into()),
        max_retries: Some(0),
        request_timeout: Some(3600),
        requests_per_second: Some(0.5),
        page_concurrency: Some(64),
        ..RawSettings::default()
    };
    let s = resolve_ok(raw, &[]);
    assert_eq!(s.region(), "gz");
    assert_eq!(s.signature_method(), SignatureMethod::HmacSha1);
    assert_eq!(s.max_retries(), 0);
    assert_eq!(s.request_timeout(), Duration::from_secs(3600));
    assert_eq!(s.requests_per_second(), 0.5);
    assert_eq!(s.page_concurrency(), 64);
    for region in ["ap-shanghai-fsi", "na-siliconvalley", "ap-guangzhou"] {
        let s = resolve_ok(with(|r| r.region = Some(region.into())), &[]);
        assert_eq!(s.region(), region);
    }
    let method = with(|r| r.signature_method = Some("HMACSHA256".into()));
    assert_eq!(resolve_ok(method, &[]).signature_method(), SignatureMethod::HmacSha256);
}

#[test]
fn plain_http_is_allowed_only_for_loopback_hosts() {
    for ok in ["http://127.0.0.1:1/v2/index.php", "http://[::1]:8/x", "http://localhost/x"] {
        assert!(parse_endpoint(ok).is_ok(), "{ok}");
    }
    for bad in ["http://10.0.0.1/x", "http://image.api.qcloud.com/v2/index.php"] {
        assert!(parse_endpoint(bad).is_err(), "{bad}");
    }
    assert!(parse_endpoint("https://image.api.qcloud.com:8443/v2/index.php").is_ok());
}

#[test]
fn debug_output_never_shows_secrets() {
    let raw = RawSettings {
        secret_id: Some("AKIDvisible".into()),
        secret_key: Some("SECRETKEY123".into()),
        security_token: Some("TOKEN456".into()),
        ..RawSettings::default()
    };
    let raw_debug = format!("{raw:?}");
    let settings = resolve_ok(raw, &[]);
    let creds_debug = format!("{:?}", settings.credentials());
    let settings_debug = format!("{settings:?} {settings:#?}");
    for text in [&raw_debug, &creds_debug, &settings_debug] {
        assert!(!text.contains("SECRETKEY123"), "{text}");
        assert!(!text.contains("TOKEN456"), "{text}");
        assert!(text.contains("AKIDvisible"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}

#[test]
fn setting_error_display_names_the_setting() {
    let e = SettingError::new("max_retries", "must be small");
    assert_eq!(e.to_string(), "max_retries: must be small");
}

#[test]
fn api_version_defaults_to_2_0_and_picks_the_default_endpoint() {
    use crate::qcloud::ApiVersion;
    type Case =
        (Option<&'static str>, &'static [(&'static str, &'static str)], ApiVersion, &'static str);
    let cases: Vec<Case> = vec![
        (None, &[], ApiVersion::V2, "https://image.api.qcloud.com/v2/index.php"),
        (Some("3.0"), &[], ApiVersion::V3, "https://cvm.tencentcloudapi.com/"),
        (
            None,
            &[("QCLOUD_API_VERSION", "3.0")],
            ApiVersion::V3,
            "https://cvm.tencentcloudapi.com/",
        ),
        (
            Some("2.0"),
            &[("QCLOUD_API_VERSION", "3.0")],
            ApiVersion::V2,
            "https://image.api.qcloud.com/v2/index.php",
        ),
        (
            Some("3.0"),
            &[("QCLOUD_ENDPOINT", "http://127.0.0.1:9/")],
            ApiVersion::V3,
            "http://127.0.0.1:9/",
        ),
    ];
    for (block, env, version, endpoint) in cases {
        let raw = RawSettings { api_version: block.map(Into::into), ..RawSettings::default() };
        let settings = resolve_ok(raw, env);
        assert_eq!(
            (settings.api_version(), settings.endpoint().as_str()),
            (version, endpoint),
            "{block:?} {env:?}"
        );
    }
}

#[test]
fn unknown_api_version_is_refused_naming_the_choices() {
    let raw = RawSettings { api_version: Some("4.0".into()), ..RawSettings::default() };
    let errors = resolve(raw, |_| None).expect_err("4.0 is not an API version");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].setting, "api_version");
    assert!(
        errors[0].message.contains("\"3.0\"") && errors[0].message.contains("4.0"),
        "{}",
        errors[0]
    );
}

#[test]
fn regression_credentials_pasted_into_the_endpoint_are_not_quoted() {
    let cases = [
        ("https://AKIDid:s3cr3tkey@image.api.qcloud.com/v2/index.php", "https://<redacted>@image"),
        ("http://s3cr3tkey@example.com:99999/", "http://<redacted>@example.com:99999/"),
        ("https://image.api.qcloud.com/v2/index.php?Token=s3cr3tkey", "index.php?<redacted>"),
        ("https://image.api.qcloud.com/v2#s3cr3tkey", "/v2#<redacted>"),
        ("s3cr3tkey@image.api.qcloud.com", "\"<redacted>@image.api.qcloud.com\""),
    ];
    for (endpoint, shown) in cases {
        let errors = resolve_err(with(|r| r.endpoint = Some(endpoint.into())), &[]);
        let message = &errors[0].message;
        assert!(!message.contains("s3cr3tkey"), "{message}");
        assert!(message.contains(shown), "{shown:?} is not in: {message}");
    }
    assert_eq!(without_secrets("https://a.example.com/p@q"), "https://a.example.com/p@q");
}
