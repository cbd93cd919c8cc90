//! `cargo xtask catalog`: rebuilds the provider's catalog of public images,
//! `data/public-images.tsv`, from an API 3.0 listing.
//!
//! ```text
//! QCLOUD_SECRET_ID=... QCLOUD_SECRET_KEY=... cargo xtask catalog
//! cargo xtask catalog --endpoint http://127.0.0.1:8080/ --date 2027-03-01 --out FILE
//! ```
//!
//! It lists every public image with the provider's own client (`DescribeImages`, API 3.0,
//! `image-type` `PUBLIC_IMAGE`), keeps the ones a configuration can pin ([`candidate`]: state
//! `NORMAL`, an x86_64 or arm64 architecture that agrees with the name, a version in the
//! name), derives each entry's columns from its name, and writes the catalog sorted in the
//! catalog's own order. Its first line records the day, the region and the kind of endpoint
//! ([`EndpointKind`]; the host only when it is Tencent Cloud's). The same listing always gives
//! the same file.
//!
//! The provider ships `data/public-images.tsv`, so it must hold only ids Tencent Cloud lists:
//! the command refuses to write it from any other endpoint (a sandbox's ids are made up);
//! write such a rebuild elsewhere with `--out`.
//!
//! Pins never move: every name the previous catalog (the file being replaced) holds keeps its
//! id, even when the listing has another image under that name or none at all. The listing
//! can only add names.
//!
//! Release tooling: nothing here is part of the provider. The catalog format, the columns and
//! the order are the provider's ([`qcloud_provider::functions::catalog`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use qcloud_provider::functions::catalog::{
    CatalogEntry, CatalogFile, Provenance, Taken, is_image_id,
};
use qcloud_provider::functions::image_name::{Architecture, name_key};
use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::settings::{ApiVersion, is_loopback};
use qcloud_provider::qcloud::{
    Api as _, Client, Credentials, Image, ImageFilter, ImageStatus, ImageType, Setting, Settings,
};
use time::Date;
use time::macros::format_description;

/// The catalog's path in the workspace.
pub const CATALOG_PATH: &str = "data/public-images.tsv";

/// `cargo xtask catalog`'s arguments. Credentials, region and endpoint default to the
/// provider's environment variables.
#[derive(Clone, clap::Args)]
pub struct CatalogArgs {
    /// API SecretId.
    #[arg(long, env = "QCLOUD_SECRET_ID", hide_env_values = true, value_name = "ID")]
    pub secret_id: Option<String>,
    /// API SecretKey (prefer the environment variable: arguments show in process lists).
    #[arg(long, env = "QCLOUD_SECRET_KEY", hide_env_values = true, value_name = "KEY")]
    pub secret_key: Option<String>,
    /// Token of temporary credentials.
    #[arg(long, env = "QCLOUD_SECURITY_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub security_token: Option<String>,
    /// Region to list public images in.
    #[arg(long, env = "QCLOUD_REGION", default_value = "ap-guangzhou", value_name = "REGION")]
    pub region: String,
    /// API 3.0 endpoint [default: https://cvm.tencentcloudapi.com].
    #[arg(long, env = "QCLOUD_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
    /// The catalog to replace (its pins are kept) [default: data/public-images.tsv in the
    /// workspace, which only a listing from Tencent Cloud's endpoint may write].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The day to record as the day the catalog was taken, YYYY-MM-DD [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
}

impl fmt::Debug for CatalogArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("CatalogArgs")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &redacted(&self.secret_key))
            .field("security_token", &redacted(&self.security_token))
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("out", &self.out)
            .field("date", &self.date)
            .finish()
    }
}

/// Reads `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let format = format_description!("[year]-[month]-[day]");
    Date::parse(text, format).map_err(|e| format!("{text:?} is not a YYYY-MM-DD date: {e}"))
}

/// An image of the listing left out of the catalog, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its id.
    pub image_id: String,
    /// Its name, empty when it has none.
    pub name: String,
    /// Why it was left out.
    pub reason: String,
}

