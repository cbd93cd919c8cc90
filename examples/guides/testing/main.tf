# A small module that picks the newest public image whose name matches a pattern.
terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

variable "name_regex" {
  description = "Pattern the image name must match."
  type        = string
  default     = "^CentOS 7\\.2"
}

data "qcloud_images" "base" {
  image_type  = "public"
  name_regex  = var.name_regex
  most_recent = true
}

output "image_id" {
  value = data.qcloud_images.base.image_id
}

output "image_name" {
  value = data.qcloud_images.base.image_name
}
