//! Finding a catalog entry from what a user wrote: a full name, an unambiguous short form, or
//! nothing, with suggestions.
//!
//! Names are compared as words ([`words`]): lower case, parentheses dropped, the word size
//! written one way (`64-bit`, `64bit` and `64 bit` are all `64`) and the architecture too
//! (`arm`, `aarch64` are `arm64`; `amd64`, `x64` are `x86_64`).
//!
//! 1. A name whose words are exactly an entry's name words is that entry.
//! 2. Otherwise every word given must match a different word of an entry's name or its
//!    architecture, in any order; a version matches itself and the longer versions it starts
//!    (`14.04` matches `14.04.1`, `7` matches `7.2`, never `72`). One entry matching is the
//!    answer; several are ambiguous.
//! 3. None: suggestions, entries of the same OS family first (nearest version first), then
//!    any entry whose name is close enough.
//!
//! Pure string matching: must not depend on Terraform values, the API client or I/O.

use super::catalog::CatalogEntry;
use super::image_name::{is_version_number, name_key, version_numbers, words};

/// How many suggestions an unknown name gets at most.
pub const MAX_SUGGESTIONS: usize = 3;

/// Below this similarity (0 to 1) an entry of another family is not worth suggesting.
const MIN_SIMILARITY: f64 = 0.5;

/// What a name given by a user stands for in a catalog.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution<'a> {
    /// Exactly one entry: the full name, or a short form only it fits.
    Found(&'a CatalogEntry),
    /// A short form that fits several entries, in catalog order.
    Ambiguous(Vec<&'a CatalogEntry>),
    /// Nothing fits: up to [`MAX_SUGGESTIONS`] entries to suggest, best first.
    Unknown(Vec<&'a CatalogEntry>),
}

/// The entry of `entries` that `name` stands for (see the module docs for the rules).
pub fn resolve<'a>(entries: &'a [CatalogEntry], name: &str) -> Resolution<'a> {
    let wanted = words(name);
    if wanted.is_empty() {
        return Resolution::Unknown(Vec::new());
    }
    if let Some(entry) = entries.iter().find(|entry| words(&entry.name) == wanted) {
        return Resolution::Found(entry);
    }
    let fits: Vec<&CatalogEntry> =
        entries.iter().filter(|entry| fits_short_form(&wanted, entry)).collect();
    match fits.as_slice() {
        [one] => Resolution::Found(one),
        [] => Resolution::Unknown(suggestions(entries, &wanted)),
        _ => Resolution::Ambiguous(fits),
    }
}

/// Whether every word of `wanted` matches a different word of the entry's name or
/// architecture.
fn fits_short_form(wanted: &[String], entry: &CatalogEntry) -> bool {
    let mut available = words(&entry.name);
    let architecture = entry.architecture.as_str().to_string();
    if !available.contains(&architecture) {
        available.push(architecture);
    }
    let mut used = vec![false; available.len()];
    wanted.iter().all(|word| {
        let exact = (0..available.len()).find(|&i| !used[i] && available[i] == *word);
        let found = exact.or_else(|| {
            (0..available.len()).find(|&i| !used[i] && starts_version(&available[i], word))
        });
        found.map(|i| used[i] = true).is_some()
    })
}

/// Whether `version` is `prefix` followed by more dot-separated numbers (`14.04.1` starts
/// `14.04`; `72` does not start `7`).
fn starts_version(version: &str, prefix: &str) -> bool {
    is_version_number(version)
        && is_version_number(prefix)
        && version.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.'))
}

/// Entries to suggest for `wanted`, best first: the same OS family first (an entry whose
/// family's first word is among the words given), nearest version first; then entries of
/// other families whose names are close enough. Ties keep catalog order.
fn suggestions<'a>(entries: &'a [CatalogEntry], wanted: &[String]) -> Vec<&'a CatalogEntry> {
    let query = wanted.join(" ");
    // The version asked for: the first number that is not a word size (`64-bit` reads `64`).
    let numbers = || wanted.iter().filter(|w| is_version_number(w));
    let version =
        numbers().find(|w| !matches!(w.as_str(), "32" | "64")).or_else(|| numbers().next());
    let version = version.map(|w| version_numbers(w));
    let mut scored: Vec<Score<'a>> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let family = words(&entry.os_family);
            let same_family = family.first().is_some_and(|first| wanted.contains(first));
            Score {
                same_family,
                distance: version.as_deref().map(|v| version_distance(v, &entry.os_version)),
                similarity: similarity(&query, &name_key(&entry.name)),
                index,
                entry,
            }
        })
        .filter(|score| score.same_family || score.similarity >= MIN_SIMILARITY)
        .collect();
    scored.sort_by(|a, b| {
        b.same_family
            .cmp(&a.same_family)
            .then_with(|| {
                if a.same_family { a.distance.cmp(&b.distance) } else { std::cmp::Ordering::Equal }
            })
            .then_with(|| b.similarity.total_cmp(&a.similarity))
            .then_with(|| a.index.cmp(&b.index))
    });
    scored.into_iter().take(MAX_SUGGESTIONS).map(|score| score.entry).collect()
}

