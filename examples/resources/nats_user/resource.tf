# The account of one k3s cluster (see nats_account).
resource "nats_account" "k3s_prod" {
  name      = "k3s-prod"
  jetstream = { disk_storage = 10737418240, memory_storage = 0 }
}

# The user k3s runs KINE as: exactly the permissions KINE needs for its
# bucket, nothing else. On every apply a real KINE runs with these
# credentials against the bucket.
resource "nats_user" "kine" {
  name                 = "k3s-prod-kine"
  account              = nats_account.k3s_prod.public_key
  account_signing_seed = nats_account.k3s_prod.signing_seed
  kine_bucket          = "k3s-prod" # the bucket of the cluster's nats_k3s_datastore
}

# An application user: publish under orders., answer requests, read replies.
resource "nats_user" "orders" {
  name                 = "orders-service"
  account              = nats_account.k3s_prod.public_key
  account_signing_seed = nats_account.k3s_prod.signing_seed

  publish = {
    allow = ["orders.>"]
    deny  = ["orders.admin.>"]
  }
  subscribe = {
    allow = ["_INBOX.>", "orders.requests.> orders-workers"] # a queue group after one space
  }
  allow_responses = { max_msgs = 1, ttl = "1m" }

  source_networks          = ["10.0.0.0/8"]
  allowed_connection_types = ["STANDARD"]
  expires                  = "2030-01-01T00:00:00Z"
}

# The creds file for k3s (credsFile in the datastore endpoint).
output "kine_creds" {
  value     = nats_user.kine.creds
  sensitive = true
}

# The hub user of an edge site's leaf connection (nats_k3s_edge): exactly
# what the link needs for the site's JetStream domain.
resource "nats_user" "store_42_leaf" {
  name                 = "leaf-store-42"
  account              = nats_account.k3s_prod.public_key
  account_signing_seed = nats_account.k3s_prod.signing_seed
  leafnode             = { jetstream_domain = "edge-store-42" }
}

# The account's link between two regions (eu-central's servers dial
# eu-west's leaf node listener), carrying datastore mirrors both ways: each
# region may send the other only what those mirrors need.
resource "nats_user" "region_link" {
  name                 = "region-link"
  account              = nats_account.k3s_prod.public_key
  account_signing_seed = nats_account.k3s_prod.signing_seed
  leafnode = {
    jetstream_domain     = "eu-central"
    hub_jetstream_domain = "eu-west"
  }
}

# Signed with a seed that never reaches state (Terraform 1.11 and later): the
# account's signing seed arrives write-only, here from an ephemeral variable
# (an account managed outside this configuration). Change the version to
# re-sign the JWT with a new seed.
resource "nats_user" "ci" {
  name                            = "ci"
  account                         = var.external_account
  account_signing_seed_wo         = var.external_account_signing_seed
  account_signing_seed_wo_version = 1
}

variable "external_account" {
  type = string
}

variable "external_account_signing_seed" {
  type      = string
  sensitive = true
  ephemeral = true
}
