//! Synthetic images for load tests: N private images whose ids, names and create times are
//! distinct and depend only on the seed (and on the ids already taken).

use super::{Catalog, CatalogImage, ImageAttributes, format_create_time};
use crate::model::{ImageStatus, ImageType};

/// Ids are `img-` and 8 base-36 digits: there are 36^8 of them.
const ID_SPACE: u64 = 2_821_109_907_456;
/// 2019-01-01 00:00:00: the first synthetic create time. Image `i` is made in hour `i`.
const SYNTHETIC_EPOCH: i64 = 1_546_300_800;
/// The account that owns synthetic images.
const SYNTHETIC_OWNER: &str = "100012345678";

const ROLES: &[&str] = &["web-server", "api-gateway", "batch-worker", "db-replica", "cache-node"];
const OS_NAMES: &[&str] = &[
    "CentOS 7.9 64bit",
    "Ubuntu Server 22.04 LTS 64bit",
    "Debian 11.7 64bit",
    "TencentOS Server 3.1 64bit",
    "Windows Server 2019 Datacenter 64bit",
];

/// A 64-bit mix (splitmix64's finaliser): spreads nearby inputs far apart.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The `n`th id of the sequence for `seed`. Distinct `n` (below 36^8) give distinct ids: the
/// sequence is an affine map whose factor is coprime with 36^8.
pub(crate) fn synthetic_id(seed: u64, n: u64) -> String {
    let mut factor = (mix(seed) % ID_SPACE) | 1;
    if factor.is_multiple_of(3) {
        factor = (factor + 2) % ID_SPACE;
    }
    let shift = mix(seed ^ 0x5EED) % ID_SPACE;
    let x =
        (u128::from(factor) * u128::from(n % ID_SPACE) + u128::from(shift)) % u128::from(ID_SPACE);
    let mut value = u64::try_from(x).unwrap_or(0);
    let mut digits = [b'0'; 8];
    for digit in digits.iter_mut().rev() {
        let d = u8::try_from(value % 36).unwrap_or(0);
        *digit = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        value /= 36;
    }
    format!("img-{}", String::from_utf8_lossy(&digits))
}

fn synthetic_image(index: u64, seed: u64, image_id: String) -> CatalogImage {
    let noise = mix(seed.wrapping_add(index.wrapping_mul(0x1000_0000_01B3)));
    let hour = i64::try_from(index).unwrap_or(i64::MAX / 7_200);
    let created = format_create_time(
        SYNTHETIC_EPOCH + hour * 3_600 + i64::try_from(noise % 3_600).unwrap_or(0),
    );
    let role = ROLES[usize::try_from(noise % 5).unwrap_or(0)];
    let date = created.get(..10).unwrap_or_default();
    CatalogImage {
        image_id,
        image_name: format!("{role}-{date}-{index:06}"),
        image_description: format!("synthetic image {index} (seed {seed})"),
        image_type: ImageType::Private,
        os_name: OS_NAMES[usize::try_from((noise >> 8) % 5).unwrap_or(0)].to_owned(),
        create_time: created,
        creator: SYNTHETIC_OWNER.to_owned(),
        status: ImageStatus::Normal,
        attributes: ImageAttributes::default(),
    }
}

impl Catalog {
    /// The most synthetic images one call adds.
    pub const MAX_SYNTHETIC: usize = 1_000_000;

    /// `count` synthetic private images (at most [`Catalog::MAX_SYNTHETIC`]), the same for
    /// the same seed.
    pub fn synthetic(count: usize, seed: u64) -> Self {
        let mut catalog = Catalog::default();
        catalog.add_synthetic(count, seed);
        catalog
    }

    /// Appends `count` synthetic private images (at most [`Catalog::MAX_SYNTHETIC`]), skipping
    /// ids already in the catalog. Ids, names and create times are distinct; image `i` is
    /// created in hour `i` after 2019-01-01 00:00:00 and named `<role>-<date>-<i>`.
    pub fn add_synthetic(&mut self, count: usize, seed: u64) {
        let count = count.min(Self::MAX_SYNTHETIC);
        self.images.reserve(count);
        self.ids.reserve(count);
        let mut n = 0;
        for index in 0..count as u64 {
            let image_id = loop {
                let id = synthetic_id(seed, n);
                n += 1;
                if !self.contains(&id) {
                    break id;
                }
            };
            self.ids.insert(image_id.clone());
            self.images.push(synthetic_image(index, seed, image_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::catalog::is_valid_image_id;

    fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> usize {
        values.collect::<HashSet<_>>().len()
    }

    #[test]
    fn ten_thousand_distinct_images() {
        let catalog = Catalog::synthetic(10_000, 7);
        let images = catalog.images();
        assert_eq!(images.len(), 10_000);
        assert!(images.iter().all(|i| is_valid_image_id(&i.image_id)));
        assert_eq!(distinct(images.iter().map(|i| i.image_id.as_str())), 10_000);
        assert_eq!(distinct(images.iter().map(|i| i.image_name.as_str())), 10_000);
        assert_eq!(distinct(images.iter().map(|i| i.create_time.as_str())), 10_000);
        assert!(images.iter().all(|i| i.image_type == ImageType::Private));
        assert!(images.iter().all(|i| i.create_time.len() == 19));
    }

    #[test]
    fn same_seed_same_images_other_seed_other_ids() {
        let a = Catalog::synthetic(500, 42);
        assert_eq!(a.images(), Catalog::synthetic(500, 42).images());
        let b = Catalog::synthetic(500, 43);
        assert_ne!(a.images()[0].image_id, b.images()[0].image_id);
        let prefix = Catalog::synthetic(100, 42);
        assert_eq!(prefix.images(), &a.images()[..100]);
    }

    #[test]
    fn added_images_never_reuse_a_taken_id() {
        let mut catalog = Catalog::builtin();
        let taken = synthetic_id(3, 0);
        catalog
            .insert_first(CatalogImage { image_id: taken.clone(), ..catalog.images()[0].clone() })
            .expect("a fresh id");
        let before = catalog.len();
        catalog.add_synthetic(50, 3);
        assert_eq!(catalog.len(), before + 50);
        assert_eq!(catalog.images().iter().filter(|i| i.image_id == taken).count(), 1);
    }

    #[test]
    fn ids_are_a_bijection_of_the_sequence_number() {
        for seed in [0, 1, u64::MAX] {
            let ids: HashSet<String> = (0..5_000).map(|n| synthetic_id(seed, n)).collect();
            assert_eq!(ids.len(), 5_000);
        }
    }
}
