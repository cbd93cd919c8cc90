//! `DescribeImages` in API 2.0: `imageType`, `imageIds.N`, `status`, `offset`, `limit`; an
//! answer of `totalCount` and `imageSet` entries (`unImgId`, `createor` or `creator`, ...). The
//! API applies every filter itself.
//!
//! Must not depend on the transport or on Terraform types.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{DESCRIBE_IMAGES, Dialect, Image, ImageFilter, Page, parse_page_fields};
use crate::qcloud::call::Call;
use crate::qcloud::json::{int, text};
use crate::qcloud::v2;

/// The API 2.0 dialect.
pub struct V2;

impl Dialect for V2 {
    fn page_call(&self, filter: &ImageFilter, ids: &[String], offset: u64, limit: u32) -> Call {
        Call::V2(v2::Call {
            action: DESCRIBE_IMAGES,
            params: page_params(filter, ids, offset, limit),
        })
    }

    fn parse_page(&self, content: &Map<String, Value>) -> Result<Page, String> {
        if !content.contains_key("code") && !content.contains_key("imageSet") {
            return Err("there is no code field".into());
        }
        parse_page_fields(content, ["totalCount", "imageSet"], parse_image)
    }

    fn keeps(&self, _: &ImageFilter, _: &Image) -> bool {
        true
    }
}

/// The action's own parameters of one page. API 2.0 takes one `imageType` per request: a filter
/// of several types is listed type by type (see [`super::listings`]), and the filters only API
/// 3.0 offers are refused before a listing starts.
pub fn page_params(
    filter: &ImageFilter,
    ids: &[String],
    offset: u64,
    limit: u32,
) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    if let Some(image_type) = filter.image_types.first() {
        params.insert("imageType".to_string(), image_type.code().to_string());
    }
    for (i, id) in ids.iter().enumerate() {
        params.insert(format!("imageIds.{i}"), id.clone());
    }
    if let Some(status) = filter.status {
        params.insert("status".to_string(), status.code().to_string());
    }
    params.insert("offset".to_string(), offset.to_string());
    params.insert("limit".to_string(), limit.to_string());
    params
}

