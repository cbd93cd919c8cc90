terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

# Image families need API 3.0.
provider "qcloud" {
  api_version = "3.0"
}

# The latest build of your golden web image: every new image you add to the family "web-golden"
# is picked up on the next plan, and deprecated builds are never offered.
data "qcloud_image_from_family" "web" {
  image_family = "web-golden"

  timeouts {
    read = "2m"
  }
}

output "web_image_id" {
  value = data.qcloud_image_from_family.web.image_id
}

output "web_image_name" {
  value = data.qcloud_image_from_family.web.image.image_name
}