/// What a rebuild produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// The new catalog, in catalog order.
    pub catalog: CatalogFile,
    /// Images of the listing left out, in listing order.
    pub skipped: Vec<Skipped>,
    /// Pins of the previous catalog the listing no longer has, kept as they were.
    pub kept: Vec<CatalogEntry>,
}

/// Rebuilds a catalog from `listing` (pure: no I/O). Every name `previous` holds keeps its
/// id; the listing adds the names it does not hold (one image per name: the newest, then the
/// smallest id).
pub fn rebuild(
    listing: &[Image],
    previous: Option<&CatalogFile>,
    provenance: Provenance,
) -> Rebuilt {
    let mut skipped: Vec<(usize, Skipped)> = Vec::new();
    let mut by_name: BTreeMap<String, Vec<(usize, CatalogEntry)>> = BTreeMap::new();
    for (index, image) in listing.iter().enumerate() {
        match candidate(image) {
            Ok(entry) => by_name.entry(name_key(&entry.name)).or_default().push((index, entry)),
            Err(reason) => skipped.push((index, skip(image, reason))),
        }
    }
    let pins: HashMap<String, &CatalogEntry> = previous
        .map(|file| file.entries.iter().map(|e| (name_key(&e.name), e)).collect())
        .unwrap_or_default();
    let mut entries = Vec::new();
    for (key, group) in &by_name {
        let chosen = match pins.get(key) {
            Some(pin) => refreshed(pin),
            None => newest(listing, group),
        };
        for (index, entry) in group.iter().filter(|(_, entry)| entry.id != chosen.id) {
            let reason = format!("the catalog keeps {} for this name", chosen.id);
            skipped.push((
                *index,
                Skipped { image_id: entry.id.clone(), name: entry.name.clone(), reason },
            ));
        }
        entries.push(chosen);
    }
    let mut kept: Vec<CatalogEntry> = previous
        .map(|file| file.entries.iter().filter(|e| !by_name.contains_key(&name_key(&e.name))))
        .into_iter()
        .flatten()
        .map(refreshed)
        .collect();
    kept.sort_by(CatalogEntry::catalog_order);
    entries.extend(kept.iter().cloned());
    entries.sort_by(CatalogEntry::catalog_order);
    skipped.sort_by_key(|(index, _)| *index);
    let skipped = skipped.into_iter().map(|(_, s)| s).collect();
    Rebuilt { catalog: CatalogFile { provenance, entries }, skipped, kept }
}

/// The entry of the newest image of a group listed under one name (the smallest id among
/// equal create times).
fn newest(listing: &[Image], group: &[(usize, CatalogEntry)]) -> CatalogEntry {
    let newest = group.iter().min_by(|a, b| {
        let (a_image, b_image) = (&listing[a.0], &listing[b.0]);
        b_image
            .create_time
            .cmp(&a_image.create_time)
            .then_with(|| a_image.image_id.cmp(&b_image.image_id))
    });
    newest.map(|(_, entry)| entry.clone()).unwrap_or_else(|| group[0].1.clone())
}

/// A previous pin with its columns derived again from its name (the rules may have grown),
/// or as it was when its name no longer describes anything.
fn refreshed(pin: &CatalogEntry) -> CatalogEntry {
    CatalogEntry::from_name(&pin.name, &pin.id).unwrap_or_else(|| pin.clone())
}

fn skip(image: &Image, reason: String) -> Skipped {
    let name = image.image_name.clone().unwrap_or_default();
    Skipped { image_id: image.image_id.clone(), name, reason }
}

