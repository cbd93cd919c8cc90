use std::time::Duration;

use super::*;
use crate::qcloud::{ApiCode, TransportFailure};

fn api(code: i64, desc: Option<&str>, message: &str) -> ApiError {
    ApiError {
        code: ApiCode::Numeric(code),
        code_desc: desc.map(str::to_string),
        message: message.into(),
        request_id: None,
    }
}

#[test]
fn missing_credentials_names_arguments_and_variables() {
    let text = describe(&Error::MissingCredentials);
    for needle in [
        "secret_id",
        "secret_key",
        "QCLOUD_SECRET_ID",
        "QCLOUD_SECRET_KEY",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
}

#[test]
fn api_errors_carry_code_description_message_and_hint() {
    let cases: &[(i64, &str)] = &[
        (4000, "parameter was invalid"),
        (4100, "Check secret_id and secret_key"),
        (4101, "sub-account's permissions"),
        (4104, "against the API keys of the account"),
        (4105, "security_token"),
        (4200, "clock"),
        (4300, "sub-account's permissions"),
        (4400, "lower requests_per_second"),
        (4500, "clock"),
        (4600, "https://"),
        (6000, "temporary problem"),
        (6100, "https://image.api.qcloud.com/v2/index.php"),
        (6200, "temporary problem"),
    ];
    for (code, needle) in cases {
        let error = api(*code, Some("SomeDesc"), "the server's words");
        let text = describe_api(&error);
        assert!(text.contains(&format!("code {code} (SomeDesc): the server's words.")), "{text}");
        assert!(text.contains(needle), "{code}: {text}");
        let hint = hint(error.kind()).expect("a hint");
        assert!(text.ends_with(&hint), "{text}");
    }
    assert_eq!(
        describe_api(&api(5000, None, "")),
        "the Tencent Cloud image API refused the request with code 5000 and no message."
    );
    assert_eq!(hint(api(9999, None, "x").kind()), None);
}

#[test]
fn a_named_code_gets_the_same_hint() {
    let e = ApiError {
        code: ApiCode::Named("AuthFailure.SignatureFailure".into()),
        code_desc: None,
        message: "The provided credentials could not be validated.".into(),
        request_id: Some("abc-123".into()),
    };
    assert_eq!(
        describe_api(&e),
        "the Tencent Cloud image API refused the request with code AuthFailure.SignatureFailure: \
         The provided credentials could not be validated (request id abc-123). Check secret_id \
         and secret_key (or QCLOUD_SECRET_ID / QCLOUD_SECRET_KEY): the request signature did \
         not match the key."
    );
}

#[test]
fn retries_exhausted_says_how_many_attempts_and_the_last_cause_with_its_hint() {
    let last = Error::Api(api(4400, Some("RequestLimitExceeded"), "too many"));
    let e = Error::RetriesExhausted { action: "DescribeImages", attempts: 4, last: Box::new(last) };
    let text = describe(&e);
    assert!(text.starts_with("DescribeImages failed after 4 attempts; last error: "), "{text}");
    assert!(text.contains("code 4400 (RequestLimitExceeded): too many"), "{text}");
    assert!(text.ends_with("lower requests_per_second or page_concurrency."), "{text}");
}

#[test]
fn transport_timeout_and_http_errors_read_as_advice() {
    let cases: Vec<(Error, &[&str])> = vec![
        (
            Error::Transport {
                host: "127.0.0.1:9".into(),
                cause: "connection refused".into(),
                failure: TransportFailure::Connect,
            },
            &["could not reach", "127.0.0.1:9", "connection refused", "check the endpoint"],
        ),
        (
            Error::Transport {
                host: "localhost:8443".into(),
                cause: "error sending request: client error (Connect): invalid peer certificate: \
                        UnknownIssuer"
                    .into(),
                failure: TransportFailure::Certificate,
            },
            &["at localhost:8443", "does not trust the certificate", "SSL_CERT_FILE"],
        ),
        (
            Error::Transport {
                host: "example.test".into(),
                cause: "invalid peer certificate: certificate not valid for name \"example.test\""
                    .into(),
                failure: TransportFailure::CertificateName,
            },
            &["not valid for that name", "endpoint"],
        ),
        (
            Error::Timeout { after: Duration::from_secs(30) },
            &["within 30 s", "reachable from this machine", "request_timeout"],
        ),
        (
            Error::BudgetExhausted {
                action: "DescribeImages",
                host: "10.1.2.3:443".into(),
                budget: Duration::from_secs(5),
                attempts: 1,
                last: None,
            },
            &[
                "at 10.1.2.3:443 did not answer DescribeImages within the read budget of 5 s \
                 (1 attempt(s))",
                "proxy, firewall, DNS",
                "timeouts { read = \"2m\" }",
            ],
        ),
        (Error::Timeout { after: Duration::from_millis(250) }, &["within 0.250 s"]),
        (
            Error::HttpStatus { status: 502, body_start: "<html>bad gateway".into() },
            &["HTTP 502", "try again later", "\"<html>bad gateway\""],
        ),
        (Error::HttpStatus { status: 429, body_start: String::new() }, &["throttling", "empty"]),
        (Error::HttpStatus { status: 404, body_start: String::new() }, &["image API"]),
        (
            Error::NotJson { status: 200, body_start: "<!DOCTYPE html>".into() },
            &["not JSON (HTTP 200)", "starts with \"<!DOCTYPE html>\"", "endpoint"],
        ),
        (
            Error::WrongApiVersion {
                sent: ApiVersion::V3,
                answered: ApiVersion::V2,
                body_start: "{}".into(),
            },
            &["an API 2.0 answer, but api_version is 3.0", "set api_version to 2.0"],
        ),
        (
            Error::WrongApiVersion {
                sent: ApiVersion::V2,
                answered: ApiVersion::V3,
                body_start: "{}".into(),
            },
            &["API 3.0", "check endpoint"],
        ),
        (Error::TooManyPages { pages: 10 }, &["after 10 pages", "narrow the query"]),
        (Error::RepeatedPage { offset: 300 }, &["offset 300"]),
        (
            Error::ListingKeptChanging { listings: 3 },
            &["changed while they were being listed", "3 listings", "try again"],
        ),
        (Error::Cancelled, &["cancelled"]),
    ];
    for (error, needles) in cases {
        let text = describe(&error);
        for needle in needles {
            assert!(text.contains(needle), "{needle:?} missing from {text}");
        }
    }
}

#[test]
fn code_4104_under_2_0_says_new_accounts_need_3_0_once() {
    let text = describe_api(&api(4104, Some("SecretIdNotFound"), "the SecretId does not exist"));
    assert!(text.contains("Accounts created since 2023 cannot use API 2.0"), "{text}");
    assert!(text.contains("api_version = \"3.0\""), "{text}");
    assert_eq!(text.matches("does not exist").count(), 1, "each sentence once: {text}");
    let v3 = Circumstances { api_version: ApiVersion::V3, token_sent: false };
    let named = ApiError {
        code: ApiCode::Named("AuthFailure.SecretIdNotFound".into()),
        code_desc: None,
        message: "The SecretId is not found.".into(),
        request_id: None,
    };
    let text = describe_in(&Error::Api(named), &v3);
    assert!(!text.contains("API 2.0"), "no 2.0 advice under 3.0: {text}");
}

#[test]
fn code_4105_tells_a_missing_token_from_a_refused_one() {
    let error = Error::Api(api(4105, None, "token error"));
    let without = describe_in(&error, &Circumstances::default());
    assert!(without.contains("No security token was sent"), "{without}");
    let with = describe_in(&error, &Circumstances { token_sent: true, ..Circumstances::default() });
    assert!(with.contains("that was sent was refused"), "{with}");
    assert!(!with.contains("No security token was sent"), "{with}");
}

#[test]
fn http_404_and_405_under_2_0_point_at_the_path_and_the_api_version() {
    for status in [404, 405] {
        let error = Error::HttpStatus { status, body_start: String::new() };
        let text = describe(&error);
        assert!(text.contains("/v2/index.php") && text.contains("api_version"), "{text}");
        let v3 = Circumstances { api_version: ApiVersion::V3, token_sent: false };
        let text = describe_in(&error, &v3);
        assert!(!text.contains("ends with /v2/index.php"), "{text}");
    }
}

#[test]
fn an_unknown_region_names_the_argument() {
    let error = Error::Api(ApiError {
        code: ApiCode::Named("UnsupportedRegion".into()),
        code_desc: None,
        message: "the region is not supported".into(),
        request_id: None,
    });
    let text = describe(&error);
    assert!(text.contains("check region (or QCLOUD_REGION)"), "{text}");
}

#[test]
fn a_3_0_host_asking_for_version_says_to_switch_api_version_or_path() {
    let error = Error::Api(ApiError {
        code: ApiCode::Named("MissingParameter".into()),
        code_desc: None,
        message: "the request is missing the parameter Version".into(),
        request_id: None,
    });
    let text = describe(&error);
    assert!(text.contains("The endpoint speaks API 3.0"), "{text}");
    assert!(text.contains("but api_version is 2.0"), "{text}");
    assert!(text.contains("set api_version = \"3.0\" (or QCLOUD_API_VERSION=3.0)"), "{text}");
    assert!(text.contains("https://image.api.qcloud.com/v2/index.php"), "{text}");
    assert_eq!(text.matches("Version").count(), 2, "said once, hint once: {text}");
}
