//! The built-in catalog: public images (the well-known ones of the API reference and newer
//! builds), and a handful of realistic private, shared and marketplace images, including the
//! edge cases a client must handle (equal create times, an empty name, an empty create time,
//! every status), and what API 3.0 adds: image families (`web-golden` whose newest builds are
//! deprecated or not ready, `arm-base` on arm64, `legacy-app` with no usable build,
//! `platform-base` shared by another account), tags, snapshot sets and a BYOL image.
//!
//! The images are data in this crate, in the catalog file format (see [`super::file`]), read
//! by the same loader as any catalog file: `catalog/public.json` (the public images, served
//! first) and `catalog/builtin.json` (the others).

use super::Catalog;

/// The built-in public images, in serving order.
const PUBLIC_JSON: &str = include_str!("../../catalog/public.json");

/// The other built-in images, in serving order.
const BUILTIN_JSON: &str = include_str!("../../catalog/builtin.json");

impl Catalog {
    /// The built-in catalog: the public images (the 38 of the API reference, created
    /// 2014-2016, then newer builds up to 2024 whose ids are made up for the sandbox, all by
    /// `tencentcloud`), then private, shared and marketplace images, then the private and
    /// shared images that show API 3.0's families, tags and snapshots.
    pub fn builtin() -> Self {
        let load = |json| Catalog::from_json_str(json).map(|catalog| catalog.images().to_vec());
        load(PUBLIC_JSON)
            .and_then(|public| Ok([public, load(BUILTIN_JSON)?].concat()))
            .and_then(Catalog::new)
            .expect("the built-in catalog is checked by its unit tests")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::catalog::{CatalogImage, is_valid_image_id};
    use crate::model::{Architecture, DiskUsage, ImageStatus, ImageType, LicenseType};

    fn of_type(catalog: &Catalog, image_type: ImageType) -> Vec<&CatalogImage> {
        catalog.images().iter().filter(|i| i.image_type == image_type).collect()
    }

    /// Public images: the 38 of the API reference, then newer builds.
    const PUBLIC: usize = 60;
    const REFERENCE: usize = 38;

    #[test]
    fn public_images_come_first_the_reference_ones_then_newer_builds() {
        let catalog = Catalog::builtin();
        let public = of_type(&catalog, ImageType::Public);
        assert_eq!(public.len(), PUBLIC);
        assert!(catalog.images()[..PUBLIC].iter().all(|i| i.image_type == ImageType::Public));
        for image in &public {
            assert_eq!(image.creator, "tencentcloud");
            let description = format!("Tencent Cloud public image: {}", image.image_name);
            assert_eq!(image.image_description, description);
        }
        let (reference, newer) = public.split_at(REFERENCE);
        for image in reference {
            assert_eq!(image.status, ImageStatus::Normal, "{}", image.image_id);
            assert!(image.create_time.as_str() >= "2014" && image.create_time.as_str() < "2017");
        }
        for image in newer {
            assert!(image.create_time.as_str() >= "2019", "{}", image.image_name);
        }
        assert!(newer.iter().any(|i| i.image_name.ends_with("ARM64")), "arm64 builds");
        assert!(newer.iter().any(|i| i.status != ImageStatus::Normal), "a build not ready yet");
        let first = &catalog.images()[0];
        assert_eq!(
            (first.image_id.as_str(), first.image_name.as_str()),
            ("img-7br3ouzr", "CentOS 5.8 32-bit")
        );
        let centos = catalog.get("img-31tjrtph").expect("CentOS 7.2 is built in");
        assert_eq!(centos.image_name, "CentOS 7.2 64-bit");
        assert_eq!(centos.os_name, "CentOS 7.2 64bit");
    }

    #[test]
    fn a_newer_centos_7_build_follows_the_reference_ones() {
        let catalog = Catalog::builtin();
        let centos_7 = |i: &&CatalogImage| {
            i.image_type == ImageType::Public && i.image_name.starts_with("CentOS 7.")
        };
        let newest = catalog.images().iter().filter(centos_7).max_by_key(|i| &i.create_time);
        let newest = newest.expect("CentOS 7 images");
        assert_eq!(newest.image_name, "CentOS 7.9 64-bit");
        assert_ne!(newest.image_id, "img-31tjrtph");
    }

    #[test]
    fn counts_of_each_type() {
        let catalog = Catalog::builtin();
        let counts: Vec<usize> =
            ImageType::ALL.iter().map(|t| of_type(&catalog, *t).len()).collect();
        assert_eq!(counts, [20, PUBLIC, 4, 5], "private, public, marketplace, shared");
        assert_eq!(catalog.len(), PUBLIC + 29);
    }

    #[test]
    fn ids_are_well_formed_and_unique() {
        let catalog = Catalog::builtin();
        let mut seen = HashSet::new();
        for image in catalog.images() {
            assert!(is_valid_image_id(&image.image_id), "{}", image.image_id);
            assert!(seen.insert(image.image_id.clone()), "{}", image.image_id);
        }
        assert_eq!(seen.len(), PUBLIC + 29);
    }

    #[test]
    fn every_type_and_status_is_present() {
        let catalog = Catalog::builtin();
        for image_type in ImageType::ALL {
            assert!(!of_type(&catalog, image_type).is_empty(), "{image_type:?}");
        }
        for status in ImageStatus::ALL {
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
        let catalog = Catalog::builtin();
        for image in of_type(&catalog, ImageType::Public) {
            // The name up to its word size, written `64bit` or `32bit`; ARM builds: the name.
            let want = match image.image_name.find("-bit") {
                Some(size) => image.image_name[..size + 4].replace("-bit", "bit"),
                None => image.image_name.clone(),
            };
            assert_eq!(image.os_name, want, "{}", image.image_name);
        }
        let windows = catalog
            .images()
            .iter()
            .find(|i| i.image_name == "Windows Server 2012 R2 Standard Edition 64-bit English");
        let windows = windows.expect("an English Windows image");
        assert_eq!(windows.os_name, "Windows Server 2012 R2 Standard Edition 64bit");
    }

    #[test]
    fn public_create_times_are_distinct_and_well_formed() {
        let catalog = Catalog::builtin();
        let mut times: Vec<&str> =
            of_type(&catalog, ImageType::Public).iter().map(|i| i.create_time.as_str()).collect();
        assert!(times.iter().all(|t| t.len() == 19 && t.as_bytes()[10] == b' '));
        times.sort_unstable();
        times.dedup();
        assert_eq!(times.len(), PUBLIC);
    }

    /// The builds of `family`, newest first.
    fn family<'a>(catalog: &'a Catalog, family: &str) -> Vec<&'a CatalogImage> {
        let mut builds: Vec<&CatalogImage> =
            catalog.images().iter().filter(|i| i.attributes.image_family == family).collect();
        builds.sort_by(|a, b| b.create_time.cmp(&a.create_time));
        builds
    }

