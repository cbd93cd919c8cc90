use super::*;

fn filter(ids: Vec<String>, status: Option<ImageStatus>) -> ImageFilter {
    ImageFilter { image_ids: ids, status, ..ImageFilter::of_type(ImageType::Public) }
}

fn parsed(body: &str) -> Result<Page, String> {
    let Value::Object(content) = serde_json::from_str(body).expect("test JSON") else {
        panic!("test bodies are objects")
    };
    V3.parse_page(&content)
}

#[test]
fn bodies_send_filters_or_ids_never_both() {
    let ids = vec!["img-aaaaaaaa".to_string(), "img-bbbbbbbb".to_string()];
    let cases = [
        (
            filter(vec![], None),
            &[][..],
            r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}],"Offset":200,"Limit":100}"#,
        ),
        (
            filter(vec![], Some(ImageStatus::InUse)),
            &[],
            r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]},{"Name":"image-state","Values":["USING"]}],"Offset":200,"Limit":100}"#,
        ),
        (
            filter(vec![], Some(ImageStatus::Copying)),
            &[],
            r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}],"Offset":200,"Limit":100}"#,
        ),
        (
            filter(ids.clone(), Some(ImageStatus::Normal)),
            &ids[..],
            r#"{"ImageIds":["img-aaaaaaaa","img-bbbbbbbb"],"Offset":200,"Limit":100}"#,
        ),
    ];
    for (filter, page_ids, body) in cases {
        assert_eq!(body_json(&filter, page_ids, 200, 100), body, "{filter:?}");
    }
}

#[test]
fn page_calls_go_to_cvm_2017_03_12() {
    let Call::V3(call) = V3.page_call(&filter(vec![], None), &[], 0, 100) else {
        panic!("a 3.0 call")
    };
    assert_eq!((call.service, call.version, call.action), ("cvm", "2017-03-12", "DescribeImages"));
}

fn with_details(image: Image, details: ImageDetails) -> Image {
    Image { details: Some(Box::new(details)), ..image }
}

fn image(image_type: i64, status: i64) -> Image {
    Image {
        image_id: "img-aaaaaaaa".into(),
        image_type: Some(image_type),
        status: Some(status),
        ..Image::default()
    }
}

#[test]
fn client_side_filter_applies_only_what_the_api_could_not() {
    let query = |ids: Vec<String>, status| ImageFilter {
        image_ids: ids,
        status,
        ..ImageFilter::of_type(ImageType::Private)
    };
    let ids = vec!["img-aaaaaaaa".to_string()];
    let cases = [
        // The API filtered: trust it.
        (query(vec![], Some(ImageStatus::Normal)), image(2, 3), true),
        // Ids: type and status on the client.
        (query(ids.clone(), None), image(1, 3), true),
        (query(ids.clone(), None), image(2, 2), false),
        (query(ids.clone(), Some(ImageStatus::Normal)), image(1, 2), true),
        (query(ids.clone(), Some(ImageStatus::Normal)), image(1, 3), false),
        // Copying has no 3.0 filter: on the client.
        (query(vec![], Some(ImageStatus::Copying)), image(1, 5), true),
        (query(vec![], Some(ImageStatus::Copying)), image(1, 2), false),
    ];
    for (query, image, kept) in cases {
        assert_eq!(V3.keeps(&query, &image), kept, "{query:?} {image:?}");
    }
}

