//! The catalog of well-known public images: its file format (`data/public-images.tsv`), the
//! order of its entries, and the catalog the provider ships.
//!
//! The file is UTF-8 text, one record a line, fields separated by one tab (shown as spaces):
//!
//! ```text
//! # taken 2027-03-01 from Tencent Cloud (cvm.tencentcloudapi.com), region ap-guangzhou: ...
//! name    id    os_family    os_version    architecture
//! CentOS 7.2 64-bit    img-31tjrtph    CentOS    7.2    x86_64
//! ```
//!
//! The first line says when and where the listing was taken ([`Provenance`]): a day
//! (`YYYY-MM-DD`), or only a year (`YYYY`) for a listing whose day was not recorded, and the
//! source in words, which names a host only when the listing came from it. The second line
//! names the columns; every other line is one image. `os_family`, `os_version` and `architecture` are derived from
//! the name ([`super::image_name::describe`]). `cargo xtask catalog` writes the file with
//! [`CatalogFile::render`]; the provider reads it with [`CatalogFile::parse`].
//!
//! Pure data: must not depend on Terraform values, the API client or I/O.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use time::Date;
use time::macros::format_description;

use super::image_name::{Architecture, NameParts, compare_versions, describe, name_key};

/// The catalog as shipped.
const CATALOG_TSV: &str = include_str!("../../data/public-images.tsv");

/// The column names, in order: the catalog's second line.
pub const COLUMNS: [&str; 5] = ["name", "id", "os_family", "os_version", "architecture"];

/// What the first line starts with.
const TAKEN_PREFIX: &str = "# taken ";

/// One well-known public image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The name as the API lists it, e.g. `CentOS 7.2 64-bit`.
    pub name: String,
    /// The image id, e.g. `img-31tjrtph`.
    pub id: String,
    /// The OS family derived from the name, e.g. `CentOS`.
    pub os_family: String,
    /// The OS version derived from the name, e.g. `7.2`.
    pub os_version: String,
    /// The architecture derived from the name.
    pub architecture: Architecture,
}

impl CatalogEntry {
    /// An entry for the image `id` named `name`, its other columns derived from the name;
    /// `None` when the name states no version (see [`describe`]).
    pub fn from_name(name: &str, id: &str) -> Option<Self> {
        let NameParts { os_family, os_version, architecture } = describe(name)?;
        Some(Self {
            name: name.to_string(),
            id: id.to_string(),
            os_family,
            os_version,
            architecture,
        })
    }

    /// The catalog's order: OS family (ignoring case), then version as numbers, then name
    /// (ignoring case and spacing), then id. A total order, so sorting is deterministic.
    pub fn catalog_order(&self, other: &Self) -> Ordering {
        self.os_family
            .to_lowercase()
            .cmp(&other.os_family.to_lowercase())
            .then_with(|| compare_versions(&self.os_version, &other.os_version))
            .then_with(|| name_key(&self.name).cmp(&name_key(&other.name)))
            .then_with(|| self.id.cmp(&other.id))
    }

    fn row(&self) -> String {
        let fields = [
            &*self.name,
            &*self.id,
            &*self.os_family,
            &*self.os_version,
            self.architecture.as_str(),
        ];
        fields.join("\t")
    }
}

/// When a listing was taken: the day, or only the year when the day was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The day (UTC), written `YYYY-MM-DD`: what `cargo xtask catalog` records.
    Day(Date),
    /// Only the year, written `YYYY`: a listing whose day was not recorded.
    Year(i32),
}

impl Taken {
    /// The year it was taken in.
    pub fn year(self) -> i32 {
        match self {
            Self::Day(date) => date.year(),
            Self::Year(year) => year,
        }
    }

    /// When, as a sentence says it: `on 2027-03-01` or `in 2016`.
    pub fn in_words(self) -> String {
        match self {
            Self::Day(_) => format!("on {self}"),
            Self::Year(_) => format!("in {self}"),
        }
    }
}

impl fmt::Display for Taken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(date) => f.write_str(&format_date(*date)),
            Self::Year(year) => write!(f, "{year:04}"),
        }
    }
}

/// When and from where a catalog was taken: the first line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// When the listing was taken.
    pub taken: Taken,
    /// Where it was taken from, in words: what was listed, and the region and endpoint when
    /// they were recorded.
    pub source: String,
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TAKEN_PREFIX}{} from {}", self.taken, self.source)
    }
}

/// A whole catalog: where it comes from and its entries, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFile {
    /// The first line.
    pub provenance: Provenance,
    /// The images, in file order.
    pub entries: Vec<CatalogEntry>,
}

/// Why a catalog file could not be read: the line (from 1) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    /// The line, counting from 1.
    pub line: usize,
    /// What is wrong with it, and what was expected.
    pub problem: String,
}

