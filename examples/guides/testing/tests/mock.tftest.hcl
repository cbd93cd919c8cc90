# Runs anywhere, with no credentials and no API: the provider is mocked, and the data source
# answers with the values given here.
mock_provider "qcloud" {}

override_data {
  target = data.qcloud_images.base
  values = {
    image_id   = "img-mocked01"
    image_name = "CentOS 7.2 64-bit"
  }
}

run "outputs_the_picked_image" {
  assert {
    condition     = output.image_id == "img-mocked01"
    error_message = "the module should output the id of the image the data source picked"
  }

  assert {
    condition     = output.image_name == "CentOS 7.2 64-bit"
    error_message = "the module should output the name of the image the data source picked"
  }
}

run "passes_the_pattern_through" {
  variables {
    name_regex = "^Ubuntu"
  }

  assert {
    condition     = data.qcloud_images.base.name_regex == "^Ubuntu"
    error_message = "the module should filter by the name_regex variable"
  }
}
