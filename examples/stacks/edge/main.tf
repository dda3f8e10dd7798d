# A hub and its k3s edge sites. The hub is an operator-mode NATS system with a
# leaf node listener and a JetStream domain of its own; each site runs k3s on
# KINE's embedded NATS server, in its own JetStream domain, as a leaf node of
# the hub. Per site in var.sites:
#
#   nats_user.leaf            the hub user its leaf connection logs in as:
#                             exactly what the link needs, and nothing else
#   nats_k3s_edge.site        the files its host needs; every apply starts
#                             that exact configuration here, as a leaf of the
#                             hub, and checks it end to end
#   nats_kv_mirror.site       the hub's copy of its cluster state, once the
#                             site runs (mirrored = true)
#
# All in one account of the hub (nats_account.edge), which the provider alias
# nats.hub acts in with credentials issued for the run only.

terraform {
  required_version = ">= 1.11" # write-only attributes
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

# The operator's identity: signs the account and pushes it to the hub.
provider "nats" {
  servers = var.nats_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

resource "nats_account" "edge" {
  name        = var.account_name
  description = "k3s edge sites: their leaf links and the hub's copies of their state"
  jetstream = {
    disk_storage   = var.hub_disk_storage
    memory_storage = 0
  }
  limits = {
    # At least every site's max_payload, or a link drops on the first large
    # Kubernetes object and the hub's mirror stalls.
    payload = var.max_payload
  }
  purge_jetstream_on_destroy = !var.deletion_protection
}

# A user of the hub account for this run only, never stored. The sites'
# checks and the mirrors need the provider to act in that account.
ephemeral "nats_user_credentials" "hub_admin" {
  name                 = "${var.account_name}-terraform"
  account              = nats_account.edge.public_key
  account_signing_seed = nats_account.edge.signing_seed
  ttl                  = "1h"
}

provider "nats" {
  alias            = "hub"
  servers          = var.nats_servers
  credentials_data = ephemeral.nats_user_credentials.hub_admin.creds
}

resource "nats_user" "leaf" {
  for_each = var.sites

  name                            = "leaf-${each.key}"
  account                         = nats_account.edge.public_key
  account_signing_seed_wo         = nats_account.edge.signing_seed
  account_signing_seed_wo_version = 1
  leafnode = {
    jetstream_domain = "edge-${each.key}" # nats_k3s_edge's default domain
    max_payload      = var.max_payload
  }
}

resource "nats_k3s_edge" "site" {
  provider = nats.hub
  for_each = var.sites

  name        = each.key
  hub_urls    = var.hub_leaf_urls
  credentials = nats_user.leaf[each.key].creds
  # The hub's copy of a site's bucket keeps its name, so every site needs a
  # bucket name of its own.
  bucket      = "k3s-${each.key}"
  rev_history = each.value.rev_history
  listen      = each.value.listen
  max_payload = var.max_payload

  tls = var.hub_ca_pem == null ? null : {
    ca_file = "/etc/rancher/k3s/nats/hub-ca.pem" # on the edge host
    ca      = var.hub_ca_pem                     # the same CA, for the check
  }

  conformance = {
    mode    = "enforce"
    profile = var.conformance_profile
  }
}

# The hub's copy of each running site's state, following it across the leaf
# link; it keeps every revision, so it can be promoted for a replacement
# cluster (see the disaster recovery guide).
resource "nats_kv_mirror" "site" {
  provider = nats.hub
  for_each = { for name, s in var.sites : name => s if s.mirrored }

  name = nats_k3s_edge.site[each.key].bucket
  source = {
    bucket = nats_k3s_edge.site[each.key].bucket
    domain = nats_k3s_edge.site[each.key].jetstream_domain
  }
  replicas            = var.mirror_replicas
  deletion_protection = var.deletion_protection
}
