//! The built-in catalog: the well-known public images of the API reference, and a handful of
//! realistic private, shared and marketplace images, including the edge cases a client must
//! handle (equal create times, an empty name, an empty create time, every status).

use super::{Catalog, CatalogImage, format_create_time};
use crate::qcloud::{ImageStatus, ImageType};

/// The public images of the API reference: a header line, then `name<TAB>id` lines.
const PUBLIC_IMAGES_TSV: &str = include_str!("../../../data/public-images.tsv");

/// `creator` of the public images.
const PUBLIC_CREATOR: &str = "tencentcloud";
/// The account that owns the private images.
const OWN_ACCOUNT: &str = "100012345678";
/// The account that shares images with us.
const SHARING_ACCOUNT: &str = "100098765432";
/// `creator` of the marketplace images.
const MARKETPLACE_VENDOR: &str = "marketplace";

/// 2014-03-01 09:00:00: the first public image's create time.
const PUBLIC_EPOCH: i64 = 1_393_664_400;
/// Public images are spread 27 days apart (38 of them span 2014-2016).
const PUBLIC_SPACING: i64 = 27 * 86_400;

/// One hand-written image: id, name, description, type, osName, createTime, creator, status.
type Entry = (
    &'static str,
    &'static str,
    &'static str,
    ImageType,
    &'static str,
    &'static str,
    &'static str,
    ImageStatus,
);

#[rustfmt::skip]
const OTHER_IMAGES: &[Entry] = {
    use ImageStatus::*;
    use ImageType::*;
    &[
        ("img-m3k8q2vd", "web-server-2024-05-01", "Nginx web tier, built 2024-05-01", Private, "CentOS 7.9 64bit", "2024-05-01 03:00:00", OWN_ACCOUNT, Normal),
        ("img-r7t2x9wb", "web-server-2024-05-15", "Nginx web tier, built 2024-05-15", Private, "CentOS 7.9 64bit", "2024-05-15 03:00:00", OWN_ACCOUNT, Normal),
        // Two images created in the same second: a "newest" pick must break the tie itself.
        ("img-c4n6h1zs", "web-server-2024-06-01", "Nginx web tier, built 2024-06-01", Private, "CentOS 7.9 64bit", "2024-06-01 03:00:00", OWN_ACCOUNT, Normal),
        ("img-f9d3j5ye", "web-server-2024-06-01-hotfix", "Nginx web tier with the June hotfix", Private, "CentOS 7.9 64bit", "2024-06-01 03:00:00", OWN_ACCOUNT, Normal),
        ("img-a2w8e4ku", "CentOS 7.9 + Docker", "CentOS 7.9 with Docker CE preinstalled", Private, "CentOS 7.9 64bit", "2023-11-20 16:42:10", OWN_ACCOUNT, Normal),
        ("img-h6b1p7lo", "db-primary-golden", "PostgreSQL 15 golden image", Private, "Ubuntu Server 22.04 LTS 64bit", "2024-02-29 23:59:59", OWN_ACCOUNT, InUse),
        // No name.
        ("img-q5v0y3ri", "", "", Private, "TencentOS Server 3.1 64bit", "2024-03-10 08:15:00", OWN_ACCOUNT, Normal),
        // Still being created: no create time yet.
        ("img-t8g2s6mc", "ci-runner-ubuntu-22.04", "GitHub Actions runner", Private, "Ubuntu Server 22.04 LTS 64bit", "", OWN_ACCOUNT, Creating),
        ("img-k1z7u4nx", "web-server-2024-07-01", "Nginx web tier, built 2024-07-01", Private, "CentOS 7.9 64bit", "2024-07-01 03:00:00", OWN_ACCOUNT, Syncing),
        ("img-w3e9r5ta", "web-server-2024-07-01-copy", "Copy of web-server-2024-07-01 for ap-shanghai", Private, "CentOS 7.9 64bit", "2024-07-01 03:00:00", OWN_ACCOUNT, Copying),
        ("img-s2h8a1rd", "team-base-ubuntu-22.04", "Platform team base image", Shared, "Ubuntu Server 22.04 LTS 64bit", "2024-01-08 10:00:00", SHARING_ACCOUNT, Normal),
        ("img-s9c4b7fe", "team-base-centos-7.9", "Platform team base image", Shared, "CentOS 7.9 64bit", "2024-01-08 10:00:00", SHARING_ACCOUNT, Normal),
        ("img-s5g3n0pw", "gpu-driver-535-cuda-12.2", "NVIDIA driver 535 and CUDA 12.2", Shared, "Ubuntu Server 20.04 LTS 64bit", "2024-04-18 14:30:00", SHARING_ACCOUNT, Normal),
        ("img-m8wp6k2d", "WordPress 6.4 (CentOS 7.9)", "WordPress with PHP 8.1 and MySQL 8.0", Marketplace, "CentOS 7.9 64bit", "2023-12-05 12:00:00", MARKETPLACE_VENDOR, Normal),
        ("img-m2lp9a5t", "LAMP Stack (Ubuntu 22.04)", "Apache 2.4, MySQL 8.0, PHP 8.1", Marketplace, "Ubuntu Server 22.04 LTS 64bit", "2024-01-15 12:00:00", MARKETPLACE_VENDOR, Normal),
        ("img-m7nd3f8j", "Node.js 18 Runtime (Debian 11)", "Node.js 18 LTS with PM2", Marketplace, "Debian 11.7 64bit", "2024-01-15 12:00:00", MARKETPLACE_VENDOR, Normal),
        ("img-m4bt1c6q", "BT-Panel 8.0 (CentOS 7.9)", "Server control panel", Marketplace, "CentOS 7.9 64bit", "2024-03-01 09:30:00", MARKETPLACE_VENDOR, Normal),
    ]
};