/// The catalog entry for a listed image, or why it cannot be pinned: it must be in state
/// `NORMAL`, not deprecated, with a well-formed id, a name stating a version, and an
/// architecture (as the API reports it, when it does) of x86_64 or arm64 that agrees with
/// the name.
pub fn candidate(image: &Image) -> Result<CatalogEntry, String> {
    if image.status != Some(i64::from(ImageStatus::Normal.code())) {
        let state = image.details().image_state.clone().unwrap_or_else(|| "unknown".to_string());
        return Err(format!("its state is {state}, not NORMAL"));
    }
    if image.is_deprecated() {
        return Err("it is deprecated".to_string());
    }
    if !is_image_id(&image.image_id) {
        return Err("its id is not \"img-\" and 8 lower-case letters or digits".to_string());
    }
    let name = image.image_name.as_deref().map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err("it has no name".to_string());
    }
    let entry = CatalogEntry::from_name(name, &image.image_id)
        .ok_or("its name states no version number (a word of digits and dots)")?;
    check_architecture(image.details().architecture.as_deref(), entry.architecture)?;
    Ok(entry)
}

/// The API's architecture must be x86_64 or arm64 (when it reports one) and ARM exactly when
/// the name says ARM.
fn check_architecture(reported: Option<&str>, named: Architecture) -> Result<(), String> {
    let Some(reported) = reported.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(());
    };
    let arm = match reported.to_ascii_lowercase().as_str() {
        "x86_64" | "amd64" => false,
        "arm64" | "aarch64" => true,
        _ => return Err(format!("its architecture is {reported}, neither x86_64 nor arm64")),
    };
    if arm != (named == Architecture::Arm64) {
        return Err(format!(
            "its name says {named} but the API reports the architecture {reported}"
        ));
    }
    Ok(())
}

/// What `cargo xtask catalog` did, for its report.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The file written.
    pub path: PathBuf,
    /// How many public images the listing returned.
    pub listed: usize,
    /// The rebuild.
    pub rebuilt: Rebuilt,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let catalog = &self.rebuilt.catalog;
        writeln!(f, "listed {} public image(s)", self.listed)?;
        let taken = catalog.provenance.taken;
        let (path, count) = (self.path.display(), catalog.entries.len());
        writeln!(
            f,
            "wrote {path}: {count} image(s), taken {taken} from {}",
            catalog.provenance.source
        )?;
        for s in &self.rebuilt.skipped {
            writeln!(f, "left out {} {:?}: {}", s.image_id, s.name, s.reason)?;
        }
        for e in &self.rebuilt.kept {
            writeln!(
                f,
                "kept {} {:?}: the listing no longer has it; pins never move",
                e.id, e.name
            )?;
        }
        Ok(())
    }
}

/// Runs `cargo xtask catalog`: lists, rebuilds over the file at `--out`, writes it back.
/// Everything that can be refused is refused before the listing's first request.
pub fn run(args: &CatalogArgs) -> Result<Outcome, String> {
    let settings = settings(args)?;
    let shipped = crate::compile::workspace_root().join(CATALOG_PATH);
    let path = args.out.clone().unwrap_or_else(|| shipped.clone());
    let kind = EndpointKind::of(&settings);
    check_destination(&path, &shipped, &kind)?;
    let previous = read_previous(&path)?;
    let listing = list_public_images(settings.clone())?;
    let date = args.date.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let provenance = Provenance { taken: Taken::Day(date), source: source(&settings, &kind) };
    let rebuilt = rebuild(&listing, previous.as_ref(), provenance);
    write_atomically(&path, &rebuilt.catalog.render())?;
    Ok(Outcome { path, listed: listing.len(), rebuilt })
}

/// Where a listing was taken, as the catalog's first line says it: the kind of endpoint, the
/// region, and what was listed.
fn source(settings: &Settings, kind: &EndpointKind) -> String {
    format!(
        "{kind}, region {}: DescribeImages (API 3.0), image-type PUBLIC_IMAGE, state NORMAL",
        settings.region()
    )
}

/// What a listing's endpoint is, which says whether its image ids are real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointKind {
    /// A host of Tencent Cloud's API (`tencentcloudapi.com` and its subdomains): real ids.
    TencentCloud {
        /// The host, without port.
        host: String,
    },
    /// A loopback address or `localhost`, such as a sandbox: made-up ids.
    Local,
    /// Any other host: ids of unknown origin.
    Custom,
}

