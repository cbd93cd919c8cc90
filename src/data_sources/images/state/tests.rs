use super::*;
use crate::cty::Type;
use crate::data_sources::images::test_support::{config, image};
use crate::qcloud::Image;

/// True when `value` is wholly known and has the shape of `ty` (every object attribute present).
pub fn conforms(value: &Value, ty: &Type) -> bool {
    match (value, ty) {
        (Value::Null, _) => true,
        (Value::String(_), Type::String) | (Value::Bool(_), Type::Bool) => true,
        (Value::Number(_), Type::Number) => true,
        (Value::List(items), Type::List(element)) => items.iter().all(|i| conforms(i, element)),
        (Value::Map(entries), Type::Map(element)) => entries.values().all(|v| conforms(v, element)),
        (Value::Object(attributes), Type::Object(types)) => {
            attributes.len() == types.len()
                && types
                    .iter()
                    .all(|(name, t)| attributes.get(name).is_some_and(|v| conforms(v, t)))
        }
        _ => false,
    }
}

/// The state as the read encodes it, decoded again.
fn state(config: &Value, id: &str, selection: &Selection<'_>) -> Value {
    let bytes = encode_state(config, id, selection).expect("the state encodes");
    crate::cty::decode_msgpack(&bytes, &schema().block.value_type()).expect("the state decodes")
}

fn selection<'a>(images: &'a [Image], most_recent: Option<&'a Image>) -> Selection<'a> {
    Selection {
        total_count: images.len() + 5,
        images: images.iter().collect(),
        most_recent,
        unusable: 0,
    }
}

#[test]
fn state_has_every_attribute_wholly_known_and_conforms() {
    let images = vec![image("img-aaaaaaaa", "web", "CentOS", "2020-01-01 00:00:00")];
    let cases =
        [selection(&[], None), selection(&images, None), selection(&images, images.first())];
    let config = config(&[(attr::IMAGE_TYPE, "2".into())]);
    let ty = schema().block.value_type();
    for selection in cases {
        let state = state(&config, "abc", &selection);
        assert!(state.is_wholly_known());
        assert!(conforms(&state, &ty), "{state:?}");
    }
}

#[test]
fn arguments_are_echoed_and_computed_attributes_filled() {
    let picked = image("img-bbbbbbbb", "web-2", "CentOS 7.2", "2021-06-01 12:00:00");
    let other = image("img-aaaaaaaa", "web-1", "", "");
    let config = config(&[
        (attr::IMAGE_TYPE, "2".into()),
        (attr::NAME_REGEX, "^web".into()),
        (attr::MOST_RECENT, true.into()),
    ]);
    let selection = Selection {
        total_count: 7,
        images: vec![&picked, &other],
        most_recent: Some(&picked),
        unusable: 0,
    };
    let state = state(&config, "the-id", &selection);
    let get = |name: &str| state.get_attr(name).cloned();
    assert_eq!(get(attr::IMAGE_TYPE), Some("2".into()));
    assert_eq!(get(attr::NAME_REGEX), Some("^web".into()));
    assert_eq!(get(attr::MOST_RECENT), Some(true.into()));
    assert_eq!(get(attr::STATUS), Some(Value::Null));
    assert_eq!(get(attr::ID), Some("the-id".into()));
    assert_eq!(get(attr::TOTAL_COUNT), Some(7.into()));
    assert_eq!(
        get(attr::IDS),
        Some(Value::List(vec!["img-bbbbbbbb".into(), "img-aaaaaaaa".into()]))
    );
    assert_eq!(get(attr::IMAGE_ID), Some("img-bbbbbbbb".into()));
    assert_eq!(get(attr::IMAGE_NAME), Some("web-2".into()));
    assert_eq!(get(attr::IMAGE_DESCRIPTION), Some(Value::Null));
    assert_eq!(get(attr::CREATE_TIME), Some("2021-06-01T12:00:00+08:00".into()));
    assert_eq!(get(attr::OS_NAME), Some("CentOS 7.2".into()));
    assert_eq!(get(attr::CREATOR), Some(Value::Null));
    let image = get(attr::IMAGE).expect("the picked image");
    assert_eq!(image.get_attr(attr::IMAGE_ID), Some(&"img-bbbbbbbb".into()));
    assert_eq!(image.get_attr(attr::STATUS), Some(&"normal".into()));
    assert_eq!(image, crate::data_sources::image_object::image_value(&picked));
}

#[test]
fn the_encoding_is_canonical_and_refuses_unknown_arguments() {
    let images = [image("img-aaaaaaaa", "web", "CentOS", "2020-01-01 00:00:00")];
    let config = config(&[(attr::IMAGE_TYPE, "public".into())]);
    let picked = selection(&images, images.first());
    let bytes = encode_state(&config, "x", &picked).expect("encodes");
    let ty = schema().block.value_type();
    let value = crate::cty::decode_msgpack(&bytes, &ty).expect("decodes");
    assert_eq!(crate::cty::encode_msgpack(&value, &ty), Ok(bytes));
    let unknown = Value::object([(attr::IMAGE_TYPE, Value::Unknown)]);
    let refused = encode_state(&unknown, "x", &picked).map_err(|e| e.to_string());
    assert_eq!(refused, Err("the configuration still has unknown values".into()));
}

#[test]
fn top_level_image_attributes_are_null_without_most_recent() {
    let config = config(&[(attr::IMAGE_TYPE, "public".into())]);
    let images = vec![image("img-aaaaaaaa", "web", "CentOS", "2020-01-01 00:00:00")];
    let state = state(&config, "x", &selection(&images, None));
    for name in [attr::IMAGE_ID, attr::IMAGE_NAME, attr::CREATE_TIME, attr::OS_NAME, attr::IMAGE] {
        assert_eq!(state.get_attr(name), Some(&Value::Null), "{name}");
    }
}

#[test]
fn os_name_keeps_the_configured_filter() {
    let picked = image("img-bbbbbbbb", "web-2", "CentOS 7.2", "");
    let config = config(&[(attr::IMAGE_TYPE, "public".into()), (attr::OS_NAME, "centos".into())]);
    let state = state(&config, "x", &selection(std::slice::from_ref(&picked), Some(&picked)));
    assert_eq!(state.get_attr(attr::OS_NAME), Some(&"centos".into()));
}
