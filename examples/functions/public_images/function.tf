terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

# Every catalog name and its image id, offline. Like every provider-defined function
# (Terraform 1.8+), it needs qcloud in required_providers.
output "catalog" {
  value = provider::qcloud::public_images()
}

output "ubuntu_images" {
  value = { for name, id in provider::qcloud::public_images() : name => id if startswith(name, "Ubuntu") }
}
