# Pin or float: two ways to choose the image an instance is built from.
#
# Floating: `most_recent = true` follows the newest image that matches. Every plan may pick a
# newer image as it is published, and an instance whose image id changes is replaced. Use it
# for short-lived, immutable fleets that should roll forward.
#
# Pinned: a fixed id (here from the built-in catalog) never changes by itself. Instances are
# replaced only when you change the pin. Use it for long-lived servers.
#
# The lookup is deterministic either way: equal creation times are ordered by image id, so the
# floating choice only moves when the images themselves change.

terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

provider "qcloud" {}

data "qcloud_images" "floating" {
  image_type  = "public"
  name_regex  = "^CentOS 7\\."
  most_recent = true
}

locals {
  pinned_image_id   = provider::qcloud::public_image_id("CentOS 7.2 64-bit")
  floating_image_id = data.qcloud_images.floating.image_id
}

output "pinned_image_id" {
  value = local.pinned_image_id
}

output "floating_image_id" {
  value = local.floating_image_id
}

output "floating_differs_from_pin" {
  description = "True when the newest match has moved on from the pin: switching would replace instances."
  value       = local.floating_image_id != local.pinned_image_id
}
