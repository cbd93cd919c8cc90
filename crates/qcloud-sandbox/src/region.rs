//! The regions the sandbox serves: Tencent Cloud's region names, the short names API 2.0 also
//! took (`gz`, `bj`, ...), and any a sandbox is started with (`--region`), since new regions
//! open from time to time. A request for another region is refused, as the API refuses it.
//!
//! Plain data: must not depend on HTTP, on the server, or on either version's error shape.

use std::fmt;

/// Tencent Cloud's region names, as `Region` (API 2.0) and `X-TC-Region` (API 3.0) take them.
pub const REGIONS: [&str; 20] = [
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

/// The short names API 2.0 took besides the long ones, and the region each stands for.
pub const SHORT_NAMES: [(&str, &str); 20] = [
    ("bj", "ap-beijing"),
    ("ca", "na-toronto"),
    ("cd", "ap-chengdu"),
    ("cq", "ap-chongqing"),
    ("de", "eu-frankfurt"),
    ("gz", "ap-guangzhou"),
    ("hk", "ap-hongkong"),
    ("in", "ap-mumbai"),
    ("jkt", "ap-jakarta"),
    ("jp", "ap-tokyo"),
    ("kr", "ap-seoul"),
    ("nj", "ap-nanjing"),
    ("sao", "sa-saopaulo"),
    ("sg", "ap-singapore"),
    ("sh", "ap-shanghai"),
    ("shjr", "ap-shanghai-fsi"),
    ("szjr", "ap-shenzhen-fsi"),
    ("th", "ap-bangkok"),
    ("use", "na-ashburn"),
    ("usw", "na-siliconvalley"),
];

/// The regions one sandbox accepts: the built-in list and any added.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Regions {
    added: Vec<String>,
}

/// A region the sandbox does not serve; its `Display` names the nearest ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRegion {
    /// The region as sent.
    pub region: String,
    /// The closest known names, best first.
    pub closest: Vec<String>,
}

impl Regions {
    /// The built-in regions and `added` (e.g. a region opened after this list was written).
    pub fn with_added(added: impl IntoIterator<Item = String>) -> Self {
        Self { added: added.into_iter().collect() }
    }

    /// Every region name accepted by API 3.0, built-in ones first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        REGIONS.into_iter().chain(self.added.iter().map(String::as_str))
    }

    /// The region an API 3.0 request names: exactly one of [`Self::names`].
    pub fn resolve_3_0(&self, region: &str) -> Result<String, UnknownRegion> {
        match self.names().find(|name| *name == region) {
            Some(name) => Ok(name.to_owned()),
            None => Err(self.unknown(region)),
        }
    }

    /// The region an API 2.0 request names: one of [`Self::names`] or a short name
    /// ([`SHORT_NAMES`]), as its long name.
    pub fn resolve_2_0(&self, region: &str) -> Result<String, UnknownRegion> {
        match SHORT_NAMES.iter().find(|(short, _)| *short == region) {
            Some((_, long)) => Ok((*long).to_owned()),
            None => self.resolve_3_0(region),
        }
    }

    fn unknown(&self, region: &str) -> UnknownRegion {
        let wanted = region.to_ascii_lowercase();
        let mut scored: Vec<(usize, &str)> =
            self.names().map(|name| (strsim::levenshtein(&wanted, name), name)).collect();
        scored.sort_unstable();
        let best = scored.first().map_or(0, |(distance, _)| *distance);
        let closest = scored
            .iter()
            .take_while(|(distance, _)| *distance <= best.max(1) + 1)
            .take(3)
            .map(|(_, name)| (*name).to_owned())
            .collect();
        UnknownRegion { region: region.to_owned(), closest }
    }
}

impl fmt::Display for UnknownRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a Tencent Cloud region", self.region)?;
        if !self.closest.is_empty() {
            write!(f, "; did you mean {}?", self.closest.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_serve_both_versions_and_short_names_only_2_0() {
        let regions = Regions::default();
        for name in REGIONS {
            assert_eq!(regions.resolve_3_0(name).as_deref(), Ok(name));
            assert_eq!(regions.resolve_2_0(name).as_deref(), Ok(name));
        }
        assert_eq!(regions.resolve_2_0("gz").as_deref(), Ok("ap-guangzhou"));
        assert_eq!(regions.resolve_2_0("ca").as_deref(), Ok("na-toronto"));
        assert!(regions.resolve_3_0("gz").is_err(), "API 3.0 takes long names only");
        for (_, long) in SHORT_NAMES {
            assert!(REGIONS.contains(&long), "{long}");
        }
    }

    #[test]
    fn unknown_regions_name_the_closest() {
        let regions = Regions::default();
        let unknown = regions.resolve_3_0("ap-guangzou").expect_err("a typo");
        assert_eq!(unknown.closest.first().map(String::as_str), Some("ap-guangzhou"));
        assert!(unknown.to_string().contains("did you mean ap-guangzhou"), "{unknown}");
        assert!(regions.resolve_3_0("AP-GUANGZHOU").is_err(), "names are lower-case");
        assert!(regions.resolve_3_0("").is_err());
    }

    #[test]
    fn added_regions_are_accepted() {
        let regions = Regions::with_added(["ap-newcity".to_owned()]);
        assert_eq!(regions.resolve_3_0("ap-newcity").as_deref(), Ok("ap-newcity"));
        assert_eq!(regions.names().count(), REGIONS.len() + 1);
        assert!(Regions::default().resolve_3_0("ap-newcity").is_err());
    }
}
