# Pin or float: two ways to choose the image an instance is built from.
#
# Floating: `most_recent = true` follows the newest image that matches. Every plan may pick a
# newer image as Tencent Cloud publishes it, and an instance whose image id changes is
# replaced on the next apply. Use it for short-lived, immutable fleets that should roll
# forward.
#
# Pinned: a fixed id (here from the provider's built-in catalog) never changes by itself.
# Instances are replaced only when you change the pin. Use it for long-lived servers.
#
# The catalog holds only the public images of the listing it was taken from (2016). An image
# newer than that is found the floating way, with `name_regex` and `most_recent`; copy the id
# it returns into the configuration to pin it.
#
# Here the pin is CentOS 7.2 and the newest CentOS 7 build is later, so the two differ. The
# two `terraform_data` resources (built into Terraform) stand in for instances: like a CVM
# instance, each is replaced when the image id it was built from changes.
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
  status      = "normal"
  most_recent = true
}

locals {
  pinned_image_name   = "CentOS 7.2 64-bit"
  pinned_image_id     = provider::qcloud::public_image_id(local.pinned_image_name)
  floating_image_id   = data.qcloud_images.floating.image_id
  floating_image_name = data.qcloud_images.floating.image_name
  differs             = local.floating_image_id != local.pinned_image_id
}

# Stand-ins for two instances, one built from each choice.
resource "terraform_data" "pinned_instance" {
  triggers_replace = local.pinned_image_id
}

resource "terraform_data" "floating_instance" {
  triggers_replace = local.floating_image_id
}

output "pinned_image_id" {
  value = local.pinned_image_id
}

output "floating_image_id" {
  value = local.floating_image_id
}

output "floating_image_name" {
  value = local.floating_image_name
}

output "floating_differs_from_pin" {
  description = "True when the newest match has moved on from the pin."
  value       = local.differs
}

output "next_apply" {
  description = "What the next apply does to instances built from each choice."
  value = (local.differs
    ? "The newest match, ${local.floating_image_name} (${local.floating_image_id}), is newer than the pin, ${local.pinned_image_name} (${local.pinned_image_id}). An instance built from the floating id is replaced whenever a newer match is published; one built from the pin stays until you change the pin. Moving a pinned instance to the floating id would replace it now."
    : "The newest match is the pin, ${local.pinned_image_name} (${local.pinned_image_id}): both instances stay. The floating one is replaced on the apply after a newer match is published."
  )
}
