use super::*;
use crate::qcloud::error::ApiCode;

#[test]
fn success_maps_names_times_and_3_0_fields() {
    let body = br#"{"Response":{"TotalCount":2,"RequestId":"r-1","ImageSet":[
        {"ImageId":"img-aaaaaaaa","ImageName":"CentOS 7.9","ImageDescription":"d","ImageType":"PUBLIC_IMAGE",
         "OsName":"CentOS 7.9 64bit","CreatedTime":"2014-09-27T02:11:00Z","ImageCreator":"tencentcloud",
         "ImageState":"NORMAL","Architecture":"x86_64","Platform":"CentOS","ImageSize":"50",
         "ImageSource":"OFFICIAL","IsSupportCloudinit":true,"SyncPercent":100,"Tags":[]},
        {"ImageId":"img-bbbbbbbb","ImageType":"OTHER","CreatedTime":"","ImageState":"CREATEFAILED"}]}}"#;
    let page = parse_describe_images(200, body).expect("parses");
    assert_eq!(page.total_count, Some(2));
    assert_eq!(
        page.images[0],
        Image {
            image_id: "img-aaaaaaaa".into(),
            image_name: Some("CentOS 7.9".into()),
            image_description: Some("d".into()),
            image_type: Some(2),
            os_name: Some("CentOS 7.9 64bit".into()),
            create_time: Some("2014-09-27 10:11:00".into()),
            creator: Some("tencentcloud".into()),
            status: Some(2),
            architecture: Some("x86_64".into()),
            platform: Some("CentOS".into()),
            image_size: Some(50),
            image_source: Some("OFFICIAL".into()),
            image_state: Some("NORMAL".into()),
            is_support_cloudinit: Some(true),
        }
    );
    let odd = &page.images[1];
    assert_eq!((odd.image_type, odd.status), (None, None));
    assert_eq!(odd.image_state.as_deref(), Some("CREATEFAILED"));
    assert_eq!(odd.create_time.as_deref(), Some(""));
}

#[test]
fn created_time_becomes_beijing_text() {
    let cases = [
        ("2014-09-27T02:11:00Z", "2014-09-27 10:11:00"),
        ("2020-12-31T20:00:00+00:00", "2021-01-01 04:00:00"),
        ("2020-12-31T20:00:00+08:00", "2020-12-31 20:00:00"),
        ("", ""),
        ("yesterday", "yesterday"),
    ];
    for (iso, text) in cases {
        assert_eq!(beijing_text(iso), text, "{iso}");
    }
}

#[test]
fn errors_keep_code_message_and_request_id() {
    let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r-9"}}"#;
    match parse_describe_images(200, body) {
        Err(Error::Api(api)) => {
            assert_eq!(api.code, ApiCode::Named("AuthFailure.SignatureFailure".into()));
            assert_eq!(api.request_id.as_deref(), Some("r-9"));
            assert!(api.to_string().contains("secret_key"), "{api}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_shapes_are_clear_errors() {
    for two in
        [&br#"{"code":4000,"message":"bad"}"#[..], br#"{"code":0,"totalCount":0,"imageSet":[]}"#]
    {
        match parse_describe_images(200, two) {
            Err(Error::UnexpectedResponse { problem, .. }) => {
                assert!(problem.contains("api_version"), "{problem}")
            }
            other => panic!("{other:?}"),
        }
    }
    for body in [&b"<html>"[..], b""] {
        assert!(matches!(parse_describe_images(502, body), Err(Error::NotJson { .. })));
    }
    for body in [
        &br#"{"Response":{"ImageSet":{}}}"#[..],
        br#"{"Response":{"ImageSet":[{"ImageName":"x"}]}}"#,
        br#"{"Response":[]}"#,
        br#"[]"#,
    ] {
        assert!(
            matches!(parse_describe_images(200, body), Err(Error::UnexpectedResponse { .. })),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}
