//! `InstanceType`: which images instances of a type can boot. A type is `FAMILY.SIZE`, e.g.
//! `S5.MEDIUM4` or `SR1.LARGE8`; the family decides the architecture (ARM families boot only
//! `arm64` images, the others only `x86_64` ones). The sandbox knows a small table of real
//! families; a well-formed type of another family does not exist.
//!
//! Must not depend on HTTP types or on the server.

use std::fmt;

use super::error::{Code, Error};
use crate::model::Architecture;

/// Instance families and the architecture their instances have.
pub const FAMILIES: [(&str, Architecture); 13] = [
    ("S5", Architecture::X86_64),
    ("S6", Architecture::X86_64),
    ("S8", Architecture::X86_64),
    ("SA2", Architecture::X86_64),
    ("SA3", Architecture::X86_64),
    ("SA5", Architecture::X86_64),
    ("M5", Architecture::X86_64),
    ("M6", Architecture::X86_64),
    ("C5", Architecture::X86_64),
    ("C6", Architecture::X86_64),
    ("IT5", Architecture::X86_64),
    ("GN7", Architecture::X86_64),
    ("SR1", Architecture::Arm64),
];

/// A known instance type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceType {
    /// As sent, e.g. `SR1.MEDIUM4`.
    pub name: String,
    /// What its instances run.
    pub architecture: Architecture,
}

impl InstanceType {
    /// Reads `text`: `InvalidInstanceType.Malformed` when it is not `FAMILY.SIZE` (upper-case
    /// family, a size like `SMALL1`, `MEDIUM4`, `LARGE8` or `2XLARGE16`),
    /// `InvalidParameterValue.InstanceTypeNotFound` when the family does not exist.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let malformed = || {
            Error::new(
                Code::MalformedInstanceType,
                format!("InstanceType {text:?} is malformed: it is FAMILY.SIZE, e.g. S5.MEDIUM4"),
            )
        };
        let (family, size) = text.split_once('.').ok_or_else(malformed)?;
        let family_ok = !family.is_empty()
            && family.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && family.as_bytes()[0].is_ascii_uppercase();
        if !family_ok || !is_size(size) {
            return Err(malformed());
        }
        let (_, architecture) =
            FAMILIES.iter().find(|(name, _)| *name == family).ok_or_else(|| {
                let known: Vec<&str> = FAMILIES.iter().map(|(name, _)| *name).collect();
                Error::new(
                    Code::InstanceTypeNotFound,
                    format!(
                        "the instance type {text} does not exist: its family {family} is not one \
                         of {}",
                        known.join(", ")
                    ),
                )
            })?;
        Ok(Self { name: text.to_owned(), architecture: *architecture })
    }

    /// Whether instances of this type can boot an image built for `architecture`.
    pub fn boots(&self, architecture: Architecture) -> bool {
        self.architecture == architecture
    }
}

impl fmt::Display for InstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// `SMALL1`, `MEDIUM4`, `LARGE8`, `2XLARGE16`, ...: a size word (with a multiple before
/// `XLARGE`) and the memory in GiB.
fn is_size(size: &str) -> bool {
    let number =
        |s: &str| !s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit());
    let word = size.trim_end_matches(|c: char| c.is_ascii_digit());
    let memory = &size[word.len()..];
    let word_ok = match word {
        "SMALL" | "MEDIUM" | "LARGE" | "XLARGE" => true,
        _ => word.strip_suffix("XLARGE").is_some_and(number),
    };
    word_ok && number(memory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_families_boot_arm64_only() {
        let arm = InstanceType::parse("SR1.MEDIUM4").expect("an ARM type");
        assert!(arm.boots(Architecture::Arm64) && !arm.boots(Architecture::X86_64));
        let x86 = InstanceType::parse("S5.2XLARGE16").expect("an x86 type");
        assert!(x86.boots(Architecture::X86_64) && !x86.boots(Architecture::Arm64));
        assert_eq!(x86.to_string(), "S5.2XLARGE16");
    }

    #[test]
    fn malformed_and_unknown_types() {
        for bad in [
            "",
            "S5",
            "S5.",
            ".MEDIUM4",
            "s5.medium4",
            "S5.MEDIUM",
            "S5.HUGE8",
            "S5.MEDIUM04",
            "5S.SMALL1",
            "S5.0XLARGE8",
            "S5.2MEDIUM4",
        ] {
            let error = InstanceType::parse(bad).expect_err(bad);
            assert!(error.is(Code::MalformedInstanceType), "{bad}: {error:?}");
        }
        let unknown = InstanceType::parse("ZZ9.LARGE8").expect_err("no such family");
        assert!(unknown.is(Code::InstanceTypeNotFound), "{unknown:?}");
        assert!(unknown.message.contains("SR1"), "{}", unknown.message);
        for good in ["S5.SMALL1", "SA3.LARGE8", "C6.4XLARGE32", "GN7.XLARGE32"] {
            assert!(InstanceType::parse(good).is_ok(), "{good}");
        }
    }
}
