# Looking up images through API 3.0 (CVM DescribeImages, TC3-HMAC-SHA256 signing).
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
  region      = "ap-guangzhou"
  api_version = "3.0"
}

data "qcloud_images" "ubuntu" {
  image_type  = "public"
  name_regex  = "^Ubuntu"
  most_recent = true
}

output "ubuntu_image_id" {
  value = data.qcloud_images.ubuntu.image_id
}

# Attributes only API 3.0 returns (null under 2.0).
output "ubuntu_details" {
  value = {
    for image in data.qcloud_images.ubuntu.images : image.image_id => {
      architecture = image.architecture
      platform     = image.platform
      image_size   = image.image_size
    }
  }
}
