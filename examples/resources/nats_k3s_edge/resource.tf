# The hub: the shared NATS system, with a leaf node listener
# (leafnodes { listen: "0.0.0.0:7422" }) and its own JetStream domain ("hub").
# One account holds every edge site's link and the hub's copies of their state.
resource "nats_account" "edge" {
  name = "edge-sites"

  jetstream = {
    disk_storage   = 107374182400 # 100 GiB: the hub's copies of every site's state
    memory_storage = 0
  }
  limits = {
    payload = 8388608 # at least the sites' max_payload, or their links drop on big objects
  }
}

locals {
  site   = "store-42"
  domain = "edge-store-42" # nats_k3s_edge's default: edge-<name>
}

# The hub user the site's leaf connection logs in as: exactly what the link
# needs for this site's domain, and nothing else.
resource "nats_user" "store_42_leaf" {
  name                 = "leaf-${local.site}"
  account              = nats_account.edge.public_key
  account_signing_seed = nats_account.edge.signing_seed
  leafnode             = { jetstream_domain = local.domain }
}

# The site: KINE's embedded NATS server on the edge host, a leaf node of the
# hub. On every apply the exact configuration is started here and checked
# end to end, the link cut and restored included. The provider must connect
# as a user of the same account (nats_account.edge).
resource "nats_k3s_edge" "store_42" {
  name        = local.site
  hub_urls    = ["tls://hub-1.example.net:7422", "tls://hub-2.example.net:7422"]
  credentials = nats_user.store_42_leaf.creds

  # A bucket named after the site: the hub's copy keeps the bucket's name,
  # so every site's must differ.
  bucket = "k3s-${local.site}"

  tls = {
    ca_file = "/etc/rancher/k3s/nats/hub-ca.pem" # on the edge host
    ca      = var.hub_ca_pem                     # the same CA, for the check
  }
}

# The hub's copy of the site's state, following it across the leaf link (see
# the edge sites guide).
resource "nats_kv_mirror" "store_42" {
  name = nats_k3s_edge.store_42.bucket
  source = {
    bucket = nats_k3s_edge.store_42.bucket
    domain = nats_k3s_edge.store_42.jetstream_domain
  }
}

# What the edge host needs, for cloud-init or a configuration management tool.
output "store_42_files" {
  value = nats_k3s_edge.store_42.files
}

output "store_42_server_config" {
  value = nats_k3s_edge.store_42.server_config
}

variable "hub_ca_pem" {
  type        = string
  description = "The CA that signed the hub's leaf node certificate (PEM)."
}

# A site whose leaf credentials never reach this state (Terraform 1.11 and
# later): they come from where the host gets them too (a secrets manager),
# as an ephemeral variable, and only the check reads them. Change
# credentials_wo_version when they change, to check the new ones.
resource "nats_k3s_edge" "store_43" {
  name                   = "store-43"
  hub_urls               = ["tls://hub-1.example.net:7422"]
  credentials_wo         = var.store_43_leaf_creds
  credentials_wo_version = 1
  bucket                 = "k3s-store-43"

  tls = {
    ca_file = "/etc/rancher/k3s/nats/hub-ca.pem"
    ca      = var.hub_ca_pem
  }
}

variable "store_43_leaf_creds" {
  type      = string
  sensitive = true
  ephemeral = true
}
