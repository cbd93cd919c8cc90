//! The data source `id`: a stable hash of the region and the normalized query, so the same
//! query gives the same id whatever images it finds.
//!
//! Pure: depends on the validated query only, never on results.

use sha2::{Digest, Sha256};

use super::config::Lookup;

/// The form of lookups of one type without API 3.0 filters: unchanged since the first
/// release, so their ids stay what they were.
const ONE_TYPE: &str = "qcloud_images/1";
/// The form of every other lookup (several or no types, API 3.0 filters).
const ANY_TYPES: &str = "qcloud_images/2";

/// The hex SHA-256 of the region and the normalized query.
pub fn query_id(region: &str, query: &Lookup) -> String {
    // A JSON array: unambiguous (strings are escaped) and ordered by construction.
    let filter = &query.filter;
    let selection = serde_json::json!([
        query.name_regex.as_ref().map(regex::Regex::as_str),
        query.os_name.as_deref().map(str::to_lowercase),
        query.most_recent,
        query.sort_ascending,
        query.max_results,
    ]);
    let status = filter.status.map_or(0, |status| status.code());
    let plain = !filter.uses_api_3_0_filters() && !filter.include_deprecated;
    let mut normalized = match filter.image_types.as_slice() {
        [only] if plain => {
            serde_json::json!([ONE_TYPE, region, only.code(), filter.image_ids, status])
        }
        types => {
            let codes: Vec<u8> = types.iter().map(|t| t.code()).collect();
            serde_json::json!([
                ANY_TYPES,
                region,
                codes,
                filter.image_ids,
                status,
                filter.instance_type,
                filter.platform,
                filter.tags,
                filter.include_deprecated,
            ])
        }
    };
    if let (Some(parts), serde_json::Value::Array(rest)) = (normalized.as_array_mut(), selection) {
        parts.extend(rest);
    }
    hex::encode(Sha256::digest(normalized.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::Value;
    use crate::data_sources::images::schema::attr;
    use crate::data_sources::images::test_support::{config, strings};

    fn id(region: &str, pairs: &[(&str, Value)]) -> String {
        let query = Lookup::from_config(&config(pairs)).expect("valid config");
        query_id(region, &query)
    }

    fn public() -> (&'static str, Value) {
        (attr::IMAGE_TYPE, "public".into())
    }

    #[test]
    fn same_query_in_any_spelling_gives_the_same_id() {
        let base = id(
            "ap-guangzhou",
            &[public(), (attr::IMAGE_IDS, strings(&["img-aaaaaaaa", "img-bbbbbbbb"]))],
        );
        assert_eq!(base.len(), 64);
        assert!(base.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let same = [
            vec![
                (attr::IMAGE_TYPE, "2".into()),
                (attr::IMAGE_IDS, strings(&["img-bbbbbbbb", "img-aaaaaaaa"])),
            ],
            vec![
                (attr::IMAGE_TYPE, "PUBLIC".into()),
                (attr::IMAGE_IDS, strings(&["img-aaaaaaaa", "img-bbbbbbbb", "img-aaaaaaaa"])),
            ],
            vec![
                public(),
                (attr::IMAGE_IDS, strings(&["img-aaaaaaaa", "img-bbbbbbbb"])),
                (attr::STATUS, "0".into()),
            ],
            vec![
                public(),
                (attr::IMAGE_IDS, strings(&["img-aaaaaaaa", "img-bbbbbbbb"])),
                (attr::RESULT_OUTPUT_FILE, "x.json".into()),
            ],
        ];
        for pairs in same {
            assert_eq!(id("ap-guangzhou", &pairs), base, "{pairs:?}");
        }
    }

    #[test]
    fn os_name_case_does_not_change_the_id() {
        assert_eq!(
            id("ap-guangzhou", &[public(), (attr::OS_NAME, "CentOS".into())]),
            id("ap-guangzhou", &[public(), (attr::OS_NAME, "centos".into())]),
        );
    }

    #[test]
    fn every_part_of_the_query_changes_the_id() {
        let base = id("ap-guangzhou", &[public()]);
        let different: Vec<Vec<(&str, Value)>> = vec![
            vec![(attr::IMAGE_TYPE, "private".into())],
            vec![public(), (attr::IMAGE_IDS, strings(&["img-aaaaaaaa"]))],
            vec![public(), (attr::STATUS, "normal".into())],
            vec![public(), (attr::NAME_REGEX, "^a".into())],
            vec![(attr::IMAGE_TYPES, strings(&["public", "private"]))],
            vec![public(), (attr::PLATFORM, "Ubuntu".into())],
            vec![public(), (attr::INSTANCE_TYPE, "S5.MEDIUM4".into())],
            vec![public(), (attr::INCLUDE_DEPRECATED, true.into())],
            vec![public(), (attr::OS_NAME, "centos".into())],
            vec![public(), (attr::MOST_RECENT, true.into())],
            vec![public(), (attr::SORT_ASCENDING, true.into())],
            vec![public(), (attr::MAX_RESULTS, 5.into())],
        ];
        let mut seen = std::collections::HashSet::from([base.clone()]);
        for pairs in different {
            assert!(seen.insert(id("ap-guangzhou", &pairs)), "{pairs:?} collides");
        }
        assert_ne!(id("ap-shanghai", &[public()]), base);
    }

    #[test]
    fn one_type_gives_the_same_id_however_it_is_named() {
        let one = id("ap-guangzhou", &[public()]);
        assert_eq!(one, id("ap-guangzhou", &[(attr::IMAGE_TYPES, strings(&["public"]))]));
        let two = id("ap-guangzhou", &[(attr::IMAGE_TYPES, strings(&["public", "private"]))]);
        let same = id("ap-guangzhou", &[(attr::IMAGE_TYPES, strings(&["1", "public", "private"]))]);
        assert_eq!(two, same);
    }

    #[test]
    fn id_is_pinned() {
        // Golden value: a change here changes every existing data source id.
        let query = Lookup::from_config(&config(&[public()])).expect("valid");
        // sha256 of ["qcloud_images/1","ap-guangzhou",2,[],0,null,null,false,false,null]
        assert_eq!(
            query_id("ap-guangzhou", &query),
            "21807fa998b1aa6877e0063161d748bead292040d48b5448fddbf295a07150df"
        );
    }
}