impl CatalogFile {
    /// Reads a catalog file (see the module docs for the format). Every line is checked: the
    /// first names the date, the second the columns, and each other line has five fields, an
    /// `img-` id and a known architecture. Names must differ even ignoring case and spacing.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut lines = text.lines().enumerate().map(|(index, line)| (index + 1, line));
        let (_, first) = lines.next().ok_or_else(|| problem(1, "the catalog is empty"))?;
        let provenance = parse_provenance(first).map_err(|p| problem(1, &p))?;
        let header = lines.next().map(|(_, line)| line);
        if header != Some(COLUMNS.join("\t").as_str()) {
            let want = COLUMNS.join(", ");
            return Err(problem(2, &format!("expected the column names {want}, tab-separated")));
        }
        let mut entries = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (line, text) in lines.filter(|(_, text)| !text.trim().is_empty()) {
            let entry = parse_entry(text).map_err(|p| problem(line, &p))?;
            if !names.insert(name_key(&entry.name)) {
                let why = format!("the name {:?} is already in the catalog", entry.name);
                return Err(problem(line, &why));
            }
            entries.push(entry);
        }
        Ok(Self { provenance, entries })
    }

    /// The catalog as a file: the provenance line, the column names, one line per entry in
    /// the order held, each line ending with a newline.
    pub fn render(&self) -> String {
        let mut text = format!("{}\n{}\n", self.provenance, COLUMNS.join("\t"));
        for entry in &self.entries {
            text.push_str(&entry.row());
            text.push('\n');
        }
        text
    }
}

fn problem(line: usize, problem: &str) -> ParseError {
    ParseError { line, problem: problem.to_string() }
}

fn parse_provenance(line: &str) -> Result<Provenance, String> {
    let expected = "expected \"# taken YYYY-MM-DD from SOURCE\" (or \"# taken YYYY from SOURCE\")";
    let rest = line.strip_prefix(TAKEN_PREFIX).ok_or(expected)?;
    let (taken, source) = rest.split_once(" from ").ok_or(expected)?;
    if source.trim().is_empty() {
        return Err(expected.to_string());
    }
    Ok(Provenance { taken: parse_taken(taken)?, source: source.to_string() })
}

/// `YYYY` (a year only) or `YYYY-MM-DD` (a day).
fn parse_taken(text: &str) -> Result<Taken, String> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map(Taken::Year).map_err(|e| format!("{text:?}: {e}"));
    }
    let format = format_description!("[year]-[month]-[day]");
    Date::parse(text, format)
        .map(Taken::Day)
        .map_err(|e| format!("{text:?} is neither a day (YYYY-MM-DD) nor a year (YYYY): {e}"))
}

fn parse_entry(line: &str) -> Result<CatalogEntry, String> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [name, id, os_family, os_version, architecture] = fields[..] else {
        return Err(format!("expected 5 tab-separated fields, found {}", fields.len()));
    };
    if fields.iter().any(|field| field.trim() != *field || field.is_empty()) {
        return Err("a field is empty or has spaces around it".to_string());
    }
    if !is_image_id(id) {
        return Err(format!("{id:?} is not \"img-\" and 8 lower-case letters or digits"));
    }
    let architecture = Architecture::from_catalog_word(architecture)
        .ok_or_else(|| format!("architecture {architecture:?} is not x86_64, arm64 or i386"))?;
    Ok(CatalogEntry {
        name: name.to_string(),
        id: id.to_string(),
        os_family: os_family.to_string(),
        os_version: os_version.to_string(),
        architecture,
    })
}

pub use crate::qcloud::images::is_image_id;

/// A date as the catalog writes it: `YYYY-MM-DD`.
fn format_date(date: Date) -> String {
    let format = format_description!("[year]-[month]-[day]");
    date.format(format).unwrap_or_default()
}

static SHIPPED: LazyLock<CatalogFile> = LazyLock::new(|| {
    CatalogFile::parse(CATALOG_TSV).expect("data/public-images.tsv is checked by the unit tests")
});

/// The catalog the provider ships (`data/public-images.tsv`, built in at compile time).
pub fn shipped() -> &'static CatalogFile {
    &SHIPPED
}

/// When and where the shipped catalog was taken, read from its first line alone: the function
/// descriptions, built at every launch, need no more than that.
pub fn shipped_provenance() -> Provenance {
    let first = CATALOG_TSV.lines().next().unwrap_or_default();
    parse_provenance(first).expect("data/public-images.tsv is checked by the unit tests")
}