impl EndpointKind {
    /// The kind of the settings' endpoint.
    pub fn of(settings: &Settings) -> Self {
        let host = settings.endpoint().host_str().unwrap_or_default().to_ascii_lowercase();
        if host == "tencentcloudapi.com" || host.ends_with(".tencentcloudapi.com") {
            Self::TencentCloud { host }
        } else if is_loopback(&host) {
            Self::Local
        } else {
            Self::Custom
        }
    }
}

impl fmt::Display for EndpointKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TencentCloud { host } => write!(f, "Tencent Cloud ({host})"),
            Self::Local => f.write_str("a local endpoint, not Tencent Cloud"),
            Self::Custom => f.write_str("a custom endpoint, not a Tencent Cloud host"),
        }
    }
}

/// Refuses to write the provider's own catalog (`shipped`) from an endpoint that is not
/// Tencent Cloud's: the provider embeds that file, so every id in it must exist.
fn check_destination(path: &Path, shipped: &Path, kind: &EndpointKind) -> Result<(), String> {
    if matches!(kind, EndpointKind::TencentCloud { .. }) || !same_file(path, shipped) {
        return Ok(());
    }
    Err(format!(
        "{} ships in the provider and may only hold ids Tencent Cloud lists, but the endpoint \
         is {kind}: list from Tencent Cloud (the default endpoint, with a real account's \
         credentials), or write this rebuild to another file with --out FILE",
        path.display()
    ))
}

/// Whether two paths name the same file (as given when either does not resolve).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Client settings from the arguments: API 3.0, the credentials (required), region and
/// endpoint. Problems name the flag and its variable.
pub fn settings(args: &CatalogArgs) -> Result<Settings, String> {
    let given = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
    let (Some(secret_id), Some(secret_key)) = (given(&args.secret_id), given(&args.secret_key))
    else {
        return Err("no credentials: set QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY (or pass \
                    --secret-id and --secret-key)"
            .to_string());
    };
    if let Some(endpoint) = args.endpoint.as_deref().filter(|e| e.contains("/v2/index.php")) {
        return Err(format!(
            "--endpoint / QCLOUD_ENDPOINT {endpoint:?} is an API 2.0 address; the catalog is \
             listed over API 3.0: give its address instead (https://cvm.tencentcloudapi.com, or \
             http://HOST:PORT/ for a sandbox)"
        ));
    }
    let credentials =
        Credentials { secret_id, secret_key, security_token: given(&args.security_token) };
    let mut builder =
        Settings::builder(ApiVersion::V3).credentials(Some(credentials)).region(&args.region);
    if let Some(endpoint) = &args.endpoint {
        builder = builder.endpoint(endpoint);
    }
    builder.build().map_err(|problems| {
        let words: Vec<String> =
            problems.iter().map(|p| format!("{}: {}", flag(p.setting), p.problem)).collect();
        words.join("; ")
    })
}

fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::SecretId => "--secret-id / QCLOUD_SECRET_ID",
        Setting::SecretKey => "--secret-key / QCLOUD_SECRET_KEY",
        Setting::SecurityToken => "--security-token / QCLOUD_SECURITY_TOKEN",
        Setting::Region => "--region / QCLOUD_REGION",
        Setting::Endpoint => "--endpoint / QCLOUD_ENDPOINT",
        _ => "a client setting",
    }
}

/// The catalog being replaced, or `None` when there is no file yet.
fn read_previous(path: &Path) -> Result<Option<CatalogFile>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => CatalogFile::parse(&text)
            .map(Some)
            .map_err(|e| format!("{} is not a catalog: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("could not read {}: {e}", path.display())),
    }
}

