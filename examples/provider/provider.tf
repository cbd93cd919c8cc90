terraform {
  required_providers {
    qcloud = {
      source = "qcloud/qcloud"
    }
  }
}

# Every argument is optional. Credentials are best kept in the environment:
# QCLOUD_SECRET_ID and QCLOUD_SECRET_KEY (or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY).
provider "qcloud" {
  region              = "ap-guangzhou"
  max_retries         = 5
  request_timeout     = 30
  requests_per_second = 10
  page_concurrency    = 4

  # "2.0" (the default) or "3.0". Accounts created since 2023 only have API 3.0; it also
  # offers the instance_type, platform and tags filters, image families and more image
  # attributes. Or set QCLOUD_API_VERSION.
  # api_version = "3.0"
}