/// Every entry of the shipped catalog, in file order.
pub fn entries() -> &'static [CatalogEntry] {
    &SHIPPED.entries
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const HEADER: &str =
        "# taken 2026-01-02 from somewhere\nname\tid\tos_family\tos_version\tarchitecture\n";

    /// Every name the first catalog (2016) pinned, with its id: users depend on these.
    const ORIGINAL_PINS: [(&str, &str); 38] = [
        ("CentOS 5.8 32-bit", "img-7br3ouzr"),
        ("CentOS 5.8 64-bit", "img-4cq5l3u1"),
        ("CentOS 5.11 32-bit", "img-ko6c8e6f"),
        ("CentOS 5.11 64-bit", "img-ailu7ftt"),
        ("CentOS 6.2 64-bit", "img-50mr2ow7"),
        ("CentOS 6.3 32-bit", "img-1afi29f3"),
        ("CentOS 6.3 64-bit", "img-4w43a15z"),
        ("CentOS 6.4 32-bit", "img-k09t26i1"),
        ("CentOS 6.4 64-bit", "img-jlo93805"),
        ("CentOS 6.5 32-bit", "img-7uq6rrhr"),
        ("CentOS 6.5 64-bit", "img-7fwdvfur"),
        ("CentOS 6.6 32-bit", "img-5jbd8jxn"),
        ("CentOS 6.6 64-bit", "img-h5le2uy5"),
        ("CentOS 6.7 32-bit", "img-ljriodz5"),
        ("CentOS 6.7 64-bit", "img-9iwld2rx"),
        ("CentOS 7.0 64-bit", "img-b1ve77s9"),
        ("CentOS 7.1 64-bit", "img-9q2lxkar"),
        ("CentOS 7.2 64-bit", "img-31tjrtph"),
        ("Debian 7.4 64-bit", "img-c1l6bgb1"),
        ("Debian 7.8 32-bit", "img-2p1g2wjv"),
        ("Debian 7.8 64-bit", "img-feqctcrx"),
        ("Debian 8.2 32-bit", "img-ez7jwngr"),
        ("Debian 8.2 64-bit", "img-hi93l4ht"),
        ("Ubuntu Server 12.04 LTS 64-bit (Docker)", "img-aa9z7opt"),
        ("Ubuntu Server 14.04.1 LTS 32-bit", "img-qpxvpujt"),
        ("Ubuntu Server 14.04.1 LTS 64-bit", "img-3wnd9xpl"),
        ("openSUSE 12.3 32-bit", "img-8bf2kz5x"),
        ("openSUSE 12.3 64-bit", "img-1p6m0vz5"),
        ("openSUSE 13.2 64-bit", "img-pmhtrjdx"),
        ("SUSE Linux Enterprise Server 11 SP3 64-bit", "img-mg89zx1h"),
        ("SUSE Linux Enterprise Server 12 64-bit", "img-d5304izr"),
        ("FreeBSD 10.1 64-bit", "img-871lthrb"),
        ("CoreOS 717.3.0 64-bit", "img-6mre94jv"),
        ("Windows Server 2008 R2 Enterprise Edition SP1 64-bit", "img-0vbqvzfn"),
        ("Windows Server 2012 R2 Standard Edition 64-bit English", "img-lkxqa4kj"),
        ("Windows Server 2012 R2 Standard Edition 64-bit Chinese", "img-egif9bvl"),
        ("Windows Server 2012 R2 Datacenter Edition 64-bit English", "img-2tddq003"),
        ("Windows Server 2012 R2 Datacenter Edition 64-bit Chinese", "img-29hl923v"),
    ];

    /// The first line of the shipped catalog: when and where its ids were listed, no more
    /// than is known.
    const SHIPPED_PROVENANCE: &str = "# taken 2016 from the public images of the API 2.0 \
        DescribeImages reference listing (day, region and endpoint not recorded)";

    #[test]
    fn the_shipped_catalog_holds_exactly_the_ids_of_the_2016_listing() {
        let shipped: HashSet<(&str, &str)> =
            entries().iter().map(|e| (e.name.as_str(), e.id.as_str())).collect();
        let original = HashSet::from(ORIGINAL_PINS);
        assert_eq!(entries().len(), ORIGINAL_PINS.len(), "one entry per name");
        assert!(
            shipped == original,
            "data/public-images.tsv ships in the provider, so it may hold only ids Tencent Cloud \
             listed: the 2016 listing's, plus those of a rebuild from a real account (then add \
             that listing here). Not in the 2016 listing: {:?}; missing: {:?}",
            shipped.difference(&original).collect::<Vec<_>>(),
            original.difference(&shipped).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_shipped_catalog_says_only_what_is_known_of_where_it_comes_from() {
        assert_eq!(shipped().provenance.to_string(), SHIPPED_PROVENANCE);
        assert_eq!(shipped().provenance.taken, Taken::Year(2016));
        assert_eq!(shipped().provenance.taken.in_words(), "in 2016");
        assert_eq!(
            shipped_provenance(),
            shipped().provenance,
            "the first line alone reads the same"
        );
    }

    #[test]
    fn every_shipped_row_agrees_with_its_name() {
        for entry in entries() {
            let derived = CatalogEntry::from_name(&entry.name, &entry.id);
            assert_eq!(derived.as_ref(), Some(entry), "{}", entry.name);
        }
    }

    #[test]
    fn the_shipped_catalog_is_in_catalog_order_and_renders_as_written() {
        let mut sorted = entries().to_vec();
        sorted.sort_by(CatalogEntry::catalog_order);
        assert_eq!(sorted, entries());
        assert_eq!(shipped().render(), CATALOG_TSV);
    }

    #[test]
    fn ids_are_well_formed() {
        for entry in entries() {
            assert!(is_image_id(&entry.id), "{}", entry.id);
        }
    }

    #[test]
    fn parse_and_render_round_trip() {
        let text = format!("{HEADER}CentOS 7.2 64-bit\timg-31tjrtph\tCentOS\t7.2\tx86_64\n");
        let file = CatalogFile::parse(&text).expect("a valid catalog");
        assert_eq!(file.provenance.source, "somewhere");
        assert_eq!(file.provenance.taken.to_string(), "2026-01-02");
        assert_eq!(file.provenance.taken.in_words(), "on 2026-01-02");
        assert_eq!(file.entries.len(), 1);
        assert_eq!(file.render(), text);
    }

    #[test]
    fn a_listing_whose_day_was_not_recorded_gives_only_its_year() {
        let text = HEADER.replace("2026-01-02", "2016");
        let file = CatalogFile::parse(&text).expect("a year is a valid date line");
        assert_eq!(file.provenance.taken, Taken::Year(2016));
        assert_eq!(file.provenance.taken.year(), 2016);
        assert_eq!(file.render(), text);
    }

    #[test]
    fn bad_catalogs_say_which_line_and_why() {
        let row = "CentOS 7.2 64-bit\timg-31tjrtph\tCentOS\t7.2\tx86_64";
        let cases = [
            (String::new(), "line 1: the catalog is empty"),
            (format!("name\tid\n{row}\n"), "line 1: expected \"# taken YYYY-MM-DD"),
            ("# taken 2026-13-01 from x\n".to_string(), "line 1: \"2026-13-01\" is neither a day"),
            ("# taken 16 from x\n".to_string(), "line 1: \"16\" is neither a day (YYYY-MM-DD) nor"),
            ("# taken 2016 from \n".to_string(), "line 1: expected \"# taken YYYY-MM-DD"),
            ("# taken 2026-01-01 from x\nname\tid\n".to_string(), "line 2: expected the column"),
            (format!("{HEADER}{row}\textra\n"), "line 3: expected 5 tab-separated fields, found 6"),
            (
                format!("{HEADER}{}\n", row.replace("img-31tjrtph", "img-31TJ")),
                "line 3: \"img-31TJ\"",
            ),
            (
                format!("{HEADER}{}\n", row.replace("x86_64", "amd64")),
                "line 3: architecture \"amd64\"",
            ),
            (
                format!("{HEADER}{}\n", row.replace("CentOS\t", " CentOS\t")),
                "line 3: a field is empty",
            ),
            (
                format!(
                    "{HEADER}{row}\n{}\n",
                    row.replace("CentOS 7.2 64-bit", "centos  7.2 64BIT")
                ),
                "line 4: the name \"centos  7.2 64BIT\" is already",
            ),
        ];
        for (text, want) in cases {
            let error = CatalogFile::parse(&text).expect_err(&text).to_string();
            assert!(error.starts_with(want), "{text:?}: {error}");
        }
    }

    #[test]
    fn catalog_order_groups_families_then_versions_as_numbers() {
        let entry = |name: &str| CatalogEntry::from_name(name, "img-aaaaaaaa").expect(name);
        let mut list = [
            "Ubuntu Server 22.04 LTS ARM64",
            "Rocky Linux 9.4 64-bit",
            "centos 7.10 64-bit",
            "Ubuntu Server 22.04 LTS 64-bit",
            "CentOS 7.9 64-bit",
            "AlmaLinux 9.4 64-bit",
            "Rocky Linux 8.10 64-bit",
        ]
        .map(entry);
        list.sort_by(CatalogEntry::catalog_order);
        let names: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AlmaLinux 9.4 64-bit",
                "CentOS 7.9 64-bit",
                "centos 7.10 64-bit",
                "Rocky Linux 8.10 64-bit",
                "Rocky Linux 9.4 64-bit",
                "Ubuntu Server 22.04 LTS 64-bit",
                "Ubuntu Server 22.04 LTS ARM64",
            ]
        );
    }
}