/// Every public image, every state, deprecated ones too (so the report can say why each is
/// left out), through the provider's client.
fn list_public_images(settings: Settings) -> Result<Vec<Image>, String> {
    let client = Client::new(settings).map_err(|e| e.to_string())?;
    let filter =
        ImageFilter { include_deprecated: true, ..ImageFilter::of_type(ImageType::Public) };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start an async runtime: {e}"))?;
    let images = runtime
        .block_on(client.describe_images(&filter, &Budget::default()))
        .map_err(|e| format!("listing public images (DescribeImages, API 3.0) failed: {e}"))?;
    Ok(images.to_vec())
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("could not write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, name: &str, time: &str) -> Image {
        let mut image = Image {
            image_id: id.to_string(),
            image_name: Some(name.to_string()),
            create_time: Some(time.to_string()),
            status: Some(2),
            ..Image::default()
        };
        let details = image.details_mut();
        details.image_state = Some("NORMAL".to_string());
        let architecture = if name.contains("ARM") { "arm64" } else { "x86_64" };
        details.architecture = Some(architecture.to_string());
        image
    }

    fn provenance() -> Provenance {
        let taken = Taken::Day(parse_date("2026-01-02").unwrap());
        Provenance { taken, source: "test".to_string() }
    }

    fn names(file: &CatalogFile) -> Vec<(&str, &str)> {
        file.entries.iter().map(|e| (e.name.as_str(), e.id.as_str())).collect()
    }

    fn previous(rows: &[(&str, &str)]) -> CatalogFile {
        let entries = rows.iter().map(|(n, i)| CatalogEntry::from_name(n, i).unwrap()).collect();
        CatalogFile { provenance: provenance(), entries }
    }

    #[test]
    fn a_listing_becomes_a_sorted_catalog_with_derived_columns() {
        let listing = [
            image("img-bbbbbbb2", "Ubuntu Server 22.04 LTS ARM64", "2022-05-17 11:00:00"),
            image("img-aaaaaaa1", "CentOS 7.9 64-bit", "2021-01-18 10:00:00"),
            image("img-bbbbbbb1", "Ubuntu Server 22.04 LTS 64-bit", "2022-05-17 10:00:00"),
        ];
        let rebuilt = rebuild(&listing, None, provenance());
        assert_eq!(
            names(&rebuilt.catalog),
            [
                ("CentOS 7.9 64-bit", "img-aaaaaaa1"),
                ("Ubuntu Server 22.04 LTS 64-bit", "img-bbbbbbb1"),
                ("Ubuntu Server 22.04 LTS ARM64", "img-bbbbbbb2"),
            ]
        );
        let arm = &rebuilt.catalog.entries[2];
        assert_eq!((arm.os_family.as_str(), arm.os_version.as_str()), ("Ubuntu", "22.04"));
        assert_eq!(arm.architecture, Architecture::Arm64);
        assert!(rebuilt.skipped.is_empty() && rebuilt.kept.is_empty());
    }

    #[test]
    fn the_same_listing_in_any_order_gives_the_same_file() {
        let mut listing = vec![
            image("img-aaaaaaa1", "CentOS 7.9 64-bit", "2021-01-18 10:00:00"),
            image("img-aaaaaaa2", "Debian 12.4 64-bit", "2024-01-23 10:00:00"),
            image("img-aaaaaaa3", "AlmaLinux 9.4 64-bit", "2024-06-11 14:00:00"),
            image("img-aaaaaaa4", "CentOS 7.9 64-bit", "2021-01-18 10:00:00"),
        ];
        let first = rebuild(&listing, None, provenance()).catalog.render();
        listing.reverse();
        assert_eq!(rebuild(&listing, None, provenance()).catalog.render(), first);
        assert!(first.contains("CentOS 7.9 64-bit\timg-aaaaaaa1\t"), "{first}");
    }

    #[test]
    fn images_that_cannot_be_pinned_are_left_out_with_the_reason() {
        let mut syncing =
            image("img-aaaaaaa1", "TencentOS Server 4.2 64-bit", "2025-01-01 00:00:00");
        syncing.status = Some(4);
        syncing.details_mut().image_state = Some("SYNCING".to_string());
        let mut deprecated = image("img-aaaaaaa2", "CentOS 8.0 64-bit", "2020-01-01 00:00:00");
        deprecated.details_mut().image_deprecated = Some(true);
        let mut odd = image("img-aaaaaaa3", "Debian 12.4 64-bit", "2024-01-01 00:00:00");
        odd.details_mut().architecture = Some("i386".to_string());
        let mut mislabelled = image("img-aaaaaaa4", "Debian 12.4 64-bit", "2024-01-01 00:00:00");
        mislabelled.details_mut().architecture = Some("arm64".to_string());
        let listing = [
            syncing,
            deprecated,
            odd,
            mislabelled,
            image("img-aaaaaaa5", "Kylin V10 64-bit", "2024-01-01 00:00:00"),
            image("img-aaaaaaa6", "  ", "2024-01-01 00:00:00"),
            image("img-AAAAAAA7", "Debian 11.1 64-bit", "2024-01-01 00:00:00"),
        ];
        let rebuilt = rebuild(&listing, None, provenance());
        assert!(rebuilt.catalog.entries.is_empty());
        let reasons: Vec<&str> = rebuilt.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "its state is SYNCING, not NORMAL",
                "it is deprecated",
                "its architecture is i386, neither x86_64 nor arm64",
                "its name says x86_64 but the API reports the architecture arm64",
                "its name states no version number (a word of digits and dots)",
                "it has no name",
                "its id is not \"img-\" and 8 lower-case letters or digits",
            ]
        );
    }

    #[test]
    fn a_name_listed_twice_keeps_the_newest_image() {
        let listing = [
            image("img-aaaaaaa2", "CentOS 7.9 64-bit", "2021-01-18 10:00:00"),
            image("img-aaaaaaa3", "centos 7.9 64BIT", "2023-06-01 10:00:00"),
            image("img-aaaaaaa1", "CentOS 7.9 64-bit", "2021-01-18 10:00:00"),
        ];
        let rebuilt = rebuild(&listing, None, provenance());
        assert_eq!(names(&rebuilt.catalog), [("centos 7.9 64BIT", "img-aaaaaaa3")]);
        let left_out: Vec<&str> = rebuilt.skipped.iter().map(|s| s.image_id.as_str()).collect();
        assert_eq!(left_out, ["img-aaaaaaa2", "img-aaaaaaa1"]);
        assert!(rebuilt.skipped[0].reason.contains("keeps img-aaaaaaa3"));
    }

    #[test]
    fn pins_never_move_and_never_vanish() {
        let old = previous(&[
            ("CentOS 7.2 64-bit", "img-31tjrtph"),
            ("Debian 8.2 64-bit", "img-hi93l4ht"),
        ]);
        let listing = [
            // A newer build under a pinned name, and a new name.
            image("img-aaaaaaa1", "CentOS 7.2 64-bit", "2024-01-01 00:00:00"),
            image("img-aaaaaaa2", "CentOS 7.9 64-bit", "2024-01-01 00:00:00"),
        ];
        let rebuilt = rebuild(&listing, Some(&old), provenance());
        assert_eq!(
            names(&rebuilt.catalog),
            [
                ("CentOS 7.2 64-bit", "img-31tjrtph"),
                ("CentOS 7.9 64-bit", "img-aaaaaaa2"),
                ("Debian 8.2 64-bit", "img-hi93l4ht"),
            ]
        );
        assert_eq!(rebuilt.kept, [old.entries[1].clone()]);
        assert_eq!(rebuilt.skipped.len(), 1);
        assert_eq!(rebuilt.skipped[0].image_id, "img-aaaaaaa1");
        assert_eq!(rebuilt.skipped[0].reason, "the catalog keeps img-31tjrtph for this name");
    }

    fn args() -> CatalogArgs {
        CatalogArgs {
            secret_id: Some("AKIDexample".into()),
            secret_key: Some("very-secret-key".into()),
            security_token: None,
            region: "ap-guangzhou".into(),
            endpoint: None,
            out: None,
            date: None,
        }
    }

    #[test]
    fn settings_are_api_3_0_and_need_credentials() {
        let valid = settings(&args()).expect("valid");
        assert_eq!(valid.api_version(), ApiVersion::V3);
        assert_eq!(valid.endpoint().as_str(), "https://cvm.tencentcloudapi.com/");
        let kind = EndpointKind::of(&valid);
        assert_eq!(kind, EndpointKind::TencentCloud { host: "cvm.tencentcloudapi.com".into() });
        assert_eq!(
            source(&valid, &kind),
            "Tencent Cloud (cvm.tencentcloudapi.com), region ap-guangzhou: DescribeImages \
             (API 3.0), image-type PUBLIC_IMAGE, state NORMAL"
        );
        for missing in [
            CatalogArgs { secret_id: None, ..args() },
            CatalogArgs { secret_key: Some(String::new()), ..args() },
        ] {
            let error = settings(&missing).expect_err("no credentials");
            assert!(error.contains("QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY"), "{error}");
        }
    }

    #[test]
    fn bad_settings_name_the_flag_and_never_the_secret() {
        let v2 = CatalogArgs { endpoint: Some("http://127.0.0.1:1/v2/index.php".into()), ..args() };
        assert!(settings(&v2).expect_err("2.0").contains("is an API 2.0 address"));
        let bad = CatalogArgs {
            region: "Not A Region".into(),
            secret_key: Some("has a space".into()),
            ..args()
        };
        let error = settings(&bad).expect_err("invalid");
        assert!(error.contains("--region / QCLOUD_REGION"), "{error}");
        assert!(error.contains("--secret-key / QCLOUD_SECRET_KEY"), "{error}");
        assert!(!error.contains("has a space"), "{error}");
        let debug = format!("{:?}", args());
        assert!(!debug.contains("very-secret-key") && debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn dates_are_yyyy_mm_dd() {
        assert_eq!(parse_date("2026-11-29").map(|d| d.day()), Ok(29));
        assert!(parse_date("29/11/2026").unwrap_err().contains("not a YYYY-MM-DD date"));
    }

    #[test]
    fn the_endpoint_kind_names_a_host_only_when_it_is_tencent_clouds() {
        let kind = |endpoint: &str| {
            EndpointKind::of(
                &settings(&CatalogArgs { endpoint: Some(endpoint.into()), ..args() })
                    .expect(endpoint),
            )
        };
        let regional = "cvm.ap-shanghai-fsi.tencentcloudapi.com";
        assert_eq!(
            kind(&format!("https://{regional}/")),
            EndpointKind::TencentCloud { host: regional.into() }
        );
        for local in ["http://127.0.0.1:8080/", "http://localhost:1/", "http://[::1]:9/"] {
            assert_eq!(kind(local), EndpointKind::Local, "{local}");
        }
        for custom in ["https://proxy.example.com/", "https://tencentcloudapi.com.example/"] {
            assert_eq!(kind(custom), EndpointKind::Custom, "{custom}");
        }
        assert_eq!(EndpointKind::Local.to_string(), "a local endpoint, not Tencent Cloud");
    }

    #[test]
    fn only_tencent_cloud_may_rewrite_the_shipped_catalog() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let shipped = dir.path().join("public-images.tsv");
        std::fs::write(&shipped, "").expect("written");
        let same = dir.path().join(".").join("public-images.tsv");
        let other = dir.path().join("rebuilt.tsv");
        let tencent = EndpointKind::TencentCloud { host: "cvm.tencentcloudapi.com".into() };
        assert_eq!(check_destination(&same, &shipped, &tencent), Ok(()));
        for kind in [EndpointKind::Local, EndpointKind::Custom] {
            let error = check_destination(&same, &shipped, &kind).expect_err("refused");
            assert!(error.contains("ships in the provider"), "{error}");
            assert!(error.contains(&format!("the endpoint is {kind}")), "{error}");
            assert!(error.contains("--out FILE"), "{error}");
            assert_eq!(check_destination(&other, &shipped, &kind), Ok(()));
        }
    }
}
