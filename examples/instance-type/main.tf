# The newest image an instance type can boot, deprecated images left out: what a launch
# template for that type should use. Needs API 3.0 (CVM DescribeImages filters InstanceType).
# Credentials come from QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY. Against the local sandbox, also
# set QCLOUD_ENDPOINT to the sandbox's address (its 3.0 API is served at "/").

terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

provider "qcloud" {
  api_version = "3.0"
}

variable "instance_type" {
  description = "The instance type the image must boot on, e.g. an ARM type such as SR1.MEDIUM4."
  type        = string
  default     = "SR1.MEDIUM4"
}

data "qcloud_images" "bootable" {
  image_types   = ["public", "private"]
  instance_type = var.instance_type
  platform      = "Ubuntu"
  most_recent   = true
  # include_deprecated defaults to false: deprecated images are never picked.
}

output "image_id" {
  value = data.qcloud_images.bootable.image_id
}

output "image_architecture" {
  value = data.qcloud_images.bootable.image.architecture
}

output "image_name" {
  value = data.qcloud_images.bootable.image_name
}
