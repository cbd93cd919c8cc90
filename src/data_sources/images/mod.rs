//! The `qcloud_images` data source. (Skeleton.)
