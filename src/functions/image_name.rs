//! What a public image's name says about it: its OS family, version and architecture, and the
//! words names are compared by.
//!
//! One set of rules, used when the catalog is rebuilt (to fill its columns) and when it is
//! checked (every row must agree with its name), by the ordering of catalog entries, and by
//! lookups.
//!
//! Pure string work: must not depend on Terraform values, the API client or I/O.

use std::cmp::Ordering;
use std::fmt;

/// The machine architecture an image is built for, as the catalog writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Architecture {
    /// 64-bit x86 (`x86_64`): the default when a name says nothing else.
    X86_64,
    /// 64-bit ARM (`arm64`): names that say `ARM64`, `ARM` or `aarch64`.
    Arm64,
    /// 32-bit x86 (`i386`): names that say `32-bit`. Such images run on x86_64 instances.
    I386,
}

impl Architecture {
    /// Every architecture with the word the catalog writes for it.
    const TABLE: [(Self, &'static str); 3] =
        [(Self::X86_64, "x86_64"), (Self::Arm64, "arm64"), (Self::I386, "i386")];

    /// `x86_64`, `arm64` or `i386`.
    pub fn as_str(self) -> &'static str {
        Self::TABLE.iter().find(|row| row.0 == self).map_or("x86_64", |row| row.1)
    }

    /// The architecture the catalog word `text` names, if it names one.
    pub fn from_catalog_word(text: &str) -> Option<Self> {
        Self::TABLE.iter().find(|row| row.1 == text).map(|row| row.0)
    }

    /// The architecture an image name states: ARM when a word says `ARM64`, `ARM` or
    /// `aarch64`; 32-bit x86 when a word says `32-bit`; otherwise x86_64.
    pub fn of_name(name: &str) -> Self {
        let words: Vec<String> = name.split_whitespace().map(bare_word).collect();
        if words.iter().any(|w| matches!(w.as_str(), "arm" | "arm64" | "aarch64")) {
            Self::Arm64
        } else if words.iter().any(|w| matches!(w.as_str(), "32-bit" | "32bit")) {
            Self::I386
        } else {
            Self::X86_64
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The columns the catalog derives from an image name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    /// The words before the version, without a trailing `Server`: `CentOS`, `Ubuntu`,
    /// `Windows`, `Rocky Linux`, `SUSE Linux Enterprise`.
    pub os_family: String,
    /// The first word made of digits and dots, with the release words right after it (`R2`,
    /// `SP3`): `7.2`, `14.04.1`, `2012 R2`, `11 SP3`.
    pub os_version: String,
    /// See [`Architecture::of_name`].
    pub architecture: Architecture,
}

/// The family, version and architecture `name` states; `None` when it has no version number
/// (a word of digits and dots) or no words before it.
///
/// `"Ubuntu Server 14.04.1 LTS 32-bit"` gives `Ubuntu`, `14.04.1`, `i386`;
/// `"Windows Server 2012 R2 Datacenter Edition 64-bit English"` gives `Windows`, `2012 R2`,
/// `x86_64`; `"TencentOS Server 4 ARM64"` gives `TencentOS`, `4`, `arm64`.
pub fn describe(name: &str) -> Option<NameParts> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let at = words.iter().position(|word| is_version_number(word))?;
    let mut family = &words[..at];
    if family.len() > 1 && family.last().is_some_and(|w| w.eq_ignore_ascii_case("server")) {
        family = &family[..family.len() - 1];
    }
    if family.is_empty() {
        return None;
    }
    let release = words[at + 1..].iter().take_while(|word| is_release_word(word));
    let version: Vec<&str> = std::iter::once(words[at]).chain(release.copied()).collect();
    Some(NameParts {
        os_family: family.join(" "),
        os_version: version.join(" "),
        architecture: Architecture::of_name(name),
    })
}

/// Whether `word` is a version number: digits, optionally in dot-separated groups (`7`,
/// `14.04.1`, `2012`). Word sizes such as `64-bit` are not.
pub fn is_version_number(word: &str) -> bool {
    word.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `word` qualifies the version before it: `R2`, `SP1`.
fn is_release_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["r", "sp"].iter().any(|prefix| {
        lower
            .strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A word in lower case without the parentheses around it: `(Docker)` → `docker`.
pub fn bare_word(word: &str) -> String {
    word.trim_matches(|c| c == '(' || c == ')').to_lowercase()
}

/// The words a name is compared by: lower case, parentheses dropped, the word size written one
/// way (`64-bit`, `64bit` and `64 bit` are all `64`), and the architecture too (`arm`,
/// `aarch64` are `arm64`; `amd64`, `x64` are `x86_64`).
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(bare_word).filter_map(|word| canonical(&word)).collect()
}

/// A name in the form names are compared in: its [`words`] joined by single spaces. Two names
/// with the same key are the same name to lookups, so a catalog's keys are unique.
pub fn name_key(name: &str) -> String {
    words(name).join(" ")
}

fn canonical(word: &str) -> Option<String> {
    if word.is_empty() || word == "bit" || word == "-bit" {
        return None;
    }
    let size = word.strip_suffix("-bit").or_else(|| word.strip_suffix("bit"));
    if let Some(size) = size.filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
        return Some(size.to_string());
    }
    let word = match word {
        "arm" | "aarch64" => "arm64",
        "amd64" | "x64" => "x86_64",
        other => other,
    };
    Some(word.to_string())
}

/// Compares two versions as people read them: digit groups as numbers (`8.10` after `8.9`),
/// other words (`R2`, `SP3`) as text, ignoring case; a version that is a prefix of another
/// comes first (`11` before `11 SP3`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    version_key(a).cmp(&version_key(b))
}

/// One piece of a version: numbers sort before words.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Piece {
    Number(u64),
    Word(String),
}

fn version_key(version: &str) -> Vec<Piece> {
    version
        .split(|c: char| c == '.' || c.is_whitespace())
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.parse::<u64>() {
            Ok(number) => Piece::Number(number),
            Err(_) => Piece::Word(piece.to_lowercase()),
        })
        .collect()
}

