# An application bucket, replicated three ways, republishing changes.
resource "nats_kv_bucket" "config" {
  name        = "app-config"
  description = "Feature flags for the shop"
  history     = 5
  replicas    = 3
  max_bytes   = 104857600 # 100 MiB
  ttl         = "720h"
  compression = true

  republish = {
    destination = "changes.app-config.>"
  }

  metadata = {
    owner = "platform"
  }

  deletion_protection = true
}

# A bucket in another account, managed from the same configuration.
resource "nats_kv_bucket" "tenant" {
  name        = "tenant-a-cache"
  credentials = var.tenant_a_creds
}

variable "tenant_a_creds" {
  type      = string
  sensitive = true
}
