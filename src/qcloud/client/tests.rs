use super::*;
use crate::qcloud::{ApiCode, RawSettings};

fn settings() -> Settings {
    Settings::resolve(RawSettings::default(), |_| None).expect("defaults are valid")
}

#[test]
fn answers_are_interpreted_by_status_and_body() {
    let ok = br#"{"code":0,"totalCount":0,"imageSet":[]}"#;
    assert!(interpret(200, ok).is_ok());
    let refused = br#"{"code":4100,"message":"bad"}"#;
    for status in [200, 400, 500] {
        match interpret(status, refused) {
            Err(Error::Api(api)) => assert_eq!(api.code, ApiCode::Numeric(4100)),
            other => panic!("{status}: {other:?}"),
        }
    }
    match interpret(503, b"<html>Service Unavailable</html>") {
        Err(Error::HttpStatus { status: 503, body_start }) => {
            assert_eq!(body_start, "<html>Service Unavailable</html>")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(interpret(429, ok), Err(Error::HttpStatus { status: 429, .. })));
    assert!(matches!(interpret(200, b"<html>"), Err(Error::NotJson { status: 200, .. })));
}

#[test]
fn client_refuses_settings_it_cannot_work_with() {
    let mut bad = settings();
    bad.endpoint = "nonsense".into();
    bad.page_concurrency = 0;
    bad.requests_per_second = f64::NAN;
    bad.request_timeout = Duration::ZERO;
    let Err(Error::InvalidSettings(errors)) = Client::new(bad) else {
        panic!("invalid settings were accepted")
    };
    let names: Vec<_> = errors.iter().map(|e| e.setting).collect();
    assert_eq!(names, ["endpoint", "page_concurrency", "requests_per_second", "request_timeout"]);
    let client = Client::new(settings()).expect("default settings build a client");
    assert_eq!(client.settings().region, "ap-guangzhou");
}

#[tokio::test]
async fn listing_without_credentials_names_how_to_set_them() {
    let client = Client::new(settings()).expect("default settings build a client");
    let query = crate::qcloud::ImageQuery {
        image_type: crate::qcloud::ImageType::Public,
        image_ids: Vec::new(),
        status: None,
    };
    let error = client
        .list_images(&query, &CancellationToken::new())
        .await
        .expect_err("no credentials are configured");
    assert!(matches!(error, Error::MissingCredentials), "{error:?}");
}

#[test]
fn error_chain_joins_distinct_sources() {
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }
    let e =
        Layer("send failed", Some(Box::new(Layer("reset", Some(Box::new(Layer("reset", None)))))));
    assert_eq!(error_chain(&e), "send failed: reset");
}