/// The leading numbers of a version (`14.04.1` → `[14, 4, 1]`, `2012 R2` → `[2012]`): how far
/// apart two versions are is measured on these.
pub fn version_numbers(version: &str) -> Vec<u64> {
    version_key(version)
        .into_iter()
        .map_while(|piece| match piece {
            Piece::Number(number) => Some(number),
            Piece::Word(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(name: &str) -> Option<(String, String, &'static str)> {
        describe(name).map(|p| (p.os_family, p.os_version, p.architecture.as_str()))
    }

    #[test]
    fn family_version_and_architecture_come_from_the_name() {
        let cases = [
            ("CentOS 5.8 32-bit", "CentOS", "5.8", "i386"),
            ("CentOS 7.2 64-bit", "CentOS", "7.2", "x86_64"),
            ("CentOS Stream 9 64-bit", "CentOS Stream", "9", "x86_64"),
            ("Ubuntu Server 14.04.1 LTS 32-bit", "Ubuntu", "14.04.1", "i386"),
            ("Ubuntu Server 12.04 LTS 64-bit (Docker)", "Ubuntu", "12.04", "x86_64"),
            ("Ubuntu Server 22.04 LTS ARM64", "Ubuntu", "22.04", "arm64"),
            ("TencentOS Server 3.1 (TK4) ARM64", "TencentOS", "3.1", "arm64"),
            ("TencentOS Server 4 64-bit", "TencentOS", "4", "x86_64"),
            (
                "SUSE Linux Enterprise Server 11 SP3 64-bit",
                "SUSE Linux Enterprise",
                "11 SP3",
                "x86_64",
            ),
            (
                "Windows Server 2008 R2 Enterprise Edition SP1 64-bit",
                "Windows",
                "2008 R2",
                "x86_64",
            ),
            ("Windows Server 2022 Datacenter Edition 64-bit Chinese", "Windows", "2022", "x86_64"),
            ("CoreOS 717.3.0 64-bit", "CoreOS", "717.3.0", "x86_64"),
            ("Rocky Linux 8.10 64-bit", "Rocky Linux", "8.10", "x86_64"),
            ("Debian 12.4 aarch64", "Debian", "12.4", "arm64"),
        ];
        for (name, family, version, architecture) in cases {
            let want = Some((family.to_string(), version.to_string(), architecture));
            assert_eq!(parts(name), want, "{name}");
        }
    }

    #[test]
    fn a_name_without_a_version_or_a_family_describes_nothing() {
        for name in ["", "Kylin V10 64-bit", "7.2 64-bit", "Arch Linux 64-bit"] {
            assert_eq!(describe(name), None, "{name:?}");
        }
    }

    #[test]
    fn versions_compare_by_their_numbers() {
        let mut versions =
            ["9.4", "8.10", "11 SP3", "8.9", "11", "2012 R2", "2012", "14.04.1", "14.04"];
        versions.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            versions,
            ["8.9", "8.10", "9.4", "11", "11 SP3", "14.04", "14.04.1", "2012", "2012 R2"]
        );
        assert_eq!(version_numbers("14.04.1"), [14, 4, 1]);
        assert_eq!(version_numbers("2012 R2"), [2012]);
    }

    #[test]
    fn words_ignore_case_spacing_parentheses_and_how_the_size_is_written() {
        let cases = [
            ("  CentOS   7.2\t64-bit ", "centos 7.2 64"),
            ("centos 7.2 64BIT", "centos 7.2 64"),
            ("CentOS 7.2 64 bit", "centos 7.2 64"),
            ("Ubuntu Server 12.04 LTS 64-bit (Docker)", "ubuntu server 12.04 lts 64 docker"),
            ("Debian 12 aarch64 ARM amd64 x64", "debian 12 arm64 arm64 x86_64 x86_64"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(name_key(text), want, "{text:?}");
        }
    }

    #[test]
    fn architecture_words_round_trip() {
        for architecture in [Architecture::X86_64, Architecture::Arm64, Architecture::I386] {
            assert_eq!(Architecture::from_catalog_word(architecture.as_str()), Some(architecture));
        }
        assert_eq!(Architecture::from_catalog_word("amd64"), None);
        assert_eq!(Architecture::of_name("Ubuntu 22.04 (arm)"), Architecture::Arm64);
        assert_eq!(Architecture::of_name("Windows Server 2012 R2 Standard"), Architecture::X86_64);
    }
}