struct Score<'a> {
    same_family: bool,
    distance: Option<Vec<u64>>,
    similarity: f64,
    index: usize,
    entry: &'a CatalogEntry,
}

/// How far `version` is from the version numbers given, number by number (major first).
fn version_distance(given: &[u64], version: &str) -> Vec<u64> {
    let numbers = version_numbers(version);
    given
        .iter()
        .enumerate()
        .map(|(i, n)| n.abs_diff(numbers.get(i).copied().unwrap_or(0)))
        .collect()
}

/// How alike a query and a name key are, from 0 to 1: the mean of their Jaro-Winkler
/// similarity (typos, shared beginnings), their Sørensen-Dice bigram similarity (shared pieces
/// such as `7.2`), and the share of query words found inside the name's words.
fn similarity(query: &str, name: &str) -> f64 {
    let words: Vec<&str> = query.split(' ').filter(|w| !w.is_empty()).collect();
    let found = words.iter().filter(|w| name.split(' ').any(|n| n.contains(**w))).count();
    let coverage = if words.is_empty() { 0.0 } else { found as f64 / words.len() as f64 };
    (strsim::jaro_winkler(query, name) + strsim::sorensen_dice(query, name) + coverage) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::catalog::entries;

    fn entry(name: &str, id: &str) -> CatalogEntry {
        CatalogEntry::from_name(name, id).expect(name)
    }

    fn found(name: &str) -> Option<&'static str> {
        match resolve(entries(), name) {
            Resolution::Found(entry) => Some(entry.id.as_str()),
            _ => None,
        }
    }

    fn names<'a>(list: &[&'a CatalogEntry]) -> Vec<&'a str> {
        list.iter().map(|entry| entry.name.as_str()).collect()
    }

    #[test]
    fn every_catalog_name_finds_its_own_entry() {
        for entry in entries() {
            assert_eq!(found(&entry.name), Some(entry.id.as_str()), "{}", entry.name);
            assert_eq!(
                found(&entry.name.to_uppercase()),
                Some(entry.id.as_str()),
                "{}",
                entry.name
            );
        }
    }

    #[test]
    fn unambiguous_short_forms_resolve() {
        let cases = [
            ("CentOS 7.2", "img-31tjrtph"),
            ("debian 8.2 64", "img-hi93l4ht"),
            ("CentOS7.2 64-bit", ""),
            ("ubuntu 14.04 32", "img-qpxvpujt"),
            ("Ubuntu 14.04.1 LTS 64-bit", "img-3wnd9xpl"),
            ("ubuntu 12.04 docker", "img-aa9z7opt"),
            ("64-bit centos 7.2", "img-31tjrtph"),
            ("windows 2012 r2 datacenter chinese", "img-29hl923v"),
        ];
        for (name, id) in cases {
            let want = (!id.is_empty()).then_some(id);
            assert_eq!(found(name), want, "{name:?}");
        }
    }

    #[test]
    fn short_forms_name_the_architecture_in_any_spelling() {
        for name in ["ubuntu 14.04 64-bit", "Ubuntu 14.04 x86_64", "ubuntu 14.04 amd64"] {
            assert_eq!(found(name), Some("img-3wnd9xpl"), "{name}");
        }
        for name in ["ubuntu 14.04 32-bit", "Ubuntu 14.04 i386", "ubuntu 14.04 32bit"] {
            assert_eq!(found(name), Some("img-qpxvpujt"), "{name}");
        }
        // The shipped catalog has no arm64 build; a rebuilt one may.
        let list = [
            entry("Ubuntu Server 22.04 LTS 64-bit", "img-aaaaaaa1"),
            entry("Ubuntu Server 22.04 LTS ARM64", "img-aaaaaaa2"),
        ];
        for name in ["ubuntu 22.04 64-bit", "Ubuntu 22.04 x86_64", "ubuntu 22.04 amd64"] {
            assert_eq!(resolve(&list, name), Resolution::Found(&list[0]), "{name}");
        }
        for name in ["ubuntu 22.04 arm64", "Ubuntu 22.04 ARM", "ubuntu 22.04 aarch64"] {
            assert_eq!(resolve(&list, name), Resolution::Found(&list[1]), "{name}");
        }
        let both = Resolution::Ambiguous(vec![&list[0], &list[1]]);
        assert_eq!(resolve(&list, "ubuntu 22.04"), both);
    }

    #[test]
    fn an_ambiguous_short_form_lists_every_candidate_in_catalog_order() {
        let Resolution::Ambiguous(fits) = resolve(entries(), "Ubuntu 14.04") else {
            panic!("ambiguous")
        };
        assert_eq!(
            names(&fits),
            ["Ubuntu Server 14.04.1 LTS 32-bit", "Ubuntu Server 14.04.1 LTS 64-bit"]
        );
        let Resolution::Ambiguous(fits) = resolve(entries(), "windows 2012 r2 datacenter") else {
            panic!("ambiguous")
        };
        assert_eq!(
            names(&fits),
            [
                "Windows Server 2012 R2 Datacenter Edition 64-bit Chinese",
                "Windows Server 2012 R2 Datacenter Edition 64-bit English"
            ]
        );
        let Resolution::Ambiguous(fits) = resolve(entries(), "centos 7") else {
            panic!("ambiguous")
        };
        assert_eq!(names(&fits), ["CentOS 7.0 64-bit", "CentOS 7.1 64-bit", "CentOS 7.2 64-bit"]);
    }

    #[test]
    fn a_version_matches_longer_versions_only_at_a_dot() {
        assert!(starts_version("14.04.1", "14.04"));
        assert!(starts_version("7.2", "7"));
        assert!(!starts_version("72", "7"));
        assert!(!starts_version("7.2", "7.2"));
        assert!(!starts_version("7.21", "7.2"));
        assert!(!starts_version("r2", "r"));
    }

    #[test]
    fn a_word_given_twice_needs_two_words() {
        let list = [entry("CentOS 7.2 64-bit", "img-aaaaaaa1")];
        assert_eq!(resolve(&list, "centos centos 7.2"), Resolution::Unknown(vec![&list[0]]));
        assert_eq!(resolve(&list, "centos 7.2"), Resolution::Found(&list[0]));
    }

    #[test]
    fn suggestions_rank_the_same_family_first_nearest_version_first() {
        let Resolution::Unknown(got) = resolve(entries(), "Ubuntu 22.04") else {
            panic!("unknown")
        };
        assert_eq!(
            names(&got),
            [
                "Ubuntu Server 14.04.1 LTS 32-bit",
                "Ubuntu Server 14.04.1 LTS 64-bit",
                "Ubuntu Server 12.04 LTS 64-bit (Docker)"
            ]
        );
        let Resolution::Unknown(got) = resolve(entries(), "CentOS 7.3 64-bit") else {
            panic!("unknown")
        };
        assert_eq!(got.first().map(|e| e.name.as_str()), Some("CentOS 7.2 64-bit"));
        assert!(got.iter().all(|e| e.os_family == "CentOS"), "{:?}", names(&got));
        let Resolution::Unknown(again) = resolve(entries(), "64-bit CentOS 7.3") else {
            panic!("unknown")
        };
        assert_eq!(again, got, "the word size is not the version asked for");
    }

    #[test]
    fn suggestions_without_a_family_fall_back_to_similar_names() {
        let Resolution::Unknown(got) = resolve(entries(), "CentOS7.2 64-bit") else {
            panic!("unknown")
        };
        assert_eq!(got.first().map(|e| e.name.as_str()), Some("CentOS 7.2 64-bit"));
        assert_eq!(resolve(entries(), "zzzzzzzzzzzzzzzzzzzz"), Resolution::Unknown(Vec::new()));
        assert_eq!(resolve(entries(), "   "), Resolution::Unknown(Vec::new()));
    }

    #[test]
    fn suggestions_are_deterministic_and_at_most_three() {
        let first = resolve(entries(), "centos 6.9");
        assert_eq!(first, resolve(entries(), "centos 6.9"));
        let Resolution::Unknown(got) = first else { panic!("unknown") };
        assert_eq!(names(&got), ["CentOS 6.7 32-bit", "CentOS 6.7 64-bit", "CentOS 6.6 32-bit"]);
    }

    #[test]
    fn a_newer_catalog_can_make_a_short_form_ambiguous_but_never_another_image() {
        assert_eq!(found("FreeBSD 10"), Some("img-871lthrb"), "the shipped catalog");
        let old = [entry("FreeBSD 10.1 64-bit", "img-871lthrb")];
        let new = [
            entry("FreeBSD 10.1 64-bit", "img-871lthrb"),
            entry("FreeBSD 10.3 64-bit", "img-aaaaaaa2"),
        ];
        assert_eq!(resolve(&old, "freebsd 10"), Resolution::Found(&old[0]));
        assert_eq!(resolve(&new, "freebsd 10"), Resolution::Ambiguous(vec![&new[0], &new[1]]));
        assert_eq!(resolve(&new, "FreeBSD 10.1 64-bit"), Resolution::Found(&new[0]));
    }
}
