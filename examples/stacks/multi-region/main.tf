# k3s clusters in two regions of one operator-mode NATS system, each region
# its own JetStream domain. Every cluster keeps its state in its home region
# and a mirror of it in the other (examples/modules/k3s-cluster); failover
# promotes the mirror (var.failover). The runbook is in README.md.

terraform {
  required_version = ">= 1.5"
  required_providers {
    nats = {
      source = "natsk3s/nats"
    }
  }
}

# One provider per region, each connected to that region's own servers:
# what lives in region B is managed through region B alone, so it can be
# changed (promoted) while region A is lost.
provider "nats" {
  alias   = "region_a"
  servers = var.region_a_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

provider "nats" {
  alias   = "region_b"
  servers = var.region_b_servers
  operator {
    jwt               = var.operator_jwt
    signing_seed      = var.operator_signing_seed
    system_user_creds = var.system_user_creds
  }
}

locals {
  home_a = { for name, c in var.clusters : name => c if c.region == "a" }
  home_b = { for name, c in var.clusters : name => c if c.region == "b" }
}

# Clusters at home in region A, mirrored into region B.
module "region_a" {
  source   = "../../modules/k3s-cluster"
  for_each = local.home_a
  providers = {
    nats      = nats.region_a
    nats.peer = nats.region_b
  }

  name                = each.key
  jetstream_domain    = var.region_a_domain
  servers             = var.region_a_k3s_servers
  replicas            = each.value.replicas
  rev_history         = each.value.rev_history
  creds_file          = var.k3s_creds_path
  conformance_profile = var.conformance_profile
  deletion_protection = var.deletion_protection
  region_link = {
    hub_jetstream_domain  = var.region_a_domain
    leaf_jetstream_domain = var.region_b_domain
  }
  mirror = var.mirroring ? {
    jetstream_domain = var.region_b_domain
    replicas         = each.value.mirror_replicas
    promote          = contains(var.failover, each.key)
    servers          = var.region_b_k3s_servers
  } : null
}

# Clusters at home in region B, mirrored into region A.
module "region_b" {
  source   = "../../modules/k3s-cluster"
  for_each = local.home_b
  providers = {
    nats      = nats.region_b
    nats.peer = nats.region_a
  }

  name                = each.key
  jetstream_domain    = var.region_b_domain
  servers             = var.region_b_k3s_servers
  replicas            = each.value.replicas
  rev_history         = each.value.rev_history
  creds_file          = var.k3s_creds_path
  conformance_profile = var.conformance_profile
  deletion_protection = var.deletion_protection
  region_link = {
    hub_jetstream_domain  = var.region_a_domain
    leaf_jetstream_domain = var.region_b_domain
  }
  mirror = var.mirroring ? {
    jetstream_domain = var.region_a_domain
    replicas         = each.value.mirror_replicas
    promote          = contains(var.failover, each.key)
    servers          = var.region_a_k3s_servers
  } : null
}

locals {
  clusters = merge(module.region_a, module.region_b)
  domain   = { a = var.region_a_domain, b = var.region_b_domain }
  other    = { a = "b", b = "a" }
}
