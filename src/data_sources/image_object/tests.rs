use super::*;
use crate::qcloud::images::ImageDetails;

#[test]
fn image_objects_use_names_times_and_nulls() {
    let full = Image {
        image_id: "img-aaaaaaaa".into(),
        image_name: Some("web".into()),
        image_description: Some("built by CI".into()),
        image_type: Some(4),
        os_name: Some("CentOS 7.2 64bit".into()),
        create_time: Some("2014-09-27 10:11:00".into()),
        creator: Some("100000001".into()),
        status: Some(3),
        ..Image::default()
    };
    let Value::Object(attributes) = image_value(&full) else { panic!("an object") };
    let set: Vec<(&str, &Value)> =
        attributes.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(
        set,
        [
            ("create_time", &"2014-09-27T10:11:00+08:00".into()),
            ("creator", &"100000001".into()),
            ("image_description", &"built by CI".into()),
            ("image_id", &"img-aaaaaaaa".into()),
            ("image_name", &"web".into()),
            ("image_type", &"shared".into()),
            ("os_name", &"CentOS 7.2 64bit".into()),
            ("status", &"in_use".into()),
        ]
    );
    assert_eq!(attributes.len(), 20, "every attribute is present");

    let bare = Image { image_id: "img-bbbbbbbb".into(), ..Image::default() };
    let object = image_value(&bare);
    for field in SHARED_FIELDS.iter().filter(|f| **f != field::IMAGE_ID) {
        assert_eq!(object.get_attr(field), Some(&Value::Null), "{field}");
    }
    let odd = Image { create_time: Some("27/09/2014".into()), ..bare.clone() };
    assert_eq!(image_value(&odd).get_attr(field::CREATE_TIME), Some(&"27/09/2014".into()));
    let empty = Image { create_time: Some(String::new()), image_name: Some(String::new()), ..bare };
    assert_eq!(image_value(&empty).get_attr(field::CREATE_TIME), Some(&Value::Null));
    // An empty name is still a name the API sent: kept as it is.
    assert_eq!(image_value(&empty).get_attr(field::IMAGE_NAME), Some(&"".into()));
}

#[test]
fn api_3_0_fields_become_lists_maps_numbers_and_booleans() {
    let details = ImageDetails {
        snapshots: Some(vec![Snapshot {
            snapshot_id: Some("snap-1".into()),
            disk_usage: Some("SYSTEM_DISK".into()),
            disk_size: Some(50),
        }]),
        tags: Some(BTreeMap::from([("team".into(), "web".into())])),
        license_type: Some("BYOL".into()),
        image_family: Some("web".into()),
        image_deprecated: Some(false),
        sync_percent: Some(100),
        ..ImageDetails::default()
    };
    let image = Image {
        image_id: "img-aaaaaaaa".into(),
        details: Some(Box::new(details)),
        ..Image::default()
    };
    let object = image_value(&image);
    let snapshot = Value::object([
        ("disk_size", Value::Number(Number::Int(50))),
        ("disk_usage", "SYSTEM_DISK".into()),
        ("snapshot_id", "snap-1".into()),
    ]);
    assert_eq!(object.get_attr(field::SNAPSHOTS), Some(&Value::List(vec![snapshot])));
    assert_eq!(
        object.get_attr(field::TAGS),
        Some(&Value::Map(BTreeMap::from([("team".into(), "web".into())])))
    );
    assert_eq!(object.get_attr(field::IMAGE_DEPRECATED), Some(&Value::Bool(false)));
    assert_eq!(object.get_attr(field::SYNC_PERCENT), Some(&Value::Number(Number::Int(100))));
    assert_eq!(object.get_attr(field::LICENSE_TYPE), Some(&"BYOL".into()));
    assert_eq!(object.get_attr(field::IMAGE_FAMILY), Some(&"web".into()));
    let encoded = crate::cty::encode_msgpack(&object, &image_type());
    assert!(encoded.is_ok(), "the value fits the type: {encoded:?}");
}

#[test]
fn fields_are_in_name_order_and_leave_absent_ones_out() {
    let image = Image { image_id: "img-aaaaaaaa".into(), status: Some(2), ..Image::default() };
    let names: Vec<&str> = image_fields(&image).iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["image_id", "status"]);
    let full = image_value(&Image { image_id: "x".into(), ..Image::default() });
    let Value::Object(all) = full else { panic!("an object") };
    let mut sorted: Vec<&String> = all.keys().collect();
    sorted.sort();
    assert_eq!(all.keys().collect::<Vec<_>>(), sorted);
}
