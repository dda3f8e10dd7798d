# Step 2 of the quickstart: k3s clusters keeping their state in NATS. For
# each cluster in var.clusters:
#
#   nats_account.cluster      its own account: no other cluster sees its data
#   nats_user.admin           what Terraform connects as to manage the bucket
#   nats_k3s_datastore.this   the bucket, made exactly as KINE makes it, and the
#                             --datastore-endpoint; every apply runs a real KINE
#                             against it through that endpoint (conformance)
#   nats_user.kine            what k3s connects as: its bucket and nothing else;
#                             its own check runs KINE with these credentials
#
# Step 1 (./operator) made the operator; its outputs are the inputs here.

terraform {
  required_version = ">= 1.5"
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

provider "nats" {
  servers = var.nats_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

resource "nats_account" "cluster" {
  for_each = var.clusters

  name        = "k3s-${each.key}"
  description = "State of k3s cluster ${each.key}"
  jetstream = {
    disk_storage   = each.value.disk_storage
    memory_storage = 0
    streams        = 10
  }
  # With protection off, tearing a cluster down leaves no data on disk.
  purge_jetstream_on_destroy = !var.deletion_protection
}

resource "nats_user" "admin" {
  for_each = var.clusters

  name                 = "k3s-${each.key}-admin"
  account              = nats_account.cluster[each.key].public_key
  account_signing_seed = nats_account.cluster[each.key].signing_seed
}

resource "nats_k3s_datastore" "this" {
  for_each = var.clusters

  bucket      = "k3s-${each.key}"
  replicas    = each.value.replicas
  rev_history = each.value.rev_history
  servers     = each.value.servers # null: nats_servers
  credentials = nats_user.admin[each.key].creds
  creds_file  = var.k3s_creds_path

  conformance = {
    mode    = "enforce"
    profile = var.conformance_profile
  }
  deletion_protection = var.deletion_protection
}

resource "nats_user" "kine" {
  for_each = var.clusters

  name                 = "k3s-${each.key}-kine"
  account              = nats_account.cluster[each.key].public_key
  account_signing_seed = nats_account.cluster[each.key].signing_seed
  kine_bucket          = nats_k3s_datastore.this[each.key].bucket
}
