# The k3s-on-NATS stack, first cut: the bucket k3s keeps its state in
# (through KINE), an application bucket beside it, and the datastore
# endpoint to give `k3s server --datastore-endpoint`.
#
# `make demo` applies this against an in-process nats-server, checks the
# result on the server and destroys it again.

terraform {
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

# No servers here: the provider reads NATS_URL.
provider "nats" {}

variable "nats_hostport" {
  type        = string
  description = "host:port at which k3s (KINE) reaches the NATS server."
}

# Exactly the bucket KINE creates on start: KINE refuses to run on a bucket
# with any other setting. Its history and replicas are KINE's defaults, so
# the endpoint below need not carry revHistory or replicas. The apply fails
# if the embedded KINE check does not pass.
resource "nats_kv_bucket" "kine" {
  name        = "kine"
  description = "Holds kine key/values"
  history     = 10
  replicas    = 1
  storage     = "file"

  conformance = {
    mode = "enforce"
  }
}

# A bucket for workloads on the cluster: config with a little history,
# bounded in size.
resource "nats_kv_bucket" "app" {
  name           = "app-config"
  description    = "Settings of the workloads on the k3s cluster"
  history        = 5
  max_value_size = 1048576  # 1 MiB
  max_bytes      = 67108864 # 64 MiB
  compression    = true

  metadata = {
    owner = "platform"
  }

  # Not a datastore: no KINE check.
  conformance = {
    mode = "off"
  }
}

# Live status of the datastore bucket, read after it exists.
data "nats_kv_bucket" "kine" {
  name = nats_kv_bucket.kine.name
}

output "bucket_names" {
  value = [nats_kv_bucket.kine.name, nats_kv_bucket.app.name]
}

output "stream_names" {
  value = [nats_kv_bucket.kine.stream_name, nats_kv_bucket.app.stream_name]
}

output "kine_last_sequence" {
  description = "The datastore's latest revision (0 until k3s writes)."
  value       = data.nats_kv_bucket.kine.status.last_sequence
}

output "datastore_endpoint" {
  description = "For k3s server --datastore-endpoint."
  value       = format("nats://%s?bucket=%s&noEmbed=true", var.nats_hostport, nats_kv_bucket.kine.name)
}