impl Catalog {
    /// The built-in catalog: the 38 public images of the API reference (type 2, status 2,
    /// created 2014-2016 by `tencentcloud`), then private, shared and marketplace images.
    pub fn builtin() -> Self {
        let images = public_images().chain(OTHER_IMAGES.iter().map(entry_image)).collect();
        Catalog::new(images).expect("the built-in catalog's ids are checked by its unit tests")
    }
}

fn public_images() -> impl Iterator<Item = CatalogImage> {
    PUBLIC_IMAGES_TSV
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t'))
        .enumerate()
        .map(|(index, (name, id))| public_image(index, name.trim(), id.trim()))
}

fn public_image(index: usize, name: &str, id: &str) -> CatalogImage {
    let index = i64::try_from(index).unwrap_or(0);
    let created = PUBLIC_EPOCH + index * PUBLIC_SPACING + (index * 7 % 10) * 3_600;
    CatalogImage {
        image_id: id.to_owned(),
        image_name: name.to_owned(),
        image_description: format!("Tencent Cloud public image: {name}"),
        image_type: ImageType::Public,
        os_name: os_name_of(name),
        create_time: format_create_time(created),
        creator: PUBLIC_CREATOR.to_owned(),
        status: ImageStatus::Normal,
    }
}

/// The `osName` of a public image: its name up to the word size, as `64bit` or `32bit`
/// ("Ubuntu Server 14.04.1 LTS 64-bit" → "Ubuntu Server 14.04.1 LTS 64bit").
fn os_name_of(name: &str) -> String {
    let mut words = Vec::new();
    for word in name.split_whitespace() {
        if let Some(bits) = word.strip_suffix("-bit") {
            words.push(format!("{bits}bit"));
            break;
        }
        words.push(word.to_owned());
    }
    words.join(" ")
}

