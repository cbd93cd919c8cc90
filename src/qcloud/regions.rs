//! The Tencent Cloud regions this client knows of, and the closest names to one it does not.
//!
//! The list is a hint, not a rule: regions appear over time, so an unknown name is worth a
//! warning, never a refusal. Pure data and string matching.

/// Region names as the API spells them.
pub const REGIONS: &[&str] = &[
    "ap-bangkok",
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-guangzhou",
    "ap-hongkong",
    "ap-jakarta",
    "ap-mumbai",
    "ap-nanjing",
    "ap-seoul",
    "ap-shanghai",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "na-ashburn",
    "na-siliconvalley",
    "na-toronto",
    "sa-saopaulo",
];

/// How many close names a suggestion offers at most.
const SUGGESTIONS: usize = 3;
/// Below this similarity (0 to 1) a known name is not worth suggesting.
const MIN_SIMILARITY: f64 = 0.7;

/// Whether `region` is one of [`REGIONS`].
pub fn is_known(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// Up to three known regions closest to `region`, closest first (ties in list order).
pub fn closest(region: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &str)> = REGIONS
        .iter()
        .map(|known| (strsim::jaro_winkler(region, known), *known))
        .filter(|(score, _)| *score >= MIN_SIMILARITY)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(SUGGESTIONS).map(|(_, name)| name).collect()
}

/// " Did you mean A, B?" with the regions closest to `region`, or nothing when none is close.
pub fn did_you_mean(region: &str) -> String {
    match closest(region).as_slice() {
        [] => String::new(),
        names => format!(" Did you mean {}?", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_are_known() {
        for region in ["ap-guangzhou", "na-siliconvalley", "ap-shanghai-fsi"] {
            assert!(is_known(region), "{region}");
        }
        assert!(!is_known("ap-guangzho") && !is_known("mars-north-1"));
        let mut sorted = REGIONS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, REGIONS, "kept sorted so the list reads well");
    }

    #[test]
    fn a_typo_gets_the_intended_region_first() {
        assert_eq!(closest("ap-guangzho").first(), Some(&"ap-guangzhou"));
        assert_eq!(closest("ap-shanghia").first(), Some(&"ap-shanghai"));
        assert_eq!(closest("na-silicon-valley").first(), Some(&"na-siliconvalley"));
        assert!(closest("mars-north-1").len() <= 3);
        assert!(closest("zzzzzzzzzzzzzzzzzzzz").is_empty());
    }
}
