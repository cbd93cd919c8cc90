//! The built-in catalog of well-known public images: names, ids, forgiving lookup and
//! "did you mean" suggestions.
//!
//! Pure data and string matching: no Terraform values, no I/O.

use std::sync::LazyLock;

/// The catalog as shipped: a header line, then `name<TAB>id` per line.
const CATALOG_TSV: &str = include_str!("../../data/public-images.tsv");

/// How many suggestions an unknown name gets at most.
const MAX_SUGGESTIONS: usize = 3;

/// Below this similarity (0 to 1) a catalog name is not worth suggesting.
const MIN_SIMILARITY: f64 = 0.5;

/// One well-known public image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The name as written in the catalog, e.g. `CentOS 7.2 64-bit`.
    pub name: &'static str,
    /// The image id, e.g. `img-31tjrtph`.
    pub id: &'static str,
    /// `name` in the form lookups compare: lower case, single spaces.
    normalized: String,
}

static CATALOG: LazyLock<Vec<CatalogEntry>> = LazyLock::new(|| parse(CATALOG_TSV));

/// Every catalog entry, in catalog order.
pub fn entries() -> &'static [CatalogEntry] {
    &CATALOG
}

/// The entry whose name matches `name`, ignoring case and repeated, leading or trailing spaces.
pub fn lookup(name: &str) -> Option<&'static CatalogEntry> {
    let wanted = normalize(name);
    entries().iter().find(|entry| entry.normalized == wanted)
}

/// Up to three catalog names closest to `name`, closest first.
pub fn suggestions(name: &str) -> Vec<&'static str> {
    let wanted = normalize(name);
    let mut scored: Vec<(f64, usize)> = entries()
        .iter()
        .enumerate()
        .map(|(index, entry)| (similarity(&wanted, &entry.normalized), index))
        .filter(|(score, _)| *score >= MIN_SIMILARITY)
        .collect();
    // Highest score first; catalog order breaks ties so the answer never varies.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(MAX_SUGGESTIONS).map(|(_, index)| entries()[index].name).collect()
}

/// How alike a normalized query and a normalized catalog name are, from 0 to 1: the mean of
/// their Jaro-Winkler similarity (typos, shared beginnings), their Sørensen-Dice bigram
/// similarity (shared pieces such as `7.2`), and the share of query words found inside the
/// name's words (so `windows 2012 english` still finds the long Windows names).
fn similarity(wanted: &str, name: &str) -> f64 {
    let words: Vec<&str> = wanted.split(' ').filter(|w| !w.is_empty()).collect();
    let found = words.iter().filter(|w| name.split(' ').any(|n| n.contains(**w))).count();
    let coverage = if words.is_empty() { 0.0 } else { found as f64 / words.len() as f64 };
    (strsim::jaro_winkler(wanted, name) + strsim::sorensen_dice(wanted, name) + coverage) / 3.0
}

/// The form names are compared in: lower case, words separated by single spaces.
pub fn normalize(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Parses the shipped TSV; lines without a tab (blank lines) are skipped.
fn parse(tsv: &'static str) -> Vec<CatalogEntry> {
    tsv.lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, id)| {
            let (name, id) = (name.trim(), id.trim());
            CatalogEntry { name, id, normalized: normalize(name) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn shipped_catalog_has_every_entry_with_a_well_formed_id() {
        assert_eq!(entries().len(), 38);
        for entry in entries() {
            let suffix = entry.id.strip_prefix("img-").unwrap_or("");
            assert_eq!(suffix.len(), 8, "{}", entry.id);
            assert!(suffix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
            assert!(!entry.name.is_empty());
        }
    }

    #[test]
    fn names_are_unique_after_normalization() {
        let names: HashSet<&str> = entries().iter().map(|e| e.normalized.as_str()).collect();
        assert_eq!(names.len(), entries().len());
    }

    #[test]
    fn lookup_ignores_case_and_spacing() {
        let cases = [
            ("CentOS 7.2 64-bit", Some("img-31tjrtph")),
            ("centos 7.2 64-BIT", Some("img-31tjrtph")),
            ("  CentOS   7.2\t64-bit  ", Some("img-31tjrtph")),
            ("Ubuntu Server 14.04.1 LTS 64-bit", Some("img-3wnd9xpl")),
            ("Ubuntu Server 12.04 LTS 64-bit (Docker)", Some("img-aa9z7opt")),
            ("CentOS 7.2", None),
            ("CentOS7.2 64-bit", None),
            ("", None),
        ];
        for (name, id) in cases {
            assert_eq!(lookup(name).map(|e| e.id), id, "{name:?}");
        }
    }

    #[test]
    fn suggestions_name_the_closest_entries_first() {
        let got = suggestions("CentOS 7.2 64bit");
        assert_eq!(got.first(), Some(&"CentOS 7.2 64-bit"));
        assert!(got.len() <= 3);

        let got = suggestions("debian 8.2 64");
        assert_eq!(got.first(), Some(&"Debian 8.2 64-bit"));

        let got = suggestions("centos 7.2");
        assert_eq!(got, ["CentOS 7.2 64-bit", "CentOS 7.0 64-bit", "CentOS 7.1 64-bit"]);
    }

    #[test]
    fn suggestions_find_long_names_from_a_few_words() {
        let got = suggestions("windows 2012 english");
        assert_eq!(got.len(), 3);
        assert!(got[..2].iter().all(|name| name.ends_with("64-bit English")), "{got:?}");
    }

    #[test]
    fn suggestions_are_empty_for_something_unrelated() {
        assert!(suggestions("zzzzzzzzzzzzzzzzzzzz").is_empty());
    }

    #[test]
    fn suggestions_are_deterministic() {
        assert_eq!(suggestions("centos 6"), suggestions("centos 6"));
        assert_eq!(suggestions("centos 6").len(), 3);
    }
}
