# Every catalog name and its image id.
output "catalog" {
  value = provider::qcloud::public_images()
}

output "ubuntu_images" {
  value = { for name, id in provider::qcloud::public_images() : name => id if startswith(name, "Ubuntu") }
}