fn parse_image(index: usize, entry: &Value) -> Result<Image, String> {
    let Value::Object(fields) = entry else {
        return Err(format!("imageSet[{index}] is not an object"));
    };
    let field = |names: &[&str]| names.iter().find_map(|name| fields.get(*name).and_then(text));
    let image_id = field(&["unImgId", "unImageId"])
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("imageSet[{index}] has no unImgId"))?;
    Ok(Image {
        image_id,
        image_name: field(&["imageName"]),
        image_description: field(&["imageDescription"]),
        image_type: fields.get("imageType").and_then(int),
        os_name: field(&["osName"]),
        create_time: field(&["createTime"]),
        creator: field(&["creator", "createor"]),
        status: fields.get("status").and_then(int),
        ..Image::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qcloud::images::{ImageStatus, ImageType};

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("img-{i:08}")).collect()
    }

    fn parsed(body: &str) -> Result<Page, String> {
        let Value::Object(content) = serde_json::from_str(body).expect("test JSON") else {
            panic!("test bodies are objects")
        };
        V2.parse_page(&content)
    }

    fn page(body: &str) -> Page {
        parsed(body).unwrap_or_else(|e| panic!("expected a page from {body}, got {e}"))
    }

    #[test]
    fn page_params_carry_type_ids_status_offset_and_limit() {
        let filter = ImageFilter {
            status: Some(ImageStatus::Normal),
            ..ImageFilter::of_type(ImageType::Public)
        };
        let params = page_params(&filter, &ids(2), 200, 100);
        let pairs: Vec<(&str, &str)> =
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("imageIds.0", "img-00000000"),
                ("imageIds.1", "img-00000001"),
                ("imageType", "2"),
                ("limit", "100"),
                ("offset", "200"),
                ("status", "2"),
            ]
        );
        let Call::V2(call) = V2.page_call(&filter, &[], 0, 100) else { panic!("a 2.0 call") };
        assert_eq!(call.action, "DescribeImages");
    }

    #[test]
    fn ids_are_numbered_from_zero_and_status_left_out_when_unset() {
        let filter = ImageFilter::of_type(ImageType::Private);
        let ten = ids(10);
        let params = page_params(&filter, &ten, 0, 100);
        for (i, id) in ten.iter().enumerate() {
            assert_eq!(params.get(&format!("imageIds.{i}")), Some(id));
        }
        assert!(!params.contains_key("imageIds.10"));
        assert!(!params.contains_key("status"));
    }

    #[test]
    fn reference_example_with_createor() {
        let page = page(
            r#"{"code":0,"message":"","totalCount":1,"imageSet":[{"unImgId":"img-1234test",
            "imageName":"test","imageDescription":"test","osName":"Ubuntu 12.04 64bit",
            "imageType":1,"createTime":"2014-09-27 10:11:00","createor":"1000","status":2}]}"#,
        );
        assert_eq!(page.total_count, Some(1));
        assert_eq!(
            page.images,
            [Image {
                image_id: "img-1234test".into(),
                image_name: Some("test".into()),
                image_description: Some("test".into()),
                image_type: Some(1),
                os_name: Some("Ubuntu 12.04 64bit".into()),
                create_time: Some("2014-09-27 10:11:00".into()),
                creator: Some("1000".into()),
                status: Some(2),
                ..Image::default()
            }]
        );
    }

    #[test]
    fn ints_as_strings_creator_spelled_right_and_unknown_fields() {
        let page = page(
            r#"{"code":"0","totalCount":"2","extra":{"x":[1,2]},"imageSet":[
            {"unImgId":"img-a","imageType":"2","status":" 3 ","creator":1000,"future":true},
            {"unImgId":"img-b","imageType":2.0,"status":"n/a","creator":"9","createor":"8"}]}"#,
        );
        assert_eq!(page.total_count, Some(2));
        let a = &page.images[0];
        assert_eq!(
            (a.image_type, a.status, a.creator.as_deref()),
            (Some(2), Some(3), Some("1000"))
        );
        let b = &page.images[1];
        assert_eq!((b.image_type, b.status, b.creator.as_deref()), (Some(2), None, Some("9")));
    }

    #[test]
    fn missing_fields_are_absent() {
        let p = page(r#"{"code":0,"imageSet":[{"unImgId":"img-a","imageName":null}]}"#);
        assert_eq!(p.total_count, None);
        assert_eq!(p.images, [Image { image_id: "img-a".into(), ..Image::default() }]);
        assert_eq!(page(r#"{"code":0,"totalCount":0}"#).images, []);
        assert_eq!(page(r#"{"code":0,"totalCount":-5,"imageSet":null}"#).total_count, None);
        assert_eq!(page(r#"{"imageSet":[]}"#), Page::default(), "no code but an imageSet");
        let alias = page(r#"{"code":0,"imageSet":[{"unImageId":"img-z"}]}"#);
        assert_eq!(alias.images[0].image_id, "img-z");
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        let cases: &[(&str, &str)] = &[
            (r#"{"code":0,"imageSet":"img-a"}"#, "imageSet is not a list"),
            (r#"{"code":0,"imageSet":[1]}"#, "imageSet[0] is not an object"),
            (r#"{"code":0,"imageSet":[{"imageName":"x"}]}"#, "imageSet[0] has no unImgId"),
            (r#"{"code":0,"imageSet":[{"unImgId":""}]}"#, "has no unImgId"),
            (r#"{"message":"hi"}"#, "no code field"),
        ];
        for (body, needle) in cases {
            let problem = parsed(body).expect_err("a wrong shape");
            assert!(problem.contains(needle), "{body}: {problem}");
        }
    }
}