#[test]
fn success_maps_names_times_and_3_0_fields() {
    let page = parsed(
        r#"{"TotalCount":2,"RequestId":"r-1","ImageSet":[
        {"ImageId":"img-aaaaaaaa","ImageName":"CentOS 7.9","ImageDescription":"d","ImageType":"PUBLIC_IMAGE",
         "OsName":"CentOS 7.9 64bit","CreatedTime":"2014-09-27T02:11:00Z","ImageCreator":"tencentcloud",
         "ImageState":"NORMAL","Architecture":"x86_64","Platform":"CentOS","ImageSize":"50",
         "ImageSource":"OFFICIAL","IsSupportCloudinit":true,"SyncPercent":100,"Tags":[]},
        {"ImageId":"img-bbbbbbbb","ImageType":"OTHER","CreatedTime":"","ImageState":"CREATEFAILED"}]}"#,
    )
    .expect("parses");
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
            details: Some(Box::new(ImageDetails {
                architecture: Some("x86_64".into()),
                platform: Some("CentOS".into()),
                image_size: Some(50),
                image_source: Some("OFFICIAL".into()),
                image_state: Some("NORMAL".into()),
                is_support_cloudinit: Some(true),
                tags: Some(BTreeMap::new()),
                sync_percent: Some(100),
                ..ImageDetails::default()
            })),
        }
    );
    let odd = &page.images[1];
    assert_eq!((odd.image_type, odd.status), (None, None));
    assert_eq!(odd.details().image_state.as_deref(), Some("CREATEFAILED"));
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
fn wrong_shapes_are_clear_errors() {
    for body in [r#"{"ImageSet":{}}"#, r#"{"ImageSet":[{"ImageName":"x"}]}"#, r#"{"ImageSet":[1]}"#]
    {
        assert!(parsed(body).is_err(), "{body}");
    }
}

#[test]
fn platform_tags_and_instance_type_go_to_the_api() {
    let filter = ImageFilter {
        image_types: vec![ImageType::Private, ImageType::Shared],
        platform: Some("Ubuntu".into()),
        tags: BTreeMap::from([("env".into(), "prod".into()), ("team".into(), "web".into())]),
        instance_type: Some("S5.MEDIUM4".into()),
        ..ImageFilter::default()
    };
    assert_eq!(
        body_json(&filter, &[], 0, 100),
        r#"{"Filters":[{"Name":"image-type","Values":["PRIVATE_IMAGE","SHARED_IMAGE"]},{"Name":"platform","Values":["Ubuntu"]},{"Name":"tag:env","Values":["prod"]},{"Name":"tag:team","Values":["web"]}],"InstanceType":"S5.MEDIUM4","Offset":0,"Limit":100}"#
    );
    assert_eq!(filter_shape(&filter), (4, 2));
    let ids = vec!["img-aaaaaaaa".to_string()];
    assert_eq!(
        body_json(&filter, &ids, 0, 100),
        r#"{"ImageIds":["img-aaaaaaaa"],"InstanceType":"S5.MEDIUM4","Offset":0,"Limit":100}"#
    );
    assert_eq!(
        body_json(&ImageFilter { image_ids: ids.clone(), ..ImageFilter::default() }, &ids, 0, 100),
        r#"{"ImageIds":["img-aaaaaaaa"],"Offset":0,"Limit":100}"#,
        "ids without a type"
    );
}

#[test]
fn deprecated_images_are_left_out_on_the_client_unless_asked_for() {
    let deprecated = with_details(
        image(1, 2),
        ImageDetails { image_deprecated: Some(true), ..ImageDetails::default() },
    );
    let all = ImageFilter::of_type(ImageType::Private);
    assert!(!V3.keeps(&all, &deprecated));
    assert!(V3.keeps(&all, &image(1, 2)));
    assert!(V3.keeps(&ImageFilter { include_deprecated: true, ..all.clone() }, &deprecated));
    let by_id = ImageFilter { image_ids: vec!["img-aaaaaaaa".into()], ..all };
    assert!(!V3.keeps(&by_id, &deprecated));
}

#[test]
fn with_ids_platform_and_tags_are_applied_on_the_client() {
    let image = with_details(
        image(1, 2),
        ImageDetails {
            platform: Some("Ubuntu".into()),
            tags: Some(BTreeMap::from([("team".into(), "web".into())])),
            ..ImageDetails::default()
        },
    );
    let by_id = ImageFilter {
        image_ids: vec!["img-aaaaaaaa".into()],
        ..ImageFilter::of_type(ImageType::Private)
    };
    let platform = |p: &str| ImageFilter { platform: Some(p.into()), ..by_id.clone() };
    assert!(V3.keeps(&platform("ubuntu"), &image));
    assert!(!V3.keeps(&platform("CentOS"), &image));
    let tag = |v: &str| ImageFilter {
        tags: BTreeMap::from([("team".to_string(), v.to_string())]),
        ..by_id.clone()
    };
    assert!(V3.keeps(&tag("web"), &image));
    assert!(!V3.keeps(&tag("db"), &image));
}

#[test]
fn snapshots_tags_family_license_deprecation_and_sync_are_read() {
    let page = parsed(
        r#"{"TotalCount":1,"ImageSet":[{"ImageId":"img-aaaaaaaa",
        "SnapshotSet":[{"SnapshotId":"snap-1","DiskUsage":"SYSTEM_DISK","DiskSize":50},
                       {"SnapshotId":"snap-2","DiskUsage":"DATA_DISK","DiskSize":"100"}, 7],
        "Tags":[{"Key":"team","Value":"web"},{"Key":"env"},{"Value":"orphan"}],
        "LicenseType":"BYOL","ImageFamily":"web","ImageDeprecated":"true","SyncPercent":42}]}"#,
    )
    .expect("parses");
    let image = page.images[0].details();
    assert_eq!(
        image.snapshots,
        Some(vec![
            Snapshot {
                snapshot_id: Some("snap-1".into()),
                disk_usage: Some("SYSTEM_DISK".into()),
                disk_size: Some(50)
            },
            Snapshot {
                snapshot_id: Some("snap-2".into()),
                disk_usage: Some("DATA_DISK".into()),
                disk_size: Some(100)
            },
        ])
    );
    assert_eq!(
        image.tags,
        Some(BTreeMap::from([("env".into(), String::new()), ("team".into(), "web".into())]))
    );
    assert_eq!(image.license_type.as_deref(), Some("BYOL"));
    assert_eq!(image.image_family.as_deref(), Some("web"));
    assert_eq!((image.image_deprecated, image.sync_percent), (Some(true), Some(42)));
    let bare =
        r#"{"ImageSet":[{"ImageId":"img-b","SyncPercent":null,"Tags":null,"ImageFamily":""}]}"#;
    let bare = parsed(bare).expect("parses");
    let expected = Image { image_id: "img-b".into(), ..Image::default() };
    assert_eq!(bare.images[0], with_details(expected, ImageDetails::default()));
}