fn entry_image(entry: &Entry) -> CatalogImage {
    let (id, name, description, image_type, os_name, create_time, creator, status) = *entry;
    CatalogImage {
        image_id: id.to_owned(),
        image_name: name.to_owned(),
        image_description: description.to_owned(),
        image_type,
        os_name: os_name.to_owned(),
        create_time: create_time.to_owned(),
        creator: creator.to_owned(),
        status,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::sandbox::catalog::is_valid_image_id;

    fn of_type(catalog: &Catalog, image_type: ImageType) -> Vec<&CatalogImage> {
        catalog.images().iter().filter(|i| i.image_type == image_type).collect()
    }

    #[test]
    fn every_public_image_of_the_reference_is_loaded() {
        let catalog = Catalog::builtin();
        let rows = PUBLIC_IMAGES_TSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(rows, 38);
        let public = of_type(&catalog, ImageType::Public);
        assert_eq!(public.len(), 38);
        for line in PUBLIC_IMAGES_TSV.lines().skip(1) {
            let (name, id) = line.split_once('\t').expect("every row is name<TAB>id");
            let image = catalog.get(id).expect("every listed id is served");
            assert_eq!(image.image_name, name);
            assert_eq!(image.status, ImageStatus::Normal);
            assert_eq!(image.creator, "tencentcloud");
            assert!(image.create_time.as_str() >= "2014" && image.create_time.as_str() < "2017");
        }
    }

    #[test]
    fn ids_are_well_formed_and_unique() {
        let catalog = Catalog::builtin();
        let mut seen = HashMap::new();
        for image in catalog.images() {
            assert!(is_valid_image_id(&image.image_id), "{}", image.image_id);
            assert!(seen.insert(image.image_id.clone(), ()).is_none(), "{}", image.image_id);
        }
        assert_eq!(seen.len(), 38 + OTHER_IMAGES.len());
    }

    #[test]
    fn every_type_and_status_is_present() {
        let catalog = Catalog::builtin();
        for image_type in
            [ImageType::Private, ImageType::Public, ImageType::Marketplace, ImageType::Shared]
        {
            assert!(!of_type(&catalog, image_type).is_empty(), "{image_type:?}");
        }
        use ImageStatus::*;
        for status in [Creating, Normal, InUse, Syncing, Copying] {
            assert!(catalog.images().iter().any(|i| i.status == status), "{status:?}");
        }
    }

    #[test]
    fn edge_cases_are_present() {
        let catalog = Catalog::builtin();
        let private = of_type(&catalog, ImageType::Private);
        assert!(private.iter().any(|i| i.image_name.is_empty()), "an image without a name");
        assert!(private.iter().any(|i| i.create_time.is_empty()), "an image without a create time");
        let mut times: Vec<&str> = private.iter().map(|i| i.create_time.as_str()).collect();
        times.sort_unstable();
        assert!(times.windows(2).any(|w| w[0] == w[1] && !w[0].is_empty()), "equal create times");
        assert!(private.iter().any(|i| i.image_name == "web-server-2024-05-01"));
        assert!(private.iter().any(|i| i.image_name == "CentOS 7.9 + Docker"));
    }

    #[test]
    fn os_names_follow_the_image_names() {
        let cases = [
            ("CentOS 7.2 64-bit", "CentOS 7.2 64bit"),
            ("Ubuntu Server 12.04 LTS 64-bit (Docker)", "Ubuntu Server 12.04 LTS 64bit"),
            (
                "Windows Server 2012 R2 Standard Edition 64-bit English",
                "Windows Server 2012 R2 Standard Edition 64bit",
            ),
            ("FreeBSD 10.1 64-bit", "FreeBSD 10.1 64bit"),
            ("Plan 9", "Plan 9"),
        ];
        for (name, want) in cases {
            assert_eq!(os_name_of(name), want);
        }
    }

    #[test]
    fn public_create_times_are_distinct_and_well_formed() {
        let catalog = Catalog::builtin();
        let mut times: Vec<&str> =
            of_type(&catalog, ImageType::Public).iter().map(|i| i.create_time.as_str()).collect();
        assert!(times.iter().all(|t| t.len() == 19 && t.as_bytes()[10] == b' '));
        times.sort_unstable();
        times.dedup();
        assert_eq!(times.len(), 38);
    }
}