    #[test]
    fn families_show_each_case_of_the_family_answer() {
        let catalog = Catalog::builtin();
        let web = family(&catalog, "web-golden");
        assert_eq!(web.len(), 4);
        assert_eq!(web[0].status, ImageStatus::Creating, "the newest build is not ready");
        assert!(web[1].attributes.image_deprecated, "the next one is deprecated");
        assert_eq!(web[2].image_id, "img-wg25b02k", "the latest usable build");
        assert!(web[2].is_usable());
        let legacy = family(&catalog, "legacy-app");
        assert!(legacy.len() >= 2 && legacy.iter().all(|i| !i.is_usable()), "no usable build");
        let arm = family(&catalog, "arm-base");
        assert!(arm.len() >= 2 && arm.iter().all(|i| i.architecture() == Architecture::Arm64));
        let shared = family(&catalog, "platform-base");
        assert!(shared.len() >= 2 && shared.iter().all(|i| i.image_type == ImageType::Shared));
        assert!(shared.iter().all(|i| i.creator != "100012345678"), "another account's");
    }

    #[test]
    fn tags_snapshots_licenses_and_architectures_are_present() {
        let catalog = Catalog::builtin();
        let images = catalog.images();
        let tagged =
            |key: &str, value: &str| images.iter().filter(|i| i.tag(key) == Some(value)).count();
        assert!(tagged("team", "web") >= 3);
        assert!(tagged("env", "prod") >= 3);
        assert!(tagged("env", "staging") >= 2);
        let usages: HashSet<DiskUsage> = images
            .iter()
            .flat_map(|i| i.attributes.snapshots.iter().map(|s| s.disk_usage))
            .collect();
        assert_eq!(usages.len(), 2, "system and data disk snapshots");
        let byol: Vec<_> =
            images.iter().filter(|i| i.attributes.license_type == LicenseType::Byol).collect();
        assert_eq!(byol.len(), 1);
        assert!(byol[0].is_windows());
        for arch in [Architecture::X86_64, Architecture::Arm64] {
            assert!(images.iter().any(|i| i.architecture() == arch), "{arch:?}");
        }
    }
}
