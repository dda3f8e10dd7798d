# The k3s quickstart for a Terraform Cloud (or any remote) workspace: one k3s
# cluster per workspace, and no file read or written on the machine that runs
# Terraform. Every secret arrives as a workspace variable, an ephemeral
# resource or a write-only attribute, so none of the secrets this
# configuration is given is ever stored in state or in a plan:
#
#   var.operator_signing_seed,  ephemeral variables: only the provider block
#   var.system_user_creds       reads them, and provider configuration is
#                               never stored (Terraform refuses any other use)
#   ephemeral.nats_user_credentials.admin
#                               a short-lived admin user of the cluster's
#                               account, issued anew on every run, never stored;
#                               the provider "nats.cluster" acts as it
#   account_signing_seed_wo     the KINE user is signed with the account's
#                               seed through a write-only attribute
#
# What is stored is what this configuration itself generates and must keep:
# the account's keys (nats_account) and the KINE user's credentials, which
# k3s needs (output kine_creds).

terraform {
  required_version = ">= 1.11" # write-only attributes
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

# The operator's identity: signs the account and pushes it to the servers.
provider "nats" {
  servers = var.nats_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

resource "nats_account" "cluster" {
  name        = "k3s-${var.cluster_name}"
  description = "State of k3s cluster ${var.cluster_name}"
  jetstream = {
    disk_storage   = var.disk_storage
    memory_storage = 0
    streams        = 10
  }
  purge_jetstream_on_destroy = !var.deletion_protection
}

# An admin user of the account for this run only: issued offline on every
# plan and apply, valid for an hour, never in plan or state.
ephemeral "nats_user_credentials" "admin" {
  name                 = "k3s-${var.cluster_name}-terraform"
  account              = nats_account.cluster.public_key
  account_signing_seed = nats_account.cluster.signing_seed
  ttl                  = "1h"
}

# The provider as that admin user: manages and checks the datastore. On the
# first plan the account does not exist yet, so this configuration is known
# only at apply.
provider "nats" {
  alias            = "cluster"
  servers          = var.nats_servers
  credentials_data = ephemeral.nats_user_credentials.admin.creds
}

resource "nats_k3s_datastore" "this" {
  provider = nats.cluster

  bucket      = "k3s-${var.cluster_name}"
  replicas    = var.replicas
  rev_history = var.rev_history
  creds_file  = var.k3s_creds_path

  conformance = {
    mode    = "enforce"
    profile = var.conformance_profile
  }
  deletion_protection = var.deletion_protection
}

# What k3s connects as: its bucket and nothing else. The account's seed only
# signs the JWT, so it goes in write-only.
resource "nats_user" "kine" {
  name                            = "k3s-${var.cluster_name}-kine"
  account                         = nats_account.cluster.public_key
  account_signing_seed_wo         = nats_account.cluster.signing_seed
  account_signing_seed_wo_version = var.kine_user_version
  kine_bucket                     = nats_k3s_datastore.this.bucket
}
