# Stage 2 of `make demo`: one k3s cluster's state on a shared, operator-mode
# NATS system, and an application beside it in its own account.
#
#   nats_account.k3s       the cluster's own account, with room for JetStream
#   nats_user.kine         the user KINE connects as: only its bucket, nothing else
#   nats_k3s_datastore     the bucket, made exactly as KINE makes it, and the
#                          --datastore-endpoint; on apply a real KINE runs
#                          against it with that endpoint (conformance: enforce)
#   nats_account.apps      an application account, and a bucket in it
#
# The demo passes the operator from stage 1 and the server URL as variables.

terraform {
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

variable "nats_url" {
  type = string
}

variable "operator_jwt" {
  type = string
}

variable "operator_signing_seed" {
  type      = string
  sensitive = true
}

variable "system_user_creds" {
  type      = string
  sensitive = true
}

provider "nats" {
  servers = [var.nats_url]
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

resource "nats_account" "k3s" {
  name = "k3s-demo"
  jetstream = {
    disk_storage   = 1073741824 # 1 GiB
    memory_storage = 0
    streams        = 10
  }
  purge_jetstream_on_destroy = true
}

# Manages the cluster's bucket: creates, checks and (in the end) deletes it.
resource "nats_user" "k3s_admin" {
  name                 = "k3s-admin"
  account              = nats_account.k3s.public_key
  account_signing_seed = nats_account.k3s.signing_seed
}

resource "nats_k3s_datastore" "demo" {
  bucket      = "k3s-demo"
  credentials = nats_user.k3s_admin.creds
  creds_file  = "/etc/rancher/k3s/nats.creds"

  # A demo is thrown away; a real cluster's state is protected by default.
  deletion_protection = false
}

# What k3s connects as: its bucket and nothing else. Its own check runs a
# real KINE with exactly these credentials against the bucket above.
resource "nats_user" "kine" {
  name                 = "kine"
  account              = nats_account.k3s.public_key
  account_signing_seed = nats_account.k3s.signing_seed
  kine_bucket          = nats_k3s_datastore.demo.bucket
}

resource "nats_account" "apps" {
  name      = "apps"
  jetstream = { disk_storage = 104857600, memory_storage = 0 }
  # A plain application account: no need to prove it can host k3s.
  conformance                = { mode = "off" }
  purge_jetstream_on_destroy = true
}

resource "nats_user" "apps" {
  name                 = "apps-admin"
  account              = nats_account.apps.public_key
  account_signing_seed = nats_account.apps.signing_seed
}

resource "nats_kv_bucket" "app" {
  name        = "app-config"
  description = "Settings of the workloads on the k3s cluster"
  history     = 5
  credentials = nats_user.apps.creds
  conformance = { mode = "off" }
}

output "datastore_endpoint" {
  value = nats_k3s_datastore.demo.endpoint_redacted
}

output "k3s_config" {
  value     = nats_k3s_datastore.demo.k3s_config
  sensitive = true
}

output "kine_check" {
  value = nats_k3s_datastore.demo.conformance_report.summary
}

output "kine_user_check" {
  value = nats_user.kine.conformance_report.summary
}

output "k3s_account" {
  value = nats_account.k3s.public_key
}

output "kine_creds" {
  value     = nats_user.kine.creds
  sensitive = true
}

output "apps_creds" {
  value     = nats_user.apps.creds
  sensitive = true
}
