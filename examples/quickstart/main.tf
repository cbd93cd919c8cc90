# Quickstart: find the newest CentOS image and pin a well-known public image by name.
# `cargo run --example quickstart` runs this against the built-in sandbox API.

terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

# Credentials, region and endpoint come from the environment
# (QCLOUD_SECRET_ID, QCLOUD_SECRET_KEY, QCLOUD_REGION, QCLOUD_ENDPOINT).
provider "qcloud" {}

data "qcloud_images" "centos" {
  image_type  = "public"
  name_regex  = "^CentOS 7"
  most_recent = true
}

output "newest_centos_7" {
  description = "The newest public CentOS 7 image."
  value       = data.qcloud_images.centos.image_id
}

output "newest_centos_7_name" {
  description = "Its name."
  value       = data.qcloud_images.centos.image_name
}

output "pinned_centos_7_2" {
  description = "A well-known public image, pinned by name from the built-in catalog."
  value       = provider::qcloud::public_image_id("CentOS 7.2 64-bit")
}
