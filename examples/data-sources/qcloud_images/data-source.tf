terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

# The newest image of your own whose name starts with "web-".
data "qcloud_images" "web" {
  image_type  = "private"
  status      = "normal"
  name_regex  = "^web-"
  most_recent = true
}

# Every public CentOS image, oldest first, at most five.
data "qcloud_images" "centos" {
  image_type     = "public"
  os_name        = "centos"
  sort_ascending = true
  max_results    = 5
}

# Exact images by id (any number; they are fetched ten at a time).
data "qcloud_images" "pinned" {
  image_type = "public"
  image_ids  = ["img-31tjrtph", "img-3wnd9xpl"]
}

output "web_image_id" {
  value = data.qcloud_images.web.image_id
}

output "centos_image_ids" {
  value = data.qcloud_images.centos.ids
}

output "pinned_image_names" {
  value = data.qcloud_images.pinned.images[*].image_name
}
