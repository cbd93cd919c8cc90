# The newest "web-" image, whether you built it or a partner shared it with you: one lookup over
# two image types. Works under API 2.0 (one listing per type, merged) and 3.0 (one request).

terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

provider "qcloud" {}

data "qcloud_images" "web" {
  image_types = ["private", "shared"]
  name_regex  = "^web-"
  most_recent = true
}

output "image_id" {
  value = data.qcloud_images.web.image_id
}

# Whose image it is: "private" (yours) or "shared" (a partner's).
output "image_type" {
  value = data.qcloud_images.web.image.image_type
}

output "candidates" {
  value = data.qcloud_images.web.total_count
}
