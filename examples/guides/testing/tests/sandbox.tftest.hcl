# Runs the real provider against the qcloud-sandbox API: start it and point the provider at it
# through the environment (QCLOUD_ENDPOINT, QCLOUD_SECRET_ID, QCLOUD_SECRET_KEY) first.
run "finds_centos_in_the_sandbox" {
  command = plan

  assert {
    condition     = output.image_id == "img-31tjrtph"
    error_message = "the sandbox's newest CentOS 7.2 image is img-31tjrtph"
  }
}

run "finds_ubuntu_too" {
  command = plan

  variables {
    name_regex = "^Ubuntu"
  }

  assert {
    condition     = startswith(output.image_name, "Ubuntu")
    error_message = "a pattern for Ubuntu picks an Ubuntu image"
  }
}
