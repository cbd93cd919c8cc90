terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

# The id of a well-known public image, from the provider's built-in catalog.
# Needs no credentials and makes no API call. Case and spacing do not matter.
# Like every provider-defined function (Terraform 1.8+), it needs qcloud in required_providers.
output "centos_7_2" {
  value = provider::qcloud::public_image_id("CentOS 7.2 64-bit")
}

# A short form works while only one catalog image fits it.
output "debian_8_2" {
  value = provider::qcloud::public_image_id("debian 8.2 64")
}
